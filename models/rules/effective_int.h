/*
 * effective_int.h - the inside of a subnet's effective-route table, shared
 * by the two modules that implement it and by no one else: effective.c
 * (computing, updating and reading tables) and nexthop.c (next hops, with
 * the derived lookup state it keeps inside each table).  Everyone else
 * sees struct eff_table as opaque (effective.h); this header is the
 * btreeInt.h of the pair.  It lives in the rules folder only because the
 * two .c files do.
 *
 * A table: its own rows (system first, then User; a few dozen) in an
 * arena, two LPM indexes over them, a reference to the routing domain's
 * shared bgp_set, and the exceptions, the sorted indices of the set's
 * entries this subnet shows differently (EXC_HIDDEN: inside a VnetLocal or
 * VNetPeering prefix, RULES 1.6.3; EXC_INVALID: a User row has the same
 * prefix, RULES 1.6.2).
 *
 * Invariants: a table never changes once eff_compute or eff_update
 * returned it, except for fast_state, a cache of nexthop.c (filled
 * through the `fast` pointer, so that a lookup on a const table may fill
 * it; it never changes an answer).  rows, arena and the fibs belong to
 * `own`, which tables derived by eff_update share (reference counted);
 * exc_idx and exc_kind belong to the table; bgp is a reference.
 */
#ifndef RULES_EFFECTIVE_INT_H
#define RULES_EFFECTIVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "effective.h"

struct arena;
struct lpm;
struct own_flat;
struct ranges;

enum { EXC_HIDDEN = 1, EXC_INVALID = 2 };

/* What a table computes from the topology alone, given that the BGP
 * prefixes equal to its rows' prefixes (and 0/0) are what they were: the
 * rows, their states and their index.  Tables that differ only in other
 * BGP prefixes share it (eff_update). */
struct eff_own {
	unsigned refs;
	struct arena *arena;
	struct route_row *rows;
	struct lpm *fib, *se_fib;
	/* Derived next-hop lookup over these rows (nexthop.c), built on
	 * demand; like the rows it never changes once built.  One
	 * aligned_alloc block: free() frees it. */
	struct own_flat *flat;         /* NULL until built */
	bool flat_failed;              /* out of memory building it: rules only */
};

/* nexthop.c's lookup state of one table: filled by its first thousand
 * lookups or so, then read by every lookup.  Embedded in the table (no
 * pointer to follow on the fast path); see nexthop.c. */
struct eff_fast {
	/* The flat tables' hot fields, copied here once ready: a lookup
	 * reads these 32 bytes at the table's start, and for the usual own
	 * table of 16 ranges its starts and pair numbers after them (in
	 * the table: no pointer to follow), then one pair of the own table
	 * and the set's index and slice entry (nexthop.c, "Fast next hops"). */
	const uint32_t *own;           /* own_flat's starts, values and pairs */
	const uint32_t *set_index;     /* set_r's index, then its slices */
	const uint64_t *hops;          /* the set's flat table's */
	uint32_t set_low;              /* addresses' bits below set_r's index bits */
	uint8_t set_shift;             /* 32 - set_r's index bits */
	uint8_t own_log2;              /* own_flat's padded count p is 1 << own_log2 (>= 16) */
	bool ready[2];                 /* [without_rs]: the above filled for that view */
	/* When p is 16: own_flat's pair numbers and starts, copied. */
	uint8_t ids16[16];
	uint32_t starts16[16];         /* 16-byte aligned: see the assertion */
	/* Cold. */
	bool failed[2];                /* out of memory building them: rules only */
	const struct ranges *set_r;    /* the set's flat table, NO_SET if none */
	uint32_t own_n;                /* own_flat's ranges before the padding */
	unsigned lookups;              /* counted until the flat tables are ready */
};
_Static_assert(offsetof(struct eff_fast, ids16) == 32, "the hot fields take 32 bytes");
_Static_assert(offsetof(struct eff_fast, starts16) == 48, "the starts are 16-byte aligned");

struct eff_table {
	struct eff_fast fast_state;    /* derived lookup state (nexthop.c) */
	struct eff_fast *fast;         /* &fast_state: the cache a const table's lookups fill */
	/* The table computed without the Route Server's rows, when it differs
	 * from this one by more than those rows (they decide a 0/0 side effect
	 * or make a system row Invalid); NULL otherwise. */
	struct eff_table *no_rs;
	unsigned refs;
	struct eff_own *own;           /* owns arena, rows, fib and se_fib below */
	struct arena *arena;           /* rows, prefixes, names */
	struct route_row *rows;        /* own rows: system first, then User */
	size_t nrows, nsys;            /* rows[nsys..nrows) are User rows */
	struct bgp_set *bgp;           /* NULL: no domain or propagation disabled */
	uint32_t *exc_idx;             /* sorted entry indices with an exception */
	uint8_t *exc_kind;             /* EXC_* per exc_idx */
	size_t nexc;
	bool disable_bgp;              /* of the subnet's route table */
	bool drop_default_internet;    /* a visible BGP 0/0 exists (RULES 1.6.4) */
	struct lpm *fib;               /* prefix -> own Active row */
	struct lpm *se_fib;            /* service endpoint prefix -> own row */
};
/* The lookup's movdqa of starts16 needs it 16-byte aligned: the table
 * comes from malloc (aligned to max_align_t) and starts with fast_state. */
_Static_assert(offsetof(struct eff_table, fast_state) == 0 && _Alignof(max_align_t) >= 16,
	       "a table's starts16 is 16-byte aligned");

/* A VnetLocal or VNetPeering row: the subnet's VNet's address space or a
 * peer's.  An appliance is reachable directly only inside one (RULES 1.4);
 * BGP entries equal to or inside one are not listed (RULES 1.6.3). */
static inline bool eff_vnet_row(const struct route_row *r)
{
	return r->nh == NH_VNET_LOCAL || r->nh == NH_VNET_PEERING ||
	       r->nh == NH_VNET_GLOBAL_PEERING;
}

/* The exception kind of entry idx of the table's set (0: none). O(log exceptions). */
static inline uint8_t eff_exception_of(const struct eff_table *t, size_t idx)
{
	size_t lo = 0, hi = t->nexc;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->exc_idx[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nexc && t->exc_idx[lo] == idx ? t->exc_kind[lo] : 0;
}

#endif
