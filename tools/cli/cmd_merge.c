/*
 * cmd_merge.c - `vnetsim merge OUT.db IN.db...`: combines the sweep
 * databases of the shards of a sweep (`vnetsim sweep --shard I/N --db`)
 * into one.  Studies are matched by their key (study and scenario file
 * contents), so shards recorded on different machines merge into one
 * study; a variant present in several inputs keeps the last one's rows.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "sweep_out.h"
#include "sweepdb.h"

static const char USAGE[] = "usage: vnetsim merge OUT.db IN.db...\n";

static const struct cli_command MERGE = {
	"merge", USAGE,
	"\nCopies the sweep tables (sweep_*) of every IN.db into OUT.db (created when\n"
	"missing), in one transaction, after checking every input: a bad input leaves\n"
	"OUT.db as it was.  Exit 0; 2 when an input is missing or not a sweep database;\n"
	"3 on an environment failure (I/O, database, memory), or when OUT.db is an\n"
	"SQLite file vnetsim did not write.\n",
	NULL, 24,
};

int cmd_merge(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_args files = { 0 };
	const struct cli_option opts[] = { CLI_ARGS(cli_arg_push, &files, NULL), CLI_END };
	int rc = cli_parse(&p, &MERGE, opts, NULL, argc, argv);
	if (rc == CLI_PARSED && files.n < 2)
		rc = cli_usage_error(&p, "need OUT.db and at least one IN.db");
	if (rc == CLI_PARSED)
		rc = sweepdb_merge(files.v[0], (const char *const *)files.v + 1, files.n - 1, stderr);
	free(files.v);
	return rc;
}
