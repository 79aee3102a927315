/*
 * nexthop.c - the next hop of a destination (RULES 1.7).  See nexthop.h.
 *
 * The rules.  Next hops use two LPM tables per subnet (own Active rows and
 * service-endpoint prefixes) and the domain's shared one.  The shared match
 * wins only when strictly longer than the own match and not an exception:
 * a hidden entry lies inside a VnetLocal/VNetPeering prefix V whose row (or
 * the User row replacing it) is an own match at least as long as V, and
 * any longer shared match inside V is hidden too, so falling back to the own
 * match is exact.
 *
 * The fast path, derived from the rules, is described at "Fast next hops"
 * below.  Everything it calls on the way is in this file (static, forced
 * inline), so that a lookup is one call with no register saved.
 */
#include "nexthop.h"

#include <stdlib.h>
#include <string.h>

#include "bgpset.h"
#include "effective_int.h"
#include "lpm.h"
#include "ranges.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- The rules ----------------------------------------------------------- */

/* Longest usable shared match for dst by a scan of every entry: O(n). */
static long scan_match(const struct eff_table *t, uint32_t dst, bool without_rs, uint32_t *ip)
{
	const struct bgp_set *s = t->bgp;
	long best = -1;
	for (size_t i = 0; i < bgp_set_count(s); i++) {
		const struct prefix *p = bgp_set_entry(s, i, NULL);
		if (!prefix_contains_addr(*p, dst) || eff_exception_of(t, i) != 0)
			continue;
		uint32_t cand;
		if ((best < 0 || p->len > bgp_set_entry(s, (size_t)best, NULL)->len) &&
		    bgp_set_first_hop(s, i, without_rs, &cand)) {
			best = (long)i;
			*ip = cand;
		}
	}
	return best;
}

/* Longest usable shared match for dst.  The LPM answer is used directly;
 * only when the index could not be built, or for a NIC without Route
 * Server routes whose match is Route Server only, does this scan. */
static long bgp_match(const struct eff_table *t, uint32_t dst, bool without_rs, uint32_t *ip)
{
	struct bgp_set *s = t->bgp;
	size_t idx;
	if (!s)
		return -1;
	int found = bgp_set_longest(s, dst, &idx);
	if (found < 0)
		return scan_match(t, dst, without_rs, ip);
	if (found == 0)
		return -1;
	if (eff_exception_of(t, idx) != 0)
		return -1; /* hidden or Invalid: the own match is exact (header) */
	if (bgp_set_first_hop(s, idx, without_rs, ip))
		return (long)idx;
	return scan_match(t, dst, without_rs, ip);
}

/* What a destination matches among a table's own rows: the longest Active
 * row (service endpoints aside) and the longest service-endpoint prefix. */
struct own_match {
	bool have_own, have_se;
	uint32_t own, se;              /* row indices */
	struct prefix own_p, se_p;
};

static struct own_match own_match(const struct eff_table *t, uint32_t dst)
{
	struct own_match m = { 0 };
	m.have_own = lpm_lookup_prefix(t->fib, dst, &m.own_p, &m.own);
	m.have_se = lpm_lookup_prefix(t->se_fib, dst, &m.se_p, &m.se);
	return m;
}

/* RULES 1.7 given the own matches and the usable shared match b (-1: none)
 * with its first hop ip. */
static struct next_hop choose(const struct eff_table *t, const struct own_match *m, long b,
			      uint32_t ip)
{
	struct next_hop nh = { 0 };
	const struct route_row *r = NULL;
	const struct prefix *bp = b >= 0 ? bgp_set_entry(t->bgp, (size_t)b, NULL) : NULL;
	bool use_bgp = bp && (!m->have_own || bp->len > m->own_p.len);
	if (!use_bgp && m->have_own)
		r = &t->rows[m->own];
	/* 1.7: a destination inside a service-endpoint prefix goes to the
	 * endpoint unless a strictly longer User or system row matches; BGP
	 * rows never beat it. */
	if (m->have_se && (use_bgp || !r || m->own_p.len <= m->se_p.len)) {
		use_bgp = false;
		r = &t->rows[m->se];
	}
	if (use_bgp) {
		nh.found = true;
		nh.nh = NH_VNET_GATEWAY;
		nh.nh_ip = ip;
		nh.has_nh_ip = true;
		nh.matched = *bp;
		return nh;
	}
	if (!r)
		return nh;
	nh.found = true;
	nh.nh = r->nh;
	nh.nh_ip = r->nh_ip;
	nh.has_nh_ip = r->has_nh_ip;
	nh.route_table = r->rt_name;
	nh.matched = r->nh == NH_SERVICE_ENDPOINT ? m->se_p : m->own_p;
	return nh;
}

