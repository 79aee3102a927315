/*
 * run.c - replaying a scenario (SPEC 2.2, 3).  See run.h.
 *
 * State: the working copy of the topology JSON (edits apply to it), the
 * topology built from it, the BGP speakers, one bgp_set per routing-domain
 * hub (indexed by VNet) and one table per subnet (indexed by subnet).
 *
 * Work after an event:
 *  - a BGP event (advertise, withdraw, session or instance change, timer)
 *    touches one domain: its bgp_set is rebuilt from the speakers (O(paths
 *    of the domain)) and, when it differs, installed at once or, with
 *    settings.routeProgrammingDelaySeconds, by a programming event that
 *    much later (the set computed now is installed then, so later changes
 *    do not leak into it).  Installing recomputes only the subnets of that
 *    domain's VNets whose route table lets BGP routes in;
 *  - a configuration edit is applied to the JSON in place (edit_begin,
 *    rolled back when the result is invalid, SPEC 2.2).  A route table or a
 *    spoke's peering edit, while no checkpoint holds the topology, reloads
 *    just that object into it (route_table_in_place, peerings_in_place);
 *    any other edit builds a new topology from the JSON.  Either way only
 *    the domains and subnets the edited object can reach are recomputed
 *    (struct reach), keeping the old table object wherever the result is
 *    equal, so only real changes reach the timeline.
 * Route Server capacity (SPEC 1.8, a model assumption): above (units+2)*1000
 * VMs in its domain a scale-out starts and completes after
 * settings.routeServerScaleOutSeconds; meanwhile the most recently added NICs
 * beyond capacity get no Route Server routes and checkpoints list them.
 */
#include "run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "domain.h"
#include "edit.h"
#include "jsonin.h"
#include "speaker.h"
#include "topo_load.h"
#include "arena.h"
#include "diag.h"
#include "strmap.h"
#include "evq.h"

enum { CLASS_CHANGE = 0, CLASS_CHECKPOINT = 1 };

struct rs_state {
	const char *name;              /* Route Server name (arena) */
	uint32_t units;                /* routing infrastructure units in service */
	uint64_t scale_timer;          /* pending scale-out completion, 0 none */
};

/* A domain's new routes: the set, and what it differs in from base. */
struct set_change {
	struct bgp_set *set;           /* owned until installed */
	struct bgp_set *base;          /* the set it was computed from; NULL: full build */
	struct prefix *changed;        /* prefixes whose rows differ from base's */
	size_t nchanged;
};

struct pending_program {
	struct run *r;
	const char *hub;               /* VNet name (arena) */
	struct set_change ch;
	const char *cause;
};

struct timer_arg {
	struct run *r;
	struct peer *peer;
	unsigned inst;
	const char *rs;                /* scale-out: Route Server name */
};

struct probe {
	struct run *r;
	const char *label;
};

/* The NICs of one subnet that share a view (programmed or not). */
struct nic_names {
	const char **v;                /* interned, in the run's arena */
	size_t n;
	bool built;
	const char *subnet;            /* [programmed] only: the subnet's id, interned */
};

struct run {
	struct scenario *sc;
	struct diag *diag;
	struct arena *arena;           /* strings and small timer records */
	struct evq *q;
	cJSON *topo_json;              /* working copy, edits apply here */
	struct topology *topo;
	struct speakers *sp;
	struct bgp_set **domain_sets;  /* per topo->vnets index, NULL if not a hub */
	struct bgp_set **built_sets;   /* the latest computed, maybe not yet installed */
	bool *over_capacity;           /* per topo->vnets index: a hub with unprogrammed NICs */
	struct eff_table **tables;     /* per topo->subnets index */
	uint64_t *nic_seq;             /* per topo->nics index: when it was added */
	uint64_t next_seq;
	bool *unprog;                  /* per topo->nics index: beyond Route Server capacity */
	size_t nunprog;
	uint64_t unprog_nic_ms;        /* NIC-milliseconds beyond capacity until unprog_since */
	int64_t unprog_since;
	struct strmap *names;          /* NIC names interned in the arena (they outlive topologies) */
	struct nic_names *name_cache;  /* per topo->subnets index: [programmed, unprogrammed] */
	const char *stop_label;        /* run_stop_after: stop once this checkpoint is taken */
	bool stopped;
	struct rs_state *rs;           /* per Route Server name, grows */
	size_t nrs, rs_cap;
	struct checkpoint *cps;
	size_t ncps, cps_cap;
	struct timeline_entry *tl;
	size_t ntl, tl_cap;
	struct session_event *sev;
	size_t nsev, sev_cap;
	struct pending_program **pend; /* to free at destroy */
	size_t npend, pend_cap;
	int status;                    /* 0, 2 invalid edit, 3 out of memory */
	run_event_hook hook;           /* after each file event, or NULL */
	void *hook_ctx;
	size_t processed;              /* file events run */
	size_t recomputed;             /* subnet tables computed, from the start */
	bool full_recompute;           /* edits recompute everything (the oracle) */
	bool in_place_shared;          /* run_allow_shared_in_place */
	int64_t end_ms;
};

static void *grow(void *v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return v;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *nv = realloc(v, ncap * elem);
	if (nv)
		*cap = ncap;
	return nv;
}

#define PUSH(r, arr, n, cap)                                                                   \
	((arr) = grow((arr), &(cap), (n), sizeof(*(arr))), (arr) ? &(arr)[(n)++] : NULL)

static void oom(struct run *r)
{
	if (r->status == 0)
		r->status = 3;
}

/* ---- session events -------------------------------------------------------- */

static void session_event(struct run *r, int64_t at, const char *peer, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void session_event(struct run *r, int64_t at, const char *peer, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct session_event *e = PUSH(r, r->sev, r->nsev, r->sev_cap);
	if (!e) {
		oom(r);
		return;
	}
	e->at_ms = at;
	e->peer = arena_strdup(r->arena, peer);
	e->what = arena_strdup(r->arena, buf);
}

/* ---- Route Server capacity state ------------------------------------------ */

static struct rs_state *rs_state(struct run *r, const struct route_server *rs)
{
	for (size_t i = 0; i < r->nrs; i++)
		if (strcmp(r->rs[i].name, rs->name) == 0)
			return &r->rs[i];
	struct rs_state *s = PUSH(r, r->rs, r->nrs, r->rs_cap);
	if (!s)
		return NULL;
	*s = (struct rs_state){ .name = arena_strdup(r->arena, rs->name), .units = rs->min_capacity };
	return s;
}

static size_t domain_vms(const struct topology *t, const struct vnet *hub)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nsubnets; i++)
		if (t->subnets[i]->vnet->domain == hub)
			n += t->subnets[i]->nic_count;
	return n;
}

static uint64_t capacity_vms(uint32_t units) { return ((uint64_t)units + 2) * 1000; }

/* ---- tables ---------------------------------------------------------------- */

static struct bgp_set *subnet_bgp(const struct run *r, const struct subnet *s)
{
	const struct vnet *hub = s->vnet->domain;
	return hub ? r->domain_sets[hub->index] : NULL;
}

