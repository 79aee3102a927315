/*
 * test_diag.c - the diagnostics collector.
 *
 * Output format on a table of file/path combinations (either may be
 * absent), severities and their counts, then the storage cap: counting goes
 * on past DIAG_MAX_STORED and the printout says how many were not shown;
 * the same when the array cannot grow (realloc failing, failalloc.h).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "failalloc.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

/* diag_print into a string; *lines gets its return value.  Caller frees. */
static char *print_to_string(const struct diag *d, size_t *lines)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	*lines = diag_print(d, f);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

Test(diag, destroy_null)
{
	diag_destroy(NULL);
}

Test(diag, empty)
{
	struct diag *d = diag_create();
	size_t lines;

	cr_assert_not_null(d);
	cr_expect_eq(diag_count(d, DIAG_ERROR), 0);
	cr_expect_eq(diag_count(d, DIAG_WARNING), 0);
	cr_expect_eq(diag_count(d, DIAG_NOTE), 0);
	cr_expect_eq(diag_stored(d), 0);
	cr_expect_null(diag_get(d, 0));
	char *out = print_to_string(d, &lines);
	cr_expect_eq(lines, 0);
	cr_expect_str_eq(out, "");
	free(out);
	diag_destroy(d);
}

Test(diag, format_table)
{
	static const struct {
		enum diag_severity sev;
		const char *file, *path, *msg, *line;
	} cases[] = {
		{DIAG_ERROR, "a.json", "$.x", "bad", "a.json: $.x: error: bad\n"},
		{DIAG_WARNING, "a.json", "$.x[0].name", "odd",
		 "a.json: $.x[0].name: warning: odd\n"},
		{DIAG_NOTE, "a.json", "$", "see here", "a.json: $: note: see here\n"},
		{DIAG_ERROR, NULL, "$.x", "no file", "$.x: error: no file\n"},
		{DIAG_ERROR, "a.json", NULL, "no path", "a.json: error: no path\n"},
		{DIAG_ERROR, NULL, NULL, "bare", "error: bare\n"},
		{DIAG_WARNING, NULL, NULL, "", "warning: \n"},
		{DIAG_ERROR, "", "", "empty strings", ": : error: empty strings\n"},
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct diag *d = diag_create();
		size_t lines;
		diag_add(d, cases[i].sev, cases[i].file, cases[i].path, "%s", cases[i].msg);
		char *out = print_to_string(d, &lines);
		cr_expect_str_eq(out, cases[i].line, "case %zu", i);
		cr_expect_eq(lines, 1);
		free(out);
		diag_destroy(d);
	}
}

Test(diag, severity_names)
{
	cr_expect_str_eq(diag_severity_name(DIAG_ERROR), "error");
	cr_expect_str_eq(diag_severity_name(DIAG_WARNING), "warning");
	cr_expect_str_eq(diag_severity_name(DIAG_NOTE), "note");
}

Test(diag, counts_order_and_copies)
{
	struct diag *d = diag_create();
	char file[] = "scenario.json";
	char path[] = "$.a";

	diag_add(d, DIAG_ERROR, file, path, "first %d", 1);
	diag_add(d, DIAG_WARNING, file, NULL, "second %s", "two");
	diag_add(d, DIAG_ERROR, NULL, path, "third %c%c", 'o', 'k');
	diag_add(d, DIAG_NOTE, NULL, NULL, "fourth %5.1f", 2.5);
	/* the collector keeps its own copies */
	file[0] = 'X';
	path[2] = 'Z';

	cr_expect_eq(diag_count(d, DIAG_ERROR), 2);
	cr_expect_eq(diag_count(d, DIAG_WARNING), 1);
	cr_expect_eq(diag_count(d, DIAG_NOTE), 1);
	cr_assert_eq(diag_stored(d), 4);
	const struct diag_entry *e = diag_get(d, 0);
	cr_assert_not_null(e);
	cr_expect_eq(e->severity, DIAG_ERROR);
	cr_expect_str_eq(e->file, "scenario.json");
	cr_expect_str_eq(e->path, "$.a");
	cr_expect_str_eq(e->message, "first 1");
	cr_expect_null(diag_get(d, 1)->path);
	cr_expect_null(diag_get(d, 2)->file);
	cr_expect_str_eq(diag_get(d, 3)->message, "fourth   2.5");
	cr_expect_null(diag_get(d, 4));
	cr_expect_null(diag_get(d, SIZE_MAX));

	size_t lines;
	char *out = print_to_string(d, &lines);
	cr_expect_str_eq(out, "scenario.json: $.a: error: first 1\n"
			      "scenario.json: warning: second two\n"
			      "$.a: error: third ok\n"
			      "note: fourth   2.5\n");
	cr_expect_eq(lines, 4);
	free(out);
	diag_destroy(d);
}

Test(diag, long_message)
{
	struct diag *d = diag_create();
	enum { LONG = 100000 };
	char *s = malloc(LONG + 1);

	cr_assert_not_null(s);
	memset(s, 'm', LONG);
	s[LONG] = '\0';
	diag_add(d, DIAG_ERROR, "f", "$", "%s!", s);
	cr_assert_eq(diag_stored(d), 1);
	cr_expect_eq(strlen(diag_get(d, 0)->message), (size_t)LONG + 1);
	free(s);
	diag_destroy(d);
}

static void add_via_va(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_via_va(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, DIAG_WARNING, "v.json", "$.v", fmt, ap);
	va_end(ap);
}

