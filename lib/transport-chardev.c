// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The functions of the OCXL command family served through the v4 driver's
 * /dev/ocxlpmemN, for a card whose driver refuses the family on
 * /dev/nmemN (ocxlpmem-abi(7), THE V4 CHARACTER DEVICE).
 *
 * Where v4 lacks what the family promises, this file keeps it on the
 * host side rather than making anything up:
 *  - ERROR_LOG_READ: a v4 read takes the entry off the card.  The entry is
 *    held here until ERROR_LOG_ACK names it, so a reader that fails to
 *    store it reads it again; a process that dies in between loses it.
 *  - DUMP_START: v4 says neither the dump's id nor its size.  The id is
 *    counted here; the size is found by asking for the smallest chunk at
 *    doubling, then halving offsets (a few dozen DUMP_DATA for the largest
 *    dump the card can hold).  A dump the card announced (the event bit)
 *    is read as it is; otherwise a host dump is asked for.
 * Everything else is one ioctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libudev.h>

#include "private.h"
#include "transport-chardev.h"
#include "transport-kernel.h"

/* Doubling probes start here: one step for most dumps' first chunk. */
#define PROBE_START 4096u

struct chardev {
	int fd;
	int eventfd;
	char devnode[64];
	uint64_t serial;
	char fw_version[OCXLPMEM_FW_VERSION_LEN + 1];
	/* The entry read from the card and not yet acknowledged. */
	bool held;
	struct chardev_v4_error_log held_entry;
	uint8_t held_data[OCXLPMEM_ERRLOG_DATA_MAX];
	/* The dump being read, between DUMP_START and DUMP_COMPLETE. */
	bool dump_open;
	uint32_t dump_id, dump_size, last_dump_id;
	uint8_t dump_origin;
	/* Largest chunk the driver took (its admin buffer may be smaller
	 * than the ioctl allows). */
	uint32_t chunk_max;
	uint8_t chunk[8 + CHARDEV_CHUNK_MAX];
};

static const char *pci_parent(struct udev_device *d)
{
	struct udev_device *p = udev_device_get_parent_with_subsystem_devtype(d, "pci", NULL);

	return p ? udev_device_get_syspath(p) : NULL;
}

int chardev_find(const char *dimm, char *ret_devnode, size_t cap, dev_t *ret_devnum)
{
	struct udev_list_entry *entry;
	struct udev_enumerate *e = NULL;
	struct udev_device *nmem = NULL;
	struct udev *udev;
	const char *pci;
	int r = -ENOENT;

	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	nmem = udev_device_new_from_subsystem_sysname(udev, "nd", dimm);
	pci = nmem ? pci_parent(nmem) : NULL;
	if (!pci)
		goto out;
	e = udev_enumerate_new(udev);
	if (!e || udev_enumerate_add_match_subsystem(e, CHARDEV_CLASS) < 0 ||
	    udev_enumerate_scan_devices(e) < 0) {
		r = -ENOMEM;
		goto out;
	}
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
		struct udev_device *d = udev_device_new_from_syspath(udev,
								     udev_list_entry_get_name(entry));
		const char *node = d ? udev_device_get_devnode(d) : NULL;
		const char *dp = d ? pci_parent(d) : NULL;

		if (node && dp && strcmp(dp, pci) == 0 && strlen(node) < cap) {
			strcpy(ret_devnode, node);
			*ret_devnum = udev_device_get_devnum(d);
			r = 0;
		}
		udev_device_unref(d);
		if (r == 0)
			break;
	}
out:
	udev_enumerate_unref(e);
	udev_device_unref(nmem);
	udev_unref(udev);
	return r;
}

