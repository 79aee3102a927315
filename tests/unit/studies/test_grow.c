/*
 * test_grow.c - grown networks (models/studies/grow.c) and capacity studies that
 * find each bite by replaying them (models/studies/study_capacity.c).
 *
 * The scenarios are built here: a hub (10.0.0.0/16) with a Route Server
 * (minCapacity 2: 4,000 VMs) and an NVA (nva1, maxRoutes set per test) in
 * subnet nva, a workload subnet app holding most VMs, a route table rt-hub
 * on app with filler routes plus one route to spoke s1's space, two spokes
 * s1 and s2 (10.1.0.0/16, 10.2.0.0/16) of 5 VMs each using the hub's
 * Route Server, a VPN gateway with one BGP connection.  Known answers are
 * computed by hand in each test.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "helpers.h"
#include "failalloc.h"
#include "grow.h"
#include "pitfalls.h"
#include "scenario_doc.h"
#include "speaker.h"
#include "study_capacity.h"

struct shape {
	unsigned rt_routes;            /* routes of rt-hub, the s1 route included */
	unsigned nva_prefixes;         /* advertised by nva1 at 0 */
	unsigned max_routes;           /* of nva1 */
	unsigned app_len;              /* prefix length of hub/app (10.0.16.0/len) */
	unsigned app_nics;
	unsigned spoke_len;            /* prefix length of s1's space (10.1.0.0/16 by default) */
	unsigned s2_nics;              /* dynamic NICs of s2 (s1 has 5 and a fixed one) */
	const char *at;                /* baseline checkpoint label */
};

static const struct shape BASE = { .rt_routes = 2, .nva_prefixes = 2, .max_routes = 1000,
				   .app_len = 20, .app_nics = 100, .spoke_len = 16, .s2_nics = 6,
				   .at = "base" };

