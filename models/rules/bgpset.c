/*
 * bgpset.c - a routing domain's programmed BGP routes.  See bgpset.h.
 *
 * Layout: a finished set is a list of chunks, each up to CHUNK entries
 * (prefix, first row, row count) with their rows (next hop, Route Server
 * flag) in one immutable, reference-counted block.  A patch shares every
 * chunk no key falls in and rebuilds the few others, so a run that keeps
 * a set per BGP event (its timeline) holds one copy of the untouched
 * routes, not one per event (issue 15: 160 MB of sets at ref-4k before).
 * Entry i is found through dir (the chunk holding entry i rounded down to
 * a multiple of CHUNK) and a step or two forward over start[].
 * Building: bgp_set_add appends to flat builder arrays; bgp_set_finish
 * sorts them if needed and cuts them into chunks.  A patch fills the same
 * builder one chunk at a time.
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
	uint32_t nh_first;             /* into the builder's or the chunk's nh[] and rs[] */
	uint32_t nh_count;             /* > 0 */
};

/* Entries per chunk at most.  A patch of k prefixes copies about k chunks
 * of this many entries and shares the rest. */
#define CHUNK 64

/* A run of a finished set's entries with their rows, in one block;
 * immutable, shared by the sets that hold it (reference counted). */
struct bgp_chunk {
	unsigned refs;
	uint32_t n, nnh;               /* entries, rows */
	struct bgp_entry *e;           /* n; nh_first into nh[] and rs[] below */
	uint32_t *nh;
	bool *rs;
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
	/* The builder's flat arrays (bgp_set_add), chunked by bgp_set_finish
	 * and freed then; a patch uses them for the chunk it is filling. */
	struct bgp_entry *entries;
	size_t nb;                     /* entries in the builder */
	uint32_t *nh;                  /* next hop of each row */
	bool *nh_rs;                   /* row programmed by the Route Server */
	size_t nbnh;                   /* rows in the builder */
	size_t ecap, nhcap, rscap;     /* builder capacities of entries, nh, nh_rs */
	bool unsorted;                 /* builder: an entry was added out of order */
	bool finished;                 /* bgp_set_finish ran: immutable from here */
	/* The finished set: chunks[k] holds entries [start[k], start[k+1]). */
	struct bgp_chunk **chunks;
	size_t nchunks, chcap;
	uint32_t *start;               /* nchunks + 1 */
	struct prefix *first;          /* first prefix of each chunk */
	uint32_t *dir;                 /* [i / CHUNK]: the chunk holding entry i rounded down */
	size_t n, nnh;                 /* entries and rows in all */
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

/* ---- chunks ------------------------------------------------------------- */

/* A chunk of n entries (their nh_first into nh) and nnh rows, copied. */
static struct bgp_chunk *chunk_create(const struct bgp_entry *e, size_t n, const uint32_t *nh,
				      const bool *rs, size_t nnh)
{
	size_t size = sizeof(struct bgp_chunk) + n * sizeof(*e) + nnh * sizeof(*nh) + nnh;
	struct bgp_chunk *c = malloc(size);
	if (!c)
		return NULL;
	c->refs = 1;
	c->n = (uint32_t)n;
	c->nnh = (uint32_t)nnh;
	c->e = (struct bgp_entry *)(void *)(c + 1);
	c->nh = (uint32_t *)(void *)(c->e + n);
	c->rs = (bool *)(c->nh + nnh);
	memcpy(c->e, e, n * sizeof(*e));
	memcpy(c->nh, nh, nnh * sizeof(*nh));
	memcpy(c->rs, rs, nnh);
	return c;
}

static void chunk_unref(struct bgp_chunk *c)
{
	if (c && --c->refs == 0)
		free(c);
}

static struct bgp_set_rows rows_of(const uint32_t *nh, const bool *rs, const struct bgp_entry *e)
{
	return (struct bgp_set_rows){ nh + e->nh_first, rs + e->nh_first, e->nh_count };
}

static struct bgp_set_rows chunk_rows(const struct bgp_chunk *c, size_t j)
{
	return rows_of(c->nh, c->rs, &c->e[j]);
}

/* The chunk holding entry i (< n). */
static inline size_t chunk_of(const struct bgp_set *s, size_t i)
{
	size_t k = s->dir[i / CHUNK];
	while (s->start[k + 1] <= i)
		k++;
	return k;
}

/* Appends chunk c (the set takes the reference).  -1 out of memory, c
 * released. */
static int push_chunk(struct bgp_set *s, struct bgp_chunk *c)
{
	struct bgp_chunk **slot = VEC_PUSH(s->chunks, s->nchunks, s->chcap);
	if (!slot) {
		chunk_unref(c);
		return -1;
	}
	*slot = c;
	return 0;
}

/* The builder's entries as chunks (they are in prefix order), emptied. */
static int seal_builder(struct bgp_set *s)
{
	for (size_t i = 0; i < s->nb; i += CHUNK) {
		size_t m = s->nb - i < CHUNK ? s->nb - i : CHUNK;
		struct bgp_entry e[CHUNK];
		size_t nnh = 0;
		for (size_t j = 0; j < m; j++) {
			e[j] = s->entries[i + j];
			e[j].nh_first = (uint32_t)nnh;
			nnh += e[j].nh_count;
		}
		uint32_t *nh = malloc((nnh ? nnh : 1) * sizeof(*nh));
		bool *rs = malloc(nnh ? nnh : 1);
		for (size_t j = 0; nh && rs && j < m; j++) {
			const struct bgp_entry *x = &s->entries[i + j];
			memcpy(nh + e[j].nh_first, s->nh + x->nh_first, x->nh_count * sizeof(*nh));
			memcpy(rs + e[j].nh_first, s->nh_rs + x->nh_first, x->nh_count);
		}
		struct bgp_chunk *c = nh && rs ? chunk_create(e, m, nh, rs, nnh) : NULL;
		free(nh);
		free(rs);
		if (!c || push_chunk(s, c) != 0)
			return -1;
	}
	s->nb = s->nbnh = 0;
	return 0;
}

/* The index over the chunks; the set is finished.  -1 out of memory. */
static int index_chunks(struct bgp_set *s)
{
	size_t nc = s->nchunks;
	s->start = malloc((nc + 1) * sizeof(*s->start));
	s->first = malloc((nc ? nc : 1) * sizeof(*s->first));
	size_t n = 0, nnh = 0;
	for (size_t k = 0; s->start && k < nc; k++) {
		n += s->chunks[k]->n;
		nnh += s->chunks[k]->nnh;
	}
	s->dir = malloc((n / CHUNK + 1) * sizeof(*s->dir));
	if (!s->start || !s->first || !s->dir)
		return -1;
	s->n = n;
	s->nnh = nnh;
	uint32_t at = 0;
	for (size_t k = 0; k < nc; k++) {
		s->start[k] = at;
		s->first[k] = s->chunks[k]->e[0].prefix;
		at += s->chunks[k]->n;
	}
	s->start[nc] = at;
	size_t k = 0;
	for (size_t b = 0; b * CHUNK < n; b++) {
		while (s->start[k + 1] <= b * CHUNK)
			k++;
		s->dir[b] = (uint32_t)k;
	}
	if (n % CHUNK == 0)
		s->dir[n / CHUNK] = 0; /* entry n: never looked up */
	free(s->entries);
	free(s->nh);
	free(s->nh_rs);
	s->entries = NULL;
	s->nh = NULL;
	s->nh_rs = NULL;
	s->ecap = s->nhcap = s->rscap = 0;
	memset(s->memo, 0, sizeof(*s->memo));
	s->finished = true;
	return 0;
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

/* Room for this many entries and rows in the builder. */
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
	if (reserve(s, s->nb + 1, s->nbnh + n) != 0)
		return -1;
	s->unsorted = s->unsorted || (s->nb > 0 && !prefix_less(s->entries[s->nb - 1].prefix, p));
	s->entries[s->nb] = (struct bgp_entry){ .prefix = p, .nh_first = (uint32_t)s->nbnh,
						.nh_count = (uint32_t)n };
	memcpy(s->nh + s->nbnh, nh, n * sizeof(*nh));
	memcpy(s->nh_rs + s->nbnh, nh_rs, n * sizeof(*nh_rs));
	s->nb++;
	s->nbnh += n;
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
	 * invariant does not depend on the caller.  Sorting moves entries,
	 * not rows: seal_builder copies each entry's rows by its range. */
	if (s->unsorted) {
		qsort(s->entries, s->nb, sizeof(*s->entries), entry_cmp);
		s->unsorted = false;
	}
	if (seal_builder(s) != 0 || index_chunks(s) != 0)
		return -1;
	return 0;
}

/* Whether rows a and b are the same. */
static bool rows_equal(const struct bgp_set_rows *a, const struct bgp_set_rows *b)
{
	return a->n == b->n && memcmp(a->nh, b->nh, a->n * sizeof(*a->nh)) == 0 &&
	       memcmp(a->rs, b->rs, a->n * sizeof(*a->rs)) == 0;
}

/* Appends chunk c's entries [from, to) to the builder. */
static int add_from_chunk(struct bgp_set *s, const struct bgp_chunk *c, size_t from, size_t to)
{
	for (size_t j = from; j < to; j++) {
		struct bgp_set_rows r = chunk_rows(c, j);
		if (bgp_set_add(s, c->e[j].prefix, r.nh, r.rs, r.n) != 0)
			return -1;
	}
	return 0;
}

/* A patch's builder holds at most one chunk: a full one is sealed. */
static int seal_if_full(struct bgp_set *s)
{
	return s->nb >= CHUNK ? seal_builder(s) : 0;
}

/* Key k decided again into the builder; whether it differs from base's
 * entry old (NULL: base has none).  -1 when decide fails or out of
 * memory. */
static int patch_key(struct bgp_set *s, const struct bgp_chunk *c, long old, struct prefix k,
		     bgp_set_decide_fn *decide, void *ctx, bool *differs)
{
	struct bgp_set_rows rows = { 0 };
	if (decide(ctx, k, &rows) != 0)
		return -1;
	if (rows.n > 0 && bgp_set_add(s, k, rows.nh, rows.rs, rows.n) != 0)
		return -1;
	if (old >= 0) {
		struct bgp_set_rows was = chunk_rows(c, (size_t)old);
		*differs = !rows_equal(&was, &rows);
	} else {
		*differs = rows.n > 0;
	}
	return seal_if_full(s);
}

/* Chunk c of base (NULL: base is empty) with the keys [*ki, nk) below
 * `below` (all when NULL) decided again, into s.  Unchanged entries are
 * copied. */
static int patch_chunk(struct bgp_set *s, const struct bgp_chunk *c, const struct prefix *keys,
		       size_t *ki, size_t nk, const struct prefix *below, bgp_set_decide_fn *decide,
		       void *ctx, struct prefix *changed, size_t *nc)
{
	size_t j = 0, n = c ? c->n : 0;
	while (*ki < nk && (!below || prefix_less(keys[*ki], *below))) {
		struct prefix k = keys[(*ki)++];
		size_t from = j;
		while (j < n && prefix_less(c->e[j].prefix, k))
			j++;
		if (add_from_chunk(s, c, from, j) != 0)
			return -1;
		long old = j < n && prefix_equal(c->e[j].prefix, k) ? (long)j++ : -1;
		bool differs = false;
		if (seal_if_full(s) != 0 || patch_key(s, c, old, k, decide, ctx, &differs) != 0)
			return -1;
		if (differs)
			changed[(*nc)++] = k;
	}
	for (; j < n; j++)
		if (add_from_chunk(s, c, j, j + 1) != 0 || seal_if_full(s) != 0)
			return -1;
	return 0;
}

/* Base's chunk c, untouched, after the builder's entries: shared, or
 * copied into a small builder chunk so that chunks do not fragment. */
static int keep_chunk(struct bgp_set *s, struct bgp_chunk *c)
{
	if (s->nb > 0 && s->nb < CHUNK / 2 && s->nb + c->n <= CHUNK)
		return add_from_chunk(s, c, 0, c->n);
	if (seal_builder(s) != 0)
		return -1;
	c->refs++;
	return push_chunk(s, c);
}

struct bgp_set *bgp_set_patch(struct bgp_set *base, const struct prefix *keys, size_t nkeys,
			      bgp_set_decide_fn *decide, void *ctx, struct prefix *changed,
			      size_t *nchanged)
{
	*nchanged = 0;
	struct bgp_set *s = bgp_set_create();
	int rc = s ? 0 : -1;
	size_t ki = 0, nc = 0;
	if (rc == 0 && base->nchunks == 0)
		rc = patch_chunk(s, NULL, keys, &ki, nkeys, NULL, decide, ctx, changed, &nc);
	for (size_t k = 0; rc == 0 && k < base->nchunks; k++) {
		/* Chunk k answers for the keys below the next chunk's first
		 * prefix (the last one for every key left). */
		const struct prefix *below = k + 1 < base->nchunks ? &base->first[k + 1] : NULL;
		if (ki < nkeys && (!below || prefix_less(keys[ki], *below)))
			rc = patch_chunk(s, base->chunks[k], keys, &ki, nkeys, below, decide, ctx,
					 changed, &nc);
		else
			rc = keep_chunk(s, base->chunks[k]);
	}
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
	for (size_t k = 0; k < s->nchunks; k++)
		chunk_unref(s->chunks[k]);
	free(s->chunks);
	free(s->start);
	free(s->first);
	free(s->dir);
	free(s->entries);
	free(s->nh);
	free(s->nh_rs);
	free(s);
}

/* A cursor over a finished set's entries in order. */
struct cursor {
	const struct bgp_set *s;
	size_t k, j;                   /* chunk, entry in it */
};

static bool cursor_end(const struct cursor *c)
{
	return c->k >= c->s->nchunks;
}

static const struct bgp_entry *cursor_entry(const struct cursor *c, struct bgp_set_rows *rows)
{
	const struct bgp_chunk *ch = c->s->chunks[c->k];
	if (rows)
		*rows = chunk_rows(ch, c->j);
	return &ch->e[c->j];
}

static void cursor_next(struct cursor *c)
{
	if (++c->j >= c->s->chunks[c->k]->n) {
		c->k++;
		c->j = 0;
	}
}

/* Both cursors at the start of one shared chunk: skip it (its entries
 * are the same in both).  Whether it did. */
static bool cursors_skip_shared(struct cursor *a, struct cursor *b)
{
	if (a->j || b->j || cursor_end(a) || cursor_end(b) || a->s->chunks[a->k] != b->s->chunks[b->k])
		return false;
	a->k++;
	b->k++;
	return true;
}

bool bgp_set_equal(const struct bgp_set *a, const struct bgp_set *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->n != b->n || a->nnh != b->nnh)
		return false;
	struct cursor x = { a, 0, 0 }, y = { b, 0, 0 };
	while (!cursor_end(&x)) {
		if (cursors_skip_shared(&x, &y))
			continue;
		struct bgp_set_rows rx, ry;
		const struct bgp_entry *ex = cursor_entry(&x, &rx), *ey = cursor_entry(&y, &ry);
		if (!prefix_equal(ex->prefix, ey->prefix) || !rows_equal(&rx, &ry))
			return false;
		cursor_next(&x);
		cursor_next(&y);
	}
	return true;
}

