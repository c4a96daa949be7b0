// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump-verify FILE...: check saved controller dumps of simulated cards
 * byte for byte.  For each file: the header parses, the file is exactly
 * header + size bytes, the data's SHA-256 is the header's, and every byte
 * is what the card model made for that serial and dump id
 * (ocxlpmem_model_dump_content).  Prints "SERIAL DUMP_ID SIZE" per good
 * file; exit 0 when all are good, 1 otherwise.
 *
 * dump-verify --power-cycles N FILE...: the same for dumps a card made
 * after its N-th power cycle (ocxlpmem_model_dump_content_after).
 *
 * dump-verify --content SERIAL DUMP_ID SIZE: write that dump's data to
 * stdout (the benchmark's baseline writes the same bytes with dd).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>
#include <ocxlpmem/ocxlpmem.h>

#include "jobs/dump-file.h"

#define BLOCK (1u << 20)

static int verify(const char *path, uint32_t power_cycles)
{
	uint8_t hdr[DUMP_FILE_HEADER_SIZE], digest[SHA256_DIGEST_SIZE];
	uint8_t *got = malloc(BLOCK), *want = malloc(BLOCK);
	struct sha256_ctx sha;
	struct dump_meta m;
	char hex[65];
	uint64_t off = 0;
	int fd, r = 1;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !got || !want) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	n = read(fd, hdr, sizeof(hdr));
	if (n != (ssize_t)sizeof(hdr) || dump_header_parse(hdr, sizeof(hdr), &m) < 0) {
		fprintf(stderr, "%s: no valid dump header\n", path);
		goto out;
	}
	sha256_init(&sha);
	while ((n = read(fd, got, BLOCK)) > 0) {
		if (off + (uint64_t)n > m.size) {
			fprintf(stderr, "%s: longer than the header's %" PRIu64 " bytes\n", path, m.size);
			goto out;
		}
		ocxlpmem_model_dump_content_after(m.serial, power_cycles, m.dump_id, off, want,
						  (size_t)n);
		if (memcmp(got, want, (size_t)n) != 0) {
			for (ssize_t i = 0; i < n; i++)
				if (got[i] != want[i]) {
					fprintf(stderr, "%s: data differs at offset %" PRIu64 "\n", path,
						off + (uint64_t)i);
					break;
				}
			goto out;
		}
		sha256_update(&sha, (size_t)n, got);
		off += (uint64_t)n;
	}
	if (n < 0 || off != m.size) {
		fprintf(stderr, "%s: %" PRIu64 " data bytes, the header says %" PRIu64 "\n", path, off,
			m.size);
		goto out;
	}
	sha256_digest(&sha, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	if (strcmp(hex, m.sha256) != 0) {
		fprintf(stderr, "%s: SHA-256 %s, the header says %s\n", path, hex, m.sha256);
		goto out;
	}
	printf("%" PRIu64 " %" PRIu32 " %" PRIu64 "\n", m.serial, m.dump_id, m.size);
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(got);
	free(want);
	return r;
}

static int content(const char *serial, const char *dump_id, const char *size)
{
	uint64_t s = strtoull(serial, NULL, 10), n = strtoull(size, NULL, 10), off = 0;
	uint32_t id = (uint32_t)strtoul(dump_id, NULL, 10);
	uint8_t *buf = malloc(BLOCK);

	if (!buf)
		return 1;
	while (off < n) {
		size_t len = n - off < BLOCK ? (size_t)(n - off) : BLOCK;

		ocxlpmem_model_dump_content(s, id, off, buf, len);
		if (fwrite(buf, 1, len, stdout) != len) {
			free(buf);
			return 1;
		}
		off += len;
	}
	free(buf);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint32_t power_cycles = 0;
	int bad = 0, first = 1;

	if (argc == 5 && strcmp(argv[1], "--content") == 0)
		return content(argv[2], argv[3], argv[4]);

	if (argc > 2 && strcmp(argv[1], "--power-cycles") == 0) {
		char *end;
		unsigned long v = strtoul(argv[2], &end, 10);

		if (!*argv[2] || *end || v > UINT32_MAX) {
			fprintf(stderr, "dump-verify: bad --power-cycles %s\n", argv[2]);
			return 64;
		}
		power_cycles = (uint32_t)v;
		first = 3;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: dump-verify [--power-cycles N] FILE...\n");
		return 64;
	}
	for (int i = first; i < argc; i++)
		bad |= verify(argv[i], power_cycles);
	return bad;
}
