/*
 * strmap.h - string -> pointer hash map (open addressing, linear probing,
 * FNV-1a).  Keys are borrowed: the caller keeps them alive (they usually
 * live in the scenario arena).  O(1) expected per operation; grows at 3/4.
 */
#ifndef SIM_STRMAP_H
#define SIM_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap;

struct strmap *strmap_create(void);
void strmap_destroy(struct strmap *m); /* NULL is a no-op */
/* Inserts key if absent.  Returns 1 inserted, 0 already present (value
 * unchanged), -1 out of memory. */
int strmap_put(struct strmap *m, const char *key, void *value);
void *strmap_get(const struct strmap *m, const char *key);
bool strmap_has(const struct strmap *m, const char *key);
size_t strmap_count(const struct strmap *m);

#endif
