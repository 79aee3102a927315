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

#include "jsonin.h"
#include "prefix.h"

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
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct range *nr = realloc(s->r, nc * sizeof(*nr));
		if (!nr)
			return -1;
		s->r = nr;
		s->cap = nc;
	}
	s->r[s->n++] = (struct range){ p.addr, prefix_last(p) };
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

/* Prefixes in what an edit event adds or sets (a VNet's addressPrefixes, a
 * subnet's or a route's addressPrefix), at any depth. */
static int space_block_edit(struct space *s, const cJSON *v, int depth)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, v)
	{
		struct prefix p;
		bool key = it->string && (strcmp(it->string, "addressPrefix") == 0 ||
					  strcmp(it->string, "addressPrefixes") == 0);
		if (key && cJSON_IsString(it) && prefix_parse(it->valuestring, &p) == PREFIX_OK &&
		    space_block_route(s, p) != 0)
			return -1;
		const cJSON *list = key && cJSON_IsArray(it) ? it : NULL, *x;
		cJSON_ArrayForEach(x, list)
		{
			if (cJSON_IsString(x) && prefix_parse(x->valuestring, &p) == PREFIX_OK &&
			    space_block_route(s, p) != 0)
				return -1;
		}
		if (depth < 16 && (cJSON_IsObject(it) || cJSON_IsArray(it)) &&
		    space_block_edit(s, it, depth + 1) != 0)
			return -1;
	}
	return 0;
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
		if (sc->events[i].value && space_block_edit(s, sc->events[i].value, 0) != 0)
			return -1;
	}
	space_seal(s);
	return 0;
}

/* ---- JSON helpers ------------------------------------------------------------ */

static cJSON *member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Sets o.key to v, which it takes (deleted when this fails); false when v
 * is NULL or memory ran out. */
static bool put(cJSON *o, const char *key, cJSON *v)
{
	if (!v)
		return false;
	bool ok = member(o, key) ? cJSON_ReplaceItemInObjectCaseSensitive(o, key, v)
				 : cJSON_AddItemToObject(o, key, v);
	if (!ok)
		cJSON_Delete(v);
	return ok;
}

static bool put_str(cJSON *o, const char *key, const char *s)
{
	return put(o, key, cJSON_CreateString(s));
}

static bool put_prefix(cJSON *o, const char *key, struct prefix p)
{
	char buf[PREFIX_STRLEN];
	return put_str(o, key, prefix_format(p, buf));
}

/* The array o.key, created when absent; NULL out of memory. */
static cJSON *array_of(cJSON *o, const char *key)
{
	cJSON *a = member(o, key);
	if (cJSON_IsArray(a))
		return a;
	a = cJSON_CreateArray();
	return put(o, key, a) ? a : NULL;
}

static const char *ref_id(const cJSON *o, const char *key)
{
	const cJSON *id = member(member(o, key), "id");
	return cJSON_IsString(id) ? id->valuestring : NULL;
}

static bool set_ref(cJSON *o, const char *key, const char *id)
{
	cJSON *r = cJSON_CreateObject();
	if (!r || !cJSON_AddStringToObject(r, "id", id)) {
		cJSON_Delete(r);
		return false;
	}
	return put(o, key, r);
}

static cJSON *topo_array(cJSON *doc, const char *key)
{
	return array_of(member(doc, "topology"), key);
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

/* A string member holding a prefix or an address inside the template's
 * space is moved; anything else is left as it is (the loader judges it). */
static bool move_member(const struct moved *m, cJSON *o, const char *key, bool addr)
{
	cJSON *v = member(o, key);
	struct prefix p;
	if (!cJSON_IsString(v))
		return true;
	if (addr) {
		if (ipv4_parse(v->valuestring, &p.addr) != 0)
			return true;
		p.len = 32;
	} else if (prefix_parse(v->valuestring, &p) != PREFIX_OK) {
		return true;
	}
	struct prefix q;
	if (!move_prefix(m, p, &q))
		return true;
	char buf[PREFIX_STRLEN];
	if (addr)
		return put_str(o, key, ipv4_format(q.addr, buf));
	return put_prefix(o, key, q);
}

static bool move_array(const struct moved *m, cJSON *a)
{
	for (cJSON *it = cJSON_IsArray(a) ? a->child : NULL; it; it = it->next) {
		struct prefix p, q;
		char buf[PREFIX_STRLEN];
		if (cJSON_IsString(it) && prefix_parse(it->valuestring, &p) == PREFIX_OK &&
		    move_prefix(m, p, &q) && !cJSON_SetValuestring(it, prefix_format(q, buf)))
			return false;
	}
	return true;
}

static const cJSON *peering_to(const cJSON *vnet, const char *remote)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, member(vnet, "virtualNetworkPeerings"))
	{
		const char *id = ref_id(it, "remoteVirtualNetwork");
		if (id && strcmp(id, remote) == 0)
			return it;
	}
	return NULL;
}

