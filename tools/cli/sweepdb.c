/*
 * sweepdb.c - see sweepdb.h.  Prepared statements with bound values only.
 */
#include "sweepdb.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <sqlite3.h>

#include "dbmark.h"

#define BUSY_MS 10000

enum { ST_VARIANT, ST_DEL_REC, ST_DEL_FLOWS, ST_DEL_FAIL, ST_RECORD, ST_FAILURE, ST_CAPACITY,
       /* version 4: what `sweep report` reads back (REPORT_SCHEMA) */
       ST_DEL_SAMPLE, ST_VARIANT_DESTS, ST_SUBNET, ST_SAMPLE, ST_CAP_DIM, ST_CAP_POINT, ST__N };

struct sweepdb {
	sqlite3 *db;
	FILE *err;
	const char *file;
	int64_t study;                 /* sweep_study.id */
	sqlite3_stmt *st[ST__N];
};

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS sweep_schema(version INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS sweep_study(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL, name TEXT, study_file TEXT, scenario_file TEXT, scenario_name TEXT,"
	" seed INTEGER, failure_ms INTEGER, variants INTEGER);"
	"CREATE TABLE IF NOT EXISTS sweep_variant(study INTEGER NOT NULL REFERENCES sweep_study(id),"
	" variant INTEGER NOT NULL, label TEXT, class TEXT, status INTEGER, session_losses INTEGER,"
	" subnets INTEGER, nics INTEGER, destinations INTEGER, max_blackhole_s REAL,"
	" max_lost_s REAL, score REAL, unprogrammed_vm_s REAL, PRIMARY KEY(study, variant));"
	"CREATE TABLE IF NOT EXISTS sweep_record(study INTEGER NOT NULL, variant INTEGER NOT NULL,"
	" subnet TEXT NOT NULL, destination TEXT NOT NULL, nics INTEGER, blackhole_ms INTEGER,"
	" lost_ms INTEGER, changed_ms INTEGER, PRIMARY KEY(study, variant, subnet, destination));"
	"CREATE TABLE IF NOT EXISTS sweep_failure(study INTEGER NOT NULL, variant INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, target TEXT, at_ms INTEGER, repair_ms INTEGER, phase_ms INTEGER,"
	" blackhole_ms INTEGER, PRIMARY KEY(study, variant, seq));"
	"CREATE TABLE IF NOT EXISTS sweep_capacity(study INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" limit_name TEXT, scope TEXT, used REAL, limit_value REAL, headroom REAL, grows TEXT,"
	" bites_at INTEGER, notes TEXT, PRIMARY KEY(study, seq));"
	/* sweep --rank-by flows (study_reach.h): flows broken per variant. */
	"CREATE TABLE IF NOT EXISTS sweep_variant_flows(study INTEGER NOT NULL, variant INTEGER"
	" NOT NULL, flows_broken INTEGER NOT NULL, PRIMARY KEY(study, variant));";

/* Version 4: the tables `vnetsim sweep report` renders a report from
 * (sweep_report.h), new tables only.  sweep_subnet: the baseline's subnets
 * in the order the study indexes them (the order of the statistics);
 * sweep_variant_dests: how many destinations each variant black-holed and
 * lost (sweep_variant.destinations is their sum); sweep_sample: each
 * monte-carlo black hole per subnet and destination (kept whatever the
 * study's detail); sweep_capacity_dim and sweep_capacity_point: each
 * limit's bite and note per growth dimension, and the count of each limit
 * in every grown network replayed (NULL: the network lacked it). */
static const char REPORT_SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS sweep_subnet(study INTEGER NOT NULL, idx INTEGER NOT NULL,"
	" subnet TEXT NOT NULL, nics INTEGER, PRIMARY KEY(study, idx));"
	"CREATE TABLE IF NOT EXISTS sweep_variant_dests(study INTEGER NOT NULL,"
	" variant INTEGER NOT NULL, blackholed INTEGER, lost INTEGER, PRIMARY KEY(study, variant));"
	"CREATE TABLE IF NOT EXISTS sweep_sample(study INTEGER NOT NULL, variant INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, subnet_idx INTEGER NOT NULL, destination TEXT NOT NULL,"
	" blackhole_ms INTEGER, PRIMARY KEY(study, variant, seq));"
	"CREATE TABLE IF NOT EXISTS sweep_capacity_dim(study INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" dim INTEGER NOT NULL, bites_at INTEGER, note TEXT, PRIMARY KEY(study, seq, dim));"
	"CREATE TABLE IF NOT EXISTS sweep_capacity_point(study INTEGER NOT NULL, dim INTEGER NOT NULL,"
	" step INTEGER NOT NULL, seq INTEGER NOT NULL, used REAL, PRIMARY KEY(study, dim, step, seq));";

static const char *const SQL[ST__N] = {
	[ST_VARIANT] = "INSERT OR REPLACE INTO sweep_variant VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_DEL_REC] = "DELETE FROM sweep_record WHERE study=? AND variant=?",
	/* a variant swept again without --rank-by flows keeps no old count */
	[ST_DEL_FLOWS] = "DELETE FROM sweep_variant_flows WHERE study=? AND variant=?",
	[ST_DEL_FAIL] = "DELETE FROM sweep_failure WHERE study=? AND variant=?",
	[ST_RECORD] = "INSERT OR REPLACE INTO sweep_record VALUES(?,?,?,?,?,?,?,?)",
	[ST_FAILURE] = "INSERT OR REPLACE INTO sweep_failure VALUES(?,?,?,?,?,?,?,?)",
	[ST_CAPACITY] = "INSERT OR REPLACE INTO sweep_capacity VALUES(?,?,?,?,?,?,?,?,?,?)",
	[ST_DEL_SAMPLE] = "DELETE FROM sweep_sample WHERE study=? AND variant=?",
	[ST_VARIANT_DESTS] = "INSERT OR REPLACE INTO sweep_variant_dests VALUES(?,?,?,?)",
	[ST_SUBNET] = "INSERT OR REPLACE INTO sweep_subnet VALUES(?,?,?,?)",
	[ST_SAMPLE] = "INSERT OR REPLACE INTO sweep_sample VALUES(?,?,?,?,?,?)",
	[ST_CAP_DIM] = "INSERT OR REPLACE INTO sweep_capacity_dim VALUES(?,?,?,?,?)",
	[ST_CAP_POINT] = "INSERT OR REPLACE INTO sweep_capacity_point VALUES(?,?,?,?,?)",
};

static int fail(struct sweepdb *d, const char *what)
{
	fprintf(d->err, "vnetsim: %s: %s: %s\n", d->file, what, sqlite3_errmsg(d->db));
	return 3;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Whether table has column (a migration adds each column once). */
static bool has_column(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", -1,
			       &s, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
	bool yes = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	return yes;
}

/* Creates the tables, or checks the version of existing ones. */
static int schema(sqlite3 *db, const char *file, FILE *err)
{
	if (exec(db, SCHEMA) != 0 || exec(db, REPORT_SCHEMA) != 0) {
		fprintf(err, "vnetsim: %s: cannot create the sweep tables: %s\n", file,
			sqlite3_errmsg(db));
		return 3;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM sweep_schema", -1, &s, NULL) != SQLITE_OK)
		return 3;
	int v = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL
			? sqlite3_column_int(s, 0)
			: 0;
	sqlite3_finalize(s);
	if (v > SWEEPDB_VERSION) {
		fprintf(err, "vnetsim: %s: sweep tables are version %d, this vnetsim knows %d\n", file,
			v, SWEEPDB_VERSION);
		return 2;
	}
	if (v == 0 && exec(db, "INSERT INTO sweep_schema VALUES(4)") != 0)
		return 3;
	/* v1 -> v2: the VM-seconds beyond Route Server capacity per variant.
	 * v2 -> v3: the notes of a capacity limit (what the replay showed). */
	if ((v == 1 && exec(db, "ALTER TABLE sweep_variant ADD COLUMN unprogrammed_vm_s REAL;"
				"UPDATE sweep_schema SET version = 2") != 0) ||
	    (v >= 1 && v < 3 && !has_column(db, "sweep_capacity", "notes") &&
	     exec(db, "ALTER TABLE sweep_capacity ADD COLUMN notes TEXT") != 0) ||
	    (v >= 1 && v < 3 && exec(db, "UPDATE sweep_schema SET version = 3") != 0)) {
		fprintf(err, "vnetsim: %s: cannot migrate the sweep tables to version %d: %s\n", file,
			SWEEPDB_VERSION, sqlite3_errmsg(db));
		return 3;
	}
	/* v3 -> v4: the report tables (REPORT_SCHEMA, created above); the
	 * studies recorded before have no rows in them, and `sweep report`
	 * says so. */
	if (v >= 1 && v < 4 && exec(db, "UPDATE sweep_schema SET version = 4") != 0) {
		fprintf(err, "vnetsim: %s: cannot migrate the sweep tables to version %d: %s\n", file,
			SWEEPDB_VERSION, sqlite3_errmsg(db));
		return 3;
	}
	return 0;
}

static int open_db(const char *file, FILE *err, sqlite3 **out)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fprintf(err, "vnetsim: %s: cannot open database: %s\n", file,
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return 3;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	*out = db;
	return 0;
}

int sweepdb_open(const char *file, FILE *err, struct sweepdb **out)
{
	*out = NULL;
	struct sweepdb *d = calloc(1, sizeof(*d));
	if (!d)
		return 3;
	d->err = err;
	d->file = file;
	int rc = open_db(file, err, &d->db);
	if (rc != 0) {
		free(d);
		return rc;
	}
	if (exec(d->db, "BEGIN IMMEDIATE") != 0) {
		rc = fail(d, "cannot begin a transaction");
	} else if ((rc = dbmark_claim(d->db, file, true, err)) == 0 &&
		   (rc = schema(d->db, file, err)) == 0) {
		for (int i = 0; i < ST__N && rc == 0; i++)
			if (sqlite3_prepare_v2(d->db, SQL[i], -1, &d->st[i], NULL) != SQLITE_OK)
				rc = fail(d, "cannot prepare a statement");
	}
	if (rc != 0) {
		sweepdb_close(d, 0);
		return rc;
	}
	*out = d;
	return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int step(struct sweepdb *d, sqlite3_stmt *s)
{
	int r = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r == SQLITE_DONE ? 0 : fail(d, "cannot write");
}

int sweepdb_study(struct sweepdb *d, const struct sweepdb_study *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db,
			       "INSERT INTO sweep_study(key, kind, name, study_file, scenario_file,"
			       " scenario_name, seed, failure_ms, variants) VALUES(?,?,?,?,?,?,?,?,?)"
			       " ON CONFLICT(key) DO NOTHING",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(d, "cannot prepare a statement");
	bind_text(st, 1, s->key);
	bind_text(st, 2, s->kind);
	bind_text(st, 3, s->name);
	bind_text(st, 4, s->study_file);
	bind_text(st, 5, s->scenario_file);
	bind_text(st, 6, s->scenario_name);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)s->seed);
	sqlite3_bind_int64(st, 8, s->failure_ms);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)s->variants);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return fail(d, "cannot write the study");
	if (sqlite3_prepare_v2(d->db, "SELECT id FROM sweep_study WHERE key=?", -1, &st, NULL) !=
	    SQLITE_OK)
		return fail(d, "cannot prepare a statement");
	bind_text(st, 1, s->key);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		d->study = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : fail(d, "cannot read the study back");
}

int sweepdb_variant(struct sweepdb *d, const struct sweepdb_variant *v)
{
	for (int k = ST_DEL_REC; k <= ST_DEL_FAIL; k++) {
		sqlite3_bind_int64(d->st[k], 1, d->study);
		sqlite3_bind_int64(d->st[k], 2, (sqlite3_int64)v->variant);
		if (step(d, d->st[k]) != 0)
			return 3;
	}
	sqlite3_stmt *s = d->st[ST_VARIANT];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)v->variant);
	bind_text(s, 3, v->label);
	bind_text(s, 4, v->klass);
	sqlite3_bind_int(s, 5, v->status);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)v->session_losses);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)v->subnets);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)v->nics);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)v->destinations);
	sqlite3_bind_double(s, 10, v->max_blackhole_s);
	sqlite3_bind_double(s, 11, v->max_lost_s);
	sqlite3_bind_double(s, 12, v->score);
	sqlite3_bind_double(s, 13, v->unprogrammed_vm_s);
	if (step(d, s) != 0)
		return 3;
	s = d->st[ST_DEL_SAMPLE];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)v->variant);
	if (step(d, s) != 0)
		return 3;
	s = d->st[ST_VARIANT_DESTS];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)v->variant);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)v->blackholed);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)v->lost);
	return step(d, s);
}

