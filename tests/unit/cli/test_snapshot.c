/*
 * test_snapshot.c - what `vnetsim diff` compares (tools/cli/snapshot.c):
 * snapshots built by hand (empty, one subnet, lookups, the fill callback
 * and its context) and from a run's checkpoints, taken at a scenario label
 * or at a time (a probe), checked against the topology and the checkpoint
 * they come from: subnets in topology order, NICs grouped by subnet, NICs
 * beyond Route Server capacity marked, rows equal to the checkpoint's.
 *
 * Network: hub 10.0.0.0/16 (Route Server "ars", NVA nva1 at 10.0.1.4,
 * subnets RouteServerSubnet, nva, app), spoke "s" 10.1.0.0/16 using it, and
 * "p" 10.3.0.0/16 peered with the hub only (outside the routing domain).
 */
#include <criterion/criterion.h>

#include "helpers.h"
#include "snapshot.h"

/* ---- built by hand ------------------------------------------------------------------ */

struct fill_log {
	size_t calls;
	const void *last_table;
	bool last_without_rs;
};

/* Adds one VnetLocal row per call, for the prefix the handle points at. */
static int fill_one_row(void *ctx, const void *table, bool without_rs, struct rowdiff_set *out)
{
	struct fill_log *log = ctx;
	log->calls++;
	log->last_table = table;
	log->last_without_rs = without_rs;
	struct route_row r = { .source = SRC_DEFAULT, .active = true, .nh = NH_VNET_LOCAL,
			       .prefixes = table, .nprefixes = 1 };
	return rowdiff_set_add(out, &r);
}

Test(snapshot, empty)
{
	struct snapshot *s = snapshot_create(0, 0, fill_one_row, NULL);
	cr_assert_not_null(s);
	cr_expect_eq(s->nsubnets, 0);
	cr_expect_eq(s->nnics, 0);
	cr_expect_eq(snapshot_index(s), 0);
	cr_expect_null(snapshot_subnet(s, ""));
	cr_expect_null(snapshot_subnet(s, "v/s"));
	cr_expect_null(snapshot_nic(s, "vm"));
	snapshot_destroy(s);
	snapshot_destroy(NULL);
}

/* Subnets v/a (NICs a1, a2), v/b (none), w/c (c1): the lookups give the
 * very elements, and fill gets the handle and the context given. */
Test(snapshot, built_by_hand_and_looked_up)
{
	struct fill_log log = { 0 };
	struct snapshot *s = snapshot_create(3, 3, fill_one_row, &log);
	cr_assert_not_null(s);
	static const struct prefix pa = { 0x0A000000u, 24 }, pc = { 0x0A010000u, 24 };
	s->subnets[0] = (struct snapshot_subnet){ .id = "v/a", .nic_first = 0, .nic_count = 2,
						  .table = &pa };
	s->subnets[1] = (struct snapshot_subnet){ .id = "v/b", .nic_first = 2, .nic_count = 0 };
	s->subnets[2] = (struct snapshot_subnet){ .id = "w/c", .nic_first = 2, .nic_count = 1,
						  .table = &pc };
	s->nics[0] = (struct snapshot_nic){ .name = "a1", .subnet = 0 };
	s->nics[1] = (struct snapshot_nic){ .name = "a2", .subnet = 0, .unprogrammed = true };
	s->nics[2] = (struct snapshot_nic){ .name = "c1", .subnet = 2 };
	cr_assert_eq(snapshot_index(s), 0);
	cr_expect_eq(snapshot_subnet(s, "v/a"), &s->subnets[0]);
	cr_expect_eq(snapshot_subnet(s, "v/b"), &s->subnets[1]);
	cr_expect_eq(snapshot_subnet(s, "w/c"), &s->subnets[2]);
	cr_expect_eq(snapshot_nic(s, "a2"), &s->nics[1]);
	cr_expect(snapshot_nic(s, "a2")->unprogrammed);
	cr_expect_eq(snapshot_nic(s, "c1")->subnet, 2);
	static const char *const misses[] = { "", "a", "v", "v/", "V/a", "v/a ", "a1" };
	for (size_t i = 0; i < NELEM(misses); i++)
		cr_expect_null(snapshot_subnet(s, misses[i]), "subnet \"%s\"", misses[i]);
	cr_expect_null(snapshot_nic(s, "v/a"));
	cr_expect_null(snapshot_nic(s, "a3"));
	struct rowdiff_set *rows = rowdiff_set_create();
	const struct snapshot_subnet *c = snapshot_subnet(s, "w/c");
	cr_assert_eq(s->fill(s->ctx, c->table, true, rows), 0);
	cr_expect_eq(log.calls, 1);
	cr_expect_eq(log.last_table, &pc);
	cr_expect(log.last_without_rs);
	cr_assert_eq(rowdiff_set_count(rows), 1);
	cr_expect(prefix_equal(rowdiff_set_row(rows, 0)->prefixes[0], pc));
	rowdiff_set_destroy(rows);
	snapshot_destroy(s);
}

