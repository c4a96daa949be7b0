// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Draining a card's error log, exactly once.
 *
 * The card keeps an entry until it is acknowledged by id (ocxlpmem-abi(7)),
 * so the order below loses nothing whenever the daemon dies:
 *
 *   READ -> store the entry, alerted=false, fsync -> alert -> alerted=true,
 *   fsync -> ACK -> READ ...
 *
 * Killed before the first save: the card still holds the entry; read again.
 * Killed between the saves: the entry is stored but its alert unconfirmed;
 * at restart errlog_resume_pending() looks in the journal for the alert's
 * OCXLPMEM_ERRLOG_KEY and sends it only if it is not there (with stderr as
 * the target there is nothing to look in, so that one window can repeat an
 * alert; it can never drop one).  Killed after: the entry's key is in the
 * seen set and the entry is only acknowledged.
 *
 * "The same entry" is the same key: id, power-on seconds and card time
 * (struct errlog_key).  The id alone is not enough, since a card that loses
 * its volatile state hands its ids out again for new entries.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "core/alert.h"
#include "util/log.h"
#include "core/card-private.h"

#define ERRLOG_OUT_CAP (sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_error_log_out) + \
			OCXLPMEM_ERRLOG_DATA_MAX)

static const char *const type_class[] = {
	[OCXLPMEM_ERRLOG_GENERAL] = "error-log-entry-general",
	[OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE] = "error-log-entry-predictive-failure",
	[OCXLPMEM_ERRLOG_THERMAL_WARNING] = "error-log-entry-thermal-warning",
	[OCXLPMEM_ERRLOG_DATA_LOSS] = "error-log-entry-data-loss",
	[OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE] = "error-log-entry-health-performance",
};

static int entry_priority(const struct errlog_record *e)
{
	switch (e->type) {
	case OCXLPMEM_ERRLOG_DATA_LOSS:
		return LOG_CRIT;
	case OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE:
		return LOG_ERR;
	case OCXLPMEM_ERRLOG_THERMAL_WARNING:
		return LOG_WARNING;
	case OCXLPMEM_ERRLOG_HEALTH_PERFORMANCE:
		return LOG_INFO;
	default:
		if (e->action_flags & OCXLPMEM_ACTION_REPLACE)
			return LOG_CRIT;
		if (e->action_flags & (OCXLPMEM_ACTION_RESET | OCXLPMEM_ACTION_CHKFW |
				       OCXLPMEM_ACTION_DUMP))
			return LOG_WARNING;
		return LOG_NOTICE;
	}
}

