/*
 * test_scenario_doc.c - a scenario as an editable document
 * (models/replay/scenario_doc.c): property paths, writes that keep key
 * order or leave the document alone, ARM-style paths, loading an edited
 * document through the loader, and what it reads from a loaded scenario.
 */
#include <criterion/criterion.h>

#include "helpers.h"
#include "scenario_doc.h"

/* A hub with two subnets peered with a spoke, and an `add` edit event whose
 * value holds prefixes at two depths. */
static const char SCENARIO[] =
	"{'schemaVersion': 1, 'name': 'doc', 'description': 'before',"
	" 'topology': {'virtualNetworks': ["
	"  {'name': 'hub', 'location': 'westeurope',"
	"   'addressSpace': {'addressPrefixes': ['10.0.0.0/16']},"
	"   'subnets': [{'name': 'a', 'addressPrefix': '10.0.1.0/24'},"
	"               {'name': 'b', 'addressPrefix': '10.0.2.0/24'}],"
	"   'virtualNetworkPeerings': [{'name': 'hub-to-s1',"
	"     'remoteVirtualNetwork': {'id': 's1'}}]},"
	"  {'name': 's1', 'location': 'westeurope',"
	"   'addressSpace': {'addressPrefixes': ['10.1.0.0/16']},"
	"   'virtualNetworkPeerings': [{'name': 's1-to-hub',"
	"     'remoteVirtualNetwork': {'id': 'hub'}}]}],"
	"  'networkInterfaces': [{'name': 'vm-*', 'count': 3,"
	"    'ipConfigurations': [{'subnet': {'id': 'hub/a'}}]}]},"
	" 'events': [{'at': '1s', 'op': 'add', 'path': 'virtualNetworks/late',"
	"   'value': {'location': 'westeurope',"
	"     'addressSpace': {'addressPrefixes': ['10.7.0.0/16']},"
	"     'subnets': [{'name': 'x', 'addressPrefix': '10.7.1.0/24'}]}}]}";

struct fx {
	struct run_fx run;
	struct scenario_doc *doc;
};

static void fx_init(struct fx *f)
{
	char *txt = json_dq(SCENARIO);
	run_fx_load(&f->run, txt);
	free(txt);
	f->doc = scenario_doc_create(f->run.sc);
	cr_assert_not_null(f->doc);
}

static void fx_fini(struct fx *f)
{
	scenario_doc_destroy(f->doc);
	run_fx_fini(&f->run);
}

static char *printed(const struct scenario_doc *doc)
{
	char *t = scenario_doc_print(doc);
	cr_assert_not_null(t);
	return t;
}

Test(scenario_doc, property_paths_read_nested_values)
{
	struct fx f;
	fx_init(&f);
	struct scenario_doc_node *root = scenario_doc_root(f.doc);
	struct scenario_doc_node *hub = scenario_doc_find(f.doc, "virtualNetworks/hub");
	cr_assert_not_null(hub);
	cr_assert_str_eq(scenario_doc_string(hub, "addressSpace.addressPrefixes[0]"), "10.0.0.0/16");
	cr_assert_str_eq(scenario_doc_string(root, "topology.networkInterfaces[0].ipConfigurations"
						   "[0].subnet.id"),
			 "hub/a");
	double n = 0;
	cr_assert(scenario_doc_number(root, "topology.networkInterfaces[0].count", &n));
	cr_assert_eq(n, 3);
	/* A string is no number, an array no string, and an element past the
	 * end nothing. */
	cr_assert_not(scenario_doc_number(hub, "name", &n));
	cr_assert_null(scenario_doc_string(hub, "addressSpace.addressPrefixes"));
	cr_assert_null(scenario_doc_string(hub, "addressSpace.addressPrefixes[1]"));
	cr_assert_null(scenario_doc_get(hub, "name"), "a scalar is no node");
	/* Malformed paths find nothing. */
	static const char *const bad[] = { "", "addressSpace.", "addressSpace..x", "[x]", "[-1]",
					   "addressSpace[0]", ".name", "subnets[0" };
	for (size_t i = 0; i < NELEM(bad); i++)
		cr_assert_null(scenario_doc_get(hub, bad[i]), "%s", bad[i]);
	cr_assert_null(scenario_doc_string(hub, NULL));
	/* An element of an array node. */
	struct scenario_doc_node *space = scenario_doc_get(hub, "addressSpace.addressPrefixes");
	cr_assert_eq(scenario_doc_count(space), 1);
	cr_assert_str_eq(scenario_doc_string(space, "[0]"), "10.0.0.0/16");
	cr_assert_eq(scenario_doc_count(hub), 0, "an object is no array");
	cr_assert_eq(scenario_doc_count(NULL), 0);
	fx_fini(&f);
}

