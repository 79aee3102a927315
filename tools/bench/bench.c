/*
 * bench.c - the performance benchmark driver (README, Performance) (a developer tool, never a test).
 *
 *     bench SCENARIO [--repeat N] [--lookups M] [--sample-nics K] [--no-rss]
 *           [-o table|json]
 *
 * What it measures, through the library API only (models/replay/run.h,
 * models/rules/effective.h), with CLOCK_MONOTONIC, single thread:
 *
 *  (a) load + compute: scenario_load + run_create + run_execute, the whole
 *      replay, file events included.  Because the file's events are part of
 *      the run, the time until the first checkpoint's state exists is taken
 *      from the same run: the moment the last file event at or before the
 *      first scenario checkpoint has been applied ("to baseline": the
 *      topology loaded, every table computed, the t=0 advertisements
 *      applied; the checkpoint's snapshot itself, O(subnets) reference
 *      counts, is not included).  Load alone (parse + validate) is reported
 *      too.  Median, min and max over --repeat runs (default 7).
 *  (b) per-event latency: run_set_event_hook is called after each file event
 *      is applied, so an event's latency is the time from the previous hook's
 *      return to this hook's entry: the event queue pop, the event, the
 *      incremental recomputation and the timeline diff.  Only the events
 *      after the first checkpoint are counted (the t=0 bulk advertisements
 *      are load, not events), and an interval is dropped when a checkpoint
 *      falls inside it, so no snapshot is charged to an event.  Model timers
 *      (hold expiry, retries) would be charged to the next file event; the
 *      reference scenarios have none after t=0.  p50/p99/max over all
 *      repeats, per kind (advertise, withdraw, UDR edit, peering edit).
 *  (c) next-hop lookups: eff_next_hop on the `end` checkpoint's tables of K
 *      sampled NICs (default 256) against a precomputed ring of 65,536
 *      destinations (a quarter each inside the VNets' 10/8, the NVA space
 *      172.16/12, the on-premises space 100.64/10, and anywhere), chosen
 *      with xorshift64 from a fixed seed.  M calls per repeat (default 2e7,
 *      at least 1e7), median rate, for three patterns: a different NIC on
 *      every call; 4,096 calls per NIC in a row (its table stays cached);
 *      and the first pattern on the first scenario checkpoint's tables.
 *  (d) peak RSS: ru_maxrss of a child forked before anything is loaded,
 *      which runs one load + run_execute and reports getrusage(RUSAGE_SELF)
 *      through a pipe: a fresh process, not polluted by the repeats.  Two
 *      children: the whole run, and one stopped at the first checkpoint.
 *
 * --cpu-clock times everything with the thread's CPU time instead of
 * CLOCK_MONOTONIC (for A/B runs on a loaded shared machine; the peak RSS
 * children are unaffected).
 *
 * Output: a small table, or JSON with -o json.  The build type the library
 * was compiled with comes from meson (BENCH_BUILDTYPE); asserts are on
 * unless NDEBUG, and the output says which.
 */
#define _XOPEN_SOURCE 700 /* getrusage */

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "effective.h"
#include "run.h"
#include "scenario.h"
#include "diag.h"
#include "prefix.h"
#include "vec.h"

#ifndef BENCH_BUILDTYPE
#define BENCH_BUILDTYPE "unknown (not built by meson)"
#endif
#ifndef BENCH_OPTIMIZATION
#define BENCH_OPTIMIZATION "?"
#endif

#define BENCH_MIN_LOOKUPS 10000000L
#define BENCH_RING 65536u         /* destinations per lookup ring (power of 2) */
#define BENCH_BATCH 4096L         /* lookups per NIC in the batched pattern */

enum kind { K_ADVERTISE, K_WITHDRAW, K_UDR, K_PEERING, K_OTHER, K__COUNT };
static const char *const KIND_NAME[K__COUNT] = { "advertise", "withdraw", "udr-edit",
						 "peering-edit", "other" };

/* CLOCK_MONOTONIC, or with --cpu-clock the thread's CPU time: on a shared
 * machine where other processes take turns on the cores, what this thread
 * itself spent (cache interference from the others still counts). */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64 (Marsaglia 2003): enough for sampling, no dependency. */
