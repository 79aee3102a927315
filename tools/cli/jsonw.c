/*
 * jsonw.c - streaming JSON writer.  See jsonw.h.
 *
 * State is one flag per open container ("no member yet"), which is all the
 * writer needs to place commas and line breaks: before a value or key it
 * writes "," when the container already has a member, then in pretty mode a
 * newline and the indentation.  O(1) per call plus the text written.
 * Text goes out with the unlocked stdio calls and strings in runs (one
 * fwrite per run of characters that need no escape): a writer's FILE is
 * used by one thread at a time, and per-character locked calls were most
 * of the rendering time (JSONL of ref-4k's tables at 65 MB/s).
 */
/* fwrite_unlocked and fputs_unlocked (glibc); see the header comment. */
#define _GNU_SOURCE
#include "jsonw.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

void jsonw_init(struct jsonw *w, FILE *out, bool pretty, unsigned base)
{
	*w = (struct jsonw){ .out = out, .pretty = pretty, .base = base };
}

static bool on_one_line(const struct jsonw *w)
{
	return w->inline_from != 0 && w->depth >= w->inline_from;
}

/* Line break and indentation before an item or a closing bracket; inside
 * an inline container a space after the comma instead. */
static void indent(struct jsonw *w, unsigned levels, bool closing)
{
	if (on_one_line(w)) {
		if (!closing)
			putc_unlocked(' ', w->out);
		return;
	}
	putc_unlocked('\n', w->out);
	for (unsigned i = 0; i < levels; i++)
		fputs_unlocked("  ", w->out);
}

/* Separator before a new value (array element or top-level) or key. */
/* Before a member or element of the open container: the comma after the
 * previous one, and in pretty mode the new line and indentation. */
static void separate(struct jsonw *w)
{
	bool first = w->empty[w->depth - 1];
	if (!first)
		putc_unlocked(',', w->out);
	w->empty[w->depth - 1] = false;
	if (w->pretty && !(first && on_one_line(w)))
		indent(w, w->base + w->depth, false);
}

static void before_item(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	assert(!w->is_object[w->depth - 1] || !"a value in an object needs a key");
	separate(w);
}

static void open_container(struct jsonw *w, bool object)
{
	before_item(w);
	assert(w->depth < JSONW_MAX_DEPTH);
	putc_unlocked(object ? '{' : '[', w->out);
	w->empty[w->depth] = true;
	w->is_object[w->depth] = object;
	w->depth++;
}

static void close_container(struct jsonw *w, bool object)
{
	assert(w->depth > 0 && w->is_object[w->depth - 1] == object && !w->after_key);
	bool was_inline = on_one_line(w);
	w->depth--;
	if (!w->empty[w->depth] && w->pretty && !was_inline)
		indent(w, w->base + w->depth, true);
	if (w->inline_from > w->depth)
		w->inline_from = 0;
	putc_unlocked(object ? '}' : ']', w->out);
}

void jsonw_inline_begin(struct jsonw *w, bool object)
{
	open_container(w, object);
	if (!w->inline_from)
		w->inline_from = w->depth;
}

void jsonw_object_begin(struct jsonw *w) { open_container(w, true); }
void jsonw_object_end(struct jsonw *w) { close_container(w, true); }
void jsonw_array_begin(struct jsonw *w) { open_container(w, false); }
void jsonw_array_end(struct jsonw *w) { close_container(w, false); }

static void put_run(FILE *out, const unsigned char *a, const unsigned char *b)
{
	if (b > a)
		fwrite_unlocked(a, 1, (size_t)(b - a), out);
}

void jsonw_quote(FILE *out, const char *s)
{
	putc_unlocked('"', out);
	const unsigned char *run = (const unsigned char *)s, *p = run;
	for (; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		put_run(out, run, p);
		run = p + 1;
		switch (*p) {
		case '"': fputs_unlocked("\\\"", out); break;
		case '\\': fputs_unlocked("\\\\", out); break;
		case '\n': fputs_unlocked("\\n", out); break;
		case '\r': fputs_unlocked("\\r", out); break;
		case '\t': fputs_unlocked("\\t", out); break;
		case '\b': fputs_unlocked("\\b", out); break;
		case '\f': fputs_unlocked("\\f", out); break;
		default: fprintf(out, "\\u%04x", *p);
		}
	}
	put_run(out, run, p);
	putc_unlocked('"', out);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	assert(w->depth > 0 && w->is_object[w->depth - 1] && !w->after_key);
	separate(w);
	jsonw_quote(w->out, key);
	fputs_unlocked(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	before_item(w);
	if (s)
		jsonw_quote(w->out, s);
	else
		fputs_unlocked("null", w->out);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	before_item(w);
	char buf[24], *e = buf + sizeof(buf), *q = e;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		*--q = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--q = '-';
	fwrite_unlocked(q, 1, (size_t)(e - q), w->out);
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

bool jsonw_number_text(struct jsonw *w, const char *text)
{
	if (!text || !is_json_number(text)) {
		jsonw_string(w, text);
		return false;
	}
	before_item(w);
	fputs_unlocked(text, w->out);
	return true;
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_item(w);
	fputs_unlocked(v ? "true" : "false", w->out);
}

void jsonw_null(struct jsonw *w)
{
	before_item(w);
	fputs_unlocked("null", w->out);
}
