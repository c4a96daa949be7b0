// SPDX-License-Identifier: LGPL-2.1-or-later
/* DUMP_START, DUMP_DATA and DUMP_COMPLETE codecs: tables of wire bytes. */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

static void cmp_u32(const void *g, const void *w)
{
	EXPECT_EQ(*(const uint32_t *)g, *(const uint32_t *)w);
}

/* ---- DUMP_START output -------------------------------------------------- */

static const uint8_t info_good[] = {
	0xCD, 0xAB, 0x00, 0x00, /* dump_id 0xABCD */
	0x00, 0x00, 0x01, 0x00, /* total_size 64 KiB */
	0x01,                   /* origin CARD */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const struct ocxlpmem_dump_info info_want_card = {
	.dump_id = 0xABCD, .total_size = 0x10000, .origin = OCXLPMEM_DUMP_CARD,
};
static const struct ocxlpmem_dump_info info_want_host = {
	.dump_id = 0xABCD, .total_size = 0x10000, .origin = OCXLPMEM_DUMP_HOST,
};
static const struct ocxlpmem_dump_info info_want_none = {
	.dump_id = 0xABCD, .total_size = 0, .origin = OCXLPMEM_DUMP_NONE,
};

static void cmp_info(const void *g, const void *w)
{
	const struct ocxlpmem_dump_info *got = g, *want = w;

	EXPECT_EQ(got->dump_id, want->dump_id);
	EXPECT_EQ(got->total_size, want->total_size);
	EXPECT_EQ(got->origin, want->origin);
}

static int dec_info(const void *b, size_t l, void *r)
{
	return ocxlpmem_dump_info_decode(b, l, r);
}

static ssize_t enc_info(const void *o, void *b, size_t cap)
{
	return ocxlpmem_dump_info_encode(o, b, cap);
}

#define GOOD() .bytes = info_good, .len = sizeof(info_good)
static const struct decode_case info_cases[] = {
	{ "card dump", GOOD(), .expect = 0, .want = &info_want_card },
	{ "host dump", GOOD(), .patch = { P(8, 2) }, .npatch = 1, .expect = 0,
	  .want = &info_want_host },
	{ "no dump", GOOD(), .patch = { P(6, 0), P(8, 0) }, .npatch = 2, .expect = 0,
	  .want = &info_want_none },
	{ "no dump but a size", GOOD(), .patch = { P(8, 0) }, .npatch = 1, .expect = -EBADMSG },
	{ "origin 3", GOOD(), .patch = { P(8, 3) }, .npatch = 1, .expect = -EBADMSG },
	{ "origin 255", GOOD(), .patch = { P(8, 255) }, .npatch = 1, .expect = -EBADMSG },
	{ "total_size not a multiple of 8", GOOD(), .patch = { P(4, 4) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "reserved[0]", GOOD(), .patch = { P(9, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[1]", GOOD(), .patch = { P(10, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[2]", GOOD(), .patch = { P(11, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[3]", GOOD(), .patch = { P(12, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[4]", GOOD(), .patch = { P(13, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[5]", GOOD(), .patch = { P(14, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved[6]", GOOD(), .patch = { P(15, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -7, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_info(void **state)
{
	struct ocxlpmem_dump_info d = info_want_card;

	run_decode_cases(info_cases, N_ELEMENTS(info_cases), dec_info, sizeof(d), cmp_info);
	check_case_prefixes(info_cases, N_ELEMENTS(info_cases), dec_info, sizeof(d));
	check_roundtrip("card", enc_info, dec_info, cmp_info, &info_want_card, sizeof(d),
			info_good, sizeof(info_good));
	check_roundtrip("host", enc_info, dec_info, cmp_info, &info_want_host, sizeof(d), NULL, 0);
	check_roundtrip("none", enc_info, dec_info, cmp_info, &info_want_none, sizeof(d), NULL, 0);

	d.origin = 3;
	check_encode_einval("origin 3", enc_info, &d);
	d = info_want_card;
	d.total_size = 9;
	check_encode_einval("total_size 9", enc_info, &d);
	d = info_want_none;
	d.total_size = 8;
	check_encode_einval("no dump with a size", enc_info, &d);
}

/* ---- DUMP_DATA input ---------------------------------------------------- */

static const uint8_t req_good[] = {
	0xCD, 0xAB, 0x00, 0x00, /* dump_id */
	0x00, 0x10, 0x00, 0x00, /* offset 4096 */
	0x00, 0x10, 0x00, 0x00, /* max_size 4096 */
	0x00, 0x00, 0x00, 0x00, /* reserved */
};

static const struct ocxlpmem_dump_data_req req_want = {
	.dump_id = 0xABCD, .offset = 4096, .max_size = 4096,
};
static const struct ocxlpmem_dump_data_req req_want_8 = {
	.dump_id = 0xABCD, .offset = 0, .max_size = 8,
};

static void cmp_req(const void *g, const void *w)
{
	const struct ocxlpmem_dump_data_req *got = g, *want = w;

	EXPECT_EQ(got->dump_id, want->dump_id);
	EXPECT_EQ(got->offset, want->offset);
	EXPECT_EQ(got->max_size, want->max_size);
}

static int dec_req(const void *b, size_t l, void *r)
{
	return ocxlpmem_dump_data_req_decode(b, l, r);
}

static ssize_t enc_req(const void *o, void *b, size_t cap)
{
	return ocxlpmem_dump_data_req_encode(o, b, cap);
}

#define GOOD() .bytes = req_good, .len = sizeof(req_good)
static const struct decode_case req_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &req_want },
	{ "offset 0, max 8", GOOD(), .patch = { P(5, 0), P(8, 8), P(9, 0) }, .npatch = 3,
	  .expect = 0, .want = &req_want_8 },
	{ "offset not a multiple of 8", GOOD(), .patch = { P(4, 4) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "max_size 0", GOOD(), .patch = { P(9, 0) }, .npatch = 1, .expect = -EBADMSG },
	{ "max_size 12", GOOD(), .patch = { P(8, 12), P(9, 0) }, .npatch = 2, .expect = -EBADMSG },
	{ "reserved byte 0", GOOD(), .patch = { P(12, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved byte 3", GOOD(), .patch = { P(15, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -4, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_req(void **state)
{
	struct ocxlpmem_dump_data_req q = req_want;

	run_decode_cases(req_cases, N_ELEMENTS(req_cases), dec_req, sizeof(q), cmp_req);
	check_case_prefixes(req_cases, N_ELEMENTS(req_cases), dec_req, sizeof(q));
	check_roundtrip("request", enc_req, dec_req, cmp_req, &req_want, sizeof(q), req_good,
			sizeof(req_good));
	check_roundtrip("request 8", enc_req, dec_req, cmp_req, &req_want_8, sizeof(q), NULL, 0);

	q.offset = 1;
	check_encode_einval("offset 1", enc_req, &q);
	q = req_want;
	q.max_size = 0;
	check_encode_einval("max_size 0", enc_req, &q);
	q.max_size = 4;
	check_encode_einval("max_size 4", enc_req, &q);
}

/* ---- DUMP_DATA output --------------------------------------------------- */

static const uint8_t chunk_data[64] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
};

static const uint8_t chunk_good[] = {
	0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x44, 0x43, /* 'CD', length 32 */
	0xCD, 0xAB, 0x00, 0x00,                         /* dump_id */
	0x40, 0x00, 0x00, 0x00,                         /* total_size 64 */
	0x20, 0x00, 0x00, 0x00,                         /* offset 32 */
	0x10, 0x00, 0x00, 0x00,                         /* chunk_size 16 */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
};

static const struct ocxlpmem_dump_chunk chunk_want = {
	.dump_id = 0xABCD, .total_size = 64, .offset = 32, .chunk_size = 16, .data = chunk_data,
};
static const struct ocxlpmem_dump_chunk chunk_want_end = {
	.dump_id = 0xABCD, .total_size = 64, .offset = 64, .chunk_size = 0, .data = chunk_data,
};
static const struct ocxlpmem_dump_chunk chunk_want_last = {
	.dump_id = 0xABCD, .total_size = 64, .offset = 48, .chunk_size = 16, .data = chunk_data,
};
static const struct ocxlpmem_dump_chunk chunk_want_empty_dump = {
	.dump_id = 0xABCD, .total_size = 0, .offset = 0, .chunk_size = 0, .data = chunk_data,
};

static void cmp_chunk(const void *g, const void *w)
{
	const struct ocxlpmem_dump_chunk *got = g, *want = w;

	EXPECT_EQ(got->dump_id, want->dump_id);
	EXPECT_EQ(got->total_size, want->total_size);
	EXPECT_EQ(got->offset, want->offset);
	EXPECT_EQ(got->chunk_size, want->chunk_size);
	assert_non_null(got->data);
	assert_memory_equal(got->data, want->data, want->chunk_size);
}

static int dec_chunk(const void *b, size_t l, void *r)
{
	return ocxlpmem_dump_chunk_decode(b, l, r);
}

/* Header, then the data as the card model puts it there. */
static ssize_t enc_chunk(const void *o, void *b, size_t cap)
{
	const struct ocxlpmem_dump_chunk *c = o;
	ssize_t n;

	if (cap >= 24 && cap < 24 + (size_t)c->chunk_size)
		return -ENOSPC;
	n = ocxlpmem_dump_chunk_encode_hdr(c, b, cap);
	if (n < 0)
		return n;
	memcpy((uint8_t *)b + n, c->data, c->chunk_size);
	return n + (ssize_t)c->chunk_size;
}

#define GOOD() .bytes = chunk_good, .len = sizeof(chunk_good)
static const struct decode_case chunk_cases[] = {
	{ "middle chunk", GOOD(), .expect = 0, .want = &chunk_want },
	{ "last chunk", GOOD(), .patch = { P(16, 48) }, .npatch = 1, .expect = 0,
	  .want = &chunk_want_last },
	{ "end of dump", GOOD(), .resize = -16, .patch = { P(0, 16), P(16, 64), P(20, 0) },
	  .npatch = 3, .expect = 0, .want = &chunk_want_end },
	{ "end of an empty dump", GOOD(), .resize = -16,
	  .patch = { P(0, 16), P(12, 0), P(16, 0), P(20, 0) }, .npatch = 4, .expect = 0,
	  .want = &chunk_want_empty_dump },
	{ "empty chunk before the end", GOOD(), .resize = -16, .patch = { P(0, 16), P(20, 0) },
	  .npatch = 2, .expect = -EBADMSG },
	{ "chunk_size 12", GOOD(), .resize = -4, .patch = { P(0, 28), P(20, 12) }, .npatch = 2,
	  .expect = -EBADMSG },
	{ "offset not a multiple of 8", GOOD(), .patch = { P(16, 36) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "offset + size beyond total", GOOD(), .patch = { P(16, 56) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "offset beyond total", GOOD(), .patch = { P(16, 0), P(17, 1) }, .npatch = 2,
	  .expect = -EBADMSG },
	{ "offset + size wraps 32 bits", GOOD(),
	  .patch = { P(12, 0xF8), P(13, 0xFF), P(14, 0xFF), P(15, 0xFF),
		     P(16, 0xF8), P(17, 0xFF), P(18, 0xFF), P(19, 0xFF) },
	  .npatch = 8, .expect = -EBADMSG },
	{ "total_size not a multiple of 8", GOOD(), .patch = { P(12, 0x44) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "chunk_size disagrees with length", GOOD(), .patch = { P(20, 8) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "chunk_size 4 GiB - 8", GOOD(),
	  .patch = { P(20, 0xF8), P(21, 0xFF), P(22, 0xFF), P(23, 0xFF) }, .npatch = 4,
	  .expect = -EBADMSG },
	{ "length shorter than the fixed fields", GOOD(), .resize = -24, .patch = { P(0, 8) },
	  .npatch = 1, .expect = -EBADMSG },
	{ "id CS", GOOD(), .patch = { P(7, 'C'), P(6, 'S') }, .npatch = 2, .expect = -EBADMSG },
	{ "header reserved bits", GOOD(), .patch = { P(4, 2) }, .npatch = 1, .expect = -EBADMSG },
	{ "length beyond buffer", GOOD(), .patch = { P(0, 40), P(20, 24) }, .npatch = 2,
	  .expect = -EMSGSIZE },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "data cut", GOOD(), .resize = -8, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_chunk(void **state)
{
	struct ocxlpmem_dump_chunk c = chunk_want;
	struct ocxlpmem_dump_chunk whole = {
		.dump_id = 7, .total_size = 64, .offset = 0, .chunk_size = 64, .data = chunk_data,
	};
	static const uint8_t hdr_want[] = {
		0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x44, 0x43, 0xCD, 0xAB, 0x00, 0x00,
		0x40, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
	};
	uint8_t b[32];

	run_decode_cases(chunk_cases, N_ELEMENTS(chunk_cases), dec_chunk, sizeof(c), cmp_chunk);
	check_case_prefixes(chunk_cases, N_ELEMENTS(chunk_cases), dec_chunk, sizeof(c));
	check_roundtrip("middle", enc_chunk, dec_chunk, cmp_chunk, &chunk_want, sizeof(c),
			chunk_good, sizeof(chunk_good));
	check_roundtrip("end", enc_chunk, dec_chunk, cmp_chunk, &chunk_want_end, sizeof(c), NULL,
			0);
	check_roundtrip("whole", enc_chunk, dec_chunk, cmp_chunk, &whole, sizeof(c), NULL, 0);

	/* encode_hdr writes exactly the 24 header bytes and nothing after them. */
	memset(b, POISON, sizeof(b));
	assert_int_equal(ocxlpmem_dump_chunk_encode_hdr(&chunk_want, b, sizeof(b)), 24);
	assert_memory_equal(b, hdr_want, sizeof(hdr_want));
	for (size_t i = 24; i < sizeof(b); i++)
		assert_int_equal(b[i], POISON);

	c.chunk_size = 12;
	check_encode_einval("chunk_size 12", enc_chunk, &c);
	c = chunk_want;
	c.offset = 4;
	check_encode_einval("offset 4", enc_chunk, &c);
	c = chunk_want;
	c.offset = 56;
	check_encode_einval("beyond total", enc_chunk, &c);
	c = chunk_want;
	c.total_size = 68;
	check_encode_einval("total 68", enc_chunk, &c);
	c = chunk_want_end;
	c.offset = 32;
	check_encode_einval("empty before the end", enc_chunk, &c);
	c = (struct ocxlpmem_dump_chunk){ .total_size = 0xFFFFFFF8u, .chunk_size = 0xFFFFFFF8u };
	assert_int_equal(ocxlpmem_dump_chunk_encode_hdr(&c, b, sizeof(b)), -EINVAL);
}

/* ---- DUMP_COMPLETE input ------------------------------------------------ */

static const uint8_t complete_good[] = { 0xCD, 0xAB, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint32_t complete_want = 0xABCD;

static int dec_complete(const void *b, size_t l, void *r)
{
	return ocxlpmem_dump_complete_decode(b, l, r);
}

static ssize_t enc_complete(const void *o, void *b, size_t cap)
{
	return ocxlpmem_dump_complete_encode(*(const uint32_t *)o, b, cap);
}

#define GOOD() .bytes = complete_good, .len = sizeof(complete_good)
static const struct decode_case complete_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &complete_want },
	{ "reserved byte 0", GOOD(), .patch = { P(4, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved byte 3", GOOD(), .patch = { P(7, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -1, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_complete(void **state)
{
	run_decode_cases(complete_cases, N_ELEMENTS(complete_cases), dec_complete,
			 sizeof(uint32_t), cmp_u32);
	check_case_prefixes(complete_cases, N_ELEMENTS(complete_cases), dec_complete,
			    sizeof(uint32_t));
	check_roundtrip("complete", enc_complete, dec_complete, cmp_u32, &complete_want,
			sizeof(uint32_t), complete_good, sizeof(complete_good));
	assert_int_equal(ocxlpmem_dump_complete_encode(1, NULL, 8), -EINVAL);
	assert_int_equal(ocxlpmem_dump_complete_decode(complete_good, 8, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_req),
		cmocka_unit_test(test_chunk),
		cmocka_unit_test(test_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
