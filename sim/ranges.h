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
 * sub-index of its own on the next address bits, about eight entries per
 * range, whose entries are values or spans again.
 * Values must be below 2^31 (the top bit marks those buckets).
 * Costs: lookup one read, two, or O(log(ranges in the span)) more; build
 * O(n + 2^bits); memory 8 bytes per range, 4 per bucket, 16 per split
 * bucket, about 32 per range of a crowded bucket.
 */
#ifndef SIM_RANGES_H
#define SIM_RANGES_H

#include <stddef.h>
#include <stdint.h>

/* The layout is public only so that the lookup can be inlined into hot
 * callers: build with ranges_create, read with ranges_lookup*. */
#define RANGES_LEAF 0x80000000u      /* index entry: RANGES_LEAF | value */

struct ranges_span {
	uint32_t first, count;         /* ranges [first, first + count) meet the bucket */
	uint32_t sub;                  /* offset of its sub-index in sub[] */
	uint32_t sbits;                /* its bits, 0: none */
};

struct ranges {
	unsigned bits;                 /* index bits, 4..12 */
	size_t n, nspans, nsub;
	uint32_t *index;               /* 2^bits */
	struct ranges_span *spans;
	uint32_t *sub;                 /* nsub: the sub-indexes */
	uint32_t *starts;              /* n, strictly increasing, starts[0] == 0 */
	uint32_t *values;              /* n */
	uint64_t data[];               /* index, spans, sub, starts, values */
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

/* ranges_lookup, inlined. */
static inline uint32_t ranges_lookup_inline(const struct ranges *r, uint32_t addr)
{
	uint32_t e = r->index[addr >> (32 - r->bits)];
	if (e & RANGES_LEAF)
		return e & ~RANGES_LEAF;
	const struct ranges_span *sp = &r->spans[e];
	if (sp->sbits) {
		e = r->sub[sp->sub + ((addr << r->bits) >> (32 - sp->sbits))];
		if (e & RANGES_LEAF)
			return e & ~RANGES_LEAF;
		sp = &r->spans[e];
	}
	/* The last range of the span whose start is <= addr (the first one
	 * starts at or before the bucket). */
	const uint32_t *base = r->starts + sp->first;
	size_t len = sp->count;
	while (len > 1) {
		size_t half = len / 2;
		base = base[half] <= addr ? base + half : base;
		len -= half;
	}
	return r->values[base - r->starts];
}

#endif
