// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Condition alerts over time, with a clock we move by hand: raised once on
 * the transition, escalated when worse, reminded by policy (once, daily,
 * diminishing), cleared once, and latched while the card cannot be read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/alert.h"
#include "core/card-alerts.h"
#include "util/clock.h"
#include "util/log.h"

#define DAY (86400ull * 1000000ull)
#define T0 (1700000000ull * 1000000ull)

static char events[64][64];
static unsigned int nevents;

/* card_alerts_apply()'s sender: what a card's would send on. */
static int listener(const struct alert *a, void *userdata)
{
	if (nevents < 64)
		snprintf(events[nevents++], sizeof(events[0]), "%s:%s", a->condition, a->event);
	return 0;
}

/* A card's record, its verdict and the policy: all card_alerts_apply()
 * needs, no manager and no card. */
struct fixture {
	struct card_state *state;
	struct health_report *report;
	struct alert_card card;
	enum reminder_policy reminder;
	bool state_dirty;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.card = (struct alert_card){ .name = "ocxlpmem0", .serial = 42, .fw_version = "" };
	f.reminder = REMINDER_ONCE;   /* the default */
	if (card_state_new(42, "ocxlpmem0", &f.state) < 0)
		return -1;
	f.report = calloc(1, sizeof(*f.report));
	if (!f.report)
		return -1;
	nevents = 0;
	log_open(LOG_TARGET_STDERR);
	log_set_max_level(LOG_ERR);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->report);
	card_state_free(f->state);
	return 0;
}

/* Put the card in a state with these reasons (NULL: ok). */
static void report(struct fixture *f, enum card_health state, const char *code,
		   enum card_health level)
{
	struct health_report *r;

	/* As card_evaluate() keeps it: allocated, here at full size. */
	free(f->report);
	r = f->report = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->state = state;
	if (code) {
		r->nreasons = 1;
		r->reasons[0].code = code;
		r->reasons[0].level = level;
		snprintf(r->reasons[0].text, sizeof(r->reasons[0].text), "%s is %s", code,
			 card_health_name(level));
	}
}

/* A verdict came at now: what card_alerts_update() does for a card. */
static void update(struct fixture *f, uint64_t now)
{
	f->state_dirty |= card_alerts_apply(f->state, f->report, &f->card, f->reminder, now,
					    listener, NULL);
}

static void expect(const char *const *want, unsigned int n)
{
	if (nevents != n) {
		for (unsigned int i = 0; i < nevents; i++)
			print_message("event %u: %s\n", i, events[i]);
		fail_msg("%u events, want %u", nevents, n);
	}
	for (unsigned int i = 0; i < n; i++)
		assert_string_equal(events[i], want[i]);
}

static void test_once(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"temperature:active", "temperature:escalated", "temperature:cleared",
	};

	f->reminder = REMINDER_ONCE;
	report(f, HEALTH_WARNING, "temperature", HEALTH_WARNING);
	update(f, T0);
	update(f, T0 + 1);          /* the next poll: nothing new */
	update(f, T0 + 30 * DAY);   /* no reminders with "once" */
	report(f, HEALTH_CRITICAL, "temperature", HEALTH_CRITICAL);
	update(f, T0 + 31 * DAY);
	report(f, HEALTH_WARNING, "temperature", HEALTH_WARNING);
	update(f, T0 + 32 * DAY);   /* better is not news */
	report(f, HEALTH_OK, NULL, 0);
	update(f, T0 + 33 * DAY);
	update(f, T0 + 34 * DAY);
	expect(want, 3);
	assert_true(f->state_dirty);
}

static void test_daily(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"life-remaining:active", "life-remaining:reminder", "life-remaining:reminder",
	};

	f->reminder = REMINDER_DAILY;
	report(f, HEALTH_WARNING, "life-remaining", HEALTH_WARNING);
	update(f, T0);
	update(f, T0 + DAY - 1);     /* not yet */
	update(f, T0 + DAY);         /* 1 */
	update(f, T0 + DAY + 5);
	update(f, T0 + 2 * DAY + 10); /* 2 */
	expect(want, 3);
}

static void test_diminishing(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"card-unresponsive:active", "card-unresponsive:reminder",
		"card-unresponsive:reminder", "card-unresponsive:reminder",
	};
	uint64_t t = T0;

	f->reminder = REMINDER_DIMINISHING;
	report(f, HEALTH_UNRESPONSIVE, "card-unresponsive", HEALTH_UNRESPONSIVE);
	update(f, t);
	/* After 1 day, then 2 more, then 4 more: polls in between say nothing. */
	for (unsigned int hour = 1; hour <= 24 * 7; hour++)
		update(f, t + hour * (DAY / 24));
	expect(want, 4);
}

static void test_latched_while_unreadable(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		/* Recoveries come in the order the conditions were first seen. */
		"temperature:active", "card-offline:active", "temperature:cleared",
		"card-offline:cleared",
	};

	report(f, HEALTH_CRITICAL, "temperature", HEALTH_CRITICAL);
	update(f, T0);
	/* No data: nothing can be said to have cleared. */
	report(f, HEALTH_UNKNOWN, NULL, 0);
	update(f, T0 + 1);
	/* Gone: the temperature is not known to be fine. */
	report(f, HEALTH_OFFLINE, "card-offline", HEALTH_OFFLINE);
	update(f, T0 + 2);
	/* Back, and cool. */
	report(f, HEALTH_OK, NULL, 0);
	update(f, T0 + 3);
	expect(want, 4);
}

static void test_survives_restart(void **state)
{
	struct fixture *f = *state;
	struct card_state *copy = NULL;
	char *text;

	report(f, HEALTH_CRITICAL, "temperature", HEALTH_CRITICAL);
	update(f, T0);
	/* What a restarted daemon reads back: still latched, same level. */
	text = card_state_format(f->state);
	assert_non_null(text);
	assert_int_equal(card_state_parse(text, strlen(text), &copy), 0);
	free(text);
	card_state_free(f->state);
	f->state = copy;
	update(f, T0 + 10);
	{
		static const char *const want[] = { "temperature:active" };

		expect(want, 1);
	}
}

/*
 * The wall clock stepped back (NTP, a restored VM): the last sending is
 * now "in the future".  That is "just sent", not "sent 584,000 years ago":
 * no reminder until a full period after the step, and the condition stays.
 */
static void test_clock_stepped_back(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"temperature:active", "temperature:reminder",
	};

	f->reminder = REMINDER_DAILY;
	report(f, HEALTH_CRITICAL, "temperature", HEALTH_CRITICAL);
	update(f, T0);
	update(f, T0 - 3600ull * 1000000u);  /* stepped back an hour */
	update(f, T0 - 60ull * 1000000u);
	update(f, T0 + DAY - 1);             /* still not a day */
	update(f, T0 + DAY);                 /* now it is */
	expect(want, 2);
}

/* clock_age_us(): the age of a stamp, never wrapping. */
static void test_clock_age(void **state)
{
	assert_true(clock_age_us(T0 + 5, T0) == 5);
	assert_true(clock_age_us(T0, T0) == 0);
	assert_true(clock_age_us(T0, T0 + 1) == 0);
	assert_true(clock_age_us(0, UINT64_MAX) == 0);
	assert_true(clock_age_us(UINT64_MAX, 0) == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daily, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diminishing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latched_while_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_stepped_back, setup, teardown),
		cmocka_unit_test(test_clock_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
