/*
 * plot.h - gnuplot pictures of sweep results (`vnetsim sweep --out DIR`):
 * the script written to DIR/sweep.gnuplot and rendered to DIR/sweep.png
 * when gnuplot is installed (Debian's gnuplot-nox; without it the script
 * is written and a note says so).
 *
 * Readable at a glance: every script starts with a preamble that turns
 * gnuplot's enhanced text off (so that "IN_0" is not a subscript and no
 * label from the data can format text), fixes the picture size and leaves
 * the margins to gnuplot, which sizes them from the labels.  Rankings are
 * horizontal bars with the labels on the left, read top down; histograms
 * take their bins from the data (plot_bins).
 */
#ifndef TOOLS_PLOT_H
#define TOOLS_PLOT_H

#include <stddef.h>

/* Histogram bins for n values: the Freedman-Diaconis width (twice the
 * interquartile range over the cube root of n), rounded up to 1, 2 or 5
 * times a power of ten so the axis reads well, and widened until there are
 * at most PLOT_MAX_BINS bins; Sturges' rule (range over 1 + log2 n bins)
 * when the interquartile range is 0.  Never 0: 1 for no data or a single
 * value.  x is not modified (a sorted copy is made); -1 when out of memory. */
#define PLOT_MAX_BINS 60
int plot_bin_width(const double *x, size_t n, double *width);

/* Writes DIR/sweep.gnuplot (the preamble, then script) atomically, and runs
 * gnuplot on it in DIR when installed.  0, or -1 when the script cannot be
 * written (reported).  A gnuplot that fails is reported, not an error: the
 * data files stand without the picture. */
int plot_render(const char *dir, const char *script);

#endif
