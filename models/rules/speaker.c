/*
 * speaker.c - BGP sessions and RIBs of the Azure side.  See speaker.h.
 */
#include "speaker.h"

#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "strmap.h"
#include "vec.h"

struct owner_state {
	char *name;
	bool down[2];                  /* instance down */
};

struct speakers {
	struct strmap *by_id;          /* id -> struct peer */
	struct peer **v;               /* creation order */
	size_t n, cap;
	struct strmap *owners;         /* name -> struct owner_state */
	struct owner_state **ov;
	size_t no, ocap;
};

/* ---- RIB ----------------------------------------------------------------- */

static void route_free(struct rib_route *r)
{
	free(r->as_path);
	free(r->communities);
}

static void rib_clear(struct rib *r)
{
	for (size_t i = 0; i < r->n; i++)
		route_free(&r->v[i]);
	r->n = 0;
}

static void rib_fini(struct rib *r)
{
	rib_clear(r);
	free(r->v);
	r->v = NULL;
	r->cap = 0;
}

static size_t rib_lower(const struct rib *r, struct prefix p)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (prefix_compare(r->v[mid].prefix, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct rib_route *rib_find(const struct rib *r, struct prefix p)
{
	size_t i = rib_lower(r, p);
	return i < r->n && prefix_equal(r->v[i].prefix, p) ? &r->v[i] : NULL;
}

static int route_copy(struct rib_route *dst, const struct rib_route *src)
{
	*dst = *src;
	dst->as_path = NULL;
	dst->communities = NULL;
	if (src->as_len) {
		dst->as_path = malloc(src->as_len * sizeof(uint32_t));
		if (!dst->as_path)
			return -1;
		memcpy(dst->as_path, src->as_path, src->as_len * sizeof(uint32_t));
	}
	if (src->ncommunities) {
		dst->communities = malloc(src->ncommunities * sizeof(uint32_t));
		if (!dst->communities) {
			free(dst->as_path);
			return -1;
		}
		memcpy(dst->communities, src->communities, src->ncommunities * sizeof(uint32_t));
	}
	return 0;
}

/* Inserts or replaces (implicit withdraw of the old path, RFC 4271 9.1.4). */
static int rib_put(struct rib *r, const struct rib_route *src)
{
	size_t i = rib_lower(r, src->prefix);
	struct rib_route copy;
	if (route_copy(&copy, src) != 0)
		return -1;
	if (i < r->n && prefix_equal(r->v[i].prefix, src->prefix)) {
		route_free(&r->v[i]);
		r->v[i] = copy;
		return 0;
	}
	if (VEC_RESERVE(r->v, r->cap, r->n + 1) != 0) {
		route_free(&copy);
		return -1;
	}
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i] = copy;
	r->n++;
	return 0;
}

static void rib_del(struct rib *r, struct prefix p)
{
	size_t i = rib_lower(r, p);
	if (i < r->n && prefix_equal(r->v[i].prefix, p)) {
		route_free(&r->v[i]);
		memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
		r->n--;
	}
}

/* ---- speakers ------------------------------------------------------------ */

struct speakers *speakers_create(void)
{
	struct speakers *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->by_id = strmap_create();
	s->owners = strmap_create();
	if (!s->by_id || !s->owners) {
		speakers_destroy(s);
		return NULL;
	}
	return s;
}

void speakers_destroy(struct speakers *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct peer *p = s->v[i];
		for (unsigned k = 0; k < 2; k++) {
			rib_fini(&p->sent[k]);
			rib_fini(&p->in[k]);
		}
		free(p->id);
		free(p->owner);
		free(p);
	}
	for (size_t i = 0; i < s->no; i++) {
		free(s->ov[i]->name);
		free(s->ov[i]);
	}
	free(s->v);
	free(s->ov);
	strmap_destroy(s->by_id);
	strmap_destroy(s->owners);
	free(s);
}

struct peer *speakers_peer(const struct speakers *s, const char *id)
{
	return strmap_get(s->by_id, id);
}

size_t speakers_count(const struct speakers *s) { return s->n; }
struct peer *speakers_at(const struct speakers *s, size_t i) { return i < s->n ? s->v[i] : NULL; }

static struct owner_state *owner(struct speakers *s, const char *name, bool create)
{
	struct owner_state *o = strmap_get(s->owners, name);
	if (o || !create)
		return o;
	if (VEC_RESERVE(s->ov, s->ocap, s->no + 1) != 0)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o || !(o->name = strdup(name)) || strmap_put(s->owners, o->name, o) < 0) {
		if (o)
			free(o->name);
		free(o);
		return NULL;
	}
	s->ov[s->no++] = o;
	return o;
}

bool speakers_instance_up(const struct speakers *s, const char *name, unsigned inst)
{
	const struct owner_state *o = strmap_get(s->owners, name);
	return inst < 2 && !(o && o->down[inst]);
}

int speakers_set_instance(struct speakers *s, const char *name, unsigned inst, bool up)
{
	struct owner_state *o = owner(s, name, true);
	if (!o || inst >= 2)
		return -1;
	o->down[inst] = !up;
	return 0;
}

bool speakers_session_host_up(const struct speakers *s, const struct peer *p, unsigned inst)
{
	if (p->kind == PEER_NVA)
		return speakers_instance_up(s, p->owner, inst);
	return inst == 0 &&
	       (speakers_instance_up(s, p->owner, 0) || speakers_instance_up(s, p->owner, 1));
}

