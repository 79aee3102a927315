/*
 * armid.c - ARM resource ID parsing and keys.  See armid.h.
 */
#include "armid.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char PREFIX[] = "/subscriptions/";

bool armid_is(const char *s)
{
	return s && strncasecmp(s, PREFIX, sizeof(PREFIX) - 1) == 0;
}

bool armid_part_is(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

/* The next '/'-delimited segment at *p: its start and length; false at the
 * end or for an empty segment. */
static bool segment(const char **p, const char **seg, size_t *len)
{
	const char *s = *p;
	if (*s == '/')
		s++;
	if (*s == '\0' || *s == '/')
		return false;
	const char *e = strchr(s, '/');
	if (!e)
		e = s + strlen(s);
	*seg = s;
	*len = (size_t)(e - s);
	*p = e;
	return true;
}

bool armid_parse(const char *s, struct armid *out, const char **why)
{
	const char *p = s, *seg;
	size_t len;
	memset(out, 0, sizeof(*out));
	*why = "not a resource ID (/subscriptions/{id}/resourceGroups/{group}/providers/...)";
	if (!armid_is(s))
		return false;
	p = s + sizeof(PREFIX) - 2; /* at the '/' before the subscription */
	if (!segment(&p, &out->sub, &out->sub_len)) {
		*why = "no subscription";
		return false;
	}
	if (!segment(&p, &seg, &len) || !armid_part_is(seg, len, "resourceGroups") ||
	    !segment(&p, &out->rg, &out->rg_len)) {
		*why = "no resource group";
		return false;
	}
	if (!segment(&p, &seg, &len) || !armid_part_is(seg, len, "providers") ||
	    !segment(&p, &out->ns, &out->ns_len)) {
		*why = "no provider namespace";
		return false;
	}
	while (segment(&p, &seg, &len)) {
		if (out->levels == ARMID_MAX_LEVELS) {
			*why = "too many levels";
			return false;
		}
		size_t k = out->levels;
		out->type[k] = seg;
		out->type_len[k] = len;
		if (!segment(&p, &out->name[k], &out->name_len[k])) {
			*why = "a resource type without a name";
			return false;
		}
		out->levels++;
	}
	if (*p == '/' && p[1] == '\0')
		p++;
	if (*p != '\0' || out->levels == 0) {
		*why = out->levels == 0 ? "no resource type and name" : "an empty segment";
		return false;
	}
	return true;
}

bool armid_key(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s);
	if (n > 1 && s[n - 1] == '/')
		n--;
	if (n + 1 > size)
		return false;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[n] = '\0';
	return true;
}

/* parts[0..n) joined with '/' into buf, lower case when lower. */
static bool join(const char *const *parts, const size_t *lens, size_t n, bool lower, char *buf,
		 size_t size)
{
	size_t at = 0;
	for (size_t k = 0; k < n; k++) {
		if (at + lens[k] + 2 > size)
			return false;
		if (k)
			buf[at++] = '/';
		for (size_t i = 0; i < lens[k]; i++)
			buf[at++] = lower ? (char)tolower((unsigned char)parts[k][i]) : parts[k][i];
	}
	buf[at] = '\0';
	return size > 0;
}

bool armid_type_path(const struct armid *id, char *buf, size_t size)
{
	return join(id->type, id->type_len, id->levels, true, buf, size);
}

bool armid_short(const struct armid *id, char *buf, size_t size)
{
	return join(id->name, id->name_len, id->levels, false, buf, size);
}
