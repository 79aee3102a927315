/*
 * cli.h - what the vnetsim subcommands share: the command functions, the
 * option parser, the common options (-o, --service-tags, -h), loading and
 * running a scenario with the exit-code rules of RULES 4, `--at` and
 * `--nic`/`--subnet` resolution.
 *
 * Exit codes: 0 success; 1 differences found or an expectation failed;
 * 2 invalid input or usage; 3 environment failure (I/O, memory).  Results go
 * to stdout, diagnostics to stderr (or to the FILE a helper is given, so
 * `run -j` can buffer each scenario's messages and print them in order).
 *
 * Ownership: a cli_session owns its diagnostics, scenario and run
 * (cli_session_close frees them; a failed open has freed them already and
 * closing it again does nothing); the arrays
 * cli_resolve_targets and cli_expand_paths return are the caller's (free,
 * cli_paths_free), the names in a cli_target are the topology's.  Nothing
 * here keeps state between calls.
 * Costs: loading and replaying dominate; resolving a target name is a hash
 * lookup, a glob a scan of the topology's NICs or subnets.
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

struct cli_common;
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
int cmd_graph(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_reach(int argc, char **argv);
int cmd_import(int argc, char **argv); /* import.c */
int cmd_export(int argc, char **argv); /* export.c */

/* ---- option parsing ----------------------------------------------------- */

/* Each command declares its options once, in a table of struct cli_option:
 * the names, whether it takes a value, where the value goes and the help
 * text.  cli_parse walks argv through that table (then the common options
 * below), and --help prints the option list from the same table, so an
 * option cannot be accepted without being documented, or the reverse.
 *
 * Accepted forms: `--name value`, `--name=value`, `-x value`, `-xvalue`,
 * and `--` (everything after it is positional).  Options and positional
 * arguments interleave.  Values are applied in command-line order, so an
 * option's own check (`-j 0`) reports before a later bad one.  The parser
 * keeps no global state (not getopt_long): several can run in one process.
 *
 * Tables are usually automatic arrays in the command function, because
 * `dest` points at the command's local variables; the strings in them are
 * literals.  Nothing the parser stores is allocated by it, except what an
 * action appends to a list the command owns (struct cli_args,
 * struct cli_targets: the command frees ->v). */

/* A command as --help and usage errors show it. */
struct cli_command {
	const char *name;              /* "routes": "vnetsim routes: ..." */
	const char *usage;             /* the usage line(s), each ending in '\n' */
	const char *intro;             /* --help: the text between usage and option list */
	const char *outro;             /* --help: the text after the option list, or NULL */
	int help_column;               /* --help: the column option descriptions start at */
};

struct cli_parser;
struct cli_option;

/* An option's action: 0, or the exit code to stop with after reporting
 * (cli_usage_error for a bad value, "out of memory" for CLI_EXIT_ENV). */
typedef int cli_option_fn(struct cli_parser *p, const struct cli_option *o, const char *value);

enum cli_option_kind {
	CLI_OPT_END,                   /* ends a table */
	CLI_OPT_FLAG,                  /* *(bool *)dest = true */
	CLI_OPT_STRING,                /* *(const char **)dest = value; the last one wins */
	CLI_OPT_CALL,                  /* fn(parser, option, value) */
};

/* The names --help lists an option under. */
enum cli_help_form {
	CLI_HELP_LONG,                 /* "--jobs N" */
	CLI_HELP_BOTH,                 /* "-j, --jobs N" */
	CLI_HELP_SHORT,                /* "-j N" */
};

struct cli_option {
	enum cli_option_kind kind;
	const char *name;              /* long name without "--"; NULL: positional arguments */
	char short_name;               /* 0: none */
	const char *metavar;           /* the value as --help names it; NULL: takes no value
					  (positional: what a usage error calls them) */
	void *dest;                    /* where the value goes (see the kind), or fn's context */
	cli_option_fn *fn;             /* CLI_OPT_CALL */
	const char *help;              /* --help text, '\n' between lines; NULL: not listed */
	enum cli_help_form help_form;
	bool required;                 /* CLI_OPT_STRING: "missing --name META" while
					  *dest is NULL after the parse */
};

