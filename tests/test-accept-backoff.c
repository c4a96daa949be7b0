// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A listener at the file-descriptor limit (shared/util/accept-backoff.c): with
 * clients waiting in the backlog and no descriptor left, accept() fails
 * with EMFILE on every wake-up.  The listener must pause instead of
 * spinning: a handful of attempts and one log line in 2 s, almost no CPU,
 * and the clients accepted once descriptors are free again.  Also the
 * split of RLIMIT_NOFILE between clients and the daemon (fd-budget.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "shared/util/accept-backoff.h"
#include "util/fd-budget.h"
#include "util/log.h"

#define CLIENTS 3

static int failures;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (cond) {                                                 \
			printf("ok - " __VA_ARGS__);                        \
		} else {                                                    \
			printf("FAIL - " __VA_ARGS__);                      \
			failures++;                                         \
		}                                                           \
		printf("\n");                                               \
	} while (0)

static const struct {
	unsigned long limit;
	unsigned int reserve, http, varlink;
} splits[] = {
	{ 524288, 131072, 64, 1024 },
	{ 20000, 5000, 64, 1024 },
	{ 1024, 256, 64, 704 },
	{ 128, 64, 8, 56 },
	{ 80, 64, 2, 14 },
	{ 64, 64, 1, 1 },
	{ 0, 64, 1, 1 },
};

static void test_split(void)
{
	for (size_t i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		struct fd_budget b;

		fd_budget_split(splits[i].limit, &b);
		CHECK(b.reserve == splits[i].reserve && b.http_max == splits[i].http &&
			      b.varlink_max == splits[i].varlink &&
			      (splits[i].limit < FD_RESERVE_MIN + 2 ||
			       b.reserve + b.http_max + b.varlink_max <= splits[i].limit),
		      "limit %lu: reserve %u (want %u), http %u (%u), varlink %u (%u)",
		      splits[i].limit, b.reserve, splits[i].reserve, b.http_max, splits[i].http,
		      b.varlink_max, splits[i].varlink);
	}
}

struct ctx {
	struct accept_backoff ab;
	unsigned int accepted, errors;
};

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
		      void *userdata)
{
	struct ctx *c = userdata;

	c->accepted++;
	close(fd);
}

static void on_error(struct evconnlistener *l, void *userdata)
{
	struct ctx *c = userdata;

	c->errors++;
	accept_backoff_error(&c->ab, EVUTIL_SOCKET_ERROR());
}

static long cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
}

static void run_for(struct event_base *base, long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void test_backoff(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	struct event_base *base = event_base_new();
	struct evconnlistener *l;
	struct ctx c = { 0 };
	struct rlimit rl;
	int sync[2], fds[256], nfds = 0, status;
	long cpu;
	pid_t child;
	char byte;

	if (!base || pipe(sync) < 0)
		abort();
	l = evconnlistener_new_bind(base, on_accept, &c, LEV_OPT_CLOSE_ON_FREE, 16,
				    (struct sockaddr *)&sa, sizeof(sa));
	if (!l || accept_backoff_init(&c.ab, base, l, "test", &LOG_SINK_DAEMON) < 0)
		abort();
	evconnlistener_set_error_cb(l, on_error);
	getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&sa, &salen);

	/* CLIENTS connections wait in the backlog until the child is killed. */
	child = fork();
	if (child == 0) {
		for (int i = 0; i < CLIENTS; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
				_exit(1);
		}
		(void)!write(sync[1], "x", 1);
		pause();
		_exit(0);
	}
	if (read(sync[0], &byte, 1) != 1)
		abort();

	/* No descriptor left. */
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &rl);
	for (;;) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			break;
		if (nfds == (int)(sizeof(fds) / sizeof(fds[0])))
			abort();
		fds[nfds++] = fd;
	}

	cpu = cpu_ms();
	run_for(base, 2000);
	cpu = cpu_ms() - cpu;
	CHECK(c.accepted == 0, "nothing accepted at the limit (%u)", c.accepted);
	CHECK(c.errors >= 1 && c.errors <= 2000 / ACCEPT_PAUSE_MS + 2,
	      "a few accept() attempts in 2 s, not a spin: %u", c.errors);
	CHECK(c.ab.log_lines == 1, "one log line: %lu", c.ab.log_lines);
	CHECK(cpu < 200, "CPU in 2 s at the limit: %ld ms (< 200)", cpu);

	/* Descriptors free again: the paused listener comes back by itself. */
	while (nfds)
		close(fds[--nfds]);
	run_for(base, 3 * ACCEPT_PAUSE_MS);
	CHECK(c.accepted == CLIENTS, "the waiting clients accepted after the pause: %u",
	      c.accepted);

	kill(child, SIGTERM);
	waitpid(child, &status, 0);
	accept_backoff_done(&c.ab);
	evconnlistener_free(l);
	event_base_free(base);
}

int main(void)
{
	log_open(LOG_TARGET_STDERR);
	test_split();
	test_backoff();
	return failures ? 1 : 0;
}
