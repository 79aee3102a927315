/*
 * study_diff.c - see study_diff.h.
 *
 * Reading a table's keys: gateway rows come from the domain's sorted set
 * and are listed in prefix order, so they go straight to the output
 * (sorted only if a prefix's rows are out of key order); the few system
 * and User rows are sorted apart and merged in from the back: O(rows)
 * without a second copy.
 */
#include "study_diff.h"

#include <stdlib.h>
#include <string.h>

#include "vec.h"

static int cmp_key(const void *a, const void *b)
{
	const struct study_diff_key *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->hop > y->hop) - (x->hop < y->hop);
}

/* Merges the sorted own[] into the sorted out[] from the back (out has
 * room for both).  Equal keys are equal rows, so ties need no care. */
static void merge_back(struct study_diff_keys *out, const struct study_diff_keys *own)
{
	struct study_diff_key *a = out->v;
	const struct study_diff_key *b = own->v;
	size_t i = out->n, j = own->n, w = out->n + own->n;
	while (j > 0) {
		if (i > 0 && cmp_key(&a[i - 1], &b[j - 1]) > 0)
			a[--w] = a[--i];
		else
			a[--w] = b[--j];
	}
	out->n += own->n;
}

int study_diff_keys(const struct eff_table *t, struct study_diff_keys *out,
		    struct study_diff_keys *own)
{
	out->n = own->n = 0;
	if (!t)
		return 0;
	struct eff_iter it = { 0 };
	struct route_row row;
	bool sorted = true;
	while (eff_row(t, false, &it, &row)) {
		if (row.nprefixes != 1 || row.nh == NH_SERVICE_ENDPOINT)
			continue; /* as eff_rows_with_prefix: never changes with a failure */
		struct study_diff_keys *to = row.source == SRC_GATEWAY ? out : own;
		struct study_diff_key *k = VEC_PUSH(to->v, to->n, to->cap);
		if (!k)
			return -1;
		*k = (struct study_diff_key){ study_diff_pkey(row.prefixes[0]),
					      study_diff_hop(row.active, row.nh,
							     row.has_nh_ip ? row.nh_ip : 0) };
		if (to == out && sorted && out->n > 1 && cmp_key(k - 1, k) > 0)
			sorted = false;
	}
	if (!sorted)
		qsort(out->v, out->n, sizeof(*out->v), cmp_key);
	if (own->n == 0)
		return 0;
	qsort(own->v, own->n, sizeof(*own->v), cmp_key);
	if (VEC_RESERVE(out->v, out->cap, out->n + own->n) != 0)
		return -1;
	merge_back(out, own);
	return 0;
}

static struct prefix pkey_prefix(uint64_t k)
{
	return (struct prefix){ .addr = (uint32_t)(k >> 8), .len = (uint8_t)(k & 0xff) };
}

int study_diff_rows(const struct eff_table *a, const struct eff_table *b,
		    struct study_diff_keys *ka, struct study_diff_keys *kb,
		    struct study_diff_prefixes *out)
{
	struct study_diff_keys own = { 0 };
	int rc = study_diff_keys(a, ka, &own) != 0 || study_diff_keys(b, kb, &own) != 0 ? -1 : 0;
	free(own.v);
	if (rc != 0)
		return -1;
	const struct study_diff_key *x = ka->v, *y = kb->v;
	size_t i = 0, k = 0;
	while (i < ka->n || k < kb->n) {
		uint64_t p = i < ka->n && (k >= kb->n || x[i].p <= y[k].p) ? x[i].p : y[k].p;
		size_t i2 = i, k2 = k;
		while (i2 < ka->n && x[i2].p == p)
			i2++;
		while (k2 < kb->n && y[k2].p == p)
			k2++;
		bool same = i2 - i == k2 - k;
		for (size_t j = 0; same && j < i2 - i; j++)
			same = x[i + j].p == y[k + j].p && x[i + j].hop == y[k + j].hop;
		if (!same) {
			struct prefix *o = VEC_PUSH(out->v, out->n, out->cap);
			if (!o)
				return -1;
			*o = pkey_prefix(p);
		}
		i = i2;
		k = k2;
	}
	return 0;
}

/* The row keys' hops of p in the table w walks, sorted; how many (at most
 * STUDY_MAX_ROWS). */
