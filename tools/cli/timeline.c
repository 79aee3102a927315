/*
 * timeline.c - folding a run's timeline.  See timeline.h.
 */
#include "timeline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

int timeline_entry_change(struct rowdiff_change *c, const struct timeline_entry *e,
			  struct study_diff_sets *sets)
{
	if (e->scope && e->before_without_rs == e->after_without_rs)
		return rowdiff_change_scoped(c, e->before, e->after, e->before_without_rs, e->scope,
					     e->nscope, ROWDIFF_NAMES_EXACT);
	if (e->before && e->after && !e->before_without_rs && !e->after_without_rs) {
		const struct bgp_set *a = eff_table_set(e->before), *b = eff_table_set(e->after);
		const struct prefix *d = NULL;
		size_t nd = 0;
		if (a != b && !(d = study_diff_sets_get(sets, a, b, &nd)))
			return -1;
		return rowdiff_change_bounded(c, e->before, e->after, d, nd, ROWDIFF_NAMES_EXACT);
	}
	return rowdiff_change_tables(c, e->before, e->before_without_rs, e->after,
				     e->after_without_rs, ROWDIFF_NAMES_EXACT);
}

static int fold_add_entry(struct timeline_fold *f, const struct timeline_entry *e)
{
	const struct timeline_entry **slot = VEC_PUSH(f->entries, f->nentries, f->cap);
	if (!slot)
		return -1;
	*slot = e;
	f->nics += e->nics;
	return 0;
}

static bool same_cause(const struct timeline_entry *a, const struct timeline_entry *b)
{
	if (a->at_ms != b->at_ms)
		return false;
	if (!a->cause || !b->cause)
		return a->cause == b->cause;
	return strcmp(a->cause, b->cause) == 0;
}

/* NICs programmed by the Route Server or beyond its capacity, on both
 * sides: a subnet's two groups are never one fold, so a fold names each
 * subnet once. */
static bool same_view(const struct timeline_entry *a, const struct timeline_entry *b)
{
	return a->before_without_rs == b->before_without_rs &&
	       a->after_without_rs == b->after_without_rs;
}

static void folds_free(struct timeline_fold *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rowdiff_change_fini(&v[i].ch);
		free(v[i].entries);
	}
	free(v);
}

/* Folds entries [i, j) (one time and cause) and emits the folds. */
static int fold_block(const struct run *r, size_t i, size_t j, struct study_diff_sets *sets,
		      timeline_emit_block emit, void *ctx)
{
	struct timeline_fold *v = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (size_t k = i; k < j && rc == 0; k++) {
		const struct timeline_entry *e = run_timeline_get(r, k);
		struct rowdiff_change ch;
		if (timeline_entry_change(&ch, e, sets) != 0) {
			rc = -1;
			break;
		}
		if (rowdiff_result_empty(&ch.res)) {
			rowdiff_change_fini(&ch); /* a change that shows no row (hidden fields) */
			continue;
		}
		struct timeline_fold *f = NULL;
		for (size_t g = 0; g < n && !f; g++)
			if (same_view(v[g].entries[0], e) && rowdiff_result_equal(&v[g].ch.res, &ch.res))
				f = &v[g];
		if (f) {
			rowdiff_change_fini(&ch);
		} else {
			if (!(f = VEC_PUSH(v, n, cap))) {
				rowdiff_change_fini(&ch);
				rc = -1;
				break;
			}
			*f = (struct timeline_fold){ .ch = ch };
		}
		rc = fold_add_entry(f, e);
	}
	if (rc == 0 && n)
		emit(v, n, ctx);
	folds_free(v, n);
	return rc;
}

struct each_fold {
	timeline_emit emit;
	void *ctx;
};

static void emit_each(const struct timeline_fold *v, size_t n, void *ctx)
{
	struct each_fold *e = ctx;
	for (size_t g = 0; g < n; g++)
		e->emit(&v[g], e->ctx);
}

int timeline_fold(const struct run *r, timeline_emit emit, void *ctx)
{
	struct each_fold e = { emit, ctx };
	return timeline_fold_blocks(r, emit_each, &e);
}

int timeline_fold_blocks(const struct run *r, timeline_emit_block emit, void *ctx)
{
	size_t n = run_timeline_count(r);
	struct study_diff_sets sets = { 0 };
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0;) {
		size_t j = i + 1;
		while (j < n && same_cause(run_timeline_get(r, i), run_timeline_get(r, j)))
			j++;
		rc = fold_block(r, i, j, &sets, emit, ctx);
		i = j;
	}
	study_diff_sets_fini(&sets);
	return rc;
}
