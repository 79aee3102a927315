/*
 * cli.h - what the vnetsim subcommands share: the command functions, the
 * option parser, the common options (-o, --service-tags, -h), loading and
 * running a scenario with the exit-code rules of SPEC 4, `--at` and
 * `--nic`/`--subnet` resolution.
 *
 * Exit codes: 0 success; 1 differences found or an expectation failed;
 * 2 invalid input or usage; 3 environment failure (I/O, memory).  Results go
 * to stdout, diagnostics to stderr (or to the FILE a helper is given, so
 * `run -j` can buffer each scenario's messages and print them in order).
 */
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run.h"
#include "scenario.h"
#include "render.h"

struct diag;
struct svctag_catalog;

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_DIFF = 1,        /* differences, failed expectations */
	CLI_EXIT_INVALID = 2,     /* bad input or usage */
	CLI_EXIT_ENV = 3,         /* I/O, out of memory */
};

/* The subcommands: argv[0] is the command name. */
int cmd_routes(int argc, char **argv);
int cmd_next_hop(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_bgp(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* ---- option parsing ----------------------------------------------------- */

struct cli_option {
	const char *name;              /* long name without "--"; NULL ends a table */
	char short_name;               /* 0: none */
	bool has_arg;
	int id;
};

/* Ids of the common options; a command's own ids are small positive ints. */
enum { CLI_OPT_HELP = 1000, CLI_OPT_OUTPUT, CLI_OPT_SERVICE_TAGS };

#define CLI_COMMON_OPTIONS                                                                     \
	{ "help", 'h', false, CLI_OPT_HELP }, { "output", 'o', true, CLI_OPT_OUTPUT },         \
		{ "service-tags", 0, true, CLI_OPT_SERVICE_TAGS }

enum { CLI_ARG_POSITIONAL = -1, CLI_ARG_END = -2, CLI_ARG_ERROR = -3 };

/* Accepts `--name value`, `--name=value`, `-x value`, `-xvalue`, and `--`
 * (everything after it is positional).  Options and positional arguments
 * may be interleaved. */
struct cli_parser {
	const char *cmd;               /* "routes", for messages */
	const char *usage;             /* the command's usage line(s) */
	const struct cli_option *opts;
	int argc;
	char **argv;
	int i;                         /* next argv index */
	bool only_positional;          /* after "--" */
};

void cli_parser_init(struct cli_parser *p, const char *cmd, const char *usage,
		     const struct cli_option *opts, int argc, char **argv);
/* Returns an option id (value in *value when it takes one),
 * CLI_ARG_POSITIONAL (*value is the argument), CLI_ARG_END, or
 * CLI_ARG_ERROR after printing the error and the usage. */
int cli_next(struct cli_parser *p, const char **value);
/* "vnetsim CMD: message" then the usage, on stderr; returns CLI_EXIT_INVALID. */
int cli_usage_error(const struct cli_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct cli_common {
	enum render_format fmt;
	bool fmt_set;
	const char *service_tags;      /* --service-tags FILE */
	struct svctag_catalog *tags;   /* that file loaded once for a batch, or NULL */
	bool help;
};

void cli_common_init(struct cli_common *c);
/* 1 handled, 0 not a common option, -1 bad value (reported). */
int cli_common_option(struct cli_common *c, const struct cli_parser *p, int id,
		      const char *value);
/* -o, else table on a terminal and json otherwise (SPEC 4). */
enum render_format cli_format(const struct cli_common *c);
/* Prints the command's help (usage plus details) to stdout. */
void cli_help(const char *usage, const char *details);

/* ---- loading and running ------------------------------------------------ */

/* Loads a scenario; prints its diagnostics (errors and warnings) to err and
 * clears d.  Returns CLI_EXIT_OK with *out set, or CLI_EXIT_INVALID /
 * CLI_EXIT_ENV. */
int cli_load(const char *file, const struct cli_common *c, struct diag *d, FILE *err,
	     struct scenario **out);
/* The note that service-tag prefixes are sample data, when they are
 * (checks the scenario's topology and, when given, the run's current one). */
void cli_note_sample_tags(const struct scenario *sc, const struct run *r, FILE *err);

/* --at: a checkpoint label (one of the scenario's, `start`, `end`) or a
 * time ("90s", "5m", "120") that becomes a probe checkpoint. */
struct cli_at {
	const char *text;              /* as given */
	bool probe;
	int64_t ms;                    /* probe time */
	bool stop;                     /* stop the run there (run_stop_after) */
};

/* CLI_EXIT_OK or CLI_EXIT_INVALID (reported on err). */
int cli_at_resolve(const struct scenario *sc, const char *text, struct cli_at *at, FILE *err);
/* Creates the run, adds probes for the --at values, replays.  Prints
 * diagnostics to err.  Returns an exit code; *out is set on CLI_EXIT_OK. */
int cli_run(struct scenario *sc, struct diag *d, const struct cli_at *ats, size_t nats,
	    FILE *err, struct run **out);
const struct checkpoint *cli_checkpoint(const struct run *r, const struct cli_at *at);
/* "start", "end", then the scenario's labels, comma-separated, in buf. */
const char *cli_checkpoint_labels(const struct scenario *sc, char *buf, size_t len);

/* Everything a one-scenario command (routes, next-hop, bgp, diff) needs:
 * loaded, replayed with the --at probe, and the checkpoint found. */
struct cli_session {
	struct diag *d;
	struct scenario *sc;
	struct run *r;
	struct cli_at at;
	const struct checkpoint *cp;
};

/* at_text NULL means "end".  Prints diagnostics and notes on stderr.
 * Returns an exit code; on CLI_EXIT_OK the session is open. */
int cli_session_open(struct cli_session *s, const char *file, const struct cli_common *c,
		     const char *at_text);
/* The same, but the replay stops at the --at checkpoint, so the run's state
 * (BGP speakers, topology) is the state at that moment (vnetsim bgp --at). */
int cli_session_open_stopped(struct cli_session *s, const char *file,
			     const struct cli_common *c, const char *at_text);
void cli_session_close(struct cli_session *s); /* safe on a failed open */

/* ---- --nic / --subnet ---------------------------------------------------- */

struct cli_target_spec {
	bool nic;                      /* --nic, else --subnet */
	const char *pattern;           /* a name or an fnmatch(3) glob */
};

struct cli_target {
	bool nic;
	const struct nic *n;           /* NIC targets */
	const struct subnet *s;        /* the NIC's subnet, or the subnet target */
	const char *name;              /* NIC name or subnet id */
};

bool cli_is_glob(const char *s);
/* Resolves the specs against a topology, in command-line order, each glob's
 * matches in scenario order, duplicates dropped (first one kept).  A spec
 * matching nothing is an error naming it and `where` (the checkpoint:
 * NICs come and go with events), CLI_EXIT_INVALID, reported on err. */
int cli_resolve_targets(const struct topology *t, const char *where,
			const struct cli_target_spec *specs, size_t nspecs, FILE *err,
			struct cli_target **out, size_t *nout);
/* A target's table at a checkpoint; *without_rs as checkpoint_nic_table. */
const struct eff_table *cli_target_table(const struct checkpoint *c, const struct cli_target *t,
					 bool *without_rs);
/* Prints the SPEC 1.8 model-assumption note for NIC targets without Route
 * Server routes (count and first names). */
void cli_note_unprogrammed(const char *const *nics, size_t n, FILE *err);

/* SCENARIO... arguments: a directory stands for every *.json file in it
 * and, recursively, in its subdirectories (sorted by name; a folder with
 * a scenario.json gives that file only; folders named "bad" and hidden
 * ones are skipped below the one named).  *out is a malloc'd array of malloc'd
 * paths (free with cli_paths_free).  CLI_EXIT_OK, or CLI_EXIT_ENV when a
 * directory cannot be read (reported on err). */
int cli_expand_paths(const char *const *args, size_t n, FILE *err, char ***out, size_t *nout);
void cli_paths_free(char **paths, size_t n);

/* Finishes a command: flushes stdout; CLI_EXIT_ENV when writing failed. */
int cli_finish_output(int rc);

#endif
