/*
 * cmd_run.c - `vnetsim run`: replay scenarios, check their expectations,
 * print a summary with the timeline (RULES 2.2, 2.3, 3, 4).
 *
 * Batches: every SCENARIO argument (a directory stands for its *.json
 * files) is an independent run.  With -j N, N worker threads take
 * scenarios in input order; each renders its report into memory buffers
 * (stdout and stderr text) and the main thread prints the buffers strictly
 * in input order as they complete, so the output is the same byte for byte
 * whatever N is.  The library has no shared mutable state, so runs need no
 * locking; only the job queue does.
 *
 * With --db or --junit the main thread also stores each finished run and
 * adds its expectations to the JUnit report, in input order, so run ids
 * follow the order of the files whatever N is (tools/cli/store.h).
 *
 * Timeline rows are the before/after tables of a subnet compared as
 * multisets (tools/cli/rowdiff.h).  In the text report consecutive entries at
 * the same time, with the same cause and the same changes, are folded into
 * one ("3 subnets, 12 NICs: ..."); json keeps one entry per subnet.
 */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "svctag.h"
#include "diag.h"
#include "junit.h"
#include "rowdiff.h"
#include "digest.h"
#include "run_reach.h"
#include "progress.h"
#include "run_text.h"
#include "store.h"
#include "timeline.h"
#include "vec.h"

static const char USAGE[] =
	"usage: vnetsim run SCENARIO... [-j N] [--db FILE] [--junit FILE] [-o table|json|jsonl|csv]\n"
	"                   [--detail] [--max-names N] [-q] [--service-tags FILE] [--no-progress]\n";

static const struct cli_command RUN = {
	"run", USAGE,
	"\nReplays each scenario, records its checkpoints, checks its expectations and prints\n"
	"a summary: events processed, checkpoints, the timeline of effective-route changes\n"
	"(one line per change: time, cause, subnets and NICs reached, rows removed and\n"
	"added, the first names; subnets that differ only in the shared BGP rows are one\n"
	"line; --detail lists every row, '+' added and '-' removed), BGP session events,\n"
	"the expectation results and a closing summary line.  A directory stands for the\n"
	"*.json files in it and in its subfolders, sorted (a folder with scenario.json\n"
	"gives that file only; subfolders named bad/ or studies/ are skipped).  Several\n"
	"scenarios end with one summary table.\n"
	"\n",
	"\n"
	"-o json prints one document {\"scenarios\": [{\"file\", \"name\", \"result\",\n"
	"\"eventsProcessed\", \"endMs\", \"checkpoints\": [{\"label\", \"atMs\"}], \"timeline\":\n"
	"[{\"atMs\", \"cause\", \"subnets\", \"nics\", \"nicNames\", \"removed\", \"added\"}] (one\n"
	"entry per change, with every subnet it hit and the NICs that see it; NICs beyond\n"
	"Route Server capacity on either side add \"withoutRouteServer\": {\"before\",\n"
	"\"after\"}), \"sessions\":\n"
	"[{\"atMs\", \"peer\", \"what\"}], \"expectations\": {\"passed\", \"failed\",\n"
	"\"failures\": [{\"index\", \"message\"}]}}]}; result is passed, failed, invalid or\n"
	"error.  jsonl prints one such object per line; csv one line per timeline row\n"
	"change.  json, jsonl and csv always carry every row (--detail changes only the\n"
	"table); they are written as the run goes, never built whole in memory.\n"
	"Exit 1 when an expectation failed, 2 when a scenario was invalid (the others still\n"
	"run), 3 on an environment failure; the highest wins.\n",
	24,
};

#define MAX_JOBS 256

/* ---- one scenario ---------------------------------------------------------- */

struct failure {
	size_t index;
	char *message;
};

struct failures {
	struct failure *v;
	size_t n, cap;
	bool oom;
};

static void on_failure(void *ctx, const struct expectation *x, const char *msg)
{
	struct failures *f = ctx;
	size_t len = strlen(msg) + 1;
	char *m = VEC_RESERVE(f->v, f->cap, f->n + 1) == 0 ? malloc(len) : NULL;
	if (!m) {
		f->oom = true;
		return;
	}
	memcpy(m, msg, len);
	f->v[f->n++] = (struct failure){ x->index, m };
}

/* --detail, --max-names, -q */
struct run_view {
	struct run_text_opts text;
	bool quiet;
	bool no_progress;              /* --no-progress (progress.h) */
};

