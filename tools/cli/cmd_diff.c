/*
 * cmd_diff.c - `vnetsim diff`: what changes in effective routes between two
 * checkpoints of one run, between two scenarios (planned vs current), or
 * between the simulation and a captured `az network nic
 * show-effective-route-table` file (RULES 4).
 *
 * Tables are compared as multisets of rows (tools/cli/rowdiff.h, the rule of
 * conformance/README.md).  Output is grouped by subnet, because all NICs of
 * a subnet share its table (RULES 1): one group per subnet whose table
 * differs, with the NICs it affects.  NICs whose own view differs from
 * their subnet's (beyond Route Server capacity on one side, RULES 1.8) or
 * that moved between subnets get groups of their own; NICs present on one
 * side only are listed per subnet.  `-` rows are only in the first (from)
 * side, `+` rows only in the second (to) side; for --against the capture is
 * the from side, so `-` reads "Azure shows it, vnetsim does not".
 */
#include "cli.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonin.h"
#include "diag.h"
#include "diff_reach.h"
#include "junit.h"
#include "rowdiff.h"
#include "snapshot.h"
#include "store.h"
#include "vec.h"

static const char USAGE[] =
	"usage: vnetsim diff SCENARIO --from LABEL|TIME --to LABEL|TIME\n"
	"                    [--nic P]... [--subnet P]...\n"
	"       vnetsim diff A.json B.json [--at LABEL|TIME] [--nic P]... [--subnet P]...\n"
	"       vnetsim diff SCENARIO (--nic NAME | --subnet VNET/SUBNET) --against CAPTURE.json\n"
	"                    [--at LABEL|TIME]\n"
	"       vnetsim diff --db FILE RUN_A RUN_B [--at LABEL] [--nic P]... [--subnet P]...\n"
	"       vnetsim diff --reach (SCENARIO --from L --to L | A.json B.json | --db FILE RUN_A RUN_B)\n"
	"                    [--nic P]... [--subnet P]...\n"
	"       (all take -o table|json|jsonl|csv, --junit FILE, --ignore-platform-none and\n"
	"       --service-tags FILE)\n";

static const struct cli_command DIFF = {
	"diff", USAGE,
	"\nCompares effective routes, as multisets of rows (source, state, prefixes, next hop\n"
	"type, next hop addresses; the UDR name too, except where a capture row has none):\n"
	"  - two checkpoints of one run (--from, --to: labels, 'start', 'end' or times);\n"
	"  - two scenarios, planned vs current, each run to --at (default end);\n"
	"  - a NIC's or subnet's table against a file captured with\n"
	"    `az network nic show-effective-route-table -o json` (--against); field order,\n"
	"    extra fields and row order in the capture do not matter;\n"
	"  - two runs stored with `vnetsim run --db FILE`, at checkpoint --at (a label,\n"
	"    default end).  A run is named by its id, by its file as it was given to run\n"
	"    (net/prod.json), or by its scenario name when one file has that name: REF or\n"
	"    REF@latest is the most recent run, REF@latest~N the Nth before that.\n"
	"\n",
	"\n"
	"Output is grouped by subnet with the NICs affected; '-' rows are only in the first\n"
	"side (--from, A, RUN_A, or the capture), '+' rows only in the second.  --nic/--subnet\n"
	"globs restrict the comparison to matching subnets (or subnets holding matching NICs);\n"
	"with --reach, to the flows from or to those subnets (json then has \"scope\").\n"
	"json: {\"from\", \"to\", \"groups\": [{\"subnet\", \"fromSubnet\", \"only\",\n"
	"\"withoutRouteServer\", \"nics\", \"nicNames\", \"removed\", \"added\"}],\n"
	"\"nicsOnlyInFrom\", \"nicsOnlyInTo\", \"equal\"}; jsonl: one changed row per line;\n"
	"csv: a header and one line per changed row.  Exit 0 when equal, 1 when anything\n"
	"differs, 2 on bad input or usage, 3 on an environment failure (I/O, database,\n"
	"memory).\n",
	26,
};

#define NAMES_SHOWN 5

/* ---- output ------------------------------------------------------------- */

struct name_list {
	const char **v;
	size_t n, cap;
};

/* 0, or -1 out of memory (the list unchanged). */
static int names_add(struct name_list *l, const char *s)
{
	const char **slot = VEC_PUSH(l->v, l->n, l->cap);
	if (!slot)
		return -1;
	*slot = s;
	return 0;
}

struct group {
	const char *subnet;            /* the subnet (to side; from side when only there) */
	const char *from_subnet;       /* moved NICs: their subnet on the from side */
	const char *only;              /* "from" / "to": the subnet exists on one side */
	const char *nic;               /* --against: the NIC compared */
	bool wrs_from, wrs_to;         /* NICs without Route Server rows, per side */
	const char *const *nics;
	size_t nnics;
};

struct membership {
	const char *subnet, *nic;
};

/* The text report folds consecutive plain subnet groups with the same
 * changes into one ("3 subnets (a, b, c): 12 NICs"), as a hub's BGP change
 * reaches every spoke alike; json, jsonl and csv keep one group per subnet. */
struct fold {
	struct rowdiff_change ch;
	struct name_list subnets;
	struct name_list names;        /* the first NAMES_SHOWN NIC names */
	size_t nics;
};

