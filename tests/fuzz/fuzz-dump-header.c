// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the dump file header parser (daemon/jobs/dump-header.c).  A refused
 * input leaves the output alone; an accepted one formats to a header that
 * parses to the same meta and formats to the same block again (what the
 * daemon reads, it can write back).  A violation abort()s.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/dump-file.h"
#include "fuzz.h"

static bool meta_equal(const struct dump_meta *a, const struct dump_meta *b)
{
	return a->serial == b->serial && strcmp(a->card_name, b->card_name) == 0 &&
	       strcmp(a->firmware_version, b->firmware_version) == 0 &&
	       a->dump_id == b->dump_id && strcmp(a->origin, b->origin) == 0 &&
	       strcmp(a->trigger, b->trigger) == 0 && a->requested_usec == b->requested_usec &&
	       a->started_usec == b->started_usec && a->finished_usec == b->finished_usec &&
	       a->size == b->size && strcmp(a->sha256, b->sha256) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t block[DUMP_FILE_HEADER_SIZE], again[DUMP_FILE_HEADER_SIZE];
	struct dump_meta a, b;
	uint8_t *copy;
	int r;

	/* The parser takes a length; a copy lets ASan catch overreads. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	memset(&a, FUZZ_POISON, sizeof(a));
	r = dump_header_parse(copy, size, &a);
	free(copy);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOMEM);
	if (r < 0) {
		fuzz_check_poisoned(&a, sizeof(a));
		return 0;
	}

	FUZZ_CHECK(dump_header_format(&a, block) == 0);
	memset(&b, FUZZ_POISON, sizeof(b));
	FUZZ_CHECK(dump_header_parse(block, sizeof(block), &b) == 0);
	FUZZ_CHECK(meta_equal(&a, &b));
	FUZZ_CHECK(dump_header_format(&b, again) == 0);
	FUZZ_CHECK(memcmp(block, again, sizeof(block)) == 0);
	return 0;
}
