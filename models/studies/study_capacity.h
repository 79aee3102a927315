/*
 * study_capacity.h - capacity studies: how far each Azure limit is from
 * biting at the study's baseline, and after how many growth steps of each
 * kind it bites, found by replaying the grown network.
 *
 * The baseline (the scenario replayed to the study's `at`) gives what each
 * limit counts today.  A step of a dimension grows the network itself
 * (models/studies/grow.h: a spoke copied, a VM, a prefix per NVA, a prefix per BGP
 * connection); the grown scenario is loaded and validated like user input
 * and replayed to the same `at`, and the same measuring function counts
 * each limit again.  A limit bites at step s when the count at s is above
 * the limit and the count at s - 1 is not, or when the loader rejects the
 * grown network at s for that limit (routes per route table: Azure refuses
 * the 401st route).
 *
 * Search, per limit and dimension: the linear estimate from the baseline
 * (floor((limit - used) / per_step) + 1) is the first probe; then a
 * galloping search brackets the step and a bisection finds it.  Counts grow
 * monotonically with steps (grow.h), and so does "cannot grow" (address
 * space exhausted, subnets full, a rejected network): a search that ends on
 * a step the network cannot reach reports that step and why instead of a
 * bite.  Replays are cached per dimension and step (limits share them) and
 * bounded by the study's maxSteps and STUDY_CAP_MAX_REPLAYS.
 * The limits are RULES 1.8, 1.9 and RULES E2.4 and E6.2.
 *
 * Ownership: a result owns its limits and its points (each point's counts),
 * freed by study_capacity_fini; limit names are static text.  Invariants of
 * a result: points[d] are sorted by step, one per grown network that ran;
 * each point's used[] is indexed like limits (NAN where the grown network
 * lacks the limit's object).  Costs: one baseline replay, then at most
 * STUDY_CAP_MAX_REPLAYS grown networks, each loaded and replayed whole.
 */
#ifndef STUDIES_STUDY_CAPACITY_H
#define STUDIES_STUDY_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "study.h"

#define STUDY_NDIM 4                 /* spokes, vms, nvaRoutes, onPremPrefixes */
#define STUDY_CAP_MAX_REPLAYS 256    /* grown networks replayed per study, all dimensions */
#define STUDY_CAP_NOTE 240

struct study_limit {
	const char *name;            /* "routes per BGP peer" (static) */
	char scope[96];              /* "ars/nva1", "hub", ... */
	double used, limit;
	double per_step[STUDY_NDIM]; /* linear estimate: growth of `used` per step */
	int64_t estimate[STUDY_NDIM];/* linear estimate of the bite step; -1: never */
	int64_t bites_at[STUDY_NDIM];/* replayed: first step above the limit; 0 already
					above; -1 not found (see note) */
	char note[STUDY_NDIM][STUDY_CAP_NOTE]; /* what the replay at the bite showed, or why
						  no bite was found; "" when nothing to say */
	char reject_path[64];        /* JSON path of a loader error that is this limit
					biting ("" when the loader does not enforce it) */
};

/* One replayed grown network: the count of each limit (NAN when the grown
 * network lacks the limit's object). */
struct study_point {
	uint64_t step;
	double *used;                /* per study_capacity_result.limits index */
};

struct study_capacity_result {
	struct study_limit *limits;
	size_t nlimits;
	struct study_point *points[STUDY_NDIM]; /* replays that ran, by step */
	size_t npoints[STUDY_NDIM];
	size_t replays;              /* grown networks built (run or not) */
};

const char *study_dim_name(unsigned dim); /* "spokes" ... */

/* Measures the limits at the study's baseline and finds each bite by
 * replay.  0, 2 (reported on d), 3 (memory). */
int study_capacity(const struct study *st, struct scenario *sc, struct diag *d,
		   struct study_capacity_result *out);
/* The same, telling tick(ctx, done, total) after each search of a limit
 * along a dimension (total: limits x dimensions grown), so a long study
 * can show its progress.  tick may be NULL. */
typedef void study_capacity_tick(void *ctx, size_t done, size_t total);
int study_capacity_ticked(const struct study *st, struct scenario *sc, struct diag *d,
			  study_capacity_tick *tick, void *ctx, struct study_capacity_result *out);
void study_capacity_fini(struct study_capacity_result *res);

#endif
