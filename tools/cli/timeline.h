/*
 * timeline.h - a run's timeline (models/replay/run.h) folded for output: entries
 * with the same time and cause whose row change is the same are one
 * change seen in several subnets (a hub's BGP update reaches every spoke
 * alike), by NICs with the same view (RULES 1.8: with or without the Route
 * Server's rows).  Used by `vnetsim run`'s report and by the results store.
 *
 * Each entry's change is its before/after tables compared as multisets
 * (tools/cli/rowdiff.h), looking only at the entry's scope when it has one,
 * else at its own rows and the prefixes where its domain's BGP set changed
 * (diffed once per event and domain, struct study_diff_sets) or where its
 * exceptions differ.
 * Cost: per entry O(own rows + changed prefixes), not O(rows); plus a
 * linear search among the folds of one (time, cause) block (a handful).
 * Ownership: a fold owns its change's rows and its entry array, borrows the
 * entries (the run's); folds live only during timeline_fold's callback.
 */
#ifndef TOOLS_TIMELINE_H
#define TOOLS_TIMELINE_H

#include <stddef.h>

#include "run.h"
#include "rowdiff.h"
#include "study_diff.h"

struct timeline_fold {
	struct rowdiff_change ch;      /* the change, rows owned here */
	const struct timeline_entry **entries; /* the subnets it hit, in timeline order */
	size_t nentries, cap;
	size_t nics;                   /* sum of the entries' NIC counts */
	/* Every entry has the same before/after view (entries[0]'s), and each
	 * subnet appears once. */
};

typedef void (*timeline_emit)(const struct timeline_fold *f, void *ctx);

/* Calls emit for each folded change, in time order; within one time and
 * cause, in the order of each fold's first subnet.  Entries whose change
 * shows no row are skipped.  0, or -1 out of memory. */
int timeline_fold(const struct run *r, timeline_emit emit, void *ctx);

/* The same, a (time, cause) block at a time: v[0..n) are its folds in the
 * order timeline_fold gives them (n >= 1). */
typedef void (*timeline_emit_block)(const struct timeline_fold *v, size_t n, void *ctx);
int timeline_fold_blocks(const struct run *r, timeline_emit_block emit, void *ctx);

/* One entry's change: scoped when the entry has a scope, else bounded
 * (rowdiff_change_bounded) when both sides show the Route Server rows,
 * else every row.  sets caches where domain sets differ (the shared BGP
 * set is diffed once per event and domain, not once per subnet; zeroed
 * to start, study_diff_sets_fini to free).  The rows and their order are
 * the same whichever way.
 * 0 or -1. */
int timeline_entry_change(struct rowdiff_change *c, const struct timeline_entry *e,
			  struct study_diff_sets *sets);

#endif
