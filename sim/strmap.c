/*
 * strmap.c - string -> pointer hash map.
 *
 * Structure: one array of (hash, key, value) buckets, a power of two long,
 * with open addressing and linear probing; the hash is 64-bit FNV-1a
 * (Fowler, Noll, Vo).  The full hash is kept in the bucket so a probe only
 * calls strcmp on a real hash match, and growing does not rehash keys.  An
 * empty bucket has key == NULL.  There is no removal, so there are no
 * tombstones.
 *
 * Invariants: cap is 0 or a power of two >= STRMAP_MIN_CAP; count <= 3/4 of
 * cap (the table doubles before an insert would pass that load), so a probe
 * always reaches an empty bucket.
 *
 * Costs: put/get O(1) expected plus one pass over the key to hash it; a
 * grow is O(cap); memory 24 bytes per bucket, between 1.33 and 2.67
 * buckets per key once grown.
 */
#include "strmap.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STRMAP_MIN_CAP 16
#define STRMAP_FNV_OFFSET UINT64_C(14695981039346656037)
#define STRMAP_FNV_PRIME UINT64_C(1099511628211)

struct strmap_bucket {
	uint64_t hash;   /* FNV-1a of key */
	const char *key; /* borrowed; NULL for an empty bucket */
	void *value;
};

struct strmap {
	struct strmap_bucket *b; /* cap buckets, NULL until the first put */
	size_t cap;              /* 0 or a power of two */
	size_t count;            /* keys stored */
};

static uint64_t strmap_hash(const char *key)
{
	uint64_t h = STRMAP_FNV_OFFSET;

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
		h ^= *p;
		h *= STRMAP_FNV_PRIME;
	}
	return h;
}

struct strmap *strmap_create(void)
{
	return calloc(1, sizeof(struct strmap));
}

void strmap_destroy(struct strmap *m)
{
	if (m == NULL)
		return;
	free(m->b);
	free(m);
}

/* The bucket holding key, or the empty bucket where it would go.  cap > 0. */
static struct strmap_bucket *strmap_find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct strmap_bucket *b = &m->b[i];
		if (b->key == NULL || (b->hash == h && strcmp(b->key, key) == 0))
			return b;
	}
}

static int strmap_grow(struct strmap *m)
{
	size_t cap = m->cap == 0 ? STRMAP_MIN_CAP : m->cap * 2;

	if (cap > SIZE_MAX / sizeof(struct strmap_bucket))
		return -1;
	struct strmap_bucket *nb = calloc(cap, sizeof(*nb));
	if (nb == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		struct strmap_bucket *o = &m->b[i];
		if (o->key == NULL)
			continue;
		size_t j = (size_t)o->hash & (cap - 1);
		while (nb[j].key != NULL)
			j = (j + 1) & (cap - 1);
		nb[j] = *o;
	}
	free(m->b);
	m->b = nb;
	m->cap = cap;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	assert(key != NULL);
	uint64_t h = strmap_hash(key);

	if (m->cap > 0) {
		struct strmap_bucket *b = strmap_find(m, key, h);
		if (b->key != NULL)
			return 0;
	}
	/* Keep count <= 3/4 cap after this insert. */
	if ((m->count + 1) * 4 > m->cap * 3 && strmap_grow(m) < 0)
		return -1;
	struct strmap_bucket *b = strmap_find(m, key, h);
	b->hash = h;
	b->key = key;
	b->value = value;
	m->count++;
	return 1;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	struct strmap_bucket *b = strmap_find(m, key, strmap_hash(key));
	return b->key != NULL ? b->value : NULL;
}

bool strmap_has(const struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return false;
	return strmap_find(m, key, strmap_hash(key))->key != NULL;
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}
