/*
 * topology.h - the configured network: virtual networks, subnets, NICs,
 * route tables, peerings, endpoints, gateways, connections, Route Servers.
 *
 * A topology is built by topo_load (topo_load.h) from the scenario's
 * `topology` JSON and is immutable while anyone but its run holds it (a
 * checkpoint: refs > 1): a configuration edit builds a new topology from
 * the edited JSON and the old one is destroyed whole with its arena
 * (BIRD's rule: a bad new configuration is thrown away and the running one
 * stays intact).  Only a topology its run alone holds may take a route
 * table or peering edit in place (topo_reload_route_table,
 * topo_reload_peerings), validated first and left unchanged when invalid.  Dynamic state (BGP sessions and RIBs,
 * effective-route tables) lives elsewhere and refers to objects by name,
 * so it survives a rebuild.
 *
 * Invariants after a successful load (validated there, RULES 2.1):
 *  - every reference is resolved (pointers are never dangling or NULL where
 *    the field is mandatory);
 *  - subnet prefixes lie inside their VNet's space and do not overlap;
 *  - every NIC and private endpoint has an address inside its subnet's
 *    usable range, unique within the subnet;
 *  - vnet->domain is the VNet whose gateways/Route Server program this VNet
 *    (itself, the hub of a connected useRemoteGateways peering, or NULL
 *    when neither exists).
 * Arrays are in scenario order, which makes every iteration deterministic.
 */
#ifndef RULES_TOPOLOGY_H
#define RULES_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

struct arena;
struct strmap;

enum nh_type {
	NH_NONE,
	NH_VNET_LOCAL,
	NH_INTERNET,
	NH_VIRTUAL_APPLIANCE,
	NH_VNET_GATEWAY,
	NH_VNET_PEERING,
	NH_VNET_GLOBAL_PEERING,
	NH_SERVICE_ENDPOINT,
	NH_INTERFACE_ENDPOINT,
	NH__COUNT
};
const char *nh_type_name(enum nh_type t); /* ARM spelling: "VnetLocal" ... */
bool nh_type_parse(const char *s, enum nh_type *out);

enum pe_policy { PE_POLICY_DISABLED, PE_POLICY_ENABLED, PE_POLICY_ROUTE_TABLE, PE_POLICY_NSG };
enum hub_pref { HUB_PREF_EXPRESSROUTE, HUB_PREF_VPN, HUB_PREF_ASPATH };
enum gw_type { GW_VPN, GW_EXPRESSROUTE };
enum conn_type { CONN_IPSEC, CONN_EXPRESSROUTE, CONN_VNET2VNET };
enum tag_scope { TAG_NONE, TAG_REGIONAL, TAG_GLOBAL };

struct prefix_list {
	struct prefix *v; /* arena */
	size_t n;
};

/* Where an object is in Azure when the scenario gave its ARM resource ID
 * (RULES 2.1.1); all NULL otherwise.  Strings in the topology's arena. */
struct arm_meta {
	const char *id;               /* as given: "/subscriptions/.../virtualNetworks/hub" */
	const char *rg, *sub;         /* its resource group and subscription */
};

/* Resource type paths (lower case) of the objects an ARM ID may name. */
#define ARM_VNET "virtualnetworks"
#define ARM_SUBNET "virtualnetworks/subnets"
#define ARM_ROUTE_TABLE "routetables"
#define ARM_NIC "networkinterfaces"
#define ARM_PE "privateendpoints"
#define ARM_GATEWAY "virtualnetworkgateways"
#define ARM_CONNECTION "connections"
#define ARM_ROUTE_SERVER "virtualhubs"
#define ARM_BGP_CONN "virtualhubs/bgpconnections"
#define ARM_LB "loadbalancers"

struct vnet;
struct route_table;

