/*
 * svctag.h - service tag catalogues (RULES 1.4, 1.2.5, 2.1).
 *
 * A catalogue is the `values` array of Azure's public ServiceTags JSON
 * (`{"values":[{"name","properties":{"region","addressPrefixes"}}]}`),
 * from the scenario's `serviceTags`, a `--service-tags FILE`, or the small
 * built-in sample (labelled as sample data wherever it is used).  IPv6
 * prefixes in the public file are skipped: vnetsim models IPv4 only.
 * Lookups are by exact tag name; the regional tag of a service is found by
 * its base name and a case-insensitive region match.
 */
#ifndef RULES_SVCTAG_H
#define RULES_SVCTAG_H

#include <stdbool.h>
#include <stddef.h>

#include "topology.h"

struct svctag {
	const char *name;          /* "Storage.WestEurope" */
	const char *region;        /* "westeurope", "" for a global tag */
	struct prefix_list prefixes;
};

struct svctag_catalog {
	struct arena *arena;
	struct svctag *tags;
	size_t n;
	bool sample;               /* the built-in sample catalogue */
	const char *origin;        /* file name or "scenario" or "built-in sample" */
};

/* An empty catalogue with room for n tags (filled by its reader, which
 * appends to tags[] and counts n up); NULL when out of memory. */
struct svctag_catalog *svctag_catalog_create(size_t n, const char *origin);
/* The built-in sample catalogue. */
struct svctag_catalog *svctag_sample(void);
void svctag_destroy(struct svctag_catalog *c); /* NULL is a no-op */

const struct svctag *svctag_find(const struct svctag_catalog *c, const char *name);
/* Service endpoint name -> tag base ("Microsoft.Storage" -> "Storage"), NULL if unknown. */
const char *svctag_service_tag(const char *service);
/* The tag for a service in a region: "<Base>.<Region>" matched on
 * properties.region, else the global "<Base>". */
const struct svctag *svctag_for_service(const struct svctag_catalog *c, const char *base,
					const char *region);

#endif
