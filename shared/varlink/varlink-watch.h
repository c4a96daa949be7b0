/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Streaming ("more") calls that follow one thing; in ocxlpmemd: its events
 * (Monitor), a card's dump collection (StartDump, WatchDump), a card's
 * firmware update (GetFirmwareUpdate).  Each gets an update as the thing
 * moves on and a last reply when it ends; a client that leaves is dropped
 * through the call's cancel hook.  The list must stay at one address while
 * it holds calls (the hook points at it).
 */
#ifndef SHARED_VARLINK_WATCH_H
#define SHARED_VARLINK_WATCH_H

#include <stdbool.h>

#include <json-c/json.h>

#include "shared/varlink/varlink.h"

struct watch_entry;

struct varlink_watchers {
	struct watch_entry *head;
};

/* Builds the parameters of one reply (a new object each time). */
typedef struct json_object *(*watch_reply_fn)(void *data);

/* Keep the call until end/clear or until its client leaves.  0 or -ENOMEM. */
int varlink_watchers_add(struct varlink_watchers *ws, struct varlink_call *call);
bool varlink_watchers_empty(const struct varlink_watchers *ws);
/* An update ("continues") to each. */
void varlink_watchers_notify(struct varlink_watchers *ws, watch_reply_fn make, void *data);
/* The last reply to each, ending the calls; the list is empty after. */
void varlink_watchers_end(struct varlink_watchers *ws, watch_reply_fn make, void *data);
/* Let go without replying (the server or the thing is going away). */
void varlink_watchers_clear(struct varlink_watchers *ws);

#endif /* SHARED_VARLINK_WATCH_H */