int chardev_open(const char *devnode, dev_t devnum, uint64_t serial, const char *fw_version,
		 struct chardev **ret, char *reason, size_t cap)
{
	struct chardev_v4_eventfd reg = { 0 };
	struct chardev *cd;
	struct stat st;
	int r;

	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	cd->eventfd = -1;
	snprintf(cd->devnode, sizeof(cd->devnode), "%s", devnode);
	cd->serial = serial;
	snprintf(cd->fw_version, sizeof(cd->fw_version), "%s", fw_version);
	cd->chunk_max = CHARDEV_CHUNK_MAX;
	cd->fd = open(devnode, O_RDWR | O_CLOEXEC);
	if (cd->fd < 0) {
		r = -errno;
		snprintf(reason, cap, "cannot open %s read-write: %s", devnode, strerror(-r));
		free(cd);
		return r;
	}
	/* As for /dev/nmemN: a node that is not the device never gets its
	 * commands. */
	if (fstat(cd->fd, &st) < 0 || !S_ISCHR(st.st_mode) || (devnum && st.st_rdev != devnum)) {
		snprintf(reason, cap, "%s is not the ocxlpmem device's character device", devnode);
		chardev_free(cd);
		return -ENXIO;
	}
	/* One eventfd per device in v4; without it events are polled. */
	cd->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	reg.eventfd = cd->eventfd;
	if (cd->eventfd >= 0 && ioctl(cd->fd, CHARDEV_IOC_EVENTFD, &reg) < 0) {
		close(cd->eventfd);
		cd->eventfd = -1;
	}
	*ret = cd;
	return 0;
}

void chardev_free(struct chardev *cd)
{
	if (!cd)
		return;
	if (cd->eventfd >= 0)
		close(cd->eventfd);
	if (cd->fd >= 0)
		close(cd->fd);
	free(cd);
}

const char *chardev_devnode(const struct chardev *cd)
{
	return cd->devnode;
}

int chardev_eventfd(const struct chardev *cd)
{
	return cd->eventfd;
}

int chardev_events(struct chardev *cd, uint64_t *ret_events)
{
	uint64_t v;

	if (cd->eventfd >= 0)
		(void)!read(cd->eventfd, &v, sizeof(v));
	if (ioctl(cd->fd, CHARDEV_IOC_EVENT_CHECK, &v) < 0)
		return -errno;
	*ret_events = v;
	return 0;
}

static int ioc(struct chardev *cd, unsigned long request, void *arg)
{
	return ioctl(cd->fd, request, arg) < 0 ? -errno : 0;
}

/* ---- Error log ------------------------------------------------------------ */

static ssize_t errlog_read(struct chardev *cd, void *out, size_t cap)
{
	if (!cd->held) {
		struct chardev_v4_error_log e = {
			.buf_size = sizeof(cd->held_data),
			.buf_ptr = (uint64_t)(uintptr_t)cd->held_data,
		};
		int r = ioc(cd, CHARDEV_IOC_ERROR_LOG, &e);

		/* EAGAIN: the card holds no entry (CHI.ELA clear). */
		if (r == -EAGAIN)
			return chardev_no_errlog_reply(out, cap);
		if (r < 0)
			return r;
		cd->held_entry = e;
		cd->held = true;
	}
	return chardev_errlog_reply(&cd->held_entry, cd->held_data, sizeof(cd->held_data), out,
				    cap);
}

static ssize_t errlog_ack(struct chardev *cd, const void *in, size_t in_len, void *out,
			  size_t cap)
{
	uint32_t id;

	if (ocxlpmem_error_log_ack_decode(in, in_len, &id) < 0)
		return -EINVAL;
	/* As the family's driver: only the entry READ returns can go. */
	if (!cd->held || cd->held_entry.log_identifier != id)
		return chardev_status_reply(OCXLPMEM_STATUS_BAD_REQUEST_PARM, out, cap);
	cd->held = false;
	return chardev_status_reply(OCXLPMEM_STATUS_SUCCESS, out, cap);
}

/* ---- Dumps ---------------------------------------------------------------- */

/* Bytes of dump data at offset, at most room, moved to the start of buf
 * (which has room + 8 bytes: the driver writes the 'CD' word first), or
 * -errno. */
static ssize_t chunk_read(struct chardev *cd, uint32_t offset, uint8_t *buf, uint32_t room)
{
	for (;;) {
		struct chardev_v4_dump_data d = {
			.buf_ptr = (uint64_t)(uintptr_t)buf,
			.buf_size = (uint16_t)(MIN(room, cd->chunk_max) + 8),
			.offset = offset,
		};
		size_t n;
		int r = ioc(cd, CHARDEV_IOC_DUMP_DATA, &d);

		/* EINVAL for a size over the card's admin buffer: ask less,
		 * and remember. */
		if (r == -EINVAL && MIN(room, cd->chunk_max) > 8) {
			cd->chunk_max = MIN(room, cd->chunk_max) / 2 / 8 * 8;
			continue;
		}
		if (r < 0)
			return r;
		if (d.buf_size > MIN(room, cd->chunk_max) + 8)
			return -EBADMSG;
		r = chardev_dump_chunk_parse(buf, d.buf_size, &n);
		if (r < 0)
			return r;
		memmove(buf, buf + 8, n);
		return (ssize_t)n;
	}
}

