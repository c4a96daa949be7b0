// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metrics endpoint's HTTP server (see http-server.h).
 *
 * Why not evhttp: libevent 2.1 (Debian 12) cannot give an exact count of
 * open connections.  Its only per-connection hook (evhttp_set_bevcb) runs
 * before the connection exists, the close callback can be set only once a
 * request has arrived, and evhttp_set_newreqcb is 2.2 only: a client that
 * never completes a request is closed by evhttp without telling us, so
 * any count is either too high forever or, as before, dropped on a guess.
 * Its timeout is per read, so a client sending a header line every few
 * seconds is never closed.  What the endpoint needs of HTTP is small (GET
 * and HEAD of two paths, no bodies), so it reads requests itself:
 * http-request.c parses a head, this file owns the connections.
 *
 * A connection is counted in on_accept, before anything else can fail,
 * and uncounted in conn_free, which closes its socket: the count is the
 * number of open sockets.  States:
 *   READING   waiting for a whole request head, under the deadline;
 *   WRITING   a response queued, reading stopped (pipelined requests wait
 *             in the buffer), under the write timeout;
 *   LINGERING after an error reply: our side shut, the rest of what the
 *             client sends is read and dropped for a moment so that it
 *             gets the reply instead of a reset.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "shared/util/accept-backoff.h"
#include "shared/util/list.h"
#include "metrics/http-server.h"
#include "util/log.h"

#define HTTP_BACKLOG 128
#define HTTP_LINGER_S 2
#define HTTP_REFUSED_LOG_INTERVAL_S 10
/* libevent writes at most 16 KiB per call by default: a 256-card
 * exposition would take ~50 wake-ups to send. */
#define HTTP_MAX_SINGLE_WRITE (1 << 20)

enum conn_state {
	CONN_READING,
	CONN_WRITING,
	CONN_LINGERING,
};

struct http_conn {
	struct http_server *s;
	struct bufferevent *bev;
	struct event *deadline;
	enum conn_state state;
	bool head;          /* the request being answered is HEAD */
	bool keep_alive;    /* read another request after this response */
	bool replied;
	bool minor0;        /* HTTP/1.0: say keep-alive when we keep it */
	struct http_conn *next, *prev;
};

struct http_server {
	struct event_base *base;
	char *what;
	struct evconnlistener *listener;
	struct accept_backoff backoff;
	struct http_server_limits limits;
	http_handler_fn handler;
	void *userdata;
	struct http_conn *conns;
	unsigned int nconns;
	unsigned long refused;
	struct log_ratelimit refused_log;
};

static const char *reason_of(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

static void conn_free(struct http_conn *c)
{
	struct http_server *s = c->s;

	LIST_REMOVE(s->conns, c);
	s->nconns--;
	if (c->deadline)
		event_free(c->deadline);
	bufferevent_free(c->bev); /* closes the socket */
	free(c);
}

static void arm_deadline(struct http_conn *c, unsigned int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	evtimer_add(c->deadline, &tv);
}

/* encoding: a Content-Encoding, or NULL; negotiated: the body depends on
 * the request's Accept and Accept-Encoding (Vary, so caches keep them apart). */
static void put_headers(struct http_conn *c, int status, const char *type, size_t len,
			const char *encoding, bool negotiated)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) ||
	    !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		date[0] = '\0';
	evbuffer_add_printf(out,
			    "HTTP/1.1 %d %s\r\n"
			    "Date: %s\r\n"
			    "Content-Type: %s\r\n"
			    "Content-Length: %zu\r\n"
			    "Cache-Control: no-store\r\n"
			    "%s%s%s%s%s%s\r\n",
			    status, reason_of(status), date, type, len,
			    encoding ? "Content-Encoding: " : "", encoding ? encoding : "",
			    encoding ? "\r\n" : "",
			    negotiated ? "Vary: Accept, Accept-Encoding\r\n" : "",
			    status == 405 ? "Allow: GET, HEAD\r\n" : "",
			    !c->keep_alive ? "Connection: close\r\n" :
			    c->minor0      ? "Connection: keep-alive\r\n" : "");
	c->replied = true;
}

