// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * http_request_parse() as a table: bytes -> result, and either the request
 * it reads (method, path, query, version, keep-alive, head length) or the
 * status and reason it refuses with.  Each row is handed over in a buffer
 * of exactly its length with no NUL after it, so an overread shows under
 * ASan.  Every proper prefix of a good head must read as "need more".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/http-request.h"

enum gen {
	GEN_NONE,
	GEN_FIELDS,  /* a GET with n "X-N: v" fields */
	GEN_LONG,    /* a GET whose path makes the head n bytes long */
	GEN_NO_END,  /* n bytes of one header value that never ends */
};

struct row {
	const char *name;
	const char *bytes;
	size_t len;
	enum gen gen;
	size_t n;
	int ret;            /* > 0: the head length, 0 need more, -EBADMSG */
	enum http_method method;
	const char *path, *query; /* query NULL: none */
	unsigned int minor;
	bool keep_alive;
	bool gzip;
	bool openmetrics;
	int status;
	const char *error;
};

#define B(s) .bytes = (s), .len = sizeof(s) - 1
#define HEADLEN(s) (int)(sizeof(s) - 1)
#define BAD(st, e) .ret = -EBADMSG, .status = (st), .error = (e)
#define H "Host: x\r\n"

static const struct row rows[] = {
	/* ---- Good heads ---- */
	{ "GET /metrics", B("GET /metrics HTTP/1.1\r\n" H "\r\n"),
	  .ret = HEADLEN("GET /metrics HTTP/1.1\r\n" H "\r\n"), .method = HTTP_GET,
	  .path = "/metrics", .minor = 1, .keep_alive = true },
	{ "HEAD /", B("HEAD / HTTP/1.1\r\n" H "\r\n"), .ret = HEADLEN("HEAD / HTTP/1.1\r\n" H "\r\n"),
	  .method = HTTP_HEAD, .path = "/", .minor = 1, .keep_alive = true },
	{ "query string", B("GET /metrics?x=1&y HTTP/1.1\r\n" H "\r\n"),
	  .ret = HEADLEN("GET /metrics?x=1&y HTTP/1.1\r\n" H "\r\n"), .path = "/metrics",
	  .query = "x=1&y", .minor = 1, .keep_alive = true },
	{ "empty query", B("GET /metrics? HTTP/1.1\r\n" H "\r\n"),
	  .ret = HEADLEN("GET /metrics? HTTP/1.1\r\n" H "\r\n"), .path = "/metrics", .query = "",
	  .minor = 1, .keep_alive = true },
	{ "HTTP/1.0 without Host closes", B("GET /metrics HTTP/1.0\r\n\r\n"),
	  .ret = HEADLEN("GET /metrics HTTP/1.0\r\n\r\n"), .path = "/metrics", .minor = 0,
	  .keep_alive = false },
	{ "HTTP/1.0 keep-alive", B("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
	  .ret = HEADLEN("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), .path = "/",
	  .minor = 0, .keep_alive = true },
	{ "Connection: close", B("GET / HTTP/1.1\r\n" H "Connection: foo, close\r\n\r\n"),
	  .ret = HEADLEN("GET / HTTP/1.1\r\n" H "Connection: foo, close\r\n\r\n"), .path = "/",
	  .minor = 1, .keep_alive = false },
	{ "bare LF line ends", B("GET /metrics HTTP/1.1\nHost: x\n\n"),
	  .ret = HEADLEN("GET /metrics HTTP/1.1\nHost: x\n\n"), .path = "/metrics", .minor = 1,
	  .keep_alive = true },
	{ "leading empty lines skipped", B("\r\n\r\nGET / HTTP/1.1\r\n" H "\r\n"),
	  .ret = HEADLEN("\r\n\r\nGET / HTTP/1.1\r\n" H "\r\n"), .path = "/", .minor = 1,
	  .keep_alive = true },
	{ "absolute form", B("GET http://localhost:9580/metrics?a HTTP/1.1\r\n" H "\r\n"),
	  .ret = HEADLEN("GET http://localhost:9580/metrics?a HTTP/1.1\r\n" H "\r\n"),
	  .path = "/metrics", .query = "a", .minor = 1, .keep_alive = true },
	{ "absolute form without path", B("GET HTTP://host HTTP/1.1\r\n" H "\r\n"),
	  .ret = HEADLEN("GET HTTP://host HTTP/1.1\r\n" H "\r\n"), .path = "/", .minor = 1,
	  .keep_alive = true },
	{ "Content-Length: 0", B("GET / HTTP/1.1\r\n" H "Content-Length: 000\r\n\r\n"),
	  .ret = HEADLEN("GET / HTTP/1.1\r\n" H "Content-Length: 000\r\n\r\n"), .path = "/",
	  .minor = 1, .keep_alive = true },
	{ "value whitespace and obs-text", B("GET / HTTP/1.1\r\n" H "X-A:\t v\xff v \t\r\n\r\n"),
	  .ret = HEADLEN("GET / HTTP/1.1\r\n" H "X-A:\t v\xff v \t\r\n\r\n"), .path = "/",
	  .minor = 1, .keep_alive = true },
	{ "HTTP/1.9 is 1.x", B("GET / HTTP/1.9\r\n" H "\r\n"),
	  .ret = HEADLEN("GET / HTTP/1.9\r\n" H "\r\n"), .path = "/", .minor = 9,
	  .keep_alive = true },
	{ "pipelined: only the first head", B("GET /a HTTP/1.1\r\n" H "\r\nGET /b HTTP/1.1\r\n"),
	  .ret = HEADLEN("GET /a HTTP/1.1\r\n" H "\r\n"), .path = "/a", .minor = 1,
	  .keep_alive = true },
	{ "64 fields", .gen = GEN_FIELDS, .n = HTTP_FIELDS_MAX, .ret = 1, .path = "/",
	  .minor = 1, .keep_alive = true },
	{ "head of exactly 8192 bytes", .gen = GEN_LONG, .n = HTTP_HEAD_MAX, .ret = HTTP_HEAD_MAX,
	  .minor = 1, .keep_alive = true },

	/* ---- Accept-Encoding: gzip when allowed, never when refused ---- */
#define AE(name, value, want) \
	{ name, B("GET /metrics HTTP/1.1\r\n" H "Accept-Encoding: " value "\r\n\r\n"), \
	  .ret = HEADLEN("GET /metrics HTTP/1.1\r\n" H "Accept-Encoding: " value "\r\n\r\n"), \
	  .path = "/metrics", .minor = 1, .keep_alive = true, .gzip = want }
	AE("gzip (Prometheus)", "gzip", true),
	AE("GZIP, any case", "GZIP", true),
	AE("x-gzip", "x-gzip", true),
	AE("list", "deflate, gzip", true),
	AE("gzip q=0.5", "gzip;q=0.5", true),
	AE("gzip q=1.000", "gzip; q=1.000", true),
	AE("gzip q=0", "gzip;q=0", false),
	AE("gzip q=0.000", "gzip;q=0.000", false),
	AE("star", "*", true),
	AE("star but gzip refused", "*, gzip;q=0", false),
	AE("gzip despite star refused", "*;q=0, gzip", true),
	AE("star refused", "*;q=0", false),
	AE("identity only", "identity", false),
	AE("deflate only", "deflate, br", false),
	AE("empty", "", false),
	AE("malformed q: as if not named", "gzip;q=2", false),
	AE("malformed q 1.5", "gzip;q=1.5", false),
	AE("malformed q, text", "gzip;q=high", false),
	AE("q too long", "gzip;q=0.12345", false),
	AE("unknown parameter ignored", "gzip;level=9", true),
	AE("gzipped is not gzip", "gzipped", false),
	AE("commas and spaces", " , ,gzip , ", true),
#undef AE
	{ "no Accept-Encoding: identity", B("GET /metrics HTTP/1.1\r\n" H "\r\n"),
	  .ret = HEADLEN("GET /metrics HTTP/1.1\r\n" H "\r\n"), .path = "/metrics", .minor = 1,
	  .keep_alive = true, .gzip = false },
	{ "two Accept-Encoding fields", B("GET / HTTP/1.1\r\n" H "Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n\r\n"),
	  .ret = HEADLEN("GET / HTTP/1.1\r\n" H "Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n\r\n"),
	  .path = "/", .minor = 1, .keep_alive = true, .gzip = true },

	/* ---- Accept: OpenMetrics 1.0.0 when preferred to the text format ---- */
#define AC(name, value, want) \
	{ name, B("GET /metrics HTTP/1.1\r\n" H "Accept: " value "\r\n\r\n"), \
	  .ret = HEADLEN("GET /metrics HTTP/1.1\r\n" H "Accept: " value "\r\n\r\n"), \
	  .path = "/metrics", .minor = 1, .keep_alive = true, .openmetrics = want }
	AC("Prometheus 2.42",
	   "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
	   true),
	AC("OpenMetrics without version", "application/openmetrics-text", true),
	AC("OpenMetrics, any case, spaces", "Application/OpenMetrics-Text; Version=1.0.0", true),
	AC("OpenMetrics 0.0.1 only", "application/openmetrics-text;version=0.0.1", false),
	AC("OpenMetrics 2.0 only", "application/openmetrics-text;version=2.0.0", false),
	AC("text/plain only", "text/plain", false),
	AC("text/plain 0.0.4", "text/plain;version=0.0.4", false),
	AC("any type", "*/*", false),
	AC("text preferred", "application/openmetrics-text;q=0.5,text/plain", false),
	AC("OpenMetrics preferred", "application/openmetrics-text;q=0.6,text/plain;q=0.5", true),
	AC("equal q: OpenMetrics", "text/plain;q=0.5, application/openmetrics-text;q=0.5", true),
	AC("any type preferred", "application/openmetrics-text;q=0.1,*/*;q=0.2", false),
	AC("text/* preferred", "application/openmetrics-text;q=0.1,text/*", false),
	AC("OpenMetrics refused", "application/openmetrics-text;q=0", false),
	AC("OpenMetrics q=0.000 refused", "application/openmetrics-text;q=0.000", false),
	AC("malformed q: skipped", "application/openmetrics-text;q=2", false),
	AC("malformed q on text: skipped", "application/openmetrics-text;q=0.1,text/plain;q=x", true),
	AC("0.0.1 high, 1.0.0 low", "application/openmetrics-text;version=0.0.1,application/openmetrics-text;version=1.0.0;q=0.2,text/plain;q=0.1", true),
	AC("json only", "application/json", false),
	AC("prefix is not a match", "application/openmetrics-textual", false),
	AC("empty", "", false),
	AC("commas and spaces", " , ,application/openmetrics-text , ", true),
#undef AC
	{ "gzip and OpenMetrics",
	  B("GET /metrics HTTP/1.1\r\n" H "Accept: application/openmetrics-text\r\nAccept-Encoding: gzip\r\n\r\n"),
	  .ret = HEADLEN("GET /metrics HTTP/1.1\r\n" H "Accept: application/openmetrics-text\r\nAccept-Encoding: gzip\r\n\r\n"),
	  .path = "/metrics", .minor = 1, .keep_alive = true, .gzip = true, .openmetrics = true },
	{ "two Accept fields: highest q of each",
	  B("GET / HTTP/1.1\r\n" H "Accept: text/plain;q=0.3\r\nAccept: application/openmetrics-text;q=0.4\r\n\r\n"),
	  .ret = HEADLEN("GET / HTTP/1.1\r\n" H "Accept: text/plain;q=0.3\r\nAccept: application/openmetrics-text;q=0.4\r\n\r\n"),
	  .path = "/", .minor = 1, .keep_alive = true, .openmetrics = true },

	/* ---- Need more ---- */
	{ "empty", B(""), .ret = 0 },
	{ "only empty lines", B("\r\n\r\n"), .ret = 0 },
	{ "half a request line", B("GET /met"), .ret = 0 },
	{ "no empty line yet", B("GET / HTTP/1.1\r\n" H), .ret = 0 },
	{ "a slow header", B("GET / HTTP/1.1\r\n" H "X-Slow: 1\r\nX-Slow: 2\r\n"), .ret = 0 },

	/* ---- Refused ---- */
	{ "POST", B("POST /metrics HTTP/1.1\r\n"), BAD(405, "only GET and HEAD are served") },
	{ "lower-case get", B("get / HTTP/1.1\r\n"), BAD(405, "only GET and HEAD are served") },
	{ "OPTIONS *", B("OPTIONS * HTTP/1.1\r\n"), BAD(405, "only GET and HEAD are served") },
	{ "GET *", B("GET * HTTP/1.1\r\n"), BAD(400, "request target is not a path") },
	{ "relative target", B("GET metrics HTTP/1.1\r\n"), BAD(400, "request target is not a path") },
	{ "method not a token", B("G(T / HTTP/1.1\r\n"), BAD(400, "malformed method") },
	{ "no version", B("GET /\r\n"), BAD(400, "malformed request line") },
	{ "HTTP/0.9 style", B("GET\r\n"), BAD(400, "malformed request line") },
	{ "two spaces", B("GET  / HTTP/1.1\r\n"), BAD(400, "empty request target") },
	{ "trailing space", B("GET / HTTP/1.1 \r\n"), BAD(400, "malformed HTTP version") },
	{ "lower-case version", B("GET / http/1.1\r\n"), BAD(400, "malformed HTTP version") },
	{ "HTTP/2.0", B("GET / HTTP/2.0\r\n"), BAD(505, "only HTTP/1.x is served") },
	{ "control in target", B("GET /\x01 HTTP/1.1\r\n"), BAD(400, "malformed request target") },
	{ "8-bit target", B("GET /\xc3\xa9 HTTP/1.1\r\n"), BAD(400, "malformed request target") },
	{ "NUL in request line", B("GET /\0 HTTP/1.1\r\n"), BAD(400, "NUL in the request head") },
	{ "bare CR", B("GET / HTTP/1.1\rHost: x\r\n\r\n"), BAD(400, "bare CR in the request head") },
	{ "obs-fold", B("GET / HTTP/1.1\r\n" H "X-A: a\r\n b\r\n\r\n"),
	  BAD(400, "obsolete line folding") },
	{ "field without colon", B("GET / HTTP/1.1\r\nHost x\r\n"),
	  BAD(400, "header field without a colon") },
	{ "space before colon", B("GET / HTTP/1.1\r\nHost : x\r\n"),
	  BAD(400, "malformed header field name") },
	{ "empty field name", B("GET / HTTP/1.1\r\n: x\r\n"), BAD(400, "malformed header field name") },
	{ "control in value", B("GET / HTTP/1.1\r\nX-A: a\x7f\r\n"),
	  BAD(400, "control character in a header field") },
	{ "NUL in value", B("GET / HTTP/1.1\r\nX-A: a\0b\r\n"), BAD(400, "NUL in the request head") },
	{ "HTTP/1.1 without Host", B("GET / HTTP/1.1\r\n\r\n"), BAD(400, "HTTP/1.1 request without Host") },
	{ "two Hosts", B("GET / HTTP/1.1\r\n" H H "\r\n"), BAD(400, "more than one Host field") },
	{ "two Hosts, HTTP/1.0", B("GET / HTTP/1.0\r\n" H H "\r\n"), BAD(400, "more than one Host field") },
	{ "a body", B("GET / HTTP/1.1\r\nContent-Length: 5\r\n"), BAD(413, "a request body is not accepted") },
	{ "bad Content-Length", B("GET / HTTP/1.1\r\nContent-Length: -1\r\n"),
	  BAD(400, "malformed Content-Length") },
	{ "empty Content-Length", B("GET / HTTP/1.1\r\nContent-Length:\r\n"),
	  BAD(400, "empty Content-Length") },
	{ "Transfer-Encoding", B("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"),
	  BAD(501, "Transfer-Encoding is not supported") },
	{ "65 fields", .gen = GEN_FIELDS, .n = HTTP_FIELDS_MAX + 1, BAD(431, "too many header fields") },
	{ "head of 8193 bytes", .gen = GEN_LONG, .n = HTTP_HEAD_MAX + 1,
	  BAD(431, "request head over 8192 bytes") },
	{ "8192 bytes and no end", .gen = GEN_NO_END, .n = HTTP_HEAD_MAX,
	  BAD(431, "request head over 8192 bytes") },
	{ "8191 bytes and no end", .gen = GEN_NO_END, .n = HTTP_HEAD_MAX - 1, .ret = 0 },
};

/* The bytes of a row, in a buffer of exactly their length. */
static char *row_bytes(const struct row *r, size_t *ret_len)
{
	char *b = NULL;
	size_t len = 0;

	switch (r->gen) {
	case GEN_NONE:
		len = r->len;
		b = malloc(len ? len : 1);
		assert_non_null(b);
		memcpy(b, r->bytes, len);
		break;
	case GEN_FIELDS: {
		size_t cap = 64 + r->n * 16, off;

		b = malloc(cap);
		assert_non_null(b);
		off = (size_t)sprintf(b, "GET / HTTP/1.1\r\nHost: x\r\n");
		for (size_t i = 1; i < r->n; i++)
			off += (size_t)sprintf(b + off, "X-%zu: v\r\n", i);
		off += (size_t)sprintf(b + off, "\r\n");
		len = off;
		break;
	}
	case GEN_LONG: {
		/* "GET /aaa... HTTP/1.1\r\nHost: x\r\n\r\n" of n bytes. */
		static const char tail[] = " HTTP/1.1\r\nHost: x\r\n\r\n";
		size_t path = r->n - 4 - (sizeof(tail) - 1);

		len = r->n;
		b = malloc(len);
		assert_non_null(b);
		memcpy(b, "GET ", 4);
		b[4] = '/';
		memset(b + 5, 'a', path - 1);
		memcpy(b + 4 + path, tail, sizeof(tail) - 1);
		break;
	}
	case GEN_NO_END: {
		static const char start[] = "GET / HTTP/1.1\r\nX-Long: ";

		len = r->n;
		b = malloc(len);
		assert_non_null(b);
		memcpy(b, start, sizeof(start) - 1);
		memset(b + sizeof(start) - 1, 'v', len - (sizeof(start) - 1));
		break;
	}
	default:
		fail();
	}
	*ret_len = len;
	return b;
}

static void check_row(const struct row *r)
{
	struct http_request req, untouched;
	const char *error = NULL;
	int status = 0, ret;
	size_t len;
	char *b = row_bytes(r, &len);

	memset(&req, 0x5A, sizeof(req));
	memcpy(&untouched, &req, sizeof(req));
	ret = http_request_parse(b, len, &req, &status, &error);
	print_message("%s: %d %d %s\n", r->name, ret, status, error ? error : "");
	if (r->ret < 0) {
		assert_int_equal(ret, r->ret);
		assert_int_equal(status, r->status);
		assert_non_null(error);
		assert_string_equal(error, r->error);
		assert_memory_equal(&req, &untouched, sizeof(req));
	} else if (r->ret == 0) {
		assert_int_equal(ret, 0);
		assert_memory_equal(&req, &untouched, sizeof(req));
	} else {
		/* GEN_ rows: the whole buffer is the head. */
		assert_int_equal(ret, r->gen == GEN_NONE ? r->ret : (int)len);
		assert_int_equal(req.method, r->method);
		if (r->path) {
			assert_int_equal(req.path_len, strlen(r->path));
			assert_memory_equal(req.path, r->path, req.path_len);
		}
		if (r->query) {
			assert_non_null(req.query);
			assert_int_equal(req.query_len, strlen(r->query));
			assert_memory_equal(req.query, r->query, req.query_len);
		} else {
			assert_null(req.query);
		}
		assert_int_equal(req.minor, r->minor);
		assert_int_equal(req.keep_alive, r->keep_alive);
		assert_int_equal(req.accept_gzip, r->gzip);
		assert_int_equal(req.accept_openmetrics, r->openmetrics);
		/* Every proper prefix of a good head: need more. */
		for (size_t n = 0; n < (size_t)ret; n++) {
			char *p = malloc(n ? n : 1);

			assert_non_null(p);
			memcpy(p, b, n);
			memset(&req, 0x5A, sizeof(req));
			assert_int_equal(http_request_parse(p, n, &req, &status, &error), 0);
			assert_memory_equal(&req, &untouched, sizeof(req));
			free(p);
		}
	}
	free(b);
}

static void test_rows(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
