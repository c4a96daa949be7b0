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

/* Byte for byte what ocxlpmemctl sends (json-c, plain), NUL included. */
static const char request[] = "{\"method\":\"io.ocxlpmem.Manager.ListCards\",\"parameters\":{}}";
#define REQUEST_LEN sizeof(request) /* with the NUL */

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read one NUL-terminated message; returns its length with the NUL, the
 * message at c->buf.  Bytes after it (none in a call-reply exchange) are
 * kept for the next read.
 */
static ssize_t read_message(struct conn *c)
{
	size_t scanned = 0;

	for (;;) {
		char *nul = c->len > scanned ? memchr(c->buf + scanned, '\0', c->len - scanned) : NULL;
		ssize_t n;

		if (nul)
			return nul - c->buf + 1;
		scanned = c->len;
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 1 << 20;
			char *b = realloc(c->buf, cap);

			if (!b)
				return -ENOMEM;
			c->buf = b;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		c->len += (size_t)n;
	}
}

/* Drop the message read_message() returned. */
static void consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

static int connect_unix(const struct sockaddr_un *sa, socklen_t salen)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, salen) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/*
 * The baseline's server: one connection; each request is answered with as
 * many bytes as the decimal number it starts with (the client puts the
 * daemon's reply size there, keeping the request's length).
 */
static int echo_server(int listen_fd)
{
	struct conn c = { .fd = accept(listen_fd, NULL, NULL) };
	char *reply = NULL;
	size_t reply_cap = 0;

	if (c.fd < 0)
		return 1;
	for (;;) {
		ssize_t n = read_message(&c);
		size_t want;

		if (n == -ECONNRESET)
			return 0;
		if (n < 0)
			return 1;
		want = strtoul(c.buf, NULL, 10);
		consume(&c, (size_t)n);
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
		reply[want - 1] = '\0';
		if (write_all(c.fd, reply, want) < 0)
			return 1;
		reply[want - 1] = 'x';
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
static ssize_t list_cards(struct conn *d)
{
	ssize_t n;
	int r = write_all(d->fd, request, REQUEST_LEN);

	if (r < 0)
		return r;
	n = read_message(d);
	if (n < 0)
		return n;
	/* A reply, not an error: {"parameters":{"cards":[...]}} */
	if (strncmp(d->buf, "{\"parameters\":{\"cards\":[", 24) != 0)
		return -EBADMSG;
	consume(d, (size_t)n);
	return n;
}

/* One baseline round trip: a request as long as ListCards', asking for n bytes. */
static int echo_once(struct conn *e, size_t n)
{
	char req[REQUEST_LEN];
	ssize_t got;
	int r;

	memset(req, ' ', sizeof(req));
	req[snprintf(req, sizeof(req), "%zu", n)] = ' ';
	req[sizeof(req) - 1] = '\0';
	r = write_all(e->fd, req, sizeof(req));
	if (r < 0)
		return r;
	got = read_message(e);
	if (got < 0)
		return (int)got;
	if ((size_t)got != n)
		return -EBADMSG;
	consume(e, (size_t)got);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX }, ea = { .sun_family = AF_UNIX };
	struct conn d = { .fd = -1 }, e = { .fd = -1 };
	size_t calls = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
	size_t rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 10;
	size_t per, done = 0, min_size = SIZE_MAX, max_size = 0;
	int64_t *lat_d, *lat_e;
	size_t *sizes;
	int listen_fd, status, ret = 1;
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
	d.fd = connect_unix(&sa, sizeof(sa));
	e.fd = connect_unix(&ea, ealen);
	if (!lat_d || !lat_e || !sizes || d.fd < 0 || e.fd < 0) {
		fprintf(stderr, "status-latency: cannot connect to %s: %s\n", sa.sun_path,
			strerror(d.fd < 0 ? -d.fd : e.fd < 0 ? -e.fd : ENOMEM));
		goto out;
	}

	/* Warm up both paths (caches, the daemon's buffers). */
	for (unsigned int i = 0; i < 50; i++) {
		n = list_cards(&d);
		if (n < 0 || echo_once(&e, (size_t)n) < 0) {
			fprintf(stderr, "status-latency: warm-up failed: %s\n", strerror(n < 0 ? (int)-n : EIO));
			goto out;
		}
	}

	for (size_t r = 0; r < rounds; r++) {
		for (size_t i = 0; i < per; i++) {
			int64_t t0 = now_ns();

			n = list_cards(&d);
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
			int err = echo_once(&e, sizes[done + i]);

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
	if (e.fd >= 0)
		close(e.fd); /* the child sees EOF and exits */
	if (d.fd >= 0)
		close(d.fd);
	if (ret)
		kill(child, SIGTERM);
	if (waitpid(child, &status, 0) == child && ret == 0 &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		fprintf(stderr, "status-latency: the echo server failed\n");
		ret = 1;
	}
	free(d.buf);
	free(e.buf);
	free(lat_d);
	free(lat_e);
	free(sizes);
	return ret;
}
