/*
 * sweep_report.c - see sweep_report.h: the tables, CSV files and gnuplot
 * scripts of a sweep, from struct sweep_data or a capacity result.
 */
#include "sweep_report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "study_stats.h"
#include "cli.h"
#include "jsonw.h"
#include "plot.h"
#include "vec.h"

/* ---- output files: written to NAME.tmp, renamed when complete ------------- */

int sweep_file_open(struct sweep_file *of, const char *dir, const char *name)
{
	memset(of, 0, sizeof(*of));
	size_t n = strlen(dir) + strlen(name) + 8;
	of->path = malloc(n);
	of->tmp = malloc(n);
	if (!of->path || !of->tmp)
		return -1;
	snprintf(of->path, n, "%s/%s", dir, name);
	snprintf(of->tmp, n, "%s/%s.tmp", dir, name);
	of->f = fopen(of->tmp, "w");
	if (!of->f) {
		fprintf(stderr, "vnetsim sweep: %s: %s\n", of->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int sweep_file_close(struct sweep_file *of, bool keep)
{
	int rc = 0;
	if (of->f) {
		bool bad = ferror(of->f) != 0;
		if (fclose(of->f) != 0 || bad) {
			fprintf(stderr, "vnetsim sweep: %s: write failed\n", of->tmp);
			rc = -1;
		}
		if (keep && rc == 0 && rename(of->tmp, of->path) != 0) {
			fprintf(stderr, "vnetsim sweep: %s: %s\n", of->path, strerror(errno));
			rc = -1;
		}
		if (!keep || rc != 0)
			remove(of->tmp);
	}
	free(of->path);
	free(of->tmp);
	memset(of, 0, sizeof(*of));
	return rc;
}

/* ---- a sheet: a header and rows of strings, printed as table or CSV -------- */

struct sheet {
	size_t ncols;
	const char *const *hdr;
	char **cells;                  /* nrows * ncols, malloc'd strings */
	size_t nrows;
	size_t cap;                    /* cells allocated (not rows) */
	bool failed;
};

static void sheet_add(struct sheet *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Cells are given as one printf line separated by '\t'. */
static void sheet_add(struct sheet *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (VEC_RESERVE(s->cells, s->cap, (s->nrows + 1) * s->ncols) != 0) {
		s->failed = true;
		return;
	}
	char *save = NULL, *tok = strtok_r(line, "\t", &save);
	for (size_t c = 0; c < s->ncols; c++) {
		s->cells[s->nrows * s->ncols + c] = strdup(tok ? tok : "");
		if (!s->cells[s->nrows * s->ncols + c])
			s->failed = true;
		tok = tok ? strtok_r(NULL, "\t", &save) : NULL;
	}
	s->nrows++;
}

static void sheet_csv(const struct sheet *s, FILE *f)
{
	render_csv_line(f, s->hdr, s->ncols);
	for (size_t r = 0; r < s->nrows; r++)
		render_csv_line(f, (const char *const *)&s->cells[r * s->ncols], s->ncols);
}

/* json: an array of objects keyed by the header; jsonl: one object per
 * line.  Cells that are numbers are numbers. */
static void sheet_json(const struct sheet *s, FILE *f, bool lines)
{
	struct jsonw w;
	if (!lines) {
		jsonw_init(&w, f, true, 0);
		jsonw_array_begin(&w);
	}
	for (size_t r = 0; r < s->nrows; r++) {
		if (lines)
			jsonw_init(&w, f, false, 0);
		jsonw_object_begin(&w);
		for (size_t c = 0; c < s->ncols; c++) {
			jsonw_key(&w, s->hdr[c]);
			jsonw_number_text(&w, s->cells[r * s->ncols + c]);
		}
		jsonw_object_end(&w);
		if (lines)
			fputc('\n', f);
	}
	if (!lines) {
		jsonw_array_end(&w);
		fputc('\n', f);
	}
}

static int sheet_print(const struct sheet *s, FILE *f, enum render_format fmt)
{
	if (fmt == RENDER_CSV) {
		sheet_csv(s, f);
		return 0;
	}
	if (fmt == RENDER_JSON || fmt == RENDER_JSONL) {
		sheet_json(s, f, fmt == RENDER_JSONL);
		return 0;
	}
	struct render_tab *t = render_tab_create(s->ncols, s->hdr);
	if (!t)
		return -1;
	for (size_t r = 0; r < s->nrows; r++)
		if (render_tab_add(t, (const char *const *)&s->cells[r * s->ncols]) != 0) {
			render_tab_destroy(t);
			return -1;
		}
	render_tab_print(t, f, "");
	render_tab_destroy(t);
	return 0;
}

static void sheet_free(struct sheet *s)
{
	for (size_t i = 0; i < s->nrows * s->ncols; i++)
		free(s->cells[i]);
	free(s->cells);
}

static int sheet_file(const struct sheet *s, const char *dir, const char *name)
{
	struct sweep_file of;
	if (sweep_file_open(&of, dir, name) != 0) {
		sweep_file_close(&of, false);
		return -1;
	}
	sheet_csv(s, of.f);
	return sweep_file_close(&of, true);
}

/* ---- rows streamed into --out files ------------------------------------------- */

int sweep_mkdir(const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "vnetsim sweep: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

void sweep_impact_header(FILE *f)
{
	static const char *const hdr[] = { "variant", "failure",      "subnet", "destination",
					   "nics",    "blackhole_s", "lost_s", "changed_s" };
	render_csv_line(f, hdr, 8);
}

void sweep_impact_row(FILE *f, uint64_t variant, const char *label, const char *subnet,
		      const char *dest, uint64_t nics, int64_t bh_ms, int64_t lost_ms,
		      int64_t changed_ms)
{
	char cells[5][64];
	snprintf(cells[0], sizeof(cells[0]), "%llu", (unsigned long long)variant);
	snprintf(cells[1], sizeof(cells[1]), "%llu", (unsigned long long)nics);
	snprintf(cells[2], sizeof(cells[2]), "%.3f", (double)bh_ms / 1000.0);
	snprintf(cells[3], sizeof(cells[3]), "%.3f", (double)lost_ms / 1000.0);
	snprintf(cells[4], sizeof(cells[4]), "%.3f", (double)changed_ms / 1000.0);
	const char *row[8] = { cells[0], label, subnet, dest, cells[1], cells[2], cells[3], cells[4] };
	render_csv_line(f, row, 8);
}

void sweep_failure_header(FILE *f)
{
	fputs("run,seq,target,at_s,repair_s,phase_s,blackhole_s\n", f);
}

void sweep_failure_row(FILE *f, uint64_t variant, uint64_t seq, const char *target, int64_t at_ms,
		       int64_t repair_ms, int64_t phase_ms, int64_t bh_ms)
{
	fprintf(f, "%llu,%llu,%s,%.3f,%.3f,%.3f,%.3f\n", (unsigned long long)variant,
		(unsigned long long)seq, target, (double)at_ms / 1000.0, (double)repair_ms / 1000.0,
		(double)phase_ms / 1000.0, (double)bh_ms / 1000.0);
}

void sweep_data_fini(struct sweep_data *d)
{
	free(d->rows);
	free(d->samples);
	free(d->fail_s);
	*d = (struct sweep_data){ .kind = d->kind, .subnets = d->subnets, .nsubnets = d->nsubnets };
}

/* ---- reports ------------------------------------------------------------------ */

/* The table on stdout, and with --out its CSV file and the plot. */
static int publish(enum render_format fmt, const char *dir, const struct sheet *sh, bool failed,
		   const char *csv, const char *script)
{
	if (failed || sh->failed || sheet_print(sh, stdout, fmt) != 0)
		return CLI_EXIT_ENV;
	if (dir && (sheet_file(sh, dir, csv) != 0 || plot_render(dir, script) != 0))
		return CLI_EXIT_ENV;
	return 0;
}

static int by_score(const void *a, const void *b)
{
	const struct sweep_vrow *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->variant > y->variant) - (x->variant < y->variant);
}

/* --rank-by flows: flows broken first, the score breaks ties. */
static int by_flows(const void *a, const void *b)
{
	const struct sweep_vrow *x = a, *y = b;
	if (x->flows_broken != y->flows_broken)
		return x->flows_broken > y->flows_broken ? -1 : 1;
	return by_score(a, b);
}

#define ENUMERATE_PLOTTED 20              /* failures in the enumerate plot */

static int report_enumerate(const struct sweep_data *d, enum render_format fmt, const char *dir)
{
	size_t n = d->nrows;
	struct sweep_vrow *order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return CLI_EXIT_ENV;
	if (n)
		memcpy(order, d->rows, n * sizeof(*order));
	bool flows = d->rank_flows;
	qsort(order, n, sizeof(*order), flows ? by_flows : by_score);
	static const char *const hdr[] = { "rank",	   "variant",	  "failure",
					   "class",	   "subnets",	  "nics",
					   "blackholed",   "max_blackhole_s", "lost",
					   "max_lost_s",   "session_losses", "score_nic_s",
					   "status",	   "flows_broken" };
	struct sheet sh = { .ncols = flows ? 14 : 13, .hdr = hdr };
	for (size_t r = 0; r < n; r++) {
		const struct sweep_vrow *s = &order[r];
		char fb[32] = "";
		if (flows)
			snprintf(fb, sizeof fb, "\t%llu", (unsigned long long)s->flows_broken);
		sheet_add(&sh, "%zu\t%llu\t%s\t%s\t%llu\t%llu\t%llu\t%.3f\t%llu\t%.3f\t%llu\t%.1f\t%s%s",
			  r + 1, (unsigned long long)s->variant,
			  s->label, s->klass,
			  (unsigned long long)s->subnets, (unsigned long long)s->nics,
			  (unsigned long long)s->dests_bh, s->max_bh_s,
			  (unsigned long long)s->dests_lost, s->max_lost_s,
			  (unsigned long long)s->losses, s->score,
			  s->status == 0 ? "ok" : "rejected", fb);
	}
	free(order);
	/* The top failures as horizontal bars, rank 1 at the top, the failure
	 * named on the left where long labels have room; the longest black
	 * hole of each as a point on the top axis. */
	size_t top = n < ENUMERATE_PLOTTED ? n : ENUMERATE_PLOTTED;
	char script[1024];
	snprintf(script, sizeof(script),
		 "set title 'Impact of each single failure: the %zu worst by NIC-seconds without a "
		 "working route'\n"
		 "set style fill solid 0.6 border -1\nset yrange [%zu.5:0.5]\nset ytics scale 0\n"
		 "set xlabel 'NIC-seconds without a working route'\nset xrange [0:*]\n"
		 "set x2label 'longest black hole (s)'\nset x2tics\nset x2range [0:*]\n"
		 "set grid xtics\nset key below\nset title offset 0,1\n"
		 "plot 'variants.csv' every ::0::%zu using (column(12)/2):1:(column(12)/2):(0.4):"
		 "yticlabels(3) with boxxyerror title 'NIC-seconds', "
		 "'' every ::0::%zu using 8:1 axes x2y1 with points pt 7 lc 'red' "
		 "title 'longest black hole (s)'\n",
		 top, top, top ? top - 1 : 0, top ? top - 1 : 0);
	int rc = publish(fmt, dir, &sh, false, "variants.csv", script);
	sheet_free(&sh);
	return rc;
}

static int by_sample(const void *a, const void *b)
{
	const struct sweep_sample *x = a, *y = b;
	if (x->subnet != y->subnet)
		return x->subnet < y->subnet ? -1 : 1;
	int k = prefix_compare(x->dest, y->dest);
	if (k)
		return k;
	if (x->run != y->run)
		return x->run < y->run ? -1 : 1;
	/* A total order, so the sums below add in one order whatever order
	 * the samples came in. */
	return (x->bh_s > y->bh_s) - (x->bh_s < y->bh_s);
}

static void stats_row(struct sheet *sh, const char *subnet, const char *dest, double *x, size_t n,
		      bool *failed)
{
	struct study_stats s;
	if (study_stats_compute(x, n, 0.95, &s) != 0) {
		*failed = true;
		return;
	}
	sheet_add(sh, "%s\t%s\t%zu\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f", subnet, dest,
		  s.n, s.mean, s.sd, s.p50, s.p95, s.p99, s.max, s.ci_lo, s.ci_hi);
}

/* A per-run figure of every row. */
static double *per_run(const struct sweep_data *d, int what)
{
	double *x = malloc((d->nrows ? d->nrows : 1) * sizeof(*x));
	for (size_t i = 0; x && i < d->nrows; i++) {
		const struct sweep_vrow *r = &d->rows[i];
		x[i] = what == 0 ? r->score : what == 1 ? (double)r->losses : r->unprog_vm_s / 60.0;
	}
	return x;
}

static int report_monte_carlo(struct sweep_data *c, enum render_format fmt, const char *dir)
{
	size_t runs = c->nrows;
	static const char *const hdr[] = { "subnet", "destination", "n",   "mean",	"sd",
					   "p50",    "p95",	    "p99", "max",	"ci95_lo",
					   "ci95_hi" };
	struct sheet sh = { .ncols = 11, .hdr = hdr };
	bool failed = false;
	/* Black-hole seconds per run, per subnet and destination (0 in the
	 * runs where it was not black-holed). */
	if (c->nsamples > 0) /* none when no run black-holed: samples is NULL, not for qsort */
		qsort(c->samples, c->nsamples, sizeof(*c->samples), by_sample);
	double *x = malloc((runs ? runs : 1) * sizeof(*x));
	if (!x)
		return CLI_EXIT_ENV;
	for (size_t i = 0; i < c->nsamples;) {
		size_t k = i;
		memset(x, 0, runs * sizeof(*x));
		for (; k < c->nsamples && c->samples[k].subnet == c->samples[i].subnet &&
		       prefix_compare(c->samples[k].dest, c->samples[i].dest) == 0;
		     k++)
			x[c->samples[k].run] += c->samples[k].bh_s;
		char buf[PREFIX_STRLEN];
		uint32_t sub = c->samples[i].subnet;
		stats_row(&sh, sub < c->nsubnets ? c->subnets[sub] : "?",
			  prefix_format(c->samples[i].dest, buf), x, runs, &failed);
		i = k;
	}
	free(x);
	stats_row(&sh, "*", "blackhole_s per failure", c->fail_s, c->nfail, &failed);
	/* The per-run figures are copies: stats_row sorts them. */
	static const char *const what[] = { "blackhole_nic_s per run", "session_losses per run",
					    "unprogrammed_vm_min per run" };
	for (int w = 0; w < 3; w++) {
		double *v = per_run(c, w);
		if (!v)
			failed = true;
		else
			stats_row(&sh, "*", what[w], v, runs, &failed);
		free(v);
	}
	int rc = 0;
	if (dir) {
		/* The per-run figures behind the ECDF (study order), and the
		 * failures (written by the caller), complete before gnuplot reads
		 * them. */
		struct sweep_file of;
		if (sweep_file_open(&of, dir, "runs.csv") != 0) {
			rc = CLI_EXIT_ENV;
		} else {
			fputs("run,blackhole_nic_s,session_losses,unprogrammed_vm_min\n", of.f);
			for (size_t i = 0; i < runs; i++)
				fprintf(of.f, "%llu,%.3f,%.0f,%.3f\n",
					(unsigned long long)c->rows[i].variant, c->rows[i].score,
					(double)c->rows[i].losses, c->rows[i].unprog_vm_s / 60.0);
		}
		if (sweep_file_close(&of, rc == 0) != 0)
			rc = CLI_EXIT_ENV;
	}
	/* Bins from the data (black holes span seconds to hours). */
	double bw = 1;
	if (rc == 0 && plot_bin_width(c->fail_s, c->nfail, &bw) != 0)
		rc = CLI_EXIT_ENV;
	char script[1024];
	snprintf(script, sizeof(script),
		 "set multiplot layout 1,2 title 'Monte-carlo: black-hole time'\n"
		 "binwidth = %.17g\nbin(x) = binwidth * (floor(x / binwidth) + 0.5)\n"
		 "set title sprintf('Black hole per failure (%zu failures, bins of %%g s)', "
		 "binwidth)\n"
		 "set xlabel 'seconds'\nset ylabel 'failures'\nset style fill solid 0.6 border -1\n"
		 "set boxwidth binwidth\nset xrange [0:*]\n"
		 "plot 'failures.csv' using (bin($7)):(1.0) smooth frequency with boxes "
		 "title 'failures'\n"
		 "set title 'Black-hole NIC-seconds per run (ECDF)'\n"
		 "set xlabel 'NIC-seconds'\nset ylabel 'share of runs'\nset yrange [0:1]\n"
		 "plot 'runs.csv' using 2:(1.0 / %zu) smooth cumulative with lines lw 2 "
		 "title 'runs'\n"
		 "unset multiplot\n",
		 bw, c->nfail, runs ? runs : 1);
	if (rc == 0)
		rc = publish(fmt, dir, &sh, failed, "stats.csv", script);
	sheet_free(&sh);
	return rc;
}

/* ---- capacity ------------------------------------------------------------------ */

static void fmt_steps(char *buf, size_t len, int64_t steps)
{
	if (steps < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", (long long)steps);
}

/* "spokes: ...; vms: ..." from a limit's notes, "-" when none (a sheet
 * cell is never empty, and tabs separate cells). */
void sweep_capacity_notes(char *buf, size_t len, const struct study_limit *x)
{
	size_t at = 0;
	buf[0] = '\0';
	bool above = x->used > x->limit;
	if (above)
		snprintf(buf, len, "above the limit at the baseline");
	for (unsigned d = 0; d < STUDY_NDIM && !above && at < len; d++)
		if (x->note[d][0]) {
			int n = snprintf(buf + at, len - at, "%s%s: %s", at ? "; " : "",
					 study_dim_name(d), x->note[d]);
			at += n > 0 ? (size_t)n : 0;
		}
	if (!buf[0])
		snprintf(buf, len, "-");
	for (char *c = buf; *c; c++)
		if (*c == '\t' || *c == '\n')
			*c = ' ';
}

/* Use of each limit (% of the limit) against growth steps, one file per
 * dimension, from the replayed grown networks: the baseline (step 0), then
 * every step replayed, a column per limit that bites growing that way. */
static int growth_file(const struct study_capacity_result *res, unsigned d, const char *dir,
		       const char *name, size_t *cols)
{
	const struct study_limit *l = res->limits;
	struct sweep_file of;
	if (sweep_file_open(&of, dir, name) != 0) {
		sweep_file_close(&of, false);
		return -1;
	}
	*cols = 0;
	fputs("step", of.f);
	for (size_t i = 0; i < res->nlimits; i++)
		if (l[i].bites_at[d] > 0) {
			fputc(',', of.f);
			char head[192];
			snprintf(head, sizeof(head), "%s %s", l[i].name, l[i].scope);
			render_csv_field(of.f, head);
			(*cols)++;
		}
	fputc('\n', of.f);
	for (size_t k = 0; k <= res->npoints[d]; k++) {
		const struct study_point *p = k ? &res->points[d][k - 1] : NULL;
		fprintf(of.f, "%llu", p ? (unsigned long long)p->step : 0ULL);
		for (size_t i = 0; i < res->nlimits; i++) {
			if (l[i].bites_at[d] <= 0)
				continue;
			double u = p ? p->used[i] : l[i].used;
			if (isnan(u))
				fputc(',', of.f);
			else
				fprintf(of.f, ",%.2f", 100.0 * u / l[i].limit);
		}
		fputc('\n', of.f);
	}
	return sweep_file_close(&of, true);
}

static int capacity_files(const struct study_capacity_result *res, const struct sheet *sh,
			  const char *dir)
{
	if (sweep_mkdir(dir) != 0 || sheet_file(sh, dir, "capacity.csv") != 0)
		return -1;
	char script[4096];
	size_t len = (size_t)snprintf(script, sizeof(script),
				      "set multiplot layout 2,2 title 'Use of each limit as the network "
				      "grows (replayed)'\nset ylabel '%% of the limit'\nset yrange [0:200]\n"
				      "set key left top font ',7'\n");
	for (unsigned d = 0; d < STUDY_NDIM; d++) {
		bool any = false;
		for (size_t i = 0; i < res->nlimits; i++)
			any = any || res->limits[i].bites_at[d] > 0;
		if (!any)
			continue;
		char name[64];
		size_t cols = 0;
		snprintf(name, sizeof(name), "growth-%s.csv", study_dim_name(d));
		if (growth_file(res, d, dir, name, &cols) != 0)
			return -1;
		if (len < sizeof(script))
			len += (size_t)snprintf(script + len, sizeof(script) - len,
						"set title 'growing %s'\nset xlabel '%s added'\n"
						"plot for [i=2:%zu] '%s' using 1:i with linespoints "
						"title columnhead(i), 100 with lines dt 2 lc 'red' title "
						"'limit'\n",
						study_dim_name(d), study_dim_name(d), cols + 1, name);
	}
	if (len < sizeof(script))
		snprintf(script + len, sizeof(script) - len, "unset multiplot\n");
	return plot_render(dir, script);
}


int sweep_report_capacity(const struct study_capacity_result *res, enum render_format fmt,
			  const char *dir)
{
	const struct study_limit *l = res->limits;
	static const char *const hdr[] = { "limit",	    "scope",	 "used",
					   "limit_value",   "headroom",	 "spokes_to_bite",
					   "vms_to_bite",   "nva_routes_to_bite",
					   "onprem_prefixes_to_bite", "notes" };
	struct sheet sh = { .ncols = 10, .hdr = hdr };
	char notes[1024];
	for (size_t i = 0; i < res->nlimits; i++) {
		char b[STUDY_NDIM][32];
		for (unsigned k = 0; k < STUDY_NDIM; k++)
			fmt_steps(b[k], sizeof(b[k]), l[i].bites_at[k]);
		sweep_capacity_notes(notes, sizeof(notes), &l[i]);
		sheet_add(&sh, "%s\t%s\t%.0f\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%s", l[i].name, l[i].scope,
			  l[i].used, l[i].limit, l[i].limit - l[i].used, b[0], b[1], b[2], b[3], notes);
	}
	int rc = sh.failed || sheet_print(&sh, stdout, fmt) != 0 ? CLI_EXIT_ENV : 0;
	if (rc == 0 && dir && capacity_files(res, &sh, dir) != 0)
		rc = CLI_EXIT_ENV;
	sheet_free(&sh);
	return rc;
}

int sweep_report_render(struct sweep_data *d, enum render_format fmt, const char *dir)
{
	return d->kind == STUDY_ENUMERATE ? report_enumerate(d, fmt, dir)
					  : report_monte_carlo(d, fmt, dir);
}
