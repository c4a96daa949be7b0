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

/* Embedded in the card, so nothing is allocated per request and nothing
 * leaks when the executor drops requests at shutdown. */
struct req_ctx {
	struct dcard *dc;
	enum req_tag tag;
};

struct poller {
	struct dcard *card;
	enum poll_kind kind;
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

	struct req_ctx ctx[TAG_COUNT];

	struct dump_job *dump;      /* dump.c: collection in progress, or NULL */
	struct dump_card *dumps;    /* dump.c: retry state, saved-dump index */
	struct fw_job *fw_job;      /* firmware-update.c: update in progress, or NULL */
	struct fw_card *fw_state;   /* firmware-update.c: last result, upload */

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
 * card_request_done() with the tag. */
void card_request_init(struct dcard *dc, struct ocxlpmem_request *req, unsigned int function,
		       const void *in, size_t in_len, size_t out_cap, enum req_tag tag);

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