static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t k = (size_t)ceil(p / 100.0 * (double)n);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stat_of(double *v, size_t n)
{
	struct stat3 s = { 0, 0, 0 };
	if (n == 0)
		return s;
	qsort(v, n, sizeof(*v), dbl_cmp);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static enum kind kind_of(const struct event *e)
{
	switch (e->op) {
	case EV_ADVERTISE: return K_ADVERTISE;
	case EV_WITHDRAW: return K_WITHDRAW;
	case EV_ADD:
	case EV_SET:
	case EV_REMOVE:
		if (strncmp(e->path, "routeTables/", 12) == 0)
			return K_UDR;
		if (strstr(e->path, "/virtualNetworkPeerings/"))
			return K_PEERING;
		return K_OTHER;
	default: return K_OTHER;
	}
}

/* ---- one replay, with the event hook ---------------------------------------- */

struct samples {
	double *v;
	size_t n, cap;
};

static void samples_push(struct samples *s, double x)
{
	double *slot = VEC_PUSH(s->v, s->n, s->cap);
	if (!slot) {
		fprintf(stderr, "bench: out of memory\n");
		exit(3);
	}
	*slot = x;
}

struct hook_ctx {
	const int64_t *cps;            /* checkpoint times of the file, sorted */
	size_t ncps;
	int64_t first_cp;              /* time of the first checkpoint, or -1 */
	double last_exit;              /* previous hook's return (or run start) */
	int64_t last_at;
	bool have_last;
	double baseline_done;          /* last hook at or before first_cp */
	struct samples *lat;           /* per kind, seconds */
};

/* A checkpoint c with prev <= c < at runs between two events (checkpoints
 * come after the changes of their own time). */
static bool checkpoint_between(const struct hook_ctx *h, int64_t prev, int64_t at)
{
	for (size_t i = 0; i < h->ncps; i++)
		if (h->cps[i] >= prev && h->cps[i] < at)
			return true;
	return false;
}

static void on_event(void *ctx, const struct event *e, int64_t now_ms)
{
	double t = now_s();
	struct hook_ctx *h = ctx;
	if (h->first_cp < 0 || now_ms <= h->first_cp)
		h->baseline_done = t;
	else if (h->have_last && !checkpoint_between(h, h->last_at, now_ms))
		samples_push(&h->lat[kind_of(e)], t - h->last_exit);
	h->have_last = true;
	h->last_at = now_ms;
	h->last_exit = now_s();
}

struct run_times {
	double load, create, execute, total, baseline;
};

static struct scenario *load(const char *file, struct diag *d)
{
	bool env = false;
	struct scenario *sc = scenario_load(file, NULL, d, &env);
	if (!sc) {
		diag_print(d, stderr);
		fprintf(stderr, "bench: %s: cannot load\n", file);
		exit(env ? 3 : 2);
	}
	return sc;
}

/* One replay: the whole timeline, or with stop_early only up to the first
 * checkpoint of the file (settings.horizonSeconds set to its time, which
 * the loaded scenario's plain settings allow).  Returns the run (the caller
 * destroys it, then sc). */
static struct run *replay(const char *file, struct diag *d, struct hook_ctx *h,
			  struct run_times *rt, struct scenario **out_sc, bool stop_early)
{
	double t0 = now_s();
	struct scenario *sc = load(file, d);
	double t1 = now_s();
	for (size_t i = 0; stop_early && i < sc->nevents; i++)
		if (sc->events[i].op == EV_CHECKPOINT) {
			sc->settings.horizon_ms = sc->events[i].at_ms;
			break;
		}
	struct run *r = run_create(sc, d);
	if (!r) {
		fprintf(stderr, "bench: run_create failed (out of memory)\n");
		exit(3);
	}
	double t2 = now_s();
	if (h) {
		h->have_last = false;
		h->baseline_done = t2;
		h->last_exit = t2;
		run_set_event_hook(r, on_event, h);
	}
	int rc = run_execute(r);
	double t3 = now_s();
	if (rc != 0) {
		diag_print(d, stderr);
		fprintf(stderr, "bench: run_execute returned %d\n", rc);
		exit(rc);
	}
	if (rt) {
		*rt = (struct run_times){ .load = t1 - t0, .create = t2 - t1, .execute = t3 - t2,
					  .total = t3 - t0,
					  .baseline = (h ? h->baseline_done : t3) - t0 };
	}
	*out_sc = sc;
	return r;
}

/* ---- (d) peak RSS in a fresh process ------------------------------------------ */

struct rss {
	long before_kib, peak_kib;     /* at child start, after load + run */
	bool ok;
};

static struct rss measure_rss(const char *file, bool stop_early)
{
	struct rss out = { 0, 0, false };
	int fd[2];
	if (pipe(fd) != 0)
		return out;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return out;
	}
	if (pid == 0) {
		close(fd[0]);
		/* Diagnostics are the parent's to print: it loads the file next. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(1);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		long v[2] = { ru.ru_maxrss, 0 };
		struct diag *d = diag_create();
		struct scenario *sc;
		struct run *r = replay(file, d, NULL, NULL, &sc, stop_early);
		getrusage(RUSAGE_SELF, &ru);
		v[1] = ru.ru_maxrss;
		ssize_t w = write(fd[1], v, sizeof(v));
		run_destroy(r);
		scenario_destroy(sc);
		diag_destroy(d);
		_exit(w == (ssize_t)sizeof(v) ? 0 : 1);
	}
	close(fd[1]);
	long v[2];
	ssize_t got = read(fd[0], v, sizeof(v));
	close(fd[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof(v) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		out.before_kib = v[0];
		out.peak_kib = v[1];
		out.ok = true;
	}
	return out;
}

/* ---- (c) lookups -------------------------------------------------------------- */

struct probe {
	const struct eff_table *t;
	bool without_rs;
};

static uint32_t random_destination(uint64_t *s)
{
	uint64_t x = xorshift64(s);
	uint32_t r = (uint32_t)(x >> 32);
	switch (x & 3) {
	case 0: return 0x0A000000u | (r & 0x00FFFFFFu);  /* 10.0.0.0/8: VNets */
	case 1: return 0xAC100000u | (r & 0x000FFFFFu);  /* 172.16.0.0/12: NVA routes */
	case 2: return 0x64400000u | (r & 0x003FFFFFu);  /* 100.64.0.0/10: on-premises */
	default: return r;                               /* anywhere */
	}
}

/* Times `calls` lookups; returns calls per second.  The checksum keeps the
 * calls from being optimised away (they cross a library boundary anyway). */
static double time_lookups(const struct probe *probes, size_t nprobes, const uint32_t *dst,
			   long calls, long batch, uint64_t *checksum)
{
	uint64_t sum = 0;
	size_t k = 0, d = 0;
	double t0 = now_s();
	for (long i = 0; i < calls; i += batch) {
		const struct probe *p = &probes[k];
		k = k + 1 == nprobes ? 0 : k + 1;
		for (long j = 0; j < batch && i + j < calls; j++) {
			struct next_hop nh = eff_next_hop(p->t, dst[d], p->without_rs);
			d = (d + 1) & (BENCH_RING - 1);
			sum += (uint64_t)nh.nh + nh.nh_ip;
		}
	}
	double t1 = now_s();
	*checksum += sum;
	return (double)calls / (t1 - t0);
}

/* n NICs of the checkpoint's own topology, drawn with xorshift64. */
static void sample_probes(const struct checkpoint *c, struct probe *out, size_t n, uint64_t *seed)
{
	const struct topology *topo = c->topo;
	for (size_t i = 0; i < n; i++) {
		const struct nic *nic = &topo->nics[xorshift64(seed) % topo->nnics];
		out[i].t = checkpoint_nic_table(c, nic->name, &out[i].without_rs);
	}
}

/* ---- output ------------------------------------------------------------------- */

static void cpu_model(char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		const char *c = strchr(line, ':');
		if (!c)
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		snprintf(buf, len, "%s", c);
		buf[strcspn(buf, "\n")] = '\0';
		break;
	}
	fclose(f);
}

/* The performance targets (README, Performance), known for the two reference scenarios only. */
struct targets {
	double total_s, rss_mib, p50_ms, p99_ms, lookups;
	bool known, events_known;
};

static struct targets targets_for(const char *name)
{
	struct targets t = { 0, 0, 0.2, 5, 50e6, false, false };
	if (name && strcmp(name, "ref-4k") == 0) {
		t.total_s = 0.100;
		t.rss_mib = 128;
		t.known = t.events_known = true;
	} else if (name && strcmp(name, "ref-50k") == 0) {
		t.total_s = 1.5;
		t.rss_mib = 1024;
		t.known = true; /* the README states the event target at ref-4k only */
	}
	return t;
}

static const char *verdict(bool known, bool ok) { return !known ? "" : ok ? "ok" : "MISSED"; }

static void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c < 0x20)
			fprintf(o, "\\u%04x", c);
		else
			fputc(c, o);
	}
	fputc('"', o);
}

