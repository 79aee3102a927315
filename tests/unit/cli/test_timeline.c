/*
 * test_timeline.c - a run's timeline folded for output (tools/cli/timeline.c).
 *
 * Runs replayed from small scenarios; the folds emitted are recorded (time,
 * cause, subnets, NICs, rows added and removed, view) and compared with
 * what the events must give, worked out by hand below.  Each entry's
 * change (scoped when the entry has a scope) is checked against the full
 * comparison of its before and after tables.  Allocation failures are
 * injected into the fold (failalloc.h): it returns -1, or 0 with the same
 * output, and never leaks.
 *
 * Domain network: hub 10.0.0.0/16 with a Route Server (nva1 10.0.1.4, nva2
 * 10.0.1.5) and subnets RouteServerSubnet (no NIC), nva (2 NICs) and app
 * (3 NICs, route table rt-app sending 10.100.0.0/16 to nva1: the BGP row
 * there is Invalid), spokes s1 10.1.0.0/16 (web, 4 NICs) and s2
 * 10.2.0.0/16 (db, 5 NICs) using the hub's Route Server, and p 10.3.0.0/16
 * (subnet x, route table rt-p) peered with the hub outside the domain.
 */
#include <criterion/criterion.h>

#include "failalloc.h"
#include "helpers.h"
#include "timeline.h"

#define SPOKE(name, space, subnet, sprefix)                                                    \
	"{ 'name': '" name "', 'location': 'westeurope',"                                      \
	"  'addressSpace': { 'addressPrefixes': ['" space "'] },"                              \
	"  'subnets': [ { 'name': '" subnet "', 'addressPrefix': '" sprefix "' } ],"          \
	"  'virtualNetworkPeerings': [ { 'name': '" name "-hub',"                              \
	"    'remoteVirtualNetwork': { 'id': 'hub' }, 'useRemoteGateways': true } ] }"
