/*
 * render.c - output formats of vnetsim.  See render.h for the shapes and
 * models/RULES.md sections E8.2-E8.4 for where they come from.
 */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "prefix.h"
#include "render_cache.h"
#include "row_json.h"
#include "vec.h"

bool render_format_parse(const char *s, enum render_format *out)
{
	static const struct {
		const char *name;
		enum render_format f;
	} names[] = { { "table", RENDER_TABLE }, { "json", RENDER_JSON },
		      { "jsonl", RENDER_JSONL }, { "csv", RENDER_CSV } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].f;
			return true;
		}
	return false;
}

const char *render_format_name(enum render_format f)
{
	switch (f) {
	case RENDER_TABLE: return "table";
	case RENDER_JSON: return "json";
	case RENDER_JSONL: return "jsonl";
	case RENDER_CSV: return "csv";
	}
	return "?";
}

char *render_time(int64_t ms, char buf[32])
{
	uint64_t a = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
	snprintf(buf, 32, "%s%" PRIu64 ".%03" PRIu64 "s", ms < 0 ? "-" : "", a / 1000, a % 1000);
	return buf;
}

/* ---- aligned text tables ------------------------------------------------ */

struct render_tab {
	size_t ncols;
	char **headers;                /* NULL: no header line */
	char **cells;                  /* row-major, rows * ncols */
	size_t rows;
	size_t cap;                    /* cells allocated (not rows) */
};

/* Cells come from input (names, labels, causes): escaped (diag_escape), so
 * a table can carry no terminal escape and no line of its own. */
static char *dup_or_empty(const char *s)
{
	return diag_escape_dup(s ? s : "");
}

struct render_tab *render_tab_create(size_t ncols, const char *const *headers)
{
	struct render_tab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	if (headers) {
		t->headers = calloc(ncols, sizeof(char *));
		if (!t->headers) {
			free(t);
			return NULL;
		}
		for (size_t i = 0; i < ncols; i++)
			if (!(t->headers[i] = dup_or_empty(headers[i]))) {
				render_tab_destroy(t);
				return NULL;
			}
	}
	return t;
}

void render_tab_destroy(struct render_tab *t)
{
	if (!t)
		return;
	if (t->headers)
		for (size_t i = 0; i < t->ncols; i++)
			free(t->headers[i]);
	free(t->headers);
	for (size_t i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

int render_tab_add(struct render_tab *t, const char *const *cells)
{
	if (VEC_RESERVE(t->cells, t->cap, (t->rows + 1) * t->ncols) != 0)
		return -1;
	char **row = t->cells + t->rows * t->ncols;
	for (size_t i = 0; i < t->ncols; i++) {
		row[i] = dup_or_empty(cells[i]);
		if (!row[i]) {
			for (size_t k = 0; k < i; k++)
				free(row[k]);
			return -1;
		}
	}
	t->rows++;
	return 0;
}

size_t render_tab_rows(const struct render_tab *t)
{
	return t->rows;
}

/* Display width as Python's len() counts it: code points of UTF-8 (bytes
 * that do not continue a sequence), so names beyond ASCII align as in az. */
static size_t text_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* One line: cells padded to their column width, trailing blanks dropped. */
static void tab_line(FILE *out, const char *indent, char *const *cells, const size_t *width,
		     size_t ncols)
{
	size_t last = ncols;
	while (last > 0 && cells[last - 1][0] == '\0')
		last--;
	fputs(indent, out);
	for (size_t i = 0; i < last; i++) {
		fputs(cells[i], out);
		if (i + 1 < last)
			fprintf(out, "%*s", (int)(width[i] - text_width(cells[i]) + 2), "");
	}
	fputc('\n', out);
}

/* az prints tables with Python's tabulate ("simple" format, headers from the
 * keys; knack/output.py _TableOutput.dump): a column is as wide as its
 * widest cell, and at least its header plus tabulate's MIN_PADDING of 2;
 * columns are joined by two blanks and every line is right-stripped.  So
 * "State" is 7 wide although "Active" has 6 letters (RULES E8.2). */
#define AZ_MIN_PADDING 2

void render_tab_print(const struct render_tab *t, FILE *out, const char *indent)
{
	size_t width[64] = { 0 };
	size_t ncols = t->ncols < 64 ? t->ncols : 64;
	for (size_t i = 0; i < ncols; i++) {
		if (t->headers)
			width[i] = text_width(t->headers[i]) + AZ_MIN_PADDING;
		for (size_t r = 0; r < t->rows; r++) {
			size_t l = text_width(t->cells[r * t->ncols + i]);
			if (l > width[i])
				width[i] = l;
		}
	}
	if (t->headers) {
		tab_line(out, indent, t->headers, width, ncols);
		fputs(indent, out);
		for (size_t i = 0; i < ncols; i++) {
			for (size_t k = 0; k < width[i]; k++)
				fputc('-', out);
			if (i + 1 < ncols)
				fputs("  ", out);
		}
		fputc('\n', out);
	}
	for (size_t r = 0; r < t->rows; r++)
		tab_line(out, indent, t->cells + r * t->ncols, width, ncols);
}

/* ---- CSV ---------------------------------------------------------------- */

void render_csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void render_csv_line(FILE *out, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		render_csv_field(out, cells[i]);
	}
	fputc('\n', out);
}

/* ---- route rows --------------------------------------------------------- */

char *render_row_prefixes(const struct route_row *r)
{
	size_t n = r->nprefixes ? r->nprefixes * PREFIX_STRLEN : 1;
	char *s = malloc(n), *p = s;
	if (!s)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < r->nprefixes; i++) {
		char buf[PREFIX_STRLEN];
		prefix_format(r->prefixes[i], buf);
		p += sprintf(p, "%s%s", i ? " " : "", buf);
	}
	return s;
}

