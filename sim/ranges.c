/*
 * ranges.c - a flattened lookup table.  See ranges.h.
 */
#include "sim/ranges.h"

#include <stdlib.h>
#include <string.h>

/* One allocation: this header, then index, spans, sub-indexes, starts and
 * values, so that a lookup touches one contiguous block.
 *
 * index[b] describes bucket b (the addresses whose top `bits` bits are b):
 * RANGES_LEAF | value when one range covers the whole bucket (the usual
 * case: one read answers), else the number of a span, the ranges
 * [first, first + count) that meet the bucket.  A span of more than
 * RANGES_SUB_MIN ranges (a crowded bucket: thousands of /24s in one /12)
 * has a sub-index of its own on the next `sbits` address bits, about eight
 * entries per range, whose entries are leaves or spans again (without a
 * further level); other spans are searched branch-free. */
#define RANGES_SUB_MIN 8
#define RANGES_SUB_MAX_BITS 16

/* Indexes nb buckets of 2^shift addresses from base: entry i of out
 * describes [base + i 2^shift, base + (i+1) 2^shift).  With out NULL it
 * only counts: *nspans and *nsub grow by what it would add.  Spans are
 * appended to spans[*nspans...], sub-indexes (level 1 only) to
 * sub[*nsub...].  k is the range containing base. */
static void index_buckets(const uint32_t *starts, const uint32_t *values, size_t n, size_t k,
			  uint64_t base, unsigned shift, size_t nb, int level, uint32_t *out,
			  struct ranges_span *spans, size_t *nspans, uint32_t *sub, size_t *nsub)
{
	for (size_t b = 0; b < nb; b++) {
		uint64_t first = base + ((uint64_t)b << shift), next = first + ((uint64_t)1 << shift);
		while (k + 1 < n && starts[k + 1] <= first)
			k++;
		size_t end = k + 1;
		while (end < n && starts[end] < next)
			end++;
		if (end == k + 1) {
			if (out)
				out[b] = RANGES_LEAF | values[k];
			continue;
		}
		size_t j = (*nspans)++;
		if (out) {
			out[b] = (uint32_t)j;
			spans[j] = (struct ranges_span){ (uint32_t)k, (uint32_t)(end - k), 0, 0 };
		}
		if (level > 1 || end - k <= RANGES_SUB_MIN || shift == 0)
			continue;
		unsigned sb = 1;
		while (sb < shift && sb < RANGES_SUB_MAX_BITS && ((size_t)1 << sb) < 8 * (end - k))
			sb++;
		size_t at = *nsub;
		*nsub += (size_t)1 << sb;
		if (out) {
			spans[j].sub = (uint32_t)at;
			spans[j].sbits = sb;
		}
		index_buckets(starts, values, n, k, first, shift - sb, (size_t)1 << sb, level + 1,
			      out ? sub + at : NULL, spans, nspans, sub, nsub);
	}
}

struct ranges *ranges_create(const uint32_t *starts, const uint32_t *values, size_t n)
{
	if (n == 0 || starts[0] != 0 || n > RANGES_LEAF)
		return NULL;
	for (size_t i = 1; i < n; i++)
		if (starts[i] <= starts[i - 1])
			return NULL;
	for (size_t i = 0; i < n; i++)
		if (values[i] & RANGES_LEAF)
			return NULL;
	/* About four buckets per range: most buckets hold one range. */
	unsigned bits = 4;
	while (bits < 12 && ((size_t)1 << bits) < 4 * n)
		bits++;
	size_t nb = (size_t)1 << bits;
	/* Count the spans and sub-indexes first. */
	size_t nspans = 0, nsub = 0;
	index_buckets(starts, values, n, 0, 0, 32 - bits, nb, 1, NULL, NULL, &nspans, NULL, &nsub);
	size_t words = nb + (nb & 1) + 4 * nspans + nsub + 2 * n;
	struct ranges *r = malloc(sizeof(*r) + (words + 1) / 2 * sizeof(uint64_t));
	if (!r)
		return NULL;
	r->bits = bits;
	r->n = n;
	r->nspans = nspans;
	r->nsub = nsub;
	r->index = (uint32_t *)r->data;
	r->spans = (struct ranges_span *)(r->index + nb + (nb & 1)); /* 8-byte aligned */
	r->sub = (uint32_t *)(r->spans + nspans);
	r->starts = r->sub + nsub;
	r->values = r->starts + n;
	memcpy(r->starts, starts, n * sizeof(*starts));
	memcpy(r->values, values, n * sizeof(*values));
	size_t js = 0, jsub = 0;
	index_buckets(starts, values, n, 0, 0, 32 - bits, nb, 1, r->index, r->spans, &js, r->sub,
		      &jsub);
	return r;
}

void ranges_destroy(struct ranges *r)
{
	free(r);
}

uint32_t ranges_lookup(const struct ranges *r, uint32_t addr)
{
	return ranges_lookup_inline(r, addr);
}

size_t ranges_count(const struct ranges *r) { return r->n; }

size_t ranges_bytes(const struct ranges *r)
{
	return sizeof(*r) + (((size_t)1 << r->bits) + 1 + 4 * r->nspans + r->nsub + 2 * r->n) *
				    sizeof(uint32_t);
}
