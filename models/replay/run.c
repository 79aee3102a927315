/*
 * run.c - the replay's core (RULES 2.2, 3).  See run.h for the contract and
 * run_int.h for how the replay's modules share the run.
 *
 * What it models: the scenario's timeline on the discrete-event engine.
 * File events are scheduled through one table of event kinds
 * (RUN_EVENT_OPS, indexed by enum ev_op): the kind says the engine class
 * and which module applies it (run_bgp.c, run_edit.c; checkpoints here).
 * Model timers (hold, retry, scale-out, route programming) are engine
 * events of their modules.
 *
 * State: the working copy of the topology JSON (edits apply to it), the
 * topology built from it, the BGP speakers, one bgp_set per routing-domain
 * hub (indexed by VNet) and one table per subnet (indexed by subnet).
 *
 * Work after an event:
 *  - a BGP event touches one domain: its bgp_set is rebuilt from the
 *    speakers (O(paths of the domain), or only the touched prefixes) and,
 *    when it differs, installed at once or, with
 *    settings.routeProgrammingDelaySeconds, by a programming event that
 *    much later (the set computed now is installed then, so later changes
 *    do not leak into it).  Installing recomputes only the subnets of that
 *    domain's VNets whose route table lets BGP routes in;
 *  - a configuration edit (run_edit.c) recomputes only what it can reach,
 *    through run_build_sets and run_build_tables here, keeping the old
 *    table object wherever the result is equal, so only real changes reach
 *    the timeline.
 * Every change of a subnet's table is a timeline entry per group of its
 * NICs that share a view (RULES 1.8: NICs beyond Route Server capacity see
 * the table without Route Server rows).  Checkpoints keep references to the
 * tables and topology they saw, so unchanged tables are shared.
 *
 * Costs: a BGP event O(paths of its domain + rows of the subnets it
 * reaches); a checkpoint O(subnets + NICs); the timeline O(1) amortised
 * per entry.
 */
#include "run.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "routemap.h"
#include "run_int.h"
#include "budget.h"
#include "diag.h"
#include "speaker.h"
#include "arena.h"
#include "evq.h"
#include "strmap.h"
#include "vec.h"

void run_oom(struct run *r)
{
	if (r->status == 0)
		r->status = 3;
}

const char *run_cause(struct run *r, const char *what, const char *subject)
{
	const char *c = arena_printf(r->arena, "%s %s", what, subject);
	if (!c)
		run_oom(r);
	return c;
}

const char *run_event_path(const struct event *e, char buf[RUN_EVENT_PATH_LEN])
{
	snprintf(buf, RUN_EVENT_PATH_LEN, "$.events[%zu]", e->index);
	return buf;
}

void run_session_event(struct run *r, int64_t at, const char *peer, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct session_event ev = { .at_ms = at, .peer = arena_strdup(r->arena, peer),
				    .what = arena_strdup(r->arena, buf) };
	struct session_event *e = ev.peer && ev.what ? VEC_PUSH(r->sev, r->nsev, r->sev_cap) : NULL;
	if (!e) {
		run_oom(r);
		return;
	}
	*e = ev;
}

/* ---- tables ---------------------------------------------------------------- */

static struct bgp_set *subnet_bgp(const struct run *r, const struct subnet *s)
{
	const struct vnet *hub = s->vnet->domain;
	return hub ? r->domain_sets[hub->index] : NULL;
}

struct eff_input run_subnet_input(const struct run *r, const struct subnet *s)
{
	const struct vnet *hub = s->vnet->domain;
	return (struct eff_input){ .topo = r->topo, .subnet = s,
				   .none_set = &r->sc->settings.none_prefixes,
				   .bgp = subnet_bgp(r, s),
				   .no_rs_view = hub && r->over_capacity[hub->index] };
}

/* ---- timeline ------------------------------------------------------------ */

static const char *intern(struct run *r, const char *name)
{
	const char *v = strmap_get(r->names, name);
	if (v)
		return v;
	char *c = arena_strdup(r->arena, name);
	if (!c || strmap_put(r->names, c, c) < 0)
		return NULL;
	return c;
}

