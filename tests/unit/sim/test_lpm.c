/*
 * test_lpm.c - the longest-prefix-match table.
 *
 * Boundaries first (empty table, /0, /32 at both ends of the address
 * space, nesting, replace, remove), then the oracle: random rule sets
 * (seeded, so every run is the same) built by interleaved inserts, replaces
 * and removes, and after each phase every lookup compared with a linear
 * scan over the rules, on the first, last, first - 1 and last + 1 address of
 * every rule and on hundreds of thousands of random addresses.  The sizes go
 * past the point where lpm.c switches its root (a few thousand rules) and
 * back, so both trie shapes and the rebuild between them are compared.
 * Last, out of memory: with realloc failing at every growth in turn
 * (failalloc.h), a failed insert leaves the table answering as before.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "failalloc.h"
#include "lpm.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))
#define MISS UINT32_MAX /* expected value meaning "no match" in the tables */

static struct prefix pfx(uint32_t addr, uint8_t len)
{
	return (struct prefix){.addr = addr, .len = len};
}

/* Looks addr up through both entry points and checks they agree. */
static uint32_t lookup(const struct lpm *t, uint32_t addr)
{
	uint32_t v1 = MISS, v2 = MISS;
	struct prefix m;
	bool hit1 = lpm_lookup(t, addr, &v1);
	bool hit2 = lpm_lookup_prefix(t, addr, &m, &v2);

	cr_assert_eq(hit1, hit2);
	if (!hit1)
		return MISS;
	cr_assert_eq(v1, v2);
	cr_assert(prefix_contains_addr(m, addr));
	return v1;
}

Test(lpm, destroy_null)
{
	lpm_destroy(NULL);
}

Test(lpm, empty_table)
{
	struct lpm *t = lpm_create();
	static const uint32_t addrs[] = {0, 1, IP(10, 0, 0, 1), 0x7fffffffu, 0x80000000u,
					 0xffffffffu};

	cr_assert_not_null(t);
	cr_expect_eq(lpm_rule_count(t), 0);
	for (size_t i = 0; i < NELEM(addrs); i++)
		cr_expect_eq(lookup(t, addrs[i]), MISS);
	cr_expect(!lpm_remove(t, pfx(0, 0)));
	cr_expect(!lpm_remove(t, pfx(0xffffffffu, 32)));
	lpm_clear(t);
	cr_expect_eq(lpm_rule_count(t), 0);
	lpm_destroy(t);
}

Test(lpm, default_route)
{
	struct lpm *t = lpm_create();
	struct prefix m;
	uint32_t v;

	cr_assert_eq(lpm_insert(t, pfx(0, 0), 7), 0);
	cr_expect_eq(lookup(t, 0), 7);
	cr_expect_eq(lookup(t, 0xffffffffu), 7);
	cr_expect_eq(lookup(t, IP(10, 1, 2, 3)), 7);
	cr_assert(lpm_lookup_prefix(t, IP(10, 1, 2, 3), &m, &v));
	cr_expect(prefix_equal(m, pfx(0, 0)));
	cr_expect(lpm_remove(t, pfx(0, 0)));
	cr_expect(!lpm_remove(t, pfx(0, 0)));
	cr_expect_eq(lookup(t, 0), MISS);
	cr_expect_eq(lookup(t, 0xffffffffu), MISS);
	lpm_destroy(t);
}

Test(lpm, host_routes_at_both_ends)
{
	struct lpm *t = lpm_create();

	cr_assert_eq(lpm_insert(t, pfx(0, 32), 1), 0);
	cr_assert_eq(lpm_insert(t, pfx(0xffffffffu, 32), 2), 0);
	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 1), 32), 3), 0);
	cr_expect_eq(lookup(t, 0), 1);
	cr_expect_eq(lookup(t, 1), MISS);
	cr_expect_eq(lookup(t, 0xffffffffu), 2);
	cr_expect_eq(lookup(t, 0xfffffffeu), MISS);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 1)), 3);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 0)), MISS);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 2)), MISS);
	cr_expect_eq(lpm_rule_count(t), 3);
	/* a covering route under the host routes */
	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 0), 24), 4), 0);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 1)), 3);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 0)), 4);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 255)), 4);
	cr_expect_eq(lookup(t, IP(10, 0, 1, 0)), MISS);
	cr_expect(lpm_remove(t, pfx(IP(10, 0, 0, 1), 32)));
	cr_expect_eq(lookup(t, IP(10, 0, 0, 1)), 4);
	lpm_destroy(t);
}

