/*
 * run_save.c - see run_save.h.  Part of the replay (run_int.h): it reads
 * and writes struct run's fields directly, so a field added to struct run
 * that a variant can change must be kept here too (test_run_save.c checks
 * a restored run against a fresh replay).
 *
 * Tables and sets are immutable and reference counted: the save holds a
 * reference to each one the run had, and putting back is a pointer swap
 * wherever the variant replaced one.  Peers are plain values (speaker.h)
 * whose RIBs the variant edits in place: the save holds deep copies, and a
 * RIB is copied back only when it differs.  Instance liveness is kept for
 * every Route Server and gateway of the topology.
 */
#include "run_save.h"

#include <stdlib.h>
#include <string.h>

#include "evq.h"
#include "jsonin.h"
#include "run_int.h"
#include "speaker.h"
#include "topo_load.h"
#include "vec.h"

struct owner_save {
	const char *name;              /* in the topology's arena (the same topology) */
	bool up[2];
};

struct run_save {
	const struct topology *topo;   /* the topology kept: it must still be r->topo */
	size_t nvnets, nsubnets, nnics;
	struct bgp_set **sets, **built; /* references */
	struct eff_table **tables;     /* references */
	bool *over;
	uint64_t *nic_seq;
	uint64_t next_seq;
	bool *unprog;                  /* NULL when every NIC is programmed */
	size_t nunprog;
	uint64_t unprog_nic_ms;
	int64_t unprog_since;
	struct nic_names *names;       /* nsubnets * 2 */
	struct rs_state *rs;
	size_t nrs;
	size_t ncps, ntl, nsev, npend;
	int status;
	size_t processed, recomputed;
	int64_t end_ms;
	bool stopped;
	struct evq *q;
	struct peer *peers;            /* RIBs deep-copied */
	size_t npeers;
	struct owner_save *owners;
	size_t nowners;
	cJSON *json;                   /* the topology JSON */
};

/* ---- RIBs --------------------------------------------------------------- */

/* A loop, not memcmp: paths and community lists are a few words, and
 * every route of every RIB is compared after each variant of a sweep (a
 * call to memcmp per list was a tenth of a peering removal's time). */
static bool words_same(const uint32_t *a, const uint32_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool route_same(const struct rib_route *a, const struct rib_route *b)
{
	return prefix_equal(a->prefix, b->prefix) && a->next_hop == b->next_hop &&
	       a->as_len == b->as_len && a->ncommunities == b->ncommunities &&
	       words_same(a->as_path, b->as_path, a->as_len) &&
	       words_same(a->communities, b->communities, a->ncommunities);
}

static bool rib_same(const struct rib *a, const struct rib *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!route_same(&a->v[i], &b->v[i]))
			return false;
	return true;
}

static void rib_drop(struct rib *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].as_path);
		free(r->v[i].communities);
	}
	r->n = 0;
}

static uint32_t *dup_u32(const uint32_t *v, size_t n, bool *failed)
{
	if (n == 0)
		return NULL;
	uint32_t *c = malloc(n * sizeof(*c));
	if (!c) {
		*failed = true;
		return NULL;
	}
	memcpy(c, v, n * sizeof(*c));
	return c;
}

/* dst (a RIB of the caller's, its routes dropped first) becomes a deep
 * copy of src.  -1 out of memory (dst then holds a valid prefix of src). */
static int rib_assign(struct rib *dst, const struct rib *src)
{
	rib_drop(dst);
	if (VEC_RESERVE(dst->v, dst->cap, src->n) != 0)
		return -1;
	for (size_t i = 0; i < src->n; i++) {
		bool failed = false;
		struct rib_route c = src->v[i];
		c.as_path = dup_u32(src->v[i].as_path, src->v[i].as_len, &failed);
		c.communities = dup_u32(src->v[i].communities, src->v[i].ncommunities, &failed);
		if (failed) {
			free(c.as_path);
			free(c.communities);
			return -1;
		}
		dst->v[dst->n++] = c;
	}
	return 0;
}

static void rib_free(struct rib *r)
{
	rib_drop(r);
	free(r->v);
	r->v = NULL;
	r->cap = 0;
}

/* ---- speakers ------------------------------------------------------------- */

/* The peer's values (sessions, timers, flaps) from src; its RIBs only
 * where they differ.  -1 out of memory. */
static int peer_assign(struct peer *dst, const struct peer *src)
{
	struct rib sent[2], in[2];
	memcpy(sent, dst->sent, sizeof(sent));
	memcpy(in, dst->in, sizeof(in));
	*dst = *src;
	memcpy(dst->sent, sent, sizeof(sent));
	memcpy(dst->in, in, sizeof(in));
	for (unsigned i = 0; i < 2; i++) {
		if (!rib_same(&dst->sent[i], &src->sent[i]) &&
		    rib_assign(&dst->sent[i], &src->sent[i]) != 0)
			return -1;
		if (!rib_same(&dst->in[i], &src->in[i]) && rib_assign(&dst->in[i], &src->in[i]) != 0)
			return -1;
	}
	return 0;
}

