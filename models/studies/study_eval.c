/*
 * study_eval.c - see study_eval.h.
 *
 * Cost of one variant: the events it injects (an NVA crash at ref-4k is a
 * 1,000-prefix withdrawal in 382 subnets at hold expiry), then a look-up
 * per destination it can touch and per table change: candidates come
 * from the base's dead-next-hop index (study_base.h) and from the
 * timeline entries of the variant: their scope when they have one, where
 * the tables differ otherwise (configuration edits, study_diff.h).
 *
 * Subnets whose changes are alike share their records (see "the part of
 * a change that subnets share" below): a destination that none of a
 * subnet's tables shows otherwise than its domain set is evaluated once,
 * from the sets, for every subnet with the same sets, times and scopes
 * (all 382 subnets of ref-4k for an NVA crash); each subnet evaluates on
 * its own only its special destinations (own rows, exceptions: a handful)
 * and copies the rest, or (without detail) scores and folds them on the
 * fly.  A subnet with more entries than a signature holds, or an edit
 * whose subnet appeared or went away, is evaluated alone: its sorted
 * destinations read each table by a forward walk (eff_walk_rows), scopes
 * by a forward cursor, an edit's tables by a bounded diff (eff_diff_bound)
 * or, when one side is missing, a diff of the whole tables.
 * study_eval_alone evaluates every subnet alone: the tests' oracle.
 */
#include "study_eval.h"

#include <stdlib.h>
#include <string.h>

#include "bgpset.h"
#include "effective.h"
#include "run.h"
#include "study_base.h"
#include "study_reach.h"
#include "study_diff.h"
#include "vec.h"

/* ---- the rows of one destination ----------------------------------------------- */

/* The Active rows of one destination, reduced to what forwarding uses. */
struct hops {
	size_t n;                      /* rows (capped at STUDY_MAX_ROWS) */
	enum nh_type nh[STUDY_MAX_ROWS];
	uint32_t ip[STUDY_MAX_ROWS];   /* 0 when the row has none */
};

/* The Active rows of p in the table w walks (NULL: no table, no rows). */
static void hops_of(struct eff_walk *w, struct prefix p, struct hops *h)
{
	struct route_row rows[STUDY_MAX_ROWS];
	h->n = 0;
	if (!w)
		return;
	size_t n = eff_walk_rows(w, p, rows, STUDY_MAX_ROWS);
	if (n > STUDY_MAX_ROWS)
		n = STUDY_MAX_ROWS;
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].active)
			continue;
		h->nh[h->n] = rows[i].nh;
		h->ip[h->n] = rows[i].has_nh_ip ? rows[i].nh_ip : 0;
		h->n++;
	}
}

/* The Active rows of p from sorted keys, scanning forward from *at: the
 * prefixes asked for must come in increasing order (then the scans of a
 * whole candidate list cost O(keys + candidates)). */
static void hops_at(const struct study_diff_keys *keys, size_t *at, struct prefix p,
		    struct hops *h)
{
	const struct study_diff_key *k = keys->v;
	uint64_t pk = study_diff_pkey(p);
	size_t i = *at;
	while (i < keys->n && k[i].p < pk)
		i++;
	*at = i;
	h->n = 0;
	for (; i < keys->n && k[i].p == pk && h->n < STUDY_MAX_ROWS; i++) {
		if (!(k[i].hop >> 40))
			continue;
		h->nh[h->n] = (enum nh_type)((k[i].hop >> 32) & 0xff);
		h->ip[h->n] = (uint32_t)k[i].hop;
		h->n++;
	}
}

/* The rows of p in a table that shows set s and has neither an own row of
 * p nor an exception at it (eff_special_prefixes): the set's entry, every
 * row Active; scanning forward from *at (prefixes asked for increase). */
static void set_hops(const struct bgp_set *s, size_t *at, struct prefix p, struct hops *h)
{
	h->n = 0;
	if (!s)
		return;
	*at = bgp_set_seek(s, *at, p);
	if (*at >= bgp_set_count(s))
		return;
	struct bgp_set_rows rows;
	if (!prefix_equal(*bgp_set_entry(s, *at, &rows), p))
		return;
	for (size_t k = 0; k < rows.n && k < STUDY_MAX_ROWS; k++) {
		h->nh[k] = NH_VNET_GATEWAY;
		h->ip[k] = rows.nh[k];
	}
	h->n = rows.n < STUDY_MAX_ROWS ? rows.n : STUDY_MAX_ROWS;
}

static bool hops_equal(const struct hops *a, const struct hops *b)
{
	if (a->n != b->n)
		return false;
	/* Multisets: a handful of rows, quadratic is fine. */
	bool used[STUDY_MAX_ROWS] = { false };
	for (size_t i = 0; i < a->n; i++) {
		bool found = false;
		for (size_t k = 0; k < b->n && !found; k++)
			if (!used[k] && a->nh[i] == b->nh[k] && a->ip[i] == b->ip[k])
				found = used[k] = true;
		if (!found)
			return false;
	}
	return true;
}

static bool all_none(const struct hops *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->nh[i] != NH_NONE)
			return false;
	return true;
}

/* ---- accounting ------------------------------------------------------------------ */

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_compare(*(const struct prefix *)a, *(const struct prefix *)b);
}