/* Type-checked destinations for the table macros. */
static inline void *cli_bool_dest(bool *b) { return b; }
static inline void *cli_string_dest(const char **s) { return s; }

#define CLI_FLAG(name, sh, var, help)                                                          \
	{ CLI_OPT_FLAG, (name), (sh), NULL, cli_bool_dest(var), NULL, (help), CLI_HELP_LONG, false }
#define CLI_STRING(name, sh, var, meta, help)                                                  \
	{ CLI_OPT_STRING, (name), (sh), (meta), cli_string_dest(var), NULL, (help),          \
	  CLI_HELP_LONG, false }
/* A string option the command cannot do without. */
#define CLI_REQUIRED(name, var, meta, help)                                                    \
	{ CLI_OPT_STRING, (name), 0, (meta), cli_string_dest(var), NULL, (help), CLI_HELP_LONG, \
	  true }
#define CLI_CALL(name, sh, fn, ctx, meta, help)                                                \
	{ CLI_OPT_CALL, (name), (sh), (meta), (ctx), (fn), (help), CLI_HELP_LONG, false }
/* What positional arguments do; `missing` names them in the usage error
 * when none is given ("missing SCENARIO"), NULL when they are optional. */
#define CLI_ARGS(fn, ctx, missing)                                                              \
	{ CLI_OPT_CALL, NULL, 0, (missing), (ctx), (fn), NULL, CLI_HELP_LONG, false }
#define CLI_END { CLI_OPT_END, NULL, 0, NULL, NULL, NULL, NULL, CLI_HELP_LONG, false }

/* cli_parse's "go on" (every exit code is >= 0). */
enum { CLI_PARSED = -1 };

struct cli_parser {
	const struct cli_command *cmd;
	const struct cli_option *opts; /* the command's table */
	struct cli_common *common;     /* -o, --service-tags land here; NULL: not accepted */
	int argc;
	char **argv;
	int i;                         /* next argv index */
	bool only_positional;          /* after "--" */
	size_t npositional;            /* positional arguments seen */
	bool help;                     /* -h or --help was given */
};

/* Parses argv (argv[0] is the command name) with the table opts and the
 * common options (-o and --service-tags into *common, initialised here,
 * when common is not NULL; -h/--help always), then checks that required
 * positional arguments, then required options, were given.  Returns CLI_PARSED when the command
 * should go on; otherwise the exit code to return at once: CLI_EXIT_OK
 * after printing --help, CLI_EXIT_INVALID after a usage error (message and
 * usage on stderr), or what an action returned.  *p stays
 * valid for cli_usage_error either way. */
int cli_parse(struct cli_parser *p, const struct cli_command *cmd, const struct cli_option *opts,
	      struct cli_common *common, int argc, char **argv);
