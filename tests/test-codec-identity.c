// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CAPABILITIES, CONTROLLER_HEALTH, EVENT_CHECK (binary and sysfs text) and
 * FIRMWARE_INFO codecs: tables of wire bytes.
 */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

/* ---- CAPABILITIES ------------------------------------------------------- */

static const uint8_t caps_good[] = {
	'1', '.', '2', '.', '3', 0x00, 0x00, 0x00,      /* fw_version "1.2.3" */
	0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* serial */
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, /* memory_size 64 GiB */
	0x12, 0x00,                                     /* scm_revision 1.2 */
	0x40, 0x01,                                     /* read_latency_ns 320 */
	0x0F,                                           /* readiness_timeout_s 15 */
	0x00,                                           /* reserved0 */
	0xFF, 0x0F,                                     /* memory_available 4095 */
	0x00, 0x00, 0x10, 0x00,                         /* max_dump_size 1 MiB */
	0x00, 0x10, 0x00, 0x00,                         /* admin_buffer_size 4096 */
	0xFE, 0xFF, 0x07, 0x00,                         /* functions 1-18 */
	0x00, 0x00, 0x00, 0x00,                         /* reserved1 */
	0x64, 0x00, 0xE8, 0x03, 0x80, 0x3E, 0x00, 0x00, /* timeouts 0-3 */
	0xD0, 0x07, 0x64, 0x00, 0x64, 0x00, 0xE8, 0x03, /* timeouts 4-7 */
};

#define CAPS_WANT(ver)                                                                   \
	{                                                                                \
		.fw_version = ver, .serial = 0x0102030405060708ull,                      \
		.memory_size = 64ull << 30, .scm_revision = 0x12, .read_latency_ns = 320, \
		.readiness_timeout_s = 15, .memory_available_timeout_s = 4095,           \
		.max_dump_size = 1u << 20, .admin_buffer_size = 4096,                    \
		.functions = 0x7FFFE,                                                    \
		.timeout_ms = { 100, 1000, 16000, 0, 2000, 100, 100, 1000 },             \
	}

static const struct ocxlpmem_capabilities caps_want_good = CAPS_WANT("1.2.3");
static const struct ocxlpmem_capabilities caps_want_nover = CAPS_WANT("");
static const struct ocxlpmem_capabilities caps_want_8 = CAPS_WANT("1.2.3abc");

static void cmp_caps(const void *g, const void *w)
{
	const struct ocxlpmem_capabilities *got = g, *want = w;

	EXPECT_STR(got->fw_version, want->fw_version);
	EXPECT_EQ(got->serial, want->serial);
	EXPECT_EQ(got->memory_size, want->memory_size);
	EXPECT_EQ(got->scm_revision, want->scm_revision);
	EXPECT_EQ(got->read_latency_ns, want->read_latency_ns);
	EXPECT_EQ(got->readiness_timeout_s, want->readiness_timeout_s);
	EXPECT_EQ(got->memory_available_timeout_s, want->memory_available_timeout_s);
	EXPECT_EQ(got->max_dump_size, want->max_dump_size);
	EXPECT_EQ(got->admin_buffer_size, want->admin_buffer_size);
	EXPECT_EQ(got->functions, want->functions);
	for (size_t i = 0; i < OCXLPMEM_NR_TIMEOUTS; i++)
		EXPECT_EQ(got->timeout_ms[i], want->timeout_ms[i]);
}

static int dec_caps(const void *b, size_t l, void *r)
{
	return ocxlpmem_capabilities_decode(b, l, r);
}

static ssize_t enc_caps(const void *o, void *b, size_t cap)
{
	return ocxlpmem_capabilities_encode(o, b, cap);
}

