/*
 * scenario_doc.c - see scenario_doc.h.
 *
 * A node is a cJSON item seen through an opaque type: the conversions below
 * are the only casts.  Property paths are resolved one step at a time
 * (step()); a write resolves all but the last step and then replaces or
 * adds the last one, so a failed write leaves the document as it was.
 */
#include "scenario_doc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "scenario.h"

struct scenario_doc {
	cJSON *root;                   /* the whole document, owned */
};

static cJSON *J(struct scenario_doc_node *n)
{
	return (cJSON *)(void *)n;
}

static const cJSON *CJ(const struct scenario_doc_node *n)
{
	return (const cJSON *)(const void *)n;
}

static struct scenario_doc_node *N(cJSON *j)
{
	return (struct scenario_doc_node *)(void *)j;
}

struct scenario_doc *scenario_doc_create(const struct scenario *sc)
{
	struct scenario_doc *doc = malloc(sizeof(*doc));
	if (!doc)
		return NULL;
	doc->root = cJSON_Duplicate(sc->doc, true);
	if (!doc->root) {
		free(doc);
		return NULL;
	}
	return doc;
}

void scenario_doc_destroy(struct scenario_doc *doc)
{
	if (!doc)
		return;
	cJSON_Delete(doc->root);
	free(doc);
}

char *scenario_doc_print(const struct scenario_doc *doc)
{
	return cJSON_Print(doc->root);
}

struct scenario *scenario_doc_load(struct scenario_doc *doc, const char *file,
				   const struct scenario_opts *opts, struct diag *d,
				   bool *env_error)
{
	cJSON *root = doc->root;
	free(doc);
	return scenario_load_doc(file, root, opts, d, env_error);
}

struct scenario_doc_node *scenario_doc_root(struct scenario_doc *doc)
{
	return N(doc->root);
}

/* ---- paths ----------------------------------------------------------------- */

/* The element of arr whose "name" is name (jin_named, on a const array). */
static cJSON *named(const cJSON *arr, const char *name)
{
	for (cJSON *it = arr ? arr->child : NULL; it; it = it->next) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return it;
	}
	return NULL;
}

/* The object at an ARM-style path (edit.h) of topology: collection/name
 * pairs, checked by edit_path_check. */
static cJSON *resolve_arm(const cJSON *topology, const char *path)
{
	if (edit_path_check(path))
		return NULL;
	cJSON *at = NULL;
	const cJSON *from = topology;
	const char *p = path;
	for (int depth = 0; from && *p; depth++) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		char seg[EDIT_SEG_LEN];
		memcpy(seg, p, len); /* edit_path_check bounds len below EDIT_SEG_LEN */
		seg[len] = '\0';
		at = depth % 2 == 0 ? cJSON_GetObjectItemCaseSensitive(from, seg) : named(from, seg);
		if (depth % 2 == 0 && !cJSON_IsArray(at))
			return NULL;
		from = at;
		p = slash ? slash + 1 : p + len;
	}
	return at;
}

struct scenario_doc_node *scenario_doc_find(struct scenario_doc *doc, const char *path)
{
	return N(resolve_arm(cJSON_GetObjectItemCaseSensitive(doc->root, "topology"), path));
}

/* One step of a property path: a key (up to '.', '[' or the end) or an
 * index in brackets.  Fills key or *index, returns the rest of the path
 * (after a '.' separator) or NULL when the step is malformed. */
static const char *step(const char *prop, char *key, size_t keylen, long *index)
{
	*index = -1;
	if (*prop == '[') {
		char *end;
		long i = strtol(prop + 1, &end, 10);
		if (end == prop + 1 || *end != ']' || i < 0)
			return NULL;
		*index = i;
		prop = end + 1;
	} else {
		size_t len = strcspn(prop, ".[");
		if (len == 0 || len >= keylen)
			return NULL;
		memcpy(key, prop, len);
		key[len] = '\0';
		prop += len;
	}
	if (*prop == '.')
		return prop[1] ? prop + 1 : NULL;
	return prop;
}

#define KEY_MAX 128

