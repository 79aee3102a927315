/*
 * graph.c - the topology as DOT.  See graph.h.
 */
#include "graph.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "effective.h"
#include "speaker.h"
#include "topology.h"
#include "vec.h"

#define CAUSES_SHOWN 3                 /* causes named in the title */
#define PREFIXES_SHOWN 3               /* static prefixes named per connection */

/* What the checkpoint shows, per subnet and per VNet (topology indexes). */
struct state {
	const struct topology *t;
	const struct speakers *sp;
	const struct checkpoint *cp, *prev;
	bool *changed;                 /* per subnet: rows changed since prev */
	size_t *holed;                 /* per subnet: Active rows to a crashed next hop */
	const char *causes[CAUSES_SHOWN];
	size_t ncauses, nchanges;
	bool more_causes;              /* distinct causes beyond those kept */
	uint32_t *dead;                /* next hops of crashed peers still held */
	size_t ndead, deadcap;
	const struct vnet **nva_vnet;  /* per bgp_conn of rs 0..: the VNet holding it */
	bool *grouped;                 /* per VNet: drawn inside its hub's group */
	size_t *group_size;            /* per VNet (a hub): its grouped spokes */
	size_t group_min;
};

/* ---- DOT strings ------------------------------------------------------------------- */

/* Input text inside a DOT string: quotes and backslashes escaped, control
 * characters (which could end a line or a label) as '?'. */
static void text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fputc('\\', out);
		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
}

static void ip(FILE *out, uint32_t a)
{
	char b[IPV4_STRLEN];
	fputs(ipv4_format(a, b), out);
}

static void prefixes(FILE *out, const struct prefix_list *l, size_t max)
{
	char b[PREFIX_STRLEN];
	for (size_t i = 0; i < l->n && i < max; i++)
		fprintf(out, "%s%s", i ? " " : "", prefix_format(l->v[i], b));
	if (l->n > max)
		fprintf(out, " +%zu more", l->n - max);
}

static void seconds(FILE *out, int64_t ms)
{
	if (ms % 1000 == 0)
		fprintf(out, "%" PRId64 "s", ms / 1000);
	else
		fprintf(out, "%.3fs", (double)ms / 1000.0);
}

/* ---- what the checkpoint shows ----------------------------------------------------------- */

static size_t subnet_index(const struct topology *t, const char *id)
{
	const struct subnet *s = id ? topology_subnet(t, id) : NULL;
	return s ? s->index : (size_t)-1;
}

/* Subnets changed since the previous checkpoint, and the first causes. */
static void find_changes(const struct run *r, struct state *st)
{
	int64_t from = st->prev ? st->prev->at_ms : -1, to = st->cp->at_ms;
	for (size_t i = 0; i < run_timeline_count(r); i++) {
		const struct timeline_entry *e = run_timeline_get(r, i);
		if (e->at_ms <= from || e->at_ms > to)
			continue;
		size_t k = subnet_index(st->t, e->subnet);
		if (k != (size_t)-1)
			st->changed[k] = true;
		st->nchanges++;
		bool known = false;
		for (size_t c = 0; c < st->ncauses; c++)
			known |= strcmp(st->causes[c], e->cause) == 0;
		if (!known && st->ncauses < CAUSES_SHOWN)
			st->causes[st->ncauses++] = e->cause;
		else if (!known)
			st->more_causes = true;
	}
}

/* A peer that crashed silently: its sessions still count as established
 * and its routes are held until the hold timer fires (RULES 1.8). */
static bool crashed(const struct peer *p)
{
	return p->hold_timer != 0 && (p->session[0] || p->session[1]);
}

static bool session_up(const struct peer *p)
{
	return p->session[0] || (p->ninst > 1 && p->session[1]);
}

static int add_dead(struct state *st, uint32_t a)
{
	for (size_t i = 0; i < st->ndead; i++)
		if (st->dead[i] == a)
			return 0;
	uint32_t *slot = VEC_PUSH(st->dead, st->ndead, st->deadcap);
	if (!slot)
		return -1;
	*slot = a;
	return 0;
}

