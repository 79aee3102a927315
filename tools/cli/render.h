/*
 * render.h - vnetsim's output formats (RULES 4): `table`, `json`, `jsonl` and
 * `csv` renderings of effective-route rows, next hops and row changes.
 *
 * Shapes follow what Azure prints, so outputs can be compared with captures:
 *  - a route table in json is az's `EffectiveRouteListResult`
 *    (`{"nextLink": null, "value": [rows]}`, RULES E8.2/E8.3);
 *  - table output has az's columns Source, State, Address Prefix, Next Hop
 *    Type, Next Hop IP, space-joining several prefixes or addresses;
 *  - a next hop in json is Network Watcher's `{nextHopType,
 *    nextHopIpAddress, routeTableId}` (RULES E8.4);
 *  - jsonl has one object per line, csv a header and one line per row with
 *    RFC 4180 quoting (a field with a comma, quote or line break is quoted,
 *    quotes doubled; lines end with "\n").
 * Several targets (`--nic 'web-*'`) make json an object keyed by target,
 * table one table per target under a heading, and jsonl/csv carry the
 * target in every line.
 *
 * Rendering is streaming except for text tables, which must see every row
 * to align columns: they hold one target's rows (tens, or thousands of BGP
 * routes) at a time.
 *
 * Ownership: renderers borrow their FILE and the rows they print; a
 * render_tab owns copies of its cells until render_tab_destroy.
 */
#ifndef TOOLS_RENDER_H
#define TOOLS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "effective.h"
#include "jsonw.h"

enum render_format { RENDER_TABLE, RENDER_JSON, RENDER_JSONL, RENDER_CSV };

bool render_format_parse(const char *s, enum render_format *out);
const char *render_format_name(enum render_format f);

/* ---- aligned text tables ------------------------------------------------ */

struct render_tab;

/* headers may be NULL for a table without a header line.  Cells are
 * copied.  NULL cells print as empty. */
struct render_tab *render_tab_create(size_t ncols, const char *const *headers);
void render_tab_destroy(struct render_tab *t); /* NULL is a no-op */
int render_tab_add(struct render_tab *t, const char *const *cells); /* 0, or -1 out of memory */
size_t render_tab_rows(const struct render_tab *t);
/* Prints the header, a dashed rule (az's layout) when there is a header,
 * then the rows; columns are separated by two spaces, trailing blanks
 * dropped; every line starts with indent. */
void render_tab_print(const struct render_tab *t, FILE *out, const char *indent);

/* ---- CSV ---------------------------------------------------------------- */

void render_csv_field(FILE *out, const char *s); /* NULL prints as empty */
void render_csv_line(FILE *out, const char *const *cells, size_t n);

/* ---- route rows --------------------------------------------------------- */

/* Space-joined prefixes / next hop addresses of a row (malloc'd; NULL when
 * out of memory). */
char *render_row_prefixes(const struct route_row *r);
char *render_row_next_hops(const struct route_row *r);
const char *render_row_state(const struct route_row *r); /* "Active" | "Invalid" */

/* One row as a JSON object.  full: az's ten keys in the order of reference
 * 8.2 (name, source, state, addressPrefix, nextHopIpAddress, nextHopType,
 * disableBgpRoutePropagation, hasBgpOverride, destinationServiceTags,
 * tagMap); otherwise the six compared ones (no propagation flag and the
 * always-empty fields), on one line. */
void render_row_json_fields(struct jsonw *w, const struct route_row *r, bool full,
			    bool disable_bgp);
void render_row_json(struct jsonw *w, const struct route_row *r, bool full, bool disable_bgp);

/* `{"nextLink": null, "value": [...]}` */
void render_table_json(struct jsonw *w, const struct route_row *rows, size_t n, bool disable_bgp);

/* ---- commands' outputs -------------------------------------------------- */

struct render_target {
	const char *kind;              /* "nic" or "subnet" */
	const char *name;              /* NIC name or "vnet/subnet" */
	const char *subnet;            /* a NIC's subnet, for the table heading */
	bool disable_bgp;              /* of the target's route table */
	const struct route_table *rt;  /* the target's subnet's route table, or NULL */
	/* Where the rows come from: targets with the same non-NULL table and
	 * without_rs have the same rows (the NICs of a subnet), and json and
	 * jsonl copy the text of the previous one's.  NULL: not known. */
	const struct eff_table *table;
	bool without_rs;
};

struct render_cache;

struct render_out {
	FILE *out;
	enum render_format fmt;
	bool keyed;                    /* several targets (see header) */
	size_t ntargets;
	struct jsonw w;
	struct render_tab *tab;        /* next hops in table/… formats */
	struct render_cache *cache;    /* the last target's rows as text, or NULL */
	bool failed;                   /* out of memory while rendering */
};

void render_out_begin(struct render_out *o, FILE *out, enum render_format fmt, bool keyed);
/* A target's effective routes (vnetsim routes). */
void render_out_routes(struct render_out *o, const struct render_target *t,
		       const struct route_row *rows, size_t n);
/* A target's next hop (vnetsim next-hop). */
void render_out_next_hop(struct render_out *o, const struct render_target *t,
			 const struct next_hop *nh);
/* Closes the document; returns 0, or -1 when rendering ran out of memory. */
int render_out_end(struct render_out *o);

/* Network Watcher's routeTableId: the route table, or "System Route". */
const char *render_route_table_id(const struct next_hop *nh);

/* ---- row changes (run's timeline, diff) ----------------------------------- */

/* Prints removed and added rows as "- " / "+ " lines, aligned, sorted by
 * prefix with removals first on the same prefix.  Returns 0 or -1. */
int render_changes_text(FILE *out, const char *indent, const struct route_row *const *removed,
			size_t nremoved, const struct route_row *const *added, size_t nadded);
/* "removed": [rows], "added": [rows] members of the current object. */
void render_changes_json(struct jsonw *w, const struct route_row *const *removed,
			 size_t nremoved, const struct route_row *const *added, size_t nadded);
/* One CSV line per change, after `lead` cells: change,source,state,
 * addressPrefix,nextHopType,nextHopIpAddress,name. */
void render_changes_csv(FILE *out, const char *const *lead, size_t nlead,
			const struct route_row *const *removed, size_t nremoved,
			const struct route_row *const *added, size_t nadded);
/* Header cells after the lead ones, for render_changes_csv. */
extern const char *const RENDER_CHANGE_CSV_COLUMNS[7];

/* "12.345s" from milliseconds (negative times keep their sign). */
char *render_time(int64_t ms, char buf[32]);

#endif
