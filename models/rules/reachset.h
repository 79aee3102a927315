/*
 * reachset.h - a reachability matrix (RULES 1.11) by name: what
 * `vnetsim diff --reach` compares and the results store keeps, with no
 * pointer into a topology, so that two checkpoints, two scenarios or two
 * stored runs can be compared after their topologies are gone.
 *
 * What it holds: the source subnets ("vnet/subnet") in topology order, the
 * destinations (kind and name: a subnet id, a prefix, "Internet"), the
 * distinct outcomes in words (verdict, paths, appliances crossed, ends),
 * and the flows as spans: per source, runs of consecutive destinations
 * with one cell (outcome * 4 + return symmetry, as in reach.h).  ref-4k:
 * 401 sources x 12,402 destinations are ~86,000 spans and ~70 outcomes.
 *
 * Invariants (reachset_seal checks them, for data read back from a file):
 * spans are in (source, first) order, do not overlap, cover every
 * destination of every source, and name existing outcomes.
 * Ownership: the set owns every string (copied in) and array.
 * Costs: building is O(spans); reachset_row is O(log spans + destinations).
 */
#ifndef RULES_REACHSET_H
#define RULES_REACHSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reach.h"

struct reachset_dest {
	enum reach_kind kind;
	const char *name;              /* subnet id, prefix ("10.0.0.0/16"), "Internet" */
};

struct reachset_outcome {
	enum trace_verdict verdict;
	unsigned paths, ok;
	const char *appliances;        /* names joined by ", ", "-" for none */
	const char *ends;              /* reach_result_ends's words */
};

struct reachset_span {
	uint32_t source, first, last;  /* destinations first..last inclusive */
	uint32_t cell;                 /* outcome * 4 + enum reach_sym */
};

struct reachset {
	const char **sources;
	size_t nsources;
	struct reachset_dest *dests;
	size_t ndests;
	struct reachset_outcome *outcomes;
	size_t noutcomes;
	struct reachset_span *spans;
	size_t nspans;
	struct reachset_priv *priv;    /* capacities and the string arena */
};

/* An empty set; NULL when out of memory. */
struct reachset *reachset_create(void);
void reachset_destroy(struct reachset *rs); /* NULL is a no-op */
/* Appends; strings are copied.  0, or -1 out of memory. */
int reachset_add_source(struct reachset *rs, const char *id);
int reachset_add_dest(struct reachset *rs, enum reach_kind kind, const char *name);
int reachset_add_outcome(struct reachset *rs, const struct reachset_outcome *o);
int reachset_add_span(struct reachset *rs, struct reachset_span sp);
/* Checks the invariants above: 0, or -2 with why (into msg) when broken. */
int reachset_seal(const struct reachset *rs, char *msg, size_t len);

/* The set of a computed matrix; NULL when out of memory. */
struct reachset *reachset_from_reach(const struct reach *r);

/* Source s's cells, one per destination, into cells (ndests entries). */
void reachset_row(const struct reachset *rs, size_t s, uint32_t *cells);
/* Flows whose verdict is not delivered. */
uint64_t reachset_failing(const struct reachset *rs);
/* "subnet", "on-premises", "appliance", "internet" back to the kind: -1
 * when unknown. */
int reachset_kind_parse(const char *s);
/* A verdict's name back to it: -1 when unknown. */
int reachset_verdict_parse(const char *s);

#endif
