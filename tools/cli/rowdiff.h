/*
 * rowdiff.h - effective-route tables compared as multisets of rows, the
 * rule of conformance/README.md: two rows are the same when source, state,
 * the sorted addressPrefix list, nextHopType and the sorted
 * nextHopIpAddress list are equal; duplicates count (a row present twice on
 * one side and once on the other is one difference).  Row order never
 * matters.  Names: ROWDIFF_NAMES_EXACT compares the UDR name too (two
 * checkpoints of the simulator); ROWDIFF_NAMES_IF_FROM compares it only
 * where the `from` row has a non-null name (a capture or an expected file
 * is `from`).
 *
 * One module for the run's timeline, `vnetsim diff` and the comparison with
 * a captured `az network nic show-effective-route-table` file.
 *
 * A set owns copies of its rows (prefixes sorted, names copied) in an
 * arena, so it outlives the table it was filled from.  Comparing is
 * O((n + m) log(n + m)) by sorting, plus a quadratic match inside groups of
 * rows that differ only by name (a handful at most).
 */
#ifndef TOOLS_ROWDIFF_H
#define TOOLS_ROWDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "effective.h"

enum rowdiff_names { ROWDIFF_NAMES_EXACT, ROWDIFF_NAMES_IF_FROM };

struct rowdiff_set;

struct rowdiff_set *rowdiff_set_create(void);
void rowdiff_set_destroy(struct rowdiff_set *s); /* NULL is a no-op */
/* 0, or -1 out of memory. */
int rowdiff_set_add(struct rowdiff_set *s, const struct route_row *r);
/* Every row of a table (NULL adds nothing: a subnet that does not exist). */
int rowdiff_set_add_table(struct rowdiff_set *s, const struct eff_table *t, bool without_rs);
/* The rows of an az JSON document: {"value": [rows]} or a bare array.
 * Returns 0; -1 out of memory; -2 a malformed row, described in err
 * ("value[3].nextHopType: ..."). */
int rowdiff_set_add_az(struct rowdiff_set *s, const cJSON *doc, char *err, size_t errlen);
/* Drops the platform None rows (source Default, next hop None: RULES 1.2.3;
 * no other system route has next hop None), for comparisons that ignore
 * the list Azure changes over time.  Returns how many were dropped. */
size_t rowdiff_set_drop_platform_none(struct rowdiff_set *s);
size_t rowdiff_set_count(const struct rowdiff_set *s);
const struct route_row *rowdiff_set_row(const struct rowdiff_set *s, size_t i);

/* Rows of `from` missing in `to` (removed) and rows of `to` missing in
 * `from` (added), each as row pointers into its set, in the set's order. */
struct rowdiff_result {
	const struct route_row **removed;
	size_t nremoved;
	const struct route_row **added;
	size_t nadded;
};

int rowdiff_compare(const struct rowdiff_set *from, const struct rowdiff_set *to,
		    enum rowdiff_names names, struct rowdiff_result *out); /* 0 or -1 */
void rowdiff_result_fini(struct rowdiff_result *r);
static inline bool rowdiff_result_empty(const struct rowdiff_result *r)
{
	return r->nremoved == 0 && r->nadded == 0;
}

/* Two tables compared, with the sets that hold the rows the result points
 * into.  A NULL table is an empty one (a subnet on one side only).  The
 * rows borrow the tables' prefixes and names (no copy per row): the tables
 * must outlive the change. */
struct rowdiff_change {
	struct rowdiff_set *from, *to;
	struct rowdiff_result res;
};

int rowdiff_change_tables(struct rowdiff_change *c, const struct eff_table *from,
			  bool from_without_rs, const struct eff_table *to, bool to_without_rs,
			  enum rowdiff_names names); /* 0, or -1 out of memory */
/* The same, when from and to are known to differ only in rows of the
 * scope's prefixes: only those rows are compared (a timeline entry's
 * scope).  Gives the same result as rowdiff_change_tables then. */
int rowdiff_change_scoped(struct rowdiff_change *c, const struct eff_table *from,
			  const struct eff_table *to, bool without_rs, const struct prefix *scope,
			  size_t nscope, enum rowdiff_names names);
/* The same as rowdiff_change_tables (same rows, same order) for two tables
 * seen with their Route Server rows, reading only the own rows and the
 * gateway rows of the prefixes eff_diff_bound names; sets_differ is where
 * the two tables' domain sets differ (bgp_set_diff), needed only when they
 * show different sets (NULL otherwise, or unknown: then every row is
 * read).  0, or -1 out of memory. */
int rowdiff_change_bounded(struct rowdiff_change *c, const struct eff_table *from,
			   const struct eff_table *to, const struct prefix *sets_differ,
			   size_t nsets_differ, enum rowdiff_names names);
void rowdiff_change_fini(struct rowdiff_change *c); /* zeroes it; safe on a zeroed one */

/* Same comparison key as the multiset rule, names ignored: <0, 0, >0. */
int rowdiff_row_cmp(const struct route_row *a, const struct route_row *b);
/* Two results list the same rows (key and name) in the same order: the
 * same change seen in two subnets, which output folds into one. */
bool rowdiff_result_equal(const struct rowdiff_result *a, const struct rowdiff_result *b);

#endif
