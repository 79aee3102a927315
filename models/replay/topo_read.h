/*
 * topo_read.h - the topology loader's collections, each described once and
 * all read by one driver; the field readers its modules share.
 *
 * What it models: the `topology` JSON is collections of objects of one kind
 * (virtualNetworks, a VNet's subnets and peerings, routeTables and their
 * routes, networkInterfaces, privateEndpoints, virtualNetworkGateways,
 * connections, routeServers and their bgpConnections).  A collection's
 * description (struct topo_coll) gives its JSON key, the keys an element
 * may have, what an element is called in a diagnostic, where its names must
 * be unique, and the function that reads one element.  topo_read_run reads
 * every collection the same way: the path .key[i] around each element,
 * "expected ..." for an element that is not an object, a warning for each
 * unknown key, then the element function, which registers its name with
 * topo_read_name where its diagnostics put it.  A later pass over the same
 * array (peerings, once every VNet exists) goes through topo_read_revisit,
 * which hands each element the object the first pass made of it.
 *
 * Invariants: the path is the same after a driver call as before it; every
 * element that is an object reaches the element function exactly once per
 * run; made[i] is what element i made, NULL for one that made nothing.
 * Names are unique within their collection (RULES 2.1): in the topology's
 * index (t->by_vnet ...) for top-level collections, in a set per array for
 * nested ones (a subnet name is unique within its VNet).
 *
 * Ownership: everything the load makes lives in the topology's arena
 * (r->a) and dies with it when the load fails; the driver's name sets are
 * its own, freed before it returns; a made array is the caller's (free).
 * Costs: O(elements) per array plus the element functions; a name check is
 * one strmap_put, O(1) expected.
 */
#ifndef REPLAY_TOPO_READ_H
#define REPLAY_TOPO_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "topology.h"

struct jin;
struct strmap;
struct topo_opts;
struct topo_addrs;

/* An address another resource holds in a subnet (a load balancer's
 * frontend): dynamic NIC and endpoint addresses skip it. */
struct topo_taken {
	const struct subnet *subnet;
	uint32_t ip;
};

struct topo_reader {                   /* one load of a topology */
	struct jin *j;                 /* file, JSON path, diagnostics */
	struct topology *t;            /* being built */
	struct arena *a;               /* t->arena: owns all that is made */
	const struct topo_opts *opts;
	struct topo_addrs *addrs;      /* address bookkeeping while NICs load (topo_nics.c) */
	size_t errors0;                /* errors j had before this load: not this load's */
	struct topo_taken *taken;      /* malloc'd, the loader frees it */
	size_t ntaken, captaken;
};

struct topo_run;

struct topo_coll {                     /* a collection, described once */
	const char *key;               /* the array member: "routeTables" */
	bool required;                 /* a missing array is an error */
	const char *expected;          /* for an element that is not an object ("a route table object") */
	const char *const *known;      /* keys an element may have, NULL-terminated */
	const char *what;              /* "duplicate <what> name"; NULL: names not checked */
	size_t max;                    /* elements past this many are not read (begin says so); 0: all */
	size_t size;                   /* bytes of the object made for each element (run->obj); 0: none */
	/* The ARM resource type path of an element ("routetables", ARM_ROUTE_TABLE),
	 * or NULL: the type its "id" must have (RULES 2.1.1). */
	const char *arm_type;
	/* Top-level: elements may share a name when each has an ARM ID
	 * (two resource groups); their key is then the ID. */
	bool scoped;
	/* The topology's index of these names (t->by_rt); NULL: unique within one array. */
	struct strmap *(*index)(struct topology *t);
	/* Before the elements, the path at the array: sizes storage by run->n;
	 * false after reporting out of memory (the elements are not read).  May be NULL. */
	bool (*begin)(struct topo_reader *r, struct topo_run *run);
	/* One element that is an object, the path at it, its unknown keys warned
	 * about: returns the object made of it, or NULL. */
	void *(*item)(struct topo_reader *r, struct topo_run *run, const cJSON *o);
};

struct topo_run {                      /* one pass of the driver over one array */
	const struct topo_coll *c;
	void *parent;                  /* what owns the array (a VNet, a route table), or NULL */
	const cJSON *arr;              /* the array */
	size_t n;                      /* its elements */
	size_t i;                      /* the element being read */
	void *obj;                     /* its object, zeroed in the arena (c->size bytes), or NULL */
	struct strmap *names;          /* where names must be unique */
	struct strmap *shared;         /* c->scoped: names several elements with IDs share */
};

/* obj.<c->key> as an array into *arr; false when absent (an error when
 * required) or of another type (an error). */
bool topo_read_array(struct topo_reader *r, const struct topo_coll *c, const cJSON *obj,
		     const cJSON **arr);