int sweepdb_variant_flows(struct sweepdb *d, uint64_t variant, uint64_t broken)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO sweep_variant_flows VALUES(?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		return 3;
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)variant);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)broken);
	int rc = step(d, s);
	sqlite3_finalize(s);
	return rc;
}

int sweepdb_record(struct sweepdb *d, uint64_t variant, const char *subnet, const char *dest,
		   uint64_t nics, int64_t bh_ms, int64_t lost_ms, int64_t changed_ms)
{
	sqlite3_stmt *s = d->st[ST_RECORD];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)variant);
	bind_text(s, 3, subnet);
	bind_text(s, 4, dest);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)nics);
	sqlite3_bind_int64(s, 6, bh_ms);
	sqlite3_bind_int64(s, 7, lost_ms);
	sqlite3_bind_int64(s, 8, changed_ms);
	return step(d, s);
}

int sweepdb_failure(struct sweepdb *d, uint64_t variant, uint64_t seq, const char *target,
		    int64_t at_ms, int64_t repair_ms, int64_t phase_ms, int64_t bh_ms)
{
	sqlite3_stmt *s = d->st[ST_FAILURE];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)variant);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
	bind_text(s, 4, target);
	sqlite3_bind_int64(s, 5, at_ms);
	sqlite3_bind_int64(s, 6, repair_ms);
	sqlite3_bind_int64(s, 7, phase_ms);
	sqlite3_bind_int64(s, 8, bh_ms);
	return step(d, s);
}

