/*
 * grow.c - see grow.h.
 *
 * Everything is done on a copy of the scenario document: the loaded
 * topology only says where things are (domains, templates, free
 * addresses); the objects are copied from their JSON, so whatever the
 * template carries (flags, service endpoints, policies) the copy carries.
 * topology->vnets[i] is $.topology.virtualNetworks[i] (topology.h: arrays
 * keep scenario order).
 *
 * Free space: the blocked prefixes become disjoint address ranges sorted by
 * address; a cursor walks the pools upward, so each allocation is a binary
 * search and allocations come out in increasing order (which makes steps
 * stable: the first n allocations are the same for any k).
 */
#include "grow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"
#include "scenario_doc.h"
#include "vec.h"

const char *grow_dim_name(enum grow_dim dim)
{
	static const char *const names[GROW_NDIM] = { "spokes", "vms", "nvaRoutes",
						      "onPremPrefixes" };
	return dim < GROW_NDIM ? names[dim] : "?";
}

/* ---- free address space --------------------------------------------------- */

struct range {
	uint64_t lo, hi;               /* inclusive */
};

struct space {
	struct range *r;               /* disjoint, sorted */
	size_t n, cap;
	size_t pool;                   /* cursor: pool index and next address */
	uint64_t next;
};

static const struct {
	uint32_t addr;
	uint8_t len;
} POOLS[] = { { 0x0a000000u, 8 }, { 0xac100000u, 12 }, { 0xc0a80000u, 16 } };

#define NPOOLS (sizeof(POOLS) / sizeof(POOLS[0]))
#define POOLS_TEXT "10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16"

static int space_block(struct space *s, struct prefix p)
{
	struct range *r = VEC_PUSH(s->r, s->n, s->cap);
	if (!r)
		return -1;
	*r = (struct range){ p.addr, prefix_last(p) };
	return 0;
}

/* A routed prefix blocks space unless it is a covering summary (/8 or
 * shorter: 0.0.0.0/0 from an NVA, 10.0.0.0/8 from on-premises). */
static int space_block_route(struct space *s, struct prefix p)
{
	return p.len <= 8 ? 0 : space_block(s, p);
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void space_seal(struct space *s)
{
	if (s->n > 1)
		qsort(s->r, s->n, sizeof(*s->r), cmp_range);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (k > 0 && s->r[i].lo <= s->r[k - 1].hi + 1) {
			if (s->r[i].hi > s->r[k - 1].hi)
				s->r[k - 1].hi = s->r[i].hi;
		} else {
			s->r[k++] = s->r[i];
		}
	}
	s->n = k;
	s->pool = 0;
	s->next = POOLS[0].addr;
}

/* The lowest free aligned block of length len at or after the cursor. */
static bool space_alloc(struct space *s, uint8_t len, struct prefix *out)
{
	uint64_t size = 1ull << (32 - len);
	while (s->pool < NPOOLS) {
		uint64_t plo = POOLS[s->pool].addr, phi = plo + (1ull << (32 - POOLS[s->pool].len)) - 1;
		uint64_t c = s->next > plo ? s->next : plo;
		c = (c + size - 1) & ~(size - 1);
		if (len < POOLS[s->pool].len || c + size - 1 > phi) {
			if (++s->pool < NPOOLS)
				s->next = POOLS[s->pool].addr;
			continue;
		}
		/* First blocked range ending at or after c. */
		size_t lo = 0, hi = s->n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (s->r[mid].hi < c)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < s->n && s->r[lo].lo <= c + size - 1) {
			s->next = s->r[lo].hi + 1;
			continue;
		}
		*out = (struct prefix){ .addr = (uint32_t)c, .len = len };
		s->next = c + size;
		return true;
	}
	return false;
}

/* scenario_doc_event_prefixes' callback: a prefix an edit event writes. */
static int block_edit_prefix(void *ctx, struct prefix p)
{
	return space_block_route(ctx, p);
}

