/*
 * bgp.c - the decision process of RULES 1.5, the way OpenBGPD's
 * rde_decide.c reads: each step quotes the rule, then does it.
 *
 * Classes: ExpressRoute paths form one class; VPN (BGP and static) and NVA
 * paths form the other ("VPN against NVA is always decided by AS path
 * length").  A static path has an empty AS path, so it beats any BGP path of
 * its class.  Cost: O(n) per prefix over its n candidates.
 */
#include "bgp.h"

#include <stdlib.h>
#include <string.h>

const char *bgp_origin_name(enum bgp_origin o)
{
	switch (o) {
	case BGP_ORIGIN_EXPRESSROUTE: return "ExpressRoute";
	case BGP_ORIGIN_VPN: return "VpnGateway";
	case BGP_ORIGIN_STATIC: return "Static";
	case BGP_ORIGIN_NVA: return "HubBgpConnection";
	}
	return "Unknown";
}

/* Step 1: "Drop a path whose AS path contains the receiver's own ASN". */
bool bgp_path_loops(const struct bgp_path *p)
{
	for (uint16_t i = 0; i < p->as_len; i++)
		if (p->as_path[i] == p->receiver_asn)
			return true;
	return false;
}

size_t bgp_prefixes_normalize(struct prefix *v, size_t n)
{
	n = prefix_sort_unique(v, n);
	/* In (address, length) order a prefix comes before those inside it,
	 * and anything inside a kept prefix follows it directly or inside a
	 * prefix that is itself inside it: checking the last kept suffices. */
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (w == 0 || !prefix_contains(v[w - 1], v[i]))
			v[w++] = v[i];
	return w;
}

/* Step 2: "Drop a prefix equal to or more specific than any address-space
 * prefix of the domain's VNets.  Supernets are accepted." */
bool bgp_prefix_filtered(const struct bgp_ctx *ctx, struct prefix p)
{
	if (ctx->vnet_normalized) {
		/* Disjoint and sorted: only the last prefix starting at or
		 * below p's address can contain p. */
		size_t lo = 0, hi = ctx->nvnet_prefixes;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ctx->vnet_prefixes[mid].addr <= p.addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo > 0 && prefix_contains(ctx->vnet_prefixes[lo - 1], p);
	}
	for (size_t i = 0; i < ctx->nvnet_prefixes; i++)
		if (prefix_contains(ctx->vnet_prefixes[i], p))
			return true;
	return false;
}

/* Step 6 is applied by the advertisers: NO_ADVERTISE paths are programmed
 * into NICs but never re-advertised. */
bool bgp_path_no_advertise(const struct bgp_path *p)
{
	for (uint16_t i = 0; i < p->ncommunities; i++)
		if (p->communities[i] == BGP_COMM_NO_ADVERTISE)
			return true;
	return false;
}

static bool is_er(const struct bgp_path *p) { return p->origin == BGP_ORIGIN_EXPRESSROUTE; }

/* Which class wins step 3 when both are present: 1 = ExpressRoute,
 * 0 = VPN/NVA, -1 = no preference (decide on AS path alone). */
static int class_preference(const struct bgp_ctx *ctx)
{
	if (!ctx->has_route_server)
		return 1; /* "ExpressRoute beats VPN when there is no Route Server" */
	switch (ctx->pref) {
	case HUB_PREF_EXPRESSROUTE: return 1;
	case HUB_PREF_VPN: return 0;
	case HUB_PREF_ASPATH: return -1;
	}
	return 1;
}

size_t bgp_decide(const struct bgp_ctx *ctx, const struct bgp_path *const *cands, size_t n,
		  size_t *best)
{
	if (n == 0)
		return 0;

	/* Step 3: identical prefix from several sources.  With ExpressRoute
	 * and VpnGateway preference the preferred class is kept when present;
	 * ASPath: "the ExpressRoute gateway's own best paths (step 4 applied
	 * to ExpressRoute alone) are compared by AS path length with the
	 * shortest VPN/NVA paths; the shorter wins, an equal length keeps
	 * ExpressRoute" (RULES 1.5.3, RULES E3.3). */
	bool have_er = false, have_other = false;
	for (size_t i = 0; i < n; i++) {
		if (is_er(cands[i]))
			have_er = true;
		else
			have_other = true;
	}
	int pref = class_preference(ctx);
	int keep_er; /* 1 keep ER only, 0 keep others only */
	if (!have_er)
		keep_er = 0;
	else if (!have_other)
		keep_er = 1;
	else if (pref >= 0)
		keep_er = pref;
	else {
		/* The ExpressRoute best is the highest weight, then the
		 * shortest path: a short path of a lower weight does not count. */
		uint32_t er_weight = 0;
		unsigned er_len = UINT16_MAX, min_other = UINT16_MAX;
		for (size_t i = 0; i < n; i++) {
			const struct bgp_path *p = cands[i];
			if (!is_er(p)) {
				if (p->as_len < min_other)
					min_other = p->as_len;
			} else if (p->weight > er_weight ||
				   (p->weight == er_weight && p->as_len < er_len)) {
				er_weight = p->weight;
				er_len = p->as_len;
			}
		}
		keep_er = er_len <= min_other;
	}

	/* Step 4: "within the winning class: higher ExpressRoute connection
	 * routingWeight, then shortest AS path; ties are ECMP". */
	uint32_t best_weight = 0;
	unsigned best_len = UINT16_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct bgp_path *p = cands[i];
		if (is_er(p) != (keep_er == 1))
			continue;
		uint32_t w = is_er(p) ? p->weight : 0;
		if (w > best_weight || (w == best_weight && p->as_len < best_len)) {
			best_weight = w;
			best_len = p->as_len;
		}
	}
	size_t nbest = 0;
	for (size_t i = 0; i < n; i++) {
		const struct bgp_path *p = cands[i];
		if (is_er(p) != (keep_er == 1))
			continue;
		uint32_t w = is_er(p) ? p->weight : 0;
		if (w == best_weight && p->as_len == best_len)
			best[nbest++] = i;
	}
	return nbest;
}

/* Step 5 (RULES 1.5.5): "ExpressRoute paths carry 12076 in front of the
 * on-premises AS path (the MSEE's AS)".  The on-premises router sends its
 * path to the Microsoft Enterprise Edge routers, which prepend their own AS
 * before the ExpressRoute gateway receives it; VPN and NVA sessions end on
 * the Azure side directly. */
size_t bgp_as_path_received(enum bgp_origin origin, const uint32_t *sent, size_t len,
			    uint32_t *out)
{
	size_t n = 0;
	if (origin == BGP_ORIGIN_EXPRESSROUTE)
		out[n++] = BGP_ASN_MSEE;
	if (len > 0)
		memcpy(out + n, sent, len * sizeof(*sent));
	return n + len;
}
