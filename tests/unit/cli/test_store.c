/*
 * test_store.c - the results store (tools/cli/store.c) and what it builds on:
 * SHA-256 against the FIPS 180-2 vectors, a run stored and read back equal
 * to the run in memory (every subnet of every checkpoint), deduplication
 * of tables stored twice, the v1 -> v2 migration of a file built with the
 * real version 1 SQL, and refusals (newer schema, a foreign database, a
 * path that cannot be a database).  Also JUnit escaping and atomic output
 * files, which the CI workflow relies on.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "scenario.h"
#include "diag.h"
#include "outfile.h"
#include "rowdiff.h"
#include "digest.h"
#include "snapshot.h"
#include "store.h"

#define SEED VNETSIM_SOURCE_ROOT "/scenarios/seed/hub-spoke-ars.json"

static char tmpdir[64];

static void mk_tmp(void)
{
	strcpy(tmpdir, "/tmp/vnetsim-test-store.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

static char *tmp_path(const char *name)
{
	static char buf[4][160];
	static int k;
	char *p = buf[k++ % 4];
	snprintf(p, 160, "%s/%s", tmpdir, name);
	return p;
}

/* ---- SHA-256 (digest.c over Nettle) ------------------------------------- */

static void hex_of(const char *msg, size_t n, char out[65])
{
	struct digest h;
	digest_init(&h);
	/* byte by byte and in one go must agree: feed in two uneven parts */
	digest_update(&h, msg, n / 3);
	digest_update(&h, msg + n / 3, n - n / 3);
	digest_hex(&h, out);
}

Test(digest, fips_vectors)
{
	char out[65];
	hex_of("", 0, out);
	cr_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, out);
	cr_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hex_of(m, strlen(m), out);
	cr_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *a = malloc(1000000);
	cr_assert_not_null(a);
	memset(a, 'a', 1000000);
	hex_of(a, 1000000, out);
	free(a);
	cr_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- a run stored and read back ------------------------------------------- */

struct fixture {
	struct diag *d;
	struct scenario *sc;
	struct run *r;
};

static void load_seed(struct fixture *f)
{
	bool env = false;
	f->d = diag_create();
	f->sc = scenario_load(SEED, NULL, f->d, &env);
	cr_assert_not_null(f->sc, "the seed scenario loads");
	f->r = run_create(f->sc, f->d);
	cr_assert_not_null(f->r);
	cr_assert_eq(run_execute(f->r), 0);
}

static void fixture_fini(struct fixture *f)
{
	run_destroy(f->r);
	scenario_destroy(f->sc);
	diag_destroy(f->d);
}

static int64_t put(struct store *s, struct fixture *f)
{
	struct store_run_meta m = { .file = SEED, .content_sha256 = "00", .tool_version = "test",
				    .started_at = "2026-01-01T00:00:00Z", .wall_ms = 1,
				    .result = "passed" };
	int64_t id = 0;
	cr_assert_eq(store_put_run(s, f->sc, f->r, &m, NULL, 0, stderr, &id), 0);
	return id;
}

static int64_t count(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *q;
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return n;
}

/* Every subnet's rows, read from the store, equal the run's. */
static void assert_same(const struct snapshot *a, const struct snapshot *b, bool wrs)
{
	cr_assert_eq(a->nsubnets, b->nsubnets);
	cr_assert_eq(a->nnics, b->nnics);
	for (size_t i = 0; i < a->nsubnets; i++) {
		cr_assert_str_eq(a->subnets[i].id, b->subnets[i].id);
		cr_assert_eq(a->subnets[i].nic_count, b->subnets[i].nic_count);
		struct rowdiff_set *x = rowdiff_set_create(), *y = rowdiff_set_create();
		cr_assert_eq(a->fill(a->ctx, a->subnets[i].table, wrs, x), 0);
		cr_assert_eq(b->fill(b->ctx, b->subnets[i].table, wrs, y), 0);
		cr_assert_gt(rowdiff_set_count(x), 0);
		struct rowdiff_result res;
		cr_assert_eq(rowdiff_compare(x, y, ROWDIFF_NAMES_EXACT, &res), 0);
		cr_assert(rowdiff_result_empty(&res), "subnet %s differs after the round trip",
			  a->subnets[i].id);
		rowdiff_result_fini(&res);
		rowdiff_set_destroy(x);
		rowdiff_set_destroy(y);
	}
	for (size_t i = 0; i < a->nnics; i++) {
		cr_assert_str_eq(a->nics[i].name, b->nics[i].name);
		cr_assert_eq(a->nics[i].subnet, b->nics[i].subnet);
		cr_assert_eq(a->nics[i].unprogrammed, b->nics[i].unprogrammed);
	}
}

