/*
 * trace.c - hop-by-hop traces (RULES 1.11); see trace.h.
 *
 * The environment holds three derived indexes, built once:
 *  - every NIC and private endpoint address, sorted, to find who holds an
 *    address in O(log n);
 *  - every internal load balancer frontend, sorted by address likewise
 *    (RULES 1.11.2.7);
 *  - every NVA peer by address: down or not, and an LPM table of what it
 *    advertised (its Adj-RIB-Out towards either instance), to decide
 *    whether the packet leaves there (RULES 1.11.2.5);
 *  - per VPN gateway, an LPM table of destination -> connection (static
 *    prefixes and the routes each connection's session holds, the shorter
 *    AS path then the earlier connection winning a tie, RULES 1.11.3).
 * Everything else is read from the tables at trace time.
 */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "lpm.h"
#include "vec.h"

/* holder and appliance begin with their address: ip_run reads it there. */
struct holder {
	uint32_t ip;
	const struct nic *nic;                /* or NULL: a private endpoint */
	const struct private_endpoint *pe;
};

struct appliance {
	uint32_t ip;
	const char *id;                       /* the topology's "ars/nva1" */
	bool down;
	struct lpm *adv;                      /* what it advertised (value unused) */
};

/* A load balancer frontend, beginning with its address (ip_run). */
struct fe_entry {
	uint32_t ip;
	const struct lb_frontend *fe;
};

struct trace_env {
	const struct topology *topo;
	struct eff_table *const *tables;
	const bool *unprog;
	struct holder *holders;
	size_t nholders;
	struct fe_entry *fes;                 /* sorted by ip, then scenario order */
	size_t nfes;
	struct appliance *apps;               /* sorted by ip */
	size_t napps;
	struct lpm **gw_lpm;                  /* per topo->gws index, NULL for ExpressRoute */
};

static int holder_cmp(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return 0;
}

