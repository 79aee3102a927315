/*
 * topo_load.c - scenario `topology` JSON -> struct topology (SPEC 2.1).
 *
 * Loading runs in passes so every reference can point anywhere:
 *   1. collections and names: VNets, subnets, route tables, gateways,
 *      connections, Route Servers (uniqueness, per-object fields);
 *   2. references between them (subnet -> route table, peering -> VNet,
 *      gateway -> VNet, connection -> gateway, Route Server -> subnet);
 *   3. addresses: static NIC / private endpoint addresses are reserved per
 *      subnet, then dynamic ones are handed out from .4 upward in scenario
 *      order (Azure keeps .0-.3 and the last address);
 *   4. derived facts: connected and global peerings, gateway transit and
 *      every VNet's routing domain, and the cross-object rules.
 * Errors never stop a pass: the user sees all of them at once.  Everything
 * lives in the topology's arena; on any error the whole arena is dropped.
 */
#include "topo_load.h"

#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "svctag.h"
#include "arena.h"
#include "diag.h"
#include "strmap.h"

#define MAX_ROUTES_PER_TABLE 400   /* reference 2.4 */
#define MAX_TAG_ROUTES_PER_TABLE 25 /* reference 2.3 */
#define MAX_BGP_CONNS 8            /* SPEC 1.8 */

struct loader {
	struct jin *j;
	struct topology *t;
	struct arena *a;
	const struct topo_opts *opts;
	const cJSON *root;
	/* scratch per subnet for address allocation */
	uint32_t **used;               /* sorted static addresses per subnet */
	size_t *nused;
	size_t errors0;                /* errors the jin had before this load: not ours */
};

#define FOREACH_ITEM(j, arr, it, idx)                                                           \
	for (const cJSON *it = (arr) ? (arr)->child : NULL; it; it = it->next, (idx)++)

bool asn_reserved(uint32_t asn)
{
	return asn == 8074 || asn == 8075 || asn == 12076 || asn == 23456 ||
	       (asn >= 64496 && asn <= 64511) || asn == 65515 || (asn >= 65517 && asn <= 65520) ||
	       (asn >= 65535 && asn <= 65551) || asn == 4294967295u;
}

static const char *dup(struct loader *l, const char *s) { return arena_strdup(l->a, s); }

/* Reads an array member into a prefix list (errors reported per item). */
static void read_prefix_list(struct loader *l, const cJSON *obj, const char *key, bool required,
			     struct prefix_list *out)
{
	const cJSON *arr;
	out->n = 0;
	out->v = NULL;
	if (!jin_array(l->j, obj, key, required, &arr))
		return;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	out->v = arena_calloc(l->a, n ? n : 1, sizeof(struct prefix));
	size_t m = jin_push_key(l->j, key);
	FOREACH_ITEM(l->j, arr, it, i) {
		size_t m2 = jin_push_index(l->j, i);
		struct prefix p;
		if (jin_prefix_value(l->j, it, &p)) {
			bool again = false;
			for (size_t k = 0; k < out->n && !again; k++)
				again = prefix_equal(out->v[k], p);
			if (again)
				jin_error(l->j, "prefix listed twice");
			else
				out->v[out->n++] = p;
		}
		jin_pop(l->j, m2);
	}
	jin_pop(l->j, m);
}

static bool read_asn(struct loader *l, const cJSON *obj, const char *key, bool required,
		     uint32_t *out, bool two_byte_warning)
{
	uint64_t v;
	if (!jin_uint(l->j, obj, key, required, 1, 4294967295u, &v))
		return false;
	if (asn_reserved((uint32_t)v)) {
		jin_error_at(l->j, key, "ASN %llu is reserved by Azure or IANA (reference 5.2)",
			     (unsigned long long)v);
		return false;
	}
	if (two_byte_warning && v > 65535) {
		size_t m = jin_push_key(l->j, key);
		jin_warn(l->j, "ASN %llu is a 4-byte ASN: the Route Server documents 2-byte ASNs "
			       "only (accepted, as real deployments show)",
			 (unsigned long long)v);
		jin_pop(l->j, m);
	}
	*out = (uint32_t)v;
	return true;
}

/* Registers name -> value; a duplicate is an error at .name. */
static bool names_ok(struct loader *l, struct strmap *m, const char *name, void *value,
		     const char *what)
{
	if (!name)
		return false;
	int r = strmap_put(m, name, value);
	if (r == 0) {
		jin_error_at(l->j, "name", "duplicate %s name \"%s\"", what, name);
		return false;
	}
	return r > 0;
}

/* ---- pass 1: virtual networks and subnets ---------------------------- */

static enum pe_policy parse_pe_policy(struct loader *l, const cJSON *obj)
{
	const char *s;
	if (!jin_string(l->j, obj, "privateEndpointNetworkPolicies", false, &s))
		return PE_POLICY_DISABLED;
	if (strcmp(s, "Disabled") == 0)
		return PE_POLICY_DISABLED;
	if (strcmp(s, "Enabled") == 0)
		return PE_POLICY_ENABLED;
	if (strcmp(s, "RouteTableEnabled") == 0)
		return PE_POLICY_ROUTE_TABLE;
	if (strcmp(s, "NetworkSecurityGroupEnabled") == 0)
		return PE_POLICY_NSG;
	jin_error_at(l->j, "privateEndpointNetworkPolicies",
		     "\"%s\" is not one of Disabled, Enabled, RouteTableEnabled, "
		     "NetworkSecurityGroupEnabled",
		     s);
	return PE_POLICY_DISABLED;
}

static void load_subnet(struct loader *l, struct vnet *v, const cJSON *o, struct strmap *names,
			struct subnet *s)
{
	static const char *const known[] = { "name", "id", "addressPrefix", "addressPrefixes",
					     "routeTable", "serviceEndpoints",
					     "privateEndpointNetworkPolicies",
					     "privateLinkServiceNetworkPolicies",
					     "networkSecurityGroup", "delegations", NULL };
	struct jin *j = l->j;
	jin_known_keys(j, o, known);
	const char *name = NULL;
	if (jin_string(j, o, "name", true, &name) && name[0] == '\0')
		jin_error_at(j, "name", "empty name"), name = NULL;
	if (name && strchr(name, '/'))
		jin_error_at(j, "name", "a subnet name cannot contain '/'"), name = NULL;
	s->vnet = v;
	s->name = name ? dup(l, name) : "?";
	s->id = arena_printf(l->a, "%s/%s", v->name, s->name);
	if (name)
		names_ok(l, names, s->name, s, "subnet");

	bool one = cJSON_GetObjectItemCaseSensitive(o, "addressPrefix") != NULL;
	bool many = cJSON_GetObjectItemCaseSensitive(o, "addressPrefixes") != NULL;
	if (one && many) {
		jin_error(j, "give addressPrefix or addressPrefixes, not both");
	} else if (many) {
		read_prefix_list(l, o, "addressPrefixes", true, &s->prefixes);
		if (s->prefixes.n == 0 && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "addressPrefixes")))
			jin_error_at(j, "addressPrefixes", "a subnet needs at least one prefix");
	} else {
		struct prefix p;
		s->prefixes.v = arena_calloc(l->a, 1, sizeof(struct prefix));
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
	s->pe_policy = parse_pe_policy(l, o);

	const cJSON *ses;
	if (jin_array(j, o, "serviceEndpoints", false, &ses)) {
		size_t n = (size_t)cJSON_GetArraySize(ses), i = 0;
		s->services = arena_calloc(l->a, n ? n : 1, sizeof(char *));
		s->service_prefixes = arena_calloc(l->a, n ? n : 1, sizeof(struct prefix_list));
		size_t m = jin_push_key(j, "serviceEndpoints");
		FOREACH_ITEM(j, ses, it, i) {
			size_t m2 = jin_push_index(j, i);
			static const char *const se_known[] = { "service", "locations",
								"provisioningState", NULL };
			const char *svc;
			if (!cJSON_IsObject(it)) {
				jin_error(j, "expected an object like {\"service\": \"Microsoft.Storage\"}");
			} else if (jin_known_keys(j, it, se_known),
				   jin_string(j, it, "service", true, &svc)) {
				const char *base = svctag_service_tag(svc);
				bool twice = false;
				for (size_t k = 0; k < s->nservices; k++)
					twice = twice || strcmp(s->services[k], svc) == 0;
				if (!base) {
					jin_error_at(j, "service",
						     "unknown service \"%s\": vnetsim maps Microsoft.Storage, "
						     "Microsoft.Sql, Microsoft.AzureCosmosDB, "
						     "Microsoft.KeyVault, Microsoft.ServiceBus, "
						     "Microsoft.EventHub, Microsoft.Web, "
						     "Microsoft.ContainerRegistry",
						     svc);
				} else if (twice) {
					jin_error_at(j, "service", "service \"%s\" enabled twice", svc);
				} else {
					const struct svctag *tag =
						svctag_for_service(l->opts->tags, base, v->location);
					if (!tag) {
						jin_error_at(j, "service",
							     "no service tag \"%s\" (or regional \"%s.*\" for "
							     "%s) in the %s catalogue",
							     base, base, v->location, l->opts->tags->origin);
					} else {
						s->services[s->nservices] = dup(l, svc);
						s->service_prefixes[s->nservices] = tag->prefixes;
						s->nservices++;
						if (l->opts->tags->sample)
							l->t->sample_tags_used = true;
					}
				}
			}
			jin_pop(j, m2);
		}
		jin_pop(j, m);
	}
}

