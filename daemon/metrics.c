// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus endpoint: GET/HEAD /metrics (text format 0.0.4) and a
 * small page on /, served by libevent's evhttp from the daemon's cached
 * state.  A scrape never waits on a card.  The rendered text is kept until
 * the state changes (manager->state_gen), so a busy scraper costs a memcpy.
 *
 * Defensive HTTP: only GET and HEAD, only the two paths, small header and
 * body limits, an idle timeout, and at most METRICS_CONNECTIONS_MAX
 * connections; libevent 2.1 has no connection cap of its own, so it is
 * counted here (see on_new_connection).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include "dump.h"
#include "firmware-update.h"
#include "log.h"
#include "manager.h"
#include "metrics.h"

#define METRICS_HEADERS_MAX 8192
#define METRICS_BODY_MAX 1024
#define METRICS_TIMEOUT_S 10
#define METRICS_CONNECTIONS_MAX 64

/* A connection we count; found again by its bufferevent at request time. */
struct metrics_conn {
	struct metrics *mx;
	struct bufferevent *bev;
	struct event *orphan;     /* ends the count of one that never asks */
	bool requested;
	struct metrics_conn *next;
};

/*
 * A rendered exposition.  Responses reference it instead of copying it
 * (a few hundred KiB for 256 cards), so it is freed only when the last
 * response that carries it has been sent and the cache has moved on.
 */
struct rendered {
	unsigned int refs;
	size_t len;
	char text[];
};

struct metrics {
	struct manager *m;
	struct evhttp *http;
	struct rendered *cur;     /* cached /metrics body */
	uint64_t text_gen;        /* manager->state_gen it was rendered at */
	bool have_text;
	unsigned int nconns;
	unsigned long refused;
	struct metrics_conn *conns;
	uint64_t scrapes;
};

/* ---- HTTP -------------------------------------------------------------------- */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>ocxlpmemd</title></head><body>\n"
	"<h1>ocxlpmemd</h1>\n<p>OpenCAPI persistent-memory card monitor.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

static struct rendered *rendered_unref(struct rendered *r)
{
	if (r && --r->refs == 0)
		free(r);
	return NULL;
}

static void rendered_release(const void *data, size_t len, void *userdata)
{
	rendered_unref(userdata);
}

static void send_headers(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
}

static void send_text(struct evhttp_request *req, int code, const char *reason,
		      const char *type, const char *body, size_t len)
{
	send_headers(req, type);
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	/* evhttp sends the headers without the body for HEAD itself. */
	evhttp_send_reply(req, code, reason, NULL);
}

static struct metrics_conn *find_conn(struct metrics *mx, struct bufferevent *bev)
{
	for (struct metrics_conn *c = mx->conns; c; c = c->next)
		if (c->bev == bev)
			return c;
	return NULL;
}

static void conn_forget(struct metrics_conn *c)
{
	struct metrics *mx = c->mx;

	for (struct metrics_conn **p = &mx->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	mx->nconns--;
	if (c->orphan)
		event_free(c->orphan);
	free(c);
}

static void on_conn_close(struct evhttp_connection *evcon, void *userdata)
{
	conn_forget(userdata);
}

static void on_request(struct evhttp_request *req, void *userdata)
{
	struct metrics *mx = userdata;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const char *path = evhttp_request_get_uri(req);
	struct metrics_conn *c;

	/* First request on a connection we counted: hear of its close. */
	c = evcon ? find_conn(mx, evhttp_connection_get_bufferevent(evcon)) : NULL;
	if (!c) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		send_text(req, 503, "Service Unavailable", "text/plain",
			  "too many connections\n", 21);
		return;
	}
	if (!c->requested) {
		c->requested = true;
		if (c->orphan)
			evtimer_del(c->orphan);
		evhttp_connection_set_closecb(evcon, on_conn_close, c);
	}

	if (strcmp(path, "/metrics") == 0) {
		if (!mx->have_text || mx->text_gen != mx->m->state_gen) {
			struct rendered *r;
			char *text;
			size_t len;

			if (metrics_render(mx->m, &text, &len) < 0 ||
			    !(r = malloc(sizeof(*r) + len))) {
				send_text(req, 500, "Internal Server Error", "text/plain",
					  "out of memory\n", 14);
				return;
			}
			memcpy(r->text, text, len);
			free(text);
			r->len = len;
			r->refs = 1; /* the cache's */
			rendered_unref(mx->cur);
			mx->cur = r;
			mx->text_gen = mx->m->state_gen;
			mx->have_text = true;
		}
		mx->scrapes++;
		send_headers(req, "text/plain; version=0.0.4; charset=utf-8");
		mx->cur->refs++;
		if (evbuffer_add_reference(evhttp_request_get_output_buffer(req), mx->cur->text,
					   mx->cur->len, rendered_release, mx->cur) < 0)
			mx->cur->refs--;
		evhttp_send_reply(req, 200, "OK", NULL);
	} else if (strcmp(path, "/") == 0) {
		send_text(req, 200, "OK", "text/html; charset=utf-8", index_page,
			  sizeof(index_page) - 1);
	} else {
		send_text(req, 404, "Not Found", "text/plain", "not found: try /metrics\n", 24);
	}
}

