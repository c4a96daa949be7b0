// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The observer registry (daemon/core/observe.c): events reach the
 * subscribers of their kind, in subscription order; subscribing and
 * unsubscribing from inside a callback (the Varlink layer stops itself on
 * OBSERVE_STOPPING) neither skips nor repeats anyone, nor touches freed
 * memory (run under ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/observe.h"

static char heard[256];

struct sub {
	const char *name;
	struct observers *o;
	struct observer *self;
	/* What it does when it hears an event. */
	struct observer **unsubscribe;   /* this one (may be itself) */
	struct sub *subscribe;           /* this one, once */
	bool emit_nested;                /* emit CARD_FREED from inside */
};

static void note(const char *name, const struct observe_event *ev)
{
	size_t len = strlen(heard);

	snprintf(heard + len, sizeof(heard) - len, "%s%s:%d", len ? " " : "", name, (int)ev->kind);
}

static void on_event(const struct observe_event *ev, void *userdata)
{
	struct sub *s = userdata;

	note(s->name, ev);
	if (s->unsubscribe) {
		observe_unsubscribe(s->o, *s->unsubscribe);
		*s->unsubscribe = NULL;
		s->unsubscribe = NULL;
	}
	if (s->subscribe) {
		struct sub *n = s->subscribe;

		s->subscribe = NULL;
		assert_int_equal(observe_subscribe(s->o, UINT32_MAX, on_event, n, &n->self), 0);
	}
	if (s->emit_nested) {
		s->emit_nested = false;
		observe_emit(s->o, &(struct observe_event){ .kind = OBSERVE_CARD_FREED });
	}
}

static void emit(struct observers *o, enum observe_kind kind)
{
	observe_emit(o, &(struct observe_event){ .kind = kind });
}

static int setup(void **state)
{
	heard[0] = '\0';
	return 0;
}

static void test_masks_and_order(void **state)
{
	struct observers o = { 0 };
	struct sub a = { .name = "a", .o = &o }, b = { .name = "b", .o = &o },
		   c = { .name = "c", .o = &o };

	assert_int_equal(observe_subscribe(&o, OBSERVE_MASK(OBSERVE_ALERT), on_event, &a, &a.self), 0);
	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &b, &b.self), 0);
	assert_int_equal(observe_subscribe(&o, OBSERVE_MASK(OBSERVE_ALERT) |
					       OBSERVE_MASK(OBSERVE_STOPPING), on_event, &c, NULL), 0);
	emit(&o, OBSERVE_ALERT);
	emit(&o, OBSERVE_CARD_ADDED);
	emit(&o, OBSERVE_STOPPING);
	assert_string_equal(heard, "a:4 b:4 c:4 b:0 b:10 c:10");
	observe_unsubscribe(&o, b.self);
	observe_unsubscribe(&o, NULL);
	heard[0] = '\0';
	emit(&o, OBSERVE_ALERT);
	assert_string_equal(heard, "a:4 c:4");
	observe_clear(&o);
	heard[0] = '\0';
	emit(&o, OBSERVE_ALERT);
	assert_string_equal(heard, "");
}

/* A subscriber that leaves while hearing an event: the rest still hear
 * it, it hears nothing more. */
static void test_unsubscribe_self_during_emit(void **state)
{
	struct observers o = { 0 };
	struct sub a = { .name = "a", .o = &o }, b = { .name = "b", .o = &o },
		   c = { .name = "c", .o = &o };

	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &a, &a.self), 0);
	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &b, &b.self), 0);
	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &c, &c.self), 0);
	b.unsubscribe = &b.self;
	emit(&o, OBSERVE_STOPPING);
	emit(&o, OBSERVE_ALERT);
	assert_string_equal(heard, "a:10 b:10 c:10 a:4 c:4");
	observe_clear(&o);
}

/* One that removes the next one: that one does not hear the event. */
static void test_unsubscribe_other_during_emit(void **state)
{
	struct observers o = { 0 };
	struct sub a = { .name = "a", .o = &o }, b = { .name = "b", .o = &o },
		   c = { .name = "c", .o = &o };

	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &a, &a.self), 0);
	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &b, &b.self), 0);
	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &c, &c.self), 0);
	a.unsubscribe = &b.self;
	emit(&o, OBSERVE_ALERT);
	c.unsubscribe = &c.self;  /* the tail goes: the next one appends right */
	emit(&o, OBSERVE_ALERT);
	assert_string_equal(heard, "a:4 c:4 a:4 c:4");
	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &b, &b.self), 0);
	heard[0] = '\0';
	emit(&o, OBSERVE_ALERT);
	assert_string_equal(heard, "a:4 b:4");
	observe_clear(&o);
}

/* One added during an event hears the next one, not this one; an event
 * emitted from inside a callback reaches everyone, the new one too. */
static void test_subscribe_and_nest_during_emit(void **state)
{
	struct observers o = { 0 };
	struct sub a = { .name = "a", .o = &o }, b = { .name = "b", .o = &o },
		   n = { .name = "n", .o = &o };

	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &a, &a.self), 0);
	assert_int_equal(observe_subscribe(&o, UINT32_MAX, on_event, &b, &b.self), 0);
	a.subscribe = &n;
	emit(&o, OBSERVE_ALERT);
	assert_string_equal(heard, "a:4 b:4");
	heard[0] = '\0';
	b.emit_nested = true;
	b.unsubscribe = &a.self;  /* and a leaves during the outer emit */
	emit(&o, OBSERVE_CARD_ADDED);
	assert_string_equal(heard, "a:0 b:0 b:3 n:3 n:0");
	observe_clear(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_masks_and_order, setup),
		cmocka_unit_test_setup(test_unsubscribe_self_during_emit, setup),
		cmocka_unit_test_setup(test_unsubscribe_other_during_emit, setup),
		cmocka_unit_test_setup(test_subscribe_and_nest_during_emit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
