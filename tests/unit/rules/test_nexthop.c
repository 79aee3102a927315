/*
 * test_nexthop.c - next hops of a subnet's table (models/rules/nexthop.c;
 * RULES 1.7): the rules on hand-made cases, then the fast path (flat range
 * tables) against the rules on every boundary of random tables and sets.
 *
 * The base network and the fixture are in effective_fixture.h.
 */
#include "effective_fixture.h"

/* ---- RULES 1.7 next hop ----------------------------------------------------- */

Test(nexthop, next_hop_longest_prefix_match)
{
	static const char *const e[] = { "172.16.0.0/12 10.0.1.9,10.0.1.5,10.0.1.7",
					 "172.16.5.0/24 10.0.1.6", "8.8.8.8/32 10.0.1.8" };
	struct bgp_set *bgp = mkset(e, NELEM(e));
	struct efx f;
	const struct eff_table *t = eff_load(
		&f, BASE(RVA("more-specific", "172.16.5.128/25", "10.0.1.4") ", "
			 R("drop", "172.16.7.0/24", "None") ", " R("vnet", "10.0.9.0/24", "VnetLocal")),
		NULL, "hub/app", bgp);
	static const struct nh_case nh[] = {
		{ "10.0.1.10", NH_VNET_LOCAL, NULL, NULL },
		{ "10.0.0.0", NH_VNET_LOCAL, NULL, NULL },
		{ "10.0.9.1", NH_VNET_LOCAL, NULL, "rt-app" },                  /* User VnetLocal */
		{ "10.1.2.3", NH_VNET_PEERING, NULL, NULL },
		{ "10.3.2.3", NH_VNET_GLOBAL_PEERING, NULL, NULL },
		{ "10.0.3.5", NH_INTERFACE_ENDPOINT, NULL, NULL },
		{ "10.200.0.1", NH_NONE, NULL, NULL },                          /* None 10/8 */
		{ "100.64.0.1", NH_NONE, NULL, NULL },
		{ "8.8.4.4", NH_INTERNET, NULL, NULL },
		{ "0.0.0.0", NH_INTERNET, NULL, NULL },
		{ "255.255.255.255", NH_INTERNET, NULL, NULL },
		{ "8.8.8.8", NH_VNET_GATEWAY, "10.0.1.8", NULL },               /* /32 host route */
		{ "172.16.0.1", NH_VNET_GATEWAY, "10.0.1.5", NULL },            /* ECMP: lowest */
		{ "172.31.255.255", NH_VNET_GATEWAY, "10.0.1.5", NULL },
		{ "172.16.5.1", NH_VNET_GATEWAY, "10.0.1.6", NULL },            /* longer BGP */
		{ "172.16.5.129", NH_VIRTUAL_APPLIANCE, "10.0.1.4", "rt-app" }, /* longer User */
		{ "172.16.7.1", NH_NONE, NULL, "rt-app" },
		{ "172.32.0.1", NH_INTERNET, NULL, NULL },
	};
	check_next_hops(t, false, nh, NELEM(nh));
	struct next_hop h = eff_next_hop(t, A("172.16.5.1"), false);
	cr_expect(prefix_equal(h.matched, P("172.16.5.0/24")));
	h = eff_next_hop(t, A("172.16.5.129"), false);
	cr_expect(prefix_equal(h.matched, P("172.16.5.128/25")));
	efx_fini(&f);
	bgp_set_unref(bgp);
}

Test(nexthop, next_hop_user_route_equal_to_bgp_wins)
{
	static const char *const e[] = { "172.16.0.0/12 10.0.1.5", "0.0.0.0/0 10.0.1.5" };
	struct bgp_set *bgp = mkset(e, NELEM(e));
	struct efx f;
	const struct eff_table *t = eff_load(
		&f, BASE(RVA("same", "172.16.0.0/12", "10.0.1.4") ", " R("inet", "0.0.0.0/0", "Internet")),
		NULL, "hub/app", bgp);
	static const struct nh_case nh[] = {
		{ "172.16.0.1", NH_VIRTUAL_APPLIANCE, "10.0.1.4", "rt-app" },
		{ "8.8.8.8", NH_INTERNET, NULL, "rt-app" },
	};
	check_next_hops(t, false, nh, NELEM(nh));
	efx_fini(&f);
	bgp_set_unref(bgp);
}

/* A destination inside a service-endpoint prefix goes to the endpoint
 * unless a strictly longer User or system row matches; BGP never beats it. */
