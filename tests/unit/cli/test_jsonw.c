/*
 * test_jsonw.c - the streaming JSON writer: layout (pretty and compact),
 * empty containers, separators, escaping, fragments at a base indentation.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "jsonw.h"

Test(jsonw, scalars_compact)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), false, 0);
	jsonw_array_begin(&w);
	jsonw_int(&w, 0);
	jsonw_int(&w, -42);
	jsonw_int(&w, INT64_MAX);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_null(&w);
	jsonw_string(&w, NULL);
	jsonw_string(&w, "");
	jsonw_array_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "[0,-42,9223372036854775807,true,false,null,null,\"\"]");
	free(s);
}

Test(jsonw, empty_containers)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), true, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "o");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{\n  \"a\": [],\n  \"o\": {}\n}");
	free(s);
}

Test(jsonw, pretty_nesting)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), true, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "value");
	jsonw_array_begin(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "x");
	jsonw_int(&w, 1);
	jsonw_object_end(&w);
	jsonw_string(&w, "y");
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{\n"
			    "  \"value\": [\n"
			    "    {\n"
			    "      \"x\": 1\n"
			    "    },\n"
			    "    \"y\"\n"
			    "  ]\n"
			    "}");
	free(s);
}

Test(jsonw, base_indentation_for_fragments)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), true, 2);
	jsonw_object_begin(&w);
	jsonw_key(&w, "k");
	jsonw_int(&w, 1);
	jsonw_object_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{\n      \"k\": 1\n    }");
	free(s);
}

Test(jsonw, escaping)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\", "\"q\\\"b\\\\\"" },
		{ "\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" }, /* UTF-8 passes through */
		{ "/", "\"/\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		jsonw_quote(capture_begin(&c), cases[i].in);
		char *s = capture_end(&c);
		cr_expect_str_eq(s, cases[i].out, "case %zu", i);
		free(s);
	}
}

Test(jsonw, keys_are_escaped_and_ordered)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), false, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "z\"");
	jsonw_int(&w, 1);
	jsonw_key(&w, "a");
	jsonw_int(&w, 2);
	jsonw_object_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{\"z\\\"\":1,\"a\":2}");
	free(s);
}

Test(jsonw, inline_containers)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), true, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "rows");
	jsonw_array_begin(&w);
	jsonw_inline_begin(&w, true);
	jsonw_key(&w, "a");
	jsonw_int(&w, 1);
	jsonw_key(&w, "p");
	jsonw_array_begin(&w);
	jsonw_string(&w, "x");
	jsonw_string(&w, "y");
	jsonw_array_end(&w);
	jsonw_key(&w, "e");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_inline_begin(&w, false);
	jsonw_array_end(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "after");
	jsonw_int(&w, 2);
	jsonw_object_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{\n"
			    "  \"rows\": [\n"
			    "    {\"a\": 1, \"p\": [\"x\", \"y\"], \"e\": []},\n"
			    "    []\n"
			    "  ],\n"
			    "  \"after\": 2\n"
			    "}");
	free(s);
}

Test(jsonw, inline_is_plain_compact_in_compact_mode)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), false, 0);
	jsonw_inline_begin(&w, true);
	jsonw_key(&w, "a");
	jsonw_int(&w, 1);
	jsonw_key(&w, "b");
	jsonw_int(&w, 2);
	jsonw_object_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{\"a\":1,\"b\":2}");
	free(s);
}

/* Table cells as numbers: only RFC 8259 numbers go out bare. */
Test(jsonw, number_text)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), false, 0);
	jsonw_array_begin(&w);
	cr_expect(jsonw_number_text(&w, "1800.000"));
	cr_expect(jsonw_number_text(&w, "-0.5e+3"));
	cr_expect(jsonw_number_text(&w, "0"));
	cr_expect(!jsonw_number_text(&w, "007"), "a leading zero is not JSON");
	cr_expect(!jsonw_number_text(&w, "1."));
	cr_expect(!jsonw_number_text(&w, "inf"));
	cr_expect(!jsonw_number_text(&w, "0x10"));
	cr_expect(!jsonw_number_text(&w, "10.0.0.0/8"));
	cr_expect(!jsonw_number_text(&w, ""));
	cr_expect(!jsonw_number_text(&w, NULL));
	jsonw_array_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "[1800.000,-0.5e+3,0,\"007\",\"1.\",\"inf\",\"0x10\",\"10.0.0.0/8\",\"\",null]");
	free(s);
}