/* What the forms share beyond the common options. */
struct diff_opts {
	enum render_format fmt;
	bool ignore_none;              /* --ignore-platform-none */
	struct junit *junit;           /* --junit, else NULL */
};

struct emitter {
	enum render_format fmt;
	bool ignore_none;
	struct junit *junit;
	struct timespec t0;            /* when the comparison started (its JUnit time) */
	struct jsonw w;
	const char *from, *to;
	size_t groups;
	struct fold fold;
	struct membership *only[2];    /* NICs only in from [0] / to [1] */
	size_t nonly[2], caponly[2];
	bool oom;
};

static void emit_begin(struct emitter *e, const struct diff_opts *o, const char *from,
		       const char *to)
{
	enum render_format fmt = o->fmt;
	*e = (struct emitter){ .fmt = fmt, .ignore_none = o->ignore_none, .junit = o->junit,
			       .from = from, .to = to };
	if (e->junit) {
		char name[700];
		snprintf(name, sizeof(name), "%s -> %s", from, to);
		struct junit_suite_info si = { .name = name, .package = "vnetsim.diff" };
		clock_gettime(CLOCK_MONOTONIC, &e->t0);
		if (junit_suite(e->junit, &si) != 0)
			e->oom = true;
	}
	jsonw_init(&e->w, stdout, fmt == RENDER_JSON, 0);
	switch (fmt) {
	case RENDER_TABLE:
		printf("--- %s\n+++ %s\n", from, to);
		break;
	case RENDER_JSON:
		jsonw_object_begin(&e->w);
		jsonw_key(&e->w, "from");
		jsonw_string(&e->w, from);
		jsonw_key(&e->w, "to");
		jsonw_string(&e->w, to);
		jsonw_key(&e->w, "groups");
		jsonw_array_begin(&e->w);
		break;
	case RENDER_CSV: {
		static const char *const lead[] = { "subnet", "fromSubnet", "nics" };
		for (size_t k = 0; k < 3; k++)
			printf("%s,", lead[k]);
		render_csv_line(stdout, RENDER_CHANGE_CSV_COLUMNS, 7);
		break;
	}
	case RENDER_JSONL:
		break;
	}
}

