/*
 * topo_routemaps.c - a Route Server's routeMaps from the topology JSON
 * (RULES 1.10).  See topo_routemaps.h.
 */
#include "topo_routemaps.h"

#include <stdlib.h>
#include <string.h>

#include "routemap.h"
#include "jsonin.h"
#include "arena.h"

static const struct topo_choice CONDITIONS[] = {
	{ "Contains", RM_CONTAINS },
	{ "Equals", RM_EQUALS },
	{ "NotContains", RM_NOT_CONTAINS },
	{ "NotEquals", RM_NOT_EQUALS },
};
static const struct topo_choice ACTIONS[] = {
	{ "Add", RM_ADD }, { "Remove", RM_REMOVE }, { "Replace", RM_REPLACE }, { "Drop", RM_DROP },
};
static const struct topo_choice NEXT_STEPS[] = {
	{ "Continue", RM_CONTINUE },
	{ "Terminate", RM_TERMINATE },
};
#define NCHOICES(a) (sizeof(a) / sizeof((a)[0]))

/* ---- values: routePrefix, community, asPath -------------------------------- */

struct u32_list {
	uint32_t *v;
	size_t n;
};

/* An asPath element: an ASN as a string ("65001", as ARM writes it) or a
 * number, 1..65535 (route maps take 2-byte ASNs only, RULES 1.10). */
static bool read_asn(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	struct u32_list *l = ctx;
	(void)i;
	double d = -1;
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
	} else if (cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) <= 5 &&
		   strspn(v->valuestring, "0123456789") == strlen(v->valuestring)) {
		d = strtod(v->valuestring, NULL);
	}
	if (d < 1 || d > 65535 || d != (double)(uint32_t)d) {
		jin_error(j, "expected an ASN from 1 to 65535 (route maps take 2-byte ASNs only, "
			     "RULES 1.10)");
		return true;
	}
	l->v[l->n++] = (uint32_t)d;
	return true;
}

static bool read_community(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	struct u32_list *l = ctx;
	(void)i;
	uint32_t c;
	if (!jin_is_string(j, v, "a BGP community \"ASN:value\""))
		return true;
	if (!routemap_parse_community(v->valuestring, &c)) {
		jin_error(j, "\"%s\" is not a BGP community: expected \"ASN:value\", both 0 to 65535",
			  v->valuestring);
		return true;
	}
	l->v[l->n++] = c;
	return true;
}

/* obj.key as a list read by fn into the arena: false when absent. */
static bool read_u32s(struct topo_reader *r, const cJSON *obj, const char *key, jin_visit_fn fn,
		      uint32_t **out, size_t *n)
{
	const cJSON *arr;
	if (!jin_array(r->j, obj, key, false, &arr))
		return false;
	struct u32_list l = { topo_read_alloc(r, (size_t)cJSON_GetArraySize(arr), sizeof(uint32_t)),
			      0 };
	if (l.v)
		jin_each(r->j, key, arr, fn, &l);
	*out = l.v;
	*n = l.n;
	return true;
}

static void read_values(struct topo_reader *r, const cJSON *o, struct rm_values *v)
{
	struct prefix_list pl = { 0 };
	if (cJSON_GetObjectItemCaseSensitive(o, "routePrefix")) {
		topo_read_prefixes(r, o, "routePrefix", false, &pl);
		v->has_prefix = true;
	}
	v->prefixes = pl.v;
	v->nprefixes = pl.n;
	v->has_asn = read_u32s(r, o, "asPath", read_asn, &v->asns, &v->nasns);
	v->has_community =
		read_u32s(r, o, "community", read_community, &v->communities, &v->ncommunities);
}

/* ---- match criteria ------------------------------------------------------------ */

static const char *const CRITERION_KEYS[] = { "matchCondition", "routePrefix", "community",
					      "asPath", NULL };

/* An element of a rule's list: an object with the given keys, and its
 * enum member `key` (one of choices) into *value.  False (reported) when
 * the element is not an object. */