/* What a subnet's table is computed from. */
static struct eff_input subnet_input(const struct run *r, const struct subnet *s)
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

/* Views of a NIC: 0 programmed, 1 beyond Route Server capacity (SPEC 1.8).
 * A change groups a subnet's NICs by (view before, view after). */
struct view_change {
	const struct topology *before_topo; /* what before_unprog indexes */
	const bool *before_unprog, *after_unprog; /* NULL: every NIC programmed */
};

static bool nic_unprog(const bool *u, size_t i) { return u && u[i]; }

/* The view a NIC of the after topology had before; a NIC new to the
 * topology has no before and keeps its after view. */
static bool view_before(const struct run *r, const struct view_change *vc, const struct nic *n)
{
	const struct topology *t = r->topo;
	if (vc->before_topo == t)
		return nic_unprog(vc->before_unprog, (size_t)(n - t->nics));
	const struct nic *o = topology_nic(vc->before_topo, n->name);
	return o ? nic_unprog(vc->before_unprog, (size_t)(o - vc->before_topo->nics))
		 : nic_unprog(vc->after_unprog, (size_t)(n - t->nics));
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
		bool b = gone ? nic_unprog(vc->before_unprog, idx) : view_before(r, vc, nic);
		bool a = gone ? b : nic_unprog(vc->after_unprog, idx);
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

/* Appends the timeline entries of one subnet's change: one per group of
 * its NICs that share a (before, after) view, or one with no NIC when the
 * subnet has none.  sc (NULL: none) says what a BGP change touched. */
static void log_change_views(struct run *r, int64_t at, const struct subnet *s, bool gone,
			     const struct view_change *vc, struct eff_table *before,
			     struct eff_table *after, const char *cause,
			     const struct change_scope *sc)
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
			oom(r);
			return;
		}
		if (nn->n == 0 && (s->nic_count > 0 || g > 0))
			continue;
		bool b = g >= 2, a = g & 1;
		if (before == after && b == a)
			continue;
		struct timeline_entry *e = PUSH(r, r->tl, r->ntl, r->tl_cap);
		if (!e) {
			oom(r);
			return;
		}
		*e = (struct timeline_entry){
			.at_ms = at,
			.subnet = s->id,
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
		/* Interned once per subnet while the cache holds. */
		const char **id = cacheable ? &r->name_cache[s->index * 2].subnet : NULL;
		e->subnet = id && *id ? *id : intern(r, s->id);
		if (!e->subnet)
			oom(r);
		else if (id)
			*id = e->subnet;
	}
}

/* A subnet table change seen the same way before and after (BGP events). */
static void log_change(struct run *r, int64_t at, const struct subnet *s, struct eff_table *before,
		       struct eff_table *after, const char *cause, const struct change_scope *sc)
{
	struct view_change vc = { r->topo, r->unprog, r->unprog };
	log_change_views(r, at, s, false, &vc, before, after, cause, sc);
}

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
 * it is listed (SPEC 1.6.2-1.6.5). */
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
			oom(r);
			return;
		}
		memcpy(scope, ch->changed, ch->nchanged * sizeof(*scope));
	}
	for (size_t i = 0; i < r->topo->nsubnets; i++) {
		struct subnet *s = r->topo->subnets[i];
		if (s->vnet->domain != hub || (s->rt && s->rt->disable_bgp))
			continue;
		struct eff_input in = subnet_input(r, s);
		struct eff_table *t = ch->base ? eff_update(r->tables[i], &in, ch->changed, ch->nchanged)
					       : eff_compute(&in);
		if (!t) {
			oom(r);
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
	if (hub && hub->domain == hub && r->status == 0)
		install_set(r, hub, &p->ch, now, p->cause);
	else
		change_free(&p->ch);
}

/* A BGP change in hub's domain: compute its new set now (from the latest
 * computed one when only the `touched` prefixes can have changed, from
 * scratch when touched is NULL), install it now or after the programming
 * delay. */
static void domain_changed(struct run *r, const struct vnet *hub, int64_t now, const char *cause,
			   const struct prefix *touched, size_t ntouched)
{
	if (!hub || hub->domain != hub)
		return;
	struct bgp_set **built = &r->built_sets[hub->index];
	struct set_change ch = { 0 };
	if (touched && *built) {
		ch.set = domain_update(*built, r->topo, hub, r->sp, touched, ntouched, &ch.changed,
				       &ch.nchanged);
		ch.base = bgp_set_ref(*built);
	} else {
		ch.set = domain_build(r->topo, hub, r->sp);
	}
	if (!ch.set) {
		change_free(&ch);
		oom(r);
		return;
	}
	bgp_set_unref(*built);
	*built = bgp_set_ref(ch.set);
	int64_t delay = r->sc->settings.programming_delay_ms;
	if (delay <= 0) {
		install_set(r, hub, &ch, now, cause);
		return;
	}
	struct pending_program *p = calloc(1, sizeof(*p));
	struct pending_program **slot = p ? PUSH(r, r->pend, r->npend, r->pend_cap) : NULL;
	if (!slot) {
		free(p);
		change_free(&ch);
		oom(r);
		return;
	}
	*slot = p;
	*p = (struct pending_program){ .r = r, .hub = arena_strdup(r->arena, hub->name), .ch = ch,
				       .cause = cause };
	if (!evq_push(r->q, now + delay, CLASS_CHANGE, EVQ_FOREGROUND, on_program, r, p))
		oom(r);
}

/* What an edit can reach, from its path: the subnets whose table can
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
 * Oracle-tested against run_set_full_recompute. */
enum reach_kind { REACH_ALL, REACH_RT, REACH_VNET, REACH_NIC };

struct reach {
	enum reach_kind kind;
	char name[EDIT_SEG_LEN];       /* the route table or VNet edited */
	bool *vnet;                    /* REACH_VNET: per new topo->vnets index, reached */
};

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

static bool is_hub(const struct vnet *v) { return v && v->domain == v; }

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
	if (is_hub(topology_vnet(old, re->name)) || is_hub(topology_vnet(t, re->name)))
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

/* Whether the edit can change s's own inputs (os: s before, or NULL). */
static bool reach_subnet(const struct reach *re, const struct subnet *s, const struct subnet *os)
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

/* Which hubs have NICs beyond their Route Server's capacity now (the
 * tables of their domain then carry the view without Route Server rows).
 * -1 out of memory. */
static int set_over_capacity(struct run *r)
{
	const struct topology *t = r->topo;
	for (size_t i = 0; i < t->nrss; i++) {
		const struct route_server *rs = t->rss[i];
		struct rs_state *st = rs_state(r, rs);
		if (!st)
			return -1;
		uint32_t units = st->units > rs->min_capacity ? st->units : rs->min_capacity;
		r->over_capacity[rs->vnet->index] = domain_vms(t, rs->vnet) > capacity_vms(units);
	}
	return 0;
}

/* Fresh per-topology arrays, and the capacity state of every domain. */
static int alloc_state(struct run *r)
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
	return set_over_capacity(r);
}

