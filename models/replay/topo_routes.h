/*
 * topo_routes.h - route tables and their user routes from the topology
 * JSON (RULES 1.4, 2.1).
 *
 * What it models: a route table's routes, each a CIDR prefix or a service
 * tag (resolved to the tag's prefixes) with a next hop type and, for
 * VirtualAppliance only, a next hop address.  The rules: at most 400 routes
 * per table (RULES E2.4) and 25 service tag routes (RULES E2.3);
 * route names unique within the table; no two routes with the same
 * addressPrefix (Azure's RouteConflict).
 *
 * Invariants: rt->routes holds the table's object elements in file order
 * (up to the 400th); a route's prefixes are one CIDR or a tag's list.  A
 * table involves no other object, which is what lets an edit of one table
 * reload it alone (topo_routes_read_table, topo_reload_route_table).
 *
 * Ownership: all in the topology's arena; a tag route's prefixes point into
 * the tag catalogue, which outlives the topology.  Costs: O(routes^2)
 * comparisons per table for RouteConflict (at most 400^2).
 */
#ifndef REPLAY_TOPO_ROUTES_H
#define REPLAY_TOPO_ROUTES_H

#include "topo_read.h"

extern const struct topo_coll TOPO_ROUTE_TABLES; /* topology.routeTables */

/* One route table object, the path at it, into rt (zeroed, in r's arena);
 * true when it has a name (registering it is the caller's). */
bool topo_routes_read_table(struct topo_reader *r, const cJSON *o, struct route_table *rt);

#endif
