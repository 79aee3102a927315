/*
 * sweep_exec.h - evaluating a study's variants in worker processes.
 *
 * The process holding the baseline (study_prepare) forks one child per
 * variant, at most `workers` at a time: the child inherits the computed
 * baseline copy-on-write, evaluates its variant (study_eval mutates only
 * its own copy), writes the result to a pipe and exits.  The parent hands
 * results to the caller in the order of the list it was given, whatever
 * order the children finish in, so 1 and N workers give identical output.
 *
 * Ownership: a result belongs to sweep_exec and is freed after the callback
 * returns (copy what must be kept).  Costs: one fork per variant (the
 * baseline's pages are shared until written) and the result's bytes through
 * a pipe; results that finish early wait in memory until their turn.
 */
#ifndef TOOLS_SWEEP_EXEC_H
#define TOOLS_SWEEP_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "study.h"

/* Called once per variant, in list order; a non-zero return stops the
 * sweep and is returned. */
typedef int (*sweep_done_fn)(void *ctx, size_t pos, const struct study_result *res);

/* Evaluates variants list[0..n).  progress: a bar on err (a terminal).
 * Returns 0, the callback's value, or 3 (fork, pipe, a worker that died;
 * reported on err). */
int sweep_exec(struct study_base *b, const size_t *list, size_t n, unsigned workers,
	       bool progress, FILE *err, sweep_done_fn done, void *ctx);

#endif
