// SPDX-License-Identifier: LGPL-2.1-or-later
/* DUMP_START (9), DUMP_DATA (10) request and 'CD' chunk, DUMP_COMPLETE (11). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "codec-internal.h"
#include "private.h"
#include <ocxlpmem/codec.h>

#define INFO_SIZE 16
#define REQ_SIZE 16
#define CHUNK_HDR 24 /* header word + dump_id, total_size, offset, chunk_size */
#define CHUNK_FIXED 16 /* of those, after the header word */
#define COMPLETE_SIZE 8

static bool aligned(uint32_t v)
{
	return v % OCXLPMEM_DUMP_ALIGN == 0;
}

/*
 * Offsets and chunk sizes are multiples of 8, so a dump whose size is not
 * could never be read to its end: total_size is a multiple of 8 too.  With
 * no dump (origin NONE) there is nothing to read.
 */
static bool info_valid(uint32_t total_size, uint8_t origin)
{
	return origin <= OCXLPMEM_DUMP_HOST && aligned(total_size) &&
	       (origin != OCXLPMEM_DUMP_NONE || total_size == 0);
}

OCXLPMEM_EXPORT int ocxlpmem_dump_info_decode(const void *buf, size_t len,
					      struct ocxlpmem_dump_info *ret)
{
	const uint8_t *p = buf;
	struct ocxlpmem_dump_info d;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = wire_fixed_len(len, INFO_SIZE);
	if (r < 0)
		return r;
	d = (struct ocxlpmem_dump_info){
		.dump_id = get_le32(p),
		.total_size = get_le32(p + 4),
		.origin = p[8],
	};
	if (!info_valid(d.total_size, d.origin) || !all_zero(p + 9, 7))
		return -EBADMSG;
	*ret = d;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_dump_info_encode(const struct ocxlpmem_dump_info *d, void *buf,
						  size_t cap)
{
	uint8_t *p = buf;

	if (!d || !buf || !info_valid(d->total_size, d->origin))
		return -EINVAL;
	if (cap < INFO_SIZE)
		return -ENOSPC;
	put_le32(p, d->dump_id);
	put_le32(p + 4, d->total_size);
	p[8] = d->origin;
	memset(p + 9, 0, 7);
	return INFO_SIZE;
}

static bool req_valid(uint32_t offset, uint32_t max_size)
{
	return aligned(offset) && aligned(max_size) && max_size;
}

OCXLPMEM_EXPORT int ocxlpmem_dump_data_req_decode(const void *buf, size_t len,
						  struct ocxlpmem_dump_data_req *ret)
{
	const uint8_t *p = buf;
	struct ocxlpmem_dump_data_req q;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = wire_fixed_len(len, REQ_SIZE);
	if (r < 0)
		return r;
	q = (struct ocxlpmem_dump_data_req){
		.dump_id = get_le32(p),
		.offset = get_le32(p + 4),
		.max_size = get_le32(p + 8),
	};
	if (!req_valid(q.offset, q.max_size) || get_le32(p + 12))
		return -EBADMSG;
	*ret = q;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_dump_data_req_encode(const struct ocxlpmem_dump_data_req *q,
						      void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!q || !buf || !req_valid(q->offset, q->max_size))
		return -EINVAL;
	if (cap < REQ_SIZE)
		return -ENOSPC;
	put_le32(p, q->dump_id);
	put_le32(p + 4, q->offset);
	put_le32(p + 8, q->max_size);
	put_le32(p + 12, 0);
	return REQ_SIZE;
}

/* An empty chunk says "offset is the end": it must agree with total_size. */
static bool chunk_valid(uint32_t total_size, uint32_t offset, uint32_t chunk_size)
{
	return aligned(total_size) && aligned(offset) && aligned(chunk_size) &&
	       (uint64_t)offset + chunk_size <= total_size &&
	       (chunk_size || offset == total_size);
}

OCXLPMEM_EXPORT int ocxlpmem_dump_chunk_decode(const void *buf, size_t len,
					       struct ocxlpmem_dump_chunk *ret)
{
	const uint8_t *p = buf;
	struct ocxlpmem_dump_chunk c;
	uint32_t length;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = ocxlpmem_data_hdr_check(buf, len, OCXLPMEM_DATA_ID_DUMP, &length);
	if (r < 0)
		return r;
	/* The header word accounts for all len bytes: from here on a length
	 * that disagrees is malformed, not truncated. */
	if (length < CHUNK_FIXED)
		return -EBADMSG;
	c = (struct ocxlpmem_dump_chunk){
		.dump_id = get_le32(p + 8),
		.total_size = get_le32(p + 12),
		.offset = get_le32(p + 16),
		.chunk_size = get_le32(p + 20),
		.data = p + CHUNK_HDR,
	};
	if ((uint64_t)CHUNK_FIXED + c.chunk_size != length)
		return -EBADMSG;
	if (!chunk_valid(c.total_size, c.offset, c.chunk_size))
		return -EBADMSG;
	*ret = c;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_dump_chunk_encode_hdr(const struct ocxlpmem_dump_chunk *c,
						       void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!c || !buf)
		return -EINVAL;
	if (!chunk_valid(c->total_size, c->offset, c->chunk_size) ||
	    c->chunk_size > UINT32_MAX - CHUNK_FIXED)
		return -EINVAL;
	if (cap < CHUNK_HDR)
		return -ENOSPC;
	put_le64(p, ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_DUMP, CHUNK_FIXED + c->chunk_size));
	put_le32(p + 8, c->dump_id);
	put_le32(p + 12, c->total_size);
	put_le32(p + 16, c->offset);
	put_le32(p + 20, c->chunk_size);
	return CHUNK_HDR;
}

OCXLPMEM_EXPORT int ocxlpmem_dump_complete_decode(const void *buf, size_t len,
						  uint32_t *ret_dump_id)
{
	const uint8_t *p = buf;
	int r;

	if ((!buf && len) || !ret_dump_id)
		return -EINVAL;
	r = wire_fixed_len(len, COMPLETE_SIZE);
	if (r < 0)
		return r;
	if (get_le32(p + 4))
		return -EBADMSG;
	*ret_dump_id = get_le32(p);
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_dump_complete_encode(uint32_t dump_id, void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!buf)
		return -EINVAL;
	if (cap < COMPLETE_SIZE)
		return -ENOSPC;
	put_le32(p, dump_id);
	put_le32(p + 4, 0);
	return COMPLETE_SIZE;
}