/* ---- from a run's checkpoints --------------------------------------------------------- */

#define VN(name, space, subnets, peerings)                                                     \
	"{ 'name': '" name "', 'location': 'westeurope', 'addressSpace': { 'addressPrefixes':" \
	" ['" space "'] }, 'subnets': [ " subnets " ], 'virtualNetworkPeerings': [ " peerings " ] }"
#define SN(name, prefix) "{ 'name': '" name "', 'addressPrefix': '" prefix "' }"
#define PR(name, remote, extra) \
	"{ 'name': '" name "', 'remoteVirtualNetwork': { 'id': '" remote "' }" extra " }"
#define VMS(name, count, subnet)                                                               \
	"{ 'name': '" name "', 'count': " count ", 'ipConfigurations': [ { 'subnet': { 'id': '"  \
	subnet "' } } ] }"
#define NET(app_vms)                                                                           \
	"'topology': { 'virtualNetworks': ["                                                   \
	VN("hub", "10.0.0.0/16", SN("RouteServerSubnet", "10.0.254.0/26") ","                 \
	   SN("nva", "10.0.1.0/24") "," SN("app", "10.0.16.0/20"),                              \
	   PR("h-s", "s", ", 'allowGatewayTransit': true") "," PR("h-p", "p", "")) ","         \
	VN("s", "10.1.0.0/16", SN("app", "10.1.0.0/24"), PR("s-h", "hub", ", 'useRemoteGateways': true")) "," \
	VN("p", "10.3.0.0/16", SN("x", "10.3.0.0/24"), PR("p-h", "hub", "")) " ],"            \
	"  'networkInterfaces': [ { 'name': 'nva1-nic', 'enableIPForwarding': true,"           \
	"    'ipConfigurations': [ { 'subnet': { 'id': 'hub/nva' }, 'privateIPAddress': '10.0.1.4' } ] },"\
	"    " VMS("app-*", app_vms, "hub/app") "," VMS("s-*", "2", "s/app") ","              \
	"    " VMS("x-*", "3", "p/x") " ],"                                                    \
	"  'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"   \
	"    'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001 } ] } ] }"
#define ADVERTISE(at, prefix) \
	"{ 'at': " at ", 'op': 'advertise', 'from': 'ars/nva1', 'prefixes': ['" prefix "'] }"

static void load_run(struct run_fx *f, const char *sq)
{
	char *txt = json_dq(sq);
	run_fx_load(f, txt);
	free(txt);
}

static const struct snapshot *snap_at(const struct run_fx *f, const char *label,
				      struct snapshot **keep)
{
	const struct checkpoint *c = run_checkpoint(f->r, label);
	cr_assert_not_null(c, "no checkpoint \"%s\"", label);
	*keep = snapshot_from_checkpoint(c);
	cr_assert_not_null(*keep);
	return *keep;
}

/* Rows of a snapshot's subnet with this prefix and next hop type, through
 * the snapshot's own fill. */
static size_t rows_with(const struct snapshot *s, const char *subnet, bool without_rs,
			const char *prefix, enum nh_type nh)
{
	const struct snapshot_subnet *sn = snapshot_subnet(s, subnet);
	cr_assert_not_null(sn, "no subnet %s", subnet);
	struct rowdiff_set *set = rowdiff_set_create();
	cr_assert_eq(s->fill(s->ctx, sn->table, without_rs, set), 0);
	size_t n = 0;
	for (size_t i = 0; i < rowdiff_set_count(set); i++) {
		const struct route_row *r = rowdiff_set_row(set, i);
		n += r->nh == nh && prefix_equal(r->prefixes[0], P(prefix));
	}
	rowdiff_set_destroy(set);
	return n;
}

/* The snapshot mirrors its checkpoint: every subnet of the topology in
 * order with its table, every NIC once in its subnet's group. */
