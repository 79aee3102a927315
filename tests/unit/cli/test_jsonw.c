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
