// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io.ocxlpmem.Manager: the daemon's state over Varlink.  Answers come from
 * what the daemon already knows; a method that needs the card queues the
 * command and returns at once.  Nothing here waits on a card.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "state/state.h"
#include "varlink/card-json.h"
#include "varlink/card-replies.h"
#include "util/log.h"
#include "core/manager.h"
#include "varlink/varlink-manager.h"
#include "varlink/varlink-methods.h"
#include "shared/varlink/varlink-params.h"
#include "shared/varlink/varlink-watch.h"
#include "varlink/varlink-simulation.h"

/* The interface text, embedded at build time from the .varlink file. */
#include "varlink/io.ocxlpmem.Manager.varlink.h"

/* The "Interface version" of io.ocxlpmem.Manager.varlink, which GetVersion
 * reports; 4 since InjectFault moved to io.ocxlpmem.Simulation, 5 since
 * CardSummary.transport. */
#define INTERFACE_VERSION 5

/* Monitor calls: every event goes to each. */
static struct varlink_watchers monitors;

/* The server of this daemon and its subscription, while the manager runs. */
static struct varlink_server *server;
static struct observer *observer;

/* ---- Parameter helpers ---------------------------------------------------- */

struct card_params {
	const char *card;
};

static const struct vparam card_params[] = {
	VP_STRING("card", true, struct card_params, card),
};

bool no_params(struct varlink_call *call, struct json_object *p)
{
	return vparams_dispatch(call, p, NULL, 0, NULL, NULL);
}

struct dcard *card_call(struct manager *m, struct varlink_call *call, struct json_object *p)
{
	struct card_params cp = { 0 };

	if (!VPARAMS_DISPATCH(call, p, card_params, &cp, NULL))
		return NULL;
	return card_param(m, call, cp.card);
}

struct dcard *card_param(struct manager *m, struct varlink_call *call, const char *name)
{
	struct dcard *dc = manager_find_card(m, name);

	if (!dc) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "card", json_object_new_string(name));
		varlink_call_error(call, IFACE ".NoSuchCard", e);
	}
	return dc;
}

void card_error(struct varlink_call *call, const char *error, const struct dcard *dc)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "card", json_object_new_string(card_name(dc)));
	varlink_call_error(call, error, e);
}

void failed(struct varlink_call *call, const char *reason)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "reason", json_object_new_string(reason));
	varlink_call_error(call, IFACE ".Failed", e);
}

void not_supported(struct varlink_call *call, const struct dcard *dc, uint32_t mask)
{
	struct json_object *e = json_object_new_object(), *fns = json_object_new_array();

	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		if ((mask & (1u << fn)) && !card_has_function(dc, fn))
			json_object_array_add(fns, json_object_new_string(ocxlpmem_function_name(fn)));
	json_object_object_add(e, "card", json_object_new_string(card_name(dc)));
	json_object_object_add(e, "functions", fns);
	varlink_call_error(call, IFACE ".NotSupported", e);
}

/* ---- Methods ---------------------------------------------------------------- */

static void m_get_version(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct manager *m = userdata;
	struct json_object *o;
	uint64_t sim_bytes;

	if (!no_params(call, p))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "abi_version", json_object_new_int(OCXLPMEM_ABI_VERSION));
	json_object_object_add(o, "interface_version", json_object_new_int(INTERFACE_VERSION));
	json_object_object_add(o, "backend",
			       json_object_new_string(ocxlpmem_transport_name(m->transport)));
	json_object_object_add(o, "state_dir", json_object_new_string(m->state_dir));
	if (ocxlpmem_transport_sim_memory_bytes(m->transport, &sim_bytes) == 0)
		json_object_object_add(o, "simulation_model_bytes",
				       json_object_new_int64((int64_t)sim_bytes));
	varlink_call_reply(call, o);
}

static void m_list_cards(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct json_blob *b;

	if (!no_params(call, p))
		return;
	b = card_replies_list(userdata);
	if (!b) {
		failed(call, "out of memory");
		return;
	}
	varlink_call_reply_blob(call, b);
}

