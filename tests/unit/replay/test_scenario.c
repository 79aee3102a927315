/*
 * test_scenario.c - loading a scenario file (models/replay/scenario.c;
 * RULES 2, 2.1-2.3): the top level, settings and their defaults, every
 * event kind with its references, the stable sort by time, expectations,
 * routes files, the service tag catalogue given by the caller, and the
 * ownership of the document.
 *
 * Most tests go through scenario_load_doc with a document parsed from a
 * single-quoted JSON string; those about files use scenario_load with a
 * temporary folder.  Bad inputs are tables of (fragment, JSON path, words
 * of the message).  Network: hub 10.0.0.0/16 with a Route Server "ars"
 * (NVA nva1), a VPN gateway "vpngw" with a BGP connection "branch" and a
 * static one "static" (enableBgp false), subnets nva and app; one NIC.
 */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "helpers.h"
#include "testfs.h"

#define TOPO                                                                                   \
	"{ 'virtualNetworks': [ { 'name': 'hub', 'location': 'westeurope',"                    \
	"    'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                          \
	"    'subnets': [ { 'name': 'GatewaySubnet', 'addressPrefix': '10.0.255.0/27' },"      \
	"                 { 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.254.0/26' },"  \
	"                 { 'name': 'nva', 'addressPrefix': '10.0.1.0/24' },"                  \
	"                 { 'name': 'app', 'addressPrefix': '10.0.2.0/24' } ] } ],"            \
	"  'networkInterfaces': [ { 'name': 'nva1-nic', 'enableIPForwarding': true,"           \
	"    'ipConfigurations': [ { 'subnet': { 'id': 'hub/nva' },"                           \
	"                            'privateIPAddress': '10.0.1.4' } ] } ],"                  \
	"  'virtualNetworkGateways': [ { 'name': 'vpngw', 'virtualNetwork': { 'id': 'hub' },"  \
	"    'gatewayType': 'Vpn', 'sku': { 'name': 'VpnGw1' }, 'enableBgp': true,"           \
	"    'publicIpAddress': '20.1.2.3' } ],"                                                 \
	"  'connections': ["                                                                   \
	"    { 'name': 'branch', 'virtualNetworkGateway': { 'id': 'vpngw' },"                  \
	"      'connectionType': 'IPsec', 'enableBgp': true, 'peerAsn': 65100,"                \
	"      'peerBgpAddress': '192.168.100.1', 'localNetworkAddressPrefixes': [] },"        \
	"    { 'name': 'static', 'virtualNetworkGateway': { 'id': 'vpngw' },"                  \
	"      'connectionType': 'IPsec', 'enableBgp': false,"                                 \
	"      'localNetworkAddressPrefixes': ['192.168.50.0/24'] } ],"                        \
	"  'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"   \
	"    'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001 } ] } ] }"

/* A whole scenario: settings body, events body, expectations body. */
#define SC(settings, events, exps)                                                             \
	"{ 'schemaVersion': 1, 'settings': { " settings " }, 'topology': " TOPO ","           \
	"  'events': [ " events " ], 'expectations': [ " exps " ] }"
#define EV(at, op, rest) "{ 'at': " at ", 'op': '" op "' " rest " }"
#define CP(at, label) EV(at, "checkpoint", ", 'label': '" label "'")

struct sfx {
	struct diag *d;
	struct scenario *s;
};

/* Loads a single-quoted scenario text; NULL when it has errors. */
static struct scenario *sfx_try(struct sfx *f, const char *sq)
{
	f->d = diag_create();
	cr_assert_not_null(f->d);
	bool env = true;
	f->s = scenario_load_doc("test.json", json_parse_sq(sq), NULL, f->d, &env);
	cr_expect(!env, "no I/O in a document");
	return f->s;
}

static struct scenario *sfx_load(struct sfx *f, const char *sq)
{
	if (!sfx_try(f, sq))
		diag_dump(f->d);
	cr_assert_not_null(f->s, "test bug: the scenario does not load");
	return f->s;
}

static void sfx_fini(struct sfx *f)
{
	scenario_destroy(f->s);
	diag_destroy(f->d);
}

/* A scenario that must fail with an error at path containing words. */
struct bad {
	const char *sq;
	const char *path;
	const char *words;
};

static void expect_bad(const struct bad *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sfx f;
		cr_expect_null(sfx_try(&f, cases[i].sq), "case %zu (%s) loads", i, cases[i].path);
		if (!diag_find(f.d, DIAG_ERROR, cases[i].path, cases[i].words)) {
			diag_dump(f.d);
			cr_expect_fail("case %zu: no error at %s with \"%s\"", i, cases[i].path,
				       cases[i].words);
		}
		sfx_fini(&f);
	}
}

/* ---- the top level ------------------------------------------------------------------ */

Test(scenario, minimal_file_takes_every_default)
{
	struct sfx f;
	struct scenario *s = sfx_load(&f, "{ 'schemaVersion': 1, 'topology': " TOPO " }");
	cr_expect_str_eq(s->file, "test.json");
	cr_expect_str_eq(s->name, "");
	cr_expect_str_eq(s->description, "");
	cr_expect_eq(s->seed, 0);
	cr_expect_eq(s->nevents, 0);
	cr_expect_eq(s->nexpectations, 0);
	cr_expect_not_null(s->topo);
	cr_expect_not_null(s->topology_json);
	cr_expect_not_null(s->tags, "the built-in sample catalogue");
	const struct settings *st = &s->settings;
	cr_expect_eq(st->hold_ms, 180000);
	cr_expect_eq(st->keepalive_ms, 60000);
	cr_expect_eq(st->connect_retry_ms, 60000);
	cr_expect_eq(st->programming_delay_ms, 0);
	cr_expect_eq(st->scale_out_ms, 1500000, "RULES 1.8: 1500 s");
	cr_expect_eq(st->horizon_ms, -1);
	cr_expect_str_eq(st->none_profile, "DOC");
	static const char *const doc[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
					   "100.64.0.0/10" };
	cr_assert_eq(st->none_prefixes.n, NELEM(doc));
	for (size_t i = 0; i < NELEM(doc); i++)
		cr_expect(prefix_equal(st->none_prefixes.v[i], P(doc[i])), "%s", doc[i]);
	cr_expect_eq(diag_count(f.d, DIAG_ERROR), 0);
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 0);
	sfx_fini(&f);
}

