/*
 * cmd_bgp.c - `vnetsim bgp`: a Route Server's BGP routes per instance, in
 * the shape of `az network routeserver peering list-learned-routes` /
 * `list-advertised-routes` (RULES E6.9):
 *   {"RouteServiceRole_IN_0": [{"asPath", "localAddress", "network",
 *    "nextHop", "origin", "sourcePeer", "weight"}], "RouteServiceRole_IN_1": [...]}
 *
 * Learned: what each instance holds from its NVA peers (their Adj-RIB-In),
 * origin EBgp, weight 32768.  Advertised (RULES 1.8, RULES E6.4, E6.5):
 * the address space of the Route Server's VNet and of the VNets using it
 * (AS path 65515, origin Igp), then per prefix the instance's best path
 * among its NVA routes and, with allowBranchToBranchTraffic, the routes the
 * VPN/ExpressRoute connections of gateways in its VNet hold (RULES 1.5 via
 * bgp_decide), with 65515 prepended; paths carrying NO_ADVERTISE are not
 * advertised, nor is a peer's own route back to it.  Next hop and local
 * address are the instance's IP, weight 0, sourcePeer null.
 *
 * --at replays the scenario up to that checkpoint and stops there: the
 * speakers are then exactly the BGP state of that moment.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "routemap.h"
#include "speaker.h"
#include "vec.h"

static const char USAGE[] =
	"usage: vnetsim bgp SCENARIO --route-server NAME [--peer P] (--learned | --advertised)\n"
	"                   [--at LABEL|TIME] [-o table|json|jsonl|csv]\n";

static const struct cli_command BGP = {
	"bgp", USAGE,
	"\nA Route Server's BGP routes per instance, shaped like `az network routeserver peering\n"
	"list-learned-routes` / `list-advertised-routes`:\n"
	"{\"RouteServiceRole_IN_0\": [{\"asPath\", \"localAddress\", \"network\", \"nextHop\",\n"
	"\"origin\", \"sourcePeer\", \"weight\"}], \"RouteServiceRole_IN_1\": [...]}.\n"
	"\n",
	"\n"
	"table has az's columns with the instance first; jsonl is one route per line with\n"
	"\"instance\"; csv a header and one line per route.\n",
	24,
};

/* What a route map made of an entry's route (--route-maps, RULES 1.10). */
struct map_note {
	const char *map;               /* the map's name; NULL: no map on that side */
	const char *rule;              /* the last rule that matched, or NULL */
	const char *verdict;           /* "unchanged", "modified", "dropped" */
	char *network;                 /* owned: the prefixes after the map, space-separated */
	char *as_path;                 /* owned */
	char *communities;             /* owned */
};

struct entry {
	char *as_path;                 /* owned */
	char local[IPV4_STRLEN];
	char network[PREFIX_STRLEN];
	char next_hop[IPV4_STRLEN];
	const char *origin;
	char source_peer[IPV4_STRLEN]; /* "" = null */
	int weight;
	char *communities;             /* owned, with --route-maps: "65001:100 65001:200" */
	struct map_note note;
};

struct entries {
	struct entry *v;
	size_t n, cap;
	bool oom;
	bool maps;                     /* --route-maps: annotate, never apply */
};

/* "[prepend ]path[0] path[1] ..." (prepend 0: none), malloc'd; NULL out of memory. */
static char *format_path(uint32_t prepend, const uint32_t *path, size_t len)
{
	char *s = malloc(12 * (len + 1) + 1), *w = s;
	if (!s)
		return NULL;
	*w = '\0';
	if (prepend)
		w += sprintf(w, "%u", (unsigned)prepend);
	for (size_t i = 0; i < len; i++)
		w += sprintf(w, "%s%u", w == s ? "" : " ", (unsigned)path[i]);
	return s;
}

static char *format_communities(const uint32_t *c, size_t n)
{
	char *s = malloc(12 * n + 1), *w = s;
	if (!s)
		return NULL;
	*w = '\0';
	for (size_t i = 0; i < n; i++) {
		char buf[12];
		w += sprintf(w, "%s%s", i ? " " : "", routemap_format_community(c[i], buf));
	}
	return s;
}