/* Reads every element of arr, the path at .<c->key>.  When made is not NULL
 * *made receives a malloc'd array of one entry per element (free it; NULL
 * after reporting out of memory). */
void topo_read_run(struct topo_reader *r, const struct topo_coll *c, const cJSON *arr,
		   void *parent, void ***made);
/* topo_read_array, then topo_read_run on the array found: for a collection
 * inside an object (a VNet's subnets). */
void topo_read_nested(struct topo_reader *r, const struct topo_coll *c, const cJSON *obj,
		      void *parent);

/* A later pass: called for an element whose first pass made `made`, with
 * the path at the element. */
typedef void (*topo_revisit_fn)(struct topo_reader *r, const cJSON *o, void *made, void *ctx);
/* fn for each element of arr that made an object (made from topo_read_run;
 * nothing when NULL). */
void topo_read_revisit(struct topo_reader *r, const struct topo_coll *c, const cJSON *arr,
		       void *const *made, topo_revisit_fn fn, void *ctx);

/* Registers the current element's name with value (what the index finds);
 * a duplicate is an error at .name.  True when the name is new; false for
 * a NULL name, a duplicate, or out of memory (reported). */
bool topo_read_name(struct topo_reader *r, struct topo_run *run, const char *name, void *value);

/* ---- ARM IDs (RULES 2.1.1) ------------------------------------------------- */

/* The element's key: its name, or its "id" when elements with ARM IDs
 * share the name (run->shared).  NULL for a NULL name. */
const char *topo_read_key(struct topo_reader *r, struct topo_run *run, const cJSON *o,
			  const char *name);
/* The element's optional "id": when it is an ARM resource ID it must be
 * of type path `type`, end in the name `name` and, for a child (a subnet),
 * continue its parent's ID `parent` (NULL: none given); it is kept in *out with its resource
 * group and subscription and indexed (t->by_arm).  An "id" of another
 * form is not an ARM ID and is ignored, as before IDs were understood. */
void topo_read_arm(struct topo_reader *r, const cJSON *o, const char *type, const char *parent,
		   const char *name, struct arm_meta *out, void *obj);
/* A child without an "id" of its own under a parent with one (a subnet of
 * a VNet): its ID is the parent's + "/<child>/<name>", kept and indexed
 * (nothing when *out already has one or the parent has none). */
void topo_read_arm_child(struct topo_reader *r, const struct arm_meta *parent, const char *child,
			 const char *name, struct arm_meta *out, void *obj);
/* After a reference ref to an object of type path `type` was not found:
 * when the short name is ambiguous, reports it at key with the candidates
 * and returns true; false (nothing reported) otherwise. */
bool topo_read_ambiguous(struct topo_reader *r, const char *key, const char *what,
			 const char *type, const char *ref);
/* jin_known_keys, also accepting ARM's read-only and metadata members
 * (etag, provisioningState, resourceGroup, ...: RULES 2.1.1). */
void topo_read_known(struct jin *j, const cJSON *o, const char *const *known);

/* ---- field readers the collections share --------------------------------- */

/* n zeroed objects of size bytes in the topology's arena (room for one
 * when n is 0), or NULL after reporting out of memory. */
void *topo_read_alloc(struct topo_reader *r, size_t n, size_t size);
/* A string value and what it stands for (an enum's value). */
struct topo_choice {
	const char *name;
	int value;
};
/* obj.key, a string that is one of choices[0..n): true, its value into
 * *out.  False when absent (an error when required), not a string, or
 * another string: "\"x\" is not <expected>". */
bool topo_read_choice(struct jin *j, const cJSON *obj, const char *key, bool required,
		      const struct topo_choice *choices, size_t n, const char *expected, int *out);
/* The element's required "name": *label receives a copy (arena), or "?"
 * when it has none.  Returns the name as the JSON has it, or NULL. */
const char *topo_read_label(struct topo_reader *r, const cJSON *o, const char **label);
/* s copied into the topology's arena. */
const char *topo_read_dup(struct topo_reader *r, const char *s);
/* The array obj.key of CIDR prefixes into out (arena); errors per element,
 * a prefix listed twice is one. */
void topo_read_prefixes(struct topo_reader *r, const cJSON *obj, const char *key, bool required,
			struct prefix_list *out);
/* An ASN at obj.key, not reserved (RULES E5.2); above 65535 a warning
 * when two_byte_warning (the Route Server documents 2-byte ASNs). */
bool topo_read_asn(struct topo_reader *r, const cJSON *obj, const char *key, bool required,
		   uint32_t *out, bool two_byte_warning);
/* A {"id": "vnet/subnet"} reference at obj.key (required), resolved. */
struct subnet *topo_read_subnet_ref(struct topo_reader *r, const cJSON *obj, const char *key);

#endif
