/*
 * domain.c - assembling a domain's programmed routes.  See domain.h.
 */
#include "domain.h"

#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "vec.h"

struct cand {
	struct bgp_path path;
	const struct peer *peer;       /* NULL for static prefixes */
	const struct connection *conn; /* gateway connections */
	size_t seq;                    /* gathering order: keeps sorting stable */
	int inst;                      /* Route Server instance of an NVA path, else -1 */
};

struct gather {
	struct cand *v;
	size_t n, cap;
	int failed;
};

static struct cand *push(struct gather *g)
{
	struct cand *c = VEC_PUSH(g->v, g->n, g->cap);
	if (!c) {
		g->failed = 1;
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->seq = g->n - 1;
	c->inst = -1;
	return c;
}

static void from_route(struct gather *g, const struct rib_route *rr, enum bgp_origin origin,
		       uint32_t receiver_asn, const struct peer *p, const struct connection *conn,
		       uint32_t weight, uint32_t default_nh)
{
	struct cand *c = push(g);
	if (!c)
		return;
	c->path = (struct bgp_path){ .prefix = rr->prefix, .origin = origin,
				     .as_path = rr->as_path, .as_len = rr->as_len,
				     .communities = rr->communities,
				     .ncommunities = rr->ncommunities,
				     .next_hop = rr->next_hop ? rr->next_hop : default_nh,
				     .weight = weight, .receiver_asn = receiver_asn,
				     .source = p };
	c->peer = p;
	c->conn = conn;
}

static void from_rib(struct gather *g, const struct rib *r, enum bgp_origin origin,
		     uint32_t receiver_asn, const struct peer *p, const struct connection *conn,
		     uint32_t weight, uint32_t default_nh)
{
	for (size_t i = 0; i < r->n; i++)
		from_route(g, &r->v[i], origin, receiver_asn, p, conn, weight, default_nh);
}

static void gather_route_server(struct gather *g, const struct route_server *rs,
				const struct speakers *sp)
{
	for (size_t k = 0; k < rs->nconns; k++) {
		const struct bgp_conn *bc = &rs->conns[k];
		const struct peer *p = speakers_peer(sp, bc->id);
		if (!p)
			continue;
		for (unsigned i = 0; i < 2; i++) {
			if (!p->session[i] || !speakers_instance_up(sp, rs->name, i))
				continue;
			size_t first = g->n;
			from_rib(g, &p->in[i], BGP_ORIGIN_NVA, BGP_ASN_AZURE, p, NULL, 0,
				 bc->peer_ip);
			for (size_t j = first; j < g->n; j++)
				g->v[j].inst = (int)i;
		}
	}
}

static bool gateway_up(const struct speakers *sp, const struct gateway *gw)
{
	return speakers_instance_up(sp, gw->name, 0) || speakers_instance_up(sp, gw->name, 1);
}

static void gather_gateway(struct gather *g, const struct gateway *gw, const struct speakers *sp)
{
	if (!gateway_up(sp, gw))
		return;
	for (size_t k = 0; k < gw->nconns; k++) {
		const struct connection *c = gw->conns[k];
		const struct peer *p = speakers_peer(sp, c->name);
		if (gw->type == GW_VPN) {
			/* Static prefixes of the local network gateway: an empty AS
			 * path, so they beat BGP paths of the same class. */
			for (size_t i = 0; i < c->static_prefixes.n; i++) {
				struct cand *cd = push(g);
				if (!cd)
					return;
				cd->path = (struct bgp_path){ .prefix = c->static_prefixes.v[i],
							      .origin = BGP_ORIGIN_STATIC,
							      .receiver_asn = gw->asn };
				cd->conn = c;
			}
			if (p && c->enable_bgp && p->session[0])
				from_rib(g, &p->in[0], BGP_ORIGIN_VPN, gw->asn, p, c, 0, 0);
		} else if (p && p->session[0]) {
			from_rib(g, &p->in[0], BGP_ORIGIN_EXPRESSROUTE, BGP_ASN_AZURE, p, c,
				 c->routing_weight, 0);
		}
	}
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = prefix_compare(x->path.prefix, y->path.prefix);
	if (c)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

struct rows {
	uint32_t *nh;
	bool *rs;
	size_t n, nhcap, rscap;
};

static int row(struct rows *r, uint32_t nh, bool rs)
{
	if (VEC_RESERVE(r->nh, r->nhcap, r->n + 1) || VEC_RESERVE(r->rs, r->rscap, r->n + 1))
		return -1;
	r->nh[r->n] = nh;
	r->rs[r->n] = rs;
	r->n++;
	return 0;
}

/* RULES 1.3: the rows of one winning path. */
static int expand(struct rows *r, const struct cand *c, const struct speakers *sp)
{
	switch (c->path.origin) {
	case BGP_ORIGIN_NVA:
		/* Route Server: one row per distinct next hop. */
		for (size_t i = 0; i < r->n; i++)
			if (r->rs[i] && r->nh[i] == c->path.next_hop)
				return 0;
		return row(r, c->path.next_hop, true);
	case BGP_ORIGIN_VPN:
	case BGP_ORIGIN_STATIC: {
		const struct gateway *gw = c->conn->gw;
		if (!gw->active_active)
			return row(r, gw->public_ip, false);
		for (unsigned i = 0; i < 2; i++)
			if (speakers_instance_up(sp, gw->name, i) && row(r, gw->instance_ip[i], false))
				return -1;
		return 0;
	}
	case BGP_ORIGIN_EXPRESSROUTE:
		for (size_t i = 0; i < c->conn->ner_next_hops; i++)
			if (row(r, c->conn->er_next_hops[i], false))
				return -1;
		return 0;
	}
	return 0;
}

/* What the decision needs besides the candidates: the domain's VNet
 * prefixes for the step 2 filter, normalized for a binary search, and
 * which Route Server instances live (each decides on its own, RULES 1.8). */
struct domain_ctx {
	struct bgp_ctx bgp;
	struct prefix *vp;
	bool rs_live[2];
	struct rows rows;
	const struct bgp_path **group;
	size_t *best, *gidx;
	bool *win;                     /* per candidate: some decision chose it */
	size_t gcap, bcap, xcap, wcap; /* of group, best, gidx, win */
};

static int ctx_init(struct domain_ctx *c, const struct topology *t, const struct vnet *hub,
		    const struct speakers *sp)
{
	memset(c, 0, sizeof(*c));
	for (unsigned i = 0; i < 2; i++)
		c->rs_live[i] = hub->rs && speakers_instance_up(sp, hub->rs->name, i);
	size_t np = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub)
			np += t->vnets[i]->space.n;
	c->vp = malloc((np ? np : 1) * sizeof(*c->vp));
	if (!c->vp)
		return -1;
	np = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub)
			for (size_t k = 0; k < t->vnets[i]->space.n; k++)
				c->vp[np++] = t->vnets[i]->space.v[k];
	c->bgp = (struct bgp_ctx){ .has_route_server = hub->rs != NULL,
				   .pref = hub->rs ? hub->rs->pref : HUB_PREF_EXPRESSROUTE,
				   .vnet_prefixes = c->vp,
				   .nvnet_prefixes = bgp_prefixes_normalize(c->vp, np),
				   .vnet_normalized = true };
	return 0;
}