static char *format_prefixes(const struct prefix *p, size_t n)
{
	char *s = malloc(PREFIX_STRLEN * n + 1), *w = s;
	if (!s)
		return NULL;
	*w = '\0';
	for (size_t i = 0; i < n; i++) {
		char buf[PREFIX_STRLEN];
		w += sprintf(w, "%s%s", i ? " " : "", prefix_format(p[i], buf));
	}
	return s;
}

static const char *const VERDICT[] = { "unchanged", "modified", "dropped" };

/* e's route (r) through map m, noted on e (--route-maps).  prepend: the
 * ASN the Route Server puts in front after an outbound map, 0 for none.
 * False out of memory. */
static bool note_map(struct entry *e, const struct route_map *m, const struct rib_route *r,
		     uint32_t prepend)
{
	struct rm_result res;
	e->communities = format_communities(r->communities, r->ncommunities);
	if (!e->communities || routemap_apply(m, r, &res) != 0)
		return false;
	e->note.map = m->name;
	e->note.rule = res.last_rule >= 0 ? m->rules[res.last_rule].name : NULL;
	e->note.verdict = VERDICT[res.verdict];
	if (res.verdict != RM_DROPPED) {
		e->note.network = format_prefixes(res.prefixes, res.nprefixes);
		e->note.as_path = format_path(prepend, res.as_path, res.as_len);
		e->note.communities = format_communities(res.communities, res.ncommunities);
	}
	bool ok = res.verdict == RM_DROPPED ||
		  (e->note.network && e->note.as_path && e->note.communities);
	rm_result_fini(&res);
	return ok;
}

static void entry_fini(struct entry *e)
{
	free(e->as_path);
	free(e->communities);
	free(e->note.network);
	free(e->note.as_path);
	free(e->note.communities);
}

/* An entry for p with AS path [prepend (when not 0)] + path.  Returns it
 * for the caller to finish, or NULL when out of memory. */
static struct entry *entry_add(struct entries *es, unsigned inst, const struct route_server *rs,
			       struct prefix p, uint32_t prepend, const uint32_t *path,
			       size_t len)
{
	if (VEC_RESERVE(es->v, es->cap, es->n + 1) != 0) {
		es->oom = true;
		return NULL;
	}
	struct entry *e = &es->v[es->n];
	*e = (struct entry){ 0 };
	e->as_path = format_path(prepend, path, len);
	if (!e->as_path) {
		es->oom = true;
		return NULL;
	}
	ipv4_format(rs->instance_ip[inst], e->local);
	prefix_format(p, e->network);
	es->n++;
	return e;
}

static bool peer_of(const struct peer *p, const struct route_server *rs)
{
	return p->present && p->kind == PEER_NVA && p->owner && strcmp(p->owner, rs->name) == 0;
}

static void learned(const struct speakers *sp, const struct topology *t,
		    const struct route_server *rs, const struct bgp_conn *only, unsigned inst,
		    struct entries *es)
{
	for (size_t k = 0; k < speakers_count(sp); k++) {
		const struct peer *p = speakers_at(sp, k);
		if (!peer_of(p, rs) || (only && strcmp(p->id, only->id) != 0))
			continue;
		const struct bgp_conn *bc = topology_bgp_conn(t, p->id);
		for (size_t i = 0; i < p->in[inst].n; i++) {
			const struct rib_route *r = &p->in[inst].v[i];
			struct entry *e =
				entry_add(es, inst, rs, r->prefix, 0, r->as_path, r->as_len);
			if (!e)
				return;
			uint32_t nh = r->next_hop ? r->next_hop : bc ? bc->peer_ip : 0;
			ipv4_format(nh, e->next_hop);
			if (bc)
				ipv4_format(bc->peer_ip, e->source_peer);
			e->origin = "EBgp";
			e->weight = 32768;
			if (es->maps && bc && bc->in_map && !note_map(e, bc->in_map, r, 0)) {
				es->oom = true;
				return;
			}
		}
	}
}

