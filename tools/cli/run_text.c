/*
 * run_text.c - `vnetsim run`'s timeline as text.  See run_text.h.
 */
#include "run_text.h"

#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "rowdiff.h"
#include "timeline.h"

struct text {
	const struct run_text_opts *o;
	FILE *out;
	struct run_text_totals *t;
	int rc;
};

/* ---- names ---------------------------------------------------------------- */

/* ", " between names, then " and N more" past max. */
static void name_print(FILE *out, size_t *shown, size_t max, const char *name)
{
	if (*shown < max)
		fprintf(out, "%s%s", *shown ? ", " : "", name);
	(*shown)++;
}

static void more_print(FILE *out, size_t shown, size_t max)
{
	if (shown > max && max) /* --max-names 0: counts only */
		fprintf(out, " and %zu more", shown - max);
}

/* "hub/nva (2 NICs: nva1-nic, nva2-nic)" or "3 subnets, 12 NICs: a, b, c":
 * the subnets of folds v[idx[0..n)] (idx NULL: v[0..n)). */
static void subnets_print(FILE *out, const struct timeline_fold *v, const size_t *idx, size_t n,
			  size_t max)
{
	size_t nsub = 0, nics = 0, shown = 0;
	const struct timeline_fold *one = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct timeline_fold *f = &v[idx ? idx[i] : i];
		nsub += f->nentries;
		nics += f->nics;
		one = f;
	}
	if (nsub == 1) {
		const struct timeline_entry *e = one->entries[0];
		fprintf(out, "%s (%zu NIC%s", e->subnet, nics, nics == 1 ? "" : "s");
		if (nics && max)
			fputs(": ", out);
		for (size_t k = 0; k < e->nics; k++)
			name_print(out, &shown, max, e->nic_names[k]);
		more_print(out, shown, max);
		fputc(')', out);
		return;
	}
	fprintf(out, "%zu subnets, %zu NICs", nsub, nics);
	if (max)
		fputs(": ", out);
	for (size_t i = 0; i < n; i++) {
		const struct timeline_fold *f = &v[idx ? idx[i] : i];
		for (size_t k = 0; k < f->nentries; k++)
			name_print(out, &shown, max, f->entries[k]->subnet);
	}
	more_print(out, shown, max);
}

/* The Route Server view of a fold's NICs (RULES 1.8), as a suffix. */
static void view_print(FILE *out, const struct timeline_entry *first)
{
	if (first->before_without_rs != first->after_without_rs)
		fputs(first->after_without_rs ? " [now beyond Route Server capacity]"
					      : " [now programmed by the Route Server]",
		      out);
	else if (first->after_without_rs)
		fputs(" [beyond Route Server capacity]", out);
}

/* ---- detail --------------------------------------------------------------- */

/* "vm-1, vm-2 and 3 more": the NICs of a fold across its subnets. */
static void nic_names_print(FILE *out, const struct timeline_fold *f, size_t max)
{
	size_t shown = 0;
	for (size_t i = 0; i < f->nentries; i++)
		for (size_t k = 0; k < f->entries[i]->nics && shown < max; k++)
			fprintf(out, "%s%s", shown++ ? ", " : "", f->entries[i]->nic_names[k]);
	if (f->nics > shown)
		fprintf(out, " and %zu more", f->nics - shown);
}

static void fold_detail(struct text *x, const struct timeline_fold *f)
{
	FILE *out = x->out;
	size_t max = x->o->max_names;
	const struct timeline_entry *first = f->entries[0];
	char t[32];
	fprintf(out, "    %s  %s  ", render_time(first->at_ms, t),
		first->cause ? first->cause : "-");
	if (f->nentries == 1) {
		fprintf(out, "%s (%zu NIC%s", first->subnet, f->nics, f->nics == 1 ? "" : "s");
		if (f->nics) {
			fputs(": ", out);
			nic_names_print(out, f, max);
		}
		fputc(')', out);
	} else {
		fprintf(out, "%zu subnets, %zu NICs: ", f->nentries, f->nics);
		for (size_t i = 0; i < f->nentries && i < max; i++)
			fprintf(out, "%s%s", i ? ", " : "", f->entries[i]->subnet);
		if (f->nentries > max)
			fprintf(out, " and %zu more", f->nentries - max);
	}
	view_print(out, first);
	fputc('\n', out);
	if (render_changes_text(out, "      ", f->ch.res.removed, f->ch.res.nremoved,
				f->ch.res.added, f->ch.res.nadded) != 0)
		x->rc = -1;
}

/* ---- summary -------------------------------------------------------------- */

/* Rows of a change that are not the domain's BGP rows, in order, equal
 * (key and name) on both sides. */
static bool own_rows_equal(const struct route_row *const *a, size_t na,
			   const struct route_row *const *b, size_t nb)
{
	size_t i = 0, k = 0;
	for (;;) {
		while (i < na && a[i]->source == SRC_GATEWAY)
			i++;
		while (k < nb && b[k]->source == SRC_GATEWAY)
			k++;
		if (i == na || k == nb)
			return i == na && k == nb;
		const char *x = a[i]->name, *y = b[k]->name;
		if (rowdiff_row_cmp(a[i], b[k]) != 0 || (x || y ? !x || !y || strcmp(x, y) != 0 : 0))
			return false;
		i++;
		k++;
	}
}

static size_t gateway_count(const struct route_row *const *v, size_t n)
{
	size_t g = 0;
	for (size_t i = 0; i < n; i++)
		g += v[i]->source == SRC_GATEWAY;
	return g;
}

