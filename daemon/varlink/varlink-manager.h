/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io.ocxlpmem.Manager over Varlink: setup and the monitor event feed. */
#ifndef OCXLPMEMD_VARLINK_MANAGER_H
#define OCXLPMEMD_VARLINK_MANAGER_H

#include "core/health.h"
#include "shared/varlink/varlink.h"

struct manager;
struct dcard;

/* Listen (socket activation or <runtime-dir>/ocxlpmemd.sock). 0 or -errno. */
int varlink_manager_start(struct manager *m, struct varlink_server **ret);
void varlink_manager_stop(struct varlink_server *s);
/* kind: card-added, card-removed, card-forgotten, health-changed. */
void varlink_manager_card_event(const struct dcard *dc, const char *kind,
				enum card_health previous);

#endif /* OCXLPMEMD_VARLINK_MANAGER_H */