/* Every domain's set: built from scratch (REACH_ALL, or a hub that is new)
 * or from the latest computed one (domain_respace), keeping the installed
 * object when the result is equal, so tables compare equal by pointer. */
static int build_sets(struct run *r, const struct reach *re, const struct topology *old,
		      struct bgp_set **old_sets, struct bgp_set **old_built)
{
	const struct topology *t = r->topo;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *hub = t->vnets[i];
		if (!is_hub(hub))
			continue;
		const struct vnet *was = old ? topology_vnet(old, hub->name) : NULL;
		struct bgp_set *set;
		if (re && re->kind != REACH_ALL && is_hub(was) && old_built[was->index]) {
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
		struct bgp_set *installed = is_hub(was) ? old_sets[was->index] : NULL;
		if (installed && bgp_set_equal(installed, set)) {
			bgp_set_unref(set);
			set = bgp_set_ref(installed);
		}
		r->domain_sets[i] = set;
		r->built_sets[i] = bgp_set_ref(set);
	}
	return 0;
}

/* Every subnet's table: computed when re (NULL: always) says the edit
 * reaches it, else the old table; a table equal to the old one is the old
 * object, and every real change is logged. */
static int build_tables(struct run *r, const struct reach *re, const struct topology *old,
			struct bgp_set **old_sets, const bool *old_over,
			struct eff_table **old_tables, int64_t now, const char *cause,
			const struct view_change *vc)
{
	const struct topology *t = r->topo;
	for (size_t i = 0; i < t->nsubnets; i++) {
		struct subnet *s = t->subnets[i];
		const struct subnet *os = old ? topology_subnet(old, s->id) : NULL;
		struct eff_table *ot = os ? old_tables[os->index] : NULL;
		struct eff_input in = subnet_input(r, s);
		if (ot && re) {
			const struct vnet *ohub = os->vnet->domain;
			bool same_bgp = in.bgp == (ohub ? old_sets[ohub->index] : NULL);
			bool same_view = in.no_rs_view == (ohub && old_over[ohub->index]);
			if (same_bgp && same_view && !reach_subnet(re, s, os)) {
				r->tables[i] = eff_ref(ot);
				/* The table stays; NICs beyond Route Server
				 * capacity may still switch view. */
				log_change_views(r, now, s, false, vc, ot, ot, cause, NULL);
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
			log_change_views(r, now, s, false, vc, ot, nt, cause, NULL);
		r->tables[i] = nt;
	}
	/* Subnets that went away. */
	for (size_t i = 0; old && i < old->nsubnets; i++)
		if (!topology_subnet(t, old->subnets[i]->id))
			log_change_views(r, now, old->subnets[i], true, vc, old_tables[i], NULL, cause,
					 NULL);
	return 0;
}

/* Everything from scratch: the start of a run. */
static int recompute_all(struct run *r)
{
	if (alloc_state(r) != 0 || build_sets(r, NULL, NULL, NULL, NULL) != 0)
		return -1;
	return build_tables(r, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL);
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
		rc = alloc_state(r);
	if (rc == 0)
		rc = build_sets(r, &re, old, old_sets, old_built);
	if (rc == 0)
		rc = build_tables(r, re.kind == REACH_ALL ? NULL : &re, old, old_sets, old_over,
				  old_tables, now, cause, vc);
	reach_fini(&re);
	return rc;
}

static void free_state(struct topology *t, struct bgp_set **sets, struct bgp_set **built,
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

/* ---- Route Server capacity ------------------------------------------------ */


static void check_capacity(struct run *r, int64_t now, const char *cause);
static void update_capacity_views(struct run *r, int64_t now, const char *cause);
static const char *cause(struct run *r, const char *what, const char *subject);

static void on_scaled_out(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	struct timer_arg *a = arg;
	for (size_t i = 0; i < r->nrs; i++) {
		struct rs_state *s = &r->rs[i];
		if (strcmp(s->name, a->rs) != 0)
			continue;
		s->scale_timer = 0;
		const struct route_server *rs = topology_route_server(r->topo, s->name);
		if (!rs)
			return;
		size_t vms = domain_vms(r->topo, rs->vnet);
		uint32_t need = (uint32_t)((vms + 999) / 1000);
		need = need > 2 ? need - 2 : 0;
		if (need < rs->min_capacity)
			need = rs->min_capacity;
		if (need > 48)
			need = 48;
		s->units = need;
		session_event(r, now, s->name,
			      "Route Server scaled out to %u routing infrastructure units (%llu VMs)",
			      need, (unsigned long long)capacity_vms(need));
	}
	check_capacity(r, now, cause(r, "scale-out", a->rs));
}

/* SPEC 1.8: start a scale-out when a domain exceeds its capacity, then
 * bring the NICs' views up to date (cause NULL: the start, nothing logged). */
static void check_capacity(struct run *r, int64_t now, const char *why)
{
	for (size_t i = 0; i < r->topo->nrss; i++) {
		const struct route_server *rs = r->topo->rss[i];
		struct rs_state *s = rs_state(r, rs);
		if (!s) {
			oom(r);
			return;
		}
		if (s->units < rs->min_capacity)
			s->units = rs->min_capacity;
		size_t vms = domain_vms(r->topo, rs->vnet);
		if (vms <= capacity_vms(s->units) || s->scale_timer || s->units >= 48)
			continue;
		struct timer_arg *a = arena_calloc(r->arena, 1, sizeof(*a));
		if (!a) {
			oom(r);
			return;
		}
		a->r = r;
		a->rs = s->name;
		int64_t done = now + r->sc->settings.scale_out_ms;
		s->scale_timer = evq_push(r->q, done, CLASS_CHANGE, EVQ_FOREGROUND, on_scaled_out, r, a);
		session_event(r, now, rs->name,
			      "%zu VMs exceed capacity %llu (%u units): scaling out until %.3fs; "
			      "%llu NICs get no Route Server routes meanwhile (model assumption)",
			      vms, (unsigned long long)capacity_vms(s->units), s->units,
			      (double)done / 1000.0,
			      (unsigned long long)(vms - capacity_vms(s->units)));
	}
	update_capacity_views(r, now, why);
}

/* ---- checkpoints --------------------------------------------------------- */

/* Creation order of NICs across rebuilds: a NIC keeps its number while it
 * exists; NICs new in the topology (an edit grew a template or added one)
 * are numbered after every earlier one, in scenario order. */
static int assign_nic_seq(struct run *r, const struct topology *old)
{
	const struct topology *t = r->topo;
	uint64_t *seq = malloc((t->nnics ? t->nnics : 1) * sizeof(*seq));
	if (!seq)
		return -1;
	for (size_t k = 0; k < t->nnics; k++) {
		const char *name = t->nics[k].name;
		/* Most edits leave the NIC list as it was: try the same place. */
		const struct nic *o = !old ? NULL
				      : k < old->nnics && strcmp(old->nics[k].name, name) == 0
					      ? &old->nics[k]
					      : topology_nic(old, name);
		seq[k] = o ? r->nic_seq[o - old->nics] : r->next_seq + t->nics[k].order;
	}
	r->next_seq += t->nnics;
	free(r->nic_seq);
	r->nic_seq = seq;
	return 0;
}

struct nic_by_seq {
	uint64_t seq;
	size_t nic;                    /* topo->nics index */
};

static int by_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct nic_by_seq *)a)->seq, y = ((const struct nic_by_seq *)b)->seq;
	return (x > y) - (x < y);
}

