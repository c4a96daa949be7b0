// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metrics endpoint as one of the manager's observers: started by
 * main.c, it follows [metrics] listen across reloads, drops a card's
 * cached samples when the card is freed, and stops with the manager.  The
 * core never calls into metrics/ (observe.h).
 */
#include <string.h>

#include "util/log.h"
#include "core/manager.h"
#include "metrics/metrics.h"

static void reloaded(struct manager *m, const struct config *previous)
{
	/* The endpoint follows [metrics] listen unless the command line set it. */
	if (!m->opts->metrics_listen &&
	    (!m->metrics || strcmp(m->config->metrics_listen, previous->metrics_listen) != 0)) {
		metrics_stop(m->metrics);
		m->metrics = NULL;
		if (metrics_start(m, m->config->metrics_listen, &m->metrics) < 0)
			log_error("metrics: not served; fix [metrics] listen and reload");
	}
	metrics_update_limits(m->metrics);
}

static void on_event(const struct observe_event *ev, void *userdata)
{
	struct manager *m = userdata;

	switch (ev->kind) {
	case OBSERVE_CONFIG_RELOADED:
		reloaded(m, ev->previous_config);
		break;
	case OBSERVE_CARD_FREED:
		/* Also after STOPPING: the manager frees its cards last. */
		metrics_card_free(ev->dc);
		break;
	case OBSERVE_STOPPING:
		metrics_stop(m->metrics);
		m->metrics = NULL;
		break;
	default:
		break;
	}
}

int metrics_service_start(struct manager *m)
{
	const char *listen = m->opts->metrics_listen ? m->opts->metrics_listen :
						       m->config->metrics_listen;
	int r;

	r = observe_subscribe(&m->observers,
			      OBSERVE_MASK(OBSERVE_CONFIG_RELOADED) |
			      OBSERVE_MASK(OBSERVE_CARD_FREED) | OBSERVE_MASK(OBSERVE_STOPPING),
			      on_event, m, NULL);
	if (r < 0)
		return r;
	/* Cards matter more than the endpoint: a port in use is logged
	 * (metrics_start says why) and the daemon carries on without it. */
	if (metrics_start(m, listen, &m->metrics) < 0)
		log_error("metrics: not served; fix [metrics] listen or --metrics-listen and reload");
	return 0;
}
