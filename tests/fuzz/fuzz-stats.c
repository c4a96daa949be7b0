// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz the CONTROLLER_STATS codec. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ocxlpmem_stats s;

	FUZZ_ROUNDTRIP(struct ocxlpmem_stats, ocxlpmem_stats_decode, ocxlpmem_stats_encode, data,
		       size);

	fuzz_fill(&s, sizeof(s), data, size);
	FUZZ_ENCODE(struct ocxlpmem_stats, &s, ocxlpmem_stats_decode, ocxlpmem_stats_encode);
	return 0;
}
