/*
 * test_effective.c - one subnet's effective routes (models/rules/effective.c;
 * RULES 1.2-1.4, 1.6): rows, states, updates, walks and diff bounds.
 *
 * Topologies come from small JSON strings through the real loader; the
 * routing domain's BGP routes are built directly with mkset (bgp_set_add),
 * so each rule is tested against exactly the BGP input it needs.  The base
 * network and the fixture are in effective_fixture.h.
 */
#include "effective_fixture.h"

/* ---- names -------------------------------------------------------------------- */

Test(effective, source_names)
{
	cr_expect_str_eq(route_source_name(SRC_DEFAULT), "Default");
	cr_expect_str_eq(route_source_name(SRC_USER), "User");
	cr_expect_str_eq(route_source_name(SRC_GATEWAY), "VirtualNetworkGateway");
}

/* ---- RULES 1.2 system routes ------------------------------------------------ */

Test(effective, system_rows_of_a_plain_subnet)
{
	struct efx f;
	const struct eff_table *t = eff_load(&f, BASE(""), NULL, "far/app", NULL);
	/* far: one-sided peering, no route table, no endpoint. */
	cr_expect_eq(eff_row_count(t, false), 6, "VnetLocal + Internet + 4 DOC None rows");
	cr_expect_eq(ROWS(t, DEF, "10.2.0.0/16", NH_VNET_LOCAL, ACTIVE), 1);
	cr_expect_eq(ROWS(t, DEF, "0.0.0.0/0", NH_INTERNET, ACTIVE), 1);
	static const char *const none[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
					    "100.64.0.0/10" };
	for (size_t i = 0; i < NELEM(none); i++)
		cr_expect_eq(ROWS(t, DEF, none[i], NH_NONE, ACTIVE), 1, "%s", none[i]);
	cr_expect(!eff_disable_bgp(t));
	struct route_row r = the_row(t, DEF, "0.0.0.0/0", NH_INTERNET);
	cr_expect_null(r.name);
	cr_expect(!r.has_nh_ip);
	/* Empty None set. */
	set_none(&f, "");
	t = eff_again(&f, "far/app", NULL);
	cr_expect_eq(eff_row_count(t, false), 2);
	efx_fini(&f);
}

/* RULES 1.2.3: a VNet prefix equal to N turns it into the VnetLocal row;
 * strictly containing N removes N; inside N keeps both. */
