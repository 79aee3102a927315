/*
 * bgpset.c - a routing domain's programmed BGP routes.  See bgpset.h.
 *
 * Layout: entries[] (prefix, first row, row count) over two parallel row
 * arrays nh[] and nh_rs[].  The builder appends each entry's rows after
 * the previous entry's, so in a set built in prefix order (the domain
 * builder's way) the rows of a run of entries are one contiguous block,
 * which bgp_set_patch copies at once.  Sorting at finish moves entries
 * but not rows: their row ranges stay valid, only no longer in entry
 * order (nh_scattered).
 */
#include "bgpset.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "lpm.h"
#include "ranges.h"
#include "vec.h"

struct bgp_entry {
	struct prefix prefix;
	uint32_t nh_first;             /* into nh[] and nh_rs[] */
	uint32_t nh_count;             /* > 0 */
};

/* bgp_set_find's memo: the latest answers, direct mapped on the prefix. */
#define FIND_MEMO 64

struct bgp_find_memo {
	struct {
		struct prefix p;
		long idx;
		bool valid;
	} e[FIND_MEMO];
};

struct bgp_set {
	unsigned refs;
	struct bgp_entry *entries;     /* n; sorted by prefix once finished */
	size_t n;
	uint32_t *nh;                  /* next hop of each row */
	bool *nh_rs;                   /* row programmed by the Route Server */
	size_t nnh;                    /* rows */
	size_t ecap, nhcap, rscap;     /* builder capacities of entries, nh, nh_rs */
	bool unsorted;                 /* builder: an entry was added out of order */
	bool nh_scattered;             /* entries' rows not contiguous in entry order */
	bool finished;                 /* bgp_set_finish ran: immutable from here */
	/* Caches (bgpset.h): derived, filled on demand, freed with the set. */
	struct bgp_find_memo *memo;    /* bgp_set_find's answers, allocated with the set */
	struct lpm *fib;               /* prefix -> entry index, built by bgp_set_longest */
	bool fib_failed;               /* out of memory building it: bgp_set_longest says -1 */
	struct bgp_set *no_rs;         /* bgp_set_without_rs's set; NULL: s itself will do */
	bool no_rs_built;
	struct bgp_set_flat flat[2];   /* nexthop.c's tables, [without_rs] */
	bool flat_kept[2];
};

/* prefix_compare's order, inline: the set's sortedness check and its binary
 * searches run it thousands of times per BGP event. */
static inline bool prefix_less(struct prefix a, struct prefix b)
{
	return a.addr < b.addr || (a.addr == b.addr && a.len < b.len);
}

/* ---- building ---------------------------------------------------------- */

struct bgp_set *bgp_set_create(void)
{
	struct bgp_set *s = calloc(1, sizeof(*s) + sizeof(struct bgp_find_memo));
	if (s) {
		s->refs = 1;
		s->memo = (struct bgp_find_memo *)(void *)(s + 1);
	}
	return s;
}

/* Room for this many entries and rows in all. */
static int reserve(struct bgp_set *s, size_t entries, size_t rows)
{
	if (VEC_RESERVE(s->entries, s->ecap, entries) || VEC_RESERVE(s->nh, s->nhcap, rows) ||
	    VEC_RESERVE(s->nh_rs, s->rscap, rows))
		return -1;
	return 0;
}

int bgp_set_add(struct bgp_set *s, struct prefix p, const uint32_t *nh, const bool *nh_rs,
		size_t n)
{
	assert(n > 0 && !s->finished);
	if (reserve(s, s->n + 1, s->nnh + n) != 0)
		return -1;
	s->unsorted = s->unsorted || (s->n > 0 && !prefix_less(s->entries[s->n - 1].prefix, p));
	s->entries[s->n] = (struct bgp_entry){ .prefix = p, .nh_first = (uint32_t)s->nnh,
					       .nh_count = (uint32_t)n };
	memcpy(s->nh + s->nnh, nh, n * sizeof(*nh));
	memcpy(s->nh_rs + s->nnh, nh_rs, n * sizeof(*nh_rs));
	s->n++;
	s->nnh += n;
	return 0;
}

/* Adds base's entries [from, to) with their rows, as bgp_set_add would
 * one by one: the untouched runs of bgp_set_patch. */
