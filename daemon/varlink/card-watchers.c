// SPDX-License-Identifier: GPL-2.0-or-later
/* Streaming calls by card: see card-watchers.h. */
#include <stdlib.h>

#include "varlink/card-watchers.h"

/* A list per card that ever had a watcher: few cards, so a list. */
struct card_watch {
	const struct dcard *dc;
	struct varlink_watchers ws;
	struct card_watch *next;
};

struct varlink_watchers *card_watchers_of(struct card_watch_set *set, const struct dcard *dc,
					  bool create)
{
	struct card_watch *w;

	for (w = set->head; w; w = w->next)
		if (w->dc == dc)
			return &w->ws;
	if (!create)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->dc = dc;
	w->next = set->head;
	set->head = w;
	return &w->ws;
}

void card_watchers_drop(struct card_watch_set *set, const struct dcard *dc)
{
	for (struct card_watch **pw = &set->head; *pw; pw = &(*pw)->next) {
		struct card_watch *w = *pw;

		if (w->dc != dc)
			continue;
		*pw = w->next;
		varlink_watchers_clear(&w->ws);
		free(w);
		return;
	}
}

void card_watchers_drop_all(struct card_watch_set *set)
{
	while (set->head) {
		struct card_watch *w = set->head;

		set->head = w->next;
		varlink_watchers_clear(&w->ws);
		free(w);
	}
}