static void load_vnets(struct loader *l, const cJSON *arr)
{
	static const char *const known[] = { "name", "id", "location", "addressSpace", "subnets",
					     "virtualNetworkPeerings", "tags", "type",
					     "dhcpOptions", "enableDdosProtection", NULL };
	struct jin *j = l->j;
	struct topology *t = l->t;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0, total_subnets = 0;
	t->vnets = arena_calloc(l->a, n ? n : 1, sizeof(*t->vnets));
	FOREACH_ITEM(j, arr, it, i) {
		const cJSON *subs = cJSON_GetObjectItemCaseSensitive(it, "subnets");
		if (cJSON_IsArray(subs))
			total_subnets += (size_t)cJSON_GetArraySize(subs);
	}
	t->subnets = arena_calloc(l->a, total_subnets ? total_subnets : 1, sizeof(*t->subnets));
	size_t mv = jin_push_key(j, "virtualNetworks");
	i = 0;
	FOREACH_ITEM(j, arr, it, i) {
		size_t m = jin_push_index(j, i);
		if (!cJSON_IsObject(it)) {
			jin_error(j, "expected a virtual network object");
			jin_pop(j, m);
			continue;
		}
		jin_known_keys(j, it, known);
		struct vnet *v = arena_calloc(l->a, 1, sizeof(*v));
		const char *name = NULL, *loc = "";
		if (jin_string(j, it, "name", true, &name) && (name[0] == '\0' || strchr(name, '/')))
			jin_error_at(j, "name", "a virtual network name must be non-empty, without '/'"),
				name = NULL;
		jin_string(j, it, "location", false, &loc);
		v->name = name ? dup(l, name) : "?";
		v->location = dup(l, loc);
		if (name)
			names_ok(l, t->by_vnet, v->name, v, "virtual network");
		const cJSON *as;
		if (jin_object(j, it, "addressSpace", true, &as)) {
			size_t m2 = jin_push_key(j, "addressSpace");
			static const char *const as_known[] = { "addressPrefixes", NULL };
			jin_known_keys(j, as, as_known);
			read_prefix_list(l, as, "addressPrefixes", true, &v->space);
			if (v->space.v && v->space.n == 0 &&
			    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(as, "addressPrefixes")))
				jin_error_at(j, "addressPrefixes", "a virtual network needs at least one prefix");
			for (size_t a = 0; a < v->space.n; a++)
				for (size_t b = a + 1; b < v->space.n; b++)
					if (prefix_overlaps(v->space.v[a], v->space.v[b])) {
						char x[PREFIX_STRLEN], y[PREFIX_STRLEN];
						jin_error_at(j, "addressPrefixes", "%s overlaps %s",
							     prefix_format(v->space.v[a], x),
							     prefix_format(v->space.v[b], y));
					}
			jin_pop(j, m2);
		}
		const cJSON *subs;
		struct strmap *snames = strmap_create();
		if (jin_array(j, it, "subnets", false, &subs)) {
			size_t ns = (size_t)cJSON_GetArraySize(subs), k = 0;
			v->subnets = arena_calloc(l->a, ns ? ns : 1, sizeof(*v->subnets));
			size_t m2 = jin_push_key(j, "subnets");
			FOREACH_ITEM(j, subs, so, k) {
				size_t m3 = jin_push_index(j, k);
				if (!cJSON_IsObject(so)) {
					jin_error(j, "expected a subnet object");
				} else {
					struct subnet *s = arena_calloc(l->a, 1, sizeof(*s));
					load_subnet(l, v, so, snames, s);
					/* SPEC 2.1: no overlap with a sibling. */
					for (size_t q = 0; q < v->nsubnets; q++)
						for (size_t x = 0; x < s->prefixes.n; x++)
							for (size_t y = 0; y < v->subnets[q]->prefixes.n; y++)
								if (prefix_overlaps(s->prefixes.v[x],
										    v->subnets[q]->prefixes.v[y]))
									jin_error(j, "overlaps subnet \"%s\"",
										  v->subnets[q]->name);
					s->index = t->nsubnets;
					v->subnets[v->nsubnets++] = s;
					t->subnets[t->nsubnets++] = s;
					strmap_put(t->by_subnet, s->id, s);
				}
				jin_pop(j, m3);
			}
			jin_pop(j, m2);
		}
		strmap_destroy(snames);
		v->index = t->nvnets;
		t->vnets[t->nvnets++] = v;
		jin_pop(j, m);
	}
	jin_pop(j, mv);
}

/* Peerings are read after every VNet exists. */
/* The peerings of v from its `virtualNetworkPeerings` array ps (j's path
 * at the VNet). */
static void load_vnet_peerings(struct loader *l, struct vnet *v, const cJSON *ps)
{
	static const char *const known[] = { "name", "id", "remoteVirtualNetwork",
					     "allowVirtualNetworkAccess", "allowForwardedTraffic",
					     "allowGatewayTransit", "useRemoteGateways",
					     "peeringState", "peeringSyncLevel", "remoteAddressSpace",
					     NULL };
	struct jin *j = l->j;
	size_t m2 = jin_push_key(j, "virtualNetworkPeerings");
	size_t n = (size_t)cJSON_GetArraySize(ps), k = 0;
	v->peerings = arena_calloc(l->a, n ? n : 1, sizeof(*v->peerings));
	v->npeerings = 0;
	struct strmap *names = strmap_create();
	FOREACH_ITEM(j, ps, po, k) {
		size_t m3 = jin_push_index(j, k);
		const char *name = NULL, *remote = NULL;
		if (!cJSON_IsObject(po)) {
			jin_error(j, "expected a peering object");
			jin_pop(j, m3);
			continue;
		}
		jin_known_keys(j, po, known);
		struct peering p = { .local = v, .allow_vnet_access = true };
		if (jin_string(j, po, "name", true, &name)) {
			p.name = dup(l, name);
			names_ok(l, names, p.name, NULL, "peering");
		}
		jin_bool(j, po, "allowVirtualNetworkAccess", false, &p.allow_vnet_access);
		jin_bool(j, po, "allowForwardedTraffic", false, &p.allow_forwarded);
		jin_bool(j, po, "allowGatewayTransit", false, &p.allow_gateway_transit);
		jin_bool(j, po, "useRemoteGateways", false, &p.use_remote_gateways);
		if (jin_ref(j, po, "remoteVirtualNetwork", true, &remote)) {
			p.remote = topology_vnet(l->t, remote);
			if (!p.remote)
				jin_error_at(j, "remoteVirtualNetwork", "no virtual network named \"%s\"",
					     remote);
			else if (p.remote == v)
				jin_error_at(j, "remoteVirtualNetwork",
					     "a virtual network cannot peer with itself"),
					p.remote = NULL;
			for (size_t q = 0; p.remote && q < v->npeerings; q++)
				if (v->peerings[q].remote == p.remote) {
					jin_error_at(j, "remoteVirtualNetwork",
						     "\"%s\" is already peered by \"%s\"", remote,
						     v->peerings[q].name);
					p.remote = NULL;
				}
		}
		if (p.remote && p.name) {
			/* SPEC 2.1: peered VNets must not overlap. */
			for (size_t a = 0; a < v->space.n; a++)
				for (size_t b = 0; b < p.remote->space.n; b++)
					if (prefix_overlaps(v->space.v[a], p.remote->space.v[b])) {
						char x[PREFIX_STRLEN], y[PREFIX_STRLEN];
						jin_error(j, "cannot peer: %s of \"%s\" overlaps %s of \"%s\"",
							  prefix_format(v->space.v[a], x), v->name,
							  prefix_format(p.remote->space.v[b], y),
							  p.remote->name);
					}
			v->peerings[v->npeerings++] = p;
		}
		jin_pop(j, m3);
	}
	strmap_destroy(names);
	jin_pop(j, m2);
}

static void load_peerings(struct loader *l, const cJSON *arr)
{
	struct jin *j = l->j;
	size_t mv = jin_push_key(j, "virtualNetworks"), i = 0;
	FOREACH_ITEM(j, arr, it, i) {
		const cJSON *ps;
		if (i >= l->t->nvnets || !cJSON_IsObject(it) ||
		    !cJSON_IsArray(ps = cJSON_GetObjectItemCaseSensitive(it, "virtualNetworkPeerings")))
			continue;
		size_t m = jin_push_index(j, i);
		load_vnet_peerings(l, l->t->vnets[i], ps);
		jin_pop(j, m);
	}
	jin_pop(j, mv);
}

/* ---- route tables ------------------------------------------------------- */

static const char *const UDR_TYPES = "VirtualAppliance, VirtualNetworkGateway, VnetLocal, Internet, None";