static void ctx_fini(struct domain_ctx *c)
{
	free(c->vp);
	free(c->rows.nh);
	free(c->rows.rs);
	free(c->group);
	free(c->best);
	free(c->gidx);
	free(c->win);
}

/* Steps 1, 3 and 4 as one decider sees the candidates v[0..n): Route
 * Server instance inst sees its own Adj-RIB-In and the gateways' paths;
 * inst -1 (no live instance) the gateways' paths alone.  Marks the winners
 * in c->win. */
static void decide_one(struct domain_ctx *c, const struct cand *v, size_t n, int inst)
{
	size_t ng = 0;
	for (size_t k = 0; k < n; k++) {
		if ((v[k].inst >= 0 && v[k].inst != inst) || bgp_path_loops(&v[k].path))
			continue;
		c->gidx[ng] = k;
		c->group[ng++] = &v[k].path;
	}
	size_t nb = bgp_decide(&c->bgp, c->group, ng, c->best);
	for (size_t k = 0; k < nb; k++)
		c->win[c->gidx[c->best[k]]] = true;
}

/* Steps 1-4 over the candidates v[0..n) of one prefix, then the rows of
 * the winners (RULES 1.3) into c->rows.  RULES 1.8: each live Route Server
 * instance decides on its own; the union of their winners is programmed,
 * each winner expanded once, in candidate order.  0, or -1 out of memory. */
