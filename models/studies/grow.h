/*
 * grow.h - a scenario's network grown by k steps of one capacity dimension,
 * for capacity studies (models/studies/study_capacity.c): a new scenario document
 * that the normal loader validates like user input and the engine replays.
 *
 * One step of each dimension adds (every name, address and prefix new):
 *   spokes          in every routing domain with a spoke, a copy of its
 *                   template spoke (grow_spoke_template) holding the
 *                   domain's average spoke VM count (copies alternate
 *                   between floor and ceiling so that k copies hold k times
 *                   the average, rounded down): the VNet with new address
 *                   space of the same prefix lengths, its subnets at the
 *                   same offsets, its NICs (fixed addresses moved along, the
 *                   dynamic entries scaled to the average) and private
 *                   endpoints, its route table associations,
 *                   the peering pair with the hub with the same flags, and
 *                   in every route table a copy of each route whose prefix
 *                   lies in the template's space (a route per spoke);
 *   vms             one NIC in the VNets of every Route Server, in the first
 *                   subnet with a free address (subnets holding NICs first,
 *                   GatewaySubnet, RouteServerSubnet and Azure* left out;
 *                   Azure keeps 5 addresses of each subnet prefix);
 *   nvaRoutes       one new /24 advertised by every NVA bgpConnection (a
 *                   distinct one per NVA);
 *   onPremPrefixes  one new /24 on every gateway connection with BGP
 *                   (ExpressRoute, and VPN with enableBgp; distinct ones).
 * New address space and prefixes come, lowest first, from 10.0.0.0/8,
 * 172.16.0.0/12 and 192.168.0.0/16 outside every VNet's space and every
 * prefix the scenario routes (UDRs, static and advertised prefixes; covering
 * summaries of /8 or shorter, such as 0.0.0.0/0, do not count).  Steps are
 * stable: the network grown by k steps contains the one grown by k - 1, so
 * a count that grows with steps is monotone.  The growth is computed from
 * the scenario's initial topology; its events stay as they are, the
 * growth's advertisements come at time 0, and expectations are dropped.
 * Deterministic.  Cost: O(k x objects of the template) for spokes,
 * O(k x peers x log(used prefixes)) for prefixes, plus a copy of the whole
 * scenario document (the edits go through scenario_doc.h: no JSON here).
 * Ownership: the grown document is the caller's until grow_load takes it;
 * the scenario grown from is only read.
 */
#ifndef STUDIES_GROW_H
#define STUDIES_GROW_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

struct scenario_doc;

enum grow_dim { GROW_SPOKES, GROW_VMS, GROW_NVA_ROUTES, GROW_ONPREM, GROW_NDIM };

#define GROW_CANNOT 1                /* grow_doc: the network cannot grow so far (why) */

const char *grow_dim_name(enum grow_dim dim); /* "spokes", "vms", "nvaRoutes", "onPremPrefixes" */

/* The spoke a `spokes` step of hub's domain copies: the spoke (a VNet other
 * than hub whose domain is hub) whose NIC count is nearest the domain's
 * average spoke, the first in scenario order on a tie; NULL when none. */
const struct vnet *grow_spoke_template(const struct topology *t, const struct vnet *hub);

/* VMs (NICs) of the spokes of hub's domain and how many spokes there are. */
void grow_spoke_average(const struct topology *t, const struct vnet *hub, size_t *nics,
			size_t *nspokes);

/* sc's document grown by k steps of dim in *out (the caller's).  0;
 * GROW_CANNOT when it cannot grow that far, with the reason in why (address
 * space exhausted, subnets full, nothing of that kind to grow); -1 out of
 * memory. */
int grow_doc(const struct scenario *sc, enum grow_dim dim, uint64_t k, struct scenario_doc **out,
	     char *why, size_t whylen);

/* The grown document as JSON text (malloc'd, indented), for a user to
 * inspect or run.  As grow_doc. */
int grow_print(const struct scenario *sc, enum grow_dim dim, uint64_t k, char **text, char *why,
	       size_t whylen);

/* The dimension named name ("spokes" ...); false when none is. */
bool grow_dim_parse(const char *name, enum grow_dim *out);

/* Loads a grown document (which it takes) as a scenario named file, with
 * sc's service tags.  As scenario_doc_load. */
struct scenario *grow_load(const struct scenario *sc, struct scenario_doc *doc, const char *file,
			   struct diag *d, bool *env_error);

#endif
