/*
 * test_rng.c - seeded random numbers.
 *
 * Determinism (same seed, same stream; the reference MT19937 output for the
 * reference seed), then ranges on the boundaries of rng_uniform_int (n = 0,
 * 1, 2, 2^32 - 1 where GSL stops, 2^32 and up where two draws are combined,
 * UINT64_MAX), then rough distribution checks with generous bounds (the
 * streams are fixed, so these are deterministic too).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "rng.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

Test(rng, destroy_null)
{
	rng_destroy(NULL);
}

/* MT19937 seeded with 5489 (the reference default) first outputs
 * 3499211612 and 581869302 (Matsumoto & Nishimura's mt19937ar.c). */
Test(rng, reference_stream)
{
	struct rng *r = rng_create(5489);

	cr_assert_not_null(r);
	cr_expect_eq(rng_uniform(r), 3499211612.0 / 4294967296.0);
	cr_expect_eq(rng_uniform(r), 581869302.0 / 4294967296.0);
	rng_destroy(r);
}

Test(rng, same_seed_same_stream)
{
	static const uint64_t seeds[] = {0, 1, 42, UINT32_MAX, (uint64_t)1 << 32, UINT64_MAX};

	for (size_t i = 0; i < NELEM(seeds); i++) {
		struct rng *a = rng_create(seeds[i]);
		struct rng *b = rng_create(seeds[i]);
		cr_assert(a != NULL && b != NULL);
		for (int k = 0; k < 1000; k++) {
			cr_assert_eq(rng_uniform(a), rng_uniform(b));
			cr_assert_eq(rng_uniform_int(a, 1000), rng_uniform_int(b, 1000));
			uint64_t xa = rng_uniform_int(a, UINT64_MAX);
			cr_assert_eq(xa, rng_uniform_int(b, UINT64_MAX));
			cr_assert_eq(rng_exponential(a, 3.0), rng_exponential(b, 3.0));
		}
		rng_destroy(a);
		rng_destroy(b);
	}
}

Test(rng, different_seeds_differ)
{
	static const uint64_t seeds[][2] = {
		{1, 2},
		{5489, 5489 | ((uint64_t)7 << 32)}, /* the high half of the seed counts */
	};

	for (size_t i = 0; i < NELEM(seeds); i++) {
		struct rng *a = rng_create(seeds[i][0]);
		struct rng *b = rng_create(seeds[i][1]);
		int same = 0;
		for (int k = 0; k < 100; k++)
			same += rng_uniform(a) == rng_uniform(b);
		cr_expect_lt(same, 5, "seeds %llu and %llu", (unsigned long long)seeds[i][0],
			     (unsigned long long)seeds[i][1]);
		rng_destroy(a);
		rng_destroy(b);
	}
}

Test(rng, uniform_range_and_mean)
{
	struct rng *r = rng_create(7);
	double sum = 0;
	enum { N = 200000 };

	for (int i = 0; i < N; i++) {
		double u = rng_uniform(r);
		cr_assert(u >= 0.0 && u < 1.0, "%g", u);
		sum += u;
	}
	cr_expect(fabs(sum / N - 0.5) < 0.01, "mean %g", sum / N);
	rng_destroy(r);
}

Test(rng, uniform_int_boundaries)
{
	static const uint64_t ns[] = {
		1,
		2,
		3,
		10,
		UINT32_MAX - 1,
		UINT32_MAX,
		(uint64_t)UINT32_MAX + 1,
		(uint64_t)UINT32_MAX + 2,
		((uint64_t)1 << 63) + 1, /* worst case for rejection: about half the draws */
		UINT64_MAX - 1,
		UINT64_MAX,
	};
	struct rng *r = rng_create(11);

	cr_expect_eq(rng_uniform_int(r, 0), 0, "n = 0 is not a range; 0 rather than a crash");
	for (size_t i = 0; i < NELEM(ns); i++) {
		uint64_t max = 0;
		for (int k = 0; k < 2000; k++) {
			uint64_t x = rng_uniform_int(r, ns[i]);
			cr_assert_lt(x, ns[i], "n = %llu", (unsigned long long)ns[i]);
			if (x > max)
				max = x;
		}
		/* the upper part of the range is reached (n >= 2) */
		if (ns[i] >= 2)
			cr_expect_geq(max, ns[i] / 2, "n = %llu", (unsigned long long)ns[i]);
	}
	rng_destroy(r);
}

/* Large n must use the high bits too: values above 2^32 appear. */
Test(rng, uniform_int_wide_range)
{
	struct rng *r = rng_create(3);
	int above = 0;

	for (int k = 0; k < 1000; k++)
		above += rng_uniform_int(r, (uint64_t)1 << 40) > UINT32_MAX;
	cr_expect_gt(above, 900);
	rng_destroy(r);
}

Test(rng, uniform_int_buckets)
{
	enum { N = 100000, K = 10 };
	struct rng *r = rng_create(12345);
	int count[K] = {0};

	for (int i = 0; i < N; i++)
		count[rng_uniform_int(r, K)]++;
	for (int k = 0; k < K; k++)
		cr_expect(count[k] > N / K * 0.95 && count[k] < N / K * 1.05, "bucket %d: %d", k,
			  count[k]);
	rng_destroy(r);
}

Test(rng, exponential_mean)
{
	static const double means[] = {0.5, 1.0, 5.0, 1000.0};
	enum { N = 200000 };

	for (size_t i = 0; i < NELEM(means); i++) {
		struct rng *r = rng_create(100 + i);
		double sum = 0;
		for (int k = 0; k < N; k++) {
			double x = rng_exponential(r, means[i]);
			cr_assert(x >= 0.0 && isfinite(x), "%g", x);
			sum += x;
		}
		cr_expect(fabs(sum / N / means[i] - 1.0) < 0.02, "mean %g want %g", sum / N,
			  means[i]);
		rng_destroy(r);
	}
}

/* Many generators in one process are independent of each other. */
Test(rng, generators_are_independent)
{
	struct rng *a = rng_create(9);
	struct rng *b = rng_create(9);
	struct rng *c = rng_create(9);
	double first_a[10];

	for (int k = 0; k < 10; k++)
		first_a[k] = rng_uniform(a);
	for (int k = 0; k < 1000; k++)
		(void)rng_uniform(c); /* advancing c must not move b */
	for (int k = 0; k < 10; k++)
		cr_expect_eq(rng_uniform(b), first_a[k]);
	rng_destroy(a);
	rng_destroy(b);
	rng_destroy(c);
}
