/*
 * import_tf.c - `terraform show -json` of a plan or of state: the
 * document's modules and resource instances, values known only after
 * apply, and their resolution through the configuration's references.
 * See import_tf.h; import_tf_map.c turns the resources into ARM-shaped
 * records that the rest of the import maps like az's.
 *
 * The shape (Terraform's JSON output format, format_version 0.x or 1.x):
 * a state has values.root_module, a plan planned_values.root_module (the
 * estate after apply), resource_changes (after_unknown per instance) and
 * configuration.root_module (expressions with references, module_calls).
 * A module holds resources and child_modules, each with its own address.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "armid.h"
#include "import_int.h"
#include "import_tf.h"
#include "strmap.h"
#include "vec.h"

#define TF_DEPTH 16                    /* references followed, modules nested */
#define TF_STEPS 200000                /* expressions resolved per document: bounded work */

static const char ZERO_SUB[] = "00000000-0000-0000-0000-000000000000";

bool imp_tf_shape(const cJSON *doc)
{
	return cJSON_IsObject(doc) &&
	       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "format_version")) &&
	       (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "terraform_version")) ||
		cJSON_GetObjectItemCaseSensitive(doc, "planned_values") ||
		cJSON_GetObjectItemCaseSensitive(doc, "values"));
}

static const cJSON *get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNull(v) ? NULL : v;
}

/* ---- the configuration ------------------------------------------------------------ */

/* The configuration module of a module instance address (`module.a["x"].module.b`). */
static const cJSON *config_module(const struct tf *t, const char *module)
{
	const cJSON *m = t->config;
	const char *p = module;
	while (m && *p) {
		if (strncmp(p, "module.", 7) != 0)
			return NULL;
		p += 7;
		size_t n = strcspn(p, ".[");
		char name[256];
		if (n >= sizeof(name))
			return NULL;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (*p == '[') { /* the instance key: skip to its closing bracket */
			bool quoted = false;
			for (p++; *p && (quoted || *p != ']'); p++) {
				if (*p == '\\' && quoted && p[1])
					p++;
				else if (*p == '"')
					quoted = !quoted;
			}
			if (*p == ']')
				p++;
		}
		if (*p == '.')
			p++;
		m = get(get(get(m, "module_calls"), name), "module");
	}
	return m;
}

/* The expressions of r's resource block in the configuration, or NULL. */
static const cJSON *config_exprs(const struct tf *t, const struct tf_res *r)
{
	const cJSON *res, *m = config_module(t, r->module);
	cJSON_ArrayForEach(res, get(m, "resources"))
	{
		const char *mode = cJSON_GetStringValue(get(res, "mode"));
		const char *type = cJSON_GetStringValue(get(res, "type"));
		const char *name = cJSON_GetStringValue(get(res, "name"));
		if (mode && type && name && strcmp(mode, r->data ? "data" : "managed") == 0 &&
		    strcmp(type, r->type) == 0 && strcmp(name, r->name) == 0)
			return get(res, "expressions");
	}
	return NULL;
}

/* ---- values and references --------------------------------------------------------- */

static const char *attr_value(struct tf *t, struct tf_res *r, const char *attr, int depth);
static const char *id_of(struct tf *t, struct tf_res *r, int depth);

static struct tf_res *find(const struct tf *t, const char *addr)
{
	size_t at = (size_t)(uintptr_t)strmap_get(t->by_addr, addr);
	return at ? &t->v[at - 1] : NULL;
}

/* An instance key as it appears in addresses: [0] or ["a"]. */
static const char *index_text(struct tf *t, const cJSON *ix)
{
	if (cJSON_IsNumber(ix))
		return arena_printf(t->im->a, "[%.0f]", ix->valuedouble);
	if (cJSON_IsString(ix))
		return arena_printf(t->im->a, "[\"%s\"]", ix->valuestring);
	return NULL;
}

static const char *resolve(struct tf *t, const char *module, const char *ixs, const cJSON *expr,
			   int depth);

/* var.NAME inside module instance `module`: the module call's expression
 * NAME in the parent, resolved there (the call's instance key standing for
 * each.key). */
