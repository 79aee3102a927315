/*
 * topo_load.c - scenario `topology` JSON -> struct topology (RULES 2.1).
 *
 * The collections are described once each, in the module that knows them
 * (topo_vnets, topo_routes, topo_gateways, topo_nics), and read by one
 * driver (topo_read).  Loading runs in passes so every reference can point
 * anywhere:
 *   1. every collection's array is type-checked, in COLLECTIONS order;
 *   2. objects and names: VNets with their subnets, route tables, then the
 *      VNets again for their peerings (every VNet exists) and their
 *      subnets' route tables (every table exists), gateways (and the Basic
 *      SKU check once all exist), connections, Route Servers, load
 *      balancers (their frontends' addresses taken, topo_lbs);
 *   3. addresses: static NIC / private endpoint addresses are reserved per
 *      subnet, then dynamic ones are handed out from .4 upward in scenario
 *      order (Azure keeps .0-.3 and the last address), skipping load
 *      balancer frontends; then the load balancers' backend pools;
 *   4. derived facts: connected and global peerings, gateway transit and
 *      every VNet's routing domain (topo_derive).
 * Errors never stop a pass: the user sees all of them at once.  Everything
 * lives in the topology's arena; on any error the whole arena is dropped.
 */
#include "topo_load.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "jsonin.h"
#include "strmap.h"
#include "topo_derive.h"
#include "topo_gateways.h"
#include "topo_lbs.h"
#include "topo_nics.h"
#include "topo_read.h"
#include "topo_routes.h"
#include "topo_vnets.h"

bool asn_reserved(uint32_t asn)
{
	return asn == 8074 || asn == 8075 || asn == 12076 || asn == 23456 ||
	       (asn >= 64496 && asn <= 64511) || asn == 65515 || (asn >= 65517 && asn <= 65520) ||
	       (asn >= 65535 && asn <= 65551) || asn == 4294967295u;
}

/* The topology's collections: its only keys, type-checked in this order. */
enum { C_VNETS, C_ROUTE_TABLES, C_NICS, C_PES, C_GATEWAYS, C_CONNECTIONS, C_ROUTE_SERVERS,
       C_LBS, C_N };

static const struct topo_coll *const COLLECTIONS[C_N] = {
	[C_VNETS] = &TOPO_VNETS,
	[C_ROUTE_TABLES] = &TOPO_ROUTE_TABLES,
	[C_NICS] = &TOPO_NICS,
	[C_PES] = &TOPO_PES,
	[C_GATEWAYS] = &TOPO_GATEWAYS,
	[C_CONNECTIONS] = &TOPO_CONNECTIONS,
	[C_ROUTE_SERVERS] = &TOPO_ROUTE_SERVERS,
	[C_LBS] = &TOPO_LBS,
};

/* The topology's lists of route tables, gateways, connections and Route
 * Servers, with room for every element (a VNet's list comes with its
 * subnets': topo_vnets). */
static bool alloc_lists(struct topo_reader *r, const cJSON *const *arr)
{
	struct topology *t = r->t;
	size_t n[C_N];
	for (size_t c = 0; c < C_N; c++)
		n[c] = (size_t)cJSON_GetArraySize(arr[c]);
	t->rts = topo_read_alloc(r, n[C_ROUTE_TABLES], sizeof(*t->rts));
	t->gws = topo_read_alloc(r, n[C_GATEWAYS], sizeof(*t->gws));
	t->conns = topo_read_alloc(r, n[C_CONNECTIONS], sizeof(*t->conns));
	t->rss = topo_read_alloc(r, n[C_ROUTE_SERVERS], sizeof(*t->rss));
	return t->rts && t->gws && t->conns && t->rss;
}

/* Passes 2 to 4 over the arrays found (NULL: absent). */
static void load_passes(struct topo_reader *r, const cJSON *const *arr)
{
	void **vnets = NULL, **gws = NULL, **lbs = NULL;
	if (arr[C_VNETS])
		topo_read_run(r, &TOPO_VNETS, arr[C_VNETS], NULL, &vnets);
	if (arr[C_ROUTE_TABLES])
		topo_read_run(r, &TOPO_ROUTE_TABLES, arr[C_ROUTE_TABLES], NULL, NULL);
	topo_read_revisit(r, &TOPO_VNETS, arr[C_VNETS], vnets, topo_vnets_read_peerings, NULL);
	topo_read_revisit(r, &TOPO_VNETS, arr[C_VNETS], vnets, topo_vnets_link_route_tables, NULL);
	if (arr[C_GATEWAYS]) {
		topo_read_run(r, &TOPO_GATEWAYS, arr[C_GATEWAYS], NULL, &gws);
		topo_read_revisit(r, &TOPO_GATEWAYS, arr[C_GATEWAYS], gws, topo_gateways_check_sku,
				  NULL);
	}
	if (arr[C_CONNECTIONS]) {
		topo_read_run(r, &TOPO_CONNECTIONS, arr[C_CONNECTIONS], NULL, NULL);
		topo_gateways_attach(r);
	}
	if (arr[C_ROUTE_SERVERS])
		topo_read_run(r, &TOPO_ROUTE_SERVERS, arr[C_ROUTE_SERVERS], NULL, NULL);
	topo_lbs_read(r, arr[C_LBS], &lbs); /* frontends take their addresses first */
	topo_nics_load(r, arr[C_NICS], arr[C_PES]);
	if (jin_errors(r->j) == r->errors0)
		topo_lbs_link(r, arr[C_LBS], lbs);
	if (jin_errors(r->j) == r->errors0)
		topo_derive(r);
	free(vnets);
	free(gws);
	free(lbs);
	free(r->taken);
	r->taken = NULL;
}

