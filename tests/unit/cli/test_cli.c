/*
 * test_cli.c - the table-driven option parser of tools/cli/cli.h: every
 * accepted form (--name value, --name=value, -x value, -xvalue, --, "-"),
 * values applied in command-line order, each usage error with its exact
 * message, --help laid out from the table (columns, continuation lines, a
 * name longer than the column), and the common options.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command CMD = {
	"demo", "usage: vnetsim demo FILE [--at T]\n", "\nIntro.\n\n", "\nOutro.\n", 16,
};

/* What one parse saw. */
struct seen {
	const char *at, *dest;
	bool flag;
	struct cli_args args;
	struct cli_targets specs;
	int calls;
};

static int count_call(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)p;
	(void)value;
	struct seen *s = o->dest;
	s->calls++;
	return 0;
}

static int refuse(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)o;
	return cli_usage_error(p, "no %s here", value);
}

/* argv from a NULL-terminated list of literals (the parser never writes
 * to them). */
static int make_argv(char **argv, const char *const *words)
{
	int n = 0;
	argv[n++] = (char *)(uintptr_t) "demo";
	for (; *words; words++)
		argv[n++] = (char *)(uintptr_t)*words;
	argv[n] = NULL;
	return n;
}

static int parse(struct seen *s, struct cli_common *common, const char *const *words)
{
	const struct cli_option opts[] = {
		CLI_STRING("at", 0, &s->at, "T", "when"),
		CLI_STRING("destination", 'd', &s->dest, "IP", NULL),
		CLI_FLAG("flag", 'f', &s->flag, "a flag\nover two lines"),
		CLI_CALL("nic", 0, cli_opt_nic, &s->specs, "NAME", NULL),
		CLI_CALL("subnet", 0, cli_opt_subnet, &s->specs, "NAME", NULL),
		CLI_CALL("count", 'c', count_call, s, NULL, NULL),
		CLI_CALL("refuse", 0, refuse, NULL, "X", NULL),
		CLI_ARGS(cli_arg_push, &s->args, NULL),
		CLI_END,
	};
	char *argv[32];
	int argc = make_argv(argv, words);
	struct cli_parser p;
	return cli_parse(&p, &CMD, opts, common, argc, argv);
}