char *render_row_next_hops(const struct route_row *r)
{
	char *s = malloc(IPV4_STRLEN);
	if (!s)
		return NULL;
	s[0] = '\0';
	if (r->has_nh_ip)
		ipv4_format(r->nh_ip, s);
	return s;
}

const char *render_row_state(const struct route_row *r)
{
	return r->active ? "Active" : "Invalid";
}

void render_row_json_fields(struct jsonw *w, const struct route_row *r, bool full,
			    bool disable_bgp)
{
	char buf[PREFIX_STRLEN];
	jsonw_key(w, "name");
	jsonw_string(w, r->name);
	jsonw_key(w, "source");
	jsonw_string(w, route_source_name(r->source));
	jsonw_key(w, "state");
	jsonw_string(w, render_row_state(r));
	jsonw_key(w, "addressPrefix");
	jsonw_array_begin(w);
	for (size_t i = 0; i < r->nprefixes; i++)
		jsonw_string(w, prefix_format(r->prefixes[i], buf));
	jsonw_array_end(w);
	jsonw_key(w, "nextHopIpAddress");
	jsonw_array_begin(w);
	if (r->has_nh_ip)
		jsonw_string(w, ipv4_format(r->nh_ip, buf));
	jsonw_array_end(w);
	jsonw_key(w, "nextHopType");
	jsonw_string(w, nh_type_name(r->nh));
	if (!full)
		return;
	jsonw_key(w, "disableBgpRoutePropagation");
	jsonw_bool(w, disable_bgp);
	jsonw_key(w, "hasBgpOverride");
	jsonw_bool(w, false);
	/* A tag route's destinationServiceTags/tagMap format is undocumented
	 * (RULES E2.3): every row shows them empty, as R1 does. */
	jsonw_key(w, "destinationServiceTags");
	jsonw_array_begin(w);
	jsonw_array_end(w);
	jsonw_key(w, "tagMap");
	jsonw_object_begin(w);
	jsonw_object_end(w);
}

void render_row_json(struct jsonw *w, const struct route_row *r, bool full, bool disable_bgp)
{
	/* The same text composed in one piece, unless it does not fit
	 * (row_json.h). */
	if (row_json_write(w, r, full, disable_bgp, NULL, NULL))
		return;
	/* az's own rows are spread over lines as az prints them; the short
	 * rows of changes take one line each. */
	if (full)
		jsonw_object_begin(w);
	else
		jsonw_inline_begin(w, true);
	render_row_json_fields(w, r, full, disable_bgp);
	jsonw_object_end(w);
}

