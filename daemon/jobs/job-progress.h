/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Progress of a long job (a dump collection, a firmware update): bytes
 * done of a total, the rate and the expected end, the same way for every
 * job so that clients show one kind of progress bar.
 */
#ifndef OCXLPMEMD_JOB_PROGRESS_H
#define OCXLPMEMD_JOB_PROGRESS_H

#include <stdint.h>

struct job_progress {
	uint64_t done, total;       /* bytes */
	uint64_t started_us;        /* CLOCK_REALTIME */
	uint64_t started_mono_us;   /* CLOCK_MONOTONIC: the rate ignores clock steps */
	uint64_t moved_mono_us;     /* when done last moved */
	uint64_t moved_us;          /* the same, CLOCK_REALTIME */
};

void job_progress_start(struct job_progress *p, uint64_t total);
/* DONE bytes are done now. */
void job_progress_set(struct job_progress *p, uint64_t done);
/* Bytes per second up to the last progress; 0 before the first byte.  It
 * is computed at progress, not at reading: a finished or stalled job shows
 * the same figures to every reader (replies are cached until a change). */
uint64_t job_progress_rate(const struct job_progress *p);
/* Expected end, CLOCK_REALTIME microseconds; 0 when unknown. */
uint64_t job_progress_eta_us(const struct job_progress *p);

#endif /* OCXLPMEMD_JOB_PROGRESS_H */
