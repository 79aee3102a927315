/*
 * import_map.c - ARM resources (az CLI's flattened shape, or Resource
 * Graph's and ARM REST's nested `properties`) to the scenario topology.
 * See import_int.h.
 *
 * Every object keeps its name and full ID, and references are written as
 * the target's ID, which the loader resolves whatever the names (RULES
 * 2.1.1).  A reference to something the inputs do not hold (a peering to
 * another subscription's VNet, a NIC in a subnet not imported) drops the
 * referring object or member with a note: the scenario must load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "armid.h"
#include "import_int.h"
#include "prefix.h"
#include "strmap.h"

/* ---- reading either shape ----------------------------------------------------- */

const cJSON *imp_get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (v)
		return v;
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "properties"),
						key);
}

const char *imp_str(const cJSON *o, const char *key)
{
	const cJSON *v = imp_get(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *imp_ref(const cJSON *o, const char *key)
{
	return imp_str(imp_get(o, key), "id");
}

static const struct {
	const char *type;
	enum imp_kind kind;
} KINDS[] = {
	{ "Microsoft.Network/virtualNetworks", IK_VNET },
	{ "Microsoft.Network/routeTables", IK_ROUTE_TABLE },
	{ "Microsoft.Network/networkInterfaces", IK_NIC },
	{ "Microsoft.Network/privateEndpoints", IK_PE },
	{ "Microsoft.Network/virtualNetworkGateways", IK_GATEWAY },
	{ "Microsoft.Network/connections", IK_CONNECTION },
	{ "Microsoft.Network/localNetworkGateways", IK_LOCAL_GATEWAY },
	{ "Microsoft.Network/virtualHubs", IK_HUB },
	{ "Microsoft.Network/virtualHubs/bgpConnections", IK_HUB_BGP },
	{ "Microsoft.Network/virtualHubs/ipConfigurations", IK_HUB_IPCONFIG },
	{ "Microsoft.Network/loadBalancers", IK_LB },
};

enum imp_kind imp_kind_of(const char *type)
{
	for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
		if (strcasecmp(type, KINDS[i].type) == 0)
			return KINDS[i].kind;
	return IK_OTHER;
}

cJSON *imp_ref_to(const char *id)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "id", id);
	return r;
}

/* The record id names, when it is of kind k. */
static struct imp_rec *find_kind(const struct imp *im, const char *id, enum imp_kind k)
{
	struct imp_rec *r = imp_find(im, id);
	return r && r->kind == k ? r : NULL;
}

/* Copies o.key (either shape) when it is of the type is(); a value of
 * another type is an error.  True when copied. */
static bool copy(struct imp *im, const struct imp_rec *r, cJSON *dst, const cJSON *o,
		 const char *key, cJSON_bool (*is)(const cJSON *), const char *want)
{
	const cJSON *v = imp_get(o, key);
	if (!v || cJSON_IsNull(v))
		return false;
	if (!is(v)) {
		imp_error(im, r, key, "expected %s", want);
		return false;
	}
	cJSON_AddItemToObject(dst, key, cJSON_Duplicate(v, true));
	return true;
}

#define COPY_STR(im, r, dst, o, key) copy(im, r, dst, o, key, cJSON_IsString, "a string")
#define COPY_BOOL(im, r, dst, o, key) copy(im, r, dst, o, key, cJSON_IsBool, "true or false")
#define COPY_NUM(im, r, dst, o, key) copy(im, r, dst, o, key, cJSON_IsNumber, "a number")

/* The IPv4 prefixes of the string array arr into a new array (IPv6 ones
 * noted: the model is IPv4); NULL after an error. */
static cJSON *ipv4_prefixes(struct imp *im, const struct imp_rec *r, const char *key,
			    const cJSON *arr)
{
	if (!cJSON_IsArray(arr)) {
		imp_error(im, r, key, "expected an array of prefixes");
		return NULL;
	}
	cJSON *out = cJSON_CreateArray();
	for (const cJSON *p = arr->child; p; p = p->next) {
		if (!cJSON_IsString(p)) {
			imp_error(im, r, key, "expected an array of prefixes");
			break;
		}
		if (strchr(p->valuestring, ':'))
			imp_note(im, "IPv6 prefixes: not modelled");
		else
			cJSON_AddItemToArray(out, cJSON_CreateString(p->valuestring));
	}
	return out;
}

