/*
 * import.c - `vnetsim import INPUT... -o SCENARIO`: a scenario from an
 * Azure estate as az CLI, Azure Resource Graph or ARM REST print it, with
 * learned routes as advertise events.  The command, the inputs and their
 * shapes, the notes and the output; see import_int.h for the parts.
 *
 * Nothing is written unless every input was read without error: the
 * scenario goes to a temporary file renamed over the target (outfile.h).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "armid.h"
#include "cli.h"
#include "diag.h"
#include "import_int.h"
#include "jsonin.h"
#include "outfile.h"
#include "strmap.h"
#include "vec.h"

static const char USAGE[] = "usage: vnetsim import INPUT... -o SCENARIO [--from az|graph|terraform] "
			    "[--name NAME]\n";

static const struct cli_command IMPORT = {
	"import", USAGE,
	"\nBuilds a scenario from what Azure prints about an estate.  Each INPUT is a JSON\n"
	"file or a folder of them (tools/collect-az.sh writes one), recognised by its shape:\n"
	"  az CLI (a list or one `show` object): vnet, route-table, nic, private-endpoint,\n"
	"    vnet-gateway, vpn-connection, local-gateway, routeserver, routeserver peering\n"
	"  Azure Resource Graph ({\"data\": [...]}) and ARM REST ({\"value\": [...]})\n"
	"  learned routes: `az network routeserver peering list-learned-routes` and\n"
	"    `az network vnet-gateway list-learned-routes`, as advertise events at time 0\n"
	"  Terraform: `terraform show -json` of a plan or of state (azurerm resources;\n"
	"    values known only after apply resolved through the configuration's references)\n"
	"Objects keep their ARM IDs; what cannot be mapped is listed in a note with counts\n"
	"(on stderr and in the scenario's description).\n",
	"\nExit 0, 2 for malformed input (file and JSON path named; nothing written),\n"
	"3 for I/O errors.\n",
	24,
};

/* ---- diagnostics and notes ------------------------------------------------------ */

void imp_error_at(struct imp *im, const char *file, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(im->d, DIAG_ERROR, file, path, fmt, ap);
	va_end(ap);
	im->errors++;
}

void imp_error(struct imp *im, const struct imp_rec *r, const char *key, const char *fmt, ...)
{
	char path[600];
	snprintf(path, sizeof(path), "%s%s%s", r->where, key ? "." : "", key ? key : "");
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(im->d, DIAG_ERROR, r->file, path, fmt, ap);
	va_end(ap);
	im->errors++;
}

void imp_note(struct imp *im, const char *fmt, ...)
{
	char text[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	size_t at = (size_t)(uintptr_t)strmap_get(im->note_idx, text);
	if (!at) {
		const char *t = arena_strdup(im->a, text);
		__typeof__(im->notes) slot = t ? VEC_PUSH(im->notes, im->nnotes, im->capnotes) : NULL;
		if (!slot || strmap_put(im->note_idx, t, (void *)(uintptr_t)im->nnotes) < 0) {
			imp_error_at(im, "", "", "out of memory");
			return;
		}
		slot->text = t;
		slot->count = 0;
		at = im->nnotes;
	}
	im->notes[at - 1].count++;
}

const char *imp_lower(struct imp *im, const char *s)
{
	size_t n = strlen(s) + 1;
	char *k = arena_alloc(im->a, n);
	if (k && !armid_key(s, k, n))
		k = NULL;
	return k;
}

struct imp_rec *imp_find(const struct imp *im, const char *id)
{
	char key[1024];
	if (!id || !armid_key(id, key, sizeof(key)))
		return NULL;
	return strmap_get(im->by_id, key);
}

cJSON *imp_topo_array(struct imp *im, const char *key)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(im->topo, key);
	if (!arr)
		arr = cJSON_AddArrayToObject(im->topo, key);
	return arr;
}

/* ---- inputs ------------------------------------------------------------------------- */