Test(nexthop, next_hop_service_endpoint_pinning)
{
	static const char *const e[] = { "0.0.0.0/0 10.0.1.5", "20.38.108.0/24 10.0.1.5",
					 "20.38.109.128/25 10.0.1.5" };
	struct bgp_set *bgp = mkset(e, NELEM(e));
	static const char *const topo =
		"{ 'virtualNetworks': [ { 'name': 'v', 'location': 'westeurope',"
		"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"
		"  'subnets': [ { 'name': 'se', 'addressPrefix': '10.0.1.0/24',"
		"                 'routeTable': { 'id': 'rt' },"
		"                 'serviceEndpoints': [ { 'service': 'Microsoft.Storage' } ] } ] } ],"
		"  'routeTables': [ { 'name': 'rt', 'routes': ["
		"    { 'name': 'longer', 'addressPrefix': '20.47.7.0/25', 'nextHopType': 'VirtualAppliance',"
		"      'nextHopIpAddress': '10.0.1.4' },"
		"    { 'name': 'equal', 'addressPrefix': '20.150.8.0/23', 'nextHopType': 'VirtualAppliance',"
		"      'nextHopIpAddress': '10.0.1.4' },"
		"    { 'name': 'shorter', 'addressPrefix': '52.239.0.0/16', 'nextHopType': 'None' } ] } ] }";
	/* Storage.WestEurope (sample): 20.38.108.0/23 20.47.7.0/24 20.150.8.0/23 52.239.140.0/22 */
	struct efx f;
	const struct eff_table *t = eff_load(&f, topo, NULL, "v/se", bgp);
	static const struct nh_case nh[] = {
		{ "20.38.108.1", NH_SERVICE_ENDPOINT, NULL, NULL },      /* BGP /24 is longer: SE */
		{ "20.38.109.200", NH_SERVICE_ENDPOINT, NULL, NULL },    /* BGP /25 too */
		{ "20.47.7.1", NH_VIRTUAL_APPLIANCE, "10.0.1.4", "rt" }, /* User /25 strictly longer */
		{ "20.47.7.200", NH_SERVICE_ENDPOINT, NULL, NULL },      /* outside the /25 */
		{ "20.150.8.1", NH_SERVICE_ENDPOINT, NULL, NULL },       /* User equal: SE */
		{ "52.239.140.1", NH_SERVICE_ENDPOINT, NULL, NULL },     /* User shorter: SE */
		{ "52.239.1.1", NH_NONE, NULL, "rt" },
		{ "20.38.110.1", NH_VNET_GATEWAY, "10.0.1.5", NULL },    /* outside the SE prefixes */
	};
	check_next_hops(t, false, nh, NELEM(nh));
	/* The SE row stays Active next to a User row of the same prefix. */
	cr_expect_eq(ROWS(t, DEF, "20.150.8.0/23", NH_SERVICE_ENDPOINT, ACTIVE), 1);
	cr_expect_eq(ROWS(t, USR, "20.150.8.0/23", NH_VIRTUAL_APPLIANCE, ACTIVE), 1);
	/* BGP rows inside an SE prefix are listed (RULES E3.2, RULES E9.2). */
	cr_expect_eq(ROWS(t, GW, "20.38.108.0/24", NH_VNET_GATEWAY, ACTIVE), 1);
	efx_fini(&f);
	bgp_set_unref(bgp);
}
/* RULES 1.7: Active rows of the identical prefix forward in the order User,
 * private endpoint, gateway, Default other than None, Default None; never
 * by the order the rows were made.  A peered VNet whose space equals a
 * platform None prefix (192.168.0.0/16 in DOC) is reachable, and a User
 * row still beats the peering row of its prefix. */
