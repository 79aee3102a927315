/*
 * diff_reach.c - `vnetsim diff --reach`; see diff_reach.h.
 *
 * The table is grouped as reachdiff.h groups: per change and pair of
 * outcomes one heading, then up to BLOCKS_SHOWN blocks of "sources ->
 * destinations", each summarised by kind with the first names; json lists
 * every block in full, jsonl one block per line.
 */
#include "diff_reach.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "junit.h"
#include "reach.h"
#include "reachdiff.h"
#include "reachset.h"
#include "snapshot.h"
#include "store.h"
#include "topology.h"
#include "vec.h"

#define BLOCKS_SHOWN 4
#define NAMES_SHOWN 3

/* "delivered via nva1-nic (handed to nva1-nic)" */
static void outcome_text(FILE *out, const struct reachset_outcome *o, enum reach_sym sym,
			 bool with_sym)
{
	fprintf(out, "%s", trace_verdict_name(o->verdict));
	if (strcmp(o->appliances, "-") != 0)
		fprintf(out, " via %s", o->appliances);
	if (o->ends[0])
		fprintf(out, " (%s)", o->ends);
	if (with_sym)
		fprintf(out, ", return %s", reach_sym_name(sym));
}

static void names_text(FILE *out, const char *const *names, size_t n, const char *one,
		       const char *many)
{
	fprintf(out, "%zu %s (", n, n == 1 ? one : many);
	for (size_t i = 0; i < n && i < NAMES_SHOWN; i++)
		fprintf(out, "%s%s", i ? ", " : "", names[i]);
	fprintf(out, "%s)", n > NAMES_SHOWN ? ", ..." : "");
}

/* "396 subnets (a, b, c, ...), 99 appliance prefixes (...)" */
static void dests_text(FILE *out, const struct reachset *b, const uint32_t *dests, size_t n)
{
	static const char *const what[][2] = { { "subnet", "subnets" },
					       { "on-premises prefix", "on-premises prefixes" },
					       { "appliance prefix", "appliance prefixes" },
					       { "Internet", "Internet" } };
	bool first = true;
	for (int k = RK_SUBNET; k <= RK_INTERNET; k++) {
		size_t count = 0, shown = 0;
		for (size_t i = 0; i < n; i++)
			count += b->dests[dests[i]].kind == (enum reach_kind)k;
		if (!count)
			continue;
		fprintf(out, "%s", first ? "" : ", ");
		first = false;
		if (k == RK_INTERNET) {
			fprintf(out, "Internet");
			continue;
		}
		fprintf(out, "%zu %s (", count, what[k][count != 1]);
		for (size_t i = 0; i < n && shown < NAMES_SHOWN; i++)
			if (b->dests[dests[i]].kind == (enum reach_kind)k)
				fprintf(out, "%s%s", shown++ ? ", " : "", b->dests[dests[i]].name);
		fprintf(out, "%s)", count > shown ? ", ..." : "");
	}
}

static void sources_text(FILE *out, const struct reachset *b, const uint32_t *src, size_t n)
{
	fprintf(out, "%zu subnet%s (", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < NAMES_SHOWN; i++)
		fprintf(out, "%s%s", i ? ", " : "", b->sources[src[i]]);
	fprintf(out, "%s)", n > NAMES_SHOWN ? ", ..." : "");
}

/* ---- --nic / --subnet: the subnets whose flows are compared --------------- */

struct scope {
	const struct cli_target_spec *specs;
	size_t nspecs;
	bool *matched;                 /* per spec: matched on some side */
	char **names;                  /* subnet ids, owned; sorted by scope_seal */
	size_t n, cap;
};

/* Subnet id, with the names of its NICs: whether a spec matches it. */
static bool scope_match(struct scope *sc, const char *id, const char *const *nics, size_t stride,
			size_t nnics)
{
	bool any = false;
	for (size_t i = 0; i < sc->nspecs; i++) {
		const struct cli_target_spec *sp = &sc->specs[i];
		bool hit = false;
		if (!sp->nic)
			hit = fnmatch(sp->pattern, id, 0) == 0;
		for (size_t k = 0; sp->nic && !hit && k < nnics; k++)
			hit = fnmatch(sp->pattern,
				      *(const char *const *)((const char *)nics + k * stride),
				      0) == 0;
		if (hit)
			sc->matched[i] = true;
		any |= hit;
	}
	return any;
}

