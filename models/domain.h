/*
 * domain.h - a routing domain's programmed BGP routes (SPEC 1.3, 1.5).
 *
 * The domain of hub H is H's VPN gateway, ExpressRoute gateway and Route
 * Server, programming H and every VNet using H's gateways.  domain_build
 * gathers every candidate path (Route Server instances' Adj-RIBs-In, VPN
 * BGP sessions and static prefixes, ExpressRoute sessions), filters them
 * (bgp.h steps 1-2), decides per prefix (steps 3-4) and expands the winners
 * into rows: one per next hop for Route Server paths (distinct next hops),
 * one per best path per live gateway instance for VPN, one per Microsoft-side
 * next hop for ExpressRoute.  Cost: O(p log p) for the domain's p paths.
 */
#ifndef MODELS_DOMAIN_H
#define MODELS_DOMAIN_H

#include "models/effective.h"
#include "models/speaker.h"
#include "models/topology.h"

/* NULL when out of memory; an empty set when the domain has no routes. */
struct bgp_set *domain_build(const struct topology *t, const struct vnet *hub,
			     const struct speakers *sp);

#endif
