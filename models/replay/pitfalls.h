/*
 * pitfalls.h - the warnings of `vnetsim check` beyond Azure's own
 * validation (RULES 5): configurations Azure accepts that do not do what
 * their author most likely wants, and limits that are close or exceeded.
 * They need no run: the topology and the scenario's events are enough.
 *
 * Checked (RULES evidence sections in brackets):
 *  - GatewaySubnet with BGP propagation disabled or a 0.0.0.0/0 UDR [E1.4];
 *  - VirtualAppliance next hops that no NIC with IP forwarding holds, that
 *    lie outside the VNet and peered prefixes of a subnet using the route
 *    (Azure shows them as None), or whose appliance sits in a subnet the
 *    route itself steers (a loop) [E2.2, RULES 1.4];
 *  - one-sided (Initiated) peerings [E4.1];
 *  - more VMs (counted as NICs) than the Route Server's capacity across its
 *    VNet and the VNets using it, or near it [E6.2, RULES 1.8];
 *  - route tables near 400 routes or 25 service-tag routes, Route Servers
 *    at 8 BGP peers [E2.4, E2.3, E6.2] (above is an error of the loader);
 *  - an NVA whose own subnet receives its default route back from the
 *    Route Server [E6.3]: definite when an event advertises 0.0.0.0/0 from
 *    it, "possible" otherwise (advertisements are events, not topology);
 *  - an advertise event sent to one Route Server instance only [E6.1];
 *  - distinct prefixes per BGP session near or above the peer's limit
 *    (1,000 or maxRoutes for NVAs, 4,000 VPN, 4,000/10,000 ExpressRoute)
 *    and total prefixes a Route Server holds near or above 10,000 [E6.2,
 *    E5.3, E5.4], replaying advertise/withdraw events in time order.
 * "Near" means at least PITFALLS_NEAR_PERCENT of the limit.
 *
 * Every warning carries the scenario file and the JSON path of the object
 * at fault ($.topology.routeTables[0].routes[2], $.events[4].prefixes).
 * Cost: O(NICs x VirtualAppliance routes) for the next-hop checks, and
 * O(total event prefixes x log) for the prefix counts.
 */
#ifndef REPLAY_PITFALLS_H
#define REPLAY_PITFALLS_H

#include <stddef.h>

struct scenario;
struct diag;

#define PITFALLS_NEAR_PERCENT 90
#define PITFALLS_RS_MAX_PEERS 8
#define PITFALLS_MAX_ROUTES_PER_TABLE 400
#define PITFALLS_MAX_TAG_ROUTES_PER_TABLE 25
#define PITFALLS_RS_MAX_PREFIXES 10000

/* Appends the warnings for sc to d.  Returns the number added, or
 * (size_t)-1 when memory ran out (the warnings added so far stay). */
size_t pitfalls_check(const struct scenario *sc, struct diag *d);

#endif