Test(effective, none_rewrite_against_the_address_space)
{
	static const struct {
		const char *space;     /* VNet address space (JSON array body) */
		const char *subnet;    /* a subnet inside it */
		const char *vnetlocal[2];
		const char *none_kept[4];
		const char *none_gone[4];
	} cases[] = {
		{ "'10.0.0.0/8'", "10.0.0.0/24", { "10.0.0.0/8" },
		  { "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10" }, { "10.0.0.0/8" } },
		{ "'10.0.0.0/16'", "10.0.0.0/24", { "10.0.0.0/16" },
		  { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10" }, { NULL } },
		{ "'172.0.0.0/8'", "172.0.0.0/24", { "172.0.0.0/8" },
		  { "10.0.0.0/8", "192.168.0.0/16", "100.64.0.0/10" }, { "172.16.0.0/12" } },
		{ "'100.0.0.0/7', '192.168.0.0/16'", "192.168.1.0/24", { "100.0.0.0/7", "192.168.0.0/16" },
		  { "10.0.0.0/8", "172.16.0.0/12" }, { "100.64.0.0/10", "192.168.0.0/16" } },
		{ "'0.0.0.0/1'", "10.0.0.0/24", { "0.0.0.0/1" },
		  { "172.16.0.0/12", "192.168.0.0/16" }, { "10.0.0.0/8", "100.64.0.0/10" } },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[1024];
		snprintf(topo, sizeof(topo),
			 "{ 'virtualNetworks': [ { 'name': 'v', 'location': 'westeurope',"
			 "  'addressSpace': { 'addressPrefixes': [%s] },"
			 "  'subnets': [ { 'name': 's', 'addressPrefix': '%s' } ] } ] }",
			 cases[i].space, cases[i].subnet);
		struct efx f;
		const struct eff_table *t = eff_load(&f, topo, NULL, "v/s", NULL);
		for (size_t k = 0; k < 2 && cases[i].vnetlocal[k]; k++) {
			cr_expect_eq(ROWS(t, DEF, cases[i].vnetlocal[k], NH_VNET_LOCAL, ACTIVE), 1,
				     "case %zu: VnetLocal %s", i, cases[i].vnetlocal[k]);
			cr_expect_eq(ROWS(t, ANY, cases[i].vnetlocal[k], ANY, ANY), 1,
				     "case %zu: one row for %s, not two", i, cases[i].vnetlocal[k]);
		}
		for (size_t k = 0; k < 4 && cases[i].none_kept[k]; k++)
			cr_expect_eq(ROWS(t, DEF, cases[i].none_kept[k], NH_NONE, ACTIVE), 1,
				     "case %zu: None %s kept", i, cases[i].none_kept[k]);
		for (size_t k = 0; k < 4 && cases[i].none_gone[k]; k++)
			cr_expect_eq(ROWS(t, DEF, cases[i].none_gone[k], NH_NONE, ANY), 0,
				     "case %zu: None %s removed", i, cases[i].none_gone[k]);
		efx_fini(&f);
	}
}

Test(effective, peering_rows_need_both_links)
{
	struct efx f;
	const struct eff_table *t = eff_load(&f, BASE(""), NULL, "hub/plain", NULL);
	cr_expect_eq(ROWS(t, DEF, "10.1.0.0/16", NH_VNET_PEERING, ACTIVE), 1, "spoke: connected");
	cr_expect_eq(ROWS(t, ANY, "10.2.0.0/16", ANY, ANY), 0, "far: one link only");
	cr_expect_eq(ROWS(t, DEF, "10.3.0.0/16", NH_VNET_GLOBAL_PEERING, ACTIVE), 1,
		     "other: another location");
	cr_expect_eq(ROWS(t, DEF, "10.4.0.0/16", NH_VNET_GLOBAL_PEERING, ACTIVE), 1,
		     "one row per remote prefix");
	cr_expect_eq(ROWS(t, ANY, NULL, NH_VNET_PEERING, ANY), 1);
	/* Both sides see each other; no transitivity. */
	t = eff_again(&f, "spoke/app", NULL);
	cr_expect_eq(ROWS(t, DEF, "10.0.0.0/16", NH_VNET_PEERING, ACTIVE), 1);
	cr_expect_eq(ROWS(t, ANY, "10.3.0.0/16", ANY, ANY), 0, "peering is not transitive");
	t = eff_again(&f, "other/app", NULL);
	cr_expect_eq(ROWS(t, DEF, "10.0.0.0/16", NH_VNET_GLOBAL_PEERING, ACTIVE), 1);
	t = eff_again(&f, "far/app", NULL);
	cr_expect_eq(ROWS(t, ANY, NULL, NH_VNET_PEERING, ANY), 0);
	cr_expect_eq(ROWS(t, ANY, "10.0.0.0/16", ANY, ANY), 0);
	efx_fini(&f);
}

Test(effective, service_endpoint_row_on_its_subnet_only)
{
	static const char *const topo =
		"{ 'virtualNetworks': [ { 'name': 'v', 'location': 'WestEurope',"
		"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"
		"  'subnets': [ { 'name': 'se', 'addressPrefix': '10.0.1.0/24',"
		"                 'serviceEndpoints': [ { 'service': 'Microsoft.Storage' },"
		"                                       { 'service': 'Microsoft.KeyVault' } ] },"
		"               { 'name': 'nose', 'addressPrefix': '10.0.2.0/24' } ] } ] }";
	struct efx f;
	const struct eff_table *t = eff_load(&f, topo, NULL, "v/se", NULL);
	cr_expect_eq(ROWS(t, DEF, NULL, NH_SERVICE_ENDPOINT, ACTIVE), 2, "one row per service");
	/* Storage in WestEurope: the regional sample tag, all its prefixes in one row. */
	struct route_row r = the_row(t, DEF, "20.38.108.0/23", NH_SERVICE_ENDPOINT);
	cr_expect_eq(r.nprefixes, 4);
	cr_expect(prefix_equal(r.prefixes[3], P("52.239.140.0/22")));
	cr_expect(!r.has_nh_ip);
	/* KeyVault has no regional sample tag: the global one. */
	cr_expect_eq(ROWS(t, DEF, "13.66.138.88/30", NH_SERVICE_ENDPOINT, ACTIVE), 1);
	t = eff_again(&f, "v/nose", NULL);
	cr_expect_eq(ROWS(t, ANY, NULL, NH_SERVICE_ENDPOINT, ANY), 0);
	efx_fini(&f);
}

Test(effective, private_endpoint_rows_in_own_and_peered_vnets)
{
	struct efx f;
	const struct eff_table *t = eff_load(&f, BASE(""), NULL, "hub/plain", NULL);
	cr_expect_eq(ROWS(t, DEF, "10.0.3.5/32", NH_INTERFACE_ENDPOINT, ACTIVE), 1);
	t = eff_again(&f, "spoke/app", NULL);
	cr_expect_eq(ROWS(t, DEF, "10.0.3.5/32", NH_INTERFACE_ENDPOINT, ACTIVE), 1, "peered");
	t = eff_again(&f, "other/app", NULL);
	cr_expect_eq(ROWS(t, DEF, "10.0.3.5/32", NH_INTERFACE_ENDPOINT, ACTIVE), 1, "global peering");
	t = eff_again(&f, "far/app", NULL);
	cr_expect_eq(ROWS(t, ANY, "10.0.3.5/32", ANY, ANY), 0, "one-sided peering");
	efx_fini(&f);
}

/* ---- RULES 1.6.2 precedence ------------------------------------------------- */

Test(effective, identical_prefix_user_beats_gateway_beats_default)
{
	static const char *const e[] = { "192.168.0.0/16 10.0.1.4,10.0.1.5", "172.16.0.0/12 10.0.1.4",
					 "100.64.0.0/10 10.0.1.4" };
	struct bgp_set *bgp = mkset(e, NELEM(e));
	struct efx f;
	const struct eff_table *t = eff_load(
		&f, BASE(RVA("to-nva", "10.0.0.0/16", "10.0.1.4") ", " R("drop-100", "100.64.0.0/10", "None")
			 ", " R("web", "192.168.0.0/16", "Internet") ", " R("inet", "0.0.0.0/0", "Internet")),
		NULL, "hub/app", bgp);
	/* User vs Default. */
	cr_expect_eq(ROWS(t, DEF, "10.0.0.0/16", NH_VNET_LOCAL, INVALID), 1);
	cr_expect_eq(ROWS(t, USR, "10.0.0.0/16", NH_VIRTUAL_APPLIANCE, ACTIVE), 1);
	cr_expect_eq(ROWS(t, DEF, "0.0.0.0/0", NH_INTERNET, INVALID), 1);
	cr_expect_eq(ROWS(t, USR, "0.0.0.0/0", NH_INTERNET, ACTIVE), 1);
	/* User vs gateway vs Default: both ECMP gateway rows Invalid. */
	cr_expect_eq(ROWS(t, USR, "192.168.0.0/16", NH_INTERNET, ACTIVE), 1);
	cr_expect_eq(ROWS(t, GW, "192.168.0.0/16", NH_VNET_GATEWAY, INVALID), 2);
	cr_expect_eq(ROWS(t, DEF, "192.168.0.0/16", NH_NONE, INVALID), 1);
	cr_expect_eq(ROWS(t, USR, "100.64.0.0/10", NH_NONE, ACTIVE), 1);
	cr_expect_eq(ROWS(t, GW, "100.64.0.0/10", NH_VNET_GATEWAY, INVALID), 1);
	/* Gateway vs Default. */
	cr_expect_eq(ROWS(t, GW, "172.16.0.0/12", NH_VNET_GATEWAY, ACTIVE), 1);
	cr_expect_eq(ROWS(t, DEF, "172.16.0.0/12", NH_NONE, INVALID), 1);
	/* A route with no competitor stays Active. */
	cr_expect_eq(ROWS(t, DEF, "10.0.0.0/8", NH_NONE, ACTIVE), 1);
	/* User rows carry their name; others do not. */
	cr_expect_str_eq(the_row(t, USR, "10.0.0.0/16", ANY).name, "to-nva");
	cr_expect_null(the_row(t, GW, "172.16.0.0/12", ANY).name);
	/* The same set without the route table: everything from BGP Active. */
	t = eff_again(&f, "hub/plain", bgp);
	cr_expect_eq(ROWS(t, GW, "192.168.0.0/16", NH_VNET_GATEWAY, ACTIVE), 2);
	cr_expect_eq(ROWS(t, DEF, "192.168.0.0/16", NH_NONE, INVALID), 1);
	cr_expect_eq(ROWS(t, DEF, "10.0.2.0/24", ANY, ANY), 0);
	efx_fini(&f);
	bgp_set_unref(bgp);
}

Test(effective, display_order_system_gateway_user)
{
	static const char *const e[] = { "172.20.0.0/16 10.0.1.4" };
	struct bgp_set *bgp = mkset(e, 1);
	struct efx f;
	const struct eff_table *t = eff_load(&f, BASE(R("r1", "8.8.8.0/24", "Internet")), NULL,
					     "hub/app", bgp);
	struct eff_iter it = { 0 };
	struct route_row r;
	int phase = 0; /* 0 system, 1 gateway, 2 user */
	size_t n = 0;
	while (eff_row(t, false, &it, &r)) {
		int p = r.source == SRC_DEFAULT ? 0 : r.source == SRC_GATEWAY ? 1 : 2;
		cr_expect_geq(p, phase, "row %zu out of order", n);
		phase = p;
		n++;
	}
	cr_expect_eq(phase, 2);
	cr_expect_eq(n, eff_row_count(t, false));
	cr_expect(!eff_row(t, false, &it, &r), "iteration stays at the end");
	efx_fini(&f);
	bgp_set_unref(bgp);
}

/* ---- RULES 1.6.3 BGP inside VnetLocal / VNetPeering --------------------------- */

Test(effective, bgp_inside_vnetlocal_or_peering_is_hidden)
{
	static const char *const e[] = {
		"10.0.0.0/16 10.0.1.4",   /* equal to VnetLocal */
		"10.0.5.0/24 10.0.1.4",   /* inside VnetLocal */
		"10.0.255.255/32 10.0.1.4",
		"10.1.0.0/24 10.0.1.4",   /* inside the spoke (VNetPeering) */
		"10.3.0.0/16 10.0.1.4",   /* equal to a global peering prefix */
		"10.2.0.0/16 10.0.1.4",   /* far: not connected, so listed */
		"10.0.0.0/8 10.0.1.4",    /* supernet: listed */
		"10.0.0.0/15 10.0.1.4",
	};
	struct bgp_set *bgp = mkset(e, NELEM(e));
	struct efx f;
	const struct eff_table *t = eff_load(&f, BASE(""), NULL, "hub/plain", bgp);
	static const char *const hidden[] = { "10.0.0.0/16", "10.0.5.0/24", "10.0.255.255/32",
					      "10.1.0.0/24", "10.3.0.0/16" };
	for (size_t i = 0; i < NELEM(hidden); i++)
		cr_expect_eq(ROWS(t, GW, hidden[i], ANY, ANY), 0, "%s hidden", hidden[i]);
	static const char *const listed[] = { "10.2.0.0/16", "10.0.0.0/8", "10.0.0.0/15" };
	for (size_t i = 0; i < NELEM(listed); i++)
		cr_expect_eq(ROWS(t, GW, listed[i], NH_VNET_GATEWAY, ACTIVE), 1, "%s listed", listed[i]);
	cr_expect_eq(ROWS(t, DEF, "10.0.0.0/16", NH_VNET_LOCAL, ACTIVE), 1,
		     "a hidden route does not make VnetLocal Invalid");
	cr_expect_eq(ROWS(t, DEF, "10.3.0.0/16", NH_VNET_GLOBAL_PEERING, ACTIVE), 1);
	cr_expect_eq(ROWS(t, DEF, "10.0.0.0/8", NH_NONE, INVALID), 1);
	/* Own rows: VnetLocal, VNetPeering, 2 VNetGlobalPeering, Internet, 4 None
	 * (10/8 Invalid), the PE /32 = 10; plus the 3 listed BGP rows. */
	cr_expect_eq(eff_row_count(t, false), 10 + 3);
	static const struct nh_case nh[] = {
		{ "10.0.5.9", NH_VNET_LOCAL, NULL, NULL },
		{ "10.0.255.255", NH_VNET_LOCAL, NULL, NULL },
		{ "10.1.0.9", NH_VNET_PEERING, NULL, NULL },
		{ "10.3.0.1", NH_VNET_GLOBAL_PEERING, NULL, NULL },
		{ "10.2.0.9", NH_VNET_GATEWAY, "10.0.1.4", NULL },
		{ "10.1.255.1", NH_VNET_PEERING, NULL, NULL },
		{ "10.9.0.1", NH_VNET_GATEWAY, "10.0.1.4", NULL },
	};
	check_next_hops(t, false, nh, NELEM(nh));
	efx_fini(&f);
	bgp_set_unref(bgp);
}

/* ---- RULES 1.6.4 and 1.6.5, the 0.0.0.0/0 side effects ---------------------- */

Test(effective, bgp_default_removes_the_default_internet_row)
{
	static const char *const e[] = { "0.0.0.0/0 10.0.1.4" };
	struct bgp_set *bgp = mkset(e, 1);
	struct efx f;
	const struct eff_table *t = eff_load(&f, BASE(""), NULL, "hub/plain", bgp);
	cr_expect_eq(ROWS(t, DEF, "0.0.0.0/0", ANY, ANY), 0, "removed, not Invalid");
	cr_expect_eq(ROWS(t, GW, "0.0.0.0/0", NH_VNET_GATEWAY, ACTIVE), 1);
	cr_expect_eq(none_rows(t), 0, "a BGP 0/0 removes the None rows");
	/* With a User 0/0 too: Default row still removed, BGP row Invalid. */
	t = eff_again(&f, "hub/app", bgp);
	cr_expect_eq(ROWS(t, DEF, "0.0.0.0/0", ANY, ANY), 0);
	efx_fini(&f);

	t = eff_load(&f, BASE(R("inet", "0.0.0.0/0", "Internet")), NULL, "hub/app", bgp);
	cr_expect_eq(ROWS(t, DEF, "0.0.0.0/0", ANY, ANY), 0);
	cr_expect_eq(ROWS(t, GW, "0.0.0.0/0", NH_VNET_GATEWAY, INVALID), 1);
	cr_expect_eq(ROWS(t, USR, "0.0.0.0/0", NH_INTERNET, ACTIVE), 1);
	cr_expect_eq(none_rows(t), 4, "the winner is User -> Internet: None rows kept");
	efx_fini(&f);
	bgp_set_unref(bgp);
}

Test(effective, user_default_without_bgp_default_makes_it_invalid)
{
	static const char *const e[] = { "172.20.0.0/16 10.0.1.4" };
	struct bgp_set *bgp = mkset(e, 1);
	struct efx f;
	const struct eff_table *t =
		eff_load(&f, BASE(RVA("fw", "0.0.0.0/0", "10.0.1.4")), NULL, "hub/app", bgp);
	cr_expect_eq(ROWS(t, DEF, "0.0.0.0/0", NH_INTERNET, INVALID), 1);
	cr_expect_eq(ROWS(t, USR, "0.0.0.0/0", NH_VIRTUAL_APPLIANCE, ACTIVE), 1);
	efx_fini(&f);
	bgp_set_unref(bgp);
}

/* 1.6.5: the winning 0/0 by its displayed type decides the None rows. */
Test(effective, none_rows_follow_the_winning_default_route)
{
	static const struct {
		const char *name;
		const char *routes;
		bool bgp_default;
		size_t none;
	} cases[] = {
		{ "no 0/0 route", "", false, 4 },
		{ "User 0/0 -> VirtualAppliance", RVA("d", "0.0.0.0/0", "10.0.1.4"), false, 0 },
		{ "User 0/0 -> VirtualAppliance in a peered VNet", RVA("d", "0.0.0.0/0", "10.1.0.4"),
		  false, 0 },
		{ "User 0/0 -> VirtualNetworkGateway", R("d", "0.0.0.0/0", "VirtualNetworkGateway"),
		  false, 0 },
		{ "BGP 0/0", "", true, 0 },
		{ "User 0/0 -> None", R("d", "0.0.0.0/0", "None"), false, 4 },
		{ "User 0/0 -> Internet", R("d", "0.0.0.0/0", "Internet"), false, 4 },
		{ "User 0/0 -> unreachable appliance (shown None)", RVA("d", "0.0.0.0/0", "192.0.2.1"),
		  false, 4 },
		{ "User 0/0 -> unreachable appliance over a BGP 0/0", RVA("d", "0.0.0.0/0", "192.0.2.1"),
		  true, 4 },
		{ "User 0/0 -> None over a BGP 0/0", R("d", "0.0.0.0/0", "None"), true, 4 },
		{ "User 0/0 -> VirtualAppliance over a BGP 0/0", RVA("d", "0.0.0.0/0", "10.0.1.4"), true,
		  0 },
		{ "User 0/1 + 128/1 -> appliance is not a 0/0",
		  RVA("a", "0.0.0.0/1", "10.0.1.4") ", " RVA("b", "128.0.0.0/1", "10.0.1.4"), false, 4 },
	};
	static const char *const e[] = { "0.0.0.0/0 10.0.1.4" };
	struct bgp_set *bgp = mkset(e, 1);
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[8192];
		snprintf(topo, sizeof(topo),
			 "{ 'virtualNetworks': [ " HUB("Disabled", "") ", " SPOKES " ],"
			 "  'routeTables': [ { 'name': 'rt-app', 'routes': [ %s ] } ] }",
			 cases[i].routes);
		struct efx f;
		const struct eff_table *t =
			eff_load(&f, topo, NULL, "hub/app", cases[i].bgp_default ? bgp : NULL);
		cr_expect_eq(none_rows(t), cases[i].none, "%s: %zu None rows, expected %zu",
			     cases[i].name, none_rows(t), cases[i].none);
		efx_fini(&f);
	}
	bgp_set_unref(bgp);
}

/* ---- RULES 1.4 user routes ----------------------------------------------------- */

Test(effective, unreachable_appliance_is_shown_none_with_its_address)
{
	static const struct {
		const char *ip;
		enum nh_type shown;
	} cases[] = {
		{ "10.0.1.4", NH_VIRTUAL_APPLIANCE },   /* a NIC of the subnet's VNet */
		{ "10.0.200.9", NH_VIRTUAL_APPLIANCE }, /* in the VNet, no NIC: still VA */
		{ "10.1.0.4", NH_VIRTUAL_APPLIANCE },   /* in a peered VNet */
		{ "10.4.0.4", NH_VIRTUAL_APPLIANCE },   /* in a global peering's 2nd prefix */
		{ "10.2.0.4", NH_NONE },                /* one-sided peering */
		{ "192.0.2.1", NH_NONE },               /* outside everything */
		{ "10.0.0.0", NH_VIRTUAL_APPLIANCE },   /* first address of the space */
		{ "10.0.255.255", NH_VIRTUAL_APPLIANCE },
		{ "9.255.255.255", NH_NONE },
		{ "10.1.255.255", NH_VIRTUAL_APPLIANCE },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[8192];
		snprintf(topo, sizeof(topo),
			 "{ 'virtualNetworks': [ " HUB("Disabled", "") ", " SPOKES " ],"
			 "  'routeTables': [ { 'name': 'rt-app', 'routes': [ "
			 "  { 'name': 'r', 'addressPrefix': '172.16.0.0/12',"
			 "    'nextHopType': 'VirtualAppliance', 'nextHopIpAddress': '%s' } ] } ] }",
			 cases[i].ip);
		struct efx f;
		const struct eff_table *t = eff_load(&f, topo, NULL, "hub/app", NULL);
		struct route_row r = the_row(t, USR, "172.16.0.0/12", ANY);
		cr_expect_eq(r.nh, cases[i].shown, "%s: shown %s", cases[i].ip, nh_type_name(r.nh));
		cr_expect(r.active, "%s", cases[i].ip);
		cr_expect(r.has_nh_ip && r.nh_ip == A(cases[i].ip), "%s: the address stays", cases[i].ip);
		cr_expect_str_eq(r.name, "r");
		struct next_hop h = eff_next_hop(t, A("172.16.1.1"), false);
		cr_expect_eq(h.nh, cases[i].shown, "%s: next hop type", cases[i].ip);
		cr_expect(h.has_nh_ip && h.nh_ip == A(cases[i].ip), "%s: next hop address", cases[i].ip);
		cr_expect(h.route_table && strcmp(h.route_table, "rt-app") == 0, "%s: routeTableId",
			  cases[i].ip);
		efx_fini(&f);
	}
}

Test(effective, appliance_inside_a_bgp_prefix_only_is_unreachable)
{
	static const char *const e[] = { "192.0.2.0/24 10.0.1.4" };
	struct bgp_set *bgp = mkset(e, 1);
	struct efx f;
	const struct eff_table *t =
		eff_load(&f, BASE(RVA("r", "172.16.0.0/12", "192.0.2.1")), NULL, "hub/app", bgp);
	cr_expect_eq(the_row(t, USR, "172.16.0.0/12", ANY).nh, NH_NONE);
	efx_fini(&f);
	bgp_set_unref(bgp);
}

/* "an explicit CIDR route beats a regional tag route, which beats a global
 * tag route (the loser is Invalid)", each tag route one row per prefix. */
Test(effective, service_tag_routes_explicit_regional_global)
{
	static const char *const tags =
		"{ 'values': ["
		"  { 'name': 'Storage', 'properties': { 'region': '',"
		"    'addressPrefixes': ['20.0.0.0/24', '20.0.1.0/24', '20.0.2.0/24'] } },"
		"  { 'name': 'Storage.WestEurope', 'properties': { 'region': 'westeurope',"
		"    'addressPrefixes': ['20.0.0.0/24', '20.0.1.0/24', '20.0.3.0/24'] } } ] }";
	static const struct {
		const char *routes;
	} orders[] = {
		{ R("glob", "Storage", "Internet") ", " R("reg", "Storage.WestEurope", "None") ", "
		  RVA("cidr", "20.0.0.0/24", "10.0.1.4") },
		{ RVA("cidr", "20.0.0.0/24", "10.0.1.4") ", " R("reg", "Storage.WestEurope", "None") ", "
		  R("glob", "Storage", "Internet") },
		{ R("reg", "Storage.WestEurope", "None") ", " RVA("cidr", "20.0.0.0/24", "10.0.1.4")
		  ", " R("glob", "Storage", "Internet") },
	};
	for (size_t i = 0; i < NELEM(orders); i++) {
		char topo[8192];
		snprintf(topo, sizeof(topo),
			 "{ 'virtualNetworks': [ " HUB("Disabled", "") ", " SPOKES " ],"
			 "  'routeTables': [ { 'name': 'rt-app', 'routes': [ %s ] } ] }",
			 orders[i].routes);
		struct efx f;
		const struct eff_table *t = eff_load(&f, topo, tags, "hub/app", NULL);
		/* 20.0.0.0/24: all three. */
		cr_expect_eq(ROWS(t, USR, "20.0.0.0/24", NH_VIRTUAL_APPLIANCE, ACTIVE), 1, "order %zu", i);
		cr_expect_eq(ROWS(t, USR, "20.0.0.0/24", NH_NONE, INVALID), 1, "order %zu", i);
		cr_expect_eq(ROWS(t, USR, "20.0.0.0/24", NH_INTERNET, INVALID), 1, "order %zu", i);
		/* 20.0.1.0/24: regional and global. */
		cr_expect_eq(ROWS(t, USR, "20.0.1.0/24", NH_NONE, ACTIVE), 1, "order %zu", i);
		cr_expect_eq(ROWS(t, USR, "20.0.1.0/24", NH_INTERNET, INVALID), 1, "order %zu", i);
		/* Alone. */
		cr_expect_eq(ROWS(t, USR, "20.0.2.0/24", NH_INTERNET, ACTIVE), 1, "order %zu", i);
		cr_expect_eq(ROWS(t, USR, "20.0.3.0/24", NH_NONE, ACTIVE), 1, "order %zu", i);
		cr_expect_eq(ROWS(t, USR, NULL, ANY, ANY), 7, "order %zu: one row per tag prefix", i);
		struct route_row r = the_row(t, USR, "20.0.3.0/24", ANY);
		cr_expect_str_eq(r.name, "reg");
		cr_expect_eq(r.tag, TAG_REGIONAL);
		cr_expect_eq(the_row(t, USR, "20.0.2.0/24", ANY).tag, TAG_GLOBAL);
		/* Forwarding follows the Active rows. */
		static const struct nh_case nh[] = {
			{ "20.0.0.1", NH_VIRTUAL_APPLIANCE, "10.0.1.4", "rt-app" },
			{ "20.0.1.1", NH_NONE, NULL, "rt-app" },
			{ "20.0.2.1", NH_INTERNET, NULL, "rt-app" },
		};
		check_next_hops(t, false, nh, NELEM(nh));
		efx_fini(&f);
	}
}

/* ---- RULES 1.6.6 private endpoints ------------------------------------------ */

Test(effective, private_endpoint_invalid_only_with_policies_and_long_udr)
{
	static const struct {
		const char *policy;
		const char *udr;       /* a User route covering (or not) 10.0.3.5 */
		bool invalid;
	} cases[] = {
		{ "Disabled", "10.0.0.0/16", false },
		{ "NetworkSecurityGroupEnabled", "10.0.0.0/16", false },
		{ "Enabled", "10.0.0.0/16", true },           /* length = VNet's */
		{ "RouteTableEnabled", "10.0.0.0/16", true },
		{ "RouteTableEnabled", "10.0.3.0/24", true },  /* longer */
		{ "Enabled", "10.0.3.4/30", true },
		{ "Enabled", "10.0.3.5/32", true },
		{ "Enabled", "10.0.0.0/15", false },           /* shorter than the VNet */
		{ "Enabled", "10.0.0.0/8", false },
		{ "RouteTableEnabled", "0.0.0.0/0", false },
		{ "Enabled", "10.0.4.0/24", false },           /* does not cover it */
		{ "Enabled", "10.0.3.6/31", false },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[8192];
		snprintf(topo, sizeof(topo),
			 "{ 'virtualNetworks': [ " HUB("%s", "") ", " SPOKES " ],"
			 "  'routeTables': [ { 'name': 'rt-app', 'routes': [ "
			 "    { 'name': 'r', 'addressPrefix': '%s', 'nextHopType': 'VirtualAppliance',"
			 "      'nextHopIpAddress': '10.0.1.4' } ] } ], " PE " }",
			 cases[i].policy, cases[i].udr);
		struct efx f;
		const struct eff_table *t = eff_load(&f, topo, NULL, "hub/app", NULL);
		cr_expect_eq(ROWS(t, DEF, "10.0.3.5/32", NH_INTERFACE_ENDPOINT, cases[i].invalid ? 0 : 1),
			     1, "%s + UDR %s: PE row %s", cases[i].policy, cases[i].udr,
			     cases[i].invalid ? "Invalid" : "Active");
		struct next_hop h = eff_next_hop(t, A("10.0.3.5"), false);
		cr_expect_eq(h.nh, cases[i].invalid ? NH_VIRTUAL_APPLIANCE : NH_INTERFACE_ENDPOINT,
			     "%s + UDR %s: traffic", cases[i].policy, cases[i].udr);
		/* Same rule in a peered VNet whose route table covers the PE. */
		t = eff_again(&f, "spoke/app", NULL);
		cr_expect_eq(ROWS(t, DEF, "10.0.3.5/32", NH_INTERFACE_ENDPOINT, cases[i].invalid ? 0 : 1),
			     1, "spoke: %s + UDR %s", cases[i].policy, cases[i].udr);
		/* No route table: never Invalid. */
		t = eff_again(&f, "hub/plain", NULL);
		cr_expect_eq(ROWS(t, DEF, "10.0.3.5/32", NH_INTERFACE_ENDPOINT, ACTIVE), 1);
		efx_fini(&f);
	}
}

/* ---- disableBgpRoutePropagation --------------------------------------------- */

Test(effective, disable_bgp_route_propagation)
{
	static const char *const e[] = { "0.0.0.0/0 *10.0.1.4", "172.20.0.0/16 10.0.255.4,10.0.255.5" };
	struct bgp_set *bgp = mkset(e, NELEM(e));
	struct efx f;
	const struct eff_table *t = eff_load(
		&f, NET("Disabled", RT_APP(", 'disableBgpRoutePropagation': true", "")), NULL, "hub/app",
		bgp);
	cr_expect(eff_disable_bgp(t));
	cr_expect_eq(ROWS(t, GW, NULL, ANY, ANY), 0, "gateway and Route Server rows removed");
	cr_expect_eq(ROWS(t, DEF, "0.0.0.0/0", NH_INTERNET, ACTIVE), 1, "so the Default 0/0 stays");
	cr_expect_eq(none_rows(t), 4);
	static const struct nh_case nh[] = { { "172.20.0.1", NH_NONE, NULL, NULL },
					     { "8.8.8.8", NH_INTERNET, NULL, NULL } };
	check_next_hops(t, false, nh, NELEM(nh));
	/* The same set on a subnet without a route table. */
	t = eff_again(&f, "hub/plain", bgp);
	cr_expect(!eff_disable_bgp(t));
	cr_expect_eq(ROWS(t, GW, NULL, ANY, ANY), 3);
	efx_fini(&f);
	/* disableBgpRoutePropagation false is the same as no flag. */
	t = eff_load(&f, NET("Disabled", RT_APP(", 'disableBgpRoutePropagation': false", "")), NULL,
		     "hub/app", bgp);
	cr_expect(!eff_disable_bgp(t));
	cr_expect_eq(ROWS(t, GW, NULL, ANY, ANY), 3);
	efx_fini(&f);
	bgp_set_unref(bgp);
}

/* ---- eff_equal -------------------------------------------------------------- */

Test(effective, equal_tables)
{
	static const char *const e1[] = { "172.20.0.0/16 10.0.1.4" };
	static const char *const e2[] = { "172.20.0.0/16 10.0.1.5" };
	struct bgp_set *b1 = mkset(e1, 1), *b1b = mkset(e1, 1), *b2 = mkset(e2, 1);
	struct efx f, g;
	eff_load(&f, BASE(R("r", "8.8.8.0/24", "Internet")), NULL, "hub/app", b1);
	eff_load(&g, BASE(R("r", "8.8.8.0/24", "Internet")), NULL, "hub/app", b1b);
	cr_expect(eff_equal(f.t, g.t), "same inputs, different objects");
	cr_expect(eff_equal(f.t, f.t));
	cr_expect(!eff_equal(f.t, NULL));
	struct eff_table *ref = eff_ref(f.t);
	cr_expect_eq(ref, f.t);
	eff_unref(ref);
	eff_again(&g, "hub/app", b2);
	cr_expect(!eff_equal(f.t, g.t), "another next hop");
	eff_again(&g, "hub/app", NULL);
	cr_expect(!eff_equal(f.t, g.t), "no BGP");
	eff_again(&g, "hub/plain", b1);
	cr_expect(!eff_equal(f.t, g.t), "another subnet's rows");
	efx_fini(&g);
	eff_load(&g, BASE(R("r2", "8.8.8.0/24", "Internet")), NULL, "hub/app", b1);
	cr_expect(!eff_equal(f.t, g.t), "a route name differs");
	efx_fini(&g);
	eff_load(&g, BASE(R("r", "8.8.8.0/24", "None")), NULL, "hub/app", b1);
	cr_expect(!eff_equal(f.t, g.t), "a type differs");
	efx_fini(&g);
	eff_load(&g, NET("Disabled", RT_APP(", 'disableBgpRoutePropagation': true",
					    R("r", "8.8.8.0/24", "Internet"))),
		 NULL, "hub/app", b1);
	cr_expect(!eff_equal(f.t, g.t), "propagation disabled");
	efx_fini(&g);
	efx_fini(&f);
	eff_unref(NULL);
	bgp_set_unref(b1);
	bgp_set_unref(b1b);
	bgp_set_unref(b2);
}

/* Two subnets' tables that differ only in the route table they come from
 * answer next-hop queries differently (routeTableId), so they are not
 * equal: the run keeps the old table object when eff_equal says equal. */
Test(effective, equal_sees_the_route_table_name)
{
	/* Regression: rt_name was not compared, so a subnet moved to an
	 * identical route table kept its old table object and next-hop
	 * reported the old routeTableId. */
#define RT_TOPO(rt)                                                                             \
	"{ 'virtualNetworks': [ { 'name': 'v', 'location': 'westeurope',"                       \
	"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                             \
	"  'subnets': [ { 'name': 's', 'addressPrefix': '10.0.1.0/24',"                         \
	"                 'routeTable': { 'id': '" rt "' } } ] } ],"                            \
	"  'routeTables': ["                                                                    \
	"    { 'name': 'rt-a', 'routes': [ { 'name': 'r', 'addressPrefix': '0.0.0.0/0',"       \
	"      'nextHopType': 'Internet' } ] },"                                                \
	"    { 'name': 'rt-b', 'routes': [ { 'name': 'r', 'addressPrefix': '0.0.0.0/0',"       \
	"      'nextHopType': 'Internet' } ] } ] }"
	/* The subnet moved from rt-a to rt-b (an edit of its routeTable id);
	 * both tables hold the same routes with the same names. */
	struct efx f, g;
	eff_load(&f, RT_TOPO("rt-a"), NULL, "v/s", NULL);
	eff_load(&g, RT_TOPO("rt-b"), NULL, "v/s", NULL);