/* The common head of a scenario object: name, id, location. */
static cJSON *head(struct imp *im, struct imp_rec *r)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", r->name);
	if (r->id)
		cJSON_AddStringToObject(x, "id", r->id);
	COPY_STR(im, r, x, r->o, "location");
	r->made = x;
	return x;
}

/* ---- route tables ------------------------------------------------------------- */

static void map_route(struct imp *im, struct imp_rec *r, cJSON *routes, const cJSON *ro)
{
	const char *name = imp_str(ro, "name"), *pfx = imp_str(ro, "addressPrefix");
	const char *nh = imp_str(ro, "nextHopType");
	if (!name || !pfx || !nh) {
		imp_error(im, r, "routes", "a route needs name, addressPrefix and nextHopType");
		return;
	}
	if (strchr(pfx, ':')) {
		imp_note(im, "IPv6 prefixes: not modelled");
		return;
	}
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", name);
	COPY_STR(im, r, x, ro, "id");
	cJSON_AddStringToObject(x, "addressPrefix", pfx);
	cJSON_AddStringToObject(x, "nextHopType", nh);
	if (strcmp(nh, "VirtualAppliance") == 0)
		COPY_STR(im, r, x, ro, "nextHopIpAddress");
	cJSON_AddItemToArray(routes, x);
}

static void map_route_table(struct imp *im, struct imp_rec *r)
{
	cJSON *x = head(im, r);
	COPY_BOOL(im, r, x, r->o, "disableBgpRoutePropagation");
	cJSON *routes = cJSON_AddArrayToObject(x, "routes");
	const cJSON *rs = imp_get(r->o, "routes");
	for (const cJSON *ro = cJSON_IsArray(rs) ? rs->child : NULL; ro; ro = ro->next)
		map_route(im, r, routes, ro);
	cJSON_AddItemToArray(imp_topo_array(im, "routeTables"), x);
}

/* ---- virtual networks ------------------------------------------------------------ */

static const char *const SERVICES[] = { "Microsoft.Storage", "Microsoft.Sql",
					"Microsoft.AzureCosmosDB", "Microsoft.KeyVault",
					"Microsoft.ServiceBus", "Microsoft.EventHub", "Microsoft.Web",
					"Microsoft.ContainerRegistry", NULL };

static void map_service_endpoints(struct imp *im, cJSON *x, const cJSON *so)
{
	const cJSON *eps = imp_get(so, "serviceEndpoints");
	cJSON *out = NULL;
	for (const cJSON *e = cJSON_IsArray(eps) ? eps->child : NULL; e; e = e->next) {
		const char *svc = imp_str(e, "service");
		bool known = false;
		for (const char *const *k = SERVICES; svc && *k && !known; k++)
			known = strcmp(*k, svc) == 0;
		if (!known) {
			imp_note(im, "service endpoints of services without a service tag mapping");
			continue;
		}
		if (!out)
			out = cJSON_AddArrayToObject(x, "serviceEndpoints");
		cJSON *ep = cJSON_CreateObject();
		cJSON_AddStringToObject(ep, "service", svc);
		cJSON_AddItemToArray(out, ep);
	}
}

/* A subnet's route table: its own reference, else a table listing it. */
static void map_subnet_route_table(struct imp *im, cJSON *x, const cJSON *so, const char *sid)
{
	const char *rt = imp_ref(so, "routeTable");
	if (!rt && sid)
		rt = strmap_get(im->subnet_rt, imp_lower(im, sid)); /* from a table's subnets */
	if (!rt)
		return;
	if (find_kind(im, rt, IK_ROUTE_TABLE))
		cJSON_AddItemToObject(x, "routeTable", imp_ref_to(rt));
	else
		imp_note(im, "subnets whose route table is not in the inputs: association dropped");
}

