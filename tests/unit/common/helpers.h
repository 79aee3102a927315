/*
 * helpers.h - shared fixtures of the models/ unit tests: topologies built
 * from small JSON strings through the real loader (jin + topo_load with a
 * service tag catalogue), diagnostics lookups, effective-route row queries.
 *
 * JSON in tests is written with single quotes ('name') for readability;
 * json_dq() turns them into double quotes (no test document contains an
 * apostrophe).  Everything here is static inline so each test executable
 * takes only what it uses (-Wmissing-prototypes, no unused warnings).
 */
#ifndef TESTS_UNIT_MODELS_HELPERS_H
#define TESTS_UNIT_MODELS_HELPERS_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonin.h"
#include "run.h"
#include "scenario.h"
#include "svctag_json.h"
#include "topo_load.h"
#include "topology.h"
#include "diag.h"
#include "prefix.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

/* 'x' -> "x": a malloc'd copy. */
static inline char *json_dq(const char *s)
{
	char *c = strdup(s);
	cr_assert_not_null(c);
	for (char *p = c; *p; p++)
		if (*p == '\'')
			*p = '"';
	return c;
}

static inline struct prefix P(const char *s)
{
	struct prefix p;
	memset(&p, 0, sizeof(p));
	cr_assert_eq(prefix_parse(s, &p), PREFIX_OK, "test bug: bad prefix \"%s\"", s);
	return p;
}

static inline uint32_t A(const char *s)
{
	uint32_t a = 0;
	cr_assert_eq(ipv4_parse(s, &a), 0, "test bug: bad address \"%s\"", s);
	return a;
}

static inline void diag_dump(const struct diag *d)
{
	if (d)
		diag_print(d, stderr);
}

/* An entry of severity sev whose path equals path (NULL: any) and whose
 * message contains substr (NULL: any). */
static inline const struct diag_entry *diag_find(const struct diag *d, enum diag_severity sev,
						 const char *path, const char *substr)
{
	for (size_t i = 0; i < diag_stored(d); i++) {
		const struct diag_entry *e = diag_get(d, i);
		if (e->severity != sev)
			continue;
		if (path && (!e->path || strcmp(e->path, path) != 0))
			continue;
		if (substr && !strstr(e->message, substr))
			continue;
		return e;
	}
	return NULL;
}

/* Parses a single-quoted JSON text; asserts that it is valid JSON. */
static inline cJSON *json_parse_sq(const char *sq)
{
	char *txt = json_dq(sq);
	struct diag *d = diag_create();
	cJSON *doc = jin_parse_text("test.json", txt, strlen(txt), d);
	if (!doc)
		diag_dump(d);
	cr_assert_not_null(doc, "test bug: JSON does not parse: %s", txt);
	diag_destroy(d);
	free(txt);
	return doc;
}

/* A topology loaded from JSON, with the catalogue it references (service
 * endpoint and tag prefixes point into it, so it must outlive the topology). */
struct tload {
	struct diag *d;
	struct svctag_catalog *tags;
	struct topology *t;
};

/* Loads `topology` JSON (single-quoted) with the tag catalogue given as a
 * `{"values": [...]}` JSON (single-quoted) or the built-in sample when NULL.
 * Returns the topology or NULL (diagnostics in x->d). */
static inline struct topology *tload_try(struct tload *x, const char *topo_sq, const char *tags_sq)
{
	memset(x, 0, sizeof(*x));
	x->d = diag_create();
	cr_assert_not_null(x->d);
	if (tags_sq) {
		cJSON *tdoc = json_parse_sq(tags_sq);
		struct jin tj;
		jin_init(&tj, x->d, "tags.json");
		x->tags = svctag_json_parse(&tj, tdoc, "test tags");
		cJSON_Delete(tdoc);
		cr_assert_eq(jin_errors(&tj), 0, "test bug: tag catalogue has errors");
	} else {
		x->tags = svctag_sample();
	}
	cr_assert_not_null(x->tags);
	cJSON *doc = json_parse_sq(topo_sq);
	struct jin j;
	jin_init(&j, x->d, "test.json");
	size_t m = jin_push_key(&j, "topology");
	struct topo_opts o = { .tags = x->tags, .max_nics = TOPO_MAX_NICS_DEFAULT };
	x->t = topo_load(&j, doc, &o);
	jin_pop(&j, m);
	cJSON_Delete(doc);
	return x->t;
}

/* The same, asserting success. */
static inline struct topology *tload(struct tload *x, const char *topo_sq, const char *tags_sq)
{
	struct topology *t = tload_try(x, topo_sq, tags_sq);
	if (!t)
		diag_dump(x->d);
	cr_assert_not_null(t, "test bug: topology does not load");
	return t;
}

static inline void tload_free(struct tload *x)
{
	topology_destroy(x->t);
	svctag_destroy(x->tags);
	diag_destroy(x->d);
	memset(x, 0, sizeof(*x));
}

/* Writes text to a new temporary file; path is a mkstemp template
 * ("/tmp/name_XXXXXX") and becomes the file's name.  The caller unlinks it. */
static inline void temp_file_put(char *path, const char *text)
{
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	size_t len = strlen(text);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* The same for a single-quoted JSON text ('x' -> "x"). */
static inline void temp_file_put_sq(char *path, const char *sq)
{
	char *txt = json_dq(sq);
	temp_file_put(path, txt);
	free(txt);
}

/* A scenario run from a JSON text (double-quoted): written to a temporary
 * file, loaded through scenario_load, the run created but not executed. */
struct run_fx {
	char path[64];
	struct diag *d;
	struct scenario *sc;
	struct run *r;
	int rc;                        /* run_execute's, for callers that keep it */
};

/* Asserts the scenario is valid and the run is created. */
static inline void run_fx_load(struct run_fx *f, const char *json)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/tmp/test_run_XXXXXX");
	temp_file_put(f->path, json);
	f->d = diag_create();
	bool env = false;
	f->sc = scenario_load(f->path, NULL, f->d, &env);
	if (!f->sc)
		diag_dump(f->d);
	cr_assert_not_null(f->sc, "test bug: the scenario does not load");
	f->r = run_create(f->sc, f->d);
	cr_assert_not_null(f->r);
}

static inline void run_fx_fini(struct run_fx *f)
{
	run_destroy(f->r);
	scenario_destroy(f->sc);
	diag_destroy(f->d);
	unlink(f->path);
}

#endif
