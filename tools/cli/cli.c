/*
 * cli.c - helpers shared by the vnetsim subcommands.  See cli.h.
 *
 * The option parser is our own (not getopt_long) so that options and
 * arguments interleave the same way in every command, errors read the same
 * ("vnetsim routes: unknown option '--nics'"), and there is no global
 * parser state.  It is driven by each command's table (cli.h): lookup is a
 * linear scan of a dozen entries per argument, then the table's, the
 * common options' and --help's entries in that order.
 */
#include "cli.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonin.h"
#include "diag.h"
#include "strmap.h"
#include "vec.h"

/* ---- option parsing ----------------------------------------------------- */

static int opt_output(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)o;
	if (!render_format_parse(value, &p->common->fmt))
		return cli_usage_error(p, "unknown output format '%s' (table, json, jsonl, csv)",
				       value);
	p->common->fmt_set = true;
	return 0;
}

static int opt_service_tags(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)o;
	p->common->service_tags = value;
	return 0;
}

static int opt_ref_root(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)o;
	p->common->ref_root = value;
	return 0;
}

static int opt_max_events(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)o;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (errno || end == value || *end || v == 0 || value[0] == '-')
		return cli_usage_error(p, "--max-events: expected a positive whole number, got '%s'",
				       value);
	p->common->max_events = v;
	return 0;
}

static int opt_help(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)o;
	(void)value;
	p->help = true;
	return 0;
}

/* The options of commands that take a struct cli_common, then the one of
 * every command. */
static const struct cli_option COMMON_OPTIONS[] = {
	{ CLI_OPT_CALL, "output", 'o', "FORMAT", NULL, opt_output,
	  "table, json, jsonl or csv (default: table on a terminal,\njson otherwise)",
	  CLI_HELP_BOTH, false },
	CLI_CALL("service-tags", 0, opt_service_tags, NULL, "FILE",
		 "Azure's public ServiceTags JSON, used when the scenario\n"
		 "has no serviceTags (otherwise a built-in sample,\nflagged as such)"),
	CLI_CALL("ref-root", 0, opt_ref_root, NULL, "DIR",
		 "files a scenario references (an expectation's\n\"routes\") may be anywhere "
		 "under DIR (default:\nonly inside the scenario's own folder)"),
	CLI_CALL("max-events", 0, opt_max_events, NULL, "N",
		 "engine events allowed per run and per study\nvariant (default 5000000)"),
	CLI_END,
};
static const struct cli_option HELP_OPTION[] = {
	{ CLI_OPT_CALL, "help", 'h', NULL, NULL, opt_help, "this help", CLI_HELP_BOTH, false },
	CLI_END,
};
#define COMMON_HELP_COLUMN 24

int cli_usage_error(const struct cli_parser *p, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "vnetsim %s: ", p->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", p->cmd->usage);
	fprintf(stderr, "Try 'vnetsim %s --help' for more.\n", p->cmd->name);
	return CLI_EXIT_INVALID;
}

/* The tables an option is looked up in, in order. */
static size_t option_tables(const struct cli_parser *p, const struct cli_option *t[3])
{
	size_t n = 0;
	t[n++] = p->opts;
	if (p->common)
		t[n++] = COMMON_OPTIONS;
	t[n++] = HELP_OPTION;
	return n;
}

/* The option named by the long name (len bytes) or, when len is 0, by the
 * short name; NULL when none is. */
static const struct cli_option *option_find(const struct cli_parser *p, const char *name,
					    size_t len, char short_name)
{
	const struct cli_option *t[3];
	size_t nt = option_tables(p, t);
	for (size_t k = 0; k < nt; k++)
		for (const struct cli_option *o = t[k]; o->kind != CLI_OPT_END; o++) {
			if (!o->name)
				continue;
			if (len ? strlen(o->name) == len && strncmp(o->name, name, len) == 0
				: o->short_name && o->short_name == short_name)
				return o;
		}
	return NULL;
}

