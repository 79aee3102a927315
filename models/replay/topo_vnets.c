/*
 * topo_vnets.c - virtualNetworks, subnets, serviceEndpoints and
 * virtualNetworkPeerings.  See topo_vnets.h.
 */
#include "topo_vnets.h"

#include <string.h>

#include "arena.h"
#include "armid.h"
#include "jsonin.h"
#include "strmap.h"
#include "svctag.h"
#include "topo_load.h"

/* A VNet being read, for the visitors of its members. */
struct in_vnet {
	struct topo_reader *r;
	struct vnet *v;
	size_t next_subnet;            /* link pass: the subnet the next object element made */
};

/* ---- service endpoints ------------------------------------------------------ */

static bool service_endpoints_begin(struct topo_reader *r, struct topo_run *run)
{
	struct subnet *s = run->parent;
	s->services = topo_read_alloc(r, run->n, sizeof(char *));
	s->service_prefixes = s->services ? topo_read_alloc(r, run->n, sizeof(struct prefix_list))
					  : NULL;
	return s->service_prefixes != NULL;
}

/* RULES 2.1: a service maps to a service tag, the VNet's regional one when
 * the catalogue has it. */
static void *read_service_endpoint(struct topo_reader *r, struct topo_run *run, const cJSON *it)
{
	struct jin *j = r->j;
	struct subnet *s = run->parent;
	const char *svc;
	if (!jin_string(j, it, "service", true, &svc))
		return NULL;
	const char *base = svctag_service_tag(svc);
	if (!base) {
		jin_error_at(j, "service",
			     "unknown service \"%s\": vnetsim maps Microsoft.Storage, Microsoft.Sql, "
			     "Microsoft.AzureCosmosDB, Microsoft.KeyVault, Microsoft.ServiceBus, "
			     "Microsoft.EventHub, Microsoft.Web, Microsoft.ContainerRegistry",
			     svc);
		return NULL;
	}
	for (size_t k = 0; k < s->nservices; k++)
		if (strcmp(s->services[k], svc) == 0) {
			jin_error_at(j, "service", "service \"%s\" enabled twice", svc);
			return NULL;
		}
	const struct svctag *tag = svctag_for_service(r->opts->tags, base, s->vnet->location);
	if (!tag) {
		jin_error_at(j, "service",
			     "no service tag \"%s\" (or regional \"%s.*\" for %s) in the %s catalogue",
			     base, base, s->vnet->location, r->opts->tags->origin);
		return NULL;
	}
	s->services[s->nservices] = topo_read_dup(r, svc);
	s->service_prefixes[s->nservices] = tag->prefixes;
	s->nservices++;
	if (r->opts->tags->sample)
		r->t->sample_tags_used = true;
	return NULL;
}

static const char *const SERVICE_ENDPOINT_KEYS[] = { "service", "locations", "provisioningState",
						     NULL };

static const struct topo_coll SERVICE_ENDPOINTS = {
	.key = "serviceEndpoints",
	.expected = "an object like {\"service\": \"Microsoft.Storage\"}",
	.known = SERVICE_ENDPOINT_KEYS, .begin = service_endpoints_begin,
	.item = read_service_endpoint,
};

/* ---- subnets ------------------------------------------------------------------ */

static const struct topo_choice PE_POLICIES[] = {
	{ "Disabled", PE_POLICY_DISABLED },
	{ "Enabled", PE_POLICY_ENABLED },
	{ "RouteTableEnabled", PE_POLICY_ROUTE_TABLE },
	{ "NetworkSecurityGroupEnabled", PE_POLICY_NSG },
};

static enum pe_policy read_pe_policy(struct jin *j, const cJSON *obj)
{
	int policy = PE_POLICY_DISABLED;
	topo_read_choice(j, obj, "privateEndpointNetworkPolicies", false, PE_POLICIES,
			 sizeof(PE_POLICIES) / sizeof(PE_POLICIES[0]),
			 "one of Disabled, Enabled, RouteTableEnabled, NetworkSecurityGroupEnabled",
			 &policy);
	return (enum pe_policy)policy;
}

