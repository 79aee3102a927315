/*
 * jsonin.c - untrusted JSON in, diagnostics out.  See jsonin.h.
 *
 * Before cJSON sees a byte the text is checked for size, NUL bytes and
 * nesting depth (a linear scan that tracks strings), so the recursive
 * parser never runs deeper than JSONIN_MAX_DEPTH.  After parsing, one walk
 * reports duplicate keys with their paths (cJSON keeps duplicates and its
 * getters return the first, which would silently ignore the second).
 */
#include "jsonin.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "vec.h"

void jin_init(struct jin *j, struct diag *d, const char *file)
{
	j->diag = d;
	j->file = file;
	strcpy(j->path, "$");
	j->len = 1;
	j->errors_at_start = diag_count(d, DIAG_ERROR);
}

size_t jin_errors(const struct jin *j)
{
	return diag_count(j->diag, DIAG_ERROR) - j->errors_at_start;
}

static size_t push(struct jin *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(struct jin *j, const char *fmt, ...)
{
	size_t mark = j->len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(j->path + j->len, sizeof(j->path) - j->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(j->path) - j->len)
		j->len = sizeof(j->path) - 1; /* truncated: still a useful prefix */
	else
		j->len += (size_t)n;
	return mark;
}

/* push(j, "%s", text) for text of n bytes, without the printf machinery
 * (paths are pushed for every element a load walks, error or not). */
static size_t push_text(struct jin *j, const char *text, size_t n)
{
	size_t mark = j->len;
	if (n >= sizeof(j->path) - j->len) {
		n = sizeof(j->path) - 1 - j->len; /* truncated, as push does */
		memcpy(j->path + j->len, text, n);
		j->len = sizeof(j->path) - 1;
	} else {
		memcpy(j->path + j->len, text, n);
		j->len += n;
	}
	j->path[j->len] = '\0';
	return mark;
}

/* Keys that are plain identifiers print as .key, others as ["key"]. */
size_t jin_push_key(struct jin *j, const char *key)
{
	bool plain = key[0] != '\0';
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9' && p != key) || *p == '_'))
			plain = false;
	if (plain) {
		size_t mark = push_text(j, ".", 1);
		push_text(j, key, strlen(key));
		return mark;
	}
	return push(j, "[\"%.64s\"]", key);
}

size_t jin_push_index(struct jin *j, size_t i)
{
	char buf[24], *e = buf + sizeof(buf), *c = e;
	*--c = ']';
	do
		*--c = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	*--c = '[';
	return push_text(j, c, (size_t)(e - c));
}

void jin_pop(struct jin *j, size_t mark)
{
	j->len = mark;
	j->path[mark] = '\0';
}

/* ---- scopes --------------------------------------------------------------- */

bool jin_in(struct jin *j, const char *key, const cJSON *v, jin_visit_fn fn, void *ctx)
{
	size_t m = jin_push_key(j, key);
	bool r = fn(j, v, 0, ctx);
	jin_pop(j, m);
	return r;
}

bool jin_in_elem(struct jin *j, const char *key, size_t i, const cJSON *v, jin_visit_fn fn,
		 void *ctx)
{
	size_t m = key ? jin_push_key(j, key) : j->len;
	jin_push_index(j, i);
	bool r = fn(j, v, i, ctx);
	jin_pop(j, m);
	return r;
}

bool jin_each(struct jin *j, const char *key, const cJSON *arr, jin_visit_fn fn, void *ctx)
{
	size_t m = key ? jin_push_key(j, key) : j->len;
	bool go = true;
	size_t i = 0;
	for (const cJSON *it = arr ? arr->child : NULL; it && go; it = it->next, i++) {
		size_t m2 = jin_push_index(j, i);
		go = fn(j, it, i, ctx);
		jin_pop(j, m2);
	}
	jin_pop(j, m);
	return go;
}

static void report(struct jin *j, enum diag_severity sev, const char *fmt, va_list ap)
{
	diag_vadd(j->diag, sev, j->file, j->path, fmt, ap);
}

void jin_error(struct jin *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(j, DIAG_ERROR, fmt, ap);
	va_end(ap);
}

void jin_warn(struct jin *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(j, DIAG_WARNING, fmt, ap);
	va_end(ap);
}

/* The one place, with the scopes above, that pushes and pops by hand. */
static void report_at(struct jin *j, const char *key, enum diag_severity sev, const char *fmt,
		      va_list ap)
{
	size_t m = jin_push_key(j, key);
	report(j, sev, fmt, ap);
	jin_pop(j, m);
}

void jin_error_at(struct jin *j, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_at(j, key, DIAG_ERROR, fmt, ap);
	va_end(ap);
}

void jin_warn_at(struct jin *j, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_at(j, key, DIAG_WARNING, fmt, ap);
	va_end(ap);
}

/* ---- parsing ----------------------------------------------------------- */

static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Linear pre-scan: NUL bytes and nesting depth, outside strings. */
static bool prescan(const char *file, const char *text, size_t len, struct diag *d,
		    size_t *open_depth, size_t *open_str)
{
	size_t depth = 0, str_start = 0;
	bool in_str = false, esc = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		size_t line, col;
		if (c == '\0') {
			line_col(text, i, &line, &col);
			diag_add(d, DIAG_ERROR, file, NULL,
				 "%zu:%zu: NUL byte: this is not a JSON text (binary file?)", line, col);
			return false;
		}
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
			str_start = i;
		} else if (c == '{' || c == '[') {
			if (++depth > JSONIN_MAX_DEPTH) {
				line_col(text, i, &line, &col);
				diag_add(d, DIAG_ERROR, file, NULL,
					 "%zu:%zu: nesting deeper than %d levels", line, col,
					 JSONIN_MAX_DEPTH);
				return false;
			}
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
		}
	}
	/* Where the text stops inside a value: brackets left open, or the
	 * offset of the quote opening an unterminated string (else len);
	 * cJSON reports such a string one byte after that quote. */
	*open_depth = depth;
	*open_str = in_str ? str_start : len;
	return true;
}

