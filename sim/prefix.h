/*
 * prefix.h - IPv4 addresses and CIDR prefixes as plain values.
 *
 * A prefix is (addr, len) with addr in host byte order and every bit past
 * len zero: the parser refuses host bits ("10.0.0.5/24" is not a prefix),
 * as Azure does for address prefixes.  Values are compared, hashed and
 * copied freely; nothing here allocates.
 *
 * Parsing is strict: four decimal octets 0..255 without leading zeros or
 * signs or spaces, then "/" and a length 0..32 without leading zeros.
 */
#ifndef SIM_PREFIX_H
#define SIM_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PREFIX_STRLEN 19 /* "255.255.255.255/32" plus NUL */
#define IPV4_STRLEN 16   /* "255.255.255.255" plus NUL */

struct prefix {
	uint32_t addr; /* network address, host byte order, host bits zero */
	uint8_t len;   /* 0..32 */
};

enum prefix_status {
	PREFIX_OK = 0,
	PREFIX_ESYNTAX = -1,   /* not a.b.c.d/n */
	PREFIX_EHOSTBITS = -2, /* bits set past the length */
};

/* Parses "a.b.c.d/n". On PREFIX_EHOSTBITS *out still holds the masked
 * prefix, so a caller can suggest it in its message. */
enum prefix_status prefix_parse(const char *s, struct prefix *out);
/* Parses a dotted quad. Returns 0 or PREFIX_ESYNTAX. */
int ipv4_parse(const char *s, uint32_t *out);

char *prefix_format(struct prefix p, char buf[PREFIX_STRLEN]);
char *ipv4_format(uint32_t addr, char buf[IPV4_STRLEN]);
/* The same text without the NUL at p, which has room for PREFIX_STRLEN - 1
 * (IPV4_STRLEN - 1) characters; returns the end of the text. */
char *prefix_put(struct prefix p, char *out);
char *ipv4_put(uint32_t addr, char *p);
const char *prefix_strerror(enum prefix_status st);

uint32_t prefix_mask(uint8_t len);
static inline uint32_t prefix_last(struct prefix p) { return p.addr | ~prefix_mask(p.len); }
/* outer contains inner (equal counts). */
bool prefix_contains(struct prefix outer, struct prefix inner);
bool prefix_contains_addr(struct prefix p, uint32_t addr);
bool prefix_overlaps(struct prefix a, struct prefix b);
static inline bool prefix_equal(struct prefix a, struct prefix b) { return a.addr == b.addr && a.len == b.len; }
/* Total order: by address, then shorter first. Returns <0, 0, >0. */
int prefix_compare(struct prefix a, struct prefix b);
/* The same, with the signature qsort and bsearch want. */
int prefix_cmp_qsort(const void *a, const void *b);
/* Sorts v[0..n) (prefix_compare order) and drops repeats; returns the new count. */
size_t prefix_sort_unique(struct prefix *v, size_t n);

#endif
