/*
 * svctag_json.h - a service tag catalogue from JSON: the `values` array of
 * Azure's public ServiceTags file, a scenario's `serviceTags`, or a
 * `--service-tags FILE` (the catalogue itself is rules/svctag.h).
 *
 * What it models: RULES 2.1's tag sources; a tag's IPv4 prefixes (IPv6
 * ones, valid in Azure's file, are skipped), its region ("" for a global
 * tag); a tag name defined twice is an error.
 *
 * Ownership: the catalogue returned is the caller's (svctag_destroy); its
 * names and prefixes live in its own arena, nothing points into the JSON.
 * Costs: linear in the tags and prefixes (a hash set finds a tag defined
 * twice).
 */
#ifndef REPLAY_SVCTAG_JSON_H
#define REPLAY_SVCTAG_JSON_H

#include <cjson/cJSON.h>

#include "svctag.h"

struct jin;

/* Parses a `{"values": [...]}` object; problems go to j (errors).  NULL
 * when the object is unusable or memory runs out. */
struct svctag_catalog *svctag_json_parse(struct jin *j, const cJSON *obj, const char *origin);

#endif
