/*
 * gen.c - random scenarios and timelines (gen.h).
 *
 * The network is fixed in shape, its options drawn (hold time, prefix
 * limit, active-active, Route Server preferences, which spokes use the
 * hub's gateways, a default route to the NVA); the timeline is drawn event
 * by event from weighted kinds, 0 to 30 s apart (equal times included).
 * The generator keeps the state its events leave in struct world: which
 * optional objects exist, which connections run BGP, which peers are down.
 */
#include "gen.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "strbuf.h"

/* What the events so far leave. */
struct world {
	bool nva3;                     /* bgpConnection ars/nva3 */
	bool vpn2_bgp;                 /* connection vpn2 runs BGP */
	bool vpn3;                     /* connection vpn3 */
	bool extra_route;              /* route rt-app/extra */
	bool s3_peered;                /* hub-s3 and s3-hub */
	bool s2_c;                     /* subnet s2/c */
	bool down[8];                  /* per speaker (SPEAKERS): after peerDown */
};

static const char *const SPEAKERS[] = { "ars/nva1", "ars/nva2", "ars/nva3", "vpn1",
					"vpn2",     "vpn3",     "er1" };
enum { SP_NVA3 = 2, SP_VPN2 = 4, SP_VPN3 = 5, NSPEAKERS = 7 };

static const char *const PREFIXES[] = { "0.0.0.0/0",      "192.168.1.0/24", "192.168.2.0/24",
					"172.16.0.0/16",  "10.200.0.0/16",  "10.100.0.0/16",
					"192.168.50.0/24", "10.1.0.0/16",   "10.2.5.0/24" };
#define NPREFIXES (sizeof(PREFIXES) / sizeof(PREFIXES[0]))
#define NOVERLAP 2 /* the last ones lie inside spokes' spaces */

struct g {
	struct rng *r;
	struct sb b;
	struct world w;
	const struct gen_opts *o;
	bool wild;                     /* this event ignores the world */
	bool first;                    /* no event written yet */
};

static unsigned pick(struct g *g, unsigned n) { return (unsigned)rng_uniform_int(g->r, n); }
static bool chance(struct g *g, unsigned percent) { return pick(g, 100) < percent; }

static bool speaker_exists(const struct g *g, unsigned i)
{
	return (i != SP_NVA3 || g->w.nva3) && (i != SP_VPN2 || g->w.vpn2_bgp) &&
	       (i != SP_VPN3 || g->w.vpn3);
}

/* ---- the network ------------------------------------------------------- */

static void gen_vnets(struct g *g)
{
	struct sb *b = &g->b;
	sb_printf(b, "\"virtualNetworks\":[{\"name\":\"hub\",\"location\":\"westeurope\","
		     "\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},\"subnets\":["
		     "{\"name\":\"GatewaySubnet\",\"addressPrefix\":\"10.0.255.0/27\"},"
		     "{\"name\":\"RouteServerSubnet\",\"addressPrefix\":\"10.0.254.0/26\"},"
		     "{\"name\":\"nva\",\"addressPrefix\":\"10.0.1.0/24\"},"
		     "{\"name\":\"app\",\"addressPrefix\":\"10.0.2.0/24\",\"routeTable\":{\"id\":\"rt-app\"}}],"
		     "\"virtualNetworkPeerings\":[");
	for (unsigned k = 1; k <= 3; k++)
		sb_printf(b, "%s{\"name\":\"hub-s%u\",\"remoteVirtualNetwork\":{\"id\":\"s%u\"},"
			     "\"allowGatewayTransit\":true}",
			  k > 1 ? "," : "", k, k);
	sb_printf(b, "]}");
	for (unsigned k = 1; k <= 3; k++)
		sb_printf(b, ",{\"name\":\"s%u\",\"location\":\"westeurope\","
			     "\"addressSpace\":{\"addressPrefixes\":[\"10.%u.0.0/16\"]},\"subnets\":["
			     "{\"name\":\"app\",\"addressPrefix\":\"10.%u.0.0/24\"%s},"
			     "{\"name\":\"b\",\"addressPrefix\":\"10.%u.1.0/24\"}],"
			     "\"virtualNetworkPeerings\":[{\"name\":\"s%u-hub\","
			     "\"remoteVirtualNetwork\":{\"id\":\"hub\"},\"useRemoteGateways\":%s}]}",
			  k, k, k, k == 1 ? ",\"routeTable\":{\"id\":\"rt-spoke\"}" : "", k, k,
			  chance(g, 70) ? "true" : "false");
	sb_printf(b, ",{\"name\":\"iso\",\"location\":\"westeurope\","
		     "\"addressSpace\":{\"addressPrefixes\":[\"10.9.0.0/16\"]},"
		     "\"subnets\":[{\"name\":\"app\",\"addressPrefix\":\"10.9.0.0/24\"}]}]");
}