static const char *var_value(struct tf *t, const char *module, const char *var, int depth)
{
	const char *last = NULL;
	for (const char *p = module; (p = strstr(p, "module.")) != NULL; p++)
		if (p == module || p[-1] == '.')
			last = p;
	if (!last)
		return NULL;
	const char *name = last + 7;
	size_t n = strcspn(name, ".["), v = strcspn(var, ".[");
	const char *parent = arena_strndup(t->im->a, module, last > module ? (size_t)(last - module - 1) : 0);
	const char *call = arena_strndup(t->im->a, name, n);
	const char *vname = arena_strndup(t->im->a, var, v);
	if (!parent || !call || !vname)
		return NULL;
	const char *key = name[n] == '[' ? arena_strndup(t->im->a, name + n, strcspn(name + n, ".") ) : NULL;
	const cJSON *expr = get(get(get(get(config_module(t, parent), "module_calls"), call), "expressions"),
				vname);
	return expr ? resolve(t, parent, key, expr, depth + 1) : NULL;
}

/* module.NAME[KEY].OUTPUT in module instance `module`: the output's
 * expression in that module instance. */
static const char *output_value(struct tf *t, const char *module, const char *ref, int depth)
{
	const char *p = ref + 7;
	size_t n = strcspn(p, ".[");
	if (p[n] == '[') {
		const char *close = strchr(p + n, ']');
		if (!close)
			return NULL;
		n = (size_t)(close - p) + 1;
	}
	if (p[n] != '.')
		return NULL;
	const char *out = p + n + 1;
	const char *inst = arena_printf(t->im->a, "%s%s%.*s", module, *module ? "." : "",
					(int)(n + 7), ref);
	const char *oname = arena_strndup(t->im->a, out, strcspn(out, ".["));
	if (!inst || !oname)
		return NULL;
	const cJSON *expr = get(get(get(config_module(t, inst), "outputs"), oname), "expression");
	return expr ? resolve(t, inst, NULL, expr, depth + 1) : NULL;
}

/* One reference ("azurerm_subnet.web[0].id", "var.hub_id") in module
 * instance `module`; ixs: the referrer's instance key, for `x[each.key]`. */
static const char *ref_value(struct tf *t, const char *module, const char *ixs, const char *ref,
			     int depth)
{
	if (strncmp(ref, "var.", 4) == 0)
		return var_value(t, module, ref + 4, depth);
	if (strncmp(ref, "module.", 7) == 0)
		return output_value(t, module, ref, depth);
	static const char *const NOT[] = { "local.", "each.", "count.", "path.",
					   "terraform.", "self.", NULL };
	for (const char *const *k = NOT; *k; k++)
		if (strncmp(ref, *k, strlen(*k)) == 0)
			return NULL;
	const char *p = ref;
	bool data = strncmp(p, "data.", 5) == 0;
	if (data)
		p += 5;
	size_t ty = strcspn(p, ".");
	if (!p[ty])
		return NULL;
	size_t nm = strcspn(p + ty + 1, ".[");
	const char *rest = p + ty + 1 + nm, *key = NULL;
	size_t keylen = 0;
	if (*rest == '[') {
		key = rest;
		keylen = strcspn(rest, "]");
		if (!rest[keylen])
			return NULL;
		keylen++;
		rest += keylen;
	}
	/* A bare resource ("azurerm_subnet.web") is the object the attribute
	 * reference beside it is taken from: only the latter is a value. */
	char attr[128];
	size_t an = *rest == '.' ? strcspn(rest + 1, ".[") : 0;
	if (an == 0 || an >= sizeof(attr))
		return NULL;
	memcpy(attr, rest + 1, an);
	attr[an] = '\0';
	const char *base = arena_printf(t->im->a, "%s%s%s%.*s", module, *module ? "." : "",
					data ? "data." : "", (int)(ty + 1 + nm), p);
	if (!base)
		return NULL;
	struct tf_res *r = find(t, key ? arena_printf(t->im->a, "%s%.*s", base, (int)keylen, key) : base);
	if (!r && !key && ixs)
		r = find(t, arena_printf(t->im->a, "%s%s", base, ixs));
	return r ? attr_value(t, r, attr, depth + 1) : NULL;
}

