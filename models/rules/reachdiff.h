/*
 * reachdiff.h - what changed in reachability between two matrices by name
 * (reachset.h; RULES 1.11.7): every flow (source subnet, destination)
 * present on both sides classified, and the changed ones grouped.
 *
 * What it models: a flow broke when it was delivered and is now partly
 * dropped, dropped or looped; was repaired the other way round; was
 * rerouted when it is delivered on both sides but crosses other
 * appliances or ends elsewhere (another gateway connection, another
 * appliance it is handed to); its return changed when only the return
 * symmetry differs (a stateful appliance that now sees one direction);
 * changed otherwise (failing on both sides, differently).  Sources and
 * destinations are matched by name; those on one side only are listed,
 * their flows not classified.
 *
 * Grouping, so that a 4,000-VM estate reads on a screen: one group per
 * (change, outcome before, outcome after); in a group, sources with the
 * same changed destinations share one block (sources x destinations).
 *
 * Ownership: the diff points into both sets (names and outcomes), which
 * must outlive it, and owns its arrays.  Costs: O(sources x destinations)
 * with a small hash lookup per span boundary; memory O(changed spans).
 */
#ifndef RULES_REACHDIFF_H
#define RULES_REACHDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachset.h"

enum reachdiff_change { RD_BROKE, RD_REPAIRED, RD_REROUTED, RD_RETURN, RD_CHANGED, RD_NCHANGES };
/* "broke", "repaired", "rerouted", "return changed", "changed" */
const char *reachdiff_change_name(enum reachdiff_change c);

/* Sources (to-side indexes) x destinations (to-side indexes). */
struct reachdiff_block {
	uint32_t *sources, *dests;
	size_t nsources, ndests, cap_sources;
};

struct reachdiff_group {
	enum reachdiff_change change;
	const struct reachset_outcome *from, *to;
	enum reach_sym from_sym, to_sym; /* RS_NA unless the change is RD_RETURN */
	uint64_t flows;
	struct reachdiff_block *blocks;
	size_t nblocks, cap;
};

struct reachdiff {
	uint64_t compared;             /* flows present on both sides */
	uint64_t count[RD_NCHANGES];
	struct reachdiff_group *groups; /* in order of change, then first seen */
	size_t ngroups, cap;
	/* Names on one side only (pointers into the sets). */
	const char **sources_only[2], **dests_only[2]; /* [0] from, [1] to */
	size_t nsources_only[2], ndests_only[2], caps[4];
};

/* NULL when out of memory. */
struct reachdiff *reachdiff_compute(const struct reachset *from, const struct reachset *to);
/*
 * The same, restricted to the flows from or to a set of subnets (scope:
 * subnet ids, sorted by strcmp, nscope of them; `vnetsim diff --reach
 * --subnet/--nic`): a flow is compared when its source or its destination
 * is in scope.  A source or subnet destination on one side only is listed
 * when it is in scope; a prefix or Internet destination on one side only,
 * when a source of that side is.  scope NULL: every flow.
 */
struct reachdiff *reachdiff_compute_scoped(const struct reachset *from,
					   const struct reachset *to,
					   const char *const *scope, size_t nscope);
void reachdiff_destroy(struct reachdiff *d); /* NULL is a no-op */
/* Whether anything differs (a changed flow, a name on one side only). */
bool reachdiff_differs(const struct reachdiff *d);

#endif
