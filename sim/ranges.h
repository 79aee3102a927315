/*
 * ranges.h - a flattened lookup table: the IPv4 address space cut into
 * consecutive ranges, each with a 32-bit value.
 *
 * It is what a longest-prefix match becomes once every rule is known and
 * nothing changes: between two consecutive rule boundaries (a prefix's
 * first address, or the one after its last) the set of matching rules is
 * constant, so any function of "the rules matching addr" is constant too.
 * The owner evaluates its real lookup once per range and keeps the values
 * here; the rules stay the truth and this table is derived from them (the
 * DPDK lib/lpm idea), rebuilt rather than updated.
 *
 * Structure: starts[] strictly increasing with starts[0] == 0, values[]
 * beside it, and a two-level direct index, so that a lookup is two
 * dependent reads and no branch that depends on the address:
 *  - index[] on the top `bits` address bits (4..12, about four buckets per
 *    range): each bucket names its slice of sub[], by its position from
 *    index[0] (sub[] follows index[]: one base pointer serves both reads),
 *    and how many of the next address bits (sbits) select an entry in it,
 *    as the shift that leaves them of the address's low 32 - bits bits
 *    (32 - bits - sbits).  A bucket inside one range has sbits 0: a slice
 *    of one entry.
 *  - sub[]: RANGES_LEAF | value when its addresses lie in one range (the
 *    usual case), else the number of a span, the ranges to binary search.
 *    A split bucket takes the fewest bits that put every range start on a
 *    slice entry's edge (the longest prefix that cuts it decides), at most
 *    RANGES_SUB_MAX_BITS and about 64 entries per range meeting it; only
 *    a bucket crowded beyond that keeps spans.
 * Values must be below 2^31 (the top bit marks leaves).
 * Costs: lookup two reads, plus O(log(ranges in the span)) in a crowded
 * bucket; build O(n + index and slice entries); memory 8 bytes per range,
 * 4 per bucket, 4 per slice entry (up to 256 per range meeting a split
 * bucket), 8 per span.
 * Ownership: the table owns its arrays (ranges_destroy).
 */
#ifndef SIM_RANGES_H
#define SIM_RANGES_H

#include <stddef.h>
#include <stdint.h>

/* The layout is public only so that the lookup can be inlined into hot
 * callers: build with ranges_create, read with ranges_lookup*. */
#define RANGES_LEAF 0x80000000u      /* sub entry: RANGES_LEAF | value */
#define RANGES_SBITS 5                /* index entry: slice position << 5 | shift */

struct ranges_span {
	uint32_t first, count;         /* ranges [first, first + count) meet the entry */
};

struct ranges {
	unsigned bits;                 /* index bits, 4..12 */
	size_t n, nspans, nsub;
	uint32_t *index;               /* 2^bits: slice position << RANGES_SBITS | shift */
	uint32_t *sub;                 /* nsub: the slices, at index + 2^bits */
	struct ranges_span *spans;     /* nspans */
	uint32_t *starts;              /* n, strictly increasing, starts[0] == 0 */
	uint32_t *values;              /* n */
	uint64_t data[];               /* index, sub, spans, starts, values */
};

/* Range i is [starts[i], starts[i + 1]) (the last one runs to
 * 255.255.255.255) with value values[i].  starts must be strictly
 * increasing and start at 0; n >= 1; values below 2^31.  The arrays are
 * copied.  NULL when out of memory or the input is not valid. */
struct ranges *ranges_create(const uint32_t *starts, const uint32_t *values, size_t n);
void ranges_destroy(struct ranges *r); /* NULL is a no-op */
uint32_t ranges_lookup(const struct ranges *r, uint32_t addr);
size_t ranges_count(const struct ranges *r);
size_t ranges_bytes(const struct ranges *r); /* memory held */
/* The value at addr within span number `span` (a crowded slice entry). */
uint32_t ranges_lookup_span(const struct ranges *r, uint32_t span, uint32_t addr);

/* ranges_lookup, inlined: the slice entry is at the index entry's position
 * plus the next sbits address bits (none when sbits is 0: the shift is
 * 32 - bits then). */
static inline uint32_t ranges_lookup_inline(const struct ranges *r, uint32_t addr)
{
	uint32_t e = r->index[addr >> (32 - r->bits)];
	uint32_t s = r->index[(e >> RANGES_SBITS) +
			    ((addr & (UINT32_MAX >> r->bits)) >> (e & ((1u << RANGES_SBITS) - 1)))];
	if (__builtin_expect((s & RANGES_LEAF) != 0, 1))
		return s & ~RANGES_LEAF;
	return ranges_lookup_span(r, s, addr);
}

#endif