static void m_get_card(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_call(userdata, call, p);
	struct json_blob *b;

	if (!dc)
		return;
	b = card_replies_detail(userdata, dc);
	if (!b) {
		failed(call, "out of memory");
		return;
	}
	varlink_call_reply_blob(call, b);
}

struct errlog_params {
	const char *card, *type;
	struct vparam_int since_usec;
};

static const struct vparam errlog_params[] = {
	VP_STRING("card", true, struct errlog_params, card),
	VP_STRING("type", false, struct errlog_params, type),
	VP_INT("since_usec", false, 0, INT64_MAX, struct errlog_params, since_usec),
};

static void m_get_error_log(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct errlog_params ep = { 0 };
	struct json_object *o, *a;
	struct card_report rep;
	struct dcard *dc;
	int t = -1;

	if (!VPARAMS_DISPATCH(call, p, errlog_params, &ep, NULL))
		return;
	if (ep.type && (t = ocxlpmem_error_log_type_from_name(ep.type)) < 0) {
		varlink_call_invalid_parameter(call, "type");
		return;
	}
	dc = card_param(userdata, call, ep.card);
	if (!dc)
		return;
	card_report_get(dc, &rep);
	a = json_object_new_array();
	for (size_t i = 0; i < rep.nerrlog; i++) {
		const struct errlog_record *e = &rep.errlog[i];

		if (t >= 0 && e->type != t)
			continue;
		if (ep.since_usec.set && e->received_us < (uint64_t)ep.since_usec.v)
			continue;
		json_object_array_add(a, card_json_errlog_entry(e));
	}
	o = json_object_new_object();
	json_object_object_add(o, "entries", a);
	varlink_call_reply(call, o);
}

static void m_monitor(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct json_object *o;

	if (!no_params(call, p))
		return;
	if (!varlink_call_wants_more(call)) {
		varlink_call_error(call, "org.varlink.service.ExpectedMore", NULL);
		return;
	}
	if (varlink_watchers_add(&monitors, call) < 0) {
		failed(call, "out of memory");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ready", json_object_new_boolean(true));
	varlink_call_notify(call, o);
}

static void m_request_health(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_call(userdata, call, p);
	int r;

	if (!dc)
		return;
	r = card_request_health(dc);
	if (r == -ENXIO) {
		card_error(call, IFACE ".CardOffline", dc);
		return;
	}
	if (r == -EOPNOTSUPP) {
		not_supported(call, dc, 1u << OCXLPMEM_FN_REQUEST_HEALTH);
		return;
	}
	if (r < 0) {
		failed(call, strerror(-r));
		return;
	}
	log_info("%s: health data requested by uid %u", card_name(dc), (unsigned int)varlink_call_uid(call));
	varlink_call_reply(call, NULL);
}

/*
 * Forget an absent card for good.  A name only the registry still has (a
 * forget a crash cut short) is found there, since no object shows it.
 */
static void m_forget_card(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct manager *m = userdata;
	struct card_params cp = { 0 };
	unsigned int uid;
	struct dcard *dc;
	char name[32];
	int r;

	if (!VPARAMS_DISPATCH(call, p, card_params, &cp, NULL))
		return;
	uid = (unsigned int)varlink_call_uid(call);
	dc = manager_find_card(m, cp.card);
	if (!dc) {
		r = card_forget_registered(m, cp.card, uid, name, sizeof(name));
		if (r == -ENOENT) {
			card_param(m, call, cp.card); /* NoSuchCard */
			return;
		}
		if (r < 0) {
			failed(call, strerror(-r));
			return;
		}
		varlink_call_reply(call, NULL);
		return;
	}
	r = card_forget(dc, uid);
	if (r == -EBUSY) {
		card_error(call, IFACE ".CardPresent", dc);
		return;
	}
	if (r == -EAGAIN) {
		card_error(call, IFACE ".DumpBusy", dc);
		return;
	}
	if (r < 0) {
		failed(call, strerror(-r));
		return;
	}
	varlink_call_reply(call, NULL);
}

static const struct varlink_method methods[] = {
	{ "GetVersion", m_get_version, false },
	{ "ListCards", m_list_cards, false },
	{ "GetCard", m_get_card, false },
	{ "GetErrorLog", m_get_error_log, false },
	{ "Monitor", m_monitor, false },
	{ "RequestHealth", m_request_health, true },
	{ "ForgetCard", m_forget_card, true },
	{ "ListDumps", m_list_dumps, false },
	{ "WatchDump", m_watch_dump, false },
	{ "StartDump", m_start_dump, true },
	{ "DeleteDump", m_delete_dump, true },
	{ "GetFirmwareUpdate", m_get_firmware_update, false },
	{ "BeginFirmwareUpdate", m_begin_firmware_update, true },
	{ "UploadFirmware", m_upload_firmware, true },
	{ "CommitFirmwareUpdate", m_commit_firmware_update, true },
	{ "CancelFirmwareUpdate", m_cancel_firmware_update, true },
};

/* ---- Monitor events ------------------------------------------------------ */

static struct json_object *event_reply(void *event)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_get(event));
	return o;
}