Test(snapshot, from_a_checkpoint_mirrors_the_topology)
{
	struct run_fx f;
	load_run(&f, "{ 'schemaVersion': 1, " NET("3") ", 'events': [ " ADVERTISE("0", "10.100.0.0/16")
		     " ] }");
	cr_assert_eq(run_execute(f.r), 0);
	struct snapshot *keep;
	const struct snapshot *s = snap_at(&f, "end", &keep);
	const struct checkpoint *c = run_checkpoint(f.r, "end");
	const struct topology *t = c->topo;
	cr_assert_eq(s->nsubnets, t->nsubnets);
	cr_assert_eq(s->nnics, 1 + 3 + 2 + 3);
	size_t next = 0;
	for (size_t i = 0; i < s->nsubnets; i++) {
		const struct snapshot_subnet *sn = &s->subnets[i];
		cr_expect_str_eq(sn->id, t->subnets[i]->id);
		cr_expect_eq(sn->table, c->tables[i]);
		cr_expect_eq(sn->table, checkpoint_subnet_table(c, sn->id));
		cr_expect_eq(snapshot_subnet(s, sn->id), sn);
		cr_expect_eq(sn->nic_first, next);
		cr_expect_eq(sn->nic_count, t->subnets[i]->nic_count);
		for (size_t k = 0; k < sn->nic_count; k++) {
			const struct snapshot_nic *n = &s->nics[sn->nic_first + k];
			cr_expect_str_eq(n->name, t->subnet_nics[t->subnets[i]->nic_first + k]->name);
			cr_expect_eq(n->subnet, i);
			cr_expect(!n->unprogrammed);
			cr_expect_eq(snapshot_nic(s, n->name), n);
		}
		next += sn->nic_count;
		/* The fill gives the checkpoint table's rows. */
		struct rowdiff_set *set = rowdiff_set_create();
		cr_assert_eq(s->fill(s->ctx, sn->table, false, set), 0);
		cr_expect_eq(rowdiff_set_count(set), eff_row_count(c->tables[i], false), "%s", sn->id);
		rowdiff_set_destroy(set);
	}
	cr_expect_eq(next, s->nnics);
	cr_expect_str_eq(snapshot_nic(s, "x-2")->name, "x-2");
	cr_expect_str_eq(s->subnets[snapshot_nic(s, "x-2")->subnet].id, "p/x");
	cr_expect_eq(rows_with(s, "hub/app", false, "10.100.0.0/16", NH_VNET_GATEWAY), 1);
	cr_expect_eq(rows_with(s, "s/app", false, "10.100.0.0/16", NH_VNET_GATEWAY), 1);
	cr_expect_eq(rows_with(s, "p/x", false, "10.100.0.0/16", NH_VNET_GATEWAY), 0,
		     "p is outside the domain");
	snapshot_destroy(keep);
	run_fx_fini(&f);
}

/* A snapshot at a label and one at a time (a probe) show the state then:
 * equal before the advertisement at 20s, the new row after it; each
 * snapshot keeps showing its own time after the run went on. */
Test(snapshot, at_a_label_or_a_time)
{
	struct run_fx f;
	load_run(&f, "{ 'schemaVersion': 1, " NET("3") ", 'events': ["
		     "  { 'at': 10, 'op': 'checkpoint', 'label': 'before' }, "
		     ADVERTISE("20", "10.100.0.0/16") ","
		     "  { 'at': 30, 'op': 'checkpoint', 'label': 'after' } ] }");
	cr_assert_eq(run_add_probe(f.r, 15000, "t15"), 0);
	cr_assert_eq(run_add_probe(f.r, 20000, "t20"), 0);
	cr_assert_eq(run_add_probe(f.r, 25000, "t25"), 0);
	cr_assert_eq(run_execute(f.r), 0);
	static const struct {
		const char *label;
		size_t rows;
	} want[] = { { "start", 0 }, { "before", 0 }, { "t15", 0 }, { "t20", 1 },
		     { "t25", 1 },   { "after", 1 },  { "end", 1 } };
	struct snapshot *keep[NELEM(want)];
	for (size_t i = 0; i < NELEM(want); i++)
		snap_at(&f, want[i].label, &keep[i]);
	for (size_t i = 0; i < NELEM(want); i++)
		for (size_t k = 0; k < keep[i]->nsubnets; k++) {
			const char *id = keep[i]->subnets[k].id;
			size_t want_rows = strcmp(id, "p/x") == 0 ? 0 : want[i].rows;
			cr_expect_eq(rows_with(keep[i], id, false, "10.100.0.0/16", NH_VNET_GATEWAY),
				     want_rows, "%s at %s", id, want[i].label);
		}
	/* Unchanged tables are shared: the same handles before and at 15s. */
	cr_expect_eq(snapshot_subnet(keep[1], "s/app")->table, snapshot_subnet(keep[2], "s/app")->table);
	cr_expect_neq(snapshot_subnet(keep[2], "s/app")->table,
		      snapshot_subnet(keep[4], "s/app")->table);
	for (size_t i = 0; i < NELEM(want); i++)
		snapshot_destroy(keep[i]);
	run_fx_fini(&f);
}

