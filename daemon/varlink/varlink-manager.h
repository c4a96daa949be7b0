/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io.ocxlpmem.Manager over Varlink: setup and the monitor event feed. */
#ifndef OCXLPMEMD_VARLINK_MANAGER_H
#define OCXLPMEMD_VARLINK_MANAGER_H

#include "shared/varlink/varlink.h"

struct manager;

/* Listen (socket activation or <runtime-dir>/ocxlpmemd.sock) and follow
 * the manager's events (observe.h) until it stops (OBSERVE_STOPPING), when
 * every client is let go.  0 or -errno. */
int varlink_manager_start(struct manager *m);

#endif /* OCXLPMEMD_VARLINK_MANAGER_H */
