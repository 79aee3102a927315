/*
 * cmd_nexthop.c - `vnetsim next-hop`: where a NIC or subnet sends a
 * destination address (SPEC 1.7), in the shape of
 * `az network watcher show-next-hop` (reference 8.4): nextHopType,
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

static const char DETAILS[] =
	"\nThe next hop of a destination address, as Network Watcher's next hop shows it:\n"
	"{\"nextHopType\", \"nextHopIpAddress\", \"routeTableId\"}.\n"
	"\n"
	"  --nic NAME            a NIC (may repeat; globs allowed, as in `vnetsim routes`)\n"
	"  --subnet VNET/SUBNET  a subnet (may repeat; globs allowed)\n"
	"  --destination IP      the destination IPv4 address\n"
	"  --at LABEL|TIME       a checkpoint label, 'start', 'end' (default) or a time\n"
	"\n"
	"With one target (no glob) json is exactly the Network Watcher object; with several it\n"
	"is an object keyed by target.  table adds the prefix that matched.\n";

enum { OPT_NIC = 1, OPT_SUBNET, OPT_AT, OPT_DEST };

static const struct cli_option OPTIONS[] = {
	{ "nic", 0, true, OPT_NIC },
	{ "subnet", 0, true, OPT_SUBNET },
	{ "at", 0, true, OPT_AT },
	{ "destination", 'd', true, OPT_DEST },
	CLI_COMMON_OPTIONS,
	{ NULL, 0, false, 0 },
};

int cmd_next_hop(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	struct cli_target_spec *specs = calloc((size_t)argc, sizeof(*specs));
	size_t nspecs = 0;
	const char *file = NULL, *at = NULL, *dest = NULL, *v;
	int id, rc = CLI_EXIT_OK;
	if (!specs) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	cli_common_init(&common);
	cli_parser_init(&p, "next-hop", USAGE, OPTIONS, argc, argv);
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
		} else if (id == OPT_DEST) {
			dest = v;
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
	uint32_t dst = 0;
	if (!file || nspecs == 0 || !dest) {
		free(specs);
		return cli_usage_error(&p, "%s",
				       !file ? "missing SCENARIO"
				       : nspecs == 0 ? "give --nic or --subnet"
						     : "missing --destination IP");
	}
	if (ipv4_parse(dest, &dst) != 0) {
		free(specs);
		return cli_usage_error(&p, "--destination %s is not an IPv4 address", dest);
	}

	struct cli_session s;
	struct cli_target *targets = NULL;
	size_t ntargets = 0, nunprog = 0;
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
		for (size_t i = 0; i < ntargets; i++) {
			bool wrs;
			const struct eff_table *t = cli_target_table(s.cp, &targets[i], &wrs);
			if (!t) {
				fprintf(stderr, "vnetsim: %s has no table at %s\n", targets[i].name,
					s.at.text);
				rc = CLI_EXIT_ENV;
				break;
			}
			struct next_hop nh = eff_next_hop(t, dst, wrs);
			struct render_target rt = { targets[i].nic ? "nic" : "subnet",
						    targets[i].name,
						    targets[i].s ? targets[i].s->id : NULL,
						    eff_disable_bgp(t) };
			render_out_next_hop(&o, &rt, &nh);
			if (wrs)
				unprog[nunprog++] = targets[i].name;
		}
		if (render_out_end(&o) != 0 && rc == CLI_EXIT_OK) {
			fprintf(stderr, "vnetsim: out of memory\n");
			rc = CLI_EXIT_ENV;
		}
		cli_note_unprogrammed(unprog, nunprog, stderr);
	}
	free(unprog);
	free(targets);
	cli_session_close(&s);
	free(specs);
	return rc;
}
