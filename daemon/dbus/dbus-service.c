// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The D-Bus facade: io.ocxlpmem1 on the system bus, beside Varlink, for
 * busctl, Cockpit and desktop tools.  Objects:
 *   /io/ocxlpmem1                 io.ocxlpmem1.Manager, ObjectManager
 *   /io/ocxlpmem1/card/<name>     io.ocxlpmem1.Card (dbus-card.c)
 *
 * It is one of the manager's observers (core/observe.h): the core does not
 * know it exists.  sd-bus runs on the daemon's libevent loop (bus-loop.c).
 *
 * The bus is optional: without one (a container, early boot, [dbus]
 * enable = no) the daemon serves Varlink and says so once; it tries again
 * every RETRY_S and announces when it got the bus, so a dbus started
 * after the daemon is picked up.  Losing the bus is the same.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include <ocxlpmem/ocxlpmem.h>

#include "core/alert.h"
#include "core/card-report.h"
#include "core/manager.h"
#include "core/observe.h"
#include "util/log.h"
#include "dbus/dbus-internal.h"
#include "dbus/dbus-service.h"

#define RETRY_S 30

/* OCXLPMEMD_TEST_DBUS_RETRY_S: tests do not wait 30 s for a bus. */
static int retry_s(void)
{
	const char *s = getenv("OCXLPMEMD_TEST_DBUS_RETRY_S");
	int v = s ? atoi(s) : 0;

	return v > 0 && v <= RETRY_S ? v : RETRY_S;
}

static void disconnect(struct dbus_service *svc);
static int connect_bus(struct dbus_service *svc);

/* ---- io.ocxlpmem1.Manager ---------------------------------------------- */

