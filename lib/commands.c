// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Typed commands: encode the input, call the card, check the reply header
 * and decode the output.  Blocking; see the executor for the async path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "transport-private.h"

/* Room for the largest fixed reply (an error-log entry with full data). */
#define REPLY_MAX (sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_error_log_out) + \
		   OCXLPMEM_ERRLOG_DATA_MAX)

/*
 * Call and split the reply.  Returns 0 with *reply set, a positive card
 * status when the card refused, or -errno.  A reply longer than the buffer
 * means the driver truncated it: -EMSGSIZE, never a partial decode.
 */
static int call_reply(struct ocxlpmem_card *c, unsigned int function, const void *in,
		      size_t in_len, void *out, size_t out_cap, struct ocxlpmem_reply *reply)
{
	size_t fw_size = 0;
	int r;

	/* Stale bytes past what the card wrote must never decode as data. */
	memset(out, 0, out_cap);
	r = ocxlpmem_card_call(c, function, in, in_len, out, out_cap,
			       ocxlpmem_function_default_timeout_ms(function), &fw_size);
	if (r < 0)
		return r;
	if (fw_size > out_cap)
		return -EMSGSIZE;
	r = ocxlpmem_reply_decode(out, fw_size, reply);
	if (r < 0)
		return r;
	if (reply->card_status != OCXLPMEM_STATUS_SUCCESS)
		return reply->card_status;
	return 0;
}