static int has_data(struct chardev *cd, uint32_t offset)
{
	uint8_t probe[16];
	ssize_t n = chunk_read(cd, offset, probe, 8);

	return n < 0 ? (int)n : n > 0;
}

/* The dump ends at the first offset without data: double, then halve. */
static int dump_size(struct chardev *cd, uint32_t *ret)
{
	uint64_t lo = 0, hi = PROBE_START;
	int r;

	r = has_data(cd, 0);
	if (r <= 0) {
		*ret = 0;
		return r;
	}
	for (;;) {
		if (hi > UINT32_MAX)
			return -EFBIG;
		r = has_data(cd, (uint32_t)hi);
		if (r < 0)
			return r;
		if (!r)
			break;
		lo = hi;
		hi *= 2;
	}
	while (hi - lo > 8) {
		uint64_t mid = (lo + (hi - lo) / 2) / 8 * 8;

		r = has_data(cd, (uint32_t)mid);
		if (r < 0)
			return r;
		if (r)
			lo = mid;
		else
			hi = mid;
	}
	*ret = (uint32_t)hi;
	return 0;
}

static ssize_t dump_start(struct chardev *cd, void *out, size_t cap)
{
	struct ocxlpmem_dump_info info;
	uint64_t events;
	ssize_t n;
	int r;

	/* A dump held is returned again until completed, as in the family. */
	if (!cd->dump_open) {
		r = ioc(cd, CHARDEV_IOC_EVENT_CHECK, &events);
		if (r < 0)
			return r;
		cd->dump_origin = OCXLPMEM_DUMP_CARD;
		if (!(events & OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE)) {
			/* Returns once the card has made the dump. */
			r = ioc(cd, CHARDEV_IOC_DUMP, NULL);
			if (r < 0)
				return r;
			cd->dump_origin = OCXLPMEM_DUMP_HOST;
		}
		r = dump_size(cd, &cd->dump_size);
		if (r < 0)
			return r;
		if (cd->dump_size) {
			if (++cd->last_dump_id == 0)
				cd->last_dump_id = 1;
			cd->dump_id = cd->last_dump_id;
			cd->dump_open = true;
		}
	}
	info = (struct ocxlpmem_dump_info){
		.dump_id = cd->dump_open ? cd->dump_id : 0,
		.total_size = cd->dump_open ? cd->dump_size : 0,
		.origin = cd->dump_open ? cd->dump_origin : OCXLPMEM_DUMP_NONE,
	};
	if (cap < 8)
		return -ENOBUFS;
	n = ocxlpmem_dump_info_encode(&info, (uint8_t *)out + 8, cap - 8);
	if (n < 0)
		return -ENOBUFS;
	if (ocxlpmem_reply_encode(OCXLPMEM_STATUS_SUCCESS, (uint32_t)n, out, cap) < 0)
		return -ENOBUFS;
	return 8 + n;
}

static ssize_t dump_data(struct chardev *cd, const void *in, size_t in_len, void *out,
			 size_t cap)
{
	struct ocxlpmem_dump_data_req req;
	struct ocxlpmem_dump_chunk c;
	uint8_t *data;
	ssize_t n, h;

	if (ocxlpmem_dump_data_req_decode(in, in_len, &req) < 0)
		return -EINVAL;
	if (!cd->dump_open || req.dump_id != cd->dump_id || req.offset > cd->dump_size)
		return chardev_status_reply(OCXLPMEM_STATUS_BAD_REQUEST_PARM, out, cap);
	if (cap < 8 + 24)
		return -ENOBUFS;
	data = (uint8_t *)out + 8 + 24;
	n = 0;
	if (req.offset < cd->dump_size) {
		uint32_t room = MIN(req.max_size, cd->dump_size - req.offset);

		room = MIN(room, (uint32_t)MIN(cap - 8 - 24, (size_t)CHARDEV_CHUNK_MAX)) / 8 * 8;
		if (!room)
			return -ENOBUFS;
		/* Into our buffer: the driver writes the 'CD' word first. */
		n = chunk_read(cd, req.offset, cd->chunk, room);
		if (n < 0)
			return n;
		memcpy(data, cd->chunk, (size_t)n);
		/* Data past the end we found is not this dump's. */
		if ((uint64_t)req.offset + (uint64_t)n > cd->dump_size)
			n = cd->dump_size - req.offset;
	}
	c = (struct ocxlpmem_dump_chunk){
		.dump_id = cd->dump_id,
		.total_size = cd->dump_size,
		.offset = req.offset,
		.chunk_size = (uint32_t)n,
	};
	h = ocxlpmem_dump_chunk_encode_hdr(&c, (uint8_t *)out + 8, 24);
	if (h != 24)
		return -EBADMSG;
	if (ocxlpmem_reply_encode(OCXLPMEM_STATUS_SUCCESS, (uint32_t)(24 + n), out, cap) < 0)
		return -ENOBUFS;
	return 8 + 24 + n;
}

