/*
 * test_topology.c - the loaded topology's public contract
 * (models/rules/topology.c; the loading itself is test_topo_load.c):
 * next hop type names, the lookups of every collection (hits, misses,
 * separate namespaces), reference counting, the invariants topology.h
 * states after a load (scenario order, subnet indexes and ids, NICs
 * grouped by subnet, addresses inside their subnet and unique, routing
 * domains) and topology_domain_vnets at its limits.  NIC names are checked
 * one by one against RULES 2.1 (a 1-based index zero-padded to the width
 * of count), computed here with printf.
 *
 * Network: hub 10.0.0.0/16 (westeurope) with a VPN gateway named "hub"
 * (a gateway may share its VNet's name), a Route Server "ars" with two
 * NVAs, subnets GatewaySubnet, RouteServerSubnet, app and nva; spoke "a"
 * uses the hub's gateways; spoke "b" is peered without transit; "far"
 * (northeurope) is peered globally; "iso" is alone.
 */
#include <criterion/criterion.h>

#include "helpers.h"

/* ---- next hop type names ------------------------------------------------------- */

static const struct {
	enum nh_type t;
	const char *arm;
} NH[] = {
	{ NH_NONE, "None" },
	{ NH_VNET_LOCAL, "VnetLocal" },
	{ NH_INTERNET, "Internet" },
	{ NH_VIRTUAL_APPLIANCE, "VirtualAppliance" },
	{ NH_VNET_GATEWAY, "VirtualNetworkGateway" },
	{ NH_VNET_PEERING, "VNetPeering" },
	{ NH_VNET_GLOBAL_PEERING, "VNetGlobalPeering" },
	{ NH_SERVICE_ENDPOINT, "VirtualNetworkServiceEndpoint" },
	{ NH_INTERFACE_ENDPOINT, "InterfaceEndpoint" },
};

Test(topology, nh_type_names_are_the_arm_spellings)
{
	cr_assert_eq(NELEM(NH), NH__COUNT, "test bug: a next hop type is missing here");
	for (size_t i = 0; i < NELEM(NH); i++) {
		cr_expect_str_eq(nh_type_name(NH[i].t), NH[i].arm);
		enum nh_type out = NH__COUNT;
		cr_expect(nh_type_parse(NH[i].arm, &out), "%s", NH[i].arm);
		cr_expect_eq(out, NH[i].t, "%s round trip", NH[i].arm);
	}
}

Test(topology, nh_type_out_of_range_and_unknown_spellings)
{
	cr_expect_str_eq(nh_type_name(NH__COUNT), "Unknown");
	cr_expect_str_eq(nh_type_name((enum nh_type)-1), "Unknown");
	static const char *const bad[] = { "", "vnetlocal", "VNETLOCAL", "VnetLocal ", "Unknown",
					   "VirtualNetworkGateways", "VirtualAppliances", "none" };
	for (size_t i = 0; i < NELEM(bad); i++) {
		enum nh_type out = NH_INTERFACE_ENDPOINT;
		cr_expect(!nh_type_parse(bad[i], &out), "\"%s\" is not a next hop type", bad[i]);
		cr_expect_eq(out, NH_INTERFACE_ENDPOINT, "a failed parse leaves *out alone");
	}
}

/* ---- the fixture ---------------------------------------------------------------- */

#define PEER(name, remote, extra) \
	"{ 'name': '" name "', 'remoteVirtualNetwork': { 'id': '" remote "' } " extra " }"
