// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz the ERROR_LOG_READ and ERROR_LOG_ACK codecs. */
#include <stdbool.h>

#include "fuzz.h"

static ssize_t enc_ack(const uint32_t *id, void *buf, size_t cap)
{
	return ocxlpmem_error_log_ack_encode(*id, buf, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ocxlpmem_error_log_entry e;
	uint32_t id;

	FUZZ_ROUNDTRIP(struct ocxlpmem_error_log_entry, ocxlpmem_error_log_decode,
		       ocxlpmem_error_log_encode, data, size);
	FUZZ_ROUNDTRIP(uint32_t, ocxlpmem_error_log_ack_decode, enc_ack, data, size);

	/* Encoder fed an arbitrary entry (a bool must stay 0 or 1). */
	fuzz_fill(&e, sizeof(e), data, size);
	e.present = size && (data[0] & 1);
	FUZZ_ENCODE(struct ocxlpmem_error_log_entry, &e, ocxlpmem_error_log_decode,
		    ocxlpmem_error_log_encode);
	e.present = true;
	e.type %= OCXLPMEM_ERRLOG_TYPE_MAX + 1;
	e.action_flags &= OCXLPMEM_ACTION_ALL;
	e.data_size %= OCXLPMEM_ERRLOG_DATA_MAX + 1;
	FUZZ_ENCODE(struct ocxlpmem_error_log_entry, &e, ocxlpmem_error_log_decode,
		    ocxlpmem_error_log_encode);
	fuzz_fill(&id, sizeof(id), data, size);
	FUZZ_ENCODE(uint32_t, &id, ocxlpmem_error_log_ack_decode, enc_ack);
	return 0;
}
