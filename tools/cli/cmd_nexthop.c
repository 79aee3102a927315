/*
 * cmd_nexthop.c - `vnetsim next-hop`: where a NIC or subnet sends a
 * destination address (RULES 1.7), in the shape of
 * `az network watcher show-next-hop` (RULES E8.4): nextHopType,
 * nextHopIpAddress (the lowest address of an ECMP set, null when none),
 * routeTableId (the route table's name for a User row, else "System Route").
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "prefix.h"

static const char USAGE[] =
	"usage: vnetsim next-hop SCENARIO (--nic NAME | --subnet VNET/SUBNET)... --destination IP\n"
	"                        [--at LABEL|TIME] [-o table|json|jsonl|csv]\n";

static const struct cli_command NEXT_HOP = {
	"next-hop", USAGE,
	"\nThe next hop of a destination address, as Network Watcher's next hop shows it:\n"
	"{\"nextHopType\", \"nextHopIpAddress\", \"routeTableId\"}.\n"
	"\n",
	"\n"
	"With one target (no glob) json is exactly the Network Watcher object; with several it\n"
	"is an object keyed by target.  table adds the prefix that matched.\n",
	24,
};

static int render_next_hop(struct render_out *o, const struct render_target *rt,
			   const struct eff_table *t, bool without_rs, void *ctx)
{
	const uint32_t *dst = ctx;
	struct next_hop nh = eff_next_hop(t, *dst, without_rs);
	/* Network Watcher names the table by its full ID (RULES 2.1.1) when
	 * the scenario gave one: the row's table is the subnet's. */
	if (nh.route_table && rt->rt && rt->rt->arm.id && strcmp(nh.route_table, rt->rt->name) == 0)
		nh.route_table = rt->rt->arm.id;
	render_out_next_hop(o, rt, &nh);
	return 0;
}

int cmd_next_hop(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	struct cli_targets specs = { 0 };
	const char *file = NULL, *at = NULL, *dest = NULL;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_CALL("nic", 0, cli_opt_nic, &specs, "NAME",
			 "a NIC (may repeat; globs allowed, as in `vnetsim routes`)"),
		CLI_CALL("subnet", 0, cli_opt_subnet, &specs, "VNET/SUBNET",
			 "a subnet (may repeat; globs allowed)"),
		CLI_STRING("destination", 'd', &dest, "IP", "the destination IPv4 address"),
		CLI_STRING("at", 0, &at, "LABEL|TIME",
			   "a checkpoint label, 'start', 'end' (default) or a time"),
		CLI_END,
	};
	uint32_t dst = 0;
	int rc = cli_parse(&p, &NEXT_HOP, opts, &common, argc, argv);
	if (rc == CLI_PARSED && (specs.n == 0 || !dest))
		rc = cli_usage_error(&p, "%s",
				     specs.n == 0 ? "give --nic or --subnet" : "missing --destination IP");
	if (rc == CLI_PARSED && ipv4_parse(dest, &dst) != 0)
		rc = cli_usage_error(&p, "--destination %s is not an IPv4 address", dest);
	if (rc == CLI_PARSED)
		rc = cli_render_targets(file, &common, at, &specs, render_next_hop, &dst);
	free(specs.v);
	return rc;
}
