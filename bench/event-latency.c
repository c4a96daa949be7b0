// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Latency from a fault injected into a simulated card to the Monitor event
 * a Varlink client sees: the clock starts just before InjectFault (an
 * error-log entry on card ocxlpmemK) is sent and stops when the Monitor
 * stream delivers the alert for that card.  That is the whole path of a
 * real card event: the model raises ERROR_LOG_AVAILABLE, the backend's
 * event descriptor wakes the loop, the daemon reads the entry through the
 * executor, raises the alert and streams it.
 *
 * Injections go round the cards, one at a time, each after the stream has
 * been quiet for QUIET_MS, so that no two overlap.  The baseline, measured
 * in the same run over the same connections, is the round trip of a call
 * that does no card work (GetVersion): what any event costs at least.
 *
 * Usage: event-latency SOCKET CARDS [INJECTIONS]
 * Prints p50, p99 and max of each, in microseconds, and the ratios.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QUIET_MS 30
#define EVENT_TIMEOUT_MS 5000

struct conn {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c->len = 0;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static int conn_send(struct conn *c, const char *msg)
{
	size_t n = strlen(msg) + 1; /* the NUL ends a message */

	while (n) {
		ssize_t w = send(c->fd, msg, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		msg += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The next message (NUL-terminated, in out), waiting at most timeout_ms:
 * 1, 0 on timeout, or -errno.
 */
static int conn_recv(struct conn *c, char *out, size_t cap, int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;

	for (;;) {
		char *nul = memchr(c->buf, '\0', c->len);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int64_t left;
		ssize_t r;

		if (nul) {
			size_t n = (size_t)(nul - c->buf) + 1;

			if (n > cap)
				return -EMSGSIZE;
			memcpy(out, c->buf, n);
			memmove(c->buf, nul + 1, c->len - n);
			c->len -= n;
			return 1;
		}
		if (c->len == sizeof(c->buf))
			return -EMSGSIZE;
		left = (deadline - now_ns()) / 1000000;
		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0)
			return -ECONNRESET;
		if (r > 0)
			c->len += (size_t)r;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(int64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i] / 1000.0;
}

static int fail(const char *what, int r)
{
	fprintf(stderr, "event-latency: %s: %s\n", what, r ? strerror(-r) : "timed out");
	return 1;
}

int main(int argc, char **argv)
{
	static char msg[1 << 16];
	struct conn mon, ctl;
	unsigned long cards, n;
	int64_t *ev, *base;
	int r;

	if (argc < 3) {
		fprintf(stderr, "usage: event-latency SOCKET CARDS [INJECTIONS]\n");
		return 64;
	}
	cards = strtoul(argv[2], NULL, 10);
	n = argc > 3 ? strtoul(argv[3], NULL, 10) : 500;
	if (!cards || !n)
		return 64;
	ev = calloc(n, sizeof(*ev));
	base = calloc(n, sizeof(*base));
	if (!ev || !base)
		return 1;

	r = conn_open(&mon, argv[1]);
	if (r == 0)
		r = conn_open(&ctl, argv[1]);
	if (r < 0)
		return fail("connect", r);
	r = conn_send(&mon, "{\"method\":\"io.ocxlpmem.Manager.Monitor\",\"more\":true}");
	if (r == 0)
		r = conn_recv(&mon, msg, sizeof(msg), EVENT_TIMEOUT_MS);
	if (r <= 0 || !strstr(msg, "\"ready\":true"))
		return fail("Monitor", r);

	for (unsigned long i = 0; i < n; i++) {
		char call[256], want[64];
		int64_t t0;

		/* Let the previous injection's aftermath (polls, clears) pass. */
		while ((r = conn_recv(&mon, msg, sizeof(msg), QUIET_MS)) > 0) {
		}
		if (r < 0)
			return fail("Monitor stream", r);

		t0 = now_ns();
		r = conn_send(&ctl, "{\"method\":\"io.ocxlpmem.Manager.GetVersion\"}");
		if (r == 0)
			r = conn_recv(&ctl, msg, sizeof(msg), EVENT_TIMEOUT_MS);
		if (r <= 0)
			return fail("GetVersion", r);
		base[i] = now_ns() - t0;

		snprintf(want, sizeof(want), "\"card\":\"ocxlpmem%lu\"", i % cards);
		snprintf(call, sizeof(call),
			 "{\"method\":\"io.ocxlpmem.Simulation.InjectFault\",\"parameters\":"
			 "{\"card\":\"ocxlpmem%lu\",\"fault\":\"error-log\"}}", i % cards);
		t0 = now_ns();
		r = conn_send(&ctl, call);
		if (r < 0)
			return fail("InjectFault", r);
		for (;;) {
			r = conn_recv(&mon, msg, sizeof(msg), EVENT_TIMEOUT_MS);
			if (r <= 0)
				return fail("waiting for the event", r);
			if (strstr(msg, want) && strstr(msg, "\"kind\":\"alert\""))
				break;
		}
		ev[i] = now_ns() - t0;
		r = conn_recv(&ctl, msg, sizeof(msg), EVENT_TIMEOUT_MS);
		if (r <= 0 || strstr(msg, "\"error\""))
			return fail(r > 0 ? msg : "InjectFault reply", r);
	}

	qsort(ev, n, sizeof(*ev), cmp_i64);
	qsort(base, n, sizeof(*base), cmp_i64);
	printf("injections:          %lu, round the %lu cards, %d ms apart at least\n", n, cards,
	       QUIET_MS);
	printf("fault -> Monitor:    p50 %8.1f us   p99 %8.1f us   max %8.1f us\n",
	       pct_us(ev, n, 0.5), pct_us(ev, n, 0.99), (double)ev[n - 1] / 1000.0);
	printf("GetVersion (base):   p50 %8.1f us   p99 %8.1f us   max %8.1f us\n",
	       pct_us(base, n, 0.5), pct_us(base, n, 0.99), (double)base[n - 1] / 1000.0);
	printf("ratio event/base:    p50 %8.2f      p99 %8.2f\n",
	       pct_us(ev, n, 0.5) / pct_us(base, n, 0.5), pct_us(ev, n, 0.99) / pct_us(base, n, 0.99));
	free(ev);
	free(base);
	return 0;
}
