/*
 * test_ranges.c - the flattened lookup table (sim/ranges.c).
 *
 * Boundaries first (one range, a range starting at the last address,
 * ranges on and around bucket edges, invalid inputs), then the oracle:
 * seeded random range sets of 1 to 60,000 ranges (every index size), each
 * lookup compared with a linear scan on every range's first address, the
 * address before it, and random addresses.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "ranges.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

/* The reference: the last range whose start is <= addr. */
static uint32_t scan(const uint32_t *starts, const uint32_t *values, size_t n, uint32_t addr)
{
	size_t k = 0;
	for (size_t i = 0; i < n && starts[i] <= addr; i++)
		k = i;
	return values[k];
}

Test(ranges, one_range_covers_everything)
{
	uint32_t s[] = { 0 }, v[] = { 7 };
	struct ranges *r = ranges_create(s, v, 1);
	cr_assert_not_null(r);
	cr_expect_eq(ranges_lookup(r, 0), 7);
	cr_expect_eq(ranges_lookup(r, 0x80000000u), 7);
	cr_expect_eq(ranges_lookup(r, UINT32_MAX), 7);
	cr_expect_eq(ranges_count(r), 1);
	ranges_destroy(r);
}

Test(ranges, edges)
{
	/* Ranges starting on a bucket edge (the top 4 bits), one address
	 * before and after it, and at the very last address. */
	uint32_t s[] = { 0, 0x0fffffffu, 0x10000000u, 0x10000001u, 0xfffffffeu, 0xffffffffu };
	uint32_t v[] = { 1, 2, 3, 4, 5, 6 };
	struct ranges *r = ranges_create(s, v, NELEM(s));
	cr_assert_not_null(r);
	static const uint32_t probe[] = { 0, 1, 0x0ffffffeu, 0x0fffffffu, 0x10000000u, 0x10000001u,
					  0x10000002u, 0x7fffffffu, 0xfffffffdu, 0xfffffffeu,
					  0xffffffffu };
	for (size_t i = 0; i < NELEM(probe); i++)
		cr_expect_eq(ranges_lookup(r, probe[i]), scan(s, v, NELEM(s), probe[i]), "addr %#x",
			     probe[i]);
	ranges_destroy(r);
}

Test(ranges, invalid_inputs)
{
	uint32_t v[] = { 1, 2, 3 };
	uint32_t not_zero[] = { 5, 6, 7 }, not_increasing[] = { 0, 6, 6 }, down[] = { 0, 9, 8 };
	cr_expect_null(ranges_create(not_zero, v, 3));
	cr_expect_null(ranges_create(not_increasing, v, 3));
	cr_expect_null(ranges_create(down, v, 3));
	cr_expect_null(ranges_create(v, v, 0));
	ranges_destroy(NULL);
}