static const struct cli_option *positional_option(const struct cli_parser *p)
{
	for (const struct cli_option *o = p->opts; o->kind != CLI_OPT_END; o++)
		if (!o->name)
			return o;
	return NULL;
}

/* The next option or positional argument: 0 with *opt and *value set
 * (*opt NULL at the end of argv), or CLI_EXIT_INVALID after reporting. */
static int next_option(struct cli_parser *p, const struct cli_option **opt, const char **value)
{
	*opt = NULL;
	*value = NULL;
	if (p->i >= p->argc)
		return 0;
	char *a = p->argv[p->i++];
	if (p->only_positional || a[0] != '-' || a[1] == '\0') {
		/* "-" alone is an argument (conventionally stdin) */
		*value = a;
		*opt = positional_option(p);
		return *opt ? 0 : cli_usage_error(p, "unexpected argument '%s'", a);
	}
	if (strcmp(a, "--") == 0) {
		p->only_positional = true;
		return next_option(p, opt, value);
	}
	const struct cli_option *o;
	const char *inline_value = NULL;
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		if (!(o = option_find(p, name, len, 0)))
			return cli_usage_error(p, "unknown option '--%.*s'", (int)len, name);
		if (eq && !o->metavar)
			return cli_usage_error(p, "option '--%s' takes no value", o->name);
		inline_value = eq ? eq + 1 : NULL;
	} else {
		if (!(o = option_find(p, NULL, 0, a[1])))
			return cli_usage_error(p, "unknown option '-%c'", a[1]);
		if (a[2] != '\0' && !o->metavar)
			return cli_usage_error(p, "option '-%c' takes no value (in '%s')", a[1], a);
		inline_value = a[2] != '\0' ? a + 2 : NULL;
	}
	if (o->metavar) {
		if (inline_value)
			*value = inline_value;
		else if (p->i < p->argc)
			*value = p->argv[p->i++];
		else
			return cli_usage_error(p, "option '%s' needs a value", a);
	}
	*opt = o;
	return 0;
}

static int option_apply(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	switch (o->kind) {
	case CLI_OPT_FLAG:
		*(bool *)o->dest = true;
		return 0;
	case CLI_OPT_STRING:
		*(const char **)o->dest = value;
		return 0;
	case CLI_OPT_CALL:
		return o->fn(p, o, value);
	case CLI_OPT_END:
		break;
	}
	assert(!"an option of no kind");
	return CLI_EXIT_INVALID;
}

/* CLI_PARSED, or the usage error for the first thing missing: the
 * positional arguments, then the required options in table order. */
static int check_required(const struct cli_parser *p)
{
	const struct cli_option *args = positional_option(p);
	if (args && args->metavar && p->npositional == 0)
		return cli_usage_error(p, "missing %s", args->metavar);
	for (const struct cli_option *o = p->opts; o->kind != CLI_OPT_END; o++)
		if (o->required && o->kind == CLI_OPT_STRING && !*(const char **)o->dest)
			return cli_usage_error(p, "missing --%s %s", o->name, o->metavar);
	return CLI_PARSED;
}

int cli_parse(struct cli_parser *p, const struct cli_command *cmd, const struct cli_option *opts,
	      struct cli_common *common, int argc, char **argv)
{
	*p = (struct cli_parser){ .cmd = cmd, .opts = opts, .common = common, .argc = argc,
				  .argv = argv, .i = 1 };
	if (common)
		*common = (struct cli_common){ .fmt = RENDER_TABLE };
	for (;;) {
		const struct cli_option *o;
		const char *value;
		int rc = next_option(p, &o, &value);
		if (rc == 0 && !o)
			break;
		if (rc == 0 && !o->name)
			p->npositional++;
		if (rc == 0)
			rc = option_apply(p, o, value);
		if (rc != 0)
			return rc;
	}
	if (p->help) {
		cli_help(cmd, opts, common != NULL);
		return CLI_EXIT_OK;
	}
	return check_required(p);
}

