// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Latency of io.ocxlpmem.Manager.ListCards (what `ocxlpmemctl status` asks)
 * over one Varlink connection, against a baseline measured in the same run:
 * a raw unix-socket round trip of the same sizes to an echo server in a
 * forked child, which reads the request up to its NUL and answers with
 * exactly as many bytes as the daemon's reply had.  The difference is the
 * daemon's work: parsing the call, building the card list, serialising it.
 *
 * The two are measured in alternating rounds over connections held open,
 * so that drift of the machine (frequency, other load) hits both alike.
 *
 * Both sides frame their messages with the Varlink library's client
 * (shared/varlink/varlink-client.h), raw: the same code reads the daemon's
 * reply and the echo, so the difference is not the client's.
 *
 * Usage: status-latency SOCKET [CALLS] [ROUNDS]
 * Prints p50 and p99 of each, in microseconds, and their ratios.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shared/varlink/varlink-client.h"

/* Byte for byte what ocxlpmemctl sends (json-c, plain), NUL included. */
static const char request[] = "{\"method\":\"io.ocxlpmem.Manager.ListCards\",\"parameters\":{}}";
#define REQUEST_LEN sizeof(request) /* with the NUL */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int connect_unix(const struct sockaddr_un *sa, socklen_t salen,
			struct varlink_client **ret)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, salen) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return varlink_client_new_fd(fd, ret);
}

/*
 * The baseline's server: one connection; each request is answered with as
 * many bytes as the decimal number it starts with (the client puts the
 * daemon's reply size there, keeping the request's length).
 */
