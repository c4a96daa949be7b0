// SPDX-License-Identifier: GPL-2.0-or-later
/* Progress of a daemon job on stderr (see progress.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "progress.h"

#define BAR_WIDTH 30

void progress_init(struct progress_view *v)
{
	memset(v, 0, sizeof(*v));
	v->tty = isatty(STDERR_FILENO);
	v->last_tenth = -1;
}

void progress_show(struct progress_view *v, const char *card, const char *what,
		   struct json_object *job)
{
	struct json_object *pr = NULL;
	int64_t done = 0, total = 0, rate = 0, eta = 0;
	const char *phase = str_of(job, "phase", "?");
	int pct;

	json_object_object_get_ex(job, "progress", &pr);
	int_of(pr, "done", &done);
	int_of(pr, "total", &total);
	int_of(pr, "rate_bps", &rate);
	pct = total > 0 ? (int)(done * 100 / total) : 0;
	if (v->tty) {
		char bar[BAR_WIDTH + 1];
		int fill = pct * BAR_WIDTH / 100;
		struct timespec ts;
		int64_t left = -1;

		if (int_of(pr, "eta_usec", &eta) && clock_gettime(CLOCK_REALTIME, &ts) == 0)
			left = (eta - ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000)) / 1000000;
		if (left < 0 && int_of(pr, "eta_usec", &eta))
			left = 0;
		for (int i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < fill ? '#' : '-';
		bar[BAR_WIDTH] = '\0';
		fprintf(stderr, "\r%s: %-10s [%s] %3d%% %7.1f/%.1f MiB %6.1f MiB/s", card, phase,
			bar, pct, (double)done / 1048576.0, (double)total / 1048576.0,
			(double)rate / 1048576.0);
		if (left >= 0)
			fprintf(stderr, " ETA %" PRId64 ":%02" PRId64 " ", left / 60, left % 60);
		else
			fprintf(stderr, "           ");
		v->drawn = true;
		return;
	}
	if (pct / 10 == v->last_tenth && strcmp(v->last_phase, phase) == 0)
		return;
	v->last_tenth = pct / 10;
	snprintf(v->last_phase, sizeof(v->last_phase), "%s", phase);
	if (total <= 0) /* no size known yet: the phase says it all */
		fprintf(stderr, "%s: %s: %s\n", card, what, phase);
	else
		fprintf(stderr, "%s: %s: %s %d%% (%" PRId64 " of %" PRId64 " bytes)\n", card, what,
			phase, pct, done, total);
}

void progress_done(struct progress_view *v)
{
	if (v->drawn)
		fputc('\n', stderr);
	v->drawn = false;
}
