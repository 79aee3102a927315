/*
 * graph.h - a scenario's topology as a Graphviz DOT picture (`vnetsim
 * graph`), with what one checkpoint changed or black-holed highlighted.
 *
 * What is drawn (RULES 1.3, 1.8, 1.9 for the objects):
 *  - each VNet as a cluster labelled with its address space, holding its
 *    subnets (prefix, NIC count), its VPN and ExpressRoute gateways, its
 *    Route Server and the NVAs whose peer address a NIC of the VNet holds;
 *  - peerings as edges between VNet clusters, one per connected pair
 *    (one-sided peerings dashed), "gateway transit" where one side uses the
 *    other's gateways;
 *  - the Route Server's BGP sessions to its NVAs and each gateway's
 *    connections to on-premises (a node per connection with its static
 *    prefixes or its BGP ASN), drawn by session state at the checkpoint:
 *    solid up, dashed grey down, red "black hole" for a peer that crashed
 *    silently and whose routes are still held until its hold timer expires;
 *  - highlighted: subnets whose effective routes changed since the previous
 *    checkpoint (red border, the causes in the title), and subnets that
 *    still send traffic to a crashed peer's next hop (red fill).
 * Spokes: when a hub has at least group_min VNets that are plain spokes
 * (no gateway or Route Server of their own, peered with that hub only),
 * they are drawn as one node with their counts (how many changed, how many
 * black-holed), so that an estate of hundreds of spokes stays readable;
 * group_min 0 never groups.
 *
 * The output depends only on its inputs (scenario order everywhere), so the
 * same scenario and checkpoint give byte-identical DOT.  Names are written
 * as DOT strings with quotes and backslashes escaped and control
 * characters replaced, so no input can break out of a label.
 * Costs: O(subnets x rows) for the black-hole scan, O(objects) otherwise.
 */
#ifndef TOOLS_GRAPH_H
#define TOOLS_GRAPH_H

#include <stddef.h>
#include <stdio.h>

#include "run.h"

struct graph_opts {
	const char *title;             /* first title line, e.g. the scenario name */
	size_t group_min;              /* spokes per hub drawn as one node; 0: never */
};

/* Writes the picture of run r at checkpoint cp (one of r's).  0, or -1 out
 * of memory (nothing useful written). */
int graph_write_dot(FILE *out, const struct run *r, const struct checkpoint *cp,
		    const struct graph_opts *o);

#endif
