// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Misbehaving and plain Varlink clients for tests/test-varlink-server.sh,
 * where socat cannot do the job:
 *
 *   varlink-flood flood SOCKET N [TIMEOUT_S]
 *	Open N connections at once, then send GetVersion on each and wait for
 *	every one to be answered or closed.  Prints "answered A refused R";
 *	exits 0 when every connection got one or the other in time.
 *   varlink-flood noread SOCKET [TIMEOUT_S]
 *	Call ListCards over and over on one connection and never read a
 *	reply.  Exits 0 once the daemon drops the connection, 1 at the timeout.
 *   varlink-flood call SOCKET JSON [TIMEOUT_S]
 *	Send one message and print each reply on a line (flushed), until a
 *	reply without "continues": true (exit 0), EOF (exit 2) or the timeout
 *	(exit 1).  Unlike socat, it never half-closes the connection.
 *
 * The well-behaved parts (connecting, calls, reading replies) use the
 * Varlink library's client (shared/varlink/varlink-client.h); the
 * misbehaving ones (never reading, messages sent as they are) use its
 * descriptor and its raw framing.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "shared/varlink/varlink-client.h"

#define GET_VERSION "io.ocxlpmem.Manager.GetVersion"
#define LIST_CARDS "{\"method\":\"io.ocxlpmem.Manager.ListCards\"}"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- flood ----------------------------------------------------------------- */

struct client {
	struct varlink_client *c;
	enum { WAITING, ANSWERED, REFUSED } state;
};

/* A reply that carries the version: anything else is neither answer nor refusal. */
static bool good_version_reply(const struct varlink_reply *r)
{
	struct json_object *v;

	return !r->error && json_object_object_get_ex(r->parameters, "version", &v) &&
	       json_object_is_type(v, json_type_string);
}

static int flood(const char *path, unsigned int n, int timeout_s)
{
	struct client *c = calloc(n, sizeof(*c));
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	unsigned int answered = 0, refused = 0, bad = 0, pending = 0;
	long long deadline = now_ms() + timeout_s * 1000LL;
	struct rlimit rl;
	int r;

	if (!c || !pfd) {
		perror("calloc");
		return 1;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 16 && rl.rlim_max >= n + 16) {
		rl.rlim_cur = n + 16;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Every connection first, so that they are all open at once. */
	for (unsigned int i = 0; i < n; i++) {
		r = varlink_client_connect(path, &c[i].c);
		if (r < 0) {
			fprintf(stderr, "connection %u: %s\n", i, strerror(-r));
			c[i].state = REFUSED;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		if (c[i].state == WAITING && varlink_client_call(c[i].c, GET_VERSION, NULL, 0) < 0)
			c[i].state = REFUSED; /* closed under us: refused */
	for (;;) {
		int timeout;

		pending = 0;
		for (unsigned int i = 0; i < n; i++) {
			pfd[i].fd = c[i].state == WAITING ? varlink_client_fd(c[i].c) : -1;
			pfd[i].events = POLLIN;
			pending += c[i].state == WAITING;
		}
		if (!pending)
			break;
		timeout = (int)(deadline - now_ms());
		if (timeout <= 0)
			break;
		r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR) {
			perror("poll");
			return 1;
		}
		for (unsigned int i = 0; r > 0 && i < n; i++) {
			struct varlink_reply reply;
			int got;

			if (!pfd[i].revents || c[i].state != WAITING)
				continue;
			/* Only what has arrived: the rest comes with the next poll. */
			got = varlink_client_read(c[i].c, 0, &reply);
			if (got == -ETIMEDOUT)
				continue;
			if (got == -ECONNRESET || got == -EPIPE) {
				/* EOF or ECONNRESET before any reply: refused. */
				c[i].state = REFUSED;
				continue;
			}
			if (got < 0) {
				fprintf(stderr, "connection %u: %s\n", i, strerror(-got));
				c[i].state = REFUSED;
				bad++;
				continue;
			}
			if (good_version_reply(&reply)) {
				c[i].state = ANSWERED;
			} else {
				fprintf(stderr, "connection %u: unexpected reply: %s\n", i,
					json_object_to_json_string(reply.object));
				c[i].state = REFUSED;
				bad++;
			}
			varlink_reply_clear(&reply);
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		answered += c[i].state == ANSWERED;
		refused += c[i].state == REFUSED;
		varlink_client_free(c[i].c);
	}
	printf("answered %u refused %u pending %u bad %u\n", answered, refused - bad, pending, bad);
	free(c);
	free(pfd);
	return pending || bad ? 1 : 0;
}

/* ---- noread ---------------------------------------------------------------- */

static int noread(const char *path, int timeout_s)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	static const char msg[] = LIST_CARDS;
	struct varlink_client *c;
	unsigned long calls = 0;
	size_t off = 0;
	int fd, r = varlink_client_connect(path, &c);

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
		return 1;
	}
	/* Raw from here: a client that writes and never reads is what no
	 * library call would be. */
	fd = varlink_client_fd(c);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int timeout = (int)(deadline - now_ms());
		ssize_t n;

		if (timeout <= 0) {
			printf("still connected after %lu calls\n", calls);
			varlink_client_free(c);
			return 1;
		}
		if (poll(&p, 1, timeout) <= 0)
			continue;
		if (p.revents & (POLLERR | POLLHUP)) {
			printf("dropped after %lu calls\n", calls);
			varlink_client_free(c);
			return 0;
		}
		n = send(fd, msg + off, sizeof(msg) - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			printf("dropped after %lu calls: %s\n", calls, strerror(errno));
			varlink_client_free(c);
			return 0;
		}
		off += (size_t)n;
		if (off == sizeof(msg)) { /* with its NUL */
			off = 0;
			calls++;
		}
	}
}

