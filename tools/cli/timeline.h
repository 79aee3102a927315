/*
 * timeline.h - a run's timeline (models/replay/run.h) folded for output: entries
 * with the same time and cause whose row change is the same are one
 * change seen in several subnets (a hub's BGP update reaches every spoke
 * alike), by NICs with the same view (RULES 1.8: with or without the Route
 * Server's rows).  Used by `vnetsim run`'s report and by the results store.
 *
 * Each entry's change is its before/after tables compared as multisets
 * (tools/cli/rowdiff.h), looking only at the entry's scope when it has one.
 * Cost: one table comparison per entry, plus a linear search among the
 * folds of one (time, cause) block (a handful).
 * Ownership: a fold owns its change's rows and its entry array, borrows the
 * entries (the run's); folds live only during timeline_fold's callback.
 */
#ifndef TOOLS_TIMELINE_H
#define TOOLS_TIMELINE_H

#include <stddef.h>

#include "run.h"
#include "rowdiff.h"

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

/* One entry's change (scoped when the entry has a scope); 0 or -1. */
int timeline_entry_change(struct rowdiff_change *c, const struct timeline_entry *e);

#endif