static int decide_prefix(struct domain_ctx *c, const struct cand *v, size_t n,
			 const struct speakers *sp)
{
	c->rows.n = 0;
	if (n == 0 || bgp_prefix_filtered(&c->bgp, v[0].path.prefix))
		return 0;
	if (VEC_RESERVE(c->group, c->gcap, n) || VEC_RESERVE(c->best, c->bcap, n) ||
	    VEC_RESERVE(c->gidx, c->xcap, n) || VEC_RESERVE(c->win, c->wcap, n))
		return -1;
	memset(c->win, 0, n * sizeof(*c->win));
	bool any = false;
	for (int i = 0; i < 2; i++)
		if (c->rs_live[i]) {
			decide_one(c, v, n, i);
			any = true;
		}
	if (!any)
		decide_one(c, v, n, -1);
	for (size_t k = 0; k < n; k++)
		if (c->win[k] && expand(&c->rows, &v[k], sp) != 0)
			return -1;
	return 0;
}

static void gather_all(struct gather *g, const struct vnet *hub, const struct speakers *sp)
{
	if (hub->rs)
		gather_route_server(g, hub->rs, sp);
	if (hub->vpn_gw)
		gather_gateway(g, hub->vpn_gw, sp);
	if (hub->er_gw)
		gather_gateway(g, hub->er_gw, sp);
}

struct bgp_set *domain_build(const struct topology *t, const struct vnet *hub,
			     const struct speakers *sp)
{
	struct bgp_set *set = bgp_set_create();
	struct gather g = { 0 };
	struct domain_ctx c;
	int rc = !set || ctx_init(&c, t, hub, sp) != 0 ? -1 : 0;
	if (rc != 0) {
		bgp_set_unref(set);
		return NULL;
	}
	gather_all(&g, hub, sp);
	rc = g.failed ? -1 : 0;
	if (rc == 0 && g.n > 1)
		qsort(g.v, g.n, sizeof(*g.v), cand_cmp);
	for (size_t i = 0; rc == 0 && i < g.n;) {
		size_t j = i;
		while (j < g.n && prefix_equal(g.v[j].path.prefix, g.v[i].path.prefix))
			j++;
		rc = decide_prefix(&c, &g.v[i], j - i, sp);
		if (rc == 0 && c.rows.n > 0)
			rc = bgp_set_add(set, g.v[i].path.prefix, c.rows.nh, c.rows.rs, c.rows.n);
		i = j;
	}
	if (rc == 0)
		rc = bgp_set_finish(set);
	ctx_fini(&c);
	free(g.v);
	if (rc != 0) {
		bgp_set_unref(set);
		return NULL;
	}
	return set;
}

/* ---- incremental update --------------------------------------------------- */

