/*
 * test_platform.c - the platform None profiles (models/rules/platform.c) and
 * the rewrite of the None set against a VNet's address space (RULES 1.2.3).
 *
 * The expected lists are typed again from RULES 1.2.3, in its order, not
 * copied from platform.c.  The rewrite is checked on tables computed by
 * eff_compute for topologies loaded through the real loader: a VNet prefix
 * equal to a None prefix N gives one VnetLocal row and no None row, one
 * strictly containing N removes N, one inside N keeps both rows.
 */
#include <criterion/criterion.h>

#include "effective.h"
#include "helpers.h"
#include "platform.h"

/* ---- the profiles ------------------------------------------------------------ */

/* RULES 1.2.3's lists as its text gives them, space separated. */
static const struct {
	const char *name;
	const char *want;
	size_t n;
} PROFILES[] = {
	{ "DOC", "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10", 4 },
	{ "OBS2019", "10.0.0.0/8 100.64.0.0/10 192.168.0.0/16", 3 },
	{ "OBS2021", "10.0.0.0/8 100.64.0.0/10 192.168.0.0/16 25.33.80.0/20 25.41.3.0/25", 5 },
	{ "OBS2022", "10.0.0.0/8 100.64.0.0/10 25.48.0.0/12 25.4.0.0/14 198.18.0.0/15 "
		     "157.59.0.0/16 192.168.0.0/16 25.33.0.0/16 40.109.0.0/16 104.147.0.0/16 "
		     "104.146.0.0/17 40.108.0.0/17 23.103.0.0/18 25.41.0.0/20 20.35.252.0/22", 15 },
	/* "the OBS2022 list plus 172.16.0.0/12" */
	{ "OBS2023", "10.0.0.0/8 100.64.0.0/10 25.48.0.0/12 25.4.0.0/14 198.18.0.0/15 "
		     "157.59.0.0/16 192.168.0.0/16 25.33.0.0/16 40.109.0.0/16 104.147.0.0/16 "
		     "104.146.0.0/17 40.108.0.0/17 23.103.0.0/18 25.41.0.0/20 20.35.252.0/22 "
		     "172.16.0.0/12", 16 },
	{ "OBS2024", "10.0.0.0/8 127.0.0.0/8 100.64.0.0/10 172.16.0.0/12 25.176.0.0/13 "
		     "25.152.0.0/14 25.184.0.0/14 25.4.0.0/14 25.148.0.0/15 198.18.0.0/15 "
		     "25.150.0.0/16 25.156.0.0/16 25.159.0.0/16 40.109.0.0/16 192.168.0.0/16 "
		     "104.147.0.0/16 157.59.0.0/16 40.108.0.0/17 104.146.0.0/17 23.103.0.0/18 "
		     "20.35.252.0/22", 21 },
};

static size_t list_len(const char *const *l)
{
	size_t n = 0;
	while (l[n])
		n++;
	return n;
}

/* Splits a space-separated list into out (at most max), in buf. */
static size_t split(const char *list, char *buf, size_t len, char **out, size_t max)
{
	snprintf(buf, len, "%s", list);
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
		out[n++] = tok;
	return n;
}

Test(platform, every_profile_is_the_spec_list_in_order)
{
	for (size_t i = 0; i < NELEM(PROFILES); i++) {
		const char *const *got = platform_none_profile(PROFILES[i].name);
		cr_assert_not_null(got, "profile %s is unknown", PROFILES[i].name);
		char buf[512];
		char *want[32];
		cr_assert_eq(split(PROFILES[i].want, buf, sizeof(buf), want, 32), PROFILES[i].n,
			     "test bug: %s", PROFILES[i].name);
		cr_assert_eq(list_len(got), PROFILES[i].n, "%s: %zu prefixes", PROFILES[i].name,
			     list_len(got));
		for (size_t k = 0; k < PROFILES[i].n; k++)
			cr_expect_str_eq(got[k], want[k], "%s[%zu]", PROFILES[i].name, k);
	}
}

/* Each entry is a canonical CIDR (no host bits) and no profile lists a
 * prefix twice or two overlapping prefixes: a None row per prefix. */
Test(platform, every_prefix_is_canonical_and_disjoint)
{
	for (size_t i = 0; i < NELEM(PROFILES); i++) {
		const char *const *l = platform_none_profile(PROFILES[i].name);
		cr_assert_not_null(l);
		size_t n = list_len(l);
		struct prefix p[32];
		cr_assert_leq(n, NELEM(p));
		for (size_t k = 0; k < n; k++) {
			cr_assert_eq(prefix_parse(l[k], &p[k]), PREFIX_OK, "%s: \"%s\"", PROFILES[i].name,
				     l[k]);
			char buf[PREFIX_STRLEN];
			cr_expect_str_eq(prefix_format(p[k], buf), l[k], "canonical spelling");
		}
		for (size_t a = 0; a < n; a++)
			for (size_t b = a + 1; b < n; b++)
				cr_expect(!prefix_overlaps(p[a], p[b]), "%s: %s and %s overlap",
					  PROFILES[i].name, l[a], l[b]);
	}
}

