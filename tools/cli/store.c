/*
 * store.c - the SQLite results store.  See store.h for the design; the
 * schema is MIGRATIONS below (README "Results store" explains each table).
 *
 * Canonical form (what the hashes cover; any change needs a new tag): a
 * block is "vnetsim-block-2\n", two zero bytes, then each row in the
 * fixed-width binary form of hash_row (source, state, next hop type and
 * address, Route Server flag, prefixes, name); a table is
 * "vnetsim-table-2\n", disableBgpRoutePropagation "0\n"/"1\n", then the
 * hex hash of each block in order, one per line.
 *
 * Costs: a run writes every checkpoint's subnets and NICs (rows in
 * subnet_tables and nics), and each table it has not seen in this run is
 * iterated and hashed once (tables shared between checkpoints are found by
 * pointer).  Rows are inserted only for blocks the file does not hold yet.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "arena.h"
#include "prefix.h"
#include "strmap.h"
#include "cli.h"
#include "render.h"
#include "sha256.h"
#include "timeline.h"
#include "vec.h"

/* Migration i takes the schema from version i to i + 1. */
static const char *const MIGRATIONS[STORE_SCHEMA_VERSION] = {
	/* 1: the first schema */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" scenario TEXT NOT NULL,"          /* scenario name (or file stem) */
	" file TEXT NOT NULL,"
	" content_sha256 TEXT NOT NULL,"    /* of the file's bytes */
	" seed INTEGER NOT NULL,"
	" tool_version TEXT NOT NULL,"
	" started_at TEXT NOT NULL,"        /* UTC ISO 8601 */
	" wall_ms INTEGER NOT NULL,"
	" end_ms INTEGER NOT NULL,"
	" events_processed INTEGER NOT NULL,"
	" result TEXT NOT NULL,"            /* passed | failed */
	" expectations_passed INTEGER NOT NULL,"
	" expectations_failed INTEGER NOT NULL);"
	"CREATE INDEX runs_by_scenario ON runs(scenario, id);"
	"CREATE TABLE checkpoints ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" seq INTEGER NOT NULL,"
	" label TEXT NOT NULL,"
	" at_ms INTEGER NOT NULL,"
	" UNIQUE (run_id, label));"
	"CREATE TABLE row_blocks ("
	" id INTEGER PRIMARY KEY,"
	" sha256 TEXT NOT NULL UNIQUE,"
	" nrows INTEGER NOT NULL);"
	"CREATE TABLE block_rows ("
	" block_id INTEGER NOT NULL REFERENCES row_blocks(id),"
	" seq INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" address_prefix TEXT NOT NULL,"    /* space-joined when several */
	" next_hop_type TEXT NOT NULL,"
	" next_hop_ip TEXT,"
	" name TEXT,"
	" PRIMARY KEY (block_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE route_tables ("
	" id INTEGER PRIMARY KEY,"
	" sha256 TEXT NOT NULL UNIQUE,"
	" nrows INTEGER NOT NULL,"
	" disable_bgp_route_propagation INTEGER NOT NULL);"
	"CREATE TABLE table_blocks ("
	" table_id INTEGER NOT NULL REFERENCES route_tables(id),"
	" seq INTEGER NOT NULL,"
	" block_id INTEGER NOT NULL REFERENCES row_blocks(id),"
	" PRIMARY KEY (table_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE subnet_tables ("
	" checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),"
	" seq INTEGER NOT NULL,"            /* topology order */
	" subnet TEXT NOT NULL,"
	" nics INTEGER NOT NULL,"
	" table_id INTEGER NOT NULL REFERENCES route_tables(id),"
	" PRIMARY KEY (checkpoint_id, subnet)) WITHOUT ROWID;"
	"CREATE TABLE nics ("
	" checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),"
	" seq INTEGER NOT NULL,"            /* grouped by subnet, topology order */
	" name TEXT NOT NULL,"
	" subnet TEXT NOT NULL,"
	" PRIMARY KEY (checkpoint_id, name)) WITHOUT ROWID;"
	"CREATE TABLE timeline_changes ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" seq INTEGER NOT NULL,"
	" at_ms INTEGER NOT NULL,"
	" cause TEXT,"
	" nics INTEGER NOT NULL,"
	" removed_block_id INTEGER REFERENCES row_blocks(id),"  /* NULL: none */
	" added_block_id INTEGER REFERENCES row_blocks(id),"
	" PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE timeline_subnets ("
	" run_id INTEGER NOT NULL,"
	" change_seq INTEGER NOT NULL,"
	" subnet TEXT NOT NULL,"
	" nics INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, change_seq, subnet)) WITHOUT ROWID;"
	"CREATE TABLE session_events ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" seq INTEGER NOT NULL,"
	" at_ms INTEGER NOT NULL,"
	" peer TEXT NOT NULL,"
	" what TEXT NOT NULL,"
	" PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE expectations ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" idx INTEGER NOT NULL,"            /* $.expectations[idx] */
	" at TEXT NOT NULL,"
	" nic TEXT, subnet TEXT,"
	" destination TEXT,"                /* NULL: a whole-table check */
	" next_hop_type TEXT, next_hop_ip TEXT,"
	" passed INTEGER NOT NULL,"
	" message TEXT,"                    /* why it failed */
	" PRIMARY KEY (run_id, idx)) WITHOUT ROWID;",

	/* 2: the view of NICs beyond Route Server capacity (SPEC 1.8), and the
	 * route_rows view.  Rows stored by version 1 count as not from the
	 * Route Server. */
	"ALTER TABLE block_rows ADD COLUMN from_route_server INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE subnet_tables ADD COLUMN no_rs_table_id INTEGER REFERENCES route_tables(id);"
	"ALTER TABLE nics ADD COLUMN unprogrammed INTEGER NOT NULL DEFAULT 0;"
	"CREATE VIEW route_rows AS"
	" SELECT tb.table_id AS table_id, tb.seq AS block_seq, r.seq AS seq, r.source AS source,"
	"  r.state AS state, r.address_prefix AS address_prefix,"
	"  r.next_hop_type AS next_hop_type, r.next_hop_ip AS next_hop_ip, r.name AS name,"
	"  r.from_route_server AS from_route_server"
	" FROM table_blocks tb JOIN block_rows r ON r.block_id = tb.block_id;"
	"CREATE VIEW timeline_rows AS"
	" SELECT c.run_id AS run_id, c.seq AS change_seq, '-' AS change, r.seq AS seq,"
	"  r.source AS source, r.state AS state, r.address_prefix AS address_prefix,"
	"  r.next_hop_type AS next_hop_type, r.next_hop_ip AS next_hop_ip, r.name AS name"
	" FROM timeline_changes c JOIN block_rows r ON r.block_id = c.removed_block_id"
	" UNION ALL"
	" SELECT c.run_id, c.seq, '+', r.seq, r.source, r.state, r.address_prefix,"
	"  r.next_hop_type, r.next_hop_ip, r.name"
	" FROM timeline_changes c JOIN block_rows r ON r.block_id = c.added_block_id;",
};