static struct peer *add_peer(struct speakers *s, const char *id, enum peer_kind kind,
			     const char *owner_name)
{
	if (VEC_RESERVE(s->v, s->cap, s->n + 1) != 0)
		return NULL;
	struct peer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->id = strdup(id);
	p->owner = strdup(owner_name);
	if (!p->id || !p->owner || strmap_put(s->by_id, p->id, p) < 0) {
		free(p->id);
		free(p->owner);
		free(p);
		return NULL;
	}
	p->kind = kind;
	p->ninst = kind == PEER_NVA ? 2 : 1;
	p->admin_up = true;
	for (unsigned k = 0; k < p->ninst; k++)
		p->session[k] = true;
	s->v[s->n++] = p;
	return p;
}

int speakers_sync(struct speakers *s, const struct topology *t)
{
	for (size_t i = 0; i < s->n; i++)
		s->v[i]->present = false;
	for (size_t i = 0; i < t->nrss; i++) {
		const struct route_server *rs = t->rss[i];
		for (size_t k = 0; k < rs->nconns; k++) {
			const struct bgp_conn *c = &rs->conns[k];
			struct peer *p = speakers_peer(s, c->id);
			if (!p && !(p = add_peer(s, c->id, PEER_NVA, rs->name)))
				return -1;
			p->present = true;
			p->limit = c->max_routes;
		}
	}
	for (size_t i = 0; i < t->nconns; i++) {
		const struct connection *c = t->conns[i];
		if (!c->gw)
			continue;
		enum peer_kind kind = c->type == CONN_EXPRESSROUTE ? PEER_ER : PEER_VPN;
		struct peer *p = speakers_peer(s, c->name);
		if (p && (p->kind != kind || strcmp(p->owner, c->gw->name) != 0)) {
			/* The connection moved to another gateway kind: start over. */
			for (unsigned k = 0; k < 2; k++) {
				rib_clear(&p->in[k]);
				rib_clear(&p->sent[k]);
			}
			char *o = strdup(c->gw->name);
			if (!o)
				return -1;
			free(p->owner);
			p->owner = o;
			p->kind = kind;
		}
		if (!p && !(p = add_peer(s, c->name, kind, c->gw->name)))
			return -1;
		p->present = true;
		p->limit = kind == PEER_VPN ? SPEAKER_VPN_LIMIT
			   : c->premium    ? SPEAKER_ER_PREMIUM_LIMIT
					   : SPEAKER_ER_LIMIT;
	}
	/* A peer removed from the topology loses its sessions and routes; it
	 * stays in the table (ids are stable) in case an edit brings it back. */
	for (size_t i = 0; i < s->n; i++) {
		struct peer *p = s->v[i];
		if (p->present)
			continue;
		for (unsigned k = 0; k < 2; k++) {
			rib_clear(&p->in[k]);
			rib_clear(&p->sent[k]);
		}
	}
	return 0;
}

/* Distinct prefixes in in[inst] plus those of the update not already there:
 * O(n log n + n log |r|), so an UPDATE of 10,000 prefixes is cheap.  Out
 * of memory it counts every prefix of the update as new (an upper bound). */
static size_t count_with(const struct rib *r, const struct rib_route *routes, size_t n)
{
	struct prefix *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return r->n + n;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!rib_find(r, routes[i].prefix))
			v[m++] = routes[i].prefix;
	size_t total = r->n + prefix_sort_unique(v, m);
	free(v);
	return total;
}

void peer_session_down(struct peer *p, unsigned inst)
{
	if (inst >= p->ninst)
		return;
	p->session[inst] = false;
	rib_clear(&p->in[inst]);
}

int peer_session_up(struct peer *p, unsigned inst)
{
	if (inst >= p->ninst)
		return 0;
	p->dropped[inst] = false;
	rib_clear(&p->in[inst]);
	if (p->sent[inst].n > p->limit) {
		p->session[inst] = false;
		p->dropped[inst] = true;
		p->flaps++;
		p->inst_flaps[inst]++;
		return 0;
	}
	for (size_t i = 0; i < p->sent[inst].n; i++)
		if (rib_put(&p->in[inst], &p->sent[inst].v[i]) != 0) {
			/* Not a drop for the limit: no flap, no half-filled RIB. */
			rib_clear(&p->in[inst]);
			return -1;
		}
	p->session[inst] = true;
	return 1;
}

unsigned peer_advertise(struct speakers *s, struct peer *p, unsigned mask,
			const struct rib_route *routes, size_t n)
{
	unsigned dropped = 0;
	for (unsigned k = 0; k < p->ninst; k++) {
		if (p->ninst > 1 && !(mask & (1u << k)))
			continue;
		for (size_t i = 0; i < n; i++)
			if (rib_put(&p->sent[k], &routes[i]) != 0)
				return dropped | SPEAKER_NOMEM;
		bool live = p->admin_up && p->session[k] && speakers_session_host_up(s, p, k);
		if (!live)
			continue;
		/* RULES 1.8: the distinct prefixes the peer has advertised to
		 * this instance, the new UPDATE included, against the limit. */
		if (count_with(&p->in[k], routes, n) > p->limit) {
			peer_session_down(p, k);
			p->dropped[k] = true;
			p->flaps++;
			p->inst_flaps[k]++;
			dropped |= 1u << k;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (rib_put(&p->in[k], &routes[i]) != 0)
				return dropped | SPEAKER_NOMEM;
	}
	return dropped;
}

void peer_withdraw(struct peer *p, const struct prefix *prefixes, size_t n)
{
	for (unsigned k = 0; k < p->ninst; k++) {
		/* RULES 2.2: a peer whose session is down sends nothing; a
		 * crashed one (admin down, session still held) keeps its routes
		 * until the hold timer, whatever it "withdraws" meanwhile. */
		bool reaches = p->admin_up && p->session[k];
		for (size_t i = 0; i < n; i++) {
			rib_del(&p->sent[k], prefixes[i]);
			if (reaches)
				rib_del(&p->in[k], prefixes[i]);
		}
	}
}