static size_t walk_keys(struct eff_walk *w, struct prefix p, uint64_t *keys)
{
	struct route_row rows[STUDY_MAX_ROWS];
	size_t n = eff_walk_rows(w, p, rows, STUDY_MAX_ROWS);
	if (n > STUDY_MAX_ROWS)
		n = STUDY_MAX_ROWS;
	for (size_t i = 0; i < n; i++)
		keys[i] = study_diff_hop(rows[i].active, rows[i].nh,
					 rows[i].has_nh_ip ? rows[i].nh_ip : 0);
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of rows */
		for (size_t k = i; k > 0 && keys[k - 1] > keys[k]; k--) {
			uint64_t t = keys[k];
			keys[k] = keys[k - 1];
			keys[k - 1] = t;
		}
	return n;
}

void study_diff_sets_fini(struct study_diff_sets *c)
{
	for (size_t i = 0; i < STUDY_DIFF_SETS; i++)
		free(c->slot[i].v);
}

const struct prefix *study_diff_sets_get(struct study_diff_sets *c, const struct bgp_set *sa,
					 const struct bgp_set *sb, size_t *n)
{
	for (size_t i = 0; i < STUDY_DIFF_SETS; i++)
		if (c->slot[i].v && c->slot[i].a == sa && c->slot[i].b == sb) {
			*n = c->slot[i].n;
			return c->slot[i].v;
		}
	size_t i = c->next;
	c->next = (c->next + 1) % STUDY_DIFF_SETS;
	free(c->slot[i].v);
	c->slot[i].v = NULL;
	if (bgp_set_diff(sa, sb, &c->slot[i].v, &c->slot[i].n) != 0)
		return NULL;
	c->slot[i].a = sa;
	c->slot[i].b = sb;
	*n = c->slot[i].n;
	return c->slot[i].v;
}

/* The difference of a's and b's sets, cached; NULL out of memory. */
static const struct prefix *sets_differ(struct study_diff_sets *c, const struct eff_table *a,
					const struct eff_table *b, size_t *n)
{
	return study_diff_sets_get(c, eff_table_set(a), eff_table_set(b), n);
}

/* Appends the prefixes of bound[0..nb) whose rows differ between a and b
 * (walks[0] and walks[1] scratch); frees bound.  1, or -1 out of memory. */
static int keep_differing(const struct eff_table *a, const struct eff_table *b,
			  struct eff_walk *walks, struct prefix *bound, size_t nb,
			  struct study_diff_prefixes *out)
{
	int rc = 1;
	if (eff_walk_start(&walks[0], a, false) != 0 || eff_walk_start(&walks[1], b, false) != 0)
		rc = -1;
	for (size_t i = 0; rc == 1 && i < nb; i++) {
		uint64_t ka[STUDY_MAX_ROWS], kb[STUDY_MAX_ROWS];
		size_t na = walk_keys(&walks[0], bound[i], ka), nk = walk_keys(&walks[1], bound[i], kb);
		if (na == nk && memcmp(ka, kb, na * sizeof(*ka)) == 0)
			continue;
		struct prefix *o = VEC_PUSH(out->v, out->n, out->cap);
		if (!o)
			rc = -1;
		else
			*o = bound[i];
	}
	free(bound);
	return rc;
}

int study_diff_bounded(const struct eff_table *a, const struct eff_table *b,
		       struct eff_walk *walks, struct study_diff_sets *sd,
		       struct study_diff_prefixes *out)
{
	struct prefix *bound;
	size_t nb, nsd = 0;
	const struct prefix *diff = NULL;
	if (a && b && eff_table_set(a) != eff_table_set(b) && !(diff = sets_differ(sd, a, b, &nsd)))
		return -1;
	int rc = eff_diff_bound(a, b, diff, nsd, &bound, &nb);
	if (rc <= 0)
		return rc;
	return keep_differing(a, b, walks, bound, nb, out);
}

int study_diff_own(const struct eff_table *a, const struct eff_table *b, struct eff_walk *walks,
		   struct study_diff_prefixes *out)
{
	/* An empty list of set differences: the bound without them. */
	static const struct prefix no_prefix;
	struct prefix *bound;
	size_t nb;
	int rc = eff_diff_bound(a, b, eff_table_set(a) != eff_table_set(b) ? &no_prefix : NULL, 0,
				&bound, &nb);
	if (rc <= 0)
		return rc < 0 ? -1 : 0;
	return keep_differing(a, b, walks, bound, nb, out) < 0 ? -1 : 0;
}
