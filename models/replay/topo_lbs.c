/*
 * topo_lbs.c - loadBalancers: frontends, backend pools, HA-ports rules.
 * See topo_lbs.h.
 */
#include "topo_lbs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "jsonin.h"
#include "strmap.h"
#include "vec.h"

/* The load balancer being read. */
struct in_lb {
	struct load_balancer lb;      /* first: the made object is the load balancer */
	bool standard;                /* sku.name Standard (the default) */
};

/* ---- frontends -------------------------------------------------------------------- */

static bool frontends_begin(struct topo_reader *r, struct topo_run *run)
{
	struct in_lb *in = run->parent;
	if (run->n == 0)
		jin_error(r->j, "a load balancer needs a frontend IP configuration");
	in->lb.frontends = topo_read_alloc(r, run->n, sizeof(*in->lb.frontends));
	return in->lb.frontends != NULL;
}

/* No other frontend (of any load balancer read so far) holds ip in s. */
static void check_frontend_unique(struct topo_reader *r, const struct in_lb *in,
				  const struct lb_frontend *fe)
{
	const struct topology *t = r->t;
	char buf[IPV4_STRLEN];
	for (size_t l = 0; l <= t->nlbs; l++) {
		const struct load_balancer *lb = l < t->nlbs ? t->lbs[l] : &in->lb;
		for (size_t f = 0; f < lb->nfrontends; f++)
			if (lb->frontends[f].subnet == fe->subnet && lb->frontends[f].ip == fe->ip &&
			    &lb->frontends[f] != fe) {
				jin_error_at(r->j, "privateIPAddress",
					     "%s is already the address of frontend \"%s\" of load "
					     "balancer \"%s\"",
					     ipv4_format(fe->ip, buf), lb->frontends[f].name, lb->name);
				return;
			}
	}
}

/* The frontend's address, subnet and VNet checked; false after reporting. */
static bool place_frontend(struct topo_reader *r, struct in_lb *in, const cJSON *o,
			   struct lb_frontend *fe)
{
	struct jin *j = r->j;
	if (cJSON_GetObjectItemCaseSensitive(o, "publicIPAddress"))
		jin_error_at(j, "publicIPAddress",
			     "a public frontend is not modelled: vnetsim models internal load "
			     "balancers (a private address in a subnet)");
	bool has_ip = jin_ipv4(j, o, "privateIPAddress", true, &fe->ip);
	fe->subnet = topo_read_subnet_ref(r, o, "subnet");
	if (!fe->subnet || !has_ip)
		return false;
	char buf[IPV4_STRLEN];
	if (!subnet_usable_ip(fe->subnet, fe->ip)) {
		jin_error_at(j, "privateIPAddress",
			     "%s is not a usable address of subnet \"%s\" (Azure reserves the first "
			     "four and the last address)",
			     ipv4_format(fe->ip, buf), fe->subnet->id);
		return false;
	}
	if (!in->lb.vnet) {
		in->lb.vnet = fe->subnet->vnet;
	} else if (in->lb.vnet != fe->subnet->vnet) {
		jin_error_at(j, "subnet",
			     "subnet \"%s\" is in virtual network \"%s\": a load balancer's "
			     "frontends are in one virtual network (\"%s\")",
			     fe->subnet->id, fe->subnet->vnet->name, in->lb.vnet->name);
		return false;
	}
	check_frontend_unique(r, in, fe);
	struct topo_taken *tk = VEC_PUSH(r->taken, r->ntaken, r->captaken);
	if (!tk) {
		jin_error(j, "out of memory");
		return false;
	}
	*tk = (struct topo_taken){ fe->subnet, fe->ip };
	return true;
}

static void *read_frontend(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct in_lb *in = run->parent;
	struct lb_frontend *fe = &in->lb.frontends[in->lb.nfrontends];
	const char *name = topo_read_label(r, o, &fe->name);
	topo_read_name(r, run, name ? fe->name : NULL, NULL);
	fe->lb = &in->lb;
	if (!place_frontend(r, in, o, fe))
		fe->subnet = NULL; /* invalid: no address to compare with others */
	in->lb.nfrontends++;      /* even when invalid: rules still find it by name */
	return fe;
}

static const char *const FRONTEND_KEYS[] = { "name", "id", "privateIPAddress",
					     "privateIPAllocationMethod", "privateIPAddressVersion",
					     "subnet", "publicIPAddress", NULL };

static const struct topo_coll FRONTENDS = {
	.key = "frontendIPConfigurations", .required = true,
	.expected = "a frontend IP configuration object", .known = FRONTEND_KEYS,
	.what = "frontend IP configuration", .begin = frontends_begin, .item = read_frontend,
};

/* ---- backend pools (names here, members in pass 2) ------------------------------ */

