/*
 * study.c - what-if studies: study files, variants, impact (see study.h).
 *
 * Cost of one variant: the events it injects (an NVA crash at ref-4k is a
 * 1,000-prefix withdrawal in 382 subnets at hold expiry), then a look-up
 * per (subnet, destination) it can touch and per table change of that
 * subnet: the destinations of a subnet are sorted, so each table is read
 * by a forward walk (eff_walk_rows), not a search per destination; scopes
 * likewise by a forward cursor.  Candidates come from a dead-next-hop index
 * of the baseline built once (next hop IP -> subnet, prefix) and from the
 * timeline entries of the variant: their scope when they have one, a row
 * diff of before and after otherwise (configuration edits): of the few
 * prefixes eff_diff_bound names when both tables show the same domain set
 * (a peering edit's hub subnets: a dozen prefixes, not 17,000 rows), of
 * the whole tables only when the set changed.
 */
#include "study.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effective.h"
#include "run.h"
#include "scenario_doc.h"
#include "speaker.h"
#include "diag.h"
#include "rng.h"

/* ---- the study ----------------------------------------------------------------- */

const char *study_kind_name(enum study_kind k)
{
	switch (k) {
	case STUDY_ENUMERATE: return "enumerate";
	case STUDY_MONTE_CARLO: return "monte-carlo";
	case STUDY_CAPACITY: return "capacity";
	}
	return "?";
}

struct study *study_create(const char *file)
{
	struct study *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	*st = (struct study){ .file = strdup(file), .at_ms = -1, .window_ms = 30 * 60 * 1000,
			      .repair_ms = -1, .failures = STUDY_F_ALL, .silent = true,
			      .graceful = true, .runs = 0, .seed = 1,
			      .horizon_ms = 30LL * 24 * 3600 * 1000, .repair_median_s = 1800,
			      .repair_sigma = 1.0, .keepalive_phase = true, .grow = STUDY_G_ALL,
			      .max_steps = 100000 };
	if (!st->file) {
		free(st);
		return NULL;
	}
	return st;
}

void study_destroy(struct study *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->ntargets; i++)
		free(st->targets[i]);
	free(st->targets);
	free(st->file);
	free(st->name);
	free(st->at);
	free(st);
}

uint64_t study_run_seed(uint64_t seed, uint64_t k)
{
	uint64_t z = seed + (k + 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- variants --------------------------------------------------------------- */

/* An address that is down during [from, to), for the prefixes in only
 * (sorted; all prefixes when nonly is 0). */
struct dead {
	uint32_t ip;
	int64_t from, to;
	const struct prefix *only;
	size_t nonly;
	size_t fail;                   /* monte-carlo: the failure (drawn pair), or SIZE_MAX */
};

struct variant {
	char *label;
	const char *klass;             /* "nva", "routeServerInstance", ... */
	struct event ev[2];            /* the failure, and the repair when nev == 2 */
	size_t nev;
	struct dead *dead;
	size_t ndead;
	struct prefix *only;           /* owned filter shared by dead[] */
	struct event *drawn;           /* monte-carlo: down, up per failure */
	size_t ndrawn;
	uint32_t *fail_target;         /* monte-carlo: per failure, its study_target index */
};

/* The next hops a peer's failure kills (SPEC 1.8, 1.9): an NVA's peer IP;
 * an ExpressRoute connection's next hops; a VPN connection's gateway next
 * hops, for the prefixes that connection carried at the baseline only. */
struct dead_spec {
	uint32_t *ips;                 /* owned */
	size_t nips;
	struct prefix *only;           /* owned, sorted; NULL: every prefix */
	size_t nonly;
};

/* Baseline index entry: a row of some subnet for prefix p has next hop ip
 * (one entry per distinct pair: BGP rows repeat in every subnet of a
 * domain, and the evaluation checks each subnet anyway). */
struct nh_ref {
	uint32_t ip;
	struct prefix p;
};

struct study_base {
	const struct study *st;
	struct scenario *sc;
	size_t saved_nevents;
	struct diag *diag;
	struct run *run;
	const struct checkpoint *cp;   /* the baseline: tables and topology */
	int64_t t_fail;
	struct variant *v;
	size_t nv, vcap;
	char **targets;                /* monte-carlo: peer ids (bgpConnection or connection) */
	struct dead_spec *tdead;       /* per target: what its failure kills */
	size_t ntargets;
	struct nh_ref *idx;            /* sorted by ip, s, prefix */
	size_t nidx;
};

static struct variant *new_variant(struct study_base *b, const char *klass, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct variant *new_variant(struct study_base *b, const char *klass, const char *fmt, ...)
{
	if (b->nv == b->vcap) {
		size_t nc = b->vcap ? b->vcap * 2 : 32;
		struct variant *nvv = realloc(b->v, nc * sizeof(*nvv));
		if (!nvv)
			return NULL;
		b->v = nvv;
		b->vcap = nc;
	}
	struct variant *v = &b->v[b->nv];
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
	struct dead *nd = realloc(v->dead, (v->ndead + 1) * sizeof(*nd));
	if (!nd)
		return -1;
	v->dead = nd;
	nd[v->ndead++] = (struct dead){ .ip = ip, .from = from, .to = to, .fail = SIZE_MAX };
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

/* peerDown (and peerUp on repair) of a BGP peer. */
static struct variant *peer_variant(struct study_base *b, const char *klass, const char *id,
				    bool graceful)
{
	struct variant *v = new_variant(b, klass, "peerDown %s %s",
					graceful ? "graceful" : "silent", id);
	if (!v)
		return NULL;
	set_event(b, &v->ev[0], EV_PEER_DOWN, b->t_fail);
	v->ev[0].peer = id;
	v->ev[0].graceful = graceful;
	v->nev = 1;
	if (b->st->repair_ms >= 0) {
		set_event(b, &v->ev[1], EV_PEER_UP, repair_end(b));
		v->ev[1].peer = id;
		v->nev = 2;
	}
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
	const char *t = v->label + strlen("instanceDown ");
	set_event(b, &v->ev[0], EV_INSTANCE_DOWN, b->t_fail);
	v->ev[0].target = t;
	v->nev = 1;
	if (b->st->repair_ms >= 0) {
		set_event(b, &v->ev[1], EV_INSTANCE_UP, repair_end(b));
		v->ev[1].target = t;
		v->nev = 2;
	}
	return v;
}

static int peering_variant(struct study_base *b, const struct vnet *vn, const struct peering *p)
{
	struct variant *v = new_variant(b, "peering",
					"remove virtualNetworks/%s/virtualNetworkPeerings/%s",
					vn->name, p->name);
	if (!v)
		return -1;
	const char *path = v->label + strlen("remove ");
	set_event(b, &v->ev[0], EV_REMOVE, b->t_fail);
	v->ev[0].path = path;
	v->nev = 1;
	if (b->st->repair_ms < 0)
		return 0;
	/* The repair puts the peering back as the scenario's topology has it. */
	set_event(b, &v->ev[1], EV_ADD, repair_end(b));
	if (!scenario_doc_initial_value(b->sc, path, &v->ev[1]))
		return 0; /* added by an edit before the baseline: no repair */
	v->ev[1].path = path;
	v->nev = 2;
	return 0;
}

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_compare(*(const struct prefix *)a, *(const struct prefix *)b);
}

static int spec_add_ip(struct dead_spec *d, uint32_t ip)
{
	uint32_t *n = realloc(d->ips, (d->nips + 1) * sizeof(*n));
	if (!n)
		return -1;
	d->ips = n;
	d->ips[d->nips++] = ip;
	return 0;
}

static void spec_fini(struct dead_spec *d)
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
		spec_fini(&d);
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
		spec_fini(&d);
		return -1;
	}
	v->only = d.only; /* the variant frees it */
	free(d.ips);
	return 0;
}

static int list_enumerate(struct study_base *b)
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
	return 0;
}

