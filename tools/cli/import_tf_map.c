/*
 * import_tf_map.c - azurerm resources of a Terraform plan or state as
 * ARM-shaped objects (az's flattened shape), recorded for import_map.c.
 * See import_tf.h and README "Importing an Azure estate".
 *
 * Top-level resources (VNets, route tables, NICs, gateways, connections,
 * local network gateways, Route Servers and their BGP connections, private
 * endpoints) become records in document order; subnets, routes and peerings
 * given as resources of their own join their parent's object (replacing an
 * inline block of the same name: a provider lists them there too), then
 * route table associations set their subnet's routeTable.  Attribute names
 * of both azurerm 3.x and 4.x are read (enable_ip_forwarding /
 * ip_forwarding_enabled, disable_bgp_route_propagation /
 * bgp_route_propagation_enabled, a subnet's address_prefix /
 * address_prefixes).  Every other resource type is counted in a note.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "import_int.h"
#include "import_tf.h"
#include "strmap.h"

/* ---- values -------------------------------------------------------------------------- */

static const cJSON *val(const struct tf_at *at, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(at->val, key);
	return cJSON_IsNull(v) ? NULL : v;
}

static void bad(struct tf *t, const struct tf_at *at, const char *key, const char *want)
{
	imp_error_at(t->im, t->file, arena_printf(t->im->a, "%s.%s", at->path, key), "expected %s",
		     want);
}

/* at.key (a string, known or resolved) as dst.arm; true when put. */
static bool put_str(struct tf *t, const struct tf_res *r, const struct tf_at *at, cJSON *dst,
		    const char *key, const char *arm)
{
	const char *s = tf_str(t, r, at, key);
	if (s && *s)
		cJSON_AddStringToObject(dst, arm, s);
	return s && *s;
}

/* at.key as {"id": ...} in dst.arm; an unresolved value is named in a note. */
static bool put_ref(struct tf *t, const struct tf_res *r, const struct tf_at *at, cJSON *dst,
		    const char *key, const char *arm)
{
	const char *s = tf_str(t, r, at, key);
	if (s && *s) {
		cJSON_AddItemToObject(dst, arm, imp_ref_to(s));
		return true;
	}
	if (tf_unknown(at, key))
		imp_note(t->im, "%s.%s: known only after apply, not resolved: reference left out",
			 r->address, key);
	return false;
}

static bool put_bool(struct tf *t, const struct tf_at *at, cJSON *dst, const char *key,
		     const char *arm, bool invert)
{
	const cJSON *v = val(at, key);
	if (v && !cJSON_IsBool(v))
		bad(t, at, key, "true or false");
	else if (v)
		cJSON_AddBoolToObject(dst, arm, cJSON_IsTrue(v) != invert);
	return cJSON_IsBool(v);
}

/* The provider's name of a boolean in one version, else in the other
 * (inverted where the meaning flipped with the name). */
static void put_bool_either(struct tf *t, const struct tf_at *at, cJSON *dst, const char *arm,
			    const char *k1, bool inv1, const char *k2, bool inv2)
{
	if (!put_bool(t, at, dst, k1, arm, inv1))
		put_bool(t, at, dst, k2, arm, inv2);
}

static bool put_num(struct tf *t, const struct tf_at *at, cJSON *dst, const char *key,
		    const char *arm)
{
	const cJSON *v = val(at, key);
	if (v && !cJSON_IsNumber(v))
		bad(t, at, key, "a number");
	else if (v)
		cJSON_AddNumberToObject(dst, arm, v->valuedouble);
	return cJSON_IsNumber(v);
}

/* at.key, a list of strings, copied; NULL when absent or after an error. */
static cJSON *str_list(struct tf *t, const struct tf_at *at, const char *key)
{
	const cJSON *v = val(at, key), *e;
	if (!v)
		return NULL;
	cJSON_ArrayForEach(e, (cJSON_IsArray(v) ? v : NULL))
	if (!cJSON_IsString(e))
		v = NULL;
	if (!cJSON_IsArray(v)) {
		bad(t, at, key, "a list of strings");
		return NULL;
	}
	return cJSON_Duplicate(v, true);
}