/* Nested rules, one per stride boundary and between them. */
Test(lpm, nested_table)
{
	static const struct {
		struct prefix p;
		uint32_t value;
	} rules[] = {
		{{0, 0}, 0},
		{{IP(10, 0, 0, 0), 7}, 1},
		{{IP(10, 0, 0, 0), 8}, 2},
		{{IP(10, 1, 0, 0), 12}, 3},
		{{IP(10, 1, 0, 0), 16}, 4},
		{{IP(10, 1, 2, 0), 23}, 5},
		{{IP(10, 1, 2, 0), 24}, 6},
		{{IP(10, 1, 2, 0), 28}, 7},
		{{IP(10, 1, 2, 3), 32}, 8},
	};
	static const struct {
		uint32_t addr;
		uint32_t value;
		uint8_t len; /* matched prefix length */
	} probes[] = {
		{IP(10, 1, 2, 3), 8, 32},   {IP(10, 1, 2, 4), 7, 28},   {IP(10, 1, 2, 15), 7, 28},
		{IP(10, 1, 2, 16), 6, 24},  {IP(10, 1, 2, 255), 6, 24}, {IP(10, 1, 3, 0), 5, 23},
		{IP(10, 1, 1, 255), 4, 16}, {IP(10, 1, 255, 255), 4, 16}, {IP(10, 2, 0, 0), 3, 12},
		{IP(10, 15, 255, 255), 3, 12}, {IP(10, 16, 0, 0), 2, 8}, {IP(11, 0, 0, 0), 1, 7},
		{IP(11, 255, 255, 255), 1, 7}, {IP(12, 0, 0, 0), 0, 0},
		{IP(9, 255, 255, 255), 0, 0},
	};
	struct lpm *t = lpm_create();

	/* insert in reverse too: the result must not depend on the order */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < NELEM(rules); i++) {
			size_t k = pass == 0 ? i : NELEM(rules) - 1 - i;
			cr_assert_eq(lpm_insert(t, rules[k].p, rules[k].value), 0);
		}
		cr_expect_eq(lpm_rule_count(t), NELEM(rules));
		for (size_t i = 0; i < NELEM(probes); i++) {
			struct prefix m;
			uint32_t v;
			cr_assert(lpm_lookup_prefix(t, probes[i].addr, &m, &v));
			cr_expect_eq(v, probes[i].value, "pass %d probe %zu", pass, i);
			cr_expect_eq(m.len, probes[i].len, "pass %d probe %zu", pass, i);
		}
		lpm_clear(t);
		cr_expect_eq(lpm_rule_count(t), 0);
		cr_expect_eq(lookup(t, IP(10, 1, 2, 3)), MISS);
	}

	/* removing from the middle falls back to the next shorter rule */
	for (size_t i = 0; i < NELEM(rules); i++)
		cr_assert_eq(lpm_insert(t, rules[i].p, rules[i].value), 0);
	cr_expect(lpm_remove(t, pfx(IP(10, 1, 2, 0), 24)));
	cr_expect_eq(lookup(t, IP(10, 1, 2, 16)), 5);
	cr_expect_eq(lookup(t, IP(10, 1, 2, 3)), 8);
	cr_expect(lpm_remove(t, pfx(IP(10, 1, 2, 0), 23)));
	cr_expect_eq(lookup(t, IP(10, 1, 2, 16)), 4);
	cr_expect(lpm_remove(t, pfx(IP(10, 1, 2, 3), 32)));
	cr_expect_eq(lookup(t, IP(10, 1, 2, 3)), 7);
	cr_expect(lpm_remove(t, pfx(0, 0)));
	cr_expect_eq(lookup(t, IP(12, 0, 0, 0)), MISS);
	cr_expect_eq(lookup(t, IP(10, 1, 2, 3)), 7);
	cr_expect_eq(lpm_rule_count(t), NELEM(rules) - 4);
	lpm_destroy(t);
}