static bool dead_covers(const struct dead *w, uint32_t ip, struct prefix p)
{
	return w->ip == ip && (w->nonly == 0 || bsearch(&p, w->only, w->nonly, sizeof(p), cmp_prefix));
}

struct span {
	int64_t a, b;
};

static int cmp_span(const void *x, const void *y)
{
	const struct span *s = x, *t = y;
	return (s->a > t->a) - (s->a < t->a);
}

/* Accounting for one destination over [a, b) with rows h (base: baseline
 * rows): adds to rec and to the per-window scratch. */
static void account(const struct variant *v, struct prefix p, const struct hops *base,
		    const struct hops *h, int64_t a, int64_t b, struct study_record *rec,
		    int64_t *per_dead, struct span *spans)
{
	if (b <= a)
		return;
	int64_t len = b - a;
	if (base->n > 0 && (h->n == 0 || (all_none(h) && !all_none(base))))
		rec->lost_ms += len;
	else if (!hops_equal(base, h))
		rec->changed_ms += len;
	size_t ns = 0;
	for (size_t w = 0; w < v->ndead; w++) {
		const struct dead *d = &v->dead[w];
		bool hit = false;
		for (size_t i = 0; i < h->n && !hit; i++)
			hit = h->ip[i] && dead_covers(d, h->ip[i], p);
		int64_t lo = d->from > a ? d->from : a, hi = d->to < b ? d->to : b;
		if (!hit || hi <= lo)
			continue;
		per_dead[w] += hi - lo;
		spans[ns++] = (struct span){ lo, hi };
	}
	/* The union of the dead spans: black-hole time. */
	if (ns > 1)
		qsort(spans, ns, sizeof(*spans), cmp_span);
	int64_t cur_a = 0, cur_b = INT64_MIN;
	for (size_t i = 0; i < ns; i++) {
		if (spans[i].a > cur_b) {
			if (cur_b > cur_a)
				rec->bh_ms += cur_b - cur_a;
			cur_a = spans[i].a;
			cur_b = spans[i].b;
		} else if (spans[i].b > cur_b) {
			cur_b = spans[i].b;
		}
	}
	if (ns > 0 && cur_b > cur_a)
		rec->bh_ms += cur_b - cur_a;
}

/* ---- where to look ----------------------------------------------------------------- */

/* Whether v is strictly increasing (sorted, no duplicates). */
static bool prefixes_increasing(const struct prefix *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (prefix_compare(v[i - 1], v[i]) >= 0)
			return false;
	return true;
}

/* The prefixes besides a BGP scope whose own rows a BGP change can alter:
 * 0.0.0.0/0 (RULES 1.6.4) and the platform None prefixes (1.6.5). */
static bool own_row_prefix(const struct study_base *b, struct prefix p)
{
	if (p.len == 0)
		return true;
	const struct prefix_list *none = &b->sc->settings.none_prefixes;
	for (size_t i = 0; i < none->n; i++)
		if (prefix_compare(none->v[i], p) == 0)
			return true;
	return false;
}

/* Whether p is in v[0..n) (sorted), scanning forward from *at: the
 * prefixes asked for must not decrease. */
static bool in_sorted_from(const struct prefix *v, size_t n, size_t *at, struct prefix p)
{
	uint64_t pk = study_diff_pkey(p);
	size_t i = *at;
	while (i < n && study_diff_pkey(v[i]) < pk)
		i++;
	*at = i;
	return i < n && study_diff_pkey(v[i]) == pk;
}

/* Whether the rows of p can differ between e's before and after; *at is
 * the cursor into e's scope (prefixes asked for must not decrease). */
static bool in_scope(const struct study_base *b, const struct timeline_entry *e, size_t *at,
		     struct prefix p)
{
	if (e->scope)
		return in_sorted_from(e->scope, e->nscope, at, p);
	if (e->bgp_scope)
		return in_sorted_from(e->bgp_scope, e->nbgp_scope, at, p) || own_row_prefix(b, p);
	return true;
}

static bool is_session_loss(const char *what)
{
	/* A silent crash is a loss when its hold timer expires, not before. */
	return strstr(what, "peer down (graceful)") || strstr(what, "hold timer expired") ||
	       strstr(what, "dropped") || strcmp(what, "instance down") == 0;
}

#define CAND_SIG_MAX 4

/* What a subnet's candidate list was computed from. */
struct cand_sig {
	const struct prefix *scope[CAND_SIG_MAX]; /* per entry: scope or bgp_scope */
	size_t n;
	bool usable;                   /* every entry had one, at most CAND_SIG_MAX */
};

struct records {
	struct study_record *v;
	size_t n, cap;
};

/* ---- the part of a change that subnets share ------------------------------------------
 *
 * A destination's rows in a table are its domain set's entry alone, every
 * row Active, unless the table has an own row of that prefix or an
 * exception at it (eff_special_prefixes).  So two subnets whose baseline
 * tables show the same set and whose timeline entries in the window come
 * at the same times with the same scopes and show the same sets after
 * (struct share_sig) get the same record at every destination that is
 * special in none of their tables: a BGP event's change of 1,000 prefixes
 * in 382 subnets is evaluated once, with each subnet's few special
 * destinations evaluated on their own (and a configuration edit's change
 * of the domain set: where the two sets differ, once).  The destinations
 * looked at are the same as one subnet at a time would look at, or more:
 * one whose rows never change and that no dead next hop touches gives no
 * record either way.
 */

