/*
 * effective.c - one subnet's effective route table (RULES 1.2-1.4, 1.6;
 * RULES E3.5 is the pipeline this follows step by step).  The table's
 * layout is in effective_int.h, its next hops in nexthop.c.
 *
 * A table holds its own rows (system and User: a few dozen) and a pointer to
 * the routing domain's shared bgp_set, plus exceptions for the BGP entries
 * this subnet shows differently: HIDDEN (inside a VnetLocal or VNetPeering
 * prefix, RULES 1.6.3) or INVALID (a User row has the identical prefix).
 * Costs per subnet: O(r log r) for its r own rows and O(k log n) to find
 * exceptions among the n shared entries; never O(n).
 */
#include "effective.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "effective_int.h"
#include "lpm.h"
#include "vec.h"

/* A prefix as one integer in prefix_compare's order (address, then
 * length), compared inline: the update path and the walks compare many. */
static inline uint64_t prefix_key(struct prefix p)
{
	return (uint64_t)p.addr << 8 | p.len;
}

const char *route_source_name(enum route_source s)
{
	switch (s) {
	case SRC_DEFAULT: return "Default";
	case SRC_USER: return "User";
	case SRC_GATEWAY: return "VirtualNetworkGateway";
	}
	return "Unknown";
}

/* ---- building a table ------------------------------------------------- */

struct builder {
	struct eff_table *t;
	const struct eff_input *in;
	size_t cap;
	/* exceptions while building */
	uint32_t *exc_idx;
	uint8_t *exc_kind;
	size_t nexc, idx_cap, kind_cap;
	int failed;
};

static struct route_row *add_row(struct builder *b, enum route_source src, enum nh_type nh,
				 const struct prefix *pfx, size_t npfx)
{
	struct eff_table *t = b->t;
	struct prefix *copy = arena_alloc(t->arena, npfx * sizeof(*copy));
	struct route_row *r = copy ? VEC_PUSH(t->rows, t->nrows, b->cap) : NULL;
	if (!r) {
		b->failed = 1;
		return NULL;
	}
	memcpy(copy, pfx, npfx * sizeof(*copy));
	*r = (struct route_row){ .source = src, .active = true, .nh = nh, .prefixes = copy,
				 .nprefixes = npfx };
	return r;
}

static void add_exception(struct builder *b, size_t idx, uint8_t kind)
{
	for (size_t i = 0; i < b->nexc; i++) {
		if (b->exc_idx[i] == idx) {
			b->exc_kind[i] |= kind;
			return;
		}
	}
	if (VEC_RESERVE(b->exc_idx, b->idx_cap, b->nexc + 1) ||
	    VEC_RESERVE(b->exc_kind, b->kind_cap, b->nexc + 1)) {
		b->failed = 1;
		return;
	}
	b->exc_idx[b->nexc] = (uint32_t)idx;
	b->exc_kind[b->nexc] = kind;
	b->nexc++;
}


/* RULES 1.2.1-1.2.4: VnetLocal, 0/0 Internet, platform None (rewritten
 * against the address space), peering rows. */
static void add_system_rows(struct builder *b)
{
	const struct vnet *v = b->in->subnet->vnet;
	for (size_t i = 0; i < v->space.n; i++)
		add_row(b, SRC_DEFAULT, NH_VNET_LOCAL, &v->space.v[i], 1);
	for (size_t i = 0; i < v->npeerings; i++) {
		const struct peering *p = &v->peerings[i];
		if (!p->connected)
			continue;
		enum nh_type nh = p->global ? NH_VNET_GLOBAL_PEERING : NH_VNET_PEERING;
		for (size_t k = 0; k < p->remote->space.n; k++)
			add_row(b, SRC_DEFAULT, nh, &p->remote->space.v[k], 1);
	}
	struct prefix zero = { 0, 0 };
	add_row(b, SRC_DEFAULT, NH_INTERNET, &zero, 1);
	/* RULES 1.2.3 rewrite: a VNet prefix equal to N is already the VnetLocal
	 * row; one strictly containing N removes it; one inside N keeps both. */
	const struct prefix_list *none = b->in->none_set;
	for (size_t i = 0; none && i < none->n; i++) {
		bool drop = false;
		for (size_t k = 0; k < v->space.n && !drop; k++)
			drop = prefix_contains(v->space.v[k], none->v[i]);
		if (!drop)
			add_row(b, SRC_DEFAULT, NH_NONE, &none->v[i], 1);
	}
}

/* RULES 1.2.5: one row per enabled service, its tag's prefixes. */
static void add_service_endpoint_rows(struct builder *b)
{
	const struct subnet *s = b->in->subnet;
	for (size_t i = 0; i < s->nservices; i++) {
		const struct prefix_list *pl = &s->service_prefixes[i];
		if (pl->n > 0)
			add_row(b, SRC_DEFAULT, NH_SERVICE_ENDPOINT, pl->v, pl->n);
	}
}

static bool vnets_peered(const struct vnet *a, const struct vnet *b)
{
	for (size_t i = 0; i < a->npeerings; i++)
		if (a->peerings[i].connected && a->peerings[i].remote == b)
			return true;
	return false;
}

