/*
 * cmd_reach.c - `vnetsim reach`: every subnet to every destination at one
 * moment (RULES 1.11; the matrix is reach.h's), grouped for reading.
 *
 * The table is one row per outcome over the whole estate (failing ones
 * first, then by flows; SUMMARY_ROWS at most), with how many flows,
 * source subnets and destinations have it, so that ref-4k (5 million flows,
 * 69 outcomes) fits a screen.  --detail groups sources whose flows have
 * the same outcomes in the same numbers (spokes built alike read as one
 * group), and within a group the destinations by outcome.  JSON holds
 * everything: the destinations, the distinct outcomes, and per source
 * every flow as (outcome, symmetry, destination index ranges).
 *
 * Exit codes: 0 every flow delivered; 1 a flow dropped, partly dropped or
 * looped; 2 bad input; 3 environment.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "prefix.h"
#include "reach.h"
#include "trace.h"

static const char USAGE[] =
	"usage: vnetsim reach SCENARIO [--at LABEL|TIME] [--detail] [-o table|json|jsonl]\n";

static const struct cli_command REACH = {
	"reach", USAGE,
	"\nReachability at one moment: from every subnet to every subnet, every on-premises or\n"
	"appliance prefix and the Internet, whether packets are delivered, partly dropped,\n"
	"dropped or looped, the appliances they cross, where they leave, and whether the return\n"
	"path crosses the same appliances (RULES 1.11).\n"
	"\n",
	"\n"
	"Exit status: 0 every flow delivered, 1 a flow dropped, partly dropped or looped,\n"
	"2 bad input.\n",
	22,
};

/* A row's signature: (cell, destination kind) with counts, sorted. */
struct sig_item {
	uint32_t cell;
	uint32_t kind;
	uint32_t count;
};