Test(scenario, name_description_seed)
{
	struct sfx f;
	struct scenario *s = sfx_load(&f, "{ 'schemaVersion': 1, 'name': 'n', 'description': 'd',"
					  "  'seed': 9007199254740991, 'topology': " TOPO " }");
	cr_expect_str_eq(s->name, "n");
	cr_expect_str_eq(s->description, "d");
	cr_expect_eq(s->seed, 9007199254740991ULL, "2^53 - 1: the largest exact seed");
	sfx_fini(&f);
}

Test(scenario, top_level_errors)
{
	static const struct bad cases[] = {
		{ "[]", "$", "a scenario is a JSON object" },
		{ "7", "$", "a scenario is a JSON object" },
		{ "{ 'topology': " TOPO " }", "$", "missing required key \"schemaVersion\"" },
		{ "{ 'schemaVersion': 2, 'topology': " TOPO " }", "$.schemaVersion", "not supported" },
		{ "{ 'schemaVersion': 0, 'topology': " TOPO " }", "$.schemaVersion", "not supported" },
		{ "{ 'schemaVersion': '1', 'topology': " TOPO " }", "$.schemaVersion", NULL },
		{ "{ 'schemaVersion': 1 }", "$", "missing required key \"topology\"" },
		{ "{ 'schemaVersion': 1, 'topology': " TOPO ", 'events': {} }", "$.events", NULL },
		{ "{ 'schemaVersion': 1, 'topology': " TOPO ", 'seed': -1 }", "$.seed", NULL },
	};
	expect_bad(cases, NELEM(cases));
}

Test(scenario, unknown_top_level_key_is_a_warning)
{
	struct sfx f;
	sfx_load(&f, "{ 'schemaVersion': 1, '$schema': 'x', 'colour': 1, 'topology': " TOPO " }");
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$.colour", "unknown key"));
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 1, "$schema is known");
	sfx_fini(&f);
}

/* A scenario whose settings object has this body. */
static void with_settings(char *buf, size_t len, const char *settings)
{
	snprintf(buf, len, "{ 'schemaVersion': 1, 'settings': { %s }, 'topology': %s }", settings,
		 TOPO);
}

/* ---- settings ------------------------------------------------------------------------- */