/* ---- objects --------------------------------------------------------------------------- */

/* A new ARM-shaped object of r: type, name, id, location (as ARM writes
 * it: "West Europe" is westeurope).  Owned by im->tf_made. */
static cJSON *object(struct tf *t, struct tf_res *r, const struct tf_at *top, const char *type)
{
	const char *name = tf_str(t, r, top, "name"), *id = tf_id(t, r);
	if (!name && id && tf_unknown(top, "name")) /* the placeholder ID's name (a note says so) */
		name = strrchr(id, '/') + 1;
	if (!name || !*name) {
		if (!val(top, "name"))
			imp_error_at(t->im, t->file, arena_printf(t->im->a, "%s.name", top->path),
				     "missing: every resource has a name");
		return NULL;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToArray(t->im->tf_made, o);
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "name", name);
	if (id)
		cJSON_AddStringToObject(o, "id", id);
	const char *loc = tf_str(t, r, top, "location");
	if (loc) {
		char *l = arena_strdup(t->im->a, loc), *w = l;
		for (const char *p = loc; l && *p; p++)
			if (*p != ' ')
				*w++ = (char)tolower((unsigned char)*p);
		if (l) {
			*w = '\0';
			cJSON_AddStringToObject(o, "location", l);
		}
	}
	return o;
}

/* The top level of r into top, and r's object (NULL after an error). */
static cJSON *begin(struct tf *t, struct tf_res *r, struct tf_at *top, const char *type)
{
	*top = tf_top(t, r);
	return object(t, r, top, type);
}

static void record(struct tf *t, const struct tf_res *r, cJSON *o)
{
	if (o)
		imp_add_record(t->im, t->file, r->where, o);
}

/* Remembers o under the lower-case id (parents for the resources that join them). */
static void remember(struct tf *t, const char *id, cJSON *o)
{
	const char *key = id ? imp_lower(t->im, id) : NULL;
	if (key)
		strmap_put(t->made, key, o);
}

static cJSON *made(struct tf *t, const char *id)
{
	const char *key = id ? imp_lower(t->im, id) : NULL;
	return key ? strmap_get(t->made, key) : NULL;
}

/* The parent ID of a child ID: what comes before the last "/<seg>/". */
static const char *parent_id(struct tf *t, const char *id, const char *seg)
{
	const char *cut = NULL;
	size_t n = strlen(seg);
	for (const char *p = id; p && (p = strchr(p, '/')) != NULL; p++)
		if (strncasecmp(p + 1, seg, n) == 0 && p[1 + n] == '/')
			cut = p;
	return cut ? arena_strndup(t->im->a, id, (size_t)(cut - id)) : NULL;
}

/* Puts x into arr; an element of the same name (any case) takes x's
 * members in place instead, and x is freed.  Returns the element that
 * holds them: the one to remember, since IDs remembered for the replaced
 * element keep pointing at it (made() must never return freed memory). */
static cJSON *put_named(cJSON *arr, cJSON *x)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "name"));
	cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name"));
		if (n && name && strcasecmp(n, name) == 0) {
			while (e->child)
				cJSON_DeleteItemFromArray(e, 0);
			while (x->child)
				cJSON_AddItemToArray(e, cJSON_DetachItemFromArray(x, 0));
			cJSON_Delete(x);
			return e;
		}
	}
	cJSON_AddItemToArray(arr, x);
	return x;
}

/* A new object at the end of arr. */
static cJSON *push_obj(cJSON *arr)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToArray(arr, o);
	return o;
}

static cJSON *array_of(cJSON *o, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	return a ? a : cJSON_AddArrayToObject(o, key);
}

/* ---- virtual networks, subnets, peerings --------------------------------------------- */

