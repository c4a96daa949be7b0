// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A papr_scm DIMM's PDSM HEALTH answer and device-tree identity, and the
 * family's replies made from them (transport-papr.h).  Pure functions:
 * table-tested and fuzzed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "transport-papr.h"

#define REPLY_HDR 8

/* Payload offsets (the kernel's struct nd_papr_pdsm_health, natural
 * alignment inside the packed union). */
#define H_EXT 0
#define H_FLAGS 4   /* six u8: unarmed .. encrypted */
#define H_HEALTH 10
#define H_GAUGE 12
#define H_DSC 16
#define H_MIN_LEN 12            /* up to dimm_health */
#define H_GAUGE_END 14
#define H_DSC_END 24

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int papr_pdsm_health_decode(const void *buf, size_t len, struct papr_health *ret)
{
	const uint8_t *p = buf, *pl;
	struct papr_health h = { 0 };
	int32_t status;
	uint32_t ext;
	size_t plen;

	if ((!buf && len) || !ret)
		return -EINVAL;
	if (len < PAPR_PDSM_HDR_SIZE || len > PAPR_PDSM_HDR_SIZE + PAPR_PDSM_PAYLOAD_MAX)
		return -EBADMSG;
	status = (int32_t)le32(p);
	if (status < 0)
		/* The PDSM's own -errno; anything else is no errno at all. */
		return status >= -4095 ? status : -EBADMSG;
	if (status > 0)
		return -EBADMSG;
	pl = p + PAPR_PDSM_HDR_SIZE;
	plen = len - PAPR_PDSM_HDR_SIZE;
	if (plen < H_MIN_LEN)
		return -EBADMSG;
	ext = le32(pl + H_EXT);
	for (unsigned int i = 0; i < 6; i++) {
		/* The kernel sets each from a bool. */
		if (pl[H_FLAGS + i] > 1)
			return -EBADMSG;
		if (pl[H_FLAGS + i])
			h.flags |= 1u << i;
	}
	h.health = le16(pl + H_HEALTH);
	if (h.health > PAPR_DIMM_FATAL)
		return -EBADMSG;
	if (ext & PAPR_HEALTH_FUEL_GAUGE_VALID) {
		uint16_t g;

		if (plen < H_GAUGE_END)
			return -EBADMSG;
		g = le16(pl + H_GAUGE);
		if (g > 100)
			return -EBADMSG;
		h.has_life = true;
		h.life_remaining = (uint8_t)g;
	}
	if (ext & PAPR_HEALTH_DSC_VALID) {
		if (plen < H_DSC_END)
			return -EBADMSG;
		h.has_dsc = true;
		h.dirty_shutdowns = le64(pl + H_DSC);
	}
	*ret = h;
	return 0;
}

int papr_parse_unit_guid(const char *text, size_t len, uint64_t *ret_serial)
{
	static const unsigned int dash[] = { 8, 13, 18, 23 };
	uint64_t serial = 0;
	size_t n = len;

	if ((!text && len) || !ret_serial)
		return -EINVAL;
	/* A device-tree string property ends in its NUL; sysfs text may add
	 * a newline.  At most one of each, in that order or alone. */
	if (n && text[n - 1] == '\n')
		n--;
	if (n && text[n - 1] == '\0')
		n--;
	if (n != 36)
		return -EBADMSG;
	for (unsigned int i = 0, d = 0; i < 36; i++) {
		int v;

		if (d < sizeof(dash) / sizeof(dash[0]) && i == dash[d]) {
			if (text[i] != '-')
				return -EBADMSG;
			d++;
			continue;
		}
		v = hex_digit(text[i]);
		if (v < 0)
			return -EBADMSG;
		/* The 4th and 5th groups: characters 19 on. */
		if (i >= 19)
			serial = serial << 4 | (uint64_t)v;
	}
	if (!serial)
		return -EBADMSG;
	*ret_serial = serial;
	return 0;
}

static ssize_t finish(ssize_t data_len, void *out, size_t cap)
{
	if (data_len < 0)
		return -ENOBUFS;
	if (ocxlpmem_reply_encode(OCXLPMEM_STATUS_SUCCESS, (uint32_t)data_len, out, cap) < 0)
		return -ENOBUFS;
	return REPLY_HDR + data_len;
}

/* Nothing else is said: zero is "not said" in the family (timeouts take
 * their defaults; no firmware version, size or dumps).  admin_buffer_size
 * must be non-zero; no dump is ever asked, so the smallest will do. */
ssize_t papr_capabilities_reply(uint64_t serial, void *out, size_t cap)
{
	const struct ocxlpmem_capabilities c = {
		.serial = serial,
		.admin_buffer_size = 8,
		.functions = PAPR_FUNCTIONS,
	};

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	return finish(ocxlpmem_capabilities_encode(&c, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR),
		      out, cap);
}

ssize_t papr_smart_reply(const struct papr_health *h, void *out, size_t cap)
{
	struct ocxlpmem_smart s = { 0 };
	uint8_t verdict = (uint8_t)(PAPR_DIMM_FATAL - MIN(h->health, (uint16_t)PAPR_DIMM_FATAL));

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	s.attrs[s.count++] = (struct ocxlpmem_smart_attr){
		.id = PAPR_SMART_HEALTH,
		.current = verdict,
		.worst = verdict,
		.threshold = PAPR_SMART_HEALTH_THRESHOLD,
		.raw = h->health,
	};
	if (h->has_life)
		s.attrs[s.count++] = (struct ocxlpmem_smart_attr){
			.id = OCXLPMEM_SMART_LIFE_REMAINING,
			.current = h->life_remaining,
			.worst = h->life_remaining,
			.raw = h->life_remaining,
		};
	if (h->has_dsc)
		s.attrs[s.count++] = (struct ocxlpmem_smart_attr){
			.id = PAPR_SMART_SHUTDOWNS,
			.raw = h->dirty_shutdowns,
		};
	s.attrs[s.count++] = (struct ocxlpmem_smart_attr){
		.id = PAPR_SMART_FLAGS,
		.raw = h->flags,
	};
	return finish(ocxlpmem_smart_encode(&s, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR), out,
		      cap);
}

ssize_t papr_controller_health_reply(const struct papr_health *h, void *out, size_t cap)
{
	struct ocxlpmem_health c = { 0 };

	if (cap < REPLY_HDR)
		return -ENOBUFS;
	if (h->health < PAPR_DIMM_FATAL)
		c.flags |= OCXLPMEM_HEALTH_READY;
	if (h->health < PAPR_DIMM_CRITICAL)
		c.flags |= OCXLPMEM_HEALTH_MEMORY_AVAILABLE;
	return finish(ocxlpmem_health_encode(&c, (uint8_t *)out + REPLY_HDR, cap - REPLY_HDR), out,
		      cap);
}
