/*
 * test_run.c - replaying scenarios (models/replay/run.c; RULES 2.2, 3, 1.8).
 *
 * Each test writes a scenario to a temporary file, loads it with
 * scenario_load, replays it with run_create + run_execute, then reads the
 * checkpoints, the timeline and the session events.  Base network: hub
 * 10.0.0.0/16 with a Route Server (nva1 at 10.0.1.4), subnets nva and app,
 * a spoke using the hub's Route Server, and an isolated VNet.
 */
#include <criterion/criterion.h>
#include <unistd.h>

#include "run.h"
#include "scenario.h"
#include "speaker.h"
#include "helpers.h"
#include "run_topology.h"

#define RS(max)                                                                                \
	"'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"      \
	"  'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001,"      \
	"                        'maxRoutes': " max " } ] } ]"
#define NIC_NVA                                                                                \
	"{ 'name': 'nva1-nic', 'enableIPForwarding': true, 'ipConfigurations': [ {"            \
	"  'subnet': { 'id': 'hub/nva' }, 'privateIPAddress': '10.0.1.4' } ] }"
#define NICS(more) "'networkInterfaces': [ " NIC_NVA more " ]"
#define TOPOLOGY(max, more_nics) "'topology': { " VNETS ", " RT ", " RS(max) ", " NICS(more_nics) " }"
#define SCENARIO(settings, max, more_nics, events)                                             \
	"{ 'schemaVersion': 1, 'name': 't', 'settings': { " settings " }, "                    \
	TOPOLOGY(max, more_nics) ", 'events': [ " events " ] }"
#define ADV(at, prefixes) \
	"{ 'at': " at ", 'op': 'advertise', 'from': 'ars/nva1', 'prefixes': [ " prefixes " ] }"
#define CP(at, label) "{ 'at': " at ", 'op': 'checkpoint', 'label': '" label "' }"

/* Writes, loads (asserting the scenario is valid), runs. */
static int run_sq(struct run_fx *f, const char *sq)
{
	char *txt = json_dq(sq);
	run_fx_load(f, txt);
	free(txt);
	f->rc = run_execute(f->r);
	return f->rc;
}

static const struct checkpoint *cp(const struct run_fx *f, const char *label)
{
	const struct checkpoint *c = run_checkpoint(f->r, label);
	cr_assert_not_null(c, "no checkpoint \"%s\"", label);
	return c;
}

static const struct eff_table *table(const struct run_fx *f, const char *label, const char *subnet)
{
	const struct eff_table *t = checkpoint_subnet_table(cp(f, label), subnet);
	cr_assert_not_null(t, "no subnet %s at %s", subnet, label);
	return t;
}

/* Gateway rows for prefix with next hop ip in a checkpoint's subnet table. */
static size_t gw_rows(const struct run_fx *f, const char *label, const char *subnet, const char *prefix)
{
	const struct eff_table *t = table(f, label, subnet);
	struct eff_iter it = { 0 };
	struct route_row r;
	size_t n = 0;
	while (eff_row(t, false, &it, &r))
		if (r.source == SRC_GATEWAY && prefix_equal(r.prefixes[0], P(prefix)))
			n++;
	return n;
}

static size_t timeline_at(const struct run_fx *f, int64_t at, const char *subnet, const char *cause)
{
	size_t n = 0;
	for (size_t i = 0; i < run_timeline_count(f->r); i++) {
		const struct timeline_entry *e = run_timeline_get(f->r, i);
		if (e->at_ms == at && (!subnet || strcmp(e->subnet, subnet) == 0) &&
		    (!cause || (e->cause && strstr(e->cause, cause))))
			n++;
	}
	return n;
}

static size_t session_events_with(const struct run_fx *f, const char *what)
{
	size_t n = 0;
	for (size_t i = 0; i < run_session_event_count(f->r); i++)
		if (strstr(run_session_event_get(f->r, i)->what, what))
			n++;
	return n;
}

/* ---- basics ------------------------------------------------------------------- */

Test(run, implicit_start_and_end)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "", "")), 0);
	cr_expect_eq(run_checkpoint_count(f.r), 2);
	cr_expect_str_eq(run_checkpoint_get(f.r, 0)->label, "start");
	cr_expect_str_eq(run_checkpoint_get(f.r, 1)->label, "end");
	cr_expect_eq(run_end_ms(f.r), 0);
	cr_expect_eq(run_timeline_count(f.r), 0);
	cr_expect_eq(run_events_processed(f.r), 0);
	cr_expect_null(run_checkpoint(f.r, "nope"));
	cr_expect_null(checkpoint_subnet_table(cp(&f, "start"), "hub/nope"));
	bool wrs = true;
	cr_expect_not_null(checkpoint_nic_table(cp(&f, "start"), "nva1-nic", &wrs));
	cr_expect(!wrs);
	cr_expect_null(checkpoint_nic_table(cp(&f, "start"), "nope", &wrs));
	run_fx_fini(&f);
}

Test(run, advertise_programs_the_domain_only)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 ADV("0", "'0.0.0.0/0', '172.16.0.0/12'") ", " CP("0", "baseline"))), 0);
	cr_expect_eq(gw_rows(&f, "start", "hub/app", "0.0.0.0/0"), 0, "start: topology only");
	cr_expect_eq(gw_rows(&f, "baseline", "hub/app", "0.0.0.0/0"), 1);
	cr_expect_eq(gw_rows(&f, "baseline", "spoke/app", "172.16.0.0/12"), 1, "spoke with transit");
	cr_expect_eq(gw_rows(&f, "baseline", "iso/app", "0.0.0.0/0"), 0);
	cr_expect_eq(gw_rows(&f, "end", "hub/nva", "0.0.0.0/0"), 1);
	cr_expect_eq(timeline_at(&f, 0, "hub/app", "advertise ars/nva1"), 1);
	cr_expect_eq(timeline_at(&f, 0, "spoke/app", "advertise ars/nva1"), 1);
	cr_expect_eq(timeline_at(&f, 0, "iso/app", NULL), 0, "unaffected subnets are not logged");
	for (size_t i = 0; i < run_timeline_count(f.r); i++) {
		const struct timeline_entry *e = run_timeline_get(f.r, i);
		cr_expect_not_null(e->before);
		cr_expect_not_null(e->after);
		cr_expect(!eff_equal(e->before, e->after), "a logged change is a change");
	}
	cr_expect_eq(run_events_processed(f.r), 1);
	cr_expect_eq(run_end_ms(f.r), 0);
	run_fx_fini(&f);
}