/* RULES 1.8: 4,001 NICs in the domain for 2 units; the last one added (x-3 is in p,
 * outside the domain, so s-2) is unprogrammed until the scale-out, and
 * its view has no Route Server rows. */
Test(snapshot, nics_beyond_route_server_capacity_are_marked)
{
	struct run_fx f;
	load_run(&f, "{ 'schemaVersion': 1, 'settings': { 'routeServerScaleOutSeconds': 60 }, "
		     NET("3998") ", 'events': [ " ADVERTISE("0", "10.100.0.0/16") ","
		     "  { 'at': 30, 'op': 'checkpoint', 'label': 'short' } ] }");
	cr_assert_eq(run_execute(f.r), 0);
	struct snapshot *a, *b;
	const struct snapshot *s = snap_at(&f, "short", &a);
	const struct snapshot_nic *late = snapshot_nic(s, "s-2");
	cr_assert_not_null(late);
	cr_expect(late->unprogrammed);
	size_t marked = 0;
	for (size_t i = 0; i < s->nnics; i++)
		marked += s->nics[i].unprogrammed;
	cr_expect_eq(marked, 1);
	cr_expect_eq(rows_with(s, "s/app", false, "10.100.0.0/16", NH_VNET_GATEWAY), 1);
	cr_expect_eq(rows_with(s, "s/app", true, "10.100.0.0/16", NH_VNET_GATEWAY), 0,
		     "the view of a NIC beyond capacity");
	const struct snapshot *e = snap_at(&f, "end", &b);
	cr_expect(!snapshot_nic(e, "s-2")->unprogrammed, "scaled out at 60s");
	snapshot_destroy(a);
	snapshot_destroy(b);
	run_fx_fini(&f);
}

/* RULES 1.2.4 and the hiding of BGP rows under VnetLocal and peering
 * prefixes: nva1's 10.3.0.0/16 (p's space, outside the domain) is hidden
 * in the hub, which peers with p, and shown in the spoke, which does not.
 * It stays hidden after a later, unrelated BGP change. */
Test(snapshot, a_hidden_prefix_stays_hidden)
{
	struct run_fx f;
	load_run(&f, "{ 'schemaVersion': 1, " NET("3") ", 'events': [ "
		     ADVERTISE("10", "10.100.0.0/16") "," ADVERTISE("20", "10.3.0.0/16") ","
		     "  { 'at': 25, 'op': 'checkpoint', 'label': 'both' },"
		     "  { 'at': 30, 'op': 'withdraw', 'from': 'ars/nva1', 'prefixes': ['10.100.0.0/16'] },"
		     "  { 'at': 35, 'op': 'checkpoint', 'label': 'withdrawn' },"
		     ADVERTISE("40", "10.200.0.0/16") " ] }");
	cr_assert_eq(run_execute(f.r), 0);
	static const char *const labels[] = { "both", "withdrawn", "end" };
	for (size_t i = 0; i < NELEM(labels); i++) {
		struct snapshot *keep;
		const struct snapshot *s = snap_at(&f, labels[i], &keep);
		for (size_t k = 0; k < s->nsubnets; k++) {
			const char *id = s->subnets[k].id;
			bool hub = strncmp(id, "hub/", 4) == 0, spoke = strncmp(id, "s/", 2) == 0;
			cr_expect_eq(rows_with(s, id, false, "10.3.0.0/16", NH_VNET_GATEWAY), spoke ? 1 : 0,
				     "%s at %s", id, labels[i]);
			cr_expect_eq(rows_with(s, id, false, "10.3.0.0/16", NH_VNET_PEERING), hub ? 1 : 0,
				     "%s at %s", id, labels[i]);
		}
		snapshot_destroy(keep);
	}
	run_fx_fini(&f);
}
