/*
 * outfile.h - writing an output file so that it is never seen half
 * written (STYLE "never losing data"): the content goes to a temporary
 * file in the same directory (mkstemp, so the rename stays inside one
 * file system), is flushed and fsync'd, then renamed over the target, and
 * the directory is fsync'd so the rename itself survives a crash.  On any
 * failure the temporary file is removed and the old target, if any, is
 * left as it was.
 *
 * A target that exists and is not a regular file (a device such as
 * /dev/stdout or /dev/full, a FIFO) is written in place: renaming over it
 * would replace the device node.
 *
 * Ownership: the FILE handed to the write callback is outfile_write's and
 * closed by it; the callback only writes.  Costs: two fsyncs per file (the
 * data, then the directory): milliseconds, once per output file.
 */
#ifndef TOOLS_OUTFILE_H
#define TOOLS_OUTFILE_H

#include <stdio.h>

/* Writes the file with write(out, ctx); write returns 0 or -1.  Returns an
 * exit code of tools/cli/cli.h: 0, or 3 with a message naming path on err. */
int outfile_write(const char *path, int (*write)(FILE *out, const void *ctx), const void *ctx, FILE *err);

#endif
