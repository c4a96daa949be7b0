// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One object per card, /io/ocxlpmem1/card/<name>, with io.ocxlpmem1.Card:
 * properties read from the card's report (core/card-report.h) when asked,
 * PropertiesChanged for exactly the properties that changed, and the
 * card's three actions (RequestHealth, StartDump, CancelFirmwareUpdate),
 * which need an administrator (dbus-auth.h).
 *
 * Numbers a card may not have (no SMART read yet, or the last one failed)
 * are doubles, NaN while unknown: D-Bus has no null, and a made-up number
 * (-1, 0) is one a dashboard would plot.
 *
 * Changes: the core tells every change of a card (observers); the card is
 * queued once, and the flush fills its report, renders its announced
 * properties as text and compares them with what was last announced.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card-report.h"
#include "core/manager.h"
#include "jobs/dump.h"
#include "jobs/firmware-update.h"
#include "util/log.h"
#include "dbus/dbus-internal.h"

/* The properties that announce their changes, in vtable order. */
enum card_prop {
	PROP_PRESENT,
	PROP_HEALTH,
	PROP_REASONS,
	PROP_TEMPERATURE,
	PROP_LIFE,
	PROP_FIRMWARE,
	PROP_STAGED_FIRMWARE,
	PROP_FIRMWARE_UPDATE,
	PROP_OPEN_ALERTS,
	PROP_BACKEND_ID,
	PROP_COUNT,
};

static const char *const prop_names[PROP_COUNT] = {
	[PROP_PRESENT] = "Present",
	[PROP_HEALTH] = "Health",
	[PROP_REASONS] = "Reasons",
	[PROP_TEMPERATURE] = "TemperatureC",
	[PROP_LIFE] = "LifeRemainingPct",
	[PROP_FIRMWARE] = "FirmwareVersion",
	[PROP_STAGED_FIRMWARE] = "StagedFirmwareVersion",
	[PROP_FIRMWARE_UPDATE] = "FirmwareUpdate",
	[PROP_OPEN_ALERTS] = "OpenAlerts",
	[PROP_BACKEND_ID] = "BackendId",
};

/* What was last announced of a card, each property as text. */
struct dbus_card_props {
	struct dcard *dc;
	char *text[PROP_COUNT];
	bool queued;
	bool object_announced;  /* InterfacesAdded sent on this connection */
};

/* ---- Values, from the report ------------------------------------------- */

static double temperature_of(const struct card_report *rep)
{
	const struct ocxlpmem_smart *smart = card_report_smart_now(rep);
	int t;

	return smart && ocxlpmem_smart_temperature_c(smart, &t) ? (double)t : NAN;
}

static double life_of(const struct card_report *rep)
{
	const struct ocxlpmem_smart *smart = card_report_smart_now(rep);
	unsigned int pct;

	return smart && ocxlpmem_smart_life_remaining_pct(smart, &pct) ? (double)pct : NAN;
}

static const char *staged_of(const struct card_report *rep)
{
	return rep->fw && rep->fw->staged_version[0] ? rep->fw->staged_version : "";
}

static unsigned int open_alerts_of(const struct card_report *rep)
{
	unsigned int open = 0;

	for (size_t i = 0; i < rep->nalerts; i++)
		open += rep->alerts[i].active;
	return open;
}