/* ---- hold timer --------------------------------------------------------------- */

Test(run, silent_peer_down_keeps_routes_until_hold_expiry)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'bgpHoldSeconds': 180", "1000", "",
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': '5m', 'op': 'peerDown', 'peer': 'ars/nva1', 'mode': 'silent' },"
					 CP("'5m'", "at-down") "," CP("479", "before-hold") ","
					 CP("'8m'", "at-hold"))), 0);
	cr_expect_eq(gw_rows(&f, "at-down", "hub/app", "0.0.0.0/0"), 1);
	cr_expect_eq(gw_rows(&f, "before-hold", "hub/app", "0.0.0.0/0"), 1);
	cr_expect_eq(gw_rows(&f, "at-hold", "hub/app", "0.0.0.0/0"), 0, "withdrawn at 5m + 180s");
	cr_expect_eq(timeline_at(&f, 480000, "hub/app", "hold timer ars/nva1"), 1);
	cr_expect_eq(timeline_at(&f, 300000, NULL, NULL), 0, "nothing changes at the silent down");
	cr_expect_eq(run_end_ms(f.r), 480000);
	cr_expect_eq(session_events_with(&f, "hold timer expired"), 1);
	run_fx_fini(&f);
}

Test(run, hold_timer_alone_keeps_the_run_alive)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'bgpHoldSeconds': 90", "1000", "",
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': 10, 'op': 'peerDown', 'peer': 'ars/nva1', 'mode': 'silent' }")), 0);
	cr_expect_eq(run_end_ms(f.r), 100000, "end after the hold expiry at 10s + 90s");
	cr_expect_eq(gw_rows(&f, "end", "hub/app", "0.0.0.0/0"), 0);
	run_fx_fini(&f);
}

Test(run, graceful_peer_down_withdraws_at_once)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': '5m', 'op': 'peerDown', 'peer': 'ars/nva1', 'mode': 'graceful' },"
					 CP("'5m'", "at-down"))), 0);
	cr_expect_eq(gw_rows(&f, "at-down", "hub/app", "0.0.0.0/0"), 0);
	cr_expect_eq(timeline_at(&f, 300000, "hub/app", "peerDown ars/nva1"), 1);
	cr_expect_eq(run_end_ms(f.r), 300000);
	run_fx_fini(&f);
}

Test(run, peer_up_before_hold_expiry_cancels_it)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': '5m', 'op': 'peerDown', 'peer': 'ars/nva1', 'mode': 'silent' },"
					 "{ 'at': '6m', 'op': 'peerUp', 'peer': 'ars/nva1' }")), 0);
	cr_expect_eq(gw_rows(&f, "end", "hub/app", "0.0.0.0/0"), 1);
	cr_expect_eq(run_end_ms(f.r), 360000, "the cancelled hold timer does not keep the run alive");
	cr_expect_eq(timeline_at(&f, 480000, NULL, NULL), 0);
	run_fx_fini(&f);
}

Test(run, graceful_down_then_up_resends)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': 60, 'op': 'peerDown', 'peer': 'ars/nva1', 'mode': 'graceful' },"
					 ADV("70", "'172.16.0.0/12'") "," CP("80", "down") ","
					 "{ 'at': 90, 'op': 'peerUp', 'peer': 'ars/nva1' }," CP("90", "up"))), 0);
	cr_expect_eq(gw_rows(&f, "down", "hub/app", "0.0.0.0/0"), 0);
	cr_expect_eq(gw_rows(&f, "down", "hub/app", "172.16.0.0/12"), 0, "sent while down");
	cr_expect_eq(gw_rows(&f, "up", "hub/app", "0.0.0.0/0"), 1, "re-sent on peerUp");
	cr_expect_eq(gw_rows(&f, "up", "hub/app", "172.16.0.0/12"), 1);
	cr_expect(diag_find(f.d, DIAG_WARNING, "$.events[2]", "is down (peerDown)"),
		  "advertising while down is kept, with a warning");
	cr_expect_eq(diag_count(f.d, DIAG_ERROR), 0);
	run_fx_fini(&f);
}

/* A peerDown of a peer already down, a peerUp of one that is up: a
 * scenario mistake, reported, not silently accepted. */
Test(run, redundant_peer_down_and_up_warn)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 "{ 'at': 10, 'op': 'peerUp', 'peer': 'ars/nva1' },"
					 "{ 'at': 20, 'op': 'peerDown', 'peer': 'ars/nva1', 'mode': 'graceful' },"
					 "{ 'at': 30, 'op': 'peerDown', 'peer': 'ars/nva1', 'mode': 'silent' }")), 0);
	cr_expect(diag_find(f.d, DIAG_WARNING, "$.events[0]", "which is up: ignored"));
	cr_expect(diag_find(f.d, DIAG_WARNING, "$.events[2]", "already down: ignored"));
	/* The loader warns of the second peerDown too, as check does (RULES 2.2). */
	cr_expect(diag_find(f.d, DIAG_WARNING, "$.events[2]", "already down: changes nothing"));
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 3);
	run_fx_fini(&f);
}

/* ---- instances -------------------------------------------------------------------- */

