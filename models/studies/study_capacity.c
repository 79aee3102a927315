/*
 * study_capacity.c - see study_capacity.h.
 *
 * measure() counts every limit on a replayed run: the baseline's and each
 * grown network's, so a bite found by replay is counted exactly as the
 * baseline is.  Besides the count it notes what the engine itself did about
 * the limit (a prefix-limit session drop, a Route Server scale-out, NICs
 * left without Route Server routes, a `vnetsim check` warning): the note of
 * the replay at a bite step shows whether the simulator enforces it.
 * A grown run's limits are matched to the baseline's by name and scope in
 * one merge pass: growth only appends objects, so the baseline's limits come
 * in the same order.
 */
#include "study_capacity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "pitfalls.h"
#include "run.h"
#include "scenario_doc.h"
#include "speaker.h"
#include "diag.h"
#include "vec.h"

_Static_assert(STUDY_NDIM == GROW_NDIM, "capacity dimensions are grow.h's, in its order");

#define RS_MAX_UNITS 48
#define RS_MAX_VNETS 500             /* RULES E6.2 */
#define MAX_PEERINGS_PER_VNET 500    /* RULES E2.4 */

const char *study_dim_name(unsigned dim)
{
	return grow_dim_name((enum grow_dim)dim);
}

/* What the engine did about a limit in one replay. */
enum effect { EFF_NONE, EFF_DROPPED, EFF_SCALE_OUT, EFF_UNPROGRAMMED, EFF_WARNED };

struct limit_effect {
	uint8_t what;                  /* enum effect */
	size_t n;                      /* a count for it (drops, NICs) */
};

/* The limits of one run, each with its effect (fx[i] is v[i]'s). */
struct limits {
	struct study_limit *v;
	struct limit_effect *fx;
	size_t n, cap, fx_cap;
};

static void limits_fini(struct limits *l)
{
	free(l->v);
	free(l->fx);
	memset(l, 0, sizeof(*l));
}

static struct study_limit *add(struct limits *l, const char *name, const char *scope,
			       double used, double limit)
{
	if (VEC_RESERVE(l->v, l->cap, l->n + 1) != 0 ||
	    VEC_RESERVE(l->fx, l->fx_cap, l->n + 1) != 0)
		return NULL;
	l->fx[l->n] = (struct limit_effect){ EFF_NONE, 0 };
	struct study_limit *x = &l->v[l->n++];
	memset(x, 0, sizeof(*x));
	x->name = name;
	snprintf(x->scope, sizeof(x->scope), "%s", scope);
	x->used = used;
	x->limit = limit;
	return x;
}

static void set_effect(struct limits *l, enum effect e, size_t n)
{
	l->fx[l->n - 1] = (struct limit_effect){ (uint8_t)e, n };
}

static size_t sent_max(const struct peer *p)
{
	size_t n = 0;
	for (unsigned i = 0; i < p->ninst; i++)
		n = p->sent[i].n > n ? p->sent[i].n : n;
	return n;
}

struct pvec {
	struct prefix *v;
	size_t n, cap;
};

static int pvec_add(struct pvec *a, const struct prefix *p, size_t n)
{
	if (VEC_RESERVE(a->v, a->cap, a->n + n) != 0)
		return -1;
	memcpy(a->v + a->n, p, n * sizeof(*p));
	a->n += n;
	return 0;
}

static int pvec_add_rib(struct pvec *a, const struct rib *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (pvec_add(a, &r->v[i].prefix, 1) != 0)
			return -1;
	return 0;
}

/* Distinct prefixes a Route Server holds (RULES E6.2, counted as
 * `vnetsim check` does): its VNets' spaces, what its NVAs sent and what its
 * VNet's gateway connections sent. */
