/*
 * jsonw.c - streaming JSON writer.  See jsonw.h.
 *
 * State is one flag per open container ("no member yet"), which is all the
 * writer needs to place commas and line breaks: before a value or key it
 * writes "," when the container already has a member, then in pretty mode a
 * newline and the indentation.  O(1) per call plus the text written.
 *
 * Text goes straight into the FILE's buffer (out_put below): a writer's
 * FILE is used by one thread at a time, and the stdio calls per piece of
 * text (a comma, a key, a quote) were most of the rendering time: locked
 * per-character calls at first (JSONL of ref-4k's tables at 65 MB/s), then
 * the unlocked fwrite and fputs with their strlen and bookkeeping for a
 * few bytes each (issue 15).  Strings go out in runs (one copy per run of
 * characters that need no escape, a whole string when none does).
 */
/* fwrite_unlocked (glibc); see the header comment. */
#define _GNU_SOURCE
#include "jsonw.h"

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

/* Appends n bytes to out.  With glibc, into the FILE's buffer when they
 * fit, as its own putc_unlocked does for one byte (the buffer pointers are
 * in its public struct _IO_FILE for that macro).  A line-buffered or
 * unbuffered stream shows no room there (write_end at or before
 * write_ptr: the difference is signed, a line-buffered stream's is
 * negative), so its text takes fwrite_unlocked, which flushes as that
 * stream should.  Errors are the FILE's either way (ferror). */
static inline void out_put(FILE *out, const void *s, size_t n)
{
#ifdef __GLIBC__
	if (out->_IO_write_end - out->_IO_write_ptr >= (ptrdiff_t)n) {
		memcpy(out->_IO_write_ptr, s, n);
		out->_IO_write_ptr += n;
		return;
	}
#endif
	fwrite_unlocked(s, 1, n, out);
}

/* A string literal, its length known at compile time. */
#define OUT_LIT(out, lit) out_put((out), (lit), sizeof(lit) - 1)

void jsonw_init(struct jsonw *w, FILE *out, bool pretty, unsigned base)
{
	*w = (struct jsonw){ .out = out, .pretty = pretty, .base = base };
}

static bool on_one_line(const struct jsonw *w)
{
	return w->inline_from != 0 && w->depth >= w->inline_from;
}

/* A newline and the blanks of 40 levels; deeper text (a fragment's base
 * beyond 8) takes them in pieces. */
static const char NEWLINE_BLANKS[] = "\n"
				     "                                                                "
				     "                ";

/* Line break and indentation before an item or a closing bracket; inside
 * an inline container a space after the comma instead. */
static void indent(struct jsonw *w, unsigned levels, bool closing)
{
	if (on_one_line(w)) {
		if (!closing)
			putc_unlocked(' ', w->out);
		return;
	}
	const size_t max = sizeof(NEWLINE_BLANKS) - 2; /* blanks in the table */
	size_t n = 2 * (size_t)levels, k = n < max ? n : max;
	out_put(w->out, NEWLINE_BLANKS, 1 + k);
	for (n -= k; n > 0; n -= k) {
		k = n < max ? n : max;
		out_put(w->out, NEWLINE_BLANKS + 1, k);
	}
}

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

/* Characters a JSON string can hold as they are: not '"', '\\' or a
 * control character (RFC 8259 section 7); bytes >= 0x80 pass through. */
static inline bool plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

/* The escape of a character that is not plain, in e; returns its length. */
static size_t escape_of(unsigned char c, char e[6])
{
	static const char hex[] = "0123456789abcdef";
	char two = 0;
	switch (c) {
	case '"': two = '"'; break;
	case '\\': two = '\\'; break;
	case '\n': two = 'n'; break;
	case '\r': two = 'r'; break;
	case '\t': two = 't'; break;
	case '\b': two = 'b'; break;
	case '\f': two = 'f'; break;
	}
	e[0] = '\\';
	if (two) {
		e[1] = two;
		return 2;
	}
	e[1] = 'u';
	e[2] = '0';
	e[3] = '0';
	e[4] = hex[c >> 4];
	e[5] = hex[c & 15];
	return 6;
}

static void quote_escape(FILE *out, unsigned char c)
{
	char e[6];
	out_put(out, e, escape_of(c, e));
}

void jsonw_quote(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (plain(*p))
		p++;
	/* Most strings (names, prefixes, keys) need no escape: the opening
	 * quote and the string, then the closing quote. */
	char buf[64];
	size_t n = (size_t)(p - (const unsigned char *)s);
	if (*p == '\0' && n + 2 <= sizeof(buf)) {
		buf[0] = '"';
		memcpy(buf + 1, s, n);
		buf[n + 1] = '"';
		out_put(out, buf, n + 2);
		return;
	}
	putc_unlocked('"', out);
	const unsigned char *run = (const unsigned char *)s;
	for (;;) {
		out_put(out, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		quote_escape(out, *p);
		run = ++p;
		while (plain(*p))
			p++;
	}
	putc_unlocked('"', out);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	assert(w->depth > 0 && w->is_object[w->depth - 1] && !w->after_key);
	separate(w);
	jsonw_quote(w->out, key);
	if (w->pretty)
		OUT_LIT(w->out, ": ");
	else
		putc_unlocked(':', w->out);
	w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	before_item(w);
	if (s)
		jsonw_quote(w->out, s);
	else
		OUT_LIT(w->out, "null");
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
	out_put(w->out, q, (size_t)(e - q));
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
	out_put(w->out, text, strlen(text));
	return true;
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_item(w);
	if (v)
		OUT_LIT(w->out, "true");
	else
		OUT_LIT(w->out, "false");
}

void jsonw_null(struct jsonw *w)
{
	before_item(w);
	OUT_LIT(w->out, "null");
}

void jsonw_raw(struct jsonw *w, const char *text, size_t n)
{
	before_item(w);
	out_put(w->out, text, n);
}

void jsonw_write(FILE *out, const char *text, size_t n)
{
	out_put(out, text, n);
}

bool jsonw_one_line(const struct jsonw *w)
{
	return !w->pretty || on_one_line(w);
}

unsigned jsonw_next_level(const struct jsonw *w)
{
	return w->base + w->depth + 1;
}

void jsonw_text_quote(struct jsonw_text *t, const char *s)
{
	if (!s) {
		jsonw_text_put(t, "null", 4);
		return;
	}
	const unsigned char *p = (const unsigned char *)s, *run = p;
	while (plain(*p))
		p++;
	size_t n = (size_t)(p - run);
	if (*p == '\0' && (size_t)(t->end - t->p) >= n + 2) {
		/* no escape: the string between its quotes */
		t->p[0] = '"';
		memcpy(t->p + 1, s, n);
		t->p[n + 1] = '"';
		t->p += n + 2;
		return;
	}
	jsonw_text_put(t, "\"", 1);
	for (;;) {
		while (plain(*p))
			p++;
		jsonw_text_put(t, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		char e[6];
		jsonw_text_put(t, e, escape_of(*p, e));
		run = ++p;
	}
	jsonw_text_put(t, "\"", 1);
}
