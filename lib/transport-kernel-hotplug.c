// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hotplug: a udev monitor on the nd subsystem (buses, DIMMs, regions) and
 * on pci (the card's function 1 coming and going), plus an eventfd that a
 * card's command thread kicks when it learns the DIMM is unusable.  One
 * epoll descriptor covers both, so the caller's loop watches one fd.
 *
 * The monitor only says that something changed; sysfs, enumerated again,
 * says what is there.  Two exceptions: a DIMM reported removed is gone
 * even while its sysfs directory lingers (the kernel and udev send
 * "remove" before the directory goes), and a DIMM reported added clears
 * what the backend remembered against the old one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <unistd.h>

#include <libudev.h>

#include "private.h"
#include "transport-kernel.h"

struct kernel_hotplug {
	struct udev *udev;
	struct udev_monitor *monitor;
	int epoll_fd;
	int kick_fd;
};

void kernel_kick(int fd)
{
	uint64_t one = 1;

	/* Only fails when the counter would overflow: already readable. */
	(void)!write(fd, &one, sizeof(one));
}

void kernel_hotplug_free(struct kernel_hotplug *h)
{
	if (!h)
		return;
	if (h->monitor)
		udev_monitor_unref(h->monitor);
	if (h->udev)
		udev_unref(h->udev);
	if (h->epoll_fd >= 0)
		close(h->epoll_fd);
	if (h->kick_fd >= 0)
		close(h->kick_fd);
	free(h);
}

static int epoll_add_in(int epfd, int fd)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ee) < 0 ? -errno : 0;
}

int kernel_hotplug_new(struct kernel_hotplug **ret)
{
	struct kernel_hotplug *h;
	int r;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->epoll_fd = h->kick_fd = -1;
	h->udev = udev_new();
	if (!h->udev) {
		r = -ENOMEM;
		goto fail;
	}
	/* "udev", not "kernel": the event comes after udev has set up the
	 * device node, so /dev/nmemN is there to open. */
	h->monitor = udev_monitor_new_from_netlink(h->udev, "udev");
	if (!h->monitor) {
		r = errno ? -errno : -ENOMEM;
		goto fail;
	}
	r = udev_monitor_filter_add_match_subsystem_devtype(h->monitor, "nd", NULL);
	if (r >= 0)
		r = udev_monitor_filter_add_match_subsystem_devtype(h->monitor, "pci", NULL);
	/* The v4 character device: a card may be served through it. */
	if (r >= 0)
		r = udev_monitor_filter_add_match_subsystem_devtype(h->monitor, "ocxlpmem", NULL);
	if (r < 0)
		goto fail;
	/* A burst of 256 cards must not overflow the socket; this needs
	 * CAP_NET_ADMIN beyond rmem_max and may fail: overflows are handled. */
	(void)udev_monitor_set_receive_buffer_size(h->monitor, 4 * 1024 * 1024);
	r = udev_monitor_enable_receiving(h->monitor);
	if (r < 0)
		goto fail;

	h->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	h->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (h->kick_fd < 0 || h->epoll_fd < 0) {
		r = -errno;
		goto fail;
	}
	r = epoll_add_in(h->epoll_fd, udev_monitor_get_fd(h->monitor));
	if (r >= 0)
		r = epoll_add_in(h->epoll_fd, h->kick_fd);
	if (r < 0)
		goto fail;
	*ret = h;
	return 0;

fail:
	kernel_hotplug_free(h);
	return r;
}

int kernel_hotplug_fd(struct kernel_hotplug *h)
{
	return h->epoll_fd;
}

int kernel_hotplug_kick_fd(struct kernel_hotplug *h)
{
	return fcntl(h->kick_fd, F_DUPFD_CLOEXEC, 0);
}

void kernel_hotplug_changes_clear(struct kernel_hotplug_changes *c)
{
	free(c->dimms);
	memset(c, 0, sizeof(*c));
}

static int push_dimm(struct kernel_hotplug_changes *c, const char *name, bool added)
{
	struct kernel_dimm_change *v;

	if (strlen(name) >= sizeof(v->name))
		return 0; /* not a name the backend ever reports */
	v = realloc(c->dimms, (c->ndimms + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->dimms = v;
	strcpy(v[c->ndimms].name, name);
	v[c->ndimms].added = added;
	c->ndimms++;
	return 0;
}

/* A PCI event matters only for the card's own device. */
static bool is_card_pci(struct udev_device *d)
{
	const char *id = udev_device_get_property_value(d, "PCI_ID");

	return id && strcasecmp(id, "1014:0625") == 0;
}

static int note_device(struct udev_device *d, struct kernel_hotplug_changes *c)
{
	const char *subsystem = udev_device_get_subsystem(d);
	const char *action = udev_device_get_action(d);
	const char *sysname = udev_device_get_sysname(d);

	if (!subsystem || !action || !sysname)
		return 0;
	if (strcmp(subsystem, "pci") == 0) {
		if (is_card_pci(d))
			c->rescan = true;
		return 0;
	}
	if (strcmp(subsystem, "ocxlpmem") == 0) {
		c->rescan = true;
		return 0;
	}
	if (strcmp(subsystem, "nd") != 0)
		return 0;
	c->rescan = true;
	if (strncmp(sysname, "nmem", 4) != 0)
		return 0;
	if (strcmp(action, "remove") == 0)
		return push_dimm(c, sysname, false);
	if (strcmp(action, "add") == 0)
		return push_dimm(c, sysname, true);
	return 0;
}

int kernel_hotplug_drain(struct kernel_hotplug *h, struct kernel_hotplug_changes *ret)
{
	uint64_t v;
	int r = 0;

	if (read(h->kick_fd, &v, sizeof(v)) > 0)
		ret->rescan = true;
	for (;;) {
		struct udev_device *d;

		errno = 0;
		d = udev_monitor_receive_device(h->monitor);
		if (!d) {
			/*
			 * The socket overflowed: events were lost, so what
			 * we know may be wrong in any way.  Enumerate again.
			 */
			if (errno == ENOBUFS) {
				ret->rescan = true;
				continue;
			}
			break;
		}
		if (r == 0)
			r = note_device(d, ret);
		udev_device_unref(d);
	}
	return r;
}
