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

#include "varlink/card-json.h"
#include "util/log.h"
#include "core/manager.h"
#include "varlink/varlink-manager.h"
#include "varlink/varlink-methods.h"
#include "varlink/varlink-params.h"
#include "varlink/varlink-watch.h"

/* The interface text, embedded at build time from the .varlink file. */
#include "varlink/io.ocxlpmem.Manager.varlink.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

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

	json_object_object_add(e, "card", json_object_new_string(dc->name));
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
	json_object_object_add(e, "card", json_object_new_string(dc->name));
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
	json_object_object_add(o, "interface_version", json_object_new_int(3));
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
	b = card_replies_detail(dc);
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
	a = json_object_new_array();
	for (size_t i = 0; i < dc->state->nhistory; i++) {
		const struct errlog_record *e = &dc->state->history[i];

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
	if (!dc->card) {
		card_error(call, IFACE ".CardOffline", dc);
		return;
	}
	/* The answer comes as an error-log entry: the drain alerts it. */
	r = card_submit(dc, OCXLPMEM_FN_REQUEST_HEALTH, NULL, 0, 8, NULL);
	if (r == -EOPNOTSUPP) {
		not_supported(call, dc, 1u << OCXLPMEM_FN_REQUEST_HEALTH);
		return;
	}
	if (r < 0) {
		failed(call, strerror(-r));
		return;
	}
	log_info("%s: health data requested by uid %u", dc->name, (unsigned int)varlink_call_uid(call));
	varlink_call_reply(call, NULL);
}

/* ---- Fault injection (simulation) ---------------------------------------- */

static int errno_from_name(const char *s)
{
	static const struct {
		const char *name;
		int err;
	} t[] = { { "EBUSY", EBUSY }, { "EAGAIN", EAGAIN }, { "EIO", EIO },
		  { "ENXIO", ENXIO }, { "ENOTTY", ENOTTY }, { "EINVAL", EINVAL },
		  { "EPERM", EPERM }, { "ETIMEDOUT", ETIMEDOUT } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].name, s) == 0)
			return t[i].err;
	return -EINVAL;
}

static int function_from_name(const char *s)
{
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		if (strcmp(ocxlpmem_function_name(fn), s) == 0)
			return (int)fn;
	return -EINVAL;
}

/*
 * InjectFault's parameters.  The table's ranges are the widest any fault
 * takes; fault_fields says which fields each fault takes at all, and the
 * fault's own code narrows a range (count of error-log entries: 1-256).
 */
struct inject_params {
	const char *card, *fault, *type, *function, *errno_name, *corruption;
	struct json_object *actions;
	struct vparam_int size, celsius, pct, attribute, count, status, delay_ms, bytes, after;
	struct vparam_bool hardware;
};

#define IP(name, type, min, max, field) \
	VPARAM_FIELD(name, type, false, min, max, struct inject_params, field)
static const struct vparam inject_params[] = {
	VPARAM_FIELD("card", VPARAM_STRING, true, 0, 0, struct inject_params, card),
	VPARAM_FIELD("fault", VPARAM_STRING, true, 0, 0, struct inject_params, fault),
	IP("type", VPARAM_STRING, 0, 0, type),
	IP("actions", VPARAM_STRINGS, 0, 0, actions),
	IP("size", VPARAM_INT, 8, 0xFFFFFFF8ll, size),
	IP("celsius", VPARAM_INT, -40, 200, celsius),
	IP("pct", VPARAM_INT, 0, 100, pct),
	IP("attribute", VPARAM_INT, 0, 255, attribute),
	IP("hardware", VPARAM_BOOL, 0, 0, hardware),
	IP("function", VPARAM_STRING, 0, 0, function),
	IP("count", VPARAM_INT, 0, 1000000, count),
	IP("status", VPARAM_INT, 1, 255, status),
	IP("delay_ms", VPARAM_INT, 0, 3600000, delay_ms),
	IP("errno", VPARAM_STRING, 0, 0, errno_name),
	IP("bytes", VPARAM_INT, 0, 1 << 20, bytes),
	IP("corruption", VPARAM_STRING, 0, 0, corruption),
	IP("after", VPARAM_INT, 0, 1000000, after),
};
#undef IP

