/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Table-driven helpers of the codec tests.  A decode case is a base payload
 * (hand-written little-endian bytes), optionally resized and patched byte by
 * byte, with the expected return and, on success, the expected fields.
 *
 * Every buffer handed to a decoder is malloc'd at its exact length, so that
 * valgrind and ASan see any read past the end.
 */
#ifndef TEST_CODEC_UTIL_H
#define TEST_CODEC_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#define POISON 0xA5
#define MAX_PATCHES 8
#define BIG (40 * 1024)
#define MIN_(a, b) ((a) < (b) ? (a) : (b))
#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))
#define P(o, v) { .off = (o), .val = (v) }

/* Name of the case being run, for failure messages. */
static const char *tc_name = "";

#define EXPECT_EQ(got, want)                                                            \
	do {                                                                            \
		unsigned long long g_ = (unsigned long long)(got);                      \
		unsigned long long w_ = (unsigned long long)(want);                     \
		if (g_ != w_)                                                           \
			fail_msg("%s: %s = %llu (0x%llx), want %llu (0x%llx)", tc_name, \
				 #got, g_, g_, w_, w_);                                 \
	} while (0)

#define EXPECT_STR(got, want)                                                        \
	do {                                                                         \
		if (strcmp((got), (want)) != 0)                                      \
			fail_msg("%s: %s = \"%s\", want \"%s\"", tc_name, #got, (got), \
				 (want));                                            \
	} while (0)

struct patch {
	size_t off;
	uint8_t val;
};

typedef int (*decode_fn)(const void *buf, size_t len, void *ret);
typedef ssize_t (*encode_fn)(const void *obj, void *buf, size_t cap);
/* Compare a decoded object with the expected one; fail_msg() on mismatch. */
typedef void (*compare_fn)(const void *got, const void *want);

struct decode_case {
	const char *name;
	const uint8_t *bytes;   /* base payload */
	size_t len;             /* its length */
	ssize_t resize;         /* added to len; new bytes are zero */
	struct patch patch[MAX_PATCHES];
	unsigned int npatch;
	int expect;             /* 0 or -errno */
	const void *want;       /* expected fields when expect == 0 */
};

/* A case's bytes at their exact length; *ret_len gets the length. */
static inline uint8_t *case_bytes(const struct decode_case *c, size_t *ret_len)
{
	size_t n = (size_t)((ssize_t)c->len + c->resize);
	uint8_t *b = malloc(n ? n : 1);

	assert_non_null(b);
	memset(b, 0, n);
	memcpy(b, c->bytes, MIN_(c->len, n));
	for (unsigned int i = 0; i < c->npatch; i++) {
		if (c->patch[i].off >= n)
			fail_msg("%s: patch at %zu beyond %zu bytes", c->name, c->patch[i].off, n);
		b[c->patch[i].off] = c->patch[i].val;
	}
	*ret_len = n;
	return b;
}

static inline void assert_poisoned(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != POISON)
			fail_msg("%s: output written on failure (byte %zu)", tc_name, i);
}

/* Decode buf; on failure check that the output was left alone. */
static inline int decode_checked(decode_fn dec, const uint8_t *buf, size_t len, void *ret,
				 size_t ret_size)
{
	int r;

	memset(ret, POISON, ret_size);
	r = dec(buf, len, ret);
	if (r < 0)
		assert_poisoned(ret, ret_size);
	return r;
}

static inline void run_decode_cases(const struct decode_case *cases, size_t n, decode_fn dec,
				    size_t ret_size, compare_fn cmp)
{
	void *ret = malloc(ret_size);

	assert_non_null(ret);
	for (size_t i = 0; i < n; i++) {
		const struct decode_case *c = &cases[i];
		size_t len;
		uint8_t *b = case_bytes(c, &len);
		int r;

		tc_name = c->name;
		r = decode_checked(dec, b, len, ret, ret_size);
		if (r != c->expect)
			fail_msg("%s: decode returned %d (%s), want %d (%s)", c->name, r,
				 strerror(-r), c->expect, strerror(-c->expect));
		if (r == 0 && c->want)
			cmp(ret, c->want);
		free(b);
	}
	free(ret);
}