Test(nexthop, equal_prefix_active_rows_forward_by_source_order)
{
	static const char *const topo =
		"{ 'virtualNetworks': ["
		"  { 'name': 'hub', 'location': 'westeurope',"
		"    'addressSpace': { 'addressPrefixes': ['20.0.0.0/16'] },"
		"    'subnets': [ { 'name': 'app', 'addressPrefix': '20.0.1.0/24' },"
		"                 { 'name': 'udr', 'addressPrefix': '20.0.2.0/24',"
		"                   'routeTable': { 'id': 'rt' } } ],"
		"    'virtualNetworkPeerings': [ { 'name': 'hub-spoke',"
		"                                  'remoteVirtualNetwork': { 'id': 'spoke' } } ] },"
		"  { 'name': 'spoke', 'location': 'westeurope',"
		"    'addressSpace': { 'addressPrefixes': ['192.168.0.0/16', '100.64.0.0/10'] },"
		"    'subnets': [ { 'name': 'app', 'addressPrefix': '192.168.1.0/24' } ],"
		"    'virtualNetworkPeerings': [ { 'name': 'spoke-hub',"
		"                                  'remoteVirtualNetwork': { 'id': 'hub' } } ] } ],"
		"  'routeTables': [ { 'name': 'rt', 'routes': ["
		"    { 'name': 'fw', 'addressPrefix': '100.64.0.0/10', 'nextHopType': 'VirtualAppliance',"
		"      'nextHopIpAddress': '20.0.1.4' } ] } ] }";
	struct efx f;
	const struct eff_table *t = eff_load(&f, topo, NULL, "hub/app", NULL);
	/* Both Default rows are Active (RULES 1.6.2): the order decides. */
	cr_expect_eq(ROWS(t, DEF, "192.168.0.0/16", NH_VNET_PEERING, ACTIVE), 1);
	cr_expect_eq(ROWS(t, DEF, "192.168.0.0/16", NH_NONE, ACTIVE), 1);
	static const struct nh_case nh[] = {
		{ "192.168.1.10", NH_VNET_PEERING, NULL, NULL },
		{ "100.64.0.1", NH_VNET_PEERING, NULL, NULL },
		{ "172.16.0.1", NH_NONE, NULL, NULL },
	};
	check_next_hops(t, false, nh, NELEM(nh));
	efx_fini(&f);
	t = eff_load(&f, topo, NULL, "hub/udr", NULL);
	static const struct nh_case udr[] = {
		{ "192.168.1.10", NH_VNET_PEERING, NULL, NULL },
		{ "100.64.0.1", NH_VIRTUAL_APPLIANCE, "20.0.1.4", "rt" },
	};
	check_next_hops(t, false, udr, NELEM(udr));
	efx_fini(&f);
}

/* ---- the view of a NIC beyond Route Server capacity -------------------------- */

/* Route Server rows of a NIC beyond Route Server capacity (without_rs). */
Test(nexthop, without_route_server_rows)
{
	static const char *const e[] = { "172.16.0.0/12 10.0.255.4,*10.0.1.4",
					 "172.16.5.0/24 *10.0.1.4,*10.0.1.5", "172.20.0.0/16 *10.0.1.6",
					 "8.8.8.0/24 10.0.255.5" };
	struct bgp_set *bgp = mkset(e, NELEM(e));
	struct efx f;
	const struct eff_table *t = eff_load(&f, BASE(""), NULL, "hub/plain", bgp);
	size_t all = eff_row_count(t, false), without = eff_row_count(t, true);
	cr_expect_eq(all - without, 4, "4 Route Server rows: %zu vs %zu", all, without);
	cr_expect_eq(count_rows(t, true, GW, NULL, ANY, ANY, NULL), 2);
	cr_expect_eq(count_rows(t, true, GW, "172.16.0.0/12", ANY, ANY, "10.0.255.4"), 1);
	struct eff_iter it = { 0 };
	struct route_row r;
	while (eff_row(t, false, &it, &r))
		if (r.source == SRC_GATEWAY)
			cr_expect_eq(r.from_route_server, (r.nh_ip & 0xffffff00u) == A("10.0.1.0"));
	static const struct nh_case with[] = {
		{ "172.16.0.1", NH_VNET_GATEWAY, "10.0.1.4", NULL },   /* lowest of .255.4, .1.4 */
		{ "172.16.5.1", NH_VNET_GATEWAY, "10.0.1.4", NULL },
		{ "172.20.0.1", NH_VNET_GATEWAY, "10.0.1.6", NULL },
		{ "8.8.8.8", NH_VNET_GATEWAY, "10.0.255.5", NULL },
	};
	check_next_hops(t, false, with, NELEM(with));
	static const struct nh_case without_rs[] = {
		{ "172.16.0.1", NH_VNET_GATEWAY, "10.0.255.4", NULL },
		{ "172.16.5.1", NH_VNET_GATEWAY, "10.0.255.4", NULL },  /* falls back to the /12 */
		{ "172.20.0.1", NH_VNET_GATEWAY, "10.0.255.4", NULL },
		{ "8.8.8.8", NH_VNET_GATEWAY, "10.0.255.5", NULL },
	};
	check_next_hops(t, true, without_rs, NELEM(without_rs));
	efx_fini(&f);
	bgp_set_unref(bgp);
}

