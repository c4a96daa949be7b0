// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card model's core: configuration, the driver's checks, capabilities,
 * health, events and the event fd, shutdown, fatal states, removal, reset
 * and call counters.  Every reply is decoded with the codec, so passing
 * means the model speaks the ABI.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <ocxlpmem/codec.h>
#include <ocxlpmem/model.h>

#include "model-private.h"

#define OUT_CAP (8 + 64 + 4096)

struct env {
	struct ocxlpmem_model *m;
	uint64_t now_ms;
	uint8_t out[OUT_CAP];
	size_t fw_size;
	struct ocxlpmem_reply rep;
};

static uint64_t test_clock(void *userdata)
{
	return *(uint64_t *)userdata;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct ocxlpmem_model_config cfg = {
		.seed = 42,
		.clock_ms = test_clock,
	};

	if (!e)
		return -1;
	e->now_ms = 5000;
	cfg.clock_userdata = &e->now_ms;
	if (ocxlpmem_model_new(&cfg, &e->m) < 0)
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	assert_null(ocxlpmem_model_free(e->m));
	free(e);
	return 0;
}

/* The card's status (>= 0) with the reply split into e->rep, or -errno. */
static int call(struct env *e, unsigned int fn, const void *in, size_t in_len)
{
	int r;

	memset(e->out, 0xEE, sizeof(e->out));
	e->fw_size = 0;
	r = ocxlpmem_model_call(e->m, fn, in, in_len, e->out, sizeof(e->out), &e->fw_size);
	if (r < 0)
		return r;
	assert_true(e->fw_size >= 8 && e->fw_size <= sizeof(e->out));
	assert_int_equal(ocxlpmem_reply_decode(e->out, e->fw_size, &e->rep), 0);
	return e->rep.card_status;
}

static struct ocxlpmem_capabilities get_caps(struct env *e)
{
	struct ocxlpmem_capabilities c;

