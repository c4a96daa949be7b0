// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault injection in the card model: every fault kind, the skip/count/
 * function matching rules, every card status code, hangs released from
 * another thread, removal in the middle of a dump and of a firmware update,
 * and the not-ready card.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
		.seed = 77,
		.admin_buffer_size = 4096,
		.clock_ms = test_clock,
	};

	if (!e)
		return -1;
	e->now_ms = 100;
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

static int raw_call(struct env *e, unsigned int fn, const void *in, size_t in_len)
{
	e->fw_size = 0;
	return ocxlpmem_model_call(e->m, fn, in, in_len, e->out, sizeof(e->out), &e->fw_size);
}

/* The card status with the reply split into e->rep, or -errno. */
static int call(struct env *e, unsigned int fn, const void *in, size_t in_len)
{
	int r = raw_call(e, fn, in, in_len);

	if (r < 0)
		return r;
	assert_int_equal(ocxlpmem_reply_decode(e->out, e->fw_size, &e->rep), 0);
	return e->rep.card_status;
}

static int inject(struct env *e, struct ocxlpmem_fault f)
{
	return ocxlpmem_model_inject(e->m, &f);
}

/*
 * What a reader makes of the last reply of fn: 0 when it decodes cleanly,
 * else the first decoder error.  No shortcut: the same path the daemon takes.
 */
static int decode_last(struct env *e, unsigned int fn)
{
	struct ocxlpmem_error_log_entry *el;
	struct ocxlpmem_capabilities caps;
	struct ocxlpmem_firmware_info fw;
	struct ocxlpmem_dump_chunk chunk;
	struct ocxlpmem_dump_info info;
	struct ocxlpmem_health health;
	struct ocxlpmem_smart smart;
	struct ocxlpmem_stats stats;
	struct ocxlpmem_reply rep;
	uint64_t events;
	int r;

	if (e->fw_size > sizeof(e->out))
		return -EMSGSIZE;
	r = ocxlpmem_reply_decode(e->out, e->fw_size, &rep);
	if (r < 0)
		return r;
	switch (fn) {
	case OCXLPMEM_FN_SMART:
		return ocxlpmem_smart_decode(rep.data, rep.data_len, &smart);
	case OCXLPMEM_FN_CAPABILITIES:
		return ocxlpmem_capabilities_decode(rep.data, rep.data_len, &caps);
	case OCXLPMEM_FN_CONTROLLER_HEALTH:
		return ocxlpmem_health_decode(rep.data, rep.data_len, &health);
	case OCXLPMEM_FN_ERROR_LOG_READ:
		el = malloc(sizeof(*el));
		assert_non_null(el);
		r = ocxlpmem_error_log_decode(rep.data, rep.data_len, el);
		free(el);
		return r;
	case OCXLPMEM_FN_CONTROLLER_STATS:
		return ocxlpmem_stats_decode(rep.data, rep.data_len, &stats);
	case OCXLPMEM_FN_EVENT_CHECK:
		return ocxlpmem_events_decode(rep.data, rep.data_len, &events);
	case OCXLPMEM_FN_DUMP_START:
		return ocxlpmem_dump_info_decode(rep.data, rep.data_len, &info);
	case OCXLPMEM_FN_DUMP_DATA:
		return ocxlpmem_dump_chunk_decode(rep.data, rep.data_len, &chunk);
	case OCXLPMEM_FN_FIRMWARE_INFO:
		return ocxlpmem_firmware_info_decode(rep.data, rep.data_len, &fw);
	default:
		return rep.data_len ? -EBADMSG : 0;
	}
}

static long elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void test_names(void **state)
{
	static const char *const names[] = {
		"status", "timeout", "hang", "errno", "truncate", "corrupt", "remove-after",
		"not-ready", "slow",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int k = ocxlpmem_fault_kind_from_name(names[i]);

		assert_int_equal(k, OCXLPMEM_FAULT_STATUS + (int)i);
		assert_string_equal(ocxlpmem_fault_kind_name((enum ocxlpmem_fault_kind)k), names[i]);
	}
	assert_null(ocxlpmem_fault_kind_name(OCXLPMEM_FAULT_NONE));
	assert_null(ocxlpmem_fault_kind_name((enum ocxlpmem_fault_kind)99));
	assert_int_equal(ocxlpmem_fault_kind_from_name("none"), -EINVAL);
	assert_int_equal(ocxlpmem_fault_kind_from_name("Hang"), -EINVAL);
	assert_int_equal(ocxlpmem_fault_kind_from_name(""), -EINVAL);
	assert_int_equal(ocxlpmem_fault_kind_from_name(NULL), -EINVAL);
}