static int rs_total(const struct topology *t, const struct speakers *sp,
		    const struct route_server *rs, size_t *out)
{
	struct pvec a = { 0 };
	int rc = 0;
	for (size_t i = 0; i < t->nvnets && rc == 0; i++)
		if (t->vnets[i]->domain == rs->vnet)
			rc = pvec_add(&a, t->vnets[i]->space.v, t->vnets[i]->space.n);
	for (size_t k = 0; k < rs->nconns && rc == 0; k++) {
		const struct peer *p = speakers_peer(sp, rs->conns[k].id);
		for (unsigned i = 0; p && i < p->ninst && rc == 0; i++)
			rc = pvec_add_rib(&a, &p->sent[i]);
	}
	for (size_t k = 0; k < t->nconns && rc == 0; k++) {
		const struct peer *p = speakers_peer(sp, t->conns[k]->name);
		if (p && t->conns[k]->gw->vnet == rs->vnet)
			rc = pvec_add_rib(&a, &p->sent[0]);
	}
	*out = rc == 0 ? prefix_sort_unique(a.v, a.n) : 0;
	free(a.v);
	return rc;
}

static size_t vnet_nics(const struct vnet *v)
{
	size_t n = 0;
	for (size_t k = 0; k < v->nsubnets; k++)
		n += v->subnets[k]->nic_count;
	return n;
}

static bool has_event(const struct run *r, const char *peer, const char *what)
{
	for (size_t i = 0; i < run_session_event_count(r); i++) {
		const struct session_event *e = run_session_event_get(r, i);
		if (strcmp(e->peer, peer) == 0 && strstr(e->what, what))
			return true;
	}
	return false;
}

static bool warned(const struct diag *w, const char *a, const char *b)
{
	for (size_t i = 0; w && i < diag_stored(w); i++) {
		const struct diag_entry *e = diag_get(w, i);
		if (e->severity == DIAG_WARNING && strstr(e->message, a) && strstr(e->message, b))
			return true;
	}
	return false;
}

/* One Route Server's domain. */
static int rs_limits(struct limits *l, const struct run *r, const struct diag *w,
		     const struct route_server *rs)
{
	const struct topology *t = run_topology(r);
	const struct speakers *sp = run_speakers(r);
	const struct vnet *hub = rs->vnet;
	size_t vms = 0, vnets = 0, total = 0, bgp_conns = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub) {
			vnets++;
			vms += vnet_nics(t->vnets[i]);
		}
	for (size_t k = 0; k < t->nconns; k++)
		bgp_conns += t->conns[k]->gw->vnet == hub && speakers_peer(sp, t->conns[k]->name);
	if (rs_total(t, sp, rs, &total) != 0)
		return -1;
	/* NICs of the domain beyond Route Server capacity at the baseline. */
	size_t unprog = 0;
	size_t ncp = run_checkpoint_count(r);
	const struct checkpoint *cp = ncp ? run_checkpoint_get(r, ncp - 1) : NULL;
	for (size_t i = 0; cp && cp->nic_unprogrammed && i < cp->topo->nnics; i++)
		unprog += cp->nic_unprogrammed[i] && cp->topo->nics[i].subnet->vnet->domain &&
			  strcmp(cp->topo->nics[i].subnet->vnet->domain->name, hub->name) == 0;
	const struct vnet *tmpl = grow_spoke_template(t, hub);
	size_t snics, nspokes;
	grow_spoke_average(t, hub, &snics, &nspokes);
	double tvms = tmpl ? (double)snics / (double)nspokes : 0;
	double tpfx = tmpl ? (double)tmpl->space.n : 0;
	struct study_limit *x;
	char scope[96];
	snprintf(scope, sizeof(scope), "%s (%u units)", rs->name, rs->min_capacity);
	if (!(x = add(l, "Route Server VMs before scale-out", scope, (double)vms,
		      ((double)rs->min_capacity + 2) * 1000)))
		return -1;
	x->per_step[0] = tvms;
	x->per_step[1] = 1;
	if (has_event(r, rs->name, "exceed capacity"))
		set_effect(l, EFF_SCALE_OUT, unprog);
	if (!(x = add(l, "Route Server VMs at 48 units", rs->name, (double)vms,
		      (RS_MAX_UNITS + 2) * 1000.0)))
		return -1;
	x->per_step[0] = tvms;
	x->per_step[1] = 1;
	if (unprog > 0)
		set_effect(l, EFF_UNPROGRAMMED, unprog);
	if (!(x = add(l, "VNets in the Route Server domain", rs->name, (double)vnets, RS_MAX_VNETS)))
		return -1;
	x->per_step[0] = tmpl ? 1 : 0;
	if (!(x = add(l, "Route Server total prefixes", rs->name, (double)total,
		      PITFALLS_RS_MAX_PREFIXES)))
		return -1;
	x->per_step[0] = tpfx;
	x->per_step[2] = (double)rs->nconns;
	x->per_step[3] = (double)bgp_conns;
	char who[128];
	snprintf(who, sizeof(who), "Route Server \"%s\" now holds", rs->name);
	if (warned(w, who, "above the limit"))
		set_effect(l, EFF_WARNED, 0);
	if (!(x = add(l, "BGP peers per Route Server", rs->name, (double)rs->nconns,
		      PITFALLS_RS_MAX_PEERS)))
		return -1;
	for (size_t k = 0; k < rs->nconns; k++) {
		const struct peer *p = speakers_peer(sp, rs->conns[k].id);
		if (!(x = add(l, "routes per BGP peer", rs->conns[k].id,
			      p ? (double)sent_max(p) : 0, rs->conns[k].max_routes)))
			return -1;
		x->per_step[2] = 1;
		if (p && p->flaps > 0)
			set_effect(l, EFF_DROPPED, p->flaps);
	}
	return 0;
}

