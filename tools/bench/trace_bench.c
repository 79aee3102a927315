/*
 * trace_bench.c - how long `vnetsim reach` and one `vnetsim trace` take
 * after the scenario is loaded and replayed (README, Performance; issue
 * 17 targets: reach over every subnet of ref-4k at one checkpoint <= 1 s,
 * one trace <= 1 ms).
 *
 * usage: trace_bench SCENARIO LABEL [REPEAT]
 * Replays SCENARIO up to checkpoint LABEL once (not timed), builds the
 * trace environment, then times REPEAT (default 5) full reach
 * computations and REPEAT x 1000 single traces (from each subnet in turn
 * to each destination reach uses, in turn).  Prints medians with CPU time
 * beside wall time.  A developer tool: never a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "reach.h"
#include "run.h"
#include "scenario.h"
#include "trace.h"

static double clock_s(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: trace_bench SCENARIO LABEL [REPEAT]\n");
		return 2;
	}
	long repeat = argc > 3 ? strtol(argv[3], NULL, 10) : 5;
	if (repeat < 1 || repeat > 1000)
		repeat = 5;
	struct diag *d = diag_create();
	bool env_err = false;
	struct scenario *sc = d ? scenario_load(argv[1], NULL, d, &env_err) : NULL;
	struct run *r = sc ? run_create(sc, d) : NULL;
	if (!r) {
		fprintf(stderr, "trace_bench: cannot load %s\n", argv[1]);
		return 2;
	}
	run_stop_after(r, argv[2]);
	const struct checkpoint *cp = NULL;
	if (run_execute(r) != 0 || !(cp = run_checkpoint(r, argv[2]))) {
		fprintf(stderr, "trace_bench: no checkpoint %s\n", argv[2]);
		return 2;
	}
	struct trace_env_input in = { cp->topo, cp->tables, cp->nic_unprogrammed, run_speakers(r) };
	struct trace_env *e = trace_env_create(&in);
	double *wall = calloc((size_t)repeat, sizeof *wall), *cpu = calloc((size_t)repeat, sizeof *cpu);
	double *twall = calloc((size_t)repeat, sizeof *twall);
	if (!e || !wall || !cpu || !twall)
		return 3;
	size_t flows = 0, ndests = 0;
	struct reach *keep = NULL;
	for (long i = 0; i < repeat; i++) {
		double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		struct reach *rc = reach_compute(e, run_speakers(r));
		wall[i] = clock_s(CLOCK_MONOTONIC) - w0;
		cpu[i] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (!rc)
			return 3;
		flows = rc->nsources * rc->ndests, ndests = rc->ndests;
		if (keep)
			reach_destroy(rc);
		else
			keep = rc;
	}
	const struct topology *t = cp->topo;
	struct trace tr = { 0 };
	size_t hops = 0;
	for (long i = 0; i < repeat; i++) {
		double w0 = clock_s(CLOCK_MONOTONIC);
		for (size_t k = 0; k < 1000; k++) {
			const struct subnet *s = t->subnets[(k * 7919) % t->nsubnets];
			uint32_t dst = keep->dests[(k * 104729) % ndests].addr;
			if (trace_run(e, NULL, s, dst, &tr) != 0)
				return 3;
			hops += tr.n;
		}
		twall[i] = (clock_s(CLOCK_MONOTONIC) - w0) / 1000;
	}
	double wm = median(wall, (size_t)repeat), cm = median(cpu, (size_t)repeat);
	printf("scenario %s at %s: %zu subnets, %zu destinations, %zu flows\n", argv[1], argv[2],
	       t->nsubnets, ndests, flows);
	printf("reach (all subnets)  median wall %.3f s  cpu %.3f s  (%.0f ns/flow)  target <= 1 s\n",
	       wm, cm, wm * 1e9 / (double)(flows ? flows : 1));
	printf("one trace            median wall %.2f us (%.1f hops avg)            target <= 1 ms\n",
	       median(twall, (size_t)repeat) * 1e6, (double)hops / (double)(repeat * 1000));
	trace_fini(&tr);
	reach_destroy(keep);
	trace_env_destroy(e);
	free(wall);
	free(cpu);
	free(twall);
	run_destroy(r);
	scenario_destroy(sc);
	diag_destroy(d);
	return 0;
}
