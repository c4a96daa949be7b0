// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the v4 character device answers, turned into the replies of the
 * OCXL command family (ocxlpmem/abi.h), so that everything above the
 * transport reads a v4 card exactly as a card of the family, through the
 * same strict decoders.  Pure functions: table-tested and fuzzed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "transport-chardev.h"

#define REPLY_HDR 8

/* The reply header, then data_len bytes already at out + 8. */
static ssize_t finish(ssize_t data_len, void *out, size_t cap)
{
	if (data_len < 0)
		return data_len == -ENOSPC ? -ENOBUFS : -EBADMSG;
	if (ocxlpmem_reply_encode(OCXLPMEM_STATUS_SUCCESS, (uint32_t)data_len, out, cap) < 0)
		return -ENOBUFS;
	return REPLY_HDR + data_len;
}

ssize_t chardev_status_reply(uint8_t card_status, void *out, size_t cap)
{
	if (ocxlpmem_reply_encode(card_status, 0, out, cap) < 0)
		return -ENOBUFS;
	return REPLY_HDR;
}

ssize_t chardev_errlog_reply(const struct chardev_v4_error_log *e, const uint8_t *data,
			     size_t data_len, void *out, size_t cap)
{
	/* Over 4 KiB: not on the stack of an executor thread. */
	struct ocxlpmem_error_log_entry *entry;
	size_t fw_len;
	ssize_t n;

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	entry = calloc(1, sizeof(*entry));
	if (!entry)
		return -ENOMEM;
	entry->present = true;
	entry->log_identifier = e->log_identifier;
	entry->program_reference_code = e->program_reference_code;
	entry->action_flags = e->action_flags;
	entry->power_on_seconds = e->power_on_seconds;
	entry->timestamp_ns = e->timestamp;
	entry->wwid[0] = e->wwid[0];
	entry->wwid[1] = e->wwid[1];
	/* Eight characters and a NUL; an unterminated one is not a string. */
	fw_len = strnlen(e->fw_revision, sizeof(e->fw_revision));
	if (fw_len == sizeof(e->fw_revision)) {
		free(entry);
		return -EBADMSG;
	}
	memcpy(entry->fw_revision, e->fw_revision, fw_len);
	entry->type = e->error_log_type;
	/* buf_size came back as what the entry needs; what we got is at most
	 * what we gave room for. */
	entry->data_needed = e->buf_size;
	entry->data_size = (uint16_t)MIN(MIN((size_t)e->buf_size, data_len),
					 (size_t)OCXLPMEM_ERRLOG_DATA_MAX);
	if (entry->data_size)
		memcpy(entry->data, data, entry->data_size);
	n = ocxlpmem_error_log_encode(entry, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR);
	free(entry);
	/* -EINVAL from the encoder: a type, flag or string the family's
	 * decoder would refuse; the card's answer is malformed. */
	return finish(n == -EINVAL ? -EBADMSG : n, out, cap);
}

ssize_t chardev_no_errlog_reply(void *out, size_t cap)
{
	struct ocxlpmem_error_log_entry none = { .present = false };

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	return finish(ocxlpmem_error_log_encode(&none, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR),
		      out, cap);
}

ssize_t chardev_stats_reply(const struct chardev_v4_stats *v, void *out, size_t cap)
{
	const struct ocxlpmem_stats s = {
		.reset_count = v->reset_count,
		.reset_uptime_s = v->reset_uptime,
		.power_on_uptime_s = v->power_on_uptime,
		.life_remaining_pct = v->life_remaining,
		.critical_resource_utilization_pct = v->critical_resource_utilization,
		.host_load_count = v->host_load_count,
		.host_store_count = v->host_store_count,
		.host_load_duration_ns = v->host_load_duration,
		.host_store_duration_ns = v->host_store_duration,
		.media_read_count = v->media_read_count,
		.media_write_count = v->media_write_count,
		.media_read_duration_ns = v->media_read_duration,
		.media_write_duration_ns = v->media_write_duration,
		.cache_read_hit_count = v->cache_read_hit_count,
		.cache_write_hit_count = v->cache_write_hit_count,
		.fast_write_count = v->fast_write_count,
	};
	ssize_t n;

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	n = ocxlpmem_stats_encode(&s, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR);
	return finish(n == -EINVAL ? -EBADMSG : n, out, cap);
}

ssize_t chardev_events_reply(uint64_t events, void *out, size_t cap)
{
	ssize_t n;

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	n = ocxlpmem_events_encode(events, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR);
	return finish(n == -EINVAL ? -EBADMSG : n, out, cap);
}

/*
 * v4 has no CAPABILITIES.  What the family's reply carries and v4 does not
 * show stays zero, which the family defines as "not said" (timeouts: the
 * documented defaults apply; memory size, revision, latency, readiness:
 * unknown); the firmware version and serial are sysfs's.  admin_buffer_size
 * is the v4 ioctl's own limit; a card with a smaller buffer gets smaller
 * chunks asked (chardev_call).
 */
ssize_t chardev_capabilities_reply(uint64_t serial, const char *fw_version, void *out,
				   size_t cap)
{
	struct ocxlpmem_capabilities c = {
		.serial = serial,
		.admin_buffer_size = CHARDEV_CHUNK_MAX,
		.functions = CHARDEV_FUNCTIONS,
	};
	ssize_t n;

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	snprintf(c.fw_version, sizeof(c.fw_version), "%s", fw_version ? fw_version : "");
	n = ocxlpmem_capabilities_encode(&c, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR);
	return finish(n == -EINVAL ? -EBADMSG : n, out, cap);
}

int chardev_dump_chunk_parse(const void *buf, size_t len, size_t *ret_data_len)
{
	uint32_t hdr_len;
	uint64_t w;
	size_t n;

	if ((!buf && len) || !ret_data_len)
		return -EINVAL;
	/* 0: the driver says the dump has no more data. */
	if (len == 0) {
		*ret_data_len = 0;
		return 0;
	}
	if (len < 8 || len % 8)
		return -EBADMSG;
	w = get_le64(buf);
	if ((uint16_t)(w >> OCXLPMEM_DATA_HDR_ID_SHIFT) != OCXLPMEM_DATA_ID_DUMP ||
	    (w & OCXLPMEM_DATA_HDR_RESERVED_MASK))
		return -EBADMSG;
	hdr_len = (uint32_t)(w & OCXLPMEM_DATA_HDR_LEN_MASK);
	/* The header gives the card's chunk; the driver cut it to the room
	 * we gave.  Data comes in whole words. */
	n = MIN((size_t)hdr_len, len - 8);
	if (n % 8)
		return -EBADMSG;
	*ret_data_len = n;
	return 0;
}
