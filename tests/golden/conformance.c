/*
 * conformance.c - golden runner for one conformance case.
 *
 *   conformance VNETSIM CASE_DIR
 *
 * CASE_DIR holds scenario.json, checks.json and expected/<name>.json in the
 * format of scenarios/conformance/README.md.  For every check this program
 * runs vnetsim with posix_spawn and an argv array (never a shell), stdin from
 * /dev/null, stdout and stderr captured through pipes, and a wall-clock limit
 * of RUN_TIMEOUT_MS after which the child is killed and the check fails.  It
 * parses the JSON vnetsim printed and compares it by the README's rule:
 *
 *   - a table ("routes"): equal as multisets of rows keyed by (source, state,
 *     sorted addressPrefix, nextHopType, sorted nextHopIpAddress); a row's
 *     `name` is compared only where the expected row has a non-null name;
 *     other fields are ignored;
 *   - a next hop ("destination"): only the fields the check gives;
 *     `routeTableId` also accepts a full ARM id ending in /routeTables/<name>.
 *
 * It never passes vacuously: an empty checks.json, a missing or empty expected
 * table, a nonzero exit, a crash, output that is not one JSON document, and a
 * row missing a compared field all fail.  Unknown keys in a check are errors,
 * so a misspelt field is not silently left uncompared; duplicate keys are
 * errors in every JSON document read (cJSON would keep the first one).
 *
 * Report (stdout): one line per check, "ok" or "FAIL"; for a failure the
 * check as written, the command line (shell-quoted, ready to paste), the exit
 * status, vnetsim's stderr and a diff.  A table diff lists every row in a
 * canonical one-line form, grouped by prefix: "  " in both, "- " expected
 * but missing, "+ " printed but not expected:
 *
 *     Default Active [10.0.0.0/16] VnetLocal [] name=null
 *   - User Active [0.0.0.0/0] VirtualAppliance [10.0.1.4] name=r1
 *   + Default Active [0.0.0.0/0] Internet [] name=null
 *
 * The comparison is written here again on purpose, not taken from
 * tools/cli/rowdiff.c: the judge must not share code (and so bugs) with the
 * program it judges, and it links nothing but cJSON.
 *
 * Exit status: 0 every check passed; 1 a check failed or the case is
 * malformed; 2 usage error.
 *
 * Cost: table matching is O(E * A) string comparisons (tables have tens of
 * rows); outputs are capped at RUN_STDOUT_MAX bytes and input files at
 * FILE_MAX bytes.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

extern char **environ;

#define RUN_TIMEOUT_MS 10000               /* README: more than 10 s fails */
#define RUN_STDOUT_MAX (64u << 20)         /* larger output: kill, fail */
#define RUN_STDERR_KEEP (64u << 10)        /* stderr beyond this is dropped */
#define REPORT_STDERR_MAX 4096             /* stderr bytes shown per failure */
#define REPORT_STDOUT_MAX 400              /* non-JSON stdout bytes shown */
#define FILE_MAX (16u << 20)               /* checks.json, expected files */
#define ARGV_MAX 16

/* ---- growable byte buffer ------------------------------------------- */

struct buf {
	char *data;  /* NUL-terminated when len > 0 */
	size_t len;  /* bytes used, without the NUL */
	size_t cap;  /* bytes allocated */
};

