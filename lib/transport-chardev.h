/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The v4 driver's private character device, /dev/ocxlpmemN (class
 * "ocxlpmem", magic 0xCA), as a second way for the kernel backend to reach
 * a card whose driver refuses the OCXL command family on /dev/nmemN.
 *
 *   chardev-wire.c        v4 structs to the family's replies (pure)
 *   transport-chardev.c   finding and opening the node, and each function
 *                         of the family served with the v4 ioctls
 *
 * The structs are the posted series' include/uapi/nvdimm/ocxlpmem.h, in
 * host byte order as any ioctl argument.  Not installed.
 */
#ifndef OCXLPMEM_TRANSPORT_CHARDEV_H
#define OCXLPMEM_TRANSPORT_CHARDEV_H

#include <linux/ioctl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ocxlpmem/abi.h>
#include <ocxlpmem/codec.h>

#define CHARDEV_CLASS "ocxlpmem"
#define CHARDEV_MAGIC 0xCA

struct chardev_v4_error_log {
	uint32_t log_identifier;
	uint32_t program_reference_code;
	uint32_t action_flags;
	uint32_t power_on_seconds;
	uint64_t timestamp;       /* since the card's current IPL */
	uint64_t wwid[2];
	char fw_revision[9];      /* 8 ASCII characters and a NUL */
	uint8_t reserved0[7];
	uint16_t buf_size;        /* in: room at buf_ptr; out: bytes needed */
	uint8_t error_log_type;
	uint8_t reserved1[5];
	uint64_t buf_ptr;
	uint64_t reserved2[2];
};

struct chardev_v4_dump_data {
	uint64_t buf_ptr;
	uint16_t buf_size;        /* in: room; out: bytes written, 0 at the end */
	uint16_t reserved0;
	uint32_t offset;
	uint64_t reserved[8];
};

struct chardev_v4_stats {
	uint32_t reset_count;
	uint32_t reset_uptime;
	uint32_t power_on_uptime;
	uint8_t life_remaining;
	uint8_t critical_resource_utilization;
	uint8_t reserved[2];
	uint64_t host_load_count;
	uint64_t host_store_count;
	uint64_t host_load_duration;
	uint64_t host_store_duration;
	uint64_t media_read_count;
	uint64_t media_write_count;
	uint64_t media_read_duration;
	uint64_t media_write_duration;
	uint64_t cache_read_hit_count;
	uint64_t cache_write_hit_count;
	uint64_t fast_write_count;
};

struct chardev_v4_eventfd {
	int32_t eventfd;
	uint32_t reserved;
};

_Static_assert(sizeof(struct chardev_v4_error_log) == 88, "v4 error log");
_Static_assert(sizeof(struct chardev_v4_dump_data) == 80, "v4 dump data");
_Static_assert(sizeof(struct chardev_v4_stats) == 104, "v4 stats");
_Static_assert(sizeof(struct chardev_v4_eventfd) == 8, "v4 eventfd");

#define CHARDEV_IOC_ERROR_LOG _IOWR(CHARDEV_MAGIC, 0x30, struct chardev_v4_error_log)
#define CHARDEV_IOC_DUMP _IO(CHARDEV_MAGIC, 0x31)
#define CHARDEV_IOC_DUMP_DATA _IOWR(CHARDEV_MAGIC, 0x32, struct chardev_v4_dump_data)
#define CHARDEV_IOC_DUMP_COMPLETE _IO(CHARDEV_MAGIC, 0x33)
/* _IO although it writes the struct: as the series defines it. */
#define CHARDEV_IOC_STATS _IO(CHARDEV_MAGIC, 0x34)
#define CHARDEV_IOC_EVENTFD _IOW(CHARDEV_MAGIC, 0x35, struct chardev_v4_eventfd)
#define CHARDEV_IOC_EVENT_CHECK _IOR(CHARDEV_MAGIC, 0x36, uint64_t)
#define CHARDEV_IOC_REQUEST_HEALTH _IO(CHARDEV_MAGIC, 0x37)

/* A dump chunk's buf_size is a u16 and holds the 'CD' word: the largest
 * data a DUMP_DATA can carry, a multiple of 8. */
#define CHARDEV_CHUNK_MAX (0xFFF8u - 8u)