#undef RT_TOPO
	struct next_hop ha = eff_next_hop(f.t, A("8.8.8.8"), false);
	struct next_hop hb = eff_next_hop(g.t, A("8.8.8.8"), false);
	cr_assert(ha.route_table && hb.route_table);
	cr_expect_str_eq(ha.route_table, "rt-a");
	cr_expect_str_eq(hb.route_table, "rt-b");
	cr_expect(!eff_equal(f.t, g.t),
		  "tables whose next hops report different route tables compare equal");
	efx_fini(&f);
	efx_fini(&g);
}

/* eff_equal compares prefixes by value: bytes of struct padding must not
 * matter (prefixes copied from different places carry different padding). */
Test(effective, equal_ignores_struct_padding)
{
	/* Regression: memcmp over struct prefix compared its padding bytes, and
	 * prefixes copied from the stack carry garbage padding, so equal tables
	 * compared unequal (see run::edit_logs_only_the_subnets_it_changes). */
	cr_assert_gt(sizeof(struct prefix), sizeof(uint32_t) + sizeof(uint8_t),
		     "struct prefix has no padding on this platform: nothing to test");
	struct efx f, g;
	eff_load(&f, BASE(""), NULL, "hub/plain", NULL);
	eff_load(&g, BASE(""), NULL, "hub/plain", NULL);
	/* Same None prefixes, different bytes in the padding. */
	memset(g.none_v, 0xa5, sizeof(g.none_v));
	static const char *const none[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
					    "100.64.0.0/10" };
	for (size_t i = 0; i < NELEM(none); i++) {
		struct prefix p = P(none[i]);
		g.none_v[i].addr = p.addr;
		g.none_v[i].len = p.len;
	}
	memset(f.none_v, 0, sizeof(f.none_v));
	for (size_t i = 0; i < NELEM(none); i++) {
		struct prefix p = P(none[i]);
		f.none_v[i].addr = p.addr;
		f.none_v[i].len = p.len;
	}
	eff_again(&f, "hub/plain", NULL);
	eff_again(&g, "hub/plain", NULL);
	cr_expect(eff_equal(f.t, g.t), "equal tables compare unequal because of padding bytes");
	efx_fini(&f);
	efx_fini(&g);
}

