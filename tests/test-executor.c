// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The executor: per-card order, completions through the fd, deadlines, a
 * hung card isolated from the others, forget and free never waiting; and of
 * its pool: fewer threads than cards, a hung card's thread replaced, the
 * deadline timer not woken per command, batches completed together with
 * one wake-up of the caller.
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

/* The fixture's executor, replaced by one with a pool of `threads`. */
static void use_pool(struct fixture *f, unsigned int threads)
{
	struct ocxlpmem_executor_stats st;

	ocxlpmem_executor_free(f->e);
	assert_int_equal(ocxlpmem_executor_new_pool(&f->e, threads), 0);
	assert_int_equal(ocxlpmem_executor_get_stats(f->e, &st), 0);
	assert_int_equal(st.threads, threads);
}

static struct ocxlpmem_executor_stats stats_of(struct fixture *f)
{
	struct ocxlpmem_executor_stats st;

	assert_int_equal(ocxlpmem_executor_get_stats(f->e, &st), 0);
	return st;
}

static int submit_batch(struct fixture *f, unsigned int card, const unsigned int *fns,
			size_t n, unsigned int timeout_ms, uintptr_t first_tag)
{
	struct ocxlpmem_request reqs[8];

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++)
		reqs[i] = (struct ocxlpmem_request){
			.card = f->cards[card],
			.function = fns[i],
			.out_cap = 512,
			.timeout_ms = timeout_ms,
			.userdata = (void *)(first_tag + i),
		};
	return ocxlpmem_executor_submit_batch(f->e, reqs, n);
}

/* Two threads, four cards, single requests and batches mixed: each card's
 * requests complete in order, each starting after the one before ended.
 * Card 0 answers slowly so that its calls would overlap if they could. */
static void test_small_pool_keeps_order_per_card(void **state)
{
	static const unsigned int fns[] = {
		OCXLPMEM_FN_SMART, OCXLPMEM_FN_CONTROLLER_HEALTH, OCXLPMEM_FN_EVENT_CHECK,
	};
	struct fixture *f = *state;
	uintptr_t tags[NCARDS] = { 0 };
	uint64_t last_tag[NCARDS] = { 0 }, last_end[NCARDS] = { 0 };
	struct ocxlpmem_fault slow = { .kind = OCXLPMEM_FAULT_SLOW, .delay_ms = 10 };
	unsigned int total = 0;

	use_pool(f, 2);
	assert_int_equal(ocxlpmem_model_inject(ocxlpmem_card_model(f->cards[0]), &slow), 0);
	/* Tags: card * 10000 + sequence, so order is per card. */
	for (unsigned int round = 0; round < 30; round++) {
		for (unsigned int c = 0; c < NCARDS; c++) {
			uintptr_t tag = c * 10000u + ++tags[c];

			if ((round + c) % 3 == 0) {
				assert_int_equal(submit_batch(f, c, fns, 3, 0, tag), 0);
				tags[c] += 2;
				total += 3;
			} else {
				assert_int_equal(submit(f, c, OCXLPMEM_FN_HEARTBEAT, 0, tag), 0);
				total++;
			}
		}
		/* Submissions arrive while calls run, not all before. */
		poll(NULL, 0, 1);
	}
	for (unsigned int i = 0; i < total; i++) {
		struct ocxlpmem_request *r = next_done(f, 5000);
		uintptr_t tag;
		unsigned int c;

		assert_non_null(r);
		assert_int_equal(r->result, 0);
		tag = (uintptr_t)r->userdata;
		c = (unsigned int)(tag / 10000u);
		assert_true(c < NCARDS);
		assert_true(tag > last_tag[c]);
		assert_true(r->started_ms >= last_end[c]);
		last_tag[c] = tag;
		last_end[c] = r->finished_ms;
		ocxlpmem_request_free(r);
	}
	for (unsigned int c = 0; c < NCARDS; c++)
		assert_int_equal(last_tag[c], c * 10000u + tags[c]);
	assert_null(ocxlpmem_executor_reap(f->e));
}

/* Two threads, four cards, one of them hung: the other three are served by
 * the free thread at once; at the deadline the stuck thread is replaced. */
