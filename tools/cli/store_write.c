/*
 * store_write.c - writing one run into the results store (store.h), in one
 * transaction.
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

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "arena.h"
#include "prefix.h"
#include "strmap.h"
#include "cli.h"
#include "render.h"
#include "digest.h"
#include "store_int.h"
#include "timeline.h"
#include "vec.h"

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

/* Statements are reset right after their step (step_done, lookup_id), never
 * left mid-result: a SELECT left on a row keeps its connection's read
 * snapshot open past COMMIT, and once another process commits, every later
 * BEGIN IMMEDIATE fails with SQLITE_BUSY_SNAPSHOT, which no retry clears
 * (issue 18; tests/store/many-writers.sh). */
static sqlite3_stmt *stmt(struct store *s, enum stmt_id id)
{
	if (!s->st[id] && sqlite3_prepare_v2(s->db, STMT_SQL[id], -1, &s->st[id], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
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
	if (!q)
		return store_db_fail(w->s, what);
	int rc = sqlite3_step(q);
	if (rc != SQLITE_DONE) {
		int ret = store_db_fail(w->s, what);
		sqlite3_reset(q);
		return ret;
	}
	sqlite3_reset(q);
	return 0;
}

/* The canonical form of a row for hashing: fixed-width big-endian fields,
 * cheaper than the text columns (tables of thousands of BGP rows are
 * hashed once per subnet). */
static void hash_row(struct digest *h, const struct route_row *r)
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
	digest_update(h, b, k);
	for (size_t i = 0; i < np; i++) {
		unsigned char pb[5] = { (unsigned char)(r->prefixes[i].addr >> 24),
					(unsigned char)(r->prefixes[i].addr >> 16),
					(unsigned char)(r->prefixes[i].addr >> 8),
					(unsigned char)r->prefixes[i].addr, r->prefixes[i].len };
		digest_update(h, pb, 5);
	}
	/* name: length then bytes; 0xffff for null */
	size_t nl = r->name ? strlen(r->name) : 0xffff;
	unsigned char lb[2] = { (unsigned char)(nl >> 8), (unsigned char)nl };
	digest_update(h, lb, 2);
	if (r->name)
		digest_update(h, r->name, nl);
}

static bool lookup_id(struct writer *w, enum stmt_id id, const char *hash, int64_t *out)
{
	sqlite3_stmt *q = stmt(w->s, id);
	if (!q) {
		w->rc = store_db_fail(w->s, "cannot prepare a query");
		return false;
	}
	bind_text(q, 1, hash);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE)
		w->rc = store_db_fail(w->s, "cannot look up a table");
	sqlite3_reset(q);
	return rc == SQLITE_ROW;
}

/* Stores rows[a, b) as a block (once per content). */
static int put_block(struct writer *w, const struct route_row *rows, size_t a, size_t b,
		     char hash[DIGEST_HEX_LEN + 1], int64_t *id)
{
	struct digest h;
	digest_init(&h);
	digest_update(&h, "vnetsim-block-2\n", 16);
	digest_update(&h, "\0\0", 2); /* format 0 of hash_row */
	for (size_t i = a; i < b; i++)
		hash_row(&h, &rows[i]);
	digest_hex(&h, hash);
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
	char hashes[MAX_BLOCKS][DIGEST_HEX_LEN + 1];
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
	struct digest h;
	char th[DIGEST_HEX_LEN + 1];
	bool disable = eff_disable_bgp(t);
	digest_init(&h);
	digest_update(&h, "vnetsim-table-2\n", 16);
	digest_update(&h, disable ? "1\n" : "0\n", 2);
	for (size_t i = 0; i < nb; i++) {
		digest_update(&h, hashes[i], DIGEST_HEX_LEN);
		digest_update(&h, "\n", 1);
	}
	digest_hex(&h, th);
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

static int put_checkpoint(struct writer *w, const struct checkpoint *c, size_t seq,
			  const struct reachset *reach)
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
	if (reach && store_put_reach(w->s, cid, reach) != 0)
		return CLI_EXIT_ENV;
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
	char hash[DIGEST_HEX_LEN + 1];
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
		rc = put_checkpoint(w, run_checkpoint_get(r, i), i,
				    i < m->nreach && m->reach ? m->reach[i] : NULL);
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
	store_sleep_ms(strtol(v, NULL, 10));
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
		rc = store_begin(s);
	if (!rc) {
		rc = put_run_body(&w, sc, r, m, f, nf);
		if (!rc) {
			test_pause(err);
			if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
				rc = store_db_fail(s, "cannot commit the run");
		}
		if (rc)
			store_rollback(s);
		else
			*id = w.run_id;
	}
	free(w.rows);
	strmap_destroy(w.seen);
	arena_destroy(w.arena);
	return rc;
}