/* The fields each fault takes besides card and fault: any other is refused. */
static const struct {
	const char *fault;
	const char *const fields[4];
} fault_fields[] = {
	{ "error-log", { "type", "actions", "count" } },
	{ "controller-dump", { "size" } },
	{ "temperature", { "celsius" } },
	{ "life-remaining", { "pct" } },
	{ "drop-smart-attribute", { "attribute" } },
	{ "drop-function", { "function" } },
	{ "fatal", { "hardware" } },
	{ "unplug", { NULL } },
	{ "reset", { NULL } },
	{ "power-cycle", { NULL } },
	{ "clear", { NULL } },
	{ "status", { "function", "count", "status" } },
	{ "timeout", { "function", "count", "delay_ms" } },
	{ "hang", { "function", "count", "delay_ms" } },
	{ "slow", { "function", "count", "delay_ms" } },
	{ "errno", { "function", "count", "errno" } },
	{ "truncate", { "function", "count", "bytes" } },
	{ "corrupt", { "function", "count", "corruption" } },
	{ "remove-after", { "function", "count", "after" } },
	{ "not-ready", { "function", "count" } },
};

/* NULL when every field given applies to the fault, else the first that
 * does not, or "fault" for a fault there is no such thing as. */
static const char *fault_fields_check(const char *fault, uint64_t given)
{
	const char *const *fields = NULL;

	for (size_t i = 0; i < ELEMENTSOF(fault_fields); i++)
		if (strcmp(fault_fields[i].fault, fault) == 0)
			fields = fault_fields[i].fields;
	if (!fields)
		return "fault";
	for (size_t i = 2; i < ELEMENTSOF(inject_params); i++) {
		bool takes = false;

		if (!(given & UINT64_C(1) << i))
			continue;
		for (size_t k = 0; k < ELEMENTSOF(fault_fields[0].fields) && fields[k]; k++)
			takes |= strcmp(fields[k], inject_params[i].name) == 0;
		if (!takes)
			return inject_params[i].name;
	}
	return NULL;
}

/* A command fault from the parameters; returns the bad parameter's name. */
static const char *build_fault(const struct inject_params *ip, struct ocxlpmem_fault *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = ocxlpmem_fault_kind_from_name(ip->fault);
	if ((int)f->kind <= 0)
		return "fault";
	if (ip->function) {
		int fn = function_from_name(ip->function);

		if (fn < 0)
			return "function";
		f->function = (unsigned int)fn;
	}
	f->count = ip->count.set ? (unsigned int)ip->count.v : 0;
	switch (f->kind) {
	case OCXLPMEM_FAULT_STATUS:
		if (!ip->status.set)
			return "status";
		f->status = (uint8_t)ip->status.v;
		break;
	case OCXLPMEM_FAULT_TIMEOUT:
	case OCXLPMEM_FAULT_HANG:
	case OCXLPMEM_FAULT_SLOW:
		f->delay_ms = ip->delay_ms.set ? (unsigned int)ip->delay_ms.v : 0;
		break;
	case OCXLPMEM_FAULT_ERRNO:
		if (!ip->errno_name || (f->err = errno_from_name(ip->errno_name)) < 0)
			return "errno";
		break;
	case OCXLPMEM_FAULT_TRUNCATE:
		if (!ip->bytes.set)
			return "bytes";
		f->truncate_to = (size_t)ip->bytes.v;
		break;
	case OCXLPMEM_FAULT_CORRUPT: {
		static const char *const names[] = { "header-id", "reserved", "length" };
		bool found = false;

		for (unsigned int i = 0; ip->corruption && i < ELEMENTSOF(names); i++)
			if (strcmp(names[i], ip->corruption) == 0) {
				f->corruption = (enum ocxlpmem_corruption)i;
				found = true;
			}
		if (!found)
			return "corruption";
		break;
	}
	case OCXLPMEM_FAULT_REMOVE_AFTER:
		if (!ip->after.set)
			return "after";
		f->after = (unsigned int)ip->after.v;
		break;
	default:
		break;
	}
	return NULL;
}