struct key_pos {
	const char *key;
	size_t pos;
};

static int key_pos_cmp(const void *a, const void *b)
{
	const struct key_pos *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Reports every member whose key an earlier member of the same object
 * already has, in file order.  Sorting the keys makes this O(k log k) for k
 * members: a pairwise comparison is quadratic, hours for one object of a
 * few million keys, which fits under JSONIN_MAX_FILE. */
static void report_duplicate_keys(struct jin *j, const cJSON *obj)
{
	size_t k = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		k++;
	if (k < 2)
		return;
	struct key_pos *kp = malloc(k * sizeof(*kp));
	bool *dup = calloc(k, sizeof(*dup));
	if (!kp || !dup) {
		jin_error(j, "out of memory checking %zu keys for duplicates", k);
		free(kp);
		free(dup);
		return;
	}
	size_t i = 0;
	for (const cJSON *c = obj->child; c; c = c->next, i++)
		kp[i] = (struct key_pos){ c->string ? c->string : "", i };
	qsort(kp, k, sizeof(*kp), key_pos_cmp);
	for (i = 1; i < k; i++)
		if (strcmp(kp[i - 1].key, kp[i].key) == 0)
			dup[kp[i].pos] = true;
	i = 0;
	for (const cJSON *c = obj->child; c; c = c->next, i++)
		if (dup[i])
			jin_error_at(j, c->string, "duplicate key \"%s\" in one object", c->string);
	free(kp);
	free(dup);
}

/* Every object below v, depth first (the pre-scan bounds the depth). */
static bool check_duplicates(struct jin *j, const cJSON *v, size_t i, void *ctx)
{
	(void)i;
	if (cJSON_IsObject(v)) {
		report_duplicate_keys(j, v);
		for (const cJSON *c = v->child; c; c = c->next)
			jin_in(j, c->string ? c->string : "", c, check_duplicates, ctx);
	} else if (cJSON_IsArray(v)) {
		jin_each(j, NULL, v, check_duplicates, ctx);
	}
	return true;
}

cJSON *jin_parse_text(const char *file, const char *text, size_t len, struct diag *d)
{
	if (len == 0) {
		diag_add(d, DIAG_ERROR, file, NULL, "empty file: expected a JSON object");
		return NULL;
	}
	size_t open_depth, open_str;
	if (!prescan(file, text, len, d, &open_depth, &open_str))
		return NULL;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root) {
		/* When the input ends early cJSON points at its last byte (or at
		 * the quote of an unterminated string), not past the end: the
		 * pre-scan tells a truncated text from a syntax error. */
		size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
		size_t line, col;
		if (off >= len || off == open_str + 1 || (open_depth > 0 && off + 1 >= len)) {
			line_col(text, len, &line, &col);
			diag_add(d, DIAG_ERROR, file, NULL,
				 "%zu:%zu: invalid JSON: unexpected end of input (truncated file?)",
				 line, col);
		} else {
			/* The text is not NUL-terminated: quote at most up to its end
			 * or the end of the line. */
			size_t n = 0;
			while (n < 20 && off + n < len && text[off + n] != '\n' && text[off + n] != '\r')
				n++;
			line_col(text, off, &line, &col);
			diag_add(d, DIAG_ERROR, file, NULL, "%zu:%zu: invalid JSON near '%.*s'", line,
				 col, (int)n, text + off);
		}
		return NULL;
	}
	/* Only whitespace may follow the value. */
	size_t off = (size_t)(end - text);
	while (off < len && (text[off] == ' ' || text[off] == '\n' || text[off] == '\r' ||
			     text[off] == '\t'))
		off++;
	if (off < len) {
		size_t line, col;
		line_col(text, off, &line, &col);
		diag_add(d, DIAG_ERROR, file, NULL, "%zu:%zu: unexpected text after the JSON value",
			 line, col);
		cJSON_Delete(root);
		return NULL;
	}
	struct jin j;
	jin_init(&j, d, file);
	check_duplicates(&j, root, 0, NULL);
	if (jin_errors(&j) > 0) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

cJSON *jin_parse_file(const char *file, struct diag *d, bool *io_error)
{
	*io_error = false;
	FILE *f = fopen(file, "rb");
	if (!f) {
		diag_add(d, DIAG_ERROR, file, NULL, "cannot open: %s", strerror(errno));
		*io_error = errno != ENOENT;
		return NULL;
	}
	/* The buffer doubles from 64 KiB, so it reaches the cap exactly. */
	char *buf = NULL;
	size_t cap = 0, len = 0;
	bool oom = VEC_RESERVE(buf, cap, (size_t)1 << 16) != 0;
	while (!oom) {
		if (len == cap) {
			if (cap >= JSONIN_MAX_FILE && getc(f) == EOF)
				break; /* exactly at the cap: allowed */
			if (cap >= JSONIN_MAX_FILE) {
				diag_add(d, DIAG_ERROR, file, NULL,
					 "file larger than %u MiB: refusing to read it",
					 JSONIN_MAX_FILE >> 20);
				free(buf);
				fclose(f);
				return NULL;
			}
			oom = VEC_RESERVE(buf, cap, cap * 2) != 0;
			if (oom)
				break;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	int err = errno;
	bool bad = oom || ferror(f);
	fclose(f);
	if (bad) {
		diag_add(d, DIAG_ERROR, file, NULL, "cannot read: %s",
			 oom ? "out of memory" : strerror(err));
		free(buf);
		/* A directory named as a scenario is bad input (exit 2), not
		 * an environment failure. */
		*io_error = oom || err != EISDIR;
		return NULL;
	}
	cJSON *root = jin_parse_text(file, buf, len, d);
	free(buf);
	return root;
}

/* ---- typed reads -------------------------------------------------------- */

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsObject(v)) return "an object";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNull(v)) return "null";
	return "an invalid value";
}