/* Running out of memory is our environment failing, not a check failing. */
static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL) {
		fputs("conformance: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL) {
		fputs("conformance: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

static void buf_add(struct buf *b, const char *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void buf_putu(struct buf *b, unsigned long v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%lu", v);
	buf_puts(b, tmp);
}

static void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

static const char *buf_str(const struct buf *b)
{
	return b->len ? b->data : "";
}

static void buf_fini(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Appends `s` indented by `indent` on every line, ending with a newline. */
static void buf_put_indented(struct buf *b, const char *indent, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		buf_puts(b, indent);
		buf_add(b, s + i, end - i);
		buf_putc(b, '\n');
		i = end + 1;
	}
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

static char *path_join(const char *dir, const char *name)
{
	struct buf b = {0};
	buf_puts(&b, dir);
	if (b.len == 0 || b.data[b.len - 1] != '/')
		buf_putc(&b, '/');
	buf_puts(&b, name);
	return b.data;
}

/* ---- JSON files ------------------------------------------------------ */

/* Finds the first duplicate key under `node`; on success `path` holds its
 * JSON path ($.value[3].name) and the function returns true. */
static bool json_find_duplicate(const cJSON *node, struct buf *path)
{
	size_t mark = path->len;
	size_t index = 0;
	for (const cJSON *a = node->child; a != NULL; a = a->next, index++) {
		if (cJSON_IsObject(node) && a->string != NULL) {
			for (const cJSON *b = a->next; b != NULL; b = b->next) {
				if (b->string != NULL && strcmp(a->string, b->string) == 0) {
					buf_putc(path, '.');
					buf_puts(path, a->string);
					return true;
				}
			}
			buf_putc(path, '.');
			buf_puts(path, a->string);
		} else {
			buf_putc(path, '[');
			buf_putu(path, index);
			buf_putc(path, ']');
		}
		if (json_find_duplicate(a, path))
			return true;
		buf_truncate(path, mark);
	}
	return false;
}

/* Parses `text` (len bytes, NUL-terminated) as exactly one JSON document.
 * On error returns NULL and appends the reason (with line:column) to `why`. */
static cJSON *json_parse_text(const char *text, size_t len, struct buf *why)
{
	if (strlen(text) != len) {
		buf_puts(why, "contains a NUL byte");
		return NULL;
	}
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);
	if (doc == NULL) {
		unsigned long line = 1, col = 1;
		if (end == NULL || end < text || end > text + len)
			end = text;
		for (const char *p = text; p < end; p++) {
			if (*p == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		if (len == 0 || strspn(text, " \t\r\n") == len) {
			buf_puts(why, "empty, not JSON");
		} else {
			buf_puts(why, "not valid JSON at line ");
			buf_putu(why, line);
			buf_puts(why, ", column ");
			buf_putu(why, col);
		}
		return NULL;
	}
	struct buf dup = {0};
	buf_putc(&dup, '$');
	if (json_find_duplicate(doc, &dup)) {
		buf_puts(why, "duplicate key at ");
		buf_puts(why, buf_str(&dup));
		buf_fini(&dup);
		cJSON_Delete(doc);
		return NULL;
	}
	buf_fini(&dup);
	return doc;
}

/* Reads and parses a JSON file of at most FILE_MAX bytes.  On error returns
 * NULL with "PATH: reason" appended to `why`. */
static cJSON *json_load_file(const char *path, struct buf *why)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		buf_puts(why, path);
		buf_puts(why, ": cannot open: ");
		buf_puts(why, strerror(errno));
		return NULL;
	}
	struct buf text = {0};
	char chunk[8192];
	size_t n;
	bool too_big = false;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (text.len + n > FILE_MAX) {
			too_big = true;
			break;
		}
		buf_add(&text, chunk, n);
	}
	bool read_error = ferror(f) != 0;
	fclose(f);
	cJSON *doc = NULL;
	if (too_big) {
		buf_puts(why, path);
		buf_puts(why, ": larger than ");
		buf_putu(why, FILE_MAX);
		buf_puts(why, " bytes");
	} else if (read_error) {
		buf_puts(why, path);
		buf_puts(why, ": read error");
	} else {
		buf_reserve(&text, 0); /* NUL-terminated even when empty */
		text.data[text.len] = '\0';
		struct buf reason = {0};
		doc = json_parse_text(text.data, text.len, &reason);
		if (doc == NULL) {
			buf_puts(why, path);
			buf_puts(why, ": ");
			buf_puts(why, buf_str(&reason));
		}
		buf_fini(&reason);
	}
	buf_fini(&text);
	return doc;
}

static const char *json_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : NULL;
}

/* ---- running vnetsim ------------------------------------------------- */

struct argv_list {
	char *v[ARGV_MAX + 1]; /* owned copies, NULL-terminated */
	size_t n;
};

static void argv_push(struct argv_list *a, const char *s)
{
	if (a->n >= ARGV_MAX) {
		fputs("conformance: internal error: argv too long\n", stderr);
		exit(1);
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void argv_fini(struct argv_list *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
	a->v[0] = NULL;
}

/* The command line as a shell would need it, for the report. */
static void argv_quote(const struct argv_list *a, struct buf *out)
{
	static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789_./:=@,+-%";
	for (size_t i = 0; i < a->n; i++) {
		const char *s = a->v[i];
		if (i > 0)
			buf_putc(out, ' ');
		if (*s != '\0' && strspn(s, safe) == strlen(s)) {
			buf_puts(out, s);
			continue;
		}
		buf_putc(out, '\'');
		for (; *s; s++) {
			if (*s == '\'')
				buf_puts(out, "'\\''");
			else
				buf_putc(out, *s);
		}
		buf_putc(out, '\'');
	}
}

struct run_result {
	struct buf out;      /* stdout, complete unless too_large */
	struct buf err;      /* first RUN_STDERR_KEEP bytes of stderr */
	int spawn_error;     /* errno from posix_spawn or pipe, 0 if started */
	bool exited;         /* exited normally; status in exit_code */
	int exit_code;
	int signal;          /* terminating signal when !exited */
	bool timed_out;      /* killed after RUN_TIMEOUT_MS */
	bool too_large;      /* killed: stdout over RUN_STDOUT_MAX */
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags >= 0)
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* Reads whatever is ready on `*fd` into `b`, keeping at most `keep` bytes;
 * closes it at end of file. */
static void drain(int *fd, struct buf *b, size_t keep)
{
	char chunk[16384];
	ssize_t k = read(*fd, chunk, sizeof chunk);
	if (k < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (k <= 0) {
		close_fd(fd);
		return;
	}
	size_t room = b->len < keep ? keep - b->len : 0;
	buf_add(b, chunk, (size_t)k < room ? (size_t)k : room);
}

/* Runs argv with stdin from /dev/null, collecting stdout and stderr, and
 * kills it after RUN_TIMEOUT_MS.  Always reaps the child. */
static void run_command(const struct argv_list *a, struct run_result *r)
{
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	if (pipe(outp) != 0 || pipe(errp) != 0) {
		r->spawn_error = errno;
		close_fd(&outp[0]);
		close_fd(&outp[1]);
		return;
	}
	/* No pipe end may leak into the child beyond the dup2 copies. */
	set_cloexec(outp[0]);
	set_cloexec(outp[1]);
	set_cloexec(errp[0]);
	set_cloexec(errp[1]);

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	pid_t pid;
	int rc = posix_spawn(&pid, a->v[0], &fa, NULL, a->v, environ);
	posix_spawn_file_actions_destroy(&fa);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	if (rc != 0) {
		r->spawn_error = rc;
		close_fd(&outp[0]);
		close_fd(&errp[0]);
		return;
	}

	long long deadline = now_ms() + RUN_TIMEOUT_MS;
	struct pollfd fds[2];
	while (outp[0] >= 0 || errp[0] >= 0) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		fds[0] = (struct pollfd){.fd = outp[0], .events = POLLIN};
		fds[1] = (struct pollfd){.fd = errp[0], .events = POLLIN};
		int n = poll(fds, 2, (int)left);
		if (n < 0 && errno != EINTR) {
			r->timed_out = true; /* cannot wait any longer: treat alike */
			break;
		}
		if (n <= 0)
			continue;
		if (outp[0] >= 0 && fds[0].revents != 0) {
			drain(&outp[0], &r->out, RUN_STDOUT_MAX + 1);
			if (r->out.len > RUN_STDOUT_MAX) {
				r->too_large = true;
				break;
			}
		}
		if (errp[0] >= 0 && fds[1].revents != 0)
			drain(&errp[0], &r->err, RUN_STDERR_KEEP);
	}

	/* Both pipes closed (or we gave up): wait for the exit, still bounded
	 * by the deadline, since a child may close stdout and keep running. */
	int status = 0;
	for (;;) {
		if (r->timed_out || r->too_large) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			r->timed_out = true;
			continue;
		}
		if (now_ms() >= deadline) {
			r->timed_out = true;
			continue;
		}
		struct timespec nap = {0, 5 * 1000000};
		nanosleep(&nap, NULL);
	}
	close_fd(&outp[0]);
	close_fd(&errp[0]);
	if (WIFEXITED(status)) {
		r->exited = true;
		r->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->signal = WTERMSIG(status);
	}
}

static void run_result_fini(struct run_result *r)
{
	buf_fini(&r->out);
	buf_fini(&r->err);
}

/* ---- checks ---------------------------------------------------------- */

enum check_kind { CHECK_ROUTES, CHECK_NEXT_HOP };

/* One entry of checks.json; strings point into the parsed document. */
struct check {
	enum check_kind kind;
	const char *at;            /* checkpoint label, "start" or "end" */
	const char *target_flag;   /* "--nic" or "--subnet" */
	const char *target;        /* NIC name or VNET/SUBNET */
	const char *routes;        /* CHECK_ROUTES: file name in expected/ */
	const char *destination;   /* CHECK_NEXT_HOP: IP address */
	const cJSON *want_type;    /* CHECK_NEXT_HOP: given fields, else NULL */
	const cJSON *want_ip;
	const cJSON *want_table;
};

static bool nonempty_string(const cJSON *v)
{
	return cJSON_IsString(v) && v->valuestring != NULL && v->valuestring[0] != '\0';
}

/* Validates one check; on error appends the reason to `why`. */
static bool check_parse(const cJSON *item, struct check *c, struct buf *why)
{
	static const char *const known[] = {"at", "nic", "subnet", "routes", "destination",
					    "nextHopType", "nextHopIpAddress", "routeTableId"};
	memset(c, 0, sizeof *c);
	if (!cJSON_IsObject(item)) {
		buf_puts(why, "a check must be a JSON object");
		return false;
	}
	for (const cJSON *k = item->child; k != NULL; k = k->next) {
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok = ok || strcmp(k->string, known[i]) == 0;
		if (!ok) {
			buf_puts(why, "unknown key \"");
			buf_puts(why, k->string);
			buf_puts(why, "\" (a misspelt field would go unchecked)");
			return false;
		}
	}
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(item, "at");
	const cJSON *nic = cJSON_GetObjectItemCaseSensitive(item, "nic");
	const cJSON *subnet = cJSON_GetObjectItemCaseSensitive(item, "subnet");
	const cJSON *routes = cJSON_GetObjectItemCaseSensitive(item, "routes");
	const cJSON *dest = cJSON_GetObjectItemCaseSensitive(item, "destination");
	c->want_type = cJSON_GetObjectItemCaseSensitive(item, "nextHopType");
	c->want_ip = cJSON_GetObjectItemCaseSensitive(item, "nextHopIpAddress");
	c->want_table = cJSON_GetObjectItemCaseSensitive(item, "routeTableId");

	if (!nonempty_string(at)) {
		buf_puts(why, "\"at\" must be a non-empty string (a checkpoint label, start or end)");
		return false;
	}
	c->at = at->valuestring;
	if ((nic != NULL) == (subnet != NULL)) {
		buf_puts(why, "exactly one of \"nic\" and \"subnet\" is required");
		return false;
	}
	const cJSON *target = nic ? nic : subnet;
	if (!nonempty_string(target)) {
		buf_puts(why, nic ? "\"nic\"" : "\"subnet\"");
		buf_puts(why, " must be a non-empty string");
		return false;
	}
	c->target_flag = nic ? "--nic" : "--subnet";
	c->target = target->valuestring;
	if ((routes != NULL) == (dest != NULL)) {
		buf_puts(why, "exactly one of \"routes\" and \"destination\" is required");
		return false;
	}
	if (routes != NULL) {
		c->kind = CHECK_ROUTES;
		if (!nonempty_string(routes) || strchr(routes->valuestring, '/') != NULL ||
		    strcmp(routes->valuestring, ".") == 0 || strcmp(routes->valuestring, "..") == 0) {
			buf_puts(why, "\"routes\" must be a file name in expected/");
			return false;
		}
		if (c->want_type || c->want_ip || c->want_table) {
			buf_puts(why, "a \"routes\" check takes no next-hop fields");
			return false;
		}
		c->routes = routes->valuestring;
		return true;
	}
	c->kind = CHECK_NEXT_HOP;
	if (!nonempty_string(dest)) {
		buf_puts(why, "\"destination\" must be a non-empty string");
		return false;
	}
	c->destination = dest->valuestring;
	if (!nonempty_string(c->want_type)) {
		buf_puts(why, "a next-hop check needs \"nextHopType\" (a non-empty string)");
		return false;
	}
	if (c->want_ip != NULL && !cJSON_IsString(c->want_ip) && !cJSON_IsNull(c->want_ip)) {
		buf_puts(why, "\"nextHopIpAddress\" must be a string or null");
		return false;
	}
	if (c->want_table != NULL && !nonempty_string(c->want_table)) {
		buf_puts(why, "\"routeTableId\" must be a non-empty string");
		return false;
	}
	return true;
}

/* A short title: "routes --nic vm-nic --at configured (expected/x.json)". */
static void check_title(const struct check *c, struct buf *out)
{
	buf_puts(out, c->kind == CHECK_ROUTES ? "routes " : "next-hop ");
	buf_puts(out, c->target_flag);
	buf_putc(out, ' ');
	buf_puts(out, c->target);
	buf_puts(out, " --at ");
	buf_puts(out, c->at);
	if (c->kind == CHECK_ROUTES) {
		buf_puts(out, " (expected/");
		buf_puts(out, c->routes);
		buf_putc(out, ')');
	} else {
		buf_puts(out, " --destination ");
		buf_puts(out, c->destination);
	}
}

static void check_argv(const struct check *c, const char *vnetsim, const char *scenario,
		       struct argv_list *a)
{
	argv_push(a, vnetsim);
	argv_push(a, c->kind == CHECK_ROUTES ? "routes" : "next-hop");
	argv_push(a, scenario);
	argv_push(a, c->target_flag);
	argv_push(a, c->target);
	if (c->kind == CHECK_NEXT_HOP) {
		argv_push(a, "--destination");
		argv_push(a, c->destination);
	}
	argv_push(a, "--at");
	argv_push(a, c->at);
	argv_push(a, "-o");
	argv_push(a, "json");
}

/* ---- effective-route tables ------------------------------------------ */

/* One row reduced to what the comparison rule looks at. */
struct row {
	char *prefixes;  /* "[p1, p2]", sorted: groups the diff by prefix */
	char *key;       /* "source state [prefixes] nextHopType [ips]" */
	char *name;      /* NULL when null or absent */
	bool matched;
};

struct table {
	struct row *rows;
	size_t n;
};

static void table_fini(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->rows[i].prefixes);
		free(t->rows[i].key);
		free(t->rows[i].name);
	}
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

/* Orders digit runs by value, so 10.2.0.0/16 < 10.10.0.0/16 and /8 < /16;
 * ties (leading zeros) fall back to strcmp, keeping the order total, so a
 * list sorted with it is still a canonical form. */
static int natural_cmp(const char *a, const char *b)
{
	const char *p = a, *q = b;
	while (*p && *q) {
		if (*p >= '0' && *p <= '9' && *q >= '0' && *q <= '9') {
			while (*p == '0')
				p++;
			while (*q == '0')
				q++;
			size_t lp = 0, lq = 0;
			while (p[lp] >= '0' && p[lp] <= '9')
				lp++;
			while (q[lq] >= '0' && q[lq] <= '9')
				lq++;
			if (lp != lq)
				return lp < lq ? -1 : 1;
			int c = memcmp(p, q, lp);
			if (c != 0)
				return c;
			p += lp;
			q += lq;
		} else if (*p != *q) {
			return (unsigned char)*p < (unsigned char)*q ? -1 : 1;
		} else {
			p++;
			q++;
		}
	}
	if (*p || *q)
		return *p ? 1 : -1;
	return strcmp(a, b);
}

static int cmp_natural(const void *a, const void *b)
{
	return natural_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends "[a, b]" for a JSON array of strings, sorted; false if `v` is
 * not such an array. */
static bool put_sorted_list(const cJSON *v, struct buf *out)
{
	if (!cJSON_IsArray(v))
		return false;
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	const char **items = xcalloc(n, sizeof *items);
	for (const cJSON *e = v->child; e != NULL; e = e->next) {
		if (!cJSON_IsString(e) || e->valuestring == NULL) {
			free(items);
			return false;
		}
		items[i++] = e->valuestring;
	}
	qsort(items, n, sizeof *items, cmp_natural);
	buf_putc(out, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(out, ", ");
		buf_puts(out, items[i]);
	}
	buf_putc(out, ']');
	free(items);
	return true;
}

/* Reduces one row; on error appends "$.value[i]: reason" to `why`. */
static bool row_parse(const cJSON *obj, size_t index, struct row *r, struct buf *why)
{
	struct buf key = {0}, prefixes = {0};
	const char *bad = NULL;
	const char *source = json_string(obj, "source");
	const char *state = json_string(obj, "state");
	const char *type = json_string(obj, "nextHopType");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");

	memset(r, 0, sizeof *r);
	if (!cJSON_IsObject(obj))
		bad = "a row must be a JSON object";
	else if (source == NULL)
		bad = "\"source\" missing or not a string";
	else if (state == NULL)
		bad = "\"state\" missing or not a string";
	else if (type == NULL)
		bad = "\"nextHopType\" missing or not a string";
	else if (name != NULL && !cJSON_IsNull(name) && !cJSON_IsString(name))
		bad = "\"name\" must be a string or null";
	else if (!put_sorted_list(cJSON_GetObjectItemCaseSensitive(obj, "addressPrefix"), &prefixes))
		bad = "\"addressPrefix\" missing or not an array of strings";
	if (bad == NULL) {
		buf_puts(&key, source);
		buf_putc(&key, ' ');
		buf_puts(&key, state);
		buf_putc(&key, ' ');
		buf_puts(&key, prefixes.data);
		buf_putc(&key, ' ');
		buf_puts(&key, type);
		buf_putc(&key, ' ');
		if (!put_sorted_list(cJSON_GetObjectItemCaseSensitive(obj, "nextHopIpAddress"), &key))
			bad = "\"nextHopIpAddress\" missing or not an array of strings";
	}
	if (bad != NULL) {
		buf_puts(why, "$.value[");
		buf_putu(why, index);
		buf_puts(why, "]: ");
		buf_puts(why, bad);
		buf_fini(&key);
		buf_fini(&prefixes);
		return false;
	}
	r->key = key.data;
	r->prefixes = prefixes.data;
	r->name = cJSON_IsString(name) ? xstrdup(name->valuestring) : NULL;
	return true;
}

/* Reads {"value": [rows]} (other top-level keys, such as az's nextLink, are
 * ignored); on error appends the reason to `why`. */
static bool table_parse(const cJSON *doc, struct table *t, struct buf *why)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(doc, "value");
	memset(t, 0, sizeof *t);
	if (!cJSON_IsObject(doc) || !cJSON_IsArray(value)) {
		buf_puts(why, "not an effective-route table: expected {\"value\": [rows]}");
		return false;
	}
	size_t n = (size_t)cJSON_GetArraySize(value);
	t->rows = xcalloc(n, sizeof *t->rows);
	for (const cJSON *e = value->child; e != NULL; e = e->next) {
		if (!row_parse(e, t->n, &t->rows[t->n], why))
			return false; /* rows parsed so far are freed by table_fini */
		t->n++;
	}
	return true;
}

struct diff_line {
	char sign;             /* ' ' both, '-' expected only, '+' printed only */
	const struct row *row;
};

static int diff_line_cmp(const void *pa, const void *pb)
{
	const struct diff_line *a = pa, *b = pb;
	int c = natural_cmp(a->row->prefixes, b->row->prefixes);
	if (c == 0)
		c = strcmp(a->row->key, b->row->key);
	if (c == 0)
		c = strcmp(a->row->name ? a->row->name : "", b->row->name ? b->row->name : "");
	if (c == 0) {
		static const char order[] = " -+";
		c = (int)(strchr(order, a->sign) - order) - (int)(strchr(order, b->sign) - order);
	}
	return c;
}

/*
 * Compares by the README rule and appends the diff to `out` when different.
 * Expected rows with a name are matched first: each needs an equal key and
 * name, and the printed rows they can take are interchangeable for the
 * unnamed ones (which need only an equal key), so this greedy order finds a
 * complete matching whenever one exists.
 */
static bool table_compare(struct table *want, struct table *got, struct buf *out)
{
	size_t missing = 0, unexpected = 0;
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < want->n; i++) {
			struct row *w = &want->rows[i];
			if ((pass == 0) != (w->name != NULL))
				continue;
			for (size_t j = 0; j < got->n && !w->matched; j++) {
				struct row *g = &got->rows[j];
				if (g->matched || strcmp(w->key, g->key) != 0)
					continue;
				if (w->name != NULL && (g->name == NULL || strcmp(w->name, g->name) != 0))
					continue;
				w->matched = g->matched = true;
			}
		}
	}
	size_t nlines = 0;
	struct diff_line *lines = xcalloc(want->n + got->n, sizeof *lines);
	for (size_t i = 0; i < want->n; i++) {
		lines[nlines++] = (struct diff_line){want->rows[i].matched ? ' ' : '-', &want->rows[i]};
		missing += !want->rows[i].matched;
	}
	for (size_t j = 0; j < got->n; j++) {
		if (!got->rows[j].matched) {
			lines[nlines++] = (struct diff_line){'+', &got->rows[j]};
			unexpected++;
		}
	}
	if (missing == 0 && unexpected == 0) {
		free(lines);
		return true;
	}
	buf_puts(out, "  expected ");
	buf_putu(out, want->n);
	buf_puts(out, " rows, vnetsim printed ");
	buf_putu(out, got->n);
	buf_puts(out, ": ");
	buf_putu(out, missing);
	buf_puts(out, " missing (-), ");
	buf_putu(out, unexpected);
	buf_puts(out, " unexpected (+)\n");
	buf_puts(out, "  --- expected\n  +++ vnetsim\n");
	qsort(lines, nlines, sizeof *lines, diff_line_cmp);
	for (size_t i = 0; i < nlines; i++) {
		buf_puts(out, "  ");
		buf_putc(out, lines[i].sign);
		buf_putc(out, ' ');
		buf_puts(out, lines[i].row->key);
		buf_puts(out, " name=");
		buf_puts(out, lines[i].row->name ? lines[i].row->name : "null");
		buf_putc(out, '\n');
	}
	free(lines);
	return false;
}

