/*
 * test_study_stats.c - the GSL statistics of sweeps against hand-computed
 * values: mean, sample sd, quantiles of the sorted sample (GSL's linear
 * interpolation), Student's t interval; empty and single samples.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "study.h"
#include "study_stats.h"

#define NEAR(a, b, eps) cr_assert(fabs((a) - (b)) <= (eps), "%.9g != %.9g", (double)(a), (double)(b))

Test(study_stats, one_to_ten_shuffled)
{
	double x[10] = { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 };
	struct study_stats s;
	cr_assert_eq(study_stats_compute(x, 10, 0.95, &s), 0);
	cr_assert_eq(s.n, 10);
	NEAR(s.mean, 5.5, 1e-12);
	NEAR(s.sd, sqrt(55.0 / 6.0), 1e-12);  /* sum of squares 82.5 / 9 */
	NEAR(s.min, 1, 0);
	NEAR(s.max, 10, 0);
	NEAR(s.p50, 5.5, 1e-12);
	NEAR(s.p95, 9.55, 1e-12);              /* 9 + 0.55 * (10 - 9) */
	NEAR(s.p99, 9.91, 1e-12);
	double half = 2.2621571627982 * sqrt(55.0 / 6.0) / sqrt(10.0); /* t(0.975, 9) */
	NEAR(s.ci_lo, 5.5 - half, 1e-9);
	NEAR(s.ci_hi, 5.5 + half, 1e-9);
	cr_assert_eq(x[0], 1);                 /* sorted in place */
}

Test(study_stats, boundaries)
{
	struct study_stats s;
	cr_assert_eq(study_stats_compute(NULL, 0, 0.95, &s), 0);
	cr_assert_eq(s.n, 0);
	NEAR(s.mean, 0, 0);
	double one[1] = { 42 };
	cr_assert_eq(study_stats_compute(one, 1, 0.95, &s), 0);
	NEAR(s.mean, 42, 0);
	NEAR(s.sd, 0, 0);
	NEAR(s.ci_lo, 42, 0);
	NEAR(s.ci_hi, 42, 0);
	double two[2] = { 0, 2 };             /* t(0.975, 1) = 12.706 */
	cr_assert_eq(study_stats_compute(two, 2, 0.95, &s), 0);
	NEAR(s.ci_hi - s.mean, 12.7062047362 * sqrt(2.0) / sqrt(2.0), 1e-6);
}

/* Seeds of monte-carlo runs: fixed values (a study run today and one run
 * next year must draw the same failures) and distinct for nearby runs. */
Test(study_stats, run_seeds)
{
	cr_assert_eq(study_run_seed(1, 0), study_run_seed(1, 0));
	cr_assert_neq(study_run_seed(1, 0), study_run_seed(1, 1));
	cr_assert_neq(study_run_seed(1, 1), study_run_seed(2, 0));
	cr_assert_eq(study_run_seed(0, 0), 0xe220a8397b1dcdafULL);
}