/* ---- call ------------------------------------------------------------------ */

static int call(const char *path, const char *msg, int timeout_s)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	struct varlink_client *c;
	int r = varlink_client_connect(path, &c);

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
		return 1;
	}
	/* As it is: the test sends what a well-behaved client would not. */
	r = varlink_client_send(c, msg, strlen(msg));
	if (r < 0) {
		fprintf(stderr, "send: %s\n", strerror(-r));
		goto fail;
	}
	for (;;) {
		int timeout = (int)(deadline - now_ms());
		struct varlink_reply reply = { 0 };
		const char *text, *why;
		bool continues;
		size_t len;

		r = varlink_client_read_raw(c, timeout > 0 ? timeout : 0, &text, &len);
		if (r == -ETIMEDOUT) {
			fprintf(stderr, "timed out\n");
			goto fail;
		}
		if (r == -EMSGSIZE) {
			fprintf(stderr, "reply too large\n");
			goto fail;
		}
		if (r < 0) {
			fprintf(stderr, "connection closed\n");
			varlink_client_free(c);
			return 2;
		}
		printf("%s\n", text);
		fflush(stdout);
		/* What is not a reply ends it too. */
		continues = varlink_reply_parse(text, len, &reply, &why) == 0 && reply.continues;
		varlink_reply_clear(&reply);
		if (!continues) {
			varlink_client_free(c);
			return 0;
		}
	}
fail:
	varlink_client_free(c);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: varlink-flood flood SOCKET N [TIMEOUT_S]\n"
			"       varlink-flood noread SOCKET [TIMEOUT_S]\n"
			"       varlink-flood call SOCKET JSON [TIMEOUT_S]\n");
	return 64;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && argc <= 5 && strcmp(argv[1], "flood") == 0) {
		int n = atoi(argv[3]);

		if (n <= 0)
			return usage();
		return flood(argv[2], (unsigned int)n, argc == 5 ? atoi(argv[4]) : 20);
	}
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "noread") == 0)
		return noread(argv[2], argc == 4 ? atoi(argv[3]) : 20);
	if (argc >= 4 && argc <= 5 && strcmp(argv[1], "call") == 0)
		return call(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 10);
	return usage();
}
