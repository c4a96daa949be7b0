/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Progress of a daemon job (dump collection, firmware update) on stderr:
 * an animated bar on a terminal, a line per tenth and per phase otherwise
 * (a log, not an animation, when redirected).  The job JSON has "phase" and
 * "progress" {done, total, rate_bps, eta_usec} (io.ocxlpmem.Manager
 * JobProgress).
 */
#ifndef OCXLPMEMCTL_PROGRESS_H
#define OCXLPMEMCTL_PROGRESS_H

#include <stdbool.h>

#include <json-c/json.h>

struct progress_view {
	bool tty;
	int last_tenth;
	char last_phase[16];
	bool drawn;
};

/* tty: stderr is a terminal. */
void progress_init(struct progress_view *v);
/* what: "dump", "firmware update"; job: an object with phase and progress. */
void progress_show(struct progress_view *v, const char *card, const char *what,
		   struct json_object *job);
/* End the bar's line, if one was drawn. */
void progress_done(struct progress_view *v);

#endif /* OCXLPMEMCTL_PROGRESS_H */
