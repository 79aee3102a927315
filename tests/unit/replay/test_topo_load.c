/*
 * test_topo_load.c - building a topology from the scenario's `topology`
 * JSON (models/replay/topo_load.c), every rule of RULES 2.1.
 *
 * Each rule has a test with a minimal input that breaks it and checks the
 * diagnostic: its JSON path and the words of its message.  Then the things
 * the loader builds: NIC expansion and names, dynamic addresses, gateway
 * instance addresses, service endpoint tags, peerings and routing domains.
 */
#include <criterion/criterion.h>

#include "failalloc.h"
#include "helpers.h"

/* A VNet "v" 10.0.0.0/16 with the given subnets (JSON array body). */
#define V(subnets)                                                                             \
	"{ 'name': 'v', 'location': 'westeurope',"                                             \
	"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] }, 'subnets': [ " subnets " ] }"
#define SUBNET(name, prefix) "{ 'name': '" name "', 'addressPrefix': '" prefix "' }"
#define GWSUB SUBNET("GatewaySubnet", "10.0.255.0/27")
#define TOPO(vnets, rest) "{ 'virtualNetworks': [ " vnets " ] " rest " }"

/* Asserts the load fails with an error at path whose message has substr. */
static void expect_error(const char *topo, const char *path, const char *substr)
{
	struct tload x;
	struct topology *t = tload_try(&x, topo, NULL);
	cr_expect_null(t, "expected an error at %s (%s)", path, substr);
	const struct diag_entry *e = diag_find(x.d, DIAG_ERROR, path, substr);
	if (!e) {
		diag_dump(x.d);
		cr_expect_fail("no error at %s containing \"%s\"", path, substr);
	} else {
		cr_expect_str_eq(e->file, "test.json");
	}
	tload_free(&x);
}

/* Asserts the load succeeds without any error. */
static void expect_ok(struct tload *x, const char *topo)
{
	tload(x, topo, NULL);
	cr_expect_eq(diag_count(x->d, DIAG_ERROR), 0);
}

/* ---- basics ---------------------------------------------------------------- */

Test(topo_load, minimal_topology)
{
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("s", "10.0.0.0/24")), ""));
	cr_expect_eq(x.t->nvnets, 1);
	cr_expect_eq(x.t->nsubnets, 1);
	cr_expect_eq(x.t->nnics, 0);
	struct subnet *s = topology_subnet(x.t, "v/s");
	cr_assert_not_null(s);
	cr_expect_str_eq(s->id, "v/s");
	cr_expect_str_eq(s->name, "s");
	cr_expect_eq(s->vnet, topology_vnet(x.t, "v"));
	cr_expect_null(s->rt);
	cr_expect_null(topology_vnet(x.t, "v")->domain, "no gateway: no routing domain");
	cr_expect_eq(x.t->refs, 1);
	tload_free(&x);
}

Test(topo_load, topology_must_be_an_object_with_vnets)
{
	expect_error("[]", "$.topology", "expected the topology object");
	expect_error("{ }", "$.topology", "missing required key \"virtualNetworks\"");
	expect_error("{ 'virtualNetworks': {} }", "$.topology.virtualNetworks", "expected an array");
}

Test(topo_load, unknown_keys_are_warnings)
{
	struct tload x;
	expect_ok(&x, "{ 'virtualNetworks': [ { 'name': 'v', 'colour': 'blue', "
		      "  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] } } ], 'extra': 1 }");
	cr_expect_not_null(diag_find(x.d, DIAG_WARNING, "$.topology.extra", "unknown key"));
	cr_expect_not_null(diag_find(x.d, DIAG_WARNING, "$.topology.virtualNetworks[0].colour",
				     "unknown key"));
	tload_free(&x);
}

Test(topo_load, every_error_is_collected)
{
	struct tload x;
	struct topology *t = tload_try(
		&x,
		TOPO(V(SUBNET("a", "10.1.0.0/24") ", " SUBNET("b", "10.0.0.0/30")),
		     ", 'routeTables': [ { 'name': 'rt', 'routes': [ { 'name': 'r',"
		     "  'addressPrefix': '10.0.0.0/8', 'nextHopType': 'Bogus' } ] } ]"),
		NULL);
	cr_expect_null(t);
	cr_expect_geq(diag_count(x.d, DIAG_ERROR), 3, "outside, too small, bad type");
	cr_expect_not_null(diag_find(x.d, DIAG_ERROR, "$.topology.virtualNetworks[0].subnets[0].addressPrefix",
				     "outside"));
	cr_expect_not_null(diag_find(x.d, DIAG_ERROR, "$.topology.virtualNetworks[0].subnets[1].addressPrefix",
				     "/29"));
	cr_expect_not_null(diag_find(x.d, DIAG_ERROR,
				     "$.topology.routeTables[0].routes[0].nextHopType", "Bogus"));
	tload_free(&x);
}

/* A non-object element among the VNets must not shift the later passes
 * (peerings, route table references) onto the next VNet: each element's
 * peerings and subnets are its own.  (They were read for the VNet at the
 * element's index among the loaded ones: "a" was said to peer with itself
 * and its dangling route table went unreported.) */
Test(topo_load, later_passes_read_each_vnets_own_element)
{
	struct tload x;
	struct topology *t = tload_try(
		&x,
		"{ 'virtualNetworks': [ 7,"
		"  { 'name': 'a', 'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"
		"    'virtualNetworkPeerings': [ { 'name': 'a-b', 'remoteVirtualNetwork': { 'id': 'b' } } ],"
		"    'subnets': [ { 'name': 's', 'addressPrefix': '10.0.0.0/24',"
		"                   'routeTable': { 'id': 'nope' } } ] },"
		"  { 'name': 'b', 'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] } } ] }",
		NULL);
	cr_expect_null(t);
	cr_expect_not_null(diag_find(x.d, DIAG_ERROR, "$.topology.virtualNetworks[0]",
				     "expected a virtual network object"));
	cr_expect_not_null(diag_find(x.d, DIAG_ERROR,
				     "$.topology.virtualNetworks[1].subnets[0].routeTable",
				     "no route table named \"nope\""));
	cr_expect_null(diag_find(x.d, DIAG_ERROR, NULL, "cannot peer with itself"));
	cr_expect_eq(diag_count(x.d, DIAG_ERROR), 2);
	tload_free(&x);
}

/* A VNet's virtualNetworkPeerings that is not an array is an error like
 * any mistyped member (it was ignored without a word). */
Test(topo_load, peerings_must_be_an_array)
{
	expect_error("{ 'virtualNetworks': [ { 'name': 'a', 'virtualNetworkPeerings': 5,"
		     "  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] } } ] }",
		     "$.topology.virtualNetworks[0].virtualNetworkPeerings",
		     "expected an array, found a number");
}

/* ---- subnets ----------------------------------------------------------------- */

Test(topo_load, subnet_prefix_or_prefixes)
{
	expect_error(TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24',"
			    "  'addressPrefixes': ['10.0.1.0/24'] }"), ""),
		     "$.topology.virtualNetworks[0].subnets[0]", "not both");
	expect_error(TOPO(V("{ 'name': 's' }"), ""), "$.topology.virtualNetworks[0].subnets[0]",
		     "addressPrefix");
	expect_error(TOPO(V("{ 'name': 's', 'addressPrefixes': [] }"), ""),
		     "$.topology.virtualNetworks[0].subnets[0].addressPrefixes", "at least one");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.5/24")), ""),
		     "$.topology.virtualNetworks[0].subnets[0].addressPrefix", "host bits");
	struct tload x;
	expect_ok(&x, TOPO(V("{ 'name': 's', 'addressPrefixes': ['10.0.0.0/24', '10.0.5.0/24'] }"), ""));
	cr_expect_eq(topology_subnet(x.t, "v/s")->prefixes.n, 2);
	tload_free(&x);
}

Test(topo_load, subnet_inside_its_vnet)
{
	expect_error(TOPO(V(SUBNET("s", "10.1.0.0/24")), ""),
		     "$.topology.virtualNetworks[0].subnets[0].addressPrefix", "outside the address space");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/15")), ""),
		     "$.topology.virtualNetworks[0].subnets[0].addressPrefix", "outside");
	expect_error(TOPO(V("{ 'name': 's', 'addressPrefixes': ['10.0.0.0/24', '10.9.0.0/24'] }"), ""),
		     "$.topology.virtualNetworks[0].subnets[0].addressPrefixes", "10.9.0.0/24");
	/* Boundaries: the whole space, the last /29. */
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("all", "10.0.0.0/16")), ""));
	tload_free(&x);
	expect_ok(&x, TOPO(V(SUBNET("last", "10.0.255.248/29")), ""));
	tload_free(&x);
	expect_error(TOPO(V(SUBNET("tiny", "10.0.255.252/30")), ""),
		     "$.topology.virtualNetworks[0].subnets[0].addressPrefix", "smaller than /29");
}