/* "spoke1-to-hub" -> "spoke1-grow3-to-hub": the template's name replaced
 * where it occurs, else the copy's name appended. */
static bool renamed(cJSON *o, const char *key, const char *tmpl, const char *copy)
{
	const cJSON *v = member(o, key);
	const char *s = cJSON_IsString(v) ? v->valuestring : "";
	const char *at = strstr(s, tmpl);
	char buf[512];
	if (at)
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - s), s, copy, at + strlen(tmpl));
	else
		snprintf(buf, sizeof(buf), "%s-%s", s, copy);
	return put_str(o, key, buf);
}

static bool in_template(const cJSON *holder, const char *tmpl, size_t tl, const char **id)
{
	*id = ref_id(holder, "subnet");
	return *id && strncmp(*id, tmpl, tl) == 0 && (*id)[tl] == '/';
}

static uint64_t entry_count(const cJSON *nic)
{
	const cJSON *c = member(nic, "count");
	return cJSON_IsNumber(c) && c->valuedouble >= 1 ? (uint64_t)c->valuedouble : 1;
}

static bool fixed_address(const cJSON *ipc)
{
	return cJSON_IsString(member(ipc, "privateIPAddress"));
}

/* A NIC entry's count set to n (n >= 1), its name's '*' kept right:
 * needed when n > 1, not allowed when n == 1. */
static bool set_count(cJSON *c, uint64_t n)
{
	const cJSON *nm = member(c, "name");
	const char *name = cJSON_IsString(nm) ? nm->valuestring : "";
	const char *star = strchr(name, '*');
	char buf[512];
	if (n > 1 && !star)
		snprintf(buf, sizeof(buf), "%s-*", name);
	else if (n == 1 && star)
		snprintf(buf, sizeof(buf), "%.*s1%s", (int)(star - name), name, star + 1);
	else
		snprintf(buf, sizeof(buf), "%s", name);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "count");
	return put_str(c, "name", buf) && (n == 1 || put(c, "count", cJSON_CreateNumber((double)n)));
}

/* NIC or private endpoint entries in a subnet of the template, copied.
 * NICs: the copy holds vms of them (the domain's average spoke): fixed
 * addresses are copied as they are, the dynamic entries share the rest in
 * proportion to their counts (cumulative floors, so the shares add up). */
static bool copy_interfaces(cJSON *arr, size_t n0, bool nic, const char *tmpl, const char *copy,
			    const struct moved *m, uint64_t vms)
{
	size_t tl = strlen(tmpl), i = 0;
	const char *id;
	uint64_t fixed = 0, dyn = 0, before = 0;
	for (cJSON *it = arr ? arr->child : NULL; nic && it && i < n0; it = it->next, i++) {
		const cJSON *ipc = cJSON_GetArrayItem(member(it, "ipConfigurations"), 0);
		if (!in_template(ipc, tmpl, tl, &id))
			continue;
		if (fixed_address(ipc))
			fixed++;
		else
			dyn += entry_count(it);
	}
	uint64_t rest = vms > fixed ? vms - fixed : 0;
	i = 0;
	for (cJSON *it = arr ? arr->child : NULL; it && i < n0; it = it->next, i++) {
		cJSON *holder = nic ? cJSON_GetArrayItem(member(it, "ipConfigurations"), 0) : it;
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
		cJSON *c = cJSON_Duplicate(it, true);
		if (!c || !cJSON_AddItemToArray(arr, c)) {
			cJSON_Delete(c);
			return false;
		}
		char buf[512];
		const cJSON *name = member(c, "name");
		snprintf(buf, sizeof(buf), "%s-%s", copy, cJSON_IsString(name) ? name->valuestring : "");
		cJSON *ch = nic ? cJSON_GetArrayItem(member(c, "ipConfigurations"), 0) : c;
		char sid[512];
		snprintf(sid, sizeof(sid), "%s%s", copy, id + tl);
		if (!put_str(c, "name", buf) || !set_ref(ch, "subnet", sid) ||
		    !move_member(m, ch, "privateIPAddress", true) || (nic && !set_count(c, n)))
			return false;
	}
	return true;
}