static bool pools_begin(struct topo_reader *r, struct topo_run *run)
{
	struct in_lb *in = run->parent;
	in->lb.pools = topo_read_alloc(r, run->n, sizeof(*in->lb.pools));
	return in->lb.pools != NULL;
}

static void *read_pool(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct in_lb *in = run->parent;
	struct lb_pool *p = &in->lb.pools[in->lb.npools];
	const char *name = topo_read_label(r, o, &p->name);
	topo_read_name(r, run, name ? p->name : NULL, NULL);
	const cJSON *arr;
	jin_array(r->j, o, "backendIPConfigurations", false, &arr);
	in->lb.npools++; /* even when invalid: pools stay aligned with the array */
	return p;
}

static const char *const POOL_KEYS[] = { "name", "id", "backendIPConfigurations", NULL };

static const struct topo_coll POOLS = {
	.key = "backendAddressPools", .expected = "a backend address pool object",
	.known = POOL_KEYS, .what = "backend address pool", .begin = pools_begin,
	.item = read_pool,
};

/* ---- rules ------------------------------------------------------------------------ */

/* The child name a reference gives: "fe", or the last segment of
 * ".../frontendIPConfigurations/fe" (child is "frontendIPConfigurations"). */
static const char *child_name(const char *ref, const char *child)
{
	size_t n = strlen(child);
	for (const char *p = ref; (p = strchr(p, '/')) != NULL; p++)
		if (strncasecmp(p + 1, child, n) == 0 && p[1 + n] == '/')
			return p + 2 + n;
	return ref;
}

/* A reference at obj.key to one of the load balancer's frontends or pools:
 * its index, or false after reporting it. */
static bool rule_ref(struct jin *j, const cJSON *obj, const char *key, const char *child,
		     const char *what, const struct load_balancer *lb, size_t *out)
{
	const char *ref;
	if (!jin_ref(j, obj, key, true, &ref))
		return false;
	const char *name = child_name(ref, child);
	bool fe = strcmp(child, "frontendIPConfigurations") == 0;
	size_t n = fe ? lb->nfrontends : lb->npools;
	for (size_t i = 0; i < n; i++)
		if (strcmp(fe ? lb->frontends[i].name : lb->pools[i].name, name) == 0) {
			*out = i;
			return true;
		}
	jin_error_at(j, key, "no %s \"%s\" in load balancer \"%s\"", what, name, lb->name);
	return false;
}

enum { PROTO_ALL, PROTO_TCP, PROTO_UDP };

static const struct topo_choice PROTOCOLS[] = {
	{ "All", PROTO_ALL },
	{ "Tcp", PROTO_TCP },
	{ "Udp", PROTO_UDP },
};

static bool rules_begin(struct topo_reader *r, struct topo_run *run)
{
	struct in_lb *in = run->parent;
	in->lb.rules = topo_read_alloc(r, run->n, sizeof(*in->lb.rules));
	return in->lb.rules != NULL;
}

static void *read_rule(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct jin *j = r->j;
	struct in_lb *in = run->parent;
	struct lb_rule *ru = &in->lb.rules[in->lb.nrules];
	const char *name = topo_read_label(r, o, &ru->name);
	topo_read_name(r, run, name ? ru->name : NULL, NULL);
	bool fe = rule_ref(j, o, "frontendIPConfiguration", "frontendIPConfigurations",
			   "frontend IP configuration", &in->lb, &ru->frontend);
	bool pool = rule_ref(j, o, "backendAddressPool", "backendAddressPools",
			     "backend address pool", &in->lb, &ru->pool);
	int proto = PROTO_ALL;
	uint64_t fport = 0, bport = 0;
	bool ok = topo_read_choice(j, o, "protocol", true, PROTOCOLS,
				   sizeof(PROTOCOLS) / sizeof(PROTOCOLS[0]), "All, Tcp or Udp", &proto);
	ok = jin_uint(j, o, "frontendPort", true, 0, 65534, &fport) && ok;
	ok = jin_uint(j, o, "backendPort", true, 0, 65535, &bport) && ok;
	if (ok && proto == PROTO_ALL && (fport || bport)) {
		jin_error(j, "protocol All is the HA-ports rule: frontendPort and backendPort must "
			     "be 0");
		ok = false;
	} else if (ok && proto != PROTO_ALL && (!fport || !bport)) {
		jin_error(j, "port 0 (every port) is the HA-ports rule, which needs protocol All");
		ok = false;
	}
	ru->ha_ports = fe && pool && ok && proto == PROTO_ALL;
	ru->protocol = PROTOCOLS[proto].name;
	ru->frontend_port = (uint32_t)fport, ru->backend_port = (uint32_t)bport;
	if (ok && proto == PROTO_ALL && !in->standard)
		jin_error_at(j, "protocol", "an HA-ports rule needs a Standard load balancer (sku)");
	in->lb.nrules++;
	return ru;
}