Test(topo_load, subnets_do_not_overlap_siblings)
{
	expect_error(TOPO(V(SUBNET("a", "10.0.0.0/24") ", " SUBNET("b", "10.0.0.128/25")), ""),
		     "$.topology.virtualNetworks[0].subnets[1]", "overlaps subnet \"a\"");
	expect_error(TOPO(V(SUBNET("a", "10.0.0.0/24") ", " SUBNET("b", "10.0.0.0/16")), ""),
		     "$.topology.virtualNetworks[0].subnets[1]", "overlaps subnet \"a\"");
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("a", "10.0.0.0/24") ", " SUBNET("b", "10.0.1.0/24")), ""));
	tload_free(&x);
}

Test(topo_load, vnet_space_does_not_overlap_itself)
{
	expect_error("{ 'virtualNetworks': [ { 'name': 'v', 'addressSpace': { 'addressPrefixes':"
		     "  ['10.0.0.0/16', '10.0.128.0/17'] } } ] }",
		     "$.topology.virtualNetworks[0].addressSpace.addressPrefixes", "overlaps");
	expect_error("{ 'virtualNetworks': [ { 'name': 'v', 'addressSpace': { 'addressPrefixes':"
		     "  ['10.0.0.0/16', '10.0.0.0/16'] } } ] }",
		     "$.topology.virtualNetworks[0].addressSpace.addressPrefixes[1]", "listed twice");
}

/* ---- names --------------------------------------------------------------------- */

Test(topo_load, names_unique_within_their_collection)
{
	expect_error("{ 'virtualNetworks': ["
		     "  { 'name': 'v', 'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] } },"
		     "  { 'name': 'v', 'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] } } ] }",
		     "$.topology.virtualNetworks[1].name", "duplicate virtual network name \"v\"");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24") ", " SUBNET("s", "10.0.1.0/24")), ""),
		     "$.topology.virtualNetworks[0].subnets[1].name", "duplicate subnet");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'routeTables': [ { 'name': 'rt' }, { 'name': 'rt' } ]"),
		     "$.topology.routeTables[1].name", "duplicate route table");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'routeTables': [ { 'name': 'rt', 'routes': ["
			  "  { 'name': 'r', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'None' },"
			  "  { 'name': 'r', 'addressPrefix': '2.0.0.0/8', 'nextHopType': 'None' } ] } ]"),
		     "$.topology.routeTables[0].routes[1].name", "duplicate route");
	/* "?" is a name like any other (it was the loader's mark for a route
	 * without a name, so two routes named "?" went unnoticed). */
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'routeTables': [ { 'name': 'rt', 'routes': ["
			  "  { 'name': '?', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'None' },"
			  "  { 'name': '?', 'addressPrefix': '2.0.0.0/8', 'nextHopType': 'None' } ] } ]"),
		     "$.topology.routeTables[0].routes[1].name", "duplicate route name \"?\"");
	/* An expanded NIC name colliding with a plain one. */
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'networkInterfaces': ["
			  "  { 'name': 'web-2', 'ipConfigurations': [ { 'subnet': { 'id': 'v/s' } } ] },"
			  "  { 'name': 'web-*', 'count': 3, 'ipConfigurations': [ { 'subnet': { 'id': 'v/s' } } ] } ]"),
		     "$.topology.networkInterfaces[1]", "duplicate NIC name \"web-2\"");
	/* Subnet names are per VNet; a VNet and a gateway may share a name. */
	struct tload x;
	expect_ok(&x, "{ 'virtualNetworks': ["
		      "  { 'name': 'hub', 'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"
		      "    'subnets': [ " GWSUB ", " SUBNET("app", "10.0.0.0/24") " ] },"
		      "  { 'name': 'spoke', 'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] },"
		      "    'subnets': [ " SUBNET("app", "10.1.0.0/24") " ] } ],"
		      "  'virtualNetworkGateways': [ { 'name': 'hub', 'virtualNetwork': { 'id': 'hub' },"
		      "    'gatewayType': 'Vpn', 'publicIpAddress': '20.0.0.1' } ] }");
	cr_expect_not_null(topology_gateway(x.t, "hub"));
	cr_expect_not_null(topology_subnet(x.t, "spoke/app"));
	tload_free(&x);
}

/* ---- peerings and routing domains ------------------------------------------- */

#define HUB_GW(hub_peerings)                                                                   \
	"{ 'name': 'hub', 'location': 'westeurope',"                                           \
	"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                            \
	"  'subnets': [ " GWSUB " ], 'virtualNetworkPeerings': [ " hub_peerings " ] }"
#define SPOKE(name, space, peerings)                                                           \
	"{ 'name': '" name "', 'location': 'westeurope',"                                      \
	"  'addressSpace': { 'addressPrefixes': ['" space "'] },"                              \
	"  'virtualNetworkPeerings': [ " peerings " ] }"
#define PEER(name, remote, extra)                                                              \
	"{ 'name': '" name "', 'remoteVirtualNetwork': { 'id': '" remote "' } " extra " }"
#define VPNGW(name, vnet)                                                                      \
	"{ 'name': '" name "', 'virtualNetwork': { 'id': '" vnet "' }, 'gatewayType': 'Vpn',"  \
	"  'activeActive': true }"
#define GWS(list) ", 'virtualNetworkGateways': [ " list " ]"

Test(topo_load, peered_vnets_must_not_overlap)
{
	expect_error(TOPO(HUB_GW(PEER("h-s", "s", "")) ", " SPOKE("s", "10.0.128.0/17", PEER("s-h", "hub", "")), ""),
		     "$.topology.virtualNetworks[0].virtualNetworkPeerings[0]", "cannot peer");
	expect_error(TOPO(HUB_GW(PEER("h-x", "nowhere", "")), ""),
		     "$.topology.virtualNetworks[0].virtualNetworkPeerings[0].remoteVirtualNetwork",
		     "no virtual network named \"nowhere\"");
	expect_error(TOPO(HUB_GW(PEER("h-h", "hub", "")), ""),
		     "$.topology.virtualNetworks[0].virtualNetworkPeerings[0].remoteVirtualNetwork",
		     "itself");
	/* Overlapping VNets that are not peered are fine. */
	struct tload x;
	expect_ok(&x, TOPO(HUB_GW("") ", " SPOKE("s", "10.0.0.0/16", ""), ""));
	tload_free(&x);
}

Test(topo_load, connected_and_global_peerings)
{
	struct tload x;
	expect_ok(&x, TOPO(HUB_GW(PEER("h-a", "a", "") ", " PEER("h-b", "b", "") ", " PEER("h-c", "c", ""))
			   ", " SPOKE("a", "10.1.0.0/16", PEER("a-h", "hub", ""))
			   ", " SPOKE("b", "10.2.0.0/16", "")
			   ", { 'name': 'c', 'location': 'eastus', 'addressSpace': { 'addressPrefixes': "
			   "    ['10.3.0.0/16'] }, 'virtualNetworkPeerings': [ " PEER("c-h", "hub", "") " ] }",
			   ""));
	const struct vnet *hub = topology_vnet(x.t, "hub");
	cr_assert_eq(hub->npeerings, 3);
	cr_expect(hub->peerings[0].connected && !hub->peerings[0].global);
	cr_expect(!hub->peerings[1].connected, "b has no peering back");
	cr_expect(hub->peerings[2].connected && hub->peerings[2].global, "eastus vs westeurope");
	cr_expect(hub->peerings[0].allow_vnet_access, "allowVirtualNetworkAccess defaults to true");
	cr_expect(!hub->peerings[0].allow_gateway_transit);
	tload_free(&x);
}