Test(platform, default_profile_is_doc)
{
	cr_assert_str_eq(PLATFORM_DEFAULT_PROFILE, "DOC");
	cr_assert_eq(platform_none_profile(PLATFORM_DEFAULT_PROFILE), platform_none_profile("DOC"));
}

Test(platform, unknown_names)
{
	static const char *const bad[] = { "", "D", "DOCS", "DOC ", " DOC", "OBS2020", "OBS2025",
					   "OBS", "OBS20221", "none" };
	for (size_t i = 0; i < NELEM(bad); i++)
		cr_expect_null(platform_none_profile(bad[i]), "\"%s\" is not a profile", bad[i]);
}

/* The names for messages: exactly the known profiles, each resolvable. */
Test(platform, profile_names_lists_every_profile)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", platform_profile_names());
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		cr_expect_not_null(platform_none_profile(tok), "\"%s\" listed but unknown", tok);
		n++;
	}
	cr_expect_eq(n, NELEM(PROFILES));
	for (size_t i = 0; i < NELEM(PROFILES); i++)
		cr_expect_not_null(strstr(platform_profile_names(), PROFILES[i].name), "%s missing",
				   PROFILES[i].name);
}

/* ---- the rewrite against the address space (RULES 1.2.3) ------------------------ */

/* One VNet "v" with the given address space (a JSON list body) and one
 * subnet "v/s" at subnet_prefix. */
static struct eff_table *table_for(struct tload *tl, const char *space, const char *subnet_prefix,
				   const struct prefix_list *none)
{
	char topo[512];
	snprintf(topo, sizeof(topo),
		 "{ 'virtualNetworks': [ { 'name': 'v', 'location': 'westeurope',"
		 "  'addressSpace': { 'addressPrefixes': [ %s ] },"
		 "  'subnets': [ { 'name': 's', 'addressPrefix': '%s' } ] } ] }",
		 space, subnet_prefix);
	tload(tl, topo, NULL);
	const struct subnet *s = topology_subnet(tl->t, "v/s");
	cr_assert_not_null(s);
	struct eff_input in = { .topo = tl->t, .subnet = s, .none_set = none };
	struct eff_table *t = eff_compute(&in);
	cr_assert_not_null(t);
	return t;
}

/* Default rows of next hop nh and prefix p. */
static size_t rows_of(const struct eff_table *t, enum nh_type nh, const char *p)
{
	struct prefix want = P(p);
	struct eff_iter it = { 0 };
	struct route_row r;
	size_t n = 0;
	while (eff_row(t, false, &it, &r))
		if (r.source == SRC_DEFAULT && r.nh == nh && r.nprefixes == 1 &&
		    prefix_equal(r.prefixes[0], want))
			n++;
	return n;
}

static size_t none_rows(const struct eff_table *t)
{
	struct eff_iter it = { 0 };
	struct route_row r;
	size_t n = 0;
	while (eff_row(t, false, &it, &r))
		n += r.source == SRC_DEFAULT && r.nh == NH_NONE;
	return n;
}

struct rewrite_case {
	const char *what;
	const char *space;             /* the VNet's addressPrefixes (JSON list body) */
	const char *subnet;
	const char *none;              /* the None set, space separated */
	const char *kept_none;         /* None rows expected, space separated */
	const char *dropped_none;      /* None prefixes expected gone */
};