Test(scenario_doc, arm_paths_and_iteration)
{
	struct fx f;
	fx_init(&f);
	struct scenario_doc_node *b = scenario_doc_find(f.doc, "virtualNetworks/hub/subnets/b");
	cr_assert_not_null(b);
	cr_assert_str_eq(scenario_doc_string(b, "addressPrefix"), "10.0.2.0/24");
	cr_assert_null(scenario_doc_find(f.doc, "virtualNetworks/nope"));
	cr_assert_null(scenario_doc_find(f.doc, "virtualNetworks/hub/subnets/nope"));
	cr_assert_null(scenario_doc_find(f.doc, "virtualNetworks"), "not an edit path");
	cr_assert_null(scenario_doc_find(f.doc, "routeTables/rt"), "no such collection");
	const char *names[3] = { NULL };
	size_t n = 0;
	struct scenario_doc_node *subnets = scenario_doc_get(scenario_doc_find(f.doc,
									       "virtualNetworks/hub"),
							     "subnets");
	for (struct scenario_doc_node *s = scenario_doc_first(subnets); s && n < 3;
	     s = scenario_doc_next(s))
		names[n++] = scenario_doc_string(s, "name");
	cr_assert_eq(n, 2);
	cr_assert_str_eq(names[0], "a");
	cr_assert_str_eq(names[1], "b");
	cr_assert_eq(scenario_doc_named(subnets, "b"), scenario_doc_find(f.doc, "virtualNetworks/hub/"
										 "subnets/b"));
	fx_fini(&f);
}

Test(scenario_doc, a_set_keeps_the_key_where_it_stands)
{
	struct fx f;
	fx_init(&f);
	struct scenario_doc_node *root = scenario_doc_root(f.doc);
	cr_assert_eq(scenario_doc_set_string(root, "description", "after"), 0);
	cr_assert_eq(scenario_doc_set_number(root, "seed", 7), 0);
	char *t = printed(f.doc);
	const char *name = strstr(t, "\"name\""), *desc = strstr(t, "\"description\"");
	const char *topo = strstr(t, "\"topology\""), *seed = strstr(t, "\"seed\"");
	cr_assert(name && desc && topo && seed);
	cr_assert(name < desc && desc < topo, "replaced in place:\n%s", t);
	cr_assert(seed > strstr(t, "\"events\""), "a new key goes last:\n%s", t);
	cr_assert(strstr(t, "\"after\"") && !strstr(t, "\"before\""));
	free(t);
	/* Array elements and references. */
	struct scenario_doc_node *hub = scenario_doc_find(f.doc, "virtualNetworks/hub");
	struct prefix p = P("10.9.0.0/16");
	cr_assert_eq(scenario_doc_set_prefix(hub, "addressSpace.addressPrefixes[0]", p), 0);
	cr_assert_str_eq(scenario_doc_string(hub, "addressSpace.addressPrefixes[0]"), "10.9.0.0/16");
	cr_assert_eq(scenario_doc_set_ref(hub, "virtualNetworkPeerings[0].remoteVirtualNetwork",
					  "s9"),
		     0);
	cr_assert_str_eq(scenario_doc_string(hub, "virtualNetworkPeerings[0].remoteVirtualNetwork."
						  "id"),
			 "s9");
	fx_fini(&f);
}

