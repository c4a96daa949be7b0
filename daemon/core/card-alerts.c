// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Condition alerts of a card: raised on the transition into a condition,
 * raised again when it gets worse, reminded by policy while it holds, and
 * answered by a recovery message when it clears.  The latched state lives
 * in the card's state file, so a restart neither repeats an alert nor
 * forgets to send the recovery.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alert.h"
#include "core/card-alerts.h"
#include "util/log.h"
#include "core/card-private.h"

#define DAY_US (86400ull * 1000000ull)

static int level_priority(enum card_health level)
{
	switch (level) {
	case HEALTH_WARNING:
		return LOG_WARNING;
	case HEALTH_CRITICAL:
	case HEALTH_UNRESPONSIVE:
	case HEALTH_OFFLINE:
		return LOG_CRIT;
	case HEALTH_FATAL:
		return LOG_ALERT;
	default:
		return LOG_NOTICE;
	}
}

/* An alert of this class about card. */
static void alert_fill(struct alert *a, const struct alert_card *card, const char *class_key,
		       int priority, const char *event)
{
	memset(a, 0, sizeof(*a));
	a->cls = alert_class_find(class_key);
	if (!a->cls)
		a->cls = alert_class_find(ALERT_KEY_RECOVERED); /* never: keys are ours */
	a->condition = class_key;
	a->priority = priority;
	a->event = event;
	a->card = *card;
}

/* Who the card's alerts are about. */
static void alert_card_of(const struct dcard *dc, struct alert_card *ret)
{
	ret->name = dc->name;
	ret->serial = dc->serial;
	if (dc->have_caps)
		ret->fw_version = dc->caps.fw_version;
	else if (dc->card)
		ret->fw_version = ocxlpmem_card_fw_version_hint(dc->card);
	else
		ret->fw_version = "";
}

void card_alert_fill(struct dcard *dc, struct alert *a, const char *class_key, int priority,
		     const char *event)
{
	struct alert_card card;

	alert_card_of(dc, &card);
	alert_fill(a, &card, class_key, priority, event);
}

/*
 * The journal (or stderr) line is the alert itself, with its MESSAGE_ID
 * that the catalog explains: it is written first and whether anyone
 * listens or not, so it stays the core's own action rather than one
 * observer among others.  Observers (the Varlink Monitor) hear of an alert
 * that is already on record.
 */
int card_alert_send(struct dcard *dc, const struct alert *a)
{
	int r = alert_send(a);

	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = OBSERVE_ALERT, .dc = dc, .alert = a,
	});
	return r;
}

/* Where card_alerts_apply() sends: the card's card_alert_send(), or a
 * test's recorder. */
struct alert_sink {
	card_alerts_send_fn send;
	void *userdata;
};

static void sink_send(const struct alert_sink *sink, const struct alert *a)
{
	sink->send(a, sink->userdata);
}

static void send_condition(const struct alert_sink *sink, const struct alert_card *card,
			   const struct health_report *rep, const struct health_reason *reason,
			   const char *event, unsigned int reminder)
{
	struct alert a;

	alert_fill(&a, card, reason->code, level_priority(reason->level), event);
	if (reminder)
		snprintf(a.message, sizeof(a.message), "%s (%s, reminder %u)", reason->text,
			 card_health_name(reason->level), reminder);
	else
		snprintf(a.message, sizeof(a.message), "%s (%s)", reason->text,
			 card_health_name(reason->level));
	alert_add_field(&a, "LEVEL", "%s", card_health_name(reason->level));
	alert_add_field(&a, "HEALTH", "%s", card_health_name(rep->state));
	if (reason->has_value) {
		alert_add_field(&a, "VALUE", "%" PRId64, reason->value);
		alert_add_field(&a, "THRESHOLD", "%" PRId64, reason->threshold);
	}
	sink_send(sink, &a);
}

