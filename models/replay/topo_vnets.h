/*
 * topo_vnets.h - virtual networks, their subnets, service endpoints and
 * peerings from the topology JSON (RULES 2.1).
 *
 * What it models: a VNet's address space (prefixes that do not overlap),
 * its subnets (inside the space, not overlapping a sibling, /29 or larger,
 * names unique within the VNet and without '/'), their service endpoints
 * (resolved to service tag prefixes for the VNet's region), the subnet ->
 * route table references, and the VNet's peerings (to another existing
 * VNet, once each, never overlapping it).
 *
 * Invariants: a VNet's subnets are in t->subnets in VNet order then subnet
 * order, s->index being the position; v->index is the VNet's position in
 * t->vnets.  Peerings and route table references are read in later passes
 * (topo_read_revisit), once every VNet and every route table exists.
 *
 * Ownership: all in the topology's arena.  Costs: O(subnets^2) prefix
 * comparisons per VNet for the sibling overlap rule, O(peerings x prefixes)
 * for the peered overlap rule.
 */
#ifndef REPLAY_TOPO_VNETS_H
#define REPLAY_TOPO_VNETS_H

#include "topo_read.h"

extern const struct topo_coll TOPO_VNETS;          /* topology.virtualNetworks */
extern const struct topo_coll TOPO_VNETS_PEERINGS; /* a VNet's virtualNetworkPeerings */

/* Later passes over virtualNetworks (topo_revisit_fn, made = the VNet):
 * its peerings, once every VNet exists; its subnets' route tables, once
 * every route table exists. */
void topo_vnets_read_peerings(struct topo_reader *r, const cJSON *o, void *vnet, void *ctx);
void topo_vnets_link_route_tables(struct topo_reader *r, const cJSON *o, void *vnet, void *ctx);

#endif
