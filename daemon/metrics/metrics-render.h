/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure Prometheus renderer (metrics-render.c): card reports in, the
 * exposition text out.  No manager, no daemon: tests render made-up
 * reports (tests/test-metrics-render.c).
 */
#ifndef OCXLPMEMD_METRICS_RENDER_H
#define OCXLPMEMD_METRICS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/card-report.h"
#include "metrics/metrics.h"

struct json_blob;

/* The per-card families of the exposition (a static check keeps it true). */
#define METRICS_CARD_FAMILIES 36

/* One card's samples of every family, and where each family's begin. */
struct metrics_card {
	char *text;                           /* free() it */
	size_t off[METRICS_CARD_FAMILIES + 1];
	uint64_t gen, dumps_gen;              /* metrics-cards.c: the cache's keys */
};

/* What the exposition says of the exporter before the cards' families. */
struct metrics_head {
	const char *version;         /* PACKAGE_VERSION */
	int abi_version;
	const char *backend;         /* the transport: "sim", "kernel" */
	unsigned int present;        /* cards present now */
	bool have_renders;           /* ocxlpmem_exporter_renders_total */
	uint64_t renders;
	bool have_sim_bytes;         /* ocxlpmem_simulation_model_bytes */
	uint64_t sim_bytes;
};

/* Render one card's samples into ret->text and ret->off.  0 or -ENOMEM. */
int metrics_card_render(const struct card_report *rep, struct metrics_card *ret);
/* Whether two renders of a card are the same text. */
bool metrics_card_equal(const struct metrics_card *a, const struct metrics_card *b);
/* The exposition of ncards cards' fragments, in one blob.  0 or -errno. */
int metrics_assemble(const struct metrics_head *h, const struct metrics_card *const *frag,
		     size_t ncards, enum metrics_format format, struct json_blob **ret);
/* Both at once, for n reports (h->present counted from them): what the
 * golden-file test renders. */
int metrics_render_reports(const struct metrics_head *h, const struct card_report *reps,
			   size_t n, enum metrics_format format, struct json_blob **ret);

#endif /* OCXLPMEMD_METRICS_RENDER_H */