/* ---- tables outlive their inputs --------------------------------------------- */

Test(effective, table_outlives_topology_and_bgp_set)
{
	static const char *const e[] = { "172.20.0.0/16 10.0.1.4" };
	struct bgp_set *bgp = mkset(e, 1);
	struct efx f;
	eff_load(&f, BASE(RVA("keep-me", "8.8.8.0/24", "10.0.1.4")), NULL, "hub/app", bgp);
	struct eff_table *t = eff_ref(f.t);
	bgp_set_unref(bgp);
	efx_fini(&f); /* topology, catalogue and one table reference gone */
	cr_expect_eq(count_rows(t, false, USR, "8.8.8.0/24", NH_VIRTUAL_APPLIANCE, ACTIVE, "10.0.1.4"), 1);
	cr_expect_eq(count_rows(t, false, GW, "172.20.0.0/16", NH_VNET_GATEWAY, ACTIVE, "10.0.1.4"), 1);
	struct next_hop h = eff_next_hop(t, A("8.8.8.8"), false);
	cr_expect_str_eq(h.route_table, "rt-app");
	struct eff_iter it = { 0 };
	struct route_row r;
	while (eff_row(t, false, &it, &r))
		if (r.source == SRC_USER)
			cr_expect_str_eq(r.name, "keep-me");
	eff_unref(t);
}

