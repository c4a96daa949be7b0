// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Typed commands end to end against the card model: what the daemon will
 * see for success, card refusals, transport errors and broken replies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ocxlpmem/ocxlpmem.h>

struct fixture {
	struct ocxlpmem_transport *t;
	struct ocxlpmem_card *card;
	struct ocxlpmem_model *model;
};

static void take_first(struct ocxlpmem_card *c, enum ocxlpmem_card_change change, void *userdata)
{
	struct fixture *f = userdata;

	if (change == OCXLPMEM_CARD_ADDED && !f->card)
		f->card = ocxlpmem_card_ref(c);
}

static int setup(void **state)
{
	struct ocxlpmem_model_config cfg = { .serial = 0xabcdef, .seed = 42, .fw_version = "2.3.0001" };
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || ocxlpmem_transport_new_sim(1, &cfg, &f->t) < 0)
		return -1;
	ocxlpmem_transport_set_listener(f->t, take_first, f);
	if (ocxlpmem_transport_scan(f->t) < 0 || !f->card)
		return -1;
	f->model = ocxlpmem_card_model(f->card);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ocxlpmem_card_unref(f->card);
	ocxlpmem_transport_free(f->t);
	free(f);
	return 0;
}

static void test_identity_and_sensors(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_capabilities caps;
	struct ocxlpmem_smart smart;
	struct ocxlpmem_health health;
	struct ocxlpmem_stats stats;
	unsigned int life;
	int temp;

	assert_int_equal(ocxlpmem_cmd_capabilities(f->card, &caps), 0);
	assert_int_equal(caps.serial, 0xabcdef);
	assert_string_equal(caps.fw_version, "2.3.0001");
	assert_true(caps.admin_buffer_size > 0 && caps.admin_buffer_size % 8 == 0);
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		assert_true(caps.functions & (1u << fn));

	assert_int_equal(ocxlpmem_cmd_smart(f->card, &smart), 0);
	assert_true(ocxlpmem_smart_temperature_c(&smart, &temp));
	assert_true(temp > 0 && temp < 100);
	assert_true(ocxlpmem_smart_life_remaining_pct(&smart, &life));
	assert_true(life <= 100);

	assert_int_equal(ocxlpmem_cmd_health(f->card, &health), 0);
	assert_true(health.flags & OCXLPMEM_HEALTH_READY);
	assert_true(health.flags & OCXLPMEM_HEALTH_MEMORY_AVAILABLE);
	assert_int_equal(ocxlpmem_cmd_stats(f->card, &stats), 0);
	assert_true(stats.life_remaining_pct <= 100);
	assert_int_equal(ocxlpmem_cmd_heartbeat(f->card), 0);
}

static void test_unsupported_attribute_is_not_a_number(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_smart smart;
	int temp = 12345;

	ocxlpmem_model_drop_smart_attr(f->model, OCXLPMEM_SMART_TEMPERATURE);
	assert_int_equal(ocxlpmem_cmd_smart(f->card, &smart), 0);
	assert_false(ocxlpmem_smart_temperature_c(&smart, &temp));
	assert_int_equal(temp, 12345);
}

