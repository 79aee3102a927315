/*
 * topo_load.h - builds a struct topology from the scenario's `topology`
 * JSON, applying every rule of RULES 2.1.  All problems are reported through
 * the cursor (file + JSON path); when any error was reported the result is
 * NULL and nothing of it survives.
 *
 * What it models: the configuration as Azure would accept it (RULES 2.1),
 * built in passes (topo_load.c) over collections that are each described
 * once in the module that knows them and read by one driver (topo_read.h):
 * topo_vnets (VNets, subnets, service endpoints, peerings), topo_routes
 * (route tables), topo_gateways (gateways, connections, Route Servers),
 * topo_nics (NICs, private endpoints, addresses) and topo_derive (connected
 * peerings and routing domains, RULES 1.3, through domain_hub of domain.h).
 *
 * Invariants: a topology returned satisfies every invariant of topology.h;
 * the cursor's path is the same after a call as before it.
 *
 * Ownership: the topology returned (one reference) owns its arena, which
 * holds every object of it; the JSON is only read (names are copied), the
 * tag catalogue of opts must outlive the topology (tag routes and service
 * endpoints point into it).  A reload in place adds to t's arena.
 *
 * Costs: linear in the size of the JSON for the collections, plus the
 * pairwise rules that are quadratic in small counts (subnets of one VNet,
 * routes of one table), O(N log N) for N interfaces' addresses and
 * O(P log P) for P peerings' derived facts.
 */
#ifndef REPLAY_TOPO_LOAD_H
#define REPLAY_TOPO_LOAD_H

#include <cjson/cJSON.h>

#include "topology.h"

struct jin;
struct svctag_catalog;

struct topo_opts {
	const struct svctag_catalog *tags;   /* scenario tags, else --service-tags, else sample */
	size_t max_nics;                     /* cap on expanded NICs (bad input guard) */
	/* The topology an edit changes, or NULL.  NICs and private endpoints
	 * that stay in their subnet keep the dynamic address they had: Azure
	 * never renumbers an existing interface. */
	const struct topology *prev;
	/* topo_reload_*: change the topology in place even while others hold
	 * references to it (they then see the change).  Off: refused then. */
	bool shared_ok;
};

#define TOPO_MAX_NICS_DEFAULT 1000000

/* j's path must be the path of `topology` ("$.topology"). */
struct topology *topo_load(struct jin *j, const cJSON *topology, const struct topo_opts *opts);

/* After an edit that changed only route table `name` in the topology JSON
 * (its routes or its own settings, not its name), reloads that table into
 * t in place instead of loading everything again: the rules a route table
 * obeys (RULES 2.1) involve no other object, and the subnets using it keep
 * their pointer.  Only when nothing else holds t (t->refs == 1: no
 * checkpoint saw it).  0 done; -1 when it does not apply, the object is
 * invalid or memory ran out, with t unchanged: the caller then loads the
 * whole topology, which reports what is wrong. */
int topo_reload_route_table(struct topology *t, const cJSON *topology, const char *name,
			    const struct topo_opts *opts);

/* The same for an edit that changed only VNet `name`'s peerings (one of
 * virtualNetworks/name/virtualNetworkPeerings/x added, set or removed):
 * reloads them and derives again the connected and global flags and every
 * VNet's routing domain (RULES 1.3, 2.1), in place.  Same conditions and
 * results as topo_reload_route_table. */
int topo_reload_peerings(struct topology *t, const cJSON *topology, const char *name,
			 const struct topo_opts *opts);

/* Reserved ASNs of RULES E5.2 (Azure public and private, IANA). */
bool asn_reserved(uint32_t asn);

#endif
