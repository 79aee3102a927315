/*
 * cmd_sweep.c - `vnetsim sweep SCENARIO --study STUDY.json`: what-if
 * studies (models/studies/study.h) run in worker processes (sweep_exec.h), with a
 * result table on stdout, CSV and gnuplot files in --out DIR, and every
 * variant recorded in --db FILE (sweepdb.h).
 *
 * Results reach this file in variant order whatever the number of workers,
 * and everything printed is derived from them only: `-j 1` and `-j 2`
 * print the same bytes, and a sweep cut in shards records the same rows.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grow.h"
#include "study.h"
#include "study_stats.h"
#include "diag.h"
#include "cli.h"
#include "progress.h"
#include "study_json.h"
#include "sweep_out.h"
#include "sweepdb.h"

static const char USAGE[] =
	"usage: vnetsim sweep SCENARIO --study STUDY.json [-j N] [--shard I/N|auto/N] [--db FILE]\n"
	"                     [--out DIR] [-o table|json|jsonl|csv] [--service-tags FILE]\n"
	"                     [--write-grown DIMENSION:STEPS:FILE] [--no-progress]\n"
	"       vnetsim sweep report DB [--key KEY] [--out DIR] [-o FORMAT]\n";

static const struct cli_command SWEEP = {
	"sweep", USAGE,
	"\nRuns a what-if study on the scenario (see README, \"What-if studies\"):\n"
	"  enumerate    every single failure, ranked by impact (NIC-seconds without a\n"
	"               working route: black-holed or lost);\n"
	"  monte-carlo  N runs with failures drawn from GSL distributions; statistics of\n"
	"               black-hole seconds per subnet and destination;\n"
	"  capacity     headroom of each Azure limit as the network grows.\n"
	"`vnetsim sweep report DB` prints the report of a sweep recorded with --db\n"
	"(the shards of one merged by `vnetsim merge`) from the database alone.\n"
	"\n",
	"\n"
	"The result table goes to stdout: -o table, csv, json (an array of objects keyed\n"
	"by the table's columns, numbers as numbers) or jsonl (one object per line).\n"
	"Progress goes to stderr: a bar on a terminal, else a line every 5 s.  Exit 0,\n"
	"2 invalid input, 3 environment failure (I/O, database, memory, a worker that\n"
	"died).  SIGTERM or SIGINT stops the workers, records nothing and leaves no\n"
	"result file; the workers also die with a parent killed outright.\n",
	16,
};

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return false;
	*out = v;
	return true;
}

static int opt_scenario(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	struct sweep_opts *so = o->dest;
	if (so->scenario)
		return cli_usage_error(p, "one SCENARIO only");
	so->scenario = v;
	return 0;
}

static int opt_jobs(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	struct sweep_opts *so = o->dest;
	unsigned long n;
	if (!parse_uint(v, 64, &n) || n == 0)
		return cli_usage_error(p, "-j wants a number of workers in 1..64");
	so->workers = (unsigned)n;
	return 0;
}

/* --shard auto/N: the shard index from the scheduler that started us:
 * a Slurm array task (SLURM_ARRAY_TASK_ID, counted from
 * SLURM_ARRAY_TASK_MIN so that --array=1-8 works too) or a Kubernetes
 * Indexed Job (JOB_COMPLETION_INDEX).  Writes the index as text to num. */
static int shard_auto(struct cli_parser *p, char *num, size_t len)
{
	const char *id = getenv("SLURM_ARRAY_TASK_ID"), *min = getenv("SLURM_ARRAY_TASK_MIN");
	unsigned long i, lo = 0;
	if (id && *id) {
		if (!parse_uint(id, 1000000, &i) || (min && *min && !parse_uint(min, 1000000, &lo)) ||
		    lo > i)
			return cli_usage_error(p, "--shard auto: SLURM_ARRAY_TASK_ID=%s (min %s) is not "
						  "an array index", id, min ? min : "unset");
		snprintf(num, len, "%lu", i - lo);
		return 0;
	}
	const char *k8s = getenv("JOB_COMPLETION_INDEX");
	if (k8s && *k8s) {
		if (!parse_uint(k8s, 1000000, &i))
			return cli_usage_error(p, "--shard auto: JOB_COMPLETION_INDEX=%s is not an index",
					       k8s);
		snprintf(num, len, "%lu", i);
		return 0;
	}
	return cli_usage_error(p, "--shard auto/N: neither SLURM_ARRAY_TASK_ID (a Slurm array job) "
				  "nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set");
}

static int opt_shard(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	struct sweep_opts *so = o->dest;
	const char *slash = strchr(v, '/');
	char num[32];
	unsigned long n, m;
	size_t len = slash ? (size_t)(slash - v) : 0;
	if (!slash || len == 0 || len >= sizeof(num))
		return cli_usage_error(p, "--shard wants I/N (\"0/4\") or auto/N");
	memcpy(num, v, len);
	num[len] = '\0';
	if (strcmp(num, "auto") == 0) {
		int rc = shard_auto(p, num, sizeof(num));
		if (rc)
			return rc;
	}
	if (!parse_uint(num, 1000000, &n) || !parse_uint(slash + 1, 1000000, &m) || m == 0 ||
	    n >= m)
		return cli_usage_error(p, "--shard wants I/N with 0 <= I < N (I = %s)", num);
	so->shard_i = n;
	so->shard_n = m;
	return 0;
}

