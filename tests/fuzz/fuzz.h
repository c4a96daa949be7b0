/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared checks of the codec fuzz targets.  The decoders are strict, so an
 * accepted input is the one canonical encoding of what it decodes to: every
 * accepted input must re-encode to exactly its own bytes, and decoding those
 * must give the same encoding again.  A failed decode must leave its output
 * alone.  Any violation abort()s, which libFuzzer and the replay driver
 * report as a crash.
 */
#ifndef OCXLPMEM_FUZZ_H
#define OCXLPMEM_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <ocxlpmem/codec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_POISON 0x5A
/* Larger than any payload: a 32 KiB firmware block and its word. */
#define FUZZ_BUF (OCXLPMEM_FW_BLOCK_MAX + 64)

#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			abort();                                                      \
		}                                                                     \
	} while (0)

static inline void fuzz_check_poisoned(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(b[i] == FUZZ_POISON);
}

/* Copy input into an object, zero-padding a short input. */
static inline void fuzz_fill(void *obj, size_t objsz, const uint8_t *data, size_t size)
{
	memset(obj, 0, objsz);
	memcpy(obj, data, size < objsz ? size : objsz);
}

/*
 * Decode (data, size) into a `type`; when it is accepted, the canonical
 * round trip must hold.  enc(obj, buf, cap) re-encodes.
 */
#define FUZZ_ROUNDTRIP(type, dec, enc, data, size)                                     \
	do {                                                                           \
		static type a_, b_;                                                    \
		uint8_t *e1_, *e2_;                                                    \
		ssize_t n1_, n2_;                                                      \
		memset(&a_, FUZZ_POISON, sizeof(a_));                                  \
		if (dec((data), (size), &a_) < 0) {                                    \
			fuzz_check_poisoned(&a_, sizeof(a_));                          \
			break;                                                         \
		}                                                                      \
		/* Exactly the input's size: the encoding must fit it. */             \
		e1_ = malloc((size) + 1);                                              \
		e2_ = malloc((size) + 1);                                              \
		FUZZ_CHECK(e1_ && e2_);                                                \
		n1_ = enc(&a_, e1_, (size));                                           \
		FUZZ_CHECK(n1_ >= 0 && (size_t)n1_ == (size));                         \
		FUZZ_CHECK(memcmp(e1_, (data), (size)) == 0);                          \
		FUZZ_CHECK(dec(e1_, (size_t)n1_, &b_) == 0);                           \
		n2_ = enc(&b_, e2_, (size));                                           \
		FUZZ_CHECK(n2_ == n1_ && memcmp(e1_, e2_, (size_t)n1_) == 0);          \
		free(e1_);                                                             \
		free(e2_);                                                             \
	} while (0)

/*
 * Encode an object built from fuzz input: the encoder either refuses it
 * (-EINVAL) or writes bytes the decoder accepts and re-encodes identically.
 */
#define FUZZ_ENCODE(type, obj, dec, enc)                                               \
	do {                                                                           \
		static type d_;                                                        \
		static uint8_t e1_[FUZZ_BUF], e2_[FUZZ_BUF];                           \
		ssize_t n1_, n2_;                                                      \
		n1_ = enc((obj), e1_, sizeof(e1_));                                    \
		if (n1_ < 0) {                                                         \
			FUZZ_CHECK(n1_ == -EINVAL);                                    \
			break;                                                         \
		}                                                                      \
		FUZZ_CHECK(dec(e1_, (size_t)n1_, &d_) == 0);                           \
		n2_ = enc(&d_, e2_, sizeof(e2_));                                      \
		FUZZ_CHECK(n2_ == n1_ && memcmp(e1_, e2_, (size_t)n1_) == 0);          \
	} while (0)

#endif /* OCXLPMEM_FUZZ_H */
