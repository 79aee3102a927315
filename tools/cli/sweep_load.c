/*
 * sweep_load.c - `vnetsim sweep report DB`: the report of a sweep rendered
 * from its database alone (the tables of sweepdb.h, possibly merged from
 * shards by `vnetsim merge`), through the renderer the live sweep uses
 * (sweep_report.h), so that it prints and writes the unsharded sweep's
 * bytes.
 *
 * A report is refused (exit 2, said why) rather than ever shown partial:
 * a database holding no sweep, several sweeps (shards of different
 * studies or seeds merged: --key chooses), a sweep missing variants (not
 * every shard merged: "n=50 of 200 variants"), or a sweep recorded before
 * the report tables existed (version 4).
 *
 * Ownership: the strings of the report (labels, subnet ids, limit names)
 * live in a pool freed with it; the connection is read-only and closed
 * before returning.  Costs: one pass over the study's rows of each table;
 * impact.csv is streamed in SQL order (variant, subnet index, prefix by a
 * collation), the rest is held like the live sweep holds it.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"
#include "sweep_out.h"
#include "sweep_report.h"
#include "sweepdb.h"
#include "vec.h"

static const char USAGE[] = "usage: vnetsim sweep report DB [--key KEY] [--out DIR] "
			    "[-o table|json|jsonl|csv]\n";

static const struct cli_command REPORT = {
	"sweep report", USAGE,
	"\nPrints the report of a sweep recorded with `vnetsim sweep --db` (or the shards\n"
	"of one merged with `vnetsim merge`), from the database alone: the table\n"
	"`vnetsim sweep` printed (enumerate ranking, monte-carlo statistics with their\n"
	"95% intervals, capacity headroom) and, with --out, the same CSV files and\n"
	"gnuplot script, byte for byte the unsharded sweep's.\n"
	"\n",
	"\n"
	"Exit 0; 2 when DB is missing or not a sweep database, holds no sweep or several\n"
	"(choose with --key), or a sweep with variants missing (not every shard merged,\n"
	"\"n=50 of 200 variants\"), or was recorded by a vnetsim without this command;\n"
	"3 on an environment failure (I/O, database, memory).\n",
	16,
};

/* ---- strings kept for the report ------------------------------------------- */

struct pool {
	char **v;
	size_t n, cap;
	bool failed;
};

static const char *pool_add(struct pool *p, const unsigned char *s)
{
	char *c = strdup(s ? (const char *)s : "");
	char **slot = c ? VEC_PUSH(p->v, p->n, p->cap) : NULL;
	if (!slot) {
		free(c);
		p->failed = true;
		return "";
	}
	*slot = c;
	return c;
}

static void pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

/* ---- the query helpers ------------------------------------------------------ */

struct src {
	sqlite3 *db;
	const char *file;
	int64_t study;
	struct pool pool;
};

static sqlite3_stmt *query(struct src *s, const char *sql)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "vnetsim sweep report: %s: %s\n", s->file, sqlite3_errmsg(s->db));
		return NULL;
	}
	sqlite3_bind_int64(q, 1, s->study);
	return q;
}

static int64_t count(struct src *s, const char *sql)
{
	sqlite3_stmt *q = query(s, sql);
	int64_t n = q && sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
	sqlite3_finalize(q);
	return n;
}

/* The end of a read loop: 0, or 3 when it stopped on an error. */
static int done(struct src *s, sqlite3_stmt *q, int r)
{
	sqlite3_finalize(q);
	if (r == SQLITE_DONE)
		return 0;
	fprintf(stderr, "vnetsim sweep report: %s: cannot read: %s\n", s->file,
		sqlite3_errmsg(s->db));
	return CLI_EXIT_ENV;
}

/* Destinations ("10.1.0.0/16", or "*" for a subnet's folded row) in the
 * order the study sorts them: prefix order, text order otherwise. */