static int get_version(sd_bus *bus, const char *path, const char *iface, const char *property,
		       sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	(void)bus, (void)path, (void)iface, (void)property, (void)userdata, (void)error;
	return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static int get_backend(sd_bus *bus, const char *path, const char *iface, const char *property,
		       sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct dbus_service *svc = userdata;

	(void)bus, (void)path, (void)iface, (void)property, (void)error;
	return sd_bus_message_append(reply, "s", ocxlpmem_transport_name(svc->m->transport));
}

static int m_get_version(sd_bus_message *call, void *userdata, sd_bus_error *error)
{
	struct dbus_service *svc = userdata;

	(void)error;
	return sd_bus_reply_method_return(call, "ss", PACKAGE_VERSION,
					  ocxlpmem_transport_name(svc->m->transport));
}

/* Every card: name, object path, health, in name order. */
static int m_list_cards(sd_bus_message *call, void *userdata, sd_bus_error *error)
{
	struct dbus_service *svc = userdata;
	sd_bus_message *reply = NULL;
	int r;

	(void)error;
	r = sd_bus_message_new_method_return(call, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sos)");
	for (size_t i = 0; r >= 0 && i < svc->m->ncards; i++) {
		struct dcard *dc = svc->m->cards[i];
		char *path = dbus_card_path(card_name(dc));

		r = path ? sd_bus_message_append(reply, "(sos)", card_name(dc), path,
						 card_health_name(card_health(dc))) :
			   -ENOMEM;
		free(path);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Backend", "s", get_backend, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_METHOD("GetVersion", "", "ss", m_get_version, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ListCards", "", "a(sos)", m_list_cards, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("CardAdded", "so", 0),
	SD_BUS_SIGNAL("CardRemoved", "so", 0),
	SD_BUS_SIGNAL("Alert", "sssus", 0),
	SD_BUS_VTABLE_END,
};

/* ---- Signals ----------------------------------------------------------- */

static void emit_card(struct dbus_service *svc, const char *signal, struct dcard *dc)
{
	char *path = dbus_card_path(card_name(dc));

	if (path)
		sd_bus_emit_signal(svc->bus, DBUS_ROOT_PATH, DBUS_MANAGER_IFACE, signal, "so",
				   card_name(dc), path);
	free(path);
}

static void emit_alert(struct dbus_service *svc, const struct alert *a)
{
	sd_bus_emit_signal(svc->bus, DBUS_ROOT_PATH, DBUS_MANAGER_IFACE, "Alert", "sssus",
			   a->card.name ? a->card.name : "",
			   a->condition ? a->condition : a->cls->key, a->event,
			   (uint32_t)a->priority, a->message);
}

static void emit_interfaces(struct dbus_service *svc, struct dcard *dc, bool added)
{
	char *path = dbus_card_path(card_name(dc));

	if (!path)
		return;
	if (added)
		sd_bus_emit_interfaces_added(svc->bus, path, DBUS_CARD_IFACE, NULL);
	else
		sd_bus_emit_interfaces_removed(svc->bus, path, DBUS_CARD_IFACE, NULL);
	free(path);
}

/* ---- Following the core ------------------------------------------------ */

static void on_event(const struct observe_event *ev, void *userdata)
{
	struct dbus_service *svc = userdata;

	if (ev->kind == OBSERVE_STOPPING) {
		dbus_service_stop(svc);
		return;
	}
	if (ev->kind == OBSERVE_CONFIG_RELOADED) {
		if (!svc->m->config->dbus_enable && (svc->bus || svc->retry_armed)) {
			log_info("D-Bus: disabled by the new configuration");
			disconnect(svc);
		} else if (svc->m->config->dbus_enable && !svc->bus && !svc->retry_armed) {
			svc->unavailable_logged = false;
			connect_bus(svc);
		}
		return;
	}
	if (!svc->bus)
		return;
	switch (ev->kind) {
	case OBSERVE_CARD_ADDED:
		/* The first attach the bus hears of is a new object.  Not
		 * "no state kept yet": any change event (card_touch())
		 * before the attach creates that. */
		if (dbus_card_announce(svc, ev->dc))
			emit_interfaces(svc, ev->dc, true);
		emit_card(svc, "CardAdded", ev->dc);
		dbus_card_changed(svc, ev->dc);
		break;
	case OBSERVE_CARD_REMOVED:
		emit_card(svc, "CardRemoved", ev->dc);
		dbus_card_changed(svc, ev->dc);
		break;
	case OBSERVE_CARD_FREED:
		emit_interfaces(svc, ev->dc, false);
		dbus_card_forget(svc, ev->dc);
		break;
	case OBSERVE_ALERT:
		emit_alert(svc, ev->alert);
		break;
	default:
		if (ev->dc)
			dbus_card_changed(svc, ev->dc);
		break;
	}
	bus_loop_kick(svc->loop);
}

static void on_flush(evutil_socket_t fd, short what, void *userdata)
{
	(void)fd;
	(void)what;
	dbus_card_flush(userdata);
}

/* ---- The connection ---------------------------------------------------- */

static void on_retry(evutil_socket_t fd, short what, void *userdata)
{
	struct dbus_service *svc = userdata;

	(void)fd;
	(void)what;
	svc->retry_armed = false;
	connect_bus(svc);
}

static void schedule_retry(struct dbus_service *svc)
{
	struct timeval tv = { retry_s(), 0 };

	evtimer_add(svc->retry, &tv);
	svc->retry_armed = true;
}

static void disconnect(struct dbus_service *svc)
{
	evtimer_del(svc->retry);
	svc->retry_armed = false;
	dbus_card_forget_all(svc);
	svc->loop = bus_loop_detach(svc->loop);
	svc->bus = sd_bus_unref(svc->bus);
}

static void on_lost(struct bus_loop *l, int error, void *userdata)
{
	struct dbus_service *svc = userdata;

	(void)l;
	log_warning("D-Bus: lost the system bus (%s): serving Varlink only, trying again every %d s",
		    strerror(-error), retry_s());
	disconnect(svc);
	svc->unavailable_logged = true;
	schedule_retry(svc);
}

static int on_name(sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	(void)userdata;
	(void)error;
	if (e)
		log_warning("D-Bus: cannot own %s: %s (another ocxlpmemd? is the bus policy "
			    "io.ocxlpmem1.conf installed?)", DBUS_NAME, e->message);
	else
		log_info("D-Bus: serving %s", DBUS_NAME);
	return 0;
}

/* The admin group, as Varlink resolves it. */
static void load_rule(struct dbus_service *svc)
{
	const char *group = svc->m->config->admin_group;
	struct group *g = group ? getgrnam(group) : NULL;

	svc->rule.has_admin_gid = g != NULL;
	svc->rule.admin_gid = g ? g->gr_gid : 0;
}

static int connect_bus(struct dbus_service *svc)
{
	sd_bus *bus = NULL;
	int r;

	load_rule(svc);
	/* sd_bus_open_system() honours DBUS_SYSTEM_BUS_ADDRESS (the tests'
	 * private bus); its connect and Hello do not wait. */
	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_add_object_manager(bus, NULL, DBUS_ROOT_PATH);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, DBUS_ROOT_PATH, DBUS_MANAGER_IFACE,
					     manager_vtable, svc);
	if (r >= 0) {
		svc->bus = bus;
		r = dbus_card_register(svc);
	}
	if (r >= 0)
		r = sd_bus_request_name_async(bus, NULL, DBUS_NAME, 0, on_name, svc);
	if (r >= 0)
		r = bus_loop_attach(svc->m->base, bus, on_lost, svc, &svc->loop);
	if (r < 0) {
		if (!svc->unavailable_logged)
			log_notice("D-Bus: no system bus (%s): serving Varlink only, trying again "
				   "every %d s", strerror(-r), retry_s());
		svc->unavailable_logged = true;
		svc->bus = NULL;
		sd_bus_unref(bus);
		schedule_retry(svc);
		return r;
	}
	if (svc->unavailable_logged)
		log_info("D-Bus: connected to the system bus");
	svc->unavailable_logged = false;
	return 0;
}

/* ---- Start and stop ---------------------------------------------------- */

int dbus_service_start(struct manager *m)
{
	struct dbus_service *svc = calloc(1, sizeof(*svc));
	int r;

	if (!svc)
		return -ENOMEM;
	svc->m = m;
	svc->retry = evtimer_new(m->base, on_retry, svc);
	svc->flush = event_new(m->base, -1, 0, on_flush, svc);
	if (!svc->retry || !svc->flush) {
		dbus_service_stop(svc);
		return -ENOMEM;
	}
	r = observe_subscribe(&m->observers, UINT32_MAX, on_event, svc, &svc->observer);
	if (r < 0) {
		dbus_service_stop(svc);
		return r;
	}
	if (!m->config->dbus_enable) {
		log_info("D-Bus: disabled ([dbus] enable = no)");
		return 0;
	}
	connect_bus(svc); /* without a bus it retries: not an error */
	return 0;
}

void dbus_service_stop(struct dbus_service *svc)
{
	if (!svc)
		return;
	svc->stopping = true;
	observe_unsubscribe(&svc->m->observers, svc->observer);
	disconnect(svc);
	if (svc->retry)
		event_free(svc->retry);
	if (svc->flush)
		event_free(svc->flush);
	free(svc->dirty);
	free(svc);
}
