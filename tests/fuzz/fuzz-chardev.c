// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz what the v4 character device answers (lib/chardev-wire.c): the
 * input as a v4 error-log entry and its data, as v4 stats, and as a dump
 * chunk.  Whatever the translation accepts must pass the family's strict
 * decoders with the same values; what it refuses leaves no output.
 */
#include "fuzz.h"
#include "transport-chardev.h"

static uint8_t out[8 + 64 + OCXLPMEM_ERRLOG_DATA_MAX];

static void errlog(const uint8_t *data, size_t size)
{
	static struct ocxlpmem_error_log_entry e;
	struct chardev_v4_error_log v;
	struct ocxlpmem_reply reply;
	size_t data_len = size > sizeof(v) ? size - sizeof(v) : 0;
	ssize_t n;

	fuzz_fill(&v, sizeof(v), data, size);
	n = chardev_errlog_reply(&v, data + (size - data_len), data_len, out, sizeof(out));
	if (n < 0) {
		FUZZ_CHECK(n == -EBADMSG);
		return;
	}
	FUZZ_CHECK((size_t)n <= sizeof(out));
	FUZZ_CHECK(ocxlpmem_reply_decode(out, (size_t)n, &reply) == 0);
	FUZZ_CHECK(ocxlpmem_error_log_decode(reply.data, reply.data_len, &e) == 0);
	FUZZ_CHECK(e.present && e.log_identifier == v.log_identifier &&
		   e.type == v.error_log_type && e.action_flags == v.action_flags &&
		   e.data_needed == v.buf_size);
	FUZZ_CHECK(e.data_size <= data_len && e.data_size <= v.buf_size);
	FUZZ_CHECK(memcmp(e.data, data + (size - data_len), e.data_size) == 0);
}

static void stats(const uint8_t *data, size_t size)
{
	struct chardev_v4_stats v;
	struct ocxlpmem_reply reply;
	struct ocxlpmem_stats s;
	ssize_t n;

	fuzz_fill(&v, sizeof(v), data, size);
	n = chardev_stats_reply(&v, out, sizeof(out));
	if (n < 0) {
		FUZZ_CHECK(n == -EBADMSG);
		return;
	}
	FUZZ_CHECK(ocxlpmem_reply_decode(out, (size_t)n, &reply) == 0);
	FUZZ_CHECK(ocxlpmem_stats_decode(reply.data, reply.data_len, &s) == 0);
	FUZZ_CHECK(s.reset_count == v.reset_count && s.fast_write_count == v.fast_write_count &&
		   s.life_remaining_pct == v.life_remaining);
}

static void chunk(const uint8_t *data, size_t size)
{
	size_t n = 0xA5A5;
	int r = chardev_dump_chunk_parse(data, size, &n);

	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG && n == 0xA5A5);
		return;
	}
	FUZZ_CHECK(n % 8 == 0 && (size == 0 ? n == 0 : n <= size - 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	errlog(data, size);
	stats(data, size);
	chunk(data, size);
	return 0;
}
