// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cards in the daemon: attach/detach as the transport reports them, and
 * turning command completions into card state.  The poll scheduler is
 * card-poll.c; what is shown of a card, card-report.c.
 *
 * Every card command goes through the executor; this file only submits and
 * handles completions, on the loop thread.  Nothing here can block on a
 * card.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alert.h"
#include "util/log.h"
#include "core/card-private.h"

void card_request_init(struct dcard *dc, struct ocxlpmem_request *req, unsigned int function,
		       const void *in, size_t in_len, size_t out_cap, enum req_tag tag)
{
	*req = (struct ocxlpmem_request){
		.card = dc->card,
		.function = function,
		.in = in,
		.in_len = in_len,
		.out_cap = out_cap,
		.timeout_ms = ocxlpmem_function_timeout_ms(function,
							   dc->have_caps ? &dc->caps : NULL),
		.userdata = &dc->ctx[tag],
	};
}

bool card_has_function(const struct dcard *dc, unsigned int function)
{
	return function >= OCXLPMEM_FN_MIN && function <= OCXLPMEM_FN_MAX &&
	       (dc->functions & (1u << function));
}

bool card_has_functions(const struct dcard *dc, uint32_t mask)
{
	return (dc->functions & mask) == mask;
}

void card_missing_functions(const struct dcard *dc, uint32_t mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX && used < len; fn++)
		if ((mask & (1u << fn)) && !card_has_function(dc, fn))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 ocxlpmem_function_name(fn));
}

int card_submit(struct dcard *dc, unsigned int function, const void *in, size_t in_len,
		size_t out_cap, enum req_tag tag)
{
	struct ocxlpmem_request req;
	int r;

	if (!dc->card)
		return -ENXIO;
	/* ocxlpmem-abi(7): a consumer calls no function whose bit is clear. */
	if (!card_has_function(dc, function))
		return -EOPNOTSUPP;
	card_request_init(dc, &req, function, in, in_len, out_cap, tag);
	r = ocxlpmem_executor_submit(dc->m->executor, &req);
	if (r == 0) {
		dc->commands[function]++;
		/* The count is in the card's metrics. */
		card_touch(dc);
	}
	return r;
}

/* ---- Completions ------------------------------------------------------- */

static void note_error(struct dcard *dc, unsigned int function, int r)
{
	if (r > 0)
		snprintf(dc->last_error, sizeof(dc->last_error), "%s: %s",
			 ocxlpmem_function_name(function), ocxlpmem_card_status_message((unsigned int)r, function));
	else
		snprintf(dc->last_error, sizeof(dc->last_error), "%s: %s",
			 ocxlpmem_function_name(function), strerror(-r));
}

/*
 * Timeouts and a stuck call make a card unresponsive; any answer makes it
 * responsive again.  Returns true when the state changed.
 */
static bool track_responsiveness(struct dcard *dc, int r)
{
	bool was = dc->unresponsive;

	if (r == -ETIMEDOUT || (r == -EBUSY && ocxlpmem_executor_card_hung(dc->m->executor, dc->card))) {
		dc->consecutive_timeouts++;
		if (ocxlpmem_executor_card_hung(dc->m->executor, dc->card) ||
		    dc->consecutive_timeouts >= dc->m->config->unresponsive_after)
			dc->unresponsive = true;
	} else if (r >= 0) {
		dc->consecutive_timeouts = 0;
		dc->unresponsive = false;
	}
	return was != dc->unresponsive;
}

/* Split the reply; 0, a positive card status, or -errno. */
int card_reply_of(const struct ocxlpmem_request *req, struct ocxlpmem_reply *reply)
{
	int r;

	if (req->result < 0)
		return req->result;
	if (req->fw_size > req->out_cap)
		return -EMSGSIZE;
	r = ocxlpmem_reply_decode(req->out, req->fw_size, reply);
	if (r < 0)
		return r;
	return reply->card_status;
}

static void handle_events(struct dcard *dc, uint64_t events)
{
	uint64_t rising = events & ~dc->events;

	if (events & (OCXLPMEM_EVENT_HARDWARE_FATAL | OCXLPMEM_EVENT_FIRMWARE_FATAL)) {
		/* The driver takes the bus down after this: the card is gone now,
		 * not at the next poll. */
		dc->fatal_hardware |= !!(events & OCXLPMEM_EVENT_HARDWARE_FATAL);
		dc->fatal_firmware |= !!(events & OCXLPMEM_EVENT_FIRMWARE_FATAL);
		for (unsigned int k = 0; k < POLL_KINDS; k++)
			evtimer_del(dc->polls[k].timer);
	}
	/* Draining and collecting need to know which functions the card has;
	 * the bits are level-triggered, and identification asks again. */
	if (!dc->identified)
		return;
	dc->events = events;
	if (events & OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE)
		errlog_start_drain(dc);
	if (rising & OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE) {
		struct alert a;

		card_alert_fill(dc, &a, "controller-dump-available", LOG_WARNING, "active");
		snprintf(a.message, sizeof(a.message),
			 "the card holds a controller dump for collection");
		alert_send(&a);
	}
	if (events & OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE)
		dump_card_wants_collection(dc, "card-event");
}