static int app_cmp(const void *a, const void *b)
{
	const struct appliance *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int env_holders(struct trace_env *e)
{
	const struct topology *t = e->topo;
	e->holders = calloc(t->nnics + t->npes + 1, sizeof *e->holders);
	if (!e->holders)
		return -1;
	for (size_t i = 0; i < t->nnics; i++)
		e->holders[e->nholders++] = (struct holder){ t->nics[i].ip, &t->nics[i], NULL };
	for (size_t i = 0; i < t->npes; i++)
		e->holders[e->nholders++] = (struct holder){ t->pes[i].ip, NULL, &t->pes[i] };
	/* qsort is not stable: equal addresses keep scenario order through
	 * the tie on the pointer order of the arrays they come from. */
	qsort(e->holders, e->nholders, sizeof *e->holders, holder_cmp);
	return 0;
}

static int fe_cmp(const void *a, const void *b)
{
	const struct fe_entry *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return x->fe < y->fe ? -1 : x->fe > y->fe; /* one arena per load balancer: file order */
}

static int env_frontends(struct trace_env *e)
{
	const struct topology *t = e->topo;
	size_t n = 0;
	for (size_t l = 0; l < t->nlbs; l++)
		n += t->lbs[l]->nfrontends;
	e->fes = calloc(n + 1, sizeof *e->fes);
	if (!e->fes)
		return -1;
	for (size_t l = 0; l < t->nlbs; l++)
		for (size_t f = 0; f < t->lbs[l]->nfrontends; f++) {
			const struct lb_frontend *fe = &t->lbs[l]->frontends[f];
			e->fes[e->nfes++] = (struct fe_entry){ fe->ip, fe };
		}
	qsort(e->fes, e->nfes, sizeof *e->fes, fe_cmp);
	return 0;
}

static int rib_into_lpm(struct lpm *l, const struct rib *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (lpm_insert(l, r->v[i].prefix, 0) != 0)
			return -1;
	return 0;
}

static int env_appliances(struct trace_env *e, const struct speakers *sp)
{
	const struct topology *t = e->topo;
	size_t n = 0;
	for (size_t r = 0; r < t->nrss; r++)
		n += t->rss[r]->nconns;
	e->apps = calloc(n + 1, sizeof *e->apps);
	if (!e->apps)
		return -1;
	for (size_t r = 0; r < t->nrss; r++)
		for (size_t c = 0; c < t->rss[r]->nconns; c++) {
			const struct bgp_conn *bc = &t->rss[r]->conns[c];
			struct appliance *a = &e->apps[e->napps++];
			*a = (struct appliance){ bc->peer_ip, bc->id, false, lpm_create() };
			if (!a->adv)
				return -1;
			const struct peer *p = sp ? speakers_peer(sp, bc->id) : NULL;
			if (!p)
				continue;
			a->down = !p->admin_up;
			for (unsigned k = 0; k < p->ninst && k < 2; k++)
				if (rib_into_lpm(a->adv, &p->sent[k]) != 0)
					return -1;
		}
	qsort(e->apps, e->napps, sizeof *e->apps, app_cmp);
	return 0;
}

/* A gateway's choice among its connections for one prefix. */
struct gw_entry {
	struct prefix p;
	unsigned as_len;
	uint32_t conn;
};

static int gw_entry_cmp(const void *a, const void *b)
{
	const struct gw_entry *x = a, *y = b;
	int c = prefix_compare(x->p, y->p);
	if (c)
		return c;
	if (x->as_len != y->as_len)
		return x->as_len < y->as_len ? -1 : 1;
	return x->conn < y->conn ? -1 : x->conn > y->conn;
}

static int gw_push(struct gw_entry **v, size_t *n, size_t *cap, struct prefix p, unsigned as_len,
		   uint32_t conn)
{
	struct gw_entry *x = VEC_PUSH(*v, *n, *cap);
	if (!x)
		return -1;
	*x = (struct gw_entry){ p, as_len, conn };
	return 0;
}

static struct lpm *gateway_lpm(const struct gateway *g, const struct speakers *sp)
{
	struct gw_entry *v = NULL;
	size_t n = 0, cap = 0;
	struct lpm *l = lpm_create();
	int rc = l ? 0 : -1;
	for (size_t c = 0; c < g->nconns && rc == 0; c++) {
		const struct connection *cn = g->conns[c];
		for (size_t i = 0; i < cn->static_prefixes.n && rc == 0; i++)
			rc = gw_push(&v, &n, &cap, cn->static_prefixes.v[i], 0, (uint32_t)c);
		const struct peer *p = sp ? speakers_peer(sp, cn->name) : NULL;
		for (unsigned k = 0; p && k < p->ninst && k < 2 && rc == 0; k++)
			for (size_t i = 0; i < p->in[k].n && rc == 0; i++)
				rc = gw_push(&v, &n, &cap, p->in[k].v[i].prefix, p->in[k].v[i].as_len,
					     (uint32_t)c);
	}
	if (rc == 0 && n)
		qsort(v, n, sizeof *v, gw_entry_cmp);
	/* The first entry of each prefix is the winner (sorted above). */
	for (size_t i = 0; i < n && rc == 0; i++)
		if (i == 0 || !prefix_equal(v[i].p, v[i - 1].p))
			rc = lpm_insert(l, v[i].p, v[i].conn);
	free(v);
	if (rc != 0) {
		lpm_destroy(l);
		return NULL;
	}
	return l;
}

struct trace_env *trace_env_create(const struct trace_env_input *in)
{
	struct trace_env *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->topo = in->topo;
	e->tables = in->tables;
	e->unprog = in->nic_unprogrammed;
	e->gw_lpm = calloc(in->topo->ngws + 1, sizeof *e->gw_lpm);
	bool ok = e->gw_lpm && env_holders(e) == 0 && env_frontends(e) == 0 &&
		  env_appliances(e, in->sp) == 0;
	for (size_t g = 0; ok && g < in->topo->ngws; g++)
		if (in->topo->gws[g]->type == GW_VPN) {
			e->gw_lpm[g] = gateway_lpm(in->topo->gws[g], in->sp);
			ok = e->gw_lpm[g] != NULL;
		}
	if (!ok) {
		trace_env_destroy(e);
		return NULL;
	}
	return e;
}

void trace_env_destroy(struct trace_env *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->napps; i++)
		lpm_destroy(e->apps[i].adv);
	if (e->gw_lpm)
		for (size_t g = 0; g < e->topo->ngws; g++)
			lpm_destroy(e->gw_lpm[g]);
	free(e->gw_lpm);
	free(e->apps);
	free(e->fes);
	free(e->holders);
	free(e);
}

