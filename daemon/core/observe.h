/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The manager's one observer registry: typed events about cards, alerts
 * and jobs, dispatched synchronously on the loop to whoever subscribed.
 *
 * The core and the jobs emit; they never know who listens.  The Varlink
 * layer (Monitor, streaming StartDump/WatchDump/GetFirmwareUpdate) and the
 * metrics endpoint subscribe and turn events into their own replies, so
 * no file of daemon/core/ or daemon/jobs/ includes a varlink/ or metrics/
 * header (doc/events.md).
 *
 * An event is delivered to the subscribers in the order they subscribed.
 * A subscriber may subscribe or unsubscribe anyone, itself included, from
 * inside a callback: one added then hears the next event, not this one;
 * one removed hears nothing more.  An event carries pointers valid only
 * during the call.
 */
#ifndef OCXLPMEMD_OBSERVE_H
#define OCXLPMEMD_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/health.h"

struct alert;
struct config;
struct dcard;

enum observe_kind {
	OBSERVE_CARD_ADDED,         /* attached, new or back; after its first verdict */
	OBSERVE_CARD_REMOVED,       /* detached: offline now */
	OBSERVE_CARD_HEALTH,        /* the verdict moved; .previous is the old one */
	OBSERVE_CARD_FREED,         /* about to be freed: drop what is kept of it */
	OBSERVE_ALERT,              /* sent (raised, escalated, reminded, cleared, entry) */
	OBSERVE_DUMP_PROGRESS,      /* a collection started or moved on */
	OBSERVE_DUMP_FINISHED,      /* a collection ended, saved or not */
	OBSERVE_FIRMWARE_PROGRESS,  /* an update moved on */
	OBSERVE_FIRMWARE_FINISHED,  /* an update ended: succeeded, failed, cancelled */
	OBSERVE_CONFIG_RELOADED,    /* the new configuration is in force */
	OBSERVE_STOPPING,           /* the manager is going: let go of it now */
	OBSERVE_CARD_FORGOTTEN,     /* ocxlpmemctl forget; CARD_FREED follows */
	/* Anything shown of the card may have changed (card_touch()): often,
	 * once per answer; a subscriber coalesces (D-Bus PropertiesChanged). */
	OBSERVE_CARD_CHANGED,
	OBSERVE_KINDS,
};

#define OBSERVE_MASK(kind) (UINT32_C(1) << (kind))

struct observe_event {
	enum observe_kind kind;
	struct dcard *dc;                     /* the card; NULL for the manager's own */
	enum card_health previous;            /* CARD_HEALTH: the verdict before */
	const struct alert *alert;            /* ALERT */
	const struct config *previous_config; /* CONFIG_RELOADED: the one replaced */
};

typedef void (*observe_fn)(const struct observe_event *ev, void *userdata);

struct observer;

/* Embedded in the manager; all zero is an empty registry. */
struct observers {
	struct observer *head, *tail;
	uint64_t emitted;           /* events so far: who subscribed during one */
	unsigned int depth;         /* emits in progress (an observer may emit) */
	bool has_dead;              /* unsubscribed during an emit: freed after */
};

/* Hear the events whose OBSERVE_MASK() bits are in mask.  ret may be NULL
 * when the subscription lasts as long as the registry.  0 or -ENOMEM. */
int observe_subscribe(struct observers *o, uint32_t mask, observe_fn fn, void *userdata,
		      struct observer **ret);
/* Hear nothing more; NULL is fine. */
void observe_unsubscribe(struct observers *o, struct observer *s);
/* Call every subscriber of ev->kind, now. */
void observe_emit(struct observers *o, const struct observe_event *ev);
/* Drop every subscription (the manager is freed). */
void observe_clear(struct observers *o);

#endif /* OCXLPMEMD_OBSERVE_H */