enum stmt_id {
	ST_RUN,
	ST_CHECKPOINT,
	ST_BLOCK_FIND,
	ST_BLOCK_ADD,
	ST_BLOCK_ROW,
	ST_TABLE_FIND,
	ST_TABLE_ADD,
	ST_TABLE_BLOCK,
	ST_SUBNET_TABLE,
	ST_NIC,
	ST_TL_CHANGE,
	ST_TL_SUBNET,
	ST_SESSION,
	ST_EXPECTATION,
	ST_COUNT
};

static const char *const STMT_SQL[ST_COUNT] = {
	[ST_RUN] = "INSERT INTO runs (scenario, file, content_sha256, seed, tool_version,"
		   " started_at, wall_ms, end_ms, events_processed, result,"
		   " expectations_passed, expectations_failed)"
		   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_CHECKPOINT] = "INSERT INTO checkpoints (run_id, seq, label, at_ms) VALUES (?,?,?,?)",
	[ST_BLOCK_FIND] = "SELECT id FROM row_blocks WHERE sha256 = ?",
	[ST_BLOCK_ADD] = "INSERT INTO row_blocks (sha256, nrows) VALUES (?,?)",
	[ST_BLOCK_ROW] = "INSERT INTO block_rows (block_id, seq, source, state, address_prefix,"
			 " next_hop_type, next_hop_ip, name, from_route_server)"
			 " VALUES (?,?,?,?,?,?,?,?,?)",
	[ST_TABLE_FIND] = "SELECT id FROM route_tables WHERE sha256 = ?",
	[ST_TABLE_ADD] = "INSERT INTO route_tables (sha256, nrows, disable_bgp_route_propagation)"
			 " VALUES (?,?,?)",
	[ST_TABLE_BLOCK] = "INSERT INTO table_blocks (table_id, seq, block_id) VALUES (?,?,?)",
	[ST_SUBNET_TABLE] = "INSERT INTO subnet_tables (checkpoint_id, seq, subnet, nics, table_id,"
			    " no_rs_table_id) VALUES (?,?,?,?,?,?)",
	[ST_NIC] = "INSERT INTO nics (checkpoint_id, seq, name, subnet, unprogrammed)"
		   " VALUES (?,?,?,?,?)",
	[ST_TL_CHANGE] = "INSERT INTO timeline_changes (run_id, seq, at_ms, cause, nics,"
			 " removed_block_id, added_block_id) VALUES (?,?,?,?,?,?,?)",
	[ST_TL_SUBNET] = "INSERT INTO timeline_subnets (run_id, change_seq, subnet, nics)"
			 " VALUES (?,?,?,?)",
	[ST_SESSION] = "INSERT INTO session_events (run_id, seq, at_ms, peer, what)"
		       " VALUES (?,?,?,?,?)",
	[ST_EXPECTATION] = "INSERT INTO expectations (run_id, idx, at, nic, subnet, destination,"
			   " next_hop_type, next_hop_ip, passed, message)"
			   " VALUES (?,?,?,?,?,?,?,?,?,?)",
};

struct store {
	sqlite3 *db;
	char *path;
	int opened_version;            /* user_version found at open */
	sqlite3_stmt *st[ST_COUNT];    /* prepared on first use */
	FILE *err;                     /* where the current operation reports */
};

/* ---- errors --------------------------------------------------------------- */

static int db_fail(struct store *s, const char *what)
{
	int code = s->db ? sqlite3_extended_errcode(s->db) : SQLITE_ERROR;
	const char *msg = s->db ? sqlite3_errmsg(s->db) : "cannot allocate a connection";
	const char *hint = "";
	switch (code & 0xff) {
	case SQLITE_READONLY:
		hint = " (the file or its directory is read-only)";
		break;
	case SQLITE_FULL:
		hint = " (the disk is full)";
		break;
	case SQLITE_CANTOPEN:
		hint = " (check that the directory exists and is writable)";
		break;
	case SQLITE_NOTADB:
		hint = " (the file is not an SQLite database)";
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		hint = " (another process held the database too long)";
		break;
	default:
		break;
	}
	fprintf(s->err, "%s: results store: %s: %s%s\n", s->path, what, msg, hint);
	return CLI_EXIT_ENV;
}

static int exec(struct store *s, const char *sql, const char *what)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(s, what);
}

