// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Firmware update on the card model: a good image staged and activated by a
 * reset, every refusal with its firmware meaning (argument invalid, update
 * blocked, image invalid), abort, and what a reset does to an update in
 * progress.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <ocxlpmem/codec.h>
#include <ocxlpmem/model.h>

#define MAX_IMAGE (1u << 20)
#define BLOCK OCXLPMEM_FW_BLOCK_MAX

struct env {
	struct ocxlpmem_model *m;
	uint64_t now_ms;
	uint8_t out[8 + 64];
	size_t fw_size;
	struct ocxlpmem_reply rep;
	uint8_t *image;
	size_t image_len;
	uint8_t *in;
};

static uint64_t test_clock(void *userdata)
{
	return *(uint64_t *)userdata;
}

/* A valid image of payload_len bytes that installs version. */
static size_t make_image(struct env *e, const char *version, size_t payload_len)
{
	uint8_t *payload = malloc(payload_len);
	ssize_t n;

	assert_non_null(payload);
	for (size_t i = 0; i < payload_len; i++)
		payload[i] = (uint8_t)(i ^ (i >> 8));
	free(e->image);
	e->image = malloc(32 + payload_len);
	assert_non_null(e->image);
	n = ocxlpmem_fw_image_build(version, payload, payload_len, e->image, 32 + payload_len);
	assert_int_equal(n, 32 + payload_len);
	free(payload);
	e->image_len = (size_t)n;
	return e->image_len;
}

static int setup_cfg(void **state, bool realistic)
{
	struct env *e = calloc(1, sizeof(*e));
	struct ocxlpmem_model_config cfg = {
		.seed = 5,
		.fw_version = "1.0.0000",
		.max_image_size = MAX_IMAGE,
		.clock_ms = test_clock,
		.realistic_latency = realistic,
	};

	if (!e)
		return -1;
	e->in = malloc(8 + BLOCK);
	if (!e->in)
		return -1;
	cfg.clock_userdata = &e->now_ms;
	if (ocxlpmem_model_new(&cfg, &e->m) < 0)
		return -1;
	*state = e;
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(state, false);
}

static int setup_realistic(void **state)
{
	return setup_cfg(state, true);
}

static int teardown(void **state)
{
	struct env *e = *state;

	ocxlpmem_model_free(e->m);
	free(e->image);
	free(e->in);
	free(e);
	return 0;
}

static int call(struct env *e, unsigned int fn, const void *in, size_t in_len)
{
	int r;

	e->fw_size = 0;
	r = ocxlpmem_model_call(e->m, fn, in, in_len, e->out, sizeof(e->out), &e->fw_size);
	if (r < 0)
		return r;
	assert_true(e->fw_size <= sizeof(e->out));
	assert_int_equal(ocxlpmem_reply_decode(e->out, e->fw_size, &e->rep), 0);
	if (e->rep.card_status != OCXLPMEM_STATUS_SUCCESS)
		assert_int_equal(e->rep.data_len, 0);
	return e->rep.card_status;
}

static int fw_start(struct env *e, uint32_t size)
{
	uint8_t in[8] = { (uint8_t)size, (uint8_t)(size >> 8), (uint8_t)(size >> 16),
			  (uint8_t)(size >> 24) };

	/* By hand: the encoder would refuse the sizes the card must refuse. */
	return call(e, OCXLPMEM_FN_FW_UPDATE_START, in, sizeof(in));
}

static int fw_block(struct env *e, uint32_t offset, const uint8_t *data, uint32_t size)
{
	struct ocxlpmem_fw_block b = { .offset = offset, .size = size, .data = data };
	ssize_t n = ocxlpmem_fw_block_encode(&b, e->in, 8 + BLOCK);

	assert_int_equal(n, 8 + size);
	return call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, e->in, (size_t)n);
}

static int fw_finish(struct env *e, struct ocxlpmem_firmware_info *ret)
{
	int r = call(e, OCXLPMEM_FN_FW_UPDATE_FINISH, NULL, 0);

	if (r == OCXLPMEM_STATUS_SUCCESS)
		assert_int_equal(ocxlpmem_firmware_info_decode(e->rep.data, e->rep.data_len, ret),
				 0);
	return r;
}