/* An entry of a subnet's timeline in the window, as far as the shared
 * records depend on it. */
struct share_ent {
	int64_t at;
	const struct bgp_set *before, *after; /* the sets its tables show */
	const struct prefix *scope, *bgp_scope;
	size_t nscope, nbgp_scope;
};

struct share_sig {
	const struct bgp_set *base;    /* the set the baseline table shows */
	size_t n;                      /* entries */
	struct share_ent e[CAND_SIG_MAX];
};

/* The shared records of one signature. */
struct share {
	bool used;
	struct share_sig sig;
	struct study_diff_prefixes cand; /* the destinations looked at, sorted, unique */
	struct records recs;           /* the nonzero ones (subnet 0), by destination */
	struct {
		int64_t *v;            /* per record, the variant's ndead black holes */
		size_t n, cap;
	} dead;
};

#define SHARES 8                     /* signatures kept at once */

/* One variant's evaluation: its scratch, reused from subnet to subnet. */
struct eval {
	struct study_base *b;
	const struct variant *v;
	int64_t t_end;                 /* the end of the window */
	struct study_diff_prefixes cand; /* the subnet's destinations to look at */
	struct study_diff_prefixes tmp; /* sort_runs' other buffer */
	struct {
		size_t *v, n, cap;
	} runs;                        /* where each sorted run of cand starts */
	struct cand_sig cache;         /* what cand was computed from */
	struct study_diff_keys ka, kb; /* rows of an edit's before and after tables */
	struct study_diff_sets sd;
	struct eff_walk *walks;        /* [0] the baseline's, [1 + k] entry k's after */
	size_t *sc_at;                 /* per entry: the cursor into its scope */
	int64_t *per_dead;             /* per dead window: one destination's black hole */
	int64_t *fail_bh;              /* per dead window: the longest per_dead */
	struct span *spans;            /* per dead window: account()'s scratch */
	struct records recs;           /* the result's, in (subnet, dest) order */
	struct share shares[SHARES];
	size_t share_next;             /* the slot a new signature takes */
	struct study_diff_prefixes special; /* a subnet's special destinations */
	struct study_diff_prefixes direct; /* and those it evaluates on its own */
	/* Without detail (fold_now), each record is scored and folded into
	 * its subnet's as it is made, never stored: the score adds the same
	 * terms in the same order as study_score would over the whole list,
	 * and a variant touching every destination of every subnet never
	 * holds them all (840,000 records, 47 MB, for a connection failure of
	 * ref-4k; 1.5 million written and folded again for an ExpressRoute
	 * crash was a third of its evaluation). */
	bool fold_now;
	double score;                  /* fold_now: the sum so far */
	double nics;                   /* fold_now: the current subnet's NICs */
	struct study_record folded;    /* fold_now: the current subnet's record */
	bool have_folded;              /* folded holds one */
};

static int push_prefix(struct study_diff_prefixes *c, struct prefix p)
{
	struct prefix *o = VEC_PUSH(c->v, c->n, c->cap);
	if (!o)
		return -1;
	*o = p;
	return 0;
}

/* Starts a run of c: what follows comes sorted (or is sorted alone). */
static int run_mark(struct eval *x, const struct study_diff_prefixes *c)
{
	size_t *o = VEC_PUSH(x->runs.v, x->runs.n, x->runs.cap);
	if (!o)
		return -1;
	*o = c->n;
	return 0;
}

static bool prefixes_nondecreasing(const struct prefix *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (prefix_compare(v[i - 1], v[i]) > 0)
			return false;
	return true;
}

/* c sorted and unique, as prefix_sort_unique would make it, from its runs
 * (run_mark): the dead next hops' prefixes and the scopes come sorted, so
 * they are merged pairwise, O(n log runs), instead of sorted whole (a
 * sort of every candidate per subnet was a tenth of a variant).  0, or -1
 * out of memory. */
static int sort_runs(struct eval *x, struct study_diff_prefixes *c)
{
	size_t n = c->n, nb = 0;
	if (VEC_RESERVE(x->runs.v, x->runs.cap, x->runs.n + 1) != 0 ||
	    VEC_RESERVE(x->tmp.v, x->tmp.cap, n) != 0)
		return -1;
	size_t *b = x->runs.v;
	for (size_t r = 0; r < x->runs.n; r++) {
		size_t from = b[r], to = r + 1 < x->runs.n ? b[r + 1] : n;
		if (to > from)
			b[nb++] = from;
	}
	b[nb] = n;
	for (size_t r = 0; r < nb; r++)
		if (!prefixes_nondecreasing(c->v + b[r], b[r + 1] - b[r]))
			qsort(c->v + b[r], b[r + 1] - b[r], sizeof(struct prefix), prefix_cmp_qsort);
	while (nb > 1) {
		const struct prefix *src = c->v;
		struct prefix *dst = x->tmp.v;
		size_t k = 0, out = 0;
		for (size_t r = 0; r < nb; r += 2) {
			size_t i = b[r], m = b[r + 1], e = r + 2 <= nb ? b[r + 2] : m;
			size_t j = m;
			b[k++] = out;
			while (i < m && j < e)
				dst[out++] = prefix_compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
			while (i < m)
				dst[out++] = src[i++];
			while (j < e)
				dst[out++] = src[j++];
		}
		b[k] = out;
		nb = k;
		struct study_diff_prefixes t = *c;
		c->v = x->tmp.v;
		c->cap = x->tmp.cap;
		x->tmp.v = t.v;
		x->tmp.cap = t.cap;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || !prefix_equal(c->v[k - 1], c->v[i]))
			c->v[k++] = c->v[i];
	c->n = k;
	return 0;
}

