/*
 * vnetsim.c - the vnetsim program: dispatches to one subcommand per file
 * (cmd_*.c) and owns the process-level rules of RULES 4: exit codes, and
 * stdout flushed and checked at exit (a full disk or a closed pipe is an
 * environment failure, exit 3, never a silent truncation).
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sweep_out.h"

#ifndef VNETSIM_VERSION
#define VNETSIM_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command COMMANDS[] = {
	{ "run", cmd_run, "replay scenarios, check expectations, print the timeline" },
	{ "routes", cmd_routes, "effective routes of NICs and subnets (az's shape)" },
	{ "next-hop", cmd_next_hop, "next hop of a destination (Network Watcher's shape)" },
	{ "trace", cmd_trace, "follow packets hop by hop through appliances and gateways" },
	{ "reach", cmd_reach, "reachability between every subnet and every destination" },
	{ "bgp", cmd_bgp, "a Route Server's learned or advertised routes" },
	{ "diff", cmd_diff, "compare checkpoints, scenarios, or a captured az table" },
	{ "check", cmd_check, "validate scenarios and report known pitfalls" },
	{ "sweep", cmd_sweep, "what-if studies: failures, monte-carlo, capacity" },
	{ "merge", cmd_merge, "combine the sweep databases of shards" },
	{ "graph", cmd_graph, "the topology as a picture (Graphviz DOT or SVG)" },
	{ "export", cmd_export, "a scenario's topology as Resource Graph or az JSON" },
	{ "import", cmd_import, "a scenario from az, Resource Graph or ARM JSON of an estate" },
};

#define NCOMMANDS (sizeof(COMMANDS) / sizeof(COMMANDS[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: vnetsim COMMAND [ARGS...]\n"
		     "       vnetsim COMMAND --help\n"
		     "       vnetsim --version\n\n"
		     "Offline simulator of Azure effective routes.  Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
	fputs("\n" CLI_EXIT_STATUS_HELP, out);
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(COMMANDS[i].name, name) == 0)
			return &COMMANDS[i];
	return NULL;
}

int main(int argc, char **argv)
{
	/* A file-size limit (ulimit -f) must fail the write with EFBIG, which
	 * every writer reports as an environment failure (exit 3), instead of
	 * killing the process with SIGXFSZ half-way (issue 18). */
	signal(SIGXFSZ, SIG_IGN);
	/* Keep freed memory in the process: a replay and its timeline fold
	 * allocate and free arrays of megabytes at every event, and glibc's
	 * defaults give them back to the kernel (mmap above its threshold, a
	 * trimmed heap), so every event page-faults its memory in again.
	 * Those faults cost more than the work on this kind of VM (issue 15:
	 * `run` on ref-4k spent 3 of its 4 CPU seconds in them).  Freed
	 * memory is reused for the next allocations; peak RSS is unchanged. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	/* Output to a file or a pipe in writes of 64 KiB, not st_blksize
	 * (4 KiB for a pipe): a gigabyte of JSON was 250,000 write calls
	 * (issue 15).  64 KiB is a pipe's capacity on Linux; 256 KiB measured
	 * no better (a writer that blocks on a full pipe, a buffer that
	 * leaves the cache).  A terminal keeps its line buffering.  The buffer
	 * is stdout's until exit, which flushes it after main returns: static. */
	static char out_buf[64 << 10];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	if (argc < 2) {
		fprintf(stderr, "vnetsim: missing COMMAND\n");
		usage(stderr);
		return CLI_EXIT_INVALID;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("vnetsim %s\n", VNETSIM_VERSION);
		return cli_finish_output(CLI_EXIT_OK);
	}
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 ||
	    (strcmp(name, "help") == 0 && argc == 2)) {
		usage(stdout);
		return cli_finish_output(CLI_EXIT_OK);
	}
	if (strcmp(name, "help") == 0) {
		const struct command *c = find(argv[2]);
		if (!c) {
			fprintf(stderr, "vnetsim: unknown command '%s'\n", argv[2]);
			usage(stderr);
			return CLI_EXIT_INVALID;
		}
		char help[] = "--help";
		char *args[] = { argv[2], help, NULL };
		return cli_finish_output(c->fn(2, args));
	}
	const struct command *c = find(name);
	if (!c) {
		fprintf(stderr, "vnetsim: unknown command '%s'\n", name);
		usage(stderr);
		return CLI_EXIT_INVALID;
	}
	return cli_finish_output(c->fn(argc - 1, argv + 1));
}
