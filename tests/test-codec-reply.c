// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reply header and data header word: tables of wire bytes. */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

/* ---- reply header ------------------------------------------------------- */

static const uint8_t reply_good[] = {
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, /* SUCCESS, data_len 8 */
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
};
static const uint8_t reply_empty[] = {
	0x52, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* BAD_DATA_PARM, no data */
};
static const uint8_t reply_unknown_status[] = {
	0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const struct ocxlpmem_reply want_good = {
	.card_status = 0x00, .data = reply_good + 8, .data_len = 8,
};
static const struct ocxlpmem_reply want_empty = { .card_status = 0x52, .data_len = 0 };
static const struct ocxlpmem_reply want_unknown = { .card_status = 0x99, .data_len = 0 };

static void cmp_reply(const void *g, const void *w)
{
	const struct ocxlpmem_reply *got = g, *want = w;

	EXPECT_EQ(got->card_status, want->card_status);
	EXPECT_EQ(got->data_len, want->data_len);
	if (want->data_len)
		assert_memory_equal(got->data, want->data, want->data_len);
}

static int dec_reply(const void *b, size_t l, void *r)
{
	return ocxlpmem_reply_decode(b, l, r);
}

#define GOOD() .bytes = reply_good, .len = sizeof(reply_good)
static const struct decode_case reply_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &want_good },
	{ "good, no data", reply_empty, sizeof(reply_empty), .expect = 0, .want = &want_empty },
	{ "status the card never defined is still a reply", reply_unknown_status,
	  sizeof(reply_unknown_status), .expect = 0, .want = &want_unknown },
	{ "reserved0[0] set", GOOD(), .patch = { P(1, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved0[1] set", GOOD(), .patch = { P(2, 0x80) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved0[2] set", GOOD(), .patch = { P(3, 0xff) }, .npatch = 1, .expect = -EBADMSG },
	{ "data_len beyond buffer", GOOD(), .patch = { P(4, 9) }, .npatch = 1,
	  .expect = -EMSGSIZE },
	{ "data_len 4 GiB - 1", GOOD(), .patch = { P(4, 0xff), P(5, 0xff), P(6, 0xff), P(7, 0xff) },
	  .npatch = 4, .expect = -EMSGSIZE },
	{ "data_len shorter than buffer", GOOD(), .patch = { P(4, 7) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "data truncated by one byte", GOOD(), .resize = -1, .expect = -EMSGSIZE },
	{ "empty buffer", GOOD(), .resize = -16, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_reply_decode(void **state)
{
	run_decode_cases(reply_cases, N_ELEMENTS(reply_cases), dec_reply,
			 sizeof(struct ocxlpmem_reply), cmp_reply);
	check_case_prefixes(reply_cases, N_ELEMENTS(reply_cases), dec_reply,
			    sizeof(struct ocxlpmem_reply));
}

static void test_reply_encode(void **state)
{
	static const uint8_t want[] = { 0x52, 0, 0, 0, 0x04, 0x03, 0x02, 0x01 };
	uint8_t b[16];
	struct ocxlpmem_reply r;

	memset(b, POISON, sizeof(b));
	assert_int_equal(ocxlpmem_reply_encode(0x52, 0x01020304, b, sizeof(b)), 8);
	assert_memory_equal(b, want, sizeof(want));
	assert_int_equal(b[8], POISON);

	for (size_t cap = 0; cap < 8; cap++) {
		memset(b, POISON, sizeof(b));
		assert_int_equal(ocxlpmem_reply_encode(0, 0, b, cap), -ENOSPC);
		assert_int_equal(b[0], POISON);
	}
	assert_int_equal(ocxlpmem_reply_encode(0, UINT32_MAX - 7, b, sizeof(b)), -EINVAL);
	assert_int_equal(ocxlpmem_reply_encode(0, UINT32_MAX - 8, b, sizeof(b)), 8);
	assert_int_equal(ocxlpmem_reply_encode(0, 0, NULL, 8), -EINVAL);

	/* Round trip: header + data. */
	assert_int_equal(ocxlpmem_reply_encode(0x21, 8, b, sizeof(b)), 8);
	memcpy(b + 8, "ABCDEFGH", 8);
	assert_int_equal(ocxlpmem_reply_decode(b, 16, &r), 0);
	assert_int_equal(r.card_status, 0x21);
	assert_int_equal(r.data_len, 8);
	assert_ptr_equal(r.data, b + 8);
}

static void test_reply_null(void **state)
{
	struct ocxlpmem_reply r;

	assert_int_equal(ocxlpmem_reply_decode(NULL, 8, &r), -EINVAL);
	assert_int_equal(ocxlpmem_reply_decode(reply_good, sizeof(reply_good), NULL), -EINVAL);
	assert_int_equal(ocxlpmem_reply_decode(NULL, 0, &r), -EMSGSIZE);
}

/* ---- data header word --------------------------------------------------- */

static const uint8_t hdr_sm_16[] = {
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4D, 0x53, /* 'SM', length 16 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
static const uint8_t hdr_sm_0[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4D, 0x53 };

static const uint32_t want_16 = 16, want_0 = 0;

static void cmp_u32(const void *g, const void *w)
{
	EXPECT_EQ(*(const uint32_t *)g, *(const uint32_t *)w);
}

static int dec_hdr_sm(const void *b, size_t l, void *r)
{
	return ocxlpmem_data_hdr_check(b, l, OCXLPMEM_DATA_ID_SMART, r);
}

#define GOOD() .bytes = hdr_sm_16, .len = sizeof(hdr_sm_16)
static const struct decode_case hdr_cases[] = {
	{ "SM with 16 bytes", GOOD(), .expect = 0, .want = &want_16 },
	{ "SM empty", hdr_sm_0, sizeof(hdr_sm_0), .expect = 0, .want = &want_0 },
	{ "id EL", GOOD(), .patch = { P(7, 'E'), P(6, 'L') }, .npatch = 2, .expect = -EBADMSG },
	{ "id byte-swapped MS", GOOD(), .patch = { P(7, 'M'), P(6, 'S') }, .npatch = 2,
	  .expect = -EBADMSG },
	{ "reserved bit 32", GOOD(), .patch = { P(4, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved bit 47", GOOD(), .patch = { P(5, 0x80) }, .npatch = 1, .expect = -EBADMSG },
	{ "length beyond buffer", GOOD(), .patch = { P(0, 17) }, .npatch = 1, .expect = -EMSGSIZE },
	{ "length 4 GiB - 1", GOOD(), .patch = { P(0, 0xff), P(1, 0xff), P(2, 0xff), P(3, 0xff) },
	  .npatch = 4, .expect = -EMSGSIZE },
	{ "length short of buffer", GOOD(), .patch = { P(0, 8) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing bytes", GOOD(), .resize = 8, .expect = -EBADMSG },
};
#undef GOOD

static void test_data_hdr(void **state)
{
	uint8_t b[8];
	uint32_t n;

	run_decode_cases(hdr_cases, N_ELEMENTS(hdr_cases), dec_hdr_sm, sizeof(uint32_t), cmp_u32);
	check_case_prefixes(hdr_cases, N_ELEMENTS(hdr_cases), dec_hdr_sm, sizeof(uint32_t));

	assert_true(ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_SMART, 16) == 0x534D000000000010ull);
	assert_true(ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_ERROR_LOG, 0) == 0x454C000000000000ull);
	assert_true(ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_STATS, 104) == 0x4353000000000068ull);
	assert_true(ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_DUMP, UINT32_MAX) ==
		    0x43440000FFFFFFFFull);

	/* Each id only matches itself. */
	memcpy(b, hdr_sm_0, 8);
	assert_int_equal(ocxlpmem_data_hdr_check(b, 8, OCXLPMEM_DATA_ID_ERROR_LOG, &n), -EBADMSG);
	assert_int_equal(ocxlpmem_data_hdr_check(b, 8, OCXLPMEM_DATA_ID_STATS, &n), -EBADMSG);
	assert_int_equal(ocxlpmem_data_hdr_check(b, 8, OCXLPMEM_DATA_ID_DUMP, &n), -EBADMSG);
	assert_int_equal(ocxlpmem_data_hdr_check(b, 8, OCXLPMEM_DATA_ID_SMART, NULL), -EINVAL);
	assert_int_equal(ocxlpmem_data_hdr_check(NULL, 8, OCXLPMEM_DATA_ID_SMART, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_decode),
		cmocka_unit_test(test_reply_encode),
		cmocka_unit_test(test_reply_null),
		cmocka_unit_test(test_data_hdr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