static int list_monte_carlo(struct study_base *b, struct diag *d)
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
static int draw_run(struct study_base *b, struct variant *v, size_t k)
{
	const struct study *st = b->st;
	struct rng *g = rng_create(study_run_seed(st->seed, k));
	if (!g)
		return -1;
	int64_t end = b->t_fail + st->horizon_ms;
	double keepalive = (double)b->sc->settings.keepalive_ms;
	size_t cap = 0;
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
			if (nevs + 2 > cap) {
				cap = cap ? cap * 2 : 8;
				struct event *ne = realloc(evs, cap * sizeof(*ne));
				if (!ne) {
					rc = -1;
					break;
				}
				evs = ne;
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
			size_t f = nevs / 2 - 1;
			uint32_t *ft = realloc(v->fail_target, (f + 1) * sizeof(*ft));
			if (!ft) {
				rc = -1;
				break;
			}
			v->fail_target = ft;
			ft[f] = (uint32_t)i;
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

/* ---- the baseline ------------------------------------------------------------ */

static int cmp_nh_ref(const void *a, const void *b)
{
	const struct nh_ref *x = a, *y = b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return prefix_compare(x->p, y->p);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static size_t dedup_refs(struct nh_ref *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || cmp_nh_ref(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	return k;
}

/* Baseline rows whose next hop can die in some variant. */
static int build_index(struct study_base *b)
{
	size_t nips = 0;
	for (size_t i = 0; i < b->nv; i++)
		nips += b->v[i].ndead;
	for (size_t i = 0; i < b->ntargets; i++)
		nips += b->tdead[i].nips;
	uint32_t *ips = malloc((nips ? nips : 1) * sizeof(*ips));
	if (!ips)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < b->nv; i++)
		for (size_t j = 0; j < b->v[i].ndead; j++)
			ips[k++] = b->v[i].dead[j].ip;
	for (size_t i = 0; i < b->ntargets; i++)
		for (size_t j = 0; j < b->tdead[i].nips; j++)
			ips[k++] = b->tdead[i].ips[j];
	qsort(ips, k, sizeof(*ips), cmp_u32);
	size_t cap = 0, uniq = 0;
	const struct topology *t = b->cp->topo;
	for (size_t s = 0; s < t->nsubnets && k > 0; s++) {
		struct eff_iter it = { 0 };
		struct route_row row;
		while (eff_row(b->cp->tables[s], false, &it, &row)) {
			if (!row.active || !row.has_nh_ip || row.nprefixes != 1 ||
			    !bsearch(&row.nh_ip, ips, k, sizeof(*ips), cmp_u32))
				continue;
			if (b->nidx == cap) {
				cap = cap ? cap * 2 : 1024;
				struct nh_ref *n = realloc(b->idx, cap * sizeof(*n));
				if (!n) {
					free(ips);
					return -1;
				}
				b->idx = n;
			}
			b->idx[b->nidx++] = (struct nh_ref){ .ip = row.nh_ip, .p = row.prefixes[0] };
		}
		/* Keep the index small as it grows (subnets repeat the same
		 * rows); sorting only when it doubled keeps this O(n log n). */
		if (b->nidx >= 2 * uniq + 1024) {
			qsort(b->idx, b->nidx, sizeof(*b->idx), cmp_nh_ref);
			b->nidx = uniq = dedup_refs(b->idx, b->nidx);
		}
	}
	free(ips);
	if (b->nidx > 1) /* none (a capacity study): idx is NULL, which qsort may not take */
		qsort(b->idx, b->nidx, sizeof(*b->idx), cmp_nh_ref);
	b->nidx = dedup_refs(b->idx, b->nidx);
	return 0;
}

/* The baseline time: the study's `at` (a label of the scenario, or a
 * time), else after every file event. */
static int baseline_time(const struct study_base *b, struct diag *d, int64_t *t)
{
	const struct scenario *sc = b->sc;
	const char *at = b->st->at;
	*t = sc->nevents ? sc->events[sc->nevents - 1].at_ms : 0;
	if (!at || strcmp(at, "end") == 0)
		return 0;
	if (strcmp(at, "start") == 0) {
		*t = -1;
		return 0;
	}
	for (size_t i = 0; i < sc->nevents; i++)
		if (sc->events[i].op == EV_CHECKPOINT && strcmp(sc->events[i].label, at) == 0) {
			*t = sc->events[i].at_ms;
			return 0;
		}
	if (b->st->at_ms >= 0) {
		*t = b->st->at_ms;
		return 0;
	}
	diag_add(d, DIAG_ERROR, b->st->file, "$.at",
		 "\"%s\" is neither a checkpoint label of %s nor a time", at, sc->file);
	return 2;
}

int study_prepare(const struct study *st, struct scenario *sc, struct diag *d,
		  struct study_base **out)
{
	*out = NULL;
	struct study_base *b = calloc(1, sizeof(*b));
	if (!b)
		return 3;
	b->st = st;
	b->sc = sc;
	b->diag = d;
	b->saved_nevents = sc->nevents;
	int64_t t0;
	int rc = baseline_time(b, d, &t0);
	if (rc != 0) {
		study_base_destroy(b);
		return rc;
	}
	/* Later file events are not part of the baseline. */
	size_t n = 0;
	while (n < sc->nevents && sc->events[n].at_ms <= t0)
		n++;
	sc->nevents = n;
	b->run = run_create(sc, d);
	/* With an `at`, the baseline is the state at that moment: the replay
	 * stops there, and timers still pending (a hold timer, a Route Server
	 * scale-out) run on inside each variant's window. */
	const char *at = st->at && strcmp(st->at, "end") != 0 ? st->at : NULL;
	const char *label = at;
	bool is_label = at && strcmp(at, "start") == 0;
	for (size_t i = 0; at && !is_label && i < sc->nevents; i++)
		is_label = sc->events[i].op == EV_CHECKPOINT && strcmp(sc->events[i].label, at) == 0;
	if (b->run && at && !is_label) {
		label = "study baseline";
		if (run_add_probe(b->run, t0, label) != 0)
			rc = 3;
	}
	if (b->run && at)
		run_stop_after(b->run, label);
	if (rc == 0)
		rc = b->run ? run_execute(b->run) : 3;
	if (rc != 0) {
		study_base_destroy(b);
		return rc;
	}
	b->cp = run_checkpoint(b->run, at ? label : "end");
	b->t_fail = run_end_ms(b->run) > t0 ? run_end_ms(b->run) : (t0 > 0 ? t0 : 0);
	if (st->kind == STUDY_ENUMERATE)
		rc = list_enumerate(b) == 0 ? 0 : 3;
	else if (st->kind == STUDY_MONTE_CARLO)
		rc = list_monte_carlo(b, d);
	if (rc == 0 && build_index(b) != 0)
		rc = 3;
	if (rc != 0) {
		study_base_destroy(b);
		return rc;
	}
	*out = b;
	return 0;
}

void study_base_destroy(struct study_base *b)
{
	if (!b)
		return;
	run_destroy(b->run);
	for (size_t i = 0; i < b->nv; i++) {
		free(b->v[i].label);
		free(b->v[i].dead);
		free(b->v[i].only);
		free(b->v[i].drawn);
		free(b->v[i].fail_target);
	}
	free(b->v);
	for (size_t i = 0; i < b->ntargets; i++) {
		free(b->targets[i]);
		spec_fini(&b->tdead[i]);
	}
	free(b->targets);
	free(b->tdead);
	free(b->idx);
	b->sc->nevents = b->saved_nevents;
	free(b);
}

size_t study_variant_count(const struct study_base *b) { return b->nv; }
const char *study_variant_label(const struct study_base *b, size_t i) { return b->v[i].label; }
const char *study_variant_class(const struct study_base *b, size_t i) { return b->v[i].klass; }
int64_t study_failure_ms(const struct study_base *b) { return b->t_fail; }
size_t study_subnet_count(const struct study_base *b) { return b->cp->topo->nsubnets; }
const char *study_subnet_id(const struct study_base *b, size_t s)
{
	return b->cp->topo->subnets[s]->id;
}
size_t study_subnet_nics(const struct study_base *b, size_t s)
{
	return b->cp->topo->subnets[s]->nic_count;
}
const struct run *study_run(const struct study_base *b) { return b->run; }
struct diag *study_diag(const struct study_base *b) { return b->diag; }
size_t study_target_count(const struct study_base *b) { return b->ntargets; }
const char *study_target(const struct study_base *b, size_t i) { return b->targets[i]; }

/* ---- impact ------------------------------------------------------------------ */

#define MAX_ROWS 64

/* Growing arrays of the evaluation. */
struct vec {
	void *v;
	size_t n, cap, elem;
};

static void *vec_push(struct vec *x)
{
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 64;
		void *nv = realloc(x->v, nc * x->elem);
		if (!nv)
			return NULL;
		x->v = nv;
		x->cap = nc;
	}
	return (char *)x->v + x->elem * x->n++;
}

/* A row as the evaluation compares it, packed so that integer order is
 * the order of (prefix as prefix_compare, active, next hop type, IP). */
struct row_key {
	uint64_t p;                    /* pkey(prefix) */
	uint64_t hop;                  /* active << 40 | next hop type << 32 | next hop IP */
};

static inline uint64_t pkey(struct prefix p)
{
	return (uint64_t)p.addr << 8 | p.len;
}

static inline struct prefix pkey_prefix(uint64_t k)
{
	return (struct prefix){ .addr = (uint32_t)(k >> 8), .len = (uint8_t)(k & 0xff) };
}


/* The Active rows of one destination, reduced to what forwarding uses. */
struct hops {
	size_t n;                      /* rows (capped at MAX_ROWS) */
	enum nh_type nh[MAX_ROWS];
	uint32_t ip[MAX_ROWS];         /* 0 when the row has none */
};

/* The Active rows of p in the table w walks (NULL: no table, no rows). */
static void hops_of(struct eff_walk *w, struct prefix p, struct hops *h)
{
	struct route_row rows[MAX_ROWS];
	h->n = 0;
	if (!w)
		return;
	size_t n = eff_walk_rows(w, p, rows, MAX_ROWS);
	if (n > MAX_ROWS)
		n = MAX_ROWS;
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].active)
			continue;
		h->nh[h->n] = rows[i].nh;
		h->ip[h->n] = rows[i].has_nh_ip ? rows[i].nh_ip : 0;
		h->n++;
	}
}

