/*
 * import_routes.c - Route Servers (ARM's virtualHubs) and learned routes
 * as advertise events.  See import_int.h.
 *
 * A Route Server is a Microsoft.Network/virtualHubs without a virtualWan:
 * its subnet comes from its IP configuration, its peers from its BGP
 * connections, each given inline or as records of their own (az's
 * `routeserver peering list`, ARM's child resources).
 *
 * Learned routes become advertise events at time 0 (RULES 2.1.1): from a
 * Route Server listing (keyed RouteServiceRole_IN_0 / _IN_1, one list per
 * instance), the peer is the BGP connection whose peerIp is the route's
 * sourcePeer on the Route Server whose instance address is localAddress;
 * a route that only one instance learned is sent "to" that one.  From a
 * gateway listing ({"value": [...]}), the peer is the connection whose BGP
 * address is sourcePeer.  Only eBGP routes are events: iBGP and Network
 * routes are what the other instance or Azure itself contributes, which
 * the simulation derives.  Events are grouped by peer, AS path, next hop
 * and instances, in input order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "import_int.h"
#include "prefix.h"
#include "strmap.h"
#include "vec.h"

/* ---- Route Servers -------------------------------------------------------------- */

/* The subnet ID of a hub's IP configuration e (inline, or a reference to
 * an ipConfigurations record). */
static const char *ipconfig_subnet(struct imp *im, const cJSON *e)
{
	const char *sid = imp_ref(e, "subnet");
	if (!sid) {
		struct imp_rec *c = imp_find(im, imp_str(e, "id"));
		sid = c && c->kind == IK_HUB_IPCONFIG ? imp_ref(c->o, "subnet") : NULL;
	}
	return sid;
}

/* r's ID is a child of hub's: hub ID + "/" + child + "/". */
static bool child_of(const struct imp_rec *r, const struct imp_rec *hub, const char *child)
{
	size_t n = strlen(hub->id), c = strlen(child);
	return r->id && strncasecmp(r->id, hub->id, n) == 0 && r->id[n] == '/' &&
	       strncasecmp(r->id + n + 1, child, c) == 0 && r->id[n + 1 + c] == '/';
}

/* az's routeserver objects carry no IP configuration: the imported
 * RouteServerSubnet that holds the first instance address. */
static const char *subnet_holding(struct imp *im, const cJSON *ips)
{
	uint32_t ip;
	if (!cJSON_IsArray(ips) || !cJSON_IsString(ips->child) ||
	    ipv4_parse(ips->child->valuestring, &ip) != PREFIX_OK)
		return NULL;
	const cJSON *v, *s;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(im->topo, "virtualNetworks"))
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(v, "subnets"))
	{
		struct prefix p;
		const char *pfx = imp_str(s, "addressPrefix"), *id = imp_str(s, "id");
		if (id && pfx && strcmp(imp_str(s, "name"), "RouteServerSubnet") == 0 &&
		    prefix_parse(pfx, &p) == PREFIX_OK && prefix_contains_addr(p, ip))
			return id;
	}
	return NULL;
}

static const char *hub_subnet(struct imp *im, const struct imp_rec *hub)
{
	const cJSON *ipcs = imp_get(hub->o, "ipConfigurations");
	for (const cJSON *e = cJSON_IsArray(ipcs) ? ipcs->child : NULL; e; e = e->next)
		if (ipconfig_subnet(im, e))
			return ipconfig_subnet(im, e);
	for (size_t i = 0; hub->id && i < im->nrecs; i++)
		if (im->recs[i].kind == IK_HUB_IPCONFIG && child_of(&im->recs[i], hub, "ipConfigurations"))
			return imp_ref(im->recs[i].o, "subnet");
	return subnet_holding(im, imp_get(hub->o, "virtualRouterIps"));
}

