/*
 * export.c - `vnetsim export SCENARIO --to graph|az -o FILE`: a scenario's
 * initial topology in the shapes Azure prints, so that `vnetsim import`
 * reads it back (a round trip the import suite checks on the seed, every
 * conformance case and ref-4k: the same effective routes).
 *
 * graph is Azure Resource Graph's {"data": [...]} with `properties` nested
 * and types in lower case; az is one list in az CLI's shape (`properties`
 * flattened).  Each object keeps its ARM ID; one without gets
 * /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vnetsim
 * (RULES 2.1.1).  What ARM has no field for (an ExpressRoute connection's
 * next hops and peer ASN, a gateway's public address, a connection's SKU, a
 * BGP connection's route limit) is written under vnetsim's own names
 * (nextHopIpAddresses, peerAsn, publicIpAddress, sku, maxRoutes), which
 * import reads back.  Only the topology: events, settings and service tags
 * are the scenario's, not Azure's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli.h"
#include "diag.h"
#include "import_int.h"
#include "scenario.h"
#include "topology.h"

#include <cjson/cJSON.h>

static const char USAGE[] = "usage: vnetsim export SCENARIO --to graph|az -o FILE\n";

static const struct cli_command EXPORT = {
	"export", USAGE,
	"\nWrites the scenario's topology as Azure Resource Graph ({\"data\": [...]}, properties\n"
	"nested) or az CLI (one list, properties flattened) JSON, which `vnetsim import` reads.\n",
	"\nExit 0, 2 for an invalid scenario or usage, 3 for I/O errors.\n",
	24,
};

#define DEFAULT_SCOPE "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vnetsim"

struct exp {
	struct arena *a;
	bool graph;                    /* Resource Graph's shape, else az's */
	cJSON *list;                   /* the resources */
	const cJSON *rss;              /* the scenario's topology.routeServers, or NULL */
};

/* The scenario's routeMaps of Route Server name, as written (already in
 * ARM's shape, RULES 1.10), or NULL. */
static const cJSON *route_maps_of(const struct exp *x, const char *name)
{
	const cJSON *rs;
	cJSON_ArrayForEach(rs, x->rss)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(rs, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return cJSON_GetObjectItemCaseSensitive(rs, "routeMaps");
	}
	return NULL;
}

/* An object's ID: its own, or one in the default scope. */
static const char *id_of(struct exp *x, const struct arm_meta *m, const char *type,
			 const char *name)
{
	return m->id ? m->id : arena_printf(x->a, DEFAULT_SCOPE "/providers/Microsoft.Network/%s/%s",
					    type, name);
}

/* The name ARM knows an object by: the last segment of its ID. */
static const char *arm_name(const char *id)
{
	return strrchr(id, '/') + 1;
}

/* A resource (or sub-resource) object with id and name; returns where its
 * properties go (the object itself in az's shape). */
static cJSON *resource(struct exp *x, cJSON *into, const char *id, const char *type,
		       const char *loc)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", arm_name(id));
	if (type) {
		char t[96];
		snprintf(t, sizeof(t), "Microsoft.Network/%s", type);
		if (x->graph)
			for (char *p = t; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		cJSON_AddStringToObject(o, "type", t);
	}
	if (loc && *loc)
		cJSON_AddStringToObject(o, "location", loc);
	cJSON_AddItemToArray(into, o);
	return x->graph ? cJSON_AddObjectToObject(o, "properties") : o;
}

static void add_ref(cJSON *o, const char *key, const char *id)
{
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, key), "id", id);
}

static void add_ip(cJSON *o, const char *key, uint32_t ip)
{
	char b[IPV4_STRLEN];
	cJSON_AddStringToObject(o, key, ipv4_format(ip, b));
}

static cJSON *prefixes(const struct prefix_list *l)
{
	cJSON *arr = cJSON_CreateArray();
	char b[PREFIX_STRLEN];
	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(prefix_format(l->v[i], b)));
	return arr;
}

static const char *subnet_id(struct exp *x, const struct subnet *s)
{
	return s->arm.id ? s->arm.id
			 : arena_printf(x->a, "%s/subnets/%s",
					id_of(x, &s->vnet->arm, "virtualNetworks", s->vnet->name),
					s->name);
}

/* ---- the resources ------------------------------------------------------------- */

static const char *const PE_POLICY_NAMES[] = { "Disabled", "Enabled", "RouteTableEnabled",
					       "NetworkSecurityGroupEnabled" };