/* SPEC 1.8: the NICs of rs's domain beyond its capacity, most recently
 * added first, are marked in u (per topo->nics index); *count grows. */
static int mark_unprogrammed(struct run *r, bool *u, size_t *count, const struct route_server *rs)
{
	struct rs_state *s = rs_state(r, rs);
	if (!s)
		return -1;
	uint64_t cap = capacity_vms(s->units);
	if (domain_vms(r->topo, rs->vnet) <= cap)
		return 0;
	const struct topology *t = r->topo;
	struct nic_by_seq *v = malloc((t->nnics ? t->nnics : 1) * sizeof(*v));
	size_t n = 0;
	if (!v)
		return -1;
	for (size_t k = 0; k < t->nnics; k++)
		if (t->nics[k].subnet->vnet->domain == rs->vnet)
			v[n++] = (struct nic_by_seq){ .seq = r->nic_seq[k], .nic = k };
	qsort(v, n, sizeof(*v), by_seq);
	for (size_t k = cap; k < n; k++) {
		u[v[k].nic] = true;
		(*count)++;
	}
	free(v);
	return 0;
}

/* The NICs of the current topology beyond capacity: *out NULL when none. */
static int compute_unprog(struct run *r, bool **out, size_t *count)
{
	const struct topology *t = r->topo;
	*out = NULL;
	*count = 0;
	bool *u = calloc(t->nnics ? t->nnics : 1, sizeof(*u));
	if (!u)
		return -1;
	for (size_t i = 0; i < t->nrss; i++)
		if (mark_unprogrammed(r, u, count, t->rss[i]) != 0) {
			free(u);
			return -1;
		}
	if (*count == 0) {
		free(u);
		u = NULL;
	}
	*out = u;
	return 0;
}

static void set_unprog(struct run *r, bool *u, size_t n, int64_t now)
{
	r->unprog_nic_ms += (uint64_t)r->nunprog * (uint64_t)(now - r->unprog_since);
	r->unprog_since = now;
	free(r->unprog);
	r->unprog = u;
	r->nunprog = n;
	if (r->name_cache)
		memset(r->name_cache, 0, r->topo->nsubnets * 2 * sizeof(*r->name_cache));
}

/* After a capacity change (scale-out started or done, units, NICs): NICs
 * whose view flips get timeline entries, their table unchanged. */
static void update_capacity_views(struct run *r, int64_t now, const char *cause)
{
	bool *u;
	size_t n;
	if (compute_unprog(r, &u, &n) != 0) {
		oom(r);
		return;
	}
	if (!u && !r->unprog)
		return;
	const struct topology *t = r->topo;
	struct view_change vc = { t, r->unprog, u };
	for (size_t i = 0; cause && i < t->nsubnets; i++) {
		const struct subnet *s = t->subnets[i];
		bool flips = false;
		for (size_t k = 0; k < s->nic_count && !flips; k++) {
			size_t idx = (size_t)(t->subnet_nics[s->nic_first + k] - t->nics);
			flips = nic_unprog(r->unprog, idx) != nic_unprog(u, idx);
		}
		if (flips)
			log_change_views(r, now, s, false, &vc, r->tables[i], r->tables[i], cause,
					 NULL);
	}
	set_unprog(r, u, n, now);
}

static int snapshot(struct run *r, const char *label, int64_t at)
{
	struct checkpoint *c = PUSH(r, r->cps, r->ncps, r->cps_cap);
	if (!c)
		return -1;
	memset(c, 0, sizeof(*c));
	c->label = arena_strdup(r->arena, label);
	c->at_ms = at;
	c->topo = topology_ref(r->topo);
	size_t ns = r->topo->nsubnets;
	c->tables = calloc(ns ? ns : 1, sizeof(*c->tables));
	if (!c->tables)
		return -1;
	for (size_t i = 0; i < ns; i++)
		c->tables[i] = eff_ref(r->tables[i]);
	if (r->unprog) {
		size_t nn = r->topo->nnics;
		if (!(c->nic_unprogrammed = malloc(nn * sizeof(bool))))
			return -1;
		memcpy(c->nic_unprogrammed, r->unprog, nn * sizeof(bool));
		c->nunprogrammed = r->nunprog;
	}
	return 0;
}

static void on_checkpoint(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	const struct event *e = arg;
	if (r->status == 0 && snapshot(r, e->label, now) != 0)
		oom(r);
	if (r->stop_label && strcmp(e->label, r->stop_label) == 0)
		r->stopped = true;
}

static void on_probe(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	struct probe *p = arg;
	if (r->status == 0 && snapshot(r, p->label, now) != 0)
		oom(r);
	if (r->stop_label && strcmp(p->label, r->stop_label) == 0)
		r->stopped = true;
}

/* ---- BGP events ----------------------------------------------------------- */

static const struct vnet *peer_hub(const struct run *r, const struct peer *p)
{
	const struct route_server *rs = topology_route_server(r->topo, p->owner);
	if (p->kind == PEER_NVA)
		return rs ? rs->vnet : NULL;
	const struct gateway *gw = topology_gateway(r->topo, p->owner);
	return gw ? gw->vnet : NULL;
}

/* "what subject", the cause shown on timeline entries. */
static const char *cause(struct run *r, const char *what, const char *subject)
{
	return arena_printf(r->arena, "%s %s", what, subject);
}

static void on_retry(void *ctx, void *arg, int64_t now);

static void schedule_retry(struct run *r, struct peer *p, unsigned inst, int64_t now)
{
	if (p->retry_timer[inst])
		return;
	struct timer_arg *a = arena_calloc(r->arena, 1, sizeof(*a));
	if (!a) {
		oom(r);
		return;
	}
	*a = (struct timer_arg){ .r = r, .peer = p, .inst = inst };
	/* A retry is periodic background work: it does not keep the run alive
	 * (SPEC 2.2, the end checkpoint). */
	p->retry_timer[inst] = evq_push(r->q, now + r->sc->settings.connect_retry_ms,
					CLASS_CHANGE, EVQ_BACKGROUND, on_retry, r, a);
}

static void report_drops(struct run *r, struct peer *p, unsigned dropped, int64_t now)
{
	for (unsigned i = 0; i < p->ninst; i++) {
		if (!(dropped & (1u << i)))
			continue;
		session_event(r, now, p->id,
			      "session%s dropped: %zu prefixes advertised, limit %u (flap %u); retry "
			      "in %llds",
			      p->ninst > 1 ? (i ? " IN_1" : " IN_0") : "", p->sent[i].n, p->limit,
			      p->inst_flaps[i], (long long)(r->sc->settings.connect_retry_ms / 1000));
		schedule_retry(r, p, i, now);
	}
}