/* The name, unique within the VNet, without '/' (it is half of the id). */
static void read_subnet_name(struct topo_reader *r, struct topo_run *run, const cJSON *o,
			     struct subnet *s)
{
	struct jin *j = r->j;
	const char *name = NULL;
	if (jin_name(j, o, "name", true, &name) && name[0] == '\0') {
		jin_error_at(j, "name", "empty name");
		name = NULL;
	}
	if (name && strchr(name, '/')) {
		jin_error_at(j, "name", "a subnet name cannot contain '/'");
		name = NULL;
	}
	s->name = name ? topo_read_dup(r, name) : "?";
	/* Under a VNet known by its ID (its name is shared: RULES 2.1.1)
	 * the subnet is known by its own. */
	s->id = armid_is(s->vnet->name) ? arena_printf(r->a, "%s/subnets/%s", s->vnet->name, s->name)
					: arena_printf(r->a, "%s/%s", s->vnet->name, s->name);
	if (name && topo_read_name(r, run, s->name, s)) {
		topo_read_arm(r, o, ARM_SUBNET, s->vnet->arm.id, name, &s->arm, s);
		topo_read_arm_child(r, &s->vnet->arm, "subnets", s->name, &s->arm, s);
	}
}

/* addressPrefix or addressPrefixes, each inside the VNet's space and /29
 * or larger (RULES 2.1). */
static void read_subnet_prefixes(struct topo_reader *r, const cJSON *o, struct subnet *s)
{
	struct jin *j = r->j;
	const struct vnet *v = s->vnet;
	bool one = cJSON_GetObjectItemCaseSensitive(o, "addressPrefix") != NULL;
	bool many = cJSON_GetObjectItemCaseSensitive(o, "addressPrefixes") != NULL;
	if (one && many) {
		jin_error(j, "give addressPrefix or addressPrefixes, not both");
	} else if (many) {
		topo_read_prefixes(r, o, "addressPrefixes", true, &s->prefixes);
		if (s->prefixes.n == 0 &&
		    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "addressPrefixes")))
			jin_error_at(j, "addressPrefixes", "a subnet needs at least one prefix");
	} else {
		struct prefix p;
		s->prefixes.v = arena_calloc(r->a, 1, sizeof(struct prefix));
		if (!one)
			jin_error(j, "missing required key \"addressPrefix\" (or \"addressPrefixes\")");
		else if (jin_prefix(j, o, "addressPrefix", true, &p) && s->prefixes.v)
			s->prefixes.v[s->prefixes.n++] = p;
	}
	const char *key = many ? "addressPrefixes" : "addressPrefix";
	for (size_t i = 0; i < s->prefixes.n; i++) {
		bool inside = false;
		for (size_t k = 0; k < v->space.n && !inside; k++)
			inside = prefix_contains(v->space.v[k], s->prefixes.v[i]);
		char buf[PREFIX_STRLEN];
		if (!inside && v->space.n > 0)
			jin_error_at(j, key, "%s is outside the address space of virtual network \"%s\"",
				     prefix_format(s->prefixes.v[i], buf), v->name);
		if (s->prefixes.v[i].len > 29)
			jin_error_at(j, key, "%s is smaller than /29, the smallest Azure subnet",
				     prefix_format(s->prefixes.v[i], buf));
	}
}

static bool subnets_begin(struct topo_reader *r, struct topo_run *run)
{
	struct vnet *v = run->parent;
	v->subnets = topo_read_alloc(r, run->n, sizeof(*v->subnets));
	return v->subnets != NULL;
}

static void *read_subnet(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct topology *t = r->t;
	struct vnet *v = run->parent;
	struct subnet *s = run->obj;
	s->vnet = v;
	read_subnet_name(r, run, o, s);
	read_subnet_prefixes(r, o, s);
	s->pe_policy = read_pe_policy(r->j, o);
	topo_read_nested(r, &SERVICE_ENDPOINTS, o, s);
	/* RULES 2.1: no overlap with a sibling. */
	for (size_t q = 0; q < v->nsubnets; q++)
		for (size_t x = 0; x < s->prefixes.n; x++)
			for (size_t y = 0; y < v->subnets[q]->prefixes.n; y++)
				if (prefix_overlaps(s->prefixes.v[x], v->subnets[q]->prefixes.v[y]))
					jin_error(r->j, "overlaps subnet \"%s\"", v->subnets[q]->name);
	s->index = t->nsubnets;
	v->subnets[v->nsubnets++] = s;
	t->subnets[t->nsubnets++] = s;
	strmap_put(t->by_subnet, s->id, s);
	return s;
}

static const char *const SUBNET_KEYS[] = { "name", "id", "addressPrefix", "addressPrefixes",
					   "routeTable", "serviceEndpoints",
					   "privateEndpointNetworkPolicies",
					   "privateLinkServiceNetworkPolicies", "networkSecurityGroup",
					   "delegations", NULL };

static const struct topo_coll SUBNETS = {
	.key = "subnets", .expected = "a subnet object", .known = SUBNET_KEYS, .what = "subnet",
	.arm_type = ARM_SUBNET,
	.begin = subnets_begin, .size = sizeof(struct subnet), .item = read_subnet,
};

