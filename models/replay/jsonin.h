/*
 * jsonin.h - reading untrusted JSON with diagnostics (the only place, with
 * the loaders built on it, that parses input with cJSON).
 *
 * Every read goes through a cursor that knows the file and the JSON path of
 * the value ($.topology.virtualNetworks[2].subnets[0].addressPrefix), so any
 * problem becomes one diagnostic naming both.  Reads never fail hard: a
 * wrong type is reported and the caller gets the default it passed in.
 *
 * Traps handled here (STYLE.md): duplicate keys, numbers that are not whole
 * or out of range, over-deep nesting, over-large files, NUL bytes, and
 * unknown keys (warnings).
 *
 * The path is kept in scopes (jin_in, jin_in_elem, jin_each): a loader
 * reads a member or an element by handing a visitor to the scope, which
 * pushes the path segment, calls it and pops the segment again, so the
 * path is balanced whatever the visitor does and no caller pairs a push
 * with a pop.  Reports about a member without descending into it name it
 * with jin_error_at / jin_warn_at.
 *
 * Invariants: a scope leaves the path as it found it; the path is always
 * NUL-terminated and shorter than JSONIN_PATH_MAX (a longer one is cut at
 * the end, so it stays a prefix of the real one); reads never fail hard:
 * a wrong value is reported and the caller's default stays.
 *
 * Ownership: the cursor owns nothing but its path buffer (no allocation);
 * the diagnostics go to the caller's collector, the parsed documents to
 * the caller (cJSON_Delete).  Costs: a path segment is pushed and popped in
 * O(its length), without printf for indices and plain keys (loads push one
 * for every element they read); parsing is linear in the text, the
 * duplicate-key walk O(k log k) per object of k members.
 */
#ifndef REPLAY_JSONIN_H
#define REPLAY_JSONIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "prefix.h"

struct diag;
struct arena;

#define JSONIN_MAX_FILE (64u << 20) /* bytes */
#define JSONIN_MAX_DEPTH 64
#define JSONIN_PATH_MAX 512

struct jin {
	struct diag *diag;
	const char *file;
	char path[JSONIN_PATH_MAX];  /* current JSON path */
	size_t len;
	size_t errors_at_start;
};

/* Reads and parses a whole file.  Returns NULL after reporting why (I/O
 * errors set *io_error so the caller can exit 3 instead of 2). */
cJSON *jin_parse_file(const char *file, struct diag *d, bool *io_error);
/* Parses text (for tests and inline documents). */
cJSON *jin_parse_text(const char *file, const char *text, size_t len, struct diag *d);

void jin_init(struct jin *j, struct diag *d, const char *file);

/* ---- scopes ---------------------------------------------------------------- */

/* A visitor: v is the value in scope (may be NULL: a scope only for the
 * reports the visitor makes), i its index in its array (0 for a member),
 * ctx the caller's.  Returns false to stop jin_each. */
typedef bool (*jin_visit_fn)(struct jin *j, const cJSON *v, size_t i, void *ctx);

/* fn(j, v, 0, ctx) with the path at .key (or ["key"]); returns fn's result. */
bool jin_in(struct jin *j, const char *key, const cJSON *v, jin_visit_fn fn, void *ctx);
/* fn(j, v, i, ctx) with the path at .key[i], or at [i] when key is NULL. */
bool jin_in_elem(struct jin *j, const char *key, size_t i, const cJSON *v, jin_visit_fn fn,
		 void *ctx);
/* fn for each element of the array arr in order (none when arr is NULL),
 * with the path at .key[i] (at [i] when key is NULL), until fn returns
 * false.  Returns false when fn stopped it.  O(elements). */
bool jin_each(struct jin *j, const char *key, const cJSON *arr, jin_visit_fn fn, void *ctx);

/* The primitives under the scopes: push returns the length to pop back
 * to.  Loaders use the scopes; these stay for callers outside them. */
size_t jin_push_key(struct jin *j, const char *key);
size_t jin_push_index(struct jin *j, size_t i);
void jin_pop(struct jin *j, size_t mark);

void jin_error(struct jin *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jin_warn(struct jin *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Error or warning at path + "." + key, the path itself unchanged. */
void jin_error_at(struct jin *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void jin_warn_at(struct jin *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Warns about every key of obj not in the NULL-terminated list. */
void jin_known_keys(struct jin *j, const cJSON *obj, const char *const *known);
/* The same with a second list of keys accepted silently (NULL: none). */
void jin_known_keys_also(struct jin *j, const cJSON *obj, const char *const *known,
			 const char *const *also);

/* Typed member reads.  `required` reports a missing member as an error.
 * Return true when the member exists and has the right type. */
bool jin_object(struct jin *j, const cJSON *obj, const char *key, bool required, const cJSON **out);
bool jin_array(struct jin *j, const cJSON *obj, const char *key, bool required, const cJSON **out);
bool jin_string(struct jin *j, const cJSON *obj, const char *key, bool required, const char **out);
bool jin_bool(struct jin *j, const cJSON *obj, const char *key, bool required, bool *out);
bool jin_uint(struct jin *j, const cJSON *obj, const char *key, bool required, uint64_t min,
	      uint64_t max, uint64_t *out);
/* A name or label (every reader of one uses it): jin_string, refusing any
 * control character (diag_has_control: C0, DEL, C1), which Azure's naming
 * rules do not allow and a terminal would act on. */
bool jin_name(struct jin *j, const cJSON *obj, const char *key, bool required, const char **out);
/* Checks that a value (not a member) is a non-empty string. */
bool jin_is_string(struct jin *j, const cJSON *v, const char *what);
/* A CIDR string at obj.key (or v itself when key is NULL). */
bool jin_prefix_value(struct jin *j, const cJSON *v, struct prefix *out);
bool jin_prefix(struct jin *j, const cJSON *obj, const char *key, bool required, struct prefix *out);
bool jin_ipv4(struct jin *j, const cJSON *obj, const char *key, bool required, uint32_t *out);
bool jin_ipv4_value(struct jin *j, const cJSON *v, uint32_t *out);
/* {"id": "name"} reference object. */
bool jin_ref(struct jin *j, const cJSON *obj, const char *key, bool required, const char **out);
/* The element of arr (an array of objects) whose "name" is name, or NULL. */
cJSON *jin_named(cJSON *arr, const char *name);
/* A duration: seconds as a number, or a string with ms/s/m/h. */
bool jin_duration_value(struct jin *j, const cJSON *v, int64_t *ms);
bool jin_duration(struct jin *j, const cJSON *obj, const char *key, int64_t *ms);
/* Parses "90s", "5m", "1.5h", "250ms", "30" into milliseconds. */
bool jin_parse_duration(const char *s, int64_t *ms);

/* Errors reported through this cursor since jin_init. */
size_t jin_errors(const struct jin *j);

#endif