void jin_known_keys(struct jin *j, const cJSON *obj, const char *const *known)
{
	jin_known_keys_also(j, obj, known, NULL);
}

void jin_known_keys_also(struct jin *j, const cJSON *obj, const char *const *known,
			 const char *const *also)
{
	if (!cJSON_IsObject(obj))
		return;
	for (const cJSON *c = obj->child; c; c = c->next) {
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, c->string) == 0;
		for (const char *const *k = also; k && *k && !ok; k++)
			ok = strcmp(*k, c->string) == 0;
		if (!ok)
			jin_warn_at(j, c->string, "unknown key \"%s\" ignored", c->string);
	}
}

/* Finds a member; reports missing when required. */
static const cJSON *member(struct jin *j, const cJSON *obj, const char *key, bool required)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	if (!v && required)
		jin_error(j, "missing required key \"%s\"", key);
	return v;
}

static bool expect(struct jin *j, const char *key, const cJSON *v, bool ok, const char *want)
{
	if (!ok)
		jin_error_at(j, key, "expected %s, found %s", want, type_name(v));
	return ok;
}

bool jin_object(struct jin *j, const cJSON *obj, const char *key, bool required, const cJSON **out)
{
	const cJSON *v = member(j, obj, key, required);
	if (!v || !expect(j, key, v, cJSON_IsObject(v), "an object"))
		return false;
	*out = v;
	return true;
}