static const char *const HUB_PREF_NAMES[] = { "ExpressRoute", "VpnGateway", "ASPath" };

static void export_subnet(struct exp *x, cJSON *subs, const struct subnet *s)
{
	cJSON *p = resource(x, subs, subnet_id(x, s), NULL, NULL);
	if (s->prefixes.n == 1) {
		char b[PREFIX_STRLEN];
		cJSON_AddStringToObject(p, "addressPrefix", prefix_format(s->prefixes.v[0], b));
	} else {
		cJSON_AddItemToObject(p, "addressPrefixes", prefixes(&s->prefixes));
	}
	if (s->rt)
		add_ref(p, "routeTable", id_of(x, &s->rt->arm, "routeTables", s->rt->name));
	cJSON *eps = s->nservices ? cJSON_AddArrayToObject(p, "serviceEndpoints") : NULL;
	for (size_t i = 0; i < s->nservices; i++) {
		cJSON *ep = cJSON_CreateObject();
		cJSON_AddStringToObject(ep, "service", s->services[i]);
		cJSON_AddItemToArray(eps, ep);
	}
	cJSON_AddStringToObject(p, "privateEndpointNetworkPolicies", PE_POLICY_NAMES[s->pe_policy]);
}

static void export_vnet(struct exp *x, const struct vnet *v)
{
	const char *id = id_of(x, &v->arm, "virtualNetworks", v->name);
	cJSON *p = resource(x, x->list, id, "virtualNetworks", v->location);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(p, "addressSpace"), "addressPrefixes",
			      prefixes(&v->space));
	cJSON *subs = cJSON_AddArrayToObject(p, "subnets");
	for (size_t i = 0; i < v->nsubnets; i++)
		export_subnet(x, subs, v->subnets[i]);
	cJSON *peers = cJSON_AddArrayToObject(p, "virtualNetworkPeerings");
	for (size_t i = 0; i < v->npeerings; i++) {
		const struct peering *pe = &v->peerings[i];
		cJSON *q = resource(x, peers,
				    arena_printf(x->a, "%s/virtualNetworkPeerings/%s", id, pe->name),
				    NULL, NULL);
		add_ref(q, "remoteVirtualNetwork",
			id_of(x, &pe->remote->arm, "virtualNetworks", pe->remote->name));
		cJSON_AddBoolToObject(q, "allowVirtualNetworkAccess", pe->allow_vnet_access);
		cJSON_AddBoolToObject(q, "allowForwardedTraffic", pe->allow_forwarded);
		cJSON_AddBoolToObject(q, "allowGatewayTransit", pe->allow_gateway_transit);
		cJSON_AddBoolToObject(q, "useRemoteGateways", pe->use_remote_gateways);
	}
}

static void export_route_table(struct exp *x, const struct route_table *rt)
{
	const char *id = id_of(x, &rt->arm, "routeTables", rt->name);
	cJSON *p = resource(x, x->list, id, "routeTables", NULL);
	cJSON_AddBoolToObject(p, "disableBgpRoutePropagation", rt->disable_bgp);
	cJSON *routes = cJSON_AddArrayToObject(p, "routes");
	for (size_t i = 0; i < rt->nroutes; i++) {
		const struct udr *u = &rt->routes[i];
		cJSON *q = resource(x, routes, arena_printf(x->a, "%s/routes/%s", id, u->name), NULL,
				    NULL);
		cJSON_AddStringToObject(q, "addressPrefix", u->prefix_text);
		cJSON_AddStringToObject(q, "nextHopType", nh_type_name(u->nh));
		if (u->has_nh_ip)
			add_ip(q, "nextHopIpAddress", u->nh_ip);
	}
}

static void export_nic(struct exp *x, const struct nic *n)
{
	const char *id = id_of(x, &n->arm, "networkInterfaces", n->name);
	cJSON *p = resource(x, x->list, id, "networkInterfaces", n->subnet->vnet->location);
	cJSON_AddBoolToObject(p, "enableIPForwarding", n->ip_forwarding);
	cJSON *ipcs = cJSON_AddArrayToObject(p, "ipConfigurations");
	cJSON *q = resource(x, ipcs, arena_printf(x->a, "%s/ipConfigurations/ipconfig1", id), NULL,
			    NULL);
	cJSON_AddBoolToObject(q, "primary", true);
	add_ip(q, "privateIPAddress", n->ip);
	cJSON_AddStringToObject(q, "privateIPAddressVersion", "IPv4");
	cJSON_AddStringToObject(q, "privateIPAllocationMethod", "Static");
	add_ref(q, "subnet", subnet_id(x, n->subnet));
}

