/*
 * bgpset.h - a routing domain's programmed BGP routes, as one immutable,
 * reference-counted set that every subnet table of the domain shares
 * (RULES 1.3).
 *
 * What it models: the rows the domain's gateways and Route Server program
 * into the subnets that use them, before any subnet's own exceptions (a
 * table hides or invalidates entries of its own, effective.h).  One entry
 * per prefix, with its rows' next hops: one per row, repeats kept (RULES
 * 1.3: a gateway shows one row per best path on each instance, even when
 * two carry the same next hop), each flagged when the Route Server
 * programmed it.  A 4,000-VM network with 12,000 BGP routes stores them
 * once per domain, not once per subnet.
 *
 * Life: bgp_set_create, bgp_set_add in any order, bgp_set_finish (sorts
 * and indexes); from then on the set never changes.  A change of the
 * domain makes a new set (domain_build, or bgp_set_patch from the
 * previous one), and the tables built on the old one keep it.
 *
 * Invariants of a finished set: entries sorted by prefix (prefix_compare)
 * with distinct prefixes (the caller adds each prefix once), each with
 * at least one row; the set is never written again except for its caches.
 *
 * Ownership: the set owns its entries, rows and caches.  Pointers it
 * hands out (bgp_set_entry's prefix and rows, bgp_set_flat's tables) stay
 * valid while the caller holds a reference.  Tables, runs and checkpoints
 * hold references (bgp_set_ref); the last bgp_set_unref frees everything.
 *
 * Caches.  Four derived structures are filled on demand; none changes an
 * answer, and all die with the set:
 *  - bgp_set_find's memo of its latest answers: after a BGP event every
 *    subnet of the domain asks the new set about the same few changed
 *    prefixes, so one binary search serves them all;
 *  - bgp_set_longest's LPM index, built on its first call: most sets of a
 *    run are never looked up (only checkpoints are queried), and a trie
 *    over 12,000 prefixes costs more than computing the set;
 *  - bgp_set_without_rs's set without Route Server rows, built once;
 *  - nexthop.c's flat next-hop tables, one per view, which it builds and
 *    hands to the set to keep (bgp_set_flat_keep).
 * A function that may fill a cache takes a non-const set, even when it
 * only answers a question: constness here means "does not write", not
 * "does not change the answer".  None is safe to call from two threads on
 * one set at once (a run, its sets and its tables belong to one thread).
 *
 * Costs: bgp_set_add amortized O(rows added); bgp_set_finish O(n) when
 * entries came in prefix order, O(n log n) otherwise; bgp_set_entry O(1)
 * (a step or two over the chunks); bgp_set_find O(log n), O(1) on a memo
 * hit; bgp_set_longest O(32) once its index is built in O(n);
 * bgp_set_patch O(n / 64 + k log n) time and memory for k keys: the
 * entries are stored in chunks of 64 and a patched set shares every chunk
 * no key falls in with its base; bgp_set_diff O(n + m), skipping the
 * chunks both sets share.
 */
#ifndef RULES_BGPSET_H
#define RULES_BGPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

struct bgp_set;
struct ranges;

/* One prefix's rows: the next hop of each, and whether the Route Server
 * programmed it. */
struct bgp_set_rows {
	const uint32_t *nh;            /* n next hops */
	const bool *rs;                /* n flags: programmed by the Route Server */
	size_t n;
};

/* ---- building ---------------------------------------------------------- */

struct bgp_set *bgp_set_create(void); /* NULL when out of memory */
/* Adds prefix p with n rows (copied).  0, or -1 out of memory with the
 * set as it was. */
int bgp_set_add(struct bgp_set *s, struct prefix p, const uint32_t *nh, const bool *nh_rs,
		size_t n);
/* Sorts the entries if they came out of order; the set is finished. */
int bgp_set_finish(struct bgp_set *s);

/* How bgp_set_patch learns a prefix's new rows: 0 with *rows filled
 * (n == 0: no entry any more; the arrays need to last only until the next
 * call), -1 on failure, which bgp_set_patch passes on. */
