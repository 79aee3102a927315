/*
 * run_edit.c - configuration edits during the replay (RULES 2.2 `add`, `set`,
 * `remove`).  Part of the replay (run_int.h); the core dispatches the three
 * edit events here.
 *
 * What it models: a change of the deployed configuration at a time of the
 * timeline.  The edit is applied to the run's working copy of the topology
 * JSON in place (edit_begin), and rolled back when the result is invalid,
 * which stops the run with status 2 and diagnostics naming the event
 * (RULES 2.2).  Then, cheapest first:
 *  - a route table's routes or settings, while no checkpoint holds the
 *    topology: that table is reloaded into the topology in place and its
 *    subnets recomputed (route_table_in_place);
 *  - a VNet's peerings, under the same condition and without private
 *    endpoints: the peerings are reloaded in place, the domains derived
 *    again, and what the change reaches recomputed (peerings_in_place);
 *  - anything else: a new topology is built from the JSON (rebuild) and
 *    only the domains and subnets the edit can reach are recomputed
 *    (struct reach, below), keeping the old table object wherever the
 *    result is equal, so only real changes reach the timeline.
 * A Route Server capacity check follows every edit (RULES 1.8).
 *
 * What an edit can reach, from its path: the subnets whose table can
 * change, and whether any domain's set can.
 *  - routeTables/X: the subnets using X, before or after; no set.
 *  - networkInterfaces/N: no table (tables are per subnet), only Route
 *    Server capacity; no set.
 *  - virtualNetworks/V (V not a hub, before or after): the subnets of V and
 *    of every VNet with a connected peering to V, before or after (their
 *    peering rows show V's space); a set only through the VNet
 *    prefixes its filter refuses (domain_respace).
 *  - anything else (gateways, connections, Route Servers, private
 *    endpoints, a hub's VNet, or a VNet edit in a topology with private
 *    endpoints, whose rows reach across peerings): every domain and
 *    subnet, as at the start.
 * Whatever the kind, a subnet is recomputed too when it is new, when its
 * domain's set object changed or when its Route Server capacity view did.
 * Oracle-tested against run_set_full_recompute (test_run_incremental.c).
 *
 * Invariants: the run's per-topology arrays always describe r->topo: a
 * rebuild replaces the topology and all of them together, and frees the
 * old ones.  An edit in place keeps the topology object, so it is refused
 * while a checkpoint holds a reference (unless run_allow_shared_in_place).
 * Ownership: the old topology and its state are freed by the rebuild; the
 * scratch diagnostics of a failed rebuild are re-issued into the run's.
 * Costs: an edit in place O(subnets reached); a rebuild O(topology) for the
 * load plus the recompute of what the edit reaches.
 */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "jsonin.h"
#include "speaker.h"
#include "topo_load.h"
#include "validate.h"
#include "diag.h"

/* ---- what an edit can reach --------------------------------------------- */

/* Whether w is v or shows v's space: a connected peering (both VNets peer
 * with each other, so looking at w's side is enough). */
static bool vnet_touches(const struct vnet *w, const char *v)
{
	if (strcmp(w->name, v) == 0)
		return true;
	for (size_t i = 0; i < w->npeerings; i++)
		if (w->peerings[i].connected && strcmp(w->peerings[i].remote->name, v) == 0)
			return true;
	return false;
}

/* Classifies the edit at path between topologies old and t.  -1 out of
 * memory. */
static int reach_init(struct reach *re, const struct run *r, const struct topology *old,
		      const char *path)
{
	const struct topology *t = r->topo;
	char coll[EDIT_SEG_LEN];
	memset(re, 0, sizeof(*re));
	re->kind = REACH_ALL;
	if (r->full_recompute || edit_path_head(path, coll, re->name) != 0)
		return 0;
	if (strcmp(coll, "routeTables") == 0)
		re->kind = REACH_RT;
	else if (strcmp(coll, "networkInterfaces") == 0)
		re->kind = REACH_NIC;
	if (strcmp(coll, "virtualNetworks") != 0 || old->npes > 0 || t->npes > 0)
		return 0;
	if (run_is_hub(topology_vnet(old, re->name)) || run_is_hub(topology_vnet(t, re->name)))
		return 0;
	re->vnet = calloc(t->nvnets ? t->nvnets : 1, sizeof(*re->vnet));
	if (!re->vnet)
		return -1;
	re->kind = REACH_VNET;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *w = t->vnets[i], *ow = topology_vnet(old, w->name);
		re->vnet[i] = vnet_touches(w, re->name) || (ow && vnet_touches(ow, re->name));
	}
	return 0;
}

