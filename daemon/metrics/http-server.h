/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small HTTP/1.x server on libevent bufferevents for the metrics
 * endpoint: GET and HEAD, answered at once from memory.  See http-server.c
 * for why it is not evhttp.
 *
 * Limits: at most max_connections open connections, counted from accept()
 * to close(); past it a connection gets a best-effort 503 and is closed.
 * Each request head must arrive whole within request_timeout_s of the
 * accept (or of the previous response, on a kept-alive connection), and
 * each response must be taken by the client within as long again between
 * two writes; otherwise the connection is closed.
 */
#ifndef OCXLPMEMD_HTTP_SERVER_H
#define OCXLPMEMD_HTTP_SERVER_H

#include <stddef.h>

#include <event2/event.h>

#include "metrics/http-request.h"

struct http_server;
struct http_conn;

struct http_server_limits {
	unsigned int max_connections;
	unsigned int request_timeout_s;
};

/* Called for each request; must answer it with http_reply or
 * http_reply_ref before it returns.  req points into the connection's
 * buffer: valid during the call only. */
typedef void (*http_handler_fn)(struct http_conn *c, const struct http_request *req,
				void *userdata);

/*
 * Listen on host ("127.0.0.1", "::1"; numeric) and port.  what prefixes
 * the log lines.  0 or -errno (nothing logged).
 */
int http_server_new(struct event_base *base, const char *what, const char *host,
		    unsigned int port, const struct http_server_limits *limits,
		    http_handler_fn handler, void *userdata, struct http_server **ret);
void http_server_free(struct http_server *s);
/* New limits apply to new connections and requests. */
void http_server_set_limits(struct http_server *s, const struct http_server_limits *limits);
unsigned int http_server_connections(const struct http_server *s);

/* Answer with a copy of body.  For HEAD the headers are the same,
 * Content-Length included, and no body is sent. */
void http_reply(struct http_conn *c, int status, const char *type, const char *body, size_t len);
/* The same without copying: release(body, len, arg) once body is not
 * needed any more (at once for HEAD).  For a body chosen by the request's
 * Accept-Encoding: encoding is its Content-Encoding ("gzip") or NULL, and
 * the reply says "Vary: Accept, Accept-Encoding". */
void http_reply_ref(struct http_conn *c, int status, const char *type, const char *encoding,
		    const void *body, size_t len,
		    void (*release)(const void *body, size_t len, void *arg), void *arg);

#endif /* OCXLPMEMD_HTTP_SERVER_H */
