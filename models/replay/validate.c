/*
 * validate.c - validation that follows the timeline (RULES 2.2).  See
 * validate.h for the contract.
 *
 * The replay keeps a working copy of the topology JSON (made at the first
 * edit) and the topology it describes now: the scenario's initial topology
 * (a reference) until an edit replaces it by one of its own.  Each event,
 * in the scenario's sorted order (time, then file order):
 *  - advertise, withdraw, peerDown, peerUp: the speaker must exist now (a
 *    Route Server bgpConnection "rs/name" or a connection); a static VPN
 *    connection (enableBgp false) may go down and up but sends no UPDATE;
 *    `to` picks Route Server instances, so a gateway connection refuses it;
 *    a peerDown of a peer already down is a warning (it changes nothing);
 *  - instanceDown, instanceUp: the Route Server or gateway must exist now;
 *  - add, set, remove: applied with edit_begin; refused, or leaving an
 *    invalid topology, it is reported, rolled back and left out.
 */
#include "validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "jsonin.h"
#include "scenario.h"
#include "topo_load.h"
#include "diag.h"
#include "strmap.h"
#include "vec.h"

#define EVENT_PATH_LEN 40

static const char *event_path(const struct event *e, char buf[EVENT_PATH_LEN])
{
	snprintf(buf, EVENT_PATH_LEN, "$.events[%zu]", e->index);
	return buf;
}

/* ---- loading an edited topology ---------------------------------------- */

bool validate_says_out_of_memory(const char *msg)
{
	return strncmp(msg, "out of memory", strlen("out of memory")) == 0;
}

/* Whether loading the edited topology failed for lack of memory rather
 * than because the configuration is invalid: the loader said so, or it
 * failed without an error the collector could keep (an invalid
 * configuration always has one). */
static bool load_ran_out(const struct diag *d)
{
	size_t stored = diag_stored(d), errors = diag_count(d, DIAG_ERROR);
	size_t all = errors + diag_count(d, DIAG_WARNING) + diag_count(d, DIAG_NOTE);
	if (errors == 0 || (stored < all && stored < DIAG_MAX_STORED))
		return true;
	for (size_t i = 0; i < stored; i++)
		if (validate_says_out_of_memory(diag_get(d, i)->message))
			return true;
	return false;
}

struct edited_load {
	const struct topo_opts *opts;
	struct topology *t;            /* the result, NULL when invalid */
};

/* topo_load with the path at $.topology, as the scenario's own load. */
static bool load_at_topology(struct jin *j, const cJSON *topo, size_t i, void *ctx)
{
	struct edited_load *l = ctx;
	(void)i;
	l->t = topo_load(j, topo, l->opts);
	return true;
}

/* The loader writes into a scratch collector because its messages describe
 * the edited topology, not the scenario file. */
struct topology *validate_load_edited(const struct scenario *sc, const cJSON *json,
				      const struct topology *prev, const struct event *e,
				      int64_t now, struct diag *d, bool *oom)
{
	*oom = false;
	struct diag *scratch = diag_create();
	if (!scratch) {
		*oom = true;
		return NULL;
	}
	struct jin j;
	jin_init(&j, scratch, sc->file);
	struct topo_opts to = { .tags = sc->tags, .max_nics = TOPO_MAX_NICS_DEFAULT, .prev = prev };
	struct edited_load l = { &to, NULL };
	jin_in(&j, "topology", json, load_at_topology, &l);
	if (!l.t && load_ran_out(scratch)) {
		diag_destroy(scratch);
		*oom = true;
		return NULL;
	}
	char where[EVENT_PATH_LEN];
	event_path(e, where);
	for (size_t i = 0; !l.t && i < diag_stored(scratch); i++) {
		const struct diag_entry *x = diag_get(scratch, i);
		if (x->severity != DIAG_ERROR)
			continue;
		diag_add(d, DIAG_ERROR, sc->file, where,
			 "%s \"%s\" at %.3fs would make the topology invalid: %s: %s",
			 ev_op_name(e->op), e->path, (double)now / 1000.0, x->path ? x->path : "$",
			 x->message);
	}
	diag_destroy(scratch);
	return l.t;
}