static bool hops_equal(const struct hops *a, const struct hops *b)
{
	if (a->n != b->n)
		return false;
	/* Multisets: a handful of rows, quadratic is fine. */
	bool used[MAX_ROWS] = { false };
	for (size_t i = 0; i < a->n; i++) {
		bool found = false;
		for (size_t k = 0; k < b->n && !found; k++)
			if (!used[k] && a->nh[i] == b->nh[k] && a->ip[i] == b->ip[k])
				found = used[k] = true;
		if (!found)
			return false;
	}
	return true;
}

static bool all_none(const struct hops *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->nh[i] != NH_NONE)
			return false;
	return true;
}

static bool dead_covers(const struct dead *w, uint32_t ip, struct prefix p)
{
	return w->ip == ip && (w->nonly == 0 || bsearch(&p, w->only, w->nonly, sizeof(p), cmp_prefix));
}

struct span {
	int64_t a, b;
};

static int cmp_span(const void *x, const void *y)
{
	const struct span *s = x, *t = y;
	return (s->a > t->a) - (s->a < t->a);
}

/* Accounting for one destination over [a, b) with rows h (base: baseline
 * rows): adds to rec and to the per-window scratch. */
static int account(const struct variant *v, struct prefix p, const struct hops *base,
		   const struct hops *h, int64_t a, int64_t b, struct study_record *rec,
		   int64_t *per_dead, struct span *spans)
{
	if (b <= a)
		return 0;
	int64_t len = b - a;
	if (base->n > 0 && (h->n == 0 || (all_none(h) && !all_none(base))))
		rec->lost_ms += len;
	else if (!hops_equal(base, h))
		rec->changed_ms += len;
	size_t ns = 0;
	for (size_t w = 0; w < v->ndead; w++) {
		const struct dead *d = &v->dead[w];
		bool hit = false;
		for (size_t i = 0; i < h->n && !hit; i++)
			hit = h->ip[i] && dead_covers(d, h->ip[i], p);
		int64_t lo = d->from > a ? d->from : a, hi = d->to < b ? d->to : b;
		if (!hit || hi <= lo)
			continue;
		per_dead[w] += hi - lo;
		spans[ns++] = (struct span){ lo, hi };
	}
	/* The union of the dead spans: black-hole time. */
	if (ns > 1)
		qsort(spans, ns, sizeof(*spans), cmp_span);
	int64_t cur_a = 0, cur_b = INT64_MIN;
	for (size_t i = 0; i < ns; i++) {
		if (spans[i].a > cur_b) {
			if (cur_b > cur_a)
				rec->bh_ms += cur_b - cur_a;
			cur_a = spans[i].a;
			cur_b = spans[i].b;
		} else if (spans[i].b > cur_b) {
			cur_b = spans[i].b;
		}
	}
	if (ns > 0 && cur_b > cur_a)
		rec->bh_ms += cur_b - cur_a;
	return 0;
}