Test(topo_load, domains_via_use_remote_gateways)
{
	struct tload x;
	expect_ok(&x,
		  TOPO(HUB_GW(PEER("h-a", "a", ", 'allowGatewayTransit': true") ", "
			      PEER("h-b", "b", ", 'allowGatewayTransit': true") ", "
			      PEER("h-c", "c", ", 'allowGatewayTransit': true"))
		       ", " SPOKE("a", "10.1.0.0/16", PEER("a-h", "hub", ", 'useRemoteGateways': true"))
		       ", " SPOKE("b", "10.2.0.0/16", PEER("b-h", "hub", ""))
		       ", " SPOKE("c", "10.3.0.0/16", PEER("c-h", "hub", ", 'useRemoteGateways': false"))
		       ", " SPOKE("d", "10.4.0.0/16", PEER("d-h", "hub", ", 'useRemoteGateways': true")),
		       GWS(VPNGW("gw", "hub"))));
	const struct vnet *hub = topology_vnet(x.t, "hub");
	cr_expect_eq(hub->domain, hub, "a hub with a gateway is its own domain");
	cr_expect_eq(topology_vnet(x.t, "a")->domain, hub, "useRemoteGateways + allowGatewayTransit");
	cr_expect_null(topology_vnet(x.t, "b")->domain, "plain peering");
	cr_expect_null(topology_vnet(x.t, "c")->domain);
	cr_expect_null(topology_vnet(x.t, "d")->domain, "transit needs both links");
	cr_expect_not_null(diag_find(x.d, DIAG_WARNING, "$.topology.virtualNetworks[4].virtualNetworkPeerings[0]",
				     "useRemoteGateways has no effect"),
			   "a one-sided peering with useRemoteGateways is not accepted silently");
	const struct vnet *out[8];
	cr_expect_eq(topology_domain_vnets(x.t, hub, out, 8), 2);
	cr_expect_eq(out[0], hub);
	cr_expect_eq(out[1], topology_vnet(x.t, "a"));
	cr_expect_eq(topology_domain_vnets(x.t, hub, out, 1), 2, "count beyond max");
	tload_free(&x);
}

Test(topo_load, use_remote_gateways_rules)
{
	/* Needs allowGatewayTransit on the remote side. */
	expect_error(TOPO(HUB_GW(PEER("h-a", "a", "")) ", "
			  SPOKE("a", "10.1.0.0/16", PEER("a-h", "hub", ", 'useRemoteGateways': true")),
			  GWS(VPNGW("gw", "hub"))),
		     "$.topology.virtualNetworks[1].virtualNetworkPeerings[0]",
		     "needs allowGatewayTransit on the remote peering \"hub/h-a\"");
	/* At most one such peering per VNet. */
	expect_error(
		"{ 'virtualNetworks': [ "
		HUB_GW(PEER("h-a", "a", ", 'allowGatewayTransit': true")) ","
		"{ 'name': 'hub2', 'addressSpace': { 'addressPrefixes': ['10.5.0.0/16'] },"
		"  'subnets': [ " SUBNET("GatewaySubnet", "10.5.255.0/27") " ],"
		"  'virtualNetworkPeerings': [ " PEER("h2-a", "a", ", 'allowGatewayTransit': true") " ] },"
		SPOKE("a", "10.1.0.0/16",
		      PEER("a-h", "hub", ", 'useRemoteGateways': true") ", "
		      PEER("a-h2", "hub2", ", 'useRemoteGateways': true")) " ]"
		GWS(VPNGW("gw", "hub") ", " VPNGW("gw2", "hub2")) " }",
		"$.topology.virtualNetworks[2].virtualNetworkPeerings[1]", "set on two peerings");
	/* Not with a local gateway. */
	expect_error(
		"{ 'virtualNetworks': [ "
		HUB_GW(PEER("h-a", "a", ", 'allowGatewayTransit': true")) ","
		"{ 'name': 'a', 'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] },"
		"  'subnets': [ " SUBNET("GatewaySubnet", "10.1.255.0/27") " ],"
		"  'virtualNetworkPeerings': [ " PEER("a-h", "hub", ", 'useRemoteGateways': true") " ] } ]"
		GWS(VPNGW("gw", "hub") ", " VPNGW("gw-a", "a")) " }",
		"$.topology.virtualNetworks[1].virtualNetworkPeerings[0]", "has its own gateway");
	/* The remote side must have a gateway or Route Server. */
	expect_error(TOPO(HUB_GW(PEER("h-a", "a", ", 'allowGatewayTransit': true")) ", "
			  SPOKE("a", "10.1.0.0/16", PEER("a-h", "hub", ", 'useRemoteGateways': true")),
			  ""),
		     "$.topology.virtualNetworks[1].virtualNetworkPeerings[0]",
		     "has no gateway or Route Server");
}

/* ---- route tables ------------------------------------------------------------ */

#define RT(routes) ", 'routeTables': [ { 'name': 'rt', 'routes': [ " routes " ] } ]"

Test(topo_load, route_rules)
{
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  RT("{ 'name': 'r', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'VirtualAppliance' }")),
		     "$.topology.routeTables[0].routes[0]", "needs nextHopIpAddress");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  RT("{ 'name': 'r', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'VirtualNetworkGateway',"
			     "  'nextHopIpAddress': '10.0.0.4' }")),
		     "$.topology.routeTables[0].routes[0].nextHopIpAddress", "only a VirtualAppliance");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  RT("{ 'name': 'r', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'VirtualAppliance',"
			     "  'nextHopIpAddress': '10.0.0' }")),
		     "$.topology.routeTables[0].routes[0].nextHopIpAddress", "not an IPv4 address");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  RT("{ 'name': 'r', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'Internet' },"
			     "{ 'name': 'q', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'None' }")),
		     "$.topology.routeTables[0].routes[1]", "RouteConflict");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  RT("{ 'name': 'r', 'addressPrefix': 'Storage', 'nextHopType': 'Internet' },"
			     "{ 'name': 'q', 'addressPrefix': 'Storage', 'nextHopType': 'None' }")),
		     "$.topology.routeTables[0].routes[1]", "RouteConflict");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  RT("{ 'name': 'r', 'addressPrefix': 'NoSuchTag', 'nextHopType': 'Internet' }")),
		     "$.topology.routeTables[0].routes[0].addressPrefix", "neither a CIDR prefix nor a service tag");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  RT("{ 'name': 'r', 'addressPrefix': '1.0.0.1/8', 'nextHopType': 'Internet' }")),
		     "$.topology.routeTables[0].routes[0].addressPrefix", "host bits");
	expect_error(TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24', 'routeTable': { 'id': 'nope' } }"), ""),
		     "$.topology.virtualNetworks[0].subnets[0].routeTable", "no route table named \"nope\"");
	expect_error(TOPO(V("{ 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.0.0/26',"
			    "  'routeTable': { 'id': 'rt' } }"), RT("")),
		     "$.topology.virtualNetworks[0].subnets[0].routeTable", "RouteServerSubnet");
	/* Allowed: a VirtualNetworkGateway route without an address, a tag route
	 * and a CIDR with the same prefix as one of the tag's. */
	struct tload x;
	expect_ok(&x, TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24', 'routeTable': { 'id': 'rt' } }"),
			   RT("{ 'name': 'a', 'addressPrefix': '0.0.0.0/0', 'nextHopType': 'VirtualNetworkGateway' },"
			      "{ 'name': 'b', 'addressPrefix': 'Storage', 'nextHopType': 'Internet' },"
			      "{ 'name': 'c', 'addressPrefix': '20.38.96.0/19', 'nextHopType': 'None' }")));
	const struct route_table *rt = topology_route_table(x.t, "rt");
	cr_assert_not_null(rt);
	cr_expect_eq(rt->nroutes, 3);
	cr_expect(!rt->routes[0].has_nh_ip);
	cr_expect_eq(rt->routes[0].nh, NH_VNET_GATEWAY);
	cr_expect_eq(rt->routes[1].tag, TAG_GLOBAL);
	cr_expect_eq(rt->routes[1].prefixes.n, 4, "the sample Storage tag");
	cr_expect_eq(rt->routes[2].tag, TAG_NONE);
	cr_expect_eq(topology_subnet(x.t, "v/s")->rt, rt);
	cr_expect(x.t->sample_tags_used);
	tload_free(&x);
}

/* ---- NICs and addresses --------------------------------------------------------- */

#define NICS(list) ", 'networkInterfaces': [ " list " ]"
#define NIC(name, subnet) \
	"{ 'name': '" name "', 'ipConfigurations': [ { 'subnet': { 'id': '" subnet "' } } ] }"
#define NICN(name, count, subnet)                                                              \
	"{ 'name': '" name "', 'count': " count ","                                            \
	"  'ipConfigurations': [ { 'subnet': { 'id': '" subnet "' } } ] }"
#define NICIP(name, subnet, ip)                                                                \
	"{ 'name': '" name "', 'ipConfigurations': [ { 'subnet': { 'id': '" subnet "' },"      \
	"  'privateIPAddress': '" ip "' } ] }"

