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

#include "card-json.h"
#include "log.h"
#include "manager.h"
#include "varlink-manager.h"
#include "varlink-methods.h"
#include "varlink-watch.h"

/* The interface text, embedded at build time from the .varlink file. */
#include "io.ocxlpmem.Manager.varlink.h"

/* Monitor calls: every event goes to each. */
static struct varlink_watchers monitors;

/* ---- Parameter helpers ---------------------------------------------------- */

bool opt_get(struct json_object *p, const char *key, enum json_type type,
	     struct json_object **ret)
{
	struct json_object *v;

	*ret = NULL;
	if (!json_object_object_get_ex(p, key, &v) || json_object_is_type(v, json_type_null))
		return true;
	if (!json_object_is_type(v, type))
		return false;
	*ret = v;
	return true;
}

bool opt_int(struct json_object *p, const char *key, int64_t min, int64_t max,
	     bool *ret_set, int64_t *ret)
{
	struct json_object *v;
	int64_t x;

	*ret_set = false;
	if (!opt_get(p, key, json_type_int, &v))
		return false;
	if (!v)
		return true;
	x = json_object_get_int64(v);
	if (x < min || x > max)
		return false;
	*ret = x;
	*ret_set = true;
	return true;
}

struct dcard *card_param(struct manager *m, struct varlink_call *call, struct json_object *p)
{
	struct json_object *v;
	struct dcard *dc;

	if (!opt_get(p, "card", json_type_string, &v) || !v) {
		varlink_call_invalid_parameter(call, "card");
		return NULL;
	}
	dc = manager_find_card(m, json_object_get_string(v));
	if (!dc) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "card", json_object_new_string(json_object_get_string(v)));
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

/* ---- Methods ---------------------------------------------------------------- */

static void m_get_version(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct manager *m = userdata;
	struct json_object *o = json_object_new_object();
	uint64_t sim_bytes;

	json_object_object_add(o, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "abi_version", json_object_new_int(OCXLPMEM_ABI_VERSION));
	json_object_object_add(o, "interface_version", json_object_new_int(1));
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
	struct manager *m = userdata;
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	for (size_t i = 0; i < m->ncards; i++)
		json_object_array_add(a, card_json_summary(m->cards[i]));
	json_object_object_add(o, "cards", a);
	varlink_call_reply(call, o);
}

static void m_get_card(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_param(userdata, call, p);
	struct json_object *o;

	if (!dc)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "card", card_json_detail(dc));
	varlink_call_reply(call, o);
}

