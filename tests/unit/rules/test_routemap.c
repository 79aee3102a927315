/*
 * test_routemap.c - route maps of RULES 1.10 (models/rules/routemap.c).
 *
 * Boundaries first (no map, an empty map, a rule without criteria), then
 * each match condition per property, each action, the order of rules
 * (Continue, Terminate, an unmatched rule's next step ignored), the
 * summarization that strips attributes, the restrictions' tables, the
 * community syntax, and the post-policy RIB that routemap_refresh builds
 * from a loaded topology.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "routemap.h"
#include "speaker.h"
#include "topology.h"

#define COMM(hi, lo) (((uint32_t)(hi) << 16) | (uint32_t)(lo))

/* A route 10.2.1.0/24, AS path [65001], communities 65001:100 65001:200. */
static uint32_t PATH[] = { 65001 };
static uint32_t COMMS[] = { COMM(65001, 100), COMM(65001, 200) };
static struct rib_route route(const char *prefix)
{
	return (struct rib_route){ .prefix = P(prefix), .as_path = PATH, .as_len = 1,
				   .communities = COMMS, .ncommunities = 2 };
}

static struct rm_values prefixes(struct prefix *v, size_t n)
{
	return (struct rm_values){ .prefixes = v, .nprefixes = n, .has_prefix = true };
}
static struct rm_values asns(uint32_t *v, size_t n)
{
	return (struct rm_values){ .asns = v, .nasns = n, .has_asn = true };
}
static struct rm_values comms(uint32_t *v, size_t n)
{
	return (struct rm_values){ .communities = v, .ncommunities = n, .has_community = true };
}

static bool matches(enum rm_cond cond, struct rm_values v, const struct rib_route *r)
{
	struct rm_criterion c = { .cond = cond, .v = v };
	struct prefix p = r->prefix;
	return routemap_criterion_matches(&c, &p, 1, r->as_path, r->as_len, r->communities,
					  r->ncommunities);
}

static void apply(const struct route_map *m, const struct rib_route *r, struct rm_result *out)
{
	cr_assert_eq(routemap_apply(m, r, out), 0);
}

/* ---- boundaries ----------------------------------------------------------- */

Test(routemap, no_map_and_empty_map_keep_the_route)
{
	struct rib_route r = route("10.2.1.0/24");
	struct rm_result res;
	apply(NULL, &r, &res);
	cr_assert_eq(res.verdict, RM_UNCHANGED);
	cr_assert_eq(res.nprefixes, 1);
	cr_assert(prefix_equal(res.prefixes[0], r.prefix));
	cr_assert_eq(res.last_rule, -1);
	rm_result_fini(&res);
	struct route_map empty = { .name = "empty" };
	apply(&empty, &r, &res);
	cr_assert_eq(res.verdict, RM_UNCHANGED);
	rm_result_fini(&res);
}

Test(routemap, rule_without_criteria_matches_every_route)
{
	uint32_t add[] = { 64580 };
	struct rm_action a = { .type = RM_ADD, .v = asns(add, 1) };
	struct rm_rule rule = { .name = "all", .act = &a, .nact = 1 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rib_route r = route("192.168.7.0/24");
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.verdict, RM_MODIFIED);
	cr_assert_eq(res.as_len, 2);
	cr_assert_eq(res.as_path[0], 64580);
	cr_assert_eq(res.as_path[1], 65001);
	cr_assert_eq(res.last_rule, 0);
	rm_result_fini(&res);
}

Test(routemap, rule_without_actions_leaves_a_matched_route_unchanged)
{
	struct rm_rule rule = { .name = "noop" };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rib_route r = route("10.2.1.0/24");
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.verdict, RM_UNCHANGED);
	cr_assert_eq(res.last_rule, 0);
	rm_result_fini(&res);
}

/* ---- match conditions (the documentation's table) ---------------------- */