static char *build(const struct shape *s)
{
	char *txt = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&txt, &len);
	cr_assert_not_null(f);
	fprintf(f, "{\"schemaVersion\": 1, \"name\": \"cap\", \"settings\": "
		   "{\"routeServerScaleOutSeconds\": 600},\n\"topology\": {\"virtualNetworks\": [\n"
		   "{\"name\": \"hub\", \"location\": \"westeurope\", \"addressSpace\": "
		   "{\"addressPrefixes\": [\"10.0.0.0/16\"]}, \"subnets\": ["
		   "{\"name\": \"GatewaySubnet\", \"addressPrefix\": \"10.0.255.0/27\"},"
		   "{\"name\": \"RouteServerSubnet\", \"addressPrefix\": \"10.0.254.0/26\"},"
		   "{\"name\": \"nva\", \"addressPrefix\": \"10.0.1.0/24\"},"
		   "{\"name\": \"app\", \"addressPrefix\": \"10.0.16.0/%u\", \"routeTable\": "
		   "{\"id\": \"rt-hub\"}}],\n"
		   "\"virtualNetworkPeerings\": ["
		   "{\"name\": \"hub-to-s1\", \"remoteVirtualNetwork\": {\"id\": \"s1\"}, "
		   "\"allowForwardedTraffic\": true, \"allowGatewayTransit\": true},"
		   "{\"name\": \"hub-to-s2\", \"remoteVirtualNetwork\": {\"id\": \"s2\"}, "
		   "\"allowGatewayTransit\": true}]},\n",
		s->app_len);
	for (int k = 1; k <= 2; k++)
		fprintf(f, "{\"name\": \"s%d\", \"location\": \"westeurope\", \"addressSpace\": "
			   "{\"addressPrefixes\": [\"10.%d.0.0/%u\"]}, \"subnets\": ["
			   "{\"name\": \"web\", \"addressPrefix\": \"10.%d.0.0/24\"}],"
			   "\"virtualNetworkPeerings\": [{\"name\": \"s%d-to-hub\", "
			   "\"remoteVirtualNetwork\": {\"id\": \"hub\"}, \"allowForwardedTraffic\": true,"
			   " \"useRemoteGateways\": true}]}%s\n",
			k, k == 1 ? 1 : 2, k == 1 ? s->spoke_len : 16, k == 1 ? 1 : 2, k, k == 1 ? "," : "");
	fprintf(f, "],\n\"routeTables\": [{\"name\": \"rt-hub\", \"routes\": [");
	fprintf(f, "{\"name\": \"to-s1\", \"addressPrefix\": \"10.1.0.0/%u\", \"nextHopType\": "
		   "\"VirtualAppliance\", \"nextHopIpAddress\": \"10.0.1.4\"}",
		s->spoke_len);
	for (unsigned r = 1; r < s->rt_routes; r++)
		fprintf(f, ",{\"name\": \"f%u\", \"addressPrefix\": \"100.64.%u.%u/30\", "
			   "\"nextHopType\": \"Internet\"}",
			r, r / 64, (r % 64) * 4);
	fprintf(f, "]}],\n\"networkInterfaces\": ["
		   "{\"name\": \"nva1-nic\", \"enableIPForwarding\": true, \"ipConfigurations\": "
		   "[{\"subnet\": {\"id\": \"hub/nva\"}, \"privateIPAddress\": \"10.0.1.4\"}]},"
		   "{\"name\": \"app-*\", \"count\": %u, \"ipConfigurations\": [{\"subnet\": "
		   "{\"id\": \"hub/app\"}}]},"
		   "{\"name\": \"s1-*\", \"count\": 5, \"ipConfigurations\": [{\"subnet\": "
		   "{\"id\": \"s1/web\"}}]},"
		   "{\"name\": \"s1-fixed\", \"ipConfigurations\": [{\"subnet\": "
		   "{\"id\": \"s1/web\"}, \"privateIPAddress\": \"10.1.0.200\"}]},"
		   "{\"name\": \"s2-*\", \"count\": %u, \"ipConfigurations\": [{\"subnet\": "
		   "{\"id\": \"s2/web\"}}]}],\n"
		   "\"virtualNetworkGateways\": [{\"name\": \"vpngw\", \"virtualNetwork\": {\"id\": "
		   "\"hub\"}, \"gatewayType\": \"Vpn\", \"sku\": {\"name\": \"VpnGw1\"}, \"enableBgp\": "
		   "true, \"publicIpAddress\": \"20.50.10.1\"}],\n"
		   "\"connections\": [{\"name\": \"branch\", \"virtualNetworkGateway\": {\"id\": "
		   "\"vpngw\"}, \"connectionType\": \"IPsec\", \"enableBgp\": true, \"peerAsn\": 65100, "
		   "\"peerBgpAddress\": \"192.168.100.1\", \"localNetworkAddressPrefixes\": "
		   "[\"192.168.100.1/32\"]}],\n"
		   "\"routeServers\": [{\"name\": \"ars\", \"subnet\": {\"id\": "
		   "\"hub/RouteServerSubnet\"}, \"bgpConnections\": [{\"name\": \"nva1\", \"peerIp\": "
		   "\"10.0.1.4\", \"peerAsn\": 65001, \"maxRoutes\": %u}]}]},\n"
		   "\"events\": [{\"at\": 0, \"op\": \"advertise\", \"from\": \"branch\", "
		   "\"prefixes\": [\"192.168.10.0/24\"], \"asPath\": [65100]},"
		   "{\"at\": 0, \"op\": \"advertise\", \"from\": \"ars/nva1\", \"asPath\": [65001], "
		   "\"prefixes\": [",
		s->app_nics, s->s2_nics, s->max_routes);
	for (unsigned p = 0; p < s->nva_prefixes; p++)
		fprintf(f, "%s\"172.20.%u.%u/32\"", p ? "," : "", p / 256, p % 256);
	fprintf(f, "]}, {\"at\": \"10s\", \"op\": \"checkpoint\", \"label\": \"base\"}]}\n");
	cr_assert_eq(fclose(f), 0);
	return txt;
}

