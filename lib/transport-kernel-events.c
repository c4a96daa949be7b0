// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Card events from the DIMM's sysfs attribute ocxlpmem/events, which the
 * driver updates with sysfs_notify() when an event bit rises.
 *
 * A sysfs attribute is always "readable", so it cannot be handed to an
 * event loop as it is.  Like ndctl monitor with nfit/flags and papr/flags,
 * we wait for POLLPRI/POLLERR on it and re-read it with pread() at offset
 * 0, which re-arms the notification; the wait happens in an epoll set of
 * our own, whose descriptor is readable exactly when the attribute has news.
 *
 * The set also holds an inotify watch (IN_MODIFY) on the attribute:
 * kernfs_notify() raises that too, and it is what works where the
 * attribute is a plain file (a umockdev test bed, where epoll refuses the
 * attribute itself with EPERM).  Both wake the same descriptor; the ack
 * drains both.  Events are level-triggered (the bits stay set until
 * handled), so a duplicate wake-up costs one read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "private.h"
#include "transport-kernel.h"

void kernel_events_close(struct kernel_events *ev)
{
	if (ev->epoll_fd >= 0)
		close(ev->epoll_fd);
	if (ev->attr_fd >= 0)
		close(ev->attr_fd);
	if (ev->inotify_fd >= 0)
		close(ev->inotify_fd);
	ev->epoll_fd = ev->attr_fd = ev->inotify_fd = -1;
}

static int read_events(int fd, uint64_t *ret_events)
{
	char buf[64];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	return ocxlpmem_events_parse_sysfs(buf, (size_t)n, ret_events);
}

int kernel_events_open(const char *dimm_path, struct kernel_events *ev)
{
	struct epoll_event ee = { 0 };
	char path[4096];
	uint64_t ignored;
	bool armed = false;
	int r;

	ev->epoll_fd = ev->attr_fd = ev->inotify_fd = -1;
	if (snprintf(path, sizeof(path), "%s/ocxlpmem/events", dimm_path) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ev->attr_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ev->attr_fd < 0)
		return -errno;
	ev->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (ev->epoll_fd < 0) {
		r = -errno;
		goto fail;
	}
	/* The first read arms sysfs_notify() for this descriptor. */
	r = read_events(ev->attr_fd, &ignored);
	if (r < 0 && r != -EBADMSG)
		goto fail;

	ee.events = EPOLLPRI | EPOLLERR;
	ee.data.fd = ev->attr_fd;
	if (epoll_ctl(ev->epoll_fd, EPOLL_CTL_ADD, ev->attr_fd, &ee) == 0)
		armed = true;
	else if (errno != EPERM) {
		r = -errno;
		goto fail;
	}

	ev->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ev->inotify_fd >= 0 && inotify_add_watch(ev->inotify_fd, path, IN_MODIFY) >= 0) {
		ee.events = EPOLLIN;
		ee.data.fd = ev->inotify_fd;
		if (epoll_ctl(ev->epoll_fd, EPOLL_CTL_ADD, ev->inotify_fd, &ee) == 0)
			armed = true;
	} else if (ev->inotify_fd >= 0) {
		close(ev->inotify_fd);
		ev->inotify_fd = -1;
	}
	if (!armed) {
		/* Nothing can tell us about a change: polling it is. */
		r = -EOPNOTSUPP;
		goto fail;
	}
	return 0;

fail:
	kernel_events_close(ev);
	return r;
}

int kernel_events_ack(struct kernel_events *ev, uint64_t *ret_events)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	uint64_t events;
	int r;

	if (ev->inotify_fd >= 0)
		while (read(ev->inotify_fd, buf, sizeof(buf)) > 0)
			;
	/* Reading re-arms POLLPRI; the epoll set is level-triggered, so the
	 * descriptor goes quiet once both sources are drained. */
	r = read_events(ev->attr_fd, &events);
	if (r < 0)
		return r;
	*ret_events = events;
	return 1;
}

int kernel_events_add_fd(struct kernel_events *ev, int fd)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.fd = fd };

	if (ev->epoll_fd < 0) {
		ev->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
		if (ev->epoll_fd < 0)
			return -errno;
	}
	return epoll_ctl(ev->epoll_fd, EPOLL_CTL_ADD, fd, &ee) < 0 ? -errno : 0;
}