Test(routemap, prefix_equals_is_exact_contains_takes_what_is_underneath)
{
	struct prefix v[] = { P("10.1.0.0/16"), P("192.168.16.0/24") };
	struct rib_route exact = route("10.1.0.0/16"), under = route("10.1.5.0/24"),
			 other = route("10.10.0.0/16"), wider = route("10.0.0.0/8");
	cr_assert(matches(RM_EQUALS, prefixes(v, 2), &exact));
	cr_assert_not(matches(RM_EQUALS, prefixes(v, 2), &under));
	cr_assert(matches(RM_CONTAINS, prefixes(v, 2), &exact));
	cr_assert(matches(RM_CONTAINS, prefixes(v, 2), &under));
	cr_assert_not(matches(RM_CONTAINS, prefixes(v, 2), &other));
	cr_assert_not(matches(RM_CONTAINS, prefixes(v, 2), &wider));
	/* E9.18: Not* negates. */
	cr_assert(matches(RM_NOT_EQUALS, prefixes(v, 2), &under));
	cr_assert_not(matches(RM_NOT_EQUALS, prefixes(v, 2), &exact));
	cr_assert(matches(RM_NOT_CONTAINS, prefixes(v, 2), &other));
	cr_assert_not(matches(RM_NOT_CONTAINS, prefixes(v, 2), &under));
}

Test(routemap, community_equals_needs_all_contains_needs_one)
{
	struct rib_route r = route("10.2.1.0/24");
	uint32_t both[] = { COMM(65001, 200), COMM(65001, 100) }; /* order not relevant */
	uint32_t one_and_other[] = { COMM(65001, 100), COMM(65001, 300) };
	uint32_t none[] = { COMM(64999, 1) };
	cr_assert(matches(RM_EQUALS, comms(both, 2), &r));
	cr_assert_not(matches(RM_EQUALS, comms(one_and_other, 2), &r));
	cr_assert(matches(RM_CONTAINS, comms(one_and_other, 2), &r));
	cr_assert_not(matches(RM_CONTAINS, comms(none, 1), &r));
	cr_assert(matches(RM_NOT_CONTAINS, comms(none, 1), &r));
	cr_assert(matches(RM_NOT_EQUALS, comms(one_and_other, 2), &r));
}

Test(routemap, aspath_equals_is_the_sequence_contains_any_asn)
{
	uint32_t path[] = { 65001, 65002, 65003 };
	struct rib_route r = { .prefix = P("10.2.1.0/24"), .as_path = path, .as_len = 3 };
	uint32_t same[] = { 65001, 65002, 65003 }, reordered[] = { 65003, 65002, 65001 };
	uint32_t some[] = { 64999, 65002 }, absent[] = { 64999 };
	cr_assert(matches(RM_EQUALS, asns(same, 3), &r));
	cr_assert_not(matches(RM_EQUALS, asns(reordered, 3), &r));
	cr_assert_not(matches(RM_EQUALS, asns(same, 2), &r)); /* a prefix of the path */
	cr_assert(matches(RM_CONTAINS, asns(some, 2), &r));
	cr_assert_not(matches(RM_CONTAINS, asns(absent, 1), &r));
	cr_assert(matches(RM_NOT_EQUALS, asns(reordered, 3), &r));
	cr_assert(matches(RM_NOT_CONTAINS, asns(absent, 1), &r));
}

Test(routemap, every_criterion_of_a_rule_must_match)
{
	struct prefix pv[] = { P("10.2.1.0/24") };
	uint32_t path[] = { 65535 };
	struct rm_criterion c[2] = { { RM_EQUALS, prefixes(pv, 1) }, { RM_CONTAINS, asns(path, 1) } };
	struct rm_action drop = { .type = RM_DROP };
	struct rm_rule rule = { .crit = c, .ncrit = 2, .act = &drop, .nact = 1 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rib_route r = route("10.2.1.0/24"); /* path [65001]: the second fails */
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.verdict, RM_UNCHANGED);
	rm_result_fini(&res);
	uint32_t p2[] = { 65535 };
	r.as_path = p2;
	apply(&m, &r, &res);
	cr_assert_eq(res.verdict, RM_DROPPED);
	rm_result_fini(&res);
}

/* ---- actions -------------------------------------------------------------- */