/* Every proper prefix of a valid payload is truncated or malformed. */
static inline void check_prefixes(const char *name, const uint8_t *bytes, size_t len,
				  decode_fn dec, size_t ret_size)
{
	void *ret = malloc(ret_size);

	assert_non_null(ret);
	tc_name = name;
	for (size_t n = 0; n < len; n++) {
		uint8_t *b = malloc(n ? n : 1);
		int r;

		assert_non_null(b);
		memcpy(b, bytes, n);
		r = decode_checked(dec, b, n, ret, ret_size);
		if (r != -EMSGSIZE && r != -EBADMSG)
			fail_msg("%s: prefix of %zu/%zu bytes gave %d", name, n, len, r);
		free(b);
	}
	free(ret);
}

/* Each case's base payload, cut at every length. */
static inline void check_case_prefixes(const struct decode_case *cases, size_t n, decode_fn dec,
				       size_t ret_size)
{
	for (size_t i = 0; i < n; i++)
		if (cases[i].expect == 0)
			check_prefixes(cases[i].name, cases[i].bytes, cases[i].len, dec, ret_size);
}

/* Encoding into any smaller buffer fails with -ENOSPC and writes nothing. */
static inline void check_nospc(const char *name, encode_fn enc, const void *obj, size_t need)
{
	uint8_t *b = malloc(need + 1);

	assert_non_null(b);
	tc_name = name;
	for (size_t cap = 0; cap < need; cap++) {
		ssize_t r;

		memset(b, POISON, need + 1);
		r = enc(obj, b, cap);
		if (r != -ENOSPC)
			fail_msg("%s: encode into %zu of %zu bytes gave %zd", name, cap, need, r);
		assert_poisoned(b, need + 1);
	}
	free(b);
}

/*
 * encode -> exact bytes (when given) -> decode -> same fields -> encode
 * again -> same bytes.
 */
static inline void check_roundtrip(const char *name, encode_fn enc, decode_fn dec,
				   compare_fn cmp, const void *obj, size_t ret_size,
				   const uint8_t *want_bytes, size_t want_len)
{
	static uint8_t b1[BIG + 128], b2[BIG + 128];
	void *ret = malloc(ret_size);
	uint8_t *exact;
	ssize_t n1, n2;
	int r;

	assert_non_null(ret);
	tc_name = name;
	n1 = enc(obj, b1, sizeof(b1));
	if (n1 < 0)
		fail_msg("%s: encode gave %zd", name, n1);
	if (want_bytes) {
		EXPECT_EQ(n1, want_len);
		for (size_t i = 0; i < want_len; i++)
			if (b1[i] != want_bytes[i])
				fail_msg("%s: encoded byte %zu is 0x%02x, want 0x%02x", name, i,
					 b1[i], want_bytes[i]);
	}
	exact = malloc((size_t)n1 ? (size_t)n1 : 1);
	assert_non_null(exact);
	memcpy(exact, b1, (size_t)n1);
	r = decode_checked(dec, exact, (size_t)n1, ret, ret_size);
	if (r < 0)
		fail_msg("%s: decoding the encoding gave %d", name, r);
	cmp(ret, obj);
	n2 = enc(ret, b2, sizeof(b2));
	EXPECT_EQ(n2, n1);
	assert_memory_equal(b1, b2, (size_t)n1);
	check_nospc(name, enc, obj, (size_t)n1);
	free(exact);
	free(ret);
}

/* An encoder refuses obj as unrepresentable and writes nothing. */
static inline void check_encode_einval(const char *name, encode_fn enc, const void *obj)
{
	static uint8_t b[BIG + 128];
	ssize_t r;

	tc_name = name;
	memset(b, POISON, sizeof(b));
	r = enc(obj, b, sizeof(b));
	if (r != -EINVAL)
		fail_msg("%s: encode gave %zd, want -EINVAL", name, r);
	assert_poisoned(b, sizeof(b));
}

#endif /* TEST_CODEC_UTIL_H */