/* Scenario controls; returns the bad parameter, "" when handled, NULL when not ours. */
static const char *scenario(struct manager *m, struct dcard *dc, struct ocxlpmem_model *model,
			    const struct inject_params *ip, const char **ret_failure)
{
	const char *kind = ip->fault;

	*ret_failure = NULL;
	if (strcmp(kind, "error-log") == 0) {
		uint32_t actions = 0;
		int type = OCXLPMEM_ERRLOG_GENERAL, r;

		if (ip->type && (type = ocxlpmem_error_log_type_from_name(ip->type)) < 0)
			return "type";
		for (size_t i = 0; ip->actions && i < json_object_array_length(ip->actions); i++) {
			struct json_object *a = json_object_array_get_idx(ip->actions, i);
			uint32_t flag;

			if (ocxlpmem_action_flags_from_names(json_object_get_string(a), &flag) < 0)
				return "actions";
			actions |= flag;
		}
		/* count: queue that many at once (the card logs bursts). */
		if (ip->count.set && (ip->count.v < 1 || ip->count.v > 256))
			return "count";
		for (int64_t i = 0; i < (ip->count.set ? ip->count.v : 1); i++) {
			r = ocxlpmem_model_add_error_log(model, (uint8_t)type, actions,
							 0x5A000000u | (uint32_t)type, NULL, 64);
			if (r < 0) {
				*ret_failure = "the card's error log is full";
				break;
			}
		}
		return "";
	}
	if (strcmp(kind, "controller-dump") == 0) {
		if (ip->size.set && ip->size.v % 8)
			return "size";
		if (ocxlpmem_model_raise_dump(model, ip->size.set ? (uint32_t)ip->size.v :
								     m->config->sim_dump_size) < 0)
			*ret_failure = "the card already holds a dump";
		return "";
	}
	if (strcmp(kind, "temperature") == 0) {
		ocxlpmem_model_set_temperature(model, ip->celsius.set ? (int)ip->celsius.v : -1);
		return "";
	}
	if (strcmp(kind, "life-remaining") == 0) {
		ocxlpmem_model_set_life_remaining(model, ip->pct.set ? (int)ip->pct.v : -1);
		return "";
	}
	if (strcmp(kind, "drop-smart-attribute") == 0) {
		if (!ip->attribute.set)
			return "attribute";
		ocxlpmem_model_drop_smart_attr(model, (uint8_t)ip->attribute.v);
		return "";
	}
	if (strcmp(kind, "drop-function") == 0) {
		int fn;

		if (!ip->function || (fn = function_from_name(ip->function)) < 0 ||
		    fn == OCXLPMEM_FN_CAPABILITIES)
			return "function";
		/* The driver's mask: ENOTTY from now on, and CAPABILITIES
		 * leaves it out, which the daemon reads at the next attach. */
		if (ocxlpmem_model_set_functions(model, ocxlpmem_model_functions(model) &
							~(1u << fn)) < 0)
			*ret_failure = "cannot change the card's functions";
		return "";
	}
	if (strcmp(kind, "fatal") == 0) {
		ocxlpmem_model_set_fatal(model, ip->hardware.set ? ip->hardware.v : true);
		return "";
	}
	if (strcmp(kind, "unplug") == 0) {
		if (ocxlpmem_transport_sim_unplug(m->transport, dc->backend_id) < 0)
			*ret_failure = "cannot unplug";
		return "";
	}
	if (strcmp(kind, "reset") == 0) {
		if (ocxlpmem_transport_sim_reset(m->transport, dc->backend_id) < 0)
			*ret_failure = "cannot reset";
		return "";
	}
	if (strcmp(kind, "power-cycle") == 0) {
		/* The card forgets, then is re-probed as after a reset. */
		ocxlpmem_model_power_cycle(model);
		if (ocxlpmem_transport_sim_reset(m->transport, dc->backend_id) < 0)
			*ret_failure = "cannot reset";
		return "";
	}
	if (strcmp(kind, "clear") == 0) {
		ocxlpmem_model_clear_faults(model);
		ocxlpmem_model_release_hangs(model);
		return "";
	}
	return NULL;
}

