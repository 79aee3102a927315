/*
 * topo_nics.c - networkInterfaces, privateEndpoints and their addresses.
 * See topo_nics.h.
 */
#include "topo_nics.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonin.h"
#include "strmap.h"
#include "topo_load.h"
#include "vec.h"

struct addr_set {                      /* a subnet's taken addresses */
	uint32_t *v;                   /* sorted once every one is known */
	size_t n, cap;
};

struct nic_src {                       /* one networkInterfaces or privateEndpoints element */
	const char *name;              /* NIC: the template; NULL when invalid */
	struct subnet *subnet;
	uint64_t count;                /* interfaces it stands for (1 for an endpoint) */
	bool has_ip;                   /* a static address */
	uint32_t ip;
	bool forwarding;
	size_t first;                  /* its first interface in nic_load.names and .kept */
};

struct alloc_cursor {                  /* where a subnet's dynamic allocation stands */
	size_t prefix;                 /* current prefix of the subnet */
	uint32_t next;                 /* next candidate address */
	size_t used_pos;               /* position in the sorted taken list */
	bool started, full;
};

struct nic_load {
	struct topo_reader *r;
	struct addr_set *used;         /* per subnet (s->index) */
	struct nic_src *src, *psrc;    /* per element of networkInterfaces, privateEndpoints */
	size_t nn, np;
	void **nmade, **pmade;         /* topo_read_run's, for the placing passes */
	uint64_t total;                /* NICs with templates expanded */
	const char **names;            /* per interface: the NICs, then the endpoints */
	uint32_t *kept;                /* per interface: address kept from before an edit, or 0 */
	struct alloc_cursor *cur;      /* per subnet */
};

/* ---- addresses ------------------------------------------------------------------ */

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

struct reservation {                   /* a static address to reserve */
	struct nic_load *nl;
	struct subnet *s;
	uint32_t ip;
	const char *what;              /* the interface, for the message */
};

/* A visitor, the path at privateIPAddress. */
static bool reserve(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	struct reservation *rv = ctx;
	struct addr_set *u = &rv->nl->used[rv->s->index];
	char buf[IPV4_STRLEN];
	(void)v;
	(void)i;
	if (!subnet_usable_ip(rv->s, rv->ip)) {
		jin_error(j, "%s is not a usable address of subnet \"%s\" (Azure reserves the first "
			     "four and the last address)",
			  ipv4_format(rv->ip, buf), rv->s->id);
		return false;
	}
	for (size_t k = 0; k < u->n; k++) /* static addresses are few; O(n^2) is fine */
		if (u->v[k] == rv->ip) {
			jin_error(j, "%s is already used in subnet \"%s\" (%s)", ipv4_format(rv->ip, buf),
				  rv->s->id, rv->what);
			return false;
		}
	uint32_t *slot = VEC_PUSH(u->v, u->n, u->cap);
	if (!slot) {
		jin_error(j, "out of memory");
		return false;
	}
	*slot = rv->ip;
	return true;
}