Test(topo_load, nic_count_needs_exactly_one_star)
{
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NICN("web", "2", "v/s"))),
		     "$.topology.networkInterfaces[0].name", "exactly one '*'");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NICN("web-*-*", "2", "v/s"))),
		     "$.topology.networkInterfaces[0].name", "exactly one '*'");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NICN("web-*", "1", "v/s"))),
		     "$.topology.networkInterfaces[0].name", "needs \"count\" > 1");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NIC("web-*", "v/s"))),
		     "$.topology.networkInterfaces[0].name", "needs \"count\" > 1");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NICN("web-*", "0", "v/s"))),
		     "$.topology.networkInterfaces[0].count", "out of range");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NICN("web-*", "2.5", "v/s"))),
		     "$.topology.networkInterfaces[0].count", "whole number");
}

Test(topo_load, nic_expansion_and_zero_padding)
{
	static const struct {
		const char *tmpl;
		const char *count;
		size_t n;
		const char *first, *last, *other;
	} cases[] = {
		{ "web-*", "2000", 2000, "web-0001", "web-2000", "web-0999" },
		{ "web-*", "9", 9, "web-1", "web-9", "web-5" },
		{ "web-*", "10", 10, "web-01", "web-10", "web-09" },
		{ "web-*", "99", 99, "web-01", "web-99", "web-10" },
		{ "web-*", "100", 100, "web-001", "web-100", "web-099" },
		{ "*", "2", 2, "1", "2", "1" },
		{ "vm-*-nic", "12", 12, "vm-01-nic", "vm-12-nic", "vm-07-nic" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[1024];
		snprintf(topo, sizeof(topo),
			 "{ 'virtualNetworks': [ { 'name': 'v', 'addressSpace': { 'addressPrefixes':"
			 "  ['10.0.0.0/16'] }, 'subnets': [ { 'name': 's', 'addressPrefix': '10.0.0.0/20' } ] } ],"
			 "  'networkInterfaces': [ { 'name': '%s', 'count': %s, 'ipConfigurations':"
			 "  [ { 'subnet': { 'id': 'v/s' } } ] } ] }",
			 cases[i].tmpl, cases[i].count);
		struct tload x;
		tload(&x, topo, NULL);
		cr_expect_eq(x.t->nnics, cases[i].n, "%s x %s", cases[i].tmpl, cases[i].count);
		cr_expect_str_eq(x.t->nics[0].name, cases[i].first);
		cr_expect_str_eq(x.t->nics[x.t->nnics - 1].name, cases[i].last);
		cr_expect_not_null(topology_nic(x.t, cases[i].other), "%s", cases[i].other);
		cr_expect_null(topology_nic(x.t, cases[i].tmpl), "the template is not a NIC");
		for (size_t k = 0; k < x.t->nnics; k++)
			cr_expect_eq(x.t->nics[k].order, k);
		tload_free(&x);
	}
}

Test(topo_load, dynamic_addresses_from_dot4_skipping_static)
{
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("s", "10.0.1.0/24") ", " SUBNET("t", "10.0.2.0/24")),
			   NICS(NICN("dyn-*", "3", "v/s") ", " NICIP("fixed", "v/s", "10.0.1.5") ", "
				NIC("other", "v/t") ", " NICIP("fixed6", "v/s", "10.0.1.6") ", "
				NIC("late", "v/s"))
			   ", 'privateEndpoints': [ { 'name': 'pe', 'subnet': { 'id': 'v/s' } },"
			   "  { 'name': 'pe-fixed', 'subnet': { 'id': 'v/s' }, 'privateIPAddress': '10.0.1.254' } ]"));
	static const struct {
		const char *nic, *ip;
	} want[] = {
		{ "dyn-1", "10.0.1.4" }, { "dyn-2", "10.0.1.7" }, /* .5 and .6 are static */
		{ "dyn-3", "10.0.1.8" }, { "fixed", "10.0.1.5" }, { "fixed6", "10.0.1.6" },
		{ "late", "10.0.1.9" },  { "other", "10.0.2.4" },
	};
	for (size_t i = 0; i < NELEM(want); i++) {
		const struct nic *n = topology_nic(x.t, want[i].nic);
		cr_assert_not_null(n, "%s", want[i].nic);
		char got[IPV4_STRLEN];
		cr_expect_eq(n->ip, A(want[i].ip), "%s: %s, expected %s", want[i].nic,
			     ipv4_format(n->ip, got), want[i].ip);
	}
	/* Private endpoints get theirs after the NICs. */
	cr_assert_eq(x.t->npes, 2);
	cr_expect_eq(x.t->pes[0].ip, A("10.0.1.10"));
	cr_expect_eq(x.t->pes[1].ip, A("10.0.1.254"));
	/* NICs grouped by subnet, scenario order kept. */
	const struct subnet *s = topology_subnet(x.t, "v/s");
	cr_expect_eq(s->nic_count, 6);
	cr_expect_str_eq(x.t->subnet_nics[s->nic_first]->name, "dyn-1");
	cr_expect_str_eq(x.t->subnet_nics[s->nic_first + 5]->name, "late");
	cr_expect_eq(topology_subnet(x.t, "v/t")->nic_count, 1);
	tload_free(&x);
}

Test(topo_load, static_addresses_must_be_usable_and_unique)
{
	static const char *const bad[] = { "10.0.1.0", "10.0.1.3", "10.0.1.255", "10.0.2.4" };
	for (size_t i = 0; i < NELEM(bad); i++) {
		char topo[1024];
		snprintf(topo, sizeof(topo),
			 TOPO(V(SUBNET("s", "10.0.1.0/24")),
			      ", 'networkInterfaces': [ { 'name': 'n', 'ipConfigurations': [ { 'subnet':"
			      "  { 'id': 'v/s' }, 'privateIPAddress': '%s' } ] } ]"),
			 bad[i]);
		expect_error(topo, "$.topology.networkInterfaces[0].ipConfigurations[0].privateIPAddress",
			     "not a usable address of subnet \"v/s\"");
	}
	expect_error(TOPO(V(SUBNET("s", "10.0.1.0/24")),
			  NICS(NICIP("a", "v/s", "10.0.1.4") ", " NICIP("b", "v/s", "10.0.1.4"))),
		     "$.topology.networkInterfaces[1].ipConfigurations[0].privateIPAddress",
		     "already used");
	expect_error(TOPO(V(SUBNET("s", "10.0.1.0/24")),
			  ", 'networkInterfaces': [ { 'name': 'w-*', 'count': 2, 'ipConfigurations':"
			  "  [ { 'subnet': { 'id': 'v/s' }, 'privateIPAddress': '10.0.1.4' } ] } ]"),
		     "$.topology.networkInterfaces[0].ipConfigurations[0].privateIPAddress",
		     "cannot have a fixed address");
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("s", "10.0.1.0/24")),
			   NICS(NICIP("first", "v/s", "10.0.1.4") ", " NICIP("last", "v/s", "10.0.1.254"))));
	tload_free(&x);
}

Test(topo_load, full_subnet_is_an_error_naming_it)
{
	/* A /29 has three usable addresses: .4 .5 .6 (.7 is the last). */
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("s", "10.0.1.0/29")), NICS(NICN("n-*", "3", "v/s"))));
	cr_expect_eq(topology_nic(x.t, "n-3")->ip, A("10.0.1.6"));
	tload_free(&x);
	expect_error(TOPO(V(SUBNET("s", "10.0.1.0/29")), NICS(NICN("n-*", "4", "v/s"))),
		     "$.topology.networkInterfaces[0]", "subnet \"v/s\" is full: no free address for NIC \"n-4\"");
	expect_error(TOPO(V(SUBNET("s", "10.0.1.0/29")),
			  NICS(NICIP("a", "v/s", "10.0.1.5") ", " NICN("n-*", "3", "v/s"))),
		     "$.topology.networkInterfaces[1]", "is full");
	expect_error(TOPO(V(SUBNET("s", "10.0.1.0/29")), NICS(NICN("n-*", "3", "v/s"))
			  ", 'privateEndpoints': [ { 'name': 'pe', 'subnet': { 'id': 'v/s' } } ]"),
		     "$.topology.privateEndpoints[0]", "subnet \"v/s\" is full");
}

/* Dynamic addresses in a subnet with several prefixes, listed in
 * descending order, with a static address in the second prefix: the
 * static address must not be handed out again. */