static int collate_prefix(void *ctx, int la, const void *a, int lb, const void *b)
{
	(void)ctx;
	char x[64], y[64];
	snprintf(x, sizeof(x), "%.*s", la, (const char *)a);
	snprintf(y, sizeof(y), "%.*s", lb, (const char *)b);
	struct prefix px, py;
	if (prefix_parse(x, &px) == PREFIX_OK && prefix_parse(y, &py) == PREFIX_OK)
		return prefix_compare(px, py);
	return strcmp(x, y);
}

/* ---- choosing the sweep ------------------------------------------------------- */

struct pick {
	char kind[16], key[40];
	uint64_t variants;
};

/* The study to report: the only one, or --key's.  0 or 2 (said why). */
static int pick_study(struct src *s, const char *key, struct pick *out)
{
	sqlite3_stmt *q = query(s, "SELECT id, key, kind, name, seed, variants, (SELECT count(*)"
				   " FROM sweep_variant v WHERE v.study = s.id) + (SELECT count(*)"
				   " FROM sweep_capacity c WHERE c.study = s.id)"
				   " FROM sweep_study s ORDER BY id");
	if (!q)
		return CLI_EXIT_ENV;
	size_t n = 0, match = 0;
	int r;
	char list[2048] = "";
	size_t at = 0;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 1);
		const char *kind = (const char *)sqlite3_column_text(q, 2);
		const char *name = (const char *)sqlite3_column_text(q, 3);
		n++;
		if (at < sizeof(list))
			at += (size_t)snprintf(list + at, sizeof(list) - at,
					       "\n  %s  %s \"%s\" seed %lld, %lld of %lld variants",
					       k ? k : "?", kind ? kind : "?", name ? name : "",
					       (long long)sqlite3_column_int64(q, 4),
					       (long long)sqlite3_column_int64(q, 6),
					       (long long)sqlite3_column_int64(q, 5));
		if (key ? (k && strcmp(k, key) == 0) : n == 1) {
			match++;
			s->study = sqlite3_column_int64(q, 0);
			snprintf(out->key, sizeof(out->key), "%s", k ? k : "");
			snprintf(out->kind, sizeof(out->kind), "%s", kind ? kind : "");
			out->variants = (uint64_t)sqlite3_column_int64(q, 5);
		}
	}
	if (done(s, q, r) != 0)
		return CLI_EXIT_ENV;
	if (n == 0) {
		fprintf(stderr, "vnetsim sweep report: %s: no sweep recorded\n", s->file);
		return CLI_EXIT_INVALID;
	}
	if (key && match == 0) {
		fprintf(stderr, "vnetsim sweep report: %s: no sweep with key %s; it holds:%s\n",
			s->file, key, list);
		return CLI_EXIT_INVALID;
	}
	if (!key && n > 1) {
		fprintf(stderr, "vnetsim sweep report: %s: holds %zu sweeps (shards of different "
				"studies, scenarios or seeds merged?); choose one with --key KEY:%s\n",
			s->file, n, list);
		return CLI_EXIT_INVALID;
	}
	return 0;
}

/* The first variant number absent from sweep_variant, -1 on an error. */
static int64_t first_missing(struct src *s)
{
	sqlite3_stmt *q = query(s, "SELECT variant FROM sweep_variant WHERE study=? ORDER BY variant");
	int64_t want = 0;
	while (q && sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) == want)
		want++;
	sqlite3_finalize(q);
	return q ? want : -1;
}