/* Every VNet's space and every prefix the scenario routes or its edits
 * bring. */
static int space_init(struct space *s, const struct scenario *sc)
{
	memset(s, 0, sizeof(*s));
	const struct topology *t = sc->topo;
	for (size_t i = 0; i < t->nvnets; i++)
		for (size_t k = 0; k < t->vnets[i]->space.n; k++)
			if (space_block(s, t->vnets[i]->space.v[k]) != 0)
				return -1;
	for (size_t i = 0; i < t->nrts; i++)
		for (size_t r = 0; r < t->rts[i]->nroutes; r++) {
			const struct udr *u = &t->rts[i]->routes[r];
			for (size_t k = 0; u->tag == TAG_NONE && k < u->prefixes.n; k++)
				if (space_block_route(s, u->prefixes.v[k]) != 0)
					return -1;
		}
	for (size_t i = 0; i < t->nconns; i++)
		for (size_t k = 0; k < t->conns[i]->static_prefixes.n; k++)
			if (space_block_route(s, t->conns[i]->static_prefixes.v[k]) != 0)
				return -1;
	for (size_t i = 0; i < sc->nevents; i++) {
		for (size_t k = 0; k < sc->events[i].nprefixes; k++)
			if (space_block_route(s, sc->events[i].prefixes[k]) != 0)
				return -1;
		if (scenario_doc_event_prefixes(&sc->events[i], block_edit_prefix, s) != 0)
			return -1;
	}
	space_seal(s);
	return 0;
}

/* ---- the document ------------------------------------------------------------ */

/* The collection $.topology.key, created when absent (before any copy:
 * grow_spokes takes the sizes first). */
static struct scenario_doc_node *topo_array(struct scenario_doc *doc, const char *key)
{
	return scenario_doc_collection(scenario_doc_get(scenario_doc_root(doc), "topology"), key);
}

static void say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* ---- spokes ------------------------------------------------------------------ */

static size_t nics_of(const struct vnet *v)
{
	size_t n = 0;
	for (size_t k = 0; k < v->nsubnets; k++)
		n += v->subnets[k]->nic_count;
	return n;
}

void grow_spoke_average(const struct topology *t, const struct vnet *hub, size_t *nics,
			size_t *nspokes)
{
	*nics = *nspokes = 0;
	for (size_t i = 0; i < t->nvnets; i++) {
		const struct vnet *v = t->vnets[i];
		if (v == hub || v->domain != hub)
			continue;
		(*nspokes)++;
		*nics += nics_of(v);
	}
}

const struct vnet *grow_spoke_template(const struct topology *t, const struct vnet *hub)
{
	size_t nspokes, nics;
	grow_spoke_average(t, hub, &nics, &nspokes);
	const struct vnet *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < t->nvnets && nspokes; i++) {
		const struct vnet *v = t->vnets[i];
		if (v == hub || v->domain != hub)
			continue;
		/* |n - nics / nspokes| scaled by nspokes: exact in integers. */
		size_t a = nics_of(v) * nspokes, d = a > nics ? a - nics : nics - a;
		if (d < best_d) {
			best = v;
			best_d = d;
		}
	}
	return best;
}

/* Where the template's addresses go in one copy. */
struct moved {
	const struct prefix *from;     /* template space */
	struct prefix *to;
	size_t n;
};

static bool move_prefix(const struct moved *m, struct prefix p, struct prefix *out)
{
	for (size_t i = 0; i < m->n; i++)
		if (prefix_contains(m->from[i], p)) {
			*out = (struct prefix){ .addr = m->to[i].addr + (p.addr - m->from[i].addr),
						.len = p.len };
			return true;
		}
	return false;
}

/* A string holding a prefix or an address inside the template's space is
 * moved; anything else is left as it is (the loader judges it).  False out
 * of memory. */
