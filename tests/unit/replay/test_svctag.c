/*
 * test_svctag.c - service tag catalogues (models/rules/svctag.c; RULES 1.4, 1.2.5,
 * 2.1): the service -> tag map, parsing the public `values` shape, lookups
 * (exact names, regional tags by case-insensitive region) and the built-in
 * sample.
 */
#include <criterion/criterion.h>

#include "helpers.h"

struct cfx {
	struct diag *d;
	struct jin j;
	struct svctag_catalog *c;
};

static struct svctag_catalog *parse_sq(struct cfx *f, const char *sq)
{
	cJSON *doc = json_parse_sq(sq);
	f->d = diag_create();
	jin_init(&f->j, f->d, "tags.json");
	f->c = svctag_json_parse(&f->j, doc, "tags.json");
	cJSON_Delete(doc);
	return f->c;
}

static void cfx_fini(struct cfx *f)
{
	svctag_destroy(f->c);
	diag_destroy(f->d);
}

Test(svctag, destroy_null)
{
	svctag_destroy(NULL);
}

Test(svctag, service_to_tag)
{
	static const struct {
		const char *service, *tag;
	} cases[] = {
		{ "Microsoft.Storage", "Storage" },
		{ "Microsoft.Sql", "Sql" },
		{ "Microsoft.AzureCosmosDB", "AzureCosmosDB" },
		{ "Microsoft.KeyVault", "AzureKeyVault" },
		{ "Microsoft.ServiceBus", "ServiceBus" },
		{ "Microsoft.EventHub", "EventHub" },
		{ "Microsoft.Web", "AppService" },
		{ "Microsoft.ContainerRegistry", "AzureContainerRegistry" },
		{ "Microsoft.CognitiveServices", NULL },
		{ "microsoft.storage", NULL },
		{ "Microsoft.Storage ", NULL },
		{ "Storage", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		const char *got = svctag_service_tag(cases[i].service);
		if (cases[i].tag)
			cr_expect(got && strcmp(got, cases[i].tag) == 0, "%s -> %s", cases[i].service, got);
		else
			cr_expect_null(got, "\"%s\" -> %s", cases[i].service, got);
	}
}

Test(svctag, parse_values)
{
	struct cfx f;
	parse_sq(&f, "{ 'changeNumber': 1, 'cloud': 'Public', 'values': ["
		     "  { 'name': 'Storage', 'id': 'Storage', 'properties': { 'changeNumber': 3,"
		     "    'region': '', 'platform': 'Azure', 'systemService': 'AzureStorage',"
		     "    'addressPrefixes': ['20.38.96.0/19', '2603:1000::/40', '20.47.0.0/18'],"
		     "    'networkFeatures': ['NSG'] } },"
		     "  { 'name': 'Storage.WestEurope', 'properties': { 'region': 'westeurope',"
		     "    'addressPrefixes': ['20.38.108.0/23'] } },"
		     "  { 'name': 'Empty', 'properties': { 'addressPrefixes': [] } } ] }");
	cr_assert_not_null(f.c);
	cr_expect_eq(jin_errors(&f.j), 0);
	cr_expect_eq(diag_count(f.d, DIAG_WARNING), 0, "every key of the public file is known");
	cr_expect_eq(f.c->n, 3);
	cr_expect(!f.c->sample);
	cr_expect_str_eq(f.c->origin, "tags.json");
	const struct svctag *t = svctag_find(f.c, "Storage");
	cr_assert_not_null(t);
	cr_expect_str_eq(t->region, "");
	cr_expect_eq(t->prefixes.n, 2, "IPv6 prefixes are skipped");
	cr_expect(prefix_equal(t->prefixes.v[1], P("20.47.0.0/18")));
	t = svctag_find(f.c, "Storage.WestEurope");
	cr_assert_not_null(t);
	cr_expect_str_eq(t->region, "westeurope");
	cr_expect_eq(svctag_find(f.c, "Empty")->prefixes.n, 0);
	cr_expect_str_eq(svctag_find(f.c, "Empty")->region, "", "region defaults to global");
	cfx_fini(&f);
}

Test(svctag, parse_errors)
{
	static const struct {
		const char *doc, *path, *msg;
	} cases[] = {
		{ "[]", "$", "expected an object with \"values\"" },
		{ "{}", "$", "missing required key \"values\"" },
		{ "{ 'values': {} }", "$.values", "expected an array" },
		{ "{ 'values': [ 1 ] }", "$.values[0]", "expected a service tag object" },
		{ "{ 'values': [ { 'properties': { 'addressPrefixes': [] } } ] }", "$.values[0]",
		  "missing required key \"name\"" },
		{ "{ 'values': [ { 'name': 'A' } ] }", "$.values[0]", "missing required key \"properties\"" },
		{ "{ 'values': [ { 'name': 'A', 'properties': {} } ] }", "$.values[0].properties",
		  "missing required key \"addressPrefixes\"" },
		{ "{ 'values': [ { 'name': 'A', 'properties': { 'addressPrefixes':"
		  "  ['1.0.0.0/8', '::1/128', '1.2.3.4/8'] } } ] }",
		  "$.values[0].properties.addressPrefixes[2]", "host bits" },
		{ "{ 'values': [ { 'name': 'A', 'properties': { 'addressPrefixes': [5] } } ] }",
		  "$.values[0].properties.addressPrefixes[0]", "found a number" },
		{ "{ 'values': [ { 'name': 'A', 'properties': { 'addressPrefixes': [] } },"
		  "  { 'name': 'A', 'properties': { 'addressPrefixes': [] } } ] }",
		  "$.values[1].name", "service tag \"A\" is defined twice" },
		{ "{ 'values': [ { 'name': 'A', 'properties': { 'region': 5, 'addressPrefixes': [] } } ] }",
		  "$.values[0].properties.region", "expected a string" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct cfx f;
		parse_sq(&f, cases[i].doc);
		const struct diag_entry *e = diag_find(f.d, DIAG_ERROR, cases[i].path, cases[i].msg);
		if (!e)
			diag_dump(f.d);
		cr_expect_not_null(e, "case %zu: error at %s with \"%s\"", i, cases[i].path, cases[i].msg);
		cfx_fini(&f);
	}
}

Test(svctag, unknown_keys_warn)
{
	struct cfx f;
	parse_sq(&f, "{ 'values': [ { 'name': 'A', 'colour': 1, 'properties': { 'addressPrefixes': [],"
		     "  'foo': 2 } } ], 'bar': 3 }");
	cr_expect_eq(jin_errors(&f.j), 0);
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$.bar", "unknown key"));
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$.values[0].colour", "unknown key"));
	cr_expect_not_null(diag_find(f.d, DIAG_WARNING, "$.values[0].properties.foo", "unknown key"));
	cfx_fini(&f);
}

Test(svctag, lookups)
{
	struct cfx f;
	parse_sq(&f, "{ 'values': ["
		     "  { 'name': 'Sql', 'properties': { 'addressPrefixes': ['1.0.0.0/8'] } },"
		     "  { 'name': 'SqlManagement.WestEurope', 'properties': { 'region': 'westeurope',"
		     "    'addressPrefixes': ['2.0.0.0/8'] } },"
		     "  { 'name': 'Sql.WestEurope', 'properties': { 'region': 'WestEurope',"
		     "    'addressPrefixes': ['3.0.0.0/8'] } },"
		     "  { 'name': 'Sql.EastUS', 'properties': { 'region': 'eastus',"
		     "    'addressPrefixes': ['4.0.0.0/8'] } },"
		     "  { 'name': 'Storage.NorthEurope', 'properties': { 'region': 'northeurope',"
		     "    'addressPrefixes': ['5.0.0.0/8'] } } ] }");
	cr_assert_not_null(f.c);
	/* Exact, case-sensitive names. */
	cr_expect_not_null(svctag_find(f.c, "Sql"));
	cr_expect_null(svctag_find(f.c, "sql"));
	cr_expect_null(svctag_find(f.c, "Sql.westeurope"));
	cr_expect_null(svctag_find(f.c, ""));
	cr_expect_null(svctag_find(NULL, "Sql"));
	static const struct {
		const char *base, *region, *want;
	} cases[] = {
		{ "Sql", "westeurope", "Sql.WestEurope" },  /* region matched case-insensitively */
		{ "Sql", "WESTEUROPE", "Sql.WestEurope" },
		{ "Sql", "eastus", "Sql.EastUS" },
		{ "Sql", "japaneast", "Sql" },              /* no regional tag: the global one */
		{ "Sql", NULL, "Sql" },
		{ "Storage", "northeurope", "Storage.NorthEurope" },
		{ "Storage", "westeurope", NULL },          /* no global Storage either */
		{ "SqlManagement", "westeurope", "SqlManagement.WestEurope" },
		{ "Sq", "westeurope", NULL },               /* a prefix of a base is no base */
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct svctag *t = svctag_for_service(f.c, cases[i].base, cases[i].region);
		if (cases[i].want)
			cr_expect(t && strcmp(t->name, cases[i].want) == 0, "%s in %s: %s", cases[i].base,
				  cases[i].region, t ? t->name : "none");
		else
			cr_expect_null(t, "%s in %s: %s", cases[i].base, cases[i].region, t ? t->name : "");
	}
	cfx_fini(&f);
}

Test(svctag, sample_catalogue)
{
	struct svctag_catalog *c = svctag_sample();
	cr_assert_not_null(c);
	cr_expect(c->sample);
	cr_expect_str_eq(c->origin, "built-in sample");
	cr_expect_eq(c->n, 12);
	for (size_t i = 0; i < c->n; i++)
		cr_expect_eq(c->tags[i].prefixes.n, 4, "%s", c->tags[i].name);
	/* Every service endpoint service has a tag in the sample. */
	static const char *const services[] = { "Microsoft.Storage", "Microsoft.Sql",
						"Microsoft.AzureCosmosDB", "Microsoft.KeyVault",
						"Microsoft.ServiceBus", "Microsoft.EventHub",
						"Microsoft.Web", "Microsoft.ContainerRegistry" };
	for (size_t i = 0; i < NELEM(services); i++)
		cr_expect_not_null(svctag_for_service(c, svctag_service_tag(services[i]), "westeurope"),
				   "%s", services[i]);
	const struct svctag *t = svctag_for_service(c, "Storage", "WestEurope");
	cr_assert_not_null(t);
	cr_expect_str_eq(t->name, "Storage.WestEurope");
	cr_expect(prefix_equal(t->prefixes.v[0], P("20.38.108.0/23")));
	t = svctag_find(c, "AzureKeyVault");
	cr_assert_not_null(t);
	cr_expect(prefix_equal(t->prefixes.v[0], P("13.66.138.88/30")));
	svctag_destroy(c);
}
