/*
 * strbuf.h - a growing string for tests that write JSON documents
 * (test_run_incremental.c's random edits, tests/random/gen.c's scenarios).
 * No Criterion here: the random generator is a plain program.  Out of
 * memory sets oom and leaves the text as it was; the caller checks it once
 * at the end and frees s.
 */
#ifndef TESTS_UNIT_COMMON_STRBUF_H
#define TESTS_UNIT_COMMON_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct sb {
	char *s;
	size_t n, cap;
	bool oom;
};

static inline void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || b->oom) {
		b->oom = true;
		return;
	}
	if (b->n + (size_t)len + 1 > b->cap) {
		size_t cap = (b->n + (size_t)len + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

#endif
