/*
 * study_capacity.h - capacity studies: how far each Azure limit is from
 * biting at the study's baseline, and after how many growth steps of each
 * kind it bites.
 *
 * The baseline (the scenario replayed to the study's `at`) gives what each
 * limit counts today; one growth step of a dimension adds what the
 * baseline shows one more unit brings:
 *   spokes          one more spoke like the average spoke of the domain
 *                   (its VMs, one hub peering, one VNet, its address space);
 *   vms             one more VM in the Route Server's domain;
 *   nvaRoutes       one more distinct prefix from every NVA;
 *   onPremPrefixes  one more prefix on every BGP connection.
 * Counts grow linearly with steps, so the step at which a limit bites is
 * floor((limit - used) / per_step) + 1 (0 when already above).  The limits
 * are SPEC 1.8, 1.9 and reference sections 2.4 and 6.2.
 */
#ifndef MODELS_STUDY_CAPACITY_H
#define MODELS_STUDY_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "models/scenario.h"
#include "models/study.h"

#define STUDY_NDIM 4                 /* spokes, vms, nvaRoutes, onPremPrefixes */

struct study_limit {
	const char *name;            /* "routes per BGP peer" (static) */
	char scope[96];              /* "ars/nva1", "hub", ... */
	double used, limit;
	double per_step[STUDY_NDIM]; /* growth of `used` per step of each dimension */
	int64_t bites_at[STUDY_NDIM];/* steps until it bites; -1: that growth never reaches it */
};

const char *study_dim_name(unsigned dim); /* "spokes" ... */

/* Measures the limits at the study's baseline.  0, 2 (reported on d), 3. */
int study_capacity(const struct study *st, struct scenario *sc, struct diag *d,
		   struct study_limit **out, size_t *n);

#endif