struct subnet {
	const char *name;             /* "app" */
	const char *id;               /* "hub/app": stable across rebuilds */
	struct vnet *vnet;
	struct prefix_list prefixes;  /* addressPrefix or addressPrefixes */
	struct route_table *rt;       /* NULL when none */
	const char **services;        /* service endpoint names, "Microsoft.Storage" */
	struct prefix_list *service_prefixes; /* per service, resolved from tags */
	size_t nservices;
	enum pe_policy pe_policy;     /* privateEndpointNetworkPolicies */
	size_t index;                 /* in topology->subnets */
	size_t nic_first, nic_count;  /* NICs of this subnet: topology->subnet_nics[first..] */
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct peering {
	const char *name;
	struct vnet *local, *remote;
	bool allow_vnet_access, allow_forwarded, allow_gateway_transit, use_remote_gateways;
	bool connected;               /* the remote VNet has a peering back to local */
	bool global;                  /* locations differ: VNetGlobalPeering */
};

struct gateway;
struct route_server;
struct route_map;

struct vnet {
	const char *name;
	const char *location;
	struct prefix_list space;     /* addressSpace.addressPrefixes */
	struct subnet **subnets;
	size_t nsubnets;
	struct peering *peerings;
	size_t npeerings;
	struct gateway *vpn_gw, *er_gw; /* own gateways, NULL when none */
	struct route_server *rs;      /* own Route Server */
	struct vnet *domain;          /* routing domain hub, see header; NULL if none */
	size_t index;
	struct arm_meta arm;            /* its ARM ID, when given */
};

enum udr_nh { UDR_VIRTUAL_APPLIANCE, UDR_VNET_GATEWAY, UDR_VNET_LOCAL, UDR_INTERNET, UDR_NONE };

struct udr {
	const char *name;
	const char *prefix_text;      /* as written: CIDR or service tag name */
	enum tag_scope tag;           /* TAG_NONE for a CIDR */
	struct prefix_list prefixes;  /* one for a CIDR, the tag's prefixes otherwise */
	enum nh_type nh;              /* as configured */
	uint32_t nh_ip;               /* VirtualAppliance only */
	bool has_nh_ip;
};

struct route_table {
	const char *name;
	bool disable_bgp;
	struct udr *routes;
	size_t nroutes;
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct nic {
	const char *name;
	struct subnet *subnet;
	uint32_t ip;
	bool ip_forwarding;
	size_t order;                 /* creation order, for Route Server capacity */
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct private_endpoint {
	const char *name;
	struct subnet *subnet;
	uint32_t ip;
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct connection;

struct gateway {
	const char *name;
	struct vnet *vnet;
	enum gw_type type;
	const char *sku;
	bool active_active;
	bool enable_bgp;
	uint32_t asn;                 /* bgpSettings.asn, default 65515 */
	uint32_t public_ip;           /* 0 when none */
	uint32_t instance_ip[2];      /* BGP peering addresses, default GatewaySubnet .4 .5 */
	struct connection **conns;
	size_t nconns;
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct connection {
	const char *name;
	struct gateway *gw;
	enum conn_type type;
	bool enable_bgp;
	uint32_t peer_asn;
	uint32_t peer_bgp_ip;
	struct prefix_list static_prefixes; /* localNetworkAddressPrefixes */
	uint32_t routing_weight;
	bool premium;                 /* sku "Premium": 10,000 routes */
	uint32_t *er_next_hops;       /* nextHopIpAddresses (ExpressRoute) */
	size_t ner_next_hops;
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct bgp_conn {
	const char *name;             /* "nva1" */
	const char *id;               /* "ars/nva1" */
	struct route_server *rs;
	uint32_t peer_ip;
	uint32_t peer_asn;
	uint32_t max_routes;          /* 1,000 unless raised (<= 4,000) */
	const struct route_map *in_map;  /* associatedInboundConnections, or NULL */
	const struct route_map *out_map; /* associatedOutboundConnections, or NULL */
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct route_server {
	const char *name;
	struct subnet *subnet;
	struct vnet *vnet;
	bool b2b;                     /* allowBranchToBranchTraffic */
	enum hub_pref pref;
	uint32_t min_capacity;        /* routing infrastructure units */
	uint32_t instance_ip[2];      /* virtualRouterIps */
	struct bgp_conn *conns;
	size_t nconns;
	struct route_map *maps;       /* routeMaps (routemap.h), file order */
	size_t nmaps;
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct load_balancer;

/* An internal load balancer's frontend IP configuration (RULES 1.11.2.7):
 * a private address of a subnet.  Only what HA-ports rules give it is
 * modelled: it forwards every flow to one of `backends` (the NICs of the
 * backend pools its HA-ports rules name, first appearance order) when
 * ha_ports is set, and nothing otherwise. */
struct lb_frontend {
	const char *name;
	struct load_balancer *lb;
	struct subnet *subnet;
	uint32_t ip;
	bool ha_ports;                /* a rule: protocol All, frontendPort 0, backendPort 0 */
	struct nic **backends;        /* arena */
	size_t nbackends;
};

struct lb_pool {
	const char *name;
	struct nic **nics;            /* arena; the NICs' primary IP configurations */
	size_t nnics;
};

/* A load-balancing rule: which frontend feeds which pool, on what. */
struct lb_rule {
	const char *name;
	size_t frontend, pool;        /* indexes in the load balancer's arrays */
	const char *protocol;         /* "All", "Tcp", "Udp" */
	uint32_t frontend_port, backend_port;
	bool ha_ports;                /* All, 0, 0 */
};

struct load_balancer {
	const char *name;
	const char *sku;              /* "Standard" (the default) or "Basic" */
	struct vnet *vnet;            /* its frontends' (and backends') VNet */
	struct lb_frontend *frontends;
	size_t nfrontends;
	struct lb_pool *pools;
	size_t npools;
	struct lb_rule *rules;
	size_t nrules;
	struct arm_meta arm;            /* its ARM ID, when given */
};

struct settings {
	const char *none_profile;     /* profile name, or NULL when explicit */
	struct prefix_list none_prefixes; /* resolved platform None set */
	int64_t hold_ms, keepalive_ms, connect_retry_ms, programming_delay_ms, scale_out_ms;
	int64_t horizon_ms;           /* -1 when not set */
};

struct topology {
	unsigned refs;                /* checkpoints keep the topology they saw */
	struct arena *arena;          /* owns everything below */
	struct vnet **vnets;
	size_t nvnets;
	struct subnet **subnets;      /* all subnets, VNet order then subnet order */
	size_t nsubnets;
	struct route_table **rts;
	size_t nrts;
	struct nic *nics;             /* expanded count templates, scenario order */
	size_t nnics;
	struct nic **subnet_nics;     /* NICs grouped by subnet (see subnet.nic_first) */
	struct private_endpoint *pes;
	size_t npes;
	struct gateway **gws;
	size_t ngws;
	struct connection **conns;
	size_t nconns;
	struct route_server **rss;
	size_t nrss;
	struct load_balancer **lbs;   /* loadBalancers, scenario order */
	size_t nlbs;
	struct strmap *by_vnet, *by_subnet, *by_rt, *by_nic, *by_gw, *by_conn, *by_rs, *by_bgpconn;
	struct strmap *by_lb;
	/* Lower-case ARM ID -> object, for objects with an ID (RULES 2.1.1). */
	struct strmap *by_arm;
	/* "<type path>:<short name>" -> "candidate, candidate": short names
	 * that several objects with IDs share, which therefore name none. */
	struct strmap *ambiguous;
	bool sample_tags_used;        /* a service endpoint/tag came from the built-in sample */
};

/* Reference counting: topo_load returns one reference. */
struct topology *topology_ref(struct topology *t);
void topology_destroy(struct topology *t); /* drops a reference; NULL is a no-op */

/* Each lookup takes the object's scenario name (for a subnet "vnet/subnet",
 * for a BGP connection "rs/conn") or its full ARM ID in any letter case.
 * An ID the topology does not hold still finds an object of the same
 * names that was given no ID.  NULL when none (or the short name is
 * ambiguous: topology_ambiguous says so). */
struct vnet *topology_vnet(const struct topology *t, const char *name);
struct subnet *topology_subnet(const struct topology *t, const char *id); /* "vnet/subnet" */
struct route_table *topology_route_table(const struct topology *t, const char *name);
struct nic *topology_nic(const struct topology *t, const char *name);
struct gateway *topology_gateway(const struct topology *t, const char *name);
struct connection *topology_connection(const struct topology *t, const char *name);
struct route_server *topology_route_server(const struct topology *t, const char *name);
struct bgp_conn *topology_bgp_conn(const struct topology *t, const char *id); /* "ars/nva1" */
struct load_balancer *topology_load_balancer(const struct topology *t, const char *name);

/* Whether ip is a host address Azure hands out in subnet s: inside one of
 * its prefixes, past the first four (network, gateway, two DNS) and before
 * the last (broadcast); RULES 2.1. */
bool subnet_usable_ip(const struct subnet *s, uint32_t ip);

/* The candidates ("id, id") when short name `name` of an object of type
 * path `type` (ARM_VNET ...) is shared by several objects; NULL otherwise. */
const char *topology_ambiguous(const struct topology *t, const char *type, const char *name);

/* The VNets whose gateways/Route Server are hub's: hub itself and every VNet
 * whose domain is hub.  Writes up to max pointers, returns the count. */
size_t topology_domain_vnets(const struct topology *t, const struct vnet *hub,
			     const struct vnet **out, size_t max);

#endif
