// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Controller dumps of the card model: card- and host-initiated dumps, a
 * whole dump read byte for byte against ocxlpmem_model_dump_content(), the
 * checks on every DUMP_DATA argument, completion and the dump event.
 */
#include <errno.h>
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

#define ADMIN_BUF (64u * 1024)
#define OUT_CAP (8 + 24 + ADMIN_BUF)
#define DUMP_4M (4u << 20)

struct env {
	struct ocxlpmem_model *m;
	uint64_t now_ms;
	uint8_t *out;
	size_t fw_size;
	struct ocxlpmem_reply rep;
};

static uint64_t test_clock(void *userdata)
{
	return *(uint64_t *)userdata;
}

static int env_new(void **state, const struct ocxlpmem_model_config *tmpl)
{
	struct env *e = calloc(1, sizeof(*e));
	struct ocxlpmem_model_config cfg = *tmpl;

	if (!e)
		return -1;
	e->out = malloc(OUT_CAP);
	if (!e->out)
		return -1;
	cfg.clock_ms = test_clock;
	cfg.clock_userdata = &e->now_ms;
	if (ocxlpmem_model_new(&cfg, &e->m) < 0)
		return -1;
	*state = e;
	return 0;
}

static int setup(void **state)
{
	return env_new(state, &(struct ocxlpmem_model_config){ .serial = 0x5E7A1, .seed = 11 });
}

static int setup_small(void **state)
{
	return env_new(state, &(struct ocxlpmem_model_config){
		.serial = 0x5E7A2,
		.seed = 12,
		.max_dump_size = 1u << 20,
		.admin_buffer_size = 4096,
	});
}

static int teardown(void **state)
{
	struct env *e = *state;

	ocxlpmem_model_free(e->m);
	free(e->out);
	free(e);
	return 0;
}

static int call_cap(struct env *e, unsigned int fn, const void *in, size_t in_len, size_t cap)
{
	int r;

	e->fw_size = 0;
	r = ocxlpmem_model_call(e->m, fn, in, in_len, e->out, cap, &e->fw_size);
	if (r < 0)
		return r;
	assert_true(e->fw_size <= cap);
	assert_int_equal(ocxlpmem_reply_decode(e->out, e->fw_size, &e->rep), 0);
	return e->rep.card_status;
}

static int call(struct env *e, unsigned int fn, const void *in, size_t in_len)
{
	return call_cap(e, fn, in, in_len, OUT_CAP);
}

static struct ocxlpmem_dump_info dump_start(struct env *e)
{
	struct ocxlpmem_dump_info info;

	assert_int_equal(call(e, OCXLPMEM_FN_DUMP_START, NULL, 0), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_dump_info_decode(e->rep.data, e->rep.data_len, &info), 0);
	return info;
}

static int dump_data_raw(struct env *e, const uint8_t in[16], size_t cap,
			 struct ocxlpmem_dump_chunk *ret)
{
	int r = call_cap(e, OCXLPMEM_FN_DUMP_DATA, in, 16, cap);

	if (r == OCXLPMEM_STATUS_SUCCESS)
		assert_int_equal(ocxlpmem_dump_chunk_decode(e->rep.data, e->rep.data_len, ret), 0);
	else if (r > 0)
		assert_int_equal(e->rep.data_len, 0);
	return r;
}

static int dump_data(struct env *e, uint32_t id, uint32_t offset, uint32_t max_size,
		     struct ocxlpmem_dump_chunk *ret)
{
	struct ocxlpmem_dump_data_req req = { .dump_id = id, .offset = offset, .max_size = max_size };
	uint8_t in[16];

	assert_int_equal(ocxlpmem_dump_data_req_encode(&req, in, sizeof(in)), 16);
	return dump_data_raw(e, in, OUT_CAP, ret);
}