void validate_edit_refused(const struct scenario *sc, const struct event *e, int64_t now,
			   const char *err, struct diag *d)
{
	char where[EVENT_PATH_LEN];
	diag_add(d, DIAG_ERROR, sc->file, event_path(e, where), "%s \"%s\" rejected at %.3fs: %s",
		 ev_op_name(e->op), e->path, (double)now / 1000.0, err);
}

/* ---- the replay ---------------------------------------------------------- */

struct replay {
	struct jin *j;
	const struct scenario *s;
	cJSON *json;                   /* working copy, made at the first edit */
	struct topology *t;            /* the topology now (one reference) */
	struct strmap *peers;          /* peer id -> index + 1 in down[] */
	bool *down;                    /* after peerDown, until peerUp */
	size_t ndown, down_cap;
	bool oom;
};

/* The common edits, of a route table or of a VNet's peerings, reload that
 * object in place as the run does; 0 done, -1 when that does not apply
 * (the topology is shared, or the object invalid: a whole load says why). */
static int reload_in_place(struct replay *c, const struct event *e)
{
	char coll[EDIT_SEG_LEN], name[EDIT_SEG_LEN];
	struct topo_opts to = { .tags = c->s->tags, .max_nics = TOPO_MAX_NICS_DEFAULT,
				.prev = c->t };
	if (c->t->refs != 1 || edit_path_head(e->path, coll, name) != 0)
		return -1;
	if (strcmp(coll, "routeTables") == 0)
		return topo_reload_route_table(c->t, c->json, name, &to);
	if (strcmp(coll, "virtualNetworks") == 0 && strstr(e->path, "/virtualNetworkPeerings/") &&
	    topology_vnet(c->t, name))
		return topo_reload_peerings(c->t, c->json, name, &to);
	return -1;
}

static void replay_edit(struct replay *c, const struct event *e)
{
	struct diag *d = c->j->diag;
	if (!c->json && !(c->json = cJSON_Duplicate(c->s->topology_json, true))) {
		c->oom = true;
		return;
	}
	enum edit_op op = e->op == EV_ADD ? EDIT_ADD : e->op == EV_SET ? EDIT_SET : EDIT_REMOVE;
	char err[512];
	struct edit_undo undo;
	if (edit_begin(c->json, op, e->path, e->value, &undo, err, sizeof(err)) != 0) {
		if (validate_says_out_of_memory(err))
			c->oom = true;
		else
			validate_edit_refused(c->s, e, e->at_ms, err, d);
		return;
	}
	if (reload_in_place(c, e) == 0) {
		edit_commit(&undo);
		return;
	}
	bool oom;
	struct topology *nt = validate_load_edited(c->s, c->json, c->t, e, e->at_ms, d, &oom);
	if (!nt) {
		edit_rollback(c->json, &undo);
		c->oom = c->oom || oom;
		return;
	}
	edit_commit(&undo);
	topology_destroy(c->t);
	c->t = nt;
}

/* An error at $.events[N].key. */
static void event_error(struct replay *c, const struct event *e, const char *key, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));
static void event_error(struct replay *c, const struct event *e, const char *key, const char *fmt,
			...)
{
	char path[EVENT_PATH_LEN + 16], msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "$.events[%zu].%s", e->index, key);
	diag_add(c->j->diag, DIAG_ERROR, c->s->file, path, "%s", msg);
}

