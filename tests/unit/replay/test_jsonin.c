/*
 * test_jsonin.c - reading untrusted JSON with diagnostics (models/replay/jsonin.c).
 *
 * The traps of STYLE.md first (empty input, NUL bytes, nesting depth at and
 * past the limit, truncated input, trailing text, duplicate keys, the file
 * size cap at and past the limit), reading a file when memory runs out,
 * then the JSON path cursor and its scopes, the typed member reads and
 * durations.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <unistd.h>

#include "failalloc.h"
#include "helpers.h"

/* Parses len bytes; returns the root (or NULL) and leaves messages in *d. */
static cJSON *parse(const char *text, size_t len, struct diag **d)
{
	*d = diag_create();
	cr_assert_not_null(*d);
	return jin_parse_text("f.json", text, len, *d);
}

/* The only error's message, asserting there is exactly one. */
static const struct diag_entry *only_error(const struct diag *d)
{
	cr_assert_eq(diag_count(d, DIAG_ERROR), 1, "%zu errors", diag_count(d, DIAG_ERROR));
	const struct diag_entry *e = diag_get(d, 0);
	cr_assert_not_null(e);
	cr_expect_str_eq(e->file, "f.json");
	return e;
}

static void expect_parse_error(const char *text, size_t len, const char *path, const char *prefix,
			       const char *substr)
{
	struct diag *d;
	cJSON *root = parse(text, len, &d);
	cr_expect_null(root, "\"%.40s\" must not parse", text);
	const struct diag_entry *e = only_error(d);
	if (path)
		cr_expect(e->path && strcmp(e->path, path) == 0, "path %s, expected %s", e->path, path);
	else
		cr_expect_null(e->path, "no JSON path for a syntax error: %s", e->path);
	if (prefix)
		cr_expect(strncmp(e->message, prefix, strlen(prefix)) == 0, "\"%s\" should start with %s",
			  e->message, prefix);
	cr_expect(strstr(e->message, substr) != NULL, "\"%s\" should contain \"%s\"", e->message, substr);
	cJSON_Delete(root);
	diag_destroy(d);
}

/* ---- parsing: boundaries ------------------------------------------------------ */

Test(jsonin, empty_input)
{
	expect_parse_error("", 0, NULL, NULL, "empty file");
}

Test(jsonin, smallest_documents)
{
	static const char *const ok[] = { "{}", "[]", "0", "\"\"", "null", " {} \n\t\r", "[1, 2]   \n" };
	for (size_t i = 0; i < NELEM(ok); i++) {
		struct diag *d;
		cJSON *root = parse(ok[i], strlen(ok[i]), &d);
		cr_expect_not_null(root, "\"%s\"", ok[i]);
		cr_expect_eq(diag_count(d, DIAG_ERROR), 0);
		cJSON_Delete(root);
		diag_destroy(d);
	}
}

Test(jsonin, nul_bytes_are_refused_with_their_position)
{
	static const char a[] = "{\"a\":\0 1}";
	expect_parse_error(a, sizeof(a) - 1, NULL, "1:6:", "NUL byte");
	static const char b[] = "{\n  \"a\": 1,\n  \0";
	expect_parse_error(b, sizeof(b) - 1, NULL, "3:3:", "NUL byte");
	static const char c[] = "\0";
	expect_parse_error(c, 1, NULL, "1:1:", "NUL byte");
	/* A NUL inside a string is a NUL too (JSON strings cannot hold one). */
	static const char s[] = "[\"ab\0c\"]";
	expect_parse_error(s, sizeof(s) - 1, NULL, "1:5:", "NUL byte");
}

static char *nested(size_t depth, char open, char close)
{
	char *s = malloc(2 * depth + 1);
	cr_assert_not_null(s);
	for (size_t i = 0; i < depth; i++) {
		s[i] = open;
		s[2 * depth - 1 - i] = close;
	}
	s[2 * depth] = '\0';
	return s;
}

