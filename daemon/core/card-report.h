/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the core shows of a card, as a plain report (chrony's RPT_* structs
 * are the model).  The card's own state, struct dcard, is private to the
 * core (core/card-private.h): the serialisers (varlink/, metrics/) take a
 * card_report and never reach into the card, so the core can change how it
 * keeps things without touching the wire formats, and a renderer can be
 * tested on made-up reports without a daemon.
 *
 * A report is filled by card_report_get().  Scalars are copied; the larger
 * parts (readings, reasons, alerts) point into the card, so a report is a
 * view valid until control returns to the event loop: fill it, serialise
 * it, drop it.
 */
#ifndef OCXLPMEMD_CARD_REPORT_H
#define OCXLPMEMD_CARD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ocxlpmem/ocxlpmem.h>

#include "core/health.h"

struct dcard;
struct alert_record;
struct errlog_record;
struct json_blob;
struct metrics_card;
struct dbus_card_props;

/* What each poll asks the card. */
enum poll_kind {
	POLL_HEALTH = 0,   /* SMART + CONTROLLER_HEALTH (+ EVENT_CHECK without an event fd) */
	POLL_STATS,        /* CONTROLLER_STATS */
	POLL_FIRMWARE,     /* FIRMWARE_INFO */
	POLL_KINDS,
};

/* The readings a card is polled for: each has its last success, and is
 * stale while its last read failed (then it is not shown as current). */
enum reading {
	READING_SMART = 0,
	READING_CONTROLLER_HEALTH,
	READING_STATS,
	READING_FIRMWARE,
	READING_KINDS,
};

/* Error-log entry types counted per card (OCXLPMEM_ERRLOG_*, 0..4). */
#define CARD_ERRLOG_TYPES 5

/* One poll kind's schedule and counters. */
struct card_poll_report {
	unsigned int interval_s;
	uint64_t last_ok_us;           /* CLOCK_REALTIME of the last success; 0 never */
	uint64_t last_duration_ms;
	unsigned int consecutive_failures;
	uint64_t total, failed;
};

/* Firmware updates this daemon ran on the card, by how they ended. */
enum card_fw_result {
	CARD_FW_SUCCEEDED,
	CARD_FW_FAILED,
	CARD_FW_CANCELLED,
	CARD_FW_RESULTS,
};

struct card_report {
	/* ---- Identity ---- */
	const char *name;              /* ocxlpmemN */
	uint64_t serial;
	bool present;
	const char *backend_id;        /* "nmem3"; NULL while absent */
	/* "tunnel", "chardev", "sim" (ocxlpmem_card_transport); NULL while
	 * absent. */
	const char *transport;
	const char *fw_version_hint;   /* the transport's (sysfs); "" when absent or unknown */

	/* ---- What the card has ---- */
	bool identified;               /* CAPABILITIES came back (or could not) */
	uint32_t functions;            /* used: bit n for function n */

	/* ---- Readings: NULL until first read; the last values, even if a
	 * later read failed (reading_stale) ---- */
	const struct ocxlpmem_capabilities *caps;
	const struct ocxlpmem_smart *smart;
	const struct ocxlpmem_health *ctl;
	const struct ocxlpmem_stats *stats;
	const struct ocxlpmem_firmware_info *fw;
	uint64_t reading_ok_us[READING_KINDS]; /* CLOCK_REALTIME; 0 never */
	bool reading_stale[READING_KINDS];     /* the last read of it failed */
	uint64_t events;               /* the last EVENT_CHECK bits */

	/* ---- Health: the last verdict, never NULL ---- */
	const struct health_report *health;
	bool unresponsive;
	const char *last_error;        /* of the last failed command; NULL none */

	/* ---- Alerts and the error log, from the card's record ---- */
	const struct alert_record *alerts;
	size_t nalerts;
	const struct errlog_record *errlog;    /* oldest first */
	size_t nerrlog;
	const uint64_t *errlog_total;  /* [CARD_ERRLOG_TYPES]: entries ever seen */

	/* ---- Collection ---- */
	struct card_poll_report polls[POLL_KINDS];
	const uint64_t *commands;      /* [OCXLPMEM_FN_MAX + 1]: sent, by function */

	/* ---- Jobs ---- */
	bool dump_running;
	uint64_t dumps_saved, dumps_failed;    /* since the daemon started */
	uint64_t dumps_stored_bytes;   /* of the card's saved dumps */
	const char *fw_update_state;   /* "running", "succeeded"...; NULL none */
	uint64_t fw_updates[CARD_FW_RESULTS];
};

/* Fill rep with what the card shows now (see above for how long it holds). */
void card_report_get(const struct dcard *dc, struct card_report *rep);

/* Whether the daemon sends the card this function. */
static inline bool card_report_has_function(const struct card_report *rep, unsigned int function)
{
	return function >= OCXLPMEM_FN_MIN && function <= OCXLPMEM_FN_MAX &&
	       (rep->functions & (1u << function));
}

/* A reading as the card reports it now: present, read, and its last read
 * succeeded; else NULL.  No value beats a stale one. */
static inline const struct ocxlpmem_smart *card_report_smart_now(const struct card_report *rep)
{
	return rep->present && !rep->reading_stale[READING_SMART] ? rep->smart : NULL;
}

static inline const struct ocxlpmem_stats *card_report_stats_now(const struct card_report *rep)
{
	return rep->present && !rep->reading_stale[READING_STATS] ? rep->stats : NULL;
}

/* The firmware the card runs, as well as it is known: FIRMWARE_INFO, else
 * CAPABILITIES, else the transport's (sysfs) while present; "" unknown. */
static inline const char *card_report_fw_version(const struct card_report *rep)
{
	if (rep->fw && rep->fw->running_version[0])
		return rep->fw->running_version;
	if (rep->caps && rep->caps->fw_version[0])
		return rep->caps->fw_version;
	if (rep->present && rep->fw_version_hint[0])
		return rep->fw_version_hint;
	return "";
}

/* ---- Handles: what callers that only hold a card need of it ---- */
const char *card_name(const struct dcard *dc);
uint64_t card_serial(const struct dcard *dc);
bool card_present(const struct dcard *dc);
enum card_health card_health(const struct dcard *dc);
/* The transport's id of the card's slot: kept while absent (a simulated
 * reset brings it back); "" before the card was ever attached. */
const char *card_backend_id(const struct dcard *dc);
/* The transport's card object, NULL while absent. */
struct ocxlpmem_card *card_object(const struct dcard *dc);

/*
 * Moves whenever anything shown of the card may have changed
 * (card_touch()): a serialisation of its report stays valid while the
 * generation stands still.
 */
uint64_t card_gen(const struct dcard *dc);

/* What the serialisers cache per card (card-replies.c, metrics-render.c),
 * kept with the card so that finding it costs nothing.  Their free
 * functions empty it when the card is freed. */
struct card_caches {
	struct json_blob *summary_blob, *detail_blob;
	uint64_t summary_gen, detail_gen;
	struct metrics_card *metrics;
	struct dbus_card_props *dbus;   /* dbus-card.c: what was announced */
};
struct card_caches *card_caches(struct dcard *dc);

#endif /* OCXLPMEMD_CARD_REPORT_H */