static void gen_gateways(struct g *g)
{
	struct sb *b = &g->b;
	static const char *const prefs[] = { "ExpressRoute", "VpnGateway", "ASPath" };
	sb_printf(b, ",\"virtualNetworkGateways\":[{\"name\":\"vpngw\",\"virtualNetwork\":{\"id\":\"hub\"},"
		     "\"gatewayType\":\"Vpn\",\"sku\":{\"name\":\"VpnGw1\"},\"activeActive\":%s,"
		     "\"enableBgp\":true,\"bgpSettings\":{\"asn\":65515},\"publicIpAddress\":\"20.1.2.3\"},"
		     "{\"name\":\"ergw\",\"virtualNetwork\":{\"id\":\"hub\"},\"gatewayType\":\"ExpressRoute\","
		     "\"sku\":{\"name\":\"ErGw1AZ\"}}]",
		  chance(g, 50) ? "true" : "false");
	sb_printf(b, ",\"connections\":["
		     "{\"name\":\"vpn1\",\"virtualNetworkGateway\":{\"id\":\"vpngw\"},\"connectionType\":\"IPsec\","
		     "\"enableBgp\":true,\"peerAsn\":65101,\"peerBgpAddress\":\"192.168.100.1\","
		     "\"localNetworkAddressPrefixes\":[]},"
		     "{\"name\":\"vpn2\",\"virtualNetworkGateway\":{\"id\":\"vpngw\"},\"connectionType\":\"IPsec\","
		     "\"enableBgp\":false,\"localNetworkAddressPrefixes\":[\"192.168.50.0/24\"]},"
		     "{\"name\":\"er1\",\"virtualNetworkGateway\":{\"id\":\"ergw\"},\"connectionType\":\"ExpressRoute\","
		     "\"routingWeight\":%u,\"sku\":\"Standard\",\"peerAsn\":65020,"
		     "\"nextHopIpAddresses\":[\"10.24.132.60\"]}]",
		  pick(g, 2) * 10);
	sb_printf(b, ",\"routeServers\":[{\"name\":\"ars\",\"subnet\":{\"id\":\"hub/RouteServerSubnet\"},"
		     "\"allowBranchToBranchTraffic\":%s,\"hubRoutingPreference\":\"%s\","
		     "\"bgpConnections\":[{\"name\":\"nva1\",\"peerIp\":\"10.0.1.4\",\"peerAsn\":65001,"
		     "\"maxRoutes\":%u},{\"name\":\"nva2\",\"peerIp\":\"10.0.1.5\",\"peerAsn\":65002}]}]",
		  chance(g, 50) ? "true" : "false", prefs[pick(g, 3)], chance(g, 30) ? 3u : 1000u);
}

static void gen_topology(struct g *g)
{
	struct sb *b = &g->b;
	sb_printf(b, "\"topology\":{");
	gen_vnets(g);
	gen_gateways(g);
	sb_printf(b, ",\"routeTables\":[{\"name\":\"rt-app\",\"routes\":[%s]},"
		     "{\"name\":\"rt-spoke\",\"disableBgpRoutePropagation\":%s,\"routes\":["
		     "{\"name\":\"r0\",\"addressPrefix\":\"10.200.0.0/16\","
		     "\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"10.0.1.5\"}]}]",
		  chance(g, 50) ? "{\"name\":\"r0\",\"addressPrefix\":\"0.0.0.0/0\","
				  "\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"10.0.1.4\"}"
				: "",
		  chance(g, 30) ? "true" : "false");
	sb_printf(b, ",\"networkInterfaces\":["
		     "{\"name\":\"nva1-nic\",\"enableIPForwarding\":true,\"ipConfigurations\":["
		     "{\"subnet\":{\"id\":\"hub/nva\"},\"privateIPAddress\":\"10.0.1.4\"}]},"
		     "{\"name\":\"nva2-nic\",\"enableIPForwarding\":true,\"ipConfigurations\":["
		     "{\"subnet\":{\"id\":\"hub/nva\"},\"privateIPAddress\":\"10.0.1.5\"}]},"
		     "{\"name\":\"vm-*\",\"count\":3,\"ipConfigurations\":[{\"subnet\":{\"id\":\"s1/app\"}}]}]}");
}

