// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The poll scheduler: each card has one poller per kind (health, stats,
 * firmware), a one-shot timer re-armed when a poll ends, spread by jitter
 * so hundreds of cards do not poll in lock-step, and backed off
 * exponentially while polls fail.  A poll is one batch on the executor;
 * its completions come back through card_request_done() (card.c).
 */
#include <errno.h>
#include <time.h>

#include "core/card-private.h"
#include "util/log.h"

/* ---- Scheduling ---------------------------------------------------------- */

static unsigned int interval_of(const struct dcard *dc, enum poll_kind kind)
{
	switch (kind) {
	case POLL_HEALTH:
		return dc->intervals.health_s;
	case POLL_STATS:
		return dc->intervals.stats_s;
	case POLL_FIRMWARE:
		return dc->intervals.firmware_s;
	default:
		return 0;
	}
}

static uint64_t jitter_rand(struct manager *m)
{
	/* xorshift64*: cheap, and the spread only has to avoid lock-step. */
	uint64_t x = m->jitter_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->jitter_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/*
 * The delay before a poll's next run: the interval spread by +-jitter so
 * 256 cards do not poll in lock-step, or after failures an exponential
 * back-off, capped at backoff_max (or the interval if that is longer).
 */
static uint64_t next_delay_ms(struct dcard *dc, struct poller *p)
{
	const struct config *cfg = dc->m->config;
	uint64_t base = (uint64_t)interval_of(dc, p->kind) * 1000u;
	uint64_t spread;

	if (p->failures) {
		uint64_t cap = (uint64_t)cfg->backoff_max_s * 1000u;
		unsigned int shift = p->failures > 16 ? 16 : p->failures;

		if (cap < base)
			cap = base;
		base <<= shift;
		if (base > cap)
			base = cap;
	}
	spread = base * cfg->jitter_pct / 100u;
	if (spread)
		base = base - spread + jitter_rand(dc->m) % (2 * spread + 1);
	return base;
}

static void arm_poll(struct poller *p, uint64_t delay_ms)
{
	struct timeval tv = {
		.tv_sec = (time_t)(delay_ms / 1000u),
		.tv_usec = (suseconds_t)(delay_ms % 1000u) * 1000,
	};

	evtimer_add(p->timer, &tv);
}

static const unsigned int health_fns[] = {
	OCXLPMEM_FN_SMART, OCXLPMEM_FN_CONTROLLER_HEALTH, OCXLPMEM_FN_EVENT_CHECK,
};
static const unsigned int stats_fns[] = { OCXLPMEM_FN_CONTROLLER_STATS };
static const unsigned int firmware_fns[] = { OCXLPMEM_FN_FIRMWARE_INFO };

/* What a poll of this kind asks; *ret_n functions. */
static const unsigned int *poll_functions(enum poll_kind kind, unsigned int *ret_n)
{
	switch (kind) {
	case POLL_HEALTH:
		/* EVENT_CHECK rides along even with an event fd: the bits are
		 * level-triggered, so a lost notification costs one interval. */
		*ret_n = 3;
		return health_fns;
	case POLL_STATS:
		*ret_n = 1;
		return stats_fns;
	default:
		*ret_n = 1;
		return firmware_fns;
	}
}

/* A poll of a kind none of whose functions the card has is never made. */
static bool poll_supported(const struct dcard *dc, enum poll_kind kind)
{
	unsigned int n;
	const unsigned int *fns = poll_functions(kind, &n);

	for (unsigned int i = 0; i < n; i++)
		if (card_has_function(dc, fns[i]))
			return true;
	return false;
}

static void schedule_next(struct dcard *dc, struct poller *p)
{
	if (!dc->card || dc->m->stopping || interval_of(dc, p->kind) == 0 ||
	    dc->fatal_hardware || dc->fatal_firmware || !dc->identified ||
	    !poll_supported(dc, p->kind))
		return;
	arm_poll(p, next_delay_ms(dc, p));
}

static void poll_start(struct poller *p)
{
	struct ocxlpmem_request reqs[3];
	struct dcard *dc = p->card;
	const unsigned int *fns;
	unsigned int n;
	int r;

	/* Until CAPABILITIES says what the card has, nothing is asked:
	 * identification starts every poll. */
	if (!dc->card || !dc->identified)
		return;
	if (p->outstanding) {
		p->due = true;
		return;
	}
	evtimer_del(p->timer);
	if (!poll_supported(dc, p->kind))
		return;
	fns = poll_functions(p->kind, &n);
	p->first_error = 0;
	p->started_ms = now_monotonic_ms();
	/* A poll is one job: its calls run back-to-back on one executor thread
	 * and come back together, one hand-off each way per card.  Only the
	 * functions the card has are asked. */
	{
		unsigned int k = 0;

		for (unsigned int i = 0; i < n; i++)
			if (card_has_function(dc, fns[i]))
				card_request_init(dc, &reqs[k++], fns[i], NULL, 0, POLL_OUT_CAP,
						  &p->done);
		n = k;
	}
	r = ocxlpmem_executor_submit_batch(dc->m->executor, reqs, n);
	if (r == 0) {
		for (unsigned int i = 0; i < n; i++)
			dc->commands[reqs[i].function]++;
		card_touch(dc);
	} else {
		log_errno(LOG_ERR, r, "%s: cannot queue %s%s", dc->name,
			  ocxlpmem_function_name(reqs[0].function),
			  n > 1 ? " and the rest of its poll" : "");
		p->first_error = r;
		schedule_next(dc, p);
		return;
	}
	p->outstanding = n;
}

static void on_poll_timer(evutil_socket_t fd, short what, void *userdata)
{
	poll_start(userdata);
}

int card_polls_init(struct dcard *dc)
{
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		dc->polls[k].card = dc;
		dc->polls[k].kind = k;
		dc->polls[k].done = (struct card_completion){ dc, card_reading_done, &dc->polls[k] };
		dc->polls[k].timer = evtimer_new(dc->m->base, on_poll_timer, &dc->polls[k]);
		if (!dc->polls[k].timer)
			return -ENOMEM;
	}
	return 0;
}

void card_reschedule(struct dcard *dc)
{
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		struct poller *p = &dc->polls[k];

		/* A poll in flight re-arms itself when it ends. */
		if (p->outstanding)
			continue;
		evtimer_del(p->timer);
		schedule_next(dc, p);
	}
}

void card_poll_now(struct dcard *dc, enum poll_kind kind)
{
	poll_start(&dc->polls[kind]);
}

void card_poll_finished(struct dcard *dc, struct poller *p)
{
	p->total++;
	p->last_duration_ms = now_monotonic_ms() - p->started_ms;
	if (p->first_error) {
		p->failed++;
		p->failures++;
	} else {
		p->failures = 0;
		p->last_ok_us = now_realtime_us();
	}
	if (p->due) {
		p->due = false;
		poll_start(p);
		return;
	}
	schedule_next(dc, p);
}
