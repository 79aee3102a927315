/*
 * edit.c - applying `add` / `set` / `remove` to the topology JSON.  See
 * edit.h.  Objects in a collection are found by their "name" (O(n) per
 * step).  `set` merges recursively, as a JSON Merge Patch (RFC 7396):
 * objects merge key by key, null removes a key, anything else (arrays
 * included) replaces the old value (RULES 2.2).  No array grows here: cJSON
 * links its items, so out of memory is only a failed cJSON allocation,
 * reported as "out of memory" with the JSON unchanged.
 */
#include "edit.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jsonin.h"

static const char *const TOP[] = { "virtualNetworks", "routeTables", "networkInterfaces",
				   "privateEndpoints", "virtualNetworkGateways", "connections",
				   "routeServers", "loadBalancers", NULL };

/* Child collections allowed under each top collection. */
static const char *child_ok(const char *top, const char *child)
{
	static const struct {
		const char *top, *child;
	} CHILDREN[] = {
		{ "virtualNetworks", "subnets" },
		{ "virtualNetworks", "virtualNetworkPeerings" },
		{ "routeTables", "routes" },
		{ "routeServers", "bgpConnections" },
		{ "routeServers", "routeMaps" }, /* RULES 1.10 */
	};
	for (size_t i = 0; i < sizeof(CHILDREN) / sizeof(CHILDREN[0]); i++)
		if (strcmp(CHILDREN[i].top, top) == 0 && strcmp(CHILDREN[i].child, child) == 0)
			return child;
	return NULL;
}

#define MAX_SEGS 4
#define SEG_LEN EDIT_SEG_LEN

static int split(const char *path, char segs[MAX_SEGS][SEG_LEN])
{
	int n = 0;
	const char *p = path;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (n == MAX_SEGS || len == 0 || len >= SEG_LEN)
			return -1;
		memcpy(segs[n], p, len);
		segs[n][len] = '\0';
		n++;
		if (!slash)
			break;
		p = slash + 1;
		if (*p == '\0')
			return -1;
	}
	return n;
}

const char *edit_path_check(const char *path)
{
	char segs[MAX_SEGS][SEG_LEN];
	int n = split(path, segs);
	if (n != 2 && n != 4)
		return "an edit path is \"<collection>/<name>\" or "
		       "\"<collection>/<name>/<child collection>/<name>\"";
	bool top = false;
	for (const char *const *t = TOP; *t; t++)
		top = top || strcmp(*t, segs[0]) == 0;
	if (!top)
		return "unknown collection: use virtualNetworks, routeTables, networkInterfaces, "
		       "privateEndpoints, virtualNetworkGateways, connections, routeServers or "
		       "loadBalancers";
	if (n == 4 && !child_ok(segs[0], segs[2]))
		return "unknown child collection: virtualNetworks has subnets and "
		       "virtualNetworkPeerings, routeTables has routes, routeServers has "
		       "bgpConnections and routeMaps";
	return NULL;
}

int edit_path_head(const char *path, char collection[EDIT_SEG_LEN], char name[EDIT_SEG_LEN])
{
	char segs[MAX_SEGS][SEG_LEN];
	if (edit_path_check(path))
		return -1;
	split(path, segs);
	memcpy(collection, segs[0], SEG_LEN);
	memcpy(name, segs[1], SEG_LEN);
	return 0;
}

static cJSON *collection(cJSON *obj, const char *key, bool create)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!arr && create)
		arr = cJSON_AddArrayToObject(obj, key);
	return cJSON_IsArray(arr) ? arr : NULL;
}

/* Recursive merge of src into dst (both objects). */
static int merge(cJSON *dst, const cJSON *src)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, src)
	{
		cJSON *old = cJSON_GetObjectItemCaseSensitive(dst, it->string);
		if (cJSON_IsNull(it)) {
			/* RFC 7396: null removes the key ("routeTable": null
			 * detaches a subnet's route table). */
			cJSON_DeleteItemFromObjectCaseSensitive(dst, it->string);
			continue;
		}
		if (old && cJSON_IsObject(old) && cJSON_IsObject(it)) {
			if (merge(old, it) != 0)
				return -1;
			continue;
		}
		cJSON *copy = cJSON_Duplicate(it, true);
		if (!copy)
			return -1;
		if (old)
			cJSON_ReplaceItemViaPointer(dst, old, copy);
		else
			cJSON_AddItemToObject(dst, it->string, copy);
	}
	return 0;
}