/* The reading a polled function gives, or -1. */
static int reading_of(unsigned int function)
{
	switch (function) {
	case OCXLPMEM_FN_SMART:
		return READING_SMART;
	case OCXLPMEM_FN_CONTROLLER_HEALTH:
		return READING_CONTROLLER_HEALTH;
	case OCXLPMEM_FN_CONTROLLER_STATS:
		return READING_STATS;
	case OCXLPMEM_FN_FIRMWARE_INFO:
		return READING_FIRMWARE;
	default:
		return -1;
	}
}

/* Store a successful reply's data.  0 or the decode error. */
static int absorb(struct dcard *dc, unsigned int function, const struct ocxlpmem_reply *reply)
{
	uint64_t events;
	int r = 0;

	switch (function) {
	case OCXLPMEM_FN_SMART:
		r = ocxlpmem_smart_decode(reply->data, reply->data_len, &dc->smart);
		dc->have_smart |= r == 0;
		break;
	case OCXLPMEM_FN_CONTROLLER_HEALTH:
		r = ocxlpmem_health_decode(reply->data, reply->data_len, &dc->ctl);
		dc->have_ctl |= r == 0;
		break;
	case OCXLPMEM_FN_CONTROLLER_STATS:
		r = ocxlpmem_stats_decode(reply->data, reply->data_len, &dc->stats);
		dc->have_stats |= r == 0;
		break;
	case OCXLPMEM_FN_FIRMWARE_INFO:
		r = ocxlpmem_firmware_info_decode(reply->data, reply->data_len, &dc->fw);
		dc->have_fw |= r == 0;
		break;
	case OCXLPMEM_FN_CAPABILITIES:
		r = ocxlpmem_capabilities_decode(reply->data, reply->data_len, &dc->caps);
		dc->have_caps |= r == 0;
		break;
	case OCXLPMEM_FN_EVENT_CHECK:
		r = ocxlpmem_events_decode(reply->data, reply->data_len, &events);
		if (r == 0)
			handle_events(dc, events);
		break;
	default:
		break;
	}
	return r;
}

/*
 * The card advertised this function and its driver failed it with ENOTTY
 * all the same: it does not have it.  Asking again would only fail again
 * (ocxlpmem-abi(7): never retry ENOTTY), so it is dropped until the card is
 * attached anew, and said once.  Data read from it before would go stale.
 */
static void function_refused(struct dcard *dc, unsigned int function)
{
	/* ENOTTY on CAPABILITIES refuses the whole family: the transport
	 * takes the card away. */
	if (function == OCXLPMEM_FN_CAPABILITIES || !card_has_function(dc, function))
		return;
	dc->functions &= ~(1u << function);
	dc->refused |= 1u << function;
	log_warning("%s: the card advertises %s but its driver does not implement it (ENOTTY); "
		    "not sending it again until the card is attached anew",
		    dc->name, ocxlpmem_function_name(function));
	switch (function) {
	case OCXLPMEM_FN_SMART:
		dc->have_smart = false;
		break;
	case OCXLPMEM_FN_CONTROLLER_HEALTH:
		dc->have_ctl = false;
		break;
	case OCXLPMEM_FN_CONTROLLER_STATS:
		dc->have_stats = false;
		break;
	case OCXLPMEM_FN_FIRMWARE_INFO:
		dc->have_fw = false;
		break;
	default:
		break;
	}
	card_touch(dc);
}

static void card_identified(struct dcard *dc);