/* "  -j, --jobs N" padded to the column (or alone on its line when longer),
 * then the help text, its later lines indented to the column. */
static void help_option(const struct cli_option *o, int column)
{
	int n = printf("  ");
	if (o->help_form != CLI_HELP_LONG)
		n += printf("-%c", o->short_name);
	if (o->help_form == CLI_HELP_BOTH)
		n += printf(", ");
	if (o->help_form != CLI_HELP_SHORT)
		n += printf("--%s", o->name);
	if (o->metavar)
		n += printf(" %s", o->metavar);
	if (n + 2 > column) {
		putchar('\n');
		n = 0;
	}
	printf("%*s", column - n, "");
	for (const char *s = o->help; *s; s++) {
		putchar(*s);
		if (*s == '\n')
			printf("%*s", column, "");
	}
	putchar('\n');
}

static void help_options(const struct cli_option *opts, int column)
{
	for (const struct cli_option *o = opts; o->kind != CLI_OPT_END; o++)
		if (o->name && o->help)
			help_option(o, column);
}

void cli_help(const struct cli_command *cmd, const struct cli_option *opts, bool common)
{
	fputs(cmd->usage, stdout);
	fputs(cmd->intro, stdout);
	help_options(opts, cmd->help_column);
	if (cmd->outro)
		fputs(cmd->outro, stdout);
	fputs("\nCommon options:\n", stdout);
	if (common)
		help_options(COMMON_OPTIONS, COMMON_HELP_COLUMN);
	help_options(HELP_OPTION, COMMON_HELP_COLUMN);
	fputs("\n" CLI_EXIT_STATUS_HELP, stdout);
}

int cli_arg_push(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)p;
	struct cli_args *a = o->dest;
	const char **slot = VEC_PUSH(a->v, a->n, a->cap);
	if (!slot) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	*slot = value;
	return 0;
}

int cli_arg_scenario(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	const char **file = o->dest;
	if (*file)
		return cli_usage_error(p, "one scenario only (got '%s' and '%s')", *file, value);
	*file = value;
	return 0;
}

enum render_format cli_format(const struct cli_common *c)
{
	if (c->fmt_set)
		return c->fmt;
	return isatty(STDOUT_FILENO) ? RENDER_TABLE : RENDER_JSON;
}

int cli_finish_output(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "vnetsim: error writing the output: %s\n",
			errno ? strerror(errno) : "write failed");
		return CLI_EXIT_ENV;
	}
	return rc;
}

/* ---- loading and running ------------------------------------------------ */

int cli_load(const char *file, const struct cli_common *c, struct diag *d, FILE *err,
	     struct scenario **out)
{
	struct scenario_opts opts = { .service_tags_file = c ? c->service_tags : NULL,
				      .service_tags = c ? c->tags : NULL,
				      .ref_root = c ? c->ref_root : NULL,
				      .max_events = c ? c->max_events : 0 };
	bool env = false;
	*out = scenario_load(file, &opts, d, &env);
	diag_print(d, err);
	diag_clear(d);
	if (!*out)
		return env ? CLI_EXIT_ENV : CLI_EXIT_INVALID;
	return CLI_EXIT_OK;
}

void cli_note_sample_tags(const struct scenario *sc, const struct run *r, FILE *err)
{
	const struct topology *now = r ? run_topology(r) : NULL;
	if ((sc->topo && sc->topo->sample_tags_used) || (now && now->sample_tags_used))
		fprintf(err, "%s: note: service-tag prefixes come from vnetsim's built-in sample "
			     "catalogue, not from Azure's published list (give serviceTags in the "
			     "scenario or --service-tags FILE)\n",
			sc->file);
}