static void reach_fini(struct reach *re) { free(re->vnet); }

bool run_edit_reaches(const struct reach *re, const struct subnet *s, const struct subnet *os)
{
	switch (re->kind) {
	case REACH_ALL: return true;
	case REACH_NIC: return false;
	case REACH_RT:
		return (s->rt && strcmp(s->rt->name, re->name) == 0) ||
		       (os->rt && strcmp(os->rt->name, re->name) == 0);
	case REACH_VNET: return re->vnet[s->vnet->index];
	}
	return true;
}

/* After an edit that replaced old by r->topo: what the edit at path can
 * reach (struct reach), keeping every table it cannot change. */
static int recompute_after_edit(struct run *r, const struct topology *old,
				struct bgp_set **old_sets, struct bgp_set **old_built,
				const bool *old_over, struct eff_table **old_tables, int64_t now,
				const char *cause, const char *path, const struct view_change *vc)
{
	struct reach re;
	int rc = reach_init(&re, r, old, path);
	if (rc == 0)
		rc = run_alloc_state(r);
	if (rc == 0)
		rc = run_build_sets(r, &re, old, old_sets, old_built);
	if (rc == 0)
		rc = run_build_tables(r, re.kind == REACH_ALL ? NULL : &re, old, old_sets, old_over,
				      old_tables, now, cause, vc);
	reach_fini(&re);
	return rc;
}

/* ---- edits in place ---------------------------------------------------- */

/* The common edit, a route table's routes or settings, while no checkpoint
 * holds the topology: that table is reloaded in place (topo_reload_route_table)
 * and only its subnets are recomputed; nothing else a table, a domain or
 * the Route Server's capacity depends on has changed.  false when this
 * does not apply (the caller then reloads everything). */
static bool route_table_in_place(struct run *r, const struct event *e, int64_t now)
{
	char coll[EDIT_SEG_LEN], name[EDIT_SEG_LEN];
	struct topo_opts to = { .tags = r->sc->tags, .max_nics = TOPO_MAX_NICS_DEFAULT,
				.prev = r->topo };
	if (edit_path_head(e->path, coll, name) != 0 || strcmp(coll, "routeTables") != 0 ||
	    topo_reload_route_table(r->topo, r->topo_json, name, &to) != 0)
		return false;
	const struct route_table *rt = topology_route_table(r->topo, name);
	const char *why = run_cause(r, ev_op_name(e->op), e->path);
	for (size_t i = 0; i < r->topo->nsubnets && r->status == 0; i++) {
		if (r->topo->subnets[i]->rt != rt)
			continue;
		if (run_recompute_subnet(r, i, now, why) != 0) {
			run_oom(r);
			break;
		}
	}
	return true;
}

/* A new set for hub after VNet prefixes `inside` joined or left its domain
 * in place: decided again from the latest computed set, the installed
 * object kept when equal (as run_build_sets does).  true when the installed
 * set changed; *failed on out of memory. */
static bool respace_in_place(struct run *r, const struct vnet *hub,
			     const struct prefix_list *inside, bool *failed)
{
	struct bgp_set **installed = &r->domain_sets[hub->index], **built = &r->built_sets[hub->index];
	struct prefix *changed;
	size_t nchanged;
	struct bgp_set *set = domain_redecide_inside(*built, r->topo, hub, r->sp, inside->v, inside->n,
						     &changed, &nchanged);
	free(changed);
	if (!set) {
		*failed = true;
		return false;
	}
	if (bgp_set_equal(*installed, set)) {
		bgp_set_unref(set);
		set = bgp_set_ref(*installed);
	}
	bool moved = set != *installed;
	bgp_set_unref(*installed);
	bgp_set_unref(*built);
	*installed = set;
	*built = bgp_set_ref(set);
	return moved;
}