static bool rule_item(struct jin *j, const cJSON *o, const char *expected,
		      const char *const *keys, const char *key, const struct topo_choice *choices,
		      size_t nchoices, const char *names, int *value)
{
	if (!cJSON_IsObject(o)) {
		jin_error(j, "expected %s", expected);
		return false;
	}
	jin_known_keys(j, o, keys);
	topo_read_choice(j, o, key, true, choices, nchoices, names, value);
	return true;
}

static bool read_criterion(struct jin *j, const cJSON *o, size_t i, void *ctx)
{
	struct topo_reader *r = ((void **)ctx)[0];
	struct rm_criterion *c = &((struct rm_rule *)((void **)ctx)[1])->crit[i];
	int cond = RM_CONTAINS;
	if (!rule_item(j, o, "a match criterion object", CRITERION_KEYS, "matchCondition",
		       CONDITIONS, NCHOICES(CONDITIONS), "Contains, Equals, NotContains or NotEquals",
		       &cond))
		return true;
	c->cond = (enum rm_cond)cond;
	read_values(r, o, &c->v);
	if (!c->v.has_prefix && !c->v.has_asn && !c->v.has_community)
		jin_error(j, "a match criterion needs routePrefix, community or asPath");
	for (size_t k = 0; k < 3; k++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, CRITERION_KEYS[k + 1]);
		if (cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 0)
			jin_error_at(j, CRITERION_KEYS[k + 1], "an empty list matches nothing: give "
							       "at least one value or leave the key out");
	}
	return true;
}

/* ---- actions ------------------------------------------------------------------- */

static const char *const ACTION_KEYS[] = { "type", "parameters", NULL };
static const char *const PARAM_KEYS[] = { "routePrefix", "community", "asPath", NULL };

/* ARM lists parameters as objects; their values add up. */
static void merge(struct topo_reader *r, struct rm_values *into, const struct rm_values *v)
{
	if (v->has_prefix && !into->has_prefix) {
		into->prefixes = v->prefixes, into->nprefixes = v->nprefixes;
	} else if (v->has_prefix && v->nprefixes) {
		struct prefix *p = topo_read_alloc(r, into->nprefixes + v->nprefixes, sizeof(*p));
		if (!p)
			return;
		if (into->nprefixes) /* memcpy from NULL is undefined even for 0 bytes */
			memcpy(p, into->prefixes, into->nprefixes * sizeof(*p));
		memcpy(p + into->nprefixes, v->prefixes, v->nprefixes * sizeof(*p));
		into->prefixes = p, into->nprefixes += v->nprefixes;
	}
	into->has_prefix |= v->has_prefix;
	uint32_t **dst[2] = { &into->asns, &into->communities };
	size_t *dn[2] = { &into->nasns, &into->ncommunities };
	uint32_t *const src[2] = { v->asns, v->communities };
	const size_t sn[2] = { v->nasns, v->ncommunities };
	for (int k = 0; k < 2; k++) {
		if (!sn[k])
			continue;
		uint32_t *u = topo_read_alloc(r, *dn[k] + sn[k], sizeof(*u));
		if (!u)
			return;
		if (*dn[k])
			memcpy(u, *dst[k], *dn[k] * sizeof(*u));
		memcpy(u + *dn[k], src[k], sn[k] * sizeof(*u));
		*dst[k] = u, *dn[k] += sn[k];
	}
	into->has_asn |= v->has_asn;
	into->has_community |= v->has_community;
}

static bool read_param(struct jin *j, const cJSON *o, size_t i, void *ctx)
{
	struct topo_reader *r = ((void **)ctx)[0];
	struct rm_action *a = ((void **)ctx)[1];
	(void)i;
	if (!cJSON_IsObject(o)) {
		jin_error(j, "expected an action parameter object");
		return true;
	}
	jin_known_keys(j, o, PARAM_KEYS);
	struct rm_values v = { 0 };
	read_values(r, o, &v);
	merge(r, &a->v, &v);
	return true;
}