/* ---- events ------------------------------------------------------------ */

static void ev_begin(struct g *g, int64_t at_ms, const char *op)
{
	sb_printf(&g->b, "%s{\"at\":\"%lldms\",\"op\":\"%s\"", g->first ? "" : ",",
		  (long long)at_ms, op);
	g->first = false;
}

/* A speaker that exists now (any, when wild). */
static unsigned some_speaker(struct g *g)
{
	unsigned i;
	do
		i = pick(g, NSPEAKERS);
	while (!g->wild && !speaker_exists(g, i));
	return i;
}

static void ev_prefixes(struct g *g)
{
	unsigned n = 1 + pick(g, 3);
	unsigned pool = g->o->overlap_vnets ? NPREFIXES : NPREFIXES - NOVERLAP;
	sb_printf(&g->b, ",\"prefixes\":[");
	for (unsigned k = 0; k < n; k++)
		sb_printf(&g->b, "%s\"%s\"", k ? "," : "", PREFIXES[(pick(g, pool) + k) % pool]);
	sb_printf(&g->b, "]");
}

static void ev_advertise(struct g *g, int64_t at)
{
	static const unsigned asns[] = { 65001, 65002, 65101, 65020, 64600, 64700 };
	unsigned sp = some_speaker(g);
	ev_begin(g, at, "advertise");
	sb_printf(&g->b, ",\"from\":\"%s\"", SPEAKERS[sp]);
	ev_prefixes(g);
	if (chance(g, 60)) {
		unsigned n = 1 + pick(g, 3);
		sb_printf(&g->b, ",\"asPath\":[");
		for (unsigned k = 0; k < n; k++)
			sb_printf(&g->b, "%s%u", k ? "," : "", asns[pick(g, 6)]);
		sb_printf(&g->b, "]");
	}
	bool nva = sp <= SP_NVA3;
	if (nva && chance(g, 50))
		sb_printf(&g->b, ",\"nextHop\":\"10.0.1.%u\"", 4 + pick(g, 2));
	if (nva && chance(g, 15))
		sb_printf(&g->b, ",\"to\":[\"IN_%u\"]", pick(g, 2));
	if (chance(g, 10))
		sb_printf(&g->b, ",\"communities\":[\"65001:%u\"]", pick(g, 3));
	sb_printf(&g->b, "}");
}

static void ev_peer(struct g *g, int64_t at)
{
	unsigned sp = some_speaker(g);
	bool down = chance(g, 50);
	if (!g->wild && sp < 8)
		down = !g->w.down[sp] ? chance(g, 85) : chance(g, 10);
	ev_begin(g, at, down ? "peerDown" : "peerUp");
	sb_printf(&g->b, ",\"peer\":\"%s\"", SPEAKERS[sp]);
	if (down)
		sb_printf(&g->b, ",\"mode\":\"%s\"", chance(g, 50) ? "silent" : "graceful");
	sb_printf(&g->b, "}");
	g->w.down[sp] = down;
}

static void ev_instance(struct g *g, int64_t at)
{
	static const char *const owners[] = { "ars", "vpngw", "ergw" };
	ev_begin(g, at, chance(g, 50) ? "instanceDown" : "instanceUp");
	sb_printf(&g->b, ",\"target\":\"%s/IN_%u\"}", owners[pick(g, 3)], pick(g, 2));
}

static void ev_edit(struct g *g, int64_t at, const char *op, const char *path, const char *value)
{
	ev_begin(g, at, op);
	sb_printf(&g->b, ",\"path\":\"%s\"", path);
	if (value)
		sb_printf(&g->b, ",\"value\":%s", value);
	sb_printf(&g->b, "}");
}

/* add path (value) when *exists is false or the event is wild, else
 * remove it; *exists follows. */
static void ev_toggle(struct g *g, int64_t at, bool *exists, const char *path, const char *value)
{
	bool add = g->wild || !*exists;
	ev_edit(g, at, add ? "add" : "remove", path, add ? value : NULL);
	*exists = add;
}

