/*
 * svctag_json.h - a service tag catalogue from JSON: the `values` array of
 * Azure's public ServiceTags file, a scenario's `serviceTags`, or a
 * `--service-tags FILE` (the catalogue itself is rules/svctag.h).
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