#define HUB(more_peerings)                                                                     \
	"{ 'name': 'hub', 'location': 'westeurope',"                                           \
	"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                            \
	"  'subnets': [ { 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.254.0/26' },"    \
	"               { 'name': 'nva', 'addressPrefix': '10.0.1.0/24' },"                    \
	"               { 'name': 'app', 'addressPrefix': '10.0.2.0/24',"                      \
	"                 'routeTable': { 'id': 'rt-app' } } ],"                               \
	"  'virtualNetworkPeerings': ["                                                        \
	"    { 'name': 'hub-s1', 'remoteVirtualNetwork': { 'id': 's1' }, 'allowGatewayTransit': true }," \
	"    { 'name': 'hub-s2', 'remoteVirtualNetwork': { 'id': 's2' }, 'allowGatewayTransit': true }" \
	more_peerings " ] }"
#define NIC(name, count, subnet, extra)                                                        \
	"{ 'name': '" name "', 'count': " count ", " extra " 'ipConfigurations': [ {"          \
	"  'subnet': { 'id': '" subnet "' } } ] }"
#define DOMAIN_TOPOLOGY                                                                        \
	"'topology': { 'virtualNetworks': [ "                                                  \
	HUB(", { 'name': 'hub-p', 'remoteVirtualNetwork': { 'id': 'p' } }") ","                \
	"    " SPOKE("s1", "10.1.0.0/16", "web", "10.1.0.0/24") ","                            \
	"    " SPOKE("s2", "10.2.0.0/16", "db", "10.2.0.0/24") ","                             \
	"    { 'name': 'p', 'location': 'westeurope',"                                         \
	"      'addressSpace': { 'addressPrefixes': ['10.3.0.0/16'] },"                        \
	"      'subnets': [ { 'name': 'x', 'addressPrefix': '10.3.0.0/24',"                    \
	"                     'routeTable': { 'id': 'rt-p' } } ],"                               \
	"      'virtualNetworkPeerings': [ { 'name': 'p-hub',"                                 \
	"        'remoteVirtualNetwork': { 'id': 'hub' } } ] } ],"                             \
	"  'routeTables': [ { 'name': 'rt-app', 'routes': [ { 'name': 'via-nva1',"            \
	"    'addressPrefix': '10.100.0.0/16', 'nextHopType': 'VirtualAppliance',"             \
	"    'nextHopIpAddress': '10.0.1.4' } ] }, { 'name': 'rt-p', 'routes': [] } ],"       \
	"  'networkInterfaces': [ " NIC("nva-*", "2", "hub/nva", "'enableIPForwarding': true,") "," \
	"    " NIC("app-*", "3", "hub/app", "") "," NIC("web-*", "4", "s1/web", "") ","        \
	"    " NIC("db-*", "5", "s2/db", "") " ],"                                             \
	"  'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"   \
	"    'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001 },"  \
	"                        { 'name': 'nva2', 'peerIp': '10.0.1.5', 'peerAsn': 65001 } ] } ] }"
#define ADV(at, from, prefix)                                                                  \
	"{ 'at': " at ", 'op': 'advertise', 'from': 'ars/" from "', 'prefixes': ['" prefix "'],"\
	"  'asPath': [65001] }"

/* ---- recording the folds ---------------------------------------------------------- */

struct seen_fold {
	int64_t at_ms;
	char cause[64];
	char subnets[160];             /* "hub/nva s1/web ..." in entry order */
	size_t nics, nadded, nremoved;
	bool without_rs;               /* the view after the change */
};

struct record {
	struct seen_fold v[32];
	size_t n;
};

static void on_fold(const struct timeline_fold *f, void *ctx)
{
	struct record *r = ctx;
	cr_assert_lt(r->n, NELEM(r->v));
	struct seen_fold *s = &r->v[r->n++];
	cr_assert_gt(f->nentries, 0);
	s->at_ms = f->entries[0]->at_ms;
	snprintf(s->cause, sizeof(s->cause), "%s", f->entries[0]->cause ? f->entries[0]->cause : "");
	size_t at = 0, nics = 0;
	for (size_t i = 0; i < f->nentries; i++) {
		const struct timeline_entry *e = f->entries[i];
		at += (size_t)snprintf(s->subnets + at, sizeof(s->subnets) - at, "%s%s", i ? " " : "",
				       e->subnet);
		cr_assert_lt(at, sizeof(s->subnets));
		cr_expect_eq(e->at_ms, s->at_ms, "a fold is one time");
		cr_expect_str_eq(e->cause ? e->cause : "", s->cause, "a fold is one cause");
		cr_expect_eq(e->after_without_rs, f->entries[0]->after_without_rs, "one view");
		cr_expect_eq(e->before_without_rs, f->entries[0]->before_without_rs, "one view");
		nics += e->nics;
	}
	cr_expect_eq(f->nics, nics, "nics is the sum over the entries");
	s->nics = f->nics;
	s->nadded = f->ch.res.nadded;
	s->nremoved = f->ch.res.nremoved;
	s->without_rs = f->entries[0]->after_without_rs;
}

static void fold_all(const struct run *r, struct record *rec)
{
	memset(rec, 0, sizeof(*rec));
	cr_assert_eq(timeline_fold(r, on_fold, rec), 0);
}

struct want_fold {
	int64_t at_ms;
	const char *cause;             /* substring */
	const char *subnets;
	size_t nics, nadded, nremoved;
	bool without_rs;
};

static void expect_folds(const struct record *rec, const struct want_fold *w, size_t n)
{
	cr_expect_eq(rec->n, n, "%zu folds", rec->n);
	for (size_t i = 0; i < rec->n && i < n; i++) {
		const struct seen_fold *s = &rec->v[i];
		cr_expect_eq(s->at_ms, w[i].at_ms, "fold %zu at %lld", i, (long long)s->at_ms);
		cr_expect_not_null(strstr(s->cause, w[i].cause), "fold %zu: cause \"%s\"", i, s->cause);
		cr_expect_str_eq(s->subnets, w[i].subnets, "fold %zu", i);
		cr_expect_eq(s->nics, w[i].nics, "fold %zu: %zu NICs", i, s->nics);
		cr_expect_eq(s->nadded, w[i].nadded, "fold %zu: %zu added", i, s->nadded);
		cr_expect_eq(s->nremoved, w[i].nremoved, "fold %zu: %zu removed", i, s->nremoved);
		cr_expect_eq(s->without_rs, w[i].without_rs, "fold %zu view", i);
	}
}

static void run_sq(struct run_fx *f, const char *sq)
{
	char *txt = json_dq(sq);
	run_fx_load(f, txt);
	free(txt);
	cr_assert_eq(run_execute(f->r), 0);
}

/* ---- folds -------------------------------------------------------------------------- */

/* No event, no change: nothing emitted. */
Test(timeline, empty_timeline_emits_nothing)
{
	struct run_fx f;
	run_sq(&f, "{ 'schemaVersion': 1, " DOMAIN_TOPOLOGY " }");
	cr_expect_eq(run_timeline_count(f.r), 0);
	struct record rec;
	fold_all(f.r, &rec);
	cr_expect_eq(rec.n, 0);
	run_fx_fini(&f);
}

/*
 * 10s  nva1 advertises 10.100.0.0/16: one row added everywhere, Active
 *      except in hub/app, where rt-app's User route makes it Invalid: two
 *      folds, the first led by the first subnet in the timeline.
 * 20s  rt-app emptied: hub/app loses the User row and its Invalid BGP
 *      row, and gains the Active one.
 * 30s  nva2 advertises the same path (ECMP): a row per next hop, one more
 *      everywhere (hub/app too now): one fold of five subnets.
 * 30s  nva1 advertises 10.200.0.0/16: the same time, another cause, a fold
 *      of its own after the first.
 * 40s  nva1 advertises 10.3.0.0/16, the space of p (peered with the hub,
 *      outside the domain): hidden under the hub's VNetPeering row; the
 *      spokes show it.
 * 45s  rt-p (p/x, no BGP routes there) stops BGP propagation: the table
 *      changes, its rows do not; the fold skips it.
 * 50s  nva1 withdraws 10.100.0.0/16: its row goes everywhere.
 */
#define DOMAIN_EVENTS                                                                          \
	ADV("10", "nva1", "10.100.0.0/16") ","                                                 \
	"{ 'at': 20, 'op': 'set', 'path': 'routeTables/rt-app', 'value': { 'routes': [] } },"   \
	ADV("30", "nva2", "10.100.0.0/16") "," ADV("30", "nva1", "10.200.0.0/16") ","         \
	ADV("40", "nva1", "10.3.0.0/16") ","                                                   \
	"{ 'at': 45, 'op': 'set', 'path': 'routeTables/rt-p',"                                  \
	"  'value': { 'disableBgpRoutePropagation': true, 'routes': [] } },"                    \
	"{ 'at': 50, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['10.100.0.0/16'] }"

#define ALL5 "hub/RouteServerSubnet hub/nva hub/app s1/web s2/db"

Test(timeline, folds_in_time_order_grouped_by_change)
{
	struct run_fx f;
	run_sq(&f, "{ 'schemaVersion': 1, " DOMAIN_TOPOLOGY ", 'events': [ " DOMAIN_EVENTS " ] }");
	struct record rec;
	fold_all(f.r, &rec);
	static const struct want_fold want[] = {
		{ 10000, "advertise ars/nva1", "hub/RouteServerSubnet hub/nva s1/web s2/db", 11, 1, 0,
		  false },
		{ 10000, "advertise ars/nva1", "hub/app", 3, 1, 0, false },
		{ 20000, "rt-app", "hub/app", 3, 1, 2, false },
		{ 30000, "advertise ars/nva2", ALL5, 14, 1, 0, false },
		{ 30000, "advertise ars/nva1", ALL5, 14, 1, 0, false },
		{ 40000, "advertise ars/nva1", "s1/web s2/db", 9, 1, 0, false },
		{ 50000, "withdraw ars/nva1", ALL5, 14, 0, 1, false },
	};
	expect_folds(&rec, want, NELEM(want));
	/* The change at 45s is in the timeline; no fold shows it. */
	size_t at45 = 0;
	for (size_t i = 0; i < run_timeline_count(f.r); i++)
		at45 += run_timeline_get(f.r, i)->at_ms == 45000;
	cr_expect_eq(at45, 1, "p/x's entry at 45s");
	run_fx_fini(&f);
}

/* Each entry's change, scoped or not, equals the full comparison of its
 * two tables (rowdiff_change_tables over every row). */
Test(timeline, entry_change_equals_the_full_comparison)
{
	struct run_fx f;
	run_sq(&f, "{ 'schemaVersion': 1, " DOMAIN_TOPOLOGY ", 'events': [ " DOMAIN_EVENTS " ] }");
	size_t n = run_timeline_count(f.r), scoped = 0, bounded = 0;
	struct study_diff_sets sets = { 0 };
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct timeline_entry *e = run_timeline_get(f.r, i);
		struct rowdiff_change got, full;
		cr_assert_eq(timeline_entry_change(&got, e, &sets), 0);
		cr_assert_eq(rowdiff_change_tables(&full, e->before, e->before_without_rs, e->after,
						   e->after_without_rs, ROWDIFF_NAMES_EXACT), 0);
		cr_expect(rowdiff_result_equal(&got.res, &full.res), "entry %zu (%s at %lld, %s)", i,
			  e->subnet, (long long)e->at_ms, e->cause);
		scoped += e->scope != NULL;
		bounded += !e->scope && e->before && e->after && !e->before_without_rs &&
			   !e->after_without_rs;
		rowdiff_change_fini(&got);
		rowdiff_change_fini(&full);
	}
	study_diff_sets_fini(&sets);
	cr_expect_gt(scoped, 0, "the scoped path was exercised");
	cr_expect_gt(bounded, 0, "the bounded path was exercised");
	run_fx_fini(&f);
}

/* Allocation failures anywhere in the fold: -1, or 0 with the very same
 * folds (a failure something absorbed); never a partial success. */
Test(timeline, out_of_memory_fails_cleanly)
{
	struct run_fx f;
	run_sq(&f, "{ 'schemaVersion': 1, " DOMAIN_TOPOLOGY ", 'events': [ " DOMAIN_EVENTS " ] }");
	struct record ref, rec;
	failalloc_after(-1);
	fold_all(f.r, &ref);
	long calls = failalloc_calls();
	cr_assert_gt(calls, 0, "the fold grows arrays");
	for (long k = 0; k < calls; k++) {
		memset(&rec, 0, sizeof(rec));
		failalloc_after(k);
		int rc = timeline_fold(f.r, on_fold, &rec);
		failalloc_after(-1);
		if (rc == 0) {
			cr_expect_eq(rec.n, ref.n, "failure %ld absorbed: same output", k);
			cr_expect_eq(memcmp(rec.v, ref.v, sizeof(rec.v)), 0, "failure %ld", k);
		} else {
			cr_expect_eq(rc, -1, "failure %ld", k);
			cr_expect_leq(rec.n, ref.n);
		}
	}
	run_fx_fini(&f);
}

/* ---- views: NICs beyond Route Server capacity (RULES 1.8) ------------------------------ */

/* 4001 NICs for 2 units (4000): the last in the file, sp-b, gets no Route
 * Server routes until the scale-out (600 s); sp-a in the same subnet does.
 *  10s  nva1 advertises 10.100.0.0/16: sp-a's view gains the row, sp-b's
 *       shows nothing.
 *  20s  a User route on rt-sp: both views gain the same row, but they are
 *       two folds (never one subnet twice in a fold).
 * 600s  scale-out done: sp-b's view changes with the same table. */
Test(timeline, two_views_of_one_subnet_are_two_folds)
{
	struct run_fx f;
	run_sq(&f,
	       "{ 'schemaVersion': 1, 'settings': { 'routeServerScaleOutSeconds': 600 },"
	       "  'topology': { 'virtualNetworks': [ " HUB("") ","
	       "    " SPOKE("s1", "10.1.0.0/16", "web", "10.1.0.0/20") ","
	       "    { 'name': 's2', 'location': 'westeurope',"
	       "      'addressSpace': { 'addressPrefixes': ['10.2.0.0/16'] },"
	       "      'subnets': [ { 'name': 'sp', 'addressPrefix': '10.2.0.0/24',"
	       "                     'routeTable': { 'id': 'rt-sp' } } ],"
	       "      'virtualNetworkPeerings': [ { 'name': 's2-hub',"
	       "        'remoteVirtualNetwork': { 'id': 'hub' }, 'useRemoteGateways': true } ] } ],"
	       "  'routeTables': [ { 'name': 'rt-app', 'routes': [] },"
	       "                   { 'name': 'rt-sp', 'routes': [] } ],"
	       "  'networkInterfaces': [ " NIC("nva-*", "2", "hub/nva", "'enableIPForwarding': true,") ","
	       "    " NIC("sp-a", "1", "s2/sp", "") "," NIC("big-*", "3997", "s1/web", "") ","
	       "    " NIC("sp-b", "1", "s2/sp", "") " ],"
	       "  'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"
	       "    'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001 } ] } ] },"
	       "  'events': [ " ADV("10", "nva1", "10.100.0.0/16") ","
	       "    { 'at': 20, 'op': 'set', 'path': 'routeTables/rt-sp', 'value': { 'routes': ["
	       "      { 'name': 'web', 'addressPrefix': '8.8.8.0/24', 'nextHopType': 'Internet' } ] } } ] }");
	struct record rec;
	fold_all(f.r, &rec);
	static const struct want_fold want[] = {
		{ 10000, "advertise ars/nva1", "hub/RouteServerSubnet hub/nva hub/app s1/web s2/sp", 4000,
		  1, 0,
		  false },
		{ 20000, "rt-sp", "s2/sp", 1, 1, 0, false },
		{ 20000, "rt-sp", "s2/sp", 1, 1, 0, true },
		{ 600000, "scale-out", "s2/sp", 1, 1, 0, false },
	};
	expect_folds(&rec, want, NELEM(want));
	run_fx_fini(&f);
}