static void export_pe(struct exp *x, const struct private_endpoint *pe)
{
	cJSON *p = resource(x, x->list, id_of(x, &pe->arm, "privateEndpoints", pe->name),
			    "privateEndpoints", pe->subnet->vnet->location);
	add_ref(p, "subnet", subnet_id(x, pe->subnet));
	cJSON *cfg = cJSON_CreateObject();
	char b[IPV4_STRLEN];
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cfg, "ipAddresses"),
			     cJSON_CreateString(ipv4_format(pe->ip, b)));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "customDnsConfigs"), cfg);
}

static void export_gateway(struct exp *x, const struct gateway *g)
{
	const char *id = id_of(x, &g->arm, "virtualNetworkGateways", g->name);
	cJSON *p = resource(x, x->list, id, "virtualNetworkGateways", g->vnet->location);
	cJSON_AddStringToObject(p, "gatewayType", g->type == GW_VPN ? "Vpn" : "ExpressRoute");
	if (g->sku[0])
		cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "sku"), "name", g->sku);
	cJSON_AddBoolToObject(p, "activeActive", g->active_active);
	cJSON_AddBoolToObject(p, "enableBgp", g->enable_bgp);
	if (g->public_ip)
		add_ip(p, "publicIpAddress", g->public_ip); /* vnetsim's: ARM has a reference */
	cJSON *bs = cJSON_AddObjectToObject(p, "bgpSettings");
	cJSON_AddNumberToObject(bs, "asn", g->asn);
	cJSON *pas = cJSON_AddArrayToObject(bs, "bgpPeeringAddresses");
	for (int k = 0; k < 2 && g->type == GW_VPN; k++) {
		cJSON *pa = cJSON_CreateObject();
		char b[IPV4_STRLEN];
		cJSON_AddItemToArray(cJSON_AddArrayToObject(pa, "defaultBgpIpAddresses"),
				     cJSON_CreateString(ipv4_format(g->instance_ip[k], b)));
		cJSON_AddItemToArray(pas, pa);
	}
	const struct subnet *gs = NULL;
	for (size_t i = 0; i < g->vnet->nsubnets; i++)
		if (strcmp(g->vnet->subnets[i]->name, "GatewaySubnet") == 0)
			gs = g->vnet->subnets[i];
	cJSON *q = resource(x, cJSON_AddArrayToObject(p, "ipConfigurations"),
			    arena_printf(x->a, "%s/ipConfigurations/default", id), NULL, NULL);
	if (gs)
		add_ref(q, "subnet", subnet_id(x, gs));
}

static const char *const CONN_TYPES[] = { "IPsec", "ExpressRoute", "Vnet2Vnet" };

/* A connection, and the local network gateway that carries its remote side. */
static void export_connection(struct exp *x, const struct connection *c)
{
	const char *id = id_of(x, &c->arm, "connections", c->name);
	cJSON *p = resource(x, x->list, id, "connections", c->gw->vnet->location);
	cJSON_AddStringToObject(p, "connectionType", CONN_TYPES[c->type]);
	cJSON_AddBoolToObject(p, "enableBgp", c->enable_bgp);
	cJSON_AddNumberToObject(p, "routingWeight", c->routing_weight);
	add_ref(p, "virtualNetworkGateway1", id_of(x, &c->gw->arm, "virtualNetworkGateways",
						    c->gw->name));
	if (c->premium)
		cJSON_AddStringToObject(p, "sku", "Premium"); /* vnetsim's */
	if (c->type == CONN_EXPRESSROUTE) {
		if (c->peer_asn)
			cJSON_AddNumberToObject(p, "peerAsn", c->peer_asn); /* vnetsim's */
		cJSON *nhs = cJSON_AddArrayToObject(p, "nextHopIpAddresses"); /* vnetsim's */
		char b[IPV4_STRLEN];
		for (size_t i = 0; i < c->ner_next_hops; i++)
			cJSON_AddItemToArray(nhs, cJSON_CreateString(ipv4_format(c->er_next_hops[i], b)));
		return;
	}
	const char *lid = arena_printf(x->a, DEFAULT_SCOPE "/providers/Microsoft.Network/"
						 "localNetworkGateways/%s-remote",
				       arm_name(id));
	add_ref(p, "localNetworkGateway2", lid);
	cJSON *l = resource(x, x->list, lid, "localNetworkGateways", c->gw->vnet->location);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(l, "localNetworkAddressSpace"),
			      "addressPrefixes", prefixes(&c->static_prefixes));
	if (c->peer_asn || c->peer_bgp_ip) {
		cJSON *bs = cJSON_AddObjectToObject(l, "bgpSettings");
		if (c->peer_asn)
			cJSON_AddNumberToObject(bs, "asn", c->peer_asn);
		if (c->peer_bgp_ip)
			add_ip(bs, "bgpPeeringAddress", c->peer_bgp_ip);
	}
}

