/*
 * study_stats.c - see study_stats.h.  The interval is
 * mean +- t_{(1+conf)/2, n-1} * sd / sqrt(n): exact for normal samples,
 * and what the central limit theorem justifies for the large N of a sweep.
 */
#include "study_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

int study_stats_compute(double *x, size_t n, double conf, struct study_stats *out)
{
	gsl_set_error_handler_off();
	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n == 0)
		return 0;
	gsl_sort(x, 1, n);
	out->mean = gsl_stats_mean(x, 1, n);
	out->sd = n > 1 ? gsl_stats_sd_m(x, 1, n, out->mean) : 0.0;
	out->min = x[0];
	out->max = x[n - 1];
	out->p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
	out->p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
	out->p99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99);
	double half = 0.0;
	if (n > 1) {
		double t = gsl_cdf_tdist_Pinv((1.0 + conf) / 2.0, (double)(n - 1));
		if (!isfinite(t))
			return -1;
		half = t * out->sd / sqrt((double)n);
	}
	out->ci_lo = out->mean - half;
	out->ci_hi = out->mean + half;
	return isfinite(out->mean) && isfinite(out->sd) ? 0 : -1;
}
