/*
 * expect_reach.h - reachability facts as expectations (RULES 2.3, 1.10):
 * {"at", "from": NIC|"vnet/subnet", "to": IP, "result": "delivered" |
 * "partly dropped" | "dropped" | "looped", "via"?: [appliance addresses]}.
 *
 * What it models: the fact holds when a trace from `from` to `to` at the
 * checkpoint has that verdict and, when `via` is given, when the set of
 * appliance addresses its paths are sent to (trace_path_via, over every
 * path) is exactly that set.
 *
 * The trace needs the BGP speakers' state of that moment (which NVA is
 * down, what each advertised), which checkpoints do not keep: the check
 * replays the scenario again, stopped at the checkpoint (one replay per
 * reach expectation; scenarios with expectations are small).
 * Ownership: the parsed fact lives in the struct expectation (inline).
 */
#ifndef REPLAY_EXPECT_REACH_H
#define REPLAY_EXPECT_REACH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct expectation;
struct jin;
struct scenario;

/* Whether an expectation object is a reach fact (it has "result"). */
bool expect_reach_is(const cJSON *o);
/* Parses one into x (x->reach set); errors through j with JSON paths. */
void expect_reach_load(struct jin *j, const struct scenario *s, const cJSON *o,
		       struct expectation *x);
/* Checks x at its checkpoint: msg empty when it holds, else why not.
 * Returns 0, or -1 when out of memory (msg says so). */
int expect_reach_check(struct scenario *sc, const struct expectation *x, char *msg, size_t len);

#endif
