/*
 * topology.c - lookups over a loaded topology; the loading is topo_load.c.
 */
#include "topology.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
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
	arena_destroy(t->arena);
	free(t);
}

struct vnet *topology_vnet(const struct topology *t, const char *name)
{
	return strmap_get(t->by_vnet, name);
}

struct subnet *topology_subnet(const struct topology *t, const char *id)
{
	return strmap_get(t->by_subnet, id);
}

struct route_table *topology_route_table(const struct topology *t, const char *name)
{
	return strmap_get(t->by_rt, name);
}

struct nic *topology_nic(const struct topology *t, const char *name)
{
	return strmap_get(t->by_nic, name);
}

struct gateway *topology_gateway(const struct topology *t, const char *name)
{
	return strmap_get(t->by_gw, name);
}

struct connection *topology_connection(const struct topology *t, const char *name)
{
	return strmap_get(t->by_conn, name);
}

struct route_server *topology_route_server(const struct topology *t, const char *name)
{
	return strmap_get(t->by_rs, name);
}

struct bgp_conn *topology_bgp_conn(const struct topology *t, const char *id)
{
	return strmap_get(t->by_bgpconn, id);
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
