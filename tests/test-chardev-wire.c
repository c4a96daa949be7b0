// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The v4 character device's answers turned into the family's replies
 * (lib/chardev-wire.c), table-driven: every reply must pass the family's
 * own strict decoders with the v4 values, and what cannot be a card's
 * answer must be refused, not passed on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transport-chardev.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static struct chardev_v4_error_log good_entry(void)
{
	struct chardev_v4_error_log e = {
		.log_identifier = 0x4a48,
		.program_reference_code = 0x1234,
		.action_flags = OCXLPMEM_ACTION_DUMP | OCXLPMEM_ACTION_RESET,
		.power_on_seconds = 3600,
		.timestamp = 123456789,
		.wwid = { 0x6005076500001001ull, 0x1014062500001001ull },
		.fw_revision = "1.0.0000",
		.buf_size = 16,
		.error_log_type = OCXLPMEM_ERRLOG_GENERAL,
	};

	return e;
}

static const struct {
	const char *name;
	void (*edit)(struct chardev_v4_error_log *e);
	size_t data_len;   /* what we gave room for */
	size_t cap;        /* 0: a large buffer */
	ssize_t expect;    /* < 0: the error; else the data_size */
	uint16_t needed;
} errlog_cases[] = {
	{ "an entry", NULL, 4096, 0, 16, 16 },
	{ "no data", NULL, 0, 0, 0, 16 },
	{ "needs more than we gave", NULL, 8, 0, 8, 16 },
	{ "buffer too small", NULL, 4096, 20, -ENOBUFS, 0 },
};

static void unterminated(struct chardev_v4_error_log *e)
{
	memset(e->fw_revision, 'A', sizeof(e->fw_revision));
}

static void bad_type(struct chardev_v4_error_log *e)
{
	e->error_log_type = OCXLPMEM_ERRLOG_TYPE_MAX + 1;
}

static void bad_flags(struct chardev_v4_error_log *e)
{
	e->action_flags = 1u << 5;
}

static void huge_needed(struct chardev_v4_error_log *e)
{
	e->buf_size = 5000;
}

static const struct {
	const char *name;
	void (*edit)(struct chardev_v4_error_log *e);
	int expect;
} errlog_bad_cases[] = {
	{ "fw revision without NUL", unterminated, -EBADMSG },
	{ "unknown type", bad_type, -EBADMSG },
	{ "unknown action flag", bad_flags, -EBADMSG },
};

static void check_errlog_reply(const char *name, const uint8_t *out, ssize_t n,
			       const struct chardev_v4_error_log *v, const uint8_t *data,
			       uint16_t want_size, uint16_t want_needed)
{
	struct ocxlpmem_error_log_entry *e = calloc(1, sizeof(*e));
	struct ocxlpmem_reply reply;

	assert_non_null(e);
	if (ocxlpmem_reply_decode(out, (size_t)n, &reply) < 0 || reply.card_status)
		fail_msg("errlog %s: not a successful reply", name);
	if (ocxlpmem_error_log_decode(reply.data, reply.data_len, e) < 0)
		fail_msg("errlog %s: the family's decoder refuses it", name);
	assert_true(e->present);
	assert_int_equal(e->log_identifier, v->log_identifier);
	assert_int_equal(e->program_reference_code, v->program_reference_code);
	assert_int_equal(e->action_flags, v->action_flags);
	assert_int_equal(e->power_on_seconds, v->power_on_seconds);
	assert_int_equal(e->timestamp_ns, v->timestamp);
	assert_int_equal(e->wwid[0], v->wwid[0]);
	assert_int_equal(e->wwid[1], v->wwid[1]);
	assert_string_equal(e->fw_revision, v->fw_revision);
	assert_int_equal(e->type, v->error_log_type);
	if (e->data_size != want_size || e->data_needed != want_needed)
		fail_msg("errlog %s: data %u of %u, want %u of %u", name, e->data_size,
			 e->data_needed, want_size, want_needed);
	assert_memory_equal(e->data, data, want_size);
	free(e);
}

