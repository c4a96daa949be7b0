// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/health.h"

static const char *const health_names[] = {
	[HEALTH_UNKNOWN] = "unknown",
	[HEALTH_OK] = "ok",
	[HEALTH_WARNING] = "warning",
	[HEALTH_CRITICAL] = "critical",
	[HEALTH_UNRESPONSIVE] = "unresponsive",
	[HEALTH_OFFLINE] = "offline",
	[HEALTH_FATAL] = "fatal",
};

const char *card_health_name(enum card_health h)
{
	return (unsigned int)h <= HEALTH_STATE_MAX ? health_names[h] : "unknown";
}

int card_health_from_name(const char *name)
{
	for (unsigned int i = 0; i <= HEALTH_STATE_MAX; i++)
		if (strcmp(health_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

__attribute__((format(printf, 4, 5)))
static struct health_reason *add(struct health_report *r, const char *code,
				 enum card_health level, const char *fmt, ...)
{
	struct health_reason *reason;
	va_list ap;

	if (r->nreasons >= HEALTH_REASONS_MAX)
		return NULL;
	reason = &r->reasons[r->nreasons++];
	memset(reason, 0, sizeof(*reason));
	reason->code = code;
	reason->level = level;
	va_start(ap, fmt);
	vsnprintf(reason->text, sizeof(reason->text), fmt, ap);
	va_end(ap);
	if (level > r->state)
		r->state = level;
	return reason;
}

static void set_value(struct health_reason *reason, int64_t value, int64_t threshold)
{
	if (!reason)
		return;
	reason->has_value = true;
	reason->value = value;
	reason->threshold = threshold;
}

static void eval_sensors(const struct health_input *in, struct health_report *r)
{
	const struct thresholds *t = in->thresholds;
	unsigned int life;
	int temp;

	if (ocxlpmem_smart_temperature_c(in->smart, &temp)) {
		if (temp >= t->temperature_critical_c)
			set_value(add(r, "temperature", HEALTH_CRITICAL,
				      "temperature %d C at or above critical %d C", temp,
				      t->temperature_critical_c),
				  temp, t->temperature_critical_c);
		else if (temp >= t->temperature_warning_c)
			set_value(add(r, "temperature", HEALTH_WARNING,
				      "temperature %d C at or above warning %d C", temp,
				      t->temperature_warning_c),
				  temp, t->temperature_warning_c);
	}
	if (ocxlpmem_smart_life_remaining_pct(in->smart, &life)) {
		if (life <= t->life_critical_pct)
			set_value(add(r, "life-remaining", HEALTH_CRITICAL,
				      "life remaining %u%% at or below critical %u%%", life,
				      t->life_critical_pct),
				  life, t->life_critical_pct);
		else if (life <= t->life_warning_pct)
			set_value(add(r, "life-remaining", HEALTH_WARNING,
				      "life remaining %u%% at or below warning %u%%", life,
				      t->life_warning_pct),
				  life, t->life_warning_pct);
	}
	/* The card's own verdict: an attribute at or below its threshold. */
	for (unsigned int i = 0; i < in->smart->count; i++) {
		const struct ocxlpmem_smart_attr *a = &in->smart->attrs[i];

		if (a->threshold && a->current <= a->threshold) {
			set_value(add(r, "smart-threshold", HEALTH_WARNING,
				      "SMART attribute 0x%02x at %u, at or below its threshold %u",
				      a->id, a->current, a->threshold),
				  a->current, a->threshold);
			break;
		}
	}
}

static void eval_errlog(const struct health_input *in, struct health_report *r)
{
	const unsigned int *n = in->recent_errlog;
	unsigned int days = in->thresholds->error_log_window_s / 86400;
	char window[32];

	if (days)
		snprintf(window, sizeof(window), "%u day%s", days, days == 1 ? "" : "s");
	else
		snprintf(window, sizeof(window), "%u s", in->thresholds->error_log_window_s);

	if (n[OCXLPMEM_ERRLOG_DATA_LOSS])
		add(r, "error-log-data-loss", HEALTH_CRITICAL,
		    "%u data-loss error-log entr%s in the last %s", n[OCXLPMEM_ERRLOG_DATA_LOSS],
		    n[OCXLPMEM_ERRLOG_DATA_LOSS] == 1 ? "y" : "ies", window);
	if (in->recent_actions & OCXLPMEM_ACTION_REPLACE)
		add(r, "error-log-replace", HEALTH_CRITICAL,
		    "the card asked to be replaced in the last %s", window);
	if (n[OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE])
		add(r, "error-log-predictive-failure", HEALTH_WARNING,
		    "%u predictive-failure error-log entr%s in the last %s",
		    n[OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE],
		    n[OCXLPMEM_ERRLOG_PREDICTIVE_FAILURE] == 1 ? "y" : "ies", window);
	if (n[OCXLPMEM_ERRLOG_THERMAL_WARNING])
		add(r, "error-log-thermal-warning", HEALTH_WARNING,
		    "%u thermal-warning error-log entr%s in the last %s",
		    n[OCXLPMEM_ERRLOG_THERMAL_WARNING],
		    n[OCXLPMEM_ERRLOG_THERMAL_WARNING] == 1 ? "y" : "ies", window);
	if (in->recent_actions & OCXLPMEM_ACTION_CHKFW)
		add(r, "error-log-check-firmware", HEALTH_WARNING,
		    "the card asked for its firmware to be checked in the last %s", window);
}

struct health_report *health_report_dup(const struct health_report *r)
{
	size_t n = offsetof(struct health_report, reasons) +
		   r->nreasons * sizeof(r->reasons[0]);
	struct health_report *copy = malloc(n);

	if (copy)
		memcpy(copy, r, n);
	return copy;
}

void health_evaluate(const struct health_input *in, struct health_report *r)
{
	memset(r, 0, sizeof(*r));
	r->state = HEALTH_UNKNOWN;

	/* Terminal and connectivity states first: nothing else is current. */
	if (in->fatal_hardware)
		add(r, "card-fatal", HEALTH_FATAL, "the card reported a hardware fatal error");
	else if (in->fatal_firmware)
		add(r, "card-fatal", HEALTH_FATAL, "the card reported a firmware fatal error");
	if (!in->present) {
		add(r, "card-offline", HEALTH_OFFLINE, "the card is not present");
		return;
	}
	if (in->unresponsive) {
		add(r, "card-unresponsive", HEALTH_UNRESPONSIVE,
		    "the card does not answer commands");
		return;
	}
	if (r->state == HEALTH_FATAL)
		return;
	if (in->unreadable)
		add(r, "health-unreadable", HEALTH_WARNING, "health data cannot be read: %s",
		    in->unreadable);
	else if (!in->smart && !in->ctl)
		return; /* nothing read yet: unknown */

	if (in->ctl) {
		if (!(in->ctl->flags & OCXLPMEM_HEALTH_READY))
			add(r, "controller-not-ready", HEALTH_CRITICAL, "the controller is not ready");
		if (!(in->ctl->flags & OCXLPMEM_HEALTH_MEMORY_AVAILABLE))
			add(r, "memory-unavailable", HEALTH_CRITICAL,
			    "the card's persistent memory is not available");
	}
	if (in->smart)
		eval_sensors(in, r);
	if (in->stats && in->stats->critical_resource_utilization_pct >= 90)
		set_value(add(r, "resource-utilization", HEALTH_WARNING,
			      "critical resource utilisation at %u%%",
			      in->stats->critical_resource_utilization_pct),
			  in->stats->critical_resource_utilization_pct, 90);
	eval_errlog(in, r);
	if (r->state == HEALTH_UNKNOWN)
		r->state = HEALTH_OK;
}

const struct health_reason *health_report_find(const struct health_report *r, const char *code)
{
	for (unsigned int i = 0; i < r->nreasons; i++)
		if (strcmp(r->reasons[i].code, code) == 0)
			return &r->reasons[i];
	return NULL;
}