/* ---- advertised ------------------------------------------------------------ */

struct cand {
	struct bgp_path path;
	const struct peer *from;
	size_t order;                  /* gathering order, for a stable sort */
};

struct cands {
	struct cand *v;
	size_t n, cap;
	bool oom;
};

static void cand_add(struct cands *cs, const struct cand *c)
{
	size_t order = cs->n;
	struct cand *slot = VEC_PUSH(cs->v, cs->n, cs->cap);
	if (!slot) {
		cs->oom = true;
		return;
	}
	*slot = *c;
	slot->order = order;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = prefix_compare(x->path.prefix, y->path.prefix);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void rib_cands(struct cands *cs, const struct peer *p, const struct rib *rib,
		      enum bgp_origin origin, uint32_t receiver, uint32_t weight)
{
	for (size_t i = 0; i < rib->n; i++) {
		const struct rib_route *r = &rib->v[i];
		struct cand c = { .from = p,
				  .path = { .prefix = r->prefix, .origin = origin,
					    .as_path = r->as_path, .as_len = r->as_len,
					    .communities = r->communities,
					    .ncommunities = r->ncommunities,
					    .next_hop = r->next_hop, .weight = weight,
					    .receiver_asn = receiver, .source = p } };
		cand_add(cs, &c);
	}
}

/* Candidates of one instance: NVA routes, and with branch-to-branch the
 * routes of the gateways in the Route Server's VNet. */
static void gather(const struct speakers *sp, const struct topology *t,
		   const struct route_server *rs, unsigned inst, struct cands *cs)
{
	for (size_t k = 0; k < speakers_count(sp); k++) {
		const struct peer *p = speakers_at(sp, k);
		if (peer_of(p, rs)) {
			/* After the inbound map (RULES 1.10): what the instance decides on. */
			rib_cands(cs, p, peer_rib(p, inst), BGP_ORIGIN_NVA, BGP_ASN_AZURE, 0);
			continue;
		}
		if (!rs->b2b || !p->present || (p->kind != PEER_VPN && p->kind != PEER_ER))
			continue;
		const struct gateway *g = p->owner ? topology_gateway(t, p->owner) : NULL;
		if (!g || g->vnet != rs->vnet)
			continue;
		const struct connection *cn = topology_connection(t, p->id);
		if (p->kind == PEER_ER)
			rib_cands(cs, p, &p->in[0], BGP_ORIGIN_EXPRESSROUTE, BGP_ASN_AZURE,
				  cn ? cn->routing_weight : 0);
		else
			rib_cands(cs, p, &p->in[0], BGP_ORIGIN_VPN, g->asn, 0);
	}
	if (!rs->b2b)
		return;
	/* Static localNetworkAddressPrefixes of the VNet's VPN connections. */
	const struct gateway *vpn = rs->vnet->vpn_gw;
	for (size_t c = 0; vpn && c < vpn->nconns; c++) {
		const struct connection *cn = vpn->conns[c];
		for (size_t i = 0; i < cn->static_prefixes.n; i++) {
			struct cand cd = { .path = { .prefix = cn->static_prefixes.v[i],
						     .origin = BGP_ORIGIN_STATIC,
						     .receiver_asn = vpn->asn } };
			cand_add(cs, &cd);
		}
	}
}

/* One best path advertised by instance inst: through the outbound map of
 * the one peer asked about when it has one (RULES 1.10: after the
 * decision; 65515 goes in front after the map), or as it is.  With
 * --route-maps the entry shows the path as chosen and what the map makes
 * of it.  -1 out of memory. */
static int advertise(struct entries *es, unsigned inst, const struct route_server *rs,
		     const struct bgp_conn *only, const struct bgp_path *bp, const char *ip)
{
	const struct route_map *m = only ? only->out_map : NULL;
	/* The path as a route of its own (rib_route owns its arrays). */
	struct rib_route r = { .prefix = bp->prefix, .as_len = (uint16_t)bp->as_len,
			       .ncommunities = (uint16_t)bp->ncommunities };
	r.as_path = malloc((r.as_len + 1u) * sizeof(uint32_t));
	r.communities = malloc((r.ncommunities + 1u) * sizeof(uint32_t));
	struct rm_result res = { .verdict = RM_UNCHANGED, .prefixes = &r.prefix, .nprefixes = 1,
				 .as_path = r.as_path, .as_len = r.as_len };
	bool applied = m && !es->maps;
	int rc = 0;
	if (!r.as_path || !r.communities) {
		rc = -1;
		goto out;
	}
	if (r.as_len) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(r.as_path, bp->as_path, r.as_len * sizeof(uint32_t));
	if (r.ncommunities)
		memcpy(r.communities, bp->communities, r.ncommunities * sizeof(uint32_t));
	if (applied && routemap_apply(m, &r, &res) != 0) {
		applied = false;
		rc = -1;
		goto out;
	}
	for (size_t k = 0; res.verdict != RM_DROPPED && k < res.nprefixes && rc == 0; k++) {
		bool seen = false; /* a summary this instance already sends */
		for (size_t j = 0; applied && j < es->n && !seen; j++) {
			char net[PREFIX_STRLEN];
			seen = strcmp(es->v[j].network, prefix_format(res.prefixes[k], net)) == 0;
		}
		if (seen)
			continue;
		struct entry *e = entry_add(es, inst, rs, res.prefixes[k], BGP_ASN_AZURE,
					    res.as_path, res.as_len);
		if (!e || (es->maps && m && !note_map(e, m, &r, BGP_ASN_AZURE))) {
			rc = -1;
			break;
		}
		memcpy(e->next_hop, ip, IPV4_STRLEN);
		e->origin = bp->origin == BGP_ORIGIN_NVA ? "EBgp" : "IBgp";
	}
out:
	if (applied)
		rm_result_fini(&res);
	free(r.as_path);
	free(r.communities);
	return rc;
}

static void advertised(const struct speakers *sp, const struct topology *t,
		       const struct route_server *rs, const struct bgp_conn *only, unsigned inst,
		       struct entries *es)
{
	if (!speakers_instance_up(sp, rs->name, inst))
		return; /* a down instance advertises nothing */
	const struct vnet **dom = calloc(t->nvnets ? t->nvnets : 1, sizeof(*dom));
	struct prefix *vp = NULL;
	size_t nd = 0, nvp = 0, cap = 0;
	struct cands cs = { 0 };
	const struct bgp_path **group = NULL;
	size_t *slot = NULL;        /* group slot -> candidate index */
	if (!dom) {
		es->oom = true;
		goto out;
	}
	nd = topology_domain_vnets(t, rs->vnet, dom, t->nvnets);
	for (size_t v = 0; v < nd; v++)
		cap += dom[v]->space.n;
	vp = calloc(cap ? cap : 1, sizeof(*vp));
	if (!vp) {
		es->oom = true;
		goto out;
	}
	char ip[IPV4_STRLEN];
	ipv4_format(rs->instance_ip[inst], ip);
	/* 1. The VNets' address space, AS path [65515]. */
	for (size_t v = 0; v < nd; v++)
		for (size_t k = 0; k < dom[v]->space.n; k++) {
			vp[nvp++] = dom[v]->space.v[k];
			struct entry *e = entry_add(es, inst, rs, dom[v]->space.v[k], BGP_ASN_AZURE,
						    NULL, 0);
			if (!e)
				goto out;
			memcpy(e->next_hop, ip, sizeof(ip));
			e->origin = "Igp";
		}
	/* 2. Per prefix, the instance's best path (RULES 1.5). */
	gather(sp, t, rs, inst, &cs);
	if (cs.oom) {
		es->oom = true;
		goto out;
	}
	if (cs.n)
		qsort(cs.v, cs.n, sizeof(*cs.v), cand_cmp);
	group = calloc(cs.n ? cs.n : 1, sizeof(*group));
	slot = calloc(cs.n ? cs.n : 1, sizeof(*slot));
	if (!group || !slot) {
		es->oom = true;
		goto out;
	}
	struct bgp_ctx ctx = { .has_route_server = true, .pref = rs->pref, .vnet_prefixes = vp,
			       .nvnet_prefixes = nvp };
	for (size_t i = 0; i < cs.n;) {
		size_t end = i, ng = 0;
		while (end < cs.n && prefix_equal(cs.v[end].path.prefix, cs.v[i].path.prefix))
			end++;
		for (size_t k = i; k < end; k++) {
			const struct bgp_path *bp = &cs.v[k].path;
			if (bgp_path_loops(bp) || bgp_prefix_filtered(&ctx, bp->prefix))
				continue;
			group[ng] = bp;
			slot[ng++] = k;
		}
		size_t *chosen = malloc((ng ? ng : 1) * sizeof(*chosen));
		if (!chosen) {
			es->oom = true;
			goto out;
		}
		size_t nbest = bgp_decide(&ctx, group, ng, chosen);
		const struct cand *pick = NULL;
		for (size_t b = 0; b < nbest && !pick; b++) {
			const struct cand *c = &cs.v[slot[chosen[b]]];
			if (!only || !c->from || strcmp(c->from->id, only->id) != 0)
				pick = c;
		}
		free(chosen);
		/* Step 6: NO_ADVERTISE paths are programmed, never re-advertised. */
		if (pick && !bgp_path_no_advertise(&pick->path) &&
		    advertise(es, inst, rs, only, &pick->path, ip) != 0)
			goto out;
		i = end;
	}
out:
	free(slot);
	free(group);
	free(cs.v);
	free(vp);
	free(dom);
}

/* ---- output ---------------------------------------------------------------- */

static const char *const INSTANCE_KEY[2] = { "RouteServiceRole_IN_0", "RouteServiceRole_IN_1" };

static void json_words(struct jsonw *w, const char *key, const char *words)
{
	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (const char *p = words; p && *p;) {
		size_t n = strcspn(p, " ");
		char buf[PREFIX_STRLEN + 12];
		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		jsonw_string(w, buf);
		p += n + (p[n] == ' ');
	}
	jsonw_array_end(w);
}

/* --route-maps: "communities" and "routeMap" (null without a map). */
static void note_json(struct jsonw *w, const struct entry *e)
{
	json_words(w, "communities", e->communities);
	jsonw_key(w, "routeMap");
	if (!e->note.map) {
		jsonw_string(w, NULL);
		return;
	}
	jsonw_object_begin(w);
	jsonw_key(w, "name");
	jsonw_string(w, e->note.map);
	jsonw_key(w, "rule");
	jsonw_string(w, e->note.rule);
	jsonw_key(w, "verdict");
	jsonw_string(w, e->note.verdict);
	if (e->note.network) {
		json_words(w, "network", e->note.network);
		jsonw_key(w, "asPath");
		jsonw_string(w, e->note.as_path);
		json_words(w, "communities", e->note.communities);
	}
	jsonw_object_end(w);
}

static void entry_json(struct jsonw *w, const struct entry *e)
{
	jsonw_key(w, "asPath");
	jsonw_string(w, e->as_path);
	jsonw_key(w, "localAddress");
	jsonw_string(w, e->local);
	jsonw_key(w, "network");
	jsonw_string(w, e->network);
	jsonw_key(w, "nextHop");
	jsonw_string(w, e->next_hop);
	jsonw_key(w, "origin");
	jsonw_string(w, e->origin);
	jsonw_key(w, "sourcePeer");
	jsonw_string(w, e->source_peer[0] ? e->source_peer : NULL);
	jsonw_key(w, "weight");
	jsonw_int(w, e->weight);
}

#define NCOLS 8
#define NMAPCOLS 7 /* --route-maps */

static int print_entries(enum render_format fmt, struct entries es[2])
{
	struct jsonw w;
	static const char *const hdr[] = { "Instance", "AsPath", "LocalAddress", "Network",
					   "NextHop", "Origin", "SourcePeer", "Weight",
					   "Communities", "RouteMap", "Rule", "Verdict",
					   "MapNetwork", "MapAsPath", "MapCommunities" };
	size_t ncols = NCOLS + (es[0].maps ? NMAPCOLS : 0);
	struct render_tab *tab = NULL;
	if (fmt == RENDER_TABLE && !(tab = render_tab_create(ncols, hdr)))
		return -1;
	if (fmt == RENDER_CSV) {
		static const char *const csv[] = { "instance", "asPath", "localAddress", "network",
						   "nextHop", "origin", "sourcePeer", "weight",
						   "communities", "routeMap", "rule", "verdict",
						   "mapNetwork", "mapAsPath", "mapCommunities" };
		render_csv_line(stdout, csv, ncols);
	}
	jsonw_init(&w, stdout, fmt == RENDER_JSON, 0);
	if (fmt == RENDER_JSON)
		jsonw_object_begin(&w);
	int rc = 0;
	for (unsigned inst = 0; inst < 2; inst++) {
		if (fmt == RENDER_JSON) {
			jsonw_key(&w, INSTANCE_KEY[inst]);
			jsonw_array_begin(&w);
		}
		for (size_t i = 0; i < es[inst].n; i++) {
			const struct entry *e = &es[inst].v[i];
			char weight[16];
			snprintf(weight, sizeof(weight), "%d", e->weight);
			const struct map_note *nt = &e->note;
			const char *cells[NCOLS + NMAPCOLS] = {
				INSTANCE_KEY[inst], e->as_path, e->local, e->network, e->next_hop,
				e->origin, e->source_peer, weight, e->communities ? e->communities : "",
				nt->map ? nt->map : "", nt->rule ? nt->rule : "",
				nt->verdict ? nt->verdict : "", nt->network ? nt->network : "",
				nt->as_path ? nt->as_path : "", nt->communities ? nt->communities : ""
			};
			switch (fmt) {
			case RENDER_TABLE:
				if (render_tab_add(tab, cells) != 0)
					rc = -1;
				break;
			case RENDER_CSV:
				render_csv_line(stdout, cells, ncols);
				break;
			case RENDER_JSON:
				jsonw_object_begin(&w);
				entry_json(&w, e);
				if (es[inst].maps)
					note_json(&w, e);
				jsonw_object_end(&w);
				break;
			case RENDER_JSONL:
				jsonw_init(&w, stdout, false, 0);
				jsonw_object_begin(&w);
				jsonw_key(&w, "instance");
				jsonw_string(&w, INSTANCE_KEY[inst]);
				entry_json(&w, e);
				if (es[inst].maps)
					note_json(&w, e);
				jsonw_object_end(&w);
				fputc('\n', stdout);
				break;
			}
		}
		if (fmt == RENDER_JSON)
			jsonw_array_end(&w);
	}
	if (fmt == RENDER_JSON) {
		jsonw_object_end(&w);
		fputc('\n', stdout);
	}
	if (tab) {
		render_tab_print(tab, stdout, "");
		render_tab_destroy(tab);
	}
	return rc;
}

static const struct bgp_conn *find_conn(const struct route_server *rs, const char *name)
{
	for (size_t i = 0; i < rs->nconns; i++)
		if (strcmp(rs->conns[i].name, name) == 0 || strcmp(rs->conns[i].id, name) == 0)
			return &rs->conns[i];
	return NULL;
}

enum bgp_mode { MODE_NONE, MODE_LEARNED, MODE_ADVERTISED };

/* --learned and --advertised: one of them, once. */
static int set_mode(struct cli_parser *p, const struct cli_option *o, enum bgp_mode m)
{
	enum bgp_mode *mode = o->dest;
	if (*mode && *mode != m)
		return cli_usage_error(p, "give --learned or --advertised, not both");
	*mode = m;
	return 0;
}

static int opt_learned(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)value;
	return set_mode(p, o, MODE_LEARNED);
}

