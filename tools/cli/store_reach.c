/*
 * store_reach.c - the reachability matrix of each checkpoint in the results
 * store (schema version 3, store.c; RULES 1.11): written by `run --db`,
 * read back by `diff --db --reach`.
 *
 * Layout, grouped so that ref-4k (401 sources x 12,402 destinations, 5
 * million flows) is a few thousand rows per checkpoint: the destination
 * list is stored once per distinct content (reach_destsets, keyed by the
 * SHA-256 of "vnetsim-dests-1\n" then "kind\tname\n" per destination),
 * the distinct outcomes per checkpoint (reach_outcomes), and per source one
 * row per (outcome, return symmetry) whose BLOB holds the destination
 * spans (first, last) as little-endian uint32 pairs (reach_flows).
 *
 * Reading checks what it reads (reachset_seal): a file altered by hand
 * is refused as inconsistent, never read past its arrays.
 * Costs: writing O(spans log spans) per checkpoint plus, for a new
 * destination list, one row per destination; reading O(rows + spans).
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cli.h"
#include "digest.h"
#include "reachset.h"
#include "store_int.h"
#include "vec.h"

static int prep(struct store *s, const char *sql, sqlite3_stmt **q)
{
	return sqlite3_prepare_v2(s->db, sql, -1, q, NULL) == SQLITE_OK ? 0 : -1;
}

static int done(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The id of the destination list (stored when new); -1 on a database error. */
static int64_t put_dests(struct store *s, const struct reachset *rs)
{
	struct digest h;
	char hex[DIGEST_HEX_LEN + 1];
	digest_init(&h);
	digest_update(&h, "vnetsim-dests-1\n", 16);
	for (size_t i = 0; i < rs->ndests; i++) {
		const char *k = reach_kind_name(rs->dests[i].kind);
		digest_update(&h, k, strlen(k));
		digest_update(&h, "\t", 1);
		digest_update(&h, rs->dests[i].name, strlen(rs->dests[i].name));
		digest_update(&h, "\n", 1);
	}
	digest_hex(&h, hex);
	sqlite3_stmt *q = NULL;
	int64_t id = -1;
	if (prep(s, "SELECT id FROM reach_destsets WHERE sha256 = ?", &q) != 0)
		return -1;
	sqlite3_bind_text(q, 1, hex, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW || rc != SQLITE_DONE)
		return id;
	if (prep(s, "INSERT INTO reach_destsets (sha256, n) VALUES (?,?)", &q) != 0)
		return -1;
	sqlite3_bind_text(q, 1, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, (int64_t)rs->ndests);
	rc = done(q);
	sqlite3_finalize(q);
	if (rc != 0)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	if (prep(s, "INSERT INTO reach_dests (destset_id, idx, kind, name) VALUES (?,?,?,?)", &q))
		return -1;
	for (size_t i = 0; i < rs->ndests && rc == 0; i++) {
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, (int64_t)i);
		sqlite3_bind_text(q, 3, reach_kind_name(rs->dests[i].kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, rs->dests[i].name, -1, SQLITE_STATIC);
		rc = done(q);
	}
	sqlite3_finalize(q);
	return rc == 0 ? id : -1;
}

static int put_outcomes(struct store *s, int64_t cid, const struct reachset *rs)
{
	sqlite3_stmt *q;
	if (prep(s, "INSERT INTO reach_outcomes (checkpoint_id, idx, result, paths, ok, appliances,"
		    " ends) VALUES (?,?,?,?,?,?,?)", &q) != 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < rs->noutcomes && rc == 0; i++) {
		const struct reachset_outcome *o = &rs->outcomes[i];
		sqlite3_bind_int64(q, 1, cid);
		sqlite3_bind_int64(q, 2, (int64_t)i);
		sqlite3_bind_text(q, 3, trace_verdict_name(o->verdict), -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, o->paths);
		sqlite3_bind_int64(q, 5, o->ok);
		sqlite3_bind_text(q, 6, o->appliances, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 7, o->ends, -1, SQLITE_STATIC);
		rc = done(q);
	}
	sqlite3_finalize(q);
	return rc;
}

