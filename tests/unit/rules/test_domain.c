/*
 * test_domain.c - a routing domain's programmed BGP routes
 * (models/rules/domain.c; RULES 1.3 rows, 1.5 filters and decision, 1.9).
 *
 * The hub has a Route Server (nva1 10.0.1.4, nva2 10.0.1.5), an
 * active-active VPN gateway (instances 10.0.255.4/.5, two BGP connections,
 * one with a static prefix, one without BGP) and an ExpressRoute gateway
 * (er1 with two Microsoft-side next hops, er2 with one, er3 with weight 100).
 * spoke1 uses the hub's gateways; spoke2 is peered without transit; iso is
 * not peered.  Routes enter through the speakers the way the run feeds them
 * (ExpressRoute paths with 12076 in front).
 */
#include <criterion/criterion.h>

#include "bgp.h"
#include "domain.h"
#include "speaker.h"
#include "helpers.h"

#define VNETS                                                                                  \
	"'virtualNetworks': ["                                                                 \
	" { 'name': 'hub', 'location': 'westeurope',"                                          \
	"   'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                           \
	"   'subnets': [ { 'name': 'GatewaySubnet', 'addressPrefix': '10.0.255.0/27' },"       \
	"                { 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.254.0/26' },"   \
	"                { 'name': 'nva', 'addressPrefix': '10.0.1.0/24' } ],"                 \
	"   'virtualNetworkPeerings': ["                                                       \
	"     { 'name': 'hub-spoke1', 'remoteVirtualNetwork': { 'id': 'spoke1' },"             \
	"       'allowGatewayTransit': true },"                                                \
	"     { 'name': 'hub-spoke2', 'remoteVirtualNetwork': { 'id': 'spoke2' } } ] },"       \
	" { 'name': 'spoke1', 'location': 'westeurope',"                                       \
	"   'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] },"                           \
	"   'subnets': [ { 'name': 'app', 'addressPrefix': '10.1.0.0/24' } ],"                 \
	"   'virtualNetworkPeerings': [ { 'name': 'spoke1-hub',"                               \
	"       'remoteVirtualNetwork': { 'id': 'hub' }, 'useRemoteGateways': true } ] },"     \
	" { 'name': 'spoke2', 'location': 'westeurope',"                                       \
	"   'addressSpace': { 'addressPrefixes': ['10.2.0.0/16'] },"                           \
	"   'subnets': [ { 'name': 'app', 'addressPrefix': '10.2.0.0/24' } ],"                 \
	"   'virtualNetworkPeerings': [ { 'name': 'spoke2-hub',"                               \
	"       'remoteVirtualNetwork': { 'id': 'hub' } } ] },"                                \
	" { 'name': 'iso', 'location': 'westeurope',"                                          \
	"   'addressSpace': { 'addressPrefixes': ['10.9.0.0/16'] },"                           \
	"   'subnets': [ { 'name': 'app', 'addressPrefix': '10.9.0.0/24' } ] } ]"
#define VPNGW(extra)                                                                           \
	"{ 'name': 'vpngw', 'virtualNetwork': { 'id': 'hub' }, 'gatewayType': 'Vpn',"          \
	"  'sku': { 'name': 'VpnGw2' }, 'enableBgp': true, 'publicIpAddress': '20.1.2.3' "     \
	extra " }"
#define ERGW                                                                                   \
	"{ 'name': 'ergw', 'virtualNetwork': { 'id': 'hub' }, 'gatewayType': 'ExpressRoute',"  \
	"  'sku': { 'name': 'ErGw1AZ' } }"
