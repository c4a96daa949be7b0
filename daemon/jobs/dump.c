// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A card's controller dumps (see dump.h): its per-card state under the
 * card's jobs (card_job_register()), what starts a collection, the retry
 * back-off after a failed one, and what the card's arrival and departure
 * do to a collection.  The collection itself is dump-collect.c, the store
 * of saved dumps dump-store.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/event.h>

#include "jobs/dump.h"
#include "jobs/dump-private.h"
#include "util/log.h"
#include "core/card-private.h"

#define RETRY_MAX_S 3600u

static const char *const phase_names[] = {
	[JOB_STARTING] = "starting",
	[JOB_READING] = "reading",
	[JOB_SAVING] = "saving",
	[JOB_COMPLETING] = "completing",
};

static void dump_card_attached(struct dcard *dc, void *data);
static void dump_card_gone(struct dcard *dc, void *data);
static void dump_card_free(struct dcard *dc, void *data);

/* Rank 0: a card that goes ends its collection before its update. */
static const struct card_job_ops dump_ops = {
	.name = "dump",
	.rank = 0,
	.attached = dump_card_attached,
	.gone = dump_card_gone,
	.free = dump_card_free,
};

struct dump_card *dump_card_of(const struct dcard *dc)
{
	return card_job_data(dc, &dump_ops);
}

struct dump_job *dump_job_of(const struct dcard *dc)
{
	struct dump_card *dd = dump_card_of(dc);

	return dd ? dd->job : NULL;
}

struct dump_card *dump_card_get(struct dcard *dc)
{
	struct dump_card *dd = dump_card_of(dc);

	if (dd)
		return dd;
	dd = calloc(1, sizeof(*dd));
	if (!dd)
		return NULL;
	dd->done = (struct card_completion){ dc, dump_request_done, dd };
	if (card_job_register(dc, &dump_ops, dd) < 0) {
		free(dd);
		return NULL;
	}
	return dd;
}

void dump_set_result(struct dcard *dc, bool ok, const char *fmt, ...)
{
	struct dump_card *dd = dump_card_get(dc);
	va_list ap;

	if (!dd)
		return;
	va_start(ap, fmt);
	vsnprintf(dd->last_result, sizeof(dd->last_result), fmt, ap);
	va_end(ap);
	dd->last_ok = ok;
	dd->last_result_usec = now_realtime_us();
}

static void on_retry(evutil_socket_t fd, short what, void *userdata)
{
	struct dcard *dc = userdata;
	struct dump_card *dd = dump_card_of(dc);
	int r;

	(void)fd;
	(void)what;
	dd->backoff = false;
	dd->retry_at_usec = 0;
	/* Ask whether the card still holds a dump rather than DUMP_START
	 * blindly: that would make a new host dump of a card that has none. */
	r = card_submit(dc, OCXLPMEM_FN_EVENT_CHECK, NULL, 0, 64, NULL);
	/* A card without EVENT_CHECK says it with its event source instead. */
	if (r < 0 && r != -ENXIO && r != -EOPNOTSUPP)
		log_errno(LOG_WARNING, r, "%s: cannot ask whether the card still holds a dump",
			  dc->name);
}

void dump_schedule_retry(struct dcard *dc)
{
	struct dump_card *dd = dump_card_get(dc);
	uint64_t delay = dc->m->config->dump_retry_s;
	struct timeval tv;

	if (!dd)
		return;
	for (unsigned int i = 1; i < dd->failures && delay < RETRY_MAX_S; i++)
		delay *= 2;
	if (delay > RETRY_MAX_S)
		delay = RETRY_MAX_S;
	if (!dd->retry_timer)
		dd->retry_timer = evtimer_new(dc->m->base, on_retry, dc);
	if (!dd->retry_timer)
		return;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = 0;
	evtimer_add(dd->retry_timer, &tv);
	dd->backoff = true;
	dd->retry_at_usec = now_realtime_us() + delay * 1000000u;
}

void dump_card_wants_collection(struct dcard *dc, const char *trigger)
{
	struct dump_card *dd = dump_card_of(dc);
	int r;

	if ((dd && dd->job) || !dc->card)
		return;
	/* After a failure, automatic triggers (the level-triggered event is
	 * seen at every poll) wait for the back-off timer. */
	if (dd && dd->backoff)
		return;
	r = dump_job_start(dc, trigger);
	/* Said once at identification: the card's event stays up, and
	 * every poll would say it again. */
	if (r < 0 && r != -EOPNOTSUPP)
		log_errno(LOG_WARNING, r, "%s: cannot start collecting the controller dump", dc->name);
}

int dump_start_user(struct dcard *dc)
{
	return dump_job_start(dc, "user");
}

bool dump_job_running(const struct dcard *dc)
{
	return dump_job_of(dc) != NULL;
}

bool dump_card_has_history(const struct dcard *dc)
{
	return dump_card_of(dc) != NULL;
}

void dump_card_counts(const struct dcard *dc, uint64_t *ret_saved, uint64_t *ret_failed)
{
	const struct dump_card *dd = dump_card_of(dc);

	*ret_saved = dd ? dd->saved : 0;
	*ret_failed = dd ? dd->failed : 0;
}

/* The card went away or is being freed: end a running collection
 * (dump_ops.gone). */
static void dump_card_gone(struct dcard *dc, void *data)
{
	struct dump_card *dd = data;
	struct dump_job *j = dd->job;

	if (!j)
		return;
	if (j->phase == JOB_SAVING) {
		/* Every byte is in: the file is still saved; the card is told
		 * when it is back. */
		return;
	}
	if (j->phase == JOB_COMPLETING) {
		/* Its answer will never come (a removed card's completions are
		 * stale); the card still holds the dump we saved. */
		dump_set_result(dc, true, "saved %s; the card will be told when it is back", j->file);
		dump_job_end(dc);
		return;
	}
	dump_job_fail(dc, "the card was removed during collection");
	/* When it comes back, try at once rather than after the back-off. */
	dd->backoff = false;
}

/* A card object (new or back) is attached (dump_ops.attached). */
static void dump_card_attached(struct dcard *dc, void *data)
{
	struct dump_card *dd = data;

	/* Completions for the old card object never reach us. */
	dd->outstanding = 0;
	dd->backoff = false;
}

/* dump_ops.free */
static void dump_card_free(struct dcard *dc, void *data)
{
	struct dump_card *dd = data;

	dump_job_free(dd->job);
	if (dd->retry_timer)
		event_free(dd->retry_timer);
	free(dd);
}

/* ---- Reports --------------------------------------------------------------- */

void dump_card_report(const struct dcard *dc, struct dump_card_report *ret)
{
	const struct dump_card *dd = dump_card_of(dc);
	const struct dump_job *j = dd ? dd->job : NULL;

	*ret = (struct dump_card_report){ 0 };
	if (j) {
		ret->phase = phase_names[j->phase];
		ret->trigger = j->trigger;
		ret->dump_id = j->info.dump_id;
		ret->requested_usec = j->requested_usec;
		ret->progress = j->phase == JOB_STARTING ? NULL : &j->progress;
		ret->file = j->file;
	}
	if (dd && dd->last_result[0]) {
		ret->last_result = dd->last_result;
		ret->last_ok = dd->last_ok;
		ret->last_result_usec = dd->last_result_usec;
	}
	if (dd) {
		ret->retry_at_usec = dd->retry_at_usec;
		ret->saved = dd->saved;
		ret->failed = dd->failed;
	}
}