/* Send one event object (taken) to every Monitor call. */
static void broadcast(struct json_object *event)
{
	varlink_watchers_notify(&monitors, event_reply, event);
	json_object_put(event);
}

static struct json_object *event_base_json(const char *kind, const char *card, uint64_t serial)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "kind", json_object_new_string(kind));
	json_object_object_add(e, "card", json_object_new_string(card));
	json_object_object_add(e, "serial", json_u64(serial));
	return e;
}

static void card_event(const struct dcard *dc, const char *kind, enum card_health previous)
{
	struct json_object *e;

	e = event_base_json(kind, card_name(dc), card_serial(dc));
	json_object_object_add(e, "health", json_object_new_string(card_health_name(card_health(dc))));
	if (strcmp(kind, "health-changed") == 0)
		json_object_object_add(e, "previous_health",
				       json_object_new_string(card_health_name(previous)));
	broadcast(e);
}

static void alert_event(const struct alert *a)
{
	struct json_object *e;

	e = event_base_json("alert", a->card.name, a->card.serial);
	json_object_object_add(e, "condition", json_object_new_string(a->condition));
	json_object_object_add(e, "alert", json_object_new_string(a->condition));
	json_object_object_add(e, "alert_event", json_object_new_string(a->event));
	json_object_object_add(e, "priority", json_object_new_int(a->priority));
	json_object_object_add(e, "message", json_object_new_string(a->message));
	json_object_object_add(e, "message_id", json_object_new_string(a->cls->message_id));
	broadcast(e);
}

static void stop(struct manager *m);

/* The manager's events: Monitor's feed, the streaming job calls. */
static void on_event(const struct observe_event *ev, void *userdata)
{
	switch (ev->kind) {
	case OBSERVE_STOPPING:
		stop(userdata);
		return;
	case OBSERVE_DUMP_PROGRESS:
	case OBSERVE_DUMP_FINISHED:
	case OBSERVE_CARD_FREED:
		varlink_dumps_event(ev);
		varlink_firmware_event(ev);
		return;
	case OBSERVE_FIRMWARE_PROGRESS:
	case OBSERVE_FIRMWARE_FINISHED:
		varlink_firmware_event(ev);
		return;
	default:
		break;
	}
	if (varlink_watchers_empty(&monitors))
		return;
	switch (ev->kind) {
	case OBSERVE_CARD_ADDED:
		card_event(ev->dc, "card-added", card_health(ev->dc));
		break;
	case OBSERVE_CARD_REMOVED:
		card_event(ev->dc, "card-removed", card_health(ev->dc));
		break;
	case OBSERVE_CARD_FORGOTTEN:
		card_event(ev->dc, "card-forgotten", card_health(ev->dc));
		break;
	case OBSERVE_CARD_HEALTH:
		card_event(ev->dc, "health-changed", ev->previous);
		break;
	case OBSERVE_ALERT:
		alert_event(ev->alert);
		break;
	default:
		break;
	}
}