Test(topo_load, dynamic_addresses_over_several_prefixes)
{
	/* Regression: the cursor into the sorted static list was not reset for
	 * the next prefix, so static 10.0.1.4 was handed out again to n-4. */
	struct tload x;
	expect_ok(&x, TOPO(V("{ 'name': 's', 'addressPrefixes': ['10.0.2.0/29', '10.0.1.0/29'] }"),
			   NICS(NICIP("fixed", "v/s", "10.0.1.4") ", " NICN("n-*", "4", "v/s"))));
	static const char *const want[] = { "10.0.2.4", "10.0.2.5", "10.0.2.6", "10.0.1.5" };
	for (size_t i = 0; i < NELEM(want); i++) {
		char name[8], got[IPV4_STRLEN];
		snprintf(name, sizeof(name), "n-%zu", i + 1);
		const struct nic *n = topology_nic(x.t, name);
		cr_assert_not_null(n);
		cr_expect_eq(n->ip, A(want[i]), "%s: %s, expected %s", name, ipv4_format(n->ip, got),
			     want[i]);
	}
	tload_free(&x);
}

Test(topo_load, nic_placement_and_references)
{
	expect_error(TOPO(V(GWSUB), NICS(NIC("n", "v/GatewaySubnet"))),
		     "$.topology.networkInterfaces[0].ipConfigurations[0].subnet", "GatewaySubnet");
	expect_error(TOPO(V(SUBNET("RouteServerSubnet", "10.0.0.0/26")), NICS(NIC("n", "v/RouteServerSubnet"))),
		     "$.topology.networkInterfaces[0].ipConfigurations[0].subnet", "RouteServerSubnet");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NIC("n", "v/nope"))),
		     "$.topology.networkInterfaces[0].ipConfigurations[0].subnet", "no subnet \"v/nope\"");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), NICS(NIC("n", "s"))),
		     "$.topology.networkInterfaces[0].ipConfigurations[0].subnet", "vnet/subnet");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  NICS("{ 'name': 'n', 'ipConfigurations': [] }")),
		     "$.topology.networkInterfaces[0].ipConfigurations", "one IP configuration");
}

/* ---- gateways ---------------------------------------------------------------------- */

Test(topo_load, gateways_need_a_gateway_subnet)
{
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), GWS(VPNGW("gw", "v"))),
		     "$.topology.virtualNetworkGateways[0].virtualNetwork", "has no GatewaySubnet");
	expect_error(TOPO(V(GWSUB), GWS(VPNGW("gw", "nope"))),
		     "$.topology.virtualNetworkGateways[0].virtualNetwork", "no virtual network named");
}

Test(topo_load, one_vpn_and_one_expressroute_gateway_per_vnet)
{
	expect_error(TOPO(V(GWSUB), GWS(VPNGW("a", "v") ", " VPNGW("b", "v"))),
		     "$.topology.virtualNetworkGateways[1]", "already has a VPN gateway (\"a\")");
	expect_error(TOPO(V(GWSUB),
			  GWS("{ 'name': 'a', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'ExpressRoute' },"
			      "{ 'name': 'b', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'ExpressRoute' }")),
		     "$.topology.virtualNetworkGateways[1]", "already has an ExpressRoute gateway");
	struct tload x;
	expect_ok(&x, TOPO(V(GWSUB),
			   GWS(VPNGW("vpn", "v") ", { 'name': 'er', 'virtualNetwork': { 'id': 'v' },"
						 "  'gatewayType': 'ExpressRoute' }")));
	const struct vnet *v = topology_vnet(x.t, "v");
	cr_expect_eq(v->vpn_gw, topology_gateway(x.t, "vpn"));
	cr_expect_eq(v->er_gw, topology_gateway(x.t, "er"));
	cr_expect_eq(v->domain, v);
	tload_free(&x);
}

Test(topo_load, basic_vpn_cannot_coexist_with_expressroute)
{
	expect_error(TOPO(V(GWSUB),
			  GWS("{ 'name': 'vpn', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'Vpn',"
			      "  'sku': { 'name': 'Basic' }, 'publicIpAddress': '20.0.0.1' },"
			      "{ 'name': 'er', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'ExpressRoute' }")),
		     "$.topology.virtualNetworkGateways[0].sku", "Basic");
	/* After a non-object element the error names the Basic gateway's own
	 * element (it named the one at the gateway's index among the loaded). */
	expect_error(TOPO(V(GWSUB),
			  GWS("1, { 'name': 'vpn', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'Vpn',"
			      "  'sku': { 'name': 'Basic' }, 'publicIpAddress': '20.0.0.1' },"
			      "{ 'name': 'er', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'ExpressRoute' }")),
		     "$.topology.virtualNetworkGateways[1].sku", "Basic");
	struct tload x;
	expect_ok(&x, TOPO(V(GWSUB), GWS("{ 'name': 'vpn', 'virtualNetwork': { 'id': 'v' },"
					 "  'gatewayType': 'Vpn', 'sku': { 'name': 'Basic' },"
					 "  'publicIpAddress': '20.0.0.1' }")));
	tload_free(&x);
}

Test(topo_load, vpn_instance_addresses)
{
	struct tload x;
	expect_ok(&x, TOPO(V(GWSUB), GWS(VPNGW("gw", "v"))));
	const struct gateway *g = topology_gateway(x.t, "gw");
	cr_expect_eq(g->instance_ip[0], A("10.0.255.4"), "default GatewaySubnet .4");
	cr_expect_eq(g->instance_ip[1], A("10.0.255.5"), "default GatewaySubnet .5");
	cr_expect_eq(g->asn, 65515, "default ASN");
	cr_expect(g->active_active);
	tload_free(&x);
	expect_ok(&x, TOPO(V(GWSUB),
			   GWS("{ 'name': 'gw', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'Vpn',"
			       "  'bgpSettings': { 'asn': 65010, 'bgpPeeringAddresses': ["
			       "    { 'defaultBgpIpAddresses': ['10.0.255.30'] },"
			       "    { 'defaultBgpIpAddresses': ['10.0.255.29', '10.0.255.28'] } ] },"
			       "  'publicIpAddress': '20.0.0.1' }")));
	g = topology_gateway(x.t, "gw");
	cr_expect_eq(g->instance_ip[0], A("10.0.255.30"));
	cr_expect_eq(g->instance_ip[1], A("10.0.255.29"), "the first of defaultBgpIpAddresses");
	cr_expect_eq(g->asn, 65010);
	cr_expect_eq(g->public_ip, A("20.0.0.1"));
	tload_free(&x);
	/* One address given: the other keeps its default. */
	expect_ok(&x, TOPO(V(GWSUB),
			   GWS("{ 'name': 'gw', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'Vpn',"
			       "  'activeActive': true, 'bgpSettings': { 'bgpPeeringAddresses': ["
			       "    { 'defaultBgpIpAddresses': ['10.0.255.30'] } ] } }")));
	g = topology_gateway(x.t, "gw");
	cr_expect_eq(g->instance_ip[0], A("10.0.255.30"));
	cr_expect_eq(g->instance_ip[1], A("10.0.255.5"));
	tload_free(&x);
	expect_error(TOPO(V(GWSUB),
			  GWS("{ 'name': 'gw', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'ExpressRoute',"
			      "  'bgpSettings': { 'asn': 65010 } }")),
		     "$.topology.virtualNetworkGateways[0].bgpSettings.asn", "65515");
}

Test(topo_load, connections)
{
	expect_error(TOPO(V(GWSUB), GWS(VPNGW("gw", "v"))
			  ", 'connections': [ { 'name': 'c', 'virtualNetworkGateway': { 'id': 'gw' },"
			  "  'connectionType': 'ExpressRoute' } ]"),
		     "$.topology.connections[0].virtualNetworkGateway", "needs an ExpressRoute gateway");
	expect_error(TOPO(V(GWSUB), GWS(VPNGW("gw", "v"))
			  ", 'connections': [ { 'name': 'c', 'virtualNetworkGateway': { 'id': 'gw' },"
			  "  'connectionType': 'IPsec', 'enableBgp': true } ]"),
		     "$.topology.connections[0]", "needs peerAsn");
	expect_error(TOPO(V(GWSUB), GWS(VPNGW("gw", "v"))
			  ", 'connections': [ { 'name': 'c', 'virtualNetworkGateway': { 'id': 'gw' },"
			  "  'connectionType': 'IPsec', 'enableBgp': true, 'peerAsn': 65515 } ]"),
		     "$.topology.connections[0].peerAsn", "reserved");
	struct tload x;
	expect_ok(&x, TOPO(V(GWSUB),
			   GWS("{ 'name': 'er', 'virtualNetwork': { 'id': 'v' }, 'gatewayType': 'ExpressRoute' }")
			   ", 'connections': [ { 'name': 'c', 'virtualNetworkGateway': { 'id': 'er' },"
			   "  'connectionType': 'ExpressRoute', 'routingWeight': 10, 'sku': 'Premium',"
			   "  'nextHopIpAddresses': ['10.24.132.60', '10.24.132.61'] } ]"));
	const struct connection *c = topology_connection(x.t, "c");
	cr_expect(c->enable_bgp, "BGP is mandatory on ExpressRoute");
	cr_expect(c->premium);
	cr_expect_eq(c->routing_weight, 10);
	cr_expect_eq(c->ner_next_hops, 2);
	cr_expect_eq(c->er_next_hops[1], A("10.24.132.61"));
	cr_expect_eq(topology_gateway(x.t, "er")->nconns, 1);
	tload_free(&x);
}