static void print_names(const char *const *v, size_t shown, size_t total)
{
	for (size_t i = 0; i < shown && i < NAMES_SHOWN; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	if (total > NAMES_SHOWN)
		printf(", ...");
}

static void text_heading(const struct group *g)
{
	if (g->nic)
		printf("NIC %s (subnet %s)", g->nic, g->subnet);
	else if (g->from_subnet)
		printf("NICs moved from subnet %s to %s", g->from_subnet, g->subnet);
	else
		printf("subnet %s", g->subnet);
	if (g->only)
		printf(" (only in %s)", g->only);
	if (g->wrs_from || g->wrs_to)
		printf(", without Route Server routes in %s",
		       g->wrs_from && g->wrs_to ? "both" : g->wrs_from ? "from" : "to");
	if (!g->nic) {
		printf(": %zu NIC%s", g->nnics, g->nnics == 1 ? "" : "s");
		if (g->nnics) {
			printf(" (");
			print_names(g->nics, g->nnics, g->nnics);
			printf(")");
		}
	}
	putchar('\n');
}

static void fold_flush(struct emitter *e)
{
	struct fold *f = &e->fold;
	if (f->subnets.n == 0)
		return;
	if (f->subnets.n == 1) {
		printf("subnet %s: %zu NIC%s", f->subnets.v[0], f->nics, f->nics == 1 ? "" : "s");
	} else {
		printf("%zu subnets (", f->subnets.n);
		print_names(f->subnets.v, f->subnets.n, f->subnets.n);
		printf("): %zu NIC%s", f->nics, f->nics == 1 ? "" : "s");
	}
	if (f->nics) {
		printf(" (");
		print_names(f->names.v, f->names.n, f->nics);
		printf(")");
	}
	putchar('\n');
	const struct rowdiff_result *r = &f->ch.res;
	if (render_changes_text(stdout, "  ", r->removed, r->nremoved, r->added, r->nadded))
		e->oom = true;
	rowdiff_change_fini(&f->ch);
	f->subnets.n = f->names.n = f->nics = 0;
}

/* Adds a plain subnet group to the fold; may take over *ch. */
static void fold_add(struct emitter *e, const struct group *g, struct rowdiff_change *ch)
{
	struct fold *f = &e->fold;
	if (f->subnets.n == 0 || !rowdiff_result_equal(&f->ch.res, &ch->res)) {
		fold_flush(e);
		f->ch = *ch;
		*ch = (struct rowdiff_change){ 0 };
	}
	if (names_add(&f->subnets, g->subnet) != 0)
		e->oom = true;
	for (size_t i = 0; i < g->nnics && f->names.n < NAMES_SHOWN; i++)
		if (names_add(&f->names, g->nics[i]) != 0)
			e->oom = true;
	f->nics += g->nnics;
}

static bool foldable(const struct group *g)
{
	return !g->nic && !g->from_subnet && !g->only && !g->wrs_from && !g->wrs_to;
}

/* One group of changed rows; the text report may keep *ch (fold_add). */
/* The keys that name a group, first in json and jsonl. */
static void group_keys(struct jsonw *w, const struct group *g)
{
	const char *const keys[3] = { "nic", "subnet", "fromSubnet" };
	const char *const values[3] = { g->nic, g->subnet, g->from_subnet };
	for (size_t i = g->nic ? 0 : 1; i < 3; i++) { /* "nic" only for --against */
		jsonw_key(w, keys[i]);
		jsonw_string(w, values[i]);
	}
}

static void emit_group(struct emitter *e, const struct group *g, struct rowdiff_change *ch)
{
	const struct rowdiff_result *r = &ch->res;
	e->groups++;
	switch (e->fmt) {
	case RENDER_TABLE:
		if (foldable(g)) {
			fold_add(e, g, ch);
			break;
		}
		fold_flush(e);
		text_heading(g);
		if (render_changes_text(stdout, "  ", r->removed, r->nremoved, r->added, r->nadded))
			e->oom = true;
		break;
	case RENDER_JSON:
		jsonw_object_begin(&e->w);
		group_keys(&e->w, g);
		jsonw_key(&e->w, "only");
		jsonw_string(&e->w, g->only);
		jsonw_key(&e->w, "withoutRouteServer");
		jsonw_object_begin(&e->w);
		jsonw_key(&e->w, "from");
		jsonw_bool(&e->w, g->wrs_from);
		jsonw_key(&e->w, "to");
		jsonw_bool(&e->w, g->wrs_to);
		jsonw_object_end(&e->w);
		jsonw_key(&e->w, "nics");
		jsonw_int(&e->w, (int64_t)g->nnics);
		jsonw_key(&e->w, "nicNames");
		jsonw_array_begin(&e->w);
		for (size_t i = 0; i < g->nnics; i++)
			jsonw_string(&e->w, g->nics[i]);
		jsonw_array_end(&e->w);
		render_changes_json(&e->w, r->removed, r->nremoved, r->added, r->nadded);
		jsonw_object_end(&e->w);
		break;
	case RENDER_JSONL:
		for (size_t i = 0; i < r->nremoved + r->nadded; i++) {
			bool add = i >= r->nremoved;
			const struct route_row *row =
				add ? r->added[i - r->nremoved] : r->removed[i];
			jsonw_init(&e->w, stdout, false, 0);
			jsonw_object_begin(&e->w);
			group_keys(&e->w, g);
			jsonw_key(&e->w, "nics");
			jsonw_int(&e->w, (int64_t)g->nnics);
			jsonw_key(&e->w, "change");
			jsonw_string(&e->w, add ? "+" : "-");
			render_row_json_fields(&e->w, row, false, false);
			jsonw_object_end(&e->w);
			putchar('\n');
		}
		break;
	case RENDER_CSV: {
		char n[24];
		snprintf(n, sizeof(n), "%zu", g->nnics);
		const char *lead[3] = { g->subnet, g->from_subnet, n };
		render_changes_csv(stdout, lead, 3, r->removed, r->nremoved, r->added, r->nadded);
		break;
	}
	}
}

/* A group's heading for JUnit: "subnet hub/app (3 NICs)". */
static void group_title(const struct group *g, char *buf, size_t len)
{
	if (g->nic)
		snprintf(buf, len, "NIC %s (subnet %s)", g->nic, g->subnet);
	else if (g->from_subnet)
		snprintf(buf, len, "NICs moved from subnet %s to %s (%zu NICs)", g->from_subnet,
			 g->subnet, g->nnics);
	else
		snprintf(buf, len, "subnet %s%s%s (%zu NIC%s)%s", g->subnet, g->only ? " only in " : "",
			 g->only ? g->only : "", g->nnics, g->nnics == 1 ? "" : "s",
			 g->wrs_from || g->wrs_to ? " without Route Server routes" : "");
}

/* The first line of a JUnit failure: the NICs whose routes moved, which
 * a CI log shows where nobody opens the JSON ("NICs (2): web-a, web-b";
 * past JUNIT_NAMES, "..., and 230 more"). */
enum { JUNIT_NAMES = 20 };

static void junit_nic_names(FILE *m, const struct group *g)
{
	fprintf(m, "NICs (%zu)", g->nnics);
	size_t shown = g->nnics < JUNIT_NAMES ? g->nnics : JUNIT_NAMES;
	for (size_t i = 0; i < shown; i++)
		fprintf(m, "%s%s", i ? ", " : ": ", g->nics[i]);
	if (g->nnics > shown)
		fprintf(m, ", and %zu more", g->nnics - shown);
	fputc('\n', m);
}

static void junit_group(struct emitter *e, const struct group *g, const struct rowdiff_result *r)
{
	char title[600];
	group_title(g, title, sizeof(title));
	if (rowdiff_result_empty(r)) {
		if (junit_case(e->junit, "vnetsim.diff", title, NULL) != 0)
			e->oom = true;
		return;
	}
	char *text = NULL, msg[160];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m && !g->nic)
		junit_nic_names(m, g);
	if (!m || render_changes_text(m, "", r->removed, r->nremoved, r->added, r->nadded) != 0)
		e->oom = true;
	if (m && fclose(m) != 0)
		e->oom = true;
	snprintf(msg, sizeof(msg), "%zu row%s removed, %zu added", r->nremoved,
		 r->nremoved == 1 ? "" : "s", r->nadded);
	struct junit_result f = { JUNIT_FAIL, "RoutesChanged", msg, text };
	if (junit_case(e->junit, "vnetsim.diff", title, &f) != 0)
		e->oom = true;
	free(text);
}

/* A group compared: emitted when its rows differ, counted in JUnit either
 * way.  May take over *ch (see emit_group). */
