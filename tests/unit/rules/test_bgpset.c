/*
 * test_bgpset.c - a routing domain's programmed BGP routes
 * (models/rules/bgpset.c; RULES 1.3): building, finding, patching, the
 * derived lookups against naive scans, and allocation failures that must
 * change nothing (realloc fails on demand, failalloc.h).
 *
 * Sets are written as text with mkset (effective_fixture.h): "prefix
 * nh[,nh...]", a '*' before a next hop marks a Route Server row.
 */
#include "effective_fixture.h"
#include "failalloc.h"

#define NEXT(x) (*(x) ^= *(x) << 13, *(x) ^= *(x) >> 7, *(x) ^= *(x) << 17, *(x))

/* A set of up to n random entries (lengths 0..32, distinct, a third
 * crowded into 10/8 so that they nest), one or two rows each, some of
 * them the Route Server's (put_entry). */
static struct bgp_set *random_set(uint64_t *x, size_t n)
{
	static char text[512][64];
	const char *entries[512];
	struct prefix seen[512];
	size_t ne = 0;
	cr_assert_leq(n, NELEM(seen));
	for (size_t i = 0; i < n; i++) {
		uint8_t len = (uint8_t)(NEXT(x) % 33);
		uint32_t a = (uint32_t)NEXT(x);
		if (i % 3 == 0)
			a = (a & 0x00ffffffu) | 0x0a000000u;
		put_entry(x, (struct prefix){ a & prefix_mask(len), len }, NULL, seen, &ne, text,
			  entries);
	}
	return mkset(entries, ne);
}

/* ---- building and finding ------------------------------------------------------- */

Test(bgpset, builder_sorts_and_finds)
{
	static const char *const e[] = { "192.168.0.0/16 10.0.1.4", "0.0.0.0/0 10.0.1.4,10.0.1.5",
					 "172.16.0.0/12 *10.0.1.6", "172.16.0.0/16 10.0.1.7",
					 "255.255.255.255/32 10.0.1.8" };
	struct bgp_set *s = mkset(e, NELEM(e));
	cr_expect_eq(bgp_set_count(s), 5);
	static const char *const order[] = { "0.0.0.0/0", "172.16.0.0/12", "172.16.0.0/16",
					     "192.168.0.0/16", "255.255.255.255/32" };
	for (size_t i = 0; i < NELEM(order); i++) {
		cr_expect(prefix_equal(*bgp_set_entry(s, i, NULL), P(order[i])), "entry %zu", i);
		cr_expect_eq(bgp_set_find(s, P(order[i])), (long)i);
	}
	/* Rows follow their entry through the sort. */
	struct bgp_set_rows d, r;
	bgp_set_entry(s, 0, &d);
	cr_expect_eq(d.n, 2);
	cr_expect_eq(d.nh[0], A("10.0.1.4"));
	cr_expect_eq(d.nh[1], A("10.0.1.5"));
	cr_expect(!d.rs[0]);
	bgp_set_entry(s, 1, &r);
	cr_expect_eq(r.n, 1);
	cr_expect_eq(r.nh[0], A("10.0.1.6"));
	cr_expect(r.rs[0]);
	cr_expect_eq(bgp_set_find(s, P("172.16.0.0/13")), -1);
	cr_expect_eq(bgp_set_find(NULL, P("0.0.0.0/0")), -1);
	cr_expect_eq(bgp_set_count(NULL), 0);
	/* Equality is by value; reference counting keeps a set alive. */
	struct bgp_set *s2 = mkset(e, NELEM(e));
	cr_expect(bgp_set_equal(s, s2));
	cr_expect(bgp_set_equal(s, s));
	cr_expect(bgp_set_equal(NULL, NULL));
	cr_expect(!bgp_set_equal(s, NULL));
	static const char *const e3[] = { "0.0.0.0/0 10.0.1.4" };
	struct bgp_set *s3 = mkset(e3, 1);
	cr_expect(!bgp_set_equal(s, s3));
	static const char *const e4[] = { "0.0.0.0/0 *10.0.1.4" };
	struct bgp_set *s4 = mkset(e4, 1);
	cr_expect(!bgp_set_equal(s3, s4), "the Route Server flag counts");
	static const char *const e5[] = { "0.0.0.0/0 10.0.1.4,10.0.1.4" };
	struct bgp_set *s5 = mkset(e5, 1);
	cr_expect(!bgp_set_equal(s3, s5), "a repeated next hop is another row (RULES 1.3)");
	cr_expect_eq(bgp_set_ref(s2), s2);
	bgp_set_unref(s2);
	cr_expect(bgp_set_equal(s, s2), "still alive after one of two references went");
	bgp_set_unref(s2);
	bgp_set_unref(s3);
	bgp_set_unref(s4);
	bgp_set_unref(s5);
	bgp_set_unref(s);
	bgp_set_unref(NULL);
	cr_expect_null(bgp_set_ref(NULL));
}