/* A subnet (inline block or resource) at `at`, whose ID is id. */
static cJSON *subnet(struct tf *t, const struct tf_res *r, const struct tf_at *at, const char *id)
{
	const char *name = tf_str(t, r, at, "name");
	if (!name) {
		bad(t, at, "name", "a subnet name");
		return NULL;
	}
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", name);
	if (id)
		cJSON_AddStringToObject(x, "id", id);
	cJSON *pfx = str_list(t, at, "address_prefixes");
	if (pfx && cJSON_GetArraySize(pfx) == 1)
		cJSON_AddStringToObject(x, "addressPrefix", pfx->child->valuestring);
	else if (pfx)
		cJSON_AddItemToObject(x, "addressPrefixes", pfx);
	if (pfx && cJSON_GetArraySize(pfx) == 1)
		cJSON_Delete(pfx);
	if (!pfx)
		put_str(t, r, at, x, "address_prefix", "addressPrefix");
	put_ref(t, r, at, x, "route_table_id", "routeTable");
	const char *nsg = tf_str(t, r, at, "security_group");
	if (nsg && *nsg)
		cJSON_AddItemToObject(x, "networkSecurityGroup", imp_ref_to(nsg));
	cJSON *svc = str_list(t, at, "service_endpoints"), *e;
	if (svc && svc->child) {
		cJSON *eps = cJSON_AddArrayToObject(x, "serviceEndpoints");
		cJSON_ArrayForEach(e, svc)
		cJSON_AddStringToObject(push_obj(eps), "service", e->valuestring);
	}
	cJSON_Delete(svc);
	if (!put_str(t, r, at, x, "private_endpoint_network_policies", "privateEndpointNetworkPolicies")) {
		const cJSON *en = val(at, "private_endpoint_network_policies_enabled");
		if (cJSON_IsBool(en))
			cJSON_AddStringToObject(x, "privateEndpointNetworkPolicies",
						cJSON_IsTrue(en) ? "Enabled" : "Disabled");
	}
	return x;
}

static void map_vnet(struct tf *t, struct tf_res *r)
{
	struct tf_at top, b;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/virtualNetworks");
	if (!o)
		return;
	cJSON *space = str_list(t, &top, "address_space");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "addressSpace"), "addressPrefixes",
			      space ? space : cJSON_CreateArray());
	const cJSON *dns = val(&top, "dns_servers");
	if (cJSON_GetArraySize(dns) > 0)
		cJSON_AddItemToObject(o, "dhcpOptions", cJSON_CreateObject());
	cJSON *subs = cJSON_AddArrayToObject(o, "subnets");
	const char *vid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
	remember(t, vid, o);
	for (size_t i = 0; tf_block(t, &top, "subnet", i, &b); i++) {
		const char *sid = tf_str(t, r, &b, "id"), *name = tf_str(t, r, &b, "name");
		if (!sid && vid && name)
			sid = arena_printf(t->im->a, "%s/subnets/%s", vid, name);
		cJSON *x = subnet(t, r, &b, sid);
		if (x)
			remember(t, sid, put_named(subs, x));
	}
	record(t, r, o);
}

/* A resource that joins its parent's object (subnet, route, peering):
 * the parent of its ID at segment seg, in array key. */
static cJSON *join(struct tf *t, struct tf_res *r, const char *seg, const char *key, cJSON *x,
		   const char *what)
{
	const char *id = tf_id(t, r);
	cJSON *parent = id ? made(t, parent_id(t, id, seg)) : NULL;
	if (!parent) {
		imp_note(t->im, "%s whose parent is not in the inputs: dropped", what);
		cJSON_Delete(x);
		return NULL;
	}
	return put_named(array_of(parent, key), x);
}

static void map_subnet(struct tf *t, struct tf_res *r)
{
	struct tf_at top = tf_top(t, r);
	const char *id = tf_id(t, r);
	cJSON *x = subnet(t, r, &top, id);
	if (x && (x = join(t, r, "subnets", "subnets", x, "Terraform subnets")) != NULL)
		remember(t, id, x);
}

