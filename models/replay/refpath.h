/*
 * refpath.h - files a scenario references (an expectation's `routes`
 * file), read only where they may be: the reference is relative, resolves
 * (after `..` and every symlink) inside the root folder (the scenario's
 * own folder, or the one `--ref-root` gives), names a regular file (a FIFO
 * or device is refused without blocking) of at most REF_MAX_BYTES.  A
 * scenario from a pull request thus cannot make vnetsim read, block on or
 * print anything outside its folder (issue 18; README "Referenced files").
 *
 * Parse errors of a referenced file give the position only, never its
 * bytes (ref_parse).  Invariants: nothing is read before every check has
 * passed; messages never contain the file's content.
 * Ownership: *text (ref_read) and the document (ref_parse) are the
 * caller's.
 */
#ifndef REPLAY_REFPATH_H
#define REPLAY_REFPATH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"

#define REF_MAX_BYTES (8u << 20)

enum ref_status { REF_OK, REF_BAD, REF_IO };

/* Reads ref, relative to the folder of scenario_file, if it resolves inside
 * root (NULL: that folder).  On failure writes why (no content) to why. */
enum ref_status ref_read(const char *scenario_file, const char *ref, const char *root,
			 char **text, size_t *len, char *why, size_t whylen);

/* ref_read, then the JSON parse; NULL on failure, with why filled (a parse
 * error as "invalid JSON at LINE:COL").  *io_error for REF_IO. */
cJSON *ref_parse(const char *scenario_file, const char *ref, const char *root, char *why,
		 size_t whylen, bool *io_error);

#endif
