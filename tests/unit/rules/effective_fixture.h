/*
 * effective_fixture.h - what the unit tests of the rules layer's table
 * modules share (test_effective.c, test_nexthop.c, test_bgpset.c): the
 * base network as JSON text, a subnet's table computed through the real
 * loader, domain sets written as text ("prefix nh[,nh...]", '*' marks a
 * Route Server row), and row and next-hop queries.
 *
 * Base network: hub 10.0.0.0/16 (westeurope) with subnets app 10.0.1.0/24
 * (route table rt-app), plain 10.0.2.0/24 (no route table) and pe
 * 10.0.3.0/24 (a private endpoint at 10.0.3.5); spoke 10.1.0.0/16 peered
 * both ways; far 10.2.0.0/16 peered one way only; other 10.3.0.0/16 in
 * northeurope peered both ways (VNetGlobalPeering).  The platform None set
 * is the DOC profile unless a test says otherwise.
 *
 * Everything is static inline, as in helpers.h: each test takes what it
 * uses.
 */
#ifndef TESTS_UNIT_RULES_EFFECTIVE_FIXTURE_H
#define TESTS_UNIT_RULES_EFFECTIVE_FIXTURE_H

#include <criterion/criterion.h>

#include "effective.h"
#include "helpers.h"

/* ---- topology text -------------------------------------------------------- */

#define R(name, prefix, type) \
	"{ 'name': '" name "', 'addressPrefix': '" prefix "', 'nextHopType': '" type "' }"
#define RVA(name, prefix, ip)                                                                  \
	"{ 'name': '" name "', 'addressPrefix': '" prefix "', 'nextHopType': 'VirtualAppliance',"\
	"  'nextHopIpAddress': '" ip "' }"
#define RT_APP(extra, routes) \
	"'routeTables': [ { 'name': 'rt-app' " extra ", 'routes': [ " routes " ] } ]"

#define HUB_PEERINGS                                                                           \
	"'virtualNetworkPeerings': ["                                                          \
	"  { 'name': 'hub-spoke', 'remoteVirtualNetwork': { 'id': 'spoke' } },"                \
	"  { 'name': 'hub-far', 'remoteVirtualNetwork': { 'id': 'far' } },"                    \
	"  { 'name': 'hub-other', 'remoteVirtualNetwork': { 'id': 'other' } } ]"
#define HUB(policy, extra_subnets)                                                             \
	"{ 'name': 'hub', 'location': 'westeurope',"                                           \
	"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                            \
	"  'subnets': [ { 'name': 'app', 'addressPrefix': '10.0.1.0/24',"                      \
	"                 'routeTable': { 'id': 'rt-app' } },"                                 \
	"               { 'name': 'plain', 'addressPrefix': '10.0.2.0/24' },"                  \
	"               { 'name': 'pe', 'addressPrefix': '10.0.3.0/24',"                       \
	"                 'privateEndpointNetworkPolicies': '" policy "' } " extra_subnets " ]," \
	HUB_PEERINGS " }"
#define SPOKES                                                                                 \
	"{ 'name': 'spoke', 'location': 'westeurope',"                                         \
	"  'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] },"                            \
	"  'subnets': [ { 'name': 'app', 'addressPrefix': '10.1.0.0/24',"                      \
	"                 'routeTable': { 'id': 'rt-app' } } ],"                               \
	"  'virtualNetworkPeerings': [ { 'name': 'spoke-hub',"                                 \
	"                                'remoteVirtualNetwork': { 'id': 'hub' } } ] },"       \
	"{ 'name': 'far', 'location': 'westeurope',"                                           \
	"  'addressSpace': { 'addressPrefixes': ['10.2.0.0/16'] },"                            \
	"  'subnets': [ { 'name': 'app', 'addressPrefix': '10.2.0.0/24' } ] },"                \
	"{ 'name': 'other', 'location': 'northeurope',"                                        \
	"  'addressSpace': { 'addressPrefixes': ['10.3.0.0/16', '10.4.0.0/16'] },"             \
	"  'subnets': [ { 'name': 'app', 'addressPrefix': '10.3.0.0/24' } ],"                  \
	"  'virtualNetworkPeerings': [ { 'name': 'other-hub',"                                 \
	"                                'remoteVirtualNetwork': { 'id': 'hub' } } ] }"
#define PE "'privateEndpoints': [ { 'name': 'pe1', 'subnet': { 'id': 'hub/pe' }," \
	   "  'privateIPAddress': '10.0.3.5' } ]"