static void map_peering(struct tf *t, struct tf_res *r)
{
	struct tf_at top = tf_top(t, r);
	cJSON *x = cJSON_CreateObject();
	if (!put_str(t, r, &top, x, "name", "name"))
		bad(t, &top, "name", "a peering name");
	if (tf_id(t, r))
		cJSON_AddStringToObject(x, "id", tf_id(t, r));
	bool remote = put_ref(t, r, &top, x, "remote_virtual_network_id", "remoteVirtualNetwork");
	put_bool(t, &top, x, "allow_virtual_network_access", "allowVirtualNetworkAccess", false);
	put_bool(t, &top, x, "allow_forwarded_traffic", "allowForwardedTraffic", false);
	put_bool(t, &top, x, "allow_gateway_transit", "allowGatewayTransit", false);
	put_bool(t, &top, x, "use_remote_gateways", "useRemoteGateways", false);
	if (!remote || !cJSON_GetObjectItemCaseSensitive(x, "name")) {
		imp_note(t->im, "Terraform peerings without a remote network or name: dropped");
		cJSON_Delete(x);
		return;
	}
	join(t, r, "virtualNetworkPeerings", "virtualNetworkPeerings", x, "Terraform peerings");
}

/* ---- route tables ------------------------------------------------------------------------ */

static cJSON *route(struct tf *t, const struct tf_res *r, const struct tf_at *at, const char *id)
{
	cJSON *x = cJSON_CreateObject();
	bool ok = put_str(t, r, at, x, "name", "name");
	if (id)
		cJSON_AddStringToObject(x, "id", id);
	ok = put_str(t, r, at, x, "address_prefix", "addressPrefix") && ok;
	ok = put_str(t, r, at, x, "next_hop_type", "nextHopType") && ok;
	const char *nh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "nextHopType"));
	if (!put_str(t, r, at, x, "next_hop_in_ip_address", "nextHopIpAddress") && nh &&
	    strcmp(nh, "VirtualAppliance") == 0 && tf_unknown(at, "next_hop_in_ip_address")) {
		imp_note(t->im, "%s: next_hop_in_ip_address known only after apply, not resolved: "
				"route dropped", r->address);
		cJSON_Delete(x);
		return NULL;
	}
	if (!ok) {
		imp_error_at(t->im, t->file, at->path,
			     "a route needs name, address_prefix and next_hop_type");
		cJSON_Delete(x);
		return NULL;
	}
	return x;
}

static void map_route_table(struct tf *t, struct tf_res *r)
{
	struct tf_at top, b;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/routeTables");
	if (!o)
		return;
	put_bool_either(t, &top, o, "disableBgpRoutePropagation", "disable_bgp_route_propagation", false,
			"bgp_route_propagation_enabled", true);
	const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
	cJSON *routes = cJSON_AddArrayToObject(o, "routes");
	for (size_t i = 0; tf_block(t, &top, "route", i, &b); i++) {
		const char *name = tf_str(t, r, &b, "name");
		cJSON *x = route(t, r, &b, rid && name ? arena_printf(t->im->a, "%s/routes/%s", rid, name)
						       : NULL);
		if (x)
			put_named(routes, x);
	}
	remember(t, rid, o);
	record(t, r, o);
}

static void map_route(struct tf *t, struct tf_res *r)
{
	struct tf_at top = tf_top(t, r);
	cJSON *x = route(t, r, &top, tf_id(t, r));
	if (x)
		join(t, r, "routes", "routes", x, "Terraform routes");
}

static void map_association(struct tf *t, struct tf_res *r)
{
	struct tf_at top = tf_top(t, r);
	const char *sid = tf_str(t, r, &top, "subnet_id");
	cJSON *sub = made(t, sid);
	cJSON *ref = cJSON_CreateObject();
	if (!sub || !put_ref(t, r, &top, ref, "route_table_id", "routeTable")) {
		imp_note(t->im, "route table associations whose subnet or table is not in the inputs: "
				"dropped");
		cJSON_Delete(ref);
		return;
	}
	cJSON *rt = cJSON_DetachItemFromObjectCaseSensitive(ref, "routeTable");
	cJSON_Delete(ref);
	if (cJSON_GetObjectItemCaseSensitive(sub, "routeTable"))
		cJSON_ReplaceItemInObjectCaseSensitive(sub, "routeTable", rt);
	else
		cJSON_AddItemToObject(sub, "routeTable", rt);
}