	assert_int_equal(call(e, OCXLPMEM_FN_CAPABILITIES, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_capabilities_decode(e->rep.data, e->rep.data_len, &c), 0);
	return c;
}

static uint32_t get_health(struct env *e)
{
	struct ocxlpmem_health h;

	assert_int_equal(call(e, OCXLPMEM_FN_CONTROLLER_HEALTH, NULL, 0),
			 OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_health_decode(e->rep.data, e->rep.data_len, &h), 0);
	return h.flags;
}

static uint64_t get_events(struct env *e)
{
	uint64_t ev;

	assert_int_equal(call(e, OCXLPMEM_FN_EVENT_CHECK, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_events_decode(e->rep.data, e->rep.data_len, &ev), 0);
	return ev;
}

/* Drain the eventfd: true when it had been signalled. */
static bool event_fd_fired(struct ocxlpmem_model *m)
{
	struct pollfd p = { .fd = ocxlpmem_model_event_fd(m), .events = POLLIN };
	uint64_t v;

	assert_true(p.fd >= 0);
	if (poll(&p, 1, 0) != 1)
		return false;
	assert_true(p.revents & POLLIN);
	assert_int_equal(read(p.fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	assert_true(v >= 1);
	return true;
}

static void test_defaults(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_capabilities c = get_caps(e);

	assert_int_not_equal(c.serial, 0);
	assert_int_equal(c.serial, ocxlpmem_model_serial(e->m));
	assert_string_equal(c.fw_version, "1.0.0000");
	assert_int_equal(c.memory_size, 256ull << 30);
	assert_int_equal(c.scm_revision, 0x11);
	assert_int_equal(c.read_latency_ns, 250);
	assert_int_equal(c.readiness_timeout_s, 5);
	assert_int_equal(c.memory_available_timeout_s, 30);
	assert_int_equal(c.max_dump_size, 256u << 20);
	assert_int_equal(c.admin_buffer_size, 64u << 10);
	/* Functions 1-18, bit 0 (no function 0) clear. */
	assert_int_equal(c.functions, 0x7FFFE);
	assert_int_equal(c.timeout_ms[OCXLPMEM_OP_HEARTBEAT], OCXLPMEM_TIMEOUT_HEARTBEAT_MS);
	assert_int_equal(c.timeout_ms[OCXLPMEM_OP_SHUTDOWN], OCXLPMEM_TIMEOUT_SHUTDOWN_MS);
	assert_int_equal(c.timeout_ms[OCXLPMEM_OP_FW_UPDATE], OCXLPMEM_TIMEOUT_FW_UPDATE_MS);
	assert_int_equal(c.timeout_ms[OCXLPMEM_OP_ERRLOG], OCXLPMEM_TIMEOUT_ERRLOG_MS);
	assert_int_equal(c.timeout_ms[OCXLPMEM_OP_SMART], OCXLPMEM_TIMEOUT_SMART_MS);
	assert_int_equal(c.timeout_ms[OCXLPMEM_OP_CONTROLLER_STATS],
			 OCXLPMEM_TIMEOUT_CONTROLLER_STATS_MS);
	assert_int_equal(c.timeout_ms[OCXLPMEM_OP_CONTROLLER_DUMP],
			 OCXLPMEM_TIMEOUT_CONTROLLER_DUMP_MS);
	assert_int_not_equal(c.timeout_ms[OCXLPMEM_OP_FW_DEBUG], 0);

	assert_int_equal(get_health(e), OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE);
	assert_int_equal(get_events(e), 0);
	assert_false(ocxlpmem_model_is_removed(e->m));
	assert_false(event_fd_fired(e->m));

	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(e->rep.data_len, 0);
	assert_int_equal(e->fw_size, 8);
}

static void test_config(void **state)
{
	struct ocxlpmem_model_config cfg = {
		.serial = 0x1234567890ull,
		.fw_version = "2.5.0007",
		.memory_size = 64ull << 30,
		.max_dump_size = 1u << 20,
		.admin_buffer_size = 4096,
		.max_image_size = 1u << 20,
		.seed = 7,
	};
	struct env *e = *state;
	struct ocxlpmem_model *m = (struct ocxlpmem_model *)0x1, *saved = e->m;
	struct ocxlpmem_capabilities c;
	struct ocxlpmem_model_config bad;

	assert_int_equal(ocxlpmem_model_new(&cfg, &e->m), 0);
	c = get_caps(e);
	assert_int_equal(c.serial, 0x1234567890ull);
	assert_string_equal(c.fw_version, "2.5.0007");
	assert_int_equal(c.memory_size, 64ull << 30);
	assert_int_equal(c.max_dump_size, 1u << 20);
	assert_int_equal(c.admin_buffer_size, 4096);
	ocxlpmem_model_free(e->m);
	e->m = saved;

	/* The serial comes from the seed when not given: same seed, same one. */
	cfg = (struct ocxlpmem_model_config){ .seed = 99 };
	assert_int_equal(ocxlpmem_model_new(&cfg, &m), 0);
	assert_int_not_equal(ocxlpmem_model_serial(m), 0);
	assert_int_not_equal(ocxlpmem_model_serial(m), ocxlpmem_model_serial(e->m));
	saved = m;
	assert_int_equal(ocxlpmem_model_new(&cfg, &m), 0);
	assert_int_equal(ocxlpmem_model_serial(m), ocxlpmem_model_serial(saved));
	ocxlpmem_model_free(m);
	ocxlpmem_model_free(saved);

	/* NULL config: every default. */
	assert_int_equal(ocxlpmem_model_new(NULL, &m), 0);
	ocxlpmem_model_free(m);

	/* Bad configurations fail and leave *ret alone. */
	m = (struct ocxlpmem_model *)0x1;
	bad = (struct ocxlpmem_model_config){ .fw_version = "123456789" };
	assert_int_equal(ocxlpmem_model_new(&bad, &m), -EINVAL);
	bad = (struct ocxlpmem_model_config){ .fw_version = "" };
	assert_int_equal(ocxlpmem_model_new(&bad, &m), -EINVAL);
	bad = (struct ocxlpmem_model_config){ .fw_version = "1.0\n" };
	assert_int_equal(ocxlpmem_model_new(&bad, &m), -EINVAL);
	bad = (struct ocxlpmem_model_config){ .max_dump_size = 1001 };
	assert_int_equal(ocxlpmem_model_new(&bad, &m), -EINVAL);
	bad = (struct ocxlpmem_model_config){ .admin_buffer_size = 12 };
	assert_int_equal(ocxlpmem_model_new(&bad, &m), -EINVAL);
	bad = (struct ocxlpmem_model_config){ .max_image_size = 4 };
	assert_int_equal(ocxlpmem_model_new(&bad, &m), -EINVAL);
	assert_int_equal(ocxlpmem_model_new(&cfg, NULL), -EINVAL);
	assert_ptr_equal(m, (struct ocxlpmem_model *)0x1);

	assert_null(ocxlpmem_model_free(NULL));
}

/* The driver's own checks: -EINVAL, and the output is not touched. */
static void test_driver_checks(void **state)
{
	static const struct {
		unsigned int fn;
		size_t in_len;
	} bad[] = {
		{ 0, 0 },
		{ OCXLPMEM_FN_MAX + 1, 0 },
		{ 1000, 0 },
		{ OCXLPMEM_FN_SMART, 8 },
		{ OCXLPMEM_FN_CAPABILITIES, 1 },
		{ OCXLPMEM_FN_HEARTBEAT, 8 },
		{ OCXLPMEM_FN_ERROR_LOG_ACK, 0 },
		{ OCXLPMEM_FN_ERROR_LOG_ACK, 4 },
		{ OCXLPMEM_FN_ERROR_LOG_ACK, 16 },
		{ OCXLPMEM_FN_DUMP_DATA, 8 },
		{ OCXLPMEM_FN_DUMP_DATA, 24 },
		{ OCXLPMEM_FN_DUMP_COMPLETE, 0 },
		{ OCXLPMEM_FN_FW_UPDATE_START, 12 },
		{ OCXLPMEM_FN_FW_UPDATE_BLOCK, 8 },
		{ OCXLPMEM_FN_FW_UPDATE_BLOCK, 8 + 32 * 1024 + 8 },
		{ OCXLPMEM_FN_FW_UPDATE_FINISH, 8 },
	};
	struct env *e = *state;
	static uint8_t in[8 + 64 * 1024];
	uint8_t out[64];
	size_t fw_size = 12345;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xEE, sizeof(out));
		assert_int_equal(ocxlpmem_model_call(e->m, bad[i].fn, in, bad[i].in_len, out,
						     sizeof(out), &fw_size),
				 -EINVAL);
		assert_int_equal(fw_size, 12345);
		assert_int_equal(out[0], 0xEE);
	}
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_HEARTBEAT, NULL, 0, out, 7,
					     &fw_size),
			 -EINVAL);
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_HEARTBEAT, NULL, 0, NULL, 8,
					     &fw_size),
			 -EINVAL);
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_HEARTBEAT, NULL, 0, out, 8, NULL),
			 -EINVAL);
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_ERROR_LOG_ACK, NULL, 8, out, 8,
					     &fw_size),
			 -EINVAL);
	assert_int_equal(ocxlpmem_model_call(NULL, OCXLPMEM_FN_HEARTBEAT, NULL, 0, out, 8,
					     &fw_size),
			 -EINVAL);
	assert_int_equal(fw_size, 12345);
	/* Exactly 8 bytes is enough for a reply without data. */
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_HEARTBEAT, NULL, 0, out, 8,
					     &fw_size),
			 0);
	assert_int_equal(fw_size, 8);
}