Test(lpm, replace_keeps_one_rule)
{
	struct lpm *t = lpm_create();

	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 0), 8), 1), 0);
	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 0), 16), 2), 0);
	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 0), 8), 3), 0);
	cr_expect_eq(lpm_rule_count(t), 2);
	cr_expect_eq(lookup(t, IP(10, 1, 0, 0)), 3);
	cr_expect_eq(lookup(t, IP(10, 0, 1, 0)), 2);
	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 0), 16), UINT32_MAX - 1), 0);
	cr_expect_eq(lookup(t, IP(10, 0, 1, 0)), UINT32_MAX - 1);
	lpm_destroy(t);
}

Test(lpm, host_bits_are_ignored)
{
	struct lpm *t = lpm_create();

	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 5), 24), 1), 0);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 200)), 1);
	cr_expect(lpm_remove(t, pfx(IP(10, 0, 0, 0), 24)));
	cr_expect_eq(lpm_rule_count(t), 0);
	lpm_destroy(t);
}

Test(lpm, remove_needs_exact_prefix)
{
	struct lpm *t = lpm_create();

	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 0), 16), 1), 0);
	cr_expect(!lpm_remove(t, pfx(IP(10, 0, 0, 0), 8)));
	cr_expect(!lpm_remove(t, pfx(IP(10, 0, 0, 0), 24)));
	cr_expect(!lpm_remove(t, pfx(IP(10, 1, 0, 0), 16)));
	cr_expect_eq(lpm_rule_count(t), 1);
	cr_expect(lpm_remove(t, pfx(IP(10, 0, 0, 0), 16)));
	lpm_destroy(t);
}

/* Adjacent siblings and the two halves of the space. */
Test(lpm, siblings_and_halves)
{
	struct lpm *t = lpm_create();

	cr_assert_eq(lpm_insert(t, pfx(0, 1), 1), 0);
	cr_assert_eq(lpm_insert(t, pfx(0x80000000u, 1), 2), 0);
	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 0), 25), 3), 0);
	cr_assert_eq(lpm_insert(t, pfx(IP(10, 0, 0, 128), 25), 4), 0);
	cr_expect_eq(lookup(t, 0x7fffffffu), 1);
	cr_expect_eq(lookup(t, 0x80000000u), 2);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 127)), 3);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 128)), 4);
	cr_expect_eq(lookup(t, IP(10, 0, 1, 0)), 1);
	cr_expect(lpm_remove(t, pfx(0, 1)));
	cr_expect_eq(lookup(t, IP(10, 0, 1, 0)), MISS);
	cr_expect_eq(lookup(t, IP(10, 0, 0, 128)), 4);
	lpm_destroy(t);
}

Test(lpm, clear_then_reuse)
{
	struct lpm *t = lpm_create();

	for (uint32_t i = 0; i < 5000; i++)
		cr_assert_eq(lpm_insert(t, pfx(i << 12, 20), i), 0);
	cr_expect_eq(lpm_rule_count(t), 5000);
	lpm_clear(t);
	cr_expect_eq(lpm_rule_count(t), 0);
	cr_expect_eq(lookup(t, 0), MISS);
	cr_expect_eq(lookup(t, 4999u << 12), MISS);
	cr_assert_eq(lpm_insert(t, pfx(0, 0), 9), 0);
	cr_expect_eq(lookup(t, 4999u << 12), 9);
	lpm_destroy(t);
}

/* ---- oracle ------------------------------------------------------------- */

struct oracle_rule {
	uint32_t addr;
	uint32_t mask;
	uint32_t value;
	uint8_t len;
};

struct oracle {
	struct oracle_rule *r;
	size_t n, cap;
};

/* xorshift64*: the test's own generator, independent of sim/rng. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static long oracle_find(const struct oracle *o, struct prefix p)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->r[i].addr == p.addr && o->r[i].len == p.len)
			return (long)i;
	return -1;
}

/* The linear scan: the longest rule containing addr. */
static const struct oracle_rule *oracle_lookup(const struct oracle *o, uint32_t addr)
{
	const struct oracle_rule *best = NULL;

	for (size_t i = 0; i < o->n; i++) {
		const struct oracle_rule *r = &o->r[i];
		if ((addr & r->mask) == r->addr && (best == NULL || r->len > best->len))
			best = r;
	}
	return best;
}

static void oracle_insert(struct oracle *o, struct prefix p, uint32_t value)
{
	long i = oracle_find(o, p);

	if (i >= 0) {
		o->r[i].value = value;
		return;
	}
	if (o->n == o->cap) {
		o->cap = o->cap == 0 ? 64 : o->cap * 2;
		o->r = realloc(o->r, o->cap * sizeof(*o->r));
		cr_assert_not_null(o->r);
	}
	o->r[o->n++] = (struct oracle_rule){p.addr, prefix_mask(p.len), value, p.len};
}

