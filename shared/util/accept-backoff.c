// SPDX-License-Identifier: GPL-2.0-or-later
/* Back-off of a listener whose accept() fails: see accept-backoff.h. */
#include <errno.h>
#include <string.h>

#include "shared/util/accept-backoff.h"

static void on_resume(evutil_socket_t fd, short what, void *userdata)
{
	struct accept_backoff *ab = userdata;

	evconnlistener_enable(ab->listener);
}

int accept_backoff_init(struct accept_backoff *ab, struct event_base *base,
			struct evconnlistener *l, const char *what,
			const struct log_sink *sink)
{
	memset(ab, 0, sizeof(*ab));
	ab->listener = l;
	ab->what = what;
	if (sink)
		ab->sink = *sink;
	ab->resume = evtimer_new(base, on_resume, ab);
	return ab->resume ? 0 : -ENOMEM;
}

void accept_backoff_done(struct accept_backoff *ab)
{
	if (ab->resume)
		event_free(ab->resume);
	ab->resume = NULL;
}

bool accept_error_pauses(int err)
{
	switch (err) {
	/* Retried by libevent already. */
	case EAGAIN:
	case EINTR:
	case ECONNABORTED:
	/* accept(2), Linux: a network error pending on the new connection is
	 * reported by accept() and consumes that connection; the next one
	 * may be fine. */
	case ENETDOWN:
	case EPROTO:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
	/* A firewall refused this connection. */
	case EPERM:
		return false;
	default:
		/* EMFILE, ENFILE, ENOBUFS, ENOMEM, and anything unknown: it
		 * may persist, and retrying at once would spin. */
		return true;
	}
}

void accept_backoff_error(struct accept_backoff *ab, int err)
{
	struct timeval tv = { .tv_sec = ACCEPT_PAUSE_MS / 1000,
			      .tv_usec = (ACCEPT_PAUSE_MS % 1000) * 1000 };
	bool pause = accept_error_pauses(err);
	unsigned long quiet;

	if (log_ratelimit(&ab->log, ACCEPT_LOG_INTERVAL_S, &quiet)) {
		log_sink_printf(&ab->sink, LOG_WARNING,
				"%s: accept() failed: %s%s (%lu more not logged)", ab->what,
				strerror(err), pause ? "; pausing the listener" : "", quiet);
		ab->log_lines++;
	}
	if (!pause)
		return;
	ab->pauses++;
	evconnlistener_disable(ab->listener);
	evtimer_add(ab->resume, &tv);
}