typedef int bgp_set_decide_fn(void *ctx, struct prefix p, struct bgp_set_rows *rows);

/* The finished set equal to base except at keys[0..nkeys) (sorted by
 * prefix_compare, unique), whose entries decide gives again.  changed
 * (room for nkeys) receives, in order, the keys whose entries differ
 * from base's, *nchanged their count.  When none differs the result is
 * base itself, with a new reference.  NULL when out of memory or decide
 * failed (*nchanged 0). */
struct bgp_set *bgp_set_patch(struct bgp_set *base, const struct prefix *keys, size_t nkeys,
			      bgp_set_decide_fn *decide, void *ctx, struct prefix *changed,
			      size_t *nchanged);

/* ---- references -------------------------------------------------------- */

struct bgp_set *bgp_set_ref(struct bgp_set *s); /* NULL gives NULL */
void bgp_set_unref(struct bgp_set *s);          /* NULL is a no-op */
/* Same entries with the same rows, in the same order (NULL equals only
 * NULL).  O(n + rows). */
bool bgp_set_equal(const struct bgp_set *a, const struct bgp_set *b);

/* ---- reading a finished set ------------------------------------------- */

size_t bgp_set_count(const struct bgp_set *s); /* entries; 0 for NULL */
/* Entry i (< bgp_set_count): its prefix, and its rows into *rows unless
 * rows is NULL.  O(1). */
const struct prefix *bgp_set_entry(const struct bgp_set *s, size_t i, struct bgp_set_rows *rows);
/* The lowest next hop of entry i, Route Server rows skipped when
 * without_rs: what a next-hop query answers for it (RULES 1.7, "first of
 * the ECMP set in ascending address order").  False when it has none. */
bool bgp_set_first_hop(const struct bgp_set *s, size_t i, bool without_rs, uint32_t *ip);
/* The first entry at or after `from` whose prefix is not below p (the
 * count when none): gallops forward from `from`, so a caller asking for
 * increasing prefixes pays O(log distance) each. */
size_t bgp_set_seek(const struct bgp_set *s, size_t from, struct prefix p);
/* Index of the entry for exactly p, or -1 (also for a NULL set).
 * O(log n).  Remembers the answer (the memo: not const). */
long bgp_set_find(struct bgp_set *s, struct prefix p);
/* The entry whose prefix is the longest containing dst: 1 with its index
 * in *idx, 0 when none contains dst, -1 when the index could not be built
 * (out of memory: scan the entries instead).  Builds the index on the
 * first call (not const). */
int bgp_set_longest(struct bgp_set *s, uint32_t dst, size_t *idx);
/* The same set without its Route Server rows, built once and cached (what
 * a NIC beyond Route Server capacity receives).  Returns s itself (a new
 * reference) when it has no such rows, NULL when it has nothing else or on
 * allocation failure (*failed set). */
struct bgp_set *bgp_set_without_rs(struct bgp_set *s, bool *failed);
/* The prefixes whose entries differ between a and b (either may be NULL:
 * no entries): in one only, or with other rows; in prefix order, *out
 * malloc'd (never NULL on success).  O(entries of both).  -1 out of
 * memory. */
int bgp_set_diff(const struct bgp_set *a, const struct bgp_set *b, struct prefix **out,
		 size_t *nout);

/* ---- derived tables kept with the set ---------------------------------- */

/* nexthop.c's flat next-hop table of the set in one view (the encoding is
 * nexthop.c's business): the set keeps it and frees r with ranges_destroy
 * and hops with free. */
struct bgp_set_flat {
	struct ranges *r;              /* NULL: the build failed (out of memory) */
	uint64_t *hops;
};
/* The table kept for view without_rs, NULL while none was kept. */
const struct bgp_set_flat *bgp_set_flat(const struct bgp_set *s, bool without_rs);
/* Keeps f for view without_rs (once per view; a failed build is kept too,
 * so that it is not tried again). */
void bgp_set_flat_keep(struct bgp_set *s, bool without_rs, struct bgp_set_flat f);

#endif
