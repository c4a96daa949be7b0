// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A papr_scm DIMM's PDSM HEALTH package and ibm,unit-guid decoded, and
 * the family's replies made from them (lib/papr-wire.c), table-driven:
 * every reply must pass the family's own strict decoders with the PDSM's
 * values, and what no papr_scm makes must be refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transport-papr.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))
#define PKG (PAPR_PDSM_HDR_SIZE + PAPR_PDSM_PAYLOAD_MAX)

/* A package as papr_scm fills it (little-endian host). */
struct pkg_spec {
	int32_t status;
	uint32_t ext;
	uint8_t flag[6];
	uint16_t health;
	uint16_t gauge;
	uint64_t dsc;
	size_t len; /* nd_fw_size; 0: the whole package */
};

static size_t make_pkg(const struct pkg_spec *s, uint8_t *p)
{
	uint8_t *pl = p + PAPR_PDSM_HDR_SIZE;

	memset(p, 0, PKG);
	memcpy(p, &s->status, 4);
	memcpy(pl, &s->ext, 4);
	memcpy(pl + 4, s->flag, 6);
	memcpy(pl + 10, &s->health, 2);
	memcpy(pl + 12, &s->gauge, 2);
	memcpy(pl + 16, &s->dsc, 8);
	return s->len ? s->len : PKG;
}

static const struct {
	const char *name;
	struct pkg_spec in;
	int expect;
	struct papr_health out;
} pdsm_cases[] = {
	{ "healthy, nothing extended", { .health = 0 }, 0, { 0 } },
	{ "fuel gauge and dsc",
	  { .ext = 3, .health = 1, .gauge = 42, .dsc = 7 },
	  0,
	  { .health = 1, .has_life = true, .life_remaining = 42, .has_dsc = true,
	    .dirty_shutdowns = 7 } },
	{ "every flag",
	  { .flag = { 1, 1, 1, 1, 1, 1 }, .health = 2 },
	  0,
	  { .flags = 0x3f, .health = 2 } },
	{ "bad shutdown only", { .flag = { 0, 1 }, .health = 3 }, 0,
	  { .flags = PAPR_FLAG_BAD_SHUTDOWN, .health = 3 } },
	{ "unknown extension ignored", { .ext = 0x80, .health = 0 }, 0, { 0 } },
	{ "gauge 0", { .ext = 1, .gauge = 0 }, 0, { .has_life = true } },
	{ "gauge 100", { .ext = 1, .gauge = 100 }, 0,
	  { .has_life = true, .life_remaining = 100 } },
	{ "short: old kernel without dsc, not claimed", { .ext = 1, .gauge = 5, .len = 8 + 14 },
	  0, { .has_life = true, .life_remaining = 5 } },
	{ "PDSM failed", { .status = -EIO }, -EIO, { 0 } },
	{ "PDSM status not an errno", { .status = -100000 }, -EBADMSG, { 0 } },
	{ "positive status", { .status = 1 }, -EBADMSG, { 0 } },
	{ "flag byte 2", { .flag = { 0, 0, 2 } }, -EBADMSG, { 0 } },
	{ "health beyond fatal", { .health = 4 }, -EBADMSG, { 0 } },
	{ "gauge over 100", { .ext = 1, .gauge = 101 }, -EBADMSG, { 0 } },
	{ "gauge claimed, not given", { .ext = 1, .len = 8 + 12 }, -EBADMSG, { 0 } },
	{ "dsc claimed, not given", { .ext = 2, .len = 8 + 23 }, -EBADMSG, { 0 } },
	{ "header only", { .len = 8 }, -EBADMSG, { 0 } },
	{ "less than a header", { .len = 7 }, -EBADMSG, { 0 } },
	{ "longer than a package", { .len = PKG + 1 }, -EBADMSG, { 0 } },
};

