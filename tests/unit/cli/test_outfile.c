/*
 * test_outfile.c - atomic output files (tools/cli/outfile.c).
 *
 * The contract of outfile.h, each part seen from outside: while the
 * content is being written the target still holds its old content and a
 * temporary file sits beside it; the target is then replaced by a rename
 * (a reader holding the old file keeps reading the old content); on any
 * failure the old target is intact, no temporary is left, the exit code is
 * 3 and the message names the path; the new file gets 0666 less the umask;
 * a target that is not a regular file (a device, a FIFO) is written in
 * place, and a directory is refused.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "outfile.h"
#include "testfs.h"

static char dir[TESTDIR_LEN];

static void mk_dir(void)
{
	testdir_make(dir, "outfile");
}

static void rm_dir(void)
{
	testdir_remove(dir);
}

static const char *at(const char *name)
{
	return testdir_at(dir, name);
}

static void expect_content(const char *path, const char *want)
{
	char *got = file_text(path);
	cr_expect_not_null(got, "%s cannot be read", path);
	if (got)
		cr_expect_str_eq(got, want, "%s", path);
	free(got);
}

/* Entries of dir, "." and ".." aside. */
static size_t entries(void)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* ---- writers --------------------------------------------------------------------- */

static int put(FILE *out, const void *text)
{
	return fputs(text, out) == EOF ? -1 : 0;
}

/* Writes a megabyte, then fails: the output is half written. */
static int put_then_fail(FILE *out, const void *text)
{
	for (int i = 0; i < 1 << 14; i++)
		fputs(text, out);
	return -1;
}

/* What the file system shows while the content is written. */
struct seen {
	const char *target;
	char *target_content;          /* NULL: no target yet */
	size_t temporaries;            /* files named target.tmp.* beside it */
};

/* The writer's context is const: it reaches the record through a pointer. */
struct seen_ref {
	struct seen *s;
};

static int look_while_writing(FILE *out, const void *ctx)
{
	struct seen *s = ((const struct seen_ref *)ctx)->s;
	fputs("new content\n", out);
	fflush(out);
	s->target_content = file_text(s->target);
	DIR *d = opendir(dir);
	char prefix[96];
	snprintf(prefix, sizeof(prefix), "%s.tmp.", strrchr(s->target, '/') + 1);
	for (struct dirent *e; d && (e = readdir(d));)
		s->temporaries += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return 0;
}

/* ---- replacing ------------------------------------------------------------------- */

Test(outfile, new_file_gets_the_content_and_the_umask_mode, .init = mk_dir, .fini = rm_dir)
{
	static const struct {
		mode_t mask, mode;
	} cases[] = { { 022, 0644 }, { 077, 0600 }, { 0, 0666 }, { 027, 0640 } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mode_t old = umask(cases[i].mask);
		const char *p = at("new.txt");
		unlink(p);
		cr_expect_eq(outfile_write(p, put, "hello\n", stderr), 0);
		umask(old);
		struct stat st;
		cr_assert_eq(stat(p, &st), 0);
		cr_expect_eq(st.st_mode & 0777, cases[i].mode, "umask %03o: mode %03o",
			     (unsigned)cases[i].mask, (unsigned)(st.st_mode & 0777));
		expect_content(p, "hello\n");
	}
	cr_expect_eq(outfile_write(at("empty.txt"), put, "", stderr), 0);
	expect_content(at("empty.txt"), "");
	cr_expect_eq(entries(), 2, "no temporary left");
}

Test(outfile, target_keeps_its_old_content_until_the_rename, .init = mk_dir, .fini = rm_dir)
{
	const char *p = at("report.xml");
	cr_assert_eq(outfile_write(p, put, "old content\n", stderr), 0);
	struct stat before;
	cr_assert_eq(stat(p, &before), 0);
	int reader = open(p, O_RDONLY);
	cr_assert_geq(reader, 0);
	struct seen s = { .target = p };
	cr_expect_eq(outfile_write(p, look_while_writing, &(struct seen_ref){ &s }, stderr), 0);
	cr_expect_str_eq(s.target_content, "old content\n", "the target while writing");
	cr_expect_eq(s.temporaries, 1, "one temporary beside the target while writing");
	free(s.target_content);
	expect_content(p, "new content\n");
	struct stat after;
	cr_assert_eq(stat(p, &after), 0);
	cr_expect_neq(after.st_ino, before.st_ino, "a new file renamed over the old one");
	/* The old file was never truncated or rewritten: a reader that had it
	 * open still reads all of the old content. */
	char buf[32] = { 0 };
	cr_expect_eq(read(reader, buf, sizeof(buf) - 1), 12);
	cr_expect_str_eq(buf, "old content\n");
	close(reader);
	cr_expect_eq(entries(), 1);
}

Test(outfile, first_write_shows_no_target_until_done, .init = mk_dir, .fini = rm_dir)
{
	const char *p = at("first.csv");
	struct seen s = { .target = p };
	cr_expect_eq(outfile_write(p, look_while_writing, &(struct seen_ref){ &s }, stderr), 0);
	cr_expect_null(s.target_content, "no half-written target visible");
	cr_expect_eq(s.temporaries, 1);
	expect_content(p, "new content\n");
}

