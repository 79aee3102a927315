/*
 * test_edit.c - configuration edits on the topology JSON (models/replay/edit.c,
 * RULES 2.2 add / set / remove).
 *
 * Path shapes first (every collection, every child collection, malformed
 * paths), then each operation on a small topology document, compared as
 * JSON after the edit; a refused edit must leave the document untouched.
 */
#include <criterion/criterion.h>

#include "edit.h"
#include "helpers.h"

static const char *const DOC =
	"{ 'virtualNetworks': [ { 'name': 'hub', 'location': 'westeurope',"
	"    'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"
	"    'subnets': [ { 'name': 'app', 'addressPrefix': '10.0.1.0/24',"
	"                   'routeTable': { 'id': 'rt' } } ],"
	"    'tags': { 'env': 'prod', 'team': 'net' } } ],"
	"  'routeTables': [ { 'name': 'rt', 'routes': ["
	"    { 'name': 'r1', 'addressPrefix': '0.0.0.0/0', 'nextHopType': 'Internet' } ] } ],"
	"  'networkInterfaces': [ { 'name': 'web-*', 'count': 2,"
	"    'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] } ] }";

struct efx {
	cJSON *doc;
	char err[256];
};

static void fx_init(struct efx *f)
{
	f->doc = json_parse_sq(DOC);
	f->err[0] = '\0';
}

static void fx_fini(struct efx *f) { cJSON_Delete(f->doc); }

/* Applies an edit; value is single-quoted JSON or NULL. */
static int apply(struct efx *f, enum edit_op op, const char *path, const char *value_sq)
{
	cJSON *v = value_sq ? json_parse_sq(value_sq) : NULL;
	f->err[0] = '\0';
	int rc = edit_apply(f->doc, op, path, v, f->err, sizeof(f->err));
	cJSON_Delete(v);
	return rc;
}

/* The document equals the single-quoted JSON (compared as JSON values). */
static void expect_doc(const struct efx *f, const char *sq)
{
	cJSON *want = json_parse_sq(sq);
	if (!cJSON_Compare(f->doc, want, true)) {
		char *got = cJSON_PrintUnformatted(f->doc);
		char *exp = cJSON_PrintUnformatted(want);
		cr_expect_fail("document\n  %s\nexpected\n  %s", got, exp);
		free(got);
		free(exp);
	}
	cJSON_Delete(want);
}

/* A refused edit: -1, a message containing substr, document unchanged. */
static void expect_refused(struct efx *f, enum edit_op op, const char *path, const char *value_sq,
			   const char *substr)
{
	char *before = cJSON_PrintUnformatted(f->doc);
	cr_expect_eq(apply(f, op, path, value_sq), -1, "%s must be refused", path);
	cr_expect(strstr(f->err, substr) != NULL, "%s: message \"%s\" lacks \"%s\"", path, f->err, substr);
	char *after = cJSON_PrintUnformatted(f->doc);
	cr_expect_str_eq(after, before, "%s: a refused edit changed the document", path);
	free(before);
	free(after);
}

static const cJSON *at(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	cr_assert_not_null(v, "no key %s", key);
	return v;
}

/* ---- paths ------------------------------------------------------------------- */