/* The next hops crashed peers still have programmed, then the subnets
 * whose Active rows lead there. */
static int find_black_holes(struct state *st)
{
	for (size_t i = 0; st->sp && i < speakers_count(st->sp); i++) {
		const struct peer *p = speakers_at(st->sp, i);
		if (!crashed(p) || p->kind != PEER_NVA)
			continue;
		const struct bgp_conn *c = topology_bgp_conn(st->t, p->id);
		for (unsigned inst = 0; inst < p->ninst; inst++)
			for (size_t k = 0; k < p->in[inst].n; k++) {
				uint32_t nh = p->in[inst].v[k].next_hop;
				if (!nh && c)
					nh = c->peer_ip;
				if (nh && add_dead(st, nh) != 0)
					return -1;
			}
	}
	for (size_t s = 0; st->ndead && s < st->t->nsubnets; s++) {
		const struct eff_table *tab = st->cp->tables[s];
		struct eff_iter it = { 0 };
		struct route_row row;
		while (tab && eff_row(tab, false, &it, &row))
			for (size_t d = 0; row.active && row.has_nh_ip && d < st->ndead; d++)
				st->holed[s] += row.nh_ip == st->dead[d];
	}
	return 0;
}

static const struct vnet *vnet_holding(const struct topology *t, uint32_t addr)
{
	for (size_t i = 0; i < t->nnics; i++)
		if (t->nics[i].ip == addr)
			return t->nics[i].subnet->vnet;
	return NULL;
}

static bool holds_nva(const struct state *st, const struct vnet *v)
{
	size_t k = 0;
	for (size_t r = 0; r < st->t->nrss; r++)
		for (size_t c = 0; c < st->t->rss[r]->nconns; c++, k++)
			if (st->nva_vnet[k] == v)
				return true;
	return false;
}

/* A plain spoke: nothing of its own but subnets, peered with one hub that
 * peers back; its hub, or NULL. */
static const struct vnet *plain_spoke_hub(const struct state *st, const struct vnet *v)
{
	if (v->vpn_gw || v->er_gw || v->rs || v->npeerings != 1 || !v->peerings[0].connected ||
	    holds_nva(st, v))
		return NULL;
	return v->peerings[0].remote;
}

static void find_groups(struct state *st)
{
	const struct topology *t = st->t;
	for (size_t i = 0; st->group_min && i < t->nvnets; i++) {
		const struct vnet *hub = plain_spoke_hub(st, t->vnets[i]);
		if (hub && !plain_spoke_hub(st, hub))
			st->group_size[hub->index]++;
	}
	for (size_t i = 0; st->group_min && i < t->nvnets; i++) {
		const struct vnet *hub = plain_spoke_hub(st, t->vnets[i]);
		st->grouped[i] = hub && !plain_spoke_hub(st, hub) &&
				 st->group_size[hub->index] >= st->group_min;
	}
	for (size_t i = 0; i < t->nvnets; i++)
		if (st->group_size[i] < st->group_min || !st->group_min)
			st->group_size[i] = 0;
}

/* ---- nodes -------------------------------------------------------------------------------- */

static void subnet_node(FILE *out, const struct state *st, const struct subnet *s)
{
	fprintf(out, "    s%zu [label=\"", s->index);
	text(out, s->name);
	fputs("\\n", out);
	prefixes(out, &s->prefixes, PREFIXES_SHOWN);
	fprintf(out, "\\n%zu NIC%s", s->nic_count, s->nic_count == 1 ? "" : "s");
	if (s->rt) {
		fputs("\\nroute table ", out);
		text(out, s->rt->name);
	}
	if (st->holed[s->index])
		fprintf(out, "\\n%zu route%s to a crashed peer", st->holed[s->index],
			st->holed[s->index] == 1 ? "" : "s");
	fputc('"', out);
	if (st->holed[s->index])
		fputs(", fillcolor=\"#f4b6b6\"", out);
	if (st->changed[s->index])
		fputs(", color=\"#c00000\", penwidth=2.5", out);
	fputs("];\n", out);
}