static void test_pdsm_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(pdsm_cases); i++) {
		uint8_t buf[PKG + 8];
		struct papr_health h, untouched;
		size_t len = make_pkg(&pdsm_cases[i].in, buf);
		int r;

		memset(&h, 0xA5, sizeof(h));
		untouched = h;
		r = papr_pdsm_health_decode(buf, len, &h);
		if (r != pdsm_cases[i].expect)
			fail_msg("%s: %d, expected %d", pdsm_cases[i].name, r, pdsm_cases[i].expect);
		if (r < 0) {
			/* A refusal leaves the output alone. */
			assert_memory_equal(&h, &untouched, sizeof(h));
			continue;
		}
		assert_int_equal(h.flags, pdsm_cases[i].out.flags);
		assert_int_equal(h.health, pdsm_cases[i].out.health);
		assert_int_equal(h.has_life, pdsm_cases[i].out.has_life);
		assert_int_equal(h.life_remaining, pdsm_cases[i].out.life_remaining);
		assert_int_equal(h.has_dsc, pdsm_cases[i].out.has_dsc);
		assert_int_equal(h.dirty_shutdowns, pdsm_cases[i].out.dirty_shutdowns);
	}
}

static const struct {
	const char *text;
	size_t len; /* 0: strlen */
	int expect;
	uint64_t serial;
} guid_cases[] = {
	{ "4f1e2a3b-0c5d-4e6f-8a9b-0c1d2e3f4a5b", 0, 0, 0x8a9b0c1d2e3f4a5bull },
	{ "4f1e2a3b-0c5d-4e6f-8A9B-0C1D2E3F4A5B\n", 0, 0, 0x8a9b0c1d2e3f4a5bull },
	/* As the device tree gives it: with its NUL. */
	{ "4f1e2a3b-0c5d-4e6f-0000-000000000001", 37, 0, 1 },
	{ "4f1e2a3b-0c5d-4e6f-0000-000000000001\0\n", 38, 0, 1 },
	{ "4f1e2a3b-0c5d-4e6f-0000-000000000000", 0, -EBADMSG, 0 },
	{ "4f1e2a3b-0c5d-4e6f-8a9b-0c1d2e3f4a5", 0, -EBADMSG, 0 },
	{ "4f1e2a3b-0c5d-4e6f-8a9b-0c1d2e3f4a5bb", 0, -EBADMSG, 0 },
	{ "4f1e2a3b0c5d-4e6f-8a9b-0c1d2e3f4a5b-", 0, -EBADMSG, 0 },
	{ "4f1e2a3b-0c5d-4e6f-8a9b-0c1d2e3f4a5g", 0, -EBADMSG, 0 },
	{ " 4f1e2a3b-0c5d-4e6f-8a9b-0c1d2e3f4a5b", 0, -EBADMSG, 0 },
	{ "4f1e2a3b-0c5d-4e6f-8a9b-0c1d2e3f4a5b\n\n", 0, -EBADMSG, 0 },
	{ "4f1e2a3b-0c5d-4e6f-8a9b-0c1d2e3f4a5b\n\0", 38, -EBADMSG, 0 },
	{ "", 0, -EBADMSG, 0 },
};

static void test_guid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(guid_cases); i++) {
		size_t len = guid_cases[i].len ? guid_cases[i].len : strlen(guid_cases[i].text);
		uint64_t serial = 0xA5;
		int r = papr_parse_unit_guid(guid_cases[i].text, len, &serial);

		if (r != guid_cases[i].expect)
			fail_msg("case %zu: %d, expected %d", i, r, guid_cases[i].expect);
		assert_int_equal(serial, r < 0 ? 0xA5 : guid_cases[i].serial);
	}
}

/* What the daemon sees of each health level, through its own decoders. */
static const struct {
	uint16_t health;
	uint32_t ctl_flags;
	uint8_t verdict;     /* PAPR_SMART_HEALTH current */
	bool at_threshold;   /* the daemon warns */
} level_cases[] = {
	{ PAPR_DIMM_HEALTHY, OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE, 3, false },
	{ PAPR_DIMM_UNHEALTHY, OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE, 2, true },
	{ PAPR_DIMM_CRITICAL, OCXLPMEM_HEALTH_READY, 1, true },
	{ PAPR_DIMM_FATAL, 0, 0, true },
};

