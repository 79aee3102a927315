/*
 * topo_routemaps.h - a Route Server's route maps from the topology JSON
 * (RULES 1.10), shaped as ARM's Microsoft.Network/virtualHubs/routeMaps:
 *
 *   "routeMaps": [{ "name": "rm1",
 *     "rules": [{ "name": "r1",
 *       "matchCriteria": [{ "matchCondition": "Contains",
 *                           "routePrefix": ["10.2.0.0/16"] }],
 *       "actions": [{ "type": "Add", "parameters": [{ "asPath": ["64580"] }] }],
 *       "nextStepIfMatched": "Continue" }],
 *     "associatedInboundConnections": ["nva1"],
 *     "associatedOutboundConnections": [] }]
 *
 * What it checks: conditions, action types and next steps by name; every
 * criterion names at least one property with values; communities
 * "ASN:value"; AS path ASNs 1..65535, none reserved by Azure (private ones
 * warned about); no action removes an Azure community; what each action
 * may carry (Add/Remove never take routePrefix, Remove only communities,
 * Drop only routePrefix); associations name bgpConnections of the same
 * Route Server, at most one map per direction each.  Every error names the
 * file and JSON path.
 *
 * Invariants: read after the Route Server's bgpConnections (associations
 * resolve against them); rs->maps holds the maps that have a unique name,
 * in file order; a bgp_conn's in_map / out_map point into rs->maps.
 * Ownership: all in the topology's arena.  Costs: linear in the JSON.
 */
#ifndef REPLAY_TOPO_ROUTEMAPS_H
#define REPLAY_TOPO_ROUTEMAPS_H

#include "topo_read.h"

extern const struct topo_coll TOPO_ROUTE_MAPS; /* routeServers[i].routeMaps */

#endif
