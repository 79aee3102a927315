/*
 * arena.h - region allocator.  Everything a scenario load allocates lives
 * in one arena and dies with it (BIRD's pools): a rejected configuration is
 * thrown away whole with one arena_destroy.  Allocation is a pointer bump
 * in the current block; blocks grow geometrically.  Nothing is freed alone.
 * Ownership: everything allocated from an arena belongs to it and is freed
 * only by arena_destroy; pointers into it die with it.  Costs: O(1) per
 * allocation, memory within a factor of two of what was asked.
 */
#ifndef SIM_ARENA_H
#define SIM_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_create(void);
void arena_destroy(struct arena *a); /* NULL is a no-op */
/* 16-byte aligned, never NULL for size 0; NULL only when out of memory or
 * when size would overflow. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t n, size_t size); /* zeroed, checks n*size */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t arena_bytes(const struct arena *a); /* bytes handed out, for stats */

#endif