static void send_recovery(const struct alert_sink *sink, const struct alert_card *card,
			  const struct health_report *rep, const struct alert_record *rec)
{
	struct alert a;

	alert_fill(&a, card, ALERT_KEY_RECOVERED, LOG_NOTICE, "cleared");
	a.condition = rec->key;
	snprintf(a.message, sizeof(a.message), "cleared: %s", rec->detail);
	alert_add_field(&a, "HEALTH", "%s", card_health_name(rep->state));
	sink_send(sink, &a);
}

/* Is a reminder due for a condition that still holds? */
static bool reminder_due(enum reminder_policy policy, const struct alert_record *rec,
			 uint64_t now)
{
	uint64_t wait;

	switch (policy) {
	case REMINDER_DAILY:
		wait = DAY_US;
		break;
	case REMINDER_DIMINISHING:
		/* smartd's: after 1, 2, 4, 8... days. */
		wait = DAY_US << (rec->reminders > 10 ? 10 : rec->reminders);
		break;
	default:
		return false;
	}
	/* Sent "in the future" (the clock was stepped back): just sent. */
	return clock_age_us(now, rec->last_sent_us) >= wait;
}

bool card_alerts_apply(struct card_state *s, const struct health_report *rep,
		       const struct alert_card *card, enum reminder_policy policy, uint64_t now,
		       card_alerts_send_fn send, void *userdata)
{
	const struct alert_sink sink = { send, userdata };
	bool changed = false;

	for (unsigned int i = 0; i < rep->nreasons; i++) {
		const struct health_reason *reason = &rep->reasons[i];
		struct alert_record *rec = card_state_alert(s, reason->code);

		if (!rec) {
			log_error("%s: too many alert conditions to track %s", card->name, reason->code);
			continue;
		}
		if (!rec->active) {
			send_condition(&sink, card, rep, reason, "active", 0);
			rec->active = true;
			rec->since_us = rec->last_sent_us = now;
			rec->reminders = 0;
		} else if (reason->level > rec->level) {
			send_condition(&sink, card, rep, reason, "escalated", 0);
			rec->last_sent_us = now;
			rec->reminders = 0;
		} else if (reminder_due(policy, rec, now)) {
			rec->reminders++;
			send_condition(&sink, card, rep, reason, "reminder", rec->reminders);
			rec->last_sent_us = now;
		} else if (reason->level == rec->level && strcmp(rec->detail, reason->text) == 0) {
			continue;
		}
		/* Record the current level and wording (a lower level is an
		 * improvement, not news: the recovery comes when it clears). */
		rec->level = (uint8_t)reason->level;
		snprintf(rec->detail, sizeof(rec->detail), "%s", reason->text);
		changed = true;
	}

	/* Without data nothing can be said to have cleared. */
	if (rep->state == HEALTH_UNKNOWN)
		return changed;
	for (size_t i = 0; i < s->nalerts; i++) {
		struct alert_record *rec = &s->alerts[i];

		if (!rec->active || health_report_find(rep, rec->key))
			continue;
		/* While the card is away or silent, its sensor conditions are not
		 * known to have cleared: keep them latched. */
		if ((rep->state == HEALTH_OFFLINE || rep->state == HEALTH_UNRESPONSIVE ||
		     rep->state == HEALTH_FATAL) &&
		    strcmp(rec->key, "card-offline") != 0 && strcmp(rec->key, "card-unresponsive") != 0 &&
		    strcmp(rec->key, "card-fatal") != 0)
			continue;
		send_recovery(&sink, card, rep, rec);
		rec->active = false;
		rec->last_sent_us = now;
		rec->reminders = 0;
		changed = true;
	}
	return changed;
}

/* A card's condition alert: to the journal, then its observers. */
static int send_card_alert(const struct alert *a, void *userdata)
{
	return card_alert_send(userdata, a);
}

void card_alerts_update(struct dcard *dc, uint64_t now)
{
	struct alert_card card;

	alert_card_of(dc, &card);
	if (card_alerts_apply(dc->state, dc->report, &card, dc->m->config->reminder, now,
			      send_card_alert, dc))
		dc->state_dirty = true;
}
