/*
 * run_capacity.c - Route Server capacity during a replay (RULES 1.8, a
 * model assumption).  Part of the replay (run_int.h).
 *
 * What it models: a Route Server serves (units + 2) * 1,000 VMs of its
 * domain, units starting at its minCapacity.  Above that a scale-out starts
 * and completes settings.routeServerScaleOutSeconds later with enough units
 * for the VMs then (at most 48); meanwhile the most recently added NICs
 * beyond capacity get no Route Server routes: they see their subnet's table
 * without Route Server rows, and checkpoints list them.
 *
 * Invariants: r->nic_seq numbers every NIC of r->topo in creation order
 * (a NIC keeps its number across edits; new NICs come after every earlier
 * one, in scenario order); r->unprog is NULL when every NIC is programmed,
 * else marks the NICs beyond capacity (r->nunprog of them); r->rs holds one
 * state per Route Server name ever seen, so units survive an edit that
 * rebuilds the topology.
 * Ownership: the run's arrays (run.c frees them); timer arguments in the
 * run's arena.
 * Costs: a check O(Route Servers * subnets); the NICs beyond capacity
 * O(NICs log NICs) per domain over capacity.
 */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "evq.h"
#include "vec.h"

#define RS_MAX_UNITS 48

struct rs_state *run_capacity_state(struct run *r, const struct route_server *rs)
{
	for (size_t i = 0; i < r->nrs; i++)
		if (strcmp(r->rs[i].name, rs->name) == 0)
			return &r->rs[i];
	const char *name = arena_strdup(r->arena, rs->name);
	struct rs_state *s = name ? VEC_PUSH(r->rs, r->nrs, r->rs_cap) : NULL;
	if (!s)
		return NULL;
	*s = (struct rs_state){ .name = name, .units = rs->min_capacity };
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

int run_capacity_mark_hubs(struct run *r)
{
	const struct topology *t = r->topo;
	for (size_t i = 0; i < t->nrss; i++) {
		const struct route_server *rs = t->rss[i];
		struct rs_state *st = run_capacity_state(r, rs);
		if (!st)
			return -1;
		uint32_t units = st->units > rs->min_capacity ? st->units : rs->min_capacity;
		r->over_capacity[rs->vnet->index] = domain_vms(t, rs->vnet) > capacity_vms(units);
	}
	return 0;
}

/* ---- the NICs beyond capacity --------------------------------------------- */

int run_capacity_number_nics(struct run *r, const struct topology *old)
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

/* RULES 1.8: the NICs of rs's domain beyond its capacity, most recently
 * added first, are marked in u (per topo->nics index); *count grows. */
static int mark_unprogrammed(struct run *r, bool *u, size_t *count, const struct route_server *rs)
{
	struct rs_state *s = run_capacity_state(r, rs);
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

int run_capacity_unprogrammed(struct run *r, bool **out, size_t *count)
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

void run_capacity_set_unprogrammed(struct run *r, bool *u, size_t n, int64_t now)
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
static void update_views(struct run *r, int64_t now, const char *cause)
{
	bool *u;
	size_t n;
	if (run_capacity_unprogrammed(r, &u, &n) != 0) {
		run_oom(r);
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
			flips = run_nic_unprog(r->unprog, idx) != run_nic_unprog(u, idx);
		}
		if (flips)
			run_log_change_views(r, now, s, false, &vc, r->tables[i], r->tables[i], cause);
	}
	run_capacity_set_unprogrammed(r, u, n, now);
}

/* ---- scale-out -------------------------------------------------------------- */

/* The scale-out of a->rs completes: units for the VMs of its domain now. */
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
		if (need > RS_MAX_UNITS)
			need = RS_MAX_UNITS;
		s->units = need;
		run_session_event(r, now, s->name,
				  "Route Server scaled out to %u routing infrastructure units (%llu VMs)",
				  need, (unsigned long long)capacity_vms(need));
	}
	run_capacity_check(r, now, run_cause(r, "scale-out", a->rs));
}

/* Starts the scale-out of s (rs's state, vms VMs in its domain). */
static int scale_out(struct run *r, struct rs_state *s, const struct route_server *rs, size_t vms,
		     int64_t now)
{
	struct timer_arg *a = arena_calloc(r->arena, 1, sizeof(*a));
	if (!a)
		return -1;
	a->r = r;
	a->rs = s->name;
	int64_t done = now + r->sc->settings.scale_out_ms;
	s->scale_timer = evq_push(r->q, done, RUN_CLASS_CHANGE, EVQ_FOREGROUND, on_scaled_out, r, a);
	if (!s->scale_timer)
		return -1;
	run_session_event(r, now, rs->name,
			  "%zu VMs exceed capacity %llu (%u units): scaling out until %.3fs; "
			  "%llu NICs get no Route Server routes meanwhile (model assumption)",
			  vms, (unsigned long long)capacity_vms(s->units), s->units,
			  (double)done / 1000.0, (unsigned long long)(vms - capacity_vms(s->units)));
	return 0;
}

void run_capacity_check(struct run *r, int64_t now, const char *why)
{
	for (size_t i = 0; i < r->topo->nrss; i++) {
		const struct route_server *rs = r->topo->rss[i];
		struct rs_state *s = run_capacity_state(r, rs);
		if (!s) {
			run_oom(r);
			return;
		}
		if (s->units < rs->min_capacity)
			s->units = rs->min_capacity;
		size_t vms = domain_vms(r->topo, rs->vnet);
		if (vms <= capacity_vms(s->units) || s->scale_timer || s->units >= RS_MAX_UNITS)
			continue;
		if (scale_out(r, s, rs, vms, now) != 0) {
			run_oom(r);
			return;
		}
	}
	update_views(r, now, why);
}