static void map_subnet(struct imp *im, struct imp_rec *r, cJSON *subs, const cJSON *so,
		       size_t i)
{
	const char *name = imp_str(so, "name");
	const char *at = arena_printf(im->a, "%s[%zu]", imp_get(r->o, "properties") ? "properties.subnets" : "subnets", i);
	if (!name) {
		imp_error(im, r, at, "a subnet without a name");
		return;
	}
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", name);
	const char *sid = imp_str(so, "id");
	if (sid)
		cJSON_AddStringToObject(x, "id", sid);
	const cJSON *one = imp_get(so, "addressPrefix"), *many = imp_get(so, "addressPrefixes");
	cJSON *pfx = cJSON_IsString(one) ? NULL
					 : ipv4_prefixes(im, r, arena_printf(im->a, "%s.addressPrefixes",
									     at), many);
	if (cJSON_IsString(one) && !strchr(one->valuestring, ':')) {
		cJSON_AddStringToObject(x, "addressPrefix", one->valuestring);
	} else if (cJSON_IsString(one) || !pfx || cJSON_GetArraySize(pfx) == 0) {
		cJSON_Delete(pfx);
		cJSON_Delete(x);
		imp_note(im, "subnets without an IPv4 prefix: not modelled");
		return;
	} else {
		cJSON_AddItemToObject(x, "addressPrefixes", pfx);
	}
	map_subnet_route_table(im, x, so, sid);
	map_service_endpoints(im, x, so);
	COPY_STR(im, r, x, so, "privateEndpointNetworkPolicies");
	if (imp_get(so, "networkSecurityGroup"))
		imp_note(im, "subnets with a network security group: NSG rules not modelled");
	if (imp_get(so, "natGateway"))
		imp_note(im, "subnets with a NAT gateway: not modelled");
	const char *full = sid ? sid : r->id ? arena_printf(im->a, "%s/subnets/%s", r->id, name)
					     : NULL;
	if (full)
		strmap_put(im->subnet_ids, imp_lower(im, full), x);
	cJSON_AddItemToArray(subs, x);
}

static void map_peering(struct imp *im, struct imp_rec *r, cJSON *peers, const cJSON *po)
{
	const char *name = imp_str(po, "name"), *remote = imp_ref(po, "remoteVirtualNetwork");
	if (!name || !remote) {
		imp_error(im, r, "virtualNetworkPeerings", "a peering needs name and remoteVirtualNetwork");
		return;
	}
	if (!find_kind(im, remote, IK_VNET)) {
		imp_note(im, "peerings to virtual networks not in the inputs: dropped");
		return;
	}
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", name);
	COPY_STR(im, r, x, po, "id");
	cJSON_AddItemToObject(x, "remoteVirtualNetwork", imp_ref_to(remote));
	COPY_BOOL(im, r, x, po, "allowVirtualNetworkAccess");
	COPY_BOOL(im, r, x, po, "allowForwardedTraffic");
	COPY_BOOL(im, r, x, po, "allowGatewayTransit");
	COPY_BOOL(im, r, x, po, "useRemoteGateways");
	cJSON_AddItemToArray(peers, x);
}

static void map_vnet(struct imp *im, struct imp_rec *r)
{
	cJSON *x = head(im, r);
	const cJSON *space = imp_get(r->o, "addressSpace");
	cJSON *pfx = ipv4_prefixes(im, r,
				   imp_get(r->o, "properties") ? "properties.addressSpace.addressPrefixes"
							       : "addressSpace.addressPrefixes",
				   imp_get(space, "addressPrefixes"));
	cJSON *as = cJSON_AddObjectToObject(x, "addressSpace");
	cJSON_AddItemToObject(as, "addressPrefixes", pfx ? pfx : cJSON_CreateArray());
	cJSON *subs = cJSON_AddArrayToObject(x, "subnets");
	const cJSON *so = imp_get(r->o, "subnets");
	size_t i = 0;
	for (so = cJSON_IsArray(so) ? so->child : NULL; so; so = so->next, i++)
		map_subnet(im, r, subs, so, i);
	if (imp_get(r->o, "dhcpOptions"))
		imp_note(im, "DHCP options (custom DNS servers): not modelled");
	cJSON_AddItemToArray(imp_topo_array(im, "virtualNetworks"), x);
}

/* Peerings once every VNet is indexed (a peering may name a later one). */
static void map_vnet_peerings(struct imp *im, struct imp_rec *r)
{
	const cJSON *po = imp_get(r->o, "virtualNetworkPeerings");
	if (!cJSON_IsArray(po) || !po->child)
		return;
	cJSON *peers = cJSON_AddArrayToObject(r->made, "virtualNetworkPeerings");
	for (po = po->child; po; po = po->next)
		map_peering(im, r, peers, po);
}

