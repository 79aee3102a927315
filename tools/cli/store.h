/*
 * store.h - the results store: what runs computed, in one SQLite file
 * (`vnetsim run --db FILE`, read by `vnetsim diff --db FILE`; RULES 4).
 *
 * The schema (README "Results store" documents it for users) is versioned
 * with PRAGMA user_version: a fresh file is created by applying every
 * migration in order, an older file is migrated in place, a newer one is
 * refused.  Route rows are stored once per distinct content: a subnet's
 * table is cut into blocks (contiguous rows of one class: gateway rows, or
 * system and User rows), each block is stored once under the SHA-256 of its
 * canonical text, and a table is the ordered list of its blocks, stored
 * once under the hash of its block hashes.  The Route Server's routes that
 * every subnet of a hub and its spokes receives are thus one block.
 *
 * Writes: one transaction per run (BEGIN IMMEDIATE ... COMMIT), so a run
 * killed mid-way leaves nothing and earlier runs intact.  Several processes
 * may write one file: WAL journal, a busy timeout, and BEGIN retried while
 * another writer holds the lock (up to STORE_BUSY_WAIT_MS in all).
 *
 * Every function reports failures on the FILE it is given, naming the
 * database file, and returns an exit code of tools/cli/cli.h (0, 2, 3).
 *
 * Ownership: struct store owns its connection (store_close); a snapshot
 * from store_load_snapshot reads through the store, which must outlive it.
 * Costs are in store_write.c (hashing each table once per run, rows
 * inserted only for blocks the file does not hold yet).
 */
#ifndef TOOLS_STORE_H
#define TOOLS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run.h"
#include "scenario.h"
#include "snapshot.h"

#define STORE_SCHEMA_VERSION 3
#define STORE_BUSY_WAIT_MS 300000

struct store;
struct reachset;

/* Opens the store, migrating an older schema; create: make the file when
 * it does not exist (run), else a missing file is an error (diff).  0; 2
 * no such file (create false); 3 anything else, with a message. */
int store_open(const char *path, bool create, FILE *err, struct store **out);
void store_close(struct store *s); /* NULL is a no-op */
/* The schema version found when the file was opened (0: a new file). */
int store_opened_version(const struct store *s);

/* What the run itself does not know. */
struct store_run_meta {
	const char *file;              /* the scenario file as given */
	const char *content_sha256;    /* hex SHA-256 of the file's bytes */
	const char *tool_version;
	const char *started_at;        /* UTC, "2026-11-26T02:00:00Z" */
	int64_t wall_ms;               /* load + replay + checks */
	const char *result;            /* "passed" | "failed" */
	/* The reachability matrix per checkpoint (run order), NULL entries or
	 * a NULL array for none (store_reach.c). */
	struct reachset *const *reach;
	size_t nreach;
};

/* A failed expectation: its index in $.expectations and the message. */
struct store_failure {
	size_t index;
	const char *message;
};

/* Stores one run in one transaction.  *id is the new run id.  0 or 3. */
int store_put_run(struct store *s, const struct scenario *sc, const struct run *r,
		  const struct store_run_meta *m, const struct store_failure *f, size_t nf,
		  FILE *err, int64_t *id);

/* The SQL of migration from version v to v + 1 (0 <= v < STORE_SCHEMA_
 * VERSION), for tests that build an old file; NULL otherwise. */
const char *store_migration_sql(int v);

/* The name under which a run is stored: the scenario's "name", else the
 * file name without directory and ".json". */
const char *store_run_name(const struct scenario *sc, const char *file, char *buf, size_t len);

/* Resolves a run reference: a run id ("12"), a scenario name ("hub" or
 * "hub@latest": its most recent run), or "hub@latest~N" (N runs before
 * the most recent).  An id wins over a name made of digits.  0, 2 (no
 * such run, reported) or 3.  desc receives "run 12 (hub)". */
int store_find_run(struct store *s, const char *ref, FILE *err, int64_t *id, char *desc,
		   size_t desclen);

/* Opens the store (which must exist) and finds two runs by reference (as
 * store_find_run): the comparison `diff --db` makes.  0, 2 or 3 (reported;
 * then *out is NULL). */
#define STORE_DESC_LEN 300
int store_open_pair(const char *path, const char *ra, const char *rb, FILE *err,
		    struct store **out, int64_t id[2], char desc[2][STORE_DESC_LEN]);

/* A stored checkpoint of a run as a snapshot; tables load on demand from
 * the store, which must outlive the snapshot.  0, 2 (no such label:
 * reported with the labels there are) or 3. */
int store_load_snapshot(struct store *s, int64_t run, const char *label, FILE *err,
			struct snapshot **out);

/* The reachability matrix `run --db` kept for a run's checkpoint.  0; 2 no
 * such label, or the run was stored without reachability (reported); 3. */
int store_load_reach(struct store *s, int64_t run, const char *label, FILE *err,
		     struct reachset **out);

#endif