/* The view a NIC of the after topology had before; a NIC new to the
 * topology has no before and keeps its after view. */
static bool view_before(const struct run *r, const struct view_change *vc, const struct nic *n)
{
	const struct topology *t = r->topo;
	if (vc->before_topo == t)
		return run_nic_unprog(vc->before_unprog, (size_t)(n - t->nics));
	const struct nic *o = topology_nic(vc->before_topo, n->name);
	return o ? run_nic_unprog(vc->before_unprog, (size_t)(o - vc->before_topo->nics))
		 : run_nic_unprog(vc->after_unprog, (size_t)(n - t->nics));
}

/* Names of s's NICs in group g = before*2 + after, in subnet order, into
 * the run's arena.  s belongs to r->topo, or to vc->before_topo when it went
 * away (then every NIC keeps its before view). */
static int group_names(struct run *r, const struct view_change *vc, const struct subnet *s,
		       bool gone, unsigned g, struct nic_names *out)
{
	const struct topology *t = gone ? vc->before_topo : r->topo;
	size_t n = 0;
	const char **v = arena_alloc(r->arena, (s->nic_count ? s->nic_count : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (size_t k = 0; k < s->nic_count; k++) {
		const struct nic *nic = t->subnet_nics[s->nic_first + k];
		size_t idx = (size_t)(nic - t->nics);
		bool b = gone ? run_nic_unprog(vc->before_unprog, idx) : view_before(r, vc, nic);
		bool a = gone ? b : run_nic_unprog(vc->after_unprog, idx);
		if ((unsigned)(b * 2 + a) != g)
			continue;
		if (!(v[n++] = intern(r, nic->name)))
			return -1;
	}
	*out = (struct nic_names){ .v = v, .n = n, .built = true };
	return 0;
}

/* What a BGP change is known to touch (timeline_entry.scope, bgp_scope). */
struct change_scope {
	const struct prefix *scope, *bgp;
	size_t nscope, nbgp;
};

/* run_log_change_views with what a BGP change touched (sc, NULL: none). */
static void log_views(struct run *r, int64_t at, const struct subnet *s, bool gone,
		      const struct view_change *vc, struct eff_table *before,
		      struct eff_table *after, const char *cause, const struct change_scope *sc)
{
	static const struct change_scope none = { 0 };
	if (!sc)
		sc = &none;
	/* The common case (no edit, no capacity change): groups 0 and 3 of
	 * the current topology, cached per subnet until either changes. */
	if (before == after && !vc->before_unprog && !vc->after_unprog)
		return;
	/* With every NIC programmed on both sides only group 0 exists. */
	unsigned groups = !vc->before_unprog && !vc->after_unprog ? 1 : 4;
	bool cacheable = !gone && vc->before_topo == r->topo && vc->before_unprog == r->unprog &&
			 vc->after_unprog == r->unprog && r->name_cache;
	for (unsigned g = 0; g < groups; g++) {
		struct nic_names tmp = { 0 }, *nn = &tmp;
		if (cacheable && (g == 1 || g == 2))
			continue;
		if (cacheable)
			nn = &r->name_cache[s->index * 2 + (g == 3)];
		if (!nn->built && group_names(r, vc, s, gone, g, nn) != 0) {
			run_oom(r);
			return;
		}
		if (nn->n == 0 && (s->nic_count > 0 || g > 0))
			continue;
		bool b = g >= 2, a = g & 1;
		if (before == after && b == a)
			continue;
		/* Interned once per subnet while the cache holds. */
		const char **id = cacheable ? &r->name_cache[s->index * 2].subnet : NULL;
		const char *subnet = id && *id ? *id : intern(r, s->id);
		struct timeline_entry *e = subnet ? VEC_PUSH(r->tl, r->ntl, r->tl_cap) : NULL;
		if (!e) {
			run_oom(r);
			return;
		}
		if (id)
			*id = subnet;
		*e = (struct timeline_entry){
			.at_ms = at,
			.subnet = subnet,
			.nics = nn->n,
			.nic_names = nn->v,
			.before = eff_ref(before),
			.after = eff_ref(after),
			.before_without_rs = b,
			.after_without_rs = a,
			.cause = cause,
			.scope = sc->scope,
			.nscope = sc->nscope,
			.bgp_scope = sc->bgp,
			.nbgp_scope = sc->nbgp,
		};
	}
}

void run_log_change_views(struct run *r, int64_t at, const struct subnet *s, bool gone,
			  const struct view_change *vc, struct eff_table *before,
			  struct eff_table *after, const char *cause)
{
	log_views(r, at, s, gone, vc, before, after, cause, NULL);
}

/* A subnet table change seen the same way before and after (BGP events). */
static void log_change(struct run *r, int64_t at, const struct subnet *s, struct eff_table *before,
		       struct eff_table *after, const char *cause, const struct change_scope *sc)
{
	struct view_change vc = { r->topo, r->unprog, r->unprog };
	log_views(r, at, s, false, &vc, before, after, cause, sc);
}

int run_recompute_subnet(struct run *r, size_t i, int64_t now, const char *why)
{
	struct subnet *s = r->topo->subnets[i];
	struct eff_input in = run_subnet_input(r, s);
	struct eff_table *nt = eff_compute(&in);
	if (!nt)
		return -1;
	r->recomputed++;
	if (eff_equal(nt, r->tables[i])) {
		eff_unref(nt);
		return 0;
	}
	log_change(r, now, s, r->tables[i], nt, why, NULL);
	eff_unref(r->tables[i]);
	r->tables[i] = nt;
	return 0;
}

/* ---- a domain's set and the subnets it programs ---------------------------- */

static void change_free(struct set_change *c)
{
	bgp_set_unref(c->set);
	bgp_set_unref(c->base);
	free(c->changed);
	memset(c, 0, sizeof(*c));
}

/* Whether a table with prefixes `changed` different in its domain set shows
 * any of them, before (old) or after (new).  When it shows none, the rows
 * it lists are the same: a BGP prefix acts on a subnet's own rows only when
 * it is listed (RULES 1.6.2-1.6.5). */
static bool shows_any(const struct eff_table *old, const struct eff_table *new,
		      const struct prefix *changed, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (eff_bgp_listed(old, changed[k]) || eff_bgp_listed(new, changed[k]))
			return true;
	return false;
}

/* Recomputes the subnets programmed by hub after its set changed.  With a
 * list of changed prefixes a table is new only when it shows one of them;
 * without (a full rebuild) tables are compared whole. */
static void recompute_domain_subnets(struct run *r, const struct vnet *hub, int64_t now,
				     const char *cause, const struct set_change *ch)
{
	/* The changed prefixes, kept for the timeline's diffs. */
	struct prefix *scope = NULL;
	if (ch->base && ch->nchanged > 0) {
		scope = arena_alloc(r->arena, ch->nchanged * sizeof(*scope));
		if (!scope) {
			run_oom(r);
			return;
		}
		memcpy(scope, ch->changed, ch->nchanged * sizeof(*scope));
	}
	for (size_t i = 0; i < r->topo->nsubnets; i++) {
		struct subnet *s = r->topo->subnets[i];
		if (s->vnet->domain != hub || (s->rt && s->rt->disable_bgp))
			continue;
		struct eff_input in = run_subnet_input(r, s);
		struct eff_table *t = ch->base ? eff_update(r->tables[i], &in, ch->changed, ch->nchanged)
					       : eff_compute(&in);
		if (!t) {
			run_oom(r);
			return;
		}
		r->recomputed++;
		bool same = ch->base ? !shows_any(r->tables[i], t, ch->changed, ch->nchanged)
				     : eff_equal(t, r->tables[i]);
		if (same) {
			/* Nothing shown changed: nothing to log.  Keep t all the
			 * same: it is built on the domain's new set, the base the
			 * next eff_update assumes (old's set lacks a prefix hidden
			 * here, which would show after the next change). */
			eff_unref(r->tables[i]);
			r->tables[i] = t;
			continue;
		}
		/* Only the changed prefixes' rows differ when the own rows are
		 * shared; with a base, the change came from those prefixes. */
		struct change_scope sc = { 0 };
		if (scope) {
			sc.bgp = scope;
			sc.nbgp = ch->nchanged;
			if (eff_same_own_rows(r->tables[i], t)) {
				sc.scope = scope;
				sc.nscope = ch->nchanged;
			}
		}
		log_change(r, now, s, r->tables[i], t, cause, &sc);
		eff_unref(r->tables[i]);
		r->tables[i] = t;
	}
}

static void install_set(struct run *r, const struct vnet *hub, struct set_change *ch, int64_t now,
			const char *cause)
{
	struct bgp_set **slot = &r->domain_sets[hub->index];
	if (ch->base && ch->base != *slot) {
		/* Computed from a set that is not the one installed (an edit
		 * came in between): compare whole. */
		bgp_set_unref(ch->base);
		ch->base = NULL;
	}
	if (ch->base ? ch->nchanged == 0 : bgp_set_equal(*slot, ch->set)) {
		/* Nothing to install.  When the set just built is the one
		 * dropped here, the installed set (equal) becomes the built one,
		 * so that the next update is computed from the installed set and
		 * diffed by its changes, not compared whole (a whole comparison
		 * of tables counts a BGP prefix hidden by a peering, RULES 1.6,
		 * as a change: tests/random/cases/hidden-bgp-prefix-timeline). */
		struct bgp_set **built = &r->built_sets[hub->index];
		if (*built == ch->set && *slot) {
			bgp_set_unref(*built);
			*built = bgp_set_ref(*slot);
		}
		change_free(ch);
		return;
	}
	bgp_set_unref(*slot);
	*slot = ch->set;
	ch->set = NULL;
	recompute_domain_subnets(r, hub, now, cause, ch);
	change_free(ch);
}

static void on_program(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	struct pending_program *p = arg;
	struct vnet *hub = topology_vnet(r->topo, p->hub);
	if (run_is_hub(hub) && r->status == 0)
		install_set(r, hub, &p->ch, now, p->cause);
	else
		change_free(&p->ch);
}

/* Installs ch after the programming delay: the pending record is kept in
 * r->pend until the run is destroyed.  Out of memory: run_oom. */
static void program_later(struct run *r, const struct vnet *hub, struct set_change *ch,
			  int64_t at, const char *cause)
{
	struct pending_program *p = calloc(1, sizeof(*p));
	const char *name = arena_strdup(r->arena, hub->name);
	struct pending_program **slot = p && name ? VEC_PUSH(r->pend, r->npend, r->pend_cap) : NULL;
	if (!slot) {
		free(p);
		change_free(ch);
		run_oom(r);
		return;
	}
	*slot = p;
	*p = (struct pending_program){ .r = r, .hub = name, .ch = *ch, .cause = cause };
	if (!evq_push(r->q, at, RUN_CLASS_CHANGE, EVQ_FOREGROUND, on_program, r, p))
		run_oom(r);
}

void run_domain_changed(struct run *r, const struct vnet *hub, int64_t now, const char *cause,
			const struct prefix *touched, size_t ntouched)
{
	if (!run_is_hub(hub))
		return;
	struct bgp_set **built = &r->built_sets[hub->index];
	struct set_change ch = { 0 };
	/* RULES 1.10: inbound route maps first; a map may move a route to
	 * another prefix, so a mapped domain is decided whole. */
	if (routemap_refresh(r->sp, r->topo) != 0) {
		run_oom(r);
		return;
	}
	if (touched && *built && !routemap_hub_mapped(hub)) {
		ch.set = domain_update(*built, r->topo, hub, r->sp, touched, ntouched, &ch.changed,
				       &ch.nchanged);
		ch.base = bgp_set_ref(*built);
	} else {
		ch.set = domain_build(r->topo, hub, r->sp);
	}
	if (!ch.set) {
		change_free(&ch);
		run_oom(r);
		return;
	}
	bgp_set_unref(*built);
	*built = bgp_set_ref(ch.set);
	int64_t delay = r->sc->settings.programming_delay_ms;
	if (delay <= 0)
		install_set(r, hub, &ch, now, cause);
	else
		program_later(r, hub, &ch, now + delay, cause);
}

/* ---- a topology's state, whole or where an edit reaches ------------------- */

int run_alloc_state(struct run *r)
{
	const struct topology *t = r->topo;
	free(r->name_cache);
	r->name_cache = calloc(t->nsubnets ? t->nsubnets * 2 : 1, sizeof(*r->name_cache));
	if (!r->name_cache)
		return -1;
	r->domain_sets = calloc(t->nvnets ? t->nvnets : 1, sizeof(*r->domain_sets));
	r->built_sets = calloc(t->nvnets ? t->nvnets : 1, sizeof(*r->built_sets));
	r->tables = calloc(t->nsubnets ? t->nsubnets : 1, sizeof(*r->tables));
	r->over_capacity = calloc(t->nvnets ? t->nvnets : 1, sizeof(*r->over_capacity));
	if (!r->domain_sets || !r->built_sets || !r->tables || !r->over_capacity)
		return -1;
	return run_capacity_mark_hubs(r);
}

/* Built from scratch (REACH_ALL, or a hub that is new) or from the latest
 * computed set (domain_respace), keeping the installed object when the
 * result is equal, so tables compare equal by pointer. */
int run_build_sets(struct run *r, const struct reach *re, const struct topology *old,
		   struct bgp_set **old_sets, struct bgp_set **old_built)
{
	const struct topology *t = r->topo;
	if (routemap_refresh(r->sp, t) != 0) /* RULES 1.10 */
		return -1;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *hub = t->vnets[i];
		if (!run_is_hub(hub))
			continue;
		const struct vnet *was = old ? topology_vnet(old, hub->name) : NULL;
		struct bgp_set *set;
		if (re && re->kind != REACH_ALL && run_is_hub(was) && old_built[was->index] &&
		    !routemap_hub_mapped(hub)) {
			struct prefix *changed;
			size_t nchanged;
			set = domain_respace(old_built[was->index], old, was, t, hub, r->sp, &changed,
					     &nchanged);
			free(changed);
		} else {
			set = domain_build(t, hub, r->sp);
		}
		if (!set)
			return -1;
		struct bgp_set *installed = run_is_hub(was) ? old_sets[was->index] : NULL;
		if (installed && bgp_set_equal(installed, set)) {
			bgp_set_unref(set);
			set = bgp_set_ref(installed);
		}
		r->domain_sets[i] = set;
		r->built_sets[i] = bgp_set_ref(set);
	}
	return 0;
}

/* A table equal to the old one is the old object. */
int run_build_tables(struct run *r, const struct reach *re, const struct topology *old,
		     struct bgp_set **old_sets, const bool *old_over,
		     struct eff_table **old_tables, int64_t now, const char *cause,
		     const struct view_change *vc)
{
	const struct topology *t = r->topo;
	for (size_t i = 0; i < t->nsubnets; i++) {
		struct subnet *s = t->subnets[i];
		const struct subnet *os = old ? topology_subnet(old, s->id) : NULL;
		struct eff_table *ot = os ? old_tables[os->index] : NULL;
		struct eff_input in = run_subnet_input(r, s);
		if (ot && re) {
			const struct vnet *ohub = os->vnet->domain;
			bool same_bgp = in.bgp == (ohub ? old_sets[ohub->index] : NULL);
			bool same_view = in.no_rs_view == (ohub && old_over[ohub->index]);
			if (same_bgp && same_view && !run_edit_reaches(re, s, os)) {
				r->tables[i] = eff_ref(ot);
				/* The table stays; NICs beyond Route Server
				 * capacity may still switch view. */
				run_log_change_views(r, now, s, false, vc, ot, ot, cause);
				continue;
			}
		}
		struct eff_table *nt = eff_compute(&in);
		if (!nt)
			return -1;
		r->recomputed++;
		if (ot && eff_equal(ot, nt)) {
			eff_unref(nt);
			nt = eff_ref(ot);
		}
		if (old)
			run_log_change_views(r, now, s, false, vc, ot, nt, cause);
		r->tables[i] = nt;
	}
	/* Subnets that went away. */
	for (size_t i = 0; old && i < old->nsubnets; i++)
		if (!topology_subnet(t, old->subnets[i]->id))
			run_log_change_views(r, now, old->subnets[i], true, vc, old_tables[i], NULL,
					     cause);
	return 0;
}

void run_free_state(const struct topology *t, struct bgp_set **sets, struct bgp_set **built,
		    struct eff_table **tables)
{
	for (size_t i = 0; i < t->nvnets; i++) {
		bgp_set_unref(sets ? sets[i] : NULL);
		bgp_set_unref(built ? built[i] : NULL);
	}
	for (size_t i = 0; tables && i < t->nsubnets; i++)
		eff_unref(tables[i]);
	free(sets);
	free(built);
	free(tables);
}

/* ---- checkpoints --------------------------------------------------------- */

static void checkpoint_fini(struct checkpoint *c)
{
	for (size_t k = 0; c->tables && k < c->topo->nsubnets; k++)
		eff_unref(c->tables[k]);
	free(c->tables);
	free(c->nic_unprogrammed);
	topology_destroy(c->topo);
}

/* The state now, appended to the checkpoints whole or not at all. */
static int snapshot(struct run *r, const char *label, int64_t at)
{
	size_t ns = r->topo->nsubnets, nn = r->topo->nnics;
	struct checkpoint c = { .label = arena_strdup(r->arena, label), .at_ms = at,
				.topo = topology_ref(r->topo), .nunprogrammed = r->nunprog };
	c.tables = calloc(ns ? ns : 1, sizeof(*c.tables));
	if (c.tables)
		for (size_t i = 0; i < ns; i++)
			c.tables[i] = eff_ref(r->tables[i]);
	if (r->unprog && (c.nic_unprogrammed = malloc(nn * sizeof(bool))))
		memcpy(c.nic_unprogrammed, r->unprog, nn * sizeof(bool));
	struct checkpoint *slot = NULL;
	if (c.label && c.tables && (!r->unprog || c.nic_unprogrammed))
		slot = VEC_PUSH(r->cps, r->ncps, r->cps_cap);
	if (!slot) {
		checkpoint_fini(&c);
		return -1;
	}
	*slot = c;
	if (r->cp_hook && r->cp_hook(r->cp_hook_ctx, r, slot) != 0)
		return -1;
	return 0;
}

static void take_checkpoint(struct run *r, const struct event *e, int64_t now)
{
	if (snapshot(r, e->label, now) != 0)
		run_oom(r);
	if (r->stop_label && strcmp(e->label, r->stop_label) == 0)
		r->stopped = true;
}

/* ---- events --------------------------------------------------------------- */

/* Every event kind of the scenario, indexed by enum ev_op. */
static const struct run_event_ops RUN_EVENT_OPS[RUN_EVENT_KINDS] = {
	[EV_ADVERTISE] = { RUN_CLASS_CHANGE, true, run_bgp_advertise },
	[EV_WITHDRAW] = { RUN_CLASS_CHANGE, true, run_bgp_withdraw },
	[EV_PEER_DOWN] = { RUN_CLASS_CHANGE, true, run_bgp_peer_down },
	[EV_PEER_UP] = { RUN_CLASS_CHANGE, true, run_bgp_peer_up },
	[EV_INSTANCE_DOWN] = { RUN_CLASS_CHANGE, true, run_bgp_instance_down },
	[EV_INSTANCE_UP] = { RUN_CLASS_CHANGE, true, run_bgp_instance_up },
	[EV_ADD] = { RUN_CLASS_CHANGE, true, run_edit_apply },
	[EV_SET] = { RUN_CLASS_CHANGE, true, run_edit_apply },
	[EV_REMOVE] = { RUN_CLASS_CHANGE, true, run_edit_apply },
	[EV_CHECKPOINT] = { RUN_CLASS_CHECKPOINT, false, take_checkpoint },
};

static void on_event(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	const struct event *e = arg;
	const struct run_event_ops *ops = &RUN_EVENT_OPS[e->op];
	if (r->status != 0)
		return;
	if (ops->file_event)
		r->processed++;
	ops->apply(r, e, now);
	if (ops->file_event)
		run_bgp_retries_reclass(r);
	if (ops->file_event && r->hook)
		r->hook(r->hook_ctx, e, now);
}

static int schedule(struct run *r, struct event *e)
{
	assert((unsigned)e->op < RUN_EVENT_KINDS && RUN_EVENT_OPS[e->op].apply);
	int cls = RUN_EVENT_OPS[e->op].evq_class;
	return evq_push(r->q, e->at_ms, cls, EVQ_FOREGROUND, on_event, r, e) ? 0 : -1;
}

void run_set_event_hook(struct run *r, run_event_hook fn, void *ctx)
{
	r->hook = fn;
	r->hook_ctx = ctx;
}

void run_set_checkpoint_hook(struct run *r, run_checkpoint_hook fn, void *ctx)
{
	r->cp_hook = fn;
	r->cp_hook_ctx = ctx;
}

/* ---- life cycle ------------------------------------------------------------ */

/* Everything from scratch: the start of a run. */
static int recompute_all(struct run *r)
{
	if (run_alloc_state(r) != 0 || run_build_sets(r, NULL, NULL, NULL, NULL) != 0)
		return -1;
	return run_build_tables(r, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL);
}

struct run *run_create(struct scenario *sc, struct diag *d)
{
	struct run *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->sc = sc;
	r->diag = d;
	r->arena = arena_create();
	r->q = evq_create();
	r->topo_json = cJSON_Duplicate(sc->topology_json, true);
	r->sp = speakers_create();
	r->topo = topology_ref(sc->topo);
	if (!r->arena || !r->q || !r->topo_json || !r->sp ||
	    run_capacity_number_nics(r, NULL) != 0 || speakers_sync(r->sp, r->topo) != 0 ||
	    !(r->names = strmap_create()) || recompute_all(r) != 0) {
		run_destroy(r);
		return NULL;
	}
	for (size_t i = 0; i < sc->nevents; i++)
		if (schedule(r, &sc->events[i]) != 0) {
			run_destroy(r);
			return NULL;
		}
	return r;
}

void run_stop_after(struct run *r, const char *label)
{
	r->stop_label = arena_strdup(r->arena, label);
	if (!r->stop_label)
		run_oom(r);
}

/* A probe is a checkpoint event of the run's own. */
int run_add_probe(struct run *r, int64_t at_ms, const char *label)
{
	struct event *e = arena_calloc(r->arena, 1, sizeof(*e));
	if (!e || !(e->label = arena_strdup(r->arena, label)))
		return -1;
	e->op = EV_CHECKPOINT;
	e->at_ms = at_ms;
	return schedule(r, e);
}

int run_inject(struct run *r, struct event *e) { return schedule(r, e); }

/* One engine event, within the budget (budget.h): past the limit the run
 * stops with status 2, naming the option that raises it. */
static void budget_step(struct run *r)
{
	if (++r->steps > budget_limit(r->sc)) {
		diag_add(r->diag, DIAG_ERROR, r->sc->file, NULL,
			 "the replay reached the limit of %llu engine events at %lld ms: raise "
			 "it with --max-events N (README \"Limits\")",
			 (unsigned long long)budget_limit(r->sc), (long long)evq_now(r->q));
		r->status = 2;
		return;
	}
	evq_step(r->q);
}

int run_resume(struct run *r, int64_t until_ms)
{
	int64_t t;
	while (r->status == 0 && evq_pending_foreground(r->q) > 0 && evq_next_time(r->q, &t) &&
	       t <= until_ms)
		budget_step(r);
	if (evq_now(r->q) > r->end_ms)
		r->end_ms = evq_now(r->q);
	return r->status;
}

int run_execute(struct run *r)
{
	run_capacity_check(r, 0, NULL);
	if (r->status != 0 || snapshot(r, "start", 0) != 0)
		return 3;
	if (r->stop_label && strcmp(r->stop_label, "start") == 0)
		return 0;
	int64_t horizon = r->sc->settings.horizon_ms;
	if (horizon >= 0) {
		int64_t t;
		while (r->status == 0 && !r->stopped && evq_next_time(r->q, &t) && t <= horizon)
			budget_step(r);
		r->end_ms = r->stopped ? evq_now(r->q) : horizon;
	} else {
		while (r->status == 0 && !r->stopped && evq_pending_foreground(r->q) > 0)
			budget_step(r);
		r->end_ms = evq_now(r->q);
	}
	if (r->status != 0)
		return r->status;
	if (r->stopped)
		return 0;
	return snapshot(r, "end", r->end_ms) == 0 ? 0 : 3;
}

void run_destroy(struct run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncps; i++)
		checkpoint_fini(&r->cps[i]);
	free(r->cps);
	for (size_t i = 0; i < r->ntl; i++) {
		eff_unref(r->tl[i].before);
		eff_unref(r->tl[i].after);
	}
	free(r->tl);
	free(r->sev);
	for (size_t i = 0; i < r->npend; i++) {
		change_free(&r->pend[i]->ch);
		free(r->pend[i]);
	}
	free(r->pend);
	free(r->rs);
	free(r->nic_seq);
	free(r->unprog);
	free(r->name_cache);
	strmap_destroy(r->names);
	free(r->over_capacity);
	if (r->topo)
		run_free_state(r->topo, r->domain_sets, r->built_sets, r->tables);
	topology_destroy(r->topo);
	speakers_destroy(r->sp);
	cJSON_Delete(r->topo_json);
	evq_destroy(r->q);
	arena_destroy(r->arena);
	free(r);
}

