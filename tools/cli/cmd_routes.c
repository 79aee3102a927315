/*
 * cmd_routes.c - `vnetsim routes`: the effective routes of NICs and subnets
 * at a checkpoint (SPEC 4), in the shape of
 * `az network nic show-effective-route-table` (reference 8.2, 8.3).
 *
 * A NIC's table is its subnet's table (SPEC 1), minus the Route Server rows
 * when the NIC is beyond the Route Server's capacity (SPEC 1.8, a model
 * assumption reported on stderr).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
	"usage: vnetsim routes SCENARIO (--nic NAME | --subnet VNET/SUBNET)... [--at LABEL|TIME]\n"
	"                      [-o table|json|jsonl|csv] [--service-tags FILE]\n";

static const char DETAILS[] =
	"\nEffective routes of NICs and subnets, as `az network nic show-effective-route-table`\n"
	"shows them, computed offline from the scenario.\n"
	"\n"
	"  --nic NAME            a NIC; may repeat; '*', '?' and [...] globs match NIC names\n"
	"  --subnet VNET/SUBNET  a subnet (also one without VMs, such as GatewaySubnet); may\n"
	"                        repeat and be a glob ('hub/*')\n"
	"  --at LABEL|TIME       a checkpoint label of the scenario, 'start' or 'end' (the\n"
	"                        default), or a time ('90s', '5m', '120' seconds) at which\n"
	"                        the run records an extra checkpoint\n"
	"\n"
	"Output: with one --nic or --subnet naming one target (no glob), json is exactly az's\n"
	"{\"nextLink\": null, \"value\": [...]}; otherwise json is an object keyed by NIC name\n"
	"or subnet id, in the order the targets were resolved: command-line order, each\n"
	"glob's matches in scenario order, repeats dropped.  table has az's columns (Source,\n"
	"State, Address Prefix, Next Hop Type, Next Hop IP) under a heading per target when\n"
	"there are several; jsonl is one row per line with \"nic\" or \"subnet\" added; csv\n"
	"has a header and one line per row, the target first.\n"
	"NICs beyond the Route Server's VM capacity get no Route Server routes until it\n"
	"scales out (a model assumption, SPEC 1.8); a note on stderr names them.\n";

enum { OPT_NIC = 1, OPT_SUBNET, OPT_AT };

static const struct cli_option OPTIONS[] = {
	{ "nic", 0, true, OPT_NIC },
	{ "subnet", 0, true, OPT_SUBNET },
	{ "at", 0, true, OPT_AT },
	CLI_COMMON_OPTIONS,
	{ NULL, 0, false, 0 },
};

/* Rows of one table into a growable array; -1 out of memory. */
static int collect_rows(const struct eff_table *t, bool without_rs, struct route_row **rows,
			size_t *n, size_t *cap)
{
	struct eff_iter it = { 0 };
	struct route_row r;
	*n = 0;
	while (eff_row(t, without_rs, &it, &r)) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 64;
			struct route_row *v = realloc(*rows, c * sizeof(*v));
			if (!v)
				return -1;
			*rows = v;
			*cap = c;
		}
		(*rows)[(*n)++] = r;
	}
	return 0;
}

int cmd_routes(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	struct cli_target_spec *specs = calloc((size_t)argc, sizeof(*specs));
	size_t nspecs = 0;
	const char *file = NULL, *at = NULL, *v;
	int id, rc = CLI_EXIT_OK;
	if (!specs) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	cli_common_init(&common);
	cli_parser_init(&p, "routes", USAGE, OPTIONS, argc, argv);
	while ((id = cli_next(&p, &v)) != CLI_ARG_END) {
		int c = cli_common_option(&common, &p, id, v);
		if (id == CLI_ARG_ERROR || c < 0) {
			free(specs);
			return CLI_EXIT_INVALID;
		}
		if (c > 0)
			continue;
		if (id == OPT_NIC || id == OPT_SUBNET) {
			specs[nspecs++] = (struct cli_target_spec){ id == OPT_NIC, v };
		} else if (id == OPT_AT) {
			at = v;
		} else if (id == CLI_ARG_POSITIONAL) {
			if (file) {
				free(specs);
				return cli_usage_error(&p, "one scenario only (got '%s' and '%s')",
						       file, v);
			}
			file = v;
		}
	}
	if (common.help) {
		cli_help(USAGE, DETAILS);
		free(specs);
		return CLI_EXIT_OK;
	}
	if (!file || nspecs == 0) {
		free(specs);
		return cli_usage_error(&p, "%s",
				       !file ? "missing SCENARIO" : "give --nic or --subnet");
	}

	struct cli_session s;
	struct cli_target *targets = NULL;
	size_t ntargets = 0, cap = 0, nrows = 0, nunprog = 0;
	struct route_row *rows = NULL;
	const char **unprog = NULL;
	rc = cli_session_open(&s, file, &common, at);
	if (rc == CLI_EXIT_OK)
		rc = cli_resolve_targets(s.cp->topo, s.at.text, specs, nspecs, stderr, &targets,
					 &ntargets);
	if (rc == CLI_EXIT_OK && !(unprog = calloc(ntargets ? ntargets : 1, sizeof(*unprog))))
		rc = CLI_EXIT_ENV;
	if (rc == CLI_EXIT_OK) {
		bool keyed = nspecs > 1 || cli_is_glob(specs[0].pattern);
		struct render_out o;
		render_out_begin(&o, stdout, cli_format(&common), keyed);
		for (size_t i = 0; i < ntargets && rc == CLI_EXIT_OK; i++) {
			bool wrs;
			const struct eff_table *t = cli_target_table(s.cp, &targets[i], &wrs);
			if (!t) {
				fprintf(stderr, "vnetsim: %s has no table at %s\n", targets[i].name,
					s.at.text);
				rc = CLI_EXIT_ENV;
				break;
			}
			if (collect_rows(t, wrs, &rows, &nrows, &cap) != 0) {
				rc = CLI_EXIT_ENV;
				break;
			}
			struct render_target rt = { targets[i].nic ? "nic" : "subnet",
						    targets[i].name,
						    targets[i].s ? targets[i].s->id : NULL,
						    eff_disable_bgp(t) };
			render_out_routes(&o, &rt, rows, nrows);
			if (wrs)
				unprog[nunprog++] = targets[i].name;
		}
		if (render_out_end(&o) != 0 && rc == CLI_EXIT_OK)
			rc = CLI_EXIT_ENV;
		if (rc == CLI_EXIT_ENV)
			fprintf(stderr, "vnetsim: out of memory\n");
		cli_note_unprogrammed(unprog, nunprog, stderr);
	}
	free(unprog);
	free(rows);
	free(targets);
	cli_session_close(&s);
	free(specs);
	return rc;
}