static int opt_advertised(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)value;
	return set_mode(p, o, MODE_ADVERTISED);
}

/* The routes of one Route Server (and peer) at the session's checkpoint. */
static int print_routes(const struct cli_session *s, const struct cli_common *common,
			const char *rs_name, const char *peer, enum bgp_mode mode, bool maps)
{
	const struct topology *t = run_topology(s->r);
	const struct route_server *rs = topology_route_server(t, rs_name);
	const struct bgp_conn *only = NULL;
	const char *file = s->sc->file;
	if (!rs) {
		fprintf(stderr, "vnetsim bgp: %s: no Route Server named \"%s\"%s\n", file, rs_name,
			t->nrss ? " (there is" : "");
		for (size_t i = 0; i < t->nrss; i++)
			fprintf(stderr, "%s \"%s\"", i ? "," : "", t->rss[i]->name);
		if (t->nrss)
			fprintf(stderr, ")\n");
		return CLI_EXIT_INVALID;
	}
	if (peer && !(only = find_conn(rs, peer))) {
		fprintf(stderr, "vnetsim bgp: %s: Route Server \"%s\" has no bgpConnection \"%s\"\n",
			file, rs_name, peer);
		return CLI_EXIT_INVALID;
	}
	const struct speakers *sp = run_speakers(s->r);
	struct entries es[2] = { { .maps = maps }, { .maps = maps } };
	int rc = CLI_EXIT_OK;
	for (unsigned inst = 0; inst < 2; inst++) {
		if (mode == MODE_LEARNED)
			learned(sp, t, rs, only, inst, &es[inst]);
		else
			advertised(sp, t, rs, only, inst, &es[inst]);
	}
	if (es[0].oom || es[1].oom || print_entries(cli_format(common), es) != 0) {
		fprintf(stderr, "vnetsim: out of memory\n");
		rc = CLI_EXIT_ENV;
	}
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < es[k].n; i++)
			entry_fini(&es[k].v[i]);
		free(es[k].v);
	}
	return rc;
}