static uint64_t xs(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

Test(ranges, oracle_against_a_linear_scan)
{
	static const size_t SIZES[] = { 1, 2, 3, 15, 16, 17, 100, 1000, 4095, 4097, 60000 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (size_t si = 0; si < NELEM(SIZES); si++) {
		size_t want = SIZES[si];
		uint32_t *s = malloc(want * sizeof(*s)), *v = malloc(want * sizeof(*v));
		cr_assert(s && v);
		/* Random starts, clustered half the time (like prefixes of
		 * one /12), deduplicated; 0 first. */
		s[0] = 0;
		uint32_t base = (uint32_t)xs(&x) & 0xfff00000u;
		for (size_t i = 1; i < want; i++)
			s[i] = xs(&x) & 1 ? (uint32_t)xs(&x) : base + ((uint32_t)xs(&x) & 0xfffffu);
		qsort(s, want, sizeof(*s), u32_cmp);
		size_t n = 1;
		for (size_t i = 1; i < want; i++)
			if (s[i] != s[n - 1])
				s[n++] = s[i];
		for (size_t i = 0; i < n; i++)
			v[i] = (uint32_t)xs(&x) & 0x7fffffffu;
		struct ranges *r = ranges_create(s, v, n);
		cr_assert_not_null(r);
		size_t checks = n < 2000 ? n : 2000; /* the scan is O(n) */
		for (size_t c = 0; c < checks; c++) {
			size_t i = (size_t)(xs(&x) % n);
			cr_assert_eq(ranges_lookup(r, s[i]), v[i], "size %zu, start %#x", n, s[i]);
			if (s[i] > 0)
				cr_assert_eq(ranges_lookup(r, s[i] - 1), v[i - 1]);
			uint32_t a = (uint32_t)xs(&x);
			cr_assert_eq(ranges_lookup(r, a), scan(s, v, n, a), "size %zu, addr %#x", n, a);
		}
		cr_assert_eq(ranges_lookup(r, UINT32_MAX), v[n - 1]);
		ranges_destroy(r);
		free(s);
		free(v);
	}
}

Test(ranges, values_need_the_top_bit_free)
{
	uint32_t s[] = { 0, 100 }, ok[] = { 0x7fffffffu, 0 }, bad[] = { 0x80000000u, 0 };
	struct ranges *r = ranges_create(s, ok, 2);
	cr_assert_not_null(r);
	cr_expect_eq(ranges_lookup(r, 5), 0x7fffffffu);
	ranges_destroy(r);
	cr_expect_null(ranges_create(s, bad, 2));
}

/* Every start, the address before and after it, 0 and the last address,
 * against the scan. */
static void every_boundary(const struct ranges *r, const uint32_t *s, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t a[] = { s[i], s[i] - 1, s[i] + 1 };
		for (size_t k = 0; k < NELEM(a); k++)
			cr_assert_eq(ranges_lookup(r, a[k]), scan(s, v, n, a[k]), "n %zu, addr %#x", n,
				     a[k]);
	}
	cr_assert_eq(ranges_lookup(r, 0), v[0]);
	cr_assert_eq(ranges_lookup(r, UINT32_MAX), v[n - 1]);
}

/* The two-read claim: /24s packed in a /12 and a /10 (a domain's NVA and
 * on-premises routes) resolve in the slices, with no span to search; a
 * bucket cut finer than its slice budget allows (/32s) keeps spans and
 * still answers exactly. */
Test(ranges, slices_resolve_packed_prefixes)
{
	enum { N = 3000 };
	uint32_t *s = malloc(2 * N * sizeof(*s)), *v = malloc(2 * N * sizeof(*v));
	cr_assert(s && v);
	size_t n = 0;
	s[n] = 0, v[n++] = 0;
	uint64_t x = 0x2545F4914F6CDD1DULL;
	for (uint32_t i = 0; i < N / 2; i++) {
		/* Every third /24 of 100.64/10, then every other of 172.16/12:
		 * each starts a range and the gap after it another. */
		uint32_t p = i < N / 4 ? 0x64400000u + (i * 3 << 8) : 0xAC100000u + ((i - N / 4) << 9);
		s[n] = p, v[n++] = 1 + (uint32_t)(xs(&x) % 7);
		s[n] = p + 256, v[n++] = 0;
	}
	struct ranges *r = ranges_create(s, v, n);
	cr_assert_not_null(r);
	cr_expect_eq(r->nspans, 0, "packed /24s need no span (%zu)", r->nspans);
	every_boundary(r, s, v, n);
	ranges_destroy(r);

	/* 40 /32s in one /24 among 2 ranges elsewhere: the slice budget (64
	 * entries a range) cannot reach /32, so spans remain. */
	n = 0;
	s[n] = 0, v[n++] = 9;
	for (uint32_t i = 0; i < 40; i++)
		s[n] = 0x0A000100u + 3 * i + 1, v[n++] = i;
	s[n] = 0xF0000000u, v[n++] = 5;
	r = ranges_create(s, v, n);
	cr_assert_not_null(r);
	cr_expect_gt(r->nspans, 0);
	every_boundary(r, s, v, n);
	for (uint32_t a = 0x0A000100u; a < 0x0A000200u; a++)
		cr_assert_eq(ranges_lookup(r, a), scan(s, v, n, a), "addr %#x", a);
	ranges_destroy(r);
	free(s);
	free(v);
}

/* The last address alone, and a range starting at 255.255.255.255 with
 * the bucket before it split at every bit. */
Test(ranges, edges_of_the_address_space)
{
	uint32_t s[34], v[34];
	size_t n = 0;
	s[n] = 0, v[n++] = 100;
	for (unsigned b = 28; b > 0; b--)
		s[n] = 0xF0000000u | (0x0FFFFFFFu >> b << b), v[n++] = b;
	s[n] = UINT32_MAX, v[n++] = 77;
	struct ranges *r = ranges_create(s, v, n);
	cr_assert_not_null(r);
	every_boundary(r, s, v, n);
	cr_expect_eq(ranges_lookup(r, UINT32_MAX), 77);
	cr_expect_eq(ranges_lookup(r, UINT32_MAX - 1), 1);
	ranges_destroy(r);
}