/* Every variant of the study is in, with its report rows.  0 or 2. */
static int check_complete(struct src *s, const struct pick *p)
{
	bool cap = strcmp(p->kind, "capacity") == 0;
	int64_t have = count(s, cap ? "SELECT count(*) FROM sweep_capacity WHERE study=?"
				    : "SELECT count(*) FROM sweep_variant WHERE study=?");
	int64_t extra = count(s, cap ? "SELECT count(*) / 4 FROM sweep_capacity_dim WHERE study=?"
				     : "SELECT count(*) FROM sweep_variant_dests WHERE study=?");
	if (have < 0 || extra < 0)
		return CLI_EXIT_ENV;
	if ((uint64_t)have != p->variants) {
		int64_t first = cap ? -1 : first_missing(s);
		fprintf(stderr, "vnetsim sweep report: %s: sweep %s is incomplete: n=%lld of %llu "
				"variants recorded",
			s->file, p->key, (long long)have, (unsigned long long)p->variants);
		if (first >= 0)
			fprintf(stderr, " (variant %lld is missing)", (long long)first);
		fprintf(stderr, "; merge the databases of every shard (`vnetsim merge`) first\n");
		return CLI_EXIT_INVALID;
	}
	int64_t flows = cap ? 0 : count(s, "SELECT count(*) FROM sweep_variant_flows WHERE study=?");
	if (flows < 0)
		return CLI_EXIT_ENV;
	if (flows != 0 && flows != have) {
		fprintf(stderr, "vnetsim sweep report: %s: sweep %s has flows broken (--rank-by flows) "
				"for %lld of its %lld variants: run every shard with the same --rank-by\n",
			s->file, p->key, (long long)flows, (long long)have);
		return CLI_EXIT_INVALID;
	}
	if (extra != have) {
		fprintf(stderr, "vnetsim sweep report: %s: sweep %s was recorded by an older vnetsim "
				"(before the report tables of version 4); run the sweep again to "
				"report on it\n",
			s->file, p->key);
		return CLI_EXIT_INVALID;
	}
	return 0;
}

/* ---- enumerate and monte-carlo ------------------------------------------------ */

static int load_rows(struct src *s, struct sweep_data *d)
{
	sqlite3_stmt *q = query(s, "SELECT v.variant, v.status, v.session_losses, v.subnets, v.nics,"
				   " x.blackholed, x.lost, v.max_blackhole_s, v.max_lost_s, v.score,"
				   " v.unprogrammed_vm_s, v.label, v.class, f.flows_broken FROM sweep_variant v"
				   " JOIN sweep_variant_dests x USING (study, variant)"
				   " LEFT JOIN sweep_variant_flows f USING (study, variant) WHERE v.study=?"
				   " ORDER BY v.variant");
	if (!q)
		return CLI_EXIT_ENV;
	int r;
	size_t cap = 0;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct sweep_vrow *v = VEC_PUSH(d->rows, d->nrows, cap);
		if (!v)
			break;
		*v = (struct sweep_vrow){
			.variant = (uint64_t)sqlite3_column_int64(q, 0),
			.status = sqlite3_column_int(q, 1),
			.losses = (uint64_t)sqlite3_column_int64(q, 2),
			.subnets = (uint64_t)sqlite3_column_int64(q, 3),
			.nics = (uint64_t)sqlite3_column_int64(q, 4),
			.dests_bh = (uint64_t)sqlite3_column_int64(q, 5),
			.dests_lost = (uint64_t)sqlite3_column_int64(q, 6),
			.max_bh_s = sqlite3_column_double(q, 7),
			.max_lost_s = sqlite3_column_double(q, 8),
			.score = sqlite3_column_double(q, 9),
			.unprog_vm_s = sqlite3_column_double(q, 10),
			.label = pool_add(&s->pool, sqlite3_column_text(q, 11)),
			.klass = pool_add(&s->pool, sqlite3_column_text(q, 12)),
			.flows_broken = (uint64_t)sqlite3_column_int64(q, 13),
		};
		/* check_complete saw every variant with flows or none. */
		if (sqlite3_column_type(q, 13) != SQLITE_NULL)
			d->rank_flows = true;
	}
	return done(s, q, r == SQLITE_ROW ? SQLITE_NOMEM : r);
}

/* The subnet ids by index (0, 1, ... without a gap). */
static int load_subnets(struct src *s, const char ***out, size_t *n)
{
	sqlite3_stmt *q = query(s, "SELECT idx, subnet FROM sweep_subnet WHERE study=? ORDER BY idx");
	if (!q)
		return CLI_EXIT_ENV;
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 0) != (int64_t)*n) {
			sqlite3_finalize(q);
			fprintf(stderr, "vnetsim sweep report: %s: sweep_subnet lacks subnet %zu\n",
				s->file, *n);
			return CLI_EXIT_INVALID;
		}
		const char **slot = VEC_PUSH(*out, *n, cap);
		if (!slot)
			break;
		*slot = pool_add(&s->pool, sqlite3_column_text(q, 1));
	}
	return done(s, q, r == SQLITE_ROW ? SQLITE_NOMEM : r);
}

