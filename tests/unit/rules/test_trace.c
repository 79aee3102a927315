/*
 * test_trace.c - hop-by-hop traces (trace.h, RULES 1.11): ECMP trees,
 * appliances down or without IP forwarding, hand-off to the NVA that
 * advertised the route, loops, None routes, addresses nobody holds.
 */
#include "helpers.h"
#include "speaker.h"
#include "trace.h"

/* A hub with a Route Server and two NVAs (10.0.1.4, .5; both advertise
 * 10.100.0.0/16), a NIC without IP forwarding (.6), and two spokes whose
 * UDRs send each other's traffic through nva1.  nva1 crashes silently at 1m. */
static const char SCENARIO[] =
	"{'schemaVersion':1,'name':'trace-unit','topology':{'virtualNetworks':[{'name':'hub','loc"
	"ation':'westeurope','addressSpace':{'addressPrefixes':['10.0.0.0/16']},'subnets':[{'name"
	"':'RouteServerSubnet','addressPrefix':'10.0.254.0/26'},{'name':'nva','addressPrefix':'10"
	".0.1.0/24','routeTable':{'id':'rt-nva'}}],'virtualNetworkPeerings':[{'name':'h1','remote"
	"VirtualNetwork':{'id':'spoke1'},'allowVirtualNetworkAccess':true,'allowForwardedTraffic'"
	":true,'allowGatewayTransit':true,'useRemoteGateways':false},{'name':'h2','remoteVirtualN"
	"etwork':{'id':'spoke2'},'allowVirtualNetworkAccess':true,'allowForwardedTraffic':true,'a"
	"llowGatewayTransit':false,'useRemoteGateways':false}]},{'name':'spoke1','location':'west"
	"europe','addressSpace':{'addressPrefixes':['10.1.0.0/16']},'subnets':[{'name':'web','add"
	"ressPrefix':'10.1.0.0/24','routeTable':{'id':'rt-web'}}],'virtualNetworkPeerings':[{'nam"
	"e':'s1','remoteVirtualNetwork':{'id':'hub'},'allowVirtualNetworkAccess':true,'allowForwa"
	"rdedTraffic':true,'allowGatewayTransit':false,'useRemoteGateways':true}]},{'name':'spoke"
	"2','location':'westeurope','addressSpace':{'addressPrefixes':['10.2.0.0/16']},'subnets':"
	"[{'name':'db','addressPrefix':'10.2.0.0/24','routeTable':{'id':'rt-db'}}],'virtualNetwor"
	"kPeerings':[{'name':'s2','remoteVirtualNetwork':{'id':'hub'},'allowVirtualNetworkAccess'"
	":true,'allowForwardedTraffic':true,'allowGatewayTransit':false,'useRemoteGateways':false"
	"}]}],'routeTables':[{'name':'rt-nva','routes':[{'name':'loop','addressPrefix':'10.9.0.0/"
	"16','nextHopType':'VirtualAppliance','nextHopIpAddress':'10.0.1.5'}]},{'name':'rt-web','"
	"routes':[{'name':'to-db','addressPrefix':'10.2.0.0/16','nextHopType':'VirtualAppliance',"
	"'nextHopIpAddress':'10.0.1.4'},{'name':'to-loop','addressPrefix':'10.9.0.0/16','nextHopT"
	"ype':'VirtualAppliance','nextHopIpAddress':'10.0.1.4'},{'name':'to-nofwd','addressPrefix"
	"':'10.8.0.0/16','nextHopType':'VirtualAppliance','nextHopIpAddress':'10.0.1.6'},{'name':"
	"'to-nobody','addressPrefix':'10.6.0.0/16','nextHopType':'VirtualAppliance','nextHopIpAdd"
	"ress':'10.0.1.99'},{'name':'blackhole','addressPrefix':'10.7.0.0/16','nextHopType':'None"
	"'}]},{'name':'rt-db','routes':[{'name':'to-web','addressPrefix':'10.1.0.0/16','nextHopTy"
	"pe':'VirtualAppliance','nextHopIpAddress':'10.0.1.4'}]}],'networkInterfaces':[{'name':'n"
	"va1','enableIPForwarding':true,'ipConfigurations':[{'subnet':{'id':'hub/nva'},'privateIP"
	"Address':'10.0.1.4'}]},{'name':'nva2','enableIPForwarding':true,'ipConfigurations':[{'su"
	"bnet':{'id':'hub/nva'},'privateIPAddress':'10.0.1.5'}]},{'name':'plain','ipConfiguration"
	"s':[{'subnet':{'id':'hub/nva'},'privateIPAddress':'10.0.1.6'}]},{'name':'web1','ipConfig"
	"urations':[{'subnet':{'id':'spoke1/web'},'privateIPAddress':'10.1.0.4'}]},{'name':'db1',"
	"'ipConfigurations':[{'subnet':{'id':'spoke2/db'},'privateIPAddress':'10.2.0.4'}]}],'rout"
	"eServers':[{'name':'ars','subnet':{'id':'hub/RouteServerSubnet'},'bgpConnections':[{'nam"
	"e':'n1','peerIp':'10.0.1.4','peerAsn':65001},{'name':'n2','peerIp':'10.0.1.5','peerAsn':"
	"65001}]}]},'events':[{'at':0,'op':'advertise','from':'ars/n1','prefixes':['10.100.0.0/16"
	"'],'asPath':[65001]},{'at':0,'op':'advertise','from':'ars/n2','prefixes':['10.100.0.0/16"
	"'],'asPath':[65001]},{'at':'10s','op':'checkpoint','label':'both'},{'at':'1m','op':'peer"
	"Down','peer':'ars/n1','mode':'silent'},{'at':'1m','op':'checkpoint','label':'crashed'}]}";

