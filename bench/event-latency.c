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
 * The connections are the Varlink library's client
 * (shared/varlink/varlink-client.h).
 *
 * Usage: event-latency SOCKET CARDS [INJECTIONS]
 * Prints p50, p99 and max of each, in microseconds, and the ratios.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shared/varlink/varlink-client.h"

#define QUIET_MS 30
#define EVENT_TIMEOUT_MS 5000

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The next message (raw, NUL-terminated), waiting at most timeout_ms:
 * 1 with *ret_msg valid until the next read, 0 on timeout, or -errno.
 */
static int conn_recv(struct varlink_client *c, const char **ret_msg, int timeout_ms)
{
	size_t len;
	int r = varlink_client_read_raw(c, timeout_ms, ret_msg, &len);

	return r == -ETIMEDOUT ? 0 : r < 0 ? r : 1;
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
	struct varlink_client *mon, *ctl;
	const char *msg = "";
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

	r = varlink_client_connect(argv[1], &mon);
	if (r == 0)
		r = varlink_client_connect(argv[1], &ctl);
	if (r < 0)
		return fail("connect", r);
	r = varlink_client_call(mon, "io.ocxlpmem.Manager.Monitor", NULL, VARLINK_CALL_MORE);
	if (r == 0)
		r = conn_recv(mon, &msg, EVENT_TIMEOUT_MS);
	if (r <= 0 || !strstr(msg, "\"ready\":true"))
		return fail("Monitor", r);

	for (unsigned long i = 0; i < n; i++) {
		struct json_object *params;
		struct varlink_reply reply;
		char card[32], want[64];
		int64_t t0;

		/* Let the previous injection's aftermath (polls, clears) pass. */
		while ((r = conn_recv(mon, &msg, QUIET_MS)) > 0) {
		}
		if (r < 0)
			return fail("Monitor stream", r);

		t0 = now_ns();
		r = varlink_client_call(ctl, "io.ocxlpmem.Manager.GetVersion", NULL, 0);
		if (r == 0)
			r = conn_recv(ctl, &msg, EVENT_TIMEOUT_MS);
		if (r <= 0)
			return fail("GetVersion", r);
		base[i] = now_ns() - t0;

		snprintf(card, sizeof(card), "ocxlpmem%lu", i % cards);
		snprintf(want, sizeof(want), "\"card\":\"%s\"", card);
		/* Built before the clock starts, as the text was. */
		params = json_object_new_object();
		json_object_object_add(params, "card", json_object_new_string(card));
		json_object_object_add(params, "fault", json_object_new_string("error-log"));
		t0 = now_ns();
		r = varlink_client_call(ctl, "io.ocxlpmem.Simulation.InjectFault", params, 0);
		if (r < 0)
			return fail("InjectFault", r);
		for (;;) {
			r = conn_recv(mon, &msg, EVENT_TIMEOUT_MS);
			if (r <= 0)
				return fail("waiting for the event", r);
			if (strstr(msg, want) && strstr(msg, "\"kind\":\"alert\""))
				break;
		}
		ev[i] = now_ns() - t0;
		r = varlink_client_read(ctl, EVENT_TIMEOUT_MS, &reply);
		if (r < 0)
			return fail("InjectFault reply", r == -ETIMEDOUT ? 0 : r);
		if (reply.error) {
			fprintf(stderr, "event-latency: InjectFault: %s\n", reply.error);
			return 1;
		}
		varlink_reply_clear(&reply);
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
	varlink_client_free(mon);
	varlink_client_free(ctl);
	free(ev);
	free(base);
	return 0;
}