/* Route tables that list their subnets (Terraform-like state, some Graph
 * queries): subnet ID -> table ID, for subnets without a reference. */
static void index_table_subnets(struct imp *im, const struct imp_rec *r)
{
	const cJSON *subs = imp_get(r->o, "subnets");
	for (const cJSON *s = cJSON_IsArray(subs) ? subs->child : NULL; s && r->id; s = s->next) {
		const char *sid = imp_str(s, "id");
		const char *key = sid ? imp_lower(im, sid) : NULL;
		if (key)
			strmap_put(im->subnet_rt, key, arena_strdup(im->a, r->id));
	}
}

/* ---- interfaces ---------------------------------------------------------------- */

cJSON *imp_subnet(struct imp *im, const char *sid)
{
	const char *key = sid ? imp_lower(im, sid) : NULL;
	return key ? strmap_get(im->subnet_ids, key) : NULL;
}

/* The primary IPv4 configuration of a NIC (primary: true, else the first). */
static const cJSON *primary_ipconfig(struct imp *im, const cJSON *o)
{
	const cJSON *ipcs = imp_get(o, "ipConfigurations"), *first = NULL, *prim = NULL;
	for (const cJSON *c = cJSON_IsArray(ipcs) ? ipcs->child : NULL; c; c = c->next) {
		const char *ver = imp_str(c, "privateIPAddressVersion");
		if (ver && strcmp(ver, "IPv6") == 0)
			continue;
		if (!first)
			first = c;
		else
			imp_note(im, "secondary IP configurations: only the primary is modelled");
		if (cJSON_IsTrue(imp_get(c, "primary")))
			prim = c;
	}
	return prim ? prim : first;
}

static void map_nic(struct imp *im, struct imp_rec *r)
{
	if (imp_get(r->o, "privateEndpoint")) {
		imp_note(im, "network interfaces of private endpoints: the endpoint stands for them");
		return;
	}
	const cJSON *ipc = primary_ipconfig(im, r->o);
	const char *sid = imp_ref(ipc, "subnet");
	cJSON *sub = imp_subnet(im, sid);
	const char *sname = imp_str(sub, "name");
	if (!sub || !strcmp(sname, "GatewaySubnet") || !strcmp(sname, "RouteServerSubnet")) {
		imp_note(im, "network interfaces without a subnet of the inputs: dropped");
		return;
	}
	cJSON *x = head(im, r);
	cJSON_DeleteItemFromObjectCaseSensitive(x, "location");
	COPY_BOOL(im, r, x, r->o, "enableIPForwarding");
	cJSON *c = cJSON_CreateObject();
	COPY_STR(im, r, c, ipc, "name");
	cJSON_AddItemToObject(c, "subnet", imp_ref_to(sid));
	COPY_STR(im, r, c, ipc, "privateIPAddress");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(x, "ipConfigurations"), c);
	cJSON_AddItemToArray(imp_topo_array(im, "networkInterfaces"), x);
}

/* A private endpoint's address: its DNS configuration, its own IP
 * configurations, else its NIC's (when the NIC list was imported). */
static const char *pe_address(struct imp *im, const cJSON *o)
{
	const cJSON *dns = imp_get(o, "customDnsConfigs");
	const cJSON *ips = cJSON_IsArray(dns) && dns->child ? imp_get(dns->child, "ipAddresses") : NULL;
	if (cJSON_IsArray(ips) && cJSON_IsString(ips->child))
		return ips->child->valuestring;
	const cJSON *ipcs = imp_get(o, "ipConfigurations");
	const char *ip = cJSON_IsArray(ipcs) ? imp_str(ipcs->child, "privateIPAddress") : NULL;
	if (ip)
		return ip;
	const cJSON *nics = imp_get(o, "networkInterfaces");
	struct imp_rec *nic = cJSON_IsArray(nics) ? find_kind(im, imp_str(nics->child, "id"), IK_NIC)
						  : NULL;
	return nic ? imp_str(primary_ipconfig(im, nic->o), "privateIPAddress") : NULL;
}

