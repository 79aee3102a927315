/*
 * pitfalls.c - `vnetsim check` warnings (RULES 5).  See pitfalls.h for the
 * list and its sources.
 *
 * JSON paths come from the topology's arrays, which keep scenario order
 * and hold every element after a successful load (topology.h), so
 * vnets[i] is $.topology.virtualNetworks[i], and so on.
 */
#include "pitfalls.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "speaker.h"
#include "diag.h"
#include "strmap.h"
#include "vec.h"

#define PATH_LEN 160

struct ctx {
	const struct scenario *sc;
	const struct topology *t;
	struct diag *d;
	size_t added;
	bool oom;
};

static void warn(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(c->d, DIAG_WARNING, c->sc->file, path, fmt, ap);
	va_end(ap);
	c->added++;
}

/* A heads-up that depends on what the scenario does not say (no event). */
static void note(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(c->d, DIAG_NOTE, c->sc->file, path, fmt, ap);
	va_end(ap); /* not counted: pitfalls_check returns the warnings */
}

static bool near_limit(size_t n, size_t limit)
{
	return n * 100 >= limit * PITFALLS_NEAR_PERCENT;
}

static size_t rt_pos(const struct topology *t, const struct route_table *rt)
{
	for (size_t k = 0; k < t->nrts; k++)
		if (t->rts[k] == rt)
			return k;
	return 0;
}

static bool is_default_udr(const struct udr *u)
{
	return u->tag == TAG_NONE && u->prefixes.n == 1 && u->prefixes.v[0].len == 0;
}

static const struct udr *default_udr(const struct route_table *rt)
{
	for (size_t r = 0; rt && r < rt->nroutes; r++)
		if (is_default_udr(&rt->routes[r]))
			return &rt->routes[r];
	return NULL;
}

/* ---- GatewaySubnet (RULES E1.4) --------------------------------------- */

static void check_gateway_subnets(struct ctx *c)
{
	const struct topology *t = c->t;
	char path[PATH_LEN];
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *v = t->vnets[i];
		for (size_t j = 0; j < v->nsubnets; j++) {
			const struct subnet *s = v->subnets[j];
			if (strcmp(s->name, "GatewaySubnet") != 0 || !s->rt)
				continue;
			if (s->rt->disable_bgp) {
				snprintf(path, sizeof(path),
					 "$.topology.virtualNetworks[%zu].subnets[%zu].routeTable",
					 i, j);
				warn(c, path,
				     "route table \"%s\" disables BGP route propagation on "
				     "GatewaySubnet of \"%s\": Azure says the gateway then stops "
				     "working (use the setting on the other subnets instead)",
				     s->rt->name, v->name);
			}
			const struct udr *u = default_udr(s->rt);
			if (u) {
				snprintf(path, sizeof(path),
					 "$.topology.routeTables[%zu].routes[%zu]",
					 rt_pos(t, s->rt), (size_t)(u - s->rt->routes));
				warn(c, path,
				     "route \"%s\" sends 0.0.0.0/0 from GatewaySubnet of \"%s\"%s: "
				     "Azure advises against a default route on GatewaySubnet (the "
				     "gateway's own control traffic follows it); use specific "
				     "prefixes",
				     u->name, v->name,
				     v->vpn_gw ? " where a VPN gateway runs" : "");
			}
		}
	}
}

/* ---- VirtualAppliance next hops (RULES E2.2, RULES 1.4) ----------------- */

static bool peered(const struct vnet *a, const struct vnet *b)
{
	for (size_t p = 0; p < a->npeerings; p++)
		if (a->peerings[p].remote == b && a->peerings[p].connected)
			return true;
	return false;
}

static bool in_space(const struct vnet *v, uint32_t ip)
{
	for (size_t k = 0; k < v->space.n; k++)
		if (prefix_contains_addr(v->space.v[k], ip))
			return true;
	return false;
}