Test(jsonin, depth_limit)
{
	cr_expect_eq(JSONIN_MAX_DEPTH, 64);
	/* At the limit. */
	char *s = nested(64, '[', ']');
	struct diag *d;
	cJSON *root = parse(s, strlen(s), &d);
	cr_expect_not_null(root, "64 levels are allowed");
	cJSON_Delete(root);
	diag_destroy(d);
	free(s);
	/* One more: reported at the bracket that goes too deep. */
	s = nested(65, '[', ']');
	expect_parse_error(s, strlen(s), NULL, "1:65:", "nesting deeper than 64 levels");
	free(s);
	/* Objects count too, and so does a mix. */
	char obj[1024] = "";
	for (int i = 0; i < 65; i++)
		strcat(obj, "{\"a\":");
	strcat(obj, "1");
	for (int i = 0; i < 65; i++)
		strcat(obj, "}");
	expect_parse_error(obj, strlen(obj), NULL, "1:", "nesting deeper");
	/* Brackets inside strings are not nesting; depth goes down again. */
	char str[512] = "[\"";
	for (int i = 0; i < 200; i++)
		strcat(str, "[{");
	strcat(str, "\\\"\", [[1]], [[2]]]");
	root = parse(str, strlen(str), &d);
	cr_expect_not_null(root, "brackets in strings and sequential arrays");
	cJSON_Delete(root);
	diag_destroy(d);
	/* Very deep input never reaches the recursive parser. */
	s = nested(100000, '[', ']');
	expect_parse_error(s, strlen(s), NULL, "1:65:", "nesting");
	free(s);
}

/* A truncated file says so, at the end of the input (line:column). */
Test(jsonin, truncated_input)
{
	/* Regression: cJSON's error pointer is at the last token, never at the
	 * end, so the "unexpected end of input (truncated file?)" branch never
	 * fired: "{\"a\": [1, 2" gave "2:12: invalid JSON near '2'". */
	static const struct {
		const char *text;
		const char *at;
	} cases[] = {
		{ "{\n  \"a\": [1, 2", "2:" },
		{ "{\"a\": \"abc", "1:" },
		{ "{\"a\":", "1:" },
		{ "{", "1:" },
		{ "[\n1,\n2,\n", "4:" },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		expect_parse_error(cases[i].text, strlen(cases[i].text), NULL, cases[i].at,
				   "unexpected end of input");
}

Test(jsonin, syntax_error_position_and_trailing_text)
{
	expect_parse_error("{\"a\": tru}", 10, NULL, "1:7:", "invalid JSON near 'tru}'");
	expect_parse_error("\n\n  [1,\n \"x\" ,]", strlen("\n\n  [1,\n \"x\" ,]"), NULL, "4:", "invalid JSON");
	expect_parse_error("{} x", 4, NULL, "1:4:", "unexpected text after the JSON value");
	expect_parse_error("{}\n{}", 5, NULL, "2:1:", "unexpected text");
	/* Only the given length is read: text past it does not count. */
	struct diag *d;
	cJSON *root = parse("{}garbage", 2, &d);
	cr_expect_not_null(root);
	cJSON_Delete(root);
	diag_destroy(d);
}

Test(jsonin, duplicate_keys)
{
	expect_parse_error("{\"a\": 1, \"a\": 2}", 16, "$.a", NULL, "duplicate key \"a\"");
	expect_parse_error("{\"x\": {\"k\": 1}, \"b\": {\"c\": 1, \"d\": 2, \"c\": 3}}",
			   strlen("{\"x\": {\"k\": 1}, \"b\": {\"c\": 1, \"d\": 2, \"c\": 3}}"), "$.b.c", NULL,
			   "duplicate key");
	expect_parse_error("{\"x\": [{\"k\": 1}, {\"k\": 1, \"k\": 2}]}",
			   strlen("{\"x\": [{\"k\": 1}, {\"k\": 1, \"k\": 2}]}"), "$.x[1].k", NULL,
			   "duplicate key");
	expect_parse_error("{\"a b\": 1, \"a b\": 2}", strlen("{\"a b\": 1, \"a b\": 2}"), "$[\"a b\"]",
			   NULL, "duplicate key");
	/* Three times: each later one is reported... at least once, and the
	 * document is refused. */
	struct diag *d;
	cJSON *root = parse("{\"a\":1,\"a\":2,\"a\":3}", strlen("{\"a\":1,\"a\":2,\"a\":3}"), &d);
	cr_expect_null(root);
	cr_expect_geq(diag_count(d, DIAG_ERROR), 1);
	diag_destroy(d);
	/* Keys are case-sensitive: not duplicates. */
	root = parse("{\"a\": 1, \"A\": 2}", 16, &d);
	cr_expect_not_null(root);
	cJSON_Delete(root);
	diag_destroy(d);
}

/* ---- files ------------------------------------------------------------------- */

static char *tmpfile_with(const char *content, size_t len)
{
	char *path = strdup("/tmp/test_jsonin_XXXXXX");
	cr_assert_not_null(path);
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

Test(jsonin, parse_file)
{
	char *path = tmpfile_with("{\"a\": [1, 2, 3]}\n", 17);
	struct diag *d = diag_create();
	bool io = true;
	cJSON *root = jin_parse_file(path, d, &io);
	cr_expect_not_null(root);
	cr_expect(!io);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "a")), 3);
	cJSON_Delete(root);
	unlink(path);
	/* A file that does not exist is bad input (exit 2), not an I/O error. */
	root = jin_parse_file(path, d, &io);
	cr_expect_null(root);
	cr_expect(!io);
	cr_expect_not_null(diag_find(d, DIAG_ERROR, NULL, "cannot open"));
	free(path);
	/* A directory named as a file is the caller's mistake (exit 2), like
	 * a missing file, not an environment failure. */
	root = jin_parse_file("/tmp", d, &io);
	cr_expect_null(root);
	cr_expect(!io, "a directory is bad input, not an I/O error");
	cr_expect_not_null(diag_find(d, DIAG_ERROR, NULL, "Is a directory"));
	diag_destroy(d);
}

