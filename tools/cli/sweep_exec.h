/*
 * sweep_exec.h - evaluating a study's variants in worker processes.
 *
 * The process holding the baseline (study_prepare) forks at most
 * `workers` long-lived workers: each inherits the computed baseline
 * copy-on-write, takes variant numbers from a pipe, evaluates each one
 * (study_eval mutates only its own copy), writes the result to another
 * pipe and puts its run back to the baseline (study_rollback).  A worker
 * that cannot put it back (study.h says when) ends after its answer, and a
 * fresh one is forked for the rest.  The parent hands results to the
 * caller in the order of the list it was given, whatever order the workers
 * finish in, so 1 and N workers give identical output.
 *
 * Workers die with the parent: SIGTERM and SIGINT are forwarded to them,
 * and a parent killed outright takes them along (PR_SET_PDEATHSIG).
 *
 * Ownership: a result belongs to sweep_exec and is freed after the callback
 * returns (copy what must be kept).  Costs: one fork per worker (and per
 * variant that cannot be rolled back), a rollback per variant
 * (models/replay/run_save.h), the result's bytes through a pipe; results
 * that finish early wait in memory until their turn.
 */
#ifndef TOOLS_SWEEP_EXEC_H
#define TOOLS_SWEEP_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "study.h"

struct progress;

/* Called once per variant, in list order; a non-zero return stops the
 * sweep and is returned. */
typedef int (*sweep_done_fn)(void *ctx, size_t pos, const struct study_result *res);

/* Evaluates variants list[0..n).  progress (progress.h, may be NULL) is
 * told of each variant handed over.
 * Returns 0, the callback's value, 3 (fork, pipe, a worker that died;
 * reported on err), or 128 + SIGTERM / SIGINT when one of them stopped the
 * sweep (the workers are gone; the caller cleans up and dies of it). */
int sweep_exec(struct study_base *b, const size_t *list, size_t n, unsigned workers,
	       struct progress *progress, FILE *err, sweep_done_fn done, void *ctx);

#endif