bool jin_array(struct jin *j, const cJSON *obj, const char *key, bool required, const cJSON **out)
{
	const cJSON *v = member(j, obj, key, required);
	if (!v || !expect(j, key, v, cJSON_IsArray(v), "an array"))
		return false;
	*out = v;
	return true;
}

bool jin_string(struct jin *j, const cJSON *obj, const char *key, bool required, const char **out)
{
	const cJSON *v = member(j, obj, key, required);
	if (!v || !expect(j, key, v, cJSON_IsString(v), "a string"))
		return false;
	*out = v->valuestring;
	return true;
}

bool jin_name(struct jin *j, const cJSON *obj, const char *key, bool required, const char **out)
{
	if (!jin_string(j, obj, key, required, out))
		return false;
	if (diag_has_control(*out)) {
		jin_error_at(j, key, "a control character (escaped above) is not allowed in a "
				     "name or label");
		return false;
	}
	return true;
}

bool jin_bool(struct jin *j, const cJSON *obj, const char *key, bool required, bool *out)
{
	const cJSON *v = member(j, obj, key, required);
	if (!v || !expect(j, key, v, cJSON_IsBool(v), "true or false"))
		return false;
	*out = cJSON_IsTrue(v);
	return true;
}

bool jin_uint(struct jin *j, const cJSON *obj, const char *key, bool required, uint64_t min,
	      uint64_t max, uint64_t *out)
{
	const cJSON *v = member(j, obj, key, required);
	if (!v || !expect(j, key, v, cJSON_IsNumber(v), "a whole number"))
		return false;
	double d = v->valuedouble;
	if (!isfinite(d) || d != floor(d)) {
		jin_error_at(j, key, "expected a whole number, found %g", d);
		return false;
	}
	if (d < (double)min || d > (double)max) {
		jin_error_at(j, key, "%.0f is out of range %llu..%llu", d, (unsigned long long)min,
			     (unsigned long long)max);
		return false;
	}
	*out = (uint64_t)d;
	return true;
}

bool jin_is_string(struct jin *j, const cJSON *v, const char *what)
{
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		jin_error(j, "expected %s (a non-empty string), found %s", what,
			  cJSON_IsString(v) ? "an empty string" : type_name(v));
		return false;
	}
	return true;
}

bool jin_prefix_value(struct jin *j, const cJSON *v, struct prefix *out)
{
	if (!jin_is_string(j, v, "an IPv4 CIDR prefix"))
		return false;
	enum prefix_status st = prefix_parse(v->valuestring, out);
	if (st == PREFIX_EHOSTBITS) {
		char buf[PREFIX_STRLEN];
		jin_error(j, "\"%.40s\" has host bits set: did you mean %s?", v->valuestring,
			  prefix_format(*out, buf));
		return false;
	}
	if (st != PREFIX_OK) {
		jin_error(j, "\"%.40s\" is not an IPv4 CIDR prefix (a.b.c.d/n)", v->valuestring);
		return false;
	}
	return true;
}

static bool visit_prefix(struct jin *j, const cJSON *v, size_t i, void *out)
{
	(void)i;
	return jin_prefix_value(j, v, out);
}

bool jin_prefix(struct jin *j, const cJSON *obj, const char *key, bool required, struct prefix *out)
{
	const cJSON *v = member(j, obj, key, required);
	return v && jin_in(j, key, v, visit_prefix, out);
}

bool jin_ipv4_value(struct jin *j, const cJSON *v, uint32_t *out)
{
	if (!jin_is_string(j, v, "an IPv4 address"))
		return false;
	if (ipv4_parse(v->valuestring, out) != 0) {
		jin_error(j, "\"%.40s\" is not an IPv4 address", v->valuestring);
		return false;
	}
	return true;
}

