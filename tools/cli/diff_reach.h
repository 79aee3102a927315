/*
 * diff_reach.h - `vnetsim diff --reach`: reachability compared instead of
 * routes (RULES 1.11.7; the comparison itself is reachdiff.h's), in the
 * three forms diff has: two checkpoints of one scenario, two scenarios,
 * two runs of a results store.
 *
 * Each side is a reachability matrix: for a scenario, `vnetsim reach` at
 * that checkpoint (the replay stopped there, so that the BGP speakers are
 * in that moment's state); for a stored run, the matrix `run --db` kept
 * for that checkpoint (store_reach.c).
 *
 * --nic / --subnet restrict the comparison to the flows from or to the
 * subnets they match (reachdiff_compute_scoped).
 *
 * Exit codes, as diff's: 0 no flow changed, 1 a flow changed (or a source
 * or destination is on one side only), 2 bad input, 3 environment.
 */
#ifndef TOOLS_DIFF_REACH_H
#define TOOLS_DIFF_REACH_H

#include "cli.h"

struct junit;

struct diff_reach_opts {
	enum render_format fmt;        /* table, json or jsonl */
	struct junit *junit;           /* --junit, else NULL */
	/* --nic / --subnet: only the flows from or to the subnets they match
	 * (a --nic glob matches the subnets holding a matching NIC), on either
	 * side; a spec that matches on neither side is bad input (exit 2). */
	const struct cli_target_spec *specs;
	size_t nspecs;
};

int diff_reach_labels(const char *file, const struct cli_common *c,
		      const struct diff_reach_opts *o, const char *from, const char *to);
int diff_reach_scenarios(const char *fa, const char *fb, const struct cli_common *c,
			 const struct diff_reach_opts *o, const char *at);
int diff_reach_db(const char *db, const char *ra, const char *rb,
		  const struct diff_reach_opts *o, const char *at);

#endif
