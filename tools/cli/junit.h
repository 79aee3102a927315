/*
 * junit.h - JUnit XML reports for CI (`--junit FILE` on run and diff).
 *
 * The document follows the JUnit XML that Ant's formatter defined and that
 * CI systems read (Jenkins, GitLab, GitHub Actions reporters, Python's
 * junitparser), in its strictest published form, so that a report passes
 * schema validation as well as lenient readers:
 *
 *   <testsuites name tests failures errors skipped time>
 *     <testsuite name tests failures errors skipped time timestamp hostname
 *                id package>            one per scenario (run) or comparison (diff)
 *       <properties><property name value/>...</properties>   (file, tool)
 *       <testcase classname name time>
 *         <failure message type>detail</failure> | <error message type>...
 *       </testcase>
 *       <system-out/><system-err/>
 *     </testsuite>
 *   </testsuites>
 *
 * tests/junit/junit.xsd states exactly these constraints; the tests
 * validate every report against it with xmllint.
 *
 * classname: Jenkins splits a classname at its last dot into package and
 * class, so a file path (net/prod.json) must not be used as it is:
 * junit_classname() maps it to net.prod (folders become packages, dots
 * inside a name become '_', the .json extension is dropped).
 *
 * Times and timestamps: a suite's time is the wall time of its scenario or
 * comparison; cases checked inside it (expectations, groups of NICs) have
 * no time of their own and report 0.  The timestamp is when the suite
 * started, in UTC (ISO 8601).  With SOURCE_DATE_EPOCH set (the
 * reproducible-builds convention) every timestamp is that instant and
 * every time is 0, so the report is byte-identical between runs on one
 * host.
 *
 * Every string is XML-escaped (& < > " ' and control characters, which XML
 * 1.0 cannot hold at all, as U+FFFD).  The file is written atomically
 * (tools/cli/outfile.h).  Cases are kept in memory until written: O(cases).
 * The report owns copies of every string it is given (in an arena freed by
 * junit_destroy).
 */
#ifndef TOOLS_JUNIT_H
#define TOOLS_JUNIT_H

#include <stddef.h>
#include <stdio.h>

struct junit;

enum junit_outcome { JUNIT_PASS, JUNIT_FAIL, JUNIT_ERROR };

struct junit_suite_info {
	const char *name;              /* shown as the suite; NULL = "vnetsim" */
	const char *package;           /* its cases' common classname, or NULL */
	const char *file;              /* the input file, a property; or NULL */
	const char *timestamp;         /* UTC ISO 8601 start; NULL = report creation */
	double seconds;                /* wall time of the suite */
};

struct junit_result {
	enum junit_outcome outcome;
	const char *type;              /* failure or error type, e.g. "ExpectationFailed" */
	const char *message;           /* one line */
	const char *detail;            /* the element's text; may be NULL */
};

struct junit *junit_create(void);
void junit_destroy(struct junit *j); /* NULL is a no-op */
/* Starts a test suite; later cases belong to it.  0 or -1. */
int junit_suite(struct junit *j, const struct junit_suite_info *s);
/* Sets the current suite's time, for suites timed only when they end. */
void junit_suite_time(struct junit *j, double seconds);
/* Adds a case to the current suite (one is started, named "vnetsim", if
 * none is).  res NULL is a pass.  0 or -1. */
int junit_case(struct junit *j, const char *classname, const char *name,
	       const struct junit_result *res);
/* The classname for a file path: "net/prod.json" -> "net.prod",
 * "./a.b/c.json" -> "a_b.c"; written to out (truncated to len). */
void junit_classname(const char *path, char *out, size_t len);
/* Writes the document to out. */
void junit_print(const struct junit *j, FILE *out);
/* Writes it atomically to path; an exit code (0, or 3 reported on err). */
int junit_write(const struct junit *j, const char *path, FILE *err);

#endif