static bool oracle_remove(struct oracle *o, struct prefix p)
{
	long i = oracle_find(o, p);

	if (i < 0)
		return false;
	o->r[i] = o->r[--o->n];
	return true;
}

/* A prefix of one of the shapes that stress the trie. */
static struct prefix random_prefix(uint64_t *s, const struct oracle *o)
{
	uint64_t x = next(s);
	uint8_t len;
	uint32_t addr = (uint32_t)(x >> 32);

	switch (x % 16) {
	case 0:
		len = 0;
		break;
	case 1:
	case 2:
		len = 32;
		break;
	case 3:
	case 4:
	case 5:
	case 6:
		/* nested strictly inside an existing rule */
		if (o->n > 0) {
			const struct oracle_rule *parent = &o->r[next(s) % o->n];
			if (parent->len < 32) {
				len = (uint8_t)(parent->len + 1 + next(s) % (32u - parent->len));
				addr = parent->addr | (addr & ~parent->mask);
				break;
			}
		}
		len = (uint8_t)(next(s) % 33);
		break;
	case 7:
	case 8:
		/* clustered in 10.0.0.0/12: dense nodes, many overlaps */
		len = (uint8_t)(12 + next(s) % 21);
		addr = IP(10, 0, 0, 0) | (addr & 0x000fffffu);
		break;
	case 9:
		/* on a stride boundary */
		len = (uint8_t)(8 * (next(s) % 5));
		break;
	default:
		len = (uint8_t)(next(s) % 33);
		break;
	}
	return pfx(addr & prefix_mask(len), len);
}

static void check_addr(const struct lpm *t, const struct oracle *o, uint32_t addr)
{
	const struct oracle_rule *want = oracle_lookup(o, addr);
	struct prefix m;
	uint32_t v, v2;
	bool hit = lpm_lookup_prefix(t, addr, &m, &v);
	bool hit2 = lpm_lookup(t, addr, &v2);

	cr_assert_eq(hit, want != NULL, "addr %08x: hit %d, oracle %d", addr, hit, want != NULL);
	cr_assert_eq(hit2, hit);
	if (want == NULL)
		return;
	cr_assert(m.addr == want->addr && m.len == want->len,
		  "addr %08x: matched %08x/%u, oracle %08x/%u", addr, m.addr, m.len, want->addr,
		  want->len);
	cr_assert_eq(v, want->value, "addr %08x", addr);
	cr_assert_eq(v2, want->value, "addr %08x", addr);
}

/* Every rule's edges and neighbours, then n_random random addresses (half
 * uniform, half inside a random rule).  Returns addresses checked. */
static size_t check_all(const struct lpm *t, const struct oracle *o, uint64_t *s, size_t n_random)
{
	size_t checked = 0;

	cr_assert_eq(lpm_rule_count(t), o->n);
	for (size_t i = 0; i < o->n; i++) {
		uint32_t first = o->r[i].addr;
		uint32_t last = first | ~o->r[i].mask;
		check_addr(t, o, first);
		check_addr(t, o, last);
		check_addr(t, o, first - 1); /* unsigned: wraps at 0.0.0.0 */
		check_addr(t, o, last + 1);
		checked += 4;
	}
	for (size_t i = 0; i < n_random; i++) {
		uint64_t x = next(s);
		uint32_t addr = (uint32_t)x;
		if ((x >> 63) && o->n > 0) {
			const struct oracle_rule *r = &o->r[(x >> 32) % o->n];
			addr = r->addr | ((uint32_t)next(s) & ~r->mask);
		}
		check_addr(t, o, addr);
		checked++;
	}
	return checked;
}

/*
 * One run: `phases` rounds of `ops` random operations, with the mix of
 * inserts and removes given per phase (percent of inserts), each followed by
 * a full comparison.
 */