static bool has_label(const struct scenario *sc, const char *label)
{
	if (strcmp(label, "start") == 0 || strcmp(label, "end") == 0)
		return true;
	for (size_t i = 0; i < sc->nevents; i++)
		if (sc->events[i].op == EV_CHECKPOINT && sc->events[i].label &&
		    strcmp(sc->events[i].label, label) == 0)
			return true;
	return false;
}

const char *cli_checkpoint_labels(const struct scenario *sc, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "start, end");
	for (size_t i = 0; i < sc->nevents && used < len; i++)
		if (sc->events[i].op == EV_CHECKPOINT && sc->events[i].label)
			used += (size_t)snprintf(buf + used, len - used, ", %s",
						 sc->events[i].label);
	return buf;
}

int cli_at_resolve(const struct scenario *sc, const char *text, struct cli_at *at, FILE *err)
{
	*at = (struct cli_at){ .text = text };
	/* A label wins over a time: a checkpoint may be called "60". */
	if (has_label(sc, text))
		return CLI_EXIT_OK;
	if (jin_parse_duration(text, &at->ms)) {
		at->probe = true;
		return CLI_EXIT_OK;
	}
	char labels[512];
	fprintf(err, "%s: --at %s: no checkpoint has this label and it is not a time (\"90s\", "
		     "\"5m\", \"120\"); labels: %s\n",
		sc->file, text, cli_checkpoint_labels(sc, labels, sizeof(labels)));
	return CLI_EXIT_INVALID;
}

int cli_run(struct scenario *sc, struct diag *d, const struct cli_at *ats, size_t nats,
	    FILE *err, struct run **out)
{
	return cli_run_hooked(sc, d, ats, nats, NULL, NULL, err, out);
}

int cli_run_hooked(struct scenario *sc, struct diag *d, const struct cli_at *ats, size_t nats,
		   run_checkpoint_hook hook, void *ctx, FILE *err, struct run **out)
{
	*out = NULL;
	struct run *r = run_create(sc, d);
	if (!r) {
		diag_print(d, err);
		diag_clear(d);
		fprintf(err, "%s: cannot create the run (out of memory)\n", sc->file);
		return CLI_EXIT_ENV;
	}
	if (hook)
		run_set_checkpoint_hook(r, hook, ctx);
	for (size_t i = 0; i < nats; i++) {
		if (ats[i].probe && run_add_probe(r, ats[i].ms, ats[i].text) != 0) {
			fprintf(err, "%s: cannot add a checkpoint at %s\n", sc->file, ats[i].text);
			run_destroy(r);
			return CLI_EXIT_ENV;
		}
		if (ats[i].stop)
			run_stop_after(r, ats[i].text);
	}
	int rc = run_execute(r);
	diag_print(d, err);
	diag_clear(d);
	if (rc != 0) {
		if (rc == 3)
			fprintf(err, "%s: the run ran out of memory\n", sc->file);
		run_destroy(r);
		return rc == 2 ? CLI_EXIT_INVALID : CLI_EXIT_ENV;
	}
	*out = r;
	return CLI_EXIT_OK;
}

const struct checkpoint *cli_checkpoint(const struct run *r, const struct cli_at *at)
{
	return run_checkpoint(r, at->text);
}

/* A time after the scenario's last event and the run's last change (its
 * timeline and BGP session events) answers with the end state: said on
 * stderr, so that --at 99h is not mistaken for a prediction (RULES 4). */
static void note_after_end(const struct cli_session *s)
{
	if (!s->at.probe)
		return;
	int64_t last = 0;
	for (size_t i = 0; i < s->sc->nevents; i++)
		if (s->sc->events[i].at_ms > last)
			last = s->sc->events[i].at_ms;
	size_t n = run_timeline_count(s->r);
	if (n && run_timeline_get(s->r, n - 1)->at_ms > last)
		last = run_timeline_get(s->r, n - 1)->at_ms;
	n = run_session_event_count(s->r);
	if (n && run_session_event_get(s->r, n - 1)->at_ms > last)
		last = run_session_event_get(s->r, n - 1)->at_ms;
	if (s->at.ms > last)
		fprintf(stderr, "%s: note: --at %s is after the scenario's last event and change (at "
				"%lld ms): the answer is the end state\n",
			s->sc->file, s->at.text, (long long)last);
}