static void test_small_pool_hung_card_others_complete(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_fault hang = { .kind = OCXLPMEM_FAULT_HANG, .function = OCXLPMEM_FN_SMART };
	struct ocxlpmem_model *m0 = ocxlpmem_card_model(f->cards[0]);
	struct ocxlpmem_executor_stats st;
	struct ocxlpmem_request *r;
	uint64_t t0;
	unsigned int others = 0;

	use_pool(f, 2);
	assert_int_equal(ocxlpmem_model_inject(m0, &hang), 0);
	t0 = now_ms();
	assert_int_equal(submit(f, 0, OCXLPMEM_FN_SMART, DEADLINE_MS, 100), 0);
	for (int i = 0; i < 100 && ocxlpmem_model_call_count(m0, 0) == 0; i++)
		poll(NULL, 0, 5);
	for (uintptr_t i = 0; i < 60; i++)
		assert_int_equal(submit(f, 1 + (unsigned int)(i % 3), OCXLPMEM_FN_SMART, 0, i), 0);
	while (others < 60) {
		r = next_done(f, 2000);
		assert_non_null(r);
		assert_ptr_not_equal(r->card, f->cards[0]);
		assert_int_equal(r->result, 0);
		others++;
		ocxlpmem_request_free(r);
	}
	assert_true(now_ms() - t0 < DEADLINE_MS - 10);

	r = next_done(f, 3 * DEADLINE_MS);
	assert_non_null(r);
	assert_int_equal((uintptr_t)r->userdata, 100);
	assert_int_equal(r->result, -ETIMEDOUT);
	ocxlpmem_request_free(r);
	st = stats_of(f);
	assert_int_equal(st.threads, 2);
	assert_int_equal(st.abandoned, 1);
	assert_int_equal(st.abandoned_total, 1);

	/* The pool is whole again: every card but the hung one is served. */
	for (uintptr_t i = 0; i < 30; i++)
		assert_int_equal(submit(f, 1 + (unsigned int)(i % 3), OCXLPMEM_FN_HEARTBEAT, 0, i),
				 0);
	for (int i = 0; i < 30; i++) {
		r = next_done(f, 2000);
		assert_non_null(r);
		assert_int_equal(r->result, 0);
		ocxlpmem_request_free(r);
	}

	/* The stuck call returns: its thread leaves, the card answers. */
	ocxlpmem_model_clear_faults(m0);
	ocxlpmem_model_release_hangs(m0);
	for (int i = 0; i < 200 && stats_of(f).abandoned; i++)
		poll(NULL, 0, 5);
	assert_int_equal(stats_of(f).abandoned, 0);
	assert_false(ocxlpmem_executor_card_hung(f->e, f->cards[0]));
	assert_int_equal(submit(f, 0, OCXLPMEM_FN_HEARTBEAT, 0, 7), 0);
	r = next_done(f, 1000);
	assert_non_null(r);
	assert_int_equal(r->result, 0);
	ocxlpmem_request_free(r);
}

/* One thread, stuck in a hung card: the others wait for the deadline, no
 * longer, because a fresh thread takes the stuck one's place. */
static void test_single_thread_replaced_at_deadline(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_fault hang = { .kind = OCXLPMEM_FAULT_HANG };
	struct ocxlpmem_model *m0 = ocxlpmem_card_model(f->cards[0]);
	const unsigned int deadline = 300;
	struct ocxlpmem_request *r;
	uint64_t t0;

	use_pool(f, 1);
	assert_int_equal(ocxlpmem_model_inject(m0, &hang), 0);
	t0 = now_ms();
	assert_int_equal(submit(f, 0, OCXLPMEM_FN_HEARTBEAT, deadline, 100), 0);
	for (uintptr_t i = 0; i < 9; i++)
		assert_int_equal(submit(f, 1 + (unsigned int)(i % 3), OCXLPMEM_FN_HEARTBEAT, 0, i),
				 0);
	r = next_done(f, 3000);
	assert_non_null(r);
	assert_int_equal((uintptr_t)r->userdata, 100);
	assert_int_equal(r->result, -ETIMEDOUT);
	ocxlpmem_request_free(r);
	for (int i = 0; i < 9; i++) {
		r = next_done(f, 2000);
		assert_non_null(r);
		assert_ptr_not_equal(r->card, f->cards[0]);
		assert_int_equal(r->result, 0);
		ocxlpmem_request_free(r);
	}
	assert_true(now_ms() - t0 >= deadline);
	assert_true(now_ms() - t0 < 3000);
	assert_int_equal(stats_of(f).threads, 1);
	ocxlpmem_model_release_hangs(m0);
}