/* What RULES 1.10 allows an action to carry, and Azure's restrictions. */
static void check_action(struct jin *j, const struct rm_action *a)
{
	const struct rm_values *v = &a->v;
	if (a->type == RM_DROP && (v->has_asn || v->has_community))
		jin_error(j, "a Drop action takes only routePrefix parameters (the routes to drop)");
	if (a->type == RM_ADD && v->has_prefix)
		jin_error(j, "Add cannot take routePrefix: a route map only summarizes "
			     "(routePrefix Replace), it never creates routes (RULES 1.10)");
	if (a->type == RM_REMOVE && (v->has_prefix || v->has_asn))
		jin_error(j, "Remove takes community values only (RULES 1.10)");
	if (a->type == RM_REPLACE && v->has_prefix && !v->nprefixes)
		jin_error(j, "a routePrefix Replace needs the summary prefix(es)");
	if (a->type != RM_DROP && a->type != RM_REPLACE && !v->has_prefix && !v->has_asn &&
	    !v->has_community)
		jin_error(j, "this action has no parameters: nothing to %s",
			  a->type == RM_ADD ? "add" : "remove");
	bool warned = false; /* one warning per action */
	for (size_t i = 0; a->type != RM_REMOVE && i < v->nasns; i++)
		if (routemap_reserved_asn(v->asns[i])) {
			jin_error(j, "ASN %u is reserved by Azure: a route map must not put it in "
				     "an AS path (RULES 1.10)",
				  (unsigned)v->asns[i]);
		} else if (v->asns[i] >= 64512 && v->asns[i] <= 65534 && !warned) {
			jin_warn(j, "ASN %u is private: Azure advises against private ASNs in AS "
				    "path prepends (RULES 1.10)",
				 (unsigned)v->asns[i]);
			warned = true;
		}
	for (size_t i = 0; a->type == RM_REMOVE && i < v->ncommunities; i++)
		if (routemap_azure_community(v->communities[i])) {
			char buf[12];
			jin_error(j, "community %s is Azure's own: a route map must not remove it "
				     "(RULES 1.10)",
				  routemap_format_community(v->communities[i], buf));
		}
}

static bool read_action(struct jin *j, const cJSON *o, size_t i, void *ctx)
{
	struct topo_reader *r = ((void **)ctx)[0];
	struct rm_action *a = &((struct rm_rule *)((void **)ctx)[1])->act[i];
	int type = RM_ADD;
	if (!rule_item(j, o, "an action object", ACTION_KEYS, "type", ACTIONS, NCHOICES(ACTIONS),
		       "Add, Remove, Replace or Drop", &type))
		return true;
	a->type = (enum rm_action_type)type;
	const cJSON *params;
	if (jin_array(j, o, "parameters", false, &params)) {
		void *pctx[2] = { r, a };
		jin_each(j, "parameters", params, read_param, pctx);
	}
	check_action(j, a);
	return true;
}

/* ---- rules and maps --------------------------------------------------------------- */

/* obj.key's objects into *dst (n of size bytes in the arena), each read by
 * fn with ctx {r, owner}: *dst is set before fn runs, which writes there. */
static void read_list(struct topo_reader *r, const cJSON *o, const char *key, size_t size,
		      void **dst, size_t *n, jin_visit_fn fn, void *owner)
{
	const cJSON *arr;
	*n = 0;
	if (!jin_array(r->j, o, key, false, &arr))
		return;
	size_t m = (size_t)cJSON_GetArraySize(arr);
	if (!(*dst = topo_read_alloc(r, m, size)))
		return;
	*n = m;
	void *ctx[2] = { r, owner };
	jin_each(r->j, key, arr, fn, ctx);
}

static bool rules_begin(struct topo_reader *r, struct topo_run *run)
{
	struct route_map *m = run->parent;
	m->rules = topo_read_alloc(r, run->n, sizeof(*m->rules));
	return m->rules != NULL;
}