static void export_route_server(struct exp *x, const struct route_server *rs)
{
	const char *id = id_of(x, &rs->arm, "virtualHubs", rs->name);
	cJSON *p = resource(x, x->list, id, "virtualHubs", rs->vnet->location);
	cJSON_AddStringToObject(p, "sku", "Standard");
	cJSON *ips = cJSON_AddArrayToObject(p, "virtualRouterIps");
	char b[IPV4_STRLEN];
	for (int k = 0; k < 2; k++)
		cJSON_AddItemToArray(ips, cJSON_CreateString(ipv4_format(rs->instance_ip[k], b)));
	cJSON_AddNumberToObject(p, "virtualRouterAsn", 65515);
	cJSON_AddBoolToObject(p, "allowBranchToBranchTraffic", rs->b2b);
	cJSON_AddStringToObject(p, "hubRoutingPreference", HUB_PREF_NAMES[rs->pref]);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(p, "virtualRouterAutoScaleConfiguration"),
				"minCapacity", rs->min_capacity);
	cJSON *q = resource(x, cJSON_AddArrayToObject(p, "ipConfigurations"),
			    arena_printf(x->a, "%s/ipConfigurations/ipconfig1", id), NULL, NULL);
	add_ref(q, "subnet", subnet_id(x, rs->subnet));
	cJSON *conns = cJSON_AddArrayToObject(p, "bgpConnections");
	for (size_t i = 0; i < rs->nconns; i++) {
		const struct bgp_conn *bc = &rs->conns[i];
		const char *cid = bc->arm.id ? bc->arm.id
					     : arena_printf(x->a, "%s/bgpConnections/%s", id, bc->name);
		cJSON *c = resource(x, conns, cid, NULL, NULL);
		add_ip(c, "peerIp", bc->peer_ip);
		cJSON_AddNumberToObject(c, "peerAsn", bc->peer_asn);
		if (bc->max_routes != 1000)
			cJSON_AddNumberToObject(c, "maxRoutes", bc->max_routes); /* vnetsim's */
	}
	/* Route maps are child resources in ARM (virtualHubs/routeMaps); they
	 * go inline here, in ARM's own shape, under vnetsim's key routeMaps,
	 * which import reads back. */
	const cJSON *maps = route_maps_of(x, rs->name);
	if (cJSON_IsArray(maps) && cJSON_GetArraySize(maps) > 0)
		cJSON_AddItemToObject(p, "routeMaps", cJSON_Duplicate(maps, 1));
}

/* An internal load balancer, its pools listing their members' IP
 * configurations (ARM's read-only backendIPConfigurations, which import
 * reads back). */