Test(edit, path_shapes)
{
	static const char *const ok[] = {
		"virtualNetworks/hub",
		"virtualNetworks/hub/subnets/app",
		"virtualNetworks/hub/virtualNetworkPeerings/hub-to-spoke1",
		"routeTables/rt",
		"routeTables/rt/routes/r1",
		"networkInterfaces/web-*",
		"privateEndpoints/pe-blob",
		"virtualNetworkGateways/vpngw",
		"connections/er-primary",
		"routeServers/ars",
		"routeServers/ars/bgpConnections/nva1",
		"virtualNetworks/a b",
	};
	for (size_t i = 0; i < NELEM(ok); i++)
		cr_expect_null(edit_path_check(ok[i]), "\"%s\": %s", ok[i], edit_path_check(ok[i]));
	static const struct {
		const char *path, *why;
	} bad[] = {
		{ "", "<collection>/<name>" },
		{ "virtualNetworks", "<collection>/<name>" },
		{ "virtualNetworks/hub/subnets", "<collection>/<name>" },
		{ "virtualNetworks/hub/subnets/app/x", "<collection>/<name>" },
		{ "virtualNetworks/hub/subnets/app/x/y", "<collection>/<name>" },
		{ "/virtualNetworks/hub", "<collection>/<name>" },
		{ "virtualNetworks/hub/", "<collection>/<name>" },
		{ "virtualNetworks//subnets/app", "<collection>/<name>" },
		{ "virtualNetworks/hub//app", "<collection>/<name>" },
		{ "subnets/app", "unknown collection" },
		{ "VirtualNetworks/hub", "unknown collection" },
		{ "routes/r1", "unknown collection" },
		{ "virtualNetworks/hub/routes/r1", "unknown child collection" },
		{ "routeTables/rt/subnets/app", "unknown child collection" },
		{ "connections/c/routes/r", "unknown child collection" },
		{ "networkInterfaces/n/ipConfigurations/c", "unknown child collection" },
		{ "routeServers/ars/virtualNetworkPeerings/p", "unknown child collection" },
	};
	for (size_t i = 0; i < NELEM(bad); i++) {
		const char *why = edit_path_check(bad[i].path);
		cr_expect(why && strstr(why, bad[i].why), "\"%s\": %s", bad[i].path, why ? why : "accepted");
	}
}

Test(edit, path_segment_length)
{
	char path[600];
	char seg[300];
	memset(seg, 'n', 255);
	seg[255] = '\0';
	snprintf(path, sizeof(path), "virtualNetworks/%s", seg);
	cr_expect_null(edit_path_check(path), "255 characters");
	memset(seg, 'n', 256);
	seg[256] = '\0';
	snprintf(path, sizeof(path), "virtualNetworks/%s", seg);
	cr_expect_not_null(edit_path_check(path), "256 characters are refused, not truncated");
}

Test(edit, invalid_path_is_refused_by_apply)
{
	struct efx f;
	fx_init(&f);
	expect_refused(&f, EDIT_REMOVE, "virtualNetworks", NULL, "<collection>/<name>");
	expect_refused(&f, EDIT_ADD, "subnets/x", "{}", "unknown collection");
	fx_fini(&f);
}

/* ---- add ----------------------------------------------------------------------- */

Test(edit, add_top_level_and_child)
{
	struct efx f;
	fx_init(&f);
	cr_expect_eq(apply(&f, EDIT_ADD, "routeTables/rt2",
			   "{ 'routes': [], 'disableBgpRoutePropagation': true }"), 0, "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_ADD, "routeTables/rt/routes/r2",
			   "{ 'name': 'r2', 'addressPrefix': '10.9.0.0/16', 'nextHopType': 'None' }"), 0,
		     "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_ADD, "virtualNetworks/hub/subnets/db",
			   "{ 'addressPrefix': '10.0.2.0/24' }"), 0, "%s", f.err);
	expect_doc(&f,
		   "{ 'virtualNetworks': [ { 'name': 'hub', 'location': 'westeurope',"
		   "    'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"
		   "    'subnets': [ { 'name': 'app', 'addressPrefix': '10.0.1.0/24',"
		   "                   'routeTable': { 'id': 'rt' } },"
		   "                 { 'addressPrefix': '10.0.2.0/24', 'name': 'db' } ],"
		   "    'tags': { 'env': 'prod', 'team': 'net' } } ],"
		   "  'routeTables': [ { 'name': 'rt', 'routes': ["
		   "    { 'name': 'r1', 'addressPrefix': '0.0.0.0/0', 'nextHopType': 'Internet' },"
		   "    { 'name': 'r2', 'addressPrefix': '10.9.0.0/16', 'nextHopType': 'None' } ] },"
		   "    { 'routes': [], 'disableBgpRoutePropagation': true, 'name': 'rt2' } ],"
		   "  'networkInterfaces': [ { 'name': 'web-*', 'count': 2,"
		   "    'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] } ] }");
	fx_fini(&f);
}