static inline int cmp_row_key(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->hop > y->hop) - (x->hop < y->hop);
}

/* Whether v is strictly increasing (sorted, no duplicates). */
static bool prefixes_increasing(const struct prefix *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (prefix_compare(v[i - 1], v[i]) >= 0)
			return false;
	return true;
}

/* Room for at least n more elements. */
static int vec_reserve(struct vec *x, size_t n)
{
	if (x->cap - x->n >= n)
		return 0;
	size_t nc = x->cap ? x->cap : 64;
	while (nc - x->n < n)
		nc *= 2;
	void *nv = realloc(x->v, nc * x->elem);
	if (!nv)
		return -1;
	x->v = nv;
	x->cap = nc;
	return 0;
}

/* A table's rows as sorted keys.  Gateway rows come from the domain's
 * sorted set and are listed in prefix order: they go straight to out
 * (sorted only if a prefix's rows are out of key order), the few system
 * and User rows are sorted apart (in own) and merged in from the back,
 * O(rows) without a second copy. */
static int table_keys(const struct eff_table *t, struct vec *out, struct vec *own)
{
	out->n = own->n = 0;
	if (!t)
		return 0;
	struct eff_iter it = { 0 };
	struct route_row row;
	bool sorted = true;
	while (eff_row(t, false, &it, &row)) {
		if (row.nprefixes != 1 || row.nh == NH_SERVICE_ENDPOINT)
			continue; /* as eff_rows_with_prefix: never changes with a failure */
		struct vec *to = row.source == SRC_GATEWAY ? out : own;
		if (to->n == to->cap && vec_reserve(to, 1) != 0)
			return -1;
		struct row_key *k = (struct row_key *)to->v + to->n++;
		*k = (struct row_key){ pkey(row.prefixes[0]),
				       (uint64_t)(row.active ? 1 : 0) << 40 | (uint64_t)row.nh << 32 |
					       (row.has_nh_ip ? row.nh_ip : 0) };
		if (to == out && sorted && out->n > 1 && cmp_row_key(k - 1, k) > 0)
			sorted = false;
	}
	if (!sorted)
		qsort(out->v, out->n, sizeof(struct row_key), cmp_row_key);
	if (own->n == 0)
		return 0;
	qsort(own->v, own->n, sizeof(struct row_key), cmp_row_key);
	if (vec_reserve(out, own->n) != 0)
		return -1;
	/* Merge from the back: equal keys are equal rows, so ties need no care. */
	struct row_key *a = out->v, *b = own->v;
	size_t i = out->n, j = own->n, w = out->n + own->n;
	while (j > 0) {
		if (i > 0 && cmp_row_key(&a[i - 1], &b[j - 1]) > 0)
			a[--w] = a[--i];
		else
			a[--w] = b[--j];
	}
	out->n += own->n;
	return 0;
}