void render_table_json(struct jsonw *w, const struct route_row *rows, size_t n, bool disable_bgp)
{
	jsonw_object_begin(w);
	jsonw_key(w, "nextLink");
	jsonw_null(w);
	jsonw_key(w, "value");
	jsonw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		render_row_json(w, &rows[i], true, disable_bgp);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/* ---- commands' outputs -------------------------------------------------- */

static const char *const ROUTE_HEADERS[] = { "Source", "State", "Address Prefix",
					     "Next Hop Type", "Next Hop IP" };

void render_out_begin(struct render_out *o, FILE *out, enum render_format fmt, bool keyed)
{
	*o = (struct render_out){ .out = out, .fmt = fmt, .keyed = keyed };
	jsonw_init(&o->w, out, fmt == RENDER_JSON, 0);
	if (fmt == RENDER_JSON && keyed)
		jsonw_object_begin(&o->w);
}

/* The five table cells of a row (az's columns). */
struct cells {
	const char *v[5];
	char *prefixes, *next_hops;    /* owned: v[2], v[4] */
};

static bool row_cells(const struct route_row *r, struct cells *c)
{
	c->prefixes = render_row_prefixes(r);
	c->next_hops = render_row_next_hops(r);
	c->v[0] = route_source_name(r->source);
	c->v[1] = render_row_state(r);
	c->v[2] = c->prefixes;
	c->v[3] = nh_type_name(r->nh);
	c->v[4] = c->next_hops;
	return c->prefixes && c->next_hops;
}

static void free_cells(struct cells *c)
{
	free(c->prefixes);
	free(c->next_hops);
}

static void routes_table(struct render_out *o, const struct render_target *t,
			 const struct route_row *rows, size_t n)
{
	struct render_tab *tab = render_tab_create(5, ROUTE_HEADERS);
	if (!tab) {
		o->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct cells c;
		if (!row_cells(&rows[i], &c) || render_tab_add(tab, c.v) != 0)
			o->failed = true;
		free_cells(&c);
	}
	if (o->keyed) {
		if (o->ntargets > 0)
			fputc('\n', o->out);
		if (strcmp(t->kind, "nic") == 0)
			fprintf(o->out, "NIC %s (subnet %s)\n", t->name,
				t->subnet ? t->subnet : "?");
		else
			fprintf(o->out, "subnet %s\n", t->name);
	}
	render_tab_print(tab, o->out, "");
	render_tab_destroy(tab);
}

static void routes_csv(struct render_out *o, const struct render_target *t,
		       const struct route_row *rows, size_t n)
{
	if (o->ntargets == 0) {
		static const char *const hdr[] = {
			"target",           "name",
			"source",           "state",
			"addressPrefix",    "nextHopType",
			"nextHopIpAddress", "disableBgpRoutePropagation"
		};
		render_csv_line(o->out, hdr, 8);
	}
	for (size_t i = 0; i < n; i++) {
		struct cells c;
		if (row_cells(&rows[i], &c)) {
			const char *line[8] = { t->name, rows[i].name,
						c.v[0],  c.v[1],
						c.v[2],  c.v[3],
						c.v[4],  t->disable_bgp ? "true" : "false" };
			render_csv_line(o->out, line, 8);
		} else {
			o->failed = true;
		}
		free_cells(&c);
	}
}

void render_out_routes(struct render_out *o, const struct render_target *t,
		       const struct route_row *rows, size_t n)
{
	if (((o->fmt == RENDER_JSON && o->keyed) || o->fmt == RENDER_JSONL) &&
	    render_cache_routes(o, t, rows, n)) {
		o->ntargets++;
		return;
	}
	switch (o->fmt) {
	case RENDER_TABLE:
		routes_table(o, t, rows, n);
		break;
	case RENDER_JSON:
		if (o->keyed)
			jsonw_key(&o->w, t->name);
		render_table_json(&o->w, rows, n, t->disable_bgp);
		break;
	case RENDER_JSONL:
		for (size_t i = 0; i < n; i++) {
			jsonw_init(&o->w, o->out, false, 0);
			if (row_json_write(&o->w, &rows[i], true, t->disable_bgp, t->kind,
					   t->name)) {
				fputc('\n', o->out);
				continue;
			}
			jsonw_object_begin(&o->w);
			jsonw_key(&o->w, t->kind);
			jsonw_string(&o->w, t->name);
			render_row_json_fields(&o->w, &rows[i], true, t->disable_bgp);
			jsonw_object_end(&o->w);
			fputc('\n', o->out);
		}
		break;
	case RENDER_CSV:
		routes_csv(o, t, rows, n);
		break;
	}
	o->ntargets++;
}

const char *render_route_table_id(const struct next_hop *nh)
{
	return nh->found && nh->route_table ? nh->route_table : "System Route";
}

/* Network Watcher shows no address as null. */
static const char *next_hop_ip(const struct next_hop *nh, char buf[IPV4_STRLEN])
{
	return nh->found && nh->has_nh_ip ? ipv4_format(nh->nh_ip, buf) : NULL;
}

static const char *next_hop_type(const struct next_hop *nh)
{
	/* No matching row at all cannot happen while 0.0.0.0/0 exists; Network
	 * Watcher's answer for dropped traffic is None. */
	return nh->found ? nh_type_name(nh->nh) : "None";
}

static void next_hop_json_fields(struct jsonw *w, const struct next_hop *nh)
{
	char ip[IPV4_STRLEN];
	jsonw_key(w, "nextHopType");
	jsonw_string(w, next_hop_type(nh));
	jsonw_key(w, "nextHopIpAddress");
	jsonw_string(w, next_hop_ip(nh, ip));
	jsonw_key(w, "routeTableId");
	jsonw_string(w, render_route_table_id(nh));
}

void render_out_next_hop(struct render_out *o, const struct render_target *t,
			 const struct next_hop *nh)
{
	char ip[IPV4_STRLEN], pfx[PREFIX_STRLEN];
	const char *ipstr = next_hop_ip(nh, ip);
	const char *matched = nh->found ? prefix_format(nh->matched, pfx) : "";
	switch (o->fmt) {
	case RENDER_TABLE: {
		static const char *const hdr[] = { "Target", "Next Hop Type", "Next Hop IP",
						   "Route Table", "Matched Prefix" };
		size_t skip = o->keyed ? 0 : 1;
		if (!o->tab && !(o->tab = render_tab_create(5 - skip, hdr + skip))) {
			o->failed = true;
			break;
		}
		const char *cells[5] = { t->name, next_hop_type(nh), ipstr,
					 render_route_table_id(nh), matched };
		if (render_tab_add(o->tab, cells + skip) != 0)
			o->failed = true;
		break;
	}
	case RENDER_JSON:
		if (o->keyed)
			jsonw_key(&o->w, t->name);
		jsonw_object_begin(&o->w);
		next_hop_json_fields(&o->w, nh);
		jsonw_object_end(&o->w);
		break;
	case RENDER_JSONL:
		jsonw_init(&o->w, o->out, false, 0);
		jsonw_object_begin(&o->w);
		jsonw_key(&o->w, t->kind);
		jsonw_string(&o->w, t->name);
		next_hop_json_fields(&o->w, nh);
		jsonw_object_end(&o->w);
		fputc('\n', o->out);
		break;
	case RENDER_CSV: {
		if (o->ntargets == 0) {
			static const char *const hdr[] = { "target", "nextHopType",
							   "nextHopIpAddress", "routeTableId",
							   "matchedPrefix" };
			render_csv_line(o->out, hdr, 5);
		}
		const char *cells[5] = { t->name, next_hop_type(nh), ipstr,
					 render_route_table_id(nh), matched };
		render_csv_line(o->out, cells, 5);
		break;
	}
	}
	o->ntargets++;
}

int render_out_end(struct render_out *o)
{
	if (o->fmt == RENDER_JSON) {
		if (o->keyed)
			jsonw_object_end(&o->w);
		if (o->keyed || o->ntargets > 0)
			fputc('\n', o->out);
	}
	if (o->tab) {
		render_tab_print(o->tab, o->out, "");
		render_tab_destroy(o->tab);
		o->tab = NULL;
	}
	render_cache_destroy(o->cache);
	o->cache = NULL;
	return o->failed ? -1 : 0;
}

/* ---- row changes -------------------------------------------------------- */

const char *const RENDER_CHANGE_CSV_COLUMNS[7] = { "change", "source", "state", "addressPrefix",
						   "nextHopType", "nextHopIpAddress", "name" };

struct change {
	const struct route_row *row;
	bool added;
};

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	struct prefix px = x->row->nprefixes ? x->row->prefixes[0] : (struct prefix){ 0, 0 };
	struct prefix py = y->row->nprefixes ? y->row->prefixes[0] : (struct prefix){ 0, 0 };
	int c = prefix_compare(px, py);
	if (c)
		return c;
	if (x->added != y->added)
		return x->added ? 1 : -1;
	return (x->row > y->row) - (x->row < y->row); /* input order within one side */
}