Test(scenario_doc, a_failed_write_changes_nothing)
{
	struct fx f;
	fx_init(&f);
	char *before = printed(f.doc);
	struct scenario_doc_node *hub = scenario_doc_find(f.doc, "virtualNetworks/hub");
	/* Every node on the way must exist; an index must name an element. */
	cr_assert_eq(scenario_doc_set_string(hub, "nope.x", "v"), -1);
	cr_assert_eq(scenario_doc_set_string(hub, "addressSpace.addressPrefixes[1]", "v"), -1);
	cr_assert_eq(scenario_doc_set_string(hub, "name[0]", "v"), -1);
	cr_assert_eq(scenario_doc_set_string(hub, "", "v"), -1);
	cr_assert_eq(scenario_doc_set_string(NULL, "x", "v"), -1);
	cr_assert_null(scenario_doc_set_object(hub, "a..b"));
	cr_assert_eq(scenario_doc_append_string(hub, "v"), -1, "an object is no array");
	cr_assert_null(scenario_doc_append_copy(scenario_doc_get(hub, "subnets"), NULL));
	scenario_doc_remove(hub, "nope");
	scenario_doc_remove(hub, "subnets[5]");
	char *after = printed(f.doc);
	cr_assert_str_eq(before, after);
	free(before);
	free(after);
	fx_fini(&f);
}

Test(scenario_doc, copies_are_deep_and_collections_are_made)
{
	struct fx f;
	fx_init(&f);
	struct scenario_doc_node *root = scenario_doc_root(f.doc);
	struct scenario_doc_node *vnets = scenario_doc_get(root, "topology.virtualNetworks");
	struct scenario_doc_node *s1 = scenario_doc_named(vnets, "s1");
	struct scenario_doc_node *c = scenario_doc_append_copy(vnets, s1);
	cr_assert_not_null(c);
	cr_assert_eq(scenario_doc_count(vnets), 3);
	cr_assert_eq(scenario_doc_set_string(c, "name", "s2"), 0);
	cr_assert_eq(scenario_doc_set_string(c, "virtualNetworkPeerings[0].name", "s2-to-hub"), 0);
	cr_assert_str_eq(scenario_doc_string(s1, "virtualNetworkPeerings[0].name"), "s1-to-hub",
			 "the copy shares nothing with its source");
	/* A collection is made when absent (as an `add` does) and found when
	 * there; a member of another kind is replaced by one. */
	struct scenario_doc_node *topo = scenario_doc_get(root, "topology");
	struct scenario_doc_node *rts = scenario_doc_collection(topo, "routeTables");
	cr_assert_not_null(rts);
	cr_assert_eq(scenario_doc_collection(topo, "routeTables"), rts);
	cr_assert_eq(scenario_doc_collection(topo, "virtualNetworks"), vnets);
	cr_assert_eq(scenario_doc_set_string(root, "name", "x"), 0);
	cr_assert_not_null(scenario_doc_collection(root, "name"));
	cr_assert_null(scenario_doc_string(root, "name"));
	struct scenario_doc_node *rt = scenario_doc_append_object(rts);
	cr_assert_eq(scenario_doc_set_string(rt, "name", "rt"), 0);
	struct scenario_doc_node *routes = scenario_doc_set_array(rt, "routes");
	cr_assert_eq(scenario_doc_append_number(routes, 5), 0);
	cr_assert_eq(scenario_doc_count(routes), 1);
	scenario_doc_remove(root, "events");
	cr_assert_null(scenario_doc_get(root, "events"));
	fx_fini(&f);
}

