// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reports of a card for the serialisers (card-report.h): the one place
 * that turns the core's private card state into what is shown.
 */
#include <string.h>

#include "core/card-private.h"
#include "jobs/dump.h"
#include "jobs/firmware-update.h"

static void polls_report(const struct dcard *dc, struct card_poll_report *ret)
{
	const unsigned int intervals[POLL_KINDS] = {
		[POLL_HEALTH] = dc->intervals.health_s,
		[POLL_STATS] = dc->intervals.stats_s,
		[POLL_FIRMWARE] = dc->intervals.firmware_s,
	};

	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		const struct poller *p = &dc->polls[k];

		ret[k] = (struct card_poll_report){
			.interval_s = intervals[k],
			.last_ok_us = p->last_ok_us,
			.last_duration_ms = p->last_duration_ms,
			.consecutive_failures = p->failures,
			.total = p->total,
			.failed = p->failed,
		};
	}
}

/* The store is the manager's (retention may delete any card's dumps). */
static uint64_t dumps_stored_bytes(const struct dcard *dc)
{
	const struct dump_store *store = dc->m->dumps;
	uint64_t bytes = 0;

	for (size_t j = 0; store && j < store->n; j++)
		if (store->v[j].meta.serial == dc->serial)
			bytes += store->v[j].meta.size;
	return bytes;
}

void card_report_get(const struct dcard *dc, struct card_report *rep)
{
	*rep = (struct card_report){
		.name = dc->name,
		.serial = dc->serial,
		.present = dc->card != NULL,
		.backend_id = dc->card ? dc->backend_id : NULL,
		.transport = dc->card ? ocxlpmem_card_transport(dc->card) : NULL,
		.fw_version_hint = dc->card ? ocxlpmem_card_fw_version_hint(dc->card) : "",
		.identified = dc->identified,
		.functions = dc->functions,
		.caps = dc->have_caps ? &dc->caps : NULL,
		.smart = dc->have_smart ? &dc->smart : NULL,
		.ctl = dc->have_ctl ? &dc->ctl : NULL,
		.stats = dc->have_stats ? &dc->stats : NULL,
		.fw = dc->have_fw ? &dc->fw : NULL,
		.events = dc->events,
		.health = dc->report,
		.unresponsive = dc->unresponsive,
		.last_error = dc->last_error[0] ? dc->last_error : NULL,
		.alerts = dc->state->alerts,
		.nalerts = dc->state->nalerts,
		.errlog = dc->state->history,
		.nerrlog = dc->state->nhistory,
		.errlog_total = dc->state->errlog_total,
		.commands = dc->commands,
		.dump_running = dump_job_running(dc),
		.dumps_stored_bytes = dumps_stored_bytes(dc),
		.fw_update_state = fwupdate_state_name(dc),
	};
	_Static_assert(sizeof(dc->state->errlog_total) ==
			       CARD_ERRLOG_TYPES * sizeof(dc->state->errlog_total[0]),
		       "errlog_total has CARD_ERRLOG_TYPES counters");
	memcpy(rep->reading_ok_us, dc->reading_ok_us, sizeof(rep->reading_ok_us));
	memcpy(rep->reading_stale, dc->reading_stale, sizeof(rep->reading_stale));
	polls_report(dc, rep->polls);
	dump_card_counts(dc, &rep->dumps_saved, &rep->dumps_failed);
	fwupdate_counts(dc, &rep->fw_updates[CARD_FW_SUCCEEDED], &rep->fw_updates[CARD_FW_FAILED],
			&rep->fw_updates[CARD_FW_CANCELLED]);
}

const char *card_name(const struct dcard *dc)
{
	return dc->name;
}

uint64_t card_serial(const struct dcard *dc)
{
	return dc->serial;
}

bool card_present(const struct dcard *dc)
{
	return dc->card != NULL;
}

enum card_health card_health(const struct dcard *dc)
{
	return dc->report->state;
}

const char *card_backend_id(const struct dcard *dc)
{
	return dc->backend_id;
}

struct ocxlpmem_card *card_object(const struct dcard *dc)
{
	return dc->card;
}

uint64_t card_gen(const struct dcard *dc)
{
	return dc->gen;
}

struct card_caches *card_caches(struct dcard *dc)
{
	return &dc->caches;
}