Test(run, instance_down_and_up)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': 10, 'op': 'instanceDown', 'target': 'ars/IN_0' }," CP("10", "one") ","
					 "{ 'at': 20, 'op': 'instanceDown', 'target': 'ars/IN_1' }," CP("20", "none") ","
					 "{ 'at': 30, 'op': 'instanceUp', 'target': 'ars/IN_1' }," CP("30", "back"))), 0);
	cr_expect_eq(gw_rows(&f, "one", "hub/app", "0.0.0.0/0"), 1, "one live instance has it");
	cr_expect_eq(gw_rows(&f, "none", "hub/app", "0.0.0.0/0"), 0);
	cr_expect_eq(gw_rows(&f, "back", "hub/app", "0.0.0.0/0"), 1, "replayed to the instance");
	cr_expect(speakers_instance_up(run_speakers(f.r), "ars", 1));
	cr_expect(!speakers_instance_up(run_speakers(f.r), "ars", 0));
	run_fx_fini(&f);
}

/* ---- limits and connect retry ------------------------------------------------------ */

Test(run, limit_drop_retry_is_background)
{
	struct run_fx f;
	/* maxRoutes 2, three prefixes: both sessions drop at 0; retries every
	 * 60s would fail forever, but they do not keep the run alive. */
	cr_assert_eq(run_sq(&f, SCENARIO("", "2", "",
					 ADV("0", "'10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16'") ","
					 CP("0", "t0"))), 0);
	cr_expect_eq(gw_rows(&f, "t0", "hub/app", "10.10.0.0/16"), 0);
	cr_expect_eq(run_end_ms(f.r), 0, "the end checkpoint is not kept alive by retries");
	const struct peer *p = speakers_peer(run_speakers(f.r), "ars/nva1");
	cr_assert_not_null(p);
	cr_expect_eq(p->flaps, 2, "two sessions dropped, no retry run");
	cr_expect_eq(session_events_with(&f, "dropped"), 2);
	/* Each instance's session dropped once: its first flap, not the
	 * peer's running total. */
	cr_expect_eq(session_events_with(&f, "(flap 1)"), 2);
	run_fx_fini(&f);
}

Test(run, retries_run_while_something_else_is_pending)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'bgpConnectRetrySeconds': 60", "2", "",
					 ADV("0", "'10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16'") ","
					 "{ 'at': 90, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['10.12.0.0/16'] },"
					 CP("90", "after-withdraw") "," CP("150", "after-retry"))), 0);
	cr_expect_eq(gw_rows(&f, "after-withdraw", "hub/app", "10.10.0.0/16"), 0);
	cr_expect_eq(gw_rows(&f, "after-retry", "hub/app", "10.10.0.0/16"), 1, "retry at 120s succeeds");
	cr_expect_eq(gw_rows(&f, "after-retry", "hub/app", "10.12.0.0/16"), 0);
	const struct peer *p = speakers_peer(run_speakers(f.r), "ars/nva1");
	cr_expect_eq(p->flaps, 4, "2 at 0s, 2 failed retries at 60s");
	cr_expect_eq(timeline_at(&f, 120000, "hub/app", "connect retry ars/nva1"), 1);
	cr_expect_eq(run_end_ms(f.r), 150000);
	cr_expect_eq(session_events_with(&f, "re-established"), 2);
	run_fx_fini(&f);
}

/* RULES 2.2: a connect retry that would succeed (the peer withdrew back
 * under its limit) is a change: the run waits for it, and `end` shows the
 * routes it brings back. */
Test(run, retry_that_would_succeed_is_a_change)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'bgpConnectRetrySeconds': 60", "2", "",
					 ADV("0", "'10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16'") ","
					 "{ 'at': 10, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['10.12.0.0/16'] }")),
		     0);
	cr_expect_eq(run_end_ms(f.r), 60000, "the retry at 60s is part of the run");
	cr_expect_eq(gw_rows(&f, "end", "hub/app", "10.10.0.0/16"), 1);
	cr_expect_eq(gw_rows(&f, "end", "hub/app", "10.12.0.0/16"), 0);
	cr_expect_eq(session_events_with(&f, "re-established"), 2);
	run_fx_fini(&f);
	/* Over the limit again before the retry: background once more. */
	cr_assert_eq(run_sq(&f, SCENARIO("'bgpConnectRetrySeconds': 60", "2", "",
					 ADV("0", "'10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16'") ","
					 "{ 'at': 10, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['10.12.0.0/16'] },"
					 ADV("20", "'10.13.0.0/16'"))),
		     0);
	cr_expect_eq(run_end_ms(f.r), 20000, "a retry that would fail keeps nothing alive");
	cr_expect_eq(gw_rows(&f, "end", "hub/app", "10.10.0.0/16"), 0);
	run_fx_fini(&f);
}

/* RULES 2.2: peerUp of a peer dropped for its prefix limit is an immediate
 * retry, and the retry timer starts again. */
Test(run, peer_up_of_a_dropped_peer_retries_at_once)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'bgpConnectRetrySeconds': 60", "2", "",
					 ADV("0", "'10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16'") ","
					 "{ 'at': 10, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['10.12.0.0/16'] },"
					 "{ 'at': 20, 'op': 'peerUp', 'peer': 'ars/nva1' }," CP("20", "up"))),
		     0);
	cr_expect_eq(gw_rows(&f, "up", "hub/app", "10.10.0.0/16"), 1);
	cr_expect_eq(run_end_ms(f.r), 20000, "the pending retry is cancelled");
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 0);
	run_fx_fini(&f);
	/* Still over the limit: dropped again, next retry 60s later. */
	cr_assert_eq(run_sq(&f, SCENARIO("'bgpConnectRetrySeconds': 60", "2", "",
					 ADV("0", "'10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16'") ","
					 "{ 'at': 30, 'op': 'peerUp', 'peer': 'ars/nva1' },"
					 "{ 'at': 70, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['10.12.0.0/16'] }")),
		     0);
	const struct peer *p = speakers_peer(run_speakers(f.r), "ars/nva1");
	cr_expect_eq(p->flaps, 4, "2 at 0s, 2 at the peerUp (30s); no retry at 60s, success at 90s");
	cr_expect_eq(run_end_ms(f.r), 90000, "the retry timer started again at 30s");
	cr_expect_eq(gw_rows(&f, "end", "hub/app", "10.10.0.0/16"), 1);
	run_fx_fini(&f);
}