const struct topology *trace_env_topology(const struct trace_env *e)
{
	return e->topo;
}

const struct eff_table *trace_env_table(const struct trace_env *e, const struct subnet *s)
{
	return e->tables[s->index];
}

const char *trace_end_name(enum trace_end e)
{
	static const char *const names[] = { "continues", "delivered", "left", "dropped",
					     "looped" };
	return names[e];
}

const char *trace_why_text(enum trace_why w)
{
	switch (w) {
	case TW_NONE: return "";
	case TW_NIC: return "delivered to the NIC";
	case TW_PRIVATE_ENDPOINT: return "delivered to the private endpoint";
	case TW_NO_NIC: return "delivered into the network, but no NIC holds the address";
	case TW_INTERNET: return "left to the Internet";
	case TW_SERVICE: return "left to the service endpoint";
	case TW_HANDED: return "handed to the appliance that advertised the route";
	case TW_CONNECTION: return "left through the gateway connection";
	case TW_NONE_ROUTE: return "next hop None";
	case TW_NO_HOLDER: return "no NIC holds the appliance address";
	case TW_LB_NO_RULE: return "the load balancer frontend has no HA-ports rule";
	case TW_LB_DOWN: return "every backend of the load balancer is down";
	case TW_DOWN: return "the appliance's VM is down";
	case TW_NO_FORWARDING: return "the appliance NIC has enableIPForwarding false";
	case TW_NO_GATEWAY_ROUTE: return "the gateway has no connection for the destination";
	case TW_NO_TABLE: return "the subnet has no routes at this moment";
	case TW_TOO_LONG: return "more than 16 hops";
	case TW_LOOP: return "loop: the path comes back to this NIC";
	}
	return "";
}

static bool peered(const struct vnet *a, const struct vnet *b)
{
	for (size_t i = 0; i < a->npeerings; i++)
		if (a->peerings[i].remote == b && a->peerings[i].connected)
			return true;
	return false;
}

/* The run of elements whose address (a uint32_t, each element's first
 * member) is ip, in an array sorted by it: [*first, *first + return). */
static size_t ip_run(const void *base, size_t n, size_t size, uint32_t ip, size_t *first)
{
	const unsigned char *b = base;
	uint32_t at;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		memcpy(&at, b + mid * size, sizeof at);
		if (at < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < n && (memcpy(&at, b + end * size, sizeof at), at == ip))
		end++;
	*first = lo;
	return end - lo;
}

/* The holders of addr: [*first, *first + return). */
static size_t holders_of(const struct trace_env *e, uint32_t addr, size_t *first)
{
	return ip_run(e->holders, e->nholders, sizeof *e->holders, addr, first);
}

static const struct vnet *holder_vnet(const struct holder *h)
{
	return h->nic ? h->nic->subnet->vnet : h->pe->subnet->vnet;
}

/* Who holds addr as seen from vnet: that VNet, a connected peer, anyone. */
static const struct holder *holder_at(const struct trace_env *e, const struct vnet *vnet,
				      uint32_t addr)
{
	size_t first, n = holders_of(e, addr, &first);
	if (n == 0)
		return NULL;
	const struct holder *h = &e->holders[first];
	for (size_t i = 0; i < n; i++)
		if (holder_vnet(&h[i]) == vnet)
			return &h[i];
	for (size_t i = 0; i < n; i++)
		if (peered(vnet, holder_vnet(&h[i])))
			return &h[i];
	return h;
}