/* A short nd_size_out: the driver copies what fits and reports the size the
 * card wanted, as nd_fw_size does. */
static void test_short_output(void **state)
{
	struct env *e = *state;
	uint8_t full[256], part[64];
	size_t fw_full = 0, fw_part = 0;
	struct ocxlpmem_reply rep;

	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_CAPABILITIES, NULL, 0, full,
					     sizeof(full), &fw_full),
			 0);
	assert_int_equal(fw_full, 8 + 64);

	memset(part, 0xEE, sizeof(part));
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_CAPABILITIES, NULL, 0, part, 20,
					     &fw_part),
			 0);
	assert_int_equal(fw_part, 8 + 64);
	assert_memory_equal(part, full, 20);
	for (size_t i = 20; i < sizeof(part); i++)
		assert_int_equal(part[i], 0xEE);
	/* What a reader must make of it: a truncated output. */
	assert_int_equal(ocxlpmem_reply_decode(part, 20, &rep), -EMSGSIZE);
}

static void test_shutdown(void **state)
{
	struct env *e = *state;

	assert_int_equal(call(e, OCXLPMEM_FN_SHUTDOWN, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(e->rep.data_len, 0);
	assert_int_equal(get_health(e), 0);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_MEM_UNAVAILABLE);
	assert_int_equal(e->rep.data_len, 0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_MEM_UNAVAILABLE);
	/* Register reads still work; a second shutdown is a no-op. */
	assert_string_equal(get_caps(e).fw_version, "1.0.0000");
	assert_int_equal(get_events(e), 0);
	assert_int_equal(call(e, OCXLPMEM_FN_SHUTDOWN, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_false(ocxlpmem_model_is_removed(e->m));

	ocxlpmem_model_reset(e->m);
	assert_int_equal(get_health(e), OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

static void check_fatal(struct env *e, bool hardware)
{
	uint64_t bit = hardware ? OCXLPMEM_EVENT_HARDWARE_FATAL : OCXLPMEM_EVENT_FIRMWARE_FATAL;
	uint32_t flag = hardware ? OCXLPMEM_HEALTH_HARDWARE_FATAL : OCXLPMEM_HEALTH_FIRMWARE_FATAL;
	static const unsigned int gone[] = {
		OCXLPMEM_FN_SMART, OCXLPMEM_FN_CAPABILITIES, OCXLPMEM_FN_ERROR_LOG_READ,
		OCXLPMEM_FN_CONTROLLER_STATS, OCXLPMEM_FN_DUMP_START, OCXLPMEM_FN_FIRMWARE_INFO,
		OCXLPMEM_FN_HEARTBEAT, OCXLPMEM_FN_SHUTDOWN,
	};

	assert_false(event_fd_fired(e->m));
	ocxlpmem_model_set_fatal(e->m, hardware);
	assert_true(event_fd_fired(e->m));
	assert_true(ocxlpmem_model_is_removed(e->m));
	assert_int_equal(ocxlpmem_model_events(e->m), bit);

	/* The post-mortem registers answer; everything else is gone. */
	assert_int_equal(get_events(e), bit);
	assert_int_equal(get_health(e), flag);
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		assert_int_equal(call(e, gone[i], NULL, 0), -ENXIO);

	/* Level-triggered: a second fatal of the same kind raises nothing new. */
	ocxlpmem_model_set_fatal(e->m, hardware);
	assert_false(event_fd_fired(e->m));

	ocxlpmem_model_reset(e->m);
	assert_false(ocxlpmem_model_is_removed(e->m));
	assert_int_equal(get_events(e), 0);
	assert_int_equal(get_health(e), OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);

	/* After a reset the same fatal is a new event. */
	ocxlpmem_model_set_fatal(e->m, hardware);
	assert_true(event_fd_fired(e->m));
	ocxlpmem_model_reset(e->m);
}

static void test_fatal_hardware(void **state)
{
	check_fatal(*state, true);
}

static void test_fatal_firmware(void **state)
{
	check_fatal(*state, false);
}

static void test_fatal_both(void **state)
{
	struct env *e = *state;

	ocxlpmem_model_set_fatal(e->m, false);
	ocxlpmem_model_set_fatal(e->m, true);
	assert_true(event_fd_fired(e->m));
	assert_int_equal(get_events(e),
			 OCXLPMEM_EVENT_HARDWARE_FATAL | OCXLPMEM_EVENT_FIRMWARE_FATAL);
	assert_int_equal(get_health(e),
			 OCXLPMEM_HEALTH_HARDWARE_FATAL | OCXLPMEM_HEALTH_FIRMWARE_FATAL);
}

static void test_remove(void **state)
{
	struct env *e = *state;
	uint32_t id;

	assert_true(ocxlpmem_model_raise_dump(e->m, 4096) > 0);
	assert_true(event_fd_fired(e->m));
	ocxlpmem_model_remove(e->m);
	assert_true(ocxlpmem_model_is_removed(e->m));
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++) {
		uint8_t in[16] = {0};
		size_t len = 0;

		if (fn == OCXLPMEM_FN_ERROR_LOG_ACK || fn == OCXLPMEM_FN_DUMP_COMPLETE ||
		    fn == OCXLPMEM_FN_FW_UPDATE_START)
			len = 8;
		else if (fn == OCXLPMEM_FN_DUMP_DATA || fn == OCXLPMEM_FN_FW_UPDATE_BLOCK)
			len = 16;
		assert_int_equal(call(e, fn, in, len), -ENXIO);
	}
	/* The model can still say what EVENT_CHECK would. */
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);

	ocxlpmem_model_reset(e->m);
	assert_false(ocxlpmem_model_is_removed(e->m));
	assert_int_equal(get_events(e), OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);
	assert_true(ocxlpmem_model_dump_held(e->m, &id, NULL));
}

/* A power cycle forgets the volatile state and hands out old ids again. */
static void test_power_cycle(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_error_log_entry *ent = calloc(1, sizeof(*ent));
	int first_log, log_id;
	int64_t first_dump, dump_id;
	uint64_t ts_before;
	uint32_t pos_before;

	assert_non_null(ent);
	first_log = ocxlpmem_model_add_error_log(e->m, OCXLPMEM_ERRLOG_DATA_LOSS, 0, 1, NULL, 8);
	assert_true(first_log > 0);
	assert_true(ocxlpmem_model_add_error_log(e->m, 0, 0, 2, NULL, 8) > 0);
	first_dump = ocxlpmem_model_raise_dump(e->m, 4096);
	assert_true(first_dump > 0);
	e->now_ms += 60000;
	assert_int_equal(call(e, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0), 0);
	assert_int_equal(ocxlpmem_error_log_decode(e->rep.data, e->rep.data_len, ent), 0);
	ts_before = ent->timestamp_ns;
	pos_before = ent->power_on_seconds;

	ocxlpmem_model_power_cycle(e->m);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 0);
	assert_false(ocxlpmem_model_dump_held(e->m, NULL, NULL));
	assert_int_equal(get_events(e), 0);

	/* The same ids again, for different entries and dumps. */
	e->now_ms += 1000;
	log_id = ocxlpmem_model_add_error_log(e->m, OCXLPMEM_ERRLOG_DATA_LOSS, 0, 3, NULL, 8);
	assert_int_equal(log_id, first_log);
	dump_id = ocxlpmem_model_raise_dump(e->m, 4096);
	assert_int_equal(dump_id, first_dump);
	assert_int_equal(call(e, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0), 0);
	assert_int_equal(ocxlpmem_error_log_decode(e->rep.data, e->rep.data_len, ent), 0);
	assert_int_equal(ent->log_identifier, (uint32_t)first_log);
	assert_int_equal(ent->program_reference_code, 3);
	/* What tells them apart: the time since the (new) IPL moved, and
	 * the power-on time went on, booting included. */
	assert_int_equal(ent->timestamp_ns, 1000ull * 1000000);
	assert_true(ent->timestamp_ns != ts_before);
	assert_int_equal(ent->power_on_seconds, pos_before + 60 + 1 + 5);

	/* The same time since IPL after another power cycle: the boot still
	 * moves the power-on time on. */
	pos_before = ent->power_on_seconds;
	ocxlpmem_model_power_cycle(e->m);
	e->now_ms += 1000;
	assert_int_equal(ocxlpmem_model_add_error_log(e->m, OCXLPMEM_ERRLOG_DATA_LOSS, 0, 3, NULL, 8),
			 first_log);
	assert_int_equal(call(e, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0), 0);
	assert_int_equal(ocxlpmem_error_log_decode(e->rep.data, e->rep.data_len, ent), 0);
	assert_int_equal(ent->timestamp_ns, 1000ull * 1000000);
	assert_true(ent->power_on_seconds > pos_before);
	free(ent);
	ocxlpmem_model_power_cycle(NULL);
}

static void test_event_fd(void **state)
{
	struct env *e = *state;
	int fd = ocxlpmem_model_event_fd(e->m);
	int flags;

	assert_true(fd >= 0);
	assert_int_equal(ocxlpmem_model_event_fd(e->m), fd);
	flags = fcntl(fd, F_GETFL);
	assert_true(flags & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(event_fd_fired(e->m));

	/* An error-log entry on an empty queue raises a bit; the second one
	 * does not (the bit is already up). */
	assert_true(ocxlpmem_model_add_error_log(e->m, OCXLPMEM_ERRLOG_GENERAL, 0, 1, NULL, 0) > 0);
	assert_true(event_fd_fired(e->m));
	assert_true(ocxlpmem_model_add_error_log(e->m, OCXLPMEM_ERRLOG_GENERAL, 0, 2, NULL, 0) > 0);
	assert_false(event_fd_fired(e->m));

	/* A dump raises another bit. */
	assert_true(ocxlpmem_model_raise_dump(e->m, 0) > 0);
	assert_true(event_fd_fired(e->m));
	assert_int_equal(get_events(e), OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE |
						OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);
	/* Reading EVENT_CHECK clears nothing and signals nothing. */
	assert_int_equal(get_events(e), OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE |
						OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);
	assert_false(event_fd_fired(e->m));
}

static void test_call_counts(void **state)
{
	struct env *e = *state;

	assert_int_equal(ocxlpmem_model_call_count(e->m, 0), 0);
	for (int i = 0; i < 3; i++)
		call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0);
	call(e, OCXLPMEM_FN_SMART, NULL, 0);
	/* Failed calls count too; an unknown function only in the total. */
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, "x", 1), -EINVAL);
	assert_int_equal(call(e, 77, NULL, 0), -EINVAL);
	assert_int_equal(ocxlpmem_model_call_count(e->m, OCXLPMEM_FN_HEARTBEAT), 3);
	assert_int_equal(ocxlpmem_model_call_count(e->m, OCXLPMEM_FN_SMART), 2);
	assert_int_equal(ocxlpmem_model_call_count(e->m, OCXLPMEM_FN_DUMP_DATA), 0);
	assert_int_equal(ocxlpmem_model_call_count(e->m, 0), 6);
	assert_int_equal(ocxlpmem_model_call_count(e->m, 77), 0);
}

