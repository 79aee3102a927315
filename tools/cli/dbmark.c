/*
 * dbmark.c - see dbmark.h.
 */
#include "dbmark.h"

#include <stdint.h>
#include <string.h>

#include "store.h"

static int64_t pragma_int(sqlite3 *db, const char *sql, bool *ok)
{
	sqlite3_stmt *q;
	int64_t v = 0;
	*ok = false;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW) {
		v = sqlite3_column_int64(q, 0);
		*ok = true;
	}
	sqlite3_finalize(q);
	return v;
}

/* The store's tables, views and index (store.c MIGRATIONS). */
static const char *const STORE_OBJECTS[] = {
	"runs", "checkpoints", "row_blocks", "block_rows", "route_tables", "table_blocks",
	"subnet_tables", "nics", "timeline_changes", "timeline_subnets", "session_events",
	"expectations", "runs_by_scenario", "route_rows", "timeline_rows", NULL,
};
#define STORE_TABLES 12 /* the first ones above: every version has them */

static int store_object(const char *name)
{
	for (int i = 0; STORE_OBJECTS[i]; i++)
		if (strcmp(STORE_OBJECTS[i], name) == 0)
			return i;
	return -1;
}

static bool sqlite_internal(const char *name)
{
	return strncmp(name, "sqlite_", 7) == 0;
}

enum dbmark_kind dbmark_classify(sqlite3 *db)
{
	bool ok;
	int64_t app = pragma_int(db, "PRAGMA main.application_id", &ok);
	if (!ok)
		return DBMARK_ERROR;
	if (app == DBMARK_APPLICATION_ID)
		return DBMARK_OURS;
	if (app != 0)
		return DBMARK_FOREIGN;
	int64_t version = pragma_int(db, "PRAGMA main.user_version", &ok);
	if (!ok)
		return DBMARK_ERROR;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(db, "SELECT name FROM main.sqlite_schema", -1, &q, NULL) != SQLITE_OK)
		return DBMARK_ERROR;
	size_t objects = 0, store_tables = 0;
	bool foreign = false, sweep = false;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		int k = name ? store_object(name) : -1;
		objects++;
		if (k >= 0 && k < STORE_TABLES)
			store_tables++;
		else if (name && strncmp(name, "sweep_", 6) == 0)
			sweep = true;
		else if (k < 0 && !(name && sqlite_internal(name)))
			foreign = true;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return DBMARK_ERROR;
	if (objects == 0 && version == 0)
		return DBMARK_EMPTY;
	/* A store schema version needs the store's tables, all of them; sweep
	 * tables alone come with version 0. */
	bool store_ok = version == 0 ? store_tables == 0
				     : version <= STORE_SCHEMA_VERSION && store_tables == STORE_TABLES;
	return !foreign && store_ok && (sweep || store_tables > 0) ? DBMARK_LEGACY
								   : DBMARK_FOREIGN;
}

int dbmark_set(sqlite3 *db)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA main.application_id = %d", DBMARK_APPLICATION_ID);
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int dbmark_claim(sqlite3 *db, const char *path, bool mark, FILE *err)
{
	enum dbmark_kind k = dbmark_classify(db);
	if (k == DBMARK_ERROR) {
		fprintf(err, "%s: cannot read the database: %s\n", path, sqlite3_errmsg(db));
		return 3;
	}
	if (k == DBMARK_FOREIGN) {
		fprintf(err,
			"%s: results store: the file is an SQLite database that vnetsim did not "
			"write (application_id is not vnetsim's and its tables are not "
			"vnetsim's); refusing to write to it\n",
			path);
		return 3;
	}
	if (mark && k != DBMARK_OURS && dbmark_set(db) != 0) {
		fprintf(err, "%s: cannot mark the database as vnetsim's: %s\n", path,
			sqlite3_errmsg(db));
		return 3;
	}
	return 0;
}