#define NET                                                                                    \
	"{ 'virtualNetworks': ["                                                               \
	"  { 'name': 'hub', 'location': 'westeurope',"                                         \
	"    'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                          \
	"    'subnets': [ { 'name': 'GatewaySubnet', 'addressPrefix': '10.0.255.0/27' },"      \
	"                 { 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.254.0/26' },"  \
	"                 { 'name': 'app', 'addressPrefix': '10.0.2.0/24',"                    \
	"                   'routeTable': { 'id': 'rt' } },"                                   \
	"                 { 'name': 'nva', 'addressPrefix': '10.0.1.0/24' } ],"                \
	"    'virtualNetworkPeerings': [ " PEER("h-a", "a", ", 'allowGatewayTransit': true") "," \
	"      " PEER("h-b", "b", "") ", " PEER("h-far", "far", "") " ] },"                   \
	"  { 'name': 'a', 'location': 'westeurope',"                                           \
	"    'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] },"                          \
	"    'subnets': [ { 'name': 'app', 'addressPrefix': '10.1.0.0/24' } ],"               \
	"    'virtualNetworkPeerings': [ " PEER("a-h", "hub", ", 'useRemoteGateways': true") " ] }," \
	"  { 'name': 'b', 'location': 'westeurope',"                                           \
	"    'addressSpace': { 'addressPrefixes': ['10.2.0.0/16'] },"                          \
	"    'subnets': [ { 'name': 'app', 'addressPrefix': '10.2.0.0/24' },"                 \
	"                 { 'name': 'db', 'addressPrefix': '10.2.1.0/24' } ],"                 \
	"    'virtualNetworkPeerings': [ " PEER("b-h", "hub", "") " ] },"                      \
	"  { 'name': 'far', 'location': 'northeurope',"                                        \
	"    'addressSpace': { 'addressPrefixes': ['10.3.0.0/16'] },"                          \
	"    'subnets': [ { 'name': 'app', 'addressPrefix': '10.3.0.0/24' } ],"               \
	"    'virtualNetworkPeerings': [ " PEER("far-h", "hub", "") " ] },"                    \
	"  { 'name': 'iso', 'location': 'westeurope',"                                         \
	"    'addressSpace': { 'addressPrefixes': ['10.9.0.0/16'] },"                          \
	"    'subnets': [ { 'name': 'app', 'addressPrefix': '10.9.0.0/24' } ] } ],"           \
	"  'routeTables': [ { 'name': 'rt', 'routes': [ { 'name': 'r1',"                      \
	"    'addressPrefix': '8.8.8.0/24', 'nextHopType': 'Internet' } ] },"                 \
	"    { 'name': 'unused', 'routes': [] } ],"                                            \
	"  'networkInterfaces': ["                                                             \
	"    { 'name': 'nva1-nic', 'enableIPForwarding': true, 'ipConfigurations': [ {"        \
	"      'subnet': { 'id': 'hub/nva' }, 'privateIPAddress': '10.0.1.10' } ] },"          \
	"    { 'name': 'b-app-*', 'count': 3, 'ipConfigurations': [ { 'subnet': { 'id': 'b/app' } } ] }," \
	"    { 'name': 'hub-app-*', 'count': 2, 'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] }," \
	"    { 'name': 'b-db', 'ipConfigurations': [ { 'subnet': { 'id': 'b/db' } } ] },"     \
	"    { 'name': 'b-app-x', 'ipConfigurations': [ { 'subnet': { 'id': 'b/app' } } ] } ]," \
	"  'virtualNetworkGateways': [ { 'name': 'hub', 'virtualNetwork': { 'id': 'hub' },"   \
	"    'gatewayType': 'Vpn', 'sku': { 'name': 'VpnGw1' }, 'enableBgp': true,"           \
	"    'bgpSettings': { 'asn': 65515 } } ],"                                             \
	"  'connections': [ { 'name': 'branch', 'virtualNetworkGateway': { 'id': 'hub' },"    \
	"    'connectionType': 'IPsec', 'enableBgp': true, 'peerAsn': 65100,"                 \
	"    'peerBgpAddress': '192.168.100.1', 'localNetworkAddressPrefixes': [] } ],"        \
	"  'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"   \
	"    'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.10', 'peerAsn': 65001 }," \
	"                        { 'name': 'nva2', 'peerIp': '10.0.1.11', 'peerAsn': 65001 } ] } ] }"

/* ---- lookups -------------------------------------------------------------------- */