Test(scenario, none_profiles_by_name_and_explicit)
{
	static const struct {
		const char *settings;
		const char *profile;       /* NULL: explicit */
		size_t n;
		const char *first;
	} cases[] = {
		{ "'platformNoneRoutes': 'DOC'", "DOC", 4, "10.0.0.0/8" },
		{ "'platformNoneRoutes': 'OBS2019'", "OBS2019", 3, "10.0.0.0/8" },
		{ "'platformNoneRoutes': 'OBS2024'", "OBS2024", 21, "10.0.0.0/8" },
		{ "'platformNoneRoutes': []", NULL, 0, NULL },
		{ "'platformNoneRoutes': ['0.0.0.0/0']", NULL, 1, "0.0.0.0/0" },
		{ "'platformNoneRoutes': ['1.2.3.4/32', '10.0.0.0/8']", NULL, 2, "1.2.3.4/32" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char sq[4096];
		with_settings(sq, sizeof(sq), cases[i].settings);
		struct sfx f;
		const struct settings *st = &sfx_load(&f, sq)->settings;
		if (cases[i].profile)
			cr_expect_str_eq(st->none_profile, cases[i].profile);
		else
			cr_expect_null(st->none_profile, "%s", cases[i].settings);
		cr_expect_eq(st->none_prefixes.n, cases[i].n, "%s", cases[i].settings);
		if (cases[i].first)
			cr_expect(prefix_equal(st->none_prefixes.v[0], P(cases[i].first)));
		sfx_fini(&f);
	}
}

/* Explicit lists: 64 prefixes is the limit. */
static char *none_list(size_t n)
{
	size_t len = 64 + n * 24;
	char *list = malloc(len), *p = list;
	cr_assert_not_null(list);
	p += sprintf(p, "'platformNoneRoutes': [");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s'10.%zu.0.0/16'", i ? ", " : "", i);
	sprintf(p, "]");
	return list;
}

Test(scenario, at_most_64_explicit_none_prefixes)
{
	char sq[8192];
	char *l64 = none_list(64), *l65 = none_list(65);
	with_settings(sq, sizeof(sq), l64);
	struct sfx f;
	const struct settings *st = &sfx_load(&f, sq)->settings;
	cr_expect_eq(st->none_prefixes.n, 64);
	cr_expect(prefix_equal(st->none_prefixes.v[63], P("10.63.0.0/16")));
	sfx_fini(&f);
	with_settings(sq, sizeof(sq), l65);
	struct bad b = { sq, "$.settings.platformNoneRoutes[64]", "more than 64" };
	expect_bad(&b, 1);
	free(l64);
	free(l65);
}

Test(scenario, times_in_settings)
{
	struct sfx f;
	const struct settings *st =
		&sfx_load(&f, SC("'bgpHoldSeconds': '90s', 'bgpKeepaliveSeconds': 30,"
				 "'bgpConnectRetrySeconds': '2m', 'routeProgrammingDelaySeconds': '250ms',"
				 "'routeServerScaleOutSeconds': 0.5, 'horizonSeconds': '1h'", "", ""))
			 ->settings;
	cr_expect_eq(st->hold_ms, 90000);
	cr_expect_eq(st->keepalive_ms, 30000);
	cr_expect_eq(st->connect_retry_ms, 120000);
	cr_expect_eq(st->programming_delay_ms, 250);
	cr_expect_eq(st->scale_out_ms, 500);
	cr_expect_eq(st->horizon_ms, 3600000);
	sfx_fini(&f);
}

/* The hold time boundaries of RFC 4271: 0 (no keepalives) or >= 3 s, with
 * keepalives >= 1 s and shorter than the hold time. */
Test(scenario, hold_and_keepalive_boundaries)
{
	static const struct {
		const char *settings;
		int64_t hold, keepalive;
	} ok[] = {
		{ "'bgpHoldSeconds': 0", 0, -1 },
		{ "'bgpHoldSeconds': 3, 'bgpKeepaliveSeconds': 1", 3000, 1000 },
		{ "'bgpHoldSeconds': 3, 'bgpKeepaliveSeconds': 2.999", 3000, 2999 },
		{ "'bgpHoldSeconds': 0, 'bgpKeepaliveSeconds': 0", 0, 0 },
		{ "'bgpHoldSeconds': 65535, 'bgpKeepaliveSeconds': 60", 65535000, 60000 },
	};
	for (size_t i = 0; i < NELEM(ok); i++) {
		char sq[4096];
		with_settings(sq, sizeof(sq), ok[i].settings);
		struct sfx f;
		const struct settings *st = &sfx_load(&f, sq)->settings;
		cr_expect_eq(st->hold_ms, ok[i].hold, "%s", ok[i].settings);
		if (ok[i].keepalive >= 0)
			cr_expect_eq(st->keepalive_ms, ok[i].keepalive, "%s", ok[i].settings);
		sfx_fini(&f);
	}
	static const struct bad bad[] = {
		{ SC("'bgpHoldSeconds': 2.999", "", ""), "$.settings.bgpHoldSeconds", "at least 3 seconds" },
		{ SC("'bgpHoldSeconds': 0.001", "", ""), "$.settings.bgpHoldSeconds", "at least 3 seconds" },
		{ SC("'bgpHoldSeconds': 9, 'bgpKeepaliveSeconds': 9", "", ""),
		  "$.settings.bgpKeepaliveSeconds", "shorter than the hold time" },
		{ SC("'bgpHoldSeconds': 9, 'bgpKeepaliveSeconds': 10", "", ""),
		  "$.settings.bgpKeepaliveSeconds", "shorter than the hold time" },
		{ SC("'bgpHoldSeconds': 9, 'bgpKeepaliveSeconds': 0.999", "", ""),
		  "$.settings.bgpKeepaliveSeconds", "at most once a second" },
		{ SC("'bgpConnectRetrySeconds': 0.999", "", ""), "$.settings.bgpConnectRetrySeconds",
		  "at least 1 second" },
		{ SC("'bgpHoldSeconds': -1", "", ""), "$.settings.bgpHoldSeconds", "not a time" },
		{ SC("'horizonSeconds': '5x'", "", ""), "$.settings.horizonSeconds", "not a time" },
		{ SC("'platformNoneRoutes': 'OBS2020'", "", ""), "$.settings.platformNoneRoutes",
		  "one of DOC, OBS2019" },
		{ SC("'platformNoneRoutes': 5", "", ""), "$.settings.platformNoneRoutes",
		  "a profile name or an array" },
		{ SC("'platformNoneRoutes': ['10.0.0.0/8', '10.0.0.1/8']", "", ""),
		  "$.settings.platformNoneRoutes[1]", NULL },
	};
	expect_bad(bad, NELEM(bad));
}

/* RULES 2.1: "bgpKeepaliveSeconds omitted: min(60, a third of
 * bgpHoldSeconds)".  A short hold time alone must load. */
Test(scenario, keepalive_omitted_is_a_third_of_the_hold_time_at_most_60s)
{
	static const struct {
		const char *settings;
		int64_t keepalive;
	} cases[] = {
		{ "'bgpHoldSeconds': 3", 1000 },     { "'bgpHoldSeconds': 9", 3000 },
		{ "'bgpHoldSeconds': 30", 10000 },   { "'bgpHoldSeconds': 90", 30000 },
		{ "'bgpHoldSeconds': 180", 60000 },  { "'bgpHoldSeconds': 181", 60000 },
		{ "'bgpHoldSeconds': 600", 60000 },  { "", 60000 },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char sq[4096];
		with_settings(sq, sizeof(sq), cases[i].settings);
		struct sfx f;
		if (!sfx_try(&f, sq)) {
			diag_dump(f.d);
			cr_expect_fail("{ %s } does not load", cases[i].settings);
		} else {
			cr_expect_eq(f.s->settings.keepalive_ms, cases[i].keepalive, "{ %s }: %lld ms",
				     cases[i].settings, (long long)f.s->settings.keepalive_ms);
		}
		sfx_fini(&f);
	}
}

/* One error in the settings is one error: the stages after it still run
 * on their own input and report only their own problems (scenario.c: "so
 * one run shows all problems"), not consequences of the first one. */
Test(scenario, a_settings_error_reports_nothing_else)
{
	struct sfx f;
	cr_expect_null(sfx_try(&f, SC("'bgpConnectRetrySeconds': 0", CP("10", "cp"),
				      "{ 'at': 'cp', 'nic': 'nva1-nic', 'destination': '10.0.2.4',"
				      "  'nextHopType': 'VnetLocal' }")));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.settings.bgpConnectRetrySeconds", NULL));
	if (diag_count(f.d, DIAG_ERROR) != 1) {
		diag_dump(f.d);
		cr_expect_fail("%zu errors for one mistake", diag_count(f.d, DIAG_ERROR));
	}
	sfx_fini(&f);
}

/* ---- events --------------------------------------------------------------------------- */

Test(scenario, ev_op_names)
{
	/* The spelling of the file (RULES 2.2), by operation. */
	static const char *const names[] = {
		[EV_ADVERTISE] = "advertise",       [EV_WITHDRAW] = "withdraw",
		[EV_PEER_DOWN] = "peerDown",        [EV_PEER_UP] = "peerUp",
		[EV_INSTANCE_DOWN] = "instanceDown", [EV_INSTANCE_UP] = "instanceUp",
		[EV_ADD] = "add",                   [EV_SET] = "set",
		[EV_REMOVE] = "remove",             [EV_CHECKPOINT] = "checkpoint",
	};
	cr_assert_eq(NELEM(names), EV_CHECKPOINT + 1, "test bug: an operation is missing");
	for (int op = EV_ADVERTISE; op <= EV_CHECKPOINT; op++)
		cr_expect_str_eq(ev_op_name((enum ev_op)op), names[op]);
	cr_expect_str_eq(ev_op_name((enum ev_op)(EV_CHECKPOINT + 1)), "?");
}

/* RULES 2.2: times in seconds or with a unit; sorted by time, equal
 * times in file order; index stays the position in the file. */
Test(scenario, events_sorted_by_time_stably)
{
	struct sfx f;
	struct scenario *s = sfx_load(&f, SC("", CP("'10s'", "c0") "," CP("0", "c1") ","
						 CP("10", "c2") "," CP("'9999ms'", "c3") ","
						 CP("0", "c4") "," CP("'10000ms'", "c5") ","
						 CP("'1h'", "c6") "," CP("1.5", "c7") ","
						 CP("0.001", "c8") "," CP("'5m'", "c9") ","
						 CP("'0s'", "c10"), ""));
	/* label:index:at_ms, in the order expected */
	static const char *const want[] = { "c1:1:0",	    "c4:4:0",	   "c10:10:0",
					    "c8:8:1",	    "c7:7:1500",   "c3:3:9999",
					    "c0:0:10000",   "c2:2:10000",  "c5:5:10000",
					    "c9:9:300000",  "c6:6:3600000" };
	cr_assert_eq(s->nevents, NELEM(want));
	for (size_t i = 0; i < NELEM(want); i++) {
		char got[64];
		snprintf(got, sizeof(got), "%s:%zu:%lld", s->events[i].label, s->events[i].index,
			 (long long)s->events[i].at_ms);
		cr_expect_str_eq(got, want[i], "event %zu", i);
		cr_expect_eq(s->events[i].op, EV_CHECKPOINT);
	}
	sfx_fini(&f);
}

Test(scenario, event_errors)
{
	static const struct bad bad[] = {
		{ SC("", CP("-1", "x"), ""), "$.events[0].at", "not a time" },
		{ SC("", CP("'5x'", "x"), ""), "$.events[0].at", "not a time" },
		{ SC("", CP("true", "x"), ""), "$.events[0].at", "expected a time" },
		{ SC("", "{ 'op': 'checkpoint', 'label': 'x' }", ""), "$.events[0]",
		  "missing required key \"at\"" },
		{ SC("", "{ 'at': 0 }", ""), "$.events[0]", "missing required key \"op\"" },
		{ SC("", EV("0", "failover", ""), ""), "$.events[0].op", "unknown op \"failover\"" },
		{ SC("", "5", ""), "$.events[0]", "expected an event object" },
	};
	expect_bad(bad, NELEM(bad));
}

#define ADV(rest) EV("0", "advertise", ", 'from': 'ars/nva1', 'prefixes': ['10.100.0.0/16'] " rest)

Test(scenario, advertise_attributes)
{
	struct sfx f;
	struct scenario *s = sfx_load(
		&f, SC("", EV("0", "advertise", ", 'from': 'ars/nva1',"
					     "'prefixes': ['0.0.0.0/0', '10.100.0.0/16', '1.2.3.4/32'],"
					     "'asPath': [65001, 4294967295], 'nextHop': '10.0.1.9',"
					     "'communities': ['65535:65282', 'no-advertise', 42, '0:0',"
					     "                '1:2'], 'to': ['IN_1']"), ""));
	const struct event *e = &s->events[0];
	cr_expect_eq(e->op, EV_ADVERTISE);
	cr_expect_str_eq(e->from, "ars/nva1");
	cr_assert_eq(e->nprefixes, 3);
	cr_expect(prefix_equal(e->prefixes[0], P("0.0.0.0/0")));
	cr_expect(prefix_equal(e->prefixes[2], P("1.2.3.4/32")));
	cr_expect(e->has_as_path);
	cr_assert_eq(e->as_len, 2);
	cr_expect_eq(e->as_path[1], 4294967295u);
	cr_expect(e->has_next_hop);
	cr_expect_eq(e->next_hop, IP(10, 0, 1, 9));
	static const uint32_t comms[] = { 0xFFFFFF02u, 0xFFFFFF02u, 42, 0, (1u << 16) | 2 };
	cr_assert_eq(e->ncommunities, NELEM(comms));
	for (size_t i = 0; i < NELEM(comms); i++)
		cr_expect_eq(e->communities[i], comms[i], "community %zu", i);
	cr_expect(e->has_to);
	cr_expect_eq(e->to_mask, 2);
	sfx_fini(&f);
}

Test(scenario, advertise_defaults_and_withdraw)
{
	struct sfx f;
	struct scenario *s = sfx_load(&f, SC("", ADV("") "," EV("1", "withdraw",
						", 'from': 'branch', 'prefixes': ['10.100.0.0/16']"), ""));
	const struct event *e = &s->events[0];
	cr_expect(!e->has_as_path);
	cr_expect(!e->has_next_hop);
	cr_expect_eq(e->ncommunities, 0);
	cr_expect(!e->has_to);
	cr_expect_eq(e->to_mask, 3, "both instances by default");
	cr_expect_eq(s->events[1].op, EV_WITHDRAW);
	cr_expect_str_eq(s->events[1].from, "branch");
	sfx_fini(&f);
	/* 64 hops is the longest path modelled; an empty path is a path. */
	char path[64 * 8 + 64], *p = path;
	p += sprintf(p, ", 'asPath': [");
	for (int i = 0; i < 64; i++)
		p += sprintf(p, "%s%d", i ? "," : "", 65001 + i);
	sprintf(p, "]");
	char sq[8192];
	snprintf(sq, sizeof(sq),
		 "{ 'schemaVersion': 1, 'topology': %s, 'events': [ { 'at': 0, 'op': 'advertise',"
		 "  'from': 'ars/nva1', 'prefixes': ['10.100.0.0/16'] %s } ] }",
		 TOPO, path);
	cr_expect_eq(sfx_load(&f, sq)->events[0].as_len, 64);
	sfx_fini(&f);
	cr_expect_eq(sfx_load(&f, SC("", ADV(", 'asPath': []"), ""))->events[0].as_len, 0);
	cr_expect(f.s->events[0].has_as_path);
	sfx_fini(&f);
}

Test(scenario, advertise_errors)
{
	static char long_path[8192];
	char *p = long_path;
	p += sprintf(p, "{ 'schemaVersion': 1, 'topology': " TOPO ", 'events': [ { 'at': 0,"
			"'op': 'advertise', 'from': 'ars/nva1', 'prefixes': ['10.100.0.0/16'],"
			"'asPath': [");
	for (int i = 0; i < 65; i++)
		p += sprintf(p, "%s%d", i ? "," : "", 65001);
	sprintf(p, "] } ] }");
	const struct bad bad[] = {
		{ long_path, "$.events[0].asPath", "at most 64" },
		{ SC("", EV("0", "advertise", ", 'from': 'ars/nva1', 'prefixes': []"), ""),
		  "$.events[0].prefixes", "at least one prefix" },
		{ SC("", EV("0", "advertise", ", 'from': 'ars/nva1', 'prefixes': ['10.0.0.1/8']"), ""),
		  "$.events[0].prefixes[0]", NULL },
		{ SC("", EV("0", "advertise", ", 'from': 'ars/nva1'"), ""), "$.events[0]",
		  "missing required key \"prefixes\"" },
		{ SC("", EV("0", "advertise", ", 'prefixes': ['10.1.0.0/16']"), ""), "$.events[0]",
		  "missing required key \"from\"" },
		{ SC("", ADV(", 'asPath': [0]"), ""), "$.events[0].asPath[0]", "1..4294967295" },
		{ SC("", ADV(", 'asPath': [4294967296]"), ""), "$.events[0].asPath[0]", "1..4294967295" },
		{ SC("", ADV(", 'asPath': [1.5]"), ""), "$.events[0].asPath[0]", "1..4294967295" },
		{ SC("", ADV(", 'communities': ['65536:1']"), ""), "$.events[0].communities[0]",
		  "high:low" },
		{ SC("", ADV(", 'communities': ['1:2:3']"), ""), "$.events[0].communities[0]",
		  "high:low" },
		{ SC("", ADV(", 'communities': [-1]"), ""), "$.events[0].communities[0]", "high:low" },
		{ SC("", ADV(", 'communities': [4294967296]"), ""), "$.events[0].communities[0]",
		  "high:low" },
		{ SC("", ADV(", 'to': []"), ""), "$.events[0].to", "names no instance" },
		{ SC("", ADV(", 'to': ['IN_2']"), ""), "$.events[0].to[0]", "\"IN_0\" or \"IN_1\"" },
		{ SC("", ADV(", 'nextHop': '10.0.1'"), ""), "$.events[0].nextHop", NULL },
	};
	expect_bad(bad, NELEM(bad));
}

/* A speaker is "rs/bgpConnection" or a connection with a BGP session; one
 * created by an earlier add event counts. */
Test(scenario, speaker_references)
{
	static const struct bad bad[] = {
		{ SC("", EV("0", "advertise", ", 'from': 'ars/nva2', 'prefixes': ['10.1.0.0/16']"), ""),
		  "$.events[0].from", "no Route Server BGP connection \"ars/nva2\"" },
		{ SC("", EV("0", "advertise", ", 'from': 'nva1', 'prefixes': ['10.1.0.0/16']"), ""),
		  "$.events[0].from", "no connection or Route Server BGP connection" },
		{ SC("", EV("0", "advertise", ", 'from': 'static', 'prefixes': ['10.1.0.0/16']"), ""),
		  "$.events[0].from", "has no BGP session" },
		{ SC("", EV("0", "peerDown", ", 'peer': 'nope', 'mode': 'silent'"), ""),
		  "$.events[0].peer", "no connection or Route Server BGP connection" },
	};
	expect_bad(bad, NELEM(bad));
	struct sfx f;
	struct scenario *s = sfx_load(
		&f, SC("", EV("0", "add", ", 'path': 'routeServers/ars/bgpConnections/nva2',"
					" 'value': { 'peerIp': '10.0.1.5', 'peerAsn': 65002 }") ","
			   EV("1", "advertise", ", 'from': 'ars/nva2', 'prefixes': ['10.1.0.0/16']") ","
			   EV("2", "peerDown", ", 'peer': 'static', 'mode': 'graceful'"), ""));
	cr_expect_eq(s->nevents, 3, "added earlier; a static connection can go down");
	sfx_fini(&f);
}

/* RULES 2.2: validation follows the timeline.  Each event is judged
 * against the topology as the events before it in time leave it, not the
 * topology at time 0 (issue 16: enabling BGP on a connection is the
 * what-if people want to test). */
#define ENABLE_BGP(at, conn)                                                                   \
	EV(at, "set", ", 'path': 'connections/" conn "', 'value': { 'enableBgp': true,"         \
		      " 'peerAsn': 65200, 'peerBgpAddress': '192.168.50.1' }")
#define ADV_FROM(at, from) EV(at, "advertise", ", 'from': '" from "', 'prefixes': ['192.168.60.0/24']")
Test(scenario, an_event_is_judged_against_the_topology_its_time_has)
{
	struct sfx f;
	struct scenario *s = sfx_load(&f, SC("", ENABLE_BGP("30", "static") "," ADV_FROM("60", "static"),
					     ""));
	cr_expect_eq(s->nevents, 2, "enabled at 30 s, advertised at 60 s");
	sfx_fini(&f);
	/* Time order, not file order: the add listed first comes later. */
	sfx_load(&f, SC("", EV("5", "withdraw", ", 'from': 'static', 'prefixes': ['10.1.0.0/16']") ","
			    ENABLE_BGP("1", "static"), ""));
	sfx_fini(&f);
	static const struct bad bad[] = {
		/* The reverse case: nothing creates rt-missing. */
		{ SC("", EV("90", "set", ", 'path': 'routeTables/rt-missing/routes/r1',"
					 " 'value': { 'nextHopType': 'None' }"), ""),
		  "$.events[0]", "rejected at 90.000s: no routeTables named \"rt-missing\"" },
		/* Listed first in the file, but added after the advertise. */
		{ SC("", EV("100", "add", ", 'path': 'routeServers/ars/bgpConnections/nva2',"
					  " 'value': { 'peerIp': '10.0.1.5', 'peerAsn': 65002 }") ","
			     ADV_FROM("10", "ars/nva2"), ""),
		  "$.events[1].from", "no Route Server BGP connection \"ars/nva2\"" },
		{ SC("", EV("10", "remove", ", 'path': 'routeServers/ars/bgpConnections/nva1'") ","
			     ADV_FROM("20", "ars/nva1"), ""),
		  "$.events[1].from", "no Route Server BGP connection \"ars/nva1\" at 20.000s" },
		{ SC("", ENABLE_BGP("10", "static") ","
			     EV("20", "set", ", 'path': 'connections/static', 'value': { 'enableBgp': false }") ","
			     ADV_FROM("30", "static"), ""),
		  "$.events[2].from", "has no BGP session (enableBgp is false)" },
		{ SC("", EV("60", "add", ", 'path': 'virtualNetworks/hub/subnets/clash',"
					 " 'value': { 'addressPrefix': '10.0.1.128/25' }"), ""),
		  "$.events[0]", "at 60.000s would make the topology invalid" },
		/* Found by run only until now. */
		{ SC("", EV("0", "advertise", ", 'from': 'branch', 'prefixes': ['10.100.0.0/16'],"
					" 'to': ['IN_0']"), ""),
		  "$.events[0].to", "is a gateway connection" },
		{ SC("", EV("10", "remove", ", 'path': 'connections/branch'") ","
			     EV("11", "remove", ", 'path': 'connections/static'") ","
			     EV("12", "remove", ", 'path': 'virtualNetworkGateways/vpngw'") ","
			     EV("20", "instanceDown", ", 'target': 'vpngw/IN_0'"), ""),
		  "$.events[3].target", "no Route Server or gateway named \"vpngw\" at 20.000s" },
		{ SC("", EV("10", "remove", ", 'path': 'connections/branch'") ","
			     EV("20", "peerDown", ", 'peer': 'branch', 'mode': 'graceful'"), ""),
		  "$.events[1].peer", "no connection or Route Server BGP connection \"branch\"" },
	};
	expect_bad(bad, NELEM(bad));
}

/* An invalid edit is reported and left out: the events after it are judged
 * against the topology without it, and every problem is listed. */
Test(scenario, every_timeline_error_is_reported)
{
	struct sfx f;
	cr_expect_null(sfx_try(&f, SC("", EV("10", "set", ", 'path': 'routeTables/nope', 'value': {}") ","
				      ADV_FROM("20", "static") ","
				      EV("30", "remove", ", 'path': 'connections/nope'"), "")));
	static const char *const want[][2] = { { "$.events[0]", "nothing at" },
					       { "$.events[1].from", "no BGP session" },
					       { "$.events[2]", "nothing at" } };
	for (size_t i = 0; i < NELEM(want); i++)
		cr_expect_not_null(diag_find(f.d, DIAG_ERROR, want[i][0], want[i][1]), "%s",
				   want[i][0]);
	sfx_fini(&f);
}

/* RULES 2.2: a peerDown of a peer already down changes nothing; check
 * warns, in time order (the peerUp listed last comes in between). */
Test(scenario, peer_down_of_a_peer_already_down_warns)
{
	struct sfx f;
	sfx_load(&f, SC("", EV("10", "peerDown", ", 'peer': 'ars/nva1', 'mode': 'silent'") ","
			    EV("30", "peerDown", ", 'peer': 'ars/nva1', 'mode': 'graceful'") ","
			    EV("40", "peerDown", ", 'peer': 'branch', 'mode': 'graceful'") ","
			    EV("20", "peerUp", ", 'peer': 'ars/nva1'") ","
			    EV("50", "peerDown", ", 'peer': 'branch', 'mode': 'silent'"), ""));
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 1);
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$.events[4]", "already down"));
	sfx_fini(&f);
}