/* ---- programming delay ----------------------------------------------------------- */

Test(run, route_programming_delay)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'routeProgrammingDelaySeconds': 10", "1000", "",
					 ADV("0", "'0.0.0.0/0'") "," CP("0", "t0") "," CP("'9.999s'", "t9") ","
					 CP("10", "t10"))), 0);
	cr_expect_eq(gw_rows(&f, "t0", "hub/app", "0.0.0.0/0"), 0);
	cr_expect_eq(gw_rows(&f, "t9", "hub/app", "0.0.0.0/0"), 0);
	cr_expect_eq(gw_rows(&f, "t10", "hub/app", "0.0.0.0/0"), 1, "installed 10s later, seen at 10s");
	cr_expect_eq(timeline_at(&f, 10000, "hub/app", "advertise ars/nva1"), 1);
	cr_expect_eq(timeline_at(&f, 0, NULL, NULL), 0);
	run_fx_fini(&f);
	/* The pending installation keeps the run alive. */
	cr_assert_eq(run_sq(&f, SCENARIO("'routeProgrammingDelaySeconds': 10", "1000", "",
					 ADV("0", "'0.0.0.0/0'"))), 0);
	cr_expect_eq(run_end_ms(f.r), 10000);
	cr_expect_eq(gw_rows(&f, "end", "hub/app", "0.0.0.0/0"), 1);
	run_fx_fini(&f);
	/* The set computed at the event is installed: a withdraw in between
	 * does not leak into the first installation. */
	cr_assert_eq(run_sq(&f, SCENARIO("'routeProgrammingDelaySeconds': 10", "1000", "",
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': 5, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['0.0.0.0/0'] },"
					 CP("10", "t10") "," CP("15", "t15"))), 0);
	cr_expect_eq(gw_rows(&f, "t10", "hub/app", "0.0.0.0/0"), 1);
	cr_expect_eq(gw_rows(&f, "t15", "hub/app", "0.0.0.0/0"), 0);
	run_fx_fini(&f);
}

/* ---- edits ------------------------------------------------------------------------ */

Test(run, checkpoint_at_equal_time_sees_the_change)
{
	struct run_fx f;
	/* The checkpoint comes first in the file, the edit and the advertise after. */
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 CP("'10m'", "cp") ","
					 "{ 'at': '10m', 'op': 'set', 'path': 'routeTables/rt-app/routes/web',"
					 "  'value': { 'nextHopType': 'None' } },"
					 ADV("600", "'0.0.0.0/0'"))), 0);
	const struct eff_table *t = table(&f, "cp", "hub/app");
	struct next_hop h = eff_next_hop(t, A("8.8.8.8"), false);
	cr_expect_eq(h.nh, NH_NONE, "the edit at 10m is seen by the checkpoint at 10m");
	cr_expect_eq(gw_rows(&f, "cp", "hub/app", "0.0.0.0/0"), 1);
	cr_expect_eq(cp(&f, "cp")->at_ms, 600000);
	h = eff_next_hop(table(&f, "start", "hub/app"), A("8.8.8.8"), false);
	cr_expect_eq(h.nh, NH_INTERNET);
	cr_expect_eq(timeline_at(&f, 600000, "hub/app", "set routeTables/rt-app/routes/web"), 1);
	run_fx_fini(&f);
}

/* After an edit every table is recomputed and compared with the old one;
 * only real changes reach the timeline (RULES 3).  The edit touches rt-app,
 * used by hub/app only. */
Test(run, edit_logs_only_the_subnets_it_changes)
{
	/* Regression (see effective::equal_ignores_struct_padding): in the -O2
	 * build every subnet was logged as changed by any edit. */
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 "{ 'at': 60, 'op': 'set', 'path': 'routeTables/rt-app/routes/web',"
					 "  'value': { 'nextHopType': 'None' } }")), 0);
	cr_expect_eq(timeline_at(&f, 60000, "hub/app", NULL), 1);
	static const char *const unchanged[] = { "hub/nva", "hub/RouteServerSubnet", "spoke/app", "iso/app" };
	for (size_t i = 0; i < NELEM(unchanged); i++)
		cr_expect_eq(timeline_at(&f, 60000, unchanged[i], NULL), 0, "%s logged as changed",
			     unchanged[i]);
	/* Unchanged tables are shared between checkpoints, not copied. */
	cr_expect_eq(checkpoint_subnet_table(cp(&f, "start"), "iso/app"),
		     checkpoint_subnet_table(cp(&f, "end"), "iso/app"));
	run_fx_fini(&f);
}

Test(run, edit_adds_and_removes_subnets)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "",
					 "{ 'at': 10, 'op': 'add', 'path': 'virtualNetworks/iso/subnets/db',"
					 "  'value': { 'addressPrefix': '10.9.1.0/24' } }," CP("10", "added") ","
					 "{ 'at': 20, 'op': 'remove', 'path': 'virtualNetworks/iso/subnets/db' },"
					 CP("20", "removed"))), 0);
	cr_expect_not_null(checkpoint_subnet_table(cp(&f, "added"), "iso/db"));
	cr_expect_null(checkpoint_subnet_table(cp(&f, "removed"), "iso/db"));
	cr_expect_null(checkpoint_subnet_table(cp(&f, "start"), "iso/db"));
	size_t appeared = 0, gone = 0;
	for (size_t i = 0; i < run_timeline_count(f.r); i++) {
		const struct timeline_entry *e = run_timeline_get(f.r, i);
		if (strcmp(e->subnet, "iso/db") != 0)
			continue;
		appeared += e->at_ms == 10000 && !e->before && e->after;
		gone += e->at_ms == 20000 && e->before && !e->after;
	}
	cr_expect_eq(appeared, 1);
	cr_expect_eq(gone, 1);
	run_fx_fini(&f);
}

