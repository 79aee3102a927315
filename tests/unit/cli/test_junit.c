/*
 * test_junit.c - JUnit XML reports (tools/cli/junit.c).
 *
 * The document is checked two ways: the counts and structure in the text
 * itself, and, when xmllint is installed, by an XML parser: the file must
 * be well-formed and every string read back through XPath must equal what
 * was given (control characters as U+FFFD, which XML 1.0 cannot hold).
 * Without xmllint those checks are skipped with a message.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "junit.h"
#include "testfs.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

static int suite(struct junit *j, const char *name)
{
	struct junit_suite_info si = { .name = name };
	return junit_suite(j, &si);
}

static int add(struct junit *j, const char *cls, const char *name, enum junit_outcome o,
	       const char *message, const char *detail)
{
	struct junit_result r = { o, o == JUNIT_FAIL ? "F" : "E", message, detail };
	return junit_case(j, cls, name, o == JUNIT_PASS ? NULL : &r);
}

static char *print_doc(const struct junit *j)
{
	struct capture c;
	junit_print(j, capture_begin(&c));
	return capture_end(&c);
}

/* ---- xmllint ------------------------------------------------------------------ */

static char doc_path[64];

static bool have_xmllint(void)
{
	static int known = -1;
	if (known < 0) {
		known = system("command -v xmllint >/dev/null 2>&1") == 0;
		if (!known)
			fprintf(stderr, "note: xmllint is not installed: the XML well-formedness "
					"and XPath checks are skipped\n");
	}
	return known;
}

/* Writes text to a temporary file for xmllint; false when xmllint is absent. */
static bool doc_file(const char *text)
{
	if (!have_xmllint())
		return false;
	snprintf(doc_path, sizeof(doc_path), "/tmp/vnetsim-test-junit-XXXXXX");
	int fd = mkstemp(doc_path);
	cr_assert_geq(fd, 0);
	size_t len = strlen(text);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", doc_path);
	cr_expect_eq(system(cmd), 0, "xmllint: the document is not well-formed:\n%s", text);
	return true;
}

static void doc_file_remove(void)
{
	if (doc_path[0])
		unlink(doc_path);
	doc_path[0] = '\0';
}

/* The XPath expression's value in the document (xmllint adds a newline,
 * dropped here).  The expression must not contain a single quote. */
static char *xpath(const char *expr)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "xmllint --xpath '%s' '%s' 2>/dev/null", expr, doc_path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char *s = stream_text(p);
	pclose(p);
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

static void expect_xpath(const char *expr, const char *want)
{
	char *got = xpath(expr);
	cr_expect_str_eq(got, want, "%s", expr);
	free(got);
}

/* ---- structure and counts -------------------------------------------------------- */

Test(junit, empty_report_is_a_valid_document, .fini = doc_file_remove)
{
	struct junit *j = junit_create();
	cr_assert_not_null(j);
	char *text = print_doc(j);
	cr_expect_str_eq(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<testsuites name=\"vnetsim\" tests=\"0\" failures=\"0\" errors=\"0\" "
			       "skipped=\"0\" time=\"0.000\">\n"
			       "</testsuites>\n");
	if (doc_file(text))
		expect_xpath("count(//testsuite)", "0");
	free(text);
	junit_destroy(j);
	junit_destroy(NULL);
}

Test(junit, a_case_without_a_suite_opens_vnetsim, .fini = doc_file_remove)
{
	struct junit *j = junit_create();
	cr_assert_eq(add(j, "c", "n", JUNIT_PASS, NULL, NULL), 0);
	cr_assert_eq(junit_suite(j, NULL), 0);
	struct junit_result bare = { JUNIT_FAIL, NULL, NULL, NULL };
	cr_assert_eq(junit_case(j, "c", "m", &bare), 0);
	char *text = print_doc(j);
	cr_expect_not_null(strstr(text, "  <testsuite name=\"vnetsim\" tests=\"1\" failures=\"0\" "
					"errors=\"0\" skipped=\"0\" time=\"0.000\" timestamp=\""));
	cr_expect_not_null(strstr(text, "    <testcase classname=\"c\" name=\"n\" time=\"0.000\"/>\n"));
	cr_expect_not_null(strstr(text, "<failure message=\"\" type=\"failure\"></failure>"),
			   "no message, no type, no detail: empty message, the tag as type");
	if (doc_file(text)) {
		expect_xpath("count(//testsuite[@name=\"vnetsim\"])", "2");
		expect_xpath("string(//testsuite[2]/@failures)", "1");
	}
	free(text);
	junit_destroy(j);
}