/* ---- next hops ------------------------------------------------------- */

/* README: routeTableId is the table's name, and a full resource id ending
 * in /routeTables/<name> is accepted as that name (ARM ids compare their
 * segment names case-insensitively). */
static bool route_table_matches(const char *want, const char *got)
{
	static const char seg[] = "/routeTables/";
	size_t wl = strlen(want), gl = strlen(got), sl = sizeof seg - 1;
	if (strcmp(want, got) == 0)
		return true;
	return gl > wl + sl && strcmp(got + gl - wl, want) == 0 &&
	       strncasecmp(got + gl - wl - sl, seg, sl) == 0;
}

static void put_json_scalar(const cJSON *v, struct buf *out)
{
	if (v == NULL) {
		buf_puts(out, "(absent)");
	} else if (cJSON_IsNull(v)) {
		buf_puts(out, "null");
	} else if (cJSON_IsString(v)) {
		buf_puts(out, v->valuestring);
	} else {
		char *s = cJSON_PrintUnformatted(v);
		buf_puts(out, s ? s : "?");
		cJSON_free(s);
	}
}

/* Compares the fields the check gives; appends a diff when different. */
static bool next_hop_compare(const struct check *c, const cJSON *got, struct buf *out)
{
	if (!cJSON_IsObject(got)) {
		buf_puts(out, "  vnetsim printed JSON that is not an object\n");
		return false;
	}
	static const char *const fields[] = {"nextHopType", "nextHopIpAddress", "routeTableId"};
	const cJSON *want[3] = {c->want_type, c->want_ip, c->want_table};
	const cJSON *have[3];
	bool ok = true;
	for (size_t i = 0; i < 3; i++) {
		have[i] = cJSON_GetObjectItemCaseSensitive(got, fields[i]);
		if (want[i] == NULL)
			continue;
		bool same;
		if (cJSON_IsNull(want[i])) /* an absent field counts as null */
			same = have[i] == NULL || cJSON_IsNull(have[i]);
		else if (!cJSON_IsString(have[i]) || have[i]->valuestring == NULL)
			same = false;
		else if (i == 2)
			same = route_table_matches(want[i]->valuestring, have[i]->valuestring);
		else
			same = strcmp(want[i]->valuestring, have[i]->valuestring) == 0;
		ok = ok && same;
	}
	if (ok)
		return true;
	buf_puts(out, "  --- expected\n  +++ vnetsim\n");
	for (size_t side = 0; side < 2; side++) {
		buf_puts(out, side == 0 ? "  - " : "  + ");
		bool first = true;
		for (size_t i = 0; i < 3; i++) {
			if (want[i] == NULL)
				continue;
			if (!first)
				buf_putc(out, ' ');
			first = false;
			buf_puts(out, fields[i]);
			buf_putc(out, '=');
			put_json_scalar(side == 0 ? want[i] : have[i], out);
		}
		buf_putc(out, '\n');
	}
	return false;
}

