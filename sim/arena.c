/*
 * arena.c - region allocator (BIRD's linear pools).
 *
 * Structure: a singly linked list of malloc'd blocks, newest first.  The
 * head block is the current one; an allocation bumps its `used` offset.
 * When the request does not fit, a new block twice the size of the last
 * ordinary one (from ARENA_BLOCK_MIN up to ARENA_BLOCK_MAX) becomes the
 * head.  A request larger than a quarter of the ordinary block size gets a
 * block of its own, linked *behind* the head so the head's free space is
 * not abandoned.
 *
 * Invariants: every pointer handed out is 16-byte aligned (the alignment is
 * computed on the address, so it does not depend on malloc's guarantee);
 * 0 <= used <= size in every block; nothing is freed before arena_destroy.
 *
 * Costs: arena_alloc is O(1); the waste is at most the tail of each full
 * block plus 15 bytes of padding per allocation.  arena_destroy is O(blocks).
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_BLOCK_MIN 4096            /* first ordinary block, bytes of payload */
#define ARENA_BLOCK_MAX (1024 * 1024)   /* ordinary blocks stop doubling here */

struct arena_block {
	struct arena_block *next; /* older block, NULL at the end of the list */
	size_t size;              /* payload bytes in data[] */
	size_t used;              /* payload bytes handed out or skipped for alignment */
	unsigned char data[];     /* payload; ARENA_ALIGN - 1 extra bytes allocated for padding */
};

struct arena {
	struct arena_block *head; /* current block, NULL before the first allocation */
	size_t next_size;         /* payload size of the next ordinary block */
	size_t bytes;             /* bytes handed out (requested sizes), for stats */
};

struct arena *arena_create(void)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->next_size = ARENA_BLOCK_MIN;
	return a;
}

void arena_destroy(struct arena *a)
{
	if (a == NULL)
		return;
	struct arena_block *b = a->head;
	while (b != NULL) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

/* Bytes to skip at b->data + b->used so the next pointer is aligned. */
static size_t arena_pad(const struct arena_block *b)
{
	uintptr_t p = (uintptr_t)(b->data + b->used);

	return (size_t)(-p & (ARENA_ALIGN - 1));
}

static struct arena_block *arena_block_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(struct arena_block) - (ARENA_ALIGN - 1))
		return NULL;
	struct arena_block *b = malloc(sizeof(*b) + size + (ARENA_ALIGN - 1));
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->size = size + (ARENA_ALIGN - 1);
	b->used = 0;
	return b;
}

void *arena_alloc(struct arena *a, size_t size)
{
	if (size == 0)
		size = 1; /* distinct, non-NULL pointers for empty objects */
	if (size > SIZE_MAX / 2)
		return NULL;

	struct arena_block *b = a->head;
	if (b != NULL) {
		size_t pad = arena_pad(b);
		if (b->size - b->used >= pad && b->size - b->used - pad >= size) {
			void *p = b->data + b->used + pad;
			b->used += pad + size;
			a->bytes += size;
			return p;
		}
	}

	if (size > a->next_size / 4) {
		/* Big request: its own block, behind the head when there is one. */
		struct arena_block *big = arena_block_new(size);
		if (big == NULL)
			return NULL;
		size_t bpad = arena_pad(big);
		big->used = bpad + size;
		if (a->head != NULL) {
			big->next = a->head->next;
			a->head->next = big;
		} else {
			a->head = big;
		}
		a->bytes += size;
		return big->data + bpad;
	}

	struct arena_block *nb = arena_block_new(a->next_size);
	if (nb == NULL)
		return NULL;
	if (a->next_size < ARENA_BLOCK_MAX)
		a->next_size *= 2;
	nb->next = a->head;
	a->head = nb;
	size_t pad = arena_pad(nb);
	void *p = nb->data + pad;
	nb->used = pad + size;
	a->bytes += size;
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	void *p = arena_alloc(a, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = arena_alloc(a, len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, SIZE_MAX);
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = NULL;
	if (n >= 0) {
		p = arena_alloc(a, (size_t)n + 1);
		if (p != NULL)
			vsnprintf(p, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	return p;
}

size_t arena_bytes(const struct arena *a)
{
	return a->bytes;
}
