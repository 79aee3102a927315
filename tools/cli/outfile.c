/*
 * outfile.c - atomic output files.  See outfile.h.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int fail(const char *path, const char *what, int e, FILE *err)
{
	fprintf(err, "%s: cannot %s: %s\n", path, what, strerror(e));
	return CLI_EXIT_ENV;
}

/* Flushes, syncs and closes f; 0 or an errno value. */
static int finish(FILE *f, int write_rc)
{
	int e = 0;
	if (write_rc != 0 || ferror(f))
		e = errno ? errno : EIO;
	if (!e && fflush(f) != 0)
		e = errno;
	if (!e && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)
		e = errno; /* EINVAL: a device or FIFO cannot be synced */
	if (fclose(f) != 0 && !e)
		e = errno;
	return e;
}

static int write_in_place(const char *path, int (*write)(FILE *, const void *), const void *ctx, FILE *err)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return fail(path, "open for writing", errno, err);
	errno = 0;
	int e = finish(f, write(f, ctx));
	return e ? fail(path, "write", e, err) : 0;
}

int outfile_write(const char *path, int (*write)(FILE *, const void *), const void *ctx, FILE *err)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return fail(path, "write", EISDIR, err);
		return write_in_place(path, write, ctx, err);
	}
	size_t n = strlen(path);
	char *tmp = malloc(n + 16), *dir = malloc(n + 2);
	if (!tmp || !dir) {
		free(tmp);
		free(dir);
		return fail(path, "write", ENOMEM, err);
	}
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(dir, n + 2, "%.*s", (int)(slash - path + 1), path);
	else
		strcpy(dir, ".");
	int rc = 0;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		rc = fail(path, "create a temporary file next to it", errno, err);
	} else {
		/* mkstemp makes it 0600; an output file gets the usual mode. */
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
		FILE *f = fdopen(fd, "w");
		if (!f) {
			close(fd);
			rc = fail(path, "write", errno, err);
		} else {
			errno = 0;
			int e = finish(f, write(f, ctx));
			if (e)
				rc = fail(path, "write", e, err);
		}
		if (!rc && rename(tmp, path) != 0)
			rc = fail(path, "rename the temporary file onto it", errno, err);
		if (rc) {
			unlink(tmp);
		} else {
			int dfd = open(dir, O_RDONLY | O_DIRECTORY);
			if (dfd >= 0) {
				fsync(dfd);
				close(dfd);
			}
		}
	}
	free(tmp);
	free(dir);
	return rc;
}
