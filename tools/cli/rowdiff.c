/*
 * rowdiff.c - multiset comparison of effective-route rows.  See rowdiff.h.
 *
 * Both sides are sorted by (row key, name with null first, set order).
 * Walking them together, each run of rows with an equal key on either side
 * is a group; inside a group rows pair up by name:
 *   1. `from` rows with a name take the `to` row with the same name (a
 *      merge: both sides are sorted by name);
 *   2. `from` rows without a name take a remaining `to` row: any one with
 *      ROWDIFF_NAMES_IF_FROM, only an unnamed one with ROWDIFF_NAMES_EXACT.
 * What is left unpaired is removed (from) or added (to).  Greedy pairing is
 * optimal here: a named row can only pair with its own name, and unnamed
 * `from` rows take whatever is left.
 */
#include "rowdiff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "prefix.h"
#include "vec.h"

struct rowdiff_set {
	struct arena *arena;           /* prefixes and names of the rows */
	struct route_row *rows;
	size_t n, cap;
	/* Rows keep pointing at their table's prefixes and names (copied
	 * only to sort a service endpoint row's prefixes): the sets of a
	 * rowdiff_change of tables, which live as long as those tables. */
	bool borrow;
};

struct rowdiff_set *rowdiff_set_create(void)
{
	struct rowdiff_set *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->arena = arena_create();
	if (!s->arena) {
		free(s);
		return NULL;
	}
	return s;
}

/* A set for a change of tables (see struct rowdiff_set's borrow). */
static struct rowdiff_set *set_borrowing(void)
{
	struct rowdiff_set *s = rowdiff_set_create();
	if (s)
		s->borrow = true;
	return s;
}

void rowdiff_set_destroy(struct rowdiff_set *s)
{
	if (!s)
		return;
	arena_destroy(s->arena);
	free(s->rows);
	free(s);
}

size_t rowdiff_set_count(const struct rowdiff_set *s)
{
	return s->n;
}

const struct route_row *rowdiff_set_row(const struct rowdiff_set *s, size_t i)
{
	return &s->rows[i];
}

size_t rowdiff_set_drop_platform_none(struct rowdiff_set *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!(s->rows[i].source == SRC_DEFAULT && s->rows[i].nh == NH_NONE))
			s->rows[k++] = s->rows[i];
	size_t dropped = s->n - k;
	s->n = k;
	return dropped;
}

static bool prefixes_sorted(const struct prefix *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (prefix_compare(p[i - 1], p[i]) > 0)
			return false;
	return true;
}

int rowdiff_set_add(struct rowdiff_set *s, const struct route_row *r)
{
	if (VEC_RESERVE(s->rows, s->cap, s->n + 1) != 0)
		return -1;
	struct route_row c = *r;
	if (s->borrow && prefixes_sorted(r->prefixes, r->nprefixes)) {
		s->rows[s->n++] = c;
		return 0;
	}
	struct prefix *p = arena_calloc(s->arena, r->nprefixes ? r->nprefixes : 1, sizeof(*p));
	if (!p)
		return -1;
	memcpy(p, r->prefixes, r->nprefixes * sizeof(*p));
	/* The multiset rule compares sorted prefix lists. */
	if (r->nprefixes > 1 && !prefixes_sorted(p, r->nprefixes))
		qsort(p, r->nprefixes, sizeof(*p), prefix_cmp_qsort);
	c.prefixes = p;
	if (r->name && !(c.name = arena_strdup(s->arena, r->name)))
		return -1;
	if (r->rt_name && !(c.rt_name = arena_strdup(s->arena, r->rt_name)))
		return -1;
	s->rows[s->n++] = c;
	return 0;
}

int rowdiff_set_add_table(struct rowdiff_set *s, const struct eff_table *t, bool without_rs)
{
	if (!t)
		return 0;
	struct eff_iter it = { 0 };
	struct route_row r;
	while (eff_row(t, without_rs, &it, &r))
		if (rowdiff_set_add(s, &r) != 0)
			return -1;
	return 0;
}

/* ---- az JSON rows --------------------------------------------------------- */

static bool parse_source(const char *s, enum route_source *out)
{
	static const enum route_source all[] = { SRC_DEFAULT, SRC_USER, SRC_GATEWAY };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(route_source_name(all[i]), s) == 0) {
			*out = all[i];
			return true;
		}
	return false;
}