static void emit_compared(struct emitter *e, const struct group *g, struct rowdiff_change *ch)
{
	if (e->junit)
		junit_group(e, g, &ch->res);
	if (!rowdiff_result_empty(&ch->res))
		emit_group(e, g, ch);
}

static void note_only(struct emitter *e, int side, const char *subnet, const char *nic)
{
	struct membership *m = VEC_PUSH(e->only[side], e->nonly[side], e->caponly[side]);
	if (!m) {
		e->oom = true;
		return;
	}
	*m = (struct membership){ subnet, nic };
}

static void emit_memberships_text(const struct emitter *e)
{
	for (int side = 0; side < 2; side++) {
		const struct membership *m = e->only[side];
		size_t n = e->nonly[side];
		for (size_t i = 0; i < n;) {
			size_t end = i;
			while (end < n && strcmp(m[end].subnet, m[i].subnet) == 0)
				end++;
			printf("subnet %s: %zu NIC%s only in %s (", m[i].subnet, end - i,
			       end - i == 1 ? "" : "s", side ? "to" : "from");
			for (size_t k = i; k < end && k < i + NAMES_SHOWN; k++)
				printf("%s%s", k > i ? ", " : "", m[k].nic);
			printf("%s)\n", end - i > NAMES_SHOWN ? ", ..." : "");
			i = end;
		}
	}
}

/* Returns true when anything differed. */
static bool emit_end(struct emitter *e)
{
	bool differ = e->groups > 0 || e->nonly[0] > 0 || e->nonly[1] > 0;
	static const char *const key[2] = { "nicsOnlyInFrom", "nicsOnlyInTo" };
	if (e->junit) {
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		junit_suite_time(e->junit, (double)(t1.tv_sec - e->t0.tv_sec) +
						   (double)(t1.tv_nsec - e->t0.tv_nsec) / 1e9);
	}
	for (int side = 0; e->junit && side < 2; side++)
		for (size_t i = 0; i < e->nonly[side]; i++) {
			char title[600];
			snprintf(title, sizeof(title), "NIC %s only in %s (subnet %s)",
				 e->only[side][i].nic, side ? "to" : "from",
				 e->only[side][i].subnet);
			struct junit_result f = { JUNIT_FAIL, "NicMembershipChanged",
						  "NIC present on one side only", NULL };
			if (junit_case(e->junit, "vnetsim.diff", title, &f) != 0)
				e->oom = true;
		}
	switch (e->fmt) {
	case RENDER_TABLE:
		fold_flush(e);
		emit_memberships_text(e);
		if (!differ)
			printf("no differences\n");
		else
			printf("%zu table%s differ%s (per subnet, or per group of its NICs), %zu "
			       "NIC%s only in from, %zu only in to\n",
			       e->groups, e->groups == 1 ? "" : "s", e->groups == 1 ? "s" : "",
			       e->nonly[0], e->nonly[0] == 1 ? "" : "s", e->nonly[1]);
		break;
	case RENDER_JSON:
		jsonw_array_end(&e->w);
		for (int side = 0; side < 2; side++) {
			jsonw_key(&e->w, key[side]);
			jsonw_array_begin(&e->w);
			for (size_t i = 0; i < e->nonly[side]; i++) {
				jsonw_object_begin(&e->w);
				jsonw_key(&e->w, "subnet");
				jsonw_string(&e->w, e->only[side][i].subnet);
				jsonw_key(&e->w, "nic");
				jsonw_string(&e->w, e->only[side][i].nic);
				jsonw_object_end(&e->w);
			}
			jsonw_array_end(&e->w);
		}
		jsonw_key(&e->w, "equal");
		jsonw_bool(&e->w, !differ);
		jsonw_object_end(&e->w);
		putchar('\n');
		break;
	case RENDER_JSONL:
		for (int side = 0; side < 2; side++)
			for (size_t i = 0; i < e->nonly[side]; i++) {
				jsonw_init(&e->w, stdout, false, 0);
				jsonw_object_begin(&e->w);
				jsonw_key(&e->w, "subnet");
				jsonw_string(&e->w, e->only[side][i].subnet);
				jsonw_key(&e->w, "nic");
				jsonw_string(&e->w, e->only[side][i].nic);
				jsonw_key(&e->w, "only");
				jsonw_string(&e->w, side ? "to" : "from");
				jsonw_object_end(&e->w);
				putchar('\n');
			}
		break;
	case RENDER_CSV:
		for (int side = 0; side < 2; side++)
			for (size_t i = 0; i < e->nonly[side]; i++) {
				const char *cells[10] = { e->only[side][i].subnet, NULL, "1",
							  side ? "+nic" : "-nic", NULL, NULL, NULL,
							  NULL, NULL, e->only[side][i].nic };
				render_csv_line(stdout, cells, 10);
			}
		break;
	}
	rowdiff_change_fini(&e->fold.ch);
	free(e->fold.subnets.v);
	free(e->fold.names.v);
	free(e->only[0]);
	free(e->only[1]);
	return differ;
}

/* ---- comparing two checkpoints -------------------------------------------- */

struct filter {
	const struct cli_target_spec *specs;
	size_t n;
};