/* The Active rows of p from sorted keys, scanning forward from *at: the
 * prefixes asked for must come in increasing order (then the scans of a
 * whole candidate list cost O(keys + candidates)). */
static void hops_at(const struct vec *keys, size_t *at, struct prefix p, struct hops *h)
{
	const struct row_key *k = keys->v;
	uint64_t pk = pkey(p);
	size_t i = *at;
	while (i < keys->n && k[i].p < pk)
		i++;
	*at = i;
	h->n = 0;
	for (; i < keys->n && k[i].p == pk && h->n < MAX_ROWS; i++) {
		if (!(k[i].hop >> 40))
			continue;
		h->nh[h->n] = (enum nh_type)((k[i].hop >> 32) & 0xff);
		h->ip[h->n] = (uint32_t)k[i].hop;
		h->n++;
	}
}

/* Prefixes whose rows differ between two tables (a row diff). */
static int diff_prefixes(const struct eff_table *a, const struct eff_table *b, struct vec *ka,
			 struct vec *kb, struct vec *out)
{
	struct vec own = { .elem = sizeof(struct row_key) };
	int rc = table_keys(a, ka, &own) != 0 || table_keys(b, kb, &own) != 0 ? -1 : 0;
	free(own.v);
	if (rc != 0)
		return -1;
	const struct row_key *x = ka->v, *y = kb->v;
	size_t i = 0, k = 0;
	while (i < ka->n || k < kb->n) {
		uint64_t p = i < ka->n && (k >= kb->n || x[i].p <= y[k].p) ? x[i].p : y[k].p;
		size_t i2 = i, k2 = k;
		while (i2 < ka->n && x[i2].p == p)
			i2++;
		while (k2 < kb->n && y[k2].p == p)
			k2++;
		bool same = i2 - i == k2 - k;
		for (size_t j = 0; same && j < i2 - i; j++)
			same = x[i + j].p == y[k + j].p && x[i + j].hop == y[k + j].hop;
		if (!same) {
			struct prefix *o = vec_push(out);
			if (!o)
				return -1;
			*o = pkey_prefix(p);
		}
		i = i2;
		k = k2;
	}
	return 0;
}

/* The row keys of p in the table w walks, sorted; how many (at most MAX_ROWS). */
static size_t walk_keys(struct eff_walk *w, struct prefix p, uint64_t *keys)
{
	struct route_row rows[MAX_ROWS];
	size_t n = eff_walk_rows(w, p, rows, MAX_ROWS);
	if (n > MAX_ROWS)
		n = MAX_ROWS;
	for (size_t i = 0; i < n; i++)
		keys[i] = (uint64_t)(rows[i].active ? 1 : 0) << 40 | (uint64_t)rows[i].nh << 32 |
			  (rows[i].has_nh_ip ? rows[i].nh_ip : 0);
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of rows */
		for (size_t k = i; k > 0 && keys[k - 1] > keys[k]; k--) {
			uint64_t t = keys[k];
			keys[k] = keys[k - 1];
			keys[k - 1] = t;
		}
	return n;
}

#define SET_DIFFS 4

/* Where two domain sets differ (bgp_set_diff), for the last few pairs of
 * sets the variant's tables showed: every subnet of a domain shows the
 * same pair, so a rebuilt set (a gateway instance down) is compared with
 * the old one once, not once per subnet. */
struct set_diffs {
	struct {
		const struct bgp_set *a, *b;
		struct prefix *v;      /* NULL: slot free */
		size_t n;
	} slot[SET_DIFFS];
	size_t next;                   /* the slot replaced next */
};

static void set_diffs_fini(struct set_diffs *c)
{
	for (size_t i = 0; i < SET_DIFFS; i++)
		free(c->slot[i].v);
}

/* The difference of a's and b's sets, cached; NULL out of memory. */
static const struct prefix *sets_differ(struct set_diffs *c, const struct eff_table *a,
					const struct eff_table *b, size_t *n)
{
	const struct bgp_set *sa = eff_table_set(a), *sb = eff_table_set(b);
	for (size_t i = 0; i < SET_DIFFS; i++)
		if (c->slot[i].v && c->slot[i].a == sa && c->slot[i].b == sb) {
			*n = c->slot[i].n;
			return c->slot[i].v;
		}
	size_t i = c->next;
	c->next = (c->next + 1) % SET_DIFFS;
	free(c->slot[i].v);
	c->slot[i].v = NULL;
	if (bgp_set_diff(sa, sb, &c->slot[i].v, &c->slot[i].n) != 0)
		return NULL;
	c->slot[i].a = sa;
	c->slot[i].b = sb;
	*n = c->slot[i].n;
	return c->slot[i].v;
}

/* diff_prefixes without reading whole tables: the prefixes of
 * eff_diff_bound's bound whose rows differ, compared as diff_prefixes
 * compares them, appended to out.  When both tables show the same domain
 * set (an edit that left the domain's routes alone, as most peering edits
 * do) the bound is a dozen prefixes; when the set changed, it holds where
 * the sets differ (cached in sd).  walks[0] and walks[1] are scratch.
 * 1 done, 0 no bound (diff the rows), -1 out of memory. */
