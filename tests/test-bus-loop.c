// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sd-bus on libevent (daemon/dbus/bus-loop.c), against a private
 * dbus-daemon this test starts: a server and a client connection on the
 * same loop talk to each other, so every step (Hello, name request, call,
 * reply, a reply too large for one write, a deferred reply) goes through
 * the loop's watches.  And when the bus dies, the loop says so once.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbus/bus-loop.h"

struct bus_daemon {
	pid_t pid;
	char dir[64];
	char address[256];
};

static struct bus_daemon busd;

static int start_bus_daemon(struct bus_daemon *d)
{
	int pipefd[2];
	char arg[300];
	ssize_t n;
	size_t len = 0;

	snprintf(d->dir, sizeof(d->dir), "/tmp/test-bus-loop.XXXXXX");
	if (!mkdtemp(d->dir) || pipe(pipefd) < 0)
		return -errno;
	snprintf(arg, sizeof(arg), "--address=unix:path=%s/bus", d->dir);
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* It warns that root may not raise its fd limit here: noise. */
		dup2(pipefd[1], 1);
		dup2(null, 2);
		close(pipefd[0]);
		execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile",
		       "--print-address=1", arg, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < sizeof(d->address) - 1 &&
	       (n = read(pipefd[0], d->address + len, sizeof(d->address) - 1 - len)) > 0) {
		len += (size_t)n;
		if (memchr(d->address, '\n', len))
			break;
	}
	close(pipefd[0]);
	d->address[len] = '\0';
	if (!strchr(d->address, '\n'))
		return -EIO;
	*strchr(d->address, '\n') = '\0';
	return 0;
}

static void stop_bus_daemon(struct bus_daemon *d)
{
	char path[128];

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
	snprintf(path, sizeof(path), "%s/bus", d->dir);
	unlink(path);
	rmdir(d->dir);
}

static sd_bus *connect_to(const char *address)
{
	sd_bus *bus = NULL;

	assert_int_equal(sd_bus_new(&bus), 0);
	assert_true(sd_bus_set_address(bus, address) >= 0);
	assert_int_equal(sd_bus_set_bus_client(bus, 1), 0);
	assert_true(sd_bus_start(bus) >= 0);
	return bus;
}

struct fixture {
	struct event_base *base;
	sd_bus *server, *client;
	struct bus_loop *server_loop, *client_loop;
	struct event *deadline;
	sd_bus_message *deferred;     /* a call answered later */
	struct event *answer_later;
	int replies, lost, lost_error;
	char *reply_text;
	bool timed_out;
};

static void on_deadline(evutil_socket_t fd, short what, void *userdata)
{
	struct fixture *f = userdata;

	(void)fd;
	(void)what;
	f->timed_out = true;
	event_base_loopbreak(f->base);
}

static int m_echo(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *s;
	int r;

	(void)userdata;
	(void)error;
	r = sd_bus_message_read(m, "s", &s);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(m, "s", s);
}

static void on_answer_later(evutil_socket_t fd, short what, void *userdata)
{
	struct fixture *f = userdata;

	(void)fd;
	(void)what;
	sd_bus_reply_method_return(f->deferred, "s", "later");
	f->deferred = sd_bus_message_unref(f->deferred);
	/* Sent outside the server loop's own callbacks: it must be told. */
	bus_loop_kick(f->server_loop);
}

static int m_later(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *f = userdata;
	struct timeval tv = { 0, 50000 };

	(void)error;
	f->deferred = sd_bus_message_ref(m);
	evtimer_add(f->answer_later, &tv);
	return 1;
}

static const sd_bus_vtable test_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Echo", "s", "s", m_echo, 0),
	SD_BUS_METHOD("Later", "", "s", m_later, 0),
	SD_BUS_VTABLE_END,
};