static bool filter_match(const struct filter *f, const struct snapshot *sn, const char *subnet)
{
	if (f->n == 0)
		return true;
	const struct snapshot_subnet *s = snapshot_subnet(sn, subnet);
	for (size_t i = 0; i < f->n; i++) {
		if (!f->specs[i].nic) {
			if (fnmatch(f->specs[i].pattern, subnet, 0) == 0)
				return true;
			continue;
		}
		for (size_t k = 0; s && k < s->nic_count; k++)
			if (fnmatch(f->specs[i].pattern, sn->nics[s->nic_first + k].name, 0) == 0)
				return true;
	}
	return false;
}

/* Rows of one side into out: 0, -1 out of memory, -3 I/O (reported). */
static int side_rows(const struct emitter *e, const struct snapshot *sn,
		     const struct snapshot_subnet *sub, bool without_rs, struct rowdiff_set *out)
{
	if (!sub || !sub->table)
		return 0;
	int rc = sn->fill(sn->ctx, sub->table, without_rs, out);
	if (rc == 0 && e->ignore_none)
		rowdiff_set_drop_platform_none(out);
	return rc;
}

/* Diffs two sides into e as one group: 0, -1 out of memory, -3 I/O. */
static int diff_group(struct emitter *e, const struct group *g, const struct snapshot *a,
		      const struct snapshot_subnet *sa, const struct snapshot *b,
		      const struct snapshot_subnet *sb)
{
	struct rowdiff_change ch = { .from = rowdiff_set_create(), .to = rowdiff_set_create() };
	int rc = ch.from && ch.to ? 0 : -1;
	if (!rc)
		rc = side_rows(e, a, sa, g->wrs_from, ch.from);
	if (!rc)
		rc = side_rows(e, b, sb, g->wrs_to, ch.to);
	if (!rc && rowdiff_compare(ch.from, ch.to, ROWDIFF_NAMES_EXACT, &ch.res) != 0)
		rc = -1;
	if (!rc)
		emit_compared(e, g, &ch);
	rowdiff_change_fini(&ch);
	return rc;
}

/* NICs of subnet s (on side b) grouped by where they were on side a. */
struct nic_class {
	const char *from_subnet;       /* NULL: the same subnet */
	bool wa, wb;
	struct name_list names;
};

static int compare_subnet(struct emitter *e, const struct snapshot *a, const struct snapshot *b,
			  const char *id)
{
	const struct snapshot_subnet *sa = snapshot_subnet(a, id), *sb = snapshot_subnet(b, id);
	struct nic_class cls[16];
	size_t ncls = 1;
	int rc = 0;
	cls[0] = (struct nic_class){ 0 };
	/* NICs on the to side. */
	for (size_t k = 0; sb && k < sb->nic_count && rc == 0; k++) {
		const struct snapshot_nic *nb = &b->nics[sb->nic_first + k];
		const struct snapshot_nic *na = snapshot_nic(a, nb->name);
		if (!na) {
			note_only(e, 1, id, nb->name);
			continue;
		}
		const char *na_subnet = a->subnets[na->subnet].id;
		const char *from = strcmp(na_subnet, id) == 0 ? NULL : na_subnet;
		bool wa = na->unprogrammed, wb = nb->unprogrammed;
		size_t c = 0;
		while (c < ncls &&
		       !(cls[c].wa == wa && cls[c].wb == wb &&
			 (cls[c].from_subnet == from ||
			  (from && cls[c].from_subnet && strcmp(cls[c].from_subnet, from) == 0))))
			c++;
		if (c == ncls) {
			if (ncls == sizeof(cls) / sizeof(cls[0]))
				c = 0; /* more mixes than modelled: fold into the subnet group */
			else
				cls[ncls++] = (struct nic_class){ .from_subnet = from,
								  .wa = wa,
								  .wb = wb };
		}
		rc = names_add(&cls[c].names, nb->name);
	}
	/* NICs on the from side that are gone. */
	for (size_t k = 0; sa && k < sa->nic_count; k++) {
		const struct snapshot_nic *na = &a->nics[sa->nic_first + k];
		if (!snapshot_nic(b, na->name))
			note_only(e, 0, id, na->name);
	}
	for (size_t c = 0; c < ncls && rc == 0; c++) {
		if (c > 0 && cls[c].names.n == 0)
			continue;
		struct group g = { .subnet = id, .from_subnet = cls[c].from_subnet,
				   .only = !sa ? "to" : !sb ? "from" : NULL, .wrs_from = cls[c].wa,
				   .wrs_to = cls[c].wb, .nics = cls[c].names.v,
				   .nnics = cls[c].names.n };
		const struct snapshot_subnet *from_s = sa;
		if (cls[c].from_subnet)
			from_s = snapshot_subnet(a, cls[c].from_subnet);
		if (c == 0 && !sb) {
			/* The subnet is gone: its NICs are listed as only in from. */
			g.nics = NULL;
			g.nnics = 0;
		}
		rc = diff_group(e, &g, a, from_s, b, sb);
	}
	for (size_t c = 0; c < ncls; c++)
		free(cls[c].names.v);
	return rc;
}

static int compare_snapshots(struct emitter *e, const struct snapshot *a,
			     const struct snapshot *b, const struct filter *f)
{
	int rc;
	for (size_t i = 0; i < b->nsubnets; i++) {
		const char *id = b->subnets[i].id;
		if ((filter_match(f, b, id) || filter_match(f, a, id)) &&
		    (rc = compare_subnet(e, a, b, id)) != 0)
			return rc;
	}
	for (size_t i = 0; i < a->nsubnets; i++) {
		const char *id = a->subnets[i].id;
		if (!snapshot_subnet(b, id) && filter_match(f, a, id) &&
		    (rc = compare_subnet(e, a, b, id)) != 0)
			return rc;
	}
	return 0;
}