/* bgp_set_find remembers its latest answers (a memo of 64 slots): asked
 * again and again, with prefixes present and absent sharing slots, and
 * after a set patched from this one, it answers as a binary search would. */
static int drop_all(void *ctx, struct prefix p, struct bgp_set_rows *rows)
{
	(void)ctx;
	(void)p;
	rows->n = 0;
	return 0;
}

Test(bgpset, find_memo_answers_as_the_search)
{
	struct bgp_set *s = bgp_set_create();
	cr_assert_not_null(s);
	enum { N = 700 };
	static struct prefix in[N];
	uint32_t nh = A("10.0.1.4");
	bool rs = false;
	for (size_t i = 0; i < N; i++) {
		in[i] = (struct prefix){ (uint32_t)(0x14000000u + (i << 8)), 24 }; /* 20.x.y.0/24 */
		cr_assert_eq(bgp_set_add(s, in[i], &nh, &rs, 1), 0);
	}
	cr_assert_eq(bgp_set_finish(s), 0);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < N; i++) {
			cr_assert_eq(bgp_set_find(s, in[i]), (long)i, "round %d, entry %zu", round, i);
			struct prefix other = { in[i].addr, 25 };
			cr_assert_eq(bgp_set_find(s, other), -1, "round %d, /25 of entry %zu", round, i);
			struct prefix next = { in[i].addr + 0x01000000u * 8, 24 }; /* beyond the list */
			cr_assert_eq(bgp_set_find(s, next), -1);
		}
	/* A set patched from it with one entry dropped: indices shift. */
	struct prefix changed[1];
	size_t nc = 0;
	struct bgp_set *t = bgp_set_patch(s, &in[10], 1, drop_all, NULL, changed, &nc);
	cr_assert_not_null(t);
	cr_assert_neq(t, s);
	cr_assert_eq(nc, 1);
	cr_expect_eq(bgp_set_find(t, in[10]), -1);
	for (size_t i = 0; i < N; i++)
		if (i != 10)
			cr_assert_eq(bgp_set_find(t, in[i]), (long)(i < 10 ? i : i - 1));
	bgp_set_unref(t);
	bgp_set_unref(s);
}

/* An empty set is legal (a domain with no route yet).  Under UBSan,
 * bgp_set_finish must not hand a NULL array to qsort. */
Test(bgpset, empty)
{
	/* Regression: on an empty set entries is NULL and qsort(NULL, 0, ...)
	 * was undefined behaviour (caught only under -Db_sanitize=undefined). */
	struct bgp_set *s = bgp_set_create();
	cr_assert_not_null(s);
	cr_expect_eq(bgp_set_finish(s), 0);
	cr_expect_eq(bgp_set_count(s), 0);
	cr_expect_eq(bgp_set_find(s, P("0.0.0.0/0")), -1);
	size_t idx = 99;
	cr_expect_eq(bgp_set_longest(s, A("8.8.8.8"), &idx), 0);
	cr_expect_eq(bgp_set_seek(s, 0, P("0.0.0.0/0")), 0);
	bool failed = false;
	cr_expect_null(bgp_set_without_rs(s, &failed), "nothing to show");
	cr_expect(!failed);
	bgp_set_unref(s);
}