/* ---- eff_update ------------------------------------------------------------------ */

/* Oracle: a table updated for a change of some BGP prefixes lists exactly
 * what a table computed from scratch lists, with and without Route Server
 * rows, and answers next hops the same.  The changes hit prefixes equal to
 * the subnet's rows (VnetLocal, peering, None, User, 0/0), inside its VNet,
 * and elsewhere. */
Test(effective, update_equals_compute)
{
	static const char *const pool[] = {
		"0.0.0.0/0",     "10.0.0.0/16",   "10.0.5.0/24",    "10.1.0.0/16",   "10.0.0.0/8",
		"172.16.0.0/12", "172.16.5.0/24", "192.168.0.0/16", "8.8.8.0/24",    "100.64.0.0/10",
		"20.0.0.0/8",    "20.1.0.0/16",   "203.0.113.0/24", "10.200.0.0/16", "1.2.3.4/32",
	};
	static const char *const hops[] = { "10.0.1.4", "*10.0.1.4", "*10.0.1.5", "10.0.255.4" };
	static const char *const subnets[] = { "hub/app", "hub/plain" };
	uint64_t x = 0x2545F4914F6CDD1Du;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	for (size_t sn = 0; sn < NELEM(subnets); sn++) {
		static char held[NELEM(pool)][64];
		bool have[NELEM(pool)] = { false };
		struct efx f;
		eff_load(&f, BASE(R("web", "8.8.8.0/24", "Internet") ", "
				  R("pin", "20.1.0.0/16", "None")),
			 NULL, subnets[sn], NULL);
		struct eff_table *cur = eff_ref(f.t);
		for (int step = 0; step < 200; step++) {
			/* Change one to twelve prefixes: drop, add, or new next hops. */
			struct prefix changed[12];
			size_t nc = 1 + NEXT() % 12; /* past 8: eff_update's binary search */
			for (size_t c = 0; c < nc; c++) {
				size_t i = NEXT() % NELEM(pool);
				changed[c] = P(pool[i]);
				have[i] = NEXT() % 3 != 0;
				const char *h1 = hops[NEXT() % NELEM(hops)];
				bool two = NEXT() % 2;
				const char *h2 = hops[NEXT() % NELEM(hops)];
				snprintf(held[i], sizeof(held[i]), "%s %s%s%s", pool[i], h1, two ? "," : "",
					 two ? h2 : "");
			}
			const char *entries[NELEM(pool)];
			size_t ne = 0;
			for (size_t i = 0; i < NELEM(pool); i++)
				if (have[i])
					entries[ne++] = held[i];
			struct bgp_set *set = mkset(entries, ne);
			const struct subnet *s = topology_subnet(f.tl.t, subnets[sn]);
			struct eff_input in = { .topo = f.tl.t, .subnet = s, .none_set = &f.none,
						.bgp = set, .no_rs_view = true };
			qsort(changed, nc, sizeof(changed[0]), prefix_cmp_qsort); /* the contract */
			struct eff_table *up = eff_update(cur, &in, changed, nc);
			struct eff_table *full = eff_compute(&in);
			cr_assert(up && full);
			for (int w = 0; w < 2; w++) {
				static char ka[96][96], kb[96][96];
				size_t na = table_keys(up, w, ka, 96), nb = table_keys(full, w, kb, 96);
				cr_assert_eq(na, nb, "%s step %d without_rs %d: %zu rows, expected %zu",
					     subnets[sn], step, w, na, nb);
				for (size_t i = 0; i < na; i++)
					cr_assert_str_eq(ka[i], kb[i], "%s step %d without_rs %d row %zu: %s vs %s",
							 subnets[sn], step, w, i, ka[i], kb[i]);
				for (size_t i = 0; i < NELEM(pool); i++) {
					uint32_t dst = P(pool[i]).addr + 1;
					struct next_hop a = eff_next_hop(up, dst, w), b = eff_next_hop(full, dst, w);
					cr_assert(a.found == b.found && a.nh == b.nh && a.nh_ip == b.nh_ip,
						  "%s step %d next hop of %s", subnets[sn], step, pool[i]);
				}
			}
			eff_unref(full);
			eff_unref(cur);
			cur = up;
			bgp_set_unref(set);
		}
		eff_unref(cur);
		efx_fini(&f);
	}
#undef NEXT
}