Test(routemap, aspath_add_prepends_in_order_replace_sets_and_empty_clears)
{
	uint32_t add[] = { 64510, 64511 }, set[] = { 65004, 65005 };
	struct rib_route r = route("10.2.1.0/24");
	struct rm_action a = { .type = RM_ADD, .v = asns(add, 2) };
	struct rm_rule rule = { .act = &a, .nact = 1 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.as_len, 3);
	cr_assert_eq(res.as_path[0], 64510);
	cr_assert_eq(res.as_path[1], 64511);
	cr_assert_eq(res.as_path[2], 65001);
	rm_result_fini(&res);
	a = (struct rm_action){ .type = RM_REPLACE, .v = asns(set, 2) };
	apply(&m, &r, &res);
	cr_assert_eq(res.as_len, 2);
	cr_assert_eq(res.as_path[0], 65004);
	cr_assert_eq(res.as_path[1], 65005);
	rm_result_fini(&res);
	a = (struct rm_action){ .type = RM_REPLACE, .v = asns(NULL, 0) };
	apply(&m, &r, &res);
	cr_assert_eq(res.as_len, 0);
	cr_assert_eq(res.verdict, RM_MODIFIED);
	cr_assert_eq(res.ncommunities, 2, "communities untouched");
	rm_result_fini(&res);
}

Test(routemap, community_add_replace_remove)
{
	struct rib_route r = route("10.2.1.0/24");
	uint32_t add[] = { COMM(64580, 300), COMM(65001, 100) }; /* one already there */
	struct rm_action a = { .type = RM_ADD, .v = comms(add, 2) };
	struct rm_rule rule = { .act = &a, .nact = 1 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.ncommunities, 3);
	cr_assert_eq(res.communities[2], COMM(64580, 300));
	rm_result_fini(&res);
	uint32_t rm[] = { COMM(65001, 100) };
	a = (struct rm_action){ .type = RM_REMOVE, .v = comms(rm, 1) };
	apply(&m, &r, &res);
	cr_assert_eq(res.ncommunities, 1);
	cr_assert_eq(res.communities[0], COMM(65001, 200));
	rm_result_fini(&res);
	uint32_t set[] = { COMM(64580, 300), COMM(64581, 300) };
	a = (struct rm_action){ .type = RM_REPLACE, .v = comms(set, 2) };
	apply(&m, &r, &res);
	cr_assert_eq(res.ncommunities, 2);
	cr_assert_eq(res.communities[1], COMM(64581, 300));
	rm_result_fini(&res);
	a = (struct rm_action){ .type = RM_REPLACE, .v = comms(NULL, 0) };
	apply(&m, &r, &res);
	cr_assert_eq(res.ncommunities, 0);
	rm_result_fini(&res);
}

Test(routemap, summarization_replaces_the_prefix_and_strips_attributes)
{
	struct prefix sum[] = { P("10.2.0.0/16") };
	struct rib_route r = route("10.2.1.0/24");
	struct rm_action a = { .type = RM_REPLACE, .v = prefixes(sum, 1) };
	struct rm_rule rule = { .act = &a, .nact = 1 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.verdict, RM_MODIFIED);
	cr_assert_eq(res.nprefixes, 1);
	cr_assert(prefix_equal(res.prefixes[0], sum[0]));
	cr_assert_eq(res.as_len, 0);
	cr_assert_eq(res.ncommunities, 0);
	rm_result_fini(&res);
}

Test(routemap, summarize_then_prepend_in_one_rule_whatever_the_order_given)
{
	/* E9.19: the prefix Replace first, so the prepend survives. */
	struct prefix sum[] = { P("10.2.0.0/16") };
	uint32_t add[] = { 64580 };
	struct rm_action acts[2] = { { RM_ADD, asns(add, 1) }, { RM_REPLACE, prefixes(sum, 1) } };
	struct rm_rule rule = { .act = acts, .nact = 2 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rib_route r = route("10.2.1.0/24");
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.as_len, 1);
	cr_assert_eq(res.as_path[0], 64580);
	rm_result_fini(&res);
}