/* DIMENSION:STEPS:FILE (the file name may hold colons). */
static int opt_write_grown(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	struct sweep_opts *so = o->dest;
	const char *c1 = strchr(v, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char dim[32], num[32];
	enum grow_dim gd;
	unsigned long n;
	size_t l1 = c1 ? (size_t)(c1 - v) : 0, l2 = c2 ? (size_t)(c2 - c1 - 1) : 0;
	if (!c2 || l1 == 0 || l1 >= sizeof(dim) || l2 == 0 || l2 >= sizeof(num) || !c2[1])
		return cli_usage_error(p, "--write-grown wants DIMENSION:STEPS:FILE "
					  "(\"spokes:86:grown.json\")");
	memcpy(dim, v, l1);
	dim[l1] = '\0';
	memcpy(num, c1 + 1, l2);
	num[l2] = '\0';
	if (!grow_dim_parse(dim, &gd))
		return cli_usage_error(p, "--write-grown: DIMENSION is spokes, vms, "
					  "nvaRoutes or onPremPrefixes");
	if (!parse_uint(num, 1000000, &n))
		return cli_usage_error(p, "--write-grown: STEPS is a number in "
					  "0..1000000");
	so->grown_dim = (unsigned)gd;
	so->grown_steps = n;
	so->grown_file = c2 + 1;
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return cmd_sweep_report(argc - 1, argv + 1);
	struct sweep_opts o = { .workers = 0, .shard_i = 0, .shard_n = 1 };
	const char *rank_by = NULL;
	const struct cli_option opts[] = {
		CLI_ARGS(opt_scenario, &o, "SCENARIO"),
		CLI_REQUIRED("study", &o.study, "STUDY.json", NULL),
		{ CLI_OPT_CALL, "jobs", 'j', "N", &o, opt_jobs,
		  "worker processes (default: the number of CPUs); results do not\n"
		  "depend on it",
		  CLI_HELP_SHORT, false },
		CLI_CALL("shard", 0, opt_shard, &o, "I/N",
			 "evaluate only variants v with v % N == I (0 <= I < N); merge the\n"
			 "databases of all shards with `vnetsim merge`.  auto/N takes I\n"
			 "from the scheduler: SLURM_ARRAY_TASK_ID (minus\n"
			 "SLURM_ARRAY_TASK_MIN) or Kubernetes' JOB_COMPLETION_INDEX"),
		CLI_STRING("db", 0, &o.db, "FILE", "record every variant in SQLite tables sweep_* of FILE"),
		CLI_STRING("out", 0, &o.out, "DIR",
			   "CSV files, gnuplot data and script (rendered to sweep.png when\n"
			   "gnuplot is installed); default: no files"),
		CLI_STRING("rank-by", 0, &rank_by, "rows|flows",
			   "enumerate: rank failures by routes (rows, the default: NIC-seconds\n"
			   "without a working route) or by flows broken (vnetsim reach at the\n"
			   "window's end against the baseline; RULES 1.11.7)"),
		CLI_CALL("write-grown", 0, opt_write_grown, &o, "DIMENSION:STEPS:FILE",
			 "capacity: also write the scenario grown by STEPS steps of\n"
			 "DIMENSION (spokes, vms, nvaRoutes, onPremPrefixes) to FILE"),
		PROGRESS_OPTION(&o.no_progress),
		CLI_END,
	};
	int rc = cli_parse(&p, &SWEEP, opts, &common, argc, argv);
	if (rc != CLI_PARSED)
		return rc;
	o.fmt = cli_format(&common);
	if (o.workers == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		o.workers = ncpu > 0 ? (ncpu > 64 ? 64 : (unsigned)ncpu) : 1;
	}

	struct diag *d = diag_create();
	if (!d)
		return CLI_EXIT_ENV;
	bool io = false;
	struct study *st = study_json_load(o.study, d, &io);
	diag_print(d, stderr);
	diag_clear(d);
	if (!st) {
		diag_destroy(d);
		return io ? CLI_EXIT_ENV : CLI_EXIT_INVALID;
	}
	if (rank_by && strcmp(rank_by, "rows") != 0 &&
	    (strcmp(rank_by, "flows") != 0 || st->kind != STUDY_ENUMERATE)) {
		study_destroy(st);
		diag_destroy(d);
		return cli_usage_error(&p, "--rank-by is rows or flows, and flows is for enumerate "
					   "studies");
	}
	st->rank_flows = rank_by && strcmp(rank_by, "flows") == 0;
	if (o.grown_file && st->kind != STUDY_CAPACITY) {
		study_destroy(st);
		diag_destroy(d);
		return cli_usage_error(&p, "--write-grown is for capacity studies");
	}
	struct scenario *sc = NULL;
	rc = cli_load(o.scenario, &common, d, stderr, &sc);
	if (rc == CLI_EXIT_OK)
		rc = sweep_run(st, sc, d, &o);
	diag_print(d, stderr);
	scenario_destroy(sc);
	study_destroy(st);
	diag_destroy(d);
	if (rc > 128 && rc < 128 + 64) {
		/* Stopped by SIGTERM or SIGINT (sweep_exec.h): the workers are
		 * gone, nothing was committed, no file was renamed into place;
		 * now die of the signal, as `timeout` and shells expect. */
		fflush(stdout);
		signal(rc - 128, SIG_DFL);
		raise(rc - 128);
	}
	return rc;
}
