// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the card says about itself: CAPABILITIES (2), CONTROLLER_HEALTH (3),
 * EVENT_CHECK (8) and the sysfs `events` text, FIRMWARE_INFO (16, also the
 * output of FW_UPDATE_FINISH).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "codec-internal.h"
#include "private.h"
#include <ocxlpmem/codec.h>

#define CAPS_SIZE 64
#define HEALTH_SIZE 8
#define EVENTS_SIZE 8
#define FW_INFO_SIZE 32

#define READINESS_TIMEOUT_MAX 15        /* CCAP0 51:48 */
#define MEMORY_AVAILABLE_TIMEOUT_MAX 4095 /* CCAP0 63:52 */

static bool caps_valid(uint8_t readiness, uint16_t mem_avail, uint32_t admin_buffer_size)
{
	return readiness <= READINESS_TIMEOUT_MAX && mem_avail <= MEMORY_AVAILABLE_TIMEOUT_MAX &&
	       admin_buffer_size && admin_buffer_size % 8 == 0;
}

OCXLPMEM_EXPORT int ocxlpmem_capabilities_decode(const void *buf, size_t len,
						 struct ocxlpmem_capabilities *ret)
{
	const uint8_t *p = buf;
	struct ocxlpmem_capabilities c = {0};
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = wire_fixed_len(len, CAPS_SIZE);
	if (r < 0)
		return r;
	r = wire_str_decode(p, c.fw_version);
	if (r < 0)
		return r;
	if (p[29] || get_le32(p + 44))
		return -EBADMSG;

	c.serial = get_le64(p + 8);
	c.memory_size = get_le64(p + 16);
	c.scm_revision = get_le16(p + 24);
	c.read_latency_ns = get_le16(p + 26);
	c.readiness_timeout_s = p[28];
	c.memory_available_timeout_s = get_le16(p + 30);
	c.max_dump_size = get_le32(p + 32);
	c.admin_buffer_size = get_le32(p + 36);
	c.functions = get_le32(p + 40);
	for (size_t i = 0; i < OCXLPMEM_NR_TIMEOUTS; i++)
		c.timeout_ms[i] = get_le16(p + 48 + 2 * i);
	if (!caps_valid(c.readiness_timeout_s, c.memory_available_timeout_s, c.admin_buffer_size))
		return -EBADMSG;

	*ret = c;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_capabilities_encode(const struct ocxlpmem_capabilities *c,
						     void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!c || !buf)
		return -EINVAL;
	if (!wire_str_valid(c->fw_version) ||
	    !caps_valid(c->readiness_timeout_s, c->memory_available_timeout_s,
			c->admin_buffer_size))
		return -EINVAL;
	if (cap < CAPS_SIZE)
		return -ENOSPC;

	wire_str_encode(c->fw_version, p);
	put_le64(p + 8, c->serial);
	put_le64(p + 16, c->memory_size);
	put_le16(p + 24, c->scm_revision);
	put_le16(p + 26, c->read_latency_ns);
	p[28] = c->readiness_timeout_s;
	p[29] = 0;
	put_le16(p + 30, c->memory_available_timeout_s);
	put_le32(p + 32, c->max_dump_size);
	put_le32(p + 36, c->admin_buffer_size);
	put_le32(p + 40, c->functions);
	put_le32(p + 44, 0);
	for (size_t i = 0; i < OCXLPMEM_NR_TIMEOUTS; i++)
		put_le16(p + 48 + 2 * i, c->timeout_ms[i]);
	return CAPS_SIZE;
}