/* ---- Setup --------------------------------------------------------------- */

int varlink_manager_start(struct manager *m)
{
	static const struct varlink_server_info info = {
		.vendor = "ocxlpmemd",
		.product = "ocxlpmemd",
		.version = PACKAGE_VERSION,
		.url = "https://example.invalid/ocxlpmemd",
	};
	struct varlink_server *s;
	char *path = NULL;
	int r, n;

	r = varlink_server_new(m->base, &info, &s);
	if (r < 0)
		return r;
	varlink_server_set_log(s, log_sink_daemon, NULL);
	varlink_server_set_limits(s, m->fds.varlink_max);
	r = varlink_server_add_interface(s, IFACE, io_ocxlpmem_manager_varlink, methods,
					 sizeof(methods) / sizeof(methods[0]), m);
	if (r < 0)
		goto fail;
	/* Fault injection exists for simulated cards only: with real ones the
	 * interface is not there at all (InterfaceNotFound, not in GetInfo). */
	if (ocxlpmem_transport_is_sim(m->transport)) {
		r = varlink_simulation_add(s, m);
		if (r < 0)
			goto fail;
	}
	if (m->config->admin_group) {
		struct group *g = getgrnam(m->config->admin_group);

		if (g)
			varlink_server_set_admin_gid(s, g->gr_gid);
		else
			log_warning("admin group '%s' does not exist: only root may change things",
				    m->config->admin_group);
	}
	/* systemd passes the socket when ocxlpmemd.socket activated us. */
	n = sd_listen_fds(1);
	if (n > 0) {
		for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
			r = varlink_server_listen_fd(s, fd);
			if (r < 0)
				goto fail;
		}
		log_info("varlink: serving %d socket%s passed by systemd", n, n == 1 ? "" : "s");
	} else {
		if (asprintf(&path, "%s/ocxlpmemd.sock", m->runtime_dir) < 0) {
			r = -ENOMEM;
			goto fail;
		}
		r = varlink_server_listen_path(s, path);
		if (r < 0) {
			log_errno(LOG_ERR, r, "cannot listen on %s", path);
			goto fail;
		}
		log_info("varlink: listening on %s", path);
	}
	free(path);
	r = observe_subscribe(&m->observers,
			      OBSERVE_MASK(OBSERVE_CARD_ADDED) | OBSERVE_MASK(OBSERVE_CARD_REMOVED) |
			      OBSERVE_MASK(OBSERVE_CARD_HEALTH) | OBSERVE_MASK(OBSERVE_CARD_FORGOTTEN) |
			      OBSERVE_MASK(OBSERVE_CARD_FREED) |
			      OBSERVE_MASK(OBSERVE_ALERT) | OBSERVE_MASK(OBSERVE_DUMP_PROGRESS) |
			      OBSERVE_MASK(OBSERVE_DUMP_FINISHED) |
			      OBSERVE_MASK(OBSERVE_FIRMWARE_PROGRESS) |
			      OBSERVE_MASK(OBSERVE_FIRMWARE_FINISHED) | OBSERVE_MASK(OBSERVE_STOPPING),
			      on_event, m, &observer);
	if (r < 0)
		goto fail;
	server = s;
	return 0;
fail:
	free(path);
	varlink_server_free(s);
	return r;
}

/* Let go of every streaming call, then of the clients and sockets. */
static void stop(struct manager *m)
{
	observe_unsubscribe(&m->observers, observer);
	observer = NULL;
	varlink_watchers_clear(&monitors);
	varlink_dumps_stop();
	varlink_firmware_stop();
	varlink_server_free(server);
	server = NULL;
}