static int bounded_diff(const struct eff_table *a, const struct eff_table *b,
			struct eff_walk *walks, struct set_diffs *sd, struct vec *out)
{
	struct prefix *bound;
	size_t nb, nsd = 0;
	const struct prefix *diff = NULL;
	if (a && b && eff_table_set(a) != eff_table_set(b) && !(diff = sets_differ(sd, a, b, &nsd)))
		return -1;
	int rc = eff_diff_bound(a, b, diff, nsd, &bound, &nb);
	if (rc <= 0)
		return rc;
	if (eff_walk_start(&walks[0], a, false) != 0 || eff_walk_start(&walks[1], b, false) != 0)
		rc = -1;
	for (size_t i = 0; rc == 1 && i < nb; i++) {
		uint64_t ka[MAX_ROWS], kb[MAX_ROWS];
		size_t na = walk_keys(&walks[0], bound[i], ka), nk = walk_keys(&walks[1], bound[i], kb);
		if (na == nk && memcmp(ka, kb, na * sizeof(*ka)) == 0)
			continue;
		struct prefix *o = vec_push(out);
		if (!o)
			rc = -1;
		else
			*o = bound[i];
	}
	free(bound);
	return rc;
}

/* The prefixes besides a BGP scope whose own rows a BGP change can alter:
 * 0.0.0.0/0 (SPEC 1.6.4) and the platform None prefixes (1.6.5). */
static bool own_row_prefix(const struct study_base *b, struct prefix p)
{
	if (p.len == 0)
		return true;
	const struct prefix_list *none = &b->sc->settings.none_prefixes;
	for (size_t i = 0; i < none->n; i++)
		if (prefix_compare(none->v[i], p) == 0)
			return true;
	return false;
}

/* Whether p is in v[0..n) (sorted), scanning forward from *at: the
 * prefixes asked for must not decrease. */
static bool in_sorted_from(const struct prefix *v, size_t n, size_t *at, struct prefix p)
{
	uint64_t pk = pkey(p);
	size_t i = *at;
	while (i < n && pkey(v[i]) < pk)
		i++;
	*at = i;
	return i < n && pkey(v[i]) == pk;
}

/* Whether the rows of p can differ between e's before and after; *at is
 * the cursor into e's scope (prefixes asked for must not decrease). */
static bool in_scope(const struct study_base *b, const struct timeline_entry *e, size_t *at,
		     struct prefix p)
{
	if (e->scope)
		return in_sorted_from(e->scope, e->nscope, at, p);
	if (e->bgp_scope)
		return in_sorted_from(e->bgp_scope, e->nbgp_scope, at, p) || own_row_prefix(b, p);
	return true;
}

static bool is_session_loss(const char *what)
{
	/* A silent crash is a loss when its hold timer expires, not before. */
	return strstr(what, "peer down (graceful)") || strstr(what, "hold timer expired") ||
	       strstr(what, "dropped") || strcmp(what, "instance down") == 0;
}

#define CAND_SIG_MAX 4

/* What a subnet's candidate list was computed from. */
struct cand_sig {
	const struct prefix *scope[CAND_SIG_MAX]; /* per entry: scope or bgp_scope */
	size_t n;
	bool usable;                   /* every entry had one, at most CAND_SIG_MAX */
};

static int eval_subnet(struct study_base *b, const struct variant *v, uint32_t s,
		       const size_t *ents, size_t nents, struct cand_sig *cache, struct vec *cand,
		       struct vec *ka,
		       struct vec *kb, struct vec *recs, int64_t *per_dead, int64_t *fail_bh,
		       struct span *spans, struct eff_walk *walks, size_t *sc_at,
		       struct set_diffs *sd, int64_t t_end)
{
	const struct eff_table *base_t = b->cp->tables[s];
	/* The candidates depend on the dead next hops (the same for every
	 * subnet) and the entries' scopes: a wave of BGP changes gives every
	 * subnet of a domain the same scope object, so the list of the last
	 * subnet is reused when its scopes were the same objects. */
	struct cand_sig sig = { .n = 0, .usable = nents <= CAND_SIG_MAX };
	bool keys_built = false;       /* ka, kb hold the rows of the last entry's tables */
	for (size_t k = 0; sig.usable && k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
		sig.scope[k] = e->scope ? e->scope : e->bgp_scope;
		sig.usable = sig.scope[k] != NULL;
		sig.n++;
	}
	if (sig.usable && cache->usable && cache->n == sig.n &&
	    memcmp(cache->scope, sig.scope, sig.n * sizeof(sig.scope[0])) == 0)
		goto evaluate;
	*cache = sig;
	cand->n = 0;
	/* Candidates: baseline rows through a next hop that dies... */
	for (size_t w = 0; w < v->ndead; w++) {
		size_t lo = 0, hi = b->nidx;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (b->idx[mid].ip < v->dead[w].ip)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < b->nidx && b->idx[lo].ip == v->dead[w].ip; lo++) {
			struct prefix *o = vec_push(cand);
			if (!o)
				return -1;
			*o = b->idx[lo].p;
		}
	}
	/* ... and what the variant's table changes touched. */
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
		const struct prefix *sc = e->scope ? e->scope : e->bgp_scope;
		size_t nsc = e->scope ? e->nscope : e->nbgp_scope;
		for (size_t j = 0; sc && j < nsc; j++) {
			struct prefix *o = vec_push(cand);
			if (!o)
				return -1;
			*o = sc[j];
		}
		const struct prefix_list *none = &b->sc->settings.none_prefixes;
		for (size_t j = 0; !e->scope && e->bgp_scope && j <= none->n; j++) {
			struct prefix *o = vec_push(cand);
			if (!o)
				return -1;
			*o = j < none->n ? none->v[j] : (struct prefix){ .addr = 0, .len = 0 };
		}
		if (!sc) {
			int bounded = bounded_diff(e->before, e->after, walks, sd, cand);
			if (bounded < 0 || (bounded == 0 &&
					    diff_prefixes(e->before, e->after, ka, kb, cand) != 0))
				return -1;
			keys_built = bounded == 0;
		}
	}
	if (!prefixes_increasing(cand->v, cand->n))
		cand->n = prefix_sort_unique(cand->v, cand->n);