Test(store, round_trip_and_dedupe, .init = mk_tmp, .fini = rm_tmp)
{
	struct fixture f = { 0 };
	struct store *s = NULL;
	const char *db = tmp_path("r.db");
	load_seed(&f);
	cr_assert_eq(store_open(db, true, stderr, &s), 0);
	cr_assert_eq(store_opened_version(s), 0, "a new file");
	int64_t id1 = put(s, &f);
	int64_t tables = count(db, "SELECT count(*) FROM route_tables");
	int64_t rows = count(db, "SELECT count(*) FROM block_rows");
	int64_t id2 = put(s, &f);
	cr_assert_eq(id2, id1 + 1);
	cr_assert_eq(count(db, "SELECT count(*) FROM route_tables"), tables,
		     "the same tables are stored once");
	cr_assert_eq(count(db, "SELECT count(*) FROM block_rows"), rows);
	/* Fewer distinct tables than subnet tables recorded (shared across
	 * checkpoints), and the timeline and expectations are there. */
	cr_assert_lt(tables, count(db, "SELECT count(*) FROM subnet_tables"));
	cr_assert_gt(count(db, "SELECT count(*) FROM timeline_rows"), 0);
	cr_assert_eq(count(db, "SELECT count(*) FROM expectations WHERE run_id = 1"),
		     (int64_t)f.sc->nexpectations);
	for (size_t i = 0; i < run_checkpoint_count(f.r); i++) {
		const struct checkpoint *c = run_checkpoint_get(f.r, i);
		struct snapshot *mem = snapshot_from_checkpoint(c), *st = NULL;
		cr_assert_not_null(mem);
		cr_assert_eq(store_load_snapshot(s, id2, c->label, stderr, &st), 0);
		assert_same(mem, st, false);
		assert_same(mem, st, true);
		snapshot_destroy(mem);
		snapshot_destroy(st);
	}
	char desc[100];
	int64_t id = 0;
	cr_assert_eq(store_find_run(s, "hub-spoke-ars@latest~1", stderr, &id, desc, sizeof(desc)), 0);
	cr_assert_eq(id, id1);
	cr_assert_eq(store_find_run(s, "hub-spoke-ars", stderr, &id, desc, sizeof(desc)), 0);
	cr_assert_eq(id, id2);
	cr_assert_str_eq(desc, "run 2 (hub-spoke-ars)");
	cr_assert_eq(store_find_run(s, "nope", stderr, &id, desc, sizeof(desc)), 2);
	cr_assert_eq(store_find_run(s, "hub-spoke-ars@latest~2", stderr, &id, desc, sizeof(desc)), 2);
	cr_assert_eq(store_find_run(s, "hub-spoke-ars@first", stderr, &id, desc, sizeof(desc)), 2);
	struct snapshot *none = NULL;
	cr_assert_eq(store_load_snapshot(s, id2, "no-such-label", stderr, &none), 2);
	cr_assert_null(none);
	store_close(s);
	sqlite3 *h;
	sqlite3_stmt *q;
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	sqlite3_close(h);
	fixture_fini(&f);
}

/* A service endpoint row with 300 prefixes is stored whole and reads back
 * equal (rows are never cut). */