Test(diag, vadd)
{
	struct diag *d = diag_create();

	add_via_va(d, "%d-%s", 42, "x");
	cr_assert_eq(diag_stored(d), 1);
	cr_expect_str_eq(diag_get(d, 0)->message, "42-x");
	cr_expect_eq(diag_get(d, 0)->severity, DIAG_WARNING);
	diag_destroy(d);
}

Test(diag, cap_keeps_counting)
{
	struct diag *d = diag_create();
	size_t lines;

	for (int i = 0; i < DIAG_MAX_STORED; i++)
		diag_add(d, DIAG_ERROR, "f.json", "$.x", "error %d", i);
	cr_expect_eq(diag_stored(d), DIAG_MAX_STORED);
	char *out = print_to_string(d, &lines);
	cr_expect_eq(lines, DIAG_MAX_STORED, "exactly at the cap: no trailer");
	cr_expect_null(strstr(out, "more diagnostics"));
	free(out);

	for (int i = 0; i < 3; i++)
		diag_add(d, DIAG_WARNING, "f.json", "$.y", "warning %d", i);
	diag_add(d, DIAG_NOTE, NULL, NULL, "note");
	diag_add(d, DIAG_ERROR, NULL, NULL, "late error");
	cr_expect_eq(diag_stored(d), DIAG_MAX_STORED);
	cr_expect_eq(diag_count(d, DIAG_ERROR), DIAG_MAX_STORED + 1);
	cr_expect_eq(diag_count(d, DIAG_WARNING), 3);
	cr_expect_eq(diag_count(d, DIAG_NOTE), 1);
	cr_expect_str_eq(diag_get(d, DIAG_MAX_STORED - 1)->message, "error 999");
	cr_expect_null(diag_get(d, DIAG_MAX_STORED));

	out = print_to_string(d, &lines);
	cr_expect_eq(lines, DIAG_MAX_STORED + 1);
	const char *trailer = "f.json: $.x: error: error 999\n"
			      "... and 5 more diagnostics not shown\n";
	size_t olen = strlen(out), tlen = strlen(trailer);
	cr_assert_geq(olen, tlen);
	cr_expect_str_eq(out + olen - tlen, trailer);
	cr_expect(strncmp(out, "f.json: $.x: error: error 0\n", 28) == 0);
	free(out);

	diag_clear(d);
	cr_expect_eq(diag_stored(d), 0);
	cr_expect_eq(diag_count(d, DIAG_ERROR), 0);
	cr_expect_eq(diag_count(d, DIAG_WARNING), 0);
	out = print_to_string(d, &lines);
	cr_expect_eq(lines, 0);
	cr_expect_str_eq(out, "");
	free(out);

	/* usable again after clear */
	diag_add(d, DIAG_NOTE, NULL, "$", "again");
	cr_expect_eq(diag_stored(d), 1);
	cr_expect_eq(diag_count(d, DIAG_NOTE), 1);
	diag_destroy(d);
}

/* Out of memory while growing the array (failalloc.h): later diagnostics
 * are counted but not stored, and the stored ones stay intact. */
Test(diag, growth_failure_keeps_what_is_stored)
{
	for (long fail_at = 0; fail_at < 4; fail_at++) {
		struct diag *d = diag_create();
		cr_assert_not_null(d);
		failalloc_after(fail_at);
		for (int i = 0; i < 200; i++)
			diag_add(d, i % 2 ? DIAG_WARNING : DIAG_ERROR, "f.json", NULL, "number %d", i);
		failalloc_after(-1);
		cr_assert_eq(diag_count(d, DIAG_ERROR), 100);
		cr_assert_eq(diag_count(d, DIAG_WARNING), 100);
		size_t stored = diag_stored(d);
		/* 16, then doubling: what the successful growths made room for */
		size_t room = fail_at ? (size_t)16 << (fail_at - 1) : 0;
		cr_assert_eq(stored, room, "fail at %ld: %zu stored", fail_at, stored);
		for (size_t i = 0; i < stored; i++) {
			char want[32];
			snprintf(want, sizeof(want), "number %zu", i);
			cr_assert_str_eq(diag_get(d, i)->message, want);
		}
		diag_destroy(d);
	}
}

/* Control characters from input are printed escaped, in every part of a
 * diagnostic: no terminal escape, no forged line (issue 18). */
Test(diag, control_characters_escaped)
{
	struct diag *d = diag_create();
	cr_assert_not_null(d);
	diag_add(d, DIAG_ERROR, "f\x1b.json", "$.a\x07", "\"x\x1b[2J\nFORGED: y\x7f\xc2\x85z\"");
	size_t lines;
	char *s = print_to_string(d, &lines);
	cr_assert_eq(lines, 1);
	cr_assert_str_eq(s, "f\\x1b.json: $.a\\x07: error: \"x\\x1b[2J\\x0aFORGED: y\\x7f\\x85z\"\n");
	free(s);
	diag_destroy(d);
}

Test(diag, escape_functions)
{
	cr_assert_eq(diag_escape(NULL, "plain \xc3\xa9"), 8, "UTF-8 letters are kept");
	cr_assert_eq(diag_has_control("plain \xc3\xa9"), 0);
	cr_assert_eq(diag_has_control("tab\t"), 1);
	cr_assert_eq(diag_has_control("nel\xc2\x85"), 1);
	char *e = diag_escape_dup("a\rb");
	cr_assert_str_eq(e, "a\\x0db");
	free(e);
}