/* RULES 1.2.6: <ip>/32 InterfaceEndpoint in the endpoint's VNet and in
 * directly peered VNets.  O(private endpoints) per subnet. */
static void add_private_endpoint_rows(struct builder *b)
{
	const struct topology *topo = b->in->topo;
	const struct vnet *v = b->in->subnet->vnet;
	for (size_t i = 0; i < topo->npes; i++) {
		const struct private_endpoint *pe = &topo->pes[i];
		const struct vnet *pv = pe->subnet->vnet;
		if (pv != v && !vnets_peered(v, pv))
			continue;
		struct prefix p = { pe->ip, 32 };
		add_row(b, SRC_DEFAULT, NH_INTERFACE_ENDPOINT, &p, 1);
	}
}

/* The prefixes a VirtualAppliance next hop must lie in to be reachable
 * directly: the subnet's VnetLocal and VNetPeering prefixes (RULES 1.4). */
static bool appliance_reachable(const struct eff_table *t, size_t nsys, uint32_t ip)
{
	for (size_t i = 0; i < nsys; i++) {
		const struct route_row *r = &t->rows[i];
		if (eff_vnet_row(r) && prefix_contains_addr(r->prefixes[0], ip))
			return true;
	}
	return false;
}

/* RULES 1.4: the route table's routes, one row per prefix (service tags
 * expand), unreachable appliances shown as None. */
static void add_user_rows(struct builder *b)
{
	const struct route_table *rt = b->in->subnet->rt;
	if (!rt)
		return;
	struct eff_table *t = b->t;
	size_t nsys = t->nrows;
	const char *rt_name = arena_strdup(t->arena, rt->name);
	for (size_t i = 0; i < rt->nroutes; i++) {
		const struct udr *u = &rt->routes[i];
		enum nh_type shown = u->nh;
		if (u->nh == NH_VIRTUAL_APPLIANCE && !appliance_reachable(t, nsys, u->nh_ip))
			shown = NH_NONE;
		const char *name = arena_strdup(t->arena, u->name);
		for (size_t k = 0; k < u->prefixes.n; k++) {
			struct route_row *r = add_row(b, SRC_USER, shown, &u->prefixes.v[k], 1);
			if (!r)
				return;
			r->name = name;
			r->rt_name = rt_name;
			r->nh_ip = u->nh_ip;
			r->has_nh_ip = u->has_nh_ip;
			r->tag = u->tag;
		}
	}
}

static bool is_bgp_visible(const struct eff_table *t, size_t idx)
{
	return (eff_exception_of(t, idx) & EXC_HIDDEN) == 0;
}

/* RULES 1.6.3: BGP entries equal to or inside a VnetLocal/VNetPeering prefix
 * of the subnet are not listed.  Entries inside P are contiguous from
 * the first not below P in prefix order. */
static void mark_hidden(struct builder *b)
{
	const struct bgp_set *s = b->t->bgp;
	struct eff_table *t = b->t;
	size_t n = bgp_set_count(s);
	for (size_t i = 0; i < t->nsys; i++) {
		const struct route_row *r = &t->rows[i];
		if (!eff_vnet_row(r))
			continue;
		struct prefix p = r->prefixes[0];
		for (size_t k = bgp_set_seek(s, 0, p); k < n; k++) {
			if (!prefix_contains(p, *bgp_set_entry(s, k, NULL)))
				break;
			add_exception(b, k, EXC_HIDDEN);
		}
	}
}

static int u32_pair_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void sort_exceptions(struct builder *b)
{
	/* Usually none, or already in order (one VnetLocal row's entries):
	 * nothing to do.  An index has one exception at most. */
	bool sorted = true;
	for (size_t i = 1; i < b->nexc && sorted; i++)
		sorted = b->exc_idx[i - 1] < b->exc_idx[i];
	if (sorted)
		return;
	/* Pack (idx << 8 | kind) to sort both together. */
	uint32_t *tmp = malloc((b->nexc ? b->nexc : 1) * sizeof(uint32_t) * 2);
	if (!tmp) {
		b->failed = 1;
		return;
	}
	for (size_t i = 0; i < b->nexc; i++) {
		tmp[2 * i] = b->exc_idx[i];
		tmp[2 * i + 1] = b->exc_kind[i];
	}
	qsort(tmp, b->nexc, 2 * sizeof(uint32_t), u32_pair_cmp);
	for (size_t i = 0; i < b->nexc; i++) {
		b->exc_idx[i] = tmp[2 * i];
		b->exc_kind[i] = (uint8_t)tmp[2 * i + 1];
	}
	free(tmp);
}

/* RULES 1.6.2: a listed BGP entry with the prefix of a User row is Invalid. */
static void mark_user_invalid(struct builder *b)
{
	struct eff_table *t = b->t;
	for (size_t i = t->nsys; t->bgp && i < t->nrows; i++) {
		long e = bgp_set_find(t->bgp, t->rows[i].prefixes[0]);
		if (e >= 0 && is_bgp_visible(t, (size_t)e))
			add_exception(b, (size_t)e, EXC_INVALID);
	}
}