static size_t run_of(const struct sweep_data *d, uint64_t variant)
{
	size_t lo = 0, hi = d->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->rows[mid].variant < variant)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int load_samples(struct src *s, struct sweep_data *d)
{
	sqlite3_stmt *q = query(s, "SELECT variant, subnet_idx, destination, blackhole_ms FROM"
				   " sweep_sample WHERE study=?");
	if (!q)
		return CLI_EXIT_ENV;
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		uint64_t variant = (uint64_t)sqlite3_column_int64(q, 0);
		int64_t sub = sqlite3_column_int64(q, 1);
		const char *dest = (const char *)sqlite3_column_text(q, 2);
		struct prefix p;
		size_t run = run_of(d, variant);
		if (run >= d->nrows || d->rows[run].variant != variant || sub < 0 ||
		    (size_t)sub >= d->nsubnets || !dest || prefix_parse(dest, &p) != PREFIX_OK) {
			sqlite3_finalize(q);
			fprintf(stderr, "vnetsim sweep report: %s: sweep_sample: a row of variant "
					"%llu does not match the sweep's variants and subnets\n",
				s->file, (unsigned long long)variant);
			return CLI_EXIT_INVALID;
		}
		struct sweep_sample *sm = VEC_PUSH(d->samples, d->nsamples, d->scap);
		if (!sm)
			break;
		*sm = (struct sweep_sample){ (uint32_t)sub, p, run,
					     (double)sqlite3_column_int64(q, 3) / 1000.0 };
	}
	if (r == SQLITE_DONE) {
		sqlite3_finalize(q);
		q = query(s, "SELECT blackhole_ms FROM sweep_failure WHERE study=? ORDER BY variant, seq");
		if (!q)
			return CLI_EXIT_ENV;
		while ((r = sqlite3_step(q)) == SQLITE_ROW) {
			double *f = VEC_PUSH(d->fail_s, d->nfail, d->fcap);
			if (!f)
				break;
			*f = (double)sqlite3_column_int64(q, 0) / 1000.0;
		}
	}
	return done(s, q, r == SQLITE_ROW ? SQLITE_NOMEM : r);
}

