/*
 * test_run_incremental.c - incremental recomputation (models/replay/run.c, issue 5).
 *
 * Oracle: a generated network (two Route Server hubs, six spokes, an
 * isolated VNet, four route tables) replays a seeded sequence of random
 * edits (UDRs, route table association and BGP propagation, peerings,
 * address spaces, subnets, NIC counts) interleaved with advertisements and
 * withdrawals, with a checkpoint after each.  The run that recomputes only
 * what an edit reaches must give, at every checkpoint and for every subnet,
 * the table of the run that recomputes everything
 * (run_set_full_recompute), and the same timeline.
 *
 * Work: with run_subnets_recomputed, an event touching one spoke recomputes
 * only the subnets it reaches (not timed: counted).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <unistd.h>

#include "run.h"
#include "scenario.h"
#include "helpers.h"
#include "strbuf.h"

/* ---- the network -------------------------------------------------------------- */

#define NSPOKES 6
#define NRTS 4

/* splitmix64: the sequence depends only on the seed. */
static uint64_t next_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick(uint64_t *x, unsigned n) { return (unsigned)(next_rand(x) % n); }

static void hub_json(struct sb *b, const char *name, unsigned second_octet)
{
	sb_printf(b,
		  "{\"name\":\"%s\",\"location\":\"westeurope\","
		  "\"addressSpace\":{\"addressPrefixes\":[\"10.%u.0.0/16\"]},\"subnets\":["
		  "{\"name\":\"RouteServerSubnet\",\"addressPrefix\":\"10.%u.254.0/26\"},"
		  "{\"name\":\"nva\",\"addressPrefix\":\"10.%u.1.0/24\"},"
		  "{\"name\":\"app\",\"addressPrefix\":\"10.%u.16.0/20\",\"routeTable\":{\"id\":\"rt-0\"}}],"
		  "\"virtualNetworkPeerings\":[",
		  name, second_octet, second_octet, second_octet, second_octet);
	for (unsigned k = 0; k < NSPOKES; k++)
		sb_printf(b,
			  "%s{\"name\":\"%s-s%u\",\"remoteVirtualNetwork\":{\"id\":\"s%u\"},"
			  "\"allowGatewayTransit\":true}",
			  k ? "," : "", name, k, k);
	sb_printf(b, "]}");
}

/* The random edits include a hub's peerings to spokes (removed, added back). */
static bool hub_peering_edits;

/* The scenario: network, advertisements at 0, then nevents random events
 * 10 s apart, every cp_every-th followed by a checkpoint 1 s later (edits
 * with no checkpoint since the previous one may change the topology in
 * place). */