/* One resource object of a list (or a `show`): recorded and indexed. */
void imp_add_record(struct imp *im, const char *file, const char *where, const cJSON *o)
{
	if (!cJSON_IsObject(o)) {
		imp_error_at(im, file, where, "expected an ARM resource object");
		return;
	}
	struct imp_rec r = { .file = file, .where = arena_strdup(im->a, where), .o = o };
	const char *type = imp_str(o, "type");
	r.name = imp_str(o, "name");
	r.id = imp_str(o, "id");
	if (!type || !r.name) {
		imp_error(im, &r, type ? "name" : "type", "missing: not an ARM resource");
		return;
	}
	r.kind = imp_kind_of(type);
	if (r.kind == IK_OTHER) {
		imp_note(im, "%s: not modelled", type);
		return;
	}
	if (r.id && !armid_is(r.id)) {
		imp_error(im, &r, "id", "\"%s\" is not an ARM resource ID", r.id);
		return;
	}
	if (r.id && imp_find(im, r.id)) {
		imp_note(im, "resources listed twice: the first kept");
		return;
	}
	struct imp_rec *slot = VEC_PUSH(im->recs, im->nrecs, im->caprecs);
	if (!slot) {
		imp_error_at(im, file, where, "out of memory");
		return;
	}
	*slot = r;
}

/* Records are indexed once all are read: the array may move while it grows. */
static void index_records(struct imp *im)
{
	for (size_t i = 0; i < im->nrecs; i++) {
		struct imp_rec *r = &im->recs[i];
		const char *key = r->id ? imp_lower(im, r->id) : NULL;
		if (key && strmap_put(im->by_id, key, r) == 0) {
			imp_error(im, r, "id", "the ID \"%s\" is listed twice in this input", r->id);
			r->kind = IK_OTHER;
		}
	}
}

static void add_list(struct imp *im, const char *file, const char *key, const cJSON *arr)
{
	size_t i = 0;
	char where[64];
	for (const cJSON *o = arr->child; o; o = o->next, i++) {
		snprintf(where, sizeof(where), "$%s%s[%zu]", key ? "." : "", key ? key : "", i);
		imp_add_record(im, file, where, o);
	}
}


/* The document's shape, its records taken. */
static void add_doc(struct imp *im, const struct imp_doc *d, enum imp_from from)
{
	const cJSON *doc = d->doc;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(doc, "value");
	if (from == FROM_TERRAFORM || (from == FROM_ANY && imp_tf_shape(doc))) {
		imp_tf_doc(im, d);
	} else if (from != FROM_GRAPH && imp_routes_shape(doc)) {
		const struct imp_doc **slot = VEC_PUSH(im->routes, im->nroutes, im->caproutes);
		if (slot)
			*slot = d;
		else
			imp_error_at(im, d->file, "$", "out of memory");
	} else if (from != FROM_GRAPH && cJSON_IsArray(doc)) {
		add_list(im, d->file, NULL, doc);
	} else if (from != FROM_AZ && cJSON_IsObject(doc) && cJSON_IsArray(data)) {
		add_list(im, d->file, "data", data);
	} else if (from != FROM_AZ && cJSON_IsObject(doc) && cJSON_IsArray(value)) {
		add_list(im, d->file, "value", value);
	} else if (from != FROM_GRAPH && cJSON_IsObject(doc) &&
		   cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "type"))) {
		imp_add_record(im, d->file, "$", doc);
	} else {
		imp_error_at(im, d->file, "$",
			     "not an input import knows%s: an az list or show object, {\"data\": "
			     "[...]} (Resource Graph), {\"value\": [...]} (ARM), learned routes, "
			     "terraform show -json",
			     from == FROM_AZ ? " with --from az" : from == FROM_GRAPH ? " with --from graph" : "");
	}
}

static int read_path(struct imp *im, const char *path, int depth);

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* A folder: its *.json files and subfolders, sorted by name. */
static int read_dir(struct imp *im, const char *path, int depth)
{
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, name_cmp);
	if (n < 0) {
		fprintf(stderr, "vnetsim import: %s: cannot read the folder\n", path);
		return CLI_EXIT_ENV;
	}
	int rc = CLI_EXIT_OK;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);
		char *sub = nm[0] == '.' ? NULL : arena_printf(im->a, "%s/%s", path, nm);
		struct stat st;
		if (rc == CLI_EXIT_OK && sub && stat(sub, &st) == 0 &&
		    (S_ISDIR(st.st_mode) || (len > 5 && strcmp(nm + len - 5, ".json") == 0)))
			rc = read_path(im, sub, depth + 1);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int read_path(struct imp *im, const char *path, int depth)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (depth > 4) {
			imp_error_at(im, path, "", "folders nested too deep (at most 4)");
			return CLI_EXIT_OK;
		}
		return read_dir(im, path, depth);
	}
	bool io = false;
	cJSON *doc = jin_parse_file(path, im->d, &io);
	if (!doc) {
		im->errors++;
		return io ? CLI_EXIT_ENV : CLI_EXIT_OK;
	}
	struct imp_doc *slot = VEC_PUSH(im->docs, im->ndocs, im->capdocs);
	if (!slot) {
		cJSON_Delete(doc);
		return CLI_EXIT_ENV;
	}
	slot->file = arena_strdup(im->a, path);
	slot->doc = doc;
	return CLI_EXIT_OK;
}

