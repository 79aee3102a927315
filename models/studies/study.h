/*
 * study.h - what-if studies on a scenario (vnetsim sweep): the study (as
 * its file describes it), its baseline, the variants it asks for, and
 * (study_eval.h) the impact of one variant.
 *
 * A study starts from a baseline: the scenario replayed up to the study's
 * `at` (a checkpoint label or a time; later file events are left out), the
 * state computed once.  A variant injects events into that state (a
 * failure, maybe its repair) and resumes the run to the end of its window;
 * its impact comes from the timeline entries the resumed run appends.
 * Evaluating a variant mutates the baseline run: callers evaluate variants
 * in worker processes forked from the one holding the baseline
 * (tools/cli/sweep_exec.c), each of which puts its run back into the
 * baseline after every variant (study_rollback), so every variant sees
 * exactly the same baseline whatever the number of workers and whatever
 * was evaluated before it.
 *
 * The impact of a variant (black-hole, lost and changed time per subnet
 * and destination, and the score that ranks variants) is study_eval.h's;
 * the variants themselves, study_variant.h's.
 *
 * Monte-carlo run k draws its failures from a GSL mt19937 seeded with
 * study_run_seed(seed, k), so a run's result depends only on the study,
 * the scenario and k: never on the worker or shard that computed it.
 *
 * Ownership: a struct study is a plain value (its strings are its own,
 * freed by study_destroy); the commands fill it from a study file
 * (tools/cli/study_json.c), a test or a benchmark may fill it by hand.  A
 * base (study_prepare) borrows the study, the scenario and the diag, which
 * must outlive it, and owns its run, variants and index.  While a base
 * lives, the scenario's event list is cut to the baseline's events
 * (sc->nevents): destroy the base before using the scenario otherwise.
 * Costs: preparing is the replay up to the baseline plus a pass over the
 * baseline's rows (study.c); a variant costs what study_eval.c says.
 */
#ifndef STUDIES_STUDY_H
#define STUDIES_STUDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "prefix.h"

struct diag;
struct run;

enum study_kind { STUDY_ENUMERATE, STUDY_MONTE_CARLO, STUDY_CAPACITY };

/* Failure classes of an enumerate study (bit set). */
enum {
	STUDY_F_NVA = 1u << 0,         /* Route Server bgpConnections */
	STUDY_F_RS_INSTANCE = 1u << 1, /* ars/IN_0, ars/IN_1 */
	STUDY_F_GW_INSTANCE = 1u << 2, /* gateway instances */
	STUDY_F_CONNECTION = 1u << 3,  /* BGP connections (VPN, ExpressRoute) */
	STUDY_F_PEERING = 1u << 4,     /* VNet peering removal */
	STUDY_F_ROUTE_MAP = 1u << 5,   /* Route Server route map removal (RULES 1.10) */
	STUDY_F_ALL = (1u << 6) - 1,
};

/* Growth dimensions of a capacity study (bit set). */
enum {
	STUDY_G_SPOKES = 1u << 0,
	STUDY_G_VMS = 1u << 1,
	STUDY_G_NVA_ROUTES = 1u << 2,
	STUDY_G_ONPREM = 1u << 3,
	STUDY_G_ALL = (1u << 4) - 1,
};

#define STUDY_MAX_RUNS 1000000u /* per-run results are kept for the statistics */
#define STUDY_MAX_TARGETS 64u

/* A study as its file describes it (read by tools/cli/study_json.c); a
 * plain value: the one holding it frees it with study_destroy. */
struct study {
	char *file;
	enum study_kind kind;
	char *name;
	char *at;                     /* baseline: label or time text; NULL = after all events */
	int64_t at_ms;                /* at read as a time, -1 when it is none (a label only) */
	int64_t window_ms;            /* enumerate: observation window (default 30 min) */
	int64_t repair_ms;            /* enumerate: repair after this, -1 = never */
	unsigned failures;            /* enumerate: STUDY_F_* */
	bool silent, graceful;        /* enumerate: peerDown modes to try */
	bool detail;                  /* keep per-destination rows in outputs */
	bool rank_flows;              /* enumerate: rank by flows broken (study_reach.h) */
	/* monte-carlo */
	uint64_t runs, seed;
	int64_t horizon_ms;           /* simulated period per run (default 30 days) */
	double mtbf_s;                /* mean time between failures of each target */
	double repair_median_s, repair_sigma; /* lognormal repair time */
	bool mc_graceful;             /* failure mode (default silent) */
	bool keepalive_phase;         /* draw the phase of the last keepalive (default true) */
	char **targets;               /* bgpConnection ids; none = every NVA */
	size_t ntargets;
	/* capacity */
	unsigned grow;                /* STUDY_G_* */
	uint64_t max_steps;           /* per dimension */
};

/* A study of file with every default (an enumerate study of every failure
 * class and mode over 30 minutes; see the fields); NULL out of memory. */
struct study *study_create(const char *file);
void study_destroy(struct study *st); /* NULL is a no-op; frees every field */
const char *study_kind_name(enum study_kind k); /* "enumerate" ... */

/* The seed of monte-carlo run k (a SplitMix64 step of seed + k). */
uint64_t study_run_seed(uint64_t seed, uint64_t k);

struct study_base;

/* Replays sc up to the study's baseline and lists the variants.  Returns
 * 0, 2 (bad study for this scenario, reported on d) or 3 (memory). */
int study_prepare(const struct study *st, struct scenario *sc, struct diag *d,
		  struct study_base **out);
void study_base_destroy(struct study_base *b); /* NULL is a no-op */
size_t study_variant_count(const struct study_base *b);
/* "peerDown silent ars/nva1", "remove virtualNetworks/hub/...", "run 17". */
const char *study_variant_label(const struct study_base *b, size_t i);
const char *study_variant_class(const struct study_base *b, size_t i); /* "nva" ... "run" */
int64_t study_failure_ms(const struct study_base *b); /* when variants start */
/* Subnets of the baseline topology (ids and NIC counts) for results. */
size_t study_subnet_count(const struct study_base *b);
const char *study_subnet_id(const struct study_base *b, size_t s);
size_t study_subnet_nics(const struct study_base *b, size_t s);
/* Where runs report (a variant's rejected edit, for instance). */
struct diag *study_diag(const struct study_base *b);
/* The baseline run (replayed to the study's `at`). */
const struct run *study_run(const struct study_base *b);
/* Monte-carlo targets (bgpConnection ids), for per-failure rows. */
size_t study_target_count(const struct study_base *b);
const char *study_target(const struct study_base *b, size_t i);

/* Many variants in one process (tools/cli/sweep_exec.c's workers):
 * study_keep_baseline keeps the baseline's state (once, in the process
 * that will evaluate), and study_rollback(b, i), after study_eval(b, i),
 * puts the run back into it (models/replay/run_save.h), so the next
 * variant starts from exactly the baseline.  study_rollback returns 0, 1
 * when this run cannot be put back (an edit that replaced the topology, a
 * programming delay: evaluate nothing more with b, use a fresh process),
 * 3 out of memory (likewise).  study_keep_baseline: 0 or 3. */
int study_keep_baseline(struct study_base *b);
int study_rollback(struct study_base *b, size_t i);

/* The impact of a variant: study_eval.h. */
#include "study_eval.h"

#endif
