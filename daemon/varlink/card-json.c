// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state.h"
#include "varlink/card-json.h"

static const char *const poll_names[POLL_KINDS] = { "health", "stats", "firmware" };

struct json_object *json_u64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_object_new_string(buf);
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static struct json_object *reasons_json(const struct health_report *rep)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < rep->nreasons; i++) {
		const struct health_reason *r = &rep->reasons[i];
		struct json_object *o = json_object_new_object();

		/* condition: the one name for it everywhere (metrics label,
		 * journal OCXLPMEM_CONDITION); code: interface 1 and 2. */
		add_str(o, "condition", r->code);
		add_str(o, "code", r->code);
		add_str(o, "level", card_health_name(r->level));
		add_str(o, "text", r->text);
		json_object_object_add(o, "value", r->has_value ? json_object_new_int64(r->value) : NULL);
		json_object_object_add(o, "threshold",
				       r->has_value ? json_object_new_int64(r->threshold) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *events_json(uint64_t events)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < 4; i++)
		if (events & (1ull << i))
			json_object_array_add(a, json_object_new_string(ocxlpmem_event_name(1ull << i)));
	return a;
}

/* The functions the daemon does not send the card: not in its
 * CAPABILITIES, or failed with ENOTTY.  Null until it was identified. */
static struct json_object *unsupported_json(const struct card_report *rep)
{
	struct json_object *a;

	if (!rep->identified)
		return NULL;
	a = json_object_new_array();
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		if (!card_report_has_function(rep, fn))
			json_object_array_add(a, json_object_new_string(ocxlpmem_function_name(fn)));
	return a;
}

struct json_object *card_json_summary(const struct card_report *rep)
{
	/* Only what a present card reports now: never a stale number (its
	 * last SMART read succeeded). */
	const struct ocxlpmem_smart *smart = card_report_smart_now(rep);
	struct json_object *o = json_object_new_object();
	unsigned int open = 0, life;
	int temp;

	add_str(o, "name", rep->name);
	json_object_object_add(o, "serial", json_u64(rep->serial));
	add_str(o, "backend_id", rep->backend_id);
	add_str(o, "transport", rep->transport);
	json_object_object_add(o, "present", json_object_new_boolean(rep->present));
	add_str(o, "health", card_health_name(rep->health->state));
	json_object_object_add(o, "reasons", reasons_json(rep->health));
	json_object_object_add(o, "temperature_c",
			       smart && ocxlpmem_smart_temperature_c(smart, &temp) ?
				       json_object_new_int(temp) : NULL);
	json_object_object_add(o, "life_remaining_pct",
			       smart && ocxlpmem_smart_life_remaining_pct(smart, &life) ?
				       json_object_new_int((int)life) : NULL);
	add_str(o, "firmware_version",
		card_report_fw_version(rep)[0] ? card_report_fw_version(rep) : NULL);
	add_str(o, "staged_firmware_version",
		rep->fw && rep->fw->staged_version[0] ? rep->fw->staged_version : NULL);
	add_str(o, "firmware_update", rep->fw_update_state);
	for (size_t i = 0; i < rep->nalerts; i++)
		open += rep->alerts[i].active;
	add_int(o, "open_alerts", open);
	json_object_object_add(o, "events", events_json(rep->events));
	json_object_object_add(o, "unsupported", unsupported_json(rep));
	return o;
}

static struct json_object *caps_json(const struct ocxlpmem_capabilities *c)
{
	struct json_object *o = json_object_new_object(), *fns = json_object_new_array();
	char rev[16];

	add_str(o, "firmware_version", c->fw_version);
	json_object_object_add(o, "memory_size", json_u64(c->memory_size));
	snprintf(rev, sizeof(rev), "%u.%u", c->scm_revision >> 4, c->scm_revision & 0xF);
	add_str(o, "scm_revision", rev);
	add_int(o, "read_latency_ns", c->read_latency_ns);
	add_int(o, "readiness_timeout_s", c->readiness_timeout_s);
	add_int(o, "memory_available_timeout_s", c->memory_available_timeout_s);
	add_int(o, "max_dump_size", c->max_dump_size);
	add_int(o, "admin_buffer_size", c->admin_buffer_size);
	for (unsigned int fn = OCXLPMEM_FN_MIN; fn <= OCXLPMEM_FN_MAX; fn++)
		if (c->functions & (1u << fn))
			json_object_array_add(fns, json_object_new_string(ocxlpmem_function_name(fn)));
	json_object_object_add(o, "functions", fns);
	return o;
}