static void start_writing(struct http_conn *c)
{
	struct timeval tv = { .tv_sec = c->s->limits.request_timeout_s };

	bufferevent_set_timeouts(c->bev, NULL, &tv);
	bufferevent_enable(c->bev, EV_WRITE);
}

void http_reply_ref(struct http_conn *c, int status, const char *type, const char *encoding,
		    const void *body, size_t len,
		    void (*release)(const void *body, size_t len, void *arg), void *arg)
{
	if (c->replied) {
		release(body, len, arg);
		return;
	}
	put_headers(c, status, type, len, encoding, true);
	if (c->head || !len) {
		release(body, len, arg);
		return;
	}
	if (evbuffer_add_reference(bufferevent_get_output(c->bev), body, len, release, arg) < 0) {
		/* The headers promised a body that will not come. */
		release(body, len, arg);
		c->keep_alive = false;
		shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
	}
}

void http_reply(struct http_conn *c, int status, const char *type, const char *body, size_t len)
{
	if (c->replied)
		return;
	put_headers(c, status, type, len, NULL, false);
	if (!c->head && evbuffer_add(bufferevent_get_output(c->bev), body, len) < 0) {
		c->keep_alive = false;
		shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
	}
}

/* A request we cannot serve: say why, then linger and close. */
static void reply_error(struct http_conn *c, int status, const char *error)
{
	char body[128];
	int n = snprintf(body, sizeof(body), "%s\n", error);

	c->keep_alive = false;
	c->head = false;
	c->state = CONN_WRITING;
	evtimer_del(c->deadline);
	bufferevent_disable(c->bev, EV_READ);
	http_reply(c, status, "text/plain; charset=utf-8", body, (size_t)n);
	c->state = CONN_LINGERING;
	start_writing(c);
}

static void conn_process(struct http_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct http_request req;
	const char *error = NULL;
	int status = 0, r;
	size_t len = evbuffer_get_length(in);
	const char *buf;

	if (c->state != CONN_READING || !len)
		return;
	if (len > HTTP_HEAD_MAX)
		len = HTTP_HEAD_MAX;
	buf = (const char *)evbuffer_pullup(in, (ssize_t)len);
	if (!buf) {
		conn_free(c);
		return;
	}
	r = http_request_parse(buf, len, &req, &status, &error);
	if (r == 0)
		return;
	if (r < 0) {
		log_debug("%s: refusing a request: %d %s", c->s->what, status, error);
		reply_error(c, status, error);
		return;
	}
	evtimer_del(c->deadline);
	bufferevent_disable(c->bev, EV_READ);
	c->state = CONN_WRITING;
	c->head = req.method == HTTP_HEAD;
	c->keep_alive = req.keep_alive;
	c->minor0 = req.minor == 0;
	c->replied = false;
	c->s->handler(c, &req, c->s->userdata);
	if (!c->replied)
		http_reply(c, 500, "text/plain", "no answer\n", 10);
	evbuffer_drain(in, (size_t)r);
	start_writing(c);
}

