/*
 * effective.h - the effective routes of a subnet, as Azure lists them
 * (RULES 1.2 system routes, 1.3 gateway and Route Server routes, 1.4 User
 * routes, 1.6 the state of each row; the next hop of 1.7 is nexthop.h's).
 *
 * What it models: all NICs of a subnet share one table; a table is
 * computed per subnet and NICs map onto it.  The gateway/Route Server part
 * is shared too: a routing domain's programmed BGP routes are one
 * immutable, reference-counted `struct bgp_set` (bgpset.h), and each
 * subnet's table points at it with a short list of exceptions (entries
 * hidden under a VnetLocal/VNetPeering prefix, entries made Invalid by a
 * User row).  A 4,000-VM network with 12,000 BGP routes thus stores those
 * routes once per domain, not once per subnet.
 *
 * Invariants: a table is immutable once built (its next-hop lookup state
 * is a cache, nexthop.h); its rows are listed system first, then the
 * domain's, then User (the order real output shows); the view without
 * Route Server rows is the table those rows' absence would give (a
 * separate table when they decide a 0/0 side effect or a system row's
 * state).
 *
 * Ownership: tables are reference counted, so checkpoints share unchanged
 * ones, and eff_update's tables share their own rows with the table they
 * came from.  A table holds a reference to its domain set and owns copies
 * of every string it shows, so it outlives the topology it was computed
 * from.  Rows handed out point into the table (or its set): valid until
 * the table is released.
 *
 * Costs: eff_compute O(r log r) for its r own rows and O(k log n) to find
 * the exceptions among the n shared entries, never O(n); eff_update of a
 * change that touches no own row O((exceptions + changed) log n).
 */
#ifndef RULES_EFFECTIVE_H
#define RULES_EFFECTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpset.h"
#include "prefix.h"
#include "topology.h"

enum route_source { SRC_DEFAULT, SRC_USER, SRC_GATEWAY };
const char *route_source_name(enum route_source s); /* "Default" "User" "VirtualNetworkGateway" */

/* One row as Azure shows it. */
struct route_row {
	enum route_source source;
	bool active;
	enum nh_type nh;
	const struct prefix *prefixes; /* >1 only for service endpoint rows */
	size_t nprefixes;
	uint32_t nh_ip;
	bool has_nh_ip;
	bool from_route_server;        /* gateway rows programmed by the Route Server */
	enum tag_scope tag;            /* User rows from a service tag route */
	const char *name;              /* UDR name, NULL otherwise */
	const char *rt_name;           /* route table of a User row, NULL otherwise */
};

struct eff_table;

/* Everything a subnet's table depends on; built by the caller (the run) from
 * the topology and the domain's bgp_set (NULL when the subnet gets none). */
struct eff_input {
	const struct topology *topo;
	const struct subnet *subnet;
	const struct prefix_list *none_set; /* platform None prefixes (RULES 1.2.3) */
	struct bgp_set *bgp;           /* the domain's routes; ignored if propagation is off */
	/* Also compute the view of a NIC beyond Route Server capacity, when
	 * it differs from dropping the Route Server rows (eff_row and
	 * eff_next_hop with without_rs). */
	bool no_rs_view;
};

struct eff_table *eff_compute(const struct eff_input *in);
struct eff_table *eff_ref(struct eff_table *t);
void eff_unref(struct eff_table *t); /* NULL is a no-op */
bool eff_equal(const struct eff_table *a, const struct eff_table *b);
/* The table for `in` when it differs from old only in the domain's set
 * (in->bgp), and only in the `changed` prefixes (sorted by prefix_compare,
 * as domain_update returns them): unless one of them can change old's own
 * rows, the new table shares them and only its BGP exceptions are
 * computed, O(rows log n).  Otherwise eff_compute(in). */
struct eff_table *eff_update(struct eff_table *old, const struct eff_input *in,
			     const struct prefix *changed, size_t n);

/* Rows in display order: system and gateway rows first, User rows last (the
 * order real output shows, RULES E3.4).  Hidden BGP rows are not rows.
 * without_rs drops Route Server rows (a NIC beyond Route Server capacity). */
size_t eff_row_count(const struct eff_table *t, bool without_rs);
/* Iteration: start from a zeroed struct eff_iter; returns false at the end.
 * The row is valid until the table is released. */
struct eff_iter {
	int phase;                     /* 0 system rows, 1 gateway rows, 2 User rows */
	size_t i, j;                   /* row, or entry and next hop */
	/* Phase 1: entry i as read from the set, so that its rows cost no
	 * call each (NULL: not read yet). */
	const struct prefix *p;
	struct bgp_set_rows rows;
	uint8_t exc;                   /* its exception kind in this table */
	size_t n;                      /* entries of the set */
};
bool eff_row(const struct eff_table *t, bool without_rs, struct eff_iter *it, struct route_row *row);
bool eff_disable_bgp(const struct eff_table *t);
/* Whether a and b hold the same own rows (one was eff_update'd from the
 * other without recomputing them): they then differ only in BGP rows. */