static sqlite3_stmt *stmt(struct store *s, enum stmt_id id)
{
	if (!s->st[id] && sqlite3_prepare_v2(s->db, STMT_SQL[id], -1, &s->st[id], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

/* ---- opening -------------------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* BEGIN IMMEDIATE (takes the write lock now), retried while another writer
 * holds it.  The busy handler already waits inside each attempt. */
static int begin(struct store *s)
{
	int64_t start = now_ms();
	for (;;) {
		int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return db_fail(s, "cannot start a transaction");
		if (now_ms() - start > STORE_BUSY_WAIT_MS)
			return db_fail(s, "cannot start a transaction");
		sleep_ms(50);
	}
}

static void rollback(struct store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int query_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Creates or migrates the schema inside one write transaction, so two
 * processes opening a new file at once do not both create it. */
static int migrate(struct store *s)
{
	int64_t v;
	if (query_int(s, "PRAGMA user_version", &v) != 0)
		return db_fail(s, "cannot read the schema version");
	s->opened_version = (int)v;
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	if (v > STORE_SCHEMA_VERSION) {
		fprintf(s->err,
			"%s: results store: schema version %lld is newer than this vnetsim "
			"supports (%d); use a newer vnetsim or another file\n",
			s->path, (long long)v, STORE_SCHEMA_VERSION);
		return CLI_EXIT_ENV;
	}
	int rc = begin(s);
	if (rc)
		return rc;
	if (query_int(s, "PRAGMA user_version", &v) != 0) {
		rollback(s);
		return db_fail(s, "cannot read the schema version");
	}
	int64_t ntables = 0;
	if (v == 0 && query_int(s, "SELECT count(*) FROM sqlite_schema", &ntables) == 0 &&
	    ntables > 0) {
		rollback(s);
		fprintf(s->err,
			"%s: results store: the file is an SQLite database without a vnetsim "
			"schema version (it has %lld other objects); refusing to write to it\n",
			s->path, (long long)ntables);
		return CLI_EXIT_ENV;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		char what[64], pragma[48];
		snprintf(what, sizeof(what), "migrating the schema to version %lld",
			 (long long)v + 1);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %lld", (long long)v + 1);
		if ((rc = exec(s, MIGRATIONS[v], what)) != 0 || (rc = exec(s, pragma, what)) != 0) {
			rollback(s);
			return rc;
		}
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(s, "cannot commit the schema");
		rollback(s);
		return rc;
	}
	return 0;
}

/* A store this user cannot write (diff reading an archived file): opened
 * immutable, since a WAL file cannot even be read without writing its
 * shared-memory index; nobody may write it meanwhile.  Not migrated. */
static int open_readonly(struct store *s, struct store **out)
{
	size_t n = strlen(s->path);
	char *uri = malloc(3 * n + 32), *p = uri;
	int rc = 0;
	if (!uri) {
		fprintf(s->err, "vnetsim: out of memory\n");
		rc = CLI_EXIT_ENV;
	} else {
		p += sprintf(p, "file:");
		for (const char *c = s->path; *c; c++)
			p += strchr("?#%", *c) ? sprintf(p, "%%%02X", (unsigned char)*c)
					       : sprintf(p, "%c", *c);
		strcpy(p, "?immutable=1");
		if (sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
		    SQLITE_OK)
			rc = db_fail(s, "cannot open read-only");
		free(uri);
	}
	int64_t v = 0;
	if (!rc && query_int(s, "PRAGMA user_version", &v) != 0)
		rc = db_fail(s, "cannot read the schema version");
	if (!rc && v != STORE_SCHEMA_VERSION) {
		fprintf(s->err,
			"%s: results store: schema version %lld, this vnetsim reads %d; the file "
			"is read-only, so it cannot be migrated\n",
			s->path, (long long)v, STORE_SCHEMA_VERSION);
		rc = CLI_EXIT_ENV;
	}
	if (rc) {
		store_close(s);
		return rc;
	}
	s->opened_version = (int)v;
	*out = s;
	return 0;
}

int store_open(const char *path, bool create, FILE *err, struct store **out)
{
	*out = NULL;
	struct stat st;
	if (!create && stat(path, &st) != 0) {
		fprintf(err, "%s: results store: %s\n", path, strerror(errno));
		return errno == ENOENT ? CLI_EXIT_INVALID : CLI_EXIT_ENV;
	}
	struct store *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = malloc(strlen(path) + 1))) {
		free(s);
		fprintf(err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	strcpy(s->path, path);
	s->err = err;
	int rc = 0;
	if (!create && access(path, W_OK) != 0)
		return open_readonly(s, out);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0),
			    NULL) != SQLITE_OK)
		rc = db_fail(s, "cannot open");
	if (!rc) {
		sqlite3_extended_result_codes(s->db, 1);
		sqlite3_busy_timeout(s->db, 10000);
		/* WAL lets readers work while a run is written; where the file
		 * system cannot do WAL the rollback journal stays, which is
		 * just as safe.  FULL: a committed run survives a power cut. */
		sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		rc = exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "cannot configure");
	}
	if (!rc)
		rc = migrate(s);
	if (rc) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *store_migration_sql(int v)
{
	return v >= 0 && v < STORE_SCHEMA_VERSION ? MIGRATIONS[v] : NULL;
}

int store_opened_version(const struct store *s)
{
	return s->opened_version;
}

/* ---- writing a run --------------------------------------------------------- */

struct writer {
	struct store *s;
	int64_t run_id;
	struct arena *arena;           /* cache keys */
	struct strmap *seen;           /* "table pointer/view" -> stored id (boxed) */
	struct route_row *rows;        /* one table being written */
	size_t nrows, cap;
	int rc;
};

static int bind_text(sqlite3_stmt *q, int i, const char *v)
{
	return v ? sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q, i);
}