static void test_errlog(void **state)
{
	static uint8_t data[OCXLPMEM_ERRLOG_DATA_MAX], out[8 + 64 + OCXLPMEM_ERRLOG_DATA_MAX];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < N_ELEMENTS(errlog_cases); i++) {
		struct chardev_v4_error_log v = good_entry();
		size_t cap = errlog_cases[i].cap ? errlog_cases[i].cap : sizeof(out);
		ssize_t n;

		if (errlog_cases[i].edit)
			errlog_cases[i].edit(&v);
		n = chardev_errlog_reply(&v, data, errlog_cases[i].data_len, out, cap);
		if (errlog_cases[i].expect < 0) {
			if (n != errlog_cases[i].expect)
				fail_msg("errlog %s: got %zd, want %zd", errlog_cases[i].name, n,
					 errlog_cases[i].expect);
			continue;
		}
		if (n < 0)
			fail_msg("errlog %s: failed with %zd", errlog_cases[i].name, n);
		check_errlog_reply(errlog_cases[i].name, out, n, &v, data,
				   (uint16_t)errlog_cases[i].expect, errlog_cases[i].needed);
	}
	for (size_t i = 0; i < N_ELEMENTS(errlog_bad_cases); i++) {
		struct chardev_v4_error_log v = good_entry();
		ssize_t n;

		errlog_bad_cases[i].edit(&v);
		n = chardev_errlog_reply(&v, data, sizeof(data), out, sizeof(out));
		if (n != errlog_bad_cases[i].expect)
			fail_msg("errlog %s: got %zd, want %d", errlog_bad_cases[i].name, n,
				 errlog_bad_cases[i].expect);
	}
	/* The entry needs more than the family carries: cut to what we read,
	 * the need reported as the card said it. */
	{
		struct chardev_v4_error_log v = good_entry();
		ssize_t n;

		huge_needed(&v);
		n = chardev_errlog_reply(&v, data, sizeof(data), out, sizeof(out));
		assert_true(n > 0);
		check_errlog_reply("huge", out, n, &v, data, OCXLPMEM_ERRLOG_DATA_MAX, 5000);
	}
	/* No entry: the family's "no entry". */
	{
		struct ocxlpmem_error_log_entry *e = calloc(1, sizeof(*e));
		struct ocxlpmem_reply reply;
		ssize_t n = chardev_no_errlog_reply(out, sizeof(out));

		assert_non_null(e);
		assert_int_equal(n, 16);
		assert_int_equal(ocxlpmem_reply_decode(out, (size_t)n, &reply), 0);
		assert_int_equal(ocxlpmem_error_log_decode(reply.data, reply.data_len, e), 0);
		assert_false(e->present);
		free(e);
	}
}

static void test_stats(void **state)
{
	const struct chardev_v4_stats v = {
		.reset_count = 3, .reset_uptime = 100, .power_on_uptime = 7200,
		.life_remaining = 97, .critical_resource_utilization = 12,
		.host_load_count = 1, .host_store_count = 2, .host_load_duration = 3,
		.host_store_duration = 4, .media_read_count = 5, .media_write_count = 6,
		.media_read_duration = 7, .media_write_duration = 8, .cache_read_hit_count = 9,
		.cache_write_hit_count = 10, .fast_write_count = UINT64_MAX,
	};
	struct chardev_v4_stats bad = v;
	uint8_t out[8 + 112];
	struct ocxlpmem_reply reply;
	struct ocxlpmem_stats s;
	ssize_t n;

	n = chardev_stats_reply(&v, out, sizeof(out));
	assert_int_equal(n, sizeof(out));
	assert_int_equal(ocxlpmem_reply_decode(out, (size_t)n, &reply), 0);
	assert_int_equal(ocxlpmem_stats_decode(reply.data, reply.data_len, &s), 0);
	assert_int_equal(s.reset_count, 3);
	assert_int_equal(s.reset_uptime_s, 100);
	assert_int_equal(s.power_on_uptime_s, 7200);
	assert_int_equal(s.life_remaining_pct, 97);
	assert_int_equal(s.critical_resource_utilization_pct, 12);
	assert_int_equal(s.host_load_count, 1);
	assert_int_equal(s.media_write_duration_ns, 8);
	assert_int_equal(s.fast_write_count, UINT64_MAX);
	/* A percentage over 100 is no card's. */
	bad.life_remaining = 101;
	assert_int_equal(chardev_stats_reply(&bad, out, sizeof(out)), -EBADMSG);
	assert_int_equal(chardev_stats_reply(&v, out, sizeof(out) - 1), -ENOBUFS);
}