/* The size cap: a file of exactly JSONIN_MAX_FILE bytes is read, one byte
 * more is refused with a message and no crash. */
static char *sized_file(size_t size)
{
	char *path = strdup("/tmp/test_jsonin_big_XXXXXX");
	cr_assert_not_null(path);
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "{}", 2), 2);
	/* The rest: spaces, written sparse-free but quickly in chunks. */
	static char spaces[1 << 16];
	memset(spaces, ' ', sizeof(spaces));
	size_t left = size - 2;
	while (left > 0) {
		size_t n = left < sizeof(spaces) ? left : sizeof(spaces);
		cr_assert_eq(write(fd, spaces, n), (ssize_t)n);
		left -= n;
	}
	close(fd);
	return path;
}

Test(jsonin, file_size_cap_over)
{
	char *path = sized_file((size_t)JSONIN_MAX_FILE + 1);
	struct diag *d = diag_create();
	bool io = true;
	cJSON *root = jin_parse_file(path, d, &io);
	cr_expect_null(root);
	cr_expect(!io, "too large is bad input");
	cr_expect_not_null(diag_find(d, DIAG_ERROR, NULL, "larger than 64 MiB"));
	unlink(path);
	free(path);
	diag_destroy(d);
}

Test(jsonin, file_size_cap_exactly_at_the_limit)
{
	/* Regression: the buffer is full at exactly JSONIN_MAX_FILE bytes and
	 * the file was refused as "larger than 64 MiB" without checking for end
	 * of file. */
	char *path = sized_file((size_t)JSONIN_MAX_FILE);
	struct diag *d = diag_create();
	bool io = true;
	cJSON *root = jin_parse_file(path, d, &io);
	if (!root)
		diag_dump(d);
	cr_expect_not_null(root, "a file of exactly %u bytes is within the cap", JSONIN_MAX_FILE);
	cJSON_Delete(root);
	unlink(path);
	free(path);
	diag_destroy(d);
}

/* The read buffer grows with VEC_RESERVE: when realloc fails the file is
 * refused as out of memory (an environment failure, exit 3), never read in
 * part.  The first growth makes the 64 KiB buffer, the second doubles it. */
Test(jsonin, parse_file_out_of_memory)
{
	size_t len = (64u << 10) + 10;
	char *text = malloc(len);
	cr_assert_not_null(text);
	memset(text, ' ', len);
	memcpy(text, "[1]", 3);
	char *path = tmpfile_with(text, len);
	free(text);
	for (long fail_at = 0; fail_at < 2; fail_at++) {
		struct diag *d = diag_create();
		bool io = false;
		/* Room for the diagnostic first: the collector grows by realloc too. */
		diag_add(d, DIAG_NOTE, NULL, NULL, "room");
		failalloc_after(fail_at);
		cJSON *root = jin_parse_file(path, d, &io);
		long calls = failalloc_calls();
		failalloc_after(-1);
		cr_expect_null(root, "realloc fails on call %ld", fail_at + 1);
		cr_expect(io, "out of memory is an environment failure");
		cr_expect_eq(calls, fail_at + 1);
		cr_expect_not_null(diag_find(d, DIAG_ERROR, NULL, "cannot read: out of memory"));
		cJSON_Delete(root);
		diag_destroy(d);
	}
	struct diag *d = diag_create();
	bool io = true;
	cJSON *root = jin_parse_file(path, d, &io);
	cr_expect_not_null(root, "and with memory it reads");
	cr_expect_eq(failalloc_calls(), 2, "64 KiB, then 128 KiB");
	cJSON_Delete(root);
	diag_destroy(d);
	unlink(path);
	free(path);
}