/* ---- the scenario ---------------------------------------------------------------- */

/* The description: where it came from, then the note. */
static void describe(struct imp *im, const char *name)
{
	size_t len = 200;
	for (size_t i = 0; i < im->nnotes; i++)
		len += strlen(im->notes[i].text) + 32;
	char *text = malloc(len);
	if (!text)
		return;
	size_t at = (size_t)snprintf(text, len, "Imported by vnetsim import from %zu input%s.",
				     im->ndocs, im->ndocs == 1 ? "" : "s");
	if (im->nnotes)
		at += (size_t)snprintf(text + at, len - at, " Note:");
	for (size_t i = 0; i < im->nnotes; i++) {
		at += (size_t)snprintf(text + at, len - at, " %zu x %s;", im->notes[i].count,
				       im->notes[i].text);
		if (im->note_out)
			fprintf(im->note_out, "vnetsim import: note: %zu x %s\n", im->notes[i].count,
				im->notes[i].text);
	}
	if (im->nnotes)
		text[at - 1] = '.';
	cJSON_AddNumberToObject(im->out, "schemaVersion", 1);
	cJSON_AddStringToObject(im->out, "name", name);
	cJSON_AddStringToObject(im->out, "description", text);
	free(text);
}

struct json_out {                      /* what imp_write writes */
	const cJSON *doc;
	bool compact;
};