Test(scenario_doc, an_edited_document_loads_through_the_loader)
{
	struct fx f;
	fx_init(&f);
	struct scenario_doc_node *vnets = scenario_doc_get(scenario_doc_root(f.doc),
							   "topology.virtualNetworks");
	struct scenario_doc_node *c = scenario_doc_append_copy(vnets, scenario_doc_named(vnets,
											 "s1"));
	cr_assert_eq(scenario_doc_set_string(c, "name", "s2"), 0);
	cr_assert_eq(scenario_doc_set_prefix(c, "addressSpace.addressPrefixes[0]", P("10.2.0.0/16")),
		     0);
	cr_assert_eq(scenario_doc_set_string(c, "virtualNetworkPeerings[0].name", "s2-to-hub"), 0);
	bool env = false;
	struct scenario *g = scenario_doc_load(f.doc, "edited.json", NULL, f.run.d, &env);
	f.doc = NULL; /* taken */
	if (!g)
		diag_dump(f.run.d);
	cr_assert_not_null(g);
	cr_assert_eq(g->topo->nvnets, 3);
	cr_assert(prefix_equal(topology_vnet(g->topo, "s2")->space.v[0], P("10.2.0.0/16")));
	cr_assert_str_eq(g->file, "edited.json");
	scenario_destroy(g);
	/* An invalid edit is reported as the loader reports user input. */
	f.doc = scenario_doc_create(f.run.sc);
	struct scenario_doc_node *hub = scenario_doc_find(f.doc, "virtualNetworks/hub");
	cr_assert_eq(scenario_doc_set_string(hub, "subnets[1].addressPrefix", "10.0.1.0/24"), 0);
	struct diag *d = diag_create();
	g = scenario_doc_load(f.doc, "bad.json", NULL, d, &env);
	f.doc = NULL;
	cr_assert_null(g);
	cr_assert_not(env);
	cr_assert_gt(diag_count(d, DIAG_ERROR), 0);
	diag_destroy(d);
	fx_fini(&f);
}

Test(scenario_doc, the_initial_value_is_the_files)
{
	struct fx f;
	fx_init(&f);
	struct event add = { .op = EV_ADD };
	cr_assert(scenario_doc_initial_value(f.run.sc, "virtualNetworks/hub/virtualNetworkPeerings/"
						       "hub-to-s1",
					     &add));
	cr_assert_not_null(add.value);
	/* What the file holds, even after the document copy is edited. */
	struct scenario_doc_node *hub = scenario_doc_find(f.doc, "virtualNetworks/hub");
	cr_assert_eq(scenario_doc_set_string(hub, "virtualNetworkPeerings[0].name", "x"), 0);
	cr_assert(scenario_doc_initial_value(f.run.sc, "virtualNetworks/hub/virtualNetworkPeerings/"
						       "hub-to-s1",
					     &add));
	struct event none = { .op = EV_ADD };
	cr_assert_not(scenario_doc_initial_value(f.run.sc, "virtualNetworks/late", &none),
		      "added by an event, not in the file's topology");
	cr_assert_null(none.value);
	cr_assert_not(scenario_doc_initial_value(f.run.sc, "virtualNetworks/hub/subnets", &none));
	fx_fini(&f);
}

struct seen {
	struct prefix v[8];
	size_t n;
	size_t stop_at;                /* fn returns 5 at this call (0: never) */
};

static int collect(void *ctx, struct prefix p)
{
	struct seen *s = ctx;
	cr_assert_lt(s->n, NELEM(s->v));
	s->v[s->n++] = p;
	return s->n == s->stop_at ? 5 : 0;
}

Test(scenario_doc, the_prefixes_an_edit_writes)
{
	struct fx f;
	fx_init(&f);
	const struct scenario *sc = f.run.sc;
	cr_assert_eq(sc->nevents, 1);
	struct seen s = { .n = 0 };
	cr_assert_eq(scenario_doc_event_prefixes(&sc->events[0], collect, &s), 0);
	/* Document order, at every depth; what is no CIDR is left out. */
	cr_assert_eq(s.n, 2);
	cr_assert(prefix_equal(s.v[0], P("10.7.0.0/16")));
	cr_assert(prefix_equal(s.v[1], P("10.7.1.0/24")));
	struct seen stop = { .stop_at = 1 };
	cr_assert_eq(scenario_doc_event_prefixes(&sc->events[0], collect, &stop), 5);
	cr_assert_eq(stop.n, 1, "the first nonzero result stops the walk");
	struct event plain = { .op = EV_ADVERTISE };
	cr_assert_eq(scenario_doc_event_prefixes(&plain, collect, &s), 0);
	fx_fini(&f);
}