/* Indentation deeper than the writer's table of blanks (80) comes in
 * pieces: a fragment at base 45 (92 blanks) and at base 85 (172). */
Test(jsonw, deep_base_indentation)
{
	for (unsigned base = 38; base <= 85; base += 47) {
		struct capture c;
		struct jsonw w;
		jsonw_init(&w, capture_begin(&c), true, base);
		jsonw_array_begin(&w);
		jsonw_int(&w, 1);
		jsonw_array_end(&w);
		char *s = capture_end(&c);
		char want[400];
		size_t n = 0;
		want[n++] = '[';
		want[n++] = '\n';
		for (unsigned i = 0; i < 2 * (base + 1); i++)
			want[n++] = ' ';
		want[n++] = '1';
		want[n++] = '\n';
		for (unsigned i = 0; i < 2 * base; i++)
			want[n++] = ' ';
		want[n++] = ']';
		want[n] = '\0';
		cr_expect_str_eq(s, want, "base %u", base);
		free(s);
	}
}

/* RFC 8259 escaping one character at a time, the reference for the
 * writer's runs. */
static void escape_slowly(const char *in, char *out)
{
	*out++ = '"';
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		const char *e = NULL;
		switch (*p) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		}
		if (e)
			out += sprintf(out, "%s", e);
		else if (*p < 0x20)
			out += sprintf(out, "\\u%04x", *p);
		else
			*out++ = (char)*p;
	}
	*out++ = '"';
	*out = '\0';
}

/* Strings around the writer's short-string buffer (62 characters), with
 * and without escapes at the start, the middle and the end, and every
 * control character. */
Test(jsonw, long_strings_and_escapes)
{
	static const char *const marks[] = { "", "\"", "\\", "\n", "\x01", "\x1f", "\xc3\xa9" };
	size_t lens[] = { 0, 1, 61, 62, 63, 64, 200 };
	char in[300], want[2000];
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++)
			for (int where = 0; where < 3; where++) {
				size_t n = lens[l];
				for (size_t i = 0; i < n; i++)
					in[i] = (char)('a' + i % 26);
				in[n] = '\0';
				size_t at = where == 0 ? 0 : where == 1 ? n / 2 : n;
				char tail[300];
				strcpy(tail, in + at);
				strcpy(in + at, marks[m]);
				strcat(in, tail);
				escape_slowly(in, want);
				struct capture c;
				jsonw_quote(capture_begin(&c), in);
				char *s = capture_end(&c);
				cr_assert_str_eq(s, want, "len %zu mark %zu at %d", n, m, where);
				free(s);
			}
	for (int ch = 1; ch < 0x20; ch++) {
		char one[2] = { (char)ch, '\0' };
		escape_slowly(one, want);
		struct capture c;
		jsonw_quote(capture_begin(&c), one);
		char *s = capture_end(&c);
		cr_assert_str_eq(s, want, "character %d", ch);
		free(s);
	}
}

