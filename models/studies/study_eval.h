/*
 * study_eval.h - the impact of one variant of a study (study.h): what the
 * failure did to each subnet's routes during the study's window.
 *
 * Impact, per subnet and destination prefix P (a prefix of an effective
 * route row of the subnet, service endpoint rows excepted), over the
 * window [failure time, failure time + window):
 *  - black-hole time: the time during which P's Active rows include a next
 *    hop IP that is down at that time (a crashed NVA's peerIp, a failed VPN
 *    gateway instance, a failed ExpressRoute connection's next hops, a
 *    failed VPN connection's gateway next hop for the prefixes it carried).
 *    With ECMP one dead next hop of several counts: the flows hashed to it
 *    are lost;
 *  - lost time: P had Active rows at the baseline and has none (traffic
 *    falls to a shorter prefix), or only `None` rows where it had others;
 *  - changed time: P's Active rows differ (next hop types and addresses)
 *    from the baseline's.
 * A variant's score is the sum over subnets and destinations of
 * (black-hole + lost) seconds times the subnet's NICs: NIC-seconds without
 * a working route.  Enumerate ranks variants by it.
 *
 * Invariants of a result: recs are sorted by (subnet, dest) and hold only
 * nonzero records; a folded result has one record per subnet (the longest
 * times of its destinations, and how many had each), and its score was
 * computed before folding, term by term as study_score adds them.
 * Ownership: a result owns recs and fails (study_result_fini).
 * Cost: see study_eval.c.
 */
#ifndef STUDIES_STUDY_EVAL_H
#define STUDIES_STUDY_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

struct study_base;

/* Impact of a variant on one subnet and destination, or (a folded result)
 * on one subnet: the longest times among its destinations and how many
 * destinations had each. */
struct study_record {
	uint32_t subnet;              /* study_subnet_id index */
	struct prefix dest;           /* unused when folded */
	int64_t bh_ms, lost_ms, changed_ms;
	uint32_t nbh, nlost, nchanged; /* destinations with nonzero times */
};

/* One drawn failure of a monte-carlo run, and how long it black-holed a
 * destination (the longest over subnets and destinations). */
struct study_failure {
	uint32_t target;              /* study_target index */
	int64_t at_ms, repair_ms;     /* start, duration drawn */
	int64_t phase_ms;             /* keepalive phase drawn (silent mode) */
	int64_t bh_ms;
};

struct study_result {
	uint64_t variant;
	int status;                   /* 0, or the run's status (2 rejected, 3 memory) */
	uint64_t session_losses;      /* sessions lost (hold expiry, peer down, limit drop) */
	double unprog_vm_s;           /* VM-seconds beyond Route Server capacity in the window */
	double score;                 /* study_score, NIC-seconds */
	uint64_t flows_broken;        /* rank_flows: flows broken at the window's end */
	struct study_record *recs;    /* sorted by subnet, dest; only nonzero ones */
	size_t nrecs;
	bool folded;                  /* one record per subnet (enumerate without detail) */
	struct study_failure *fails;
	size_t nfails;
};

/* Evaluates variant i on the baseline.  MUTATES the baseline: call it in
 * a process forked for the purpose (or once, then destroy the base).
 * Returns 0, or 3 out of memory; a variant the run rejects gives 0 with
 * out->status set. */
int study_eval(struct study_base *b, size_t i, struct study_result *out);
/* study_eval with every subnet evaluated on its own, none of its records
 * taken from another subnet's (study_eval.c, "the part of a change that
 * subnets share"): the same result, slower; the oracle of the unit tests. */
int study_eval_alone(struct study_base *b, size_t i, struct study_result *out);
void study_result_fini(struct study_result *res);

/* Score (NIC-seconds, see the header) of a result.  A folded result keeps
 * its score (computed before folding) in score. */
double study_score(const struct study_base *b, const struct study_result *res);

#endif