bool eff_same_own_rows(const struct eff_table *a, const struct eff_table *b);
/* The rows whose (first) prefix is exactly p, as eff_row would list them;
 * writes up to max, returns how many there are.  Service endpoint rows
 * are left out (they never change with BGP).  O(own rows + log n). */
size_t eff_rows_with_prefix(const struct eff_table *t, struct prefix p, bool without_rs,
			    struct route_row *out, size_t max);
/* Whether the table lists BGP rows for exactly p (its domain has p and p
 * is not hidden under a VnetLocal or peering prefix).  O(log n). */
bool eff_bgp_listed(const struct eff_table *t, struct prefix p);

/* eff_rows_with_prefix for many prefixes in increasing order (prefix_compare),
 * with cursors that only move forward: start a walk on a table, ask for
 * each prefix in turn (a prefix lower than the last one is answered too,
 * by starting over), fini once to free.  A walk may be started again on
 * another table, reusing its buffer; a zeroed struct is a valid unstarted
 * walk.  The table must outlive the walk's use of it. */
struct eff_walk_own;
struct eff_walk {
	const struct eff_table *t;     /* the table walked (its no_rs view if asked) */
	bool without_rs;               /* drop Route Server rows of the domain's set */
	struct eff_walk_own *own;      /* own rows by prefix, no service endpoint rows */
	size_t nown, owncap;
	size_t own_at, bgp_at, exc_at; /* cursors: first position not below last */
	struct prefix last;            /* the last prefix asked for */
};
int eff_walk_start(struct eff_walk *w, const struct eff_table *t, bool without_rs);
size_t eff_walk_rows(struct eff_walk *w, struct prefix p, struct route_row *out, size_t max);
void eff_walk_fini(struct eff_walk *w);

/* A bound on the prefixes whose rows (as eff_row lists them with the
 * Route Server rows) differ between a and b, without reading the domain's
 * rows: when a and b show the same domain set object, their rows can
 * differ only in their own rows' prefixes and in the entries one of them
 * shows differently (hidden, Invalid); when they show different sets
 * (either may be NULL), in their own rows' prefixes, in the entries with
 * an exception in either, and in sets_differ: where the two sets differ,
 * as bgp_set_diff gives it (NULL: not known, no bound).  Returns 1 with
 * that superset in *out (sorted, unique; the caller frees it), 0 for no
 * bound (a or b NULL, or different sets without sets_differ): diff the
 * rows.  -1 out of memory. */
int eff_diff_bound(const struct eff_table *a, const struct eff_table *b,
		   const struct prefix *sets_differ, size_t nsets_differ, struct prefix **out,
		   size_t *nout);
/* Whether t's rows of the prefixes scope[0..n) (sorted, as eff_walk_rows
 * lists them in view without_rs) are its domain set's alone: no own row
 * has one of those prefixes and no exception is at one (no is also the
 * answer for an exception that shows nothing different, an entry hidden
 * whose rows the view drops anyway: callers then diff).  Then *set and
 * *set_without_rs say which set and view those rows come from: two tables
 * that answer the same show the same rows for the scope, whatever their
 * subnets (a BGP event's change, alike in hundreds of subnets).
 * O((own rows + exceptions) log n). */
bool eff_scope_set_only(const struct eff_table *t, bool without_rs, const struct prefix *scope,
			size_t n, const struct bgp_set **set, bool *set_without_rs);
/* Appends to *v (grown with sim/vec.h) the prefixes at which t's rows, as
 * eff_walk_rows lists them without without_rs, are not its domain set's
 * rows alone: its own rows' (service endpoint rows left out, as there)
 * and its entries' with an exception.  At any other prefix, two tables
 * that show the same set show the same rows: all of the set's entry, each
 * Active (a sweep evaluates a change once for all the subnets of a
 * domain, study_eval.c).  Unsorted, possibly repeated; NULL t adds none.
 * 0, or -1 out of memory (*v keeps what was added).  O(own rows +
 * exceptions). */
int eff_special_prefixes(const struct eff_table *t, struct prefix **v, size_t *n, size_t *cap);
/* The domain set t shows (NULL: none), to key a cache of bgp_set_diff. */
const struct bgp_set *eff_table_set(const struct eff_table *t);

/* Next hops of a table (eff_next_hop and the rest) are nexthop.h's; it is
 * included here so that a caller of tables has both. */
#include "nexthop.h"

#endif
