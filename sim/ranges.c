/*
 * ranges.c - a flattened lookup table.  See ranges.h.
 */
#include "sim/ranges.h"

#include <stdlib.h>
#include <string.h>

/* One allocation: this header, then index, spans, starts and values, so
 * that a lookup touches one contiguous block.
 *
 * index[b] describes bucket b (the addresses whose top `bits` bits are b):
 * RANGES_LEAF | value when one range covers the whole bucket (the usual
 * case: one read answers), else the number of a span, the ranges
 * [first, first + count) that meet the bucket, searched branch-free. */
#define RANGES_LEAF 0x80000000u

struct span {
	uint32_t first, count;
};

struct ranges {
	unsigned bits;                 /* index bits, 4..12 */
	size_t n, nspans;
	uint32_t *index;               /* 2^bits */
	struct span *spans;
	uint32_t *starts;              /* n, strictly increasing, starts[0] == 0 */
	uint32_t *values;              /* n */
	uint64_t data[];               /* index, spans, starts, values */
};

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
	/* Count the spans first: buckets that some range start splits. */
	size_t nspans = 0, k = 0;
	for (size_t b = 0; b < nb; b++) {
		uint64_t first = (uint64_t)b << (32 - bits), next = first + ((uint64_t)1 << (32 - bits));
		while (k + 1 < n && starts[k + 1] <= first)
			k++;
		nspans += k + 1 < n && starts[k + 1] < next;
	}
	size_t words = nb + 2 * nspans + 2 * n;
	struct ranges *r = malloc(sizeof(*r) + (words + 1) / 2 * sizeof(uint64_t));
	if (!r)
		return NULL;
	r->bits = bits;
	r->n = n;
	r->nspans = nspans;
	r->index = (uint32_t *)r->data;
	r->spans = (struct span *)(r->index + nb + (nb & 1)); /* 8-byte aligned */
	r->starts = (uint32_t *)(r->spans + nspans);
	r->values = r->starts + n;
	memcpy(r->starts, starts, n * sizeof(*starts));
	memcpy(r->values, values, n * sizeof(*values));
	size_t j = 0;
	k = 0;
	for (size_t b = 0; b < nb; b++) {
		uint64_t first = (uint64_t)b << (32 - bits), next = first + ((uint64_t)1 << (32 - bits));
		while (k + 1 < n && starts[k + 1] <= first)
			k++;
		size_t end = k + 1;
		while (end < n && starts[end] < next)
			end++;
		if (end == k + 1) {
			r->index[b] = RANGES_LEAF | values[k];
			continue;
		}
		r->spans[j] = (struct span){ (uint32_t)k, (uint32_t)(end - k) };
		r->index[b] = (uint32_t)j++;
	}
	return r;
}

void ranges_destroy(struct ranges *r)
{
	free(r);
}

uint32_t ranges_lookup(const struct ranges *r, uint32_t addr)
{
	uint32_t e = r->index[addr >> (32 - r->bits)];
	if (e & RANGES_LEAF)
		return e & ~RANGES_LEAF;
	/* The last range of the span whose start is <= addr (the first one
	 * starts at or before the bucket). */
	const struct span *sp = &r->spans[e];
	const uint32_t *base = r->starts + sp->first;
	size_t len = sp->count;
	while (len > 1) {
		size_t half = len / 2;
		base = base[half] <= addr ? base + half : base;
		len -= half;
	}
	return r->values[base - r->starts];
}

size_t ranges_count(const struct ranges *r) { return r->n; }

size_t ranges_bytes(const struct ranges *r)
{
	return sizeof(*r) + (((size_t)1 << r->bits) + 1 + 2 * r->nspans + 2 * r->n) * sizeof(uint32_t);
}
