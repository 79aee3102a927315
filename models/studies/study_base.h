/*
 * study_base.h - the prepared study (struct study_base of study.h): the
 * data that study.c (the baseline), study_variant.c (the variants) and
 * study_eval.c (their impact) share, as SQLite's btreeInt.h is shared by
 * the b-tree's files.  Nothing outside models/studies includes it.
 *
 * Invariants, from study_prepare until study_base_destroy:
 *  - sc->nevents is cut to the file events at or before the baseline
 *    (saved_nevents is the real count, restored by study_base_destroy);
 *  - run has been replayed to the baseline; cp is its baseline checkpoint
 *    (tables and topology), owned by run;
 *  - v[0..nv) are the variants (study_variant.h), targets[] and tdead[]
 *    the monte-carlo targets (ntargets each, parallel);
 *  - idx[0..nidx) is sorted by (ip, prefix) and unique: every Active
 *    single-prefix row of the baseline whose next hop some variant can
 *    kill, as (next hop, prefix), whatever its subnet (BGP rows repeat in
 *    every subnet of a domain; the evaluation checks each subnet anyway).
 * Ownership: the base owns everything here but st, sc and diag (the
 * caller's, which must outlive it).
 */
#ifndef STUDIES_STUDY_BASE_H
#define STUDIES_STUDY_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "study.h"
#include "study_variant.h"

struct run_save;
struct reachset;
struct reach;

struct nh_ref {
	uint32_t ip;
	struct prefix p;
};

struct study_base {
	const struct study *st;
	struct scenario *sc;
	size_t saved_nevents;
	struct diag *diag;
	struct run *run;
	const struct checkpoint *cp;   /* the baseline: tables and topology */
	int64_t t_fail;                /* when variants start */
	struct variant *v;
	size_t nv, vcap;
	char **targets;                /* monte-carlo: peer ids (bgpConnection or connection) */
	struct dead_spec *tdead;       /* per target: what its failure kills */
	size_t ntargets;
	struct run_save *kept;         /* study_keep_baseline: the baseline's state, or NULL */
	struct nh_ref *idx;            /* see the header */
	struct reachset *reach_base;   /* st->rank_flows: the baseline matrix (study_reach.h) */
	struct reach *reach0;          /* and as computed (its destinations) */
	size_t nidx, idx_cap;
};

#endif