/* A relative name is written in the current folder (its temporary too). */
Test(outfile, relative_name_in_the_current_folder, .init = mk_dir, .fini = rm_dir)
{
	char cwd[4096];
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	int rc = outfile_write("rel.txt", put, "relative\n", stderr);
	cr_assert_eq(chdir(cwd), 0);
	cr_expect_eq(rc, 0);
	expect_content(at("rel.txt"), "relative\n");
	cr_expect_eq(entries(), 1);
}

/* ---- failures ---------------------------------------------------------------------- */

/* The writer fails after a megabyte: exit 3, the message names the path,
 * the old target is intact and nothing else is left; without an old
 * target, no file appears. */
Test(outfile, failed_write_leaves_the_old_target_and_no_temporary, .init = mk_dir, .fini = rm_dir)
{
	const char *p = at("out.txt");
	cr_assert_eq(outfile_write(p, put, "kept\n", stderr), 0);
	struct capture err;
	cr_expect_eq(outfile_write(p, put_then_fail, "0123456789abcdef0123456789abcdef0123456789abcdef"
						     "0123456789abcde\n", capture_begin(&err)), 3);
	char *msg = capture_end(&err);
	cr_expect_not_null(strstr(msg, p), "the message names the path: %s", msg);
	cr_expect_not_null(strstr(msg, "cannot write"), "%s", msg);
	cr_expect_eq(msg[strlen(msg) - 1], '\n');
	free(msg);
	expect_content(p, "kept\n");
	cr_expect_eq(entries(), 1);
	const char *q = at("never.txt");
	cr_expect_eq(outfile_write(q, put_then_fail, "x", stderr), 3);
	cr_expect_neq(access(q, F_OK), 0, "no file where there was none");
	cr_expect_eq(entries(), 1);
}

/* No temporary can be made: exit 3 before anything is written. */
Test(outfile, unwritable_folder, .init = mk_dir, .fini = rm_dir)
{
	/* A regular file in place of the folder: ENOTDIR, even for root. */
	cr_assert_eq(outfile_write(at("plain"), put, "x", stderr), 0);
	struct capture err;
	cr_expect_eq(outfile_write(at("plain/out.txt"), put, "x", capture_begin(&err)), 3);
	char *msg = capture_end(&err);
	cr_expect_not_null(strstr(msg, "plain/out.txt"), "%s", msg);
	cr_expect_not_null(strstr(msg, "temporary"), "%s", msg);
	free(msg);
	expect_content(at("plain"), "x");
	/* A folder without write permission, with an old target in it. */
	cr_assert_eq(mkdir(at("ro"), 0777), 0);
	cr_assert_eq(outfile_write(at("ro/out.txt"), put, "old\n", stderr), 0);
	cr_assert_eq(chmod(at("ro"), 0555), 0);
	if (geteuid() == 0) {
		fprintf(stderr, "note: running as root, folder permissions do not apply: the "
				"read-only folder case is skipped\n");
		return;
	}
	cr_expect_eq(outfile_write(at("ro/out.txt"), put, "new\n", stderr), 3);
	expect_content(at("ro/out.txt"), "old\n");
	DIR *d = opendir(at("ro"));
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	cr_expect_eq(n, 1, "nothing but the old target");
}

Test(outfile, a_directory_is_refused, .init = mk_dir, .fini = rm_dir)
{
	cr_assert_eq(mkdir(at("d"), 0777), 0);
	struct capture err;
	cr_expect_eq(outfile_write(at("d"), put, "x", capture_begin(&err)), 3);
	char *msg = capture_end(&err);
	cr_expect_not_null(strstr(msg, strerror(EISDIR)), "%s", msg);
	free(msg);
	struct stat st;
	cr_assert_eq(stat(at("d"), &st), 0);
	cr_expect(S_ISDIR(st.st_mode));
	cr_expect_eq(entries(), 1, "no temporary beside it");
}

/* ---- targets that are not regular files: written in place ----------------------------- */

Test(outfile, a_device_is_written_in_place)
{
	cr_expect_eq(outfile_write("/dev/null", put, "discarded\n", stderr), 0);
	struct stat st;
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_expect(S_ISCHR(st.st_mode), "/dev/null is still a device");
}

Test(outfile, a_fifo_is_written_in_place, .init = mk_dir, .fini = rm_dir)
{
	const char *p = at("pipe");
	cr_assert_eq(mkfifo(p, 0600), 0);
	int rd = open(p, O_RDONLY | O_NONBLOCK); /* a reader, so the writer's open returns */
	cr_assert_geq(rd, 0);
	cr_expect_eq(outfile_write(p, put, "through the pipe\n", stderr), 0);
	char buf[64] = { 0 };
	cr_expect_eq(read(rd, buf, sizeof(buf) - 1), 17);
	cr_expect_str_eq(buf, "through the pipe\n");
	close(rd);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_expect(S_ISFIFO(st.st_mode), "still a FIFO, not replaced by a file");
	cr_expect_eq(entries(), 1);
}
