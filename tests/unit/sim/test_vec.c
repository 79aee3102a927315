/*
 * test_vec.c - growable arrays (sim/vec.h): growth, and the promise that
 * an allocation failure changes nothing (pointer, count, capacity and
 * contents intact), with realloc failing on demand (failalloc.h).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "failalloc.h"
#include "vec.h"

struct item {
	uint32_t key;
	char tag[12];
};

Test(vec, reserve_and_push_from_empty)
{
	struct item *v = NULL;
	size_t n = 0, cap = 0;
	cr_assert_eq(VEC_RESERVE(v, cap, n), 0);
	cr_assert_null(v, "nothing asked, nothing allocated");
	for (uint32_t i = 0; i < 1000; i++) {
		struct item *it = VEC_PUSH(v, n, cap);
		cr_assert_not_null(it);
		it->key = i;
	}
	cr_assert_eq(n, 1000);
	cr_assert_geq(cap, 1000);
	cr_assert_eq(cap, 1024, "capacity doubles from 16");
	for (uint32_t i = 0; i < 1000; i++)
		cr_assert_eq(v[i].key, i);
	free(v);
}

Test(vec, reserve_exact_need_rounds_up_by_doubling)
{
	int *v = NULL;
	size_t cap = 0;
	cr_assert_eq(VEC_RESERVE(v, cap, 17), 0);
	cr_assert_eq(cap, 32);
	int *before = v;
	cr_assert_eq(VEC_RESERVE(v, cap, 32), 0);
	cr_assert_eq(v, before, "room already there: no realloc");
	free(v);
}

Test(vec, overflow_changes_nothing)
{
	struct item *v = NULL;
	size_t n = 0, cap = 0;
	cr_assert_not_null(VEC_PUSH(v, n, cap));
	v[0].key = 7;
	struct item *before = v;
	size_t cap0 = cap;
	cr_assert_eq(VEC_RESERVE(v, cap, SIZE_MAX / 4), -1);
	cr_assert_eq(VEC_RESERVE(v, cap, SIZE_MAX), -1);
	cr_assert_eq(v, before);
	cr_assert_eq(cap, cap0);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0].key, 7);
	free(v);
}

/* Every growth step fails once: the array keeps all it had, and pushing
 * goes on normally when memory comes back. */
Test(vec, failed_growth_keeps_everything)
{
	for (long fail_at = 0; fail_at < 8; fail_at++) {
		uint32_t *v = NULL;
		size_t n = 0, cap = 0;
		failalloc_after(fail_at);
		uint32_t pushed = 0;
		for (;;) {
			size_t n0 = n, cap0 = cap;
			uint32_t *v0 = v;
			uint32_t *slot = VEC_PUSH(v, n, cap);
			if (!slot) {
				cr_assert_eq(v, v0, "pointer kept");
				cr_assert_eq(n, n0, "count kept");
				cr_assert_eq(cap, cap0, "capacity kept");
				break;
			}
			*slot = pushed++ * 3u;
		}
		cr_assert_eq(failalloc_calls(), fail_at + 1, "failed on the %ld-th growth", fail_at + 1);
		cr_assert_eq(n, pushed);
		for (uint32_t i = 0; i < n; i++)
			cr_assert_eq(v[i], i * 3u, "element %u intact after the failure", i);
		failalloc_after(-1);
		cr_assert_not_null(VEC_PUSH(v, n, cap), "growth works again");
		free(v);
	}
}
