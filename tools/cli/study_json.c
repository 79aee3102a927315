/*
 * study_json.c - see study_json.h.  One function per kind reads the keys of
 * that kind; the shared ones (kind, name, at, detail) are read first.
 */
#include "study_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "study.h"

/* A positive finite number at obj.key; *out unchanged when absent. */
static void read_double(struct jin *j, const cJSON *obj, const char *key, double min, double max,
			double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < min ||
	    v->valuedouble > max) {
		jin_error_at(j, key, "expected a number in [%g, %g]", min, max);
		return;
	}
	*out = v->valuedouble;
}

static void read_seconds(struct jin *j, const cJSON *obj, const char *key, int64_t min_ms,
			 int64_t *out)
{
	int64_t ms;
	if (!jin_duration(j, obj, key, &ms))
		return;
	if (ms < min_ms) {
		jin_error_at(j, key, "must be at least %.3fs", (double)min_ms / 1000.0);
		return;
	}
	*out = ms;
}

struct name_bit {
	const char *name;
	unsigned bit;
};

struct names {
	const struct name_bit *tab;
	size_t ntab;
	unsigned bits;
};

/* One element of a names array, the path at it. */
static bool read_name(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct names *c = ctx;
	(void)i;
	for (size_t k = 0; cJSON_IsString(it) && k < c->ntab; k++)
		if (strcmp(it->valuestring, c->tab[k].name) == 0) {
			c->bits |= c->tab[k].bit;
			return true;
		}
	char list[256] = "";
	for (size_t k = 0; k < c->ntab; k++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "",
			 c->tab[k].name);
	jin_error(j, "expected one of: %s", list);
	return true;
}

/* An array of names from a table, OR-ed; *out unchanged when absent. */
static void read_names(struct jin *j, const cJSON *obj, const char *key,
		       const struct name_bit *tab, size_t ntab, unsigned *out)
{
	const cJSON *a;
	if (!jin_array(j, obj, key, false, &a))
		return;
	struct names c = { tab, ntab, 0 };
	jin_each(j, key, a, read_name, &c);
	if (!a->child)
		jin_error_at(j, key, "must not be empty");
	*out = c.bits;
}

static const struct name_bit FAILURES[] = {
	{ "nva", STUDY_F_NVA },
	{ "routeServerInstance", STUDY_F_RS_INSTANCE },
	{ "gatewayInstance", STUDY_F_GW_INSTANCE },
	{ "connection", STUDY_F_CONNECTION },
	{ "peering", STUDY_F_PEERING },
	{ "routeMap", STUDY_F_ROUTE_MAP },
};

static const struct name_bit MODES[] = { { "silent", 1 }, { "graceful", 2 } };

static const struct name_bit GROW[] = {
	{ "spokes", STUDY_G_SPOKES },
	{ "vms", STUDY_G_VMS },
	{ "nvaRoutes", STUDY_G_NVA_ROUTES },
	{ "onPremPrefixes", STUDY_G_ONPREM },
};

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

static void parse_enumerate(struct jin *j, const cJSON *doc, struct study *st)
{
	static const char *const known[] = { "kind", "name", "at", "window", "repairAfter",
					     "failures", "modes", "detail", NULL };
	jin_known_keys(j, doc, known);
	read_seconds(j, doc, "window", 1, &st->window_ms);
	read_seconds(j, doc, "repairAfter", 1, &st->repair_ms);
	read_names(j, doc, "failures", FAILURES, NELEM(FAILURES), &st->failures);
	unsigned modes = 3;
	read_names(j, doc, "modes", MODES, NELEM(MODES), &modes);
	st->silent = modes & 1;
	st->graceful = modes & 2;
}

/* One bgpConnection id of targets, the path at it.  A bad one is
 * reported and left NULL (the study is refused); NULL from strdup is out
 * of memory, which the caller tells apart by the diagnostics' count. */
static bool read_target(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct study *st = ctx;
	(void)i;
	if (jin_is_string(j, it, "a bgpConnection id (\"ars/nva1\")"))
		st->targets[st->ntargets] = strdup(it->valuestring);
	st->ntargets++;
	return true;
}

