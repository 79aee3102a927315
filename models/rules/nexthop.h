/*
 * nexthop.h - the next hop of a destination in a subnet's effective-route
 * table, as Network Watcher answers it (RULES 1.7).
 *
 * What it models: longest-prefix match over the table's Active rows,
 * where a destination inside a service-endpoint prefix goes to the
 * endpoint unless a strictly longer User or system row matches (BGP rows
 * never beat it); a BGP entry answers with the first of its next hops in
 * ascending address order.  A table's rows hidden under a VnetLocal or
 * VNetPeering prefix (RULES 1.6.3) and Invalid ones (1.6.2) never answer.
 *
 * Two ways to the same answer: eff_next_hop_rules computes it from the
 * rows, the domain's set and the exceptions at every call (the rules: three
 * trie lookups, about 50 ns); eff_next_hop / eff_next_hop_word answer from
 * flat range tables derived from those (a few ns, no branch on the
 * address), once a table has been asked often enough to pay for them.
 * Invariant: both answer the same for every table, view and address (the
 * oracle tests compare them on every rule boundary).
 *
 * Ownership and constness: the derived tables are caches.  The one over a
 * table's own rows is shared with the tables eff_update derives from it;
 * the one over the domain's set is kept by the set (bgpset.h), shared by
 * every table of the domain, per view with or without Route Server rows.
 * Both die with their owner.  A lookup takes a const table because the
 * answer depends on nothing else, but the first thousand or so lookups of a
 * table count and then build those tables inside it: a lookup is
 * logically const, not physically.  Do not look up one table from two
 * threads at once before it is ready (a run belongs to one thread).
 *
 * Costs: eff_next_hop_rules O(32) per trie; eff_next_hop, once ready, two
 * dependent reads into the set's table and a 16-wide compare (or log2 of a
 * larger own table), about 70 instructions.  Building: O(n + hops log
 * hops) per set and view, O(b (log b + rows)) per own table of b
 * boundaries.
 */
#ifndef RULES_NEXTHOP_H
#define RULES_NEXTHOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "topology.h"

struct eff_table;

/* RULES 1.7: the next hop for a destination. */
struct next_hop {
	bool found;                    /* false: no route at all (cannot happen with 0/0) */
	enum nh_type nh;
	uint32_t nh_ip;
	bool has_nh_ip;
	const char *route_table;       /* User row: its table; NULL = "System Route" */
	struct prefix matched;
};
/* A table looked up often (more than a thousand times) answers from the
 * two flat range tables, in a few ns; until then eff_next_hop_rules
 * answers.  without_rs: the view of a NIC beyond Route Server capacity. */
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

#endif