Test(store, long_service_endpoint_row, .init = mk_tmp, .fini = rm_tmp)
{
	const char *file = tmp_path("se.json");
	FILE *out = fopen(file, "w");
	cr_assert_not_null(out);
	fputs("{\"schemaVersion\": 1, \"name\": \"se\", \"serviceTags\": {\"values\": [{"
	      "\"name\": \"Storage\", \"properties\": {\"region\": \"\", \"addressPrefixes\": [",
	      out);
	for (int i = 0; i < 300; i++)
		fprintf(out, "%s\"20.%d.%d.0/24\"", i ? ", " : "", 100 + i / 200, i % 200);
	fputs("]}}]}, \"topology\": {\"virtualNetworks\": [{\"name\": \"v\", "
	      "\"location\": \"westeurope\", \"addressSpace\": {\"addressPrefixes\": "
	      "[\"10.0.0.0/16\"]}, \"subnets\": [{\"name\": \"s\", \"addressPrefix\": "
	      "\"10.0.0.0/24\", \"serviceEndpoints\": [{\"service\": \"Microsoft.Storage\"}]}]}]}}",
	      out);
	fclose(out);
	struct fixture f = { 0 };
	bool env = false;
	f.d = diag_create();
	f.sc = scenario_load(file, NULL, f.d, &env);
	if (!f.sc)
		diag_print(f.d, stderr);
	cr_assert_not_null(f.sc);
	f.r = run_create(f.sc, f.d);
	cr_assert_eq(run_execute(f.r), 0);
	struct store *s = NULL;
	const char *db = tmp_path("se.db");
	cr_assert_eq(store_open(db, true, stderr, &s), 0);
	int64_t id = put(s, &f);
	cr_assert_eq(count(db, "SELECT max(length(address_prefix) - length(replace(address_prefix,"
			       " ' ', '')) + 1) FROM route_rows"), 300);
	const struct checkpoint *c = run_checkpoint(f.r, "end");
	struct snapshot *mem = snapshot_from_checkpoint(c), *st = NULL;
	cr_assert_eq(store_load_snapshot(s, id, "end", stderr, &st), 0);
	assert_same(mem, st, false);
	snapshot_destroy(mem);
	snapshot_destroy(st);
	store_close(s);
	fixture_fini(&f);
}

/* ---- migrations and refusals ---------------------------------------------- */

static void raw(const char *db, const char *sql)
{
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
	cr_assert_eq(rc, SQLITE_OK, "%s", err ? err : "");
	sqlite3_close(h);
}

