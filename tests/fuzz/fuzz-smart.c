// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz the SMART codec. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ocxlpmem_smart s;
	unsigned int pct;
	uint64_t hours;
	int celsius;

	FUZZ_ROUNDTRIP(struct ocxlpmem_smart, ocxlpmem_smart_decode, ocxlpmem_smart_encode, data,
		       size);

	if (ocxlpmem_smart_decode(data, size, &s) == 0) {
		FUZZ_CHECK(s.count <= OCXLPMEM_SMART_MAX_ATTRS);
		(void)ocxlpmem_smart_temperature_c(&s, &celsius);
		if (ocxlpmem_smart_life_remaining_pct(&s, &pct))
			FUZZ_CHECK(pct <= 100);
		(void)ocxlpmem_smart_power_on_hours(&s, &hours);
	}

	/* Any attribute values encode; count decides. */
	fuzz_fill(&s, sizeof(s), data, size);
	FUZZ_ENCODE(struct ocxlpmem_smart, &s, ocxlpmem_smart_decode, ocxlpmem_smart_encode);
	s.count %= OCXLPMEM_SMART_MAX_ATTRS + 1;
	FUZZ_ENCODE(struct ocxlpmem_smart, &s, ocxlpmem_smart_decode, ocxlpmem_smart_encode);
	return 0;
}
