/*
 * topo_read.c - the collection driver and the shared field readers.  See
 * topo_read.h.
 */
#include "topo_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "armid.h"
#include "jsonin.h"
#include "strmap.h"
#include "topo_load.h"
#include "vec.h"

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
	topo_read_known(j, o, c->known);
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

/* ---- names shared across resource groups (RULES 2.1.1) ------------------------- */

struct name_use {                      /* one name of a scoped array */
	size_t n;                      /* elements with it */
	bool all_ids;                  /* each of them has an ARM ID */
	char *cands;                   /* their IDs, ", "-separated (malloc) */
};

/* Appends id to u's candidates; false when out of memory. */
static bool add_candidate(struct name_use *u, const char *id)
{
	size_t had = u->cands ? strlen(u->cands) : 0, add = strlen(id);
	char *c = realloc(u->cands, had + add + 3);
	if (!c)
		return false;
	if (had)
		memcpy(c + had, ", ", 2), had += 2;
	memcpy(c + had, id, add + 1);
	u->cands = c;
	return true;
}

/* The array's names, counted; false when out of memory. */
static bool count_names(const cJSON *arr, struct strmap *idx, struct name_use **uses,
			size_t *nuses)
{
	size_t cap = 0;
	for (const cJSON *o = arr->child; o; o = o->next) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
		if (!cJSON_IsString(nm))
			continue;
		size_t at = (size_t)(uintptr_t)strmap_get(idx, nm->valuestring);
		if (!at) {
			struct name_use *u = VEC_PUSH(*uses, *nuses, cap);
			if (!u || strmap_put(idx, nm->valuestring, (void *)(uintptr_t)*nuses) < 0)
				return false;
			*u = (struct name_use){ .all_ids = true };
			at = *nuses;
		}
		struct name_use *u = &(*uses)[at - 1];
		u->n++;
		bool has = cJSON_IsString(id) && armid_is(id->valuestring);
		u->all_ids = u->all_ids && has;
		if (has && !add_candidate(u, id->valuestring))
			return false;
	}
	return true;
}

/* The names that several elements with ARM IDs share: each is recorded
 * in t->ambiguous with its candidates.  NULL when there are none (the
 * usual case, found in one look at each element) or out of memory. */
static struct strmap *shared_names(struct topo_reader *r, const struct topo_coll *c,
				   const cJSON *arr)
{
	bool any = false;
	for (const cJSON *o = arr ? arr->child : NULL; o && !any; o = o->next) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
		any = cJSON_IsString(id) && armid_is(id->valuestring);
	}
	if (!any)
		return NULL;
	struct strmap *idx = strmap_create(), *shared = strmap_create();
	struct name_use *uses = NULL;
	size_t nuses = 0;
	bool ok = idx && shared && count_names(arr, idx, &uses, &nuses);
	if (ok && !r->t->ambiguous)
		ok = (r->t->ambiguous = strmap_create()) != NULL;
	for (const cJSON *o = arr->child; o && ok; o = o->next) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
		size_t at = cJSON_IsString(nm) ? (size_t)(uintptr_t)strmap_get(idx, nm->valuestring)
					       : 0;
		if (!at || uses[at - 1].n < 2 || !uses[at - 1].all_ids ||
		    strmap_has(shared, nm->valuestring))
			continue;
		const char *key = arena_printf(r->a, "%s:%s", c->arm_type, nm->valuestring);
		char *cands = arena_strdup(r->a, uses[at - 1].cands);
		ok = key && cands && strmap_put(r->t->ambiguous, key, cands) >= 0 &&
		     strmap_put(shared, nm->valuestring, cands) >= 0;
	}
	for (size_t k = 0; k < nuses; k++)
		free(uses[k].cands);
	free(uses);
	strmap_destroy(idx);
	if (!ok) {
		jin_error_at(r->j, c->key, "out of memory");
		strmap_destroy(shared);
		return NULL;
	}
	return shared;
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
	if (c->scoped)
		p.run.shared = shared_names(r, c, arr);
	if ((c->what && !p.run.names) || (made && !p.made))
		jin_error_at(r->j, c->key, "out of memory");
	jin_in(r->j, c->key, arr, read_elements, &p);
	strmap_destroy(own);
	strmap_destroy(p.run.shared);
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

/* ---- ARM IDs ------------------------------------------------------------------- */

const char *topo_read_key(struct topo_reader *r, struct topo_run *run, const cJSON *o,
			  const char *name)
{
	(void)r;
	if (!name || !run->shared || !strmap_has(run->shared, name))
		return name;
	return cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring; /* checked: shared_names */
}

