/*
 * test_strmap.c - the string -> pointer hash map.
 *
 * Boundaries first (empty map, empty key, NULL values, a duplicate put), then
 * the sizes around each growth step (3/4 of 16, 32, ...), then a large map
 * checked key by key against the order it was filled in.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

Test(strmap, destroy_null)
{
	strmap_destroy(NULL);
}

Test(strmap, empty_map)
{
	struct strmap *m = strmap_create();

	cr_assert_not_null(m);
	cr_expect_eq(strmap_count(m), 0);
	cr_expect_null(strmap_get(m, "x"));
	cr_expect_null(strmap_get(m, ""));
	cr_expect(!strmap_has(m, "x"));
	strmap_destroy(m);
}

Test(strmap, put_get_table)
{
	static const char *const keys[] = {"", "a", "b", "ab", "ba", "vnet-hub", "vnet-hub ",
					   "VNET-HUB", "subnet/0", "\xff\xfe"};
	int values[NELEM(keys)];
	struct strmap *m = strmap_create();

	for (size_t i = 0; i < NELEM(keys); i++) {
		cr_expect_eq(strmap_put(m, keys[i], &values[i]), 1, "key \"%s\"", keys[i]);
		cr_expect_eq(strmap_count(m), i + 1);
	}
	for (size_t i = 0; i < NELEM(keys); i++) {
		cr_expect_eq(strmap_get(m, keys[i]), &values[i], "key \"%s\"", keys[i]);
		cr_expect(strmap_has(m, keys[i]));
	}
	cr_expect(!strmap_has(m, "c"));
	cr_expect(!strmap_has(m, "vnet-hu"));
	cr_expect(!strmap_has(m, "vnet-hubb"));
	strmap_destroy(m);
}

Test(strmap, duplicate_keeps_first_value)
{
	struct strmap *m = strmap_create();
	int a, b;
	char copy[] = "key";

	cr_expect_eq(strmap_put(m, "key", &a), 1);
	cr_expect_eq(strmap_put(m, copy, &b), 0, "same content, other pointer");
	cr_expect_eq(strmap_get(m, "key"), &a);
	cr_expect_eq(strmap_count(m), 1);
	strmap_destroy(m);
}

Test(strmap, null_value_is_present)
{
	struct strmap *m = strmap_create();

	cr_expect_eq(strmap_put(m, "nothing", NULL), 1);
	cr_expect(strmap_has(m, "nothing"));
	cr_expect_null(strmap_get(m, "nothing"));
	cr_expect_eq(strmap_count(m), 1);
	strmap_destroy(m);
}

/* Every count from 0 to 200 crosses the growth points (12, 24, 48, 96,
 * 192); after each put all keys so far are still found. */
Test(strmap, growth_boundaries)
{
	static char keys[200][16];
	struct strmap *m = strmap_create();

	for (int i = 0; i < 200; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		cr_assert_eq(strmap_put(m, keys[i], keys[i]), 1);
		for (int j = 0; j <= i; j++)
			cr_assert_eq(strmap_get(m, keys[j]), keys[j], "puts %d key %d", i + 1, j);
		cr_assert_null(strmap_get(m, "absent"));
	}
	strmap_destroy(m);
}

Test(strmap, large_map)
{
	enum { N = 200000 };
	char (*keys)[24] = malloc(N * sizeof(*keys));
	struct strmap *m = strmap_create();
	char probe[24];

	cr_assert_not_null(keys);
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "subnet-%d", i * 7919);
		cr_assert_eq(strmap_put(m, keys[i], &keys[i]), 1);
	}
	cr_expect_eq(strmap_count(m), N);
	for (int i = 0; i < N; i++) {
		snprintf(probe, sizeof(probe), "subnet-%d", i * 7919);
		cr_assert_eq(strmap_get(m, probe), &keys[i]);
		snprintf(probe, sizeof(probe), "subnet-%d", i * 7919 + 1);
		cr_assert(!strmap_has(m, probe));
	}
	for (int i = 0; i < N; i += 1000)
		cr_assert_eq(strmap_put(m, keys[i], NULL), 0);
	cr_expect_eq(strmap_count(m), N);
	strmap_destroy(m);
	free(keys);
}
