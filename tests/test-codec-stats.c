// SPDX-License-Identifier: LGPL-2.1-or-later
/* CONTROLLER_STATS codec: tables of wire bytes. */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

static const uint8_t stats_good[] = {
	0x68, 0x00, 0x00, 0x00, 0x00, 0x00, 0x53, 0x43, /* 'CS', length 104 */
	0x03, 0x00, 0x00, 0x00,                         /* reset_count 3 */
	0x80, 0x51, 0x01, 0x00,                         /* reset_uptime_s 86400 */
	0x80, 0x33, 0xE1, 0x01,                         /* power_on_uptime_s 1 year */
	0x61, 0x2A, 0x00, 0x00,                         /* 97 %, 42 %, reserved */
	0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* host_load_count */
	0x11, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* host_store_count */
	0x12, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* host_load_duration_ns */
	0x13, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* host_store_duration_ns */
	0x14, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* media_read_count */
	0x15, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* media_write_count */
	0x16, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* media_read_duration_ns */
	0x17, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* media_write_duration_ns */
	0x18, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* cache_read_hit_count */
	0x19, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* cache_write_hit_count */
	0x1A, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, /* fast_write_count */
};

static const struct ocxlpmem_stats want_good = {
	.reset_count = 3,
	.reset_uptime_s = 86400,
	.power_on_uptime_s = 31536000,
	.life_remaining_pct = 97,
	.critical_resource_utilization_pct = 42,
	.host_load_count = 0x8070605040302010ull,
	.host_store_count = 0x8070605040302011ull,
	.host_load_duration_ns = 0x8070605040302012ull,
	.host_store_duration_ns = 0x8070605040302013ull,
	.media_read_count = 0x8070605040302014ull,
	.media_write_count = 0x8070605040302015ull,
	.media_read_duration_ns = 0x8070605040302016ull,
	.media_write_duration_ns = 0x8070605040302017ull,
	.cache_read_hit_count = 0x8070605040302018ull,
	.cache_write_hit_count = 0x8070605040302019ull,
	.fast_write_count = 0x807060504030201Aull,
};

/* The same with both percentages at their limits. */
static const struct ocxlpmem_stats want_limits = {
	.reset_count = 3,
	.reset_uptime_s = 86400,
	.power_on_uptime_s = 31536000,
	.life_remaining_pct = 100,
	.critical_resource_utilization_pct = 0,
	.host_load_count = 0x8070605040302010ull,
	.host_store_count = 0x8070605040302011ull,
	.host_load_duration_ns = 0x8070605040302012ull,
	.host_store_duration_ns = 0x8070605040302013ull,
	.media_read_count = 0x8070605040302014ull,
	.media_write_count = 0x8070605040302015ull,
	.media_read_duration_ns = 0x8070605040302016ull,
	.media_write_duration_ns = 0x8070605040302017ull,
	.cache_read_hit_count = 0x8070605040302018ull,
	.cache_write_hit_count = 0x8070605040302019ull,
	.fast_write_count = 0x807060504030201Aull,
};

static void cmp_stats(const void *g, const void *w)
{
	const struct ocxlpmem_stats *got = g, *want = w;

	EXPECT_EQ(got->reset_count, want->reset_count);
	EXPECT_EQ(got->reset_uptime_s, want->reset_uptime_s);
	EXPECT_EQ(got->power_on_uptime_s, want->power_on_uptime_s);
	EXPECT_EQ(got->life_remaining_pct, want->life_remaining_pct);
	EXPECT_EQ(got->critical_resource_utilization_pct, want->critical_resource_utilization_pct);
	EXPECT_EQ(got->host_load_count, want->host_load_count);
	EXPECT_EQ(got->host_store_count, want->host_store_count);
	EXPECT_EQ(got->host_load_duration_ns, want->host_load_duration_ns);
	EXPECT_EQ(got->host_store_duration_ns, want->host_store_duration_ns);
	EXPECT_EQ(got->media_read_count, want->media_read_count);
	EXPECT_EQ(got->media_write_count, want->media_write_count);
	EXPECT_EQ(got->media_read_duration_ns, want->media_read_duration_ns);
	EXPECT_EQ(got->media_write_duration_ns, want->media_write_duration_ns);
	EXPECT_EQ(got->cache_read_hit_count, want->cache_read_hit_count);
	EXPECT_EQ(got->cache_write_hit_count, want->cache_write_hit_count);
	EXPECT_EQ(got->fast_write_count, want->fast_write_count);
}