Test(topology, every_lookup_finds_by_its_key)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	cr_expect_str_eq(topology_vnet(t, "far")->name, "far");
	cr_expect_str_eq(topology_subnet(t, "b/db")->id, "b/db");
	cr_expect_str_eq(topology_subnet(t, "b/db")->name, "db");
	cr_expect_str_eq(topology_route_table(t, "unused")->name, "unused");
	cr_expect_str_eq(topology_nic(t, "b-app-2")->name, "b-app-2");
	cr_expect_str_eq(topology_connection(t, "branch")->name, "branch");
	cr_expect_str_eq(topology_route_server(t, "ars")->name, "ars");
	const struct bgp_conn *c = topology_bgp_conn(t, "ars/nva2");
	cr_assert_not_null(c);
	cr_expect_str_eq(c->name, "nva2");
	cr_expect_str_eq(c->id, "ars/nva2");
	cr_expect_eq(c->rs, topology_route_server(t, "ars"));
	cr_expect_eq(c->peer_ip, IP(10, 0, 1, 11));
	/* A VNet and a gateway may share a name: separate namespaces. */
	const struct gateway *g = topology_gateway(t, "hub");
	cr_assert_not_null(g);
	cr_expect_eq(g->vnet, topology_vnet(t, "hub"));
	cr_expect_eq(topology_vnet(t, "hub")->vpn_gw, g);
	cr_expect_eq(topology_connection(t, "branch")->gw, g);
	tload_free(&x);
}

Test(topology, lookups_miss_without_guessing)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	static const char *const vnets[] = { "", "Hub", "hub ", "hub/app", "ars" };
	for (size_t i = 0; i < NELEM(vnets); i++)
		cr_expect_null(topology_vnet(t, vnets[i]), "vnet \"%s\"", vnets[i]);
	/* Subnets are "vnet/subnet": a bare name is ambiguous (four "app"s). */
	static const char *const subnets[] = { "app", "hub", "hub/", "/app", "hub/App", "hub/app/x",
					       "iso/db" };
	for (size_t i = 0; i < NELEM(subnets); i++)
		cr_expect_null(topology_subnet(t, subnets[i]), "subnet \"%s\"", subnets[i]);
	/* The template is not a NIC, and b-app-x is not one of its copies. */
	cr_expect_null(topology_nic(t, "b-app-*"));
	cr_expect_null(topology_nic(t, "b-app-0"));
	cr_expect_null(topology_nic(t, "b-app-4"));
	cr_expect_null(topology_nic(t, "b-app-01"), "count 3 pads to one digit");
	cr_expect_null(topology_route_table(t, "hub"));
	cr_expect_null(topology_gateway(t, "ars"));
	cr_expect_null(topology_gateway(t, "a"), "a spoke using it has no gateway of its own");
	cr_expect_null(topology_connection(t, "hub"));
	cr_expect_null(topology_route_server(t, "hub"));
	cr_expect_null(topology_bgp_conn(t, "nva1"), "bgpConnections are \"rs/name\"");
	cr_expect_null(topology_bgp_conn(t, "ars/nva3"));
	cr_expect_null(topology_bgp_conn(t, "hub/nva1"));
	tload_free(&x);
}

/* ---- reference counting --------------------------------------------------------- */

Test(topology, references_keep_it_alive_until_the_last_destroy)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	cr_expect_eq(t->refs, 1, "topo_load returns one reference");
	cr_expect_eq(topology_ref(t), t);
	cr_expect_eq(topology_ref(t), t);
	cr_expect_eq(t->refs, 3);
	topology_destroy(t);
	topology_destroy(t);
	cr_expect_eq(t->refs, 1);
	/* Still whole (AddressSanitizer would flag a use after free). */
	cr_expect_str_eq(topology_subnet(t, "a/app")->id, "a/app");
	cr_expect_null(topology_ref(NULL));
	topology_destroy(NULL);
	tload_free(&x); /* the last reference */
}

/* ---- invariants after a load ------------------------------------------------------ */