/* The value one step from at, or NULL. */
static cJSON *child(const cJSON *at, const char *key, long index)
{
	if (index >= 0)
		return cJSON_IsArray(at) && index <= 1000000 ? cJSON_GetArrayItem(at, (int)index)
							     : NULL;
	return cJSON_IsObject(at) ? cJSON_GetObjectItemCaseSensitive(at, key) : NULL;
}

/* The value at prop (not empty) of n, or NULL. */
static cJSON *lookup(const struct scenario_doc_node *n, const char *prop)
{
	const cJSON *from = CJ(n);
	cJSON *at = NULL;
	char key[KEY_MAX];
	long index;
	if (!prop || !*prop)
		return NULL;
	while (from && *prop) {
		if (!(prop = step(prop, key, sizeof(key), &index)))
			return NULL;
		from = at = child(from, key, index);
	}
	return from ? at : NULL;
}

/* The value holding prop's last step (its parent), with that step in key
 * and *index; NULL when the way there is missing or malformed. */
static cJSON *parent_of(struct scenario_doc_node *n, const char *prop, char *key, long *index)
{
	cJSON *at = J(n);
	while (at && prop && *prop) {
		const char *rest = step(prop, key, KEY_MAX, index);
		if (!rest)
			return NULL;
		if (!*rest)
			return at;
		at = child(at, key, *index);
		prop = rest;
	}
	return NULL;
}

/* Puts v (taken: deleted when this fails) at prop of n, replacing the old
 * value where it stands or appending a key; the new value, or NULL. */