static const char *resolve(struct tf *t, const char *module, const char *ixs, const cJSON *expr,
			   int depth)
{
	if (depth > TF_DEPTH || ++t->steps > TF_STEPS)
		return NULL;
	const cJSON *c = get(expr, "constant_value"), *ref;
	if (cJSON_IsString(c))
		return c->valuestring;
	cJSON_ArrayForEach(ref, get(expr, "references"))
	{
		const char *s = cJSON_IsString(ref) ? ref_value(t, module, ixs, ref->valuestring, depth)
						    : NULL;
		if (s)
			return s;
	}
	return NULL;
}

static const char *ixs_of(struct tf *t, const struct tf_res *r)
{
	return r->index ? index_text(t, r->index) : NULL;
}

struct tf_at tf_top(struct tf *t, const struct tf_res *r)
{
	return (struct tf_at){ r->values, r->unknown, config_exprs(t, r),
			       arena_printf(t->im->a, "%s.values", r->where) };
}

bool tf_unknown(const struct tf_at *at, const char *key)
{
	return cJSON_IsTrue(at->unk) || cJSON_IsTrue(get(at->unk, key));
}

/* r's attribute attr: known, or resolved through r's own expression. */
static const char *attr_value(struct tf *t, struct tf_res *r, const char *attr, int depth)
{
	if (strcmp(attr, "id") == 0)
		return id_of(t, r, depth);
	const char *s = cJSON_GetStringValue(get(r->values, attr));
	if (s || r->busy_attr || depth > TF_DEPTH)
		return s;
	struct tf_at top = { r->values, r->unknown, config_exprs(t, r), NULL };
	if (!tf_unknown(&top, attr))
		return NULL;
	r->busy_attr = true;
	s = resolve(t, r->module, ixs_of(t, r), get(top.expr, attr), depth + 1);
	r->busy_attr = false;
	return s;
}

const char *tf_str(struct tf *t, const struct tf_res *r, const struct tf_at *at, const char *key)
{
	const cJSON *v = get(at->val, key);
	if (cJSON_IsString(v))
		return cJSON_GetStringValue(v);
	if (v) {
		imp_error_at(t->im, t->file, arena_printf(t->im->a, "%s.%s", at->path, key),
			     "expected a string");
		return NULL;
	}
	if (!tf_unknown(at, key))
		return NULL;
	const char *s = resolve(t, r->module, ixs_of(t, r), get(at->expr, key), 0);
	if (s)
		imp_note(t->im, "Terraform values known after apply: resolved through the "
				"configuration's references");
	return s;
}

bool tf_block(struct tf *t, const struct tf_at *at, const char *key, size_t i, struct tf_at *out)
{
	const cJSON *list = get(at->val, key);
	if (list && !cJSON_IsArray(list)) {
		imp_error_at(t->im, t->file, arena_printf(t->im->a, "%s.%s", at->path, key),
			     "expected a list of blocks");
		return false;
	}
	const cJSON *e = cJSON_GetArrayItem(list, (int)i);
	if (!e)
		return false;
	if (!cJSON_IsObject(e)) {
		imp_error_at(t->im, t->file, arena_printf(t->im->a, "%s.%s[%zu]", at->path, key, i),
			     "expected a block (an object)");
		return false;
	}
	const cJSON *unk = cJSON_IsTrue(at->unk) ? at->unk : get(at->unk, key);
	if (cJSON_IsArray(unk))
		unk = cJSON_GetArrayItem(unk, (int)i);
	/* A set's elements are in value order, the configuration's in source
	 * order: matched by name, else by position when the counts agree. */
	const cJSON *exprs = get(at->expr, key), *x, *ex = NULL;
	const char *name = cJSON_GetStringValue(get(e, "name"));
	cJSON_ArrayForEach(x, (cJSON_IsArray(exprs) ? exprs : NULL))
	{
		const char *xn = cJSON_GetStringValue(get(get(x, "name"), "constant_value"));
		if (name && xn && strcmp(name, xn) == 0)
			ex = x;
	}
	if (!ex && cJSON_GetArraySize(exprs) == cJSON_GetArraySize(list))
		ex = cJSON_GetArrayItem(exprs, (int)i);
	*out = (struct tf_at){ e, unk, ex, arena_printf(t->im->a, "%s.%s[%zu]", at->path, key, i) };
	return true;
}

/* ---- IDs ----------------------------------------------------------------------------------- */

