/*
 * topo_routes.c - routeTables and their routes.  See topo_routes.h.
 */
#include "topo_routes.h"

#include <string.h>

#include "arena.h"
#include "jsonin.h"
#include "svctag.h"
#include "topo_load.h"

#define MAX_ROUTES_PER_TABLE 400    /* RULES E2.4 */
#define MAX_TAG_ROUTES_PER_TABLE 25 /* RULES E2.3 */

/* A route table whose routes are being read. */
struct in_table {
	struct route_table *rt;
	size_t ntag;                   /* service tag routes so far */
};

static const struct topo_choice UDR_NEXT_HOPS[] = {
	{ "VirtualAppliance", NH_VIRTUAL_APPLIANCE },
	{ "VirtualNetworkGateway", NH_VNET_GATEWAY },
	{ "VnetLocal", NH_VNET_LOCAL },
	{ "Internet", NH_INTERNET },
	{ "None", NH_NONE },
};

/* addressPrefix: a CIDR prefix, or else a service tag of the catalogue. */
static void read_route_prefix(struct topo_reader *r, struct in_table *in, const cJSON *o,
			      struct udr *u)
{
	struct jin *j = r->j;
	const char *pfx;
	if (!jin_string(j, o, "addressPrefix", true, &pfx))
		return;
	u->prefix_text = topo_read_dup(r, pfx);
	struct prefix p;
	if (prefix_parse(pfx, &p) == PREFIX_OK) {
		u->prefixes.v = arena_calloc(r->a, 1, sizeof(struct prefix));
		if (u->prefixes.v)
			u->prefixes.v[u->prefixes.n++] = p;
		return;
	}
	if (strchr(pfx, '/') != NULL || (pfx[0] >= '0' && pfx[0] <= '9')) {
		jin_prefix(j, o, "addressPrefix", true, &p); /* says what is wrong with it */
		return;
	}
	const struct svctag *tag = svctag_find(r->opts->tags, pfx);
	if (!tag) {
		jin_error_at(j, "addressPrefix",
			     "\"%s\" is neither a CIDR prefix nor a service tag of the %s catalogue",
			     pfx, r->opts->tags->origin);
		return;
	}
	u->tag = tag->region[0] ? TAG_REGIONAL : TAG_GLOBAL;
	u->prefixes = tag->prefixes;
	if (r->opts->tags->sample)
		r->t->sample_tags_used = true;
	if (++in->ntag == MAX_TAG_ROUTES_PER_TABLE + 1)
		jin_error_at(j, "addressPrefix", "route table \"%s\" has more than %d service tag routes",
			     in->rt->name, MAX_TAG_ROUTES_PER_TABLE);
}

/* nextHopType, and nextHopIpAddress for VirtualAppliance only. */
static void read_route_next_hop(struct jin *j, const cJSON *o, struct udr *u)
{
	int nh = NH_NONE;
	topo_read_choice(j, o, "nextHopType", true, UDR_NEXT_HOPS,
			 sizeof(UDR_NEXT_HOPS) / sizeof(UDR_NEXT_HOPS[0]),
			 "a route next hop type (VirtualAppliance, VirtualNetworkGateway, VnetLocal, "
			 "Internet, None)",
			 &nh);
	u->nh = (enum nh_type)nh;
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(o, "nextHopIpAddress");
	bool ip_null = !ip || cJSON_IsNull(ip) || (cJSON_IsString(ip) && ip->valuestring[0] == '\0');
	if (u->nh == NH_VIRTUAL_APPLIANCE) {
		if (ip_null)
			jin_error(j, "nextHopType VirtualAppliance needs nextHopIpAddress");
		else if (jin_ipv4(j, o, "nextHopIpAddress", true, &u->nh_ip))
			u->has_nh_ip = true;
	} else if (!ip_null) {
		jin_error_at(j, "nextHopIpAddress", "only a VirtualAppliance route has a next hop address");
	}
}

/* Azure's RouteConflict: the same addressPrefix as an earlier route, as
 * written or as the same CIDR prefix. */
static void check_route_conflict(struct jin *j, const struct route_table *rt, const struct udr *u)
{
	for (size_t q = 0; q < rt->nroutes && u->prefix_text; q++) {
		const struct udr *o = &rt->routes[q];
		if (o->prefix_text &&
		    (strcmp(o->prefix_text, u->prefix_text) == 0 ||
		     (u->tag == TAG_NONE && o->tag == TAG_NONE && u->prefixes.n == 1 &&
		      o->prefixes.n == 1 && prefix_equal(u->prefixes.v[0], o->prefixes.v[0]))))
			jin_error(j, "RouteConflict: route \"%s\" conflicts with route \"%s\": routes "
				     "cannot have the same addressPrefix",
				  u->name, o->name);
	}
}

static bool routes_begin(struct topo_reader *r, struct topo_run *run)
{
	struct in_table *in = run->parent;
	if (run->n > MAX_ROUTES_PER_TABLE)
		jin_error(r->j, "%zu routes: a route table holds at most %d", run->n,
			  MAX_ROUTES_PER_TABLE);
	in->rt->routes = topo_read_alloc(r, run->n, sizeof(*in->rt->routes));
	return in->rt->routes != NULL;
}

static void *read_route(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct in_table *in = run->parent;
	struct route_table *rt = in->rt;
	struct udr *u = &rt->routes[rt->nroutes];
	const char *name = topo_read_label(r, o, &u->name);
	read_route_prefix(r, in, o, u);
	read_route_next_hop(r->j, o, u);
	topo_read_name(r, run, name ? u->name : NULL, NULL);
	check_route_conflict(r->j, rt, u);
	rt->nroutes++;
	return u;
}

static const char *const ROUTE_KEYS[] = { "name", "id", "addressPrefix", "nextHopType",
					  "nextHopIpAddress", "hasBgpOverride", NULL };

static const struct topo_coll ROUTES = {
	.key = "routes", .expected = "a route object", .known = ROUTE_KEYS, .what = "route",
	.max = MAX_ROUTES_PER_TABLE, .begin = routes_begin, .item = read_route,
};

bool topo_routes_read_table(struct topo_reader *r, const cJSON *o, struct route_table *rt)
{
	bool named = topo_read_label(r, o, &rt->name) != NULL;
	jin_bool(r->j, o, "disableBgpRoutePropagation", false, &rt->disable_bgp);
	struct in_table in = { .rt = rt };
	topo_read_nested(r, &ROUTES, o, &in);
	return named;
}

/* ---- the collection ------------------------------------------------------------- */

static void *read_route_table(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct route_table *rt = run->obj;
	if (topo_routes_read_table(r, o, rt)) {
		const char *name = rt->name, *key = topo_read_key(r, run, o, name);
		if (key != name)
			rt->name = topo_read_dup(r, key);
		if (topo_read_name(r, run, rt->name, rt))
			topo_read_arm(r, o, ARM_ROUTE_TABLE, NULL, name, &rt->arm, rt);
	}
	r->t->rts[r->t->nrts++] = rt;
	return rt;
}

static struct strmap *route_table_index(struct topology *t)
{
	return t->by_rt;
}

static const char *const ROUTE_TABLE_KEYS[] = { "name", "id", "location", "routes",
						"disableBgpRoutePropagation", "tags", NULL };

const struct topo_coll TOPO_ROUTE_TABLES = {
	.key = "routeTables", .expected = "a route table object", .known = ROUTE_TABLE_KEYS,
	.what = "route table", .index = route_table_index, .size = sizeof(struct route_table),
	.arm_type = ARM_ROUTE_TABLE, .scoped = true,
	.item = read_route_table,
};