static struct ocxlpmem_firmware_info fw_info(struct env *e)
{
	struct ocxlpmem_firmware_info f;

	assert_int_equal(call(e, OCXLPMEM_FN_FIRMWARE_INFO, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_firmware_info_decode(e->rep.data, e->rep.data_len, &f), 0);
	return f;
}

static struct ocxlpmem_capabilities caps(struct env *e)
{
	struct ocxlpmem_capabilities c;

	assert_int_equal(call(e, OCXLPMEM_FN_CAPABILITIES, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_capabilities_decode(e->rep.data, e->rep.data_len, &c), 0);
	return c;
}

/* Send image[from..to) in blocks of at most BLOCK bytes. */
static void send_blocks(struct env *e, size_t from, size_t to)
{
	for (size_t off = from; off < to;) {
		uint32_t n = (uint32_t)(to - off < BLOCK ? to - off : BLOCK);

		assert_int_equal(fw_block(e, (uint32_t)off, e->image + off, n),
				 OCXLPMEM_STATUS_SUCCESS);
		off += n;
	}
}

static void test_update_success(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_firmware_info f = fw_info(e);
	size_t len = make_image(e, "2.0.0001", 100 * 1024);

	assert_string_equal(f.running_version, "1.0.0000");
	assert_string_equal(f.staged_version, "");
	assert_int_equal(f.update_state, OCXLPMEM_FW_IDLE);
	assert_int_equal(f.bytes_received, 0);
	assert_int_equal(f.max_image_size, MAX_IMAGE);

	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	f = fw_info(e);
	assert_int_equal(f.update_state, OCXLPMEM_FW_RECEIVING);
	assert_int_equal(f.bytes_received, 0);

	send_blocks(e, 0, 2 * BLOCK);
	f = fw_info(e);
	assert_int_equal(f.update_state, OCXLPMEM_FW_RECEIVING);
	assert_int_equal(f.bytes_received, 2 * BLOCK);
	send_blocks(e, 2 * BLOCK, len);
	assert_int_equal(fw_info(e).bytes_received, len);

	assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_SUCCESS);
	assert_string_equal(f.running_version, "1.0.0000");
	assert_string_equal(f.staged_version, "2.0.0001");
	assert_int_equal(f.update_state, OCXLPMEM_FW_IDLE);
	assert_int_equal(f.bytes_received, 0);

	/* Staged is not running: CAPABILITIES still shows the old one. */
	assert_string_equal(caps(e).fw_version, "1.0.0000");
	ocxlpmem_model_reset(e->m);
	f = fw_info(e);
	assert_string_equal(f.running_version, "2.0.0001");
	assert_string_equal(f.staged_version, "");
	assert_string_equal(caps(e).fw_version, "2.0.0001");

	/* New error-log entries carry the new revision. */
	assert_true(ocxlpmem_model_add_error_log(e->m, 0, 0, 0, NULL, 0) > 0);
	{
		uint8_t out[8 + 64];
		struct ocxlpmem_error_log_entry *ent = malloc(sizeof(*ent));
		struct ocxlpmem_reply rep;
		size_t fw_size = 0;

		assert_non_null(ent);
		assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0,
						     out, sizeof(out), &fw_size),
				 0);
		assert_int_equal(ocxlpmem_reply_decode(out, fw_size, &rep), 0);
		assert_int_equal(ocxlpmem_error_log_decode(rep.data, rep.data_len, ent), 0);
		assert_string_equal(ent->fw_revision, "2.0.0001");
		free(ent);
	}
}

/* Staging again replaces the staged image; a reset without staging changes
 * nothing. */
static void test_restage(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_firmware_info f;
	size_t len;

	for (int i = 0; i < 2; i++) {
		len = make_image(e, i ? "3.0.0000" : "2.9.0000", 4096);
		assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
		send_blocks(e, 0, len);
		assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_SUCCESS);
	}
	assert_string_equal(f.staged_version, "3.0.0000");
	ocxlpmem_model_reset(e->m);
	ocxlpmem_model_reset(e->m);
	f = fw_info(e);
	assert_string_equal(f.running_version, "3.0.0000");
	assert_string_equal(f.staged_version, "");
}

