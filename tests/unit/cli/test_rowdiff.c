/*
 * test_rowdiff.c - the multiset rule of conformance/README.md: order never
 * matters, duplicates count, prefix lists compare sorted, names compare
 * exactly or only where the `from` row has one; az JSON rows parse or are
 * refused with the failing field named.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "rowdiff.h"
#include "run.h"
#include "scenario.h"
#include "diag.h"

static struct prefix PFX[8];

static void init_prefixes(void)
{
	const char *s[] = { "10.0.0.0/16", "0.0.0.0/0", "20.1.0.0/24", "20.2.0.0/24",
			    "10.100.0.0/16" };
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(prefix_parse(s[i], &PFX[i]), PREFIX_OK);
}

static struct route_row row(enum route_source src, bool active, enum nh_type nh, size_t p,
			    size_t np, uint32_t ip, const char *name)
{
	return (struct route_row){ .source = src, .active = active, .nh = nh,
				   .prefixes = &PFX[p], .nprefixes = np, .nh_ip = ip,
				   .has_nh_ip = ip != 0, .name = name };
}

static struct rowdiff_set *set_of(const struct route_row *rows, size_t n)
{
	struct rowdiff_set *s = rowdiff_set_create();
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(rowdiff_set_add(s, &rows[i]), 0);
	return s;
}

static void compare(const struct route_row *a, size_t na, const struct route_row *b, size_t nb,
		    enum rowdiff_names names, size_t want_removed, size_t want_added)
{
	struct rowdiff_set *sa = set_of(a, na), *sb = set_of(b, nb);
	struct rowdiff_result r;
	cr_assert_eq(rowdiff_compare(sa, sb, names, &r), 0);
	cr_expect_eq(r.nremoved, want_removed);
	cr_expect_eq(r.nadded, want_added);
	cr_expect_eq(rowdiff_result_empty(&r), want_removed == 0 && want_added == 0);
	rowdiff_result_fini(&r);
	rowdiff_set_destroy(sa);
	rowdiff_set_destroy(sb);
}

Test(rowdiff, empty_sets_are_equal, .init = init_prefixes)
{
	compare(NULL, 0, NULL, 0, ROWDIFF_NAMES_EXACT, 0, 0);
	rowdiff_set_destroy(NULL);
}

Test(rowdiff, order_does_not_matter, .init = init_prefixes)
{
	struct route_row a[] = { row(SRC_DEFAULT, true, NH_VNET_LOCAL, 0, 1, 0, NULL),
				 row(SRC_DEFAULT, true, NH_INTERNET, 1, 1, 0, NULL),
				 row(SRC_GATEWAY, true, NH_VNET_GATEWAY, 4, 1, 0x0a000104, NULL) };
	struct route_row b[] = { a[2], a[0], a[1] };
	compare(a, 3, b, 3, ROWDIFF_NAMES_EXACT, 0, 0);
}

Test(rowdiff, duplicates_count, .init = init_prefixes)
{
	/* RULES 1.3: a gateway shows duplicate rows; one of two missing is a
	 * difference. */
	struct route_row g = row(SRC_GATEWAY, true, NH_VNET_GATEWAY, 4, 1, 0x0a000104, NULL);
	struct route_row a[] = { g, g };
	compare(a, 2, a, 1, ROWDIFF_NAMES_EXACT, 1, 0);
	compare(a, 1, a, 2, ROWDIFF_NAMES_EXACT, 0, 1);
	compare(a, 2, a, 2, ROWDIFF_NAMES_EXACT, 0, 0);
}

Test(rowdiff, every_key_field_matters, .init = init_prefixes)
{
	struct route_row base = row(SRC_GATEWAY, true, NH_VNET_GATEWAY, 4, 1, 0x0a000104, NULL);
	struct route_row v[] = { base, base, base, base, base, base };
	v[0].source = SRC_USER;
	v[1].active = false;
	v[2].nh = NH_VIRTUAL_APPLIANCE;
	v[3].prefixes = &PFX[0];
	v[4].nh_ip = 0x0a000105;
	v[5].has_nh_ip = false;
	for (size_t i = 0; i < 6; i++)
		compare(&base, 1, &v[i], 1, ROWDIFF_NAMES_EXACT, 1, 1);
}

Test(rowdiff, prefix_lists_compare_sorted, .init = init_prefixes)
{
	/* A service endpoint row lists its prefixes in any order. */
	struct prefix rev[2] = { PFX[3], PFX[2] };
	struct route_row a = row(SRC_DEFAULT, true, NH_SERVICE_ENDPOINT, 2, 2, 0, NULL);
	struct route_row b = a;
	b.prefixes = rev;
	compare(&a, 1, &b, 1, ROWDIFF_NAMES_EXACT, 0, 0);
	struct route_row c = a;
	c.nprefixes = 1;
	compare(&a, 1, &c, 1, ROWDIFF_NAMES_EXACT, 1, 1);
}

