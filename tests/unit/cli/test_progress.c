/*
 * test_progress.c - the progress of long commands (tools/cli/progress.c):
 * its texts (durations, rates, the line and the bar with their ETA) and
 * when it draws, on a clock the test moves by hand: plain lines only once
 * the interval has passed (a quick command writes nothing), at most one
 * per interval, a last "done" line only when something was written; the
 * bar at once, at most every interval, ended by a newline; nothing at all
 * when off.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

/* ---- texts ---- */

static const char *dur(double s)
{
	static char buf[64];
	progress_format_duration(buf, sizeof(buf), s);
	return buf;
}

Test(progress, durations_read_as_seconds_minutes_hours)
{
	cr_assert_str_eq(dur(0), "0 s");
	cr_assert_str_eq(dur(18.4), "18 s");
	cr_assert_str_eq(dur(59.6), "1 min 00 s");
	cr_assert_str_eq(dur(185), "3 min 05 s");
	cr_assert_str_eq(dur(3599), "59 min 59 s");
	cr_assert_str_eq(dur(3600 * 2 + 7 * 60 + 20), "2 h 07 min");
	cr_assert_str_eq(dur(-1), "?");
	cr_assert_str_eq(dur(1.0 / 0.0), "?");
}

static const char *rate(size_t done, double elapsed)
{
	static char buf[64];
	progress_format_rate(buf, sizeof(buf), done, elapsed);
	return buf;
}

Test(progress, rates_keep_two_significant_digits_or_more)
{
	cr_assert_str_eq(rate(120, 2.5), "48/s");
	cr_assert_str_eq(rate(5, 2), "2.5/s");
	cr_assert_str_eq(rate(1, 4), "0.25/s");
	cr_assert_str_eq(rate(0, 4), "-/s");
	cr_assert_str_eq(rate(3, 0), "-/s");
}

Test(progress, line_has_count_rate_and_eta)
{
	char buf[200];
	/* 120 of 1000 in 2.5 s: 48/s, 880 left at that rate: 18.3 s. */
	progress_format_line(buf, sizeof(buf), "variants", 120, 1000, 2.5);
	cr_assert_str_eq(buf, "progress: 120/1000 variants, 48/s, ETA 18 s");
	progress_format_line(buf, sizeof(buf), "variants", 1000, 1000, 21);
	cr_assert_str_eq(buf, "progress: 1000/1000 variants, 48/s, done in 21 s");
	progress_format_line(buf, sizeof(buf), "runs", 0, 200, 5);
	cr_assert_str_eq(buf, "progress: 0/200 runs, -/s, ETA ?");
	/* An unknown total: no "/total", no ETA. */
	progress_format_line(buf, sizeof(buf), "limit searches", 12, 0, 8);
	cr_assert_str_eq(buf, "progress: 12 limit searches, 1.5/s");
}

Test(progress, bar_fills_in_proportion)
{
	char buf[200];
	progress_format_bar(buf, sizeof(buf), "variants", 5, 20, 10, 8);
	cr_assert_str_eq(buf, "[##      ] 5/20 variants  0.50/s  ETA 30 s");
	progress_format_bar(buf, sizeof(buf), "variants", 20, 20, 10, 8);
	cr_assert_str_eq(buf, "[########] 20/20 variants  2.0/s  done in 10 s");
	/* More done than total (never expected) does not overflow the bar. */
	progress_format_bar(buf, sizeof(buf), "x", 30, 20, 10, 4);
	cr_assert(strncmp(buf, "[####] 30/20 x", 14) == 0, "%s", buf);
}

/* ---- drawing, on a hand-moved clock ---- */

static double fake_now(void *ctx)
{
	return *(double *)ctx;
}

static char *text_of(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	char *s = calloc((size_t)n + 1, 1);
	rewind(f);
	cr_assert(fread(s, 1, (size_t)n, f) == (size_t)n);
	return s;
}

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* The text of a progress of total units, one done every step seconds. */
static char *drive(enum progress_mode mode, const char *unit, size_t total, double step,
		   double interval)
{
	FILE *f = tmpfile();
	double t = 100;
	struct progress *p = progress_create_clock(f, unit, total, mode, interval, fake_now, &t);
	cr_assert_not_null(p);
	for (size_t i = 1; i <= total; i++) {
		t += step;
		progress_update(p, i);
	}
	progress_destroy(p);
	char *s = text_of(f);
	fclose(f);
	return s;
}

Test(progress, lines_wait_for_the_interval)
{
	char *s = drive(PROGRESS_LINES, "variants", 10, 0.4, 5); /* a quick command: 4 s */
	cr_assert_str_eq(s, "", "a quick command wrote: %s", s);
	free(s);
}

Test(progress, lines_every_interval_then_done)
{
	char *s = drive(PROGRESS_LINES, "runs", 100, 0.5, 5); /* 2 runs a second, 50 s */
	/* At 5, 10, ... 50 s: 10 lines, the last one at 100/100 (no repeat). */
	cr_assert_eq(count_of(s, "progress: "), 10, "%s", s);
	cr_assert(strstr(s, "progress: 10/100 runs, 2.0/s, ETA 45 s\n") == s, "%s", s);
	cr_assert_not_null(strstr(s, "progress: 100/100 runs, 2.0/s, done in 50 s\n"), "%s", s);
	cr_assert_null(strchr(s, '\r'), "a carriage return in plain lines");
	free(s);
}

Test(progress, lines_end_with_a_done_line_when_any_was_written)
{
	FILE *f = tmpfile();
	double t = 0;
	struct progress *p = progress_create_clock(f, "runs", 4, PROGRESS_LINES, 5, fake_now, &t);
	t = 6;
	progress_update(p, 1);
	t = 7;
	progress_update(p, 4);
	progress_destroy(p);
	char *s = text_of(f);
	cr_assert_str_eq(s, "progress: 1/4 runs, 0.17/s, ETA 18 s\n"
			    "progress: 4/4 runs, 0.57/s, done in 7 s\n");
	free(s);
	fclose(f);
}

Test(progress, bar_at_once_at_most_every_interval_and_a_newline)
{
	char *s = drive(PROGRESS_BAR, "variants", 1000, 0.001, 0.1); /* 1 s: ~10 redraws */
	size_t draws = count_of(s, "\r[");
	cr_assert(draws >= 10 && draws <= 12, "%zu redraws: %s", draws, s);
	cr_assert(strncmp(s, "\r[", 2) == 0, "the bar shows at once");
	cr_assert_not_null(strstr(s, "1000/1000 variants"));
	cr_assert_eq(s[strlen(s) - 1], '\n', "no newline after the bar");
	free(s);
}

Test(progress, off_writes_nothing)
{
	FILE *f = tmpfile();
	double t = 0;
	cr_assert_null(progress_create_clock(f, "x", 3, PROGRESS_OFF, 0, fake_now, &t));
	cr_assert_null(progress_create(f, "x", 3, true));
	setenv("VNETSIM_PROGRESS", "0", 1);
	cr_assert_eq(progress_mode_for(f, false), PROGRESS_OFF);
	cr_assert_null(progress_create(f, "x", 3, false));
	unsetenv("VNETSIM_PROGRESS");
	/* Not a terminal: lines. */
	cr_assert_eq(progress_mode_for(f, false), PROGRESS_LINES);
	progress_update(NULL, 1); /* a NULL progress is valid and silent */
	progress_set_total(NULL, 3);
	progress_destroy(NULL);
	char *s = text_of(f);
	cr_assert_str_eq(s, "");
	free(s);
	fclose(f);
}
