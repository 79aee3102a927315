/*
 * store_int.h - what the three files of the results store share, and
 * nothing else includes: store.c (the schema, its migrations, opening and
 * closing), store_write.c (one run in one transaction) and store_read.c
 * (runs and checkpoints read back for `vnetsim diff --db`).  The design,
 * invariants and error rules are in store.h.
 *
 * Ownership: struct store owns its connection, its path and the prepared
 * statements (finalised by store_close); `err` is borrowed for the
 * operation in progress.
 */
#ifndef TOOLS_STORE_INT_H
#define TOOLS_STORE_INT_H

#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

/* The statements a run is written with, prepared on first use
 * (store_write.c holds their SQL). */
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

struct store {
	sqlite3 *db;
	char *path;
	int opened_version;            /* user_version found at open */
	sqlite3_stmt *st[ST_COUNT];    /* prepared on first use, owned */
	FILE *err;                     /* where the current operation reports */
};

/* Reports the connection's last error on s->err, naming the file, with a
 * hint for the common causes; returns CLI_EXIT_ENV. */
int store_db_fail(struct store *s, const char *what);
/* BEGIN IMMEDIATE, retried while another writer holds the lock (up to
 * STORE_BUSY_WAIT_MS).  0 or CLI_EXIT_ENV (reported). */
int store_begin(struct store *s);
void store_rollback(struct store *s);
void store_sleep_ms(long ms);
/* The id of a run's checkpoint by label (s->err set): 0; 2 no such label
 * (reported with the labels there are); 3. */
int store_checkpoint_id(struct store *s, int64_t run, const char *label, int64_t *cid);
/* Writes a checkpoint's reachability matrix (store_reach.c): 0 or 3. */
struct reachset;
int store_put_reach(struct store *s, int64_t checkpoint_id, const struct reachset *rs);

#endif
