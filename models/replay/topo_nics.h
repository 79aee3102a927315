/*
 * topo_nics.h - network interfaces and private endpoints from the topology
 * JSON, and their addresses (RULES 2.1).
 *
 * What it models: a NIC is one interface or a template of `count` of them
 * ("web-*" with 12 gives web-01 .. web-12), with its primary IP
 * configuration: a subnet (never GatewaySubnet nor RouteServerSubnet) and
 * a static address or none.  Addresses follow Azure: a subnet keeps its
 * first four and its last address; static ones are reserved first (each
 * usable and unique in its subnet), then every interface without one gets
 * the next free address from .4 upward, NICs in file order, then private
 * endpoints; a full subnet is an error naming it.  After an edit (opts->prev)
 * an interface that stays in its subnet keeps the dynamic address it had:
 * Azure never renumbers an existing interface.
 *
 * Invariants after a load without errors: every NIC and private endpoint
 * has a usable address of its subnet, unique there; t->nics is in file order
 * with templates expanded in place; t->subnet_nics groups them by subnet
 * keeping that order.
 *
 * Ownership: the interfaces live in the topology's arena; the bookkeeping
 * (per-element sources, per-subnet sets of taken addresses) is malloc'd and
 * freed before topo_nics_load returns.  Costs: O(N log N) for N interfaces
 * (sorting the taken addresses), the allocation itself linear per subnet.
 */
#ifndef REPLAY_TOPO_NICS_H
#define REPLAY_TOPO_NICS_H

#include "topo_read.h"

extern const struct topo_coll TOPO_NICS; /* topology.networkInterfaces */
extern const struct topo_coll TOPO_PES;  /* topology.privateEndpoints */

/* Reads both arrays (either may be NULL) and, when no error has been
 * reported through r->j since it was set up, gives every interface its
 * address.  Needs every subnet to exist. */
void topo_nics_load(struct topo_reader *r, const cJSON *nics, const cJSON *pes);

#endif
