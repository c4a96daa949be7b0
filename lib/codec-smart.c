// SPDX-License-Identifier: LGPL-2.1-or-later
/* SMART (function 1): the card's 'SM' data buffer of up to 30 attributes. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "codec-internal.h"
#include "private.h"
#include <ocxlpmem/codec.h>

#define SMART_FIXED 16 /* header word, count, reserved[7] */
#define SMART_ATTR 16
#define ATTR_RESERVED_MASK 0xFFFFull

OCXLPMEM_EXPORT int ocxlpmem_smart_decode(const void *buf, size_t len, struct ocxlpmem_smart *ret)
{
	const uint8_t *p = buf;
	struct ocxlpmem_smart s = {0};
	uint32_t length;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = ocxlpmem_data_hdr_check(buf, len, OCXLPMEM_DATA_ID_SMART, &length);
	if (r < 0)
		return r;
	/* The header word accounts for all len bytes: from here on a length
	 * that disagrees is malformed, not truncated. */
	if (length < SMART_FIXED - 8)
		return -EBADMSG;
	s.count = p[8];
	if (s.count > OCXLPMEM_SMART_MAX_ATTRS)
		return -EBADMSG;
	if (!all_zero(p + 9, 7))
		return -EBADMSG;
	if (length != SMART_FIXED - 8 + SMART_ATTR * s.count)
		return -EBADMSG;

	for (unsigned int i = 0; i < s.count; i++) {
		const uint8_t *a = p + SMART_FIXED + SMART_ATTR * i;
		uint64_t w0 = get_le64(a);

		if (w0 & ATTR_RESERVED_MASK)
			return -EBADMSG;
		s.attrs[i] = (struct ocxlpmem_smart_attr){
			.id = (uint8_t)(w0 >> 56),
			.flags = (uint16_t)(w0 >> 40),
			.current = (uint8_t)(w0 >> 32),
			.threshold = (uint8_t)(w0 >> 24),
			.worst = (uint8_t)(w0 >> 16),
			.raw = get_le64(a + 8),
		};
	}
	*ret = s;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_smart_encode(const struct ocxlpmem_smart *s, void *buf, size_t cap)
{
	uint8_t *p = buf;
	size_t need;

	if (!s || !buf)
		return -EINVAL;
	if (s->count > OCXLPMEM_SMART_MAX_ATTRS)
		return -EINVAL;
	need = SMART_FIXED + SMART_ATTR * (size_t)s->count;
	if (cap < need)
		return -ENOSPC;

	put_le64(p, ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_SMART, (uint32_t)(need - 8)));
	p[8] = (uint8_t)s->count;
	memset(p + 9, 0, 7);
	for (unsigned int i = 0; i < s->count; i++) {
		const struct ocxlpmem_smart_attr *a = &s->attrs[i];
		uint8_t *w = p + SMART_FIXED + SMART_ATTR * i;

		put_le64(w, (uint64_t)a->id << 56 | (uint64_t)a->flags << 40 |
				    (uint64_t)a->current << 32 | (uint64_t)a->threshold << 24 |
				    (uint64_t)a->worst << 16);
		put_le64(w + 8, a->raw);
	}
	return (ssize_t)need;
}

/* Duplicate ids are not rejected by the decoder: the first one wins. */
OCXLPMEM_EXPORT const struct ocxlpmem_smart_attr *
ocxlpmem_smart_find(const struct ocxlpmem_smart *s, uint8_t id)
{
	if (!s)
		return NULL;
	for (unsigned int i = 0; i < s->count && i < OCXLPMEM_SMART_MAX_ATTRS; i++)
		if (s->attrs[i].id == id)
			return &s->attrs[i];
	return NULL;
}

OCXLPMEM_EXPORT bool ocxlpmem_smart_temperature_c(const struct ocxlpmem_smart *s, int *ret_celsius)
{
	const struct ocxlpmem_smart_attr *a = ocxlpmem_smart_find(s, OCXLPMEM_SMART_TEMPERATURE);

	if (!a || !ret_celsius)
		return false;
	*ret_celsius = (int16_t)(uint16_t)(a->raw & 0xFFFF);
	return true;
}

/* The normalised current value is the percentage; above 100 is not one. */
OCXLPMEM_EXPORT bool ocxlpmem_smart_life_remaining_pct(const struct ocxlpmem_smart *s,
						       unsigned int *ret_pct)
{
	const struct ocxlpmem_smart_attr *a = ocxlpmem_smart_find(s, OCXLPMEM_SMART_LIFE_REMAINING);

	if (!a || !ret_pct || a->current > 100)
		return false;
	*ret_pct = a->current;
	return true;
}

OCXLPMEM_EXPORT bool ocxlpmem_smart_power_on_hours(const struct ocxlpmem_smart *s,
						   uint64_t *ret_hours)
{
	const struct ocxlpmem_smart_attr *a = ocxlpmem_smart_find(s, OCXLPMEM_SMART_POWER_ON_HOURS);

	if (!a || !ret_hours)
		return false;
	*ret_hours = a->raw;
	return true;
}