/* One az row into r; prefixes go to the arena.  NULL, or what is wrong. */
static const char *parse_az_row(struct rowdiff_set *s, const cJSON *o, struct route_row *r,
				char *why, size_t whylen)
{
	if (!cJSON_IsObject(o))
		return "a row is a JSON object";
	*r = (struct route_row){ 0 };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "source");
	if (!cJSON_IsString(v) || !parse_source(v->valuestring, &r->source))
		return "source: expected Default, User or VirtualNetworkGateway";
	v = cJSON_GetObjectItemCaseSensitive(o, "state");
	if (!cJSON_IsString(v) ||
	    (strcmp(v->valuestring, "Active") != 0 && strcmp(v->valuestring, "Invalid") != 0))
		return "state: expected Active or Invalid";
	r->active = strcmp(v->valuestring, "Active") == 0;
	v = cJSON_GetObjectItemCaseSensitive(o, "nextHopType");
	if (!cJSON_IsString(v) || !nh_type_parse(v->valuestring, &r->nh)) {
		snprintf(why, whylen, "nextHopType: \"%.60s\" is not a next hop type vnetsim knows",
			 cJSON_IsString(v) ? v->valuestring : "?");
		return why;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "addressPrefix");
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return "addressPrefix: expected a non-empty array of CIDR strings";
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	struct prefix *p = arena_calloc(s->arena, n, sizeof(*p));
	if (!p)
		return NULL; /* reported as out of memory by the caller */
	for (const cJSON *e = v->child; e; e = e->next, i++)
		if (!cJSON_IsString(e) || prefix_parse(e->valuestring, &p[i]) != PREFIX_OK) {
			snprintf(why, whylen, "addressPrefix[%zu]: \"%.60s\" is not a CIDR prefix",
				 i, cJSON_IsString(e) ? e->valuestring : "?");
			return why;
		}
	r->prefixes = p;
	r->nprefixes = n;
	v = cJSON_GetObjectItemCaseSensitive(o, "nextHopIpAddress");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsArray(v))
			return "nextHopIpAddress: expected an array of addresses";
		if (cJSON_GetArraySize(v) > 1)
			return "nextHopIpAddress: rows with several next hop addresses are not "
			       "supported (Azure shows one address per row)";
		if (v->child) {
			if (!cJSON_IsString(v->child) ||
			    ipv4_parse(v->child->valuestring, &r->nh_ip) != 0)
				return "nextHopIpAddress[0]: expected an IPv4 address";
			r->has_nh_ip = true;
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "name");
	if (cJSON_IsString(v))
		r->name = v->valuestring;
	else if (v && !cJSON_IsNull(v))
		return "name: expected a string or null";
	return NULL;
}

int rowdiff_set_add_az(struct rowdiff_set *s, const cJSON *doc, char *err, size_t errlen)
{
	const cJSON *value = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "value")
						 : doc;
	if (!cJSON_IsArray(value)) {
		snprintf(err, errlen,
			 "expected {\"value\": [rows]} as az prints it, or an array of rows");
		return -2;
	}
	size_t i = 0;
	for (const cJSON *o = value->child; o; o = o->next, i++) {
		struct route_row r;
		char why[160];
		const char *bad = parse_az_row(s, o, &r, why, sizeof(why));
		if (bad) {
			snprintf(err, errlen, "value[%zu].%s", i, bad);
			return -2;
		}
		if (!r.prefixes || rowdiff_set_add(s, &r) != 0)
			return -1;
	}
	return 0;
}

/* ---- comparison ----------------------------------------------------------- */

int rowdiff_row_cmp(const struct route_row *a, const struct route_row *b)
{
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	if (a->active != b->active)
		return a->active ? -1 : 1;
	if (a->nh != b->nh)
		return a->nh < b->nh ? -1 : 1;
	if (a->nprefixes != b->nprefixes)
		return a->nprefixes < b->nprefixes ? -1 : 1;
	for (size_t i = 0; i < a->nprefixes; i++) {
		int c = prefix_compare(a->prefixes[i], b->prefixes[i]);
		if (c)
			return c;
	}
	if (a->has_nh_ip != b->has_nh_ip)
		return a->has_nh_ip ? 1 : -1;
	if (a->has_nh_ip && a->nh_ip != b->nh_ip)
		return a->nh_ip < b->nh_ip ? -1 : 1;
	return 0;
}