int sweepdb_capacity(struct sweepdb *d, uint64_t seq, const char *limit, const char *scope,
		     double used, double limit_value, double headroom, const char *grows,
		     int64_t bites_at, const char *notes)
{
	sqlite3_stmt *s = d->st[ST_CAPACITY];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)seq);
	bind_text(s, 3, limit);
	bind_text(s, 4, scope);
	sqlite3_bind_double(s, 5, used);
	sqlite3_bind_double(s, 6, limit_value);
	sqlite3_bind_double(s, 7, headroom);
	bind_text(s, 8, grows);
	if (bites_at >= 0)
		sqlite3_bind_int64(s, 9, bites_at);
	else
		sqlite3_bind_null(s, 9);
	bind_text(s, 10, notes);
	return step(d, s);
}

int sweepdb_subnet(struct sweepdb *d, uint64_t idx, const char *subnet, uint64_t nics)
{
	sqlite3_stmt *s = d->st[ST_SUBNET];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)idx);
	bind_text(s, 3, subnet);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)nics);
	return step(d, s);
}

int sweepdb_sample(struct sweepdb *d, uint64_t variant, uint64_t seq, uint64_t subnet_idx,
		   const char *dest, int64_t bh_ms)
{
	sqlite3_stmt *s = d->st[ST_SAMPLE];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)variant);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)subnet_idx);
	bind_text(s, 5, dest);
	sqlite3_bind_int64(s, 6, bh_ms);
	return step(d, s);
}