/* An instance event of a gateway added by an earlier edit is valid. */
Test(scenario, instance_event_of_an_added_gateway)
{
	struct sfx f;
	sfx_load(&f, SC("", EV("10", "add", ", 'path': 'virtualNetworkGateways/ergw', 'value': {"
					    " 'virtualNetwork': { 'id': 'hub' }, 'gatewayType': 'ExpressRoute',"
					    " 'sku': { 'name': 'ErGw1AZ' } }") ","
			    EV("20", "instanceDown", ", 'target': 'ergw/IN_1'"), ""));
	sfx_fini(&f);
}

Test(scenario, peer_and_instance_events)
{
	struct sfx f;
	struct scenario *s = sfx_load(
		&f, SC("", EV("0", "peerDown", ", 'peer': 'ars/nva1', 'mode': 'silent'") ","
			   EV("1", "peerUp", ", 'peer': 'ars/nva1'") ","
			   EV("2", "peerDown", ", 'peer': 'branch', 'mode': 'graceful'") ","
			   EV("3", "instanceDown", ", 'target': 'ars/IN_1'") ","
			   EV("4", "instanceUp", ", 'target': 'vpngw/IN_0'"), ""));
	cr_expect(!s->events[0].graceful);
	cr_expect_str_eq(s->events[0].peer, "ars/nva1");
	cr_expect_eq(s->events[0].hold_elapsed_ms, 0);
	cr_expect_eq(s->events[1].op, EV_PEER_UP);
	cr_expect(s->events[2].graceful);
	cr_expect_str_eq(s->events[3].target, "ars/IN_1");
	cr_expect_eq(s->events[4].op, EV_INSTANCE_UP);
	sfx_fini(&f);
	static const struct bad bad[] = {
		{ SC("", EV("0", "peerDown", ", 'peer': 'ars/nva1'"), ""), "$.events[0]",
		  "missing required key \"mode\"" },
		{ SC("", EV("0", "peerDown", ", 'peer': 'ars/nva1', 'mode': 'crash'"), ""),
		  "$.events[0].mode", "not graceful or silent" },
		{ SC("", EV("0", "peerDown", ", 'mode': 'silent'"), ""), "$.events[0]",
		  "missing required key \"peer\"" },
		{ SC("", EV("0", "instanceDown", ", 'target': 'ars/IN_2'"), ""), "$.events[0].target",
		  "IN_0" },
		{ SC("", EV("0", "instanceDown", ", 'target': 'ars'"), ""), "$.events[0].target", "IN_0" },
		{ SC("", EV("0", "instanceDown", ", 'target': 'nope/IN_0'"), ""), "$.events[0].target",
		  "no Route Server or gateway named \"nope\"" },
	};
	expect_bad(bad, NELEM(bad));
}

