/*
 * study_stats.h - summary statistics of sweep samples, on GSL (the only
 * file of models/ that includes GSL headers): mean, standard deviation,
 * quantiles of the sorted sample, and the confidence interval of the mean
 * from Student's t distribution.
 *
 * No state: the caller owns the sample, which is sorted in place (the
 * quantiles are read from the sorted sample, GSL's
 * gsl_stats_quantile_from_sorted_data).  Cost: O(n log n) for the sort,
 * O(n) for the rest.  GSL's error handler is turned off (it would abort
 * the process): a result that is not finite gives -1 instead.
 */
#ifndef STUDIES_STUDY_STATS_H
#define STUDIES_STUDY_STATS_H

#include <stddef.h>

struct study_stats {
	size_t n;
	double mean, sd;               /* sd: sample standard deviation (n - 1) */
	double min, p50, p95, p99, max;
	double ci_lo, ci_hi;           /* confidence interval of the mean */
};

/* x is sorted in place.  conf in (0, 1), e.g. 0.95.  n == 0 gives zeros;
 * n == 1 gives sd 0 and a degenerate interval.  0, or -1 when GSL reports
 * an error. */
int study_stats_compute(double *x, size_t n, double conf, struct study_stats *out);

#endif