static const char *const RULE_KEYS[] = { "name", "id", "frontendIPConfiguration",
					 "backendAddressPool", "backendAddressPools", "probe",
					 "protocol", "frontendPort", "backendPort",
					 "enableFloatingIP", "idleTimeoutInMinutes",
					 "loadDistribution", "disableOutboundSnat", "enableTcpReset",
					 NULL };

static const struct topo_coll RULES = {
	.key = "loadBalancingRules", .expected = "a load-balancing rule object",
	.known = RULE_KEYS, .what = "load-balancing rule", .begin = rules_begin,
	.item = read_rule,
};

/* ---- the collection (pass 1) -------------------------------------------------------- */

enum { SKU_STANDARD, SKU_BASIC };

static const struct topo_choice SKUS[] = {
	{ "Standard", SKU_STANDARD },
	{ "Basic", SKU_BASIC },
};

static bool read_sku(struct jin *j, const cJSON *sku, size_t i, void *ctx)
{
	struct in_lb *in = ctx;
	int v = SKU_STANDARD;
	(void)i;
	topo_read_choice(j, sku, "name", false, SKUS, sizeof(SKUS) / sizeof(SKUS[0]),
			 "Standard or Basic", &v);
	in->standard = v == SKU_STANDARD;
	in->lb.sku = SKUS[v].name;
	return true;
}

static void *read_lb(struct topo_reader *r, struct topo_run *run, const cJSON *o)
{
	struct in_lb *in = run->obj;
	struct load_balancer *lb = &in->lb;
	const char *name = topo_read_label(r, o, &lb->name);
	bool ok = name != NULL;
	if (ok)
		lb->name = topo_read_dup(r, topo_read_key(r, run, o, name));
	ok = ok && topo_read_name(r, run, lb->name, lb);
	if (ok)
		topo_read_arm(r, o, ARM_LB, NULL, name, &lb->arm, lb);
	in->standard = true;
	lb->sku = "Standard";
	const cJSON *sku;
	if (jin_object(r->j, o, "sku", false, &sku))
		jin_in(r->j, "sku", sku, read_sku, in);
	topo_read_nested(r, &FRONTENDS, o, in);
	topo_read_nested(r, &POOLS, o, in);
	topo_read_nested(r, &RULES, o, in); /* after the frontends and pools it names */
	r->t->lbs[r->t->nlbs++] = lb;
	return ok ? in : NULL;
}

static struct strmap *lb_index(struct topology *t)
{
	return t->by_lb;
}

static const char *const LB_KEYS[] = { "name", "id", "location", "sku",
				       "frontendIPConfigurations", "backendAddressPools",
				       "loadBalancingRules", "probes", NULL };

const struct topo_coll TOPO_LBS = {
	.key = "loadBalancers", .expected = "a load balancer object", .known = LB_KEYS,
	.what = "load balancer", .index = lb_index, .size = sizeof(struct in_lb),
	.arm_type = ARM_LB, .scoped = true, .item = read_lb,
};

void topo_lbs_read(struct topo_reader *r, const cJSON *arr, void ***made)
{
	*made = NULL;
	if (!arr)
		return;
	r->t->lbs = topo_read_alloc(r, (size_t)cJSON_GetArraySize(arr), sizeof(*r->t->lbs));
	if (r->t->lbs)
		topo_read_run(r, &TOPO_LBS, arr, NULL, made);
}

/* ---- pass 2: members, addresses, each frontend's backends ------------------------ */

/* The NIC a backendIPConfigurations reference names: a NIC name or ID,
 * optionally followed by "/ipConfigurations/<name>" (the primary IP
 * configuration is the one modelled). */
static struct nic *member_nic(struct topo_reader *r, const char *ref)
{
	const char *cut = NULL;
	for (const char *p = ref; (p = strchr(p, '/')) != NULL; p++)
		if (strncasecmp(p, "/ipConfigurations/", 18) == 0)
			cut = p;
	if (!cut)
		return topology_nic(r->t, ref);
	size_t n = (size_t)(cut - ref);
	char *head = arena_alloc(r->a, n + 1);
	if (!head)
		return NULL;
	memcpy(head, ref, n);
	head[n] = '\0';
	return topology_nic(r->t, head);
}