struct job {
	const char *file;
	const struct cli_common *common;
	const struct run_view *view;
	enum render_format fmt;
	/* Parallel runs write to temporary files (a report of a large run
	 * is not held in memory), copied out in input order. */
	FILE *out, *err;
	int rc;
	const char *result;            /* passed failed invalid error */
	char *name;
	size_t passed, failed;
	bool done;
	/* Kept for the main thread when results are stored or reported in
	 * JUnit (job_release frees them): */
	bool keep;
	struct diag *d;
	struct scenario *sc;
	struct run *r;
	struct failures f;
	int64_t wall_ms;
	char started_at[32];
	char sha256[DIGEST_HEX_LEN + 1]; /* of the file's bytes, "" if unread */
	int64_t run_id;                /* stored as, 0 if not */
	size_t ncheckpoints;
	bool with_reach;               /* --db: reachability per checkpoint */
	struct run_reach reach;
};

static void job_release(struct job *j)
{
	for (size_t i = 0; i < j->f.n; i++)
		free(j->f.v[i].message);
	free(j->f.v);
	j->f = (struct failures){ 0 };
	run_reach_fini(&j->reach);
	run_destroy(j->r);
	scenario_destroy(j->sc);
	diag_destroy(j->d);
	j->r = NULL;
	j->sc = NULL;
	j->d = NULL;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SHA-256 of a file's bytes in hex; false when it cannot be read. */
static bool hash_file(const char *path, char out[DIGEST_HEX_LEN + 1])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	struct digest h;
	unsigned char buf[65536];
	size_t n;
	digest_init(&h);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		digest_update(&h, buf, n);
	bool ok = !ferror(f);
	fclose(f);
	if (ok)
		digest_hex(&h, out);
	return ok;
}

/* The NICs beyond Route Server capacity (RULES 1.8) on either side. */
static void fold_json_view(struct jsonw *w, const struct timeline_entry *first)
{
	if (!first->before_without_rs && !first->after_without_rs)
		return;
	jsonw_key(w, "withoutRouteServer");
	jsonw_object_begin(w);
	jsonw_key(w, "before");
	jsonw_bool(w, first->before_without_rs);
	jsonw_key(w, "after");
	jsonw_bool(w, first->after_without_rs);
	jsonw_object_end(w);
}

static size_t gateway_rows(const struct route_row *const *v, size_t n)
{
	size_t g = 0;
	for (size_t i = 0; i < n; i++)
		g += v[i]->source == SRC_GATEWAY;
	return g;
}

static void count_json(struct jsonw *w, const char *key, size_t n)
{
	jsonw_key(w, key);
	jsonw_int(w, (int64_t)n);
}

/* A fold without its rows and with the first names only (no --detail). */
static void fold_json_summary(struct jsonw *w, const struct timeline_fold *f, size_t max)
{
	jsonw_object_begin(w);
	jsonw_key(w, "atMs");
	jsonw_int(w, f->entries[0]->at_ms);
	jsonw_key(w, "cause");
	jsonw_string(w, f->entries[0]->cause);
	count_json(w, "subnetCount", f->nentries);
	jsonw_key(w, "firstSubnets");
	jsonw_array_begin(w);
	for (size_t i = 0; i < f->nentries && i < max; i++)
		jsonw_string(w, f->entries[i]->subnet);
	jsonw_array_end(w);
	count_json(w, "nics", f->nics);
	jsonw_key(w, "firstNicNames");
	jsonw_array_begin(w);
	size_t shown = 0;
	for (size_t i = 0; i < f->nentries && shown < max; i++)
		for (size_t k = 0; k < f->entries[i]->nics && shown < max; k++, shown++)
			jsonw_string(w, f->entries[i]->nic_names[k]);
	jsonw_array_end(w);
	fold_json_view(w, f->entries[0]);
	const struct rowdiff_result *res = &f->ch.res;
	count_json(w, "removedCount", res->nremoved);
	count_json(w, "addedCount", res->nadded);
	count_json(w, "bgpRemovedCount", gateway_rows(res->removed, res->nremoved));
	count_json(w, "bgpAddedCount", gateway_rows(res->added, res->nadded));
	jsonw_object_end(w);
}

struct fold_json_ctx {
	struct jsonw *w;
	const struct run_text_opts *o;
};