const struct nic *trace_env_nic_at(const struct trace_env *e, const struct vnet *vnet,
				   uint32_t addr)
{
	const struct holder *h = holder_at(e, vnet, addr);
	return h ? h->nic : NULL;
}

/* How near an object of VNet b is, seen from a: 0 the same VNet, 1 a
 * connected peer, 2 anywhere else. */
static int nearness(const struct vnet *a, const struct vnet *b)
{
	return a == b ? 0 : peered(a, b) ? 1 : 2;
}

const struct lb_frontend *trace_env_lb_at(const struct trace_env *e, const struct vnet *vnet,
					  uint32_t addr)
{
	size_t first, n = ip_run(e->fes, e->nfes, sizeof *e->fes, addr, &first);
	const struct lb_frontend *best = NULL;
	int rank = 3;
	for (size_t i = 0; i < n; i++) {
		int k = nearness(vnet, e->fes[first + i].fe->lb->vnet);
		if (k < rank)
			best = e->fes[first + i].fe, rank = k;
	}
	const struct holder *ho = best ? holder_at(e, vnet, addr) : NULL;
	if (ho && nearness(vnet, holder_vnet(ho)) <= rank)
		return NULL;
	return best;
}

/* The appliances (NVA peers) at ip: [*first, *first + return). */
static size_t apps_at(const struct trace_env *e, uint32_t ip, size_t *first)
{
	return ip_run(e->apps, e->napps, sizeof *e->apps, ip, first);
}

/* ---- one trace ----------------------------------------------------------- */

struct member {
	enum nh_type nh;
	uint32_t ip;
	bool has_ip, from_rs;
};

#define MAX_MEMBERS 16

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return (int)x->from_rs - (int)y->from_rs;
}

/* The ECMP set behind the answer nh: every Active gateway row of the
 * matched prefix when a gateway row won (RULES 1.7: the answer names only
 * the lowest address), else the answer alone.  Duplicate addresses (one
 * row per gateway instance, RULES E9.11) are one member. */
static size_t ecmp_members(const struct eff_table *tab, bool wrs, const struct next_hop *nh,
			   struct member *out)
{
	size_t n = 0;
	if (nh->nh == NH_VNET_GATEWAY && !nh->route_table) {
		struct route_row rows[MAX_MEMBERS * 2];
		size_t k = eff_rows_with_prefix(tab, nh->matched, wrs, rows, MAX_MEMBERS * 2);
		if (k > MAX_MEMBERS * 2)
			k = MAX_MEMBERS * 2;
		for (size_t i = 0; i < k && n < MAX_MEMBERS; i++) {
			const struct route_row *r = &rows[i];
			if (!r->active || r->source != SRC_GATEWAY || r->nh != NH_VNET_GATEWAY)
				continue;
			bool dup = false;
			for (size_t j = 0; j < n && !dup; j++)
				dup = out[j].ip == r->nh_ip && out[j].has_ip == r->has_nh_ip;
			if (!dup)
				out[n++] = (struct member){ r->nh, r->nh_ip, r->has_nh_ip,
							    r->from_route_server };
		}
		qsort(out, n, sizeof *out, member_cmp);
	}
	if (n == 0)
		out[n++] = (struct member){ nh->nh, nh->nh_ip, nh->has_nh_ip, false };
	return n;
}

struct walk {
	const struct trace_env *e;
	struct trace *t;
	uint32_t dst;
	const struct nic *src_nic;
};

static int follow(struct walk *w, size_t parent, unsigned depth, const struct nic *nic,
		  const struct subnet *subnet);

static bool on_path(const struct walk *w, size_t hop, const struct nic *n)
{
	if (w->src_nic == n)
		return true;
	for (size_t i = hop; i != TRACE_ROOT; i = w->t->hops[i].parent)
		if (w->t->hops[i].from_nic == n)
			return true;
	return false;
}