Test(topology, arrays_in_scenario_order_with_indexes_and_ids)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	static const char *const want_vnets[] = { "hub", "a", "b", "far", "iso" };
	static const char *const want_subnets[] = { "hub/GatewaySubnet", "hub/RouteServerSubnet",
						    "hub/app", "hub/nva", "a/app", "b/app", "b/db",
						    "far/app", "iso/app" };
	cr_assert_eq(t->nvnets, NELEM(want_vnets));
	for (size_t i = 0; i < t->nvnets; i++) {
		cr_expect_str_eq(t->vnets[i]->name, want_vnets[i]);
		cr_expect_eq(t->vnets[i]->index, i);
	}
	cr_assert_eq(t->nsubnets, NELEM(want_subnets));
	for (size_t i = 0; i < t->nsubnets; i++) {
		const struct subnet *s = t->subnets[i];
		cr_expect_str_eq(s->id, want_subnets[i]);
		cr_expect_eq(s->index, i);
		char id[64];
		snprintf(id, sizeof(id), "%s/%s", s->vnet->name, s->name);
		cr_expect_str_eq(s->id, id, "id is vnet/name");
		cr_expect_eq(topology_subnet(t, s->id), s);
	}
	cr_assert_eq(t->nrts, 2);
	cr_expect_str_eq(t->rts[0]->name, "rt");
	cr_expect_str_eq(t->rts[1]->name, "unused");
	cr_expect_eq(topology_subnet(t, "hub/app")->rt, t->rts[0]);
	cr_expect_null(topology_subnet(t, "hub/nva")->rt);
	tload_free(&x);
}

/* NICs keep file order (templates expanded in place); subnet_nics groups
 * them by subnet, in file order inside each subnet. */
Test(topology, nics_grouped_by_subnet)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	static const char *const order[] = { "nva1-nic", "b-app-1", "b-app-2", "b-app-3",
					     "hub-app-1", "hub-app-2", "b-db", "b-app-x" };
	cr_assert_eq(t->nnics, NELEM(order));
	for (size_t k = 0; k < t->nnics; k++) {
		cr_expect_str_eq(t->nics[k].name, order[k]);
		cr_expect_eq(t->nics[k].order, k);
		cr_expect_eq(topology_nic(t, order[k]), &t->nics[k]);
	}
	static const struct {
		const char *subnet;
		const char *nics[4];
		size_t n;
	} groups[] = {
		{ "hub/GatewaySubnet", { NULL }, 0 },
		{ "hub/RouteServerSubnet", { NULL }, 0 },
		{ "hub/app", { "hub-app-1", "hub-app-2" }, 2 },
		{ "hub/nva", { "nva1-nic" }, 1 },
		{ "a/app", { NULL }, 0 },
		{ "b/app", { "b-app-1", "b-app-2", "b-app-3", "b-app-x" }, 4 },
		{ "b/db", { "b-db" }, 1 },
		{ "far/app", { NULL }, 0 },
		{ "iso/app", { NULL }, 0 },
	};
	size_t next = 0;
	for (size_t g = 0; g < NELEM(groups); g++) {
		const struct subnet *s = topology_subnet(t, groups[g].subnet);
		cr_assert_not_null(s);
		cr_expect_eq(s->nic_count, groups[g].n, "%s", groups[g].subnet);
		cr_expect_eq(s->nic_first, next, "%s: groups follow subnet order", groups[g].subnet);
		next += s->nic_count;
		for (size_t k = 0; k < s->nic_count && k < groups[g].n; k++) {
			const struct nic *n = t->subnet_nics[s->nic_first + k];
			cr_expect_str_eq(n->name, groups[g].nics[k]);
			cr_expect_eq(n->subnet, s);
		}
	}
	cr_expect_eq(next, t->nnics);
	tload_free(&x);
}

/* Every NIC address is a usable one of its subnet (.4 up to the last but
 * one, RULES 2.1) and unique within it; dynamic ones come from .4 up. */