Test(edit, add_creates_missing_collections)
{
	struct efx f;
	fx_init(&f);
	cr_expect_eq(apply(&f, EDIT_ADD, "connections/c1", "{ 'connectionType': 'IPsec' }"), 0, "%s", f.err);
	const cJSON *c = at(f.doc, "connections");
	cr_expect(cJSON_IsArray(c));
	cr_expect_eq(cJSON_GetArraySize(c), 1);
	cr_expect_eq(apply(&f, EDIT_ADD, "virtualNetworks/hub/virtualNetworkPeerings/p1",
			   "{ 'remoteVirtualNetwork': { 'id': 'spoke' } }"), 0, "%s", f.err);
	const cJSON *hub = cJSON_GetArrayItem(at(f.doc, "virtualNetworks"), 0);
	cr_expect_eq(cJSON_GetArraySize(at(hub, "virtualNetworkPeerings")), 1);
	cr_expect_str_eq(at(cJSON_GetArrayItem(at(hub, "virtualNetworkPeerings"), 0), "name")->valuestring,
			 "p1");
	fx_fini(&f);
}

Test(edit, add_refusals)
{
	struct efx f;
	fx_init(&f);
	expect_refused(&f, EDIT_ADD, "routeTables/rt", "{ 'routes': [] }", "already exists");
	expect_refused(&f, EDIT_ADD, "routeTables/rt/routes/r1", "{ 'nextHopType': 'None' }",
		       "already exists");
	expect_refused(&f, EDIT_ADD, "routeTables/nope/routes/r9", "{ 'nextHopType': 'None' }",
		       "no routeTables named \"nope\"");
	expect_refused(&f, EDIT_ADD, "virtualNetworks/spoke/subnets/app", "{}",
		       "no virtualNetworks named \"spoke\"");
	fx_fini(&f);
	/* A collection that is not an array. */
	f.doc = json_parse_sq("{ 'routeTables': { 'name': 'x' } }");
	expect_refused(&f, EDIT_ADD, "routeTables/rt", "{}", "not a collection");
	fx_fini(&f);
}

/* ---- renames -------------------------------------------------------------------- */

Test(edit, rename_refused)
{
	struct efx f;
	fx_init(&f);
	expect_refused(&f, EDIT_ADD, "routeTables/rt2", "{ 'name': 'rt3' }", "no renames");
	expect_refused(&f, EDIT_SET, "routeTables/rt", "{ 'name': 'rt-renamed' }", "no renames");
	expect_refused(&f, EDIT_SET, "routeTables/rt/routes/r1", "{ 'name': 'r2' }", "no renames");
	expect_refused(&f, EDIT_SET, "routeTables/rt", "{ 'name': 7 }", "no renames");
	expect_refused(&f, EDIT_SET, "routeTables/rt", "{ 'name': null }", "no renames");
	/* The same name is fine. */
	cr_expect_eq(apply(&f, EDIT_SET, "routeTables/rt", "{ 'name': 'rt', 'disableBgpRoutePropagation': true }"),
		     0, "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_ADD, "routeTables/rt2", "{ 'name': 'rt2' }"), 0, "%s", f.err);
	fx_fini(&f);
}

/* ---- set ------------------------------------------------------------------------- */

Test(edit, set_merges_objects_recursively)
{
	struct efx f;
	fx_init(&f);
	/* tags.env changes, tags.team stays, tags.owner appears, location replaced. */
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub",
			   "{ 'tags': { 'env': 'dev', 'owner': 'me' }, 'location': 'northeurope' }"),
		     0, "%s", f.err);
	const cJSON *hub = cJSON_GetArrayItem(at(f.doc, "virtualNetworks"), 0);
	const cJSON *tags = at(hub, "tags");
	cr_expect_str_eq(at(tags, "env")->valuestring, "dev");
	cr_expect_str_eq(at(tags, "team")->valuestring, "net");
	cr_expect_str_eq(at(tags, "owner")->valuestring, "me");
	cr_expect_eq(cJSON_GetArraySize(tags), 3);
	cr_expect_str_eq(at(hub, "location")->valuestring, "northeurope");
	/* Keys stay findable by name after a replace. */
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(hub, "addressSpace"));
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(hub, "subnets"));
	/* Nested: a subnet's routeTable reference. */
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub/subnets/app",
			   "{ 'routeTable': { 'id': 'rt2' } }"), 0, "%s", f.err);
	const cJSON *app = cJSON_GetArrayItem(at(hub, "subnets"), 0);
	cr_expect_str_eq(at(at(app, "routeTable"), "id")->valuestring, "rt2");
	cr_expect_str_eq(at(app, "addressPrefix")->valuestring, "10.0.1.0/24");
	fx_fini(&f);
}