/* A gateway row or route: which connection the packet leaves through. */
static void gateway_hop(const struct walk *w, const struct vnet *vnet, struct trace_hop *h)
{
	const struct topology *t = w->e->topo;
	if (h->has_nh_ip)
		for (size_t c = 0; c < t->nconns; c++) {
			const struct connection *cn = t->conns[c];
			for (size_t i = 0; i < cn->ner_next_hops; i++)
				if (cn->er_next_hops[i] == h->nh_ip) {
					h->end = TRACE_LEFT, h->why = TW_CONNECTION;
					h->to_name = cn->name;
					return;
				}
		}
	const struct gateway *gw = NULL;
	size_t gi = 0;
	for (size_t g = 0; g < t->ngws && !gw; g++)
		if (t->gws[g]->type == GW_VPN && h->has_nh_ip &&
		    (t->gws[g]->instance_ip[0] == h->nh_ip || t->gws[g]->instance_ip[1] == h->nh_ip))
			gw = t->gws[g], gi = g;
	const struct vnet *hub = vnet->domain;
	for (size_t g = 0; g < t->ngws && !gw && hub; g++)
		if (t->gws[g] == hub->vpn_gw)
			gw = t->gws[g], gi = g;
	uint32_t c;
	if (gw && w->e->gw_lpm[gi] && lpm_lookup(w->e->gw_lpm[gi], w->dst, &c)) {
		h->end = TRACE_LEFT, h->why = TW_CONNECTION;
		h->to_name = gw->conns[c]->name;
		return;
	}
	h->end = TRACE_DROPPED, h->why = TW_NO_GATEWAY_ROUTE;
	h->to_name = gw ? gw->name : NULL;
}

/* Whether the VM of the NIC at ip is down: a Route Server peer at that
 * address is (RULES 1.11.2.3); *peer receives its id. */
static bool nic_down(const struct trace_env *e, uint32_t ip, const char **peer)
{
	size_t first, n = apps_at(e, ip, &first);
	for (size_t i = 0; i < n; i++)
		if (e->apps[first + i].down) {
			*peer = e->apps[first + i].id;
			return true;
		}
	return false;
}

/* The packet reached appliance NIC nic (RULES 1.11.2.2 to 1.11.2.6). */
static void nic_hop(const struct walk *w, const struct nic *nic, struct trace_hop *h)
{
	h->to_nic = nic;
	if (nic->ip == w->dst) {
		h->end = TRACE_DELIVERED, h->why = TW_NIC;
		return;
	}
	size_t first, n = apps_at(w->e, nic->ip, &first);
	for (size_t i = 0; i < n; i++) /* nic_down, on the run already found */
		if (w->e->apps[first + i].down) {
			h->end = TRACE_DROPPED, h->why = TW_DOWN;
			h->to_name = w->e->apps[first + i].id;
			return;
		}
	if (!nic->ip_forwarding) {
		h->end = TRACE_DROPPED, h->why = TW_NO_FORWARDING;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct prefix adv;
		uint32_t unused;
		if (lpm_lookup_prefix(w->e->apps[first + i].adv, w->dst, &adv, &unused) &&
		    adv.len >= h->matched.len) {
			h->end = TRACE_LEFT, h->why = TW_HANDED;
			h->to_name = w->e->apps[first + i].id;
			return;
		}
	}
	h->end = TRACE_CONTINUES;
}

/* An appliance address: the NIC holding it decides (RULES 1.11.2). */
static void appliance_hop(const struct walk *w, const struct vnet *vnet, struct trace_hop *h)
{
	const struct holder *ho = holder_at(w->e, vnet, h->nh_ip);
	if (!ho) {
		h->end = TRACE_DROPPED, h->why = TW_NO_HOLDER;
		return;
	}
	if (!ho->nic) {
		h->to_name = ho->pe->name;
		h->end = ho->ip == w->dst ? TRACE_DELIVERED : TRACE_DROPPED;
		h->why = ho->ip == w->dst ? TW_PRIVATE_ENDPOINT : TW_NO_FORWARDING;
		return;
	}
	nic_hop(w, ho->nic, h);
}