/* The scenario of a shape, asserted valid. */
static struct scenario *load(const struct shape *s, struct diag *d)
{
	char *txt = build(s);
	cJSON *doc = jin_parse_text("cap.json", txt, strlen(txt), d);
	free(txt);
	cr_assert_not_null(doc);
	bool env = false;
	struct scenario *sc = scenario_load_doc("cap.json", doc, NULL, d, &env);
	if (!sc)
		diag_dump(d);
	cr_assert_not_null(sc, "test bug: the scenario does not load");
	return sc;
}

/* sc grown by k steps of dim, loaded (asserted valid). */
static struct scenario *grown(const struct scenario *sc, enum grow_dim dim, uint64_t k,
			      struct diag *d)
{
	struct scenario_doc *doc = NULL;
	char why[256];
	int rc = grow_doc(sc, dim, k, &doc, why, sizeof(why));
	cr_assert_eq(rc, 0, "grow %s %llu: %d %s", grow_dim_name(dim), (unsigned long long)k, rc, why);
	bool env = false;
	struct scenario *g = grow_load(sc, doc, "grown.json", d, &env);
	if (!g)
		diag_dump(d);
	cr_assert_not_null(g, "the grown network does not load");
	return g;
}

/* A replay of the whole scenario, asserted to succeed. */
static struct run *replayed(struct scenario *g, struct diag *d)
{
	struct run *r = run_create(g, d);
	cr_assert_not_null(r);
	cr_assert_eq(run_execute(r), 0);
	return r;
}

static size_t domain_nics(const struct topology *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nnics; i++)
		n += t->nics[i].subnet->vnet->domain != NULL;
	return n;
}

/* ---- grown networks ------------------------------------------------------------- */

Test(grow, one_spoke_adds_one_vnet_its_peering_pair_nics_and_route)
{
	struct diag *d = diag_create();
	struct scenario *sc = load(&BASE, d);
	const struct topology *t0 = sc->topo;
	cr_assert_eq(grow_spoke_template(t0, topology_vnet(t0, "hub")), topology_vnet(t0, "s1"),
		     "s1 (6 NICs) and s2 (6) tie with the average: the first is the template");
	struct scenario *g = grown(sc, GROW_SPOKES, 1, d);
	const struct topology *t = g->topo;
	cr_assert_eq(t->nvnets, t0->nvnets + 1);
	const struct vnet *v = topology_vnet(t, "s1-grow1");
	cr_assert_not_null(v);
	cr_assert_eq(v->space.n, 1);
	/* The lowest free /16: 10.0 (hub), 10.1 and 10.2 (spokes) are taken. */
	cr_assert(prefix_equal(v->space.v[0], P("10.3.0.0/16")));
	cr_assert_eq(v->nsubnets, 1);
	cr_assert(prefix_equal(v->subnets[0]->prefixes.v[0], P("10.3.0.0/24")));
	cr_assert_eq(v->npeerings, 1);
	cr_assert_eq(v->peerings[0].remote, topology_vnet(t, "hub"));
	cr_assert(v->peerings[0].use_remote_gateways && v->peerings[0].allow_forwarded);
	cr_assert(v->peerings[0].connected);
	const struct vnet *hub = topology_vnet(t, "hub");
	cr_assert_eq(hub->npeerings, 3);
	cr_assert_eq(hub->peerings[2].remote, v);
	cr_assert(hub->peerings[2].allow_gateway_transit && hub->peerings[2].allow_forwarded);
	cr_assert_str_eq(hub->peerings[2].name, "hub-to-s1-grow1");
	cr_assert_eq(v->domain, hub);
	/* Its NICs: the template's 6, the fixed address moved along. */
	cr_assert_eq(t->nnics, t0->nnics + 6);
	cr_assert_eq(v->subnets[0]->nic_count, 6);
	const struct nic *fixed = topology_nic(t, "s1-grow1-s1-fixed");
	cr_assert_not_null(fixed);
	cr_assert_eq(fixed->ip, A("10.3.0.200"));
	/* The route to the template's space, copied for the copy's space. */
	const struct route_table *rt = topology_route_table(t, "rt-hub");
	cr_assert_eq(rt->nroutes, BASE.rt_routes + 1);
	cr_assert_str_eq(rt->routes[rt->nroutes - 1].name, "to-s1-s1-grow1");
	cr_assert(prefix_equal(rt->routes[rt->nroutes - 1].prefixes.v[0], P("10.3.0.0/16")));
	scenario_destroy(g);
	scenario_destroy(sc);
	diag_destroy(d);
}