static bool visit_ipv4(struct jin *j, const cJSON *v, size_t i, void *out)
{
	(void)i;
	return jin_ipv4_value(j, v, out);
}

bool jin_ipv4(struct jin *j, const cJSON *obj, const char *key, bool required, uint32_t *out)
{
	const cJSON *v = member(j, obj, key, required);
	return v && jin_in(j, key, v, visit_ipv4, out);
}

/* {"id": ...}: the id (into *out, a const char *), unknown keys warned. */
static bool visit_ref(struct jin *j, const cJSON *ref, size_t i, void *out)
{
	static const char *const known[] = { "id", NULL };
	(void)i;
	bool ok = jin_string(j, ref, "id", true, out);
	jin_known_keys(j, ref, known);
	return ok;
}

bool jin_ref(struct jin *j, const cJSON *obj, const char *key, bool required, const char **out)
{
	const cJSON *ref;
	return jin_object(j, obj, key, required, &ref) &&
	       jin_in(j, key, ref, visit_ref, out);
}

cJSON *jin_named(cJSON *arr, const char *name)
{
	cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return it;
	}
	return NULL;
}

/* Largest duration: 2^53 ms (~285,000 years), exact in a double. */
#define DURATION_MAX_MS 9007199254740992LL

/* A duration is decimal digits, an optional fraction, an optional unit; it
 * is computed in integers, so "1.001s" is exactly 1001 ms. */
bool jin_parse_duration(const char *s, int64_t *ms)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, den = 1;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > DURATION_MAX_MS)
			return false;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (den >= 1000000000LL) {
				if (*p != '0')
					return false; /* below a nanosecond of any unit */
				continue;
			}
			frac = frac * 10 + (*p - '0');
			den *= 10;
		}
	}
	int64_t scale;
	if (strcmp(p, "") == 0 || strcmp(p, "s") == 0)
		scale = 1000;
	else if (strcmp(p, "ms") == 0)
		scale = 1;
	else if (strcmp(p, "m") == 0)
		scale = 60000;
	else if (strcmp(p, "h") == 0)
		scale = 3600000;
	else
		return false;
	if (whole > DURATION_MAX_MS / scale || (frac * scale) % den != 0)
		return false; /* too long, or a fraction of a millisecond */
	int64_t r = whole * scale + frac * scale / den;
	if (r > DURATION_MAX_MS)
		return false;
	*ms = r;
	return true;
}

bool jin_duration_value(struct jin *j, const cJSON *v, int64_t *ms)
{
	if (cJSON_IsNumber(v)) {
		/* The shortest decimal that reads back as the double is what
		 * the file said (1.001, not 1.000999...); parse it exactly. */
		char text[40];
		snprintf(text, sizeof(text), "%.15g", v->valuedouble);
		if (!isfinite(v->valuedouble) || !jin_parse_duration(text, ms)) {
			if (isfinite(v->valuedouble) && v->valuedouble > 0 &&
			    v->valuedouble * 1000.0 > (double)DURATION_MAX_MS)
				jin_error(j, "%g seconds is too long: at most %lld seconds",
					  v->valuedouble, (long long)(DURATION_MAX_MS / 1000));
			else
				jin_error(j, "%g is not a time: expected seconds >= 0 (whole "
					     "milliseconds)",
					  v->valuedouble);
			return false;
		}
		return true;
	}
	if (cJSON_IsString(v)) {
		if (jin_parse_duration(v->valuestring, ms))
			return true;
		jin_error(j, "\"%.40s\" is not a time: use seconds or a number with ms, s, m or h",
			  v->valuestring);
		return false;
	}
	jin_error(j, "expected a time (seconds, or a string like \"90s\"), found %s", type_name(v));
	return false;
}

static bool visit_duration(struct jin *j, const cJSON *v, size_t i, void *ms)
{
	(void)i;
	return jin_duration_value(j, v, ms);
}

bool jin_duration(struct jin *j, const cJSON *obj, const char *key, int64_t *ms)
{
	const cJSON *v = member(j, obj, key, false);
	return v && jin_in(j, key, v, visit_duration, ms);
}