/* Appends to c, a run per dead window, the prefixes of the baseline rows
 * through a next hop that dies.  0, or -1 out of memory. */
static int push_dead(struct eval *x, struct study_diff_prefixes *c)
{
	const struct study_base *b = x->b;
	const struct variant *v = x->v;
	for (size_t w = 0; w < v->ndead; w++) {
		if (run_mark(x, c) != 0)
			return -1;
		size_t lo = 0, hi = b->nidx;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (b->idx[mid].ip < v->dead[w].ip)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < b->nidx && b->idx[lo].ip == v->dead[w].ip; lo++)
			if (push_prefix(c, b->idx[lo].p) != 0)
				return -1;
	}
	return 0;
}

/* Appends to c, as a run, the scope of e and, for a BGP scope, the
 * prefixes whose own rows a BGP change can alter too.  0, or -1 out of
 * memory. */
static int push_scope(struct eval *x, const struct timeline_entry *e, struct study_diff_prefixes *c)
{
	const struct prefix_list *none = &x->b->sc->settings.none_prefixes;
	const struct prefix *sc = e->scope ? e->scope : e->bgp_scope;
	size_t nsc = e->scope ? e->nscope : e->nbgp_scope;
	if (run_mark(x, c) != 0)
		return -1;
	for (size_t j = 0; sc && j < nsc; j++)
		if (push_prefix(c, sc[j]) != 0)
			return -1;
	if (run_mark(x, c) != 0)
		return -1;
	for (size_t j = 0; !e->scope && e->bgp_scope && j <= none->n; j++)
		if (push_prefix(c, j < none->n ? none->v[j] : (struct prefix){ .addr = 0, .len = 0 }) != 0)
			return -1;
	return 0;
}

/* The candidate destinations of a subnet whose timeline entries are ents:
 * baseline rows through a next hop that dies, and what the entries' table
 * changes touched, sorted.  They depend on the dead next hops (the same
 * for every subnet) and the entries' scopes: a wave of BGP changes gives
 * every subnet of a domain the same scope object, so the list of the last
 * subnet is kept when its scopes were the same objects.  1 when ka and kb
 * hold the rows of the last entry's tables (a row diff), 0 when not, -1
 * out of memory. */
static int candidates(struct eval *x, const size_t *ents, size_t nents)
{
	const struct study_base *b = x->b;
	struct cand_sig sig = { .n = 0, .usable = nents <= CAND_SIG_MAX };
	int keys_built = 0;
	for (size_t k = 0; sig.usable && k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
		sig.scope[k] = e->scope ? e->scope : e->bgp_scope;
		sig.usable = sig.scope[k] != NULL;
		sig.n++;
	}
	if (sig.usable && x->cache.usable && x->cache.n == sig.n &&
	    memcmp(x->cache.scope, sig.scope, sig.n * sizeof(sig.scope[0])) == 0)
		return 0;
	x->cache = sig;
	x->cand.n = 0;
	x->runs.n = 0;
	if (push_dead(x, &x->cand) != 0)
		return -1;
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
		if (push_scope(x, e, &x->cand) != 0)
			return -1;
		if (e->scope || e->bgp_scope)
			continue;
		if (run_mark(x, &x->cand) != 0)
			return -1;
		int bounded = study_diff_bounded(e->before, e->after, x->walks, &x->sd, &x->cand);
		if (bounded < 0 || (bounded == 0 && study_diff_rows(e->before, e->after, &x->ka, &x->kb,
								    &x->cand) != 0))
			return -1;
		keys_built = bounded == 0;
	}
	if (!prefixes_increasing(x->cand.v, x->cand.n) && sort_runs(x, &x->cand) != 0)
		return -1;
	return keys_built;
}

/* Where eval_dest reads a destination's rows. */
struct look {
	enum { LOOK_WALKS, LOOK_KEYS, LOOK_SETS } how;
	struct eff_walk *wbase;        /* walks: the baseline table's (NULL: none), then
					* x->walks[1 + k] entry k's after */
	size_t at_a, at_b;             /* keys: cursors into ka and kb (destinations increase) */
	const struct bgp_set *sbase;   /* sets: the baseline's set and each entry's after */
	const struct bgp_set *safter[CAND_SIG_MAX];
	size_t cbase, cafter[CAND_SIG_MAX]; /* sets: their cursors */
};

static void look_base(struct eval *x, struct look *lk, struct prefix p, struct hops *h)
{
	if (lk->how == LOOK_KEYS)
		hops_at(&x->ka, &lk->at_a, p, h);
	else if (lk->how == LOOK_SETS)
		set_hops(lk->sbase, &lk->cbase, p, h);
	else
		hops_of(lk->wbase, p, h);
}

static void look_after(struct eval *x, struct look *lk, size_t k, const struct timeline_entry *e,
		       struct prefix p, struct hops *h)
{
	if (lk->how == LOOK_KEYS)
		hops_at(&x->kb, &lk->at_b, p, h);
	else if (lk->how == LOOK_SETS)
		set_hops(lk->safter[k], &lk->cafter[k], p, h);
	else
		hops_of(e->after ? &x->walks[1 + k] : NULL, p, h);
}

