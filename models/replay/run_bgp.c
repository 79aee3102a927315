/*
 * run_bgp.c - BGP events of the replay (RULES 2.2; RULES 1.5, 1.8) and their
 * timers.  Part of the replay (run_int.h); the core dispatches the events
 * advertise, withdraw, peerDown, peerUp, instanceDown and instanceUp here.
 *
 * What it models: the Azure side's BGP sessions as the events change them.
 * The speakers (models/rules/speaker.c) keep each peer's RIBs; this module
 * turns an event into speaker calls, session events for the summary and
 * timers, then tells the core which domain changed (run_domain_changed)
 * and, when it knows, which prefixes:
 *  - advertise/withdraw: the event's prefixes (a down peer's withdraw only
 *    changes what it re-sends: RULES 2.2; a session dropped for the
 *    prefix limit withdraws everything: the domain is rebuilt);
 *  - a graceful peerDown, or a hold timer expiring after a silent one
 *    (settings.bgpHoldSeconds): the prefixes the sessions held;
 *  - peerUp (of a peer dropped for its limit: an immediate retry), a
 *    connect retry, instanceDown/Up: the whole domain.
 * A session dropped for the prefix limit is retried after
 * settings.bgpConnectRetrySeconds, as background work that does not keep
 * the run alive while it would fail again; a retry that would succeed
 * (the peer withdrew back under its limit) is a change that `end` waits
 * for (RULES 2.2): after every file event run_bgp_retries_reclass moves a
 * pending retry whose outcome changed to the other class.
 *
 * Invariants: peer->hold_timer and peer->retry_timer[i] are the engine ids
 * of the pending timers, 0 when none (retry_at[i] its time, retry_change[i]
 * whether it was pushed as a change) (so peerUp can cancel the hold timer
 * and a drop schedules one retry per session).  A reference to a peer that
 * is not in the topology at the time is an invalid event (status 2).
 * Ownership: timer arguments and owner names in the run's arena; route
 * arrays built for the speakers are freed before returning (the speakers
 * copy them).
 * Costs: an advertise O(prefixes * log RIB) in the speakers plus the
 * domain's decision over the touched prefixes (run.c).
 */
#include "run_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "speaker.h"
#include "arena.h"
#include "diag.h"
#include "evq.h"

static const struct vnet *peer_hub(const struct run *r, const struct peer *p)
{
	const struct route_server *rs = topology_route_server(r->topo, p->owner);
	if (p->kind == PEER_NVA)
		return rs ? rs->vnet : NULL;
	const struct gateway *gw = topology_gateway(r->topo, p->owner);
	return gw ? gw->vnet : NULL;
}

static void on_retry(void *ctx, void *arg, int64_t now);

/* What on_retry will find: the session re-established under the limit. */
static bool retry_would_succeed(const struct run *r, const struct peer *p, unsigned inst)
{
	return p->present && p->admin_up && !p->session[inst] &&
	       speakers_session_host_up(r->sp, p, inst) && p->sent[inst].n <= p->limit;
}

/* Pushes p's retry of inst at p->retry_at[inst].  A retry that would fail
 * again is periodic background work that does not keep the run alive; one
 * that would succeed is a change, which the end checkpoint waits for
 * (RULES 2.2). */
static void push_retry(struct run *r, struct peer *p, unsigned inst, struct timer_arg *a)
{
	p->retry_change[inst] = retry_would_succeed(r, p, inst);
	p->retry_timer[inst] = evq_push(r->q, p->retry_at[inst], RUN_CLASS_CHANGE,
					p->retry_change[inst] ? EVQ_FOREGROUND : EVQ_BACKGROUND,
					on_retry, r, a);
	if (!p->retry_timer[inst])
		run_oom(r);
}

static void schedule_retry(struct run *r, struct peer *p, unsigned inst, int64_t now)
{
	if (p->retry_timer[inst])
		return;
	struct timer_arg *a = arena_calloc(r->arena, 1, sizeof(*a));
	if (!a) {
		run_oom(r);
		return;
	}
	*a = (struct timer_arg){ .r = r, .peer = p, .inst = inst };
	p->retry_at[inst] = now + r->sc->settings.connect_retry_ms;
	push_retry(r, p, inst, a);
}

void run_bgp_retries_reclass(struct run *r)
{
	for (size_t i = 0; i < speakers_count(r->sp); i++) {
		struct peer *p = speakers_at(r->sp, i);
		for (unsigned k = 0; k < p->ninst; k++) {
			if (!p->retry_timer[k] || p->retry_change[k] == retry_would_succeed(r, p, k))
				continue;
			/* Same time, same argument: only its class changes. */
			struct timer_arg *a = arena_calloc(r->arena, 1, sizeof(*a));
			if (!a) {
				run_oom(r);
				return;
			}
			*a = (struct timer_arg){ .r = r, .peer = p, .inst = k };
			evq_cancel(r->q, p->retry_timer[k]);
			push_retry(r, p, k, a);
		}
	}
}

