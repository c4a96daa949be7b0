/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTTP/1.x request-head parser of the metrics endpoint (see
 * http-server.c for why the daemon reads HTTP itself).  Pure: bytes in, a
 * request or a status out.  Tested by tests/test-http-request.c and
 * tests/fuzz/fuzz-http-request.c.
 */
#ifndef OCXLPMEMD_HTTP_REQUEST_H
#define OCXLPMEMD_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* The request line and every header field, with their line ends. */
#define HTTP_HEAD_MAX 8192
#define HTTP_FIELDS_MAX 64

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
};

struct http_request {
	enum http_method method;
	const char *path;     /* into the buffer (or a static "/"), not NUL-terminated */
	size_t path_len;
	const char *query;    /* after '?' (into the buffer), NULL without one */
	size_t query_len;
	unsigned int minor;   /* HTTP/1.minor */
	bool keep_alive;      /* the client may send another request */
	bool accept_gzip;     /* Accept-Encoding allows gzip (q > 0) */
	bool accept_openmetrics; /* Accept prefers OpenMetrics 1.0.0 (q > 0,
				  * >= that of text/plain and of any/any) */
};

/*
 * Parse the request head (request line, header fields, empty line) at the
 * start of buf; at most HTTP_HEAD_MAX bytes of it are looked at.
 *
 * Returns the length of the head (> 0) with *ret filled in; 0 when buf is
 * a valid beginning of a head that needs more bytes; or -EBADMSG with
 * *ret_status and *ret_error (a static description) set and *ret untouched:
 *   400 bad syntax, bare CR, control characters, obsolete line folding,
 *       an HTTP/1.1 request without exactly one Host field, a bad
 *       Content-Length;
 *   405 a method other than GET and HEAD (the caller adds Allow);
 *   413 a request with a body (Content-Length above 0);
 *   431 a head over HTTP_HEAD_MAX bytes or HTTP_FIELDS_MAX fields;
 *   501 Transfer-Encoding;
 *   505 an HTTP version other than 1.x.
 * Leading empty lines are skipped (RFC 9112 2.2); lines may end in CRLF
 * or LF.  A request target in absolute form (http://host/path) is
 * reduced to its path.
 */
int http_request_parse(const char *buf, size_t len, struct http_request *ret, int *ret_status,
		       const char **ret_error);

#endif /* OCXLPMEMD_HTTP_REQUEST_H */