/* An ARM ID's parts for out (arena); false after reporting what is wrong. */
static bool check_arm(struct topo_reader *r, const char *id, const char *type,
		      const char *parent, const char *name, struct arm_meta *out)
{
	struct jin *j = r->j;
	struct armid p;
	const char *why;
	char path[512];
	if (!armid_parse(id, &p, &why)) {
		jin_error_at(j, "id", "\"%s\" is not an ARM resource ID: %s", id, why);
		return false;
	}
	if (!armid_type_path(&p, path, sizeof(path)) || strcmp(path, type) != 0 ||
	    !armid_part_is(p.ns, p.ns_len, "Microsoft.Network")) {
		jin_error_at(j, "id", "\"%s\" is not the ID of a Microsoft.Network/%s", id, type);
		return false;
	}
	size_t last = p.levels - 1;
	if (!armid_part_is(p.name[last], p.name_len[last], name)) {
		jin_error_at(j, "id", "the ID names \"%.*s\", not \"%s\"", (int)p.name_len[last],
			     p.name[last], name);
		return false;
	}
	/* A child's ID continues its parent's (a subnet's, its VNet's). */
	size_t plen = parent ? strlen(parent) : 0;
	if (parent && (strncasecmp(id, parent, plen) != 0 || id[plen] != '/')) {
		jin_error_at(j, "id", "\"%s\" is not inside \"%s\"", id, parent);
		return false;
	}
	out->id = arena_strdup(r->a, id);
	out->sub = arena_printf(r->a, "%.*s", (int)p.sub_len, p.sub);
	out->rg = arena_printf(r->a, "%.*s", (int)p.rg_len, p.rg);
	return out->id && out->sub && out->rg;
}

static void arm_register(struct topo_reader *r, struct arm_meta m, struct arm_meta *out,
			 void *obj);

void topo_read_arm(struct topo_reader *r, const cJSON *o, const char *type, const char *parent,
		   const char *name, struct arm_meta *out, void *obj)
{
	const cJSON *idv = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (!name || !cJSON_IsString(idv) || !armid_is(idv->valuestring))
		return;
	struct arm_meta m = { 0 };
	if (check_arm(r, idv->valuestring, type, parent, name, &m))
		arm_register(r, m, out, obj);
}

void topo_read_arm_child(struct topo_reader *r, const struct arm_meta *parent, const char *child,
			 const char *name, struct arm_meta *out, void *obj)
{
	if (out->id || !parent->id)
		return;
	struct arm_meta m = { arena_printf(r->a, "%s/%s/%s", parent->id, child, name), parent->rg,
			      parent->sub };
	if (m.id)
		arm_register(r, m, out, obj);
}

/* m indexed (t->by_arm) and kept in *out; a duplicate is an error at "id". */
static void arm_register(struct topo_reader *r, struct arm_meta m, struct arm_meta *out, void *obj)
{
	size_t n = strlen(m.id) + 1;
	char *key = arena_alloc(r->a, n);
	if (!r->t->by_arm)
		r->t->by_arm = strmap_create();
	int rc = key && r->t->by_arm && armid_key(m.id, key, n) ? strmap_put(r->t->by_arm, key, obj)
								 : -1;
	if (rc == 0)
		jin_error_at(r->j, "id", "duplicate ID \"%s\" (IDs compare without letter case)",
			     m.id);
	else if (rc < 0)
		jin_error_at(r->j, "id", "out of memory");
	else
		*out = m;
}

bool topo_read_ambiguous(struct topo_reader *r, const char *key, const char *what,
			 const char *type, const char *ref)
{
	const char *cands = topology_ambiguous(r->t, type, ref);
	if (!cands)
		return false;
	jin_error_at(r->j, key,
		     "%s \"%s\" is ambiguous: several resource groups have one (%s); give the full "
		     "ID (RULES 2.1.1)",
		     what, ref, cands);
	return true;
}

/* ARM's read-only and metadata members, accepted silently wherever a
 * scenario object may be pasted from az or ARM output. */
static const char *const ARM_META_KEYS[] = { "id", "etag", "type", "provisioningState",
					     "resourceGuid", "resourceGroup", "tags", "location",
					     "subscriptionId", "tenantId", "kind", "managedBy",
					     "zones", "extendedLocation", "systemData", NULL };

void topo_read_known(struct jin *j, const cJSON *o, const char *const *known)
{
	jin_known_keys_also(j, o, known, ARM_META_KEYS);
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
	if (!s && !topo_read_ambiguous(r, key, "virtual network of subnet", ARM_SUBNET, id))
		jin_error_at(r->j, key, "no subnet \"%s\" (references are \"vnet/subnet\")", id);
	return s;
}