/* Suites and cases beyond the first growth steps, in the order added, each
 * suite counting its own outcomes and the root counting them all. */
Test(junit, many_suites_and_cases_counted, .fini = doc_file_remove)
{
	struct junit *j = junit_create();
	size_t tests = 0, failures = 0, errors = 0;
	char want_suite[20][96];
	for (size_t s = 0; s < 20; s++) {
		char name[32];
		snprintf(name, sizeof(name), "suite-%zu", s);
		cr_assert_eq(suite(j, name), 0);
		size_t t = 0, f = 0, e = 0;
		for (size_t c = 0; c < s + 1; c++) {
			enum junit_outcome o = (enum junit_outcome)((s + c) % 3);
			char cname[32];
			snprintf(cname, sizeof(cname), "case-%zu-%zu", s, c);
			cr_assert_eq(add(j, "cls", cname, o, o ? "why" : NULL, o ? "how" : NULL), 0);
			t++;
			f += o == JUNIT_FAIL;
			e += o == JUNIT_ERROR;
		}
		snprintf(want_suite[s], sizeof(want_suite[s]),
			 "<testsuite name=\"suite-%zu\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" ", s,
			 t, f, e);
		tests += t;
		failures += f;
		errors += e;
	}
	char *text = print_doc(j);
	char root[128];
	snprintf(root, sizeof(root), "<testsuites name=\"vnetsim\" tests=\"%zu\" failures=\"%zu\" "
				     "errors=\"%zu\" ", tests, failures, errors);
	cr_expect_eq(tests, 210);
	cr_expect_not_null(strstr(text, root), "%s", root);
	const char *at = text;
	for (size_t s = 0; s < 20; s++) {
		const char *p = strstr(at, want_suite[s]);
		cr_expect_not_null(p, "%s, after the one before", want_suite[s]);
		at = p ? p : at;
	}
	if (doc_file(text)) {
		expect_xpath("count(//testcase)", "210");
		expect_xpath("string(/testsuites/testsuite[13]/testcase[13]/@name)", "case-12-12");
		expect_xpath("count(//testsuite[@name=\"suite-19\"]/testcase)", "20");
		char n[24];
		snprintf(n, sizeof(n), "%zu", failures);
		expect_xpath("count(//failure)", n);
		snprintf(n, sizeof(n), "%zu", errors);
		expect_xpath("count(//error)", n);
		expect_xpath("string(//testcase[@name=\"case-1-0\"]/failure/@message)", "why");
		expect_xpath("string(//testcase[@name=\"case-1-1\"]/error)", "how");
	}
	free(text);
	junit_destroy(j);
}

/* ---- escaping -------------------------------------------------------------------------- */

static const struct {
	const char *in;
	const char *out;               /* as an XML parser reads it back */
} STRINGS[] = {
	{ "", "" },
	{ "plain", "plain" },
	{ "a & b", "a & b" },
	{ "<tag attr=\"v\">", "<tag attr=\"v\">" },
	{ "it's", "it's" },
	{ "]]> ends CDATA", "]]> ends CDATA" },
	{ "line 1\nline 2\r\n", "line 1\nline 2\r\n" },
	{ "tab\there", "tab\there" },
	{ "  leading and trailing  ", "  leading and trailing  " },
	{ "bell\x07 esc\x1b del\x7f nul-free\x01", "bell\xef\xbf\xbd esc\xef\xbf\xbd del\xef\xbf\xbd "
						    "nul-free\xef\xbf\xbd" },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "
								   "\xf0\x9f\x9a\x80" },
	{ "&amp; already escaped", "&amp; already escaped" },
};