static void load_route(struct loader *l, struct route_table *rt, const cJSON *o, struct udr *u,
		       size_t *ntag)
{
	static const char *const known[] = { "name", "id", "addressPrefix", "nextHopType",
					     "nextHopIpAddress", "hasBgpOverride", NULL };
	struct jin *j = l->j;
	jin_known_keys(j, o, known);
	const char *name = NULL, *pfx = NULL, *type = NULL;
	jin_string(j, o, "name", true, &name);
	u->name = name ? dup(l, name) : "?";
	if (jin_string(j, o, "addressPrefix", true, &pfx)) {
		u->prefix_text = dup(l, pfx);
		struct prefix p;
		enum prefix_status st = prefix_parse(pfx, &p);
		bool looks_cidr = strchr(pfx, '/') != NULL || (pfx[0] >= '0' && pfx[0] <= '9');
		if (st == PREFIX_OK) {
			u->prefixes.v = arena_calloc(l->a, 1, sizeof(struct prefix));
			if (u->prefixes.v)
				u->prefixes.v[u->prefixes.n++] = p;
		} else if (looks_cidr) {
			size_t m = jin_push_key(j, "addressPrefix");
			jin_prefix_value(j, cJSON_GetObjectItemCaseSensitive(o, "addressPrefix"), &p);
			jin_pop(j, m);
		} else {
			const struct svctag *tag = svctag_find(l->opts->tags, pfx);
			if (!tag) {
				jin_error_at(j, "addressPrefix",
					     "\"%s\" is neither a CIDR prefix nor a service tag of the %s "
					     "catalogue",
					     pfx, l->opts->tags->origin);
			} else {
				u->tag = tag->region[0] ? TAG_REGIONAL : TAG_GLOBAL;
				u->prefixes = tag->prefixes;
				if (l->opts->tags->sample)
					l->t->sample_tags_used = true;
				if (++*ntag == MAX_TAG_ROUTES_PER_TABLE + 1)
					jin_error_at(j, "addressPrefix",
						     "route table \"%s\" has more than %d service tag routes",
						     rt->name, MAX_TAG_ROUTES_PER_TABLE);
			}
		}
	}
	u->nh = NH_NONE;
	if (jin_string(j, o, "nextHopType", true, &type)) {
		if (strcmp(type, "VirtualAppliance") == 0)
			u->nh = NH_VIRTUAL_APPLIANCE;
		else if (strcmp(type, "VirtualNetworkGateway") == 0)
			u->nh = NH_VNET_GATEWAY;
		else if (strcmp(type, "VnetLocal") == 0)
			u->nh = NH_VNET_LOCAL;
		else if (strcmp(type, "Internet") == 0)
			u->nh = NH_INTERNET;
		else if (strcmp(type, "None") == 0)
			u->nh = NH_NONE;
		else
			jin_error_at(j, "nextHopType", "\"%s\" is not a route next hop type (%s)", type,
				     UDR_TYPES);
	}
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(o, "nextHopIpAddress");
	bool ip_null = !ip || cJSON_IsNull(ip) || (cJSON_IsString(ip) && ip->valuestring[0] == '\0');
	if (type && u->nh == NH_VIRTUAL_APPLIANCE) {
		if (ip_null)
			jin_error(j, "nextHopType VirtualAppliance needs nextHopIpAddress");
		else if (jin_ipv4(j, o, "nextHopIpAddress", true, &u->nh_ip))
			u->has_nh_ip = true;
	} else if (!ip_null) {
		jin_error_at(j, "nextHopIpAddress", "only a VirtualAppliance route has a next hop address");
	}
}

/* One route table object, into a new struct; *named tells whether it has
 * a valid name (names_ok on by_rt is the caller's). */
static struct route_table *load_route_table(struct loader *l, const cJSON *it, bool *named)
{
	static const char *const known[] = { "name", "id", "location", "routes",
					     "disableBgpRoutePropagation", "tags", NULL };
	struct jin *j = l->j;
	jin_known_keys(j, it, known);
	struct route_table *rt = arena_calloc(l->a, 1, sizeof(*rt));
	if (!rt) {
		jin_error(j, "out of memory");
		return NULL;
	}
	const char *name = NULL;
	jin_string(j, it, "name", true, &name);
	rt->name = name ? dup(l, name) : "?";
	*named = name != NULL;
	jin_bool(j, it, "disableBgpRoutePropagation", false, &rt->disable_bgp);
	const cJSON *routes;
	if (jin_array(j, it, "routes", false, &routes)) {
		size_t nr = (size_t)cJSON_GetArraySize(routes), k = 0, ntag = 0;
		if (nr > MAX_ROUTES_PER_TABLE)
			jin_error_at(j, "routes", "%zu routes: a route table holds at most %d", nr,
				     MAX_ROUTES_PER_TABLE);
		rt->routes = arena_calloc(l->a, nr ? nr : 1, sizeof(*rt->routes));
		struct strmap *names = strmap_create();
		size_t m2 = jin_push_key(j, "routes");
		FOREACH_ITEM(j, routes, ro, k) {
			if (k >= MAX_ROUTES_PER_TABLE)
				break;
			size_t m3 = jin_push_index(j, k);
			if (!cJSON_IsObject(ro)) {
				jin_error(j, "expected a route object");
				jin_pop(j, m3);
				continue;
			}
			struct udr *u = &rt->routes[rt->nroutes];
			load_route(l, rt, ro, u, &ntag);
			if (strcmp(u->name, "?") != 0)
				names_ok(l, names, u->name, NULL, "route");
			/* RouteConflict: the same addressPrefix twice. */
			for (size_t q = 0; q < rt->nroutes && u->prefix_text; q++)
				if (rt->routes[q].prefix_text &&
				    (strcmp(rt->routes[q].prefix_text, u->prefix_text) == 0 ||
				     (u->tag == TAG_NONE && rt->routes[q].tag == TAG_NONE &&
				      u->prefixes.n == 1 && rt->routes[q].prefixes.n == 1 &&
				      prefix_equal(u->prefixes.v[0], rt->routes[q].prefixes.v[0]))))
					jin_error(j, "RouteConflict: route \"%s\" conflicts with route "
						     "\"%s\": routes cannot have the same addressPrefix",
						  u->name, rt->routes[q].name);
			rt->nroutes++;
			jin_pop(j, m3);
		}
		jin_pop(j, m2);
		strmap_destroy(names);
	}
	return rt;
}

static void load_route_tables(struct loader *l, const cJSON *arr)
{
	struct jin *j = l->j;
	struct topology *t = l->t;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	t->rts = arena_calloc(l->a, n ? n : 1, sizeof(*t->rts));
	size_t m0 = jin_push_key(j, "routeTables");
	FOREACH_ITEM(j, arr, it, i) {
		size_t m = jin_push_index(j, i);
		if (!cJSON_IsObject(it)) {
			jin_error(j, "expected a route table object");
			jin_pop(j, m);
			continue;
		}
		bool named = false;
		struct route_table *rt = load_route_table(l, it, &named);
		if (rt && named)
			names_ok(l, t->by_rt, rt->name, rt, "route table");
		if (rt)
			t->rts[t->nrts++] = rt;
		jin_pop(j, m);
	}
	jin_pop(j, m0);
}

static const cJSON *named_object(const cJSON *topology, const char *key, const char *name);

int topo_reload_route_table(struct topology *t, const cJSON *topology, const char *name,
			    const struct topo_opts *opts)
{
	struct route_table *rt = topology_route_table(t, name);
	const cJSON *obj = named_object(topology, "routeTables", name);
	if (!rt || (t->refs != 1 && !opts->shared_ok) || !cJSON_IsObject(obj))
		return -1;
	struct diag *d = diag_create();
	if (!d)
		return -1;
	struct jin j;
	jin_init(&j, d, "");
	/* The new contents go to t's arena; on error they stay there unused
	 * (bounded by the edits made) and t is unchanged. */
	struct loader l = { .j = &j, .t = t, .a = t->arena, .opts = opts, .root = topology };
	bool sample_used = t->sample_tags_used;
	bool named = false;
	struct route_table *nrt = load_route_table(&l, obj, &named);
	int rc = nrt && named && jin_errors(&j) == 0 && strcmp(nrt->name, rt->name) == 0 ? 0 : -1;
	if (rc == 0) {
		*rt = *nrt; /* subnets keep pointing at rt */
	} else {
		t->sample_tags_used = sample_used;
	}
	diag_destroy(d);
	return rc;
}

/* Subnet -> route table references, read once route tables exist. */
static void link_subnet_route_tables(struct loader *l, const cJSON *vnets)
{
	struct jin *j = l->j;
	size_t mv = jin_push_key(j, "virtualNetworks"), i = 0;
	FOREACH_ITEM(j, vnets, it, i) {
		const cJSON *subs = cJSON_GetObjectItemCaseSensitive(it, "subnets");
		if (i >= l->t->nvnets || !cJSON_IsArray(subs))
			continue;
		struct vnet *v = l->t->vnets[i];
		size_t m = jin_push_index(j, i), m2 = jin_push_key(j, "subnets"), k = 0, idx = 0;
		FOREACH_ITEM(j, subs, so, k) {
			if (!cJSON_IsObject(so))
				continue;
			struct subnet *s = idx < v->nsubnets ? v->subnets[idx++] : NULL;
			const char *rtn;
			size_t m3 = jin_push_index(j, k);
			if (s && jin_ref(j, so, "routeTable", false, &rtn)) {
				s->rt = topology_route_table(l->t, rtn);
				if (!s->rt)
					jin_error_at(j, "routeTable", "no route table named \"%s\"", rtn);
				else if (strcmp(s->name, "RouteServerSubnet") == 0)
					jin_error_at(j, "routeTable",
						     "RouteServerSubnet does not support a route table "
						     "(Route Server FAQ)");
			}
			jin_pop(j, m3);
		}
		jin_pop(j, m2);
		jin_pop(j, m);
	}
	jin_pop(j, mv);
}

