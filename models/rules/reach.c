/*
 * reach.c - the reachability matrix (RULES 1.11); see reach.h.
 *
 * Outcomes are interned in an open-addressing hash table keyed by the
 * bytes of a zero-initialised struct reach_result (padding included, so
 * equal outcomes have equal bytes).  Symmetry is a second pass over the
 * matrix: a subnet pair's return flow is another cell; an on-premises
 * flow's return is the cell of the gateway's GatewaySubnet towards the
 * source; an appliance flow's return is a trace from the appliance's NIC,
 * memoised per appliance and source.
 */
#include "reach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

const char *reach_kind_name(enum reach_kind k)
{
	static const char *const names[] = { "subnet", "on-premises", "appliance", "internet" };
	return names[k];
}

const char *reach_sym_name(enum reach_sym s)
{
	static const char *const names[] = { "-", "symmetric", "asymmetric", "ecmp" };
	return names[s];
}

/* The Internet stands as one public address (RULES 1.11). */
#define REACH_INTERNET_ADDR 0x08080808u

struct interner {
	uint32_t *slots;               /* result index + 1, 0 empty */
	size_t cap;                    /* power of two */
};

/* What decides a flow once its first lookup is known (see flow_id). */
struct first_key {
	enum nh_type nh;
	uint32_t nh_ip;
	struct prefix matched;
	const char *route_table;
	const void *where;             /* holder NIC, routing domain or VNet (see flow_id) */
	const void *set;               /* the domain's BGP set, for the ECMP members */
	bool has_table;
};

#define MEMO_MAX 64

struct builder {
	struct reach *r;
	size_t rcap;
	struct interner in;
	const struct trace_env *env;
	struct trace t;
	bool has_lbs;                  /* the topology has load balancer frontends */
	struct first_key memo_key[MEMO_MAX]; /* per destination: first hop -> outcome */
	int64_t memo_id[MEMO_MAX];
	size_t nmemo;
};

/* FNV-1a over 8-byte words (the tail bytewise), with a final mix: a
 * result is some 200 bytes, hashed once per distinct trace. */
static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 1099511628211ull;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static int intern_grow(struct builder *b)
{
	size_t cap = b->in.cap ? b->in.cap * 2 : 256;
	uint32_t *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < b->r->nresults; i++) {
		size_t h = hash_bytes(&b->r->results[i], sizeof b->r->results[i]) & (cap - 1);
		while (s[h])
			h = (h + 1) & (cap - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(b->in.slots);
	b->in.slots = s, b->in.cap = cap;
	return 0;
}

/* The index of x among the results, added when new; -1 out of memory. */
static int64_t intern(struct builder *b, const struct reach_result *x)
{
	if ((b->r->nresults + 1) * 2 > b->in.cap && intern_grow(b) != 0)
		return -1;
	size_t h = hash_bytes(x, sizeof *x) & (b->in.cap - 1);
	while (b->in.slots[h]) {
		uint32_t i = b->in.slots[h] - 1;
		if (memcmp(&b->r->results[i], x, sizeof *x) == 0)
			return i;
		h = (h + 1) & (b->in.cap - 1);
	}
	struct reach_result *slot = VEC_PUSH(b->r->results, b->r->nresults, b->rcap);
	if (!slot)
		return -1;
	memcpy(slot, x, sizeof *x);
	b->in.slots[h] = (uint32_t)b->r->nresults;
	return (int64_t)b->r->nresults - 1;
}

static void add_appl(struct reach_result *x, const struct nic *n)
{
	size_t i = 0;
	while (i < x->nappl && x->appl[i] < n)
		i++;
	if (i < x->nappl && x->appl[i] == n)
		return;
	if (x->nappl == REACH_MAX_APPL)
		return;
	memmove(&x->appl[i + 1], &x->appl[i], (x->nappl - i) * sizeof x->appl[0]);
	x->appl[i] = n;
	x->nappl++;
}

static void add_grp(struct reach_result *x, const void *g)
{
	size_t i = 0;
	while (i < x->ngrp && (uintptr_t)x->grp[i] < (uintptr_t)g)
		i++;
	if (i < x->ngrp && x->grp[i] == g)
		return;
	if (x->ngrp == REACH_MAX_APPL)
		return;
	memmove(&x->grp[i + 1], &x->grp[i], (x->ngrp - i) * sizeof x->grp[0]);
	x->grp[i] = g;
	x->ngrp++;
}

static void add_exit(struct reach_result *x, struct reach_exit e)
{
	for (size_t i = 0; i < x->nexit; i++)
		if (x->exits[i].nic == e.nic && x->exits[i].conn == e.conn && x->exits[i].lb == e.lb)
			return;
	if (x->nexit < REACH_MAX_EXIT)
		x->exits[x->nexit++] = e;
}

static bool same_set(const void *const *a, size_t na, const void *const *b, size_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof *a) == 0;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const void *const *)a, y = (uintptr_t) * (const void *const *)b;
	return x < y ? -1 : x > y;
}