/* Copies hold the average spoke: s1 has 6 VMs, s2 21, so copies hold 13
 * and 14 (27 for two), s1's fixed NIC and 12 then 13 dynamic ones. */
Test(grow, spoke_copies_hold_the_average_vm_count)
{
	struct diag *d = diag_create();
	struct shape s = BASE;
	s.s2_nics = 21;
	struct scenario *sc = load(&s, d);
	cr_assert_eq(grow_spoke_template(sc->topo, topology_vnet(sc->topo, "hub")),
		     topology_vnet(sc->topo, "s1"), "6 and 21 are as far from 13.5: the first");
	struct scenario *g = grown(sc, GROW_SPOKES, 2, d);
	cr_assert_eq(g->topo->nnics, sc->topo->nnics + 27);
	cr_assert_eq(topology_subnet(g->topo, "s1-grow1/web")->nic_count, 13);
	cr_assert_eq(topology_subnet(g->topo, "s1-grow2/web")->nic_count, 14);
	cr_assert_not_null(topology_nic(g->topo, "s1-grow2-s1-fixed"));
	cr_assert_not_null(topology_nic(g->topo, "s1-grow2-s1-13"));
	scenario_destroy(g);
	scenario_destroy(sc);
	diag_destroy(d);
}

/* Space a later edit brings is not handed out: an `add` of a VNet at
 * 10.3.0.0/16 after the baseline pushes the first copy to 10.4.0.0/16. */
Test(grow, space_of_edit_events_is_left_alone)
{
	struct diag *d = diag_create();
	char *txt = build(&BASE);
	char *at = strstr(txt, "{\"at\": \"10s\"");
	cr_assert_not_null(at);
	const char *add = "{\"at\": \"20s\", \"op\": \"add\", \"path\": \"virtualNetworks/late\", "
			  "\"value\": {\"location\": \"westeurope\", \"addressSpace\": "
			  "{\"addressPrefixes\": [\"10.3.0.0/16\"]}}}, ";
	size_t n = strlen(txt) + strlen(add) + 1;
	char *full = malloc(n);
	snprintf(full, n, "%.*s%s%s", (int)(at - txt), txt, add, at);
	free(txt);
	cJSON *doc = jin_parse_text("edit.json", full, strlen(full), d);
	free(full);
	bool env = false;
	struct scenario *sc = scenario_load_doc("edit.json", doc, NULL, d, &env);
	if (!sc)
		diag_dump(d);
	cr_assert_not_null(sc);
	struct scenario *g = grown(sc, GROW_SPOKES, 1, d);
	cr_assert(prefix_equal(topology_vnet(g->topo, "s1-grow1")->space.v[0], P("10.4.0.0/16")));
	struct run *r = replayed(g, d);
	run_destroy(r);
	scenario_destroy(g);
	scenario_destroy(sc);
	diag_destroy(d);
}

