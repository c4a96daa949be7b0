// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fw-image: write a firmware image for the tests.
 *
 *   fw-image VERSION PAYLOAD_BYTES FILE   an OCXLPMFW image the card model
 *                                         installs as VERSION
 *   fw-image --opaque BYTES FILE          bytes without the header (the model
 *                                         refuses them at FINISH)
 *
 * The payload is a deterministic pattern, so two runs write the same file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ocxlpmem/codec.h>

int main(int argc, char **argv)
{
	bool opaque = argc == 4 && strcmp(argv[1], "--opaque") == 0;
	unsigned long long n;
	uint8_t *buf;
	size_t cap, len;
	char *end;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: fw-image VERSION PAYLOAD_BYTES FILE | --opaque BYTES FILE\n");
		return 64;
	}
	n = strtoull(argv[2], &end, 0);
	if (*end || n > (1ull << 30)) {
		fprintf(stderr, "fw-image: bad size '%s'\n", argv[2]);
		return 64;
	}
	cap = (size_t)n + 32;
	buf = calloc(1, cap);
	if (!buf)
		return 1;
	for (size_t i = 0; i < n; i++)
		buf[32 + i] = (uint8_t)(i * 131 + 7);
	if (opaque) {
		memmove(buf, buf + 32, (size_t)n);
		len = (size_t)n;
	} else {
		ssize_t r = ocxlpmem_fw_image_build(argv[1], buf + 32, (size_t)n, buf, cap);

		if (r < 0) {
			fprintf(stderr, "fw-image: %s\n", strerror((int)-r));
			free(buf);
			return 1;
		}
		len = (size_t)r;
	}
	f = fopen(argv[3], "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fw-image: %s: %s\n", argv[3], strerror(errno));
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}
