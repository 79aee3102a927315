/*
 * topo_lbs.h - internal load balancers from the topology JSON
 * (`topology.loadBalancers`, RULES 2 and 2.1; what a trace does with
 * them: RULES 1.11.2.7).
 *
 * What it models: an internal Standard load balancer with its frontend IP
 * configurations (a static private address of a subnet), its backend pools
 * (the primary IP configurations of NICs) and its load-balancing rules, of
 * which only one kind matters to routing: the HA-ports rule (protocol All,
 * frontendPort 0, backendPort 0), which forwards every flow that reaches
 * its frontend to a backend of its pool.  Probes are accepted but not
 * read: a backend's health is whether its VM is up (RULES 1.11.2.7).
 *
 * Loading is two passes because a pool names NICs and NICs take their
 * addresses after the frontends are known:
 *   1. topo_lbs_read (every subnet exists): names, frontends (address
 *      usable in its subnet, every frontend in one VNet, no address used
 *      twice by frontends), pool names, rules (their frontend and pool
 *      resolved within the load balancer); each frontend's address is
 *      added to r->taken, so that dynamic NIC and endpoint addresses skip
 *      it, as Azure's allocation does;
 *   2. topo_lbs_link (every NIC placed): pool members resolved (a NIC name
 *      or ID, optionally followed by "/ipConfigurations/<name>"), in the
 *      load balancer's VNet; no NIC or private endpoint on a frontend's
 *      address; each frontend's backends gathered from its HA-ports rules.
 *
 * Ownership: everything lives in the topology's arena; r->taken is the
 * reader's (topo_load frees it).  Costs: O(frontends x NICs of their
 * subnet + pool members x log NICs).
 */
#ifndef REPLAY_TOPO_LBS_H
#define REPLAY_TOPO_LBS_H

#include "topo_read.h"

extern const struct topo_coll TOPO_LBS; /* topology.loadBalancers */

/* Pass 1 over the array (NULL: none); *made as topo_read_run's. */
void topo_lbs_read(struct topo_reader *r, const cJSON *arr, void ***made);
/* Pass 2, once every NIC is placed. */
void topo_lbs_link(struct topo_reader *r, const cJSON *arr, void *const *made);

#endif
