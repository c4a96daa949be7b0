// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Firmware update codecs: FW_UPDATE_START and FW_UPDATE_BLOCK inputs, the
 * image container and CRC-32.
 */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

/* ---- CRC-32 ------------------------------------------------------------- */

static void test_crc32(void **state)
{
	uint8_t all[256], zeros[32] = { 0 };
	const char *fox = "The quick brown fox jumps over the lazy dog";
	uint32_t crc;

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	/* Reference values from zlib's crc32(). */
	assert_int_equal(ocxlpmem_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(ocxlpmem_crc32(0, "", 0), 0);
	assert_int_equal(ocxlpmem_crc32(0, all, sizeof(all)), 0x29058C73u);
	assert_int_equal(ocxlpmem_crc32(0, zeros, sizeof(zeros)), 0x190A55ADu);
	assert_int_equal(ocxlpmem_crc32(0, fox, strlen(fox)), 0x414FA339u);
	/* Continued in pieces, as zlib's crc32(crc, ...) is. */
	crc = ocxlpmem_crc32(0, "1234", 4);
	crc = ocxlpmem_crc32(crc, "56789", 5);
	assert_int_equal(crc, 0xCBF43926u);
	crc = 0;
	for (size_t i = 0; i < sizeof(all); i++)
		crc = ocxlpmem_crc32(crc, &all[i], 1);
	assert_int_equal(crc, 0x29058C73u);
	assert_int_equal(ocxlpmem_crc32(0x1234, NULL, 0), 0x1234);
}

/* ---- FW_UPDATE_START ---------------------------------------------------- */

static const uint8_t start_good[] = { 0x40, 0x23, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint32_t start_want = 0x12340, start_want_8 = 8;

static void cmp_u32(const void *g, const void *w)
{
	EXPECT_EQ(*(const uint32_t *)g, *(const uint32_t *)w);
}

static int dec_start(const void *b, size_t l, void *r)
{
	return ocxlpmem_fw_start_decode(b, l, r);
}

static ssize_t enc_start(const void *o, void *b, size_t cap)
{
	return ocxlpmem_fw_start_encode(*(const uint32_t *)o, b, cap);
}

#define GOOD() .bytes = start_good, .len = sizeof(start_good)
static const struct decode_case start_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &start_want },
	{ "8 bytes", GOOD(), .patch = { P(0, 8), P(1, 0), P(2, 0) }, .npatch = 3, .expect = 0,
	  .want = &start_want_8 },
	{ "size 0", GOOD(), .patch = { P(0, 0), P(1, 0), P(2, 0) }, .npatch = 3,
	  .expect = -EBADMSG },
	{ "size not a multiple of 8", GOOD(), .patch = { P(0, 0x44) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "reserved byte 0", GOOD(), .patch = { P(4, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "reserved byte 3", GOOD(), .patch = { P(7, 1) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "cut", GOOD(), .resize = -1, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_start(void **state)
{
	uint32_t bad = 0;

	run_decode_cases(start_cases, N_ELEMENTS(start_cases), dec_start, sizeof(uint32_t),
			 cmp_u32);
	check_case_prefixes(start_cases, N_ELEMENTS(start_cases), dec_start, sizeof(uint32_t));
	check_roundtrip("start", enc_start, dec_start, cmp_u32, &start_want, sizeof(uint32_t),
			start_good, sizeof(start_good));
	check_encode_einval("size 0", enc_start, &bad);
	bad = 12;
	check_encode_einval("size 12", enc_start, &bad);
}

/* ---- FW_UPDATE_BLOCK ---------------------------------------------------- */

static const uint8_t block_data[OCXLPMEM_FW_BLOCK_MAX] = {
	0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7,
	0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF,
};

static const uint8_t block_good[] = {
	0x10, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, /* size 16, offset 32 KiB */
	0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7,
	0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF,
};

static const struct ocxlpmem_fw_block block_want = {
	.offset = 0x8000, .size = 16, .data = block_data,
};
static const struct ocxlpmem_fw_block block_want_max = {
	.offset = 0x8000, .size = OCXLPMEM_FW_BLOCK_MAX, .data = block_data,
};
static const struct ocxlpmem_fw_block block_want_8 = {
	.offset = 0, .size = 8, .data = block_data,
};

static void cmp_block(const void *g, const void *w)
{
	const struct ocxlpmem_fw_block *got = g, *want = w;

	EXPECT_EQ(got->offset, want->offset);
	EXPECT_EQ(got->size, want->size);
	assert_non_null(got->data);
	assert_memory_equal(got->data, want->data, want->size);
}

static int dec_block(const void *b, size_t l, void *r)
{
	return ocxlpmem_fw_block_decode(b, l, r);
}

static ssize_t enc_block(const void *o, void *b, size_t cap)
{
	return ocxlpmem_fw_block_encode(o, b, cap);
}

#define GOOD() .bytes = block_good, .len = sizeof(block_good)
static const struct decode_case block_cases[] = {
	{ "good", GOOD(), .expect = 0, .want = &block_want },
	{ "32 KiB", GOOD(), .resize = OCXLPMEM_FW_BLOCK_MAX - 16, .patch = { P(0, 0), P(1, 0x80) },
	  .npatch = 2, .expect = 0, .want = &block_want_max },
	{ "8 bytes at 0", GOOD(), .resize = -8, .patch = { P(0, 8), P(5, 0) }, .npatch = 2,
	  .expect = 0, .want = &block_want_8 },
	{ "32 KiB + 8", GOOD(), .resize = OCXLPMEM_FW_BLOCK_MAX - 8,
	  .patch = { P(0, 8), P(1, 0x80) }, .npatch = 2, .expect = -EBADMSG },
	{ "size 0", GOOD(), .resize = -16, .patch = { P(0, 0) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "size 12", GOOD(), .resize = -4, .patch = { P(0, 12) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "size 4 GiB - 8", GOOD(), .patch = { P(0, 0xF8), P(1, 0xFF), P(2, 0xFF), P(3, 0xFF) },
	  .npatch = 4, .expect = -EBADMSG },
	{ "offset not a multiple of 8", GOOD(), .patch = { P(4, 4) }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "offset + size past 4 GiB", GOOD(),
	  .patch = { P(4, 0xF8), P(5, 0xFF), P(6, 0xFF), P(7, 0xFF) }, .npatch = 4,
	  .expect = -EBADMSG },
	{ "size beyond buffer", GOOD(), .patch = { P(0, 24) }, .npatch = 1, .expect = -EMSGSIZE },
	{ "size short of buffer", GOOD(), .patch = { P(0, 8) }, .npatch = 1, .expect = -EBADMSG },
	{ "trailing byte", GOOD(), .resize = 1, .expect = -EBADMSG },
	{ "data cut", GOOD(), .resize = -8, .expect = -EMSGSIZE },
};
#undef GOOD

static void test_block(void **state)
{
	struct ocxlpmem_fw_block b = block_want;
	uint8_t buf[64];

	run_decode_cases(block_cases, N_ELEMENTS(block_cases), dec_block, sizeof(b), cmp_block);
	check_case_prefixes(block_cases, N_ELEMENTS(block_cases), dec_block, sizeof(b));
	check_roundtrip("block", enc_block, dec_block, cmp_block, &block_want, sizeof(b),
			block_good, sizeof(block_good));
	check_roundtrip("block 32 KiB", enc_block, dec_block, cmp_block, &block_want_max,
			sizeof(b), NULL, 0);
	check_roundtrip("block 8", enc_block, dec_block, cmp_block, &block_want_8, sizeof(b),
			NULL, 0);

	b.size = 0;
	check_encode_einval("size 0", enc_block, &b);
	b.size = 20;
	check_encode_einval("size 20", enc_block, &b);
	b.size = OCXLPMEM_FW_BLOCK_MAX + 8;
	check_encode_einval("size 32 KiB + 8", enc_block, &b);
	b = block_want;
	b.offset = 3;
	check_encode_einval("offset 3", enc_block, &b);
	b.offset = 0xFFFFFFF8u;
	check_encode_einval("offset + size past 4 GiB", enc_block, &b);
	b = block_want;
	b.data = NULL;
	check_encode_einval("no data", enc_block, &b);

	/* The data may already sit where the block goes (buf + 8), or overlap the word. */
	memcpy(buf + 8, block_data, 16);
	b = block_want;
	b.data = buf + 8;
	assert_int_equal(ocxlpmem_fw_block_encode(&b, buf, sizeof(buf)), 24);
	assert_memory_equal(buf, block_good, sizeof(block_good));
	memcpy(buf, block_data, 16);
	b.data = buf;
	assert_int_equal(ocxlpmem_fw_block_encode(&b, buf, sizeof(buf)), 24);
	assert_memory_equal(buf, block_good, sizeof(block_good));
}

/* ---- Image container ---------------------------------------------------- */

static const uint8_t image_good[] = {
	'O', 'C', 'X', 'L', 'P', 'M', 'F', 'W',         /* magic */
	'2', '.', '0', '.', '1', 0x00, 0x00, 0x00,      /* version "2.0.1" */
	0x10, 0x00, 0x00, 0x00,                         /* payload_size 16 */
	0x33, 0xF0, 0xC4, 0x68,                         /* payload_crc32 */
	0x01, 0x00, 0x00, 0x00,                         /* hdr_version 1 */
	0x00, 0x00, 0x00, 0x00,                         /* reserved */
	'0', '1', '2', '3', '4', '5', '6', '7',
	'8', '9', 'a', 'b', 'c', 'd', 'e', 'f',
};

static const uint8_t image_opaque[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10,
};

static const struct ocxlpmem_fw_image_info image_want_good = {
	.has_header = true, .version = "2.0.1", .payload_size = 16, .payload_crc32 = 0x68C4F033,
};
static const struct ocxlpmem_fw_image_info image_want_opaque = {
	.has_header = false, .version = "", .payload_size = 16, .payload_crc32 = 0x094C80F1,
};
static const struct ocxlpmem_fw_image_info image_want_8char = {
	.has_header = true, .version = "2.0.1-rc", .payload_size = 16,
	.payload_crc32 = 0x68C4F033,
};

static void cmp_image(const void *g, const void *w)
{
	const struct ocxlpmem_fw_image_info *got = g, *want = w;

	EXPECT_EQ(got->has_header, want->has_header);
	EXPECT_STR(got->version, want->version);
	EXPECT_EQ(got->payload_size, want->payload_size);
	EXPECT_EQ(got->payload_crc32, want->payload_crc32);
}

#define IMAGE_MAX 4096
static int dec_image(const void *b, size_t l, void *r)
{
	return ocxlpmem_fw_image_check(b, l, IMAGE_MAX, r);
}

#define GOOD() .bytes = image_good, .len = sizeof(image_good)
static const struct decode_case image_cases[] = {
	{ "container", GOOD(), .expect = 0, .want = &image_want_good },
	{ "8-character version", GOOD(), .patch = { P(13, '-'), P(14, 'r'), P(15, 'c') },
	  .npatch = 3, .expect = 0, .want = &image_want_8char },
	{ "opaque", image_opaque, sizeof(image_opaque), .expect = 0, .want = &image_want_opaque },
	{ "magic almost", GOOD(), .patch = { P(7, 'X') }, .npatch = 1, .expect = 0 },
	{ "empty", GOOD(), .resize = -48, .expect = -ENODATA },
	{ "opaque, 12 bytes", image_opaque, sizeof(image_opaque), .resize = -4, .expect = -EDOM },
	{ "container, one byte more", GOOD(), .resize = 1, .expect = -EDOM },
	{ "magic only", GOOD(), .resize = -40, .expect = -EMSGSIZE },
	{ "header cut", GOOD(), .resize = -24, .expect = -EMSGSIZE },
	{ "header only, payload_size 16", GOOD(), .resize = -16, .expect = -EMSGSIZE },
	{ "payload_size 8", GOOD(), .patch = { P(16, 8) }, .npatch = 1, .expect = -EMSGSIZE },
	{ "payload_size 24", GOOD(), .patch = { P(16, 24) }, .npatch = 1, .expect = -EMSGSIZE },
	{ "payload_size 4 GiB - 8", GOOD(),
	  .patch = { P(16, 0xF8), P(17, 0xFF), P(18, 0xFF), P(19, 0xFF) }, .npatch = 4,
	  .expect = -EMSGSIZE },
	{ "trailing word", GOOD(), .resize = 8, .expect = -EMSGSIZE },
	{ "hdr_version 0", GOOD(), .patch = { P(24, 0) }, .npatch = 1,
	  .expect = -EPROTONOSUPPORT },
	{ "hdr_version 2", GOOD(), .patch = { P(24, 2) }, .npatch = 1,
	  .expect = -EPROTONOSUPPORT },
	{ "reserved", GOOD(), .patch = { P(31, 1) }, .npatch = 1, .expect = -EPROTONOSUPPORT },
	{ "version empty", GOOD(), .patch = { P(8, 0), P(9, 0), P(10, 0), P(11, 0), P(12, 0) },
	  .npatch = 5, .expect = -EILSEQ },
	{ "version non-printable", GOOD(), .patch = { P(9, 0x7F) }, .npatch = 1,
	  .expect = -EILSEQ },
	{ "version NUL then text", GOOD(), .patch = { P(15, 'x') }, .npatch = 1,
	  .expect = -EILSEQ },
	{ "payload byte flipped", GOOD(), .patch = { P(40, '9') }, .npatch = 1,
	  .expect = -EBADMSG },
	{ "crc byte flipped", GOOD(), .patch = { P(23, 0x69) }, .npatch = 1, .expect = -EBADMSG },
};
#undef GOOD

static void test_image_check(void **state)
{
	struct ocxlpmem_fw_image_info info;
	uint8_t *b = malloc(sizeof(image_good));

	run_decode_cases(image_cases, N_ELEMENTS(image_cases), dec_image, sizeof(info),
			 cmp_image);

	/* A cut image never passes, and says why in one of three ways. */
	for (size_t n = 0; n < sizeof(image_good); n++) {
		int r;

		assert_non_null(b);
		memcpy(b, image_good, n);
		r = ocxlpmem_fw_image_check(b, n, IMAGE_MAX, &info);
		if (r != -ENODATA && r != -EDOM && r != -EMSGSIZE)
			fail_msg("image cut at %zu: %d", n, r);
	}
	free(b);

	/* max_size is inclusive. */
	assert_int_equal(ocxlpmem_fw_image_check(image_good, 48, 48, &info), 0);
	assert_int_equal(ocxlpmem_fw_image_check(image_good, 48, 47, &info), -EFBIG);
	assert_int_equal(ocxlpmem_fw_image_check(image_good, 48, 0, &info), -EFBIG);
	assert_int_equal(ocxlpmem_fw_image_check(image_opaque, 16, 8, &info), -EFBIG);
	assert_int_equal(ocxlpmem_fw_image_check(NULL, 16, 8, &info), -EINVAL);
	assert_int_equal(ocxlpmem_fw_image_check(image_good, 48, 48, NULL), -EINVAL);
}

static void test_image_strerror(void **state)
{
	static const int codes[] = {
		0, -EINVAL, -ENODATA, -EFBIG, -EDOM, -EMSGSIZE, -EPROTONOSUPPORT, -EILSEQ, -EBADMSG,
	};
	const char *unknown = ocxlpmem_fw_image_strerror(-EIO);

	assert_non_null(unknown);
	for (size_t i = 0; i < N_ELEMENTS(codes); i++) {
		const char *m = ocxlpmem_fw_image_strerror(codes[i]);

		assert_non_null(m);
		assert_true(strlen(m) > 10);
		assert_string_not_equal(m, unknown);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m, ocxlpmem_fw_image_strerror(codes[j]));
	}
	assert_non_null(ocxlpmem_fw_image_strerror(12345));
}

static void test_image_build(void **state)
{
	uint8_t buf[128];
	struct ocxlpmem_fw_image_info info;
	const uint8_t *payload = image_good + 32;

	memset(buf, POISON, sizeof(buf));
	assert_int_equal(ocxlpmem_fw_image_build("2.0.1", payload, 16, buf, sizeof(buf)), 48);
	assert_memory_equal(buf, image_good, sizeof(image_good));
	assert_int_equal(buf[48], POISON);
	assert_int_equal(ocxlpmem_fw_image_check(buf, 48, 48, &info), 0);
	cmp_image(&info, &image_want_good);

	/* In place: the payload already at buf + 32. */
	memset(buf, POISON, sizeof(buf));
	memcpy(buf + 32, payload, 16);
	assert_int_equal(ocxlpmem_fw_image_build("2.0.1", buf + 32, 16, buf, sizeof(buf)), 48);
	assert_memory_equal(buf, image_good, sizeof(image_good));

	/* Header only. */
	assert_int_equal(ocxlpmem_fw_image_build("x", NULL, 0, buf, 32), 32);
	assert_int_equal(ocxlpmem_fw_image_check(buf, 32, 32, &info), 0);
	assert_int_equal(info.payload_size, 0);
	assert_int_equal(info.payload_crc32, 0);

	for (size_t cap = 0; cap < 48; cap++) {
		memset(buf, POISON, sizeof(buf));
		assert_int_equal(ocxlpmem_fw_image_build("2.0.1", payload, 16, buf, cap), -ENOSPC);
		assert_int_equal(buf[0], POISON);
	}
	assert_int_equal(ocxlpmem_fw_image_build("", payload, 16, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ocxlpmem_fw_image_build("123456789", payload, 16, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(ocxlpmem_fw_image_build("1.0\n", payload, 16, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(ocxlpmem_fw_image_build("1.0", payload, 12, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ocxlpmem_fw_image_build("1.0", NULL, 16, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ocxlpmem_fw_image_build(NULL, payload, 16, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ocxlpmem_fw_image_build("1.0", payload, 16, NULL, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_image_check),
		cmocka_unit_test(test_image_strerror),
		cmocka_unit_test(test_image_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