Test(topology, nic_addresses_inside_their_subnet_and_unique)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	for (size_t k = 0; k < t->nnics; k++) {
		const struct nic *n = &t->nics[k];
		struct prefix p = n->subnet->prefixes.v[0];
		uint32_t size = 1u << (32 - p.len);
		cr_expect(n->ip >= p.addr + 4 && n->ip <= p.addr + size - 2, "%s", n->name);
		for (size_t m = k + 1; m < t->nnics; m++)
			cr_expect(t->nics[m].subnet != n->subnet || t->nics[m].ip != n->ip,
				  "%s and %s share an address", n->name, t->nics[m].name);
	}
	cr_expect_eq(topology_nic(t, "nva1-nic")->ip, IP(10, 0, 1, 10), "static");
	cr_expect(topology_nic(t, "nva1-nic")->ip_forwarding);
	cr_expect_eq(topology_nic(t, "b-app-1")->ip, IP(10, 2, 0, 4));
	cr_expect_eq(topology_nic(t, "b-app-3")->ip, IP(10, 2, 0, 6));
	cr_expect_eq(topology_nic(t, "b-app-x")->ip, IP(10, 2, 0, 7));
	cr_expect(!topology_nic(t, "b-app-x")->ip_forwarding);
	tload_free(&x);
}

Test(topology, peerings_and_routing_domains)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	const struct vnet *hub = topology_vnet(t, "hub"), *a = topology_vnet(t, "a"),
			  *b = topology_vnet(t, "b"), *far = topology_vnet(t, "far"),
			  *iso = topology_vnet(t, "iso");
	cr_assert_eq(hub->npeerings, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_expect_eq(hub->peerings[i].local, hub);
		cr_expect(hub->peerings[i].connected, "%s", hub->peerings[i].name);
	}
	cr_expect_eq(hub->peerings[0].remote, a);
	cr_expect(!hub->peerings[1].global);
	cr_expect(hub->peerings[2].global, "northeurope vs westeurope");
	cr_expect(far->peerings[0].global);
	cr_expect_eq(hub->domain, hub, "own gateway and Route Server");
	cr_expect_eq(a->domain, hub, "useRemoteGateways");
	cr_expect_null(b->domain, "peered without transit");
	cr_expect_null(far->domain);
	cr_expect_null(iso->domain);
	cr_expect_eq(hub->rs, topology_route_server(t, "ars"));
	cr_expect_null(a->rs);
	tload_free(&x);
}

/* ---- topology_domain_vnets --------------------------------------------------------- */

Test(topology, domain_vnets_counts_beyond_max_and_writes_no_further)
{
	struct tload x;
	struct topology *t = tload(&x, NET, NULL);
	const struct vnet *hub = topology_vnet(t, "hub");
	const struct vnet *sentinel = topology_vnet(t, "iso");
	const struct vnet *out[4] = { sentinel, sentinel, sentinel, sentinel };
	cr_expect_eq(topology_domain_vnets(t, hub, out, 4), 2);
	cr_expect_eq(out[0], hub, "the hub first: scenario order");
	cr_expect_eq(out[1], topology_vnet(t, "a"));
	cr_expect_eq(out[2], sentinel);
	out[0] = out[1] = sentinel;
	cr_expect_eq(topology_domain_vnets(t, hub, out, 1), 2, "the count, not what was written");
	cr_expect_eq(out[0], hub);
	cr_expect_eq(out[1], sentinel, "nothing written past max");
	cr_expect_eq(topology_domain_vnets(t, hub, NULL, 0), 2, "max 0: a count only");
	/* A VNet that programs nothing has an empty domain, even a spoke. */
	cr_expect_eq(topology_domain_vnets(t, topology_vnet(t, "a"), NULL, 0), 0);
	cr_expect_eq(topology_domain_vnets(t, topology_vnet(t, "b"), NULL, 0), 0);
	cr_expect_eq(topology_domain_vnets(t, topology_vnet(t, "iso"), NULL, 0), 0);
	tload_free(&x);
}

/* ---- NIC names (RULES 2.1) ------------------------------------------------------------ */

/* Every expanded name equals head + the index printed with %0*llu at the
 * width of count + tail, and is found by topology_nic. */