struct verdicts {
	const char *total, *base, *rss, *rss_base, *p50, *p99, *lk, *lkb, *lk1;
};

static void json_stat(FILE *o, const char *key, struct stat3 s, int decimals6)
{
	if (decimals6)
		fprintf(o, "  \"%s\": {\"median\": %.6f, \"min\": %.6f, \"max\": %.6f},\n", key, s.med,
			s.min, s.max);
	else
		fprintf(o, "  \"%s\": {\"median\": %.0f, \"min\": %.0f, \"max\": %.0f},\n", key, s.med,
			s.min, s.max);
}

static void json_num_or_null(FILE *o, bool have, double x)
{
	if (have)
		fprintf(o, "%.3f", x);
	else
		fprintf(o, "null");
}

static void table_row(FILE *o, const char *what, struct stat3 s, double scale, const char *target,
		      const char *verdict_s)
{
	char range[64];
	snprintf(range, sizeof(range), "[%.1f .. %.1f]", s.min * scale, s.max * scale);
	fprintf(o, "%-36s %10.1f  %-21s %-9s %s\n", what, s.med * scale, range, target, verdict_s);
}

static void usage(FILE *o)
{
	fprintf(o, "usage: bench SCENARIO [--repeat N] [--lookups M] [--sample-nics K] [--no-rss]\n"
		   "             [--cpu-clock] [-o table|json]\n"
		   "       bench --scaling SCENARIO... [--repeat N] [--no-rss]\n");
}

