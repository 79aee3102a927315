/*
 * study_eval.c - see study_eval.h.
 *
 * Cost of one variant: the events it injects (an NVA crash at ref-4k is a
 * 1,000-prefix withdrawal in 382 subnets at hold expiry), then a look-up
 * per (subnet, destination) it can touch and per table change of that
 * subnet: the destinations of a subnet are sorted, so each table is read
 * by a forward walk (eff_walk_rows), not a search per destination; scopes
 * likewise by a forward cursor.  Candidates come from the base's
 * dead-next-hop index (study_base.h) and from the timeline entries of the
 * variant: their scope when they have one, a row diff of before and after
 * otherwise (configuration edits, study_diff.h): of the few prefixes
 * eff_diff_bound names when both tables show the same domain set (a
 * peering edit's hub subnets: a dozen prefixes, not 17,000 rows), of the
 * whole tables only when the set changed.
 */
#include "study_eval.h"

#include <stdlib.h>
#include <string.h>

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
};

static int push_prefix(struct study_diff_prefixes *c, struct prefix p)
{
	struct prefix *o = VEC_PUSH(c->v, c->n, c->cap);
	if (!o)
		return -1;
	*o = p;
	return 0;
}

/* Starts a run of cand: what follows comes sorted (or is sorted alone). */
static int run_mark(struct eval *x)
{
	size_t *o = VEC_PUSH(x->runs.v, x->runs.n, x->runs.cap);
	if (!o)
		return -1;
	*o = x->cand.n;
	return 0;
}

static bool prefixes_nondecreasing(const struct prefix *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (prefix_compare(v[i - 1], v[i]) > 0)
			return false;
	return true;
}

/* cand sorted and unique, as prefix_sort_unique would make it, from its
 * runs (run_mark): the dead next hops' prefixes and the scopes come
 * sorted, so they are merged pairwise, O(n log runs), instead of sorted
 * whole (a sort of every candidate per subnet was a tenth of a variant).
 * 0, or -1 out of memory. */
static int sort_runs(struct eval *x)
{
	size_t n = x->cand.n, nb = 0;
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
		if (!prefixes_nondecreasing(x->cand.v + b[r], b[r + 1] - b[r]))
			qsort(x->cand.v + b[r], b[r + 1] - b[r], sizeof(struct prefix), prefix_cmp_qsort);
	while (nb > 1) {
		const struct prefix *src = x->cand.v;
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
		struct study_diff_prefixes t = x->cand;
		x->cand.v = x->tmp.v;
		x->cand.cap = x->tmp.cap;
		x->tmp.v = t.v;
		x->tmp.cap = t.cap;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || !prefix_equal(x->cand.v[k - 1], x->cand.v[i]))
			x->cand.v[k++] = x->cand.v[i];
	x->cand.n = k;
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
	const struct variant *v = x->v;
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
	for (size_t w = 0; w < v->ndead; w++) {
		if (run_mark(x) != 0)
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
			if (push_prefix(&x->cand, b->idx[lo].p) != 0)
				return -1;
	}
	const struct prefix_list *none = &b->sc->settings.none_prefixes;
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
		const struct prefix *sc = e->scope ? e->scope : e->bgp_scope;
		size_t nsc = e->scope ? e->nscope : e->nbgp_scope;
		if (run_mark(x) != 0)
			return -1;
		for (size_t j = 0; sc && j < nsc; j++)
			if (push_prefix(&x->cand, sc[j]) != 0)
				return -1;
		if (run_mark(x) != 0)
			return -1;
		for (size_t j = 0; !e->scope && e->bgp_scope && j <= none->n; j++)
			if (push_prefix(&x->cand, j < none->n ? none->v[j]
							    : (struct prefix){ .addr = 0, .len = 0 }) != 0)
				return -1;
		if (!sc && run_mark(x) != 0)
			return -1;
		if (!sc) {
			int bounded = study_diff_bounded(e->before, e->after, x->walks, &x->sd, &x->cand);
			if (bounded < 0 || (bounded == 0 && study_diff_rows(e->before, e->after, &x->ka,
									    &x->kb, &x->cand) != 0))
				return -1;
			keys_built = bounded == 0;
		}
	}
	if (!prefixes_increasing(x->cand.v, x->cand.n) && sort_runs(x) != 0)
		return -1;
	return keys_built;
}

/* The record of destination p of subnet s: its baseline rows, then at
 * each entry in scope the rows after it, accounted over the window. */