/* Index of the first element of the sorted array v[0..n) that is >= key. */
static size_t lower_bound_u32(const uint32_t *v, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Next free dynamic address of s, from .4 upward, skipping taken ones. */
static bool allocate(const struct addr_set *used, const struct subnet *s, struct alloc_cursor *c,
		     uint32_t *out)
{
	const uint32_t *u = used->v;
	size_t nu = used->n;
	while (!c->full && c->prefix < s->prefixes.n) {
		struct prefix p = s->prefixes.v[c->prefix];
		if (!c->started) {
			/* Prefixes need not be in address order: find the
			 * first taken address at or above this prefix's .4. */
			c->next = p.addr + 4;
			c->used_pos = lower_bound_u32(u, nu, c->next);
			c->started = true;
		}
		if (p.len >= 31 || c->next >= prefix_last(p)) {
			c->prefix++;
			c->started = false;
			continue;
		}
		uint32_t ip = c->next++;
		while (c->used_pos < nu && u[c->used_pos] < ip)
			c->used_pos++;
		if (c->used_pos < nu && u[c->used_pos] == ip)
			continue;
		*out = ip;
		return true;
	}
	c->full = true;
	return false;
}

/* ---- network interfaces --------------------------------------------------------- */

struct in_nic {                        /* a NIC element being read */
	struct nic_load *nl;
	struct nic_src *ns;
};

static bool warn_secondary(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	(void)v;
	(void)i;
	(void)ctx;
	jin_warn(j, "only the primary (first) IP configuration is modelled");
	return true;
}

/* ipConfigurations[0]: the subnet and the static address, if any. */
static bool read_primary(struct jin *j, const cJSON *ipc, size_t i, void *ctx)
{
	static const char *const known[] = { "name", "subnet", "privateIPAddress",
					     "privateIPAllocationMethod", "primary", NULL };
	struct in_nic *c = ctx;
	struct nic_src *ns = c->ns;
	(void)i;
	if (!cJSON_IsObject(ipc)) {
		jin_error(j, "expected an IP configuration object");
		return true;
	}
	topo_read_known(j, ipc, known);
	ns->subnet = topo_read_subnet_ref(c->nl->r, ipc, "subnet");
	const cJSON *ipv = cJSON_GetObjectItemCaseSensitive(ipc, "privateIPAddress");
	if (ipv && !cJSON_IsNull(ipv)) {
		ns->has_ip = jin_ipv4(j, ipc, "privateIPAddress", true, &ns->ip);
		if (ns->has_ip && ns->count > 1) {
			jin_error_at(j, "privateIPAddress",
				     "a NIC template with count > 1 cannot have a fixed address");
			ns->has_ip = false;
		}
	}
	if (ns->subnet && (strcmp(ns->subnet->name, "GatewaySubnet") == 0 ||
			   strcmp(ns->subnet->name, "RouteServerSubnet") == 0)) {
		jin_error_at(j, "subnet", "no virtual machine NIC may be placed in %s",
			     ns->subnet->name);
		ns->subnet = NULL;
	}
	if (ns->has_ip && ns->subnet)
		jin_in(j, "privateIPAddress", NULL, reserve,
		       &(struct reservation){ c->nl, ns->subnet, ns->ip, ns->name ? ns->name : "a NIC" });
	return true;
}

/* ipConfigurations (the path at it): only the first is modelled. */
static bool read_ip_configurations(struct jin *j, const cJSON *ipcs, size_t i, void *ctx)
{
	(void)i;
	if (cJSON_GetArraySize(ipcs) == 0)
		jin_error(j, "a NIC needs one IP configuration");
	if (cJSON_GetArraySize(ipcs) > 1)
		jin_in_elem(j, NULL, 1, NULL, warn_secondary, NULL);
	if (ipcs->child)
		jin_in_elem(j, NULL, 0, ipcs->child, read_primary, ctx);
	return true;
}

/* RULES 2.1: a template (count > 1) has exactly one '*', a single NIC none. */
static void check_template_name(struct jin *j, struct nic_src *ns)
{
	if (!ns->name)
		return;
	const char *star = strchr(ns->name, '*');
	if (ns->count > 1 && (!star || strchr(star + 1, '*'))) {
		jin_error_at(j, "name", "a NIC with count > 1 needs exactly one '*' in its name, "
					"replaced by the index");
		ns->name = NULL;
	} else if (ns->count == 1 && star) {
		jin_error_at(j, "name", "'*' in a NIC name needs \"count\" > 1");
		ns->name = NULL;
	}
}

static void *read_nic(struct topo_reader *r, struct topo_run *run, const cJSON *it)
{
	struct jin *j = r->j;
	struct nic_load *nl = run->parent;
	struct in_nic c = { nl, &nl->src[run->i] };
	struct nic_src *ns = c.ns;
	ns->count = 1;
	if (jin_name(j, it, "name", true, &ns->name))
		ns->name = topo_read_key(r, run, it, ns->name);
	jin_uint(j, it, "count", false, 1, r->opts->max_nics, &ns->count);
	if (ns->count > 1 && cJSON_GetObjectItemCaseSensitive(it, "id"))
		jin_error_at(j, "id", "a NIC template with count > 1 has no single ID");
	jin_bool(j, it, "enableIPForwarding", false, &ns->forwarding);
	check_template_name(j, ns);
	nl->total += ns->count;
	const cJSON *ipcs;
	if (jin_array(j, it, "ipConfigurations", true, &ipcs))
		jin_in(j, "ipConfigurations", ipcs, read_ip_configurations, &c);
	return ns;
}

static const char *const NIC_KEYS[] = { "name", "id", "count", "enableIPForwarding",
					"ipConfigurations", "location", "tags",
					"enableAcceleratedNetworking", NULL };

const struct topo_coll TOPO_NICS = {
	.key = "networkInterfaces", .expected = "a network interface object", .known = NIC_KEYS,
	.arm_type = ARM_NIC, .scoped = true, .item = read_nic,
};

/* ---- private endpoints ---------------------------------------------------------- */

static void *read_pe(struct topo_reader *r, struct topo_run *run, const cJSON *it)
{
	struct jin *j = r->j;
	struct nic_load *nl = run->parent;
	struct nic_src *ps = &nl->psrc[run->i];
	ps->count = 1;
	if (jin_name(j, it, "name", true, &ps->name)) {
		ps->name = topo_read_key(r, run, it, ps->name);
		topo_read_name(r, run, ps->name, NULL);
	}
	ps->subnet = topo_read_subnet_ref(r, it, "subnet");
	const cJSON *ipv = cJSON_GetObjectItemCaseSensitive(it, "privateIPAddress");
	if (ipv && !cJSON_IsNull(ipv))
		ps->has_ip = jin_ipv4(j, it, "privateIPAddress", true, &ps->ip);
	if (ps->has_ip && ps->subnet)
		jin_in(j, "privateIPAddress", NULL, reserve,
		       &(struct reservation){ nl, ps->subnet, ps->ip,
					      ps->name ? ps->name : "a private endpoint" });
	return ps;
}

static const char *const PE_KEYS[] = { "name", "id", "subnet", "privateIPAddress",
				       "privateLinkServiceConnections", "location", NULL };

const struct topo_coll TOPO_PES = {
	.key = "privateEndpoints", .expected = "a private endpoint object", .known = PE_KEYS,
	.what = "private endpoint", .arm_type = ARM_PE, .scoped = true, .item = read_pe,
};

/* ---- names and kept addresses ----------------------------------------------------- */

/* tmpl with '*' replaced by i+1, zero-padded to the width of count
 * ("web-*", 12 -> "web-01" .. "web-12").  Formatted by hand: a template of
 * thousands of NICs made printf the load's hot spot. */
static const char *expand_name(struct topo_reader *r, const char *tmpl, uint64_t i, uint64_t count)
{
	if (count == 1)
		return topo_read_dup(r, tmpl);
	char digits[24];
	int width = 0;
	for (uint64_t c = count; c > 0; c /= 10)
		width++;
	uint64_t v = i + 1;
	for (int d = width - 1; d >= 0; d--, v /= 10)
		digits[d] = (char)('0' + v % 10);
	const char *star = strchr(tmpl, '*');
	size_t head = (size_t)(star - tmpl), tail = strlen(star + 1);
	char *out = arena_alloc(r->a, head + (size_t)width + tail + 1);
	if (!out)
		return NULL;
	memcpy(out, tmpl, head);
	memcpy(out + head, digits, (size_t)width);
	memcpy(out + head + (size_t)width, star + 1, tail + 1);
	return out;
}

/* The address `name` had in the previous topology, if it keeps it: same
 * subnet, dynamic now, and still usable there.  0 otherwise.  pos is the
 * NIC's position: after most edits the NIC there had the same name, which
 * spares the lookup. */
static uint32_t previous_address(const struct topo_reader *r, const struct nic_src *ns,
				 const char *name, size_t pos, bool pe)
{
	const struct topology *prev = r->opts->prev;
	if (!prev || ns->has_ip || !ns->subnet)
		return 0;
	const struct subnet *was = NULL;
	uint32_t ip = 0;
	if (!pe) {
		const struct nic *n = pos < prev->nnics && strcmp(prev->nics[pos].name, name) == 0
					      ? &prev->nics[pos]
					      : topology_nic(prev, name);
		if (n) {
			was = n->subnet;
			ip = n->ip;
		}
	} else {
		for (size_t k = 0; k < prev->npes && !was; k++)
			if (strcmp(prev->pes[k].name, name) == 0) {
				was = prev->pes[k].subnet;
				ip = prev->pes[k].ip;
			}
	}
	if (!was || strcmp(was->id, ns->subnet->id) != 0 || !subnet_usable_ip(ns->subnet, ip))
		return 0;
	return ip;
}

/* Adds the kept addresses to the subnets' taken sets (which must then be
 * sorted).  A kept address equal to a static one means an edit gave an
 * interface the address another one holds: check_used_unique says so. */
static bool reserve_kept(struct nic_load *nl, const struct subnet *const *sub, size_t n)
{
	size_t ns = nl->r->t->nsubnets;
	size_t *add = calloc(ns ? ns : 1, sizeof(*add));
	if (!add)
		return false;
	for (size_t k = 0; k < n; k++)
		if (nl->kept[k])
			add[sub[k]->index]++;
	bool ok = true;
	for (size_t s = 0; s < ns && ok; s++)
		ok = VEC_RESERVE(nl->used[s].v, nl->used[s].cap, nl->used[s].n + add[s]) == 0;
	for (size_t k = 0; k < n && ok; k++)
		if (nl->kept[k]) {
			struct addr_set *u = &nl->used[sub[k]->index];
			u->v[u->n++] = nl->kept[k];
		}
	free(add);
	return ok;
}

/* Every interface's name, and the address it keeps from before an edit;
 * false when out of memory. */
static bool expand_names(struct nic_load *nl)
{
	struct topo_reader *r = nl->r;
	size_t nall = (size_t)nl->total + nl->np;
	const struct subnet **ksub = calloc(nall ? nall : 1, sizeof(*ksub));
	nl->names = calloc(nall ? nall : 1, sizeof(*nl->names));
	nl->kept = calloc(nall ? nall : 1, sizeof(*nl->kept));
	bool ok = ksub && nl->names && nl->kept;
	size_t pos = 0;
	for (size_t i = 0; i < nl->nn && ok; i++) {
		struct nic_src *ns = &nl->src[i];
		ns->first = pos;
		for (uint64_t k = 0; k < ns->count && ok; k++, pos++) {
			nl->names[pos] = expand_name(r, ns->name, k, ns->count);
			ok = nl->names[pos] != NULL;
			nl->kept[pos] = ok ? previous_address(r, ns, nl->names[pos], pos, false) : 0;
			ksub[pos] = ns->subnet;
		}
	}
	for (size_t i = 0; i < nl->np && ok; i++, pos++) {
		struct nic_src *ps = &nl->psrc[i];
		ps->first = pos;
		nl->names[pos] = ps->name;
		nl->kept[pos] = previous_address(r, ps, ps->name, pos, true);
		ksub[pos] = ps->subnet;
	}
	ok = ok && reserve_kept(nl, ksub, nall);
	free(ksub);
	return ok;
}

/* After sorting (the path at networkInterfaces): an address taken twice
 * in a subnet. */
static bool check_used_unique(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	struct nic_load *nl = ctx;
	const struct topology *t = nl->r->t;
	(void)v;
	(void)i;
	for (size_t s = 0; s < t->nsubnets; s++) {
		const struct addr_set *u = &nl->used[s];
		for (size_t k = 1; k < u->n; k++) {
			if (u->v[k] != u->v[k - 1])
				continue;
			char buf[IPV4_STRLEN];
			jin_error(j, "%s is already used in subnet \"%s\": an edit gave it to one "
				     "interface while another keeps it as its dynamic address",
				  ipv4_format(u->v[k], buf), t->subnets[s]->id);
			break;
		}
	}
	return true;
}

/* ---- placing the interfaces ------------------------------------------------------- */

/* An element's "name" as the JSON has it (not its key). */
static const char *json_name(const cJSON *o)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
	return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* The NICs of one networkInterfaces element (a topo_revisit_fn). */
static void place_nics(struct topo_reader *r, const cJSON *o, void *made, void *ctx)
{
	struct nic_load *nl = ctx;
	const struct nic_src *ns = made;
	struct topology *t = r->t;
	for (uint64_t k = 0; k < ns->count; k++) {
		struct nic *n = &t->nics[t->nnics];
		size_t at = ns->first + k;
		n->name = nl->names[at];
		n->subnet = ns->subnet;
		n->ip_forwarding = ns->forwarding;
		n->order = t->nnics;
		n->ip = nl->kept[at] ? nl->kept[at] : ns->ip;
		if (!ns->has_ip && !nl->kept[at] &&
		    !allocate(&nl->used[ns->subnet->index], ns->subnet, &nl->cur[ns->subnet->index],
			      &n->ip)) {
			jin_error(r->j, "subnet \"%s\" is full: no free address for NIC \"%s\"",
				  ns->subnet->id, n->name);
			return;
		}
		int rc = strmap_put(t->by_nic, n->name, n);
		if (rc <= 0) {
			jin_error(r->j, rc == 0 ? "duplicate NIC name \"%s\"" : "out of memory (NIC \"%s\")",
				  n->name);
			return;
		}
		if (ns->count == 1)
			topo_read_arm(r, o, ARM_NIC, NULL, json_name(o), &n->arm, n);
		t->nnics++;
	}
}

/* One private endpoint (a topo_revisit_fn). */
static void place_pe(struct topo_reader *r, const cJSON *o, void *made, void *ctx)
{
	struct nic_load *nl = ctx;
	const struct nic_src *ps = made;
	struct topology *t = r->t;
	struct private_endpoint *pe = &t->pes[t->npes];
	pe->name = topo_read_dup(r, ps->name);
	pe->subnet = ps->subnet;
	topo_read_arm(r, o, ARM_PE, NULL, json_name(o), &pe->arm, pe);
	pe->ip = nl->kept[ps->first] ? nl->kept[ps->first] : ps->ip;
	if (!ps->has_ip && !nl->kept[ps->first] &&
	    !allocate(&nl->used[ps->subnet->index], ps->subnet, &nl->cur[ps->subnet->index],
		      &pe->ip)) {
		jin_error(r->j, "subnet \"%s\" is full: no free address for private endpoint \"%s\"",
			  ps->subnet->id, pe->name);
		return;
	}
	t->npes++;
}

/* t->subnet_nics: the NICs grouped by subnet, a counting sort that keeps
 * file order. */
static void group_by_subnet(struct topo_reader *r)
{
	struct topology *t = r->t;
	t->subnet_nics = arena_calloc(r->a, t->nnics ? t->nnics : 1, sizeof(struct nic *));
	if (!t->subnet_nics) {
		jin_error(r->j, "out of memory");
		return;
	}
	for (size_t k = 0; k < t->nnics; k++)
		t->nics[k].subnet->nic_count++;
	size_t pos = 0;
	for (size_t s = 0; s < t->nsubnets; s++) {
		t->subnets[s]->nic_first = pos;
		pos += t->subnets[s]->nic_count;
		t->subnets[s]->nic_count = 0;
	}
	for (size_t k = 0; k < t->nnics; k++) {
		struct subnet *s = t->nics[k].subnet;
		t->subnet_nics[s->nic_first + s->nic_count++] = &t->nics[k];
	}
}

/* The addresses other resources hold (load balancer frontends, r->taken)
 * join the subnets' taken sets, which stay sorted: dynamic addresses skip
 * them.  A static address equal to one is the other resource's error
 * (topo_lbs says so).  false when out of memory. */
static bool take_others(struct nic_load *nl)
{
	const struct topo_reader *r = nl->r;
	for (size_t k = 0; k < r->ntaken; k++) {
		struct addr_set *u = &nl->used[r->taken[k].subnet->index];
		uint32_t *slot = VEC_PUSH(u->v, u->n, u->cap);
		if (!slot)
			return false;
		*slot = r->taken[k].ip;
		qsort(u->v, u->n, sizeof(uint32_t), u32_cmp);
	}
	return true;
}

/* Dynamic addresses, in file order: NICs, then private endpoints. */
static void assign_addresses(struct nic_load *nl, const cJSON *nics, const cJSON *pes)
{
	struct topo_reader *r = nl->r;
	struct topology *t = r->t;
	t->nics = arena_calloc(r->a, nl->total ? (size_t)nl->total : 1, sizeof(*t->nics));
	nl->cur = calloc(t->nsubnets ? t->nsubnets : 1, sizeof(*nl->cur));
	if (!t->nics || !nl->cur || !expand_names(nl)) {
		jin_error(r->j, "out of memory expanding %llu NICs", (unsigned long long)nl->total);
		return;
	}
	for (size_t s = 0; s < t->nsubnets; s++)
		if (nl->used[s].n > 1)
			qsort(nl->used[s].v, nl->used[s].n, sizeof(uint32_t), u32_cmp);
	if (r->opts->prev) {
		size_t errors = jin_errors(r->j);
		jin_in(r->j, "networkInterfaces", NULL, check_used_unique, nl);
		if (jin_errors(r->j) > errors)
			return;
	}
	if (!take_others(nl)) {
		jin_error(r->j, "out of memory");
		return;
	}
	topo_read_revisit(r, &TOPO_NICS, nics, nl->nmade, place_nics, nl);
	topo_read_revisit(r, &TOPO_PES, pes, nl->pmade, place_pe, nl);
	group_by_subnet(r);
}

/* Both arrays read; then the addresses when the NICs are within the cap
 * and no error was reported. */
static void load_interfaces(struct nic_load *nl, const cJSON *nics, const cJSON *pes)
{
	struct topo_reader *r = nl->r;
	topo_read_run(r, &TOPO_NICS, nics, nl, &nl->nmade);
	if (nl->total > r->opts->max_nics) {
		jin_error_at(r->j, "networkInterfaces", "%llu NICs in all: more than the limit of %zu",
			     (unsigned long long)nl->total, r->opts->max_nics);
		return;
	}
	topo_read_run(r, &TOPO_PES, pes, nl, &nl->pmade);
	/* Errors the scenario reported before the topology (a bad setting)
	 * must not leave the NICs out: expectations naming them would all
	 * be reported as dangling. */
	if (jin_errors(r->j) == r->errors0)
		assign_addresses(nl, nics, pes);
}

void topo_nics_load(struct topo_reader *r, const cJSON *nics, const cJSON *pes)
{
	size_t ns = r->t->nsubnets;
	struct nic_load nl = { .r = r, .nn = (size_t)cJSON_GetArraySize(nics),
			       .np = (size_t)cJSON_GetArraySize(pes) };
	nl.used = calloc(ns ? ns : 1, sizeof(*nl.used));
	nl.src = calloc(nl.nn ? nl.nn : 1, sizeof(*nl.src));
	nl.psrc = calloc(nl.np ? nl.np : 1, sizeof(*nl.psrc));
	r->t->pes = arena_calloc(r->a, nl.np ? nl.np : 1, sizeof(*r->t->pes));
	if (nl.used && nl.src && nl.psrc && r->t->pes)
		load_interfaces(&nl, nics, pes);
	else
		jin_error(r->j, "out of memory");
	for (size_t s = 0; nl.used && s < ns; s++)
		free(nl.used[s].v);
	free(nl.used);
	free(nl.src);
	free(nl.psrc);
	free(nl.names);
	free(nl.kept);
	free(nl.cur);
	free(nl.nmade);
	free(nl.pmade);
}