/* Every string in every position: suite name, classname, name, message
 * and detail; read back equal. */
Test(junit, every_string_escaped_in_every_position, .fini = doc_file_remove)
{
	struct junit *j = junit_create();
	for (size_t i = 0; i < NELEM(STRINGS); i++) {
		struct junit_suite_info si = { .name = STRINGS[i].in, .file = STRINGS[i].in };
		cr_assert_eq(junit_suite(j, &si), 0);
		struct junit_result f = { JUNIT_FAIL, STRINGS[i].in, STRINGS[i].in, STRINGS[i].in };
		struct junit_result e = { JUNIT_ERROR, STRINGS[i].in, STRINGS[i].in, STRINGS[i].in };
		cr_assert_eq(junit_case(j, STRINGS[i].in, STRINGS[i].in, &f), 0);
		cr_assert_eq(junit_case(j, STRINGS[i].in, STRINGS[i].in, &e), 0);
	}
	char *text = print_doc(j);
	/* No raw markup from the inputs: every '<' starts one of our tags. */
	for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<'))
		cr_expect(strncmp(p, "<?xml", 5) == 0 || strncmp(p, "<testsuite", 10) == 0 ||
				  strncmp(p, "<testcase", 9) == 0 || strncmp(p, "<failure", 8) == 0 ||
				  strncmp(p, "<error", 6) == 0 || strncmp(p, "</", 2) == 0 ||
				  strncmp(p, "<propert", 8) == 0 || strncmp(p, "<system-", 8) == 0,
			  "raw '<' in the output: %.30s", p);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		cr_expect(*p >= 0x20 || *p == '\n', "raw control character 0x%02x", *p);
	if (doc_file(text)) {
		static const char *const where[] = { "/@name",
						     "/properties/property[1]/@value",
						     "/testcase[1]/failure/@type",
						     "/testcase[1]/@classname",
						     "/testcase[1]/@name",
						     "/testcase[1]/failure/@message",
						     "/testcase[1]/failure",
						     "/testcase[2]/error/@message",
						     "/testcase[2]/error" };
		for (size_t i = 0; i < NELEM(STRINGS); i++)
			for (size_t w = 0; w < NELEM(where); w++) {
				char expr[160];
				snprintf(expr, sizeof(expr), "string(/testsuites/testsuite[%zu]%s)", i + 1,
					 where[w]);
				expect_xpath(expr, STRINGS[i].out);
			}
	}
	free(text);
	junit_destroy(j);
}

/* The strings are copied: the caller's buffers may change after the call. */
Test(junit, strings_are_copied)
{
	struct junit *j = junit_create();
	char buf[16];
	strcpy(buf, "first");
	cr_assert_eq(suite(j, buf), 0);
	cr_assert_eq(add(j, buf, buf, JUNIT_FAIL, buf, buf), 0);
	strcpy(buf, "XXXXX");
	char *text = print_doc(j);
	cr_expect_null(strstr(text, "XXXXX"));
	cr_expect_not_null(strstr(text, "<testcase classname=\"first\" name=\"first\" time=\"0.000\">"
					"\n      <failure message=\"first\" type=\"F\">first</failure>\n"
					"    </testcase>"));
	free(text);
	junit_destroy(j);
}

/* ---- junit_write ------------------------------------------------------------------------- */

Test(junit, write_gives_the_printed_document_or_exit_3)
{
	struct junit *j = junit_create();
	cr_assert_eq(add(j, "c", "a<b", JUNIT_ERROR, "m", "d"), 0);
	char dir[TESTDIR_LEN];
	testdir_make(dir, "junit");
	char path[96];
	snprintf(path, sizeof(path), "%s/report.xml", dir);
	struct capture err;
	cr_expect_eq(junit_write(j, path, capture_begin(&err)), 0);
	char *msg = capture_end(&err);
	cr_expect_str_eq(msg, "");
	free(msg);
	char *file = file_text(path), *printed = print_doc(j);
	cr_expect_str_eq(file, printed);
	free(file);
	free(printed);
	unlink(path);
	/* A folder that does not exist: exit 3, the path named on err. */
	snprintf(path, sizeof(path), "%s/none/report.xml", dir);
	cr_expect_eq(junit_write(j, path, capture_begin(&err)), 3);
	msg = capture_end(&err);
	cr_expect_not_null(strstr(msg, path), "%s", msg);
	free(msg);
	cr_expect_eq(rmdir(dir), 0, "nothing left behind");
	junit_destroy(j);
}

