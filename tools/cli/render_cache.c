/*
 * render_cache.c - the text of rows shared by targets.  See render_cache.h.
 *
 * A NIC's rows are its subnet's, so `routes --nic '*'` renders the same rows
 * once per NIC (ref-4k: 4,000 NICs, ten per table).  The last target's
 * rows are kept as text and copied for the next target with the same rows:
 * in keyed json the whole {"nextLink": null, "value": [...]} block (every
 * target's sits at the same depth, so its text is the same); in jsonl each
 * row's line after the target ("{" and the target member are the
 * target's).  Memory: one table's text (a few MB for 17,000 BGP rows).
 */
#include "render_cache.h"

#include <stdlib.h>
#include <string.h>

#include "row_json.h"
#include "vec.h"

struct render_cache {
	const struct eff_table *table; /* of the text kept, NULL: none */
	bool without_rs, disable_bgp;
	char *text;                    /* json: the block; jsonl: the rows' lines */
	size_t len;
	size_t *ends;                  /* jsonl: end of each row's line in text */
	size_t n;
	/* The previous target's rows: text is kept from the second target
	 * with the same rows on (the first is written as it comes, and a
	 * table of one target, as in --subnet '*', never costs a copy). */
	const struct eff_table *prev_table;
	bool prev_without_rs, prev_disable_bgp;
};

static void cache_clear(struct render_cache *c)
{
	free(c->text);
	free(c->ends);
	c->table = NULL;
	c->text = NULL;
	c->ends = NULL;
	c->len = c->n = 0;
}

/* The rows' text for json at the depth of o's next value; false when out
 * of memory. */
static bool cache_fill_json(struct render_cache *c, const struct render_out *o,
			    const struct render_target *t, const struct route_row *rows, size_t n)
{
	FILE *f = open_memstream(&c->text, &c->len);
	if (!f)
		return false;
	struct jsonw w;
	jsonw_init(&w, f, true, jsonw_next_level(&o->w) - 1);
	render_table_json(&w, rows, n, t->disable_bgp);
	bool ok = !ferror(f);
	if (fclose(f) != 0)
		ok = false;
	return ok;
}

/* Each row's jsonl line without its "{": the text after the target's
 * member, through the newline.  false when a row does not fit (the
 * writer's calls write it) or out of memory. */
static bool cache_fill_jsonl(struct render_cache *c, const struct render_target *t,
			     const struct route_row *rows, size_t n)
{
	size_t cap = 0;
	if (!(c->ends = malloc((n ? n : 1) * sizeof(*c->ends))))
		return false;
	struct jsonw w;
	jsonw_init(&w, NULL, false, 0); /* for its layout only: nothing is written */
	for (size_t i = 0; i < n; i++) {
		if (VEC_RESERVE(c->text, cap, c->len + ROW_JSON_MAX) != 0)
			return false;
		size_t k = row_json_text(&w, &rows[i], true, t->disable_bgp, NULL, NULL,
					 c->text + c->len, ROW_JSON_MAX - 1);
		if (k == 0)
			return false;
		/* "{" off, "\n" on */
		memmove(c->text + c->len, c->text + c->len + 1, k - 1);
		c->len += k - 1;
		c->text[c->len++] = '\n';
		c->ends[i] = c->len;
	}
	c->n = n;
	return true;
}

/* The cache of o holding t's rows, filled if it does not; NULL when t's
 * rows cannot be kept (unknown source, a row too long, out of memory). */
static const struct render_cache *cached(struct render_out *o, const struct render_target *t,
					 const struct route_row *rows, size_t n)
{
	if (!t->table)
		return NULL;
	if (!o->cache && !(o->cache = calloc(1, sizeof(*o->cache))))
		return NULL;
	struct render_cache *c = o->cache;
	if (c->table == t->table && c->without_rs == t->without_rs &&
	    c->disable_bgp == t->disable_bgp)
		return c;
	cache_clear(c);
	bool again = c->prev_table == t->table && c->prev_without_rs == t->without_rs &&
		     c->prev_disable_bgp == t->disable_bgp;
	c->prev_table = t->table;
	c->prev_without_rs = t->without_rs;
	c->prev_disable_bgp = t->disable_bgp;
	if (!again)
		return NULL;
	bool ok = o->fmt == RENDER_JSON ? cache_fill_json(c, o, t, rows, n)
					: cache_fill_jsonl(c, t, rows, n);
	if (!ok) {
		cache_clear(c);
		return NULL;
	}
	c->table = t->table;
	c->without_rs = t->without_rs;
	c->disable_bgp = t->disable_bgp;
	return c;
}

/* jsonl lines of t's rows from the cache: "{", t's member, ",", then each
 * row's text; false when t's name is too long for that (the caller
 * writes the lines). */
static bool routes_jsonl(struct render_out *o, const struct render_target *t,
				const struct render_cache *c)
{
	char lead[512];
	struct jsonw_text x = { lead, lead + sizeof(lead), false };
	jsonw_text_put(&x, "{", 1);
	jsonw_text_quote(&x, t->kind);
	jsonw_text_put(&x, ":", 1);
	jsonw_text_quote(&x, t->name);
	jsonw_text_put(&x, ",", 1);
	if (x.full)
		return false;
	size_t nlead = (size_t)(x.p - lead);
	for (size_t i = 0, from = 0; i < c->n; from = c->ends[i++]) {
		jsonw_write(o->out, lead, nlead);
		jsonw_write(o->out, c->text + from, c->ends[i] - from);
	}
	return true;
}

bool render_cache_routes(struct render_out *o, const struct render_target *t,
			 const struct route_row *rows, size_t n)
{
	const struct render_cache *c = cached(o, t, rows, n);
	if (!c)
		return false;
	if (o->fmt == RENDER_JSONL)
		return routes_jsonl(o, t, c);
	jsonw_key(&o->w, t->name);
	jsonw_raw(&o->w, c->text, c->len);
	return true;
}

void render_cache_destroy(struct render_cache *c)
{
	if (!c)
		return;
	cache_clear(c);
	free(c);
}
