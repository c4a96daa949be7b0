// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz what a papr_scm DIMM gives (lib/papr-wire.c): the input as a PDSM
 * HEALTH package and as an ibm,unit-guid.  A package the decoder accepts
 * must make SMART and CONTROLLER_HEALTH replies that pass the family's
 * strict decoders with its values; a refusal leaves the output alone.
 */
#include "fuzz.h"
#include "transport-papr.h"

static void pdsm(const uint8_t *data, size_t size)
{
	struct papr_health h, untouched;
	const struct ocxlpmem_smart_attr *a;
	struct ocxlpmem_reply reply;
	struct ocxlpmem_health ctl;
	static struct ocxlpmem_smart s;
	uint8_t out[1024];
	unsigned int life;
	ssize_t n;
	int r;

	memset(&h, FUZZ_POISON, sizeof(h));
	untouched = h;
	r = papr_pdsm_health_decode(data, size, &h);
	if (r < 0) {
		FUZZ_CHECK(r >= -4095);
		FUZZ_CHECK(memcmp(&h, &untouched, sizeof(h)) == 0);
		return;
	}
	FUZZ_CHECK(size >= PAPR_PDSM_HDR_SIZE + 12 && h.health <= PAPR_DIMM_FATAL);
	FUZZ_CHECK(h.flags <= 0x3f && (!h.has_life || h.life_remaining <= 100));

	n = papr_smart_reply(&h, out, sizeof(out));
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(ocxlpmem_reply_decode(out, (size_t)n, &reply) == 0);
	FUZZ_CHECK(ocxlpmem_smart_decode(reply.data, reply.data_len, &s) == 0);
	FUZZ_CHECK(ocxlpmem_smart_life_remaining_pct(&s, &life) == h.has_life);
	FUZZ_CHECK(!h.has_life || life == h.life_remaining);
	a = ocxlpmem_smart_find(&s, PAPR_SMART_SHUTDOWNS);
	FUZZ_CHECK(h.has_dsc ? a && a->raw == h.dirty_shutdowns : !a);
	a = ocxlpmem_smart_find(&s, PAPR_SMART_HEALTH);
	FUZZ_CHECK(a && a->raw == h.health &&
		   (a->current <= a->threshold) == (h.health != PAPR_DIMM_HEALTHY));

	n = papr_controller_health_reply(&h, out, sizeof(out));
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(ocxlpmem_reply_decode(out, (size_t)n, &reply) == 0);
	FUZZ_CHECK(ocxlpmem_health_decode(reply.data, reply.data_len, &ctl) == 0);
	FUZZ_CHECK(!!(ctl.flags & OCXLPMEM_HEALTH_MEMORY_AVAILABLE) ==
		   (h.health < PAPR_DIMM_CRITICAL));
}

static void guid(const uint8_t *data, size_t size)
{
	uint64_t serial = 0xA5A5;
	int r = papr_parse_unit_guid((const char *)data, size, &serial);

	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG && serial == 0xA5A5);
		return;
	}
	FUZZ_CHECK(serial != 0 && size >= 36 && size <= 38 && data[8] == '-');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pdsm(data, size);
	guid(data, size);
	return 0;
}