int cmd_bgp(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	const char *file = NULL, *rs_name = NULL, *peer = NULL, *at = NULL;
	enum bgp_mode mode = MODE_NONE;
	bool maps = false;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_REQUIRED("route-server", &rs_name, "NAME", "the Route Server"),
		CLI_STRING("peer", 0, &peer, "P",
			   "one bgpConnection (name, or ROUTESERVER/NAME); default: all"),
		CLI_CALL("learned", 0, opt_learned, &mode, NULL,
			 "routes each instance learned from the NVA peers"),
		CLI_CALL("advertised", 0, opt_advertised, &mode, NULL,
			 "routes each instance advertises to the peer (without --peer:\n"
			 "to any peer; a peer's own routes are not sent back to it):\n"
			 "its VNets' address spaces, the best NVA routes and, with\n"
			 "branch-to-branch, the gateways' routes, 65515 prepended;\n"
			 "NO_ADVERTISE routes are left out"),
		CLI_FLAG("route-maps", 0, &maps,
			 "route maps (RULES 1.10): each route with its communities and\n"
			 "what the map made of it: map, last matching rule, verdict\n"
			 "(unchanged, modified, dropped) and the route after it.\n"
			 "--learned: the routes as received and the inbound map;\n"
			 "--advertised --peer P: the best paths and P's outbound map\n"
			 "(without this flag the outbound map is applied)"),
		CLI_STRING("at", 0, &at, "LABEL|TIME",
			   "the BGP state at a checkpoint label, 'start', 'end' (the\n"
			   "default) or a time (90s, 5m): the replay stops there"),
		CLI_END,
	};
	int rc = cli_parse(&p, &BGP, opts, &common, argc, argv);
	if (rc != CLI_PARSED)
		return rc;
	if (!mode)
		return cli_usage_error(&p, "give --learned or --advertised");

	struct cli_session s;
	rc = cli_session_open_stopped(&s, file, &common, at);
	if (rc == CLI_EXIT_OK)
		rc = print_routes(&s, &common, rs_name, peer, mode, maps);
	cli_session_close(&s);
	return rc;
}
