// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulation transport: discovery, hotplug, removal, fatal, reset. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <ocxlpmem/ocxlpmem.h>

struct seen {
	unsigned int added, removed;
	char last_added[32], last_removed[32];
};

static void listener(struct ocxlpmem_card *c, enum ocxlpmem_card_change change, void *userdata)
{
	struct seen *s = userdata;

	if (change == OCXLPMEM_CARD_ADDED) {
		s->added++;
		strcpy(s->last_added, ocxlpmem_card_id(c));
	} else {
		s->removed++;
		strcpy(s->last_removed, ocxlpmem_card_id(c));
	}
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static struct ocxlpmem_card *grab;

static void grab_listener(struct ocxlpmem_card *c, enum ocxlpmem_card_change change, void *userdata)
{
	listener(c, change, userdata);
	if (change == OCXLPMEM_CARD_ADDED && !grab)
		grab = ocxlpmem_card_ref(c);
}

static void test_scan_reports_every_card_once(void **state)
{
	struct ocxlpmem_transport *t;
	struct seen s = { 0 };

	assert_int_equal(ocxlpmem_transport_new_sim(3, NULL, &t), 0);
	assert_string_equal(ocxlpmem_transport_name(t), "sim");
	ocxlpmem_transport_set_listener(t, listener, &s);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	assert_int_equal(s.added, 3);
	assert_string_equal(s.last_added, "sim2");
	/* A second scan finds no difference. */
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	assert_int_equal(s.added, 3);
	assert_int_equal(s.removed, 0);
	ocxlpmem_transport_free(t);
}

static void test_zero_cards_is_fine(void **state)
{
	struct ocxlpmem_transport *t;
	struct seen s = { 0 };

	assert_int_equal(ocxlpmem_transport_new_sim(0, NULL, &t), 0);
	ocxlpmem_transport_set_listener(t, listener, &s);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	assert_int_equal(s.added, 0);
	assert_false(readable(ocxlpmem_transport_hotplug_fd(t), 0));
	ocxlpmem_transport_free(t);
}

static void test_hotplug_add_and_unplug(void **state)
{
	struct ocxlpmem_transport *t;
	struct seen s = { 0 };
	int fd;

	grab = NULL;
	assert_int_equal(ocxlpmem_transport_new_sim(1, NULL, &t), 0);
	ocxlpmem_transport_set_listener(t, grab_listener, &s);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	fd = ocxlpmem_transport_hotplug_fd(t);
	assert_true(fd >= 0);
	assert_false(readable(fd, 0));

	assert_int_equal(ocxlpmem_transport_sim_add(t, NULL), 0);
	assert_true(readable(fd, 1000));
	assert_int_equal(ocxlpmem_transport_hotplug_process(t), 0);
	assert_int_equal(s.added, 2);
	assert_string_equal(s.last_added, "sim1");
	assert_false(readable(fd, 0));

	assert_int_equal(ocxlpmem_transport_sim_unplug(t, "sim0"), 0);
	assert_int_equal(ocxlpmem_transport_sim_unplug(t, "sim9"), -ENOENT);
	assert_true(readable(fd, 1000));
	assert_int_equal(ocxlpmem_transport_hotplug_process(t), 0);
	assert_int_equal(s.removed, 1);
	assert_string_equal(s.last_removed, "sim0");

	/* A reference held across removal stays valid but the card is gone. */
	assert_non_null(grab);
	assert_string_equal(ocxlpmem_card_id(grab), "sim0");
	assert_false(ocxlpmem_card_is_present(grab));
	assert_int_equal(ocxlpmem_cmd_heartbeat(grab), -ENXIO);
	ocxlpmem_transport_free(t);
	/* ... even after the transport is gone. */
	assert_int_equal(ocxlpmem_cmd_heartbeat(grab), -ENXIO);
	grab = ocxlpmem_card_unref(grab);
}

static void test_fatal_takes_card_down_and_reset_brings_it_back(void **state)
{
	struct ocxlpmem_transport *t;
	struct ocxlpmem_card *c;
	struct seen s = { 0 };
	uint64_t events = 0;
	int efd;

	grab = NULL;
	assert_int_equal(ocxlpmem_transport_new_sim(1, NULL, &t), 0);
	ocxlpmem_transport_set_listener(t, grab_listener, &s);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	c = grab;
	efd = ocxlpmem_card_event_fd(c);
	assert_true(efd >= 0);
	assert_int_equal(ocxlpmem_card_event_ack(c, &events), 1);
	assert_int_equal(events, 0);

	ocxlpmem_model_set_fatal(ocxlpmem_card_model(c), true);
	assert_true(readable(efd, 1000));
	/* The bits come with the notification: no command needed (the card
	 * is already gone, as after a real fatal error). */
	assert_int_equal(ocxlpmem_card_event_ack(c, &events), 1);
	assert_true(events & OCXLPMEM_EVENT_HARDWARE_FATAL);
	assert_false(readable(efd, 0));
	/* As the driver unregisters the bus: udev (our hotplug fd) says so. */
	assert_true(readable(ocxlpmem_transport_hotplug_fd(t), 1000));
	assert_int_equal(ocxlpmem_transport_hotplug_process(t), 0);
	assert_int_equal(s.removed, 1);
	assert_false(ocxlpmem_card_is_present(c));

	assert_int_equal(ocxlpmem_transport_sim_reset(t, "sim0"), 0);
	assert_int_equal(ocxlpmem_transport_hotplug_process(t), 0);
	assert_int_equal(s.added, 2);
	assert_string_equal(s.last_added, "sim0");
	grab = ocxlpmem_card_unref(grab);
	ocxlpmem_transport_free(t);
}

static void test_serials_distinct_and_hinted(void **state)
{
	struct ocxlpmem_model_config tmpl = { .serial = 5000, .seed = 7 };
	struct ocxlpmem_transport *t;
	struct ocxlpmem_capabilities caps;
	struct seen s = { 0 };

	grab = NULL;
	assert_int_equal(ocxlpmem_transport_new_sim(2, &tmpl, &t), 0);
	ocxlpmem_transport_set_listener(t, grab_listener, &s);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	assert_int_equal(ocxlpmem_card_serial_hint(grab), 5000);
	assert_int_equal(ocxlpmem_cmd_capabilities(grab, &caps), 0);
	assert_int_equal(caps.serial, 5000);
	grab = ocxlpmem_card_unref(grab);
	ocxlpmem_transport_free(t);
}

static void test_not_sim_operations_refused(void **state)
{
	assert_int_equal(ocxlpmem_transport_sim_add(NULL, NULL), -EOPNOTSUPP);
	assert_int_equal(ocxlpmem_transport_sim_unplug(NULL, "sim0"), -EOPNOTSUPP);
	assert_int_equal(ocxlpmem_transport_scan(NULL), -EINVAL);
	assert_int_equal(ocxlpmem_transport_hotplug_fd(NULL), -1);
	assert_null(ocxlpmem_transport_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_reports_every_card_once),
		cmocka_unit_test(test_zero_cards_is_fine),
		cmocka_unit_test(test_hotplug_add_and_unplug),
		cmocka_unit_test(test_fatal_takes_card_down_and_reset_brings_it_back),
		cmocka_unit_test(test_serials_distinct_and_hinted),
		cmocka_unit_test(test_not_sim_operations_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