struct next_hop eff_next_hop_rules(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	if (without_rs && t->no_rs)
		return eff_next_hop_rules(t->no_rs, dst, false);
	uint32_t ip = 0;
	struct own_match m = own_match(t, dst);
	long b = bgp_match(t, dst, without_rs, &ip);
	return choose(t, &m, b, ip);
}

/* ---- Fast next hops ------------------------------------------------------
 *
 * eff_next_hop_rules looks the destination up in three structures (own
 * rows, service endpoints, the domain's shared set), then checks the
 * entry's exceptions: about 50 ns.  Tables queried often answer from two
 * flat tables (sim/ranges.h) derived from those structures instead, one
 * over the domain's set and one over the table's own rows, so that the
 * big one is shared by every table of the domain (a 12,000-route set
 * flattens to some 100 KiB, once, instead of once per subnet):
 *
 *  - per bgp_set and view (with or without Route Server rows): for each
 *    address range, the longest entry with a usable next hop, as its
 *    length and first hop.  Built by one sweep over the sorted entries
 *    with a stack of the open (containing) prefixes: O(n + hops log hops).
 *  - per eff_own (shared by the tables eff_update derives): for each range
 *    cut by the own rows' prefixes, the own match length, the window of
 *    shared-match lengths that win, the answer when the shared match does
 *    not win and the one when it does (the shared entry itself, or the
 *    service endpoint, which BGP rows never beat).
 *
 * The window is where the exceptions went.  A shared match L wins when it
 * is strictly longer than the own match and not an exception.  HIDDEN
 * entries are those inside a VnetLocal/VNetPeering row V; V's row (or a
 * User row of its prefix, which makes it Invalid) is Active, so the own
 * match is at least V long, and an L longer than it containing dst lies
 * inside V exactly when L.len >= V.len: such an L is hidden iff L.len >=
 * the shortest such V containing dst.  INVALID entries have the prefix of
 * a User row, an Active own match at least as long: they never win
 * anyway.  So L wins iff own length < L.len < shortest hiding V, which
 * depends only on the own rows; the rules' fallback after an excepted
 * longest match ("the own match is exact") is the same statement.
 *
 * Values are computed by the rule functions themselves (own_match and
 * choose), at one address per range.  An answer is stored without the
 * matched prefix's address: it is the destination masked to the matched
 * length, so /24s of one next hop merge.  Built after EFF_FLAT_AFTER
 * lookups of a table, so a table asked once (an expectation) never pays
 * for them.  The oracle test compares eff_next_hop with
 * eff_next_hop_rules on every boundary.
 *
 * A lookup has no branch that depends on the destination (the patterns
 * mix VNet, NVA, on-premises and Internet destinations, so such branches
 * mispredicted about once a call): the own search compares the 16 starts
 * of a usual table at once, the set's flat table is two reads
 * (sim/ranges.h: index, then slice), and the answer is merged from the
 * candidates with masks.  It is returned as two words in registers
 * (struct eff_hop_word), which eff_next_hop unpacks inline, and it calls
 * nothing on the way, so that it saves no registers: about 70
 * instructions for the usual view and a 16-range own table.
 */
#define EFF_FLAT_AFTER 1024
#define ALWAYS_INLINE inline __attribute__((always_inline)) /* the fast path, whatever -O */
#define LEN_BITS 6                     /* a length + 1 (0: none) in a value */
#define LEN_MASK 63u
#define HIDE_NONE 34u                  /* upper window bound: nothing hidden */