/* Delivery inside the network (VnetLocal, peering). */
static void deliver_hop(const struct walk *w, const struct vnet *vnet, struct trace_hop *h)
{
	const struct holder *ho = holder_at(w->e, vnet, w->dst);
	h->end = TRACE_DELIVERED;
	if (!ho) {
		h->why = TW_NO_NIC;
	} else if (ho->nic) {
		h->why = TW_NIC, h->to_nic = ho->nic;
	} else {
		h->why = TW_PRIVATE_ENDPOINT, h->to_name = ho->pe->name;
	}
}

static void decide(const struct walk *w, const struct vnet *vnet, struct trace_hop *h)
{
	switch (h->nh) {
	case NH_VNET_LOCAL:
	case NH_VNET_PEERING:
	case NH_VNET_GLOBAL_PEERING:
		deliver_hop(w, vnet, h);
		break;
	case NH_INTERFACE_ENDPOINT:
		deliver_hop(w, vnet, h);
		break;
	case NH_INTERNET:
		h->end = TRACE_LEFT, h->why = TW_INTERNET;
		break;
	case NH_SERVICE_ENDPOINT:
		h->end = TRACE_LEFT, h->why = TW_SERVICE;
		break;
	case NH_VIRTUAL_APPLIANCE:
		appliance_hop(w, vnet, h);
		break;
	case NH_VNET_GATEWAY:
		if (h->from_rs && h->has_nh_ip)
			appliance_hop(w, vnet, h);
		else
			gateway_hop(w, vnet, h);
		break;
	case NH_NONE:
	default:
		h->end = TRACE_DROPPED, h->why = TW_NONE_ROUTE;
		break;
	}
}

static struct trace_hop *push_hop(struct walk *w, size_t parent, unsigned depth,
				  const struct nic *nic, const struct subnet *subnet)
{
	struct trace_hop *h = VEC_PUSH(w->t->hops, w->t->n, w->t->cap);
	if (h)
		*h = (struct trace_hop){ .parent = parent, .depth = depth, .from_nic = nic,
					 .from_subnet = subnet };
	return h;
}

/* One hop of the route taken (member i of nm of the answer nh). */
static struct trace_hop *route_hop(struct walk *w, size_t parent, unsigned depth,
				   const struct nic *nic, const struct subnet *subnet,
				   const struct next_hop *nh, const struct member *m, size_t i,
				   size_t nm)
{
	struct trace_hop *h = push_hop(w, parent, depth, nic, subnet);
	if (!h)
		return NULL;
	h->nh = nh->found ? m->nh : NH_NONE;
	h->nh_ip = m->ip, h->has_nh_ip = m->has_ip, h->from_rs = m->from_rs;
	h->route_table = nh->route_table, h->matched = nh->matched;
	h->member = (unsigned)i, h->nmembers = (unsigned)nm;
	return h;
}

/* After hop `at` was decided: on from its NIC when it continues. */
static int go_on(struct walk *w, size_t at, unsigned depth)
{
	struct trace_hop *h = &w->t->hops[at];
	if (h->end != TRACE_CONTINUES)
		return 0;
	const struct nic *next = h->to_nic;
	if (on_path(w, at, next)) {
		h->end = TRACE_LOOPED, h->why = TW_LOOP;
		return 0;
	}
	return follow(w, at, depth + 1, next, next->subnet);
}

