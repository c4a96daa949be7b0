// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sd-bus driven by libevent (bus-loop.h).
 *
 * After every wake-up the watch is re-derived from sd_bus_get_events() and
 * sd_bus_get_timeout(): sd-bus's wishes change with its state (POLLOUT
 * only while its write queue is non-empty, a timeout only while a call of
 * ours waits for its reply).  sd_bus_process() handles one message per
 * call; at most PROCESS_BATCH run per wake-up, and a bus with more left
 * is resumed from a zero-time event after the loop has served the rest.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "dbus/bus-loop.h"

#define PROCESS_BATCH 64

struct bus_loop {
	struct event_base *base;
	sd_bus *bus;
	struct event *io;       /* the bus fd, for the events sd-bus wants */
	struct event *timer;    /* sd_bus_get_timeout() */
	struct event *resume;   /* more to process after a full batch */
	short armed;            /* EV_READ/EV_WRITE the io event has */
	bool lost;
	bus_loop_lost_fn lost_fn;
	void *userdata;
};

static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_io(evutil_socket_t fd, short what, void *userdata);

static void lose(struct bus_loop *l, int error)
{
	if (l->lost)
		return;
	l->lost = true;
	event_del(l->io);
	event_del(l->timer);
	event_del(l->resume);
	if (l->lost_fn)
		l->lost_fn(l, error, l->userdata);
}

static void rearm(struct bus_loop *l)
{
	int fd, ev;
	short want = EV_PERSIST;
	uint64_t until;

	if (l->lost)
		return;
	fd = sd_bus_get_fd(l->bus);
	ev = sd_bus_get_events(l->bus);
	if (fd < 0 || ev < 0) {
		lose(l, fd < 0 ? fd : ev);
		return;
	}
	if (ev & POLLIN)
		want |= EV_READ;
	if (ev & POLLOUT)
		want |= EV_WRITE;
	if (want != l->armed) {
		event_del(l->io);
		event_assign(l->io, l->base, fd, want, on_io, l);
		event_add(l->io, NULL);
		l->armed = want;
	}

	if (sd_bus_get_timeout(l->bus, &until) >= 0 && until != UINT64_MAX) {
		uint64_t now = monotonic_us(), left = until > now ? until - now : 0;
		struct timeval tv = {
			.tv_sec = (time_t)(left / 1000000u),
			.tv_usec = (suseconds_t)(left % 1000000u),
		};
		evtimer_add(l->timer, &tv);
	} else {
		evtimer_del(l->timer);
	}
}

static void process(struct bus_loop *l)
{
	int r = 0;

	for (unsigned int i = 0; i < PROCESS_BATCH; i++) {
		r = sd_bus_process(l->bus, NULL);
		if (r <= 0)
			break;
	}
	if (r < 0 || !sd_bus_is_open(l->bus)) {
		lose(l, r < 0 ? r : -ECONNRESET);
		return;
	}
	if (r > 0)
		event_active(l->resume, 0, 0);
	rearm(l);
}

static void on_io(evutil_socket_t fd, short what, void *userdata)
{
	(void)fd;
	(void)what;
	process(userdata);
}

static void on_timer(evutil_socket_t fd, short what, void *userdata)
{
	(void)fd;
	(void)what;
	process(userdata);
}

int bus_loop_attach(struct event_base *base, sd_bus *bus, bus_loop_lost_fn lost,
		    void *userdata, struct bus_loop **ret)
{
	struct bus_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->base = base;
	l->bus = sd_bus_ref(bus);
	l->lost_fn = lost;
	l->userdata = userdata;
	/* Assigned for real by rearm(); an event must exist to be deleted. */
	l->io = event_new(base, -1, 0, on_io, l);
	l->timer = evtimer_new(base, on_timer, l);
	l->resume = event_new(base, -1, 0, on_timer, l);
	if (!l->io || !l->timer || !l->resume) {
		bus_loop_detach(l);
		return -ENOMEM;
	}
	/* Messages may already be queued (Hello, a name request). */
	process(l);
	*ret = l;
	return 0;
}

struct bus_loop *bus_loop_detach(struct bus_loop *l)
{
	if (!l)
		return NULL;
	if (l->io)
		event_free(l->io);
	if (l->timer)
		event_free(l->timer);
	if (l->resume)
		event_free(l->resume);
	/* Not sd_bus_flush_close_unref(): flushing waits for the peer. */
	if (l->bus)
		sd_bus_close_unref(l->bus);
	free(l);
	return NULL;
}

void bus_loop_kick(struct bus_loop *l)
{
	if (l)
		rearm(l);
}