/* Inside a VnetLocal or VNetPeering prefix of subnets of VNet v. */
static bool reachable_from(const struct vnet *v, uint32_t ip)
{
	if (in_space(v, ip))
		return true;
	for (size_t p = 0; p < v->npeerings; p++)
		if (v->peerings[p].connected && in_space(v->peerings[p].remote, ip))
			return true;
	return false;
}

/* The load balancer frontend at ip that the users of rt can reach (a
 * VNet of theirs or a peer; anywhere for a table no subnet uses). */
static const struct lb_frontend *frontend_at(const struct topology *t, const struct route_table *rt,
					     const struct subnet *first_user, uint32_t ip)
{
	for (size_t l = 0; l < t->nlbs; l++)
		for (size_t f = 0; f < t->lbs[l]->nfrontends; f++) {
			const struct lb_frontend *fe = &t->lbs[l]->frontends[f];
			if (fe->ip != ip)
				continue;
			bool ok = !first_user;
			for (size_t s = 0; s < t->nsubnets && !ok; s++)
				ok = t->subnets[s]->rt == rt &&
				     (t->subnets[s]->vnet == fe->lb->vnet ||
				      peered(t->subnets[s]->vnet, fe->lb->vnet));
			if (ok)
				return fe;
		}
	return NULL;
}

static void check_appliance_route(struct ctx *c, size_t k, size_t r)
{
	const struct topology *t = c->t;
	const struct route_table *rt = t->rts[k];
	const struct udr *u = &rt->routes[r];
	char path[PATH_LEN], ip[IPV4_STRLEN];
	snprintf(path, sizeof(path), "$.topology.routeTables[%zu].routes[%zu]", k, r);
	ipv4_format(u->nh_ip, ip);

	/* The subnets using the table, and whether each reaches the address. */
	const struct subnet *first_user = NULL, *unreachable = NULL;
	for (size_t i = 0; i < t->nsubnets; i++) {
		const struct subnet *s = t->subnets[i];
		if (s->rt != rt)
			continue;
		if (!first_user)
			first_user = s;
		if (!unreachable && !reachable_from(s->vnet, u->nh_ip))
			unreachable = s;
	}
	if (unreachable)
		warn(c, path,
		     "next hop %s of route \"%s\" lies outside every VNet and peered prefix of "
		     "subnet %s: Azure shows the route with next hop type None there and drops the "
		     "traffic (RULES 1.4)",
		     ip, u->name, unreachable->id);

	/* Who holds the address: a NIC in a VNet the users can reach (or
	 * anywhere, for a table no subnet uses). */
	const struct nic *holder = NULL;
	for (size_t i = 0; i < t->nnics && !holder; i++) {
		const struct nic *n = &t->nics[i];
		if (n->ip != u->nh_ip)
			continue;
		bool ok = !first_user;
		for (size_t s = 0; s < t->nsubnets && !ok; s++)
			ok = t->subnets[s]->rt == rt &&
			     (t->subnets[s]->vnet == n->subnet->vnet ||
			      peered(t->subnets[s]->vnet, n->subnet->vnet));
		if (ok)
			holder = n;
	}
	if (!holder) {
		const struct lb_frontend *fe = frontend_at(t, rt, first_user, u->nh_ip);
		if (fe && !fe->ha_ports)
			warn(c, path,
			     "%s, the next hop of route \"%s\", is frontend \"%s\" of load balancer "
			     "\"%s\", which has no HA-ports rule: traffic to other ports than its "
			     "rules' is not forwarded (RULES 1.11.2.7)",
			     ip, u->name, fe->name, fe->lb->name);
		else if (fe && fe->nbackends == 0)
			warn(c, path,
			     "%s, the next hop of route \"%s\", is frontend \"%s\" of load balancer "
			     "\"%s\", whose backend pool is empty: the traffic is dropped",
			     ip, u->name, fe->name, fe->lb->name);
		else if (!fe && !unreachable)
			warn(c, path,
			     "no NIC holds %s, the next hop of route \"%s\", nor is it a load "
			     "balancer frontend: traffic to it goes nowhere",
			     ip, u->name);
		return;
	}
	if (!holder->ip_forwarding)
		warn(c, path,
		     "NIC \"%s\" holds %s, the next hop of route \"%s\", but has "
		     "enableIPForwarding false: Azure drops the traffic it is not the destination "
		     "of",
		     holder->name, ip, u->name);
	if (holder->subnet->rt == rt) {
		bool covers = false;
		for (size_t p = 0; p < u->prefixes.n && !covers; p++)
			for (size_t q = 0; q < holder->subnet->prefixes.n; q++)
				if (prefix_overlaps(u->prefixes.v[p],
						    holder->subnet->prefixes.v[q]))
					covers = true;
		if (covers || is_default_udr(u))
			warn(c, path,
			     "the appliance %s (NIC \"%s\") is in subnet %s, which uses this route "
			     "itself: its own forwarded traffic loops back to it (put the "
			     "appliance in a subnet without the route)",
			     ip, holder->name, holder->subnet->id);
	}
}

