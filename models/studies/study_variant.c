/*
 * study_variant.c - see study_variant.h.
 *
 * Costs: listing is O(objects of the topology) plus, per connection, the
 * prefixes it carried (sorted once); drawing run k is O(failures drawn x
 * next hops each kills) before the run resumes.
 */
#include "study_variant.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routemap.h"
#include "budget.h"
#include "run.h"
#include "scenario_doc.h"
#include "speaker.h"
#include "study_base.h"
#include "diag.h"
#include "rng.h"
#include "vec.h"

static struct variant *new_variant(struct study_base *b, const char *klass, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct variant *new_variant(struct study_base *b, const char *klass, const char *fmt, ...)
{
	if (VEC_RESERVE(b->v, b->vcap, b->nv + 1) != 0)
		return NULL;
	struct variant *v = &b->v[b->nv]; /* counted once it has its label */
	memset(v, 0, sizeof(*v));
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	v->label = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (!v->label)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(v->label, (size_t)len + 1, fmt, ap);
	va_end(ap);
	v->klass = klass;
	b->nv++;
	return v;
}

static int add_dead(struct variant *v, uint32_t ip, int64_t from, int64_t to)
{
	struct dead *d = VEC_PUSH(v->dead, v->ndead, v->dead_cap);
	if (!d)
		return -1;
	*d = (struct dead){ .ip = ip, .from = from, .to = to, .fail = SIZE_MAX };
	return 0;
}

static void set_event(struct study_base *b, struct event *e, enum ev_op op, int64_t at)
{
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->at_ms = at;
	e->index = b->sc->nevents; /* diagnostics name "$.events[N]" past the file's */
	e->to_mask = 3;
}

static int64_t repair_end(const struct study_base *b)
{
	return b->st->repair_ms >= 0 ? b->t_fail + b->st->repair_ms : INT64_MAX;
}

/* v's failure (op on a peer or an instance target) at the failure time,
 * and the undo of it at the repair when the study repairs. */
static void fail_and_repair(struct study_base *b, struct variant *v, enum ev_op op,
			    enum ev_op undo, const char *peer, const char *target)
{
	set_event(b, &v->ev[0], op, b->t_fail);
	v->ev[0].peer = peer;
	v->ev[0].target = target;
	v->nev = 1;
	if (b->st->repair_ms >= 0) {
		v->ev[1] = v->ev[0];
		v->ev[1].op = undo;
		v->ev[1].at_ms = repair_end(b);
		v->nev = 2;
	}
}

/* peerDown (and peerUp on repair) of a BGP peer. */
static struct variant *peer_variant(struct study_base *b, const char *klass, const char *id,
				    bool graceful)
{
	struct variant *v = new_variant(b, klass, "peerDown %s %s",
					graceful ? "graceful" : "silent", id);
	if (!v)
		return NULL;
	fail_and_repair(b, v, EV_PEER_DOWN, EV_PEER_UP, id, NULL);
	v->ev[0].graceful = graceful;
	return v;
}

static struct variant *instance_variant(struct study_base *b, const char *klass,
					const char *owner, unsigned inst)
{
	char target[256];
	snprintf(target, sizeof(target), "%s/IN_%u", owner, inst);
	struct variant *v = new_variant(b, klass, "instanceDown %s", target);
	if (!v)
		return NULL;
	/* The label holds the target text: events point into it. */
	fail_and_repair(b, v, EV_INSTANCE_DOWN, EV_INSTANCE_UP, NULL,
			v->label + strlen("instanceDown "));
	return v;
}

/* `remove` of the object at path (and, on repair, `add` of it back as the
 * scenario's topology has it). */
static int remove_variant(struct variant *v, struct study_base *b)
{
	if (!v)
		return -1;
	const char *path = v->label + strlen("remove ");
	set_event(b, &v->ev[0], EV_REMOVE, b->t_fail);
	v->ev[0].path = path;
	v->nev = 1;
	if (b->st->repair_ms < 0)
		return 0;
	set_event(b, &v->ev[1], EV_ADD, repair_end(b));
	if (!scenario_doc_initial_value(b->sc, path, &v->ev[1]))
		return 0; /* added by an edit before the baseline: no repair */
	v->ev[1].path = path;
	v->nev = 2;
	return 0;
}

static int peering_variant(struct study_base *b, const struct vnet *vn, const struct peering *p)
{
	return remove_variant(new_variant(b, "peering",
					  "remove virtualNetworks/%s/virtualNetworkPeerings/%s",
					  vn->name, p->name),
			      b);
}

/* A Route Server's route map gone (RULES 1.10): what the routes are without it. */
static int route_map_variant(struct study_base *b, const struct route_server *rs,
			     const struct route_map *m)
{
	return remove_variant(new_variant(b, "routeMap", "remove routeServers/%s/routeMaps/%s",
					  rs->name, m->name),
			      b);
}

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_compare(*(const struct prefix *)a, *(const struct prefix *)b);
}