/* ---- (e) scaling curve ---------------------------------------------------------- */

/* For each scenario (one size each, smallest first): load + compute up to
 * its first checkpoint, median [min .. max] of `repeat` replays, and the
 * peak RSS of a fresh process doing the same, with the cost per VM and the
 * marginal cost of the VMs added since the previous size.  The curve grows
 * no faster than linearly when the cost per VM of the largest size is not
 * above the lowest cost per VM of the curve (the smallest sizes carry the
 * fixed cost of the BGP domain) by more than 25%.  The verdict uses each
 * size's fastest replay: on a shared machine other jobs only ever add time,
 * and the median of a few replays moves by more than 25% from run to run. */
static int scaling(char **files, int nfiles, long repeat, bool want_rss)
{
	double *t = calloc((size_t)repeat, sizeof(double));
	double min_per_vm = 0, last_per_vm = 0, min_rss_per_vm = 0, last_rss_per_vm = 0;
	double prev_ms = 0;
	size_t prev_vms = 0;
	if (!t) {
		fprintf(stderr, "bench: out of memory\n");
		return 3;
	}
	printf("scaling: load + compute every table up to the first checkpoint, %ld replays each\n",
	       repeat);
	printf("%7s %7s %8s %-16s %24s %9s %12s %8s %9s\n", "VMs", "subnets", "rows max", "file",
	       "ms median [min .. max]", "us/VM", "us/added VM", "RSS MiB", "KiB/VM");
	for (int f = 0; f < nfiles; f++) {
		struct diag *d = diag_create();
		size_t nics = 0, nsubnets = 0, rows_max = 0;
		for (long k = 0; k < repeat; k++) {
			struct hook_ctx h = { .first_cp = -1 };
			struct run_times rt;
			struct scenario *sc;
			diag_clear(d);
			struct run *r = replay(files[f], d, &h, &rt, &sc, true);
			t[k] = rt.total;
			const struct topology *topo = run_topology(r);
			nics = topo->nnics;
			nsubnets = topo->nsubnets;
			const struct checkpoint *c = run_checkpoint(r, "end");
			for (size_t i = 0; c && k == 0 && i < nsubnets; i++) {
				size_t n = eff_row_count(c->tables[i], false);
				rows_max = n > rows_max ? n : rows_max;
			}
			run_destroy(r);
			scenario_destroy(sc);
		}
		diag_destroy(d);
		struct stat3 st = stat_of(t, (size_t)repeat);
		struct rss rs = want_rss ? measure_rss(files[f], true) : (struct rss){ 0, 0, false };
		const char *base = strrchr(files[f], '/');
		double ms = st.med * 1e3, per_vm = nics ? ms * 1e3 / (double)nics : 0;
		double best_per_vm = nics ? st.min * 1e6 / (double)nics : 0;
		double rss_per_vm = rs.ok && nics ? (double)rs.peak_kib / (double)nics : 0;
		printf("%7zu %7zu %8zu %-16.16s %8.1f [%6.1f .. %6.1f] %9.2f", nics, nsubnets, rows_max,
		       base ? base + 1 : files[f], ms, st.min * 1e3, st.max * 1e3, per_vm);
		if (f > 0 && nics > prev_vms)
			printf(" %12.2f", (ms - prev_ms) * 1e3 / (double)(nics - prev_vms));
		else
			printf(" %12s", "-");
		if (rs.ok)
			printf(" %8.1f %9.2f\n", (double)rs.peak_kib / 1024.0, rss_per_vm);
		else
			printf(" %8s %9s\n", "-", "-");
		if (f == 0 || best_per_vm < min_per_vm)
			min_per_vm = best_per_vm;
		if (f == 0 || rss_per_vm < min_rss_per_vm)
			min_rss_per_vm = rss_per_vm;
		last_per_vm = best_per_vm;
		last_rss_per_vm = rss_per_vm;
		prev_ms = ms;
		prev_vms = nics;
	}
	free(t);
	if (nfiles > 1 && min_per_vm > 0) {
		printf("time per VM (fastest replay), largest size / lowest: %.2f (%s)\n",
		       last_per_vm / min_per_vm,
		       last_per_vm <= min_per_vm * 1.25 ? "no faster than linear"
							 : "FASTER than linear");
		if (min_rss_per_vm > 0)
			printf("RSS per VM, largest size / lowest: %.2f (%s)\n",
			       last_rss_per_vm / min_rss_per_vm,
			       last_rss_per_vm <= min_rss_per_vm * 1.25 ? "no faster than linear"
									: "FASTER than linear");
	}
	return 0;
}

