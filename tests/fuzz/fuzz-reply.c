// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz the reply header and the data header word. */
#include "fuzz.h"

static const uint16_t ids[] = {
	OCXLPMEM_DATA_ID_SMART,
	OCXLPMEM_DATA_ID_ERROR_LOG,
	OCXLPMEM_DATA_ID_STATS,
	OCXLPMEM_DATA_ID_DUMP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[FUZZ_BUF];
	struct ocxlpmem_reply reply;
	uint32_t len;

	memset(&reply, FUZZ_POISON, sizeof(reply));
	if (ocxlpmem_reply_decode(data, size, &reply) == 0) {
		struct ocxlpmem_reply again;

		FUZZ_CHECK(reply.data == data + 8);
		FUZZ_CHECK((size_t)reply.data_len + 8 == size);
		FUZZ_CHECK(ocxlpmem_reply_encode(reply.card_status, reply.data_len, buf,
						 sizeof(buf)) == 8);
		FUZZ_CHECK(memcmp(buf, data, 8) == 0);
		if (size <= sizeof(buf)) {
			memcpy(buf + 8, reply.data, reply.data_len);
			FUZZ_CHECK(ocxlpmem_reply_decode(buf, size, &again) == 0);
			FUZZ_CHECK(again.card_status == reply.card_status);
			FUZZ_CHECK(again.data_len == reply.data_len);
		}
	} else {
		fuzz_check_poisoned(&reply, sizeof(reply));
	}

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		len = 0x5A5A5A5A;
		if (ocxlpmem_data_hdr_check(data, size, ids[i], &len) < 0) {
			FUZZ_CHECK(len == 0x5A5A5A5A);
			continue;
		}
		FUZZ_CHECK((size_t)len + 8 == size);
		{
			uint64_t w = ocxlpmem_data_hdr_make(ids[i], len);
			uint8_t le[8];

			for (int b = 0; b < 8; b++)
				le[b] = (uint8_t)(w >> (8 * b));
			FUZZ_CHECK(memcmp(le, data, 8) == 0);
		}
	}
	return 0;
}