/* What one own-table range answers (32 bytes, two to a cache line): lost
 * (with route table rt) when the shared match loses; when it wins, won (a
 * service endpoint row, which BGP rows never beat; a system row, no route
 * table) or else the shared entry itself (won is zero; no route table
 * either).  Bit len + 1 of wins: a shared match of that length wins (the
 * window, see above); bit 63 (KEEP_SHARED): the shared entry answers when
 * it wins. */
struct flat_pair {
	const char *rt;
	uint64_t lost, won, wins;
};
#define KEEP_SHARED ((uint64_t)1 << 63)

/* A shared entry's answer but its first hop and length. */
#define GATEWAY_WORD                                                                           \
	((uint64_t)NH_VNET_GATEWAY << EFF_HOP_NH_SHIFT | EFF_HOP_FOUND | EFF_HOP_HAS_IP)

/* A table's own flat table: 5 to 14 ranges for a spoke (a few hundred for
 * a hub peered with every spoke), searched without an index: p starts,
 * then p 16-bit values (pair numbers), then the pairs (at 6p bytes, a
 * multiple of 32: a pair never crosses a cache line).  The ranges are
 * padded to a power of two p >= OWN_MIN_P with copies of the last one.
 * Sixteen starts, the usual case, are copied with their pair numbers into
 * each table that looks them up (every table has the 80 bytes of room: a
 * lookup follows no pointer to find its range) and compared with the
 * destination all at once (SSE2: four compares and a mask; elsewhere four
 * unrolled steps); more are binary searched here in log2(p) fixed steps.  No branch
 * depends on the address.  Starts are stored with the top bit flipped
 * (OWN_BIAS), which makes signed order the unsigned one: SSE2 compares
 * signed. */
#define OWN_MIN_P 16
#define OWN_BIAS 0x80000000u

struct own_flat {
	size_t n, p;                   /* ranges, padded count */
	_Alignas(64) uint32_t starts[]; /* p biased starts, from 0, strictly up to n; values; pairs */
};


static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Ranges being produced in address order: the value at `at` and after,
 * until the next call.  A later call at the same address replaces the
 * value; equal neighbours merge. */
struct sweep {
	uint32_t *starts, *vals;
	size_t n;
};

static void sweep_emit(struct sweep *w, uint64_t at, uint32_t v)
{
	if (at > UINT32_MAX)
		return;
	if (w->n > 0 && w->starts[w->n - 1] == at) {
		w->vals[w->n - 1] = v;
		if (w->n > 1 && w->vals[w->n - 2] == v)
			w->n--;
		return;
	}
	if (w->n > 0 && w->vals[w->n - 1] == v)
		return;
	w->starts[w->n] = (uint32_t)at;
	w->vals[w->n++] = v;
}

/* Index of ip in hops[0..n), sorted and holding it. */
static size_t hop_index(const uint32_t *hops, size_t n, uint32_t ip)
{
	const uint32_t *at = bsearch(&ip, hops, n, sizeof(*hops), u32_cmp);
	return (size_t)(at - hops);
}