/* A gateway lists its connections in file order, whatever the other
 * gateways' connections between them. */
Test(topo_load, gateway_connections_in_file_order)
{
	struct tload x;
	expect_ok(&x, TOPO(V(GWSUB),
			   GWS(VPNGW("vpn", "v") ", { 'name': 'er', 'virtualNetwork': { 'id': 'v' },"
						 "  'gatewayType': 'ExpressRoute' }")
			   ", 'connections': ["
			   "  { 'name': 'c1', 'virtualNetworkGateway': { 'id': 'vpn' }, 'connectionType': 'IPsec' },"
			   "  { 'name': 'c2', 'virtualNetworkGateway': { 'id': 'er' }, 'connectionType': 'ExpressRoute',"
			   "    'nextHopIpAddresses': ['10.24.132.60'] },"
			   "  { 'name': 'c3', 'virtualNetworkGateway': { 'id': 'vpn' }, 'connectionType': 'IPsec' } ]"));
	const struct gateway *vpn = topology_gateway(x.t, "vpn"), *er = topology_gateway(x.t, "er");
	cr_assert_eq(vpn->nconns, 2);
	cr_expect_eq(vpn->conns[0], topology_connection(x.t, "c1"));
	cr_expect_eq(vpn->conns[1], topology_connection(x.t, "c3"));
	cr_assert_eq(er->nconns, 1);
	cr_expect_eq(er->conns[0], topology_connection(x.t, "c2"));
	tload_free(&x);
}

/* ---- Route Servers -------------------------------------------------------------- */

#define RSV(rs_prefix) V(SUBNET("RouteServerSubnet", rs_prefix) ", " SUBNET("nva", "10.0.1.0/24"))
#define BCI(name, asn, octet) \
	"{ 'name': '" name "', 'peerIp': '10.0.1." octet "', 'peerAsn': " asn " }"
#define BC(name, asn) BCI(name, asn, "4")
#define RSX(conns) \
	", 'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'v/RouteServerSubnet' }," \
	"  'bgpConnections': [ " conns " ] } ]"

Test(topo_load, route_server_subnet_name_and_size)
{
	expect_error(TOPO(RSV("10.0.0.0/27"), RSX("")), "$.topology.routeServers[0].subnet",
		     "must be /26 or larger (is /27)");
	expect_error(TOPO(V(SUBNET("other", "10.0.0.0/26")),
			  ", 'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'v/other' } } ]"),
		     "$.topology.routeServers[0].subnet", "RouteServerSubnet");
	struct tload x;
	expect_ok(&x, TOPO(RSV("10.0.0.0/26"), RSX("")));
	const struct route_server *rs = topology_route_server(x.t, "ars");
	cr_assert_not_null(rs);
	cr_expect_eq(rs->instance_ip[0], A("10.0.0.4"), "virtualRouterIps default .4");
	cr_expect_eq(rs->instance_ip[1], A("10.0.0.5"), "and .5");
	cr_expect_eq(rs->min_capacity, 2);
	cr_expect_eq(rs->pref, HUB_PREF_EXPRESSROUTE);
	cr_expect(!rs->b2b);
	cr_expect_eq(topology_vnet(x.t, "v")->rs, rs);
	cr_expect_eq(topology_vnet(x.t, "v")->domain, topology_vnet(x.t, "v"));
	tload_free(&x);
	expect_ok(&x, TOPO(RSV("10.0.0.0/25"), RSX("")));
	tload_free(&x);
}

Test(topo_load, one_route_server_per_vnet)
{
	expect_error(TOPO(RSV("10.0.0.0/26"),
			  ", 'routeServers': [ { 'name': 'a', 'subnet': { 'id': 'v/RouteServerSubnet' } },"
			  "  { 'name': 'b', 'subnet': { 'id': 'v/RouteServerSubnet' } } ]"),
		     "$.topology.routeServers[1].subnet", "already has Route Server \"a\"");
}

Test(topo_load, at_most_eight_bgp_connections)
{
	struct tload x;
	expect_ok(&x, TOPO(RSV("10.0.0.0/26"),
			   RSX(BCI("n1", "65001", "1") "," BCI("n2", "65002", "2") "," BCI("n3", "65003", "3") ","
			       BCI("n4", "65004", "4") "," BCI("n5", "65005", "5") "," BCI("n6", "65006", "6") ","
			       BCI("n7", "65007", "7") "," BCI("n8", "65008", "8"))));
	cr_expect_eq(topology_route_server(x.t, "ars")->nconns, 8);
	cr_expect_not_null(topology_bgp_conn(x.t, "ars/n8"));
	cr_expect_eq(topology_bgp_conn(x.t, "ars/n1")->max_routes, 1000);
	tload_free(&x);
	expect_error(TOPO(RSV("10.0.0.0/26"),
			  RSX(BCI("n1", "65001", "1") "," BCI("n2", "65002", "2") "," BCI("n3", "65003", "3") ","
			      BCI("n4", "65004", "4") "," BCI("n5", "65005", "5") "," BCI("n6", "65006", "6") ","
			      BCI("n7", "65007", "7") "," BCI("n8", "65008", "8") "," BCI("n9", "65009", "9"))),
		     "$.topology.routeServers[0].bgpConnections", "at most 8");
}

Test(topo_load, one_bgp_connection_per_peer_ip)
{
	expect_error(TOPO(RSV("10.0.0.0/26"), RSX(BCI("a", "65001", "4") "," BCI("b", "65002", "4"))),
		     "$.topology.routeServers[0].bgpConnections[1].peerIp", "same peer IP as \"a\"");
}

Test(topo_load, reserved_asns_on_bgp_connections)
{
	static const struct {
		const char *asn;
		bool reserved;
	} cases[] = {
		{ "8074", true },   { "8075", true },   { "12076", true },  { "23456", true },
		{ "64496", true },  { "64511", true },  { "65515", true },  { "65517", true },
		{ "65520", true },  { "65535", true },  { "65551", true },  { "4294967295", true },
		{ "64512", false }, { "65514", false }, { "65516", false }, { "65521", false },
		{ "65534", false }, { "64495", false }, { "1", false },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[2048];
		snprintf(topo, sizeof(topo),
			 TOPO(RSV("10.0.0.0/26"), ", 'routeServers': [ { 'name': 'ars', 'subnet': { 'id':"
						  "  'v/RouteServerSubnet' }, 'bgpConnections': [ { 'name': 'n',"
						  "  'peerIp': '10.0.1.4', 'peerAsn': %s } ] } ]"),
			 cases[i].asn);
		cr_expect_eq(asn_reserved((uint32_t)strtoul(cases[i].asn, NULL, 10)), cases[i].reserved,
			     "asn_reserved(%s)", cases[i].asn);
		if (cases[i].reserved) {
			expect_error(topo, "$.topology.routeServers[0].bgpConnections[0].peerAsn", "reserved");
		} else {
			struct tload x;
			expect_ok(&x, topo);
			tload_free(&x);
		}
	}
	expect_error(TOPO(RSV("10.0.0.0/26"), RSX(BC("n", "0"))),
		     "$.topology.routeServers[0].bgpConnections[0].peerAsn", "out of range");
}

/* An ASN above 65535 on a bgpConnection is a warning, not an error. */
Test(topo_load, four_byte_asn_is_a_warning)
{
	struct tload x;
	expect_ok(&x, TOPO(RSV("10.0.0.0/26"), RSX(BCI("n", "4200000000", "4") "," BCI("m", "65552", "5"))));
	cr_expect_not_null(diag_find(x.d, DIAG_WARNING,
				     "$.topology.routeServers[0].bgpConnections[0].peerAsn", "4-byte"));
	cr_expect_not_null(diag_find(x.d, DIAG_WARNING,
				     "$.topology.routeServers[0].bgpConnections[1].peerAsn", "4-byte"));
	cr_expect_eq(topology_bgp_conn(x.t, "ars/n")->peer_asn, 4200000000u);
	tload_free(&x);
	/* 65535 itself is reserved; 65534 warns nothing. */
	expect_ok(&x, TOPO(RSV("10.0.0.0/26"), RSX(BC("n", "65534"))));
	cr_expect_eq(diag_count(x.d, DIAG_WARNING), 0);
	tload_free(&x);
}

