/*
 * sweep_out.c - see sweep_out.h.
 *
 * Variant results arrive in variant order (sweep_exec); each is reduced to
 * a summary row at once, recorded in the database and the per-subnet CSV,
 * and (monte-carlo) its black-hole samples are kept for the statistics.
 * Tables are printed once every variant is in.
 *
 * Without the study's "detail", per-destination impact is folded into one
 * row per (variant, subnet) with destination "*": the number of
 * destinations and the longest black-hole / lost time among them (an NVA
 * crash at ref-4k touches 382,000 subnet-destination pairs).
 */
#include "sweep_out.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grow.h"
#include "study_capacity.h"
#include "study_stats.h"
#include "diag.h"
#include "cli.h"
#include "jsonw.h"
#include "outfile.h"
#include "plot.h"
#include "render.h"
#include "sweep_exec.h"
#include "sweepdb.h"
#include "vec.h"

/* ---- output files: written to NAME.tmp, renamed when complete ------------- */

struct outfile {
	FILE *f;
	char *path, *tmp;
};

static int out_open(struct outfile *of, const char *dir, const char *name)
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

static int out_close(struct outfile *of, bool keep)
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
	struct outfile of;
	if (out_open(&of, dir, name) != 0) {
		out_close(&of, false);
		return -1;
	}
	sheet_csv(s, of.f);
	return out_close(&of, true);
}

/* ---- study identity --------------------------------------------------------- */

/* FNV-1a over a file's bytes, continuing from h. */
static int hash_file(const char *file, uint64_t *h)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return -1;
	int c;
	while ((c = getc(f)) != EOF) {
		*h ^= (uint64_t)(unsigned char)c;
		*h *= 0x100000001b3ULL;
	}
	int bad = ferror(f);
	fclose(f);
	return bad ? -1 : 0;
}

/* ---- collecting results ------------------------------------------------------ */

struct vsum {
	uint64_t variant;
	int status;
	uint64_t losses, subnets, nics, dests_bh, dests_lost;
	double max_bh_s, max_lost_s, score, unprog_vm_s;
	uint64_t flows_broken;         /* --rank-by flows */
};

struct sample {
	uint32_t subnet;
	struct prefix dest;
	uint64_t run;                  /* position in this sweep */
	double bh_s;
};

struct ctx {
	const struct study *st;
	struct study_base *b;
	const struct sweep_opts *o;
	struct sweepdb *db;
	struct outfile impact;         /* impact.csv */
	struct vsum *sums;
	size_t nsums;
	struct sample *samples;
	size_t nsamples, scap;
	double *run_nic_s, *run_losses; /* per run */
	double *run_unprog_min;        /* per run: VM-minutes beyond Route Server capacity */
	double *fail_s;                /* per failure */
	size_t nfail, fcap;
	struct outfile fails;          /* failures.csv */
};

static int record(struct ctx *c, const struct study_result *res, uint32_t s, const char *dest,
		  int64_t bh, int64_t lost, int64_t changed)
{
	const char *sid = study_subnet_id(c->b, s);
	size_t nics = study_subnet_nics(c->b, s);
	if (c->db && sweepdb_record(c->db, res->variant, sid, dest, nics, bh, lost, changed) != 0)
		return CLI_EXIT_ENV;
	if (c->impact.f) {
		char cells[7][64];
		snprintf(cells[0], sizeof(cells[0]), "%llu", (unsigned long long)res->variant);
		snprintf(cells[1], sizeof(cells[1]), "%zu", nics);
		snprintf(cells[2], sizeof(cells[2]), "%.3f", (double)bh / 1000.0);
		snprintf(cells[3], sizeof(cells[3]), "%.3f", (double)lost / 1000.0);
		snprintf(cells[4], sizeof(cells[4]), "%.3f", (double)changed / 1000.0);
		const char *row[8] = { cells[0], study_variant_label(c->b, res->variant), sid, dest,
				       cells[1], cells[2], cells[3], cells[4] };
		render_csv_line(c->impact.f, row, 8);
	}
	return 0;
}

static int push_sample(struct ctx *c, const struct study_record *r, size_t pos)
{
	struct sample *sm = VEC_PUSH(c->samples, c->nsamples, c->scap);
	if (!sm)
		return -1;
	*sm = (struct sample){ r->subnet, r->dest, pos, (double)r->bh_ms / 1000.0 };
	return 0;
}