int sweepdb_capacity_dim(struct sweepdb *d, uint64_t seq, unsigned dim, int64_t bites_at,
			 const char *note)
{
	sqlite3_stmt *s = d->st[ST_CAP_DIM];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)seq);
	sqlite3_bind_int(s, 3, (int)dim);
	sqlite3_bind_int64(s, 4, bites_at);
	bind_text(s, 5, note);
	return step(d, s);
}

int sweepdb_capacity_point(struct sweepdb *d, unsigned dim, uint64_t step_no, uint64_t seq,
			   double used)
{
	sqlite3_stmt *s = d->st[ST_CAP_POINT];
	sqlite3_bind_int64(s, 1, d->study);
	sqlite3_bind_int(s, 2, (int)dim);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)step_no);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)seq);
	if (isnan(used))
		sqlite3_bind_null(s, 5); /* the grown network lacked the limit's object */
	else
		sqlite3_bind_double(s, 5, used);
	return step(d, s);
}

int sweepdb_close(struct sweepdb *d, int commit)
{
	if (!d)
		return 0;
	int rc = 0;
	for (int i = 0; i < ST__N; i++)
		sqlite3_finalize(d->st[i]);
	if (commit && exec(d->db, "COMMIT") != 0)
		rc = fail(d, "cannot commit");
	if (!commit || rc != 0)
		exec(d->db, "ROLLBACK");
	if (sqlite3_close(d->db) != SQLITE_OK && rc == 0)
		rc = 3;
	free(d);
	return rc;
}