/* ---- addresses ---------------------------------------------------------- */

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Usable host range of a subnet prefix: Azure keeps .0-.3 and the last. */
static bool usable(const struct subnet *s, uint32_t ip)
{
	for (size_t i = 0; i < s->prefixes.n; i++) {
		struct prefix p = s->prefixes.v[i];
		if (prefix_contains_addr(p, ip))
			return ip >= p.addr + 4 && ip < prefix_last(p);
	}
	return false;
}

static bool reserve(struct loader *l, struct subnet *s, uint32_t ip, const char *what)
{
	char buf[IPV4_STRLEN];
	if (!usable(s, ip)) {
		jin_error(l->j, "%s is not a usable address of subnet \"%s\" (Azure reserves the "
				"first four and the last address)",
			  ipv4_format(ip, buf), s->id);
		return false;
	}
	uint32_t *u = l->used[s->index];
	size_t n = l->nused[s->index];
	for (size_t i = 0; i < n; i++) /* static addresses are few; O(n^2) is fine */
		if (u[i] == ip) {
			jin_error(l->j, "%s is already used in subnet \"%s\" (%s)", ipv4_format(ip, buf),
				  s->id, what);
			return false;
		}
	uint32_t *nu = realloc(u, (n + 1) * sizeof(*nu));
	if (!nu)
		return false;
	nu[n] = ip;
	l->used[s->index] = nu;
	l->nused[s->index] = n + 1;
	return true;
}

struct alloc_cursor {
	size_t prefix;                 /* current prefix of the subnet */
	uint32_t next;                 /* next candidate address */
	size_t used_pos;               /* position in the sorted static list */
	bool started, full;
};

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

