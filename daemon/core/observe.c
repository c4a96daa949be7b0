// SPDX-License-Identifier: GPL-2.0-or-later
/* The observer registry: see observe.h. */
#include <errno.h>
#include <stdlib.h>

#include "core/observe.h"

struct observer {
	uint32_t mask;
	observe_fn fn;
	void *userdata;
	/* Events emitted before it subscribed: an emit in progress skips
	 * subscribers it did not start with. */
	uint64_t since;
	bool dead;
	struct observer *next;
};

int observe_subscribe(struct observers *o, uint32_t mask, observe_fn fn, void *userdata,
		      struct observer **ret)
{
	struct observer *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->mask = mask;
	s->fn = fn;
	s->userdata = userdata;
	s->since = o->emitted;
	/* At the tail: events reach subscribers in subscription order. */
	if (o->tail)
		o->tail->next = s;
	else
		o->head = s;
	o->tail = s;
	if (ret)
		*ret = s;
	return 0;
}

/* Free the dead, once no emit walks the list. */
static void sweep(struct observers *o)
{
	struct observer **ps = &o->head, *last = NULL;

	while (*ps) {
		struct observer *s = *ps;

		if (s->dead) {
			*ps = s->next;
			free(s);
			continue;
		}
		last = s;
		ps = &s->next;
	}
	o->tail = last;
	o->has_dead = false;
}

void observe_unsubscribe(struct observers *o, struct observer *s)
{
	if (!s)
		return;
	s->dead = true;
	o->has_dead = true;
	if (!o->depth)
		sweep(o);
}

void observe_emit(struct observers *o, const struct observe_event *ev)
{
	uint64_t id = o->emitted++;

	o->depth++;
	/* s->next is read after the call: a subscriber unsubscribed during it
	 * is only marked, and one added is appended (and skipped by since). */
	for (struct observer *s = o->head; s; s = s->next)
		if (!s->dead && s->since <= id && (s->mask & OBSERVE_MASK(ev->kind)))
			s->fn(ev, s->userdata);
	if (--o->depth == 0 && o->has_dead)
		sweep(o);
}

void observe_clear(struct observers *o)
{
	while (o->head) {
		struct observer *s = o->head;

		o->head = s->next;
		free(s);
	}
	o->tail = NULL;
	o->has_dead = false;
}
