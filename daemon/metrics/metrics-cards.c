// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exposition of the manager's cards: each card's fragment of samples
 * (metrics-render.c) is kept with the card and rendered again only when
 * the card changed (card_gen()) or the dump store did (the stored bytes
 * of every card may move), so a scrape after a poll of one card renders
 * one card and copies the rest.
 *
 * With OCXLPMEMD_VERIFY_REPLY_CACHE=1 (the test suite) every cached card
 * is compared with a fresh render of it, and a difference aborts.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/manager.h"
#include "jobs/dump.h"
#include "metrics/metrics-render.h"
#include "util/log.h"

static void verify_card(struct manager *m, const struct dcard *dc, const struct metrics_card *mc)
{
	struct metrics_card fresh;
	struct card_report rep;

	card_report_get(dc, &rep);
	if (metrics_card_render(&rep, &fresh) < 0)
		return;
	if (!metrics_card_equal(&fresh, mc)) {
		log_error("metrics cache: %s's cached samples differ from a fresh render:\n"
			  "cached:\n%s\nfresh:\n%s", card_name(dc), mc->text, fresh.text);
		abort();
	}
	free(fresh.text);
	m->replies_verified++;
}

static uint64_t dumps_gen_of(const struct manager *m)
{
	return m->dumps ? m->dumps->gen : 0;
}

/* The card's fragments, rendered again only if the card changed. */
static const struct metrics_card *card_fragments(struct manager *m, struct dcard *dc)
{
	struct card_caches *cache = card_caches(dc);
	struct metrics_card *mc = cache->metrics;
	struct card_report rep;

	if (mc && mc->text && mc->gen == card_gen(dc) && mc->dumps_gen == dumps_gen_of(m)) {
		if (m->verify_replies)
			verify_card(m, dc, mc);
		return mc;
	}
	if (!mc) {
		mc = calloc(1, sizeof(*mc));
		if (!mc)
			return NULL;
		cache->metrics = mc;
	}
	free(mc->text);
	mc->text = NULL;
	card_report_get(dc, &rep);
	if (metrics_card_render(&rep, mc) < 0)
		return NULL;
	mc->gen = card_gen(dc);
	mc->dumps_gen = dumps_gen_of(m);
	return mc;
}

void metrics_card_free(struct dcard *dc)
{
	struct card_caches *cache = card_caches(dc);

	if (!cache->metrics)
		return;
	free(cache->metrics->text);
	free(cache->metrics);
	cache->metrics = NULL;
}

int metrics_render(struct manager *m, enum metrics_format format, struct json_blob **ret)
{
	struct metrics_head h = {
		.version = PACKAGE_VERSION,
		.abi_version = OCXLPMEM_ABI_VERSION,
		.backend = ocxlpmem_transport_name(m->transport),
		.have_renders = m->metrics != NULL,
		.renders = m->metrics ? metrics_render_count(m->metrics) : 0,
	};
	const struct metrics_card **frag;
	int r;

	frag = calloc(m->ncards ? m->ncards : 1, sizeof(*frag));
	if (!frag)
		return -ENOMEM;
	for (size_t i = 0; i < m->ncards; i++) {
		h.present += card_present(m->cards[i]);
		frag[i] = card_fragments(m, m->cards[i]);
		if (!frag[i]) {
			free(frag);
			return -ENOMEM;
		}
	}
	h.have_sim_bytes = ocxlpmem_transport_sim_memory_bytes(m->transport, &h.sim_bytes) == 0;
	r = metrics_assemble(&h, frag, m->ncards, format, ret);
	free(frag);
	return r;
}