static void test_error_log_read_ack_exactly_once(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_error_log_entry *e = malloc(sizeof(*e));
	uint64_t events;
	int id;

	assert_non_null(e);
	assert_int_equal(ocxlpmem_cmd_error_log_read(f->card, e), 0);
	assert_false(e->present);

	id = ocxlpmem_model_add_error_log(f->model, OCXLPMEM_ERRLOG_DATA_LOSS, 0, 0x1234, "abcdefgh", 8);
	assert_true(id >= 0);
	assert_int_equal(ocxlpmem_cmd_event_check(f->card, &events), 0);
	assert_true(events & OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);

	/* Reading twice gives the same entry: nothing is lost to a crash. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ocxlpmem_cmd_error_log_read(f->card, e), 0);
		assert_true(e->present);
		assert_int_equal(e->log_identifier, (uint32_t)id);
		assert_int_equal(e->type, OCXLPMEM_ERRLOG_DATA_LOSS);
		assert_int_equal(e->program_reference_code, 0x1234);
		assert_int_equal(e->data_size, 8);
		assert_memory_equal(e->data, "abcdefgh", 8);
	}
	/* Acknowledging another id is refused with the card's status. */
	assert_int_equal(ocxlpmem_cmd_error_log_ack(f->card, (uint32_t)id + 1),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(ocxlpmem_cmd_error_log_ack(f->card, (uint32_t)id), 0);
	assert_int_equal(ocxlpmem_cmd_error_log_read(f->card, e), 0);
	assert_false(e->present);
	assert_int_equal(ocxlpmem_cmd_event_check(f->card, &events), 0);
	assert_false(events & OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE);

	/* REQUEST_HEALTH answers with a health/performance entry. */
	assert_int_equal(ocxlpmem_cmd_request_health(f->card), 0);
	assert_int_equal(ocxlpmem_cmd_error_log_read(f->card, e), 0);
	assert_true(e->present);
	assert_int_equal(e->type, OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE);
	free(e);
}

static void test_dump_byte_exact(void **state)
{
	struct fixture *f = *state;
	const uint32_t size = 1u << 20;
	struct ocxlpmem_capabilities caps;
	struct ocxlpmem_dump_info info;
	struct ocxlpmem_dump_chunk chunk;
	uint8_t *buf, *want, *got;
	uint32_t off = 0;
	size_t cap;

	assert_int_equal(ocxlpmem_cmd_capabilities(f->card, &caps), 0);
	assert_true(ocxlpmem_model_raise_dump(f->model, size) >= 0);
	assert_int_equal(ocxlpmem_cmd_dump_start(f->card, &info), 0);
	assert_int_equal(info.origin, OCXLPMEM_DUMP_CARD);
	assert_int_equal(info.total_size, size);

	cap = 8 + 24 + caps.admin_buffer_size;
	buf = malloc(cap);
	got = malloc(size);
	want = malloc(size);
	assert_true(buf && got && want);
	for (;;) {
		struct ocxlpmem_dump_data_req req = {
			.dump_id = info.dump_id, .offset = off, .max_size = caps.admin_buffer_size,
		};

		assert_int_equal(ocxlpmem_cmd_dump_data(f->card, &req, buf, cap, &chunk), 0);
		if (chunk.chunk_size == 0)
			break;
		assert_true(off + chunk.chunk_size <= size);
		memcpy(got + off, chunk.data, chunk.chunk_size);
		off += chunk.chunk_size;
	}
	assert_int_equal(off, size);
	ocxlpmem_model_dump_content(0xabcdef, info.dump_id, 0, want, size);
	assert_memory_equal(got, want, size);
	assert_int_equal(ocxlpmem_cmd_dump_complete(f->card, info.dump_id), 0);
	assert_false(ocxlpmem_model_dump_held(f->model, NULL, NULL));
	free(buf);
	free(got);
	free(want);
}

static void test_firmware_update_stages(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_firmware_info fi;
	uint8_t payload[3 * 8192], *image;
	size_t cap = sizeof(payload) + 64;
	ssize_t n;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	image = malloc(cap);
	assert_non_null(image);
	n = ocxlpmem_fw_image_build("9.9.0009", payload, sizeof(payload), image, cap);
	assert_true(n > 0);

	assert_int_equal(ocxlpmem_cmd_fw_start(f->card, (uint32_t)n), 0);
	/* A second start while one is in progress: blocked. */
	assert_int_equal(ocxlpmem_cmd_fw_start(f->card, (uint32_t)n), OCXLPMEM_STATUS_BLOCKED_BG_TASK);
	for (uint32_t off = 0; off < (uint32_t)n; off += OCXLPMEM_FW_BLOCK_MAX) {
		uint32_t sz = (uint32_t)n - off < OCXLPMEM_FW_BLOCK_MAX ? (uint32_t)n - off :
									   OCXLPMEM_FW_BLOCK_MAX;

		assert_int_equal(ocxlpmem_cmd_fw_block(f->card, off, image + off, sz), 0);
	}
	assert_int_equal(ocxlpmem_cmd_fw_finish(f->card, &fi), 0);
	assert_string_equal(fi.staged_version, "9.9.0009");
	assert_int_equal(ocxlpmem_cmd_firmware_info(f->card, &fi), 0);
	assert_string_equal(fi.running_version, "2.3.0001");
	assert_string_equal(fi.staged_version, "9.9.0009");
	free(image);
}

static void test_card_refusals_are_positive_status(void **state)
{
	struct fixture *f = *state;
	static const uint8_t statuses[] = {
		OCXLPMEM_STATUS_MEM_UNAVAILABLE, OCXLPMEM_STATUS_BLOCKED_BG_TASK,
		OCXLPMEM_STATUS_BAD_OPCODE, OCXLPMEM_STATUS_BAD_REQUEST_PARM,
		OCXLPMEM_STATUS_BAD_DATA_PARM, OCXLPMEM_STATUS_DEBUG_BLOCKED,
		OCXLPMEM_STATUS_FAIL,
	};
	struct ocxlpmem_smart smart;

	for (size_t i = 0; i < sizeof(statuses); i++) {
		struct ocxlpmem_fault fault = {
			.kind = OCXLPMEM_FAULT_STATUS, .function = OCXLPMEM_FN_SMART,
			.count = 1, .status = statuses[i],
		};

		assert_int_equal(ocxlpmem_model_inject(f->model, &fault), 0);
		assert_int_equal(ocxlpmem_cmd_smart(f->card, &smart), statuses[i]);
		/* One-shot: the next call succeeds. */
		assert_int_equal(ocxlpmem_cmd_smart(f->card, &smart), 0);
	}
}

static void test_transport_and_reply_faults(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_stats stats;
	static const struct {
		struct ocxlpmem_fault fault;
		int expect;
	} cases[] = {
		{ { .kind = OCXLPMEM_FAULT_ERRNO, .err = EBUSY, .count = 1 }, -EBUSY },
		{ { .kind = OCXLPMEM_FAULT_ERRNO, .err = EAGAIN, .count = 1 }, -EAGAIN },
		{ { .kind = OCXLPMEM_FAULT_ERRNO, .err = EIO, .count = 1 }, -EIO },
		{ { .kind = OCXLPMEM_FAULT_TIMEOUT, .delay_ms = 1, .count = 1 }, -ETIMEDOUT },
		{ { .kind = OCXLPMEM_FAULT_TRUNCATE, .truncate_to = 20, .count = 1 }, -EMSGSIZE },
		{ { .kind = OCXLPMEM_FAULT_CORRUPT, .corruption = OCXLPMEM_CORRUPT_HEADER_ID, .count = 1 }, -EBADMSG },
		{ { .kind = OCXLPMEM_FAULT_CORRUPT, .corruption = OCXLPMEM_CORRUPT_RESERVED, .count = 1 }, -EBADMSG },
		{ { .kind = OCXLPMEM_FAULT_CORRUPT, .corruption = OCXLPMEM_CORRUPT_LENGTH, .count = 1 }, -EBADMSG },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ocxlpmem_fault fault = cases[i].fault;
		int r;

		fault.function = OCXLPMEM_FN_CONTROLLER_STATS;
		assert_int_equal(ocxlpmem_model_inject(f->model, &fault), 0);
		r = ocxlpmem_cmd_stats(f->card, &stats);
		if (cases[i].expect == -EBADMSG && r == -EMSGSIZE)
			r = -EBADMSG; /* a damaged length may read as truncation */
		assert_int_equal(r, cases[i].expect);
		assert_int_equal(ocxlpmem_cmd_stats(f->card, &stats), 0);
	}
}

static void test_removal_mid_dump(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_dump_info info;
	struct ocxlpmem_dump_chunk chunk;
	struct ocxlpmem_fault fault = { .kind = OCXLPMEM_FAULT_REMOVE_AFTER, .after = 2 };
	uint8_t *buf = malloc(8 + 24 + 4096);
	struct ocxlpmem_dump_data_req req = { .max_size = 4096 };
	int r = 0;

	assert_non_null(buf);
	assert_true(ocxlpmem_model_raise_dump(f->model, 64 * 1024) >= 0);
	assert_int_equal(ocxlpmem_cmd_dump_start(f->card, &info), 0);
	req.dump_id = info.dump_id;
	assert_int_equal(ocxlpmem_model_inject(f->model, &fault), 0);
	for (int i = 0; i < 8 && r == 0; i++) {
		r = ocxlpmem_cmd_dump_data(f->card, &req, buf, 8 + 24 + 4096, &chunk);
		req.offset += 4096;
	}
	assert_int_equal(r, -ENXIO);
	assert_true(ocxlpmem_model_is_removed(f->model));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_and_sensors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_attribute_is_not_a_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_log_read_ack_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_byte_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_update_stages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_refusals_are_positive_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_and_reply_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removal_mid_dump, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