static void map_pe(struct imp *im, struct imp_rec *r)
{
	const char *sid = imp_ref(r->o, "subnet");
	if (!imp_subnet(im, sid)) {
		imp_note(im, "private endpoints without a subnet of the inputs: dropped");
		return;
	}
	cJSON *x = head(im, r);
	cJSON_AddItemToObject(x, "subnet", imp_ref_to(sid));
	const char *ip = pe_address(im, r->o);
	if (ip)
		cJSON_AddStringToObject(x, "privateIPAddress", ip);
	cJSON_AddItemToArray(imp_topo_array(im, "privateEndpoints"), x);
}

/* ---- gateways and connections ------------------------------------------------------ */

/* The VNet ID of a subnet ID (".../virtualNetworks/v/subnets/s"), in the arena. */
static const char *vnet_of_subnet(struct imp *im, const char *sid)
{
	const char *cut = NULL;
	for (const char *p = sid; p && (p = strchr(p, '/')) != NULL; p++)
		if (strncasecmp(p, "/subnets/", 9) == 0)
			cut = p;
	return cut ? arena_printf(im->a, "%.*s", (int)(cut - sid), sid) : NULL;
}

static void map_bgp_settings(struct imp *im, struct imp_rec *r, cJSON *x)
{
	const cJSON *bs = imp_get(r->o, "bgpSettings");
	if (!cJSON_IsObject(bs))
		return;
	cJSON *out = cJSON_AddObjectToObject(x, "bgpSettings");
	COPY_NUM(im, r, out, bs, "asn");
	const cJSON *pas = imp_get(bs, "bgpPeeringAddresses");
	if (!cJSON_IsArray(pas) || !pas->child)
		return;
	cJSON *arr = cJSON_AddArrayToObject(out, "bgpPeeringAddresses");
	for (const cJSON *pa = pas->child; pa; pa = pa->next) {
		cJSON *e = cJSON_CreateObject();
		const cJSON *d = imp_get(pa, "defaultBgpIpAddresses");
		if (cJSON_IsArray(d))
			cJSON_AddItemToObject(e, "defaultBgpIpAddresses", cJSON_Duplicate(d, true));
		cJSON_AddItemToArray(arr, e);
	}
}

static void map_gateway(struct imp *im, struct imp_rec *r)
{
	const char *type = imp_str(r->o, "gatewayType");
	const cJSON *ipcs = imp_get(r->o, "ipConfigurations");
	const char *vnet = vnet_of_subnet(im, cJSON_IsArray(ipcs) ? imp_ref(ipcs->child, "subnet")
								   : NULL);
	if (!type || (strcmp(type, "Vpn") != 0 && strcmp(type, "ExpressRoute") != 0)) {
		imp_note(im, "gateways of a type other than Vpn or ExpressRoute: not modelled");
		return;
	}
	if (!vnet || !find_kind(im, vnet, IK_VNET)) {
		imp_note(im, "gateways whose virtual network is not in the inputs: dropped");
		return;
	}
	cJSON *x = head(im, r);
	cJSON_AddItemToObject(x, "virtualNetwork", imp_ref_to(vnet));
	cJSON_AddStringToObject(x, "gatewayType", type);
	COPY_STR(im, r, x, r->o, "vpnType");
	const char *sku = imp_str(imp_get(r->o, "sku"), "name");
	if (sku)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(x, "sku"), "name", sku);
	COPY_BOOL(im, r, x, r->o, "activeActive");
	COPY_BOOL(im, r, x, r->o, "enableBgp");
	map_bgp_settings(im, r, x);
	/* vnetsim export's own field; ARM has a reference to a public IP resource. */
	if (!COPY_STR(im, r, x, r->o, "publicIpAddress") && strcmp(type, "Vpn") == 0)
		imp_note(im, "VPN gateways' public IP addresses: not in the gateway object");
	cJSON_AddItemToArray(imp_topo_array(im, "virtualNetworkGateways"), x);
}

/* The remote side of a connection: a local network gateway's address
 * space and BGP peer, or the other gateway of a Vnet2Vnet connection. */