/* A driver without some functions: CAPABILITIES says so, and the missing
 * ones fail with ENOTTY before any other check, counted like every call. */
static void test_partial_functions(void **state)
{
	struct env *e = *state;
	uint32_t all = OCXLPMEM_MODEL_FUNCTIONS_ALL;
	uint32_t fns = all & ~(1u << OCXLPMEM_FN_CONTROLLER_STATS) &
		       ~(1u << OCXLPMEM_FN_DUMP_DATA);
	uint8_t in[16] = { 0 };

	assert_int_equal(all, 0x7fffe);
	assert_int_equal(ocxlpmem_model_functions(e->m), all);
	assert_int_equal(get_caps(e).functions, all);
	assert_int_equal(ocxlpmem_model_set_functions(e->m, fns), 0);
	assert_int_equal(ocxlpmem_model_functions(e->m), fns);
	assert_int_equal(get_caps(e).functions, fns);
	assert_int_equal(call(e, OCXLPMEM_FN_CONTROLLER_STATS, NULL, 0), -ENOTTY);
	/* Wrong sizes too: the driver does not know the function at all. */
	assert_int_equal(call(e, OCXLPMEM_FN_DUMP_DATA, in, 3), -ENOTTY);
	assert_int_equal(call(e, OCXLPMEM_FN_DUMP_DATA, in, sizeof(in)), -ENOTTY);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_call_count(e->m, OCXLPMEM_FN_CONTROLLER_STATS), 1);
	assert_int_equal(ocxlpmem_model_call_count(e->m, OCXLPMEM_FN_DUMP_DATA), 2);
	/* A reset is a rebind of the same driver: the mask stays. */
	ocxlpmem_model_reset(e->m);
	assert_int_equal(get_caps(e).functions, fns);

	/* Refused: CAPABILITIES missing, bit 0, a function past the last. */
	assert_int_equal(ocxlpmem_model_set_functions(e->m, all & ~(1u << OCXLPMEM_FN_CAPABILITIES)),
			 -EINVAL);
	assert_int_equal(ocxlpmem_model_set_functions(e->m, all | 1u), -EINVAL);
	assert_int_equal(ocxlpmem_model_set_functions(e->m, all | (1u << (OCXLPMEM_FN_MAX + 1))),
			 -EINVAL);
	assert_int_equal(ocxlpmem_model_set_functions(NULL, all), -EINVAL);
	assert_int_equal(ocxlpmem_model_functions(e->m), fns);
	assert_int_equal(ocxlpmem_model_set_functions(e->m, all), 0);
	assert_int_equal(call(e, OCXLPMEM_FN_CONTROLLER_STATS, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

static unsigned int open_fds(void)
{
	unsigned int n = 0;

	for (int fd = 0; fd < 4096; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/*
 * A model holds no descriptor until someone asks for its eventfd, and a
 * fresh one holds only its fixed state: a simulation of thousands of
 * cards must fit the default RLIMIT_NOFILE and little memory.
 */
static void test_lazy_event_fd_and_memory(void **state)
{
	struct ocxlpmem_model *m[64];
	unsigned int before = open_fds();
	size_t base;
	int fd;

	for (size_t i = 0; i < 64; i++)
		assert_int_equal(ocxlpmem_model_new(&(struct ocxlpmem_model_config){ .seed = i },
						    &m[i]), 0);
	assert_int_equal(open_fds(), before);
	base = ocxlpmem_model_memory_bytes(m[0]);
	assert_true(base >= sizeof(struct ocxlpmem_model) && base < 4096);
	assert_int_equal(ocxlpmem_model_memory_bytes(NULL), 0);

	/* Bits raised before the eventfd existed: readable once it does. */
	assert_true(ocxlpmem_model_raise_dump(m[1], 0) > 0);
	assert_int_equal(open_fds(), before);
	assert_int_equal(ocxlpmem_model_memory_bytes(m[1]), base); /* dumps are computed */
	fd = ocxlpmem_model_event_fd(m[1]);
	assert_true(fd >= 0);
	assert_int_equal(open_fds(), before + 1);
	assert_true(event_fd_fired(m[1]));
	assert_false(event_fd_fired(m[1]));
	/* ... and not when nothing was up. */
	assert_false(event_fd_fired(m[2]));
	assert_int_equal(open_fds(), before + 2);

	for (size_t i = 0; i < 64; i++)
		ocxlpmem_model_free(m[i]);
	assert_int_equal(open_fds(), before);
}

static void test_null_model(void **state)
{
	assert_int_equal(ocxlpmem_model_serial(NULL), 0);
	assert_int_equal(ocxlpmem_model_events(NULL), 0);
	assert_true(ocxlpmem_model_is_removed(NULL));
	assert_int_equal(ocxlpmem_model_event_fd(NULL), -EINVAL);
	assert_int_equal(ocxlpmem_model_add_error_log(NULL, 0, 0, 0, NULL, 0), -EINVAL);
	assert_int_equal(ocxlpmem_model_raise_dump(NULL, 0), -EINVAL);
	assert_false(ocxlpmem_model_dump_held(NULL, NULL, NULL));
	assert_int_equal(ocxlpmem_model_error_log_pending(NULL), 0);
	assert_int_equal(ocxlpmem_model_call_count(NULL, 0), 0);
	assert_int_equal(ocxlpmem_model_functions(NULL), 0);
	/* Controls on NULL are no-ops, not crashes. */
	ocxlpmem_model_set_fatal(NULL, true);
	ocxlpmem_model_reset(NULL);
	ocxlpmem_model_remove(NULL);
	ocxlpmem_model_set_temperature(NULL, 50);
	ocxlpmem_model_set_life_remaining(NULL, 50);
	ocxlpmem_model_drop_smart_attr(NULL, 0xC2);
	ocxlpmem_model_clear_faults(NULL);
	ocxlpmem_model_release_hangs(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fatal_hardware, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fatal_firmware, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fatal_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_fd, setup, teardown),
		cmocka_unit_test(test_lazy_event_fd_and_memory),
		cmocka_unit_test_setup_teardown(test_call_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_functions, setup, teardown),
		cmocka_unit_test(test_null_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