/* ---- walking rows by increasing prefix ---------------------------------- */

static void same_rows(const struct eff_table *t, struct eff_walk *w, struct prefix p,
		      bool without_rs, const char *what)
{
	struct route_row a[16], b[16];
	size_t na = eff_walk_rows(w, p, a, 16), nb = eff_rows_with_prefix(t, p, without_rs, b, 16);
	char pf[PREFIX_STRLEN];
	cr_assert_eq(na, nb, "%s: %s: the walk gives %zu rows, eff_rows_with_prefix %zu", what,
		     prefix_format(p, pf), na, nb);
	for (size_t i = 0; i < na && i < 16; i++)
		cr_assert(a[i].source == b[i].source && a[i].active == b[i].active &&
				  a[i].nh == b[i].nh && a[i].nh_ip == b[i].nh_ip &&
				  a[i].has_nh_ip == b[i].has_nh_ip &&
				  a[i].from_route_server == b[i].from_route_server &&
				  a[i].name == b[i].name && a[i].nprefixes == b[i].nprefixes &&
				  prefix_equal(a[i].prefixes[0], b[i].prefixes[0]),
			  "%s: %s: row %zu differs", what, prefix_format(p, pf), i);
}

Test(effective, walk_equals_rows_with_prefix)
{
	static const char *const subnets[] = { "hub/app", "hub/plain", "hub/pe", "spoke/app" };
	uint64_t x = 0xD1B54A32D192ED03u;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	struct eff_walk w = { 0 }; /* one walk for every table: restarts reuse its buffer */
	for (size_t sn = 0; sn < NELEM(subnets); sn++)
		for (int round = 0; round < 3; round++) {
			/* Entries of every length, a quarter inside 10/8 (hidden),
			 * some equal to User rows (Invalid), 0/0 now and then. */
			enum { N = 400 };
			static char text[N][64];
			const char *entries[N];
			struct prefix seen[2 * N + 16];
			size_t ne = 0;
			for (size_t i = 0; i < N; i++) {
				uint8_t len = (uint8_t)(NEXT() % 33);
				uint32_t a = (uint32_t)NEXT();
				if (i % 4 == 0)
					a = (a & 0x00ffffffu) | 0x0a000000u;
				if (i % 50 == 0)
					a = A("8.8.8.0"), len = 24;
				if (i % 97 == 0)
					a = 0, len = 0;
				struct prefix p = { a & prefix_mask(len), len };
				put_entry(&x, p, NULL, seen, &ne, text, entries);
			}
			struct bgp_set *set = mkset(entries, ne);
			struct efx f;
			const struct eff_table *t =
				eff_load(&f, BASE(R("web", "8.8.8.0/24", "Internet") ", "
						  R("peer", "10.1.0.0/16", "None") ", "
						  R("pin", "20.1.0.0/16", "None")),
					 NULL, subnets[sn], set);
			/* Asked for: the entries, the own rows' prefixes, absent ones. */
			size_t nq = ne;
			struct eff_iter it = { 0 };
			struct route_row row;
			while (eff_row(t, false, &it, &row) && nq < NELEM(seen) - 8)
				seen[nq++] = row.prefixes[0];
			for (int i = 0; i < 8; i++) {
				uint8_t len = (uint8_t)(NEXT() % 33);
				uint32_t a = (uint32_t)NEXT();
				seen[nq++] = (struct prefix){ a & prefix_mask(len), len };
			}
			nq = prefix_sort_unique(seen, nq);
			for (int wr = 0; wr < 2; wr++) {
				cr_assert_eq(eff_walk_start(&w, t, wr), 0);
				for (size_t i = 0; i < nq; i++)
					same_rows(t, &w, seen[i], wr, subnets[sn]);
				/* Repeated and decreasing prefixes are answered too. */
				for (size_t i = nq; i-- > 0;)
					same_rows(t, &w, seen[i], wr, subnets[sn]);
			}
			efx_fini(&f);
			bgp_set_unref(set);
		}
	eff_walk_fini(&w);
#undef NEXT
}

