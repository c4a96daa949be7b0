// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz the DUMP_START, DUMP_DATA and DUMP_COMPLETE codecs. */
#include "fuzz.h"

static ssize_t enc_complete(const uint32_t *id, void *buf, size_t cap)
{
	return ocxlpmem_dump_complete_encode(*id, buf, cap);
}

/* The chunk header, then its data, as the card model writes a chunk. */
static ssize_t enc_chunk(const struct ocxlpmem_dump_chunk *c, void *buf, size_t cap)
{
	ssize_t n = ocxlpmem_dump_chunk_encode_hdr(c, buf, cap);

	if (n < 0)
		return n;
	if ((size_t)n + c->chunk_size > cap)
		return -ENOSPC;
	memcpy((uint8_t *)buf + n, c->data, c->chunk_size);
	return n + (ssize_t)c->chunk_size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t zeros[FUZZ_BUF];
	struct ocxlpmem_dump_info info;
	struct ocxlpmem_dump_data_req req;
	struct ocxlpmem_dump_chunk chunk;
	uint32_t id;

	FUZZ_ROUNDTRIP(struct ocxlpmem_dump_info, ocxlpmem_dump_info_decode,
		       ocxlpmem_dump_info_encode, data, size);
	FUZZ_ROUNDTRIP(struct ocxlpmem_dump_data_req, ocxlpmem_dump_data_req_decode,
		       ocxlpmem_dump_data_req_encode, data, size);
	FUZZ_ROUNDTRIP(struct ocxlpmem_dump_chunk, ocxlpmem_dump_chunk_decode, enc_chunk, data,
		       size);
	FUZZ_ROUNDTRIP(uint32_t, ocxlpmem_dump_complete_decode, enc_complete, data, size);

	memset(&chunk, FUZZ_POISON, sizeof(chunk));
	if (ocxlpmem_dump_chunk_decode(data, size, &chunk) == 0) {
		FUZZ_CHECK(chunk.chunk_size % OCXLPMEM_DUMP_ALIGN == 0);
		FUZZ_CHECK((uint64_t)chunk.offset + chunk.chunk_size <= chunk.total_size);
		FUZZ_CHECK(chunk.data + chunk.chunk_size == data + size);
	}

	fuzz_fill(&info, sizeof(info), data, size);
	FUZZ_ENCODE(struct ocxlpmem_dump_info, &info, ocxlpmem_dump_info_decode,
		    ocxlpmem_dump_info_encode);
	fuzz_fill(&req, sizeof(req), data, size);
	FUZZ_ENCODE(struct ocxlpmem_dump_data_req, &req, ocxlpmem_dump_data_req_decode,
		    ocxlpmem_dump_data_req_encode);
	fuzz_fill(&chunk, sizeof(chunk), data, size);
	chunk.data = zeros;
	chunk.chunk_size %= sizeof(zeros) - 64;
	FUZZ_ENCODE(struct ocxlpmem_dump_chunk, &chunk, ocxlpmem_dump_chunk_decode, enc_chunk);
	fuzz_fill(&id, sizeof(id), data, size);
	FUZZ_ENCODE(uint32_t, &id, ocxlpmem_dump_complete_decode, enc_complete);
	return 0;
}
