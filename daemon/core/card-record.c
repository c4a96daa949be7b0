// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A card's persistent record (cards/SERIAL.json): loaded when the card is
 * first seen, saved when it changes.
 *
 * A record that is missing starts afresh; one that is corrupt, from a
 * newer version or too large is set aside by the loader and starts afresh
 * too (doc/state-format.md).  A record that exists but cannot be read
 * (EACCES, ELOOP, EIO, EMFILE...) is different: it holds the error-log
 * entries already seen and the alerts already sent, and starting afresh
 * would repeat or lose them and, at the next save, replace it.  So the
 * card is held "unloaded": a blank stand-in record that is never saved,
 * health unknown with the reason state-unreadable, no condition alerts and
 * no error-log drain (the card keeps its entries), and the load is retried
 * with back-off until it works; then the card carries on normally.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "core/card-private.h"

/* The first retry comes this soon; each failure doubles it, up to the
 * poll back-off cap (backoff_max). */
#define RECORD_RETRY_FIRST_S 1u

static void arm_retry(struct dcard *dc)
{
	uint64_t cap = dc->m->config->backoff_max_s;
	uint64_t delay = RECORD_RETRY_FIRST_S;
	struct timeval tv = { 0 };

	for (unsigned int i = 1; i < dc->state_load_attempts && delay < cap; i++)
		delay *= 2;
	if (delay > cap && cap >= RECORD_RETRY_FIRST_S)
		delay = cap;
	tv.tv_sec = (time_t)delay;
	evtimer_add(dc->state_retry_timer, &tv);
}

/*
 * Try to load; on success, or when the loader set the file aside or found
 * none, dc->state is the record to use from now on.  Returns 0, or the
 * read error with dc->state untouched.
 */
static int try_load(struct dcard *dc)
{
	struct card_state *s = NULL;
	char *aside = NULL;
	int r;

	dc->state_load_attempts++;
	r = card_state_load(dc->m->state_dirfd, dc->serial, &s, &aside);
	if (state_set_aside_text(r))
		log_error("%s: the state file of serial %" PRIu64 " was %s; set aside as %s, starting afresh",
			  dc->name, dc->serial, state_set_aside_text(r), aside ? aside : "?");
	free(aside);
	if (r < 0 && r != -ENOENT && !state_set_aside_text(r))
		return r;
	if (!s) {
		r = card_state_new(dc->serial, dc->name, &s);
		if (r < 0)
			return r;
	}
	card_state_free(dc->state);
	dc->state = s;
	dc->state_dirty = false;
	return 0;
}

static void note_unreadable(struct dcard *dc, int r)
{
	/* Said once per distinct error: a retry every backoff_max that fails
	 * the same way is not news. */
	if (r != dc->state_load_error)
		log_errno(LOG_ERR, r,
			  "%s: cannot read the state file %s/cards/%" PRIu64 ".json; "
			  "leaving it alone, health unknown until it can be read (retrying)",
			  dc->name, dc->m->state_dir, dc->serial);
	dc->state_load_error = r;
	arm_retry(dc);
}

static void on_retry(evutil_socket_t fd, short what, void *userdata)
{
	struct dcard *dc = userdata;
	int r;

	r = try_load(dc);
	if (r < 0) {
		note_unreadable(dc, r);
		return;
	}
	log_notice("%s: the state file of serial %" PRIu64 " can be read again (attempt %u); resuming",
		   dc->name, dc->serial, dc->state_load_attempts);
	dc->state_load_error = 0;
	if (!dc->card) {
		card_evaluate(dc);
		return;
	}
	/* What waited for the record: alerts whose sending was never
	 * confirmed, judging the card, and the entries the card kept. */
	errlog_resume_pending(dc);
	card_evaluate(dc);
	errlog_start_drain(dc);
}

int card_record_open(struct dcard *dc)
{
	int r;

	dc->state_retry_timer = evtimer_new(dc->m->base, on_retry, dc);
	if (!dc->state_retry_timer)
		return -ENOMEM;
	r = try_load(dc);
	if (r == 0)
		return 0;
	/* The stand-in: blank, never saved, so that readers need no special
	 * case for a card whose record is not there. */
	if (!dc->state) {
		int k = card_state_new(dc->serial, dc->name, &dc->state);

		if (k < 0)
			return k;
	}
	note_unreadable(dc, r);
	return 0;
}

void card_record_close(struct dcard *dc)
{
	if (dc->state_retry_timer)
		event_free(dc->state_retry_timer);
	dc->state_retry_timer = NULL;
	dc->state = card_state_free(dc->state);
}

void card_record_unloaded_report(const struct dcard *dc, struct health_report *rep)
{
	struct health_reason *reason;

	memset(rep, 0, sizeof(*rep));
	rep->state = HEALTH_UNKNOWN;
	rep->nreasons = 1;
	reason = &rep->reasons[0];
	reason->code = "state-unreadable";
	reason->level = HEALTH_UNKNOWN;
	snprintf(reason->text, sizeof(reason->text),
		 "the state file cards/%" PRIu64 ".json cannot be read: %s; retrying",
		 dc->serial, strerror(-dc->state_load_error));
}

void card_save_state(struct dcard *dc)
{
	int r;

	if (!dc->state_dirty)
		return;
	/* Written later, a few per loop iteration (cards_judge_absent()). */
	if (dc->m->saves_deferred)
		return;
	/* Never over a record we could not read: it stays dirty, and is
	 * dropped for the real one when the load works. */
	if (!card_record_loaded(dc))
		return;
	r = card_state_save(dc->m->state_dirfd, dc->state);
	if (r < 0) {
		log_errno(LOG_ERR, r, "%s: cannot save state", dc->name);
		return;
	}
	dc->state_dirty = false;
}