static void check_appliances(struct ctx *c)
{
	for (size_t k = 0; k < c->t->nrts; k++)
		for (size_t r = 0; r < c->t->rts[k]->nroutes; r++) {
			const struct udr *u = &c->t->rts[k]->routes[r];
			if (u->nh == NH_VIRTUAL_APPLIANCE && u->has_nh_ip)
				check_appliance_route(c, k, r);
		}
}

/* ---- peerings (RULES E4.1) --------------------------------------------- */

static void check_peerings(struct ctx *c)
{
	char path[PATH_LEN];
	for (size_t i = 0; i < c->t->nvnets; i++) {
		const struct vnet *v = c->t->vnets[i];
		for (size_t p = 0; p < v->npeerings; p++) {
			const struct peering *pe = &v->peerings[p];
			if (pe->connected)
				continue;
			snprintf(path, sizeof(path),
				 "$.topology.virtualNetworks[%zu].virtualNetworkPeerings[%zu]", i,
				 p);
			warn(c, path,
			     "peering \"%s\" from \"%s\" to \"%s\" has no peering back: it stays "
			     "Initiated and adds no routes until \"%s\" peers with \"%s\"",
			     pe->name, v->name, pe->remote->name, pe->remote->name, v->name);
		}
	}
}

/* ---- limits (RULES E2.3, E2.4, E6.2) ------------------------------------- */

static void check_table_sizes(struct ctx *c)
{
	char path[PATH_LEN];
	for (size_t k = 0; k < c->t->nrts; k++) {
		const struct route_table *rt = c->t->rts[k];
		size_t tags = 0;
		for (size_t r = 0; r < rt->nroutes; r++)
			tags += rt->routes[r].tag != TAG_NONE;
		snprintf(path, sizeof(path), "$.topology.routeTables[%zu].routes", k);
		if (near_limit(rt->nroutes, PITFALLS_MAX_ROUTES_PER_TABLE))
			warn(c, path, "route table \"%s\" has %zu routes: near the limit of %d per "
				      "route table",
			     rt->name, rt->nroutes, PITFALLS_MAX_ROUTES_PER_TABLE);
		if (near_limit(tags, PITFALLS_MAX_TAG_ROUTES_PER_TABLE))
			warn(c, path,
			     "route table \"%s\" has %zu service-tag routes: near the limit of %d "
			     "per route table",
			     rt->name, tags, PITFALLS_MAX_TAG_ROUTES_PER_TABLE);
	}
}