int edit_apply(cJSON *topology, enum edit_op op, const char *path, const cJSON *value, char *err,
	       size_t errlen)
{
	char segs[MAX_SEGS][SEG_LEN];
	const char *bad = edit_path_check(path);
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return -1;
	}
	int n = split(path, segs);
	cJSON *arr = collection(topology, segs[0], op == EDIT_ADD && n == 2);
	if (n == 4) {
		cJSON *parent = arr ? jin_named(arr, segs[1]) : NULL;
		if (!parent) {
			snprintf(err, errlen, "no %s named \"%s\"", segs[0], segs[1]);
			return -1;
		}
		arr = collection(parent, segs[2], op == EDIT_ADD);
	}
	const char *name = segs[n - 1];
	cJSON *target = arr ? jin_named(arr, name) : NULL;
	const cJSON *vname = value ? cJSON_GetObjectItemCaseSensitive(value, "name") : NULL;
	if (vname && (!cJSON_IsString(vname) || strcmp(vname->valuestring, name) != 0)) {
		snprintf(err, errlen, "value.name must be \"%s\", the last path segment (no renames)",
			 name);
		return -1;
	}
	switch (op) {
	case EDIT_ADD: {
		if (!arr) {
			snprintf(err, errlen, "\"%s\" is not a collection", segs[n - 2]);
			return -1;
		}
		if (target) {
			snprintf(err, errlen, "\"%s\" already exists: use set to change it", path);
			return -1;
		}
		cJSON *copy = cJSON_Duplicate(value, true);
		if (!copy || (!vname && !cJSON_AddStringToObject(copy, "name", name))) {
			cJSON_Delete(copy);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		cJSON_AddItemToArray(arr, copy);
		return 0;
	}
	case EDIT_SET:
		if (!target) {
			snprintf(err, errlen, "nothing at \"%s\" to set (use add to create it)", path);
			return -1;
		}
		if (merge(target, value) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	case EDIT_REMOVE:
		if (!target) {
			snprintf(err, errlen, "nothing at \"%s\" to remove", path);
			return -1;
		}
		cJSON_Delete(cJSON_DetachItemViaPointer(arr, target));
		return 0;
	}
	return -1;
}

/* ---- in place, undoable -------------------------------------------------- */

static int index_of(cJSON *arr, const cJSON *item)
{
	int i = 0;
	for (cJSON *it = arr->child; it; it = it->next, i++)
		if (it == item)
			return i;
	return -1;
}

/* Puts item back at position index of arr.  O(n): only a rollback does
 * it (cJSON_InsertItemInArray of the Debian 1.7.15 package refuses some
 * valid positions, so it is not used). */
static void insert_at(cJSON *arr, int index, cJSON *item)
{
	cJSON *tail = cJSON_CreateArray();
	if (!tail) {
		cJSON_AddItemToArray(arr, item); /* out of memory: keep it, out of order */
		return;
	}
	while (cJSON_GetArraySize(arr) > index)
		cJSON_AddItemToArray(tail, cJSON_DetachItemFromArray(arr, index));
	cJSON_AddItemToArray(arr, item);
	while (tail->child)
		cJSON_AddItemToArray(arr, cJSON_DetachItemFromArray(tail, 0));
	cJSON_Delete(tail);
}

/* Exchanges what two objects hold, leaving each where it is in its tree. */
static void swap_contents(cJSON *a, cJSON *b)
{
	cJSON *c = a->child;
	a->child = b->child;
	b->child = c;
}

int edit_begin(cJSON *topology, enum edit_op op, const char *path, const cJSON *value,
	       struct edit_undo *u, char *err, size_t errlen)
{
	char segs[MAX_SEGS][SEG_LEN];
	memset(u, 0, sizeof(*u));
	int n = edit_path_check(path) ? -1 : split(path, segs);
	cJSON *arr = n > 0 ? collection(topology, segs[0], false) : NULL;
	cJSON *top = arr ? jin_named(arr, segs[1]) : NULL;
	if (!top) {
		/* Adding a top-level object (maybe its collection), or an
		 * error edit_apply reports without changing anything. */
		bool had = arr != NULL;
		if (edit_apply(topology, op, path, value, err, errlen) != 0)
			return -1;
		u->arr = collection(topology, segs[0], false);
		u->added = cJSON_GetArrayItem(u->arr, cJSON_GetArraySize(u->arr) - 1);
		u->created = had ? NULL : u->arr;
		return 0;
	}
	u->arr = arr;
	if (op == EDIT_REMOVE && n == 2) {
		u->index = index_of(arr, top);
		u->old = cJSON_DetachItemViaPointer(arr, top);
		return 0;
	}
	/* Everything else changes top only: edit a copy of it, alone in a
	 * collection of its own, then exchange the contents of the two (top
	 * stays in the tree holding the new contents; the copy keeps the old
	 * ones for a rollback). */
	cJSON *wrap = cJSON_CreateObject(), *copy = cJSON_Duplicate(top, true);
	cJSON *warr = wrap ? cJSON_AddArrayToObject(wrap, segs[0]) : NULL;
	if (!warr || !copy) {
		cJSON_Delete(wrap);
		cJSON_Delete(copy);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_AddItemToArray(warr, copy);
	int rc = edit_apply(wrap, op, path, value, err, errlen);
	cJSON_DetachItemViaPointer(warr, copy);
	cJSON_Delete(wrap);
	if (rc != 0) {
		cJSON_Delete(copy);
		return -1;
	}
	swap_contents(top, copy);
	u->old = copy;
	u->added = top;
	return 0;
}

void edit_commit(struct edit_undo *u)
{
	cJSON_Delete(u->old);
	memset(u, 0, sizeof(*u));
}

void edit_rollback(cJSON *topology, struct edit_undo *u)
{
	if (u->created)
		cJSON_Delete(cJSON_DetachItemViaPointer(topology, u->created));
	else if (u->old && u->added) {
		swap_contents(u->added, u->old);
		cJSON_Delete(u->old);
	} else if (u->old)
		insert_at(u->arr, u->index, u->old);
	else if (u->added)
		cJSON_Delete(cJSON_DetachItemViaPointer(u->arr, u->added));
	memset(u, 0, sizeof(*u));
}