/* The set's flat table for a view: { NULL, NULL } when out of memory. */
static struct bgp_set_flat set_flat_build(const struct bgp_set *s, bool without_rs)
{
	size_t n = bgp_set_count(s), cap = 2 * n + 1;
	struct bgp_set_flat g = { NULL, NULL };
	uint32_t *first = malloc((n ? n : 1) * sizeof(*first)), *ips = NULL;
	uint32_t *val = malloc((n ? n : 1) * sizeof(*val));
	struct sweep w = { malloc(cap * sizeof(uint32_t)), malloc(cap * sizeof(uint32_t)), 0 };
	bool *usable = malloc(n ? n : 1);
	if (!first || !val || !w.starts || !w.vals || !usable)
		goto out;
	/* Zeroed: a lookup reads hops[0] when nothing matches. */
	ips = calloc(n ? n : 1, sizeof(*ips));
	g.hops = calloc(n ? n : 1, sizeof(*g.hops));
	if (!ips || !g.hops)
		goto out;
	size_t nh = 0;
	for (size_t i = 0; i < n; i++) {
		usable[i] = bgp_set_first_hop(s, i, without_rs, &first[i]);
		if (usable[i])
			ips[nh++] = first[i];
	}
	qsort(ips, nh, sizeof(*ips), u32_cmp);
	size_t nu = 0;
	for (size_t i = 0; i < nh; i++)
		if (nu == 0 || ips[nu - 1] != ips[i])
			ips[nu++] = ips[i];
	if (nu >= (size_t)1 << (31 - LEN_BITS))
		goto out;
	for (size_t i = 0; i < nu; i++)
		g.hops[i] = ips[i] | GATEWAY_WORD;
	for (size_t i = 0; i < n; i++)
		if (usable[i])
			val[i] = (uint32_t)hop_index(ips, nu, first[i]) << LEN_BITS |
				 (bgp_set_entry(s, i, NULL)->len + 1u);
	/* Entries in prefix order: a containing prefix comes before what it
	 * contains, so the open ones form a stack (at most 33 deep, as
	 * prefixes are distinct) whose top is the longest match. */
	size_t stack[33], depth = 0;
	sweep_emit(&w, 0, 0);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !usable[i])
			continue;
		uint32_t at = i < n ? bgp_set_entry(s, i, NULL)->addr : 0;
		while (depth > 0 &&
		       (i == n || !prefix_contains_addr(*bgp_set_entry(s, stack[depth - 1], NULL), at))) {
			uint64_t end = (uint64_t)prefix_last(*bgp_set_entry(s, stack[--depth], NULL)) + 1;
			sweep_emit(&w, end, depth ? val[stack[depth - 1]] : 0);
		}
		if (i == n)
			break;
		if (depth == 33)
			goto out; /* cannot happen: entries are distinct and sorted */
		stack[depth++] = i;
		sweep_emit(&w, at, val[i]);
	}
	g.r = ranges_create(w.starts, w.vals, w.n);
out:
	if (!g.r) { /* failed on the way (g.r is set last) */
		free(g.hops);
		g.hops = NULL;
	}
	free(first);
	free(ips);
	free(val);
	free(w.starts);
	free(w.vals);
	free(usable);
	return g;
}

static void add_bounds(uint32_t *b, size_t *n, struct prefix p)
{
	b[(*n)++] = p.addr;
	uint64_t end = (uint64_t)p.addr + ((uint64_t)1 << (32 - p.len));
	if (end <= UINT32_MAX)
		b[(*n)++] = (uint32_t)end;
}

static struct eff_hop_word word_of(struct next_hop nh)
{
	return (struct eff_hop_word){
		.route_table = nh.route_table,
		.w = nh.nh_ip | (uint64_t)nh.nh << EFF_HOP_NH_SHIFT |
		     (uint64_t)nh.matched.len << EFF_HOP_LEN_SHIFT | (nh.found ? EFF_HOP_FOUND : 0) |
		     (nh.has_nh_ip ? EFF_HOP_HAS_IP : 0)
	};
}

static bool pair_equal(const struct flat_pair *a, const struct flat_pair *b)
{
	return a->rt == b->rt && a->lost == b->lost && a->won == b->won && a->wins == b->wins;
}

/* Length + 1 of the shortest VnetLocal/VNetPeering row containing dst: a
 * shared match at least that long is hidden (see above). */
static uint32_t hide_bound(const struct eff_table *t, uint32_t dst)
{
	uint32_t h = HIDE_NONE;
	for (size_t i = 0; i < t->nsys; i++) {
		const struct route_row *r = &t->rows[i];
		if (eff_vnet_row(r) && prefix_contains_addr(r->prefixes[0], dst) &&
		    r->prefixes[0].len + 1u < h)
			h = r->prefixes[0].len + 1u;
	}
	return h;
}