static int span_by_cell(const void *a, const void *b)
{
	const struct reachset_span *x = a, *y = b;
	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Source s's spans, one row per cell. */
static int put_source(struct store *s, sqlite3_stmt *q, int64_t cid, const struct reachset *rs,
		      size_t s_idx, struct reachset_span *v, size_t n, unsigned char *blob)
{
	qsort(v, n, sizeof *v, span_by_cell);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0;) {
		size_t e = i;
		uint64_t flows = 0;
		for (; e < n && v[e].cell == v[i].cell; e++) {
			put_u32(blob + 8 * (e - i), v[e].first);
			put_u32(blob + 8 * (e - i) + 4, v[e].last);
			flows += (uint64_t)v[e].last - v[e].first + 1;
		}
		sqlite3_bind_int64(q, 1, cid);
		sqlite3_bind_int64(q, 2, (int64_t)s_idx);
		sqlite3_bind_text(q, 3, rs->sources[s_idx], -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, v[i].cell >> 2);
		sqlite3_bind_text(q, 5, reach_sym_name((enum reach_sym)(v[i].cell & 3u)), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, (int64_t)flows);
		sqlite3_bind_blob(q, 7, blob, (int)(8 * (e - i)), SQLITE_STATIC);
		rc = done(q);
		i = e;
	}
	return rc;
}

static int put_flows(struct store *s, int64_t cid, const struct reachset *rs)
{
	sqlite3_stmt *q;
	if (prep(s, "INSERT INTO reach_flows (checkpoint_id, source_seq, source, outcome,"
		    " return_path, flows, spans) VALUES (?,?,?,?,?,?,?)", &q) != 0)
		return -1;
	struct reachset_span *v = malloc((rs->nspans + 1) * sizeof *v);
	unsigned char *blob = malloc(8 * (rs->nspans + 1));
	int rc = v && blob ? 0 : -2;
	for (size_t i = 0; i < rs->nspans && rc == 0;) {
		size_t e = i;
		while (e < rs->nspans && rs->spans[e].source == rs->spans[i].source)
			e++;
		memcpy(v, &rs->spans[i], (e - i) * sizeof *v);
		rc = put_source(s, q, cid, rs, rs->spans[i].source, v, e - i, blob);
		i = e;
	}
	sqlite3_finalize(q);
	free(v);
	free(blob);
	return rc;
}