/* ---- interfaces and private endpoints -------------------------------------------------------- */

static void map_nic(struct tf *t, struct tf_res *r)
{
	struct tf_at top, b;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/networkInterfaces");
	if (!o)
		return;
	put_bool_either(t, &top, o, "enableIPForwarding", "ip_forwarding_enabled", false,
			"enable_ip_forwarding", false);
	cJSON *ipcs = cJSON_AddArrayToObject(o, "ipConfigurations");
	for (size_t i = 0; tf_block(t, &top, "ip_configuration", i, &b); i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddItemToArray(ipcs, c);
		put_str(t, r, &b, c, "name", "name");
		put_ref(t, r, &b, c, "subnet_id", "subnet");
		if (!put_str(t, r, &b, c, "private_ip_address", "privateIPAddress") &&
		    tf_unknown(&b, "private_ip_address"))
			imp_note(t->im, "private IP addresses known only after apply (Dynamic): "
					"vnetsim hands out addresses from .4 upward");
		put_str(t, r, &b, c, "private_ip_address_version", "privateIPAddressVersion");
		put_bool(t, &b, c, "primary", "primary", false);
	}
	record(t, r, o);
}

static void map_pe(struct tf *t, struct tf_res *r)
{
	struct tf_at top, b;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/privateEndpoints");
	if (!o)
		return;
	put_ref(t, r, &top, o, "subnet_id", "subnet");
	cJSON *ipcs = cJSON_AddArrayToObject(o, "ipConfigurations");
	for (size_t i = 0; tf_block(t, &top, "ip_configuration", i, &b); i++)
		put_str(t, r, &b, push_obj(ipcs), "private_ip_address",
			"privateIPAddress");
	for (size_t i = 0; !ipcs->child && tf_block(t, &top, "private_service_connection", i, &b); i++)
		put_str(t, r, &b, push_obj(ipcs), "private_ip_address",
			"privateIPAddress");
	cJSON *dns = cJSON_AddArrayToObject(o, "customDnsConfigs");
	for (size_t i = 0; tf_block(t, &top, "custom_dns_configs", i, &b); i++) {
		cJSON *ips = str_list(t, &b, "ip_addresses");
		if (ips)
			cJSON_AddItemToObject(push_obj(dns), "ipAddresses", ips);
	}
	cJSON *nics = cJSON_AddArrayToObject(o, "networkInterfaces");
	for (size_t i = 0; tf_block(t, &top, "network_interface", i, &b); i++)
		put_str(t, r, &b, push_obj(nics), "id", "id");
	record(t, r, o);
}

/* ---- gateways, connections, Route Servers ------------------------------------------------------ */

static void gateway_bgp(struct tf *t, struct tf_res *r, const struct tf_at *top, cJSON *o)
{
	struct tf_at bs, pa;
	if (!tf_block(t, top, "bgp_settings", 0, &bs))
		return;
	cJSON *x = cJSON_AddObjectToObject(o, "bgpSettings");
	put_num(t, &bs, x, "asn", "asn");
	put_str(t, r, &bs, x, "peering_address", "bgpPeeringAddress"); /* azurerm 2.x */
	cJSON *arr = NULL;
	for (size_t i = 0; tf_block(t, &bs, "peering_addresses", i, &pa); i++) {
		cJSON *d = str_list(t, &pa, "default_addresses");
		if (!arr)
			arr = cJSON_AddArrayToObject(x, "bgpPeeringAddresses");
		cJSON *e = push_obj(arr);
		if (d)
			cJSON_AddItemToObject(e, "defaultBgpIpAddresses", d);
	}
}

