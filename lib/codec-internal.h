/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the payload codecs (lib/codec-*.c).  Not installed.
 */
#ifndef OCXLPMEM_CODEC_INTERNAL_H
#define OCXLPMEM_CODEC_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "private.h"
#include <ocxlpmem/abi.h>

static inline bool wire_char_printable(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/*
 * Decode a fixed 8-byte ASCII field: printable characters, then NUL padding
 * to the end.  A NUL followed by anything but NULs, or a byte outside
 * 0x20-0x7e, is -EBADMSG.  out gets a NUL-terminated copy.
 */
static inline int wire_str_decode(const uint8_t *p, char out[OCXLPMEM_FW_VERSION_LEN + 1])
{
	size_t n = 0;

	while (n < OCXLPMEM_FW_VERSION_LEN && p[n])
		if (!wire_char_printable(p[n++]))
			return -EBADMSG;
	if (!all_zero(p + n, OCXLPMEM_FW_VERSION_LEN - n))
		return -EBADMSG;
	memcpy(out, p, n);
	memset(out + n, 0, OCXLPMEM_FW_VERSION_LEN + 1 - n);
	return 0;
}

/* Validate a string for wire_str_encode(): at most 8 printable characters. */
static inline bool wire_str_valid(const char *s)
{
	size_t n = strnlen(s, OCXLPMEM_FW_VERSION_LEN + 1);

	if (n > OCXLPMEM_FW_VERSION_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!wire_char_printable((uint8_t)s[i]))
			return false;
	return true;
}

/* Write s (checked by wire_str_valid()) NUL-padded into an 8-byte field. */
static inline void wire_str_encode(const char *s, uint8_t *p)
{
	size_t n = strnlen(s, OCXLPMEM_FW_VERSION_LEN);

	memcpy(p, s, n);
	memset(p + n, 0, OCXLPMEM_FW_VERSION_LEN - n);
}

/* Fixed-size payload: shorter is truncated, longer has trailing bytes. */
static inline int wire_fixed_len(size_t len, size_t want)
{
	if (len < want)
		return -EMSGSIZE;
	if (len > want)
		return -EBADMSG;
	return 0;
}

#endif /* OCXLPMEM_CODEC_INTERNAL_H */