evaluate:
	if (cand->n == 0)
		return 0;
	/* One configuration change (an edit): its row diff already holds the
	 * rows of both tables, sorted; look them up there. */
	const struct timeline_entry *e0 = nents == 1 ? run_timeline_get(b->run, ents[0]) : NULL;
	bool by_keys = keys_built && e0 && !e0->scope && !e0->bgp_scope && e0->before == base_t;
	const struct prefix *ps = cand->v;
	size_t at_a = 0, at_b = 0;     /* by_keys: cursors (candidates increase) */
	/* Otherwise a walk per table (walks[0] the baseline's, walks[1 + k]
	 * entry k's after) and a cursor per scope: candidates increase. */
	struct eff_walk *wbase = NULL;
	if (!by_keys && base_t) {
		if (eff_walk_start(&walks[0], base_t, false) != 0)
			return -1;
		wbase = &walks[0];
	}
	for (size_t k = 0; k < nents; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
		sc_at[k] = 0;
		if (!by_keys && e->after && eff_walk_start(&walks[1 + k], e->after, false) != 0)
			return -1;
	}
	for (size_t c = 0; c < cand->n; c++) {
		struct prefix p = ps[c];
		struct hops base, cur;     /* cur is valid once now points to it */
		const struct hops *now = &base; /* the rows at t (no 520-byte copy) */
		if (by_keys)
			hops_at(ka, &at_a, p, &base);
		else
			hops_of(wbase, p, &base);
		struct study_record rec = { .subnet = s, .dest = p };
		memset(per_dead, 0, v->ndead * sizeof(*per_dead));
		int64_t t = b->t_fail;
		for (size_t k = 0; k < nents; k++) {
			const struct timeline_entry *e = run_timeline_get(b->run, ents[k]);
			if (!in_scope(b, e, &sc_at[k], p))
				continue;
			account(v, p, &base, now, t, e->at_ms, &rec, per_dead, spans);
			t = e->at_ms;
			if (by_keys)
				hops_at(kb, &at_b, p, &cur);
			else
				hops_of(e->after ? &walks[1 + k] : NULL, p, &cur);
			now = &cur;
		}
		account(v, p, &base, now, t, t_end, &rec, per_dead, spans);
		for (size_t w = 0; w < v->ndead; w++)
			if (v->dead[w].fail != SIZE_MAX && per_dead[w] > fail_bh[w])
				fail_bh[w] = per_dead[w];
		rec.nbh = rec.bh_ms > 0;
		rec.nlost = rec.lost_ms > 0;
		rec.nchanged = rec.changed_ms > 0;
		if (rec.bh_ms || rec.lost_ms || rec.changed_ms) {
			struct study_record *o = vec_push(recs);
			if (!o)
				return -1;
			*o = rec;
		}
	}
	return 0;
}

/* A record's term of the score (NIC-seconds). */
static double record_score(const struct study_base *b, const struct study_record *r)
{
	return (double)(r->bh_ms + r->lost_ms) / 1000.0 * (double)study_subnet_nics(b, r->subnet);
}

/* One record per subnet: the longest times, the destination counts. */
static void fold(struct study_result *res)
{
	size_t k = 0;
	for (size_t i = 0; i < res->nrecs; i++) {
		const struct study_record *r = &res->recs[i];
		if (k == 0 || res->recs[k - 1].subnet != r->subnet) {
			res->recs[k++] = *r;
			continue;
		}
		struct study_record *o = &res->recs[k - 1];
		o->bh_ms = r->bh_ms > o->bh_ms ? r->bh_ms : o->bh_ms;
		o->lost_ms = r->lost_ms > o->lost_ms ? r->lost_ms : o->lost_ms;
		o->changed_ms = r->changed_ms > o->changed_ms ? r->changed_ms : o->changed_ms;
		o->nbh += r->nbh;
		o->nlost += r->nlost;
		o->nchanged += r->nchanged;
	}
	res->nrecs = k;
	res->folded = true;
}

