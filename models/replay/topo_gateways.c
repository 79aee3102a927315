/*
 * topo_gateways.c - virtualNetworkGateways, connections, routeServers and
 * their bgpConnections.  See topo_gateways.h.
 */
#include "topo_gateways.h"
#include "topo_routemaps.h"

#include <string.h>

#include "arena.h"
#include "armid.h"
#include "jsonin.h"
#include "strmap.h"

#define MAX_BGP_CONNS 8 /* RULES 1.8 */

/* A gateway being read, for the visitors of its members. */
struct in_gateway {
	struct topo_reader *r;
	struct gateway *g;
	bool have_ip[2];               /* instance addresses given in bgpSettings */
};

static struct subnet *vnet_subnet(const struct vnet *v, const char *name)
{
	for (size_t i = 0; i < v->nsubnets; i++)
		if (strcmp(v->subnets[i]->name, name) == 0)
			return v->subnets[i];
	return NULL;
}

/* ---- gateways ------------------------------------------------------------------- */

static const struct topo_choice GATEWAY_TYPES[] = {
	{ "Vpn", GW_VPN },
	{ "ExpressRoute", GW_EXPRESSROUTE },
};

static const struct topo_choice CONNECTION_TYPES[] = {
	{ "IPsec", CONN_IPSEC },
	{ "ExpressRoute", CONN_EXPRESSROUTE },
	{ "Vnet2Vnet", CONN_VNET2VNET },
};

static const struct topo_choice CONNECTION_SKUS[] = { /* value: Premium (10,000 routes) */
	{ "Standard", false },
	{ "Premium", true },
	{ "Local", false },
};

static const struct topo_choice HUB_PREFS[] = {
	{ "ExpressRoute", HUB_PREF_EXPRESSROUTE },
	{ "VpnGateway", HUB_PREF_VPN },
	{ "ASPath", HUB_PREF_ASPATH },
};

/* gatewayType; false when missing or unknown. */
static bool read_gateway_type(struct jin *j, const cJSON *it, struct gateway *g)
{
	int type;
	if (!topo_read_choice(j, it, "gatewayType", true, GATEWAY_TYPES,
			      sizeof(GATEWAY_TYPES) / sizeof(GATEWAY_TYPES[0]), "Vpn or ExpressRoute",
			      &type))
		return false;
	g->type = (enum gw_type)type;
	return true;
}

static bool read_sku_name(struct jin *j, const cJSON *sku, size_t i, void *ctx)
{
	struct in_gateway *c = ctx;
	const char *sn;
	(void)i;
	if (jin_string(j, sku, "name", true, &sn))
		c->g->sku = topo_read_dup(c->r, sn);
	return true;
}

static bool read_instance_ip(struct jin *j, const cJSON *v, size_t i, void *ip)
{
	(void)i;
	return jin_ipv4_value(j, v, ip);
}

/* bgpPeeringAddresses[k]: instance k's defaultBgpIpAddresses[0]. */
static bool read_peering_address(struct jin *j, const cJSON *pa, size_t k, void *ctx)
{
	struct in_gateway *c = ctx;
	const cJSON *ips;
	if (k >= 2)
		jin_error(j, "a gateway has at most two instances");
	else if (!cJSON_IsObject(pa))
		jin_error(j, "expected an object with defaultBgpIpAddresses");
	else if (jin_array(j, pa, "defaultBgpIpAddresses", false, &ips) && ips->child)
		c->have_ip[k] = jin_in_elem(j, "defaultBgpIpAddresses", 0, ips->child,
					    read_instance_ip, &c->g->instance_ip[k]);
	return true;
}

