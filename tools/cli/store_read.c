/*
 * store_read.c - reading the results store back (store.h): runs found by
 * id or scenario name, and a stored checkpoint as a snapshot whose tables
 * load from the file on demand (vnetsim diff --db).
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "arena.h"
#include "prefix.h"
#include "cli.h"
#include "store_int.h"
#include "vec.h"

/* ---- reading ------------------------------------------------------------------ */

/* Which history NAME names: the runs of the file stored as NAME (*by_file),
 * else the runs of the scenario named NAME, provided they all come from one
 * file: two files that share a scenario name do not share a history, and
 * such a name is refused (exit 2) with the files to name instead. */
static int history_key(struct store *s, const char *name, bool *by_file)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT 1, file FROM runs WHERE file = ?1"
			       " UNION SELECT 0, file FROM runs WHERE scenario = ?1"
			       " ORDER BY 1 DESC, 2",
			       -1, &q, NULL) != SQLITE_OK)
		return store_db_fail(s, "cannot look up runs");
	sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
	char files[512] = "";
	size_t nfiles = 0, used = 0;
	int rc;
	*by_file = false;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int(q, 0) == 1) {
			*by_file = true;
			break;
		}
		const char *f = (const char *)sqlite3_column_text(q, 1);
		if (used < sizeof(files))
			used += (size_t)snprintf(files + used, sizeof(files) - used, "%s%s",
						 nfiles ? ", " : "", f ? f : "?");
		nfiles++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_fail(s, "cannot look up runs");
	if (*by_file || nfiles < 2)
		return 0;
	fprintf(s->err,
		"%s: scenario name \"%s\" is shared by runs of %zu files (%s%s): their runs are "
		"not one history; name a run by its file instead (FILE, FILE@latest, "
		"FILE@latest~N) or by id\n",
		s->path, name, nfiles, files, used >= sizeof(files) ? "..." : "");
	return CLI_EXIT_INVALID;
}

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
	bool by_file = false;
	if (!by_id) {
		int krc = history_key(s, name, &by_file);
		if (krc)
			return krc;
	}
	sqlite3_stmt *q = NULL;
	const char *sql = by_id     ? "SELECT id, scenario FROM runs WHERE id = ?1"
			  : by_file ? "SELECT id, scenario FROM runs WHERE file = ?1"
				      " ORDER BY id DESC LIMIT 1 OFFSET ?2"
				    : "SELECT id, scenario FROM runs WHERE scenario = ?1"
				      " ORDER BY id DESC LIMIT 1 OFFSET ?2";
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_db_fail(s, "cannot look up runs");
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
		return store_db_fail(s, "cannot look up runs");
	if (by_id)
		fprintf(err, "%s: no run with id %s\n", s->path, ref);
	else if (back)
		fprintf(err, "%s: %s \"%s\" has no run %ld before its latest\n", s->path,
			by_file ? "file" : "scenario", name, back);
	else
		fprintf(err, "%s: no run of a scenario named \"%s\" (runs are named by id, by "
			     "scenario name or by file: NAME, NAME@latest, NAME@latest~N)\n",
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
		store_db_fail(s, "cannot read a table");
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
		store_db_fail(s, "cannot read a table");
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
		return store_db_fail(s, "cannot read checkpoints");
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

int store_checkpoint_id(struct store *s, int64_t run, const char *label, int64_t *cid)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM checkpoints WHERE run_id = ? AND label = ?",
			       -1, &q, NULL) != SQLITE_OK)
		return store_db_fail(s, "cannot read checkpoints");
	sqlite3_bind_int64(q, 1, run);
	sqlite3_bind_text(q, 2, label, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	*cid = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_fail(s, "cannot read checkpoints");
	if (rc == SQLITE_DONE) {
		fprintf(s->err, "%s: run %lld has no checkpoint \"%s\"", s->path, (long long)run,
			label);
		return list_labels(s, run, s->err);
	}
	return 0;
}

int store_load_snapshot(struct store *s, int64_t run, const char *label, FILE *err,
			struct snapshot **out)
{
	s->err = err;
	*out = NULL;
	int64_t cid;
	int rc = store_checkpoint_id(s, run, label, &cid);
	if (rc)
		return rc;
	int64_t nsub, nnic;
	if (count_rows(s, "SELECT count(*) FROM subnet_tables WHERE checkpoint_id = ?", cid,
		       &nsub) != 0 ||
	    count_rows(s, "SELECT count(*) FROM nics WHERE checkpoint_id = ?", cid, &nnic) != 0)
		return store_db_fail(s, "cannot read a checkpoint");
	struct snapshot *sn = snapshot_create((size_t)nsub, (size_t)nnic, fill_stored, s);
	if (!sn) {
		fprintf(err, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	if (load_members(s, cid, sn) != 0) {
		snapshot_destroy(sn);
		if (sqlite3_errcode(s->db) != SQLITE_OK && sqlite3_errcode(s->db) != SQLITE_DONE &&
		    sqlite3_errcode(s->db) != SQLITE_ROW)
			return store_db_fail(s, "cannot read a checkpoint");
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


int store_open_pair(const char *path, const char *ra, const char *rb, FILE *err,
		    struct store **out, int64_t id[2], char desc[2][STORE_DESC_LEN])
{
	int rc = store_open(path, false, err, out);
	if (!rc)
		rc = store_find_run(*out, ra, err, &id[0], desc[0], STORE_DESC_LEN);
	if (!rc)
		rc = store_find_run(*out, rb, err, &id[1], desc[1], STORE_DESC_LEN);
	if (rc) {
		store_close(*out);
		*out = NULL;
	}
	return rc;
}
