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
#ifndef RULES_DOMAIN_H
#define RULES_DOMAIN_H

#include "bgpset.h"
#include "speaker.h"
#include "topology.h"

/* NULL when out of memory; an empty set when the domain has no routes. */
struct bgp_set *domain_build(const struct topology *t, const struct vnet *hub,
			     const struct speakers *sp);

/* The same result as domain_build, computed from base (the domain's set
 * before RIB changes that concern only the `touched` prefixes) by deciding
 * only those prefixes again: what one advertise or withdraw needs.  When
 * nothing changed the result is base itself, with a new reference.
 * *changed (malloc'd, sorted; free it) receives the touched prefixes whose
 * rows differ from base's.  NULL when out of memory.
 * O(n + k log k + k * candidates) for base's n entries. */
struct bgp_set *domain_update(struct bgp_set *base, const struct topology *t,
			      const struct vnet *hub, const struct speakers *sp,
			      const struct prefix *touched, size_t ntouched, struct prefix **changed,
			      size_t *nchanged);

/* The domain's set after a configuration edit that left the hub's gateways,
 * connections and Route Server alone but may have changed which VNets it
 * programs or their address spaces: base is the latest set computed for
 * old_hub in old_t, with the current speakers.  Only the candidates inside
 * a VNet prefix in one topology's domain and not the other's can change
 * (the step 2 filter), so only they are decided again (domain_update).
 * Same result, ownership and *changed as domain_update.  O(paths of the
 * domain x changed VNet prefixes) to find them, when any changed. */
struct bgp_set *domain_respace(struct bgp_set *base, const struct topology *old_t,
			       const struct vnet *old_hub, const struct topology *t,
			       const struct vnet *hub, const struct speakers *sp,
			       struct prefix **changed, size_t *nchanged);

/* domain_respace's core: base with every candidate inside one of the
 * `inside` prefixes decided again, for a caller that knows which VNet
 * prefixes joined or left the domain. */
struct bgp_set *domain_redecide_inside(struct bgp_set *base, const struct topology *t,
				       const struct vnet *hub, const struct speakers *sp,
				       const struct prefix *inside, size_t ninside,
				       struct prefix **changed, size_t *nchanged);

#endif
