/*
 * plot.c - gnuplot pictures of sweep results.  See plot.h.
 */
#include "plot.h"

#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "outfile.h"

/* 1, 2 or 5 times a power of ten, at least w. */
static double nice_ceil(double w)
{
	double p = pow(10.0, floor(log10(w)));
	static const double steps[] = { 1, 2, 5, 10 };
	for (size_t i = 0; i < 4; i++)
		if (steps[i] * p >= w * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

int plot_bin_width(const double *x, size_t n, double *width)
{
	*width = 1;
	if (n < 2)
		return 0;
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return -1;
	memcpy(s, x, n * sizeof(*s));
	gsl_sort(s, 1, n);
	double range = s[n - 1] - s[0];
	double iqr = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.75) -
		     gsl_stats_quantile_from_sorted_data(s, 1, n, 0.25);
	free(s);
	if (!(range > 0))
		return 0;
	double w = iqr > 0 ? 2 * iqr / cbrt((double)n) : range / (1 + log2((double)n));
	w = nice_ceil(w);
	while (range / w > PLOT_MAX_BINS)
		w = nice_ceil(w * 1.5);
	*width = w;
	return 0;
}

static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	char *copy = strdup(path), *save = NULL;
	bool found = false;
	for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char full[4096];
		snprintf(full, sizeof(full), "%s/gnuplot", *dir ? dir : ".");
		found = access(full, X_OK) == 0;
	}
	free(copy);
	return found;
}

static int write_script(FILE *out, const void *script)
{
	fputs("# Written by vnetsim sweep; run `gnuplot sweep.gnuplot` in this folder.\n"
	      "set terminal png size 1400,900 font ',10' noenhanced\n"
	      "set output 'sweep.png'\n"
	      "set termoption noenhanced\n"
	      "set datafile separator ','\n"
	      "set key autotitle columnhead\n",
	      out);
	fputs(script, out);
	return ferror(out) ? -1 : 0;
}

int plot_render(const char *dir, const char *script)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/sweep.gnuplot", dir);
	if (outfile_write(path, write_script, script, stderr) != 0)
		return -1;
	if (!have_gnuplot()) {
		fprintf(stderr, "vnetsim sweep: gnuplot is not installed: %s written, not rendered "
				"(apt-get install gnuplot-nox)\n",
			path);
		return 0;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir(dir) != 0)
			_exit(127);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1);
		execlp("gnuplot", "gnuplot", "sweep.gnuplot", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "vnetsim sweep: gnuplot failed on %s (plot not rendered)\n", path);
	return 0;
}