/* ---- merge ------------------------------------------------------------------ */

/* The tables merged after sweep_study, each with the study id first. */
static const char *const MERGE_TABLES[] = { "sweep_variant", "sweep_record", "sweep_failure",
					    "sweep_capacity", "sweep_subnet", "sweep_variant_dests",
					    "sweep_sample", "sweep_capacity_dim", "sweep_capacity_point",
					    "sweep_variant_flows" };
#define NMERGE (sizeof(MERGE_TABLES) / sizeof(MERGE_TABLES[0]))

static int64_t query_int(sqlite3 *db, const char *sql, int64_t dflt)
{
	sqlite3_stmt *s;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return dflt;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Opens an input read-only and checks that it holds sweep tables of a
 * version we know: 0, 2 (missing, not a sweep database, another version)
 * or 3 (cannot open). */
int sweepdb_open_src(const char *file, const char *who, FILE *err, sqlite3 **out)
{
	*out = NULL;
	if (access(file, F_OK) != 0 && errno == ENOENT) {
		fprintf(err, "vnetsim %s: %s: no such file\n", who, file);
		return 2;
	}
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(err, "vnetsim %s: %s: cannot open: %s\n", who, file,
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return 3;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	*out = db;
	int64_t n = query_int(db,
			      "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN"
			      " ('sweep_schema','sweep_study','sweep_variant','sweep_record',"
			      "'sweep_failure','sweep_capacity','sweep_subnet','sweep_variant_dests',"
			      "'sweep_sample','sweep_capacity_dim','sweep_capacity_point')",
			      -1);
	if (n < 0) {
		fprintf(err, "vnetsim %s: %s: not a database: %s\n", who, file, sqlite3_errmsg(db));
		return 2;
	}
	if (n < 6) {
		fprintf(err, "vnetsim %s: %s: no sweep tables (not written by vnetsim sweep --db)\n",
			who, file);
		return 2;
	}
	int64_t v = query_int(db, "SELECT max(version) FROM sweep_schema", 0);
	if (v != SWEEPDB_VERSION) {
		fprintf(err, "vnetsim %s: %s: sweep tables version %lld, this vnetsim reads %d%s\n",
			who, file, (long long)v, SWEEPDB_VERSION,
			v < SWEEPDB_VERSION ? " (open it once with vnetsim sweep --db to migrate it, "
					      "or re-run that shard)" : "");
		return 2;
	}
	return 0;
}

/* The studies of src into out (matched by key); map[i] is out's id of
 * src's study ids[i]. */
struct study_map {
	int64_t *src, *out;
	size_t n;
};

static int64_t map_study(const struct study_map *m, int64_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->src[i] == id)
			return m->out[i];
	return -1;
}

static int copy_studies(struct sweepdb *d, sqlite3 *src, struct study_map *m)
{
	sqlite3_stmt *q;
	size_t cap = (size_t)query_int(src, "SELECT count(*) FROM sweep_study", 0);
	m->src = calloc(cap ? cap : 1, sizeof(*m->src));
	m->out = calloc(cap ? cap : 1, sizeof(*m->out));
	if (!m->src || !m->out)
		return 3;
	if (sqlite3_prepare_v2(src,
			       "SELECT id, key, kind, name, study_file, scenario_file, scenario_name,"
			       " seed, failure_ms, variants FROM sweep_study",
			       -1, &q, NULL) != SQLITE_OK)
		return 3;
	int rc = 0, r;
	while (rc == 0 && m->n < cap && (r = sqlite3_step(q)) == SQLITE_ROW) {
		struct sweepdb_study st = {
			.key = (const char *)sqlite3_column_text(q, 1),
			.kind = (const char *)sqlite3_column_text(q, 2),
			.name = (const char *)sqlite3_column_text(q, 3),
			.study_file = (const char *)sqlite3_column_text(q, 4),
			.scenario_file = (const char *)sqlite3_column_text(q, 5),
			.scenario_name = (const char *)sqlite3_column_text(q, 6),
			.seed = (uint64_t)sqlite3_column_int64(q, 7),
			.failure_ms = sqlite3_column_int64(q, 8),
			.variants = (uint64_t)sqlite3_column_int64(q, 9),
		};
		if (!st.key || !st.kind) {
			rc = 2;
			break;
		}
		rc = sweepdb_study(d, &st);
		m->src[m->n] = sqlite3_column_int64(q, 0);
		m->out[m->n++] = d->study;
	}
	sqlite3_finalize(q);
	return rc;
}

/* Every row of src's table into out's, its study id mapped. */
static int copy_table(struct sweepdb *d, sqlite3 *src, const char *table,
		      const struct study_map *m)
{
	char sel[64], ins[160];
	snprintf(sel, sizeof(sel), "SELECT * FROM %s", table);
	sqlite3_stmt *q = NULL, *w = NULL;
	if (sqlite3_prepare_v2(src, sel, -1, &q, NULL) != SQLITE_OK)
		return 3;
	int ncol = sqlite3_column_count(q);
	int o = snprintf(ins, sizeof(ins), "INSERT OR REPLACE INTO main.%s VALUES(?", table);
	for (int c = 1; c < ncol && o < (int)sizeof(ins) - 2; c++)
		o += snprintf(ins + o, sizeof(ins) - (size_t)o, ",?");
	snprintf(ins + o, sizeof(ins) - (size_t)o, ")");
	int rc = 0;
	if (sqlite3_prepare_v2(d->db, ins, -1, &w, NULL) != SQLITE_OK)
		rc = fail(d, "cannot merge a table (columns differ?)");
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
		int64_t study = map_study(m, sqlite3_column_int64(q, 0));
		if (study < 0)
			continue; /* a row of no study: nothing to attach it to */
		sqlite3_bind_int64(w, 1, study);
		for (int c = 1; c < ncol; c++)
			sqlite3_bind_value(w, c + 1, sqlite3_column_value(q, c));
		rc = step(d, w);
	}
	sqlite3_finalize(w);
	sqlite3_finalize(q);
	return rc;
}