Test(grow, steps_are_stable_and_deterministic)
{
	struct diag *d = diag_create();
	struct scenario *sc = load(&BASE, d);
	for (enum grow_dim dim = 0; dim < GROW_NDIM; dim++) {
		struct scenario_doc *a = NULL, *b = NULL, *c = NULL;
		char why[256];
		cr_assert_eq(grow_doc(sc, dim, 3, &a, why, sizeof(why)), 0, "%s", why);
		cr_assert_eq(grow_doc(sc, dim, 3, &b, why, sizeof(why)), 0, "%s", why);
		cr_assert_eq(grow_doc(sc, dim, 4, &c, why, sizeof(why)), 0, "%s", why);
		char *ta = scenario_doc_print(a), *tb = scenario_doc_print(b);
		char *tc = scenario_doc_print(c);
		cr_assert_str_eq(ta, tb, "%s: two growths differ", grow_dim_name(dim));
		cr_assert_str_neq(ta, tc);
		free(ta);
		free(tb);
		free(tc);
		scenario_doc_destroy(a);
		scenario_doc_destroy(b);
		scenario_doc_destroy(c);
	}
	/* Step 3's spoke keeps its address in the network grown by 4. */
	struct scenario *g3 = grown(sc, GROW_SPOKES, 3, d), *g4 = grown(sc, GROW_SPOKES, 4, d);
	const struct vnet *a = topology_vnet(g3->topo, "s1-grow3"), *b = topology_vnet(g4->topo, "s1-grow3");
	cr_assert(a && b && prefix_equal(a->space.v[0], b->space.v[0]));
	cr_assert(prefix_equal(topology_vnet(g4->topo, "s1-grow4")->space.v[0], P("10.6.0.0/16")));
	scenario_destroy(g3);
	scenario_destroy(g4);
	scenario_destroy(sc);
	diag_destroy(d);
}

/* The free space is a growable array (sim/vec.h): running out of memory
 * at any of its growths is reported, nothing half-grown comes out, and
 * the next growth gives the same network. */
Test(grow, out_of_memory_at_any_growth_is_reported)
{
	struct diag *d = diag_create();
	struct shape t = BASE;
	t.rt_routes = 40;              /* 40 routed prefixes: the space grows 3 times */
	struct scenario *sc = load(&t, d);
	struct scenario_doc *doc = NULL;
	char why[256];
	failalloc_after(-1);
	cr_assert_eq(grow_doc(sc, GROW_SPOKES, 3, &doc, why, sizeof(why)), 0, "%s", why);
	long calls = failalloc_calls();
	cr_assert_geq(calls, 3, "test bug: the space grows only %ld times", calls);
	char *want = scenario_doc_print(doc);
	scenario_doc_destroy(doc);
	for (long k = 0; k < calls; k++) {
		failalloc_after(k);
		int rc = grow_doc(sc, GROW_SPOKES, 3, &doc, why, sizeof(why));
		failalloc_after(-1);
		cr_assert_eq(rc, -1, "realloc %ld failed: %d", k + 1, rc);
		cr_assert_null(doc);
	}
	cr_assert_eq(grow_doc(sc, GROW_SPOKES, 3, &doc, why, sizeof(why)), 0);
	char *got = scenario_doc_print(doc);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	scenario_doc_destroy(doc);
	scenario_destroy(sc);
	diag_destroy(d);
}

Test(grow, vms_go_where_there_is_room)
{
	struct diag *d = diag_create();
	struct shape s = BASE;
	s.app_len = 28;                /* 16 - 5 = 11 usable: app holds 10 */
	s.app_nics = 10;
	struct scenario *sc = load(&s, d);
	size_t before = domain_nics(sc->topo);
	struct scenario *g = grown(sc, GROW_VMS, 3, d);
	cr_assert_eq(domain_nics(g->topo), before + 3);
	/* The first subnet holding NICs with room takes them (nva, in the
	 * hub's order), never GatewaySubnet or RouteServerSubnet. */
	cr_assert_eq(topology_subnet(g->topo, "hub/nva")->nic_count, 4);
	cr_assert_eq(topology_subnet(g->topo, "hub/app")->nic_count, 10);
	cr_assert_eq(topology_subnet(g->topo, "hub/GatewaySubnet")->nic_count, 0);
	scenario_destroy(g);
	/* Room: nva 251 - 1, app 11 - 10, s1/web 251 - 6, s2/web 251 - 6. */
	size_t room = 250 + 1 + 245 + 245;
	g = grown(sc, GROW_VMS, room, d);
	scenario_destroy(g);
	struct scenario_doc *doc = NULL;
	char why[256];
	cr_assert_eq(grow_doc(sc, GROW_VMS, room + 1, &doc, why, sizeof(why)), GROW_CANNOT);
	cr_assert_null(doc);
	cr_assert(strstr(why, "no room for VM 742"), "%s", why);
	scenario_destroy(sc);
	diag_destroy(d);
}