Test(store, migrates_v1_file, .init = mk_tmp, .fini = rm_tmp)
{
	const char *db = tmp_path("v1.db");
	/* A version 1 file as vnetsim 1 wrote it, with one run and a table. */
	raw(db, store_migration_sql(0));
	raw(db, "PRAGMA user_version = 1;"
		"INSERT INTO runs VALUES (1, 'old', 'old.json', 'ab', 1, '0.0.9',"
		" '2025-01-01T00:00:00Z', 5, 1000, 3, 'passed', 0, 0);"
		"INSERT INTO checkpoints VALUES (1, 1, 0, 'end', 1000);"
		"INSERT INTO row_blocks VALUES (1, 'h1', 1);"
		"INSERT INTO block_rows VALUES (1, 0, 'Default', 'Active', '10.0.0.0/16',"
		" 'VnetLocal', NULL, NULL);"
		"INSERT INTO route_tables VALUES (1, 't1', 1, 0);"
		"INSERT INTO table_blocks VALUES (1, 0, 1);"
		"INSERT INTO subnet_tables VALUES (1, 0, 'hub/app', 1, 1);"
		"INSERT INTO nics VALUES (1, 0, 'vm1', 'hub/app');");
	struct store *s = NULL;
	cr_assert_eq(store_open(db, true, stderr, &s), 0);
	cr_assert_eq(store_opened_version(s), 1);
	cr_assert_eq(count(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	cr_assert_eq(count(db, "SELECT count(*) FROM route_rows WHERE table_id = 1 AND"
			       " from_route_server = 0"), 1, "old rows kept, new column defaulted");
	cr_assert_eq(count(db, "SELECT count(*) FROM nics WHERE unprogrammed = 0"), 1);
	/* The old run reads back through the new code. */
	struct snapshot *sn = NULL;
	cr_assert_eq(store_load_snapshot(s, 1, "end", stderr, &sn), 0);
	cr_assert_eq(sn->nsubnets, 1);
	cr_assert_str_eq(sn->nics[0].name, "vm1");
	struct rowdiff_set *x = rowdiff_set_create();
	cr_assert_eq(sn->fill(sn->ctx, sn->subnets[0].table, true, x), 0);
	cr_assert_eq(rowdiff_set_count(x), 1);
	rowdiff_set_destroy(x);
	snapshot_destroy(sn);
	/* And new runs go in after it. */
	struct fixture f = { 0 };
	load_seed(&f);
	cr_assert_eq(put(s, &f), 2);
	fixture_fini(&f);
	store_close(s);
}

Test(store, refuses_newer_schema, .init = mk_tmp, .fini = rm_tmp)
{
	const char *db = tmp_path("new.db");
	raw(db, "PRAGMA user_version = 99");
	struct store *s = NULL;
	cr_assert_eq(store_open(db, true, stderr, &s), 3);
	cr_assert_null(s);
	cr_assert_eq(count(db, "PRAGMA user_version"), 99, "left untouched");
}

Test(store, refuses_foreign_database, .init = mk_tmp, .fini = rm_tmp)
{
	const char *db = tmp_path("other.db");
	raw(db, "CREATE TABLE accounts (id INTEGER)");
	struct store *s = NULL;
	cr_assert_eq(store_open(db, true, stderr, &s), 3);
	cr_assert_eq(count(db, "SELECT count(*) FROM sqlite_schema"), 1, "left untouched");
}

Test(store, path_that_cannot_be_a_database, .init = mk_tmp, .fini = rm_tmp)
{
	struct store *s = NULL;
	/* A directory, a file under a missing directory, a text file. */
	cr_assert_eq(store_open(tmpdir, true, stderr, &s), 3);
	cr_assert_eq(store_open(tmp_path("missing/r.db"), true, stderr, &s), 3);
	FILE *f = fopen(tmp_path("text.db"), "w");
	cr_assert_not_null(f);
	fputs("this is not a database, just a long enough line of text to look like one\n", f);
	fclose(f);
	cr_assert_eq(store_open(tmp_path("text.db"), true, stderr, &s), 3);
	cr_assert_null(s);
	/* Without create (diff): a missing file is bad input, and stays missing. */
	cr_assert_eq(store_open(tmp_path("none.db"), false, stderr, &s), 2);
	cr_assert_neq(access(tmp_path("none.db"), F_OK), 0);
}

/* ---- output files (JUnit reports: test_junit.c) ------------------------------- */

static int write_hello(FILE *out, const void *ctx)
{
	return fputs(ctx, out) < 0 ? -1 : 0;
}

static int write_fails(FILE *out, const void *ctx)
{
	fputs(ctx, out);
	return -1;
}

Test(outfile, atomic_replace, .init = mk_tmp, .fini = rm_tmp)
{
	const char *p = tmp_path("out.xml");
	cr_assert_eq(outfile_write(p, write_hello, "one\n", stderr), 0);
	cr_assert_eq(outfile_write(p, write_hello, "two\n", stderr), 0);
	char buf[16] = { 0 };
	FILE *f = fopen(p, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "two\n");
	/* A failed write leaves the old file and no temporary behind. */
	cr_assert_eq(outfile_write(p, write_fails, "three\n", stderr), 3);
	f = fopen(p, "r");
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "two\n");
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "test \"$(ls '%s' | wc -l)\" -eq 1", tmpdir);
	cr_assert_eq(system(cmd), 0, "only out.xml in the directory");
	/* A full device: ENOSPC at flush, exit 3; the device stays a device. */
	cr_assert_eq(outfile_write("/dev/full", write_hello, "x\n", stderr), 3);
	struct stat st;
	cr_assert_eq(stat("/dev/full", &st), 0);
	cr_assert(S_ISCHR(st.st_mode));
	cr_assert_eq(outfile_write(tmp_path("no/such/dir/x"), write_hello, "x", stderr), 3);
}