static void map_gateway(struct tf *t, struct tf_res *r)
{
	struct tf_at top, b;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/virtualNetworkGateways");
	if (!o)
		return;
	put_str(t, r, &top, o, "type", "gatewayType");
	put_str(t, r, &top, o, "vpn_type", "vpnType");
	const char *sku = tf_str(t, r, &top, "sku");
	if (sku)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "sku"), "name", sku);
	put_bool(t, &top, o, "active_active", "activeActive", false);
	put_bool_either(t, &top, o, "enableBgp", "enable_bgp", false, "bgp_enabled", false);
	gateway_bgp(t, r, &top, o);
	cJSON *ipcs = cJSON_AddArrayToObject(o, "ipConfigurations");
	for (size_t i = 0; tf_block(t, &top, "ip_configuration", i, &b); i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddItemToArray(ipcs, c);
		put_ref(t, r, &b, c, "subnet_id", "subnet");
		/* The address of the public IP resource, when the inputs hold it. */
		struct tf_res *pip = tf_find_id(t, "azurerm_public_ip",
						tf_str(t, r, &b, "public_ip_address_id"));
		const char *addr = pip ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
						 pip->values, "ip_address"))
				       : NULL;
		if (addr && *addr && !cJSON_GetObjectItemCaseSensitive(o, "publicIpAddress"))
			cJSON_AddStringToObject(o, "publicIpAddress", addr);
	}
	record(t, r, o);
}

static void map_connection(struct tf *t, struct tf_res *r)
{
	struct tf_at top;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/connections");
	if (!o)
		return;
	put_str(t, r, &top, o, "type", "connectionType");
	put_ref(t, r, &top, o, "virtual_network_gateway_id", "virtualNetworkGateway1");
	put_ref(t, r, &top, o, "local_network_gateway_id", "localNetworkGateway2");
	put_ref(t, r, &top, o, "peer_virtual_network_gateway_id", "virtualNetworkGateway2");
	put_bool_either(t, &top, o, "enableBgp", "enable_bgp", false, "bgp_enabled", false);
	put_num(t, &top, o, "routing_weight", "routingWeight");
	record(t, r, o);
}

static void map_local_gateway(struct tf *t, struct tf_res *r)
{
	struct tf_at top, bs;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/localNetworkGateways");
	if (!o)
		return;
	put_str(t, r, &top, o, "gateway_address", "gatewayIpAddress");
	cJSON *space = str_list(t, &top, "address_space");
	if (space)
		cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "localNetworkAddressSpace"),
				      "addressPrefixes", space);
	if (tf_block(t, &top, "bgp_settings", 0, &bs)) {
		cJSON *x = cJSON_AddObjectToObject(o, "bgpSettings");
		put_num(t, &bs, x, "asn", "asn");
		put_str(t, r, &bs, x, "bgp_peering_address", "bgpPeeringAddress");
	}
	record(t, r, o);
}

static void map_route_server(struct tf *t, struct tf_res *r)
{
	struct tf_at top;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/virtualHubs");
	if (!o)
		return;
	cJSON *c = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "ipConfigurations"), c);
	put_ref(t, r, &top, c, "subnet_id", "subnet");
	cJSON *ips = str_list(t, &top, "virtual_router_ips");
	if (ips)
		cJSON_AddItemToObject(o, "virtualRouterIps", ips);
	else if (tf_unknown(&top, "virtual_router_ips"))
		imp_note(t->im, "Route Server addresses known only after apply: left to vnetsim");
	put_num(t, &top, o, "virtual_router_asn", "virtualRouterAsn");
	put_bool(t, &top, o, "branch_to_branch_traffic_enabled", "allowBranchToBranchTraffic", false);
	put_str(t, r, &top, o, "hub_routing_preference", "hubRoutingPreference");
	record(t, r, o);
}

