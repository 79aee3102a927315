/*
 * test_run_oom.c - out of memory never loses or corrupts data in the replay
 * (models/replay/run*.c, and what it calls).
 *
 * Linked with -Wl,--wrap=realloc (failalloc_tests in tests/unit/meson.build):
 * every realloc of the project's code can be made to fail.  A scenario is
 * loaded once, then replayed normally to count the realloc calls a replay
 * makes and to record what it produced (a transcript: every checkpoint's
 * tables in both views and the NICs beyond Route Server capacity, the
 * timeline, the session events, the end).  Then for each k the k-th realloc
 * of a replay fails, in two ways: that call alone (a transient failure: a
 * caller that ignores it and goes on would lose what it was adding), and
 * that call and every later one (memory stays short).  Either way
 * run_create must return NULL, or run_execute must return 3 (out of memory,
 * as run.h reports it), or the replay must succeed with a transcript equal
 * to the normal one.  Anything else (another status, a different
 * transcript, a crash) fails the test; a leak fails it under
 * AddressSanitizer (the run is destroyed every time).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failalloc.h"
#include "run.h"
#include "helpers.h"
#include "run_topology.h"

/* At most this many values of k per scenario, spread over the range. */
#define OOM_MAX_RUNS 400

static void write_table(FILE *f, const struct eff_table *t, bool without_rs)
{
	struct eff_iter it = { 0 };
	struct route_row row;
	char pfx[PREFIX_STRLEN], ip[IPV4_STRLEN];
	while (eff_row(t, without_rs, &it, &row)) {
		fprintf(f, "    %s %s %s", route_source_name(row.source),
			row.active ? "Active" : "Invalid", nh_type_name(row.nh));
		for (size_t i = 0; i < row.nprefixes; i++)
			fprintf(f, " %s", prefix_format(row.prefixes[i], pfx));
		fprintf(f, " ip=%s rs=%d name=%s rt=%s\n",
			row.has_nh_ip ? ipv4_format(row.nh_ip, ip) : "-", row.from_route_server,
			row.name ? row.name : "-", row.rt_name ? row.rt_name : "-");
	}
}

static void write_checkpoint(FILE *f, const struct checkpoint *c)
{
	fprintf(f, "checkpoint %s at %lld\n", c->label, (long long)c->at_ms);
	for (size_t i = 0; i < c->topo->nsubnets; i++) {
		fprintf(f, "  subnet %s\n", c->topo->subnets[i]->id);
		write_table(f, c->tables[i], false);
		fprintf(f, "  without Route Server:\n");
		write_table(f, c->tables[i], true);
	}
	for (size_t i = 0; c->nic_unprogrammed && i < c->topo->nnics; i++)
		if (c->nic_unprogrammed[i])
			fprintf(f, "  unprogrammed %s\n", c->topo->nics[i].name);
}

static void write_entry(FILE *f, const struct timeline_entry *e)
{
	fprintf(f, "change at %lld %s (%s) %zu NICs:", (long long)e->at_ms, e->subnet,
		e->cause ? e->cause : "-", e->nics);
	for (size_t k = 0; k < e->nics; k++)
		fprintf(f, " %s", e->nic_names[k]);
	fprintf(f, "\n  before%s:\n", e->before_without_rs ? " (without Route Server)" : "");
	if (e->before)
		write_table(f, e->before, e->before_without_rs);
	fprintf(f, "  after%s:\n", e->after_without_rs ? " (without Route Server)" : "");
	if (e->after)
		write_table(f, e->after, e->after_without_rs);
}

/* Everything a replay produced, as text (malloc'd).  open_memstream grows
 * its buffer with libc's own realloc, which failalloc does not touch. */