static int on_result(void *vctx, size_t pos, const struct study_result *res)
{
	struct ctx *c = vctx;
	struct vsum *s = &c->sums[pos];
	*s = (struct vsum){ .variant = res->variant, .status = res->status,
			    .losses = res->session_losses, .score = res->score,
			    .unprog_vm_s = res->unprog_vm_s, .flows_broken = res->flows_broken };
	if (res->status != 0)
		fprintf(stderr, "vnetsim sweep: variant %llu (%s) was rejected by the run (exit %d)\n",
			(unsigned long long)res->variant, study_variant_label(c->b, res->variant),
			res->status);
	/* The summary first: the variant's row goes in before its records. */
	for (size_t i = 0; i < res->nrecs; i++) {
		const struct study_record *r = &res->recs[i];
		s->dests_bh += r->nbh;
		s->dests_lost += r->nlost;
		if ((double)r->bh_ms / 1000.0 > s->max_bh_s)
			s->max_bh_s = (double)r->bh_ms / 1000.0;
		if ((double)r->lost_ms / 1000.0 > s->max_lost_s)
			s->max_lost_s = (double)r->lost_ms / 1000.0;
		if (i == 0 || res->recs[i - 1].subnet != r->subnet) {
			s->subnets++;
			s->nics += study_subnet_nics(c->b, r->subnet);
		}
	}
	if (c->db) {
		struct sweepdb_variant dv = {
			.variant = res->variant, .label = study_variant_label(c->b, res->variant),
			.klass = study_variant_class(c->b, res->variant), .status = res->status,
			.session_losses = res->session_losses, .subnets = s->subnets, .nics = s->nics,
			.destinations = s->dests_bh + s->dests_lost, .max_blackhole_s = s->max_bh_s,
			.max_lost_s = s->max_lost_s, .score = s->score,
			.unprogrammed_vm_s = s->unprog_vm_s
		};
		if (sweepdb_variant(c->db, &dv) != 0 ||
		    (c->st->rank_flows && sweepdb_variant_flows(c->db, res->variant,
								res->flows_broken) != 0))
			return CLI_EXIT_ENV;
	}
	/* Records are sorted by subnet: fold each subnet's (a folded result
	 * has one record per subnet already). */
	for (size_t i = 0; i < res->nrecs;) {
		uint32_t sub = res->recs[i].subnet;
		size_t k = i;
		int64_t max_bh = 0, max_lost = 0, max_ch = 0;
		for (; k < res->nrecs && res->recs[k].subnet == sub; k++) {
			const struct study_record *r = &res->recs[k];
			max_bh = r->bh_ms > max_bh ? r->bh_ms : max_bh;
			max_lost = r->lost_ms > max_lost ? r->lost_ms : max_lost;
			max_ch = r->changed_ms > max_ch ? r->changed_ms : max_ch;
			if (!res->folded && c->st->detail) {
				char buf[PREFIX_STRLEN];
				int rc = record(c, res, sub, prefix_format(r->dest, buf), r->bh_ms,
						r->lost_ms, r->changed_ms);
				if (rc)
					return rc;
			}
			if (c->st->kind == STUDY_MONTE_CARLO && r->bh_ms > 0 &&
			    push_sample(c, r, pos) != 0)
				return CLI_EXIT_ENV;
		}
		if (res->folded || !c->st->detail) {
			int rc = record(c, res, sub, "*", max_bh, max_lost, max_ch);
			if (rc)
				return rc;
		}
		i = k;
	}
	if (c->st->kind == STUDY_MONTE_CARLO) {
		c->run_nic_s[pos] = s->score;
		c->run_losses[pos] = (double)res->session_losses;
		c->run_unprog_min[pos] = res->unprog_vm_s / 60.0;
		for (size_t k = 0; k < res->nfails; k++) {
			const struct study_failure *f = &res->fails[k];
			double *fs = VEC_PUSH(c->fail_s, c->nfail, c->fcap);
			if (!fs)
				return CLI_EXIT_ENV;
			*fs = (double)f->bh_ms / 1000.0;
			const char *target = study_target(c->b, f->target);
			if (c->db && sweepdb_failure(c->db, res->variant, k, target, f->at_ms,
						     f->repair_ms, f->phase_ms, f->bh_ms) != 0)
				return CLI_EXIT_ENV;
			if (c->fails.f)
				fprintf(c->fails.f, "%llu,%zu,%s,%.3f,%.3f,%.3f,%.3f\n",
					(unsigned long long)res->variant, k, target,
					(double)f->at_ms / 1000.0, (double)f->repair_ms / 1000.0,
					(double)f->phase_ms / 1000.0, (double)f->bh_ms / 1000.0);
		}
	}
	return 0;
}

