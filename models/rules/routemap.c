/*
 * routemap.c - Route Server route maps.  See routemap.h; the rules are
 * RULES 1.10, the ambiguities and the readings chosen RULES E9.
 */
#include "routemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "speaker.h"
#include "topology.h"

/* ---- constants (RULES 1.10) ---------------------------------------------- */

bool routemap_azure_community(uint32_t c)
{
	static const uint32_t AZURE[] = {
		(65517u << 16) | 12001, (65517u << 16) | 12002, (65517u << 16) | 12003,
		(65517u << 16) | 12005, (65517u << 16) | 12006, (65518u << 16) | 65518,
		(65517u << 16) | 65517, (65517u << 16) | 12076, (65518u << 16) | 12076,
		(65515u << 16) | 10000, (65515u << 16) | 20000,
	};
	for (size_t i = 0; i < sizeof(AZURE) / sizeof(AZURE[0]); i++)
		if (AZURE[i] == c)
			return true;
	return false;
}

bool routemap_reserved_asn(uint32_t asn)
{
	return asn == 8074 || asn == 8075 || asn == 12076 || asn == 65515 ||
	       (asn >= 65517 && asn <= 65520);
}

bool routemap_parse_community(const char *s, uint32_t *out)
{
	unsigned long hi = 0, lo = 0;
	const char *p = s;
	size_t digits = 0;
	for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		hi = hi * 10 + (unsigned long)(*p - '0');
	if (!digits || *p != ':')
		return false;
	p++;
	digits = 0;
	for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		lo = lo * 10 + (unsigned long)(*p - '0');
	if (!digits || *p || hi > 65535 || lo > 65535)
		return false;
	*out = (uint32_t)((hi << 16) | lo);
	return true;
}

char *routemap_format_community(uint32_t c, char buf[12])
{
	snprintf(buf, 12, "%u:%u", (unsigned)(c >> 16), (unsigned)(c & 0xFFFF));
	return buf;
}

/* ---- matching ------------------------------------------------------------- */

static bool has_u32(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* Equals: the route's prefix is one listed; Contains: it is one listed or
 * inside one.  A summarized route passes when any of its prefixes does. */
static bool prefix_test(const struct rm_values *v, bool equals, const struct prefix *ps,
			size_t np)
{
	for (size_t k = 0; k < np; k++)
		for (size_t i = 0; i < v->nprefixes; i++)
			if (equals ? prefix_equal(v->prefixes[i], ps[k])
				   : prefix_contains(v->prefixes[i], ps[k]))
				return true;
	return false;
}

/* Equals: the route carries every listed community; Contains: any. */
static bool community_test(const struct rm_values *v, bool equals, const uint32_t *cs, size_t nc)
{
	for (size_t i = 0; i < v->ncommunities; i++) {
		bool has = has_u32(cs, nc, v->communities[i]);
		if (equals && !has)
			return false;
		if (!equals && has)
			return true;
	}
	return equals;
}

/* Equals: the AS path is the listed sequence; Contains: it has any listed ASN. */
static bool aspath_test(const struct rm_values *v, bool equals, const uint32_t *path, size_t n)
{
	if (equals)
		return n == v->nasns && (n == 0 || memcmp(path, v->asns, n * sizeof(*path)) == 0);
	for (size_t i = 0; i < v->nasns; i++)
		if (has_u32(path, n, v->asns[i]))
			return true;
	return false;
}

bool routemap_criterion_matches(const struct rm_criterion *c, const struct prefix *prefixes,
				size_t nprefixes, const uint32_t *as_path, size_t as_len,
				const uint32_t *communities, size_t ncommunities)
{
	bool equals = c->cond == RM_EQUALS || c->cond == RM_NOT_EQUALS;
	bool negate = c->cond == RM_NOT_CONTAINS || c->cond == RM_NOT_EQUALS;
	if (c->v.has_prefix && prefix_test(&c->v, equals, prefixes, nprefixes) == negate)
		return false;
	if (c->v.has_community &&
	    community_test(&c->v, equals, communities, ncommunities) == negate)
		return false;
	if (c->v.has_asn && aspath_test(&c->v, equals, as_path, as_len) == negate)
		return false;
	return true;
}

/* ---- the route being changed ---------------------------------------------- */

static int set_u32(uint32_t **dst, size_t *n, const uint32_t *src, size_t m)
{
	uint32_t *v = malloc((m ? m : 1) * sizeof(*v));
	if (!v)
		return -1;
	if (m)
		memcpy(v, src, m * sizeof(*v));
	free(*dst);
	*dst = v;
	*n = m;
	return 0;
}

/* AS path Add: the listed ASNs in front, in their order. */
static int prepend(struct rm_result *s, const uint32_t *asns, size_t n)
{
	uint32_t *v = malloc((s->as_len + n ? s->as_len + n : 1) * sizeof(*v));
	if (!v)
		return -1;
	if (n)
		memcpy(v, asns, n * sizeof(*v));
	if (s->as_len)
		memcpy(v + n, s->as_path, s->as_len * sizeof(*v));
	free(s->as_path);
	s->as_path = v;
	s->as_len += n;
	return 0;
}

/* Community Add (keep, append the new ones) or Remove (drop the listed). */
static int communities_edit(struct rm_result *s, const struct rm_values *v, bool add)
{
	uint32_t *out = malloc((s->ncommunities + v->ncommunities + 1) * sizeof(*out));
	if (!out)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < s->ncommunities; i++)
		if (add || !has_u32(v->communities, v->ncommunities, s->communities[i]))
			out[n++] = s->communities[i];
	for (size_t i = 0; add && i < v->ncommunities; i++)
		if (!has_u32(out, n, v->communities[i]))
			out[n++] = v->communities[i];
	free(s->communities);
	s->communities = out;
	s->ncommunities = n;
	return 0;
}

