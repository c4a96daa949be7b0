/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The D-Bus facade (io.ocxlpmem1 on the system bus): started by main.c
 * after the manager, it follows the manager's events and stops with it.
 * Optional: with no bus, or [dbus] enable = no, the daemon serves Varlink
 * alone.  man ocxlpmemd(8), "D-BUS".
 */
#ifndef OCXLPMEMD_DBUS_SERVICE_H
#define OCXLPMEMD_DBUS_SERVICE_H

struct manager;
struct dbus_service;

/* 0 (also without a bus: it keeps trying) or -ENOMEM. */
int dbus_service_start(struct manager *m);
/* Called by the manager's OBSERVE_STOPPING; NULL is fine. */
void dbus_service_stop(struct dbus_service *svc);

#endif /* OCXLPMEMD_DBUS_SERVICE_H */