/* One trace reduced to its outcome (memset first: the bytes are the key). */
static void summarise(const struct topology *topo, const struct trace *t, struct reach_result *x)
{
	memset(x, 0, sizeof *x);
	const void *first[TRACE_MAX_DEPTH + 2];
	size_t nfirst = 0;
	bool have_first = false, any_lb = false;
	for (size_t i = 0; i < t->n && !any_lb; i++)
		any_lb = t->hops[i].lb != NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_hop *h = &t->hops[i];
		if (h->end == TRACE_CONTINUES)
			continue;
		x->npaths++;
		bool ok = h->end == TRACE_DELIVERED || h->end == TRACE_LEFT;
		if (ok) {
			x->nok++;
			if (x->ok_why == TW_NONE)
				x->ok_why = h->why;
		} else if (x->why == TW_NONE) {
			x->why = h->why;
			x->why_at = h->to_nic;
			if (h->why == TW_LB_DOWN || h->why == TW_LB_NO_RULE)
				x->why_lb = h->lb->lb;
		}
		const struct nic *ap[TRACE_MAX_DEPTH + 2];
		size_t na = trace_path_appliances(t, i, ap, TRACE_MAX_DEPTH + 2);
		if (na > TRACE_MAX_DEPTH + 2)
			na = TRACE_MAX_DEPTH + 2;
		qsort(ap, na, sizeof *ap, cmp_ptr);
		for (size_t k = 0; k < na; k++)
			add_appl(x, ap[k]);
		/* Spread and symmetry compare groups: the backends of one load
		 * balancer frontend are one (trace_path_groups). */
		const void *gp[TRACE_MAX_DEPTH + 2];
		size_t ng = na;
		if (any_lb) {
			ng = trace_path_groups(t, i, gp, TRACE_MAX_DEPTH + 2);
			if (ng > TRACE_MAX_DEPTH + 2)
				ng = TRACE_MAX_DEPTH + 2;
			qsort(gp, ng, sizeof *gp, cmp_ptr);
		} else {
			memcpy(gp, ap, na * sizeof *ap); /* no load balancer: a NIC is its group */
		}
		for (size_t k = 0; k < ng; k++)
			add_grp(x, gp[k]);
		if (!have_first) {
			memcpy(first, gp, ng * sizeof *gp);
			nfirst = ng, have_first = true;
		} else if (!same_set(first, nfirst, gp, ng)) {
			x->spread = true;
		}
		if (h->why == TW_HANDED)
			add_exit(x, (struct reach_exit){ h->to_nic, h->lb, NULL });
		else if (h->why == TW_CONNECTION)
			add_exit(x, (struct reach_exit){ NULL, NULL,
							 topology_connection(topo, h->to_name) });
	}
	struct trace_counts c = { x->npaths, x->nok, 0, x->npaths - x->nok, 0 };
	for (size_t i = 0; i < t->n; i++)
		if (t->hops[i].end == TRACE_LOOPED)
			c.looped++;
	x->verdict = trace_verdict(c);
}

/* The outcome of a flow from a subnet's table to addr.  Every source
 * subnet's trace to one address depends only on its first lookup: the
 * answer (type, address, matched prefix, route table), the routing domain's
 * BGP set (which gives the other ECMP members), and where that answer
 * leads: the NIC holding an appliance address, the routing domain for a
 * gateway, the VNet for a delivery.  Sources sharing those share the
 * trace, so a destination costs one lookup per subnet and one trace per
 * distinct first hop (a handful), not one trace per subnet.  (ECMP
 * members beyond the first are assumed to resolve to the same NICs from
 * every VNet of the domain, as appliance addresses are unique there.) */