/* ---- the path cursor ----------------------------------------------------------- */

/* Indices and keys are appended without printf: every digit count, and a
 * path that outgrows the buffer is cut at its end as snprintf would. */
Test(jsonin, path_cursor_indices_and_truncation)
{
	struct diag *d = diag_create();
	struct jin j;
	jin_init(&j, d, "f.json");
	size_t m = jin_push_index(&j, 0);
	cr_expect_str_eq(j.path, "$[0]");
	jin_pop(&j, m);
	m = jin_push_index(&j, 18446744073709551615u);
	cr_expect_str_eq(j.path, "$[18446744073709551615]");
	jin_pop(&j, m);
	char key[JSONIN_PATH_MAX * 2], want[JSONIN_PATH_MAX * 2 + 8];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	m = jin_push_key(&j, key);
	snprintf(want, sizeof(want), "$.%s", key);
	want[JSONIN_PATH_MAX - 1] = '\0';
	cr_expect_eq(strlen(j.path), JSONIN_PATH_MAX - 1);
	cr_expect_str_eq(j.path, want);
	size_t m2 = jin_push_index(&j, 7);
	cr_expect_str_eq(j.path, want, "a full path stays as it is");
	jin_pop(&j, m2);
	jin_pop(&j, m);
	cr_expect_str_eq(j.path, "$");
	diag_destroy(d);
}

Test(jsonin, path_cursor)
{
	struct diag *d = diag_create();
	struct jin j;
	jin_init(&j, d, "f.json");
	cr_expect_str_eq(j.path, "$");
	size_t m0 = jin_push_key(&j, "topology");
	size_t m1 = jin_push_key(&j, "virtualNetworks");
	size_t m2 = jin_push_index(&j, 2);
	cr_expect_str_eq(j.path, "$.topology.virtualNetworks[2]");
	size_t m3 = jin_push_key(&j, "a b");
	cr_expect_str_eq(j.path, "$.topology.virtualNetworks[2][\"a b\"]");
	jin_pop(&j, m3);
	m3 = jin_push_key(&j, "9lives");
	cr_expect_str_eq(j.path, "$.topology.virtualNetworks[2][\"9lives\"]", "a leading digit is quoted");
	jin_pop(&j, m3);
	m3 = jin_push_key(&j, "");
	cr_expect_str_eq(j.path, "$.topology.virtualNetworks[2][\"\"]");
	jin_pop(&j, m3);
	m3 = jin_push_key(&j, "_x9");
	cr_expect_str_eq(j.path, "$.topology.virtualNetworks[2]._x9");
	jin_error(&j, "boom %d", 1);
	jin_warn(&j, "careful");
	jin_error_at(&j, "name", "bad name");
	cr_expect_str_eq(j.path, "$.topology.virtualNetworks[2]._x9", "jin_error_at does not push");
	jin_pop(&j, m3);
	jin_pop(&j, m2);
	jin_pop(&j, m1);
	jin_pop(&j, m0);
	cr_expect_str_eq(j.path, "$");
	cr_expect_eq(jin_errors(&j), 2);
	cr_expect_not_null(diag_find(d, DIAG_ERROR, "$.topology.virtualNetworks[2]._x9", "boom 1"));
	cr_expect_not_null(diag_find(d, DIAG_WARNING, "$.topology.virtualNetworks[2]._x9", "careful"));
	cr_expect_not_null(diag_find(d, DIAG_ERROR, "$.topology.virtualNetworks[2]._x9.name", "bad name"));
	/* A second cursor on the same collector counts from its start. */
	struct jin k;
	jin_init(&k, d, "g.json");
	cr_expect_eq(jin_errors(&k), 0);
	diag_destroy(d);
}

