/*
 * junit.c - JUnit XML reports.  See junit.h.
 */
#include "junit.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "outfile.h"
#include "vec.h"

struct jcase {
	const char *classname, *name, *message, *detail;
	enum junit_outcome outcome;
	size_t suite;
};

struct junit {
	struct arena *arena;           /* every string */
	const char **suites;
	size_t nsuites, scap;
	struct jcase *cases;           /* in order, each naming its suite */
	size_t ncases, ccap;
};

struct junit *junit_create(void)
{
	struct junit *j = calloc(1, sizeof(*j));
	if (j && !(j->arena = arena_create())) {
		free(j);
		j = NULL;
	}
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

static const char *dup(struct junit *j, const char *s)
{
	return s ? arena_strdup(j->arena, s) : NULL;
}

int junit_suite(struct junit *j, const char *name)
{
	if (VEC_RESERVE(j->suites, j->scap, j->nsuites + 1) != 0)
		return -1;
	const char *n = dup(j, name ? name : "vnetsim");
	if (!n)
		return -1;
	j->suites[j->nsuites++] = n;
	return 0;
}

int junit_case(struct junit *j, const char *classname, const char *name,
	       enum junit_outcome outcome, const char *message, const char *detail)
{
	if (j->nsuites == 0 && junit_suite(j, "vnetsim") != 0)
		return -1;
	if (VEC_RESERVE(j->cases, j->ccap, j->ncases + 1) != 0)
		return -1;
	struct jcase c = { dup(j, classname), dup(j, name), dup(j, message), dup(j, detail),
			   outcome, j->nsuites - 1 };
	if ((classname && !c.classname) || (name && !c.name) || (message && !c.message) ||
	    (detail && !c.detail))
		return -1;
	j->cases[j->ncases++] = c;
	return 0;
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

void junit_print(const struct junit *j, FILE *out)
{
	size_t tests = 0, failures = 0, errors = 0;
	for (size_t i = 0; i < j->ncases; i++) {
		tests++;
		failures += j->cases[i].outcome == JUNIT_FAIL;
		errors += j->cases[i].outcome == JUNIT_ERROR;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"vnetsim\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		tests, failures, errors);
	for (size_t s = 0; s < j->nsuites; s++) {
		size_t t = 0, f = 0, e = 0;
		for (size_t i = 0; i < j->ncases; i++)
			if (j->cases[i].suite == s) {
				t++;
				f += j->cases[i].outcome == JUNIT_FAIL;
				e += j->cases[i].outcome == JUNIT_ERROR;
			}
		fputs("  <testsuite name=\"", out);
		xml_escape(out, j->suites[s]);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", t, f, e);
		for (size_t i = 0; i < j->ncases; i++) {
			const struct jcase *c = &j->cases[i];
			if (c->suite != s)
				continue;
			fputs("    <testcase classname=\"", out);
			xml_escape(out, c->classname);
			fputs("\" name=\"", out);
			xml_escape(out, c->name);
			if (c->outcome == JUNIT_PASS) {
				fputs("\"/>\n", out);
				continue;
			}
			const char *tag = c->outcome == JUNIT_FAIL ? "failure" : "error";
			fprintf(out, "\">\n      <%s message=\"", tag);
			xml_escape(out, c->message);
			fputs("\">", out);
			xml_escape(out, c->detail);
			fprintf(out, "</%s>\n    </testcase>\n", tag);
		}
		fputs("  </testsuite>\n", out);
	}
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