/* Oracle: a NIC beyond Route Server capacity "receives no Route Server
 * routes" (RULES 1.8), so what it sees must be the table computed from the
 * domain's routes without the Route Server rows: same rows, same next
 * hops.  In particular 1.6.4 and 1.6.5 must not act on a Route Server 0/0
 * that this NIC does not receive. */
Test(nexthop, without_rs_view_is_the_table_without_route_server_routes)
{
	/* Regression: 1.6.4 and 1.6.5 were applied for a Route Server 0/0 the
	 * NIC does not receive, so it had no 0/0 row and no None rows, and
	 * eff_next_hop(8.8.8.8, without_rs) found no route.  100.64.0.0/10
	 * learned only from the Route Server must leave the platform None row
	 * of that prefix Active in the view without it (1.6.2). */
	static const char *const with_rs[] = { "0.0.0.0/0 *10.0.1.4",
					       "172.16.0.0/12 10.0.255.4,*10.0.1.4",
					       "192.168.0.0/16 *10.0.1.4",
					       "100.64.0.0/10 *10.0.1.4",
					       "172.16.5.0/24 *10.0.1.4,*10.0.1.5" };
	static const char *const no_rs[] = { "172.16.0.0/12 10.0.255.4" };
	struct bgp_set *b1 = mkset(with_rs, NELEM(with_rs)), *b2 = mkset(no_rs, NELEM(no_rs));
	struct efx f, g;
	eff_load(&f, BASE(""), NULL, "hub/plain", b1);
	eff_load(&g, BASE(""), NULL, "hub/plain", b2);
	static char ka[64][96], kb[64][96];
	size_t na = table_keys(f.t, true, ka, 64), nb = table_keys(g.t, false, kb, 64);
	cr_expect_eq(na, nb, "%zu rows without Route Server rows, %zu in a table without them", na, nb);
	for (size_t i = 0; i < na && i < nb; i++)
		cr_expect_str_eq(ka[i], kb[i], "row %zu: \"%s\" vs \"%s\"", i, ka[i], kb[i]);
	static const char *const dsts[] = { "8.8.8.8", "192.168.1.1", "172.16.5.1", "172.16.0.1",
					    "10.200.0.1", "100.64.0.1" };
	for (size_t i = 0; i < NELEM(dsts); i++) {
		struct next_hop a = eff_next_hop(f.t, A(dsts[i]), true);
		struct next_hop b = eff_next_hop(g.t, A(dsts[i]), false);
		cr_expect_eq(a.found, b.found, "%s: found %d, expected %d", dsts[i], a.found, b.found);
		cr_expect_eq(a.nh, b.nh, "%s: %s, expected %s", dsts[i], nh_type_name(a.nh),
			     nh_type_name(b.nh));
		cr_expect_eq(a.nh_ip, b.nh_ip, "%s: next hop address", dsts[i]);
	}
	efx_fini(&f);
	efx_fini(&g);
	bgp_set_unref(b1);
	bgp_set_unref(b2);
}

/* ---- the fast path against the rules ------------------------------------------ */

/* Oracle (STYLE: the fast path against the rules): once a table has built
 * its flat lookup table, eff_next_hop must answer exactly as
 * eff_next_hop_rules, on every rule boundary and around it and on random
 * addresses, for random domain sets over subnets with User, service
 * endpoint, peering and private endpoint rows. */
static void same_next_hop(const struct eff_table *t, uint32_t dst, bool without_rs, const char *what)
{
	struct next_hop a = eff_next_hop(t, dst, without_rs), b = eff_next_hop_rules(t, dst, without_rs);
	bool rt_same = a.route_table == b.route_table ||
		       (a.route_table && b.route_table && strcmp(a.route_table, b.route_table) == 0);
	cr_assert(a.found == b.found && a.nh == b.nh && a.nh_ip == b.nh_ip &&
			  a.has_nh_ip == b.has_nh_ip && rt_same && prefix_equal(a.matched, b.matched),
		  "%s: next hop of %#x differs from the rules (fast %d/%d %#x /%u, rules %d/%d %#x /%u)",
		  what, dst, a.found, a.nh, a.nh_ip, a.matched.len, b.found, b.nh, b.nh_ip,
		  b.matched.len);
}