static void actions_text(uint32_t flags, char *buf, size_t len)
{
	static const uint32_t bits[] = {
		OCXLPMEM_ACTION_RESET, OCXLPMEM_ACTION_CHKFW, OCXLPMEM_ACTION_REPLACE,
		OCXLPMEM_ACTION_DUMP,
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (!(flags & bits[i]))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
					 ocxlpmem_action_name(bits[i]));
		if (used >= len)
			break;
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

static void send_entry_alert(struct dcard *dc, const struct errlog_record *e)
{
	struct alert a;
	char actions[64];

	card_alert_fill(dc, &a, type_class[e->type], entry_priority(e), "entry");
	actions_text(e->action_flags, actions, sizeof(actions));
	snprintf(a.message, sizeof(a.message),
		 "error log entry %" PRIu32 ": %s, program reference code 0x%08" PRIx32
		 ", actions %s", e->id, ocxlpmem_error_log_type_name(e->type),
		 e->program_reference_code, actions);
	alert_add_field(&a, "ERRLOG_KEY", "%" PRIu64 "-%" PRIu32 "-%" PRIu32 "-%" PRIu64, dc->serial,
			e->id, e->power_on_seconds, e->timestamp_ns);
	alert_add_field(&a, "ERRLOG_ID", "%" PRIu32, e->id);
	alert_add_field(&a, "ERRLOG_TYPE", "%s", ocxlpmem_error_log_type_name(e->type));
	alert_add_field(&a, "ERRLOG_PRC", "0x%08" PRIx32, e->program_reference_code);
	alert_add_field(&a, "ERRLOG_ACTIONS", "%s", actions);
	alert_add_field(&a, "ERRLOG_POWER_ON_SECONDS", "%" PRIu32, e->power_on_seconds);
	alert_add_field(&a, "ERRLOG_TIMESTAMP_NS", "%" PRIu64, e->timestamp_ns);
	alert_add_field(&a, "ERRLOG_WWID", "%016" PRIx64 "%016" PRIx64, e->wwid[0], e->wwid[1]);
	alert_add_field(&a, "ERRLOG_FW_REVISION", "%s", e->fw_revision);
	alert_add_field(&a, "ERRLOG_DATA_SIZE", "%u", e->data_size);
	card_alert_send(dc, &a);
}

static void submit_read(struct dcard *dc)
{
	int r = card_submit(dc, OCXLPMEM_FN_ERROR_LOG_READ, NULL, 0, ERRLOG_OUT_CAP, &dc->done_errlog);

	if (r < 0) {
		log_errno(LOG_WARNING, r, "%s: cannot read the error log", dc->name);
		dc->draining = false;
	}
}

static void submit_ack(struct dcard *dc, uint32_t id)
{
	uint8_t in[sizeof(struct ocxlpmem_error_log_ack_in)];
	ssize_t n = ocxlpmem_error_log_ack_encode(id, in, sizeof(in));
	int r = n < 0 ? (int)n :
		card_submit(dc, OCXLPMEM_FN_ERROR_LOG_ACK, in, (size_t)n, 8, &dc->done_errlog);

	if (r < 0) {
		log_errno(LOG_WARNING, r, "%s: cannot acknowledge error log entry %" PRIu32,
			  dc->name, id);
		dc->draining = false;
	}
}

void errlog_start_drain(struct dcard *dc)
{
	/* An entry can only be acknowledged once stored: without the card's
	 * record the card keeps it, and the drain starts when the record
	 * loads (card-record.c). */
	if (!card_record_loaded(dc))
		return;
	/* Without ACK the card keeps every entry, and READ gives the same one
	 * for ever: a card needs both for its log to be drained. */
	if (!card_has_functions(dc, 1u << OCXLPMEM_FN_ERROR_LOG_READ |
					    1u << OCXLPMEM_FN_ERROR_LOG_ACK))
		return;
	if (dc->draining) {
		dc->drain_again = true;
		return;
	}
	dc->draining = true;
	dc->drain_again = false;
	submit_read(dc);
}

static void drain_stop(struct dcard *dc)
{
	dc->draining = false;
	if (dc->drain_again)
		errlog_start_drain(dc);
}

static void save_now(struct dcard *dc)
{
	dc->state_dirty = true;
	card_save_state(dc);
}

/* The entry is new: store, alert, confirm, in that order (see top). */
static int store_and_alert(struct dcard *dc, const struct ocxlpmem_error_log_entry *e)
{
	struct errlog_record rec = {
		.id = e->log_identifier,
		.type = e->type,
		.action_flags = e->action_flags,
		.program_reference_code = e->program_reference_code,
		.power_on_seconds = e->power_on_seconds,
		.timestamp_ns = e->timestamp_ns,
		.wwid = { e->wwid[0], e->wwid[1] },
		.received_us = now_realtime_us(),
		.data_size = e->data_size,
		.data_needed = e->data_needed,
		.data = (uint8_t *)e->data,
		.alerted = false,
	};
	struct errlog_key key = errlog_record_key(&rec);
	struct errlog_record *stored;
	int r;

	memcpy(rec.fw_revision, e->fw_revision, sizeof(rec.fw_revision));
	r = card_state_add_errlog(dc->state, &rec);
	if (r < 0)
		return r;
	save_now(dc);
	/* Unsaved: do not acknowledge, the card keeps the entry for a retry. */
	if (dc->state_dirty)
		return -EIO;
	stored = card_state_find_errlog(dc->state, &key);
	send_entry_alert(dc, stored ? stored : &rec);
	if (stored)
		stored->alerted = true;
	save_now(dc);
	return 0;
}

static void on_read(struct dcard *dc, const struct ocxlpmem_request *req)
{
	struct ocxlpmem_error_log_entry *e;
	struct ocxlpmem_reply reply;
	struct errlog_key key;
	int r;

	r = card_reply_of(req, &reply);
	e = malloc(sizeof(*e));
	if (!e)
		r = -ENOMEM;
	if (r == 0)
		r = ocxlpmem_error_log_decode(reply.data, reply.data_len, e);
	if (r != 0) {
		if (r > 0)
			log_warning("%s: error log read refused: %s", dc->name,
				    ocxlpmem_card_status_message((unsigned int)r,
								 OCXLPMEM_FN_ERROR_LOG_READ));
		else if (r != -ENXIO)
			log_errno(LOG_WARNING, r, "%s: error log read failed", dc->name);
		/* ERROR_LOG_AVAILABLE stays set on the card: the next event
		 * check (at the latest the next health poll) retries. */
		free(e);
		dc->draining = false;
		return;
	}
	if (!e->present) {
		free(e);
		/*
		 * The log is empty: the ERROR_LOG_AVAILABLE the drain started
		 * from is stale, and nothing else would clear it before the
		 * next EVENT_CHECK (the bit is level-triggered).  An entry that
		 * came meanwhile asked for another drain: keep the bit then.
		 */
		if (!dc->drain_again)
			dc->events &= ~(uint64_t)OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE;
		drain_stop(dc);
		card_evaluate(dc);
		return;
	}
	key = (struct errlog_key){
		.id = e->log_identifier,
		.power_on_seconds = e->power_on_seconds,
		.timestamp_ns = e->timestamp_ns,
	};
	if (card_state_seen(dc->state, &key)) {
		struct errlog_record *old = card_state_find_errlog(dc->state, &key);

		/* Stored by a run that died before confirming its alert. */
		if (old && !old->alerted) {
			send_entry_alert(dc, old);
			old->alerted = true;
			save_now(dc);
		}
	} else {
		r = store_and_alert(dc, e);
		if (r < 0) {
			log_errno(LOG_ERR, r, "%s: cannot store error log entry %" PRIu32
				  "; leaving it on the card", dc->name, e->log_identifier);
			free(e);
			dc->draining = false;
			return;
		}
		/* The card asks the host for a dump with this entry. */
		if (e->action_flags & OCXLPMEM_ACTION_DUMP)
			dump_card_wants_collection(dc, "error-log");
	}
	submit_ack(dc, e->log_identifier);
	free(e);
}

static void on_ack(struct dcard *dc, const struct ocxlpmem_request *req)
{
	struct ocxlpmem_reply reply;
	int r = card_reply_of(req, &reply);

	if (r < 0) {
		if (r != -ENXIO)
			log_errno(LOG_WARNING, r, "%s: error log acknowledge failed", dc->name);
		dc->draining = false;
		return;
	}
	/* A refused ack (the entry changed under us) is harmless: read on. */
	if (r > 0)
		log_warning("%s: error log acknowledge refused: %s; reading again", dc->name,
			    ocxlpmem_card_status_message((unsigned int)r, OCXLPMEM_FN_ERROR_LOG_ACK));
	submit_read(dc);
}

void errlog_request_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata)
{
	if (req->function == OCXLPMEM_FN_ERROR_LOG_READ)
		on_read(dc, req);
	else
		on_ack(dc, req);
	card_request_answered(dc, req->result);
}

/* Is the alert for this entry already in the journal? */
static bool journal_has_alert(uint64_t serial, const struct errlog_record *e)
{
	char match[128];
	sd_journal *j;
	bool found = false;

	if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0)
		return false;
	snprintf(match, sizeof(match),
		 "OCXLPMEM_ERRLOG_KEY=%" PRIu64 "-%" PRIu32 "-%" PRIu32 "-%" PRIu64, serial, e->id,
		 e->power_on_seconds, e->timestamp_ns);
	if (sd_journal_add_match(j, match, 0) >= 0 && sd_journal_next(j) > 0)
		found = true;
	sd_journal_close(j);
	return found;
}

void errlog_resume_pending(struct dcard *dc)
{
	for (size_t i = 0; i < dc->state->nhistory; i++) {
		struct errlog_record *e = &dc->state->history[i];

		if (e->alerted)
			continue;
		if (!(log_target() == LOG_TARGET_JOURNAL && journal_has_alert(dc->serial, e)))
			send_entry_alert(dc, e);
		e->alerted = true;
		dc->state_dirty = true;
	}
	card_save_state(dc);
}