/* On failure everything opened so far is closed again (*s zeroed), so a
 * caller closes only a session that opened. */
static int session_open_steps(struct cli_session *s, const char *file,
			      const struct cli_common *c, const char *at_text, bool stop)
{
	s->d = diag_create();
	if (!s->d) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	int rc = cli_load(file, c, s->d, stderr, &s->sc);
	if (rc != CLI_EXIT_OK)
		return rc;
	rc = cli_at_resolve(s->sc, at_text ? at_text : "end", &s->at, stderr);
	if (rc != CLI_EXIT_OK)
		return rc;
	s->at.stop = stop && strcmp(s->at.text, "end") != 0;
	rc = cli_run(s->sc, s->d, &s->at, 1, stderr, &s->r);
	if (rc != CLI_EXIT_OK)
		return rc;
	cli_note_sample_tags(s->sc, s->r, stderr);
	note_after_end(s);
	s->cp = cli_checkpoint(s->r, &s->at);
	if (!s->cp) {
		/* A label of an event the run never reached (it stopped early). */
		fprintf(stderr, "%s: checkpoint \"%s\" was not recorded by the run\n", file,
			s->at.text);
		return CLI_EXIT_INVALID;
	}
	return CLI_EXIT_OK;
}

static int session_open(struct cli_session *s, const char *file, const struct cli_common *c,
			const char *at_text, bool stop)
{
	*s = (struct cli_session){ 0 };
	int rc = session_open_steps(s, file, c, at_text, stop);
	if (rc != CLI_EXIT_OK)
		cli_session_close(s);
	return rc;
}

int cli_session_open(struct cli_session *s, const char *file, const struct cli_common *c,
		     const char *at_text)
{
	return session_open(s, file, c, at_text, false);
}

int cli_session_open_stopped(struct cli_session *s, const char *file,
			     const struct cli_common *c, const char *at_text)
{
	return session_open(s, file, c, at_text, true);
}

void cli_session_close(struct cli_session *s)
{
	run_destroy(s->r);
	scenario_destroy(s->sc);
	diag_destroy(s->d);
	*s = (struct cli_session){ 0 };
}

/* ---- --nic / --subnet ---------------------------------------------------- */

static int add_spec(struct cli_targets *t, bool nic, const char *pattern)
{
	struct cli_target_spec *sp = VEC_PUSH(t->v, t->n, t->cap);
	if (!sp) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	*sp = (struct cli_target_spec){ nic, pattern };
	return 0;
}

int cli_opt_nic(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)p;
	return add_spec(o->dest, true, value);
}

int cli_opt_subnet(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	(void)p;
	return add_spec(o->dest, false, value);
}

bool cli_is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

struct resolver {
	struct strmap *seen_nic, *seen_subnet;
	struct cli_target *v;
	size_t n, cap;
};

/* 1 added, 0 duplicate, -1 out of memory. */
static int add_target(struct resolver *rs, const struct cli_target *t)
{
	int put = strmap_put(t->nic ? rs->seen_nic : rs->seen_subnet, t->name, (void *)rs);
	if (put <= 0)
		return put;
	struct cli_target *slot = VEC_PUSH(rs->v, rs->n, rs->cap);
	if (!slot)
		return -1;
	*slot = *t;
	return 1;
}

/* Number matched, or -1 out of memory.  A name without glob characters
 * is a hash lookup; a glob scans in scenario order. */