struct fx {
	struct run_fx f;
	struct trace_env *env;
	const struct checkpoint *cp;
	struct trace t;
};

static void fx_open(struct fx *x, const char *label)
{
	memset(x, 0, sizeof(*x));
	char *txt = json_dq(SCENARIO);
	run_fx_load(&x->f, txt);
	free(txt);
	run_stop_after(x->f.r, label);
	cr_assert_eq(run_execute(x->f.r), 0);
	x->cp = run_checkpoint(x->f.r, label);
	cr_assert_not_null(x->cp);
	struct trace_env_input in = { x->cp->topo, x->cp->tables, x->cp->nic_unprogrammed,
				      run_speakers(x->f.r) };
	x->env = trace_env_create(&in);
	cr_assert_not_null(x->env);
}

static void fx_close(struct fx *x)
{
	trace_fini(&x->t);
	trace_env_destroy(x->env);
	run_fx_fini(&x->f);
}

static const struct trace *run_from(struct fx *x, const char *nic, const char *dst)
{
	const struct nic *n = topology_nic(x->cp->topo, nic);
	cr_assert_not_null(n);
	cr_assert_eq(trace_run(x->env, n, NULL, A(dst), &x->t), 0);
	return &x->t;
}

/* The only leaf of a one-path trace. */
static const struct trace_hop *only_leaf(const struct trace *t)
{
	struct trace_counts c = trace_count(t);
	cr_assert_eq(c.paths, 1, "%zu paths", c.paths);
	return &t->hops[t->n - 1];
}

Test(trace, spoke_to_spoke_through_an_appliance)
{
	struct fx x;
	fx_open(&x, "both");
	const struct trace *t = run_from(&x, "web1", "10.2.0.4");
	const struct trace_hop *l = only_leaf(t);
	cr_expect_eq(l->end, TRACE_DELIVERED);
	cr_expect_eq(l->why, TW_NIC);
	cr_expect_str_eq(l->to_nic->name, "db1");
	cr_expect_eq(l->depth, 1, "two hops: web1 -> nva1 -> db1");
	cr_expect_str_eq(l->from_nic->name, "nva1");
	const struct nic *via[4];
	cr_expect_eq(trace_path_appliances(t, t->n - 1, via, 4), 1);
	cr_expect_str_eq(via[0]->name, "nva1");
	cr_expect_eq(trace_verdict(trace_count(t)), TV_DELIVERED);
	fx_close(&x);
}