static void test_inject_checks(void **state)
{
	struct env *e = *state;

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_NONE }), -EINVAL);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = 42 }), -EINVAL);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS,
							    .function = 19 }),
			 -EINVAL);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO }),
			 -EINVAL);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
							    .err = -5 }),
			 -EINVAL);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_CORRUPT,
							    .corruption = 3 }),
			 -EINVAL);
	assert_int_equal(ocxlpmem_model_inject(e->m, NULL), -EINVAL);
	assert_int_equal(ocxlpmem_model_inject(NULL, &(struct ocxlpmem_fault){
							     .kind = OCXLPMEM_FAULT_HANG }),
			 -EINVAL);

	for (int i = 0; i < 16; i++)
		assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS,
								    .function = OCXLPMEM_FN_SMART,
								    .status = 0x50 }),
				 0);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS }),
			 -ENOSPC);
	ocxlpmem_model_clear_faults(e->m);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS }), 0);
}

/* Every status the card defines, injected; the command does not happen. */
/* The fault table exists only while a fault is armed. */
static void test_table_allocated_lazily(void **state)
{
	const size_t table = MODEL_FAULTS_MAX * sizeof(struct model_fault_slot);
	struct env *e = *state;
	size_t base = ocxlpmem_model_memory_bytes(e->m);

	assert_null(e->m->faults);
	assert_true(base < table + sizeof(struct ocxlpmem_model));
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS,
							    .status = OCXLPMEM_STATUS_FAIL,
							    .count = 1 }), 0);
	assert_non_null(e->m->faults);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base + table);
	/* Spent by its one command: the table goes. */
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_FAIL);
	assert_null(e->m->faults);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);

	/* Cleared: the same. */
	for (int i = 0; i < MODEL_FAULTS_MAX; i++)
		assert_int_equal(inject(e, (struct ocxlpmem_fault){
						   .kind = OCXLPMEM_FAULT_ERRNO, .err = EIO,
						   .function = OCXLPMEM_FN_SMART }), 0);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
							    .err = EIO }), -ENOSPC);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base + table);
	ocxlpmem_model_clear_faults(e->m);
	assert_null(e->m->faults);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

static void test_status_codes(void **state)
{
	static const uint8_t codes[] = {
		OCXLPMEM_STATUS_MEM_UNAVAILABLE, OCXLPMEM_STATUS_BLOCKED_BG_TASK,
		OCXLPMEM_STATUS_BAD_OPCODE,      OCXLPMEM_STATUS_BAD_REQUEST_PARM,
		OCXLPMEM_STATUS_BAD_DATA_PARM,   OCXLPMEM_STATUS_DEBUG_BLOCKED,
		OCXLPMEM_STATUS_FAIL,            OCXLPMEM_STATUS_SUCCESS,
	};
	struct env *e = *state;
	uint8_t in[8];
	int id = ocxlpmem_model_add_error_log(e->m, 0, 0, 0, NULL, 0);

	assert_int_equal(ocxlpmem_error_log_ack_encode((uint32_t)id, in, sizeof(in)), 8);
	for (size_t i = 0; i < sizeof(codes); i++) {
		assert_int_equal(inject(e, (struct ocxlpmem_fault){
						   .kind = OCXLPMEM_FAULT_STATUS,
						   .function = OCXLPMEM_FN_ERROR_LOG_ACK,
						   .status = codes[i],
						   .count = 1,
					   }),
				 0);
		assert_int_equal(call(e, OCXLPMEM_FN_ERROR_LOG_ACK, in, sizeof(in)), codes[i]);
		assert_int_equal(e->rep.data_len, 0);
		assert_int_equal(e->fw_size, 8);
		assert_non_null(ocxlpmem_card_status_name(codes[i]));
		/* The ack never reached the log. */
		assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 1);
	}
	/* count = 1 each: the faults are used up, the real ack goes through. */
	assert_int_equal(call(e, OCXLPMEM_FN_ERROR_LOG_ACK, in, sizeof(in)),
			 OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 0);

	/* A code the card never defined still reaches the reader. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS,
							    .status = 0x99, .count = 1 }),
			 0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), 0x99);
}

/* Every status reached without injection, as a card in the field does. */
static void test_natural_statuses(void **state)
{
	struct env *e = *state;
	uint8_t in[8] = { 0x10 }; /* FW start, 16 bytes */
	uint8_t ack[8] = { 1 };

	assert_int_equal(call(e, OCXLPMEM_FN_ERROR_LOG_ACK, ack, 8),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_START, in, 8), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_START, in, 8),
			 OCXLPMEM_STATUS_BLOCKED_BG_TASK);
	{
		uint8_t blk[8 + 16] = { 16 };

		memset(blk + 8, 0x42, 16);
		assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, blk, sizeof(blk)),
				 OCXLPMEM_STATUS_SUCCESS);
		assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_FINISH, NULL, 0),
				 OCXLPMEM_STATUS_BAD_DATA_PARM);
	}
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_NOT_READY }), 0);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_MEM_UNAVAILABLE);
}