static void check_route_servers(struct ctx *c)
{
	const struct topology *t = c->t;
	char path[PATH_LEN];
	const struct vnet **dom = calloc(t->nvnets ? t->nvnets : 1, sizeof(*dom));
	bool *in_domain = calloc(t->nvnets ? t->nvnets : 1, sizeof(*in_domain));
	if (!dom || !in_domain) {
		free(dom);
		free(in_domain);
		c->oom = true;
		return;
	}
	for (size_t k = 0; k < t->nrss; k++) {
		const struct route_server *rs = t->rss[k];
		if (near_limit(rs->nconns, PITFALLS_RS_MAX_PEERS)) {
			snprintf(path, sizeof(path), "$.topology.routeServers[%zu].bgpConnections",
				 k);
			warn(c, path, "Route Server \"%s\" has %zu BGP peers: %s the limit of %d",
			     rs->name, rs->nconns,
			     rs->nconns >= PITFALLS_RS_MAX_PEERS ? "at" : "near",
			     PITFALLS_RS_MAX_PEERS);
		}
		/* VMs are counted as NICs: the model has no VM object. */
		size_t nd = topology_domain_vnets(t, rs->vnet, dom, t->nvnets), vms = 0;
		memset(in_domain, 0, t->nvnets * sizeof(*in_domain));
		for (size_t v = 0; v < nd; v++)
			in_domain[dom[v]->index] = true;
		for (size_t i = 0; i < t->nnics; i++)
			vms += in_domain[t->nics[i].subnet->vnet->index];
		size_t cap = ((size_t)rs->min_capacity + 2) * 1000;
		snprintf(path, sizeof(path), "$.topology.routeServers[%zu]", k);
		if (vms > cap)
			warn(c, path,
			     "%zu VMs (NICs) in the VNets of Route Server \"%s\" exceed its "
			     "capacity of %zu at minCapacity %u: it scales out, and until then "
			     "(settings.routeServerScaleOutSeconds) the NICs beyond capacity get "
			     "no Route Server routes (a model assumption, RULES 1.8)",
			     vms, rs->name, cap, rs->min_capacity);
		else if (near_limit(vms, cap))
			warn(c, path,
			     "%zu VMs (NICs) in the VNets of Route Server \"%s\": near its "
			     "capacity of %zu at minCapacity %u",
			     vms, rs->name, cap, rs->min_capacity);
	}
	free(in_domain);
	free(dom);
}

/* ---- events: prefix counts, one-instance adverts, NVA default route -------- */

/* A sorted, duplicate-free prefix array. */
struct pset {
	struct prefix *v;
	size_t n;
};

struct track {
	const char *id;
	uint32_t limit;
	const char *kind;              /* for messages */
	const struct route_server *rs; /* whose prefix total it counts in, or NULL */
	struct pset sent[2];
	bool warned_near, warned_over;
	long default_event;            /* first event advertising 0.0.0.0/0, -1 none */
};

struct tracks {
	struct strmap *by_id;
	struct track *v;
	size_t n, cap;
};

/* Sorted unique copy of an event's prefixes; NULL on OOM. */
static struct prefix *sorted_unique(const struct prefix *p, size_t n, size_t *out_n)
{
	struct prefix *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return NULL;
	memcpy(v, p, n * sizeof(*v));
	*out_n = prefix_sort_unique(v, n);
	return v;
}

/* dst := a ∪ b (or a \ b when minus).  Returns 0 or -1. */
static int pset_merge(struct pset *a, const struct prefix *b, size_t nb, bool minus)
{
	struct prefix *v = malloc((a->n + nb + 1) * sizeof(*v));
	if (!v)
		return -1;
	size_t i = 0, j = 0, k = 0;
	while (i < a->n || j < nb) {
		int cmp = i == a->n ? 1 : j == nb ? -1 : prefix_compare(a->v[i], b[j]);
		if (cmp < 0) {
			v[k++] = a->v[i++];
		} else if (cmp > 0) {
			if (!minus)
				v[k++] = b[j];
			j++;
		} else {
			if (!minus)
				v[k++] = a->v[i];
			i++;
			j++;
		}
	}
	free(a->v);
	a->v = v;
	a->n = k;
	return 0;
}

