// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The reply header every function output starts with, and the card's data
 * header word that starts SMART, error-log, stats and dump data.
 */
#include <errno.h>
#include <stdint.h>

#include "codec-internal.h"
#include "private.h"
#include <ocxlpmem/codec.h>

#define REPLY_HDR_SIZE 8
#define DATA_HDR_SIZE 8

/*
 * len is what the driver returned: MIN(nd_fw_size, nd_size_out).  A shorter
 * buffer than the header announces is a truncated output (-EMSGSIZE); bytes
 * beyond it are trailing garbage (-EBADMSG).
 */
OCXLPMEM_EXPORT int ocxlpmem_reply_decode(const void *buf, size_t len, struct ocxlpmem_reply *ret)
{
	const uint8_t *p = buf;
	uint32_t data_len;

	if ((!buf && len) || !ret)
		return -EINVAL;
	if (len < REPLY_HDR_SIZE)
		return -EMSGSIZE;
	if (!all_zero(p + 1, 3))
		return -EBADMSG;
	data_len = get_le32(p + 4);
	if ((uint64_t)data_len + REPLY_HDR_SIZE > len)
		return -EMSGSIZE;
	if ((uint64_t)data_len + REPLY_HDR_SIZE < len)
		return -EBADMSG;

	*ret = (struct ocxlpmem_reply){
		.card_status = p[0],
		.data = p + REPLY_HDR_SIZE,
		.data_len = data_len,
	};
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_reply_encode(uint8_t card_status, uint32_t data_len, void *buf,
					      size_t cap)
{
	uint8_t *p = buf;

	if (!buf)
		return -EINVAL;
	/* nd_fw_size = 8 + data_len is a u32 too. */
	if (data_len > UINT32_MAX - REPLY_HDR_SIZE)
		return -EINVAL;
	if (cap < REPLY_HDR_SIZE)
		return -ENOSPC;
	p[0] = card_status;
	p[1] = p[2] = p[3] = 0;
	put_le32(p + 4, data_len);
	return REPLY_HDR_SIZE;
}

OCXLPMEM_EXPORT uint64_t ocxlpmem_data_hdr_make(uint16_t id, uint32_t len)
{
	return ((uint64_t)id << OCXLPMEM_DATA_HDR_ID_SHIFT) | len;
}

/*
 * buf, len is the whole data buffer, header word included: its length field
 * must account for exactly the len - 8 bytes after the word.
 */
OCXLPMEM_EXPORT int ocxlpmem_data_hdr_check(const void *buf, size_t len, uint16_t id,
					    uint32_t *ret_len)
{
	uint64_t w;
	uint32_t n;

	if ((!buf && len) || !ret_len)
		return -EINVAL;
	if (len < DATA_HDR_SIZE)
		return -EMSGSIZE;
	w = get_le64(buf);
	if ((uint16_t)(w >> OCXLPMEM_DATA_HDR_ID_SHIFT) != id)
		return -EBADMSG;
	if (w & OCXLPMEM_DATA_HDR_RESERVED_MASK)
		return -EBADMSG;
	n = (uint32_t)(w & OCXLPMEM_DATA_HDR_LEN_MASK);
	if ((uint64_t)n + DATA_HDR_SIZE > len)
		return -EMSGSIZE;
	if ((uint64_t)n + DATA_HDR_SIZE < len)
		return -EBADMSG;
	*ret_len = n;
	return 0;
}