static int echo_server(int listen_fd)
{
	int fd = accept(listen_fd, NULL, NULL);
	struct varlink_client *c;
	char *reply = NULL;
	size_t reply_cap = 0;

	if (fd < 0 || varlink_client_new_fd(fd, &c) < 0)
		return 1;
	for (;;) {
		const char *msg;
		size_t len, want;
		int r = varlink_client_read_raw(c, -1, &msg, &len);

		if (r == -ECONNRESET)
			return 0;
		if (r < 0)
			return 1;
		want = strtoul(msg, NULL, 10);
		if (want < 1)
			return 1;
		if (want > reply_cap) {
			free(reply);
			reply = malloc(want);
			if (!reply)
				return 1;
			memset(reply, 'x', want);
			reply_cap = want;
		}
		/* want bytes with the NUL the library adds. */
		if (varlink_client_send(c, reply, want - 1) < 0)
			return 1;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) in microseconds; sorts v. */
static double percentile_us(int64_t *v, size_t n, unsigned int p)
{
	size_t rank = (n * p + 99) / 100;

	qsort(v, n, sizeof(*v), cmp_i64);
	return (double)v[rank ? rank - 1 : 0] / 1000.0;
}

/* One ListCards call; the reply's size (with its NUL) or -errno. */
static ssize_t list_cards(struct varlink_client *d)
{
	const char *msg;
	size_t len;
	int r = varlink_client_send(d, request, REQUEST_LEN - 1);

	if (r == 0)
		r = varlink_client_read_raw(d, -1, &msg, &len);
	if (r < 0)
		return r;
	/* A reply, not an error: {"parameters":{"cards":[...]}} */
	if (strncmp(msg, "{\"parameters\":{\"cards\":[", 24) != 0)
		return -EBADMSG;
	return (ssize_t)len + 1;
}

/* One baseline round trip: a request as long as ListCards', asking for n bytes. */
static int echo_once(struct varlink_client *e, size_t n)
{
	char req[REQUEST_LEN];
	const char *msg;
	size_t len;
	int r;

	memset(req, ' ', sizeof(req));
	req[snprintf(req, sizeof(req), "%zu", n)] = ' ';
	r = varlink_client_send(e, req, sizeof(req) - 1);
	if (r == 0)
		r = varlink_client_read_raw(e, -1, &msg, &len);
	if (r < 0)
		return r;
	return len + 1 == n ? 0 : -EBADMSG;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX }, ea = { .sun_family = AF_UNIX };
	struct varlink_client *d = NULL, *e = NULL;
	size_t calls = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
	size_t rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 10;
	size_t per, done = 0, min_size = SIZE_MAX, max_size = 0;
	int64_t *lat_d, *lat_e;
	size_t *sizes;
	int listen_fd, status, ret = 1, rd, re;
	socklen_t ealen;
	pid_t child;
	ssize_t n;

	if (argc < 2 || strlen(argv[1]) >= sizeof(sa.sun_path) || calls < 100 || rounds < 1 ||
	    calls % rounds) {
		fprintf(stderr, "usage: status-latency SOCKET [CALLS >= 100] [ROUNDS dividing CALLS]\n");
		return 64;
	}
	per = calls / rounds;
	strcpy(sa.sun_path, strncmp(argv[1], "unix:", 5) ? argv[1] : argv[1] + 5);

	/* The echo server on an abstract socket, private to this run. */
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ealen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			    (size_t)snprintf(ea.sun_path + 1, sizeof(ea.sun_path) - 1,
					     "ocxlpmem-status-latency-%d", (int)getpid()));
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&ea, ealen) < 0 ||
	    listen(listen_fd, 1) < 0) {
		perror("status-latency: echo socket");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("status-latency: fork");
		return 1;
	}
	if (child == 0)
		_exit(echo_server(listen_fd));
	close(listen_fd);

	lat_d = calloc(calls, sizeof(*lat_d));
	lat_e = calloc(calls, sizeof(*lat_e));
	sizes = calloc(calls, sizeof(*sizes));
	rd = connect_unix(&sa, sizeof(sa), &d);
	re = connect_unix(&ea, ealen, &e);
	if (!lat_d || !lat_e || !sizes || rd < 0 || re < 0) {
		fprintf(stderr, "status-latency: cannot connect to %s: %s\n", sa.sun_path,
			strerror(rd < 0 ? -rd : re < 0 ? -re : ENOMEM));
		goto out;
	}

	/* Warm up both paths (caches, the daemon's buffers). */
	for (unsigned int i = 0; i < 50; i++) {
		n = list_cards(d);
		if (n < 0 || echo_once(e, (size_t)n) < 0) {
			fprintf(stderr, "status-latency: warm-up failed: %s\n", strerror(n < 0 ? (int)-n : EIO));
			goto out;
		}
	}

	for (size_t r = 0; r < rounds; r++) {
		for (size_t i = 0; i < per; i++) {
			int64_t t0 = now_ns();

			n = list_cards(d);
			lat_d[done + i] = now_ns() - t0;
			if (n < 0) {
				fprintf(stderr, "status-latency: ListCards: %s\n", strerror((int)-n));
				goto out;
			}
			/* The baseline's call of the same index gets this size. */
			sizes[done + i] = (size_t)n;
			if ((size_t)n < min_size)
				min_size = (size_t)n;
			if ((size_t)n > max_size)
				max_size = (size_t)n;
		}
		for (size_t i = 0; i < per; i++) {
			int64_t t0 = now_ns();
			int err = echo_once(e, sizes[done + i]);

			lat_e[done + i] = now_ns() - t0;
			if (err < 0) {
				fprintf(stderr, "status-latency: echo: %s\n", strerror(-err));
				goto out;
			}
		}
		done += per;
	}

	{
		double d50 = percentile_us(lat_d, calls, 50), d99 = percentile_us(lat_d, calls, 99);
		double e50 = percentile_us(lat_e, calls, 50), e99 = percentile_us(lat_e, calls, 99);

		printf("calls:               %zu in %zu alternating rounds, one connection each\n",
		       calls, rounds);
		printf("request:             %zu bytes; reply %zu", REQUEST_LEN, min_size);
		if (max_size != min_size)
			printf("-%zu", max_size);
		printf(" bytes (NUL included)\n");
		printf("ListCards (daemon):  p50 %8.1f us   p99 %8.1f us\n", d50, d99);
		printf("raw unix round trip: p50 %8.1f us   p99 %8.1f us\n", e50, e99);
		printf("ratio daemon/raw:    p50 %8.2f      p99 %8.2f\n", d50 / e50, d99 / e99);
	}
	ret = 0;
out:
	varlink_client_free(e); /* the child sees EOF and exits */
	varlink_client_free(d);
	if (ret)
		kill(child, SIGTERM);
	if (waitpid(child, &status, 0) == child && ret == 0 &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		fprintf(stderr, "status-latency: the echo server failed\n");
		ret = 1;
	}
	free(lat_d);
	free(lat_e);
	free(sizes);
	return ret;
}