/* ---- patching ----------------------------------------------------------------- */

/* What the patch test's decide answers per key: 0 no entry, 1 base's rows
 * (none for a new prefix), 2 other rows. */
struct decider {
	struct bgp_set *base;
	struct prefix keys[8];
	int kind[8];
	size_t nkeys, calls;
	uint32_t nh[2];
	bool rs[2];
};

static int decide(void *ctx, struct prefix p, struct bgp_set_rows *rows)
{
	struct decider *d = ctx;
	cr_assert_lt(d->calls, d->nkeys, "decide called more often than there are keys");
	cr_assert(prefix_equal(p, d->keys[d->calls]), "keys decided in order, each once");
	int kind = d->kind[d->calls++];
	long e = bgp_set_find(d->base, p);
	*rows = (struct bgp_set_rows){ d->nh, d->rs, kind == 2 ? 2 : 0 };
	if (kind == 1 && e >= 0)
		bgp_set_entry(d->base, (size_t)e, rows);
	return 0;
}

/* The set patch should give, built from scratch: base's entries outside
 * the keys, and the keys' decisions. */
static struct bgp_set *expected_patch(const struct decider *d)
{
	struct bgp_set *x = bgp_set_create();
	cr_assert_not_null(x);
	for (size_t i = 0; i < bgp_set_count(d->base); i++) {
		struct bgp_set_rows r;
		struct prefix p = *bgp_set_entry(d->base, i, &r);
		bool keyed = false;
		for (size_t k = 0; k < d->nkeys && !keyed; k++)
			keyed = prefix_equal(d->keys[k], p);
		if (!keyed)
			cr_assert_eq(bgp_set_add(x, p, r.nh, r.rs, r.n), 0);
	}
	for (size_t k = 0; k < d->nkeys; k++) {
		long e = bgp_set_find(d->base, d->keys[k]);
		struct bgp_set_rows r = { d->nh, d->rs, d->kind[k] == 2 ? 2 : 0 };
		if (d->kind[k] == 1 && e >= 0)
			bgp_set_entry(d->base, (size_t)e, &r);
		if (r.n > 0)
			cr_assert_eq(bgp_set_add(x, d->keys[k], r.nh, r.rs, r.n), 0);
	}
	cr_assert_eq(bgp_set_finish(x), 0);
	return x;
}

/* Oracle: bgp_set_patch over every subset of eight keys (base's five
 * prefixes and three new ones), each dropped, kept or given other rows,
 * equals the set built from scratch, lists exactly the keys whose entries
 * changed, and returns base itself when none did.  The base is built in
 * order (its entries' rows contiguous, copied in runs) and out of order
 * (rows scattered by the sort, copied one by one). */
