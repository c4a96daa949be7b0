// SPDX-License-Identifier: GPL-2.0-or-later
/* Streaming calls that follow one thing: see varlink-watch.h. */
#include <errno.h>
#include <stdlib.h>

#include "shared/varlink/varlink-watch.h"

struct watch_entry {
	struct varlink_call *call;
	struct watch_entry *next;
};

static void on_cancel(struct varlink_call *call, void *userdata)
{
	struct varlink_watchers *ws = userdata;

	for (struct watch_entry **pe = &ws->head; *pe; pe = &(*pe)->next) {
		if ((*pe)->call == call) {
			struct watch_entry *dead = *pe;

			*pe = dead->next;
			varlink_call_unref(dead->call);
			free(dead);
			return;
		}
	}
}

int varlink_watchers_add(struct varlink_watchers *ws, struct varlink_call *call)
{
	struct watch_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->call = varlink_call_ref(call);
	e->next = ws->head;
	ws->head = e;
	varlink_call_set_cancel(call, on_cancel, ws);
	return 0;
}

bool varlink_watchers_empty(const struct varlink_watchers *ws)
{
	return !ws->head;
}

void varlink_watchers_notify(struct varlink_watchers *ws, watch_reply_fn make, void *data)
{
	struct watch_entry *e, *next;

	/* A reply may end its own call (the client is gone): take next first. */
	for (e = ws->head; e; e = next) {
		next = e->next;
		varlink_call_notify(e->call, make(data));
	}
}

void varlink_watchers_end(struct varlink_watchers *ws, watch_reply_fn make, void *data)
{
	/* The last reply ends each call: its cancel hook does not run. */
	while (ws->head) {
		struct watch_entry *e = ws->head;

		ws->head = e->next;
		varlink_call_reply(e->call, make(data));
		varlink_call_unref(e->call);
		free(e);
	}
}

void varlink_watchers_clear(struct varlink_watchers *ws)
{
	while (ws->head) {
		struct watch_entry *e = ws->head;

		ws->head = e->next;
		varlink_call_set_cancel(e->call, NULL, NULL);
		varlink_call_unref(e->call);
		free(e);
	}
}