static int add_run(struct bgp_set *s, const struct bgp_set *base, size_t from, size_t to)
{
	if (from >= to)
		return 0;
	/* Contiguous: each entry's rows follow the previous one's (how the
	 * builder lays them out unless finish had to sort), so they copy in
	 * one piece. */
	const struct bgp_entry *e = &base->entries[from];
	size_t nh = 0;
	bool contiguous = !base->nh_scattered;
	if (contiguous) {
		nh = e[to - from - 1].nh_first + e[to - from - 1].nh_count - e[0].nh_first;
	} else {
		contiguous = true;
		for (size_t i = from; i < to; i++) {
			const struct bgp_entry *x = &base->entries[i];
			contiguous = contiguous &&
				     (i == from || x->nh_first == x[-1].nh_first + x[-1].nh_count);
			nh += x->nh_count;
		}
	}
	if (reserve(s, s->n + (to - from), s->nnh + nh) != 0)
		return -1;
	s->unsorted = s->unsorted || (s->n > 0 && !prefix_less(s->entries[s->n - 1].prefix, e[0].prefix)) ||
		      base->unsorted;
	struct bgp_entry *d = &s->entries[s->n];
	if (contiguous) {
		uint32_t delta = (uint32_t)s->nnh - e[0].nh_first; /* modulo 2^32 */
		memcpy(d, e, (to - from) * sizeof(*d));
		for (size_t i = 0; i < to - from; i++)
			d[i].nh_first += delta;
		memcpy(s->nh + s->nnh, base->nh + e[0].nh_first, nh * sizeof(*s->nh));
		memcpy(s->nh_rs + s->nnh, base->nh_rs + e[0].nh_first, nh * sizeof(*s->nh_rs));
		s->nnh += nh;
	} else {
		/* Out of order (a set built unsorted): one by one. */
		for (size_t i = 0; i < to - from; i++) {
			d[i] = e[i];
			d[i].nh_first = (uint32_t)s->nnh;
			memcpy(s->nh + s->nnh, base->nh + e[i].nh_first, e[i].nh_count * sizeof(*s->nh));
			memcpy(s->nh_rs + s->nnh, base->nh_rs + e[i].nh_first,
			       e[i].nh_count * sizeof(*s->nh_rs));
			s->nnh += e[i].nh_count;
		}
	}
	s->n += to - from;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return prefix_compare(((const struct bgp_entry *)a)->prefix,
			      ((const struct bgp_entry *)b)->prefix);
}

int bgp_set_finish(struct bgp_set *s)
{
	/* Entries are added in prefix order by the domain builder (the
	 * builder tracked it: no O(n) check here); sort anyway so the
	 * invariant does not depend on the caller. */
	if (s->unsorted) {
		qsort(s->entries, s->n, sizeof(*s->entries), entry_cmp);
		s->nh_scattered = true;
		s->unsorted = false;
	}
	memset(s->memo, 0, sizeof(*s->memo));
	s->finished = true;
	return 0;
}

/* Whether entry e of s has exactly the rows r. */
static bool entry_has_rows(const struct bgp_set *s, const struct bgp_entry *e,
			   const struct bgp_set_rows *r)
{
	return e->nh_count == r->n &&
	       memcmp(s->nh + e->nh_first, r->nh, r->n * sizeof(*r->nh)) == 0 &&
	       memcmp(s->nh_rs + e->nh_first, r->rs, r->n * sizeof(*r->rs)) == 0;
}

static struct bgp_set_rows rows_of(const struct bgp_set *s, const struct bgp_entry *e)
{
	return (struct bgp_set_rows){ s->nh + e->nh_first, s->nh_rs + e->nh_first, e->nh_count };
}

/* Key k's new entry into s; whether it differs from base's entry at *bi
 * (which it consumes when it has k's prefix).  -1 when decide fails or
 * out of memory. */
static int patch_key(struct bgp_set *s, const struct bgp_set *base, size_t *bi, struct prefix k,
		     bgp_set_decide_fn *decide, void *ctx, bool *differs)
{
	const struct bgp_entry *old = NULL;
	if (*bi < base->n && prefix_equal(base->entries[*bi].prefix, k))
		old = &base->entries[(*bi)++];
	struct bgp_set_rows rows = { 0 };
	if (decide(ctx, k, &rows) != 0)
		return -1;
	if (rows.n > 0 && bgp_set_add(s, k, rows.nh, rows.rs, rows.n) != 0)
		return -1;
	*differs = old ? !entry_has_rows(base, old, &rows) : rows.n > 0;
	return 0;
}