static void m_inject_fault(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct manager *m = userdata;
	struct inject_params ip = { 0 };
	struct ocxlpmem_model *model;
	const char *kind, *bad, *failure;
	struct ocxlpmem_fault f;
	struct dcard *dc;
	uint64_t given;
	int r;

	if (!VPARAMS_DISPATCH(call, p, inject_params, &ip, &given))
		return;
	bad = fault_fields_check(ip.fault, given);
	if (bad) {
		varlink_call_invalid_parameter(call, bad);
		return;
	}
	dc = card_param(m, call, ip.card);
	if (!dc)
		return;
	if (strcmp(ocxlpmem_transport_name(m->transport), "sim") != 0) {
		varlink_call_error(call, IFACE ".NotSimulation", NULL);
		return;
	}
	kind = ip.fault;
	/* A reset brings back a card that is gone (fatal, unplugged), the way
	 * a driver rebind would; everything else needs the card present. */
	if (strcmp(kind, "reset") == 0 && !dc->card && dc->backend_id[0]) {
		if (ocxlpmem_transport_sim_reset(m->transport, dc->backend_id) < 0) {
			failed(call, "cannot reset");
			return;
		}
		log_notice("%s: simulation: reset injected by uid %u", dc->name,
			   (unsigned int)varlink_call_uid(call));
		varlink_call_reply(call, NULL);
		return;
	}
	if (!dc->card || !(model = ocxlpmem_card_model(dc->card))) {
		card_error(call, IFACE ".CardOffline", dc);
		return;
	}
	bad = scenario(m, dc, model, &ip, &failure);
	if (!bad) {
		bad = build_fault(&ip, &f);
		if (!bad) {
			r = ocxlpmem_model_inject(model, &f);
			failure = r == -ENOSPC ? "too many faults armed on this card" :
				  r < 0 ? "the card model refused the fault" : NULL;
			bad = "";
		}
	}
	if (*bad) {
		varlink_call_invalid_parameter(call, bad);
		return;
	}
	if (failure) {
		failed(call, failure);
		return;
	}
	log_notice("%s: simulation: %s injected by uid %u", dc->name, kind,
		   (unsigned int)varlink_call_uid(call));
	varlink_call_reply(call, NULL);
}

static const struct varlink_method methods[] = {
	{ "GetVersion", m_get_version, false },
	{ "ListCards", m_list_cards, false },
	{ "GetCard", m_get_card, false },
	{ "GetErrorLog", m_get_error_log, false },
	{ "Monitor", m_monitor, false },
	{ "RequestHealth", m_request_health, true },
	{ "InjectFault", m_inject_fault, true },
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

	e = event_base_json(kind, dc->name, dc->serial);
	json_object_object_add(e, "health", json_object_new_string(card_health_name(dc->report->state)));
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
		card_event(ev->dc, "card-added", ev->dc->report->state);
		break;
	case OBSERVE_CARD_REMOVED:
		card_event(ev->dc, "card-removed", ev->dc->report->state);
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
	varlink_server_set_limits(s, m->fds.varlink_max);
	r = varlink_server_add_interface(s, IFACE, io_ocxlpmem_manager_varlink, methods,
					 sizeof(methods) / sizeof(methods[0]), m);
	if (r < 0)
		goto fail;
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
			      OBSERVE_MASK(OBSERVE_CARD_HEALTH) | OBSERVE_MASK(OBSERVE_CARD_FREED) |
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