static void on_retry(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	struct timer_arg *a = arg;
	struct peer *p = a->peer;
	p->retry_timer[a->inst] = 0;
	if (!p->present || !p->admin_up || !speakers_instance_up(r->sp, p->owner, a->inst) ||
	    p->session[a->inst])
		return;
	if (peer_session_up(p, a->inst)) {
		session_event(r, now, p->id, "session re-established after the connect retry");
		domain_changed(r, peer_hub(r, p), now, cause(r, "connect retry", p->id), NULL, 0);
	} else {
		report_drops(r, p, 1u << a->inst, now);
	}
}

/* The prefixes p's sessions hold (sorted, unique; malloc'd, *n may be 0):
 * what taking them down can change, so the domain decides only those again. */
static struct prefix *held_prefixes(const struct peer *p, size_t *n)
{
	size_t total = 0;
	for (unsigned i = 0; i < p->ninst; i++)
		total += p->in[i].n;
	struct prefix *v = malloc((total ? total : 1) * sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0;
	for (unsigned i = 0; i < p->ninst; i++)
		for (size_t j = 0; j < p->in[i].n; j++)
			v[k++] = p->in[i].v[j].prefix;
	*n = prefix_sort_unique(v, k);
	return v;
}

/* All of p's sessions go down: withdraw what they held. */
static void sessions_down(struct run *r, struct peer *p, int64_t now, const char *why)
{
	size_t n = 0;
	struct prefix *held = held_prefixes(p, &n);
	for (unsigned i = 0; i < p->ninst; i++)
		peer_session_down(p, i);
	/* Without the list (out of memory) the domain is rebuilt whole. */
	domain_changed(r, peer_hub(r, p), now, why, held, held ? n : 0);
	free(held);
}

static void on_hold_expired(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	struct timer_arg *a = arg;
	struct peer *p = a->peer;
	p->hold_timer = 0;
	session_event(r, now, p->id, "hold timer expired: routes withdrawn");
	sessions_down(r, p, now, cause(r, "hold timer", p->id));
}

#define EVENT_PATH_LEN 40

/* "$.events[N]": the JSON path run-time diagnostics name. */
static const char *event_path(const struct event *e, char buf[EVENT_PATH_LEN])
{
	snprintf(buf, EVENT_PATH_LEN, "$.events[%zu]", e->index);
	return buf;
}

static struct peer *event_peer(struct run *r, const struct event *e, const char *ref)
{
	struct peer *p = speakers_peer(r->sp, ref);
	if (!p || !p->present) {
		char where[EVENT_PATH_LEN];
		diag_add(r->diag, DIAG_ERROR, r->sc->file, event_path(e, where),
			 "at %.3fs: no BGP peer \"%s\" in the topology at this time",
			 (double)e->at_ms / 1000.0, ref);
		r->status = 2;
		return NULL;
	}
	return p;
}

static void event_warning(struct run *r, const struct event *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void event_warning(struct run *r, const struct event *e, const char *fmt, ...)
{
	char msg[512], where[EVENT_PATH_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(r->diag, DIAG_WARNING, r->sc->file, event_path(e, where), "at %.3fs: %s",
		 (double)e->at_ms / 1000.0, msg);
}

static void do_advertise(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->from);
	if (!p)
		return;
	if (e->has_to && p->ninst == 1) {
		char where[EVENT_PATH_LEN];
		diag_add(r->diag, DIAG_ERROR, r->sc->file, event_path(e, where),
			 "at %.3fs: \"to\" picks Route Server instances, but \"%s\" is a gateway "
			 "connection (one session)",
			 (double)e->at_ms / 1000.0, p->id);
		r->status = 2;
		return;
	}
	if (!p->admin_up)
		event_warning(r, e,
			      "\"%s\" is down (peerDown): a down peer sends nothing; these routes "
			      "are what it sends when it comes back (peerUp)",
			      p->id);
	struct rib_route *routes = calloc(e->nprefixes ? e->nprefixes : 1, sizeof(*routes));
	uint32_t *path = calloc(e->as_len + 2, sizeof(uint32_t));
	if (!routes || !path) {
		free(routes);
		free(path);
		oom(r);
		return;
	}
	/* asPath defaults to [peerAsn]; ExpressRoute paths get 12076 in front
	 * (SPEC 1.5.5). */
	size_t n = 0;
	uint32_t peer_asn = 0, next_hop = e->has_next_hop ? e->next_hop : 0;
	const struct bgp_conn *bc = topology_bgp_conn(r->topo, p->id);
	const struct connection *c = topology_connection(r->topo, p->id);
	if (bc)
		peer_asn = bc->peer_asn;
	else if (c)
		peer_asn = c->peer_asn;
	if (p->kind == PEER_ER)
		path[n++] = BGP_ASN_MSEE;
	if (e->has_as_path) {
		memcpy(path + n, e->as_path, e->as_len * sizeof(uint32_t));
		n += e->as_len;
	} else if (peer_asn) {
		path[n++] = peer_asn;
	}
	for (size_t i = 0; i < e->nprefixes; i++)
		routes[i] = (struct rib_route){ .prefix = e->prefixes[i], .as_path = path,
						.as_len = (uint16_t)n,
						.communities = e->communities,
						.ncommunities = (uint16_t)e->ncommunities,
						.next_hop = p->kind == PEER_NVA ? next_hop : 0 };
	unsigned dropped = peer_advertise(r->sp, p, e->to_mask, routes, e->nprefixes);
	free(routes);
	free(path);
	report_drops(r, p, dropped, now);
	/* A dropped session withdraws everything it had: rebuild. */
	domain_changed(r, peer_hub(r, p), now, cause(r, "advertise", p->id),
		       dropped ? NULL : e->prefixes, e->nprefixes);
}

static void do_withdraw(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->from);
	if (!p)
		return;
	peer_withdraw(p, e->prefixes, e->nprefixes);
	domain_changed(r, peer_hub(r, p), now, cause(r, "withdraw", p->id), e->prefixes,
		       e->nprefixes);
}

static void do_peer_down(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->peer);
	if (!p)
		return;
	if (!p->admin_up) {
		event_warning(r, e, "peerDown of \"%s\", which is already down: ignored", p->id);
		return;
	}
	p->admin_up = false;
	if (e->graceful) {
		session_event(r, now, p->id, "peer down (graceful): routes withdrawn at once");
		sessions_down(r, p, now, cause(r, "peerDown", p->id));
		return;
	}
	/* SPEC 2.2: a silent failure is noticed when the hold timer expires. */
	struct timer_arg *a = arena_calloc(r->arena, 1, sizeof(*a));
	if (!a) {
		oom(r);
		return;
	}
	*a = (struct timer_arg){ .r = r, .peer = p };
	int64_t at = now + r->sc->settings.hold_ms - e->hold_elapsed_ms;
	if (at < now)
		at = now;
	p->hold_timer = evq_push(r->q, at, CLASS_CHANGE, EVQ_FOREGROUND, on_hold_expired, r, a);
	session_event(r, now, p->id,
		      "peer down (silent): routes stay programmed until the hold timer expires at "
		      "%.3fs",
		      (double)at / 1000.0);
}

