/*
 * lpm.h - longest-prefix-match table: IPv4 prefix -> 32-bit value.
 *
 * The rules (prefix, value) are the truth; the lookup structure is derived
 * from them and may be rebuilt at any time (the DPDK lib/lpm idea).  See
 * lpm.c for the structure and its costs.
 * Ownership: the table owns all its memory (lpm_destroy); values are the
 * caller's 32-bit numbers, never pointers it frees.  Costs: lookup O(1),
 * insert and remove O(rules in the range touched); see lpm.c.
 */
#ifndef SIM_LPM_H
#define SIM_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

struct lpm;

struct lpm *lpm_create(void);
void lpm_destroy(struct lpm *t); /* NULL is a no-op */
/* Adds or replaces the rule for p. Returns 0, or -1 when out of memory. */
int lpm_insert(struct lpm *t, struct prefix p, uint32_t value);
/* Removes the rule for p. Returns true when it existed. */
bool lpm_remove(struct lpm *t, struct prefix p);
/* Longest matching rule for addr: true and *value set, or false. */
bool lpm_lookup(const struct lpm *t, uint32_t addr, uint32_t *value);
/* The rule matched, for callers that need its prefix too. */
bool lpm_lookup_prefix(const struct lpm *t, uint32_t addr, struct prefix *matched, uint32_t *value);
size_t lpm_rule_count(const struct lpm *t);
void lpm_clear(struct lpm *t);

#endif
