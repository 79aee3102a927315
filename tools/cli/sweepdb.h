/*
 * sweepdb.h - the SQLite record of sweeps: tables prefixed sweep_, with
 * their own schema version in sweep_schema(version), so a sweep can share
 * a file with `vnetsim run --db` (which owns PRAGMA user_version).
 *
 * A study is identified by a key (a hash of the study and scenario files'
 * bytes and the seed): shards of one sweep, recorded on different
 * machines, land on the same study when merged.  Each sweep writes in one
 * transaction (all or nothing); a variant recorded again replaces the old
 * rows.
 * Ownership: struct sweepdb owns its connection (sweepdb_close); strings
 * it is given are bound by value, never kept.
 */
#ifndef TOOLS_SWEEPDB_H
#define TOOLS_SWEEPDB_H

#include <stdint.h>
#include <stdio.h>

/* 1: first; 2: sweep_variant.unprogrammed_vm_s; 3: sweep_capacity.notes;
 * 4: the tables `sweep report` reads (sweepdb.c, REPORT_SCHEMA)
 * (older files are migrated, their old rows NULL in the new columns, and
 * their old studies without rows in the new tables). */
#define SWEEPDB_VERSION 4

struct sweepdb;

struct sweepdb_study {
	const char *key, *kind, *name, *study_file, *scenario_file, *scenario_name;
	uint64_t seed;
	int64_t failure_ms;
	uint64_t variants;             /* in the whole study, all shards */
};

struct sweepdb_variant {
	uint64_t variant;
	const char *label, *klass;
	int status;
	uint64_t session_losses, subnets, nics, destinations;
	double max_blackhole_s, max_lost_s, score;
	double unprogrammed_vm_s;      /* VM-seconds beyond Route Server capacity */
	uint64_t blackholed, lost;     /* destinations (sweep_variant_dests) */
};

/* Opens (creating the tables) and begins the transaction.  0, or 3 with
 * the reason on err (2 for a newer sweep schema than this program's). */
int sweepdb_open(const char *file, FILE *err, struct sweepdb **out);
int sweepdb_study(struct sweepdb *db, const struct sweepdb_study *s);
int sweepdb_variant(struct sweepdb *db, const struct sweepdb_variant *v);
/* sweep --rank-by flows: the flows a variant broke (sweep_variant_flows). */
int sweepdb_variant_flows(struct sweepdb *db, uint64_t variant, uint64_t broken);
int sweepdb_record(struct sweepdb *db, uint64_t variant, const char *subnet, const char *dest,
		   uint64_t nics, int64_t bh_ms, int64_t lost_ms, int64_t changed_ms);
int sweepdb_failure(struct sweepdb *db, uint64_t variant, uint64_t seq, const char *target,
		    int64_t at_ms, int64_t repair_ms, int64_t phase_ms, int64_t bh_ms);
int sweepdb_capacity(struct sweepdb *db, uint64_t seq, const char *limit, const char *scope,
		     double used, double limit_value, double headroom, const char *grows,
		     int64_t bites_at, const char *notes);
/* Version 4, for `sweep report`: the baseline's subnets by index, a
 * monte-carlo black hole (seq: its position among the variant's), a
 * capacity limit's bite and note per dimension, a limit's count in a grown
 * network (NAN, stored NULL: the network lacked the limit's object). */
int sweepdb_subnet(struct sweepdb *db, uint64_t idx, const char *subnet, uint64_t nics);
int sweepdb_sample(struct sweepdb *db, uint64_t variant, uint64_t seq, uint64_t subnet_idx,
		   const char *dest, int64_t bh_ms);
int sweepdb_capacity_dim(struct sweepdb *db, uint64_t seq, unsigned dim, int64_t bites_at,
			 const char *note);
int sweepdb_capacity_point(struct sweepdb *db, unsigned dim, uint64_t step, uint64_t seq,
			   double used);
/* Commits (commit != 0) or rolls back, and closes.  0 or 3. */
int sweepdb_close(struct sweepdb *db, int commit);

/* vnetsim merge: copies every sweep of the inputs into out in one
 * transaction, after checking every input (a bad one leaves out as it
 * was, a missing out uncreated); idempotent.  0, 2 (an input is missing,
 * not a sweep database, or another version), 3 (I/O, a foreign out). */
int sweepdb_merge(const char *out, const char *const *in, size_t nin, FILE *err);

/* Opens file read-only and checks that it holds sweep tables of this
 * version (messages start "vnetsim WHO: FILE: ").  0, 2 (missing, not a
 * database, no sweep tables, another version: said why on err) or 3
 * (cannot open).  *out is set (to be closed by the caller) whenever the
 * file could be opened. */
struct sqlite3;
int sweepdb_open_src(const char *file, const char *who, FILE *err, struct sqlite3 **out);

#endif
