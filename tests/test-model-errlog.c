// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The card model's error log: oldest-first reads that do not consume,
 * acknowledgements that must name the entry read, the 256-entry limit,
 * data truncated to the room the driver has, REQUEST_HEALTH answers, the
 * ERROR_LOG_AVAILABLE event and entries that ask for a dump.
 */
#include <errno.h>
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

#define OUT_CAP (8 + 64 + OCXLPMEM_ERRLOG_DATA_MAX)

struct env {
	struct ocxlpmem_model *m;
	uint64_t now_ms;
	struct ocxlpmem_error_log_entry entry;
};

static uint64_t test_clock(void *userdata)
{
	return *(uint64_t *)userdata;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct ocxlpmem_model_config cfg = {
		.serial = 0xC0FFEE,
		.seed = 3,
		.fw_version = "3.1.0002",
		.clock_ms = test_clock,
	};

	if (!e)
		return -1;
	e->now_ms = 10000;
	cfg.clock_userdata = &e->now_ms;
	if (ocxlpmem_model_new(&cfg, &e->m) < 0)
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	ocxlpmem_model_free(e->m);
	free(e);
	return 0;
}

/* ERROR_LOG_READ with out_cap bytes of room: the status; the entry in
 * e->entry on success. */
static int read_log_cap(struct env *e, size_t out_cap, size_t *ret_fw_size)
{
	uint8_t *out = malloc(out_cap);
	struct ocxlpmem_reply rep;
	size_t fw_size = 0;
	int r;

	assert_non_null(out);
	r = ocxlpmem_model_call(e->m, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0, out, out_cap,
				&fw_size);
	assert_int_equal(r, 0);
	if (ret_fw_size)
		*ret_fw_size = fw_size;
	if (fw_size > out_cap) {
		free(out);
		return -EMSGSIZE;
	}
	assert_int_equal(ocxlpmem_reply_decode(out, fw_size, &rep), 0);
	r = rep.card_status;
	if (r == OCXLPMEM_STATUS_SUCCESS)
		assert_int_equal(ocxlpmem_error_log_decode(rep.data, rep.data_len, &e->entry), 0);
	free(out);
	return r;
}

static void read_log(struct env *e)
{
	assert_int_equal(read_log_cap(e, OUT_CAP, NULL), OCXLPMEM_STATUS_SUCCESS);
}

static int ack_raw(struct env *e, const uint8_t in[8])
{
	uint8_t out[8];
	struct ocxlpmem_reply rep;
	size_t fw_size = 0;
	int r;

	r = ocxlpmem_model_call(e->m, OCXLPMEM_FN_ERROR_LOG_ACK, in, 8, out, sizeof(out),
				&fw_size);
	if (r < 0)
		return r;
	assert_int_equal(fw_size, 8);
	assert_int_equal(ocxlpmem_reply_decode(out, fw_size, &rep), 0);
	assert_int_equal(rep.data_len, 0);
	return rep.card_status;
}

static int ack(struct env *e, uint32_t id)
{
	uint8_t in[8];

	assert_int_equal(ocxlpmem_error_log_ack_encode(id, in, sizeof(in)), 8);
	return ack_raw(e, in);
}

static int add(struct env *e, uint8_t type, uint32_t flags, uint32_t prc, const void *data,
	       uint16_t len)
{
	return ocxlpmem_model_add_error_log(e->m, type, flags, prc, data, len);
}

static bool event_fd_fired(struct ocxlpmem_model *m)
{
	uint64_t v;

	return read(ocxlpmem_model_event_fd(m), &v, sizeof(v)) == (ssize_t)sizeof(v);
}

