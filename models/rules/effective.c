/*
 * effective.c - one subnet's effective route table (SPEC 1.2-1.4, 1.6, 1.7;
 * reference 3.5 is the pipeline this follows step by step).
 *
 * A table holds its own rows (system and User: a few dozen) and a pointer to
 * the routing domain's shared bgp_set, plus exceptions for the BGP entries
 * this subnet shows differently: HIDDEN (inside a VnetLocal or VNetPeering
 * prefix, SPEC 1.6.3) or INVALID (a User row has the identical prefix).
 * Costs per subnet: O(r log r) for its r own rows and O(k log n) to find
 * exceptions among the n shared entries; never O(n).
 *
 * Next hops (SPEC 1.7) use two LPM tables per subnet (own Active rows and
 * service-endpoint prefixes) and the domain's shared one.  The shared match
 * wins only when strictly longer than the own match and not an exception:
 * a hidden entry lies inside a VnetLocal/VNetPeering prefix V whose row (or
 * the User row replacing it) is an own match at least as long as V, and
 * any longer shared match inside V is hidden too, so falling back to the own
 * match is exact.
 */
#include "effective.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "lpm.h"
#include "ranges.h"
#include "vec.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { EXC_HIDDEN = 1, EXC_INVALID = 2 };

/* What a table computes from the topology alone, given that the BGP
 * prefixes equal to its rows' prefixes (and 0/0) are what they were: the
 * rows, their states and their index.  Tables that differ only in other
 * BGP prefixes share it (eff_update). */
struct eff_own {
	unsigned refs;
	struct arena *arena;
	struct route_row *rows;
	struct lpm *fib, *se_fib;
	/* Derived next-hop lookup over these rows (see "Fast next hops"),
	 * built on demand; like the rows it never changes once built. */
	struct own_flat *flat;         /* NULL until built */
	bool flat_failed;              /* out of memory building it: rules only */
};

struct eff_fast {
	/* The flat tables' hot fields, copied here once ready: a lookup
	 * reads these 32 bytes at the table's start, and for the usual own
	 * table of 16 ranges its starts and pair numbers after them (in
	 * the table: no pointer to follow), then one pair of the own table
	 * and the set's index and slice entry (see "Fast next hops"). */
	const uint32_t *own;           /* own_flat's starts, values and pairs */
	const uint32_t *set_index;     /* set_r's index, then its slices */
	const uint64_t *hops;          /* the set's flat table's */
	uint32_t set_low;              /* addresses' bits below set_r's index bits */
	uint8_t set_shift;             /* 32 - set_r's index bits */
	uint8_t own_log2;              /* own_flat's padded count p is 1 << own_log2 (>= 16) */
	bool ready[2];                 /* [without_rs]: the above filled for that view */
	/* When p is 16: own_flat's pair numbers and starts, copied. */
	uint8_t ids16[16];
	uint32_t starts16[16];         /* 16-byte aligned: see the assertion */
	/* Cold. */
	bool failed[2];                /* out of memory building them: rules only */
	const struct ranges *set_r;    /* the set's flat table, NO_SET if none */
	uint32_t own_n;                /* own_flat's ranges before the padding */
	unsigned lookups;              /* counted until the flat tables are ready */
};
_Static_assert(offsetof(struct eff_fast, ids16) == 32, "the hot fields take 32 bytes");
_Static_assert(offsetof(struct eff_fast, starts16) == 48, "the starts are 16-byte aligned");

struct eff_table {
	struct eff_fast fast_state;    /* derived lookup state (see "Fast next hops") */
	struct eff_fast *fast;         /* &fast_state: mutable even through a const table */
	/* The table computed without the Route Server's rows, when it differs
	 * from this one by more than those rows (they decide a 0/0 side effect
	 * or make a system row Invalid); NULL otherwise. */
	struct eff_table *no_rs;
	unsigned refs;
	struct eff_own *own;           /* owns arena, rows, fib and se_fib below */
	struct arena *arena;           /* rows, prefixes, names */
	struct route_row *rows;        /* own rows: system first, then User */
	size_t nrows, nsys;            /* rows[nsys..nrows) are User rows */
	struct bgp_set *bgp;           /* NULL: no domain or propagation disabled */
	uint32_t *exc_idx;             /* sorted entry indices with an exception */
	uint8_t *exc_kind;             /* EXC_* per exc_idx */
	size_t nexc;
	bool disable_bgp;              /* of the subnet's route table */
	bool drop_default_internet;    /* a visible BGP 0/0 exists (SPEC 1.6.4) */
	struct lpm *fib;               /* prefix -> own Active row */
	struct lpm *se_fib;            /* service endpoint prefix -> own row */
};
/* The lookup's movdqa of starts16 needs it 16-byte aligned: the table
 * comes from malloc (aligned to max_align_t) and starts with fast_state. */
_Static_assert(offsetof(struct eff_table, fast_state) == 0 && _Alignof(max_align_t) >= 16,
	       "a table's starts16 is 16-byte aligned");