/* Routes of rt inside the spaces of the spokes a `spokes` step copies. */
static size_t spoke_routes(const struct topology *t, const struct route_table *rt)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *hub = t->vnets[i];
		const struct vnet *tmpl = hub->domain == hub ? grow_spoke_template(t, hub) : NULL;
		for (size_t r = 0; tmpl && r < rt->nroutes; r++) {
			const struct udr *u = &rt->routes[r];
			bool in = false;
			for (size_t k = 0; u->tag == TAG_NONE && u->prefixes.n == 1 && k < tmpl->space.n;
			     k++)
				in = in || prefix_contains(tmpl->space.v[k], u->prefixes.v[0]);
			n += in;
		}
	}
	return n;
}

/* Every limit of the run's state, with the linear growth per step.  w holds
 * `vnetsim check` warnings of the run's scenario (or NULL). */
static int measure(struct limits *l, const struct run *r, const struct diag *w)
{
	const struct topology *t = run_topology(r);
	const struct speakers *sp = run_speakers(r);
	for (size_t i = 0; i < t->nrss; i++)
		if (rs_limits(l, r, w, t->rss[i]) != 0)
			return -1;
	/* Gateway connections: prefixes per BGP session (RULES 1.9). */
	for (size_t i = 0; i < t->nconns; i++) {
		const struct connection *c = t->conns[i];
		const struct peer *p = speakers_peer(sp, c->name);
		if (!p)
			continue;
		bool er = c->type == CONN_EXPRESSROUTE;
		struct study_limit *x = add(l, er ? "ExpressRoute prefixes per connection"
						  : "VPN prefixes per BGP session",
					    c->name, (double)sent_max(p),
					    er ? (c->premium ? SPEAKER_ER_PREMIUM_LIMIT : SPEAKER_ER_LIMIT)
					       : SPEAKER_VPN_LIMIT);
		if (!x)
			return -1;
		x->per_step[3] = 1;
		if (p->flaps > 0)
			set_effect(l, EFF_DROPPED, p->flaps);
	}
	/* Peerings per VNet: the hub of each domain gains one per spoke. */
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *v = t->vnets[i];
		if (v->npeerings == 0)
			continue;
		struct study_limit *x = add(l, "peerings per VNet", v->name, (double)v->npeerings,
					    MAX_PEERINGS_PER_VNET);
		if (!x)
			return -1;
		if (v->domain == v && grow_spoke_template(t, v))
			x->per_step[0] = 1;
	}
	for (size_t i = 0; i < t->nrts; i++) {
		struct study_limit *x = add(l, "routes per route table", t->rts[i]->name,
					    (double)t->rts[i]->nroutes, PITFALLS_MAX_ROUTES_PER_TABLE);
		if (!x)
			return -1;
		x->per_step[0] = (double)spoke_routes(t, t->rts[i]);
		/* The loader refuses a table above the limit (Azure does). */
		snprintf(x->reject_path, sizeof(x->reject_path), "$.topology.routeTables[%zu].routes",
			 i);
	}
	return 0;
}