static int name_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL); /* null first */
	return strcmp(a, b);
}

struct item {
	const struct route_row *row;
	size_t idx;                    /* in its set */
	bool paired;
};

/* The walk's order of keys: first prefix, then rowdiff_row_cmp.  Two rows
 * with equal keys have equal first prefixes, so every group of equal keys
 * stays together, and a table's gateway rows (thousands, listed in prefix
 * order) arrive already in this order: sorting the items costs a merge of
 * a few runs, not O(n log n). */
static int key_cmp(const struct route_row *a, const struct route_row *b)
{
	if (a->nprefixes && b->nprefixes) {
		int c = prefix_compare(a->prefixes[0], b->prefixes[0]);
		if (c)
			return c;
	} else if (a->nprefixes != b->nprefixes) {
		return a->nprefixes < b->nprefixes ? -1 : 1;
	}
	return rowdiff_row_cmp(a, b);
}

static int item_cmp(const struct item *a, const struct item *b)
{
	int c = key_cmp(a->row, b->row);
	if (!c)
		c = name_cmp(a->row->name, b->row->name);
	if (!c)
		c = (a->idx > b->idx) - (a->idx < b->idx);
	return c;
}

/* Merges the sorted runs v[a..b) and v[b..c) into out[a..c). */
static void merge_runs(const struct item *v, size_t a, size_t b, size_t c, struct item *out)
{
	size_t i = a, j = b, k = a;
	while (i < b && j < c)
		out[k++] = item_cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < b)
		out[k++] = v[i++];
	while (j < c)
		out[k++] = v[j++];
}

/* Sorts v[0..n) by item_cmp (a total order: idx is unique) by merging its
 * ascending runs, O(n log runs).  *pv may be swapped with a buffer of the
 * same size.  0 or -1. */
static int items_sort(struct item **pv, size_t n)
{
	struct item *v = *pv;
	size_t *run = NULL, nrun = 0, cap = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || item_cmp(&v[i - 1], &v[i]) > 0) {
			size_t *slot = VEC_PUSH(run, nrun, cap);
			if (!slot) {
				free(run);
				return -1;
			}
			*slot = i;
		}
	if (nrun <= 1) {
		free(run);
		return 0;
	}
	struct item *tmp = malloc(n * sizeof(*tmp));
	if (!tmp) {
		free(run);
		return -1;
	}
	while (nrun > 1) {
		size_t k = 0;
		for (size_t r = 0; r < nrun; r += 2) {
			size_t a = run[r], b = r + 1 < nrun ? run[r + 1] : n,
			       c = r + 2 < nrun ? run[r + 2] : n;
			merge_runs(v, a, b, c, tmp);
			run[k++] = a;
		}
		nrun = k;
		struct item *t = v;
		v = tmp;
		tmp = t;
	}
	free(tmp);
	free(run);
	*pv = v;
	return 0;
}