/* What peerings_in_place remembers per topo->vnets index. */
struct peering_scratch {
	bool *reached;                 /* the VNet's table can change */
	bool *over;                    /* r->over_capacity before the edit */
	bool *moved;                   /* a hub whose installed set changed */
	const struct vnet **was;       /* the VNet's domain before the edit */
};

static int peering_scratch_init(struct peering_scratch *ps, size_t nvnets)
{
	ps->reached = calloc(nvnets, sizeof(*ps->reached));
	ps->over = calloc(nvnets, sizeof(*ps->over));
	ps->moved = calloc(nvnets, sizeof(*ps->moved));
	ps->was = calloc(nvnets, sizeof(*ps->was));
	return ps->reached && ps->over && ps->moved && ps->was ? 0 : -1;
}

static void peering_scratch_free(struct peering_scratch *ps)
{
	free(ps->reached);
	free(ps->over);
	free(ps->moved);
	free(ps->was);
}

/* A peering edit of a VNet, while no checkpoint holds the topology (or the
 * run may change a shared one: run_allow_shared_in_place) and there are no
 * private endpoints, whose rows cross peerings: the VNet's peerings are
 * reloaded in place and the domains derived again (topo_reload_peerings);
 * the domains every VNet left or joined decide again the routes inside
 * its address space; the subnets of the VNet, of the VNets whose
 * connection to it came or went or whose domain changed, and of domains
 * whose set or Route Server capacity view changed are recomputed.  A hub
 * stays a hub (its own gateway or Route Server makes it one, not its
 * peerings), so its peering edit moves only the VNets that use its
 * gateways.  false when this does not apply. */
static bool peerings_in_place(struct run *r, const struct event *e, int64_t now)
{
	char coll[EDIT_SEG_LEN], name[EDIT_SEG_LEN];
	struct topology *t = r->topo;
	struct vnet *v;
	if (edit_path_head(e->path, coll, name) != 0 || strcmp(coll, "virtualNetworks") != 0 ||
	    !strstr(e->path, "/virtualNetworkPeerings/") || t->npes > 0 ||
	    (t->refs != 1 && !r->in_place_shared) || !(v = topology_vnet(t, name)))
		return false;
	struct peering_scratch ps;
	if (peering_scratch_init(&ps, t->nvnets) != 0) {
		peering_scratch_free(&ps);
		return false;
	}
	bool *reached = ps.reached, *over = ps.over, *moved = ps.moved;
	const struct vnet **was = ps.was;
	struct topo_opts to = { .tags = r->sc->tags, .max_nics = TOPO_MAX_NICS_DEFAULT, .prev = t,
				.shared_ok = r->in_place_shared };
	for (size_t i = 0; i < t->nvnets; i++) {
		reached[i] = vnet_touches(t->vnets[i], v->name);
		was[i] = t->vnets[i]->domain;
	}
	memcpy(over, r->over_capacity, t->nvnets * sizeof(*over));
	if (topo_reload_peerings(t, r->topo_json, name, &to) != 0) {
		peering_scratch_free(&ps);
		return false;
	}
	/* Another VNet shows v only through a connected peering: its table
	 * can change only where that connection came or went (v's space is
	 * the same), or where its domain changed (v is a hub whose transit
	 * to it came or went). */
	for (size_t i = 0; i < t->nvnets; i++)
		reached[i] = t->vnets[i] == v || reached[i] != vnet_touches(t->vnets[i], v->name) ||
			     was[i] != t->vnets[i]->domain;
	bool failed = false;
	for (size_t i = 0; i < t->nvnets && !failed; i++) {
		const struct vnet *w = t->vnets[i];
		if (was[i] == w->domain)
			continue;
		if (was[i] && respace_in_place(r, was[i], &w->space, &failed))
			moved[was[i]->index] = true;
		if (w->domain && !failed && respace_in_place(r, w->domain, &w->space, &failed))
			moved[w->domain->index] = true;
	}
	if (!failed && run_capacity_mark_hubs(r) != 0)
		failed = true;
	const char *why = run_cause(r, ev_op_name(e->op), e->path);
	for (size_t i = 0; i < t->nsubnets && !failed; i++) {
		struct subnet *s = t->subnets[i];
		const struct vnet *hub = s->vnet->domain;
		bool need = reached[s->vnet->index] ||
			    (hub && (moved[hub->index] ||
				     over[hub->index] != r->over_capacity[hub->index]));
		if (!need)
			continue;
		if (run_recompute_subnet(r, i, now, why) != 0) {
			failed = true;
			break;
		}
	}
	peering_scratch_free(&ps);
	if (failed)
		run_oom(r);
	run_capacity_check(r, now, why);
	return true;
}

