/*
 * run.h - replaying a scenario on the discrete-event engine (RULES 2.2, 3).
 * The implementation is five modules sharing run_int.h: run.c (the core),
 * run_bgp.c (BGP events), run_capacity.c (Route Server capacity, RULES
 * 1.8), run_edit.c (configuration edits), run_expect.c (expectations).
 *
 * A run owns the current topology, the BGP speakers' state, one shared
 * bgp_set per routing domain and one effective-route table per subnet.
 * File events and model timers (hold expiry, connect retry, route
 * programming, Route Server scale-out) are engine events.  A BGP event
 * decides again only the prefixes it touched and updates only the subnets
 * of that domain; a configuration edit recomputes only the domains and
 * subnets the edited object can reach (a route table: its subnets; a VNet:
 * its subnets and its peers'), keeping the tables that come out equal.  A
 * route table or spoke peering edit while no checkpoint holds the topology
 * changes it in place; other edits load the edited topology again.  Every change of a
 * subnet's table is appended to the timeline.
 * Checkpoints keep references to the tables and topology they saw, so
 * unchanged tables are shared between checkpoints.
 *
 * Ownership: the caller keeps the scenario and the diagnostics collector
 * alive until run_destroy; everything the accessors return (checkpoints,
 * timeline entries, session events, their strings and tables) belongs to
 * the run and lives until run_destroy.
 * Errors: out of memory is never partial success: run_create returns NULL,
 * run_execute and run_resume 3, and nothing read afterwards is promised
 * (tests/unit/replay/test_run_oom.c).
 */
#ifndef REPLAY_RUN_H
#define REPLAY_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "effective.h"
#include "scenario.h"

struct diag;
struct run;
struct speakers;

struct checkpoint {
	const char *label;             /* "start", "end", a scenario label or a probe */
	int64_t at_ms;
	struct topology *topo;         /* the topology in force (a reference) */
	struct eff_table **tables;     /* per topo->subnets index */
	bool *nic_unprogrammed;        /* per topo->nics index, NULL when none is */
	size_t nunprogrammed;
};

/* One change of effective routes, seen by a group of NICs of one subnet
 * that share their view before and after it: the subnet's table, or the
 * table without Route Server routes for NICs beyond Route Server capacity
 * (RULES 1.8).  A change seen both ways is two entries; a scale-out that
 * brings NICs back is an entry with the same table and the view changed. */
struct timeline_entry {
	int64_t at_ms;
	const char *subnet;            /* "vnet/subnet" */
	size_t nics;                   /* NICs that see the change (0: the subnet has none) */
	const char *const *nic_names;  /* their names, in subnet order */
	struct eff_table *before, *after; /* NULL when the subnet appeared / went away */
	bool before_without_rs, after_without_rs; /* the NICs' view on each side */
	const char *cause;             /* "advertise ars/nva1", "hold timer ars/nva1", ... */
	/* When non-NULL, before and after differ only in rows of these
	 * prefixes (sorted): a diff needs to look at nothing else. */
	const struct prefix *scope;
	size_t nscope;
	/* When non-NULL, the change came from these prefixes of the domain's
	 * BGP routes (sorted), even when own rows changed too: then only rows
	 * of these prefixes, 0.0.0.0/0 and the platform None prefixes can
	 * differ (RULES 1.6.2-1.6.5). */
	const struct prefix *bgp_scope;
	size_t nbgp_scope;
};

/* One line of what happened to BGP sessions, for the summary. */
struct session_event {
	int64_t at_ms;
	const char *peer;
	const char *what;              /* "session dropped: 1001 prefixes > limit 1000" ... */
};

struct run *run_create(struct scenario *sc, struct diag *d);
void run_destroy(struct run *r); /* NULL is a no-op */
/* An extra checkpoint at a time (for --at 90s).  Before run_execute. */
int run_add_probe(struct run *r, int64_t at_ms, const char *label);
/* Stop the replay as soon as the checkpoint `label` ("start", a scenario
 * label or a probe's) is taken: the run's state (speakers, topology) is then
 * the state at that checkpoint, and no "end" checkpoint is taken.  Before
 * run_execute. */