Test(jsonin, path_cursor_overflow_is_truncated_not_overrun)
{
	struct diag *d = diag_create();
	struct jin j;
	jin_init(&j, d, "f.json");
	char key[200];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	size_t marks[10];
	for (int i = 0; i < 10; i++)
		marks[i] = jin_push_key(&j, key);
	cr_expect_lt(strlen(j.path), (size_t)JSONIN_PATH_MAX);
	cr_expect_eq(strncmp(j.path, "$.kkk", 5), 0);
	for (int i = 9; i >= 0; i--)
		jin_pop(&j, marks[i]);
	cr_expect_str_eq(j.path, "$");
	diag_destroy(d);
}

/* ---- scopes ---------------------------------------------------------------------- */

struct visits {
	char path[8][JSONIN_PATH_MAX];  /* j->path at each visit */
	size_t index[8];
	size_t n;
	size_t stop_after;             /* return false on this visit (1-based); 0 never */
};

static bool record(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	struct visits *vs = ctx;
	(void)v;
	cr_assert_lt(vs->n, 8);
	snprintf(vs->path[vs->n], sizeof(vs->path[0]), "%s", j->path);
	vs->index[vs->n] = i;
	vs->n++;
	return vs->n != vs->stop_after;
}

/* Each scope pushes its segment around the visitor and leaves the path as
 * it found it; jin_each stops when the visitor says so. */
Test(jsonin, scopes_push_and_pop_around_the_visitor)
{
	cJSON *doc = json_parse_sq("{ 'a': [ 10, 20, 30 ] }");
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "a");
	struct diag *d = diag_create();
	struct jin j;
	jin_init(&j, d, "f.json");
	jin_push_key(&j, "top");
	struct visits vs = { .n = 0 };
	cr_expect(jin_each(&j, "a b", arr, record, &vs));
	cr_assert_eq(vs.n, 3);
	cr_expect_str_eq(vs.path[0], "$.top[\"a b\"][0]");
	cr_expect_str_eq(vs.path[2], "$.top[\"a b\"][2]");
	cr_expect_eq(vs.index[2], 2);
	cr_expect_str_eq(j.path, "$.top");

	vs = (struct visits){ .stop_after = 2 };
	cr_expect_not(jin_each(&j, NULL, arr, record, &vs), "stopped");
	cr_expect_eq(vs.n, 2, "no visit after the visitor said stop");
	cr_expect_str_eq(vs.path[1], "$.top[1]");
	cr_expect_str_eq(j.path, "$.top");

	vs = (struct visits){ .n = 0 };
	cr_expect(jin_each(&j, "none", NULL, record, &vs), "an absent array has no elements");
	cr_expect_eq(vs.n, 0);
	cr_expect_str_eq(j.path, "$.top");

	vs = (struct visits){ .stop_after = 1 };
	cr_expect_not(jin_in(&j, "k", arr, record, &vs), "the visitor's result");
	cr_expect_str_eq(vs.path[0], "$.top.k");
	cr_expect(jin_in_elem(&j, "k", 7, NULL, record, &vs));
	cr_expect_str_eq(vs.path[1], "$.top.k[7]");
	cr_expect_eq(vs.index[1], 7);
	cr_expect(jin_in_elem(&j, NULL, 3, NULL, record, &vs));
	cr_expect_str_eq(vs.path[2], "$.top[3]");
	cr_expect_str_eq(j.path, "$.top");

	jin_warn_at(&j, "x", "careful %d", 1);
	cr_expect_not_null(diag_find(d, DIAG_WARNING, "$.top.x", "careful 1"));
	cr_expect_eq(jin_errors(&j), 0, "a warning is not an error");
	cr_expect_str_eq(j.path, "$.top");
	cJSON_Delete(doc);
	diag_destroy(d);
}

/* Scopes nest: a visitor that enters a scope of its own. */
static bool enter_inner(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	(void)i;
	return jin_each(j, "inner", cJSON_GetObjectItemCaseSensitive(v, "inner"), record, ctx);
}