static void test_replies(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(level_cases); i++) {
		const struct papr_health h = {
			.flags = PAPR_FLAG_BAD_SHUTDOWN, .health = level_cases[i].health,
			.has_life = true, .life_remaining = 37, .has_dsc = true,
			.dirty_shutdowns = 12,
		};
		const struct ocxlpmem_smart_attr *a;
		struct ocxlpmem_reply reply;
		struct ocxlpmem_health ctl;
		struct ocxlpmem_smart s;
		unsigned int life;
		uint8_t out[1024];
		ssize_t n;

		n = papr_controller_health_reply(&h, out, sizeof(out));
		assert_true(n > 0);
		assert_int_equal(ocxlpmem_reply_decode(out, (size_t)n, &reply), 0);
		assert_int_equal(reply.card_status, OCXLPMEM_STATUS_SUCCESS);
		assert_int_equal(ocxlpmem_health_decode(reply.data, reply.data_len, &ctl), 0);
		assert_int_equal(ctl.flags, level_cases[i].ctl_flags);

		n = papr_smart_reply(&h, out, sizeof(out));
		assert_true(n > 0);
		assert_int_equal(ocxlpmem_reply_decode(out, (size_t)n, &reply), 0);
		assert_int_equal(ocxlpmem_smart_decode(reply.data, reply.data_len, &s), 0);
		assert_true(ocxlpmem_smart_life_remaining_pct(&s, &life));
		assert_int_equal(life, 37);
		a = ocxlpmem_smart_find(&s, PAPR_SMART_HEALTH);
		assert_non_null(a);
		assert_int_equal(a->current, level_cases[i].verdict);
		assert_int_equal(a->current <= a->threshold, level_cases[i].at_threshold);
		assert_int_equal(a->raw, level_cases[i].health);
		a = ocxlpmem_smart_find(&s, PAPR_SMART_SHUTDOWNS);
		assert_non_null(a);
		assert_int_equal(a->raw, 12);
		assert_int_equal(a->threshold, 0);
		a = ocxlpmem_smart_find(&s, PAPR_SMART_FLAGS);
		assert_non_null(a);
		assert_int_equal(a->raw, PAPR_FLAG_BAD_SHUTDOWN);
	}
}

/* No fuel gauge, no count: not reported, never a made-up number. */
static void test_smart_without_extensions(void **state)
{
	const struct papr_health h = { .health = PAPR_DIMM_HEALTHY };
	struct ocxlpmem_reply reply;
	struct ocxlpmem_smart s;
	unsigned int life;
	uint8_t out[1024];
	ssize_t n;

	(void)state;
	n = papr_smart_reply(&h, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(ocxlpmem_reply_decode(out, (size_t)n, &reply), 0);
	assert_int_equal(ocxlpmem_smart_decode(reply.data, reply.data_len, &s), 0);
	assert_false(ocxlpmem_smart_life_remaining_pct(&s, &life));
	assert_null(ocxlpmem_smart_find(&s, PAPR_SMART_SHUTDOWNS));
	assert_int_equal(papr_smart_reply(&h, out, 20), -ENOBUFS);
}

/* Only what a papr DIMM can serve: no error log, dumps or firmware. */
static void test_capabilities(void **state)
{
	struct ocxlpmem_capabilities c;
	struct ocxlpmem_reply reply;
	uint8_t out[256];
	ssize_t n;

	(void)state;
	n = papr_capabilities_reply(0x8a9b0c1d2e3f4a5bull, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(ocxlpmem_reply_decode(out, (size_t)n, &reply), 0);
	assert_int_equal(ocxlpmem_capabilities_decode(reply.data, reply.data_len, &c), 0);
	assert_int_equal(c.serial, 0x8a9b0c1d2e3f4a5bull);
	assert_int_equal(c.functions, (1u << OCXLPMEM_FN_SMART) |
					      (1u << OCXLPMEM_FN_CAPABILITIES) |
					      (1u << OCXLPMEM_FN_CONTROLLER_HEALTH));
	assert_string_equal(c.fw_version, "");
	assert_int_equal(papr_capabilities_reply(1, out, 4), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pdsm_table),
		cmocka_unit_test(test_guid_table),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_smart_without_extensions),
		cmocka_unit_test(test_capabilities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
