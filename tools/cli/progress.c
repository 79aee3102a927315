/*
 * progress.c - see progress.h.
 */
#include "progress.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
	FILE *err;
	const char *unit;
	size_t total, done;
	enum progress_mode mode;
	double interval;               /* seconds between draws */
	double (*now)(void *ctx);
	void *ctx;
	double start, last;            /* clock at creation, at the last draw */
	bool drawn;                    /* anything written yet */
	size_t drawn_done;             /* done at the last draw */
};

static double mono_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum progress_mode progress_mode_for(FILE *err, bool off)
{
	const char *env = getenv("VNETSIM_PROGRESS");
	if (off || !err || (env && strcmp(env, "0") == 0))
		return PROGRESS_OFF;
	return isatty(fileno(err)) ? PROGRESS_BAR : PROGRESS_LINES;
}

struct progress *progress_create(FILE *err, const char *unit, size_t total, bool off)
{
	enum progress_mode mode = progress_mode_for(err, off);
	double interval = PROGRESS_LINE_INTERVAL;
	const char *env = getenv("VNETSIM_PROGRESS_INTERVAL");
	if (mode == PROGRESS_BAR) {
		interval = PROGRESS_BAR_INTERVAL;
	} else if (env && *env) {
		char *end;
		double v = strtod(env, &end);
		if (!*end && v >= 0 && v <= 86400)
			interval = v;
	}
	return progress_create_clock(err, unit, total, mode, interval, mono_now, NULL);
}

struct progress *progress_create_clock(FILE *err, const char *unit, size_t total,
				       enum progress_mode mode, double interval,
				       double (*now)(void *ctx), void *ctx)
{
	if (mode == PROGRESS_OFF || !err)
		return NULL;
	struct progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	*p = (struct progress){ .err = err, .unit = unit, .total = total, .mode = mode,
				.interval = interval, .now = now, .ctx = ctx };
	p->start = p->last = now(ctx);
	return p;
}

void progress_format_duration(char *buf, size_t len, double s)
{
	if (!isfinite(s) || s < 0) {
		snprintf(buf, len, "?");
		return;
	}
	uint64_t t = (uint64_t)llround(s);
	if (t < 60)
		snprintf(buf, len, "%llu s", (unsigned long long)t);
	else if (t < 3600)
		snprintf(buf, len, "%llu min %02llu s", (unsigned long long)(t / 60),
			 (unsigned long long)(t % 60));
	else
		snprintf(buf, len, "%llu h %02llu min", (unsigned long long)(t / 3600),
			 (unsigned long long)(t % 3600 / 60));
}

void progress_format_rate(char *buf, size_t len, size_t done, double elapsed)
{
	double r = elapsed > 0 ? (double)done / elapsed : 0;
	if (done == 0 || !isfinite(r) || r <= 0)
		snprintf(buf, len, "-/s");
	else if (r >= 10)
		snprintf(buf, len, "%.0f/s", r);
	else if (r >= 1)
		snprintf(buf, len, "%.1f/s", r);
	else
		snprintf(buf, len, "%.2f/s", r);
}

/* "ETA 18 s", "done in 21 s", or "" (unknown total). */
static void format_eta(char *buf, size_t len, size_t done, size_t total, double elapsed)
{
	char d[32];
	buf[0] = '\0';
	if (total == 0)
		return;
	if (done >= total) {
		progress_format_duration(d, sizeof(d), elapsed);
		snprintf(buf, len, "done in %s", d);
		return;
	}
	double eta = done > 0 && elapsed > 0 ? (double)(total - done) * elapsed / (double)done : -1;
	progress_format_duration(d, sizeof(d), eta);
	snprintf(buf, len, "ETA %s", d);
}

/* "120/1000 variants" or "12 limit searches" (total unknown). */
static void format_count(char *buf, size_t len, const char *unit, size_t done, size_t total)
{
	if (total)
		snprintf(buf, len, "%zu/%zu %s", done, total, unit);
	else
		snprintf(buf, len, "%zu %s", done, unit);
}

void progress_format_line(char *buf, size_t len, const char *unit, size_t done, size_t total,
			  double elapsed)
{
	char count[96], rate[32], eta[48];
	format_count(count, sizeof(count), unit, done, total);
	progress_format_rate(rate, sizeof(rate), done, elapsed);
	format_eta(eta, sizeof(eta), done, total, elapsed);
	snprintf(buf, len, "progress: %s, %s%s%s", count, rate, eta[0] ? ", " : "", eta);
}

void progress_format_bar(char *buf, size_t len, const char *unit, size_t done, size_t total,
			 double elapsed, int width)
{
	char count[96], rate[32], eta[48], bar[130];
	if (width < 1 || width > 128)
		width = 40;
	int full = total ? (int)((done > total ? total : done) * (size_t)width / total) : 0;
	memset(bar, '#', (size_t)full);
	memset(bar + full, ' ', (size_t)(width - full));
	bar[width] = '\0';
	format_count(count, sizeof(count), unit, done, total);
	progress_format_rate(rate, sizeof(rate), done, elapsed);
	format_eta(eta, sizeof(eta), done, total, elapsed);
	snprintf(buf, len, "[%s] %s  %s%s%s", bar, count, rate, eta[0] ? "  " : "", eta);
}

static void draw(struct progress *p, double t)
{
	char line[320];
	double elapsed = t - p->start;
	if (p->mode == PROGRESS_BAR) {
		progress_format_bar(line, sizeof(line), p->unit, p->done, p->total, elapsed, 40);
		/* \033[K: the rest of a longer previous line is erased. */
		fprintf(p->err, "\r%s\033[K", line);
	} else {
		progress_format_line(line, sizeof(line), p->unit, p->done, p->total, elapsed);
		fprintf(p->err, "%s\n", line);
	}
	fflush(p->err);
	p->last = t;
	p->drawn = true;
	p->drawn_done = p->done;
}

void progress_set_total(struct progress *p, size_t total)
{
	if (p)
		p->total = total;
}

void progress_update(struct progress *p, size_t done)
{
	if (!p)
		return;
	p->done = done;
	double t = p->now(p->ctx);
	/* The bar shows at once and at most every interval; a line only once
	 * an interval has passed since the last (or the start). */
	if ((p->mode == PROGRESS_BAR && !p->drawn) || t - p->last >= p->interval)
		draw(p, t);
}

void progress_destroy(struct progress *p)
{
	if (!p)
		return;
	if (p->drawn) {
		if (p->drawn_done != p->done)
			draw(p, p->now(p->ctx));
		if (p->mode == PROGRESS_BAR)
			fputc('\n', p->err);
		fflush(p->err);
	}
	free(p);
}
