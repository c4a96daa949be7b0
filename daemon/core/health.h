/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The health model: one state per card with the reasons for it, computed
 * by a pure function from what the card last reported.  No I/O here, so the
 * rules are tested as a table (tests/test-health.c).
 */
#ifndef OCXLPMEMD_HEALTH_H
#define OCXLPMEMD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include <ocxlpmem/codec.h>

#include "config/config.h"

/* Ordered: a larger value is worse, except that UNKNOWN means "no data". */
enum card_health {
	HEALTH_UNKNOWN = 0,
	HEALTH_OK,
	HEALTH_WARNING,
	HEALTH_CRITICAL,
	HEALTH_UNRESPONSIVE,
	HEALTH_OFFLINE,
	HEALTH_FATAL,
};
#define HEALTH_STATE_MAX HEALTH_FATAL

/* "unknown", "ok", "warning", "critical", "unresponsive", "offline", "fatal" */
const char *card_health_name(enum card_health h);
int card_health_from_name(const char *name); /* -EINVAL if unknown */

#define HEALTH_REASONS_MAX 16

struct health_reason {
	const char *code;          /* stable id, also the alert key: "temperature" */
	enum card_health level;    /* WARNING .. FATAL; UNKNOWN for state-unreadable */
	char text[160];            /* "temperature 91 C at or above critical 85 C" */
	bool has_value;
	int64_t value;             /* what tripped it */
	int64_t threshold;
};

struct health_report {
	enum card_health state;
	unsigned int nreasons;
	struct health_reason reasons[HEALTH_REASONS_MAX];
};

struct health_input {
	bool present;
	bool fatal_hardware;
	bool fatal_firmware;
	bool unresponsive;
	/* The card answers but its health data could not be read for several
	 * polls in a row: why (the last error), else NULL.  Stale values are
	 * then not judged: the caller passes smart and ctl as NULL. */
	const char *unreadable;
	const struct ocxlpmem_smart *smart;     /* NULL: not read yet */
	const struct ocxlpmem_health *ctl;      /* NULL: not read yet */
	const struct ocxlpmem_stats *stats;     /* NULL: not read yet */
	/* Error-log entries within thresholds->error_log_window_s, by type,
	 * and the action flags of those entries OR-ed together. */
	unsigned int recent_errlog[OCXLPMEM_ERRLOG_TYPE_MAX + 1];
	uint32_t recent_actions;
	const struct thresholds *thresholds;
};

void health_evaluate(const struct health_input *in, struct health_report *ret);
/* A heap copy of r holding only its nreasons reasons (free() it); NULL
 * on -ENOMEM.  Read it as a struct health_report up to reasons[nreasons]. */
struct health_report *health_report_dup(const struct health_report *r);

/* The reason with this code, or NULL. */
const struct health_reason *health_report_find(const struct health_report *r, const char *code);

#endif /* OCXLPMEMD_HEALTH_H */