/* ---- virtual networks ------------------------------------------------------------ */

/* addressSpace (the path at it): prefixes that do not overlap each other. */
static bool read_space(struct jin *j, const cJSON *as, size_t i, void *ctx)
{
	static const char *const known[] = { "addressPrefixes", NULL };
	struct in_vnet *c = ctx;
	struct prefix_list *sp = &c->v->space;
	(void)i;
	jin_known_keys(j, as, known);
	topo_read_prefixes(c->r, as, "addressPrefixes", true, sp);
	if (sp->v && sp->n == 0 &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(as, "addressPrefixes")))
		jin_error_at(j, "addressPrefixes", "a virtual network needs at least one prefix");
	for (size_t a = 0; a < sp->n; a++)
		for (size_t b = a + 1; b < sp->n; b++)
			if (prefix_overlaps(sp->v[a], sp->v[b])) {
				char x[PREFIX_STRLEN], y[PREFIX_STRLEN];
				jin_error_at(j, "addressPrefixes", "%s overlaps %s",
					     prefix_format(sp->v[a], x), prefix_format(sp->v[b], y));
			}
	return true;
}

/* Room for every VNet and every subnet of the array, counted up front. */
static bool vnets_begin(struct topo_reader *r, struct topo_run *run)
{
	struct topology *t = r->t;
	size_t nsub = 0;
	for (const cJSON *it = run->arr ? run->arr->child : NULL; it; it = it->next) {
		const cJSON *subs = cJSON_GetObjectItemCaseSensitive(it, "subnets");
		if (cJSON_IsArray(subs))
			nsub += (size_t)cJSON_GetArraySize(subs);
	}
	t->vnets = topo_read_alloc(r, run->n, sizeof(*t->vnets));
	t->subnets = t->vnets ? topo_read_alloc(r, nsub, sizeof(*t->subnets)) : NULL;
	return t->subnets != NULL;
}

static void *read_vnet(struct topo_reader *r, struct topo_run *run, const cJSON *it)
{
	struct jin *j = r->j;
	struct topology *t = r->t;
	struct vnet *v = run->obj;
	const char *name = NULL, *loc = "";
	if (jin_name(j, it, "name", true, &name) && (name[0] == '\0' || strchr(name, '/'))) {
		jin_error_at(j, "name", "a virtual network name must be non-empty, without '/'");
		name = NULL;
	}
	jin_string(j, it, "location", false, &loc);
	v->name = name ? topo_read_dup(r, topo_read_key(r, run, it, name)) : "?";
	v->location = topo_read_dup(r, loc);
	if (name && topo_read_name(r, run, v->name, v))
		topo_read_arm(r, it, ARM_VNET, NULL, name, &v->arm, v);
	const cJSON *as;
	struct in_vnet c = { .r = r, .v = v };
	if (jin_object(j, it, "addressSpace", true, &as))
		jin_in(j, "addressSpace", as, read_space, &c);
	topo_read_nested(r, &SUBNETS, it, v);
	v->index = t->nvnets;
	t->vnets[t->nvnets++] = v;
	return v;
}

static struct strmap *vnet_index(struct topology *t)
{
	return t->by_vnet;
}

static const char *const VNET_KEYS[] = { "name", "id", "location", "addressSpace", "subnets",
					 "virtualNetworkPeerings", "tags", "type", "dhcpOptions",
					 "enableDdosProtection", NULL };

const struct topo_coll TOPO_VNETS = {
	.key = "virtualNetworks", .required = true, .expected = "a virtual network object",
	.known = VNET_KEYS, .what = "virtual network", .index = vnet_index, .begin = vnets_begin,
	.arm_type = ARM_VNET, .scoped = true,
	.size = sizeof(struct vnet), .item = read_vnet,
};

/* ---- subnet -> route table -------------------------------------------------------- */

static bool link_subnet(struct jin *j, const cJSON *so, size_t k, void *ctx)
{
	struct in_vnet *c = ctx;
	const char *rtn;
	(void)k;
	if (!cJSON_IsObject(so))
		return true;
	/* Each object element made one subnet, in order. */
	struct subnet *s = c->next_subnet < c->v->nsubnets ? c->v->subnets[c->next_subnet++] : NULL;
	if (!s || !jin_ref(j, so, "routeTable", false, &rtn))
		return true;
	s->rt = topology_route_table(c->r->t, rtn);
	if (!s->rt && topo_read_ambiguous(c->r, "routeTable", "route table", ARM_ROUTE_TABLE, rtn))
		return true;
	if (!s->rt)
		jin_error_at(j, "routeTable", "no route table named \"%s\"", rtn);
	else if (strcmp(s->name, "RouteServerSubnet") == 0)
		jin_error_at(j, "routeTable",
			     "RouteServerSubnet does not support a route table (Route Server FAQ)");
	return true;
}