static int spec_add_ip(struct dead_spec *d, uint32_t ip)
{
	uint32_t *slot = VEC_PUSH(d->ips, d->nips, d->ips_cap);
	if (!slot)
		return -1;
	*slot = ip;
	return 0;
}

void study_variant_spec_fini(struct dead_spec *d)
{
	free(d->ips);
	free(d->only);
	memset(d, 0, sizeof(*d));
}

/* What the failure of peer id (a bgpConnection id or a connection name)
 * kills.  0; 1 when id is no BGP peer of the baseline; -1 out of memory. */
static int peer_dead_spec(const struct study_base *b, const char *id, struct dead_spec *d)
{
	const struct topology *t = b->cp->topo;
	memset(d, 0, sizeof(*d));
	const struct bgp_conn *bc = topology_bgp_conn(t, id);
	if (bc)
		return spec_add_ip(d, bc->peer_ip);
	const struct connection *c = topology_connection(t, id);
	const struct peer *p = speakers_peer(run_speakers(b->run), id);
	if (!c || !p)
		return 1;
	if (c->type == CONN_EXPRESSROUTE) {
		for (size_t k = 0; k < c->ner_next_hops; k++)
			if (spec_add_ip(d, c->er_next_hops[k]) != 0)
				return -1;
		return 0;
	}
	if (p->in[0].n == 0)
		return 0; /* it carried nothing: its failure kills no route */
	d->only = malloc(p->in[0].n * sizeof(*d->only));
	if (!d->only)
		return -1;
	for (size_t k = 0; k < p->in[0].n; k++)
		d->only[k] = p->in[0].v[k].prefix;
	d->nonly = p->in[0].n;
	qsort(d->only, d->nonly, sizeof(*d->only), cmp_prefix);
	const struct gateway *g = c->gw;
	if (g->active_active)
		return spec_add_ip(d, g->instance_ip[0]) || spec_add_ip(d, g->instance_ip[1]) ? -1 : 0;
	return g->public_ip ? spec_add_ip(d, g->public_ip) : 0;
}

/* Dead windows [from, to) for every next hop of spec in v (failure f, or
 * SIZE_MAX); the filter stays owned by its spec's owner. */
static int add_dead_spec(struct variant *v, const struct dead_spec *d, int64_t from, int64_t to,
			 size_t f)
{
	for (size_t k = 0; k < d->nips; k++) {
		if (add_dead(v, d->ips[k], from, to) != 0)
			return -1;
		v->dead[v->ndead - 1].only = d->only;
		v->dead[v->ndead - 1].nonly = d->nonly;
		v->dead[v->ndead - 1].fail = f;
	}
	return 0;
}

/* A connection's failure in an enumerate variant (which owns the filter). */
static int connection_dead(struct study_base *b, struct variant *v, const struct connection *c)
{
	struct dead_spec d;
	if (peer_dead_spec(b, c->name, &d) < 0 || add_dead_spec(v, &d, b->t_fail, repair_end(b),
								SIZE_MAX) != 0) {
		study_variant_spec_fini(&d);
		return -1;
	}
	v->only = d.only; /* the variant frees it */
	free(d.ips);
	return 0;
}

/* A static-only VPN connection (no BGP) failing: its tunnel is down, but
 * Azure keeps the local network gateway's prefixes programmed, so traffic
 * to them is black-holed at the gateway until the repair.  No event
 * changes any route: the variant is its dead next hops only, the gateway's
 * next hops for the connection's static prefixes. */
static int static_connection_variant(struct study_base *b, const struct connection *c)
{
	const struct gateway *g = c->gw;
	if (c->static_prefixes.n == 0)
		return 0;
	struct variant *v = new_variant(b, "connection", "connectionDown static %s", c->name);
	if (!v)
		return -1;
	struct dead_spec d = { 0 };
	d.only = malloc(c->static_prefixes.n * sizeof(*d.only));
	int rc = d.only ? 0 : -1;
	if (rc == 0) {
		memcpy(d.only, c->static_prefixes.v, c->static_prefixes.n * sizeof(*d.only));
		d.nonly = prefix_sort_unique(d.only, c->static_prefixes.n);
		if (g->active_active)
			rc = spec_add_ip(&d, g->instance_ip[0]) || spec_add_ip(&d, g->instance_ip[1]);
		else if (g->public_ip)
			rc = spec_add_ip(&d, g->public_ip);
	}
	if (rc == 0)
		rc = add_dead_spec(v, &d, b->t_fail, repair_end(b), SIZE_MAX);
	if (rc != 0) {
		study_variant_spec_fini(&d);
		return -1;
	}
	v->only = d.only; /* the variant frees it */
	free(d.ips);
	return 0;
}