/* Next free dynamic address of s, from .4 upward, skipping static ones. */
static bool allocate(struct loader *l, struct subnet *s, struct alloc_cursor *c, uint32_t *out)
{
	const uint32_t *u = l->used[s->index];
	size_t nu = l->nused[s->index];
	while (!c->full && c->prefix < s->prefixes.n) {
		struct prefix p = s->prefixes.v[c->prefix];
		if (!c->started) {
			/* Prefixes need not be in address order: find the
			 * first static address at or above this prefix's .4. */
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

/* ---- NICs and private endpoints ---------------------------------------- */

struct nic_src {
	const cJSON *obj;
	size_t index;                  /* in networkInterfaces */
	struct subnet *subnet;
	uint64_t count;
	bool has_ip;
	uint32_t ip;
	bool forwarding;
	const char *name;
};

/* tmpl with '*' replaced by i+1, zero-padded to the width of count
 * ("web-*", 12 -> "web-01" .. "web-12").  Formatted by hand: a template of
 * thousands of NICs made printf the load's hot spot. */
static const char *expand_name(struct loader *l, const char *tmpl, uint64_t i, uint64_t count)
{
	if (count == 1)
		return dup(l, tmpl);
	char digits[24];
	int width = 0;
	for (uint64_t c = count; c > 0; c /= 10)
		width++;
	uint64_t v = i + 1;
	for (int d = width - 1; d >= 0; d--, v /= 10)
		digits[d] = (char)('0' + v % 10);
	const char *star = strchr(tmpl, '*');
	size_t head = (size_t)(star - tmpl), tail = strlen(star + 1);
	char *out = arena_alloc(l->a, head + (size_t)width + tail + 1);
	if (!out)
		return NULL;
	memcpy(out, tmpl, head);
	memcpy(out + head, digits, (size_t)width);
	memcpy(out + head + (size_t)width, star + 1, tail + 1);
	return out;
}

static struct subnet *subnet_ref(struct loader *l, const cJSON *obj, const char *key)
{
	const char *id;
	if (!jin_ref(l->j, obj, key, true, &id))
		return NULL;
	struct subnet *s = topology_subnet(l->t, id);
	if (!s)
		jin_error_at(l->j, key, "no subnet \"%s\" (references are \"vnet/subnet\")", id);
	return s;
}

/* The address `name` had in the previous topology, if it keeps it: same
 * subnet, dynamic now, and still usable there.  0 otherwise.  pos is the
 * NIC's position: after most edits the NIC there had the same name, which
 * spares the lookup. */
static uint32_t previous_address(const struct loader *l, const struct nic_src *ns, const char *name,
				 size_t pos, bool pe)
{
	const struct topology *prev = l->opts->prev;
	if (!prev || ns->has_ip || !ns->subnet)
		return 0;
	const struct subnet *was = NULL;
	uint32_t ip = 0;
	if (!pe) {
		const struct nic *n = pos < prev->nnics && strcmp(prev->nics[pos].name, name) == 0
					      ? &prev->nics[pos]
					      : topology_nic(prev, name);
		if (n)
			was = n->subnet, ip = n->ip;
	} else {
		for (size_t k = 0; k < prev->npes && !was; k++)
			if (strcmp(prev->pes[k].name, name) == 0)
				was = prev->pes[k].subnet, ip = prev->pes[k].ip;
	}
	if (!was || strcmp(was->id, ns->subnet->id) != 0 || !usable(ns->subnet, ip))
		return 0;
	return ip;
}

/* Adds the kept addresses to the subnets' used lists (which must then be
 * sorted).  A kept address equal to a static one means an edit gave an
 * interface the address another one holds: an error, as in Azure. */
static bool reserve_kept(struct loader *l, const struct subnet *const *sub, const uint32_t *kept,
			 size_t n)
{
	size_t ns = l->t->nsubnets;
	size_t *add = calloc(ns ? ns : 1, sizeof(*add));
	if (!add)
		return false;
	for (size_t k = 0; k < n; k++)
		if (kept[k])
			add[sub[k]->index]++;
	bool ok = true;
	for (size_t s = 0; s < ns && ok; s++) {
		if (!add[s])
			continue;
		uint32_t *u = realloc(l->used[s], (l->nused[s] + add[s]) * sizeof(*u));
		if (!u)
			ok = false;
		else
			l->used[s] = u;
	}
	for (size_t k = 0; k < n && ok; k++)
		if (kept[k])
			l->used[sub[k]->index][l->nused[sub[k]->index]++] = kept[k];
	free(add);
	return ok;
}

/* After sorting: an address listed twice in a subnet. */
static void check_used_unique(struct loader *l)
{
	for (size_t s = 0; s < l->t->nsubnets; s++) {
		for (size_t k = 1; k < l->nused[s]; k++) {
			if (l->used[s][k] != l->used[s][k - 1])
				continue;
			char buf[IPV4_STRLEN];
			jin_error(l->j, "%s is already used in subnet \"%s\": an edit gave it to one "
					"interface while another keeps it as its dynamic address",
				  ipv4_format(l->used[s][k], buf), l->t->subnets[s]->id);
			break;
		}
	}
}

static void load_nics_and_pes(struct loader *l, const cJSON *nics, const cJSON *pes)
{
	static const char *const nic_known[] = { "name", "id", "count", "enableIPForwarding",
						 "ipConfigurations", "location", "tags",
						 "enableAcceleratedNetworking", NULL };
	static const char *const ipc_known[] = { "name", "subnet", "privateIPAddress",
						 "privateIPAllocationMethod", "primary", NULL };
	static const char *const pe_known[] = { "name", "id", "subnet", "privateIPAddress",
						"privateLinkServiceConnections", "location", NULL };
	struct jin *j = l->j;
	struct topology *t = l->t;
	size_t nn = cJSON_IsArray(nics) ? (size_t)cJSON_GetArraySize(nics) : 0;
	size_t np = cJSON_IsArray(pes) ? (size_t)cJSON_GetArraySize(pes) : 0;
	struct nic_src *src = calloc(nn ? nn : 1, sizeof(*src));
	struct nic_src *psrc = calloc(np ? np : 1, sizeof(*psrc));
	if (!src || !psrc)
		goto out;
	uint64_t total = 0;
	size_t i = 0, m0 = jin_push_key(j, "networkInterfaces");
	FOREACH_ITEM(j, nics, it, i) {
		size_t m = jin_push_index(j, i);
		struct nic_src *ns = &src[i];
		ns->obj = it;
		ns->count = 1;
		if (!cJSON_IsObject(it)) {
			jin_error(j, "expected a network interface object");
			jin_pop(j, m);
			continue;
		}
		jin_known_keys(j, it, nic_known);
		jin_string(j, it, "name", true, &ns->name);
		jin_uint(j, it, "count", false, 1, l->opts->max_nics, &ns->count);
		jin_bool(j, it, "enableIPForwarding", false, &ns->forwarding);
		if (ns->name) {
			const char *star = strchr(ns->name, '*');
			if (ns->count > 1 && (!star || strchr(star + 1, '*')))
				jin_error_at(j, "name", "a NIC with count > 1 needs exactly one '*' in "
							"its name, replaced by the index"),
					ns->name = NULL;
			else if (ns->count == 1 && star)
				jin_error_at(j, "name", "'*' in a NIC name needs \"count\" > 1"),
					ns->name = NULL;
		}
		total += ns->count;
		const cJSON *ipcs;
		if (jin_array(j, it, "ipConfigurations", true, &ipcs)) {
			size_t mi = jin_push_key(j, "ipConfigurations");
			if (cJSON_GetArraySize(ipcs) == 0)
				jin_error(j, "a NIC needs one IP configuration");
			if (cJSON_GetArraySize(ipcs) > 1) {
				size_t m1 = jin_push_index(j, 1);
				jin_warn(j, "only the primary (first) IP configuration is modelled");
				jin_pop(j, m1);
			}
			const cJSON *ipc = ipcs->child;
			if (ipc) {
				size_t m1 = jin_push_index(j, 0);
				if (!cJSON_IsObject(ipc)) {
					jin_error(j, "expected an IP configuration object");
				} else {
					jin_known_keys(j, ipc, ipc_known);
					ns->subnet = subnet_ref(l, ipc, "subnet");
					const cJSON *ipv = cJSON_GetObjectItemCaseSensitive(ipc, "privateIPAddress");
					if (ipv && !cJSON_IsNull(ipv)) {
						ns->has_ip = jin_ipv4(j, ipc, "privateIPAddress", true, &ns->ip);
						if (ns->has_ip && ns->count > 1)
							jin_error_at(j, "privateIPAddress",
								     "a NIC template with count > 1 cannot "
								     "have a fixed address"),
								ns->has_ip = false;
					}
					if (ns->subnet && (strcmp(ns->subnet->name, "GatewaySubnet") == 0 ||
							   strcmp(ns->subnet->name, "RouteServerSubnet") == 0))
						jin_error_at(j, "subnet", "no virtual machine NIC may be placed "
									  "in %s",
							     ns->subnet->name),
							ns->subnet = NULL;
					if (ns->has_ip && ns->subnet) {
						size_t m2 = jin_push_key(j, "privateIPAddress");
						reserve(l, ns->subnet, ns->ip, ns->name ? ns->name : "a NIC");
						jin_pop(j, m2);
					}
				}
				jin_pop(j, m1);
			}
			jin_pop(j, mi);
		}
		jin_pop(j, m);
	}
	jin_pop(j, m0);
	if (total > l->opts->max_nics) {
		size_t m = jin_push_key(j, "networkInterfaces");
		jin_error(j, "%llu NICs in all: more than the limit of %zu", (unsigned long long)total,
			  l->opts->max_nics);
		jin_pop(j, m);
		goto out;
	}
	i = 0;
	m0 = jin_push_key(j, "privateEndpoints");
	t->pes = arena_calloc(l->a, np ? np : 1, sizeof(*t->pes));
	struct strmap *penames = strmap_create();
	FOREACH_ITEM(j, pes, it, i) {
		size_t m = jin_push_index(j, i);
		struct nic_src *ps = &psrc[i];
		if (!cJSON_IsObject(it)) {
			jin_error(j, "expected a private endpoint object");
			jin_pop(j, m);
			continue;
		}
		jin_known_keys(j, it, pe_known);
		if (jin_string(j, it, "name", true, &ps->name))
			names_ok(l, penames, ps->name, NULL, "private endpoint");
		ps->subnet = subnet_ref(l, it, "subnet");
		const cJSON *ipv = cJSON_GetObjectItemCaseSensitive(it, "privateIPAddress");
		if (ipv && !cJSON_IsNull(ipv))
			ps->has_ip = jin_ipv4(j, it, "privateIPAddress", true, &ps->ip);
		if (ps->has_ip && ps->subnet) {
			size_t m2 = jin_push_key(j, "privateIPAddress");
			reserve(l, ps->subnet, ps->ip, ps->name ? ps->name : "a private endpoint");
			jin_pop(j, m2);
		}
		jin_pop(j, m);
	}
	strmap_destroy(penames);
	jin_pop(j, m0);
	if (jin_errors(j) > l->errors0)
		goto out;

	/* Names first, and the addresses kept from before an edit. */
	size_t nall = (size_t)total + np;
	const char **names = calloc(nall ? nall : 1, sizeof(*names));
	uint32_t *kept = calloc(nall ? nall : 1, sizeof(*kept));
	const struct subnet **ksub = calloc(nall ? nall : 1, sizeof(*ksub));
	t->nics = arena_calloc(l->a, total ? total : 1, sizeof(*t->nics));
	struct alloc_cursor *cur = calloc(t->nsubnets ? t->nsubnets : 1, sizeof(*cur));
	bool ok = names && kept && ksub && t->nics && cur;
	size_t pos = 0;
	for (i = 0; i < nn && ok; i++)
		for (uint64_t k = 0; k < src[i].count; k++, pos++) {
			names[pos] = expand_name(l, src[i].name, k, src[i].count);
			ok = names[pos] != NULL;
			kept[pos] = ok ? previous_address(l, &src[i], names[pos], pos, false) : 0;
			ksub[pos] = src[i].subnet;
		}
	for (i = 0; i < np && ok; i++, pos++) {
		names[pos] = psrc[i].name;
		kept[pos] = previous_address(l, &psrc[i], names[pos], pos, true);
		ksub[pos] = psrc[i].subnet;
	}
	if (!ok || !reserve_kept(l, ksub, kept, nall)) {
		jin_error(j, "out of memory expanding %llu NICs", (unsigned long long)total);
		goto done;
	}
	/* Dynamic addresses, in scenario order: NICs, then private endpoints. */
	for (size_t s = 0; s < t->nsubnets; s++)
		if (l->nused[s] > 1)
			qsort(l->used[s], l->nused[s], sizeof(uint32_t), u32_cmp);
	if (l->opts->prev) {
		size_t m = jin_push_key(j, "networkInterfaces");
		check_used_unique(l);
		jin_pop(j, m);
		if (jin_errors(j) > l->errors0)
			goto done;
	}
	pos = 0;
	for (i = 0; i < nn; i++) {
		struct nic_src *ns = &src[i];
		size_t first = pos;
		pos += ns->count;
		for (uint64_t k = 0; k < ns->count; k++) {
			struct nic *n = &t->nics[t->nnics];
			size_t at = first + k;
			n->name = names[at];
			n->subnet = ns->subnet;
			n->ip_forwarding = ns->forwarding;
			n->order = t->nnics;
			n->ip = kept[at] ? kept[at] : ns->ip;
			if (!ns->has_ip && !kept[at] &&
			    !allocate(l, ns->subnet, &cur[ns->subnet->index], &n->ip)) {
				size_t m = jin_push_key(j, "networkInterfaces");
				size_t m1 = jin_push_index(j, i);
				jin_error(j, "subnet \"%s\" is full: no free address for NIC \"%s\"",
					  ns->subnet->id, n->name);
				jin_pop(j, m1);
				jin_pop(j, m);
				break;
			}
			if (strmap_put(t->by_nic, n->name, n) == 0) {
				size_t m = jin_push_key(j, "networkInterfaces");
				size_t m1 = jin_push_index(j, i);
				jin_error(j, "duplicate NIC name \"%s\"", n->name);
				jin_pop(j, m1);
				jin_pop(j, m);
				break;
			}
			t->nnics++;
		}
	}
	for (i = 0; i < np; i++) {
		struct nic_src *ps = &psrc[i];
		struct private_endpoint *pe = &t->pes[t->npes];
		pe->name = dup(l, ps->name);
		pe->subnet = ps->subnet;
		pe->ip = kept[total + i] ? kept[total + i] : ps->ip;
		if (!ps->has_ip && !kept[total + i] &&
		    !allocate(l, ps->subnet, &cur[ps->subnet->index], &pe->ip)) {
			size_t m = jin_push_key(j, "privateEndpoints");
			size_t m1 = jin_push_index(j, i);
			jin_error(j, "subnet \"%s\" is full: no free address for private endpoint \"%s\"",
				  ps->subnet->id, pe->name);
			jin_pop(j, m1);
			jin_pop(j, m);
			continue;
		}
		t->npes++;
	}
	/* Group NICs by subnet (counting sort keeps scenario order). */
	t->subnet_nics = arena_calloc(l->a, t->nnics ? t->nnics : 1, sizeof(struct nic *));
	for (size_t k = 0; k < t->nnics; k++)
		t->nics[k].subnet->nic_count++;
	pos = 0;
	for (size_t s = 0; s < t->nsubnets; s++) {
		t->subnets[s]->nic_first = pos;
		pos += t->subnets[s]->nic_count;
		t->subnets[s]->nic_count = 0;
	}
	for (size_t k = 0; k < t->nnics; k++) {
		struct subnet *s = t->nics[k].subnet;
		t->subnet_nics[s->nic_first + s->nic_count++] = &t->nics[k];
	}
done:
	free(cur);
	free(names);
	free(kept);
	free(ksub);
out:
	free(src);
	free(psrc);
}

/* ---- gateways, connections, Route Servers ------------------------------ */

static struct subnet *vnet_subnet(const struct vnet *v, const char *name)
{
	for (size_t i = 0; i < v->nsubnets; i++)
		if (strcmp(v->subnets[i]->name, name) == 0)
			return v->subnets[i];
	return NULL;
}

static void load_gateways(struct loader *l, const cJSON *arr)
{
	static const char *const known[] = { "name", "id", "location", "virtualNetwork",
					     "gatewayType", "vpnType", "sku", "activeActive",
					     "enableBgp", "bgpSettings", "publicIpAddress",
					     "ipConfigurations", "vpnGatewayGeneration", NULL };
	struct jin *j = l->j;
	struct topology *t = l->t;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	t->gws = arena_calloc(l->a, n ? n : 1, sizeof(*t->gws));
	size_t m0 = jin_push_key(j, "virtualNetworkGateways");
	FOREACH_ITEM(j, arr, it, i) {
		size_t m = jin_push_index(j, i);
		if (!cJSON_IsObject(it)) {
			jin_error(j, "expected a virtual network gateway object");
			jin_pop(j, m);
			continue;
		}
		jin_known_keys(j, it, known);
		struct gateway *g = arena_calloc(l->a, 1, sizeof(*g));
		const char *name = NULL, *vn = NULL, *type = NULL;
		bool ok = jin_string(j, it, "name", true, &name);
		g->name = name ? dup(l, name) : "?";
		ok = ok && names_ok(l, t->by_gw, g->name, g, "gateway");
		if (jin_string(j, it, "gatewayType", true, &type)) {
			if (strcmp(type, "Vpn") == 0)
				g->type = GW_VPN;
			else if (strcmp(type, "ExpressRoute") == 0)
				g->type = GW_EXPRESSROUTE;
			else
				jin_error_at(j, "gatewayType", "\"%s\" is not Vpn or ExpressRoute", type),
					ok = false;
		} else {
			ok = false;
		}
		const cJSON *sku;
		g->sku = "";
		if (jin_object(j, it, "sku", false, &sku)) {
			const char *sn;
			size_t m2 = jin_push_key(j, "sku");
			if (jin_string(j, sku, "name", true, &sn))
				g->sku = dup(l, sn);
			jin_pop(j, m2);
		}
		jin_bool(j, it, "activeActive", false, &g->active_active);
		jin_bool(j, it, "enableBgp", false, &g->enable_bgp);
		if (g->type == GW_EXPRESSROUTE && g->active_active)
			jin_warn(j, "activeActive applies to VPN gateways; ignored for ExpressRoute");
		jin_ipv4(j, it, "publicIpAddress", false, &g->public_ip);
		g->asn = 65515;
		const cJSON *bs;
		bool have_ips[2] = { false, false };
		if (jin_object(j, it, "bgpSettings", false, &bs)) {
			static const char *const bs_known[] = { "asn", "bgpPeeringAddresses",
								"bgpPeeringAddress", "peerWeight",
								NULL };
			size_t m2 = jin_push_key(j, "bgpSettings");
			jin_known_keys(j, bs, bs_known);
			uint64_t asn;
			if (jin_uint(j, bs, "asn", false, 1, 4294967295u, &asn)) {
				g->asn = (uint32_t)asn;
				if (g->type == GW_EXPRESSROUTE && asn != 65515)
					jin_error_at(j, "asn", "an ExpressRoute gateway's ASN is 65515");
			}
			const cJSON *pas;
			if (jin_array(j, bs, "bgpPeeringAddresses", false, &pas)) {
				size_t k = 0, m3 = jin_push_key(j, "bgpPeeringAddresses");
				FOREACH_ITEM(j, pas, pa, k) {
					size_t m4 = jin_push_index(j, k);
					const cJSON *ips;
					if (k >= 2) {
						jin_error(j, "a gateway has at most two instances");
					} else if (!cJSON_IsObject(pa)) {
						jin_error(j, "expected an object with defaultBgpIpAddresses");
					} else if (jin_array(j, pa, "defaultBgpIpAddresses", false, &ips) &&
						   ips->child) {
						size_t m5 = jin_push_key(j, "defaultBgpIpAddresses");
						size_t m6 = jin_push_index(j, 0);
						have_ips[k] = jin_ipv4_value(j, ips->child, &g->instance_ip[k]);
						jin_pop(j, m6);
						jin_pop(j, m5);
					}
					jin_pop(j, m4);
				}
				jin_pop(j, m3);
			}
			jin_pop(j, m2);
		}
		if (jin_ref(j, it, "virtualNetwork", true, &vn)) {
			g->vnet = topology_vnet(t, vn);
			if (!g->vnet) {
				jin_error_at(j, "virtualNetwork", "no virtual network named \"%s\"", vn);
			} else {
				struct subnet *gs = vnet_subnet(g->vnet, "GatewaySubnet");
				if (!gs)
					jin_error_at(j, "virtualNetwork",
						     "virtual network \"%s\" has no GatewaySubnet", vn);
				for (int k = 0; gs && gs->prefixes.n > 0 && k < 2; k++)
					if (!have_ips[k])
						g->instance_ip[k] = gs->prefixes.v[0].addr + 4 + (uint32_t)k;
				struct gateway **slot = g->type == GW_VPN ? &g->vnet->vpn_gw : &g->vnet->er_gw;
				if (ok && *slot)
					jin_error(j, "virtual network \"%s\" already has a%s gateway (\"%s\")",
						  vn, g->type == GW_VPN ? " VPN" : "n ExpressRoute",
						  (*slot)->name);
				else if (ok)
					*slot = g;
			}
		}
		if (g->type == GW_VPN && g->public_ip == 0 && !g->active_active)
			jin_warn(j, "no publicIpAddress: active-standby gateway routes will show 0.0.0.0 "
				    "as next hop");
		t->gws[t->ngws++] = g;
		jin_pop(j, m);
	}
	/* Basic VPN SKU cannot coexist with ExpressRoute (reference 5.1). */
	i = 0;
	FOREACH_ITEM(j, arr, it, i) {
		if (i >= t->ngws)
			break;
		const struct gateway *g = t->gws[i];
		if (g->vnet && g->type == GW_VPN && g->vnet->er_gw && strcmp(g->sku, "Basic") == 0) {
			size_t m = jin_push_index(j, i);
			jin_error_at(j, "sku", "a Basic VPN gateway cannot coexist with an ExpressRoute "
					       "gateway");
			jin_pop(j, m);
		}
	}
	jin_pop(j, m0);
}

static void load_connections(struct loader *l, const cJSON *arr)
{
	static const char *const known[] = { "name", "id", "location", "virtualNetworkGateway",
					     "connectionType", "enableBgp", "peerAsn",
					     "peerBgpAddress", "localNetworkAddressPrefixes",
					     "routingWeight", "sku", "nextHopIpAddresses",
					     "localNetworkGateway", "sharedKey", NULL };
	struct jin *j = l->j;
	struct topology *t = l->t;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	t->conns = arena_calloc(l->a, n ? n : 1, sizeof(*t->conns));
	size_t m0 = jin_push_key(j, "connections");
	FOREACH_ITEM(j, arr, it, i) {
		size_t m = jin_push_index(j, i);
		if (!cJSON_IsObject(it)) {
			jin_error(j, "expected a connection object");
			jin_pop(j, m);
			continue;
		}
		jin_known_keys(j, it, known);
		struct connection *c = arena_calloc(l->a, 1, sizeof(*c));
		const char *name = NULL, *gw = NULL, *type = NULL, *sku = NULL;
		jin_string(j, it, "name", true, &name);
		c->name = name ? dup(l, name) : "?";
		if (name && (strchr(name, '/') != NULL))
			jin_error_at(j, "name", "a connection name cannot contain '/'");
		if (name)
			names_ok(l, t->by_conn, c->name, c, "connection");
		if (jin_string(j, it, "connectionType", true, &type)) {
			if (strcmp(type, "IPsec") == 0)
				c->type = CONN_IPSEC;
			else if (strcmp(type, "ExpressRoute") == 0)
				c->type = CONN_EXPRESSROUTE;
			else if (strcmp(type, "Vnet2Vnet") == 0)
				c->type = CONN_VNET2VNET;
			else
				jin_error_at(j, "connectionType",
					     "\"%s\" is not IPsec, Vnet2Vnet or ExpressRoute", type);
		}
		jin_bool(j, it, "enableBgp", false, &c->enable_bgp);
		if (c->type == CONN_EXPRESSROUTE)
			c->enable_bgp = true; /* BGP is mandatory on ExpressRoute */
		if (cJSON_GetObjectItemCaseSensitive(it, "peerAsn"))
			read_asn(l, it, "peerAsn", false, &c->peer_asn, false);
		else if (c->enable_bgp && c->type != CONN_EXPRESSROUTE)
			jin_error(j, "a connection with enableBgp needs peerAsn");
		jin_ipv4(j, it, "peerBgpAddress", false, &c->peer_bgp_ip);
		read_prefix_list(l, it, "localNetworkAddressPrefixes", false, &c->static_prefixes);
		uint64_t w = 0;
		if (jin_uint(j, it, "routingWeight", false, 0, 32000, &w))
			c->routing_weight = (uint32_t)w;
		if (jin_string(j, it, "sku", false, &sku)) {
			if (strcmp(sku, "Premium") == 0)
				c->premium = true;
			else if (strcmp(sku, "Standard") != 0 && strcmp(sku, "Local") != 0)
				jin_error_at(j, "sku", "\"%s\" is not Standard, Premium or Local", sku);
		}
		const cJSON *nhs;
		if (jin_array(j, it, "nextHopIpAddresses", false, &nhs)) {
			size_t nn = (size_t)cJSON_GetArraySize(nhs), k = 0;
			c->er_next_hops = arena_calloc(l->a, nn ? nn : 1, sizeof(uint32_t));
			size_t m2 = jin_push_key(j, "nextHopIpAddresses");
			FOREACH_ITEM(j, nhs, nh, k) {
				size_t m3 = jin_push_index(j, k);
				if (jin_ipv4_value(j, nh, &c->er_next_hops[c->ner_next_hops]))
					c->ner_next_hops++;
				jin_pop(j, m3);
			}
			jin_pop(j, m2);
		}
		if (jin_ref(j, it, "virtualNetworkGateway", true, &gw)) {
			c->gw = topology_gateway(t, gw);
			if (!c->gw)
				jin_error_at(j, "virtualNetworkGateway", "no gateway named \"%s\"", gw);
			else if ((c->type == CONN_EXPRESSROUTE) != (c->gw->type == GW_EXPRESSROUTE))
				jin_error_at(j, "virtualNetworkGateway",
					     "a%s connection needs a%s gateway; \"%s\" is not one",
					     c->type == CONN_EXPRESSROUTE ? "n ExpressRoute" : " VPN",
					     c->type == CONN_EXPRESSROUTE ? "n ExpressRoute" : " VPN", gw);
			if (c->gw && c->type == CONN_EXPRESSROUTE && c->ner_next_hops == 0)
				jin_warn(j, "no nextHopIpAddresses: ExpressRoute routes need the "
					    "Microsoft-side next hops to show (reference 5.6)");
		}
		if (c->gw) {
			struct gateway *g = c->gw;
			struct connection **nc = arena_alloc(l->a, (g->nconns + 1) * sizeof(*nc));
			if (nc) {
				if (g->nconns)
					memcpy(nc, g->conns, g->nconns * sizeof(*nc));
				nc[g->nconns++] = c;
				g->conns = nc;
			}
		}
		t->conns[t->nconns++] = c;
		jin_pop(j, m);
	}
	jin_pop(j, m0);
}

static void load_route_servers(struct loader *l, const cJSON *arr)
{
	static const char *const known[] = { "name", "id", "location", "subnet",
					     "allowBranchToBranchTraffic", "hubRoutingPreference",
					     "virtualRouterAutoScaleConfiguration", "virtualRouterIps",
					     "virtualRouterAsn", "bgpConnections", "publicIpAddress",
					     NULL };
	static const char *const bc_known[] = { "name", "id", "peerIp", "peerAsn", "maxRoutes", NULL };
	struct jin *j = l->j;
	struct topology *t = l->t;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	t->rss = arena_calloc(l->a, n ? n : 1, sizeof(*t->rss));
	size_t m0 = jin_push_key(j, "routeServers");
	FOREACH_ITEM(j, arr, it, i) {
		size_t m = jin_push_index(j, i);
		if (!cJSON_IsObject(it)) {
			jin_error(j, "expected a Route Server object");
			jin_pop(j, m);
			continue;
		}
		jin_known_keys(j, it, known);
		struct route_server *rs = arena_calloc(l->a, 1, sizeof(*rs));
		const char *name = NULL, *pref = NULL;
		bool ok = jin_string(j, it, "name", true, &name);
		if (name && strchr(name, '/'))
			jin_error_at(j, "name", "a Route Server name cannot contain '/'"), ok = false;
		rs->name = name ? dup(l, name) : "?";
		ok = ok && names_ok(l, t->by_rs, rs->name, rs, "Route Server");
		jin_bool(j, it, "allowBranchToBranchTraffic", false, &rs->b2b);
		rs->pref = HUB_PREF_EXPRESSROUTE;
		if (jin_string(j, it, "hubRoutingPreference", false, &pref)) {
			if (strcmp(pref, "ExpressRoute") == 0)
				rs->pref = HUB_PREF_EXPRESSROUTE;
			else if (strcmp(pref, "VpnGateway") == 0)
				rs->pref = HUB_PREF_VPN;
			else if (strcmp(pref, "ASPath") == 0)
				rs->pref = HUB_PREF_ASPATH;
			else
				jin_error_at(j, "hubRoutingPreference",
					     "\"%s\" is not ExpressRoute, VpnGateway or ASPath", pref);
		}
		rs->min_capacity = 2;
		const cJSON *asc;
		if (jin_object(j, it, "virtualRouterAutoScaleConfiguration", false, &asc)) {
			uint64_t mc;
			size_t m2 = jin_push_key(j, "virtualRouterAutoScaleConfiguration");
			if (jin_uint(j, asc, "minCapacity", false, 2, 48, &mc))
				rs->min_capacity = (uint32_t)mc;
			jin_pop(j, m2);
		}
		uint64_t vasn; /* fixed at 65515: accepted for pasted ARM output, checked */
		jin_uint(j, it, "virtualRouterAsn", false, 65515, 65515, &vasn);
		rs->subnet = subnet_ref(l, it, "subnet");
		if (rs->subnet) {
			struct subnet *s = rs->subnet;
			rs->vnet = s->vnet;
			if (strcmp(s->name, "RouteServerSubnet") != 0)
				jin_error_at(j, "subnet", "a Route Server must be in a subnet named "
							  "RouteServerSubnet, not \"%s\"",
					     s->name);
			else if (s->prefixes.n > 0 && s->prefixes.v[0].len > 26)
				jin_error_at(j, "subnet", "RouteServerSubnet must be /26 or larger "
							  "(is /%u)",
					     s->prefixes.v[0].len);
			if (ok && s->vnet->rs)
				jin_error_at(j, "subnet", "virtual network \"%s\" already has Route Server "
							  "\"%s\"",
					     s->vnet->name, s->vnet->rs->name);
			else if (ok)
				s->vnet->rs = rs;
			if (s->prefixes.n > 0) {
				rs->instance_ip[0] = s->prefixes.v[0].addr + 4;
				rs->instance_ip[1] = s->prefixes.v[0].addr + 5;
			}
		}
		const cJSON *vips;
		if (jin_array(j, it, "virtualRouterIps", false, &vips)) {
			size_t m2 = jin_push_key(j, "virtualRouterIps"), k = 0;
			if (cJSON_GetArraySize(vips) != 2)
				jin_error(j, "a Route Server has exactly two instance addresses");
			FOREACH_ITEM(j, vips, ip, k) {
				size_t m3 = jin_push_index(j, k);
				if (k < 2)
					jin_ipv4_value(j, ip, &rs->instance_ip[k]);
				jin_pop(j, m3);
			}
			jin_pop(j, m2);
		}
		const cJSON *bcs;
		if (jin_array(j, it, "bgpConnections", false, &bcs)) {
			size_t nb = (size_t)cJSON_GetArraySize(bcs), k = 0;
			size_t m2 = jin_push_key(j, "bgpConnections");
			if (nb > MAX_BGP_CONNS)
				jin_error(j, "%zu BGP connections: a Route Server supports at most %d peers",
					  nb, MAX_BGP_CONNS);
			rs->conns = arena_calloc(l->a, nb ? nb : 1, sizeof(*rs->conns));
			struct strmap *names = strmap_create();
			FOREACH_ITEM(j, bcs, bo, k) {
				size_t m3 = jin_push_index(j, k);
				if (!cJSON_IsObject(bo)) {
					jin_error(j, "expected a BGP connection object");
					jin_pop(j, m3);
					continue;
				}
				jin_known_keys(j, bo, bc_known);
				struct bgp_conn *bc = &rs->conns[rs->nconns];
				const char *bn = NULL;
				bool bok = jin_string(j, bo, "name", true, &bn);
				bc->rs = rs;
				bc->name = bn ? dup(l, bn) : "?";
				bc->id = arena_printf(l->a, "%s/%s", rs->name, bc->name);
				bok = bok && names_ok(l, names, bc->name, NULL, "BGP connection");
				bok = jin_ipv4(j, bo, "peerIp", true, &bc->peer_ip) && bok;
				/* One BGP session per peer address (Azure refuses a
				 * second connection to the same IP). */
				for (size_t q = 0; bok && q < rs->nconns; q++)
					if (rs->conns[q].peer_ip == bc->peer_ip) {
						jin_error_at(j, "peerIp",
							     "BGP connection \"%s\" has the same peer "
							     "IP as \"%s\": a Route Server has one "
							     "session per peer address",
							     bc->name, rs->conns[q].name);
						bok = false;
					}
				bok = read_asn(l, bo, "peerAsn", true, &bc->peer_asn, true) && bok;
				uint64_t mr = 1000;
				jin_uint(j, bo, "maxRoutes", false, 1, 4000, &mr);
				bc->max_routes = (uint32_t)mr;
				if (bok) {
					strmap_put(t->by_bgpconn, bc->id, bc);
					rs->nconns++;
				}
				jin_pop(j, m3);
			}
			strmap_destroy(names);
			jin_pop(j, m2);
		}
		t->rss[t->nrss++] = rs;
		jin_pop(j, m);
	}
	jin_pop(j, m0);
}

/* ---- derived facts ------------------------------------------------------ */

static struct peering *peering_to(struct vnet *from, const struct vnet *to)
{
	for (size_t i = 0; i < from->npeerings; i++)
		if (from->peerings[i].remote == to)
			return &from->peerings[i];
	return NULL;
}

/* A peering as a (from, to) pair of VNets, for finding the way back. */
struct link {
	uintptr_t from, to;
	struct peering *p;
};

static int link_cmp(const void *a, const void *b)
{
	const struct link *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* Every peering as a link sorted by (from, to), so that the peering back
 * is found in O(log P) (a hub with hundreds of spokes made a scan per
 * peering quadratic).  Which of two peerings between the same VNets is
 * found does not matter: existence and the first one's flags are what is
 * read, and the loader refuses two peerings to one remote.  NULL when out
 * of memory: peering_back then scans. */
struct links {
	struct link *v;
	size_t n;
};

static struct links links_of(const struct topology *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		n += t->vnets[i]->npeerings;
	struct links l = { malloc((n ? n : 1) * sizeof(struct link)), 0 };
	for (size_t i = 0; l.v && i < t->nvnets; i++)
		for (size_t k = 0; k < t->vnets[i]->npeerings; k++)
			l.v[l.n++] = (struct link){ (uintptr_t)t->vnets[i],
						    (uintptr_t)t->vnets[i]->peerings[k].remote,
						    &t->vnets[i]->peerings[k] };
	if (l.v)
		qsort(l.v, l.n, sizeof(*l.v), link_cmp);
	return l;
}

/* The peering of from to `to`, or NULL. */
static struct peering *peering_back(const struct links *l, struct vnet *from, const struct vnet *to)
{
	if (!l->v)
		return peering_to(from, to);
	struct link key = { (uintptr_t)from, (uintptr_t)to, NULL };
	const struct link *x = bsearch(&key, l->v, l->n, sizeof(*l->v), link_cmp);
	return x ? x->p : NULL;
}

/* Connected peerings, gateway transit and routing domains (SPEC 1.3, 2.1).
 * The JSON path is pushed only for a peering that has something to report. */
static void derive(struct loader *l)
{
	struct jin *j = l->j;
	struct topology *t = l->t;
	struct links links = links_of(t);
	for (size_t i = 0; i < t->nvnets; i++) {
		struct vnet *v = t->vnets[i];
		for (size_t k = 0; k < v->npeerings; k++) {
			struct peering *p = &v->peerings[k];
			p->connected = peering_back(&links, p->remote, v) != NULL;
			p->global = strcmp(v->location, p->remote->location) != 0;
		}
	}
	for (size_t i = 0; i < t->nvnets; i++) {
		struct vnet *v = t->vnets[i];
		bool own = v->vpn_gw || v->er_gw || v->rs;
		v->domain = own ? v : NULL;
		const struct peering *transit = NULL;
		for (size_t k = 0; k < v->npeerings; k++) {
			const struct peering *p = &v->peerings[k];
			if (!p->use_remote_gateways)
				continue;
			const struct peering *back = peering_back(&links, p->remote, v);
			struct vnet *r = p->remote;
			bool report = transit || own || (back && !back->allow_gateway_transit) ||
				      !(r->vpn_gw || r->er_gw || r->rs) || !back;
			size_t mv = 0, m = 0, m2 = 0, m3 = 0;
			if (report) {
				mv = jin_push_key(j, "virtualNetworks");
				m = jin_push_index(j, i);
				m2 = jin_push_key(j, "virtualNetworkPeerings");
				m3 = jin_push_index(j, k);
			}
			if (transit)
				jin_error(j, "useRemoteGateways is set on two peerings (\"%s\" and \"%s\"): "
					     "a virtual network uses one remote gateway",
					  transit->name, p->name);
			else if (own)
				jin_error(j, "useRemoteGateways cannot be set: \"%s\" has its own gateway "
					     "or Route Server",
					  v->name);
			else if (back && !back->allow_gateway_transit)
				jin_error(j, "useRemoteGateways needs allowGatewayTransit on the remote "
					     "peering \"%s/%s\"",
					  r->name, back->name);
			else if (!(r->vpn_gw || r->er_gw || r->rs))
				jin_error(j, "useRemoteGateways: \"%s\" has no gateway or Route Server",
					  r->name);
			else if (!back)
				jin_warn(j, "useRemoteGateways has no effect: \"%s\" has no peering back "
					    "to \"%s\", so this peering is Initiated, not Connected",
					 r->name, v->name);
			transit = p;
			if (back && back->allow_gateway_transit && !own)
				v->domain = r; /* transit needs both links */
			if (report) {
				jin_pop(j, m3);
				jin_pop(j, m2);
				jin_pop(j, m);
				jin_pop(j, mv);
			}
		}
	}
	/* A hub that itself uses a remote gateway cannot offer transit. */
	for (size_t i = 0; i < t->nvnets; i++) {
		struct vnet *v = t->vnets[i];
		if (v->domain && v->domain != v && v->domain->domain != v->domain)
			v->domain = NULL;
	}
	free(links.v);
}

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

int topo_reload_peerings(struct topology *t, const cJSON *topology, const char *name,
			 const struct topo_opts *opts)
{
	struct vnet *v = topology_vnet(t, name);
	const cJSON *obj = named_object(topology, "virtualNetworks", name);
	if (!v || (t->refs != 1 && !opts->shared_ok) || !cJSON_IsObject(obj))
		return -1;
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(obj, "virtualNetworkPeerings");
	if (ps && !cJSON_IsArray(ps))
		return -1;
	struct diag *d = diag_create();
	if (!d)
		return -1;
	struct jin j;
	jin_init(&j, d, "");
	struct loader l = { .j = &j, .t = t, .a = t->arena, .opts = opts, .root = topology };
	struct peering *old = v->peerings;
	size_t nold = v->npeerings;
	if (ps) {
		load_vnet_peerings(&l, v, ps);
	} else {
		v->peerings = NULL;
		v->npeerings = 0;
	}
	if (jin_errors(&j) == 0)
		derive(&l);
	int rc = jin_errors(&j) == 0 ? 0 : -1;
	if (rc != 0) {
		/* Back to the peerings t was loaded with: deriving again from
		 * them gives every derived fact its old value. */
		v->peerings = old;
		v->npeerings = nold;
		diag_clear(d);
		derive(&l);
	}
	diag_destroy(d);
	return rc;
}

/* ---- entry -------------------------------------------------------------- */

struct topology *topo_load(struct jin *j, const cJSON *topo, const struct topo_opts *opts)
{
	static const char *const known[] = { "virtualNetworks", "routeTables", "networkInterfaces",
					     "privateEndpoints", "virtualNetworkGateways",
					     "connections", "routeServers", NULL };
	size_t errors0 = jin_errors(j);
	struct topology *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->refs = 1;
	t->arena = arena_create();
	t->by_vnet = strmap_create();
	t->by_subnet = strmap_create();
	t->by_rt = strmap_create();
	t->by_nic = strmap_create();
	t->by_gw = strmap_create();
	t->by_conn = strmap_create();
	t->by_rs = strmap_create();
	t->by_bgpconn = strmap_create();
	struct loader l = { .j = j, .t = t, .a = t->arena, .opts = opts, .root = topo,
			     .errors0 = errors0 };
	if (!t->arena || !t->by_vnet || !t->by_subnet || !t->by_rt || !t->by_nic || !t->by_gw ||
	    !t->by_conn || !t->by_rs || !t->by_bgpconn) {
		topology_destroy(t);
		return NULL;
	}
	if (!cJSON_IsObject(topo)) {
		jin_error(j, "expected the topology object");
		topology_destroy(t);
		return NULL;
	}
	jin_known_keys(j, topo, known);
	const cJSON *vnets = NULL, *rts = NULL, *nics = NULL, *pes = NULL, *gws = NULL,
		    *conns = NULL, *rss = NULL;
	jin_array(j, topo, "virtualNetworks", true, &vnets);
	jin_array(j, topo, "routeTables", false, &rts);
	jin_array(j, topo, "networkInterfaces", false, &nics);
	jin_array(j, topo, "privateEndpoints", false, &pes);
	jin_array(j, topo, "virtualNetworkGateways", false, &gws);
	jin_array(j, topo, "connections", false, &conns);
	jin_array(j, topo, "routeServers", false, &rss);

	if (vnets)
		load_vnets(&l, vnets);
	if (rts)
		load_route_tables(&l, rts);
	if (vnets) {
		load_peerings(&l, vnets);
		link_subnet_route_tables(&l, vnets);
	}
	if (gws)
		load_gateways(&l, gws);
	if (conns)
		load_connections(&l, conns);
	if (rss)
		load_route_servers(&l, rss);
	l.used = calloc(t->nsubnets ? t->nsubnets : 1, sizeof(*l.used));
	l.nused = calloc(t->nsubnets ? t->nsubnets : 1, sizeof(*l.nused));
	if (l.used && l.nused)
		load_nics_and_pes(&l, nics, pes);
	for (size_t i = 0; l.used && i < t->nsubnets; i++)
		free(l.used[i]);
	free(l.used);
	free(l.nused);
	if (jin_errors(j) == errors0)
		derive(&l);
	if (jin_errors(j) != errors0) {
		topology_destroy(t);
		return NULL;
	}
	return t;
}
