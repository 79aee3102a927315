/*
 * progress.h - the progress of a long command (`run` over many scenarios,
 * `sweep`) on stderr, never on stdout, so that what a command prints is
 * the same bytes with or without it.
 *
 * On a terminal (isatty(stderr)): a bar with done/total, rate and ETA,
 * redrawn in place at most 10 times a second and ended with a newline.
 * Elsewhere (a CI log, a file): a plain line every few seconds,
 *   progress: 120/1000 variants, 48/s, ETA 18 s
 * the first one only once that interval has passed, so a quick command
 * writes nothing, and a last "done" line when any was written.  Off with
 * the command's --no-progress or VNETSIM_PROGRESS=0 in the environment.
 * VNETSIM_PROGRESS_INTERVAL=SECONDS (a hidden knob, for tests) changes
 * the interval of the plain lines (default 5).
 *
 * Ownership: a struct progress borrows its FILE and unit text (a literal);
 * NULL is a valid progress that shows nothing, so callers need no checks.
 * The clock is injectable (progress_create_clock) for tests.  Not thread
 * safe: update it from one thread.
 */
#ifndef TOOLS_PROGRESS_H
#define TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum progress_mode { PROGRESS_OFF, PROGRESS_BAR, PROGRESS_LINES };

#define PROGRESS_BAR_INTERVAL 0.1      /* seconds between redraws of the bar */
#define PROGRESS_LINE_INTERVAL 5.0     /* seconds between plain lines */

/* The option every long command takes (its help text is here, once). */
#define PROGRESS_OPTION(var)                                                                    \
	CLI_FLAG("no-progress", 0, (var),                                                       \
		 "no progress on stderr (a bar on a terminal, else a line every\n"              \
		 "5 s); also VNETSIM_PROGRESS=0")

struct progress;

/* The mode for err: off when off is set or VNETSIM_PROGRESS=0, a bar on a
 * terminal, lines otherwise. */
enum progress_mode progress_mode_for(FILE *err, bool off);

/* A progress of total units (0: unknown, then no ETA) named unit
 * ("variants"), in the mode progress_mode_for gives, on the monotonic
 * clock.  NULL when off (or out of memory: progress is never worth
 * failing a command). */
struct progress *progress_create(FILE *err, const char *unit, size_t total, bool off);

/* The same with everything given: mode, interval in seconds, and a clock
 * now(ctx) in seconds. */
struct progress *progress_create_clock(FILE *err, const char *unit, size_t total,
				       enum progress_mode mode, double interval,
				       double (*now)(void *ctx), void *ctx);

/* The total once known (a capacity study knows it after its baseline). */
void progress_set_total(struct progress *p, size_t total);

/* done units of total are complete (draws when the interval has passed). */
void progress_update(struct progress *p, size_t done);

/* Ends the bar (a last redraw and a newline) or writes the last line when
 * any was written, then frees p.  NULL is a no-op. */
void progress_destroy(struct progress *p);

/* ---- the texts (pure, for tests) ---- */

/* "18 s", "3 min 05 s", "2 h 07 min"; "?" for a negative or not finite
 * time. */
void progress_format_duration(char *buf, size_t len, double seconds);
/* "48/s", "2.5/s", "0.25/s", "-/s" before any unit is done. */
void progress_format_rate(char *buf, size_t len, size_t done, double elapsed);
/* "progress: 120/1000 variants, 48/s, ETA 18 s" (no "/total" and no ETA
 * when total is 0; "done in 21 s" when done == total). */
void progress_format_line(char *buf, size_t len, const char *unit, size_t done, size_t total,
			  double elapsed);
/* "[########                ] 120/1000 variants  48/s  ETA 18 s", width
 * characters of bar. */
void progress_format_bar(char *buf, size_t len, const char *unit, size_t done, size_t total,
			 double elapsed, int width);

#endif
