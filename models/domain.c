/*
 * domain.c - assembling a domain's programmed routes.  See domain.h.
 */
#include "models/domain.h"

#include <stdlib.h>
#include <string.h>

#include "models/bgp.h"

struct cand {
	struct bgp_path path;
	const struct peer *peer;       /* NULL for static prefixes */
	const struct connection *conn; /* gateway connections */
	size_t seq;                    /* gathering order: keeps sorting stable */
};

struct gather {
	struct cand *v;
	size_t n, cap;
	int failed;
};

static struct cand *push(struct gather *g)
{
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 256;
		struct cand *nv = realloc(g->v, ncap * sizeof(*nv));
		if (!nv) {
			g->failed = 1;
			return NULL;
		}
		g->v = nv;
		g->cap = ncap;
	}
	struct cand *c = &g->v[g->n];
	memset(c, 0, sizeof(*c));
	c->seq = g->n++;
	return c;
}

static void from_rib(struct gather *g, const struct rib *r, enum bgp_origin origin,
		     uint32_t receiver_asn, const struct peer *p, const struct connection *conn,
		     uint32_t weight, uint32_t default_nh)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct rib_route *rr = &r->v[i];
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
}

static void gather_route_server(struct gather *g, const struct route_server *rs,
				const struct speakers *sp)
{
	for (size_t k = 0; k < rs->nconns; k++) {
		const struct bgp_conn *bc = &rs->conns[k];
		const struct peer *p = speakers_peer(sp, bc->id);
		if (!p)
			continue;
		for (unsigned i = 0; i < 2; i++)
			if (p->session[i] && speakers_instance_up(sp, rs->name, i))
				from_rib(g, &p->in[i], BGP_ORIGIN_NVA, BGP_ASN_AZURE, p, NULL, 0,
					 bc->peer_ip);
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
	size_t n, cap;
};

static int row(struct rows *r, uint32_t nh, bool rs)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		uint32_t *a = realloc(r->nh, ncap * sizeof(*a));
		if (!a)
			return -1;
		r->nh = a;
		bool *b = realloc(r->rs, ncap * sizeof(*b));
		if (!b)
			return -1;
		r->rs = b;
		r->cap = ncap;
	}
	r->nh[r->n] = nh;
	r->rs[r->n] = rs;
	r->n++;
	return 0;
}

/* SPEC 1.3: the rows of one winning path. */
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

struct bgp_set *domain_build(const struct topology *t, const struct vnet *hub,
			     const struct speakers *sp)
{
	struct bgp_set *set = bgp_set_create();
	if (!set)
		return NULL;
	struct gather g = { 0 };
	if (hub->rs)
		gather_route_server(&g, hub->rs, sp);
	if (hub->vpn_gw)
		gather_gateway(&g, hub->vpn_gw, sp);
	if (hub->er_gw)
		gather_gateway(&g, hub->er_gw, sp);

	/* The domain's VNet prefixes for the step 2 filter. */
	size_t np = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub)
			np += t->vnets[i]->space.n;
	struct prefix *vp = malloc((np ? np : 1) * sizeof(*vp));
	const struct bgp_path **group = malloc((g.n ? g.n : 1) * sizeof(*group));
	size_t *best = malloc((g.n ? g.n : 1) * sizeof(*best));
	size_t *gidx = malloc((g.n ? g.n : 1) * sizeof(*gidx));
	struct rows rows = { 0 };
	int rc = g.failed || !vp || !group || !best || !gidx ? -1 : 0;
	np = 0;
	for (size_t i = 0; vp && i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub)
			for (size_t k = 0; k < t->vnets[i]->space.n; k++)
				vp[np++] = t->vnets[i]->space.v[k];
	struct bgp_ctx ctx = { .has_route_server = hub->rs != NULL,
			       .pref = hub->rs ? hub->rs->pref : HUB_PREF_EXPRESSROUTE,
			       .vnet_prefixes = vp, .nvnet_prefixes = np };

	if (rc == 0 && g.n > 1)
		qsort(g.v, g.n, sizeof(*g.v), cand_cmp);
	for (size_t i = 0; rc == 0 && i < g.n;) {
		size_t j = i, ng = 0;
		while (j < g.n && prefix_equal(g.v[j].path.prefix, g.v[i].path.prefix))
			j++;
		if (!bgp_prefix_filtered(&ctx, g.v[i].path.prefix)) {
			for (size_t k = i; k < j; k++) {
				if (bgp_path_loops(&g.v[k].path))
					continue;
				gidx[ng] = k;
				group[ng++] = &g.v[k].path;
			}
		}
		size_t nb = bgp_decide(&ctx, group, ng, best);
		rows.n = 0;
		for (size_t k = 0; k < nb && rc == 0; k++)
			rc = expand(&rows, &g.v[gidx[best[k]]], sp);
		if (rc == 0 && rows.n > 0)
			rc = bgp_set_add(set, g.v[i].path.prefix, rows.nh, rows.rs, rows.n);
		i = j;
	}
	if (rc == 0)
		rc = bgp_set_finish(set);
	free(rows.nh);
	free(rows.rs);
	free(vp);
	free(group);
	free(best);
	free(gidx);
	free(g.v);
	if (rc != 0) {
		bgp_set_unref(set);
		return NULL;
	}
	return set;
}