/* ---- one check, one case --------------------------------------------- */

struct runner {
	const char *vnetsim;   /* path to the program under test */
	const char *case_dir;
	char *scenario;        /* CASE_DIR/scenario.json */
	char *expected_dir;    /* CASE_DIR/expected */
};

/* Appends what vnetsim did: exit status and its stderr. */
static void report_run(const struct run_result *r, struct buf *out)
{
	buf_puts(out, "  exit:    ");
	if (r->timed_out) {
		buf_puts(out, "killed after ");
		buf_putu(out, RUN_TIMEOUT_MS / 1000);
		buf_puts(out, " s (timeout)");
	} else if (r->too_large) {
		buf_puts(out, "killed: stdout over ");
		buf_putu(out, RUN_STDOUT_MAX);
		buf_puts(out, " bytes");
	} else if (r->exited) {
		buf_putu(out, (unsigned long)r->exit_code);
	} else {
		buf_puts(out, "killed by signal ");
		buf_putu(out, (unsigned long)r->signal);
		const char *name = strsignal(r->signal);
		if (name) {
			buf_puts(out, " (");
			buf_puts(out, name);
			buf_putc(out, ')');
		}
	}
	buf_putc(out, '\n');
	if (r->err.len == 0) {
		buf_puts(out, "  stderr:  (empty)\n");
		return;
	}
	buf_puts(out, "  stderr:\n");
	size_t n = r->err.len < REPORT_STDERR_MAX ? r->err.len : REPORT_STDERR_MAX;
	buf_put_indented(out, "  | ", r->err.data, n);
	if (n < r->err.len)
		buf_puts(out, "  | ...\n");
}