static bool read_bgp_settings(struct jin *j, const cJSON *bs, size_t i, void *ctx)
{
	static const char *const known[] = { "asn", "bgpPeeringAddresses", "bgpPeeringAddress",
					     "peerWeight", NULL };
	struct in_gateway *c = ctx;
	uint64_t asn;
	const cJSON *pas;
	(void)i;
	jin_known_keys(j, bs, known);
	if (jin_uint(j, bs, "asn", false, 1, 4294967295u, &asn)) {
		c->g->asn = (uint32_t)asn;
		if (c->g->type == GW_EXPRESSROUTE && asn != 65515)
			jin_error_at(j, "asn", "an ExpressRoute gateway's ASN is 65515");
	}
	if (jin_array(j, bs, "bgpPeeringAddresses", false, &pas))
		jin_each(j, "bgpPeeringAddresses", pas, read_peering_address, c);
	return true;
}

/* virtualNetwork: the VNet with a GatewaySubnet, whose VPN or ExpressRoute
 * slot the gateway takes when it passed its own checks (ok). */
static void place_gateway(struct in_gateway *c, const cJSON *it, bool ok)
{
	struct jin *j = c->r->j;
	struct gateway *g = c->g;
	const char *vn;
	if (!jin_ref(j, it, "virtualNetwork", true, &vn))
		return;
	g->vnet = topology_vnet(c->r->t, vn);
	if (!g->vnet && topo_read_ambiguous(c->r, "virtualNetwork", "virtual network", ARM_VNET, vn))
		return;
	if (!g->vnet) {
		jin_error_at(j, "virtualNetwork", "no virtual network named \"%s\"", vn);
		return;
	}
	struct subnet *gs = vnet_subnet(g->vnet, "GatewaySubnet");
	if (!gs)
		jin_error_at(j, "virtualNetwork", "virtual network \"%s\" has no GatewaySubnet", vn);
	for (int k = 0; gs && gs->prefixes.n > 0 && k < 2; k++)
		if (!c->have_ip[k])
			g->instance_ip[k] = gs->prefixes.v[0].addr + 4 + (uint32_t)k;
	struct gateway **slot = g->type == GW_VPN ? &g->vnet->vpn_gw : &g->vnet->er_gw;
	if (ok && *slot)
		jin_error(j, "virtual network \"%s\" already has a%s gateway (\"%s\")", vn,
			  g->type == GW_VPN ? " VPN" : "n ExpressRoute", (*slot)->name);
	else if (ok)
		*slot = g;
}

static void *read_gateway(struct topo_reader *r, struct topo_run *run, const cJSON *it)
{
	struct jin *j = r->j;
	struct in_gateway c = { .r = r, .g = run->obj };
	struct gateway *g = c.g;
	const char *name = topo_read_label(r, it, &g->name);
	g->name = name ? topo_read_dup(r, topo_read_key(r, run, it, name)) : g->name;
	bool ok = name && topo_read_name(r, run, g->name, g);
	if (ok)
		topo_read_arm(r, it, ARM_GATEWAY, NULL, name, &g->arm, g);
	ok = read_gateway_type(j, it, g) && ok;
	const cJSON *sku, *bs;
	g->sku = "";
	if (jin_object(j, it, "sku", false, &sku))
		jin_in(j, "sku", sku, read_sku_name, &c);
	jin_bool(j, it, "activeActive", false, &g->active_active);
	jin_bool(j, it, "enableBgp", false, &g->enable_bgp);
	if (g->type == GW_EXPRESSROUTE && g->active_active)
		jin_warn(j, "activeActive applies to VPN gateways; ignored for ExpressRoute");
	jin_ipv4(j, it, "publicIpAddress", false, &g->public_ip);
	g->asn = 65515;
	if (jin_object(j, it, "bgpSettings", false, &bs))
		jin_in(j, "bgpSettings", bs, read_bgp_settings, &c);
	place_gateway(&c, it, ok);
	if (g->type == GW_VPN && g->public_ip == 0 && !g->active_active)
		jin_warn(j, "no publicIpAddress: active-standby gateway routes will show 0.0.0.0 as "
			    "next hop");
	r->t->gws[r->t->ngws++] = g;
	return g;
}