Test(rowdiff, names_exact, .init = init_prefixes)
{
	struct route_row named = row(SRC_USER, true, NH_NONE, 0, 1, 0, "drop");
	struct route_row other = named;
	other.name = "drop2";
	struct route_row unnamed = named;
	unnamed.name = NULL;
	compare(&named, 1, &other, 1, ROWDIFF_NAMES_EXACT, 1, 1);
	compare(&named, 1, &unnamed, 1, ROWDIFF_NAMES_EXACT, 1, 1);
	compare(&unnamed, 1, &named, 1, ROWDIFF_NAMES_EXACT, 1, 1);
}

Test(rowdiff, names_only_where_from_has_one, .init = init_prefixes)
{
	struct route_row named = row(SRC_USER, true, NH_NONE, 0, 1, 0, "drop");
	struct route_row other = named;
	other.name = "drop2";
	struct route_row unnamed = named;
	unnamed.name = NULL;
	/* An expected row without a name matches any name. */
	compare(&unnamed, 1, &named, 1, ROWDIFF_NAMES_IF_FROM, 0, 0);
	/* A named one must match its name. */
	compare(&named, 1, &other, 1, ROWDIFF_NAMES_IF_FROM, 1, 1);
	/* Named rows pair first, so a wildcard does not steal the named match. */
	struct route_row from[] = { unnamed, named };
	struct route_row to[] = { named, other };
	compare(from, 2, to, 2, ROWDIFF_NAMES_IF_FROM, 0, 0);
}

Test(rowdiff, results_keep_set_order, .init = init_prefixes)
{
	struct route_row a[] = { row(SRC_DEFAULT, true, NH_INTERNET, 1, 1, 0, NULL),
				 row(SRC_DEFAULT, true, NH_VNET_LOCAL, 0, 1, 0, NULL) };
	struct rowdiff_set *sa = set_of(a, 2), *sb = set_of(NULL, 0);
	struct rowdiff_result r;
	cr_assert_eq(rowdiff_compare(sa, sb, ROWDIFF_NAMES_EXACT, &r), 0);
	cr_assert_eq(r.nremoved, 2);
	cr_expect_eq(r.removed[0], rowdiff_set_row(sa, 0));
	cr_expect_eq(r.removed[1], rowdiff_set_row(sa, 1));
	cr_expect_eq(rowdiff_set_count(sa), 2);
	rowdiff_result_fini(&r);
	rowdiff_set_destroy(sa);
	rowdiff_set_destroy(sb);
}

Test(rowdiff, copies_outlive_the_source, .init = init_prefixes)
{
	char name[] = "tmp";
	struct prefix p = PFX[0];
	struct route_row r = { .source = SRC_USER, .active = true, .nh = NH_NONE, .prefixes = &p,
			       .nprefixes = 1, .name = name };
	struct rowdiff_set *s = set_of(&r, 1);
	name[0] = 'X';
	p.len = 8;
	cr_expect_str_eq(rowdiff_set_row(s, 0)->name, "tmp");
	cr_expect_eq(rowdiff_set_row(s, 0)->prefixes[0].len, 16);
	rowdiff_set_destroy(s);
}

static int add_az(struct rowdiff_set *s, const char *text, char *err, size_t errlen)
{
	cJSON *doc = cJSON_Parse(text);
	cr_assert_not_null(doc, "%s", text);
	int rc = rowdiff_set_add_az(s, doc, err, errlen);
	cJSON_Delete(doc);
	return rc;
}

