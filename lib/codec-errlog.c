// SPDX-License-Identifier: LGPL-2.1-or-later
/* ERROR_LOG_READ (4): one 'EL' entry or "no entry"; ERROR_LOG_ACK (5). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "codec-internal.h"
#include "private.h"
#include <ocxlpmem/codec.h>

#define EL_HDR 8
#define EL_FIXED 56 /* bytes after the header word, before data[] */
#define ACK_SIZE 8

/*
 * The card may truncate an entry's data (data_needed > data_size) but never
 * claim less than it sent.  Action bits outside OCXLPMEM_ACTION_ALL have no
 * defined meaning and are rejected rather than silently dropped.
 */
static bool entry_valid(uint8_t type, uint32_t action_flags, uint16_t data_size,
			uint16_t data_needed)
{
	return type <= OCXLPMEM_ERRLOG_TYPE_MAX &&
	       !(action_flags & ~(uint32_t)OCXLPMEM_ACTION_ALL) &&
	       data_size <= OCXLPMEM_ERRLOG_DATA_MAX && data_needed >= data_size;
}

OCXLPMEM_EXPORT int ocxlpmem_error_log_decode(const void *buf, size_t len,
					      struct ocxlpmem_error_log_entry *ret)
{
	const uint8_t *p = buf;
	char fw_revision[OCXLPMEM_FW_VERSION_LEN + 1];
	uint16_t data_size, data_needed;
	uint32_t length, action_flags;
	uint8_t type;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = ocxlpmem_data_hdr_check(buf, len, OCXLPMEM_DATA_ID_ERROR_LOG, &length);
	if (r < 0)
		return r;
	if (length == 0) {
		memset(ret, 0, sizeof(*ret));
		ret->present = false;
		return 0;
	}
	/* The header word accounts for all len bytes: a length that
	 * disagrees with the fields is malformed, not truncated. */
	if (length < EL_FIXED)
		return -EBADMSG;

	action_flags = get_le32(p + 16);
	data_size = get_le16(p + 56);
	data_needed = get_le16(p + 58);
	type = p[60];
	if (length != EL_FIXED + (uint32_t)data_size)
		return -EBADMSG;
	if (!entry_valid(type, action_flags, data_size, data_needed) || !all_zero(p + 61, 3))
		return -EBADMSG;
	r = wire_str_decode(p + 48, fw_revision);
	if (r < 0)
		return r;

	/* Validated: now fill *ret, zeroing what the entry does not carry. */
	memset(ret, 0, sizeof(*ret));
	ret->present = true;
	ret->log_identifier = get_le32(p + 8);
	ret->program_reference_code = get_le32(p + 12);
	ret->action_flags = action_flags;
	ret->power_on_seconds = get_le32(p + 20);
	ret->timestamp_ns = get_le64(p + 24);
	ret->wwid[0] = get_le64(p + 32);
	ret->wwid[1] = get_le64(p + 40);
	memcpy(ret->fw_revision, fw_revision, sizeof(fw_revision));
	ret->type = type;
	ret->data_size = data_size;
	ret->data_needed = data_needed;
	memcpy(ret->data, p + EL_HDR + EL_FIXED, data_size);
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_error_log_encode(const struct ocxlpmem_error_log_entry *e,
						  void *buf, size_t cap)
{
	uint8_t *p = buf;
	size_t need;

	if (!e || !buf)
		return -EINVAL;
	if (!e->present) {
		if (cap < EL_HDR)
			return -ENOSPC;
		put_le64(p, ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_ERROR_LOG, 0));
		return EL_HDR;
	}
	if (!entry_valid(e->type, e->action_flags, e->data_size, e->data_needed) ||
	    !wire_str_valid(e->fw_revision))
		return -EINVAL;
	need = EL_HDR + EL_FIXED + (size_t)e->data_size;
	if (cap < need)
		return -ENOSPC;

	put_le64(p, ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_ERROR_LOG,
					   (uint32_t)(EL_FIXED + e->data_size)));
	put_le32(p + 8, e->log_identifier);
	put_le32(p + 12, e->program_reference_code);
	put_le32(p + 16, e->action_flags);
	put_le32(p + 20, e->power_on_seconds);
	put_le64(p + 24, e->timestamp_ns);
	put_le64(p + 32, e->wwid[0]);
	put_le64(p + 40, e->wwid[1]);
	wire_str_encode(e->fw_revision, p + 48);
	put_le16(p + 56, e->data_size);
	put_le16(p + 58, e->data_needed);
	p[60] = e->type;
	memset(p + 61, 0, 3);
	memcpy(p + EL_HDR + EL_FIXED, e->data, e->data_size);
	return (ssize_t)need;
}

OCXLPMEM_EXPORT int ocxlpmem_error_log_ack_decode(const void *buf, size_t len,
						  uint32_t *ret_log_identifier)
{
	const uint8_t *p = buf;
	int r;

	if ((!buf && len) || !ret_log_identifier)
		return -EINVAL;
	r = wire_fixed_len(len, ACK_SIZE);
	if (r < 0)
		return r;
	if (get_le32(p + 4))
		return -EBADMSG;
	*ret_log_identifier = get_le32(p);
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_error_log_ack_encode(uint32_t log_identifier, void *buf,
						      size_t cap)
{
	uint8_t *p = buf;

	if (!buf)
		return -EINVAL;
	if (cap < ACK_SIZE)
		return -ENOSPC;
	put_le32(p, log_identifier);
	put_le32(p + 4, 0);
	return ACK_SIZE;
}