Test(scenario, edit_events)
{
	struct sfx f;
	struct scenario *s = sfx_load(
		&f, SC("", EV("0", "add", ", 'path': 'routeTables/rt', 'value': { 'routes': [] }") ","
			   EV("1", "remove", ", 'path': 'networkInterfaces/nva1-nic'"), ""));
	cr_expect_str_eq(s->events[0].path, "routeTables/rt");
	cr_expect(cJSON_IsObject(s->events[0].value));
	cr_expect_null(s->events[1].value);
	sfx_fini(&f);
	static const struct bad bad[] = {
		{ SC("", EV("0", "add", ", 'path': 'routeTables/rt'"), ""), "$.events[0]",
		  "add needs \"value\"" },
		{ SC("", EV("0", "set", ", 'path': 'routeTables/rt', 'value': 1"), ""), "$.events[0]",
		  "set needs \"value\"" },
		{ SC("", EV("0", "remove", ", 'path': 'routeTables/rt', 'value': {}"), ""),
		  "$.events[0].value", "remove takes no value" },
		{ SC("", EV("0", "remove", ", 'path': ''"), ""), "$.events[0].path", NULL },
		{ SC("", EV("0", "remove", ", 'path': 'nosuchCollection/x'"), ""), "$.events[0].path",
		  NULL },
	};
	expect_bad(bad, NELEM(bad));
}

