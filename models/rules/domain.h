/*
 * domain.h - a routing domain's programmed BGP routes (RULES 1.3, 1.5).
 *
 * The domain of hub H is H's VPN gateway, ExpressRoute gateway and Route
 * Server, programming H and every VNet using H's gateways.  domain_build
 * gathers every candidate path (Route Server instances' Adj-RIBs-In, VPN
 * BGP sessions and static prefixes, ExpressRoute sessions), filters them
 * (bgp.h steps 1-2), decides per prefix (steps 3-4: each live Route Server
 * instance on its own Adj-RIB-In and the gateways' paths, RULES 1.8; the
 * union of their winners is programmed) and expands the winners
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

/* ---- which hub's gateways a VNet uses (RULES 1.3, 2.1) ------------------- */

/* A hub: a VNet with a VPN gateway, an ExpressRoute gateway or a Route
 * Server of its own. */
bool domain_is_hub(const struct vnet *v);

/* What useRemoteGateways on one peering does: USED, or the first of RULES
 * 2.1's constraints it breaks, in the order they are checked. */
enum domain_transit {
	DOMAIN_TRANSIT_USED,           /* the VNet uses the remote hub's gateways */
	DOMAIN_TRANSIT_SECOND,         /* an earlier peering sets it: one per VNet */
	DOMAIN_TRANSIT_OWN_GATEWAY,    /* the VNet has a gateway or Route Server of its own */
	DOMAIN_TRANSIT_NOT_ALLOWED,    /* the remote's peering back lacks allowGatewayTransit */
	DOMAIN_TRANSIT_NO_GATEWAY,     /* the remote VNet is not a hub */
	DOMAIN_TRANSIT_NOT_CONNECTED,  /* no peering back (Initiated): no effect, not an error */
};

/* One peering with useRemoteGateways that the VNet does not use. */
struct domain_transit_note {
	const struct vnet *vnet;
	size_t peering;                /* its index in vnet->peerings */
	enum domain_transit why;
	const struct peering *back;    /* the remote's peering to vnet, or NULL */
	const struct peering *earlier; /* the VNet's previous peering with useRemoteGateways */
};

/* The remote's peering back to p->local, or NULL. */
typedef const struct peering *(*domain_back_fn)(const struct peering *p, void *ctx);
typedef void (*domain_note_fn)(const struct domain_transit_note *note, void *ctx);

/* RULES 1.3: v's routing domain, the hub whose gateways and Route Server
 * program it: v itself when it is a hub; else the remote of its peering
 * with useRemoteGateways when the remote's peering back allows gateway
 * transit and the remote is a hub (a VNet that itself uses a remote
 * gateway offers no transit); else NULL.  note(ctx) hears of every other
 * peering with useRemoteGateways and why it is not used (RULES 2.1), in
 * peering order.  O(peerings of v) calls of back. */
struct vnet *domain_hub(struct vnet *v, domain_back_fn back, domain_note_fn note, void *ctx);

#endif
