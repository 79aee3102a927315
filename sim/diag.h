/*
 * diag.h - diagnostics collector for bad input.
 *
 * Bad input is never fatal on the spot: every problem is collected with the
 * file, the JSON path ($.topology.virtualNetworks[0].name) and a message,
 * and the caller decides (exit 2 when any error exists).  Entries keep
 * insertion order.  Storage is capped (DIAG_MAX_STORED); counts are not.
 * Ownership: the collector keeps its own copies of file, path and message
 * (diag_destroy frees them); entries returned by diag_get are borrowed.
 * Costs: O(1) amortised per diagnostic, memory O(stored).
 */
#ifndef SIM_DIAG_H
#define SIM_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_MAX_STORED 1000

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag_entry {
	enum diag_severity severity;
	char *file;    /* may be NULL */
	char *path;    /* JSON path, may be NULL */
	char *message;
};

struct diag;

struct diag *diag_create(void);
void diag_destroy(struct diag *d); /* NULL is a no-op */
void diag_add(struct diag *d, enum diag_severity sev, const char *file, const char *path,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_vadd(struct diag *d, enum diag_severity sev, const char *file, const char *path,
	       const char *fmt, va_list ap);
size_t diag_count(const struct diag *d, enum diag_severity sev); /* all, stored or not */
size_t diag_stored(const struct diag *d);
const struct diag_entry *diag_get(const struct diag *d, size_t i);
/* "file: $.path: error: message" one per line (each part escaped,
 * diag_escape), then a line for entries not
 * stored.  Returns the number of lines written. */
size_t diag_print(const struct diag *d, FILE *out);
const char *diag_severity_name(enum diag_severity sev);

/* Text from input made safe to print: every control character (C0, DEL,
 * and U+0080..U+009F encoded in UTF-8) becomes \xNN (\n, \t, \r
 * included), so input can neither drive the terminal nor start a line of
 * its own (issue 18).  The one escaping function: diag_print and the
 * table renderer use it.  Writes to dst (when not NULL) and returns the
 * escaped length, without the NUL; dst needs that length plus one. */
size_t diag_escape(char *dst, const char *s);
/* diag_escape into a malloc'd string; NULL when out of memory. */
char *diag_escape_dup(const char *s);
/* Whether s holds a character diag_escape would escape (names must not). */
int diag_has_control(const char *s);
void diag_clear(struct diag *d);

#endif
