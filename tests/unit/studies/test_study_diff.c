/*
 * test_study_diff.c - which prefixes' rows differ between two effective
 * tables (models/studies/study_diff.c), against a naive oracle: every row
 * of both tables listed with eff_row, per prefix, compared as sorted
 * lists.  The pairs of tables are the before and after of every timeline
 * entry of the seed scenario with configuration edits added (peering flags,
 * a peering removed and put back, a UDR changed, gateway instances down,
 * a VNet added): edits give both the bounded and the whole-table way, BGP
 * changes and instances give tables of different domain sets, a new
 * subnet a table with nothing before it (no bound).
 */
#include <criterion/criterion.h>

#include "helpers.h"
#include "study_diff.h"

static const char *const EDITS[] = {
	"{\"at\": \"20s\", \"op\": \"set\", \"path\": "
	"\"virtualNetworks/spoke1/virtualNetworkPeerings/spoke1-to-hub\", "
	"\"value\": {\"useRemoteGateways\": false}}",
	"{\"at\": \"30s\", \"op\": \"set\", \"path\": "
	"\"virtualNetworks/spoke1/virtualNetworkPeerings/spoke1-to-hub\", "
	"\"value\": {\"useRemoteGateways\": true}}",
	"{\"at\": \"40s\", \"op\": \"set\", \"path\": \"routeTables/rt-db/routes/web-via-nva\", "
	"\"value\": {\"addressPrefix\": \"10.1.9.0/24\"}}",
	"{\"at\": \"50s\", \"op\": \"remove\", \"path\": "
	"\"virtualNetworks/hub/virtualNetworkPeerings/hub-to-spoke1\"}",
	"{\"at\": \"60s\", \"op\": \"add\", \"path\": "
	"\"virtualNetworks/hub/virtualNetworkPeerings/hub-to-spoke1\", \"value\": "
	"{\"remoteVirtualNetwork\": {\"id\": \"spoke1\"}, \"allowForwardedTraffic\": true, "
	"\"allowGatewayTransit\": true}}",
	"{\"at\": \"70s\", \"op\": \"instanceDown\", \"target\": \"vpngw/IN_0\"}",
	"{\"at\": \"80s\", \"op\": \"instanceUp\", \"target\": \"vpngw/IN_0\"}",
	"{\"at\": \"90s\", \"op\": \"add\", \"path\": \"virtualNetworks/late\", \"value\": "
	"{\"location\": \"westeurope\", \"addressSpace\": {\"addressPrefixes\": "
	"[\"10.77.0.0/16\"]}, \"subnets\": [{\"name\": \"a\", \"addressPrefix\": "
	"\"10.77.1.0/24\"}]}}",
};

/* The seed scenario's text with EDITS added to its events. */
static char *seed_with_edits(void)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/scenarios/seed/hub-spoke-ars.json", VNETSIM_SOURCE_ROOT);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char *seed = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&seed, &cap, '\0', f);
	fclose(f);
	cr_assert_gt(n, 0);
	const char *events = strstr(seed, "\"events\"");
	cr_assert_not_null(events, "test bug: the seed has no events");
	const char *open = strchr(events, '[');
	size_t len = (size_t)n + 4096;
	char *out = malloc(len);
	cr_assert_not_null(out);
	int at = snprintf(out, len, "%.*s", (int)(open + 1 - seed), seed);
	for (size_t i = 0; i < NELEM(EDITS); i++)
		at += snprintf(out + at, len - (size_t)at, "%s, ", EDITS[i]);
	snprintf(out + at, len - (size_t)at, "%s", open + 1);
	free(seed);
	return out;
}

struct naive_row {
	struct prefix p;
	uint64_t hop;
};

static int cmp_naive(const void *a, const void *b)
{
	const struct naive_row *x = a, *y = b;
	int c = prefix_compare(x->p, y->p);
	return c ? c : (x->hop > y->hop) - (x->hop < y->hop);
}

/* Every single-prefix row of t but service endpoints, sorted. */
static struct naive_row *naive_rows(const struct eff_table *t, size_t *n)
{
	size_t cap = 1024;
	struct naive_row *v = malloc(cap * sizeof(*v));
	cr_assert_not_null(v);
	*n = 0;
	struct eff_iter it = { 0 };
	struct route_row row;
	while (t && eff_row(t, false, &it, &row)) {
		if (row.nprefixes != 1 || row.nh == NH_SERVICE_ENDPOINT)
			continue;
		if (*n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			cr_assert_not_null(v);
		}
		uint64_t hop = (uint64_t)row.active << 40 | (uint64_t)row.nh << 32 |
			       (row.has_nh_ip ? row.nh_ip : 0);
		v[(*n)++] = (struct naive_row){ row.prefixes[0], hop };
	}
	qsort(v, *n, sizeof(*v), cmp_naive);
	return v;
}