/* The record of destination p (subnet 0) for a subnet whose entries are
 * ents: its baseline rows, then at each entry in scope the rows after it,
 * accounted over the window; x->per_dead gets its black holes. */
static void dest_record(struct eval *x, struct prefix p, const size_t *ents, size_t nents,
			struct look *lk, struct study_record *rec)
{
	const struct variant *v = x->v;
	struct hops base, cur;         /* cur is valid once now points to it */
	const struct hops *now = &base; /* the rows at t (no 520-byte copy) */
	look_base(x, lk, p, &base);
	*rec = (struct study_record){ .dest = p };
	memset(x->per_dead, 0, v->ndead * sizeof(*x->per_dead));
	int64_t t = x->b->t_fail;
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(x->b->run, ents[k]);
		if (!in_scope(x->b, e, &x->sc_at[k], p))
			continue;
		account(v, p, &base, now, t, e->at_ms, rec, x->per_dead, x->spans);
		t = e->at_ms;
		look_after(x, lk, k, e, p, &cur);
		now = &cur;
	}
	account(v, p, &base, now, t, x->t_end, rec, x->per_dead, x->spans);
	rec->nbh = rec->bh_ms > 0;
	rec->nlost = rec->lost_ms > 0;
	rec->nchanged = rec->changed_ms > 0;
}

static bool has_impact(const struct study_record *r)
{
	return r->bh_ms || r->lost_ms || r->changed_ms;
}

/* A destination's black holes into the longest per dead window. */
static void note_dead(struct eval *x, const int64_t *per_dead)
{
	const struct variant *v = x->v;
	for (size_t w = 0; w < v->ndead; w++)
		if (v->dead[w].fail != SIZE_MAX && per_dead[w] > x->fail_bh[w])
			x->fail_bh[w] = per_dead[w];
}

static int push_record(struct records *r, const struct study_record *rec)
{
	struct study_record *o = VEC_PUSH(r->v, r->n, r->cap);
	if (!o)
		return -1;
	*o = *rec;
	return 0;
}

/* A nonzero record of the current subnet: appended, or (fold_now) scored
 * and folded into the subnet's one record: the longest times, the
 * destination counts. */
static int emit(struct eval *x, const struct study_record *rec)
{
	if (!x->fold_now)
		return push_record(&x->recs, rec);
	/* record_score's term, computed the same way */
	x->score += (double)(rec->bh_ms + rec->lost_ms) / 1000.0 * x->nics;
	struct study_record *o = &x->folded;
	if (!x->have_folded) {
		*o = *rec;
		x->have_folded = true;
		return 0;
	}
	o->bh_ms = rec->bh_ms > o->bh_ms ? rec->bh_ms : o->bh_ms;
	o->lost_ms = rec->lost_ms > o->lost_ms ? rec->lost_ms : o->lost_ms;
	o->changed_ms = rec->changed_ms > o->changed_ms ? rec->changed_ms : o->changed_ms;
	o->nbh += rec->nbh;
	o->nlost += rec->nlost;
	o->nchanged += rec->nchanged;
	return 0;
}

/* The record of destination p of subnet s, emitted when nonzero. */
static int eval_dest(struct eval *x, uint32_t s, struct prefix p, const size_t *ents,
		     size_t nents, struct look *lk)
{
	struct study_record rec;
	dest_record(x, p, ents, nents, lk, &rec);
	note_dead(x, x->per_dead);
	rec.subnet = s;
	return has_impact(&rec) ? emit(x, &rec) : 0;
}

/* Walks for subnet s's tables: x->walks[0] its baseline's (*wbase, NULL
 * when it has none), x->walks[1 + k] entry k's after.  0 or -1. */
static int start_walks(struct eval *x, uint32_t s, const size_t *ents, size_t nents,
		       struct eff_walk **wbase)
{
	const struct eff_table *base_t = x->b->cp->tables[s];
	*wbase = NULL;
	if (base_t) {
		if (eff_walk_start(&x->walks[0], base_t, false) != 0)
			return -1;
		*wbase = &x->walks[0];
	}
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(x->b->run, ents[k]);
		x->sc_at[k] = 0;
		if (e->after && eff_walk_start(&x->walks[1 + k], e->after, false) != 0)
			return -1;
	}
	return 0;
}

/* The records of subnet s, whose timeline entries in the window are ents
 * (in time order), appended to x->recs, one destination at a time.  0, or
 * -1 out of memory. */
static int eval_subnet(struct eval *x, uint32_t s, const size_t *ents, size_t nents)
{
	const struct study_base *b = x->b;
	const struct eff_table *base_t = b->cp->tables[s];
	int keys_built = candidates(x, ents, nents);
	if (keys_built < 0)
		return -1;
	if (x->cand.n == 0)
		return 0;
	/* One configuration change (an edit): its row diff already holds the
	 * rows of both tables, sorted; look them up there. */
	const struct timeline_entry *e0 = nents == 1 ? run_timeline_get(b->run, ents[0]) : NULL;
	struct look lk = { .how = LOOK_WALKS };
	if (keys_built && e0 && !e0->scope && !e0->bgp_scope && e0->before == base_t) {
		lk.how = LOOK_KEYS; /* cursors: candidates increase */
		for (size_t k = 0; k < nents; k++)
			x->sc_at[k] = 0;
	} else if (start_walks(x, s, ents, nents, &lk.wbase) != 0) {
		/* otherwise a walk per table, a cursor per scope: candidates increase */
		return -1;
	}
	for (size_t c = 0; c < x->cand.n; c++)
		if (eval_dest(x, s, x->cand.v[c], ents, nents, &lk) != 0)
			return -1;
	return 0;
}

