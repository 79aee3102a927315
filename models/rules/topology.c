/*
 * topology.c - lookups over a loaded topology; the loading is topo_load.c.
 */
#include "topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "armid.h"
#include "strmap.h"

static const char *const NH_NAMES[NH__COUNT] = {
	[NH_NONE] = "None",
	[NH_VNET_LOCAL] = "VnetLocal",
	[NH_INTERNET] = "Internet",
	[NH_VIRTUAL_APPLIANCE] = "VirtualAppliance",
	[NH_VNET_GATEWAY] = "VirtualNetworkGateway",
	[NH_VNET_PEERING] = "VNetPeering",
	[NH_VNET_GLOBAL_PEERING] = "VNetGlobalPeering",
	[NH_SERVICE_ENDPOINT] = "VirtualNetworkServiceEndpoint",
	[NH_INTERFACE_ENDPOINT] = "InterfaceEndpoint",
};

const char *nh_type_name(enum nh_type t)
{
	return (unsigned)t < NH__COUNT ? NH_NAMES[t] : "Unknown";
}

bool nh_type_parse(const char *s, enum nh_type *out)
{
	for (int i = 0; i < NH__COUNT; i++)
		if (strcmp(NH_NAMES[i], s) == 0) {
			*out = (enum nh_type)i;
			return true;
		}
	return false;
}

struct topology *topology_ref(struct topology *t)
{
	if (t)
		t->refs++;
	return t;
}

void topology_destroy(struct topology *t)
{
	if (!t || --t->refs > 0)
		return;
	strmap_destroy(t->by_vnet);
	strmap_destroy(t->by_subnet);
	strmap_destroy(t->by_rt);
	strmap_destroy(t->by_nic);
	strmap_destroy(t->by_gw);
	strmap_destroy(t->by_conn);
	strmap_destroy(t->by_rs);
	strmap_destroy(t->by_bgpconn);
	strmap_destroy(t->by_lb);
	strmap_destroy(t->by_arm);
	strmap_destroy(t->ambiguous);
	arena_destroy(t->arena);
	free(t);
}

/* ---- lookups by name or ARM ID (RULES 2.1.1) ------------------------------------ */

/* The ARM ID of the object a by-name map found, for the fallback below. */
typedef const struct arm_meta *(*meta_fn)(const void *obj);

#define KEY_MAX 1024 /* longer IDs than ARM allows are simply not found */

/* ref, an ARM ID of type path `type`: the object indexed under it, else
 * the object of the same names that has no ID of its own. */
static void *find_by_id(const struct topology *t, const struct strmap *by, const char *type,
			const char *ref, meta_fn meta)
{
	char key[KEY_MAX], path[KEY_MAX], names[KEY_MAX];
	struct armid id;
	const char *why;
	if (!armid_key(ref, key, sizeof(key)) || !armid_parse(key, &id, &why) ||
	    !armid_type_path(&id, path, sizeof(path)) || strcmp(path, type) != 0)
		return NULL;
	void *obj = t->by_arm ? strmap_get(t->by_arm, key) : NULL;
	if (obj)
		return obj;
	/* The names as written (the key is lower case). */
	if (!armid_parse(ref, &id, &why) || !armid_short(&id, names, sizeof(names)))
		return NULL;
	obj = strmap_get(by, names);
	return obj && !meta(obj)->id ? obj : NULL;
}

static void *find(const struct topology *t, const struct strmap *by, const char *type,
		  const char *ref, meta_fn meta)
{
	if (!ref)
		return NULL;
	void *obj = strmap_get(by, ref);
	if (obj || !armid_is(ref))
		return obj;
	return find_by_id(t, by, type, ref, meta);
}

#define META_FN(T)                                                                                 \
	static const struct arm_meta *meta_##T(const void *o)                                      \
	{                                                                                          \
		return &((const struct T *)o)->arm;                                                \
	}
META_FN(vnet)
META_FN(subnet)
META_FN(route_table)
META_FN(nic)
META_FN(gateway)
META_FN(connection)
META_FN(route_server)
META_FN(bgp_conn)
META_FN(load_balancer)

struct vnet *topology_vnet(const struct topology *t, const char *name)
{
	return find(t, t->by_vnet, ARM_VNET, name, meta_vnet);
}

struct subnet *topology_subnet(const struct topology *t, const char *id)
{
	return find(t, t->by_subnet, ARM_SUBNET, id, meta_subnet);
}

bool subnet_usable_ip(const struct subnet *s, uint32_t ip)
{
	for (size_t i = 0; i < s->prefixes.n; i++) {
		struct prefix p = s->prefixes.v[i];
		if (prefix_contains_addr(p, ip))
			return ip >= p.addr + 4 && ip < prefix_last(p);
	}
	return false;
}

struct route_table *topology_route_table(const struct topology *t, const char *name)
{
	return find(t, t->by_rt, ARM_ROUTE_TABLE, name, meta_route_table);
}

struct nic *topology_nic(const struct topology *t, const char *name)
{
	return find(t, t->by_nic, ARM_NIC, name, meta_nic);
}

struct gateway *topology_gateway(const struct topology *t, const char *name)
{
	return find(t, t->by_gw, ARM_GATEWAY, name, meta_gateway);
}

struct connection *topology_connection(const struct topology *t, const char *name)
{
	return find(t, t->by_conn, ARM_CONNECTION, name, meta_connection);
}

struct route_server *topology_route_server(const struct topology *t, const char *name)
{
	return find(t, t->by_rs, ARM_ROUTE_SERVER, name, meta_route_server);
}

struct bgp_conn *topology_bgp_conn(const struct topology *t, const char *id)
{
	return find(t, t->by_bgpconn, ARM_BGP_CONN, id, meta_bgp_conn);
}

struct load_balancer *topology_load_balancer(const struct topology *t, const char *name)
{
	return t->by_lb ? find(t, t->by_lb, ARM_LB, name, meta_load_balancer) : NULL;
}

const char *topology_ambiguous(const struct topology *t, const char *type, const char *name)
{
	if (!t->ambiguous || strmap_count(t->ambiguous) == 0 || !name)
		return NULL;
	/* A subnet or BGP connection is ambiguous through its parent's name. */
	const char *slash = strchr(name, '/');
	size_t len = strlen(name);
	if (slash && strcmp(type, ARM_SUBNET) == 0) {
		type = ARM_VNET;
		len = (size_t)(slash - name);
	} else if (slash && strcmp(type, ARM_BGP_CONN) == 0) {
		type = ARM_ROUTE_SERVER;
		len = (size_t)(slash - name);
	}
	char key[KEY_MAX];
	int n = snprintf(key, sizeof(key), "%s:%.*s", type, (int)len, name);
	return n > 0 && (size_t)n < sizeof(key) ? strmap_get(t->ambiguous, key) : NULL;
}

size_t topology_domain_vnets(const struct topology *t, const struct vnet *hub,
			     const struct vnet **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		if (t->vnets[i]->domain == hub) {
			if (n < max)
				out[n] = t->vnets[i];
			n++;
		}
	return n;
}