int store_put_reach(struct store *s, int64_t cid, const struct reachset *rs)
{
	int64_t dset = put_dests(s, rs);
	sqlite3_stmt *q = NULL;
	int rc = dset < 0 ? -1 : 0;
	if (rc == 0)
		rc = prep(s, "INSERT INTO reach_checkpoints (checkpoint_id, destset_id, sources, flows,"
			     " failing) VALUES (?,?,?,?,?)", &q);
	if (rc == 0) {
		sqlite3_bind_int64(q, 1, cid);
		sqlite3_bind_int64(q, 2, dset);
		sqlite3_bind_int64(q, 3, (int64_t)rs->nsources);
		sqlite3_bind_int64(q, 4, (int64_t)(rs->nsources * rs->ndests));
		sqlite3_bind_int64(q, 5, (int64_t)reachset_failing(rs));
		rc = done(q);
	}
	sqlite3_finalize(q);
	if (rc == 0)
		rc = put_outcomes(s, cid, rs);
	if (rc == 0)
		rc = put_flows(s, cid, rs);
	if (rc == -2) {
		fprintf(s->err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	return rc ? store_db_fail(s, "cannot store a reachability matrix") : 0;
}

/* ---- reading -------------------------------------------------------------- */

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int span_by_place(const void *a, const void *b)
{
	const struct reachset_span *x = a, *y = b;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* -1 database, -2 memory, -3 inconsistent. */
static int load_dests(struct store *s, int64_t dset, struct reachset *rs)
{
	sqlite3_stmt *q;
	if (prep(s, "SELECT kind, name FROM reach_dests WHERE destset_id = ? ORDER BY idx", &q))
		return -1;
	sqlite3_bind_int64(q, 1, dset);
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 0);
		const char *n = (const char *)sqlite3_column_text(q, 1);
		int kind = k ? reachset_kind_parse(k) : -1;
		if (kind < 0 || !n)
			ret = -3;
		else if (reachset_add_dest(rs, (enum reach_kind)kind, n) != 0)
			ret = -2;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = -1;
	sqlite3_finalize(q);
	return ret;
}

static int load_outcomes(struct store *s, int64_t cid, struct reachset *rs)
{
	sqlite3_stmt *q;
	if (prep(s, "SELECT result, paths, ok, appliances, ends FROM reach_outcomes"
		    " WHERE checkpoint_id = ? ORDER BY idx", &q))
		return -1;
	sqlite3_bind_int64(q, 1, cid);
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 0);
		const char *ap = (const char *)sqlite3_column_text(q, 3);
		const char *ends = (const char *)sqlite3_column_text(q, 4);
		int verdict = v ? reachset_verdict_parse(v) : -1;
		struct reachset_outcome o = { (enum trace_verdict)verdict,
					      (unsigned)sqlite3_column_int64(q, 1),
					      (unsigned)sqlite3_column_int64(q, 2), ap, ends };
		if (verdict < 0 || !ap || !ends)
			ret = -3;
		else if (reachset_add_outcome(rs, &o) != 0)
			ret = -2;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = -1;
	sqlite3_finalize(q);
	return ret;
}

static int load_flows(struct store *s, int64_t cid, struct reachset *rs)
{
	sqlite3_stmt *q;
	if (prep(s, "SELECT source_seq, source, outcome, return_path, spans FROM reach_flows"
		    " WHERE checkpoint_id = ? ORDER BY source_seq", &q))
		return -1;
	sqlite3_bind_int64(q, 1, cid);
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(q, 0), out = sqlite3_column_int64(q, 2);
		const char *src = (const char *)sqlite3_column_text(q, 1);
		const char *ret_path = (const char *)sqlite3_column_text(q, 3);
		const unsigned char *blob = sqlite3_column_blob(q, 4);
		int nb = sqlite3_column_bytes(q, 4);
		int sym = -1;
		for (int k = RS_NA; ret_path && k <= RS_ECMP; k++)
			if (strcmp(ret_path, reach_sym_name((enum reach_sym)k)) == 0)
				sym = k;
		if (!src || sym < 0 || nb % 8 || out < 0 || out > (int64_t)(UINT32_MAX >> 2) ||
		    seq < 0 || seq > (int64_t)rs->nsources) {
			ret = -3;
			break;
		}
		if (seq == (int64_t)rs->nsources && reachset_add_source(rs, src) != 0)
			ret = -2;
		for (int i = 0; ret == 0 && i < nb; i += 8) {
			struct reachset_span sp = { (uint32_t)seq, get_u32(blob + i),
						    get_u32(blob + i + 4),
						    (uint32_t)out << 2 | (uint32_t)sym };
			if (reachset_add_span(rs, sp) != 0)
				ret = -2;
		}
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = -1;
	sqlite3_finalize(q);
	if (ret == 0 && rs->nspans)
		qsort(rs->spans, rs->nspans, sizeof *rs->spans, span_by_place);
	return ret;
}

/* The destination list of a checkpoint's matrix: 0, 1 none stored, -1. */
static int reach_head(struct store *s, int64_t cid, int64_t *dset)
{
	sqlite3_stmt *q;
	if (prep(s, "SELECT destset_id FROM reach_checkpoints WHERE checkpoint_id = ?", &q))
		return -1;
	sqlite3_bind_int64(q, 1, cid);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*dset = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int store_load_reach(struct store *s, int64_t run, const char *label, FILE *err,
		     struct reachset **out)
{
	s->err = err;
	*out = NULL;
	int64_t cid = 0, dset = 0;
	int rc = store_checkpoint_id(s, run, label, &cid);
	if (rc)
		return rc;
	rc = reach_head(s, cid, &dset);
	if (rc == 1) {
		fprintf(err, "%s: run %lld was stored without reachability at \"%s\" (by a vnetsim "
			     "before store version 3): store it again with vnetsim run --db\n",
			s->path, (long long)run, label);
		return CLI_EXIT_INVALID;
	}
	struct reachset *rs = rc == 0 ? reachset_create() : NULL;
	if (rc == 0)
		rc = rs ? 0 : -2;
	if (rc == 0)
		rc = load_dests(s, dset, rs);
	if (rc == 0)
		rc = load_outcomes(s, cid, rs);
	if (rc == 0)
		rc = load_flows(s, cid, rs);
	char why[300] = "";
	if (rc == 0 && reachset_seal(rs, why, sizeof why) != 0)
		rc = -3;
	if (rc == 0) {
		*out = rs;
		return 0;
	}
	reachset_destroy(rs);
	if (rc == -2) {
		fprintf(err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	if (rc == -3) {
		fprintf(err, "%s: results store: the reachability of checkpoint %lld is "
			     "inconsistent%s%s\n",
			s->path, (long long)cid, why[0] ? ": " : "", why);
		return CLI_EXIT_ENV;
	}
	return store_db_fail(s, "cannot read a reachability matrix");
}