static char *scenario_json(uint64_t seed, unsigned nevents, unsigned delay_s, unsigned cp_every)
{
	struct sb b = { 0 };
	sb_printf(&b, "{\"schemaVersion\":1,\"name\":\"oracle\",\"settings\":{"
		      "\"routeProgrammingDelaySeconds\":%u},\"topology\":{\"virtualNetworks\":[",
		  delay_s);
	hub_json(&b, "hubA", 0);
	sb_printf(&b, ",");
	hub_json(&b, "hubB", 50);
	for (unsigned k = 0; k < NSPOKES; k++)
		sb_printf(&b,
			  ",{\"name\":\"s%u\",\"location\":\"%s\","
			  "\"addressSpace\":{\"addressPrefixes\":[\"10.%u.0.0/16\"]},\"subnets\":["
			  "{\"name\":\"a\",\"addressPrefix\":\"10.%u.0.0/24\",\"routeTable\":{\"id\":\"rt-%u\"}},"
			  "{\"name\":\"b\",\"addressPrefix\":\"10.%u.1.0/24\"}],"
			  "\"virtualNetworkPeerings\":[{\"name\":\"s%u-hub\","
			  "\"remoteVirtualNetwork\":{\"id\":\"%s\"},\"useRemoteGateways\":true}]}",
			  k, k == 5 ? "northeurope" : "westeurope", k + 1, k + 1, k % NRTS, k + 1, k,
			  k < 3 ? "hubA" : "hubB");
	sb_printf(&b, ",{\"name\":\"iso\",\"location\":\"westeurope\","
		      "\"addressSpace\":{\"addressPrefixes\":[\"10.99.0.0/16\"]},"
		      "\"subnets\":[{\"name\":\"app\",\"addressPrefix\":\"10.99.0.0/24\"}]}],"
		      "\"routeTables\":[");
	for (unsigned k = 0; k < NRTS; k++)
		sb_printf(&b,
			  "%s{\"name\":\"rt-%u\",\"disableBgpRoutePropagation\":%s,\"routes\":["
			  "{\"name\":\"r0\",\"addressPrefix\":\"10.200.0.0/16\","
			  "\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"10.0.1.4\"},"
			  "{\"name\":\"r1\",\"addressPrefix\":\"0.0.0.0/0\","
			  "\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"10.50.1.4\"}]}",
			  k ? "," : "", k, k == 3 ? "true" : "false");
	sb_printf(&b, "],\"routeServers\":["
		      "{\"name\":\"arsA\",\"subnet\":{\"id\":\"hubA/RouteServerSubnet\"},"
		      "\"bgpConnections\":[{\"name\":\"nva1\",\"peerIp\":\"10.0.1.4\",\"peerAsn\":65001}]},"
		      "{\"name\":\"arsB\",\"subnet\":{\"id\":\"hubB/RouteServerSubnet\"},"
		      "\"bgpConnections\":[{\"name\":\"nvb1\",\"peerIp\":\"10.50.1.4\",\"peerAsn\":65002}]}],"
		      "\"networkInterfaces\":["
		      "{\"name\":\"nva1-nic\",\"enableIPForwarding\":true,\"ipConfigurations\":[{"
		      "\"subnet\":{\"id\":\"hubA/nva\"},\"privateIPAddress\":\"10.0.1.4\"}]},"
		      "{\"name\":\"nvb1-nic\",\"enableIPForwarding\":true,\"ipConfigurations\":[{"
		      "\"subnet\":{\"id\":\"hubB/nva\"},\"privateIPAddress\":\"10.50.1.4\"}]}");
	for (unsigned k = 0; k < NSPOKES; k++)
		sb_printf(&b,
			  ",{\"name\":\"vm-s%u-*\",\"count\":3,\"ipConfigurations\":[{"
			  "\"subnet\":{\"id\":\"s%u/a\"}}]}",
			  k, k);
	/* Advertised prefixes inside spoke spaces (10.K.5.0/24) and inside the
	 * extra spaces edits add (10.10K.0.0/24) are refused by the filter of
	 * the domain those VNets belong to, accepted by the other. */
	sb_printf(&b, "]},\"events\":["
		      "{\"at\":0,\"op\":\"advertise\",\"from\":\"arsA/nva1\",\"prefixes\":"
		      "[\"172.16.0.0/24\",\"10.4.5.0/24\",\"10.1.5.0/24\",\"10.104.0.0/24\"]},"
		      "{\"at\":0,\"op\":\"advertise\",\"from\":\"arsB/nvb1\",\"prefixes\":"
		      "[\"172.17.0.0/24\",\"10.1.5.0/24\",\"10.4.5.0/24\",\"10.101.0.0/24\"]}");
	uint64_t x = seed;
	bool has_c[NSPOKES] = { 0 }, extra[NSPOKES] = { 0 }, peer[NSPOKES][NSPOKES] = { { 0 } };
	bool hub_gone[2][NSPOKES] = { { 0 } }; /* hubA-sK, hubB-sK removed */
	for (unsigned i = 1; i <= nevents; i++) {
		unsigned at = i * 10, k = pick(&x, NSPOKES), j = pick(&x, NSPOKES), rt = pick(&x, NRTS);
		sb_printf(&b, ",{\"at\":%u,", at);
		switch (pick(&x, hub_peering_edits ? 14 : 12)) {
		case 12:
		case 13: {
			unsigned h = pick(&x, 2);
			const char *hub = h ? "hubB" : "hubA";
			if (hub_gone[h][k])
				sb_printf(&b,
					  "\"op\":\"add\",\"path\":\"virtualNetworks/%s/"
					  "virtualNetworkPeerings/%s-s%u\",\"value\":{"
					  "\"remoteVirtualNetwork\":{\"id\":\"s%u\"},"
					  "\"allowGatewayTransit\":true}}",
					  hub, hub, k, k);
			else
				sb_printf(&b,
					  "\"op\":\"remove\",\"path\":\"virtualNetworks/%s/"
					  "virtualNetworkPeerings/%s-s%u\"}",
					  hub, hub, k);
			hub_gone[h][k] = !hub_gone[h][k];
			break;
		}
		case 0: {
			static const char *const nh[] = { "10.0.1.4", "10.50.1.4", "10.2.0.9", "10.99.0.4" };
			sb_printf(&b,
				  "\"op\":\"set\",\"path\":\"routeTables/rt-%u/routes/r0\",\"value\":{"
				  "\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"%s\"}}",
				  rt, nh[pick(&x, 4)]);
			break;
		}
		case 1:
			sb_printf(&b,
				  "\"op\":\"set\",\"path\":\"routeTables/rt-%u/routes/r0\",\"value\":{"
				  "\"addressPrefix\":\"10.%u.0.0/%u\"}}",
				  rt, 1 + pick(&x, 7), 16 + 8 * pick(&x, 2));
			break;
		case 2:
			sb_printf(&b,
				  "\"op\":\"set\",\"path\":\"routeTables/rt-%u\",\"value\":{"
				  "\"disableBgpRoutePropagation\":%s}}",
				  rt, pick(&x, 2) ? "true" : "false");
			break;
		case 3:
			if (pick(&x, 3))
				sb_printf(&b,
					  "\"op\":\"set\",\"path\":\"virtualNetworks/s%u/subnets/b\","
					  "\"value\":{\"routeTable\":{\"id\":\"rt-%u\"}}}",
					  k, rt);
			else
				sb_printf(&b,
					  "\"op\":\"set\",\"path\":\"virtualNetworks/s%u/subnets/b\","
					  "\"value\":{\"routeTable\":null}}",
					  k);
			break;
		case 4:
			sb_printf(&b,
				  "\"op\":\"set\",\"path\":\"virtualNetworks/s%u/virtualNetworkPeerings/"
				  "s%u-hub\",\"value\":{\"useRemoteGateways\":%s}}",
				  k, k, pick(&x, 2) ? "true" : "false");
			break;
		case 5:
			sb_printf(&b,
				  "\"op\":\"set\",\"path\":\"virtualNetworks/s%u/virtualNetworkPeerings/"
				  "s%u-hub\",\"value\":{\"remoteVirtualNetwork\":{\"id\":\"%s\"}}}",
				  k, k, pick(&x, 2) ? "hubA" : "hubB");
			break;
		case 6:
			if (has_c[k])
				sb_printf(&b,
					  "\"op\":\"remove\",\"path\":\"virtualNetworks/s%u/subnets/c\"}",
					  k);
			else
				sb_printf(&b,
					  "\"op\":\"add\",\"path\":\"virtualNetworks/s%u/subnets/c\","
					  "\"value\":{\"addressPrefix\":\"10.%u.2.0/24\"}}",
					  k, k + 1);
			has_c[k] = !has_c[k];
			break;
		case 7:
			sb_printf(&b,
				  "\"op\":\"set\",\"path\":\"networkInterfaces/vm-s%u-*\","
				  "\"value\":{\"count\":%u}}",
				  k, 2 + pick(&x, 5));
			break;
		case 8:
			extra[k] = !extra[k];
			if (extra[k])
				sb_printf(&b,
					  "\"op\":\"set\",\"path\":\"virtualNetworks/s%u\",\"value\":{"
					  "\"addressSpace\":{\"addressPrefixes\":[\"10.%u.0.0/16\","
					  "\"10.%u.0.0/16\"]}}}",
					  k, k + 1, 100 + k + 1);
			else
				sb_printf(&b,
					  "\"op\":\"set\",\"path\":\"virtualNetworks/s%u\",\"value\":{"
					  "\"addressSpace\":{\"addressPrefixes\":[\"10.%u.0.0/16\"]}}}",
					  k, k + 1);
			break;
		case 9:
			if (j == k)
				j = (k + 1) % NSPOKES;
			if (peer[k][j])
				sb_printf(&b,
					  "\"op\":\"remove\",\"path\":\"virtualNetworks/s%u/"
					  "virtualNetworkPeerings/to-s%u\"}",
					  k, j);
			else
				sb_printf(&b,
					  "\"op\":\"add\",\"path\":\"virtualNetworks/s%u/"
					  "virtualNetworkPeerings/to-s%u\",\"value\":{"
					  "\"remoteVirtualNetwork\":{\"id\":\"s%u\"}}}",
					  k, j, j);
			peer[k][j] = !peer[k][j];
			break;
		case 10:
			sb_printf(&b,
				  "\"op\":\"%s\",\"from\":\"%s\",\"prefixes\":[\"172.18.%u.0/24\"]}",
				  pick(&x, 2) ? "advertise" : "withdraw",
				  pick(&x, 2) ? "arsA/nva1" : "arsB/nvb1", pick(&x, 4));
			break;
		default:
			sb_printf(&b,
				  "\"op\":\"set\",\"path\":\"routeTables/rt-%u/routes/r1\",\"value\":%s}",
				  rt, pick(&x, 2) ? "{\"nextHopType\":\"None\",\"nextHopIpAddress\":null}"
						  : "{\"nextHopType\":\"VirtualAppliance\","
						    "\"nextHopIpAddress\":\"10.0.1.4\"}");
			break;
		}
		if (i % cp_every == 0)
			sb_printf(&b, ",{\"at\":%u,\"op\":\"checkpoint\",\"label\":\"c%u\"}", at + 1,
				  i);
	}
	sb_printf(&b, "]}");
	cr_assert(!b.oom);
	return b.s;
}