/* impact.csv and (monte-carlo) failures.csv, as the sweep streamed them. */
static int write_streamed(struct src *s, const char *dir, bool mc)
{
	struct sweep_file of;
	if (sweep_mkdir(dir) != 0 || sweep_file_open(&of, dir, "impact.csv") != 0)
		return CLI_EXIT_ENV;
	sweep_impact_header(of.f);
	sqlite3_stmt *q = query(s, "SELECT r.variant, v.label, r.subnet, r.destination, r.nics,"
				   " r.blackhole_ms, r.lost_ms, r.changed_ms FROM sweep_record r"
				   " JOIN sweep_subnet n ON n.study = r.study AND n.subnet = r.subnet"
				   " JOIN sweep_variant v ON v.study = r.study AND v.variant = r.variant"
				   " WHERE r.study=? ORDER BY r.variant, n.idx,"
				   " r.destination COLLATE vnetsim_prefix");
	int r = SQLITE_ERROR;
	while (q && (r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *label = (const char *)sqlite3_column_text(q, 1);
		const char *subnet = (const char *)sqlite3_column_text(q, 2);
		const char *dest = (const char *)sqlite3_column_text(q, 3);
		sweep_impact_row(of.f, (uint64_t)sqlite3_column_int64(q, 0), label ? label : "",
				 subnet ? subnet : "", dest ? dest : "",
				 (uint64_t)sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5),
				 sqlite3_column_int64(q, 6), sqlite3_column_int64(q, 7));
	}
	int rc = q ? done(s, q, r) : CLI_EXIT_ENV;
	if (sweep_file_close(&of, rc == 0) != 0 && rc == 0)
		rc = CLI_EXIT_ENV;
	if (rc != 0 || !mc)
		return rc;
	if (sweep_file_open(&of, dir, "failures.csv") != 0)
		return CLI_EXIT_ENV;
	sweep_failure_header(of.f);
	q = query(s, "SELECT variant, seq, target, at_ms, repair_ms, phase_ms, blackhole_ms FROM"
		     " sweep_failure WHERE study=? ORDER BY variant, seq");
	r = SQLITE_ERROR;
	while (q && (r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *target = (const char *)sqlite3_column_text(q, 2);
		sweep_failure_row(of.f, (uint64_t)sqlite3_column_int64(q, 0),
				  (uint64_t)sqlite3_column_int64(q, 1), target ? target : "",
				  sqlite3_column_int64(q, 3), sqlite3_column_int64(q, 4),
				  sqlite3_column_int64(q, 5), sqlite3_column_int64(q, 6));
	}
	rc = q ? done(s, q, r) : CLI_EXIT_ENV;
	if (sweep_file_close(&of, rc == 0) != 0 && rc == 0)
		rc = CLI_EXIT_ENV;
	return rc;
}

static int report_variants(struct src *s, const struct pick *p, enum render_format fmt,
			   const char *dir)
{
	bool mc = strcmp(p->kind, "monte-carlo") == 0;
	struct sweep_data d = { .kind = mc ? STUDY_MONTE_CARLO : STUDY_ENUMERATE };
	const char **subnets = NULL;
	int rc = load_rows(s, &d);
	if (rc == 0)
		rc = load_subnets(s, &subnets, &d.nsubnets);
	d.subnets = subnets;
	if (rc == 0 && mc)
		rc = load_samples(s, &d);
	if (rc == 0 && s->pool.failed)
		rc = CLI_EXIT_ENV;
	if (rc == 0 && dir)
		rc = write_streamed(s, dir, mc);
	if (rc == 0)
		rc = sweep_report_render(&d, fmt, dir);
	sweep_data_fini(&d);
	free(subnets);
	return rc;
}

/* ---- capacity ------------------------------------------------------------------ */

static int load_limits(struct src *s, struct study_capacity_result *res)
{
	sqlite3_stmt *q = query(s, "SELECT seq, limit_name, scope, used, limit_value FROM"
				   " sweep_capacity WHERE study=? ORDER BY seq");
	if (!q)
		return CLI_EXIT_ENV;
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct study_limit *l = VEC_PUSH(res->limits, res->nlimits, cap);
		if (!l)
			break;
		memset(l, 0, sizeof(*l));
		l->name = pool_add(&s->pool, sqlite3_column_text(q, 1));
		const char *scope = (const char *)sqlite3_column_text(q, 2);
		snprintf(l->scope, sizeof(l->scope), "%s", scope ? scope : "");
		l->used = sqlite3_column_double(q, 3);
		l->limit = sqlite3_column_double(q, 4);
	}
	if (r == SQLITE_DONE) {
		sqlite3_finalize(q);
		q = query(s, "SELECT seq, dim, bites_at, note FROM sweep_capacity_dim WHERE study=?");
		if (!q)
			return CLI_EXIT_ENV;
		while ((r = sqlite3_step(q)) == SQLITE_ROW) {
			int64_t seq = sqlite3_column_int64(q, 0), dim = sqlite3_column_int64(q, 1);
			if (seq < 0 || (size_t)seq >= res->nlimits || dim < 0 || dim >= STUDY_NDIM)
				continue; /* counted by check_complete */
			struct study_limit *l = &res->limits[seq];
			const char *note = (const char *)sqlite3_column_text(q, 3);
			l->bites_at[dim] = sqlite3_column_int64(q, 2);
			snprintf(l->note[dim], sizeof(l->note[dim]), "%s", note ? note : "");
		}
	}
	return done(s, q, r == SQLITE_ROW ? SQLITE_NOMEM : r);
}

/* Each dimension's replayed networks, by step: a limit's count, NAN where
 * the network lacked the limit's object (NULL). */