#define CONNS                                                                                  \
	"'connections': ["                                                                     \
	" { 'name': 'branch', 'virtualNetworkGateway': { 'id': 'vpngw' },"                     \
	"   'connectionType': 'IPsec', 'enableBgp': true, 'peerAsn': 65100,"                   \
	"   'localNetworkAddressPrefixes': ['192.168.50.0/24'] },"                             \
	" { 'name': 'branch2', 'virtualNetworkGateway': { 'id': 'vpngw' },"                    \
	"   'connectionType': 'IPsec', 'enableBgp': true, 'peerAsn': 65101 },"                 \
	" { 'name': 'nobgp', 'virtualNetworkGateway': { 'id': 'vpngw' },"                      \
	"   'connectionType': 'IPsec', 'enableBgp': false },"                                  \
	" { 'name': 'er1', 'virtualNetworkGateway': { 'id': 'ergw' },"                         \
	"   'connectionType': 'ExpressRoute',"                                                 \
	"   'nextHopIpAddresses': ['10.24.132.60', '10.24.132.61'] },"                         \
	" { 'name': 'er2', 'virtualNetworkGateway': { 'id': 'ergw' },"                         \
	"   'connectionType': 'ExpressRoute', 'nextHopIpAddresses': ['10.24.132.70'] },"       \
	" { 'name': 'er3', 'virtualNetworkGateway': { 'id': 'ergw' },"                         \
	"   'connectionType': 'ExpressRoute', 'routingWeight': 100,"                           \
	"   'nextHopIpAddresses': ['10.24.132.80'] } ]"
#define RS(pref)                                                                               \
	"'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"      \
	"  'hubRoutingPreference': '" pref "',"                                                \
	"  'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001 },"    \
	"                      { 'name': 'nva2', 'peerIp': '10.0.1.5', 'peerAsn': 65002 } ] } ]"

static const char *const TOPO_AA =
	"{ " VNETS ", 'virtualNetworkGateways': [ " VPNGW(", 'activeActive': true") ", " ERGW " ], "
	CONNS ", " RS("ExpressRoute") " }";
static const char *const TOPO_VPN_PREF =
	"{ " VNETS ", 'virtualNetworkGateways': [ " VPNGW(", 'activeActive': true") ", " ERGW " ], "
	CONNS ", " RS("VpnGateway") " }";
static const char *const TOPO_STANDBY =
	"{ " VNETS ", 'virtualNetworkGateways': [ " VPNGW("") ", " ERGW " ], " CONNS ", "
	RS("ExpressRoute") " }";
/* No Route Server: ExpressRoute beats VPN. */
static const char *const TOPO_NO_RS =
	"{ " VNETS ", 'virtualNetworkGateways': [ " VPNGW(", 'activeActive': true") ", " ERGW " ], "
	CONNS " }";
/* A VPN gateway with a custom ASN and explicit BGP peering addresses. */
static const char *const TOPO_CUSTOM_ASN =
	"{ " VNETS ", 'virtualNetworkGateways': [ "
	VPNGW(", 'activeActive': true, 'bgpSettings': { 'asn': 65010, 'bgpPeeringAddresses': ["
	      "{ 'defaultBgpIpAddresses': ['10.0.255.14'] },"
	      "{ 'defaultBgpIpAddresses': ['10.0.255.15'] } ] }")
	", " ERGW " ], " CONNS ", " RS("ExpressRoute") " }";

struct fx {
	struct tload tl;
	struct speakers *s;
	const struct vnet *hub;
	struct bgp_set *set;
};

static void fx_init(struct fx *f, const char *topo)
{
	memset(f, 0, sizeof(*f));
	tload(&f->tl, topo, NULL);
	f->s = speakers_create();
	cr_assert_not_null(f->s);
	cr_assert_eq(speakers_sync(f->s, f->tl.t), 0);
	f->hub = topology_vnet(f->tl.t, "hub");
	cr_assert_not_null(f->hub);
}

static void fx_fini(struct fx *f)
{
	bgp_set_unref(f->set);
	speakers_destroy(f->s);
	tload_free(&f->tl);
}

static void build(struct fx *f)
{
	bgp_set_unref(f->set);
	f->set = domain_build(f->tl.t, f->hub, f->s);
	cr_assert_not_null(f->set);
}

/* Advertises one prefix from a peer with an AS path (0-terminated), to
 * the instances in mask, with an optional BGP next hop and community. */