Test(scenario, checkpoint_labels)
{
	static const struct bad bad[] = {
		{ SC("", CP("0", "start"), ""), "$.events[0].label", "reserved" },
		{ SC("", CP("0", "end"), ""), "$.events[0].label", "reserved" },
		{ SC("", CP("0", ""), ""), "$.events[0].label", "reserved" },
		{ SC("", CP("0", "a") "," CP("5", "a"), ""), "$.events[1].label",
		  "checkpoint \"a\" is defined twice" },
		{ SC("", EV("0", "checkpoint", ""), ""), "$.events[0]", "missing required key \"label\"" },
	};
	expect_bad(bad, NELEM(bad));
}

/* ---- expectations ------------------------------------------------------------------------ */

#define X(at, target, rest) "{ 'at': '" at "', " target " " rest " }"
#define XNH "'destination': '10.0.2.9', 'nextHopType': 'VnetLocal'"

Test(scenario, expectations_parsed)
{
	struct sfx f;
	struct scenario *s = sfx_load(
		&f, SC("", CP("5", "mid"),
		       X("start", "'nic': 'nva1-nic',", XNH) ","
		       X("mid", "'subnet': 'hub/app',", "'destination': '8.8.8.8', 'nextHopType':"
						       " 'VirtualAppliance', 'nextHopIpAddress': '10.0.1.4'") ","
		       X("end", "'subnet': 'hub/app',", "'routes': { 'value': [] }") ","
		       X("end", "'nic': 'nva1-nic',", "'routes': []") ","
		       X("end", "'nic': 'nva1-nic',", XNH ", 'nextHopIpAddress': null")));
	cr_assert_eq(s->nexpectations, 5);
	const struct expectation *x = s->expectations;
	cr_expect_eq(x[0].index, 0);
	cr_expect_str_eq(x[0].at, "start");
	cr_expect_str_eq(x[0].nic, "nva1-nic");
	cr_expect_null(x[0].subnet);
	cr_expect(x[0].has_destination);
	cr_expect_eq(x[0].destination, IP(10, 0, 2, 9));
	cr_expect_eq(x[0].nh, NH_VNET_LOCAL);
	cr_expect(!x[0].has_nh_ip);
	cr_expect_null(x[0].routes);
	cr_expect_str_eq(x[1].subnet, "hub/app");
	cr_expect_eq(x[1].nh, NH_VIRTUAL_APPLIANCE);
	cr_expect(x[1].has_nh_ip);
	cr_expect_eq(x[1].nh_ip, IP(10, 0, 1, 4));
	cr_expect(cJSON_IsArray(x[2].routes), "{value: [...]} gives the array");
	cr_expect(cJSON_IsArray(x[3].routes), "a bare array is accepted");
	cr_expect(!x[4].has_nh_ip, "null is no address");
	sfx_fini(&f);
}

