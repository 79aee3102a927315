/*
 * driver.c - a main() for the fuzz targets where libFuzzer is not used
 * (gcc, the normal test suite): runs LLVMFuzzerTestOneInput once on every
 * file named and on every *.json file under every folder named, and fails
 * only if the target crashes or a file cannot be read.  Prints
 * how many inputs ran, so a suite that ran none is visible.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 1 << 16, len = 0, got;
	unsigned char *buf = malloc(cap);
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			} else {
				buf = nb;
				cap *= 2;
			}
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", path);
		return -1;
	}
	/* A copy of exactly len bytes, so that reading past the end is caught
	 * by a sanitizer as it would be under libFuzzer. */
	unsigned char *exact = malloc(len ? len : 1);
	if (exact)
		memcpy(exact, buf, len);
	free(buf);
	if (!exact)
		return -1;
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

/* Runs every *.json file under path (depth-first, in readdir order, at
 * most MAX_INPUT bytes each: the scale scenarios are left out); a file
 * named directly always runs. */
#define MAX_INPUT (1 << 20)

static int run_tree(const char *path, bool named, size_t *runs)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		size_t n = strlen(path);
		if (!named && (!S_ISREG(st.st_mode) || st.st_size > MAX_INPUT || n < 5 ||
			       strcmp(path + n - 5, ".json") != 0))
			return 0;
		(*runs)++;
		return run_file(path);
	}
	DIR *dir = opendir(path);
	if (!dir) {
		perror(path);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(dir)) != NULL) {
		char sub[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rc = run_tree(sub, false, runs);
	}
	closedir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	size_t runs = 0;
	for (int i = 1; i < argc; i++)
		if (run_tree(argv[i], true, &runs) != 0)
			return 1;
	printf("%zu inputs ran\n", runs);
	return runs > 0 ? 0 : 1;
}