static const struct {
	const char *type;
	const char *segment;           /* ARM's type segment */
	const char *parent;            /* the attribute naming the parent, or NULL */
	const char *child;             /* the child segment under the parent */
} DERIVE[] = {
	{ "azurerm_virtual_network", "virtualNetworks", NULL, NULL },
	{ "azurerm_subnet", "virtualNetworks", "virtual_network_name", "subnets" },
	{ "azurerm_route_table", "routeTables", NULL, NULL },
	{ "azurerm_route", "routeTables", "route_table_name", "routes" },
	{ "azurerm_virtual_network_peering", "virtualNetworks", "virtual_network_name",
	  "virtualNetworkPeerings" },
	{ "azurerm_network_interface", "networkInterfaces", NULL, NULL },
	{ "azurerm_virtual_network_gateway", "virtualNetworkGateways", NULL, NULL },
	{ "azurerm_virtual_network_gateway_connection", "connections", NULL, NULL },
	{ "azurerm_local_network_gateway", "localNetworkGateways", NULL, NULL },
	{ "azurerm_route_server", "virtualHubs", NULL, NULL },
	{ "azurerm_private_endpoint", "privateEndpoints", NULL, NULL },
	{ "azurerm_public_ip", "publicIPAddresses", NULL, NULL },
	{ "azurerm_lb", "loadBalancers", NULL, NULL },
};

/* A name segment for a placeholder: letters, digits, '-', '_' and '.'. */
static const char *placeholder_name(struct tf *t, const struct tf_res *r)
{
	const char *ix = ixs_of(t, r);
	char *s = arena_printf(t->im->a, "tf-%s%s", r->name, ix ? ix : "");
	for (char *p = s; p && *p; p++)
		if (!strchr("-_.", *p) && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
					     (*p >= '0' && *p <= '9')))
			*p = '-';
	return s;
}

/* The ID ARM will give r, from its name, resource group and parent; a
 * placeholder (named in a note) where one of them is not known. */
static const char *derive_id(struct tf *t, struct tf_res *r, int depth)
{
	const char *name = attr_value(t, r, "name", depth + 1);
	if (strcmp(r->type, "azurerm_route_server_bgp_connection") == 0) {
		const char *rs = attr_value(t, r, "route_server_id", depth + 1);
		return rs && name ? arena_printf(t->im->a, "%s/bgpConnections/%s", rs, name) : NULL;
	}
	if (strcmp(r->type, "azurerm_subnet_route_table_association") == 0)
		return attr_value(t, r, "subnet_id", depth + 1);
	/* A load balancer's pools and rules are children of its ID. */
	const char *lb_child = strcmp(r->type, "azurerm_lb_backend_address_pool") == 0
				       ? "backendAddressPools"
			       : strcmp(r->type, "azurerm_lb_rule") == 0 ? "loadBalancingRules"
									 : NULL;
	if (lb_child) {
		const char *lb = attr_value(t, r, "loadbalancer_id", depth + 1);
		return lb && name ? arena_printf(t->im->a, "%s/%s/%s", lb, lb_child, name) : NULL;
	}
	size_t k = 0, nk = sizeof(DERIVE) / sizeof(DERIVE[0]);
	while (k < nk && strcmp(DERIVE[k].type, r->type) != 0)
		k++;
	if (k == nk)
		return NULL;
	const char *rg = attr_value(t, r, "resource_group_name", depth + 1);
	const char *parent = DERIVE[k].parent ? attr_value(t, r, DERIVE[k].parent, depth + 1) : NULL;
	if (!name || !rg || (DERIVE[k].parent && !parent)) {
		imp_note(t->im, "%s: %s known only after apply, not resolved: a placeholder ID",
			 r->address, !name ? "name" : !rg ? "resource_group_name" : DERIVE[k].parent);
		name = name ? name : placeholder_name(t, r);
		rg = rg ? rg : "tf-unknown";
		if (DERIVE[k].parent && !parent)
			parent = "tf-unknown";
	} else {
		imp_note(t->im, "Terraform IDs known after apply: derived from name and resource group");
	}
	const char *base = arena_printf(t->im->a, "/subscriptions/%s/resourceGroups/%s/providers/"
				      "Microsoft.Network/%s/%s", t->sub, rg, DERIVE[k].segment,
				      parent ? parent : name);
	return parent ? arena_printf(t->im->a, "%s/%s/%s", base, DERIVE[k].child, name) : base;
}

