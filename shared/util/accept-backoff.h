/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a listener does when accept() fails, for the Varlink and HTTP
 * listeners.  libevent's evconnlistener keeps the listening socket armed,
 * so an error that persists (EMFILE: the connection stays in the backlog)
 * wakes the loop again at once, and without an error callback libevent
 * logs a line each time: 100 % CPU and a log flood.  Here a resource error
 * (EMFILE, ENFILE, ENOBUFS, ENOMEM) or an unknown one disables the
 * listener for ACCEPT_PAUSE_MS and a timer enables it again; errors that
 * belong to one connection (the peer reset it, a firewall refused it) are
 * ignored.  The log gets one line, then at most one per
 * ACCEPT_LOG_INTERVAL_S with the count of errors since.
 */
#ifndef SHARED_ACCEPT_BACKOFF_H
#define SHARED_ACCEPT_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "shared/util/log-ratelimit.h"
#include "shared/util/log-sink.h"

#define ACCEPT_PAUSE_MS 500
#define ACCEPT_LOG_INTERVAL_S 10

struct accept_backoff {
	struct evconnlistener *listener;
	struct event *resume;
	const char *what;          /* log prefix: "varlink", "metrics" */
	struct log_sink sink;      /* where its lines go */
	struct log_ratelimit log;
	unsigned long pauses;      /* for tests */
	unsigned long log_lines;   /* for tests */
};

/* Watch l (not taken over: the caller still frees it, after
 * accept_backoff_done); l may be NULL and ab->listener set later, before
 * the first error.  Its lines go to sink (copied; NULL: nowhere).
 * 0 or -ENOMEM. */
int accept_backoff_init(struct accept_backoff *ab, struct event_base *base,
			struct evconnlistener *l, const char *what,
			const struct log_sink *sink);
void accept_backoff_done(struct accept_backoff *ab);

/* From the listener's error callback, with the accept() errno. */
void accept_backoff_error(struct accept_backoff *ab, int err);

/* True for the errors that pause the listener. */
bool accept_error_pauses(int err);

#endif /* SHARED_ACCEPT_BACKOFF_H */