int study_variant_list_enumerate(struct study_base *b)
{
	const struct study *st = b->st;
	const struct topology *t = b->cp->topo;
	int64_t to = repair_end(b);
	bool modes[2] = { st->silent, st->graceful };
	if (st->failures & STUDY_F_NVA)
		for (size_t i = 0; i < t->nrss; i++)
			for (size_t k = 0; k < t->rss[i]->nconns; k++)
				for (int m = 0; m < 2; m++) {
					const struct bgp_conn *c = &t->rss[i]->conns[k];
					if (!modes[m])
						continue;
					struct variant *v = peer_variant(b, "nva", c->id, m == 1);
					if (!v || add_dead(v, c->peer_ip, b->t_fail, to) != 0)
						return -1;
				}
	if (st->failures & STUDY_F_RS_INSTANCE)
		for (size_t i = 0; i < t->nrss; i++)
			for (unsigned k = 0; k < 2; k++)
				if (!instance_variant(b, "routeServerInstance", t->rss[i]->name, k))
					return -1;
	if (st->failures & STUDY_F_GW_INSTANCE)
		for (size_t i = 0; i < t->ngws; i++)
			for (unsigned k = 0; k < 2; k++) {
				const struct gateway *g = t->gws[i];
				struct variant *v = instance_variant(b, "gatewayInstance", g->name, k);
				if (!v)
					return -1;
				/* Only an active-active VPN gateway's instance is a next hop. */
				if (g->type == GW_VPN && g->active_active &&
				    add_dead(v, g->instance_ip[k], b->t_fail, to) != 0)
					return -1;
			}
	if (st->failures & STUDY_F_CONNECTION)
		for (size_t i = 0; i < t->nconns; i++)
			for (int m = 0; m < 2; m++) {
				const struct connection *c = t->conns[i];
				if (c->type == CONN_IPSEC && !c->enable_bgp) {
					if (m == 0 && static_connection_variant(b, c) != 0)
						return -1;
					continue; /* no session: peerDown modes mean nothing */
				}
				if (!modes[m] || !speakers_peer(run_speakers(b->run), c->name))
					continue;
				struct variant *v = peer_variant(b, "connection", c->name, m == 1);
				if (!v || connection_dead(b, v, c) != 0)
					return -1;
			}
	if (st->failures & STUDY_F_PEERING)
		for (size_t i = 0; i < t->nvnets; i++)
			for (size_t k = 0; k < t->vnets[i]->npeerings; k++)
				if (peering_variant(b, t->vnets[i], &t->vnets[i]->peerings[k]) != 0)
					return -1;
	if (st->failures & STUDY_F_ROUTE_MAP)
		for (size_t i = 0; i < t->nrss; i++)
			for (size_t k = 0; k < t->rss[i]->nmaps; k++)
				if (route_map_variant(b, t->rss[i], &t->rss[i]->maps[k]) != 0)
					return -1;
	return 0;
}

/* The bound on one Monte Carlo variant (budget.h), checked before any is
 * drawn: the expected failures per target over the horizon, each
 * reprogramming every subnet when it starts and ends, plus the BGP timers
 * of the horizon, against the run's --max-events limit. */
static int variant_budget(const struct study_base *b, struct diag *d)
{
	const struct study *st = b->st;
	double cycle_ms = (st->mtbf_s + st->repair_median_s) * 1000.0;
	double fails = cycle_ms > 0 ? (double)st->horizon_ms / cycle_ms + 1.0 : 1e30;
	double est = fails * (double)b->ntargets * 2.0 * (double)(b->cp->topo->nsubnets + 1) +
		     (double)budget_timer_events(b->cp->topo, b->sc, st->horizon_ms);
	uint64_t limit = budget_limit(b->sc);
	if (est <= (double)limit)
		return 0;
	diag_add(d, DIAG_ERROR, st->file, "$.mtbf",
		 "each run may take about %.3g engine events (%.3g failures per target over "
		 "horizon with this mtbf and repairMedian), more than the limit of %llu: raise "
		 "mtbf, shorten horizon, or raise the limit with --max-events N (README "
		 "\"Limits\")",
		 est, fails, (unsigned long long)limit);
	return 2;
}