static void report_drops(struct run *r, struct peer *p, unsigned dropped, int64_t now)
{
	for (unsigned i = 0; i < p->ninst; i++) {
		if (!(dropped & (1u << i)))
			continue;
		run_session_event(r, now, p->id,
				  "session%s dropped: %zu prefixes advertised, limit %u (flap %u); "
				  "retry in %llds",
				  p->ninst > 1 ? (i ? " IN_1" : " IN_0") : "", p->sent[i].n,
				  p->limit, p->inst_flaps[i],
				  (long long)(r->sc->settings.connect_retry_ms / 1000));
		schedule_retry(r, p, i, now);
	}
}

/* peer_session_up for the run: 1 up, 0 dropped again for the limit, -1
 * out of memory (recorded: the run stops, nothing is reported as a drop). */
static int session_up(struct run *r, struct peer *p, unsigned inst)
{
	int up = peer_session_up(p, inst);
	if (up < 0)
		run_oom(r);
	return up;
}

static void on_retry(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	struct timer_arg *a = arg;
	struct peer *p = a->peer;
	p->retry_timer[a->inst] = 0;
	if (!p->present || !p->admin_up || !speakers_session_host_up(r->sp, p, a->inst) ||
	    p->session[a->inst])
		return;
	int up = session_up(r, p, a->inst);
	if (up > 0) {
		run_session_event(r, now, p->id, "session re-established after the connect retry");
		run_domain_changed(r, peer_hub(r, p), now, run_cause(r, "connect retry", p->id), NULL,
				   0);
	} else if (up == 0) {
		report_drops(r, p, 1u << a->inst, now);
	}
}

/* The prefixes p's sessions hold (sorted, unique; malloc'd, *n may be 0):
 * what taking them down can change, so the domain decides only those again. */