static void test_skip_count_function(void **state)
{
	struct env *e = *state;

	/* Let 2 SMART commands through, fail the next one, then stop. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS,
							    .function = OCXLPMEM_FN_SMART,
							    .status = OCXLPMEM_STATUS_FAIL,
							    .skip = 2, .count = 1 }),
			 0);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	/* Another function neither matches nor counts. */
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_FAIL);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);

	/* count 0: until cleared. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
							    .err = EIO }),
			 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -EIO);
	ocxlpmem_model_clear_faults(e->m);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);

	/* The first armed fault that matches wins; the next one waits. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
							    .err = EBUSY, .count = 1 }),
			 0);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
							    .err = EAGAIN, .count = 1 }),
			 0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -EBUSY);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -EAGAIN);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);

	/* Faulted calls are counted like any other. */
	assert_int_equal(ocxlpmem_model_call_count(e->m, OCXLPMEM_FN_SMART), 4);
	assert_int_equal(ocxlpmem_model_call_count(e->m, OCXLPMEM_FN_HEARTBEAT), 10);
}

static void test_errno(void **state)
{
	static const int errs[] = { EBUSY, EAGAIN, EIO };
	struct env *e = *state;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
								    .err = errs[i], .count = 1 }),
				 0);
		memset(e->out, 0xEE, sizeof(e->out));
		e->fw_size = 4242;
		assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_SMART, NULL, 0, e->out,
						     sizeof(e->out), &e->fw_size),
				 -errs[i]);
		/* Failed ioctl: no output, no size. */
		assert_int_equal(e->fw_size, 4242);
		assert_int_equal(e->out[0], 0xEE);
	}
}

static void test_timeout(void **state)
{
	struct env *e = *state;
	struct timespec t0;

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_TIMEOUT,
							    .delay_ms = 50, .count = 1 }),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), -ETIMEDOUT);
	assert_true(elapsed_ms(&t0) >= 50);

	/* No delay given: the function's own timeout (HEARTBEAT: 100 ms). */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_TIMEOUT,
							    .function = OCXLPMEM_FN_HEARTBEAT,
							    .count = 1 }),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -ETIMEDOUT);
	assert_true(elapsed_ms(&t0) >= OCXLPMEM_TIMEOUT_HEARTBEAT_MS);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

struct hung_call {
	struct ocxlpmem_model *m;
	unsigned int function;
	int result;
	long ms;
};

static void *hung_thread(void *arg)
{
	struct hung_call *h = arg;
	uint8_t out[64];
	size_t fw_size = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	h->result = ocxlpmem_model_call(h->m, h->function, NULL, 0, out, sizeof(out), &fw_size);
	h->ms = elapsed_ms(&t0);
	return NULL;
}

/* The calling thread is inside the hang once its call is counted: the count
 * and the wait happen under one hold of the model's lock. */
static void wait_for_calls(struct ocxlpmem_model *m, unsigned int function, uint64_t n)
{
	for (int i = 0; i < 10000 && ocxlpmem_model_call_count(m, function) < n; i++)
		usleep(1000);
	assert_int_equal(ocxlpmem_model_call_count(m, function), n);
}

