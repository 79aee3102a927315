/*
 * run_reach.h - the reachability matrix of every checkpoint of a run,
 * computed while the run is at that checkpoint (run_set_checkpoint_hook:
 * the BGP speakers' state of that moment, which checkpoints do not keep),
 * for `run --db` to store (store_reach.c).
 *
 * Ownership: the capture owns its sets (run_reach_fini).
 * Costs: one `vnetsim reach` per checkpoint (README "Results store" has
 * the measurement on ref-4k).
 */
#ifndef TOOLS_RUN_REACH_H
#define TOOLS_RUN_REACH_H

#include <stddef.h>

#include "run.h"

struct reachset;

struct run_reach {
	struct reachset **v;           /* per checkpoint, in run order */
	size_t n, cap;
};

/* A run_checkpoint_hook; ctx is a struct run_reach. */
int run_reach_hook(void *ctx, const struct run *r, const struct checkpoint *c);
void run_reach_fini(struct run_reach *rr);

#endif
