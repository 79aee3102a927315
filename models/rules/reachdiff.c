/*
 * reachdiff.c - reachability compared by name; see reachdiff.h.
 *
 * Names are matched through sorted (name, index) arrays.  A pair of cells
 * (from, to) decides a flow's change, and a row has few distinct pairs, so
 * each pair is classified once (a small open-addressing memo from the pair
 * to its group, -1 for unchanged).  A source's changed flows are gathered
 * as (group, destination) keys, sorted, and each group's run of
 * destinations joins the block with the same list or starts one.
 */
#include "reachdiff.h"

#include <stdlib.h>
#include <string.h>

#include "vec.h"

const char *reachdiff_change_name(enum reachdiff_change c)
{
	static const char *const names[] = { "broke", "repaired", "rerouted", "return changed",
					     "changed" };
	return names[c];
}

struct named {
	const char *name;
	uint32_t idx;
};

static int named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* Sorted (name, index) pairs of n names; NULL when out of memory. */
static struct named *sorted_names(const char *const *names, size_t stride, size_t n)
{
	struct named *v = malloc((n + 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct named){ *(const char *const *)((const char *)names + i * stride),
				       (uint32_t)i };
	qsort(v, n, sizeof *v, named_cmp);
	return v;
}

/* For each of the to side's names, the from side's index or -1; names of
 * either side without a match are appended to only[0] / only[1] when
 * keep[side] (NULL: all) keeps them. */
static int match_names(const char *const *fa, const char *const *fb, size_t stride, size_t na,
		       size_t nb, int64_t *map, const char ***only, size_t *nonly, size_t *caps,
		       const bool *const keep[2])
{
	struct named *a = sorted_names(fa, stride, na);
	bool *seen = calloc(na + 1, sizeof *seen);
	int rc = a && seen ? 0 : -1;
	for (size_t i = 0; i < nb && rc == 0; i++) {
		struct named key = { *(const char *const *)((const char *)fb + i * stride), 0 };
		const struct named *hit = na ? bsearch(&key, a, na, sizeof *a, named_cmp) : NULL;
		map[i] = hit ? (int64_t)hit->idx : -1;
		if (hit) {
			seen[hit->idx] = true;
		} else if (!keep[1] || keep[1][i]) {
			const char **slot = VEC_PUSH(only[1], nonly[1], caps[1]);
			if (!slot)
				rc = -1;
			else
				*slot = key.name;
		}
	}
	for (size_t i = 0; i < na && rc == 0; i++) {
		if (seen[i] || (keep[0] && !keep[0][i]))
			continue;
		const char **slot = VEC_PUSH(only[0], nonly[0], caps[0]);
		if (!slot)
			rc = -1;
		else
			*slot = *(const char *const *)((const char *)fa + i * stride);
	}
	free(a);
	free(seen);
	return rc;
}

static bool outcome_same(const struct reachset_outcome *a, const struct reachset_outcome *b)
{
	return a->verdict == b->verdict && strcmp(a->appliances, b->appliances) == 0 &&
	       strcmp(a->ends, b->ends) == 0;
}

/* The change of a flow from (a, sa) to (b, sb), or -1 when it is the same. */
static int classify(const struct reachset_outcome *a, enum reach_sym sa,
		    const struct reachset_outcome *b, enum reach_sym sb)
{
	bool oka = a->verdict == TV_DELIVERED, okb = b->verdict == TV_DELIVERED;
	if (oka != okb)
		return oka ? RD_BROKE : RD_REPAIRED;
	if (!outcome_same(a, b))
		return oka ? RD_REROUTED : RD_CHANGED;
	return oka && sa != sb ? RD_RETURN : -1;
}

struct memo {
	uint64_t *keys;                /* (from cell + 1) << 32 | to cell; 0 empty */
	int32_t *vals;
	size_t cap, n;
};

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

static int memo_grow(struct memo *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	uint64_t *keys = calloc(cap, sizeof *keys);
	int32_t *vals = calloc(cap, sizeof *vals);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t h = mix(m->keys[i]) & (cap - 1);
		while (keys[h])
			h = (h + 1) & (cap - 1);
		keys[h] = m->keys[i], vals[h] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys, m->vals = vals, m->cap = cap;
	return 0;
}

struct state {
	struct reachdiff *d;
	const struct reachset *a, *b;
	const char *const *scope;      /* sorted subnet ids, NULL: every flow */
	size_t nscope;
	/* Per side, NULL without a scope: sources in scope, destinations
	 * in scope (subnets), destinations listed when on one side only. */
	bool *src_in[2], *dst_in[2], *dst_only[2];
	struct memo memo;
	uint64_t *items;
	size_t nitems, cap_items;
};

/* The group of a changed pair (added when new), -1 when unchanged, -2 out
 * of memory. */
static int64_t group_of(struct state *st, uint32_t ca, uint32_t cb)
{
	const struct reachset_outcome *a = &st->a->outcomes[ca >> 2], *b = &st->b->outcomes[cb >> 2];
	enum reach_sym sa = (enum reach_sym)(ca & 3u), sb = (enum reach_sym)(cb & 3u);
	int c = classify(a, sa, b, sb);
	if (c < 0)
		return -1;
	if (c != RD_RETURN)
		sa = sb = RS_NA;
	struct reachdiff *d = st->d;
	for (size_t g = 0; g < d->ngroups; g++) {
		const struct reachdiff_group *x = &d->groups[g];
		if ((int)x->change == c && x->from == a && x->to == b && x->from_sym == sa &&
		    x->to_sym == sb)
			return (int64_t)g;
	}
	struct reachdiff_group *x = VEC_PUSH(d->groups, d->ngroups, d->cap);
	if (!x)
		return -2;
	*x = (struct reachdiff_group){ .change = (enum reachdiff_change)c, .from = a, .to = b,
				       .from_sym = sa, .to_sym = sb };
	return (int64_t)d->ngroups - 1;
}

static int64_t lookup(struct state *st, uint32_t ca, uint32_t cb)
{
	struct memo *m = &st->memo;
	if ((m->n + 1) * 2 > m->cap && memo_grow(m) != 0)
		return -2;
	uint64_t key = ((uint64_t)ca + 1) << 32 | cb;
	size_t h = mix(key) & (m->cap - 1);
	while (m->keys[h]) {
		if (m->keys[h] == key)
			return m->vals[h];
		h = (h + 1) & (m->cap - 1);
	}
	int64_t g = group_of(st, ca, cb);
	if (g < -1)
		return g;
	m->keys[h] = key, m->vals[h] = (int32_t)g, m->n++;
	return g;
}

/* Source sb joins the block of group g with these destinations. */
static int add_block(struct reachdiff_group *g, uint32_t sb, const uint64_t *items, size_t n)
{
	struct reachdiff_block *bl = NULL;
	for (size_t i = 0; i < g->nblocks && !bl; i++) {
		struct reachdiff_block *x = &g->blocks[i];
		bool same = x->ndests == n;
		for (size_t k = 0; same && k < n; k++)
			same = x->dests[k] == (uint32_t)items[k];
		if (same)
			bl = x;
	}
	if (!bl) {
		bl = VEC_PUSH(g->blocks, g->nblocks, g->cap);
		if (!bl)
			return -1;
		*bl = (struct reachdiff_block){ 0 };
		bl->dests = malloc(n * sizeof *bl->dests);
		if (!bl->dests) {
			g->nblocks--;
			return -1;
		}
		for (size_t k = 0; k < n; k++)
			bl->dests[k] = (uint32_t)items[k];
		bl->ndests = n;
	}
	uint32_t *slot = VEC_PUSH(bl->sources, bl->nsources, bl->cap_sources);
	if (!slot)
		return -1;
	*slot = sb;
	g->flows += n;
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* One source present on both sides. */
static int compare_row(struct state *st, const uint32_t *ra, const uint32_t *rb,
		       const int64_t *dmap, uint32_t sb)
{
	struct reachdiff *d = st->d;
	uint32_t lca = UINT32_MAX, lcb = UINT32_MAX;
	int64_t lg = -1;
	const bool *dst_in = st->src_in[1] && !st->src_in[1][sb] ? st->dst_in[1] : NULL;
	st->nitems = 0;
	for (size_t db = 0; db < st->b->ndests; db++) {
		if (dmap[db] < 0 || (dst_in && !dst_in[db]))
			continue;
		uint32_t ca = ra[dmap[db]], cb = rb[db];
		d->compared++;
		if (ca != lca || cb != lcb) {
			lg = lookup(st, ca, cb);
			if (lg < -1)
				return -1;
			lca = ca, lcb = cb;
		}
		if (lg < 0)
			continue;
		uint64_t *it = VEC_PUSH(st->items, st->nitems, st->cap_items);
		if (!it)
			return -1;
		*it = (uint64_t)lg << 32 | db;
	}
	if (st->nitems) /* items is NULL until the first changed flow */
		qsort(st->items, st->nitems, sizeof *st->items, u64_cmp);
	for (size_t i = 0; i < st->nitems;) {
		size_t e = i;
		while (e < st->nitems && st->items[e] >> 32 == st->items[i] >> 32)
			e++;
		struct reachdiff_group *g = &d->groups[st->items[i] >> 32];
		d->count[g->change] += e - i;
		if (add_block(g, sb, &st->items[i], e - i) != 0)
			return -1;
		i = e;
	}
	return 0;
}

/* Groups in order of change, first seen first within a change. */
static int order_groups(struct reachdiff *d)
{
	struct reachdiff_group *v = malloc((d->ngroups + 1) * sizeof *v);
	if (!v)
		return -1;
	size_t k = 0;
	for (int c = 0; c < RD_NCHANGES; c++)
		for (size_t g = 0; g < d->ngroups; g++)
			if ((int)d->groups[g].change == c)
				v[k++] = d->groups[g];
	if (d->ngroups)
		memcpy(d->groups, v, d->ngroups * sizeof *v);
	free(v);
	return 0;
}

static int scope_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool in_scope(const struct state *st, const char *name)
{
	return bsearch(name, st->scope, st->nscope, sizeof *st->scope, scope_cmp) != NULL;
}

/* The scope's masks of side s (st->a: 0, st->b: 1); nothing without a
 * scope.  0, or -1 out of memory. */
static int scope_masks(struct state *st, int s)
{
	const struct reachset *x = s ? st->b : st->a;
	if (!st->scope)
		return 0;
	st->src_in[s] = calloc(x->nsources + 1, sizeof(bool));
	st->dst_in[s] = calloc(x->ndests + 1, sizeof(bool));
	st->dst_only[s] = calloc(x->ndests + 1, sizeof(bool));
	if (!st->src_in[s] || !st->dst_in[s] || !st->dst_only[s])
		return -1;
	bool any_source = false;
	for (size_t i = 0; i < x->nsources; i++)
		any_source |= st->src_in[s][i] = in_scope(st, x->sources[i]);
	for (size_t i = 0; i < x->ndests; i++) {
		bool subnet = x->dests[i].kind == RK_SUBNET;
		st->dst_in[s][i] = subnet && in_scope(st, x->dests[i].name);
		st->dst_only[s][i] = subnet ? st->dst_in[s][i] : any_source;
	}
	return 0;
}

static int compute(struct state *st)
{
	const struct reachset *a = st->a, *b = st->b;
	struct reachdiff *d = st->d;
	int64_t *smap = malloc((b->nsources + 1) * sizeof *smap);
	int64_t *dmap = malloc((b->ndests + 1) * sizeof *dmap);
	uint32_t *ra = malloc((a->ndests + 1) * sizeof *ra);
	uint32_t *rb = malloc((b->ndests + 1) * sizeof *rb);
	int rc = smap && dmap && ra && rb ? 0 : -1;
	if (rc == 0)
		rc = scope_masks(st, 0);
	if (rc == 0)
		rc = scope_masks(st, 1);
	const bool *const src_keep[2] = { st->src_in[0], st->src_in[1] };
	const bool *const dst_keep[2] = { st->dst_only[0], st->dst_only[1] };
	if (rc == 0)
		rc = match_names(a->sources, b->sources, sizeof *a->sources, a->nsources,
				 b->nsources, smap, d->sources_only, d->nsources_only, d->caps,
				 src_keep);
	if (rc == 0)
		rc = match_names(a->dests ? &a->dests[0].name : NULL,
				 b->dests ? &b->dests[0].name : NULL, sizeof *a->dests,
				 a->ndests, b->ndests, dmap, d->dests_only, d->ndests_only,
				 d->caps + 2, dst_keep);
	for (size_t sb = 0; sb < b->nsources && rc == 0; sb++) {
		if (smap[sb] < 0)
			continue;
		reachset_row(a, (size_t)smap[sb], ra);
		reachset_row(b, sb, rb);
		rc = compare_row(st, ra, rb, dmap, (uint32_t)sb);
	}
	if (rc == 0)
		rc = order_groups(d);
	free(smap);
	free(dmap);
	free(ra);
	free(rb);
	return rc;
}

struct reachdiff *reachdiff_compute_scoped(const struct reachset *from,
					   const struct reachset *to,
					   const char *const *scope, size_t nscope)
{
	struct reachdiff *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	struct state st = { .d = d, .a = from, .b = to, .scope = scope, .nscope = nscope };
	int rc = compute(&st);
	free(st.memo.keys);
	free(st.memo.vals);
	free(st.items);
	for (int s = 0; s < 2; s++) {
		free(st.src_in[s]);
		free(st.dst_in[s]);
		free(st.dst_only[s]);
	}
	if (rc != 0) {
		reachdiff_destroy(d);
		return NULL;
	}
	return d;
}

struct reachdiff *reachdiff_compute(const struct reachset *from, const struct reachset *to)
{
	return reachdiff_compute_scoped(from, to, NULL, 0);
}

void reachdiff_destroy(struct reachdiff *d)
{
	if (!d)
		return;
	for (size_t g = 0; g < d->ngroups; g++) {
		for (size_t b = 0; b < d->groups[g].nblocks; b++) {
			free(d->groups[g].blocks[b].sources);
			free(d->groups[g].blocks[b].dests);
		}
		free(d->groups[g].blocks);
	}
	free(d->groups);
	for (int i = 0; i < 2; i++) {
		free(d->sources_only[i]);
		free(d->dests_only[i]);
	}
	free(d);
}

bool reachdiff_differs(const struct reachdiff *d)
{
	return d->ngroups || d->nsources_only[0] || d->nsources_only[1] || d->ndests_only[0] ||
	       d->ndests_only[1];
}
