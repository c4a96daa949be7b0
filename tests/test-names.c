// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names, messages, errnos and timeouts of the ABI's enums. */
#include "test-codec-util.h"

#include <ocxlpmem/codec.h>

static const struct {
	unsigned int fn;
	const char *name;
	int opcode;
	unsigned int timeout_ms;
} function_table[] = {
	{ OCXLPMEM_FN_SMART, "smart", 0x05, 100 },
	{ OCXLPMEM_FN_CAPABILITIES, "capabilities", 0x08, 100 },
	{ OCXLPMEM_FN_CONTROLLER_HEALTH, "controller-health", -1, 100 },
	{ OCXLPMEM_FN_ERROR_LOG_READ, "error-log-read", 0x04, 2000 },
	{ OCXLPMEM_FN_ERROR_LOG_ACK, "error-log-ack", -1, 100 },
	{ OCXLPMEM_FN_REQUEST_HEALTH, "request-health", -1, 100 },
	{ OCXLPMEM_FN_CONTROLLER_STATS, "controller-stats", 0x06, 100 },
	{ OCXLPMEM_FN_EVENT_CHECK, "event-check", -1, 100 },
	{ OCXLPMEM_FN_DUMP_START, "dump-start", 0x07, 1000 },
	{ OCXLPMEM_FN_DUMP_DATA, "dump-data", 0x07, 1000 },
	{ OCXLPMEM_FN_DUMP_COMPLETE, "dump-complete", -1, 100 },
	{ OCXLPMEM_FN_FW_UPDATE_START, "fw-update-start", 0x02, 16000 },
	{ OCXLPMEM_FN_FW_UPDATE_BLOCK, "fw-update-block", 0x02, 16000 },
	{ OCXLPMEM_FN_FW_UPDATE_FINISH, "fw-update-finish", 0x02, 16000 },
	{ OCXLPMEM_FN_FW_UPDATE_ABORT, "fw-update-abort", 0x02, 16000 },
	{ OCXLPMEM_FN_FIRMWARE_INFO, "firmware-info", -1, 100 },
	{ OCXLPMEM_FN_SHUTDOWN, "shutdown", 0x01, 1000 },
	{ OCXLPMEM_FN_HEARTBEAT, "heartbeat", 0x00, 100 },
};

static void test_functions(void **state)
{
	/* The table covers every function number, once. */
	assert_int_equal(N_ELEMENTS(function_table), OCXLPMEM_FN_MAX - OCXLPMEM_FN_MIN + 1);
	for (size_t i = 0; i < N_ELEMENTS(function_table); i++) {
		unsigned int fn = function_table[i].fn;

		tc_name = function_table[i].name;
		EXPECT_EQ(fn, OCXLPMEM_FN_MIN + i);
		assert_non_null(ocxlpmem_function_name(fn));
		EXPECT_STR(ocxlpmem_function_name(fn), function_table[i].name);
		EXPECT_EQ(ocxlpmem_function_opcode(fn), function_table[i].opcode);
		EXPECT_EQ(ocxlpmem_function_default_timeout_ms(fn), function_table[i].timeout_ms);
		EXPECT_EQ(ocxlpmem_function_timeout_ms(fn, NULL), function_table[i].timeout_ms);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(function_table[j].name, function_table[i].name);
	}
	assert_null(ocxlpmem_function_name(0));
	assert_null(ocxlpmem_function_name(OCXLPMEM_FN_MAX + 1));
	assert_null(ocxlpmem_function_name(~0u));
	assert_int_equal(ocxlpmem_function_opcode(0), -EINVAL);
	assert_int_equal(ocxlpmem_function_opcode(OCXLPMEM_FN_MAX + 1), -EINVAL);
	assert_int_equal(ocxlpmem_function_default_timeout_ms(0), 0);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_MAX + 1, NULL), 0);
}

static void test_timeouts_from_caps(void **state)
{
	struct ocxlpmem_capabilities caps = { .admin_buffer_size = 8 };

	caps.timeout_ms[OCXLPMEM_OP_SMART] = 250;
	caps.timeout_ms[OCXLPMEM_OP_FW_UPDATE] = 30000;
	caps.timeout_ms[OCXLPMEM_OP_HEARTBEAT] = 0; /* not reported: default */
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_SMART, &caps), 250);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_FW_UPDATE_BLOCK, &caps), 30000);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_FW_UPDATE_ABORT, &caps), 30000);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_HEARTBEAT, &caps), 100);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_ERROR_LOG_READ, &caps), 2000);

	/* MMIO functions and CMD_CAPS (opcode 8) have no entry in the table. */
	for (size_t i = 0; i < OCXLPMEM_NR_TIMEOUTS; i++)
		caps.timeout_ms[i] = 7;
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_CAPABILITIES, &caps), 100);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_EVENT_CHECK, &caps), 100);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_CONTROLLER_HEALTH, &caps), 100);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_FIRMWARE_INFO, &caps), 100);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_REQUEST_HEALTH, &caps), 100);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_SHUTDOWN, &caps), 7);
	assert_int_equal(ocxlpmem_function_timeout_ms(OCXLPMEM_FN_DUMP_DATA, &caps), 7);
}