/* The own table of t->own.  O(b (log b + rows)) for b boundaries of a few
 * dozen rows. */
static int own_flat_build(const struct eff_table *t)
{
	size_t nb = 1, cap = 1;
	for (size_t i = 0; i < t->nrows; i++)
		cap += 2 * t->rows[i].nprefixes;
	uint32_t *b = malloc(cap * sizeof(*b)), *vals = malloc(cap * sizeof(*vals));
	struct flat_pair *pairs = malloc(cap * sizeof(*pairs));
	int rc = -1;
	if (!b || !vals || !pairs)
		goto out;
	b[0] = 0;
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t k = 0; k < t->rows[i].nprefixes; k++)
			add_bounds(b, &nb, t->rows[i].prefixes[k]);
	qsort(b, nb, sizeof(*b), u32_cmp);
	struct sweep w = { b, vals, 0 }; /* compacts in place: w.n <= i */
	size_t np = 0;
	for (size_t i = 0; i < nb; i++) {
		if (i > 0 && b[i] == b[i - 1])
			continue;
		uint32_t at = b[i];
		struct own_match m = own_match(t, at);
		struct eff_hop_word lost = word_of(choose(t, &m, -1, 0)), won = { NULL, 0 };
		uint32_t lo = m.have_own ? m.own_p.len + 1u : 0, hi = hide_bound(t, at);
		if (m.have_se) {
			/* The winner's answer: choose with a use_bgp of true. */
			won = word_of(choose(t, &(struct own_match){ .have_se = true, .se = m.se,
								   .se_p = m.se_p }, -1, 0));
		}
		if (won.route_table)
			goto out; /* not a system row: cannot happen */
		struct flat_pair x = { lost.route_table, lost.w, won.w, m.have_se ? 0 : KEEP_SHARED };
		for (uint32_t len1 = lo + 1; len1 < hi; len1++)
			x.wins |= (uint64_t)1 << len1;
		size_t id = 0;
		while (id < np && !pair_equal(&pairs[id], &x))
			id++;
		if (id == np)
			pairs[np++] = x;
		sweep_emit(&w, at, (uint32_t)id);
	}
	size_t p = OWN_MIN_P;
	while (p < w.n)
		p *= 2;
	if (p > UINT32_MAX)
		goto out;
	if (np > UINT16_MAX + 1u)
		goto out;
	size_t bytes = sizeof(struct own_flat) + 6 * p + np * sizeof(*pairs);
	struct own_flat *o = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	if (o) {
		o->n = w.n;
		o->p = p;
		uint16_t *ids = (uint16_t *)(void *)(o->starts + p);
		for (size_t i = 0; i < p; i++) {
			size_t k = i < w.n ? i : w.n - 1;
			o->starts[i] = b[k] ^ OWN_BIAS;
			ids[i] = (uint16_t)vals[k];
		}
		memcpy((char *)o->starts + 6 * p, pairs, np * sizeof(*pairs));
		t->own->flat = o;
		rc = 0;
	}
out:
	free(b);
	free(vals);
	free(pairs);
	return rc;
}

/* The set flat table of a table without a set: every bucket names the one
 * slice entry, no entry anywhere (never written; not const only because
 * struct ranges points to them). */
#define NO_SET_ENTRY (16u << RANGES_SBITS | 28u) /* slice at index[16], shift 32 - 4 */
static uint32_t NO_SET_INDEX[17] = {
	NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY,
	NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY,
	NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, RANGES_LEAF
};
static uint64_t NO_SET_HOPS[1];
static const struct ranges NO_SET = { .bits = 4, .n = 1, .nsub = 1, .index = NO_SET_INDEX,
				      .sub = NO_SET_INDEX + 16 };

/* Builds what t's fast path needs for a view and fills t->fast; false when
 * out of memory.  A table is looked up in one view only in practice (its
 * NICs are all within the Route Server's capacity or all beyond it): the
 * other view's first lookup refills the block. */