Test(scenario, expectation_errors)
{
	static const struct bad bad[] = {
		{ SC("", "", X("nope", "'nic': 'nva1-nic',", XNH)), "$.expectations[0].at",
		  "no checkpoint labelled \"nope\"" },
		{ SC("", "", X("end", "'nic': 'nva1-nic', 'subnet': 'hub/app',", XNH)),
		  "$.expectations[0]", "exactly one of \"nic\" and \"subnet\"" },
		{ SC("", "", X("end", "", XNH)), "$.expectations[0]", "exactly one of" },
		{ SC("", "", X("end", "'nic': 'vm9',", XNH)), "$.expectations[0].nic",
		  "no NIC named \"vm9\"" },
		{ SC("", "", X("end", "'subnet': 'hub/nope',", XNH)), "$.expectations[0].subnet",
		  "no subnet \"hub/nope\"" },
		{ SC("", "", X("end", "'subnet': 'app',", XNH)), "$.expectations[0].subnet",
		  "\"vnet/subnet\"" },
		{ SC("", "", X("end", "'nic': 'nva1-nic',", "'destination': '10.0.2.9'")),
		  "$.expectations[0]", "missing required key \"nextHopType\"" },
		{ SC("", "", X("end", "'nic': 'nva1-nic',", "'destination': '10.0.2.9', "
							  "'nextHopType': 'Firewall'")),
		  "$.expectations[0].nextHopType", "not a next hop type" },
		{ SC("", "", X("end", "'nic': 'nva1-nic',", XNH ", 'routes': []")), "$.expectations[0]",
		  "either \"destination\"" },
		{ SC("", "", "{ 'at': 'end', 'nic': 'nva1-nic' }"), "$.expectations[0]",
		  "either \"destination\"" },
		{ SC("", "", X("end", "'nic': 'nva1-nic',", "'routes': 5")), "$.expectations[0].routes",
		  "{\"value\": [rows]}" },
		{ SC("", "", X("end", "'nic': 'nva1-nic',", "'routes': { 'rows': [] }")),
		  "$.expectations[0].routes", "{\"value\": [rows]}" },
		{ SC("", "", "[]"), "$.expectations[0]", "expected an expectation object" },
	};
	expect_bad(bad, NELEM(bad));
}

/* Names an add event creates may be expected at a later checkpoint. */
Test(scenario, expectation_targets_added_by_events)
{
	struct sfx f;
	struct scenario *s = sfx_load(
		&f, SC("", EV("0", "add", ", 'path': 'networkInterfaces/late', 'value': {"
					" 'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] }") ","
			   EV("0", "add", ", 'path': 'virtualNetworks/hub/subnets/new', 'value': {"
					" 'addressPrefix': '10.0.9.0/24' }"),
		       X("end", "'nic': 'late',", XNH) "," X("end", "'subnet': 'hub/new',", XNH)));
	cr_expect_eq(s->nexpectations, 2);
	sfx_fini(&f);
	static const struct bad bad[] = {
		/* A subnet added to another VNet does not make hub/new exist. */
		{ SC("", EV("0", "add", ", 'path': 'virtualNetworks/spoke', 'value': {"
					  " 'addressSpace': { 'addressPrefixes': ['10.5.0.0/16'] } }"),
		     X("end", "'subnet': 'hub/new',", XNH)),
		  "$.expectations[0].subnet", "no subnet" },
	};
	expect_bad(bad, NELEM(bad));
}