/* "vnetsim CMD: message" then the usage, on stderr; returns CLI_EXIT_INVALID. */
int cli_usage_error(const struct cli_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the command's --help to stdout: usage, intro, the options of the
 * table that have help text, outro, then the common options (-o and
 * --service-tags only when common: the commands that accept them), -h and
 * the exit status. */
void cli_help(const struct cli_command *cmd, const struct cli_option *opts, bool common);

/* The exit status, one wording for every help text and the README. */
#define CLI_EXIT_STATUS_HELP                                                                      \
	"Exit status: 0 success, 1 differences found or an expectation failed, 2 invalid\n"      \
	"input or usage, 3 environment failure (I/O, database, memory).\n"

/* Positional arguments or repeated values, in command-line order. */
struct cli_args {
	const char **v;                /* owned by the command: free(v); the strings are argv's */
	size_t n, cap;
};

/* Actions shared by several commands (CLI_ARGS or CLI_CALL): */
/* ctx is a struct cli_args: every argument appended. */
int cli_arg_push(struct cli_parser *p, const struct cli_option *o, const char *value);
/* ctx is a `const char *`: one scenario, a second one is a usage error. */
int cli_arg_scenario(struct cli_parser *p, const struct cli_option *o, const char *value);

struct cli_common {
	enum render_format fmt;
	bool fmt_set;
	const char *service_tags;      /* --service-tags FILE */
	const char *ref_root;          /* --ref-root DIR (refpath.h), or NULL */
	unsigned long long max_events; /* --max-events N (budget.h), 0: default */
	struct svctag_catalog *tags;   /* that file loaded once for a batch, or NULL */
};

/* -o, else table on a terminal and json otherwise (RULES 4). */
enum render_format cli_format(const struct cli_common *c);

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
/* The same with a hook called at each checkpoint (run_set_checkpoint_hook;
 * NULL for none): `run --db` captures reachability with it. */
int cli_run_hooked(struct scenario *sc, struct diag *d, const struct cli_at *ats, size_t nats,
		   run_checkpoint_hook hook, void *ctx, FILE *err, struct run **out);
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
 * Returns an exit code; on CLI_EXIT_OK the session is open, otherwise
 * nothing of it is left allocated. */
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

/* --nic and --subnet values, in command-line order. */
struct cli_targets {
	struct cli_target_spec *v;     /* owned by the command: free(v) */
	size_t n, cap;
};

/* Actions for --nic and --subnet: ctx is a struct cli_targets. */
int cli_opt_nic(struct cli_parser *p, const struct cli_option *o, const char *value);
int cli_opt_subnet(struct cli_parser *p, const struct cli_option *o, const char *value);

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
/* What routes and next-hop print for one target: its table at the
 * checkpoint (without_rs as checkpoint_nic_table).  0, or -1 out of memory. */
typedef int cli_target_fn(struct render_out *o, const struct render_target *rt,
			  const struct eff_table *t, bool without_rs, void *ctx);
/* The body of `routes` and `next-hop`: opens the session at --at
 * (at_text, NULL: end; the replay stops there), resolves the targets there and renders each one
 * with fn into one document on stdout, then notes the NICs without Route
 * Server routes.  Returns an exit code; diagnostics on stderr. */
int cli_render_targets(const char *file, const struct cli_common *c, const char *at_text,
		       const struct cli_targets *specs, cli_target_fn *fn, void *ctx);
/* Prints the RULES 1.8 model-assumption note for NIC targets without Route
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


/* ---- trace and reach (cmd_trace.c) ------------------------------------- */

struct trace;
struct trace_env;
struct trace_hop;

/* A session replayed up to --at (cli_session_open_stopped, so the BGP
 * speakers are in that moment's state) and the trace environment over its
 * checkpoint.  --at past the scenario's last event is CLI_EXIT_INVALID. */
struct cli_trace_session {
	struct cli_session s;
	struct trace_env *env;
};
int cli_trace_open(struct cli_trace_session *ts, const char *file, const struct cli_common *c,
		   const char *at_text);
void cli_trace_close(struct cli_trace_session *ts); /* safe on a failed open */
/* After cli_parse of trace or reach: rc, or a usage error when -o is not
 * table, json or jsonl (name: the command). */
int cli_trace_format(struct cli_parser *p, const struct cli_common *c, int rc, const char *name);
/* A NIC name or a "vnet/subnet" id: 0 with *nic (NULL for a subnet) and
 * *subnet set, -1 when neither exists. */
int cli_trace_source(const struct topology *topo, const char *from, const struct nic **nic,
		     const struct subnet **subnet);
/* Where a hop's lookup was made: the NIC's name or the subnet's id. */
const char *cli_trace_place(const struct trace_hop *h);
/* A leaf's end in words ("dropped at nva1-nic: ..."), written to buf. */
const char *cli_trace_leaf_text(const struct trace_hop *h, const struct trace *t, char *buf,
				size_t len);
/* The hop indexes of the path ending at leaf, first to last, into out
 * (room for TRACE_MAX_DEPTH + 1); returns the count. */
size_t cli_trace_path(const struct trace *t, size_t leaf, size_t *out);

#endif
