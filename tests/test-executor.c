// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The executor: per-card order, completions through the fd, deadlines, a
 * hung card isolated from the others, forget and free never waiting.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <ocxlpmem/ocxlpmem.h>

#define NCARDS 4
/* Long enough that the other cards' work clearly fits before it, even
 * under valgrind on a loaded machine. */
#define DEADLINE_MS 1000

struct fixture {
	struct ocxlpmem_transport *t;
	struct ocxlpmem_card *cards[NCARDS];
	unsigned int n;
	struct ocxlpmem_executor *e;
};

static void collect(struct ocxlpmem_card *c, enum ocxlpmem_card_change change, void *userdata)
{
	struct fixture *f = userdata;

	if (change == OCXLPMEM_CARD_ADDED && f->n < NCARDS)
		f->cards[f->n++] = ocxlpmem_card_ref(c);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || ocxlpmem_transport_new_sim(NCARDS, NULL, &f->t) < 0)
		return -1;
	ocxlpmem_transport_set_listener(f->t, collect, f);
	if (ocxlpmem_transport_scan(f->t) < 0 || f->n != NCARDS)
		return -1;
	if (ocxlpmem_executor_new(&f->e) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ocxlpmem_executor_free(f->e);
	for (unsigned int i = 0; i < f->n; i++)
		ocxlpmem_card_unref(f->cards[i]);
	ocxlpmem_transport_free(f->t);
	free(f);
	return 0;
}

static int submit(struct fixture *f, unsigned int card, unsigned int function,
		  unsigned int timeout_ms, uintptr_t tag)
{
	struct ocxlpmem_request req = {
		.card = f->cards[card],
		.function = function,
		.out_cap = 512,
		.timeout_ms = timeout_ms,
		.userdata = (void *)tag,
	};

	return ocxlpmem_executor_submit(f->e, &req);
}

/* Wait (up to timeout_ms) for the next completion. */
static struct ocxlpmem_request *next_done(struct fixture *f, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		struct ocxlpmem_request *r = ocxlpmem_executor_reap(f->e);
		struct pollfd p = { .fd = ocxlpmem_executor_fd(f->e), .events = POLLIN };
		int64_t left = (int64_t)(end - now_ms());

		if (r)
			return r;
		if (left <= 0)
			return NULL;
		poll(&p, 1, (int)left);
	}
}

static void test_completions_in_order_per_card(void **state)
{
	struct fixture *f = *state;
	uintptr_t last[NCARDS] = { 0 };

	for (uintptr_t i = 1; i <= 40; i++)
		assert_int_equal(submit(f, (unsigned int)(i % NCARDS), OCXLPMEM_FN_HEARTBEAT, 0,
					i), 0);
	for (int i = 0; i < 40; i++) {
		struct ocxlpmem_request *r = next_done(f, 5000);
		uintptr_t tag;
		unsigned int card;

		assert_non_null(r);
		assert_int_equal(r->result, 0);
		assert_non_null(r->out);
		assert_int_equal(r->fw_size, 8);
		tag = (uintptr_t)r->userdata;
		card = (unsigned int)(tag % NCARDS);
		assert_true(tag > last[card]);
		last[card] = tag;
		assert_true(r->finished_ms >= r->started_ms && r->started_ms >= r->submitted_ms);
		ocxlpmem_request_free(r);
	}
	assert_null(ocxlpmem_executor_reap(f->e));
	/* Drained: the fd is no longer readable. */
	{
		struct pollfd p = { .fd = ocxlpmem_executor_fd(f->e), .events = POLLIN };

		assert_int_equal(poll(&p, 1, 0), 0);
	}
}