static void expect_names(const struct topology *t, size_t first, const char *tmpl,
			 unsigned long long count)
{
	const char *star = strchr(tmpl, '*');
	char width_buf[24];
	int width = snprintf(width_buf, sizeof(width_buf), "%llu", count);
	for (unsigned long long k = 1; k <= count; k++) {
		char want[128];
		snprintf(want, sizeof(want), "%.*s%0*llu%s", (int)(star - tmpl), tmpl, width, k,
			 star + 1);
		const struct nic *n = &t->nics[first + k - 1];
		cr_assert_str_eq(n->name, want, "%s x %llu, #%llu", tmpl, count, k);
		cr_assert_eq(topology_nic(t, want), n);
	}
}

/* Loads VNet v 10.0.0.0/16 with subnet v/s 10.0.0.0/20 and two NIC
 * entries in it: first (count first_count) then second (count
 * second_count); a count of 1 is left out of the file.  NULL on errors. */
static struct topology *two_nic_entries(struct tload *x, const char *first,
					unsigned long long first_count, const char *second,
					unsigned long long second_count)
{
	char count[2][32] = { "", "" };
	if (first_count != 1)
		snprintf(count[0], sizeof(count[0]), "'count': %llu,", first_count);
	if (second_count != 1)
		snprintf(count[1], sizeof(count[1]), "'count': %llu,", second_count);
	char topo[768];
	snprintf(topo, sizeof(topo),
		 "{ 'virtualNetworks': [ { 'name': 'v', 'location': 'westeurope', 'addressSpace':"
		 "  { 'addressPrefixes': ['10.0.0.0/16'] }, 'subnets': [ { 'name': 's',"
		 "  'addressPrefix': '10.0.0.0/20' } ] } ], 'networkInterfaces': ["
		 "  { 'name': '%s', %s 'ipConfigurations': [ { 'subnet': { 'id': 'v/s' } } ] },"
		 "  { 'name': '%s', %s 'ipConfigurations': [ { 'subnet': { 'id': 'v/s' } } ] } ] }",
		 first, count[0], second, count[1]);
	return tload_try(x, topo, NULL);
}

Test(topology, nic_names_padded_to_the_width_of_count)
{
	static const struct {
		const char *tmpl;
		unsigned long long count;
	} cases[] = {
		{ "n-*", 2 },   { "n-*", 9 },      { "n-*", 10 },     { "n-*", 11 },  { "n-*", 99 },
		{ "n-*", 100 }, { "n-*", 101 },    { "n-*", 1000 },   { "*", 10 },    { "*-end", 12 },
		{ "a*b", 3 },   { "long-name-*", 4000 },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct tload x;
		struct topology *t = two_nic_entries(&x, "first", 1, cases[i].tmpl, cases[i].count);
		if (!t)
			diag_dump(x.d);
		cr_assert_not_null(t, "%s x %llu", cases[i].tmpl, cases[i].count);
		cr_assert_eq(t->nnics, cases[i].count + 1);
		cr_expect_str_eq(t->nics[0].name, "first", "a plain name stays as written");
		expect_names(t, 1, cases[i].tmpl, cases[i].count);
		tload_free(&x);
	}
}

/* Padding decides which plain names collide with a template's copies:
 * count 9 makes "n-1", count 10 makes "n-01". */
Test(topology, nic_names_collide_only_at_the_padded_spelling)
{
	static const struct {
		const char *plain;
		unsigned count;
		bool collides;
	} cases[] = {
		{ "n-1", 9, true },   { "n-1", 10, false }, { "n-01", 10, true }, { "n-01", 9, false },
		{ "n-10", 10, true }, { "n-10", 9, false }, { "n-0", 10, false }, { "n-001", 100, true },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct tload x;
		struct topology *t = two_nic_entries(&x, "n-*", cases[i].count, cases[i].plain, 1);
		if (cases[i].collides) {
			cr_expect_null(t, "%s beside n-* x %u", cases[i].plain, cases[i].count);
			cr_expect_not_null(diag_find(x.d, DIAG_ERROR, NULL, "duplicate NIC name"),
					   "%s beside n-* x %u", cases[i].plain, cases[i].count);
		} else {
			cr_expect_not_null(t, "%s beside n-* x %u", cases[i].plain, cases[i].count);
			if (t)
				cr_expect_eq(t->nnics, cases[i].count + 1);
		}
		tload_free(&x);
	}
}