static void map_bgp_connection(struct tf *t, struct tf_res *r)
{
	struct tf_at top;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/virtualHubs/bgpConnections");
	if (!o)
		return;
	if (!put_str(t, r, &top, o, "peer_ip", "peerIp") || !put_num(t, &top, o, "peer_asn", "peerAsn")) {
		/* e.g. an NVA's dynamic address, known only after apply */
		imp_note(t->im, "%s: peer_ip or peer_asn not known: BGP connection dropped", r->address);
		return;
	}
	record(t, r, o);
}

/* ---- load balancers (RULES 2, 1.11.2.7) ----------------------------------------------------------- */

static void map_lb(struct tf *t, struct tf_res *r)
{
	struct tf_at top, b;
	cJSON *o = begin(t, r, &top, "Microsoft.Network/loadBalancers");
	if (!o)
		return;
	const char *sku = tf_str(t, r, &top, "sku");
	if (sku && *sku)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "sku"), "name", sku);
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
	cJSON *fes = cJSON_AddArrayToObject(o, "frontendIPConfigurations");
	for (size_t i = 0; tf_block(t, &top, "frontend_ip_configuration", i, &b); i++) {
		cJSON *c = push_obj(fes);
		put_str(t, r, &b, c, "name", "name");
		const char *name = tf_str(t, r, &b, "name");
		if (!put_str(t, r, &b, c, "id", "id") && id && name)
			cJSON_AddStringToObject(
				c, "id", arena_printf(t->im->a, "%s/frontendIPConfigurations/%s", id, name));
		put_ref(t, r, &b, c, "subnet_id", "subnet");
		if (!put_str(t, r, &b, c, "private_ip_address", "privateIPAddress") &&
		    tf_unknown(&b, "private_ip_address"))
			imp_note(t->im, "load balancer frontend addresses known only after apply "
					"(Dynamic): frontend dropped");
		put_ref(t, r, &b, c, "public_ip_address_id", "publicIPAddress");
	}
	cJSON_AddArrayToObject(o, "backendAddressPools");
	cJSON_AddArrayToObject(o, "loadBalancingRules");
	remember(t, id, o);
	record(t, r, o);
}

/* A pool joins its load balancer, listing the IP configurations the
 * provider reports (associations add theirs). */
static void map_lb_pool(struct tf *t, struct tf_res *r)
{
	struct tf_at top = tf_top(t, r);
	cJSON *x = cJSON_CreateObject();
	if (!put_str(t, r, &top, x, "name", "name"))
		bad(t, &top, "name", "a backend address pool name");
	const char *id = tf_id(t, r);
	if (id)
		cJSON_AddStringToObject(x, "id", id);
	cJSON *members = cJSON_AddArrayToObject(x, "backendIPConfigurations");
	cJSON *ipcs = str_list(t, &top, "backend_ip_configurations"), *e;
	cJSON_ArrayForEach(e, ipcs)
	cJSON_AddItemToArray(members, imp_ref_to(e->valuestring));
	cJSON_Delete(ipcs);
	if ((x = join(t, r, "backendAddressPools", "backendAddressPools", x,
		      "Terraform load balancer pools")) != NULL)
		remember(t, id, x);
}

static void map_lb_rule(struct tf *t, struct tf_res *r)
{
	struct tf_at top = tf_top(t, r);
	cJSON *x = cJSON_CreateObject();
	if (!put_str(t, r, &top, x, "name", "name"))
		bad(t, &top, "name", "a load balancing rule name");
	const char *lb = tf_str(t, r, &top, "loadbalancer_id");
	const char *fe = tf_str(t, r, &top, "frontend_ip_configuration_name");
	/* The frontend by name under the load balancer (known in a plan where
	 * frontend_ip_configuration_id is not), else by its ID. */
	if (lb && fe)
		cJSON_AddItemToObject(x, "frontendIPConfiguration",
				      imp_ref_to(arena_printf(t->im->a,
							      "%s/frontendIPConfigurations/%s", lb,
							      fe)));
	else
		put_ref(t, r, &top, x, "frontend_ip_configuration_id", "frontendIPConfiguration");
	cJSON *pools = str_list(t, &top, "backend_address_pool_ids");
	if (cJSON_GetArraySize(pools) > 0)
		cJSON_AddItemToObject(x, "backendAddressPool", imp_ref_to(pools->child->valuestring));
	else if (!pools && tf_unknown(&top, "backend_address_pool_ids"))
		/* [azurerm_lb_backend_address_pool.p.id] in a plan: its first reference */
		put_ref(t, r, &top, x, "backend_address_pool_ids", "backendAddressPool");
	cJSON_Delete(pools);
	put_str(t, r, &top, x, "protocol", "protocol");
	put_num(t, &top, x, "frontend_port", "frontendPort");
	put_num(t, &top, x, "backend_port", "backendPort");
	join(t, r, "loadBalancingRules", "loadBalancingRules", x, "Terraform load balancing rules");
}