/* Whether t's rows at p (view without_rs) are exactly set's entry for p
 * in view set_wrs: Active gateway rows, one per next hop, nothing else. */
static bool rows_are_the_sets(const struct eff_table *t, bool without_rs, struct prefix p,
			      const struct bgp_set *set, bool set_wrs)
{
	struct route_row got[16];
	size_t n = eff_rows_with_prefix(t, p, without_rs, got, NELEM(got)), k = 0;
	cr_assert_leq(n, NELEM(got));
	size_t e = bgp_set_seek(set, 0, p);
	struct bgp_set_rows r = { 0 };
	if (e < bgp_set_count(set) && prefix_equal(*bgp_set_entry(set, e, NULL), p))
		bgp_set_entry(set, e, &r);
	for (size_t i = 0; i < r.n; i++) {
		if (set_wrs && r.rs[i])
			continue;
		if (k >= n || got[k].source != SRC_GATEWAY || !got[k].active || got[k].nh_ip != r.nh[i])
			return false;
		k++;
	}
	return k == n;
}

/* The oracles' estate: a random domain set of 200 entries (a quarter
 * hidden under the 10/8 rows, some at the User row's 8.8.8.0/24, Invalid)
 * in subnet's table; seen: the entries' prefixes, then the table's own
 * rows' (nq in all). */
struct random_table {
	char text[200][64];
	const char *entries[200];
	struct prefix seen[200 + 64];
	size_t nq;
	struct bgp_set *set;
	struct efx f;
	const struct eff_table *t;
};

static void random_table(struct random_table *rt, uint64_t *x, const char *subnet)
{
#define NEXT() (*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17, *x)
	size_t ne = 0;
	for (size_t i = 0; i < NELEM(rt->entries); i++) {
		uint8_t len = (uint8_t)(NEXT() % 33);
		uint32_t a = (uint32_t)NEXT();
		if (i % 4 == 0)
			a = (a & 0x00ffffffu) | 0x0a000000u; /* hidden under 10/8 rows */
		if (i % 50 == 0)
			a = A("8.8.8.0"), len = 24;   /* the User row's: Invalid */
		put_entry(x, (struct prefix){ a & prefix_mask(len), len }, NULL, rt->seen, &ne,
			  rt->text, rt->entries);
	}
#undef NEXT
	rt->set = mkset(rt->entries, ne);
	rt->t = eff_load(&rt->f, BASE(R("web", "8.8.8.0/24", "Internet")), NULL, subnet, rt->set);
	rt->nq = ne;
	struct eff_iter it = { 0 };
	struct route_row row;
	while (eff_row(rt->t, false, &it, &row) && rt->nq < NELEM(rt->seen))
		rt->seen[rt->nq++] = row.prefixes[0]; /* own rows' prefixes too */
}

static void random_table_fini(struct random_table *rt)
{
	efx_fini(&rt->f);
	bgp_set_unref(rt->set);
}

/* Oracle: when eff_scope_set_only says yes, every prefix of the scope
 * shows its domain set's rows alone (no own row, no hidden or Invalid
 * entry), those of the set and view it names; when some prefix shows
 * other rows it says no. */
Test(effective, scope_set_only_means_the_sets_rows_alone)
{
	static const char *const subnets[] = { "hub/app", "hub/plain", "spoke/app" };
	uint64_t x = 0x9E3779B97F4A7C15u;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	size_t yes = 0, no = 0;
	for (size_t sn = 0; sn < NELEM(subnets); sn++) {
		static struct random_table rt;
		random_table(&rt, &x, subnets[sn]);
		const struct eff_table *t = rt.t;
		const struct bgp_set *set = rt.set;
		const struct prefix *seen = rt.seen;
		size_t nq = rt.nq;
		for (int round = 0; round < 300; round++) {
			struct prefix scope[3];
			for (size_t k = 0; k < NELEM(scope); k++)
				scope[k] = seen[NEXT() % nq];
			size_t ns = prefix_sort_unique(scope, 1 + NEXT() % NELEM(scope));
			for (int wr = 0; wr < 2; wr++) {
				const struct bgp_set *got = NULL;
				bool got_wrs = false;
				bool says = eff_scope_set_only(t, wr, scope, ns, &got, &got_wrs);
				bool all = true;
				for (size_t k = 0; k < ns && says; k++)
					all = all && rows_are_the_sets(t, wr, scope[k], got, got_wrs);
				cr_assert(all, "%s: yes, but a prefix shows other rows", subnets[sn]);
				bool other = false;
				for (size_t k = 0; k < ns; k++)
					other = other || !rows_are_the_sets(t, wr, scope[k], set, wr);
				cr_assert(!other || !says, "%s: yes, but a prefix shows other rows",
					  subnets[sn]);
				yes += says;
				no += !says;
			}
		}
		random_table_fini(&rt);
	}
	cr_assert(yes > 100 && no > 50, "%zu yes, %zu no", yes, no);
#undef NEXT
}

/* Oracle: at every prefix eff_special_prefixes leaves out, a table shows
 * its domain set's rows alone, each Active (what a sweep reads from the
 * set for hundreds of subnets at once); every prefix where it shows
 * something else (own rows, hidden or Invalid entries) is in the list. */
Test(effective, special_prefixes_are_where_rows_are_not_the_sets)
{
	static const char *const subnets[] = { "hub/app", "hub/plain", "spoke/app" };
	uint64_t x = 0x2545F4914F6CDD1Du;
	size_t plain = 0, special = 0;
	for (size_t sn = 0; sn < NELEM(subnets); sn++) {
		static struct random_table rt;
		random_table(&rt, &x, subnets[sn]);
		const struct eff_table *t = rt.t;
		const struct prefix *seen = rt.seen;
		size_t nq = rt.nq;
		struct prefix *sp = NULL;
		size_t nsp = 0, cap = 0;
		cr_assert_eq(eff_special_prefixes(t, &sp, &nsp, &cap), 0);
		nsp = prefix_sort_unique(sp, nsp);
		for (size_t i = 0; i < nq; i++) {
			bool listed = bsearch(&seen[i], sp, nsp, sizeof(*sp), prefix_cmp_qsort) != NULL;
			bool sets = rows_are_the_sets(t, false, seen[i], eff_table_set(t), false);
			cr_assert(listed || sets, "%s: a prefix not listed shows other rows",
				  subnets[sn]);
			plain += !listed;
			special += listed;
		}
		free(sp);
		random_table_fini(&rt);
	}
	cr_assert(plain > 100 && special > 10, "%zu plain, %zu special", plain, special);
	size_t n0 = 0, c0 = 0;
	struct prefix *none = NULL;
	cr_assert_eq(eff_special_prefixes(NULL, &none, &n0, &c0), 0);
	cr_assert_eq(n0, 0);
}