Test(topo_load, route_server_options)
{
	struct tload x;
	expect_ok(&x, TOPO(RSV("10.0.0.0/26"),
			   ", 'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'v/RouteServerSubnet' },"
			   "  'hubRoutingPreference': 'ASPath', 'allowBranchToBranchTraffic': true,"
			   "  'virtualRouterAutoScaleConfiguration': { 'minCapacity': 48 },"
			   "  'virtualRouterIps': ['10.0.0.10', '10.0.0.11'],"
			   "  'bgpConnections': [ { 'name': 'n', 'peerIp': '10.0.1.4', 'peerAsn': 65001,"
			   "    'maxRoutes': 4000 } ] } ]"));
	const struct route_server *rs = topology_route_server(x.t, "ars");
	cr_expect_eq(rs->pref, HUB_PREF_ASPATH);
	cr_expect(rs->b2b);
	cr_expect_eq(rs->min_capacity, 48);
	cr_expect_eq(rs->instance_ip[0], A("10.0.0.10"));
	cr_expect_eq(rs->instance_ip[1], A("10.0.0.11"));
	cr_expect_eq(topology_bgp_conn(x.t, "ars/n")->max_routes, 4000);
	tload_free(&x);
	expect_error(TOPO(RSV("10.0.0.0/26"),
			  ", 'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'v/RouteServerSubnet' },"
			  "  'hubRoutingPreference': 'Fastest' } ]"),
		     "$.topology.routeServers[0].hubRoutingPreference", "not ExpressRoute, VpnGateway or ASPath");
	expect_error(TOPO(RSV("10.0.0.0/26"),
			  ", 'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'v/RouteServerSubnet' },"
			  "  'virtualRouterAutoScaleConfiguration': { 'minCapacity': 49 } } ]"),
		     "$.topology.routeServers[0].virtualRouterAutoScaleConfiguration.minCapacity",
		     "out of range");
	expect_error(TOPO(RSV("10.0.0.0/26"),
			  ", 'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'v/RouteServerSubnet' },"
			  "  'bgpConnections': [ { 'name': 'n', 'peerIp': '10.0.1.4', 'peerAsn': 65001,"
			  "    'maxRoutes': 4001 } ] } ]"),
		     "$.topology.routeServers[0].bgpConnections[0].maxRoutes", "out of range");
}

/* ---- service endpoints ----------------------------------------------------------- */

Test(topo_load, service_endpoint_services_map_to_tags)
{
	static const struct {
		const char *service;
		const char *location;
		const char *first_prefix;    /* first prefix of the expected sample tag */
	} cases[] = {
		{ "Microsoft.Storage", "westeurope", "20.38.108.0/23" },   /* Storage.WestEurope */
		{ "Microsoft.Storage", "WestEurope", "20.38.108.0/23" },   /* case-insensitive */
		{ "Microsoft.Storage", "EASTUS", "20.38.98.0/24" },        /* Storage.EastUS */
		{ "Microsoft.Storage", "japaneast", "20.38.96.0/19" },     /* global Storage */
		{ "Microsoft.Sql", "westeurope", "13.69.105.0/24" },
		{ "Microsoft.Sql", "brazilsouth", "13.65.0.0/24" },
		{ "Microsoft.AzureCosmosDB", "westeurope", "13.64.69.151/32" },
		{ "Microsoft.KeyVault", "westeurope", "13.66.138.88/30" },
		{ "Microsoft.ServiceBus", "westeurope", "13.66.138.80/28" },
		{ "Microsoft.EventHub", "westeurope", "13.66.138.64/28" },
		{ "Microsoft.Web", "westeurope", "13.64.73.110/32" },
		{ "Microsoft.ContainerRegistry", "westeurope", "13.66.140.72/29" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[1024];
		snprintf(topo, sizeof(topo),
			 "{ 'virtualNetworks': [ { 'name': 'v', 'location': '%s',"
			 "  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"
			 "  'subnets': [ { 'name': 's', 'addressPrefix': '10.0.0.0/24',"
			 "    'serviceEndpoints': [ { 'service': '%s' } ] } ] } ] }",
			 cases[i].location, cases[i].service);
		struct tload x;
		tload(&x, topo, NULL);
		const struct subnet *s = topology_subnet(x.t, "v/s");
		cr_assert_eq(s->nservices, 1);
		cr_expect_str_eq(s->services[0], cases[i].service);
		cr_expect(prefix_equal(s->service_prefixes[0].v[0], P(cases[i].first_prefix)),
			  "%s in %s", cases[i].service, cases[i].location);
		cr_expect(x.t->sample_tags_used);
		tload_free(&x);
	}
}

Test(topo_load, service_endpoint_errors_and_scenario_tags)
{
	expect_error(TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24',"
			    "  'serviceEndpoints': [ { 'service': 'Microsoft.CognitiveServices' } ] }"), ""),
		     "$.topology.virtualNetworks[0].subnets[0].serviceEndpoints[0].service", "unknown service");
	expect_error(TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24',"
			    "  'serviceEndpoints': [ { 'service': 'Microsoft.Sql' }, { 'service': 'Microsoft.Sql' } ] }"), ""),
		     "$.topology.virtualNetworks[0].subnets[0].serviceEndpoints[1].service", "enabled twice");
	/* A scenario catalogue without the tag. */
	struct tload x;
	struct topology *t = tload_try(
		&x, TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24',"
			   "  'serviceEndpoints': [ { 'service': 'Microsoft.Sql' } ] }"), ""),
		"{ 'values': [ { 'name': 'Storage', 'properties': { 'addressPrefixes': ['1.0.0.0/8'] } } ] }");
	cr_expect_null(t);
	cr_expect_not_null(diag_find(x.d, DIAG_ERROR,
				     "$.topology.virtualNetworks[0].subnets[0].serviceEndpoints[0].service",
				     "no service tag \"Sql\""));
	tload_free(&x);
	/* With the tag in a scenario catalogue: not sample data. */
	tload(&x, TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24',"
			 "  'serviceEndpoints': [ { 'service': 'Microsoft.Storage' } ] }"), ""),
	      "{ 'values': [ { 'name': 'Storage', 'properties': { 'addressPrefixes': ['1.0.0.0/8'] } },"
	      "  { 'name': 'Storage.WestEurope', 'properties': { 'region': 'WESTEUROPE',"
	      "    'addressPrefixes': ['2.0.0.0/8'] } } ] }");
	cr_expect(prefix_equal(topology_subnet(x.t, "v/s")->service_prefixes[0].v[0], P("2.0.0.0/8")));
	cr_expect(!x.t->sample_tags_used);
	tload_free(&x);
}

Test(topo_load, private_endpoint_policies)
{
	static const struct {
		const char *value;
		enum pe_policy policy;
	} cases[] = {
		{ "Disabled", PE_POLICY_DISABLED },
		{ "Enabled", PE_POLICY_ENABLED },
		{ "RouteTableEnabled", PE_POLICY_ROUTE_TABLE },
		{ "NetworkSecurityGroupEnabled", PE_POLICY_NSG },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char topo[1024];
		snprintf(topo, sizeof(topo),
			 TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24',"
				"  'privateEndpointNetworkPolicies': '%s' }"), ""),
			 cases[i].value);
		struct tload x;
		tload(&x, topo, NULL);
		cr_expect_eq(topology_subnet(x.t, "v/s")->pe_policy, cases[i].policy, "%s", cases[i].value);
		tload_free(&x);
	}
	expect_error(TOPO(V("{ 'name': 's', 'addressPrefix': '10.0.0.0/24',"
			    "  'privateEndpointNetworkPolicies': 'enabled' }"), ""),
		     "$.topology.virtualNetworks[0].subnets[0].privateEndpointNetworkPolicies", "not one of");
	struct tload x;
	tload(&x, TOPO(V(SUBNET("s", "10.0.0.0/24")), ""), NULL);
	cr_expect_eq(topology_subnet(x.t, "v/s")->pe_policy, PE_POLICY_DISABLED, "default");
	tload_free(&x);
}

Test(topo_load, max_nics_guard)
{
	struct tload x;
	memset(&x, 0, sizeof(x));
	x.d = diag_create();
	x.tags = svctag_sample();
	cJSON *doc = json_parse_sq(TOPO(V(SUBNET("s", "10.0.0.0/16")),
					NICS(NICN("a-*", "6", "v/s") ", " NICN("b-*", "5", "v/s"))));
	struct jin j;
	jin_init(&j, x.d, "test.json");
	size_t m = jin_push_key(&j, "topology");
	struct topo_opts o = { .tags = x.tags, .max_nics = 10 };
	x.t = topo_load(&j, doc, &o);
	jin_pop(&j, m);
	cJSON_Delete(doc);
	cr_expect_null(x.t, "11 NICs > 10");
	cr_expect_not_null(diag_find(x.d, DIAG_ERROR, "$.topology.networkInterfaces", "more than the limit"));
	tload_free(&x);
}

