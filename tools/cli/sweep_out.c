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
#include "render.h"
#include "progress.h"
#include "sweep_exec.h"
#include "sweep_report.h"
#include "sweepdb.h"
#include "vec.h"

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

struct ctx {
	const struct study *st;
	struct study_base *b;
	const struct sweep_opts *o;
	struct sweepdb *db;
	struct sweep_file impact;      /* impact.csv */
	struct sweep_file fails;       /* failures.csv */
	struct sweep_data data;        /* what the report is rendered from */
	const char **subnets;          /* the base's subnet ids, by index */
};

static int record(struct ctx *c, const struct study_result *res, uint32_t s, const char *dest,
		  int64_t bh, int64_t lost, int64_t changed)
{
	const char *sid = study_subnet_id(c->b, s);
	size_t nics = study_subnet_nics(c->b, s);
	if (c->db && sweepdb_record(c->db, res->variant, sid, dest, nics, bh, lost, changed) != 0)
		return CLI_EXIT_ENV;
	if (c->impact.f)
		sweep_impact_row(c->impact.f, res->variant, study_variant_label(c->b, res->variant),
				 sid, dest, nics, bh, lost, changed);
	return 0;
}

/* A monte-carlo black hole, kept for the statistics and recorded. */
static int push_sample(struct ctx *c, const struct study_result *res, const struct study_record *r,
		       size_t pos, uint64_t seq)
{
	struct sweep_data *d = &c->data;
	struct sweep_sample *sm = VEC_PUSH(d->samples, d->nsamples, d->scap);
	if (!sm)
		return -1;
	*sm = (struct sweep_sample){ r->subnet, r->dest, pos, (double)r->bh_ms / 1000.0 };
	char buf[PREFIX_STRLEN];
	if (c->db && sweepdb_sample(c->db, res->variant, seq, r->subnet, prefix_format(r->dest, buf),
				    r->bh_ms) != 0)
		return -1;
	return 0;
}

static int on_result(void *vctx, size_t pos, const struct study_result *res)
{
	struct ctx *c = vctx;
	struct sweep_vrow *s = &c->data.rows[pos];
	*s = (struct sweep_vrow){ .variant = res->variant, .status = res->status,
				  .losses = res->session_losses, .score = res->score,
				  .unprog_vm_s = res->unprog_vm_s, .flows_broken = res->flows_broken,
				  .label = study_variant_label(c->b, res->variant),
				  .klass = study_variant_class(c->b, res->variant) };
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
			.destinations = s->dests_bh + s->dests_lost, .blackholed = s->dests_bh,
			.lost = s->dests_lost, .max_blackhole_s = s->max_bh_s,
			.max_lost_s = s->max_lost_s, .score = s->score,
			.unprogrammed_vm_s = s->unprog_vm_s
		};
		if (sweepdb_variant(c->db, &dv) != 0 ||
		    (c->data.rank_flows && sweepdb_variant_flows(c->db, res->variant,
								 res->flows_broken) != 0))
			return CLI_EXIT_ENV;
	}
	/* Records are sorted by subnet: fold each subnet's (a folded result
	 * has one record per subnet already). */
	uint64_t nsample = 0;
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
			    push_sample(c, res, r, pos, nsample++) != 0)
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
		for (size_t k = 0; k < res->nfails; k++) {
			const struct study_failure *f = &res->fails[k];
			struct sweep_data *d = &c->data;
			double *fs = VEC_PUSH(d->fail_s, d->nfail, d->fcap);
			if (!fs)
				return CLI_EXIT_ENV;
			*fs = (double)f->bh_ms / 1000.0;
			const char *target = study_target(c->b, f->target);
			if (c->db && sweepdb_failure(c->db, res->variant, k, target, f->at_ms,
						     f->repair_ms, f->phase_ms, f->bh_ms) != 0)
				return CLI_EXIT_ENV;
			if (c->fails.f)
				sweep_failure_row(c->fails.f, res->variant, k, target, f->at_ms,
						  f->repair_ms, f->phase_ms, f->bh_ms);
		}
	}
	return 0;
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

/* A capacity result into --db: a row per limit (the dimension that bites
 * first, with its step), then what `sweep report` needs to render it
 * again: every dimension's bite and note, every replayed point. */
static int capacity_record(const struct study *st, const struct scenario *sc,
			   const struct sweep_opts *o, const struct study_capacity_result *res)
{
	const struct study_limit *l = res->limits;
	size_t n = res->nlimits;
	struct sweepdb *db = NULL;
	uint64_t h = 0xcbf29ce484222325ULL;
	char key[40], notes[1024];
	int rc = sweepdb_open(o->db, stderr, &db);
	if (rc == 0 && (hash_file(o->study, &h) != 0 || hash_file(o->scenario, &h) != 0))
		rc = CLI_EXIT_ENV;
	snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
	struct sweepdb_study ds = { .key = key, .kind = "capacity", .name = st->name,
				    .study_file = o->study, .scenario_file = o->scenario,
				    .scenario_name = sc->name, .variants = n };
	if (rc == 0)
		rc = sweepdb_study(db, &ds);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int64_t first = -1;
		unsigned dim = 0;
		for (unsigned k = 0; k < STUDY_NDIM; k++) {
			if (l[i].bites_at[k] >= 0 && (first < 0 || l[i].bites_at[k] < first)) {
				first = l[i].bites_at[k];
				dim = k;
			}
			if (rc == 0)
				rc = sweepdb_capacity_dim(db, i, k, l[i].bites_at[k], l[i].note[k]);
		}
		sweep_capacity_notes(notes, sizeof(notes), &l[i]);
		if (rc == 0)
			rc = sweepdb_capacity(db, i, l[i].name, l[i].scope, l[i].used, l[i].limit,
					      l[i].limit - l[i].used,
					      first >= 0 ? study_dim_name(dim) : NULL, first,
					      strcmp(notes, "-") ? notes : NULL);
	}
	for (unsigned k = 0; k < STUDY_NDIM; k++)
		for (size_t p = 0; rc == 0 && p < res->npoints[k]; p++)
			for (size_t i = 0; rc == 0 && i < n; i++)
				rc = sweepdb_capacity_point(db, k, res->points[k][p].step, i,
							    res->points[k][p].used[i]);
	if (sweepdb_close(db, rc == 0) != 0 && rc == 0)
		rc = CLI_EXIT_ENV;
	return rc;
}