#define GOOD() .bytes = caps_good, .len = sizeof(caps_good)
static const struct decode_case caps_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &caps_want_good },
	{ "empty fw_version", GOOD(), .patch = { P(0, 0), P(1, 0), P(2, 0), P(3, 0), P(4, 0) },
	  .npatch = 5, .expect = 0, .want = &caps_want_nover },
	{ "fw_version of 8 characters", GOOD(), .patch = { P(5, 'a'), P(6, 'b'), P(7, 'c') },
	  .npatch = 3, .expect = 0, .want = &caps_want_8 },
	{ "fw_version DEL", GOOD(), .patch = { P(0, 0x7F) }, .npatch = 1, .expect = -EBADMSG },
	{ "fw_version control char", GOOD(), .patch = { P(2, 0x1F) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "fw_version high byte", GOOD(), .patch = { P(4, 0x80) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "fw_version NUL then text", GOOD(), .patch = { P(6, 'x') }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "fw_version NUL first, then text", GOOD(), .patch = { P(0, 0) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "fw_version NUL then text in last byte", GOOD(), .patch = { P(7, '1') }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "reserved0", GOOD(), .patch = { P(29, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved1 byte 0", GOOD(), .patch = { P(44, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved1 byte 3", GOOD(), .patch = { P(47, 0x80) }, .npatch = 1, .expect = -EBADMSG },
	{ "readiness_timeout 16", GOOD(), .patch = { P(28, 16) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "readiness_timeout 255", GOOD(), .patch = { P(28, 255) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "memory_available_timeout 4096", GOOD(), .patch = { P(30, 0), P(31, 0x10) },
	  .npatch = 2, .expect = -EBADMSG },
	{ "memory_available_timeout 65535", GOOD(), .patch = { P(31, 0xFF) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "admin_buffer_size 0", GOOD(), .patch = { P(37, 0) }, .npatch = 1, .expect = -EBADMSG },
	{ "admin_buffer_size 4100", GOOD(), .patch = { P(36, 4) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "admin_buffer_size 4097", GOOD(), .patch = { P(36, 1) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "trailing word", GOOD(), .resize = 8, .expect = -EBADMSG },
	{ "last timeout cut", GOOD(), .resize = -2, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_caps_decode(void **state)
{
	run_decode_cases(caps_cases, N_ELEMENTS(caps_cases), dec_caps,
			 sizeof(struct ocxlpmem_capabilities), cmp_caps);
	check_case_prefixes(caps_cases, N_ELEMENTS(caps_cases), dec_caps,
			    sizeof(struct ocxlpmem_capabilities));
}

static void test_caps_encode(void **state)
{
	struct ocxlpmem_capabilities c = caps_want_good;
	struct ocxlpmem_capabilities zero = { .admin_buffer_size = 8 };

	check_roundtrip("good", enc_caps, dec_caps, cmp_caps, &caps_want_good,
			sizeof(c), caps_good, sizeof(caps_good));
	check_roundtrip("8-character version", enc_caps, dec_caps, cmp_caps, &caps_want_8,
			sizeof(c), NULL, 0);
	check_roundtrip("minimal", enc_caps, dec_caps, cmp_caps, &zero, sizeof(c), NULL, 0);

	c.readiness_timeout_s = 16;
	check_encode_einval("readiness 16", enc_caps, &c);
	c = caps_want_good;
	c.memory_available_timeout_s = 4096;
	check_encode_einval("memory available 4096", enc_caps, &c);
	c = caps_want_good;
	c.admin_buffer_size = 0;
	check_encode_einval("admin buffer 0", enc_caps, &c);
	c.admin_buffer_size = 12;
	check_encode_einval("admin buffer 12", enc_caps, &c);
	c = caps_want_good;
	memcpy(c.fw_version, "123456789", 9); /* no NUL within 9 bytes */
	check_encode_einval("version without NUL", enc_caps, &c);
	strcpy(c.fw_version, "1.0\t");
	check_encode_einval("version with tab", enc_caps, &c);
	assert_int_equal(ocxlpmem_capabilities_encode(NULL, c.fw_version, 64), -EINVAL);
	assert_int_equal(ocxlpmem_capabilities_decode(caps_good, 64, NULL), -EINVAL);
}

/* ---- CONTROLLER_HEALTH -------------------------------------------------- */

static const uint8_t health_good[] = { 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const struct ocxlpmem_health health_want_good = {
	.flags = OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE,
};
static const struct ocxlpmem_health health_want_all = { .flags = OCXLPMEM_HEALTH_ALL };
static const struct ocxlpmem_health health_want_none = { .flags = 0 };

static void cmp_health(const void *g, const void *w)
{
	EXPECT_EQ(((const struct ocxlpmem_health *)g)->flags,
		  ((const struct ocxlpmem_health *)w)->flags);
}

static int dec_health(const void *b, size_t l, void *r)
{
	return ocxlpmem_health_decode(b, l, r);
}

static ssize_t enc_health(const void *o, void *b, size_t cap)
{
	return ocxlpmem_health_encode(o, b, cap);
}

#define GOOD() .bytes = health_good, .len = sizeof(health_good)
static const struct decode_case health_cases[] = {
	{ "ready, memory available", GOOD(), .expect = 0, .want = &health_want_good },
	{ "all flags", GOOD(), .patch = { P(0, 0x0F) }, .npatch = 1, .expect = 0,
	  .want = &health_want_all },
	{ "no flags", GOOD(), .patch = { P(0, 0) }, .npatch = 1, .expect = 0,
	  .want = &health_want_none },
	{ "unknown flag bit 4", GOOD(), .patch = { P(0, 0x19) }, .npatch = 1, .expect = -EBADMSG },
	{ "unknown flag bit 31", GOOD(), .patch = { P(3, 0x80) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "reserved byte 0", GOOD(), .patch = { P(4, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved byte 3", GOOD(), .patch = { P(7, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -4, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_health(void **state)
{
	struct ocxlpmem_health bad = { .flags = 0x10 };

	run_decode_cases(health_cases, N_ELEMENTS(health_cases), dec_health,
			 sizeof(struct ocxlpmem_health), cmp_health);
	check_case_prefixes(health_cases, N_ELEMENTS(health_cases), dec_health,
			    sizeof(struct ocxlpmem_health));
	check_roundtrip("health", enc_health, dec_health, cmp_health, &health_want_good,
			sizeof(struct ocxlpmem_health), health_good, sizeof(health_good));
	check_roundtrip("health all", enc_health, dec_health, cmp_health, &health_want_all,
			sizeof(struct ocxlpmem_health), NULL, 0);
	check_encode_einval("unknown health flag", enc_health, &bad);
	bad.flags = 0x80000000u;
	check_encode_einval("health flag 31", enc_health, &bad);
}

/* ---- EVENT_CHECK -------------------------------------------------------- */

static const uint8_t events_good[] = { 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint64_t events_want_good = 5, events_want_all = 0xF, events_want_none = 0;

static void cmp_u64(const void *g, const void *w)
{
	EXPECT_EQ(*(const uint64_t *)g, *(const uint64_t *)w);
}

static int dec_events(const void *b, size_t l, void *r)
{
	return ocxlpmem_events_decode(b, l, r);
}

static ssize_t enc_events(const void *o, void *b, size_t cap)
{
	return ocxlpmem_events_encode(*(const uint64_t *)o, b, cap);
}

#define GOOD() .bytes = events_good, .len = sizeof(events_good)
static const struct decode_case events_cases[] = {
	{ "dump and hardware fatal", GOOD(), .expect = 0, .want = &events_want_good },
	{ "all events", GOOD(), .patch = { P(0, 0x0F) }, .npatch = 1, .expect = 0,
	  .want = &events_want_all },
	{ "no events", GOOD(), .patch = { P(0, 0) }, .npatch = 1, .expect = 0,
	  .want = &events_want_none },
	{ "unknown bit 4", GOOD(), .patch = { P(0, 0x10) }, .npatch = 1, .expect = -EBADMSG },
	{ "unknown bit 32", GOOD(), .patch = { P(4, 0x01) }, .npatch = 1, .expect = -EBADMSG },
	{ "unknown bit 63", GOOD(), .patch = { P(7, 0x80) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -1, .expect = -EMSGSIZE },
};
#undef GOOD

static const struct {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	int expect;
	uint64_t events;
} sysfs_cases[] = {
	{ "zero", "0x0\n", 0, 0, 0 },
	{ "five", "0x5\n", 0, 0, 5 },
	{ "no newline", "0xf", 0, 0, 15 },
	{ "upper-case digit", "0xF\n", 0, 0, 15 },
	{ "16 digits", "0x0000000000000003\n", 0, 0, 3 },
	{ "len stops before junk", "0x2\nJUNK", 4, 0, 2 },
	{ "17 digits", "0x00000000000000003\n", 0, -EBADMSG, 0 },
	{ "unknown bit 4", "0x10\n", 0, -EBADMSG, 0 },
	{ "all 64 bits", "0xffffffffffffffff\n", 0, -EBADMSG, 0 },
	{ "overflowing", "0x1ffffffffffffffff\n", 0, -EBADMSG, 0 },
	{ "no digits", "0x\n", 0, -EBADMSG, 0 },
	{ "empty", "", 0, -EBADMSG, 0 },
	{ "only newline", "\n", 0, -EBADMSG, 0 },
	{ "no prefix", "5\n", 0, -EBADMSG, 0 },
	{ "decimal", "15\n", 0, -EBADMSG, 0 },
	{ "upper-case prefix", "0X5\n", 0, -EBADMSG, 0 },
	{ "leading blank", " 0x5\n", 0, -EBADMSG, 0 },
	{ "trailing blank", "0x5 \n", 0, -EBADMSG, 0 },
	{ "two newlines", "0x5\n\n", 0, -EBADMSG, 0 },
	{ "CRLF", "0x5\r\n", 0, -EBADMSG, 0 },
	{ "sign", "-0x5\n", 0, -EBADMSG, 0 },
	{ "sign after prefix", "0x+5\n", 0, -EBADMSG, 0 },
	{ "non-hex digit", "0x5g\n", 0, -EBADMSG, 0 },
	{ "embedded NUL", "0x5\0", 4, -EBADMSG, 0 },
	{ "NUL in digits", "0x\0005", 4, -EBADMSG, 0 },
};

static void test_events(void **state)
{
	uint64_t bad = 0x10, v;
	char text[32];

	run_decode_cases(events_cases, N_ELEMENTS(events_cases), dec_events, sizeof(uint64_t),
			 cmp_u64);
	check_case_prefixes(events_cases, N_ELEMENTS(events_cases), dec_events,
			    sizeof(uint64_t));
	for (uint64_t e = 0; e <= OCXLPMEM_EVENT_ALL; e++)
		check_roundtrip("events", enc_events, dec_events, cmp_u64, &e, sizeof(uint64_t),
				NULL, 0);
	check_roundtrip("events bytes", enc_events, dec_events, cmp_u64, &events_want_good,
			sizeof(uint64_t), events_good, sizeof(events_good));
	check_encode_einval("unknown event", enc_events, &bad);
	bad = 1ull << 63;
	check_encode_einval("event bit 63", enc_events, &bad);
	assert_int_equal(ocxlpmem_events_decode(events_good, 8, NULL), -EINVAL);

	for (size_t i = 0; i < N_ELEMENTS(sysfs_cases); i++) {
		size_t len = sysfs_cases[i].len ? sysfs_cases[i].len : strlen(sysfs_cases[i].text);
		char *t = malloc(len ? len : 1);
		int r;

		assert_non_null(t);
		memcpy(t, sysfs_cases[i].text, len);
		v = 0xA5A5A5A5A5A5A5A5ull;
		r = ocxlpmem_events_parse_sysfs(t, len, &v);
		if (r != sysfs_cases[i].expect)
			fail_msg("sysfs %s: got %d, want %d", sysfs_cases[i].name, r,
				 sysfs_cases[i].expect);
		if (r == 0 && v != sysfs_cases[i].events)
			fail_msg("sysfs %s: got 0x%llx", sysfs_cases[i].name,
				 (unsigned long long)v);
		if (r < 0 && v != 0xA5A5A5A5A5A5A5A5ull)
			fail_msg("sysfs %s: output written on failure", sysfs_cases[i].name);
		free(t);
	}

	/* What the driver prints parses back, for every value it can print. */
	for (uint64_t e = 0; e <= OCXLPMEM_EVENT_ALL; e++) {
		int n = snprintf(text, sizeof(text), "0x%llx\n", (unsigned long long)e);

		assert_int_equal(ocxlpmem_events_parse_sysfs(text, (size_t)n, &v), 0);
		assert_true(v == e);
	}
	assert_int_equal(ocxlpmem_events_parse_sysfs(NULL, 4, &v), -EINVAL);
	assert_int_equal(ocxlpmem_events_parse_sysfs("0x1", 3, NULL), -EINVAL);
}

/* ---- FIRMWARE_INFO ------------------------------------------------------ */

static const uint8_t fwinfo_good[] = {
	'F', 'W', '-', '1', '.', '0', 0x00, 0x00, /* running "FW-1.0" */
	'F', 'W', '-', '1', '.', '1', 0x00, 0x00, /* staged "FW-1.1" */
	0x01, 0x00, 0x00, 0x00,                   /* RECEIVING, reserved0 */
	0x00, 0x80, 0x00, 0x00,                   /* bytes_received 32 KiB */
	0x00, 0x00, 0x40, 0x00,                   /* max_image_size 4 MiB */
	0x00, 0x00, 0x00, 0x00,                   /* reserved1 */
};

static const struct ocxlpmem_firmware_info fwinfo_want_good = {
	.running_version = "FW-1.0", .staged_version = "FW-1.1", .update_state = 1,
	.bytes_received = 0x8000, .max_image_size = 0x400000,
};
static const struct ocxlpmem_firmware_info fwinfo_want_nostage = {
	.running_version = "FW-1.0", .staged_version = "", .update_state = 0,
	.bytes_received = 0x8000, .max_image_size = 0x400000,
};

static void cmp_fwinfo(const void *g, const void *w)
{
	const struct ocxlpmem_firmware_info *got = g, *want = w;

	EXPECT_STR(got->running_version, want->running_version);
	EXPECT_STR(got->staged_version, want->staged_version);
	EXPECT_EQ(got->update_state, want->update_state);
	EXPECT_EQ(got->bytes_received, want->bytes_received);
	EXPECT_EQ(got->max_image_size, want->max_image_size);
}

static int dec_fwinfo(const void *b, size_t l, void *r)
{
	return ocxlpmem_firmware_info_decode(b, l, r);
}

static ssize_t enc_fwinfo(const void *o, void *b, size_t cap)
{
	return ocxlpmem_firmware_info_encode(o, b, cap);
}

#define GOOD() .bytes = fwinfo_good, .len = sizeof(fwinfo_good)
static const struct decode_case fwinfo_cases[] = {
	{ "receiving", GOOD(), .expect = 0, .want = &fwinfo_want_good },
	{ "idle, nothing staged", GOOD(),
	  .patch = { P(8, 0), P(9, 0), P(10, 0), P(11, 0), P(12, 0), P(13, 0), P(16, 0) },
	  .npatch = 7,
	  .expect = 0, .want = &fwinfo_want_nostage },
	{ "update_state 2", GOOD(), .patch = { P(16, 2) }, .npatch = 1, .expect = -EBADMSG },
	{ "update_state 255", GOOD(), .patch = { P(16, 255) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved0[0]", GOOD(), .patch = { P(17, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved0[1]", GOOD(), .patch = { P(18, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved0[2]", GOOD(), .patch = { P(19, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved1 byte 0", GOOD(), .patch = { P(28, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved1 byte 3", GOOD(), .patch = { P(31, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "running version non-printable", GOOD(), .patch = { P(0, 0x01) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "running version NUL then text", GOOD(), .patch = { P(7, 'x') }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "staged version non-printable", GOOD(), .patch = { P(15, 0xFF) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "staged version NUL first then text", GOOD(), .patch = { P(8, 0) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -4, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_fwinfo(void **state)
{
	struct ocxlpmem_firmware_info f = fwinfo_want_good;

	run_decode_cases(fwinfo_cases, N_ELEMENTS(fwinfo_cases), dec_fwinfo,
			 sizeof(struct ocxlpmem_firmware_info), cmp_fwinfo);
	check_case_prefixes(fwinfo_cases, N_ELEMENTS(fwinfo_cases), dec_fwinfo,
			    sizeof(struct ocxlpmem_firmware_info));
	check_roundtrip("firmware info", enc_fwinfo, dec_fwinfo, cmp_fwinfo, &fwinfo_want_good,
			sizeof(f), fwinfo_good, sizeof(fwinfo_good));
	check_roundtrip("nothing staged", enc_fwinfo, dec_fwinfo, cmp_fwinfo,
			&fwinfo_want_nostage, sizeof(f), NULL, 0);

	f.update_state = 2;
	check_encode_einval("update_state 2", enc_fwinfo, &f);
	f = fwinfo_want_good;
	f.staged_version[0] = '\x7f';
	check_encode_einval("staged DEL", enc_fwinfo, &f);
	f = fwinfo_want_good;
	memcpy(f.running_version, "ABCDEFGHI", 9);
	check_encode_einval("running too long", enc_fwinfo, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_decode),
		cmocka_unit_test(test_caps_encode),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_fwinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
