/*
 * scenario_doc.h - a scenario as a JSON document that a layer above can
 * copy, edit with typed values and load through the normal loader, without
 * seeing the JSON library (cJSON stays in this layer and the commands).
 * Capacity studies build their grown networks this way (grow.h).
 *
 * A document is a deep copy of a loaded scenario's file (settings,
 * topology, events, expectations), so edits never touch the scenario.  Its
 * values are reached through nodes: handles to an object, an array or a
 * scalar inside it.  A node is found from the root, from an ARM-style path
 * of the topology (edit.h: "virtualNetworks/hub",
 * "routeTables/rt/routes/r"), or from another node through a property path:
 * keys joined by '.' with array indices in brackets
 * ("addressSpace.addressPrefixes", "ipConfigurations[0].subnet.id",
 * "[2]" for an element of an array node); an empty or malformed path
 * leads nowhere.
 *
 * Setting a property replaces the old value where it stands (key order is
 * kept, so a printed document changes only where it was edited) or appends
 * a new key; every node on the way must exist.  Reads never create
 * anything, except scenario_doc_collection, which says so.
 *
 * Ownership: the caller owns the document (scenario_doc_destroy) until
 * scenario_doc_load takes it.  Nodes belong to the document: a node stays
 * valid until it, or a value holding it, is replaced or removed, or the
 * document goes.  Strings read are the document's (valid as long as their
 * node); strings written are copied.
 *
 * Costs: a property step is a linear scan of the object's keys or the
 * array's elements (cJSON keeps both as lists); an ARM path scans each
 * collection on the way by name.  Copies are deep: O(size of the copy).
 *
 * Errors: functions returning int give 0, or -1 when the path does not
 * lead to a node of the right kind or memory ran out; the document is then
 * as it was.  Functions returning a node give NULL for the same reasons.
 */
#ifndef REPLAY_SCENARIO_DOC_H
#define REPLAY_SCENARIO_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "prefix.h"

struct diag;
struct event;
struct scenario;
struct scenario_opts;

struct scenario_doc;      /* opaque: the document */
struct scenario_doc_node; /* opaque: a value inside a document */

/* A deep copy of sc's whole document; NULL out of memory. */
struct scenario_doc *scenario_doc_create(const struct scenario *sc);
void scenario_doc_destroy(struct scenario_doc *doc); /* NULL is a no-op */

/* The document as indented JSON text (malloc'd), NULL out of memory. */
char *scenario_doc_print(const struct scenario_doc *doc);

/* Loads the document as a scenario named file (which must outlive it),
 * validated as user input; it takes doc in every case.  As
 * scenario_load_doc: NULL after reporting on d, *env_error on I/O. */
struct scenario *scenario_doc_load(struct scenario_doc *doc, const char *file,
				   const struct scenario_opts *opts, struct diag *d,
				   bool *env_error);

/* The root object, and the object at an ARM-style path of its topology
 * (NULL when there is none). */
struct scenario_doc_node *scenario_doc_root(struct scenario_doc *doc);
struct scenario_doc_node *scenario_doc_find(struct scenario_doc *doc, const char *path);

/* ---- reading ------------------------------------------------------------ */

/* The object or array at prop of n (NULL when absent or a scalar). */
struct scenario_doc_node *scenario_doc_get(const struct scenario_doc_node *n, const char *prop);
/* The string at prop of n, or NULL when absent or not a string. */
const char *scenario_doc_string(const struct scenario_doc_node *n, const char *prop);
/* The number at prop of n into *out; false when absent or not a number. */
bool scenario_doc_number(const struct scenario_doc_node *n, const char *prop, double *out);
/* The element of an array of objects whose "name" is name, or NULL. */
struct scenario_doc_node *scenario_doc_named(const struct scenario_doc_node *arr,
					     const char *name);
/* Elements of an array node (0 for anything else, NULL included), and
 * iteration over them in order: first, then next until NULL. */
size_t scenario_doc_count(const struct scenario_doc_node *arr);
struct scenario_doc_node *scenario_doc_first(const struct scenario_doc_node *arr);
struct scenario_doc_node *scenario_doc_next(const struct scenario_doc_node *elem);

/* ---- editing ------------------------------------------------------------ */

int scenario_doc_set_string(struct scenario_doc_node *n, const char *prop, const char *s);
int scenario_doc_set_number(struct scenario_doc_node *n, const char *prop, double x);
int scenario_doc_set_prefix(struct scenario_doc_node *n, const char *prop, struct prefix p);
/* A reference object {"id": id}, as topology references are written. */
int scenario_doc_set_ref(struct scenario_doc_node *n, const char *prop, const char *id);
/* A new empty object or array at prop, replacing what was there. */
struct scenario_doc_node *scenario_doc_set_object(struct scenario_doc_node *n, const char *prop);
struct scenario_doc_node *scenario_doc_set_array(struct scenario_doc_node *n, const char *prop);
/* The array at key of object n; when key holds none, a new empty array
 * replaces what it holds (the way an `add` edit creates a collection). */
struct scenario_doc_node *scenario_doc_collection(struct scenario_doc_node *n, const char *key);
/* Removes prop of n; nothing when there is none. */
void scenario_doc_remove(struct scenario_doc_node *n, const char *prop);

/* Appends to an array node: a deep copy of src (from any document), a new
 * empty object, a string, a number. */
struct scenario_doc_node *scenario_doc_append_copy(struct scenario_doc_node *arr,
						   const struct scenario_doc_node *src);
struct scenario_doc_node *scenario_doc_append_object(struct scenario_doc_node *arr);
int scenario_doc_append_string(struct scenario_doc_node *arr, const char *s);
int scenario_doc_append_number(struct scenario_doc_node *arr, double x);

/* ---- a loaded scenario's own JSON ------------------------------------------ */

/* Sets add->value to the object at an ARM-style path of sc's topology as
 * the file has it (before any edit event), so that an `add` event puts it
 * back; false when the file's topology has nothing there. */
bool scenario_doc_initial_value(const struct scenario *sc, const char *path, struct event *add);

/* Calls fn with every prefix that an edit event's value writes: the CIDR
 * strings under "addressPrefix" and "addressPrefixes" keys, at any depth
 * down to 16 levels, in document order.  Stops at and returns fn's first
 * nonzero result; 0 otherwise (also for an event without a value). */
int scenario_doc_event_prefixes(const struct event *e, int (*fn)(void *ctx, struct prefix p),
				void *ctx);

#endif
