/*
 * topo_derive.h - the facts a loaded topology derives from its objects:
 * which peerings are connected and global, and every VNet's routing domain
 * (RULES 1.3, 2.1), with the diagnostics of gateway transit.
 *
 * What it models: a peering is Connected when the remote VNet peers back
 * and global when the two VNets' locations differ; which hub's gateways a
 * VNet uses is the routing-domain rule itself, domain_hub (domain.h): this
 * module gives it the peering back and turns its notes into diagnostics at
 * the peering's JSON path.
 *
 * Invariants: run only on a topology whose objects loaded without error,
 * where v->index and a peering's index are also their JSON indices; after
 * it every peering's connected and global flags and every VNet's domain
 * are set.
 *
 * Ownership: writes only flags and domain pointers of the topology (its
 * arena); a sorted index of the peerings is malloc'd and freed inside.
 * Costs: O(P log P) for P peerings (finding the peering back by binary
 * search: a hub with hundreds of spokes made a scan per peering quadratic).
 */
#ifndef REPLAY_TOPO_DERIVE_H
#define REPLAY_TOPO_DERIVE_H

#include "topo_read.h"

/* Sets the derived facts; errors and warnings go through r->j with paths
 * under virtualNetworks. */
void topo_derive(struct topo_reader *r);

#endif
