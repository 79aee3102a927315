/*
 * prefix.c - IPv4 addresses and CIDR prefixes: strict parsing, formatting
 * and set relations.
 *
 * The parsers see untrusted text (scenario files, command lines), so they
 * are written as a small hand-rolled scanner over the characters rather than
 * on top of strtoul/sscanf/inet_pton: those accept leading spaces, signs,
 * octal ("010"), fewer than four parts ("10.1") or hex, and silently wrap on
 * overflow.  The grammar accepted is exactly
 *
 *	prefix = octet "." octet "." octet "." octet "/" length
 *	octet  = "0" | [1-9] [0-9]{0,2}     with value <= 255
 *	length = "0" | [1-9] [0-9]?         with value <= 32
 *
 * and nothing before or after it.  Every digit run is capped at three
 * characters before its value is computed, so no input can overflow.
 *
 * Masks are computed without shifting a 32-bit value by 32 (undefined
 * behaviour in C): length 0 is a special case.  Nothing here allocates; all
 * functions are O(length of the text) or O(1).
 */
#include "prefix.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Scans one decimal number of at most max_digits digits, without a leading
 * zero unless the number is "0" itself, and with value <= max_value.
 * Advances *sp past the digits.  Returns the value, or -1 on a syntax error.
 */
static long prefix_scan_number(const char **sp, int max_digits, long max_value)
{
	const char *s = *sp;
	long v = 0;
	int n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == max_digits)
			return -1; /* too many digits: refuse before the value can grow */
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0)
		return -1;
	if (n > 1 && s[0] == '0')
		return -1; /* leading zero: "010" would be octal to inet_aton */
	if (v > max_value)
		return -1;
	*sp = s + n;
	return v;
}

/* Scans a dotted quad at *sp and advances past it.  Returns 0 or -1. */
static int prefix_scan_ipv4(const char **sp, uint32_t *out)
{
	const char *s = *sp;
	uint32_t addr = 0;

	for (int i = 0; i < 4; i++) {
		if (i > 0) {
			if (*s != '.')
				return -1;
			s++;
		}
		long octet = prefix_scan_number(&s, 3, 255);
		if (octet < 0)
			return -1;
		addr = (addr << 8) | (uint32_t)octet;
	}
	*sp = s;
	*out = addr;
	return 0;
}

int ipv4_parse(const char *s, uint32_t *out)
{
	uint32_t addr;

	if (s == NULL || prefix_scan_ipv4(&s, &addr) < 0 || *s != '\0')
		return PREFIX_ESYNTAX;
	*out = addr;
	return 0;
}

/* On PREFIX_ESYNTAX *out is left untouched. */
enum prefix_status prefix_parse(const char *s, struct prefix *out)
{
	uint32_t addr;

	if (s == NULL || prefix_scan_ipv4(&s, &addr) < 0 || *s != '/')
		return PREFIX_ESYNTAX;
	s++;
	long len = prefix_scan_number(&s, 2, 32);
	if (len < 0 || *s != '\0')
		return PREFIX_ESYNTAX;

	uint32_t mask = prefix_mask((uint8_t)len);
	out->addr = addr & mask;
	out->len = (uint8_t)len;
	return (addr & ~mask) != 0 ? PREFIX_EHOSTBITS : PREFIX_OK;
}

/* Decimal octets by hand: printf's parsing of its format was most of the
 * time of rendering route tables (a JSON row holds up to three of these). */
static char *put_octet(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		*p++ = (char)('0' + v / 10);
	} else if (v >= 10) {
		*p++ = (char)('0' + v / 10);
	}
	*p++ = (char)('0' + v % 10);
	return p;
}

char *ipv4_put(uint32_t addr, char *p)
{
	p = put_octet(p, addr >> 24);
	*p++ = '.';
	p = put_octet(p, (addr >> 16) & 0xffu);
	*p++ = '.';
	p = put_octet(p, (addr >> 8) & 0xffu);
	*p++ = '.';
	return put_octet(p, addr & 0xffu);
}

char *prefix_put(struct prefix p, char *out)
{
	/* len > 32 is not a prefix; clamping it keeps the text within
	 * PREFIX_STRLEN. */
	assert(p.len <= 32);
	out = ipv4_put(p.addr, out);
	*out++ = '/';
	return put_octet(out, p.len <= 32 ? p.len : 32);
}

char *ipv4_format(uint32_t addr, char buf[IPV4_STRLEN])
{
	*ipv4_put(addr, buf) = '\0';
	return buf;
}

char *prefix_format(struct prefix p, char buf[PREFIX_STRLEN])
{
	*prefix_put(p, buf) = '\0';
	return buf;
}

const char *prefix_strerror(enum prefix_status st)
{
	switch (st) {
	case PREFIX_OK:
		return "ok";
	case PREFIX_ESYNTAX:
		return "not an IPv4 prefix a.b.c.d/n (decimal octets 0-255, length 0-32, "
		       "no leading zeros)";
	case PREFIX_EHOSTBITS:
		return "host bits set past the prefix length";
	}
	return "unknown prefix error";
}

/* Lengths above 32 are treated as 32 rather than shifting out of range. */
uint32_t prefix_mask(uint8_t len)
{
	if (len == 0)
		return 0; /* UINT32_MAX << 32 would be undefined */
	if (len >= 32)
		return UINT32_MAX;
	return UINT32_MAX << (32 - len);
}

bool prefix_contains(struct prefix outer, struct prefix inner)
{
	return outer.len <= inner.len && ((outer.addr ^ inner.addr) & prefix_mask(outer.len)) == 0;
}

bool prefix_contains_addr(struct prefix p, uint32_t addr)
{
	return ((p.addr ^ addr) & prefix_mask(p.len)) == 0;
}

/* Two prefixes overlap exactly when one contains the other: CIDR blocks
 * nest or are disjoint. */
bool prefix_overlaps(struct prefix a, struct prefix b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

int prefix_compare(struct prefix a, struct prefix b)
{
	if (a.addr != b.addr)
		return a.addr < b.addr ? -1 : 1;
	if (a.len != b.len)
		return a.len < b.len ? -1 : 1;
	return 0;
}

int prefix_cmp_qsort(const void *a, const void *b)
{
	return prefix_compare(*(const struct prefix *)a, *(const struct prefix *)b);
}

size_t prefix_sort_unique(struct prefix *v, size_t n)
{
	/* Lists are often sorted already (a topology's VNets in address
	 * order): an O(n) check saves the O(n log n) sort. */
	size_t sorted = 1;
	while (sorted < n && prefix_compare(v[sorted - 1], v[sorted]) <= 0)
		sorted++;
	if (sorted < n)
		qsort(v, n, sizeof(*v), prefix_cmp_qsort);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || !prefix_equal(v[k - 1], v[i]))
			v[k++] = v[i];
	return k;
}
