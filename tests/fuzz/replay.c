/* tests/fuzz/replay.c - replay fuzz seeds (files or directories) through a fuzz target. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int	replay_path(const char *, unsigned *);

static int
replay_file(const char *path, unsigned *n)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;
	size_t len;

	f = fopen(path, "rb");
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	len = (size_t)st.st_size;
	/* exact-size heap copy so ASan sees a one-byte over-read */
	buf = malloc(len ? len : 1);
	if (buf == NULL || fread(buf, 1, len, f) != len) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	(*n)++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_dir(const char *path, unsigned *n)
{
	struct dirent *de;
	char **names = NULL;
	size_t cnt = 0, cap = 0, i;
	DIR *d = opendir(path);
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: cannot open directory %s\n", path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char *full;
		size_t l;

		if (de->d_name[0] == '.')
			continue;
		if (cnt == cap) {
			char **nn;

			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
		}
		l = strlen(path) + strlen(de->d_name) + 2;
		full = malloc(l);
		if (full == NULL)
			break;
		snprintf(full, l, "%s/%s", path, de->d_name);
		names[cnt++] = full;
	}
	closedir(d);
	if (cnt > 0)
		qsort(names, cnt, sizeof(*names), cmp_str);
	for (i = 0; i < cnt; i++) {
		if (replay_path(names[i], n) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
replay_path(const char *path, unsigned *n)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: no such file: %s\n", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_dir(path, n);
	return replay_file(path, n);
}

int
main(int argc, char **argv)
{
	unsigned n = 0;
	int i, rc = 0;

	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &n) != 0)
			rc = 1;
	printf("replayed %u input%s\n", n, n == 1 ? "" : "s");
	if (n == 0) {
		fprintf(stderr, "replay: no inputs\n");
		return 1;
	}
	return rc;
}
