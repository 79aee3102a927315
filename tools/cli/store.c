/*
 * store.c - the SQLite results store: the schema, its migrations, opening
 * and closing.  See store.h for the design; the schema is MIGRATIONS below
 * (README "Results store" explains each table).  Writing a run is
 * store_write.c, reading runs back store_read.c; store_int.h is what the
 * three share.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"
#include "dbmark.h"
#include "store_int.h"


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

	/* 2: the view of NICs beyond Route Server capacity (RULES 1.8), and the
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

	/* 3: the reachability matrix of each checkpoint (RULES 1.11), stored
	 * by name and grouped (store_reach.c): destination lists once per
	 * distinct content, the distinct outcomes per checkpoint, and per
	 * source one row per (outcome, return) with its destination spans.
	 * Checkpoints stored by version 2 have no matrix. */
	"CREATE TABLE reach_destsets ("
	" id INTEGER PRIMARY KEY,"
	" sha256 TEXT NOT NULL UNIQUE,"
	" n INTEGER NOT NULL);"
	"CREATE TABLE reach_dests ("
	" destset_id INTEGER NOT NULL REFERENCES reach_destsets(id),"
	" idx INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"              /* subnet | on-premises | appliance | internet */
	" name TEXT NOT NULL,"              /* subnet id, prefix, Internet */
	" PRIMARY KEY (destset_id, idx)) WITHOUT ROWID;"
	"CREATE TABLE reach_checkpoints ("
	" checkpoint_id INTEGER PRIMARY KEY REFERENCES checkpoints(id),"
	" destset_id INTEGER NOT NULL REFERENCES reach_destsets(id),"
	" sources INTEGER NOT NULL,"
	" flows INTEGER NOT NULL,"
	" failing INTEGER NOT NULL);"       /* flows not delivered */
	"CREATE TABLE reach_outcomes ("
	" checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),"
	" idx INTEGER NOT NULL,"
	" result TEXT NOT NULL,"            /* delivered | partly dropped | dropped | looped */
	" paths INTEGER NOT NULL,"
	" ok INTEGER NOT NULL,"
	" appliances TEXT NOT NULL,"
	" ends TEXT NOT NULL,"
	" PRIMARY KEY (checkpoint_id, idx)) WITHOUT ROWID;"
	"CREATE TABLE reach_flows ("
	" checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),"
	" source_seq INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" outcome INTEGER NOT NULL,"        /* reach_outcomes.idx */
	" return_path TEXT NOT NULL,"       /* - | symmetric | asymmetric | ecmp */
	" flows INTEGER NOT NULL,"
	" spans BLOB NOT NULL,"             /* (first, last) reach_dests.idx, uint32 LE pairs */
	" PRIMARY KEY (checkpoint_id, source_seq, outcome, return_path)) WITHOUT ROWID;",
};

/* ---- errors --------------------------------------------------------------- */

int store_db_fail(struct store *s, const char *what)
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
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : store_db_fail(s, what);
}

/* ---- opening -------------------------------------------------------------- */

void store_sleep_ms(long ms)
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
int store_begin(struct store *s)
{
	int64_t start = now_ms();
	for (;;) {
		int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return store_db_fail(s, "cannot start a transaction");
		if (now_ms() - start > STORE_BUSY_WAIT_MS)
			return store_db_fail(s, "cannot start a transaction");
		store_sleep_ms(50);
	}
}

void store_rollback(struct store *s)
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
 * processes opening a new file at once do not both create it.  A file
 * vnetsim did not write is refused before anything is written (dbmark.h);
 * an empty or unmarked vnetsim file is marked in the same transaction. */
static int migrate(struct store *s)
{
	int64_t v;
	enum dbmark_kind k = dbmark_classify(s->db);
	if (k == DBMARK_FOREIGN || k == DBMARK_ERROR)
		return dbmark_claim(s->db, s->path, false, s->err);
	if (query_int(s, "PRAGMA user_version", &v) != 0)
		return store_db_fail(s, "cannot read the schema version");
	s->opened_version = (int)v;
	if (v == STORE_SCHEMA_VERSION && k == DBMARK_OURS)
		return 0;
	if (v > STORE_SCHEMA_VERSION) {
		fprintf(s->err,
			"%s: results store: schema version %lld is newer than this vnetsim "
			"supports (%d); use a newer vnetsim or another file\n",
			s->path, (long long)v, STORE_SCHEMA_VERSION);
		return CLI_EXIT_ENV;
	}
	int rc = store_begin(s);
	if (rc)
		return rc;
	if (query_int(s, "PRAGMA user_version", &v) != 0) {
		store_rollback(s);
		return store_db_fail(s, "cannot read the schema version");
	}
	/* Again inside the transaction: another process may have written the
	 * file since. */
	if ((rc = dbmark_claim(s->db, s->path, true, s->err)) != 0) {
		store_rollback(s);
		return rc;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		char what[64], pragma[48];
		snprintf(what, sizeof(what), "migrating the schema to version %lld",
			 (long long)v + 1);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %lld", (long long)v + 1);
		if ((rc = exec(s, MIGRATIONS[v], what)) != 0 || (rc = exec(s, pragma, what)) != 0) {
			store_rollback(s);
			return rc;
		}
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = store_db_fail(s, "cannot commit the schema");
		store_rollback(s);
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
			rc = store_db_fail(s, "cannot open read-only");
		free(uri);
	}
	int64_t v = 0;
	if (!rc)
		rc = dbmark_claim(s->db, s->path, false, s->err);
	if (!rc && query_int(s, "PRAGMA user_version", &v) != 0)
		rc = store_db_fail(s, "cannot read the schema version");
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
		rc = store_db_fail(s, "cannot open");
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

