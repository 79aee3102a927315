/*
 * reachset.c - a reachability matrix by name; see reachset.h.
 *
 * Strings live in an arena owned by the set; the arrays grow with VEC_PUSH.
 * A computed matrix becomes spans by walking each source's row once.
 */
#include "reachset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "prefix.h"
#include "vec.h"

struct reachset_priv {
	struct arena *a;
	size_t cap_sources, cap_dests, cap_outcomes, cap_spans;
};

struct reachset *reachset_create(void)
{
	struct reachset *rs = calloc(1, sizeof *rs);
	if (!rs)
		return NULL;
	rs->priv = calloc(1, sizeof *rs->priv);
	if (!rs->priv || !(rs->priv->a = arena_create())) {
		reachset_destroy(rs);
		return NULL;
	}
	return rs;
}

void reachset_destroy(struct reachset *rs)
{
	if (!rs)
		return;
	if (rs->priv)
		arena_destroy(rs->priv->a);
	free(rs->priv);
	free(rs->sources);
	free(rs->dests);
	free(rs->outcomes);
	free(rs->spans);
	free(rs);
}

int reachset_add_source(struct reachset *rs, const char *id)
{
	char *s = arena_strdup(rs->priv->a, id);
	const char **slot = s ? VEC_PUSH(rs->sources, rs->nsources, rs->priv->cap_sources) : NULL;
	if (!slot)
		return -1;
	*slot = s;
	return 0;
}

int reachset_add_dest(struct reachset *rs, enum reach_kind kind, const char *name)
{
	char *s = arena_strdup(rs->priv->a, name);
	struct reachset_dest *slot = s ? VEC_PUSH(rs->dests, rs->ndests, rs->priv->cap_dests) : NULL;
	if (!slot)
		return -1;
	*slot = (struct reachset_dest){ kind, s };
	return 0;
}

int reachset_add_outcome(struct reachset *rs, const struct reachset_outcome *o)
{
	char *ap = arena_strdup(rs->priv->a, o->appliances);
	char *ends = arena_strdup(rs->priv->a, o->ends);
	struct reachset_outcome *slot =
		ap && ends ? VEC_PUSH(rs->outcomes, rs->noutcomes, rs->priv->cap_outcomes) : NULL;
	if (!slot)
		return -1;
	*slot = *o;
	slot->appliances = ap, slot->ends = ends;
	return 0;
}

int reachset_add_span(struct reachset *rs, struct reachset_span sp)
{
	struct reachset_span *slot = VEC_PUSH(rs->spans, rs->nspans, rs->priv->cap_spans);
	if (!slot)
		return -1;
	*slot = sp;
	return 0;
}

int reachset_seal(const struct reachset *rs, char *msg, size_t len)
{
	uint64_t next_src = 0, next_dest = 0;
	for (size_t i = 0; i < rs->nspans; i++) {
		const struct reachset_span *sp = &rs->spans[i];
		if (i > 0 && next_dest == rs->ndests)
			next_src++, next_dest = 0;
		if (sp->source != next_src || sp->first != next_dest || sp->last < sp->first ||
		    sp->last >= rs->ndests) {
			snprintf(msg, len,
				 "flows of source %u cover destinations %u..%u out of order "
				 "(expected source %llu from destination %llu of %zu)",
				 sp->source, sp->first, sp->last, (unsigned long long)next_src,
				 (unsigned long long)next_dest, rs->ndests);
			return -2;
		}
		if ((sp->cell >> 2) >= rs->noutcomes || (sp->cell & 3u) > RS_ECMP) {
			snprintf(msg, len, "flows of source %u name outcome %u of %zu", sp->source,
				 sp->cell >> 2, rs->noutcomes);
			return -2;
		}
		next_dest = (uint64_t)sp->last + 1;
	}
	bool empty = rs->nsources == 0 || rs->ndests == 0;
	bool complete = empty ? rs->nspans == 0
			      : next_src + 1 == rs->nsources && next_dest == rs->ndests;
	if (!complete) {
		snprintf(msg, len, "flows cover %llu of %zu sources", (unsigned long long)next_src,
			 rs->nsources);
		return -2;
	}
	return 0;
}

static int from_outcomes(struct reachset *rs, const struct reach *r)
{
	char appl[512], ends[512];
	for (size_t i = 0; i < r->nresults; i++) {
		const struct reach_result *x = &r->results[i];
		struct reachset_outcome o = { x->verdict, x->npaths, x->nok,
					      reach_result_appliances(x, appl, sizeof appl),
					      reach_result_ends(x, ends, sizeof ends) };
		if (reachset_add_outcome(rs, &o) != 0)
			return -1;
	}
	return 0;
}

static int from_dests(struct reachset *rs, const struct reach *r)
{
	char buf[PREFIX_STRLEN];
	for (size_t d = 0; d < r->ndests; d++) {
		const struct reach_dest *x = &r->dests[d];
		const char *name = x->kind == RK_SUBNET	    ? x->subnet->id
				   : x->kind == RK_INTERNET ? "Internet"
							    : prefix_format(x->prefix, buf);
		if (reachset_add_dest(rs, x->kind, name) != 0)
			return -1;
	}
	return 0;
}

struct reachset *reachset_from_reach(const struct reach *r)
{
	struct reachset *rs = reachset_create();
	int rc = rs ? 0 : -1;
	for (size_t s = 0; s < r->nsources && rc == 0; s++)
		rc = reachset_add_source(rs, r->topo->subnets[s]->id);
	if (rc == 0)
		rc = from_dests(rs, r);
	if (rc == 0)
		rc = from_outcomes(rs, r);
	for (size_t s = 0; s < r->nsources && rc == 0; s++) {
		const uint32_t *row = &r->cells[s * r->ndests];
		for (size_t d = 0; d < r->ndests && rc == 0;) {
			size_t e = d;
			while (e + 1 < r->ndests && row[e + 1] == row[d])
				e++;
			rc = reachset_add_span(rs, (struct reachset_span){ (uint32_t)s, (uint32_t)d,
									   (uint32_t)e, row[d] });
			d = e + 1;
		}
	}
	if (rc != 0) {
		reachset_destroy(rs);
		return NULL;
	}
	return rs;
}

void reachset_row(const struct reachset *rs, size_t s, uint32_t *cells)
{
	size_t lo = 0, hi = rs->nspans;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rs->spans[mid].source < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < rs->nspans && rs->spans[i].source == s; i++)
		for (uint32_t d = rs->spans[i].first; d <= rs->spans[i].last; d++)
			cells[d] = rs->spans[i].cell;
}

uint64_t reachset_failing(const struct reachset *rs)
{
	uint64_t n = 0;
	for (size_t i = 0; i < rs->nspans; i++)
		if (rs->outcomes[rs->spans[i].cell >> 2].verdict != TV_DELIVERED)
			n += (uint64_t)rs->spans[i].last - rs->spans[i].first + 1;
	return n;
}

int reachset_kind_parse(const char *s)
{
	for (int k = RK_SUBNET; k <= RK_INTERNET; k++)
		if (strcmp(reach_kind_name((enum reach_kind)k), s) == 0)
			return k;
	return -1;
}

int reachset_verdict_parse(const char *s)
{
	for (int v = TV_DELIVERED; v <= TV_LOOPED; v++)
		if (strcmp(trace_verdict_name((enum trace_verdict)v), s) == 0)
			return v;
	return -1;
}