static bool move_member(const struct moved *m, struct scenario_doc_node *o, const char *prop,
			bool addr)
{
	const char *s = scenario_doc_string(o, prop);
	struct prefix p, q;
	if (!s)
		return true;
	if (addr) {
		if (ipv4_parse(s, &p.addr) != 0)
			return true;
		p.len = 32;
	} else if (prefix_parse(s, &p) != PREFIX_OK) {
		return true;
	}
	if (!move_prefix(m, p, &q))
		return true;
	char buf[PREFIX_STRLEN];
	if (addr)
		return scenario_doc_set_string(o, prop, ipv4_format(q.addr, buf)) == 0;
	return scenario_doc_set_prefix(o, prop, q) == 0;
}

static bool move_array(const struct moved *m, struct scenario_doc_node *a)
{
	size_t n = scenario_doc_count(a);
	for (size_t i = 0; i < n; i++) {
		char at[32];
		snprintf(at, sizeof(at), "[%zu]", i);
		if (!move_member(m, a, at, false))
			return false;
	}
	return true;
}

static struct scenario_doc_node *peering_to(const struct scenario_doc_node *vnet,
					    const char *remote)
{
	struct scenario_doc_node *it = scenario_doc_first(scenario_doc_get(vnet,
									   "virtualNetworkPeerings"));
	for (; it; it = scenario_doc_next(it)) {
		const char *id = scenario_doc_string(it, "remoteVirtualNetwork.id");
		if (id && strcmp(id, remote) == 0)
			return it;
	}
	return NULL;
}

/* "spoke1-to-hub" -> "spoke1-grow3-to-hub": the template's name replaced
 * where it occurs, else the copy's name appended. */
static bool renamed(struct scenario_doc_node *o, const char *key, const char *tmpl,
		    const char *copy)
{
	const char *s = scenario_doc_string(o, key);
	s = s ? s : "";
	const char *at = strstr(s, tmpl);
	char buf[512];
	if (at)
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - s), s, copy, at + strlen(tmpl));
	else
		snprintf(buf, sizeof(buf), "%s-%s", s, copy);
	return scenario_doc_set_string(o, key, buf) == 0;
}

static bool in_template(const struct scenario_doc_node *holder, const char *tmpl, size_t tl,
			const char **id)
{
	*id = scenario_doc_string(holder, "subnet.id");
	return *id && strncmp(*id, tmpl, tl) == 0 && (*id)[tl] == '/';
}

static uint64_t entry_count(const struct scenario_doc_node *nic)
{
	double c;
	return scenario_doc_number(nic, "count", &c) && c >= 1 ? (uint64_t)c : 1;
}

static bool fixed_address(const struct scenario_doc_node *ipc)
{
	return scenario_doc_string(ipc, "privateIPAddress") != NULL;
}

/* A NIC entry's count set to n (n >= 1), its name's '*' kept right:
 * needed when n > 1, not allowed when n == 1. */
static bool set_count(struct scenario_doc_node *c, uint64_t n)
{
	const char *name = scenario_doc_string(c, "name");
	name = name ? name : "";
	const char *star = strchr(name, '*');
	char buf[512];
	if (n > 1 && !star)
		snprintf(buf, sizeof(buf), "%s-*", name);
	else if (n == 1 && star)
		snprintf(buf, sizeof(buf), "%.*s1%s", (int)(star - name), name, star + 1);
	else
		snprintf(buf, sizeof(buf), "%s", name);
	scenario_doc_remove(c, "count");
	return scenario_doc_set_string(c, "name", buf) == 0 &&
	       (n == 1 || scenario_doc_set_number(c, "count", (double)n) == 0);
}

/* NIC or private endpoint entries in a subnet of the template, copied.
 * NICs: the copy holds vms of them (the domain's average spoke): fixed
 * addresses are copied as they are, the dynamic entries share the rest in
 * proportion to their counts (cumulative floors, so the shares add up). */