static void on_read(struct bufferevent *bev, void *userdata)
{
	struct http_conn *c = userdata;

	if (c->state == CONN_LINGERING) {
		struct evbuffer *in = bufferevent_get_input(bev);

		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	conn_process(c);
}

/* The response is out. */
static void on_write(struct bufferevent *bev, void *userdata)
{
	struct http_conn *c = userdata;

	if (c->state == CONN_LINGERING) {
		if (shutdown(bufferevent_getfd(bev), SHUT_WR) < 0) {
			conn_free(c);
			return;
		}
		bufferevent_set_timeouts(bev, NULL, NULL);
		bufferevent_disable(bev, EV_WRITE);
		bufferevent_enable(bev, EV_READ);
		arm_deadline(c, HTTP_LINGER_S);
		return;
	}
	if (c->state != CONN_WRITING)
		return;
	if (!c->keep_alive) {
		conn_free(c);
		return;
	}
	c->state = CONN_READING;
	bufferevent_set_timeouts(bev, NULL, NULL);
	arm_deadline(c, c->s->limits.request_timeout_s);
	bufferevent_enable(bev, EV_READ);
	/* A pipelined request may be waiting already. */
	conn_process(c);
}

static void on_event(struct bufferevent *bev, short what, void *userdata)
{
	/* EOF, an error, or a client that stopped taking its response. */
	conn_free(userdata);
}

static void on_deadline(evutil_socket_t fd, short what, void *userdata)
{
	struct http_conn *c = userdata;

	if (c->state == CONN_READING)
		log_debug("%s: closing a connection: no whole request within %u s", c->s->what,
			  c->s->limits.request_timeout_s);
	conn_free(c);
}

static void refuse(struct http_server *s, int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
				   "Content-Type: text/plain\r\n"
				   "Content-Length: 21\r\n"
				   "Connection: close\r\n\r\n"
				   "too many connections\n";

	/* Best effort: a full socket buffer just loses the explanation. */
	(void)!send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
	unsigned long quiet;

	/* A flood must not flood the log. */
	s->refused++;
	if (log_ratelimit(&s->refused_log, HTTP_REFUSED_LOG_INTERVAL_S, &quiet))
		log_warning("%s: too many connections (%u); refusing (%lu so far, %lu not logged)",
			    s->what, s->nconns, s->refused, quiet);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
		      int socklen, void *userdata)
{
	struct http_server *s = userdata;
	struct http_conn *c;

	if (s->nconns >= s->limits.max_connections) {
		refuse(s, fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->s = s;
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(s->base, on_deadline, c);
	if (!c->bev || !c->deadline) {
		if (c->bev)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->deadline)
			event_free(c->deadline);
		free(c);
		return;
	}
	LIST_PREPEND(s->conns, c);
	s->nconns++;

	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* The input never holds more than one head: past it, 431. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, HTTP_HEAD_MAX);
	bufferevent_set_max_single_write(c->bev, HTTP_MAX_SINGLE_WRITE);
	bufferevent_enable(c->bev, EV_READ);
	arm_deadline(c, s->limits.request_timeout_s);
}

static void on_accept_error(struct evconnlistener *l, void *userdata)
{
	struct http_server *s = userdata;

	accept_backoff_error(&s->backoff, EVUTIL_SOCKET_ERROR());
}

int http_server_new(struct event_base *base, const char *what, const char *host,
		    unsigned int port, const struct http_server_limits *limits,
		    http_handler_fn handler, void *userdata, struct http_server **ret)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	struct http_server *s;
	char portstr[8];
	int r;

	snprintf(portstr, sizeof(portstr), "%u", port);
	r = getaddrinfo(host, portstr, &hints, &ai);
	if (r != 0)
		return r == EAI_MEMORY ? -ENOMEM : -EADDRNOTAVAIL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->what = strdup(what))) {
		free(s);
		freeaddrinfo(ai);
		return -ENOMEM;
	}
	s->base = base;
	s->limits = *limits;
	s->handler = handler;
	s->userdata = userdata;
	errno = 0;
	s->listener = evconnlistener_new_bind(base, on_accept, s,
					      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
						      LEV_OPT_REUSEABLE,
					      HTTP_BACKLOG, ai->ai_addr, (int)ai->ai_addrlen);
	freeaddrinfo(ai);
	if (!s->listener) {
		r = errno ? -errno : -EADDRNOTAVAIL;
		http_server_free(s);
		return r;
	}
	r = accept_backoff_init(&s->backoff, base, s->listener, s->what, &LOG_SINK_DAEMON);
	if (r < 0) {
		http_server_free(s);
		return r;
	}
	evconnlistener_set_error_cb(s->listener, on_accept_error);
	*ret = s;
	return 0;
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_free(s->conns);
	accept_backoff_done(&s->backoff);
	if (s->listener)
		evconnlistener_free(s->listener);
	free(s->what);
	free(s);
}

void http_server_set_limits(struct http_server *s, const struct http_server_limits *limits)
{
	s->limits = *limits;
}

unsigned int http_server_connections(const struct http_server *s)
{
	return s->nconns;
}