static int64_t linear(const struct study_limit *x, unsigned d)
{
	if (x->used > x->limit)
		return 0;
	if (x->per_step[d] <= 0)
		return -1;
	double s = floor((x->limit - x->used) / x->per_step[d]) + 1;
	return s > 9e15 ? -1 : (int64_t)s;
}

/* ---- replays ---------------------------------------------------------------- */

enum probe_status {
	PROBE_RAN,                     /* used[] is valid */
	PROBE_CANNOT_GROW,             /* grow.h said why */
	PROBE_REJECTED,                /* the loader refused the grown network */
	PROBE_FAILED,                  /* the replay stopped on an invalid edit */
};

struct probe {
	uint64_t step;
	enum probe_status status;
	char why[STUDY_CAP_NOTE];      /* not RAN: the reason; REJECTED: "path: message" */
	char path[128];                /* REJECTED: the JSON path of the first error */
	double *used;                  /* RAN: per baseline limit (NAN: absent) */
	struct limit_effect *fx;       /* RAN: per baseline limit */
};

struct cap {
	const struct study *st;
	struct scenario *sc;
	struct limits base;
	struct probe *p[STUDY_NDIM];   /* sorted by step */
	size_t np[STUDY_NDIM], pcap[STUDY_NDIM];
	size_t replays;
};

/* Copies a grown run's counts into p, matched to the baseline's limits. */
static int take_counts(struct cap *c, const struct limits *g, struct probe *p)
{
	size_t n = c->base.n;
	p->used = malloc((n ? n : 1) * sizeof(*p->used));
	p->fx = calloc(n ? n : 1, sizeof(*p->fx));
	if (!p->used || !p->fx)
		return -1;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		const struct study_limit *b = &c->base.v[i];
		size_t k = j;
		while (k < g->n && !(g->v[k].name == b->name && strcmp(g->v[k].scope, b->scope) == 0))
			k++;
		if (k == g->n) {
			p->used[i] = NAN;
			continue;
		}
		p->used[i] = g->v[k].used;
		p->fx[i] = g->fx[k];
		j = k + 1;
	}
	return 0;
}

static void first_error(const struct diag *dg, struct probe *p)
{
	for (size_t i = 0; i < diag_stored(dg); i++) {
		const struct diag_entry *e = diag_get(dg, i);
		if (e->severity != DIAG_ERROR)
			continue;
		snprintf(p->path, sizeof(p->path), "%s", e->path ? e->path : "");
		snprintf(p->why, sizeof(p->why), "%s%s%s", e->path ? e->path : "", e->path ? ": " : "",
			 e->message);
		return;
	}
	snprintf(p->why, sizeof(p->why), "invalid (no diagnostic stored)");
}

/* Grows, loads and replays the network of step s of dimension d.  0 (the
 * outcome in p), -1 out of memory. */
