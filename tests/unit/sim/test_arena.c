/*
 * test_arena.c - the region allocator.
 *
 * Boundaries first: size 0, sizes that overflow, n * size overflow, big
 * requests that get their own block.  Then the contract that matters to
 * callers: every pointer 16-byte aligned, allocations never overlap (each
 * one is filled with its own pattern and checked after all of them are
 * made; AddressSanitizer catches writes past a block).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

static bool aligned16(const void *p)
{
	return ((uintptr_t)p & 15u) == 0;
}

Test(arena, destroy_null)
{
	arena_destroy(NULL);
}

Test(arena, empty_arena)
{
	struct arena *a = arena_create();

	cr_assert_not_null(a);
	cr_expect_eq(arena_bytes(a), 0);
	arena_destroy(a);
}

Test(arena, size_zero_is_distinct_and_non_null)
{
	struct arena *a = arena_create();
	void *p = arena_alloc(a, 0);
	void *q = arena_alloc(a, 0);
	void *z = arena_calloc(a, 0, 8);
	void *z2 = arena_calloc(a, 8, 0);

	cr_assert(p != NULL && q != NULL && z != NULL && z2 != NULL);
	cr_expect_neq(p, q);
	cr_expect(aligned16(p) && aligned16(q) && aligned16(z) && aligned16(z2));
	arena_destroy(a);
}

Test(arena, overflow_returns_null)
{
	struct arena *a = arena_create();

	cr_expect_null(arena_alloc(a, SIZE_MAX));
	cr_expect_null(arena_alloc(a, SIZE_MAX - 15));
	cr_expect_null(arena_calloc(a, SIZE_MAX / 2 + 1, 2));
	cr_expect_null(arena_calloc(a, 2, SIZE_MAX / 2 + 1));
	cr_expect_null(arena_calloc(a, SIZE_MAX, SIZE_MAX));
	/* the arena is still usable */
	char *p = arena_alloc(a, 10);
	cr_assert_not_null(p);
	memset(p, 1, 10);
	arena_destroy(a);
}

Test(arena, sizes_table_aligned_and_disjoint)
{
	static const size_t sizes[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 100, 255, 256, 1000,
				       1023, 1024, 1025, 4095, 4096, 4097, 8192, 65536, 100000,
				       1 << 20, (1 << 20) + 1, 3 << 20};
	enum { ROUNDS = 40 };
	struct arena *a = arena_create();
	unsigned char *ptr[ROUNDS * NELEM(sizes)];
	size_t len[ROUNDS * NELEM(sizes)];
	size_t n = 0, total = 0;

	for (int r = 0; r < ROUNDS; r++) {
		for (size_t i = 0; i < NELEM(sizes); i++) {
			/* big sizes only in a few rounds, to keep the test quick */
			size_t sz = sizes[(i + (size_t)r) % NELEM(sizes)];
			if (sz > 100000 && r % 10 != 0)
				sz = 40 + (size_t)r;
			unsigned char *p = arena_alloc(a, sz);
			cr_assert_not_null(p, "size %zu", sz);
			cr_assert(aligned16(p), "size %zu at %p", sz, (void *)p);
			memset(p, (int)(n & 0xff), sz);
			ptr[n] = p;
			len[n] = sz;
			total += sz;
			n++;
		}
	}
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < len[k]; j++)
			cr_assert_eq(ptr[k][j], (unsigned char)(k & 0xff),
				     "allocation %zu byte %zu overwritten", k, j);
	cr_expect_eq(arena_bytes(a), total);
	arena_destroy(a);
}

/* A big request must not waste the current block: small allocations after
 * it keep working and stay disjoint from it. */
Test(arena, big_block_then_small)
{
	struct arena *a = arena_create();
	char *small1 = arena_alloc(a, 16);
	char *big = arena_alloc(a, 10u << 20);
	char *small2 = arena_alloc(a, 16);

	cr_assert(small1 != NULL && big != NULL && small2 != NULL);
	memset(big, 'b', 10u << 20);
	memset(small1, 's', 16);
	memset(small2, 't', 16);
	cr_expect_eq(big[0], 'b');
	cr_expect_eq(big[(10u << 20) - 1], 'b');
	cr_expect_eq(arena_bytes(a), 32 + (10u << 20));
	arena_destroy(a);
}

Test(arena, calloc_zeroes)
{
	struct arena *a = arena_create();

	for (int i = 0; i < 100; i++) {
		/* dirty the block first so zeroing is observable */
		memset(arena_alloc(a, 64), 0xff, 64);
		size_t n = (size_t)i * 7 + 1;
		unsigned char *p = arena_calloc(a, n, 3);
		cr_assert_not_null(p);
		for (size_t k = 0; k < n * 3; k++)
			cr_assert_eq(p[k], 0);
	}
	arena_destroy(a);
}

Test(arena, strdup_table)
{
	static const char *const strs[] = {"", "a", "hello", "$.topology.virtualNetworks[0].name"};
	struct arena *a = arena_create();

	for (size_t i = 0; i < NELEM(strs); i++) {
		char *s = arena_strdup(a, strs[i]);
		cr_assert_not_null(s);
		cr_expect_str_eq(s, strs[i]);
		cr_expect_neq(s, strs[i]);
	}
	arena_destroy(a);
}

Test(arena, strndup_table)
{
	static const struct {
		const char *s;
		size_t n;
		const char *want;
	} cases[] = {
		{"hello", 0, ""},     {"hello", 1, "h"},     {"hello", 4, "hell"},
		{"hello", 5, "hello"}, {"hello", 6, "hello"}, {"hello", SIZE_MAX, "hello"},
		{"", 3, ""},
	};
	struct arena *a = arena_create();

	for (size_t i = 0; i < NELEM(cases); i++) {
		char *s = arena_strndup(a, cases[i].s, cases[i].n);
		cr_assert_not_null(s);
		cr_expect_str_eq(s, cases[i].want, "case %zu", i);
	}
	/* n bytes are read at most: the source need not be terminated */
	static const char unterminated[3] = {'a', 'b', 'c'};
	cr_expect_str_eq(arena_strndup(a, unterminated, 3), "abc");
	arena_destroy(a);
}

Test(arena, printf_short_and_long)
{
	struct arena *a = arena_create();
	char *s = arena_printf(a, "%s[%d].%s", "$.subnets", 3, "name");

	cr_assert_not_null(s);
	cr_expect_str_eq(s, "$.subnets[3].name");
	cr_expect_str_eq(arena_printf(a, "%s", ""), "");

	/* longer than any ordinary block */
	enum { LONG = 3 << 20 };
	char *src = malloc(LONG + 1);
	cr_assert_not_null(src);
	memset(src, 'x', LONG);
	src[LONG] = '\0';
	char *l = arena_printf(a, "<%s>", src);
	cr_assert_not_null(l);
	cr_expect_eq(strlen(l), (size_t)LONG + 2);
	cr_expect_eq(l[0], '<');
	cr_expect_eq(l[LONG + 1], '>');
	free(src);
	arena_destroy(a);
}

Test(arena, many_small_allocations)
{
	struct arena *a = arena_create();
	uint32_t **p = malloc(100000 * sizeof(*p));

	cr_assert_not_null(p);
	for (uint32_t i = 0; i < 100000; i++) {
		p[i] = arena_alloc(a, sizeof(uint32_t));
		cr_assert_not_null(p[i]);
		*p[i] = i;
	}
	for (uint32_t i = 0; i < 100000; i++)
		cr_assert_eq(*p[i], i);
	cr_expect_eq(arena_bytes(a), 100000 * sizeof(uint32_t));
	free(p);
	arena_destroy(a);
}