static bool copy_interfaces(struct scenario_doc_node *arr, size_t n0, bool nic, const char *tmpl,
			    const char *copy, const struct moved *m, uint64_t vms)
{
	size_t tl = strlen(tmpl), i = 0;
	const char *id;
	uint64_t fixed = 0, dyn = 0, before = 0;
	struct scenario_doc_node *it;
	for (it = scenario_doc_first(arr); nic && it && i < n0; it = scenario_doc_next(it), i++) {
		const struct scenario_doc_node *ipc = scenario_doc_get(it, "ipConfigurations[0]");
		if (!in_template(ipc, tmpl, tl, &id))
			continue;
		if (fixed_address(ipc))
			fixed++;
		else
			dyn += entry_count(it);
	}
	uint64_t rest = vms > fixed ? vms - fixed : 0;
	i = 0;
	for (it = scenario_doc_first(arr); it && i < n0; it = scenario_doc_next(it), i++) {
		struct scenario_doc_node *holder = nic ? scenario_doc_get(it, "ipConfigurations[0]")
						       : it;
		if (!in_template(holder, tmpl, tl, &id))
			continue;
		uint64_t n = 1;
		if (nic && !fixed_address(holder)) {
			uint64_t c = entry_count(it);
			n = rest * (before + c) / dyn - rest * before / dyn;
			before += c;
			if (n == 0)
				continue;
		}
		struct scenario_doc_node *c = scenario_doc_append_copy(arr, it);
		if (!c)
			return false;
		char buf[512], sid[512];
		const char *name = scenario_doc_string(c, "name");
		snprintf(buf, sizeof(buf), "%s-%s", copy, name ? name : "");
		struct scenario_doc_node *ch = nic ? scenario_doc_get(c, "ipConfigurations[0]") : c;
		snprintf(sid, sizeof(sid), "%s%s", copy, id + tl);
		if (scenario_doc_set_string(c, "name", buf) != 0 ||
		    scenario_doc_set_ref(ch, "subnet", sid) != 0 ||
		    !move_member(m, ch, "privateIPAddress", true) || (nic && !set_count(c, n)))
			return false;
	}
	return true;
}

/* The copy of the template's VNet (tj) named copy: its new space, its
 * subnets moved into it, and the peering pair with the hub (hj) copied from
 * pair (tj's to the hub, hj's to tj); tj's other peerings are left out
 * (spoke-to-spoke ones stay out). */
static int copy_vnet(struct scenario_doc_node *vnets, const struct scenario_doc_node *tj,
		     struct scenario_doc_node *hj, const struct scenario_doc_node *const pair[2],
		     const char *tmpl, const char *copy, const struct moved *m)
{
	struct scenario_doc_node *v = scenario_doc_append_copy(vnets, tj);
	if (!v || scenario_doc_set_string(v, "name", copy) != 0)
		return -1;
	struct scenario_doc_node *space = scenario_doc_set_array(
		scenario_doc_set_object(v, "addressSpace"), "addressPrefixes");
	if (!space)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		char buf[PREFIX_STRLEN];
		if (scenario_doc_append_string(space, prefix_format(m->to[i], buf)) != 0)
			return -1;
	}
	struct scenario_doc_node *s = scenario_doc_first(scenario_doc_get(v, "subnets"));
	for (; s; s = scenario_doc_next(s))
		if (!move_member(m, s, "addressPrefix", false) ||
		    !move_array(m, scenario_doc_get(s, "addressPrefixes")))
			return -1;
	struct scenario_doc_node *p = scenario_doc_append_copy(
		scenario_doc_set_array(v, "virtualNetworkPeerings"), pair[0]);
	if (!p || !renamed(p, "name", tmpl, copy))
		return -1;
	struct scenario_doc_node *hp = scenario_doc_append_copy(
		scenario_doc_get(hj, "virtualNetworkPeerings"), pair[1]);
	if (!hp || !renamed(hp, "name", tmpl, copy) ||
	    scenario_doc_set_ref(hp, "remoteVirtualNetwork", copy) != 0)
		return -1;
	return 0;
}

