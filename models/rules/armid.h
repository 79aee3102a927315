/*
 * armid.h - Azure Resource Manager resource IDs as references (RULES 2.1.1).
 *
 * What it models: ARM names every resource
 *   /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{child}/{name}]...
 * and compares IDs case-insensitively.  A topology keeps, next to each
 * object's scenario name, the ID the input gave it; lookups take either.
 * This module only reads and normalises ID strings: the key an ID is
 * indexed under (lower case, no trailing '/'), its resource type path
 * ("virtualnetworks/subnets"), its scope and its names.
 *
 * Invariants: armid_key of two spellings of one ID (any letter case, a
 * trailing '/') is the same string; a key's type path and names come from
 * the key alone.
 *
 * Ownership: nothing is kept; parsed parts point into the string given.
 * Costs: linear in the ID's length.
 */
#ifndef RULES_ARMID_H
#define RULES_ARMID_H

#include <stdbool.h>
#include <stddef.h>

#define ARMID_MAX_LEVELS 4             /* type/name pairs: vnet/subnet is 2 */

struct armid {                         /* an ID's parts, pointing into it */
	const char *sub, *rg, *ns;     /* subscription, resource group, provider namespace */
	size_t sub_len, rg_len, ns_len;
	size_t levels;                 /* type/name pairs after the namespace */
	const char *type[ARMID_MAX_LEVELS], *name[ARMID_MAX_LEVELS];
	size_t type_len[ARMID_MAX_LEVELS], name_len[ARMID_MAX_LEVELS];
};

/* s starts like an ARM resource ID ("/subscriptions/", any case). */
bool armid_is(const char *s);
/* Parses a resource ID of a resource group; false (with *why set to a
 * phrase: "no resource group") when it is not one. */
bool armid_parse(const char *s, struct armid *out, const char **why);
/* The ID's index key into buf (size bytes): lower case, trailing '/'
 * dropped.  False when it does not fit. */
bool armid_key(const char *s, char *buf, size_t size);
/* The type path of a parsed ID, lower case, '/'-joined, into buf:
 * "virtualnetworks/subnets".  False when it does not fit. */
bool armid_type_path(const struct armid *id, char *buf, size_t size);
/* The names of a parsed ID joined with '/' into buf: "hub/app".  False
 * when it does not fit. */
bool armid_short(const struct armid *id, char *buf, size_t size);
/* Case-insensitive equality of n bytes of a with the string b. */
bool armid_part_is(const char *a, size_t n, const char *b);

#endif