static void seen_fini(struct seen *s)
{
	free(s->args.v);
	free(s->specs.v);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test(cli_parse, every_form_of_a_value)
{
	struct seen s = { 0 };
	struct cli_common c;
	int rc = parse(&s, &c, WORDS("--at", "1", "-d", "10.0.0.1", "--at=2", "-f"));
	cr_assert_eq(rc, CLI_PARSED);
	cr_assert_str_eq(s.at, "2", "the last value given wins");
	cr_assert_str_eq(s.dest, "10.0.0.1");
	cr_assert(s.flag);
	seen_fini(&s);

	s = (struct seen){ 0 };
	cr_assert_eq(parse(&s, &c, WORDS("-d10.0.0.2", "--at=", "-c", "--count")), CLI_PARSED);
	cr_assert_str_eq(s.dest, "10.0.0.2");
	cr_assert_str_eq(s.at, "", "--name= gives the empty value");
	cr_assert_eq(s.calls, 2);
	seen_fini(&s);
}

Test(cli_parse, positional_arguments_interleave_and_double_dash_ends_options)
{
	struct seen s = { 0 };
	struct cli_common c;
	int rc = parse(&s, &c, WORDS("a", "--at", "1", "-", "b", "--", "--at", "-f"));
	cr_assert_eq(rc, CLI_PARSED);
	cr_assert_eq(s.args.n, 5);
	const char *want[] = { "a", "-", "b", "--at", "-f" };
	for (size_t i = 0; i < 5; i++)
		cr_assert_str_eq(s.args.v[i], want[i], "argument %zu", i);
	cr_assert_str_eq(s.at, "1");
	cr_assert_not(s.flag, "-f after -- is an argument");
	seen_fini(&s);
}

Test(cli_parse, targets_keep_command_line_order)
{
	struct seen s = { 0 };
	struct cli_common c;
	cr_assert_eq(parse(&s, &c, WORDS("--subnet", "hub/*", "--nic=vm1", "--subnet", "x")),
		     CLI_PARSED);
	cr_assert_eq(s.specs.n, 3);
	cr_assert(!s.specs.v[0].nic && strcmp(s.specs.v[0].pattern, "hub/*") == 0);
	cr_assert(s.specs.v[1].nic && strcmp(s.specs.v[1].pattern, "vm1") == 0);
	cr_assert(!s.specs.v[2].nic && strcmp(s.specs.v[2].pattern, "x") == 0);
	seen_fini(&s);
}

Test(cli_parse, common_options)
{
	struct seen s = { 0 };
	struct cli_common c;
	cr_assert_eq(parse(&s, &c, WORDS("-ocsv", "--service-tags", "tags.json")), CLI_PARSED);
	cr_assert(c.fmt_set);
	cr_assert_eq(c.fmt, RENDER_CSV);
	cr_assert_str_eq(c.service_tags, "tags.json");
	cr_assert_eq(cli_format(&c), RENDER_CSV);
	seen_fini(&s);

	s = (struct seen){ 0 };
	cr_assert_eq(parse(&s, &c, WORDS("a")), CLI_PARSED);
	cr_assert_not(c.fmt_set, "the common options start afresh at each parse");
	cr_assert_null(c.service_tags);
	seen_fini(&s);
}

#define TRY "Try 'vnetsim demo --help' for more.\n"
#define USAGE_TRY "usage: vnetsim demo FILE [--at T]\n" TRY

/* A usage error: exit 2 and exactly this message, then the usage.  Plain
 * arrays, no pointers: Criterion copies parameters into the test's process
 * (another address space). */
struct error_case {
	char words[5][16];             /* "" ends the list */
	char message[80];
};

ParameterizedTestParameters(cli_parse, usage_errors)
{
	static struct error_case cases[] = {
		{ { "--nics", "x" }, "unknown option '--nics'" },
		{ { "--nics=x" }, "unknown option '--nics'" },
		{ { "-x" }, "unknown option '-x'" },
		{ { "--flag=1" }, "option '--flag' takes no value" },
		{ { "-fx" }, "option '-f' takes no value (in '-fx')" },
		{ { "a", "-d" }, "option '-d' needs a value" },
		{ { "--help=1" }, "option '--help' takes no value" },
		{ { "-o", "xml" }, "unknown output format 'xml' (table, json, jsonl, csv)" },
		/* An action's own error, then an unknown option: only the first is
		 * told, and --help after it does not print the help. */
		{ { "--refuse", "x", "--bogus", "--help" }, "no x here" },
	};
	return cr_make_param_array(struct error_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct error_case *c, cli_parse, usage_errors, .init = cr_redirect_stderr)
{
	struct seen s = { 0 };
	struct cli_common common;
	const char *words[6] = { NULL };
	char want[256];
	for (size_t i = 0; i < 5 && c->words[i][0]; i++)
		words[i] = c->words[i];
	cr_assert_eq(parse(&s, &common, words), CLI_EXIT_INVALID, "%s", c->message);
	snprintf(want, sizeof(want), "vnetsim demo: %s\n%s", c->message, USAGE_TRY);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
	seen_fini(&s);
}

Test(cli_parse, a_required_argument_missing, .init = cr_redirect_stderr)
{
	const char *file = NULL, *at = NULL;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_STRING("at", 0, &at, "T", NULL),
		CLI_END,
	};
	char *argv[8];
	int argc = make_argv(argv, WORDS("--at", "1"));
	struct cli_parser p;
	cr_assert_eq(cli_parse(&p, &CMD, opts, NULL, argc, argv), CLI_EXIT_INVALID);
	cr_assert_str_eq(at, "1", "the options were applied before the check");
	cr_assert_stderr_eq_str("vnetsim demo: missing SCENARIO\n" USAGE_TRY);
}

Test(cli_parse, help_wins_over_a_missing_argument, .init = cr_redirect_stdout)
{
	const char *file = NULL;
	const struct cli_option opts[] = { CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"), CLI_END };
	char *argv[8];
	int argc = make_argv(argv, WORDS("-h"));
	struct cli_parser p;
	cr_assert_eq(cli_parse(&p, &CMD, opts, NULL, argc, argv), CLI_EXIT_OK);
	fflush(stdout);
	cr_assert_stdout_neq_str("", "the help was printed");
}

Test(cli_parse, one_scenario_only, .init = cr_redirect_stderr)
{
	const char *file = NULL;
	const struct cli_option opts[] = { CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"), CLI_END };
	char *argv[8];
	int argc = make_argv(argv, WORDS("a.json", "b.json"));
	struct cli_parser p;
	cr_assert_eq(cli_parse(&p, &CMD, opts, NULL, argc, argv), CLI_EXIT_INVALID);
	cr_assert_str_eq(file, "a.json");
	cr_assert_stderr_eq_str(
		"vnetsim demo: one scenario only (got 'a.json' and 'b.json')\n" USAGE_TRY);
}

Test(cli_parse, without_common_options_only_help_is_common, .init = cr_redirect_stderr)
{
	struct cli_args args = { 0 };
	const struct cli_option opts[] = { CLI_ARGS(cli_arg_push, &args, NULL), CLI_END };
	char *argv[8];
	int argc = make_argv(argv, WORDS("-o", "json"));
	struct cli_parser p;
	cr_assert_eq(cli_parse(&p, &CMD, opts, NULL, argc, argv), CLI_EXIT_INVALID);
	cr_assert_stderr_eq_str("vnetsim demo: unknown option '-o'\n" USAGE_TRY);
	free(args.v);
}

Test(cli_parse, no_positional_arguments_declared, .init = cr_redirect_stderr)
{
	const struct cli_option opts[] = { CLI_END };
	char *argv[8];
	int argc = make_argv(argv, WORDS("x"));
	struct cli_parser p;
	cr_assert_eq(cli_parse(&p, &CMD, opts, NULL, argc, argv), CLI_EXIT_INVALID);
	cr_assert_stderr_eq_str("vnetsim demo: unexpected argument 'x'\n" USAGE_TRY);
}

Test(cli_parse, usage_errors_after_the_parse_name_the_command, .init = cr_redirect_stderr)
{
	struct seen s = { 0 };
	struct cli_common c;
	const char *const *words = WORDS("a");
	const struct cli_option opts[] = { CLI_ARGS(cli_arg_push, &s.args, NULL), CLI_END };
	char *argv[8];
	int argc = make_argv(argv, words);
	struct cli_parser p;
	cr_assert_eq(cli_parse(&p, &CMD, opts, &c, argc, argv), CLI_PARSED);
	cr_assert_eq(cli_usage_error(&p, "missing %s", "B"), CLI_EXIT_INVALID);
	cr_assert_stderr_eq_str("vnetsim demo: missing B\n" USAGE_TRY);
	seen_fini(&s);
}

/* What every --help ends with (cli.c's common options). */
#define COMMON_HELP \
	"\nCommon options:\n" \
	"  -o, --output FORMAT   table, json, jsonl or csv (default: table on a terminal,\n" \
	"                        json otherwise)\n" \
	"  --service-tags FILE   Azure's public ServiceTags JSON, used when the scenario\n" \
	"                        has no serviceTags (otherwise a built-in sample,\n" \
	"                        flagged as such)\n" \
	"  -h, --help            this help\n" \
	"\nExit status: 0 success, 1 differences found or an expectation failed, 2 invalid\n" \
	"input or usage, 3 environment failure (I/O, database, memory).\n"

/* The help of the table in parse(): the command's column is 16; the
 * common options' 24. */
static const char HELP[] =
	"usage: vnetsim demo FILE [--at T]\n"
	"\nIntro.\n\n"
	"  --at T        when\n"
	"  --flag        a flag\n"
	"                over two lines\n"
	"\nOutro.\n"
	COMMON_HELP;

Test(cli_parse, help_is_laid_out_from_the_table, .init = cr_redirect_stdout)
{
	struct seen s = { 0 };
	struct cli_common c;
	cr_assert_eq(parse(&s, &c, WORDS("a", "-h", "--at", "1")), CLI_EXIT_OK);
	fflush(stdout);
	cr_assert_stdout_eq_str(HELP);
	seen_fini(&s);
}

Test(cli_help, forms_and_a_name_longer_than_the_column, .init = cr_redirect_stdout)
{
	unsigned n = 0;
	bool b = false;
	const char *v = NULL;
	const struct cli_option opts[] = {
		{ CLI_OPT_CALL, "jobs", 'j', "N", &n, count_call, "workers", CLI_HELP_SHORT, false },
		{ CLI_OPT_FLAG, "both", 'b', NULL, &b, NULL, "both names", CLI_HELP_BOTH, false },
		CLI_STRING("write-grown", 0, &v, "DIMENSION:STEPS:FILE", "grown\nscenario"),
		CLI_STRING("hidden", 0, &v, "X", NULL),
		CLI_END,
	};
	const struct cli_command cmd = { "demo", "usage: u\n", "intro\n", NULL, 16 };
	cli_help(&cmd, opts, true);
	fflush(stdout);
	cr_assert_stdout_eq_str(
		"usage: u\n"
		"intro\n"
		"  -j N          workers\n"
		"  -b, --both    both names\n"
		"  --write-grown DIMENSION:STEPS:FILE\n"
		"                grown\n"
		"                scenario\n"
		COMMON_HELP);
}

/* A command without the common options (merge) does not list them in its
 * help: only -h and the exit status follow its own options. */
Test(cli_help, without_common_options_lists_only_help, .init = cr_redirect_stdout)
{
	const struct cli_option opts[] = { CLI_END };
	const struct cli_command cmd = { "demo", "usage: u\n", "intro\n", NULL, 16 };
	cli_help(&cmd, opts, false);
	fflush(stdout);
	cr_assert_stdout_eq_str("usage: u\n"
				"intro\n"
				"\nCommon options:\n"
				"  -h, --help            this help\n"
				"\n" CLI_EXIT_STATUS_HELP);
}