/* Folds of one block alike but for their BGP rows. */
struct way {
	size_t first;                  /* its first fold in the block */
	size_t n;                      /* folds */
	size_t removed, added;         /* rows of the first fold */
	size_t bgp_rm[2], bgp_add[2];  /* min and max over the folds */
};

static bool same_way(const struct timeline_fold *a, const struct timeline_fold *b)
{
	const struct timeline_entry *x = a->entries[0], *y = b->entries[0];
	return x->before_without_rs == y->before_without_rs &&
	       x->after_without_rs == y->after_without_rs &&
	       own_rows_equal(a->ch.res.removed, a->ch.res.nremoved, b->ch.res.removed,
			      b->ch.res.nremoved) &&
	       own_rows_equal(a->ch.res.added, a->ch.res.nadded, b->ch.res.added,
			      b->ch.res.nadded);
}

static void range_widen(size_t r[2], size_t v)
{
	if (v < r[0])
		r[0] = v;
	if (v > r[1])
		r[1] = v;
}

static void range_print(FILE *out, const char *sign, const size_t r[2])
{
	if (r[0] == r[1])
		fprintf(out, "%s%zu", sign, r[0]);
	else
		fprintf(out, "%s%zu..%zu", sign, r[0], r[1]);
}

/* "-5 +2000 rows (BGP -0 +2000)" */
static void rows_print(FILE *out, const struct way *w)
{
	fprintf(out, "-%zu +%zu row%s", w->removed, w->added,
		w->removed + w->added == 1 ? "" : "s");
	if (w->bgp_rm[1] || w->bgp_add[1]) {
		fputs(" (BGP ", out);
		range_print(out, "-", w->bgp_rm);
		range_print(out, " +", w->bgp_add);
		fputc(')', out);
	}
}

/* The block's folds grouped into ways, in the order of their first fold:
 * of[i] is fold i's way.  Returns the number of ways. */
static size_t ways_build(const struct timeline_fold *v, size_t n, struct way *ways, size_t *of)
{
	size_t nw = 0;
	for (size_t i = 0; i < n; i++) {
		size_t w = 0;
		while (w < nw && !same_way(&v[ways[w].first], &v[i]))
			w++;
		size_t rm = gateway_count(v[i].ch.res.removed, v[i].ch.res.nremoved);
		size_t ad = gateway_count(v[i].ch.res.added, v[i].ch.res.nadded);
		if (w == nw)
			ways[nw++] = (struct way){ .first = i, .removed = v[i].ch.res.nremoved,
						   .added = v[i].ch.res.nadded,
						   .bgp_rm = { rm, rm }, .bgp_add = { ad, ad } };
		range_widen(ways[w].bgp_rm, rm);
		range_widen(ways[w].bgp_add, ad);
		ways[w].n++;
		of[i] = w;
	}
	return nw;
}

static void way_print(struct text *x, const struct timeline_fold *v, const struct way *w,
		      const size_t *members, const char *lead)
{
	FILE *out = x->out;
	fputs(lead, out);
	subnets_print(out, v, members, w->n, x->o->max_names);
	view_print(out, v[members[0]].entries[0]);
	fputs("  ", out);
	rows_print(out, w);
	fputc('\n', out);
}

static void block_summary(struct text *x, const struct timeline_fold *v, size_t n)
{
	struct way *ways = malloc(n * sizeof(*ways));
	size_t *of = malloc(n * sizeof(*of)), *members = malloc(n * sizeof(*members));
	size_t *start = malloc(n * sizeof(*start));
	if (!ways || !of || !members || !start) {
		x->rc = -1;
		goto done;
	}
	size_t nw = ways_build(v, n, ways, of);
	/* Each way's folds laid out together, in block order:
	 * members[start[w] .. + ways[w].n). */
	for (size_t w = 0, at = 0; w < nw; w++) {
		start[w] = at;
		at += ways[w].n;
	}
	for (size_t i = 0; i < n; i++)
		members[start[of[i]]++] = i;
	const struct timeline_entry *e = v[0].entries[0];
	char t[32];
	fprintf(x->out, "    %s  %s  ", render_time(e->at_ms, t), e->cause ? e->cause : "-");
	if (nw == 1) {
		way_print(x, v, &ways[0], members, "");
	} else {
		size_t nsub = 0, nics = 0;
		for (size_t i = 0; i < n; i++) {
			nsub += v[i].nentries;
			nics += v[i].nics;
		}
		fprintf(x->out, "%zu subnets, %zu NICs, %zu ways:\n", nsub, nics, nw);
		for (size_t w = 0, at = 0; w < nw; w++) {
			way_print(x, v, &ways[w], members + at, "      ");
			at += ways[w].n;
		}
	}
done:
	free(ways);
	free(of);
	free(members);
	free(start);
}

static void on_block(const struct timeline_fold *v, size_t n, void *ctx)
{
	struct text *x = ctx;
	x->t->changes++;
	for (size_t i = 0; i < n; i++) {
		x->t->subnets += v[i].nentries;
		x->t->nics += v[i].nics;
		x->t->removed += v[i].ch.res.nremoved * v[i].nentries;
		x->t->added += v[i].ch.res.nadded * v[i].nentries;
	}
	if (!x->o->detail) {
		block_summary(x, v, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fold_detail(x, &v[i]);
}

int run_text_timeline(const struct run *r, const struct run_text_opts *o, FILE *out,
		      struct run_text_totals *t)
{
	*t = (struct run_text_totals){ 0 };
	fprintf(out, "  timeline:%s\n", run_timeline_count(r) ? "" : " no changes");
	struct text x = { o, out, t, 0 };
	if (timeline_fold_blocks(r, on_block, &x) != 0)
		return -1;
	return x.rc;
}
