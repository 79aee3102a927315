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

static const struct cli_command MERGE = {
	"merge", USAGE,
	"\nCopies the sweep tables (sweep_*) of every IN.db into OUT.db (created when\n"
	"missing), in one transaction.  Exit 0, 2 when an input is not a sweep database,\n"
	"3 on an environment failure (I/O, database, memory).\n",
	NULL, 24,
};

/* Every input readable, then merged. */
static int merge_files(const char *const *files, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (access(files[i], R_OK) != 0) {
			fprintf(stderr, "vnetsim merge: %s: cannot read it\n", files[i]);
			return CLI_EXIT_ENV;
		}
	return sweepdb_merge(files[0], files + 1, n - 1, stderr);
}

int cmd_merge(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_args files = { 0 };
	const struct cli_option opts[] = { CLI_ARGS(cli_arg_push, &files, NULL), CLI_END };
	int rc = cli_parse(&p, &MERGE, opts, NULL, argc, argv);
	if (rc == CLI_PARSED && files.n < 2)
		rc = cli_usage_error(&p, "need OUT.db and at least one IN.db");
	if (rc == CLI_PARSED)
		rc = merge_files(files.v, files.n);
	free(files.v);
	return rc;
}