static const char *id_of(struct tf *t, struct tf_res *r, int depth)
{
	if (r->id || r->busy || depth > TF_DEPTH)
		return r->id;
	const char *id = cJSON_GetStringValue(get(r->values, "id"));
	r->busy = true;
	if (!id) {
		struct tf_at top = { r->values, r->unknown, config_exprs(t, r), NULL };
		if (tf_unknown(&top, "id") || !r->unknown)
			id = derive_id(t, r, depth);
	}
	r->busy = false;
	r->id = id;
	return id;
}

const char *tf_id(struct tf *t, struct tf_res *r)
{
	return id_of(t, r, 0);
}

struct tf_res *tf_find_id(struct tf *t, const char *type, const char *id)
{
	for (size_t i = 0; id && i < t->n; i++)
		if (strcmp(t->v[i].type, type) == 0 && !t->v[i].data) {
			const char *x = tf_id(t, &t->v[i]);
			if (x && strcasecmp(x, id) == 0)
				return &t->v[i];
		}
	return NULL;
}

/* ---- the document ---------------------------------------------------------------------- */

static void add_resource(struct tf *t, const cJSON *o, const char *where, const char *module)
{
	struct imp *im = t->im;
	if (!cJSON_IsObject(o)) {
		imp_error_at(im, t->file, where, "expected a resource (an object)");
		return;
	}
	static const char *const NEED[] = { "address", "mode", "type", "name" };
	for (size_t k = 0; k < 4; k++)
		if (!cJSON_IsString(get(o, NEED[k]))) {
			imp_error_at(im, t->file, arena_printf(im->a, "%s.%s", where, NEED[k]),
				     "missing or not a string");
			return;
		}
	const cJSON *vals = get(o, "values");
	if (!cJSON_IsObject(vals)) {
		imp_error_at(im, t->file, arena_printf(im->a, "%s.values", where),
			     "missing or not an object");
		return;
	}
	const cJSON *ix = get(o, "index");
	if (ix && !cJSON_IsNumber(ix) && !cJSON_IsString(ix)) {
		imp_error_at(im, t->file, arena_printf(im->a, "%s.index", where),
			     "expected a number (count) or a string (for_each)");
		return;
	}
	struct tf_res *r = VEC_PUSH(t->v, t->n, t->cap);
	if (!r) {
		imp_error_at(im, t->file, where, "out of memory");
		return;
	}
	const char *addr = cJSON_GetStringValue(get(o, "address"));
	const cJSON *change = strmap_get(t->changes, addr);
	*r = (struct tf_res){ .where = where, .module = module, .address = addr,
			      .type = cJSON_GetStringValue(get(o, "type")),
			      .name = cJSON_GetStringValue(get(o, "name")),
			      .index = ix, .values = vals, .unknown = get(change, "after_unknown"),
			      .data = strcmp(cJSON_GetStringValue(get(o, "mode")), "data") == 0 };
	if (strmap_put(t->by_addr, addr, (void *)(uintptr_t)t->n) == 0) {
		imp_error_at(im, t->file, arena_printf(im->a, "%s.address", where),
			     "the address \"%s\" is listed twice", addr);
		t->n--;
	}
}

static void add_module(struct tf *t, const cJSON *m, const char *where, const char *module,
		       int depth)
{
	struct imp *im = t->im;
	if (!cJSON_IsObject(m) || depth > TF_DEPTH) {
		imp_error_at(im, t->file, where, depth > TF_DEPTH ? "modules nested too deep"
								   : "expected a module (an object)");
		return;
	}
	const cJSON *res = get(m, "resources"), *kids = get(m, "child_modules"), *o;
	if ((res && !cJSON_IsArray(res)) || (kids && !cJSON_IsArray(kids))) {
		imp_error_at(im, t->file, arena_printf(im->a, "%s.%s", where,
						       res && !cJSON_IsArray(res) ? "resources" : "child_modules"),
			     "expected an array");
		return;
	}
	size_t i = 0;
	cJSON_ArrayForEach(o, res)
	add_resource(t, o, arena_printf(im->a, "%s.resources[%zu]", where, i++), module);
	i = 0;
	cJSON_ArrayForEach(o, kids)
	{
		const char *at = arena_printf(im->a, "%s.child_modules[%zu]", where, i++);
		const char *addr = cJSON_GetStringValue(get(o, "address"));
		if (!addr || strncmp(addr, "module.", 7) != 0)
			imp_error_at(im, t->file, arena_printf(im->a, "%s.address", at),
				     "a child module needs its address (module.NAME...)");
		else
			add_module(t, o, at, addr, depth + 1);
	}
}

