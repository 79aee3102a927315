/*
 * ranges.c - a flattened lookup table.  See ranges.h.
 */
#include "sim/ranges.h"

#include <stdlib.h>
#include <string.h>

/* One allocation: this header, then index, starts and values, so that a
 * lookup touches one contiguous block. */
struct ranges {
	unsigned bits;                 /* index bits, 4..12 */
	size_t n;
	uint32_t *index;               /* 2^bits + 1: range holding each bucket's first address */
	uint32_t *starts;              /* n, strictly increasing, starts[0] == 0 */
	uint32_t *values;              /* n */
	uint32_t data[];               /* index, starts, values */
};

struct ranges *ranges_create(const uint32_t *starts, const uint32_t *values, size_t n)
{
	if (n == 0 || starts[0] != 0 || n > UINT32_MAX)
		return NULL;
	for (size_t i = 1; i < n; i++)
		if (starts[i] <= starts[i - 1])
			return NULL;
	/* About four buckets per range: most buckets hold one range, and
	 * a lookup reads the index and the value only. */
	unsigned bits = 4;
	while (bits < 12 && ((size_t)1 << bits) < 4 * n)
		bits++;
	size_t nb = (size_t)1 << bits;
	struct ranges *r = malloc(sizeof(*r) + (nb + 1 + 2 * n) * sizeof(uint32_t));
	if (!r)
		return NULL;
	r->index = r->data;
	r->starts = r->index + nb + 1;
	r->values = r->starts + n;
	memcpy(r->starts, starts, n * sizeof(*starts));
	memcpy(r->values, values, n * sizeof(*values));
	r->n = n;
	r->bits = bits;
	size_t k = 0;
	for (size_t b = 0; b < nb; b++) {
		uint32_t first = (uint32_t)(b << (32 - bits));
		while (k + 1 < n && starts[k + 1] <= first)
			k++;
		r->index[b] = (uint32_t)k;
	}
	/* Past the last bucket: the last range, so that bucket nb - 1
	 * searches up to it. */
	r->index[nb] = (uint32_t)(n - 1);
	return r;
}

void ranges_destroy(struct ranges *r)
{
	free(r);
}

uint32_t ranges_lookup(const struct ranges *r, uint32_t addr)
{
	uint32_t b = addr >> (32 - r->bits);
	/* The answer is among index[b] .. index[b + 1]: the last range whose
	 * start is <= addr.  Branch-free binary search over them. */
	const uint32_t *base = r->starts + r->index[b];
	size_t len = r->index[b + 1] - r->index[b] + 1;
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
	return sizeof(*r) + r->n * 2 * sizeof(uint32_t) +
	       (((size_t)1 << r->bits) + 1) * sizeof(uint32_t);
}
