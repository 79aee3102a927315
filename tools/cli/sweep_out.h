/*
 * sweep_out.h - running a study for `vnetsim sweep` and reporting it: the
 * table on stdout, CSV, gnuplot data and script in --out DIR (rendered when
 * gnuplot is installed), rows in the --db database.
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
	bool progress;                 /* stderr is a terminal */
	enum render_format fmt;        /* table or csv */
	const char *grown_file;        /* --write-grown DIM:STEPS:FILE, or NULL */
	unsigned grown_dim;            /* its grow_dim */
	unsigned long long grown_steps;
};

/* The commands (cmd_sweep.c, cmd_merge.c). */
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Returns an exit code (diagnostics on d or stderr). */
int sweep_run(const struct study *st, struct scenario *sc, struct diag *d,
	      const struct sweep_opts *o);

/* A capacity study (sweep_capacity.c). */
int sweep_capacity(const struct study *st, struct scenario *sc, struct diag *d,
		   const struct sweep_opts *o);

#endif
