/*
 * validate.h - validation that follows the timeline (RULES 2.2): every
 * event of a scenario is judged against the topology as the events before
 * it in time leave it, not against the topology at time 0.
 *
 * What it models: `vnetsim check` and `vnetsim run` apply the same rules,
 * so a file check accepts is never refused by run.  The scenario loader
 * calls validate_timeline once the events are read: it replays the
 * configuration edits (add, set, remove) in time order on a copy of the
 * topology JSON, loading the topology each one leaves exactly as the run
 * does (validate_load_edited, which run_edit.c uses too), and checks the
 * references of the BGP and instance events against the topology of their
 * moment.  It computes no routes.
 *
 * An invalid edit is reported and left out (the run would stop there): the
 * events after it are judged against the topology without it, so one check
 * lists every problem.
 *
 * Invariants: the scenario is not changed; the messages are the run's own
 * (the event's JSON path, the time, what is wrong).
 * Ownership: the working JSON copy and the topologies it loads are freed
 * before validate_timeline returns; the scenario's initial topology is
 * only referenced.
 * Costs: a route table or peering edit reloads that object in place
 * (topo_reload_route_table, topo_reload_peerings), any other edit loads
 * the whole topology once (the first edit also does, to own a copy); other
 * events are O(log) name lookups.
 */
#ifndef REPLAY_VALIDATE_H
#define REPLAY_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct diag;
struct event;
struct jin;
struct scenario;
struct topology;

/* Judges s's events (sorted) in time order, reporting through j (whose
 * path is "$").  false when memory ran out (then an error says so). */
bool validate_timeline(struct jin *j, const struct scenario *s);

/* The topology of json, the `topology` object after the edit e at now,
 * loaded as the scenario's own (path $.topology, the scenario's tags, prev
 * keeping dynamic addresses).  NULL when it is invalid: its errors are
 * re-issued into d naming e ("$.events[N]"), or, with *oom set and nothing
 * reported, when memory ran out. */
struct topology *validate_load_edited(const struct scenario *sc, const cJSON *json,
				      const struct topology *prev, const struct event *e,
				      int64_t now, struct diag *d, bool *oom);

/* Reports into d that edit_begin refused e at now with message err. */
void validate_edit_refused(const struct scenario *sc, const struct event *e, int64_t now,
			   const char *err, struct diag *d);

/* Whether a message of the loader or of edit_begin says memory ran out
 * (they report it as a message, "out of memory ..."): then the caller stops
 * with an environment failure, not an invalid configuration. */
bool validate_says_out_of_memory(const char *msg);

#endif