/* A zeroed table.  (Not aligned to a cache line: aligned_alloc costs
 * more, for every table of every event, than the second line it saves
 * some lookups.) */
static struct eff_table *table_alloc(void)
{
	struct eff_table *t = calloc(1, sizeof(*t));
	if (t)
		t->fast = &t->fast_state;
	return t;
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

static uint8_t exception_of(const struct eff_table *t, size_t idx)
{
	size_t lo = 0, hi = t->nexc;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->exc_idx[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nexc && t->exc_idx[lo] == idx ? t->exc_kind[lo] : 0;
}

/* SPEC 1.2.1-1.2.4: VnetLocal, 0/0 Internet, platform None (rewritten
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
	/* SPEC 1.2.3 rewrite: a VNet prefix equal to N is already the VnetLocal
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

/* SPEC 1.2.5: one row per enabled service, its tag's prefixes. */
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

/* SPEC 1.2.6: <ip>/32 InterfaceEndpoint in the endpoint's VNet and in
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
 * directly: the subnet's VnetLocal and VNetPeering prefixes (SPEC 1.4). */
static bool appliance_reachable(const struct eff_table *t, size_t nsys, uint32_t ip)
{
	for (size_t i = 0; i < nsys; i++) {
		const struct route_row *r = &t->rows[i];
		if ((r->nh == NH_VNET_LOCAL || r->nh == NH_VNET_PEERING ||
		     r->nh == NH_VNET_GLOBAL_PEERING) &&
		    prefix_contains_addr(r->prefixes[0], ip))
			return true;
	}
	return false;
}

/* SPEC 1.4: the route table's routes, one row per prefix (service tags
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
	return (exception_of(t, idx) & EXC_HIDDEN) == 0;
}

/* SPEC 1.6.3: BGP entries equal to or inside a VnetLocal/VNetPeering prefix
 * of the subnet are not listed.  Entries inside P are contiguous from
 * the first not below P in prefix order. */
static void mark_hidden(struct builder *b)
{
	const struct bgp_set *s = b->t->bgp;
	struct eff_table *t = b->t;
	size_t n = bgp_set_count(s);
	for (size_t i = 0; i < t->nsys; i++) {
		const struct route_row *r = &t->rows[i];
		if (r->nh != NH_VNET_LOCAL && r->nh != NH_VNET_PEERING &&
		    r->nh != NH_VNET_GLOBAL_PEERING)
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

/* SPEC 1.6.2: a listed BGP entry with the prefix of a User row is Invalid. */
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

/* SPEC 1.6.2: on an identical prefix User beats VirtualNetworkGateway beats
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
			/* SPEC 1.4: among User rows of one prefix "an explicit
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

/* SPEC 1.6.4 and 1.6.5, the 0.0.0.0/0 side effects. */
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

static int build_fibs(struct eff_table *t)
{
	t->fib = lpm_create();
	t->se_fib = lpm_create();
	if (!t->fib || !t->se_fib)
		return -1;
	/* System rows first, User rows after: an Active User row replaces an
	 * Active system row of the same prefix (PE /32 under policy off). */
	for (size_t i = 0; i < t->nrows; i++) {
		const struct route_row *r = &t->rows[i];
		if (!r->active)
			continue;
		if (r->nh == NH_SERVICE_ENDPOINT) {
			for (size_t k = 0; k < r->nprefixes; k++)
				if (lpm_insert(t->se_fib, r->prefixes[k], (uint32_t)i) != 0)
					return -1;
			continue;
		}
		if (lpm_insert(t->fib, r->prefixes[0], (uint32_t)i) != 0)
			return -1;
	}
	return 0;
}

struct eff_table *eff_compute(const struct eff_input *in)
{
	struct eff_table *t = table_alloc();
	if (!t)
		return NULL;
	t->refs = 1;
	t->own = calloc(1, sizeof(*t->own));
	if (!t->own) {
		free(t);
		return NULL;
	}
	t->own->refs = 1;
	t->arena = arena_create();
	struct builder b = { .t = t, .in = in };
	if (!t->arena)
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
 * 0/0 (SPEC 1.6.4, 1.6.5) or the prefix of one of its rows (1.6.2). */
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
		if (prefix_compare(v[mid], p) < 0)
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
	/* Not table_alloc: the assignment below zeroes the rest already
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
			if ((r->nh == NH_VNET_LOCAL || r->nh == NH_VNET_PEERING ||
			     r->nh == NH_VNET_GLOBAL_PEERING) &&
			    prefix_contains(r->prefixes[0], changed[k])) {
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

/* The rows entry e of s shows with exception kind exc (none when hidden),
 * one per first hop, written at out[n..max) and counted from n. */
static size_t entry_rows(const struct bgp_set *s, size_t e, uint8_t exc, bool without_rs,
			 struct route_row *out, size_t max, size_t n)
{
	if (exc & EXC_HIDDEN)
		return n;
	struct bgp_set_rows rows;
	const struct prefix *p = bgp_set_entry(s, e, &rows);
	for (size_t k = 0; k < rows.n; k++) {
		if (without_rs && rows.rs[k])
			continue;
		if (n < max)
			out[n] = gateway_row(p, &rows, k, exc);
		n++;
	}
	return n;
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
	return entry_rows(t->bgp, (size_t)e, exception_of(t, (size_t)e), without_rs, out, max, n);
}

bool eff_bgp_listed(const struct eff_table *t, struct prefix p)
{
	long e = t && t->bgp ? bgp_set_find(t->bgp, p) : -1;
	return e >= 0 && is_bgp_visible(t, (size_t)e);
}

/* ---- reading a table -------------------------------------------------- */

bool eff_row(const struct eff_table *t, bool without_rs, struct eff_iter *it, struct route_row *row)
{
	if (without_rs && t->no_rs)
		return eff_row(t->no_rs, false, it, row);
	if (it->phase == 0) {
		if (it->i < t->nsys) {
			*row = t->rows[it->i++];
			return true;
		}
		it->phase = 1;
		it->i = 0;
		it->j = 0;
	}
	if (it->phase == 1) {
		const struct bgp_set *s = t->bgp;
		size_t n = bgp_set_count(s);
		while (it->i < n) {
			struct bgp_set_rows rows;
			const struct prefix *p = bgp_set_entry(s, it->i, &rows);
			uint8_t exc = exception_of(t, it->i);
			if ((exc & EXC_HIDDEN) || it->j >= rows.n) {
				it->i++;
				it->j = 0;
				continue;
			}
			size_t k = it->j++;
			if (without_rs && rows.rs[k])
				continue;
			*row = gateway_row(p, &rows, k, exc);
			return true;
		}
		it->phase = 2;
		it->i = t->nsys;
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

/* Longest usable shared match for dst by a scan of every entry: O(n). */
static long scan_match(const struct eff_table *t, uint32_t dst, bool without_rs, uint32_t *ip)
{
	const struct bgp_set *s = t->bgp;
	long best = -1;
	for (size_t i = 0; i < bgp_set_count(s); i++) {
		const struct prefix *p = bgp_set_entry(s, i, NULL);
		if (!prefix_contains_addr(*p, dst) || exception_of(t, i) != 0)
			continue;
		uint32_t cand;
		if ((best < 0 || p->len > bgp_set_entry(s, (size_t)best, NULL)->len) &&
		    bgp_set_first_hop(s, i, without_rs, &cand)) {
			best = (long)i;
			*ip = cand;
		}
	}
	return best;
}

/* Longest usable shared match for dst.  The LPM answer is used directly;
 * only when the index could not be built, or for a NIC without Route
 * Server routes whose match is Route Server only, does this scan. */
static long bgp_match(const struct eff_table *t, uint32_t dst, bool without_rs, uint32_t *ip)
{
	struct bgp_set *s = t->bgp;
	size_t idx;
	if (!s)
		return -1;
	int found = bgp_set_longest(s, dst, &idx);
	if (found < 0)
		return scan_match(t, dst, without_rs, ip);
	if (found == 0)
		return -1;
	if (exception_of(t, idx) != 0)
		return -1; /* hidden or Invalid: the own match is exact (header) */
	if (bgp_set_first_hop(s, idx, without_rs, ip))
		return (long)idx;
	return scan_match(t, dst, without_rs, ip);
}

/* What a destination matches among a table's own rows: the longest Active
 * row (service endpoints aside) and the longest service-endpoint prefix. */
struct own_match {
	bool have_own, have_se;
	uint32_t own, se;              /* row indices */
	struct prefix own_p, se_p;
};

static struct own_match own_match(const struct eff_table *t, uint32_t dst)
{
	struct own_match m = { 0 };
	m.have_own = lpm_lookup_prefix(t->fib, dst, &m.own_p, &m.own);
	m.have_se = lpm_lookup_prefix(t->se_fib, dst, &m.se_p, &m.se);
	return m;
}

/* SPEC 1.7 given the own matches and the usable shared match b (-1: none)
 * with its first hop ip. */
static struct next_hop choose(const struct eff_table *t, const struct own_match *m, long b,
			      uint32_t ip)
{
	struct next_hop nh = { 0 };
	const struct route_row *r = NULL;
	const struct prefix *bp = b >= 0 ? bgp_set_entry(t->bgp, (size_t)b, NULL) : NULL;
	bool use_bgp = bp && (!m->have_own || bp->len > m->own_p.len);
	if (!use_bgp && m->have_own)
		r = &t->rows[m->own];
	/* 1.7: a destination inside a service-endpoint prefix goes to the
	 * endpoint unless a strictly longer User or system row matches; BGP
	 * rows never beat it. */
	if (m->have_se && (use_bgp || !r || m->own_p.len <= m->se_p.len)) {
		use_bgp = false;
		r = &t->rows[m->se];
	}
	if (use_bgp) {
		nh.found = true;
		nh.nh = NH_VNET_GATEWAY;
		nh.nh_ip = ip;
		nh.has_nh_ip = true;
		nh.matched = *bp;
		return nh;
	}
	if (!r)
		return nh;
	nh.found = true;
	nh.nh = r->nh;
	nh.nh_ip = r->nh_ip;
	nh.has_nh_ip = r->has_nh_ip;
	nh.route_table = r->rt_name;
	nh.matched = r->nh == NH_SERVICE_ENDPOINT ? m->se_p : m->own_p;
	return nh;
}

struct next_hop eff_next_hop_rules(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	if (without_rs && t->no_rs)
		return eff_next_hop_rules(t->no_rs, dst, false);
	uint32_t ip = 0;
	struct own_match m = own_match(t, dst);
	long b = bgp_match(t, dst, without_rs, &ip);
	return choose(t, &m, b, ip);
}

/* ---- Fast next hops ------------------------------------------------------
 *
 * eff_next_hop_rules looks the destination up in three structures (own
 * rows, service endpoints, the domain's shared set), then checks the
 * entry's exceptions: about 50 ns.  Tables queried often answer from two
 * flat tables (sim/ranges.h) derived from those structures instead, one
 * over the domain's set and one over the table's own rows, so that the
 * big one is shared by every table of the domain (a 12,000-route set
 * flattens to some 100 KiB, once, instead of once per subnet):
 *
 *  - per bgp_set and view (with or without Route Server rows): for each
 *    address range, the longest entry with a usable next hop, as its
 *    length and first hop.  Built by one sweep over the sorted entries
 *    with a stack of the open (containing) prefixes: O(n + hops log hops).
 *  - per eff_own (shared by the tables eff_update derives): for each range
 *    cut by the own rows' prefixes, the own match length, the window of
 *    shared-match lengths that win, the answer when the shared match does
 *    not win and the one when it does (the shared entry itself, or the
 *    service endpoint, which BGP rows never beat).
 *
 * The window is where the exceptions went.  A shared match L wins when it
 * is strictly longer than the own match and not an exception.  HIDDEN
 * entries are those inside a VnetLocal/VNetPeering row V; V's row (or a
 * User row of its prefix, which makes it Invalid) is Active, so the own
 * match is at least V long, and an L longer than it containing dst lies
 * inside V exactly when L.len >= V.len: such an L is hidden iff L.len >=
 * the shortest such V containing dst.  INVALID entries have the prefix of
 * a User row, an Active own match at least as long: they never win
 * anyway.  So L wins iff own length < L.len < shortest hiding V, which
 * depends only on the own rows; the rules' fallback after an excepted
 * longest match ("the own match is exact") is the same statement.
 *
 * Values are computed by the rule functions themselves (own_match and
 * choose), at one address per range.  An answer is stored without the
 * matched prefix's address: it is the destination masked to the matched
 * length, so /24s of one next hop merge.  Built after EFF_FLAT_AFTER
 * lookups of a table, so a table asked once (an expectation) never pays
 * for them.  The oracle test compares eff_next_hop with
 * eff_next_hop_rules on every boundary.
 *
 * A lookup has no branch that depends on the destination (the patterns
 * mix VNet, NVA, on-premises and Internet destinations, so such branches
 * mispredicted about once a call): the own search compares the 16 starts
 * of a usual table at once, the set's flat table is two reads
 * (sim/ranges.h: index, then slice), and the answer is merged from the
 * candidates with masks.  It is returned as two words in registers
 * (struct eff_hop_word), which eff_next_hop unpacks inline, and it calls
 * nothing on the way, so that it saves no registers: about 70
 * instructions for the usual view and a 16-range own table.
 */
#define EFF_FLAT_AFTER 1024
#define ALWAYS_INLINE inline __attribute__((always_inline)) /* the fast path, whatever -O */
#define LEN_BITS 6                     /* a length + 1 (0: none) in a value */
#define LEN_MASK 63u
#define HIDE_NONE 34u                  /* upper window bound: nothing hidden */

/* What one own-table range answers (32 bytes, two to a cache line): lost
 * (with route table rt) when the shared match loses; when it wins, won (a
 * service endpoint row, which BGP rows never beat; a system row, no route
 * table) or else the shared entry itself (won is zero; no route table
 * either).  Bit len + 1 of wins: a shared match of that length wins (the
 * window, see above); bit 63 (KEEP_SHARED): the shared entry answers when
 * it wins. */
struct flat_pair {
	const char *rt;
	uint64_t lost, won, wins;
};
#define KEEP_SHARED ((uint64_t)1 << 63)

/* A shared entry's answer but its first hop and length. */
#define GATEWAY_WORD                                                                           \
	((uint64_t)NH_VNET_GATEWAY << EFF_HOP_NH_SHIFT | EFF_HOP_FOUND | EFF_HOP_HAS_IP)

/* A table's own flat table: 5 to 14 ranges for a spoke (a few hundred for
 * a hub peered with every spoke), searched without an index: p starts,
 * then p 16-bit values (pair numbers), then the pairs (at 6p bytes, a
 * multiple of 32: a pair never crosses a cache line).  The ranges are
 * padded to a power of two p >= OWN_MIN_P with copies of the last one.
 * Sixteen starts, the usual case, are copied with their pair numbers into
 * each table that looks them up (every table has the 80 bytes of room: a
 * lookup follows no pointer to find its range) and compared with the
 * destination all at once (SSE2: four compares and a mask; elsewhere four
 * unrolled steps); more are binary searched here in log2(p) fixed steps.  No branch
 * depends on the address.  Starts are stored with the top bit flipped
 * (OWN_BIAS), which makes signed order the unsigned one: SSE2 compares
 * signed. */
#define OWN_MIN_P 16
#define OWN_BIAS 0x80000000u

struct own_flat {
	size_t n, p;                   /* ranges, padded count */
	_Alignas(64) uint32_t starts[]; /* p biased starts, from 0, strictly up to n; values; pairs */
};


static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Ranges being produced in address order: the value at `at` and after,
 * until the next call.  A later call at the same address replaces the
 * value; equal neighbours merge. */
struct sweep {
	uint32_t *starts, *vals;
	size_t n;
};

static void sweep_emit(struct sweep *w, uint64_t at, uint32_t v)
{
	if (at > UINT32_MAX)
		return;
	if (w->n > 0 && w->starts[w->n - 1] == at) {
		w->vals[w->n - 1] = v;
		if (w->n > 1 && w->vals[w->n - 2] == v)
			w->n--;
		return;
	}
	if (w->n > 0 && w->vals[w->n - 1] == v)
		return;
	w->starts[w->n] = (uint32_t)at;
	w->vals[w->n++] = v;
}

/* Index of ip in hops[0..n), sorted and holding it. */
static size_t hop_index(const uint32_t *hops, size_t n, uint32_t ip)
{
	const uint32_t *at = bsearch(&ip, hops, n, sizeof(*hops), u32_cmp);
	return (size_t)(at - hops);
}

/* The set's flat table for a view: { NULL, NULL } when out of memory. */
static struct bgp_set_flat set_flat_build(const struct bgp_set *s, bool without_rs)
{
	size_t n = bgp_set_count(s), cap = 2 * n + 1;
	struct bgp_set_flat g = { NULL, NULL };
	uint32_t *first = malloc((n ? n : 1) * sizeof(*first)), *ips = NULL;
	uint32_t *val = malloc((n ? n : 1) * sizeof(*val));
	struct sweep w = { malloc(cap * sizeof(uint32_t)), malloc(cap * sizeof(uint32_t)), 0 };
	bool *usable = malloc(n ? n : 1);
	if (!first || !val || !w.starts || !w.vals || !usable)
		goto out;
	/* Zeroed: a lookup reads hops[0] when nothing matches. */
	ips = calloc(n ? n : 1, sizeof(*ips));
	g.hops = calloc(n ? n : 1, sizeof(*g.hops));
	if (!ips || !g.hops)
		goto out;
	size_t nh = 0;
	for (size_t i = 0; i < n; i++) {
		usable[i] = bgp_set_first_hop(s, i, without_rs, &first[i]);
		if (usable[i])
			ips[nh++] = first[i];
	}
	qsort(ips, nh, sizeof(*ips), u32_cmp);
	size_t nu = 0;
	for (size_t i = 0; i < nh; i++)
		if (nu == 0 || ips[nu - 1] != ips[i])
			ips[nu++] = ips[i];
	if (nu >= (size_t)1 << (31 - LEN_BITS))
		goto out;
	for (size_t i = 0; i < nu; i++)
		g.hops[i] = ips[i] | GATEWAY_WORD;
	for (size_t i = 0; i < n; i++)
		if (usable[i])
			val[i] = (uint32_t)hop_index(ips, nu, first[i]) << LEN_BITS |
				 (bgp_set_entry(s, i, NULL)->len + 1u);
	/* Entries in prefix order: a containing prefix comes before what it
	 * contains, so the open ones form a stack (at most 33 deep, as
	 * prefixes are distinct) whose top is the longest match. */
	size_t stack[33], depth = 0;
	sweep_emit(&w, 0, 0);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !usable[i])
			continue;
		uint32_t at = i < n ? bgp_set_entry(s, i, NULL)->addr : 0;
		while (depth > 0 &&
		       (i == n || !prefix_contains_addr(*bgp_set_entry(s, stack[depth - 1], NULL), at))) {
			uint64_t end = (uint64_t)prefix_last(*bgp_set_entry(s, stack[--depth], NULL)) + 1;
			sweep_emit(&w, end, depth ? val[stack[depth - 1]] : 0);
		}
		if (i == n)
			break;
		if (depth == 33)
			goto out; /* cannot happen: entries are distinct and sorted */
		stack[depth++] = i;
		sweep_emit(&w, at, val[i]);
	}
	g.r = ranges_create(w.starts, w.vals, w.n);
out:
	if (!g.r) { /* failed on the way (g.r is set last) */
		free(g.hops);
		g.hops = NULL;
	}
	free(first);
	free(ips);
	free(val);
	free(w.starts);
	free(w.vals);
	free(usable);
	return g;
}

static void add_bounds(uint32_t *b, size_t *n, struct prefix p)
{
	b[(*n)++] = p.addr;
	uint64_t end = (uint64_t)p.addr + ((uint64_t)1 << (32 - p.len));
	if (end <= UINT32_MAX)
		b[(*n)++] = (uint32_t)end;
}

static struct eff_hop_word word_of(struct next_hop nh)
{
	return (struct eff_hop_word){
		.route_table = nh.route_table,
		.w = nh.nh_ip | (uint64_t)nh.nh << EFF_HOP_NH_SHIFT |
		     (uint64_t)nh.matched.len << EFF_HOP_LEN_SHIFT | (nh.found ? EFF_HOP_FOUND : 0) |
		     (nh.has_nh_ip ? EFF_HOP_HAS_IP : 0)
	};
}

static bool pair_equal(const struct flat_pair *a, const struct flat_pair *b)
{
	return a->rt == b->rt && a->lost == b->lost && a->won == b->won && a->wins == b->wins;
}

/* Length + 1 of the shortest VnetLocal/VNetPeering row containing dst: a
 * shared match at least that long is hidden (see above). */
static uint32_t hide_bound(const struct eff_table *t, uint32_t dst)
{
	uint32_t h = HIDE_NONE;
	for (size_t i = 0; i < t->nsys; i++) {
		const struct route_row *r = &t->rows[i];
		if ((r->nh == NH_VNET_LOCAL || r->nh == NH_VNET_PEERING ||
		     r->nh == NH_VNET_GLOBAL_PEERING) &&
		    prefix_contains_addr(r->prefixes[0], dst) && r->prefixes[0].len + 1u < h)
			h = r->prefixes[0].len + 1u;
	}
	return h;
}

/* The own table of t->own.  O(b (log b + rows)) for b boundaries of a few
 * dozen rows. */
static int own_flat_build(const struct eff_table *t)
{
	size_t nb = 1, cap = 1;
	for (size_t i = 0; i < t->nrows; i++)
		cap += 2 * t->rows[i].nprefixes;
	uint32_t *b = malloc(cap * sizeof(*b)), *vals = malloc(cap * sizeof(*vals));
	struct flat_pair *pairs = malloc(cap * sizeof(*pairs));
	int rc = -1;
	if (!b || !vals || !pairs)
		goto out;
	b[0] = 0;
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t k = 0; k < t->rows[i].nprefixes; k++)
			add_bounds(b, &nb, t->rows[i].prefixes[k]);
	qsort(b, nb, sizeof(*b), u32_cmp);
	struct sweep w = { b, vals, 0 }; /* compacts in place: w.n <= i */
	size_t np = 0;
	for (size_t i = 0; i < nb; i++) {
		if (i > 0 && b[i] == b[i - 1])
			continue;
		uint32_t at = b[i];
		struct own_match m = own_match(t, at);
		struct eff_hop_word lost = word_of(choose(t, &m, -1, 0)), won = { NULL, 0 };
		uint32_t lo = m.have_own ? m.own_p.len + 1u : 0, hi = hide_bound(t, at);
		if (m.have_se) {
			/* The winner's answer: choose with a use_bgp of true. */
			won = word_of(choose(t, &(struct own_match){ .have_se = true, .se = m.se,
								   .se_p = m.se_p }, -1, 0));
		}
		if (won.route_table)
			goto out; /* not a system row: cannot happen */
		struct flat_pair x = { lost.route_table, lost.w, won.w, m.have_se ? 0 : KEEP_SHARED };
		for (uint32_t len1 = lo + 1; len1 < hi; len1++)
			x.wins |= (uint64_t)1 << len1;
		size_t id = 0;
		while (id < np && !pair_equal(&pairs[id], &x))
			id++;
		if (id == np)
			pairs[np++] = x;
		sweep_emit(&w, at, (uint32_t)id);
	}
	size_t p = OWN_MIN_P;
	while (p < w.n)
		p *= 2;
	if (p > UINT32_MAX)
		goto out;
	if (np > UINT16_MAX + 1u)
		goto out;
	size_t bytes = sizeof(struct own_flat) + 6 * p + np * sizeof(*pairs);
	struct own_flat *o = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	if (o) {
		o->n = w.n;
		o->p = p;
		uint16_t *ids = (uint16_t *)(void *)(o->starts + p);
		for (size_t i = 0; i < p; i++) {
			size_t k = i < w.n ? i : w.n - 1;
			o->starts[i] = b[k] ^ OWN_BIAS;
			ids[i] = (uint16_t)vals[k];
		}
		memcpy((char *)o->starts + 6 * p, pairs, np * sizeof(*pairs));
		t->own->flat = o;
		rc = 0;
	}
out:
	free(b);
	free(vals);
	free(pairs);
	return rc;
}

/* The set flat table of a table without a set: every bucket names the one
 * slice entry, no entry anywhere (never written; not const only because
 * struct ranges points to them). */
#define NO_SET_ENTRY (16u << RANGES_SBITS | 28u) /* slice at index[16], shift 32 - 4 */
static uint32_t NO_SET_INDEX[17] = {
	NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY,
	NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY,
	NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, NO_SET_ENTRY, RANGES_LEAF
};
static uint64_t NO_SET_HOPS[1];
static const struct ranges NO_SET = { .bits = 4, .n = 1, .nsub = 1, .index = NO_SET_INDEX,
				      .sub = NO_SET_INDEX + 16 };

/* Builds what t's fast path needs for a view and fills t->fast; false when
 * out of memory.  A table is looked up in one view only in practice (its
 * NICs are all within the Route Server's capacity or all beyond it): the
 * other view's first lookup refills the block. */
static bool fast_prepare(const struct eff_table *t, bool without_rs)
{
	struct eff_own *o = t->own;
	if (!o->flat && !o->flat_failed)
		o->flat_failed = own_flat_build(t) != 0;
	if (!o->flat)
		return false;
	struct bgp_set *s = t->bgp;
	if (s && !bgp_set_flat(s, without_rs))
		bgp_set_flat_keep(s, without_rs, set_flat_build(s, without_rs));
	const struct bgp_set_flat *g = s ? bgp_set_flat(s, without_rs) : NULL;
	if (s && !g->r)
		return false;
	struct eff_fast *f = t->fast;
	f->own = o->flat->starts;
	f->own_log2 = (uint8_t)__builtin_ctzll(o->flat->p);
	if (o->flat->p == OWN_MIN_P) {
		const uint16_t *ids = (const uint16_t *)(const void *)(o->flat->starts + OWN_MIN_P);
		for (size_t i = 0; i < OWN_MIN_P; i++) {
			f->starts16[i] = o->flat->starts[i];
			f->ids16[i] = (uint8_t)ids[i]; /* at most 16 pairs */
		}
	}
	f->own_n = (uint32_t)o->flat->n;
	f->set_r = g ? g->r : &NO_SET;
	f->set_index = f->set_r->index;
	f->set_shift = (uint8_t)(32 - f->set_r->bits);
	f->set_low = UINT32_MAX >> f->set_r->bits;
	f->hops = g ? g->hops : NO_SET_HOPS;
	f->ready[without_rs] = true;
	f->ready[!without_rs] = false;
	return true;
}

/* The range of biased key among p (a power of two) biased starts: the
 * number of starts <= key, less one (starts[0] is the lowest address), in
 * log2(p) steps written as arithmetic rather than ?:, which compilers turn
 * into branches. */
static ALWAYS_INLINE size_t own_search(const uint32_t *starts, size_t p, uint32_t key)
{
	size_t at = 0;
	for (size_t half = p / 2; half > 0; half /= 2)
		at += half & -(size_t)((int32_t)starts[at + half] <= (int32_t)key);
	return at;
}

/* The same for p = 16, the usual size; starts 16-byte aligned. */
static ALWAYS_INLINE size_t own_search16(const uint32_t *starts, uint32_t key)
{
#ifdef __SSE2__
	const __m128i *s = (const __m128i *)(const void *)starts;
	__m128i k = _mm_set1_epi32((int32_t)key);
	__m128i g01 = _mm_packs_epi32(_mm_cmpgt_epi32(s[0], k), _mm_cmpgt_epi32(s[1], k));
	__m128i g23 = _mm_packs_epi32(_mm_cmpgt_epi32(s[2], k), _mm_cmpgt_epi32(s[3], k));
	/* Bit i: start i is above the key; the starts increase, so these
	 * bits are the top ones. */
	unsigned above = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(g01, g23));
	return (size_t)__builtin_ctz(above | 0x10000u) - 1;
#else
	return own_search(starts, OWN_MIN_P, key);
#endif
}

/* eff_next_hop_word before t is ready for the view: counts, prepares, or
 * asks the rules.  Out of line, so that the fast path stays small. */
static __attribute__((noinline, cold)) struct eff_hop_word
not_ready(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	struct eff_fast *f = t->fast;
	/* Built already (for a table sharing its rows and set): nothing to
	 * wait for. */
	const struct bgp_set_flat *g = t->bgp ? bgp_set_flat(t->bgp, without_rs) : NULL;
	bool built = t->own->flat && (!t->bgp || (g && g->r));
	if (f->failed[without_rs] || (!built && ++f->lookups < EFF_FLAT_AFTER))
		return word_of(eff_next_hop_rules(t, dst, without_rs));
	f->failed[without_rs] = !fast_prepare(t, without_rs);
	if (f->failed[without_rs])
		return word_of(eff_next_hop_rules(t, dst, without_rs));
	return eff_next_hop_word(t, dst, without_rs);
}

/* The own range's answers for dst.  For the usual p of 16 the starts and
 * pair numbers copied into the table find it: only the pair is read from
 * the own table (6p = 96 bytes in). */
static ALWAYS_INLINE const struct flat_pair *own_pair(const struct eff_fast *f, uint32_t dst)
{
	const uint32_t *st = f->own;
	if (__builtin_expect(f->own_log2 == 4, 1)) {
		const struct flat_pair *pairs =
			(const struct flat_pair *)(const void *)(st + 6 * OWN_MIN_P / 4);
		__builtin_prefetch(pairs);
		__builtin_prefetch(pairs + 1);
		return pairs + f->ids16[own_search16(f->starts16, dst ^ OWN_BIAS)];
	}
	/* A larger table: its starts, values and first pairs, fetched
	 * together. */
	size_t p = (size_t)1 << f->own_log2;
	const uint16_t *ids = (const uint16_t *)(const void *)(st + p);
	const struct flat_pair *pairs = (const struct flat_pair *)(const void *)(ids + p);
	__builtin_prefetch(ids);
	__builtin_prefetch(pairs);
	return pairs + ids[own_search(st, p, dst ^ OWN_BIAS)];
}

/* The answer of an own range given the set's value e (hop index <<
 * LEN_BITS | length + 1).  Which candidate wins depends on the
 * destination, so a branch would mispredict often: they are merged with
 * masks. */
static ALWAYS_INLINE struct eff_hop_word pick(const struct flat_pair *pr, const uint64_t *hops,
				       uint32_t e)
{
	uint32_t len1 = e & LEN_MASK;
	uint64_t shared = hops[e >> LEN_BITS] | (uint64_t)(len1 - 1) << EFF_HOP_LEN_SHIFT;
	uint64_t win = -((pr->wins >> len1) & 1);
	uint64_t keep = -(pr->wins >> 63);
	uint64_t alt = (shared & keep) | pr->won;
	uint64_t w = pr->lost ^ ((alt ^ pr->lost) & win);
	return (struct eff_hop_word){ (const char *)((uintptr_t)pr->rt & ~win), w };
}

/* eff_next_hop_word when dst's slice entry is a span (a crowded bucket,
 * about one lookup in a hundred): out of line and started over, so that
 * the fast path keeps nothing across a call. */
static __attribute__((noinline, cold)) struct eff_hop_word
span_answer(const struct eff_fast *f, uint32_t dst, uint32_t span)
{
	return pick(own_pair(f, dst), f->hops, ranges_lookup_span(f->set_r, span, dst));
}

/* eff_next_hop_word for table t in one view. */
static ALWAYS_INLINE struct eff_hop_word fast_word(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	const struct eff_fast *f = &t->fast_state; /* t->fast, without the load */
	if (!f->ready[without_rs])
		return not_ready(t, dst, without_rs);
	/* The set's two reads and the own search are independent: they
	 * overlap. */
	uint32_t ie = f->set_index[dst >> f->set_shift];
	uint32_t e = f->set_index[(ie >> RANGES_SBITS) +
				((dst & f->set_low) >> (ie & ((1u << RANGES_SBITS) - 1)))];
	if (__builtin_expect(!(e & RANGES_LEAF), 0))
		return span_answer(f, dst, e);
	return pick(own_pair(f, dst), f->hops, e & ~RANGES_LEAF);
}

/* The view without Route Server rows: NICs beyond the Route Server's
 * capacity, rarely asked for, so out of line. */
static __attribute__((noinline)) struct eff_hop_word without_rs_word(const struct eff_table *t,
								   uint32_t dst)
{
	if (t->no_rs)
		return fast_word(t->no_rs, dst, false);
	return fast_word(t, dst, true);
}

struct eff_hop_word eff_next_hop_word(const struct eff_table *t, uint32_t dst, bool without_rs)
{
	if (__builtin_expect(without_rs, 0))
		return without_rs_word(t, dst);
	return fast_word(t, dst, false);
}

size_t eff_fast_ranges(const struct eff_table *t)
{
	const struct eff_fast *f = t->fast;
	if (!f->ready[0] && !f->ready[1])
		return 0;
	return f->own_n + (f->set_r != &NO_SET ? ranges_count(f->set_r) : 0);
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

static inline uint64_t walk_key(struct prefix p)
{
	return (uint64_t)p.addr << 8 | p.len;
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
			w->own[w->nown++] = (struct eff_walk_own){ walk_key(t->rows[i].prefixes[0]),
								   (uint32_t)i };
	qsort(w->own, w->nown, sizeof(*w->own), walk_own_cmp);
	return 0;
}

size_t eff_walk_rows(struct eff_walk *w, struct prefix p, struct route_row *out, size_t max)
{
	const struct eff_table *t = w->t;
	if (prefix_compare(p, w->last) < 0) /* not increasing: start over (exact, slower) */
		w->own_at = w->bgp_at = w->exc_at = 0;
	w->last = p;
	size_t n = 0;
	uint64_t pk = walk_key(p);
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
	if (e >= bgp_set_count(s) || !prefix_equal(*bgp_set_entry(s, e, NULL), p))
		return n;
	while (w->exc_at < t->nexc && t->exc_idx[w->exc_at] < e)
		w->exc_at++;
	uint8_t exc = w->exc_at < t->nexc && t->exc_idx[w->exc_at] == e ? t->exc_kind[w->exc_at] : 0;
	return entry_rows(s, e, exc, w->without_rs, out, max, n);
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