static struct topology *topology_new(void)
{
	struct topology *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->refs = 1;
	t->arena = arena_create();
	struct strmap **maps[] = { &t->by_vnet, &t->by_subnet, &t->by_rt, &t->by_nic,
				   &t->by_gw, &t->by_conn, &t->by_rs, &t->by_bgpconn, &t->by_lb };
	bool ok = t->arena != NULL;
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		*maps[i] = strmap_create();
		ok = ok && *maps[i];
	}
	if (!ok) {
		topology_destroy(t);
		return NULL;
	}
	return t;
}

struct topology *topo_load(struct jin *j, const cJSON *topo, const struct topo_opts *opts)
{
	size_t errors0 = jin_errors(j);
	struct topology *t = topology_new();
	if (!t)
		return NULL;
	if (!cJSON_IsObject(topo)) {
		jin_error(j, "expected the topology object");
		topology_destroy(t);
		return NULL;
	}
	const char *known[C_N + 1] = { NULL };
	for (size_t c = 0; c < C_N; c++)
		known[c] = COLLECTIONS[c]->key;
	jin_known_keys(j, topo, known);
	struct topo_reader r = { .j = j, .t = t, .a = t->arena, .opts = opts, .errors0 = errors0 };
	const cJSON *arr[C_N] = { NULL };
	for (size_t c = 0; c < C_N; c++)
		topo_read_array(&r, COLLECTIONS[c], topo, &arr[c]);
	if (alloc_lists(&r, arr))
		load_passes(&r, arr);
	if (jin_errors(j) != errors0) {
		topology_destroy(t);
		return NULL;
	}
	return t;
}

/* ---- reloads in place ---------------------------------------------------------- */

/* The object named name in the topology's collection key, or NULL. */
static const cJSON *named_object(const cJSON *topology, const char *key, const char *name)
{
	const cJSON *it, *found = NULL;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(topology, key))
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			found = it;
	}
	return found;
}

/* An in-place reload's reader: a private collector (its messages describe
 * the edited object, not the scenario file; the caller only needs to know
 * whether any error was found), writing into t's arena.  false when t may
 * not be edited in place (shared with a checkpoint) or out of memory. */
struct reload {
	struct diag *d;
	struct jin j;
	struct topo_reader r;          /* r.j points at j: the struct stays put */
};

static bool reload_begin(struct reload *rl, struct topology *t, const struct topo_opts *opts)
{
	if (t->refs != 1 && !opts->shared_ok)
		return false;
	rl->d = diag_create();
	if (!rl->d)
		return false;
	jin_init(&rl->j, rl->d, "");
	rl->r = (struct topo_reader){ .j = &rl->j, .t = t, .a = t->arena, .opts = opts };
	return true;
}

int topo_reload_route_table(struct topology *t, const cJSON *topology, const char *name,
			    const struct topo_opts *opts)
{
	struct route_table *rt = topology_route_table(t, name);
	const cJSON *obj = named_object(topology, "routeTables", name);
	struct reload rl;
	if (!rt || !cJSON_IsObject(obj) || !reload_begin(&rl, t, opts))
		return -1;
	/* The new contents go to t's arena; on error they stay there unused
	 * (bounded by the edits made) and t is unchanged. */
	bool sample_used = t->sample_tags_used;
	struct route_table *nrt = topo_read_alloc(&rl.r, 1, sizeof(*nrt));
	bool named = nrt && topo_routes_read_table(&rl.r, obj, nrt);
	int rc = named && jin_errors(&rl.j) == 0 && strcmp(nrt->name, rt->name) == 0 ? 0 : -1;
	if (rc == 0) {
		nrt->arm = rt->arm; /* the ID is where the table is, not what the edit changed */
		*rt = *nrt;         /* subnets keep pointing at rt */
	}
	else
		t->sample_tags_used = sample_used;
	diag_destroy(rl.d);
	return rc;
}

int topo_reload_peerings(struct topology *t, const cJSON *topology, const char *name,
			 const struct topo_opts *opts)
{
	struct vnet *v = topology_vnet(t, name);
	const cJSON *obj = named_object(topology, "virtualNetworks", name);
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(obj, "virtualNetworkPeerings");
	struct reload rl;
	if (!v || !cJSON_IsObject(obj) || (ps && !cJSON_IsArray(ps)) || !reload_begin(&rl, t, opts))
		return -1;
	struct peering *old = v->peerings;
	size_t nold = v->npeerings;
	if (ps) {
		topo_read_run(&rl.r, &TOPO_VNETS_PEERINGS, ps, v, NULL);
	} else {
		v->peerings = NULL;
		v->npeerings = 0;
	}
	if (jin_errors(&rl.j) == 0)
		topo_derive(&rl.r);
	int rc = jin_errors(&rl.j) == 0 ? 0 : -1;
	if (rc != 0) {
		/* Back to the peerings t was loaded with: deriving again from
		 * them gives every derived fact its old value. */
		v->peerings = old;
		v->npeerings = nold;
		diag_clear(rl.d);
		topo_derive(&rl.r);
	}
	diag_destroy(rl.d);
	return rc;
}