/* For functions whose reply carries no data. */
static int call_no_data(struct ocxlpmem_card *c, unsigned int function, const void *in,
			size_t in_len)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, function, in, in_len, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return reply.data_len == 0 ? 0 : -EBADMSG;
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_capabilities(struct ocxlpmem_card *c,
					      struct ocxlpmem_capabilities *ret)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_capabilities_out)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_CAPABILITIES, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_capabilities_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_smart(struct ocxlpmem_card *c, struct ocxlpmem_smart *ret)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_smart_out) +
		    OCXLPMEM_SMART_MAX_ATTRS * sizeof(struct ocxlpmem_smart_attr_wire)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_SMART, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_smart_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_health(struct ocxlpmem_card *c, struct ocxlpmem_health *ret)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_health_out)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_CONTROLLER_HEALTH, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_health_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_error_log_read(struct ocxlpmem_card *c,
						struct ocxlpmem_error_log_entry *ret)
{
	_Static_assert(REPLY_MAX < 8192, "error-log reply buffer lives on the stack");
	uint8_t out[REPLY_MAX];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_error_log_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_error_log_ack(struct ocxlpmem_card *c, uint32_t log_identifier)
{
	uint8_t in[sizeof(struct ocxlpmem_error_log_ack_in)];
	ssize_t n = ocxlpmem_error_log_ack_encode(log_identifier, in, sizeof(in));

	if (n < 0)
		return (int)n;
	return call_no_data(c, OCXLPMEM_FN_ERROR_LOG_ACK, in, (size_t)n);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_request_health(struct ocxlpmem_card *c)
{
	return call_no_data(c, OCXLPMEM_FN_REQUEST_HEALTH, NULL, 0);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_stats(struct ocxlpmem_card *c, struct ocxlpmem_stats *ret)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_stats_out)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_CONTROLLER_STATS, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_stats_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_event_check(struct ocxlpmem_card *c, uint64_t *ret_events)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_events_out)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_EVENT_CHECK, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_events_decode(reply.data, reply.data_len, ret_events);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_dump_start(struct ocxlpmem_card *c, struct ocxlpmem_dump_info *ret)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_dump_info_out)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_DUMP_START, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_dump_info_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_dump_data(struct ocxlpmem_card *c,
					   const struct ocxlpmem_dump_data_req *req,
					   void *buf, size_t cap, struct ocxlpmem_dump_chunk *ret)
{
	uint8_t in[sizeof(struct ocxlpmem_dump_data_in)];
	struct ocxlpmem_dump_chunk chunk;
	struct ocxlpmem_reply reply;
	ssize_t n;
	int r;

	if (!req || !buf || !ret)
		return -EINVAL;
	if (cap < sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_dump_data_out) +
			  (size_t)req->max_size)
		return -ENOBUFS;
	n = ocxlpmem_dump_data_req_encode(req, in, sizeof(in));
	if (n < 0)
		return (int)n;
	r = call_reply(c, OCXLPMEM_FN_DUMP_DATA, in, (size_t)n, buf, cap, &reply);
	if (r != 0)
		return r;
	r = ocxlpmem_dump_chunk_decode(reply.data, reply.data_len, &chunk);
	if (r < 0)
		return r;
	/* A chunk of another dump or place is as corrupt as a bad header. */
	if (chunk.dump_id != req->dump_id || chunk.offset != req->offset ||
	    chunk.chunk_size > req->max_size)
		return -EBADMSG;
	*ret = chunk;
	return 0;
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_dump_complete(struct ocxlpmem_card *c, uint32_t dump_id)
{
	uint8_t in[sizeof(struct ocxlpmem_dump_complete_in)];
	ssize_t n = ocxlpmem_dump_complete_encode(dump_id, in, sizeof(in));

	if (n < 0)
		return (int)n;
	return call_no_data(c, OCXLPMEM_FN_DUMP_COMPLETE, in, (size_t)n);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_fw_start(struct ocxlpmem_card *c, uint32_t image_size)
{
	uint8_t in[sizeof(struct ocxlpmem_fw_start_in)];
	ssize_t n = ocxlpmem_fw_start_encode(image_size, in, sizeof(in));

	if (n < 0)
		return (int)n;
	return call_no_data(c, OCXLPMEM_FN_FW_UPDATE_START, in, (size_t)n);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_fw_block(struct ocxlpmem_card *c, uint32_t offset,
					  const void *data, uint32_t size)
{
	struct ocxlpmem_fw_block b = { .offset = offset, .size = size, .data = data };
	uint8_t *buf;
	ssize_t n;
	int r;

	/* 32 KiB is too much for a worker's stack. */
	buf = malloc(sizeof(struct ocxlpmem_fw_block_in) + OCXLPMEM_FW_BLOCK_MAX);
	if (!buf)
		return -ENOMEM;
	n = ocxlpmem_fw_block_encode(&b, buf, sizeof(struct ocxlpmem_fw_block_in) +
					     OCXLPMEM_FW_BLOCK_MAX);
	r = n < 0 ? (int)n : call_no_data(c, OCXLPMEM_FN_FW_UPDATE_BLOCK, buf, (size_t)n);
	free(buf);
	return r;
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_fw_finish(struct ocxlpmem_card *c,
					   struct ocxlpmem_firmware_info *ret)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_firmware_info_out)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_FW_UPDATE_FINISH, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_firmware_info_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_fw_abort(struct ocxlpmem_card *c)
{
	return call_no_data(c, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_firmware_info(struct ocxlpmem_card *c,
					       struct ocxlpmem_firmware_info *ret)
{
	uint8_t out[sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_firmware_info_out)];
	struct ocxlpmem_reply reply;
	int r;

	r = call_reply(c, OCXLPMEM_FN_FIRMWARE_INFO, NULL, 0, out, sizeof(out), &reply);
	if (r != 0)
		return r;
	return ocxlpmem_firmware_info_decode(reply.data, reply.data_len, ret);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_shutdown(struct ocxlpmem_card *c)
{
	return call_no_data(c, OCXLPMEM_FN_SHUTDOWN, NULL, 0);
}

OCXLPMEM_EXPORT int ocxlpmem_cmd_heartbeat(struct ocxlpmem_card *c)
{
	return call_no_data(c, OCXLPMEM_FN_HEARTBEAT, NULL, 0);
}
