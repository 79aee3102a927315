/*
 * svctag_json.c - reads a service tag catalogue from JSON.  See svctag_json.h.
 */
#include "svctag_json.h"

#include <string.h>

#include "arena.h"
#include "diag.h"
#include "jsonin.h"
#include "strmap.h"

static bool read_tag_prefix(struct jin *j, const cJSON *p, size_t k, void *ctx)
{
	struct svctag *t = ctx;
	struct prefix pp;
	(void)k;
	/* IPv6 prefixes are valid in the public file: skip them. */
	if (cJSON_IsString(p) && strchr(p->valuestring, ':'))
		return true;
	if (t->prefixes.v && jin_prefix_value(j, p, &pp))
		t->prefixes.v[t->prefixes.n++] = pp;
	return true;
}

/* properties, the path at it: the tag's addressPrefixes. */
static bool read_tag_prefixes(struct jin *j, const cJSON *props, size_t i, void *ctx)
{
	(void)i;
	jin_each(j, "addressPrefixes", cJSON_GetObjectItemCaseSensitive(props, "addressPrefixes"),
		 read_tag_prefix, ctx);
	return true;
}

/* properties, the path at it: the region and the prefix array. */
static bool read_tag_properties(struct jin *j, const cJSON *props, size_t i, void *ctx)
{
	static const char *const known[] = { "region", "addressPrefixes", "changeNumber",
					     "regionId", "platform", "systemService",
					     "networkFeatures", NULL };
	const char **region = ctx;
	const cJSON *pfx;
	(void)i;
	jin_known_keys(j, props, known);
	jin_string(j, props, "region", false, region);
	return jin_array(j, props, "addressPrefixes", true, &pfx);
}

struct in_catalog {                    /* a catalogue being read */
	struct svctag_catalog *c;
	struct strmap *names;          /* the tags so far (a hash set: a scan per tag was quadratic) */
};

/* values[i]: one tag, into c->tags[c->n] when valid. */
static bool read_tag(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	static const char *const known[] = { "name", "id", "properties", NULL };
	struct in_catalog *in = ctx;
	struct svctag_catalog *c = in->c;
	const char *name = NULL, *region = "";
	const cJSON *props = NULL;
	bool has_prefixes = false;
	(void)i;
	if (!cJSON_IsObject(v)) {
		jin_error(j, "expected a service tag object");
		return true;
	}
	jin_known_keys(j, v, known);
	jin_name(j, v, "name", true, &name);
	if (jin_object(j, v, "properties", true, &props))
		has_prefixes = jin_in(j, "properties", props, read_tag_properties, &region);
	if (name && strmap_has(in->names, name)) {
		jin_error_at(j, "name", "service tag \"%s\" is defined twice", name);
		name = NULL;
	}
	if (!name || !has_prefixes)
		return true;
	struct svctag *t = &c->tags[c->n];
	const cJSON *pfx = cJSON_GetObjectItemCaseSensitive(props, "addressPrefixes");
	size_t np = (size_t)cJSON_GetArraySize(pfx);
	t->name = arena_strdup(c->arena, name);
	t->region = arena_strdup(c->arena, region);
	t->prefixes.v = arena_calloc(c->arena, np ? np : 1, sizeof(struct prefix));
	jin_in(j, "properties", props, read_tag_prefixes, t);
	if (!t->name || strmap_put(in->names, t->name, t) < 0)
		jin_error(j, "out of memory");
	c->n++;
	return true;
}

struct svctag_catalog *svctag_json_parse(struct jin *j, const cJSON *obj, const char *origin)
{
	static const char *const known[] = { "values", "changeNumber", "cloud", NULL };
	const cJSON *values;
	if (!cJSON_IsObject(obj)) {
		jin_error(j, "expected an object with \"values\"");
		return NULL;
	}
	jin_known_keys(j, obj, known);
	if (!jin_array(j, obj, "values", true, &values))
		return NULL;
	struct in_catalog in = { svctag_catalog_create((size_t)cJSON_GetArraySize(values), origin),
				 strmap_create() };
	if (in.c && in.names)
		jin_each(j, "values", values, read_tag, &in);
	else if (in.c)
		jin_error(j, "out of memory");
	strmap_destroy(in.names);
	return in.c;
}