static void test_hang_released(void **state)
{
	struct env *e = *state;
	struct hung_call h = { .m = e->m, .function = OCXLPMEM_FN_SMART };
	pthread_t t;

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_HANG,
							    .function = OCXLPMEM_FN_SMART,
							    .count = 1 }),
			 0);
	assert_int_equal(pthread_create(&t, NULL, hung_thread, &h), 0);
	wait_for_calls(e->m, OCXLPMEM_FN_SMART, 1);

	/* While it hangs, the model is not locked: other commands, scenario
	 * controls and fault injection all work. */
	usleep(20000);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_true(ocxlpmem_model_add_error_log(e->m, 0, 0, 0, NULL, 0) > 0);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
							    .function = OCXLPMEM_FN_HEARTBEAT,
							    .err = EIO, .count = 1 }),
			 0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -EIO);

	ocxlpmem_model_release_hangs(e->m);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(h.result, -ETIMEDOUT);
	assert_true(h.ms >= 20);
}

static void test_hang_delay_and_clear(void **state)
{
	struct env *e = *state;
	struct hung_call h = { .m = e->m, .function = OCXLPMEM_FN_CONTROLLER_STATS };
	pthread_t t;
	struct timespec t0;

	/* A hang with a delay ends by itself. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_HANG,
							    .delay_ms = 30, .count = 1 }),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), -ETIMEDOUT);
	assert_true(elapsed_ms(&t0) >= 30);

	/* clear_faults releases a hang too. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_HANG }), 0);
	assert_int_equal(pthread_create(&t, NULL, hung_thread, &h), 0);
	wait_for_calls(e->m, OCXLPMEM_FN_CONTROLLER_STATS, 1);
	ocxlpmem_model_clear_faults(e->m);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(h.result, -ETIMEDOUT);
	assert_int_equal(call(e, OCXLPMEM_FN_CONTROLLER_STATS, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

/* A slow card answers as usual, only late; the next command is on time. */
static void test_slow(void **state)
{
	struct env *e = *state;
	struct timespec t0;

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_SLOW,
							    .delay_ms = 50, .count = 1 }),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_true(elapsed_ms(&t0) >= 50);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_true(elapsed_ms(&t0) < 50);
}

