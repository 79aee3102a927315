/*
 * test_row_json.c - a route row composed in one piece (row_json.c) is
 * byte for byte what the writer's calls write (render_row_json_fields in
 * an object): compact, on one line in pretty mode, over several lines at
 * several depths and bases, with a JSONL target first, with names that
 * need escapes, several prefixes, no prefix, an address or none.  Rows that
 * do not fit (a name of 2,000 characters) or are too deep are refused, and
 * nothing is written.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "render.h"
#include "row_json.h"

static char long_name[2001];

/* Rows of every shape: sources, states, next hops, names. */
static size_t make_rows(struct route_row *v, struct prefix *p)
{
	for (int i = 0; i < 6; i++)
		p[i] = (struct prefix){ (uint32_t)(0x0a000000u + ((uint32_t)i << 16)), 16 };
	p[6] = (struct prefix){ 0, 0 };
	p[7] = (struct prefix){ 0xffffffffu, 32 };
	memset(long_name, 'n', sizeof(long_name) - 1);
	static const char *const names[] = { NULL, "udr-1", "q\"uo\\te", "tab\there\n",
					     "caf\xc3\xa9", "\x01", "" };
	size_t n = 0;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		for (int shape = 0; shape < 4; shape++) {
			struct route_row *r = &v[n++];
			*r = (struct route_row){ .source = (enum route_source)(shape % 3),
						 .active = shape != 1,
						 .nh = (enum nh_type)(shape % 3),
						 .prefixes = shape == 3 ? NULL : &p[shape],
						 .nprefixes = shape == 3 ? 0 : shape == 2 ? 6 : 1,
						 .nh_ip = 0x0a000104u + (uint32_t)shape,
						 .has_nh_ip = shape % 2 == 1,
						 .name = names[k] };
		}
	v[n++] = (struct route_row){ .source = SRC_USER, .active = true, .prefixes = &p[7],
				     .nprefixes = 1, .name = long_name };
	return n;
}

/* The writer's text of r: open containers to depth, then the row. */
static char *by_calls(const struct route_row *r, bool pretty, unsigned base, int depth,
		      bool in_inline, bool full, bool dis, const char *lead)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), pretty, base);
	for (int d = 0; d < depth; d++)
		jsonw_array_begin(&w);
	if (in_inline)
		jsonw_inline_begin(&w, false);
	jsonw_int(&w, 7); /* a comma before the row */
	if (full)
		jsonw_object_begin(&w);
	else
		jsonw_inline_begin(&w, true);
	if (lead) {
		jsonw_key(&w, "subnet");
		jsonw_string(&w, lead);
	}
	render_row_json_fields(&w, r, full, dis);
	jsonw_object_end(&w);
	jsonw_int(&w, 8); /* and after it */
	if (in_inline)
		jsonw_array_end(&w);
	for (int d = 0; d < depth; d++)
		jsonw_array_end(&w);
	return capture_end(&c);
}

/* The same with the row composed; *wrote: whether row_json_write took it. */
static char *composed(const struct route_row *r, bool pretty, unsigned base, int depth,
		      bool in_inline, bool full, bool dis, const char *lead, bool *wrote)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), pretty, base);
	for (int d = 0; d < depth; d++)
		jsonw_array_begin(&w);
	if (in_inline)
		jsonw_inline_begin(&w, false);
	jsonw_int(&w, 7);
	long before = ftell(c.f);
	*wrote = row_json_write(&w, r, full, dis, lead ? "subnet" : NULL, lead);
	if (!*wrote) {
		cr_assert_eq(ftell(c.f), before, "a refused row wrote nothing");
		if (full)
			jsonw_object_begin(&w);
		else
			jsonw_inline_begin(&w, true);
		if (lead) {
			jsonw_key(&w, "subnet");
			jsonw_string(&w, lead);
		}
		render_row_json_fields(&w, r, full, dis);
		jsonw_object_end(&w);
	}
	jsonw_int(&w, 8);
	if (in_inline)
		jsonw_array_end(&w);
	for (int d = 0; d < depth; d++)
		jsonw_array_end(&w);
	return capture_end(&c);
}

Test(row_json, same_bytes_as_the_writer)
{
	struct route_row rows[40];
	struct prefix p[8];
	size_t n = make_rows(rows, p);
	static const char *const leads[] = { NULL, "spoke001/a", "we\"ird\n" };
	size_t took = 0, refused = 0;
	for (size_t i = 0; i < n; i++)
		for (int pretty = 0; pretty < 2; pretty++)
			for (unsigned base = 0; base <= 56; base += 28)
				for (int depth = 0; depth <= 3; depth += 3)
					for (int in_inline = 0; in_inline < 2; in_inline++)
						for (int full = 0; full < 2; full++)
							for (size_t l = 0; l < 3; l++) {
								bool dis = (i + l) % 2;
								char *want = by_calls(&rows[i], pretty, base, depth, in_inline, full, dis, leads[l]);
								bool wrote;
								char *got = composed(&rows[i], pretty, base, depth, in_inline, full, dis, leads[l], &wrote);
								cr_assert_str_eq(got, want,
										 "row %zu pretty %d base %u depth %d inline %d full %d lead %zu",
										 i, pretty, base, depth, in_inline, full, l);
								took += wrote;
								refused += !wrote;
								free(want);
								free(got);
							}
	/* Both paths were taken: most rows composed; the long name and the
	 * rows at base 56 + depth 3 over several lines refused. */
	cr_expect_gt(took, refused);
	cr_expect_gt(refused, 0);
}

/* The rows refused: a name that does not fit, indentation past 60. */
Test(row_json, refuses_what_does_not_fit)
{
	struct route_row rows[40];
	struct prefix p[8];
	size_t n = make_rows(rows, p);
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), false, 0);
	cr_expect(!row_json_write(&w, &rows[n - 1], true, false, NULL, NULL), "long name");
	cr_expect(row_json_write(&w, &rows[0], true, false, NULL, NULL));
	char *s = capture_end(&c);
	free(s);
	jsonw_init(&w, capture_begin(&c), true, 59);
	cr_expect(row_json_write(&w, &rows[0], false, false, NULL, NULL), "one line at any depth");
	cr_expect(!row_json_write(&w, &rows[0], true, false, NULL, NULL), "60 levels deep");
	s = capture_end(&c);
	free(s);
}
