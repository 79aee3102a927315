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
/* Path stack: push returns the length to pop back to. */
size_t jin_push_key(struct jin *j, const char *key);
size_t jin_push_index(struct jin *j, size_t i);
void jin_pop(struct jin *j, size_t mark);

void jin_error(struct jin *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jin_warn(struct jin *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Error at path + "." + key without pushing. */
void jin_error_at(struct jin *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Warns about every key of obj not in the NULL-terminated list. */
void jin_known_keys(struct jin *j, const cJSON *obj, const char *const *known);

/* Typed member reads.  `required` reports a missing member as an error.
 * Return true when the member exists and has the right type. */
bool jin_object(struct jin *j, const cJSON *obj, const char *key, bool required, const cJSON **out);
bool jin_array(struct jin *j, const cJSON *obj, const char *key, bool required, const cJSON **out);
bool jin_string(struct jin *j, const cJSON *obj, const char *key, bool required, const char **out);
bool jin_bool(struct jin *j, const cJSON *obj, const char *key, bool required, bool *out);
bool jin_uint(struct jin *j, const cJSON *obj, const char *key, bool required, uint64_t min,
	      uint64_t max, uint64_t *out);
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
