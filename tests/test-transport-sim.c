// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulation transport: discovery, hotplug, removal, fatal, reset. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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
	assert_true(ocxlpmem_transport_is_sim(t));
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
	assert_false(ocxlpmem_transport_is_sim(NULL));
}

/* What ocxlpmemd serves io.ocxlpmem.Simulation by: never for the kernel. */
static void test_kernel_is_not_sim(void **state)
{
	struct ocxlpmem_transport *t;
	int r = ocxlpmem_transport_new_kernel(NULL, &t);

	if (r < 0) {
		print_message("no kernel transport here (%s): nothing to ask\n", strerror(-r));
		skip();
	}
	assert_false(ocxlpmem_transport_is_sim(t));
	ocxlpmem_transport_free(t);
}

static unsigned int open_fds(void)
{
	unsigned int n = 0;

	for (int fd = 0; fd < 8192; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

struct fired {
	unsigned int n;
	char ids[4][32];
	uint64_t events[4];
};

static void on_events(struct ocxlpmem_card *c, void *userdata)
{
	struct fired *f = userdata;

	assert_true(f->n < 4);
	strcpy(f->ids[f->n], ocxlpmem_card_id(c));
	assert_int_equal(ocxlpmem_card_event_ack(c, &f->events[f->n]), 1);
	f->n++;
}

/* The models of the cards seen added, by slot number ("sim7": [7]). */
static struct ocxlpmem_model *models[2000];
static struct seen models_seen;

static void models_listener(struct ocxlpmem_card *c, enum ocxlpmem_card_change change,
			    void *userdata)
{
	unsigned long i = strtoul(ocxlpmem_card_id(c) + 3, NULL, 10);

	listener(c, change, &models_seen);
	assert_true(i < 2000);
	models[i] = change == OCXLPMEM_CARD_ADDED ? ocxlpmem_card_model(c) : NULL;
}

static struct ocxlpmem_model *model_of(unsigned int i)
{
	assert_non_null(models[i]);
	return models[i];
}

/*
 * 2000 cards cost the backend two descriptors, not one or two per card,
 * and the one event descriptor says which cards signalled, once each, in
 * order.
 */
static void test_one_event_fd_for_every_card(void **state)
{
	unsigned int before = open_fds();
	struct ocxlpmem_transport *t;
	struct seen *ms = &models_seen;
	struct fired f = { 0 };
	int fd;

	memset(ms, 0, sizeof(*ms));
	assert_int_equal(ocxlpmem_transport_new_sim(2000, NULL, &t), 0);
	ocxlpmem_transport_set_listener(t, models_listener, NULL);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	assert_int_equal(ms->added, 2000);
	assert_true(open_fds() <= before + 2);

	fd = ocxlpmem_transport_event_fd(t);
	assert_true(fd >= 0);
	assert_false(readable(fd, 0));
	assert_int_equal(ocxlpmem_transport_events_process(t, on_events, &f), 0);
	assert_int_equal(f.n, 0);

	assert_true(ocxlpmem_model_add_error_log(model_of(1234), OCXLPMEM_ERRLOG_GENERAL,
						 0, 1, NULL, 0) > 0);
	/* The bit is up already: a second entry is no news. */
	assert_true(ocxlpmem_model_add_error_log(model_of(1234), OCXLPMEM_ERRLOG_GENERAL,
						 0, 2, NULL, 0) > 0);
	assert_true(ocxlpmem_model_raise_dump(model_of(7), 0) > 0);
	assert_true(readable(fd, 0));
	assert_int_equal(ocxlpmem_transport_events_process(t, on_events, &f), 2);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.ids[0], "sim1234");
	assert_int_equal(f.events[0], OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);
	assert_string_equal(f.ids[1], "sim7");
	assert_int_equal(f.events[1], OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);
	assert_false(readable(fd, 0));
	assert_int_equal(ocxlpmem_transport_events_process(t, on_events, &f), 0);
	assert_true(open_fds() <= before + 2);

	/* A card removed before the loop looks is not reported. */
	ocxlpmem_model_set_fatal(model_of(9), true);
	assert_int_equal(ocxlpmem_transport_hotplug_process(t), 0);
	assert_int_equal(ms->removed, 1);
	assert_int_equal(ocxlpmem_transport_events_process(t, on_events, &f), 0);
	assert_int_equal(f.n, 2);
	ocxlpmem_transport_free(t);
	assert_int_equal(open_fds(), before);
}

/* A card that outlives its transport may still raise events: harmless. */
static void test_event_after_transport_free(void **state)
{
	struct ocxlpmem_transport *t;
	struct seen s = { 0 };

	grab = NULL;
	assert_int_equal(ocxlpmem_transport_new_sim(2, NULL, &t), 0);
	ocxlpmem_transport_set_listener(t, grab_listener, &s);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	assert_non_null(grab);
	assert_true(ocxlpmem_model_raise_dump(ocxlpmem_card_model(grab), 0) > 0);
	ocxlpmem_transport_free(t);
	assert_true(ocxlpmem_model_add_error_log(ocxlpmem_card_model(grab),
						 OCXLPMEM_ERRLOG_GENERAL, 0, 1, NULL, 0) > 0);
	grab = ocxlpmem_card_unref(grab);
}

/* What the simulated cards hold, apart from the process's own memory. */
static void test_memory_bytes(void **state)
{
	struct ocxlpmem_transport *t;
	uint64_t small, big;

	assert_int_equal(ocxlpmem_transport_new_sim(1000, NULL, &t), 0);
	ocxlpmem_transport_set_listener(t, models_listener, NULL);
	assert_int_equal(ocxlpmem_transport_scan(t), 0);
	assert_int_equal(ocxlpmem_transport_sim_memory_bytes(t, &small), 0);
	/* The fixed state of a card, not its error-log ring or fault table. */
	assert_true(small > 1000 * 256);
	assert_true(small < 1000 * 2048);
	assert_true(ocxlpmem_model_add_error_log(model_of(5), OCXLPMEM_ERRLOG_GENERAL, 0, 1,
						 NULL, 0) > 0);
	assert_int_equal(ocxlpmem_transport_sim_memory_bytes(t, &big), 0);
	assert_true(big > small + 4096);
	assert_int_equal(ocxlpmem_transport_sim_memory_bytes(t, NULL), -EINVAL);
	ocxlpmem_transport_free(t);
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
		cmocka_unit_test(test_kernel_is_not_sim),
		cmocka_unit_test(test_one_event_fd_for_every_card),
		cmocka_unit_test(test_event_after_transport_free),
		cmocka_unit_test(test_memory_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
