/*
 * study_reach.h - flows broken by a variant of a study (RULES 1.11.7):
 * the reachability matrix at the end of the variant's window compared with
 * the baseline's, for sweeps ranked by flows (`sweep --rank-by flows`)
 * rather than by routes changed.
 *
 * What it models: the baseline matrix is computed once (study_reach_base,
 * in study_prepare, while the run is at the baseline, so that the BGP
 * speakers are in that state).  A variant's matrix uses, per subnet of the
 * baseline topology, the table its last timeline entry in the window left
 * (the baseline's when none), and the speakers as the window ends (which
 * NVA is still down, what each advertises).  A flow broke when it was
 * delivered at the baseline and is partly dropped, dropped or looped at the
 * end of the window: the lasting damage, not a transient one the window
 * repaired.
 *
 * Ownership: the base owns its matrix (study_base_destroy).
 * Costs: one `vnetsim reach` and one reachdiff per variant, only when
 * flows are ranked (README "Sweeps" has the measurement on ref-4k).
 */
#ifndef STUDIES_STUDY_REACH_H
#define STUDIES_STUDY_REACH_H

#include <stddef.h>
#include <stdint.h>

struct study_base;

/* The baseline matrix, into b.  0, or 3 out of memory. */
int study_reach_base(struct study_base *b);
/* Flows the variant broke; first/ents: the window's timeline entries per
 * baseline subnet, in time order (study_eval.c's group_entries).  0, or -1
 * out of memory. */
int study_reach_broken(const struct study_base *b, const size_t *first, const size_t *ents,
		       uint64_t *broken);

#endif
