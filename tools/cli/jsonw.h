/*
 * jsonw.h - a streaming JSON writer for vnetsim's output.
 *
 * Output is written as it is produced, so a 50,000-NIC `routes --nic '*'`
 * never builds a document tree in memory.  Two layouts: pretty (two-space
 * indentation, one member or element per line, empty containers as `{}` and
 * `[]`) for `-o json`, and compact (one line) for `-o jsonl`.  Keys are
 * written in call order, so the caller decides the order az uses.
 *
 * A container opened with jsonw_inline_begin is written on one line even in
 * pretty mode ({"a": 1, "b": [2, 3]}): long lists of small objects (route
 * rows in a timeline) stay readable and an order of magnitude smaller.
 *
 * The writer checks its own use with assertions (a key only inside an
 * object, balanced containers); write errors are the FILE's (ferror).
 * Strings are escaped per RFC 8259; bytes >= 0x80 pass through unchanged
 * (names come from a UTF-8 JSON file).
 *
 * Ownership and costs: the writer borrows its FILE and allocates nothing;
 * its state is a depth counter and a few flags, so output is O(document)
 * time and O(1) memory (nesting is capped by JSONW_MAX_DEPTH).
 */
#ifndef TOOLS_JSONW_H
#define TOOLS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JSONW_MAX_DEPTH 32

struct jsonw {
	FILE *out;
	bool pretty;
	unsigned base;                 /* indentation levels before the first value */
	unsigned depth;                /* open containers */
	bool empty[JSONW_MAX_DEPTH];   /* container has no member yet */
	bool is_object[JSONW_MAX_DEPTH];
	bool after_key;                /* a key was written, its value is next */
	unsigned inline_from;          /* depth of the outermost inline container, 0 none */
};

/* base: indentation of the top-level value (for fragments of a larger
 * document); the first line itself is not indented. */
void jsonw_init(struct jsonw *w, FILE *out, bool pretty, unsigned base);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* Opens an object (object true) or array written on one line; close it
 * with jsonw_object_end / jsonw_array_end. */
void jsonw_inline_begin(struct jsonw *w, bool object);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
/* A number already formatted (a table cell like "1800.000"); written as is
 * when it is a JSON number, as a string otherwise.  Returns whether it was
 * a number. */
bool jsonw_number_text(struct jsonw *w, const char *text);
void jsonw_null(struct jsonw *w);
/* Writes s as a JSON string literal (quotes included) to out. */
void jsonw_quote(FILE *out, const char *s);

/* A value whose JSON text the caller composed (a route row written
 * millions of times, tools/cli/row_json.c): written as the next item, with
 * the comma and line break the writer would put before it.  The text must
 * be one complete value laid out as the writer would (one line in compact
 * mode or inside an inline container); the writer's state after it is as
 * after writing that value with its calls. */
void jsonw_raw(struct jsonw *w, const char *text, size_t n);
/* n bytes of text the caller composed (whole lines of JSONL), written as
 * they are to out: no separator, no writer state. */
void jsonw_write(FILE *out, const char *text, size_t n);
/* Whether a container opened next is written on one line: compact mode,
 * or inside an inline container. */
bool jsonw_one_line(const struct jsonw *w);
/* The indentation levels of a member of a container opened next:
 * base + depth + 1 (for text composed in pretty mode over several lines). */
unsigned jsonw_next_level(const struct jsonw *w);

/* JSON text composed in a caller's buffer [p, end).  Appends never write
 * past end: one that does not fit sets full, and the caller writes the
 * value with the writer's calls instead. */
struct jsonw_text {
	char *p, *end;
	bool full;
};

static inline void jsonw_text_put(struct jsonw_text *t, const char *s, size_t n)
{
	if ((size_t)(t->end - t->p) < n) {
		t->full = true;
		return;
	}
	memcpy(t->p, s, n);
	t->p += n;
}

/* s as a JSON string literal, escaped as jsonw_quote does; NULL: null. */
void jsonw_text_quote(struct jsonw_text *t, const char *s);

#endif
