/*
 * study.c - the study and its baseline (see study.h): defaults, the
 * baseline replay, the variants listed (study_variant.c) and the index of
 * the baseline rows a variant can kill.  The impact of a variant is
 * study_eval.c's.
 *
 * Cost of the preparation: the replay up to the baseline (the scenario's
 * own cost), then one pass over every row of every subnet's baseline table
 * for the index, kept small by sorting and deduplicating it whenever it
 * doubles: O(rows log rows).
 */
#include "study.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effective.h"
#include "run.h"
#include "run_save.h"
#include "reach.h"
#include "reachset.h"
#include "study_base.h"
#include "study_reach.h"
#include "diag.h"
#include "vec.h"

/* ---- the study ----------------------------------------------------------------- */

const char *study_kind_name(enum study_kind k)
{
	switch (k) {
	case STUDY_ENUMERATE: return "enumerate";
	case STUDY_MONTE_CARLO: return "monte-carlo";
	case STUDY_CAPACITY: return "capacity";
	}
	return "?";
}

struct study *study_create(const char *file)
{
	struct study *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	*st = (struct study){ .file = strdup(file), .at_ms = -1, .window_ms = 30 * 60 * 1000,
			      .repair_ms = -1, .failures = STUDY_F_ALL, .silent = true,
			      .graceful = true, .runs = 0, .seed = 1,
			      .horizon_ms = 30LL * 24 * 3600 * 1000, .repair_median_s = 1800,
			      .repair_sigma = 1.0, .keepalive_phase = true, .grow = STUDY_G_ALL,
			      .max_steps = 100000 };
	if (!st->file) {
		free(st);
		return NULL;
	}
	return st;
}

void study_destroy(struct study *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->ntargets; i++)
		free(st->targets[i]);
	free(st->targets);
	free(st->file);
	free(st->name);
	free(st->at);
	free(st);
}