static void fold_json(const struct timeline_fold *f, void *ctx)
{
	const struct fold_json_ctx *x = ctx;
	struct jsonw *w = x->w;
	if (!x->o->detail) {
		fold_json_summary(w, f, x->o->max_names);
		return;
	}
	jsonw_object_begin(w);
	jsonw_key(w, "atMs");
	jsonw_int(w, f->entries[0]->at_ms);
	jsonw_key(w, "cause");
	jsonw_string(w, f->entries[0]->cause);
	jsonw_key(w, "subnets");
	jsonw_array_begin(w);
	for (size_t i = 0; i < f->nentries; i++)
		jsonw_string(w, f->entries[i]->subnet);
	jsonw_array_end(w);
	jsonw_key(w, "nics");
	jsonw_int(w, (int64_t)f->nics);
	jsonw_key(w, "nicNames");
	jsonw_array_begin(w);
	for (size_t i = 0; i < f->nentries; i++)
		for (size_t k = 0; k < f->entries[i]->nics; k++)
			jsonw_string(w, f->entries[i]->nic_names[k]);
	jsonw_array_end(w);
	fold_json_view(w, f->entries[0]);
	render_changes_json(w, f->ch.res.removed, f->ch.res.nremoved, f->ch.res.added,
			    f->ch.res.nadded);
	jsonw_object_end(w);
}

static int timeline_json(const struct run *r, const struct run_text_opts *o, struct jsonw *w)
{
	struct fold_json_ctx x = { w, o };
	jsonw_key(w, "timeline");
	jsonw_array_begin(w);
	if (timeline_fold(r, fold_json, &x) != 0)
		return -1;
	jsonw_array_end(w);
	return 0;
}

static const char *const CSV_LEAD[5] = { "file", "atMs", "subnet", "nics", "cause" };

static int timeline_csv(const struct job *j, const struct run *r, FILE *out)
{
	struct study_diff_sets sets = { 0 };
	for (size_t i = 0; i < run_timeline_count(r); i++) {
		const struct timeline_entry *e = run_timeline_get(r, i);
		struct rowdiff_change ch;
		if (timeline_entry_change(&ch, e, &sets) != 0) {
			study_diff_sets_fini(&sets);
			return -1;
		}
		char at[24], nics[24];
		snprintf(at, sizeof(at), "%lld", (long long)e->at_ms);
		snprintf(nics, sizeof(nics), "%zu", e->nics);
		const char *lead[5] = { j->file, at, e->subnet, nics, e->cause };
		render_changes_csv(out, lead, 5, ch.res.removed, ch.res.nremoved, ch.res.added,
				   ch.res.nadded);
		rowdiff_change_fini(&ch);
	}
	study_diff_sets_fini(&sets);
	return 0;
}

static void failures_text(const struct scenario *sc, const struct failures *f, FILE *out)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct expectation *x = NULL;
		for (size_t k = 0; k < sc->nexpectations; k++)
			if (sc->expectations[k].index == f->v[i].index)
				x = &sc->expectations[k];
		fprintf(out, "    FAIL $.expectations[%zu]", f->v[i].index);
		if (x)
			fprintf(out, " (at %s, %s %s)", x->at ? x->at : "?",
				x->nic ? "nic" : "subnet",
				x->nic      ? x->nic
				: x->subnet ? x->subnet
					    : "?");
		fprintf(out, ": %s\n", f->v[i].message);
	}
}

static void report_text(const struct job *j, const struct scenario *sc, const struct run *r,
			const struct failures *f, FILE *out)
{
	char t[32];
	if (j->view->quiet) {
		failures_text(sc, f, out);
		return;
	}
	fprintf(out, "  events processed: %zu, end at %s\n", run_events_processed(r),
		render_time(run_end_ms(r), t));
	fprintf(out, "  checkpoints:");
	for (size_t i = 0; i < run_checkpoint_count(r); i++) {
		const struct checkpoint *c = run_checkpoint_get(r, i);
		fprintf(out, "%s %s %s", i ? "," : "", c->label, render_time(c->at_ms, t));
	}
	fputc('\n', out);
	struct run_text_totals tot;
	if (run_text_timeline(r, &j->view->text, out, &tot) != 0)
		fprintf(out, "    (timeline incomplete: out of memory)\n");
	size_t ns = run_session_event_count(r);
	if (ns) {
		fprintf(out, "  sessions:\n");
		for (size_t i = 0; i < ns; i++) {
			const struct session_event *s = run_session_event_get(r, i);
			fprintf(out, "    %s  %s  %s\n", render_time(s->at_ms, t), s->peer,
				s->what);
		}
	}
	fprintf(out, "  expectations: %zu passed, %zu failed\n", j->passed, j->failed);
	failures_text(sc, f, out);
	if (!j->view->text.detail)
		fprintf(out, "  summary: %zu change%s reaching %zu subnet tables and %zu NIC views "
			     "(-%zu +%zu rows over those subnets), %zu session event%s, %zu of %zu "
			     "expectations passed\n",
			tot.changes, tot.changes == 1 ? "" : "s", tot.subnets, tot.nics, tot.removed,
			tot.added, ns, ns == 1 ? "" : "s", j->passed, j->passed + j->failed);
}

