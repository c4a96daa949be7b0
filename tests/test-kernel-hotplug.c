// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel backend's hotplug source without udev events: a monitor
 * overflow (ENOBUFS) and a kick from a command thread each ask for a
 * rescan; a quiet monitor asks for nothing.  udev_monitor_receive_device()
 * is replaced (ld --wrap) so the overflow can happen on demand.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libudev.h>

#include "transport-kernel.h"

struct udev_device *__wrap_udev_monitor_receive_device(struct udev_monitor *m);
struct udev_device *__real_udev_monitor_receive_device(struct udev_monitor *m);

/* Overflows to report before the socket reads as empty. */
static int overflows;
static int receive_calls;

struct udev_device *__wrap_udev_monitor_receive_device(struct udev_monitor *m)
{
	receive_calls++;
	if (overflows > 0) {
		overflows--;
		errno = ENOBUFS;
		return NULL;
	}
	errno = EAGAIN;
	return NULL;
}

static int setup(void **state)
{
	return kernel_hotplug_new((struct kernel_hotplug **)state) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	kernel_hotplug_free(*state);
	return 0;
}

static void test_quiet(void **state)
{
	struct kernel_hotplug_changes ch = { 0 };

	overflows = 0;
	assert_int_equal(kernel_hotplug_drain(*state, &ch), 0);
	assert_false(ch.rescan);
	assert_int_equal(ch.ndimms, 0);
	kernel_hotplug_changes_clear(&ch);
}

static void test_overflow_rescans(void **state)
{
	struct kernel_hotplug_changes ch = { 0 };

	overflows = 2;
	receive_calls = 0;
	assert_int_equal(kernel_hotplug_drain(*state, &ch), 0);
	assert_true(ch.rescan);
	/* It keeps reading after an overflow, until the socket is empty. */
	assert_int_equal(receive_calls, 3);
	kernel_hotplug_changes_clear(&ch);
}

static void test_kick_rescans(void **state)
{
	struct kernel_hotplug_changes ch = { 0 };
	int fd = kernel_hotplug_kick_fd(*state);

	assert_true(fd >= 0);
	overflows = 0;
	kernel_kick(fd);
	close(fd);
	assert_int_equal(kernel_hotplug_drain(*state, &ch), 0);
	assert_true(ch.rescan);
	kernel_hotplug_changes_clear(&ch);
	/* Drained: the next round is quiet again. */
	assert_int_equal(kernel_hotplug_drain(*state, &ch), 0);
	assert_false(ch.rescan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_overflow_rescans),
		cmocka_unit_test(test_kick_rescans),
	};
	struct kernel_hotplug *h;
	int r = kernel_hotplug_new(&h);

	if (r < 0) {
		printf("SKIP: no udev monitor here (netlink uevent socket: %s)\n", strerror(-r));
		return 77;
	}
	kernel_hotplug_free(h);
	return cmocka_run_group_tests(tests, setup, teardown);
}