/*
 * The functions this backend serves on a v4 card: SMART (the one function
 * v4 tunnels through /dev/nmemN), CAPABILITIES (made from sysfs, see
 * chardev_capabilities_reply), the error log, REQUEST_HEALTH, stats,
 * EVENT_CHECK and dumps.  Not CONTROLLER_HEALTH (v4 shows no READY or
 * MEMORY_AVAILABLE), firmware update and FIRMWARE_INFO, SHUTDOWN (debug
 * builds only) or HEARTBEAT: the daemon sees them unsupported.
 */
#define CHARDEV_FUNCTIONS                                                     \
	((1u << OCXLPMEM_FN_SMART) | (1u << OCXLPMEM_FN_CAPABILITIES) |      \
	 (1u << OCXLPMEM_FN_ERROR_LOG_READ) | (1u << OCXLPMEM_FN_ERROR_LOG_ACK) | \
	 (1u << OCXLPMEM_FN_REQUEST_HEALTH) |                                 \
	 (1u << OCXLPMEM_FN_CONTROLLER_STATS) | (1u << OCXLPMEM_FN_EVENT_CHECK) | \
	 (1u << OCXLPMEM_FN_DUMP_START) | (1u << OCXLPMEM_FN_DUMP_DATA) |     \
	 (1u << OCXLPMEM_FN_DUMP_COMPLETE))

/* ---- chardev-wire.c: each writes a whole reply (header and data) into
 * out and returns its length, or -EBADMSG for a v4 answer that cannot be
 * a card's, -ENOBUFS when cap is too small. ---------------------------- */

/* An error-log entry; data holds min(e->buf_size, data_len) bytes. */
ssize_t chardev_errlog_reply(const struct chardev_v4_error_log *e, const uint8_t *data,
			     size_t data_len, void *out, size_t cap);
ssize_t chardev_no_errlog_reply(void *out, size_t cap);
ssize_t chardev_stats_reply(const struct chardev_v4_stats *s, void *out, size_t cap);
ssize_t chardev_events_reply(uint64_t events, void *out, size_t cap);
/* What sysfs knows, the functions above, and the chunk limit. */
ssize_t chardev_capabilities_reply(uint64_t serial, const char *fw_version, void *out,
				   size_t cap);
ssize_t chardev_status_reply(uint8_t card_status, void *out, size_t cap);
/*
 * One chunk as DUMP_DATA returned it (len = the buf_size it gave back):
 * the 'CD' word, then data.  0 with *ret_data_len (0: the end of the
 * dump), or -EBADMSG.
 */
int chardev_dump_chunk_parse(const void *buf, size_t len, size_t *ret_data_len);

/* ---- transport-chardev.c --------------------------------------------------- */

struct chardev;

/*
 * The /dev node of the ocxlpmem device whose PCI function is the DIMM's
 * (dimm_syspath: its /sys/devices/... path).  0, -ENOENT when there is
 * none, or -errno.
 */
int chardev_find(const char *dimm_syspath, char *ret_devnode, size_t cap, dev_t *ret_devnum);
/* Open it read-write and check it is that device; register an eventfd
 * with the driver (a failure there leaves polling).  reason says why not. */
int chardev_open(const char *devnode, dev_t devnum, uint64_t serial, const char *fw_version,
		 struct chardev **ret, char *reason, size_t cap);
void chardev_free(struct chardev *cd);
const char *chardev_devnode(const struct chardev *cd);
/* The eventfd the driver signals, or -1. */
int chardev_eventfd(const struct chardev *cd);
/* Drain the eventfd and read the event bits (EVENT_CHECK: an MMIO read in
 * the driver, no admin command).  0 or -errno. */
int chardev_events(struct chardev *cd, uint64_t *ret_events);
/*
 * One function of the family, as kernel_tunnel_call() would return it
 * (nmem_fd carries SMART).  Functions outside CHARDEV_FUNCTIONS: -ENOTTY.
 */
int chardev_call(struct chardev *cd, int nmem_fd, unsigned int function, const void *in,
		 size_t in_len, void *out, size_t out_cap, size_t *ret_fw_size);

#endif /* OCXLPMEM_TRANSPORT_CHARDEV_H */