static int load_points(struct src *s, struct study_capacity_result *res)
{
	sqlite3_stmt *q = query(s, "SELECT dim, step, seq, used FROM sweep_capacity_point WHERE"
				   " study=? ORDER BY dim, step, seq");
	if (!q)
		return CLI_EXIT_ENV;
	size_t cap[STUDY_NDIM] = { 0 };
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t dim = sqlite3_column_int64(q, 0), seq = sqlite3_column_int64(q, 2);
		uint64_t step = (uint64_t)sqlite3_column_int64(q, 1);
		if (dim < 0 || dim >= STUDY_NDIM || seq < 0 || (size_t)seq >= res->nlimits)
			continue;
		size_t np = res->npoints[dim];
		struct study_point *p = np ? &res->points[dim][np - 1] : NULL;
		if (!p || p->step != step) {
			p = VEC_PUSH(res->points[dim], res->npoints[dim], cap[dim]);
			double *used = p ? malloc((res->nlimits ? res->nlimits : 1) * sizeof(*used)) : NULL;
			if (!used) {
				if (p)
					res->npoints[dim]--;
				break;
			}
			for (size_t i = 0; i < res->nlimits; i++)
				used[i] = NAN;
			*p = (struct study_point){ step, used };
		}
		p->used[seq] = sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN
									: sqlite3_column_double(q, 3);
	}
	return done(s, q, r == SQLITE_ROW ? SQLITE_NOMEM : r);
}

static int report_capacity(struct src *s, enum render_format fmt, const char *dir)
{
	struct study_capacity_result res = { 0 };
	int rc = load_limits(s, &res);
	if (rc == 0)
		rc = load_points(s, &res);
	if (rc == 0 && s->pool.failed)
		rc = CLI_EXIT_ENV;
	if (rc == 0)
		rc = sweep_report_capacity(&res, fmt, dir);
	study_capacity_fini(&res);
	return rc;
}

/* ---- the command ------------------------------------------------------------- */

static int opt_db(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	const char **db = o->dest;
	if (*db)
		return cli_usage_error(p, "one DB only");
	*db = v;
	return 0;
}

static int opt_format(struct cli_parser *p, const struct cli_option *o, const char *v)
{
	struct cli_common *c = o->dest;
	if (!render_format_parse(v, &c->fmt))
		return cli_usage_error(p, "-o wants table, json, jsonl or csv");
	c->fmt_set = true;
	return 0;
}

int cmd_sweep_report(int argc, char **argv)
{
	struct cli_parser p;
	const char *file = NULL, *key = NULL, *dir = NULL;
	struct cli_common fmt = { .fmt = RENDER_TABLE };
	const struct cli_option opts[] = {
		CLI_ARGS(opt_db, &file, "DB"),
		CLI_STRING("key", 0, &key, "KEY",
			   "the sweep to report when DB holds several (sweep_study.key)"),
		CLI_STRING("out", 0, &dir, "DIR",
			   "CSV files, gnuplot data and script, as `vnetsim sweep --out`"),
		{ CLI_OPT_CALL, "output", 'o', "FORMAT", &fmt, opt_format,
		  "table, csv, json or jsonl (default: table on a terminal, json\n"
		  "otherwise), as `vnetsim sweep`",
		  CLI_HELP_BOTH, false },
		CLI_END,
	};
	int rc = cli_parse(&p, &REPORT, opts, NULL, argc, argv);
	if (rc != CLI_PARSED)
		return rc;
	struct src s = { .file = file };
	struct pick pk = { 0 };
	rc = sweepdb_open_src(file, "sweep report", stderr, &s.db);
	if (rc == 0 && sqlite3_create_collation(s.db, "vnetsim_prefix", SQLITE_UTF8, NULL,
						 collate_prefix) != SQLITE_OK)
		rc = CLI_EXIT_ENV;
	if (rc == 0)
		rc = pick_study(&s, key, &pk);
	if (rc == 0)
		rc = check_complete(&s, &pk);
	if (rc == 0)
		rc = strcmp(pk.kind, "capacity") == 0
			     ? report_capacity(&s, cli_format(&fmt), dir)
			     : report_variants(&s, &pk, cli_format(&fmt), dir);
	sqlite3_close(s.db);
	pool_free(&s.pool);
	return rc;
}