static void map_connection_peer(struct imp *im, struct imp_rec *r, cJSON *x, const char *type)
{
	struct imp_rec *lg = find_kind(im, imp_ref(r->o, "localNetworkGateway2"), IK_LOCAL_GATEWAY);
	struct imp_rec *g2 = find_kind(im, imp_ref(r->o, "virtualNetworkGateway2"), IK_GATEWAY);
	const cJSON *peer = lg ? lg->o : g2 ? g2->o : NULL;
	const cJSON *bs = imp_get(peer, "bgpSettings");
	if (cJSON_IsNumber(imp_get(bs, "asn")))
		cJSON_AddNumberToObject(x, "peerAsn", imp_get(bs, "asn")->valuedouble);
	const char *addr = imp_str(bs, "bgpPeeringAddress");
	if (addr && !strchr(addr, ','))
		cJSON_AddStringToObject(x, "peerBgpAddress", addr);
	const cJSON *las = imp_get(imp_get(peer, "localNetworkAddressSpace"), "addressPrefixes");
	if (lg && cJSON_IsArray(las))
		cJSON_AddItemToObject(x, "localNetworkAddressPrefixes",
				      ipv4_prefixes(im, lg, "localNetworkAddressSpace", las));
	if (!peer && strcmp(type, "ExpressRoute") != 0)
		imp_note(im, "connections whose local network gateway is not in the inputs: "
			     "remote side unknown");
}

static void map_connection(struct imp *im, struct imp_rec *r)
{
	const char *type = imp_str(r->o, "connectionType");
	const char *gw = imp_ref(r->o, "virtualNetworkGateway1");
	if (!type || (strcmp(type, "IPsec") && strcmp(type, "Vnet2Vnet") &&
		      strcmp(type, "ExpressRoute"))) {
		imp_note(im, "connections of a type other than IPsec, Vnet2Vnet or ExpressRoute: "
			     "not modelled");
		return;
	}
	struct imp_rec *g = find_kind(im, gw, IK_GATEWAY);
	if (!g || !g->made) {
		imp_note(im, "connections whose gateway is not in the inputs: dropped");
		return;
	}
	cJSON *x = head(im, r);
	cJSON_AddItemToObject(x, "virtualNetworkGateway", imp_ref_to(gw));
	cJSON_AddStringToObject(x, "connectionType", type);
	COPY_BOOL(im, r, x, r->o, "enableBgp");
	COPY_NUM(im, r, x, r->o, "routingWeight");
	map_connection_peer(im, r, x, type);
	/* Fields ARM has no place for, as vnetsim export writes them. */
	if (!cJSON_GetObjectItemCaseSensitive(x, "peerAsn"))
		COPY_NUM(im, r, x, r->o, "peerAsn");
	COPY_STR(im, r, x, r->o, "sku");
	bool nhs = copy(im, r, x, r->o, "nextHopIpAddresses", cJSON_IsArray, "an array");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "enableBgp")) &&
	    !cJSON_GetObjectItemCaseSensitive(x, "peerAsn") && strcmp(type, "ExpressRoute") != 0) {
		imp_note(im, "BGP connections without the peer's ASN: BGP turned off");
		cJSON_ReplaceItemInObjectCaseSensitive(x, "enableBgp", cJSON_CreateFalse());
	}
	if (strcmp(type, "ExpressRoute") == 0 && !nhs)
		imp_note(im, "ExpressRoute connections: the circuit's next hops are not in the inputs");
	cJSON_AddItemToArray(imp_topo_array(im, "connections"), x);
}

/* ---- load balancers (RULES 2, 1.11.2.7) -------------------------------------------- */

/* The NIC record an IP configuration ID (".../networkInterfaces/n/ipConfigurations/c")
 * or NIC ID names, when it was imported. */
static struct imp_rec *member_nic(struct imp *im, const char *ref)
{
	const char *cut = NULL;
	for (const char *p = ref; p && (p = strchr(p, '/')) != NULL; p++)
		if (strncasecmp(p, "/ipConfigurations/", 18) == 0)
			cut = p;
	const char *id = cut ? arena_printf(im->a, "%.*s", (int)(cut - ref), ref) : ref;
	struct imp_rec *n = id ? find_kind(im, id, IK_NIC) : NULL;
	return n && n->made ? n : NULL;
}

/* Adds NIC n to members once (seen: lower-case NIC IDs already there). */
static void add_member(struct imp *im, cJSON *members, struct strmap *seen, struct imp_rec *n)
{
	const char *key = imp_lower(im, n->id);
	if (!key || strmap_has(seen, key))
		return;
	strmap_put(seen, key, n);
	cJSON_AddItemToArray(members, imp_ref_to(n->id));
}

