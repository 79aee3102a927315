/*
 * test_prefix.c - the strict prefix parser, formatting and set relations.
 *
 * Tables first (boundaries: /0, /32, 0.0.0.0, 255.255.255.255, then every
 * kind of malformed text the parser must refuse), then two properties on
 * generated input: any text the parser accepts is canonical (formatting the
 * result gives the text back), and format -> parse is the identity.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

struct parse_case {
	const char *text;
	enum prefix_status st;
	uint32_t addr; /* expected *out (masked) unless PREFIX_ESYNTAX */
	uint8_t len;
};

static const struct parse_case parse_cases[] = {
	/* boundaries */
	{"0.0.0.0/0", PREFIX_OK, 0, 0},
	{"255.255.255.255/32", PREFIX_OK, 0xffffffffu, 32},
	{"0.0.0.0/32", PREFIX_OK, 0, 32},
	{"128.0.0.0/1", PREFIX_OK, 0x80000000u, 1},
	{"255.255.255.254/31", PREFIX_OK, 0xfffffffeu, 31},
	{"10.0.0.0/8", PREFIX_OK, IP(10, 0, 0, 0), 8},
	{"192.168.1.1/32", PREFIX_OK, IP(192, 168, 1, 1), 32},
	{"172.16.0.0/12", PREFIX_OK, IP(172, 16, 0, 0), 12},
	{"100.64.0.0/10", PREFIX_OK, IP(100, 64, 0, 0), 10},
	/* host bits: refused, but *out holds the masked prefix */
	{"10.0.0.5/24", PREFIX_EHOSTBITS, IP(10, 0, 0, 0), 24},
	{"255.255.255.255/0", PREFIX_EHOSTBITS, 0, 0},
	{"0.0.0.1/31", PREFIX_EHOSTBITS, 0, 31},
	{"1.0.0.0/1", PREFIX_EHOSTBITS, 0, 1},
	{"10.1.0.0/8", PREFIX_EHOSTBITS, IP(10, 0, 0, 0), 8},
	{"255.255.255.255/31", PREFIX_EHOSTBITS, 0xfffffffeu, 31},
	/* syntax: the cases the parser exists to refuse */
	{"", PREFIX_ESYNTAX, 0, 0},
	{"010.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/08", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{" 10.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/8 ", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/33", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.256/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/8x", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/8\n", PREFIX_ESYNTAX, 0, 0},
	{"+10.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"-1.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/+8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/-0", PREFIX_ESYNTAX, 0, 0},
	{"10.+0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/", PREFIX_ESYNTAX, 0, 0},
	{"/8", PREFIX_ESYNTAX, 0, 0},
	{"/", PREFIX_ESYNTAX, 0, 0},
	{".", PREFIX_ESYNTAX, 0, 0},
	{"10..0.0/8", PREFIX_ESYNTAX, 0, 0},
	{".10.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0./8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0//8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/8/", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/8/8", PREFIX_ESYNTAX, 0, 0},
	{"1000.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/100", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/0032", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/00", PREFIX_ESYNTAX, 0, 0},
	{"00.0.0.0/0", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.00/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.000/8", PREFIX_ESYNTAX, 0, 0},
	{"0x0a.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10,0,0,0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0 /8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/ 8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0\t/8", PREFIX_ESYNTAX, 0, 0},
	{"4294967296.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"99999999999999999999999.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/99999999999999999999999", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/4294967304", PREFIX_ESYNTAX, 0, 0}, /* 2^32 + 8 must not wrap to 8 */
	{"256.0.0.0/8", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/8\xff", PREFIX_ESYNTAX, 0, 0},
	{"\xd9\xa1.0.0.0/8", PREFIX_ESYNTAX, 0, 0}, /* ARABIC-INDIC DIGIT ONE */
	{"１0.0.0.0/8", PREFIX_ESYNTAX, 0, 0},       /* FULLWIDTH DIGIT ONE */
	{"10.0.0.0/8.0", PREFIX_ESYNTAX, 0, 0},
	{"10.0.0.0/1e1", PREFIX_ESYNTAX, 0, 0},
	{"10 .0.0.0/8", PREFIX_ESYNTAX, 0, 0},
};

Test(prefix, parse_table)
{
	for (size_t i = 0; i < NELEM(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct prefix out = {.addr = 0xdeadbeefu, .len = 99};
		enum prefix_status st = prefix_parse(c->text, &out);
		cr_expect_eq(st, c->st, "prefix_parse(\"%s\") = %d, want %d", c->text, st, c->st);
		if (c->st == PREFIX_ESYNTAX) {
			/* documented in prefix.c: untouched on a syntax error */
			cr_expect(out.addr == 0xdeadbeefu && out.len == 99, "\"%s\" wrote *out",
				  c->text);
		} else {
			cr_expect(out.addr == c->addr && out.len == c->len,
				  "\"%s\" gave %08x/%u, want %08x/%u", c->text, out.addr, out.len,
				  c->addr, c->len);
		}
	}
}

Test(prefix, parse_null_and_embedded_nul)
{
	struct prefix out;
	static const char embedded[] = "10.0.0.0\0/8";

	cr_expect_eq(prefix_parse(NULL, &out), PREFIX_ESYNTAX);
	cr_expect_eq(prefix_parse(embedded, &out), PREFIX_ESYNTAX);
}

Test(prefix, parse_every_length)
{
	char buf[32];
	struct prefix out;

	for (unsigned len = 0; len <= 32; len++) {
		snprintf(buf, sizeof(buf), "0.0.0.0/%u", len);
		cr_expect_eq(prefix_parse(buf, &out), PREFIX_OK, "%s", buf);
		cr_expect_eq(out.len, len);
		snprintf(buf, sizeof(buf), "255.255.255.255/%u", len);
		enum prefix_status want = len == 32 ? PREFIX_OK : PREFIX_EHOSTBITS;
		cr_expect_eq(prefix_parse(buf, &out), want, "%s", buf);
		cr_expect_eq(out.addr, prefix_mask((uint8_t)len), "%s", buf);
	}
	for (unsigned len = 33; len < 1000; len++) {
		snprintf(buf, sizeof(buf), "0.0.0.0/%u", len);
		cr_expect_eq(prefix_parse(buf, &out), PREFIX_ESYNTAX, "%s", buf);
	}
}

Test(prefix, parse_every_octet)
{
	char buf[32];
	uint32_t a;

	for (unsigned v = 0; v < 1000; v++) {
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", v, v, v, v);
		int rc = ipv4_parse(buf, &a);
		cr_expect_eq(rc, v <= 255 ? 0 : PREFIX_ESYNTAX, "%s", buf);
		if (v <= 255)
			cr_expect_eq(a, IP(v, v, v, v));
		snprintf(buf, sizeof(buf), "0%u.0.0.0", v);
		cr_expect_eq(ipv4_parse(buf, &a), PREFIX_ESYNTAX, "%s", buf);
	}
}

struct ipv4_case {
	const char *text;
	int rc;
	uint32_t addr;
};

static const struct ipv4_case ipv4_cases[] = {
	{"0.0.0.0", 0, 0},
	{"255.255.255.255", 0, 0xffffffffu},
	{"1.2.3.4", 0, IP(1, 2, 3, 4)},
	{"10.0.0.1", 0, IP(10, 0, 0, 1)},
	{"", PREFIX_ESYNTAX, 0},
	{"1.2.3", PREFIX_ESYNTAX, 0},
	{"1.2.3.4.5", PREFIX_ESYNTAX, 0},
	{"1.2.3.4/32", PREFIX_ESYNTAX, 0},
	{"01.2.3.4", PREFIX_ESYNTAX, 0},
	{"256.0.0.0", PREFIX_ESYNTAX, 0},
	{"1.2.3.4 ", PREFIX_ESYNTAX, 0},
	{" 1.2.3.4", PREFIX_ESYNTAX, 0},
	{"1.2.3.-4", PREFIX_ESYNTAX, 0},
	{"1.2.3.+4", PREFIX_ESYNTAX, 0},
	{"1.2.3.", PREFIX_ESYNTAX, 0},
	{"1..3.4", PREFIX_ESYNTAX, 0},
	{"0x1.2.3.4", PREFIX_ESYNTAX, 0},
	{"16909060", PREFIX_ESYNTAX, 0}, /* inet_aton would take 1.2.3.4 */
};

Test(prefix, ipv4_parse_table)
{
	for (size_t i = 0; i < NELEM(ipv4_cases); i++) {
		const struct ipv4_case *c = &ipv4_cases[i];
		uint32_t a = 0x12345678u;
		int rc = ipv4_parse(c->text, &a);
		cr_expect_eq(rc, c->rc, "ipv4_parse(\"%s\") = %d", c->text, rc);
		cr_expect_eq(a, c->rc == 0 ? c->addr : 0x12345678u, "\"%s\"", c->text);
	}
	uint32_t a;
	cr_expect_eq(ipv4_parse(NULL, &a), PREFIX_ESYNTAX);
}

Test(prefix, mask_table)
{
	static const struct {
		uint8_t len;
		uint32_t mask;
	} cases[] = {
		{0, 0},
		{1, 0x80000000u},
		{7, 0xfe000000u},
		{8, 0xff000000u},
		{16, 0xffff0000u},
		{24, 0xffffff00u},
		{31, 0xfffffffeu},
		{32, 0xffffffffu},
		{33, 0xffffffffu}, /* not a length; clamped rather than undefined */
		{255, 0xffffffffu},
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(prefix_mask(cases[i].len), cases[i].mask, "mask(%u)", cases[i].len);
}

Test(prefix, last_address)
{
	cr_expect_eq(prefix_last((struct prefix){0, 0}), 0xffffffffu);
	cr_expect_eq(prefix_last((struct prefix){IP(10, 0, 0, 0), 8}), IP(10, 255, 255, 255));
	cr_expect_eq(prefix_last((struct prefix){IP(10, 1, 2, 3), 32}), IP(10, 1, 2, 3));
	cr_expect_eq(prefix_last((struct prefix){0xffffffffu, 32}), 0xffffffffu);
	cr_expect_eq(prefix_last((struct prefix){IP(10, 0, 0, 128), 25}), IP(10, 0, 0, 255));
}

Test(prefix, format_table)
{
	static const struct {
		struct prefix p;
		const char *text;
	} cases[] = {
		{{0, 0}, "0.0.0.0/0"},
		{{0xffffffffu, 32}, "255.255.255.255/32"},
		{{IP(10, 0, 0, 0), 8}, "10.0.0.0/8"},
		{{IP(192, 168, 100, 128), 25}, "192.168.100.128/25"},
	};
	char buf[PREFIX_STRLEN];
	char ip[IPV4_STRLEN];

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_str_eq(prefix_format(cases[i].p, buf), cases[i].text);
	cr_expect_str_eq(ipv4_format(0, ip), "0.0.0.0");
	cr_expect_str_eq(ipv4_format(0xffffffffu, ip), "255.255.255.255");
	cr_expect_str_eq(ipv4_format(IP(1, 20, 255, 0), ip), "1.20.255.0");
	cr_expect_eq(prefix_format(cases[0].p, buf), buf);
	cr_expect_eq(ipv4_format(0, ip), ip);
}

/* Octets are formatted by hand (no printf): every value of every octet,
 * with each length, gives printf's text, and the _put forms write the same
 * characters and return their end. */
Test(prefix, format_every_octet)
{
	char buf[PREFIX_STRLEN], ip[IPV4_STRLEN], want[32];

	for (unsigned pos = 0; pos < 4; pos++)
		for (unsigned v = 0; v < 256; v++) {
			unsigned o[4] = {7, 70, 200, 0};
			o[pos] = v;
			uint32_t a = IP(o[0], o[1], o[2], o[3]);
			snprintf(want, sizeof(want), "%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
			cr_assert_str_eq(ipv4_format(a, ip), want);
			cr_assert_eq(ipv4_put(a, buf), buf + strlen(want));
			cr_assert_eq(memcmp(buf, want, strlen(want)), 0);
			for (unsigned len = 0; len <= 32; len++) {
				struct prefix p = {a, (uint8_t)len};
				snprintf(want, sizeof(want), "%u.%u.%u.%u/%u", o[0], o[1], o[2], o[3], len);
				cr_assert_str_eq(prefix_format(p, buf), want);
				memset(buf, 'x', sizeof(buf));
				cr_assert_eq(prefix_put(p, buf), buf + strlen(want));
				cr_assert_eq(memcmp(buf, want, strlen(want)), 0);
			}
		}
}

Test(prefix, strerror)
{
	const char *ok = prefix_strerror(PREFIX_OK);
	const char *syn = prefix_strerror(PREFIX_ESYNTAX);
	const char *host = prefix_strerror(PREFIX_EHOSTBITS);

	cr_assert(ok != NULL && syn != NULL && host != NULL);
	cr_expect(strcmp(syn, host) != 0);
	cr_expect(strlen(syn) > 0 && strlen(host) > 0);
	cr_expect(prefix_strerror((enum prefix_status)42) != NULL);
}

struct rel_case {
	struct prefix a, b;
	bool a_contains_b, b_contains_a, overlap;
};

static const struct rel_case rel_cases[] = {
	/* /0 contains everything, including itself and /32s at both ends */
	{{0, 0}, {0, 0}, true, true, true},
	{{0, 0}, {0, 32}, true, false, true},
	{{0, 0}, {0xffffffffu, 32}, true, false, true},
	/* host routes */
	{{IP(10, 0, 0, 1), 32}, {IP(10, 0, 0, 1), 32}, true, true, true},
	{{IP(10, 0, 0, 1), 32}, {IP(10, 0, 0, 2), 32}, false, false, false},
	{{IP(10, 0, 0, 0), 24}, {IP(10, 0, 0, 255), 32}, true, false, true},
	{{IP(10, 0, 0, 0), 24}, {IP(10, 0, 1, 0), 32}, false, false, false},
	/* nesting */
	{{IP(10, 0, 0, 0), 8}, {IP(10, 1, 0, 0), 16}, true, false, true},
	{{IP(10, 0, 0, 0), 8}, {IP(10, 0, 0, 0), 9}, true, false, true},
	/* disjoint and adjacent */
	{{IP(10, 0, 0, 0), 8}, {IP(11, 0, 0, 0), 8}, false, false, false},
	{{IP(10, 0, 0, 0), 25}, {IP(10, 0, 0, 128), 25}, false, false, false},
	{{0, 1}, {0x80000000u, 1}, false, false, false},
	{{IP(10, 0, 0, 0), 9}, {IP(10, 128, 0, 0), 9}, false, false, false},
};

Test(prefix, relations_table)
{
	for (size_t i = 0; i < NELEM(rel_cases); i++) {
		const struct rel_case *c = &rel_cases[i];
		cr_expect_eq(prefix_contains(c->a, c->b), c->a_contains_b, "case %zu", i);
		cr_expect_eq(prefix_contains(c->b, c->a), c->b_contains_a, "case %zu", i);
		cr_expect_eq(prefix_overlaps(c->a, c->b), c->overlap, "case %zu", i);
		cr_expect_eq(prefix_overlaps(c->b, c->a), c->overlap, "case %zu", i);
		cr_expect_eq(prefix_equal(c->a, c->b), c->a_contains_b && c->b_contains_a,
			     "case %zu", i);
	}
}

Test(prefix, contains_addr_boundaries)
{
	struct prefix p = {IP(10, 1, 0, 0), 16};

	cr_expect(prefix_contains_addr(p, IP(10, 1, 0, 0)));
	cr_expect(prefix_contains_addr(p, IP(10, 1, 255, 255)));
	cr_expect(!prefix_contains_addr(p, IP(10, 0, 255, 255)));
	cr_expect(!prefix_contains_addr(p, IP(10, 2, 0, 0)));
	cr_expect(prefix_contains_addr((struct prefix){0, 0}, 0));
	cr_expect(prefix_contains_addr((struct prefix){0, 0}, 0xffffffffu));
	cr_expect(prefix_contains_addr((struct prefix){0xffffffffu, 32}, 0xffffffffu));
	cr_expect(!prefix_contains_addr((struct prefix){0xffffffffu, 32}, 0xfffffffeu));
	cr_expect(!prefix_contains_addr((struct prefix){0, 32}, 1));
}

Test(prefix, compare_order)
{
	struct prefix v[] = {
		{IP(10, 0, 0, 0), 16}, {0xffffffffu, 32}, {IP(10, 0, 0, 0), 8}, {0, 32},
		{IP(9, 255, 255, 255), 32}, {0, 0},   {IP(10, 0, 0, 0), 32}, {IP(10, 0, 0, 0), 8},
	};
	static const struct prefix want[] = {
		{0, 0}, {0, 32}, {IP(9, 255, 255, 255), 32}, {IP(10, 0, 0, 0), 8},
		{IP(10, 0, 0, 0), 8}, {IP(10, 0, 0, 0), 16}, {IP(10, 0, 0, 0), 32},
		{0xffffffffu, 32},
	};

	qsort(v, NELEM(v), sizeof(v[0]), prefix_cmp_qsort);
	for (size_t i = 0; i < NELEM(v); i++)
		cr_expect(prefix_equal(v[i], want[i]), "position %zu", i);
	cr_expect_lt(prefix_compare((struct prefix){1, 32}, (struct prefix){2, 32}), 0);
	cr_expect_gt(prefix_compare((struct prefix){0, 8}, (struct prefix){0, 0}), 0);
	cr_expect_eq(prefix_compare((struct prefix){0, 8}, (struct prefix){0, 8}), 0);
	/* unsigned order: 128.0.0.0 after 127.255.255.255 */
	struct prefix hi = {0x80000000u, 1}, lo = {0x7fffffffu, 32};
	cr_expect_gt(prefix_compare(hi, lo), 0);
}

/* xorshift64*: deterministic input generator for the properties below. */
static uint64_t test_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

Test(prefix, format_parse_roundtrip)
{
	uint64_t s = 42;
	char buf[PREFIX_STRLEN];

	for (int i = 0; i < 200000; i++) {
		uint64_t x = test_next(&s);
		uint8_t len = (uint8_t)(x % 33);
		struct prefix p = {(uint32_t)(x >> 32) & prefix_mask(len), len};
		struct prefix q;
		cr_assert_eq(prefix_parse(prefix_format(p, buf), &q), PREFIX_OK, "%s", buf);
		cr_assert(prefix_equal(p, q), "%s", buf);
	}
}

/* Random text over the characters the grammar uses (and a few it does not):
 * whatever is accepted must be canonical, i.e. format gives the text back. */
Test(prefix, accepted_text_is_canonical)
{
	static const char alphabet[] = "0123456789./0123456789...///-+ x";
	uint64_t s = 7;
	char text[32];
	char buf[PREFIX_STRLEN];
	char ip[IPV4_STRLEN];
	int accepted = 0;

	for (int i = 0; i < 500000; i++) {
		size_t n = (size_t)(test_next(&s) % 24);
		for (size_t k = 0; k < n; k++)
			text[k] = alphabet[test_next(&s) % (sizeof(alphabet) - 1)];
		text[n] = '\0';
		struct prefix p;
		if (prefix_parse(text, &p) == PREFIX_OK) {
			accepted++;
			cr_assert_str_eq(prefix_format(p, buf), text);
		}
		uint32_t a;
		if (ipv4_parse(text, &a) == 0)
			cr_assert_str_eq(ipv4_format(a, ip), text);
	}
	/* Well-formed text must also come up: build it from numbers. */
	for (int i = 0; i < 100000; i++) {
		uint64_t x = test_next(&s);
		snprintf(text, sizeof(text), "%u.%u.%u.%u/%u", (unsigned)(x % 300),
			 (unsigned)(x >> 9) % 300, (unsigned)(x >> 18) % 300,
			 (unsigned)(x >> 27) % 300, (unsigned)(x >> 36) % 40);
		struct prefix p;
		enum prefix_status st = prefix_parse(text, &p);
		if (st == PREFIX_OK) {
			accepted++;
			cr_assert_str_eq(prefix_format(p, buf), text);
		} else if (st == PREFIX_EHOSTBITS) {
			cr_assert(p.len <= 32 && (p.addr & ~prefix_mask(p.len)) == 0, "%s", text);
		}
	}
	cr_expect_gt(accepted, 1000);
}

/* Arbitrary bytes (any value but NUL), up to 63 of them: never a crash (the
 * sanitizer build checks every read), and with this seed never a valid
 * prefix by accident. */
Test(prefix, arbitrary_bytes)
{
	uint64_t s = 3;
	char text[64];
	struct prefix p;
	uint32_t a;

	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)(test_next(&s) % sizeof(text));
		for (size_t k = 0; k < n; k++)
			text[k] = (char)(1 + test_next(&s) % 255);
		text[n] = '\0';
		cr_assert_eq(prefix_parse(text, &p), PREFIX_ESYNTAX, "%s", text);
		cr_assert_eq(ipv4_parse(text, &a), PREFIX_ESYNTAX, "%s", text);
	}
}

Test(prefix, sort_unique)
{
	struct prefix v[] = { { IP(10, 1, 0, 0), 16 }, { IP(10, 0, 0, 0), 8 },
			      { IP(10, 1, 0, 0), 16 }, { IP(10, 0, 0, 0), 16 },
			      { IP(10, 0, 0, 0), 8 } };
	size_t n = prefix_sort_unique(v, 5);
	cr_assert_eq(n, 3);
	cr_expect(prefix_equal(v[0], (struct prefix){ IP(10, 0, 0, 0), 8 }));
	cr_expect(prefix_equal(v[1], (struct prefix){ IP(10, 0, 0, 0), 16 }));
	cr_expect(prefix_equal(v[2], (struct prefix){ IP(10, 1, 0, 0), 16 }));
	cr_expect_eq(prefix_sort_unique(v, 0), 0);
}