void run_stop_after(struct run *r, const char *label);
/* Called after every file event is applied (benchmarks time events with it). */
typedef void (*run_event_hook)(void *ctx, const struct event *e, int64_t now_ms);
void run_set_event_hook(struct run *r, run_event_hook fn, void *ctx);
/* Called right after each checkpoint is taken (start, labels, probes, end)
 * while the run is in that moment's state (BGP speakers included): `run
 * --db` computes each checkpoint's reachability there.  Non-zero from the
 * hook stops the run as out of memory.  Before run_execute. */
typedef int (*run_checkpoint_hook)(void *ctx, const struct run *r, const struct checkpoint *c);
void run_set_checkpoint_hook(struct run *r, run_checkpoint_hook fn, void *ctx);
/* Replays everything.  0 ok; 2 an edit was invalid (diagnostics say which,
 * the run stopped there); 3 out of memory. */
int run_execute(struct run *r);
/* What-if studies (models/studies/study.c): after run_execute, inject events (each
 * must outlive the run; at_ms >= run_end_ms) and resume: runs the injected
 * events and the timers they start, up to and including until_ms, while
 * foreground work remains (retries do not keep it going).  Returns as
 * run_execute; no checkpoint is taken. */
int run_inject(struct run *r, struct event *e);
int run_resume(struct run *r, int64_t until_ms);

size_t run_checkpoint_count(const struct run *r);
const struct checkpoint *run_checkpoint_get(const struct run *r, size_t i);
const struct checkpoint *run_checkpoint(const struct run *r, const char *label);
size_t run_timeline_count(const struct run *r);
const struct timeline_entry *run_timeline_get(const struct run *r, size_t i);
size_t run_session_event_count(const struct run *r);
const struct session_event *run_session_event_get(const struct run *r, size_t i);
const struct speakers *run_speakers(const struct run *r);
const struct topology *run_topology(const struct run *r);
int64_t run_end_ms(const struct run *r);
/* NIC-milliseconds spent beyond Route Server capacity (RULES 1.8: NICs
 * left unprogrammed until a scale-out completes) from the start of the run
 * to until_ms, a time not before the run's latest event. */
uint64_t run_unprogrammed_nic_ms(const struct run *r, int64_t until_ms);
size_t run_events_processed(const struct run *r);
/* Subnet tables computed so far (eff_compute or eff_update), the start
 * included: what tests check incremental work with. */
size_t run_subnets_recomputed(const struct run *r);
/* Edits recompute every domain and subnet instead of what they reach (the
 * reference the incremental path is tested against).  Before run_execute. */
void run_set_full_recompute(struct run *r, bool on);
/* Let peering edits change the topology in place even while checkpoints
 * hold it.  Those checkpoints then see the edited
 * topology (their tables stay as they were): only for a run whose
 * checkpoints' topologies are not read again, such as a sweep variant
 * evaluated in a process of its own (models/studies/study.c). */
void run_allow_shared_in_place(struct run *r);

/* The table a NIC or subnet had at a checkpoint.  *without_rs tells whether
 * Route Server rows must be dropped (a NIC beyond Route Server capacity). */
const struct eff_table *checkpoint_subnet_table(const struct checkpoint *c, const char *subnet_id);
const struct eff_table *checkpoint_nic_table(const struct checkpoint *c, const char *nic,
					     bool *without_rs);

/* Expectations (RULES 2.3).  Returns the number failed; each failure is
 * reported through fail(ctx, expectation, message). */
size_t run_check_expectations(const struct run *r,
			      void (*fail)(void *ctx, const struct expectation *x, const char *msg),
			      void *ctx);

#endif