static int dump_complete(struct env *e, uint32_t id)
{
	uint8_t in[8];

	assert_int_equal(ocxlpmem_dump_complete_encode(id, in, sizeof(in)), 8);
	return call(e, OCXLPMEM_FN_DUMP_COMPLETE, in, sizeof(in));
}

/* Read a whole dump in max_size chunks into buf; returns the chunk count. */
static unsigned int read_dump(struct env *e, const struct ocxlpmem_dump_info *info,
			      uint32_t max_size, uint8_t *buf)
{
	struct ocxlpmem_dump_chunk c;
	uint32_t offset = 0;
	unsigned int n = 0;

	for (;;) {
		assert_int_equal(dump_data(e, info->dump_id, offset, max_size, &c),
				 OCXLPMEM_STATUS_SUCCESS);
		assert_int_equal(c.dump_id, info->dump_id);
		assert_int_equal(c.total_size, info->total_size);
		assert_int_equal(c.offset, offset);
		if (!c.chunk_size)
			break;
		assert_true(c.chunk_size <= max_size);
		memcpy(buf + offset, c.data, c.chunk_size);
		offset += c.chunk_size;
		n++;
	}
	assert_int_equal(offset, info->total_size);
	return n;
}

static bool event_fd_fired(struct ocxlpmem_model *m)
{
	uint64_t v;

	return read(ocxlpmem_model_event_fd(m), &v, sizeof(v)) == (ssize_t)sizeof(v);
}

