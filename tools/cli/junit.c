/*
 * junit.c - JUnit XML reports.  See junit.h.
 */
#include "junit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "outfile.h"
#include "vec.h"

#ifndef VNETSIM_VERSION
#define VNETSIM_VERSION "unknown"
#endif

#define STAMP_LEN 32

struct jsuite {
	const char *name, *package, *file, *timestamp;
	double seconds;
};

struct jcase {
	const char *classname, *name, *type, *message, *detail;
	enum junit_outcome outcome;
	size_t suite;
};

struct junit {
	struct arena *arena;           /* every string */
	struct jsuite *suites;
	size_t nsuites, scap;
	struct jcase *cases;           /* in order, each naming its suite */
	size_t ncases, ccap;
	bool reproducible;             /* SOURCE_DATE_EPOCH: fixed stamps, times 0 */
	char created[STAMP_LEN];       /* default timestamp */
};

/* SOURCE_DATE_EPOCH as the reproducible-builds specification defines it: a
 * decimal count of seconds since the epoch; anything else is ignored. */
static bool source_date_epoch(time_t *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return false;
	*out = (time_t)v;
	return true;
}

struct junit *junit_create(void)
{
	struct junit *j = calloc(1, sizeof(*j));
	if (j && !(j->arena = arena_create())) {
		free(j);
		return NULL;
	}
	if (!j)
		return NULL;
	time_t now;
	j->reproducible = source_date_epoch(&now);
	if (!j->reproducible)
		now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(j->created, sizeof(j->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return j;
}

void junit_destroy(struct junit *j)
{
	if (!j)
		return;
	arena_destroy(j->arena);
	free(j->suites);
	free(j->cases);
	free(j);
}

/* A copy in the arena; false when s was given and could not be copied. */
static bool copy_str(struct junit *j, const char *s, const char **out)
{
	*out = s ? arena_strdup(j->arena, s) : NULL;
	return !s || *out;
}

int junit_suite(struct junit *j, const struct junit_suite_info *s)
{
	static const struct junit_suite_info none = { 0 };
	if (!s)
		s = &none;
	if (VEC_RESERVE(j->suites, j->scap, j->nsuites + 1) != 0)
		return -1;
	struct jsuite n = { .seconds = j->reproducible || s->seconds < 0 ? 0 : s->seconds };
	const char *stamp = j->reproducible || !s->timestamp ? j->created : s->timestamp;
	if (!copy_str(j, s->name ? s->name : "vnetsim", &n.name) || !copy_str(j, s->package, &n.package) ||
	    !copy_str(j, s->file, &n.file) || !copy_str(j, stamp, &n.timestamp))
		return -1;
	j->suites[j->nsuites++] = n;
	return 0;
}

void junit_suite_time(struct junit *j, double seconds)
{
	if (j->nsuites > 0 && !j->reproducible && seconds >= 0)
		j->suites[j->nsuites - 1].seconds = seconds;
}

int junit_case(struct junit *j, const char *classname, const char *name,
	       const struct junit_result *res)
{
	static const struct junit_result pass = { JUNIT_PASS, NULL, NULL, NULL };
	if (!res)
		res = &pass;
	if (j->nsuites == 0 && junit_suite(j, NULL) != 0)
		return -1;
	if (VEC_RESERVE(j->cases, j->ccap, j->ncases + 1) != 0)
		return -1;
	struct jcase c = { .outcome = res->outcome, .suite = j->nsuites - 1 };
	if (!copy_str(j, classname, &c.classname) || !copy_str(j, name, &c.name) ||
	    !copy_str(j, res->type, &c.type) || !copy_str(j, res->message, &c.message) ||
	    !copy_str(j, res->detail, &c.detail))
		return -1;
	j->cases[j->ncases++] = c;
	return 0;
}

void junit_classname(const char *path, char *out, size_t len)
{
	if (len == 0)
		return;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (*path == '/')
		path++;
	size_t n = strlen(path);
	if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		n -= 5;
	size_t k = 0;
	bool sep = false;              /* the last byte written was a '.' separator */
	for (size_t i = 0; i < n && k + 1 < len; i++) {
		char c = path[i];
		if (c == '/') {
			if (k > 0 && !sep)     /* "a//b" and a trailing '/' give one '.' */
				out[k++] = '.', sep = true;
			continue;
		}
		out[k++] = c == '.' ? '_' : c;
		sep = false;
	}
	if (k > 0 && sep)
		k--;
	out[k] = '\0';
}

/* XML 1.0 text or attribute value.  Bytes >= 0x80 pass through (UTF-8 in,
 * UTF-8 out); control characters other than tab and line breaks cannot
 * appear in XML 1.0 even as references, so they become U+FFFD. */
static void xml_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\t': fputs("&#9;", out); break;
		case '\n': fputs("&#10;", out); break;
		case '\r': fputs("&#13;", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("\xef\xbf\xbd", out);
			else
				fputc(c, out);
		}
	}
}