/* A route per spoke: in every route table, a copy of each route of the
 * first n0[3 + table] whose prefix lies in the template's space, moved. */
static int copy_routes(struct scenario_doc *doc, const size_t *n0, const char *copy,
		       const struct moved *m)
{
	size_t k = 0;
	struct scenario_doc_node *rt = scenario_doc_first(topo_array(doc, "routeTables"));
	for (; rt; rt = scenario_doc_next(rt)) {
		struct scenario_doc_node *routes = scenario_doc_get(rt, "routes");
		size_t nr = n0[3 + k++], i = 0;
		struct scenario_doc_node *r = scenario_doc_first(routes);
		for (; r && i < nr; r = scenario_doc_next(r), i++) {
			const char *ps = scenario_doc_string(r, "addressPrefix");
			struct prefix pfx, q;
			if (!ps || prefix_parse(ps, &pfx) != PREFIX_OK || !move_prefix(m, pfx, &q))
				continue;
			struct scenario_doc_node *c = scenario_doc_append_copy(routes, r);
			if (!c)
				return -1;
			char name[512];
			const char *nm = scenario_doc_string(c, "name");
			snprintf(name, sizeof(name), "%s-%s", nm ? nm : "", copy);
			if (scenario_doc_set_string(c, "name", name) != 0 ||
			    scenario_doc_set_prefix(c, "addressPrefix", q) != 0 ||
			    !move_member(m, c, "nextHopIpAddress", true))
				return -1;
		}
	}
	return 0;
}

/* One copy of tmpl (in hub's domain): the VNet, its peering pair, its
 * routes, its interfaces. */
static int copy_spoke(struct scenario_doc *doc, const struct vnet *hub, const struct vnet *tmpl,
		      uint64_t step, uint64_t vms, struct space *sp, const size_t *n0, char *why,
		      size_t whylen)
{
	struct scenario_doc_node *vnets = topo_array(doc, "virtualNetworks");
	const struct scenario_doc_node *tj = scenario_doc_named(vnets, tmpl->name);
	struct scenario_doc_node *hj = scenario_doc_named(vnets, hub->name);
	const struct scenario_doc_node *pair[2] = { peering_to(tj, hub->name),
						    peering_to(hj, tmpl->name) };
	if (!tj || !hj || !pair[0] || !pair[1]) {
		say(why, whylen, "spoke \"%s\" of \"%s\" has no peering pair to copy", tmpl->name,
		    hub->name);
		return GROW_CANNOT;
	}
	char copy[256];
	snprintf(copy, sizeof(copy), "%s-grow%llu", tmpl->name, (unsigned long long)step);
	struct prefix to[64];
	struct moved m = { .from = tmpl->space.v, .to = to, .n = tmpl->space.n };
	if (m.n > 64) {
		say(why, whylen, "spoke \"%s\" has %zu address prefixes: at most 64 are copied",
		    tmpl->name, m.n);
		return GROW_CANNOT;
	}
	for (size_t i = 0; i < m.n; i++)
		if (!space_alloc(sp, m.from[i].len, &to[i])) {
			say(why, whylen,
			    "address space exhausted at spoke %llu: no free /%u left in " POOLS_TEXT
			    " outside the VNets and the routed prefixes",
			    (unsigned long long)step, m.from[i].len);
			return GROW_CANNOT;
		}
	if (copy_vnet(vnets, tj, hj, pair, tmpl->name, copy, &m) != 0 ||
	    copy_routes(doc, n0, copy, &m) != 0 ||
	    !copy_interfaces(topo_array(doc, "networkInterfaces"), n0[0], true, tmpl->name, copy, &m,
			     vms) ||
	    !copy_interfaces(topo_array(doc, "privateEndpoints"), n0[1], false, tmpl->name, copy, &m,
			     0))
		return -1;
	return 0;
}