/* One copy of tmpl (in hub's domain): the VNet, its peering pair, its
 * routes, its interfaces. */
static int copy_spoke(cJSON *doc, const struct vnet *hub, const struct vnet *tmpl, uint64_t step,
		      uint64_t vms, struct space *sp, const size_t *n0, char *why, size_t whylen)
{
	cJSON *vnets = topo_array(doc, "virtualNetworks");
	const cJSON *tj = jin_named(vnets, tmpl->name);
	cJSON *hj = jin_named(vnets, hub->name);
	const cJSON *to_hub = peering_to(tj, hub->name), *from_hub = peering_to(hj, tmpl->name);
	if (!tj || !hj || !to_hub || !from_hub) {
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
	cJSON *v = cJSON_Duplicate(tj, true);
	if (!v || !cJSON_AddItemToArray(vnets, v)) {
		cJSON_Delete(v);
		return -1;
	}
	if (!put_str(v, "name", copy) || !put(v, "addressSpace", cJSON_CreateObject()))
		return -1;
	cJSON *space = cJSON_CreateArray();
	if (!put(member(v, "addressSpace"), "addressPrefixes", space))
		return -1;
	for (size_t i = 0; i < m.n; i++) {
		char buf[PREFIX_STRLEN];
		if (!cJSON_AddItemToArray(space, cJSON_CreateString(prefix_format(to[i], buf))))
			return -1;
	}
	cJSON *s;
	cJSON_ArrayForEach(s, member(v, "subnets"))
	{
		if (!move_member(&m, s, "addressPrefix", false) ||
		    !move_array(&m, member(s, "addressPrefixes")))
			return -1;
	}
	/* The peering pair, nothing else (spoke-to-spoke peerings stay out). */
	cJSON *peers = cJSON_CreateArray();
	if (!put(v, "virtualNetworkPeerings", peers))
		return -1;
	cJSON *p = cJSON_Duplicate(to_hub, true);
	if (!p || !cJSON_AddItemToArray(peers, p)) {
		cJSON_Delete(p);
		return -1;
	}
	if (!renamed(p, "name", tmpl->name, copy))
		return -1;
	cJSON *hp = cJSON_Duplicate(from_hub, true);
	if (!hp || !cJSON_AddItemToArray(member(hj, "virtualNetworkPeerings"), hp)) {
		cJSON_Delete(hp);
		return -1;
	}
	if (!renamed(hp, "name", tmpl->name, copy) || !set_ref(hp, "remoteVirtualNetwork", copy))
		return -1;
	/* A route per spoke: routes to the template's space, moved. */
	size_t k = 0;
	cJSON *rt;
	cJSON_ArrayForEach(rt, topo_array(doc, "routeTables"))
	{
		cJSON *routes = member(rt, "routes");
		size_t nr = n0[3 + k++], i = 0;
		for (cJSON *r = cJSON_IsArray(routes) ? routes->child : NULL; r && i < nr;
		     r = r->next, i++) {
			const cJSON *pj = member(r, "addressPrefix");
			struct prefix pfx, q;
			if (!cJSON_IsString(pj) || prefix_parse(pj->valuestring, &pfx) != PREFIX_OK ||
			    !move_prefix(&m, pfx, &q))
				continue;
			cJSON *c = cJSON_Duplicate(r, true);
			if (!c || !cJSON_AddItemToArray(routes, c)) {
				cJSON_Delete(c);
				return -1;
			}
			char name[512];
			const cJSON *nm = member(c, "name");
			snprintf(name, sizeof(name), "%s-%s", cJSON_IsString(nm) ? nm->valuestring : "",
				 copy);
			if (!put_str(c, "name", name) || !put_prefix(c, "addressPrefix", q) ||
			    !move_member(&m, c, "nextHopIpAddress", true))
				return -1;
		}
	}
	if (!copy_interfaces(topo_array(doc, "networkInterfaces"), n0[0], true, tmpl->name, copy, &m,
			     vms) ||
	    !copy_interfaces(topo_array(doc, "privateEndpoints"), n0[1], false, tmpl->name, copy, &m,
			     0))
		return -1;
	return 0;
}

static int grow_spokes(const struct scenario *sc, cJSON *doc, uint64_t k, struct space *sp,
		       char *why, size_t whylen)
{
	const struct topology *t = sc->topo;
	/* Sizes of the arrays before any copy: copies are never copied. */
	size_t nrts = (size_t)cJSON_GetArraySize(topo_array(doc, "routeTables"));
	size_t *n0 = calloc(3 + nrts + 1, sizeof(*n0));
	if (!n0)
		return -1;
	n0[0] = (size_t)cJSON_GetArraySize(topo_array(doc, "networkInterfaces"));
	n0[1] = (size_t)cJSON_GetArraySize(topo_array(doc, "privateEndpoints"));
	size_t i = 0;
	const cJSON *rt;
	cJSON_ArrayForEach(rt, topo_array(doc, "routeTables"))
	{
		n0[3 + i++] = (size_t)cJSON_GetArraySize(member(rt, "routes"));
	}
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

static bool add_nics(cJSON *nics, const struct subnet *s, uint64_t n)
{
	char name[512];
	snprintf(name, sizeof(name), "grow-vm-%s%s", s->id, n > 1 ? "-*" : "");
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '-';
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(nics, o)) {
		cJSON_Delete(o);
		return false;
	}
	cJSON *ipcs = cJSON_CreateArray();
	if (!put(o, "ipConfigurations", ipcs))
		return false;
	cJSON *ipc = cJSON_CreateObject();
	if (!ipc || !cJSON_AddItemToArray(ipcs, ipc)) {
		cJSON_Delete(ipc);
		return false;
	}
	return put_str(o, "name", name) &&
	       (n == 1 || put(o, "count", cJSON_CreateNumber((double)n))) &&
	       set_ref(ipc, "subnet", s->id);
}

static int grow_vms(const struct scenario *sc, cJSON *doc, uint64_t k, char *why, size_t whylen)
{
	const struct topology *t = sc->topo;
	if (t->nrss == 0) {
		say(why, whylen, "no Route Server: no VM count to grow against");
		return GROW_CANNOT;
	}
	cJSON *nics = topo_array(doc, "networkInterfaces");
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
static int grow_prefixes(cJSON *doc, const char *const *ids, const uint32_t *asns, size_t np,
			 uint64_t k, struct space *sp, char *why, size_t whylen)
{
	cJSON *events = array_of(doc, "events");
	cJSON **lists = calloc(np + 1, sizeof(*lists));
	if (!events || !lists) {
		free(lists);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < np && rc == 0; i++) {
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(events, e)) {
			cJSON_Delete(e);
			rc = -1;
			break;
		}
		lists[i] = cJSON_CreateArray();
		if (!put(e, "prefixes", lists[i]) || !put(e, "at", cJSON_CreateNumber(0)) ||
		    !put_str(e, "op", "advertise") || !put_str(e, "from", ids[i]))
			rc = -1;
		cJSON *path = rc == 0 && asns[i] ? cJSON_CreateArray() : NULL;
		if (rc == 0 && asns[i] &&
		    (!put(e, "asPath", path) ||
		     !cJSON_AddItemToArray(path, cJSON_CreateNumber((double)asns[i]))))
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
			} else if (!cJSON_AddItemToArray(lists[i],
							 cJSON_CreateString(prefix_format(p, buf)))) {
				rc = -1;
			}
		}
	free(lists);
	return rc;
}