static void do_peer_up(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->peer);
	if (!p)
		return;
	if (p->admin_up) {
		event_warning(r, e, "peerUp of \"%s\", which is up: ignored", p->id);
		return;
	}
	p->admin_up = true;
	if (p->hold_timer) {
		evq_cancel(r->q, p->hold_timer);
		p->hold_timer = 0;
	}
	unsigned dropped = 0;
	for (unsigned i = 0; i < p->ninst; i++)
		if (speakers_instance_up(r->sp, p->owner, i) && !peer_session_up(p, i))
			dropped |= 1u << i;
	session_event(r, now, p->id, "peer up: session re-established, routes re-sent");
	report_drops(r, p, dropped, now);
	domain_changed(r, peer_hub(r, p), now, cause(r, "peerUp", p->id), NULL, 0);
}

static void do_instance(struct run *r, const struct event *e, int64_t now, bool up)
{
	const char *slash = strrchr(e->target, '/');
	unsigned inst = slash[4] == '1';
	char *owner = arena_strndup(r->arena, e->target, (size_t)(slash - e->target));
	if (!owner) {
		oom(r);
		return;
	}
	const struct route_server *rs = topology_route_server(r->topo, owner);
	const struct gateway *gw = topology_gateway(r->topo, owner);
	if (!rs && !gw) {
		char where[EVENT_PATH_LEN];
		diag_add(r->diag, DIAG_ERROR, r->sc->file, event_path(e, where),
			 "no Route Server or gateway \"%s\" at this time", owner);
		r->status = 2;
		return;
	}
	if (speakers_instance_up(r->sp, owner, inst) == up)
		return;
	if (speakers_set_instance(r->sp, owner, inst, up) != 0) {
		oom(r);
		return;
	}
	/* Sessions to that instance follow it: NVAs peer with each Route
	 * Server instance; a gateway's connections keep their session while
	 * one instance lives. */
	for (size_t i = 0; i < speakers_count(r->sp); i++) {
		struct peer *p = speakers_at(r->sp, i);
		if (!p->present || strcmp(p->owner, owner) != 0)
			continue;
		unsigned k = p->kind == PEER_NVA ? inst : 0;
		bool any_up = speakers_instance_up(r->sp, owner, 0) ||
			      speakers_instance_up(r->sp, owner, 1);
		if (!up && (p->kind == PEER_NVA || !any_up))
			peer_session_down(p, k);
		else if (up && p->admin_up && !p->session[k] && !peer_session_up(p, k))
			report_drops(r, p, 1u << k, now);
	}
	session_event(r, now, e->target, up ? "instance up" : "instance down");
	domain_changed(r, rs ? rs->vnet : gw->vnet, now,
		       cause(r, up ? "instanceUp" : "instanceDown", e->target), NULL, 0);
}

/* ---- edits ----------------------------------------------------------------- */

/* Subnet i of the current topology computed again from scratch (an edit in
 * place reached it); its table replaced and the change logged when it
 * differs.  -1 out of memory. */
static int recompute_subnet(struct run *r, size_t i, int64_t now, const char *why)
{
	struct subnet *s = r->topo->subnets[i];
	struct eff_input in = subnet_input(r, s);
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
	const char *why = cause(r, ev_op_name(e->op), e->path);
	for (size_t i = 0; i < r->topo->nsubnets && r->status == 0; i++) {
		if (r->topo->subnets[i]->rt != rt)
			continue;
		if (recompute_subnet(r, i, now, why) != 0) {
			oom(r);
			break;
		}
	}
	return true;
}

/* A new set for hub after VNet prefixes `inside` joined or left its domain
 * in place: decided again from the latest computed set, the installed
 * object kept when equal (as build_sets does).  true when the installed
 * set changed; *failed on out of memory. */
static bool respace_in_place(struct run *r, const struct vnet *hub, const struct prefix_list *inside,
			     bool *failed)
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
	bool *reached = calloc(t->nvnets, sizeof(*reached));
	bool *over = calloc(t->nvnets, sizeof(*over)), *moved = calloc(t->nvnets, sizeof(*moved));
	const struct vnet **was = calloc(t->nvnets, sizeof(*was)); /* domain before, per VNet */
	if (!reached || !over || !moved || !was) {
		free(reached);
		free(over);
		free(moved);
		free(was);
		return false;
	}
	for (size_t i = 0; i < t->nvnets; i++) {
		reached[i] = vnet_touches(t->vnets[i], v->name);
		was[i] = t->vnets[i]->domain;
	}
	memcpy(over, r->over_capacity, t->nvnets * sizeof(*over));
	struct topo_opts to = { .tags = r->sc->tags, .max_nics = TOPO_MAX_NICS_DEFAULT, .prev = t,
				.shared_ok = r->in_place_shared };
	if (topo_reload_peerings(t, r->topo_json, name, &to) != 0) {
		free(reached);
		free(over);
		free(moved);
		free(was);
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
	if (!failed && set_over_capacity(r) != 0)
		failed = true;
	const char *why = cause(r, ev_op_name(e->op), e->path);
	for (size_t i = 0; i < t->nsubnets && !failed; i++) {
		struct subnet *s = t->subnets[i];
		const struct vnet *hub = s->vnet->domain;
		bool need = reached[s->vnet->index] ||
			    (hub && (moved[hub->index] ||
				     over[hub->index] != r->over_capacity[hub->index]));
		if (!need)
			continue;
		if (recompute_subnet(r, i, now, why) != 0) {
			failed = true;
			break;
		}
	}
	free(reached);
	free(over);
	free(moved);
	free(was);
	if (failed)
		oom(r);
	check_capacity(r, now, why);
	return true;
}