static int grow_spokes(const struct scenario *sc, struct scenario_doc *doc, uint64_t k,
		       struct space *sp, char *why, size_t whylen)
{
	const struct topology *t = sc->topo;
	/* Sizes of the arrays before any copy: copies are never copied. */
	size_t nrts = scenario_doc_count(topo_array(doc, "routeTables"));
	size_t *n0 = calloc(3 + nrts + 1, sizeof(*n0));
	if (!n0)
		return -1;
	n0[0] = scenario_doc_count(topo_array(doc, "networkInterfaces"));
	n0[1] = scenario_doc_count(topo_array(doc, "privateEndpoints"));
	size_t i = 0;
	const struct scenario_doc_node *rt = scenario_doc_first(topo_array(doc, "routeTables"));
	for (; rt; rt = scenario_doc_next(rt))
		n0[3 + i++] = scenario_doc_count(scenario_doc_get(rt, "routes"));
	const struct vnet **tmpl = calloc(t->nvnets + 1, sizeof(*tmpl));
	size_t nt = 0;
	int rc = tmpl ? 0 : -1;
	for (i = 0; rc == 0 && i < t->nvnets; i++) {
		const struct vnet *hub = t->vnets[i];
		if (hub->domain == hub && (tmpl[i] = grow_spoke_template(t, hub)))
			nt++;
	}
	if (rc == 0 && nt == 0) {
		say(why, whylen, "no spoke to copy: no VNet uses a hub's gateways or Route Server "
				 "(useRemoteGateways)");
		rc = GROW_CANNOT;
	}
	for (uint64_t s = 1; rc == 0 && s <= k; s++)
		for (i = 0; rc == 0 && i < t->nvnets; i++) {
			if (!tmpl[i])
				continue;
			/* Copy s holds the VMs that bring s copies to s average spokes. */
			size_t nics, n;
			grow_spoke_average(t, t->vnets[i], &nics, &n);
			uint64_t vms = s * nics / n - (s - 1) * nics / n;
			rc = copy_spoke(doc, t->vnets[i], tmpl[i], s, vms, sp, n0, why, whylen);
		}
	free(tmpl);
	free(n0);
	return rc;
}

/* ---- VMs ----------------------------------------------------------------------- */

static bool vm_subnet(const struct subnet *s)
{
	return strcmp(s->name, "GatewaySubnet") != 0 && strcmp(s->name, "RouteServerSubnet") != 0 &&
	       strncmp(s->name, "Azure", 5) != 0;
}

/* Addresses of s a new NIC may take: Azure keeps the first four and the
 * last of each prefix. */
static uint64_t subnet_free(const struct topology *t, const struct subnet *s)
{
	uint64_t room = 0, used = s->nic_count;
	for (size_t i = 0; i < s->prefixes.n; i++)
		if (s->prefixes.v[i].len <= 29)
			room += (1ull << (32 - s->prefixes.v[i].len)) - 5;
	for (size_t i = 0; i < t->npes; i++)
		used += t->pes[i].subnet == s;
	return room > used ? room - used : 0;
}

static bool add_nics(struct scenario_doc_node *nics, const struct subnet *s, uint64_t n)
{
	char name[512];
	snprintf(name, sizeof(name), "grow-vm-%s%s", s->id, n > 1 ? "-*" : "");
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '-';
	struct scenario_doc_node *o = scenario_doc_append_object(nics);
	struct scenario_doc_node *ipc = scenario_doc_append_object(
		o ? scenario_doc_set_array(o, "ipConfigurations") : NULL);
	return ipc && scenario_doc_set_string(o, "name", name) == 0 &&
	       (n == 1 || scenario_doc_set_number(o, "count", (double)n) == 0) &&
	       scenario_doc_set_ref(ipc, "subnet", s->id) == 0;
}

