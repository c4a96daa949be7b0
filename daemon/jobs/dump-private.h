/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the dump job share, and nobody else: dump.c (a card's
 * dump state, its retries, its arrival and departure), dump-collect.c (one
 * collection's state machine) and dump-store.c (the index of saved dumps
 * and its retention).  dump.h is the job's interface.
 */
#ifndef OCXLPMEMD_DUMP_PRIVATE_H
#define OCXLPMEMD_DUMP_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/card-private.h"
#include "jobs/dump.h"

enum job_phase {
	JOB_STARTING,    /* DUMP_START asked */
	JOB_READING,     /* DUMP_DATA chunks */
	JOB_SAVING,      /* the writer makes the file durable */
	JOB_COMPLETING,  /* DUMP_COMPLETE asked */
};

struct dump_job {
	struct dcard *dc;
	enum job_phase phase;
	char trigger[16];
	uint64_t requested_usec, started_usec;
	struct ocxlpmem_dump_info info;
	uint32_t chunk_max;
	uint64_t next_offset;      /* next byte to ask for */
	uint64_t received;         /* bytes accepted, in order */
	unsigned int inflight;
	unsigned int bad_chunks;   /* consecutive chunks that failed their checks */
	unsigned int skip;         /* completions of an earlier job still to come */
	char file[DUMP_FILE_NAME_MAX];
	struct dump_writer *writer;
	struct event *ev_writer;
	struct job_progress progress;
	uint64_t last_notify_ms;    /* CLOCK_MONOTONIC: a rate limit, not a date */
};

/* What a card's collections did, kept between jobs: the card's state
 * under the dump job's ops (card_job_register()). */
struct dump_card {
	struct dump_job *job;         /* the collection running, or NULL */
	struct card_completion done;  /* its DUMP_* requests' */
	struct event *retry_timer;
	unsigned int failures;        /* consecutive failed collections: the back-off */
	uint64_t retry_at_usec;       /* CLOCK_REALTIME; 0: no retry pending */
	bool backoff;                 /* automatic triggers wait for the retry timer */
	char last_result[200];        /* for users: "saved FILE", "failed: why" */
	bool last_ok;
	uint64_t last_result_usec;
	uint64_t saved, failed;       /* counters, for metrics */
	unsigned int outstanding;     /* DUMP_* requests not yet back */
};

/* ---- dump.c ---------------------------------------------------------------- */
/* The card's dump state, or NULL while it has none. */
struct dump_card *dump_card_of(const struct dcard *dc);
/* The same, made (and registered with the card) at the first need; NULL
 * when out of memory. */
struct dump_card *dump_card_get(struct dcard *dc);

/* The card's running collection, or NULL. */
struct dump_job *dump_job_of(const struct dcard *dc);

/* The card's last result, for users. */
void dump_set_result(struct dcard *dc, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Try again after the back-off (automatic triggers wait until then). */
void dump_schedule_retry(struct dcard *dc);

/* ---- dump-collect.c -------------------------------------------------------- */
/* Start collecting: 0, or as dump_start_user(). */
int dump_job_start(struct dcard *dc, const char *trigger);
/* The job is over, whatever its result: free it, tell observers. */
void dump_job_end(struct dcard *dc);
/* Give up on this attempt (alert, retry later): nothing partial stays. */
void dump_job_fail(struct dcard *dc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NULL is fine. */
void dump_job_free(struct dump_job *j);
/* A DUMP_* request came back (dump_card.done). */
void dump_request_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata);

/* ---- dump-store.c ---------------------------------------------------------- */
int dump_store_add(struct dump_store *s, const struct dump_meta *meta, const char *file);
/*
 * The saved dumps a card's dump may be, by what DUMP_START says of it: the
 * same id and size.  Not proof: a card that lost its volatile state hands
 * out old dump ids again.  The digests of the newest max go to ret;
 * returns how many matched.
 */
size_t dump_store_candidates(const struct dump_store *s, uint64_t serial, uint32_t dump_id,
			     uint64_t size, char (*ret)[65], size_t max);
const struct saved_dump *dump_store_find_sha(const struct dump_store *s, uint64_t serial,
					     const char *sha256);
const struct saved_dump *dump_store_find_file(const struct dump_store *s, uint64_t serial,
					      const char *file);
/* Remove saved dumps past the retention limits, oldest first, never a
 * card's newest. */
void dump_store_retention(struct manager *m);

#endif /* OCXLPMEMD_DUMP_PRIVATE_H */