static void adv(struct fx *f, const char *peer, unsigned mask, const char *prefix,
		const uint32_t *path, uint32_t next_hop, uint32_t community)
{
	struct peer *p = speakers_peer(f->s, peer);
	cr_assert_not_null(p, "no peer %s", peer);
	uint32_t copy[8];
	uint16_t n = 0;
	while (path[n] && n < 8) {
		copy[n] = path[n];
		n++;
	}
	uint32_t comm[1] = { community };
	struct rib_route r = { .prefix = P(prefix), .as_path = copy, .as_len = n,
			       .communities = community ? comm : NULL,
			       .ncommunities = community ? 1 : 0, .next_hop = next_hop };
	cr_assert_eq(peer_advertise(f->s, p, mask, &r, 1), 0);
}

/* Rows of prefix in the set: count, and how many carry next hop nh
 * (nh 0 = do not count) with the Route Server flag rs (-1 = either). */
static size_t rows(struct bgp_set *s, const char *prefix)
{
	long e = bgp_set_find(s, P(prefix));
	struct bgp_set_rows r = { 0 };
	if (e >= 0)
		bgp_set_entry(s, (size_t)e, &r);
	return r.n;
}

static size_t rows_via(struct bgp_set *s, const char *prefix, const char *nh, int rs)
{
	long e = bgp_set_find(s, P(prefix));
	if (e < 0)
		return 0;
	struct bgp_set_rows r;
	bgp_set_entry(s, (size_t)e, &r);
	size_t n = 0;
	for (size_t k = 0; k < r.n; k++)
		if (r.nh[k] == A(nh) && (rs < 0 || r.rs[k] == (rs != 0)))
			n++;
	return n;
}

/* Whether entry a of sa and entry b of sb have the same rows (-1: no entry). */
static bool same_rows(const struct bgp_set *sa, long a, const struct bgp_set *sb, long b)
{
	if (a < 0 || b < 0)
		return a < 0 && b < 0;
	struct bgp_set_rows ra, rb;
	bgp_set_entry(sa, (size_t)a, &ra);
	bgp_set_entry(sb, (size_t)b, &rb);
	bool same = ra.n == rb.n;
	for (size_t k = 0; same && k < ra.n; k++)
		same = ra.nh[k] == rb.nh[k] && ra.rs[k] == rb.rs[k];
	return same;
}

static const uint32_t NVA1_PATH[] = { 65001, 0 };
static const uint32_t NVA2_PATH[] = { 65002, 0 };
static const uint32_t BR_PATH[] = { 65100, 0 };
static const uint32_t BR2_PATH[] = { 65101, 0 };
static const uint32_t ER_PATH[] = { 12076, 65020, 0 };
static const uint32_t ER_LONG_PATH[] = { 12076, 65020, 65020, 65020, 0 };

Test(domain, static_prefix_alone)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	/* The static prefix of "branch" is the only route without BGP. */
	build(&f);
	cr_expect_eq(bgp_set_count(f.set), 1);
	cr_expect_eq(rows(f.set, "192.168.50.0/24"), 2);
	fx_fini(&f);
}

/* A hub with no candidate path at all (every run starts like this when no
 * connection has static prefixes).  Under UBSan this must not pass NULL to
 * qsort (domain_build and bgp_set_finish on zero entries). */
Test(domain, domain_without_routes_is_empty)
{
	/* Regression: with no candidate path g.v was NULL and qsort(g.v, 0, ...)
	 * undefined behaviour (caught only under -Db_sanitize=undefined). */
	struct fx f;
	fx_init(&f, TOPO_NO_RS);
	const struct vnet *iso = topology_vnet(f.tl.t, "iso");
	struct bgp_set *empty = domain_build(f.tl.t, iso, f.s);
	cr_assert_not_null(empty);
	cr_expect_eq(bgp_set_count(empty), 0, "a VNet without gateways has no routes");
	cr_expect_eq(bgp_set_find(empty, P("0.0.0.0/0")), -1);
	bgp_set_unref(empty);
	fx_fini(&f);
}