static void *read_rule(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct route_map *m = run->parent;
	struct rm_rule *ru = &m->rules[m->nrules];
	if (!topo_read_label(r, o, &ru->name) || !topo_read_name(r, run, ru->name, NULL))
		return NULL;
	int next = RM_CONTINUE;
	topo_read_choice(r->j, o, "nextStepIfMatched", false, NEXT_STEPS, NCHOICES(NEXT_STEPS),
			 "Continue or Terminate", &next);
	ru->next = (enum rm_next)next;
	read_list(r, o, "matchCriteria", sizeof(*ru->crit), (void **)&ru->crit, &ru->ncrit,
		  read_criterion, ru);
	read_list(r, o, "actions", sizeof(*ru->act), (void **)&ru->act, &ru->nact, read_action,
		  ru);
	m->nrules++;
	return ru;
}

static const char *const RULE_KEYS[] = { "name", "matchCriteria", "actions", "nextStepIfMatched",
					 NULL };

static const struct topo_coll RULES = {
	.key = "rules", .expected = "a route map rule object", .known = RULE_KEYS,
	.what = "route map rule", .begin = rules_begin, .item = read_rule,
};

/* A bgpConnection of rs by name or id ("nva1", "ars/nva1"), or NULL. */
static struct bgp_conn *find_conn(struct route_server *rs, const char *ref)
{
	for (size_t i = 0; i < rs->nconns; i++)
		if (strcmp(rs->conns[i].name, ref) == 0 || strcmp(rs->conns[i].id, ref) == 0)
			return &rs->conns[i];
	return NULL;
}

struct assoc {
	struct topo_reader *r;
	struct route_server *rs;
	struct route_map *m;
	bool inbound;
};

/* One connection of associatedInboundConnections / ...Outbound: a
 * bgpConnection of this Route Server, one map per direction (RULES 1.10). */
static bool read_assoc(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	struct assoc *a = ctx;
	(void)i;
	if (!jin_is_string(j, v, "a bgpConnection name"))
		return true;
	struct bgp_conn *bc = find_conn(a->rs, v->valuestring);
	if (!bc) {
		bool gw = topology_connection(a->r->t, v->valuestring) != NULL;
		jin_error(j, "Route Server \"%s\" has no bgpConnection \"%s\"%s", a->rs->name,
			  v->valuestring,
			  gw ? " (route maps on gateway connections are not modelled, RULES 1.10)"
			     : "");
		return true;
	}
	const struct route_map **slot = a->inbound ? &bc->in_map : &bc->out_map;
	if (*slot && *slot != a->m)
		jin_error(j, "bgpConnection \"%s\" already has %s route map \"%s\": one map per "
			     "direction (RULES 1.10)",
			  bc->name, a->inbound ? "inbound" : "outbound", (*slot)->name);
	else
		*slot = a->m;
	return true;
}

static bool maps_begin(struct topo_reader *r, struct topo_run *run)
{
	struct route_server *rs = run->parent;
	rs->maps = topo_read_alloc(r, run->n, sizeof(*rs->maps));
	return rs->maps != NULL;
}

static void *read_map(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct route_server *rs = run->parent;
	struct route_map *m = &rs->maps[rs->nmaps];
	if (!topo_read_label(r, o, &m->name) || !topo_read_name(r, run, m->name, NULL))
		return NULL;
	rs->nmaps++;
	topo_read_nested(r, &RULES, o, m);
	static const char *const KEYS[2] = { "associatedInboundConnections",
					     "associatedOutboundConnections" };
	for (int k = 0; k < 2; k++) {
		const cJSON *arr;
		struct assoc a = { r, rs, m, k == 0 };
		if (jin_array(r->j, o, KEYS[k], false, &arr))
			jin_each(r->j, KEYS[k], arr, read_assoc, &a);
	}
	return m;
}

static const char *const MAP_KEYS[] = { "name", "id", "rules", "associatedInboundConnections",
					"associatedOutboundConnections", NULL };

const struct topo_coll TOPO_ROUTE_MAPS = {
	.key = "routeMaps", .expected = "a route map object", .known = MAP_KEYS,
	.what = "route map", .begin = maps_begin, .item = read_map,
};