Test(trace, a_loop_names_the_repeated_hop)
{
	struct fx x;
	fx_open(&x, "both");
	const struct trace_hop *l = only_leaf(run_from(&x, "web1", "10.9.0.1"));
	cr_expect_eq(l->end, TRACE_LOOPED);
	cr_expect_str_eq(l->to_nic->name, "nva2");
	cr_expect_eq(trace_verdict(trace_count(&x.t)), TV_LOOPED);
	fx_close(&x);
}

Test(trace, no_ip_forwarding_drops)
{
	struct fx x;
	fx_open(&x, "both");
	const struct trace_hop *l = only_leaf(run_from(&x, "web1", "10.8.0.1"));
	cr_expect_eq(l->end, TRACE_DROPPED);
	cr_expect_eq(l->why, TW_NO_FORWARDING);
	cr_expect_str_eq(l->to_nic->name, "plain");
	/* Addressed to the NIC itself, the packet is delivered: forwarding is
	 * only needed for traffic that is not its own. */
	l = only_leaf(run_from(&x, "web1", "10.0.1.6"));
	cr_expect_eq(l->end, TRACE_DELIVERED);
	fx_close(&x);
}

Test(trace, none_and_nobody)
{
	struct fx x;
	fx_open(&x, "both");
	cr_expect_eq(only_leaf(run_from(&x, "web1", "10.7.0.1"))->why, TW_NONE_ROUTE);
	cr_expect_eq(only_leaf(run_from(&x, "web1", "10.6.0.1"))->why, TW_NO_HOLDER);
	const struct trace_hop *l = only_leaf(run_from(&x, "web1", "10.1.0.77"));
	cr_expect_eq(l->end, TRACE_DELIVERED);
	cr_expect_eq(l->why, TW_NO_NIC);
	fx_close(&x);
}

Test(trace, ecmp_both_handed_over_then_one_dropped_after_the_crash)
{
	struct fx x;
	fx_open(&x, "both");
	const struct trace *t = run_from(&x, "web1", "10.100.0.1");
	struct trace_counts c = trace_count(t);
	cr_expect_eq(c.paths, 2);
	cr_expect_eq(c.left, 2);
	cr_expect_str_eq(t->hops[0].to_name, "ars/n1");
	cr_expect_str_eq(t->hops[1].to_name, "ars/n2");
	cr_expect_eq(t->hops[0].nmembers, 2);
	fx_close(&x);

	fx_open(&x, "crashed");
	t = run_from(&x, "web1", "10.100.0.1");
	c = trace_count(t);
	cr_expect_eq(c.paths, 2, "the crashed NVA's route stays programmed until the hold timer");
	cr_expect_eq(t->hops[0].end, TRACE_DROPPED);
	cr_expect_eq(t->hops[0].why, TW_DOWN);
	cr_expect_str_eq(t->hops[0].to_name, "ars/n1");
	cr_expect_eq(t->hops[1].why, TW_HANDED);
	cr_expect_eq(trace_verdict(c), TV_PARTLY_DROPPED);
	/* Transit through the crashed NVA is dropped too. */
	cr_expect_eq(only_leaf(run_from(&x, "web1", "10.2.0.4"))->why, TW_DOWN);
	fx_close(&x);
}

