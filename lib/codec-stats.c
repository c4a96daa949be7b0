// SPDX-License-Identifier: LGPL-2.1-or-later
/* CONTROLLER_STATS (7): the card's 'CS' data buffer, 104 bytes after the word. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "codec-internal.h"
#include "private.h"
#include <ocxlpmem/codec.h>

#define STATS_HDR 8
#define STATS_LEN 104

static bool stats_valid(uint8_t life_pct, uint8_t cru_pct)
{
	return life_pct <= 100 && cru_pct <= 100;
}

OCXLPMEM_EXPORT int ocxlpmem_stats_decode(const void *buf, size_t len, struct ocxlpmem_stats *ret)
{
	const uint8_t *p = buf;
	struct ocxlpmem_stats s = {0};
	uint32_t length;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = ocxlpmem_data_hdr_check(buf, len, OCXLPMEM_DATA_ID_STATS, &length);
	if (r < 0)
		return r;
	if (length != STATS_LEN)
		return -EBADMSG;
	s.reset_count = get_le32(p + 8);
	s.reset_uptime_s = get_le32(p + 12);
	s.power_on_uptime_s = get_le32(p + 16);
	s.life_remaining_pct = p[20];
	s.critical_resource_utilization_pct = p[21];
	if (!stats_valid(s.life_remaining_pct, s.critical_resource_utilization_pct) ||
	    p[22] || p[23])
		return -EBADMSG;
	s.host_load_count = get_le64(p + 24);
	s.host_store_count = get_le64(p + 32);
	s.host_load_duration_ns = get_le64(p + 40);
	s.host_store_duration_ns = get_le64(p + 48);
	s.media_read_count = get_le64(p + 56);
	s.media_write_count = get_le64(p + 64);
	s.media_read_duration_ns = get_le64(p + 72);
	s.media_write_duration_ns = get_le64(p + 80);
	s.cache_read_hit_count = get_le64(p + 88);
	s.cache_write_hit_count = get_le64(p + 96);
	s.fast_write_count = get_le64(p + 104);

	*ret = s;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_stats_encode(const struct ocxlpmem_stats *s, void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!s || !buf)
		return -EINVAL;
	if (!stats_valid(s->life_remaining_pct, s->critical_resource_utilization_pct))
		return -EINVAL;
	if (cap < STATS_HDR + STATS_LEN)
		return -ENOSPC;

	put_le64(p, ocxlpmem_data_hdr_make(OCXLPMEM_DATA_ID_STATS, STATS_LEN));
	put_le32(p + 8, s->reset_count);
	put_le32(p + 12, s->reset_uptime_s);
	put_le32(p + 16, s->power_on_uptime_s);
	p[20] = s->life_remaining_pct;
	p[21] = s->critical_resource_utilization_pct;
	p[22] = p[23] = 0;
	put_le64(p + 24, s->host_load_count);
	put_le64(p + 32, s->host_store_count);
	put_le64(p + 40, s->host_load_duration_ns);
	put_le64(p + 48, s->host_store_duration_ns);
	put_le64(p + 56, s->media_read_count);
	put_le64(p + 64, s->media_write_count);
	put_le64(p + 72, s->media_read_duration_ns);
	put_le64(p + 80, s->media_write_duration_ns);
	put_le64(p + 88, s->cache_read_hit_count);
	put_le64(p + 96, s->cache_write_hit_count);
	put_le64(p + 104, s->fast_write_count);
	return STATS_HDR + STATS_LEN;
}