static void parse_monte_carlo(struct jin *j, const cJSON *doc, struct study *st, bool *oom)
{
	static const char *const known[] = { "kind",	    "name",	    "at",
					     "runs",	    "seed",	    "horizon",
					     "targets",	    "mtbf",	    "repairMedian",
					     "repairSigma", "mode",	    "keepalivePhase",
					     "detail",	    NULL };
	jin_known_keys(j, doc, known);
	jin_uint(j, doc, "runs", true, 1, STUDY_MAX_RUNS, &st->runs);
	jin_uint(j, doc, "seed", false, 0, UINT64_MAX >> 1, &st->seed);
	read_seconds(j, doc, "horizon", 1000, &st->horizon_ms);
	int64_t mtbf = -1, median = -1;
	read_seconds(j, doc, "mtbf", 1000, &mtbf);
	if (!cJSON_GetObjectItemCaseSensitive(doc, "mtbf"))
		jin_error_at(j, "mtbf", "missing: the mean time between failures of each target");
	read_seconds(j, doc, "repairMedian", 1000, &median);
	if (mtbf > 0)
		st->mtbf_s = (double)mtbf / 1000.0;
	if (median > 0)
		st->repair_median_s = (double)median / 1000.0;
	read_double(j, doc, "repairSigma", 0.0, 10.0, &st->repair_sigma);
	const char *mode = NULL;
	if (jin_string(j, doc, "mode", false, &mode)) {
		if (strcmp(mode, "silent") == 0)
			st->mc_graceful = false;
		else if (strcmp(mode, "graceful") == 0)
			st->mc_graceful = true;
		else
			jin_error_at(j, "mode", "expected \"silent\" or \"graceful\"");
	}
	jin_bool(j, doc, "keepalivePhase", false, &st->keepalive_phase);
	const cJSON *t;
	if (jin_array(j, doc, "targets", false, &t)) {
		size_t n = (size_t)cJSON_GetArraySize(t);
		if (n == 0 || n > STUDY_MAX_TARGETS) {
			jin_error_at(j, "targets", "expected 1 to %u bgpConnection ids",
				     STUDY_MAX_TARGETS);
			return;
		}
		st->targets = calloc(n, sizeof(*st->targets));
		if (!st->targets)
			*oom = true;
		else
			jin_each(j, "targets", t, read_target, st);
		for (size_t i = 0; i < st->ntargets; i++)
			if (!st->targets[i])
				*oom = true;
	}
}

static void parse_capacity(struct jin *j, const cJSON *doc, struct study *st)
{
	static const char *const known[] = { "kind", "name", "at", "grow", "maxSteps", NULL };
	jin_known_keys(j, doc, known);
	read_names(j, doc, "grow", GROW, NELEM(GROW), &st->grow);
	jin_uint(j, doc, "maxSteps", false, 1, 1000000, &st->max_steps);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct study *study_json_load(const char *file, struct diag *d, bool *io_error)
{
	cJSON *doc = jin_parse_file(file, d, io_error);
	if (!doc)
		return NULL;
	struct study *st = study_create(file);
	if (!st) {
		cJSON_Delete(doc);
		*io_error = true;
		return NULL;
	}
	struct jin j;
	jin_init(&j, d, file);
	const char *kind = NULL, *name = NULL, *at = NULL;
	bool oom = false;
	if (!cJSON_IsObject(doc)) {
		jin_error(&j, "expected a study object");
	} else if (jin_string(&j, doc, "kind", true, &kind)) {
		jin_name(&j, doc, "name", false, &name);
		jin_string(&j, doc, "at", false, &at);
		jin_bool(&j, doc, "detail", false, &st->detail);
		st->name = dup_or_null(name);
		st->at = dup_or_null(at);
		oom = (name && !st->name) || (at && !st->at);
		/* A time, unless a label of the scenario is spelled the same
		 * (study_prepare looks for the label first). */
		if (at && !(jin_parse_duration(at, &st->at_ms) && st->at_ms >= 0))
			st->at_ms = -1;
		if (strcmp(kind, "enumerate") == 0) {
			st->kind = STUDY_ENUMERATE;
			parse_enumerate(&j, doc, st);
		} else if (strcmp(kind, "monte-carlo") == 0) {
			st->kind = STUDY_MONTE_CARLO;
			parse_monte_carlo(&j, doc, st, &oom);
		} else if (strcmp(kind, "capacity") == 0) {
			st->kind = STUDY_CAPACITY;
			parse_capacity(&j, doc, st);
		} else {
			jin_error_at(&j, "kind",
				     "expected \"enumerate\", \"monte-carlo\" or \"capacity\"");
		}
	}
	cJSON_Delete(doc);
	if (jin_errors(&j) > 0 || oom) {
		/* Out of memory is the environment's failure (exit 3), not the
		 * file's, unless the file had errors of its own too. */
		if (oom && jin_errors(&j) == 0)
			*io_error = true;
		study_destroy(st);
		return NULL;
	}
	return st;
}