static void ev_route_edit(struct g *g, int64_t at)
{
	static const char *const hops[] = {
		"{\"nextHopType\":\"None\",\"nextHopIpAddress\":null}",
		"{\"nextHopType\":\"Internet\",\"nextHopIpAddress\":null}",
		"{\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"10.0.1.5\"}",
		"{\"nextHopType\":\"VirtualNetworkGateway\",\"nextHopIpAddress\":null}",
	};
	switch (pick(g, 5)) {
	case 4:
		/* A subnet's association: rt-spoke on s2/app, or none. */
		ev_edit(g, at, "set", "virtualNetworks/s2/subnets/app",
			chance(g, 50) ? "{\"routeTable\":{\"id\":\"rt-spoke\"}}" : "{\"routeTable\":null}");
		break;
	case 0:
		ev_toggle(g, at, &g->w.extra_route, "routeTables/rt-app/routes/extra",
			  "{\"addressPrefix\":\"192.168.0.0/16\",\"nextHopType\":\"None\"}");
		break;
	case 1:
		ev_edit(g, at, "set", "routeTables/rt-spoke/routes/r0", hops[pick(g, 4)]);
		break;
	case 2:
		ev_edit(g, at, "set", chance(g, 50) ? "routeTables/rt-spoke" : "routeTables/rt-app",
			chance(g, 50) ? "{\"disableBgpRoutePropagation\":true}"
				      : "{\"disableBgpRoutePropagation\":false}");
		break;
	default:
		ev_edit(g, at, "set", g->wild ? "routeTables/rt-gone/routes/r1" : "routeTables/rt-app",
			"{\"routes\":[]}");
		g->w.extra_route = false;
		break;
	}
}

static void ev_peering_edit(struct g *g, int64_t at)
{
	char path[128];
	unsigned k = 1 + pick(g, 3);
	if (k == 3 && (g->wild || chance(g, 50))) {
		/* s3's two peerings go and come back (useRemoteGateways false:
		 * one side at a time is valid). */
		bool back = g->wild ? chance(g, 50) : !g->w.s3_peered;
		const char *hub_value = "{\"remoteVirtualNetwork\":{\"id\":\"s3\"},\"allowGatewayTransit\":true}";
		if (back) {
			ev_edit(g, at, "add", "virtualNetworks/hub/virtualNetworkPeerings/hub-s3", hub_value);
			ev_edit(g, at, "set", "virtualNetworks/s3/virtualNetworkPeerings/s3-hub",
				"{\"useRemoteGateways\":false}");
		} else {
			ev_edit(g, at, "set", "virtualNetworks/s3/virtualNetworkPeerings/s3-hub",
				"{\"useRemoteGateways\":false}");
			ev_edit(g, at, "remove", "virtualNetworks/hub/virtualNetworkPeerings/hub-s3", NULL);
		}
		g->w.s3_peered = back;
		return;
	}
	if (k == 3 && !g->w.s3_peered)
		k = 2;
	snprintf(path, sizeof(path), "virtualNetworks/s%u/virtualNetworkPeerings/s%u-hub", k, k);
	ev_edit(g, at, "set", path,
		chance(g, 50) ? "{\"useRemoteGateways\":true}" : "{\"useRemoteGateways\":false}");
}

static void ev_connection_edit(struct g *g, int64_t at)
{
	switch (pick(g, 3)) {
	case 0:
		if (g->wild || !g->w.vpn2_bgp)
			ev_edit(g, at, "set", "connections/vpn2",
				"{\"enableBgp\":true,\"peerAsn\":65102,\"peerBgpAddress\":\"192.168.100.2\"}");
		else
			ev_edit(g, at, "set", "connections/vpn2", "{\"enableBgp\":false}");
		g->w.vpn2_bgp = g->wild || !g->w.vpn2_bgp;
		break;
	case 1:
		ev_toggle(g, at, &g->w.vpn3, "connections/vpn3",
			  "{\"virtualNetworkGateway\":{\"id\":\"vpngw\"},\"connectionType\":\"IPsec\","
			  "\"enableBgp\":true,\"peerAsn\":65103,\"peerBgpAddress\":\"192.168.100.3\","
			  "\"localNetworkAddressPrefixes\":[]}");
		g->w.down[SP_VPN3] = false;
		break;
	default:
		ev_edit(g, at, "set", "connections/er1",
			chance(g, 50) ? "{\"routingWeight\":20}" : "{\"routingWeight\":0}");
		break;
	}
}

