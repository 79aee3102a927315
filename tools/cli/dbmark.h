/*
 * dbmark.h - vnetsim's mark on the SQLite files it writes (the results
 * store of `run --db`, the sweep tables of `sweep --db` and `merge`; one
 * file may hold both): PRAGMA application_id = DBMARK_APPLICATION_ID.
 *
 * A file is written only when it is empty (a new file), carries the mark,
 * or is a vnetsim file from before the mark (application_id 0 and nothing
 * but vnetsim's own tables, views and indexes: the store's complete set
 * when it has a store schema version, sweep tables only otherwise); the
 * last two are marked by the caller's write transaction.  Anything else
 * is foreign and refused with exit 3 (README "Results store"), whatever
 * its user_version.
 * Ownership: nothing is kept; the connection is the caller's.
 */
#ifndef TOOLS_DBMARK_H
#define TOOLS_DBMARK_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#define DBMARK_APPLICATION_ID 0x564e5331 /* "VNS1" */

enum dbmark_kind {
	DBMARK_OURS,    /* marked */
	DBMARK_EMPTY,   /* no schema yet: to be marked */
	DBMARK_LEGACY,  /* vnetsim's, from before the mark: to be marked */
	DBMARK_FOREIGN, /* refuse */
	DBMARK_ERROR,   /* cannot read it (sqlite3_errmsg says why) */
};

/* What the main database of db is. */
enum dbmark_kind dbmark_classify(sqlite3 *db);
/* Marks main (inside the caller's write transaction); 0 or -1. */
int dbmark_set(sqlite3 *db);
/* Classifies, refuses a foreign file with the README's message on err
 * (naming path), and marks an empty or legacy one when mark is true.
 * Returns 0, or 3 (refused or an error, reported). */
int dbmark_claim(sqlite3 *db, const char *path, bool mark, FILE *err);

#endif