/* Deadlines are kept without a wake-up of the timer per command: a burst
 * of commands costs it at most a couple, and an overrun is still caught. */
static void test_deadline_timer_not_woken_per_command(void **state)
{
	struct fixture *f = *state;
	struct ocxlpmem_fault hang = { .kind = OCXLPMEM_FAULT_HANG };
	struct ocxlpmem_model *m2 = ocxlpmem_card_model(f->cards[2]);
	struct ocxlpmem_executor_stats st0, st1;
	struct ocxlpmem_request *r;

	use_pool(f, 2);
	st0 = stats_of(f);
	for (uintptr_t i = 0; i < 400; i++)
		assert_int_equal(submit(f, (unsigned int)(i % NCARDS), OCXLPMEM_FN_HEARTBEAT, 0, i),
				 0);
	for (int i = 0; i < 400; i++) {
		r = next_done(f, 5000);
		assert_non_null(r);
		assert_int_equal(r->result, 0);
		ocxlpmem_request_free(r);
	}
	st1 = stats_of(f);
	assert_int_equal(st1.completed - st0.completed, 400);
	assert_true(st1.timer_wakeups - st0.timer_wakeups <= 3);

	/* Sparse commands, each over before the next: still not one each. */
	for (uintptr_t i = 0; i < 20; i++) {
		assert_int_equal(submit(f, 1, OCXLPMEM_FN_HEARTBEAT, 0, i), 0);
		r = next_done(f, 2000);
		assert_non_null(r);
		assert_int_equal(r->result, 0);
		ocxlpmem_request_free(r);
		poll(NULL, 0, 2);
	}
	st0 = stats_of(f);
	assert_true(st0.timer_wakeups - st1.timer_wakeups <= 3);

	assert_int_equal(ocxlpmem_model_inject(m2, &hang), 0);
	assert_int_equal(submit(f, 2, OCXLPMEM_FN_HEARTBEAT, 200, 1), 0);
	r = next_done(f, 3000);
	assert_non_null(r);
	assert_int_equal(r->result, -ETIMEDOUT);
	assert_true(r->finished_ms - r->started_ms >= 200);
	ocxlpmem_request_free(r);
	ocxlpmem_model_release_hangs(m2);
}

/* A batch runs back-to-back and completes together: nothing of it can be
 * reaped while its last call runs, and the caller is woken once. */