/* rc: 0, -1 out of memory, -3 I/O already reported. */
static int finish(struct emitter *e, int rc)
{
	bool differ = emit_end(e);
	if (rc == -3)
		return CLI_EXIT_ENV;
	if (rc != 0 || e->oom) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	return differ ? CLI_EXIT_DIFF : CLI_EXIT_OK;
}

/* Compares two sides and prints the report, labelled "from_label" and
 * "to_label"; returns the exit code.  NULL sides mean out of memory. */
static int report(const struct diff_opts *o, const char *from_label, const char *to_label,
		  const struct snapshot *a, const struct snapshot *b, const struct filter *f)
{
	struct emitter e;
	emit_begin(&e, o, from_label, to_label);
	return finish(&e, a && b ? compare_snapshots(&e, a, b, f) : -1);
}

/* The same for two checkpoints of runs in memory; labels "<file> at <at>". */
static int report_checkpoints(const struct diff_opts *o, const char *fa, const char *ata,
			      const struct checkpoint *a, const char *fb, const char *atb,
			      const struct checkpoint *b, const struct filter *f)
{
	char la[300], lb[300];
	snprintf(la, sizeof(la), "%s at %s", fa, ata);
	snprintf(lb, sizeof(lb), "%s at %s", fb, atb);
	struct snapshot *sa = snapshot_from_checkpoint(a), *sb = snapshot_from_checkpoint(b);
	int rc = report(o, la, lb, sa, sb, f);
	snapshot_destroy(sa);
	snapshot_destroy(sb);
	return rc;
}

/* ---- the three forms ------------------------------------------------------- */

/* When a --from/--to checkpoint is taken: "start" before every event (-1),
 * a label at its event's time, a probe at its time.  false for "end". */
static bool at_time(const struct scenario *sc, const struct cli_at *at, int64_t *ms)
{
	if (at->probe) {
		*ms = at->ms;
		return true;
	}
	if (strcmp(at->text, "start") == 0) {
		*ms = -1;
		return true;
	}
	for (size_t i = 0; i < sc->nevents; i++)
		if (sc->events[i].op == EV_CHECKPOINT && sc->events[i].label &&
		    strcmp(sc->events[i].label, at->text) == 0) {
			*ms = sc->events[i].at_ms;
			return true;
		}
	return false;
}

/* The replay stops at the later of the two checkpoints.  Two at one time
 * (a label and a probe) have no known order: the run goes to the end. */
static void stop_at_later(const struct scenario *sc, struct cli_at *at, bool same)
{
	int64_t ta, tb;
	if (same) {
		at[0].stop = strcmp(at[0].text, "end") != 0;
	} else if (at_time(sc, &at[0], &ta) && at_time(sc, &at[1], &tb) && ta != tb) {
		at[ta > tb ? 0 : 1].stop = true;
	}
}


static int diff_labels(const char *file, const struct cli_common *c, const struct diff_opts *o,
		       const char *from, const char *to, const struct filter *f)
{
	struct diag *d = diag_create();
	struct scenario *sc = NULL;
	struct run *r = NULL;
	struct cli_at at[2];
	int rc = d ? cli_load(file, c, d, stderr, &sc) : CLI_EXIT_ENV;
	if (rc == CLI_EXIT_OK)
		rc = cli_at_resolve(sc, from, &at[0], stderr);
	if (rc == CLI_EXIT_OK)
		rc = cli_at_resolve(sc, to, &at[1], stderr);
	/* One probe serves two spellings of one time ("60" and "1m"). */
	bool same = rc == CLI_EXIT_OK && (strcmp(from, to) == 0 ||
					  (at[0].probe && at[1].probe && at[0].ms == at[1].ms));
	if (rc == CLI_EXIT_OK) {
		stop_at_later(sc, at, same);
		rc = cli_run(sc, d, at, same ? 1 : 2, stderr, &r);
	}
	if (rc == CLI_EXIT_OK) {
		cli_note_sample_tags(sc, r, stderr);
		const struct checkpoint *ca = cli_checkpoint(r, &at[0]);
		const struct checkpoint *cb = same ? ca : cli_checkpoint(r, &at[1]);
		if (!ca || !cb) {
			fprintf(stderr, "%s: checkpoint \"%s\" was not recorded by the run\n", file,
				!ca ? from : to);
			rc = CLI_EXIT_INVALID;
		} else {
			rc = report_checkpoints(o, file, from, ca, file, to, cb, f);
		}
	}
	run_destroy(r);
	scenario_destroy(sc);
	diag_destroy(d);
	return rc;
}

static int diff_scenarios(const char *fa, const char *fb, const struct cli_common *c,
			  const struct diff_opts *o, const char *at, const struct filter *f)
{
	struct cli_session sa, sb;
	int rc = cli_session_open_stopped(&sa, fa, c, at);
	if (rc == CLI_EXIT_OK) {
		rc = cli_session_open_stopped(&sb, fb, c, at);
		if (rc == CLI_EXIT_OK)
			rc = report_checkpoints(o, fa, sa.at.text, sa.cp, fb, sb.at.text, sb.cp, f);
		cli_session_close(&sb);
	}
	cli_session_close(&sa);
	return rc;
}