Test(edit, set_replaces_arrays_and_scalars)
{
	struct efx f;
	fx_init(&f);
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub",
			   "{ 'addressSpace': { 'addressPrefixes': ['10.0.0.0/16', '10.5.0.0/16'] } }"),
		     0, "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_SET, "routeTables/rt",
			   "{ 'routes': [ { 'name': 'only', 'addressPrefix': '1.0.0.0/8',"
			   "  'nextHopType': 'None' } ] }"), 0, "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_SET, "networkInterfaces/web-*", "{ 'count': 3 }"), 0, "%s", f.err);
	/* An object replaced by a scalar and back. */
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub", "{ 'tags': 'none' }"), 0, "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub", "{ 'location': { 'x': 1 } }"), 0, "%s", f.err);
	expect_doc(&f,
		   "{ 'virtualNetworks': [ { 'name': 'hub', 'location': { 'x': 1 },"
		   "    'addressSpace': { 'addressPrefixes': ['10.0.0.0/16', '10.5.0.0/16'] },"
		   "    'subnets': [ { 'name': 'app', 'addressPrefix': '10.0.1.0/24',"
		   "                   'routeTable': { 'id': 'rt' } } ],"
		   "    'tags': 'none' } ],"
		   "  'routeTables': [ { 'name': 'rt', 'routes': ["
		   "    { 'name': 'only', 'addressPrefix': '1.0.0.0/8', 'nextHopType': 'None' } ] } ],"
		   "  'networkInterfaces': [ { 'name': 'web-*', 'count': 3,"
		   "    'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] } ] }");
	/* An empty value changes nothing. */
	char *before = cJSON_PrintUnformatted(f.doc);
	cr_expect_eq(apply(&f, EDIT_SET, "routeTables/rt", "{}"), 0);
	char *after = cJSON_PrintUnformatted(f.doc);
	cr_expect_str_eq(after, before);
	free(before);
	free(after);
	fx_fini(&f);
}

/* A JSON Merge Patch null removes the key: a subnet's route table is
 * detached with "routeTable": null; nested nulls work too. */
Test(edit, set_null_removes_a_key)
{
	struct efx f;
	fx_init(&f);
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub/subnets/app", "{ 'routeTable': null }"),
		     0, "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub", "{ 'tags': { 'team': null } }"), 0,
		     "%s", f.err);
	cr_expect_eq(apply(&f, EDIT_SET, "virtualNetworks/hub", "{ 'nothere': null }"), 0, "%s",
		     f.err);
	const cJSON *hub = cJSON_GetArrayItem(at(f.doc, "virtualNetworks"), 0);
	const cJSON *app = cJSON_GetArrayItem(at(hub, "subnets"), 0);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(app, "routeTable"));
	cr_expect_str_eq(at(app, "addressPrefix")->valuestring, "10.0.1.0/24");
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(at(hub, "tags"), "team"));
	cr_expect_str_eq(at(at(hub, "tags"), "env")->valuestring, "prod");
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(hub, "nothere"), "null adds nothing");
	fx_fini(&f);
}