/* Freeing the model wakes a hung command and waits for it to leave. */
static void test_hang_free(void **state)
{
	struct env *e = *state;
	struct hung_call h[2] = {
		{ .m = e->m, .function = OCXLPMEM_FN_SMART },
		{ .m = e->m, .function = OCXLPMEM_FN_HEARTBEAT },
	};
	pthread_t t[2];

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_HANG,
							    .function = OCXLPMEM_FN_SMART }),
			 0);
	/* A long timeout ends at free too. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_TIMEOUT,
							    .function = OCXLPMEM_FN_HEARTBEAT,
							    .delay_ms = 60000 }),
			 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hung_thread, &h[i]), 0);
	wait_for_calls(e->m, OCXLPMEM_FN_SMART, 1);
	wait_for_calls(e->m, OCXLPMEM_FN_HEARTBEAT, 1);
	assert_null(ocxlpmem_model_free(e->m));
	e->m = NULL;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(h[i].result, -ETIMEDOUT);
		assert_true(h[i].ms < 30000);
	}
}

/* The card hands back fewer bytes than its header claims. */
static void test_truncate(void **state)
{
	static const unsigned int fns[] = {
		OCXLPMEM_FN_SMART, OCXLPMEM_FN_CAPABILITIES, OCXLPMEM_FN_CONTROLLER_HEALTH,
		OCXLPMEM_FN_CONTROLLER_STATS, OCXLPMEM_FN_EVENT_CHECK, OCXLPMEM_FN_ERROR_LOG_READ,
		OCXLPMEM_FN_FIRMWARE_INFO,
	};
	struct env *e = *state;

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_TRUNCATE,
								    .function = fns[i],
								    .truncate_to = 12,
								    .count = 1 }),
				 0);
		assert_int_equal(raw_call(e, fns[i], NULL, 0), 0);
		assert_int_equal(e->fw_size, 12);
		assert_int_equal(decode_last(e, fns[i]), -EMSGSIZE);
		/* The next one is whole again. */
		assert_int_equal(raw_call(e, fns[i], NULL, 0), 0);
		assert_int_equal(decode_last(e, fns[i]), 0);
	}

	/* Inside the data: the function decoder catches it. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_TRUNCATE,
							    .truncate_to = 40, .count = 1 }),
			 0);
	assert_int_equal(raw_call(e, OCXLPMEM_FN_SMART, NULL, 0), 0);
	assert_int_equal(e->fw_size, 40);
	assert_int_equal(decode_last(e, OCXLPMEM_FN_SMART), -EMSGSIZE);

	/* Truncating to more than the reply changes nothing. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_TRUNCATE,
							    .truncate_to = 4096, .count = 1 }),
			 0);
	assert_int_equal(raw_call(e, OCXLPMEM_FN_SMART, NULL, 0), 0);
	assert_int_equal(decode_last(e, OCXLPMEM_FN_SMART), 0);
}

/* Every corruption of every reply with data is caught as malformed. */
static void test_corrupt(void **state)
{
	static const unsigned int fns[] = {
		OCXLPMEM_FN_SMART,	       OCXLPMEM_FN_CAPABILITIES,
		OCXLPMEM_FN_CONTROLLER_HEALTH, OCXLPMEM_FN_CONTROLLER_STATS,
		OCXLPMEM_FN_EVENT_CHECK,       OCXLPMEM_FN_ERROR_LOG_READ,
		OCXLPMEM_FN_DUMP_START,	       OCXLPMEM_FN_DUMP_DATA,
		OCXLPMEM_FN_FIRMWARE_INFO,
	};
	static const enum ocxlpmem_corruption kinds[] = {
		OCXLPMEM_CORRUPT_HEADER_ID, OCXLPMEM_CORRUPT_RESERVED, OCXLPMEM_CORRUPT_LENGTH,
	};
	struct env *e = *state;
	struct ocxlpmem_dump_data_req req = { .max_size = 4096 };
	uint8_t dump_in[16];
	uint32_t id = 0;

	/* An error-log entry and a dump, so READ and DUMP_DATA carry data. */
	assert_true(ocxlpmem_model_add_error_log(e->m, 0, 0, 0, NULL, 100) > 0);
	assert_true(ocxlpmem_model_raise_dump(e->m, 65536) > 0);
	assert_true(ocxlpmem_model_dump_held(e->m, &id, NULL));
	req.dump_id = id;
	assert_int_equal(ocxlpmem_dump_data_req_encode(&req, dump_in, sizeof(dump_in)), 16);

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
			const void *in = fns[i] == OCXLPMEM_FN_DUMP_DATA ? dump_in : NULL;
			size_t in_len = in ? sizeof(dump_in) : 0;

			assert_int_equal(inject(e, (struct ocxlpmem_fault){
							   .kind = OCXLPMEM_FAULT_CORRUPT,
							   .function = fns[i],
							   .corruption = kinds[k],
							   .count = 1,
						   }),
					 0);
			assert_int_equal(raw_call(e, fns[i], in, in_len), 0);
			if (decode_last(e, fns[i]) != -EBADMSG)
				fail_msg("corruption %zu of function %u: %d", k, fns[i],
					 decode_last(e, fns[i]));
			assert_int_equal(raw_call(e, fns[i], in, in_len), 0);
			assert_int_equal(decode_last(e, fns[i]), 0);
		}
	}

	/* The empty error log ("no entry") has a header word to damage too. */
	ocxlpmem_model_clear_faults(e->m);
	{
		uint8_t ack[8];

		assert_int_equal(raw_call(e, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0), 0);
		memcpy(ack, e->out + 16, 4);
		memset(ack + 4, 0, 4);
		assert_int_equal(call(e, OCXLPMEM_FN_ERROR_LOG_ACK, ack, 8),
				 OCXLPMEM_STATUS_SUCCESS);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		assert_int_equal(inject(e, (struct ocxlpmem_fault){
						   .kind = OCXLPMEM_FAULT_CORRUPT,
						   .corruption = kinds[k],
						   .count = 1,
					   }),
				 0);
		assert_int_equal(raw_call(e, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0), 0);
		assert_int_equal(decode_last(e, OCXLPMEM_FN_ERROR_LOG_READ), -EBADMSG);
	}

	/* A reply without data: the reply header's reserved bytes. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_CORRUPT,
							    .corruption = OCXLPMEM_CORRUPT_RESERVED,
							    .count = 1 }),
			 0);
	assert_int_equal(raw_call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), 0);
	assert_int_equal(decode_last(e, OCXLPMEM_FN_HEARTBEAT), -EBADMSG);
}

/* The card disappears while the host reads a dump. */
static void test_remove_mid_dump(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_dump_data_req req = { .max_size = 4096 };
	struct ocxlpmem_dump_chunk c;
	uint8_t in[16], want[4096];
	uint32_t id = 0;

	assert_true(ocxlpmem_model_raise_dump(e->m, 65536) > 0);
	assert_true(ocxlpmem_model_dump_held(e->m, &id, NULL));
	req.dump_id = id;
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_REMOVE_AFTER,
							    .function = OCXLPMEM_FN_DUMP_DATA,
							    .after = 3 }),
			 0);
	/* Other functions do not count towards it. */
	assert_int_equal(call(e, OCXLPMEM_FN_EVENT_CHECK, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	for (int i = 0; i < 3; i++) {
		assert_false(ocxlpmem_model_is_removed(e->m));
		assert_int_equal(ocxlpmem_dump_data_req_encode(&req, in, sizeof(in)), 16);
		assert_int_equal(call(e, OCXLPMEM_FN_DUMP_DATA, in, sizeof(in)),
				 OCXLPMEM_STATUS_SUCCESS);
		assert_int_equal(ocxlpmem_dump_chunk_decode(e->rep.data, e->rep.data_len, &c), 0);
		ocxlpmem_model_dump_content(ocxlpmem_model_serial(e->m), id, req.offset, want,
					    sizeof(want));
		assert_memory_equal(c.data, want, sizeof(want));
		req.offset += 4096;
	}
	/* Gone right after the third chunk. */
	assert_true(ocxlpmem_model_is_removed(e->m));
	assert_int_equal(ocxlpmem_dump_data_req_encode(&req, in, sizeof(in)), 16);
	assert_int_equal(call(e, OCXLPMEM_FN_DUMP_DATA, in, sizeof(in)), -ENXIO);
	assert_int_equal(call(e, OCXLPMEM_FN_EVENT_CHECK, NULL, 0), -ENXIO);
	assert_int_equal(call(e, OCXLPMEM_FN_CONTROLLER_HEALTH, NULL, 0), -ENXIO);

	/* Back after a reset, the dump still there to be read again. */
	ocxlpmem_model_reset(e->m);
	assert_false(ocxlpmem_model_is_removed(e->m));
	assert_int_equal(call(e, OCXLPMEM_FN_DUMP_DATA, in, sizeof(in)), OCXLPMEM_STATUS_SUCCESS);
}

/* The card disappears in the middle of a firmware update. */
static void test_remove_mid_firmware(void **state)
{
	struct env *e = *state;
	uint8_t start[8] = { 0, 0x40 }; /* 16 KiB */
	uint8_t blk[8 + 4096] = {0};
	struct ocxlpmem_firmware_info f;

	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_START, start, 8), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_REMOVE_AFTER,
							    .after = 2 }),
			 0);
	blk[1] = 0x10; /* size 4096, offset 0 */
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, blk, sizeof(blk)),
			 OCXLPMEM_STATUS_SUCCESS);
	blk[5] = 0x10; /* offset 4096 */
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, blk, sizeof(blk)),
			 OCXLPMEM_STATUS_SUCCESS);
	assert_true(ocxlpmem_model_is_removed(e->m));
	blk[5] = 0x20;
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, blk, sizeof(blk)), -ENXIO);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0), -ENXIO);

	/* A reset brings the card back without the half-received image. */
	ocxlpmem_model_reset(e->m);
	assert_int_equal(call(e, OCXLPMEM_FN_FIRMWARE_INFO, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_firmware_info_decode(e->rep.data, e->rep.data_len, &f), 0);
	assert_int_equal(f.update_state, OCXLPMEM_FW_IDLE);
	assert_int_equal(f.bytes_received, 0);
	/* The fault was used up by the removal. */
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

static void test_remove_now(void **state)
{
	struct env *e = *state;

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_REMOVE_AFTER,
							    .after = 0 }),
			 0);
	assert_false(ocxlpmem_model_is_removed(e->m));
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -ENXIO);
	assert_true(ocxlpmem_model_is_removed(e->m));
}