Test(grow, address_space_exhausted_is_a_clear_finding)
{
	struct diag *d = diag_create();
	struct shape t = BASE;
	t.spoke_len = 16;
	struct scenario *sc = load(&t, d);
	struct scenario_doc *doc = NULL;
	char why[256];
	/* /16s left in 10/8: 256 - 3 taken = 253; in 172.16/12, 16 less
	 * 172.20/16 (nva1's /32s); none in 192.168/16 (192.168.10.0/24 and
	 * 192.168.100.1/32 are routed there). */
	cr_assert_eq(grow_doc(sc, GROW_SPOKES, 253 + 15, &doc, why, sizeof(why)), 0, "%s", why);
	scenario_doc_destroy(doc);
	cr_assert_eq(grow_doc(sc, GROW_SPOKES, 253 + 15 + 1, &doc, why, sizeof(why)), GROW_CANNOT);
	cr_assert(strstr(why, "address space exhausted at spoke 269"), "%s", why);
	cr_assert(strstr(why, "/16"), "%s", why);
	scenario_destroy(sc);
	diag_destroy(d);
}

Test(grow, prefixes_per_peer)
{
	struct diag *d = diag_create();
	struct scenario *sc = load(&BASE, d);
	for (enum grow_dim dim = GROW_NVA_ROUTES; dim <= GROW_ONPREM; dim++) {
		struct scenario *g = grown(sc, dim, 5, d);
		struct run *r = run_create(g, d);
		cr_assert_not_null(r);
		cr_assert_eq(run_execute(r), 0);
		const struct peer *nva = speakers_peer(run_speakers(r), "ars/nva1");
		const struct peer *vpn = speakers_peer(run_speakers(r), "branch");
		cr_assert_eq(nva->sent[0].n, BASE.nva_prefixes + (dim == GROW_NVA_ROUTES ? 5 : 0));
		cr_assert_eq(vpn->sent[0].n, 1 + (dim == GROW_ONPREM ? 5 : 0));
		run_destroy(r);
		scenario_destroy(g);
	}
	scenario_destroy(sc);
	diag_destroy(d);
}

/* ---- capacity studies: bites found by replay ---------------------------------------- */

/* 3,988 VMs in the Route Server's domain (4,000 at 2 units), 6 per spoke;
 * rt-hub at 397 routes, one of them to s1 (a spoke step copies it); nva1
 * at maxRoutes - 2. */
static struct shape near_limits(void)
{
	struct shape s = BASE;
	s.rt_routes = 397;
	s.nva_prefixes = 48;
	s.max_routes = 50;
	s.app_nics = 3988 - 1 - 12;
	return s;
}

static const struct study_limit *find_limit(const struct study_capacity_result *r,
					    const char *name, const char *scope)
{
	for (size_t i = 0; i < r->nlimits; i++)
		if (strcmp(r->limits[i].name, name) == 0 && strcmp(r->limits[i].scope, scope) == 0)
			return &r->limits[i];
	cr_assert_fail("no limit %s %s", name, scope);
	return NULL;
}

static void capacity(struct scenario *sc, struct diag *d, struct study_capacity_result *res)
{
	char file[] = "cap-study.json", at[] = "base";
	struct study st = { .file = file, .kind = STUDY_CAPACITY, .at = at, .grow = STUDY_G_ALL,
			    .max_steps = 100000 };
	int rc = study_capacity(&st, sc, d, res);
	if (rc != 0)
		diag_dump(d);
	cr_assert_eq(rc, 0);
}