static int grow_vms(const struct scenario *sc, struct scenario_doc *doc, uint64_t k, char *why,
		    size_t whylen)
{
	const struct topology *t = sc->topo;
	if (t->nrss == 0) {
		say(why, whylen, "no Route Server: no VM count to grow against");
		return GROW_CANNOT;
	}
	struct scenario_doc_node *nics = topo_array(doc, "networkInterfaces");
	const struct vnet **dom = calloc(t->nvnets + 1, sizeof(*dom));
	if (!nics || !dom) {
		free(dom);
		return -1;
	}
	int rc = 0;
	for (size_t r = 0; rc == 0 && r < t->nrss; r++) {
		size_t nd = topology_domain_vnets(t, t->rss[r]->vnet, dom, t->nvnets);
		uint64_t left = k;
		/* Subnets already holding NICs first (workload subnets), then the rest. */
		for (int pass = 0; pass < 2 && left > 0 && rc == 0; pass++)
			for (size_t v = 0; v < nd && left > 0 && rc == 0; v++)
				for (size_t i = 0; i < dom[v]->nsubnets && left > 0; i++) {
					const struct subnet *s = dom[v]->subnets[i];
					if (!vm_subnet(s) || (s->nic_count > 0) != (pass == 0))
						continue;
					uint64_t n = subnet_free(t, s);
					n = n < left ? n : left;
					if (n > 0 && !add_nics(nics, s, n)) {
						rc = -1;
						break;
					}
					left -= n;
				}
		if (rc == 0 && left > 0) {
			say(why, whylen,
			    "no room for VM %llu in the VNets of Route Server \"%s\": every "
			    "subnet that may hold VMs is full (Azure keeps 5 addresses of each "
			    "subnet prefix)",
			    (unsigned long long)(k - left + 1), t->rss[r]->name);
			rc = GROW_CANNOT;
		}
	}
	free(dom);
	return rc;
}

/* ---- prefixes ------------------------------------------------------------------ */

/* k new /24s from each peer, at time 0 (each peer its own). */
static int grow_prefixes(struct scenario_doc *doc, const char *const *ids, const uint32_t *asns,
			 size_t np, uint64_t k, struct space *sp, char *why, size_t whylen)
{
	struct scenario_doc_node *events = scenario_doc_collection(scenario_doc_root(doc), "events");
	struct scenario_doc_node **lists = calloc(np + 1, sizeof(*lists));
	if (!events || !lists) {
		free(lists);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < np && rc == 0; i++) {
		struct scenario_doc_node *e = scenario_doc_append_object(events);
		if (!e || !(lists[i] = scenario_doc_set_array(e, "prefixes")) ||
		    scenario_doc_set_number(e, "at", 0) != 0 ||
		    scenario_doc_set_string(e, "op", "advertise") != 0 ||
		    scenario_doc_set_string(e, "from", ids[i]) != 0 ||
		    (asns[i] && scenario_doc_append_number(scenario_doc_set_array(e, "asPath"),
							   (double)asns[i]) != 0))
			rc = -1;
	}
	for (uint64_t s = 1; s <= k && rc == 0; s++)
		for (size_t i = 0; i < np && rc == 0; i++) {
			struct prefix p;
			char buf[PREFIX_STRLEN];
			if (!space_alloc(sp, 24, &p)) {
				say(why, whylen,
				    "prefixes exhausted at step %llu: no free /24 left in " POOLS_TEXT
				    " outside the VNets and the routed prefixes",
				    (unsigned long long)s);
				rc = GROW_CANNOT;
			} else if (scenario_doc_append_string(lists[i], prefix_format(p, buf)) != 0) {
				rc = -1;
			}
		}
	free(lists);
	return rc;
}