static bool share_sig_equal(const struct share_sig *a, const struct share_sig *b)
{
	if (a->base != b->base || a->n != b->n)
		return false;
	for (size_t k = 0; k < a->n; k++) {
		const struct share_ent *x = &a->e[k], *y = &b->e[k];
		if (x->at != y->at || x->before != y->before || x->after != y->after ||
		    x->scope != y->scope || x->bgp_scope != y->bgp_scope || x->nscope != y->nscope ||
		    x->nbgp_scope != y->nbgp_scope)
			return false;
	}
	return true;
}

/* The shared destinations of sh (entries ents of a subnet with its
 * signature): the dead next hops', the entries' scopes, and where an
 * edit's two tables show different sets, where the sets differ.  0 or -1. */
static int share_candidates(struct eval *x, struct share *sh, const size_t *ents, size_t nents)
{
	struct study_diff_prefixes *c = &sh->cand;
	c->n = 0;
	x->runs.n = 0;
	if (push_dead(x, c) != 0)
		return -1;
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(x->b->run, ents[k]);
		if (push_scope(x, e, c) != 0)
			return -1;
		const struct share_ent *se = &sh->sig.e[k];
		if (e->scope || e->bgp_scope || se->before == se->after)
			continue;
		size_t nd;
		const struct prefix *d = study_diff_sets_get(&x->sd, se->before, se->after, &nd);
		if (!d || run_mark(x, c) != 0)
			return -1;
		for (size_t j = 0; j < nd; j++)
			if (push_prefix(c, d[j]) != 0)
				return -1;
	}
	if (!prefixes_increasing(c->v, c->n) && sort_runs(x, c) != 0)
		return -1;
	return 0;
}

/* sh's records: each destination's rows read from the sets alone. */
static int share_records(struct eval *x, struct share *sh, const size_t *ents, size_t nents)
{
	size_t nd = x->v->ndead;
	struct look lk = { .how = LOOK_SETS, .sbase = sh->sig.base };
	for (size_t k = 0; k < nents; k++) {
		lk.safter[k] = sh->sig.e[k].after;
		x->sc_at[k] = 0;
	}
	sh->recs.n = sh->dead.n = 0;
	for (size_t c = 0; c < sh->cand.n; c++) {
		struct study_record rec;
		dest_record(x, sh->cand.v[c], ents, nents, &lk, &rec);
		if (!has_impact(&rec))
			continue;
		if (push_record(&sh->recs, &rec) != 0 ||
		    VEC_RESERVE(sh->dead.v, sh->dead.cap, sh->dead.n + nd) != 0)
			return -1;
		if (nd) /* memcpy's pointers must not be NULL, even for 0 bytes */
			memcpy(sh->dead.v + sh->dead.n, x->per_dead, nd * sizeof(*x->per_dead));
		sh->dead.n += nd;
	}
	return 0;
}

/* The shared records for subnet s with entries ents: *out NULL when the
 * subnet is evaluated on its own (more entries than a signature holds, or
 * an edit whose subnet appeared or went away: its rows are diffed whole).
 * 0, or -1 out of memory. */
static int share_of(struct eval *x, uint32_t s, const size_t *ents, size_t nents,
		    struct share **out)
{
	*out = NULL;
	if (nents > CAND_SIG_MAX)
		return 0;
	struct share_sig sig = { .base = eff_table_set(x->b->cp->tables[s]), .n = nents };
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(x->b->run, ents[k]);
		if (!e->scope && !e->bgp_scope && (!e->before || !e->after))
			return 0;
		sig.e[k] = (struct share_ent){ .at = e->at_ms, .before = eff_table_set(e->before),
					       .after = eff_table_set(e->after), .scope = e->scope,
					       .bgp_scope = e->bgp_scope, .nscope = e->nscope,
					       .nbgp_scope = e->nbgp_scope };
	}
	for (size_t i = 0; i < SHARES; i++)
		if (x->shares[i].used && share_sig_equal(&x->shares[i].sig, &sig)) {
			*out = &x->shares[i];
			return 0;
		}
	struct share *sh = &x->shares[x->share_next];
	x->share_next = (x->share_next + 1) % SHARES;
	sh->used = false;
	sh->sig = sig;
	if (share_candidates(x, sh, ents, nents) != 0 || share_records(x, sh, ents, nents) != 0)
		return -1;
	sh->used = true;
	*out = sh;
	return 0;
}

/* The records of subnet s with shared records sh: those of its special
 * destinations (and of each edit's own differences) evaluated on their
 * own, the others taken from sh, merged in destination order.  0 or -1. */