static const struct {
	unsigned int status;
	const char *name;
	int err;
} status_table[] = {
	{ OCXLPMEM_STATUS_SUCCESS, "SUCCESS", 0 },
	{ OCXLPMEM_STATUS_MEM_UNAVAILABLE, "MEM_UNAVAILABLE", -EAGAIN },
	{ OCXLPMEM_STATUS_BLOCKED_BG_TASK, "BLOCKED_BG_TASK", -EBUSY },
	{ OCXLPMEM_STATUS_BAD_OPCODE, "BAD_OPCODE", -EOPNOTSUPP },
	{ OCXLPMEM_STATUS_BAD_REQUEST_PARM, "BAD_REQUEST_PARM", -EINVAL },
	{ OCXLPMEM_STATUS_BAD_DATA_PARM, "BAD_DATA_PARM", -EBADMSG },
	{ OCXLPMEM_STATUS_DEBUG_BLOCKED, "DEBUG_BLOCKED", -EPERM },
	{ OCXLPMEM_STATUS_FAIL, "FAIL", -EIO },
};

static int status_index(unsigned int status)
{
	for (size_t i = 0; i < N_ELEMENTS(status_table); i++)
		if (status_table[i].status == status)
			return (int)i;
	return -1;
}

static void test_card_status(void **state)
{
	const char *undefined = ocxlpmem_card_status_message(0x99, OCXLPMEM_FN_SMART);

	for (unsigned int s = 0; s <= 0x1FF; s++) {
		int i = status_index(s);

		if (i < 0) {
			assert_null(ocxlpmem_card_status_name(s));
			assert_int_equal(ocxlpmem_card_status_errno(s), -EPROTO);
			assert_string_equal(ocxlpmem_card_status_message(s, OCXLPMEM_FN_SMART),
					    undefined);
			continue;
		}
		tc_name = status_table[i].name;
		EXPECT_STR(ocxlpmem_card_status_name(s), status_table[i].name);
		EXPECT_EQ(ocxlpmem_card_status_errno(s), status_table[i].err);
		/* Every defined status has a message of its own, for every function. */
		for (unsigned int fn = 0; fn <= OCXLPMEM_FN_MAX + 1; fn++) {
			const char *m = ocxlpmem_card_status_message(s, fn);

			assert_non_null(m);
			assert_string_not_equal(m, undefined);
		}
		for (int j = 0; j < i; j++)
			assert_string_not_equal(
				ocxlpmem_card_status_message(s, OCXLPMEM_FN_SMART),
				ocxlpmem_card_status_message(status_table[j].status,
							     OCXLPMEM_FN_SMART));
	}
	assert_non_null(undefined);
}

static void test_card_status_fw(void **state)
{
	static const unsigned int fw_fns[] = {
		OCXLPMEM_FN_FW_UPDATE_START, OCXLPMEM_FN_FW_UPDATE_BLOCK,
		OCXLPMEM_FN_FW_UPDATE_FINISH, OCXLPMEM_FN_FW_UPDATE_ABORT,
	};
	static const unsigned int fw_codes[] = { 0x21, 0x51, 0x52 };

	for (size_t f = 0; f < N_ELEMENTS(fw_fns); f++) {
		for (size_t c = 0; c < N_ELEMENTS(fw_codes); c++) {
			const char *fw = ocxlpmem_card_status_message(fw_codes[c], fw_fns[f]);
			const char *gen = ocxlpmem_card_status_message(fw_codes[c],
								       OCXLPMEM_FN_DUMP_DATA);

			assert_string_not_equal(fw, gen);
			assert_non_null(strstr(fw, "firmware"));
		}
		/* The other codes keep their general meaning. */
		assert_string_equal(ocxlpmem_card_status_message(0x20, fw_fns[f]),
				    ocxlpmem_card_status_message(0x20, OCXLPMEM_FN_SMART));
		assert_string_equal(ocxlpmem_card_status_message(0xFF, fw_fns[f]),
				    ocxlpmem_card_status_message(0xFF, OCXLPMEM_FN_SMART));
	}
	assert_string_equal(ocxlpmem_card_status_message(0x52, OCXLPMEM_FN_FW_UPDATE_FINISH),
			    "the card rejected the firmware image as invalid");
	/* FIRMWARE_INFO is not an update step. */
	assert_string_equal(ocxlpmem_card_status_message(0x52, OCXLPMEM_FN_FIRMWARE_INFO),
			    ocxlpmem_card_status_message(0x52, OCXLPMEM_FN_SMART));
}

static void test_error_log_types(void **state)
{
	static const char *const names[] = {
		"general", "predictive-failure", "thermal-warning", "data-loss",
		"health-performance",
	};

	assert_int_equal(N_ELEMENTS(names), OCXLPMEM_ERRLOG_TYPE_MAX + 1);
	for (unsigned int t = 0; t < N_ELEMENTS(names); t++) {
		assert_string_equal(ocxlpmem_error_log_type_name(t), names[t]);
		assert_int_equal(ocxlpmem_error_log_type_from_name(names[t]), (int)t);
	}
	assert_null(ocxlpmem_error_log_type_name(OCXLPMEM_ERRLOG_TYPE_MAX + 1));
	assert_null(ocxlpmem_error_log_type_name(~0u));
	assert_int_equal(ocxlpmem_error_log_type_from_name("GENERAL"), -EINVAL);
	assert_int_equal(ocxlpmem_error_log_type_from_name("general "), -EINVAL);
	assert_int_equal(ocxlpmem_error_log_type_from_name(""), -EINVAL);
	assert_int_equal(ocxlpmem_error_log_type_from_name(NULL), -EINVAL);
}