static int dec_stats(const void *b, size_t l, void *r)
{
	return ocxlpmem_stats_decode(b, l, r);
}

static ssize_t enc_stats(const void *o, void *b, size_t cap)
{
	return ocxlpmem_stats_encode(o, b, cap);
}

#define GOOD() .bytes = stats_good, .len = sizeof(stats_good)
static const struct decode_case stats_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &want_good },
	{ "percentages 100 and 0", GOOD(), .patch = { P(20, 100), P(21, 0) }, .npatch = 2,
	  .expect = 0, .want = &want_limits },
	{ "life_remaining 101", GOOD(), .patch = { P(20, 101) }, .npatch = 1, .expect = -EBADMSG },
	{ "life_remaining 255", GOOD(), .patch = { P(20, 255) }, .npatch = 1, .expect = -EBADMSG },
	{ "utilization 101", GOOD(), .patch = { P(21, 101) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[0]", GOOD(), .patch = { P(22, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[1]", GOOD(), .patch = { P(23, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "id SM", GOOD(), .patch = { P(7, 'S'), P(6, 'M') }, .npatch = 2, .expect = -EBADMSG },
	{ "id CD", GOOD(), .patch = { P(6, 'D') }, .npatch = 1, .expect = -EBADMSG },
	{ "header reserved bits", GOOD(), .patch = { P(4, 0xFF) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "length 96, consistent", GOOD(), .resize = -8, .patch = { P(0, 96) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "length 112, consistent", GOOD(), .resize = 8, .patch = { P(0, 112) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "length beyond buffer", GOOD(), .patch = { P(0, 105) }, .npatch = 1,
	  .expect = -EMSGSIZE },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "last counter cut", GOOD(), .resize = -8, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_stats_decode(void **state)
{
	run_decode_cases(stats_cases, N_ELEMENTS(stats_cases), dec_stats,
			 sizeof(struct ocxlpmem_stats), cmp_stats);
	check_case_prefixes(stats_cases, N_ELEMENTS(stats_cases), dec_stats,
			    sizeof(struct ocxlpmem_stats));
}

static void test_stats_encode(void **state)
{
	struct ocxlpmem_stats s = want_good;
	const struct ocxlpmem_stats zero = { 0 };

	check_roundtrip("good", enc_stats, dec_stats, cmp_stats, &want_good, sizeof(s), stats_good,
			sizeof(stats_good));
	check_roundtrip("limits", enc_stats, dec_stats, cmp_stats, &want_limits, sizeof(s), NULL,
			0);
	check_roundtrip("zero", enc_stats, dec_stats, cmp_stats, &zero, sizeof(s), NULL, 0);

	s.life_remaining_pct = 101;
	check_encode_einval("life 101", enc_stats, &s);
	s = want_good;
	s.critical_resource_utilization_pct = 200;
	check_encode_einval("utilization 200", enc_stats, &s);
	assert_int_equal(ocxlpmem_stats_encode(NULL, &s, sizeof(s)), -EINVAL);
	assert_int_equal(ocxlpmem_stats_encode(&s, NULL, 112), -EINVAL);
	assert_int_equal(ocxlpmem_stats_decode(stats_good, sizeof(stats_good), NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_decode),
		cmocka_unit_test(test_stats_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