static size_t oracle_run(uint64_t seed, const int *insert_pct, size_t phases, size_t ops,
			 size_t n_random)
{
	struct lpm *t = lpm_create();
	struct oracle o = {0};
	uint64_t s = seed;
	size_t checked = 0;

	cr_assert_not_null(t);
	for (size_t ph = 0; ph < phases; ph++) {
		for (size_t k = 0; k < ops; k++) {
			uint64_t x = next(&s) % 100;
			if (x < (uint64_t)insert_pct[ph] || o.n == 0) {
				struct prefix p = random_prefix(&s, &o);
				uint32_t v = (uint32_t)next(&s);
				cr_assert_eq(lpm_insert(t, p, v), 0);
				oracle_insert(&o, p, v);
			} else if (x < 95) {
				/* remove an existing rule */
				const struct oracle_rule *r = &o.r[next(&s) % o.n];
				struct prefix p = pfx(r->addr, r->len);
				cr_assert(lpm_remove(t, p));
				cr_assert(oracle_remove(&o, p));
			} else {
				/* remove something that is probably not there */
				struct prefix p = random_prefix(&s, &o);
				cr_assert_eq(lpm_remove(t, p), oracle_remove(&o, p));
			}
		}
		checked += check_all(t, &o, &s, n_random);
	}
	/* Empty it completely, checking along the way: every node must go. */
	while (o.n > 0) {
		const struct oracle_rule *r = &o.r[next(&s) % o.n];
		struct prefix p = pfx(r->addr, r->len);
		cr_assert(lpm_remove(t, p));
		cr_assert(oracle_remove(&o, p));
		if (o.n % 97 == 0)
			checked += check_all(t, &o, &s, 200);
	}
	checked += check_all(t, &o, &s, 1000);
	free(o.r);
	lpm_destroy(t);
	return checked;
}

/* Many small tables (the common case: one per subnet), each grown and
 * shrunk with removes interleaved. */
Test(lpm_oracle, small_tables, .timeout = 600)
{
	static const int mix[] = {90, 70, 50, 30};
	size_t checked = 0;

	for (uint64_t seed = 1; seed <= 300; seed++)
		checked += oracle_run(seed * 0x9e3779b97f4a7c15u, mix, NELEM(mix), 12, 300);
	cr_expect_gt(checked, 300000);
}

/* A medium table with heavy churn. */
Test(lpm_oracle, medium_table_churn, .timeout = 600)
{
	static const int mix[] = {95, 80, 60, 50, 50, 40, 20};

	cr_expect_gt(oracle_run(12345, mix, NELEM(mix), 400, 60000), 300000);
}

/* Past the size where the root switches to 16 bits, then back below it. */
Test(lpm_oracle, large_table_root_switch, .timeout = 600)
{
	static const int mix[] = {100, 100, 100, 100, 100, 70, 0, 0, 0, 0};

	cr_expect_gt(oracle_run(987654321, mix, NELEM(mix), 1200, 8000), 100000);
}

/* ---- out of memory ----------------------------------------------------- */

/* The k-th realloc fails, for every k the inserts reach: the insert that
 * meets it returns -1 and the table still holds exactly the rules inserted
 * before (compared with the oracle), and grows again once memory is back. */
Test(lpm_oom, a_failed_insert_leaves_the_table_intact, .timeout = 600)
{
	long fail_at;
	for (fail_at = 0;; fail_at++) {
		struct lpm *t = lpm_create();
		/* The oracle's room is taken first: its own realloc must not count. */
		struct oracle o = { .r = malloc(1024 * sizeof(struct oracle_rule)), .cap = 1024 };
		uint64_t s = UINT64_C(0x5eed0000) + (uint64_t)fail_at;
		int rc = 0;
		cr_assert(t && o.r);
		failalloc_after(fail_at);
		for (uint32_t i = 0; i < 800 && rc == 0; i++) {
			struct prefix p = random_prefix(&s, &o);
			rc = lpm_insert(t, p, i);
			if (rc == 0)
				oracle_insert(&o, p, i);
		}
		failalloc_after(-1);
		check_all(t, &o, &s, 2000);
		if (rc != 0) {
			cr_assert_eq(lpm_insert(t, pfx(IP(192, 0, 2, 0), 24), 7), 0);
			oracle_insert(&o, pfx(IP(192, 0, 2, 0), 24), 7);
			check_all(t, &o, &s, 200);
		}
		lpm_destroy(t);
		free(o.r);
		if (rc == 0)
			break; /* fail_at is past the last growth */
	}
	cr_assert_gt(fail_at, 8, "only %ld growths met: the test reaches too few", fail_at);
}