void topo_vnets_link_route_tables(struct topo_reader *r, const cJSON *o, void *vnet, void *ctx)
{
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(o, "subnets");
	struct in_vnet c = { .r = r, .v = vnet };
	(void)ctx;
	if (cJSON_IsArray(subs))
		jin_each(r->j, "subnets", subs, link_subnet, &c);
}

/* ---- peerings -------------------------------------------------------------------- */

/* The VNet a peering of v names: an existing one, not v, not already
 * peered by v; NULL after reporting why. */
static struct vnet *peering_remote(struct topo_reader *r, const struct vnet *v, const char *remote)
{
	struct jin *j = r->j;
	struct vnet *rv = topology_vnet(r->t, remote);
	if (!rv && topo_read_ambiguous(r, "remoteVirtualNetwork", "virtual network", ARM_VNET, remote))
		return NULL;
	if (!rv) {
		jin_error_at(j, "remoteVirtualNetwork", "no virtual network named \"%s\"", remote);
		return NULL;
	}
	if (rv == v) {
		jin_error_at(j, "remoteVirtualNetwork", "a virtual network cannot peer with itself");
		return NULL;
	}
	for (size_t q = 0; q < v->npeerings; q++)
		if (v->peerings[q].remote == rv) {
			jin_error_at(j, "remoteVirtualNetwork", "\"%s\" is already peered by \"%s\"",
				     remote, v->peerings[q].name);
			return NULL;
		}
	return rv;
}

static bool peerings_begin(struct topo_reader *r, struct topo_run *run)
{
	struct vnet *v = run->parent;
	v->peerings = topo_read_alloc(r, run->n, sizeof(*v->peerings));
	v->npeerings = 0;
	return v->peerings != NULL;
}

static void *read_peering(struct topo_reader *r, struct topo_run *run, const cJSON *po)
{
	struct jin *j = r->j;
	struct vnet *v = run->parent;
	const char *name = NULL, *remote = NULL;
	struct peering p = { .local = v, .allow_vnet_access = true };
	if (jin_name(j, po, "name", true, &name)) {
		p.name = topo_read_dup(r, name);
		topo_read_name(r, run, p.name, NULL);
	}
	jin_bool(j, po, "allowVirtualNetworkAccess", false, &p.allow_vnet_access);
	jin_bool(j, po, "allowForwardedTraffic", false, &p.allow_forwarded);
	jin_bool(j, po, "allowGatewayTransit", false, &p.allow_gateway_transit);
	jin_bool(j, po, "useRemoteGateways", false, &p.use_remote_gateways);
	if (jin_ref(j, po, "remoteVirtualNetwork", true, &remote))
		p.remote = peering_remote(r, v, remote);
	if (!p.remote || !p.name)
		return NULL;
	/* RULES 2.1: peered VNets must not overlap. */
	for (size_t a = 0; a < v->space.n; a++)
		for (size_t b = 0; b < p.remote->space.n; b++)
			if (prefix_overlaps(v->space.v[a], p.remote->space.v[b])) {
				char x[PREFIX_STRLEN], y[PREFIX_STRLEN];
				jin_error(j, "cannot peer: %s of \"%s\" overlaps %s of \"%s\"",
					  prefix_format(v->space.v[a], x), v->name,
					  prefix_format(p.remote->space.v[b], y), p.remote->name);
			}
	v->peerings[v->npeerings++] = p;
	return &v->peerings[v->npeerings - 1];
}

static const char *const PEERING_KEYS[] = { "name", "id", "remoteVirtualNetwork",
					    "allowVirtualNetworkAccess", "allowForwardedTraffic",
					    "allowGatewayTransit", "useRemoteGateways",
					    "peeringState", "peeringSyncLevel", "remoteAddressSpace",
					    NULL };

const struct topo_coll TOPO_VNETS_PEERINGS = {
	.key = "virtualNetworkPeerings", .expected = "a peering object", .known = PEERING_KEYS,
	.what = "peering", .begin = peerings_begin, .item = read_peering,
};

void topo_vnets_read_peerings(struct topo_reader *r, const cJSON *o, void *vnet, void *ctx)
{
	(void)ctx;
	topo_read_nested(r, &TOPO_VNETS_PEERINGS, o, vnet);
}
