/*
 * testfs.h - test helper: temporary folders and whole files, without a
 * shell (a test may change PATH).
 *
 * A folder is made under /tmp with mkdtemp and removed whole, read-only
 * folders inside it included.  Texts are malloc'd, NUL-terminated; the
 * caller frees them.  Everything is static inline: each test executable
 * takes only what it uses.
 */
#ifndef TESTS_UNIT_TESTFS_H
#define TESTS_UNIT_TESTFS_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TESTDIR_LEN 64

/* "/tmp/vnetsim-test-<tag>.XXXXXX", made. */
static inline void testdir_make(char path[TESTDIR_LEN], const char *tag)
{
	snprintf(path, TESTDIR_LEN, "/tmp/vnetsim-test-%s.XXXXXX", tag);
	cr_assert_not_null(mkdtemp(path), "mkdtemp %s", path);
}

/* rm -r path (a folder made writable before it is emptied). */
static inline void testdir_remove(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		cr_assert_not_null(d, "%s", path);
		for (struct dirent *e; (e = readdir(d));) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[512];
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			testdir_remove(sub);
		}
		closedir(d);
	}
	cr_assert_eq(remove(path), 0, "remove %s", path);
}

/* dir/name in one of four rotating buffers (a call may use a few). */
static inline const char *testdir_at(const char *dir, const char *name)
{
	static char buf[4][256];
	static unsigned k;
	char *p = buf[k++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* The rest of a stream. */
static inline char *stream_text(FILE *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	cr_assert_not_null(out);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		cr_assert_eq(fwrite(chunk, 1, n, out), n);
	cr_assert_eq(fclose(out), 0);
	return buf;
}

/* A whole file, or NULL when it cannot be opened. */
static inline char *file_text(const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return NULL;
	char *text = stream_text(in);
	fclose(in);
	return text;
}

static inline void file_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0, "%s", path);
}

#endif