static int step_done(struct writer *w, sqlite3_stmt *q, const char *what)
{
	if (!q || sqlite3_step(q) != SQLITE_DONE)
		return db_fail(w->s, what);
	return 0;
}

/* The canonical form of a row for hashing: fixed-width big-endian fields,
 * cheaper than the text columns (tables of thousands of BGP rows are
 * hashed once per subnet). */
static void hash_row(struct sha256 *h, const struct route_row *r)
{
	unsigned char b[16 + 5 * 8];
	size_t k = 0, np = r->nprefixes;
	b[k++] = (unsigned char)r->source;
	b[k++] = r->active;
	b[k++] = (unsigned char)r->nh;
	b[k++] = r->has_nh_ip;
	for (int i = 3; i >= 0; i--)
		b[k++] = (unsigned char)(r->has_nh_ip ? r->nh_ip >> (8 * i) : 0);
	b[k++] = r->from_route_server;
	b[k++] = (unsigned char)(np >> 8);
	b[k++] = (unsigned char)np;
	sha256_update(h, b, k);
	for (size_t i = 0; i < np; i++) {
		unsigned char pb[5] = { (unsigned char)(r->prefixes[i].addr >> 24),
					(unsigned char)(r->prefixes[i].addr >> 16),
					(unsigned char)(r->prefixes[i].addr >> 8),
					(unsigned char)r->prefixes[i].addr, r->prefixes[i].len };
		sha256_update(h, pb, 5);
	}
	/* name: length then bytes; 0xffff for null */
	size_t nl = r->name ? strlen(r->name) : 0xffff;
	unsigned char lb[2] = { (unsigned char)(nl >> 8), (unsigned char)nl };
	sha256_update(h, lb, 2);
	if (r->name)
		sha256_update(h, r->name, nl);
}

static bool lookup_id(struct writer *w, enum stmt_id id, const char *hash, int64_t *out)
{
	sqlite3_stmt *q = stmt(w->s, id);
	if (!q) {
		w->rc = db_fail(w->s, "cannot prepare a query");
		return false;
	}
	bind_text(q, 1, hash);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(q, 0);
		return true;
	}
	if (rc != SQLITE_DONE)
		w->rc = db_fail(w->s, "cannot look up a table");
	return false;
}

/* Stores rows[a, b) as a block (once per content). */
static int put_block(struct writer *w, const struct route_row *rows, size_t a, size_t b,
		     char hash[SHA256_HEX_LEN + 1], int64_t *id)
{
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, "vnetsim-block-2\n", 16);
	sha256_update(&h, "\0\0", 2); /* format 0 of hash_row */
	for (size_t i = a; i < b; i++)
		hash_row(&h, &rows[i]);
	sha256_final_hex(&h, hash);
	if (lookup_id(w, ST_BLOCK_FIND, hash, id))
		return 0;
	if (w->rc)
		return w->rc;
	sqlite3_stmt *q = stmt(w->s, ST_BLOCK_ADD);
	if (q) {
		bind_text(q, 1, hash);
		sqlite3_bind_int64(q, 2, (int64_t)(b - a));
	}
	if (step_done(w, q, "cannot store a block of rows"))
		return CLI_EXIT_ENV;
	*id = sqlite3_last_insert_rowid(w->s->db);
	for (size_t i = a; i < b; i++) {
		const struct route_row *r = &rows[i];
		char *prefixes = render_row_prefixes(r), ip[IPV4_STRLEN];
		q = prefixes ? stmt(w->s, ST_BLOCK_ROW) : NULL;
		if (q) {
			sqlite3_bind_int64(q, 1, *id);
			sqlite3_bind_int64(q, 2, (int64_t)(i - a));
			bind_text(q, 3, route_source_name(r->source));
			bind_text(q, 4, render_row_state(r));
			bind_text(q, 5, prefixes);
			bind_text(q, 6, nh_type_name(r->nh));
			bind_text(q, 7, r->has_nh_ip ? ipv4_format(r->nh_ip, ip) : NULL);
			bind_text(q, 8, r->name);
			sqlite3_bind_int(q, 9, r->from_route_server);
		}
		free(prefixes);
		if (!prefixes) {
			fprintf(w->s->err, "vnetsim: out of memory\n");
			return CLI_EXIT_ENV;
		}
		if (step_done(w, q, "cannot store a route row"))
			return CLI_EXIT_ENV;
	}
	return 0;
}

static int push_row(struct writer *w, const struct route_row *r)
{
	struct route_row *slot = VEC_PUSH(w->rows, w->nrows, w->cap);
	if (!slot) {
		fprintf(w->s->err, "vnetsim: out of memory\n");
		return -1;
	}
	*slot = *r;
	return 0;
}

#define MAX_BLOCKS 16