/* BAD_REQUEST_PARM: "firmware argument invalid". */
static void test_start_arguments(void **state)
{
	struct env *e = *state;
	uint8_t in[8] = { 0, 0x10 };

	assert_int_equal(fw_start(e, 0), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(fw_start(e, 4100), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(fw_start(e, MAX_IMAGE + 8), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	in[4] = 1; /* reserved */
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_START, in, 8),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(fw_info(e).update_state, OCXLPMEM_FW_IDLE);
	/* The largest image is fine. */
	assert_int_equal(fw_start(e, MAX_IMAGE), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(fw_info(e).update_state, OCXLPMEM_FW_RECEIVING);
}

/* BLOCKED_BG_TASK: "firmware update blocked". */
/* The image being received is the model's largest allocation: counted
 * while it exists, gone with an abort. */
static void test_image_memory(void **state)
{
	struct env *e = *state;
	size_t base = ocxlpmem_model_memory_bytes(e->m);

	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base + 4096);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_memory_bytes(e->m), base);
}

static void test_start_blocked(void **state)
{
	struct env *e = *state;
	uint8_t out[8 + 16];
	size_t fw_size;

	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_BLOCKED_BG_TASK);
	/* Still the first update, untouched. */
	assert_int_equal(fw_info(e).update_state, OCXLPMEM_FW_RECEIVING);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);

	/* A dump the card merely holds does not block; one the host is
	 * collecting does, until it is completed. */
	assert_true(ocxlpmem_model_raise_dump(e->m, 4096) > 0);
	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_DUMP_START, NULL, 0, out,
					     sizeof(out), &fw_size),
			 0);
	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_BLOCKED_BG_TASK);
	{
		uint32_t id = 0;
		uint8_t in[8];

		assert_true(ocxlpmem_model_dump_held(e->m, &id, NULL));
		assert_int_equal(ocxlpmem_dump_complete_encode(id, in, sizeof(in)), 8);
		assert_int_equal(call(e, OCXLPMEM_FN_DUMP_COMPLETE, in, sizeof(in)),
				 OCXLPMEM_STATUS_SUCCESS);
	}
	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_SUCCESS);
}

static void test_block_order(void **state)
{
	struct env *e = *state;
	size_t len = make_image(e, "2.0.0002", 3 * BLOCK - 40);
	uint8_t *junk = calloc(1, BLOCK);

	/* No update in progress. */
	assert_int_equal(fw_block(e, 0, e->image, 4096), OCXLPMEM_STATUS_BAD_REQUEST_PARM);

	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	/* A gap, then a block ahead of the one expected. */
	assert_int_equal(fw_block(e, 8, e->image + 8, 4096), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(fw_block(e, BLOCK, e->image + BLOCK, BLOCK),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(fw_info(e).bytes_received, 0);
	send_blocks(e, 0, BLOCK);
	/* Again from the start: an overlap. */
	assert_int_equal(fw_block(e, 0, e->image, BLOCK), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	send_blocks(e, BLOCK, 2 * BLOCK);
	/* 8 bytes past the announced size. */
	assert_non_null(junk);
	assert_int_equal(len, 3 * BLOCK - 8);
	assert_int_equal(fw_block(e, 2 * BLOCK, junk, BLOCK), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	free(junk);
	assert_int_equal(fw_info(e).bytes_received, 2 * BLOCK);

	/* FINISH before the end: refused, the update carries on. */
	{
		struct ocxlpmem_firmware_info f;

		assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
		assert_int_equal(fw_info(e).update_state, OCXLPMEM_FW_RECEIVING);
		send_blocks(e, 2 * BLOCK, len);
		assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_SUCCESS);
		assert_string_equal(f.staged_version, "2.0.0002");
	}
}

/* A block whose size word disagrees with its data, or is not 8-aligned. */
static void test_block_malformed(void **state)
{
	struct env *e = *state;
	uint8_t in[8 + 24] = {0};

	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_SUCCESS);
	in[0] = 16; /* size 16, 24 bytes sent */
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, in, sizeof(in)),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	in[0] = 20; /* not a multiple of 8, with the data to match */
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, in, 8 + 20),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, in, 8 + 16),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(fw_info(e).bytes_received, 0);
	in[0] = 24;
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_BLOCK, in, sizeof(in)),
			 OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(fw_info(e).bytes_received, 24);
}