static void gateway_node(FILE *out, const struct gateway *g, size_t k)
{
	fprintf(out, "    gw%zu [shape=hexagon, fillcolor=\"#dde8f8\", label=\"%s gateway ", k,
		g->type == GW_VPN ? "VPN" : "ExpressRoute");
	text(out, g->name);
	fprintf(out, "\\n%sAS %" PRIu32 "\"];\n", g->active_active ? "active-active, " : "", g->asn);
}

static void route_server_node(FILE *out, const struct route_server *rs, size_t k)
{
	fprintf(out, "    rs%zu [shape=doubleoctagon, fillcolor=\"#e6f2e6\", label=\"Route Server ", k);
	text(out, rs->name);
	fputs("\\n", out);
	ip(out, rs->instance_ip[0]);
	fputc(' ', out);
	ip(out, rs->instance_ip[1]);
	fputs(rs->b2b ? "\\nbranch-to-branch" : "", out);
	fputs("\"];\n", out);
}

static void nva_node(FILE *out, const struct state *st, const struct bgp_conn *c, size_t k,
		     const char *indent)
{
	const struct peer *p = st->sp ? speakers_peer(st->sp, c->id) : NULL;
	fprintf(out, "%snva%zu [shape=component, label=\"NVA ", indent, k);
	text(out, c->name);
	fputs("\\n", out);
	ip(out, c->peer_ip);
	fprintf(out, " AS %" PRIu32, c->peer_asn);
	if (p && crashed(p))
		fputs("\\ncrashed: routes held\\nuntil the hold timer\", fillcolor=\"#f4b6b6\"];\n", out);
	else if (p && !session_up(p))
		fputs("\\nsessions down\", fillcolor=\"#eeeeee\", fontcolor=\"#777777\"];\n", out);
	else
		fputs("\"];\n", out);
}

static void vnet_cluster(FILE *out, const struct state *st, const struct vnet *v)
{
	const struct topology *t = st->t;
	fprintf(out, "  subgraph cluster_%zu {\n    label=\"", v->index);
	text(out, v->name);
	fputs("\\n", out);
	prefixes(out, &v->space, PREFIXES_SHOWN);
	fprintf(out, "\";\n    style=\"rounded\"; color=\"#5577aa\";\n"
		     "    v%zu [shape=point, style=invis, width=0];\n", v->index);
	for (size_t i = 0; i < v->nsubnets; i++)
		subnet_node(out, st, v->subnets[i]);
	for (size_t i = 0; i < t->ngws; i++)
		if (t->gws[i]->vnet == v)
			gateway_node(out, t->gws[i], i);
	for (size_t i = 0; i < t->nrss; i++)
		if (t->rss[i]->vnet == v)
			route_server_node(out, t->rss[i], i);
	size_t k = 0;
	for (size_t r = 0; r < t->nrss; r++)
		for (size_t c = 0; c < t->rss[r]->nconns; c++, k++)
			if (st->nva_vnet[k] == v)
				nva_node(out, st, &t->rss[r]->conns[c], k, "    ");
	fputs("  }\n", out);
}

static void connection_node(FILE *out, const struct connection *c, size_t k)
{
	fprintf(out, "  conn%zu [shape=cylinder, fillcolor=\"#f6f0dc\", label=\"%s\\n", k,
		c->type == CONN_EXPRESSROUTE ? "ExpressRoute circuit" : "on-premises");
	text(out, c->name);
	if (c->static_prefixes.n) {
		fputs("\\n", out);
		prefixes(out, &c->static_prefixes, PREFIXES_SHOWN);
	}
	if (c->enable_bgp)
		fprintf(out, "\\nBGP AS %" PRIu32, c->peer_asn);
	fputs("\"];\n", out);
}