/* One BGP connection object (inline or a record) into conns, once per ID. */
static void add_bgp_conn(struct imp *im, const struct imp_rec *hub, cJSON *conns,
			 struct strmap *seen, const cJSON *e)
{
	const char *id = imp_str(e, "id");
	struct imp_rec *rec = id && !imp_get(e, "peerIp") ? imp_find(im, id) : NULL;
	if (rec && rec->kind == IK_HUB_BGP)
		e = rec->o;
	const char *name = imp_str(e, "name"), *ip = imp_str(e, "peerIp");
	const cJSON *asn = imp_get(e, "peerAsn");
	if (!name || !ip || !cJSON_IsNumber(asn)) {
		imp_error(im, hub, "bgpConnections", "a BGP connection needs name, peerIp and peerAsn");
		return;
	}
	if (id && strmap_put(seen, imp_lower(im, id), seen) == 0)
		return;
	const char *slash = strrchr(name, '/'); /* "hub/nva1" in some listings */
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "name", slash ? slash + 1 : name);
	if (id)
		cJSON_AddStringToObject(x, "id", id);
	cJSON_AddStringToObject(x, "peerIp", ip);
	cJSON_AddNumberToObject(x, "peerAsn", asn->valuedouble);
	const cJSON *mr = imp_get(e, "maxRoutes"); /* vnetsim export's own */
	if (cJSON_IsNumber(mr))
		cJSON_AddNumberToObject(x, "maxRoutes", mr->valuedouble);
	cJSON_AddItemToArray(conns, x);
}

static void hub_bgp_conns(struct imp *im, const struct imp_rec *hub, cJSON *x)
{
	cJSON *conns = cJSON_AddArrayToObject(x, "bgpConnections");
	struct strmap *seen = strmap_create();
	if (!seen) {
		imp_error(im, hub, NULL, "out of memory");
		return;
	}
	const cJSON *inl = imp_get(hub->o, "bgpConnections");
	for (const cJSON *e = cJSON_IsArray(inl) ? inl->child : NULL; e; e = e->next)
		add_bgp_conn(im, hub, conns, seen, e);
	for (size_t i = 0; hub->id && i < im->nrecs; i++)
		if (im->recs[i].kind == IK_HUB_BGP && child_of(&im->recs[i], hub, "bgpConnections"))
			add_bgp_conn(im, hub, conns, seen, im->recs[i].o);
	strmap_destroy(seen);
}

static void map_route_server(struct imp *im, struct imp_rec *r)
{
	if (imp_get(r->o, "virtualWan")) {
		imp_note(im, "Virtual WAN hubs: not modelled");
		return;
	}
	const char *sid = hub_subnet(im, r);
	if (!imp_subnet(im, sid)) {
		imp_note(im, "Route Servers without a subnet of the inputs: dropped");
		return;
	}
	cJSON *x = cJSON_CreateObject();
	r->made = x;
	cJSON_AddStringToObject(x, "name", r->name);
	if (r->id)
		cJSON_AddStringToObject(x, "id", r->id);
	const char *loc = imp_str(r->o, "location");
	if (loc)
		cJSON_AddStringToObject(x, "location", loc);
	cJSON_AddItemToObject(x, "subnet", imp_ref_to(sid));
	const cJSON *v;
	if (cJSON_IsBool(v = imp_get(r->o, "allowBranchToBranchTraffic")))
		cJSON_AddItemToObject(x, "allowBranchToBranchTraffic", cJSON_Duplicate(v, 0));
	if (cJSON_IsString(v = imp_get(r->o, "hubRoutingPreference")))
		cJSON_AddStringToObject(x, "hubRoutingPreference", v->valuestring);
	v = imp_get(imp_get(r->o, "virtualRouterAutoScaleConfiguration"), "minCapacity");
	if (cJSON_IsNumber(v))
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(x, "virtualRouterAutoScaleConfiguration"),
					"minCapacity", v->valuedouble);
	if (cJSON_IsArray(v = imp_get(r->o, "virtualRouterIps")))
		cJSON_AddItemToObject(x, "virtualRouterIps", cJSON_Duplicate(v, 1));
	if (cJSON_IsNumber(v = imp_get(r->o, "virtualRouterAsn")))
		cJSON_AddNumberToObject(x, "virtualRouterAsn", v->valuedouble);
	hub_bgp_conns(im, r, x);
	/* Route maps written inline by vnetsim export (ARM's routeMaps shape). */
	if (cJSON_IsArray(v = imp_get(r->o, "routeMaps")) && cJSON_GetArraySize(v) > 0)
		cJSON_AddItemToObject(x, "routeMaps", cJSON_Duplicate(v, 1));
	cJSON_AddItemToArray(imp_topo_array(im, "routeServers"), x);
}

