// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A card object's life: made for a serial (or restored by card-known.c),
 * attached to the transport's card when it shows, detached when it goes,
 * freed.  The jobs hear of each step through their ops (card_job_ops), the
 * rest of the daemon through the manager's observers: this file names
 * neither.  What the card's answers mean is card.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert.h"
#include "util/log.h"
#include "core/card-private.h"
#include "shared/util/json-blob.h"

static void on_card_event(evutil_socket_t fd, short what, void *userdata)
{
	card_event_fired(userdata);
}

/* ---- Attach / detach ----------------------------------------------------- */

int dcard_new_named(struct manager *m, uint64_t serial, const char *name, struct dcard **ret)
{
	struct dcard *dc;
	int r;

	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return -ENOMEM;
	/* Unknown, with no reasons, until the first evaluation. */
	dc->report = calloc(1, sizeof(*dc->report));
	if (!dc->report) {
		free(dc);
		return -ENOMEM;
	}
	dc->m = m;
	dc->serial = serial;
	dc->done_identify = (struct card_completion){ dc, card_identify_done, NULL };
	dc->done_event = (struct card_completion){ dc, card_reading_done, NULL };
	dc->done_errlog = (struct card_completion){ dc, errlog_request_done, NULL };
	snprintf(dc->name, sizeof(dc->name), "%s", name);

	r = card_record_open(dc);
	if (r < 0) {
		card_free(dc);
		return r;
	}
	config_for_card(m->config, serial, &dc->intervals, &dc->thresholds);
	r = card_polls_init(dc);
	if (r < 0) {
		card_free(dc);
		return r;
	}

	/* Doubling: a start that restores 4096 known cards stays linear. */
	if (m->ncards == m->cards_cap) {
		size_t cap = m->cards_cap ? m->cards_cap * 2 : 16;
		struct dcard **v = reallocarray(m->cards, cap, sizeof(*v));

		if (!v) {
			card_free(dc);
			return -ENOMEM;
		}
		m->cards = v;
		m->cards_cap = cap;
	}
	/* Keep the list in name order (ocxlpmem2 before ocxlpmem10). */
	{
		size_t i = m->ncards;
		unsigned long idx = strtoul(dc->name + strlen("ocxlpmem"), NULL, 10);

		while (i > 0 && strtoul(m->cards[i - 1]->name + strlen("ocxlpmem"), NULL, 10) > idx) {
			m->cards[i] = m->cards[i - 1];
			i--;
		}
		m->cards[i] = dc;
		m->ncards++;
	}
	*ret = dc;
	return 0;
}

static int dcard_new(struct manager *m, uint64_t serial, struct dcard **ret, bool *ret_new)
{
	const char *name;
	bool is_new;
	int r;

	name = names_assign(m->names, serial, &is_new);
	if (!name)
		return -ENOMEM;
	/* Given is given, even if the rest fails: it is saved. */
	if (is_new)
		manager_names_changed(m);
	r = dcard_new_named(m, serial, name, ret);
	if (r < 0)
		return r;
	*ret_new = is_new;
	return 0;
}

static struct dcard *find_by_serial(struct manager *m, uint64_t serial)
{
	for (size_t i = 0; i < m->ncards; i++)
		if (m->cards[i]->serial == serial)
			return m->cards[i];
	return NULL;
}

