/*
 * import_tf.h - what import_tf.c (the document: modules, instances,
 * values known after apply and the configuration's references) and
 * import_tf_map.c (azurerm resources to ARM-shaped objects) share.  See
 * import_int.h for the import as a whole and README "Importing an Azure
 * estate" for the mapping.
 *
 * What it models: a Terraform resource instance is one struct tf_res,
 * found by its address (`module.spoke["a"].azurerm_subnet.web[0]`).  Its
 * values are a state's `values`, or a plan's `planned_values` with the
 * matching `resource_changes[].change.after_unknown` telling which values
 * are known only after apply.  Such a value is resolved through the
 * configuration's `expressions.*.references` (a resource of the same module
 * instance, or through `var.X` the module call's expression in the parent);
 * an ID nothing resolves is derived from name and resource group, as ARM
 * forms IDs.
 *
 * Invariants: resources are in document order (modules depth first), so the
 * records made are the same for the same input; every error names the file
 * and the JSON path of the value.
 * Ownership: strings and paths are in the import's arena; ARM objects made
 * go into im->tf_made.
 */
#ifndef TOOLS_IMPORT_TF_H
#define TOOLS_IMPORT_TF_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct imp;
struct imp_doc;
struct strmap;

struct tf_res {                        /* one resource instance */
	const char *where;             /* its JSON path: "$.values.root_module.resources[2]" */
	const char *module;            /* its module instance: "" or `module.spoke["a"]` */
	const char *address;
	const char *type, *name;
	const cJSON *index;            /* count or for_each key, or NULL */
	const cJSON *values;
	const cJSON *unknown;          /* after_unknown of a plan, or NULL */
	bool data;                     /* a data source: read for references only */
	const char *id;                /* known, resolved or derived; NULL until asked */
	bool busy, busy_attr;          /* ID, attribute being resolved (cycle guards) */
};

struct tf {
	struct imp *im;
	const char *file;
	struct tf_res *v;
	size_t n, cap;
	struct strmap *by_addr;        /* address -> index + 1 */
	struct strmap *changes;        /* address -> resource_changes element */
	struct strmap *made;           /* lower-case ID -> ARM object made (VNets, tables, subnets) */
	const cJSON *config;           /* configuration.root_module, or NULL */
	const char *sub;               /* the subscription of derived IDs */
	size_t steps;                  /* expressions resolved so far */
};

struct tf_at {                         /* one level of a resource: itself or a nested block */
	const cJSON *val;              /* values */
	const cJSON *unk;              /* after_unknown at this level (true: all) */
	const cJSON *expr;             /* the configuration's expressions at this level */
	const char *path;              /* JSON path of val */
};

/* ---- import_tf.c ------------------------------------------------------------ */

/* The top level of r. */
struct tf_at tf_top(struct tf *t, const struct tf_res *r);
/* Element i of the nested block list key of at into out; false when absent. */
bool tf_block(struct tf *t, const struct tf_at *at, const char *key, size_t i, struct tf_at *out);
/* The string at.key: known, or resolved through the references when known
 * only after apply; NULL when absent, unresolved or not a string (an error). */
const char *tf_str(struct tf *t, const struct tf_res *r, const struct tf_at *at, const char *key);
/* at.key is known only after apply. */
bool tf_unknown(const struct tf_at *at, const char *key);
/* r's ARM resource ID (known, resolved, or derived from name and group). */
const char *tf_id(struct tf *t, struct tf_res *r);
/* The resource of type type whose ID is id (any case), or NULL. */
struct tf_res *tf_find_id(struct tf *t, const char *type, const char *id);

/* ---- import_tf_map.c -------------------------------------------------------- */

/* Every managed resource of t as an ARM-shaped record; others noted. */
void tf_map(struct tf *t);

#endif
