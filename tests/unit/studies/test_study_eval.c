/*
 * test_study_eval.c - a variant's impact (models/studies/study_eval.c)
 * with records shared between subnets, against the oracle of every
 * subnet evaluated on its own (study_eval_alone): the same result, field
 * by field, the score bit for bit, for every variant of the seed (every
 * failure class, both modes, with repairs: several timeline entries per
 * subnet; with and without detail), for monte-carlo runs of the seed, and
 * for the failures of ref-4k that change hundreds of subnets at once (an
 * NVA crash, an ExpressRoute connection, a gateway instance) and some
 * peering removals.  One base per study: the variants are evaluated one
 * after the other and the run put back to the baseline after each
 * (study_rollback), as a sweep's worker does.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "scenario.h"
#include "study.h"
#include "study_eval.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

static struct scenario *load(const char *rel, struct diag *d)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", VNETSIM_SOURCE_ROOT, rel);
	struct scenario_opts so = { 0 };
	bool io = false;
	struct scenario *sc = scenario_load(path, &so, d, &io);
	cr_assert_not_null(sc, "%s does not load", path);
	return sc;
}

static void same_result(const struct study_result *a, const struct study_result *b,
			const char *label)
{
	cr_assert_eq(a->status, b->status, "%s: status", label);
	cr_assert_eq(a->session_losses, b->session_losses, "%s: session losses", label);
	cr_assert(memcmp(&a->score, &b->score, sizeof(a->score)) == 0, "%s: score %.17g, alone %.17g",
		  label, a->score, b->score);
	cr_assert(memcmp(&a->unprog_vm_s, &b->unprog_vm_s, sizeof(double)) == 0, "%s: unprogrammed",
		  label);
	cr_assert_eq(a->flows_broken, b->flows_broken, "%s: flows", label);
	cr_assert_eq(a->folded, b->folded, "%s: folded", label);
	cr_assert_eq(a->nrecs, b->nrecs, "%s: %zu records, alone %zu", label, a->nrecs, b->nrecs);
	for (size_t i = 0; i < a->nrecs; i++) {
		const struct study_record *x = &a->recs[i], *y = &b->recs[i];
		cr_assert(x->subnet == y->subnet && prefix_equal(x->dest, y->dest) &&
				  x->bh_ms == y->bh_ms && x->lost_ms == y->lost_ms &&
				  x->changed_ms == y->changed_ms && x->nbh == y->nbh &&
				  x->nlost == y->nlost && x->nchanged == y->nchanged,
			  "%s: record %zu differs (subnet %u, alone %u)", label, i, x->subnet, y->subnet);
	}
	cr_assert_eq(a->nfails, b->nfails, "%s: failures", label);
	for (size_t i = 0; i < a->nfails; i++) {
		const struct study_failure *x = &a->fails[i], *y = &b->fails[i];
		cr_assert(x->target == y->target && x->at_ms == y->at_ms &&
				  x->repair_ms == y->repair_ms && x->phase_ms == y->phase_ms &&
				  x->bh_ms == y->bh_ms,
			  "%s: failure %zu differs", label, i);
	}
}

/* Evaluates the variants of st on rel that pick() takes, both ways; how
 * many had records. */
static size_t compare(const char *rel, struct study *st, bool (*pick)(size_t i, const char *label))
{
	struct diag *d = diag_create();
	cr_assert_not_null(d);
	struct scenario *sc = load(rel, d);
	struct study_base *b = NULL;
	cr_assert_eq(study_prepare(st, sc, d, &b), 0, "%s: study_prepare", rel);
	cr_assert_eq(study_keep_baseline(b), 0);
	size_t with_records = 0, n = 0;
	for (size_t i = 0; i < study_variant_count(b); i++) {
		const char *label = study_variant_label(b, i);
		if (pick && !pick(i, label))
			continue;
		struct study_result shared, alone;
		cr_assert_eq(study_eval(b, i, &shared), 0, "%s", label);
		cr_assert_eq(study_rollback(b, i), 0, "%s: rollback", label);
		cr_assert_eq(study_eval_alone(b, i, &alone), 0, "%s", label);
		cr_assert_eq(study_rollback(b, i), 0, "%s: rollback", label);
		same_result(&shared, &alone, label);
		with_records += shared.nrecs > 0;
		n++;
		study_result_fini(&shared);
		study_result_fini(&alone);
	}
	cr_assert_gt(n, 0, "%s: no variant evaluated", rel);
	study_base_destroy(b);
	scenario_destroy(sc);
	diag_destroy(d);
	return with_records;
}

static struct study *enumerate(bool detail, int64_t repair_ms)
{
	struct study *st = study_create("test.json");
	cr_assert_not_null(st);
	st->at = strdup("baseline");
	cr_assert_not_null(st->at);
	st->detail = detail;
	st->repair_ms = repair_ms;
	return st;
}

Test(study_eval, shared_records_as_alone_seed_enumerate)
{
	for (int detail = 0; detail < 2; detail++)
		for (int repair = 0; repair < 2; repair++) {
			struct study *st = enumerate(detail, repair ? 5 * 60 * 1000 : -1);
			size_t n = compare("scenarios/seed/hub-spoke-ars.json", st, NULL);
			cr_assert_gt(n, 5, "only %zu variants with records", n);
			study_destroy(st);
		}
}

Test(study_eval, shared_records_as_alone_seed_monte_carlo)
{
	struct study *st = study_create("test.json");
	cr_assert_not_null(st);
	st->kind = STUDY_MONTE_CARLO;
	st->at = strdup("baseline");
	cr_assert_not_null(st->at);
	st->runs = 16;
	st->seed = 42;
	st->horizon_ms = 48LL * 3600 * 1000;
	st->mtbf_s = 12 * 3600;
	st->repair_median_s = 1800;
	st->repair_sigma = 1.0;
	size_t n = compare("scenarios/seed/hub-spoke-ars.json", st, NULL);
	cr_assert_gt(n, 3, "only %zu runs with records", n);
	study_destroy(st);
}

/* ref-4k: every class that changes whole domains, some peering removals
 * (a spoke's and the hub's side). */
static bool some_of_ref4k(size_t i, const char *label)
{
	static const char *const want[] = { "peerDown silent ars/nva1", "peerDown graceful ars/nva2",
					    "peerDown silent er-primary", "instanceDown vpngw/IN_0",
					    "peerDown graceful branch-vpn", "instanceDown ergw/IN_0" };
	for (size_t k = 0; k < NELEM(want); k++)
		if (strcmp(label, want[k]) == 0)
			return true;
	return strstr(label, "virtualNetworkPeerings") && i % 41 == 0;
}

Test(study_eval, shared_records_as_alone_ref4k, .timeout = 240)
{
	struct study *st = enumerate(true, -1);
	size_t n = compare("scenarios/scale/ref-4k.json", st, some_of_ref4k);
	cr_assert_gt(n, 8, "only %zu variants with records", n);
	study_destroy(st);
}