Test(jsonin, scopes_nest)
{
	cJSON *doc = json_parse_sq("[ { 'inner': [ 1 ] }, { 'inner': [ 2, 3 ] } ]");
	struct diag *d = diag_create();
	struct jin j;
	jin_init(&j, d, "f.json");
	struct visits vs = { .n = 0 };
	cr_expect(jin_each(&j, "outer", doc, enter_inner, &vs));
	cr_assert_eq(vs.n, 3);
	cr_expect_str_eq(vs.path[0], "$.outer[0].inner[0]");
	cr_expect_str_eq(vs.path[1], "$.outer[1].inner[0]");
	cr_expect_str_eq(vs.path[2], "$.outer[1].inner[1]");
	cr_expect_str_eq(j.path, "$");
	cJSON_Delete(doc);
	diag_destroy(d);
}

/* ---- typed reads ----------------------------------------------------------------- */

struct rfx {
	struct diag *d;
	struct jin j;
	cJSON *doc;
};

static void rfx_init(struct rfx *f, const char *sq)
{
	f->doc = json_parse_sq(sq);
	f->d = diag_create();
	jin_init(&f->j, f->d, "f.json");
}

static void rfx_fini(struct rfx *f)
{
	cJSON_Delete(f->doc);
	diag_destroy(f->d);
}

Test(jsonin, typed_member_reads)
{
	struct rfx f;
	rfx_init(&f, "{ 's': 'x', 'b': true, 'n': 42, 'o': {}, 'a': [], 'f': 1.5, 'neg': -1,"
		     "  'big': 1e30, 'e': '' }");
	const char *s = NULL;
	const cJSON *o = NULL;
	bool b = false;
	uint64_t u = 7;
	cr_expect(jin_string(&f.j, f.doc, "s", true, &s));
	cr_expect_str_eq(s, "x");
	cr_expect(jin_bool(&f.j, f.doc, "b", true, &b) && b);
	cr_expect(jin_uint(&f.j, f.doc, "n", true, 0, 100, &u) && u == 42);
	cr_expect(jin_object(&f.j, f.doc, "o", true, &o) && cJSON_IsObject(o));
	cr_expect(jin_array(&f.j, f.doc, "a", true, &o) && cJSON_IsArray(o));
	cr_expect_eq(jin_errors(&f.j), 0);
	/* Optional and missing: no error, no change. */
	s = "keep";
	cr_expect(!jin_string(&f.j, f.doc, "missing", false, &s));
	cr_expect_str_eq(s, "keep");
	cr_expect_eq(jin_errors(&f.j), 0);
	/* Required and missing. */
	cr_expect(!jin_string(&f.j, f.doc, "missing", true, &s));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$", "missing required key \"missing\""));
	/* Wrong types, each at its member's path. */
	static const struct {
		const char *key, *want;
	} wrong[] = { { "n", "expected a string, found a number" } };
	cr_expect(!jin_string(&f.j, f.doc, wrong[0].key, true, &s));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.n", wrong[0].want));
	cr_expect(!jin_bool(&f.j, f.doc, "s", true, &b));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.s", "expected true or false, found a string"));
	cr_expect(!jin_object(&f.j, f.doc, "a", true, &o));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.a", "expected an object, found an array"));
	cr_expect(!jin_array(&f.j, f.doc, "o", true, &o));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.o", "expected an array, found an object"));
	/* Numbers: whole and in range. */
	u = 7;
	cr_expect(!jin_uint(&f.j, f.doc, "f", true, 0, 100, &u));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.f", "whole number"));
	cr_expect(!jin_uint(&f.j, f.doc, "neg", true, 0, 100, &u));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.neg", "out of range"));
	cr_expect(!jin_uint(&f.j, f.doc, "big", true, 0, UINT64_MAX, &u));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.big", "out of range"));
	cr_expect(!jin_uint(&f.j, f.doc, "n", true, 43, 100, &u));
	cr_expect(jin_uint(&f.j, f.doc, "n", true, 42, 42, &u), "range bounds are inclusive");
	cr_expect_eq(u, 42);
	cr_expect(!jin_uint(&f.j, f.doc, "s", true, 0, 100, &u));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.s", "expected a whole number, found a string"));
	/* Non-empty strings. */
	cr_expect(!jin_is_string(&f.j, cJSON_GetObjectItemCaseSensitive(f.doc, "e"), "a name"));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$", "an empty string"));
	/* Reads on something that is not an object. */
	cr_expect(!jin_string(&f.j, cJSON_GetObjectItemCaseSensitive(f.doc, "a"), "x", false, &s));
	rfx_fini(&f);
}