void card_request_done(struct dcard *dc, struct ocxlpmem_request *req)
{
	const struct req_ctx *ctx = req->userdata;
	enum req_tag tag = ctx->tag;
	struct ocxlpmem_reply reply;
	int r;

	/* A completion for a card object that has since gone (or been
	 * replaced after a re-probe) says nothing about the current one. */
	if (req->card != dc->card)
		return;
	/* Whatever it was, its answer may change what the card shows (a
	 * reading, a poll's counters, last_error) before any evaluation. */
	card_touch(dc);
	if (req->result == -ENOTTY)
		function_refused(dc, req->function);
	if (tag == TAG_DUMP || tag == TAG_FIRMWARE) {
		if (tag == TAG_DUMP)
			dump_request_done(dc, req);
		else
			fwupdate_request_done(dc, req);
		if (track_responsiveness(dc, req->result))
			card_evaluate(dc);
		return;
	}
	if (tag == TAG_ERRLOG) {
		errlog_request_done(dc, req);
		if (track_responsiveness(dc, req->result))
			card_evaluate(dc);
		return;
	}

	r = card_reply_of(req, &reply);
	if (r == 0)
		r = absorb(dc, req->function, &reply);
	if (reading_of(req->function) >= 0) {
		int k = reading_of(req->function);

		/* A value whose last read failed is history, not a reading:
		 * it is not shown as current (#16: no stale samples). */
		dc->reading_stale[k] = r != 0;
		if (r == 0)
			dc->reading_ok_us[k] = now_realtime_us();
	}
	if (tag == TAG_IDENTIFY) {
		if (r != 0) {
			note_error(dc, req->function, r);
			log_warning("%s: cannot read the card's capabilities (%s); assuming it has "
				    "every function", dc->name, dc->last_error);
		}
		track_responsiveness(dc, req->result);
		card_identified(dc);
		card_evaluate(dc);
		return;
	}
	/* Said once by function_refused(); the poll just has no answer. */
	if (r == -ENOTTY && !card_has_function(dc, req->function))
		r = 0;
	if (r != 0) {
		note_error(dc, req->function, r);
		/* Once a card is known gone or silent, every poll failing says
		 * nothing new: the alert has said it. */
		log_msg(r == -ENXIO || dc->unresponsive ? LOG_DEBUG : LOG_WARNING, "%s: %s",
			dc->name, dc->last_error);
	}
	track_responsiveness(dc, req->result);

	if ((unsigned int)tag < POLL_KINDS) {
		struct poller *p = &dc->polls[tag];

		if (r != 0 && !p->first_error)
			p->first_error = r;
		/* Judge the card once per poll, on its complete answer. */
		if (p->outstanding && --p->outstanding == 0) {
			card_poll_finished(dc, p);
			card_evaluate(dc);
		}
		return;
	}
	card_evaluate(dc);
}

/* ---- Events from the card ---------------------------------------------- */

static void card_event_fired(struct dcard *dc)
{
	uint64_t events = 0;
	int r;

	r = ocxlpmem_card_event_ack(dc->card, &events);
	if (r > 0) {
		/* The bits came with the notification: act now, a fatal card
		 * may be gone before a command could ask. */
		handle_events(dc, events);
		card_evaluate(dc);
		if (!dc->card)
			return;
	} else {
		if (r < 0)
			log_errno(LOG_WARNING, r, "%s: cannot re-arm the card's event source",
				  dc->name);
		/* Before identification the bits are asked for with the rest. */
		r = dc->identified && card_has_function(dc, OCXLPMEM_FN_EVENT_CHECK) ?
			    card_submit(dc, OCXLPMEM_FN_EVENT_CHECK, NULL, 0, POLL_OUT_CAP,
					TAG_EVENT) : 0;
		if (r < 0)
			log_errno(LOG_WARNING, r, "%s: cannot ask the card for its events", dc->name);
	}
	/* An event is news: look at the card now rather than at the next tick. */
	card_poll_now(dc, POLL_HEALTH);
}

static void on_card_event(evutil_socket_t fd, short what, void *userdata)
{
	card_event_fired(userdata);
}

void card_events_ready(struct ocxlpmem_card *c, void *userdata)
{
	struct manager *m = userdata;

	for (size_t i = 0; i < m->ncards; i++) {
		if (m->cards[i]->card == c) {
			card_event_fired(m->cards[i]);
			return;
		}
	}
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
	for (unsigned int t = 0; t < TAG_COUNT; t++) {
		dc->ctx[t].dc = dc;
		dc->ctx[t].tag = t;
	}
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
			alert_send(&a);
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

	dump_card_attached(dc);
	errlog_resume_pending(dc);
	/* What the card has decides what is asked: CAPABILITIES first, the
	 * rest when it is back (card_identified). */
	r = card_submit(dc, OCXLPMEM_FN_CAPABILITIES, NULL, 0, POLL_OUT_CAP, TAG_IDENTIFY);
	if (r < 0) {
		log_errno(LOG_WARNING, r, "%s: cannot ask for capabilities", dc->name);
		card_identified(dc);
	}
	card_evaluate(dc);
	varlink_manager_card_event(dc, "card-added", dc->report->state);
}

