/*
 * svctag_json.c - reads a service tag catalogue from JSON.  See svctag_json.h.
 */
#include "svctag_json.h"

#include <string.h>

#include "arena.h"
#include "diag.h"
#include "jsonin.h"

struct svctag_catalog *svctag_json_parse(struct jin *j, const cJSON *obj, const char *origin)
{
	static const char *const top_known[] = { "values", "changeNumber", "cloud", NULL };
	static const char *const tag_known[] = { "name", "id", "properties", NULL };
	static const char *const prop_known[] = { "region", "addressPrefixes", "changeNumber",
						  "regionId", "platform", "systemService",
						  "networkFeatures", NULL };
	const cJSON *values;
	if (!cJSON_IsObject(obj)) {
		jin_error(j, "expected an object with \"values\"");
		return NULL;
	}
	jin_known_keys(j, obj, top_known);
	if (!jin_array(j, obj, "values", true, &values))
		return NULL;
	size_t n = (size_t)cJSON_GetArraySize(values);
	struct svctag_catalog *c = svctag_catalog_create(n, origin);
	if (!c)
		return NULL;
	size_t m0 = jin_push_key(j, "values");
	size_t i = 0;
	for (const cJSON *v = values->child; v; v = v->next, i++) {
		size_t m1 = jin_push_index(j, i);
		const char *name = NULL, *region = "";
		const cJSON *props = NULL, *pfx = NULL;
		if (!cJSON_IsObject(v)) {
			jin_error(j, "expected a service tag object");
			jin_pop(j, m1);
			continue;
		}
		jin_known_keys(j, v, tag_known);
		jin_string(j, v, "name", true, &name);
		if (jin_object(j, v, "properties", true, &props)) {
			size_t m2 = jin_push_key(j, "properties");
			jin_known_keys(j, props, prop_known);
			jin_string(j, props, "region", false, &region);
			jin_array(j, props, "addressPrefixes", true, &pfx);
			jin_pop(j, m2);
		}
		if (name && svctag_find(c, name)) {
			jin_error_at(j, "name", "service tag \"%s\" is defined twice", name);
			name = NULL;
		}
		if (name && pfx) {
			struct svctag *t = &c->tags[c->n];
			t->name = arena_strdup(c->arena, name);
			t->region = arena_strdup(c->arena, region);
			size_t np = (size_t)cJSON_GetArraySize(pfx);
			t->prefixes.v = arena_calloc(c->arena, np ? np : 1, sizeof(struct prefix));
			size_t m2 = jin_push_key(j, "properties");
			size_t m3 = jin_push_key(j, "addressPrefixes");
			size_t k = 0;
			for (const cJSON *p = pfx->child; p; p = p->next, k++) {
				/* IPv6 prefixes are valid in the public file: skip them. */
				if (cJSON_IsString(p) && strchr(p->valuestring, ':'))
					continue;
				size_t m4 = jin_push_index(j, k);
				struct prefix pp;
				if (t->prefixes.v && jin_prefix_value(j, p, &pp))
					t->prefixes.v[t->prefixes.n++] = pp;
				jin_pop(j, m4);
			}
			jin_pop(j, m3);
			jin_pop(j, m2);
			c->n++;
		}
		jin_pop(j, m1);
	}
	jin_pop(j, m0);
	return c;
}
