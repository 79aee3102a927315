/*
 * cmd_check.c - `vnetsim check`: validate scenarios without running them
 * (RULES 4, 5): the loader's schema, reference and limit diagnostics, its
 * validation of every event at its time (models/replay/validate.h, RULES
 * 2.2), then the pitfalls Azure does not stop (models/replay/pitfalls.h) as
 * warnings.
 *
 * Diagnostics always go to stderr, one per line, with a summary
 * "N errors, M warnings"; `-o json|jsonl|csv` also prints them on stdout
 * as data ({"severity", "file", "path", "message"}).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "pitfalls.h"
#include "diag.h"

static const char USAGE[] = "usage: vnetsim check SCENARIO... [-o table|json|jsonl|csv] "
			    "[--strict] [--service-tags FILE]\n";

static const struct cli_command CHECK = {
	"check", USAGE,
	"\nValidates scenarios without simulating: schema, references, Azure limits, and\n"
	"every event against the topology the earlier events leave (RULES 2.2: the edits\n"
	"are replayed in time order, no route is computed; a file check accepts is never\n"
	"refused by run), then known pitfalls (RULES 5) reported as warnings: a peerDown\n"
	"of a peer already down, disabled propagation or a 0.0.0.0/0 route on GatewaySubnet,\n"
	"appliance next hops no forwarding NIC holds or that are out of reach, one-sided\n"
	"peerings, VM counts above Route Server capacity, routes per\n"
	"table, BGP peers, prefixes per BGP session and per Route Server near or above their\n"
	"limits, NVAs advertising to one Route Server instance, an NVA's subnet receiving its\n"
	"own default route.  A directory stands for every *.json file in it.\n"
	"\n"
	"Diagnostics go to stderr with a count; -o json prints them on stdout as\n"
	"[{\"severity\", \"file\", \"path\", \"message\"}] (jsonl: one per line; csv: a\n"
	"header and one line each; table: nothing on stdout).  Exit 2 when any scenario has\n"
	"an error; else 1 with --strict when there is any warning (a CI job that must\n"
	"fail on a pitfall), else 0.\n",
	NULL, 24,
};

static void emit(struct jsonw *w, enum render_format fmt, const struct diag *d)
{
	for (size_t i = 0; i < diag_stored(d); i++) {
		const struct diag_entry *e = diag_get(d, i);
		const char *sev = diag_severity_name(e->severity);
		if (fmt == RENDER_CSV) {
			const char *cells[4] = { sev, e->file, e->path, e->message };
			render_csv_line(w->out, cells, 4);
			continue;
		}
		if (fmt == RENDER_JSONL)
			jsonw_init(w, w->out, false, 0);
		jsonw_object_begin(w);
		jsonw_key(w, "severity");
		jsonw_string(w, sev);
		jsonw_key(w, "file");
		jsonw_string(w, e->file);
		jsonw_key(w, "path");
		jsonw_string(w, e->path);
		jsonw_key(w, "message");
		jsonw_string(w, e->message);
		jsonw_object_end(w);
		if (fmt == RENDER_JSONL)
			fputc('\n', w->out);
	}
}

/* Checks every scenario the arguments name, printing the diagnostics;
 * the exit code of the batch. */
static int check_paths(const char *const *args, size_t nargs, const struct cli_common *common,
		       bool strict)
{
	char **files = NULL;
	size_t nfiles = 0;
	int rc = cli_expand_paths(args, nargs, stderr, &files, &nfiles);
	if (rc != CLI_EXIT_OK)
		return rc;
	enum render_format fmt = cli_format(common);
	struct jsonw w;
	jsonw_init(&w, stdout, fmt == RENDER_JSON, 0);
	if (fmt == RENDER_JSON)
		jsonw_array_begin(&w);
	if (fmt == RENDER_CSV) {
		static const char *const hdr[4] = { "severity", "file", "path", "message" };
		render_csv_line(stdout, hdr, 4);
	}
	size_t errors = 0, warnings = 0;
	bool env = false;
	for (size_t i = 0; i < nfiles; i++) {
		struct diag *d = diag_create();
		if (!d) {
			env = true;
			break;
		}
		bool env_error = false;
		struct scenario_opts opts = { .service_tags_file = common->service_tags,
					      .ref_root = common->ref_root,
					      .max_events = common->max_events };
		struct scenario *sc = scenario_load(files[i], &opts, d, &env_error);
		if (sc && pitfalls_check(sc, d) == (size_t)-1)
			env_error = true;
		diag_print(d, stderr);
		if (sc)
			cli_note_sample_tags(sc, NULL, stderr);
		errors += diag_count(d, DIAG_ERROR);
		warnings += diag_count(d, DIAG_WARNING);
		if (fmt != RENDER_TABLE)
			emit(&w, fmt, d);
		env = env || env_error;
		scenario_destroy(sc);
		diag_destroy(d);
	}
	if (fmt == RENDER_JSON) {
		jsonw_array_end(&w);
		fputc('\n', stdout);
	}
	fprintf(stderr, "%zu error%s, %zu warning%s\n", errors, errors == 1 ? "" : "s", warnings,
		warnings == 1 ? "" : "s");
	cli_paths_free(files, nfiles);
	if (env) {
		fprintf(stderr, "vnetsim check: environment failure (I/O, database, memory), see above\n");
		return CLI_EXIT_ENV;
	}
	if (errors)
		return CLI_EXIT_INVALID;
	if (strict && warnings) {
		fprintf(stderr, "vnetsim check: --strict: %zu warning%s fail%s the check\n", warnings,
			warnings == 1 ? "" : "s", warnings == 1 ? "s" : "");
		return CLI_EXIT_DIFF;
	}
	return CLI_EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	struct cli_args args = { 0 };
	bool strict = false;
	const struct cli_option opts[] = {
		CLI_FLAG("strict", 0, &strict, "warnings fail the check (exit 1)"),
		CLI_ARGS(cli_arg_push, &args, "SCENARIO"),
		CLI_END,
	};
	int rc = cli_parse(&p, &CHECK, opts, &common, argc, argv);
	if (rc == CLI_PARSED)
		rc = check_paths(args.v, args.n, &common, strict);
	free(args.v);
	return rc;
}