/* A pool's members: its own backendIPConfigurations (ARM's read-only list)
 * and every imported NIC whose IP configurations name the pool in
 * loadBalancerBackendAddressPools (where ARM sets the membership). */
static void map_pool_members(struct imp *im, cJSON *x, const cJSON *po)
{
	cJSON *members = cJSON_AddArrayToObject(x, "backendIPConfigurations");
	struct strmap *seen = strmap_create();
	if (!seen)
		return;
	const cJSON *bics = imp_get(po, "backendIPConfigurations");
	for (const cJSON *m = cJSON_IsArray(bics) ? bics->child : NULL; m; m = m->next) {
		const char *ref = imp_str(m, "id");
		struct imp_rec *n = ref ? member_nic(im, ref) : NULL;
		if (n)
			add_member(im, members, seen, n);
		else
			imp_note(im, "load balancer backends whose NIC is not in the inputs: dropped");
	}
	const char *pid = imp_str(po, "id");
	for (size_t i = 0; pid && i < im->nrecs; i++) {
		struct imp_rec *n = &im->recs[i];
		if (n->kind != IK_NIC || !n->made || !n->id)
			continue;
		const cJSON *ipcs = imp_get(n->o, "ipConfigurations");
		for (const cJSON *c = cJSON_IsArray(ipcs) ? ipcs->child : NULL; c; c = c->next) {
			const cJSON *ps = imp_get(c, "loadBalancerBackendAddressPools");
			for (const cJSON *q = cJSON_IsArray(ps) ? ps->child : NULL; q; q = q->next) {
				const char *qid = imp_str(q, "id");
				if (qid && strcasecmp(qid, pid) == 0)
					add_member(im, members, seen, n);
			}
		}
	}
	if (cJSON_IsArray(imp_get(po, "loadBalancerBackendAddresses")) &&
	    cJSON_GetArraySize(imp_get(po, "loadBalancerBackendAddresses")) > 0 &&
	    cJSON_GetArraySize(members) == 0)
		imp_note(im, "load balancer pools of IP addresses: not modelled");
	strmap_destroy(seen);
}

/* The private frontends whose subnet was imported; false when none. */
static bool map_frontends(struct imp *im, struct imp_rec *r, cJSON *x, struct strmap *kept)
{
	cJSON *out = cJSON_AddArrayToObject(x, "frontendIPConfigurations");
	const cJSON *fes = imp_get(r->o, "frontendIPConfigurations");
	for (const cJSON *fe = cJSON_IsArray(fes) ? fes->child : NULL; fe; fe = fe->next) {
		const char *name = imp_str(fe, "name"), *sid = imp_ref(fe, "subnet");
		const char *ip = imp_str(fe, "privateIPAddress");
		if (imp_get(fe, "publicIPAddress") || !sid) {
			imp_note(im, "public load balancer frontends: not modelled");
			continue;
		}
		if (!name || !ip || strchr(ip, ':') || !imp_subnet(im, sid)) {
			imp_note(im, "load balancer frontends without an IPv4 address in a subnet of "
				     "the inputs: dropped");
			continue;
		}
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "name", name);
		COPY_STR(im, r, f, fe, "id");
		cJSON_AddStringToObject(f, "privateIPAddress", ip);
		cJSON_AddItemToObject(f, "subnet", imp_ref_to(sid));
		cJSON_AddItemToArray(out, f);
		strmap_put(kept, name, f);
	}
	return cJSON_GetArraySize(out) > 0;
}

/* The rules whose frontend was kept (references as ARM gives them: IDs,
 * which the loader reads by their last name). */