/* Sorts the builder's exceptions and makes them the table's. */
static void publish_exceptions(struct builder *b)
{
	sort_exceptions(b);
	b->t->exc_idx = b->exc_idx;
	b->t->exc_kind = b->exc_kind;
	b->t->nexc = b->nexc;
}

/* RULES 1.6.2: on an identical prefix User beats VirtualNetworkGateway beats
 * Default; losers are Invalid.  Service endpoint rows are never Invalid
 * (1.2.5); private endpoint /32s follow 1.6.6. */
static void resolve_states(struct builder *b)
{
	struct eff_table *t = b->t;
	for (size_t i = 0; i < t->nrows; i++) {
		struct route_row *r = &t->rows[i];
		if (r->nh == NH_SERVICE_ENDPOINT)
			continue;
		struct prefix p = r->prefixes[0];
		long e = t->bgp ? bgp_set_find(t->bgp, p) : -1;
		bool bgp_same = e >= 0 && is_bgp_visible(t, (size_t)e);
		if (r->source == SRC_USER) {
			/* RULES 1.4: among User rows of one prefix "an explicit
			 * CIDR route beats a regional tag route, which beats a
			 * global tag route" (enum tag_scope is in that order). */
			for (size_t k = t->nsys; k < t->nrows && r->active; k++) {
				const struct route_row *o = &t->rows[k];
				if (k != i && prefix_equal(o->prefixes[0], p) && o->tag < r->tag)
					r->active = false;
			}
			continue; /* BGP rows it makes Invalid: mark_user_invalid */
		}
		if (r->nh == NH_INTERFACE_ENDPOINT) {
			/* 1.6.6: Invalid only under a User row covering it at least
			 * as long as the PE VNet's address-space prefix, when the
			 * PE subnet enables route-table network policies. */
			const struct private_endpoint *pe = NULL;
			for (size_t k = 0; k < b->in->topo->npes && !pe; k++)
				if (b->in->topo->pes[k].ip == p.addr)
					pe = &b->in->topo->pes[k];
			if (!pe || (pe->subnet->pe_policy != PE_POLICY_ENABLED &&
				    pe->subnet->pe_policy != PE_POLICY_ROUTE_TABLE))
				continue;
			uint8_t space_len = 32;
			const struct vnet *pv = pe->subnet->vnet;
			for (size_t k = 0; k < pv->space.n; k++)
				if (prefix_contains_addr(pv->space.v[k], p.addr))
					space_len = pv->space.v[k].len;
			for (size_t k = t->nsys; k < t->nrows; k++) {
				const struct route_row *u = &t->rows[k];
				if (u->prefixes[0].len >= space_len &&
				    prefix_contains(u->prefixes[0], p))
					r->active = false;
			}
			continue;
		}
		bool user_same = false;
		for (size_t k = t->nsys; k < t->nrows && !user_same; k++)
			user_same = prefix_equal(t->rows[k].prefixes[0], p);
		if (user_same || bgp_same)
			r->active = false;
	}
}

/* RULES 1.6.4 and 1.6.5, the 0.0.0.0/0 side effects. */
static void apply_default_route_rules(struct builder *b)
{
	struct eff_table *t = b->t;
	struct prefix zero = { 0, 0 };
	long e = t->bgp ? bgp_set_find(t->bgp, zero) : -1;
	bool bgp_default = e >= 0 && is_bgp_visible(t, (size_t)e);
	const struct route_row *user_default = NULL;
	for (size_t k = t->nsys; k < t->nrows; k++)
		if (t->rows[k].active && t->rows[k].prefixes[0].len == 0)
			user_default = &t->rows[k];
	/* 1.6.5: the winning 0/0, by its displayed type. */
	enum nh_type winner = NH_INTERNET;
	if (user_default)
		winner = user_default->nh;
	else if (bgp_default)
		winner = NH_VNET_GATEWAY;
	bool drop_none = winner == NH_VIRTUAL_APPLIANCE || winner == NH_VNET_GATEWAY;
	size_t w = 0, nsys = t->nsys;
	for (size_t i = 0; i < t->nrows; i++) {
		struct route_row *r = &t->rows[i];
		bool drop = false;
		if (r->source == SRC_DEFAULT && r->nh == NH_INTERNET && r->prefixes[0].len == 0)
			drop = bgp_default;                      /* 1.6.4 */
		else if (r->source == SRC_DEFAULT && r->nh == NH_NONE)
			drop = drop_none;                        /* 1.6.5 */
		if (drop) {
			if (i < nsys)
				t->nsys--;
			continue;
		}
		t->rows[w++] = *r;
	}
	t->nrows = w;
	t->drop_default_internet = bgp_default;
}

/* Whether entry idx exists, is listed and has only Route Server rows. */
static bool only_rs(const struct eff_table *t, long idx)
{
	if (idx < 0 || !is_bgp_visible(t, (size_t)idx))
		return false;
	struct bgp_set_rows rows;
	bgp_set_entry(t->bgp, (size_t)idx, &rows);
	for (size_t k = 0; k < rows.n; k++)
		if (!rows.rs[k])
			return false;
	return true;
}