/* The rows of prefix p in v[*i..n), advancing *i past them. */
static size_t rows_of(const struct naive_row *v, size_t n, size_t *i, struct prefix p)
{
	size_t k = 0;
	while (*i < n && prefix_compare(v[*i].p, p) == 0) {
		(*i)++;
		k++;
	}
	return k;
}

/* The oracle: the prefixes whose sorted rows differ, in prefix order. */
static struct prefix *naive_diff(const struct eff_table *a, const struct eff_table *b, size_t *n)
{
	size_t na, nb, i = 0, k = 0;
	struct naive_row *x = naive_rows(a, &na), *y = naive_rows(b, &nb);
	struct prefix *out = malloc((na + nb + 1) * sizeof(*out));
	cr_assert_not_null(out);
	*n = 0;
	while (i < na || k < nb) {
		struct prefix p = i < na && (k >= nb || prefix_compare(x[i].p, y[k].p) <= 0) ? x[i].p
											   : y[k].p;
		size_t i0 = i, k0 = k, ca = rows_of(x, na, &i, p), cb = rows_of(y, nb, &k, p);
		bool same = ca == cb;
		for (size_t j = 0; same && j < ca; j++)
			same = x[i0 + j].hop == y[k0 + j].hop;
		if (!same)
			out[(*n)++] = p;
	}
	free(x);
	free(y);
	return out;
}

static void assert_same(const struct prefix *want, size_t nwant,
			const struct study_diff_prefixes *got, const char *what, size_t entry)
{
	cr_assert_eq(got->n, nwant, "entry %zu, %s: %zu prefixes, the oracle %zu", entry, what,
		     got->n, nwant);
	for (size_t i = 0; i < nwant; i++)
		cr_assert(prefix_equal(got->v[i], want[i]), "entry %zu, %s: prefix %zu differs",
			  entry, what, i);
}

Test(study_diff, both_ways_agree_with_the_naive_diff)
{
	char *txt = seed_with_edits();
	struct run_fx f;
	run_fx_load(&f, txt);
	free(txt);
	cr_assert_eq(run_execute(f.r), 0);
	struct study_diff_keys ka = { 0 }, kb = { 0 };
	struct study_diff_sets sd = { .next = 0 };
	struct eff_walk walks[2];
	memset(walks, 0, sizeof(walks));
	size_t bounded = 0, whole = 0, changed = 0;
	for (size_t e = 0; e < run_timeline_count(f.r); e++) {
		const struct timeline_entry *t = run_timeline_get(f.r, e);
		size_t nwant;
		struct prefix *want = naive_diff(t->before, t->after, &nwant);
		changed += nwant > 0;
		struct study_diff_prefixes rows = { 0 }, bound = { 0 };
		cr_assert_eq(study_diff_rows(t->before, t->after, &ka, &kb, &rows), 0);
		assert_same(want, nwant, &rows, "rows", e);
		whole++;
		int rc = study_diff_bounded(t->before, t->after, walks, &sd, &bound);
		cr_assert_geq(rc, 0);
		if (rc == 1) {
			assert_same(want, nwant, &bound, "bounded", e);
			bounded++;
		}
		free(rows.v);
		free(bound.v);
		free(want);
	}
	/* The test would pass vacuously without tables that changed and
	 * bounds that were used. */
	cr_assert_gt(changed, 5, "test bug: %zu entries changed", changed);
	cr_assert_gt(bounded, 5, "test bug: the bound was used %zu times", bounded);
	cr_assert_lt(bounded, whole, "test bug: no entry without a bound");
	eff_walk_fini(&walks[0]);
	eff_walk_fini(&walks[1]);
	study_diff_sets_fini(&sd);
	free(ka.v);
	free(kb.v);
	run_fx_fini(&f);
}

Test(study_diff, no_table_has_no_rows)
{
	struct study_diff_keys ka = { 0 }, kb = { 0 };
	struct study_diff_prefixes out = { 0 };
	cr_assert_eq(study_diff_rows(NULL, NULL, &ka, &kb, &out), 0);
	cr_assert_eq(out.n, 0);
	cr_assert_eq(ka.n + kb.n, 0);
	free(ka.v);
	free(kb.v);
	free(out.v);
}
