/*
 * effective.h - effective routes of a subnet (SPEC 1.2-1.4, 1.6, 1.7).
 *
 * All NICs of a subnet share one table; a table is computed per subnet and
 * NICs map onto it.  The gateway/Route Server part is shared too: a routing
 * domain's programmed BGP routes are one immutable, reference-counted
 * `struct bgp_set`, and each subnet's table points at it with a short list
 * of exceptions (rows hidden under a VnetLocal/VNetPeering prefix, rows made
 * Invalid by a User row).  A 4,000-VM network with 12,000 BGP routes thus
 * stores those routes once per domain, not once per subnet.
 *
 * Tables are immutable once built and reference counted, so checkpoints
 * share unchanged tables; they own copies of every string they show, so
 * they outlive the topology they were computed from.
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
	const struct prefix_list *none_set; /* platform None prefixes (SPEC 1.2.3) */
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
 * order real output shows, reference 3.4).  Hidden BGP rows are not rows.
 * without_rs drops Route Server rows (a NIC beyond Route Server capacity). */
size_t eff_row_count(const struct eff_table *t, bool without_rs);
/* Iteration: start from a zeroed struct eff_iter; returns false at the end.
 * The row is valid until the table is released. */
struct eff_iter {
	int phase;                     /* 0 system rows, 1 gateway rows, 2 User rows */
	size_t i, j;                   /* row, or entry and next hop */
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

/* SPEC 1.7 next hop for a destination. */
struct next_hop {
	bool found;                    /* false: no route at all (cannot happen with 0/0) */
	enum nh_type nh;
	uint32_t nh_ip;
	bool has_nh_ip;
	const char *route_table;       /* User row: its table; NULL = "System Route" */
	struct prefix matched;
};
/* A table looked up often (more than a thousand times) answers from two
 * flat range tables derived once: one over its own rows (shared with the
 * tables eff_update derives from it) and one over its domain's set
 * (shared by every table of the domain, per view with or without Route
 * Server rows), in a few ns; until then eff_next_hop_rules answers.  Both
 * always agree. */
static inline struct next_hop eff_next_hop(const struct eff_table *t, uint32_t dst,
					   bool without_rs);
/* eff_next_hop's answer in two words, which a call returns in registers
 * (a struct next_hop goes through memory): the route table, and the rest
 * packed as below.  The matched prefix's address is the destination masked
 * to the matched length. */
struct eff_hop_word {
	const char *route_table;
	uint64_t w;                    /* nh_ip | nh << 32 | len << 40 | found, has_nh_ip */
};
#define EFF_HOP_NH_SHIFT 32
#define EFF_HOP_LEN_SHIFT 40
#define EFF_HOP_FOUND ((uint64_t)1 << 46)
#define EFF_HOP_HAS_IP ((uint64_t)1 << 47)
struct eff_hop_word eff_next_hop_word(const struct eff_table *t, uint32_t dst, bool without_rs);
/* The reference: the answer computed from the rows and the domain's set at
 * every call (three trie lookups and the exceptions). */
struct next_hop eff_next_hop_rules(const struct eff_table *t, uint32_t dst, bool without_rs);
static inline struct next_hop eff_next_hop(const struct eff_table *t, uint32_t dst,
					   bool without_rs)
{
	struct eff_hop_word x = eff_next_hop_word(t, dst, without_rs);
	unsigned len = (unsigned)(x.w >> EFF_HOP_LEN_SHIFT) & 63u;
	return (struct next_hop){ .found = (x.w & EFF_HOP_FOUND) != 0,
				  .nh = (enum nh_type)(uint8_t)(x.w >> EFF_HOP_NH_SHIFT),
				  .nh_ip = (uint32_t)x.w,
				  .has_nh_ip = (x.w & EFF_HOP_HAS_IP) != 0,
				  .route_table = x.route_table,
				  .matched = { dst & (uint32_t)(~(uint64_t)0 << (32 - len)),
					       (uint8_t)len } };
}
/* Ranges of t's derived lookup tables (own and set), 0 while it has none. */
size_t eff_fast_ranges(const struct eff_table *t);

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
/* The domain set t shows (NULL: none), to key a cache of bgp_set_diff. */
const struct bgp_set *eff_table_set(const struct eff_table *t);

#endif