static bool fast_prepare(const struct eff_table *t, bool without_rs)
{
	struct eff_own *o = t->own;
	if (!o->flat && !o->flat_failed)
		o->flat_failed = own_flat_build(t) != 0;
	if (!o->flat)
		return false;
	struct bgp_set *s = t->bgp;
	if (s && !bgp_set_flat(s, without_rs))
		bgp_set_flat_keep(s, without_rs, set_flat_build(s, without_rs));
	const struct bgp_set_flat *g = s ? bgp_set_flat(s, without_rs) : NULL;
	if (s && !g->r)
		return false;
	struct eff_fast *f = t->fast;
	f->own = o->flat->starts;
	f->own_log2 = (uint8_t)__builtin_ctzll(o->flat->p);
	if (o->flat->p == OWN_MIN_P) {
		const uint16_t *ids = (const uint16_t *)(const void *)(o->flat->starts + OWN_MIN_P);
		for (size_t i = 0; i < OWN_MIN_P; i++) {
			f->starts16[i] = o->flat->starts[i];
			f->ids16[i] = (uint8_t)ids[i]; /* at most 16 pairs */
		}
	}
	f->own_n = (uint32_t)o->flat->n;
	f->set_r = g ? g->r : &NO_SET;
	f->set_index = f->set_r->index;
	f->set_shift = (uint8_t)(32 - f->set_r->bits);
	f->set_low = UINT32_MAX >> f->set_r->bits;
	f->hops = g ? g->hops : NO_SET_HOPS;
	f->ready[without_rs] = true;
	f->ready[!without_rs] = false;
	return true;
}

/* The range of biased key among p (a power of two) biased starts: the
 * number of starts <= key, less one (starts[0] is the lowest address), in
 * log2(p) steps written as arithmetic rather than ?:, which compilers turn
 * into branches. */
static ALWAYS_INLINE size_t own_search(const uint32_t *starts, size_t p, uint32_t key)
{
	size_t at = 0;
	for (size_t half = p / 2; half > 0; half /= 2)
		at += half & -(size_t)((int32_t)starts[at + half] <= (int32_t)key);
	return at;
}

/* The same for p = 16, the usual size; starts 16-byte aligned. */
static ALWAYS_INLINE size_t own_search16(const uint32_t *starts, uint32_t key)
{
#ifdef __SSE2__
	const __m128i *s = (const __m128i *)(const void *)starts;
	__m128i k = _mm_set1_epi32((int32_t)key);
	__m128i g01 = _mm_packs_epi32(_mm_cmpgt_epi32(s[0], k), _mm_cmpgt_epi32(s[1], k));
	__m128i g23 = _mm_packs_epi32(_mm_cmpgt_epi32(s[2], k), _mm_cmpgt_epi32(s[3], k));
	/* Bit i: start i is above the key; the starts increase, so these
	 * bits are the top ones. */
	unsigned above = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(g01, g23));
	return (size_t)__builtin_ctz(above | 0x10000u) - 1;
#else
	return own_search(starts, OWN_MIN_P, key);
#endif
}

/* eff_next_hop_word before t is ready for the view: counts, prepares, or
 * asks the rules.  Out of line, so that the fast path stays small. */
static __attribute__((noinline, cold)) struct eff_hop_word
not_ready(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	struct eff_fast *f = t->fast;
	/* Built already (for a table sharing its rows and set): nothing to
	 * wait for. */
	const struct bgp_set_flat *g = t->bgp ? bgp_set_flat(t->bgp, without_rs) : NULL;
	bool built = t->own->flat && (!t->bgp || (g && g->r));
	if (f->failed[without_rs] || (!built && ++f->lookups < EFF_FLAT_AFTER))
		return word_of(eff_next_hop_rules(t, dst, without_rs));
	f->failed[without_rs] = !fast_prepare(t, without_rs);
	if (f->failed[without_rs])
		return word_of(eff_next_hop_rules(t, dst, without_rs));
	return eff_next_hop_word(t, dst, without_rs);
}

/* The own range's answers for dst.  For the usual p of 16 the starts and
 * pair numbers copied into the table find it: only the pair is read from
 * the own table (6p = 96 bytes in). */