/* ---- accessors ------------------------------------------------------------- */

size_t run_checkpoint_count(const struct run *r) { return r->ncps; }
const struct checkpoint *run_checkpoint_get(const struct run *r, size_t i)
{
	return i < r->ncps ? &r->cps[i] : NULL;
}

const struct checkpoint *run_checkpoint(const struct run *r, const char *label)
{
	for (size_t i = 0; i < r->ncps; i++)
		if (strcmp(r->cps[i].label, label) == 0)
			return &r->cps[i];
	return NULL;
}

size_t run_timeline_count(const struct run *r) { return r->ntl; }
const struct timeline_entry *run_timeline_get(const struct run *r, size_t i)
{
	return i < r->ntl ? &r->tl[i] : NULL;
}
size_t run_session_event_count(const struct run *r) { return r->nsev; }
const struct session_event *run_session_event_get(const struct run *r, size_t i)
{
	return i < r->nsev ? &r->sev[i] : NULL;
}
const struct speakers *run_speakers(const struct run *r) { return r->sp; }
const struct topology *run_topology(const struct run *r) { return r->topo; }
int64_t run_end_ms(const struct run *r) { return r->end_ms; }
uint64_t run_unprogrammed_nic_ms(const struct run *r, int64_t until_ms)
{
	int64_t dt = until_ms > r->unprog_since ? until_ms - r->unprog_since : 0;
	return r->unprog_nic_ms + (uint64_t)r->nunprog * (uint64_t)dt;
}
size_t run_events_processed(const struct run *r) { return r->processed; }
size_t run_subnets_recomputed(const struct run *r) { return r->recomputed; }
void run_set_full_recompute(struct run *r, bool on) { r->full_recompute = on; }
void run_allow_shared_in_place(struct run *r) { r->in_place_shared = true; }

const struct eff_table *checkpoint_subnet_table(const struct checkpoint *c, const char *subnet_id)
{
	const struct subnet *s = topology_subnet(c->topo, subnet_id);
	return s ? c->tables[s->index] : NULL;
}

const struct eff_table *checkpoint_nic_table(const struct checkpoint *c, const char *nic,
					     bool *without_rs)
{
	const struct nic *n = topology_nic(c->topo, nic);
	if (!n)
		return NULL;
	*without_rs = c->nic_unprogrammed && c->nic_unprogrammed[n - c->topo->nics];
	return c->tables[n->subnet->index];
}
