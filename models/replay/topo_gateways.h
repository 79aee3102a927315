/*
 * topo_gateways.h - virtual network gateways, their connections, and Route
 * Servers with their BGP connections, from the topology JSON (RULES 1.8,
 * 1.9, 2.1).
 *
 * What it models: a gateway (VPN or ExpressRoute) sits in its VNet's
 * GatewaySubnet, one of each type per VNet, its BGP instance addresses
 * from bgpSettings or else the GatewaySubnet's .4 and .5; a Basic VPN
 * gateway cannot coexist with ExpressRoute (RULES E5.1).  A connection
 * belongs to a gateway of its type.  A Route Server sits in a
 * RouteServerSubnet of /26 or larger, one per VNet, with at most 8 BGP
 * connections, one per peer address, whose ASNs are not reserved
 * (RULES E5.2).
 *
 * Invariants: t->gws, t->conns and t->rss hold the object elements in file
 * order; g->conns lists the gateway's connections in file order
 * (topo_gateways_attach, once every connection is read); a VNet's vpn_gw,
 * er_gw and rs are set only by a gateway or Route Server that passed its
 * own checks.
 *
 * Ownership: all in the topology's arena.  Costs: linear in the elements,
 * O(connections^2) per Route Server for the peer address rule (at most 8).
 */
#ifndef REPLAY_TOPO_GATEWAYS_H
#define REPLAY_TOPO_GATEWAYS_H

#include "topo_read.h"

extern const struct topo_coll TOPO_GATEWAYS;      /* topology.virtualNetworkGateways */
extern const struct topo_coll TOPO_CONNECTIONS;   /* topology.connections */
extern const struct topo_coll TOPO_ROUTE_SERVERS; /* topology.routeServers */

/* A later pass over virtualNetworkGateways (topo_revisit_fn, made = the
 * gateway), once every gateway exists: a Basic VPN gateway cannot coexist
 * with an ExpressRoute gateway (RULES E5.1). */
void topo_gateways_check_sku(struct topo_reader *r, const cJSON *o, void *gateway, void *ctx);
/* Every gateway's list of connections, once every connection is read.
 * false after reporting out of memory. */
bool topo_gateways_attach(struct topo_reader *r);

#endif