/* Oracle: every prefix whose rows differ between two tables sharing a
 * domain set is inside eff_diff_bound's answer.  The pairs differ in User
 * routes (Invalid entries come and go) and in a peering (hidden entries
 * come and go, peering rows too). */
#define HUB_NO_SPOKE                                                                           \
	"{ 'name': 'hub', 'location': 'westeurope',"                                           \
	"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                            \
	"  'subnets': [ { 'name': 'app', 'addressPrefix': '10.0.1.0/24',"                      \
	"                 'routeTable': { 'id': 'rt-app' } },"                                 \
	"               { 'name': 'plain', 'addressPrefix': '10.0.2.0/24' },"                  \
	"               { 'name': 'pe', 'addressPrefix': '10.0.3.0/24' } ],"                   \
	"  'virtualNetworkPeerings': ["                                                        \
	"  { 'name': 'hub-far', 'remoteVirtualNetwork': { 'id': 'far' } },"                    \
	"  { 'name': 'hub-other', 'remoteVirtualNetwork': { 'id': 'other' } } ] }"

static size_t sorted_keys(struct route_row *r, size_t n, char keys[][96])
{
	for (size_t i = 0; i < n; i++)
		row_key(&r[i], keys[i], 96);
	qsort(keys, n, sizeof(keys[0]), key_cmp);
	return n;
}

/* Up to n distinct entries for the diff-bound test, one row each: a third
 * inside 10.0/16 or 10.1/16 (hidden by VnetLocal or peering), and the
 * prefixes of the topologies' User routes and 0/0.  Their prefixes go to
 * seen[]. */
static size_t diff_entries(size_t n, char text[][64], const char **entries, struct prefix *seen)
{
	static const char *const hops[] = { "10.0.1.4", "*10.0.1.5", "10.0.255.4" };
	uint64_t x = 0x2545F4914F6CDD1Du;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	size_t ne = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t len = (uint8_t)(8 + NEXT() % 25);
		uint32_t a = (uint32_t)NEXT();
		if (i % 3 == 0) /* inside 10.0/16 or 10.1/16: hidden by VnetLocal or peering */
			a = (a & 0x0000ffffu) | (i % 2 ? 0x0a000000u : 0x0a010000u),
			len = (uint8_t)(16 + len % 17);
		if (i == 7)
			a = A("8.8.8.0"), len = 24;
		if (i == 8)
			a = A("20.1.0.0"), len = 16;
		if (i == 9)
			a = 0, len = 0;
		struct prefix p = { a & prefix_mask(len), len };
		bool dup = false;
		for (size_t k = 0; k < ne && !dup; k++)
			dup = prefix_equal(seen[k], p);
		if (dup)
			continue;
		seen[ne] = p;
		char pf[PREFIX_STRLEN];
		const char *h = hops[NEXT() % NELEM(hops)];
		snprintf(text[ne], 64, "%s %s", prefix_format(p, pf), h);
		entries[ne] = text[ne];
		ne++;
	}
#undef NEXT
	return ne;
}

Test(effective, diff_bound_holds_every_changed_prefix)
{
	static const char *const topos[] = {
		BASE(R("web", "8.8.8.0/24", "Internet")),
		BASE(R("web", "8.8.8.0/24", "None") ", " R("pin", "20.1.0.0/16", "None") ", "
		     R("dflt", "0.0.0.0/0", "None")),
		"{ 'virtualNetworks': [ " HUB_NO_SPOKE ", " SPOKES " ], "
		RT_APP("", R("pin", "20.1.0.0/16", "None")) " }",
	};
	static const char *const subnets[] = { "hub/app", "hub/plain", "spoke/app" };
	enum { N = 300 };
	static char text[N][64];
	const char *entries[N];
	struct prefix seen[N + 64];
	size_t ne = diff_entries(N, text, entries, seen);
	/* Sets: all entries; a third fewer; other next hops for a fifth; none. */
	static char text2[N][64];
	const char *entries2[N];
	size_t ne2 = 0;
	for (size_t i = 0; i < ne; i++) {
		if (i % 3 == 1)
			continue;
		snprintf(text2[ne2], sizeof(text2[ne2]), "%s", entries[i]);
		if (i % 5 == 0)
			snprintf(strchr(text2[ne2], ' '), 32, " 10.0.1.9,*10.0.1.4");
		entries2[ne2] = text2[ne2];
		ne2++;
	}
	struct bgp_set *sets[] = { mkset(entries, ne), mkset(entries2, ne2), NULL };
	struct bgp_set *other = mkset(entries, ne - 1);
	size_t checked = 0, changed = 0;
	for (size_t sn = 0; sn < NELEM(subnets); sn++)
		for (size_t ta = 0; ta < NELEM(topos); ta++)
			for (size_t tb = 0; tb < NELEM(topos); tb++)
				for (size_t sp = 0; sp < NELEM(sets) * NELEM(sets); sp++) {
				struct bgp_set *sa = sets[sp / NELEM(sets)], *sb = sets[sp % NELEM(sets)];
				struct efx f, g;
				const struct eff_table *a = eff_load(&f, topos[ta], NULL, subnets[sn], sa);
				const struct eff_table *b = eff_load(&g, topos[tb], NULL, subnets[sn], sb);
				struct prefix *bound, *sd;
				size_t nb, nsd;
				cr_assert_eq(bgp_set_diff(eff_table_set(a), eff_table_set(b), &sd, &nsd), 0);
				cr_assert_not_null(sd);
				cr_assert_eq(eff_diff_bound(a, b, sd, nsd, &bound, &nb), 1);
				free(sd);
				/* Every prefix either table lists, and the entries. */
				struct prefix q[3 * N + 128];
				size_t nq = 0;
				for (size_t i = 0; i < ne; i++)
					q[nq++] = seen[i];
				const struct eff_table *both[] = { a, b };
				for (int t = 0; t < 2; t++) {
					struct eff_iter it = { 0 };
					struct route_row row;
					while (eff_row(both[t], false, &it, &row) && nq < NELEM(q))
						q[nq++] = row.prefixes[0];
				}
				nq = prefix_sort_unique(q, nq);
				for (size_t i = 0; i < nq; i++) {
					struct route_row ra[16], rb[16];
					static char ka[16][96], kb[16][96];
					size_t na = sorted_keys(ra, eff_rows_with_prefix(a, q[i], false, ra, 16), ka);
					size_t nbr = sorted_keys(rb, eff_rows_with_prefix(b, q[i], false, rb, 16), kb);
					bool same = na == nbr;
					for (size_t k = 0; same && k < na; k++)
						same = strcmp(ka[k], kb[k]) == 0;
					checked++;
					if (same)
						continue;
					changed++;
					bool in = false;
					for (size_t k = 0; k < nb && !in; k++)
						in = prefix_equal(bound[k], q[i]);
					char pf[PREFIX_STRLEN];
					cr_assert(in, "%s, topologies %zu and %zu, sets %zu: %s changed, not in "
						  "the bound", subnets[sn], ta, tb, sp, prefix_format(q[i], pf));
				}
				free(bound);
				/* Not the same set object, the difference not given:
				 * no bound. */
				struct efx h;
				const struct eff_table *c = eff_load(&h, topos[ta], NULL, subnets[sn], other);
				if (sa)
					cr_assert_eq(eff_diff_bound(a, c, NULL, 0, &bound, &nb), 0);
				efx_fini(&f);
				efx_fini(&g);
				efx_fini(&h);
			}
	cr_assert_gt(changed, 20, "the pairs changed only %zu of %zu prefixes", changed, checked);
	for (size_t i = 0; i < NELEM(sets); i++)
		bgp_set_unref(sets[i]);
	bgp_set_unref(other);
}