static void test_capabilities(void **state)
{
	uint8_t out[8 + 64];
	struct ocxlpmem_reply reply;
	struct ocxlpmem_capabilities c;
	ssize_t n;

	n = chardev_capabilities_reply(1158557760124620801ull, "1.0.0000", out, sizeof(out));
	assert_int_equal(n, sizeof(out));
	assert_int_equal(ocxlpmem_reply_decode(out, (size_t)n, &reply), 0);
	assert_int_equal(ocxlpmem_capabilities_decode(reply.data, reply.data_len, &c), 0);
	assert_int_equal(c.serial, 1158557760124620801ull);
	assert_string_equal(c.fw_version, "1.0.0000");
	assert_int_equal(c.functions, CHARDEV_FUNCTIONS);
	assert_int_equal(c.admin_buffer_size, CHARDEV_CHUNK_MAX);
	/* Not said: the documented defaults stand. */
	for (unsigned int f = OCXLPMEM_FN_MIN; f <= OCXLPMEM_FN_MAX; f++)
		assert_int_equal(ocxlpmem_function_timeout_ms(f, &c),
				 ocxlpmem_function_default_timeout_ms(f));
	/* What v4 cannot do is not claimed. */
	assert_false(c.functions & (1u << OCXLPMEM_FN_CONTROLLER_HEALTH));
	assert_false(c.functions & (1u << OCXLPMEM_FN_FW_UPDATE_START));
	assert_false(c.functions & (1u << OCXLPMEM_FN_FIRMWARE_INFO));
	assert_false(c.functions & (1u << OCXLPMEM_FN_SHUTDOWN));
	assert_false(c.functions & (1u << OCXLPMEM_FN_HEARTBEAT));
	/* The buffer size is v4's limit: a whole chunk with the word fits the
	 * ioctl's u16 buf_size. */
	assert_true(CHARDEV_CHUNK_MAX + 8 <= 0xFFFF && CHARDEV_CHUNK_MAX % 8 == 0);
}

static void test_events_and_status(void **state)
{
	uint8_t out[16];
	struct ocxlpmem_reply reply;
	uint64_t ev;

	assert_int_equal(chardev_events_reply(OCXLPMEM_EVENT_HARDWARE_FATAL, out, sizeof(out)), 16);
	assert_int_equal(ocxlpmem_reply_decode(out, 16, &reply), 0);
	assert_int_equal(ocxlpmem_events_decode(reply.data, reply.data_len, &ev), 0);
	assert_int_equal(ev, OCXLPMEM_EVENT_HARDWARE_FATAL);
	/* Bits v4 does not define are not a card's. */
	assert_int_equal(chardev_events_reply(1u << 9, out, sizeof(out)), -EBADMSG);

	assert_int_equal(chardev_status_reply(OCXLPMEM_STATUS_BAD_REQUEST_PARM, out, sizeof(out)), 8);
	assert_int_equal(ocxlpmem_reply_decode(out, 8, &reply), 0);
	assert_int_equal(reply.card_status, OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(reply.data_len, 0);
	assert_int_equal(chardev_status_reply(0, out, 7), -ENOBUFS);
}

static void put_word(uint8_t *p, uint64_t w)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(w >> (8 * i));
}

static const struct {
	const char *name;
	uint64_t word;
	size_t len;
	int expect;
	size_t data_len;
} chunk_cases[] = {
	{ "end of dump (buf_size 0)", 0, 0, 0, 0 },
	{ "a chunk", 0x4344000000000010ull, 24, 0, 16 },
	{ "the word alone", 0x4344000000000010ull, 8, 0, 0 },
	{ "an empty chunk", 0x4344000000000000ull, 8, 0, 0 },
	{ "cut to the room we gave", 0x434400000000FFF0ull, 40, 0, 32 },
	{ "less than the room", 0x4344000000000008ull, 40, 0, 8 },
	{ "not 'CD'", 0x454C000000000010ull, 24, -EBADMSG, 0 },
	{ "reserved bits", 0x4344000100000010ull, 24, -EBADMSG, 0 },
	{ "ragged length", 0x434400000000000Cull, 24, -EBADMSG, 0 },
	{ "ragged buffer", 0x4344000000000010ull, 20, -EBADMSG, 0 },
	{ "shorter than the word", 0x4344000000000000ull, 4, -EBADMSG, 0 },
};

static void test_chunk(void **state)
{
	uint8_t buf[64] = { 0 };

	for (size_t i = 0; i < N_ELEMENTS(chunk_cases); i++) {
		size_t n = 0xA5A5;
		int r;

		put_word(buf, chunk_cases[i].word);
		r = chardev_dump_chunk_parse(buf, chunk_cases[i].len, &n);
		if (r != chunk_cases[i].expect)
			fail_msg("chunk %s: got %d, want %d", chunk_cases[i].name, r,
				 chunk_cases[i].expect);
		if (r == 0 && n != chunk_cases[i].data_len)
			fail_msg("chunk %s: %zu bytes, want %zu", chunk_cases[i].name, n,
				 chunk_cases[i].data_len);
		if (r < 0 && n != 0xA5A5)
			fail_msg("chunk %s: output written on failure", chunk_cases[i].name);
	}
	assert_int_equal(chardev_dump_chunk_parse(NULL, 8, &(size_t){ 0 }), -EINVAL);
	assert_int_equal(chardev_dump_chunk_parse(buf, 8, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errlog),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_events_and_status),
		cmocka_unit_test(test_chunk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