#define NET(policy, rt) "{ 'virtualNetworks': [ " HUB(policy, "") ", " SPOKES " ], " rt ", " PE " }"

/* The base network with rt-app holding the given routes. */
#define BASE(routes) NET("Disabled", RT_APP("", routes))

/* ---- fixture --------------------------------------------------------------- */

struct efx {
	struct tload tl;
	struct prefix none_v[32];
	struct prefix_list none;
	struct eff_table *t;
};

#define DOC_NONE "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10"

static inline void set_none(struct efx *f, const char *list)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", list);
	f->none.n = 0;
	f->none.v = f->none_v;
	char *save = NULL;
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		f->none_v[f->none.n++] = P(tok);
}

/* Recomputes another subnet of the same topology (or with another None set). */
static inline const struct eff_table *eff_again(struct efx *f, const char *subnet, struct bgp_set *bgp)
{
	eff_unref(f->t);
	const struct subnet *s = topology_subnet(f->tl.t, subnet);
	cr_assert_not_null(s, "no subnet %s", subnet);
	struct eff_input in = { .topo = f->tl.t, .subnet = s, .none_set = &f->none, .bgp = bgp,
				.no_rs_view = true };
	f->t = eff_compute(&in);
	cr_assert_not_null(f->t);
	return f->t;
}

/* Loads topo (tags NULL = the sample catalogue) and computes subnet's table. */
static inline const struct eff_table *eff_load(struct efx *f, const char *topo, const char *tags,
					       const char *subnet, struct bgp_set *bgp)
{
	memset(f, 0, sizeof(*f));
	set_none(f, DOC_NONE);
	tload(&f->tl, topo, tags);
	return eff_again(f, subnet, bgp);
}

static inline void efx_fini(struct efx *f)
{
	eff_unref(f->t);
	tload_free(&f->tl);
}

/* A bgp_set from "prefix nh[,nh...]" entries; a next hop with a leading
 * '*' is a Route Server row. */
static inline struct bgp_set *mkset(const char *const *entries, size_t n)
{
	struct bgp_set *s = bgp_set_create();
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", entries[i]);
		char *sp = strchr(buf, ' ');
		cr_assert_not_null(sp, "test bug: entry \"%s\"", entries[i]);
		*sp = '\0';
		uint32_t nh[8];
		bool rs[8];
		size_t k = 0;
		char *save = NULL;
		for (char *tok = strtok_r(sp + 1, ",", &save); tok && k < 8;
		     tok = strtok_r(NULL, ",", &save), k++) {
			rs[k] = tok[0] == '*';
			nh[k] = A(tok + (rs[k] ? 1 : 0));
		}
		cr_assert_eq(bgp_set_add(s, P(buf), nh, rs, k), 0);
	}
	cr_assert_eq(bgp_set_finish(s), 0);
	return s;
}

/* ---- row queries ------------------------------------------------------------ */

#define ANY (-1)
enum { DEF = SRC_DEFAULT, USR = SRC_USER, GW = SRC_GATEWAY };
enum { INVALID = 0, ACTIVE = 1 };

/* Rows matching source, prefix (any of the row's prefixes), type, state
 * and next hop IP; ANY / NULL match anything. */
static inline size_t count_rows(const struct eff_table *t, bool without_rs, int src, const char *prefix,
			 int nh, int state, const char *ip)
{
	struct eff_iter it = { 0 };
	struct route_row r;
	size_t n = 0;
	while (eff_row(t, without_rs, &it, &r)) {
		if (src != ANY && (int)r.source != src)
			continue;
		if (nh != ANY && (int)r.nh != nh)
			continue;
		if (state != ANY && (int)r.active != state)
			continue;
		if (ip && (!r.has_nh_ip || r.nh_ip != A(ip)))
			continue;
		if (prefix) {
			bool hit = false;
			for (size_t k = 0; k < r.nprefixes && !hit; k++)
				hit = prefix_equal(r.prefixes[k], P(prefix));
			if (!hit)
				continue;
		}
		n++;
	}
	return n;
}

#define ROWS(t, src, prefix, nh, state) count_rows((t), false, (src), (prefix), (nh), (state), NULL)