/* A new track for a peer of the initial topology, or NULL. */
static struct track *track_new(struct ctx *c, struct tracks *ts, const char *id)
{
	const struct topology *t = c->t;
	struct track nt = { .id = id, .default_event = -1 };
	const struct bgp_conn *bc = strchr(id, '/') ? topology_bgp_conn(t, id) : NULL;
	const struct connection *cn = bc ? NULL : topology_connection(t, id);
	if (bc) {
		nt.limit = bc->max_routes;
		nt.kind = "NVA";
		nt.rs = bc->rs;
	} else if (cn && cn->type == CONN_EXPRESSROUTE) {
		nt.limit = cn->premium ? SPEAKER_ER_PREMIUM_LIMIT : SPEAKER_ER_LIMIT;
		nt.kind = cn->premium ? "ExpressRoute Premium" : "ExpressRoute";
		nt.rs = cn->gw->vnet->rs;
	} else if (cn) {
		nt.limit = SPEAKER_VPN_LIMIT;
		nt.kind = "VPN";
		nt.rs = cn->gw->vnet->rs;
	} else {
		return NULL; /* a peer created by a later `add` event: not checked */
	}
	/* The map holds indices (+1), so growing the array is safe. */
	if (VEC_RESERVE(ts->v, ts->cap, ts->n + 1) != 0) {
		c->oom = true;
		return NULL;
	}
	ts->v[ts->n] = nt;
	if (strmap_put(ts->by_id, id, (void *)(uintptr_t)(ts->n + 1)) < 0) {
		c->oom = true;
		return NULL;
	}
	return &ts->v[ts->n++];
}

static struct track *track_find(struct ctx *c, struct tracks *ts, const char *id)
{
	void *k = strmap_get(ts->by_id, id);
	if (k)
		return &ts->v[(uintptr_t)k - 1];
	return track_new(c, ts, id);
}

/* Distinct prefixes a Route Server holds: its VNets' spaces plus what its
 * NVAs and its VNet's gateway connections sent (RULES 1.8, RULES E6.2). */
static size_t rs_total(struct ctx *c, const struct tracks *ts, const struct route_server *rs,
		       size_t bound)
{
	struct pset all = { 0 };
	const struct vnet **dom = calloc(c->t->nvnets ? c->t->nvnets : 1, sizeof(*dom));
	if (!dom)
		goto oom;
	size_t nd = topology_domain_vnets(c->t, rs->vnet, dom, c->t->nvnets);
	for (size_t v = 0; v < nd; v++)
		if (pset_merge(&all, dom[v]->space.v, dom[v]->space.n, false) != 0)
			goto oom;
	for (size_t i = 0; i < ts->n; i++) {
		if (ts->v[i].rs != rs)
			continue;
		for (int k = 0; k < 2; k++)
			if (pset_merge(&all, ts->v[i].sent[k].v, ts->v[i].sent[k].n, false) != 0)
				goto oom;
	}
	size_t n = all.n;
	free(all.v);
	free(dom);
	return n;
oom:
	free(all.v);
	free(dom);
	c->oom = true;
	return bound;
}

struct rs_state {
	size_t vnet_prefixes;          /* address-space prefixes of its VNets */
	size_t last_bound;             /* upper bound when the total was last computed */
	bool near, over;
};

