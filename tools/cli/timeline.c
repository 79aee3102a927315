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
	const struct bgp_set *a = eff_table_set(e->before), *b = eff_table_set(e->after);
	/* One side without the hub's routes (a peering that stops or starts
	 * using its gateways): they all differ, read every row. */
	if (e->before && e->after && !e->before_without_rs && !e->after_without_rs &&
	    (a == b || (a && b))) {
		const struct prefix *d = NULL;
		size_t nd = 0;
		if (a != b && !(d = study_diff_sets_get(sets, a, b, &nd)))
			return -1;
		/* Sets that differ in most of their entries: reading the rows
		 * in order beats looking up each prefix. */
		size_t most = bgp_set_count(a) > bgp_set_count(b) ? bgp_set_count(a) : bgp_set_count(b);
		if (a == b || nd * 4 < most)
			return rowdiff_change_bounded(c, e->before, e->after, d, nd,
						      ROWDIFF_NAMES_EXACT);
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

/* A scoped entry whose rows in its scope are its domain sets' alone on
 * both sides (eff_scope_set_only): every entry of a block with the same
 * key shows the same rows, so it joins the same fold without a diff (a
 * BGP event changes hundreds of subnets alike). */
struct set_only {
	const struct bgp_set *before, *after;
	bool before_view, after_view;  /* the sets' views (eff_scope_set_only) */
	bool before_without_rs, after_without_rs; /* the entry's, for same_view */
	const struct prefix *scope;
	size_t nscope;
	long fold;                     /* its fold in the block, -1: it shows no row */
};

/* e's key, when it has one. */
static bool set_only_key(const struct timeline_entry *e, struct set_only *k)
{
	if (!e->scope || !e->before || !e->after || e->before_without_rs != e->after_without_rs)
		return false;
	*k = (struct set_only){ .before_without_rs = e->before_without_rs,
				.after_without_rs = e->after_without_rs, .scope = e->scope,
				.nscope = e->nscope, .fold = -1 };
	return eff_scope_set_only(e->before, e->before_without_rs, e->scope, e->nscope, &k->before,
				  &k->before_view) &&
	       eff_scope_set_only(e->after, e->after_without_rs, e->scope, e->nscope, &k->after,
				  &k->after_view);
}

static bool set_only_same(const struct set_only *a, const struct set_only *b)
{
	return a->before == b->before && a->after == b->after && a->before_view == b->before_view &&
	       a->after_view == b->after_view && a->before_without_rs == b->before_without_rs &&
	       a->after_without_rs == b->after_without_rs && a->scope == b->scope &&
	       a->nscope == b->nscope;
}

/* Entry e into the block's folds v[0..*n): the fold of an equal change
 * seen the same way, else a new one.  Sets *fold to its index (-1: the
 * change shows no row, skipped).  0 or -1. */
static int fold_entry(struct timeline_fold **v, size_t *n, size_t *cap, const struct timeline_entry *e,
		      struct study_diff_sets *sets, long *fold)
{
	*fold = -1;
	struct rowdiff_change ch;
	if (timeline_entry_change(&ch, e, sets) != 0)
		return -1;
	if (rowdiff_result_empty(&ch.res)) {
		rowdiff_change_fini(&ch); /* a change that shows no row (hidden fields) */
		return 0;
	}
	struct timeline_fold *f = NULL;
	for (size_t g = 0; g < *n && !f; g++)
		if (same_view((*v)[g].entries[0], e) && rowdiff_result_equal(&(*v)[g].ch.res, &ch.res))
			f = &(*v)[g];
	if (f) {
		rowdiff_change_fini(&ch);
	} else {
		if (!(f = VEC_PUSH(*v, *n, *cap))) {
			rowdiff_change_fini(&ch);
			return -1;
		}
		*f = (struct timeline_fold){ .ch = ch };
	}
	*fold = (long)(f - *v);
	return fold_add_entry(f, e);
}

/* Folds entries [i, j) (one time and cause) and emits the folds. */
static int fold_block(const struct run *r, size_t i, size_t j, struct study_diff_sets *sets,
		      timeline_emit_block emit, void *ctx)
{
	struct timeline_fold *v = NULL;
	struct set_only *keys = NULL;
	size_t n = 0, cap = 0, nkeys = 0, kcap = 0;
	int rc = 0;
	for (size_t k = i; k < j && rc == 0; k++) {
		const struct timeline_entry *e = run_timeline_get(r, k);
		struct set_only key;
		bool keyed = set_only_key(e, &key);
		const struct set_only *seen = NULL;
		for (size_t q = 0; keyed && q < nkeys && !seen; q++)
			if (set_only_same(&keys[q], &key))
				seen = &keys[q];
		if (seen) {
			rc = seen->fold < 0 ? 0 : fold_add_entry(&v[seen->fold], e);
			continue;
		}
		rc = fold_entry(&v, &n, &cap, e, sets, &key.fold);
		struct set_only *slot = rc == 0 && keyed ? VEC_PUSH(keys, nkeys, kcap) : NULL;
		if (slot)
			*slot = key;
		else if (rc == 0 && keyed)
			rc = -1;
	}
	if (rc == 0 && n)
		emit(v, n, ctx);
	folds_free(v, n);
	free(keys);
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