int study_variant_list_monte_carlo(struct study_base *b, struct diag *d)
{
	const struct study *st = b->st;
	const struct topology *t = b->cp->topo;
	size_t n = st->ntargets;
	if (n == 0)
		for (size_t i = 0; i < t->nrss; i++)
			n += t->rss[i]->nconns;
	if (n == 0) {
		diag_add(d, DIAG_ERROR, st->file, "$.targets",
			 "the scenario has no Route Server bgpConnection to fail (name targets to "
			 "fail gateway connections)");
		return 2;
	}
	b->targets = calloc(n, sizeof(*b->targets));
	b->tdead = calloc(n, sizeof(*b->tdead));
	if (!b->targets || !b->tdead)
		return 3;
	for (size_t i = 0; i < n; i++) {
		const char *id = st->ntargets ? st->targets[i] : NULL;
		for (size_t r = 0, k = i; !id && r < t->nrss; r++) {
			if (k < t->rss[r]->nconns)
				id = t->rss[r]->conns[k].id;
			else
				k -= t->rss[r]->nconns;
		}
		int rc = peer_dead_spec(b, id, &b->tdead[b->ntargets]);
		if (rc < 0)
			return 3;
		if (rc > 0) {
			char path[64];
			snprintf(path, sizeof(path), "$.targets[%zu]", i);
			diag_add(d, DIAG_ERROR, st->file, path,
				 "\"%s\" is neither a Route Server bgpConnection (\"ars/nva1\") nor "
				 "a gateway connection with a BGP session at the baseline",
				 id);
			return 2;
		}
		if (!(b->targets[b->ntargets++] = strdup(id)))
			return 3;
	}
	if (variant_budget(b, d) != 0)
		return 2;
	for (uint64_t k = 0; k < st->runs; k++) {
		if (!new_variant(b, "run", "run %llu", (unsigned long long)k))
			return 3;
	}
	return 0;
}

/* Draws run k's failures: per target, exponential times between failures,
 * a lognormal repair, and in silent mode the phase of the last keepalive
 * the Azure side received (uniform in [0, keepalive)): the hold timer then
 * fires hold - phase after the crash. */
int study_variant_draw(struct study_base *b, struct variant *v, size_t k)
{
	const struct study *st = b->st;
	/* A worker may draw the same run again (a benchmark cycling through
	 * the list): start from no failure, as the first time. */
	free(v->drawn);
	v->drawn = NULL;
	v->ndrawn = 0;
	v->ndead = 0;
	struct rng *g = rng_create(study_run_seed(st->seed, k));
	if (!g)
		return -1;
	int64_t end = b->t_fail + st->horizon_ms;
	double keepalive = (double)b->sc->settings.keepalive_ms;
	size_t cap = 0, ft_cap = 0;
	int rc = 0;
	struct event *evs = NULL;
	size_t nevs = 0;
	for (size_t i = 0; i < b->ntargets && rc == 0; i++) {
		double t = (double)b->t_fail;
		for (;;) {
			t += rng_exponential(g, st->mtbf_s * 1000.0);
			double repair = rng_lognormal(g, log(st->repair_median_s), st->repair_sigma) *
					1000.0;
			double phase = !st->mc_graceful && st->keepalive_phase
					       ? rng_flat(g, 0.0, keepalive)
					       : 0.0;
			if (t >= (double)end)
				break;
			size_t f = nevs / 2;   /* this failure: events 2f and 2f + 1 */
			if (VEC_RESERVE(evs, cap, nevs + 2) != 0 ||
			    VEC_RESERVE(v->fail_target, ft_cap, f + 1) != 0) {
				rc = -1;
				break;
			}
			int64_t at = (int64_t)llround(t);
			int64_t rep = (int64_t)llround(repair);
			if (rep < 1)
				rep = 1;
			struct event *down = &evs[nevs++], *up = &evs[nevs++];
			set_event(b, down, EV_PEER_DOWN, at);
			down->peer = b->targets[i];
			down->graceful = st->mc_graceful;
			down->hold_elapsed_ms = (int64_t)llround(phase);
			set_event(b, up, EV_PEER_UP, at + rep);
			up->peer = b->targets[i];
			v->fail_target[f] = (uint32_t)i;
			if (add_dead_spec(v, &b->tdead[i], at, at + rep, f) != 0) {
				rc = -1;
				break;
			}
			t = (double)(at + rep);
		}
	}
	rng_destroy(g);
	/* Injected events must outlive the run: the variant owns them. */
	v->drawn = evs;
	v->ndrawn = nevs;
	for (size_t i = 0; rc == 0 && i < nevs; i++)
		if (run_inject(b->run, &evs[i]) != 0)
			rc = -1;
	return rc;
}


void study_variant_fini(struct variant *v)
{
	free(v->label);
	free(v->dead);
	free(v->only);
	free(v->drawn);
	free(v->fail_target);
}