static int grow_routes(const struct scenario *sc, cJSON *doc, enum grow_dim dim, uint64_t k,
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

int grow_doc(const struct scenario *sc, enum grow_dim dim, uint64_t k, cJSON **out, char *why,
	     size_t whylen)
{
	*out = NULL;
	why[0] = '\0';
	cJSON *doc = cJSON_Duplicate(sc->doc, true);
	struct space sp = { 0 };
	if (!doc || space_init(&sp, sc) != 0) {
		cJSON_Delete(doc);
		free(sp.r);
		return -1;
	}
	int rc = 0;
	char desc[160];
	snprintf(desc, sizeof(desc), "grown by vnetsim: %llu step%s of %s", (unsigned long long)k,
		 k == 1 ? "" : "s", grow_dim_name(dim));
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "expectations");
	if (!put_str(doc, "description", desc))
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
		cJSON_Delete(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

int grow_print(const struct scenario *sc, enum grow_dim dim, uint64_t k, char **text, char *why,
	       size_t whylen)
{
	cJSON *doc = NULL;
	*text = NULL;
	int rc = grow_doc(sc, dim, k, &doc, why, whylen);
	if (rc != 0)
		return rc;
	*text = cJSON_Print(doc);
	cJSON_Delete(doc);
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

struct scenario *grow_load(const struct scenario *sc, cJSON *doc, const char *file,
			   struct diag *d, bool *env_error)
{
	struct scenario_opts o = { .service_tags = sc->tags };
	return scenario_load_doc(file, doc, &o, d, env_error);
}
