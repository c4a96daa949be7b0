/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Controller dumps: collecting them from cards as jobs, and the store of
 * saved dumps under <state-dir>/dumps with its retention limits.
 *
 * A collection is DUMP_START, then DUMP_DATA chunks through the executor
 * (two in flight, so the card works while the disk writes), written by a
 * dump writer thread (dump-file.h), and DUMP_COMPLETE only once the file
 * is durable under its name.  The card keeps its dump until then, so a
 * failure at any point (card hung or removed, corrupt chunk, disk full,
 * daemon killed) loses nothing: the next attempt collects it again, and a
 * dump found already saved (a crash between rename and DUMP_COMPLETE: the
 * same id and size, and the same SHA-256 once read again) is completed
 * without a second copy.  Id and size alone are not enough: a card that
 * loses its volatile state reuses dump ids.
 */
#ifndef OCXLPMEMD_DUMP_H
#define OCXLPMEMD_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs/dump-file.h"
#include "jobs/job-progress.h"

struct manager;
struct dcard;

struct saved_dump {
	struct dump_meta meta;
	char file[DUMP_FILE_NAME_MAX];  /* base name, in dumps/<serial>/ */
};

/* Every saved dump of every card, known or not, oldest first. */
struct dump_store {
	struct saved_dump *v;
	size_t n, cap;
	uint64_t gen;                 /* moves at every change: metrics caches */
};

/* Scan <state-dir>/dumps at start: index saved dumps, remove temporaries a
 * crash left behind.  0 or -errno (only for a state directory we cannot
 * read at all; unreadable files are logged and skipped). */
int dump_store_load(struct manager *m);
void dump_store_free(struct manager *m);

/* What a collection sends: a card without one of them has no dumps. */
#define DUMP_FUNCTIONS                                                      \
	(1u << OCXLPMEM_FN_DUMP_START | 1u << OCXLPMEM_FN_DUMP_DATA |        \
	 1u << OCXLPMEM_FN_DUMP_COMPLETE)

/*
 * A user asks for a dump (host-initiated when the card holds none).
 * 0 (started), -EBUSY (a collection runs already),
 * -ENXIO (the card is absent), -EOPNOTSUPP (the card lacks one of
 * DUMP_FUNCTIONS).
 */
int dump_start_user(struct dcard *dc);
/* Remove a saved dump by file name; serial 0: any card.  0, -ENOENT, -EINVAL, -errno. */
int dump_delete(struct manager *m, uint64_t serial, const char *file);

/* Is a collection running on this card? */
bool dump_job_running(const struct dcard *dc);
/* Has this daemon collected, or tried to, on this card? */
bool dump_card_has_history(const struct dcard *dc);
/* Collections of this card saved and failed since the daemon started. */
void dump_card_counts(const struct dcard *dc, uint64_t *ret_saved, uint64_t *ret_failed);

/* What a card's collections show (ListDumps, WatchDump), for the Varlink
 * layer to serialise; pointers valid until the card's job moves on. */
struct dump_card_report {
	/* The running collection's; phase NULL when none runs. */
	const char *phase;       /* "starting", "reading", "saving", "completing" */
	const char *trigger;
	uint32_t dump_id;        /* 0 until DUMP_START answers */
	uint64_t requested_usec;
	const struct job_progress *progress; /* NULL while starting */
	const char *file;        /* "" until named */
	/* The last result; NULL when none yet. */
	const char *last_result;
	bool last_ok;
	uint64_t last_result_usec;
	uint64_t retry_at_usec;  /* 0: no retry pending */
	uint64_t saved, failed;  /* since the daemon started */
};

void dump_card_report(const struct dcard *dc, struct dump_card_report *ret);

#endif /* OCXLPMEMD_DUMP_H */