static void test_empty(void **state)
{
	struct env *e = *state;
	size_t fw_size = 0;

	assert_int_equal(read_log_cap(e, OUT_CAP, &fw_size), OCXLPMEM_STATUS_SUCCESS);
	assert_false(e->entry.present);
	/* "No entry": the 'EL' header word with length 0. */
	assert_int_equal(fw_size, 16);
	assert_int_equal(ack(e, 0), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(ack(e, 1), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 0);
	assert_int_equal(ocxlpmem_model_events(e->m), 0);
}

static void test_entry_fields(void **state)
{
	struct env *e = *state;
	static const uint8_t data[] = "thermal trip at sensor 3";
	int id;

	e->now_ms += 7500; /* 7.5 s after power-on */
	id = add(e, OCXLPMEM_ERRLOG_THERMAL_WARNING, 0, 0x0BAD0001, data, sizeof(data));
	assert_true(id > 0);
	read_log(e);
	assert_true(e->entry.present);
	assert_int_equal(e->entry.log_identifier, (uint32_t)id);
	assert_int_equal(e->entry.program_reference_code, 0x0BAD0001);
	assert_int_equal(e->entry.type, OCXLPMEM_ERRLOG_THERMAL_WARNING);
	assert_int_equal(e->entry.action_flags, 0);
	assert_string_equal(e->entry.fw_revision, "3.1.0002");
	assert_int_equal(e->entry.wwid[1], 0xC0FFEE);
	assert_int_equal(e->entry.wwid[0] >> 36, 0x6005076);
	assert_int_equal(e->entry.timestamp_ns, 7500ull * 1000000);
	/* Lifetime power-on time: a seeded number of hours plus 7 s. */
	assert_int_equal(e->entry.power_on_seconds % 3600, 7);
	assert_int_equal(e->entry.data_size, sizeof(data));
	assert_int_equal(e->entry.data_needed, sizeof(data));
	assert_memory_equal(e->entry.data, data, sizeof(data));

	/* The timestamp counts from the last reset (the card's IPL). */
	assert_int_equal(ack(e, (uint32_t)id), OCXLPMEM_STATUS_SUCCESS);
	ocxlpmem_model_reset(e->m);
	e->now_ms += 250;
	id = add(e, OCXLPMEM_ERRLOG_GENERAL, OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_CHKFW, 7,
		 NULL, 0);
	read_log(e);
	assert_int_equal(e->entry.timestamp_ns, 250ull * 1000000);
	assert_int_equal(e->entry.action_flags, OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_CHKFW);
	assert_int_equal(e->entry.data_size, 0);
	assert_int_equal(e->entry.data_needed, 0);
}

/* Read does not consume; only the matching ack does; each entry exactly once. */
static void test_read_ack(void **state)
{
	struct env *e = *state;
	int id[3];

	for (int i = 0; i < 3; i++) {
		id[i] = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, (uint32_t)i, NULL, 0);
		assert_true(id[i] > 0);
		if (i)
			assert_int_equal(id[i], id[i - 1] + 1);
	}
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 3);

	read_log(e);
	assert_int_equal(e->entry.log_identifier, (uint32_t)id[0]);
	read_log(e);
	assert_int_equal(e->entry.log_identifier, (uint32_t)id[0]);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 3);

	/* Acking ahead or behind is refused and changes nothing. */
	assert_int_equal(ack(e, (uint32_t)id[1]), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(ack(e, (uint32_t)id[0] - 1), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 3);

	assert_int_equal(ack(e, (uint32_t)id[0]), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 2);
	/* The same ack twice: the second names an entry that is gone. */
	assert_int_equal(ack(e, (uint32_t)id[0]), OCXLPMEM_STATUS_BAD_REQUEST_PARM);

	read_log(e);
	assert_int_equal(e->entry.log_identifier, (uint32_t)id[1]);
	assert_int_equal(e->entry.program_reference_code, 1);
	assert_int_equal(ack(e, (uint32_t)id[1]), OCXLPMEM_STATUS_SUCCESS);
	read_log(e);
	assert_int_equal(e->entry.log_identifier, (uint32_t)id[2]);
	assert_int_equal(ack(e, (uint32_t)id[2]), OCXLPMEM_STATUS_SUCCESS);
	read_log(e);
	assert_false(e->entry.present);
}

/*
 * A card with nothing logged holds no ring: it comes with the first entry
 * (and an entry's own data with it) and goes with the last acknowledged
 * one, so thousands of quiet simulated cards cost little.
 */