static int report_json(const struct job *j, const struct run *r, const struct failures *f,
		       struct jsonw *w)
{
	int rc = 0;
	if (j->view->quiet)
		goto expectations; /* -q: the result and the expectations only */
	jsonw_key(w, "eventsProcessed");
	jsonw_int(w, (int64_t)run_events_processed(r));
	jsonw_key(w, "endMs");
	jsonw_int(w, run_end_ms(r));
	jsonw_key(w, "checkpoints");
	jsonw_array_begin(w);
	for (size_t i = 0; i < run_checkpoint_count(r); i++) {
		const struct checkpoint *c = run_checkpoint_get(r, i);
		jsonw_inline_begin(w, true);
		jsonw_key(w, "label");
		jsonw_string(w, c->label);
		jsonw_key(w, "atMs");
		jsonw_int(w, c->at_ms);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	rc = timeline_json(r, &j->view->text, w);
	if (rc != 0)
		jsonw_array_end(w); /* the timeline array is still open */
	jsonw_key(w, "sessions");
	jsonw_array_begin(w);
	for (size_t i = 0; i < run_session_event_count(r); i++) {
		const struct session_event *s = run_session_event_get(r, i);
		jsonw_inline_begin(w, true);
		jsonw_key(w, "atMs");
		jsonw_int(w, s->at_ms);
		jsonw_key(w, "peer");
		jsonw_string(w, s->peer);
		jsonw_key(w, "what");
		jsonw_string(w, s->what);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
expectations:
	jsonw_key(w, "expectations");
	jsonw_object_begin(w);
	jsonw_key(w, "passed");
	jsonw_int(w, (int64_t)j->passed);
	jsonw_key(w, "failed");
	jsonw_int(w, (int64_t)j->failed);
	jsonw_key(w, "failures");
	jsonw_array_begin(w);
	for (size_t i = 0; i < f->n; i++) {
		jsonw_inline_begin(w, true);
		jsonw_key(w, "index");
		jsonw_int(w, (int64_t)f->v[i].index);
		jsonw_key(w, "message");
		jsonw_string(w, f->v[i].message);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
	return rc;
}

static char *str_copy(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* Runs one scenario and writes its report to out (json: a fragment at
 * depth 2 of the batch document) and its diagnostics to err. */
static void job_run(struct job *j, FILE *out, FILE *err)
{
	int64_t t0 = mono_ms();
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(j->started_at, sizeof(j->started_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct diag *d = diag_create();
	struct scenario *sc = NULL;
	struct run *r = NULL;
	struct failures f = { 0 };
	if (!d) {
		fprintf(err, "vnetsim: out of memory\n");
		j->rc = CLI_EXIT_ENV;
	} else {
		j->rc = cli_load(j->file, j->common, d, err, &sc);
	}
	if (j->rc == CLI_EXIT_OK) {
		j->name = str_copy(sc->name);
		j->rc = cli_run_hooked(sc, d, NULL, 0, j->with_reach ? run_reach_hook : NULL,
				       &j->reach, err, &r);
	}
	if (j->rc == CLI_EXIT_OK) {
		cli_note_sample_tags(sc, r, err);
		j->failed = run_check_expectations(r, on_failure, &f);
		j->passed = sc->nexpectations - j->failed;
		if (f.oom)
			j->rc = CLI_EXIT_ENV;
		else if (j->failed)
			j->rc = CLI_EXIT_DIFF;
	}
	j->wall_ms = mono_ms() - t0;
	j->ncheckpoints = r ? run_checkpoint_count(r) : 0;
	j->result = j->rc == CLI_EXIT_OK     ? "passed"
		    : j->rc == CLI_EXIT_DIFF ? "failed"
		    : j->rc == CLI_EXIT_INVALID ? "invalid"
						: "error";

	struct jsonw w;
	switch (j->fmt) {
	case RENDER_TABLE:
		fprintf(out, "scenario %s (%s): %s\n", j->name && j->name[0] ? j->name : "-",
			j->file, j->result);
		if (r)
			report_text(j, sc, r, &f, out);
		break;
	case RENDER_JSON:
	case RENDER_JSONL:
		jsonw_init(&w, out, j->fmt == RENDER_JSON, 2);
		jsonw_object_begin(&w);
		jsonw_key(&w, "file");
		jsonw_string(&w, j->file);
		jsonw_key(&w, "name");
		jsonw_string(&w, j->name);
		jsonw_key(&w, "result");
		jsonw_string(&w, j->result);
		if (r && report_json(j, r, &f, &w) != 0 && j->rc < CLI_EXIT_ENV) {
			fprintf(err, "%s: out of memory while rendering the timeline\n", j->file);
			j->rc = CLI_EXIT_ENV;
		}
		jsonw_object_end(&w);
		if (j->fmt == RENDER_JSONL)
			fputc('\n', out);
		break;
	case RENDER_CSV:
		if (r && timeline_csv(j, r, out) != 0) {
			fprintf(err, "%s: out of memory while rendering the timeline\n", j->file);
			j->rc = CLI_EXIT_ENV;
		}
		break;
	}
	if (j->rc == CLI_EXIT_ENV && !r && d)
		fprintf(err, "%s: could not be run (environment failure)\n", j->file);
	j->d = d;
	j->sc = sc;
	j->r = r;
	j->f = f;
	if (j->keep && r && !hash_file(j->file, j->sha256))
		j->sha256[0] = '\0';
	if (!j->keep)
		job_release(j);
}

/* ---- the batch ------------------------------------------------------------- */

/* How far workers may run ahead of the scenario being printed: each
 * finished job waiting holds two temporary files open. */
#define MAX_AHEAD 64

struct pool {
	struct job *jobs;
	size_t n, next;
	size_t printed;                /* jobs [0, printed) are out */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void job_run_buffered(struct job *j)
{
	j->out = tmpfile();
	j->err = tmpfile();
	if (!j->out || !j->err) {
		if (j->out)
			fclose(j->out);
		if (j->err)
			fclose(j->err);
		j->out = j->err = NULL;
		j->rc = CLI_EXIT_ENV;
		j->result = "error";
		return;
	}
	job_run(j, j->out, j->err);
	if (fflush(j->out) != 0 || fflush(j->err) != 0 || ferror(j->out) || ferror(j->err))
		j->rc = CLI_EXIT_ENV;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->next < p->n && p->next >= p->printed + MAX_AHEAD)
			pthread_cond_wait(&p->cv, &p->mu);
		size_t i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->mu);
		if (i == p->n)
			return NULL;
		job_run_buffered(&p->jobs[i]);
		pthread_mutex_lock(&p->mu);
		p->jobs[i].done = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Separator before scenario i in the output. */
static void before_job(enum render_format fmt, size_t i)
{
	if (fmt == RENDER_JSON)
		fputs(i ? ",\n    " : "\n    ", stdout);
	else if (fmt == RENDER_TABLE && i)
		fputc('\n', stdout);
}

/* Copies a job's temporary file to dst and closes it. */
static void copy_out(FILE *f, FILE *dst)
{
	char buf[1 << 16];
	size_t n;
	rewind(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, dst);
	fclose(f);
}

static void print_job(struct job *j, enum render_format fmt, size_t i)
{
	if (j->err)
		copy_out(j->err, stderr);
	before_job(fmt, i);
	if (j->out)
		copy_out(j->out, stdout);
	if (!j->out && fmt == RENDER_JSON) {
		fputs("{\"file\": ", stdout);
		jsonw_quote(stdout, j->file);
		fputs(", \"name\": null, \"result\": \"error\"}", stdout);
	}
	if (!j->out && !j->err)
		fprintf(stderr, "%s: could not be run: no temporary file for its output\n", j->file);
	j->out = j->err = NULL;
}

/* The batch summary.  Wall time is the one column that differs between
 * two runs of the same batch. */
static void summary_table(const struct job *jobs, size_t n, bool stored)
{
	static const char *const hdr[] = { "Scenario", "Name",   "Result", "Checkpoints",
					   "Passed",   "Failed", "Wall",   "Run" };
	size_t ncols = stored ? 8 : 7;
	struct render_tab *t = render_tab_create(ncols, hdr);
	if (!t)
		return;
	for (size_t i = 0; i < n; i++) {
		char cs[24], ps[24], fs[24], ws[32], rs[24];
		snprintf(cs, sizeof(cs), "%zu", jobs[i].ncheckpoints);
		snprintf(ps, sizeof(ps), "%zu", jobs[i].passed);
		snprintf(fs, sizeof(fs), "%zu", jobs[i].failed);
		snprintf(ws, sizeof(ws), "%.3fs", (double)jobs[i].wall_ms / 1000.0);
		snprintf(rs, sizeof(rs), "%lld", (long long)jobs[i].run_id);
		const char *cells[8] = { jobs[i].file, jobs[i].name, jobs[i].result, cs, ps, fs, ws,
					 jobs[i].run_id ? rs : "-" };
		render_tab_add(t, cells);
	}
	fputc('\n', stdout);
	render_tab_print(t, stdout, "");
	render_tab_destroy(t);
}

/* What the main thread does with each finished job, in input order. */
struct batch {
	enum render_format fmt;
	const char *db_path;
	struct store *store;           /* --db, or NULL */
	bool store_failed;             /* stop storing after the first failure */
	struct junit *junit;           /* --junit, or NULL */
	bool junit_oom;
	struct progress *progress;     /* scenarios finished, on stderr (NULL: none) */
	size_t finished;
};

static void store_job(struct batch *b, struct job *j)
{
	if (!b->store || !j->r || (j->rc != CLI_EXIT_OK && j->rc != CLI_EXIT_DIFF))
		return;
	if (b->store_failed) {
		j->rc = CLI_EXIT_ENV;
		return;
	}
	if (!j->sha256[0]) {
		fprintf(stderr, "%s: cannot read the file again to hash it: not stored\n", j->file);
		j->rc = CLI_EXIT_ENV;
		return;
	}
	struct store_failure *sf = calloc(j->f.n ? j->f.n : 1, sizeof(*sf));
	if (!sf) {
		fprintf(stderr, "vnetsim: out of memory\n");
		j->rc = CLI_EXIT_ENV;
		return;
	}
	for (size_t i = 0; i < j->f.n; i++)
		sf[i] = (struct store_failure){ j->f.v[i].index, j->f.v[i].message };
	struct store_run_meta m = { .file = j->file, .content_sha256 = j->sha256,
				    .tool_version = VNETSIM_VERSION, .started_at = j->started_at,
				    .wall_ms = j->wall_ms, .result = j->result,
				    .reach = j->reach.v, .nreach = j->reach.n };
	int rc = store_put_run(b->store, j->sc, j->r, &m, sf, j->f.n, stderr, &j->run_id);
	free(sf);
	if (rc) {
		fprintf(stderr, "%s: not stored; the runs after it are not stored either\n",
			j->file);
		b->store_failed = true;
		j->rc = rc > j->rc ? rc : j->rc;
		return;
	}
	if (b->fmt == RENDER_TABLE)
		printf("  stored as run %lld in %s\n", (long long)j->run_id, b->db_path);
}

static void junit_job(struct batch *b, const struct job *j)
{
	char suite[600], name[600], cls[512];
	snprintf(suite, sizeof(suite), "%s (%s)", j->name && j->name[0] ? j->name : "-",
		 j->file);
	junit_classname(j->file, cls, sizeof(cls));
	struct junit_suite_info si = { .name = suite, .package = cls, .file = j->file,
				       .timestamp = j->started_at[0] ? j->started_at : NULL,
				       .seconds = (double)j->wall_ms / 1000.0 };
	int rc = junit_suite(b->junit, &si);
	if (!j->sc || !j->r) {
		bool invalid = j->rc == CLI_EXIT_INVALID;
		struct junit_result e = { JUNIT_ERROR,
					  invalid ? "InvalidScenario" : "EnvironmentFailure",
					  invalid ? "invalid scenario" : "environment failure",
					  "see the diagnostics on stderr" };
		rc |= junit_case(b->junit, cls, "run", &e);
		b->junit_oom |= rc != 0;
		return;
	}
	for (size_t i = 0; i < j->sc->nexpectations; i++) {
		const struct expectation *x = &j->sc->expectations[i];
		const char *msg = NULL;
		for (size_t k = 0; k < j->f.n; k++)
			if (j->f.v[k].index == x->index)
				msg = j->f.v[k].message;
		char dst[IPV4_STRLEN];
		snprintf(name, sizeof(name), "$.expectations[%zu] at %s, %s %s: %s", x->index,
			 x->at ? x->at : "end", x->nic ? "nic" : "subnet",
			 x->nic ? x->nic : x->subnet ? x->subnet : "?",
			 x->has_destination ? ipv4_format(x->destination, dst) : "routes");
		struct junit_result f = { JUNIT_FAIL, "ExpectationFailed", msg, msg };
		rc |= junit_case(b->junit, cls, name, msg ? &f : NULL);
	}
	b->junit_oom |= rc != 0;
}

static void job_finish(struct batch *b, struct job *j)
{
	progress_update(b->progress, ++b->finished);
	store_job(b, j);
	if (b->junit)
		junit_job(b, j);
	job_release(j);
}

static int run_batch(struct job *jobs, size_t n, unsigned nthreads, struct batch *b)
{
	enum render_format fmt = b->fmt;
	if (fmt == RENDER_JSON)
		fputs("{\n  \"scenarios\": [", stdout);
	if (fmt == RENDER_CSV) {
		for (size_t k = 0; k < 5; k++)
			fprintf(stdout, "%s,", CSV_LEAD[k]);
		render_csv_line(stdout, RENDER_CHANGE_CSV_COLUMNS, 7);
	}
	if (nthreads <= 1 || n <= 1) {
		for (size_t i = 0; i < n; i++) {
			before_job(fmt, i);
			job_run(&jobs[i], stdout, stderr);
			job_finish(b, &jobs[i]);
		}
	} else {
		struct pool p = { .jobs = jobs, .n = n };
		pthread_t th[MAX_JOBS];
		size_t started = 0;
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.cv, NULL);
		for (unsigned k = 0; k < nthreads && k < n; k++) {
			if (pthread_create(&th[started], NULL, worker, &p) != 0)
				break;
			started++;
		}
		if (started == 0) {
			/* No thread could start: run here, still buffered-free. */
			for (size_t i = 0; i < n; i++) {
				before_job(fmt, i);
				job_run(&jobs[i], stdout, stderr);
				job_finish(b, &jobs[i]);
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				pthread_mutex_lock(&p.mu);
				while (!jobs[i].done)
					pthread_cond_wait(&p.cv, &p.mu);
				pthread_mutex_unlock(&p.mu);
				print_job(&jobs[i], fmt, i);
				job_finish(b, &jobs[i]);
				pthread_mutex_lock(&p.mu);
				p.printed = i + 1;
				pthread_cond_broadcast(&p.cv);
				pthread_mutex_unlock(&p.mu);
			}
			for (size_t k = 0; k < started; k++)
				pthread_join(th[k], NULL);
		}
		pthread_cond_destroy(&p.cv);
		pthread_mutex_destroy(&p.mu);
	}
	if (fmt == RENDER_JSON)
		fputs(n ? "\n  ]\n}\n" : "]\n}\n", stdout);
	if (fmt == RENDER_TABLE && n > 1)
		summary_table(jobs, n, b->store != NULL);
	int rc = CLI_EXIT_OK;
	for (size_t i = 0; i < n; i++)
		if (jobs[i].rc > rc)
			rc = jobs[i].rc;
	return rc;
}

static int opt_jobs(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	unsigned *nthreads = o->dest;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || n < 1 || n > MAX_JOBS)
		return cli_usage_error(p, "-j %s: expected a number of jobs, 1 to %d", v, MAX_JOBS);
	*nthreads = (unsigned)n;
	return 0;
}

/* --service-tags FILE, loaded once and shared read-only by every run of
 * the batch.  An exit code. */
static int load_tags(struct cli_common *common)
{
	struct diag *d = diag_create();
	bool env = false;
	common->tags = d ? scenario_load_service_tags(common->service_tags, d, &env) : NULL;
	if (d)
		diag_print(d, stderr);
	diag_destroy(d);
	if (!common->tags)
		return env || !d ? CLI_EXIT_ENV : CLI_EXIT_INVALID;
	return CLI_EXIT_OK;
}

/* The batch of the files, with the store and the JUnit report open. */
static int run_files(char **files, size_t nfiles, unsigned nthreads, struct batch *b,
		     const struct cli_common *common, const struct run_view *view, bool keep)
{
	struct job *jobs = calloc(nfiles ? nfiles : 1, sizeof(*jobs));
	if (!jobs) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	for (size_t i = 0; i < nfiles; i++)
		jobs[i] = (struct job){ .file = files[i], .common = common, .view = view,
					.fmt = b->fmt, .keep = keep,
					.with_reach = b->store != NULL };
	/* A batch shows its progress; one scenario has nothing to count. */
	if (nfiles > 1)
		b->progress = progress_create(stderr, "scenarios", nfiles, view->no_progress);
	int rc = run_batch(jobs, nfiles, nthreads, b);
	progress_destroy(b->progress);
	b->progress = NULL;
	for (size_t i = 0; i < nfiles; i++)
		free(jobs[i].name);
	free(jobs);
	return rc;
}

static int run_paths(const char *const *args, size_t nargs, unsigned nthreads, const char *db,
		     const char *junit, struct cli_common *common, const struct run_view *view)
{
	char **files = NULL;
	size_t nfiles = 0;
	int rc = cli_expand_paths(args, nargs, stderr, &files, &nfiles);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (common->service_tags && (rc = load_tags(common)) != CLI_EXIT_OK) {
		cli_paths_free(files, nfiles);
		return rc;
	}
	struct batch b = { .fmt = cli_format(common), .db_path = db };
	/* The store is opened before anything runs: a file that cannot be
	 * written stops the batch at once (exit 3). */
	if (db && (rc = store_open(db, true, stderr, &b.store)) != 0) {
		svctag_destroy(common->tags);
		cli_paths_free(files, nfiles);
		return rc;
	}
	if (junit && !(b.junit = junit_create())) {
		fprintf(stderr, "vnetsim: out of memory\n");
		rc = CLI_EXIT_ENV;
	}
	if (!rc)
		rc = run_files(files, nfiles, nthreads, &b, common, view, db || junit);
	if (b.junit) {
		fflush(stdout); /* the report first, then the file */
		int jrc = b.junit_oom ? CLI_EXIT_ENV : junit_write(b.junit, junit, stderr);
		if (b.junit_oom)
			fprintf(stderr, "%s: out of memory building the JUnit report\n", junit);
		if (jrc > rc)
			rc = jrc;
	}
	junit_destroy(b.junit);
	store_close(b.store);
	svctag_destroy(common->tags);
	cli_paths_free(files, nfiles);
	return rc;
}

static int opt_max_names(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	size_t *max = o->dest;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || n > 1000000)
		return cli_usage_error(p, "--max-names %s: expected a number of names, 0 to 1000000",
				       v);
	*max = (size_t)n;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	struct cli_args args = { 0 };
	unsigned nthreads = 1;
	const char *db = NULL, *junit = NULL;
	size_t max_names = SIZE_MAX;
	bool detail = false, quiet = false, no_progress = false;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_push, &args, "SCENARIO"),
		{ CLI_OPT_CALL, "jobs", 'j', "N", &nthreads, opt_jobs,
		  "run N scenarios in parallel (default 1); the output is the\n"
		  "same, in input order, whatever N is (but the summary's\n"
		  "Wall column)",
		  CLI_HELP_BOTH, false },
		CLI_STRING("db", 0, &db, "FILE",
			   "store every run in this SQLite results store (created if\n"
			   "missing; one transaction per run; several processes may\n"
			   "write one file; see README \"Results store\")"),
		CLI_STRING("junit", 0, &junit, "FILE",
			   "also write a JUnit XML report: one test suite per scenario,\n"
			   "one test case per expectation (written atomically)"),
		CLI_FLAG("detail", 0, &detail,
			 "table: list every change's rows (the default summarises each\n"
			 "change in one line); json, jsonl and csv always have them"),
		CLI_CALL("max-names", 0, opt_max_names, &max_names, "N",
			 "subnet or NIC names shown per change before \"and N more\"\n"
			 "(default 5, 8 with --detail)"),
		{ CLI_OPT_FLAG, "quiet", 'q', NULL, cli_bool_dest(&quiet), NULL,
		  "print only each scenario's result and its failed expectations\n"
		  "(json: no checkpoints, timeline or sessions)",
		  CLI_HELP_BOTH, false },
		PROGRESS_OPTION(&no_progress),
		CLI_END,
	};
	int rc = cli_parse(&p, &RUN, opts, &common, argc, argv);
	if (rc == CLI_PARSED && quiet && cli_format(&common) == RENDER_CSV)
		rc = cli_usage_error(&p, "-q: csv is the timeline's rows; use -o table or json");
	if (rc == CLI_PARSED) {
		struct run_view view = {
			.text = { .detail = detail,
				  .max_names = max_names != SIZE_MAX ? max_names
				  : detail		     ? RUN_TEXT_NAMES_DETAIL
							     : RUN_TEXT_NAMES_SUMMARY },
			.quiet = quiet,
			.no_progress = no_progress,
		};
		rc = run_paths(args.v, args.n, nthreads, db, junit, &common, &view);
	}
	free(args.v);
	return rc;
}