/* 0, or -1 out of memory. */
static int scope_add(struct scope *sc, const char *id)
{
	char *copy = strdup(id);
	char **slot = copy ? VEC_PUSH(sc->names, sc->n, sc->cap) : NULL;
	if (!slot) {
		free(copy);
		return -1;
	}
	*slot = copy;
	return 0;
}

/* The subnets of a topology (a scenario side) that the specs match. */
static int scope_from_topology(struct scope *sc, const struct topology *t)
{
	const char **nics = NULL;
	size_t cap = 0, n = 0;
	int rc = 0;
	for (size_t i = 0; i < t->nsubnets && rc == 0; i++) {
		const struct subnet *s = t->subnets[i];
		n = 0;
		for (size_t k = 0; k < s->nic_count && rc == 0; k++) {
			const char **slot = VEC_PUSH(nics, n, cap);
			if (!slot)
				rc = -1;
			else
				*slot = t->subnet_nics[s->nic_first + k]->name;
		}
		if (rc == 0 && scope_match(sc, s->id, nics, sizeof *nics, n))
			rc = scope_add(sc, s->id);
	}
	free(nics);
	return rc;
}

/* The same for a stored run's checkpoint. */
static int scope_from_snapshot(struct scope *sc, const struct snapshot *sn)
{
	for (size_t i = 0; i < sn->nsubnets; i++) {
		const struct snapshot_subnet *s = &sn->subnets[i];
		if (scope_match(sc, s->id, &sn->nics[s->nic_first].name, sizeof *sn->nics,
				s->nic_count) &&
		    scope_add(sc, s->id) != 0)
			return -1;
	}
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and dedupes; a spec matched on neither side is bad input,
 * reported on stderr.  An exit code. */
static int scope_seal(struct scope *sc, const char *where)
{
	for (size_t i = 0; i < sc->nspecs; i++) {
		if (sc->matched[i])
			continue;
		fprintf(stderr, "vnetsim: --%s %s: no %s matches this at %s\n",
			sc->specs[i].nic ? "nic" : "subnet", sc->specs[i].pattern,
			sc->specs[i].nic ? "NIC" : "subnet (\"vnet/subnet\")", where);
		return CLI_EXIT_INVALID;
	}
	if (sc->n)
		qsort(sc->names, sc->n, sizeof *sc->names, str_cmp);
	size_t k = 0;
	for (size_t i = 0; i < sc->n; i++) {
		if (k && strcmp(sc->names[k - 1], sc->names[i]) == 0)
			free(sc->names[i]);
		else
			sc->names[k++] = sc->names[i];
	}
	sc->n = k;
	return CLI_EXIT_OK;
}

/* The specs of o; 0, or -1 out of memory. */
static int scope_init(struct scope *sc, const struct diff_reach_opts *o)
{
	*sc = (struct scope){ .specs = o->specs, .nspecs = o->nspecs };
	sc->matched = calloc(o->nspecs + 1, sizeof *sc->matched);
	return sc->matched ? 0 : -1;
}

static void scope_free(struct scope *sc)
{
	free(sc->matched);
	for (size_t i = 0; i < sc->n; i++)
		free(sc->names[i]);
	free(sc->names);
}


static void print_table(FILE *out, const struct reachdiff *d, const struct reachset *b,
			const struct scope *sc)
{
	/* "reach: 15 flows from or to 1 subnet (spoke1/web) compared: ..." */
	fprintf(out, "reach: %llu flows ", (unsigned long long)d->compared);
	if (sc->nspecs) {
		fprintf(out, "from or to ");
		names_text(out, (const char *const *)sc->names, sc->n, "subnet", "subnets");
		fputc(' ', out);
	}
	fprintf(out, "compared: %llu broke, %llu repaired, %llu rerouted, "
		     "%llu return changed, %llu changed\n",
		(unsigned long long)d->count[RD_BROKE],
		(unsigned long long)d->count[RD_REPAIRED], (unsigned long long)d->count[RD_REROUTED],
		(unsigned long long)d->count[RD_RETURN], (unsigned long long)d->count[RD_CHANGED]);
	for (size_t i = 0; i < d->ngroups; i++) {
		const struct reachdiff_group *g = &d->groups[i];
		bool sym = g->change == RD_RETURN;
		fprintf(out, "\n%s, %llu flow%s: ", reachdiff_change_name(g->change),
			(unsigned long long)g->flows, g->flows == 1 ? "" : "s");
		outcome_text(out, g->from, g->from_sym, sym);
		fprintf(out, "\n  -> ");
		outcome_text(out, g->to, g->to_sym, sym);
		fputc('\n', out);
		for (size_t k = 0; k < g->nblocks && k < BLOCKS_SHOWN; k++) {
			const struct reachdiff_block *bl = &g->blocks[k];
			fprintf(out, "  from ");
			sources_text(out, b, bl->sources, bl->nsources);
			fprintf(out, " to ");
			dests_text(out, b, bl->dests, bl->ndests);
			fputc('\n', out);
		}
		if (g->nblocks > BLOCKS_SHOWN)
			fprintf(out, "  ... and %zu more sets of subnets (-o json lists every flow)\n",
				g->nblocks - BLOCKS_SHOWN);
	}
	static const char *const side[2] = { "from", "to" };
	bool any = false;
	for (int s = 0; s < 2; s++) {
		if (d->nsources_only[s]) {
			fprintf(out, "%ssources only in %s: ", any ? "" : "\n", side[s]);
			names_text(out, d->sources_only[s], d->nsources_only[s], "subnet", "subnets");
			fputc('\n', out);
			any = true;
		}
		if (d->ndests_only[s]) {
			fprintf(out, "%sdestinations only in %s: ", any ? "" : "\n", side[s]);
			names_text(out, d->dests_only[s], d->ndests_only[s], "destination",
				   "destinations");
			fputc('\n', out);
			any = true;
		}
	}
	if (!reachdiff_differs(d))
		fprintf(out, "no differences in reachability\n");
}

static void json_outcome(struct jsonw *w, const struct reachset_outcome *o, enum reach_sym sym)
{
	jsonw_inline_begin(w, true);
	jsonw_key(w, "result");
	jsonw_string(w, trace_verdict_name(o->verdict));
	jsonw_key(w, "paths");
	jsonw_int(w, o->paths);
	jsonw_key(w, "ok");
	jsonw_int(w, o->ok);
	jsonw_key(w, "appliances");
	jsonw_string(w, o->appliances);
	jsonw_key(w, "ends");
	jsonw_string(w, o->ends);
	jsonw_key(w, "return");
	jsonw_string(w, reach_sym_name(sym));
	jsonw_object_end(w);
}

static void json_block(struct jsonw *w, const struct reachset *b, const struct reachdiff_block *bl)
{
	jsonw_key(w, "sources");
	jsonw_inline_begin(w, false);
	for (size_t i = 0; i < bl->nsources; i++)
		jsonw_string(w, b->sources[bl->sources[i]]);
	jsonw_array_end(w);
	jsonw_key(w, "destinations");
	jsonw_inline_begin(w, false);
	for (size_t i = 0; i < bl->ndests; i++)
		jsonw_string(w, b->dests[bl->dests[i]].name);
	jsonw_array_end(w);
}

static void json_group_head(struct jsonw *w, const struct reachdiff_group *g)
{
	jsonw_key(w, "change");
	jsonw_string(w, reachdiff_change_name(g->change));
	jsonw_key(w, "from");
	json_outcome(w, g->from, g->from_sym);
	jsonw_key(w, "to");
	json_outcome(w, g->to, g->to_sym);
}

static void json_names(struct jsonw *w, const char *key, const char *const *v, size_t n)
{
	jsonw_key(w, key);
	jsonw_inline_begin(w, false);
	for (size_t i = 0; i < n; i++)
		jsonw_string(w, v[i]);
	jsonw_array_end(w);
}

static void print_json(const struct reachdiff *d, const struct reachset *b, const char *from,
		       const char *to, const struct scope *sc)
{
	static const char *const counts[] = { "broke", "repaired", "rerouted", "returnChanged",
					      "changed" };
	struct jsonw w;
	jsonw_init(&w, stdout, true, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "from");
	jsonw_string(&w, from);
	jsonw_key(&w, "to");
	jsonw_string(&w, to);
	if (sc->nspecs) /* only when filtered: the subnets whose flows count */
		json_names(&w, "scope", (const char *const *)sc->names, sc->n);
	jsonw_key(&w, "compared");
	jsonw_int(&w, (int64_t)d->compared);
	for (int c = 0; c < RD_NCHANGES; c++) {
		jsonw_key(&w, counts[c]);
		jsonw_int(&w, (int64_t)d->count[c]);
	}
	jsonw_key(&w, "groups");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < d->ngroups; i++) {
		const struct reachdiff_group *g = &d->groups[i];
		jsonw_object_begin(&w);
		json_group_head(&w, g);
		jsonw_key(&w, "flows");
		jsonw_int(&w, (int64_t)g->flows);
		jsonw_key(&w, "blocks");
		jsonw_array_begin(&w);
		for (size_t k = 0; k < g->nblocks; k++) {
			jsonw_inline_begin(&w, true);
			json_block(&w, b, &g->blocks[k]);
			jsonw_object_end(&w);
		}
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	json_names(&w, "sourcesOnlyInFrom", d->sources_only[0], d->nsources_only[0]);
	json_names(&w, "sourcesOnlyInTo", d->sources_only[1], d->nsources_only[1]);
	json_names(&w, "destinationsOnlyInFrom", d->dests_only[0], d->ndests_only[0]);
	json_names(&w, "destinationsOnlyInTo", d->dests_only[1], d->ndests_only[1]);
	jsonw_key(&w, "equal");
	jsonw_bool(&w, !reachdiff_differs(d));
	jsonw_object_end(&w);
	fputc('\n', stdout);
}

/* One line per block: the group's change and outcomes, its sources and
 * destinations. */
static void print_jsonl(const struct reachdiff *d, const struct reachset *b)
{
	for (size_t i = 0; i < d->ngroups; i++)
		for (size_t k = 0; k < d->groups[i].nblocks; k++) {
			struct jsonw w;
			jsonw_init(&w, stdout, false, 0);
			jsonw_object_begin(&w);
			json_group_head(&w, &d->groups[i]);
			json_block(&w, b, &d->groups[i].blocks[k]);
			jsonw_object_end(&w);
			fputc('\n', stdout);
		}
}

/* One case per group: a group of broken flows fails. */
static int junit_groups(struct junit *j, const struct reachdiff *d, const char *from,
			const char *to, double seconds)
{
	char name[700];
	snprintf(name, sizeof name, "%s -> %s", from, to);
	struct junit_suite_info si = { .name = name, .package = "vnetsim.diff.reach",
				       .seconds = seconds };
	int rc = junit_suite(j, &si);
	if (rc == 0 && d->ngroups == 0)
		rc = junit_case(j, "vnetsim.diff.reach", "no flow changed", NULL);
	for (size_t i = 0; i < d->ngroups && rc == 0; i++) {
		const struct reachdiff_group *g = &d->groups[i];
		char *text = NULL, title[200];
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		if (!m)
			return -1;
		outcome_text(m, g->from, g->from_sym, g->change == RD_RETURN);
		fprintf(m, " -> ");
		outcome_text(m, g->to, g->to_sym, g->change == RD_RETURN);
		if (fclose(m) != 0) {
			free(text);
			return -1;
		}
		snprintf(title, sizeof title, "%s: %llu flow%s", reachdiff_change_name(g->change),
			 (unsigned long long)g->flows, g->flows == 1 ? "" : "s");
		char full[900];
		snprintf(full, sizeof full, "%s: %s", title, text);
		struct junit_result f = { JUNIT_FAIL, "FlowsBroke", title, text };
		rc = junit_case(j, "vnetsim.diff.reach", full, g->change == RD_BROKE ? &f : NULL);
		free(text);
	}
	return rc;
}

/* Compares and prints; the exit code.  NULL sides: out of memory. */
static int report(const struct diff_reach_opts *o, const char *from, const char *to,
		  const struct reachset *a, const struct reachset *b, struct scope *sc)
{
	struct timespec t0, t1;
	char where[1500];
	snprintf(where, sizeof where, "%s or %s", from, to);
	int rc = scope_seal(sc, where);
	if (rc != CLI_EXIT_OK)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct reachdiff *d = NULL;
	if (a && b)
		d = reachdiff_compute_scoped(a, b, sc->nspecs ? (const char *const *)sc->names : NULL,
					     sc->n);
	if (!d) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = reachdiff_differs(d) ? CLI_EXIT_DIFF : CLI_EXIT_OK;
	if (o->fmt == RENDER_TABLE) {
		printf("--- %s\n+++ %s\n", from, to);
		print_table(stdout, d, b, sc);
	} else if (o->fmt == RENDER_JSON) {
		print_json(d, b, from, to, sc);
	} else {
		print_jsonl(d, b);
	}
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (o->junit && junit_groups(o->junit, d, from, to, secs) != 0) {
		fprintf(stderr, "vnetsim: out of memory\n");
		rc = CLI_EXIT_ENV;
	}
	reachdiff_destroy(d);
	return rc;
}

static int out_of_memory(void)
{
	fprintf(stderr, "vnetsim: out of memory\n");
	return CLI_EXIT_ENV;
}

/* The matrix of a scenario at --at (replayed up to there), and the subnets
 * there that the scope's specs match. */
static int scenario_reach(const char *file, const struct cli_common *c, const char *at,
			  struct reachset **out, const char **label, struct scope *sc)
{
	struct cli_trace_session ts;
	*out = NULL;
	int rc = cli_trace_open(&ts, file, c, at);
	if (rc != CLI_EXIT_OK)
		return rc;
	*label = at ? at : "end";
	struct reach *r = reach_compute(ts.env, run_speakers(ts.s.r));
	*out = r ? reachset_from_reach(r) : NULL;
	reach_destroy(r);
	bool oom = !*out || scope_from_topology(sc, run_topology(ts.s.r)) != 0;
	cli_trace_close(&ts);
	return oom ? out_of_memory() : CLI_EXIT_OK;
}

static int two_scenarios(const char *fa, const char *ata, const char *fb, const char *atb,
			 const struct cli_common *c, const struct diff_reach_opts *o)
{
	struct reachset *a = NULL, *b = NULL;
	const char *la = NULL, *lb = NULL;
	struct scope sc;
	int rc = scope_init(&sc, o) == 0 ? CLI_EXIT_OK : out_of_memory();
	if (rc == CLI_EXIT_OK)
		rc = scenario_reach(fa, c, ata, &a, &la, &sc);
	if (rc == CLI_EXIT_OK)
		rc = scenario_reach(fb, c, atb, &b, &lb, &sc);
	if (rc == CLI_EXIT_OK) {
		char ta[300], tb[300];
		snprintf(ta, sizeof ta, "%s at %s", fa, la);
		snprintf(tb, sizeof tb, "%s at %s", fb, lb);
		rc = report(o, ta, tb, a, b, &sc);
	}
	scope_free(&sc);
	reachset_destroy(a);
	reachset_destroy(b);
	return rc;
}

int diff_reach_labels(const char *file, const struct cli_common *c,
		      const struct diff_reach_opts *o, const char *from, const char *to)
{
	return two_scenarios(file, from, file, to, c, o);
}

int diff_reach_scenarios(const char *fa, const char *fb, const struct cli_common *c,
			 const struct diff_reach_opts *o, const char *at)
{
	return two_scenarios(fa, at, fb, at, c, o);
}

/* A stored run's matrix at label, and the subnets there that the scope's
 * specs match (from the run's stored NICs). */
static int stored_reach(struct store *st, int64_t run, const char *label, struct reachset **out,
			struct scope *sc)
{
	int rc = store_load_reach(st, run, label, stderr, out);
	if (rc || !sc->nspecs)
		return rc;
	struct snapshot *sn = NULL;
	rc = store_load_snapshot(st, run, label, stderr, &sn);
	if (!rc && scope_from_snapshot(sc, sn) != 0)
		rc = out_of_memory();
	snapshot_destroy(sn);
	return rc;
}

int diff_reach_db(const char *db, const char *ra, const char *rb,
		  const struct diff_reach_opts *o, const char *at)
{
	struct store *st = NULL;
	struct reachset *a = NULL, *b = NULL;
	int64_t id[2] = { 0, 0 };
	char desc[2][STORE_DESC_LEN];
	const char *label = at ? at : "end";
	struct scope sc;
	if (scope_init(&sc, o) != 0)
		return out_of_memory();
	int rc = store_open_pair(db, ra, rb, stderr, &st, id, desc);
	if (!rc)
		rc = stored_reach(st, id[0], label, &a, &sc);
	if (!rc)
		rc = stored_reach(st, id[1], label, &b, &sc);
	if (!rc) {
		char la[700], lb[700];
		snprintf(la, sizeof la, "%s %s at %s", db, desc[0], label);
		snprintf(lb, sizeof lb, "%s %s at %s", db, desc[1], label);
		rc = report(o, la, lb, a, b, &sc);
	}
	scope_free(&sc);
	reachset_destroy(a);
	reachset_destroy(b);
	store_close(st);
	return rc;
}