static long parse_long(const char *s, const char *what, long min)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end); /* accepts 2e7 */
	if (errno || *end || v < (double)min || v > 1e12 || v != (double)(long)v) {
		fprintf(stderr, "bench: bad %s \"%s\"\n", what, s);
		exit(2);
	}
	return (long)v;
}

int main(int argc, char **argv)
{
	const char *file = NULL, *fmt = "table";
	long repeat = 7, lookups = 20000000, sample = 256;
	bool want_rss = true, want_scaling = false;
	char **files = calloc((size_t)argc, sizeof(*files));
	int nfiles = 0;
	if (!files)
		return 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--scaling") == 0)
			want_scaling = true;
		else if (a[0] != '-' && want_scaling)
			files[nfiles++] = argv[i];
		else if (strcmp(a, "--repeat") == 0 && i + 1 < argc)
			repeat = parse_long(argv[++i], "--repeat", 1);
		else if (strcmp(a, "--lookups") == 0 && i + 1 < argc)
			lookups = parse_long(argv[++i], "--lookups", 1);
		else if (strcmp(a, "--sample-nics") == 0 && i + 1 < argc)
			sample = parse_long(argv[++i], "--sample-nics", 1);
		else if (strcmp(a, "--no-rss") == 0)
			want_rss = false;
		else if (strcmp(a, "--cpu-clock") == 0)
			bench_clock = CLOCK_THREAD_CPUTIME_ID;
		else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc)
			fmt = argv[++i];
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (a[0] != '-' && !file)
			file = a;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (want_scaling) {
		if (nfiles == 0 || file) {
			usage(stderr);
			return 2;
		}
		int rc = scaling(files, nfiles, repeat, want_rss);
		free(files);
		return rc;
	}
	free(files);
	if (!file || (strcmp(fmt, "table") != 0 && strcmp(fmt, "json") != 0)) {
		usage(stderr);
		return 2;
	}
	if (lookups < BENCH_MIN_LOOKUPS)
		fprintf(stderr, "bench: note: %ld lookups is below the 1e7 a stable rate needs\n",
			lookups);

	/* (d) first, while this process is still small. */
	struct rss rss = { 0, 0, false }, rss_base = { 0, 0, false };
	if (want_rss) {
		rss = measure_rss(file, false);
		rss_base = rss.ok ? measure_rss(file, true) : rss;
		if (!rss.ok || !rss_base.ok)
			fprintf(stderr, "bench: note: peak RSS not measured (the child run failed)\n");
	}

	/* (a) and (b): repeated replays. */
	double *total = calloc((size_t)repeat, sizeof(double));
	double *base = calloc((size_t)repeat, sizeof(double));
	double *ld = calloc((size_t)repeat, sizeof(double));
	double *lk = calloc((size_t)repeat, sizeof(double));
	double *lkb = calloc((size_t)repeat, sizeof(double));
	double *lk1 = calloc((size_t)repeat, sizeof(double));
	struct samples lat[K__COUNT] = { { 0 } };
	size_t changed[K__COUNT] = { 0 }, counted[K__COUNT] = { 0 };
	if (!total || !base || !ld || !lk || !lkb || !lk1) {
		fprintf(stderr, "bench: out of memory\n");
		return 3;
	}
	struct diag *d = diag_create();
	struct scenario *sc = NULL;
	struct run *r = NULL;
	int64_t *cps = NULL;
	size_t ncps = 0, nevents = 0, ntimeline = 0, nwarn = 0;
	for (long k = 0; k < repeat; k++) {
		run_destroy(r);
		scenario_destroy(sc);
		r = NULL;
		sc = NULL;
		diag_clear(d);
		struct hook_ctx h = { .lat = lat, .first_cp = -1 };
		/* Checkpoint times come from the file: one extra load, outside
		 * the timing, before the first replay. */
		if (!cps) {
			struct scenario *s0 = load(file, d);
			nwarn = diag_count(d, DIAG_WARNING);
			cps = calloc(s0->nevents + 1, sizeof(*cps));
			if (!cps) {
				fprintf(stderr, "bench: out of memory\n");
				return 3;
			}
			for (size_t i = 0; i < s0->nevents; i++)
				if (s0->events[i].op == EV_CHECKPOINT)
					cps[ncps++] = s0->events[i].at_ms;
			scenario_destroy(s0);
			diag_clear(d);
		}
		h.cps = cps;
		h.ncps = ncps;
		h.first_cp = ncps ? cps[0] : -1;
		struct run_times rt;
		r = replay(file, d, &h, &rt, &sc, false);
		total[k] = rt.total;
		base[k] = rt.baseline;
		ld[k] = rt.load;
		nevents = run_events_processed(r);
		ntimeline = run_timeline_count(r);
	}

	/* Subnets changed per counted event, from the last run's timeline: the
	 * events after the first checkpoint are at distinct times in the
	 * reference scenarios, so entries are attributed by time. */
	{
		int64_t first = ncps ? cps[0] : -1;
		size_t j = 0, ntl = run_timeline_count(r);
		for (size_t i = 0; i < sc->nevents; i++) { /* both sorted by time */
			const struct event *e = &sc->events[i];
			if (e->op == EV_CHECKPOINT || e->at_ms <= first)
				continue;
			enum kind kd = kind_of(e);
			counted[kd]++;
			while (j < ntl && run_timeline_get(r, j)->at_ms < e->at_ms)
				j++;
			while (j < ntl && run_timeline_get(r, j)->at_ms == e->at_ms) {
				changed[kd]++;
				j++;
			}
		}
	}

	/* (c) lookups on the end checkpoint of the last run, and for comparison
	 * on its first scenario checkpoint (the state right after load). */
	const struct checkpoint *end = run_checkpoint(r, "end"), *first = NULL;
	for (size_t i = 0; i < sc->nevents && !first; i++)
		if (sc->events[i].op == EV_CHECKPOINT)
			first = run_checkpoint(r, sc->events[i].label);
	const struct topology *topo = end->topo;
	size_t nprobes = topo->nnics < (size_t)sample ? topo->nnics : (size_t)sample;
	struct probe *probes = calloc(nprobes ? nprobes : 1, sizeof(*probes));
	struct probe *probes1 = calloc(nprobes ? nprobes : 1, sizeof(*probes1));
	uint32_t *dst = calloc(BENCH_RING, sizeof(*dst));
	if (!probes || !probes1 || !dst || nprobes == 0) {
		fprintf(stderr, "bench: %s\n", nprobes ? "out of memory" : "no NIC to look up from");
		return 3;
	}
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	sample_probes(end, probes, nprobes, &seed);
	for (size_t i = 0; i < BENCH_RING; i++)
		dst[i] = random_destination(&seed);
	if (first && first->topo->nnics == 0)
		first = NULL;
	if (first) {
		uint64_t seed1 = 0x9E3779B97F4A7C15ull; /* the same draws */
		sample_probes(first, probes1, nprobes, &seed1);
	}
	size_t rows_max = 0;
	for (size_t i = 0; i < nprobes; i++) {
		size_t rc = eff_row_count(probes[i].t, probes[i].without_rs);
		if (rc > rows_max)
			rows_max = rc;
	}
	uint64_t checksum = 0;
	time_lookups(probes, nprobes, dst, lookups / 10 + 1, 1, &checksum); /* warm up */
	for (long k = 0; k < repeat; k++) {
		lk[k] = time_lookups(probes, nprobes, dst, lookups, 1, &checksum);
		lkb[k] = time_lookups(probes, nprobes, dst, lookups, BENCH_BATCH, &checksum);
	}
	if (first) {
		time_lookups(probes1, nprobes, dst, lookups / 10 + 1, 1, &checksum);
		for (long k = 0; k < repeat; k++)
			lk1[k] = time_lookups(probes1, nprobes, dst, lookups, 1, &checksum);
	}

	size_t nnics = topo->nnics, nsubnets = topo->nsubnets;
	size_t unprog = end->nunprogrammed, nsess = run_session_event_count(r);
	struct targets tg = targets_for(sc->name);
	char name[128];
	snprintf(name, sizeof(name), "%s", sc->name ? sc->name : "?");
	struct stat3 st_total = stat_of(total, (size_t)repeat), st_base = stat_of(base, (size_t)repeat),
		     st_load = stat_of(ld, (size_t)repeat), st_lk = stat_of(lk, (size_t)repeat),
		     st_lkb = stat_of(lkb, (size_t)repeat), st_lk1 = stat_of(lk1, (size_t)repeat);
	struct samples all = { 0 };
	double p50[K__COUNT + 1], p99[K__COUNT + 1], pmax[K__COUNT + 1];
	size_t nlat[K__COUNT + 1];
	for (int kd = 0; kd <= K__COUNT; kd++) {
		struct samples *s = kd < K__COUNT ? &lat[kd] : &all;
		if (kd < K__COUNT)
			for (size_t i = 0; i < s->n; i++)
				samples_push(&all, s->v[i]);
		if (s->n)
			qsort(s->v, s->n, sizeof(double), dbl_cmp);
		nlat[kd] = s->n;
		p50[kd] = pct(s->v, s->n, 50) * 1e3;
		p99[kd] = pct(s->v, s->n, 99) * 1e3;
		pmax[kd] = s->n ? s->v[s->n - 1] * 1e3 : 0;
	}
	run_destroy(r);
	scenario_destroy(sc);
	diag_destroy(d);

	char cpu[256];
	cpu_model(cpu, sizeof(cpu));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef NDEBUG
	const char *asserts = "off";