void topo_gateways_check_sku(struct topo_reader *r, const cJSON *o, void *gateway, void *ctx)
{
	const struct gateway *g = gateway;
	(void)o;
	(void)ctx;
	if (g->vnet && g->type == GW_VPN && g->vnet->er_gw && strcmp(g->sku, "Basic") == 0)
		jin_error_at(r->j, "sku", "a Basic VPN gateway cannot coexist with an ExpressRoute "
					  "gateway");
}

static struct strmap *gateway_index(struct topology *t)
{
	return t->by_gw;
}

static const char *const GATEWAY_KEYS[] = { "name", "id", "location", "virtualNetwork",
					    "gatewayType", "vpnType", "sku", "activeActive",
					    "enableBgp", "bgpSettings", "publicIpAddress",
					    "ipConfigurations", "vpnGatewayGeneration", NULL };

const struct topo_coll TOPO_GATEWAYS = {
	.key = "virtualNetworkGateways", .expected = "a virtual network gateway object",
	.known = GATEWAY_KEYS, .what = "gateway", .index = gateway_index,
	.arm_type = ARM_GATEWAY, .scoped = true,
	.size = sizeof(struct gateway), .item = read_gateway,
};

/* ---- connections ----------------------------------------------------------------- */

static bool read_er_next_hop(struct jin *j, const cJSON *nh, size_t k, void *ctx)
{
	struct connection *c = ctx;
	(void)k;
	if (jin_ipv4_value(j, nh, &c->er_next_hops[c->ner_next_hops]))
		c->ner_next_hops++;
	return true;
}

/* connectionType, enableBgp and the BGP peer; sku. */
static void read_connection_kind(struct topo_reader *r, const cJSON *it, struct connection *c)
{
	struct jin *j = r->j;
	int type = CONN_IPSEC, premium = false;
	topo_read_choice(j, it, "connectionType", true, CONNECTION_TYPES,
			 sizeof(CONNECTION_TYPES) / sizeof(CONNECTION_TYPES[0]),
			 "IPsec, Vnet2Vnet or ExpressRoute", &type);
	c->type = (enum conn_type)type;
	jin_bool(j, it, "enableBgp", false, &c->enable_bgp);
	if (c->type == CONN_EXPRESSROUTE)
		c->enable_bgp = true; /* BGP is mandatory on ExpressRoute */
	if (cJSON_GetObjectItemCaseSensitive(it, "peerAsn"))
		topo_read_asn(r, it, "peerAsn", false, &c->peer_asn, false);
	else if (c->enable_bgp && c->type != CONN_EXPRESSROUTE)
		jin_error(j, "a connection with enableBgp needs peerAsn");
	jin_ipv4(j, it, "peerBgpAddress", false, &c->peer_bgp_ip);
	topo_read_prefixes(r, it, "localNetworkAddressPrefixes", false, &c->static_prefixes);
	uint64_t w = 0;
	if (jin_uint(j, it, "routingWeight", false, 0, 32000, &w))
		c->routing_weight = (uint32_t)w;
	topo_read_choice(j, it, "sku", false, CONNECTION_SKUS,
			 sizeof(CONNECTION_SKUS) / sizeof(CONNECTION_SKUS[0]), "Standard, Premium or Local",
			 &premium);
	c->premium = premium;
}