/* Loads expected/<routes> into `want`; a missing, malformed or empty file
 * fails the check before vnetsim runs. */
static bool expected_load(const struct runner *rn, const struct check *c, struct table *want,
			  struct buf *out)
{
	struct buf why = {0};
	char *path = path_join(rn->expected_dir, c->routes);
	cJSON *doc = json_load_file(path, &why); /* its errors name the file */
	if (doc != NULL && table_parse(doc, want, &why) && want->n == 0)
		buf_puts(&why, "has no rows (Azure always shows the VnetLocal rows; "
			       "an empty table would pass vacuously)");
	bool ok = why.len == 0;
	if (!ok) {
		buf_puts(out, "  expected file: ");
		if (doc != NULL) {
			buf_puts(out, path);
			buf_puts(out, ": ");
		}
		buf_puts(out, why.data);
		buf_putc(out, '\n');
	}
	cJSON_Delete(doc);
	free(path);
	buf_fini(&why);
	return ok;
}

/* Runs one check; appends the failure details to `out`.  Returns pass. */
static bool check_run(const struct runner *rn, const struct check *c, struct buf *out)
{
	struct table want = {0}, got = {0};
	struct argv_list argv = {0};
	struct run_result res = {0};
	struct buf why = {0};
	cJSON *doc = NULL;
	bool pass = false;

	check_argv(c, rn->vnetsim, rn->scenario, &argv);
	buf_puts(out, "  command: ");
	argv_quote(&argv, out);
	buf_putc(out, '\n');

	if (c->kind == CHECK_ROUTES && !expected_load(rn, c, &want, out))
		goto done;
	run_command(&argv, &res);
	if (res.spawn_error != 0) {
		buf_puts(out, "  cannot run ");
		buf_puts(out, rn->vnetsim);
		buf_puts(out, ": ");
		buf_puts(out, strerror(res.spawn_error));
		buf_putc(out, '\n');
		goto done;
	}
	if (res.timed_out || res.too_large || !res.exited || res.exit_code != 0) {
		report_run(&res, out);
		goto done;
	}
	doc = json_parse_text(buf_str(&res.out), res.out.len, &why);
	if (doc == NULL) {
		buf_puts(out, "  stdout:  ");
		buf_puts(out, why.data);
		buf_putc(out, '\n');
		size_t n = res.out.len < REPORT_STDOUT_MAX ? res.out.len : REPORT_STDOUT_MAX;
		buf_put_indented(out, "  > ", buf_str(&res.out), n);
		if (n < res.out.len)
			buf_puts(out, "  > ...\n");
		report_run(&res, out);
		goto done;
	}
	if (c->kind == CHECK_ROUTES) {
		if (!table_parse(doc, &got, &why)) {
			buf_puts(out, "  vnetsim output: ");
			buf_puts(out, why.data);
			buf_putc(out, '\n');
			goto done;
		}
		pass = table_compare(&want, &got, out);
	} else {
		pass = next_hop_compare(c, doc, out);
	}
	if (!pass)
		report_run(&res, out);
done:
	cJSON_Delete(doc);
	table_fini(&want);
	table_fini(&got);
	argv_fini(&argv);
	run_result_fini(&res);
	buf_fini(&why);
	return pass;
}