static void group_node(FILE *out, const struct state *st, const struct vnet *hub)
{
	const struct topology *t = st->t;
	size_t nsub = 0, nnics = 0, changed = 0, holed = 0;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *v = t->vnets[i];
		if (!st->grouped[i] || plain_spoke_hub(st, v) != hub)
			continue;
		bool ch = false, ho = false;
		for (size_t s = 0; s < v->nsubnets; s++) {
			nsub++;
			nnics += v->subnets[s]->nic_count;
			ch |= st->changed[v->subnets[s]->index];
			ho |= st->holed[v->subnets[s]->index] > 0;
		}
		changed += ch;
		holed += ho;
	}
	fprintf(out, "  g%zu [shape=box3d, label=\"%zu spokes of ", hub->index,
		st->group_size[hub->index]);
	text(out, hub->name);
	fprintf(out, "\\n%zu subnets, %zu NICs", nsub, nnics);
	if (changed)
		fprintf(out, "\\n%zu changed", changed);
	if (holed)
		fprintf(out, "\\n%zu sending to a crashed peer", holed);
	fputc('"', out);
	if (holed)
		fputs(", fillcolor=\"#f4b6b6\"", out);
	if (changed)
		fputs(", color=\"#c00000\", penwidth=2.5", out);
	fputs("];\n", out);
}

/* ---- edges -------------------------------------------------------------------------------- */

static bool uses_gateways_of(const struct vnet *v, const struct vnet *other)
{
	for (size_t i = 0; i < v->npeerings; i++)
		if (v->peerings[i].remote == other && v->peerings[i].use_remote_gateways)
			return true;
	return false;
}

static void peering_edges(FILE *out, const struct state *st)
{
	const struct topology *t = st->t;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *v = t->vnets[i];
		if (st->grouped[i])
			continue;
		for (size_t k = 0; k < v->npeerings; k++) {
			const struct peering *p = &v->peerings[k];
			const struct vnet *w = p->remote;
			if (st->grouped[w->index] || (p->connected && w->index < v->index))
				continue;      /* a connected pair is drawn once */
			bool transit = uses_gateways_of(v, w) || uses_gateways_of(w, v);
			fprintf(out, "  v%zu -> v%zu [ltail=cluster_%zu, lhead=cluster_%zu, dir=none",
				v->index, w->index, v->index, w->index);
			if (!p->connected)
				fputs(", style=dashed, label=\"one-sided\"", out);
			else if (transit)
				fputs(", penwidth=2, label=\"gateway transit\"", out);
			fputs(p->global ? ", color=\"#7a4fa0\"];\n" : "];\n", out);
		}
	}
	for (size_t i = 0; i < t->nvnets; i++)
		if (st->group_size[i])
			fprintf(out, "  g%zu -> v%zu [lhead=cluster_%zu, dir=none, penwidth=2, "
				     "label=\"%zu peerings\"];\n",
				i, i, i, st->group_size[i]);
}

/* A session edge: solid when up (or without BGP), dashed grey when down,
 * red when the peer crashed and its routes are still held. */
static void session_style(FILE *out, const struct peer *p)
{
	if (p && crashed(p))
		fputs(", color=\"#c00000\", penwidth=2.5, label=\"black hole\"", out);
	else if (p && !session_up(p))
		fputs(", style=dashed, color=\"#999999\", label=\"down\"", out);
}

static void session_edges(FILE *out, const struct state *st)
{
	const struct topology *t = st->t;
	size_t k = 0;
	for (size_t r = 0; r < t->nrss; r++)
		for (size_t c = 0; c < t->rss[r]->nconns; c++, k++) {
			const struct bgp_conn *bc = &t->rss[r]->conns[c];
			fprintf(out, "  rs%zu -> nva%zu [dir=both, arrowhead=none, arrowtail=none", r, k);
			session_style(out, st->sp ? speakers_peer(st->sp, bc->id) : NULL);
			fputs("];\n", out);
		}
	for (size_t i = 0; i < t->nconns; i++) {
		const struct connection *c = t->conns[i];
		size_t g = 0;
		while (g < t->ngws && t->gws[g] != c->gw)
			g++;
		if (g == t->ngws)
			continue;
		fprintf(out, "  gw%zu -> conn%zu [dir=none", g, i);
		session_style(out, c->enable_bgp && st->sp ? speakers_peer(st->sp, c->name) : NULL);
		fputs("];\n", out);
	}
}