static void ev_other_edit(struct g *g, int64_t at)
{
	switch (pick(g, 5)) {
	case 4:
		ev_toggle(g, at, &g->w.s2_c, "virtualNetworks/s2/subnets/c",
			  "{\"addressPrefix\":\"10.2.2.0/24\",\"routeTable\":{\"id\":\"rt-app\"}}");
		break;
	case 0:
		ev_toggle(g, at, &g->w.nva3, "routeServers/ars/bgpConnections/nva3",
			  "{\"peerIp\":\"10.0.1.6\",\"peerAsn\":65003}");
		g->w.down[SP_NVA3] = false;
		break;
	case 1:
		ev_edit(g, at, "set", "routeServers/ars",
			chance(g, 50) ? "{\"allowBranchToBranchTraffic\":true,\"hubRoutingPreference\":\"ASPath\"}"
				      : "{\"allowBranchToBranchTraffic\":false,\"hubRoutingPreference\":\"ExpressRoute\"}");
		break;
	case 2:
		ev_edit(g, at, "set", "virtualNetworkGateways/vpngw",
			chance(g, 50) ? "{\"activeActive\":true}" : "{\"activeActive\":false}");
		break;
	default: {
		char v[64];
		snprintf(v, sizeof(v), "{\"count\":%u}", 2 + pick(g, 4));
		ev_edit(g, at, "set", "networkInterfaces/vm-*", v);
		break;
	}
	}
}

static void gen_events(struct g *g)
{
	/* Weights of the kinds, in the order of the switch below. */
	static const unsigned weights[] = { 25, 10, 12, 6, 10, 6, 8, 8, 8 };
	unsigned total = 0;
	for (size_t i = 0; i < sizeof(weights) / sizeof(weights[0]); i++)
		total += weights[i];
	unsigned n = 1 + pick(g, g->o->max_events);
	int64_t at = 0;
	unsigned labels = 0;
	sb_printf(&g->b, ",\"events\":[");
	g->first = true;
	for (unsigned i = 0; i < n; i++) {
		at += (int64_t)pick(g, 4) * 10000;
		g->wild = chance(g, g->o->wild_percent);
		unsigned x = pick(g, total), kind = 0;
		while (x >= weights[kind])
			x -= weights[kind++];
		switch (kind) {
		case 0: ev_advertise(g, at); break;
		case 1: {
			ev_begin(g, at, "withdraw");
			sb_printf(&g->b, ",\"from\":\"%s\"", SPEAKERS[some_speaker(g)]);
			ev_prefixes(g);
			sb_printf(&g->b, "}");
			break;
		}
		case 2: ev_peer(g, at); break;
		case 3: ev_instance(g, at); break;
		case 4: ev_route_edit(g, at); break;
		case 5: ev_peering_edit(g, at); break;
		case 6: ev_connection_edit(g, at); break;
		case 7: ev_other_edit(g, at); break;
		default:
			ev_begin(g, at, "checkpoint");
			sb_printf(&g->b, ",\"label\":\"cp%u\"}", labels++);
			break;
		}
	}
	ev_begin(g, at + 1, "checkpoint");
	sb_printf(&g->b, ",\"label\":\"last\"}]");
}

char *gen_scenario(uint64_t seed, const struct gen_opts *o)
{
	struct g g = { .r = rng_create(seed), .o = o, .w = { .s3_peered = true } };
	static const unsigned holds[] = { 9, 30, 90, 180 };
	if (!g.r)
		return NULL;
	sb_printf(&g.b, "{\"schemaVersion\":1,\"name\":\"random-%llu\",\"settings\":{"
			"\"bgpHoldSeconds\":%u,\"bgpConnectRetrySeconds\":%u},",
		  (unsigned long long)seed, holds[pick(&g, 4)], 5 + pick(&g, 3) * 20);
	gen_topology(&g);
	gen_events(&g);
	sb_printf(&g.b, "}");
	rng_destroy(g.r);
	if (g.b.oom) {
		free(g.b.s);
		return NULL;
	}
	return g.b.s;
}