static void capacity_tick(void *pg, size_t done, size_t total)
{
	progress_set_total(pg, total);
	progress_update(pg, done);
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
	struct progress *pg = progress_create(stderr, "limit searches", 0, o->no_progress);
	int rc = study_capacity_ticked(st, sc, d, capacity_tick, pg, &res);
	progress_destroy(pg);
	if (rc != 0)
		return rc;
	rc = sweep_report_capacity(&res, o->fmt, o->out);
	if (rc == 0 && o->db)
		rc = capacity_record(st, sc, o, &res);
	study_capacity_fini(&res);
	return rc;
}

/* ---- the sweep ---------------------------------------------------------------- */

static int open_outputs(struct ctx *c)
{
	const struct sweep_opts *o = c->o;
	if (sweep_mkdir(o->out) != 0 || sweep_file_open(&c->impact, o->out, "impact.csv") != 0)
		return CLI_EXIT_ENV;
	sweep_impact_header(c->impact.f);
	if (c->st->kind == STUDY_MONTE_CARLO) {
		if (sweep_file_open(&c->fails, o->out, "failures.csv") != 0)
			return CLI_EXIT_ENV;
		sweep_failure_header(c->fails.f);
	}
	return 0;
}

/* Opens --db and records the study and its subnets. */
static int open_db(struct ctx *c, const struct scenario *sc, size_t nv)
{
	const struct sweep_opts *o = c->o;
	int rc = sweepdb_open(o->db, stderr, &c->db);
	uint64_t h = 0xcbf29ce484222325ULL;
	if (rc == 0 && (hash_file(o->study, &h) != 0 || hash_file(o->scenario, &h) != 0)) {
		fprintf(stderr, "vnetsim sweep: cannot read %s or %s again\n", o->study, o->scenario);
		rc = CLI_EXIT_ENV;
	}
	char key[40];
	snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
	struct sweepdb_study ds = { .key = key, .kind = study_kind_name(c->st->kind),
				    .name = c->st->name, .study_file = o->study,
				    .scenario_file = o->scenario, .scenario_name = sc->name,
				    .seed = c->st->seed, .failure_ms = study_failure_ms(c->b),
				    .variants = nv };
	if (rc == 0 && sweepdb_study(c->db, &ds) != 0)
		rc = CLI_EXIT_ENV;
	for (size_t i = 0; rc == 0 && i < c->data.nsubnets; i++)
		if (sweepdb_subnet(c->db, i, c->subnets[i], study_subnet_nics(c->b, i)) != 0)
			rc = CLI_EXIT_ENV;
	return rc;
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
	size_t nv = study_variant_count(b), n = 0, ns = study_subnet_count(b);
	size_t *list = malloc((nv ? nv : 1) * sizeof(*list));
	struct ctx c = { .st = st, .b = b, .o = o, .data = { .kind = st->kind, .nsubnets = ns,
							      .rank_flows = st->rank_flows } };
	c.subnets = malloc((ns ? ns : 1) * sizeof(*c.subnets));
	for (size_t i = 0; list && i < nv; i++)
		if (i % o->shard_n == o->shard_i)
			list[n++] = i;
	for (size_t i = 0; c.subnets && i < ns; i++)
		c.subnets[i] = study_subnet_id(b, i);
	c.data.subnets = c.subnets;
	c.data.rows = calloc(n ? n : 1, sizeof(*c.data.rows));
	rc = list && c.subnets && c.data.rows ? 0 : CLI_EXIT_ENV;
	if (rc == 0 && o->out)
		rc = open_outputs(&c);
	if (rc == 0 && o->db)
		rc = open_db(&c, sc, nv);
	if (rc == 0) {
		c.data.nrows = n;
		struct progress *pg = progress_create(stderr, st->kind == STUDY_MONTE_CARLO ? "runs"
							      : "variants", n, o->no_progress);
		rc = sweep_exec(b, list, n, o->workers, pg, stderr, on_result, &c);
		progress_destroy(pg);
	}
	/* failures.csv is complete before the plot reads it. */
	if (sweep_file_close(&c.fails, rc == 0) != 0)
		rc = rc ? rc : CLI_EXIT_ENV;
	if (rc == 0)
		rc = sweep_report_render(&c.data, o->fmt, o->out);
	if (sweep_file_close(&c.impact, rc == 0) != 0)
		rc = rc ? rc : CLI_EXIT_ENV;
	if (sweepdb_close(c.db, rc == 0) != 0)
		rc = rc ? rc : CLI_EXIT_ENV;
	free(list);
	free(c.subnets);
	sweep_data_fini(&c.data);
	study_base_destroy(b);
	return rc;
}