/* Candidates for exactly prefix p, from the same sources as gather_all. */
static void gather_prefix(struct gather *g, const struct vnet *hub, const struct speakers *sp,
			  struct prefix p)
{
	if (hub->rs) {
		const struct route_server *rs = hub->rs;
		for (size_t k = 0; k < rs->nconns; k++) {
			const struct bgp_conn *bc = &rs->conns[k];
			const struct peer *pe = speakers_peer(sp, bc->id);
			if (!pe)
				continue;
			for (unsigned i = 0; i < 2; i++) {
				const struct rib_route *rr = rib_find(&pe->in[i], p);
				if (!rr || !pe->session[i] || !speakers_instance_up(sp, rs->name, i))
					continue;
				size_t first = g->n;
				from_route(g, rr, BGP_ORIGIN_NVA, BGP_ASN_AZURE, pe, NULL, 0,
					   bc->peer_ip);
				if (g->n > first)
					g->v[first].inst = (int)i;
			}
		}
	}
	const struct gateway *gws[2] = { hub->vpn_gw, hub->er_gw };
	for (size_t w = 0; w < 2; w++) {
		const struct gateway *gw = gws[w];
		if (!gw || !gateway_up(sp, gw))
			continue;
		for (size_t k = 0; k < gw->nconns; k++) {
			const struct connection *c = gw->conns[k];
			const struct peer *pe = speakers_peer(sp, c->name);
			bool bgp_up = pe && pe->session[0] && (gw->type != GW_VPN || c->enable_bgp);
			const struct rib_route *rr = bgp_up ? rib_find(&pe->in[0], p) : NULL;
			if (gw->type == GW_VPN) {
				for (size_t i = 0; i < c->static_prefixes.n; i++) {
					if (!prefix_equal(c->static_prefixes.v[i], p))
						continue;
					struct cand *cd = push(g);
					if (!cd)
						return;
					cd->path = (struct bgp_path){ .prefix = p,
								      .origin = BGP_ORIGIN_STATIC,
								      .receiver_asn = gw->asn };
					cd->conn = c;
				}
			}
			if (!rr)
				continue;
			if (gw->type == GW_VPN)
				from_route(g, rr, BGP_ORIGIN_VPN, gw->asn, pe, c, 0, 0);
			else
				from_route(g, rr, BGP_ORIGIN_EXPRESSROUTE, BGP_ASN_AZURE, pe, c,
					   c->routing_weight, 0);
		}
	}
}

/* What bgp_set_patch needs to decide a touched prefix again. */
struct redecide {
	struct domain_ctx c;
	struct gather g;
	const struct vnet *hub;
	const struct speakers *sp;
};

/* bgp_set_decide_fn: p's candidates gathered and decided again. */
static int redecide_prefix(void *ctx, struct prefix p, struct bgp_set_rows *rows)
{
	struct redecide *r = ctx;
	r->g.n = 0;
	gather_prefix(&r->g, r->hub, r->sp, p);
	if (r->g.failed || decide_prefix(&r->c, r->g.v, r->g.n, r->sp) != 0)
		return -1;
	*rows = (struct bgp_set_rows){ r->c.rows.nh, r->c.rows.rs, r->c.rows.n };
	return 0;
}

struct bgp_set *domain_update(struct bgp_set *base, const struct topology *t,
			      const struct vnet *hub, const struct speakers *sp,
			      const struct prefix *touched, size_t ntouched, struct prefix **changed,
			      size_t *nchanged)
{
	*changed = NULL;
	*nchanged = 0;
	struct prefix *k = malloc((ntouched ? ntouched : 1) * sizeof(*k));
	struct prefix *out = malloc((ntouched ? ntouched : 1) * sizeof(*out));
	struct redecide r = { .hub = hub, .sp = sp };
	struct bgp_set *set = NULL;
	size_t nout = 0;
	if (k && out && ctx_init(&r.c, t, hub, sp) == 0) {
		memcpy(k, touched, ntouched * sizeof(*k));
		size_t nk = prefix_sort_unique(k, ntouched);
		set = bgp_set_patch(base, k, nk, redecide_prefix, &r, out, &nout);
		ctx_fini(&r.c);
	}
	free(r.g.v);
	free(k);
	if (!set) {
		free(out);
		return NULL;
	}
	*changed = out;
	*nchanged = nout;
	return set;
}