static void m_get_error_log(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_param(userdata, call, p);
	struct json_object *type, *o, *a;
	int64_t since = 0;
	bool has_since;
	int t = -1;

	if (!dc)
		return;
	if (!opt_get(p, "type", json_type_string, &type) ||
	    (type && (t = ocxlpmem_error_log_type_from_name(json_object_get_string(type))) < 0)) {
		varlink_call_invalid_parameter(call, "type");
		return;
	}
	if (!opt_int(p, "since_usec", 0, INT64_MAX, &has_since, &since)) {
		varlink_call_invalid_parameter(call, "since_usec");
		return;
	}
	a = json_object_new_array();
	for (size_t i = 0; i < dc->state->nhistory; i++) {
		const struct errlog_record *e = &dc->state->history[i];

		if (t >= 0 && e->type != t)
			continue;
		if (has_since && e->received_us < (uint64_t)since)
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
	struct dcard *dc = card_param(userdata, call, p);
	int r;

	if (!dc)
		return;
	if (!dc->card) {
		card_error(call, IFACE ".CardOffline", dc);
		return;
	}
	/* The answer comes as an error-log entry: the drain alerts it. */
	r = card_submit(dc, OCXLPMEM_FN_REQUEST_HEALTH, NULL, 0, 8, TAG_EVENT);
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

/* A command fault from the parameters; returns the bad parameter's name. */
static const char *build_fault(const char *kind, struct json_object *p, struct ocxlpmem_fault *f)
{
	struct json_object *v;
	int64_t x;
	bool set;

	memset(f, 0, sizeof(*f));
	f->kind = ocxlpmem_fault_kind_from_name(kind);
	if ((int)f->kind <= 0)
		return "fault";
	if (!opt_get(p, "function", json_type_string, &v))
		return "function";
	if (v) {
		int fn = function_from_name(json_object_get_string(v));

		if (fn < 0)
			return "function";
		f->function = (unsigned int)fn;
	}
	if (!opt_int(p, "count", 0, 1000000, &set, &x))
		return "count";
	f->count = set ? (unsigned int)x : 0;
	switch (f->kind) {
	case OCXLPMEM_FAULT_STATUS:
		if (!opt_int(p, "status", 1, 255, &set, &x) || !set)
			return "status";
		f->status = (uint8_t)x;
		break;
	case OCXLPMEM_FAULT_TIMEOUT:
	case OCXLPMEM_FAULT_HANG:
	case OCXLPMEM_FAULT_SLOW:
		if (!opt_int(p, "delay_ms", 0, 3600000, &set, &x))
			return "delay_ms";
		f->delay_ms = set ? (unsigned int)x : 0;
		break;
	case OCXLPMEM_FAULT_ERRNO:
		if (!opt_get(p, "errno", json_type_string, &v) || !v ||
		    (f->err = errno_from_name(json_object_get_string(v))) < 0)
			return "errno";
		break;
	case OCXLPMEM_FAULT_TRUNCATE:
		if (!opt_int(p, "bytes", 0, 1 << 20, &set, &x) || !set)
			return "bytes";
		f->truncate_to = (size_t)x;
		break;
	case OCXLPMEM_FAULT_CORRUPT: {
		static const char *const names[] = { "header-id", "reserved", "length" };
		bool found = false;

		if (!opt_get(p, "corruption", json_type_string, &v) || !v)
			return "corruption";
		for (unsigned int i = 0; i < 3; i++)
			if (strcmp(names[i], json_object_get_string(v)) == 0) {
				f->corruption = (enum ocxlpmem_corruption)i;
				found = true;
			}
		if (!found)
			return "corruption";
		break;
	}
	case OCXLPMEM_FAULT_REMOVE_AFTER:
		if (!opt_int(p, "after", 0, 1000000, &set, &x) || !set)
			return "after";
		f->after = (unsigned int)x;
		break;
	default:
		break;
	}
	return NULL;
}

/* Scenario controls; returns the bad parameter, "" when handled, NULL when not ours. */
static const char *scenario(struct manager *m, struct dcard *dc, struct ocxlpmem_model *model,
			    const char *kind, struct json_object *p, const char **ret_failure)
{
	struct json_object *v;
	int64_t x;
	bool set;

	*ret_failure = NULL;
	if (strcmp(kind, "error-log") == 0) {
		uint32_t actions = 0;
		int type = OCXLPMEM_ERRLOG_GENERAL, r;

		if (!opt_get(p, "type", json_type_string, &v) ||
		    (v && (type = ocxlpmem_error_log_type_from_name(json_object_get_string(v))) < 0))
			return "type";
		if (!opt_get(p, "actions", json_type_array, &v))
			return "actions";
		for (size_t i = 0; v && i < json_object_array_length(v); i++) {
			struct json_object *a = json_object_array_get_idx(v, i);
			uint32_t flag;

			if (!json_object_is_type(a, json_type_string) ||
			    ocxlpmem_action_flags_from_names(json_object_get_string(a), &flag) < 0)
				return "actions";
			actions |= flag;
		}
		/* count: queue that many at once (the card logs bursts). */
		if (!opt_int(p, "count", 1, 256, &set, &x))
			return "count";
		for (int64_t i = 0; i < (set ? x : 1); i++) {
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
		if (!opt_int(p, "size", 8, 0xFFFFFFF8ll, &set, &x) || (set && x % 8))
			return "size";
		if (ocxlpmem_model_raise_dump(model, set ? (uint32_t)x : m->config->sim_dump_size) < 0)
			*ret_failure = "the card already holds a dump";
		return "";
	}
	if (strcmp(kind, "temperature") == 0) {
		if (!opt_int(p, "celsius", -40, 200, &set, &x))
			return "celsius";
		ocxlpmem_model_set_temperature(model, set ? (int)x : -1);
		return "";
	}
	if (strcmp(kind, "life-remaining") == 0) {
		if (!opt_int(p, "pct", 0, 100, &set, &x))
			return "pct";
		ocxlpmem_model_set_life_remaining(model, set ? (int)x : -1);
		return "";
	}
	if (strcmp(kind, "drop-smart-attribute") == 0) {
		if (!opt_int(p, "attribute", 0, 255, &set, &x) || !set)
			return "attribute";
		ocxlpmem_model_drop_smart_attr(model, (uint8_t)x);
		return "";
	}
	if (strcmp(kind, "fatal") == 0) {
		if (!opt_get(p, "hardware", json_type_boolean, &v))
			return "hardware";
		ocxlpmem_model_set_fatal(model, v ? json_object_get_boolean(v) : true);
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
	struct dcard *dc = card_param(m, call, p);
	struct ocxlpmem_model *model;
	struct ocxlpmem_fault f;
	const char *kind, *bad, *failure;
	struct json_object *v;
	int r;

	if (!dc)
		return;
	if (strcmp(ocxlpmem_transport_name(m->transport), "sim") != 0) {
		varlink_call_error(call, IFACE ".NotSimulation", NULL);
		return;
	}
	if (!opt_get(p, "fault", json_type_string, &v) || !v) {
		varlink_call_invalid_parameter(call, "fault");
		return;
	}
	kind = json_object_get_string(v);
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
	bad = scenario(m, dc, model, kind, p, &failure);
	if (!bad) {
		bad = build_fault(kind, p, &f);
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

void varlink_manager_card_event(const struct dcard *dc, const char *kind,
				enum card_health previous)
{
	struct json_object *e;

	if (varlink_watchers_empty(&monitors))
		return;
	e = event_base_json(kind, dc->name, dc->serial);
	json_object_object_add(e, "health", json_object_new_string(card_health_name(dc->report.state)));
	if (strcmp(kind, "health-changed") == 0)
		json_object_object_add(e, "previous_health",
				       json_object_new_string(card_health_name(previous)));
	broadcast(e);
}

static void on_alert(const struct alert *a, void *userdata)
{
	struct json_object *e;

	if (varlink_watchers_empty(&monitors))
		return;
	e = event_base_json("alert", a->card.name, a->card.serial);
	json_object_object_add(e, "alert", json_object_new_string(a->condition));
	json_object_object_add(e, "alert_event", json_object_new_string(a->event));
	json_object_object_add(e, "priority", json_object_new_int(a->priority));
	json_object_object_add(e, "message", json_object_new_string(a->message));
	json_object_object_add(e, "message_id", json_object_new_string(a->cls->message_id));
	broadcast(e);
}

/* ---- Setup --------------------------------------------------------------- */

int varlink_manager_start(struct manager *m, struct varlink_server **ret)
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
	alert_set_listener(on_alert, m);
	*ret = s;
	return 0;
fail:
	free(path);
	varlink_server_free(s);
	return r;
}

void varlink_manager_stop(struct varlink_server *s)
{
	alert_set_listener(NULL, NULL);
	varlink_watchers_clear(&monitors);
	varlink_server_free(s);
}
