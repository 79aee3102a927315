/*
 * study_capacity.c - see study_capacity.h.
 */
#include "models/study_capacity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/pitfalls.h"
#include "models/run.h"
#include "models/speaker.h"
#include "sim/diag.h"

#define RS_MAX_UNITS 48
#define RS_MAX_VNETS 500             /* reference 6.2 */
#define MAX_PEERINGS_PER_VNET 500    /* reference 2.4 */

const char *study_dim_name(unsigned dim)
{
	static const char *const names[STUDY_NDIM] = { "spokes", "vms", "nvaRoutes",
						       "onPremPrefixes" };
	return dim < STUDY_NDIM ? names[dim] : "?";
}

struct limits {
	struct study_limit *v;
	size_t n, cap;
};

static struct study_limit *add(struct limits *l, const char *name, const char *scope,
			       double used, double limit)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct study_limit *n = realloc(l->v, nc * sizeof(*n));
		if (!n)
			return NULL;
		l->v = n;
		l->cap = nc;
	}
	struct study_limit *x = &l->v[l->n++];
	memset(x, 0, sizeof(*x));
	x->name = name;
	snprintf(x->scope, sizeof(x->scope), "%s", scope);
	x->used = used;
	x->limit = limit;
	return x;
}

static size_t sent_max(const struct peer *p)
{
	size_t n = 0;
	for (unsigned i = 0; i < p->ninst; i++)
		n = p->sent[i].n > n ? p->sent[i].n : n;
	return n;
}

/* One Route Server's domain. */
static int rs_limits(struct limits *l, const struct topology *t, const struct speakers *sp,
		     const struct route_server *rs)
{
	const struct vnet *hub = rs->vnet;
	size_t vms = 0, vnets = 0, spokes = 0, spoke_vms = 0, spoke_prefixes = 0, prefixes = 0;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *v = t->vnets[i];
		if (v->domain != hub)
			continue;
		vnets++;
		prefixes += v->space.n;
		size_t n = 0;
		for (size_t k = 0; k < v->nsubnets; k++)
			n += v->subnets[k]->nic_count;
		vms += n;
		if (v != hub) {
			spokes++;
			spoke_vms += n;
			spoke_prefixes += v->space.n;
		}
	}
	double avg_vms = spokes ? (double)spoke_vms / (double)spokes : 0.0;
	double avg_pfx = spokes ? (double)spoke_prefixes / (double)spokes : 1.0;
	size_t nva_prefixes = 0;
	for (size_t k = 0; k < rs->nconns; k++) {
		const struct peer *p = speakers_peer(sp, rs->conns[k].id);
		nva_prefixes += p ? sent_max(p) : 0;
	}
	struct study_limit *x;
	char scope[96];
	snprintf(scope, sizeof(scope), "%s (%u units)", rs->name, rs->min_capacity);
	if (!(x = add(l, "Route Server VMs before scale-out", scope, (double)vms,
		      ((double)rs->min_capacity + 2) * 1000)))
		return -1;
	x->per_step[0] = avg_vms;
	x->per_step[1] = 1;
	if (!(x = add(l, "Route Server VMs at 48 units", rs->name, (double)vms,
		      (RS_MAX_UNITS + 2) * 1000.0)))
		return -1;
	x->per_step[0] = avg_vms;
	x->per_step[1] = 1;
	if (!(x = add(l, "VNets in the Route Server domain", rs->name, (double)vnets, RS_MAX_VNETS)))
		return -1;
	x->per_step[0] = 1;
	/* Total prefixes (reference 6.2): VNet prefixes plus what NVAs send
	 * (counted per peer: an upper bound when NVAs share prefixes). */
	if (!(x = add(l, "Route Server total prefixes", rs->name,
		      (double)(prefixes + nva_prefixes), PITFALLS_RS_MAX_PREFIXES)))
		return -1;
	x->per_step[0] = avg_pfx;
	x->per_step[2] = (double)rs->nconns;
	if (!(x = add(l, "BGP peers per Route Server", rs->name, (double)rs->nconns,
		      PITFALLS_RS_MAX_PEERS)))
		return -1;
	for (size_t k = 0; k < rs->nconns; k++) {
		const struct peer *p = speakers_peer(sp, rs->conns[k].id);
		if (!(x = add(l, "routes per BGP peer", rs->conns[k].id,
			      p ? (double)sent_max(p) : 0, rs->conns[k].max_routes)))
			return -1;
		x->per_step[2] = 1;
	}
	return 0;
}

static void bites(struct study_limit *x, unsigned grow, uint64_t max_steps)
{
	for (unsigned d = 0; d < STUDY_NDIM; d++) {
		if (!(grow & (1u << d)))
			x->per_step[d] = 0;
		if (x->used > x->limit)
			x->bites_at[d] = 0;
		else if (x->per_step[d] <= 0)
			x->bites_at[d] = -1;
		else
			x->bites_at[d] = (int64_t)floor((x->limit - x->used) / x->per_step[d]) + 1;
		if (x->bites_at[d] > (int64_t)max_steps)
			x->bites_at[d] = -1; /* not within the study's maxSteps */
	}
}

int study_capacity(const struct study *st, struct scenario *sc, struct diag *d,
		   struct study_limit **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct study_base *b = NULL;
	int rc = study_prepare(st, sc, d, &b);
	if (rc != 0)
		return rc;
	const struct run *r = study_run(b);
	const struct topology *t = run_topology(r);
	const struct speakers *sp = run_speakers(r);
	struct limits l = { 0 };
	for (size_t i = 0; i < t->nrss && rc == 0; i++)
		if (rs_limits(&l, t, sp, t->rss[i]) != 0)
			rc = 3;
	/* Gateway connections: prefixes per BGP session (SPEC 1.9). */
	for (size_t i = 0; i < t->nconns && rc == 0; i++) {
		const struct connection *c = t->conns[i];
		const struct peer *p = speakers_peer(sp, c->name);
		if (!p)
			continue;
		bool er = c->type == CONN_EXPRESSROUTE;
		struct study_limit *x = add(&l, er ? "ExpressRoute prefixes per connection"
						   : "VPN prefixes per BGP session",
					    c->name, (double)sent_max(p),
					    er ? (c->premium ? SPEAKER_ER_PREMIUM_LIMIT : SPEAKER_ER_LIMIT)
					       : SPEAKER_VPN_LIMIT);
		if (!x)
			rc = 3;
		else
			x->per_step[3] = 1;
	}
	/* Peerings per VNet: the hub of each domain gains one per spoke. */
	for (size_t i = 0; i < t->nvnets && rc == 0; i++) {
		const struct vnet *v = t->vnets[i];
		if (v->npeerings == 0)
			continue;
		struct study_limit *x = add(&l, "peerings per VNet", v->name, (double)v->npeerings,
					    MAX_PEERINGS_PER_VNET);
		if (!x)
			rc = 3;
		else if (v->domain == v && (v->rs || v->vpn_gw || v->er_gw))
			x->per_step[0] = 1;
	}
	for (size_t i = 0; i < t->nrts && rc == 0; i++)
		if (!add(&l, "routes per route table", t->rts[i]->name, (double)t->rts[i]->nroutes,
			 PITFALLS_MAX_ROUTES_PER_TABLE))
			rc = 3;
	for (size_t i = 0; i < l.n; i++)
		bites(&l.v[i], st->grow, st->max_steps);
	study_base_destroy(b);
	if (rc != 0) {
		free(l.v);
		return rc;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