/* virtualNetworkGateway: a gateway of the connection's type. */
static void read_connection_gateway(struct topo_reader *r, const cJSON *it, struct connection *c)
{
	struct jin *j = r->j;
	const char *gw;
	if (!jin_ref(j, it, "virtualNetworkGateway", true, &gw))
		return;
	c->gw = topology_gateway(r->t, gw);
	if (!c->gw && topo_read_ambiguous(r, "virtualNetworkGateway", "gateway", ARM_GATEWAY, gw))
		return;
	if (!c->gw)
		jin_error_at(j, "virtualNetworkGateway", "no gateway named \"%s\"", gw);
	else if ((c->type == CONN_EXPRESSROUTE) != (c->gw->type == GW_EXPRESSROUTE))
		jin_error_at(j, "virtualNetworkGateway",
			     "a%s connection needs a%s gateway; \"%s\" is not one",
			     c->type == CONN_EXPRESSROUTE ? "n ExpressRoute" : " VPN",
			     c->type == CONN_EXPRESSROUTE ? "n ExpressRoute" : " VPN", gw);
	if (c->gw && c->type == CONN_EXPRESSROUTE && c->ner_next_hops == 0)
		jin_warn(j, "no nextHopIpAddresses: ExpressRoute routes need the Microsoft-side next "
			    "hops to show (RULES E5.6)");
}

static void *read_connection(struct topo_reader *r, struct topo_run *run, const cJSON *it)
{
	struct jin *j = r->j;
	struct connection *c = run->obj;
	const char *name = topo_read_label(r, it, &c->name);
	if (name && strchr(name, '/') != NULL)
		jin_error_at(j, "name", "a connection name cannot contain '/'");
	if (name)
		c->name = topo_read_dup(r, topo_read_key(r, run, it, name));
	if (name && topo_read_name(r, run, c->name, c))
		topo_read_arm(r, it, ARM_CONNECTION, NULL, name, &c->arm, c);
	read_connection_kind(r, it, c);
	const cJSON *nhs;
	if (jin_array(j, it, "nextHopIpAddresses", false, &nhs)) {
		c->er_next_hops = topo_read_alloc(r, (size_t)cJSON_GetArraySize(nhs), sizeof(uint32_t));
		if (c->er_next_hops)
			jin_each(j, "nextHopIpAddresses", nhs, read_er_next_hop, c);
	}
	read_connection_gateway(r, it, c);
	r->t->conns[r->t->nconns++] = c;
	return c;
}

bool topo_gateways_attach(struct topo_reader *r)
{
	struct topology *t = r->t;
	for (size_t i = 0; i < t->nconns; i++)
		if (t->conns[i]->gw)
			t->conns[i]->gw->nconns++;
	bool ok = true;
	for (size_t i = 0; i < t->ngws; i++) {
		struct gateway *g = t->gws[i];
		g->conns = arena_calloc(r->a, g->nconns ? g->nconns : 1, sizeof(*g->conns));
		ok = ok && g->conns;
		g->nconns = 0;
	}
	if (!ok) {
		jin_error(r->j, "out of memory");
		return false;
	}
	for (size_t i = 0; i < t->nconns; i++) {
		struct gateway *g = t->conns[i]->gw;
		if (g)
			g->conns[g->nconns++] = t->conns[i];
	}
	return true;
}

static struct strmap *connection_index(struct topology *t)
{
	return t->by_conn;
}

static const char *const CONNECTION_KEYS[] = { "name", "id", "location", "virtualNetworkGateway",
					       "connectionType", "enableBgp", "peerAsn",
					       "peerBgpAddress", "localNetworkAddressPrefixes",
					       "routingWeight", "sku", "nextHopIpAddresses",
					       "localNetworkGateway", "sharedKey", NULL };

const struct topo_coll TOPO_CONNECTIONS = {
	.key = "connections", .expected = "a connection object", .known = CONNECTION_KEYS,
	.what = "connection", .index = connection_index, .size = sizeof(struct connection),
	.arm_type = ARM_CONNECTION, .scoped = true,
	.item = read_connection,
};

/* ---- Route Servers ------------------------------------------------------------------ */

static bool bgp_conns_begin(struct topo_reader *r, struct topo_run *run)
{
	struct route_server *rs = run->parent;
	if (run->n > MAX_BGP_CONNS)
		jin_error(r->j, "%zu BGP connections: a Route Server supports at most %d peers", run->n,
			  MAX_BGP_CONNS);
	rs->conns = topo_read_alloc(r, run->n, sizeof(*rs->conns));
	return rs->conns != NULL;
}

