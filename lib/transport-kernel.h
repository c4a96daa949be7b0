/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel backend's parts, shared by its files:
 *   transport-kernel.c          the ops table, discovery with libndctl and
 *                               the reconciliation of what udev and sysfs say
 *   transport-kernel-tunnel.c   /dev/nmemN and ND_IOCTL_CALL
 *   transport-kernel-events.c   the DIMM's sysfs `events` attribute
 *   transport-kernel-hotplug.c  the udev monitor
 *   kernel-sysfs.c              parsers of the DIMM's identity attributes
 *   transport-chardev.c         a v4 card's /dev/ocxlpmemN (its own header)
 * Not installed.
 */
#ifndef OCXLPMEM_TRANSPORT_KERNEL_H
#define OCXLPMEM_TRANSPORT_KERNEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ocxlpmem/transport.h>

/* ---- kernel-sysfs.c: one parser per attribute, table-tested and fuzzed --- */

/* ocxlpmem/serial: decimal, 1 to 20 digits, no sign or blanks, at most one
 * trailing '\n', no overflow.  0 or -EBADMSG (-EINVAL for bad arguments). */
int kernel_sysfs_parse_serial(const char *text, size_t len, uint64_t *ret);
/* ocxlpmem/fw_version: 1 to 8 printable ASCII characters without blanks,
 * at most one trailing '\n'; ret gets them NUL-terminated. */
int kernel_sysfs_parse_fw_version(const char *text, size_t len,
				  char ret[OCXLPMEM_FW_VERSION_LEN + 1]);
/* Read a whole sysfs attribute into buf (NUL-terminated); bytes read or
 * -errno.  -EFBIG when it does not fit. */
ssize_t kernel_sysfs_read(const char *path, char *buf, size_t cap);

/* ---- transport-kernel-tunnel.c ------------------------------------------- */

/*
 * Open /dev/<devname> read-write and check that it is the character device
 * the DIMM's sysfs `dev` names (major:minor), as libndctl does before each
 * command.  On failure, reason (cap bytes) says why for an operator;
 * -EROFS means the node opens only read-only.
 */
int kernel_tunnel_open(const char *devname, unsigned int major, unsigned int minor,
		       int *ret_fd, char *reason, size_t cap);
/* One ND_IOCTL_CALL of NVDIMM_FAMILY_OCXL; arguments and result as
 * ocxlpmem_model_call().  -errno of the ioctl, or -EBADMSG when the driver
 * hands back a package that breaks the size rules. */
int kernel_tunnel_call(int fd, unsigned int function, const void *in, size_t in_len,
		       void *out, size_t out_cap, size_t *ret_fw_size);
/* What an errno of ND_IOCTL_CALL means for a card, in words. */
const char *kernel_tunnel_strerror(int err);
/* True when this failure means the DIMM cannot be used at all: a read-only
 * descriptor (EPERM), or the family refused (ENOTTY/EINVAL on
 * CAPABILITIES, which every version-1 driver implements). */
bool kernel_tunnel_refused(unsigned int function, int err);

/* ---- transport-kernel-events.c ------------------------------------------- */

struct kernel_events {
	int epoll_fd;   /* what the daemon watches: readable on an event */
	int attr_fd;    /* the attribute, for pread() and POLLPRI */
	int inotify_fd; /* IN_MODIFY of the attribute, -1 when unavailable */
};

/* Open dimm_path/ocxlpmem/events.  -ENOENT when the DIMM has no such
 * attribute (the caller then polls EVENT_CHECK). */
int kernel_events_open(const char *dimm_path, struct kernel_events *ev);
/* Add another readable descriptor (the v4 eventfd) to the set, making
 * the set if the attribute gave none.  0 or -errno. */
int kernel_events_add_fd(struct kernel_events *ev, int fd);
/* Re-arm and read the bits: 1 with *ret_events, or -errno. */
int kernel_events_ack(struct kernel_events *ev, uint64_t *ret_events);
void kernel_events_close(struct kernel_events *ev);

/* ---- transport-kernel-hotplug.c ------------------------------------------ */

struct kernel_hotplug;

/* A DIMM (nmemN) reported added or removed, in the order udev said so. */
struct kernel_dimm_change {
	char name[32];
	bool added;
};

/* What a batch of uevents asks the backend to do. */
struct kernel_hotplug_changes {
	bool rescan;            /* something changed: enumerate again */
	struct kernel_dimm_change *dimms;
	size_t ndimms;
};

/* A udev monitor on subsystems nd and pci, and an eventfd to kick it.
 * 0 or -errno. */
int kernel_hotplug_new(struct kernel_hotplug **ret);
void kernel_hotplug_free(struct kernel_hotplug *h);
/* Readable when there are uevents or a kick. */
int kernel_hotplug_fd(struct kernel_hotplug *h);
/* A dup of the kick eventfd, for a card to signal from any thread. */
int kernel_hotplug_kick_fd(struct kernel_hotplug *h);
/* Drain everything pending; an overflow of the monitor (ENOBUFS) asks for
 * a rescan.  0 or -errno. */
int kernel_hotplug_drain(struct kernel_hotplug *h, struct kernel_hotplug_changes *ret);
void kernel_hotplug_changes_clear(struct kernel_hotplug_changes *c);
/* Signal the eventfd (any thread). */
void kernel_kick(int fd);

#endif /* OCXLPMEM_TRANSPORT_KERNEL_H */
