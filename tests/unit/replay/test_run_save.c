/*
 * test_run_save.c - a run put back to a kept state (models/replay/run_save.h).
 *
 * Oracle: the seed scenario replayed to its end is kept; variants (an NVA
 * crash, silent and graceful, an instance failure, a peering removal and
 * its repair, a route table edit) are injected and resumed one after
 * another on that one run, put back after each.  Every variant's timeline
 * must be the one it gives on a fresh replay, whatever ran before it.
 */
#include <criterion/criterion.h>

#include "run_save.h"
#include "helpers.h"

#define SEED VNETSIM_SOURCE_ROOT "/scenarios/seed/hub-spoke-ars.json"

struct fresh {
	struct diag *d;
	struct scenario *sc;
	struct run *r;
};

static void fresh_load(struct fresh *f)
{
	f->d = diag_create();
	bool env = false;
	f->sc = scenario_load(SEED, NULL, f->d, &env);
	cr_assert_not_null(f->sc);
	f->r = run_create(f->sc, f->d);
	cr_assert_not_null(f->r);
	cr_assert_eq(run_execute(f->r), 0);
	/* As a sweep's variants: edits in place although checkpoints hold
	 * the topology (only in place edits can be put back). */
	run_allow_shared_in_place(f->r);
}

static void fresh_fini(struct fresh *f)
{
	run_destroy(f->r);
	scenario_destroy(f->sc);
	diag_destroy(f->d);
}

/* The variants, as a sweep builds them (events outlive the runs). */
#define NVAR 6
static struct event variants[NVAR][2];
static size_t nev[NVAR];

static void variants_init(int64_t t, cJSON *peering)
{
	memset(variants, 0, sizeof(variants));
	variants[0][0] = (struct event){ .op = EV_PEER_DOWN, .at_ms = t, .peer = "ars/nva1" };
	variants[0][1] = (struct event){ .op = EV_PEER_UP, .at_ms = t + 600000, .peer = "ars/nva1" };
	variants[1][0] = (struct event){ .op = EV_PEER_DOWN, .at_ms = t, .peer = "ars/nva2",
					 .graceful = true };
	variants[2][0] = (struct event){ .op = EV_INSTANCE_DOWN, .at_ms = t, .target = "ars/IN_0" };
	const char *path = "virtualNetworks/spoke1/virtualNetworkPeerings/spoke1-to-hub";
	variants[3][0] = (struct event){ .op = EV_REMOVE, .at_ms = t, .path = path };
	variants[3][1] = (struct event){ .op = EV_ADD, .at_ms = t + 300000, .path = path,
					 .value = peering };
	variants[4][0] = (struct event){ .op = EV_REMOVE, .at_ms = t, .path = path };
	variants[5][0] = variants[0][0];
	nev[0] = 2, nev[1] = 1, nev[2] = 1, nev[3] = 2, nev[4] = 1, nev[5] = 1;
}

/* What variant v appends to r's timeline, as text. */
static char *play(struct run *r, size_t v, int64_t until)
{
	size_t n0 = run_timeline_count(r), s0 = run_session_event_count(r);
	for (size_t k = 0; k < nev[v]; k++)
		cr_assert_eq(run_inject(r, &variants[v][k]), 0);
	cr_assert_eq(run_resume(r, until), 0);
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);
	cr_assert_not_null(out);
	out[0] = '\0';
	for (size_t i = n0; i < run_timeline_count(r); i++) {
		const struct timeline_entry *e = run_timeline_get(r, i);
		if (len + 512 > cap)
			cr_assert_not_null(out = realloc(out, cap *= 2));
		len += (size_t)snprintf(out + len, cap - len, "%lld %s %zu %s %zu %zu %d\n",
					(long long)e->at_ms, e->subnet, e->nics, e->cause,
					e->after ? eff_row_count(e->after, false) : 0,
					e->before ? eff_row_count(e->before, false) : 0,
					e->after && e->before ? eff_equal(e->after, e->before) : -1);
	}
	for (size_t i = s0; i < run_session_event_count(r); i++) {
		const struct session_event *e = run_session_event_get(r, i);
		if (len + 512 > cap)
			cr_assert_not_null(out = realloc(out, cap *= 2));
		len += (size_t)snprintf(out + len, cap - len, "%lld %s %s\n", (long long)e->at_ms,
					e->peer, e->what);
	}
	return out;
}

Test(run_save, variants_after_one_another_match_fresh_replays)
{
	struct fresh kept;
	fresh_load(&kept);
	int64_t t = run_end_ms(kept.r) + 1000, until = t + 1800000;
	cJSON *peering = json_parse_sq("{'name': 'spoke1-to-hub', 'remoteVirtualNetwork': "
				       "{'id': 'hub'}, 'useRemoteGateways': true}");
	variants_init(t, peering);
	struct run_save *s = run_save_create(kept.r);
	cr_assert_not_null(s);
	size_t ntl = run_timeline_count(kept.r);
	for (size_t v = 0; v < NVAR; v++) {
		struct fresh f;
		fresh_load(&f);
		char *want = play(f.r, v, until);
		char *got = play(kept.r, v, until);
		cr_expect_str_eq(got, want, "variant %zu differs after the ones before it", v);
		cr_expect_gt(strlen(want), 0, "variant %zu changes nothing: a weak test", v);
		const char *edited[2];
		size_t ne = 0;
		for (size_t k = 0; k < nev[v]; k++)
			if (variants[v][k].path)
				edited[ne++] = variants[v][k].path;
		cr_assert_eq(run_restore(kept.r, s, edited, ne), 0, "variant %zu not put back", v);
		cr_expect_eq(run_timeline_count(kept.r), ntl);
		free(want);
		free(got);
		fresh_fini(&f);
	}
	run_save_destroy(s);
	cJSON_Delete(peering);
	fresh_fini(&kept);
}

/* An edit that replaces the topology cannot be followed: said, not hidden. */
Test(run_save, a_rebuilt_topology_is_refused)
{
	struct fresh kept;
	fresh_load(&kept);
	int64_t t = run_end_ms(kept.r) + 1000;
	struct run_save *s = run_save_create(kept.r);
	cr_assert_not_null(s);
	static struct event rm = { .op = EV_REMOVE, .path = "networkInterfaces/web-*" };
	rm.at_ms = t;
	cr_assert_eq(run_inject(kept.r, &rm), 0);
	run_resume(kept.r, t + 1000);
	const char *edited[] = { rm.path };
	cr_expect_eq(run_restore(kept.r, s, edited, 1), 1);
	run_save_destroy(s);
	fresh_fini(&kept);
}