/* A counted connection that never sent a request is closed by evhttp's
 * timeout; we cannot hear that close, so we stop counting it just after. */
static void on_orphan(evutil_socket_t fd, short what, void *userdata)
{
	conn_forget(userdata);
}

/*
 * evhttp asks us for each new connection's bufferevent: the one place a
 * connection can be counted, and refused when there are too many.
 */
static struct bufferevent *on_new_connection(struct event_base *base, void *userdata)
{
	struct metrics *mx = userdata;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct metrics_conn *c;
	struct timeval tv = { .tv_sec = METRICS_TIMEOUT_S + 2 };

	if (!bev)
		return NULL;
	/* libevent writes at most 16 KiB per call by default: a 256-card
	 * exposition would take ~50 wake-ups to send. */
	bufferevent_set_max_single_write(bev, 1 << 20);
	if (mx->nconns >= METRICS_CONNECTIONS_MAX) {
		/* Not counted: its request gets 503 and a close (on_request),
		 * and if it sends none, evhttp's timeout closes it. */
		if (mx->refused++ % 100 == 0)
			log_warning("metrics: too many connections (%u); refusing (%lu so far)",
				    mx->nconns, mx->refused);
		return bev;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return bev;
	c->mx = mx;
	c->bev = bev;
	c->orphan = evtimer_new(base, on_orphan, c);
	if (c->orphan)
		evtimer_add(c->orphan, &tv);
	c->next = mx->conns;
	mx->conns = c;
	mx->nconns++;
	return bev;
}

static int parse_listen(const char *spec, char **ret_host, uint16_t *ret_port)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long port;
	size_t hlen;

	if (!colon || colon == spec)
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || port == 0 || port > 65535)
		return -EINVAL;
	hlen = (size_t)(colon - spec);
	if (spec[0] == '[') {
		if (hlen < 3 || spec[hlen - 1] != ']')
			return -EINVAL;
		*ret_host = strndup(spec + 1, hlen - 2);
	} else {
		*ret_host = strndup(spec, hlen);
	}
	if (!*ret_host)
		return -ENOMEM;
	*ret_port = (uint16_t)port;
	return 0;
}

int metrics_start(struct manager *m, const char *listen, struct metrics **ret)
{
	struct metrics *mx;
	char *host = NULL;
	uint16_t port;
	int r;

	*ret = NULL;
	if (!listen || strcmp(listen, "off") == 0) {
		log_info("metrics: off");
		return 0;
	}
	r = parse_listen(listen, &host, &port);
	if (r < 0)
		return log_errno(LOG_ERR, r, "metrics: bad listen address '%s'", listen);
	mx = calloc(1, sizeof(*mx));
	if (!mx) {
		free(host);
		return -ENOMEM;
	}
	mx->m = m;
	mx->http = evhttp_new(m->base);
	if (!mx->http) {
		free(host);
		free(mx);
		return -ENOMEM;
	}
	evhttp_set_allowed_methods(mx->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(mx->http, METRICS_HEADERS_MAX);
	evhttp_set_max_body_size(mx->http, METRICS_BODY_MAX);
	evhttp_set_timeout(mx->http, METRICS_TIMEOUT_S);
	evhttp_set_gencb(mx->http, on_request, mx);
	evhttp_set_bevcb(mx->http, on_new_connection, mx);
	if (!evhttp_bind_socket_with_handle(mx->http, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
					    port)) {
		r = -errno ? -errno : -EADDRNOTAVAIL;
		log_errno(LOG_ERR, r, "metrics: cannot listen on %s", listen);
		free(host);
		metrics_stop(mx);
		return r;
	}
	log_info("metrics: serving http://%s/metrics", listen);
	free(host);
	*ret = mx;
	return 0;
}

void metrics_stop(struct metrics *mx)
{
	if (!mx)
		return;
	if (mx->http)
		evhttp_free(mx->http);
	while (mx->conns)
		conn_forget(mx->conns);
	rendered_unref(mx->cur);
	free(mx);
}
