/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Streaming calls that follow one card's job (StartDump and WatchDump a
 * collection, GetFirmwareUpdate an update), kept by card in the Varlink
 * layer: the jobs only emit events (observe.h) and never hold a call.
 * Each card's list stays at one address while it holds calls, as
 * varlink-watch.h asks.
 */
#ifndef OCXLPMEMD_CARD_WATCHERS_H
#define OCXLPMEMD_CARD_WATCHERS_H

#include <stdbool.h>

#include "shared/varlink/varlink-watch.h"

struct dcard;
struct card_watch;

struct card_watch_set {
	struct card_watch *head;
};

/* The card's list, or NULL when it has none and !create (or out of memory). */
struct varlink_watchers *card_watchers_of(struct card_watch_set *set, const struct dcard *dc,
					  bool create);
/* The card is going: let its calls go without a reply. */
void card_watchers_drop(struct card_watch_set *set, const struct dcard *dc);
/* Every card's (the server is going). */
void card_watchers_drop_all(struct card_watch_set *set);

#endif /* OCXLPMEMD_CARD_WATCHERS_H */
