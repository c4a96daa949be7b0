// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Firmware update: START announces the image size, BLOCKs carry it in
 * order, FINISH verifies and stages it, ABORT drops it.  The staged image
 * runs after the next card reset (ocxlpmem_model_reset()).
 *
 * The status codes are the card's firmware-update meanings:
 * BAD_REQUEST_PARM "argument invalid", BLOCKED_BG_TASK "update blocked",
 * BAD_DATA_PARM "image invalid".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model-private.h"
#include "private.h"

void model_fw_discard_locked(struct ocxlpmem_model *m)
{
	if (m->fw_image)
		model_mem_sub(m, m->fw_image_size);
	free(m->fw_image);
	m->fw_image = NULL;
	m->fw_receiving = false;
	m->fw_image_size = 0;
	m->fw_received = 0;
}

void model_fw_reset_locked(struct ocxlpmem_model *m)
{
	model_fw_discard_locked(m);
	if (m->fw_staged[0]) {
		strcpy(m->fw_running, m->fw_staged);
		m->fw_staged[0] = '\0';
	}
}

static int fw_info_reply(struct ocxlpmem_model *m, struct model_reply *r)
{
	struct ocxlpmem_firmware_info f = {
		.update_state = m->fw_receiving ? OCXLPMEM_FW_RECEIVING : OCXLPMEM_FW_IDLE,
		.bytes_received = m->fw_received,
		.max_image_size = m->max_image_size,
	};
	ssize_t n;

	strcpy(f.running_version, m->fw_running);
	strcpy(f.staged_version, m->fw_staged);
	n = ocxlpmem_firmware_info_encode(&f, r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	r->status = OCXLPMEM_STATUS_SUCCESS;
	r->data_len = (size_t)n;
	return 0;
}

int model_fw_start(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		   struct model_reply *r)
{
	uint32_t size;

	/* Arguments first: a bad request is bad whatever the card is doing. */
	if (ocxlpmem_fw_start_decode(in, in_len, &size) < 0 || size > m->max_image_size) {
		model_reply_status(r, OCXLPMEM_STATUS_BAD_REQUEST_PARM);
		return 0;
	}
	/* One update at a time, and not while the host reads a dump out of
	 * the buffers the update would use. */
	if (m->fw_receiving || (m->dump_held && m->dump_collecting)) {
		model_reply_status(r, OCXLPMEM_STATUS_BLOCKED_BG_TASK);
		return 0;
	}
	m->fw_image = malloc(size);
	if (!m->fw_image) {
		model_reply_status(r, OCXLPMEM_STATUS_FAIL);
		return 0;
	}
	model_mem_add(m, size);
	m->fw_receiving = true;
	m->fw_image_size = size;
	m->fw_received = 0;
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

int model_fw_block(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		   struct model_reply *r)
{
	struct ocxlpmem_fw_block b;

	/* In order, without gaps or overlaps, inside the announced size. */
	if (ocxlpmem_fw_block_decode(in, in_len, &b) < 0 || !m->fw_receiving ||
	    b.offset != m->fw_received || b.size > m->fw_image_size - m->fw_received) {
		model_reply_status(r, OCXLPMEM_STATUS_BAD_REQUEST_PARM);
		return 0;
	}
	memcpy(m->fw_image + b.offset, b.data, b.size);
	m->fw_received += b.size;
	if (m->realistic_latency)
		r->sleep_us = MODEL_FW_BLOCK_US;
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

int model_fw_finish(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		    struct model_reply *r)
{
	struct ocxlpmem_fw_image_info info;
	int ret;

	/* Incomplete: the host may still send the rest, or abort. */
	if (!m->fw_receiving || m->fw_received != m->fw_image_size) {
		model_reply_status(r, OCXLPMEM_STATUS_BAD_REQUEST_PARM);
		return 0;
	}
	/* The model only installs images it can name a version for. */
	ret = ocxlpmem_fw_image_check(m->fw_image, m->fw_image_size, m->max_image_size, &info);
	if (ret < 0 || !info.has_header) {
		model_fw_discard_locked(m);
		model_reply_status(r, OCXLPMEM_STATUS_BAD_DATA_PARM);
		return 0;
	}
	model_fw_discard_locked(m);
	strcpy(m->fw_staged, info.version);
	return fw_info_reply(m, r);
}

/* Aborting with nothing in progress is harmless: the host's cleanup path
 * need not know whether START went through. */
int model_fw_abort(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		   struct model_reply *r)
{
	model_fw_discard_locked(m);
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

int model_fw_info(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		  struct model_reply *r)
{
	return fw_info_reply(m, r);
}
