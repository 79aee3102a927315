/*
 * study_diff.h - which destination prefixes' rows differ between two
 * effective-route tables, as the impact evaluation compares rows
 * (study_eval.c): a configuration edit's timeline entry has no scope, so
 * the prefixes it can have changed come from its before and after tables.
 *
 * A row is reduced to a key (struct study_diff_key): its prefix, and
 * whether it is Active with its next hop type and address, packed so that
 * integer order is prefix_compare's order, then the row's.  Rows with more
 * than one prefix and service endpoint rows are left out: no failure
 * changes them (as eff_rows_with_prefix).  Two tables differ at a prefix
 * when its sorted keys differ.
 *
 * Two ways, cheapest first:
 *  - study_diff_bounded: eff_diff_bound names the few prefixes that can
 *    differ (a peering edit that leaves the domain's routes alone: a dozen
 *    prefixes, not 17,000 rows); when the tables show different domain
 *    sets, where the sets differ (bgp_set_diff, cached in struct
 *    study_diff_sets: every subnet of a domain shows the same pair);
 *  - study_diff_rows: every row of both tables, as sorted keys (which the
 *    caller keeps to look rows up afterwards), merged in one pass.
 *
 * Ownership: the key and prefix arrays are the caller's (zero-initialised
 * = empty, grown with sim/vec.h, freed with free()); a study_diff_sets
 * cache owns its differences until study_diff_sets_fini.
 * Costs: study_diff_rows O(rows log rows) per table (sorting the few rows
 * out of prefix order only, see the .c); study_diff_bounded O(bound x rows
 * of a prefix) plus one bgp_set_diff per new pair of sets.
 */
#ifndef STUDIES_STUDY_DIFF_H
#define STUDIES_STUDY_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "effective.h"
#include "prefix.h"

#define STUDY_MAX_ROWS 64            /* rows of one prefix that are compared */

/* A row as the evaluation compares it (see the header). */
struct study_diff_key {
	uint64_t p;                    /* study_diff_pkey(prefix) */
	uint64_t hop;                  /* active << 40 | next hop type << 32 | next hop IP */
};

struct study_diff_keys {
	struct study_diff_key *v;      /* sorted by (p, hop) once filled */
	size_t n, cap;
};

struct study_diff_prefixes {
	struct prefix *v;
	size_t n, cap;
};

#define STUDY_DIFF_SETS 4

/* The differences of the last few pairs of domain sets seen. */
struct study_diff_sets {
	struct {
		const struct bgp_set *a, *b;
		struct prefix *v;      /* NULL: slot free */
		size_t n;
	} slot[STUDY_DIFF_SETS];
	size_t next;                   /* the slot replaced next */
};

static inline uint64_t study_diff_pkey(struct prefix p)
{
	return (uint64_t)p.addr << 8 | p.len;
}

static inline uint64_t study_diff_hop(bool active, enum nh_type nh, uint32_t ip)
{
	return (uint64_t)(active ? 1 : 0) << 40 | (uint64_t)nh << 32 | ip;
}

/* The rows of t (NULL: none) as sorted keys in out; own is scratch.
 * 0, or -1 out of memory. */
int study_diff_keys(const struct eff_table *t, struct study_diff_keys *out,
		    struct study_diff_keys *own);

/* Appends to out the prefixes whose rows differ between a and b, leaving
 * their sorted keys in ka and kb.  0, or -1 out of memory. */
int study_diff_rows(const struct eff_table *a, const struct eff_table *b,
		    struct study_diff_keys *ka, struct study_diff_keys *kb,
		    struct study_diff_prefixes *out);

/* study_diff_rows without reading whole tables, when eff_diff_bound gives
 * a bound: appends the prefixes of the bound whose rows differ.  walks[0]
 * and walks[1] are scratch.  1 done, 0 no bound (use study_diff_rows), -1
 * out of memory. */
int study_diff_bounded(const struct eff_table *a, const struct eff_table *b,
		       struct eff_walk *walks, struct study_diff_sets *sd,
		       struct study_diff_prefixes *out);

/* study_diff_bounded's answer at the prefixes of a's and b's own rows
 * and exceptions only, leaving out where their domain sets differ (a
 * caller that evaluates those once for every table showing the same pair
 * of sets, study_eval.c): appends the ones whose rows differ.  a and b
 * not NULL; walks[0] and walks[1] are scratch.  0, or -1 out of memory. */
int study_diff_own(const struct eff_table *a, const struct eff_table *b, struct eff_walk *walks,
		   struct study_diff_prefixes *out);

void study_diff_sets_fini(struct study_diff_sets *sd);
/* Where sets a and b differ (bgp_set_diff), from the cache or computed and
 * kept there (also for `vnetsim run`'s timeline: every subnet of a domain
 * shows the same pair at one event).  NULL out of memory. */
const struct prefix *study_diff_sets_get(struct study_diff_sets *sd, const struct bgp_set *a,
					 const struct bgp_set *b, size_t *n);

#endif
