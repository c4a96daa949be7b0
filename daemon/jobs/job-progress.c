// SPDX-License-Identifier: GPL-2.0-or-later
/* Progress of a long job: see job-progress.h. */
#include <time.h>

#include "jobs/job-progress.h"

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void job_progress_start(struct job_progress *p, uint64_t total)
{
	p->done = 0;
	p->total = total;
	p->started_us = real_us();
	p->started_mono_us = p->moved_mono_us = mono_us();
	p->moved_us = p->started_us;
}

void job_progress_set(struct job_progress *p, uint64_t done)
{
	p->done = done;
	p->moved_mono_us = mono_us();
	p->moved_us = real_us();
}

uint64_t job_progress_rate(const struct job_progress *p)
{
	uint64_t elapsed = p->moved_mono_us - p->started_mono_us;

	if (!p->done || !elapsed)
		return 0;
	return (uint64_t)((double)p->done * 1e6 / (double)elapsed);
}

uint64_t job_progress_eta_us(const struct job_progress *p)
{
	uint64_t rate = job_progress_rate(p);

	if (!rate || p->done >= p->total)
		return 0;
	return p->moved_us + (uint64_t)((double)(p->total - p->done) * 1e6 / (double)rate);
}
