// SPDX-License-Identifier: GPL-2.0-or-later
/* A firmware image streamed in chunks: see fw-upload.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
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

/* RFC 4648's base64 alphabet, without the padding character. */
static const char b64_alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

ssize_t fw_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	struct base64_decode_ctx ctx;
	size_t pad = 0, n, head, done, tail;
	uint8_t last[3];

	/*
	 * nettle decodes and refuses '=' before the end and bits set under the
	 * padding, but it skips blanks anywhere and takes a third '=' ("A==="
	 * is no bytes).  One image must have exactly one encoding, so the form
	 * is checked here first: whole quanta, the alphabet, then at most two
	 * '='.  (memchr, not strchr: a NUL is not in the alphabet.)
	 */
	if (len % 4)
		return -EBADMSG;
	if (len && in[len - 1] == '=')
		pad = len >= 2 && in[len - 2] == '=' ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > cap)
		return -ENOSPC;
	for (size_t i = 0; i < len - pad; i++)
		if (!memchr(b64_alphabet, in[i], sizeof(b64_alphabet)))
			return -EBADMSG;
	if (!len)
		return 0;
	/*
	 * nettle wants room for BASE64_DECODE_LENGTH() bytes, more than the
	 * padding leaves: all but the last quantum straight into out, the last
	 * one through a buffer of its own.
	 */
	head = len - 4;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &done, out, head, in) ||
	    !base64_decode_update(&ctx, &tail, last, 4, in + head) ||
	    !base64_decode_final(&ctx))
		return -EBADMSG;
	memcpy(out + done, last, tail);
	return (ssize_t)(done + tail);
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
