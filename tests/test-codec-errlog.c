// SPDX-License-Identifier: LGPL-2.1-or-later
/* ERROR_LOG_READ and ERROR_LOG_ACK codecs: tables of wire bytes. */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

static const uint8_t el_good[] = {
	0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4C, 0x45, /* 'EL', length 64 */
	0x23, 0x01, 0x00, 0x00,                         /* log_identifier 0x123 */
	0xEF, 0xBE, 0xAD, 0xDE,                         /* program_reference_code */
	0x01, 0x00, 0x80, 0x00,                         /* action RESET | DUMP */
	0x10, 0x0E, 0x00, 0x00,                         /* power_on_seconds 3600 */
	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, /* timestamp */
	0x01, 0x00, 0x00, 0x00, 0x60, 0x07, 0x05, 0x50, /* wwid[0] */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* wwid[1] */
	'O', 'C', '1', '.', '0', '2', 0x00, 0x00,       /* fw_revision "OC1.02" */
	0x08, 0x00,                                     /* data_size 8 */
	0x10, 0x00,                                     /* data_needed 16 */
	0x00,                                           /* GENERAL */
	0x00, 0x00, 0x00,                               /* reserved */
	'd', 'a', 't', 'a', '0', '1', '2', '3',         /* data */
};

static const uint8_t el_none[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4C, 0x45 };

#define EL_WANT(t, flags, size, needed)                                               \
	{                                                                             \
		.present = true, .log_identifier = 0x123,                             \
		.program_reference_code = 0xDEADBEEF, .action_flags = (flags),        \
		.power_on_seconds = 3600, .timestamp_ns = 0x0011223344556677ull,      \
		.wwid = { 0x5005076000000001ull, 2 }, .fw_revision = "OC1.02",        \
		.type = (t), .data_size = (size), .data_needed = (needed),            \
		.data = { 'd', 'a', 't', 'a', '0', '1', '2', '3' },                   \
	}

#define RESET_DUMP (OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_DUMP)
static const struct ocxlpmem_error_log_entry want_good = EL_WANT(0, RESET_DUMP, 8, 16);
static const struct ocxlpmem_error_log_entry want_none = { .present = false };
static const struct ocxlpmem_error_log_entry want_nodata = EL_WANT(0, RESET_DUMP, 0, 16);
static const struct ocxlpmem_error_log_entry want_exact = EL_WANT(0, RESET_DUMP, 8, 8);
static const struct ocxlpmem_error_log_entry want_max = EL_WANT(0, RESET_DUMP, 4096, 4096);
static const struct ocxlpmem_error_log_entry want_type4 = EL_WANT(4, RESET_DUMP, 8, 16);
static const struct ocxlpmem_error_log_entry want_all = EL_WANT(0, OCXLPMEM_ACTION_ALL, 8, 16);

static void cmp_el(const void *g, const void *w)
{
	const struct ocxlpmem_error_log_entry *got = g, *want = w;

	EXPECT_EQ(got->present, want->present);
	if (!want->present)
		return;
	EXPECT_EQ(got->log_identifier, want->log_identifier);
	EXPECT_EQ(got->program_reference_code, want->program_reference_code);
	EXPECT_EQ(got->action_flags, want->action_flags);
	EXPECT_EQ(got->power_on_seconds, want->power_on_seconds);
	EXPECT_EQ(got->timestamp_ns, want->timestamp_ns);
	EXPECT_EQ(got->wwid[0], want->wwid[0]);
	EXPECT_EQ(got->wwid[1], want->wwid[1]);
	EXPECT_STR(got->fw_revision, want->fw_revision);
	EXPECT_EQ(got->type, want->type);
	EXPECT_EQ(got->data_size, want->data_size);
	EXPECT_EQ(got->data_needed, want->data_needed);
	assert_memory_equal(got->data, want->data, want->data_size);
}

static int dec_el(const void *b, size_t l, void *r)
{
	return ocxlpmem_error_log_decode(b, l, r);
}