/* A REMOVE_AFTER counts alongside another fault without stopping it. */
static void test_remove_with_other_fault(void **state)
{
	struct env *e = *state;

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_REMOVE_AFTER,
							    .after = 2 }),
			 0);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_STATUS,
							    .status = OCXLPMEM_STATUS_FAIL }),
			 0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_FAIL);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_FAIL);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -ENXIO);

	/* The last command before removal failing does not save the card. */
	ocxlpmem_model_clear_faults(e->m);
	ocxlpmem_model_reset(e->m);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_REMOVE_AFTER,
							    .after = 1 }),
			 0);
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_TIMEOUT,
							    .delay_ms = 1, .count = 1 }),
			 0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -ETIMEDOUT);
	assert_true(ocxlpmem_model_is_removed(e->m));
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -ENXIO);
}

static void test_not_ready(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_health h;
	static const unsigned int refused[] = {
		OCXLPMEM_FN_SMART, OCXLPMEM_FN_ERROR_LOG_READ, OCXLPMEM_FN_REQUEST_HEALTH,
		OCXLPMEM_FN_CONTROLLER_STATS, OCXLPMEM_FN_DUMP_START, OCXLPMEM_FN_FW_UPDATE_FINISH,
		OCXLPMEM_FN_SHUTDOWN, OCXLPMEM_FN_HEARTBEAT,
	};
	static const unsigned int answered[] = {
		OCXLPMEM_FN_CAPABILITIES, OCXLPMEM_FN_EVENT_CHECK, OCXLPMEM_FN_FIRMWARE_INFO,
	};

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_NOT_READY }), 0);
	assert_int_equal(call(e, OCXLPMEM_FN_CONTROLLER_HEALTH, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_health_decode(e->rep.data, e->rep.data_len, &h), 0);
	assert_int_equal(h.flags, 0);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(call(e, refused[i], NULL, 0), OCXLPMEM_STATUS_MEM_UNAVAILABLE);
		assert_int_equal(e->rep.data_len, 0);
	}
	for (size_t i = 0; i < sizeof(answered) / sizeof(answered[0]); i++) {
		assert_int_equal(call(e, answered[i], NULL, 0), OCXLPMEM_STATUS_SUCCESS);
		assert_int_equal(decode_last(e, answered[i]), 0);
	}
	/* Nothing was queued by the refused REQUEST_HEALTH. */
	assert_int_equal(ocxlpmem_model_error_log_pending(e->m), 0);
	/* SHUTDOWN was refused too: clearing the fault makes the card ready. */
	ocxlpmem_model_clear_faults(e->m);
	assert_int_equal(call(e, OCXLPMEM_FN_CONTROLLER_HEALTH, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_health_decode(e->rep.data, e->rep.data_len, &h), 0);
	assert_int_equal(h.flags, OCXLPMEM_HEALTH_READY | OCXLPMEM_HEALTH_MEMORY_AVAILABLE);
	assert_int_equal(call(e, OCXLPMEM_FN_SMART, NULL, 0), OCXLPMEM_STATUS_SUCCESS);

	/* For a few commands only: a card that becomes ready. */
	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_NOT_READY,
							    .count = 2 }),
			 0);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_MEM_UNAVAILABLE);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_MEM_UNAVAILABLE);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

/* Faults meet a removed card only once it is back. */
static void test_faults_after_removal(void **state)
{
	struct env *e = *state;

	assert_int_equal(inject(e, (struct ocxlpmem_fault){ .kind = OCXLPMEM_FAULT_ERRNO,
							    .err = EIO, .count = 1 }),
			 0);
	ocxlpmem_model_remove(e->m);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -ENXIO);
	ocxlpmem_model_reset(e->m);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), -EIO);
	assert_int_equal(call(e, OCXLPMEM_FN_HEARTBEAT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_inject_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_allocated_lazily, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_natural_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_count_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_delay_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_mid_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_mid_firmware, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_with_other_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults_after_removal, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