/* ---- events invalid at their time ----------------------------------------------------- */

/* The loader refuses a file with an event that is invalid at its time
 * (RULES 2.2, validate.h): nothing is simulated. */
static void expect_load_refuses(const char *sq, const char *path, const char *words)
{
	struct diag *d = diag_create();
	bool env = false;
	struct scenario *s = scenario_load_doc("t.json", json_parse_sq(sq), NULL, d, &env);
	cr_expect_null(s, "the loader accepts an event invalid at its time");
	if (!diag_find(d, DIAG_ERROR, path, words)) {
		diag_dump(d);
		cr_expect_fail("no error at %s with \"%s\"", path, words);
	}
	scenario_destroy(s);
	diag_destroy(d);
}

/* The run still refuses such an event on its own, as when a study injects
 * one (run_inject): sq is run, then e injected and the run resumed to its
 * time.  Returns run_resume's result. */
static int run_then_inject(struct run_fx *f, const char *sq, struct event *e)
{
	cr_assert_eq(run_sq(f, sq), 0);
	cr_assert_geq(e->at_ms, run_end_ms(f->r));
	cr_assert_eq(run_inject(f->r, e), 0);
	return run_resume(f->r, e->at_ms);
}

#define SET_NOPE "{ 'at': 10, 'op': 'set', 'path': 'routeTables/nope', 'value': {} }"
Test(run, invalid_edit_stops_with_2_naming_the_event)
{
	/* File order differs from time order: the diagnostic names the file index. */
	expect_load_refuses(SCENARIO("", "1000", "", CP("20", "later") "," SET_NOPE ","
					 CP("10", "same-time")),
			    "$.events[1]", "nothing at");
	struct run_fx f;
	cJSON *empty = cJSON_CreateObject();
	struct event set = { .index = 1, .at_ms = 30000, .op = EV_SET, .path = "routeTables/nope",
			     .value = empty };
	struct event later = { .index = 2, .at_ms = 30000, .op = EV_CHECKPOINT, .label = "later" };
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", "", CP("20", "before"))), 0);
	cr_assert_eq(run_inject(f.r, &set), 0);
	cr_assert_eq(run_inject(f.r, &later), 0);
	cr_expect_eq(run_resume(f.r, 30000), 2);
	const struct diag_entry *e = diag_find(f.d, DIAG_ERROR, "$.events[1]", "nothing at");
	if (!e)
		diag_dump(f.d);
	cr_expect_not_null(e, "a diagnostic at $.events[1]");
	cr_expect_not_null(run_checkpoint(f.r, "before"));
	cr_expect_null(run_checkpoint(f.r, "later"), "nothing is recorded after the bad edit");
	run_fx_fini(&f);
	cJSON_Delete(empty);
}

#define CLASH "'virtualNetworks/hub/subnets/clash'"
#define CLASH_VALUE "{ 'addressPrefix': '10.0.1.128/25' }"
Test(run, edit_making_the_topology_invalid_is_rejected)
{
	expect_load_refuses(SCENARIO("", "1000", "",
				     ADV("0", "'0.0.0.0/0'") ","
				     "{ 'at': 30, 'op': 'add', 'path': " CLASH ", 'value': " CLASH_VALUE " },"
				     CP("30", "after")),
			    "$.events[1]", "would make the topology invalid");
	struct run_fx f;
	cJSON *value = json_parse_sq(CLASH_VALUE);
	struct event add = { .index = 1, .at_ms = 30000, .op = EV_ADD,
			     .path = "virtualNetworks/hub/subnets/clash", .value = value };
	cr_assert_eq(run_then_inject(&f, SCENARIO("", "1000", "", ADV("0", "'0.0.0.0/0'")), &add), 2);
	const struct diag_entry *e = diag_find(f.d, DIAG_ERROR, "$.events[1]", "would make the topology invalid");
	if (!e)
		diag_dump(f.d);
	cr_assert_not_null(e);
	cr_expect(strstr(e->message, "overlaps subnet \"nva\"") != NULL, "%s", e->message);
	cr_expect(strstr(e->message, "$.topology.virtualNetworks[0].subnets[3]") != NULL,
		  "names the place in the edited topology: %s", e->message);
	/* The topology in force is the old one. */
	cr_expect_null(topology_subnet(run_topology(f.r), "hub/clash"));
	run_fx_fini(&f);
	cJSON_Delete(value);
}

#define REMOVE_NVA1 "{ 'at': 10, 'op': 'remove', 'path': 'routeServers/ars/bgpConnections/nva1' }"
Test(run, advertise_from_a_removed_peer_is_an_error)
{
	expect_load_refuses(SCENARIO("", "1000", "", REMOVE_NVA1 "," ADV("20", "'0.0.0.0/0'")),
			    "$.events[1].from", "no Route Server BGP connection \"ars/nva1\" at 20.000s");
	struct run_fx f;
	struct prefix any = P("0.0.0.0/0");
	struct event adv = { .index = 1, .at_ms = 20000, .op = EV_ADVERTISE, .from = "ars/nva1",
			     .prefixes = &any, .nprefixes = 1, .to_mask = 3 };
	cr_assert_eq(run_then_inject(&f, SCENARIO("", "1000", "", REMOVE_NVA1), &adv), 2);
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.events[1]", "no BGP peer"));
	run_fx_fini(&f);
}



/* Azure never renumbers an existing NIC: removing an earlier one must not
 * shift the dynamic addresses of those after it, and a new NIC takes the
 * lowest free address (the one just freed). */
#define ISO_VM(name) \
	", { 'name': '" name "', 'ipConfigurations': [ { 'subnet': { 'id': 'iso/app' } } ] }"