static long resolve_one(struct resolver *rs, const struct topology *t,
			const struct cli_target_spec *sp)
{
	long matched = 0;
	if (!cli_is_glob(sp->pattern)) {
		struct cli_target tg = { .nic = sp->nic, .name = sp->pattern };
		if (sp->nic && (tg.n = topology_nic(t, sp->pattern)) != NULL)
			tg.s = tg.n->subnet;
		else if (!sp->nic)
			tg.s = topology_subnet(t, sp->pattern);
		if (sp->nic ? !tg.n : !tg.s)
			return 0;
		tg.name = sp->nic ? tg.n->name : tg.s->id;
		return add_target(rs, &tg) < 0 ? -1 : 1;
	}
	if (sp->nic) {
		for (size_t i = 0; i < t->nnics; i++) {
			const struct nic *n = &t->nics[i];
			if (fnmatch(sp->pattern, n->name, 0) != 0)
				continue;
			struct cli_target tg = {
				.nic = true, .n = n, .s = n->subnet, .name = n->name
			};
			if (add_target(rs, &tg) < 0)
				return -1;
			matched++;
		}
	} else {
		for (size_t i = 0; i < t->nsubnets; i++) {
			const struct subnet *s = t->subnets[i];
			if (fnmatch(sp->pattern, s->id, 0) != 0)
				continue;
			struct cli_target tg = { .nic = false, .s = s, .name = s->id };
			if (add_target(rs, &tg) < 0)
				return -1;
			matched++;
		}
	}
	return matched;
}

int cli_resolve_targets(const struct topology *t, const char *where,
			const struct cli_target_spec *specs, size_t nspecs, FILE *err,
			struct cli_target **out, size_t *nout)
{
	struct resolver rs = { .seen_nic = strmap_create(), .seen_subnet = strmap_create() };
	int rc = CLI_EXIT_OK;
	*out = NULL;
	*nout = 0;
	if (!rs.seen_nic || !rs.seen_subnet)
		rc = CLI_EXIT_ENV;
	for (size_t i = 0; rc == CLI_EXIT_OK && i < nspecs; i++) {
		long m = resolve_one(&rs, t, &specs[i]);
		if (m < 0) {
			rc = CLI_EXIT_ENV;
		} else if (m == 0 && topology_ambiguous(t, specs[i].nic ? ARM_NIC : ARM_SUBNET,
							specs[i].pattern)) {
			fprintf(err, "vnetsim: --%s %s: ambiguous, several resource groups have one "
				     "(%s): give the full ID\n",
				specs[i].nic ? "nic" : "subnet", specs[i].pattern,
				topology_ambiguous(t, specs[i].nic ? ARM_NIC : ARM_SUBNET,
						   specs[i].pattern));
			rc = CLI_EXIT_INVALID;
		} else if (m == 0) {
			/* Echoed escaped (diag_escape): a pattern may come from a
			 * script fed with untrusted names. */
			char *pat = diag_escape_dup(specs[i].pattern);
			fprintf(err, "vnetsim: --%s %s: no %s %s at %s\n",
				specs[i].nic ? "nic" : "subnet", pat ? pat : "(pattern)",
				specs[i].nic ? "NIC" : "subnet (\"vnet/subnet\")",
				cli_is_glob(specs[i].pattern) ? "matches this" : "has this name",
				where);
			free(pat);
			rc = CLI_EXIT_INVALID;
		}
	}
	strmap_destroy(rs.seen_nic);
	strmap_destroy(rs.seen_subnet);
	if (rc != CLI_EXIT_OK) {
		if (rc == CLI_EXIT_ENV)
			fprintf(err, "vnetsim: out of memory\n");
		free(rs.v);
		return rc;
	}
	*out = rs.v;
	*nout = rs.n;
	return CLI_EXIT_OK;
}

const struct eff_table *cli_target_table(const struct checkpoint *c, const struct cli_target *t,
					 bool *without_rs)
{
	*without_rs = false;
	if (t->nic)
		return checkpoint_nic_table(c, t->name, without_rs);
	return checkpoint_subnet_table(c, t->name);
}

