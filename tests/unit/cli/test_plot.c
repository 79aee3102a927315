/*
 * test_plot.c - histogram bins of the sweep plots (tools/cli/plot.c).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

Test(plot, bins_without_spread_are_one_wide)
{
	double w = 0;
	cr_assert_eq(plot_bin_width(NULL, 0, &w), 0);
	cr_expect_eq(w, 1);
	double one[] = { 42 };
	cr_assert_eq(plot_bin_width(one, 1, &w), 0);
	cr_expect_eq(w, 1);
	double same[] = { 5, 5, 5, 5 };
	cr_assert_eq(plot_bin_width(same, 4, &w), 0);
	cr_expect_eq(w, 1);
}

/* 0..999 uniform: IQR 499.5, Freedman-Diaconis 2 * 499.5 / 10 = 99.9,
 * rounded up to 100: ten bins.  The input is left as it was. */
Test(plot, freedman_diaconis_rounded_to_1_2_5)
{
	double x[1000];
	for (int i = 0; i < 1000; i++)
		x[i] = (double)((i * 7919) % 1000); /* a permutation, unsorted */
	double copy[1000];
	memcpy(copy, x, sizeof(x));
	double w = 0;
	cr_assert_eq(plot_bin_width(x, 1000, &w), 0);
	cr_expect_float_eq(w, 100, 1e-9);
	cr_expect_eq(memcmp(x, copy, sizeof(x)), 0, "input sorted in place");
}

/* A long tail (black holes of seconds and one of hours): the bins widen
 * until there are at most PLOT_MAX_BINS of them, never a fixed 5 s. */
Test(plot, long_tails_keep_the_bin_count_readable)
{
	double x[200];
	for (int i = 0; i < 199; i++)
		x[i] = (double)(i % 20);
	x[199] = 32000;
	double w = 0;
	cr_assert_eq(plot_bin_width(x, 200, &w), 0);
	cr_expect_leq(32000 / w, PLOT_MAX_BINS, "%g s bins: %g bins", w, 32000 / w);
	double m = w / pow(10, floor(log10(w)));
	cr_expect(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9, "%g is not 1-2-5", w);
}

/* Spread but no interquartile range (most values equal): Sturges' rule. */
Test(plot, no_interquartile_range_uses_sturges)
{
	double x[64];
	for (int i = 0; i < 64; i++)
		x[i] = 10;
	x[63] = 80;
	double w = 0;
	cr_assert_eq(plot_bin_width(x, 64, &w), 0);
	/* range 70 over 1 + log2 64 = 7 bins: 10 */
	cr_expect_float_eq(w, 10, 1e-9);
}