static int save_speakers(struct run_save *s, const struct run *r)
{
	s->npeers = speakers_count(r->sp);
	s->peers = calloc(s->npeers ? s->npeers : 1, sizeof(*s->peers));
	if (!s->peers)
		return -1;
	for (size_t i = 0; i < s->npeers; i++) {
		struct peer *p = &s->peers[i];
		if (peer_assign(p, speakers_at(r->sp, i)) != 0)
			return -1;
	}
	const struct topology *t = r->topo;
	s->owners = calloc(t->nrss + t->ngws + 1, sizeof(*s->owners));
	if (!s->owners)
		return -1;
	for (size_t i = 0; i < t->nrss + t->ngws; i++) {
		const char *name = i < t->nrss ? t->rss[i]->name : t->gws[i - t->nrss]->name;
		struct owner_save *o = &s->owners[s->nowners++];
		o->name = name;
		for (unsigned k = 0; k < 2; k++)
			o->up[k] = speakers_instance_up(r->sp, name, k);
	}
	return 0;
}

static int restore_speakers(struct run *r, const struct run_save *s)
{
	for (size_t i = 0; i < s->npeers; i++)
		if (peer_assign(speakers_at(r->sp, i), &s->peers[i]) != 0)
			return -1;
	for (size_t i = 0; i < s->nowners; i++)
		for (unsigned k = 0; k < 2; k++)
			if (speakers_instance_up(r->sp, s->owners[i].name, k) != s->owners[i].up[k] &&
			    speakers_set_instance(r->sp, s->owners[i].name, k, s->owners[i].up[k]) != 0)
				return -1;
	return 0;
}

/* ---- keeping ------------------------------------------------------------- */

static void *dup_mem(const void *p, size_t n, bool *failed)
{
	void *c = malloc(n ? n : 1);
	if (!c)
		*failed = true;
	else if (n)
		memcpy(c, p, n);
	return c;
}

struct run_save *run_save_create(struct run *r)
{
	struct run_save *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	const struct topology *t = r->topo;
	*s = (struct run_save){ .topo = t, .nvnets = t->nvnets, .nsubnets = t->nsubnets,
				.nnics = t->nnics, .next_seq = r->next_seq, .nunprog = r->nunprog,
				.unprog_nic_ms = r->unprog_nic_ms, .unprog_since = r->unprog_since,
				.nrs = r->nrs, .ncps = r->ncps, .ntl = r->ntl, .nsev = r->nsev,
				.npend = r->npend, .status = r->status, .processed = r->processed,
				.recomputed = r->recomputed, .end_ms = r->end_ms,
				.stopped = r->stopped };
	bool failed = false;
	s->sets = calloc(t->nvnets + 1, sizeof(*s->sets));
	s->built = calloc(t->nvnets + 1, sizeof(*s->built));
	s->tables = calloc(t->nsubnets + 1, sizeof(*s->tables));
	failed = !s->sets || !s->built || !s->tables;
	for (size_t i = 0; !failed && i < t->nvnets; i++) {
		s->sets[i] = bgp_set_ref(r->domain_sets[i]);
		s->built[i] = bgp_set_ref(r->built_sets[i]);
	}
	for (size_t i = 0; !failed && i < t->nsubnets; i++)
		s->tables[i] = eff_ref(r->tables[i]);
	s->over = dup_mem(r->over_capacity, t->nvnets * sizeof(bool), &failed);
	s->nic_seq = dup_mem(r->nic_seq, t->nnics * sizeof(uint64_t), &failed);
	s->unprog = r->unprog ? dup_mem(r->unprog, t->nnics * sizeof(bool), &failed) : NULL;
	s->names = dup_mem(r->name_cache, t->nsubnets * 2 * sizeof(*s->names), &failed);
	s->rs = dup_mem(r->rs, r->nrs * sizeof(*r->rs), &failed);
	s->q = evq_create();
	s->json = cJSON_Duplicate(r->topo_json, true);
	if (failed || !s->q || !s->json || evq_copy(s->q, r->q) != 0 || save_speakers(s, r) != 0) {
		run_save_destroy(s);
		return NULL;
	}
	return s;
}

void run_save_destroy(struct run_save *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->sets && i < s->nvnets; i++) {
		bgp_set_unref(s->sets[i]);
		bgp_set_unref(s->built[i]);
	}
	for (size_t i = 0; s->tables && i < s->nsubnets; i++)
		eff_unref(s->tables[i]);
	for (size_t i = 0; s->peers && i < s->npeers; i++)
		for (unsigned k = 0; k < 2; k++) {
			rib_free(&s->peers[i].sent[k]);
			rib_free(&s->peers[i].in[k]);
		}
	free(s->sets);
	free(s->built);
	free(s->tables);
	free(s->over);
	free(s->nic_seq);
	free(s->unprog);
	free(s->names);
	free(s->rs);
	free(s->peers);
	free(s->owners);
	evq_destroy(s->q);
	cJSON_Delete(s->json);
	free(s);
}