Test(bgpset, patch_equals_building_from_scratch)
{
	static const char *const unsorted[] = { "20.0.0.0/8 10.0.1.4,10.0.1.5", "1.2.3.4/32 *10.0.1.4",
						"10.1.0.0/16 10.0.1.6", "8.8.8.0/24 10.0.1.4,*10.0.1.5,10.0.1.6",
						"0.0.0.0/0 10.0.1.7" };
	static const char *const sorted[] = { "0.0.0.0/0 10.0.1.7", "1.2.3.4/32 *10.0.1.4",
					      "8.8.8.0/24 10.0.1.4,*10.0.1.5,10.0.1.6",
					      "10.1.0.0/16 10.0.1.6", "20.0.0.0/8 10.0.1.4,10.0.1.5" };
	/* In prefix order: the keys must be sorted. */
	static const char *const pool[] = { "0.0.0.0/0", "1.2.3.4/32", "5.0.0.0/8", "8.8.8.0/24",
					    "10.1.0.0/16", "10.1.0.0/24", "20.0.0.0/8", "255.0.0.0/8" };
	const char *const *which[] = { unsorted, sorted };
	size_t patched = 0, unchanged = 0;
	for (size_t w = 0; w < 2; w++) {
		struct bgp_set *base = mkset(which[w], 5);
		for (unsigned mask = 0; mask < 256; mask++)
			for (unsigned round = 0; round < 3; round++) {
				struct decider d = { .base = base, .nh = { A("10.9.9.9"), A("10.0.1.4") },
						     .rs = { false, true } };
				for (size_t k = 0; k < NELEM(pool); k++)
					if (mask & (1u << k)) {
						d.kind[d.nkeys] = (int)((k + round + mask) % 3);
						d.keys[d.nkeys++] = P(pool[k]);
					}
				struct prefix changed[8];
				size_t nc = 99;
				struct bgp_set *got = bgp_set_patch(base, d.keys, d.nkeys, decide, &d,
								    changed, &nc);
				cr_assert_not_null(got);
				cr_assert_eq(d.calls, d.nkeys);
				struct bgp_set *want = expected_patch(&d);
				cr_assert(bgp_set_equal(got, want), "base %zu, keys %#x, round %u", w, mask,
					  round);
				size_t k = 0;
				for (size_t i = 0; i < d.nkeys; i++) {
					struct bgp_set_rows a = { 0 }, b = { 0 };
					long ea = bgp_set_find(base, d.keys[i]), eb = bgp_set_find(want, d.keys[i]);
					if (ea >= 0)
						bgp_set_entry(base, (size_t)ea, &a);
					if (eb >= 0)
						bgp_set_entry(want, (size_t)eb, &b);
					bool same = a.n == b.n;
					for (size_t r = 0; same && r < a.n; r++)
						same = a.nh[r] == b.nh[r] && a.rs[r] == b.rs[r];
					if (same)
						continue;
					cr_assert_lt(k, nc, "keys %#x round %u: a changed key is missing", mask, round);
					cr_assert(prefix_equal(changed[k++], d.keys[i]));
				}
				cr_assert_eq(k, nc, "keys %#x round %u: unchanged keys listed", mask, round);
				if (nc == 0)
					cr_assert_eq(got, base, "nothing changed: base itself");
				patched += nc > 0;
				unchanged += nc == 0;
				bgp_set_unref(want);
				bgp_set_unref(got);
			}
		bgp_set_unref(base);
	}
	cr_assert(patched > 100 && unchanged > 10, "%zu patched, %zu unchanged", patched, unchanged);
}

/* Oracle: a chain of 150 patches of a 400-entry set (its entries stored in
 * chunks that patches share, bgpset.c), each with up to eight keys spread
 * over the set, present or new, dropped, kept or given other rows: every
 * set of the chain equals the one built from scratch from its
 * predecessor, finds each of its entries at its index, and diffs against
 * its predecessor at exactly the changed keys.  The chain inserts and
 * drops enough entries for chunks to split and merge. */