static int replay(struct cap *c, unsigned d, uint64_t s, struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->step = s;
	c->replays++;
	struct scenario_doc *doc = NULL;
	int rc = grow_doc(c->sc, (enum grow_dim)d, s, &doc, p->why, sizeof(p->why));
	if (rc < 0)
		return -1;
	if (rc == GROW_CANNOT) {
		p->status = PROBE_CANNOT_GROW;
		return 0;
	}
	char file[512];
	snprintf(file, sizeof(file), "%s (+%llu %s)", c->sc->file, (unsigned long long)s,
		 study_dim_name(d));
	struct diag *dg = diag_create(), *w = diag_create();
	bool env = false;
	struct scenario *g = dg && w ? grow_load(c->sc, doc, file, dg, &env) : NULL;
	if (!dg || !w)
		scenario_doc_destroy(doc);
	rc = 0;
	if (!g) {
		if (env || !dg || !w)
			rc = -1;
		p->status = PROBE_REJECTED;
		if (dg)
			first_error(dg, p);
	} else {
		struct study_base *b = NULL;
		int prc = study_prepare(c->st, g, dg, &b);
		if (prc == 3) {
			rc = -1;
		} else if (prc != 0) {
			p->status = PROBE_FAILED;
			first_error(dg, p);
		} else {
			struct limits gl = { 0 };
			pitfalls_check(g, w);
			rc = measure(&gl, study_run(b), w) != 0 || take_counts(c, &gl, p) != 0 ? -1 : 0;
			limits_fini(&gl);
		}
		study_base_destroy(b);
	}
	scenario_destroy(g);
	diag_destroy(dg);
	diag_destroy(w);
	return rc;
}

static void probe_fini(struct probe *p)
{
	free(p->used);
	free(p->fx);
}

/* The probe of step s (replayed once, then cached), or NULL: out of memory
 * (*oom) or the replay budget is spent. */
static const struct probe *probe(struct cap *c, unsigned d, uint64_t s, bool *oom)
{
	size_t lo = 0, hi = c->np[d];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->p[d][mid].step < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->np[d] && c->p[d][lo].step == s)
		return &c->p[d][lo];
	if (c->replays >= STUDY_CAP_MAX_REPLAYS)
		return NULL;
	struct probe np;
	if (replay(c, d, s, &np) != 0) {
		probe_fini(&np);
		*oom = true;
		return NULL;
	}
	if (VEC_RESERVE(c->p[d], c->pcap[d], c->np[d] + 1) != 0) {
		probe_fini(&np);
		*oom = true;
		return NULL;
	}
	struct probe *v = c->p[d];
	memmove(&v[lo + 1], &v[lo], (c->np[d] - lo) * sizeof(*v));
	v[lo] = np;
	c->np[d]++;
	return &v[lo];
}

/* Whether limit i has bitten at p, or the network stopped growing there. */
static bool over(const struct cap *c, size_t i, const struct probe *p)
{
	return p->status != PROBE_RAN || p->used[i] > c->base.v[i].limit;
}

static void effect_text(const struct probe *p, size_t i, const struct study_limit *x, char *buf,
			size_t len)
{
	int n = snprintf(buf, len, "replayed: %.0f > %.0f", p->used[i], x->limit);
	size_t at = n > 0 && (size_t)n < len ? (size_t)n : len - 1;
	switch ((enum effect)p->fx[i].what) {
	case EFF_DROPPED:
		snprintf(buf + at, len - at, "; the session drops (prefix limit), %zu drop%s",
			 p->fx[i].n, p->fx[i].n == 1 ? "" : "s");
		break;
	case EFF_SCALE_OUT:
		snprintf(buf + at, len - at, "; a Route Server scale-out starts%s",
			 p->fx[i].n ? " (NICs beyond capacity get no Route Server routes meanwhile)"
				     : "");
		break;
	case EFF_UNPROGRAMMED:
		snprintf(buf + at, len - at, "; %zu NICs get no Route Server routes", p->fx[i].n);
		break;
	case EFF_WARNED:
		snprintf(buf + at, len - at, "; vnetsim check warns");
		break;
	case EFF_NONE:
		snprintf(buf + at, len - at, "; counted only (the simulator does not enforce it)");
		break;
	}
}