static void *read_bgp_conn(struct topo_reader *r, struct topo_run *run, const cJSON *bo)
{
	struct jin *j = r->j;
	struct route_server *rs = run->parent;
	struct bgp_conn *bc = &rs->conns[rs->nconns];
	bool ok = topo_read_label(r, bo, &bc->name) != NULL;
	bc->rs = rs;
	/* Under a Route Server known by its ID, the connection is known by its own. */
	bc->id = armid_is(rs->name) ? arena_printf(r->a, "%s/bgpConnections/%s", rs->name, bc->name)
				    : arena_printf(r->a, "%s/%s", rs->name, bc->name);
	ok = ok && topo_read_name(r, run, bc->name, NULL);
	ok = jin_ipv4(j, bo, "peerIp", true, &bc->peer_ip) && ok;
	/* One BGP session per peer address (Azure refuses a second connection
	 * to the same IP). */
	for (size_t q = 0; ok && q < rs->nconns; q++)
		if (rs->conns[q].peer_ip == bc->peer_ip) {
			jin_error_at(j, "peerIp",
				     "BGP connection \"%s\" has the same peer IP as \"%s\": a Route "
				     "Server has one session per peer address",
				     bc->name, rs->conns[q].name);
			ok = false;
		}
	ok = topo_read_asn(r, bo, "peerAsn", true, &bc->peer_asn, true) && ok;
	uint64_t mr = 1000;
	jin_uint(j, bo, "maxRoutes", false, 1, 4000, &mr);
	bc->max_routes = (uint32_t)mr;
	if (!ok)
		return NULL;
	topo_read_arm(r, bo, ARM_BGP_CONN, rs->arm.id, bc->name, &bc->arm, bc);
	topo_read_arm_child(r, &rs->arm, "bgpConnections", bc->name, &bc->arm, bc);
	strmap_put(r->t->by_bgpconn, bc->id, bc);
	rs->nconns++;
	return bc;
}

static const char *const BGP_CONN_KEYS[] = { "name", "id", "peerIp", "peerAsn", "maxRoutes",
					     NULL };

static const struct topo_coll BGP_CONNS = {
	.key = "bgpConnections", .expected = "a BGP connection object", .known = BGP_CONN_KEYS,
	.arm_type = ARM_BGP_CONN,
	.what = "BGP connection", .begin = bgp_conns_begin, .item = read_bgp_conn,
};

static bool read_autoscale(struct jin *j, const cJSON *asc, size_t i, void *ctx)
{
	struct route_server *rs = ctx;
	uint64_t mc;
	(void)i;
	if (jin_uint(j, asc, "minCapacity", false, 2, 48, &mc))
		rs->min_capacity = (uint32_t)mc;
	return true;
}

static bool read_router_ip(struct jin *j, const cJSON *ip, size_t k, void *ctx)
{
	struct route_server *rs = ctx;
	if (k < 2)
		jin_ipv4_value(j, ip, &rs->instance_ip[k]);
	return true;
}

/* allowBranchToBranchTraffic, hubRoutingPreference, capacity, ASN. */
static void read_route_server_options(struct jin *j, const cJSON *it, struct route_server *rs)
{
	int pref = HUB_PREF_EXPRESSROUTE;
	jin_bool(j, it, "allowBranchToBranchTraffic", false, &rs->b2b);
	topo_read_choice(j, it, "hubRoutingPreference", false, HUB_PREFS,
			 sizeof(HUB_PREFS) / sizeof(HUB_PREFS[0]), "ExpressRoute, VpnGateway or ASPath",
			 &pref);
	rs->pref = (enum hub_pref)pref;
	rs->min_capacity = 2;
	const cJSON *asc;
	if (jin_object(j, it, "virtualRouterAutoScaleConfiguration", false, &asc))
		jin_in(j, "virtualRouterAutoScaleConfiguration", asc, read_autoscale, rs);
	uint64_t vasn; /* fixed at 65515: accepted for pasted ARM output, checked */
	jin_uint(j, it, "virtualRouterAsn", false, 65515, 65515, &vasn);
}