/* The internal load balancer frontend an appliance member's address is, or NULL. */
static const struct lb_frontend *member_lb(const struct walk *w, const struct vnet *vnet,
					   const struct next_hop *nh, const struct member *m)
{
	if (!nh->found || !w->e->nfes || !m->has_ip ||
	    !(m->nh == NH_VIRTUAL_APPLIANCE || (m->nh == NH_VNET_GATEWAY && m->from_rs)))
		return NULL;
	return trace_env_lb_at(w->e, vnet, m->ip);
}

/* An appliance address that is a load balancer frontend (RULES 1.11.2.7):
 * one hop per healthy backend, or one dropped hop. */
static int lb_hops(struct walk *w, size_t parent, unsigned depth, const struct nic *nic,
		   const struct subnet *subnet, const struct next_hop *nh, const struct member *m,
		   size_t i, size_t nm, const struct lb_frontend *fe)
{
	const char *peer;
	size_t nup = 0;
	for (size_t b = 0; fe->ha_ports && b < fe->nbackends; b++)
		nup += !nic_down(w->e, fe->backends[b]->ip, &peer);
	if (nup == 0) {
		struct trace_hop *h = route_hop(w, parent, depth, nic, subnet, nh, m, i, nm);
		if (!h)
			return -1;
		h->lb = fe;
		h->end = TRACE_DROPPED, h->why = fe->ha_ports ? TW_LB_DOWN : TW_LB_NO_RULE;
		h->to_name = fe->lb->name;
		return 0;
	}
	unsigned k = 0;
	for (size_t b = 0; b < fe->nbackends; b++) {
		if (nic_down(w->e, fe->backends[b]->ip, &peer))
			continue; /* its health probe fails: no new flow (RULES 1.11.2.7) */
		size_t at = w->t->n;
		struct trace_hop *h = route_hop(w, parent, depth, nic, subnet, nh, m, i, nm);
		if (!h)
			return -1;
		h->lb = fe;
		h->backend = k++, h->nbackends = (unsigned)nup;
		nic_hop(w, fe->backends[b], h);
		if (go_on(w, at, depth) != 0)
			return -1;
	}
	return 0;
}

static int follow(struct walk *w, size_t parent, unsigned depth, const struct nic *nic,
		  const struct subnet *subnet)
{
	const struct trace_env *e = w->e;
	bool wrs = nic && e->unprog && e->unprog[nic - e->topo->nics];
	const struct eff_table *tab = e->tables[subnet->index];
	struct trace_hop *h;
	if (!tab || depth >= TRACE_MAX_DEPTH) {
		if (!(h = push_hop(w, parent, depth, nic, subnet)))
			return -1;
		h->end = TRACE_DROPPED, h->why = tab ? TW_TOO_LONG : TW_NO_TABLE;
		return 0;
	}
	struct next_hop nh = eff_next_hop(tab, w->dst, wrs);
	struct member m[MAX_MEMBERS];
	size_t nm = ecmp_members(tab, wrs, &nh, m);
	for (size_t i = 0; i < nm; i++) {
		const struct lb_frontend *fe = member_lb(w, subnet->vnet, &nh, &m[i]);
		if (fe) {
			if (lb_hops(w, parent, depth, nic, subnet, &nh, &m[i], i, nm, fe) != 0)
				return -1;
			continue;
		}
		size_t at = w->t->n;
		if (!(h = route_hop(w, parent, depth, nic, subnet, &nh, &m[i], i, nm)))
			return -1;
		decide(w, subnet->vnet, h);
		if (go_on(w, at, depth) != 0)
			return -1;
	}
	return 0;
}

int trace_run(const struct trace_env *e, const struct nic *from_nic,
	      const struct subnet *from_subnet, uint32_t dst, struct trace *out)
{
	out->n = 0;
	out->dst = dst;
	struct walk w = { e, out, dst, from_nic };
	if (from_nic)
		from_subnet = from_nic->subnet;
	return follow(&w, TRACE_ROOT, 0, from_nic, from_subnet);
}

void trace_fini(struct trace *t)
{
	free(t->hops);
	*t = (struct trace){ 0 };
}