/* Both views of t answer from the flat tables: enough lookups of each. */
static void build_flat(const struct eff_table *t)
{
	for (int w = 0; w < 2; w++)
		for (int i = 0; i < 1100; i++)
			eff_next_hop(t, (uint32_t)i * 2654435761u, w);
	cr_assert_gt(eff_fast_ranges(t), 0, "the flat tables were never built");
}

/* Every boundary of the table's rows and of the set's entries, +-1, in
 * both views (alternating, so the table switches views), and random
 * addresses. */
static void same_everywhere(const struct eff_table *t, const struct bgp_set *set, uint64_t *x,
			    const char *what)
{
	struct prefix b[4096];
	size_t nb = 0;
	struct eff_iter it = { 0 };
	struct route_row r;
	while (eff_row(t, false, &it, &r))
		for (size_t k = 0; k < r.nprefixes && nb < NELEM(b); k++)
			b[nb++] = r.prefixes[k];
	for (size_t i = 0; i < bgp_set_count(set) && nb < NELEM(b); i++)
		b[nb++] = *bgp_set_entry(set, i, NULL);
	for (size_t i = 0; i < nb; i++) {
		uint32_t first = b[i].addr, last = prefix_last(b[i]);
		for (int w = 0; w < 2; w++) {
			same_next_hop(t, first, w, what);
			same_next_hop(t, last, w, what);
			same_next_hop(t, first - 1, w, what);
			same_next_hop(t, last + 1, w, what);
		}
	}
	for (int i = 0; i < 30000; i++) {
		*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
		same_next_hop(t, (uint32_t)*x, i % 7 == 0, what);
	}
}

/* Random domain entries: lengths 0..32, a quarter inside 10/8 (hidden
 * under VnetLocal or peering rows), some equal to User rows' prefixes or
 * around the service endpoints' prefixes (20.38.108.0/23 and others of the
 * sample Storage tag), next hops with and without Route Server rows;
 * with_rs_default adds a Route-Server-only 0/0 (a table with a separate
 * view without Route Server rows).  Returns the number of entries. */
static size_t random_entries(uint64_t *x, size_t want, bool with_rs_default, char text[][64],
			     const char **entries)
{
	static const char *const user[] = { "8.8.8.0/24", "20.1.0.0/16", "20.38.108.0/24",
					    "52.0.0.0/8", "0.0.0.0/0" };
#define NEXT() (*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17, *x)
	struct prefix seen[1024];
	size_t ne = 0;
	cr_assert_leq(want, NELEM(seen));
	for (size_t i = 0; i < want; i++) {
		uint8_t len = (uint8_t)(NEXT() % 33);
		uint32_t a = (uint32_t)NEXT();
		if (i % 4 == 0)
			a = (a & 0x00ffffffu) | 0x0a000000u;
		if (i % 4 == 1)
			a = (a & 0x0000ffffu) | 0x14260000u; /* 20.38/16: around the endpoints */
		struct prefix p = { a & prefix_mask(len), len };
		if (i % 40 == 2)
			p = P(user[(i / 40) % NELEM(user)]);
		if (i == 3 && with_rs_default)
			p = P("0.0.0.0/0");
		put_entry(x, p, i == 3 && with_rs_default ? "*10.0.1.5" : NULL, seen, &ne, text,
			  entries);
	}
#undef NEXT
	return ne;
}

/* rt-app with User routes equal to some entries, inside the endpoints'
 * prefixes and around them; the extra subnet 'se' has service endpoints
 * and the same route table. */
#define SE_SUBNET                                                                              \
	", { 'name': 'se', 'addressPrefix': '10.0.4.0/24', 'routeTable': { 'id': 'rt-app' },"  \
	"    'serviceEndpoints': [ { 'service': 'Microsoft.Storage' },"                        \
	"                          { 'service': 'Microsoft.KeyVault' } ] }"
#define FAST_ROUTES                                                                            \
	R("web", "8.8.8.0/24", "Internet") ", " R("pin", "20.1.0.0/16", "None") ", "            \
	RVA("in-se", "20.38.108.0/24", "10.0.1.4") ", " R("wide", "52.0.0.0/8", "Internet")
#define FAST_NET(extra)                                                                        \
	"{ 'virtualNetworks': [ " HUB("Disabled", SE_SUBNET) ", " SPOKES " ], "                \
	RT_APP(extra, FAST_ROUTES) ", " PE " }"