struct bgp_set *bgp_set_patch(struct bgp_set *base, const struct prefix *keys, size_t nkeys,
			      bgp_set_decide_fn *decide, void *ctx, struct prefix *changed,
			      size_t *nchanged)
{
	*nchanged = 0;
	struct bgp_set *s = bgp_set_create();
	int rc = s && reserve(s, base->n + nkeys, base->nnh) == 0 ? 0 : -1;
	size_t bi = 0, nc = 0;
	for (size_t ki = 0; rc == 0 && ki < nkeys; ki++) {
		/* The run of base's entries before the key, copied at once. */
		size_t end = bgp_set_seek(base, bi, keys[ki]);
		rc = add_run(s, base, bi, end);
		bi = end;
		bool differs = false;
		if (rc == 0)
			rc = patch_key(s, base, &bi, keys[ki], decide, ctx, &differs);
		if (differs)
			changed[nc++] = keys[ki];
	}
	if (rc == 0)
		rc = add_run(s, base, bi, base->n);
	if (rc == 0)
		rc = bgp_set_finish(s);
	if (rc != 0 || nc == 0) {
		/* Nothing changed: base itself, so that later updates and the
		 * run see it is the set they already have. */
		bgp_set_unref(s);
		return rc == 0 ? bgp_set_ref(base) : NULL;
	}
	*nchanged = nc;
	return s;
}

/* ---- references -------------------------------------------------------- */

struct bgp_set *bgp_set_ref(struct bgp_set *s)
{
	if (s)
		s->refs++;
	return s;
}

void bgp_set_unref(struct bgp_set *s)
{
	if (!s || --s->refs > 0)
		return;
	bgp_set_unref(s->no_rs);
	for (int v = 0; v < 2; v++) {
		ranges_destroy(s->flat[v].r);
		free(s->flat[v].hops);
	}
	lpm_destroy(s->fib);
	free(s->entries);
	free(s->nh);
	free(s->nh_rs);
	free(s);
}

bool bgp_set_equal(const struct bgp_set *a, const struct bgp_set *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->n != b->n || a->nnh != b->nnh)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct bgp_entry *x = &a->entries[i], *y = &b->entries[i];
		struct bgp_set_rows r = rows_of(b, y);
		if (!prefix_equal(x->prefix, y->prefix) || !entry_has_rows(a, x, &r))
			return false;
	}
	return true;
}

/* ---- reading ----------------------------------------------------------- */

size_t bgp_set_count(const struct bgp_set *s) { return s ? s->n : 0; }

const struct prefix *bgp_set_entry(const struct bgp_set *s, size_t i, struct bgp_set_rows *rows)
{
	const struct bgp_entry *e = &s->entries[i];
	if (rows)
		*rows = rows_of(s, e);
	return &e->prefix;
}

bool bgp_set_first_hop(const struct bgp_set *s, size_t i, bool without_rs, uint32_t *ip)
{
	const struct bgp_entry *e = &s->entries[i];
	bool any = false;
	for (uint32_t k = e->nh_first; k < e->nh_first + e->nh_count; k++) {
		if (without_rs && s->nh_rs[k])
			continue;
		if (!any || s->nh[k] < *ip)
			*ip = s->nh[k];
		any = true;
	}
	return any;
}

/* First entry of [lo, hi) whose prefix is >= p in prefix order (hi when
 * none). */
static size_t lower_bound_in(const struct bgp_set *s, size_t lo, size_t hi, struct prefix p)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (prefix_less(s->entries[mid].prefix, p))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t bgp_set_seek(const struct bgp_set *s, size_t from, struct prefix p)
{
	size_t lo = from, step = 1;
	while (lo + step <= s->n && prefix_less(s->entries[lo + step - 1].prefix, p)) {
		lo += step;
		step *= 2;
	}
	return lower_bound_in(s, lo, lo + step <= s->n ? lo + step - 1 : s->n, p);
}

long bgp_set_find(struct bgp_set *s, struct prefix p)
{
	if (!s)
		return -1;
	struct bgp_find_memo *m = s->memo;
	size_t h = (size_t)((p.addr * 0x9E3779B1u ^ p.len) >> 26) & (FIND_MEMO - 1);
	if (s->finished && m->e[h].valid && prefix_equal(m->e[h].p, p))
		return m->e[h].idx;
	size_t i = lower_bound_in(s, 0, s->n, p);
	long idx = i < s->n && prefix_equal(s->entries[i].prefix, p) ? (long)i : -1;
	if (s->finished) {
		m->e[h].p = p;
		m->e[h].idx = idx;
		m->e[h].valid = true;
	}
	return idx;
}

