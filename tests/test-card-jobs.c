// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How card.c hands work to whoever asked for it, naming no one: a
 * finished request goes to its own completion (with its context), a stale
 * one to nobody; jobs registered with a card are kept in rank order
 * whatever order they registered in (as they are told the card is freed),
 * once each, and at most CARD_JOBS_MAX.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "core/manager.h"
#include "util/log.h"

/*
 * A manager with what a card object needs and nothing else: a loop for
 * its timers, the default configuration, an empty state directory.  The
 * card is made and freed through the core's own API (struct dcard is the
 * core's: tests/test-include-graph.sh), absent, so no transport is needed.
 */
struct fixture {
	struct manager m;
	char dir[64];
	struct dcard *dc;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	log_open(LOG_TARGET_STDERR);
	log_set_max_level(LOG_ERR);
	snprintf(f.dir, sizeof(f.dir), "/tmp/test-card-jobs.XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	f.m.state_dirfd = open(f.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f.m.base = event_base_new();
	if (f.m.state_dirfd < 0 || !f.m.base || config_new_default(&f.m.config) < 0)
		return -1;
	if (dcard_new_named(&f.m, 42, "ocxlpmem0", &f.dc) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	card_free(f->dc);
	free(f->m.cards);
	config_free(f->m.config);
	event_base_free(f->m.base);
	close(f->m.state_dirfd);
	/* The record is saved only when it changed: nothing was written. */
	rmdir(f->dir);
	return 0;
}

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
	struct fixture *f = *state;
	struct dcard *dc = f->dc;
	/* Never dereferenced: card_request_done compares the pointers. */
	struct ocxlpmem_card *old = (struct ocxlpmem_card *)&f->m;
	int context;
	struct card_completion cc = { dc, done, &context };
	/* The card is absent: a request of its current object (none). */
	struct ocxlpmem_request req = { .card = card_object(dc), .userdata = &cc };
	uint64_t gen;

	heard = 0;
	gen = f->m.state_gen;
	card_request_done(&req);
	assert_int_equal(heard, 1);
	assert_ptr_equal(heard_dc, dc);
	assert_ptr_equal(heard_userdata, &context);
	/* The answer may change what the card shows. */
	assert_true(f->m.state_gen > gen);

	/* An answer for a card object since replaced says nothing. */
	req.card = old;
	card_request_done(&req);
	assert_int_equal(heard, 1);
}

/* The order in which a card's jobs were told it is freed. */
static char freed[8];

static void job_free(struct dcard *dc, void *data)
{
	size_t n = strlen(freed);

	if (n + 1 < sizeof(freed))
		freed[n] = *(const char *)data;
}

static const struct card_job_ops ops_a = { .name = "a", .rank = 2, .free = job_free };
static const struct card_job_ops ops_b = { .name = "b", .rank = 0, .free = job_free };
static const struct card_job_ops ops_c = { .name = "c", .rank = 1, .free = job_free };
static const struct card_job_ops ops_d = { .name = "d", .rank = 3, .free = job_free };
static const struct card_job_ops ops_e = { .name = "e", .rank = 4, .free = job_free };

static void test_job_registry(void **state)
{
	struct fixture *f = *state;
	struct dcard *dc = f->dc;
	static char a = 'a', b = 'b', c = 'c', d = 'd', e = 'e';

	assert_null(card_job_data(dc, &ops_a));
	assert_int_equal(card_job_register(dc, &ops_a, &a), 0);
	assert_int_equal(card_job_register(dc, &ops_b, &b), 0);
	assert_int_equal(card_job_register(dc, &ops_c, &c), 0);
	assert_int_equal(card_job_register(dc, &ops_a, &a), -EEXIST);
	assert_ptr_equal(card_job_data(dc, &ops_a), &a);
	assert_ptr_equal(card_job_data(dc, &ops_b), &b);
	assert_ptr_equal(card_job_data(dc, &ops_c), &c);
	assert_int_equal(card_job_register(dc, &ops_d, &d), 0);
	assert_int_equal(card_job_register(dc, &ops_e, &e), -ENOSPC);
	assert_null(card_job_data(dc, &ops_e));

	/* Told in rank order, whatever order they registered in. */
	memset(freed, 0, sizeof(freed));
	f->dc = card_free(dc);
	assert_string_equal(freed, "bcad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_completion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_registry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