void imp_map_route_servers(struct imp *im)
{
	for (size_t i = 0; i < im->nrecs; i++)
		if (im->recs[i].kind == IK_HUB)
			map_route_server(im, &im->recs[i]);
}

/* ---- learned routes -------------------------------------------------------------- */

static const char *const INSTANCE_KEYS[2] = { "RouteServiceRole_IN_0", "RouteServiceRole_IN_1" };

bool imp_routes_shape(const cJSON *doc)
{
	if (!cJSON_IsObject(doc))
		return false;
	if (cJSON_GetObjectItemCaseSensitive(doc, INSTANCE_KEYS[0]) ||
	    cJSON_GetObjectItemCaseSensitive(doc, INSTANCE_KEYS[1]))
		return true;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "value");
	return cJSON_IsArray(v) && cJSON_GetObjectItemCaseSensitive(v->child, "network") &&
	       cJSON_GetObjectItemCaseSensitive(v->child, "sourcePeer");
}

struct learned {                       /* one (peer, prefix, path, next hop) */
	const char *from;              /* the event's "from" */
	const char *network, *as_path, *next_hop;
	unsigned mask;                 /* instances that learned it: 1 IN_0, 2 IN_1, 0 gateway */
};

struct routes {
	struct imp *im;
	struct learned *v;
	size_t n, cap;
	struct strmap *idx;            /* "from|network|path|hop" -> index + 1 */
};

/* The peer of a route: a Route Server BGP connection ("rs/conn", or its
 * ID when the Route Server's name is shared), or a gateway connection. */
static const char *rs_peer(struct imp *im, const char *local, const char *peer)
{
	const cJSON *rss = cJSON_GetObjectItemCaseSensitive(im->topo, "routeServers"), *rs, *c;
	cJSON_ArrayForEach(rs, rss)
	{
		const cJSON *ips = cJSON_GetObjectItemCaseSensitive(rs, "virtualRouterIps"), *ip;
		bool here = !local || !cJSON_IsArray(ips);
		cJSON_ArrayForEach(ip, ips) here = here || (cJSON_IsString(ip) &&
							    strcmp(ip->valuestring, local) == 0);
		if (!here)
			continue;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rs, "bgpConnections"))
		{
			if (strcmp(imp_str(c, "peerIp"), peer) != 0)
				continue;
			const char *id = imp_str(c, "id");
			size_t same = 0;
			const cJSON *o;
			cJSON_ArrayForEach(o, rss) same += strcmp(imp_str(o, "name"), imp_str(rs, "name")) == 0;
			return same > 1 && id ? id
					      : arena_printf(im->a, "%s/%s", imp_str(rs, "name"),
							     imp_str(c, "name"));
		}
	}
	return NULL;
}

static const char *gw_peer(struct imp *im, const char *peer)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(im->topo, "connections"))
	{
		const char *addr = imp_str(c, "peerBgpAddress");
		if (addr && strcmp(addr, peer) == 0)
			return imp_str(c, "name");
	}
	return NULL;
}

/* One route of a listing (the path at it in where). */
static void add_route(struct routes *rt, const char *file, const char *where, const cJSON *e,
		      unsigned mask)
{
	struct imp *im = rt->im;
	const char *net = imp_str(e, "network"), *src = imp_str(e, "sourcePeer");
	const char *origin = imp_str(e, "origin"), *hop = imp_str(e, "nextHop");
	const char *path = imp_str(e, "asPath"), *local = imp_str(e, "localAddress");
	struct prefix p;
	if (!net || prefix_parse(net, &p) != PREFIX_OK || !src) {
		imp_error_at(im, file, where, "a learned route needs network (a prefix) and sourcePeer");
		return;
	}
	if (!origin || strcasecmp(origin, "EBgp") != 0)
		return; /* iBGP and the gateway's own: derived by the simulation */
	if (path && strpbrk(path, "{}()")) {
		imp_note(im, "learned routes with AS sets or confederations: dropped");
		return;
	}
	const char *from = mask ? rs_peer(im, local, src) : gw_peer(im, src);
	if (!from) {
		imp_note(im, "learned routes from peers not in the inputs: dropped");
		return;
	}
	const char *key = arena_printf(im->a, "%s|%s|%s|%s", from, net, path ? path : "",
				       hop ? hop : "");
	size_t at = key ? (size_t)(uintptr_t)strmap_get(rt->idx, key) : 0;
	if (at) {
		rt->v[at - 1].mask |= mask;
		return;
	}
	struct learned *l = key ? VEC_PUSH(rt->v, rt->n, rt->cap) : NULL;
	if (!l || strmap_put(rt->idx, key, (void *)(uintptr_t)rt->n) < 0) {
		imp_error_at(im, file, where, "out of memory");
		return;
	}
	*l = (struct learned){ from, net, path ? path : "", hop, mask };
}

