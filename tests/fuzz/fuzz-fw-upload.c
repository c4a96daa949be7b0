// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the firmware upload parser (daemon/jobs/fw-upload.c): the base64 chunks
 * UploadFirmware takes from any privileged client.
 *
 * Input: a 4-byte little-endian image size, then chunks, each a 2-byte
 * offset slack (0: the right offset), a 2-byte text length and that many
 * bytes of would-be base64.  Every chunk must be either taken whole, the
 * upload growing by exactly what the text decodes to, or refused with
 * nothing taken; an accepted text must be canonical (re-encoding gives the
 * same text).  Never crash or overrun.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/fw-upload.h"
#include "fuzz.h"

static size_t encode(const uint8_t *in, size_t len, char *out)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			w |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			w |= in[i + 2];
		out[o++] = tbl[w >> 18 & 63];
		out[o++] = tbl[w >> 12 & 63];
		out[o++] = i + 1 < len ? tbl[w >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? tbl[w & 63] : '=';
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t decoded[FW_UPLOAD_CHUNK_MAX + 3];
	static char again[(FW_UPLOAD_CHUNK_MAX + 3) / 3 * 4 + 4];
	struct fw_upload *u;
	uint32_t image_size;
	size_t pos = 4;

	if (size < 4)
		return 0;
	/* Small images reach their end within a few chunks. */
	image_size = (uint32_t)(data[0] | data[1] << 8 | data[2] << 16) % (256u * 1024u);
	image_size -= image_size % 8;
	if (fw_upload_size_check(image_size, FW_UPLOAD_SIZE_MAX) < 0)
		return 0;
	FUZZ_CHECK(fw_upload_new(image_size, &u) == 0);

	while (pos + 4 <= size) {
		uint16_t slack = (uint16_t)(data[pos] | data[pos + 1] << 8);
		size_t len = (size_t)(data[pos + 2] | data[pos + 3] << 8);
		uint32_t before = u->received;
		char *text;
		ssize_t n;
		int r;

		pos += 4;
		if (len > size - pos)
			len = size - pos;
		/* An exactly sized copy: ASan sees any read past the text. */
		text = malloc(len ? len : 1);
		FUZZ_CHECK(text);
		memcpy(text, data + pos, len);
		pos += len;

		n = fw_base64_decode(text, len, decoded, sizeof(decoded));
		FUZZ_CHECK(n >= -EBADMSG || n == -ENOSPC);
		if (n >= 0) {
			FUZZ_CHECK(encode(decoded, (size_t)n, again) == len);
			FUZZ_CHECK(memcmp(again, text, len) == 0);
		}
		r = fw_upload_append(u, (uint64_t)u->received + slack, text, len);
		if (r == 0) {
			FUZZ_CHECK(slack == 0 && n > 0);
			FUZZ_CHECK(u->received == before + (uint32_t)n);
			FUZZ_CHECK(memcmp(u->data + before, decoded, (size_t)n) == 0);
		} else {
			FUZZ_CHECK(r == -ESPIPE || r == -EBADMSG || r == -E2BIG || r == -EFBIG);
			FUZZ_CHECK(u->received == before);
		}
		FUZZ_CHECK(u->received <= u->size);
		free(text);
	}
	FUZZ_CHECK(fw_upload_complete(u) == (u->received == u->size));
	fw_upload_free(u);
	return 0;
}
