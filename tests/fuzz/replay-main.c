// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Replay a fuzz target's corpus without libFuzzer: make check builds every
 * target with this main() and runs it over tests/fuzz/corpus/<target>/, so
 * the corpus (seeds and every crash ever fixed) is a regression test even
 * where clang is not installed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CORPUS_DIR
#error "CORPUS_DIR must name the corpus directory"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read a whole file into an exactly sized buffer (ASan sees overreads). */
static int read_file(int dirfd, const char *name, uint8_t **ret_data, size_t *ret_size)
{
	struct stat st;
	uint8_t *data;
	size_t done = 0;
	int fd, r = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out_close;
	}
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		r = -ENOMEM;
		goto out_close;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, (size_t)st.st_size - done);

		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			free(data);
			goto out_close;
		}
		done += (size_t)n;
	}
	*ret_data = data;
	*ret_size = done;
out_close:
	close(fd);
	return r;
}

int main(void)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *dir;

	dir = opendir(CORPUS_DIR);
	if (!dir) {
		fprintf(stderr, "%s: %s\n", CORPUS_DIR, strerror(errno));
		return EXIT_FAILURE;
	}
	while ((de = readdir(dir))) {
		struct stat st;
		uint8_t *data = NULL;
		size_t size = 0;
		int r;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		r = read_file(dirfd(dir), de->d_name, &data, &size);
		if (r < 0) {
			fprintf(stderr, "%s/%s: %s\n", CORPUS_DIR, de->d_name, strerror(-r));
			closedir(dir);
			return EXIT_FAILURE;
		}
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		n++;
	}
	closedir(dir);
	printf("%u inputs replayed\n", n);
	if (!n) {
		fprintf(stderr, "%s: no corpus files\n", CORPUS_DIR);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
