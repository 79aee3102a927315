/*
 * topo_read.c - the collection driver and the shared field readers.  See
 * topo_read.h.
 */
#include "topo_read.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonin.h"
#include "strmap.h"
#include "topo_load.h"

/* ---- the driver ------------------------------------------------------------ */

struct pass {                          /* topo_read_run's state, for the visitors */
	struct topo_reader *r;
	struct topo_run run;
	void **made;                   /* per element, or NULL */
};

static bool read_element(struct jin *j, const cJSON *o, size_t i, void *ctx)
{
	struct pass *p = ctx;
	const struct topo_coll *c = p->run.c;
	if (c->max && i >= c->max)
		return false;
	p->run.i = i;
	if (!cJSON_IsObject(o)) {
		jin_error(j, "expected %s", c->expected);
		return true;
	}
	jin_known_keys(j, o, c->known);
	p->run.obj = c->size ? topo_read_alloc(p->r, 1, c->size) : NULL;
	if (c->size && !p->run.obj)
		return true; /* out of memory, reported */
	void *made = c->item(p->r, &p->run, o);
	if (p->made)
		p->made[i] = made;
	return true;
}

/* The array's scope: begin, then the elements. */
static bool read_elements(struct jin *j, const cJSON *arr, size_t i, void *ctx)
{
	struct pass *p = ctx;
	(void)i;
	if (!p->run.c->begin || p->run.c->begin(p->r, &p->run))
		jin_each(j, NULL, arr, read_element, p);
	return true;
}

bool topo_read_array(struct topo_reader *r, const struct topo_coll *c, const cJSON *obj,
		     const cJSON **arr)
{
	return jin_array(r->j, obj, c->key, c->required, arr);
}

void topo_read_run(struct topo_reader *r, const struct topo_coll *c, const cJSON *arr,
		   void *parent, void ***made)
{
	struct pass p = { .r = r,
			  .run = { .c = c, .parent = parent, .arr = arr,
				   .n = (size_t)cJSON_GetArraySize(arr) } };
	struct strmap *own = NULL; /* a set of this array's names only */
	if (c->what && c->index) {
		p.run.names = c->index(r->t);
	} else if (c->what) {
		own = strmap_create();
		p.run.names = own;
	}
	if (made) {
		p.made = calloc(p.run.n ? p.run.n : 1, sizeof(*p.made));
		*made = p.made;
	}
	if ((c->what && !p.run.names) || (made && !p.made))
		jin_error_at(r->j, c->key, "out of memory");
	jin_in(r->j, c->key, arr, read_elements, &p);
	strmap_destroy(own);
}

void topo_read_nested(struct topo_reader *r, const struct topo_coll *c, const cJSON *obj,
		      void *parent)
{
	const cJSON *arr;
	if (topo_read_array(r, c, obj, &arr))
		topo_read_run(r, c, arr, parent, NULL);
}

struct revisit {
	struct topo_reader *r;
	void *const *made;
	topo_revisit_fn fn;
	void *ctx;
};

static bool revisit_element(struct jin *j, const cJSON *o, size_t i, void *ctx)
{
	struct revisit *v = ctx;
	(void)j;
	v->fn(v->r, o, v->made[i], v->ctx);
	return true;
}

void topo_read_revisit(struct topo_reader *r, const struct topo_coll *c, const cJSON *arr,
		       void *const *made, topo_revisit_fn fn, void *ctx)
{
	if (!made)
		return;
	/* Only the elements that made an object are entered: the path is
	 * pushed for them alone. */
	struct revisit v = { r, made, fn, ctx };
	size_t i = 0;
	for (const cJSON *o = arr ? arr->child : NULL; o; o = o->next, i++)
		if (made[i])
			jin_in_elem(r->j, c->key, i, o, revisit_element, &v);
}

bool topo_read_name(struct topo_reader *r, struct topo_run *run, const char *name, void *value)
{
	if (!name || !run->names)
		return false;
	int rc = strmap_put(run->names, name, value);
	if (rc == 0)
		jin_error_at(r->j, "name", "duplicate %s name \"%s\"", run->c->what, name);
	else if (rc < 0)
		jin_error_at(r->j, "name", "out of memory");
	return rc > 0;
}

/* ---- shared field readers ------------------------------------------------- */

void *topo_read_alloc(struct topo_reader *r, size_t n, size_t size)
{
	void *p = arena_calloc(r->a, n ? n : 1, size);
	if (!p)
		jin_error(r->j, "out of memory");
	return p;
}

bool topo_read_choice(struct jin *j, const cJSON *obj, const char *key, bool required,
		      const struct topo_choice *choices, size_t n, const char *expected, int *out)
{
	const char *s;
	if (!jin_string(j, obj, key, required, &s))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, choices[i].name) == 0) {
			*out = choices[i].value;
			return true;
		}
	jin_error_at(j, key, "\"%s\" is not %s", s, expected);
	return false;
}

const char *topo_read_label(struct topo_reader *r, const cJSON *o, const char **label)
{
	const char *name = NULL;
	jin_name(r->j, o, "name", true, &name);
	*label = name ? topo_read_dup(r, name) : "?";
	return name;
}

const char *topo_read_dup(struct topo_reader *r, const char *s)
{
	return arena_strdup(r->a, s);
}

static bool read_prefix(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct prefix_list *out = ctx;
	struct prefix p;
	(void)i;
	if (!jin_prefix_value(j, it, &p))
		return true;
	for (size_t k = 0; k < out->n; k++)
		if (prefix_equal(out->v[k], p)) {
			jin_error(j, "prefix listed twice");
			return true;
		}
	out->v[out->n++] = p;
	return true;
}

void topo_read_prefixes(struct topo_reader *r, const cJSON *obj, const char *key, bool required,
			struct prefix_list *out)
{
	const cJSON *arr;
	out->n = 0;
	out->v = NULL;
	if (!jin_array(r->j, obj, key, required, &arr))
		return;
	size_t n = (size_t)cJSON_GetArraySize(arr);
	out->v = topo_read_alloc(r, n, sizeof(struct prefix));
	if (out->v)
		jin_each(r->j, key, arr, read_prefix, out);
}

bool topo_read_asn(struct topo_reader *r, const cJSON *obj, const char *key, bool required,
		   uint32_t *out, bool two_byte_warning)
{
	uint64_t v;
	if (!jin_uint(r->j, obj, key, required, 1, 4294967295u, &v))
		return false;
	if (asn_reserved((uint32_t)v)) {
		jin_error_at(r->j, key, "ASN %llu is reserved by Azure or IANA (RULES E5.2)",
			     (unsigned long long)v);
		return false;
	}
	if (two_byte_warning && v > 65535)
		jin_warn_at(r->j, key,
			    "ASN %llu is a 4-byte ASN: the Route Server documents 2-byte ASNs "
			    "only (accepted, as real deployments show)",
			    (unsigned long long)v);
	*out = (uint32_t)v;
	return true;
}

struct subnet *topo_read_subnet_ref(struct topo_reader *r, const cJSON *obj, const char *key)
{
	const char *id;
	if (!jin_ref(r->j, obj, key, true, &id))
		return NULL;
	struct subnet *s = topology_subnet(r->t, id);
	if (!s)
		jin_error_at(r->j, key, "no subnet \"%s\" (references are \"vnet/subnet\")", id);
	return s;
}