/* Drop: every matched route, or with routePrefix values those inside one. */
static bool drops(const struct rm_action *a, const struct rm_result *s)
{
	return !a->v.has_prefix || prefix_test(&a->v, false, s->prefixes, s->nprefixes);
}

/* One action on the route.  1 when it dropped the route, 0, -1 out of memory. */
static int act(const struct rm_action *a, struct rm_result *s)
{
	const struct rm_values *v = &a->v;
	switch (a->type) {
	case RM_DROP:
		return drops(a, s) ? 1 : 0;
	case RM_ADD:
		if (v->has_asn && prepend(s, v->asns, v->nasns) != 0)
			return -1;
		if (v->has_community && communities_edit(s, v, true) != 0)
			return -1;
		return 0;
	case RM_REMOVE:
		return v->has_community && communities_edit(s, v, false) != 0 ? -1 : 0;
	case RM_REPLACE:
		/* The prefix first: summarizing strips the AS path and the
		 * communities, which other actions of the rule may then set
		 * (RULES E9, action order). */
		if (v->has_prefix) {
			struct prefix *p = malloc(v->nprefixes * sizeof(*p));
			if (!p)
				return -1;
			memcpy(p, v->prefixes, v->nprefixes * sizeof(*p));
			free(s->prefixes);
			s->prefixes = p;
			s->nprefixes = v->nprefixes;
			s->as_len = s->ncommunities = 0;
		}
		if (v->has_asn && set_u32(&s->as_path, &s->as_len, v->asns, v->nasns) != 0)
			return -1;
		if (v->has_community &&
		    set_u32(&s->communities, &s->ncommunities, v->communities, v->ncommunities) != 0)
			return -1;
		return 0;
	}
	return 0;
}

static bool rule_matches(const struct rm_rule *ru, const struct rm_result *s)
{
	for (size_t i = 0; i < ru->ncrit; i++)
		if (!routemap_criterion_matches(&ru->crit[i], s->prefixes, s->nprefixes, s->as_path,
						s->as_len, s->communities, s->ncommunities))
			return false;
	return true;
}

/* Runs one rule's actions: prefix Replace first (see act), then the rest
 * in the order given, a Drop ending the map. */