static char *transcript(const struct run *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	for (size_t i = 0; i < run_checkpoint_count(r); i++)
		write_checkpoint(f, run_checkpoint_get(r, i));
	for (size_t i = 0; i < run_timeline_count(r); i++)
		write_entry(f, run_timeline_get(r, i));
	for (size_t i = 0; i < run_session_event_count(r); i++) {
		const struct session_event *e = run_session_event_get(r, i);
		fprintf(f, "session at %lld %s: %s\n", (long long)e->at_ms, e->peer, e->what);
	}
	fprintf(f, "end %lld, %zu events\n", (long long)run_end_ms(r), run_events_processed(r));
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static struct scenario *load(const char *path, struct diag *d)
{
	failalloc_after(-1);
	bool env = false;
	struct scenario *sc = scenario_load(path, NULL, d, &env);
	if (!sc)
		diag_dump(d);
	cr_assert_not_null(sc, "test bug: %s does not load", path);
	return sc;
}

/* The normal replay: its transcript, and the realloc calls it made. */
static char *replay_normally(struct scenario *sc, long *calls)
{
	struct diag *d = diag_create();
	failalloc_after(-1);
	struct run *r = run_create(sc, d);
	cr_assert_not_null(r);
	cr_assert_eq(run_execute(r), 0, "the normal replay fails");
	*calls = failalloc_calls();
	char *t = transcript(r);
	run_destroy(r);
	diag_destroy(d);
	return t;
}

/* The replay with its k-th realloc failing (k from 0), alone (once) or
 * with every later one.  Returns how it ended: 'c' run_create failed, '3'
 * out of memory reported, 's' succeeded with the normal transcript.  Fails
 * the test on anything else. */
static char replay_failing(struct scenario *sc, long k, bool once, const char *normal)
{
	const char *mode = once ? "alone" : "and every later one";
	struct diag *d = diag_create();
	cr_assert_not_null(d);
	if (once)
		failalloc_only(k);
	else
		failalloc_after(k);
	struct run *r = run_create(sc, d);
	int rc = r ? run_execute(r) : -1;
	failalloc_after(-1);
	char how = !r ? 'c' : rc == 3 ? '3' : 's';
	if (r && rc != 3) {
		cr_assert_eq(rc, 0, "realloc %ld failing (%s): run_execute returned %d, not 0 or 3",
			     k, mode, rc);
		char *t = transcript(r);
		cr_assert_str_eq(t, normal,
				 "realloc %ld failing (%s): the replay succeeded with another result",
				 k, mode);
		free(t);
	}
	run_destroy(r);
	diag_destroy(d);
	return how;
}

/* k = 0, step, 2*step, ... and the last call, whatever the step. */
static long next_k(long k, long step, long calls)
{
	if (k == calls - 1)
		return calls;
	return k + step < calls ? k + step : calls - 1;
}

/* Replays the scenario at path (called name in messages) with every k-th
 * realloc failing; the normal replay must show each of `shows` (NULL
 * terminated): what the scenario is there to exercise. */
static void oom_never_corrupts(const char *path, const char *name, const char *const *shows)
{
	struct diag *d = diag_create();
	struct scenario *sc = load(path, d);
	long calls = 0;
	char *normal = replay_normally(sc, &calls);
	cr_assert_gt(calls, 0, "the replay makes no realloc call: the test would prove nothing");
	for (const char *const *w = shows; *w; w++)
		cr_assert(strstr(normal, *w), "%s: the normal replay does not show \"%s\"", name, *w);
	long step = calls <= OOM_MAX_RUNS ? 1 : (calls + OOM_MAX_RUNS - 1) / OOM_MAX_RUNS;
	for (int once = 0; once < 2; once++) {
		size_t outcomes[256] = { 0 };
		for (long k = 0; k < calls; k = next_k(k, step, calls))
			outcomes[(unsigned char)replay_failing(sc, k, once, normal)]++;
		cr_log_info("%s: %ld realloc calls, every %ld-th failing%s: run_create NULL %zu, "
			    "out of memory %zu, succeeded %zu",
			    name, calls, step, once ? " alone" : " with the later ones",
			    outcomes['c'], outcomes['3'], outcomes['s']);
		cr_expect_gt(outcomes['3'], 0, "no failure was reported as out of memory");
	}
	free(normal);
	scenario_destroy(sc);
	diag_destroy(d);
}

/* A scenario written from a JSON string with single quotes (json_dq). */
static void oom_never_corrupts_text(const char *name, const char *sq, const char *const *shows)
{
	char path[] = "/tmp/test_run_oom_XXXXXX";
	temp_file_put_sq(path, sq);
	oom_never_corrupts(path, name, shows);
	unlink(path);
}

Test(run_oom, seed_scenario, .timeout = 280)
{
	static const char *const shows[] = { "checkpoint after-hold", "hold timer expired",
					     "(hold timer ars/nva1)", "(peerUp ars/nva1)", NULL };
	oom_never_corrupts(VNETSIM_SOURCE_ROOT "/scenarios/seed/hub-spoke-ars.json",
			   "scenarios/seed/hub-spoke-ars.json", shows);
}

/* The base network (run_topology.h) with a Route Server and two NVAs. */
#define RS(max)                                                                                \
	"'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"      \
	"  'bgpConnections': ["                                                                \
	"    { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001, 'maxRoutes': " max " },"  \
	"    { 'name': 'nva2', 'peerIp': '10.0.1.5', 'peerAsn': 65002 } ] } ]"
#define NIC(name, subnet, more)                                                                \
	"{ 'name': '" name "', " more "'ipConfigurations': [ { 'subnet': { 'id': '" subnet "' } } ] }"
#define SCENARIO_MAX(settings, max, nics, events)                                              \
	"{ 'schemaVersion': 1, 'name': 'oom', 'settings': { " settings " }, 'topology': { "     \
	VNETS ", " RT ", " RS(max) ", 'networkInterfaces': [ " nics " ] }, 'events': [ "       \
	events " ] }"
#define SCENARIO(settings, nics, events) SCENARIO_MAX(settings, "20", nics, events)
#define P16(a) "'10." a ".0.0/16'"
#define PREFIXES_18                                                                            \
	P16("100") "," P16("101") "," P16("102") "," P16("103") "," P16("104") "," P16("105") "," \
	P16("106") "," P16("107") "," P16("108") "," P16("109") "," P16("110") "," P16("111") "," \
	P16("112") "," P16("113") "," P16("114") "," P16("115") "," P16("116") "," P16("117")

/* BGP timers and edits: RIBs that grow past their first block, a peer that
 * comes back with routes sent while it was down, a prefix-limit drop and
 * its retry, instances down and up, the programming delay; then edits
 * rebuilding the topology, a route table and a peering edited in place (no
 * checkpoint holds the rebuilt topology), a NIC added, a VNet removed. */
Test(run_oom, bgp_timers_and_edits, .timeout = 280)
{
	static const char *const shows[] = {
		"ars/nva2: peer up: session re-established, routes re-sent",
		"session IN_1 dropped: 22 prefixes advertised, limit 20",
		"re-established after the connect retry",
		"ars/IN_0: instance up",
		"(add virtualNetworks/extra)",
		"(set routeTables/rt-app/routes/web)",
		"(set virtualNetworks/spoke/virtualNetworkPeerings/spoke-hub)",
		"(remove virtualNetworks/extra)",
		"hold timer expired",
		NULL,
	};
	oom_never_corrupts_text(
		"bgp timers and edits",
		SCENARIO("'routeProgrammingDelaySeconds': 2, 'bgpConnectRetrySeconds': 60",
			 NIC("nva1-nic", "hub/nva", "'enableIPForwarding': true, ") ","
			 NIC("app-vm", "hub/app", "") "," NIC("spoke-vm", "spoke/app", ""),
			 "{ 'at': 0, 'op': 'advertise', 'from': 'ars/nva1', 'prefixes': [ " PREFIXES_18 ","
			 "  '0.0.0.0/0' ] },"
			 "{ 'at': 1, 'op': 'peerDown', 'peer': 'ars/nva2', 'mode': 'graceful' },"
			 "{ 'at': 2, 'op': 'advertise', 'from': 'ars/nva2', 'prefixes': [ " PREFIXES_18 " ],"
			 "  'asPath': [ 65002, 65002 ] },"
			 "{ 'at': 3, 'op': 'peerUp', 'peer': 'ars/nva2' },"
			 "{ 'at': 4, 'op': 'peerDown', 'peer': 'ars/nva2', 'mode': 'silent' },"
			 "{ 'at': 5, 'op': 'advertise', 'from': 'ars/nva1', 'prefixes': [ '10.200.0.0/16',"
			 "  '10.201.0.0/16', '10.202.0.0/16' ] },"
			 "{ 'at': 6, 'op': 'checkpoint', 'label': 'dropped' },"
			 "{ 'at': 30, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': [ '10.200.0.0/16',"
			 "  '10.201.0.0/16', '10.202.0.0/16' ] },"
			 "{ 'at': 40, 'op': 'instanceDown', 'target': 'ars/IN_0' },"
			 "{ 'at': 50, 'op': 'instanceUp', 'target': 'ars/IN_0' },"
			 "{ 'at': 70, 'op': 'checkpoint', 'label': 'retried' },"
			 "{ 'at': 80, 'op': 'add', 'path': 'virtualNetworks/extra', 'value': {"
			 "  'location': 'westeurope', 'addressSpace': { 'addressPrefixes': ['10.5.0.0/16'] },"
			 "  'subnets': [ { 'name': 'app', 'addressPrefix': '10.5.0.0/24' } ] } },"
			 "{ 'at': 81, 'op': 'set', 'path': 'routeTables/rt-app/routes/web', 'value': {"
			 "  'nextHopType': 'None' } },"
			 "{ 'at': 82, 'op': 'set', 'path': 'virtualNetworks/spoke/virtualNetworkPeerings/spoke-hub',"
			 "  'value': { 'useRemoteGateways': false } },"
			 "{ 'at': 83, 'op': 'set', 'path': 'virtualNetworks/spoke/virtualNetworkPeerings/spoke-hub',"
			 "  'value': { 'useRemoteGateways': true } },"
			 "{ 'at': 84, 'op': 'add', 'path': 'networkInterfaces/extra-vm', 'value': {"
			 "  'ipConfigurations': [ { 'subnet': { 'id': 'extra/app' } } ] } },"
			 "{ 'at': 85, 'op': 'remove', 'path': 'networkInterfaces/extra-vm' },"
			 "{ 'at': 86, 'op': 'remove', 'path': 'virtualNetworks/extra' },"
			 "{ 'at': 90, 'op': 'checkpoint', 'label': 'edited' }"),
		shows);
}

/* Route Server capacity: 4,001 VMs in the domain of a Route Server with 2
 * units (4,000 VMs): the most recent NIC gets no Route Server routes until
 * the scale-out completes; a NIC added meanwhile joins it. */
Test(run_oom, route_server_scale_out, .timeout = 280)
{
	static const char *const shows[] = { "4001 VMs exceed capacity 4000", "unprogrammed spoke-vm",
					     "unprogrammed late-vm", "Route Server scaled out to 3",
					     "(scale-out ars)", NULL };
	oom_never_corrupts_text(
		"route server scale-out",
		SCENARIO("'routeServerScaleOutSeconds': 60",
			 NIC("nva1-nic", "hub/nva", "'enableIPForwarding': true, ") ","
			 NIC("vm-*", "hub/app", "'count': 3999, ") "," NIC("spoke-vm", "spoke/app", ""),
			 "{ 'at': 0, 'op': 'advertise', 'from': 'ars/nva1', 'prefixes': [ '0.0.0.0/0' ] },"
			 "{ 'at': 10, 'op': 'checkpoint', 'label': 'beyond' },"
			 "{ 'at': 20, 'op': 'add', 'path': 'networkInterfaces/late-vm', 'value': {"
			 "  'ipConfigurations': [ { 'subnet': { 'id': 'spoke/app' } } ] } },"
			 "{ 'at': 30, 'op': 'checkpoint', 'label': 'later' }"),
		shows);
}

/* The engine's queue grows while the run goes: 16 file events fill its
 * first block; the first one drops both of nva1's sessions (3 prefixes,
 * limit 2), whose two retries make 17 pending events.  A withdraw at 30s
 * lets both retries at 60s succeed; a checkpoint at 70s waits for them. */
#define CHECKPOINT(at) "{ 'at': " at ", 'op': 'checkpoint', 'label': 'c" at "' },"
Test(run_oom, timers_when_the_queue_grows, .timeout = 280)
{
	static const char *const shows[] = { "session IN_0 dropped", "session IN_1 dropped",
					     "session at 60000 ars/nva1: session re-established", NULL };
	oom_never_corrupts_text(
		"timers when the queue grows",
		SCENARIO_MAX("'bgpConnectRetrySeconds': 60", "2",
			     NIC("nva1-nic", "hub/nva", "'enableIPForwarding': true, ") ","
			     NIC("app-vm", "hub/app", ""),
			     "{ 'at': 0, 'op': 'advertise', 'from': 'ars/nva1', 'prefixes': [ "
			     "  '10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16' ] },"
			     CHECKPOINT("1") CHECKPOINT("2") CHECKPOINT("3") CHECKPOINT("4")
			     CHECKPOINT("5") CHECKPOINT("6") CHECKPOINT("7") CHECKPOINT("8")
			     CHECKPOINT("9") CHECKPOINT("10") CHECKPOINT("11") CHECKPOINT("12")
			     CHECKPOINT("13") CHECKPOINT("70")
			     "{ 'at': 30, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': [ "
			     "  '10.12.0.0/16' ] }"),
		shows);
}