Test(trace, from_a_subnet_and_the_holder_index)
{
	struct fx x;
	fx_open(&x, "both");
	const struct subnet *s = topology_subnet(x.cp->topo, "spoke2/db");
	cr_assert_not_null(s);
	cr_assert_eq(trace_run(x.env, NULL, s, A("10.1.0.4"), &x.t), 0);
	const struct trace_hop *l = only_leaf(&x.t);
	cr_expect_null(x.t.hops[0].from_nic);
	cr_expect_str_eq(l->to_nic->name, "web1");
	const struct vnet *hub = topology_vnet(x.cp->topo, "hub");
	cr_expect_str_eq(trace_env_nic_at(x.env, hub, A("10.0.1.5"))->name, "nva2");
	cr_expect_null(trace_env_nic_at(x.env, hub, A("10.0.1.7")));
	fx_close(&x);
}

/* ---- reach ------------------------------------------------------------------ */

#include "reach.h"

static size_t dest_index(const struct reach *r, const char *subnet)
{
	for (size_t d = 0; d < r->ndests; d++)
		if (r->dests[d].kind == RK_SUBNET && strcmp(r->dests[d].subnet->id, subnet) == 0)
			return d;
	cr_assert_fail("no destination %s", subnet);
	return 0;
}

static uint32_t cell(const struct reach *r, const struct fx *x, const char *from, size_t d)
{
	const struct subnet *s = topology_subnet(x->cp->topo, from);
	cr_assert_not_null(s);
	return r->cells[s->index * r->ndests + d];
}

Test(reach, symmetric_pair_ecmp_and_learned_destinations)
{
	struct fx x;
	fx_open(&x, "both");
	struct reach *r = reach_compute(x.env, run_speakers(x.f.r));
	cr_assert_not_null(r);
	cr_expect_eq(r->nsources, x.cp->topo->nsubnets);
	/* Every subnet, the NVAs' 10.100.0.0/16 (an appliance prefix), the Internet. */
	cr_expect_eq(r->ndests, x.cp->topo->nsubnets + 2);
	cr_expect_eq(r->dests[r->ndests - 1].kind, RK_INTERNET);
	cr_expect_eq(r->dests[r->ndests - 2].kind, RK_APPLIANCE);

	/* web -> db and db -> web both through nva1: symmetric. */
	uint32_t c = cell(r, &x, "spoke1/web", dest_index(r, "spoke2/db"));
	const struct reach_result *res = reach_cell_result(r, c);
	cr_expect_eq(res->verdict, TV_DELIVERED);
	cr_expect_eq(res->nappl, 1);
	cr_expect_str_eq(res->appl[0]->name, "nva1");
	cr_expect_eq(reach_cell_sym(c), RS_SYMMETRIC);

	/* web -> 10.100.0.0/16: hashed over both NVAs, each hands it over. */
	c = cell(r, &x, "spoke1/web", r->ndests - 2);
	res = reach_cell_result(r, c);
	cr_expect_eq(res->npaths, 2);
	cr_expect_eq(res->nexit, 2);
	cr_expect(res->spread);
	cr_expect_eq(reach_cell_sym(c), RS_ECMP);
	reach_destroy(r);
	fx_close(&x);
}

Test(reach, a_pair_through_a_crashed_appliance_is_dropped)
{
	struct fx x;
	fx_open(&x, "crashed");
	struct reach *r = reach_compute(x.env, run_speakers(x.f.r));
	cr_assert_not_null(r);
	/* web -> db crosses nva1, down in the hold-timer window: dropped, and
	 * no symmetry is claimed for a flow that is not delivered.  (The
	 * asymmetric pair is tests/trace/nva-pitfalls.json, golden
	 * reach-nva-asymmetric-pair.) */
	uint32_t c = cell(r, &x, "spoke1/web", dest_index(r, "spoke2/db"));
	cr_expect_eq(reach_cell_result(r, c)->verdict, TV_DROPPED);
	cr_expect_eq(reach_cell_result(r, c)->why, TW_DOWN);
	cr_expect_eq(reach_cell_sym(c), RS_NA);
	reach_destroy(r);
	fx_close(&x);
}