/* Finds where limit i bites growing dimension d (see the header). */
static int search(struct cap *c, unsigned d, size_t i)
{
	struct study_limit *x = &c->base.v[i];
	uint64_t max = c->st->max_steps;
	x->bites_at[d] = -1;
	if (x->used > x->limit) {
		x->bites_at[d] = 0;
		return 0;
	}
	bool oom = false;
	uint64_t lo = 0, hi = 0;       /* over() false at lo, true at hi (0: unknown) */
	for (size_t k = 0; k < c->np[d]; k++) {
		const struct probe *p = &c->p[d][k];
		if (!over(c, i, p))
			lo = p->step > lo ? p->step : lo;
		else if (hi == 0 || p->step < hi)
			hi = p->step;
	}
	int64_t e = x->estimate[d];
	if (e < 0) {
		/* The estimate says it never grows: check that on a replay of
		 * one step (when a step can be grown at all). */
		const struct probe *p = probe(c, d, 1, &oom);
		if (!p)
			goto budget;
		if (over(c, i, p)) {
			hi = 1;
		} else {
			double g = p->used[i] - x->used;
			if (!(g > 0))
				return 0; /* does not grow: "-", nothing to note */
			lo = lo > 1 ? lo : 1;
			e = (int64_t)floor((x->limit - p->used[i]) / g) + 2;
		}
	}
	if (hi == 0 || (e > 0 && (uint64_t)e > lo + 1 && (uint64_t)e < hi)) {
		/* First probe at the estimate, then its neighbour, then galloping
		 * up to a bite known from other limits' replays (or maxSteps). */
		uint64_t top = hi ? hi - 1 : max;
		uint64_t s = e > 0 ? (uint64_t)e : 1;
		s = s <= lo ? lo + 1 : s;
		s = s > top ? top : s;
		uint64_t gap = 1;
		bool found = false;
		while (!found && s > lo && s <= top) {
			const struct probe *p = probe(c, d, s, &oom);
			if (!p)
				goto budget;
			if (over(c, i, p)) {
				hi = s;
				found = true;
			} else {
				lo = s;
				s = s == top ? top + 1 : (s + gap > top ? top : s + gap);
				gap *= 2;
			}
		}
		if (hi == 0) {
			snprintf(x->note[d], sizeof(x->note[d]), "not within maxSteps (%llu replayed)",
				 (unsigned long long)max);
			return 0;
		}
		/* Landed right on it: check the step before before bisecting. */
		if (found && hi - 1 > lo) {
			const struct probe *p = probe(c, d, hi - 1, &oom);
			if (!p)
				goto budget;
			if (over(c, i, p))
				hi--;
			else
				lo = hi - 1;
		}
	}
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		const struct probe *p = probe(c, d, mid, &oom);
		if (!p)
			goto budget;
		if (over(c, i, p))
			hi = mid;
		else
			lo = mid;
	}
	const struct probe *p = probe(c, d, hi, &oom);
	if (!p)
		goto budget;
	char est[48] = "";
	if (x->estimate[d] < 0)
		snprintf(est, sizeof(est), " (linear estimate: never)");
	else if (x->estimate[d] != (int64_t)hi)
		snprintf(est, sizeof(est), " (linear estimate: %lld)", (long long)x->estimate[d]);
	char what[STUDY_CAP_NOTE];
	if (p->status == PROBE_RAN) {
		x->bites_at[d] = (int64_t)hi;
		effect_text(p, i, x, what, sizeof(what));
		snprintf(x->note[d], sizeof(x->note[d]), "%s%s", what, est);
	} else if (p->status == PROBE_REJECTED && x->reject_path[0] &&
		   strncmp(p->path, x->reject_path, strlen(x->reject_path)) == 0) {
		x->bites_at[d] = (int64_t)hi;
		snprintf(x->note[d], sizeof(x->note[d]), "the grown network is rejected: %.160s%s", p->why,
			 est);
	} else {
		snprintf(x->note[d], sizeof(x->note[d]), "not reached: the network %s at step %llu: %.160s",
			 p->status == PROBE_CANNOT_GROW ? "cannot grow"
			 : p->status == PROBE_REJECTED	? "is rejected"
							: "fails to replay",
			 (unsigned long long)hi, p->why);
	}
	return 0;