void card_attach(struct manager *m, struct ocxlpmem_card *c)
{
	uint64_t serial = ocxlpmem_card_serial_hint(c);
	struct dcard *dc;
	bool has_events;
	int fd = -1, r;

	if (!serial) {
		/* The ABI promises the serial in sysfs; without it we cannot
		 * keep a stable name or state, so say so and leave it alone. */
		log_error("%s: the card reports no serial number; not monitored",
			  ocxlpmem_card_id(c));
		return;
	}
	dc = find_by_serial(m, serial);
	if (dc && dc->card) {
		log_error("%s: serial %" PRIu64 " is already monitored as %s (%s); ignoring the duplicate",
			  ocxlpmem_card_id(c), serial, dc->name, dc->backend_id);
		return;
	}
	if (!dc) {
		struct alert a;
		bool is_new = false;

		r = dcard_new(m, serial, &dc, &is_new);
		if (r < 0) {
			log_errno(LOG_ERR, r, "%s: cannot set up monitoring", ocxlpmem_card_id(c));
			return;
		}
		/* Once per serial for this state directory: the names registry
		 * gave it a name just now. */
		if (is_new) {
			card_alert_fill(dc, &a, "card-discovered", LOG_NOTICE, "entry");
			snprintf(a.message, sizeof(a.message), "new card %s, serial %" PRIu64,
				 ocxlpmem_card_id(c), serial);
			card_alert_send(dc, &a);
		}
	}
	dc->card = ocxlpmem_card_ref(c);
	snprintf(dc->backend_id, sizeof(dc->backend_id), "%s", ocxlpmem_card_id(c));
	dc->added_us = now_realtime_us();
	dc->removed_us = 0;
	/* A card that comes back has been reset: its old verdicts are stale. */
	dc->fatal_hardware = dc->fatal_firmware = false;
	dc->unresponsive = false;
	dc->consecutive_timeouts = 0;
	dc->have_smart = dc->have_ctl = dc->have_stats = dc->have_fw = dc->have_caps = false;
	memset(dc->reading_stale, 0, sizeof(dc->reading_stale));
	/* A card attached anew may run another driver: ask it afresh. */
	dc->functions = OCXLPMEM_FN_ALL_MASK;
	dc->refused = 0;
	dc->identified = false;
	dc->events = 0;
	dc->draining = dc->drain_again = false;
	dc->last_error[0] = '\0';
	for (unsigned int k = 0; k < POLL_KINDS; k++)
		dc->polls[k].failures = 0;

	/* With one event source for every card (the manager's
	 * ev_card_events) a card needs no descriptor of its own. */
	has_events = m->ev_card_events != NULL;
	if (!has_events) {
		fd = ocxlpmem_card_event_fd(c);
		has_events = fd >= 0;
	}
	if (!m->ev_card_events && has_events) {
		dc->ev_card = event_new(m->base, fd, EV_READ | EV_PERSIST, on_card_event, dc);
		if (!dc->ev_card || event_add(dc->ev_card, NULL) < 0)
			log_warning("%s: cannot watch card events; relying on polls", dc->name);
	}
	log_notice("%s: card %s serial %" PRIu64 " attached%s", dc->name, dc->backend_id, serial,
		   has_events ? "" : " (no event source: polling for events)");

	for (unsigned int i = 0; i < CARD_JOBS_MAX && dc->jobs[i].ops; i++)
		if (dc->jobs[i].ops->attached)
			dc->jobs[i].ops->attached(dc, dc->jobs[i].data);
	errlog_resume_pending(dc);
	/* What the card has decides what is asked: CAPABILITIES first, the
	 * rest when it is back (card_identified). */
	r = card_submit(dc, OCXLPMEM_FN_CAPABILITIES, NULL, 0, POLL_OUT_CAP, &dc->done_identify);
	if (r < 0) {
		log_errno(LOG_WARNING, r, "%s: cannot ask for capabilities", dc->name);
		card_identified(dc);
	}
	card_evaluate(dc);
	observe_emit(&m->observers, &(struct observe_event){ .kind = OBSERVE_CARD_ADDED, .dc = dc });
}

void card_detach(struct manager *m, struct ocxlpmem_card *c)
{
	struct dcard *dc = NULL;

	for (size_t i = 0; i < m->ncards; i++)
		if (m->cards[i]->card == c)
			dc = m->cards[i];
	if (!dc)
		return;
	log_notice("%s: card %s serial %" PRIu64 " removed", dc->name, dc->backend_id, dc->serial);
	/* Queued and running commands fail with -ENXIO; their completions
	 * arrive later and are recognised as stale. */
	ocxlpmem_executor_forget(m->executor, c);
	if (dc->ev_card) {
		event_free(dc->ev_card);
		dc->ev_card = NULL;
	}
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		evtimer_del(dc->polls[k].timer);
		/* Its requests come back stale and are ignored: start clean. */
		dc->polls[k].due = false;
		dc->polls[k].outstanding = 0;
		dc->polls[k].first_error = 0;
	}
	for (unsigned int i = 0; i < CARD_JOBS_MAX && dc->jobs[i].ops; i++)
		if (dc->jobs[i].ops->gone)
			dc->jobs[i].ops->gone(dc, dc->jobs[i].data);
	dc->card = ocxlpmem_card_unref(dc->card);
	/* backend_id stays: it names the slot a reset brings back (sim). */
	dc->removed_us = now_realtime_us();
	dc->draining = false;
	card_evaluate(dc);
	observe_emit(&m->observers, &(struct observe_event){ .kind = OBSERVE_CARD_REMOVED, .dc = dc });
}

struct dcard *card_free(struct dcard *dc)
{
	if (!dc)
		return NULL;
	/* Those who keep something of the card (followers of its jobs, cached
	 * samples) let go of it first. */
	observe_emit(&dc->m->observers, &(struct observe_event){ .kind = OBSERVE_CARD_FREED, .dc = dc });
	if (dc->ev_card)
		event_free(dc->ev_card);
	for (unsigned int k = 0; k < POLL_KINDS; k++)
		if (dc->polls[k].timer)
			event_free(dc->polls[k].timer);
	for (unsigned int i = 0; i < CARD_JOBS_MAX && dc->jobs[i].ops; i++)
		if (dc->jobs[i].ops->free)
			dc->jobs[i].ops->free(dc, dc->jobs[i].data);
	/* The serialisers' cached text (shared, refcounted) goes with it. */
	card_caches(dc)->summary_blob = json_blob_unref(card_caches(dc)->summary_blob);
	card_caches(dc)->detail_blob = json_blob_unref(card_caches(dc)->detail_blob);
	free(dc->report);
	ocxlpmem_card_unref(dc->card);
	card_record_close(dc);
	free(dc);
	return NULL;
}
