/*
 * diag.c - diagnostics collector.
 *
 * Structure: a growable array of entries in insertion order, each owning
 * malloc'd copies of its file, path and formatted message, plus one counter
 * per severity.  The array stops growing at DIAG_MAX_STORED entries; later
 * diagnostics (and any that could not be stored for lack of memory) are
 * still counted, so a caller never mistakes a flood of errors, or an
 * allocation failure, for a clean input.  The cap keeps a hostile input
 * from turning into unbounded memory.
 *
 * Output format, one line per stored entry (GNU compiler style):
 *	FILE: PATH: SEVERITY: MESSAGE
 * where "FILE: " is omitted when the file is NULL and "PATH: " when the path
 * is NULL, then "... and N more diagnostics not shown" when entries were
 * counted but not stored.
 *
 * Costs: diag_add is O(length of the message) amortised; diag_print is
 * O(total text).
 */
#include "diag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

#define DIAG_NSEV 3 /* DIAG_ERROR, DIAG_WARNING, DIAG_NOTE */

struct diag {
	struct diag_entry *entries; /* stored entries, insertion order */
	size_t n;                   /* entries stored, <= DIAG_MAX_STORED */
	size_t cap;                 /* entries allocated */
	size_t total;               /* entries added, stored or not */
	size_t count[DIAG_NSEV];    /* entries added per severity, stored or not */
};

struct diag *diag_create(void)
{
	return calloc(1, sizeof(struct diag));
}

static void diag_entry_free(struct diag_entry *e)
{
	free(e->file);
	free(e->path);
	free(e->message);
}

void diag_clear(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		diag_entry_free(&d->entries[i]);
	d->n = 0;
	d->total = 0;
	memset(d->count, 0, sizeof(d->count));
}

void diag_destroy(struct diag *d)
{
	if (d == NULL)
		return;
	diag_clear(d);
	free(d->entries);
	free(d);
}

/* strdup that keeps NULL as NULL; *failed is set on allocation failure. */
static char *diag_strdup(const char *s, bool *failed)
{
	if (s == NULL)
		return NULL;
	size_t len = strlen(s);
	char *p = malloc(len + 1);
	if (p == NULL) {
		*failed = true;
		return NULL;
	}
	memcpy(p, s, len + 1);
	return p;
}

static char *diag_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *diag_vformat(const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *p = malloc((size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* Redeclared with the format attribute the header leaves out, so that
 * -Wformat=2 can follow fmt from diag_add down to vsnprintf. */
void diag_vadd(struct diag *d, enum diag_severity sev, const char *file, const char *path,
	       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

void diag_vadd(struct diag *d, enum diag_severity sev, const char *file, const char *path,
	       const char *fmt, va_list ap)
{
	if ((unsigned)sev >= DIAG_NSEV)
		sev = DIAG_ERROR; /* an unknown severity must not hide a problem */
	d->count[sev]++;
	d->total++;
	if (d->n == DIAG_MAX_STORED)
		return;

	/* Doubling may allocate a little past DIAG_MAX_STORED (1024 entries);
	 * the check above is what caps the count. */
	if (VEC_RESERVE(d->entries, d->cap, d->n + 1) != 0)
		return; /* counted, reported as not shown */

	bool failed = false;
	struct diag_entry e = {
		.severity = sev,
		.file = diag_strdup(file, &failed),
		.path = diag_strdup(path, &failed),
		.message = diag_vformat(fmt, ap),
	};
	if (failed || e.message == NULL) {
		diag_entry_free(&e);
		return;
	}
	d->entries[d->n++] = e;
}

void diag_add(struct diag *d, enum diag_severity sev, const char *file, const char *path,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, sev, file, path, fmt, ap);
	va_end(ap);
}

size_t diag_count(const struct diag *d, enum diag_severity sev)
{
	return (unsigned)sev < DIAG_NSEV ? d->count[sev] : 0;
}

size_t diag_stored(const struct diag *d)
{
	return d->n;
}

const struct diag_entry *diag_get(const struct diag *d, size_t i)
{
	return i < d->n ? &d->entries[i] : NULL;
}

const char *diag_severity_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	case DIAG_NOTE:
		return "note";
	}
	return "error";
}

/* Bytes that diag_escape rewrites: C0, DEL, and the second byte of a
 * UTF-8 encoded C1 control (0xC2 0x80..0x9F) at *p.  Returns how many
 * input bytes the control takes (0: none here). */
static size_t control_at(const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f)
		return 1;
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

size_t diag_escape(char *dst, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = control_at(p);
		if (k == 0) {
			if (dst)
				dst[n] = (char)*p;
			n++;
			p++;
			continue;
		}
		unsigned c = k == 1 ? *p : p[1];
		if (dst) {
			dst[n] = '\\';
			dst[n + 1] = 'x';
			dst[n + 2] = hex[c >> 4];
			dst[n + 3] = hex[c & 15];
		}
		n += 4;
		p += k;
	}
	if (dst)
		dst[n] = '\0';
	return n;
}

char *diag_escape_dup(const char *s)
{
	char *out = malloc(diag_escape(NULL, s) + 1);
	if (out)
		diag_escape(out, s);
	return out;
}

int diag_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (control_at(p))
			return 1;
	return 0;
}

/* s escaped on out (a stack buffer for the usual short text). */
static void put_escaped(FILE *out, const char *s)
{
	char buf[512];
	size_t n = diag_escape(NULL, s);
	char *e = n < sizeof(buf) ? buf : malloc(n + 1);
	if (!e) {
		fputs("(message not shown: out of memory)", out);
		return;
	}
	diag_escape(e, s);
	fputs(e, out);
	if (e != buf)
		free(e);
}

size_t diag_print(const struct diag *d, FILE *out)
{
	size_t lines = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct diag_entry *e = &d->entries[i];
		if (e->file != NULL) {
			put_escaped(out, e->file);
			fputs(": ", out);
		}
		if (e->path != NULL) {
			put_escaped(out, e->path);
			fputs(": ", out);
		}
		fprintf(out, "%s: ", diag_severity_name(e->severity));
		put_escaped(out, e->message);
		fputc('\n', out);
		lines++;
	}
	if (d->total > d->n) {
		fprintf(out, "... and %zu more diagnostics not shown\n", d->total - d->n);
		lines++;
	}
	return lines;
}