static int rule_apply(const struct rm_rule *ru, struct rm_result *s)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ru->nact; i++) {
			const struct rm_action *a = &ru->act[i];
			bool summarize = a->type == RM_REPLACE && a->v.has_prefix;
			if (summarize != (pass == 0))
				continue;
			int rc = act(a, s);
			if (rc != 0)
				return rc;
		}
	return 0;
}

void rm_result_fini(struct rm_result *res)
{
	free(res->prefixes);
	free(res->as_path);
	free(res->communities);
	memset(res, 0, sizeof(*res));
}

static bool same_u32(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

int routemap_apply(const struct route_map *m, const struct rib_route *r, struct rm_result *out)
{
	memset(out, 0, sizeof(*out));
	out->last_rule = -1;
	out->prefixes = malloc(sizeof(*out->prefixes));
	if (!out->prefixes || set_u32(&out->as_path, &out->as_len, r->as_path, r->as_len) != 0 ||
	    set_u32(&out->communities, &out->ncommunities, r->communities, r->ncommunities) != 0) {
		rm_result_fini(out);
		return -1;
	}
	out->prefixes[0] = r->prefix;
	out->nprefixes = 1;
	for (size_t i = 0; m && i < m->nrules; i++) {
		const struct rm_rule *ru = &m->rules[i];
		if (!rule_matches(ru, out))
			continue; /* an unmatched route goes on, whatever Next step says */
		out->last_rule = (long)i;
		int rc = rule_apply(ru, out);
		if (rc < 0) {
			rm_result_fini(out);
			return -1;
		}
		if (rc > 0) {
			out->verdict = RM_DROPPED;
			return 0;
		}
		if (ru->next == RM_TERMINATE)
			break;
	}
	bool same = out->nprefixes == 1 && prefix_equal(out->prefixes[0], r->prefix) &&
		    same_u32(out->as_path, out->as_len, r->as_path, r->as_len) &&
		    same_u32(out->communities, out->ncommunities, r->communities, r->ncommunities);
	out->verdict = same ? RM_UNCHANGED : RM_MODIFIED;
	return 0;
}

/* ---- the Route Server's post-policy RIBs ---------------------------------- */

bool routemap_hub_mapped(const struct vnet *hub)
{
	const struct route_server *rs = hub ? hub->rs : NULL;
	for (size_t i = 0; rs && i < rs->nconns; i++)
		if (rs->conns[i].in_map)
			return true;
	return false;
}

/* pol = in through map m. */
static int refresh_rib(struct rib *pol, const struct rib *in, const struct route_map *m)
{
	rib_clear(pol);
	for (size_t i = 0; i < in->n; i++) {
		struct rm_result res;
		if (routemap_apply(m, &in->v[i], &res) != 0)
			return -1;
		struct rib_route out = in->v[i];
		out.as_path = res.as_path;
		out.as_len = (uint16_t)res.as_len;
		out.communities = res.communities;
		out.ncommunities = (uint16_t)res.ncommunities;
		int rc = 0;
		for (size_t k = 0; res.verdict != RM_DROPPED && k < res.nprefixes && rc == 0; k++) {
			out.prefix = res.prefixes[k];
			if (!rib_find(pol, out.prefix))
				rc = rib_put(pol, &out);
		}
		rm_result_fini(&res);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int routemap_refresh(struct speakers *sp, const struct topology *t)
{
	for (size_t k = 0; k < speakers_count(sp); k++) {
		struct peer *p = speakers_at(sp, k);
		const struct bgp_conn *bc =
			p->present && p->kind == PEER_NVA ? topology_bgp_conn(t, p->id) : NULL;
		const struct route_map *m = bc ? bc->in_map : NULL;
		p->mapped = false;
		for (unsigned i = 0; i < p->ninst; i++) {
			if (!m) {
				rib_clear(&p->pol[i]);
				continue;
			}
			if (refresh_rib(&p->pol[i], &p->in[i], m) != 0) {
				rib_clear(&p->pol[0]);
				rib_clear(&p->pol[1]);
				return -1;
			}
		}
		p->mapped = m != NULL;
	}
	return 0;
}
