// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cards in the daemon: turning command completions into card state, and
 * the jobs' registry on a card.  A card object's life (attach, detach,
 * free) is card-attach.c; the poll scheduler, card-poll.c; what is shown
 * of a card, card-report.c.
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
		       const void *in, size_t in_len, size_t out_cap,
		       const struct card_completion *done)
{
	*req = (struct ocxlpmem_request){
		.card = dc->card,
		.function = function,
		.in = in,
		.in_len = in_len,
		.out_cap = out_cap,
		.timeout_ms = ocxlpmem_function_timeout_ms(function,
							   dc->have_caps ? &dc->caps : NULL),
		/* The executor hands it back as it is: never written. */
		.userdata = (void *)done,
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
		size_t out_cap, const struct card_completion *done)
{
	struct ocxlpmem_request req;
	int r;

	if (!dc->card)
		return -ENXIO;
	/* ocxlpmem-abi(7): a consumer calls no function whose bit is clear. */
	if (!card_has_function(dc, function))
		return -EOPNOTSUPP;
	card_request_init(dc, &req, function, in, in_len, out_cap, done ? done : &dc->done_event);
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
		card_alert_send(dc, &a);
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

void card_request_done(struct ocxlpmem_request *req)
{
	const struct card_completion *done = req->userdata;
	struct dcard *dc = done->dc;

	/* A completion for a card object that has since gone (or been
	 * replaced after a re-probe) says nothing about the current one. */
	if (req->card != dc->card)
		return;
	/* Whatever it was, its answer may change what the card shows (a
	 * reading, a poll's counters, last_error) before any evaluation. */
	card_touch(dc);
	if (req->result == -ENOTTY)
		function_refused(dc, req->function);
	done->done(dc, req, done->userdata);
}

void card_request_answered(struct dcard *dc, int result)
{
	if (track_responsiveness(dc, result))
		card_evaluate(dc);
}

/* Take in a reply of the core's own: 0, or what failed. */
static int take_reply(struct dcard *dc, const struct ocxlpmem_request *req)
{
	struct ocxlpmem_reply reply;
	int k = reading_of(req->function);
	int r;

	r = card_reply_of(req, &reply);
	if (r == 0)
		r = absorb(dc, req->function, &reply);
	if (k >= 0) {
		/* A value whose last read failed is history, not a reading:
		 * it is not shown as current (#16: no stale samples). */
		dc->reading_stale[k] = r != 0;
		if (r == 0)
			dc->reading_ok_us[k] = now_realtime_us();
	}
	return r;
}

void card_identify_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata)
{
	int r = take_reply(dc, req);

	if (r != 0) {
		note_error(dc, req->function, r);
		log_warning("%s: cannot read the card's capabilities (%s); assuming it has "
			    "every function", dc->name, dc->last_error);
	}
	track_responsiveness(dc, req->result);
	card_identified(dc);
	card_evaluate(dc);
}

void card_reading_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata)
{
	struct poller *p = userdata;
	int r = take_reply(dc, req);

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

	if (p) {
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

/* ---- Jobs ------------------------------------------------------------------ */

int card_job_register(struct dcard *dc, const struct card_job_ops *ops, void *data)
{
	unsigned int i, n;

	for (n = 0; n < CARD_JOBS_MAX && dc->jobs[n].ops; n++)
		if (dc->jobs[n].ops == ops)
			return -EEXIST;
	if (n == CARD_JOBS_MAX)
		return -ENOSPC;
	/* By rank: whoever registered first, a card's jobs hear of it in one
	 * order. */
	for (i = n; i > 0 && dc->jobs[i - 1].ops->rank > ops->rank; i--)
		dc->jobs[i] = dc->jobs[i - 1];
	dc->jobs[i] = (struct card_job){ .ops = ops, .data = data };
	return 0;
}

void *card_job_data(const struct dcard *dc, const struct card_job_ops *ops)
{
	for (unsigned int i = 0; i < CARD_JOBS_MAX && dc->jobs[i].ops; i++)
		if (dc->jobs[i].ops == ops)
			return dc->jobs[i].data;
	return NULL;
}

/* ---- Events from the card ---------------------------------------------- */

void card_event_fired(struct dcard *dc)
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
					NULL) : 0;
		if (r < 0)
			log_errno(LOG_WARNING, r, "%s: cannot ask the card for its events", dc->name);
	}
	/* An event is news: look at the card now rather than at the next tick. */
	card_poll_now(dc, POLL_HEALTH);
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

/* CAPABILITIES came back, answered or not: start monitoring the card. */
void card_identified(struct dcard *dc)
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
		r = card_submit(dc, OCXLPMEM_FN_EVENT_CHECK, NULL, 0, POLL_OUT_CAP, NULL);
		if (r < 0)
			log_errno(LOG_WARNING, r, "%s: cannot ask the card for its events",
				  dc->name);
	}
	for (unsigned int k = 0; k < POLL_KINDS; k++)
		card_poll_now(dc, k);
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
	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = OBSERVE_CARD_CHANGED, .dc = dc,
	});
}

int card_request_health(struct dcard *dc)
{
	if (!dc->card)
		return -ENXIO;
	/* The answer comes as an error-log entry: the drain alerts it. */
	return card_submit(dc, OCXLPMEM_FN_REQUEST_HEALTH, NULL, 0, 8, NULL);
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
		observe_emit(&dc->m->observers, &(struct observe_event){
			.kind = OBSERVE_CARD_HEALTH, .dc = dc, .previous = before,
		});
	}
	/* Without its record the card's latched alerts are not known:
	 * raising or clearing them now would repeat or lose one. */
	if (card_record_loaded(dc))
		card_alerts_update(dc, now_realtime_us());
	card_save_state(dc);
	manager_update_status(dc->m);
}