/* ---- a new topology --------------------------------------------------- */

/* The topology of the edited JSON (validate_load_edited: the same load
 * and messages as `check`), or NULL when it is invalid (status 2) or
 * memory ran out (status 3). */
static struct topology *load_edited(struct run *r, const struct event *e, int64_t now)
{
	bool oom;
	struct topology *nt = validate_load_edited(r->sc, r->topo_json, r->topo, e, now, r->diag,
						   &oom);
	if (!nt && oom)
		run_oom(r);
	else if (!nt)
		r->status = 2;
	return nt;
}

/* nt replaces the run's topology: the state of the old one is kept until
 * what the edit reaches has been recomputed against it, then freed. */
static void replace_topology(struct run *r, struct topology *nt, const struct event *e,
			     int64_t now)
{
	struct topology *old = r->topo;
	struct bgp_set **old_sets = r->domain_sets, **old_built = r->built_sets;
	struct eff_table **old_tables = r->tables;
	bool *old_over = r->over_capacity;
	r->topo = nt;
	r->domain_sets = r->built_sets = NULL;
	r->tables = NULL;
	r->over_capacity = NULL;
	const char *why = run_cause(r, ev_op_name(e->op), e->path);
	bool *u = NULL;
	size_t nu = 0;
	if (run_capacity_number_nics(r, old) != 0 || speakers_sync(r->sp, nt) != 0 ||
	    run_capacity_unprogrammed(r, &u, &nu) != 0) {
		run_oom(r);
	} else {
		/* Each NIC goes from its old table and view to its new ones. */
		struct view_change vc = { old, r->unprog, u };
		if (recompute_after_edit(r, old, old_sets, old_built, old_over, old_tables, now,
					 why, e->path, &vc) != 0)
			run_oom(r);
	}
	run_capacity_set_unprogrammed(r, u, nu, now);
	run_free_state(old, old_sets, old_built, old_tables);
	free(old_over);
	topology_destroy(old);
	run_capacity_check(r, now, why);
}

/* ---- the event ----------------------------------------------------------- */

void run_edit_apply(struct run *r, const struct event *e, int64_t now)
{
	enum edit_op op = e->op == EV_ADD ? EDIT_ADD : e->op == EV_SET ? EDIT_SET : EDIT_REMOVE;
	char err[512];
	struct edit_undo undo;
	if (edit_begin(r->topo_json, op, e->path, e->value, &undo, err, sizeof(err)) != 0) {
		if (validate_says_out_of_memory(err)) {
			run_oom(r);
		} else {
			validate_edit_refused(r->sc, e, now, err, r->diag);
			r->status = 2;
		}
		return;
	}
	if (!r->full_recompute && (route_table_in_place(r, e, now) || peerings_in_place(r, e, now))) {
		edit_commit(&undo);
		return;
	}
	struct topology *nt = load_edited(r, e, now);
	if (!nt) {
		edit_rollback(r->topo_json, &undo);
		return;
	}
	edit_commit(&undo);
	replace_topology(r, nt, e, now);
}