static void test_ring_allocated_lazily(void **state)
{
	const size_t ring = MODEL_ERRLOG_MAX * sizeof(struct model_errlog_entry);
	struct env *e = *state;
	size_t base = ocxlpmem_model_memory_bytes(e->m);
	uint8_t data[100];
	int id[2];

	assert_true(base >= sizeof(struct ocxlpmem_model));
	assert_true(base < ring);
	assert_null(e->m->errlog);

	id[0] = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 1, NULL, 0);
	assert_true(id[0] > 0);
	assert_non_null(e->m->errlog);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base + ring);
	memset(data, 0x5a, sizeof(data));
	id[1] = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 2, data, sizeof(data));
	assert_true(id[1] > 0);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base + ring + sizeof(data));

	read_log(e);
	assert_int_equal(ack(e, (uint32_t)id[0]), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base + ring + sizeof(data));
	read_log(e);
	assert_int_equal(e->entry.data_size, sizeof(data));
	assert_int_equal(e->entry.data[99], 0x5a);
	assert_int_equal(ack(e, (uint32_t)id[1]), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base);
	assert_null(e->m->errlog);
	read_log(e);
	assert_false(e->entry.present);
	assert_int_equal(ocxlpmem_model_events(e->m), 0);

	/* Back again: a new ring, entries in order from its start. */
	id[0] = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 3, NULL, 0);
	assert_int_equal(id[0], id[1] + 1);
	read_log(e);
	assert_int_equal(e->entry.log_identifier, (uint32_t)id[0]);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base + ring);
}

static void test_ack_reserved(void **state)
{
	struct env *e = *state;
	uint8_t in[8];
	int id = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 0, NULL, 0);

	assert_int_equal(ocxlpmem_error_log_ack_encode((uint32_t)id, in, sizeof(in)), 8);
	in[6] = 1;
	assert_int_equal(ack_raw(e, in), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 1);
	in[6] = 0;
	assert_int_equal(ack_raw(e, in), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 0);
}

/* Data given as NULL is generated from the serial and the id: the same on
 * every read and what model_errlog_content() says. */
static void test_generated_data(void **state)
{
	struct env *e = *state;
	uint8_t want[OCXLPMEM_ERRLOG_DATA_MAX], first[OCXLPMEM_ERRLOG_DATA_MAX];
	int id = add(e, OCXLPMEM_ERRLOG_DATA_LOSS, 0, 0, NULL, 1000);

	read_log(e);
	assert_int_equal(e->entry.data_size, 1000);
	memcpy(first, e->entry.data, 1000);
	model_errlog_content(0xC0FFEE, (uint32_t)id, want, 1000);
	assert_memory_equal(first, want, 1000);
	read_log(e);
	assert_memory_equal(e->entry.data, first, 1000);
	/* Another entry has other bytes. */
	model_errlog_content(0xC0FFEE, (uint32_t)id + 1, want, 1000);
	assert_memory_not_equal(first, want, 1000);
}

/* The card cuts the data to the driver's room and says how much it had. */
static void test_truncated_data(void **state)
{
	struct env *e = *state;
	static uint8_t data[OCXLPMEM_ERRLOG_DATA_MAX];
	size_t fw_size = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	assert_true(add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 0, data, sizeof(data)) > 0);

	read_log(e);
	assert_int_equal(e->entry.data_size, OCXLPMEM_ERRLOG_DATA_MAX);
	assert_int_equal(e->entry.data_needed, OCXLPMEM_ERRLOG_DATA_MAX);
	assert_memory_equal(e->entry.data, data, sizeof(data));

	assert_int_equal(read_log_cap(e, 8 + 64 + 100, &fw_size), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(fw_size, 8 + 64 + 100);
	assert_int_equal(e->entry.data_size, 100);
	assert_int_equal(e->entry.data_needed, OCXLPMEM_ERRLOG_DATA_MAX);
	assert_true(e->entry.data_needed > e->entry.data_size);
	assert_memory_equal(e->entry.data, data, 100);

	/* Room for the fixed part only. */
	assert_int_equal(read_log_cap(e, 8 + 64, &fw_size), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(e->entry.data_size, 0);
	assert_int_equal(e->entry.data_needed, OCXLPMEM_ERRLOG_DATA_MAX);

	/* Not even that: the driver truncates the output. */
	assert_int_equal(read_log_cap(e, 40, &fw_size), -EMSGSIZE);
	assert_int_equal(fw_size, 8 + 64);

	/* Truncated reads consumed nothing. */
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 1);
}