/* Whether dropping the Route Server's rows changes more than those rows:
 * they carry the only BGP 0/0 (1.6.4, 1.6.5) or the only BGP path of a
 * system row's prefix (1.6.2). */
static bool needs_no_rs_view(const struct eff_table *t)
{
	if (!t->bgp)
		return false;
	if (only_rs(t, bgp_set_find(t->bgp, (struct prefix){ 0, 0 })))
		return true;
	for (size_t i = 0; i < t->nsys; i++)
		if (only_rs(t, bgp_set_find(t->bgp, t->rows[i].prefixes[0])))
			return true;
	return false;
}

static int build_no_rs_view(struct eff_table *t, const struct eff_input *in)
{
	if (!needs_no_rs_view(t))
		return 0;
	bool failed = false;
	struct eff_input alt = *in;
	alt.bgp = bgp_set_without_rs(t->bgp, &failed);
	if (failed)
		return -1;
	t->no_rs = eff_compute(&alt);
	bgp_set_unref(alt.bgp);
	return t->no_rs ? 0 : -1;
}

/* Hands what the builder made to t->own, which frees it. */
static void adopt(struct eff_table *t)
{
	t->own->arena = t->arena;
	t->own->rows = t->rows;
	t->own->fib = t->fib;
	t->own->se_fib = t->se_fib;
}

/* RULES 1.7: which of several Active rows of the identical prefix
 * forwards, higher first: User, private endpoint /32, (gateway rows live
 * in the shared set), Default other than None, Default None.  A peered
 * VNet whose space equals a platform None prefix is reachable. */
enum { FIB_RANKS = 4 };
static int fib_rank(const struct route_row *r)
{
	if (r->source == SRC_USER)
		return 3;
	if (r->nh == NH_INTERFACE_ENDPOINT)
		return 2;
	return r->nh == NH_NONE ? 0 : 1;
}

static int build_fibs(struct eff_table *t)
{
	t->fib = lpm_create();
	t->se_fib = lpm_create();
	if (!t->fib || !t->se_fib)
		return -1;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct route_row *r = &t->rows[i];
		if (!r->active || r->nh != NH_SERVICE_ENDPOINT)
			continue;
		for (size_t k = 0; k < r->nprefixes; k++)
			if (lpm_insert(t->se_fib, r->prefixes[k], (uint32_t)i) != 0)
				return -1;
	}
	/* lpm_insert replaces the row of an equal prefix: insert the ranks
	 * lowest first, so the order of the rows never decides. */
	for (int rank = 0; rank < FIB_RANKS; rank++)
		for (size_t i = 0; i < t->nrows; i++) {
			const struct route_row *r = &t->rows[i];
			if (!r->active || r->nh == NH_SERVICE_ENDPOINT || fib_rank(r) != rank)
				continue;
			if (lpm_insert(t->fib, r->prefixes[0], (uint32_t)i) != 0)
				return -1;
		}
	return 0;
}

struct eff_table *eff_compute(const struct eff_input *in)
{
	/* Not aligned to a cache line: aligned_alloc costs more, for every
	 * table of every event, than the second line it saves some lookups. */
	struct eff_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fast = &t->fast_state;
	t->refs = 1;
	t->own = calloc(1, sizeof(*t->own));
	if (!t->own) {
		free(t);
		return NULL;
	}
	t->own->refs = 1;
	t->arena = arena_create();
	struct builder b = { .t = t, .in = in };
	/* Room for a usual table's rows at once (a spoke's are about 25):
	 * growing from 16 moves every table's rows once more, which leaves
	 * them scattered, and a BGP event reads the rows of every table of
	 * the domain (measured: 4% of an event's time at ref-4k). */
	if (!t->arena || VEC_RESERVE(t->rows, b.cap, 32) != 0)
		goto fail;
	const struct route_table *rt = in->subnet->rt;
	t->disable_bgp = rt && rt->disable_bgp;
	if (in->bgp && !t->disable_bgp)
		t->bgp = bgp_set_ref(in->bgp);

	add_system_rows(&b);
	add_service_endpoint_rows(&b);
	add_private_endpoint_rows(&b);
	t->nsys = t->nrows;
	add_user_rows(&b);
	if (b.failed)
		goto fail;
	if (t->bgp)
		mark_hidden(&b);
	/* Hidden marks must be visible to resolve_states: publish them. */
	publish_exceptions(&b);
	resolve_states(&b);
	mark_user_invalid(&b);
	publish_exceptions(&b);
	apply_default_route_rules(&b);
	if (b.failed || build_fibs(t) != 0)
		goto fail;
	adopt(t);
	if (in->no_rs_view && build_no_rs_view(t, in) != 0)
		goto fail;
	return t;
fail:
	t->exc_idx = b.exc_idx;
	t->exc_kind = b.exc_kind;
	adopt(t);
	eff_unref(t);
	return NULL;
}