/* ---- reports ------------------------------------------------------------------ */

/* The table on stdout, and with --out its CSV file and the plot. */
static int publish(const struct sweep_opts *o, const struct sheet *sh, bool failed,
		   const char *csv, const char *script)
{
	if (failed || sh->failed || sheet_print(sh, stdout, o->fmt) != 0)
		return CLI_EXIT_ENV;
	if (o->out && (sheet_file(sh, o->out, csv) != 0 || plot_render(o->out, script) != 0))
		return CLI_EXIT_ENV;
	return 0;
}

static int by_score(const void *a, const void *b)
{
	const struct vsum *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->variant > y->variant) - (x->variant < y->variant);
}

/* --rank-by flows: flows broken first, the score breaks ties. */
static int by_flows(const void *a, const void *b)
{
	const struct vsum *x = a, *y = b;
	if (x->flows_broken != y->flows_broken)
		return x->flows_broken > y->flows_broken ? -1 : 1;
	return by_score(a, b);
}

#define ENUMERATE_PLOTTED 20              /* failures in the enumerate plot */

static int report_enumerate(struct ctx *c)
{
	size_t n = c->nsums;
	struct vsum *order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return CLI_EXIT_ENV;
	memcpy(order, c->sums, n * sizeof(*order));
	bool flows = c->st->rank_flows;
	qsort(order, n, sizeof(*order), flows ? by_flows : by_score);
	static const char *const hdr[] = { "rank",	   "variant",	  "failure",
					   "class",	   "subnets",	  "nics",
					   "blackholed",   "max_blackhole_s", "lost",
					   "max_lost_s",   "session_losses", "score_nic_s",
					   "status",	   "flows_broken" };
	struct sheet sh = { .ncols = flows ? 14 : 13, .hdr = hdr };
	for (size_t r = 0; r < n; r++) {
		const struct vsum *s = &order[r];
		char fb[32] = "";
		if (flows)
			snprintf(fb, sizeof fb, "\t%llu", (unsigned long long)s->flows_broken);
		sheet_add(&sh, "%zu\t%llu\t%s\t%s\t%llu\t%llu\t%llu\t%.3f\t%llu\t%.3f\t%llu\t%.1f\t%s%s",
			  r + 1, (unsigned long long)s->variant,
			  study_variant_label(c->b, s->variant), study_variant_class(c->b, s->variant),
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
	int rc = publish(c->o, &sh, false, "variants.csv", script);
	sheet_free(&sh);
	return rc;
}

static int by_sample(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	if (x->subnet != y->subnet)
		return x->subnet < y->subnet ? -1 : 1;
	int k = prefix_compare(x->dest, y->dest);
	if (k)
		return k;
	return (x->run > y->run) - (x->run < y->run);
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

static int report_monte_carlo(struct ctx *c)
{
	size_t runs = c->nsums;
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
		stats_row(&sh, study_subnet_id(c->b, c->samples[i].subnet),
			  prefix_format(c->samples[i].dest, buf), x, runs, &failed);
		i = k;
	}
	free(x);
	stats_row(&sh, "*", "blackhole_s per failure", c->fail_s, c->nfail, &failed);
	stats_row(&sh, "*", "blackhole_nic_s per run", c->run_nic_s, runs, &failed);
	stats_row(&sh, "*", "session_losses per run", c->run_losses, runs, &failed);
	stats_row(&sh, "*", "unprogrammed_vm_min per run", c->run_unprog_min, runs, &failed);
	int rc = 0;
	if (c->o->out) {
		/* The per-run figures behind the ECDF (study order), and the
		 * failures, complete before gnuplot reads them. */
		struct outfile of;
		if (out_open(&of, c->o->out, "runs.csv") != 0) {
			rc = CLI_EXIT_ENV;
		} else {
			fputs("run,blackhole_nic_s,session_losses,unprogrammed_vm_min\n", of.f);
			for (size_t i = 0; i < runs; i++)
				fprintf(of.f, "%llu,%.3f,%.0f,%.3f\n",
					(unsigned long long)c->sums[i].variant, c->sums[i].score,
					(double)c->sums[i].losses, c->sums[i].unprog_vm_s / 60.0);
		}
		if (out_close(&of, rc == 0) != 0 || out_close(&c->fails, rc == 0) != 0)
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
		rc = publish(c->o, &sh, failed, "stats.csv", script);
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
static void fmt_notes(char *buf, size_t len, const struct study_limit *x)
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
	struct outfile of;
	if (out_open(&of, dir, name) != 0) {
		out_close(&of, false);
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
	return out_close(&of, true);
}

static int capacity_files(const struct study_capacity_result *res, const struct sheet *sh,
			  const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "vnetsim sweep: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (sheet_file(sh, dir, "capacity.csv") != 0)
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

static int put_text(FILE *f, const void *text)
{
	return fputs(text, f) < 0 || fputc('\n', f) == EOF ? -1 : 0;
}

/* --write-grown: the grown scenario, for `vnetsim run` or a look. */
static int write_grown(const struct scenario *sc, const struct sweep_opts *o)
{
	char *text = NULL, why[STUDY_CAP_NOTE];
	int rc = grow_print(sc, (enum grow_dim)o->grown_dim, o->grown_steps, &text, why,
			    sizeof(why));
	if (rc == GROW_CANNOT) {
		fprintf(stderr, "vnetsim sweep: --write-grown %s:%llu: %s\n",
			study_dim_name(o->grown_dim), o->grown_steps, why);
		return CLI_EXIT_INVALID;
	}
	if (rc != 0)
		return CLI_EXIT_ENV;
	rc = outfile_write(o->grown_file, put_text, text, stderr);
	free(text);
	return rc;
}

int sweep_capacity(const struct study *st, struct scenario *sc, struct diag *d,
		   const struct sweep_opts *o)
{
	if (o->grown_file) {
		int wrc = write_grown(sc, o);
		if (wrc != 0)
			return wrc;
	}
	struct study_capacity_result res;
	int rc = study_capacity(st, sc, d, &res);
	if (rc != 0)
		return rc;
	const struct study_limit *l = res.limits;
	size_t n = res.nlimits;
	static const char *const hdr[] = { "limit",	    "scope",	 "used",
					   "limit_value",   "headroom",	 "spokes_to_bite",
					   "vms_to_bite",   "nva_routes_to_bite",
					   "onprem_prefixes_to_bite", "notes" };
	struct sheet sh = { .ncols = 10, .hdr = hdr };
	char notes[1024];
	for (size_t i = 0; i < n; i++) {
		char b[STUDY_NDIM][32];
		for (unsigned k = 0; k < STUDY_NDIM; k++)
			fmt_steps(b[k], sizeof(b[k]), l[i].bites_at[k]);
		fmt_notes(notes, sizeof(notes), &l[i]);
		sheet_add(&sh, "%s\t%s\t%.0f\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%s", l[i].name, l[i].scope,
			  l[i].used, l[i].limit, l[i].limit - l[i].used, b[0], b[1], b[2], b[3], notes);
	}
	rc = sh.failed || sheet_print(&sh, stdout, o->fmt) != 0 ? CLI_EXIT_ENV : 0;
	if (rc == 0 && o->out && capacity_files(&res, &sh, o->out) != 0)
		rc = CLI_EXIT_ENV;
	if (rc == 0 && o->db) {
		struct sweepdb *db = NULL;
		uint64_t h = 0xcbf29ce484222325ULL;
		char key[40];
		rc = sweepdb_open(o->db, stderr, &db);
		if (rc == 0 && (hash_file(o->study, &h) != 0 || hash_file(o->scenario, &h) != 0))
			rc = CLI_EXIT_ENV;
		snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
		struct sweepdb_study ds = { .key = key, .kind = "capacity", .name = st->name,
					    .study_file = o->study, .scenario_file = o->scenario,
					    .scenario_name = sc->name, .variants = n };
		if (rc == 0)
			rc = sweepdb_study(db, &ds);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			/* The dimension that bites first is recorded with its step. */
			int64_t first = -1;
			unsigned dim = 0;
			for (unsigned k = 0; k < STUDY_NDIM; k++)
				if (l[i].bites_at[k] >= 0 && (first < 0 || l[i].bites_at[k] < first)) {
					first = l[i].bites_at[k];
					dim = k;
				}
			fmt_notes(notes, sizeof(notes), &l[i]);
			rc = sweepdb_capacity(db, i, l[i].name, l[i].scope, l[i].used, l[i].limit,
					      l[i].limit - l[i].used,
					      first >= 0 ? study_dim_name(dim) : NULL, first,
					      strcmp(notes, "-") ? notes : NULL);
		}
		if (sweepdb_close(db, rc == 0) != 0 && rc == 0)
			rc = CLI_EXIT_ENV;
	}
	sheet_free(&sh);
	study_capacity_fini(&res);
	return rc;
}

/* ---- the sweep ---------------------------------------------------------------- */

static int open_outputs(struct ctx *c)
{
	const struct sweep_opts *o = c->o;
	if (mkdir(o->out, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "vnetsim sweep: %s: %s\n", o->out, strerror(errno));
		return CLI_EXIT_ENV;
	}
	if (out_open(&c->impact, o->out, "impact.csv") != 0)
		return CLI_EXIT_ENV;
	static const char *const hdr[] = { "variant", "failure",      "subnet", "destination",
					   "nics",    "blackhole_s", "lost_s", "changed_s" };
	render_csv_line(c->impact.f, hdr, 8);
	if (c->st->kind == STUDY_MONTE_CARLO) {
		if (out_open(&c->fails, o->out, "failures.csv") != 0)
			return CLI_EXIT_ENV;
		fputs("run,seq,target,at_s,repair_s,phase_s,blackhole_s\n", c->fails.f);
	}
	return 0;
}

int sweep_run(const struct study *st, struct scenario *sc, struct diag *d,
	      const struct sweep_opts *o)
{
	if (st->kind == STUDY_CAPACITY)
		return sweep_capacity(st, sc, d, o);
	struct study_base *b = NULL;
	int rc = study_prepare(st, sc, d, &b);
	if (rc != 0)
		return rc;
	size_t nv = study_variant_count(b), n = 0;
	size_t *list = malloc((nv ? nv : 1) * sizeof(*list));
	struct ctx c = { .st = st, .b = b, .o = o };
	if (!list) {
		study_base_destroy(b);
		return CLI_EXIT_ENV;
	}
	for (size_t i = 0; i < nv; i++)
		if (i % o->shard_n == o->shard_i)
			list[n++] = i;
	c.sums = calloc(n ? n : 1, sizeof(*c.sums));
	c.run_nic_s = calloc(n ? n : 1, sizeof(double));
	c.run_losses = calloc(n ? n : 1, sizeof(double));
	c.run_unprog_min = calloc(n ? n : 1, sizeof(double));
	rc = c.sums && c.run_nic_s && c.run_losses && c.run_unprog_min ? 0 : CLI_EXIT_ENV;
	if (rc == 0 && o->out)
		rc = open_outputs(&c);
	if (rc == 0 && o->db) {
		rc = sweepdb_open(o->db, stderr, &c.db);
		uint64_t h = 0xcbf29ce484222325ULL;
		if (rc == 0 && (hash_file(o->study, &h) != 0 || hash_file(o->scenario, &h) != 0)) {
			fprintf(stderr, "vnetsim sweep: cannot read %s or %s again\n", o->study,
				o->scenario);
			rc = CLI_EXIT_ENV;
		}
		char key[40];
		snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
		struct sweepdb_study ds = { .key = key, .kind = study_kind_name(st->kind),
					    .name = st->name, .study_file = o->study,
					    .scenario_file = o->scenario, .scenario_name = sc->name,
					    .seed = st->seed, .failure_ms = study_failure_ms(b),
					    .variants = nv };
		if (rc == 0 && sweepdb_study(c.db, &ds) != 0)
			rc = CLI_EXIT_ENV;
	}
	if (rc == 0) {
		c.nsums = n;
		rc = sweep_exec(b, list, n, o->workers, o->progress, stderr, on_result, &c);
	}
	if (rc == 0)
		rc = st->kind == STUDY_ENUMERATE ? report_enumerate(&c) : report_monte_carlo(&c);
	if (out_close(&c.impact, rc == 0) != 0 || out_close(&c.fails, rc == 0) != 0)
		rc = rc ? rc : CLI_EXIT_ENV;
	if (sweepdb_close(c.db, rc == 0) != 0)
		rc = rc ? rc : CLI_EXIT_ENV;
	free(list);
	free(c.sums);
	free(c.samples);
	free(c.run_nic_s);
	free(c.run_losses);
	free(c.run_unprog_min);
	free(c.fail_s);
	study_base_destroy(b);
	return rc;
}
