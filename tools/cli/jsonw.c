/*
 * jsonw.c - streaming JSON writer.  See jsonw.h.
 *
 * State is one flag per open container ("no member yet"), which is all the
 * writer needs to place commas and line breaks: before a value or key it
 * writes "," when the container already has a member, then in pretty mode a
 * newline and the indentation.  O(1) per call plus the text written.
 */
#include "jsonw.h"

#include <assert.h>
#include <inttypes.h>

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
			fputc(' ', w->out);
		return;
	}
	fputc('\n', w->out);
	for (unsigned i = 0; i < levels; i++)
		fputs("  ", w->out);
}

/* Separator before a new value (array element or top-level) or key. */
/* Before a member or element of the open container: the comma after the
 * previous one, and in pretty mode the new line and indentation. */
static void separate(struct jsonw *w)
{
	bool first = w->empty[w->depth - 1];
	if (!first)
		fputc(',', w->out);
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
	fputc(object ? '{' : '[', w->out);
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
	fputc(object ? '}' : ']', w->out);
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

void jsonw_quote(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	assert(w->depth > 0 && w->is_object[w->depth - 1] && !w->after_key);
	separate(w);
	jsonw_quote(w->out, key);
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	before_item(w);
	if (s)
		jsonw_quote(w->out, s);
	else
		fputs("null", w->out);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	before_item(w);
	fprintf(w->out, "%" PRId64, v);
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
	fputs(text, w->out);
	return true;
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_item(w);
	fputs(v ? "true" : "false", w->out);
}

void jsonw_null(struct jsonw *w)
{
	before_item(w);
	fputs("null", w->out);
}