static int write_doc(FILE *out, const void *ctx)
{
	const struct json_out *j = ctx;
	char *s = j->compact ? cJSON_PrintUnformatted(j->doc) : cJSON_Print(j->doc);
	if (!s)
		return -1;
	int rc = fputs(s, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	cJSON_free(s);
	return rc;
}

int imp_write(const char *out, const cJSON *doc, bool compact)
{
	struct json_out j = { doc, compact };
	if (strcmp(out, "-") == 0)
		return write_doc(stdout, &j) == 0 && fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ENV;
	return outfile_write(out, write_doc, &j, stderr);
}

/* The scenario's name: the output's file name without .json. */
static const char *scenario_name(struct imp *im, const char *out)
{
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	return n ? arena_printf(im->a, "%.*s", (int)n, base) : "import";
}

/* The scenario of the documents read (im->docs). */
static int build_docs(struct imp *im, enum imp_from from, const char *name)
{
	for (size_t i = 0; i < im->ndocs; i++)
		add_doc(im, &im->docs[i], from);
	index_records(im);
	im->topo = cJSON_CreateObject();
	im->events = cJSON_CreateArray();
	if (!im->topo || !im->events)
		return CLI_EXIT_ENV;
	if (im->errors == 0)
		imp_map(im);
	if (im->errors == 0)
		imp_routes(im);
	/* An empty estate (a stack with no state yet) is a scenario too. */
	if (!imp_topo_array(im, "virtualNetworks"))
		return CLI_EXIT_ENV;
	/* The scenario's keys in the order people read them. */
	im->out = cJSON_CreateObject();
	if (!im->out)
		return CLI_EXIT_ENV;
	describe(im, name);
	cJSON_AddItemToObject(im->out, "topology", im->topo);
	cJSON_AddItemToObject(im->out, "events", im->events);
	im->topo = im->events = NULL;
	return CLI_EXIT_OK;
}

static int build(struct imp *im, const char *const *inputs, size_t n, enum imp_from from,
		 const char *name)
{
	for (size_t i = 0; i < n; i++) {
		int rc = read_path(im, inputs[i], 0);
		if (rc != CLI_EXIT_OK)
			return rc;
	}
	return build_docs(im, from, name);
}

static void imp_destroy(struct imp *im)
{
	for (size_t i = 0; i < im->ndocs; i++)
		cJSON_Delete(im->docs[i].doc);
	free(im->docs);
	free(im->recs);
	free(im->notes);
	free(im->routes);
	strmap_destroy(im->by_id);
	strmap_destroy(im->subnet_ids);
	strmap_destroy(im->subnet_rt);
	strmap_destroy(im->note_idx);
	cJSON_Delete(im->out);
	cJSON_Delete(im->topo);
	cJSON_Delete(im->events);
	cJSON_Delete(im->tf_made);
	arena_destroy(im->a);
	diag_destroy(im->d);
}

static bool imp_init(struct imp *im)
{
	*im = (struct imp){ .d = diag_create(), .a = arena_create(), .by_id = strmap_create(),
			    .subnet_ids = strmap_create(), .subnet_rt = strmap_create(),
			    .note_idx = strmap_create() };
	return im->d && im->a && im->by_id && im->subnet_ids && im->subnet_rt && im->note_idx;
}

/* rc after the diagnostics are printed to err (when not NULL): 2 when any
 * error was reported. */
static int imp_finish(struct imp *im, int rc, FILE *err)
{
	if (im->d && err)
		diag_print(im->d, err);
	if (rc == CLI_EXIT_OK && im->errors > 0) {
		if (err)
			fprintf(err, "vnetsim import: %zu error%s: nothing written\n", im->errors,
				im->errors == 1 ? "" : "s");
		rc = CLI_EXIT_INVALID;
	}
	return rc;
}

int imp_text(const char *name, const char *text, size_t len, enum imp_from from, FILE *err)
{
	struct imp im;
	int rc = CLI_EXIT_ENV;
	if (imp_init(&im)) {
		im.note_out = err;
		cJSON *doc = jin_parse_text(name, text, len, im.d);
		struct imp_doc *slot = doc ? VEC_PUSH(im.docs, im.ndocs, im.capdocs) : NULL;
		if (slot) {
			slot->file = name;
			slot->doc = doc;
			rc = build_docs(&im, from, "import");
		} else if (doc) {
			cJSON_Delete(doc);
		} else {
			im.errors++;
			rc = CLI_EXIT_OK;
		}
	}
	rc = imp_finish(&im, rc, err);
	if (rc == CLI_EXIT_OK) { /* what would be written */
		char *s = cJSON_PrintUnformatted(im.out);
		rc = s ? CLI_EXIT_OK : CLI_EXIT_ENV;
		cJSON_free(s);
	}
	imp_destroy(&im);
	return rc;
}

static int run_import(const char *const *inputs, size_t n, const char *out, enum imp_from from,
		      const char *name)
{
	struct imp im;
	int rc = CLI_EXIT_ENV;
	if (imp_init(&im)) {
		im.note_out = stderr;
		rc = build(&im, inputs, n, from, name ? name : scenario_name(&im, out));
	}
	rc = imp_finish(&im, rc, stderr);
	if (rc == CLI_EXIT_OK)
		rc = imp_write(out, im.out, false);
	else if (rc == CLI_EXIT_ENV && im.errors == 0)
		fprintf(stderr, "vnetsim import: out of memory or unreadable input\n");
	imp_destroy(&im);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_args inputs = { 0 };
	const char *out = NULL, *from = NULL, *name = NULL;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_push, &inputs, "INPUT"),
		{ CLI_OPT_STRING, "output", 'o', "SCENARIO", cli_string_dest(&out), NULL,
		  "the scenario file to write ('-': standard output)", CLI_HELP_BOTH, true },
		CLI_STRING("from", 0, &from, "az|graph|terraform", "read every input as this shape"),
		CLI_STRING("name", 0, &name, "NAME", "the scenario's name (default: the file's)"),
		CLI_END,
	};
	int rc = cli_parse(&p, &IMPORT, opts, NULL, argc, argv);
	enum imp_from f = FROM_ANY;
	if (rc == CLI_PARSED && from) {
		if (strcmp(from, "az") == 0)
			f = FROM_AZ;
		else if (strcmp(from, "graph") == 0)
			f = FROM_GRAPH;
		else if (strcmp(from, "terraform") == 0)
			f = FROM_TERRAFORM;
		else
			rc = cli_usage_error(&p, "--from is az, graph or terraform, not \"%s\"", from);
	}
	if (rc == CLI_PARSED)
		rc = run_import(inputs.v, inputs.n, out, f, name);
	free(inputs.v);
	return rc;
}
