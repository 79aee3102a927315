/*
 * sweep_bench.c - the sweep benchmark (issue 6: 1,000 single-failure
 * variants of ref-4k in at most 10 s on the 2-core machine).  A developer
 * tool, never a test: no test is timed.
 *
 *   sweep_bench SCENARIO [--study STUDY.json] [--variants N] [-j WORKERS]
 *               [--times FILE] [--only TEXT]
 *
 * Without --study it runs an enumerate study with every failure class from
 * the scenario's `baseline` checkpoint (or its end).  N variants are taken
 * in study order, cycling through the list when N is larger (ref-4k has
 * 424 single failures), evaluated for real by long-lived workers that put
 * their run back to the baseline between variants, exactly as `vnetsim
 * sweep` does (tools/cli/sweep_exec.c).  Run it under /usr/bin/time: the
 * CPU time is the figure to compare on a loaded machine.  Prints the time
 * to prepare the baseline, the time of the sweep, and variants per second.
 * --only TEXT takes only the variants whose label contains TEXT (one
 * class of failure, e.g. "virtualNetworkPeerings" or "peerDown").
 * --times writes a line per variant to FILE: the wall time since the one
 * before was handed over (with -j 1, about that variant's time), its
 * number and label; for finding which classes of variant cost most.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"
#include "study.h"
#include "study_json.h"
#include "diag.h"
#include "sweep_exec.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct tally {
	size_t n, changed;
	double score;
	FILE *times;                   /* --times: one line per variant, or NULL */
	const struct study_base *b;
	const size_t *list;
	double last;                   /* when the previous variant was handed over */
};

static int on_done(void *ctx, size_t pos, const struct study_result *res)
{
	struct tally *t = ctx;
	if (t->times) {
		double now = now_s();
		fprintf(t->times, "%.3f ms\t%zu\t%s\n", (now - t->last) * 1000.0, t->list[pos],
			study_variant_label(t->b, t->list[pos]));
		t->last = now;
	}
	t->n++;
	t->changed += res->nrecs > 0;
	t->score += res->score;
	return res->status == 0 ? 0 : 3;
}

int main(int argc, char **argv)
{
	const char *scenario = NULL, *study_file = NULL, *times = NULL, *only = NULL;
	size_t nvar = 1000;
	unsigned workers = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--study") == 0 && i + 1 < argc)
			study_file = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--times") == 0 && i + 1 < argc)
			times = argv[++i];
		else if (strcmp(argv[i], "--variants") == 0 && i + 1 < argc)
			nvar = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc)
			workers = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!scenario && argv[i][0] != '-')
			scenario = argv[i];
		else {
			fprintf(stderr, "usage: sweep_bench SCENARIO [--study FILE] [--variants N] "
					"[-j WORKERS] [--times FILE] [--only TEXT]\n");
			return 2;
		}
	}
	if (!scenario || workers == 0 || workers > 64) {
		fprintf(stderr, "usage: sweep_bench SCENARIO [--study FILE] [--variants N] "
				"[-j WORKERS] [--times FILE] [--only TEXT]\n");
		return 2;
	}
	struct diag *d = diag_create();
	bool io = false;
	struct scenario_opts so = { 0 };
	struct scenario *sc = d ? scenario_load(scenario, &so, d, &io) : NULL;
	struct study *st = NULL;
	if (sc && study_file) {
		st = study_json_load(study_file, d, &io);
	} else if (sc) {
		char path[] = "/tmp/sweep-bench-XXXXXX";
		int fd = mkstemp(path);
		const char *at = NULL;
		for (size_t i = 0; i < sc->nevents; i++)
			if (sc->events[i].op == EV_CHECKPOINT && strcmp(sc->events[i].label, "baseline") == 0)
				at = "baseline";
		char doc[128];
		int len = snprintf(doc, sizeof(doc), "{\"kind\": \"enumerate\"%s%s%s}",
				   at ? ", \"at\": \"" : "", at ? at : "", at ? "\"" : "");
		if (fd >= 0 && write(fd, doc, (size_t)len) == len)
			st = study_json_load(path, d, &io);
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	if (!st) {
		diag_print(d, stderr);
		return 2;
	}
	double t0 = now_s();
	struct study_base *b = NULL;
	if (study_prepare(st, sc, d, &b) != 0) {
		diag_print(d, stderr);
		return 2;
	}
	double t1 = now_s();
	size_t nv = study_variant_count(b), nsel = 0;
	size_t *list = malloc((nvar ? nvar : 1) * sizeof(*list));
	size_t *sel = malloc((nv ? nv : 1) * sizeof(*sel));
	if (!list || !sel)
		return 3;
	for (size_t i = 0; i < nv; i++)
		if (!only || strstr(study_variant_label(b, i), only))
			sel[nsel++] = i;
	if (nsel == 0) {
		fprintf(stderr, "sweep_bench: no variant to evaluate\n");
		return 2;
	}
	for (size_t i = 0; i < nvar; i++)
		list[i] = sel[i % nsel];
	free(sel);
	struct tally t = { .b = b, .list = list, .last = now_s() };
	if (times && !(t.times = fopen(times, "w"))) {
		perror(times);
		return 3;
	}
	int rc = sweep_exec(b, list, nvar, workers, NULL, stderr, on_done, &t);
	double t2 = now_s();
	printf("scenario %s: %zu variants in the study (%s), %zu evaluated (cycled), %u workers\n",
	       scenario, nv, study_kind_name(st->kind), nvar, workers);
	if (only)
		printf("only the %zu whose label contains \"%s\"\n", nsel, only);
	printf("prepare baseline: %.3f s\n", t1 - t0);
	printf("sweep: %.3f s, %.1f variants/s, %.2f s per 1,000 variants\n", t2 - t1,
	       (double)nvar / (t2 - t1), (t2 - t1) * 1000.0 / (double)nvar);
	printf("variants with an impact: %zu, total score %.0f NIC-s\n", t.changed, t.score);
	if (t.times)
		fclose(t.times);
	free(list);
	study_base_destroy(b);
	study_destroy(st);
	scenario_destroy(sc);
	diag_destroy(d);
	return rc;
}