/* ---- out of memory --------------------------------------------------------------- */

/* topo_load of doc with realloc failing from call fail_at + 1 on (never
 * when negative); the realloc calls it made go to *calls. */
static struct topology *load_failing(const cJSON *doc, struct diag *d,
				     const struct svctag_catalog *tags, const struct topology *prev,
				     long fail_at, long *calls)
{
	struct jin j;
	/* Room for the diagnostics first: the collector grows by realloc too. */
	diag_add(d, DIAG_NOTE, NULL, NULL, "room");
	jin_init(&j, d, "test.json");
	struct topo_opts o = { .tags = tags, .max_nics = TOPO_MAX_NICS_DEFAULT, .prev = prev };
	failalloc_after(fail_at);
	struct topology *t = topo_load(&j, doc, &o);
	*calls = failalloc_calls();
	failalloc_after(-1);
	return t;
}

/* Out of memory while a subnet's taken addresses grow: the load fails and
 * says so.  (A static address used to be left out of the taken set without
 * a word, and the next dynamic NIC got it too: here both were 10.0.0.4.)
 * Every realloc the load makes is failed in turn; the second loads keep
 * addresses from the first (opts->prev), which grows the sets again. */
Test(topo_load, out_of_memory_never_loses_a_reserved_address)
{
	cJSON *doc = json_parse_sq(TOPO(V(SUBNET("s", "10.0.0.0/24") ", " SUBNET("s2", "10.0.1.0/24")),
					NICS(NICIP("fixed", "v/s", "10.0.0.4") ", " NIC("dyn", "v/s")
					     ", " NICN("web-*", "3", "v/s2"))));
	struct svctag_catalog *tags = svctag_sample();
	struct diag *d = diag_create();
	long calls = 0, calls_prev = 0;
	struct topology *ok = load_failing(doc, d, tags, NULL, -1, &calls);
	cr_assert_not_null(ok);
	cr_expect_eq(topology_nic(ok, "dyn")->ip, 0x0A000005u, "10.0.0.5: .4 is taken");
	struct topology *again = load_failing(doc, d, tags, ok, -1, &calls_prev);
	cr_assert_not_null(again);
	cr_expect_geq(calls, 1, "the static address grows a set");
	cr_expect_gt(calls_prev, calls, "so do the kept ones (s2 had none)");
	topology_destroy(again);
	for (int with_prev = 0; with_prev < 2; with_prev++) {
		long n = with_prev ? calls_prev : calls;
		for (long fail_at = 0; fail_at < n; fail_at++) {
			struct diag *fd = diag_create();
			long c;
			struct topology *t =
				load_failing(doc, fd, tags, with_prev ? ok : NULL, fail_at, &c);
			cr_expect_null(t, "realloc %ld of %ld failed (prev: %d)", fail_at + 1, n,
				       with_prev);
			cr_expect_not_null(diag_find(fd, DIAG_ERROR, NULL, "out of memory"));
			topology_destroy(t);
			diag_destroy(fd);
		}
	}
	topology_destroy(ok);
	svctag_destroy(tags);
	diag_destroy(d);
	cJSON_Delete(doc);
}

/* ---- load balancers (RULES 2.1, 1.11.2.7) ------------------------------------------ */

#define LB(name, fes, pools, rules)                                                            \
	"{ 'name': '" name "', 'frontendIPConfigurations': [ " fes " ],"                       \
	"  'backendAddressPools': [ " pools " ], 'loadBalancingRules': [ " rules " ] }"
#define FE(name, ip, subnet)                                                                   \
	"{ 'name': '" name "', 'privateIPAddress': '" ip "', 'subnet': { 'id': '" subnet "' } }"
#define RULE(fe, pool, proto, port)                                                            \
	"{ 'name': 'r', 'frontendIPConfiguration': { 'id': '" fe "' },"                       \
	"  'backendAddressPool': { 'id': '" pool "' }, 'protocol': '" proto "',"               \
	"  'frontendPort': " port ", 'backendPort': " port " }"

Test(topo_load, lb_frontend_is_taken_before_dynamic_nics)
{
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("s", "10.0.0.0/24")),
			   NICS(NIC("dyn", "v/s") ", " NIC("nva1", "v/s"))
			   ", 'loadBalancers': [ " LB("lb", FE("fe", "10.0.0.4", "v/s"),
						       "{ 'name': 'p', 'backendIPConfigurations': ["
						       " { 'id': '/subscriptions/s/resourceGroups/g/"
						       "providers/Microsoft.Network/networkInterfaces/"
						       "nva1/ipConfigurations/ipconfig1' },"
						       " { 'id': 'dyn' }, { 'id': 'dyn' } ] }",
						       RULE("fe", "p", "All", "0")) " ]"));
	cr_expect_eq(topology_nic(x.t, "dyn")->ip, 0x0A000005u, "10.0.0.4 is the frontend's");
	cr_expect_eq(topology_nic(x.t, "nva1")->ip, 0x0A000006u);
	const struct load_balancer *lb = topology_load_balancer(x.t, "lb");
	cr_assert_not_null(lb);
	cr_expect_eq(x.t->nlbs, 1);
	cr_expect_eq(lb->vnet, topology_vnet(x.t, "v"));
	cr_assert_eq(lb->nfrontends, 1);
	const struct lb_frontend *fe = &lb->frontends[0];
	cr_expect(fe->ha_ports);
	cr_expect_eq(fe->lb, lb);
	cr_assert_eq(fe->nbackends, 2, "a NIC listed twice is one backend");
	cr_expect_eq(fe->backends[0], topology_nic(x.t, "nva1"), "pool order");
	cr_expect_eq(fe->backends[1], topology_nic(x.t, "dyn"));
	tload_free(&x);
}

Test(topo_load, lb_without_ha_ports_rule_forwards_nothing)
{
	struct tload x;
	expect_ok(&x, TOPO(V(SUBNET("s", "10.0.0.0/24")),
			   NICS(NIC("nva1", "v/s"))
			   ", 'loadBalancers': [ " LB("lb", FE("fe", "10.0.0.100", "v/s"),
						       "{ 'name': 'p', 'backendIPConfigurations': ["
						       " { 'id': 'nva1' } ] }",
						       RULE("fe", "p", "Tcp", "443")) " ]"));
	const struct lb_frontend *fe = &topology_load_balancer(x.t, "lb")->frontends[0];
	cr_expect_not(fe->ha_ports);
	cr_expect_eq(fe->nbackends, 0);
	tload_free(&x);
}

Test(topo_load, lb_rules)
{
#define POOL "{ 'name': 'p', 'backendIPConfigurations': [] }"
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'loadBalancers': [ " LB("a", FE("fe", "10.0.0.100", "v/s"), "", "")
			  ", " LB("b", FE("fe", "10.0.0.100", "v/s"), "", "") " ]"),
		     "$.topology.loadBalancers[1].frontendIPConfigurations[0].privateIPAddress",
		     "already the address of frontend \"fe\" of load balancer \"a\"");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'loadBalancers': [ " LB("a", FE("fe", "10.0.0.100", "v/s"), POOL,
						     RULE("fe", "p", "Tcp", "0")) " ]"),
		     "$.topology.loadBalancers[0].loadBalancingRules[0]", "needs protocol All");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'loadBalancers': [ " LB("a", FE("fe", "10.0.0.100", "v/s"), POOL,
						     RULE("fe", "q", "All", "0")) " ]"),
		     "$.topology.loadBalancers[0].loadBalancingRules[0].backendAddressPool",
		     "no backend address pool \"q\"");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")), ", 'loadBalancers': [ " LB("a", "", "", "")
			  " ]"),
		     "$.topology.loadBalancers[0].frontendIPConfigurations",
		     "needs a frontend IP configuration");
	expect_error(TOPO(V(SUBNET("s", "10.0.0.0/24")),
			  ", 'loadBalancers': [ { 'name': 'a', 'frontendIPConfigurations': [ "
			  "{ 'name': 'fe', 'publicIPAddress': { 'id': 'pip' },"
			  "  'privateIPAddress': '10.0.0.100', 'subnet': { 'id': 'v/s' } } ] } ]"),
		     "$.topology.loadBalancers[0].frontendIPConfigurations[0].publicIPAddress",
		     "a public frontend is not modelled");
}