static void export_lb(struct exp *x, const struct load_balancer *lb)
{
	const char *id = id_of(x, &lb->arm, "loadBalancers", lb->name);
	cJSON *p = resource(x, x->list, id, "loadBalancers", lb->vnet->location);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "sku"), "name", lb->sku);
	cJSON *fes = cJSON_AddArrayToObject(p, "frontendIPConfigurations");
	for (size_t i = 0; i < lb->nfrontends; i++) {
		const struct lb_frontend *fe = &lb->frontends[i];
		cJSON *q = resource(x, fes,
				    arena_printf(x->a, "%s/frontendIPConfigurations/%s", id, fe->name),
				    NULL, NULL);
		add_ip(q, "privateIPAddress", fe->ip);
		cJSON_AddStringToObject(q, "privateIPAllocationMethod", "Static");
		add_ref(q, "subnet", subnet_id(x, fe->subnet));
	}
	cJSON *pools = cJSON_AddArrayToObject(p, "backendAddressPools");
	for (size_t i = 0; i < lb->npools; i++) {
		const struct lb_pool *pool = &lb->pools[i];
		cJSON *q = resource(x, pools,
				    arena_printf(x->a, "%s/backendAddressPools/%s", id, pool->name),
				    NULL, NULL);
		cJSON *members = cJSON_AddArrayToObject(q, "backendIPConfigurations");
		for (size_t k = 0; k < pool->nnics; k++) {
			const struct nic *n = pool->nics[k];
			cJSON *m = cJSON_CreateObject();
			cJSON_AddStringToObject(
				m, "id",
				arena_printf(x->a, "%s/ipConfigurations/ipconfig1",
					     id_of(x, &n->arm, "networkInterfaces", n->name)));
			cJSON_AddItemToArray(members, m);
		}
	}
	cJSON *rules = cJSON_AddArrayToObject(p, "loadBalancingRules");
	for (size_t i = 0; i < lb->nrules; i++) {
		const struct lb_rule *ru = &lb->rules[i];
		cJSON *q = resource(x, rules,
				    arena_printf(x->a, "%s/loadBalancingRules/%s", id, ru->name),
				    NULL, NULL);
		add_ref(q, "frontendIPConfiguration",
			arena_printf(x->a, "%s/frontendIPConfigurations/%s", id,
				     lb->frontends[ru->frontend].name));
		add_ref(q, "backendAddressPool",
			arena_printf(x->a, "%s/backendAddressPools/%s", id, lb->pools[ru->pool].name));
		cJSON_AddStringToObject(q, "protocol", ru->protocol);
		cJSON_AddNumberToObject(q, "frontendPort", ru->frontend_port);
		cJSON_AddNumberToObject(q, "backendPort", ru->backend_port);
	}
}

static void export_topology(struct exp *x, const struct topology *t)
{
	for (size_t i = 0; i < t->nrts; i++)
		export_route_table(x, t->rts[i]);
	for (size_t i = 0; i < t->nvnets; i++)
		export_vnet(x, t->vnets[i]);
	for (size_t i = 0; i < t->nnics; i++)
		export_nic(x, &t->nics[i]);
	for (size_t i = 0; i < t->npes; i++)
		export_pe(x, &t->pes[i]);
	for (size_t i = 0; i < t->ngws; i++)
		export_gateway(x, t->gws[i]);
	for (size_t i = 0; i < t->nconns; i++)
		export_connection(x, t->conns[i]);
	for (size_t i = 0; i < t->nrss; i++)
		export_route_server(x, t->rss[i]);
	for (size_t i = 0; i < t->nlbs; i++)
		export_lb(x, t->lbs[i]);
}

int cmd_export(int argc, char **argv)
{
	struct cli_parser p;
	const char *file = NULL, *to = NULL, *out = NULL;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_REQUIRED("to", &to, "graph|az", "the shape: Resource Graph or az CLI"),
		{ CLI_OPT_STRING, "output", 'o', "FILE", cli_string_dest(&out), NULL,
		  "the file to write ('-': standard output)", CLI_HELP_BOTH, true },
		CLI_END,
	};
	int rc = cli_parse(&p, &EXPORT, opts, NULL, argc, argv);
	if (rc == CLI_PARSED && strcmp(to, "graph") != 0 && strcmp(to, "az") != 0)
		rc = cli_usage_error(&p, "--to is graph or az, not \"%s\"", to);
	if (rc != CLI_PARSED)
		return rc;
	struct diag *d = diag_create();
	struct scenario *sc = NULL;
	struct exp x = { .a = arena_create(), .graph = strcmp(to, "graph") == 0,
			 .list = cJSON_CreateArray() };
	rc = d && x.a && x.list ? cli_load(file, NULL, d, stderr, &sc) : CLI_EXIT_ENV;
	cJSON *doc = x.list;
	if (rc == CLI_EXIT_OK) {
		x.rss = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(sc->doc, "topology"), "routeServers");
		export_topology(&x, sc->topo);
		if (x.graph) {
			doc = cJSON_CreateObject();
			cJSON_AddNumberToObject(doc, "count", cJSON_GetArraySize(x.list));
			cJSON_AddItemToObject(doc, "data", x.list);
			cJSON_AddNullToObject(doc, "skip_token");
			cJSON_AddNumberToObject(doc, "total_records", cJSON_GetArraySize(x.list));
		}
		rc = imp_write(out, doc, true);
	}
	cJSON_Delete(doc);
	scenario_destroy(sc);
	arena_destroy(x.a);
	diag_destroy(d);
	return rc;
}
