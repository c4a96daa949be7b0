// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Controller dumps.  The card holds at most one dump at a time, made either
 * by itself (raise_dump, an error-log entry asking for a dump) or on the
 * host's request (DUMP_START).  The host reads it with DUMP_DATA in chunks
 * of at most admin_buffer_size bytes and frees it with DUMP_COMPLETE.
 *
 * The content is never stored: ocxlpmem_model_dump_content() computes any
 * byte of any dump, so a test can check every byte of a 256 MiB dump it
 * saved without keeping a copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model-private.h"
#include "private.h"

#define CHUNK_HDR_SIZE sizeof(struct ocxlpmem_dump_data_out)

/*
 * Word w (little-endian, bytes 8w..8w+7) of dump dump_id of card serial is
 * the w-th value of a splitmix64 sequence keyed by both, and by the power
 * cycles the card had gone through: a dump made after one reuses old ids
 * (ocxlpmem_model_power_cycle()) but holds other data, as a real card's
 * would.  Before the first power cycle the key is the serial and id alone.
 */
static uint64_t dump_key(uint64_t serial, uint32_t power_cycles, uint32_t dump_id)
{
	uint64_t key = model_stream_key(serial, MODEL_STREAM_DUMP_DATA) ^
		       model_mix64(((uint64_t)dump_id << 32) | dump_id);

	return power_cycles ? key ^ model_mix64(power_cycles * MODEL_GOLDEN) : key;
}

OCXLPMEM_EXPORT void ocxlpmem_model_dump_content(uint64_t serial, uint32_t dump_id,
						 uint64_t offset, void *buf, size_t len)
{
	ocxlpmem_model_dump_content_after(serial, 0, dump_id, offset, buf, len);
}

OCXLPMEM_EXPORT void ocxlpmem_model_dump_content_after(uint64_t serial, uint32_t power_cycles,
						       uint32_t dump_id, uint64_t offset,
						       void *buf, size_t len)
{
	uint64_t key = dump_key(serial, power_cycles, dump_id);
	uint64_t w = offset / 8;
	unsigned int skip = (unsigned int)(offset % 8);
	uint8_t *p = buf;

	if (!buf)
		return;
	/* A head that starts inside a word. */
	if (skip) {
		uint64_t v = model_rand(key, w++);

		for (unsigned int b = skip; b < 8 && len; b++, len--)
			*p++ = (uint8_t)(v >> (8 * b));
	}
	for (; len >= 8; len -= 8, p += 8)
		put_le64(p, model_rand(key, w++));
	if (len) {
		uint64_t v = model_rand(key, w);

		for (unsigned int b = 0; b < len; b++)
			p[b] = (uint8_t)(v >> (8 * b));
	}
}

int64_t model_dump_raise_locked(struct ocxlpmem_model *m, uint32_t size, uint8_t origin)
{
	uint32_t id;

	if (m->dump_held)
		return -EBUSY;
	if (!size)
		size = MIN(MODEL_DEFAULT_DUMP_SIZE, m->max_dump_size);
	/* Offsets and chunks are multiples of 8: so is every dump. */
	if (size > m->max_dump_size || size % OCXLPMEM_DUMP_ALIGN)
		return -EINVAL;

	id = m->next_dump_id;
	m->next_dump_id = id == UINT32_MAX ? 1 : id + 1;
	m->dump_held = true;
	m->dump_collecting = false;
	m->dump_id = id;
	m->dump_size = size;
	m->dump_origin = origin;
	model_events_update(m);
	return id;
}