Test(jsonin, prefixes_addresses_references)
{
	struct rfx f;
	rfx_init(&f, "{ 'p': '10.0.0.0/8', 'hb': '10.0.0.1/8', 'bad': '10.0.0/8', 'num': 8,"
		     "  'ip': '10.1.2.3', 'badip': '10.1.2.256', 'ref': { 'id': 'hub' },"
		     "  'ref2': { 'id': 'hub', 'extra': 1 }, 'ref3': { 'name': 'hub' } }");
	struct prefix p;
	uint32_t ip;
	const char *id;
	cr_expect(jin_prefix(&f.j, f.doc, "p", true, &p));
	cr_expect(prefix_equal(p, P("10.0.0.0/8")));
	cr_expect(!jin_prefix(&f.j, f.doc, "hb", true, &p));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.hb", "host bits set: did you mean 10.0.0.0/8?"));
	cr_expect(!jin_prefix(&f.j, f.doc, "bad", true, &p));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.bad", "not an IPv4 CIDR prefix"));
	cr_expect(!jin_prefix(&f.j, f.doc, "num", true, &p));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.num", "found a number"));
	cr_expect(jin_ipv4(&f.j, f.doc, "ip", true, &ip) && ip == IP(10, 1, 2, 3));
	cr_expect(!jin_ipv4(&f.j, f.doc, "badip", true, &ip));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.badip", "not an IPv4 address"));
	cr_expect(jin_ref(&f.j, f.doc, "ref", true, &id));
	cr_expect_str_eq(id, "hub");
	size_t warnings = diag_count(f.d, DIAG_WARNING);
	cr_expect(jin_ref(&f.j, f.doc, "ref2", true, &id));
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), warnings + 1);
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$.ref2.extra", "unknown key"));
	cr_expect(!jin_ref(&f.j, f.doc, "ref3", true, &id));
	cr_expect_not_null(diag_find(f.d, DIAG_ERROR, "$.ref3", "missing required key \"id\""));
	rfx_fini(&f);
}

Test(jsonin, known_keys)
{
	struct rfx f;
	rfx_init(&f, "{ 'name': 'x', 'nmae': 'typo', 'a b': 1 }");
	static const char *const known[] = { "name", NULL };
	jin_known_keys(&f.j, f.doc, known);
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 2);
	cr_expect_eq(jin_errors(&f.j), 0, "unknown keys are warnings");
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$.nmae", "unknown key \"nmae\""));
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$[\"a b\"]", "unknown key"));
	jin_known_keys(&f.j, cJSON_GetObjectItemCaseSensitive(f.doc, "name"), known); /* not an object */
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 2);
	rfx_fini(&f);
}

/* ---- durations --------------------------------------------------------------------- */

Test(jsonin, durations_accepted)
{
	static const struct {
		const char *s;
		int64_t ms;
	} cases[] = {
		{ "0", 0 },          { "0s", 0 },        { "0ms", 0 },
		{ "30", 30000 },     { "90s", 90000 },   { "5m", 300000 },
		{ "1.5h", 5400000 }, { "250ms", 250 },   { "1h", 3600000 },
		{ "0.5s", 500 },     { "0.001s", 1 },    { "1.5m", 90000 },
		{ "0.007s", 7 },     { "0.25m", 15000 },
		{ "1.25", 1250 },    { "100000h", 360000000000 },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		int64_t ms = -1;
		cr_expect(jin_parse_duration(cases[i].s, &ms), "\"%s\" accepted", cases[i].s);
		cr_expect_eq(ms, cases[i].ms, "\"%s\" = %lld ms, expected %lld", cases[i].s, (long long)ms,
			     (long long)cases[i].ms);
	}
}

/* "1.001s" is exactly 1001 ms: a decimal with at most three places in
 * seconds is always whole milliseconds, as a string or as a number. */
Test(jsonin, durations_decimal_milliseconds)
{
	/* Regression: v * 1000 in binary floating point gave 1000.9999999999999
	 * for 1.001, which was refused as "a fraction of a millisecond". */
	static const struct {
		const char *s;
		int64_t ms;
	} cases[] = { { "1.001s", 1001 }, { "2.003s", 2003 }, { "0.009m", 540 }, { "1.001", 1001 } };
	for (size_t i = 0; i < NELEM(cases); i++) {
		int64_t ms = -1;
		cr_expect(jin_parse_duration(cases[i].s, &ms) && ms == cases[i].ms, "\"%s\" = %lld ms",
			  cases[i].s, (long long)ms);
	}
	struct rfx f;
	rfx_init(&f, "{ 'at': 1.001 }");
	int64_t ms = -1;
	cr_expect(jin_duration(&f.j, f.doc, "at", &ms), "the number 1.001 is refused");
	cr_expect_eq(ms, 1001);
	rfx_fini(&f);
}