/* ---- running it --------------------------------------------------------------- */

/* Incremental replays also change topologies held by checkpoints in place
 * (run_allow_shared_in_place, as sweep variants do). */
static bool shared_in_place;

static void replay_text(struct run_fx *f, const char *json, bool full)
{
	run_fx_load(f, json);
	run_set_full_recompute(f->r, full);
	if (!full && shared_in_place)
		run_allow_shared_in_place(f->r);
	int rc = run_execute(f->r);
	if (rc != 0)
		diag_dump(f->d);
	cr_assert_eq(rc, 0, "test bug: an edit was rejected");
}

static void oracle(uint64_t seed, unsigned delay_s, unsigned cp_every)
{
	char *json = scenario_json(seed, 150, delay_s, cp_every);
	struct run_fx inc, full;
	replay_text(&inc, json, false);
	replay_text(&full, json, true);
	free(json);
	cr_assert_eq(run_checkpoint_count(inc.r), run_checkpoint_count(full.r));
	for (size_t i = 0; i < run_checkpoint_count(inc.r); i++) {
		const struct checkpoint *a = run_checkpoint_get(inc.r, i),
					*b = run_checkpoint_get(full.r, i);
		cr_assert_eq(a->topo->nsubnets, b->topo->nsubnets);
		for (size_t k = 0; k < a->topo->nsubnets; k++)
			cr_assert(eff_equal(a->tables[k], b->tables[k]),
				  "seed %llu, checkpoint %s: %s differs from a full recompute",
				  (unsigned long long)seed, a->label, a->topo->subnets[k]->id);
	}
	cr_assert_eq(run_timeline_count(inc.r), run_timeline_count(full.r));
	for (size_t i = 0; i < run_timeline_count(inc.r); i++) {
		const struct timeline_entry *a = run_timeline_get(inc.r, i),
					    *b = run_timeline_get(full.r, i);
		cr_assert_eq(a->at_ms, b->at_ms);
		cr_assert_str_eq(a->subnet, b->subnet);
		cr_assert(eff_equal(a->after, b->after) && eff_equal(a->before, b->before));
	}
	/* The oracle is not the run itself: the incremental one did less. */
	cr_assert_lt(run_subnets_recomputed(inc.r), run_subnets_recomputed(full.r) / 2);
	run_fx_fini(&inc);
	run_fx_fini(&full);
}