/* A property as text, for comparing with what was announced. */
static char *prop_text(const struct card_report *rep, enum card_prop p)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	switch (p) {
	case PROP_PRESENT:
		fputs(rep->present ? "1" : "0", f);
		break;
	case PROP_HEALTH:
		fputs(card_health_name(rep->health->state), f);
		break;
	case PROP_REASONS:
		for (unsigned int i = 0; i < rep->health->nreasons; i++) {
			const struct health_reason *r = &rep->health->reasons[i];

			fprintf(f, "%s\037%s\037%s\036", r->code, card_health_name(r->level), r->text);
		}
		break;
	case PROP_TEMPERATURE:
		fprintf(f, "%g", temperature_of(rep));
		break;
	case PROP_LIFE:
		fprintf(f, "%g", life_of(rep));
		break;
	case PROP_FIRMWARE:
		fputs(card_report_fw_version(rep), f);
		break;
	case PROP_STAGED_FIRMWARE:
		fputs(staged_of(rep), f);
		break;
	case PROP_FIRMWARE_UPDATE:
		fputs(rep->fw_update_state ? rep->fw_update_state : "", f);
		break;
	case PROP_OPEN_ALERTS:
		fprintf(f, "%u", open_alerts_of(rep));
		break;
	case PROP_BACKEND_ID:
		fputs(rep->backend_id ? rep->backend_id : "", f);
		break;
	case PROP_COUNT:
		break;
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* ---- Objects ----------------------------------------------------------- */

char *dbus_card_path(const char *name)
{
	char *path = NULL;

	return sd_bus_path_encode(DBUS_CARD_PATH, name, &path) < 0 ? NULL : path;
}

/* The card an object path names, or NULL. */
static struct dcard *card_of_path(struct dbus_service *svc, const char *path)
{
	char *name = NULL;
	struct dcard *dc;

	if (sd_bus_path_decode(path, DBUS_CARD_PATH, &name) <= 0 || !name)
		return NULL;
	/* Names only: a serial would be a second path to the same object. */
	dc = strncmp(name, "ocxlpmem", 8) == 0 ? manager_find_card(svc->m, name) : NULL;
	free(name);
	return dc;
}

static int find_card(sd_bus *bus, const char *path, const char *iface, void *userdata,
		     void **ret_found, sd_bus_error *error)
{
	struct dcard *dc = card_of_path(userdata, path);

	(void)bus;
	(void)iface;
	(void)error;
	if (!dc)
		return 0;
	*ret_found = dc;
	return 1;
}

static int enumerate_cards(sd_bus *bus, const char *prefix, void *userdata, char ***ret_nodes,
			   sd_bus_error *error)
{
	struct dbus_service *svc = userdata;
	char **nodes = calloc(svc->m->ncards + 1, sizeof(*nodes));

	(void)bus;
	(void)prefix;
	(void)error;
	if (!nodes)
		return -ENOMEM;
	for (size_t i = 0; i < svc->m->ncards; i++) {
		nodes[i] = dbus_card_path(card_name(svc->m->cards[i]));
		if (!nodes[i]) {
			for (size_t k = 0; k < i; k++)
				free(nodes[k]);
			free(nodes);
			return -ENOMEM;
		}
	}
	*ret_nodes = nodes;
	return 1;
}

/* ---- Property getters ------------------------------------------------- */

#define GETTER(fn) \
	static int fn(sd_bus *bus, const char *path, const char *iface, const char *property, \
		      sd_bus_message *reply, void *userdata, sd_bus_error *error)

static void report_of(void *userdata, struct card_report *rep)
{
	card_report_get(userdata, rep);
}

GETTER(get_name)
{
	(void)bus, (void)path, (void)iface, (void)property, (void)error;
	return sd_bus_message_append(reply, "s", card_name(userdata));
}

GETTER(get_serial)
{
	(void)bus, (void)path, (void)iface, (void)property, (void)error;
	return sd_bus_message_append(reply, "t", card_serial(userdata));
}

GETTER(get_prop)
{
	struct card_report rep;
	int r;

	(void)bus, (void)path, (void)iface, (void)error;
	report_of(userdata, &rep);
	if (strcmp(property, "Present") == 0)
		return sd_bus_message_append(reply, "b", rep.present);
	if (strcmp(property, "Health") == 0)
		return sd_bus_message_append(reply, "s", card_health_name(rep.health->state));
	if (strcmp(property, "TemperatureC") == 0)
		return sd_bus_message_append(reply, "d", temperature_of(&rep));
	if (strcmp(property, "LifeRemainingPct") == 0)
		return sd_bus_message_append(reply, "d", life_of(&rep));
	if (strcmp(property, "FirmwareVersion") == 0)
		return sd_bus_message_append(reply, "s", card_report_fw_version(&rep));
	if (strcmp(property, "StagedFirmwareVersion") == 0)
		return sd_bus_message_append(reply, "s", staged_of(&rep));
	if (strcmp(property, "FirmwareUpdate") == 0)
		return sd_bus_message_append(reply, "s",
					     rep.fw_update_state ? rep.fw_update_state : "");
	if (strcmp(property, "OpenAlerts") == 0)
		return sd_bus_message_append(reply, "u", open_alerts_of(&rep));
	if (strcmp(property, "BackendId") == 0)
		return sd_bus_message_append(reply, "s", rep.backend_id ? rep.backend_id : "");
	if (strcmp(property, "Unsupported") == 0) {
		r = sd_bus_message_open_container(reply, 'a', "s");
		for (unsigned int fn = OCXLPMEM_FN_MIN; r >= 0 && fn <= OCXLPMEM_FN_MAX; fn++)
			if (rep.identified && !card_report_has_function(&rep, fn))
				r = sd_bus_message_append(reply, "s", ocxlpmem_function_name(fn));
		return r < 0 ? r : sd_bus_message_close_container(reply);
	}
	if (strcmp(property, "Reasons") == 0) {
		r = sd_bus_message_open_container(reply, 'a', "(sss)");
		for (unsigned int i = 0; r >= 0 && i < rep.health->nreasons; i++) {
			const struct health_reason *hr = &rep.health->reasons[i];

			r = sd_bus_message_append(reply, "(sss)", hr->code,
						  card_health_name(hr->level), hr->text);
		}
		return r < 0 ? r : sd_bus_message_close_container(reply);
	}
	return -ENOENT;
}

/* ---- Actions ----------------------------------------------------------- */

enum card_action { ACTION_REQUEST_HEALTH, ACTION_START_DUMP, ACTION_CANCEL_FIRMWARE };

struct pending_action {
	struct dbus_service *svc;
	enum card_action action;
	char card[32];          /* by name: the card may go while we ask */
};

/* "CARD: what" as the error's message. */
static int reply_error(sd_bus_message *call, const char *name, const char *card, const char *what)
{
	char text[160];

	snprintf(text, sizeof(text), "%s: %s", card, what);
	return sd_bus_reply_method_error(call, &SD_BUS_ERROR_MAKE_CONST(name, text));
}

/* Run the action for an administrator; the answer to the call. */
static void run_action(sd_bus_message *call, struct pending_action *pa, uid_t uid)
{
	struct dcard *dc = manager_find_card(pa->svc->m, pa->card);
	int r;

	if (!dc) {
		reply_error(call, "org.freedesktop.DBus.Error.UnknownObject", pa->card, "gone");
		return;
	}
	switch (pa->action) {
	case ACTION_REQUEST_HEALTH:
		r = card_request_health(dc);
		if (r == 0)
			log_info("%s: health data requested over D-Bus by uid %u", pa->card,
				 (unsigned int)uid);
		break;
	case ACTION_START_DUMP:
		r = dump_start_user(dc);
		if (r == 0)
			log_notice("%s: dump collection requested over D-Bus by uid %u", pa->card,
				   (unsigned int)uid);
		break;
	case ACTION_CANCEL_FIRMWARE:
		r = fwupdate_cancel(dc, uid);
		if (r < 0 && fwupdate_upload_drop(dc))
			r = 0;
		else if (r < 0)
			r = -ESRCH;
		break;
	default:
		r = -EINVAL;
	}
	if (r == 0)
		sd_bus_reply_method_return(call, "");
	else if (r == -ENXIO)
		reply_error(call, DBUS_ERROR_PREFIX "CardOffline", pa->card, "not present");
	else if (r == -EBUSY)
		reply_error(call, DBUS_ERROR_PREFIX "DumpBusy", pa->card,
			    "a dump collection already runs");
	else if (r == -EOPNOTSUPP)
		reply_error(call, DBUS_ERROR_PREFIX "NotSupported", pa->card,
			    "the card does not support this");
	else if (r == -ESRCH)
		reply_error(call, DBUS_ERROR_PREFIX "NoFirmwareUpdate", pa->card,
			    "no firmware update or upload to cancel");
	else
		sd_bus_reply_method_errnof(call, -r, "%s: %%m", pa->card);
}

static void on_authorised(sd_bus_message *call, bool allowed, uid_t uid, void *userdata)
{
	struct pending_action *pa = userdata;

	if (pa->svc->bus && !pa->svc->stopping) {
		if (allowed)
			run_action(call, pa, uid);
		else
			sd_bus_reply_method_errorf(call, SD_BUS_ERROR_ACCESS_DENIED,
						   "changing %s needs root or the admin group",
						   pa->card);
		bus_loop_kick(pa->svc->loop);
	}
	free(pa);
}

static int start_action(sd_bus_message *call, struct dcard *dc, struct dbus_service *svc,
			enum card_action action, sd_bus_error *error)
{
	struct pending_action *pa = calloc(1, sizeof(*pa));
	int r;

	if (!pa)
		return -ENOMEM;
	pa->svc = svc;
	pa->action = action;
	snprintf(pa->card, sizeof(pa->card), "%s", card_name(dc));
	r = dbus_auth_check(call, &svc->rule, on_authorised, pa);
	if (r < 0) {
		free(pa);
		return sd_bus_error_set_errnof(error, r, "cannot check the caller: %m");
	}
	return 1; /* answered from on_authorised() */
}

/* The vtable's userdata is the card (find_card); the service is the
 * fallback's, reached through the slot. */
static struct dbus_service *service_of(sd_bus_message *call)
{
	return sd_bus_slot_get_userdata(sd_bus_get_current_slot(sd_bus_message_get_bus(call)));
}

static int m_request_health(sd_bus_message *call, void *userdata, sd_bus_error *error)
{
	return start_action(call, userdata, service_of(call), ACTION_REQUEST_HEALTH, error);
}

static int m_start_dump(sd_bus_message *call, void *userdata, sd_bus_error *error)
{
	return start_action(call, userdata, service_of(call), ACTION_START_DUMP, error);
}

static int m_cancel_firmware(sd_bus_message *call, void *userdata, sd_bus_error *error)
{
	return start_action(call, userdata, service_of(call), ACTION_CANCEL_FIRMWARE, error);
}

#define CHANGING SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

static const sd_bus_vtable card_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Serial", "t", get_serial, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Present", "b", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("Health", "s", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("Reasons", "a(sss)", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("TemperatureC", "d", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("LifeRemainingPct", "d", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("FirmwareVersion", "s", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("StagedFirmwareVersion", "s", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("FirmwareUpdate", "s", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("OpenAlerts", "u", get_prop, 0, CHANGING),
	SD_BUS_PROPERTY("BackendId", "s", get_prop, 0, CHANGING),
	/* Changes only when the card is identified again (an attach). */
	SD_BUS_PROPERTY("Unsupported", "as", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
	SD_BUS_METHOD("RequestHealth", "", "", m_request_health, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("StartDump", "", "", m_start_dump, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("CancelFirmwareUpdate", "", "", m_cancel_firmware,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int dbus_card_register(struct dbus_service *svc)
{
	int r;

	r = sd_bus_add_fallback_vtable(svc->bus, NULL, DBUS_CARD_PATH, DBUS_CARD_IFACE,
				       card_vtable, find_card, svc);
	if (r < 0)
		return r;
	return sd_bus_add_node_enumerator(svc->bus, NULL, DBUS_CARD_PATH, enumerate_cards, svc);
}

/* ---- Changes ----------------------------------------------------------- */

/* What was announced of dc, kept with the card (card_caches()). */
static struct dbus_card_props *props_get(struct dcard *dc)
{
	struct card_caches *cc = card_caches(dc);

	if (!cc->dbus) {
		cc->dbus = calloc(1, sizeof(*cc->dbus));
		if (cc->dbus)
			cc->dbus->dc = dc;
	}
	return cc->dbus;
}

static void props_free(struct dbus_card_props *p)
{
	for (unsigned int i = 0; i < PROP_COUNT; i++)
		free(p->text[i]);
	free(p);
}

bool dbus_card_announce(struct dbus_service *svc, struct dcard *dc)
{
	struct dbus_card_props *p;

	if (!svc->bus || !(p = props_get(dc)) || p->object_announced)
		return false;
	p->object_announced = true;
	return true;
}

void dbus_card_changed(struct dbus_service *svc, struct dcard *dc)
{
	struct dbus_card_props *p;

	if (!svc->bus)
		return;
	p = props_get(dc);
	if (!p || p->queued)
		return;
	if (svc->ndirty == svc->dirty_cap) {
		size_t cap = svc->dirty_cap ? 2 * svc->dirty_cap : 16;
		struct dcard **n = realloc(svc->dirty, cap * sizeof(*n));

		if (!n)
			return;
		svc->dirty = n;
		svc->dirty_cap = cap;
	}
	svc->dirty[svc->ndirty++] = dc;
	p->queued = true;
	event_active(svc->flush, 0, 0);
}

/* Compare dc's properties with the last announced; announce the changed. */
static void flush_card(struct dbus_service *svc, struct dbus_card_props *p)
{
	const char *changed[PROP_COUNT + 1];
	struct card_report rep;
	unsigned int n = 0;
	bool first = !p->text[PROP_HEALTH];
	char *path;

	card_report_get(p->dc, &rep);
	for (unsigned int i = 0; i < PROP_COUNT; i++) {
		char *t = prop_text(&rep, i);

		if (!t)
			continue;
		if (!p->text[i] || strcmp(p->text[i], t) != 0) {
			free(p->text[i]);
			p->text[i] = t;
			changed[n++] = prop_names[i];
		} else {
			free(t);
		}
	}
	changed[n] = NULL;
	/* The first look only records: nobody was told the old values. */
	if (first || n == 0)
		return;
	path = dbus_card_path(rep.name);
	if (path)
		sd_bus_emit_properties_changed_strv(svc->bus, path, DBUS_CARD_IFACE,
						    (char **)changed);
	free(path);
}

void dbus_card_flush(struct dbus_service *svc)
{
	for (size_t i = 0; i < svc->ndirty; i++) {
		struct dbus_card_props *p = card_caches(svc->dirty[i])->dbus;

		if (!p)
			continue;
		p->queued = false;
		if (svc->bus)
			flush_card(svc, p);
	}
	svc->ndirty = 0;
	bus_loop_kick(svc->loop);
}

void dbus_card_forget(struct dbus_service *svc, struct dcard *dc)
{
	struct card_caches *cc = card_caches(dc);

	if (!cc->dbus)
		return;
	/* Out of the queue too: the card is about to be freed. */
	if (cc->dbus->queued) {
		size_t k = 0;

		while (k < svc->ndirty && svc->dirty[k] != dc)
			k++;
		if (k < svc->ndirty)
			svc->dirty[k] = svc->dirty[--svc->ndirty];
	}
	props_free(cc->dbus);
	cc->dbus = NULL;
}

void dbus_card_forget_all(struct dbus_service *svc)
{
	for (size_t i = 0; i < svc->m->ncards; i++)
		dbus_card_forget(svc, svc->m->cards[i]);
	svc->ndirty = 0;
}