/* ---- after an edit: the filter's VNet prefixes changed ------------------- */

/* The domain's VNet prefixes (what ctx_init filters with), sorted, unique;
 * malloc'd into *out.  -1 out of memory. */
static long domain_spaces(const struct topology *t, const struct vnet *hub, struct prefix **out)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub)
			n += t->vnets[i]->space.n;
	struct prefix *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -1;
	n = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub)
			for (size_t k = 0; k < t->vnets[i]->space.n; k++)
				v[n++] = t->vnets[i]->space.v[k];
	*out = v;
	return (long)prefix_sort_unique(v, n);
}

struct touched {
	const struct prefix *delta;    /* VNet prefixes in one list only */
	size_t ndelta;
	uint32_t lo, hi;               /* the addresses the delta spans, first to last */
	struct prefix *v;              /* candidates inside one of them */
	size_t n, cap;
	int failed;
};

static void touch_if_inside(struct touched *tc, struct prefix p)
{
	if (p.addr < tc->lo || p.addr > tc->hi)
		return; /* the usual case, in a few instructions: no delta holds it */
	size_t k = 0;
	while (k < tc->ndelta && !prefix_contains(tc->delta[k], p))
		k++;
	if (k == tc->ndelta)
		return;
	struct prefix *slot = VEC_PUSH(tc->v, tc->n, tc->cap);
	if (!slot) {
		tc->failed = 1;
		return;
	}
	*slot = p;
}

/* r is sorted by prefix, so by address: only its paths from tc->lo to
 * tc->hi can be inside the delta.  O(log n + those paths). */
static void touch_rib(struct touched *tc, const struct rib *r)
{
	size_t a = 0, b = r->n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (r->v[m].prefix.addr < tc->lo)
			a = m + 1;
		else
			b = m;
	}
	for (size_t i = a; i < r->n && r->v[i].prefix.addr <= tc->hi; i++)
		touch_if_inside(tc, r->v[i].prefix);
}

/* Every prefix a candidate of hub's domain can have (whatever the session
 * states: deciding an extra prefix again is harmless) inside tc->delta.
 * O(paths of the domain x delta). */
static void touch_candidates(struct touched *tc, const struct vnet *hub, const struct speakers *sp)
{
	for (size_t k = 0; hub->rs && k < hub->rs->nconns; k++) {
		const struct peer *p = speakers_peer(sp, hub->rs->conns[k].id);
		for (unsigned i = 0; p && i < 2; i++)
			touch_rib(tc, &p->in[i]);
	}
	const struct gateway *gws[2] = { hub->vpn_gw, hub->er_gw };
	for (size_t w = 0; w < 2; w++)
		for (size_t k = 0; gws[w] && k < gws[w]->nconns; k++) {
			const struct connection *c = gws[w]->conns[k];
			const struct peer *p = speakers_peer(sp, c->name);
			if (p)
				touch_rib(tc, &p->in[0]);
			for (size_t i = 0; i < c->static_prefixes.n; i++)
				touch_if_inside(tc, c->static_prefixes.v[i]);
		}
}

struct bgp_set *domain_respace(struct bgp_set *base, const struct topology *old_t,
			       const struct vnet *old_hub, const struct topology *t,
			       const struct vnet *hub, const struct speakers *sp,
			       struct prefix **changed, size_t *nchanged)
{
	*changed = NULL;
	*nchanged = 0;
	struct prefix *a = NULL, *b = NULL, *delta = NULL;
	long na = domain_spaces(old_t, old_hub, &a);
	long nb = na < 0 ? -1 : domain_spaces(t, hub, &b);
	if (nb >= 0)
		delta = malloc((size_t)(na + nb + 1) * sizeof(*delta));
	if (!delta) {
		free(a);
		free(b);
		return NULL;
	}
	/* Symmetric difference of two sorted lists. */
	size_t nd = 0, i = 0, j = 0;
	while (i < (size_t)na || j < (size_t)nb) {
		int cmp = i >= (size_t)na ? 1 : j >= (size_t)nb ? -1 : prefix_compare(a[i], b[j]);
		if (cmp == 0) {
			i++;
			j++;
		} else {
			delta[nd++] = cmp < 0 ? a[i++] : b[j++];
		}
	}
	free(a);
	free(b);
	struct bgp_set *set = domain_redecide_inside(base, t, hub, sp, delta, nd, changed, nchanged);
	free(delta);
	return set;
}