/* Removed then added rows, sorted for display; NULL when out of memory. */
static struct change *sorted_changes(const struct route_row *const *removed, size_t nremoved,
				     const struct route_row *const *added, size_t nadded)
{
	size_t n = nremoved + nadded;
	struct change *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < nremoved; i++)
		v[i] = (struct change){ removed[i], false };
	for (size_t i = 0; i < nadded; i++)
		v[nremoved + i] = (struct change){ added[i], true };
	qsort(v, n, sizeof(*v), change_cmp);
	return v;
}

int render_changes_text(FILE *out, const char *indent, const struct route_row *const *removed,
			size_t nremoved, const struct route_row *const *added, size_t nadded)
{
	size_t n = nremoved + nadded;
	struct change *v = sorted_changes(removed, nremoved, added, nadded);
	struct render_tab *tab = render_tab_create(7, NULL);
	int rc = v && tab ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct cells c;
		char name[300] = "";
		if (v[i].row->name)
			snprintf(name, sizeof(name), "(%s)", v[i].row->name);
		if (row_cells(v[i].row, &c)) {
			const char *cells[7] = { v[i].added ? "+" : "-", c.v[0], c.v[1], c.v[2],
						 c.v[3], c.v[4], name };
			rc = render_tab_add(tab, cells);
		} else {
			rc = -1;
		}
		free_cells(&c);
	}
	if (rc == 0)
		render_tab_print(tab, out, indent);
	render_tab_destroy(tab);
	free(v);
	return rc;
}

