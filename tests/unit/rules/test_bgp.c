/*
 * test_bgp.c - the BGP decision process of RULES 1.5 (models/rules/bgp.c).
 *
 * Boundaries first (no candidate, one candidate, empty AS path, no VNet
 * prefix), then every filter and every step of bgp_decide, table-driven:
 * each case lists its candidates and the expected ECMP set (indices in
 * candidate order).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgp.h"
#include "helpers.h"

#define MAXC 8
#define END_PATH 0u /* terminator of the AS path arrays below (0 is no ASN) */

enum { ER = BGP_ORIGIN_EXPRESSROUTE, VPN = BGP_ORIGIN_VPN, STAT = BGP_ORIGIN_STATIC, NVA = BGP_ORIGIN_NVA };

struct cand_spec {
	int origin;
	uint32_t path[6];       /* END_PATH terminated */
	uint32_t weight;
};

/* Candidate builders: C(origin, asn...), C0(origin) with an empty AS path,
 * CW(origin, weight, asn...). */
#define C(o, ...) { .origin = (o), .path = { __VA_ARGS__, END_PATH } }
#define C0(o) { .origin = (o), .path = { END_PATH } }
#define CW(o, w, ...) { .origin = (o), .weight = (w), .path = { __VA_ARGS__, END_PATH } }
#define CASE(nm, has_rs, pf) .name = (nm), .rs = (has_rs), .pref = (pf)

struct decide_case {
	const char *name;
	bool rs;
	enum hub_pref pref;
	struct cand_spec c[MAXC];
	size_t n;
	size_t best[MAXC];
	size_t nbest;
};

static size_t path_len(const uint32_t *p)
{
	size_t n = 0;
	while (n < 6 && p[n] != END_PATH)
		n++;
	return n;
}

static void run_case(const struct decide_case *tc)
{
	struct bgp_path paths[MAXC];
	const struct bgp_path *cands[MAXC];
	size_t best[MAXC];
	struct prefix pfx = P("192.168.0.0/16");
	for (size_t i = 0; i < tc->n; i++) {
		const struct cand_spec *s = &tc->c[i];
		paths[i] = (struct bgp_path){ .prefix = pfx, .origin = (enum bgp_origin)s->origin,
					      .as_path = s->path, .as_len = (uint16_t)path_len(s->path),
					      .weight = s->weight, .receiver_asn = BGP_ASN_AZURE };
		cands[i] = &paths[i];
	}
	struct bgp_ctx ctx = { .has_route_server = tc->rs, .pref = tc->pref };
	memset(best, 0xff, sizeof(best));
	size_t nb = bgp_decide(&ctx, cands, tc->n, best);
	cr_expect_eq(nb, tc->nbest, "%s: %zu best paths, expected %zu", tc->name, nb, tc->nbest);
	for (size_t i = 0; i < nb && i < tc->nbest; i++)
		cr_expect_eq(best[i], tc->best[i], "%s: best[%zu] = %zu, expected %zu", tc->name, i,
			     best[i], tc->best[i]);
}

/* ---- names ---------------------------------------------------------------- */

Test(bgp, origin_names)
{
	cr_expect_str_eq(bgp_origin_name(BGP_ORIGIN_EXPRESSROUTE), "ExpressRoute");
	cr_expect_str_eq(bgp_origin_name(BGP_ORIGIN_VPN), "VpnGateway");
	cr_expect_str_eq(bgp_origin_name(BGP_ORIGIN_STATIC), "Static");
	cr_expect_str_eq(bgp_origin_name(BGP_ORIGIN_NVA), "HubBgpConnection");
	cr_expect_str_eq(bgp_origin_name((enum bgp_origin)99), "Unknown");
}

/* ---- step 1: loop prevention ------------------------------------------------ */