Test(rowdiff, az_rows_parse, .init = init_prefixes)
{
	struct rowdiff_set *s = rowdiff_set_create();
	char err[200] = "";
	int rc = add_az(
		s,
		"{\"value\": [{\"source\": \"User\", \"state\": \"Active\", \"addressPrefix\": "
		"[\"0.0.0.0/0\"], \"nextHopType\": \"VirtualAppliance\", \"nextHopIpAddress\": "
		"[\"10.0.1.4\"], \"name\": \"r1\"},{\"source\": \"Default\", \"state\": "
		"\"Invalid\", \"addressPrefix\": [\"20.2.0.0/24\", \"20.1.0.0/24\"], "
		"\"nextHopType\": \"VirtualNetworkServiceEndpoint\", \"nextHopIpAddress\": [], "
		"\"name\": null}]}",
		err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(rowdiff_set_count(s), 2);
	const struct route_row *r0 = rowdiff_set_row(s, 0), *r1 = rowdiff_set_row(s, 1);
	cr_expect_eq(r0->source, SRC_USER);
	cr_expect(r0->active);
	cr_expect_eq(r0->nh, NH_VIRTUAL_APPLIANCE);
	cr_expect(r0->has_nh_ip);
	cr_expect_eq(r0->nh_ip, 0x0a000104u);
	cr_expect_str_eq(r0->name, "r1");
	cr_expect_not(r1->active);
	cr_expect_null(r1->name);
	cr_expect(prefix_equal(r1->prefixes[0], PFX[2])); /* sorted */
	/* A bare array is accepted too. */
	cr_expect_eq(add_az(s, "[]", err, sizeof(err)), 0);
	rowdiff_set_destroy(s);
}

Test(rowdiff, az_rows_refused, .init = init_prefixes)
{
	static const struct {
		const char *doc, *err;
	} cases[] = {
		{ "{\"rows\": []}", "expected {\"value\"" },
		{ "[1]", "value[0].a row is a JSON object" },
		{ "[{\"source\": \"Unknown\"}]", "value[0].source" },
		{ "[{\"source\": \"User\", \"state\": \"On\"}]", "value[0].state" },
		{ "[{\"source\": \"User\", \"state\": \"Active\", \"nextHopType\": \"Hyper\"}]",
		  "value[0].nextHopType: \"Hyper\"" },
		{ "[{\"source\": \"User\", \"state\": \"Active\", \"nextHopType\": \"None\", "
		  "\"addressPrefix\": []}]",
		  "value[0].addressPrefix" },
		{ "[{\"source\": \"User\", \"state\": \"Active\", \"nextHopType\": \"None\", "
		  "\"addressPrefix\": [\"10.0.0.1/16\"]}]",
		  "value[0].addressPrefix[0]" },
		{ "[{\"source\": \"User\", \"state\": \"Active\", \"nextHopType\": \"None\", "
		  "\"addressPrefix\": [\"10.0.0.0/16\"], \"nextHopIpAddress\": [\"1.1.1.1\", "
		  "\"2.2.2.2\"]}]",
		  "value[0].nextHopIpAddress: rows with several" },
		{ "[{\"source\": \"User\", \"state\": \"Active\", \"nextHopType\": \"None\", "
		  "\"addressPrefix\": [\"10.0.0.0/16\"], \"name\": 5}]",
		  "value[0].name" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rowdiff_set *s = rowdiff_set_create();
		char err[200] = "";
		cr_expect_eq(add_az(s, cases[i].doc, err, sizeof(err)), -2, "case %zu", i);
		cr_expect(strncmp(err, cases[i].err, strlen(cases[i].err)) == 0, "case %zu: %s", i,
			  err);
		rowdiff_set_destroy(s);
	}
}

/* ---- scoped changes ------------------------------------------------------------- */

/* Every timeline entry of the seed scenario that carries a scope (the
 * prefixes an incremental BGP update changed) gives the same change
 * through the scoped diff as through the full one. */
Test(rowdiff, scoped_change_equals_full_change_on_the_seed_timeline)
{
	struct diag *d = diag_create();
	bool env = false;
	struct scenario *sc =
		scenario_load(VNETSIM_SOURCE_ROOT "/scenarios/seed/hub-spoke-ars.json", NULL, d, &env);
	cr_assert_not_null(sc);
	struct run *r = run_create(sc, d);
	cr_assert_not_null(r);
	cr_assert_eq(run_execute(r), 0);
	size_t scoped = 0;
	for (size_t i = 0; i < run_timeline_count(r); i++) {
		const struct timeline_entry *e = run_timeline_get(r, i);
		if (!e->scope)
			continue;
		scoped++;
		struct rowdiff_change a, b;
		cr_assert_eq(rowdiff_change_scoped(&a, e->before, e->after, false, e->scope, e->nscope,
						   ROWDIFF_NAMES_EXACT), 0);
		cr_assert_eq(rowdiff_change_tables(&b, e->before, false, e->after, false,
						   ROWDIFF_NAMES_EXACT), 0);
		cr_expect(rowdiff_result_equal(&a.res, &b.res), "entry %zu (%s at %lld ms)", i,
			  e->subnet, (long long)e->at_ms);
		cr_expect(!rowdiff_result_empty(&a.res), "entry %zu: a logged change shows rows", i);
		rowdiff_change_fini(&a);
		rowdiff_change_fini(&b);
	}
	cr_expect_gt(scoped, 0, "the seed scenario has incremental BGP changes");
	run_destroy(r);
	scenario_destroy(sc);
	diag_destroy(d);
}