/* Whether a change of BGP prefix p can change a table's own rows: p is
 * 0/0 (RULES 1.6.4, 1.6.5) or the prefix of one of its rows (1.6.2). */
static bool touches_own_rows(const struct eff_table *t, struct prefix p)
{
	if (p.len == 0)
		return true;
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].nh != NH_SERVICE_ENDPOINT && prefix_equal(t->rows[i].prefixes[0], p))
			return true;
	return false;
}

/* Whether p is in v[0..n), sorted by prefix_compare: O(log n). */
static bool in_sorted(const struct prefix *v, size_t n, struct prefix p)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (prefix_key(v[mid]) < prefix_key(p))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && prefix_equal(v[lo], p);
}

/* Whether any of changed[0..n) (sorted) touches t's own rows.  A table has
 * a few dozen rows and an advertisement up to thousands of prefixes: each
 * row is looked up in the list, O(rows log n), not the list scanned per
 * row. */
static bool any_touches_own_rows(const struct eff_table *t, const struct prefix *changed, size_t n)
{
	if (n <= 8) {
		for (size_t k = 0; k < n; k++)
			if (touches_own_rows(t, changed[k]))
				return true;
		return false;
	}
	if (changed[0].len == 0)
		return true; /* 0/0 sorts first */
	for (size_t i = 0; i < t->nrows; i++) {
		if (t->rows[i].nh == NH_SERVICE_ENDPOINT)
			continue;
		if (in_sorted(changed, n, t->rows[i].prefixes[0]))
			return true;
	}
	return false;
}

/* A table sharing old's own rows, with set bgp and no exceptions yet. */
static struct eff_table *share_rows(const struct eff_table *old, struct bgp_set *bgp)
{
	/* Not calloc: the assignment below zeroes the rest already
	 * (382 tables per BGP event at ref-4k). */
	struct eff_table *t = malloc(sizeof(*t));
	if (!t)
		return NULL;
	*t = (struct eff_table){ .refs = 1, .fast = &t->fast_state, .own = old->own, .arena = old->arena,
				 .rows = old->rows, .nrows = old->nrows, .nsys = old->nsys,
				 .disable_bgp = old->disable_bgp,
				 .drop_default_internet = old->drop_default_internet,
				 .fib = old->fib, .se_fib = old->se_fib };
	t->own->refs++;
	t->bgp = bgp_set_ref(bgp);
	return t;
}

/* old's rows with another BGP set: only the exceptions are computed. */
static struct eff_table *rebase(const struct eff_table *old, struct bgp_set *bgp)
{
	struct eff_table *t = share_rows(old, bgp);
	if (!t)
		return NULL;
	struct builder b = { .t = t };
	if (t->bgp)
		mark_hidden(&b);
	publish_exceptions(&b);
	mark_user_invalid(&b);
	publish_exceptions(&b);
	if (b.failed) {
		eff_unref(t);
		return NULL;
	}
	return t;
}

/* rebase, when bgp differs from old's set only in the changed prefixes
 * (sorted) and none of them is the prefix of one of old's rows (see
 * eff_update): an exception depends only on its entry's prefix and the
 * table's own rows, so old's exceptions of untouched entries carry over to
 * their new indices, and only the changed prefixes are checked against the
 * VnetLocal and peering rows (none can be Invalid: that needs a User row of
 * its prefix).  O((exceptions + changed) log n + changed x rows) instead of
 * every row's search, for up to REBASE_CHANGED_MAX changed prefixes. */
#define REBASE_CHANGED_MAX 16

static struct eff_table *rebase_changed(const struct eff_table *old, struct bgp_set *bgp,
					const struct prefix *changed, size_t n)
{
	if (!old->bgp || !bgp || n > REBASE_CHANGED_MAX)
		return rebase(old, bgp); /* a bulk update: searching per row is cheaper */
	struct eff_table *t = share_rows(old, bgp);
	if (!t)
		return NULL;
	struct builder b = { .t = t };
	for (size_t i = 0; i < old->nexc; i++) {
		struct prefix p = *bgp_set_entry(old->bgp, old->exc_idx[i], NULL);
		if (in_sorted(changed, n, p))
			continue;
		long e = bgp_set_find(bgp, p);
		if (e >= 0)
			add_exception(&b, (size_t)e, old->exc_kind[i]);
	}
	for (size_t k = 0; k < n; k++) {
		long e = bgp_set_find(bgp, changed[k]);
		for (size_t i = 0; e >= 0 && i < t->nsys; i++) {
			const struct route_row *r = &t->rows[i];
			if (eff_vnet_row(r) && prefix_contains(r->prefixes[0], changed[k])) {
				add_exception(&b, (size_t)e, EXC_HIDDEN);
				break;
			}
		}
	}
	publish_exceptions(&b);
	if (b.failed) {
		eff_unref(t);
		return NULL;
	}
	return t;
}

