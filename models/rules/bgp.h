/*
 * bgp.h - one BGP path model and decision process for the Azure gateways
 * and the Route Server (RULES 1.5, RULES E3.3).
 *
 * A path is what one speaker received for one prefix from one peer.  The
 * decision process runs per prefix over the candidate paths of a routing
 * domain: first the filters (step 1 loop prevention, step 2 the VNet-prefix
 * filter), then the choice (steps 3-4), leaving an ECMP set.  Step 5, the
 * path an ExpressRoute route carries, is applied where a route enters the
 * Azure side (bgp_as_path_received, called by the replay's advertise).  It
 * is pure: no allocation, no state; the caller gathers candidates
 * (domain.c).
 */
#ifndef RULES_BGP_H
#define RULES_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topology.h"
#include "prefix.h"

#define BGP_ASN_AZURE 65515u     /* Route Server, ExpressRoute gateway, default VPN */
#define BGP_ASN_MSEE 12076u      /* prepended to ExpressRoute paths (RULES 1.5.5) */
#define BGP_COMM_NO_ADVERTISE 0xFFFFFF02u /* 65535:65282 */
#define BGP_MAX_AS_PATH 64

enum bgp_origin {
	BGP_ORIGIN_EXPRESSROUTE,
	BGP_ORIGIN_VPN,          /* learned over a VPN BGP session */
	BGP_ORIGIN_STATIC,       /* localNetworkAddressPrefixes of a VPN connection */
	BGP_ORIGIN_NVA,          /* learned by the Route Server from an NVA */
};
const char *bgp_origin_name(enum bgp_origin o);

struct bgp_path {
	struct prefix prefix;
	enum bgp_origin origin;
	const uint32_t *as_path;  /* as received by the Azure side, 12076 included for ER */
	uint16_t as_len;
	const uint32_t *communities;
	uint16_t ncommunities;
	uint32_t next_hop;        /* NVA: the BGP next hop; others: 0 (derived per speaker) */
	uint32_t weight;          /* ExpressRoute connection routingWeight */
	uint32_t receiver_asn;    /* ASN of the Azure speaker that received it */
	const void *source;       /* the peer it came from (opaque to this module) */
};

struct bgp_ctx {
	bool has_route_server;    /* the domain has a Route Server */
	enum hub_pref pref;       /* its hubRoutingPreference */
	const struct prefix *vnet_prefixes; /* address spaces of the domain's VNets */
	size_t nvnet_prefixes;
	bool vnet_normalized;     /* vnet_prefixes went through bgp_prefixes_normalize:
				   * the filter is a binary search */
};

/* Sorts v and drops every prefix inside another one, leaving disjoint
 * prefixes in address order that cover the same addresses.  Returns the
 * new count. */
size_t bgp_prefixes_normalize(struct prefix *v, size_t n);

/* Steps 1 and 2 of RULES 1.5: each returns true when the path must be dropped
 * (the filters of bgp_prefix_filtered answer for a prefix). */
bool bgp_path_loops(const struct bgp_path *p);
bool bgp_prefix_filtered(const struct bgp_ctx *ctx, struct prefix p);
bool bgp_path_no_advertise(const struct bgp_path *p);

/* Steps 3-4 over n candidates of one prefix (already filtered).  Writes the
 * indices of the best (ECMP) set to best[] in candidate order and returns
 * their count (0 only when n == 0). */
size_t bgp_decide(const struct bgp_ctx *ctx, const struct bgp_path *const *cands, size_t n,
		  size_t *best);

/* Step 5 (RULES 1.5.5): the AS path of a route as the Azure side receives
 * it, from the path the peer sent (`sent`, len ASNs; len 0 is an empty
 * path): an ExpressRoute path carries 12076 (BGP_ASN_MSEE) in front of the
 * on-premises AS path; other origins receive it as sent.  Writes to out,
 * which has room for len + 1 ASNs, and returns the length written.  O(len). */
size_t bgp_as_path_received(enum bgp_origin origin, const uint32_t *sent, size_t len,
			    uint32_t *out);

#endif