#else
	const char *asserts = "on";
#endif
	double rss_mib = rss.peak_kib / 1024.0, rss_base_mib = rss_base.peak_kib / 1024.0;
	struct verdicts v = {
		.total = verdict(tg.known, st_total.med <= tg.total_s),
		.base = verdict(tg.known, st_base.med <= tg.total_s),
		.rss = verdict(tg.known && rss.ok, rss_mib <= tg.rss_mib),
		.rss_base = verdict(tg.known && rss_base.ok, rss_base_mib <= tg.rss_mib),
		.p50 = verdict(tg.events_known && nlat[K__COUNT], p50[K__COUNT] <= tg.p50_ms),
		.p99 = verdict(tg.events_known && nlat[K__COUNT], p99[K__COUNT] <= tg.p99_ms),
		.lk = verdict(true, st_lk.med >= tg.lookups),
		.lkb = verdict(true, st_lkb.med >= tg.lookups),
		.lk1 = verdict(st_lk1.med > 0, st_lk1.med >= tg.lookups),
	};

	FILE *o = stdout;
	if (strcmp(fmt, "json") == 0) {
		fprintf(o, "{\n  \"scenario\": ");
		json_str(o, name);
		fprintf(o, ",\n  \"file\": ");
		json_str(o, file);
		fprintf(o, ",\n  \"machine\": {\"cpu\": ");
		json_str(o, cpu);
		fprintf(o, ", \"nproc\": %ld},\n  \"build\": {\"buildtype\": ", ncpu);
		json_str(o, BENCH_BUILDTYPE);
		fprintf(o, ", \"optimization\": ");
		json_str(o, BENCH_OPTIMIZATION);
		fprintf(o, ", \"asserts\": \"%s\", \"compiler\": ", asserts);
		json_str(o, __VERSION__);
		fprintf(o, "},\n  \"clock\": \"%s\",\n",
			bench_clock == CLOCK_MONOTONIC ? "monotonic" : "thread_cputime");
		fprintf(o, "  \"size\": {\"nics\": %zu, \"subnets\": %zu, \"file_events\": %zu, "
			   "\"timeline_entries\": %zu, \"session_events\": %zu, "
			   "\"unprogrammed_nics_at_end\": %zu, \"load_warnings\": %zu, "
			   "\"rows_max\": %zu},\n",
			nnics, nsubnets, nevents, ntimeline, nsess, unprog, nwarn, rows_max);
		fprintf(o, "  \"repeat\": %ld,\n", repeat);
		json_stat(o, "load_compute_whole_run_s", st_total, 1);
		json_stat(o, "load_compute_to_baseline_s", st_base, 1);
		json_stat(o, "load_only_s", st_load, 1);
		fprintf(o, "  \"peak_rss_mib\": {\"whole_run\": ");
		json_num_or_null(o, rss.ok, rss_mib);
		fprintf(o, ", \"to_baseline\": ");
		json_num_or_null(o, rss_base.ok, rss_base_mib);
		fprintf(o, ", \"process_at_fork\": ");
		json_num_or_null(o, rss.ok, rss.before_kib / 1024.0);
		fprintf(o, "},\n  \"events_ms\": {\n");
		for (int kd = 0; kd <= K__COUNT; kd++) {
			fprintf(o, "    \"%s\": {\"n\": %zu, \"p50\": %.4f, \"p99\": %.4f, \"max\": %.4f",
				kd < K__COUNT ? KIND_NAME[kd] : "all", nlat[kd], p50[kd], p99[kd],
				pmax[kd]);
			if (kd < K__COUNT)
				fprintf(o, ", \"subnets_changed_per_event\": %.2f",
					counted[kd] ? (double)changed[kd] / (double)counted[kd] : 0.0);
			fprintf(o, "}%s\n", kd < K__COUNT ? "," : "");
		}
		fprintf(o, "  },\n  \"lookups\": {\"calls\": %ld, \"nics_sampled\": %zu, "
			   "\"batch\": %ld, \"checksum\": %llu},\n",
			lookups, nprobes, BENCH_BATCH, (unsigned long long)checksum);
		json_stat(o, "lookups_per_s_random", st_lk, 0);
		json_stat(o, "lookups_per_s_batched", st_lkb, 0);
		json_stat(o, "lookups_per_s_random_first_checkpoint", st_lk1, 0);
		fprintf(o, "  \"targets\": {\"load_compute_s\": ");
		json_num_or_null(o, tg.known, tg.total_s);
		fprintf(o, ", \"peak_rss_mib\": ");
		json_num_or_null(o, tg.known, tg.rss_mib);
		fprintf(o, ", \"event_p50_ms\": %.1f, \"event_p99_ms\": %.1f, \"lookups_per_s\": %.0f},\n",
			tg.p50_ms, tg.p99_ms, tg.lookups);
		fprintf(o, "  \"verdicts\": {\"whole_run\": \"%s\", \"to_baseline\": \"%s\", "
			   "\"rss_whole_run\": \"%s\", \"rss_to_baseline\": \"%s\", \"event_p50\": \"%s\", "
			   "\"event_p99\": \"%s\", \"lookups_random\": \"%s\", \"lookups_batched\": \"%s\", "
			   "\"lookups_random_first_checkpoint\": \"%s\"}\n}\n",
			v.total, v.base, v.rss, v.rss_base, v.p50, v.p99, v.lk, v.lkb, v.lk1);
	} else {
		char t_total[32] = "-", t_rss[32] = "-", t_lk[32];
		if (tg.known) {
			snprintf(t_total, sizeof(t_total), "%.0f ms", tg.total_s * 1e3);
			snprintf(t_rss, sizeof(t_rss), "%.0f MiB", tg.rss_mib);
		}
		snprintf(t_lk, sizeof(t_lk), "%.0f M/s", tg.lookups / 1e6);
		fprintf(o, "bench %s (%s)\n", name, file);
		fprintf(o, "machine: %s, nproc %ld\n", cpu, ncpu);
		fprintf(o, "build: %s (optimization %s, asserts %s), gcc %s\n", BENCH_BUILDTYPE,
			BENCH_OPTIMIZATION, asserts, __VERSION__);
		if (bench_clock != CLOCK_MONOTONIC)
			fprintf(o, "clock: thread CPU time (--cpu-clock), not wall clock\n");
		fprintf(o, "size: %zu NICs, %zu subnets, %zu file events, %zu timeline entries, "
			   "%zu session events,\n      %zu NICs unprogrammed at end, %zu load warnings, "
			   "up to %zu rows per table sampled\n",
			nnics, nsubnets, nevents, ntimeline, nsess, unprog, nwarn, rows_max);
		fprintf(o, "repeat %ld: median [min .. max]\n\n", repeat);
		fprintf(o, "%-36s %10s  %-21s %-9s %s\n", "measure", "median", "[min .. max]", "target",
			"");
		table_row(o, "load + compute, whole run (ms)", st_total, 1e3, "", ""); /* not a target */
		table_row(o, "load + compute, to baseline (ms)", st_base, 1e3, t_total, v.base);
		table_row(o, "load only: parse + validate (ms)", st_load, 1e3, "", "");
		if (rss.ok) {
			struct stat3 a = { rss_mib, rss_mib, rss_mib }, b = { rss_base_mib, rss_base_mib,
									rss_base_mib };
			table_row(o, "peak RSS, whole run (MiB)", a, 1, "", ""); /* not a target */
			if (rss_base.ok)
				table_row(o, "peak RSS, to baseline (MiB)", b, 1, t_rss, v.rss_base);
		}
		table_row(o, "next hops, random NIC/dst (M/s)", st_lk, 1e-6, t_lk, v.lk);
		table_row(o, "next hops, 4096 per NIC (M/s)", st_lkb, 1e-6, t_lk, v.lkb);
		table_row(o, "next hops, random, 1st cp (M/s)", st_lk1, 1e-6, t_lk, v.lk1);
		fprintf(o, "\n%-14s %7s %10s %10s %10s %16s\n", "event (ms)", "n", "p50", "p99", "max",
			"subnets changed");
		for (int kd = 0; kd <= K__COUNT; kd++) {
			if (nlat[kd] == 0)
				continue;
			fprintf(o, "%-14s %7zu %10.3f %10.3f %10.3f", kd < K__COUNT ? KIND_NAME[kd] : "all",
				nlat[kd], p50[kd], p99[kd], pmax[kd]);
			if (kd < K__COUNT)
				fprintf(o, " %16.1f\n",
					counted[kd] ? (double)changed[kd] / (double)counted[kd] : 0.0);
			else
				fprintf(o, "\n");
		}
		if (nlat[K__COUNT])
			fprintf(o, "targets (ref-4k): p50 <= %.1f ms %s, p99 <= %.0f ms %s\n", tg.p50_ms,
				v.p50[0] ? v.p50 : "-", tg.p99_ms, v.p99[0] ? v.p99 : "-");
	}
	for (int kd = 0; kd < K__COUNT; kd++)
		free(lat[kd].v);
	free(all.v);
	free(total);
	free(base);
	free(ld);
	free(lk);
	free(lkb);
	free(lk1);
	free(probes1);
	free(cps);
	free(probes);
	free(dst);
	if (fflush(o) != 0 || ferror(o)) {
		fprintf(stderr, "bench: write error\n");
		return 3;
	}
	return 0;
}