static int64_t flow_id(struct builder *b, const struct subnet *sn, uint32_t addr)
{
	const struct eff_table *tab = b->env ? trace_env_table(b->env, sn) : NULL;
	struct first_key k;
	memset(&k, 0, sizeof k);
	if (tab) {
		struct next_hop nh = eff_next_hop(tab, addr, false);
		k.nh = nh.found ? nh.nh : NH_NONE, k.nh_ip = nh.nh_ip, k.matched = nh.matched;
		k.route_table = nh.route_table, k.has_table = true;
		k.set = eff_table_set(tab);
		switch (k.nh) {
		case NH_VIRTUAL_APPLIANCE:
			k.where = b->has_lbs ? trace_env_lb_at(b->env, sn->vnet, nh.nh_ip) : NULL;
			if (!k.where)
				k.where = trace_env_nic_at(b->env, sn->vnet, nh.nh_ip);
			break;
		case NH_VNET_GATEWAY:
			k.where = sn->vnet->domain;
			break;
		case NH_VNET_LOCAL:
		case NH_VNET_PEERING:
		case NH_VNET_GLOBAL_PEERING:
		case NH_INTERFACE_ENDPOINT:
			k.where = sn->vnet;
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < b->nmemo; i++)
		if (memcmp(&b->memo_key[i], &k, sizeof k) == 0)
			return b->memo_id[i];
	struct reach_result x;
	if (trace_run(b->env, NULL, sn, addr, &b->t) != 0)
		return -1;
	summarise(b->r->topo, &b->t, &x);
	int64_t id = intern(b, &x);
	if (id >= 0 && b->nmemo < MEMO_MAX) {
		b->memo_key[b->nmemo] = k;
		b->memo_id[b->nmemo++] = id;
	}
	return id;
}

/* ---- destinations ---------------------------------------------------------- */

static int dest_cmp(const void *a, const void *b)
{
	const struct reach_dest *x = a, *y = b;
	int c = prefix_compare(x->prefix, y->prefix);
	if (c)
		return c;
	return (int)x->kind - (int)y->kind;
}

static int push_dest(struct reach *r, size_t *cap, enum reach_kind k, struct prefix p)
{
	if (p.len == 0)
		return 0; /* the Internet destination stands for 0.0.0.0/0 */
	struct reach_dest *d = VEC_PUSH(r->dests, r->ndests, *cap);
	if (!d)
		return -1;
	uint32_t addr = p.len >= 31 ? p.addr : p.addr + 1;
	*d = (struct reach_dest){ k, p, addr, NULL };
	return 0;
}

static int learned_dests(struct reach *r, size_t *cap, const struct speakers *sp)
{
	const struct topology *t = r->topo;
	size_t from = r->ndests;
	for (size_t c = 0; c < t->nconns; c++)
		for (size_t i = 0; i < t->conns[c]->static_prefixes.n; i++)
			if (push_dest(r, cap, RK_ONPREM, t->conns[c]->static_prefixes.v[i]) != 0)
				return -1;
	for (size_t i = 0; sp && i < speakers_count(sp); i++) {
		const struct peer *p = speakers_at(sp, i);
		if (!p->present)
			continue;
		enum reach_kind k = p->kind == PEER_NVA ? RK_APPLIANCE : RK_ONPREM;
		for (unsigned inst = 0; inst < p->ninst && inst < 2; inst++)
			for (size_t j = 0; j < p->in[inst].n; j++)
				if (push_dest(r, cap, k, p->in[inst].v[j].prefix) != 0)
					return -1;
	}
	/* One destination per prefix: on-premises wins over appliance. */
	size_t n = r->ndests - from;
	struct reach_dest *v = r->dests + from;
	qsort(v, n, sizeof *v, dest_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || !prefix_equal(v[k - 1].prefix, v[i].prefix))
			v[k++] = v[i];
	r->ndests = from + k;
	return 0;
}

static int build_dests(struct reach *r, const struct speakers *sp)
{
	const struct topology *t = r->topo;
	size_t cap = 0;
	for (size_t s = 0; s < t->nsubnets; s++) {
		const struct subnet *sn = t->subnets[s];
		struct reach_dest *d = VEC_PUSH(r->dests, r->ndests, cap);
		if (!d)
			return -1;
		struct prefix p = sn->prefixes.v[0];
		uint32_t addr = sn->nic_count ? t->subnet_nics[sn->nic_first]->ip : p.addr + 4;
		*d = (struct reach_dest){ RK_SUBNET, p, addr, sn };
	}
	if (learned_dests(r, &cap, sp) != 0)
		return -1;
	struct reach_dest *d = VEC_PUSH(r->dests, r->ndests, cap);
	if (!d)
		return -1;
	*d = (struct reach_dest){ RK_INTERNET, { 0, 0 }, REACH_INTERNET_ADDR, NULL };
	return 0;
}

/* ---- symmetry ------------------------------------------------------------- */

static const struct subnet *gateway_subnet(const struct vnet *v)
{
	for (size_t i = 0; i < v->nsubnets; i++)
		if (strcmp(v->subnets[i]->name, "GatewaySubnet") == 0)
			return v->subnets[i];
	return NULL;
}

/* Return sets gathered over a flow's exits. */
struct ret {
	bool spread, known;
	bool have;                     /* a first set was seen */
	const void *first[REACH_MAX_APPL + 1];
	size_t nfirst;
};

/* A return path's groups, plus extra (the group of the appliance it
 * starts at), compared with the others seen. */
static void ret_add(struct ret *rt, const struct reach_result *x, const void *extra)
{
	const void *set[REACH_MAX_APPL + 1];
	size_t n = 0;
	for (size_t i = 0; i < x->ngrp; i++)
		set[n++] = x->grp[i];
	if (extra) {
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= set[i] == extra;
		if (!dup)
			set[n++] = extra;
		qsort(set, n, sizeof *set, cmp_ptr);
	}
	rt->known = true;
	rt->spread |= x->spread;
	if (!rt->have) {
		memcpy(rt->first, set, n * sizeof *set);
		rt->nfirst = n, rt->have = true;
	} else if (!same_set(rt->first, rt->nfirst, set, n)) {
		rt->spread = true;
	}
}

static enum reach_sym compare(const struct reach_result *fwd, const struct ret *rt)
{
	/* A return path that is dropped still tells which appliances it
	 * would cross: the asymmetry is what makes stateful ones drop it. */
	if (!rt->known)
		return RS_NA;
	if (fwd->spread || rt->spread)
		return fwd->ngrp || rt->nfirst ? RS_ECMP : RS_SYMMETRIC;
	return same_set(fwd->grp, fwd->ngrp, rt->first, rt->nfirst) ? RS_SYMMETRIC
								     : RS_ASYMMETRIC;
}

/* Memo of returns from appliances: slot per exit NIC, row per source. */
struct nva_memo {
	const struct nic **nics;
	int64_t *ids;                  /* [slot * nsources + source], -1 unknown */
	size_t n, cap;
};

static int64_t nva_return(struct builder *b, struct nva_memo *m, const struct nic *nic, size_t src)
{
	size_t ns = b->r->nsources, slot = 0;
	while (slot < m->n && m->nics[slot] != nic)
		slot++;
	if (slot == m->n) {
		size_t cap = m->cap;
		if (VEC_RESERVE(m->nics, cap, m->n + 1) != 0)
			return -1;
		int64_t *ids = realloc(m->ids, (m->n + 1) * ns * sizeof *ids);
		if (!ids)
			return -1;
		m->ids = ids, m->cap = cap;
		for (size_t i = 0; i < ns; i++)
			m->ids[m->n * ns + i] = -1;
		m->nics[m->n++] = nic;
	}
	int64_t *id = &m->ids[slot * ns + src];
	if (*id < 0) {
		struct reach_result x;
		if (trace_run(b->env, nic, NULL, b->r->dests[src].addr, &b->t) != 0)
			return -1;
		summarise(b->r->topo, &b->t, &x);
		*id = intern(b, &x);
	}
	return *id;
}

static int symmetry(struct builder *b)
{
	struct reach *r = b->r;
	struct nva_memo m = { 0 };
	int rc = 0;
	for (size_t s = 0; s < r->nsources && rc == 0; s++)
		for (size_t d = 0; d < r->ndests && rc == 0; d++) {
			uint32_t *cell = &r->cells[s * r->ndests + d];
			const struct reach_dest *dst = &r->dests[d];
			struct reach_result fwd = r->results[*cell >> 2];
			struct ret rt = { 0 };
			if (fwd.verdict != TV_DELIVERED || dst->kind == RK_INTERNET)
				continue;
			if (dst->kind == RK_SUBNET) {
				size_t back = dst->subnet->index * r->ndests + s;
				ret_add(&rt, &r->results[r->cells[back] >> 2], NULL);
			}
			for (size_t e = 0; e < fwd.nexit && dst->kind != RK_SUBNET; e++) {
				const struct reach_exit *x = &fwd.exits[e];
				if (x->nic) {
					int64_t id = nva_return(b, &m, x->nic, s);
					if (id < 0) {
						rc = -1;
						break;
					}
					ret_add(&rt, &r->results[id],
						x->lb ? (const void *)x->lb : (const void *)x->nic);
				} else if (x->conn) {
					const struct subnet *g = gateway_subnet(x->conn->gw->vnet);
					if (g)
						ret_add(&rt, &r->results[r->cells[g->index * r->ndests +
										  s] >> 2],
							NULL);
				}
			}
			*cell |= (uint32_t)compare(&fwd, &rt);
		}
	free(m.nics);
	free(m.ids);
	return rc;
}

/* The flows of r's sources to its destinations (r->dests set), and their
 * symmetry; r destroyed and NULL on failure. */
static struct reach *fill(struct reach *r, const struct trace_env *e, int rc)
{
	struct builder b;
	memset(&b, 0, sizeof b);
	b.r = r, b.env = e;
	for (size_t l = 0; l < r->topo->nlbs && !b.has_lbs; l++)
		b.has_lbs = r->topo->lbs[l]->nfrontends > 0;
	if (rc == 0) {
		r->cells = calloc(r->nsources * r->ndests + 1, sizeof *r->cells);
		rc = r->cells ? 0 : -1;
	}
	for (size_t d = 0; d < r->ndests && rc == 0; d++) {
		b.nmemo = 0;
		for (size_t s = 0; s < r->nsources && rc == 0; s++) {
			int64_t id = flow_id(&b, r->topo->subnets[s], r->dests[d].addr);
			if (id < 0)
				rc = -1;
			else
				r->cells[s * r->ndests + d] = (uint32_t)id << 2;
		}
	}
	if (rc == 0)
		rc = symmetry(&b);
	free(b.in.slots);
	trace_fini(&b.t);
	if (rc != 0) {
		reach_destroy(r);
		return NULL;
	}
	return r;
}

struct reach *reach_compute(const struct trace_env *e, const struct speakers *sp)
{
	struct reach *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->topo = trace_env_topology(e);
	r->nsources = r->topo->nsubnets;
	return fill(r, e, build_dests(r, sp));
}

struct reach *reach_compute_dests(const struct trace_env *e, const struct reach_dest *dests,
				  size_t n)
{
	struct reach *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->topo = trace_env_topology(e);
	r->nsources = r->topo->nsubnets;
	r->dests = malloc((n + 1) * sizeof *r->dests);
	if (r->dests) {
		if (n)
			memcpy(r->dests, dests, n * sizeof *dests);
		r->ndests = n;
	}
	return fill(r, e, r->dests ? 0 : -1);
}

void reach_destroy(struct reach *r)
{
	if (!r)
		return;
	free(r->dests);
	free(r->results);
	free(r->cells);
	free(r);
}

const char *reach_result_ends(const struct reach_result *x, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < x->nexit && k < len; i++) {
		const struct reach_exit *e = &x->exits[i];
		const char *name = e->nic ? e->nic->name : e->conn->name;
		k += (size_t)snprintf(buf + k, len - k, "%s%s%s", k ? ", " : "",
				      e->nic ? "handed to " : "via ", name);
	}
	if (x->nexit == 0 && x->nok && k < len)
		k += (size_t)snprintf(buf + k, len - k, "%s",
				      x->ok_why == TW_INTERNET  ? "Internet"
				      : x->ok_why == TW_SERVICE ? "service endpoint"
				      : x->ok_why == TW_NO_NIC  ? "delivered (no NIC holds the address)"
								: "delivered");
	if (x->why != TW_NONE && k < len)
		snprintf(buf + k, len - k, "%s%s%s%s%s%s%s", k ? "; " : "", trace_why_text(x->why),
			 x->why_at ? " at " : "", x->why_at ? x->why_at->name : "",
			 x->why_lb ? " (" : "", x->why_lb ? x->why_lb->name : "", x->why_lb ? ")" : "");
	return buf;
}

const char *reach_result_appliances(const struct reach_result *x, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < x->nappl && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "", x->appl[i]->name);
	if (!x->nappl)
		snprintf(buf, len, "-");
	return buf;
}