/* ---- classnames, times, timestamps --------------------------------------------------- */

Test(junit, classname_of_a_path_has_no_file_extension_dot)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{ "net/prod.json", "net.prod" },
		{ "./a.b/c.json", "a_b.c" },
		{ "/abs//x/y.json", "abs.x.y" },
		{ "plain", "plain" },
		{ "dir/", "dir" },
		{ "v1.2.json", "v1_2" },
		{ ".json", "_json" },
		{ "", "" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char out[64];
		junit_classname(cases[i].path, out, sizeof(out));
		cr_expect_str_eq(out, cases[i].want, "%s", cases[i].path);
	}
	char small[4];
	junit_classname("abcdef/g.json", small, sizeof(small));
	cr_expect_str_eq(small, "abc", "truncated, terminated");
}

/* A suite's time and the root's total; a suite timed at its end. */
Test(junit, times_are_per_suite_and_summed)
{
	unsetenv("SOURCE_DATE_EPOCH");
	struct junit *j = junit_create();
	struct junit_suite_info a = { .name = "a", .timestamp = "2026-01-02T03:04:05Z",
				      .seconds = 1.25 };
	cr_assert_eq(junit_suite(j, &a), 0);
	cr_assert_eq(add(j, "c", "n", JUNIT_PASS, NULL, NULL), 0);
	cr_assert_eq(suite(j, "b"), 0);
	junit_suite_time(j, 0.5);
	char *text = print_doc(j);
	cr_expect_not_null(strstr(text, "time=\"1.750\">\n"), "%s", text);
	cr_expect_not_null(strstr(text, "<testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" "
					"skipped=\"0\" time=\"1.250\" timestamp=\"2026-01-02T03:04:05Z\""));
	cr_expect_not_null(strstr(text, "<testsuite name=\"b\" tests=\"0\" failures=\"0\" errors=\"0\" "
					"skipped=\"0\" time=\"0.500\" timestamp=\"20"));
	free(text);
	junit_destroy(j);
}

/* SOURCE_DATE_EPOCH: every timestamp is that instant, every time 0; two
 * reports of the same cases are byte-identical. */
Test(junit, source_date_epoch_makes_reports_reproducible)
{
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	char *texts[2];
	for (int k = 0; k < 2; k++) {
		struct junit *j = junit_create();
		struct junit_suite_info a = { .name = "a", .timestamp = k ? "2030-01-01T00:00:00Z"
									  : "2031-01-01T00:00:00Z",
					      .seconds = 1.0 + k };
		cr_assert_eq(junit_suite(j, &a), 0);
		junit_suite_time(j, 7.0);
		cr_assert_eq(add(j, "c", "n", JUNIT_FAIL, "m", "d"), 0);
		texts[k] = print_doc(j);
		junit_destroy(j);
	}
	unsetenv("SOURCE_DATE_EPOCH");
	cr_expect_str_eq(texts[0], texts[1]);
	cr_expect_not_null(strstr(texts[0], "time=\"0.000\" timestamp=\"2023-11-14T22:13:20Z\""),
			   "%s", texts[0]);
	free(texts[0]);
	free(texts[1]);
	/* Not a decimal count of seconds: ignored, the real clock is used. */
	setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
	struct junit *j = junit_create();
	struct junit_suite_info a = { .name = "a", .timestamp = "2031-01-01T00:00:00Z", .seconds = 2 };
	cr_assert_eq(junit_suite(j, &a), 0);
	char *text = print_doc(j);
	unsetenv("SOURCE_DATE_EPOCH");
	cr_expect_not_null(strstr(text, "time=\"2.000\" timestamp=\"2031-01-01T00:00:00Z\""), "%s", text);
	free(text);
	junit_destroy(j);
}