Test(run_incremental, random_edits_equal_a_full_recompute)
{
	for (uint64_t seed = 1; seed <= 6; seed++)
		oracle(seed, 0, 1);
}

Test(run_incremental, random_edits_equal_a_full_recompute_with_few_checkpoints)
{
	for (uint64_t seed = 21; seed <= 26; seed++)
		oracle(seed, 0, 9);
}

Test(run_incremental, random_edits_equal_a_full_recompute_with_programming_delay)
{
	for (uint64_t seed = 11; seed <= 13; seed++)
		oracle(seed, 3, 1 + (unsigned)(seed % 3) * 4);
}

/* ---- the work an event causes ----------------------------------------------- */

/* The subnets recomputed by the event at `at` (between the checkpoints
 * before and after it, which compute nothing). */
static size_t recomputed_by(const char *event)
{
	struct sb b = { 0 };
	char *base = scenario_json(0, 0, 0, 1);
	base[strlen(base) - 2] = '\0'; /* drop "]}" */
	sb_printf(&b, "%s,{\"at\":10,\"op\":\"checkpoint\",\"label\":\"before\"},%s]}", base, event);
	free(base);
	struct run_fx f;
	replay_text(&f, b.s, false);
	free(b.s);
	/* Every subnet once at the start, the two advertisements at t=0 in
	 * both domains; what remains is the event's. */
	struct run_fx start;
	char *only = scenario_json(0, 0, 0, 1);
	replay_text(&start, only, false);
	free(only);
	size_t n = run_subnets_recomputed(f.r) - run_subnets_recomputed(start.r);
	run_fx_fini(&f);
	run_fx_fini(&start);
	return n;
}