int bgp_set_longest(struct bgp_set *s, uint32_t dst, size_t *idx)
{
	if (!s->fib && !s->fib_failed) {
		struct lpm *f = lpm_create();
		for (size_t i = 0; f && i < s->n; i++)
			if (lpm_insert(f, s->entries[i].prefix, (uint32_t)i) != 0) {
				lpm_destroy(f);
				f = NULL;
			}
		s->fib = f;
		s->fib_failed = f == NULL;
	}
	if (!s->fib)
		return -1;
	uint32_t i;
	if (!lpm_lookup(s->fib, dst, &i))
		return 0;
	*idx = i;
	return 1;
}

/* A new set holding s's rows that the Route Server did not program. */
static struct bgp_set *copy_without_rs(const struct bgp_set *s)
{
	struct bgp_set *o = bgp_set_create();
	uint32_t *nh = malloc((s->nnh ? s->nnh : 1) * sizeof(*nh));
	bool *rs = calloc(s->nnh ? s->nnh : 1, sizeof(*rs));
	int err = !o || !nh || !rs;
	for (size_t i = 0; i < s->n && !err; i++) {
		const struct bgp_entry *e = &s->entries[i];
		size_t n = 0;
		for (uint32_t k = e->nh_first; k < e->nh_first + e->nh_count; k++)
			if (!s->nh_rs[k])
				nh[n++] = s->nh[k];
		if (n > 0)
			err = bgp_set_add(o, e->prefix, nh, rs, n);
	}
	free(nh);
	free(rs);
	if (err || bgp_set_finish(o) != 0) {
		bgp_set_unref(o);
		return NULL;
	}
	return o;
}

struct bgp_set *bgp_set_without_rs(struct bgp_set *s, bool *failed)
{
	if (!s)
		return NULL;
	if (!s->no_rs_built) {
		bool any_rs = false;
		for (size_t k = 0; k < s->nnh && !any_rs; k++)
			any_rs = s->nh_rs[k];
		if (any_rs && !(s->no_rs = copy_without_rs(s))) {
			*failed = true;
			return NULL;
		}
		s->no_rs_built = true;
	}
	struct bgp_set *o = s->no_rs ? s->no_rs : s; /* none cached: nothing to drop */
	return o->n ? bgp_set_ref(o) : NULL;
}

int bgp_set_diff(const struct bgp_set *a, const struct bgp_set *b, struct prefix **out,
		 size_t *nout)
{
	*out = NULL;
	*nout = 0;
	size_t na = bgp_set_count(a), nb = bgp_set_count(b), n = 0, cap = 0;
	struct prefix *v = NULL;
	size_t i = 0, k = 0;
	while (i < na || k < nb) {
		struct prefix p;
		if (k >= nb || (i < na && prefix_less(a->entries[i].prefix, b->entries[k].prefix))) {
			p = a->entries[i++].prefix; /* in a only */
		} else if (i >= na || prefix_less(b->entries[k].prefix, a->entries[i].prefix)) {
			p = b->entries[k++].prefix; /* in b only */
		} else {
			p = a->entries[i].prefix;
			struct bgp_set_rows r = rows_of(b, &b->entries[k++]);
			if (entry_has_rows(a, &a->entries[i++], &r))
				continue;
		}
		struct prefix *slot = VEC_PUSH(v, n, cap);
		if (!slot) {
			free(v);
			return -1;
		}
		*slot = p;
	}
	if (!v && !(v = malloc(sizeof(*v))))
		return -1;
	*out = v;
	*nout = n;
	return 0;
}

/* ---- derived tables ---------------------------------------------------- */

const struct bgp_set_flat *bgp_set_flat(const struct bgp_set *s, bool without_rs)
{
	return s->flat_kept[without_rs] ? &s->flat[without_rs] : NULL;
}

void bgp_set_flat_keep(struct bgp_set *s, bool without_rs, struct bgp_set_flat f)
{
	assert(!s->flat_kept[without_rs]);
	s->flat[without_rs] = f;
	s->flat_kept[without_rs] = true;
}
