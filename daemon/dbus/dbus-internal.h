/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the D-Bus facade's files share: the service (dbus-service.c: the
 * connection, the name, io.ocxlpmem1.Manager, the events it follows) and
 * the card objects (dbus-card.c: io.ocxlpmem1.Card and its changes).
 */
#ifndef OCXLPMEMD_DBUS_INTERNAL_H
#define OCXLPMEMD_DBUS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "dbus/bus-loop.h"
#include "dbus/dbus-auth.h"

#define DBUS_NAME "io.ocxlpmem1"
#define DBUS_ROOT_PATH "/io/ocxlpmem1"
#define DBUS_CARD_PATH "/io/ocxlpmem1/card"
#define DBUS_MANAGER_IFACE "io.ocxlpmem1.Manager"
#define DBUS_CARD_IFACE "io.ocxlpmem1.Card"
#define DBUS_ERROR_PREFIX "io.ocxlpmem1.Error."

struct manager;
struct dcard;
struct dbus_card_props;

struct dbus_service {
	struct manager *m;
	struct observer *observer;
	sd_bus *bus;                /* NULL while not connected */
	struct bus_loop *loop;
	struct event *retry;        /* reconnect while the bus is away */
	bool retry_armed;
	struct event *flush;        /* compare the changed cards' properties */
	struct dbus_auth_rule rule;
	bool unavailable_logged;    /* "no system bus" is said once */
	bool stopping;

	/* Cards whose properties may have changed, each once until the
	 * flush; what was announced of a card is kept with it
	 * (card_caches()->dbus, dbus-card.c). */
	struct dcard **dirty;
	size_t ndirty, dirty_cap;
};

/* ---- dbus-card.c ---- */
/* The card objects under DBUS_CARD_PATH on svc->bus: 0 or -errno. */
int dbus_card_register(struct dbus_service *svc);
/* The object path of the card named name (caller frees); NULL on ENOMEM. */
char *dbus_card_path(const char *name);
/* True the first time it is asked for dc on this connection: the card's
 * object is new to the bus's clients (InterfacesAdded). */
bool dbus_card_announce(struct dbus_service *svc, struct dcard *dc);
/* Something of dc may have changed: compare and announce at the flush. */
void dbus_card_changed(struct dbus_service *svc, struct dcard *dc);
/* Announce what changed since the last flush (PropertiesChanged). */
void dbus_card_flush(struct dbus_service *svc);
/* dc is going: forget what was announced of it. */
void dbus_card_forget(struct dbus_service *svc, struct dcard *dc);
/* Forget everything announced (the connection went away). */
void dbus_card_forget_all(struct dbus_service *svc);

#endif /* OCXLPMEMD_DBUS_INTERNAL_H */