static int eval_subnet_shared(struct eval *x, uint32_t s, const size_t *ents, size_t nents,
			      const struct share *sh)
{
	struct study_diff_prefixes *sp = &x->special, *dir = &x->direct;
	sp->n = dir->n = 0;
	if (eff_special_prefixes(x->b->cp->tables[s], &sp->v, &sp->n, &sp->cap) != 0)
		return -1;
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(x->b->run, ents[k]);
		if (eff_special_prefixes(e->after, &sp->v, &sp->n, &sp->cap) != 0)
			return -1;
	}
	sp->n = prefix_sort_unique(sp->v, sp->n);
	size_t at = 0;
	for (size_t i = 0; i < sp->n; i++)
		if (in_sorted_from(sh->cand.v, sh->cand.n, &at, sp->v[i]) &&
		    push_prefix(dir, sp->v[i]) != 0)
			return -1;
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(x->b->run, ents[k]);
		if (!e->scope && !e->bgp_scope && study_diff_own(e->before, e->after, x->walks, dir) != 0)
			return -1;
	}
	if (!prefixes_increasing(dir->v, dir->n))
		dir->n = prefix_sort_unique(dir->v, dir->n);
	struct look lk = { .how = LOOK_WALKS };
	if (dir->n > 0 && start_walks(x, s, ents, nents, &lk.wbase) != 0)
		return -1;
	const struct study_record *r = sh->recs.v;
	size_t nr = sh->recs.n, nd = x->v->ndead, i = 0, j = 0;
	while (i < nr || j < dir->n) {
		if (j < dir->n && (i >= nr || prefix_compare(dir->v[j], r[i].dest) <= 0)) {
			if (i < nr && prefix_equal(dir->v[j], r[i].dest))
				i++; /* special here: evaluated on its own */
			if (eval_dest(x, s, dir->v[j++], ents, nents, &lk) != 0)
				return -1;
			continue;
		}
		struct study_record rec = r[i];
		rec.subnet = s;
		note_dead(x, sh->dead.v + i * nd);
		if (emit(x, &rec) != 0)
			return -1;
		i++;
	}
	return 0;
}

/* ---- a variant ----------------------------------------------------------------------- */

/* A record's term of the score (NIC-seconds). */
static double record_score(const struct study_base *b, const struct study_record *r)
{
	return (double)(r->bh_ms + r->lost_ms) / 1000.0 * (double)study_subnet_nics(b, r->subnet);
}

/* Injects v's events (monte-carlo: drawn for run i) and resumes the run to
 * the end of the window; the session losses and unprogrammed VM time go
 * to out.  0, or 3 out of memory (out->status: the run's). */
static int run_variant(struct study_base *b, size_t i, struct variant *v, int64_t t_end,
		       struct study_result *out)
{
	size_t s0 = run_session_event_count(b->run);
	uint64_t unprog0 = run_unprogrammed_nic_ms(b->run, b->t_fail);
	if (b->st->kind == STUDY_MONTE_CARLO) {
		if (study_variant_draw(b, v, i) != 0)
			return 3;
	} else {
		for (size_t k = 0; k < v->nev; k++)
			if (v->ev[k].at_ms < t_end && run_inject(b->run, &v->ev[k]) != 0)
				return 3;
	}
	out->status = run_resume(b->run, t_end - 1);
	if (out->status == 3)
		return 3;
	out->unprog_vm_s = (double)(run_unprogrammed_nic_ms(b->run, t_end) - unprog0) / 1000.0;
	for (size_t k = s0; k < run_session_event_count(b->run); k++)
		if (is_session_loss(run_session_event_get(b->run, k)->what))
			out->session_losses++;
	return 0;
}

/* The timeline entries from n0 on that fall in the window, grouped by
 * baseline subnet: subnet s's are ents[first[s] .. first[s + 1]), in time
 * order; *most is the largest group.  0, or -1 out of memory. */
static int group_entries(const struct study_base *b, size_t n0, int64_t t_end, size_t **first,
			 size_t **ents, size_t *most)
{
	const struct topology *bt = b->cp->topo;
	size_t ns = bt->nsubnets, ne = run_timeline_count(b->run) - n0;
	*first = calloc(ns + 1, sizeof(**first));
	*ents = malloc((ne ? ne : 1) * sizeof(**ents));
	uint32_t *esub = malloc((ne ? ne : 1) * sizeof(*esub));
	size_t *fill = calloc(ns + 1, sizeof(*fill));
	int rc = *first && *ents && esub && fill ? 0 : -1;
	size_t *f = *first;
	for (size_t k = 0; rc == 0 && k < ne; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, n0 + k);
		const struct subnet *sn = topology_subnet(bt, e->subnet);
		esub[k] = sn && e->at_ms < t_end ? (uint32_t)sn->index : UINT32_MAX;
		if (esub[k] != UINT32_MAX)
			f[esub[k] + 1]++;
	}
	*most = 0;
	for (size_t s = 0; rc == 0 && s < ns; s++) {
		if (f[s + 1] > *most)
			*most = f[s + 1];
		f[s + 1] += f[s];
	}
	for (size_t k = 0; rc == 0 && k < ne; k++)
		if (esub[k] != UINT32_MAX)
			(*ents)[f[esub[k]] + fill[esub[k]]++] = n0 + k;
	free(esub);
	free(fill);
	return rc;
}

/* Monte-carlo: one result per drawn failure (a down/up pair), with the
 * longest black hole among the next hops it killed.  0, or -1 out of
 * memory. */