Test(run, edits_keep_dynamic_addresses)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", ISO_VM("a") ISO_VM("b") ISO_VM("c"),
					 "{ 'at': 10, 'op': 'remove', 'path': 'networkInterfaces/a' },"
					 CP("10", "removed") ","
					 "{ 'at': 20, 'op': 'add', 'path': 'networkInterfaces/d', 'value':"
					 "  { 'ipConfigurations': [ { 'subnet': { 'id': 'iso/app' } } ] } },"
					 CP("20", "added"))), 0);
	static const struct {
		const char *label, *nic, *ip;
	} want[] = { { "start", "a", "10.9.0.4" },   { "start", "b", "10.9.0.5" },
		     { "start", "c", "10.9.0.6" },   { "removed", "b", "10.9.0.5" },
		     { "removed", "c", "10.9.0.6" }, { "added", "b", "10.9.0.5" },
		     { "added", "c", "10.9.0.6" },   { "added", "d", "10.9.0.4" } };
	for (size_t i = 0; i < NELEM(want); i++) {
		const struct nic *n = topology_nic(cp(&f, want[i].label)->topo, want[i].nic);
		cr_assert_not_null(n, "%s at %s", want[i].nic, want[i].label);
		char got[IPV4_STRLEN];
		cr_expect_eq(n->ip, A(want[i].ip), "%s at %s: %s, expected %s", want[i].nic,
			     want[i].label, ipv4_format(n->ip, got), want[i].ip);
	}
	run_fx_fini(&f);
}

/* An edit giving a NIC the address another NIC holds dynamically fails, as
 * Azure refuses an address in use. */
#define REMOVE_A "{ 'at': 10, 'op': 'remove', 'path': 'networkInterfaces/a' }"
#define NIC_X_VALUE "{ 'ipConfigurations': [ { 'subnet': { 'id': 'iso/app' }, 'privateIPAddress': '10.9.0.5' } ] }"
Test(run, edit_taking_an_address_in_use_is_rejected)
{
	expect_load_refuses(SCENARIO("", "1000", ISO_VM("a") ISO_VM("b"),
				     REMOVE_A ", { 'at': 20, 'op': 'add', 'path': 'networkInterfaces/x',"
				     " 'value': " NIC_X_VALUE " }"),
			    "$.events[1]", "10.9.0.5 is already used");
	struct run_fx f;
	cJSON *value = json_parse_sq(NIC_X_VALUE);
	struct event add = { .index = 1, .at_ms = 20000, .op = EV_ADD, .path = "networkInterfaces/x",
			     .value = value };
	cr_assert_eq(run_then_inject(&f, SCENARIO("", "1000", ISO_VM("a") ISO_VM("b"), REMOVE_A),
				     &add), 2);
	const struct diag_entry *e = diag_find(f.d, DIAG_ERROR, "$.events[1]", "10.9.0.5 is already used");
	if (!e)
		diag_dump(f.d);
	cr_expect_not_null(e);
	run_fx_fini(&f);
	cJSON_Delete(value);
}

/* ---- Route Server capacity ---------------------------------------------------------- */

#define VMS(name, count) \
	", { 'name': '" name "', 'count': " count ", 'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] }"
#define SPOKE_NIC ", { 'name': 'spoke-vm', 'ipConfigurations': [ { 'subnet': { 'id': 'spoke/app' } } ] }"
#define ISO_NIC ", { 'name': 'iso-vm', 'ipConfigurations': [ { 'subnet': { 'id': 'iso/app' } } ] }"

static bool unprogrammed(const struct run_fx *f, const char *label, const char *nic)
{
	bool w = false;
	const struct eff_table *t = checkpoint_nic_table(cp(f, label), nic, &w);
	cr_assert_not_null(t, "no NIC %s at %s", nic, label);
	return w;
}

/* nva1-nic + 3999 VMs in the hub + 1 in the spoke = 4001 > 4000 (2 units):
 * the most recently added NIC (the spoke's, last in the file) gets no
 * Route Server routes until the scale-out completes. */
Test(run, route_server_capacity_and_scale_out)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'routeServerScaleOutSeconds': 600", "1000",
					 VMS("vm-*", "3999") SPOKE_NIC ISO_NIC,
					 ADV("0", "'0.0.0.0/0'") "," CP("60", "mid"))), 0);
	cr_expect_eq(cp(&f, "start")->nunprogrammed, 1);
	cr_expect_eq(cp(&f, "mid")->nunprogrammed, 1);
	cr_expect(unprogrammed(&f, "mid", "spoke-vm"), "the most recent NIC of the domain");
	cr_expect(!unprogrammed(&f, "mid", "vm-3999"));
	cr_expect(!unprogrammed(&f, "mid", "nva1-nic"));
	cr_expect(!unprogrammed(&f, "mid", "iso-vm"), "not in the Route Server's domain");
	bool w;
	const struct eff_table *t = checkpoint_nic_table(cp(&f, "mid"), "spoke-vm", &w);
	struct eff_iter it = { 0 };
	struct route_row row;
	bool rs_row = false, internet_default = false;
	while (eff_row(t, true, &it, &row)) {
		rs_row |= row.from_route_server;
		internet_default |= row.source == SRC_DEFAULT && row.nh == NH_INTERNET &&
				    row.prefixes[0].len == 0;
	}
	cr_expect(!rs_row, "its Route Server rows are dropped");
	cr_expect(internet_default, "without the Route Server's 0/0 it keeps Default 0/0 Internet");
	cr_expect_eq(run_end_ms(f.r), 600000, "the scale-out completion keeps the run alive");
	cr_expect_eq(cp(&f, "end")->nunprogrammed, 0);
	cr_expect(!unprogrammed(&f, "end", "spoke-vm"));
	cr_expect_geq(session_events_with(&f, "scal"), 2, "scale-out start and completion reported");
	run_fx_fini(&f);
}