static void do_edit(struct run *r, const struct event *e, int64_t now)
{
	enum edit_op op = e->op == EV_ADD ? EDIT_ADD : e->op == EV_SET ? EDIT_SET : EDIT_REMOVE;
	char err[512];
	char where[EVENT_PATH_LEN];
	event_path(e, where);
	struct edit_undo undo;
	if (edit_begin(r->topo_json, op, e->path, e->value, &undo, err, sizeof(err)) != 0) {
		diag_add(r->diag, DIAG_ERROR, r->sc->file, where, "%s \"%s\" rejected at %.3fs: %s",
			 ev_op_name(e->op), e->path, (double)now / 1000.0, err);
		r->status = strcmp(err, "out of memory") == 0 ? 3 : 2;
		return;
	}
	if (!r->full_recompute && (route_table_in_place(r, e, now) || peerings_in_place(r, e, now))) {
		edit_commit(&undo);
		return;
	}
	/* Rebuild into a scratch collector: the messages describe the edited
	 * topology, and are re-issued naming the event. */
	struct diag *scratch = diag_create();
	if (!scratch) {
		edit_rollback(r->topo_json, &undo);
		oom(r);
		return;
	}
	struct jin j;
	jin_init(&j, scratch, r->sc->file);
	size_t m = jin_push_key(&j, "topology");
	struct topo_opts to = { .tags = r->sc->tags, .max_nics = TOPO_MAX_NICS_DEFAULT,
				.prev = r->topo };
	struct topology *nt = topo_load(&j, r->topo_json, &to);
	jin_pop(&j, m);
	if (!nt) {
		for (size_t i = 0; i < diag_stored(scratch); i++) {
			const struct diag_entry *d = diag_get(scratch, i);
			if (d->severity != DIAG_ERROR)
				continue;
			diag_add(r->diag, DIAG_ERROR, r->sc->file, where,
				 "%s \"%s\" at %.3fs would make the topology invalid: %s: %s",
				 ev_op_name(e->op), e->path, (double)now / 1000.0,
				 d->path ? d->path : "$", d->message);
		}
		diag_destroy(scratch);
		edit_rollback(r->topo_json, &undo);
		r->status = 2;
		return;
	}
	diag_destroy(scratch);
	edit_commit(&undo);
	struct topology *old = r->topo;
	struct bgp_set **old_sets = r->domain_sets, **old_built = r->built_sets;
	struct eff_table **old_tables = r->tables;
	bool *old_over = r->over_capacity;
	r->topo = nt;
	r->domain_sets = r->built_sets = NULL;
	r->tables = NULL;
	r->over_capacity = NULL;
	const char *why = cause(r, ev_op_name(e->op), e->path);
	bool *u = NULL;
	size_t nu = 0;
	if (assign_nic_seq(r, old) != 0 || speakers_sync(r->sp, nt) != 0 ||
	    compute_unprog(r, &u, &nu) != 0) {
		oom(r);
	} else {
		/* Each NIC goes from its old table and view to its new ones. */
		struct view_change vc = { old, r->unprog, u };
		if (recompute_after_edit(r, old, old_sets, old_built, old_over, old_tables, now,
					 why, e->path, &vc) != 0)
			oom(r);
	}
	set_unprog(r, u, nu, now);
	free_state(old, old_sets, old_built, old_tables);
	free(old_over);
	topology_destroy(old);
	check_capacity(r, now, why);
}

static void on_event(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	const struct event *e = arg;
	if (r->status != 0)
		return;
	r->processed++;
	switch (e->op) {
	case EV_ADVERTISE: do_advertise(r, e, now); break;
	case EV_WITHDRAW: do_withdraw(r, e, now); break;
	case EV_PEER_DOWN: do_peer_down(r, e, now); break;
	case EV_PEER_UP: do_peer_up(r, e, now); break;
	case EV_INSTANCE_DOWN: do_instance(r, e, now, false); break;
	case EV_INSTANCE_UP: do_instance(r, e, now, true); break;
	case EV_ADD:
	case EV_SET:
	case EV_REMOVE: do_edit(r, e, now); break;
	case EV_CHECKPOINT: break;
	}
	if (r->hook)
		r->hook(r->hook_ctx, e, now);
}

void run_set_event_hook(struct run *r, run_event_hook fn, void *ctx)
{
	r->hook = fn;
	r->hook_ctx = ctx;
}

/* ---- life cycle ------------------------------------------------------------ */

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
	if (!r->arena || !r->q || !r->topo_json || !r->sp || assign_nic_seq(r, NULL) != 0 ||
	    speakers_sync(r->sp, r->topo) != 0 ||
	    !(r->names = strmap_create()) || recompute_all(r) != 0) {
		run_destroy(r);
		return NULL;
	}
	for (size_t i = 0; i < sc->nevents; i++) {
		struct event *e = &sc->events[i];
		int cls = e->op == EV_CHECKPOINT ? CLASS_CHECKPOINT : CLASS_CHANGE;
		evq_fn fn = e->op == EV_CHECKPOINT ? on_checkpoint : on_event;
		if (!evq_push(r->q, e->at_ms, cls, EVQ_FOREGROUND, fn, r, e)) {
			run_destroy(r);
			return NULL;
		}
	}
	return r;
}

void run_stop_after(struct run *r, const char *label)
{
	r->stop_label = arena_strdup(r->arena, label);
	if (!r->stop_label)
		oom(r);
}

int run_add_probe(struct run *r, int64_t at_ms, const char *label)
{
	struct probe *p = arena_calloc(r->arena, 1, sizeof(*p));
	if (!p)
		return -1;
	p->r = r;
	p->label = arena_strdup(r->arena, label);
	return evq_push(r->q, at_ms, CLASS_CHECKPOINT, EVQ_FOREGROUND, on_probe, r, p) ? 0 : -1;
}

int run_inject(struct run *r, struct event *e)
{
	int cls = e->op == EV_CHECKPOINT ? CLASS_CHECKPOINT : CLASS_CHANGE;
	evq_fn fn = e->op == EV_CHECKPOINT ? on_checkpoint : on_event;
	return evq_push(r->q, e->at_ms, cls, EVQ_FOREGROUND, fn, r, e) ? 0 : -1;
}

int run_resume(struct run *r, int64_t until_ms)
{
	int64_t t;
	while (r->status == 0 && evq_pending_foreground(r->q) > 0 && evq_next_time(r->q, &t) &&
	       t <= until_ms)
		evq_step(r->q);
	if (evq_now(r->q) > r->end_ms)
		r->end_ms = evq_now(r->q);
	return r->status;
}