/* A NIC's IP configuration joins a pool: the membership ARM keeps on the NIC. */
static void map_lb_association(struct tf *t, struct tf_res *r)
{
	struct tf_at top = tf_top(t, r);
	const char *nic = tf_str(t, r, &top, "network_interface_id");
	const char *ipc = tf_str(t, r, &top, "ip_configuration_name");
	cJSON *pool = made(t, tf_str(t, r, &top, "backend_address_pool_id"));
	if (!pool || !nic || !ipc) {
		imp_note(t->im, "backend pool associations whose pool or NIC is not in the inputs: "
				"dropped");
		return;
	}
	cJSON_AddItemToArray(array_of(pool, "backendIPConfigurations"),
			     imp_ref_to(arena_printf(t->im->a, "%s/ipConfigurations/%s", nic, ipc)));
}

static void map_lb_probe(struct tf *t, struct tf_res *r)
{
	(void)r;
	imp_note(t->im, "azurerm_lb_probe: not read (a backend is healthy while its VM is up)");
}

/* ---- the map ------------------------------------------------------------------------------------ */

static const struct {
	const char *type;
	void (*map)(struct tf *, struct tf_res *);
	int pass;                      /* 0 parents, 1 children, 2 associations */
} MAPS[] = {
	{ "azurerm_virtual_network", map_vnet, 0 },
	{ "azurerm_route_table", map_route_table, 0 },
	{ "azurerm_network_interface", map_nic, 0 },
	{ "azurerm_private_endpoint", map_pe, 0 },
	{ "azurerm_virtual_network_gateway", map_gateway, 0 },
	{ "azurerm_virtual_network_gateway_connection", map_connection, 0 },
	{ "azurerm_local_network_gateway", map_local_gateway, 0 },
	{ "azurerm_route_server", map_route_server, 0 },
	{ "azurerm_route_server_bgp_connection", map_bgp_connection, 0 },
	{ "azurerm_lb", map_lb, 0 },
	{ "azurerm_lb_probe", map_lb_probe, 0 },
	{ "azurerm_lb_backend_address_pool", map_lb_pool, 1 },
	{ "azurerm_lb_rule", map_lb_rule, 1 },
	{ "azurerm_network_interface_backend_address_pool_association", map_lb_association, 2 },
	{ "azurerm_subnet", map_subnet, 1 },
	{ "azurerm_route", map_route, 1 },
	{ "azurerm_virtual_network_peering", map_peering, 1 },
	{ "azurerm_subnet_route_table_association", map_association, 2 },
};

#define NMAPS (sizeof(MAPS) / sizeof(MAPS[0]))

static size_t map_of(const char *type)
{
	size_t k = 0;
	while (k < NMAPS && strcmp(MAPS[k].type, type) != 0)
		k++;
	return k;
}

void tf_map(struct tf *t)
{
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < t->n; i++) {
			struct tf_res *r = &t->v[i];
			size_t k = map_of(r->type);
			if (pass == 0 && r->data)
				imp_note(t->im, "Terraform data sources: read for references, not imported");
			else if (pass == 0 && k == NMAPS)
				imp_note(t->im, "%s: not modelled", r->type);
			else if (!r->data && k < NMAPS && MAPS[k].pass == pass)
				MAPS[k].map(t, r);
		}
}