Test(run_incremental, one_spoke_event_recomputes_only_what_it_reaches)
{
	/* hubB's domain: hubB (3 subnets) and s3..s5 (2 each).  s3/a uses
	 * rt-3, which disables BGP propagation: it does not take BGP routes. */
	cr_expect_eq(recomputed_by("{\"at\":20,\"op\":\"advertise\",\"from\":\"arsB/nvb1\","
				   "\"prefixes\":[\"172.30.0.0/24\"]}"),
		     3 + 2 + 2 + 1);
	/* rt-1 is used by s1/a and s5/a: two subnets, none of the other 19. */
	cr_expect_eq(recomputed_by("{\"at\":20,\"op\":\"set\",\"path\":\"routeTables/rt-1/routes/r0\","
				   "\"value\":{\"nextHopIpAddress\":\"10.0.1.9\"}}"),
		     2);
	/* A spoke's peering: that spoke's 2 subnets and its hub's 3 (the hub
	 * peers with it). */
	cr_expect_eq(recomputed_by("{\"at\":20,\"op\":\"set\",\"path\":\"virtualNetworks/s4/"
				   "virtualNetworkPeerings/s4-hub\",\"value\":{\"useRemoteGateways\":false}}"),
		     2 + 3);
	/* A NIC count: no table depends on it. */
	cr_expect_eq(recomputed_by("{\"at\":20,\"op\":\"set\",\"path\":\"networkInterfaces/vm-s2-*\","
				   "\"value\":{\"count\":5}}"),
		     0);
}

/* Peering edits in place on a topology checkpoints hold: every table (the
 * checkpoints keep their own) and the timeline still equal a full
 * recompute. */
Test(run_incremental, random_edits_with_shared_in_place_equal_a_full_recompute)
{
	shared_in_place = true;
	for (uint64_t seed = 31; seed <= 36; seed++)
		oracle(seed, 0, 1);
	shared_in_place = false;
}

/* A hub's own peering edits (a spoke leaves or joins its domain) are made
 * in place too: with checkpoints holding the topology (as sweep variants
 * run) and with few checkpoints. */
Test(run_incremental, random_hub_peering_edits_equal_a_full_recompute)
{
	hub_peering_edits = true;
	shared_in_place = true;
	for (uint64_t seed = 41; seed <= 45; seed++)
		oracle(seed, 0, 1);
	shared_in_place = false;
	for (uint64_t seed = 51; seed <= 55; seed++)
		oracle(seed, 0, 1 + (unsigned)(seed % 4) * 3);
	oracle(56, 3, 5);
	hub_peering_edits = false;
}

/* ---- route table edits in place --------------------------------------------- */

struct topo_seen {
	const struct run *r;
	const struct topology *after[8];
	size_t recomputed[8];          /* run_subnets_recomputed after each event */
	size_t n;
};