Test(routemap, replace_with_two_prefixes_gives_both)
{
	struct prefix sum[] = { P("10.0.0.0/8"), P("192.168.0.0/16") };
	struct rm_action a = { .type = RM_REPLACE, .v = prefixes(sum, 2) };
	struct rm_rule rule = { .act = &a, .nact = 1 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rib_route r = route("10.2.1.0/24");
	struct rm_result res;
	apply(&m, &r, &res);
	cr_assert_eq(res.nprefixes, 2);
	cr_assert(prefix_equal(res.prefixes[1], sum[1]));
	rm_result_fini(&res);
}

Test(routemap, drop_with_prefixes_drops_only_those_inside)
{
	/* E9.21 */
	struct prefix dv[] = { P("10.3.0.0/16") };
	struct rm_action a = { .type = RM_DROP, .v = prefixes(dv, 1) };
	struct rm_rule rule = { .act = &a, .nact = 1 };
	struct route_map m = { .rules = &rule, .nrules = 1 };
	struct rib_route in = route("10.3.4.0/24"), out = route("10.2.1.0/24");
	struct rm_result res;
	apply(&m, &in, &res);
	cr_assert_eq(res.verdict, RM_DROPPED);
	rm_result_fini(&res);
	apply(&m, &out, &res);
	cr_assert_eq(res.verdict, RM_UNCHANGED);
	rm_result_fini(&res);
}

/* ---- order of rules --------------------------------------------------------- */

static struct rm_result run3(enum rm_next first_next, const char *prefix)
{
	/* r0: Equals 10.2.1.0/24 -> add 64580 (first_next); r1: Contains
	 * 10.2.0.0/16 -> add 64581 (Terminate); r2: all -> drop. */
	static struct prefix p0[1], p1[1];
	p0[0] = P("10.2.1.0/24");
	p1[0] = P("10.2.0.0/16");
	static uint32_t a0[] = { 64580 }, a1[] = { 64581 };
	struct rm_criterion c0 = { RM_EQUALS, prefixes(p0, 1) }, c1 = { RM_CONTAINS, prefixes(p1, 1) };
	struct rm_action x0 = { RM_ADD, asns(a0, 1) }, x1 = { RM_ADD, asns(a1, 1) },
			 x2 = { .type = RM_DROP };
	struct rm_rule rules[3] = {
		{ "r0", &c0, 1, &x0, 1, first_next },
		{ "r1", &c1, 1, &x1, 1, RM_TERMINATE },
		{ "r2", NULL, 0, &x2, 1, RM_CONTINUE },
	};
	struct route_map m = { "m", rules, 3 };
	struct rib_route r = route(prefix);
	struct rm_result res;
	apply(&m, &r, &res);
	return res;
}

Test(routemap, continue_hands_the_changed_route_to_the_next_rule)
{
	struct rm_result res = run3(RM_CONTINUE, "10.2.1.0/24");
	cr_assert_eq(res.verdict, RM_MODIFIED);
	cr_assert_eq(res.as_len, 3);
	cr_assert_eq(res.as_path[0], 64581);
	cr_assert_eq(res.as_path[1], 64580);
	cr_assert_eq(res.last_rule, 1);
	rm_result_fini(&res);
}

Test(routemap, terminate_stops_the_map)
{
	struct rm_result res = run3(RM_TERMINATE, "10.2.1.0/24");
	cr_assert_eq(res.as_len, 2);
	cr_assert_eq(res.as_path[0], 64580);
	cr_assert_eq(res.last_rule, 0);
	rm_result_fini(&res);
}

Test(routemap, an_unmatched_rule_passes_the_route_on_whatever_its_next_step)
{
	/* r0 (Terminate) does not match 10.2.2.0/24: r1 still runs. */
	struct rm_result res = run3(RM_TERMINATE, "10.2.2.0/24");
	cr_assert_eq(res.as_len, 2);
	cr_assert_eq(res.as_path[0], 64581);
	rm_result_fini(&res);
	/* Nothing matches 172.16.0.0/24 but r2: dropped. */
	res = run3(RM_TERMINATE, "172.16.0.0/24");
	cr_assert_eq(res.verdict, RM_DROPPED);
	cr_assert_eq(res.last_rule, 2);
	rm_result_fini(&res);
}

/* ---- restrictions and syntax ----------------------------------------------- */

Test(routemap, reserved_asns_and_azure_communities)
{
	uint32_t reserved[] = { 8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520 };
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		cr_assert(routemap_reserved_asn(reserved[i]), "%u", (unsigned)reserved[i]);
	cr_assert_not(routemap_reserved_asn(65516));
	cr_assert_not(routemap_reserved_asn(64580));
	cr_assert(routemap_azure_community(COMM(65517, 12001)));
	cr_assert(routemap_azure_community(COMM(65515, 20000)));
	cr_assert(routemap_azure_community(COMM(65518, 65518)));
	cr_assert_not(routemap_azure_community(COMM(65517, 12004)));
	cr_assert_not(routemap_azure_community(COMM(65001, 100)));
}

Test(routemap, community_syntax)
{
	uint32_t c;
	cr_assert(routemap_parse_community("65001:100", &c));
	cr_assert_eq(c, COMM(65001, 100));
	cr_assert(routemap_parse_community("0:0", &c));
	cr_assert(routemap_parse_community("65535:65535", &c));
	const char *bad[] = { "", ":", "65001", "65001:", ":100", "65536:1", "1:65536", "a:b",
			      "1:2:3", "1 :2", "0000001:1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(routemap_parse_community(bad[i], &c), "\"%s\"", bad[i]);
	char buf[12];
	cr_assert_str_eq(routemap_format_community(COMM(65535, 65282), buf), "65535:65282");
}

/* ---- the post-policy RIB ------------------------------------------------------ */

static const char TOPO[] =
	"{'virtualNetworks': [{'name': 'hub', 'addressSpace': {'addressPrefixes': "
	"['10.0.0.0/16']}, 'subnets': [{'name': 'RouteServerSubnet', 'addressPrefix': "
	"'10.0.0.0/26'}]}], 'routeServers': [{'name': 'ars', 'subnet': {'id': "
	"'hub/RouteServerSubnet'}, 'bgpConnections': [{'name': 'nva1', 'peerIp': "
	"'10.0.1.4', 'peerAsn': 65001}, {'name': 'nva2', 'peerIp': '10.0.1.5', "
	"'peerAsn': 65002}], 'routeMaps': [{'name': 'rm1', 'rules': [{'name': 'sum', "
	"'matchCriteria': [{'matchCondition': 'Contains', 'routePrefix': "
	"['10.2.0.0/16']}], 'actions': [{'type': 'Replace', 'parameters': "
	"[{'routePrefix': ['10.2.0.0/16']}]}], 'nextStepIfMatched': 'Terminate'}, "
	"{'name': 'drop', 'matchCriteria': [{'matchCondition': 'Equals', 'routePrefix': "
	"['10.9.0.0/16']}], 'actions': [{'type': 'Drop'}]}], "
	"'associatedInboundConnections': ['nva1']}]}]}";

Test(routemap, refresh_builds_the_post_policy_rib_of_mapped_peers_only)
{
	struct tload x;
	struct topology *t = tload(&x, TOPO, NULL);
	const struct bgp_conn *bc1 = topology_bgp_conn(t, "ars/nva1");
	cr_assert(bc1 && bc1->in_map && !bc1->out_map);
	cr_assert_str_eq(bc1->in_map->name, "rm1");
	cr_assert_null(topology_bgp_conn(t, "ars/nva2")->in_map);
	cr_assert(routemap_hub_mapped(topology_vnet(t, "hub")));

	struct speakers *sp = speakers_create();
	cr_assert(sp);
	cr_assert_eq(speakers_sync(sp, t), 0);
	struct peer *p1 = speakers_peer(sp, "ars/nva1"), *p2 = speakers_peer(sp, "ars/nva2");
	for (unsigned i = 0; i < 2; i++) {
		cr_assert_eq(peer_session_up(p1, i), 1);
		cr_assert_eq(peer_session_up(p2, i), 1);
	}
	struct rib_route rs[3] = { route("10.2.1.0/24"), route("10.2.2.0/24"), route("10.9.0.0/16") };
	cr_assert_eq(peer_advertise(sp, p1, 3, rs, 3), 0);
	cr_assert_eq(peer_advertise(sp, p2, 3, rs, 3), 0);
	cr_assert_eq(routemap_refresh(sp, t), 0);
	cr_assert(p1->mapped);
	cr_assert_not(p2->mapped);
	for (unsigned i = 0; i < 2; i++) {
		const struct rib *pol = peer_rib(p1, i);
		cr_assert_eq(pol->n, 1, "two summarized into one, one dropped");
		cr_assert(prefix_equal(pol->v[0].prefix, P("10.2.0.0/16")));
		cr_assert_eq(pol->v[0].as_len, 0);
		cr_assert_eq(p1->in[i].n, 3, "the Adj-RIB-In as received is kept");
		cr_assert_eq(peer_rib(p2, i), &p2->in[i]);
	}
	speakers_destroy(sp);
	tload_free(&x);
}