static int drawn_failures(const struct eval *x, struct study_result *out)
{
	const struct variant *v = x->v;
	size_t nf = v->ndrawn / 2;
	if (x->b->st->kind != STUDY_MONTE_CARLO || nf == 0)
		return 0;
	out->fails = calloc(nf, sizeof(*out->fails));
	if (!out->fails)
		return -1;
	for (size_t f = 0; f < nf; f++) {
		const struct event *down = &v->drawn[2 * f], *up = &v->drawn[2 * f + 1];
		out->fails[f] = (struct study_failure){ .target = v->fail_target[f],
							.at_ms = down->at_ms,
							.repair_ms = up->at_ms - down->at_ms,
							.phase_ms = down->hold_elapsed_ms };
	}
	for (size_t w = 0; w < v->ndead; w++) {
		size_t f = v->dead[w].fail;
		if (f < nf && x->fail_bh[w] > out->fails[f].bh_ms)
			out->fails[f].bh_ms = x->fail_bh[w];
	}
	out->nfails = nf;
	return 0;
}

static void eval_fini(struct eval *x, size_t nwalks)
{
	for (size_t k = 0; x->walks && k < nwalks; k++)
		eff_walk_fini(&x->walks[k]);
	free(x->walks);
	free(x->sc_at);
	study_diff_sets_fini(&x->sd);
	free(x->per_dead);
	free(x->fail_bh);
	free(x->spans);
	free(x->cand.v);
	free(x->tmp.v);
	free(x->runs.v);
	free(x->ka.v);
	free(x->kb.v);
	for (size_t i = 0; i < SHARES; i++) {
		free(x->shares[i].cand.v);
		free(x->shares[i].recs.v);
		free(x->shares[i].dead.v);
	}
	free(x->special.v);
	free(x->direct.v);
}

static int eval_variant(struct study_base *b, size_t i, bool alone, struct study_result *out)
{
	memset(out, 0, sizeof(*out));
	out->variant = i;
	struct variant *v = &b->v[i];
	/* This process owns the run now (study.h): the baseline checkpoint's
	 * topology is read only for subnet names, indices and NIC counts,
	 * which a peering edit leaves alone, so edits may change it in place. */
	run_allow_shared_in_place(b->run);
	size_t n0 = run_timeline_count(b->run);
	int64_t t_end = b->t_fail + (b->st->kind == STUDY_MONTE_CARLO ? b->st->horizon_ms
								      : b->st->window_ms);
	if (run_variant(b, i, v, t_end, out) != 0)
		return 3;
	if (out->status != 0)
		return 0;
	struct eval x = { .b = b, .v = v, .t_end = t_end };
	size_t *first = NULL, *ents = NULL, most = 0;
	int rc = group_entries(b, n0, t_end, &first, &ents, &most);
	x.per_dead = calloc(v->ndead + 1, sizeof(*x.per_dead));
	x.fail_bh = calloc(v->ndead + 1, sizeof(*x.fail_bh));
	x.spans = calloc(v->ndead + 1, sizeof(*x.spans));
	x.walks = rc == 0 ? calloc(most + 1, sizeof(*x.walks)) : NULL;
	x.sc_at = rc == 0 ? calloc(most + 1, sizeof(*x.sc_at)) : NULL;
	if (!x.per_dead || !x.fail_bh || !x.spans || !x.walks || !x.sc_at)
		rc = -1;
	x.fold_now = b->st->kind == STUDY_ENUMERATE && !b->st->detail;
	for (size_t s = 0; rc == 0 && s < b->cp->topo->nsubnets; s++) {
		const size_t *se = ents + first[s];
		size_t nse = first[s + 1] - first[s];
		struct share *sh = NULL;
		if (nse == 0 && v->ndead == 0)
			continue; /* nothing changed here, nothing died */
		x.nics = (double)study_subnet_nics(b, s);
		x.have_folded = false;
		rc = alone ? 0 : share_of(&x, (uint32_t)s, se, nse, &sh);
		if (rc == 0)
			rc = sh ? eval_subnet_shared(&x, (uint32_t)s, se, nse, sh)
				: eval_subnet(&x, (uint32_t)s, se, nse);
		if (rc == 0 && x.have_folded)
			rc = push_record(&x.recs, &x.folded);
	}
	if (rc == 0)
		rc = drawn_failures(&x, out);
	if (rc == 0 && b->reach_base) /* sweep --rank-by flows (study_reach.h) */
		rc = study_reach_broken(b, first, ents, &out->flows_broken);
	eval_fini(&x, most + 1);
	free(first);
	free(ents);
	if (rc != 0) {
		free(x.recs.v);
		study_result_fini(out);
		return 3;
	}
	out->recs = x.recs.v;
	out->nrecs = x.recs.n;
	out->score = x.fold_now ? x.score : study_score(b, out);
	if (x.fold_now)
		out->folded = true;
	return 0;
}

int study_eval(struct study_base *b, size_t i, struct study_result *out)
{
	return eval_variant(b, i, false, out);
}

int study_eval_alone(struct study_base *b, size_t i, struct study_result *out)
{
	return eval_variant(b, i, true, out);
}

void study_result_fini(struct study_result *res)
{
	free(res->recs);
	free(res->fails);
	res->recs = NULL;
	res->fails = NULL;
	res->nrecs = res->nfails = 0;
}

double study_score(const struct study_base *b, const struct study_result *res)
{
	double s = 0;
	for (size_t i = 0; i < res->nrecs; i++)
		s += record_score(b, &res->recs[i]);
	return s;
}