Test(edit, set_refusals)
{
	struct efx f;
	fx_init(&f);
	expect_refused(&f, EDIT_SET, "routeTables/nope", "{ 'routes': [] }", "nothing at \"routeTables/nope\"");
	expect_refused(&f, EDIT_SET, "routeTables/rt/routes/r9", "{}", "nothing at");
	expect_refused(&f, EDIT_SET, "connections/c", "{}", "nothing at");
	expect_refused(&f, EDIT_SET, "virtualNetworks/spoke/subnets/app", "{}", "no virtualNetworks named");
	fx_fini(&f);
}

/* ---- remove ----------------------------------------------------------------------- */

Test(edit, remove)
{
	struct efx f;
	fx_init(&f);
	cr_expect_eq(apply(&f, EDIT_REMOVE, "routeTables/rt/routes/r1", NULL), 0, "%s", f.err);
	cr_expect_eq(cJSON_GetArraySize(at(cJSON_GetArrayItem(at(f.doc, "routeTables"), 0), "routes")), 0);
	cr_expect_eq(apply(&f, EDIT_REMOVE, "networkInterfaces/web-*", NULL), 0, "%s", f.err);
	cr_expect_eq(cJSON_GetArraySize(at(f.doc, "networkInterfaces")), 0);
	expect_refused(&f, EDIT_REMOVE, "networkInterfaces/web-*", NULL, "nothing at");
	expect_refused(&f, EDIT_REMOVE, "routeTables/rt/routes/r1", NULL, "nothing at");
	expect_refused(&f, EDIT_REMOVE, "privateEndpoints/pe", NULL, "nothing at");
	expect_refused(&f, EDIT_REMOVE, "virtualNetworks/nope/subnets/app", NULL, "no virtualNetworks named");
	cr_expect_eq(apply(&f, EDIT_REMOVE, "virtualNetworks/hub", NULL), 0, "%s", f.err);
	cr_expect_eq(cJSON_GetArraySize(at(f.doc, "virtualNetworks")), 0);
	fx_fini(&f);
}

/* Objects are found by a string "name" only; the first match is edited. */
Test(edit, lookup_by_name)
{
	struct efx f;
	f.doc = json_parse_sq("{ 'routeTables': [ { 'name': 7 }, { 'id': 'rt' }, { 'name': 'rt', 'n': 1 } ] }");
	cr_expect_eq(apply(&f, EDIT_SET, "routeTables/rt", "{ 'n': 2 }"), 0, "%s", f.err);
	expect_doc(&f, "{ 'routeTables': [ { 'name': 7 }, { 'id': 'rt' }, { 'name': 'rt', 'n': 2 } ] }");
	expect_refused(&f, EDIT_SET, "routeTables/7", "{}", "nothing at");
	fx_fini(&f);
}

/* ---- in place: edit_begin, edit_commit, edit_rollback ------------------- */

static char *print(const cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);
	cr_assert_not_null(s);
	return s;
}