/* Runs every check of the case; prints the report.  Returns the exit code. */
static int case_run(const struct runner *rn)
{
	struct buf why = {0};
	char *checks_path = path_join(rn->case_dir, "checks.json");
	cJSON *checks = json_load_file(checks_path, &why);
	int status = 1;

	if (checks != NULL && (!cJSON_IsArray(checks) || cJSON_GetArraySize(checks) == 0)) {
		buf_puts(&why, checks_path);
		buf_puts(&why, ": must be a non-empty JSON array of checks");
	} else if (checks != NULL && access(rn->scenario, R_OK) != 0) {
		buf_puts(&why, rn->scenario);
		buf_puts(&why, ": ");
		buf_puts(&why, strerror(errno));
	}
	if (why.len > 0) {
		printf("FAIL %s: malformed case: %s\n", rn->case_dir, why.data);
		goto done;
	}

	size_t total = (size_t)cJSON_GetArraySize(checks), passed = 0, index = 0;
	for (const cJSON *item = checks->child; item != NULL; item = item->next) {
		struct check c;
		struct buf title = {0}, detail = {0};
		index++;
		bool ok = check_parse(item, &c, &detail);
		if (ok) {
			check_title(&c, &title);
			ok = check_run(rn, &c, &detail);
		} else {
			buf_puts(&title, "malformed check: ");
			buf_puts(&title, detail.data);
			buf_truncate(&detail, 0);
		}
		printf("%s %zu/%zu %s\n", ok ? "ok  " : "FAIL", index, total, title.data);
		if (!ok) {
			char *text = cJSON_PrintUnformatted(item);
			printf("  check:   %s\n%s", text ? text : "?", buf_str(&detail));
			cJSON_free(text);
		}
		passed += ok;
		buf_fini(&title);
		buf_fini(&detail);
	}
	printf("%s: %zu of %zu checks passed\n", rn->case_dir, passed, total);
	status = passed == total ? 0 : 1;
done:
	cJSON_Delete(checks);
	free(checks_path);
	buf_fini(&why);
	return status;
}

int main(int argc, char **argv)
{
	if (argc != 3 || argv[1][0] == '\0' || argv[2][0] == '\0') {
		fprintf(stderr, "usage: %s VNETSIM_BINARY CASE_DIR\n"
				"Runs every check of CASE_DIR/checks.json against VNETSIM_BINARY.\n",
			argc > 0 ? argv[0] : "conformance");
		return 2;
	}
	/* With 0, 1 or 2 closed, pipe() could hand out those numbers and the
	 * child's dup2 plumbing would cross; park /dev/null on them. */
	int fd;
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	struct runner rn = {
		.vnetsim = argv[1],
		.case_dir = argv[2],
		.scenario = path_join(argv[2], "scenario.json"),
		.expected_dir = path_join(argv[2], "expected"),
	};
	int status = case_run(&rn);
	free(rn.scenario);
	free(rn.expected_dir);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("conformance: cannot write the report to stdout\n", stderr);
		return 1;
	}
	return status;
}