static void test_hung_card_does_not_delay_others(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_fault hang = { .kind = OCXLPMEM_FAULT_HANG, .function = OCXLPMEM_FN_SMART };
	struct ocxlpmem_model *m0 = ocxlpmem_card_model(f->cards[0]);
	struct ocxlpmem_request *r;
	uint64_t t0 = now_ms();
	unsigned int others = 0;

	assert_int_equal(ocxlpmem_model_inject(m0, &hang), 0);
	assert_int_equal(submit(f, 0, OCXLPMEM_FN_SMART, DEADLINE_MS, 100), 0);
	assert_int_equal(submit(f, 0, OCXLPMEM_FN_HEARTBEAT, 0, 101), 0);
	for (uintptr_t i = 0; i < 30; i++)
		assert_int_equal(submit(f, 1 + (unsigned int)(i % 3), OCXLPMEM_FN_SMART, 0, i), 0);

	/* The other cards' work completes long before the hung deadline. */
	while (others < 30) {
		r = next_done(f, 2000);
		assert_non_null(r);
		if (r->card == f->cards[0]) {
			/* Only the deadline may end card 0's requests. */
			assert_true(now_ms() - t0 >= DEADLINE_MS - 10);
		} else {
			assert_int_equal(r->result, 0);
			others++;
		}
		ocxlpmem_request_free(r);
		if (others == 30)
			break;
	}
	assert_true(now_ms() - t0 < DEADLINE_MS - 10);

	/* Then the hung call is abandoned at its deadline, and the request
	 * queued behind it is refused rather than left waiting. */
	r = next_done(f, 3 * DEADLINE_MS);
	assert_non_null(r);
	assert_int_equal((uintptr_t)r->userdata, 100);
	assert_int_equal(r->result, -ETIMEDOUT);
	assert_null(r->out);
	assert_true(r->finished_ms - r->started_ms >= DEADLINE_MS);
	assert_true(r->finished_ms - r->started_ms < 3 * DEADLINE_MS);
	ocxlpmem_request_free(r);
	r = next_done(f, 1000);
	assert_non_null(r);
	assert_int_equal((uintptr_t)r->userdata, 101);
	assert_int_equal(r->result, -EBUSY);
	ocxlpmem_request_free(r);
	assert_true(ocxlpmem_executor_card_hung(f->e, f->cards[0]));
	assert_false(ocxlpmem_executor_card_hung(f->e, f->cards[1]));

	/* New work for the hung card is refused at once. */
	assert_int_equal(submit(f, 0, OCXLPMEM_FN_HEARTBEAT, 0, 102), 0);
	r = next_done(f, 100);
	assert_non_null(r);
	assert_int_equal(r->result, -EBUSY);
	ocxlpmem_request_free(r);

	/* The card comes back: the stuck call returns, the mark clears. */
	ocxlpmem_model_clear_faults(m0);
	ocxlpmem_model_release_hangs(m0);
	for (int i = 0; i < 200 && ocxlpmem_executor_card_hung(f->e, f->cards[0]); i++)
		poll(NULL, 0, 5);
	assert_false(ocxlpmem_executor_card_hung(f->e, f->cards[0]));
	assert_int_equal(submit(f, 0, OCXLPMEM_FN_HEARTBEAT, 0, 103), 0);
	r = next_done(f, 1000);
	assert_non_null(r);
	assert_int_equal(r->result, 0);
	ocxlpmem_request_free(r);
}

static void test_forget_fails_queued_with_enxio(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_fault hang = { .kind = OCXLPMEM_FAULT_HANG };
	struct ocxlpmem_model *m = ocxlpmem_card_model(f->cards[2]);
	unsigned int enxio = 0;

	assert_int_equal(ocxlpmem_model_inject(m, &hang), 0);
	for (uintptr_t i = 0; i < 5; i++)
		assert_int_equal(submit(f, 2, OCXLPMEM_FN_HEARTBEAT, 10000, i), 0);
	/* Let the first one start and block. */
	for (int i = 0; i < 100 && ocxlpmem_model_call_count(m, 0) == 0; i++)
		poll(NULL, 0, 5);
	assert_int_equal(ocxlpmem_executor_pending(f->e, f->cards[2]), 5);
	ocxlpmem_executor_forget(f->e, f->cards[2]);
	for (int i = 0; i < 5; i++) {
		struct ocxlpmem_request *r = next_done(f, 1000);

		assert_non_null(r);
		if (r->result == -ENXIO)
			enxio++;
		ocxlpmem_request_free(r);
	}
	assert_int_equal(enxio, 5);
	assert_int_equal(ocxlpmem_executor_pending(f->e, f->cards[2]), 0);
	ocxlpmem_model_release_hangs(m);
}

static void test_free_with_hung_call_returns_promptly(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_fault hang = { .kind = OCXLPMEM_FAULT_HANG };
	struct ocxlpmem_model *m = ocxlpmem_card_model(f->cards[3]);
	uint64_t t0;

	assert_int_equal(ocxlpmem_model_inject(m, &hang), 0);
	assert_int_equal(submit(f, 3, OCXLPMEM_FN_HEARTBEAT, 60000, 1), 0);
	assert_int_equal(submit(f, 3, OCXLPMEM_FN_HEARTBEAT, 60000, 2), 0);
	for (int i = 0; i < 100 && ocxlpmem_model_call_count(m, 0) == 0; i++)
		poll(NULL, 0, 5);
	t0 = now_ms();
	f->e = ocxlpmem_executor_free(f->e);
	assert_true(now_ms() - t0 < 500);
	/* The stuck worker finishes later on its own and frees its part. */
	ocxlpmem_model_release_hangs(m);
	poll(NULL, 0, 50);
}

static void test_bad_requests_refused(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_request req = { .card = f->cards[0], .function = 99, .out_cap = 8 };

	assert_int_equal(ocxlpmem_executor_submit(f->e, &req), -EINVAL);
	req.function = OCXLPMEM_FN_HEARTBEAT;
	req.card = NULL;
	assert_int_equal(ocxlpmem_executor_submit(f->e, &req), -EINVAL);
	req.card = f->cards[0];
	req.in_len = 8;
	assert_int_equal(ocxlpmem_executor_submit(f->e, &req), -EINVAL);
	assert_null(ocxlpmem_executor_reap(NULL));
	assert_null(ocxlpmem_executor_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_completions_in_order_per_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hung_card_does_not_delay_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_fails_queued_with_enxio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_hung_call_returns_promptly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