int run_execute(struct run *r)
{
	check_capacity(r, 0, NULL);
	if (r->status != 0 || snapshot(r, "start", 0) != 0)
		return 3;
	if (r->stop_label && strcmp(r->stop_label, "start") == 0)
		return 0;
	int64_t horizon = r->sc->settings.horizon_ms;
	if (horizon >= 0) {
		int64_t t;
		while (r->status == 0 && !r->stopped && evq_next_time(r->q, &t) && t <= horizon)
			evq_step(r->q);
		r->end_ms = r->stopped ? evq_now(r->q) : horizon;
	} else {
		while (r->status == 0 && !r->stopped && evq_pending_foreground(r->q) > 0)
			evq_step(r->q);
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
	for (size_t i = 0; i < r->ncps; i++) {
		struct checkpoint *c = &r->cps[i];
		for (size_t k = 0; c->tables && k < c->topo->nsubnets; k++)
			eff_unref(c->tables[k]);
		free(c->tables);
		free(c->nic_unprogrammed);
		topology_destroy(c->topo);
	}
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
		free_state(r->topo, r->domain_sets, r->built_sets, r->tables);
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

/* ---- expectations ---------------------------------------------------------- */

/* Canonical key of a row for the multiset comparison of SPEC 2.3 (the
 * conformance rule: source, state, sorted prefixes, type, sorted IPs). */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void key_from_strings(char *buf, size_t len, const char *src, const char *state,
			     const char **pfx, size_t np, const char *type, const char **ips,
			     size_t nip, const char *name)
{
	qsort(pfx, np, sizeof(*pfx), str_cmp);
	qsort(ips, nip, sizeof(*ips), str_cmp);
	size_t o = (size_t)snprintf(buf, len, "%s %s [", src, state);
	for (size_t i = 0; i < np && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", pfx[i]);
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, "] %s [", type);
	for (size_t i = 0; i < nip && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", ips[i]);
	if (o < len)
		snprintf(buf + o, len - o, "]%s%s", name ? " name=" : "", name ? name : "");
}

#define KEY_LEN 4096
#define KEY_MAX_ITEMS 256

static void key_of_row(const struct route_row *row, bool with_name, char *buf)
{
	char pf[KEY_MAX_ITEMS][PREFIX_STRLEN], ip[IPV4_STRLEN];
	const char *pp[KEY_MAX_ITEMS], *ipp[1];
	size_t np = row->nprefixes < KEY_MAX_ITEMS ? row->nprefixes : KEY_MAX_ITEMS;
	for (size_t i = 0; i < np; i++)
		pp[i] = prefix_format(row->prefixes[i], pf[i]);
	ipp[0] = row->has_nh_ip ? ipv4_format(row->nh_ip, ip) : NULL;
	key_from_strings(buf, KEY_LEN, route_source_name(row->source),
			 row->active ? "Active" : "Invalid", pp, np, nh_type_name(row->nh), ipp,
			 row->has_nh_ip, with_name ? row->name : NULL);
}

static bool key_of_json(const cJSON *o, char *buf, bool *with_name)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "state");
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(o, "addressPrefix");
	const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "nextHopType");
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(o, "nextHopIpAddress");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
	if (!cJSON_IsString(src) || !cJSON_IsString(st) || !cJSON_IsArray(ap) ||
	    !cJSON_IsString(ty) || (ip && !cJSON_IsArray(ip)))
		return false;
	const char *pp[KEY_MAX_ITEMS], *ipp[KEY_MAX_ITEMS];
	size_t np = 0, nip = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, ap)
	{
		if (!cJSON_IsString(it) || np == KEY_MAX_ITEMS)
			return false;
		pp[np++] = it->valuestring;
	}
	cJSON_ArrayForEach(it, ip)
	{
		if (!cJSON_IsString(it) || nip == KEY_MAX_ITEMS)
			return false;
		ipp[nip++] = it->valuestring;
	}
	*with_name = cJSON_IsString(nm);
	key_from_strings(buf, KEY_LEN, src->valuestring, st->valuestring, pp, np, ty->valuestring,
			 ipp, nip, *with_name ? nm->valuestring : NULL);
	return true;
}

/* Multiset comparison; writes the first difference to msg. */
static bool compare_routes(const struct eff_table *t, bool without_rs, const cJSON *expected,
			   char *msg, size_t len)
{
	size_t n = eff_row_count(t, without_rs), ne = (size_t)cJSON_GetArraySize(expected);
	struct route_row *rows = calloc(n ? n : 1, sizeof(*rows));
	bool *used = calloc(n ? n : 1, sizeof(*used));
	char *a = malloc(KEY_LEN), *b = malloc(KEY_LEN);
	bool ok = rows && used && a && b;
	if (!ok)
		snprintf(msg, len, "out of memory");
	struct eff_iter it = { 0 };
	for (size_t i = 0; ok && i < n; i++)
		eff_row(t, without_rs, &it, &rows[i]);
	const cJSON *e;
	size_t k = 0;
	cJSON_ArrayForEach(e, expected)
	{
		if (!ok)
			break;
		bool with_name;
		if (!key_of_json(e, a, &with_name)) {
			snprintf(msg, len, "expected row %zu is not an effective route row", k);
			ok = false;
			break;
		}
		bool found = false;
		for (size_t i = 0; i < n && !found; i++) {
			if (used[i])
				continue;
			key_of_row(&rows[i], with_name, b);
			if (strcmp(a, b) == 0)
				found = used[i] = true;
		}
		if (!found) {
			snprintf(msg, len, "missing row: %s", a);
			ok = false;
		}
		k++;
	}
	for (size_t i = 0; ok && i < n; i++)
		if (!used[i]) {
			key_of_row(&rows[i], true, b);
			snprintf(msg, len, "unexpected row: %s (%zu rows, %zu expected)", b, n, ne);
			ok = false;
		}
	free(rows);
	free(used);
	free(a);
	free(b);
	return ok;
}

size_t run_check_expectations(const struct run *r,
			      void (*fail)(void *ctx, const struct expectation *x, const char *msg),
			      void *ctx)
{
	size_t failed = 0;
	char msg[KEY_LEN + 128];
	for (size_t i = 0; i < r->sc->nexpectations; i++) {
		const struct expectation *x = &r->sc->expectations[i];
		const struct checkpoint *c = run_checkpoint(r, x->at);
		bool without_rs = false;
		const struct eff_table *t = NULL;
		msg[0] = '\0';
		if (!c)
			snprintf(msg, sizeof(msg), "checkpoint \"%s\" was never reached", x->at);
		else if (x->nic && !(t = checkpoint_nic_table(c, x->nic, &without_rs)))
			snprintf(msg, sizeof(msg), "no NIC \"%s\" at checkpoint \"%s\"", x->nic, x->at);
		else if (x->subnet && !(t = checkpoint_subnet_table(c, x->subnet)))
			snprintf(msg, sizeof(msg), "no subnet \"%s\" at checkpoint \"%s\"", x->subnet,
				 x->at);
		if (t && x->has_destination) {
			struct next_hop nh = eff_next_hop(t, x->destination, without_rs);
			char d[IPV4_STRLEN], want[IPV4_STRLEN], got[IPV4_STRLEN];
			ipv4_format(x->destination, d);
			if (!nh.found || nh.nh != x->nh ||
			    (x->has_nh_ip && (!nh.has_nh_ip || nh.nh_ip != x->nh_ip)))
				snprintf(msg, sizeof(msg),
					 "next hop for %s at \"%s\": expected %s%s%s, got %s%s%s", d,
					 x->at, nh_type_name(x->nh), x->has_nh_ip ? " " : "",
					 x->has_nh_ip ? ipv4_format(x->nh_ip, want) : "",
					 nh.found ? nh_type_name(nh.nh) : "no route",
					 nh.has_nh_ip ? " " : "",
					 nh.has_nh_ip ? ipv4_format(nh.nh_ip, got) : "");
		} else if (t && x->routes) {
			char m2[KEY_LEN + 64];
			if (!compare_routes(t, without_rs, x->routes, m2, sizeof(m2)))
				snprintf(msg, sizeof(msg), "routes at \"%s\": %s", x->at, m2);
		}
		if (msg[0]) {
			failed++;
			fail(ctx, x, msg);
		}
	}
	return failed;
}