Test(edit, begin_commit_equals_apply_and_rollback_restores_exactly)
{
	static const struct {
		enum edit_op op;
		const char *path, *value;
	} CASES[] = {
		{ EDIT_SET, "routeTables/rt/routes/r1", "{ 'nextHopType': 'None' }" },
		{ EDIT_SET, "routeTables/rt", "{ 'disableBgpRoutePropagation': true }" },
		{ EDIT_SET, "routeTables/rt-b", "{ 'disableBgpRoutePropagation': true }" },
		{ EDIT_SET, "routeTables/rt-c", "{ 'disableBgpRoutePropagation': true }" },
		{ EDIT_REMOVE, "routeTables/rt-b", NULL },
		{ EDIT_REMOVE, "routeTables/rt-c", NULL },
		{ EDIT_ADD, "routeTables/rt/routes/r2", "{ 'addressPrefix': '10.9.0.0/16' }" },
		{ EDIT_REMOVE, "routeTables/rt/routes/r1", NULL },
		{ EDIT_ADD, "routeTables/rt2", "{ 'routes': [] }" },
		{ EDIT_REMOVE, "routeTables/rt", NULL },
		{ EDIT_REMOVE, "virtualNetworks/hub", NULL },
		{ EDIT_ADD, "privateEndpoints/pe", "{ 'subnet': { 'id': 'hub/app' } }" },
		{ EDIT_SET, "virtualNetworks/hub/subnets/app", "{ 'routeTable': null }" },
		{ EDIT_SET, "networkInterfaces/web-*", "{ 'count': 3 }" },
		/* refused: the document must stay as it was */
		{ EDIT_SET, "routeTables/nope", "{ 'x': 1 }" },
		{ EDIT_ADD, "routeTables/rt", "{ }" },
		{ EDIT_REMOVE, "routeTables/rt/routes/nope", NULL },
		{ EDIT_SET, "routeTables/rt/routes/r1", "{ 'name': 'other' }" },
		{ EDIT_ADD, "virtualNetworks/nope/subnets/x", "{ }" },
	};
	for (size_t i = 0; i < NELEM(CASES); i++) {
		struct efx a, b;
		fx_init(&a);
		fx_init(&b);
		/* Three route tables: first, middle and last positions. */
		cr_assert_eq(apply(&a, EDIT_ADD, "routeTables/rt-b", "{ }"), 0);
		cr_assert_eq(apply(&a, EDIT_ADD, "routeTables/rt-c", "{ }"), 0);
		cr_assert_eq(apply(&b, EDIT_ADD, "routeTables/rt-b", "{ }"), 0);
		cr_assert_eq(apply(&b, EDIT_ADD, "routeTables/rt-c", "{ }"), 0);
		char *orig = print(a.doc);
		cJSON *v = CASES[i].value ? json_parse_sq(CASES[i].value) : NULL;
		char err_b[256];
		int rc_a = edit_apply(a.doc, CASES[i].op, CASES[i].path, v, a.err, sizeof(a.err));
		struct edit_undo u;
		int rc_b = edit_begin(b.doc, CASES[i].op, CASES[i].path, v, &u, err_b, sizeof(err_b));
		cr_assert_eq(rc_a, rc_b, "case %zu: %s", i, CASES[i].path);
		char *got = print(b.doc), *want = print(a.doc);
		if (rc_a != 0) {
			cr_expect_str_eq(err_b, a.err, "case %zu", i);
			cr_expect_str_eq(got, orig, "case %zu: a refused edit changed the document", i);
		} else {
			cr_expect_str_eq(got, want, "case %zu: %s", i, CASES[i].path);
			edit_rollback(b.doc, &u);
			char *back = print(b.doc);
			cr_expect_str_eq(back, orig, "case %zu: rollback of %s", i, CASES[i].path);
			free(back);
			/* Again, committed this time. */
			cr_assert_eq(edit_begin(b.doc, CASES[i].op, CASES[i].path, v, &u, err_b,
						sizeof(err_b)), 0);
			edit_commit(&u);
			char *after = print(b.doc);
			cr_expect_str_eq(after, want, "case %zu: commit of %s", i, CASES[i].path);
			free(after);
		}
		free(got);
		free(want);
		free(orig);
		cJSON_Delete(v);
		fx_fini(&a);
		fx_fini(&b);
	}
}