struct eff_table *eff_update(struct eff_table *old, const struct eff_input *in,
			     const struct prefix *changed, size_t n)
{
	if (any_touches_own_rows(old, changed, n))
		return eff_compute(in);
	struct eff_table *t = rebase_changed(old, old->disable_bgp ? NULL : in->bgp, changed, n);
	if (!t)
		return NULL;
	int rc = 0;
	if (old->no_rs) {
		/* The view has rows of its own (those 1.6.4 and 1.6.5 removed
		 * here): update it on its own terms. */
		bool failed = false;
		struct eff_input alt = *in;
		alt.bgp = bgp_set_without_rs(t->bgp, &failed);
		alt.no_rs_view = false;
		t->no_rs = failed ? NULL : eff_update(old->no_rs, &alt, changed, n);
		bgp_set_unref(alt.bgp);
		rc = t->no_rs ? 0 : -1;
	} else if (in->no_rs_view) {
		rc = build_no_rs_view(t, in);
	}
	if (rc != 0) {
		eff_unref(t);
		return NULL;
	}
	return t;
}

struct eff_table *eff_ref(struct eff_table *t)
{
	if (t)
		t->refs++;
	return t;
}

void eff_unref(struct eff_table *t)
{
	if (!t || --t->refs > 0)
		return;
	eff_unref(t->no_rs);
	if (t->own && --t->own->refs == 0) {
		lpm_destroy(t->own->fib);
		lpm_destroy(t->own->se_fib);
		free(t->own->flat);
		free(t->own->rows);
		arena_destroy(t->own->arena);
		free(t->own);
	}
	bgp_set_unref(t->bgp);
	free(t->exc_idx);
	free(t->exc_kind);
	free(t);
}

bool eff_disable_bgp(const struct eff_table *t) { return t->disable_bgp; }

bool eff_same_own_rows(const struct eff_table *a, const struct eff_table *b)
{
	return a && b && a->own == b->own;
}

/* Row k of a domain entry of prefix p, shown with exception kind exc. */
static struct route_row gateway_row(const struct prefix *p, const struct bgp_set_rows *rows,
				    size_t k, uint8_t exc)
{
	return (struct route_row){ .source = SRC_GATEWAY, .active = !(exc & EXC_INVALID),
				   .nh = NH_VNET_GATEWAY, .prefixes = p, .nprefixes = 1,
				   .nh_ip = rows->nh[k], .has_nh_ip = true,
				   .from_route_server = rows->rs[k] };
}

/* The rows a domain entry (prefix p, rows r) shows with exception kind exc
 * (none when hidden), one per first hop, written at out[n..max) and counted
 * from n. */
static size_t rows_of_entry(const struct prefix *p, const struct bgp_set_rows *r, uint8_t exc,
			    bool without_rs, struct route_row *out, size_t max, size_t n)
{
	if (exc & EXC_HIDDEN)
		return n;
	for (size_t k = 0; k < r->n; k++) {
		if (without_rs && r->rs[k])
			continue;
		if (n < max)
			out[n] = gateway_row(p, r, k, exc);
		n++;
	}
	return n;
}

/* The same, for entry e of s. */
static size_t entry_rows(const struct bgp_set *s, size_t e, uint8_t exc, bool without_rs,
			 struct route_row *out, size_t max, size_t n)
{
	struct bgp_set_rows rows;
	const struct prefix *p = bgp_set_entry(s, e, &rows);
	return rows_of_entry(p, &rows, exc, without_rs, out, max, n);
}

size_t eff_rows_with_prefix(const struct eff_table *t, struct prefix p, bool without_rs,
			    struct route_row *out, size_t max)
{
	if (without_rs && t->no_rs)
		return eff_rows_with_prefix(t->no_rs, p, false, out, max);
	size_t n = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct route_row *r = &t->rows[i];
		if (r->nh == NH_SERVICE_ENDPOINT || !prefix_equal(r->prefixes[0], p))
			continue;
		if (n < max)
			out[n] = *r;
		n++;
	}
	long e = t->bgp ? bgp_set_find(t->bgp, p) : -1;
	if (e < 0)
		return n;
	return entry_rows(t->bgp, (size_t)e, eff_exception_of(t, (size_t)e), without_rs, out, max, n);
}

bool eff_bgp_listed(const struct eff_table *t, struct prefix p)
{
	long e = t && t->bgp ? bgp_set_find(t->bgp, p) : -1;
	return e >= 0 && is_bgp_visible(t, (size_t)e);
}

/* ---- reading a table -------------------------------------------------- */

/* eff_row's phase 1: the next gateway row, entry by entry (hidden ones
 * skipped), false after the last. */
static bool next_gateway_row(const struct eff_table *t, bool without_rs, struct eff_iter *it,
			     struct route_row *row)
{
	for (;;) {
		if (!it->p) {
			if (it->i >= it->n)
				return false;
			it->p = bgp_set_entry(t->bgp, it->i, &it->rows);
			it->exc = eff_exception_of(t, it->i);
			it->j = it->exc & EXC_HIDDEN ? it->rows.n : 0;
		}
		while (it->j < it->rows.n) {
			size_t k = it->j++;
			if (without_rs && it->rows.rs[k])
				continue;
			*row = gateway_row(it->p, &it->rows, k, it->exc);
			return true;
		}
		it->p = NULL;
		it->i++;
	}
}