/* ---- reading ----------------------------------------------------------- */

size_t bgp_set_count(const struct bgp_set *s) { return s ? s->n : 0; }

const struct prefix *bgp_set_entry(const struct bgp_set *s, size_t i, struct bgp_set_rows *rows)
{
	size_t k = chunk_of(s, i);
	const struct bgp_chunk *c = s->chunks[k];
	size_t j = i - s->start[k];
	if (rows)
		*rows = chunk_rows(c, j);
	return &c->e[j].prefix;
}

bool bgp_set_first_hop(const struct bgp_set *s, size_t i, bool without_rs, uint32_t *ip)
{
	struct bgp_set_rows r;
	bgp_set_entry(s, i, &r);
	bool any = false;
	for (size_t k = 0; k < r.n; k++) {
		if (without_rs && r.rs[k])
			continue;
		if (!any || r.nh[k] < *ip)
			*ip = r.nh[k];
		any = true;
	}
	return any;
}

/* First entry of chunk c's [lo, hi) whose prefix is >= p (hi when none). */
static size_t lower_bound_in(const struct bgp_chunk *c, size_t lo, size_t hi, struct prefix p)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (prefix_less(c->e[mid].prefix, p))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The last chunk in [lo, hi) whose first prefix is <= p, lo when none is. */
static size_t chunk_for(const struct bgp_set *s, size_t lo, size_t hi, struct prefix p)
{
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (prefix_less(p, s->first[mid]))
			hi = mid;
		else
			lo = mid;
	}
	return lo;
}