Test(domain, route_server_one_row_per_distinct_next_hop)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	/* nva1 to both instances: one row, not two. */
	adv(&f, "ars/nva1", 3, "172.16.0.0/12", NVA1_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.16.0.0/12"), 1);
	cr_expect_eq(rows_via(f.set, "172.16.0.0/12", "10.0.1.4", 1), 1,
		     "next hop defaults to the peer IP, flagged Route Server");
	/* nva2 with an equal path: ECMP, one row each. */
	adv(&f, "ars/nva2", 3, "172.16.0.0/12", NVA2_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.16.0.0/12"), 2);
	cr_expect_eq(rows_via(f.set, "172.16.0.0/12", "10.0.1.5", 1), 1);
	/* Both set the next hop to one load balancer: a single row. */
	adv(&f, "ars/nva1", 3, "172.16.0.0/12", NVA1_PATH, A("10.0.1.100"), 0);
	adv(&f, "ars/nva2", 3, "172.16.0.0/12", NVA2_PATH, A("10.0.1.100"), 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.16.0.0/12"), 1);
	cr_expect_eq(rows_via(f.set, "172.16.0.0/12", "10.0.1.100", 1), 1);
	fx_fini(&f);
}

Test(domain, route_server_prepending_picks_one_nva)
{
	static const uint32_t prepended[] = { 65002, 65002, 0 };
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "ars/nva1", 3, "0.0.0.0/0", NVA1_PATH, 0, 0);
	adv(&f, "ars/nva2", 3, "0.0.0.0/0", prepended, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "0.0.0.0/0"), 1);
	cr_expect_eq(rows_via(f.set, "0.0.0.0/0", "10.0.1.4", 1), 1);
	fx_fini(&f);
}

Test(domain, no_advertise_is_still_programmed)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "ars/nva1", 3, "172.17.0.0/16", NVA1_PATH, 0, BGP_COMM_NO_ADVERTISE);
	build(&f);
	cr_expect_eq(rows(f.set, "172.17.0.0/16"), 1);
	fx_fini(&f);
}

Test(domain, vpn_active_active_rows_per_instance)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "branch", 1, "172.20.0.0/16", BR_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.20.0.0/16"), 2);
	cr_expect_eq(rows_via(f.set, "172.20.0.0/16", "10.0.255.4", 0), 1, "GatewaySubnet .4");
	cr_expect_eq(rows_via(f.set, "172.20.0.0/16", "10.0.255.5", 0), 1, "GatewaySubnet .5");
	/* A second equal path: one row per best path per instance, duplicates kept. */
	adv(&f, "branch2", 1, "172.20.0.0/16", BR2_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.20.0.0/16"), 4);
	cr_expect_eq(rows_via(f.set, "172.20.0.0/16", "10.0.255.4", 0), 2);
	cr_expect_eq(rows_via(f.set, "172.20.0.0/16", "10.0.255.5", 0), 2);
	fx_fini(&f);
}