/* ---- files --------------------------------------------------------------------------------- */

static char dir[TESTDIR_LEN];

static void mk_dir(void)
{
	testdir_make(dir, "scenario");
}

static void rm_dir(void)
{
	testdir_remove(dir);
}

static const char *in_dir(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s", testdir_at(dir, name));
	return buf;
}

/* A single-quoted JSON text written as a file of the folder. */
static void put_file(const char *name, const char *sq)
{
	char *text = json_dq(sq);
	file_put(testdir_at(dir, name), text);
	free(text);
}

Test(scenario, routes_file_relative_to_the_scenario, .init = mk_dir, .fini = rm_dir)
{
	char path[128];
	cr_assert_eq(mkdir(in_dir("exp", path, sizeof(path)), 0777), 0);
	put_file("exp/rows.json", "{ 'value': [ { 'source': 'Default', 'state': 'Active',"
				  "  'addressPrefix': ['10.0.0.0/16'], 'nextHopType': 'VnetLocal',"
				  "  'nextHopIpAddress': [] } ] }");
	put_file("s.json", SC("", "", X("end", "'nic': 'nva1-nic',", "'routes': 'exp/rows.json'")));
	struct diag *d = diag_create();
	bool env = true;
	struct scenario *s = scenario_load(in_dir("s.json", path, sizeof(path)), NULL, d, &env);
	if (!s)
		diag_dump(d);
	cr_assert_not_null(s);
	cr_expect(!env);
	cr_assert(cJSON_IsArray(s->expectations[0].routes));
	cr_expect_eq(cJSON_GetArraySize(s->expectations[0].routes), 1);
	scenario_destroy(s);
	/* A missing routes file is bad input (exit 2), not an I/O failure of
	 * the scenario itself. */
	put_file("s.json", SC("", "", X("end", "'nic': 'nva1-nic',", "'routes': 'rows.json'")));
	diag_clear(d);
	s = scenario_load(in_dir("s.json", path, sizeof(path)), NULL, d, &env);
	cr_expect_null(s);
	cr_expect_not_null(diag_find(d, DIAG_ERROR, "$.expectations[0].routes",
				     "cannot use routes file \"rows.json\""));
	diag_destroy(d);
}

/* jsonin's rule: a missing file, a folder or a file that is not JSON is bad
 * input (exit 2); only a file that cannot be read is an I/O failure (3). */
Test(scenario, file_errors_bad_input_or_environment, .init = mk_dir, .fini = rm_dir)
{
	char path[128];
	put_file("bad.json", "{ 'schemaVersion': 1, ");
	put_file("locked.json", "{ 'schemaVersion': 1, 'topology': " TOPO " }");
	static const char *const bad_input[] = { "none.json", "", "bad.json" };
	struct diag *d = diag_create();
	for (size_t i = 0; i < NELEM(bad_input); i++) {
		bool env = true;
		diag_clear(d);
		cr_expect_null(scenario_load(in_dir(bad_input[i], path, sizeof(path)), NULL, d, &env));
		cr_expect(!env, "\"%s\" is bad input", bad_input[i]);
		cr_expect_geq(diag_count(d, DIAG_ERROR), 1);
	}
	if (geteuid() == 0) {
		fprintf(stderr, "note: running as root, an unreadable file cannot be made: that "
				"case is skipped\n");
	} else {
		cr_assert_eq(chmod(in_dir("locked.json", path, sizeof(path)), 0), 0);
		bool env = false;
		diag_clear(d);
		cr_expect_null(scenario_load(path, NULL, d, &env));
		cr_expect(env, "an unreadable file is an environment failure");
	}
	diag_destroy(d);
}

/* A catalogue the caller loaded serves every scenario of a batch: used,
 * not owned (it outlives the scenario); the scenario's own serviceTags win. */
Test(scenario, service_tags_given_by_the_caller)
{
	struct svctag_catalog *shared = svctag_sample();
	cr_assert_not_null(shared);
	struct scenario_opts o = { .service_tags = shared };
	for (int round = 0; round < 2; round++) {
		struct diag *d = diag_create();
		bool env = true;
		struct scenario *s = scenario_load_doc(
			"test.json", json_parse_sq("{ 'schemaVersion': 1, 'topology': " TOPO " }"), &o, d,
			&env);
		cr_assert_not_null(s);
		cr_expect_eq(s->tags, shared);
		scenario_destroy(s);
		diag_destroy(d);
	}
	struct diag *d = diag_create();
	bool env = true;
	struct scenario *s = scenario_load_doc(
		"test.json",
		json_parse_sq("{ 'schemaVersion': 1, 'serviceTags': { 'values': [] }, 'topology': " TOPO
			      " }"),
		&o, d, &env);
	cr_assert_not_null(s);
	cr_expect_neq(s->tags, shared, "the file's own catalogue");
	scenario_destroy(s);
	diag_destroy(d);
	svctag_destroy(shared); /* still whole: the scenarios did not free it */
}

/* scenario_load_doc owns the document from the call on, also when it fails
 * (LeakSanitizer and AddressSanitizer check the two ways). */
Test(scenario, document_owned_on_success_and_failure)
{
	struct diag *d = diag_create();
	bool env = true;
	cJSON *doc = json_parse_sq("{ 'schemaVersion': 2, 'topology': " TOPO " }");
	cr_expect_null(scenario_load_doc("test.json", doc, NULL, d, &env));
	cr_expect(!env);
	doc = json_parse_sq("[1, 2]");
	cr_expect_null(scenario_load_doc("test.json", doc, NULL, d, &env));
	doc = json_parse_sq("{ 'schemaVersion': 1, 'topology': " TOPO " }");
	struct scenario *s = scenario_load_doc("test.json", doc, NULL, d, &env);
	cr_assert_not_null(s);
	cr_expect_eq(s->doc, doc);
	scenario_destroy(s);
	scenario_destroy(NULL);
	diag_destroy(d);
}