/* ---- putting back ------------------------------------------------------------ */

/* The top-level object an edit changed put back from the kept JSON and
 * reloaded into the topology in place, as the edit itself was (run_edit.c).
 * 0, 1 when that is not what the edit did. */
static int restore_edited(struct run *r, const struct run_save *s, const char *path)
{
	char coll[EDIT_SEG_LEN], name[EDIT_SEG_LEN];
	if (edit_path_head(path, coll, name) != 0)
		return 1;
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(r->topo_json, coll);
	cJSON *kept = jin_named(cJSON_GetObjectItemCaseSensitive(s->json, coll), name);
	int idx = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			break;
		idx++;
	}
	cJSON *copy = it && kept ? cJSON_Duplicate(kept, true) : NULL;
	if (!copy || !cJSON_ReplaceItemInArray(arr, idx, copy)) {
		cJSON_Delete(copy);
		return 1;
	}
	struct topo_opts to = { .tags = r->sc->tags, .max_nics = TOPO_MAX_NICS_DEFAULT,
				.prev = r->topo, .shared_ok = true };
	if (strcmp(coll, "virtualNetworks") == 0 && strstr(path, "/virtualNetworkPeerings/"))
		return topo_reload_peerings(r->topo, r->topo_json, name, &to) == 0 ? 0 : 1;
	if (strcmp(coll, "routeTables") == 0)
		return topo_reload_route_table(r->topo, r->topo_json, name, &to) == 0 ? 0 : 1;
	return 1;
}

/* Whether r can be put back into s at all (nothing changed yet). */
static bool restorable(const struct run *r, const struct run_save *s)
{
	return r->topo == s->topo && r->topo->nvnets == s->nvnets &&
	       r->topo->nsubnets == s->nsubnets && r->topo->nnics == s->nnics && r->status != 3 &&
	       r->ncps == s->ncps && s->npend == 0 && r->npend == 0 && r->nrs >= s->nrs &&
	       r->ntl >= s->ntl && r->nsev >= s->nsev && speakers_count(r->sp) == s->npeers &&
	       r->name_cache;
}

static void restore_refs(struct run *r, const struct run_save *s)
{
	for (size_t i = 0; i < s->nvnets; i++) {
		if (r->domain_sets[i] != s->sets[i]) {
			bgp_set_unref(r->domain_sets[i]);
			r->domain_sets[i] = bgp_set_ref(s->sets[i]);
		}
		if (r->built_sets[i] != s->built[i]) {
			bgp_set_unref(r->built_sets[i]);
			r->built_sets[i] = bgp_set_ref(s->built[i]);
		}
	}
	for (size_t i = 0; i < s->nsubnets; i++)
		if (r->tables[i] != s->tables[i]) {
			eff_unref(r->tables[i]);
			r->tables[i] = eff_ref(s->tables[i]);
		}
	for (size_t i = s->ntl; i < r->ntl; i++) {
		eff_unref(r->tl[i].before);
		eff_unref(r->tl[i].after);
	}
	r->ntl = s->ntl;
	r->nsev = s->nsev;
}

static void copy_back(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

int run_restore(struct run *r, const struct run_save *s, const char *const *edited,
		size_t nedited)
{
	if (!restorable(r, s))
		return 1;
	for (size_t i = 0; i < nedited; i++) {
		int rc = restore_edited(r, s, edited[i]);
		if (rc != 0)
			return rc;
	}
	restore_refs(r, s);
	if (s->unprog && !r->unprog && !(r->unprog = malloc(s->nnics * sizeof(bool))))
		return -1;
	if (s->unprog) {
		copy_back(r->unprog, s->unprog, s->nnics * sizeof(bool));
	} else {
		free(r->unprog);
		r->unprog = NULL;
	}
	copy_back(r->over_capacity, s->over, s->nvnets * sizeof(bool));
	copy_back(r->nic_seq, s->nic_seq, s->nnics * sizeof(uint64_t));
	copy_back(r->name_cache, s->names, s->nsubnets * 2 * sizeof(*s->names));
	copy_back(r->rs, s->rs, s->nrs * sizeof(*s->rs));
	r->nrs = s->nrs;
	r->next_seq = s->next_seq;
	r->nunprog = s->nunprog;
	r->unprog_nic_ms = s->unprog_nic_ms;
	r->unprog_since = s->unprog_since;
	r->status = s->status;
	r->processed = s->processed;
	r->recomputed = s->recomputed;
	r->end_ms = s->end_ms;
	r->stopped = s->stopped;
	if (evq_copy(r->q, s->q) != 0 || restore_speakers(r, s) != 0)
		return -1;
	return 0;
}