static int grow_routes(const struct scenario *sc, struct scenario_doc *doc, enum grow_dim dim, uint64_t k,
		       struct space *sp, char *why, size_t whylen)
{
	const struct topology *t = sc->topo;
	size_t cap = t->nconns;
	for (size_t i = 0; i < t->nrss; i++)
		cap += t->rss[i]->nconns;
	const char **ids = calloc(cap + 1, sizeof(*ids));
	uint32_t *asns = calloc(cap + 1, sizeof(*asns));
	size_t n = 0;
	int rc = ids && asns ? 0 : -1;
	if (rc == 0 && dim == GROW_NVA_ROUTES)
		for (size_t i = 0; i < t->nrss; i++)
			for (size_t c = 0; c < t->rss[i]->nconns; c++) {
				ids[n] = t->rss[i]->conns[c].id;
				asns[n++] = t->rss[i]->conns[c].peer_asn;
			}
	if (rc == 0 && dim == GROW_ONPREM)
		for (size_t i = 0; i < t->nconns; i++) {
			const struct connection *c = t->conns[i];
			if (c->type != CONN_EXPRESSROUTE && !(c->type == CONN_IPSEC && c->enable_bgp))
				continue;
			ids[n] = c->name;
			asns[n++] = c->peer_asn;
		}
	if (rc == 0 && n == 0) {
		say(why, whylen, dim == GROW_NVA_ROUTES ? "no NVA bgpConnection to advertise from"
							: "no gateway connection with BGP");
		rc = GROW_CANNOT;
	}
	if (rc == 0)
		rc = grow_prefixes(doc, ids, asns, n, k, sp, why, whylen);
	free(ids);
	free(asns);
	return rc;
}

/* ---- entry --------------------------------------------------------------------- */

int grow_doc(const struct scenario *sc, enum grow_dim dim, uint64_t k, struct scenario_doc **out,
	     char *why, size_t whylen)
{
	*out = NULL;
	why[0] = '\0';
	struct scenario_doc *doc = scenario_doc_create(sc);
	struct space sp = { 0 };
	if (!doc || space_init(&sp, sc) != 0) {
		scenario_doc_destroy(doc);
		free(sp.r);
		return -1;
	}
	int rc = 0;
	char desc[160];
	snprintf(desc, sizeof(desc), "grown by vnetsim: %llu step%s of %s", (unsigned long long)k,
		 k == 1 ? "" : "s", grow_dim_name(dim));
	scenario_doc_remove(scenario_doc_root(doc), "expectations");
	if (scenario_doc_set_string(scenario_doc_root(doc), "description", desc) != 0)
		rc = -1;
	if (rc == 0 && k > 0) {
		switch (dim) {
		case GROW_SPOKES: rc = grow_spokes(sc, doc, k, &sp, why, whylen); break;
		case GROW_VMS: rc = grow_vms(sc, doc, k, why, whylen); break;
		case GROW_NVA_ROUTES:
		case GROW_ONPREM: rc = grow_routes(sc, doc, dim, k, &sp, why, whylen); break;
		default: rc = -1; break;
		}
	}
	free(sp.r);
	if (rc != 0) {
		scenario_doc_destroy(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

int grow_print(const struct scenario *sc, enum grow_dim dim, uint64_t k, char **text, char *why,
	       size_t whylen)
{
	struct scenario_doc *doc = NULL;
	*text = NULL;
	int rc = grow_doc(sc, dim, k, &doc, why, whylen);
	if (rc != 0)
		return rc;
	*text = scenario_doc_print(doc);
	scenario_doc_destroy(doc);
	return *text ? 0 : -1;
}

bool grow_dim_parse(const char *name, enum grow_dim *out)
{
	for (unsigned d = 0; d < GROW_NDIM; d++)
		if (strcmp(name, grow_dim_name((enum grow_dim)d)) == 0) {
			*out = (enum grow_dim)d;
			return true;
		}
	return false;
}

struct scenario *grow_load(const struct scenario *sc, struct scenario_doc *doc, const char *file,
			   struct diag *d, bool *env_error)
{
	struct scenario_opts o = { .service_tags = sc->tags };
	return scenario_doc_load(doc, file, &o, d, env_error);
}