static void remember_topology(void *ctx, const struct event *e, int64_t now_ms)
{
	(void)e;
	(void)now_ms;
	struct topo_seen *ts = ctx;
	if (ts->n < NELEM(ts->after)) {
		ts->recomputed[ts->n] = run_subnets_recomputed(ts->r);
		ts->after[ts->n++] = run_topology(ts->r);
	}
}

/* Replays the base network plus events, recording the topology after each
 * event; expects run_execute's status rc. */
static void replay_events(struct run_fx *f, struct topo_seen *ts, const char *events, int rc)
{
	struct sb b = { 0 };
	char *base = scenario_json(0, 0, 0, 1);
	base[strlen(base) - 2] = '\0';
	sb_printf(&b, "%s,%s]}", base, events);
	free(base);
	cr_assert(!b.oom);
	run_fx_load(f, b.s);
	free(b.s);
	*ts = (struct topo_seen){ .r = f->r };
	run_set_event_hook(f->r, remember_topology, ts);
	cr_expect_eq(run_execute(f->r), rc);
}

Test(run_incremental, peering_edit_without_checkpoint_is_made_in_place)
{
	/* s1 leaves hubA's domain, then uses hubB's gateways (in place: the
	 * routes of hubB's Route Server reach it); the third edit is invalid
	 * (useRemoteGateways towards a VNet without gateways). */
	struct run_fx f;
	struct topo_seen ts;
	replay_events(&f, &ts,
		      "{\"at\":20,\"op\":\"set\",\"path\":\"virtualNetworks/s1/virtualNetworkPeerings/"
		      "s1-hub\",\"value\":{\"useRemoteGateways\":false}},"
		      "{\"at\":30,\"op\":\"set\",\"path\":\"virtualNetworks/s1/virtualNetworkPeerings/"
		      "s1-hub\",\"value\":{\"useRemoteGateways\":true,"
		      "\"remoteVirtualNetwork\":{\"id\":\"hubB\"}}},"
		      "{\"at\":35,\"op\":\"checkpoint\",\"label\":\"edited\"}",
		      0);
	/* The loader refuses such an edit in a file (RULES 2.2); injected,
	 * as a study does, the run refuses it on its own. */
	cJSON *to_iso = cJSON_Parse("{\"remoteVirtualNetwork\":{\"id\":\"iso\"},"
				    "\"useRemoteGateways\":true}");
	struct event add = { .index = 5, .at_ms = 40000, .op = EV_ADD,
			     .path = "virtualNetworks/s1/virtualNetworkPeerings/to-iso", .value = to_iso };
	cr_assert_eq(run_inject(f.r, &add), 0);
	cr_expect_eq(run_resume(f.r, 40000), 2);
	cr_assert_geq(ts.n, 4);
	cr_expect_eq(ts.after[3], ts.after[2], "second edit: the same topology, changed in place");
	/* s1's 2 subnets, and hubA's 3 and hubB's 3: s1's connection to hubA
	 * went, the one to hubB came.  No route lies inside s1's space, so
	 * neither domain's set changed: none of their other subnets. */
	cr_expect_eq(ts.recomputed[3] - ts.recomputed[2], 2 + 3 + 3);
	const struct eff_table *t = checkpoint_subnet_table(run_checkpoint(f.r, "edited"), "s1/b");
	cr_assert_not_null(t);
	struct next_hop nh = eff_next_hop_rules(t, 0xac110001u, false); /* 172.17.0.1, from nvb1 */
	cr_expect(nh.found && nh.nh == NH_VNET_GATEWAY && nh.nh_ip == 0x0a320104u);
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, NULL, "would make the topology invalid"));
	run_fx_fini(&f);
	cJSON_Delete(to_iso);
}