/* Stores a table (one view of it) once per content; *id its row id. */
static int put_table(struct writer *w, const struct eff_table *t, bool without_rs, int64_t *id)
{
	char key[64];
	snprintf(key, sizeof(key), "%p/%d", (const void *)t, without_rs);
	const int64_t *known = strmap_get(w->seen, key);
	if (known) {
		*id = *known;
		return 0;
	}
	w->nrows = 0;
	struct eff_iter it = { 0 };
	struct route_row row;
	while (eff_row(t, without_rs, &it, &row))
		if (push_row(w, &row) != 0)
			return CLI_EXIT_ENV;
	/* Blocks: maximal runs of gateway rows and of other rows. */
	char hashes[MAX_BLOCKS][SHA256_HEX_LEN + 1];
	int64_t bids[MAX_BLOCKS];
	size_t nb = 0;
	int rc = 0;
	for (size_t a = 0; a < w->nrows && !rc;) {
		bool gw = w->rows[a].source == SRC_GATEWAY;
		size_t b = a + 1;
		while (b < w->nrows && (w->rows[b].source == SRC_GATEWAY) == gw)
			b++;
		if (nb == MAX_BLOCKS - 1)
			b = w->nrows; /* cannot happen: system, gateway, User */
		rc = put_block(w, w->rows, a, b, hashes[nb], &bids[nb]);
		nb++;
		a = b;
	}
	if (rc)
		return rc;
	struct sha256 h;
	char th[SHA256_HEX_LEN + 1];
	bool disable = eff_disable_bgp(t);
	sha256_init(&h);
	sha256_update(&h, "vnetsim-table-2\n", 16);
	sha256_update(&h, disable ? "1\n" : "0\n", 2);
	for (size_t i = 0; i < nb; i++) {
		sha256_update(&h, hashes[i], SHA256_HEX_LEN);
		sha256_update(&h, "\n", 1);
	}
	sha256_final_hex(&h, th);
	if (!lookup_id(w, ST_TABLE_FIND, th, id)) {
		if (w->rc)
			return w->rc;
		sqlite3_stmt *q = stmt(w->s, ST_TABLE_ADD);
		if (q) {
			bind_text(q, 1, th);
			sqlite3_bind_int64(q, 2, (int64_t)w->nrows);
			sqlite3_bind_int(q, 3, disable);
		}
		if (step_done(w, q, "cannot store a table"))
			return CLI_EXIT_ENV;
		*id = sqlite3_last_insert_rowid(w->s->db);
		for (size_t i = 0; i < nb; i++) {
			q = stmt(w->s, ST_TABLE_BLOCK);
			if (q) {
				sqlite3_bind_int64(q, 1, *id);
				sqlite3_bind_int64(q, 2, (int64_t)i);
				sqlite3_bind_int64(q, 3, bids[i]);
			}
			if (step_done(w, q, "cannot store a table"))
				return CLI_EXIT_ENV;
		}
	}
	char *k = arena_strdup(w->arena, key);
	int64_t *box = arena_alloc(w->arena, sizeof(*box));
	if (!k || !box || strmap_put(w->seen, k, box) < 0) {
		fprintf(w->s->err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	*box = *id;
	return 0;
}

static int put_checkpoint(struct writer *w, const struct checkpoint *c, size_t seq)
{
	sqlite3_stmt *q = stmt(w->s, ST_CHECKPOINT);
	if (q) {
		sqlite3_bind_int64(q, 1, w->run_id);
		sqlite3_bind_int64(q, 2, (int64_t)seq);
		bind_text(q, 3, c->label);
		sqlite3_bind_int64(q, 4, c->at_ms);
	}
	if (step_done(w, q, "cannot store a checkpoint"))
		return CLI_EXIT_ENV;
	int64_t cid = sqlite3_last_insert_rowid(w->s->db);
	const struct topology *t = c->topo;
	int64_t nicseq = 0;
	for (size_t i = 0; i < t->nsubnets; i++) {
		const struct subnet *sn = t->subnets[i];
		bool any_unprog = false;
		for (size_t k = 0; k < sn->nic_count; k++) {
			const struct nic *n = t->subnet_nics[sn->nic_first + k];
			bool u = c->nic_unprogrammed && c->nic_unprogrammed[n - t->nics];
			any_unprog |= u;
			q = stmt(w->s, ST_NIC);
			if (q) {
				sqlite3_bind_int64(q, 1, cid);
				sqlite3_bind_int64(q, 2, nicseq++);
				bind_text(q, 3, n->name);
				bind_text(q, 4, sn->id);
				sqlite3_bind_int(q, 5, u);
			}
			if (step_done(w, q, "cannot store a NIC"))
				return CLI_EXIT_ENV;
		}
		int64_t tid = 0, nrs = 0;
		int rc = put_table(w, c->tables[i], false, &tid);
		if (!rc && any_unprog)
			rc = put_table(w, c->tables[i], true, &nrs);
		if (rc)
			return rc;
		q = stmt(w->s, ST_SUBNET_TABLE);
		if (q) {
			sqlite3_bind_int64(q, 1, cid);
			sqlite3_bind_int64(q, 2, (int64_t)i);
			bind_text(q, 3, sn->id);
			sqlite3_bind_int64(q, 4, (int64_t)sn->nic_count);
			sqlite3_bind_int64(q, 5, tid);
			if (any_unprog)
				sqlite3_bind_int64(q, 6, nrs);
		}
		if (step_done(w, q, "cannot store a subnet's table"))
			return CLI_EXIT_ENV;
	}
	return 0;
}

/* Timeline: one change per fold, as `vnetsim run` prints it. */
struct tl_ctx {
	struct writer *w;
	int64_t seq;
};

/* A change's removed or added rows as a block (the same list of rows in
 * many changes is stored once); *id 0 when there are none. */
static int put_change_rows(struct writer *w, const struct route_row *const *rows, size_t n,
			   int64_t *id)
{
	char hash[SHA256_HEX_LEN + 1];
	*id = 0;
	w->nrows = 0;
	for (size_t i = 0; i < n; i++)
		if (push_row(w, rows[i]) != 0)
			return CLI_EXIT_ENV;
	return n ? put_block(w, w->rows, 0, n, hash, id) : 0;
}

static void tl_emit(const struct timeline_fold *f, void *ctx)
{
	struct tl_ctx *c = ctx;
	struct writer *w = c->w;
	if (w->rc)
		return;
	int64_t seq = c->seq++, removed, added;
	if ((w->rc = put_change_rows(w, f->ch.res.removed, f->ch.res.nremoved, &removed)) ||
	    (w->rc = put_change_rows(w, f->ch.res.added, f->ch.res.nadded, &added)))
		return;
	sqlite3_stmt *q = stmt(w->s, ST_TL_CHANGE);
	if (q) {
		sqlite3_bind_int64(q, 1, w->run_id);
		sqlite3_bind_int64(q, 2, seq);
		sqlite3_bind_int64(q, 3, f->entries[0]->at_ms);
		bind_text(q, 4, f->entries[0]->cause);
		sqlite3_bind_int64(q, 5, (int64_t)f->nics);
		if (removed)
			sqlite3_bind_int64(q, 6, removed);
		if (added)
			sqlite3_bind_int64(q, 7, added);
	}
	if ((w->rc = step_done(w, q, "cannot store the timeline")))
		return;
	for (size_t i = 0; i < f->nentries; i++) {
		q = stmt(w->s, ST_TL_SUBNET);
		if (q) {
			sqlite3_bind_int64(q, 1, w->run_id);
			sqlite3_bind_int64(q, 2, seq);
			bind_text(q, 3, f->entries[i]->subnet);
			sqlite3_bind_int64(q, 4, (int64_t)f->entries[i]->nics);
		}
		if ((w->rc = step_done(w, q, "cannot store the timeline")))
			return;
	}
}

static int put_expectations(struct writer *w, const struct scenario *sc,
			    const struct store_failure *f, size_t nf)
{
	for (size_t i = 0; i < sc->nexpectations; i++) {
		const struct expectation *x = &sc->expectations[i];
		const char *msg = NULL;
		for (size_t k = 0; k < nf; k++)
			if (f[k].index == x->index)
				msg = f[k].message;
		char dst[IPV4_STRLEN], ip[IPV4_STRLEN];
		sqlite3_stmt *q = stmt(w->s, ST_EXPECTATION);
		if (q) {
			sqlite3_bind_int64(q, 1, w->run_id);
			sqlite3_bind_int64(q, 2, (int64_t)x->index);
			bind_text(q, 3, x->at ? x->at : "end");
			bind_text(q, 4, x->nic);
			bind_text(q, 5, x->subnet);
			bind_text(q, 6, x->has_destination ? ipv4_format(x->destination, dst) : NULL);
			bind_text(q, 7, x->has_destination ? nh_type_name(x->nh) : NULL);
			bind_text(q, 8, x->has_nh_ip ? ipv4_format(x->nh_ip, ip) : NULL);
			sqlite3_bind_int(q, 9, msg == NULL);
			bind_text(q, 10, msg);
		}
		if (step_done(w, q, "cannot store an expectation"))
			return CLI_EXIT_ENV;
	}
	return 0;
}

const char *store_run_name(const struct scenario *sc, const char *file, char *buf, size_t len)
{
	if (sc && sc->name && sc->name[0])
		return sc->name;
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, base);
	return buf;
}

static int put_run_body(struct writer *w, const struct scenario *sc, const struct run *r,
			const struct store_run_meta *m, const struct store_failure *f, size_t nf)
{
	char nb[256];
	sqlite3_stmt *q = stmt(w->s, ST_RUN);
	if (q) {
		bind_text(q, 1, store_run_name(sc, m->file, nb, sizeof(nb)));
		bind_text(q, 2, m->file);
		bind_text(q, 3, m->content_sha256);
		sqlite3_bind_int64(q, 4, (int64_t)sc->seed);
		bind_text(q, 5, m->tool_version);
		bind_text(q, 6, m->started_at);
		sqlite3_bind_int64(q, 7, m->wall_ms);
		sqlite3_bind_int64(q, 8, run_end_ms(r));
		sqlite3_bind_int64(q, 9, (int64_t)run_events_processed(r));
		bind_text(q, 10, m->result);
		sqlite3_bind_int64(q, 11, (int64_t)(sc->nexpectations - nf));
		sqlite3_bind_int64(q, 12, (int64_t)nf);
	}
	if (step_done(w, q, "cannot store the run"))
		return CLI_EXIT_ENV;
	w->run_id = sqlite3_last_insert_rowid(w->s->db);
	int rc = 0;
	for (size_t i = 0; i < run_checkpoint_count(r) && !rc; i++)
		rc = put_checkpoint(w, run_checkpoint_get(r, i), i);
	if (rc)
		return rc;
	struct tl_ctx tc = { w, 0 };
	if (timeline_fold(r, tl_emit, &tc) != 0 && !w->rc) {
		fprintf(w->s->err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	if (w->rc)
		return w->rc;
	for (size_t i = 0; i < run_session_event_count(r); i++) {
		const struct session_event *e = run_session_event_get(r, i);
		q = stmt(w->s, ST_SESSION);
		if (q) {
			sqlite3_bind_int64(q, 1, w->run_id);
			sqlite3_bind_int64(q, 2, (int64_t)i);
			sqlite3_bind_int64(q, 3, e->at_ms);
			bind_text(q, 4, e->peer);
			bind_text(q, 5, e->what);
		}
		if (step_done(w, q, "cannot store a session event"))
			return CLI_EXIT_ENV;
	}
	return put_expectations(w, sc, f, nf);
}

/* Test hook (tests/store/kill.sh): VNETSIM_STORE_TEST_PAUSE_MS makes the
 * writer announce itself on stderr and sleep inside the transaction, just
 * before COMMIT, so a test can kill the process there for certain. */
static void test_pause(FILE *err)
{
	const char *v = getenv("VNETSIM_STORE_TEST_PAUSE_MS");
	if (!v || !*v)
		return;
	fprintf(err, "vnetsim: test pause inside the store transaction\n");
	fflush(err);
	sleep_ms(strtol(v, NULL, 10));
}

int store_put_run(struct store *s, const struct scenario *sc, const struct run *r,
		  const struct store_run_meta *m, const struct store_failure *f, size_t nf,
		  FILE *err, int64_t *id)
{
	s->err = err;
	struct writer w = { .s = s, .arena = arena_create(), .seen = strmap_create() };
	int rc = 0;
	if (!w.arena || !w.seen) {
		fprintf(err, "vnetsim: out of memory\n");
		rc = CLI_EXIT_ENV;
	}
	if (!rc)
		rc = begin(s);
	if (!rc) {
		rc = put_run_body(&w, sc, r, m, f, nf);
		if (!rc) {
			test_pause(err);
			if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
				rc = db_fail(s, "cannot commit the run");
		}
		if (rc)
			rollback(s);
		else
			*id = w.run_id;
	}
	free(w.rows);
	strmap_destroy(w.seen);
	arena_destroy(w.arena);
	return rc;
}

/* ---- reading ------------------------------------------------------------------ */

int store_find_run(struct store *s, const char *ref, FILE *err, int64_t *id, char *desc,
		   size_t desclen)
{
	s->err = err;
	char name[256];
	long back = 0;
	bool by_id = ref[0] != '\0' && strspn(ref, "0123456789") == strlen(ref);
	const char *at = strrchr(ref, '@');
	size_t nlen = at ? (size_t)(at - ref) : strlen(ref);
	if (at) {
		const char *v = at + 1;
		if (strncmp(v, "latest", 6) != 0 || (v[6] && v[6] != '~')) {
			fprintf(err,
				"vnetsim diff: run \"%s\": after '@' expected latest or latest~N\n",
				ref);
			return CLI_EXIT_INVALID;
		}
		if (v[6] == '~') {
			char *end;
			errno = 0;
			back = strtol(v + 7, &end, 10);
			if (v[7] < '0' || v[7] > '9' || *end || errno || back < 0) {
				fprintf(err, "vnetsim diff: run \"%s\": latest~N needs a count\n",
					ref);
				return CLI_EXIT_INVALID;
			}
		}
	}
	if (nlen >= sizeof(name)) {
		fprintf(err, "vnetsim diff: run \"%.40s...\": name too long\n", ref);
		return CLI_EXIT_INVALID;
	}
	memcpy(name, ref, nlen);
	name[nlen] = '\0';
	sqlite3_stmt *q = NULL;
	const char *sql = by_id ? "SELECT id, scenario FROM runs WHERE id = ?1"
				: "SELECT id, scenario FROM runs WHERE scenario = ?1"
				  " ORDER BY id DESC LIMIT 1 OFFSET ?2";
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_fail(s, "cannot look up runs");
	if (by_id)
		sqlite3_bind_int64(q, 1, strtoll(ref, NULL, 10));
	else {
		sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 2, back);
	}
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		snprintf(desc, desclen, "run %lld (%s)", (long long)*id,
			 (const char *)sqlite3_column_text(q, 1));
		sqlite3_finalize(q);
		return 0;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return db_fail(s, "cannot look up runs");
	if (by_id)
		fprintf(err, "%s: no run with id %s\n", s->path, ref);
	else if (back)
		fprintf(err, "%s: scenario \"%s\" has no run %ld before its latest\n", s->path,
			name, back);
	else
		fprintf(err, "%s: no run of a scenario named \"%s\" (runs are named by id, or "
			     "by scenario name: NAME, NAME@latest, NAME@latest~N)\n",
			s->path, name);
	return CLI_EXIT_INVALID;
}

/* A stored table handle: its two views (no_rs 0: none stored). */
struct stored_table {
	int64_t id, no_rs;
};

static int fill_stored(void *ctx, const void *table, bool without_rs, struct rowdiff_set *out)
{
	struct store *s = ctx;
	const struct stored_table *t = table;
	int64_t id = without_rs && t->no_rs ? t->no_rs : t->id;
	/* Without a stored view of its own (a version 1 file), drop the Route
	 * Server rows. */
	bool drop_rs = without_rs && !t->no_rs;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT source, state, address_prefix, next_hop_type, next_hop_ip,"
			       " name, from_route_server FROM route_rows WHERE table_id = ?"
			       " ORDER BY block_seq, seq",
			       -1, &q, NULL) != SQLITE_OK) {
		db_fail(s, "cannot read a table");
		return -3;
	}
	sqlite3_bind_int64(q, 1, id);
	int rc, ret = 0;
	struct prefix *pbuf = NULL;
	size_t pcap = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && ret == 0) {
		struct route_row r = { 0 };
		const char *src = (const char *)sqlite3_column_text(q, 0);
		const char *state = (const char *)sqlite3_column_text(q, 1);
		const char *pfx = (const char *)sqlite3_column_text(q, 2);
		const char *nh = (const char *)sqlite3_column_text(q, 3);
		const char *ip = (const char *)sqlite3_column_text(q, 4);
		r.from_route_server = sqlite3_column_int(q, 6) != 0;
		if (drop_rs && r.from_route_server)
			continue;
		bool ok = src && state && pfx && nh;
		if (ok)
			r.source = strcmp(src, "User") == 0 ? SRC_USER
				   : strcmp(src, "VirtualNetworkGateway") == 0 ? SRC_GATEWAY
									       : SRC_DEFAULT;
		ok = ok && nh_type_parse(nh, &r.nh);
		r.active = ok && strcmp(state, "Active") == 0;
		size_t n = 0, need = 1;
		for (const char *p = pfx; ok && *p; p++)
			need += *p == ' ';
		if (ok && VEC_RESERVE(pbuf, pcap, need) != 0) {
			ret = -1;
			break;
		}
		for (const char *p = pfx; ok && *p && n < need;) {
			char b[PREFIX_STRLEN];
			size_t len = strcspn(p, " ");
			ok = len < sizeof(b);
			if (ok) {
				memcpy(b, p, len);
				b[len] = '\0';
				ok = prefix_parse(b, &pbuf[n++]) == PREFIX_OK;
			}
			p += len;
			p += *p == ' ';
		}
		ok = ok && n > 0;
		if (ok && ip)
			ok = ipv4_parse(ip, &r.nh_ip) == 0;
		if (!ok) {
			fprintf(s->err, "%s: results store: table %lld holds a malformed row\n",
				s->path, (long long)id);
			ret = -3;
			break;
		}
		r.has_nh_ip = ip != NULL;
		r.prefixes = pbuf;
		r.nprefixes = n;
		r.name = (const char *)sqlite3_column_text(q, 5);
		if (rowdiff_set_add(out, &r) != 0)
			ret = -1;
	}
	if (ret == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail(s, "cannot read a table");
		ret = -3;
	}
	free(pbuf);
	sqlite3_finalize(q);
	return ret;
}