static void test_no_dump(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_dump_chunk c;

	assert_false(ocxlpmem_model_dump_held(e->m, NULL, NULL));
	assert_int_equal(ocxlpmem_model_events(e->m), 0);
	assert_int_equal(dump_data(e, 1, 0, 4096, &c), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(dump_complete(e, 1), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(dump_complete(e, 0), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
}

/* A card-initiated 4 MiB dump, read whole and checked byte for byte. */
static void test_card_dump_full_read(void **state)
{
	struct env *e = *state;
	uint8_t *got = malloc(DUMP_4M), *want = malloc(DUMP_4M);
	struct ocxlpmem_dump_info info;
	uint32_t held_id = 0, held_size = 0;
	int64_t id;

	assert_non_null(got);
	assert_non_null(want);
	id = ocxlpmem_model_raise_dump(e->m, DUMP_4M);
	assert_true(id > 0);
	assert_true(event_fd_fired(e->m));
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);
	assert_true(ocxlpmem_model_dump_held(e->m, &held_id, &held_size));
	assert_int_equal(held_id, id);
	assert_int_equal(held_size, DUMP_4M);
	/* One dump at a time. */
	assert_int_equal(ocxlpmem_model_raise_dump(e->m, 4096), -EBUSY);

	/* DUMP_START hands out the held dump rather than making one. */
	info = dump_start(e);
	assert_int_equal(info.dump_id, id);
	assert_int_equal(info.total_size, DUMP_4M);
	assert_int_equal(info.origin, OCXLPMEM_DUMP_CARD);

	memset(got, 0, DUMP_4M);
	assert_int_equal(read_dump(e, &info, ADMIN_BUF, got), DUMP_4M / ADMIN_BUF);
	ocxlpmem_model_dump_content(0x5E7A1, (uint32_t)id, 0, want, DUMP_4M);
	assert_memory_equal(got, want, DUMP_4M);

	/* Reading again gives the same bytes, in other chunk sizes too. */
	memset(got, 0, DUMP_4M);
	read_dump(e, &info, 40 * 1024, got);
	assert_memory_equal(got, want, DUMP_4M);

	assert_int_equal(dump_complete(e, (uint32_t)id), OCXLPMEM_STATUS_SUCCESS);
	assert_false(ocxlpmem_model_dump_held(e->m, NULL, NULL));
	assert_int_equal(ocxlpmem_model_events(e->m), 0);
	/* Completed: a second completion and further reads are refused. */
	assert_int_equal(dump_complete(e, (uint32_t)id), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	free(got);
	free(want);
}

static void test_host_dump(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_dump_info a, b;
	struct ocxlpmem_dump_chunk c;

	assert_false(event_fd_fired(e->m));
	a = dump_start(e);
	assert_int_equal(a.origin, OCXLPMEM_DUMP_HOST);
	assert_int_equal(a.total_size, DUMP_4M);
	assert_true(event_fd_fired(e->m));
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);

	/* Asking again before completing returns the same dump. */
	b = dump_start(e);
	assert_int_equal(b.dump_id, a.dump_id);
	assert_int_equal(b.total_size, a.total_size);
	assert_int_equal(b.origin, a.origin);

	assert_int_equal(dump_data(e, a.dump_id, DUMP_4M - 16, 4096, &c),
			 OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(c.chunk_size, 16);
	assert_int_equal(dump_data(e, a.dump_id, DUMP_4M, 4096, &c), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(c.chunk_size, 0);
	assert_int_equal(e->rep.data_len, 24);

	assert_int_equal(dump_complete(e, a.dump_id + 1), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_true(ocxlpmem_model_dump_held(e->m, NULL, NULL));
	assert_int_equal(dump_complete(e, a.dump_id), OCXLPMEM_STATUS_SUCCESS);

	/* Every new dump has a new, larger id. */
	b = dump_start(e);
	assert_int_equal(b.dump_id, a.dump_id + 1);
	assert_int_equal(b.origin, OCXLPMEM_DUMP_HOST);
	assert_int_equal(dump_complete(e, b.dump_id), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(ocxlpmem_model_raise_dump(e->m, 0), (int64_t)b.dump_id + 1);
}

static void test_bad_requests(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_dump_info info;
	struct ocxlpmem_dump_chunk c;
	uint8_t in[16];

	assert_true(ocxlpmem_model_raise_dump(e->m, 8192) > 0);
	info = dump_start(e);

	assert_int_equal(dump_data(e, info.dump_id + 1, 0, 4096, &c),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(dump_data(e, info.dump_id - 1, 0, 4096, &c),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(dump_data(e, info.dump_id, 0, ADMIN_BUF + 8, &c),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(dump_data(e, info.dump_id, 8192 + 8, 4096, &c),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(dump_data(e, info.dump_id, 0, ADMIN_BUF, &c), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(c.chunk_size, 8192);

	/* Requests the encoder refuses to make, written by hand. */
	memset(in, 0, sizeof(in));
	in[0] = (uint8_t)info.dump_id;
	in[1] = (uint8_t)(info.dump_id >> 8);
	in[2] = (uint8_t)(info.dump_id >> 16);
	in[3] = (uint8_t)(info.dump_id >> 24);
	in[4] = 4;    /* offset 4 */
	in[9] = 0x10; /* max_size 4096 */
	assert_int_equal(dump_data_raw(e, in, OUT_CAP, &c), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	in[4] = 0;
	in[8] = 4; /* max_size 4100 */
	assert_int_equal(dump_data_raw(e, in, OUT_CAP, &c), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	in[8] = 0;
	in[9] = 0; /* max_size 0 */
	assert_int_equal(dump_data_raw(e, in, OUT_CAP, &c), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	in[9] = 0x10;
	in[12] = 1; /* reserved */
	assert_int_equal(dump_data_raw(e, in, OUT_CAP, &c), OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	in[12] = 0;
	assert_int_equal(dump_data_raw(e, in, OUT_CAP, &c), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(c.chunk_size, 4096);

	/* DUMP_COMPLETE with a reserved bit. */
	assert_int_equal(ocxlpmem_dump_complete_encode(info.dump_id, in, 8), 8);
	in[5] = 1;
	assert_int_equal(call(e, OCXLPMEM_FN_DUMP_COMPLETE, in, 8),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	in[5] = 0;
	assert_int_equal(call(e, OCXLPMEM_FN_DUMP_COMPLETE, in, 8), OCXLPMEM_STATUS_SUCCESS);
}

/* The card fills no more than the driver has room for. */
static void test_out_space(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_dump_info info;
	struct ocxlpmem_dump_chunk c;
	struct ocxlpmem_dump_data_req req = { .max_size = ADMIN_BUF };
	uint8_t in[16], want[1000];

	assert_true(ocxlpmem_model_raise_dump(e->m, 65536) > 0);
	info = dump_start(e);
	req.dump_id = info.dump_id;
	req.offset = 800;
	assert_int_equal(ocxlpmem_dump_data_req_encode(&req, in, sizeof(in)), 16);
	assert_int_equal(dump_data_raw(e, in, 8 + 24 + 1004, &c), OCXLPMEM_STATUS_SUCCESS);
	assert_int_equal(c.chunk_size, 1000);
	assert_int_equal(c.offset, 800);
	ocxlpmem_model_dump_content(0x5E7A1, info.dump_id, 800, want, sizeof(want));
	assert_memory_equal(c.data, want, sizeof(want));

	/* No room for a single word: the driver's truncation shows instead of
	 * an empty chunk that would mean "end of dump". */
	assert_int_equal(ocxlpmem_model_call(e->m, OCXLPMEM_FN_DUMP_DATA, in, 16, e->out, 36,
					     &e->fw_size),
			 0);
	assert_true(e->fw_size > 36);
}

static void test_max_dump_size(void **state)
{
	struct env *e = *state;
	struct ocxlpmem_capabilities caps;
	struct ocxlpmem_dump_info info;
	struct ocxlpmem_dump_chunk c;
	uint8_t *got = malloc(1u << 20), *want = malloc(1u << 20);

	assert_non_null(got);
	assert_non_null(want);
	assert_int_equal(call(e, OCXLPMEM_FN_CAPABILITIES, NULL, 0), 0);
	assert_int_equal(ocxlpmem_capabilities_decode(e->rep.data, e->rep.data_len, &caps), 0);
	assert_int_equal(caps.max_dump_size, 1u << 20);
	assert_int_equal(caps.admin_buffer_size, 4096);

	assert_int_equal(ocxlpmem_model_raise_dump(e->m, (1u << 20) + 8), -EINVAL);
	assert_int_equal(ocxlpmem_model_raise_dump(e->m, 1001), -EINVAL);
	assert_false(ocxlpmem_model_dump_held(e->m, NULL, NULL));

	/* The card's own dumps shrink to fit. */
	info = dump_start(e);
	assert_int_equal(info.total_size, 1u << 20);
	assert_int_equal(dump_data(e, info.dump_id, 0, 4104, &c),
			 OCXLPMEM_STATUS_BAD_REQUEST_PARM);
	assert_int_equal(read_dump(e, &info, 4096, got), 256);
	ocxlpmem_model_dump_content(0x5E7A2, info.dump_id, 0, want, 1u << 20);
	assert_memory_equal(got, want, 1u << 20);
	free(got);
	free(want);
}

/* The content function: pure, any offset and length, keyed by serial and id. */
static void test_content(void **state)
{
	uint8_t whole[64], part[64], again[64];

	ocxlpmem_model_dump_content(1, 2, 0, whole, sizeof(whole));
	for (size_t off = 0; off < 24; off++) {
		for (size_t len = 0; len + off <= sizeof(whole); len += 5) {
			memset(part, 0, sizeof(part));
			ocxlpmem_model_dump_content(1, 2, off, part, len);
			assert_memory_equal(part, whole + off, len);
		}
	}
	ocxlpmem_model_dump_content(1, 2, 0, again, sizeof(again));
	assert_memory_equal(whole, again, sizeof(whole));
	ocxlpmem_model_dump_content(1, 3, 0, again, sizeof(again));
	assert_memory_not_equal(whole, again, sizeof(whole));
	ocxlpmem_model_dump_content(2, 2, 0, again, sizeof(again));
	assert_memory_not_equal(whole, again, sizeof(whole));
	/* Far into a 256 MiB dump: no state, same answer. */
	ocxlpmem_model_dump_content(1, 2, (256u << 20) - 64, part, 64);
	ocxlpmem_model_dump_content(1, 2, (256u << 20) - 64, again, 64);
	assert_memory_equal(part, again, 64);
	/* Little-endian words: byte 8 is the low byte of word 1. */
	ocxlpmem_model_dump_content(1, 2, 8, part, 1);
	assert_int_equal(part[0], whole[8]);
}

/*
 * After a power cycle the card hands out its first dump id again, for a
 * dump with other content: the id alone cannot tell the two apart.
 */
static void test_power_cycle_reuses_id(void **state)
{
	struct env *e = *state;
	uint8_t got[4096], want[4096], before[4096];
	struct ocxlpmem_dump_info info;
	int64_t first = ocxlpmem_model_raise_dump(e->m, 4096), again;

	assert_true(first > 0);
	info = dump_start(e);
	read_dump(e, &info, 4096, before);
	ocxlpmem_model_dump_content(0x5E7A1, (uint32_t)first, 0, want, sizeof(want));
	assert_memory_equal(before, want, sizeof(want));

	ocxlpmem_model_power_cycle(e->m);
	assert_false(ocxlpmem_model_dump_held(e->m, NULL, NULL));
	again = ocxlpmem_model_raise_dump(e->m, 4096);
	assert_int_equal(again, first);
	info = dump_start(e);
	assert_int_equal(info.dump_id, (uint32_t)first);
	read_dump(e, &info, 4096, got);
	assert_memory_not_equal(got, before, sizeof(got));
	ocxlpmem_model_dump_content_after(0x5E7A1, 1, (uint32_t)first, 0, want, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	/* Zero power cycles is the plain content. */
	ocxlpmem_model_dump_content_after(0x5E7A1, 0, (uint32_t)first, 0, want, sizeof(want));
	assert_memory_equal(before, want, sizeof(want));
}

/* A dump raised by the card is kept over a reset: it is what the host
 * wants after a fatal error. */
static void test_dump_survives_reset(void **state)
{
	struct env *e = *state;
	uint32_t id = 0;
	int64_t raised = ocxlpmem_model_raise_dump(e->m, 4096);

	ocxlpmem_model_set_fatal(e->m, false);
	ocxlpmem_model_reset(e->m);
	assert_true(ocxlpmem_model_dump_held(e->m, &id, NULL));
	assert_int_equal(id, raised);
	assert_int_equal(ocxlpmem_model_events(e->m), OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE);
}

/* With realistic latency a 4 MiB dump takes about 2 ms at 2 GB/s. */
static void test_realistic_latency(void **state)
{
	struct ocxlpmem_model_config cfg = { .seed = 1, .realistic_latency = true };
	struct env *e = *state;
	struct ocxlpmem_model *fast = e->m;
	struct ocxlpmem_dump_info info;
	struct timespec a, b;
	uint8_t *buf = malloc(DUMP_4M);
	long ms;

	assert_non_null(buf);
	assert_int_equal(ocxlpmem_model_new(&cfg, &e->m), 0);
	assert_true(ocxlpmem_model_raise_dump(e->m, DUMP_4M) > 0);
	info = dump_start(e);
	clock_gettime(CLOCK_MONOTONIC, &a);
	read_dump(e, &info, ADMIN_BUF, buf);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 2);
	ocxlpmem_model_free(e->m);
	e->m = fast;
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_dump_full_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_dump_size, setup_small, teardown),
		cmocka_unit_test(test_content),
		cmocka_unit_test_setup_teardown(test_power_cycle_reuses_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_survives_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_realistic_latency, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