static void check_rs_total(struct ctx *c, struct tracks *ts, struct rs_state *st,
			   const struct event *e)
{
	for (size_t k = 0; k < c->t->nrss; k++) {
		const struct route_server *rs = c->t->rss[k];
		if (st[k].over)
			continue;
		/* Cheap upper bound first: the sum of the per-peer counts. */
		size_t bound = st[k].vnet_prefixes;
		for (size_t i = 0; i < ts->n; i++)
			if (ts->v[i].rs == rs)
				bound += ts->v[i].sent[0].n + ts->v[i].sent[1].n;
		/* Recount only when the bound grew since the last count (or a
		 * withdrawal reset it): re-advertising cannot raise the total. */
		if (!near_limit(bound, PITFALLS_RS_MAX_PREFIXES) || bound <= st[k].last_bound)
			continue;
		st[k].last_bound = bound;
		size_t total = rs_total(c, ts, rs, bound);
		char path[PATH_LEN];
		snprintf(path, sizeof(path), "$.events[%zu]", e->index);
		if (total > PITFALLS_RS_MAX_PREFIXES) {
			st[k].over = st[k].near = true;
			warn(c, path,
			     "Route Server \"%s\" now holds %zu distinct prefixes (VNet and "
			     "on-premises together): above the limit of %d",
			     rs->name, total, PITFALLS_RS_MAX_PREFIXES);
		} else if (!st[k].near && near_limit(total, PITFALLS_RS_MAX_PREFIXES)) {
			st[k].near = true;
			warn(c, path,
			     "Route Server \"%s\" now holds %zu distinct prefixes: near the limit "
			     "of %d",
			     rs->name, total, PITFALLS_RS_MAX_PREFIXES);
		}
	}
}

static void on_advertise(struct ctx *c, struct tracks *ts, const struct event *e)
{
	char path[PATH_LEN];
	struct track *tr = track_find(c, ts, e->from);
	if (!tr)
		return;
	bool nva = strcmp(tr->kind, "NVA") == 0;
	if (nva && e->to_mask != 3) {
		snprintf(path, sizeof(path), "$.events[%zu].to", e->index);
		warn(c, path,
		     "%s advertises to IN_%d only: an NVA must peer with both Route Server "
		     "instances and advertise the same routes to both, or its routes may not be "
		     "programmed or advertised (Route Server FAQ)",
		     e->from, (e->to_mask & 1) ? 0 : 1);
	}
	size_t n;
	struct prefix *upd = sorted_unique(e->prefixes, e->nprefixes, &n);
	if (!upd) {
		c->oom = true;
		return;
	}
	if (tr->default_event < 0 && n > 0 && upd[0].addr == 0 && upd[0].len == 0)
		tr->default_event = (long)e->index;
	unsigned mask = nva ? e->to_mask : 1;
	for (unsigned i = 0; i < 2; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (pset_merge(&tr->sent[i], upd, n, false) != 0) {
			c->oom = true;
			break;
		}
		size_t cnt = tr->sent[i].n;
		snprintf(path, sizeof(path), "$.events[%zu].prefixes", e->index);
		if (cnt > tr->limit && !tr->warned_over) {
			tr->warned_over = tr->warned_near = true;
			warn(c, path,
			     "%s (%s) has now sent %zu distinct prefixes%s: above its limit of %u, "
			     "so the session drops, all its routes are withdrawn and it keeps "
			     "flapping on every retry (RULES 1.8, 1.9)",
			     e->from, tr->kind, cnt, nva ? (i ? " to IN_1" : " to IN_0") : "",
			     tr->limit);
		} else if (cnt <= tr->limit && !tr->warned_near && near_limit(cnt, tr->limit)) {
			tr->warned_near = true;
			warn(c, path,
			     "%s (%s) has now sent %zu distinct prefixes: near its limit of %u",
			     e->from, tr->kind, cnt, tr->limit);
		}
	}
	free(upd);
}

static void on_withdraw(struct ctx *c, struct tracks *ts, const struct event *e)
{
	struct track *tr = track_find(c, ts, e->from);
	if (!tr)
		return;
	size_t n;
	struct prefix *upd = sorted_unique(e->prefixes, e->nprefixes, &n);
	if (!upd) {
		c->oom = true;
		return;
	}
	for (int i = 0; i < 2; i++)
		if (pset_merge(&tr->sent[i], upd, n, true) != 0)
			c->oom = true;
	free(upd);
}

/* RULES 5 / RULES E6.3: the Route Server programs an NVA's routes into
 * the NVA's own subnet too, so an NVA advertising 0.0.0.0/0 sends its own
 * Internet-bound traffic to itself unless its subnet overrides 0.0.0.0/0. */