static void map_lb_rules(struct imp *im, struct imp_rec *r, cJSON *x, struct strmap *kept)
{
	cJSON *out = cJSON_AddArrayToObject(x, "loadBalancingRules");
	const cJSON *rules = imp_get(r->o, "loadBalancingRules");
	for (const cJSON *ru = cJSON_IsArray(rules) ? rules->child : NULL; ru; ru = ru->next) {
		const char *fe = imp_ref(ru, "frontendIPConfiguration");
		const char *pool = imp_ref(ru, "backendAddressPool");
		const cJSON *pools = imp_get(ru, "backendAddressPools");
		if (!pool && cJSON_IsArray(pools))
			pool = imp_str(pools->child, "id");
		const char *fname = fe && strrchr(fe, '/') ? strrchr(fe, '/') + 1 : fe;
		if (!fname || !strmap_has(kept, fname) || !pool) {
			imp_note(im, "load balancing rules of a frontend or pool not modelled: dropped");
			continue;
		}
		cJSON *y = cJSON_CreateObject();
		COPY_STR(im, r, y, ru, "name");
		cJSON_AddItemToObject(y, "frontendIPConfiguration", imp_ref_to(fe));
		cJSON_AddItemToObject(y, "backendAddressPool", imp_ref_to(pool));
		COPY_STR(im, r, y, ru, "protocol");
		COPY_NUM(im, r, y, ru, "frontendPort");
		COPY_NUM(im, r, y, ru, "backendPort");
		cJSON_AddItemToArray(out, y);
	}
}

static void map_lb(struct imp *im, struct imp_rec *r)
{
	const char *sku = imp_str(imp_get(r->o, "sku"), "name");
	if (sku && strcmp(sku, "Standard") != 0 && strcmp(sku, "Basic") != 0) {
		imp_note(im, "load balancers of SKU Gateway: not modelled");
		return;
	}
	struct strmap *kept = strmap_create();
	cJSON *x = kept ? cJSON_CreateObject() : NULL;
	if (!x) {
		strmap_destroy(kept);
		return;
	}
	cJSON_AddStringToObject(x, "name", r->name);
	if (r->id)
		cJSON_AddStringToObject(x, "id", r->id);
	COPY_STR(im, r, x, r->o, "location");
	if (sku)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(x, "sku"), "name", sku);
	if (!map_frontends(im, r, x, kept)) {
		imp_note(im, "load balancers without a private frontend in the inputs (public load "
			     "balancers): not modelled");
		cJSON_Delete(x);
		strmap_destroy(kept);
		return;
	}
	cJSON *pools = cJSON_AddArrayToObject(x, "backendAddressPools");
	const cJSON *ps = imp_get(r->o, "backendAddressPools");
	for (const cJSON *po = cJSON_IsArray(ps) ? ps->child : NULL; po; po = po->next) {
		cJSON *y = cJSON_CreateObject();
		COPY_STR(im, r, y, po, "name");
		COPY_STR(im, r, y, po, "id");
		map_pool_members(im, y, po);
		cJSON_AddItemToArray(pools, y);
	}
	map_lb_rules(im, r, x, kept);
	if (cJSON_GetArraySize(imp_get(r->o, "inboundNatRules")) > 0 ||
	    cJSON_GetArraySize(imp_get(r->o, "outboundRules")) > 0)
		imp_note(im, "load balancer NAT and outbound rules: not modelled");
	r->made = x;
	cJSON_AddItemToArray(imp_topo_array(im, "loadBalancers"), x);
	strmap_destroy(kept);
}

/* ---- the map ----------------------------------------------------------------------- */

void imp_map(struct imp *im)
{
	for (size_t i = 0; i < im->nrecs; i++)
		if (im->recs[i].kind == IK_ROUTE_TABLE)
			index_table_subnets(im, &im->recs[i]);
	static void (*const PASSES[])(struct imp *, struct imp_rec *) = {
		[IK_ROUTE_TABLE] = map_route_table, [IK_VNET] = map_vnet, [IK_NIC] = map_nic,
		[IK_PE] = map_pe, [IK_GATEWAY] = map_gateway, [IK_CONNECTION] = map_connection,
		[IK_LB] = map_lb,
	};
	static const enum imp_kind ORDER[] = { IK_ROUTE_TABLE, IK_VNET, IK_NIC, IK_PE, IK_GATEWAY,
					       IK_CONNECTION, IK_LB };
	for (size_t k = 0; k < sizeof(ORDER) / sizeof(ORDER[0]); k++) {
		for (size_t i = 0; i < im->nrecs; i++)
			if (im->recs[i].kind == ORDER[k])
				PASSES[ORDER[k]](im, &im->recs[i]);
		if (ORDER[k] == IK_VNET)
			for (size_t i = 0; i < im->nrecs; i++)
				if (im->recs[i].kind == IK_VNET)
					map_vnet_peerings(im, &im->recs[i]);
	}
	imp_map_route_servers(im); /* local network gateways are read through connections */
}