struct bgp_set *domain_redecide_inside(struct bgp_set *base, const struct topology *t,
				       const struct vnet *hub, const struct speakers *sp,
				       const struct prefix *inside, size_t ninside,
				       struct prefix **changed, size_t *nchanged)
{
	*changed = NULL;
	*nchanged = 0;
	struct touched tc = { .delta = inside, .ndelta = ninside, .lo = UINT32_MAX, .hi = 0 };
	for (size_t i = 0; i < ninside; i++) {
		tc.lo = inside[i].addr < tc.lo ? inside[i].addr : tc.lo;
		tc.hi = prefix_last(inside[i]) > tc.hi ? prefix_last(inside[i]) : tc.hi;
	}
	if (ninside > 0)
		touch_candidates(&tc, hub, sp);
	struct bgp_set *set = NULL;
	if (!tc.failed && tc.n == 0)
		set = bgp_set_ref(base); /* no candidate concerned: nothing to decide */
	else if (!tc.failed)
		set = domain_update(base, t, hub, sp, tc.v, tc.n, changed, nchanged);
	free(tc.v);
	return set;
}

/* ---- which hub's gateways a VNet uses (RULES 1.3, 2.1) ------------------- */

bool domain_is_hub(const struct vnet *v)
{
	return v->vpn_gw || v->er_gw || v->rs;
}

/* useRemoteGateways on peering p of v: each check quotes its rule. */
static enum domain_transit domain_transit(const struct vnet *v, const struct peering *p,
					  const struct peering *back, const struct peering *earlier)
{
	/* RULES 2.1: at most one peering per VNet uses remote gateways. */
	if (earlier)
		return DOMAIN_TRANSIT_SECOND;
	/* RULES 2.1: not in a VNet with a gateway or Route Server of its own. */
	if (domain_is_hub(v))
		return DOMAIN_TRANSIT_OWN_GATEWAY;
	/* RULES 2.1: the remote side allows gateway transit. */
	if (back && !back->allow_gateway_transit)
		return DOMAIN_TRANSIT_NOT_ALLOWED;
	/* RULES 1.3: the domain is the remote hub's: it has gateways or a
	 * Route Server of its own (so it uses no remote gateway itself). */
	if (!domain_is_hub(p->remote))
		return DOMAIN_TRANSIT_NO_GATEWAY;
	/* RULES 1.3: transit needs both links; an Initiated peering carries
	 * nothing. */
	if (!back)
		return DOMAIN_TRANSIT_NOT_CONNECTED;
	return DOMAIN_TRANSIT_USED;
}

struct vnet *domain_hub(struct vnet *v, domain_back_fn back, domain_note_fn note, void *ctx)
{
	struct vnet *hub = domain_is_hub(v) ? v : NULL;
	const struct peering *earlier = NULL;
	for (size_t k = 0; k < v->npeerings; k++) {
		const struct peering *p = &v->peerings[k];
		if (!p->use_remote_gateways)
			continue;
		struct domain_transit_note n = { .vnet = v, .peering = k, .back = back(p, ctx),
						 .earlier = earlier };
		n.why = domain_transit(v, p, n.back, earlier);
		if (n.why == DOMAIN_TRANSIT_USED)
			hub = p->remote;
		else
			note(&n, ctx);
		earlier = p;
	}
	return hub;
}