static int sig_cmp(const void *a, const void *b)
{
	const struct sig_item *x = a, *y = b;
	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

struct row_sig {
	struct sig_item *v;
	size_t n;
};

/* The signature of source s (malloc'd items). */
static int row_signature(const struct reach *r, size_t s, struct row_sig *out)
{
	const uint32_t *row = &r->cells[s * r->ndests];
	struct sig_item *v = malloc((r->ndests + 1) * sizeof *v);
	if (!v)
		return -1;
	size_t n = 0;
	struct sig_item *tmp = v;
	for (size_t d = 0; d < r->ndests; d++)
		tmp[d] = (struct sig_item){ row[d], r->dests[d].kind, 1 };
	qsort(tmp, r->ndests, sizeof *tmp, sig_cmp);
	for (size_t d = 0; d < r->ndests; d++) {
		if (n && tmp[n - 1].cell == tmp[d].cell && tmp[n - 1].kind == tmp[d].kind)
			tmp[n - 1].count++;
		else
			tmp[n++] = tmp[d];
	}
	out->v = v, out->n = n;
	return 0;
}

static bool sig_equal(const struct row_sig *a, const struct row_sig *b)
{
	return a->n == b->n && memcmp(a->v, b->v, a->n * sizeof *a->v) == 0;
}

static const char *dest_label(const struct reach_dest *d, char *buf, size_t len)
{
	char p[PREFIX_STRLEN];
	if (d->kind == RK_SUBNET)
		return d->subnet->id;
	if (d->kind == RK_INTERNET)
		return "Internet";
	snprintf(buf, len, "%s", prefix_format(d->prefix, p));
	return buf;
}

/* "3 subnets (hub/app, hub/nva, ...)" for the destinations of source s
 * with this cell and kind. */
static void dests_text(const struct reach *r, size_t s, uint32_t cell, uint32_t kind,
		       uint32_t count, char *buf, size_t len)
{
	static const char *const what[][2] = { { "subnet", "subnets" },
					       { "on-premises prefix", "on-premises prefixes" },
					       { "appliance prefix", "appliance prefixes" },
					       { "Internet", "Internet" } };
	size_t k = 0;
	if (kind == RK_INTERNET) {
		snprintf(buf, len, "Internet");
		return;
	}
	k += (size_t)snprintf(buf, len, "%u %s (", count, what[kind][count != 1]);
	const uint32_t *row = &r->cells[s * r->ndests];
	unsigned shown = 0;
	for (size_t d = 0; d < r->ndests && shown < 3 && k < len; d++) {
		if (row[d] != cell || r->dests[d].kind != kind)
			continue;
		char lb[PREFIX_STRLEN];
		k += (size_t)snprintf(buf + k, len - k, "%s%s", shown ? ", " : "",
				      dest_label(&r->dests[d], lb, sizeof lb));
		shown++;
	}
	if (k < len)
		snprintf(buf + k, len - k, "%s)", count > shown ? ", ..." : "");
}

struct totals {
	size_t flows, by_verdict[4], asym, ecmp;
};

static struct totals count_flows(const struct reach *r)
{
	struct totals t = { 0 };
	for (size_t i = 0; i < r->nsources * r->ndests; i++) {
		uint32_t c = r->cells[i];
		t.flows++;
		t.by_verdict[reach_cell_result(r, c)->verdict]++;
		t.asym += reach_cell_sym(c) == RS_ASYMMETRIC;
		t.ecmp += reach_cell_sym(c) == RS_ECMP;
	}
	return t;
}

static int print_group(const struct reach *r, const size_t *members, size_t nm,
		       const struct row_sig *sig)
{
	const struct topology *t = r->topo;
	printf("\nfrom %s", t->subnets[members[0]]->id);
	for (size_t i = 1; i < nm && i < 4; i++)
		printf(", %s", t->subnets[members[i]]->id);
	if (nm > 4)
		printf(", ... (%zu subnets alike)", nm);
	else if (nm > 1)
		printf(" (%zu subnets alike)", nm);
	printf("\n");
	static const char *const heads[] = { "Result", "Destinations", "Appliances", "Ends",
					     "Return" };
	struct render_tab *tab = render_tab_create(5, heads);
	if (!tab)
		return -1;
	for (size_t i = 0; i < sig->n; i++) {
		const struct sig_item *it = &sig->v[i];
		const struct reach_result *x = reach_cell_result(r, it->cell);
		char dests[256], appl[256], ends[256];
		dests_text(r, members[0], it->cell, it->kind, it->count, dests, sizeof dests);
		const char *cells[] = { trace_verdict_name(x->verdict), dests,
					reach_result_appliances(x, appl, sizeof appl),
					reach_result_ends(x, ends, sizeof ends),
					reach_sym_name(reach_cell_sym(it->cell)) };
		if (render_tab_add(tab, cells) != 0) {
			render_tab_destroy(tab);
			return -1;
		}
	}
	render_tab_print(tab, stdout, "  ");
	render_tab_destroy(tab);
	return 0;
}

/* ---- the summary (the default table) ---------------------------------------- */

/* One outcome over the whole matrix. */
struct outcome_sum {
	size_t idx, flows, asym, nsources, ndests;
	size_t first_source, first_dest;
};

static int sum_cmp(const void *a, const void *b)
{
	const struct outcome_sum *x = a, *y = b;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Per outcome with flows: counts, distinct sources and destinations (a
 * bitset per outcome).  *n receives how many; NULL out of memory. */
static struct outcome_sum *sum_outcomes(const struct reach *r, size_t *n)
{
	size_t words = (r->ndests + 63) / 64;
	struct outcome_sum *v = calloc(r->nresults + 1, sizeof *v);
	uint64_t *seen = calloc(r->nresults * words + 1, sizeof *seen);
	size_t *last_src = malloc((r->nresults + 1) * sizeof *last_src);
	if (!v || !seen || !last_src) {
		free(v), free(seen), free(last_src);
		return NULL;
	}
	for (size_t i = 0; i < r->nresults; i++)
		v[i].idx = i, last_src[i] = SIZE_MAX;
	for (size_t s = 0; s < r->nsources; s++)
		for (size_t d = 0; d < r->ndests; d++) {
			uint32_t c = r->cells[s * r->ndests + d];
			struct outcome_sum *o = &v[c >> 2];
			if (o->flows++ == 0)
				o->first_source = s, o->first_dest = d;
			o->asym += reach_cell_sym(c) == RS_ASYMMETRIC;
			if (last_src[c >> 2] != s)
				last_src[c >> 2] = s, o->nsources++;
			uint64_t *w = &seen[(c >> 2) * words + d / 64];
			if (!(*w >> (d % 64) & 1))
				*w |= 1ull << (d % 64), o->ndests++;
		}
	free(seen);
	free(last_src);
	size_t k = 0;
	for (size_t i = 0; i < r->nresults; i++)
		if (v[i].flows)
			v[k++] = v[i];
	/* Failing outcomes first, each part by flows. */
	size_t nfail = 0;
	for (size_t i = 0; i < k; i++)
		if (r->results[v[i].idx].verdict != TV_DELIVERED) {
			struct outcome_sum t = v[nfail];
			v[nfail++] = v[i], v[i] = t;
		}
	qsort(v, nfail, sizeof *v, sum_cmp);
	qsort(v + nfail, k - nfail, sizeof *v, sum_cmp);
	*n = k;
	return v;
}

#define SUMMARY_ROWS 30

static int summary_row(struct render_tab *tab, const struct reach *r, const struct outcome_sum *o)
{
	const struct reach_result *x = &r->results[o->idx];
	char appl[256], ends[256], flows[32], from[200], to[200], ret[32], lb[PREFIX_STRLEN];
	snprintf(flows, sizeof flows, "%zu", o->flows);
	snprintf(from, sizeof from, "%zu subnet%s (%s%s)", o->nsources, o->nsources == 1 ? "" : "s",
		 r->topo->subnets[o->first_source]->id, o->nsources > 1 ? ", ..." : "");
	snprintf(to, sizeof to, "%zu (%s%s)", o->ndests,
		 dest_label(&r->dests[o->first_dest], lb, sizeof lb), o->ndests > 1 ? ", ..." : "");
	snprintf(ret, sizeof ret, "%zu asymmetric", o->asym);
	const char *cells[] = { trace_verdict_name(x->verdict),
				reach_result_appliances(x, appl, sizeof appl),
				reach_result_ends(x, ends, sizeof ends), flows, from, to,
				o->asym ? ret : "-" };
	return render_tab_add(tab, cells);
}

/* Every outcome with its flows, sources and destinations: the failing ones
 * first, then by flows, SUMMARY_ROWS at most. */
static int print_summary(const struct reach *r, size_t ngroups)
{
	size_t n = 0;
	struct outcome_sum *v = sum_outcomes(r, &n);
	static const char *const heads[] = { "Result", "Appliances", "Ends", "Flows",
					     "From", "To (destinations)", "Return" };
	struct render_tab *tab = v ? render_tab_create(7, heads) : NULL;
	int rc = tab ? 0 : -1;
	for (size_t i = 0; i < n && i < SUMMARY_ROWS && rc == 0; i++)
		rc = summary_row(tab, r, &v[i]);
	if (rc == 0) {
		printf("\n");
		render_tab_print(tab, stdout, "");
		size_t more = 0, failing = 0;
		for (size_t i = SUMMARY_ROWS; i < n; i++) {
			more += v[i].flows;
			if (r->results[v[i].idx].verdict != TV_DELIVERED)
				failing += v[i].flows;
		}
		if (n > SUMMARY_ROWS)
			printf("... %zu more outcomes (%zu flows, %zu of them not delivered)\n",
			       n - SUMMARY_ROWS, more, failing);
		printf("\n%zu source subnets in %zu groups of alike subnets: --detail shows each "
		       "group's flows, -o json every flow\n",
		       r->nsources, ngroups);
	}
	render_tab_destroy(tab);
	free(v);
	return rc;
}

static int print_table(const struct cli_trace_session *ts, const struct reach *r, bool detail)
{
	struct totals tt = count_flows(r);
	printf("reach at %s: %zu source subnets x %zu destinations = %zu flows: %zu delivered, "
	       "%zu partly dropped, %zu dropped, %zu looped; %zu asymmetric, %zu ECMP-spread\n",
	       ts->s.cp->label, r->nsources, r->ndests, tt.flows, tt.by_verdict[TV_DELIVERED],
	       tt.by_verdict[TV_PARTLY_DROPPED], tt.by_verdict[TV_DROPPED],
	       tt.by_verdict[TV_LOOPED], tt.asym, tt.ecmp);
	struct row_sig *sigs = calloc(r->nsources + 1, sizeof *sigs);
	size_t *members = malloc((r->nsources + 1) * sizeof *members);
	bool *done = calloc(r->nsources + 1, sizeof *done);
	int rc = sigs && members && done ? 0 : -1;
	size_t ngroups = 0;
	for (size_t s = 0; s < r->nsources && rc == 0; s++)
		rc = row_signature(r, s, &sigs[s]);
	for (size_t s = 0; s < r->nsources && rc == 0; s++) {
		if (done[s])
			continue;
		size_t nm = 0;
		for (size_t o = s; o < r->nsources; o++)
			if (!done[o] && sig_equal(&sigs[s], &sigs[o]))
				members[nm++] = o, done[o] = true;
		ngroups++;
		if (detail)
			rc = print_group(r, members, nm, &sigs[s]);
	}
	if (rc == 0 && !detail)
		rc = print_summary(r, ngroups);
	for (size_t s = 0; sigs && s < r->nsources; s++)
		free(sigs[s].v);
	free(sigs);
	free(members);
	free(done);
	return rc;
}

static void json_result(struct jsonw *w, const struct reach *r, const struct reach_result *x)
{
	char buf[256];
	jsonw_inline_begin(w, true);
	jsonw_key(w, "result");
	jsonw_string(w, trace_verdict_name(x->verdict));
	jsonw_key(w, "paths");
	jsonw_int(w, x->npaths);
	jsonw_key(w, "ok");
	jsonw_int(w, x->nok);
	jsonw_key(w, "appliances");
	jsonw_inline_begin(w, false);
	for (size_t i = 0; i < x->nappl; i++)
		jsonw_string(w, x->appl[i]->name);
	jsonw_array_end(w);
	jsonw_key(w, "ends");
	jsonw_string(w, reach_result_ends(x, buf, sizeof buf));
	jsonw_object_end(w);
}

/* Source s's flows: per distinct cell, the destination index ranges. */
static int json_source(struct jsonw *w, const struct reach *r, size_t s)
{
	const uint32_t *row = &r->cells[s * r->ndests];
	uint32_t *cells = malloc((r->ndests + 1) * sizeof *cells);
	if (!cells)
		return -1;
	memcpy(cells, row, r->ndests * sizeof *cells);
	qsort(cells, r->ndests, sizeof *cells, u32_cmp);
	jsonw_object_begin(w);
	jsonw_key(w, "from");
	jsonw_string(w, r->topo->subnets[s]->id);
	jsonw_key(w, "flows");
	jsonw_array_begin(w);
	for (size_t i = 0; i < r->ndests; i++) {
		if (i && cells[i] == cells[i - 1])
			continue;
		jsonw_inline_begin(w, true);
		jsonw_key(w, "outcome");
		jsonw_int(w, cells[i] >> 2);
		jsonw_key(w, "return");
		jsonw_string(w, reach_sym_name(reach_cell_sym(cells[i])));
		jsonw_key(w, "to");
		jsonw_inline_begin(w, false);
		for (size_t d = 0; d < r->ndests; d++) {
			if (row[d] != cells[i])
				continue;
			size_t e = d;
			while (e + 1 < r->ndests && row[e + 1] == cells[i])
				e++;
			jsonw_inline_begin(w, false);
			jsonw_int(w, (int64_t)d);
			jsonw_int(w, (int64_t)e);
			jsonw_array_end(w);
			d = e;
		}
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
	free(cells);
	return 0;
}

static int print_json(const struct cli_trace_session *ts, const struct reach *r, bool pretty)
{
	struct jsonw w;
	char buf[PREFIX_STRLEN];
	jsonw_init(&w, stdout, pretty, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "at");
	jsonw_string(&w, ts->s.cp->label);
	jsonw_key(&w, "atMs");
	jsonw_int(&w, ts->s.cp->at_ms);
	jsonw_key(&w, "destinations");
	jsonw_array_begin(&w);
	for (size_t d = 0; d < r->ndests; d++) {
		const struct reach_dest *x = &r->dests[d];
		jsonw_inline_begin(&w, true);
		jsonw_key(&w, "kind");
		jsonw_string(&w, reach_kind_name(x->kind));
		jsonw_key(&w, "name");
		jsonw_string(&w, dest_label(x, buf, sizeof buf));
		jsonw_key(&w, "prefix");
		jsonw_string(&w, prefix_format(x->prefix, buf));
		jsonw_key(&w, "address");
		jsonw_string(&w, ipv4_format(x->addr, buf));
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "outcomes");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->nresults; i++)
		json_result(&w, r, &r->results[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "sources");
	jsonw_array_begin(&w);
	int rc = 0;
	for (size_t s = 0; s < r->nsources && rc == 0; s++)
		rc = json_source(&w, r, s);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	fputc('\n', stdout);
	return rc;
}

int cmd_reach(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	const char *file = NULL, *at = NULL;
	bool detail = false;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_STRING("at", 0, &at, "LABEL|TIME",
			   "a checkpoint label, 'start', 'end' (default) or a time"),
		CLI_FLAG("detail", 0, &detail,
			 "the table per group of alike source subnets, each group's\n"
			 "flows by outcome (default: one row per outcome)"),
		CLI_END,
	};
	int rc = cli_parse(&p, &REACH, opts, &common, argc, argv);
	rc = cli_trace_format(&p, &common, rc, "reach");
	enum render_format fmt = cli_format(&common);
	if (rc != CLI_PARSED)
		return rc;
	struct cli_trace_session ts;
	rc = cli_trace_open(&ts, file, &common, at);
	if (rc != CLI_EXIT_OK)
		return rc;
	struct reach *r = reach_compute(ts.env, run_speakers(ts.s.r));
	if (!r) {
		rc = CLI_EXIT_ENV;
	} else {
		int w = fmt == RENDER_TABLE ? print_table(&ts, r, detail)
					    : print_json(&ts, r, fmt == RENDER_JSON);
		rc = w != 0 ? CLI_EXIT_ENV : CLI_EXIT_OK;
	}
	if (rc == CLI_EXIT_ENV)
		fprintf(stderr, "vnetsim: out of memory\n");
	if (rc == CLI_EXIT_OK) {
		struct totals tt = count_flows(r);
		if (tt.by_verdict[TV_DELIVERED] != tt.flows)
			rc = CLI_EXIT_DIFF;
	}
	reach_destroy(r);
	cli_trace_close(&ts);
	return cli_finish_output(rc);
}