/* The targets rendered one by one; names of those without Route Server
 * routes collected in unprog (room for every target). */
static int render_each(const struct cli_session *s, const struct cli_target *targets, size_t n,
		       struct render_out *o, cli_target_fn *fn, void *ctx, const char **unprog,
		       size_t *nunprog)
{
	for (size_t i = 0; i < n; i++) {
		bool wrs;
		const struct eff_table *t = cli_target_table(s->cp, &targets[i], &wrs);
		if (!t) {
			fprintf(stderr, "vnetsim: %s has no table at %s\n", targets[i].name,
				s->at.text);
			return CLI_EXIT_ENV;
		}
		struct render_target rt = { targets[i].nic ? "nic" : "subnet", targets[i].name,
					    targets[i].s ? targets[i].s->id : NULL,
					    eff_disable_bgp(t),
					    targets[i].s ? targets[i].s->rt : NULL, t, wrs };
		if (fn(o, &rt, t, wrs, ctx) != 0) {
			fprintf(stderr, "vnetsim: out of memory\n");
			return CLI_EXIT_ENV;
		}
		if (wrs)
			unprog[(*nunprog)++] = targets[i].name;
	}
	return CLI_EXIT_OK;
}

int cli_render_targets(const char *file, const struct cli_common *c, const char *at_text,
		       const struct cli_targets *specs, cli_target_fn *fn, void *ctx)
{
	struct cli_session s;
	struct cli_target *targets = NULL;
	size_t ntargets = 0, nunprog = 0;
	const char **unprog = NULL;
	/* The replay stops at the checkpoint: nothing after it is printed. */
	int rc = cli_session_open_stopped(&s, file, c, at_text);
	if (rc == CLI_EXIT_OK)
		rc = cli_resolve_targets(s.cp->topo, s.at.text, specs->v, specs->n, stderr,
					 &targets, &ntargets);
	if (rc == CLI_EXIT_OK && !(unprog = calloc(ntargets ? ntargets : 1, sizeof(*unprog))))
		rc = CLI_EXIT_ENV;
	if (rc == CLI_EXIT_OK) {
		bool keyed = specs->n > 1 || cli_is_glob(specs->v[0].pattern);
		struct render_out o;
		render_out_begin(&o, stdout, cli_format(c), keyed);
		rc = render_each(&s, targets, ntargets, &o, fn, ctx, unprog, &nunprog);
		if (render_out_end(&o) != 0 && rc == CLI_EXIT_OK) {
			fprintf(stderr, "vnetsim: out of memory\n");
			rc = CLI_EXIT_ENV;
		}
		cli_note_unprogrammed(unprog, nunprog, stderr);
	}
	free(unprog);
	free(targets);
	cli_session_close(&s);
	return rc;
}