int model_dump_start(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		     struct model_reply *r)
{
	struct ocxlpmem_dump_info info;
	int64_t id;
	ssize_t n;

	/* A held dump, whoever made it, is collected before another is made. */
	if (!m->dump_held) {
		id = model_dump_raise_locked(m, 0, OCXLPMEM_DUMP_HOST);
		if (id < 0)
			return (int)id;
	}
	m->dump_collecting = true;
	info = (struct ocxlpmem_dump_info){
		.dump_id = m->dump_id,
		.total_size = m->dump_size,
		.origin = m->dump_origin,
	};
	n = ocxlpmem_dump_info_encode(&info, r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	r->data_len = (size_t)n;
	return 0;
}

int model_dump_data(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
		    struct model_reply *r)
{
	const size_t fixed = REPLY_HDR_SIZE + CHUNK_HDR_SIZE;
	struct ocxlpmem_dump_data_req req;
	struct ocxlpmem_dump_chunk c;
	size_t space;
	ssize_t n;

	if (ocxlpmem_dump_data_req_decode(in, in_len, &req) < 0 || !m->dump_held ||
	    req.dump_id != m->dump_id || req.max_size > m->admin_buffer_size ||
	    req.offset > m->dump_size) {
		model_reply_status(r, OCXLPMEM_STATUS_BAD_REQUEST_PARM);
		return 0;
	}

	c = (struct ocxlpmem_dump_chunk){
		.dump_id = m->dump_id,
		.total_size = m->dump_size,
		.offset = req.offset,
		.chunk_size = MIN(req.max_size, m->dump_size - req.offset),
	};
	/*
	 * Like the error log, the card fills no more than the driver has room
	 * for.  When not even 8 bytes fit, it sends what was asked and the
	 * driver's truncation shows: an empty chunk would mean "end of dump".
	 */
	space = r->out_cap >= fixed ? (r->out_cap - fixed) / OCXLPMEM_DUMP_ALIGN *
					      OCXLPMEM_DUMP_ALIGN : 0;
	if (space)
		c.chunk_size = (uint32_t)MIN((size_t)c.chunk_size, space);

	n = ocxlpmem_dump_chunk_encode_hdr(&c, r->buf + REPLY_HDR_SIZE, r->data_cap);
	if (n < 0)
		return (int)n;
	ocxlpmem_model_dump_content_after(m->serial, m->power_cycles, m->dump_id, c.offset,
					  r->buf + REPLY_HDR_SIZE + CHUNK_HDR_SIZE, c.chunk_size);
	r->data_len = CHUNK_HDR_SIZE + c.chunk_size;
	m->dump_collecting = true;
	if (m->realistic_latency)
		r->sleep_us = c.chunk_size / MODEL_DUMP_BYTES_PER_US;
	return 0;
}

int model_dump_complete(struct ocxlpmem_model *m, const uint8_t *in, size_t in_len,
			struct model_reply *r)
{
	uint32_t id;

	if (ocxlpmem_dump_complete_decode(in, in_len, &id) < 0 || !m->dump_held ||
	    id != m->dump_id) {
		model_reply_status(r, OCXLPMEM_STATUS_BAD_REQUEST_PARM);
		return 0;
	}
	m->dump_held = false;
	m->dump_collecting = false;
	model_reply_status(r, OCXLPMEM_STATUS_SUCCESS);
	return 0;
}

OCXLPMEM_EXPORT int64_t ocxlpmem_model_raise_dump(struct ocxlpmem_model *m, uint32_t size)
{
	int64_t r;

	if (!m)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	r = model_dump_raise_locked(m, size, OCXLPMEM_DUMP_CARD);
	model_nv_sync_locked(m);
	pthread_mutex_unlock(&m->lock);
	return r;
}

OCXLPMEM_EXPORT bool ocxlpmem_model_dump_held(struct ocxlpmem_model *m, uint32_t *ret_dump_id,
					      uint32_t *ret_size)
{
	bool held;

	if (!m)
		return false;
	pthread_mutex_lock(&m->lock);
	held = m->dump_held;
	if (held) {
		if (ret_dump_id)
			*ret_dump_id = m->dump_id;
		if (ret_size)
			*ret_size = m->dump_size;
	}
	pthread_mutex_unlock(&m->lock);
	return held;
}
