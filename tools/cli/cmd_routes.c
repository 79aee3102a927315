/*
 * cmd_routes.c - `vnetsim routes`: the effective routes of NICs and subnets
 * at a checkpoint (RULES 4), in the shape of
 * `az network nic show-effective-route-table` (RULES E8.2, E8.3).
 *
 * A NIC's table is its subnet's table (RULES 1), minus the Route Server rows
 * when the NIC is beyond the Route Server's capacity (RULES 1.8, a model
 * assumption reported on stderr).
 */
#include "cli.h"

#include <stdlib.h>

#include "vec.h"

static const char USAGE[] =
	"usage: vnetsim routes SCENARIO (--nic NAME | --subnet VNET/SUBNET)... [--at LABEL|TIME]\n"
	"                      [-o table|json|jsonl|csv] [--service-tags FILE]\n";

static const struct cli_command ROUTES = {
	"routes", USAGE,
	"\nEffective routes of NICs and subnets, as `az network nic show-effective-route-table`\n"
	"shows them, computed offline from the scenario.\n"
	"\n",
	"\n"
	"Output: with one --nic or --subnet naming one target (no glob), json is exactly az's\n"
	"{\"nextLink\": null, \"value\": [...]}; otherwise json is an object keyed by NIC name\n"
	"or subnet id, in the order the targets were resolved: command-line order, each\n"
	"glob's matches in scenario order, repeats dropped.  table has az's columns (Source,\n"
	"State, Address Prefix, Next Hop Type, Next Hop IP) under a heading per target when\n"
	"there are several; jsonl is one row per line with \"nic\" or \"subnet\" added; csv\n"
	"has a header and one line per row, the target first.\n"
	"NICs beyond the Route Server's VM capacity get no Route Server routes until it\n"
	"scales out (a model assumption, RULES 1.8); a note on stderr names them.\n",
	24,
};

/* The rows of one table, gathered for the renderer (text tables align
 * columns over every row); reused from target to target, and kept for the
 * next target with the same table and view (the NICs of a subnet). */
struct rows {
	struct route_row *v;
	size_t n, cap;
	const struct eff_table *table; /* whose rows v holds, NULL: none */
	bool without_rs;
};

static int render_routes(struct render_out *o, const struct render_target *rt,
			 const struct eff_table *t, bool without_rs, void *ctx)
{
	struct rows *rows = ctx;
	if (rows->table != t || rows->without_rs != without_rs) {
		struct eff_iter it = { 0 };
		struct route_row r;
		rows->n = 0;
		rows->table = NULL;
		while (eff_row(t, without_rs, &it, &r)) {
			struct route_row *slot = VEC_PUSH(rows->v, rows->n, rows->cap);
			if (!slot)
				return -1;
			*slot = r;
		}
		rows->table = t;
		rows->without_rs = without_rs;
	}
	render_out_routes(o, rt, rows->v, rows->n);
	return 0;
}

int cmd_routes(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	struct cli_targets specs = { 0 };
	const char *file = NULL, *at = NULL;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_CALL("nic", 0, cli_opt_nic, &specs, "NAME",
			 "a NIC; may repeat; '*', '?' and [...] globs match NIC names"),
		CLI_CALL("subnet", 0, cli_opt_subnet, &specs, "VNET/SUBNET",
			 "a subnet (also one without VMs, such as GatewaySubnet); may\n"
			 "repeat and be a glob ('hub/*')"),
		CLI_STRING("at", 0, &at, "LABEL|TIME",
			   "a checkpoint label of the scenario, 'start' or 'end' (the\n"
			   "default), or a time ('90s', '5m', '120' seconds) at which\n"
			   "the run records an extra checkpoint"),
		CLI_END,
	};
	int rc = cli_parse(&p, &ROUTES, opts, &common, argc, argv);
	if (rc == CLI_PARSED && specs.n == 0)
		rc = cli_usage_error(&p, "give --nic or --subnet");
	if (rc == CLI_PARSED) {
		struct rows rows = { 0 };
		rc = cli_render_targets(file, &common, at, &specs, render_routes, &rows);
		free(rows.v);
	}
	free(specs.v);
	return rc;
}