static void test_batch_completes_once(void **state)
{
	static const unsigned int fns[] = {
		OCXLPMEM_FN_SMART, OCXLPMEM_FN_CONTROLLER_HEALTH, OCXLPMEM_FN_EVENT_CHECK,
	};
	struct fixture *f = *state;
	struct ocxlpmem_fault slow = {
		.kind = OCXLPMEM_FAULT_SLOW, .function = OCXLPMEM_FN_EVENT_CHECK, .delay_ms = 300,
	};
	struct ocxlpmem_model *m = ocxlpmem_card_model(f->cards[1]);
	struct ocxlpmem_executor_stats st0, st1;
	struct pollfd p = { .fd = ocxlpmem_executor_fd(f->e), .events = POLLIN };
	uint64_t prev_end = 0;

	use_pool(f, 2);
	p.fd = ocxlpmem_executor_fd(f->e);
	assert_int_equal(ocxlpmem_model_inject(m, &slow), 0);
	st0 = stats_of(f);
	assert_int_equal(submit_batch(f, 1, fns, 3, 5000, 1), 0);
	/* SMART and CONTROLLER_HEALTH are done long before EVENT_CHECK. */
	for (int i = 0; i < 100 && ocxlpmem_model_call_count(m, OCXLPMEM_FN_CONTROLLER_HEALTH) == 0;
	     i++)
		poll(NULL, 0, 5);
	poll(NULL, 0, 50);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(ocxlpmem_executor_pending(f->e, f->cards[1]), 3);
	for (int i = 0; i < 200 && ocxlpmem_executor_pending(f->e, f->cards[1]); i++)
		poll(NULL, 0, 5);
	st1 = stats_of(f);
	assert_int_equal(st1.fd_writes - st0.fd_writes, 1);
	for (uintptr_t i = 1; i <= 3; i++) {
		struct ocxlpmem_request *r = ocxlpmem_executor_reap(f->e);

		assert_non_null(r);
		assert_int_equal((uintptr_t)r->userdata, i);
		assert_int_equal(r->result, 0);
		assert_true(r->started_ms >= prev_end);
		prev_end = r->finished_ms;
		ocxlpmem_request_free(r);
	}
	assert_null(ocxlpmem_executor_reap(f->e));

	/* A burst of single requests the caller does not reap in between
	 * wakes it once as well. */
	ocxlpmem_model_clear_faults(m);
	st0 = stats_of(f);
	for (uintptr_t i = 0; i < 100; i++)
		assert_int_equal(submit(f, (unsigned int)(i % NCARDS), OCXLPMEM_FN_HEARTBEAT, 0, i),
				 0);
	while (stats_of(f).completed - st0.completed < 100)
		poll(NULL, 0, 5);
	assert_int_equal(stats_of(f).fd_writes - st0.fd_writes, 1);
	for (int i = 0; i < 100; i++) {
		struct ocxlpmem_request *r = ocxlpmem_executor_reap(f->e);

		assert_non_null(r);
		ocxlpmem_request_free(r);
	}
}

/* A call of a batch overruns: what ran before it stands, it times out,
 * what follows is refused, and all come back at the deadline. */
static void test_batch_with_hung_call(void **state)
{
	static const unsigned int fns[] = {
		OCXLPMEM_FN_SMART, OCXLPMEM_FN_CONTROLLER_HEALTH, OCXLPMEM_FN_EVENT_CHECK,
	};
	static const int want[] = { 0, -ETIMEDOUT, -EBUSY };
	struct fixture *f = *state;
	struct ocxlpmem_fault hang = {
		.kind = OCXLPMEM_FAULT_HANG, .function = OCXLPMEM_FN_CONTROLLER_HEALTH,
	};
	struct ocxlpmem_model *m = ocxlpmem_card_model(f->cards[3]);

	use_pool(f, 2);
	assert_int_equal(ocxlpmem_model_inject(m, &hang), 0);
	assert_int_equal(submit_batch(f, 3, fns, 3, 300, 1), 0);
	for (uintptr_t i = 1; i <= 3; i++) {
		struct ocxlpmem_request *r = next_done(f, 3000);

		assert_non_null(r);
		assert_int_equal((uintptr_t)r->userdata, i);
		assert_int_equal(r->result, want[i - 1]);
		ocxlpmem_request_free(r);
	}
	assert_true(ocxlpmem_executor_card_hung(f->e, f->cards[3]));
	ocxlpmem_model_release_hangs(m);
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
	{
		/* A batch is queued whole or not at all: one card per batch. */
		struct ocxlpmem_request two[2] = {
			{ .card = f->cards[0], .function = OCXLPMEM_FN_HEARTBEAT, .out_cap = 8 },
			{ .card = f->cards[1], .function = OCXLPMEM_FN_HEARTBEAT, .out_cap = 8 },
		};
		struct ocxlpmem_executor *e;

		assert_int_equal(ocxlpmem_executor_submit_batch(f->e, two, 2), -EINVAL);
		assert_int_equal(ocxlpmem_executor_submit_batch(f->e, two, 0), -EINVAL);
		assert_int_equal(ocxlpmem_executor_pending(f->e, f->cards[0]), 0);
		assert_int_equal(ocxlpmem_executor_new_pool(&e, 65), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_completions_in_order_per_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hung_card_does_not_delay_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_fails_queued_with_enxio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_hung_call_returns_promptly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_pool_keeps_order_per_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_pool_hung_card_others_complete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_single_thread_replaced_at_deadline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deadline_timer_not_woken_per_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_batch_completes_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_with_hung_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