static struct item *sorted_items(const struct rowdiff_set *s)
{
	struct item *v = malloc((s->n ? s->n : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		v[i] = (struct item){ &s->rows[i], i, false };
	if (items_sort(&v, s->n) != 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* Pairs one group: f[0..nf) and t[0..nt), both sorted by name. */
static void pair_group(struct item *f, size_t nf, struct item *t, size_t nt,
		       enum rowdiff_names names)
{
	/* 1. named from rows with the same name */
	size_t i = 0, j = 0;
	while (i < nf && j < nt) {
		if (!f[i].row->name) {
			i++;
			continue;
		}
		int c = name_cmp(f[i].row->name, t[j].row->name);
		if (c == 0) {
			f[i++].paired = true;
			t[j++].paired = true;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	/* 2. unnamed from rows take what is left */
	j = 0;
	for (i = 0; i < nf && !f[i].row->name; i++) {
		while (j < nt && (t[j].paired || (names == ROWDIFF_NAMES_EXACT && t[j].row->name)))
			j++;
		if (j == nt)
			break;
		f[i].paired = true;
		t[j++].paired = true;
	}
}

/* The rows of s left unpaired in v[0..n), in s's order: O(n), whatever
 * order v is in. */
static int collect(const struct rowdiff_set *s, const struct item *v, size_t n,
		   const struct route_row ***out, size_t *nout)
{
	bool *left = calloc(n ? n : 1, sizeof(*left));
	if (!left)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].paired) {
			left[v[i].idx] = true;
			k++;
		}
	*out = malloc((k ? k : 1) * sizeof(**out));
	if (!*out) {
		free(left);
		return -1;
	}
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (left[i])
			(*out)[k++] = &s->rows[i];
	free(left);
	*nout = k;
	return 0;
}

int rowdiff_compare(const struct rowdiff_set *from, const struct rowdiff_set *to,
		    enum rowdiff_names names, struct rowdiff_result *out)
{
	*out = (struct rowdiff_result){ 0 };
	struct item *f = sorted_items(from), *t = sorted_items(to);
	int rc = -1;
	if (!f || !t)
		goto done;
	size_t i = 0, j = 0;
	while (i < from->n && j < to->n) {
		int c = key_cmp(f[i].row, t[j].row);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			size_t ie = i, je = j;
			while (ie < from->n && rowdiff_row_cmp(f[ie].row, f[i].row) == 0)
				ie++;
			while (je < to->n && rowdiff_row_cmp(t[je].row, t[j].row) == 0)
				je++;
			pair_group(f + i, ie - i, t + j, je - j, names);
			i = ie;
			j = je;
		}
	}
	if (collect(from, f, from->n, &out->removed, &out->nremoved) != 0 ||
	    collect(to, t, to->n, &out->added, &out->nadded) != 0) {
		rowdiff_result_fini(out);
		goto done;
	}
	rc = 0;
done:
	free(f);
	free(t);
	return rc;
}

void rowdiff_result_fini(struct rowdiff_result *r)
{
	free(r->removed);
	free(r->added);
	*r = (struct rowdiff_result){ 0 };
}

static bool rows_equal(const struct route_row *const *a, const struct route_row *const *b,
		       size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rowdiff_row_cmp(a[i], b[i]) != 0 || name_cmp(a[i]->name, b[i]->name) != 0)
			return false;
	return true;
}

bool rowdiff_result_equal(const struct rowdiff_result *a, const struct rowdiff_result *b)
{
	return a->nremoved == b->nremoved && a->nadded == b->nadded &&
	       rows_equal(a->removed, b->removed, a->nremoved) &&
	       rows_equal(a->added, b->added, a->nadded);
}

int rowdiff_change_tables(struct rowdiff_change *c, const struct eff_table *from,
			  bool from_without_rs, const struct eff_table *to, bool to_without_rs,
			  enum rowdiff_names names)
{
	*c = (struct rowdiff_change){ .from = set_borrowing(), .to = set_borrowing() };
	if (!c->from || !c->to || rowdiff_set_add_table(c->from, from, from_without_rs) != 0 ||
	    rowdiff_set_add_table(c->to, to, to_without_rs) != 0 ||
	    rowdiff_compare(c->from, c->to, names, &c->res) != 0) {
		rowdiff_change_fini(c);
		return -1;
	}
	return 0;
}

/* A growable row buffer for one prefix's rows. */
struct rowbuf {
	struct route_row *v;
	size_t cap;
};

/* The rows of t at p (the walk's table), appended to s; only the gateway
 * rows when gateway_only. */
static int add_walk_rows(struct rowdiff_set *s, const struct eff_table *t, bool without_rs,
			 struct eff_walk *w, struct prefix p, struct rowbuf *b, bool gateway_only)
{
	size_t n = eff_walk_rows(w, p, b->v, b->cap);
	if (n > b->cap) {
		if (VEC_RESERVE(b->v, b->cap, n) != 0)
			return -1;
		/* The walk has moved on; the table answers directly. */
		n = eff_rows_with_prefix(t, p, without_rs, b->v, b->cap);
	}
	for (size_t i = 0; i < n; i++)
		if ((!gateway_only || b->v[i].source == SRC_GATEWAY) && rowdiff_set_add(s, &b->v[i]) != 0)
			return -1;
	return 0;
}

/* Adds t's rows of the scope's prefixes (sorted: one walk over the table,
 * eff_walk_rows, instead of a search of its own rows per prefix). */
static int add_scoped(struct rowdiff_set *s, const struct eff_table *t, bool without_rs,
		      const struct prefix *scope, size_t nscope, struct eff_walk *w,
		      struct rowbuf *b)
{
	if (!t || nscope == 0)
		return 0;
	if (eff_walk_start(w, t, without_rs) != 0)
		return -1;
	for (size_t k = 0; k < nscope; k++)
		if (add_walk_rows(s, t, without_rs, w, scope[k], b, false) != 0)
			return -1;
	return 0;
}

/* How one side of a change read through a walk is filled: t's rows of the
 * prefixes v[0..n) (sorted), in a view. */
typedef int walk_fill_fn(struct rowdiff_set *s, const struct eff_table *t, bool without_rs,
			 const struct prefix *v, size_t n, struct eff_walk *w, struct rowbuf *b);

/* A change whose two sides fill fills, with one walk and buffer for both. */
static int change_walked(struct rowdiff_change *c, const struct eff_table *from,
			 const struct eff_table *to, bool without_rs, const struct prefix *v,
			 size_t n, walk_fill_fn *fill, enum rowdiff_names names)
{
	*c = (struct rowdiff_change){ .from = set_borrowing(), .to = set_borrowing() };
	struct eff_walk w = { 0 };
	struct rowbuf b = { 0 };
	int rc = !c->from || !c->to || VEC_RESERVE(b.v, b.cap, 64) != 0 ||
		 fill(c->from, from, without_rs, v, n, &w, &b) != 0 ||
		 fill(c->to, to, without_rs, v, n, &w, &b) != 0 ||
		 rowdiff_compare(c->from, c->to, names, &c->res) != 0
		 ? -1
		 : 0;
	if (rc != 0)
		rowdiff_change_fini(c);
	eff_walk_fini(&w);
	free(b.v);
	return rc;
}

int rowdiff_change_scoped(struct rowdiff_change *c, const struct eff_table *from,
			  const struct eff_table *to, bool without_rs, const struct prefix *scope,
			  size_t nscope, enum rowdiff_names names)
{
	return change_walked(c, from, to, without_rs, scope, nscope, add_scoped, names);
}

/* t's rows in eff_row's order (system, gateway, User), the gateway rows
 * only for the bound's prefixes: the table's own rows are a few dozen, its
 * gateway rows thousands.  Phase 0 of eff_row lists rows[0 .. nsys), phase
 * 2 starts at nsys (effective.h's struct eff_iter). */
static int add_bounded(struct rowdiff_set *s, const struct eff_table *t, bool without_rs,
		       const struct prefix *bound, size_t nbound, struct eff_walk *w, struct rowbuf *b)
{
	(void)without_rs; /* both sides show the Route Server rows */
	struct eff_iter it = { 0 };
	struct route_row r;
	size_t nsys = 0;
	while (eff_row(t, false, &it, &r) && it.phase == 0) {
		nsys++;
		if (rowdiff_set_add(s, &r) != 0)
			return -1;
	}
	if (nbound && eff_walk_start(w, t, false) != 0)
		return -1;
	for (size_t k = 0; k < nbound; k++)
		if (add_walk_rows(s, t, false, w, bound[k], b, true) != 0)
			return -1;
	it = (struct eff_iter){ .phase = 2, .i = nsys };
	while (eff_row(t, false, &it, &r))
		if (rowdiff_set_add(s, &r) != 0)
			return -1;
	return 0;
}

int rowdiff_change_bounded(struct rowdiff_change *c, const struct eff_table *from,
			   const struct eff_table *to, const struct prefix *sets_differ,
			   size_t nsets_differ, enum rowdiff_names names)
{
	struct prefix *bound = NULL;
	size_t nbound = 0;
	int rc = eff_diff_bound(from, to, sets_differ, nsets_differ, &bound, &nbound);
	if (rc == 0)
		return rowdiff_change_tables(c, from, false, to, false, names);
	if (rc < 0)
		return -1;
	rc = change_walked(c, from, to, false, bound, nbound, add_bounded, names);
	free(bound);
	return rc;
}

void rowdiff_change_fini(struct rowdiff_change *c)
{
	rowdiff_result_fini(&c->res);
	rowdiff_set_destroy(c->from);
	rowdiff_set_destroy(c->to);
	*c = (struct rowdiff_change){ 0 };
}