/* The first row matching, asserting it exists. */
static inline struct route_row the_row(const struct eff_table *t, int src, const char *prefix, int nh)
{
	struct eff_iter it = { 0 };
	struct route_row r;
	while (eff_row(t, false, &it, &r))
		if ((src == ANY || (int)r.source == src) && (nh == ANY || (int)r.nh == nh) &&
		    prefix_equal(r.prefixes[0], P(prefix)))
			return r;
	cr_assert_fail("no row %s (source %d, type %d)", prefix, src, nh);
	return r;
}

static inline size_t none_rows(const struct eff_table *t)
{
	return ROWS(t, DEF, NULL, NH_NONE, ANY);
}

struct nh_case {
	const char *dst;
	enum nh_type nh;
	const char *ip;           /* NULL: no address */
	const char *rt;           /* NULL: System Route */
};

static inline void check_next_hops(const struct eff_table *t, bool without_rs, const struct nh_case *c,
			    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct next_hop h = eff_next_hop(t, A(c[i].dst), without_rs);
		cr_expect(h.found, "%s: found", c[i].dst);
		cr_expect_eq(h.nh, c[i].nh, "%s: type %s, expected %s", c[i].dst, nh_type_name(h.nh),
			     nh_type_name(c[i].nh));
		cr_expect_eq(h.has_nh_ip, c[i].ip != NULL, "%s: has address", c[i].dst);
		if (c[i].ip && h.has_nh_ip) {
			char got[IPV4_STRLEN];
			cr_expect_eq(h.nh_ip, A(c[i].ip), "%s: next hop %s, expected %s", c[i].dst,
				     ipv4_format(h.nh_ip, got), c[i].ip);
		}
		if (c[i].rt)
			cr_expect(h.route_table && strcmp(h.route_table, c[i].rt) == 0,
				  "%s: routeTableId %s, expected %s", c[i].dst,
				  h.route_table ? h.route_table : "System Route", c[i].rt);
		else
			cr_expect_null(h.route_table, "%s: routeTableId %s, expected System Route",
				       c[i].dst, h.route_table);
	}
}

/* A canonical text for a row, to compare tables as multisets of rows. */
static inline void row_key(const struct route_row *r, char *buf, size_t len)
{
	char p[PREFIX_STRLEN], ip[IPV4_STRLEN];
	size_t o = (size_t)snprintf(buf, len, "%s %s %s", route_source_name(r->source),
				    r->active ? "Active" : "Invalid", nh_type_name(r->nh));
	for (size_t k = 0; k < r->nprefixes && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, " %s", prefix_format(r->prefixes[k], p));
	if (o < len)
		snprintf(buf + o, len - o, " [%s] %s", r->has_nh_ip ? ipv4_format(r->nh_ip, ip) : "",
			 r->name ? r->name : "-");
}

static inline int key_cmp(const void *a, const void *b) { return strcmp(a, b); }

/* The rows of t (as a NIC with or without Route Server rows sees them),
 * sorted, one line each. */
static inline size_t table_keys(const struct eff_table *t, bool without_rs, char keys[][96], size_t max)
{
	struct eff_iter it = { 0 };
	struct route_row r;
	size_t n = 0;
	while (eff_row(t, without_rs, &it, &r) && n < max)
		row_key(&r, keys[n++], 96);
	qsort(keys, n, sizeof(keys[0]), key_cmp);
	return n;
}

/* Appends p as entry text "PREFIX HOP[,HOP]" unless seen holds it already:
 * three draws from *x (two hops or one, and the hops), in that order;
 * force_hop, when not NULL, replaces them by one hop after the draws.
 * Returns whether it was added. */
static inline bool put_entry(uint64_t *x, struct prefix p, const char *force_hop, struct prefix *seen,
		      size_t *ne, char text[][64], const char **entries)
{
	static const char *const hops[] = { "10.0.1.4", "*10.0.1.4", "*10.0.1.5", "10.0.255.4" };
#define NEXT() (*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17, *x)
	for (size_t k = 0; k < *ne; k++)
		if (prefix_equal(seen[k], p))
			return false;
	seen[*ne] = p;
	char pf[PREFIX_STRLEN];
	bool two = NEXT() % 3 == 0;
	const char *h1 = hops[NEXT() % NELEM(hops)];
	const char *h2 = hops[NEXT() % NELEM(hops)];
#undef NEXT
	if (force_hop)
		h1 = force_hop, two = false;
	snprintf(text[*ne], 64, "%s %s%s%s", prefix_format(p, pf), h1, two ? "," : "",
		 two ? h2 : "");
	entries[*ne] = text[*ne];
	(*ne)++;
	return true;
}

#endif