bool eff_row(const struct eff_table *t, bool without_rs, struct eff_iter *it, struct route_row *row)
{
	if (without_rs && t->no_rs)
		return eff_row(t->no_rs, false, it, row);
	if (it->phase == 0) {
		if (it->i < t->nsys) {
			*row = t->rows[it->i++];
			return true;
		}
		*it = (struct eff_iter){ .phase = 1, .n = bgp_set_count(t->bgp) };
	}
	if (it->phase == 1) {
		if (next_gateway_row(t, without_rs, it, row))
			return true;
		*it = (struct eff_iter){ .phase = 2, .i = t->nsys };
	}
	if (it->phase == 2 && it->i < t->nrows) {
		*row = t->rows[it->i++];
		return true;
	}
	it->phase = 3;
	return false;
}

size_t eff_row_count(const struct eff_table *t, bool without_rs)
{
	struct eff_iter it = { 0 };
	struct route_row r;
	size_t n = 0;
	while (eff_row(t, without_rs, &it, &r))
		n++;
	return n;
}

/* Equal strings, where NULL equals only NULL. */
static bool str_equal(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool row_equal(const struct route_row *a, const struct route_row *b)
{
	if (a->source != b->source || a->active != b->active || a->nh != b->nh ||
	    a->nprefixes != b->nprefixes || a->has_nh_ip != b->has_nh_ip ||
	    (a->has_nh_ip && a->nh_ip != b->nh_ip) || a->from_route_server != b->from_route_server)
		return false;
	if (a->tag != b->tag || !str_equal(a->name, b->name) || !str_equal(a->rt_name, b->rt_name))
		return false;
	for (size_t i = 0; i < a->nprefixes; i++)
		if (!prefix_equal(a->prefixes[i], b->prefixes[i]))
			return false;
	return true;
}

bool eff_equal(const struct eff_table *a, const struct eff_table *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->disable_bgp != b->disable_bgp || a->nrows != b->nrows ||
	    a->nsys != b->nsys)
		return false;
	for (size_t i = 0; i < a->nrows; i++)
		if (!row_equal(&a->rows[i], &b->rows[i]))
			return false;
	/* The views without Route Server rows follow from the same inputs. */
	if (a->nexc != b->nexc || !bgp_set_equal(a->bgp, b->bgp))
		return false;
	return a->nexc == 0 ||
	       (memcmp(a->exc_idx, b->exc_idx, a->nexc * sizeof(*a->exc_idx)) == 0 &&
		memcmp(a->exc_kind, b->exc_kind, a->nexc) == 0);
}


/* ---- Walking rows by increasing prefix -----------------------------------
 *
 * eff_rows_with_prefix for many prefixes in increasing order (a study's
 * impact evaluation asks about ~2,000 destinations in each of ~380 subnets
 * of a 4,000-VM network).  The own rows are sorted by prefix once per walk;
 * cursors into them, into the domain's entries (galloping forward) and into
 * the exceptions only move forward, so k prefixes cost
 * O(r log r + k log(n / k)) instead of O(k (r + log n)).
 */

/* An own row by prefix: sorting (prefix, row) keeps the rows of one prefix
 * in table order, as eff_rows_with_prefix lists them. */
struct eff_walk_own {
	uint64_t p;                    /* addr << 8 | len: prefix_compare's order */
	uint32_t row;                  /* index into the table's rows */
};

static int walk_own_cmp(const void *a, const void *b)
{
	const struct eff_walk_own *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

int eff_walk_start(struct eff_walk *w, const struct eff_table *t, bool without_rs)
{
	if (without_rs && t->no_rs) {
		t = t->no_rs;
		without_rs = false;
	}
	w->t = t;
	w->without_rs = without_rs;
	w->own_at = w->bgp_at = w->exc_at = 0;
	w->last = (struct prefix){ 0, 0 };
	w->nown = 0;
	if (VEC_RESERVE(w->own, w->owncap, t->nrows) != 0)
		return -1;
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].nh != NH_SERVICE_ENDPOINT)
			w->own[w->nown++] = (struct eff_walk_own){ prefix_key(t->rows[i].prefixes[0]),
								   (uint32_t)i };
	qsort(w->own, w->nown, sizeof(*w->own), walk_own_cmp);
	return 0;
}

