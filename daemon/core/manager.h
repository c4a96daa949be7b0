/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The manager owns everything the daemon runs: the event loop and every
 * event source on it, the transport (simulation or kernel), the executor
 * that keeps card commands off the loop, the configuration, the state
 * directory and the cards.  The core computes state into plain structures
 * here; the IPC and metrics layers only read them.
 */
#ifndef OCXLPMEMD_MANAGER_H
#define OCXLPMEMD_MANAGER_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <ocxlpmem/ocxlpmem.h>

#include "util/clock.h"
#include "config/cmdline.h"
#include "config/config.h"
#include "util/fd-budget.h"
#include "core/alert.h"
#include "core/card-report.h"
#include "core/health.h"
#include "core/observe.h"
#include "state/state.h"
#include "shared/util/json-blob.h"

/* A card as the daemon knows it: private to the core (core/card-private.h);
 * everything else reads a struct card_report (core/card-report.h). */
struct dcard;

/*
 * How a card's request ends: the function that takes its answer on the
 * loop (after the card's own bookkeeping, card_request_done()), with its
 * context.  The request's userdata points here.  It lives as long as the
 * card, in the card or in a job's state of the card, so nothing is
 * allocated per request and nothing leaks when the executor drops
 * requests at shutdown.
 */
typedef void (*card_done_fn)(struct dcard *dc, struct ocxlpmem_request *req, void *userdata);
struct card_completion {
	struct dcard *dc;
	card_done_fn done;
	void *userdata;
};

/*
 * A job that runs on cards (a dump collection, a firmware update) keeps
 * its state of a card under its ops (card_job_register()); the card calls
 * them, naming no job.
 */
struct card_job_ops {
	const char *name;
	/* Jobs are told of a card's changes in rank order (the dump
	 * collection before the firmware update: the order of their alerts
	 * when a card goes). */
	unsigned int rank;
	/* A card object, new or back, is attached. */
	void (*attached)(struct dcard *dc, void *data);
	/* The card went away: end what runs. */
	void (*gone)(struct dcard *dc, void *data);
	/* The card is freed: free data. */
	void (*free)(struct dcard *dc, void *data);
};

#define CARD_JOBS_MAX 4

struct manager {
	struct event_base *base;
	struct options *opts;
	struct config *config;
	struct ocxlpmem_transport *transport;
	struct ocxlpmem_executor *executor;
	struct event *ev_executor, *ev_hotplug;
	/* The transport's one event source for every card, when it has one
	 * (the simulation); otherwise each card has its own dcard.ev_card. */
	struct event *ev_card_events;
	struct event *ev_sigterm, *ev_sigint, *ev_sighup, *ev_sigusr1;
	struct event *ev_watchdog;
	struct event *ev_status;    /* deferred STATUS= update */
	/* Deferred save of the names registry: a scan that finds 4096 new
	 * cards writes it once, not 4096 times. */
	struct event *ev_names_save;
	bool names_dirty;
	/* card-known.c: cards that went while the daemon was stopped are
	 * judged (and alerted) before READY, but their records are written
	 * after it, a few per loop iteration: 4096 fsyncs in a row would
	 * hold READY (and then the loop) for most of a minute. */
	bool saves_deferred;
	struct event *ev_deferred_saves;
	size_t deferred_save_next;
	/* The metrics endpoint's, set by metrics/ (metrics-service.c): the
	 * core only carries it. */
	struct metrics *metrics;
	/* Who hears what happens (observe.h): the Varlink layer, metrics. */
	struct observers observers;
	struct fd_budget fds;       /* client caps from RLIMIT_NOFILE */
	/* Moves whenever anything a reader shows may have changed: the
	 * metrics cache is valid while it stands still. */
	uint64_t state_gen;
	/* ListCards' parameters, valid while state_gen and ncards stand still
	 * (card-replies.c); verify_replies: re-render every cache hit and
	 * abort on a difference (OCXLPMEMD_VERIFY_REPLY_CACHE=1, for tests). */
	struct json_blob *cards_blob;
	uint64_t cards_blob_gen;
	size_t cards_blob_n;
	bool verify_replies;
	uint64_t replies_verified;
	uint64_t watchdog_usec;
	int state_dirfd;
	int state_lock_fd;          /* dir-lock.h: held for the daemon's life */
	int runtime_lock_fd;        /* -1 also when runtime_dir is state_dir */
	char *state_dir;
	char *runtime_dir;
	struct name_registry *names;
	struct dump_store *dumps;   /* dump.c: every saved dump */
	struct dcard **cards;       /* ordered by name */
	size_t ncards, cards_cap;
	char last_status[160];
	int exit_code;
	bool stopping;
	uint64_t jitter_state;      /* xorshift state for poll jitter */
	/* Test-only: freeze the loop to exercise the watchdog (--test-freeze). */
	bool test_freeze_armed;
};

/* Takes over config, also on failure.  -EBUSY: another ocxlpmemd uses the
 * state or the runtime directory (logged; exit with EX_TEMPFAIL). */
int manager_new(struct options *opts, struct config *config, struct manager **ret);
struct manager *manager_free(struct manager *m);
/* Discover cards, start polling, notify READY=1 and run until stopped. */
int manager_run(struct manager *m);

/* The card with this name or serial (decimal), or NULL. */
/* A new name was assigned: save the registry after this loop iteration. */
void manager_names_changed(struct manager *m);
struct dcard *manager_find_card(struct manager *m, const char *name_or_serial);

/* Take every finished card command off the executor now (a card object
 * is about to be freed: no completion may point at it afterwards). */
void manager_reap_completions(struct manager *m);

/* Tell systemd what we are doing ("monitoring 3 cards, 1 critical"). */
void manager_update_status(struct manager *m);