static void test_actions(void **state)
{
	static const struct {
		const char *list;
		int expect;
		uint32_t flags;
	} cases[] = {
		{ "", 0, 0 },
		{ "reset", 0, OCXLPMEM_ACTION_RESET },
		{ "chkfw", 0, OCXLPMEM_ACTION_CHKFW },
		{ "replace", 0, OCXLPMEM_ACTION_REPLACE },
		{ "dump", 0, OCXLPMEM_ACTION_DUMP },
		{ "reset,dump", 0, OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_DUMP },
		{ "dump,chkfw,replace,reset", 0, OCXLPMEM_ACTION_ALL },
		{ "reset,reset", 0, OCXLPMEM_ACTION_RESET },
		{ "reset,", -EINVAL, 0 },
		{ ",reset", -EINVAL, 0 },
		{ ",", -EINVAL, 0 },
		{ "reset,,dump", -EINVAL, 0 },
		{ "Reset", -EINVAL, 0 },
		{ "reset dump", -EINVAL, 0 },
		{ "reset, dump", -EINVAL, 0 },
		{ "rese", -EINVAL, 0 },
		{ "resetx", -EINVAL, 0 },
		{ "reset,bogus", -EINVAL, 0 },
	};
	static const struct {
		uint32_t flag;
		const char *name;
	} names[] = {
		{ OCXLPMEM_ACTION_RESET, "reset" },
		{ OCXLPMEM_ACTION_CHKFW, "chkfw" },
		{ OCXLPMEM_ACTION_REPLACE, "replace" },
		{ OCXLPMEM_ACTION_DUMP, "dump" },
	};
	uint32_t all = 0, flags;

	for (size_t i = 0; i < N_ELEMENTS(names); i++) {
		assert_string_equal(ocxlpmem_action_name(names[i].flag), names[i].name);
		all |= names[i].flag;
	}
	assert_int_equal(all, OCXLPMEM_ACTION_ALL);
	for (unsigned int bit = 0; bit < 32; bit++)
		if (!((1u << bit) & OCXLPMEM_ACTION_ALL))
			assert_null(ocxlpmem_action_name(1u << bit));
	assert_null(ocxlpmem_action_name(0));
	assert_null(ocxlpmem_action_name(OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_DUMP));

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		int r;

		flags = 0xA5A5A5A5u;
		r = ocxlpmem_action_flags_from_names(cases[i].list, &flags);
		if (r != cases[i].expect)
			fail_msg("\"%s\": got %d, want %d", cases[i].list, r, cases[i].expect);
		if (r == 0 && flags != cases[i].flags)
			fail_msg("\"%s\": got 0x%x", cases[i].list, flags);
		if (r < 0 && flags != 0xA5A5A5A5u)
			fail_msg("\"%s\": output written on failure", cases[i].list);
	}
	assert_int_equal(ocxlpmem_action_flags_from_names(NULL, &flags), -EINVAL);
	assert_int_equal(ocxlpmem_action_flags_from_names("reset", NULL), -EINVAL);
}

static void test_events_and_origins(void **state)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} events[] = {
		{ OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE, "controller-dump-available" },
		{ OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE, "error-log-available" },
		{ OCXLPMEM_EVENT_HARDWARE_FATAL, "hardware-fatal" },
		{ OCXLPMEM_EVENT_FIRMWARE_FATAL, "firmware-fatal" },
	};
	uint64_t all = 0;

	for (size_t i = 0; i < N_ELEMENTS(events); i++) {
		assert_string_equal(ocxlpmem_event_name(events[i].bit), events[i].name);
		all |= events[i].bit;
	}
	assert_true(all == OCXLPMEM_EVENT_ALL);
	for (unsigned int bit = 4; bit < 64; bit++)
		assert_null(ocxlpmem_event_name(1ull << bit));
	assert_null(ocxlpmem_event_name(0));
	assert_null(ocxlpmem_event_name(3));

	assert_string_equal(ocxlpmem_dump_origin_name(OCXLPMEM_DUMP_NONE), "none");
	assert_string_equal(ocxlpmem_dump_origin_name(OCXLPMEM_DUMP_CARD), "card");
	assert_string_equal(ocxlpmem_dump_origin_name(OCXLPMEM_DUMP_HOST), "host");
	assert_null(ocxlpmem_dump_origin_name(3));
	assert_null(ocxlpmem_dump_origin_name(~0u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_timeouts_from_caps),
		cmocka_unit_test(test_card_status),
		cmocka_unit_test(test_card_status_fw),
		cmocka_unit_test(test_error_log_types),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_events_and_origins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
