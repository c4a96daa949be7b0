/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The card's state, private to the core: included by daemon/core/ and
 * daemon/jobs/ only.  Serialisers (varlink/, metrics/) read a struct
 * card_report (core/card-report.h) instead; tests/test-include-graph.sh
 * checks that nothing else includes this.
 */
#ifndef OCXLPMEMD_CARD_PRIVATE_H
#define OCXLPMEMD_CARD_PRIVATE_H

#include "core/card-report.h"
#include "core/manager.h"

/* A job's state of a card, under its ops (card_job_register()). */
struct card_job {
	const struct card_job_ops *ops;
	void *data;
};

struct poller {
	struct dcard *card;
	enum poll_kind kind;
	struct card_completion done; /* card.c: the poll's requests */
	struct event *timer;        /* one-shot, re-armed after each poll ends */
	unsigned int outstanding;   /* requests of this poll not yet back */
	int first_error;            /* of the poll in progress */
	unsigned int failures;      /* consecutive failed polls: the back-off */
	uint64_t started_ms;
	uint64_t last_ok_us;        /* CLOCK_REALTIME of the last success */
	uint64_t last_duration_ms;
	uint64_t total, failed;     /* counters, for metrics */
	bool due;                   /* a poll was asked for while one ran */
};

/*
 * A card as the daemon knows it, by serial.  It outlives the transport's
 * card object: when the card goes away it stays, offline, with its history
 * and alert state, and a card with the same serial that comes back gets it.
 */
struct dcard {
	struct manager *m;
	uint64_t serial;
	char name[32];              /* stable: ocxlpmemN */
	char backend_id[32];        /* "nmem3", "sim0"; "" while absent */
	struct ocxlpmem_card *card; /* NULL while absent */
	struct event *ev_card;      /* the card's event fd */

	bool have_caps, have_smart, have_ctl, have_stats, have_fw;
	/*
	 * The functions the daemon sends this card (bit n: function n):
	 * CAPABILITIES.functions once read, all of them when it could not be
	 * read, less those that failed with ENOTTY all the same (refused).
	 * Nothing is polled before CAPABILITIES comes back (identified).
	 */
	uint32_t functions;
	uint32_t refused;
	bool identified;
	uint64_t commands[OCXLPMEM_FN_MAX + 1]; /* sent, by function (metrics) */
	struct ocxlpmem_capabilities caps;
	struct ocxlpmem_smart smart;
	struct ocxlpmem_health ctl;
	struct ocxlpmem_stats stats;
	struct ocxlpmem_firmware_info fw;
	uint64_t events;            /* last EVENT_CHECK */
	uint64_t reading_ok_us[READING_KINDS]; /* CLOCK_REALTIME of the last good read; 0 never */
	bool reading_stale[READING_KINDS];     /* the last read of it failed */

	bool fatal_hardware, fatal_firmware;
	bool unresponsive;
	unsigned int consecutive_timeouts;
	char last_error[128];       /* of the last failed command, for users */

	struct poller polls[POLL_KINDS];
	struct intervals intervals;
	struct thresholds thresholds;

	bool draining;              /* an error-log read/ack chain is running */
	bool drain_again;           /* an event arrived during the drain */

	/* The core's own requests: CAPABILITIES, EVENT_CHECK and those sent
	 * with no completion of their own, the error-log drain. */
	struct card_completion done_identify, done_event, done_errlog;
	/* The jobs' state of this card (card_job_register()), by rank. */
	struct card_job jobs[CARD_JOBS_MAX];

	/* The last verdict, allocated to its number of reasons (most cards
	 * have none; the full struct is 3 KiB): health_report_dup(). */
	struct health_report *report;
	struct card_state *state;
	bool state_dirty;
	/* card-record.c: -errno while the record exists but cannot be read
	 * (state is then a blank stand-in, never saved); 0 once loaded. */
	int state_load_error;
	unsigned int state_load_attempts;
	struct event *state_retry_timer;
	uint64_t added_us, removed_us;

	/* Moves whenever anything shown of this card may have changed
	 * (card_touch()): its serialised replies are valid while it stands
	 * still (card_gen()). */
	uint64_t gen;
	struct card_caches caches;  /* the serialisers' (card_caches()) */
};

/* Largest reply of a polled function: SMART with every attribute. */
#define POLL_OUT_CAP 512

/* ---- card.c ---- */
/* A request of this card for the executor; its completion comes back to
 * card_request_done(), which hands it to done. */
void card_request_init(struct dcard *dc, struct ocxlpmem_request *req, unsigned int function,
		       const void *in, size_t in_len, size_t out_cap,
		       const struct card_completion *done);
/* The core's own completions: CAPABILITIES (dc->done_identify); a
 * reading, of a poll (userdata: its poller) or not (dc->done_event). */
void card_identify_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata);
void card_reading_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata);
/* CAPABILITIES came back, answered or not: start monitoring the card. */
void card_identified(struct dcard *dc);
/* The card's event source fired: take its events in. */
void card_event_fired(struct dcard *dc);

/* ---- card-poll.c ---- */
/* Set up the card's pollers (timers not armed).  0 or -ENOMEM. */
int card_polls_init(struct dcard *dc);
/* The last request of the poll came back: count it, schedule the next. */
void card_poll_finished(struct dcard *dc, struct poller *p);

/* Whether the card's record is loaded (card-record.c). */
static inline bool card_record_loaded(const struct dcard *dc)
{
	return dc->state_load_error == 0;
}

#endif /* OCXLPMEMD_CARD_PRIVATE_H */
