// SPDX-License-Identifier: GPL-2.0-or-later
/* A firmware image streamed in chunks: see fw-upload.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ocxlpmem/abi.h>

#include "jobs/fw-upload.h"

int fw_upload_size_check(uint64_t size, uint64_t max)
{
	if (size == 0)
		return -ENODATA;
	if (size > max || size > FW_UPLOAD_SIZE_MAX)
		return -EFBIG;
	if (size % OCXLPMEM_FW_ALIGN)
		return -EDOM;
	return 0;
}

int fw_upload_new(uint32_t size, struct fw_upload **ret)
{
	struct fw_upload *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->data = malloc(size ? size : 1);
	if (!u->data) {
		free(u);
		return -ENOMEM;
	}
	u->size = size;
	*ret = u;
	return 0;
}

struct fw_upload *fw_upload_free(struct fw_upload *u)
{
	if (u) {
		free(u->data);
		free(u);
	}
	return NULL;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

ssize_t fw_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t pad = 0, n, o = 0;

	if (len % 4)
		return -EBADMSG;
	if (len && in[len - 1] == '=')
		pad = len >= 2 && in[len - 2] == '=' ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > cap)
		return -ENOSPC;
	for (size_t i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		int v[4];
		uint32_t w;

		for (size_t k = 0; k < 4; k++) {
			/* '=' only where the padding counted above sits. */
			if (last && k >= 4 - pad) {
				if (in[i + k] != '=')
					return -EBADMSG;
				v[k] = 0;
				continue;
			}
			v[k] = b64_value((unsigned char)in[i + k]);
			if (v[k] < 0)
				return -EBADMSG;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		    (uint32_t)v[3];
		/* Canonical only: the bits the padding hides must be zero, so
		 * one image has exactly one encoding. */
		if ((pad == 1 && last && (w & 0xFF)) || (pad == 2 && last && (w & 0xFFFF)))
			return -EBADMSG;
		out[o++] = (uint8_t)(w >> 16);
		if (!last || pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (!last || pad < 1)
			out[o++] = (uint8_t)w;
	}
	return (ssize_t)o;
}

int fw_upload_append(struct fw_upload *u, uint64_t offset, const char *b64, size_t len)
{
	size_t room = u->size - u->received;
	ssize_t n;

	if (offset != u->received)
		return -ESPIPE;
	/* Decoded size from the length alone: refuse before decoding. */
	if (len / 4 * 3 > FW_UPLOAD_CHUNK_MAX + 2)
		return -E2BIG;
	if (room > FW_UPLOAD_CHUNK_MAX)
		room = FW_UPLOAD_CHUNK_MAX;
	{
		uint8_t chunk[FW_UPLOAD_CHUNK_MAX];

		n = fw_base64_decode(b64, len, chunk, sizeof(chunk));
		if (n == -ENOSPC)
			return -E2BIG;
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EBADMSG;
		if ((size_t)n > room)
			return -EFBIG;
		memcpy(u->data + u->received, chunk, (size_t)n);
	}
	u->received += (uint32_t)n;
	return 0;
}

bool fw_upload_complete(const struct fw_upload *u)
{
	return u->received == u->size;
}

uint8_t *fw_upload_take(struct fw_upload *u)
{
	uint8_t *d = u->data;

	u->data = NULL;
	u->size = u->received = 0;
	return d;
}