static ssize_t enc_el(const void *o, void *b, size_t cap)
{
	return ocxlpmem_error_log_encode(o, b, cap);
}

#define GOOD() .bytes = el_good, .len = sizeof(el_good)
static const struct decode_case el_cases[] = {
	{ "good, truncated by the card", GOOD(), .expect = 0, .want = &want_good },
	{ "no entry", el_none, sizeof(el_none), .expect = 0, .want = &want_none },
	{ "no entry, trailing bytes", el_none, sizeof(el_none), .resize = 8, .expect = -EBADMSG },
	{ "no data", GOOD(), .resize = -8, .patch = { P(0, 0x38), P(56, 0) }, .npatch = 2,
	  .expect = 0, .want = &want_nodata },
	{ "data_needed == data_size", GOOD(), .patch = { P(58, 8) }, .npatch = 1, .expect = 0,
	  .want = &want_exact },
	{ "data_needed < data_size", GOOD(), .patch = { P(58, 4) }, .npatch = 1,
	  .expect = -EBADMSG },
	/* length 56 + 4096 = 0x1038 */
	{ "4096 data bytes", GOOD(), .resize = 4088,
	  .patch = { P(0, 0x38), P(1, 0x10), P(56, 0), P(57, 0x10), P(58, 0), P(59, 0x10) },
	  .npatch = 6, .expect = 0, .want = &want_max },
	{ "4097 data bytes", GOOD(), .resize = 4089,
	  .patch = { P(0, 0x39), P(1, 0x10), P(56, 1), P(57, 0x10), P(58, 1), P(59, 0x10) },
	  .npatch = 6, .expect = -EBADMSG },
	{ "data_size disagrees with length", GOOD(), .patch = { P(56, 9) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "data_size 0, length for 8", GOOD(), .patch = { P(56, 0) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "length shorter than the fixed fields", GOOD(), .resize = -48, .patch = { P(0, 16) },
	  .npatch = 1, .expect = -EBADMSG },
	{ "length 55", GOOD(), .resize = -9, .patch = { P(0, 55) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "type 4", GOOD(), .patch = { P(60, 4) }, .npatch = 1, .expect = 0, .want = &want_type4 },
	{ "type 5", GOOD(), .patch = { P(60, 5) }, .npatch = 1, .expect = -EBADMSG },
	{ "type 255", GOOD(), .patch = { P(60, 255) }, .npatch = 1, .expect = -EBADMSG },
	{ "all known actions", GOOD(), .patch = { P(18, 0xE0) }, .npatch = 1, .expect = 0,
	  .want = &want_all },
	{ "unknown action bit 1", GOOD(), .patch = { P(16, 0x03) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "unknown action bit 20", GOOD(), .patch = { P(18, 0x90) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "unknown action bit 31", GOOD(), .patch = { P(19, 0x80) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "reserved[0]", GOOD(), .patch = { P(61, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[1]", GOOD(), .patch = { P(62, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[2]", GOOD(), .patch = { P(63, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "fw_revision non-printable", GOOD(), .patch = { P(49, 0x0A) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "fw_revision NUL then text", GOOD(), .patch = { P(55, 'Z') }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "id SM", GOOD(), .patch = { P(7, 'S'), P(6, 'M') }, .npatch = 2, .expect = -EBADMSG },
	{ "header reserved bits", GOOD(), .patch = { P(5, 0x40) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "length beyond buffer", GOOD(), .patch = { P(0, 0x48), P(56, 16) }, .npatch = 2,
	  .expect = -EMSGSIZE },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "data cut", GOOD(), .resize = -1, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_el_decode(void **state)
{
	run_decode_cases(el_cases, N_ELEMENTS(el_cases), dec_el,
			 sizeof(struct ocxlpmem_error_log_entry), cmp_el);
	check_case_prefixes(el_cases, N_ELEMENTS(el_cases), dec_el,
			    sizeof(struct ocxlpmem_error_log_entry));
}

static void test_el_encode(void **state)
{
	static struct ocxlpmem_error_log_entry e;
	const size_t sz = sizeof(e);

	check_roundtrip("good", enc_el, dec_el, cmp_el, &want_good, sz, el_good, sizeof(el_good));
	check_roundtrip("no entry", enc_el, dec_el, cmp_el, &want_none, sz, el_none,
			sizeof(el_none));
	check_roundtrip("no data", enc_el, dec_el, cmp_el, &want_nodata, sz, NULL, 0);
	check_roundtrip("4096 data bytes", enc_el, dec_el, cmp_el, &want_max, sz, NULL, 0);
	for (uint8_t t = 0; t <= OCXLPMEM_ERRLOG_TYPE_MAX; t++) {
		e = want_good;
		e.type = t;
		check_roundtrip("each type", enc_el, dec_el, cmp_el, &e, sz, NULL, 0);
	}

	/* "No entry" ignores every other field, even invalid ones. */
	e = want_good;
	e.present = false;
	e.type = 99;
	check_roundtrip("no entry with junk", enc_el, dec_el, cmp_el, &e, sz, el_none,
			sizeof(el_none));

	e = want_good;
	e.type = 5;
	check_encode_einval("type 5", enc_el, &e);
	e = want_good;
	e.action_flags = 0x2;
	check_encode_einval("unknown action", enc_el, &e);
	e = want_good;
	e.data_size = OCXLPMEM_ERRLOG_DATA_MAX + 1;
	e.data_needed = e.data_size;
	check_encode_einval("data_size 4097", enc_el, &e);
	e = want_good;
	e.data_needed = 7;
	check_encode_einval("data_needed < data_size", enc_el, &e);
	e = want_good;
	e.fw_revision[2] = '\x01';
	check_encode_einval("fw_revision control char", enc_el, &e);
	assert_int_equal(ocxlpmem_error_log_encode(NULL, &e, sz), -EINVAL);
	assert_int_equal(ocxlpmem_error_log_decode(el_none, 8, NULL), -EINVAL);
}

/* ---- ERROR_LOG_ACK ------------------------------------------------------ */

static const uint8_t ack_good[] = { 0x23, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint32_t ack_want = 0x123, ack_want_max = UINT32_MAX;

static void cmp_u32(const void *g, const void *w)
{
	EXPECT_EQ(*(const uint32_t *)g, *(const uint32_t *)w);
}

static int dec_ack(const void *b, size_t l, void *r)
{
	return ocxlpmem_error_log_ack_decode(b, l, r);
}

static ssize_t enc_ack(const void *o, void *b, size_t cap)
{
	return ocxlpmem_error_log_ack_encode(*(const uint32_t *)o, b, cap);
}

#define GOOD() .bytes = ack_good, .len = sizeof(ack_good)
static const struct decode_case ack_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &ack_want },
	{ "identifier 0xFFFFFFFF", GOOD(),
	  .patch = { P(0, 0xFF), P(1, 0xFF), P(2, 0xFF), P(3, 0xFF) }, .npatch = 4, .expect = 0,
	  .want = &ack_want_max },
	{ "reserved byte 0", GOOD(), .patch = { P(4, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved byte 3", GOOD(), .patch = { P(7, 0x80) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -4, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_ack(void **state)
{
	run_decode_cases(ack_cases, N_ELEMENTS(ack_cases), dec_ack, sizeof(uint32_t), cmp_u32);
	check_case_prefixes(ack_cases, N_ELEMENTS(ack_cases), dec_ack, sizeof(uint32_t));
	check_roundtrip("ack", enc_ack, dec_ack, cmp_u32, &ack_want, sizeof(uint32_t), ack_good,
			sizeof(ack_good));
	check_roundtrip("ack max", enc_ack, dec_ack, cmp_u32, &ack_want_max, sizeof(uint32_t),
			NULL, 0);
	assert_int_equal(ocxlpmem_error_log_ack_encode(1, NULL, 8), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_el_decode),
		cmocka_unit_test(test_el_encode),
		cmocka_unit_test(test_ack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