/* A query with one integer parameter; NULL when it cannot be prepared. */
static sqlite3_stmt *query_for(struct store *s, const char *sql, int64_t v)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(q, 1, v);
	return q;
}

static int list_labels(struct store *s, int64_t run, FILE *err)
{
	sqlite3_stmt *q =
		query_for(s, "SELECT label FROM checkpoints WHERE run_id = ? ORDER BY seq", run);
	if (!q)
		return db_fail(s, "cannot read checkpoints");
	fprintf(err, " (run %lld has:", (long long)run);
	for (int i = 0; sqlite3_step(q) == SQLITE_ROW; i++)
		fprintf(err, "%s %s", i ? "," : "", (const char *)sqlite3_column_text(q, 0));
	fprintf(err, ")\n");
	sqlite3_finalize(q);
	return CLI_EXIT_INVALID;
}

static int count_rows(struct store *s, const char *sql, int64_t cid, int64_t *n)
{
	sqlite3_stmt *q = query_for(s, sql, cid);
	if (!q)
		return -1;
	int rc = sqlite3_step(q);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int load_members(struct store *s, int64_t cid, struct snapshot *sn)
{
	sqlite3_stmt *q = query_for(s,
				    "SELECT subnet, nics, table_id, coalesce(no_rs_table_id, 0)"
				    " FROM subnet_tables WHERE checkpoint_id = ? ORDER BY seq",
				    cid);
	if (!q)
		return -1;
	size_t i = 0, first = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && i < sn->nsubnets) {
		struct stored_table *t = arena_alloc(sn->arena, sizeof(*t));
		char *id = arena_strdup(sn->arena, (const char *)sqlite3_column_text(q, 0));
		if (!t || !id)
			break;
		t->id = sqlite3_column_int64(q, 2);
		t->no_rs = sqlite3_column_int64(q, 3);
		size_t nics = (size_t)sqlite3_column_int64(q, 1);
		sn->subnets[i++] = (struct snapshot_subnet){ id, first, nics, t };
		first += nics;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE || i != sn->nsubnets || first != sn->nnics)
		return -1;
	q = query_for(s, "SELECT name, unprogrammed FROM nics WHERE checkpoint_id = ? ORDER BY seq",
		      cid);
	if (!q)
		return -1;
	size_t k = 0, sub = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && k < sn->nnics) {
		while (sub < sn->nsubnets &&
		       k >= sn->subnets[sub].nic_first + sn->subnets[sub].nic_count)
			sub++;
		char *name = arena_strdup(sn->arena, (const char *)sqlite3_column_text(q, 0));
		if (!name || sub == sn->nsubnets)
			break;
		sn->nics[k++] = (struct snapshot_nic){ name, sub, sqlite3_column_int(q, 1) != 0 };
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE && k == sn->nnics ? 0 : -1;
}