/* ---- the document ------------------------------------------------------------------------- */

static void header(FILE *out, const struct state *st, const struct graph_opts *o)
{
	fputs("digraph vnetsim {\n  graph [rankdir=LR, compound=true, newrank=true, "
	      "fontname=\"Helvetica\", labelloc=t, label=\"", out);
	text(out, o->title);
	fputs(" at ", out);
	text(out, st->cp->label);
	fputs(" (", out);
	seconds(out, st->cp->at_ms);
	fputc(')', out);
	if (st->nchanges) {
		fprintf(out, "\\nred border: %zu change%s since ", st->nchanges,
			st->nchanges == 1 ? "" : "s");
		text(out, st->prev ? st->prev->label : "the start");
		fputs(", caused by:", out);
		for (size_t i = 0; i < st->ncauses; i++) {
			fputs("\\n", out);
			text(out, st->causes[i]);
		}
		if (st->more_causes)
			fputs("\\nand more", out);
	}
	if (st->ndead)
		fputs("\\nred fill: traffic still sent to a crashed peer (black hole)", out);
	fputs("\"];\n  node [shape=box, style=\"rounded,filled\", fillcolor=white, "
	      "fontname=\"Helvetica\", fontsize=10];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=9];\n",
	      out);
}

static void body(FILE *out, const struct state *st)
{
	const struct topology *t = st->t;
	for (size_t i = 0; i < t->nvnets; i++)
		if (!st->grouped[i])
			vnet_cluster(out, st, t->vnets[i]);
	size_t k = 0;
	for (size_t r = 0; r < t->nrss; r++)
		for (size_t c = 0; c < t->rss[r]->nconns; c++, k++)
			if (!st->nva_vnet[k])
				nva_node(out, st, &t->rss[r]->conns[c], k, "  ");
	for (size_t i = 0; i < t->nconns; i++)
		connection_node(out, t->conns[i], i);
	for (size_t i = 0; i < t->nvnets; i++)
		if (st->group_size[i])
			group_node(out, st, t->vnets[i]);
	peering_edges(out, st);
	session_edges(out, st);
	fputs("}\n", out);
}

static void state_free(struct state *st)
{
	free(st->changed);
	free(st->holed);
	free(st->dead);
	free(st->nva_vnet);
	free(st->grouped);
	free(st->group_size);
}

int graph_write_dot(FILE *out, const struct run *r, const struct checkpoint *cp,
		    const struct graph_opts *o)
{
	const struct topology *t = cp->topo;
	struct state st = { .t = t, .sp = run_speakers(r), .cp = cp, .group_min = o->group_min };
	/* The previous checkpoint: the latest one strictly before cp. */
	for (size_t i = 0; i < run_checkpoint_count(r); i++) {
		const struct checkpoint *c = run_checkpoint_get(r, i);
		if (c->at_ms < cp->at_ms && (!st.prev || c->at_ms >= st.prev->at_ms))
			st.prev = c;
	}
	size_t nconns = 0;
	for (size_t i = 0; i < t->nrss; i++)
		nconns += t->rss[i]->nconns;
	st.changed = calloc(t->nsubnets + 1, sizeof(*st.changed));
	st.holed = calloc(t->nsubnets + 1, sizeof(*st.holed));
	st.nva_vnet = calloc(nconns + 1, sizeof(*st.nva_vnet));
	st.grouped = calloc(t->nvnets + 1, sizeof(*st.grouped));
	st.group_size = calloc(t->nvnets + 1, sizeof(*st.group_size));
	if (!st.changed || !st.holed || !st.nva_vnet || !st.grouped || !st.group_size) {
		state_free(&st);
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < t->nrss; i++)
		for (size_t c = 0; c < t->rss[i]->nconns; c++, k++)
			st.nva_vnet[k] = vnet_holding(t, t->rss[i]->conns[c].peer_ip);
	find_changes(r, &st);
	if (find_black_holes(&st) != 0) {
		state_free(&st);
		return -1;
	}
	find_groups(&st);
	header(out, &st, o);
	body(out, &st);
	state_free(&st);
	return 0;
}
