// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz CAPABILITIES, CONTROLLER_HEALTH, EVENT_CHECK (and sysfs), FIRMWARE_INFO. */
#include "fuzz.h"

static ssize_t enc_events(const uint64_t *events, void *buf, size_t cap)
{
	return ocxlpmem_events_encode(*events, buf, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ocxlpmem_capabilities caps;
	static struct ocxlpmem_firmware_info fw;
	struct ocxlpmem_health health;
	uint64_t events;

	FUZZ_ROUNDTRIP(struct ocxlpmem_capabilities, ocxlpmem_capabilities_decode,
		       ocxlpmem_capabilities_encode, data, size);
	FUZZ_ROUNDTRIP(struct ocxlpmem_health, ocxlpmem_health_decode, ocxlpmem_health_encode,
		       data, size);
	FUZZ_ROUNDTRIP(uint64_t, ocxlpmem_events_decode, enc_events, data, size);
	FUZZ_ROUNDTRIP(struct ocxlpmem_firmware_info, ocxlpmem_firmware_info_decode,
		       ocxlpmem_firmware_info_encode, data, size);

	/* sysfs text: what parses prints back as the driver would print it. */
	events = 0x5A5A5A5A5A5A5A5Aull;
	if (ocxlpmem_events_parse_sysfs((const char *)data, size, &events) == 0) {
		char text[32];
		uint64_t again;
		int n = snprintf(text, sizeof(text), "0x%llx\n", (unsigned long long)events);

		FUZZ_CHECK(events <= OCXLPMEM_EVENT_ALL);
		FUZZ_CHECK(ocxlpmem_events_parse_sysfs(text, (size_t)n, &again) == 0);
		FUZZ_CHECK(again == events);
	} else {
		FUZZ_CHECK(events == 0x5A5A5A5A5A5A5A5Aull);
	}

	/* Encoders fed arbitrary structs. */
	fuzz_fill(&caps, sizeof(caps), data, size);
	FUZZ_ENCODE(struct ocxlpmem_capabilities, &caps, ocxlpmem_capabilities_decode,
		    ocxlpmem_capabilities_encode);
	fuzz_fill(&fw, sizeof(fw), data, size);
	FUZZ_ENCODE(struct ocxlpmem_firmware_info, &fw, ocxlpmem_firmware_info_decode,
		    ocxlpmem_firmware_info_encode);
	fuzz_fill(&health, sizeof(health), data, size);
	FUZZ_ENCODE(struct ocxlpmem_health, &health, ocxlpmem_health_decode,
		    ocxlpmem_health_encode);
	fuzz_fill(&events, sizeof(events), data, size);
	FUZZ_ENCODE(uint64_t, &events, ocxlpmem_events_decode, enc_events);
	return 0;
}
