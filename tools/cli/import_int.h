/*
 * import_int.h - what the parts of `vnetsim import` share (import.c: the
 * command, the inputs and their shapes, notes, the output; import_map.c:
 * ARM resources from az or Azure Resource Graph to the scenario topology;
 * import_routes.c: learned routes to advertise events; import_tf.c and
 * import_tf_map.c: `terraform show -json` to ARM-shaped records).
 *
 * What it models: every input file is parsed whole, then recognised by its
 * shape (README "Importing an Azure estate"): a JSON array or one object
 * with "type" is az CLI output (properties flattened), {"data": [...]} is
 * Resource Graph and {"value": [...]} ARM REST (properties nested), an
 * object keyed RouteServiceRole_IN_0/_IN_1 is a Route Server's learned
 * routes, {"value": [{"network", "sourcePeer", ...}]} a gateway's.  Each
 * ARM resource becomes one struct imp_rec, indexed by its lower-case ID;
 * mapping reads a member where az puts it or under "properties" (imp_get),
 * so both shapes go through the same code.
 *
 * Invariants: records are in input order (files in command-line order, a
 * folder's files sorted by name), so the scenario written is the same for
 * the same inputs; an ID is indexed once (a second record with it is
 * noted and skipped); nothing is written when any error was reported.
 *
 * Ownership: the parsed documents, the records and every string the
 * import makes belong to struct imp (its arena) until imp_destroy; the
 * scenario built (imp->out) is a cJSON tree it owns too.
 * Costs: linear in the input: one hash lookup per reference.
 */
#ifndef TOOLS_IMPORT_INT_H
#define TOOLS_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct arena;
struct diag;
struct strmap;
struct jin;

enum imp_kind {                        /* the resource types import maps */
	IK_VNET,
	IK_ROUTE_TABLE,
	IK_NIC,
	IK_PE,
	IK_GATEWAY,
	IK_CONNECTION,
	IK_LOCAL_GATEWAY,
	IK_HUB,
	IK_HUB_BGP,                    /* virtualHubs/bgpConnections */
	IK_HUB_IPCONFIG,               /* virtualHubs/ipConfigurations */
	IK_LB,                         /* loadBalancers */
	IK_SUBNET,                     /* indexed with its VNet, never a record of its own */
	IK_OTHER,
	IK__COUNT
};

struct imp_rec {                       /* one ARM resource of an input */
	const char *file;
	const char *where;             /* its JSON path: "$.data[3]" */
	const cJSON *o;                /* the resource object */
	enum imp_kind kind;
	const char *id;                /* as given; NULL when it has none */
	const char *name;
	cJSON *made;                   /* the scenario object made of it, or NULL */
	const char *key;               /* what the scenario calls it (name, or ID when shared) */
};

struct imp_doc {                       /* one parsed input */
	const char *file;
	cJSON *doc;
};

struct imp {
	struct diag *d;
	struct arena *a;
	struct imp_doc *docs;
	size_t ndocs, capdocs;
	struct imp_rec *recs;
	size_t nrecs, caprecs;
	struct strmap *by_id;          /* lower-case ID -> struct imp_rec * (subnets: its VNet's) */
	struct strmap *subnet_ids;     /* lower-case subnet ID -> the subnet's scenario object */
	struct strmap *subnet_rt;      /* lower-case subnet ID -> ID of a route table listing it */
	struct strmap *note_idx;       /* note text -> index + 1 in notes */
	struct { const char *text; size_t count; } *notes;
	size_t nnotes, capnotes;
	const struct imp_doc **routes; /* learned-routes documents, read after the topology */
	size_t nroutes, caproutes;
	cJSON *tf_made;                /* ARM-shaped objects made of Terraform resources */
	cJSON *out;                    /* the scenario */
	cJSON *topo, *events;          /* inside out */
	size_t errors;                 /* reported so far */
	FILE *note_out;                /* where notes are printed (NULL: nowhere) */
};

/* ---- import.c --------------------------------------------------------------- */

enum imp_from { FROM_ANY, FROM_AZ, FROM_GRAPH, FROM_TERRAFORM };

/* One ARM resource object o (az's or ARM's shape) of file, at JSON path
 * where: recorded (indexed once all inputs are read).  o must outlive im. */
void imp_add_record(struct imp *im, const char *file, const char *where, const cJSON *o);
/* Imports one in-memory input (name: what diagnostics call it), read as
 * from says, into a scenario that is built and freed; diagnostics go to
 * err when not NULL.  The exit code import would give (0, 2, 3): the
 * importer's fuzz target (fuzz/fuzz_import.c). */
int imp_text(const char *name, const char *text, size_t len, enum imp_from from, FILE *err);

/* Counts one more of `what` in the note (e.g. "network security groups:
 * not modelled"); the note lists each with its count. */
void imp_note(struct imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error about record r (path r->where, then key when not NULL). */
void imp_error(struct imp *im, const struct imp_rec *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An error at file and JSON path. */
void imp_error_at(struct imp *im, const char *file, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* s lower-cased into the arena (an index key), or NULL when out of memory. */
const char *imp_lower(struct imp *im, const char *s);
/* The record whose ID is id (any case), or NULL. */
struct imp_rec *imp_find(const struct imp *im, const char *id);
/* Writes doc to the file out ('-': stdout) through a temporary file
 * renamed over it (outfile.h); compact: without indentation.  An exit code. */
int imp_write(const char *out, const cJSON *doc, bool compact);
/* The scenario's array key of the topology (created on first use). */
cJSON *imp_topo_array(struct imp *im, const char *key);

/* ---- import_map.c ----------------------------------------------------------- */

/* o.key, or o.properties.key (ARM's nested shape), or NULL. */
const cJSON *imp_get(const cJSON *o, const char *key);
/* imp_get as a string, or NULL. */
const char *imp_str(const cJSON *o, const char *key);
/* The "id" of the reference object o.key ({"id": ...}), or NULL. */
const char *imp_ref(const cJSON *o, const char *key);
/* The kind of an ARM type ("Microsoft.Network/virtualNetworks", any case). */
enum imp_kind imp_kind_of(const char *type);
/* Maps every record to the scenario topology, in kind order. */
void imp_map(struct imp *im);
/* The subnet object a subnet ID names, when imported; else NULL. */
cJSON *imp_subnet(struct imp *im, const char *sid);
/* {"id": id} */
cJSON *imp_ref_to(const char *id);

/* ---- import_routes.c -------------------------------------------------------- */

/* Route Servers: virtualHubs with their IP configurations and BGP
 * connections, inline or as records of their own. */
void imp_map_route_servers(struct imp *im);

/* ---- import_tf.c ------------------------------------------------------------ */

/* doc is `terraform show -json` output: format_version with
 * terraform_version, values or planned_values. */
bool imp_tf_shape(const cJSON *doc);
/* Every azurerm resource of a Terraform plan or state document as an
 * ARM-shaped record (im->tf_made owns them); the rest noted. */
void imp_tf_doc(struct imp *im, const struct imp_doc *d);

/* ---- import_routes.c -------------------------------------------------------- */

/* doc is a learned-routes listing (Route Server or gateway). */
bool imp_routes_shape(const cJSON *doc);
/* The advertise events of every learned-routes document (im->routes). */
void imp_routes(struct imp *im);

#endif
