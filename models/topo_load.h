/*
 * topo_load.h - builds a struct topology from the scenario's `topology`
 * JSON, applying every rule of SPEC 2.1.  All problems are reported through
 * the cursor (file + JSON path); when any error was reported the result is
 * NULL and nothing of it survives.
 */
#ifndef MODELS_TOPO_LOAD_H
#define MODELS_TOPO_LOAD_H

#include <cjson/cJSON.h>

#include "models/topology.h"

struct jin;
struct svctag_catalog;

struct topo_opts {
	const struct svctag_catalog *tags;   /* scenario tags, else --service-tags, else sample */
	size_t max_nics;                     /* cap on expanded NICs (bad input guard) */
	/* The topology an edit changes, or NULL.  NICs and private endpoints
	 * that stay in their subnet keep the dynamic address they had: Azure
	 * never renumbers an existing interface. */
	const struct topology *prev;
};

#define TOPO_MAX_NICS_DEFAULT 1000000

/* j's path must be the path of `topology` ("$.topology"). */
struct topology *topo_load(struct jin *j, const cJSON *topology, const struct topo_opts *opts);

/* Reserved ASNs of reference 5.2 (Azure public and private, IANA). */
bool asn_reserved(uint32_t asn);

#endif
