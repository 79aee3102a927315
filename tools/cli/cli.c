/*
 * cli.c - helpers shared by the vnetsim subcommands.  See cli.h.
 *
 * The option parser is our own (not getopt_long) so that options and
 * arguments interleave the same way in every command, errors read the same
 * ("vnetsim routes: unknown option '--nics'"), and there is no global
 * parser state.
 */
#include "cli.h"

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

/* ---- option parsing ----------------------------------------------------- */

void cli_parser_init(struct cli_parser *p, const char *cmd, const char *usage,
		     const struct cli_option *opts, int argc, char **argv)
{
	*p = (struct cli_parser){ .cmd = cmd, .usage = usage, .opts = opts, .argc = argc,
				  .argv = argv, .i = 1 };
}

int cli_usage_error(const struct cli_parser *p, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "vnetsim %s: ", p->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", p->usage);
	fprintf(stderr, "Try 'vnetsim %s --help' for more.\n", p->cmd);
	return CLI_EXIT_INVALID;
}

int cli_next(struct cli_parser *p, const char **value)
{
	*value = NULL;
	if (p->i >= p->argc)
		return CLI_ARG_END;
	char *a = p->argv[p->i++];
	if (p->only_positional || a[0] != '-' || a[1] == '\0') {
		*value = a; /* "-" alone is an argument (conventionally stdin) */
		return CLI_ARG_POSITIONAL;
	}
	if (strcmp(a, "--") == 0) {
		p->only_positional = true;
		return cli_next(p, value);
	}
	const struct cli_option *o = NULL;
	const char *inline_value = NULL;
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		for (const struct cli_option *it = p->opts; it->name; it++)
			if (strlen(it->name) == len && strncmp(it->name, name, len) == 0)
				o = it;
		if (!o) {
			cli_usage_error(p, "unknown option '--%.*s'", (int)len, name);
			return CLI_ARG_ERROR;
		}
		if (eq) {
			if (!o->has_arg) {
				cli_usage_error(p, "option '--%s' takes no value", o->name);
				return CLI_ARG_ERROR;
			}
			inline_value = eq + 1;
		}
	} else {
		for (const struct cli_option *it = p->opts; it->name; it++)
			if (it->short_name && it->short_name == a[1])
				o = it;
		if (!o) {
			cli_usage_error(p, "unknown option '-%c'", a[1]);
			return CLI_ARG_ERROR;
		}
		if (a[2] != '\0') {
			if (!o->has_arg) {
				cli_usage_error(p, "option '-%c' takes no value (in '%s')", a[1],
						a);
				return CLI_ARG_ERROR;
			}
			inline_value = a + 2;
		}
	}
	if (o->has_arg) {
		if (inline_value) {
			*value = inline_value;
		} else if (p->i < p->argc) {
			*value = p->argv[p->i++];
		} else {
			cli_usage_error(p, "option '%s' needs a value", a);
			return CLI_ARG_ERROR;
		}
	}
	return o->id;
}

void cli_common_init(struct cli_common *c)
{
	*c = (struct cli_common){ .fmt = RENDER_TABLE };
}

int cli_common_option(struct cli_common *c, const struct cli_parser *p, int id,
		      const char *value)
{
	switch (id) {
	case CLI_OPT_HELP:
		c->help = true;
		return 1;
	case CLI_OPT_OUTPUT:
		if (!render_format_parse(value, &c->fmt)) {
			cli_usage_error(p, "unknown output format '%s' (table, json, jsonl, csv)",
					value);
			return -1;
		}
		c->fmt_set = true;
		return 1;
	case CLI_OPT_SERVICE_TAGS:
		c->service_tags = value;
		return 1;
	}
	return 0;
}

enum render_format cli_format(const struct cli_common *c)
{
	if (c->fmt_set)
		return c->fmt;
	return isatty(STDOUT_FILENO) ? RENDER_TABLE : RENDER_JSON;
}

void cli_help(const char *usage, const char *details)
{
	fputs(usage, stdout);
	fputs(details, stdout);
	fputs("\nCommon options:\n"
	      "  -o, --output FORMAT   table, json, jsonl or csv (default: table on a terminal,\n"
	      "                        json otherwise)\n"
	      "  --service-tags FILE   Azure's public ServiceTags JSON, used when the scenario\n"
	      "                        has no serviceTags (otherwise a built-in sample,\n"
	      "                        flagged as such)\n"
	      "  -h, --help            this help\n"
	      "\nExit status: 0 success, 1 differences or failed expectations, 2 invalid input\n"
	      "or usage, 3 environment failure (I/O, memory).\n",
	      stdout);
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
				      .service_tags = c ? c->tags : NULL };
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
	*out = NULL;
	struct run *r = run_create(sc, d);
	if (!r) {
		diag_print(d, err);
		diag_clear(d);
		fprintf(err, "%s: cannot create the run (out of memory)\n", sc->file);
		return CLI_EXIT_ENV;
	}
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

static int session_open(struct cli_session *s, const char *file, const struct cli_common *c,
			const char *at_text, bool stop)
{
	*s = (struct cli_session){ 0 };
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
	s->cp = cli_checkpoint(s->r, &s->at);
	if (!s->cp) {
		/* A label of an event the run never reached (it stopped early). */
		fprintf(stderr, "%s: checkpoint \"%s\" was not recorded by the run\n", file,
			s->at.text);
		return CLI_EXIT_INVALID;
	}
	return CLI_EXIT_OK;
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
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct cli_target *v = realloc(rs->v, cap * sizeof(*v));
		if (!v)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *t;
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
		} else if (m == 0) {
			fprintf(err, "vnetsim: --%s %s: no %s %s at %s\n",
				specs[i].nic ? "nic" : "subnet", specs[i].pattern,
				specs[i].nic ? "NIC" : "subnet (\"vnet/subnet\")",
				cli_is_glob(specs[i].pattern) ? "matches this" : "has this name",
				where);
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

void cli_note_unprogrammed(const char *const *nics, size_t n, FILE *err)
{
	if (n == 0)
		return;
	fprintf(err, "note: %zu NIC%s beyond the Route Server's VM capacity show%s no Route Server "
		     "routes until it scales out (",
		n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	for (size_t i = 0; i < n && i < 5; i++)
		fprintf(err, "%s%s", i ? ", " : "", nics[i]);
	fprintf(err, "%s); this is a model assumption (SPEC 1.8), not documented Azure behaviour\n",
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
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			free(s);
			return -1;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = s;
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