static void add_listing(struct routes *rt, const struct imp_doc *d)
{
	char where[96];
	for (unsigned k = 0; k < 2; k++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(d->doc, INSTANCE_KEYS[k]);
		size_t i = 0;
		if (arr && !cJSON_IsArray(arr))
			imp_error_at(rt->im, d->file, INSTANCE_KEYS[k], "expected an array of routes");
		for (const cJSON *e = cJSON_IsArray(arr) ? arr->child : NULL; e; e = e->next, i++) {
			snprintf(where, sizeof(where), "$.%s[%zu]", INSTANCE_KEYS[k], i);
			add_route(rt, d->file, where, e, 1u << k);
		}
	}
	const cJSON *val = cJSON_GetObjectItemCaseSensitive(d->doc, "value");
	size_t i = 0;
	for (const cJSON *e = cJSON_IsArray(val) ? val->child : NULL; e; e = e->next, i++) {
		snprintf(where, sizeof(where), "$.value[%zu]", i);
		add_route(rt, d->file, where, e, 0);
	}
}

/* "65001 65002" as numbers into arr; false when a hop is not one. */
static bool as_path(const char *s, cJSON *arr)
{
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || v > 4294967295ul)
			return false;
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)v));
		for (s = end; *s == ' ' || *s == ','; s++)
			;
	}
	return true;
}

/* A new event for l; returns its prefixes array. */
static cJSON *new_event(struct routes *rt, const struct learned *l)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "at", 0);
	cJSON_AddStringToObject(e, "op", "advertise");
	cJSON_AddStringToObject(e, "from", l->from);
	cJSON *pfx = cJSON_AddArrayToObject(e, "prefixes");
	if (!as_path(l->as_path, cJSON_AddArrayToObject(e, "asPath")))
		imp_note(rt->im, "learned routes with an unreadable AS path: path left empty");
	if (l->next_hop)
		cJSON_AddStringToObject(e, "nextHop", l->next_hop);
	if (l->mask == 1 || l->mask == 2) {
		cJSON *to = cJSON_AddArrayToObject(e, "to");
		cJSON_AddItemToArray(to, cJSON_CreateString(l->mask == 1 ? "IN_0" : "IN_1"));
	}
	cJSON_AddItemToArray(rt->im->events, e);
	return pfx;
}

void imp_routes(struct imp *im)
{
	struct routes rt = { .im = im, .idx = strmap_create() };
	struct strmap *groups = strmap_create(); /* "from|path|hop|mask" -> prefixes array */
	if (!rt.idx || !groups) {
		imp_error_at(im, "", "", "out of memory");
		rt.n = 0;
	}
	for (size_t i = 0; rt.idx && i < im->nroutes; i++)
		add_listing(&rt, im->routes[i]);
	/* One event per peer, AS path, next hop and instances, in input order. */
	for (size_t i = 0; i < rt.n; i++) {
		const struct learned *l = &rt.v[i];
		const char *key = arena_printf(im->a, "%s|%s|%s|%u", l->from, l->as_path,
					       l->next_hop ? l->next_hop : "", l->mask);
		cJSON *pfx = key ? strmap_get(groups, key) : NULL;
		if (!pfx && key) {
			pfx = new_event(&rt, l);
			strmap_put(groups, key, pfx);
		}
		if (pfx)
			cJSON_AddItemToArray(pfx, cJSON_CreateString(l->network));
	}
	free(rt.v);
	strmap_destroy(rt.idx);
	strmap_destroy(groups);
}
