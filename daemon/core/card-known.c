// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cards the daemon knows but does not see: restored offline at start, and
 * forgotten on request (ocxlpmemctl forget).
 *
 * A card that goes away while the daemon runs stays, offline, with its
 * history, alerts and metric series.  Without restoring, a restart would
 * lose all that for a card still gone: no object, no ListCards entry, no
 * ocxlpmem_card_up 0, and the "card offline" alert on /metrics would
 * resolve although nothing was fixed (#16).  So every registered card with
 * a state record gets its object back before the scan, absent, as if it
 * had been seen and removed; the scan attaches the ones present to theirs
 * exactly as a card returning after a removal.
 *
 * Forgetting is the way out for a card removed on purpose: its object,
 * its record and its name go; its saved dumps stay.  The record goes
 * first and the name second, so a crash between the two leaves a name
 * without a record, which is not restored (and which forget drops when
 * asked again); the other order could leave a record without a name, which
 * a card with that serial coming back would take up under a new name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/dump.h"
#include "util/log.h"
#include "core/card-private.h"
#include "core/manager.h"

int cards_restore_known(struct manager *m)
{
	size_t n = names_count(m->names), restored = 0;

	/* The registry is in index order, and so is the list: each card
	 * goes at the end, and the whole start stays linear. */
	for (size_t i = 0; i < n; i++) {
		struct dcard *dc;
		const char *name;
		uint64_t serial;
		int r;

		names_get(m->names, i, &serial, &name);
		r = card_state_exists(m->state_dirfd, serial);
		if (r < 0)
			log_errno(LOG_WARNING, r, "%s: cannot tell whether serial %" PRIu64
				  " has a state record; restoring it as if it had", name, serial);
		if (r == 0)
			continue;
		r = dcard_new_named(m, serial, name, &dc);
		if (r < 0)
			return r;
		restored++;
	}
	if (restored)
		log_info("%zu known card%s restored from %s; the scan attaches those present",
			 restored, restored == 1 ? "" : "s", m->state_dir);
	return 0;
}

/* Records written per loop iteration after a start that judged many
 * absent cards: each is an fsync; the loop answers between batches. */
#define DEFERRED_SAVES_BATCH 16

static const struct timeval zero_timeout = { 0, 0 };

static void on_deferred_saves(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	unsigned int written = 0;

	(void)fd;
	(void)what;
	/* The list may have changed since the last batch (hotplug, forget):
	 * an index that skips a card only leaves it for its next save, and
	 * one saved twice is written once (card_save_state() clears dirty). */
	while (m->deferred_save_next < m->ncards && written < DEFERRED_SAVES_BATCH) {
		struct dcard *dc = m->cards[m->deferred_save_next++];

		if (!dc->state_dirty)
			continue;
		card_save_state(dc);
		written++;
	}
	/* A zero timeout, not event_active(): libevent runs events activated
	 * from a callback before it polls again, so the sockets would wait
	 * for the last batch; a timer comes after the next poll. */
	if (m->deferred_save_next < m->ncards)
		evtimer_add(m->ev_deferred_saves, &zero_timeout);
}

void cards_judge_absent(struct manager *m)
{
	size_t absent = 0;

	m->saves_deferred = true;
	for (size_t i = 0; i < m->ncards; i++) {
		struct dcard *dc = m->cards[i];

		if (dc->card)
			continue;
		log_notice("%s: serial %" PRIu64 " is known but not present at start; offline",
			   dc->name, dc->serial);
		/*
		 * Offline, its latched alerts as they were: a card that went
		 * while the daemon ran has card-offline latched and says
		 * nothing new, and its record is not written; one that went
		 * while the daemon was stopped is alerted once, now, and its
		 * record written soon after READY.  A crash in between alerts
		 * it once more at the next start: a condition, never an
		 * error-log entry (those are written before they are acked).
		 */
		card_evaluate(dc);
		absent++;
	}
	m->saves_deferred = false;
	if (!absent)
		return;
	if (!m->ev_deferred_saves)
		m->ev_deferred_saves = evtimer_new(m->base, on_deferred_saves, m);
	if (!m->ev_deferred_saves) {
		/* No memory for the event: write them now, as before. */
		for (size_t i = 0; i < m->ncards; i++)
			card_save_state(m->cards[i]);
		return;
	}
	m->deferred_save_next = 0;
	evtimer_add(m->ev_deferred_saves, &zero_timeout);
}

static void list_remove(struct manager *m, struct dcard *dc)
{
	for (size_t i = 0; i < m->ncards; i++) {
		if (m->cards[i] != dc)
			continue;
		memmove(&m->cards[i], &m->cards[i + 1], (m->ncards - i - 1) * sizeof(*m->cards));
		m->ncards--;
		return;
	}
}

/* Drop serial's name and save the registry now: the reply says it is done. */
static int retire_name(struct manager *m, uint64_t serial)
{
	int r = names_forget(m->names, serial);

	if (r < 0)
		return r;
	r = names_save(m->state_dirfd, m->names);
	if (r < 0) {
		/* Saved later (the deferred save, or at exit); until then a
		 * crash leaves the name registered without a record, which is
		 * not restored. */
		log_errno(LOG_ERR, r, "cannot save card names in %s; retrying later", m->state_dir);
		manager_names_changed(m);
	}
	return 0;
}

int card_forget(struct dcard *dc, unsigned int uid)
{
	struct manager *m = dc->m;
	uint64_t serial = dc->serial;
	char name[sizeof(dc->name)];
	int r;

	if (dc->card)
		return -EBUSY;
	/* A dump whose bytes are all in is saved after the card went. */
	if (dump_job_running(dc))
		return -EAGAIN;
	r = card_state_remove(m->state_dirfd, serial);
	if (r < 0 && r != -ENOENT) {
		log_errno(LOG_ERR, r, "%s: cannot remove the state file %s/cards/%" PRIu64 ".json; "
			  "not forgotten", dc->name, m->state_dir, serial);
		/* If only the fsync failed, the file is gone: write it back,
		 * so that nothing changed. */
		if (card_state_exists(m->state_dirfd, serial) == 0) {
			dc->state_dirty = true;
			card_save_state(dc);
		}
		return r;
	}
	snprintf(name, sizeof(name), "%s", dc->name);
	retire_name(m, serial);

	/* Watchers learn it first, while the object is whole; card_free()
	 * then tells everyone who keeps something of it (OBSERVE_CARD_FREED). */
	observe_emit(&m->observers, &(struct observe_event){
		.kind = OBSERVE_CARD_FORGOTTEN, .dc = dc,
	});
	/* Its completions (the removal failed them) must not outlive it. */
	manager_reap_completions(m);
	list_remove(m, dc);
	/* What ListCards and /metrics show has changed. */
	m->state_gen++;
	card_free(dc);
	manager_update_status(m);
	log_info("%s: serial %" PRIu64 " forgotten by uid %u: state record removed, name retired; "
		 "saved dumps kept", name, serial, uid);
	return 0;
}

int card_forget_registered(struct manager *m, const char *name_or_serial, unsigned int uid,
			   char *ret_name, size_t name_len)
{
	uint64_t serial = names_lookup(m->names, name_or_serial);
	const char *name;
	char *end;
	int r;

	if (!serial && *name_or_serial) {
		serial = strtoull(name_or_serial, &end, 10);
		if (*end)
			serial = 0;
	}
	name = serial ? names_find(m->names, serial) : NULL;
	if (!name)
		return -ENOENT;
	snprintf(ret_name, name_len, "%s", name);
	/* No object: no record either (else it would have been restored),
	 * unless one appeared since; it goes too. */
	r = card_state_remove(m->state_dirfd, serial);
	if (r < 0 && r != -ENOENT)
		return r;
	r = retire_name(m, serial);
	if (r < 0)
		return r;
	log_info("%s: serial %" PRIu64 " forgotten by uid %u: name retired (it had no state record)",
		 ret_name, serial, uid);
	return 0;
}