int store_load_snapshot(struct store *s, int64_t run, const char *label, FILE *err,
			struct snapshot **out)
{
	s->err = err;
	*out = NULL;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM checkpoints WHERE run_id = ? AND label = ?",
			       -1, &q, NULL) != SQLITE_OK)
		return db_fail(s, "cannot read checkpoints");
	sqlite3_bind_int64(q, 1, run);
	sqlite3_bind_text(q, 2, label, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	int64_t cid = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(s, "cannot read checkpoints");
	if (rc == SQLITE_DONE) {
		fprintf(err, "%s: run %lld has no checkpoint \"%s\"", s->path, (long long)run,
			label);
		return list_labels(s, run, err);
	}
	int64_t nsub, nnic;
	if (count_rows(s, "SELECT count(*) FROM subnet_tables WHERE checkpoint_id = ?", cid,
		       &nsub) != 0 ||
	    count_rows(s, "SELECT count(*) FROM nics WHERE checkpoint_id = ?", cid, &nnic) != 0)
		return db_fail(s, "cannot read a checkpoint");
	struct snapshot *sn = snapshot_create((size_t)nsub, (size_t)nnic, fill_stored, s);
	if (!sn) {
		fprintf(err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	if (load_members(s, cid, sn) != 0) {
		snapshot_destroy(sn);
		if (sqlite3_errcode(s->db) != SQLITE_OK && sqlite3_errcode(s->db) != SQLITE_DONE &&
		    sqlite3_errcode(s->db) != SQLITE_ROW)
			return db_fail(s, "cannot read a checkpoint");
		fprintf(err, "%s: results store: checkpoint %lld is inconsistent (NICs and "
			     "subnets do not match)\n", s->path, (long long)cid);
		return CLI_EXIT_ENV;
	}
	if (snapshot_index(sn) != 0) {
		snapshot_destroy(sn);
		fprintf(err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	*out = sn;
	return 0;
}
