/*
 * junit.h - JUnit XML reports for CI (`--junit FILE` on run and diff).
 *
 * The de-facto schema CI systems read (Jenkins, GitLab, GitHub Actions
 * reporters): <testsuites> holding one <testsuite name tests failures
 * errors> per scenario (run) or per comparison (diff), each holding
 * <testcase classname name> elements with an optional <failure message>
 * or <error message> whose text is the detail.  Every string is
 * XML-escaped (& < > " ' and control characters, which XML 1.0 cannot hold
 * at all, as U+FFFD).  The file is written atomically (tools/cli/outfile.h).
 * Cases are kept in memory until written: O(cases).
 * The report owns copies of every string it is given (in an arena freed by
 * junit_destroy).
 */
#ifndef TOOLS_JUNIT_H
#define TOOLS_JUNIT_H

#include <stddef.h>
#include <stdio.h>

struct junit;

enum junit_outcome { JUNIT_PASS, JUNIT_FAIL, JUNIT_ERROR };

struct junit *junit_create(void);
void junit_destroy(struct junit *j); /* NULL is a no-op */
/* Starts a test suite; later cases belong to it.  0 or -1. */
int junit_suite(struct junit *j, const char *name);
/* Adds a case to the current suite (one is started, named "vnetsim", if
 * none is).  message and detail may be NULL.  0 or -1. */
int junit_case(struct junit *j, const char *classname, const char *name,
	       enum junit_outcome outcome, const char *message, const char *detail);
/* Writes the document to out. */
void junit_print(const struct junit *j, FILE *out);
/* Writes it atomically to path; an exit code (0, or 3 reported on err). */
int junit_write(const struct junit *j, const char *path, FILE *err);

#endif