/* Every decimal with three places is a whole number of milliseconds. */
Test(jsonin, durations_every_millisecond_in_seconds)
{
	/* Regression: see durations_decimal_milliseconds; 1,472 of these
	 * 100,000 were refused. */
	size_t refused = 0;
	char first[32] = "";
	for (long i = 0; i < 100000; i++) {
		char s[32];
		snprintf(s, sizeof(s), "%ld.%03lds", i / 1000, i % 1000);
		int64_t ms = -1;
		if (!jin_parse_duration(s, &ms) || ms != i) {
			if (!refused)
				snprintf(first, sizeof(first), "%s", s);
			refused++;
		}
	}
	cr_expect_eq(refused, 0, "%zu of 100000 refused or wrong, first \"%s\"", refused, first);
}

Test(jsonin, durations_refused)
{
	static const char *const bad[] = {
		"",         "s",       "ms",      "5 minutes", "5 m",   " 5s",    "5s ",
		"+5s",      "-5s",     "-1",      "5S",        "5sec",  "5d",     "1.5ms",
		"0.0005s",  "0.1ms",   "inf",     "nan",       "infs",  "1e400s", "5mm",
		"1,5s",     "ten",     "1.5.5s",
	};
	for (size_t i = 0; i < NELEM(bad); i++) {
		int64_t ms = 12345;
		cr_expect(!jin_parse_duration(bad[i], &ms), "\"%s\" refused", bad[i]);
		cr_expect_eq(ms, 12345, "\"%s\": output untouched", bad[i]);
	}
}

/* strtod also reads hexadecimal ("0x10" = 16, "0x1p4" = 16): a duration is
 * decimal seconds or a decimal with a unit (RULES 2.2). */
Test(jsonin, durations_refuse_hexadecimal)
{
	/* Regression: durations were read with strtod, so "0x10s" was 16 s. */
	static const char *const bad[] = { "0x10s", "0x10", "0x1p4m", "0X1A" };
	for (size_t i = 0; i < NELEM(bad); i++) {
		int64_t ms = 12345;
		cr_expect(!jin_parse_duration(bad[i], &ms), "\"%s\" accepted as %lld ms", bad[i],
			  (long long)ms);
	}
}

Test(jsonin, duration_values_numbers_and_strings)
{
	struct rfx f;
	rfx_init(&f, "{ 'n': 90, 'f': 1.5, 'ms': 0.001, 'neg': -1, 'frac': 0.0001, 's': '5m',"
		     "  'bad': '5 minutes', 'b': true, 'odd': 1.001 }");
	static const struct {
		const char *key;
		bool ok;
		int64_t ms;
		const char *msg;
	} cases[] = {
		{ "n", true, 90000, NULL },
		{ "f", true, 1500, NULL },
		{ "ms", true, 1, NULL },
		{ "s", true, 300000, NULL },
		{ "neg", false, 0, "not a time" },
		{ "frac", false, 0, "whole milliseconds" },
		{ "bad", false, 0, "use seconds or a number with ms, s, m or h" },
		{ "b", false, 0, "found a boolean" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		int64_t ms = -7;
		bool ok = jin_duration(&f.j, f.doc, cases[i].key, &ms);
		cr_expect_eq(ok, cases[i].ok, "%s", cases[i].key);
		if (cases[i].ok) {
			cr_expect_eq(ms, cases[i].ms, "%s: %lld", cases[i].key, (long long)ms);
		} else {
			char path[32];
			snprintf(path, sizeof(path), "$.%s", cases[i].key);
			cr_expect_not_null(diag_find(f.d, DIAG_ERROR, path, cases[i].msg), "%s", cases[i].key);
			cr_expect_eq(ms, -7);
		}
	}
	int64_t ms = -7;
	cr_expect(!jin_duration(&f.j, f.doc, "absent", &ms));
	cr_expect_eq(ms, -7);
	rfx_fini(&f);
}
