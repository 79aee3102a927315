/*
 * render_cache.h - the text of a table's rows kept for the next target with
 * the same rows (render_out_routes, json keyed by target and jsonl): the
 * NICs of a subnet share its rows, and `routes --nic '*'` on ref-4k wrote
 * the same 17,000 rows ten times per table (issue 15).  Text is kept from
 * the second target in a row with the same table, view and propagation
 * flag on, and copied; the bytes are those render_out_routes writes
 * without it.
 *
 * Ownership: the cache is the render_out's (o->cache), created on first
 * use, freed with render_cache_destroy (render_out_end).  Memory: one
 * table's text.
 */
#ifndef TOOLS_RENDER_CACHE_H
#define TOOLS_RENDER_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "render.h"

/* Writes t's rows from the kept text (o->fmt json with keyed targets, or
 * jsonl) and returns true; false, having written nothing, when there is
 * none for them (a first target, an unknown source, a row too long to
 * compose, out of memory): the caller writes them. */
bool render_cache_routes(struct render_out *o, const struct render_target *t,
			 const struct route_row *rows, size_t n);
void render_cache_destroy(struct render_cache *c); /* NULL is a no-op */

#endif