/* The first entry of chunk k at or after its entry j whose prefix is not
 * below p, as a set index (start[k + 1] when none). */
static size_t seek_in(const struct bgp_set *s, size_t k, size_t j, struct prefix p)
{
	/* Galloping from j: a walk asks for prefixes a few entries apart. */
	const struct bgp_chunk *c = s->chunks[k];
	size_t lo = j, step = 1;
	while (lo + step <= c->n && prefix_less(c->e[lo + step - 1].prefix, p)) {
		lo += step;
		step *= 2;
	}
	return s->start[k] + lower_bound_in(c, lo, lo + step <= c->n ? lo + step - 1 : c->n, p);
}

size_t bgp_set_seek(const struct bgp_set *s, size_t from, struct prefix p)
{
	if (from >= s->n)
		return s->n;
	size_t k = chunk_of(s, from), step = 1, lo = k;
	/* Gallop over the chunks' first prefixes, then search the chunk. */
	while (lo + step < s->nchunks && !prefix_less(p, s->first[lo + step])) {
		lo += step;
		step *= 2;
	}
	size_t hi = lo + step < s->nchunks ? lo + step : s->nchunks;
	size_t c = chunk_for(s, lo, hi, p);
	return seek_in(s, c, c == k ? from - s->start[k] : 0, p);
}