static ssize_t dump_complete(struct chardev *cd, const void *in, size_t in_len, void *out,
			     size_t cap)
{
	uint32_t id;
	int r;

	if (ocxlpmem_dump_complete_decode(in, in_len, &id) < 0)
		return -EINVAL;
	if (!cd->dump_open || id != cd->dump_id)
		return chardev_status_reply(OCXLPMEM_STATUS_BAD_REQUEST_PARM, out, cap);
	r = ioc(cd, CHARDEV_IOC_DUMP_COMPLETE, NULL);
	if (r < 0)
		return r;
	cd->dump_open = false;
	return chardev_status_reply(OCXLPMEM_STATUS_SUCCESS, out, cap);
}

/* ---- The family ------------------------------------------------------------ */

static ssize_t serve(struct chardev *cd, unsigned int function, const void *in, size_t in_len,
		     void *out, size_t cap)
{
	struct chardev_v4_stats stats;
	uint64_t events;
	int r;

	switch (function) {
	case OCXLPMEM_FN_CAPABILITIES:
		return chardev_capabilities_reply(cd->serial, cd->fw_version, out, cap);
	case OCXLPMEM_FN_ERROR_LOG_READ:
		return errlog_read(cd, out, cap);
	case OCXLPMEM_FN_ERROR_LOG_ACK:
		return errlog_ack(cd, in, in_len, out, cap);
	case OCXLPMEM_FN_REQUEST_HEALTH:
		r = ioc(cd, CHARDEV_IOC_REQUEST_HEALTH, NULL);
		return r < 0 ? r : chardev_status_reply(OCXLPMEM_STATUS_SUCCESS, out, cap);
	case OCXLPMEM_FN_CONTROLLER_STATS:
		memset(&stats, 0, sizeof(stats));
		r = ioc(cd, CHARDEV_IOC_STATS, &stats);
		return r < 0 ? r : chardev_stats_reply(&stats, out, cap);
	case OCXLPMEM_FN_EVENT_CHECK:
		r = ioc(cd, CHARDEV_IOC_EVENT_CHECK, &events);
		return r < 0 ? r : chardev_events_reply(events, out, cap);
	case OCXLPMEM_FN_DUMP_START:
		return dump_start(cd, out, cap);
	case OCXLPMEM_FN_DUMP_DATA:
		return dump_data(cd, in, in_len, out, cap);
	case OCXLPMEM_FN_DUMP_COMPLETE:
		return dump_complete(cd, in, in_len, out, cap);
	default:
		/* Not in CHARDEV_FUNCTIONS: what a driver without it says. */
		return -ENOTTY;
	}
}

int chardev_call(struct chardev *cd, int nmem_fd, unsigned int function, const void *in,
		 size_t in_len, void *out, size_t out_cap, size_t *ret_fw_size)
{
	ssize_t n;

	if (out_cap < 8 || (in_len && !in))
		return -EINVAL;
	/* v4 tunnels SMART, and only SMART, through /dev/nmemN. */
	if (function == OCXLPMEM_FN_SMART)
		return kernel_tunnel_call(nmem_fd, function, in, in_len, out, out_cap,
					  ret_fw_size);
	n = serve(cd, function, in, in_len, out, out_cap);
	/* The caller's buffer cannot hold the reply: as a package that does
	 * not fit, not as a made-up truncation. */
	if (n == -ENOBUFS)
		return -EMSGSIZE;
	if (n < 0)
		return (int)n;
	*ret_fw_size = (size_t)n;
	return 0;
}