Test(bgpset, chained_patches_over_many_chunks)
{
	uint64_t x = 0x2545F4914F6CDD1Du;
	struct bgp_set *base = random_set(&x, 400);
	for (int round = 0; round < 150; round++) {
		struct decider d = { .base = base, .nh = { A("10.9.9.9"), A("10.0.1.4") },
				     .rs = { false, true } };
		size_t n = bgp_set_count(base);
		struct prefix keys[8];
		size_t nk = 0;
		for (size_t k = 0; k < 8; k++) {
			uint8_t len = (uint8_t)(NEXT(&x) % 33);
			keys[nk++] = n && k % 2 ? *bgp_set_entry(base, NEXT(&x) % n, NULL)
						: (struct prefix){ (uint32_t)NEXT(&x) & prefix_mask(len), len };
		}
		nk = prefix_sort_unique(keys, nk);
		for (size_t k = 0; k < nk; k++) {
			d.keys[d.nkeys] = keys[k];
			/* More inserts than drops in the first half, then more drops. */
			d.kind[d.nkeys++] = (int)(NEXT(&x) % 4 == 0 ? 1 : (round < 75) == (k % 2 == 0) ? 2 : 0);
		}
		struct prefix changed[8];
		size_t nc = 99;
		struct bgp_set *got = bgp_set_patch(base, d.keys, d.nkeys, decide, &d, changed, &nc);
		cr_assert_not_null(got);
		struct bgp_set *want = expected_patch(&d);
		cr_assert(bgp_set_equal(got, want), "round %d", round);
		cr_assert(bgp_set_equal(want, got), "round %d", round);
		for (size_t i = 0; i < bgp_set_count(got); i++)
			cr_assert_eq(bgp_set_find(got, *bgp_set_entry(got, i, NULL)), (long)i);
		struct prefix *diff = NULL;
		size_t nd = 0;
		cr_assert_eq(bgp_set_diff(base, got, &diff, &nd), 0);
		cr_assert_eq(nd, nc, "round %d", round);
		for (size_t k = 0; k < nd; k++)
			cr_assert(prefix_equal(diff[k], changed[k]), "round %d", round);
		free(diff);
		bgp_set_unref(want);
		bgp_set_unref(base);
		base = got;
	}
	bgp_set_unref(base);
}

/* ---- reading: against naive scans ----------------------------------------------- */

/* Oracle: bgp_set_seek from any entry equals a linear scan, for prefixes
 * present, absent, below and above every entry. */
Test(bgpset, seek_equals_a_scan)
{
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int round = 0; round < 20; round++) {
		struct bgp_set *s = random_set(&x, 1 + NEXT(&x) % 300);
		size_t n = bgp_set_count(s);
		for (int q = 0; q < 400; q++) {
			uint8_t len = (uint8_t)(NEXT(&x) % 33);
			struct prefix p = { (uint32_t)NEXT(&x) & prefix_mask(len), len };
			if (q % 4 == 0)
				p = *bgp_set_entry(s, NEXT(&x) % n, NULL);
			size_t from = NEXT(&x) % (n + 1);
			size_t want = from;
			while (want < n && prefix_compare(*bgp_set_entry(s, want, NULL), p) < 0)
				want++;
			cr_assert_eq(bgp_set_seek(s, from, p), want, "round %d query %d", round, q);
		}
		bgp_set_unref(s);
	}
}

/* Oracle: bgp_set_longest equals the longest entry containing the address
 * by a scan, on every entry's first and last address and around them, and
 * on random ones. */
Test(bgpset, longest_equals_a_scan)
{
	uint64_t x = 0x2545F4914F6CDD1Du;
	for (int round = 0; round < 10; round++) {
		struct bgp_set *s = random_set(&x, 1 + NEXT(&x) % 300);
		size_t n = bgp_set_count(s);
		for (size_t q = 0; q < 4 * n + 500; q++) {
			struct prefix e = *bgp_set_entry(s, q % n, NULL);
			uint32_t at[] = { e.addr, prefix_last(e), e.addr - 1, prefix_last(e) + 1 };
			uint32_t dst = q < 4 * n ? at[q / n] : (uint32_t)NEXT(&x);
			long want = -1;
			for (size_t i = 0; i < n; i++) {
				const struct prefix *p = bgp_set_entry(s, i, NULL);
				if (prefix_contains_addr(*p, dst) &&
				    (want < 0 || p->len > bgp_set_entry(s, (size_t)want, NULL)->len))
					want = (long)i;
			}
			size_t got = 0;
			int found = bgp_set_longest(s, dst, &got);
			cr_assert_eq(found, want >= 0, "round %d: %#x found %d", round, dst, found);
			if (found)
				cr_assert_eq(got, (size_t)want, "round %d: %#x", round, dst);
		}
		bgp_set_unref(s);
	}
}