/* resource_changes: address -> change, for after_unknown. */
static void index_changes(struct tf *t, const cJSON *doc)
{
	const cJSON *rc = get(doc, "resource_changes"), *c;
	if (rc && !cJSON_IsArray(rc)) {
		imp_error_at(t->im, t->file, "$.resource_changes", "expected an array");
		return;
	}
	size_t i = 0;
	cJSON_ArrayForEach(c, rc)
	{
		const char *addr = cJSON_GetStringValue(get(c, "address"));
		const cJSON *ch = get(c, "change");
		if (!addr || !cJSON_IsObject(ch)) {
			imp_error_at(t->im, t->file,
				     arena_printf(t->im->a, "$.resource_changes[%zu].%s", i,
						  addr ? "change" : "address"),
				     addr ? "expected an object" : "missing or not a string");
		} else {
			const cJSON *unk = get(ch, "after_unknown");
			if (unk && !cJSON_IsObject(unk) && !cJSON_IsBool(unk))
				imp_error_at(t->im, t->file,
					     arena_printf(t->im->a, "$.resource_changes[%zu].change.after_unknown", i),
					     "expected an object");
			else
				strmap_put(t->changes, addr, (void *)(uintptr_t)ch);
		}
		i++;
	}
}

/* The subscription derived IDs use: the first one a known ID names. */
static const char *subscription(struct tf *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *id = cJSON_GetStringValue(get(t->v[i].values, "id"));
		if (id && strncasecmp(id, "/subscriptions/", 15) == 0 && strchr(id + 15, '/'))
			return arena_strndup(t->im->a, id + 15, strcspn(id + 15, "/"));
	}
	return ZERO_SUB;
}

static void read_doc(struct tf *t, const cJSON *doc)
{
	const char *fv = cJSON_GetStringValue(get(doc, "format_version"));
	if (!cJSON_IsObject(doc) || !fv) {
		imp_error_at(t->im, t->file, cJSON_IsObject(doc) ? "$.format_version" : "$",
			     "not terraform show -json output (format_version missing)");
		return;
	}
	if (!(fv[0] == '0' || fv[0] == '1') || fv[1] != '.') {
		imp_error_at(t->im, t->file, "$.format_version",
			     "format version \"%s\" is not one this import reads (0.x or 1.x)", fv);
		return;
	}
	const cJSON *conf = get(get(doc, "configuration"), "root_module");
	if (conf && !cJSON_IsObject(conf)) {
		imp_error_at(t->im, t->file, "$.configuration.root_module", "expected an object");
		return;
	}
	t->config = conf;
	index_changes(t, doc);
	const cJSON *pv = get(doc, "planned_values"), *sv = get(doc, "values");
	const char *key = pv ? "planned_values" : sv ? "values" : NULL;
	if (!key) /* an empty state: {"format_version": ...} */
		return;
	const cJSON *root = get(pv ? pv : sv, "root_module");
	if (!cJSON_IsObject(pv ? pv : sv) || !root) {
		imp_error_at(t->im, t->file, arena_printf(t->im->a, "$.%s.root_module", key),
			     "missing: not terraform show -json output");
		return;
	}
	add_module(t, root, arena_printf(t->im->a, "$.%s.root_module", key), "", 0);
}

void imp_tf_doc(struct imp *im, const struct imp_doc *d)
{
	struct tf t = { .im = im, .file = d->file, .by_addr = strmap_create(),
			.changes = strmap_create(), .made = strmap_create() };
	if (!im->tf_made)
		im->tf_made = cJSON_CreateArray();
	if (!t.by_addr || !t.changes || !t.made || !im->tf_made) {
		imp_error_at(im, d->file, "$", "out of memory");
	} else {
		size_t before = im->errors;
		read_doc(&t, d->doc);
		t.sub = subscription(&t);
		if (im->errors == before)
			tf_map(&t);
	}
	free(t.v);
	strmap_destroy(t.by_addr);
	strmap_destroy(t.changes);
	strmap_destroy(t.made);
}