Test(run_incremental, hub_peering_edit_without_checkpoint_is_made_in_place)
{
	/* hubB drops its peering to s4: s4 leaves hubB's domain (the oracle
	 * above covers the cases where hubB's set changes with it). */
	struct run_fx f;
	struct topo_seen ts;
	/* The first edit makes the run's own copy of the scenario's topology. */
	replay_events(&f, &ts,
		      "{\"at\":10,\"op\":\"set\",\"path\":\"networkInterfaces/vm-s2-*\","
		      "\"value\":{\"count\":5}},"
		      "{\"at\":20,\"op\":\"remove\",\"path\":\"virtualNetworks/hubB/"
		      "virtualNetworkPeerings/hubB-s4\"},"
		      "{\"at\":30,\"op\":\"checkpoint\",\"label\":\"edited\"}",
		      0);
	cr_assert_geq(ts.n, 4);
	cr_expect_eq(ts.after[3], ts.after[2], "the same topology, changed in place");
	/* s4's 2 subnets and hubB's 3, not the 16 others (a full reload
	 * recomputes 19 of the 21). */
	cr_expect_eq(ts.recomputed[3] - ts.recomputed[2], 2 + 3, "%zu subnets recomputed",
		     ts.recomputed[3] - ts.recomputed[2]);
	const struct checkpoint *cp = run_checkpoint(f.r, "edited");
	/* 172.17.0.1: hubB's Route Server route before, the platform None
	 * row of 172.16.0.0/12 now that s4 uses no gateway. */
	struct next_hop nh = eff_next_hop_rules(checkpoint_subnet_table(cp, "s4/b"), 0xac110001u,
						false);
	cr_expect(nh.found && nh.nh == NH_NONE && nh.matched.len == 12);
	/* hubB no longer shows s4's space, 10.5.0.0/16. */
	nh = eff_next_hop_rules(checkpoint_subnet_table(cp, "hubB/nva"), 0x0a050001u, false);
	cr_expect(nh.found && nh.nh != NH_VNET_PEERING);
	run_fx_fini(&f);
}

Test(run_incremental, route_table_edit_without_checkpoint_is_made_in_place)
{
	struct sb b = { 0 };
	char *base = scenario_json(0, 0, 0, 1);
	base[strlen(base) - 2] = '\0';
	/* The first edit replaces the topology the start checkpoint holds;
	 * the second, with no checkpoint in between, changes it in place; the
	 * third is invalid: it falls back to a full load, which reports it. */
	sb_printf(&b,
		  "%s,{\"at\":20,\"op\":\"set\",\"path\":\"routeTables/rt-1/routes/r0\","
		  "\"value\":{\"nextHopIpAddress\":\"10.0.1.9\"}},"
		  "{\"at\":30,\"op\":\"set\",\"path\":\"routeTables/rt-1/routes/r0\","
		  "\"value\":{\"nextHopType\":\"None\",\"nextHopIpAddress\":null}},"
		  "{\"at\":35,\"op\":\"checkpoint\",\"label\":\"edited\"}]}",
		  base);
	free(base);
	struct run_fx f;
	cr_assert(!b.oom);
	run_fx_load(&f, b.s);
	free(b.s);
	struct topo_seen ts = { .r = f.r };
	run_set_event_hook(f.r, remember_topology, &ts);
	cr_assert_eq(run_execute(f.r), 0);
	/* The loader refuses the invalid edit in a file (RULES 2.2); injected,
	 * as a study does, the run refuses it on its own. */
	cJSON *bogus = cJSON_Parse("{\"nextHopType\":\"Bogus\"}");
	struct event set = { .index = 5, .at_ms = 40000, .op = EV_SET,
			     .path = "routeTables/rt-1/routes/r0", .value = bogus };
	cr_assert_eq(run_inject(f.r, &set), 0);
	cr_expect_eq(run_resume(f.r, 40000), 2, "the invalid edit stops the run");
	cr_assert_geq(ts.n, 4); /* two advertisements, two edits */
	cr_expect_neq(ts.after[2], run_checkpoint(f.r, "start")->topo, "first edit: a new topology");
	cr_expect_eq(ts.after[3], ts.after[2], "second edit: the same topology, changed in place");
	/* The second edit is in force: s1/a (rt-1) routes 10.200.0.0/16 to None. */
	const struct eff_table *t = checkpoint_subnet_table(run_checkpoint(f.r, "edited"), "s1/a");
	cr_assert_not_null(t);
	struct next_hop nh = eff_next_hop_rules(t, 0x0ac80001u, false);
	cr_expect(nh.found && nh.nh == NH_NONE && nh.route_table && strcmp(nh.route_table, "rt-1") == 0);
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, NULL, "would make the topology invalid"));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, NULL, "Bogus"));
	run_fx_fini(&f);
	cJSON_Delete(bogus);
}