/* CAPABILITIES came back, answered or not: start monitoring the card. */
static void card_identified(struct dcard *dc)
{
	char missing[256];
	int r;

	if (dc->identified || !dc->card)
		return;
	dc->identified = true;
	if (dc->have_caps)
		dc->functions = dc->caps.functions & OCXLPMEM_FN_ALL_MASK & ~dc->refused;
	card_missing_functions(dc, OCXLPMEM_FN_ALL_MASK, missing, sizeof(missing));
	log_info("%s: commands through %s", dc->name, ocxlpmem_card_transport(dc->card));
	if (missing[0])
		log_info("%s: the card does not support %s: not used", dc->name, missing);
	card_touch(dc);
	/* Events are level-triggered: what the card holds from before (a dump
	 * a crash left uncollected, unread error-log entries) shows now. */
	if (card_has_function(dc, OCXLPMEM_FN_EVENT_CHECK)) {
		r = card_submit(dc, OCXLPMEM_FN_EVENT_CHECK, NULL, 0, POLL_OUT_CAP, TAG_EVENT);
		if (r < 0)
			log_errno(LOG_WARNING, r, "%s: cannot ask the card for its events",
				  dc->name);
	}
	for (unsigned int k = 0; k < POLL_KINDS; k++)
		card_poll_now(dc, k);
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
	dump_card_gone(dc);
	fwupdate_card_gone(dc);
	dc->card = ocxlpmem_card_unref(dc->card);
	/* backend_id stays: it names the slot a reset brings back (sim). */
	dc->removed_us = now_realtime_us();
	dc->draining = false;
	card_evaluate(dc);
	varlink_manager_card_event(dc, "card-removed", dc->report->state);
}

struct dcard *card_free(struct dcard *dc)
{
	if (!dc)
		return NULL;
	if (dc->ev_card)
		event_free(dc->ev_card);
	for (unsigned int k = 0; k < POLL_KINDS; k++)
		if (dc->polls[k].timer)
			event_free(dc->polls[k].timer);
	dump_card_free(dc);
	fwupdate_card_free(dc);
	card_replies_free(dc);
	metrics_card_free(dc);
	free(dc->report);
	ocxlpmem_card_unref(dc->card);
	card_record_close(dc);
	free(dc);
	return NULL;
}

/* ---- Health ------------------------------------------------------------- */

/*
 * An entry stamped later than now (the clock was stepped back since it
 * arrived) counts as just arrived: it must not fall out of the window, and
 * clear the condition it raised, because of the step.
 */
static void count_recent_errlog(struct dcard *dc, struct health_input *in)
{
	uint64_t window_us = (uint64_t)dc->thresholds.error_log_window_s * 1000000u;
	uint64_t now = now_realtime_us();

	for (size_t i = 0; i < dc->state->nhistory; i++) {
		const struct errlog_record *e = &dc->state->history[i];

		if (e->type > OCXLPMEM_ERRLOG_TYPE_MAX || clock_age_us(now, e->received_us) > window_us)
			continue;
		in->recent_errlog[e->type]++;
		in->recent_actions |= e->action_flags;
	}
}

void card_touch(struct dcard *dc)
{
	dc->gen++;
	dc->m->state_gen++;
}

void card_evaluate(struct dcard *dc)
{
	bool unreadable = dc->polls[POLL_HEALTH].failures >= dc->m->config->unresponsive_after;
	struct health_input in = {
		.present = dc->card != NULL,
		.fatal_hardware = dc->fatal_hardware,
		.fatal_firmware = dc->fatal_firmware,
		.unresponsive = dc->unresponsive,
		.unreadable = unreadable ? dc->last_error : NULL,
		.smart = dc->have_smart && !unreadable ? &dc->smart : NULL,
		.ctl = dc->have_ctl && !unreadable ? &dc->ctl : NULL,
		.stats = dc->have_stats ? &dc->stats : NULL,
		.thresholds = &dc->thresholds,
	};
	enum card_health before = dc->report->state;
	struct health_report report, *kept;

	card_touch(dc);
	count_recent_errlog(dc, &in);
	health_evaluate(&in, &report);
	if (!card_record_loaded(dc))
		card_record_unloaded_report(dc, &report);
	kept = health_report_dup(&report);
	if (!kept) {
		/* The last verdict stands; the next evaluation tries again. */
		log_error("%s: out of memory judging the card's health", dc->name);
		return;
	}
	free(dc->report);
	dc->report = kept;
	if (dc->report->state != before) {
		log_info("%s: health %s -> %s", dc->name, card_health_name(before),
			 card_health_name(dc->report->state));
		varlink_manager_card_event(dc, "health-changed", before);
	}
	/* Without its record the card's latched alerts are not known:
	 * raising or clearing them now would repeat or lose one. */
	if (card_record_loaded(dc))
		card_alerts_update(dc, now_realtime_us());
	card_save_state(dc);
	manager_update_status(dc->m);
}