Test(run, route_server_capacity_exactly_at_the_limit)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", VMS("vm-*", "3999") ISO_NIC, ADV("0", "'0.0.0.0/0'"))), 0);
	cr_expect_eq(cp(&f, "start")->nunprogrammed, 0, "4000 VMs fit 2 units");
	cr_expect_null(cp(&f, "start")->nic_unprogrammed);
	cr_expect_eq(run_end_ms(f.r), 0, "no scale-out");
	run_fx_fini(&f);
}

/* NICs added by an edit are the most recently added. */
Test(run, route_server_capacity_after_adding_nics)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'routeServerScaleOutSeconds': 600", "1000", VMS("vm-*", "3999"),
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': 60, 'op': 'add', 'path': 'networkInterfaces/late-*', 'value': {"
					 "  'count': 2, 'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] } },"
					 CP("60", "added") "," CP("659", "before") "," CP("660", "scaled"))), 0);
	cr_expect_eq(cp(&f, "start")->nunprogrammed, 0);
	cr_expect_eq(cp(&f, "added")->nunprogrammed, 2);
	cr_expect(unprogrammed(&f, "added", "late-1"));
	cr_expect(unprogrammed(&f, "added", "late-2"));
	cr_expect(!unprogrammed(&f, "added", "vm-3999"));
	cr_expect_eq(cp(&f, "before")->nunprogrammed, 2);
	cr_expect_eq(cp(&f, "scaled")->nunprogrammed, 0, "60s + 600s");
	run_fx_fini(&f);
}

/* A template grown by an edit: its new NIC is the most recently added,
 * even though later templates in the file existed before it. */
Test(run, route_server_capacity_after_growing_a_template)
{
	/* Regression: "most recently added" was the position in
	 * networkInterfaces after the rebuild, so b-1999 (there since the
	 * start) was marked instead of a-2001. */
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'routeServerScaleOutSeconds': 600", "1000",
					 VMS("a-*", "2000") VMS("b-*", "1999"),
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': 60, 'op': 'set', 'path': 'networkInterfaces/a-*',"
					 "  'value': { 'count': 2001 } }," CP("60", "grown"))), 0);
	cr_expect_eq(cp(&f, "grown")->nunprogrammed, 1);
	cr_expect(unprogrammed(&f, "grown", "a-2001"), "the NIC added at 60s");
	cr_expect(!unprogrammed(&f, "grown", "b-1999"), "a NIC that existed since the start");
	run_fx_fini(&f);
}

/* The entry of subnet at `at` with `cause` whose NICs have the given views. */
static const struct timeline_entry *view_entry(const struct run_fx *f, int64_t at, const char *subnet,
					       const char *cause, bool before_w, bool after_w)
{
	const struct timeline_entry *found = NULL;
	for (size_t i = 0; i < run_timeline_count(f->r); i++) {
		const struct timeline_entry *e = run_timeline_get(f->r, i);
		if (e->at_ms == at && strcmp(e->subnet, subnet) == 0 && e->cause &&
		    strstr(e->cause, cause) && e->before_without_rs == before_w &&
		    e->after_without_rs == after_w) {
			cr_expect_null(found, "one entry per view group");
			found = e;
		}
	}
	return found;
}

static bool names_has(const struct timeline_entry *e, const char *nic)
{
	for (size_t i = 0; i < e->nics; i++)
		if (strcmp(e->nic_names[i], nic) == 0)
			return true;
	return false;
}

/* Issue 3 item 5: a change names the NICs that see it. */
Test(run, timeline_names_the_nics)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("", "1000", VMS("vm-*", "3") SPOKE_NIC,
					 ADV("5", "'10.50.0.0/16'"))), 0);
	const struct timeline_entry *e = view_entry(&f, 5000, "hub/app", "advertise", false, false);
	cr_assert_not_null(e);
	cr_expect_eq(e->nics, 3);
	cr_expect(names_has(e, "vm-1") && names_has(e, "vm-2") && names_has(e, "vm-3"));
	cr_expect(!names_has(e, "spoke-vm"));
	e = view_entry(&f, 5000, "spoke/app", "advertise", false, false);
	cr_assert_not_null(e);
	cr_expect_eq(e->nics, 1);
	cr_expect_str_eq(e->nic_names[0], "spoke-vm");
	run_fx_fini(&f);
}

/* A NIC beyond Route Server capacity sees a BGP change through the table
 * without Route Server rows, its subnet's other NICs through the whole
 * table; the scale-out completing is a change of its own for that NIC. */
Test(run, timeline_follows_nics_beyond_capacity)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'routeServerScaleOutSeconds': 600", "1000",
					 VMS("vm-*", "3998") VMS("late-*", "2"),
					 ADV("5", "'10.50.0.0/16'"))), 0);
	/* 4001 VMs: late-2 is beyond capacity from the start. */
	const struct timeline_entry *prog = view_entry(&f, 5000, "hub/app", "advertise", false, false);
	const struct timeline_entry *beyond = view_entry(&f, 5000, "hub/app", "advertise", true, true);
	cr_assert_not_null(prog);
	cr_expect_eq(prog->nics, 3999);
	cr_expect(!names_has(prog, "late-2"));
	/* Without Route Server rows the advertisement changes nothing it
	 * shows, but the entry may exist (renderers skip empty diffs);
	 * what matters is that late-2 is never counted as programmed. */
	if (beyond) {
		cr_expect_eq(beyond->nics, 1);
		cr_expect_str_eq(beyond->nic_names[0], "late-2");
	}
	const struct timeline_entry *scaled =
		view_entry(&f, 600000, "hub/app", "scale-out ars", true, false);
	cr_assert_not_null(scaled, "the scale-out gives late-2 the Route Server routes");
	cr_expect_eq(scaled->nics, 1);
	cr_expect_str_eq(scaled->nic_names[0], "late-2");
	cr_expect_eq(scaled->before, scaled->after, "the table is the same, the view changes");
	run_fx_fini(&f);
}

/* An edit that pushes NICs beyond capacity: they switch view in the entry
 * of that edit. */
