/*
 * sweep_out.h - running a study for `vnetsim sweep` and reporting it: the
 * table on stdout, CSV, gnuplot data and script in --out DIR (rendered when
 * gnuplot is installed), rows in the --db database.
 *
 * Invariant: everything printed or written is derived from the results in
 * variant order only (sweep_exec.h), so `-j 1` and `-j N` give the same
 * bytes and the shards of a sweep record the same rows.  Ownership: the
 * options and the study are borrowed; files are written through outfile.h
 * (never seen half written).  Costs: O(variants x records) for the tables;
 * monte-carlo keeps every sample for its statistics.
 */
#ifndef TOOLS_SWEEP_OUT_H
#define TOOLS_SWEEP_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"
#include "study.h"
#include "render.h"

struct diag;

struct sweep_opts {
	const char *scenario, *study;  /* file names */
	const char *db;                /* --db, or NULL */
	const char *out;               /* --out DIR, or NULL */
	unsigned workers;
	unsigned long shard_i, shard_n;
	bool no_progress;              /* --no-progress (progress.h) */
	enum render_format fmt;        /* table or csv */
	const char *grown_file;        /* --write-grown DIM:STEPS:FILE, or NULL */
	unsigned grown_dim;            /* its grow_dim */
	unsigned long long grown_steps;
};

/* The commands (cmd_sweep.c, cmd_merge.c, sweep_load.c: `sweep report`). */
int cmd_sweep(int argc, char **argv);
int cmd_sweep_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Returns an exit code (diagnostics on d or stderr). */
int sweep_run(const struct study *st, struct scenario *sc, struct diag *d,
	      const struct sweep_opts *o);

/* A capacity study (sweep_capacity.c). */
int sweep_capacity(const struct study *st, struct scenario *sc, struct diag *d,
		   const struct sweep_opts *o);

#endif