static void on_lost(struct bus_loop *l, int error, void *userdata)
{
	struct fixture *f = userdata;

	(void)l;
	f->lost++;
	f->lost_error = error;
	event_base_loopbreak(f->base);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct timeval tv = { 10, 0 };

	if (!f || start_bus_daemon(&busd) < 0)
		return -1;
	f->base = event_base_new();
	f->server = connect_to(busd.address);
	f->client = connect_to(busd.address);
	assert_true(sd_bus_add_object_vtable(f->server, NULL, "/test", "io.ocxlpmem1.Test",
						  test_vtable, f) >= 0);
	assert_true(sd_bus_request_name_async(f->server, NULL, "io.ocxlpmem1.Test", 0,
						   NULL, NULL) >= 0);
	assert_int_equal(bus_loop_attach(f->base, f->server, on_lost, f, &f->server_loop), 0);
	assert_int_equal(bus_loop_attach(f->base, f->client, on_lost, f, &f->client_loop), 0);
	f->deadline = evtimer_new(f->base, on_deadline, f);
	f->answer_later = evtimer_new(f->base, on_answer_later, f);
	evtimer_add(f->deadline, &tv);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bus_loop_detach(f->server_loop);
	bus_loop_detach(f->client_loop);
	sd_bus_unref(f->server);
	sd_bus_unref(f->client);
	sd_bus_message_unref(f->deferred);
	event_free(f->deadline);
	event_free(f->answer_later);
	event_base_free(f->base);
	free(f->reply_text);
	free(f);
	stop_bus_daemon(&busd);
	return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *f = userdata;
	const char *s;

	(void)error;
	if (sd_bus_message_is_method_error(m, NULL)) {
		fprintf(stderr, "error reply: %s\n", sd_bus_message_get_error(m)->message);
	} else if (sd_bus_message_read(m, "s", &s) >= 0) {
		free(f->reply_text);
		f->reply_text = strdup(s);
	}
	f->replies++;
	event_base_loopbreak(f->base);
	return 0;
}

/* The call waits for the name to be owned (the request is async). */
static void call(struct fixture *f, const char *method, const char *arg)
{
	if (arg)
		assert_true(sd_bus_call_method_async(f->client, NULL, "io.ocxlpmem1.Test", "/test",
						     "io.ocxlpmem1.Test", method, on_reply, f,
						     "s", arg) >= 0);
	else
		assert_true(sd_bus_call_method_async(f->client, NULL, "io.ocxlpmem1.Test", "/test",
						     "io.ocxlpmem1.Test", method, on_reply, f,
						     "") >= 0);
	bus_loop_kick(f->client_loop);
}

static void wait_name(struct fixture *f)
{
	/* Poll the bus for the owner without blocking the loop. */
	for (int i = 0; i < 200; i++) {
		struct timeval tv = { 0, 10000 };

		if (sd_bus_get_name_creds(f->client, "io.ocxlpmem1.Test", 0, NULL) >= 0)
			return;
		event_base_loopexit(f->base, &tv);
		event_base_dispatch(f->base);
	}
	fail_msg("the server never owned its name");
}

static void test_echo(void **state)
{
	struct fixture *f = *state;

	wait_name(f);
	call(f, "Echo", "hello");
	event_base_dispatch(f->base);
	assert_false(f->timed_out);
	assert_int_equal(f->replies, 1);
	assert_string_equal(f->reply_text, "hello");
}

/* 24 MiB each way: more than sd-bus's 8 MiB socket buffers, so both ends
 * need POLLOUT. */
static void test_large(void **state)
{
	struct fixture *f = *state;
	size_t n = 24u << 20;
	char *big = malloc(n + 1);

	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	wait_name(f);
	call(f, "Echo", big);
	event_base_dispatch(f->base);
	assert_false(f->timed_out);
	assert_int_equal(f->replies, 1);
	assert_int_equal(strlen(f->reply_text), n);
	free(big);
}

/* A reply sent from a timer, not from a bus callback, still goes out. */
static void test_deferred_reply(void **state)
{
	struct fixture *f = *state;

	wait_name(f);
	call(f, "Later", NULL);
	event_base_dispatch(f->base);
	assert_false(f->timed_out);
	assert_int_equal(f->replies, 1);
	assert_string_equal(f->reply_text, "later");
}

static void test_bus_lost(void **state)
{
	struct fixture *f = *state;

	wait_name(f);
	kill(busd.pid, SIGKILL);
	waitpid(busd.pid, NULL, 0);
	busd.pid = 0;
	event_base_dispatch(f->base);
	assert_false(f->timed_out);
	/* Both connections break; each tells once. */
	if (f->lost < 2)
		event_base_dispatch(f->base);
	assert_int_equal(f->lost, 2);
	assert_true(f->lost_error < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_lost, setup, teardown),
	};

	if (access("/usr/bin/dbus-daemon", X_OK) != 0) {
		printf("SKIP: dbus-daemon is not installed (Debian package dbus-daemon)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
