/*
 * cmd_merge.c - `vnetsim merge OUT.db IN.db...`: combines the sweep
 * databases of the shards of a sweep (`vnetsim sweep --shard I/N --db`)
 * into one.  Studies are matched by their key (study and scenario file
 * contents), so shards recorded on different machines merge into one
 * study; a variant present in several inputs keeps the last one's rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "sweep_out.h"
#include "sweepdb.h"

static const char USAGE[] = "usage: vnetsim merge OUT.db IN.db...\n";

static const char DETAILS[] =
	"\nCopies the sweep tables (sweep_*) of every IN.db into OUT.db (created when\n"
	"missing), in one transaction.  Exit 0, 2 when an input is not a sweep database,\n"
	"3 on I/O or database errors.\n";

static const struct cli_option OPTIONS[] = {
	{ "help", 'h', false, CLI_OPT_HELP },
	{ NULL, 0, false, 0 },
};

int cmd_merge(int argc, char **argv)
{
	struct cli_parser p;
	const char *v;
	int id;
	const char **files = calloc((size_t)argc, sizeof(*files));
	size_t n = 0;
	bool help = false;
	if (!files)
		return CLI_EXIT_ENV;
	cli_parser_init(&p, "merge", USAGE, OPTIONS, argc, argv);
	while ((id = cli_next(&p, &v)) != CLI_ARG_END) {
		if (id == CLI_ARG_ERROR) {
			free(files);
			return CLI_EXIT_INVALID;
		}
		if (id == CLI_OPT_HELP)
			help = true;
		else if (id == CLI_ARG_POSITIONAL)
			files[n++] = v;
	}
	if (help) {
		free(files);
		cli_help(USAGE, DETAILS);
		return CLI_EXIT_OK;
	}
	if (n < 2) {
		free(files);
		return cli_usage_error(&p, "need OUT.db and at least one IN.db");
	}
	for (size_t i = 1; i < n; i++)
		if (access(files[i], R_OK) != 0) {
			fprintf(stderr, "vnetsim merge: %s: cannot read it\n", files[i]);
			free(files);
			return CLI_EXIT_ENV;
		}
	int rc = sweepdb_merge(files[0], files + 1, n - 1, stderr);
	free(files);
	return rc;
}