static void test_limit(void **state)
{
	struct env *e = *state;
	uint8_t out[8];
	size_t fw_size = 0;
	struct ocxlpmem_reply rep;
	int first = 0, id;

	for (int i = 0; i < 256; i++) {
		id = add(e, OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE, 0, (uint32_t)i, NULL, 16);
		assert_true(id > 0);
		if (!i)
			first = id;
		else
			assert_int_equal(id, first + i);
	}
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 256);
	assert_int_equal(add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 0, NULL, 0), -ENOSPC);
	/* A health request cannot be answered while the log is full. */
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_REQUEST_HEALTH, NULL, 0, out,
					     sizeof(out), &fw_size),
			 0);
	assert_int_equal(ocxlpmem_reply_decode(out, fw_size, &rep), 0);
	assert_int_equal(rep.card_status, OCXLPMEM_STATUS_BLOCKED_BG_TASK);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 256);

	/* Drain: every entry once, in order, with its own prc. */
	for (int i = 0; i < 256; i++) {
		read_log(e);
		assert_true(e->entry.present);
		assert_int_equal(e->entry.log_identifier, (uint32_t)(first + i));
		assert_int_equal(e->entry.program_reference_code, (uint32_t)i);
		assert_int_equal(ack(e, e->entry.log_identifier), OCXLPMEM_STATUS_SUCCESS);
		/* Room again after the first ack: ids carry on. */
		if (i == 0) {
			id = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 999, NULL, 0);
			assert_int_equal(id, first + 256);
		}
	}
	read_log(e);
	assert_int_equal(e->entry.log_identifier, (uint32_t)(first + 256));
	assert_int_equal(e->entry.program_reference_code, 999);
	assert_int_equal(ack(e, e->entry.log_identifier), OCXLPMEM_STATUS_SUCCESS);
	read_log(e);
	assert_false(e->entry.present);
	assert_int_equal(ocxlpmem_model_events(e->m), 0);
}

static void test_bad_add(void **state)
{
	struct env *e = *state;
	static uint8_t big[OCXLPMEM_ERRLOG_DATA_MAX + 1];

	assert_int_equal(add(e, OCXLPMEM_ERRLOG_TYPE_MAX + 1, 0, 0, NULL, 0), -EINVAL);
	assert_int_equal(add(e, OCXLPMEM_ERRLOG_GENERAL, 1u << 5, 0, NULL, 0), -EINVAL);
	assert_int_equal(add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 0, big, sizeof(big)), -EINVAL);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 0);
}

static void test_request_health(void **state)
{
	struct env *e = *state;
	uint8_t out[8];
	size_t fw_size = 0;
	struct ocxlpmem_reply rep;

	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_REQUEST_HEALTH, NULL, 0, out,
					     sizeof(out), &fw_size),
			 0);
	assert_int_equal(ocxlpmem_reply_decode(out, fw_size, &rep), 0);
	assert_int_equal(rep.card_status, OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(rep.data_len, 0);
	assert_true(event_fd_fired(e->m));
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);

	read_log(e);
	assert_true(e->entry.present);
	assert_int_equal(e->entry.type, OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE);
	assert_int_equal(e->entry.action_flags, 0);
	assert_int_equal(e->entry.data_size, 64);
	assert_int_equal(ack(e, e->entry.log_identifier), OCXLPMEM_STATUS_SUCCESS);
}

static void test_event(void **state)
{
	struct env *e = *state;
	int a, b;

	assert_false(event_fd_fired(e->m));
	a = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 0, NULL, 0);
	assert_true(event_fd_fired(e->m));
	b = add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 0, NULL, 0);
	assert_false(event_fd_fired(e->m));
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);
	assert_int_equal(ack(e, (uint32_t)a), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);
	assert_int_equal(ack(e, (uint32_t)b), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_events(e->m), 0);
	assert_false(event_fd_fired(e->m));
	/* Empty again: the next entry is a new event. */
	add(e, OCXLPMEM_ERRLOG_GENERAL, 0, 0, NULL, 0);
	assert_true(event_fd_fired(e->m));
}

/* An entry asking for a dump comes with one, unless one is held. */
static void test_dump_action(void **state)
{
	struct env *e = *state;
	uint32_t id1 = 0, id2 = 0, size = 0;

	assert_false(ocxlpmem_model_dump_held(e->m, NULL, NULL));
	assert_true(add(e, OCXLPMEM_ERRLOG_GENERAL, OCXLPMEM_ACTION_DUMP, 0, NULL, 0) > 0);
	assert_true(ocxlpmem_model_dump_held(e->m, &id1, &size));
	assert_int_equal(size, 4u << 20);
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE |
							  OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);

	assert_true(add(e, OCXLPMEM_ERRLOG_GENERAL, OCXLPMEM_ACTION_DUMP, 0, NULL, 0) > 0);
	assert_true(ocxlpmem_model_dump_held(e->m, &id2, NULL));
	assert_int_equal(id1, id2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_allocated_lazily, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generated_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_action, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
