/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Condition alerts over time (card-alerts.c), as a function of the card's
 * latched record and its verdict: no card, no manager, so the policy is
 * tested with a hand-moved clock (tests/test-card-alerts.c).  The card's
 * own entry point is card_alerts_update() (manager.h).
 */
#ifndef OCXLPMEMD_CARD_ALERTS_H
#define OCXLPMEMD_CARD_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/alert.h"
#include "core/health.h"
#include "state/state.h"

/* Sends one alert: 0 or -errno, as alert_send(). */
typedef int (*card_alerts_send_fn)(const struct alert *a, void *userdata);

/*
 * Raise, escalate, remind and clear the alerts of card s (about card) for
 * the verdict rep at now (CLOCK_REALTIME, us), sending each by send (for
 * a card: card_alert_send(), the journal then the observers).  Returns
 * whether s changed (save it).
 */
bool card_alerts_apply(struct card_state *s, const struct health_report *rep,
		       const struct alert_card *card, enum reminder_policy policy, uint64_t now,
		       card_alerts_send_fn send, void *userdata);

#endif /* OCXLPMEMD_CARD_ALERTS_H */