/* One pool's members (the path at the pool). */
static void link_pool(struct topo_reader *r, const cJSON *po, struct load_balancer *lb,
		      struct lb_pool *pool)
{
	struct jin *j = r->j;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(po, "backendIPConfigurations");
	if (!cJSON_IsArray(arr))
		return;
	pool->nics = topo_read_alloc(r, (size_t)cJSON_GetArraySize(arr), sizeof(*pool->nics));
	if (!pool->nics)
		return;
	size_t k = 0;
	for (const cJSON *m = arr->child; m; m = m->next, k++) {
		size_t mark = jin_push_key(j, "backendIPConfigurations");
		jin_push_index(j, k);
		const char *ref = NULL;
		if (!cJSON_IsObject(m))
			jin_error(j, "expected a {\"id\": NIC} reference");
		else
			jin_string(j, m, "id", true, &ref);
		struct nic *n = ref ? member_nic(r, ref) : NULL;
		if (ref && !n) {
			jin_error_at(j, "id", "no NIC \"%s\" (a backend is a NIC name or ID, or its "
					      "IP configuration's ID)",
				     ref);
		} else if (n && n->subnet->vnet != lb->vnet) {
			jin_error_at(j, "id",
				     "NIC \"%s\" is in virtual network \"%s\": a load balancer's "
				     "backend pool members are in its own virtual network (\"%s\")",
				     n->name, n->subnet->vnet->name, lb->vnet->name);
		} else if (n) {
			bool dup = false;
			for (size_t q = 0; q < pool->nnics && !dup; q++)
				dup = pool->nics[q] == n;
			if (!dup)
				pool->nics[pool->nnics++] = n;
		}
		jin_pop(j, mark);
	}
}

/* No NIC or private endpoint holds a frontend's address (the path at the frontend). */
static void check_frontend_address(struct topo_reader *r, const struct lb_frontend *fe)
{
	const struct topology *t = r->t;
	const struct subnet *s = fe->subnet;
	char buf[IPV4_STRLEN];
	const char *holder = NULL;
	for (size_t k = 0; k < s->nic_count && !holder; k++)
		if (t->subnet_nics[s->nic_first + k]->ip == fe->ip)
			holder = t->subnet_nics[s->nic_first + k]->name;
	for (size_t k = 0; k < t->npes && !holder; k++)
		if (t->pes[k].subnet == s && t->pes[k].ip == fe->ip)
			holder = t->pes[k].name;
	if (holder)
		jin_error_at(r->j, "privateIPAddress",
			     "%s is already used in subnet \"%s\" (%s): a frontend's address is its "
			     "own",
			     ipv4_format(fe->ip, buf), s->id, holder);
}

/* A frontend's backends: the members of the pools its HA-ports rules name. */
static void gather_backends(struct topo_reader *r, const struct in_lb *in, size_t f)
{
	struct lb_frontend *fe = &in->lb.frontends[f];
	size_t n = 0;
	for (size_t q = 0; q < in->lb.nrules; q++)
		if (in->lb.rules[q].ha_ports && in->lb.rules[q].frontend == f)
			n += in->lb.pools[in->lb.rules[q].pool].nnics;
	fe->backends = topo_read_alloc(r, n, sizeof(*fe->backends));
	if (!fe->backends)
		return;
	for (size_t q = 0; q < in->lb.nrules; q++) {
		const struct lb_rule *ru = &in->lb.rules[q];
		if (!ru->ha_ports || ru->frontend != f)
			continue;
		fe->ha_ports = true;
		const struct lb_pool *p = &in->lb.pools[ru->pool];
		for (size_t k = 0; k < p->nnics; k++) {
			bool dup = false;
			for (size_t b = 0; b < fe->nbackends && !dup; b++)
				dup = fe->backends[b] == p->nics[k];
			if (!dup)
				fe->backends[fe->nbackends++] = p->nics[k];
		}
	}
}

static void link_lb(struct topo_reader *r, const cJSON *o, void *made, void *ctx)
{
	struct jin *j = r->j;
	struct in_lb *in = made;
	(void)ctx;
	const cJSON *pools = cJSON_GetObjectItemCaseSensitive(o, "backendAddressPools");
	size_t p = 0;
	for (const cJSON *po = cJSON_IsArray(pools) ? pools->child : NULL;
	     po && p < in->lb.npools; po = po->next, p++) {
		size_t mark = jin_push_key(j, "backendAddressPools");
		jin_push_index(j, p);
		link_pool(r, po, &in->lb, &in->lb.pools[p]);
		jin_pop(j, mark);
	}
	const cJSON *fes = cJSON_GetObjectItemCaseSensitive(o, "frontendIPConfigurations");
	size_t f = 0;
	for (const cJSON *fo = cJSON_IsArray(fes) ? fes->child : NULL;
	     fo && f < in->lb.nfrontends; fo = fo->next, f++) {
		size_t mark = jin_push_key(j, "frontendIPConfigurations");
		jin_push_index(j, f);
		check_frontend_address(r, &in->lb.frontends[f]);
		jin_pop(j, mark);
		gather_backends(r, in, f);
	}
}

void topo_lbs_link(struct topo_reader *r, const cJSON *arr, void *const *made)
{
	if (arr)
		topo_read_revisit(r, &TOPO_LBS, arr, made, link_lb, NULL);
}
