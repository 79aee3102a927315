/*
 * capture.h - test helper: what a function writes to a FILE, as a string.
 */
#ifndef TESTS_UNIT_TOOLS_CAPTURE_H
#define TESTS_UNIT_TOOLS_CAPTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static inline FILE *capture_begin(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	cr_assert_not_null(c->f);
	return c->f;
}

/* The text written; the caller frees it. */
static inline char *capture_end(struct capture *c)
{
	cr_assert_eq(fclose(c->f), 0);
	return c->buf;
}

#endif