static ALWAYS_INLINE const struct flat_pair *own_pair(const struct eff_fast *f, uint32_t dst)
{
	const uint32_t *st = f->own;
	if (__builtin_expect(f->own_log2 == 4, 1)) {
		const struct flat_pair *pairs =
			(const struct flat_pair *)(const void *)(st + 6 * OWN_MIN_P / 4);
		__builtin_prefetch(pairs);
		__builtin_prefetch(pairs + 1);
		return pairs + f->ids16[own_search16(f->starts16, dst ^ OWN_BIAS)];
	}
	/* A larger table: its starts, values and first pairs, fetched
	 * together. */
	size_t p = (size_t)1 << f->own_log2;
	const uint16_t *ids = (const uint16_t *)(const void *)(st + p);
	const struct flat_pair *pairs = (const struct flat_pair *)(const void *)(ids + p);
	__builtin_prefetch(ids);
	__builtin_prefetch(pairs);
	return pairs + ids[own_search(st, p, dst ^ OWN_BIAS)];
}

/* The answer of an own range given the set's value e (hop index <<
 * LEN_BITS | length + 1).  Which candidate wins depends on the
 * destination, so a branch would mispredict often: they are merged with
 * masks. */
static ALWAYS_INLINE struct eff_hop_word pick(const struct flat_pair *pr, const uint64_t *hops,
				       uint32_t e)
{
	uint32_t len1 = e & LEN_MASK;
	uint64_t shared = hops[e >> LEN_BITS] | (uint64_t)(len1 - 1) << EFF_HOP_LEN_SHIFT;
	uint64_t win = -((pr->wins >> len1) & 1);
	uint64_t keep = -(pr->wins >> 63);
	uint64_t alt = (shared & keep) | pr->won;
	uint64_t w = pr->lost ^ ((alt ^ pr->lost) & win);
	return (struct eff_hop_word){ (const char *)((uintptr_t)pr->rt & ~win), w };
}

/* eff_next_hop_word when dst's slice entry is a span (a crowded bucket,
 * about one lookup in a hundred): out of line and started over, so that
 * the fast path keeps nothing across a call. */
static __attribute__((noinline, cold)) struct eff_hop_word
span_answer(const struct eff_fast *f, uint32_t dst, uint32_t span)
{
	return pick(own_pair(f, dst), f->hops, ranges_lookup_span(f->set_r, span, dst));
}

/* eff_next_hop_word for table t in one view. */
static ALWAYS_INLINE struct eff_hop_word fast_word(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	const struct eff_fast *f = &t->fast_state; /* t->fast, without the load */
	if (!f->ready[without_rs])
		return not_ready(t, dst, without_rs);
	/* The set's two reads and the own search are independent: they
	 * overlap. */
	uint32_t ie = f->set_index[dst >> f->set_shift];
	uint32_t e = f->set_index[(ie >> RANGES_SBITS) +
				((dst & f->set_low) >> (ie & ((1u << RANGES_SBITS) - 1)))];
	if (__builtin_expect(!(e & RANGES_LEAF), 0))
		return span_answer(f, dst, e);
	return pick(own_pair(f, dst), f->hops, e & ~RANGES_LEAF);
}

/* The view without Route Server rows: NICs beyond the Route Server's
 * capacity, rarely asked for, so out of line. */
static __attribute__((noinline)) struct eff_hop_word without_rs_word(const struct eff_table *t,
								   uint32_t dst)
{
	if (t->no_rs)
		return fast_word(t->no_rs, dst, false);
	return fast_word(t, dst, true);
}

struct eff_hop_word eff_next_hop_word(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	if (__builtin_expect(without_rs, 0))
		return without_rs_word(t, dst);
	return fast_word(t, dst, false);
}

size_t eff_fast_ranges(const struct eff_table *t)
{
	const struct eff_fast *f = t->fast;
	if (!f->ready[0] && !f->ready[1])
		return 0;
	return f->own_n + (f->set_r != &NO_SET ? ranges_count(f->set_r) : 0);
}