static struct json_object *smart_json(const struct ocxlpmem_smart *s)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < s->count; i++) {
		const struct ocxlpmem_smart_attr *at = &s->attrs[i];
		struct json_object *o = json_object_new_object();

		add_int(o, "id", at->id);
		add_int(o, "flags", at->flags);
		add_int(o, "current", at->current);
		add_int(o, "threshold", at->threshold);
		add_int(o, "worst", at->worst);
		json_object_object_add(o, "raw", json_u64(at->raw));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *stats_json(const struct ocxlpmem_stats *s)
{
	struct json_object *o = json_object_new_object();

	add_int(o, "reset_count", s->reset_count);
	add_int(o, "reset_uptime_s", s->reset_uptime_s);
	add_int(o, "power_on_uptime_s", s->power_on_uptime_s);
	add_int(o, "life_remaining_pct", s->life_remaining_pct);
	add_int(o, "critical_resource_utilization_pct", s->critical_resource_utilization_pct);
	json_object_object_add(o, "host_load_count", json_u64(s->host_load_count));
	json_object_object_add(o, "host_store_count", json_u64(s->host_store_count));
	json_object_object_add(o, "host_load_duration_ns", json_u64(s->host_load_duration_ns));
	json_object_object_add(o, "host_store_duration_ns", json_u64(s->host_store_duration_ns));
	json_object_object_add(o, "media_read_count", json_u64(s->media_read_count));
	json_object_object_add(o, "media_write_count", json_u64(s->media_write_count));
	json_object_object_add(o, "media_read_duration_ns", json_u64(s->media_read_duration_ns));
	json_object_object_add(o, "media_write_duration_ns", json_u64(s->media_write_duration_ns));
	json_object_object_add(o, "cache_read_hit_count", json_u64(s->cache_read_hit_count));
	json_object_object_add(o, "cache_write_hit_count", json_u64(s->cache_write_hit_count));
	json_object_object_add(o, "fast_write_count", json_u64(s->fast_write_count));
	return o;
}

static struct json_object *fw_json(const struct ocxlpmem_firmware_info *f,
				   struct json_object *update)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "running_version", f->running_version);
	add_str(o, "staged_version", f->staged_version[0] ? f->staged_version : NULL);
	json_object_object_add(o, "update_in_progress",
			       json_object_new_boolean(f->update_state == OCXLPMEM_FW_RECEIVING));
	add_int(o, "bytes_received", f->bytes_received);
	add_int(o, "max_image_size", f->max_image_size);
	/* The update running now, else the last one this daemon ran. */
	json_object_object_add(o, "update", update);
	return o;
}

static struct json_object *flags_json(uint64_t bits, const char *(*name)(uint64_t), unsigned int n)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < n; i++)
		if (bits & (1ull << i))
			json_object_array_add(a, json_object_new_string(name(1ull << i)));
	return a;
}

static const char *ctl_flag_name(uint64_t bit)
{
	switch (bit) {
	case OCXLPMEM_HEALTH_READY:
		return "ready";
	case OCXLPMEM_HEALTH_FIRMWARE_FATAL:
		return "firmware-fatal";
	case OCXLPMEM_HEALTH_HARDWARE_FATAL:
		return "hardware-fatal";
	default:
		return "memory-available";
	}
}

struct json_object *card_json_detail(const struct card_report *rep, struct json_object *fw_update)
{
	static const char *const type_names[] = {
		"general", "predictive-failure", "thermal-warning", "data-loss", "health-performance",
	};
	struct json_object *o = json_object_new_object(), *polls, *alerts, *totals;

