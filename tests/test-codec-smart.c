// SPDX-License-Identifier: LGPL-2.1-or-later
/* SMART codec: tables of wire bytes. */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

/* Two attributes: temperature 41 C and power-on hours. */
static const uint8_t smart_good[] = {
	0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4D, 0x53, /* 'SM', length 40 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* count 2, reserved */
	/* id C2, flags 0023, current 64, threshold 0A, worst 5F */
	0x00, 0x00, 0x5F, 0x0A, 0x64, 0x23, 0x00, 0xC2,
	0x29, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* raw 41 */
	/* id 09, flags 0102, current 64, threshold 00, worst 64 */
	0x00, 0x00, 0x64, 0x00, 0x64, 0x02, 0x01, 0x09,
	0x10, 0x27, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* raw 0x100002710 */
};

static const uint8_t smart_empty[] = {
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4D, 0x53, /* 'SM', length 8 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Header length 4: too short to hold even the count. */
static const uint8_t smart_short_len[] = {
	0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4D, 0x53, 0x00, 0x00, 0x00, 0x00,
};

#define ATTR_TEMP                                                                       \
	{ .id = 0xC2, .flags = 0x0023, .current = 0x64, .threshold = 0x0A, .worst = 0x5F, \
	  .raw = 41 }
#define ATTR_POH                                                                      \
	{ .id = 0x09, .flags = 0x0102, .current = 0x64, .threshold = 0, .worst = 0x64, \
	  .raw = 0x100002710ull }

static const struct ocxlpmem_smart want_good = { .count = 2, .attrs = { ATTR_TEMP, ATTR_POH } };
static const struct ocxlpmem_smart want_empty = { .count = 0 };
/* 30 attributes: the first two from smart_good, the rest all zero. */
static const struct ocxlpmem_smart want_30 = { .count = 30, .attrs = { ATTR_TEMP, ATTR_POH } };

static void cmp_smart(const void *g, const void *w)
{
	const struct ocxlpmem_smart *got = g, *want = w;

	EXPECT_EQ(got->count, want->count);
	for (unsigned int i = 0; i < want->count; i++) {
		EXPECT_EQ(got->attrs[i].id, want->attrs[i].id);
		EXPECT_EQ(got->attrs[i].flags, want->attrs[i].flags);
		EXPECT_EQ(got->attrs[i].current, want->attrs[i].current);
		EXPECT_EQ(got->attrs[i].threshold, want->attrs[i].threshold);
		EXPECT_EQ(got->attrs[i].worst, want->attrs[i].worst);
		EXPECT_EQ(got->attrs[i].raw, want->attrs[i].raw);
	}
}

static int dec_smart(const void *b, size_t l, void *r)
{
	return ocxlpmem_smart_decode(b, l, r);
}

static ssize_t enc_smart(const void *o, void *b, size_t cap)
{
	return ocxlpmem_smart_encode(o, b, cap);
}

#define GOOD() .bytes = smart_good, .len = sizeof(smart_good)
static const struct decode_case smart_cases[] = {
	{ "good, two attributes", GOOD(), .expect = 0, .want = &want_good },
	{ "good, no attributes", smart_empty, sizeof(smart_empty), .expect = 0,
	  .want = &want_empty },
	/* 8 + 8 + 16 * 30 = 496 bytes, length 488 = 0x1E8. */
	{ "good, 30 attributes", GOOD(), .resize = 496 - 48,
	  .patch = { P(0, 0xE8), P(1, 0x01), P(8, 30) }, .npatch = 3, .expect = 0,
	  .want = &want_30 },
	/* 8 + 8 + 16 * 31 = 512 bytes, length 504 = 0x1F8: consistent but too many. */
	{ "count 31", GOOD(), .resize = 512 - 48, .patch = { P(0, 0xF8), P(1, 0x01), P(8, 31) },
	  .npatch = 3, .expect = -EBADMSG },
	{ "count 255", GOOD(), .patch = { P(8, 255) }, .npatch = 1, .expect = -EBADMSG },
	{ "id EL", GOOD(), .patch = { P(7, 'E'), P(6, 'L') }, .npatch = 2, .expect = -EBADMSG },
	{ "id CS", GOOD(), .patch = { P(7, 'C'), P(6, 'S') }, .npatch = 2, .expect = -EBADMSG },
	{ "header reserved bit 32", GOOD(), .patch = { P(4, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "header reserved bit 40", GOOD(), .patch = { P(5, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[0]", GOOD(), .patch = { P(9, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[1]", GOOD(), .patch = { P(10, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[2]", GOOD(), .patch = { P(11, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[3]", GOOD(), .patch = { P(12, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[4]", GOOD(), .patch = { P(13, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[5]", GOOD(), .patch = { P(14, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[6]", GOOD(), .patch = { P(15, 0x80) }, .npatch = 1, .expect = -EBADMSG },
	{ "attr 0 word0 bit 0", GOOD(), .patch = { P(16, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "attr 0 word0 bit 15", GOOD(), .patch = { P(17, 0x80) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "attr 1 word0 bit 0", GOOD(), .patch = { P(32, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "attr 1 word0 bit 8", GOOD(), .patch = { P(33, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "count 1, length for 2", GOOD(), .patch = { P(8, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "count 3, length for 2", GOOD(), .patch = { P(8, 3) }, .npatch = 1, .expect = -EBADMSG },
	{ "count 0, length for 2", GOOD(), .patch = { P(8, 0) }, .npatch = 1, .expect = -EBADMSG },
	{ "length not 8 + 16n", GOOD(), .resize = -8, .patch = { P(0, 0x20) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "length below the count field", smart_short_len, sizeof(smart_short_len),
	  .expect = -EBADMSG },
	{ "length beyond buffer", GOOD(), .patch = { P(0, 0x38), P(8, 3) }, .npatch = 2,
	  .expect = -EMSGSIZE },
	{ "length 4 GiB - 1", GOOD(), .patch = { P(0, 0xff), P(1, 0xff), P(2, 0xff), P(3, 0xff) },
	  .npatch = 4, .expect = -EMSGSIZE },
	{ "trailing attribute", GOOD(), .resize = 16, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "last attribute cut", GOOD(), .resize = -16, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_smart_decode(void **state)
{
	run_decode_cases(smart_cases, N_ELEMENTS(smart_cases), dec_smart,
			 sizeof(struct ocxlpmem_smart), cmp_smart);
	check_case_prefixes(smart_cases, N_ELEMENTS(smart_cases), dec_smart,
			    sizeof(struct ocxlpmem_smart));
}

static void test_smart_roundtrip(void **state)
{
	struct ocxlpmem_smart full = { .count = OCXLPMEM_SMART_MAX_ATTRS };

	for (unsigned int i = 0; i < full.count; i++)
		full.attrs[i] = (struct ocxlpmem_smart_attr){
			.id = (uint8_t)(0xF0 + i),
			.flags = (uint16_t)(0xFFFF - i),
			.current = (uint8_t)(200 + i),
			.threshold = (uint8_t)i,
			.worst = 0xFF,
			.raw = 0x8000000000000000ull | i,
		};

	check_roundtrip("two attributes", enc_smart, dec_smart, cmp_smart, &want_good,
			sizeof(struct ocxlpmem_smart), smart_good, sizeof(smart_good));
	check_roundtrip("no attributes", enc_smart, dec_smart, cmp_smart, &want_empty,
			sizeof(struct ocxlpmem_smart), smart_empty, sizeof(smart_empty));
	check_roundtrip("30 attributes", enc_smart, dec_smart, cmp_smart, &full,
			sizeof(struct ocxlpmem_smart), NULL, 0);
}

static void test_smart_encode_invalid(void **state)
{
	struct ocxlpmem_smart s = want_good;
	uint8_t b[16];

	s.count = OCXLPMEM_SMART_MAX_ATTRS + 1;
	check_encode_einval("count 31", enc_smart, &s);
	s.count = UINT32_MAX;
	check_encode_einval("count UINT_MAX", enc_smart, &s);
	assert_int_equal(ocxlpmem_smart_encode(NULL, b, sizeof(b)), -EINVAL);
	assert_int_equal(ocxlpmem_smart_encode(&want_empty, NULL, 16), -EINVAL);
	assert_int_equal(ocxlpmem_smart_decode(smart_good, sizeof(smart_good), NULL), -EINVAL);
	assert_int_equal(ocxlpmem_smart_decode(NULL, 16, &s), -EINVAL);
}

static void test_smart_values(void **state)
{
	struct ocxlpmem_smart s = want_good;
	const struct ocxlpmem_smart_attr *a;
	unsigned int pct = 1234;
	uint64_t hours = 0;
	int c = 0;

	assert_true(ocxlpmem_smart_temperature_c(&s, &c));
	assert_int_equal(c, 41);
	assert_true(ocxlpmem_smart_power_on_hours(&s, &hours));
	assert_true(hours == 0x100002710ull);
	/* Not reported: false, and the output is left alone. */
	assert_false(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_int_equal(pct, 1234);
	assert_null(ocxlpmem_smart_find(&s, 0xCA));
	assert_null(ocxlpmem_smart_find(NULL, 0xC2));

	/* Temperature is signed and only bits 15:0 count. */
	s.attrs[0].raw = 0xFFF6;
	assert_true(ocxlpmem_smart_temperature_c(&s, &c));
	assert_int_equal(c, -10);
	s.attrs[0].raw = 0x123456789ABC0029ull;
	assert_true(ocxlpmem_smart_temperature_c(&s, &c));
	assert_int_equal(c, 41);

	s.count = 3;
	s.attrs[2] = (struct ocxlpmem_smart_attr){ .id = 0xCA, .current = 95, .raw = 95 };
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_int_equal(pct, 95);
	s.attrs[2].current = 101;
	assert_false(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	s.attrs[2].current = 100;
	assert_true(ocxlpmem_smart_life_remaining_pct(&s, &pct));
	assert_int_equal(pct, 100);

	/* Duplicate ids: the first one wins; attributes past count do not exist. */
	s.attrs[2].id = 0xC2;
	a = ocxlpmem_smart_find(&s, 0xC2);
	assert_ptr_equal(a, &s.attrs[0]);
	s.count = 1;
	assert_null(ocxlpmem_smart_find(&s, 0x09));
	assert_false(ocxlpmem_smart_power_on_hours(&s, &hours));
	s.count = 0;
	assert_false(ocxlpmem_smart_temperature_c(&s, &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smart_decode),
		cmocka_unit_test(test_smart_roundtrip),
		cmocka_unit_test(test_smart_encode_invalid),
		cmocka_unit_test(test_smart_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
