/*
 * row_json.c - a route row as JSON text composed in one piece.  See
 * row_json.h.
 *
 * The layouts are the writer's (jsonw.c): in compact mode members and
 * elements are separated by "," and keys followed by ":"; on one line in
 * pretty mode by ", " and ": "; over several lines each member starts a
 * line indented one level deeper than the object, each array element two,
 * and a closing bracket of a non-empty container sits on a line of its own
 * at its container's level.  Empty containers are "[]" and "{}".
 */
#include "row_json.h"

#include <string.h>

#include "prefix.h"

/* Indentation of a composed row: deeper text is left to the writer. */
#define ROW_MAX_LEVEL 60

struct piece {
	const char *s;
	size_t n;
};

#define PIECE(lit) { (lit), sizeof(lit) - 1 }

/* The pieces between a row's values, for one layout. */
struct layout {
	struct piece open;             /* "{" and what precedes the first member */
	struct piece sep;              /* between members */
	struct piece colon;            /* after a key */
	struct piece el_open;          /* "[" and what precedes the first element */
	struct piece el_sep;           /* between elements */
	struct piece el_close;         /* after the last element, "]" included */
	struct piece close;            /* "}" and what precedes it */
};

static const struct layout COMPACT = { PIECE("{"), PIECE(","), PIECE(":"), PIECE("["),
				       PIECE(","), PIECE("]"), PIECE("}") };
static const struct layout ONE_LINE = { PIECE("{"), PIECE(", "), PIECE(": "), PIECE("["),
					PIECE(", "), PIECE("]"), PIECE("}") };

/* A layout over several lines and the text of its pieces. */
struct lines {
	struct layout l;
	char text[6][2 + 2 * ROW_MAX_LEVEL + 2];
};

/* lead, a newline, the blanks of level levels, then tail (one character
 * or none) into out; the piece. */
static struct piece line_piece(char *out, const char *lead, unsigned level, const char *tail)
{
	size_t n = strlen(lead);
	memcpy(out, lead, n);
	out[n++] = '\n';
	memset(out + n, ' ', 2 * (size_t)level);
	n += 2 * (size_t)level;
	size_t k = strlen(tail);
	memcpy(out + n, tail, k);
	return (struct piece){ out, n + k };
}

/* The layout of a row opened next in w over several lines; NULL when too
 * deep. */
static const struct layout *lines_of(const struct jsonw *w, struct lines *x)
{
	unsigned member = jsonw_next_level(w);
	if (member + 1 > ROW_MAX_LEVEL)
		return NULL;
	x->l.open = line_piece(x->text[0], "{", member, "");
	x->l.sep = line_piece(x->text[1], ",", member, "");
	x->l.colon = (struct piece)PIECE(": ");
	x->l.el_open = line_piece(x->text[2], "[", member + 1, "");
	x->l.el_sep = line_piece(x->text[3], ",", member + 1, "");
	x->l.el_close = line_piece(x->text[4], "", member, "]");
	x->l.close = line_piece(x->text[5], "", member - 1, "}");
	return &x->l;
}

static inline void put(struct jsonw_text *t, struct piece p)
{
	/* The pieces of one line are one or two characters: stored, not
	 * copied with a call. */
	if (p.n <= 2 && t->end - t->p >= 2) {
		t->p[0] = p.s[0];
		if (p.n == 2)
			t->p[1] = p.s[1];
		t->p += p.n;
		return;
	}
	jsonw_text_put(t, p.s, p.n);
}

#define PUT_LIT(t, lit) jsonw_text_put((t), (lit), sizeof(lit) - 1)

/* A member's key (a literal known to need no escape, quotes included) and
 * the colon. */
#define KEY(t, l, quoted)                 \
	do {                              \
		PUT_LIT((t), quoted);     \
		put((t), (l)->colon);     \
	} while (0)

static void prefix_array(struct jsonw_text *t, const struct layout *l, const struct prefix *v,
			 size_t n)
{
	if (n == 0) {
		PUT_LIT(t, "[]");
		return;
	}
	put(t, l->el_open);
	for (size_t i = 0; i < n; i++) {
		char buf[PREFIX_STRLEN + 2];
		if (i)
			put(t, l->el_sep);
		buf[0] = '"';
		char *e = prefix_put(v[i], buf + 1);
		*e++ = '"';
		jsonw_text_put(t, buf, (size_t)(e - buf));
	}
	put(t, l->el_close);
}

static void compose(struct jsonw_text *t, const struct layout *l, const struct route_row *r,
		    bool full, bool disable_bgp, const char *lead_key, const char *lead_value)
{
	put(t, l->open);
	if (lead_key) {
		jsonw_text_quote(t, lead_key);
		put(t, l->colon);
		jsonw_text_quote(t, lead_value);
		put(t, l->sep);
	}
	KEY(t, l, "\"name\"");
	jsonw_text_quote(t, r->name);
	put(t, l->sep);
	KEY(t, l, "\"source\"");
	jsonw_text_quote(t, route_source_name(r->source));
	put(t, l->sep);
	KEY(t, l, "\"state\"");
	if (r->active)
		PUT_LIT(t, "\"Active\"");
	else
		PUT_LIT(t, "\"Invalid\"");
	put(t, l->sep);
	KEY(t, l, "\"addressPrefix\"");
	prefix_array(t, l, r->prefixes, r->nprefixes);
	put(t, l->sep);
	KEY(t, l, "\"nextHopIpAddress\"");
	if (r->has_nh_ip) {
		char buf[IPV4_STRLEN + 2];
		put(t, l->el_open);
		buf[0] = '"';
		char *e = ipv4_put(r->nh_ip, buf + 1);
		*e++ = '"';
		jsonw_text_put(t, buf, (size_t)(e - buf));
		put(t, l->el_close);
	} else {
		PUT_LIT(t, "[]");
	}
	put(t, l->sep);
	KEY(t, l, "\"nextHopType\"");
	jsonw_text_quote(t, nh_type_name(r->nh));
	if (full) {
		put(t, l->sep);
		KEY(t, l, "\"disableBgpRoutePropagation\"");
		if (disable_bgp)
			PUT_LIT(t, "true");
		else
			PUT_LIT(t, "false");
		put(t, l->sep);
		KEY(t, l, "\"hasBgpOverride\"");
		PUT_LIT(t, "false");
		put(t, l->sep);
		KEY(t, l, "\"destinationServiceTags\"");
		PUT_LIT(t, "[]");
		put(t, l->sep);
		KEY(t, l, "\"tagMap\"");
		PUT_LIT(t, "{}");
	}
	put(t, l->close);
}

size_t row_json_text(const struct jsonw *w, const struct route_row *r, bool full,
		     bool disable_bgp, const char *lead_key, const char *lead_value, char *buf,
		     size_t cap)
{
	const struct layout *l;
	struct lines x;
	if (!full || jsonw_one_line(w))
		l = w->pretty ? &ONE_LINE : &COMPACT;
	else if (!(l = lines_of(w, &x)))
		return 0;
	struct jsonw_text t = { buf, buf + cap, false };
	compose(&t, l, r, full, disable_bgp, lead_key, lead_value);
	return t.full ? 0 : (size_t)(t.p - buf);
}

bool row_json_write(struct jsonw *w, const struct route_row *r, bool full, bool disable_bgp,
		    const char *lead_key, const char *lead_value)
{
	char buf[ROW_JSON_MAX];
	size_t n = row_json_text(w, r, full, disable_bgp, lead_key, lead_value, buf, sizeof(buf));
	if (n == 0)
		return false;
	jsonw_raw(w, buf, n);
	return true;
}
