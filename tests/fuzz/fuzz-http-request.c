// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the HTTP request-head parser (daemon/metrics/http-request.c).  Whatever the
 * input, http_request_parse() must either
 *  - refuse it with -EBADMSG, a status it documents and a reason, leaving
 *    the request alone;
 *  - ask for more, which only an input shorter than HTTP_HEAD_MAX may do;
 *  - or accept a head of n <= HTTP_HEAD_MAX bytes, ending in an empty
 *    line, whose path is a path inside the input (or "/"), and read the
 *    same request from those n bytes alone, while n - 1 of them need more.
 * Never read past the input (ASan), never crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "metrics/http-request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && p + n <= buf + len;
}

static void check_accepted(const char *buf, size_t size, int n, const struct http_request *req)
{
	struct http_request again, untouched;
	const char *error = NULL;
	int status = 0;
	char *copy;

	FUZZ_CHECK(n > 0 && (size_t)n <= size && n <= HTTP_HEAD_MAX);
	FUZZ_CHECK(buf[n - 1] == '\n');
	FUZZ_CHECK(req->method == HTTP_GET || req->method == HTTP_HEAD);
	FUZZ_CHECK(req->path_len >= 1 && req->path[0] == '/');
	FUZZ_CHECK((req->path_len == 1 && strncmp(req->path, "/", 1) == 0) ||
	      inside(req->path, req->path_len, buf, (size_t)n));
	for (size_t i = 0; i < req->path_len; i++)
		FUZZ_CHECK(req->path[i] > 0x20 && req->path[i] < 0x7F && req->path[i] != '?');
	if (req->query)
		FUZZ_CHECK(inside(req->query, req->query_len, buf, (size_t)n) && req->query[-1] == '?');
	FUZZ_CHECK(req->minor <= 9);

	/* The head alone, in a buffer of its own size: the same request. */
	copy = malloc((size_t)n);
	FUZZ_CHECK(copy);
	memcpy(copy, buf, (size_t)n);
	FUZZ_CHECK(http_request_parse(copy, (size_t)n, &again, &status, &error) == n);
	FUZZ_CHECK(again.method == req->method && again.minor == req->minor &&
	      again.keep_alive == req->keep_alive && again.path_len == req->path_len &&
	      memcmp(again.path, req->path, req->path_len) == 0 &&
	      !again.query == !req->query && again.query_len == (req->query ? req->query_len : 0));
	/* One byte short of it: need more. */
	memset(&again, 0x5A, sizeof(again));
	memcpy(&untouched, &again, sizeof(again));
	FUZZ_CHECK(http_request_parse(copy, (size_t)n - 1, &again, &status, &error) == 0);
	FUZZ_CHECK(memcmp(&again, &untouched, sizeof(again)) == 0);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req, untouched;
	const char *error = NULL;
	int status = 0, r;

	memset(&req, 0x5A, sizeof(req));
	memcpy(&untouched, &req, sizeof(req));
	r = http_request_parse((const char *)data, size, &req, &status, &error);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG);
		FUZZ_CHECK(status == 400 || status == 405 || status == 413 || status == 431 ||
		      status == 501 || status == 505);
		FUZZ_CHECK(error && error[0]);
		FUZZ_CHECK(memcmp(&req, &untouched, sizeof(req)) == 0);
		return 0;
	}
	if (r == 0) {
		FUZZ_CHECK(size < HTTP_HEAD_MAX);
		FUZZ_CHECK(memcmp(&req, &untouched, sizeof(req)) == 0);
		return 0;
	}
	check_accepted((const char *)data, size, r, &req);
	return 0;
}
