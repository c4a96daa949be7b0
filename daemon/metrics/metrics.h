/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Prometheus text endpoint (see metrics.c and ocxlpmemd(8), METRICS). */
#ifndef OCXLPMEMD_METRICS_H
#define OCXLPMEMD_METRICS_H

#include <stddef.h>

struct dcard;
struct json_blob;
struct manager;
struct metrics;

/* Serve the endpoint for m (its [metrics] listen, or --metrics-listen)
 * until the manager stops, following reloads (metrics-service.c).  A
 * listen that fails is logged and the daemon runs on without it; 0, or
 * -ENOMEM. */
int metrics_service_start(struct manager *m);

/* listen: "ADDR:PORT", "[V6]:PORT", "localhost:PORT" or "off" (then
 * *ret = NULL).  0 or -errno, logged. */
int metrics_start(struct manager *m, const char *listen, struct metrics **ret);
void metrics_stop(struct metrics *mx);
/* Apply the manager's current connection cap and [metrics]
 * request_timeout (after a reload).  NULL is fine. */
void metrics_update_limits(struct metrics *mx);
enum metrics_format {
	METRICS_TEXT,        /* Prometheus text format 0.0.4 */
	METRICS_OPENMETRICS, /* OpenMetrics 1.0.0 */
	METRICS_NFORMATS,
};

/* The exposition text of the current state, in a shared blob that
 * responses reference without a copy.  The samples are the same in both
 * formats; OpenMetrics names a counter family without its "_total" and
 * ends with "# EOF". */
int metrics_render(struct manager *m, enum metrics_format format, struct json_blob **ret);
/* Times the endpoint rendered the text anew (cache misses). */
uint64_t metrics_render_count(const struct metrics *mx);
/* Drop the card's cached samples (metrics-render.c), when it is freed. */
void metrics_card_free(struct dcard *dc);

#endif /* OCXLPMEMD_METRICS_H */
