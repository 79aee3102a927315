/*
 * refpath.c - see refpath.h.
 *
 * Resolution is realpath(3) of the scenario's folder joined with the
 * reference, compared with realpath of the root: that covers `..` and
 * symlinks at every level.  The file is then opened with O_NOFOLLOW and
 * O_NONBLOCK (a FIFO swapped in after the check cannot block the open) and
 * checked again through fstat, on the open descriptor.
 */
/* realpath(3) is X/Open. */
#define _XOPEN_SOURCE 700

#include "refpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonin.h"

/* The folder of file ("." when it has none), malloc'd. */
static char *folder_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	size_t n = slash ? (size_t)(slash - file) : 1;
	char *dir = malloc(n + 1);
	if (dir) {
		memcpy(dir, slash ? file : ".", slash ? n : 1);
		dir[n] = '\0';
		if (slash && n == 0)
			strcpy(dir, "/");
	}
	return dir;
}

static bool inside(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && path[n] == '/';
}

/* The resolved path of ref, or NULL with why filled. */
static char *resolve(const char *scenario_file, const char *ref, const char *root,
		     enum ref_status *st, char *why, size_t whylen)
{
	*st = REF_BAD;
	if (ref[0] == '\0' || ref[0] == '/') {
		snprintf(why, whylen, "%s", ref[0] ? "an absolute path is not allowed (give a "
						     "path relative to the scenario's folder)"
						   : "an empty file name");
		return NULL;
	}
	char *dir = folder_of(scenario_file), *joined = NULL;
	char *rroot = NULL, *rpath = NULL;
	if (dir && (joined = malloc(strlen(dir) + strlen(ref) + 2)) != NULL)
		sprintf(joined, "%s/%s", dir, ref);
	if (!dir || !joined) {
		*st = REF_IO;
		snprintf(why, whylen, "out of memory");
	} else if (!(rroot = realpath(root ? root : dir, NULL))) {
		*st = errno == ENOMEM ? REF_IO : REF_BAD;
		snprintf(why, whylen, "cannot resolve the folder %s: %s", root ? "of --ref-root" :
			 "of the scenario", strerror(errno));
	} else if (!(rpath = realpath(joined, NULL))) {
		*st = errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? REF_BAD : REF_IO;
		snprintf(why, whylen, "%s", errno == ENOENT ? "no such file" : strerror(errno));
	} else if (!inside(rpath, rroot)) {
		snprintf(why, whylen,
			 "resolves outside the %s (`..` or a symlink leaving it); "
			 "--ref-root DIR allows a wider folder",
			 root ? "--ref-root folder" : "scenario's folder");
		free(rpath);
		rpath = NULL;
	}
	free(dir);
	free(joined);
	free(rroot);
	return rpath;
}

enum ref_status ref_read(const char *scenario_file, const char *ref, const char *root,
			 char **text, size_t *len, char *why, size_t whylen)
{
	*text = NULL;
	*len = 0;
	enum ref_status st;
	char *path = resolve(scenario_file, ref, root, &st, why, whylen);
	if (!path)
		return st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	free(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return errno == EACCES || errno == EIO || errno == ENOMEM ? REF_IO : REF_BAD;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)REF_MAX_BYTES) {
		snprintf(why, whylen, S_ISREG(sb.st_mode) ? "larger than %u MiB" :
			 "not a regular file", REF_MAX_BYTES >> 20);
		close(fd);
		return REF_BAD;
	}
	/* The size may change under us: read at most the cap plus one byte. */
	size_t cap = (size_t)sb.st_size + 1, n = 0;
	char *buf = malloc(cap);
	ssize_t got = 1;
	while (buf && n < cap && (got = read(fd, buf + n, cap - n)) > 0)
		n += (size_t)got;
	int err = errno;
	close(fd);
	if (!buf || got < 0) {
		free(buf);
		snprintf(why, whylen, "cannot read: %s", buf ? strerror(err) : "out of memory");
		return REF_IO;
	}
	if (n > REF_MAX_BYTES) {
		free(buf);
		snprintf(why, whylen, "larger than %u MiB", REF_MAX_BYTES >> 20);
		return REF_BAD;
	}
	*text = buf;
	*len = n;
	return REF_OK;
}

cJSON *ref_parse(const char *scenario_file, const char *ref, const char *root, char *why,
		 size_t whylen, bool *io_error)
{
	char *text;
	size_t len;
	*io_error = false;
	enum ref_status st = ref_read(scenario_file, ref, root, &text, &len, why, whylen);
	if (st != REF_OK) {
		*io_error = st == REF_IO;
		return NULL;
	}
	/* Parsed with a diagnostics collector of its own: its messages may
	 * quote the text, so only the position of the first one is kept. */
	struct diag *scratch = diag_create();
	cJSON *doc = scratch ? jin_parse_text(ref, text, len, scratch) : NULL;
	free(text);
	if (!scratch) {
		*io_error = true;
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (!doc) {
		const struct diag_entry *e = diag_stored(scratch) ? diag_get(scratch, 0) : NULL;
		size_t line = 0, col = 0;
		if (e && sscanf(e->message, "%zu:%zu:", &line, &col) == 2)
			snprintf(why, whylen, "invalid JSON at %zu:%zu (content not shown)", line,
				 col);
		else
			snprintf(why, whylen, "not a valid JSON document (content not shown)");
	}
	diag_destroy(scratch);
	return doc;
}