/* RULES 1.7: the first of the ECMP set in ascending address order; a NIC
 * beyond Route Server capacity skips the Route Server's rows. */
Test(bgpset, first_hop_is_the_lowest)
{
	static const char *const e[] = { "0.0.0.0/0 10.0.1.9,*10.0.1.4,10.0.1.5",
					 "8.8.8.0/24 *10.0.1.6,*10.0.1.7" };
	struct bgp_set *s = mkset(e, NELEM(e));
	uint32_t ip = 0;
	cr_expect(bgp_set_first_hop(s, 0, false, &ip));
	cr_expect_eq(ip, A("10.0.1.4"));
	cr_expect(bgp_set_first_hop(s, 0, true, &ip));
	cr_expect_eq(ip, A("10.0.1.5"));
	cr_expect(bgp_set_first_hop(s, 1, false, &ip));
	cr_expect_eq(ip, A("10.0.1.6"));
	cr_expect(!bgp_set_first_hop(s, 1, true, &ip), "Route Server rows only");
	bgp_set_unref(s);
}

/* RULES 1.8: what a NIC beyond Route Server capacity receives. */
Test(bgpset, without_route_server_rows)
{
	static const char *const mixed[] = { "0.0.0.0/0 *10.0.1.4", "8.8.8.0/24 10.0.1.5,*10.0.1.4",
					     "9.9.9.0/24 10.0.1.6" };
	static const char *const plain[] = { "8.8.8.0/24 10.0.1.5", "9.9.9.0/24 10.0.1.6" };
	static const char *const rs_only[] = { "0.0.0.0/0 *10.0.1.4" };
	struct bgp_set *m = mkset(mixed, NELEM(mixed)), *p = mkset(plain, NELEM(plain));
	struct bgp_set *r = mkset(rs_only, NELEM(rs_only));
	bool failed = false;
	struct bgp_set *o = bgp_set_without_rs(m, &failed);
	cr_assert_not_null(o);
	cr_expect(bgp_set_equal(o, p));
	struct bgp_set *again = bgp_set_without_rs(m, &failed);
	cr_expect_eq(again, o, "built once, then cached");
	struct bgp_set *same = bgp_set_without_rs(p, &failed);
	cr_expect_eq(same, p, "no Route Server row: the set itself");
	cr_expect_null(bgp_set_without_rs(r, &failed), "nothing left");
	cr_expect_null(bgp_set_without_rs(NULL, &failed));
	cr_expect(!failed);
	bgp_set_unref(o);
	bgp_set_unref(again);
	bgp_set_unref(same);
	bgp_set_unref(m);
	bgp_set_unref(p);
	bgp_set_unref(r);
}

Test(bgpset, diff_lists_the_prefixes_that_differ)
{
	static const char *const ea[] = { "0.0.0.0/0 10.0.1.4", "8.8.8.0/24 10.0.1.5",
					  "9.9.9.0/24 10.0.1.6", "10.1.0.0/16 10.0.1.7" };
	static const char *const eb[] = { "0.0.0.0/0 10.0.1.4", "8.8.8.0/24 *10.0.1.5",
					  "10.1.0.0/16 10.0.1.7", "20.0.0.0/8 10.0.1.8" };
	struct bgp_set *a = mkset(ea, NELEM(ea)), *b = mkset(eb, NELEM(eb));
	struct prefix *v;
	size_t n;
	cr_assert_eq(bgp_set_diff(a, b, &v, &n), 0);
	static const char *const want[] = { "8.8.8.0/24", "9.9.9.0/24", "20.0.0.0/8" };
	cr_assert_eq(n, NELEM(want));
	for (size_t i = 0; i < n; i++)
		cr_expect(prefix_equal(v[i], P(want[i])), "prefix %zu", i);
	free(v);
	cr_assert_eq(bgp_set_diff(a, a, &v, &n), 0);
	cr_expect_eq(n, 0);
	cr_expect_not_null(v, "never NULL on success");
	free(v);
	cr_assert_eq(bgp_set_diff(NULL, b, &v, &n), 0);
	cr_expect_eq(n, 4, "every entry of b");
	free(v);
	bgp_set_unref(a);
	bgp_set_unref(b);
}