/* ---- card.c ----------------------------------------------------------- */
/* A card object for serial, called name, absent, with its record loaded,
 * added to the list in name order.  0 or -ENOMEM. */
int dcard_new_named(struct manager *m, uint64_t serial, const char *name, struct dcard **ret);
void card_attach(struct manager *m, struct ocxlpmem_card *c);
void card_detach(struct manager *m, struct ocxlpmem_card *c);
/* The transport's event source says card c (of manager userdata) may have
 * events pending: an ocxlpmem_card_event_fn. */
void card_events_ready(struct ocxlpmem_card *c, void *userdata);
struct dcard *card_free(struct dcard *dc);
/* Re-arm poll timers after the intervals changed (reload). */
void card_reschedule(struct dcard *dc);
/* Poll now (an event, SIGUSR1, a user request). */
void card_poll_now(struct dcard *dc, enum poll_kind kind);
/* Split a finished request's reply: 0, a positive card status, or -errno
 * (the request's own error, -EMSGSIZE when the driver truncated it). */
int card_reply_of(const struct ocxlpmem_request *req, struct ocxlpmem_reply *reply);
/* A request of a card finished (executor completion on the loop): a
 * stale one is dropped, the rest go to their completion. */
void card_request_done(struct ocxlpmem_request *req);
/* A job's or the drain's request had this result: a timeout or a hung
 * card makes the card unresponsive, an answer responsive again. */
void card_request_answered(struct dcard *dc, int result);
/* Keep data under ops for this card: its ops are called at attach,
 * detach and free.  0, -EEXIST, -ENOSPC (more than CARD_JOBS_MAX jobs). */
int card_job_register(struct dcard *dc, const struct card_job_ops *ops, void *data);
/* What the card keeps under ops, or NULL. */
void *card_job_data(const struct dcard *dc, const struct card_job_ops *ops);
/* Re-derive health from what we know and raise/clear alerts. */
void card_evaluate(struct dcard *dc);
/* Something shown of the card may have changed: its cached replies and
 * the metrics are stale. */
void card_touch(struct dcard *dc);
/* Whether the daemon may send the card this function, or all of these
 * (a mask of 1u << function bits). */
bool card_has_function(const struct dcard *dc, unsigned int function);
bool card_has_functions(const struct dcard *dc, uint32_t mask);
/* The functions of mask the card lacks, as "dump-start, dump-data". */
void card_missing_functions(const struct dcard *dc, uint32_t mask, char *buf, size_t len);
/* Submit a command for this card, its answer to done; NULL: the card's
 * own (its data is taken in, the card judged again).  0 or -errno:
 * -EOPNOTSUPP for a function the card does not have (card_has_function). */
int card_submit(struct dcard *dc, unsigned int function, const void *in, size_t in_len,
		size_t out_cap, const struct card_completion *done);
/* Ask the card for a health error-log entry (RequestHealth).  0, -ENXIO
 * (absent), -EOPNOTSUPP, or card_submit()'s -errno. */
int card_request_health(struct dcard *dc);

/* ---- card-known.c ----------------------------------------------------- */
/* At start, before the scan: an offline card object for every registered
 * card with a state record, as if it had been seen and removed.  The scan
 * attaches the ones present to them. */
int cards_restore_known(struct manager *m);
/* After the scan: judge those still absent (offline). */
void cards_judge_absent(struct manager *m);
/*
 * ocxlpmemctl forget: drop an absent card (its object, state record, name
 * and metric series); uid for the log.  0; -EBUSY when it is present;
 * -EAGAIN while a dump of it is still being saved; -errno when its record
 * could not be removed (then nothing changed).  A name that is only in the
 * registry (a forget a crash interrupted) is dropped by
 * card_forget_registered().
 */
int card_forget(struct dcard *dc, unsigned int uid);
/* The registered card name_or_serial without a card object: drop its
 * name.  0, or -ENOENT when the registry has no such card. */
int card_forget_registered(struct manager *m, const char *name_or_serial, unsigned int uid,
			   char *ret_name, size_t name_len);

/* ---- card-record.c ---------------------------------------------------- */
/* Load the card's record (dc->state), or hold it unloaded and retry when
 * the file exists but cannot be read.  0, or -ENOMEM. */
int card_record_open(struct dcard *dc);
/* Stop retrying and free the record. */
void card_record_close(struct dcard *dc);
/* The health of a card without its record: unknown, state-unreadable. */
void card_record_unloaded_report(const struct dcard *dc, struct health_report *rep);
/* Write the card's state file if it changed (never while unloaded). */
void card_save_state(struct dcard *dc);

/* ---- errlog.c --------------------------------------------------------- */
void errlog_start_drain(struct dcard *dc);
/* A READ or ACK of the drain came back (dc->done_errlog). */
void errlog_request_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata);
/* At attach: alert stored entries whose alert was never confirmed. */
void errlog_resume_pending(struct dcard *dc);

/* ---- card-alerts.c ---------------------------------------------------- */
/* Raise, escalate, remind and clear condition alerts from dc->report. */
void card_alerts_update(struct dcard *dc, uint64_t now_us);
void card_alert_fill(struct dcard *dc, struct alert *a, const char *class_key, int priority,
		     const char *event);
/* Send the card's alert to the log target (alert_send()), then to the
 * manager's observers (OBSERVE_ALERT).  0 or alert_send()'s -errno. */
int card_alert_send(struct dcard *dc, const struct alert *a);

/* ---- dump.c ---------------------------------------------------------- */
/* The card said it holds a dump (rising event) or an error-log entry asked
 * for one: collect it unless a collection runs.  trigger: "card-event",
 * "error-log", "user", "restart". */
void dump_card_wants_collection(struct dcard *dc, const char *trigger);

#endif /* OCXLPMEMD_MANAGER_H */