/* subnet: a RouteServerSubnet of /26 or larger, one Route Server per VNet
 * (taken when the Route Server passed its own checks: ok). */
static void place_route_server(struct topo_reader *r, const cJSON *it, struct route_server *rs,
			       bool ok)
{
	struct jin *j = r->j;
	struct subnet *s = rs->subnet = topo_read_subnet_ref(r, it, "subnet");
	if (!s)
		return;
	rs->vnet = s->vnet;
	if (strcmp(s->name, "RouteServerSubnet") != 0)
		jin_error_at(j, "subnet",
			     "a Route Server must be in a subnet named RouteServerSubnet, not \"%s\"",
			     s->name);
	else if (s->prefixes.n > 0 && s->prefixes.v[0].len > 26)
		jin_error_at(j, "subnet", "RouteServerSubnet must be /26 or larger (is /%u)",
			     s->prefixes.v[0].len);
	if (ok && s->vnet->rs)
		jin_error_at(j, "subnet", "virtual network \"%s\" already has Route Server \"%s\"",
			     s->vnet->name, s->vnet->rs->name);
	else if (ok)
		s->vnet->rs = rs;
	if (s->prefixes.n > 0) {
		rs->instance_ip[0] = s->prefixes.v[0].addr + 4;
		rs->instance_ip[1] = s->prefixes.v[0].addr + 5;
	}
}

static void *read_route_server(struct topo_reader *r, struct topo_run *run, const cJSON *it)
{
	struct jin *j = r->j;
	struct route_server *rs = run->obj;
	const char *name = topo_read_label(r, it, &rs->name);
	bool ok = name != NULL;
	if (name && strchr(name, '/')) {
		jin_error_at(j, "name", "a Route Server name cannot contain '/'");
		ok = false;
	}
	if (ok)
		rs->name = topo_read_dup(r, topo_read_key(r, run, it, name));
	ok = ok && topo_read_name(r, run, rs->name, rs);
	if (ok)
		topo_read_arm(r, it, ARM_ROUTE_SERVER, NULL, name, &rs->arm, rs);
	read_route_server_options(j, it, rs);
	place_route_server(r, it, rs, ok);
	const cJSON *vips;
	if (jin_array(j, it, "virtualRouterIps", false, &vips)) {
		if (cJSON_GetArraySize(vips) != 2)
			jin_error_at(j, "virtualRouterIps",
				     "a Route Server has exactly two instance addresses");
		jin_each(j, "virtualRouterIps", vips, read_router_ip, rs);
	}
	topo_read_nested(r, &BGP_CONNS, it, rs);
	topo_read_nested(r, &TOPO_ROUTE_MAPS, it, rs); /* after the connections it names */
	r->t->rss[r->t->nrss++] = rs;
	return rs;
}

static struct strmap *route_server_index(struct topology *t)
{
	return t->by_rs;
}

static const char *const ROUTE_SERVER_KEYS[] = { "name", "id", "location", "subnet",
						 "allowBranchToBranchTraffic",
						 "hubRoutingPreference",
						 "virtualRouterAutoScaleConfiguration",
						 "virtualRouterIps", "virtualRouterAsn",
						 "bgpConnections", "publicIpAddress", "routeMaps",
						 NULL };

const struct topo_coll TOPO_ROUTE_SERVERS = {
	.key = "routeServers", .expected = "a Route Server object", .known = ROUTE_SERVER_KEYS,
	.what = "Route Server", .index = route_server_index, .size = sizeof(struct route_server),
	.arm_type = ARM_ROUTE_SERVER, .scoped = true,
	.item = read_route_server,
};