long bgp_set_find(struct bgp_set *s, struct prefix p)
{
	if (!s)
		return -1;
	struct bgp_find_memo *m = s->memo;
	size_t h = (size_t)((p.addr * 0x9E3779B1u ^ p.len) >> 26) & (FIND_MEMO - 1);
	if (s->finished && m->e[h].valid && prefix_equal(m->e[h].p, p))
		return m->e[h].idx;
	long idx = -1;
	if (s->nchunks > 0) {
		size_t k = chunk_for(s, 0, s->nchunks, p);
		size_t i = seek_in(s, k, 0, p);
		if (i < s->start[k + 1] && prefix_equal(s->chunks[k]->e[i - s->start[k]].prefix, p))
			idx = (long)i;
	}
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
		struct cursor c = { s, 0, 0 };
		for (uint32_t i = 0; f && !cursor_end(&c); i++, cursor_next(&c))
			if (lpm_insert(f, cursor_entry(&c, NULL)->prefix, i) != 0) {
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
	for (struct cursor c = { s, 0, 0 }; !err && !cursor_end(&c); cursor_next(&c)) {
		struct bgp_set_rows r;
		const struct bgp_entry *e = cursor_entry(&c, &r);
		size_t n = 0;
		for (size_t k = 0; k < r.n; k++)
			if (!r.rs[k])
				nh[n++] = r.nh[k];
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
		for (size_t k = 0; k < s->nchunks && !any_rs; k++)
			any_rs = memchr(s->chunks[k]->rs, true, s->chunks[k]->nnh) != NULL;
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
	static const struct bgp_set none = { 0 };
	struct cursor x = { a ? a : &none, 0, 0 }, y = { b ? b : &none, 0, 0 };
	size_t n = 0, cap = 0;
	struct prefix *v = NULL;
	while (!cursor_end(&x) || !cursor_end(&y)) {
		if (cursors_skip_shared(&x, &y))
			continue; /* the same entries on both sides */
		struct bgp_set_rows rx, ry;
		const struct bgp_entry *ex = cursor_end(&x) ? NULL : cursor_entry(&x, &rx);
		const struct bgp_entry *ey = cursor_end(&y) ? NULL : cursor_entry(&y, &ry);
		struct prefix p;
		if (!ey || (ex && prefix_less(ex->prefix, ey->prefix))) {
			p = ex->prefix; /* in a only */
			cursor_next(&x);
		} else if (!ex || prefix_less(ey->prefix, ex->prefix)) {
			p = ey->prefix; /* in b only */
			cursor_next(&y);
		} else {
			p = ex->prefix;
			cursor_next(&x);
			cursor_next(&y);
			if (rows_equal(&rx, &ry))
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
