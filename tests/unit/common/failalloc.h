/*
 * failalloc.h - allocation failures on demand, for tests.
 *
 * A test executable linked with `-Wl,--wrap=realloc` (tests/unit/meson.build:
 * the modules listed in failalloc_tests) has every realloc call of its code
 * and of the project's static libraries routed through __wrap_realloc,
 * which fails once the given number of calls has succeeded.  libc's own
 * calls are not affected.  Criterion runs each test in a process of its
 * own, so the counter starts fresh in every test.
 */
#ifndef TESTS_FAILALLOC_H
#define TESTS_FAILALLOC_H

#include <stddef.h>

/* realloc fails from the (n+1)-th call on; a negative n never fails. */
void failalloc_after(long n);
/* Only the (n+1)-th realloc call fails; the ones after it succeed (a
 * transient failure: what a caller that ignores it would lose shows). */
void failalloc_only(long n);
/* realloc calls made (failed ones included) since the last failalloc_after. */
long failalloc_calls(void);

void *__wrap_realloc(void *p, size_t size);
void *__real_realloc(void *p, size_t size);

static long failalloc_left_ = -1, failalloc_calls_;
static int failalloc_once_;

void failalloc_after(long n)
{
	failalloc_left_ = n;
	failalloc_calls_ = 0;
	failalloc_once_ = 0;
}

void failalloc_only(long n)
{
	failalloc_after(n);
	failalloc_once_ = 1;
}

long failalloc_calls(void)
{
	return failalloc_calls_;
}

void *__wrap_realloc(void *p, size_t size)
{
	failalloc_calls_++;
	if (failalloc_left_ == 0) {
		if (failalloc_once_)
			failalloc_left_ = -1;
		return NULL;
	}
	if (failalloc_left_ > 0)
		failalloc_left_--;
	return __real_realloc(p, size);
}

#endif
