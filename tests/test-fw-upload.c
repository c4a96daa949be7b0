// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The firmware upload rules (daemon/jobs/fw-upload.c) as tables: image sizes,
 * strict base64, and chunks in order within the announced size.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jobs/fw-upload.h"

static void test_size_check(void **state)
{
	static const struct {
		uint64_t size, max;
		int want;
	} t[] = {
		{ 0, 1024, -ENODATA },
		{ 8, 1024, 0 },
		{ 1024, 1024, 0 },
		{ 1032, 1024, -EFBIG },
		{ 12, 1024, -EDOM },
		{ 7, 1024, -EDOM },
		/* Too big wins over misaligned: one clear reason. */
		{ 1027, 1024, -EFBIG },
		{ FW_UPLOAD_SIZE_MAX, UINT32_MAX, 0 },
		{ FW_UPLOAD_SIZE_MAX + 8ull, UINT32_MAX, -EFBIG },
		{ UINT64_MAX, UINT64_MAX, -EFBIG },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(fw_upload_size_check(t[i].size, t[i].max), t[i].want);
}

static void test_base64(void **state)
{
	static const struct {
		const char *in;
		ssize_t want;       /* length, or -errno */
		const char *out;
	} t[] = {
		{ "", 0, "" },
		{ "AA==", 1, "\0" },
		{ "AAA=", 2, "\0\0" },
		{ "AAAA", 3, "\0\0\0" },
		{ "Zm9vYmFy", 6, "foobar" },
		{ "Zm9vYg==", 4, "foob" },
		{ "Zm9vYmE=", 5, "fooba" },
		{ "+/+/", 3, "\xfb\xff\xbf" },
		{ "Zm9", -EBADMSG, NULL },         /* not a multiple of 4 */
		{ "Zm9vY", -EBADMSG, NULL },
		{ "Zm 9", -EBADMSG, NULL },        /* no blanks */
		{ "Zm9v\n", -EBADMSG, NULL },
		{ "Zm-_", -EBADMSG, NULL },        /* not the URL alphabet */
		{ "====", -EBADMSG, NULL },
		{ "A===", -EBADMSG, NULL },
		{ "Z=9v", -EBADMSG, NULL },        /* padding in the middle */
		{ "Zg==Zg==", -EBADMSG, NULL },
		{ "Zh==", -EBADMSG, NULL },        /* non-zero bits under padding */
		{ "Zm9=", -EBADMSG, NULL },
		/* nettle, which decodes, takes these; the upload does not. */
		{ "Zm9v    ", -EBADMSG, NULL },    /* blanks skipped */
		{ "  Zm9v  ", -EBADMSG, NULL },
		{ "Zm\n\n\r\n9v", -EBADMSG, NULL },
		{ "\r\n\r\n", -EBADMSG, NULL },    /* nothing but blanks */
		{ "Zg==    ", -EBADMSG, NULL },
		{ "AAAAA===", -EBADMSG, NULL },    /* a third '=' */
		{ "Zm9vA===", -EBADMSG, NULL },
	};
	uint8_t out[16];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ssize_t n = fw_base64_decode(t[i].in, strlen(t[i].in), out, sizeof(out));

		assert_int_equal(n, t[i].want);
		if (n > 0)
			assert_memory_equal(out, t[i].out, (size_t)n);
	}
	assert_int_equal(fw_base64_decode("Zm9vYmFy", 8, out, 5), -ENOSPC);
	/* Too long wins over not base64, as fw_upload_append() relies on. */
	assert_int_equal(fw_base64_decode("Zm9v!!!!", 8, out, 5), -ENOSPC);
	assert_int_equal(fw_base64_decode("Zm9v\0\0\0\0", 8, out, sizeof(out)), -EBADMSG);
}

/* base64 of n bytes of value v. */
static char *b64_of(size_t n, uint8_t v)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc((n + 2) / 3 * 4 + 1), *o = s;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)v << 16 | (i + 1 < n ? (uint32_t)v << 8 : 0) |
			     (i + 2 < n ? v : 0);

		*o++ = tbl[w >> 18 & 63];
		*o++ = tbl[w >> 12 & 63];
		*o++ = i + 1 < n ? tbl[w >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tbl[w & 63] : '=';
	}
	*o = '\0';
	return s;
}

static int append(struct fw_upload *u, uint64_t off, size_t n, uint8_t v)
{
	char *s = b64_of(n, v);
	int r = fw_upload_append(u, off, s, strlen(s));

	free(s);
	return r;
}

static void test_chunks(void **state)
{
	const uint32_t size = FW_UPLOAD_CHUNK_MAX + 16;
	struct fw_upload *u;
	uint8_t *img;

	assert_int_equal(fw_upload_new(size, &u), 0);
	assert_false(fw_upload_complete(u));
	/* Out of order, empty, not base64, too large: nothing taken. */
	assert_int_equal(append(u, 8, 8, 1), -ESPIPE);
	assert_int_equal(fw_upload_append(u, 0, "", 0), -EBADMSG);
	assert_int_equal(fw_upload_append(u, 0, "!!!!", 4), -EBADMSG);
	assert_int_equal(append(u, 0, FW_UPLOAD_CHUNK_MAX + 8, 1), -E2BIG);
	assert_int_equal(u->received, 0);

	assert_int_equal(append(u, 0, FW_UPLOAD_CHUNK_MAX, 1), 0);
	assert_int_equal(u->received, FW_UPLOAD_CHUNK_MAX);
	/* The same chunk again (a retry) is out of order. */
	assert_int_equal(append(u, 0, 8, 1), -ESPIPE);
	/* Past the announced size. */
	assert_int_equal(append(u, FW_UPLOAD_CHUNK_MAX, 24, 2), -EFBIG);
	assert_int_equal(u->received, FW_UPLOAD_CHUNK_MAX);
	assert_int_equal(append(u, FW_UPLOAD_CHUNK_MAX, 16, 2), 0);
	assert_true(fw_upload_complete(u));
	assert_int_equal(append(u, size, 8, 3), -EFBIG);

	img = fw_upload_take(u);
	assert_int_equal(img[0], 1);
	assert_int_equal(img[FW_UPLOAD_CHUNK_MAX - 1], 1);
	assert_int_equal(img[FW_UPLOAD_CHUNK_MAX], 2);
	assert_int_equal(img[size - 1], 2);
	free(img);
	fw_upload_free(u);
	assert_null(fw_upload_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_check),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_chunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