Test(domain, vpn_active_standby_uses_the_public_ip)
{
	struct fx f;
	fx_init(&f, TOPO_STANDBY);
	adv(&f, "branch", 1, "172.20.0.0/16", BR_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.20.0.0/16"), 1);
	cr_expect_eq(rows_via(f.set, "172.20.0.0/16", "20.1.2.3", 0), 1);
	cr_expect_eq(rows_via(f.set, "192.168.50.0/24", "20.1.2.3", 0), 1, "static prefix too");
	fx_fini(&f);
}

Test(domain, vpn_custom_asn_and_peering_addresses)
{
	static const uint32_t with_65515[] = { 65100, 65515, 0 };
	static const uint32_t with_own[] = { 65100, 65010, 0 };
	struct fx f;
	fx_init(&f, TOPO_CUSTOM_ASN);
	adv(&f, "branch", 1, "172.21.0.0/16", with_65515, 0, 0);
	adv(&f, "branch", 1, "172.22.0.0/16", with_own, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.21.0.0/16"), 2, "65515 is no loop for a gateway of ASN 65010");
	cr_expect_eq(rows_via(f.set, "172.21.0.0/16", "10.0.255.14", 0), 1);
	cr_expect_eq(rows_via(f.set, "172.21.0.0/16", "10.0.255.15", 0), 1);
	cr_expect_eq(rows(f.set, "172.22.0.0/16"), 0, "its own ASN is a loop");
	fx_fini(&f);
}

Test(domain, expressroute_rows_per_next_hop)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "er1", 1, "172.30.0.0/16", ER_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.30.0.0/16"), 2);
	cr_expect_eq(rows_via(f.set, "172.30.0.0/16", "10.24.132.60", 0), 1);
	cr_expect_eq(rows_via(f.set, "172.30.0.0/16", "10.24.132.61", 0), 1);
	/* An equal path over er2: ECMP across circuits. */
	adv(&f, "er2", 1, "172.30.0.0/16", ER_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.30.0.0/16"), 3);
	cr_expect_eq(rows_via(f.set, "172.30.0.0/16", "10.24.132.70", 0), 1);
	/* er3's routingWeight 100 beats the shorter paths. */
	adv(&f, "er3", 1, "172.30.0.0/16", ER_LONG_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.30.0.0/16"), 1);
	cr_expect_eq(rows_via(f.set, "172.30.0.0/16", "10.24.132.80", 0), 1);
	fx_fini(&f);
}

Test(domain, preference_between_classes)
{
	struct fx f;
	/* Default ExpressRoute preference with a Route Server. */
	fx_init(&f, TOPO_AA);
	adv(&f, "er1", 1, "172.31.0.0/16", ER_LONG_PATH, 0, 0);
	adv(&f, "ars/nva1", 3, "172.31.0.0/16", NVA1_PATH, 0, 0);
	adv(&f, "branch", 1, "172.31.0.0/16", BR_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.31.0.0/16"), 2);
	cr_expect_eq(rows_via(f.set, "172.31.0.0/16", "10.24.132.60", 0), 1);
	fx_fini(&f);
	/* VpnGateway: VPN and the NVA tie on length 1: ECMP. */
	fx_init(&f, TOPO_VPN_PREF);
	adv(&f, "er1", 1, "172.31.0.0/16", ER_PATH, 0, 0);
	adv(&f, "ars/nva1", 3, "172.31.0.0/16", NVA1_PATH, 0, 0);
	adv(&f, "branch", 1, "172.31.0.0/16", BR_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.31.0.0/16"), 3);
	cr_expect_eq(rows_via(f.set, "172.31.0.0/16", "10.0.1.4", 1), 1);
	cr_expect_eq(rows_via(f.set, "172.31.0.0/16", "10.0.255.4", 0), 1);
	cr_expect_eq(rows_via(f.set, "172.31.0.0/16", "10.24.132.60", -1), 0);
	fx_fini(&f);
	/* No Route Server: ExpressRoute beats a shorter VPN path. */
	fx_init(&f, TOPO_NO_RS);
	adv(&f, "er1", 1, "172.31.0.0/16", ER_LONG_PATH, 0, 0);
	adv(&f, "branch", 1, "172.31.0.0/16", BR_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.31.0.0/16"), 2);
	cr_expect_eq(rows_via(f.set, "172.31.0.0/16", "10.0.255.4", -1), 0);
	fx_fini(&f);
}

Test(domain, static_prefix_beats_bgp_and_needs_no_session)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	/* branch2 advertises the static prefix of branch over BGP: the
	 * static path (empty AS path) wins alone, 2 rows not 4. */
	adv(&f, "branch2", 1, "192.168.50.0/24", BR2_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "192.168.50.0/24"), 2);
	/* Static prefixes stay while the BGP session is down. */
	peer_session_down(speakers_peer(f.s, "branch"), 0);
	build(&f);
	cr_expect_eq(rows(f.set, "192.168.50.0/24"), 2);
	fx_fini(&f);
}

Test(domain, connection_without_bgp_contributes_no_learned_route)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "nobgp", 1, "172.23.0.0/16", BR_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.23.0.0/16"), 0);
	fx_fini(&f);
}

Test(domain, instance_down_removes_rows)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "branch", 1, "172.20.0.0/16", BR_PATH, 0, 0);
	adv(&f, "ars/nva1", 1, "172.24.0.0/16", NVA1_PATH, 0, 0);      /* IN_0 only */
	adv(&f, "ars/nva2", 3, "172.25.0.0/16", NVA2_PATH, 0, 0);      /* both */
	cr_assert_eq(speakers_set_instance(f.s, "vpngw", 1, false), 0);
	cr_assert_eq(speakers_set_instance(f.s, "ars", 0, false), 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.20.0.0/16"), 1);
	cr_expect_eq(rows_via(f.set, "172.20.0.0/16", "10.0.255.4", 0), 1, "IN_1's row gone");
	cr_expect_eq(rows(f.set, "192.168.50.0/24"), 1);
	cr_expect_eq(rows(f.set, "172.24.0.0/16"), 0, "held by the down instance only");
	cr_expect_eq(rows(f.set, "172.25.0.0/16"), 1, "programmed while one live instance has it");
	/* Both VPN instances down: the gateway programs nothing. */
	cr_assert_eq(speakers_set_instance(f.s, "vpngw", 0, false), 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.20.0.0/16"), 0);
	cr_expect_eq(rows(f.set, "192.168.50.0/24"), 0);
	fx_fini(&f);
}

/* RULES 1.8: each Route Server instance decides on its own Adj-RIB-In and
 * the union of the live instances' winners is programmed.  nva1's long
 * path reaches both instances, nva2's shorter one IN_1 only: IN_0 picks
 * nva1, IN_1 nva2, both next hops are programmed; with IN_1 down only
 * IN_0's winner is left. */
Test(domain, route_server_instances_decide_on_their_own)
{
	static const uint32_t nva1_long[] = { 65001, 65001, 0 };
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "ars/nva1", 3, "172.27.0.0/16", nva1_long, 0, 0);
	adv(&f, "ars/nva2", 2, "172.27.0.0/16", NVA2_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.27.0.0/16"), 2);
	cr_expect_eq(rows_via(f.set, "172.27.0.0/16", "10.0.1.4", 1), 1, "IN_0's winner");
	cr_expect_eq(rows_via(f.set, "172.27.0.0/16", "10.0.1.5", 1), 1, "IN_1's winner");
	/* Both instances hear nva2: it wins on both, nva1 is gone. */
	adv(&f, "ars/nva2", 1, "172.27.0.0/16", NVA2_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.27.0.0/16"), 1);
	cr_expect_eq(rows_via(f.set, "172.27.0.0/16", "10.0.1.5", 1), 1);
	/* Only IN_0 hears nva2 now, and IN_0 is down: IN_1 decides alone. */
	struct prefix w = P("172.27.0.0/16");
	peer_withdraw(speakers_peer(f.s, "ars/nva2"), &w, 1);
	adv(&f, "ars/nva2", 1, "172.27.0.0/16", NVA2_PATH, 0, 0);
	cr_assert_eq(speakers_set_instance(f.s, "ars", 0, false), 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.27.0.0/16"), 1);
	cr_expect_eq(rows_via(f.set, "172.27.0.0/16", "10.0.1.4", 1), 1);
	fx_fini(&f);
}

Test(domain, session_down_removes_the_peers_rows)
{
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "ars/nva1", 3, "172.26.0.0/16", NVA1_PATH, 0, 0);
	adv(&f, "ars/nva2", 3, "172.26.0.0/16", NVA2_PATH, 0, 0);
	struct peer *p = speakers_peer(f.s, "ars/nva1");
	peer_session_down(p, 0);
	peer_session_down(p, 1);
	build(&f);
	cr_expect_eq(rows(f.set, "172.26.0.0/16"), 1);
	cr_expect_eq(rows_via(f.set, "172.26.0.0/16", "10.0.1.5", 1), 1);
	fx_fini(&f);
}

/* RULES 1.5.2 against the domain's VNets: the hub and spoke1 (gateway
 * transit); spoke2 (peered without transit) and iso are not in it. */
Test(domain, vnet_prefix_filter_covers_transit_spokes_only)
{
	static const struct {
		const char *prefix;
		size_t rows;
	} cases[] = {
		{ "10.0.0.0/16", 0 },   /* the hub */
		{ "10.0.5.0/24", 0 },
		{ "10.1.0.0/16", 0 },   /* spoke1, equal */
		{ "10.1.7.0/24", 0 },   /* spoke1, more specific */
		{ "10.1.7.7/32", 0 },
		{ "10.0.0.0/8", 1 },    /* supernet */
		{ "10.0.0.0/15", 1 },
		{ "10.2.0.0/16", 1 },   /* spoke2: no transit, not in the domain */
		{ "10.9.0.0/16", 1 },   /* not peered */
		{ "0.0.0.0/0", 1 },
	};
	struct fx f;
	fx_init(&f, TOPO_AA);
	cr_expect_eq(topology_vnet(f.tl.t, "spoke1")->domain, f.hub);
	cr_expect_null(topology_vnet(f.tl.t, "spoke2")->domain);
	for (size_t i = 0; i < NELEM(cases); i++)
		adv(&f, "ars/nva1", 3, cases[i].prefix, NVA1_PATH, 0, 0);
	build(&f);
	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(rows(f.set, cases[i].prefix), cases[i].rows, "%s", cases[i].prefix);
	/* VPN paths are filtered the same way. */
	adv(&f, "branch", 1, "10.1.0.0/16", BR_PATH, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "10.1.0.0/16"), 0);
	fx_fini(&f);
}

Test(domain, loop_prevention_drops_only_the_looping_path)
{
	static const uint32_t looping[] = { 65001, 65515, 0 };
	static const uint32_t er_looping[] = { 12076, 65515, 0 };
	struct fx f;
	fx_init(&f, TOPO_AA);
	adv(&f, "ars/nva1", 3, "172.27.0.0/16", looping, 0, 0);
	adv(&f, "ars/nva2", 3, "172.27.0.0/16", NVA2_PATH, 0, 0);
	adv(&f, "ars/nva1", 3, "172.28.0.0/16", looping, 0, 0);
	adv(&f, "er1", 1, "172.29.0.0/16", er_looping, 0, 0);
	adv(&f, "branch", 1, "172.29.0.0/16", looping, 0, 0);
	build(&f);
	cr_expect_eq(rows(f.set, "172.27.0.0/16"), 1);
	cr_expect_eq(rows_via(f.set, "172.27.0.0/16", "10.0.1.5", 1), 1);
	cr_expect_eq(rows(f.set, "172.28.0.0/16"), 0, "no entry at all");
	cr_expect_eq(bgp_set_find(f.set, P("172.28.0.0/16")), -1);
	/* A looping ER path does not make ER win over VPN; the VPN path
	 * (65515 is the default VPN ASN) loops too. */
	cr_expect_eq(rows(f.set, "172.29.0.0/16"), 0);
	fx_fini(&f);
}

Test(domain, entries_sorted_and_findable)
{
	static const char *const pfx[] = { "192.168.0.0/16", "0.0.0.0/0", "172.16.0.0/12",
					   "172.16.0.0/16", "8.8.8.8/32" };
	struct fx f;
	fx_init(&f, TOPO_AA);
	for (size_t i = 0; i < NELEM(pfx); i++)
		adv(&f, "ars/nva1", 3, pfx[i], NVA1_PATH, 0, 0);
	build(&f);
	cr_expect_eq(bgp_set_count(f.set), NELEM(pfx) + 1, "plus the static prefix");
	for (size_t i = 1; i < bgp_set_count(f.set); i++)
		cr_expect_lt(prefix_compare(*bgp_set_entry(f.set, i - 1, NULL),
					    *bgp_set_entry(f.set, i, NULL)), 0);
	for (size_t i = 0; i < NELEM(pfx); i++) {
		long e = bgp_set_find(f.set, P(pfx[i]));
		cr_expect_geq(e, 0, "%s", pfx[i]);
	}
	fx_fini(&f);
}

/* ---- domain_update ------------------------------------------------------------ */

/* Oracle: after random advertisements and withdrawals from every kind of
 * peer (overlapping prefixes, ECMP, AS paths of several lengths, the
 * static prefix, prefixes inside VNet space), the incremental update over
 * the touched prefixes equals a full rebuild, and *changed lists exactly
 * the prefixes whose rows differ. */
Test(domain, update_equals_full_rebuild)
{
	static const char *const topos[] = { TOPO_AA, TOPO_STANDBY, TOPO_NO_RS, TOPO_VPN_PREF };
	static const char *const peers[] = { "ars/nva1", "ars/nva2", "branch", "branch2",
					     "er1", "er2", "er3" };
	static const uint32_t *const paths[] = { NVA1_PATH, NVA2_PATH, BR_PATH, BR2_PATH,
						 ER_PATH, ER_PATH, ER_LONG_PATH };
	static const char *const pool[] = { "0.0.0.0/0",      "192.168.50.0/24", "172.16.0.0/12",
					    "172.16.1.0/24",  "172.16.2.0/24",   "10.0.5.0/24",
					    "10.1.0.0/16",    "100.64.0.0/24",   "100.64.1.0/24",
					    "10.0.0.0/8",     "192.168.0.0/16",  "100.64.0.0/10" };
	uint64_t x = 88172645463325252u;
	size_t total_changed = 0;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	for (size_t tp = 0; tp < NELEM(topos); tp++) {
		struct fx f;
		fx_init(&f, topos[tp]);
		build(&f);
		for (int step = 0; step < 300; step++) {
			size_t pi = NEXT() % NELEM(peers);
			struct peer *p = speakers_peer(f.s, peers[pi]);
			if (!p)
				continue; /* no Route Server in this topology */
			struct prefix touched[3];
			size_t nt = 1 + NEXT() % 3;
			for (size_t i = 0; i < nt; i++)
				touched[i] = P(pool[NEXT() % NELEM(pool)]);
			if (NEXT() % 3 == 0) {
				peer_withdraw(p, touched, nt);
			} else {
				uint32_t nh = (NEXT() % 2) ? A("10.0.1.9") : 0;
				for (size_t i = 0; i < nt; i++) {
					uint32_t copy[8];
					uint16_t n = 0;
					while (paths[pi][n]) {
						copy[n] = paths[pi][n];
						n++;
					}
					if (NEXT() % 4 == 0) {
						copy[n] = copy[n - 1]; /* a longer path */
						n++;
					}
					struct rib_route r = { .prefix = touched[i], .as_path = copy,
							       .as_len = n, .next_hop = nh };
					unsigned mask = 1u + (unsigned)(NEXT() % 3);
					peer_advertise(f.s, p, mask, &r, 1);
				}
			}
			struct prefix *changed = NULL;
			size_t nchanged = 0;
			struct bgp_set *inc = domain_update(f.set, f.tl.t, f.hub, f.s, touched, nt,
							    &changed, &nchanged);
			cr_assert_not_null(inc);
			struct bgp_set *full = domain_build(f.tl.t, f.hub, f.s);
			cr_assert_not_null(full);
			cr_assert(bgp_set_equal(inc, full), "topology %zu step %d: %zu vs %zu entries",
				  tp, step, bgp_set_count(inc), bgp_set_count(full));
			/* changed = the touched prefixes whose rows differ from before. */
			for (size_t i = 0; i < nt; i++) {
				long a = bgp_set_find(f.set, touched[i]), b = bgp_set_find(full, touched[i]);
				bool differ = !same_rows(f.set, a, full, b);
				bool listed = false;
				for (size_t k = 0; k < nchanged; k++)
					listed |= prefix_equal(changed[k], touched[i]);
				cr_assert_eq(listed, differ, "topology %zu step %d: changed list", tp, step);
			}
			total_changed += nchanged;
			free(changed);
			bgp_set_unref(full);
			bgp_set_unref(f.set);
			f.set = inc;
		}
		fx_fini(&f);
	}
	cr_expect_gt(total_changed, 300, "the steps change rows often (%zu)", total_changed);
#undef NEXT
}