Test(bgp, loop_prevention_on_receiver_asn)
{
	static const struct {
		const char *name;
		uint32_t receiver;
		uint32_t path[6];
		bool loops;
	} cases[] = {
		{ "empty AS path (static)", 65515, { END_PATH }, false },
		{ "RS: path without 65515", 65515, { 65001, END_PATH }, false },
		{ "RS: 65515 last", 65515, { 65001, 65515, END_PATH }, true },
		{ "RS: 65515 first", 65515, { 65515, 65001, END_PATH }, true },
		{ "RS: 65515 only", 65515, { 65515, END_PATH }, true },
		{ "ER: 12076 then on-prem", 65515, { 12076, 65020, END_PATH }, false },
		{ "ER: 12076 then 65515 from another hub", 65515, { 12076, 65020, 65515, END_PATH }, true },
		{ "custom VPN ASN: 65515 is not a loop", 65010, { 65100, 65515, END_PATH }, false },
		{ "custom VPN ASN: its own ASN is", 65010, { 65100, 65010, END_PATH }, true },
		{ "custom VPN ASN: 4-byte", 4200000001u, { 65100, 4200000001u, END_PATH }, true },
		{ "neighbour ASN one off", 65515, { 65514, 65516, END_PATH }, false },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct bgp_path p = { .prefix = P("192.168.0.0/16"), .origin = BGP_ORIGIN_NVA,
				      .as_path = cases[i].path,
				      .as_len = (uint16_t)path_len(cases[i].path),
				      .receiver_asn = cases[i].receiver };
		cr_expect_eq(bgp_path_loops(&p), cases[i].loops, "%s", cases[i].name);
	}
}

/* ---- step 2: the VNet-prefix filter ---------------------------------------- */

Test(bgp, vnet_prefix_filter)
{
	const struct prefix vnets[] = { P("10.0.0.0/16"), P("10.1.0.0/16"), P("172.16.5.0/24") };
	static const struct {
		const char *prefix;
		bool filtered;
	} cases[] = {
		{ "10.0.0.0/16", true },     /* equal to the hub */
		{ "10.1.0.0/16", true },     /* equal to a spoke */
		{ "10.0.0.0/24", true },     /* more specific, first address */
		{ "10.0.255.255/32", true }, /* host route, last address */
		{ "10.1.128.0/17", true },
		{ "172.16.5.0/24", true },
		{ "172.16.5.128/25", true },
		{ "10.0.0.0/15", false },    /* supernet of both */
		{ "10.0.0.0/8", false },
		{ "0.0.0.0/0", false },
		{ "172.16.4.0/23", false },  /* supernet of the /24 */
		{ "10.2.0.0/16", false },    /* neighbour */
		{ "9.255.255.255/32", false },
		{ "10.2.0.0/32", false },
		{ "172.16.6.0/24", false },
	};
	struct bgp_ctx ctx = { .vnet_prefixes = vnets, .nvnet_prefixes = NELEM(vnets) };
	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(bgp_prefix_filtered(&ctx, P(cases[i].prefix)), cases[i].filtered, "%s",
			     cases[i].prefix);

	struct bgp_ctx none = { 0 };
	cr_expect(!bgp_prefix_filtered(&none, P("10.0.0.0/16")), "no VNet prefix filters nothing");
	cr_expect(!bgp_prefix_filtered(&none, P("0.0.0.0/0")));
}

Test(bgp, vnet_space_of_everything_filters_everything)
{
	const struct prefix all[] = { P("0.0.0.0/0") };
	struct bgp_ctx ctx = { .vnet_prefixes = all, .nvnet_prefixes = 1 };
	cr_expect(bgp_prefix_filtered(&ctx, P("0.0.0.0/0")));
	cr_expect(bgp_prefix_filtered(&ctx, P("255.255.255.255/32")));
}

/* xorshift64: the test's own deterministic generator. */
static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A prefix of length len with few distinct high bits, so that prefixes nest
 * and repeat.  Each draw is its own statement: two calls in one expression
 * would be unsequenced (issue 18 item 9). */
static struct prefix random_prefix(uint64_t *x, uint8_t len)
{
	uint32_t high = (uint32_t)(xorshift(x) % 4) << 28;
	uint32_t low = (uint32_t)xorshift(x) & 0x0fffffffu;
	return (struct prefix){ .addr = (high | low) & prefix_mask(len), .len = len };
}

/* The binary-search filter over normalized prefixes answers exactly as the
 * linear scan over the raw list, on random nested and overlapping lists. */
