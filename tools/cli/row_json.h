/*
 * row_json.h - a route row as JSON text composed in one piece.
 *
 * The rows of a run's timeline and of `routes -o jsonl` are millions of
 * small objects (ref-4k: 8 million rows, 1.3 GB): written member by member
 * with the writer's calls, the calls were most of the time (issue 15).
 * Here a row's text is composed in a buffer, laid out exactly as
 * render_row_json and render_row_json_fields lay it out with those calls
 * (compact, inline in pretty mode, or over several lines in pretty mode),
 * and written with jsonw_raw.  A row that does not fit the buffer (a name
 * of hundreds of characters, many prefixes) is left to the caller, which
 * writes it with the calls: the bytes are the same either way.
 *
 * Ownership: borrows the writer and the row; allocates nothing.
 */
#ifndef TOOLS_ROW_JSON_H
#define TOOLS_ROW_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "effective.h"
#include "jsonw.h"

/* The object render_row_json writes (full, disable_bgp as there), with a
 * first member lead_key: lead_value when lead_key is not NULL (a JSONL
 * line's target).  Returns false, having written nothing, when the row
 * does not fit its buffer or its layout (indentation deeper than 60
 * levels). */
bool row_json_write(struct jsonw *w, const struct route_row *r, bool full, bool disable_bgp,
		    const char *lead_key, const char *lead_value);

/* The buffer row_json_write composes in. */
#define ROW_JSON_MAX 1024

/* The text row_json_write would write, composed in buf[0, cap) and not
 * written; its length, or 0 when it does not fit or is too deep. */
size_t row_json_text(const struct jsonw *w, const struct route_row *r, bool full,
		     bool disable_bgp, const char *lead_key, const char *lead_value, char *buf,
		     size_t cap);

#endif
