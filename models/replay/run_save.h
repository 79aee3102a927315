/*
 * run_save.h - a run's state kept and put back: what lets one sweep worker
 * evaluate many variants on one baseline (models/studies/study.c), instead
 * of a process forked per variant.
 *
 * run_save_create keeps the state of a run that has been replayed (the
 * baseline); the caller then injects events and resumes (run_inject,
 * run_resume), and run_restore puts the run back where it was kept:
 * tables, domain sets, speakers, pending timers (the engine's queue with
 * its sequence counter, so ids and the order of ties are the same), Route
 * Server capacity, the timeline and session events cut back, counters.
 * What came after is replayed on exactly the state the kept run had, so a
 * variant's results do not depend on the variants evaluated before it
 * (tests/sweep compares them with a process per variant).
 *
 * What it can follow: BGP events and their timers, and configuration
 * edits made in place (a route table's routes, a VNet's peerings: the
 * edited object of the topology JSON is put back from a kept copy and
 * reloaded in place).  What it cannot: a topology replaced by an edit, a
 * checkpoint taken, programming delays (pending programs are consumed),
 * peers added, out of memory: run_restore then says so and the run must
 * be thrown away (the worker ends and a fresh one takes its place).
 *
 * Ownership: the save holds references to the tables and sets it kept and
 * copies of everything else; it belongs to the caller (run_save_destroy)
 * and must not outlive the run.  Costs: keeping is O(subnets + NICs +
 * routes in the speakers' RIBs + topology JSON); putting back is
 * O(subnets + NICs + pending timers + timeline entries cut) plus the RIBs
 * of the peers that changed and the objects edited.
 */
#ifndef REPLAY_RUN_SAVE_H
#define REPLAY_RUN_SAVE_H

#include <stddef.h>

struct run;
struct run_save;

/* r's state now (after run_execute).  NULL out of memory. */
struct run_save *run_save_create(struct run *r);
void run_save_destroy(struct run_save *s); /* NULL is a no-op */

/* Puts r back into the state s kept.  edited: the paths of the edits
 * injected since (duplicates allowed).  0 done; 1 the run went where this
 * cannot follow (see the header) and must be destroyed; -1 out of memory
 * (likewise). */
int run_restore(struct run *r, const struct run_save *s, const char *const *edited,
		size_t nedited);

#endif