	json_object_object_add(o, "summary", card_json_summary(rep));
	json_object_object_add(o, "capabilities", rep->caps ? caps_json(rep->caps) : NULL);
	json_object_object_add(o, "smart", rep->smart ? smart_json(rep->smart) : NULL);
	json_object_object_add(o, "controller",
			       rep->ctl ? flags_json(rep->ctl->flags, ctl_flag_name, 4) : NULL);
	json_object_object_add(o, "stats", rep->stats ? stats_json(rep->stats) : NULL);
	/* Shown only with the firmware reading: otherwise it is not used. */
	if (rep->fw)
		json_object_object_add(o, "firmware", fw_json(rep->fw, fw_update));
	else {
		json_object_put(fw_update);
		json_object_object_add(o, "firmware", NULL);
	}
	json_object_object_add(o, "events", events_json(rep->events));

	polls = json_object_new_array();
	for (unsigned int k = 0; k < POLL_KINDS; k++) {
		const struct card_poll_report *p = &rep->polls[k];
		struct json_object *po = json_object_new_object();

		add_str(po, "kind", poll_names[k]);
		add_int(po, "interval_s", p->interval_s);
		json_object_object_add(po, "last_ok_usec",
				       p->last_ok_us ? json_object_new_int64((int64_t)p->last_ok_us) : NULL);
		add_int(po, "last_duration_ms", (int64_t)p->last_duration_ms);
		add_int(po, "consecutive_failures", p->consecutive_failures);
		add_int(po, "total", (int64_t)p->total);
		add_int(po, "failed", (int64_t)p->failed);
		json_object_array_add(polls, po);
	}
	json_object_object_add(o, "polls", polls);

	alerts = json_object_new_array();
	for (size_t i = 0; i < rep->nalerts; i++) {
		const struct alert_record *a = &rep->alerts[i];
		struct json_object *ao = json_object_new_object();

		add_str(ao, "condition", a->key);
		add_str(ao, "key", a->key);
		json_object_object_add(ao, "active", json_object_new_boolean(a->active));
		add_str(ao, "level", card_health_name(a->level));
		add_int(ao, "since_usec", (int64_t)a->since_us);
		add_int(ao, "last_sent_usec", (int64_t)a->last_sent_us);
		add_int(ao, "reminders", a->reminders);
		add_str(ao, "detail", a->detail);
		json_object_array_add(alerts, ao);
	}
	json_object_object_add(o, "alerts", alerts);
	add_str(o, "last_error", rep->last_error);
	totals = json_object_new_object();
	for (unsigned int t = 0; t < CARD_ERRLOG_TYPES; t++)
		add_int(totals, type_names[t], (int64_t)rep->errlog_total[t]);
	json_object_object_add(o, "error_log_totals", totals);
	return o;
}

struct json_object *card_json_errlog_entry(const struct errlog_record *e)
{
	static const uint32_t bits[] = {
		OCXLPMEM_ACTION_RESET, OCXLPMEM_ACTION_CHKFW, OCXLPMEM_ACTION_REPLACE,
		OCXLPMEM_ACTION_DUMP,
	};
	struct json_object *o = json_object_new_object(), *acts = json_object_new_array();
	char wwid[40], *hex;

	add_int(o, "id", e->id);
	add_str(o, "type", ocxlpmem_error_log_type_name(e->type));
	add_int(o, "program_reference_code", e->program_reference_code);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (e->action_flags & bits[i])
			json_object_array_add(acts, json_object_new_string(ocxlpmem_action_name(bits[i])));
	json_object_object_add(o, "actions", acts);
	add_int(o, "power_on_seconds", e->power_on_seconds);
	json_object_object_add(o, "timestamp_ns", json_u64(e->timestamp_ns));
	add_int(o, "received_usec", (int64_t)e->received_us);
	snprintf(wwid, sizeof(wwid), "%016" PRIx64 "%016" PRIx64, e->wwid[0], e->wwid[1]);
	add_str(o, "wwid", wwid);
	add_str(o, "fw_revision", e->fw_revision);
	add_int(o, "data_size", e->data_size);
	add_int(o, "data_needed", e->data_needed);
	hex = calloc(1, (size_t)e->data_size * 2 + 1);
	if (hex) {
		for (unsigned int i = 0; i < e->data_size && e->data; i++)
			snprintf(hex + 2 * i, 3, "%02x", e->data[i]);
		add_str(o, "data", hex);
		free(hex);
	}
	return o;
}