static int diff_capture(const char *file, const struct cli_common *c, const struct diff_opts *o,
			const char *at, const struct cli_target_spec *spec, const char *capture)
{
	struct cli_session s;
	struct cli_target *tg = NULL;
	size_t ntg = 0;
	cJSON *doc = NULL;
	struct rowdiff_set *from = NULL, *to = NULL;
	int rc = cli_session_open_stopped(&s, file, c, at);
	if (rc == CLI_EXIT_OK)
		rc = cli_resolve_targets(s.cp->topo, s.at.text, spec, 1, stderr, &tg, &ntg);
	if (rc == CLI_EXIT_OK && ntg != 1) {
		fprintf(stderr,
			"vnetsim diff: --%s %s matches %zu targets; --against compares one\n",
			spec->nic ? "nic" : "subnet", spec->pattern, ntg);
		rc = CLI_EXIT_INVALID;
	}
	if (rc == CLI_EXIT_OK) {
		bool io = false;
		doc = jin_parse_file(capture, s.d, &io);
		diag_print(s.d, stderr);
		diag_clear(s.d);
		if (!doc)
			rc = io ? CLI_EXIT_ENV : CLI_EXIT_INVALID;
	}
	if (rc == CLI_EXIT_OK) {
		char err[300];
		from = rowdiff_set_create();
		to = rowdiff_set_create();
		int arc = from && to ? rowdiff_set_add_az(from, doc, err, sizeof(err)) : -1;
		if (arc == -2) {
			fprintf(stderr, "%s: $.%s\n", capture, err);
			rc = CLI_EXIT_INVALID;
		} else if (arc != 0) {
			rc = CLI_EXIT_ENV;
		}
	}
	if (rc == CLI_EXIT_OK) {
		bool wrs;
		const struct eff_table *t = cli_target_table(s.cp, &tg[0], &wrs);
		struct rowdiff_change ch = { .from = from, .to = to };
		from = to = NULL; /* ch owns them now */
		int arc = rowdiff_set_add_table(ch.to, t, wrs);
		if (arc == 0 && o->ignore_none) {
			rowdiff_set_drop_platform_none(ch.from);
			rowdiff_set_drop_platform_none(ch.to);
		}
		if (arc != 0 || rowdiff_compare(ch.from, ch.to, ROWDIFF_NAMES_IF_FROM, &ch.res) != 0) {
			fprintf(stderr, "vnetsim: out of memory\n");
			rc = CLI_EXIT_ENV;
		} else {
			struct emitter e;
			char lb[300];
			snprintf(lb, sizeof(lb), "vnetsim %s %s at %s", file, tg[0].name,
				 s.at.text);
			emit_begin(&e, o, capture, lb);
			const char *name = tg[0].name;
			struct group g = { .subnet = tg[0].s ? tg[0].s->id : tg[0].name,
					   .nic = tg[0].nic ? tg[0].name : NULL,
					   .wrs_to = wrs,
					   .nics = tg[0].nic ? &name : NULL,
					   .nnics = tg[0].nic ? 1 : 0 };
			emit_compared(&e, &g, &ch);
			rc = finish(&e, 0);
			if (wrs)
				cli_note_unprogrammed(&name, 1, stderr);
		}
		rowdiff_change_fini(&ch);
	}
	rowdiff_set_destroy(from);
	rowdiff_set_destroy(to);
	cJSON_Delete(doc);
	free(tg);
	cli_session_close(&s);
	return rc;
}

/* Two runs in a results store, at one checkpoint label of each. */
static int diff_db(const char *db, const char *ra, const char *rb, const struct diff_opts *o,
		   const char *at, const struct filter *f)
{
	struct store *st = NULL;
	struct snapshot *sa = NULL, *sb = NULL;
	int64_t id[2] = { 0, 0 };
	char desc[2][STORE_DESC_LEN];
	const char *label = at ? at : "end";
	int rc = store_open_pair(db, ra, rb, stderr, &st, id, desc);
	if (!rc)
		rc = store_load_snapshot(st, id[0], label, stderr, &sa);
	if (!rc)
		rc = store_load_snapshot(st, id[1], label, stderr, &sb);
	if (!rc) {
		char la[700], lb[700];
		snprintf(la, sizeof(la), "%s %s at %s", db, desc[0], label);
		snprintf(lb, sizeof(lb), "%s %s at %s", db, desc[1], label);
		rc = report(o, la, lb, sa, sb, f);
	}
	snapshot_destroy(sa);
	snapshot_destroy(sb);
	store_close(st);
	return rc;
}

/* SCENARIO, A.json B.json, or RUN_A RUN_B. */
struct diff_files {
	const char *v[2];
	size_t n;
};

static int opt_file(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	struct diff_files *f = o->dest;
	if (f->n == 2)
		return cli_usage_error(p, "at most two scenarios (or runs)");
	f->v[f->n++] = value;
	return 0;
}

/* What the command line asked for. */
struct diff_args {
	struct diff_files files;
	struct cli_targets specs;
	const char *from, *to, *at, *against, *db, *junit;
	bool ignore_none, reach;
};

/* --reach: the same three forms, reachability instead of routes
 * (diff_reach.h). */