/* A document of a few hundred kB: rows of keys, strings, numbers. */
static void write_rows(FILE *f, bool pretty)
{
	struct jsonw w;
	jsonw_init(&w, f, pretty, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "rows");
	jsonw_array_begin(&w);
	for (int i = 0; i < 3000; i++) {
		char name[40];
		snprintf(name, sizeof(name), "row-%d%s", i, i % 7 ? "" : "\t\"x\"");
		if (i % 3)
			jsonw_object_begin(&w);
		else
			jsonw_inline_begin(&w, true);
		jsonw_key(&w, "name");
		jsonw_string(&w, name);
		jsonw_key(&w, "n");
		jsonw_int(&w, (int64_t)i * -7919);
		jsonw_key(&w, "ok");
		jsonw_bool(&w, i % 2);
		jsonw_key(&w, "none");
		jsonw_null(&w);
		jsonw_key(&w, "v");
		jsonw_number_text(&w, "1.5");
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

static char *read_all(FILE *f, size_t *len)
{
	cr_assert_eq(fflush(f), 0);
	long n = ftell(f);
	cr_assert_geq(n, 0);
	char *s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	rewind(f);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	*len = (size_t)n;
	return s;
}

/* The writer puts text into the FILE's buffer when it fits: the bytes are
 * the same whatever the stream's buffering (none, by line, a buffer of 7
 * bytes that almost nothing fits in, the default) and with text written
 * with stdio between the writer's. */
Test(jsonw, same_bytes_whatever_the_buffering)
{
	for (int pretty = 0; pretty < 2; pretty++) {
		struct capture c;
		write_rows(capture_begin(&c), pretty);
		char *want = capture_end(&c);
		static const int modes[] = { _IONBF, _IOLBF, _IOFBF, _IOFBF };
		for (size_t m = 0; m < 4; m++) {
			FILE *f = tmpfile();
			cr_assert_not_null(f);
			char small[7];
			if (m < 3)
				cr_assert_eq(setvbuf(f, m == 2 ? small : NULL, modes[m],
						     m == 2 ? sizeof(small) : 0), 0);
			write_rows(f, pretty);
			size_t len;
			char *got = read_all(f, &len);
			cr_expect_eq(len, strlen(want), "mode %zu pretty %d", m, pretty);
			cr_expect(strcmp(got, want) == 0, "mode %zu pretty %d", m, pretty);
			free(got);
			fclose(f);
		}
		free(want);
	}
	/* stdio's own text between the writer's keeps its place */
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	struct jsonw w;
	for (int i = 0; i < 2000; i++) {
		jsonw_init(&w, f, false, 0);
		jsonw_object_begin(&w);
		jsonw_key(&w, "i");
		jsonw_int(&w, i);
		jsonw_object_end(&w);
		fprintf(f, " %d\n", i);
	}
	size_t len;
	char *got = read_all(f, &len);
	fclose(f);
	const char *p = got;
	for (int i = 0; i < 2000; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "{\"i\":%d} %d\n", i, i);
		cr_assert_eq(strncmp(p, line, (size_t)n), 0, "line %d", i);
		p += n;
	}
	cr_expect_eq(*p, '\0');
	free(got);
}

/* A full disk is the FILE's error, as with stdio's own calls. */
Test(jsonw, write_error_is_the_files)
{
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		cr_skip_test("no /dev/full");
	write_rows(f, true);
	cr_expect(fflush(f) != 0 || ferror(f));
	cr_expect(ferror(f));
	fclose(f);
}

/* Text composed in a buffer escapes as jsonw_quote writes, and a buffer
 * too small at any size says so (full) without writing past its end. */
Test(jsonw, text_quote_is_jsonw_quote)
{
	static const char *const cases[] = { "plain", "q\"b\\", "\n\r\t\b\f", "\x01\x1f",
					     "caf\xc3\xa9", "", "a-name-of-forty-characters-xxxxxxxxxxxxx" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		jsonw_quote(capture_begin(&c), cases[i]);
		char *want = capture_end(&c);
		size_t n = strlen(want);
		for (size_t cap = 0; cap <= n + 1; cap++) {
			char buf[128];
			memset(buf, '#', sizeof(buf));
			struct jsonw_text t = { buf, buf + cap, false };
			jsonw_text_quote(&t, cases[i]);
			cr_assert_eq(buf[cap], '#', "case %zu cap %zu: wrote past the end", i, cap);
			if (cap < n) {
				cr_assert(t.full, "case %zu cap %zu", i, cap);
			} else {
				cr_assert(!t.full, "case %zu cap %zu", i, cap);
				cr_assert_eq((size_t)(t.p - buf), n);
				cr_assert_eq(memcmp(buf, want, n), 0, "case %zu", i);
			}
		}
		free(want);
	}
	char buf[8];
	struct jsonw_text t = { buf, buf + sizeof(buf), false };
	jsonw_text_quote(&t, NULL);
	cr_expect(!t.full && t.p == buf + 4 && memcmp(buf, "null", 4) == 0);
}