static const struct rewrite_case REWRITE[] = {
	{ "equal: one VnetLocal row, no None row", "'10.0.0.0/8'", "10.0.0.0/24",
	  "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10",
	  "172.16.0.0/12 192.168.0.0/16 100.64.0.0/10", "10.0.0.0/8" },
	{ "containing: None removed", "'172.0.0.0/8'", "172.0.0.0/24",
	  "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10",
	  "10.0.0.0/8 192.168.0.0/16 100.64.0.0/10", "172.16.0.0/12" },
	{ "inside: both rows", "'10.1.0.0/16'", "10.1.0.0/24",
	  "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10",
	  "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10", "" },
	{ "disjoint: untouched", "'20.0.0.0/16'", "20.0.0.0/24", "10.0.0.0/8 192.168.0.0/16",
	  "10.0.0.0/8 192.168.0.0/16", "" },
	{ "a /32 None inside the space is removed", "'10.0.0.0/16'", "10.0.1.0/24",
	  "10.0.5.5/32 10.0.0.0/8", "10.0.0.0/8", "10.0.5.5/32" },
	{ "a /32 VNet inside a None prefix keeps both", "'10.0.0.0/16', '192.168.7.7/32'",
	  "10.0.1.0/24", "192.168.0.0/16", "192.168.0.0/16", "" },
	{ "a /32 VNet equal to a /32 None", "'10.0.0.0/16', '192.168.7.7/32'", "10.0.1.0/24",
	  "192.168.7.7/32", "", "192.168.7.7/32" },
	{ "/0 None: every VNet prefix is inside it, both kept", "'10.0.0.0/16'", "10.0.1.0/24",
	  "0.0.0.0/0", "0.0.0.0/0", "" },
	{ "two VNet prefixes, one equal to N1 and one inside N2",
	  "'100.64.0.0/10', '192.168.1.0/24'", "100.64.0.0/24",
	  "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10",
	  "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16", "100.64.0.0/10" },
	{ "one VNet prefix containing two None prefixes", "'25.0.0.0/8'", "25.0.0.0/24",
	  "25.33.80.0/20 25.41.3.0/25 10.0.0.0/8", "10.0.0.0/8", "25.33.80.0/20 25.41.3.0/25" },
	{ "an empty None set gives no None row", "'10.0.0.0/16'", "10.0.1.0/24", "", "", "" },
};

Test(platform, none_rewrite_against_the_address_space)
{
	for (size_t i = 0; i < NELEM(REWRITE); i++) {
		const struct rewrite_case *c = &REWRITE[i];
		char nb[256], kb[256], db[256];
		char *nv[16], *kv[16], *dv[16];
		size_t nn = split(c->none, nb, sizeof(nb), nv, 16);
		size_t nk = split(c->kept_none, kb, sizeof(kb), kv, 16);
		size_t nd = split(c->dropped_none, db, sizeof(db), dv, 16);
		struct prefix pv[16];
		for (size_t k = 0; k < nn; k++)
			pv[k] = P(nv[k]);
		struct prefix_list none = { pv, nn };
		struct tload tl;
		struct eff_table *t = table_for(&tl, c->space, c->subnet, &none);
		cr_expect_eq(none_rows(t), nk, "%s: %zu None rows", c->what, none_rows(t));
		for (size_t k = 0; k < nk; k++)
			cr_expect_eq(rows_of(t, NH_NONE, kv[k]), 1, "%s: None %s kept", c->what, kv[k]);
		for (size_t k = 0; k < nd; k++)
			cr_expect_eq(rows_of(t, NH_NONE, dv[k]), 0, "%s: None %s dropped", c->what, dv[k]);
		/* The VnetLocal rows are never touched by the rewrite, and 0/0
		 * Internet (RULES 1.2.2) stays whatever the None set. */
		const struct vnet *v = topology_vnet(tl.t, "v");
		for (size_t k = 0; k < v->space.n; k++) {
			char buf[PREFIX_STRLEN];
			cr_expect_eq(rows_of(t, NH_VNET_LOCAL, prefix_format(v->space.v[k], buf)), 1,
				     "%s: VnetLocal %s", c->what, buf);
		}
		cr_expect_eq(rows_of(t, NH_INTERNET, "0.0.0.0/0"), 1, "%s: 0/0 Internet", c->what);
		eff_unref(t);
		tload_free(&tl);
	}
}

/* Every profile applied to a VNet equal to its first prefix: that prefix
 * is the VnetLocal row, the others are None rows (n - 1 of them). */
Test(platform, each_profile_rewritten_for_a_vnet_equal_to_its_first_prefix)
{
	for (size_t i = 0; i < NELEM(PROFILES); i++) {
		const char *const *l = platform_none_profile(PROFILES[i].name);
		size_t n = list_len(l);
		struct prefix pv[32];
		for (size_t k = 0; k < n; k++)
			pv[k] = P(l[k]);
		struct prefix_list none = { pv, n };
		char space[64], subnet[32];
		snprintf(space, sizeof(space), "'%s'", l[0]);
		char buf[PREFIX_STRLEN];
		struct prefix s0 = { pv[0].addr, 24 };
		snprintf(subnet, sizeof(subnet), "%s", prefix_format(s0, buf));
		struct tload tl;
		struct eff_table *t = table_for(&tl, space, subnet, &none);
		cr_expect_eq(none_rows(t), n - 1, "%s", PROFILES[i].name);
		cr_expect_eq(rows_of(t, NH_NONE, l[0]), 0, "%s", PROFILES[i].name);
		cr_expect_eq(rows_of(t, NH_VNET_LOCAL, l[0]), 1, "%s", PROFILES[i].name);
		eff_unref(t);
		tload_free(&tl);
	}
}