budget:
	if (oom)
		return -1;
	snprintf(x->note[d], sizeof(x->note[d]),
		 "replay budget spent (%d grown networks): between steps %llu and %s", STUDY_CAP_MAX_REPLAYS,
		 (unsigned long long)lo, hi ? "a known bite" : "maxSteps");
	return 0;
}

/* ---- entry ------------------------------------------------------------------ */

void study_capacity_fini(struct study_capacity_result *res)
{
	free(res->limits);
	for (unsigned d = 0; d < STUDY_NDIM; d++) {
		for (size_t k = 0; k < res->npoints[d]; k++)
			free(res->points[d][k].used);
		free(res->points[d]);
	}
	memset(res, 0, sizeof(*res));
}

int study_capacity(const struct study *st, struct scenario *sc, struct diag *d,
		   struct study_capacity_result *out)
{
	return study_capacity_ticked(st, sc, d, NULL, NULL, out);
}

int study_capacity_ticked(const struct study *st, struct scenario *sc, struct diag *d,
			  study_capacity_tick *tick, void *ctx, struct study_capacity_result *out)
{
	memset(out, 0, sizeof(*out));
	struct study_base *b = NULL;
	int rc = study_prepare(st, sc, d, &b);
	if (rc != 0)
		return rc;
	struct cap c = { .st = st, .sc = sc };
	struct diag *w = diag_create();
	if (!w) {
		study_base_destroy(b);
		return 3;
	}
	pitfalls_check(sc, w);
	rc = measure(&c.base, study_run(b), w) == 0 ? 0 : 3;
	diag_destroy(w);
	study_base_destroy(b);
	for (size_t i = 0; rc == 0 && i < c.base.n; i++)
		for (unsigned k = 0; k < STUDY_NDIM; k++) {
			struct study_limit *x = &c.base.v[i];
			if (!(st->grow & (1u << k)))
				x->per_step[k] = 0;
			x->estimate[k] = linear(x, k);
			x->bites_at[k] = -1;
		}
	size_t searches = 0, done = 0;
	for (unsigned k = 0; k < STUDY_NDIM; k++)
		searches += st->grow & (1u << k) ? c.base.n : 0;
	for (unsigned k = 0; rc == 0 && k < STUDY_NDIM; k++)
		for (size_t i = 0; rc == 0 && i < c.base.n; i++)
			if (st->grow & (1u << k)) {
				rc = search(&c, k, i) == 0 ? 0 : 3;
				if (tick)
					tick(ctx, ++done, searches);
			}
	for (unsigned k = 0; k < STUDY_NDIM; k++) {
		/* Points: the replays that ran, their counts handed over. */
		out->points[k] = calloc(c.np[k] + 1, sizeof(*out->points[k]));
		if (!out->points[k])
			rc = 3;
		for (size_t j = 0; j < c.np[k]; j++) {
			struct probe *p = &c.p[k][j];
			if (out->points[k] && p->status == PROBE_RAN) {
				out->points[k][out->npoints[k]++] =
					(struct study_point){ .step = p->step, .used = p->used };
				p->used = NULL;
			}
			probe_fini(p);
		}
		free(c.p[k]);
	}
	out->replays = c.replays;
	out->limits = c.base.v;
	out->nlimits = c.base.n;
	c.base.v = NULL;
	limits_fini(&c.base);
	if (rc != 0)
		study_capacity_fini(out);
	return rc;
}