int study_eval(struct study_base *b, size_t i, struct study_result *out)
{
	memset(out, 0, sizeof(*out));
	out->variant = i;
	struct variant *v = &b->v[i];
	/* This process owns the run now (study.h): the baseline checkpoint's
	 * topology is read only for subnet names, indices and NIC counts,
	 * which a peering edit leaves alone, so edits may change it in place. */
	run_allow_shared_in_place(b->run);
	size_t n0 = run_timeline_count(b->run), s0 = run_session_event_count(b->run);
	uint64_t unprog0 = run_unprogrammed_nic_ms(b->run, b->t_fail);
	int64_t t_end;
	if (b->st->kind == STUDY_MONTE_CARLO) {
		t_end = b->t_fail + b->st->horizon_ms;
		if (draw_run(b, v, i) != 0)
			return 3;
	} else {
		t_end = b->t_fail + b->st->window_ms;
		for (size_t k = 0; k < v->nev; k++)
			if (v->ev[k].at_ms < t_end && run_inject(b->run, &v->ev[k]) != 0)
				return 3;
	}
	out->status = run_resume(b->run, t_end - 1);
	if (out->status == 3)
		return 3;
	out->unprog_vm_s = (double)(run_unprogrammed_nic_ms(b->run, t_end) - unprog0) / 1000.0;
	for (size_t k = s0; k < run_session_event_count(b->run); k++)
		if (is_session_loss(run_session_event_get(b->run, k)->what))
			out->session_losses++;
	if (out->status != 0)
		return 0;
	/* Timeline entries of the window, grouped by baseline subnet. */
	const struct topology *bt = b->cp->topo;
	size_t ns = bt->nsubnets, ne = run_timeline_count(b->run) - n0;
	size_t *first = calloc(ns + 1, sizeof(*first)), *ents = malloc((ne ? ne : 1) * sizeof(*ents));
	uint32_t *esub = malloc((ne ? ne : 1) * sizeof(*esub));
	int64_t *per_dead = calloc(v->ndead + 1, sizeof(*per_dead));
	int64_t *fail_bh = calloc(v->ndead + 1, sizeof(*fail_bh));
	struct span *spans = calloc(v->ndead + 1, sizeof(*spans));
	struct cand_sig cache = { .usable = false };
	struct set_diffs sd = { .next = 0 };
	struct vec cand = { .elem = sizeof(struct prefix) }, ka = { .elem = sizeof(struct row_key) },
		   kb = { .elem = sizeof(struct row_key) }, recs = { .elem = sizeof(struct study_record) };
	int rc = first && ents && esub && per_dead && fail_bh && spans ? 0 : -1;
	for (size_t k = 0; rc == 0 && k < ne; k++) {
		const struct timeline_entry *e = run_timeline_get(b->run, n0 + k);
		const struct subnet *sn = topology_subnet(bt, e->subnet);
		esub[k] = sn && e->at_ms < t_end ? (uint32_t)sn->index : UINT32_MAX;
		if (esub[k] != UINT32_MAX)
			first[esub[k] + 1]++;
	}
	size_t most = 0;               /* entries of the subnet with the most */
	for (size_t s = 0; rc == 0 && s < ns; s++) {
		if (first[s + 1] > most)
			most = first[s + 1];
		first[s + 1] += first[s];
	}
	struct eff_walk *walks = rc == 0 ? calloc(most + 1, sizeof(*walks)) : NULL;
	size_t *sc_at = rc == 0 ? calloc(most + 1, sizeof(*sc_at)) : NULL;
	if (!walks || !sc_at)
		rc = -1;
	size_t *fill = rc == 0 ? calloc(ns + 1, sizeof(*fill)) : NULL;
	if (!fill)
		rc = -1;
	for (size_t k = 0; rc == 0 && k < ne; k++)
		if (esub[k] != UINT32_MAX)
			ents[first[esub[k]] + fill[esub[k]]++] = n0 + k;
	free(fill);
	/* Without detail, each subnet's records are scored and folded as soon
	 * as they are made: the score adds the same terms in the same order as
	 * study_score would over the whole list, and a variant touching every
	 * destination of every subnet never holds them all (840,000 records,
	 * 47 MB, for a connection failure of ref-4k). */
	bool fold_now = b->st->kind == STUDY_ENUMERATE && !b->st->detail;
	double score = 0;
	for (size_t s = 0; rc == 0 && s < ns; s++) {
		size_t r0 = recs.n;
		rc = eval_subnet(b, v, (uint32_t)s, ents + first[s],
				 first[s + 1] - first[s], &cache, &cand, &ka, &kb, &recs, per_dead, fail_bh,
				 spans, walks, sc_at, &sd, t_end);
		if (rc != 0 || !fold_now || recs.n == r0)
			continue;
		struct study_result part = { .recs = (struct study_record *)recs.v + r0,
					     .nrecs = recs.n - r0 };
		for (size_t k = 0; k < part.nrecs; k++) /* one term at a time, as study_score */
			score += record_score(b, &part.recs[k]);
		fold(&part);
		recs.n = r0 + part.nrecs;
	}
	/* Monte-carlo: one result per drawn failure (a down/up pair), with
	 * the longest black hole among the next hops it killed. */
	size_t nf = v->ndrawn / 2;
	if (rc == 0 && b->st->kind == STUDY_MONTE_CARLO && nf > 0) {
		out->fails = calloc(nf, sizeof(*out->fails));
		if (!out->fails)
			rc = -1;
		for (size_t f = 0; rc == 0 && f < nf; f++) {
			const struct event *down = &v->drawn[2 * f], *up = &v->drawn[2 * f + 1];
			out->fails[f] = (struct study_failure){
				.target = v->fail_target[f], .at_ms = down->at_ms,
				.repair_ms = up->at_ms - down->at_ms,
				.phase_ms = down->hold_elapsed_ms };
		}
		for (size_t w = 0; rc == 0 && w < v->ndead; w++) {
			size_t f = v->dead[w].fail;
			if (f < nf && fail_bh[w] > out->fails[f].bh_ms)
				out->fails[f].bh_ms = fail_bh[w];
		}
		out->nfails = rc == 0 ? nf : 0;
	}
	for (size_t k = 0; walks && k <= most; k++)
		eff_walk_fini(&walks[k]);
	free(walks);
	free(sc_at);
	set_diffs_fini(&sd);
	free(first);
	free(ents);
	free(esub);
	free(per_dead);
	free(fail_bh);
	free(spans);
	free(cand.v);
	free(ka.v);
	free(kb.v);
	if (rc != 0) {
		free(recs.v);
		study_result_fini(out);
		return 3;
	}
	out->recs = recs.v;
	out->nrecs = recs.n;
	out->score = fold_now ? score : study_score(b, out);
	if (fold_now)
		out->folded = true;
	return 0;
}

void study_result_fini(struct study_result *res)
{
	free(res->recs);
	free(res->fails);
	res->recs = NULL;
	res->fails = NULL;
	res->nrecs = res->nfails = 0;
}

double study_score(const struct study_base *b, const struct study_result *res)
{
	double s = 0;
	for (size_t i = 0; i < res->nrecs; i++)
		s += record_score(b, &res->recs[i]);
	return s;
}