Test(run, timeline_edit_pushing_nics_beyond_capacity)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f, SCENARIO("'routeServerScaleOutSeconds': 600", "1000", VMS("vm-*", "3999"),
					 ADV("0", "'0.0.0.0/0'") ","
					 "{ 'at': 60, 'op': 'set', 'path': 'networkInterfaces/vm-*',"
					 "  'value': { 'count': 4001 } }")), 0);
	const struct timeline_entry *e = view_entry(&f, 60000, "hub/app", "set", false, false);
	cr_expect_null(e, "the NICs already there keep their table and view");
	e = view_entry(&f, 660000, "hub/app", "scale-out ars", true, false);
	cr_assert_not_null(e);
	cr_expect_eq(e->nics, 2);
	cr_expect(names_has(e, "vm-4000") && names_has(e, "vm-4001"));
	run_fx_fini(&f);
}

/* bgp --at: the run stops at a checkpoint, its state is that moment's. */
Test(run, stop_after_a_checkpoint)
{
	struct run_fx f;
	char *txt = json_dq(SCENARIO("", "1000", "",
				     ADV("5", "'10.50.0.0/16'") "," CP("10", "mid") ","
				     "{ 'at': 20, 'op': 'withdraw', 'from': 'ars/nva1',"
				     "  'prefixes': [ '10.50.0.0/16' ] }"));
	run_fx_load(&f, txt);
	free(txt);
	run_stop_after(f.r, "mid");
	cr_assert_eq(run_execute(f.r), 0);
	cr_expect_eq(run_end_ms(f.r), 10000);
	cr_expect_null(run_checkpoint(f.r, "end"), "no end checkpoint when stopped");
	const struct peer *p = speakers_peer(run_speakers(f.r), "ars/nva1");
	cr_assert_not_null(p);
	cr_expect_eq(p->in[0].n, 1, "the withdraw at 20s has not happened");
	run_fx_fini(&f);
}

/* ---- expectations --------------------------------------------------------------------- */

static void on_fail(void *ctx, const struct expectation *x, const char *msg)
{
	size_t *n = ctx;
	(*n)++;
	cr_log_info("expectation %zu: %s", x->index, msg);
}

Test(run, expectations)
{
	struct run_fx f;
	cr_assert_eq(run_sq(&f,
			    "{ 'schemaVersion': 1, " TOPOLOGY("1000", "") ","
			    "  'events': [ " ADV("0", "'0.0.0.0/0'") ", " CP("0", "baseline") " ],"
			    "  'expectations': ["
			    "    { 'at': 'baseline', 'nic': 'nva1-nic', 'destination': '1.1.1.1',"
			    "      'nextHopType': 'VirtualNetworkGateway', 'nextHopIpAddress': '10.0.1.4' },"
			    "    { 'at': 'start', 'subnet': 'hub/app', 'destination': '8.8.8.8',"
			    "      'nextHopType': 'Internet' },"
			    "    { 'at': 'end', 'subnet': 'hub/app', 'destination': '1.1.1.1',"
			    "      'nextHopType': 'Internet' },"
			    "    { 'at': 'baseline', 'subnet': 'iso/app', 'routes': { 'value': ["
			    "      { 'source': 'Default', 'state': 'Active', 'addressPrefix': ['10.9.0.0/16'],"
			    "        'nextHopType': 'VnetLocal', 'nextHopIpAddress': [] },"
			    "      { 'source': 'Default', 'state': 'Active', 'addressPrefix': ['0.0.0.0/0'],"
			    "        'nextHopType': 'Internet', 'nextHopIpAddress': [] },"
			    "      { 'source': 'Default', 'state': 'Active', 'addressPrefix': ['10.0.0.0/8'],"
			    "        'nextHopType': 'None', 'nextHopIpAddress': [] },"
			    "      { 'source': 'Default', 'state': 'Active', 'addressPrefix': ['172.16.0.0/12'],"
			    "        'nextHopType': 'None', 'nextHopIpAddress': [] },"
			    "      { 'source': 'Default', 'state': 'Active', 'addressPrefix': ['192.168.0.0/16'],"
			    "        'nextHopType': 'None', 'nextHopIpAddress': [] },"
			    "      { 'source': 'Default', 'state': 'Active', 'addressPrefix': ['100.64.0.0/10'],"
			    "        'nextHopType': 'None', 'nextHopIpAddress': [] } ] } } ] }"),
		     0);
	size_t failed = 0;
	cr_expect_eq(run_check_expectations(f.r, on_fail, &failed), 1, "only the third fails");
	cr_expect_eq(failed, 1);
	run_fx_fini(&f);
}

/* The replay counts its engine events and stops at the limit (budget.h)
 * with status 2 and a diagnostic naming --max-events, even where the
 * estimate checked at load time let it start (here the limit is lowered
 * after loading). */
Test(run, stops_at_the_event_limit)
{
	struct run_fx f;
	char *txt = json_dq(SCENARIO("", "1000", "",
				     ADV("10", "'10.9.0.0/16'") ", " ADV("20", "'10.8.0.0/16'")
				     ", " CP("30", "later")));
	run_fx_load(&f, txt);
	free(txt);
	f.sc->max_events = 2;
	cr_assert_eq(run_execute(f.r), 2);
	cr_assert_geq(diag_count(f.d, DIAG_ERROR), 1);
	const struct diag_entry *e = diag_get(f.d, diag_stored(f.d) - 1);
	cr_expect_not_null(strstr(e->message, "limit of 2 engine events"), "%s", e->message);
	cr_expect_not_null(strstr(e->message, "--max-events"), "%s", e->message);
	run_fx_fini(&f);
	/* Within the limit the same replay runs to its end. */
	txt = json_dq(SCENARIO("", "1000", "",
			       ADV("10", "'10.9.0.0/16'") ", " ADV("20", "'10.8.0.0/16'")
			       ", " CP("30", "later")));
	run_fx_load(&f, txt);
	free(txt);
	cr_assert_eq(run_execute(f.r), 0);
	run_fx_fini(&f);
}
