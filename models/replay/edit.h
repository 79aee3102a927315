/*
 * edit.h - configuration edits on the topology JSON (RULES 2.2 `add`, `set`,
 * `remove`).  A path is the ARM-style tail: a collection, then a name, then
 * optionally a child collection and a name:
 *   virtualNetworks/hub[/subnets/app | /virtualNetworkPeerings/p]
 *   routeTables/rt[/routes/r]        networkInterfaces/web-*
 *   privateEndpoints/pe   virtualNetworkGateways/gw   connections/c
 *   routeServers/ars[/bgpConnections/nva1]
 * What it models: the configuration as ARM holds it, changed one object at
 * a time.  `add` creates an object (and its collection), `set` merges into
 * one as a JSON Merge Patch (RFC 7396), `remove` deletes one; an object is
 * found by its "name" and never renamed.
 *
 * The caller rebuilds the topology from the edited JSON and keeps the old
 * one when the result is invalid: edit_begin changes the JSON in place and
 * keeps what edit_rollback needs to restore it exactly.
 * Invariants: an edit refused (bad path, missing or existing object,
 * rename) leaves the JSON unchanged; one that runs out of memory may leave
 * it partly edited (a partial merge, an empty collection), so the replay
 * stops then.  After a successful edit_begin exactly one of edit_commit and
 * edit_rollback is called, and edit_rollback gives back the JSON as it was,
 * item for item.
 * Ownership: the caller owns the topology JSON and `value` (copied, never
 * kept); struct edit_undo owns the detached old state until commit or
 * rollback frees it.
 * Costs: O(objects of the collection) to find a name; an edit copies the
 * one top-level object it changes, never the whole JSON; a rollback of a
 * removal is O(collection) (the object goes back to its place).
 */
#ifndef REPLAY_EDIT_H
#define REPLAY_EDIT_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum edit_op { EDIT_ADD, EDIT_SET, EDIT_REMOVE };

/* NULL when the path has a valid shape, else a message. */
const char *edit_path_check(const char *path);

/* The first two segments of a valid path: the collection and the name of
 * the top-level object an edit changes ("routeTables", "rt-s001" for
 * routeTables/rt-s001/routes/r).  -1 when the path is not valid. */
#define EDIT_SEG_LEN 256
int edit_path_head(const char *path, char collection[EDIT_SEG_LEN], char name[EDIT_SEG_LEN]);

/* Applies one edit to topology (the `topology` object).  Returns 0, or -1
 * with a message in err. */
int edit_apply(cJSON *topology, enum edit_op op, const char *path, const cJSON *value, char *err,
	       size_t errlen);

/* An edit in progress on a topology (edit_begin), until edit_commit or
 * edit_rollback. */
struct edit_undo {
	cJSON *arr;                    /* the top-level collection changed */
	cJSON *old;                    /* the old contents: a removed object, or a
					  detached one holding what `added` held */
	int index;                     /* where a removed object was */
	cJSON *added;                  /* the object edited in place, or added */
	cJSON *created;                /* the collection, when the edit created it */
};

/* edit_apply in place: same result and messages.  On success the old state
 * is kept in u for edit_rollback; on failure the topology is unchanged. */
int edit_begin(cJSON *topology, enum edit_op op, const char *path, const cJSON *value,
	       struct edit_undo *u, char *err, size_t errlen);
void edit_commit(struct edit_undo *u);                    /* frees the old state */
void edit_rollback(cJSON *topology, struct edit_undo *u); /* restores it */

#endif