OCXLPMEM_EXPORT int ocxlpmem_health_decode(const void *buf, size_t len, struct ocxlpmem_health *ret)
{
	const uint8_t *p = buf;
	uint32_t flags;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = wire_fixed_len(len, HEALTH_SIZE);
	if (r < 0)
		return r;
	flags = get_le32(p);
	if (flags & ~(uint32_t)OCXLPMEM_HEALTH_ALL || get_le32(p + 4))
		return -EBADMSG;
	ret->flags = flags;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_health_encode(const struct ocxlpmem_health *h, void *buf,
					       size_t cap)
{
	uint8_t *p = buf;

	if (!h || !buf || h->flags & ~(uint32_t)OCXLPMEM_HEALTH_ALL)
		return -EINVAL;
	if (cap < HEALTH_SIZE)
		return -ENOSPC;
	put_le32(p, h->flags);
	put_le32(p + 4, 0);
	return HEALTH_SIZE;
}

OCXLPMEM_EXPORT int ocxlpmem_events_decode(const void *buf, size_t len, uint64_t *ret_events)
{
	uint64_t events;
	int r;

	if ((!buf && len) || !ret_events)
		return -EINVAL;
	r = wire_fixed_len(len, EVENTS_SIZE);
	if (r < 0)
		return r;
	events = get_le64(buf);
	if (events & ~OCXLPMEM_EVENT_ALL)
		return -EBADMSG;
	*ret_events = events;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_events_encode(uint64_t events, void *buf, size_t cap)
{
	if (!buf || events & ~OCXLPMEM_EVENT_ALL)
		return -EINVAL;
	if (cap < EVENTS_SIZE)
		return -ENOSPC;
	put_le64(buf, events);
	return EVENTS_SIZE;
}

/*
 * Exactly "0x", 1 to 16 hex digits and at most one '\n'.  Not strtoull():
 * it would take a sign, leading blanks and overflow quietly.
 */
OCXLPMEM_EXPORT int ocxlpmem_events_parse_sysfs(const char *text, size_t len, uint64_t *ret_events)
{
	uint64_t v = 0;
	size_t i, ndigits;

	if ((!text && len) || !ret_events)
		return -EINVAL;
	if (len && text[len - 1] == '\n')
		len--;
	if (len < 3 || text[0] != '0' || text[1] != 'x')
		return -EBADMSG;
	ndigits = len - 2;
	if (ndigits > 16)
		return -EBADMSG;
	for (i = 2; i < len; i++) {
		int d = hex_digit(text[i]);

		if (d < 0)
			return -EBADMSG;
		v = v << 4 | (uint64_t)d;
	}
	if (v & ~OCXLPMEM_EVENT_ALL)
		return -EBADMSG;
	*ret_events = v;
	return 0;
}

static bool fw_info_valid(uint8_t update_state)
{
	return update_state <= OCXLPMEM_FW_RECEIVING;
}

OCXLPMEM_EXPORT int ocxlpmem_firmware_info_decode(const void *buf, size_t len,
						  struct ocxlpmem_firmware_info *ret)
{
	const uint8_t *p = buf;
	struct ocxlpmem_firmware_info f = {0};
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	r = wire_fixed_len(len, FW_INFO_SIZE);
	if (r < 0)
		return r;
	r = wire_str_decode(p, f.running_version);
	if (r < 0)
		return r;
	r = wire_str_decode(p + 8, f.staged_version);
	if (r < 0)
		return r;
	f.update_state = p[16];
	if (!fw_info_valid(f.update_state) || !all_zero(p + 17, 3) || get_le32(p + 28))
		return -EBADMSG;
	f.bytes_received = get_le32(p + 20);
	f.max_image_size = get_le32(p + 24);

	*ret = f;
	return 0;
}

OCXLPMEM_EXPORT ssize_t ocxlpmem_firmware_info_encode(const struct ocxlpmem_firmware_info *f,
						      void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!f || !buf)
		return -EINVAL;
	if (!wire_str_valid(f->running_version) || !wire_str_valid(f->staged_version) ||
	    !fw_info_valid(f->update_state))
		return -EINVAL;
	if (cap < FW_INFO_SIZE)
		return -ENOSPC;

	wire_str_encode(f->running_version, p);
	wire_str_encode(f->staged_version, p + 8);
	p[16] = f->update_state;
	memset(p + 17, 0, 3);
	put_le32(p + 20, f->bytes_received);
	put_le32(p + 24, f->max_image_size);
	put_le32(p + 28, 0);
	return FW_INFO_SIZE;
}
