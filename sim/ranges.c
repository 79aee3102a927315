/*
 * ranges.c - a flattened lookup table.  See ranges.h.
 */
#include "ranges.h"

#include <stdlib.h>
#include <string.h>

/* One allocation: this header, then index, slices, spans, starts and
 * values, so that a lookup touches one contiguous block.
 *
 * index[b] describes bucket b (the addresses whose top `bits` bits are b):
 * the position of its slice from index[0] (2^bits plus its offset in
 * sub[]) and the shift of the bucket's address bits that leaves the
 * slice's sb bits: shift - sb, at most 28.  Slice entry j describes the
 * bucket's j-th 2^(32 - bits - sb) addresses: RANGES_LEAF | value when one
 * range covers them, else the number of a span, the ranges [first, first +
 * count) that meet them, binary searched. */
#define RANGES_SUB_MAX_BITS 16
#define RANGES_SUB_PER_RANGE 64       /* slice entries allowed per range meeting a bucket */

/* Trailing zero bits of x != 0. */
static unsigned tz(uint32_t x)
{
	return (unsigned)__builtin_ctz(x);
}

/* The entry of addresses [first, first + 2^shift) (first aligned), k the
 * range containing first: one leaf or span into *out (when out is not
 * NULL), *nspans counting the spans. */
static void entry(const uint32_t *starts, const uint32_t *values, size_t n, size_t k,
		    uint64_t first, unsigned shift, uint32_t *out, struct ranges_span *spans,
		    size_t *nspans)
{
	uint64_t next = first + ((uint64_t)1 << shift);
	size_t end = k + 1;
	while (end < n && starts[end] < next)
		end++;
	if (end == k + 1) {
		if (out)
			*out = RANGES_LEAF | values[k];
		return;
	}
	size_t j = (*nspans)++;
	if (out) {
		*out = (uint32_t)j;
		spans[j] = (struct ranges_span){ (uint32_t)k, (uint32_t)(end - k) };
	}
}

/* Indexes the nb buckets of 2^shift addresses.  With index NULL it only
 * counts: *nsub and *nspans grow by what it would add. */
static void index_buckets(const uint32_t *starts, const uint32_t *values, size_t n, size_t nb,
			  unsigned shift, uint32_t *index, uint32_t *sub, size_t *nsub,
			  struct ranges_span *spans, size_t *nspans)
{
	size_t k = 0;
	for (size_t b = 0; b < nb; b++) {
		uint64_t first = (uint64_t)b << shift, next = first + ((uint64_t)1 << shift);
		while (k + 1 < n && starts[k + 1] <= first)
			k++;
		/* The fewest slice bits that put every start inside the bucket
		 * on an entry's edge, within the budget. */
		size_t end = k + 1;
		unsigned sb = 0;
		while (end < n && starts[end] < next) {
			unsigned need = shift - tz(starts[end]);
			sb = need > sb ? need : sb;
			end++;
		}
		size_t meet = end - k;
		while (sb > RANGES_SUB_MAX_BITS ||
		       (sb > 0 && ((size_t)1 << sb) > RANGES_SUB_PER_RANGE * meet))
			sb--;
		size_t at = *nsub;
		*nsub += (size_t)1 << sb;
		if (index)
			index[b] = (uint32_t)(nb + at) << RANGES_SBITS | (shift - sb);
		size_t kk = k;
		for (size_t j = 0; j < ((size_t)1 << sb); j++) {
			uint64_t f = first + ((uint64_t)j << (shift - sb));
			while (kk + 1 < n && starts[kk + 1] <= f)
				kk++;
			entry(starts, values, n, kk, f, shift - sb, index ? sub + at + j : NULL, spans,
			      nspans);
		}
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
	/* Count the slices and spans first. */
	size_t nsub = 0, nspans = 0;
	index_buckets(starts, values, n, nb, 32 - bits, NULL, NULL, &nsub, NULL, &nspans);
	if (nb + nsub >= (size_t)1 << (32 - RANGES_SBITS) || nspans >= RANGES_LEAF)
		return NULL;
	size_t words = nb + nsub + ((nb + nsub) & 1) + 2 * nspans + 2 * n;
	struct ranges *r = malloc(sizeof(*r) + (words + 1) / 2 * sizeof(uint64_t));
	if (!r)
		return NULL;
	r->bits = bits;
	r->n = n;
	r->nspans = nspans;
	r->nsub = nsub;
	r->index = (uint32_t *)r->data;
	r->sub = r->index + nb;
	r->spans = (struct ranges_span *)(r->sub + nsub + ((nb + nsub) & 1)); /* 8-byte aligned */
	r->starts = (uint32_t *)(r->spans + nspans);
	r->values = r->starts + n;
	memcpy(r->starts, starts, n * sizeof(*starts));
	memcpy(r->values, values, n * sizeof(*values));
	size_t jsub = 0, js = 0;
	index_buckets(starts, values, n, nb, 32 - bits, r->index, r->sub, &jsub, r->spans, &js);
	return r;
}

void ranges_destroy(struct ranges *r)
{
	free(r);
}

uint32_t ranges_lookup_span(const struct ranges *r, uint32_t span, uint32_t addr)
{
	/* The last range of the span whose start is <= addr (the first one
	 * starts at or before the entry's addresses). */
	const struct ranges_span *sp = &r->spans[span];
	const uint32_t *base = r->starts + sp->first;
	size_t len = sp->count;
	while (len > 1) {
		size_t half = len / 2;
		base = base[half] <= addr ? base + half : base;
		len -= half;
	}
	return r->values[base - r->starts];
}

uint32_t ranges_lookup(const struct ranges *r, uint32_t addr)
{
	return ranges_lookup_inline(r, addr);
}

size_t ranges_count(const struct ranges *r) { return r->n; }

size_t ranges_bytes(const struct ranges *r)
{
	return sizeof(*r) + (((size_t)1 << r->bits) + r->nsub + 1 + 2 * r->nspans + 2 * r->n) *
				    sizeof(uint32_t);
}