size_t eff_walk_rows(struct eff_walk *w, struct prefix p, struct route_row *out, size_t max)
{
	const struct eff_table *t = w->t;
	if (prefix_key(p) < prefix_key(w->last)) /* not increasing: start over (exact, slower) */
		w->own_at = w->bgp_at = w->exc_at = 0;
	w->last = p;
	size_t n = 0;
	uint64_t pk = prefix_key(p);
	while (w->own_at < w->nown && w->own[w->own_at].p < pk)
		w->own_at++;
	for (size_t i = w->own_at; i < w->nown && w->own[i].p == pk; i++) {
		if (n < max)
			out[n] = t->rows[w->own[i].row];
		n++;
	}
	const struct bgp_set *s = t->bgp;
	if (!s)
		return n;
	w->bgp_at = bgp_set_seek(s, w->bgp_at, p);
	size_t e = w->bgp_at;
	if (e >= bgp_set_count(s))
		return n;
	struct bgp_set_rows rows;
	const struct prefix *ep = bgp_set_entry(s, e, &rows); /* one lookup for both */
	if (!prefix_equal(*ep, p))
		return n;
	while (w->exc_at < t->nexc && t->exc_idx[w->exc_at] < e)
		w->exc_at++;
	uint8_t exc = w->exc_at < t->nexc && t->exc_idx[w->exc_at] == e ? t->exc_kind[w->exc_at] : 0;
	return rows_of_entry(ep, &rows, exc, w->without_rs, out, max, n);
}

void eff_walk_fini(struct eff_walk *w)
{
	free(w->own);
	*w = (struct eff_walk){ 0 };
}

/* Appends p to *v (growing *cap); -1 out of memory, *v intact. */
static int push_prefix(struct prefix **v, size_t *n, size_t *cap, struct prefix p)
{
	struct prefix *slot = VEC_PUSH(*v, *n, *cap);
	if (!slot)
		return -1;
	*slot = p;
	return 0;
}

static void own_prefixes(const struct eff_table *t, struct prefix *v, size_t *n)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].nh != NH_SERVICE_ENDPOINT)
			v[(*n)++] = t->rows[i].prefixes[0];
}

const struct bgp_set *eff_table_set(const struct eff_table *t) { return t ? t->bgp : NULL; }

bool eff_scope_set_only(const struct eff_table *t, bool without_rs, const struct prefix *scope,
			size_t n, const struct bgp_set **set, bool *set_without_rs)
{
	if (without_rs && t->no_rs) { /* the table eff_walk_start walks */
		t = t->no_rs;
		without_rs = false;
	}
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].nh != NH_SERVICE_ENDPOINT && in_sorted(scope, n, t->rows[i].prefixes[0]))
			return false;
	for (size_t i = 0; i < t->nexc; i++)
		if (in_sorted(scope, n, *bgp_set_entry(t->bgp, t->exc_idx[i], NULL)))
			return false;
	*set = t->bgp;
	*set_without_rs = without_rs;
	return true;
}

int eff_special_prefixes(const struct eff_table *t, struct prefix **v, size_t *n, size_t *cap)
{
	if (!t)
		return 0;
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].nh != NH_SERVICE_ENDPOINT &&
		    push_prefix(v, n, cap, t->rows[i].prefixes[0]) != 0)
			return -1;
	for (size_t i = 0; i < t->nexc; i++)
		if (push_prefix(v, n, cap, *bgp_set_entry(t->bgp, t->exc_idx[i], NULL)) != 0)
			return -1;
	return 0;
}

/* Appends the prefixes of t's entries with an exception. */
static int exception_prefixes(const struct eff_table *t, struct prefix **v, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < t->nexc; i++)
		if (push_prefix(v, n, cap, *bgp_set_entry(t->bgp, t->exc_idx[i], NULL)) != 0)
			return -1;
	return 0;
}

int eff_diff_bound(const struct eff_table *a, const struct eff_table *b,
		   const struct prefix *sets_differ, size_t nsets_differ, struct prefix **out,
		   size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!a || !b || (a->bgp != b->bgp && !sets_differ))
		return 0;
	size_t n = 0, cap = a->nrows + b->nrows + 1;
	struct prefix *v = malloc(cap * sizeof(*v));
	if (!v)
		return -1;
	own_prefixes(a, v, &n);
	own_prefixes(b, v, &n);
	int rc = 0;
	if (a->bgp != b->bgp) {
		/* An entry both sets hold alike, without an exception in
		 * either table, gives both the same rows. */
		rc = exception_prefixes(a, &v, &n, &cap) != 0 || exception_prefixes(b, &v, &n, &cap) != 0
			     ? -1
			     : 0;
		for (size_t i = 0; rc == 0 && i < nsets_differ; i++)
			rc = push_prefix(&v, &n, &cap, sets_differ[i]);
	} else {
		/* The shared set's rows differ only where the exceptions do: a
		 * merge of the two sorted exception lists. */
		size_t i = 0, k = 0;
		while (rc == 0 && (i < a->nexc || k < b->nexc)) {
			uint32_t ia = i < a->nexc ? a->exc_idx[i] : UINT32_MAX;
			uint32_t ib = k < b->nexc ? b->exc_idx[k] : UINT32_MAX;
			uint32_t e = ia < ib ? ia : ib;
			uint8_t xa = ia == e ? a->exc_kind[i++] : 0, xb = ib == e ? b->exc_kind[k++] : 0;
			if (xa != xb)
				rc = push_prefix(&v, &n, &cap, *bgp_set_entry(a->bgp, e, NULL));
		}
	}
	if (rc != 0) {
		free(v);
		return -1;
	}
	*nout = prefix_sort_unique(v, n);
	*out = v;
	return 1;
}