/* A BGP speaker at e's time: "rs/bgpConnection" or a connection. */
static void replay_speaker(struct replay *c, const struct event *e, const char *key,
			   const char *ref)
{
	double at = (double)e->at_ms / 1000.0;
	if (!ref)
		return;
	if (strchr(ref, '/')) {
		if (!topology_bgp_conn(c->t, ref))
			event_error(c, e, key, "no Route Server BGP connection \"%s\" at %.3fs", ref, at);
		return;
	}
	const struct connection *cn = topology_connection(c->t, ref);
	bool update = e->op == EV_ADVERTISE || e->op == EV_WITHDRAW;
	if (!cn)
		event_error(c, e, key,
			    "no connection or Route Server BGP connection \"%s\" at %.3fs (NVAs are "
			    "named \"<routeServer>/<bgpConnection>\")",
			    ref, at);
	else if (update && cn->type == CONN_IPSEC && !cn->enable_bgp)
		event_error(c, e, key,
			    "connection \"%s\" has no BGP session (enableBgp is false) at %.3fs: a "
			    "set of enableBgp, peerAsn and peerBgpAddress before it turns one on",
			    ref, at);
	else if (e->op == EV_ADVERTISE && e->has_to)
		event_error(c, e, "to",
			    "\"to\" picks Route Server instances, but \"%s\" is a gateway connection "
			    "(one session)",
			    ref);
}

/* RULES 2.2: a peerDown of a peer already down changes nothing (the run
 * ignores it too): a warning, as the author likely meant something else. */
static void replay_admin(struct replay *c, const struct event *e)
{
	if (!e->peer)
		return;
	if (!c->peers && !(c->peers = strmap_create())) {
		c->oom = true;
		return;
	}
	uintptr_t k = (uintptr_t)strmap_get(c->peers, e->peer);
	if (k == 0) {
		if (VEC_RESERVE(c->down, c->down_cap, c->ndown + 1) != 0 ||
		    strmap_put(c->peers, e->peer, (void *)(uintptr_t)(c->ndown + 1)) < 0) {
			c->oom = true;
			return;
		}
		k = ++c->ndown;
		c->down[k - 1] = false;
	}
	bool *down = &c->down[k - 1];
	if (e->op == EV_PEER_DOWN && *down) {
		char path[EVENT_PATH_LEN];
		diag_add(c->j->diag, DIAG_WARNING, c->s->file, event_path(e, path),
			 "peerDown of \"%s\" at %.3fs, which is already down: changes nothing",
			 e->peer, (double)e->at_ms / 1000.0);
	}
	*down = e->op == EV_PEER_DOWN;
}

/* "owner/IN_i" (its shape was checked when the event was read). */
static void replay_instance(struct replay *c, const struct event *e)
{
	const char *slash = e->target ? strrchr(e->target, '/') : NULL;
	char owner[EDIT_SEG_LEN];
	if (!slash)
		return;
	snprintf(owner, sizeof(owner), "%.*s", (int)(slash - e->target), e->target);
	if (!topology_route_server(c->t, owner) && !topology_gateway(c->t, owner))
		event_error(c, e, "target", "no Route Server or gateway named \"%s\" at %.3fs", owner,
			    (double)e->at_ms / 1000.0);
}

bool validate_timeline(struct jin *j, const struct scenario *s)
{
	struct replay c = { .j = j, .s = s, .t = topology_ref(s->topo) };
	for (size_t i = 0; i < s->nevents && !c.oom; i++) {
		const struct event *e = &s->events[i];
		switch (e->op) {
		case EV_ADVERTISE:
		case EV_WITHDRAW:
			replay_speaker(&c, e, "from", e->from);
			break;
		case EV_PEER_DOWN:
		case EV_PEER_UP:
			replay_speaker(&c, e, "peer", e->peer);
			replay_admin(&c, e);
			break;
		case EV_INSTANCE_DOWN:
		case EV_INSTANCE_UP:
			replay_instance(&c, e);
			break;
		case EV_ADD:
		case EV_SET:
		case EV_REMOVE:
			replay_edit(&c, e);
			break;
		case EV_CHECKPOINT:
			break;
		}
	}
	topology_destroy(c.t);
	cJSON_Delete(c.json);
	strmap_destroy(c.peers);
	free(c.down);
	if (c.oom)
		jin_error(j, "out of memory replaying the events");
	return !c.oom;
}