/* nexthop.c's tables, kept by the set: none until kept, a failed build
 * kept too (so that nobody builds again). */
Test(bgpset, keeps_the_flat_tables_per_view)
{
	static const char *const e[] = { "0.0.0.0/0 10.0.1.4" };
	struct bgp_set *s = mkset(e, 1);
	cr_expect_null(bgp_set_flat(s, false));
	cr_expect_null(bgp_set_flat(s, true));
	uint64_t *hops = malloc(sizeof(*hops));
	cr_assert_not_null(hops);
	bgp_set_flat_keep(s, true, (struct bgp_set_flat){ NULL, hops });
	cr_expect_null(bgp_set_flat(s, false), "the other view");
	const struct bgp_set_flat *f = bgp_set_flat(s, true);
	cr_assert_not_null(f);
	cr_expect_null(f->r, "a failed build, remembered");
	cr_expect_eq(f->hops, hops, "and freed with the set (ASan: no leak)");
	bgp_set_unref(s);
}

/* ---- out of memory -------------------------------------------------------------- */

/* Every realloc the builder and the patch make fails in turn: the call
 * fails with nothing lost (the entries added before stay, with their
 * rows), and the base of a failed patch is untouched. */
Test(bgpset, out_of_memory_loses_nothing)
{
	uint64_t x = 0xD1B54A32D192ED03u;
	struct bgp_set *model = random_set(&x, 200);
	size_t n = bgp_set_count(model), patch_failures = 0;
	for (long fail = 0; fail < 12; fail++) {
		/* Building: a failed add leaves the set as it was. */
		struct bgp_set *s = bgp_set_create(), *want = bgp_set_create();
		cr_assert(s && want);
		bool added[512] = { false };
		failalloc_after(fail);
		size_t failures = 0;
		for (size_t i = 0; i < n; i++) {
			struct bgp_set_rows r;
			struct prefix p = *bgp_set_entry(model, i, &r);
			added[i] = bgp_set_add(s, p, r.nh, r.rs, r.n) == 0;
			failures += !added[i];
		}
		failalloc_after(-1);
		cr_assert_gt(failures, 0, "fail after %ld: nothing failed", fail);
		cr_assert_eq(bgp_set_finish(s), 0);
		for (size_t i = 0; i < n; i++) {
			struct bgp_set_rows r;
			struct prefix p = *bgp_set_entry(model, i, &r);
			if (added[i])
				cr_assert_eq(bgp_set_add(want, p, r.nh, r.rs, r.n), 0);
		}
		cr_assert_eq(bgp_set_finish(want), 0);
		cr_assert(bgp_set_equal(s, want), "fail after %ld: the set lost or changed entries", fail);
		bgp_set_unref(want);
		bgp_set_unref(s);
		/* Patching: NULL with the base as it was, or the right set. */
		struct prefix keys[] = { *bgp_set_entry(model, n / 2, NULL) }, changed[1];
		size_t nc = 99;
		failalloc_after(fail);
		struct bgp_set *p = bgp_set_patch(model, keys, 1, drop_all, NULL, changed, &nc);
		failalloc_after(-1);
		cr_assert_eq(bgp_set_count(model), n);
		cr_assert_eq(bgp_set_find(model, keys[0]), (long)(n / 2));
		if (!p) {
			cr_assert_eq(nc, 0);
			patch_failures++;
			continue;
		}
		cr_assert_eq(nc, 1);
		cr_assert_eq(bgp_set_count(p), n - 1);
		cr_assert_eq(bgp_set_find(p, keys[0]), -1);
		bgp_set_unref(p);
	}
	cr_assert_gt(patch_failures, 0, "no patch ever failed");
	bgp_set_unref(model);
}