static struct prefix *held_prefixes(const struct peer *p, size_t *n)
{
	size_t total = 0;
	for (unsigned i = 0; i < p->ninst; i++)
		total += p->in[i].n;
	struct prefix *v = malloc((total ? total : 1) * sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0;
	for (unsigned i = 0; i < p->ninst; i++)
		for (size_t j = 0; j < p->in[i].n; j++)
			v[k++] = p->in[i].v[j].prefix;
	*n = prefix_sort_unique(v, k);
	return v;
}

/* All of p's sessions go down: withdraw what they held. */
static void sessions_down(struct run *r, struct peer *p, int64_t now, const char *why)
{
	size_t n = 0;
	struct prefix *held = held_prefixes(p, &n);
	for (unsigned i = 0; i < p->ninst; i++)
		peer_session_down(p, i);
	/* Without the list (out of memory) the domain is rebuilt whole. */
	run_domain_changed(r, peer_hub(r, p), now, why, held, held ? n : 0);
	free(held);
}

static void on_hold_expired(void *ctx, void *arg, int64_t now)
{
	struct run *r = ctx;
	struct timer_arg *a = arg;
	struct peer *p = a->peer;
	p->hold_timer = 0;
	run_session_event(r, now, p->id, "hold timer expired: routes withdrawn");
	sessions_down(r, p, now, run_cause(r, "hold timer", p->id));
}

static struct peer *event_peer(struct run *r, const struct event *e, const char *ref)
{
	struct peer *p = speakers_peer(r->sp, ref);
	if (!p || !p->present) {
		char where[RUN_EVENT_PATH_LEN];
		diag_add(r->diag, DIAG_ERROR, r->sc->file, run_event_path(e, where),
			 "at %.3fs: no BGP peer \"%s\" in the topology at this time",
			 (double)e->at_ms / 1000.0, ref);
		r->status = 2;
		return NULL;
	}
	return p;
}

static void event_warning(struct run *r, const struct event *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void event_warning(struct run *r, const struct event *e, const char *fmt, ...)
{
	char msg[512], where[RUN_EVENT_PATH_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(r->diag, DIAG_WARNING, r->sc->file, run_event_path(e, where), "at %.3fs: %s",
		 (double)e->at_ms / 1000.0, msg);
}

/* The origin a peer's routes have in the decision process (RULES 1.5). */
static enum bgp_origin peer_origin(enum peer_kind k)
{
	switch (k) {
	case PEER_ER: return BGP_ORIGIN_EXPRESSROUTE;
	case PEER_VPN: return BGP_ORIGIN_VPN;
	case PEER_NVA: return BGP_ORIGIN_NVA;
	}
	return BGP_ORIGIN_NVA;
}

void run_bgp_advertise(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->from);
	if (!p)
		return;
	if (e->has_to && p->ninst == 1) {
		char where[RUN_EVENT_PATH_LEN];
		diag_add(r->diag, DIAG_ERROR, r->sc->file, run_event_path(e, where),
			 "at %.3fs: \"to\" picks Route Server instances, but \"%s\" is a gateway "
			 "connection (one session)",
			 (double)e->at_ms / 1000.0, p->id);
		r->status = 2;
		return;
	}
	if (!p->admin_up)
		event_warning(r, e,
			      "\"%s\" is down (peerDown): a down peer sends nothing; these routes "
			      "are what it sends when it comes back (peerUp)",
			      p->id);
	struct rib_route *routes = calloc(e->nprefixes ? e->nprefixes : 1, sizeof(*routes));
	uint32_t *path = calloc(e->as_len + 2, sizeof(uint32_t));
	if (!routes || !path) {
		free(routes);
		free(path);
		run_oom(r);
		return;
	}
	/* asPath defaults to [peerAsn] (RULES 2.2); what the Azure side
	 * receives is decided by the BGP rules (RULES 1.5.5). */
	uint32_t peer_asn = 0, next_hop = e->has_next_hop ? e->next_hop : 0;
	const struct bgp_conn *bc = topology_bgp_conn(r->topo, p->id);
	const struct connection *c = topology_connection(r->topo, p->id);
	if (bc)
		peer_asn = bc->peer_asn;
	else if (c)
		peer_asn = c->peer_asn;
	const uint32_t *sent = e->has_as_path ? e->as_path : &peer_asn;
	size_t nsent = e->has_as_path ? e->as_len : (size_t)(peer_asn != 0);
	size_t n = bgp_as_path_received(peer_origin(p->kind), sent, nsent, path);
	for (size_t i = 0; i < e->nprefixes; i++)
		routes[i] = (struct rib_route){ .prefix = e->prefixes[i], .as_path = path,
						.as_len = (uint16_t)n,
						.communities = e->communities,
						.ncommunities = (uint16_t)e->ncommunities,
						.next_hop = p->kind == PEER_NVA ? next_hop : 0 };
	unsigned dropped = peer_advertise(r->sp, p, e->to_mask, routes, e->nprefixes);
	free(routes);
	free(path);
	if (dropped & SPEAKER_NOMEM) {
		run_oom(r);
		return;
	}
	report_drops(r, p, dropped, now);
	/* A dropped session withdraws everything it had: rebuild. */
	run_domain_changed(r, peer_hub(r, p), now, run_cause(r, "advertise", p->id),
			   dropped ? NULL : e->prefixes, e->nprefixes);
}

void run_bgp_withdraw(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->from);
	if (!p)
		return;
	if (!p->admin_up)
		event_warning(r, e,
			      "\"%s\" is down (peerDown): a down peer sends nothing; this withdrawal "
			      "changes only what it sends when it comes back (peerUp)",
			      p->id);
	peer_withdraw(p, e->prefixes, e->nprefixes);
	run_domain_changed(r, peer_hub(r, p), now, run_cause(r, "withdraw", p->id), e->prefixes,
		       e->nprefixes);
}

void run_bgp_peer_down(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->peer);
	if (!p)
		return;
	if (!p->admin_up) {
		event_warning(r, e, "peerDown of \"%s\", which is already down: ignored", p->id);
		return;
	}
	p->admin_up = false;
	if (e->graceful) {
		run_session_event(r, now, p->id, "peer down (graceful): routes withdrawn at once");
		sessions_down(r, p, now, run_cause(r, "peerDown", p->id));
		return;
	}
	/* RULES 2.2: a silent failure is noticed when the hold timer expires. */
	struct timer_arg *a = arena_calloc(r->arena, 1, sizeof(*a));
	if (!a) {
		run_oom(r);
		return;
	}
	*a = (struct timer_arg){ .r = r, .peer = p };
	int64_t at = now + r->sc->settings.hold_ms - e->hold_elapsed_ms;
	if (at < now)
		at = now;
	p->hold_timer = evq_push(r->q, at, RUN_CLASS_CHANGE, EVQ_FOREGROUND, on_hold_expired, r, a);
	if (!p->hold_timer) {
		run_oom(r);
		return;
	}
	run_session_event(r, now, p->id,
			  "peer down (silent): routes stay programmed until the hold timer expires "
			  "at %.3fs",
			  (double)at / 1000.0);
}