Test(capacity, bite_steps_found_by_replay)
{
	struct diag *d = diag_create();
	struct shape s = near_limits();
	struct scenario *sc = load(&s, d);
	struct study_capacity_result r;
	capacity(sc, d, &r);
	/* 3,988 + 6 k > 4,000 first at k = 3 (k = 2 is exactly 4,000). */
	const struct study_limit *x = find_limit(&r, "Route Server VMs before scale-out",
						 "ars (2 units)");
	cr_assert_eq(x->used, 3988);
	cr_assert_eq(x->bites_at[GROW_SPOKES], 3, "%lld: %s", (long long)x->bites_at[GROW_SPOKES],
		     x->note[GROW_SPOKES]);
	cr_assert(strstr(x->note[GROW_SPOKES], "4006 > 4000"), "%s", x->note[GROW_SPOKES]);
	cr_assert(strstr(x->note[GROW_SPOKES], "scale-out"), "%s", x->note[GROW_SPOKES]);
	cr_assert_eq(x->bites_at[GROW_VMS], 13, "%s", x->note[GROW_VMS]);
	cr_assert_eq(x->bites_at[GROW_NVA_ROUTES], -1);
	/* 397 + k routes: the loader refuses the 401st, at k = 4. */
	x = find_limit(&r, "routes per route table", "rt-hub");
	cr_assert_eq(x->bites_at[GROW_SPOKES], 4, "%s", x->note[GROW_SPOKES]);
	cr_assert(strstr(x->note[GROW_SPOKES], "rejected") &&
			  strstr(x->note[GROW_SPOKES], "$.topology.routeTables[0].routes"),
		  "%s", x->note[GROW_SPOKES]);
	/* Then spokes cannot grow past 3: the hub's peerings never reach 500. */
	x = find_limit(&r, "peerings per VNet", "hub");
	cr_assert_eq(x->bites_at[GROW_SPOKES], -1);
	cr_assert(strstr(x->note[GROW_SPOKES], "is rejected at step 4"), "%s", x->note[GROW_SPOKES]);
	cr_assert_eq(x->estimate[GROW_SPOKES], 499);
	/* nva1 at 48 of 50: the 51st prefix, at k = 3, drops the session. */
	x = find_limit(&r, "routes per BGP peer", "ars/nva1");
	cr_assert_eq(x->bites_at[GROW_NVA_ROUTES], 3, "%s", x->note[GROW_NVA_ROUTES]);
	cr_assert(strstr(x->note[GROW_NVA_ROUTES], "the session drops"), "%s",
		  x->note[GROW_NVA_ROUTES]);
	cr_assert_eq(x->bites_at[GROW_SPOKES], -1);
	cr_assert_str_empty(x->note[GROW_SPOKES], "does not grow with spokes: nothing to note");
	x = find_limit(&r, "VPN prefixes per BGP session", "branch");
	cr_assert_eq(x->bites_at[GROW_ONPREM], 4000, "%s", x->note[GROW_ONPREM]);
	/* The growth curves hold the replays, counts rising with steps. */
	cr_assert_gt(r.npoints[GROW_SPOKES], 0);
	cr_assert_leq(r.replays, STUDY_CAP_MAX_REPLAYS);
	study_capacity_fini(&r);
	scenario_destroy(sc);
	diag_destroy(d);
}

Test(capacity, deterministic)
{
	struct diag *d = diag_create();
	struct shape s = near_limits();
	struct scenario *sc = load(&s, d);
	struct study_capacity_result a, b;
	capacity(sc, d, &a);
	capacity(sc, d, &b);
	cr_assert_eq(a.nlimits, b.nlimits);
	cr_assert_eq(a.replays, b.replays);
	for (size_t i = 0; i < a.nlimits; i++)
		for (unsigned k = 0; k < STUDY_NDIM; k++) {
			cr_assert_eq(a.limits[i].bites_at[k], b.limits[i].bites_at[k]);
			cr_assert_str_eq(a.limits[i].note[k], b.limits[i].note[k]);
		}
	study_capacity_fini(&a);
	study_capacity_fini(&b);
	scenario_destroy(sc);
	diag_destroy(d);
}

/* Nonlinear: the estimate says VMs bite after 2,988 more, but the subnets
 * hold 759 more (nva 250, app 1,019 - 1,000, s1 and s2 245 each). */
