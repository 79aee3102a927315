/*
 * gen.h - a random generator of scenario files (RULES 2) for the oracle
 * of randscen.c: a hub with a Route Server, a VPN and an ExpressRoute
 * gateway, three spokes and an isolated VNet, then a timeline drawing
 * every event kind (advertise, withdraw, peerDown/peerUp, instanceDown/Up,
 * edits of routes, route tables, peerings, connections and enableBgp,
 * bgpConnections, gateways, Route Server settings, NIC counts,
 * checkpoints).
 *
 * The generator follows what its own events leave (a bgpConnection added,
 * BGP enabled on a connection, a route removed) so most files are valid;
 * a few events ignore that state on purpose ("wild"), so the validation of
 * events at their time is exercised both ways.
 *
 * Ownership: gen_scenario returns a malloc'd JSON text the caller frees.
 * Deterministic: the same seed and options give the same text.
 */
#ifndef TESTS_RANDOM_GEN_H
#define TESTS_RANDOM_GEN_H

#include <stdint.h>

struct gen_opts {
	unsigned max_events;           /* events drawn: 1 .. max_events */
	unsigned wild_percent;         /* events that ignore the generator's state */
	/* Advertise prefixes inside the VNets' address spaces (a spoke's
	 * 10.1.0.0/16, a subnet of 10.2.0.0/16). */
	int overlap_vnets;
};

/* NULL when out of memory. */
char *gen_scenario(uint64_t seed, const struct gen_opts *o);

#endif