static int eval_dest(struct eval *x, uint32_t s, struct prefix p, const size_t *ents,
		     size_t nents, bool by_keys, struct eff_walk *wbase, size_t *at_a, size_t *at_b)
{
	const struct variant *v = x->v;
	struct hops base, cur;         /* cur is valid once now points to it */
	const struct hops *now = &base; /* the rows at t (no 520-byte copy) */
	if (by_keys)
		hops_at(&x->ka, at_a, p, &base);
	else
		hops_of(wbase, p, &base);
	struct study_record rec = { .subnet = s, .dest = p };
	memset(x->per_dead, 0, v->ndead * sizeof(*x->per_dead));
	int64_t t = x->b->t_fail;
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(x->b->run, ents[k]);
		if (!in_scope(x->b, e, &x->sc_at[k], p))
			continue;
		account(v, p, &base, now, t, e->at_ms, &rec, x->per_dead, x->spans);
		t = e->at_ms;
		if (by_keys)
			hops_at(&x->kb, at_b, p, &cur);
		else
			hops_of(e->after ? &x->walks[1 + k] : NULL, p, &cur);
		now = &cur;
	}
	account(v, p, &base, now, t, x->t_end, &rec, x->per_dead, x->spans);
	for (size_t w = 0; w < v->ndead; w++)
		if (v->dead[w].fail != SIZE_MAX && x->per_dead[w] > x->fail_bh[w])
			x->fail_bh[w] = x->per_dead[w];
	rec.nbh = rec.bh_ms > 0;
	rec.nlost = rec.lost_ms > 0;
	rec.nchanged = rec.changed_ms > 0;
	if (rec.bh_ms || rec.lost_ms || rec.changed_ms) {
		struct study_record *o = VEC_PUSH(x->recs.v, x->recs.n, x->recs.cap);
		if (!o)
			return -1;
		*o = rec;
	}
	return 0;
}

/* The records of subnet s, whose timeline entries in the window are ents
 * (in time order), appended to x->recs.  0, or -1 out of memory. */
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
	bool by_keys = keys_built && e0 && !e0->scope && !e0->bgp_scope && e0->before == base_t;
	size_t at_a = 0, at_b = 0;     /* by_keys: cursors (candidates increase) */
	/* Otherwise a walk per table (walks[0] the baseline's, walks[1 + k]
	 * entry k's after) and a cursor per scope: candidates increase. */
	struct eff_walk *wbase = NULL;
	if (!by_keys && base_t) {
		if (eff_walk_start(&x->walks[0], base_t, false) != 0)
			return -1;
		wbase = &x->walks[0];
	}
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
		x->sc_at[k] = 0;
		if (!by_keys && e->after && eff_walk_start(&x->walks[1 + k], e->after, false) != 0)
			return -1;
	}
	for (size_t c = 0; c < x->cand.n; c++)
		if (eval_dest(x, s, x->cand.v[c], ents, nents, by_keys, wbase, &at_a, &at_b) != 0)
			return -1;
	return 0;
}

/* ---- a variant ----------------------------------------------------------------------- */

/* A record's term of the score (NIC-seconds). */
static double record_score(const struct study_base *b, const struct study_record *r)
{
	return (double)(r->bh_ms + r->lost_ms) / 1000.0 * (double)study_subnet_nics(b, r->subnet);
}

/* One record per subnet: the longest times, the destination counts. */
static void fold(struct study_result *res)
{
	size_t k = 0;
	for (size_t i = 0; i < res->nrecs; i++) {
		const struct study_record *r = &res->recs[i];
		if (k == 0 || res->recs[k - 1].subnet != r->subnet) {
			res->recs[k++] = *r;
			continue;
		}
		struct study_record *o = &res->recs[k - 1];
		o->bh_ms = r->bh_ms > o->bh_ms ? r->bh_ms : o->bh_ms;
		o->lost_ms = r->lost_ms > o->lost_ms ? r->lost_ms : o->lost_ms;
		o->changed_ms = r->changed_ms > o->changed_ms ? r->changed_ms : o->changed_ms;
		o->nbh += r->nbh;
		o->nlost += r->nlost;
		o->nchanged += r->nchanged;
	}
	res->nrecs = k;
	res->folded = true;
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
}

int study_eval(struct study_base *b, size_t i, struct study_result *out)
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
	/* Without detail, each subnet's records are scored and folded as soon
	 * as they are made: the score adds the same terms in the same order as
	 * study_score would over the whole list, and a variant touching every
	 * destination of every subnet never holds them all (840,000 records,
	 * 47 MB, for a connection failure of ref-4k). */
	bool fold_now = b->st->kind == STUDY_ENUMERATE && !b->st->detail;
	double score = 0;
	for (size_t s = 0; rc == 0 && s < b->cp->topo->nsubnets; s++) {
		size_t r0 = x.recs.n;
		rc = eval_subnet(&x, (uint32_t)s, ents + first[s], first[s + 1] - first[s]);
		if (rc != 0 || !fold_now || x.recs.n == r0)
			continue;
		struct study_result part = { .recs = x.recs.v + r0, .nrecs = x.recs.n - r0 };
		for (size_t k = 0; k < part.nrecs; k++) /* one term at a time, as study_score */
			score += record_score(b, &part.recs[k]);
		fold(&part);
		x.recs.n = r0 + part.nrecs;
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
	out->score = fold_now ? score : study_score(b, out);
	if (fold_now)
		out->folded = true;
	return 0;
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