/* name="value" with the value escaped, preceded by a blank. */
static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	xml_escape(out, value);
	fputc('"', out);
}

struct counts {
	size_t tests, failures, errors;
	double seconds;
};

static void count(const struct junit *j, size_t suite, struct counts *c)
{
	*c = (struct counts){ 0 };
	for (size_t i = 0; i < j->ncases; i++)
		if (suite == (size_t)-1 || j->cases[i].suite == suite) {
			c->tests++;
			c->failures += j->cases[i].outcome == JUNIT_FAIL;
			c->errors += j->cases[i].outcome == JUNIT_ERROR;
		}
	for (size_t s = 0; s < j->nsuites; s++)
		if (suite == (size_t)-1 || s == suite)
			c->seconds += j->suites[s].seconds;
}

static void print_counts(FILE *out, const struct counts *c)
{
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\"",
		c->tests, c->failures, c->errors, c->seconds);
}

static void print_case(FILE *out, const struct jcase *c)
{
	fputs("    <testcase", out);
	attr(out, "classname", c->classname ? c->classname : "vnetsim");
	attr(out, "name", c->name);
	fputs(" time=\"0.000\"", out);
	if (c->outcome == JUNIT_PASS) {
		fputs("/>\n", out);
		return;
	}
	const char *tag = c->outcome == JUNIT_FAIL ? "failure" : "error";
	fprintf(out, ">\n      <%s", tag);
	attr(out, "message", c->message);
	attr(out, "type", c->type ? c->type : tag);
	fputc('>', out);
	xml_escape(out, c->detail);
	fprintf(out, "</%s>\n    </testcase>\n", tag);
}

static void print_suite(const struct junit *j, size_t s, const char *host, FILE *out)
{
	const struct jsuite *su = &j->suites[s];
	struct counts c;
	count(j, s, &c);
	fputs("  <testsuite", out);
	attr(out, "name", su->name);
	print_counts(out, &c);
	attr(out, "timestamp", su->timestamp);
	attr(out, "hostname", host);
	fprintf(out, " id=\"%zu\"", s);
	attr(out, "package", su->package ? su->package : "vnetsim");
	fputs(">\n    <properties>\n", out);
	if (su->file) {
		fputs("      <property name=\"file\"", out);
		attr(out, "value", su->file);
		fputs("/>\n", out);
	}
	fputs("      <property name=\"tool\" value=\"vnetsim " VNETSIM_VERSION "\"/>\n"
	      "    </properties>\n", out);
	for (size_t i = 0; i < j->ncases; i++)
		if (j->cases[i].suite == s)
			print_case(out, &j->cases[i]);
	fputs("    <system-out/>\n    <system-err/>\n  </testsuite>\n", out);
}

void junit_print(const struct junit *j, FILE *out)
{
	char host[256];
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	struct counts all;
	count(j, (size_t)-1, &all);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"vnetsim\"", out);
	print_counts(out, &all);
	fputs(">\n", out);
	for (size_t s = 0; s < j->nsuites; s++)
		print_suite(j, s, host, out);
	fputs("</testsuites>\n", out);
}

static int print_cb(FILE *out, const void *ctx)
{
	junit_print(ctx, out);
	return 0;
}

int junit_write(const struct junit *j, const char *path, FILE *err)
{
	return outfile_write(path, print_cb, j, err);
}