uint64_t study_run_seed(uint64_t seed, uint64_t k)
{
	uint64_t z = seed + (k + 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- the baseline ------------------------------------------------------------ */

static int cmp_nh_ref(const void *a, const void *b)
{
	const struct nh_ref *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return prefix_compare(x->p, y->p);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static size_t dedup_refs(struct nh_ref *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || cmp_nh_ref(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	return k;
}

/* Baseline rows whose next hop can die in some variant. */
static int build_index(struct study_base *b)
{
	size_t nips = 0;
	for (size_t i = 0; i < b->nv; i++)
		nips += b->v[i].ndead;
	for (size_t i = 0; i < b->ntargets; i++)
		nips += b->tdead[i].nips;
	uint32_t *ips = malloc((nips ? nips : 1) * sizeof(*ips));
	if (!ips)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < b->nv; i++)
		for (size_t j = 0; j < b->v[i].ndead; j++)
			ips[k++] = b->v[i].dead[j].ip;
	for (size_t i = 0; i < b->ntargets; i++)
		for (size_t j = 0; j < b->tdead[i].nips; j++)
			ips[k++] = b->tdead[i].ips[j];
	qsort(ips, k, sizeof(*ips), cmp_u32);
	size_t uniq = 0;
	const struct topology *t = b->cp->topo;
	for (size_t s = 0; s < t->nsubnets && k > 0; s++) {
		struct eff_iter it = { 0 };
		struct route_row row;
		while (eff_row(b->cp->tables[s], false, &it, &row)) {
			if (!row.active || !row.has_nh_ip || row.nprefixes != 1 ||
			    !bsearch(&row.nh_ip, ips, k, sizeof(*ips), cmp_u32))
				continue;
			struct nh_ref *r = VEC_PUSH(b->idx, b->nidx, b->idx_cap);
			if (!r) {
				free(ips);
				return -1;
			}
			*r = (struct nh_ref){ .ip = row.nh_ip, .p = row.prefixes[0] };
		}
		/* Keep the index small as it grows (subnets repeat the same
		 * rows); sorting only when it doubled keeps this O(n log n). */
		if (b->nidx >= 2 * uniq + 1024) {
			qsort(b->idx, b->nidx, sizeof(*b->idx), cmp_nh_ref);
			b->nidx = uniq = dedup_refs(b->idx, b->nidx);
		}
	}
	free(ips);
	if (b->nidx > 1) /* none (a capacity study): idx is NULL, which qsort may not take */
		qsort(b->idx, b->nidx, sizeof(*b->idx), cmp_nh_ref);
	b->nidx = dedup_refs(b->idx, b->nidx);
	return 0;
}

/* The baseline time: the study's `at` (a label of the scenario, or a
 * time), else after every file event. */
static int baseline_time(const struct study_base *b, struct diag *d, int64_t *t)
{
	const struct scenario *sc = b->sc;
	const char *at = b->st->at;
	*t = sc->nevents ? sc->events[sc->nevents - 1].at_ms : 0;
	if (!at || strcmp(at, "end") == 0)
		return 0;
	if (strcmp(at, "start") == 0) {
		*t = -1;
		return 0;
	}
	for (size_t i = 0; i < sc->nevents; i++)
		if (sc->events[i].op == EV_CHECKPOINT && strcmp(sc->events[i].label, at) == 0) {
			*t = sc->events[i].at_ms;
			return 0;
		}
	if (b->st->at_ms >= 0) {
		*t = b->st->at_ms;
		return 0;
	}
	diag_add(d, DIAG_ERROR, b->st->file, "$.at",
		 "\"%s\" is neither a checkpoint label of %s nor a time", at, sc->file);
	return 2;
}

int study_prepare(const struct study *st, struct scenario *sc, struct diag *d,
		  struct study_base **out)
{
	*out = NULL;
	struct study_base *b = calloc(1, sizeof(*b));
	if (!b)
		return 3;
	b->st = st;
	b->sc = sc;
	b->diag = d;
	b->saved_nevents = sc->nevents;
	int64_t t0;
	int rc = baseline_time(b, d, &t0);
	if (rc != 0) {
		study_base_destroy(b);
		return rc;
	}
	/* Later file events are not part of the baseline. */
	size_t n = 0;
	while (n < sc->nevents && sc->events[n].at_ms <= t0)
		n++;
	sc->nevents = n;
	b->run = run_create(sc, d);
	/* With an `at`, the baseline is the state at that moment: the replay
	 * stops there, and timers still pending (a hold timer, a Route Server
	 * scale-out) run on inside each variant's window. */
	const char *at = st->at && strcmp(st->at, "end") != 0 ? st->at : NULL;
	const char *label = at;
	bool is_label = at && strcmp(at, "start") == 0;
	for (size_t i = 0; at && !is_label && i < sc->nevents; i++)
		is_label = sc->events[i].op == EV_CHECKPOINT && strcmp(sc->events[i].label, at) == 0;
	if (b->run && at && !is_label) {
		label = "study baseline";
		if (run_add_probe(b->run, t0, label) != 0)
			rc = 3;
	}
	if (b->run && at)
		run_stop_after(b->run, label);
	if (rc == 0)
		rc = b->run ? run_execute(b->run) : 3;
	if (rc != 0) {
		study_base_destroy(b);
		return rc;
	}
	b->cp = run_checkpoint(b->run, at ? label : "end");
	b->t_fail = run_end_ms(b->run) > t0 ? run_end_ms(b->run) : (t0 > 0 ? t0 : 0);
	if (st->kind == STUDY_ENUMERATE)
		rc = study_variant_list_enumerate(b) == 0 ? 0 : 3;
	else if (st->kind == STUDY_MONTE_CARLO)
		rc = study_variant_list_monte_carlo(b, d);
	if (rc == 0 && build_index(b) != 0)
		rc = 3;
	if (rc == 0 && st->rank_flows)
		rc = study_reach_base(b);
	if (rc != 0) {
		study_base_destroy(b);
		return rc;
	}
	*out = b;
	return 0;
}

void study_base_destroy(struct study_base *b)
{
	if (!b)
		return;
	run_save_destroy(b->kept);
	run_destroy(b->run);
	for (size_t i = 0; i < b->nv; i++)
		study_variant_fini(&b->v[i]);
	free(b->v);
	for (size_t i = 0; i < b->ntargets; i++) {
		free(b->targets[i]);
		study_variant_spec_fini(&b->tdead[i]);
	}
	free(b->targets);
	free(b->tdead);
	free(b->idx);
	reachset_destroy(b->reach_base);
	reach_destroy(b->reach0);
	b->sc->nevents = b->saved_nevents;
	free(b);
}

int study_keep_baseline(struct study_base *b)
{
	if (!b->kept)
		b->kept = run_save_create(b->run);
	return b->kept ? 0 : 3;
}

int study_rollback(struct study_base *b, size_t i)
{
	const struct variant *v = &b->v[i];
	const char *edited[2];
	size_t ne = 0;
	for (size_t k = 0; k < v->nev && k < 2; k++)
		if (v->ev[k].op == EV_ADD || v->ev[k].op == EV_SET || v->ev[k].op == EV_REMOVE)
			edited[ne++] = v->ev[k].path;
	if (!b->kept)
		return 1;
	int rc = run_restore(b->run, b->kept, edited, ne);
	return rc < 0 ? 3 : rc;
}

size_t study_variant_count(const struct study_base *b) { return b->nv; }
const char *study_variant_label(const struct study_base *b, size_t i) { return b->v[i].label; }
const char *study_variant_class(const struct study_base *b, size_t i) { return b->v[i].klass; }
int64_t study_failure_ms(const struct study_base *b) { return b->t_fail; }
size_t study_subnet_count(const struct study_base *b) { return b->cp->topo->nsubnets; }
const char *study_subnet_id(const struct study_base *b, size_t s)
{
	return b->cp->topo->subnets[s]->id;
}
size_t study_subnet_nics(const struct study_base *b, size_t s)
{
	return b->cp->topo->subnets[s]->nic_count;
}
const struct run *study_run(const struct study_base *b) { return b->run; }
struct diag *study_diag(const struct study_base *b) { return b->diag; }
size_t study_target_count(const struct study_base *b) { return b->ntargets; }
const char *study_target(const struct study_base *b, size_t i) { return b->targets[i]; }