static void check_nva_default(struct ctx *c, struct tracks *ts)
{
	const struct topology *t = c->t;
	char path[PATH_LEN], ip[IPV4_STRLEN];
	for (size_t k = 0; k < t->nrss; k++) {
		const struct route_server *rs = t->rss[k];
		for (size_t b = 0; b < rs->nconns; b++) {
			const struct bgp_conn *bc = &rs->conns[b];
			for (size_t i = 0; i < t->nnics; i++) {
				const struct nic *n = &t->nics[i];
				const struct subnet *s = n->subnet;
				if (n->ip != bc->peer_ip || !n->ip_forwarding ||
				    s->vnet->domain != rs->vnet)
					continue;
				if (s->rt && (s->rt->disable_bgp || default_udr(s->rt)))
					continue;
				void *key = strmap_get(ts->by_id, bc->id);
				long ev = key ? ts->v[(uintptr_t)key - 1].default_event : -1;
				snprintf(path, sizeof(path),
					 "$.topology.routeServers[%zu].bgpConnections[%zu]", k, b);
				ipv4_format(n->ip, ip);
				if (ev >= 0)
					warn(c, path,
					     "NVA \"%s\" (NIC \"%s\", %s) advertises 0.0.0.0/0 "
					     "(events[%ld]) and its own subnet %s has no route "
					     "table overriding 0.0.0.0/0: the Route Server "
					     "programs the route there too, so the NVA's Internet "
					     "traffic loops back to itself (add 0.0.0.0/0 -> "
					     "Internet on %s)",
					     bc->id, n->name, ip, ev, s->id, s->id);
				else if (!key)
					/* The scenario never says what this NVA
					 * advertises: a note, not a warning.  When
					 * its events advertise no 0.0.0.0/0, nothing. */
					note(c, path,
					     "possible: if NVA \"%s\" (NIC \"%s\", %s) advertises "
					     "0.0.0.0/0, its own subnet %s receives it back from "
					     "the Route Server (no route table there overrides "
					     "0.0.0.0/0) and its Internet traffic loops",
					     bc->id, n->name, ip, s->id);
			}
		}
	}
}

static void check_events(struct ctx *c)
{
	const struct scenario *sc = c->sc;
	struct tracks ts = { .by_id = strmap_create() };
	struct rs_state *st = calloc(c->t->nrss ? c->t->nrss : 1, sizeof(*st));
	if (!ts.by_id || !st) {
		c->oom = true;
		goto out;
	}
	for (size_t k = 0; k < c->t->nrss; k++)
		for (size_t v = 0; v < c->t->nvnets; v++)
			if (c->t->vnets[v]->domain == c->t->rss[k]->vnet)
				st[k].vnet_prefixes += c->t->vnets[v]->space.n;
	for (size_t i = 0; i < sc->nevents && !c->oom; i++) {
		const struct event *e = &sc->events[i];
		if (e->op == EV_ADVERTISE && e->from) {
			on_advertise(c, &ts, e);
			check_rs_total(c, &ts, st, e);
		} else if (e->op == EV_WITHDRAW && e->from) {
			on_withdraw(c, &ts, e);
			for (size_t k = 0; k < c->t->nrss; k++)
				st[k].last_bound = 0; /* overlaps changed: recount next time */
		}
	}
	check_nva_default(c, &ts);
out:
	for (size_t i = 0; i < ts.n; i++) {
		free(ts.v[i].sent[0].v);
		free(ts.v[i].sent[1].v);
	}
	free(ts.v);
	strmap_destroy(ts.by_id);
	free(st);
}

size_t pitfalls_check(const struct scenario *sc, struct diag *d)
{
	struct ctx c = { .sc = sc, .t = sc->topo, .d = d };
	if (!c.t)
		return 0;
	check_gateway_subnets(&c);
	check_appliances(&c);
	check_peerings(&c);
	check_table_sizes(&c);
	check_route_servers(&c);
	check_events(&c);
	return c.oom ? (size_t)-1 : c.added;
}
