// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How card.c hands work to whoever asked for it, naming no one: a
 * finished request goes to its own completion (with its context), a stale
 * one to nobody; jobs registered with a card are kept in rank order
 * whatever order they registered in, once each, and at most CARD_JOBS_MAX.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/manager.h"

static struct dcard *heard_dc;
static void *heard_userdata;
static unsigned int heard;

static void done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata)
{
	heard_dc = dc;
	heard_userdata = userdata;
	heard++;
}

static void test_completion(void **state)
{
	static struct manager m;
	static struct dcard dc;
	/* Never dereferenced: card_request_done compares the pointers. */
	struct ocxlpmem_card *card = (struct ocxlpmem_card *)&dc, *old = (struct ocxlpmem_card *)&m;
	int context;
	struct card_completion cc = { &dc, done, &context };
	struct ocxlpmem_request req = { .card = card, .userdata = &cc };
	uint64_t gen;

	dc.m = &m;
	dc.card = card;
	gen = m.state_gen;
	card_request_done(&req);
	assert_int_equal(heard, 1);
	assert_ptr_equal(heard_dc, &dc);
	assert_ptr_equal(heard_userdata, &context);
	/* The answer may change what the card shows. */
	assert_true(m.state_gen > gen);

	/* An answer for a card object since replaced says nothing. */
	req.card = old;
	card_request_done(&req);
	assert_int_equal(heard, 1);
}

static const struct card_job_ops ops_a = { .name = "a", .rank = 2 };
static const struct card_job_ops ops_b = { .name = "b", .rank = 0 };
static const struct card_job_ops ops_c = { .name = "c", .rank = 1 };
static const struct card_job_ops ops_d = { .name = "d", .rank = 3 };
static const struct card_job_ops ops_e = { .name = "e", .rank = 4 };

static void test_job_registry(void **state)
{
	static struct dcard dc;
	int a, b, c, d;

	assert_null(card_job_data(&dc, &ops_a));
	assert_int_equal(card_job_register(&dc, &ops_a, &a), 0);
	assert_int_equal(card_job_register(&dc, &ops_b, &b), 0);
	assert_int_equal(card_job_register(&dc, &ops_c, &c), 0);
	assert_int_equal(card_job_register(&dc, &ops_a, &a), -EEXIST);
	assert_ptr_equal(dc.jobs[0].ops, &ops_b);
	assert_ptr_equal(dc.jobs[1].ops, &ops_c);
	assert_ptr_equal(dc.jobs[2].ops, &ops_a);
	assert_ptr_equal(card_job_data(&dc, &ops_a), &a);
	assert_ptr_equal(card_job_data(&dc, &ops_b), &b);
	assert_ptr_equal(card_job_data(&dc, &ops_c), &c);
	assert_int_equal(card_job_register(&dc, &ops_d, &d), 0);
	assert_int_equal(card_job_register(&dc, &ops_e, &d), -ENOSPC);
	assert_null(card_job_data(&dc, &ops_e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_job_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