static cJSON *put(struct scenario_doc_node *n, const char *prop, cJSON *v)
{
	char key[KEY_MAX];
	long index;
	cJSON *parent = v ? parent_of(n, prop, key, &index) : NULL;
	bool ok = false;
	if (parent && index >= 0) {
		ok = cJSON_IsArray(parent) && index < cJSON_GetArraySize(parent) &&
		     cJSON_ReplaceItemInArray(parent, (int)index, v);
	} else if (cJSON_IsObject(parent)) {
		ok = cJSON_GetObjectItemCaseSensitive(parent, key)
			     ? cJSON_ReplaceItemInObjectCaseSensitive(parent, key, v)
			     : cJSON_AddItemToObject(parent, key, v);
	}
	if (!ok) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

/* ---- reading ----------------------------------------------------------------- */

struct scenario_doc_node *scenario_doc_get(const struct scenario_doc_node *n, const char *prop)
{
	cJSON *v = lookup(n, prop);
	return cJSON_IsObject(v) || cJSON_IsArray(v) ? N(v) : NULL;
}

const char *scenario_doc_string(const struct scenario_doc_node *n, const char *prop)
{
	cJSON *v = lookup(n, prop);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool scenario_doc_number(const struct scenario_doc_node *n, const char *prop, double *out)
{
	cJSON *v = lookup(n, prop);
	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

struct scenario_doc_node *scenario_doc_named(const struct scenario_doc_node *arr,
					     const char *name)
{
	return N(named(CJ(arr), name));
}

size_t scenario_doc_count(const struct scenario_doc_node *arr)
{
	return cJSON_IsArray(CJ(arr)) ? (size_t)cJSON_GetArraySize(CJ(arr)) : 0;
}

struct scenario_doc_node *scenario_doc_first(const struct scenario_doc_node *arr)
{
	return cJSON_IsArray(CJ(arr)) ? N(CJ(arr)->child) : NULL;
}

struct scenario_doc_node *scenario_doc_next(const struct scenario_doc_node *elem)
{
	return elem ? N(CJ(elem)->next) : NULL;
}

/* ---- editing ----------------------------------------------------------------- */

int scenario_doc_set_string(struct scenario_doc_node *n, const char *prop, const char *s)
{
	return put(n, prop, cJSON_CreateString(s)) ? 0 : -1;
}

int scenario_doc_set_number(struct scenario_doc_node *n, const char *prop, double x)
{
	return put(n, prop, cJSON_CreateNumber(x)) ? 0 : -1;
}

int scenario_doc_set_prefix(struct scenario_doc_node *n, const char *prop, struct prefix p)
{
	char buf[PREFIX_STRLEN];
	return scenario_doc_set_string(n, prop, prefix_format(p, buf));
}

int scenario_doc_set_ref(struct scenario_doc_node *n, const char *prop, const char *id)
{
	cJSON *r = cJSON_CreateObject();
	if (!r || !cJSON_AddStringToObject(r, "id", id)) {
		cJSON_Delete(r);
		return -1;
	}
	return put(n, prop, r) ? 0 : -1;
}

struct scenario_doc_node *scenario_doc_set_object(struct scenario_doc_node *n, const char *prop)
{
	return N(put(n, prop, cJSON_CreateObject()));
}

struct scenario_doc_node *scenario_doc_set_array(struct scenario_doc_node *n, const char *prop)
{
	return N(put(n, prop, cJSON_CreateArray()));
}

struct scenario_doc_node *scenario_doc_collection(struct scenario_doc_node *n, const char *key)
{
	cJSON *a = cJSON_IsObject(J(n)) ? cJSON_GetObjectItemCaseSensitive(J(n), key) : NULL;
	return cJSON_IsArray(a) ? N(a) : scenario_doc_set_array(n, key);
}

void scenario_doc_remove(struct scenario_doc_node *n, const char *prop)
{
	char key[KEY_MAX];
	long index;
	cJSON *parent = parent_of(n, prop, key, &index);
	if (parent && index >= 0 && cJSON_IsArray(parent) && index <= 1000000)
		cJSON_DeleteItemFromArray(parent, (int)index);
	else if (cJSON_IsObject(parent) && index < 0)
		cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
}

/* Appends v (taken) to arr; v, or NULL. */
static cJSON *append(struct scenario_doc_node *arr, cJSON *v)
{
	if (!v || !cJSON_IsArray(J(arr)) || !cJSON_AddItemToArray(J(arr), v)) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

struct scenario_doc_node *scenario_doc_append_copy(struct scenario_doc_node *arr,
						   const struct scenario_doc_node *src)
{
	return src ? N(append(arr, cJSON_Duplicate(CJ(src), true))) : NULL;
}

struct scenario_doc_node *scenario_doc_append_object(struct scenario_doc_node *arr)
{
	return N(append(arr, cJSON_CreateObject()));
}

int scenario_doc_append_string(struct scenario_doc_node *arr, const char *s)
{
	return append(arr, cJSON_CreateString(s)) ? 0 : -1;
}

int scenario_doc_append_number(struct scenario_doc_node *arr, double x)
{
	return append(arr, cJSON_CreateNumber(x)) ? 0 : -1;
}

/* ---- a loaded scenario's own JSON ---------------------------------------------- */

bool scenario_doc_initial_value(const struct scenario *sc, const char *path, struct event *add)
{
	const cJSON *v = resolve_arm(sc->topology_json, path);
	if (!v)
		return false;
	add->value = v;
	return true;
}

static bool is_prefix_key(const char *key)
{
	return key && (strcmp(key, "addressPrefix") == 0 || strcmp(key, "addressPrefixes") == 0);
}

/* The prefix in v, when v is a CIDR string, to fn; 0 otherwise. */
static int prefix_to(const cJSON *v, int (*fn)(void *ctx, struct prefix p), void *ctx)
{
	struct prefix p;
	if (cJSON_IsString(v) && prefix_parse(v->valuestring, &p) == PREFIX_OK)
		return fn(ctx, p);
	return 0;
}

static int value_prefixes(const cJSON *v, int depth, int (*fn)(void *ctx, struct prefix p),
			  void *ctx)
{
	const cJSON *it;
	int rc = 0;
	cJSON_ArrayForEach(it, v)
	{
		bool key = is_prefix_key(it->string);
		if (key && (rc = prefix_to(it, fn, ctx)) != 0)
			return rc;
		const cJSON *list = key && cJSON_IsArray(it) ? it : NULL, *x;
		cJSON_ArrayForEach(x, list)
		{
			if ((rc = prefix_to(x, fn, ctx)) != 0)
				return rc;
		}
		if (depth < 16 && (cJSON_IsObject(it) || cJSON_IsArray(it)) &&
		    (rc = value_prefixes(it, depth + 1, fn, ctx)) != 0)
			return rc;
	}
	return 0;
}

int scenario_doc_event_prefixes(const struct event *e, int (*fn)(void *ctx, struct prefix p),
				void *ctx)
{
	return e->value ? value_prefixes(e->value, 0, fn, ctx) : 0;
}