static int reach_dispatch(const struct cli_parser *p, const struct diff_args *a,
			  const struct cli_common *common, const struct diff_opts *o)
{
	const char *const *files = a->files.v;
	struct diff_reach_opts ro = { o->fmt, o->junit, a->specs.v, a->specs.n };
	if (a->against || a->ignore_none)
		return cli_usage_error(p, "--reach compares flows: it takes no --against or "
					  "--ignore-platform-none");
	if (o->fmt == RENDER_CSV)
		return cli_usage_error(p, "-o: diff --reach writes table, json or jsonl");
	if (a->db) {
		if (a->files.n != 2 || a->from || a->to)
			return cli_usage_error(p, "--db takes two runs (RUN_A RUN_B) and --at, not "
						  "--from/--to");
		return diff_reach_db(a->db, files[0], files[1], &ro, a->at);
	}
	if (a->files.n == 2) {
		if (a->from || a->to)
			return cli_usage_error(p, "two scenarios take --at, not --from/--to");
		return diff_reach_scenarios(files[0], files[1], common, &ro, a->at);
	}
	if (a->files.n == 0)
		return cli_usage_error(p, "missing SCENARIO");
	if (!a->from || !a->to || a->at)
		return cli_usage_error(p, "one scenario needs --from and --to");
	return diff_reach_labels(files[0], common, &ro, a->from, a->to);
}

/* Picks the comparison the arguments describe and runs it. */
static int diff_dispatch(const struct cli_parser *p, const struct diff_args *a,
			 const struct cli_common *common, const struct diff_opts *o)
{
	const char *const *files = a->files.v;
	size_t nfiles = a->files.n;
	struct filter f = { a->specs.v, a->specs.n };
	if (a->reach)
		return reach_dispatch(p, a, common, o);
	if (a->db) {
		if (nfiles != 2 || a->from || a->to || a->against)
			return cli_usage_error(p, "--db takes two runs (RUN_A RUN_B) and --at, not "
						  "--from/--to/--against");
		return diff_db(a->db, files[0], files[1], o, a->at, &f);
	}
	if (nfiles == 0)
		return cli_usage_error(p, "missing SCENARIO");
	if (a->against) {
		if (nfiles != 1 || a->specs.n != 1 || a->from || a->to)
			return cli_usage_error(p, "--against needs one SCENARIO and one --nic or "
						  "--subnet (and no --from/--to)");
		return diff_capture(files[0], common, o, a->at, &a->specs.v[0], a->against);
	}
	if (nfiles == 2) {
		if (a->from || a->to)
			return cli_usage_error(p, "two scenarios take --at, not --from/--to");
		return diff_scenarios(files[0], files[1], common, o, a->at, &f);
	}
	if (!a->from || !a->to || a->at)
		return cli_usage_error(p, "one scenario needs --from and --to (or --against)");
	return diff_labels(files[0], common, o, a->from, a->to, &f);
}

int cmd_diff(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	struct diff_args a = { .files = { { NULL, NULL }, 0 } };
	const struct cli_option opts[] = {
		/* Not required here: --db names runs, and its message comes first. */
		CLI_ARGS(opt_file, &a.files, NULL),
		CLI_STRING("from", 0, &a.from, "LABEL|TIME", NULL),
		CLI_STRING("to", 0, &a.to, "LABEL|TIME", NULL),
		CLI_STRING("at", 0, &a.at, "LABEL|TIME", NULL),
		CLI_CALL("nic", 0, cli_opt_nic, &a.specs, "P", NULL),
		CLI_CALL("subnet", 0, cli_opt_subnet, &a.specs, "P", NULL),
		CLI_STRING("against", 0, &a.against, "CAPTURE.json", NULL),
		CLI_STRING("db", 0, &a.db, "FILE", NULL),
		CLI_FLAG("ignore-platform-none", 0, &a.ignore_none,
			 "leave out the platform None rows (source Default, next\n"
			 "hop None) on both sides: Azure changes that list over time"),
		CLI_FLAG("reach", 0, &a.reach,
			 "compare reachability instead of routes: flows (source\n"
			 "subnet, destination) that broke, were repaired, or cross\n"
			 "other appliances (vnetsim reach; RULES 1.11.7)"),
		CLI_STRING("junit", 0, &a.junit, "FILE",
			   "also write a JUnit XML report, one test case per group of\n"
			   "NICs compared (written atomically)"),
		CLI_END,
	};
	int rc = cli_parse(&p, &DIFF, opts, &common, argc, argv);
	if (rc != CLI_PARSED) {
		free(a.specs.v);
		return rc;
	}
	struct diff_opts o = { .fmt = cli_format(&common), .ignore_none = a.ignore_none };
	if (a.junit && !(o.junit = junit_create())) {
		free(a.specs.v);
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	rc = diff_dispatch(&p, &a, &common, &o);
	if (o.junit) {
		fflush(stdout); /* the report first, then the file */
		bool invalid = rc == CLI_EXIT_INVALID;
		struct junit_result e = { JUNIT_ERROR, invalid ? "InvalidInput" : "EnvironmentFailure",
					  invalid ? "invalid input or usage" : "environment failure",
					  "see the diagnostics on stderr" };
		if (rc >= CLI_EXIT_INVALID && junit_case(o.junit, "vnetsim.diff", "diff", &e) != 0)
			fprintf(stderr, "vnetsim: out of memory\n");
		int jrc = junit_write(o.junit, a.junit, stderr);
		if (jrc > rc)
			rc = jrc;
		junit_destroy(o.junit);
	}
	free(a.specs.v);
	return rc;
}