/* RULES 2.2: peerUp of a peer up but dropped for its prefix limit is an
 * immediate connect retry of each dropped session; the retry timer starts
 * again.  False when no session of p is dropped (nothing to do). */
static bool retry_now(struct run *r, struct peer *p, int64_t now)
{
	unsigned tried = 0, dropped = 0;
	for (unsigned i = 0; i < p->ninst; i++) {
		if (!p->dropped[i] || p->session[i] || !speakers_session_host_up(r->sp, p, i))
			continue;
		tried |= 1u << i;
		if (p->retry_timer[i]) {
			evq_cancel(r->q, p->retry_timer[i]);
			p->retry_timer[i] = 0;
		}
		int up = session_up(r, p, i);
		if (up < 0)
			return true;
		if (up == 0)
			dropped |= 1u << i;
	}
	if (!tried)
		return false;
	run_session_event(r, now, p->id, "peer up: immediate connect retry");
	report_drops(r, p, dropped, now);
	if (tried != dropped)
		run_domain_changed(r, peer_hub(r, p), now, run_cause(r, "peerUp", p->id), NULL, 0);
	return true;
}

void run_bgp_peer_up(struct run *r, const struct event *e, int64_t now)
{
	struct peer *p = event_peer(r, e, e->peer);
	if (!p)
		return;
	if (p->admin_up) {
		if (!retry_now(r, p, now))
			event_warning(r, e, "peerUp of \"%s\", which is up: ignored", p->id);
		return;
	}
	p->admin_up = true;
	if (p->hold_timer) {
		evq_cancel(r->q, p->hold_timer);
		p->hold_timer = 0;
	}
	unsigned dropped = 0;
	for (unsigned i = 0; i < p->ninst; i++) {
		int up = speakers_session_host_up(r->sp, p, i) ? session_up(r, p, i) : 1;
		if (up < 0)
			return;
		if (up == 0)
			dropped |= 1u << i;
	}
	run_session_event(r, now, p->id, "peer up: session re-established, routes re-sent");
	report_drops(r, p, dropped, now);
	run_domain_changed(r, peer_hub(r, p), now, run_cause(r, "peerUp", p->id), NULL, 0);
}

static void instance_change(struct run *r, const struct event *e, int64_t now, bool up)
{
	const char *slash = strrchr(e->target, '/');
	unsigned inst = slash[4] == '1';
	char *owner = arena_strndup(r->arena, e->target, (size_t)(slash - e->target));
	if (!owner) {
		run_oom(r);
		return;
	}
	const struct route_server *rs = topology_route_server(r->topo, owner);
	const struct gateway *gw = topology_gateway(r->topo, owner);
	if (!rs && !gw) {
		char where[RUN_EVENT_PATH_LEN];
		diag_add(r->diag, DIAG_ERROR, r->sc->file, run_event_path(e, where),
			 "no Route Server or gateway \"%s\" at this time", owner);
		r->status = 2;
		return;
	}
	if (speakers_instance_up(r->sp, owner, inst) == up)
		return;
	if (speakers_set_instance(r->sp, owner, inst, up) != 0) {
		run_oom(r);
		return;
	}
	/* Sessions to that instance follow it: NVAs peer with each Route
	 * Server instance; a gateway's connections keep their session while
	 * one instance lives. */
	for (size_t i = 0; i < speakers_count(r->sp); i++) {
		struct peer *p = speakers_at(r->sp, i);
		if (!p->present || strcmp(p->owner, owner) != 0)
			continue;
		unsigned k = p->kind == PEER_NVA ? inst : 0;
		bool any_up = speakers_instance_up(r->sp, owner, 0) ||
			      speakers_instance_up(r->sp, owner, 1);
		if (!up && (p->kind == PEER_NVA || !any_up)) {
			peer_session_down(p, k);
		} else if (up && p->admin_up && !p->session[k]) {
			int back = session_up(r, p, k);
			if (back < 0)
				return;
			if (back == 0)
				report_drops(r, p, 1u << k, now);
		}
	}
	run_session_event(r, now, e->target, up ? "instance up" : "instance down");
	run_domain_changed(r, rs ? rs->vnet : gw->vnet, now,
			   run_cause(r, up ? "instanceUp" : "instanceDown", e->target), NULL, 0);
}


void run_bgp_instance_down(struct run *r, const struct event *e, int64_t now)
{
	instance_change(r, e, now, false);
}

void run_bgp_instance_up(struct run *r, const struct event *e, int64_t now)
{
	instance_change(r, e, now, true);
}