Test(bgp, normalized_filter_matches_the_linear_scan)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (int round = 0; round < 200; round++) {
		struct prefix raw[40], norm[40];
		size_t n = 1 + xorshift(&x) % 40;
		for (size_t i = 0; i < n; i++) {
			raw[i] = random_prefix(&x, (uint8_t)(4 + xorshift(&x) % 25));
			norm[i] = raw[i];
		}
		size_t nn = bgp_prefixes_normalize(norm, n);
		for (size_t i = 1; i < nn; i++)
			cr_assert(prefix_compare(norm[i - 1], norm[i]) < 0 &&
				  !prefix_contains(norm[i - 1], norm[i]) && !prefix_contains(norm[i], norm[i - 1]),
				  "round %d: not sorted and disjoint at %zu", round, i);
		struct bgp_ctx lin = { .vnet_prefixes = raw, .nvnet_prefixes = n };
		struct bgp_ctx bin = { .vnet_prefixes = norm, .nvnet_prefixes = nn, .vnet_normalized = true };
		for (int q = 0; q < 500; q++) {
			struct prefix p = random_prefix(&x, (uint8_t)(xorshift(&x) % 33));
			cr_assert_eq(bgp_prefix_filtered(&bin, p), bgp_prefix_filtered(&lin, p),
				     "round %d query %d", round, q);
		}
	}
}

/* ---- step 6: NO_ADVERTISE ---------------------------------------------------- */

Test(bgp, no_advertise_detection)
{
	static const struct {
		const char *name;
		uint32_t comms[4];
		uint16_t n;
		bool no_adv;
	} cases[] = {
		{ "no communities", { 0 }, 0, false },
		{ "NO_ADVERTISE alone", { 0xFFFFFF02u }, 1, true },
		{ "NO_ADVERTISE after others", { (65001u << 16) | 100, 0xFFFFFF02u }, 2, true },
		{ "NO_EXPORT is not NO_ADVERTISE", { 0xFFFFFF01u }, 1, false },
		{ "NO_EXPORT_SUBCONFED is not", { 0xFFFFFF03u }, 1, false },
		{ "65282:65535 (swapped halves) is not", { (65282u << 16) | 65535u }, 1, false },
		{ "other communities", { (65515u << 16) | 10000, (65517u << 16) | 12076 }, 2, false },
	};
	cr_expect_eq(BGP_COMM_NO_ADVERTISE, (65535u << 16) | 65282u);
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct bgp_path p = { .prefix = P("0.0.0.0/0"), .origin = BGP_ORIGIN_NVA,
				      .communities = cases[i].comms,
				      .ncommunities = cases[i].n };
		cr_expect_eq(bgp_path_no_advertise(&p), cases[i].no_adv, "%s", cases[i].name);
	}
}

/* ---- steps 3-4: bgp_decide ---------------------------------------------------- */

Test(bgp, decide_no_candidates)
{
	struct bgp_ctx ctx = { 0 };
	size_t best[1] = { 42 };
	cr_expect_eq(bgp_decide(&ctx, NULL, 0, best), 0);
	cr_expect_eq(best[0], 42, "nothing written");
}

Test(bgp, decide_single_candidate_of_each_origin)
{
	static const int origins[] = { ER, VPN, STAT, NVA };
	static const enum hub_pref prefs[] = { HUB_PREF_EXPRESSROUTE, HUB_PREF_VPN, HUB_PREF_ASPATH };
	for (size_t o = 0; o < NELEM(origins); o++)
		for (size_t p = 0; p < NELEM(prefs); p++)
			for (int rs = 0; rs < 2; rs++) {
				struct decide_case tc = { .name = "single", .rs = rs, .pref = prefs[p],
							  .n = 1, .best = { 0 }, .nbest = 1 };
				tc.c[0].origin = origins[o];
				tc.c[0].path[0] = 65001;
				run_case(&tc);
			}
}

/* Step 3 without a Route Server: ExpressRoute beats VPN whatever the AS
 * path lengths, and whatever a (meaningless) preference field says. */