Test(capacity, replay_differs_from_the_estimate_when_subnets_fill)
{
	struct diag *d = diag_create();
	struct shape s = BASE;
	s.app_len = 22;
	s.app_nics = 1000;
	struct scenario *sc = load(&s, d);
	struct study_capacity_result r;
	capacity(sc, d, &r);
	const struct study_limit *x = find_limit(&r, "Route Server VMs before scale-out",
						 "ars (2 units)");
	cr_assert_eq(x->used, 1013);
	cr_assert_eq(x->estimate[GROW_VMS], 2988);
	cr_assert_eq(x->bites_at[GROW_VMS], -1);
	cr_assert(strstr(x->note[GROW_VMS], "cannot grow at step 760") &&
			  strstr(x->note[GROW_VMS], "no room for VM 760"),
		  "%s", x->note[GROW_VMS]);
	study_capacity_fini(&r);
	scenario_destroy(sc);
	diag_destroy(d);
}


static bool session_event(const struct run *r, const char *peer, const char *what)
{
	for (size_t i = 0; i < run_session_event_count(r); i++) {
		const struct session_event *e = run_session_event_get(r, i);
		if (strcmp(e->peer, peer) == 0 && strstr(e->what, what))
			return true;
	}
	return false;
}

Test(capacity, the_engine_enforces_limits_at_the_bite_step)
{
	struct diag *d = diag_create();
	struct shape s = near_limits();
	struct scenario *sc = load(&s, d);
	/* nvaRoutes: the session drops at step 3, not at 2. */
	for (uint64_t k = 2; k <= 3; k++) {
		struct scenario *g = grown(sc, GROW_NVA_ROUTES, k, d);
		struct run *r = replayed(g, d);
		const struct peer *p = speakers_peer(run_speakers(r), "ars/nva1");
		cr_assert_eq(p->flaps > 0, k == 3, "step %llu: %u flaps", (unsigned long long)k,
			     p->flaps);
		cr_assert_eq(session_event(r, "ars/nva1", "dropped"), k == 3);
		run_destroy(r);
		scenario_destroy(g);
	}
	/* spokes: a Route Server scale-out starts at step 3 (4,006 VMs) and
	 * leaves 6 NICs without Route Server routes until it completes. */
	for (uint64_t k = 2; k <= 3; k++) {
		struct scenario *g = grown(sc, GROW_VMS, k == 2 ? 12 : 13, d);
		struct run *r = replayed(g, d);
		cr_assert_eq(session_event(r, "ars", "exceed capacity"), k == 3);
		const struct checkpoint *c = run_checkpoint(r, "base");
		cr_assert_eq(c->nunprogrammed, k == 3 ? 1 : 0);
		/* vnetsim check: "exceed" only above the capacity. */
		struct diag *w = diag_create();
		pitfalls_check(g, w);
		cr_assert_eq(diag_find(w, DIAG_WARNING, "$.topology.routeServers[0]", "exceed") != NULL,
			     k == 3);
		diag_destroy(w);
		run_destroy(r);
		scenario_destroy(g);
	}
	/* Route table: the loader refuses the grown network at step 4. */
	struct scenario_doc *doc = NULL;
	char why[256];
	cr_assert_eq(grow_doc(sc, GROW_SPOKES, 3, &doc, why, sizeof(why)), 0);
	bool env = false;
	struct scenario *g = grow_load(sc, doc, "g2.json", d, &env);
	cr_assert_not_null(g);
	scenario_destroy(g);
	cr_assert_eq(grow_doc(sc, GROW_SPOKES, 4, &doc, why, sizeof(why)), 0);
	struct diag *e = diag_create();
	g = grow_load(sc, doc, "g4.json", e, &env);
	cr_assert_null(g);
	cr_assert_not_null(diag_find(e, DIAG_ERROR, "$.topology.routeTables[0].routes", "400"));
	diag_destroy(e);
	scenario_destroy(sc);
	diag_destroy(d);
}
