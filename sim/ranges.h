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
 * beside it, and a bucket index on the top `bits` address bits (4..12,
 * about four buckets per range: at most 16 KiB).  A bucket inside one range
 * holds its value, so most lookups are one read; a bucket that range
 * starts split names the span of ranges to search, branch-free.  A crowded
 * bucket (more than 8 ranges: thousands of /24s in one /12) gets a
 * sub-index of its own on the next address bits, about two entries per
 * range, whose entries are values or spans again.
 * Values must be below 2^31 (the top bit marks those buckets).
 * Costs: lookup one read, two, or O(log(ranges in the span)) more; build
 * O(n + 2^bits); memory 8 bytes per range, 4 per bucket, 16 per split
 * bucket, about 8 per range of a crowded bucket.
 */
#ifndef SIM_RANGES_H
#define SIM_RANGES_H

#include <stddef.h>
#include <stdint.h>

struct ranges;

/* Range i is [starts[i], starts[i + 1]) (the last one runs to
 * 255.255.255.255) with value values[i].  starts must be strictly
 * increasing and start at 0; n >= 1; values below 2^31.  The arrays are
 * copied.  NULL when out of memory or the input is not valid. */
struct ranges *ranges_create(const uint32_t *starts, const uint32_t *values, size_t n);
void ranges_destroy(struct ranges *r); /* NULL is a no-op */
uint32_t ranges_lookup(const struct ranges *r, uint32_t addr);

/* The first index level, for a caller that inlines the usual one-read
 * case (ranges_lookup_inline) and keeps these beside its other hot
 * fields: an entry with RANGES_LEAF set is RANGES_LEAF | value. */
#define RANGES_LEAF 0x80000000u
const uint32_t *ranges_index(const struct ranges *r, unsigned *shift);
static inline uint32_t ranges_lookup_inline(const struct ranges *r, const uint32_t *index,
					    unsigned shift, uint32_t addr)
{
	uint32_t e = index[addr >> shift];
	return e & RANGES_LEAF ? e & ~RANGES_LEAF : ranges_lookup(r, addr);
}
size_t ranges_count(const struct ranges *r);
size_t ranges_bytes(const struct ranges *r); /* memory held */

#endif