struct trace_counts trace_count(const struct trace *t)
{
	struct trace_counts c = { 0 };
	for (size_t i = 0; i < t->n; i++) {
		switch (t->hops[i].end) {
		case TRACE_CONTINUES: continue;
		case TRACE_DELIVERED: c.delivered++; break;
		case TRACE_LEFT: c.left++; break;
		case TRACE_DROPPED: c.dropped++; break;
		case TRACE_LOOPED: c.looped++; break;
		}
		c.paths++;
	}
	return c;
}

enum trace_verdict trace_verdict(struct trace_counts c)
{
	size_t ok = c.delivered + c.left;
	if (ok == c.paths)
		return TV_DELIVERED;
	if (ok > 0)
		return TV_PARTLY_DROPPED;
	return c.looped ? TV_LOOPED : TV_DROPPED;
}

const char *trace_verdict_name(enum trace_verdict v)
{
	static const char *const names[] = { "delivered", "partly dropped", "dropped", "looped" };
	return names[v];
}

size_t trace_path_appliances(const struct trace *t, size_t leaf, const struct nic **out,
			     size_t max)
{
	/* Walk up, then reverse: appliances are the NICs lookups were made at
	 * after the first hop, plus the leaf's NIC when it was handed there or
	 * dropped there (the packet reached it). */
	size_t n = 0;
	const struct trace_hop *h = &t->hops[leaf];
	if (h->to_nic && (h->why == TW_HANDED || h->why == TW_DOWN || h->why == TW_NO_FORWARDING ||
			  h->why == TW_LOOP)) {
		if (n < max)
			out[n] = h->to_nic;
		n++;
	}
	for (size_t i = leaf; i != TRACE_ROOT; i = t->hops[i].parent)
		if (t->hops[i].depth > 0) {
			if (n < max)
				out[n] = t->hops[i].from_nic;
			n++;
		}
	size_t k = n < max ? n : max;
	for (size_t i = 0; i < k / 2; i++) {
		const struct nic *x = out[i];
		out[i] = out[k - 1 - i];
		out[k - 1 - i] = x;
	}
	return n;
}

size_t trace_path_groups(const struct trace *t, size_t leaf, const void **out, size_t max)
{
	/* As trace_path_appliances; a NIC entered through a frontend (its
	 * parent hop's, or the leaf's own, lb) stands as that frontend. */
	size_t n = 0;
	const struct trace_hop *h = &t->hops[leaf];
	if (h->to_nic && (h->why == TW_HANDED || h->why == TW_DOWN || h->why == TW_NO_FORWARDING ||
			  h->why == TW_LOOP)) {
		if (n < max)
			out[n] = h->lb ? (const void *)h->lb : (const void *)h->to_nic;
		n++;
	}
	for (size_t i = leaf; i != TRACE_ROOT; i = t->hops[i].parent)
		if (t->hops[i].depth > 0) {
			const struct trace_hop *in = &t->hops[t->hops[i].parent];
			if (n < max)
				out[n] = in->lb ? (const void *)in->lb : (const void *)t->hops[i].from_nic;
			n++;
		}
	size_t k = n < max ? n : max;
	for (size_t i = 0; i < k / 2; i++) {
		const void *x = out[i];
		out[i] = out[k - 1 - i];
		out[k - 1 - i] = x;
	}
	return n;
}

size_t trace_path_via(const struct trace *t, size_t leaf, uint32_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = leaf; i != TRACE_ROOT; i = t->hops[i].parent) {
		const struct trace_hop *h = &t->hops[i];
		if (h->nh == NH_VIRTUAL_APPLIANCE || (h->nh == NH_VNET_GATEWAY && h->from_rs)) {
			if (n < max)
				out[n] = h->nh_ip;
			n++;
		}
	}
	size_t k = n < max ? n : max;
	for (size_t i = 0; i < k / 2; i++) {
		uint32_t x = out[i];
		out[i] = out[k - 1 - i];
		out[k - 1 - i] = x;
	}
	return n;
}