void cli_note_unprogrammed(const char *const *nics, size_t n, FILE *err)
{
	if (n == 0)
		return;
	fprintf(err, "note: %zu NIC%s beyond the Route Server's VM capacity show%s no Route Server "
		     "routes until it scales out (",
		n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	for (size_t i = 0; i < n && i < 5; i++)
		fprintf(err, "%s%s", i ? ", " : "", nics[i]);
	fprintf(err, "%s); this is a model assumption (RULES 1.8), not documented Azure behaviour\n",
		n > 5 ? ", ..." : "");
}

/* ---- SCENARIO... --------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct paths {
	char **v;
	size_t n, cap;
};

static int paths_add(struct paths *p, char *s)
{
	if (!s)
		return -1;
	char **slot = VEC_PUSH(p->v, p->n, p->cap);
	if (!slot) {
		free(s);
		return -1;
	}
	*slot = s;
	return 0;
}

static char *str_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static bool ends_with_json(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static char *join(const char *dir, const char *name)
{
	size_t need = strlen(dir) + strlen(name) + 2;
	char *path = malloc(need);
	if (path) {
		bool slash = dir[0] && dir[strlen(dir) - 1] == '/';
		snprintf(path, need, "%s%s%s", dir, slash ? "" : "/", name);
	}
	return path;
}

#define DIR_DEPTH_MAX 16

/* The scenarios of a directory, appended to p: its *.json files (sorted),
 * then those of its subdirectories (sorted, recursively).  A directory
 * holding scenario.json is a conformance case: that file only (checks.json
 * and expected/ are its data).  Below the directory named on the command
 * line, hidden directories, symbolic links to directories and directories
 * named "bad" (the malformed-input corpus) or "studies" (sweep study files,
 * not scenarios) are skipped. */
static int add_dir(struct paths *p, const char *dir, int depth, FILE *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(err, "vnetsim: cannot read directory %s: %s\n", dir, strerror(errno));
		return CLI_EXIT_ENV;
	}
	size_t first = p->n;
	struct paths sub = { 0 };
	bool is_case = false;
	struct dirent *e;
	int rc = CLI_EXIT_OK;
	while (rc == CLI_EXIT_OK && (errno = 0, e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *path = join(dir, e->d_name);
		struct stat st;
		if (!path) {
			rc = CLI_EXIT_ENV;
		} else if (ends_with_json(e->d_name)) {
			is_case |= strcmp(e->d_name, "scenario.json") == 0;
			rc = paths_add(p, path) != 0 ? CLI_EXIT_ENV : CLI_EXIT_OK;
		} else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
			   strcmp(e->d_name, "bad") != 0 && strcmp(e->d_name, "studies") != 0 &&
			   depth < DIR_DEPTH_MAX) {
			rc = paths_add(&sub, path) != 0 ? CLI_EXIT_ENV : CLI_EXIT_OK;
		} else {
			free(path);
		}
		if (rc != CLI_EXIT_OK)
			fprintf(err, "vnetsim: out of memory\n");
	}
	if (rc == CLI_EXIT_OK && errno != 0) {
		fprintf(err, "vnetsim: cannot read directory %s: %s\n", dir, strerror(errno));
		rc = CLI_EXIT_ENV;
	}
	closedir(d);
	if (rc == CLI_EXIT_OK && is_case) {
		/* Keep scenario.json only. */
		size_t k = first;
		for (size_t i = first; i < p->n; i++) {
			const char *base = strrchr(p->v[i], '/');
			if (strcmp(base ? base + 1 : p->v[i], "scenario.json") == 0)
				p->v[k++] = p->v[i];
			else
				free(p->v[i]);
		}
		p->n = k;
	}
	if (p->n > first)
		qsort(p->v + first, p->n - first, sizeof(char *), str_cmp);
	if (sub.n)
		qsort(sub.v, sub.n, sizeof(char *), str_cmp);
	for (size_t i = 0; i < sub.n && rc == CLI_EXIT_OK && !is_case; i++)
		rc = add_dir(p, sub.v[i], depth + 1, err);
	cli_paths_free(sub.v, sub.n);
	if (rc == CLI_EXIT_OK && depth == 0 && p->n == first)
		fprintf(err, "vnetsim: warning: directory %s holds no scenario (*.json)\n", dir);
	return rc;
}

int cli_expand_paths(const char *const *args, size_t n, FILE *err, char ***out, size_t *nout)
{
	struct paths p = { 0 };
	int rc = CLI_EXIT_OK;
	for (size_t i = 0; i < n && rc == CLI_EXIT_OK; i++) {
		struct stat st;
		if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = add_dir(&p, args[i], 0, err);
		} else if (paths_add(&p, str_dup(args[i])) != 0) {
			fprintf(err, "vnetsim: out of memory\n");
			rc = CLI_EXIT_ENV;
		}
	}
	if (rc != CLI_EXIT_OK) {
		cli_paths_free(p.v, p.n);
		return rc;
	}
	*out = p.v;
	*nout = p.n;
	return CLI_EXIT_OK;
}

void cli_paths_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