Test(bgp, expressroute_beats_vpn_without_route_server)
{
	static const struct decide_case cases[] = {
		{ CASE("ER long path vs VPN short", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C(ER, 12076, 65020, 65020, 65020), C(VPN, 65030) },
		  .n = 2, .best = { 0 }, .nbest = 1 },
		{ CASE("VPN first in candidate order", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C(VPN, 65030), C(ER, 12076, 65020, 65020) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("pref field ignored without RS (VpnGateway)", false, HUB_PREF_VPN),
		  .c = { C(VPN, 65030), C(ER, 12076, 65020) }, .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("pref field ignored without RS (ASPath)", false, HUB_PREF_ASPATH),
		  .c = { C(VPN, 65030), C(ER, 12076, 65020, 65020) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("ER beats a static prefix without RS", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C0(STAT), C(ER, 12076, 65020) }, .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("two VPN + one ER", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C(VPN, 65030), C(VPN, 65031),
		    C(ER, 12076, 65020) },
		  .n = 3, .best = { 2 }, .nbest = 1 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		run_case(&cases[i]);
}

/* Step 3 with a Route Server: hubRoutingPreference.  One prefix from ER
 * (length 2 with 12076), VPN (length 1) and an NVA (length 3), as in the
 * conformance case route-server-hub-routing-preference. */
Test(bgp, hub_routing_preference)
{
	static const struct decide_case cases[] = {
		{ CASE("ExpressRoute: ER first", true, HUB_PREF_EXPRESSROUTE),
		  .c = { C(ER, 12076, 65020), C(VPN, 65030),
		    C(NVA, 65001, 65001, 65001) },
		  .n = 3, .best = { 0 }, .nbest = 1 },
		{ CASE("VpnGateway: VPN/NVA first, then shortest (VPN)", true, HUB_PREF_VPN),
		  .c = { C(ER, 12076, 65020), C(VPN, 65030),
		    C(NVA, 65001, 65001, 65001) },
		  .n = 3, .best = { 1 }, .nbest = 1 },
		{ CASE("VpnGateway: NVA wins over a shorter ER", true, HUB_PREF_VPN),
		  .c = { C(ER, 12076), C(NVA, 65001, 65001, 65001) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("ASPath: shortest regardless of source (VPN)", true, HUB_PREF_ASPATH),
		  .c = { C(ER, 12076, 65020), C(VPN, 65030),
		    C(NVA, 65001, 65001, 65001) },
		  .n = 3, .best = { 1 }, .nbest = 1 },
		{ CASE("ASPath: ER shortest", true, HUB_PREF_ASPATH),
		  .c = { C(NVA, 65001, 65001, 65001), C(ER, 12076, 65020) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("ASPath: NVA shorter than ER", true, HUB_PREF_ASPATH),
		  .c = { C(ER, 12076, 65020, 65020), C(NVA, 65001) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		/* A tie between classes is not documented: the code falls back
		 * to the default preference, ExpressRoute (RULES E3.3). */
		{ CASE("ASPath tie ER vs NVA: ExpressRoute default", true, HUB_PREF_ASPATH),
		  .c = { C(NVA, 65001, 65001), C(ER, 12076, 65020) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("ASPath tie ER vs VPN: ExpressRoute default", true, HUB_PREF_ASPATH),
		  .c = { C(ER, 12076, 65020), C(VPN, 65030, 65030) },
		  .n = 2, .best = { 0 }, .nbest = 1 },
		{ CASE("ExpressRoute pref, only VPN and NVA: shortest", true, HUB_PREF_EXPRESSROUTE),
		  .c = { C(VPN, 65030, 65030), C(NVA, 65001) }, .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("VpnGateway pref, only ER: ER kept", true, HUB_PREF_VPN),
		  .c = { C(ER, 12076, 65020), C(ER, 12076, 65021, 65021) },
		  .n = 2, .best = { 0 }, .nbest = 1 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		run_case(&cases[i]);
}

/* "VPN against NVA is always decided by AS path length", under every
 * preference, with and without ER in the running. */
Test(bgp, vpn_vs_nva_by_as_path_regardless_of_preference)
{
	static const enum hub_pref prefs[] = { HUB_PREF_EXPRESSROUTE, HUB_PREF_VPN, HUB_PREF_ASPATH };
	static const struct cand_spec shorter_nva[] = { C(VPN, 65030, 65030),
							C(NVA, 65001) };
	static const struct cand_spec shorter_vpn[] = { C(NVA, 65001, 65001),
							C(VPN, 65030) };
	static const struct cand_spec equal[] = { C(NVA, 65001, 65001),
						  C(VPN, 65030, 65030) };
	for (size_t p = 0; p < NELEM(prefs); p++) {
		struct decide_case tc = { .name = "shorter NVA", .rs = true, .pref = prefs[p], .n = 2,
					  .best = { 1 }, .nbest = 1 };
		memcpy(tc.c, shorter_nva, sizeof(shorter_nva));
		run_case(&tc);
		tc.name = "shorter VPN";
		memcpy(tc.c, shorter_vpn, sizeof(shorter_vpn));
		run_case(&tc);
		tc.name = "equal: ECMP VPN + NVA";
		memcpy(tc.c, equal, sizeof(equal));
		tc.best[0] = 0;
		tc.best[1] = 1;
		tc.nbest = 2;
		run_case(&tc);
	}
	/* With a longer ER path in the running, under the preferences that
	 * let VPN/NVA win, the two are still compared by AS path length. */
	static const struct decide_case with_er[] = {
		{ CASE("VpnGateway: ER + longer VPN + NVA", true, HUB_PREF_VPN),
		  .c = { C(ER, 12076, 65020, 65020), C(VPN, 65030, 65030), C(NVA, 65001) },
		  .n = 3, .best = { 2 }, .nbest = 1 },
		{ CASE("VpnGateway: ER + VPN + longer NVA", true, HUB_PREF_VPN),
		  .c = { C(NVA, 65001, 65001), C(ER, 12076), C(VPN, 65030) },
		  .n = 3, .best = { 2 }, .nbest = 1 },
		{ CASE("ASPath: ER + equal VPN and NVA: ECMP", true, HUB_PREF_ASPATH),
		  .c = { C(VPN, 65030), C(ER, 12076, 65020, 65020), C(NVA, 65001) },
		  .n = 3, .best = { 0, 2 }, .nbest = 2 },
	};
	for (size_t i = 0; i < NELEM(with_er); i++)
		run_case(&with_er[i]);
}

/* Step 4: routingWeight first, then AS path, among ExpressRoute paths. */
Test(bgp, routing_weight_before_as_path_among_er)
{
	static const struct decide_case cases[] = {
		{ CASE("higher weight with a longer path wins", false, HUB_PREF_EXPRESSROUTE),
		  .c = { CW(ER, 0, 12076, 65020),
		    CW(ER, 100, 12076, 65021, 65021, 65021) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("higher weight first in order", false, HUB_PREF_EXPRESSROUTE),
		  .c = { CW(ER, 100, 12076, 65021, 65021, 65021),
		    CW(ER, 0, 12076, 65020) },
		  .n = 2, .best = { 0 }, .nbest = 1 },
		{ CASE("weight 1 beats weight 0", false, HUB_PREF_EXPRESSROUTE),
		  .c = { CW(ER, 0, 12076, 65020), CW(ER, 1, 12076, 65021, 65021) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("equal weight: shorter path", false, HUB_PREF_EXPRESSROUTE),
		  .c = { CW(ER, 50, 12076, 65020, 65020), CW(ER, 50, 12076, 65021) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("equal weight and length: ECMP", false, HUB_PREF_EXPRESSROUTE),
		  .c = { CW(ER, 50, 12076, 65020), CW(ER, 50, 12076, 65021),
		    CW(ER, 10, 12076, 65022) },
		  .n = 3, .best = { 0, 1 }, .nbest = 2 },
		{ CASE("a shorter path seen before a higher weight does not stick", false, HUB_PREF_EXPRESSROUTE),
		  .c = { CW(ER, 0, 12076), CW(ER, 32000, 12076, 65021, 65021),
		    CW(ER, 32000, 12076, 65022) },
		  .n = 3, .best = { 2 }, .nbest = 1 },
		{ CASE("weight of the losing class does not matter", true, HUB_PREF_VPN),
		  .c = { CW(ER, 32000, 12076), C(NVA, 65001, 65001) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
		/* A weight on a non-ER path (not meaningful) must not act. */
		{ CASE("weight ignored between VPN/NVA paths", true, HUB_PREF_VPN),
		  .c = { CW(NVA, 500, 65001, 65001), CW(VPN, 0, 65030) },
		  .n = 2, .best = { 1 }, .nbest = 1 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		run_case(&cases[i]);
}

/* RULES 1.5.3 under ASPath: the ExpressRoute gateway's own best paths
 * (step 4 on ExpressRoute alone: weight, then length) against the shortest
 * VPN/NVA paths; the shorter wins, an equal length keeps ExpressRoute.  A
 * short ExpressRoute path that loses inside its own class on weight does
 * not speak for the class. */
Test(bgp, aspath_compares_the_expressroute_best_not_its_shortest)
{
	static const struct decide_case cases[] = {
		{ CASE("weighted longer ER vs shorter NVA: NVA", true, HUB_PREF_ASPATH),
		  .c = { CW(ER, 0, 12076, 65100), CW(ER, 100, 12076, 65200, 65200, 65200),
		    C(NVA, 65001, 65001, 65001) },
		  .n = 3, .best = { 2 }, .nbest = 1 },
		{ CASE("weighted ER of equal length to NVA: ER (default order)", true, HUB_PREF_ASPATH),
		  .c = { CW(ER, 0, 12076, 65100), CW(ER, 100, 12076, 65200, 65200),
		    C(NVA, 65001, 65001, 65001) },
		  .n = 3, .best = { 1 }, .nbest = 1 },
		{ CASE("weighted longer ER vs shorter VPN: VPN", true, HUB_PREF_ASPATH),
		  .c = { CW(ER, 0, 12076, 65300), CW(ER, 50, 12076, 65300, 65300, 65300),
		    C(VPN, 65100, 65100, 65100) },
		  .n = 3, .best = { 2 }, .nbest = 1 },
		{ CASE("weighted ER shorter than VPN and NVA: ER", true, HUB_PREF_ASPATH),
		  .c = { C(VPN, 65100, 65100, 65100), CW(ER, 50, 12076, 65300),
		    C(NVA, 65001, 65001, 65001) },
		  .n = 3, .best = { 1 }, .nbest = 1 },
		{ CASE("equal-weight ER ECMP vs longer NVA: both ER", true, HUB_PREF_ASPATH),
		  .c = { CW(ER, 10, 12076, 65300), CW(ER, 10, 12076, 65301),
		    C(NVA, 65001, 65001, 65001) },
		  .n = 3, .best = { 0, 1 }, .nbest = 2 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		run_case(&cases[i]);
}

Test(bgp, ecmp_ties_keep_candidate_order)
{
	static const struct decide_case cases[] = {
		{ CASE("three equal NVAs", true, HUB_PREF_EXPRESSROUTE),
		  .c = { C(NVA, 65001), C(NVA, 65002), C(NVA, 65003) },
		  .n = 3, .best = { 0, 1, 2 }, .nbest = 3 },
		{ CASE("prepended NVA in the middle drops out", true, HUB_PREF_EXPRESSROUTE),
		  .c = { C(NVA, 65001), C(NVA, 65002, 65002),
		    C(NVA, 65003) },
		  .n = 3, .best = { 0, 2 }, .nbest = 2 },
		{ CASE("two VPN sessions equal (active/active CSRs)", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C(VPN, 65100), C(VPN, 65100) }, .n = 2, .best = { 0, 1 }, .nbest = 2 },
		{ CASE("prepending makes one path unique", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C(VPN, 65100), C(VPN, 65100, 65100) }, .n = 2, .best = { 0 }, .nbest = 1 },
		{ CASE("ER class ECMP with losers of the other class interleaved", true, HUB_PREF_EXPRESSROUTE),
		  .c = { C(NVA, 65001), C(ER, 12076, 65020),
		    C(VPN, 65030), C(ER, 12076, 65021) },
		  .n = 4, .best = { 1, 3 }, .nbest = 2 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		run_case(&cases[i]);
}

/* A static prefix (localNetworkAddressPrefixes) has an empty AS path and
 * beats any BGP path of its class; it does not beat ExpressRoute under the
 * ExpressRoute preference. */
Test(bgp, static_beats_bgp_of_its_class)
{
	static const struct decide_case cases[] = {
		{ CASE("static vs VPN BGP", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C(VPN, 65030), C0(STAT) }, .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("static vs NVA", true, HUB_PREF_EXPRESSROUTE),
		  .c = { C(NVA, 65001), C0(STAT) }, .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("static vs ER under ExpressRoute pref: ER", true, HUB_PREF_EXPRESSROUTE),
		  .c = { C0(STAT), C(ER, 12076, 65020) }, .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("static vs ER under VpnGateway pref: static", true, HUB_PREF_VPN),
		  .c = { C0(STAT), C(ER, 12076, 65020) }, .n = 2, .best = { 0 }, .nbest = 1 },
		{ CASE("static vs ER under ASPath pref: static (length 0)", true, HUB_PREF_ASPATH),
		  .c = { C(ER, 12076), C0(STAT) }, .n = 2, .best = { 1 }, .nbest = 1 },
		{ CASE("two static prefixes of two connections: ECMP", false, HUB_PREF_EXPRESSROUTE),
		  .c = { C0(STAT), C(VPN, 65030), C0(STAT) },
		  .n = 3, .best = { 0, 2 }, .nbest = 2 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		run_case(&cases[i]);
}

/* ---- step 5: the path as the Azure side receives it --------------------------- */

Test(bgp, expressroute_paths_get_12076_in_front)
{
	static const struct {
		const char *name;
		int origin;
		uint32_t sent[4];
		size_t len;
		uint32_t want[5];
		size_t nwant;
	} cases[] = {
		{ "ER: on-premises path", ER, { 65020 }, 1, { 12076, 65020 }, 2 },
		{ "ER: prepended on-premises path", ER, { 65020, 65020, 65021 }, 3,
		  { 12076, 65020, 65020, 65021 }, 4 },
		{ "ER: empty path is 12076 alone", ER, { 0 }, 0, { 12076 }, 1 },
		{ "ER: 12076 already sent is prepended again", ER, { 12076 }, 1, { 12076, 12076 }, 2 },
		{ "VPN: as sent", VPN, { 65030, 65031 }, 2, { 65030, 65031 }, 2 },
		{ "NVA: as sent", NVA, { 65001 }, 1, { 65001 }, 1 },
		{ "NVA: empty stays empty", NVA, { 0 }, 0, { 0 }, 0 },
		{ "static: empty stays empty", STAT, { 0 }, 0, { 0 }, 0 },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		uint32_t out[6];
		memset(out, 0xab, sizeof(out));
		size_t n = bgp_as_path_received((enum bgp_origin)cases[i].origin, cases[i].sent,
						cases[i].len, out);
		cr_assert_eq(n, cases[i].nwant, "%s: length %zu, expected %zu", cases[i].name, n,
			     cases[i].nwant);
		for (size_t k = 0; k < n; k++)
			cr_expect_eq(out[k], cases[i].want[k], "%s: [%zu] = %u, expected %u",
				     cases[i].name, k, out[k], cases[i].want[k]);
		cr_expect_eq(out[n], 0xababababu, "%s: nothing written past the path", cases[i].name);
	}
}

/* Step 5 feeds steps 1 and 3: the prepended ASN counts in the AS path
 * length (under the ASPath preference a one-ASN VPN path beats an
 * ExpressRoute path sent with one ASN), and an on-premises path that went
 * through another Azure hub (65515) still loops after the prepend. */
Test(bgp, prepended_path_counts_in_length_and_loops)
{
	const uint32_t on_prem[] = { 65020 }, vpn_sent[] = { 65030 };
	uint32_t er[4], vpn[4];
	struct bgp_path p[2] = {
		{ .prefix = P("10.20.0.0/16"), .origin = BGP_ORIGIN_EXPRESSROUTE, .as_path = er,
		  .receiver_asn = BGP_ASN_AZURE },
		{ .prefix = P("10.20.0.0/16"), .origin = BGP_ORIGIN_VPN, .as_path = vpn,
		  .receiver_asn = BGP_ASN_AZURE },
	};
	p[0].as_len = (uint16_t)bgp_as_path_received(BGP_ORIGIN_EXPRESSROUTE, on_prem, 1, er);
	p[1].as_len = (uint16_t)bgp_as_path_received(BGP_ORIGIN_VPN, vpn_sent, 1, vpn);
	const struct bgp_path *cands[2] = { &p[0], &p[1] };
	struct bgp_ctx ctx = { .has_route_server = true, .pref = HUB_PREF_ASPATH };
	size_t best[2];
	cr_assert_eq(bgp_decide(&ctx, cands, 2, best), 1);
	cr_expect_eq(best[0], 1, "VPN (65030) beats ExpressRoute (12076 65020)");

	const uint32_t via_hub[] = { 65020, 65515 };
	uint32_t looped[4];
	struct bgp_path l = { .prefix = P("10.20.0.0/16"), .origin = BGP_ORIGIN_EXPRESSROUTE,
			      .as_path = looped, .receiver_asn = BGP_ASN_AZURE };
	l.as_len = (uint16_t)bgp_as_path_received(BGP_ORIGIN_EXPRESSROUTE, via_hub, 2, looped);
	cr_expect_eq(l.as_len, 3);
	cr_expect(bgp_path_loops(&l));
}