/* Oracle (STYLE: the fast path against the rules): once a table answers
 * from its flat tables, eff_next_hop must answer exactly as
 * eff_next_hop_rules on every rule boundary, around it and on random
 * addresses, in both views: subnets with User, service endpoint, peering
 * and private endpoint rows, propagation on and off, with and without a
 * separate view without Route Server rows, and no domain at all. */
Test(nexthop, fast_next_hop_equals_the_rules)
{
	static const char *const subnets[] = { "hub/app", "hub/plain", "hub/pe", "hub/se",
					       "spoke/app" };
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (size_t sn = 0; sn < NELEM(subnets); sn++)
		for (int round = 0; round < 6; round++) {
			static char text[1024][64];
			const char *entries[1024];
			size_t ne = random_entries(&x, 600, round % 2 == 1, text, entries);
			struct bgp_set *set = round == 4 ? NULL : mkset(entries, ne);
			const char *extra = round == 5 ? ", 'disableBgpRoutePropagation': true" : "";
			char topo[4096];
			snprintf(topo, sizeof(topo), FAST_NET("%s"), extra);
			struct efx f;
			const struct eff_table *t = eff_load(&f, topo, NULL, subnets[sn], set);
			build_flat(t);
			char what[64];
			snprintf(what, sizeof(what), "%s round %d", subnets[sn], round);
			same_everywhere(t, set, &x, what);
			efx_fini(&f);
			bgp_set_unref(set);
		}
}

/* The flat tables follow the set: a table eff_update derives from one
 * that built them shares its own rows (and their flat table) but gets a
 * new set, whose flat table must be its own.  The old table, still held
 * (a checkpoint), keeps answering for the old set. */
Test(nexthop, fast_next_hop_after_the_set_changes)
{
	static const char *const subnets[] = { "hub/app", "hub/se", "spoke/app" };
	uint64_t x = 0x2545F4914F6CDD1Du;
	for (size_t sn = 0; sn < NELEM(subnets); sn++)
		for (int round = 0; round < 4; round++) {
			static char text[1024][64], text2[1024][64];
			const char *entries[1024], *entries2[1024];
			size_t ne = random_entries(&x, 300, round % 2 == 1, text, entries);
			struct bgp_set *s1 = mkset(entries, ne);
			struct efx f;
			char topo[4096];
			snprintf(topo, sizeof(topo), FAST_NET("%s"), "");
			eff_load(&f, topo, NULL, subnets[sn], s1);
			struct eff_table *t1 = eff_ref(f.t);
			build_flat(t1);
			/* The new set: every other entry kept with other next hops,
			 * some new ones; the changed prefixes are all of both. */
			size_t ne2 = random_entries(&x, 300, round % 2 == 0, text2, entries2);
			struct bgp_set *s2 = mkset(entries2, ne2);
			struct prefix changed[2048];
			size_t nc = 0;
			for (size_t i = 0; i < bgp_set_count(s1); i++)
				changed[nc++] = *bgp_set_entry(s1, i, NULL);
			for (size_t i = 0; i < bgp_set_count(s2); i++)
				if (bgp_set_find(s1, *bgp_set_entry(s2, i, NULL)) < 0)
					changed[nc++] = *bgp_set_entry(s2, i, NULL);
			qsort(changed, nc, sizeof(changed[0]), prefix_cmp_qsort);
			const struct subnet *s = topology_subnet(f.tl.t, subnets[sn]);
			struct eff_input in = { .topo = f.tl.t, .subnet = s, .none_set = &f.none,
						.bgp = s2, .no_rs_view = true };
			/* Only non-own prefixes changed, so the rows are shared:
			 * changing only entries that touch no row. */
			size_t keep = 0;
			for (size_t i = 0; i < nc; i++) {
				struct route_row rows[8];
				if (changed[i].len > 0 && eff_rows_with_prefix(t1, changed[i], false, rows, 8) == 0)
					changed[keep++] = changed[i];
			}
			struct eff_table *t2 = eff_update(t1, &in, changed, keep);
			cr_assert_not_null(t2);
			build_flat(t2);
			char what[64];
			snprintf(what, sizeof(what), "%s round %d, new set", subnets[sn], round);
			same_everywhere(t2, s1, &x, what);
			same_everywhere(t2, s2, &x, what);
			snprintf(what, sizeof(what), "%s round %d, old set", subnets[sn], round);
			same_everywhere(t1, s1, &x, what);
			same_everywhere(t1, s2, &x, what);
			eff_unref(t2);
			eff_unref(t1);
			efx_fini(&f);
			bgp_set_unref(s1);
			bgp_set_unref(s2);
		}
}