int sweepdb_merge(const char *out, const char *const *in, size_t nin, FILE *err)
{
	/* Every input is opened and checked before the output is touched, then
	 * all of them are copied in one transaction: a bad input leaves the
	 * output as it was (and a missing output uncreated). */
	sqlite3 **src = calloc(nin ? nin : 1, sizeof(*src));
	if (!src)
		return 3;
	int rc = 0;
	for (size_t i = 0; i < nin && rc == 0; i++)
		rc = sweepdb_open_src(in[i], "merge", err, &src[i]);
	struct sweepdb *d = NULL;
	if (rc == 0)
		rc = sweepdb_open(out, err, &d);
	for (size_t i = 0; i < nin && rc == 0; i++) {
		struct study_map m = { 0 };
		rc = copy_studies(d, src[i], &m);
		for (size_t k = 0; k < NMERGE && rc == 0; k++)
			rc = copy_table(d, src[i], MERGE_TABLES[k], &m);
		if (rc != 0)
			fprintf(err, "vnetsim merge: %s into %s: %s\n", in[i], out,
				rc == 2 ? "a study without a key" : sqlite3_errmsg(src[i]));
		free(m.src);
		free(m.out);
	}
	if (d) {
		int crc = sweepdb_close(d, rc == 0);
		rc = rc ? rc : crc;
	}
	for (size_t i = 0; i < nin; i++)
		sqlite3_close(src[i]);
	free(src);
	return rc;
}