void render_changes_json(struct jsonw *w, const struct route_row *const *removed,
			 size_t nremoved, const struct route_row *const *added, size_t nadded)
{
	jsonw_key(w, "removed");
	jsonw_array_begin(w);
	for (size_t i = 0; i < nremoved; i++)
		render_row_json(w, removed[i], false, false);
	jsonw_array_end(w);
	jsonw_key(w, "added");
	jsonw_array_begin(w);
	for (size_t i = 0; i < nadded; i++)
		render_row_json(w, added[i], false, false);
	jsonw_array_end(w);
}

void render_changes_csv(FILE *out, const char *const *lead, size_t nlead,
			const struct route_row *const *removed, size_t nremoved,
			const struct route_row *const *added, size_t nadded)
{
	for (size_t i = 0; i < nremoved + nadded; i++) {
		const struct route_row *r = i < nremoved ? removed[i] : added[i - nremoved];
		struct cells c;
		if (row_cells(r, &c)) {
			for (size_t k = 0; k < nlead; k++) {
				render_csv_field(out, lead[k]);
				fputc(',', out);
			}
			const char *cells[7] = { i < nremoved ? "-" : "+", c.v[0], c.v[1], c.v[2],
						 c.v[3], c.v[4], r->name };
			render_csv_line(out, cells, 7);
		}
		free_cells(&c);
	}
}