/* BAD_DATA_PARM: "firmware image invalid"; the update is dropped. */
static void test_bad_images(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_firmware_info f;
	size_t len;

	/* A CRC that does not match. */
	len = make_image(e, "9.9.9999", 8192);
	e->image[100] ^= 1;
	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	send_blocks(e, 0, len);
	assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_BAD_DATA_PARM);
	f = fw_info(e);
	assert_int_equal(f.update_state, OCXLPMEM_FW_IDLE);
	assert_string_equal(f.staged_version, "");
	assert_string_equal(f.running_version, "1.0.0000");

	/* No container header: the model will not install what it cannot name. */
	len = make_image(e, "9.9.9999", 8192);
	memset(e->image, 'X', 8);
	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	send_blocks(e, 0, len);
	assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_BAD_DATA_PARM);

	/* A header that lies about the payload size. */
	len = make_image(e, "9.9.9999", 8192);
	e->image[16] ^= 8;
	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	send_blocks(e, 0, len);
	assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_BAD_DATA_PARM);

	/* FINISH with nothing in progress is an argument error, not a bad image. */
	assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_BAD_REQUEST_PARM);

	ocxlpmem_model_reset(e->m);
	assert_string_equal(fw_info(e).running_version, "1.0.0000");
}

static void test_abort(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_firmware_info f;
	size_t len = make_image(e, "4.0.0000", 3 * BLOCK);

	/* Nothing to abort: still fine. */
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(e->rep.data_len, 0);

	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	send_blocks(e, 0, BLOCK);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	f = fw_info(e);
	assert_int_equal(f.update_state, OCXLPMEM_FW_IDLE);
	assert_int_equal(f.bytes_received, 0);
	assert_string_equal(f.staged_version, "");
	/* The rest of the image lands nowhere. */
	assert_int_equal(fw_block(e, BLOCK, e->image + BLOCK, BLOCK),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	ocxlpmem_model_reset(e->m);
	assert_string_equal(fw_info(e).running_version, "1.0.0000");

	/* Aborting after staging keeps the staged image: abort is about the
	 * update in progress only. */
	len = make_image(e, "4.0.0001", 64);
	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	send_blocks(e, 0, len);
	assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_string_equal(fw_info(e).staged_version, "4.0.0001");
}

/* A reset in the middle of an update loses the update, and a fresh START
 * works afterwards. */
static void test_reset_during_update(void **state)
{
	struct env *e = *state;
	size_t len = make_image(e, "5.0.0000", 2 * BLOCK);

	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	send_blocks(e, 0, BLOCK);
	ocxlpmem_model_reset(e->m);
	assert_int_equal(fw_info(e).update_state, OCXLPMEM_FW_IDLE);
	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	send_blocks(e, 0, len);
	{
		struct ocxlpmem_firmware_info f;

		assert_int_equal(fw_finish(e, &f), OCXLPMEM_STATUS_SUCCESS);
	}
}

/* Every firmware function answers MEM_UNAVAILABLE while the card is shut
 * down, except FIRMWARE_INFO, which is read from registers. */
static void test_not_ready(void **state)
{
	struct env *e = *state;

	assert_int_equal(call(e, OCXLPMEM_FN_SHUTDOWN, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(fw_start(e, 4096), OCXLPMEM_STATUS_MEM_UNAVAILABLE);
	assert_int_equal(call(e, OCXLPMEM_FN_FW_UPDATE_ABORT, NULL, 0),
			 OCXLPMEM_STATUS_MEM_UNAVAILABLE);
	assert_string_equal(fw_info(e).running_version, "1.0.0000");
}

/* With realistic latency every block takes about a millisecond. */
static void test_realistic_latency(void **state)
{
	struct env *e = *state;
	size_t len = make_image(e, "6.0.0000", 10 * 4096 - 32);
	struct timespec a, b;
	long ms;

	assert_int_equal(fw_start(e, (uint32_t)len), OCXLPMEM_STATUS_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t off = 0; off < len; off += 4096)
		assert_int_equal(fw_block(e, (uint32_t)off, e->image + off, 4096),
				 OCXLPMEM_STATUS_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_update_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_during_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_realistic_latency, setup_realistic, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
