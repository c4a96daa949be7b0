// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every key of ocxlpmemd.conf in one table, config_keys[]: section, name,
 * type, range, default, the field it lands in and whether a [card SERIAL]
 * section may set it.  The loader, the defaults, the error messages and
 * ocxlpmemd.conf(5) all follow it; change the man page and the shipped
 * example (config/ocxlpmemd.conf) with it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-keys.h"
#include "config/config-value.h"

const char *const config_section_names[SEC_MAX] = {
	[SEC_POLL] = "poll",
	[SEC_THRESHOLDS] = "thresholds",
	[SEC_ALERTS] = "alerts",
	[SEC_PATHS] = "paths",
	[SEC_METRICS] = "metrics",
	[SEC_ACCESS] = "access",
	[SEC_DUMPS] = "dumps",
	[SEC_SIMULATOR] = "simulator",
	[SEC_KERNEL] = "kernel",
	[SEC_DBUS] = "dbus",
};

/* By value: enum ocxlpmem_kernel_transport. */
static const char *const kernel_transport_names[] = {
	[OCXLPMEM_KERNEL_AUTO] = "auto",
	[OCXLPMEM_KERNEL_TUNNEL] = "tunnel",
	[OCXLPMEM_KERNEL_CHARDEV] = "chardev",
	NULL,
};

static const char *const reminder_names[] = {
	[REMINDER_ONCE] = "once",
	[REMINDER_DAILY] = "daily",
	[REMINDER_DIMINISHING] = "diminishing",
	NULL,
};

#define CFG(m) .offset = offsetof(struct config, m), .width = sizeof(((struct config *)NULL)->m)
#define CARD(m, bit) .card_offset = offsetof(struct card_config, m), .card_bit = (bit)

/*
 * Every key.  The order is the order of ocxlpmemd.conf(5) and of the
 * shipped example; messages list keys in this order too.
 */
static const struct key keys[] = {
	{ SEC_POLL, "health_interval", KEY_DURATION, CFG(intervals.health_s),
	  .min = 5, .max = 7 * DAY, .zero_disables = true, .def = 60,
	  CARD(intervals.health_s, CARD_SET_HEALTH_S) },
	{ SEC_POLL, "stats_interval", KEY_DURATION, CFG(intervals.stats_s),
	  .min = 5, .max = 7 * DAY, .zero_disables = true, .def = 5 * MINUTE,
	  CARD(intervals.stats_s, CARD_SET_STATS_S) },
	{ SEC_POLL, "firmware_interval", KEY_DURATION, CFG(intervals.firmware_s),
	  .min = 5, .max = 7 * DAY, .zero_disables = true, .def = HOUR,
	  CARD(intervals.firmware_s, CARD_SET_FIRMWARE_S) },
	{ SEC_POLL, "jitter", KEY_UINT, CFG(jitter_pct), .min = 0, .max = 50, .def = 10 },
	{ SEC_POLL, "backoff_max", KEY_DURATION, CFG(backoff_max_s),
	  .min = 10, .max = DAY, .def = 10 * MINUTE },
	{ SEC_POLL, "unresponsive_after", KEY_UINT, CFG(unresponsive_after),
	  .min = 1, .max = 100, .def = 3 },

	{ SEC_THRESHOLDS, "temperature_warning", KEY_INT, CFG(thresholds.temperature_warning_c),
	  .imin = -40, .imax = 150, .idef = 70,
	  CARD(thresholds.temperature_warning_c, CARD_SET_TEMP_WARNING) },
	{ SEC_THRESHOLDS, "temperature_critical", KEY_INT, CFG(thresholds.temperature_critical_c),
	  .imin = -40, .imax = 150, .idef = 85,
	  CARD(thresholds.temperature_critical_c, CARD_SET_TEMP_CRITICAL) },
	{ SEC_THRESHOLDS, "life_warning", KEY_UINT, CFG(thresholds.life_warning_pct),
	  .min = 0, .max = 100, .def = 20,
	  CARD(thresholds.life_warning_pct, CARD_SET_LIFE_WARNING) },
	{ SEC_THRESHOLDS, "life_critical", KEY_UINT, CFG(thresholds.life_critical_pct),
	  .min = 0, .max = 100, .def = 5,
	  CARD(thresholds.life_critical_pct, CARD_SET_LIFE_CRITICAL) },
	{ SEC_THRESHOLDS, "error_log_window", KEY_DURATION, CFG(thresholds.error_log_window_s),
	  .min = MINUTE, .max = 365 * DAY, .def = DAY,
	  CARD(thresholds.error_log_window_s, CARD_SET_ERRLOG_WINDOW) },

	{ SEC_ALERTS, "reminder", KEY_ENUM, CFG(reminder), .names = reminder_names,
	  .def = REMINDER_ONCE },

	{ SEC_PATHS, "state_dir", KEY_STRING, CFG(state_dir), .check = value_check_absolute_path,
	  .expected = "an absolute path" },
	{ SEC_PATHS, "runtime_dir", KEY_STRING, CFG(runtime_dir), .check = value_check_absolute_path,
	  .expected = "an absolute path" },

	{ SEC_METRICS, "listen", KEY_STRING, CFG(metrics_listen), .check = value_check_listen,
	  .expected = "off, or ADDRESS:PORT such as 127.0.0.1:9580, [::1]:9580 or localhost:9580",
	  .sdef = "127.0.0.1:9580" },
	{ SEC_METRICS, "request_timeout", KEY_DURATION, CFG(metrics_request_timeout_s),
	  .min = 1, .max = 300, .def = 10 },

	{ SEC_ACCESS, "admin_group", KEY_STRING, CFG(admin_group), .check = value_check_group,
	  .expected = "a group name: a-z or _, then a-z, 0-9, _ or -, at most 32 characters" },

	{ SEC_DUMPS, "max_per_card", KEY_UINT, CFG(dump_max_per_card),
	  .min = 1, .max = 1000, .def = 8 },
	{ SEC_DUMPS, "max_bytes_per_card", KEY_SIZE, CFG(dump_max_bytes_per_card),
	  .min = MIB, .max = TIB, .def = 2 * GIB },
	{ SEC_DUMPS, "max_bytes_total", KEY_SIZE, CFG(dump_max_bytes_total),
	  .min = MIB, .max = 16 * TIB, .def = 8 * GIB },
	{ SEC_DUMPS, "retry_interval", KEY_DURATION, CFG(dump_retry_s),
	  .min = 1, .max = 86400, .def = 60 },

	{ SEC_SIMULATOR, "cards", KEY_UINT, CFG(sim_cards), .min = 0, .max = SIM_CARDS_MAX, .def = 2 },
	{ SEC_SIMULATOR, "serial_base", KEY_UINT, CFG(sim_serial_base),
	  .min = 0, .max = UINT64_MAX, .def = 0 },
	{ SEC_SIMULATOR, "dump_size", KEY_SIZE, CFG(sim_dump_size),
	  .min = 8, .max = 256 * MIB, .multiple_of = 8, .def = 16 * MIB },
	{ SEC_SIMULATOR, "realistic_latency", KEY_BOOL, CFG(sim_realistic_latency), .def = true },

	{ SEC_KERNEL, "transport", KEY_ENUM, CFG(kernel_transport), .names = kernel_transport_names,
	  .def = OCXLPMEM_KERNEL_AUTO },

	{ SEC_DBUS, "enable", KEY_BOOL, CFG(dbus_enable), .def = true },
};

/* The loader sizes its arrays by CONFIG_NKEYS: it must count keys[]. */
_Static_assert(ELEMENTSOF(keys) == CONFIG_NKEYS, "CONFIG_NKEYS must be the number of keys");
const struct key *const config_keys = keys;

static void describe_range(const struct key *k, char *buf, size_t size)
{
	char a[32], b[32];
	size_t o;

	switch (k->type) {
	case KEY_UINT:
		if (k->min == 0 && k->max == UINT64_MAX)
			snprintf(buf, size, "a decimal number");
		else
			snprintf(buf, size, "%" PRIu64 " to %" PRIu64, k->min, k->max);
		break;
	case KEY_INT:
		snprintf(buf, size, "%" PRId64 " to %" PRId64, k->imin, k->imax);
		break;
	case KEY_DURATION:
		snprintf(buf, size, "%s%s to %s", k->zero_disables ? "0 to disable, or " : "",
			 value_format_duration(k->min, a, sizeof(a)), value_format_duration(k->max, b, sizeof(b)));
		break;
	case KEY_SIZE:
		snprintf(buf, size, "%s to %s%s", value_format_size(k->min, a, sizeof(a)),
			 value_format_size(k->max, b, sizeof(b)),
			 k->multiple_of > 1 ? ", a multiple of 8" : "");
		break;
	case KEY_BOOL:
		snprintf(buf, size, "yes, no, true, false, on, off, 1 or 0");
		break;
	case KEY_ENUM:
		o = 0;
		buf[0] = '\0';
		for (size_t i = 0; k->names[i] && o < size; i++)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
					      i == 0 ? "" : k->names[i + 1] ? ", " : " or ",
					      k->names[i]);
		break;
	case KEY_STRING:
		snprintf(buf, size, "%s", k->expected);
		break;
	}
}

/*
 * Parse text for key k.  0 with *ret set, -EINVAL with why set to "what is
 * wrong (expected ...)", or -ENOMEM.
 */
int config_key_parse(const struct key *k, const char *text, union value *ret, char *why,
		     size_t whysize)
{
	char range[160], q[128];
	const char *what = NULL;
	uint64_t u = 0;
	int64_t i = 0;
	bool b = false;
	int r;

	describe_range(k, range, sizeof(range));
	if (!*text) {
		if (k->type == KEY_DURATION)
			snprintf(why, whysize, "empty value (expected a duration, %s)", range);
		else if (k->type == KEY_SIZE)
			snprintf(why, whysize, "empty value (expected a size, %s)", range);
		else
			snprintf(why, whysize, "empty value (expected %s)", range);
		return -EINVAL;
	}
	value_quote(text, q, sizeof(q));

	switch (k->type) {
	case KEY_UINT:
		r = value_parse_scaled(text, "", NULL, &u);
		if (r == -EINVAL)
			what = "is not a number";
		else if (r < 0 || u < k->min || u > k->max)
			what = "is out of range";
		break;
	case KEY_INT:
		r = value_parse_int(text, &i);
		if (r == -EINVAL)
			what = "is not a number";
		else if (r < 0 || i < k->imin || i > k->imax)
			what = "is out of range";
		break;
	case KEY_DURATION:
		r = value_parse_duration(text, &u);
		if (r == -EINVAL) {
			snprintf(why, whysize, "'%s' is not a duration (expected e.g. 30s, 5m, 1h)", q);
			return -EINVAL;
		}
		if (r < 0 || ((u || !k->zero_disables) && (u < k->min || u > k->max)))
			what = "is out of range";
		break;
	case KEY_SIZE:
		r = value_parse_size(text, &u);
		if (r == -EINVAL) {
			snprintf(why, whysize, "'%s' is not a size (expected e.g. 4096, 64K, 16M, 2G)",
				 q);
			return -EINVAL;
		}
		if (r < 0 || u < k->min || u > k->max)
			what = "is out of range";
		else if (k->multiple_of && u % k->multiple_of)
			what = "is not a multiple of 8";
		break;
	case KEY_BOOL:
		if (value_parse_bool(text, &b) < 0)
			what = "is not a boolean";
		u = b;
		break;
	case KEY_ENUM:
		what = "is not valid";
		for (size_t n = 0; k->names[n]; n++) {
			if (streq(text, k->names[n])) {
				u = n;
				what = NULL;
			}
		}
		break;
	case KEY_STRING:
		if (!k->check(text))
			what = "is not valid";
		break;
	}
	if (what) {
		snprintf(why, whysize, "'%s' %s (expected %s)", q, what, range);
		return -EINVAL;
	}

	if (k->type == KEY_STRING) {
		ret->s = strdup(text);
		if (!ret->s)
			return -ENOMEM;
	} else if (k->type == KEY_INT) {
		ret->i = i;
	} else {
		ret->u = u;
	}
	return 0;
}

/* Store into the field at base + offset; memcpy keeps the widths honest. */
void config_key_store(const struct key *k, void *base, size_t offset, union value *v)
{
	char *p = (char *)base + offset;

	switch (k->type) {
	case KEY_UINT:
	case KEY_DURATION:
	case KEY_SIZE:
		if (k->width == sizeof(uint64_t)) {
			memcpy(p, &v->u, sizeof(uint64_t));
		} else {
			uint32_t u32 = (uint32_t)v->u;

			memcpy(p, &u32, sizeof(u32));
		}
		break;
	case KEY_INT: {
		int i = (int)v->i;

		memcpy(p, &i, sizeof(i));
		break;
	}
	case KEY_BOOL: {
		bool b = v->u != 0;

		memcpy(p, &b, sizeof(b));
		break;
	}
	case KEY_ENUM: {
		/* Every enum of struct config is int-sized. */
		int e = (int)v->u;

		memcpy(p, &e, sizeof(e));
		break;
	}
	case KEY_STRING: {
		char **s = (char **)(void *)p;

		free(*s);
		*s = v->s;
		v->s = NULL;
		break;
	}
	}
}

/* Numeric value of a field, for relations and their messages. */
union value config_key_load(const struct key *k, const void *base, size_t offset)
{
	const char *p = (const char *)base + offset;
	union value v = { 0 };

	if (k->type == KEY_INT) {
		int i;

		memcpy(&i, p, sizeof(i));
		v.i = i;
	} else if (k->width == sizeof(uint64_t)) {
		memcpy(&v.u, p, sizeof(uint64_t));
	} else {
		uint32_t u32;

		memcpy(&u32, p, sizeof(u32));
		v.u = u32;
	}
	return v;
}

const char *config_key_format(const struct key *k, union value v, char *buf, size_t size)
{
	if (k->type == KEY_INT)
		snprintf(buf, size, "%" PRId64, v.i);
	else if (k->type == KEY_SIZE)
		value_format_size(v.u, buf, size);
	else if (k->type == KEY_DURATION)
		value_format_duration(v.u, buf, size);
	else
		snprintf(buf, size, "%" PRIu64, v.u);
	return buf;
}

const struct key *config_key_find(enum section section, const char *name, size_t *ret_index)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].section == section && streq(config_keys[i].name, name)) {
			if (ret_index)
				*ret_index = i;
			return &config_keys[i];
		}
	}
	return NULL;
}

const struct key *config_key_find_card(const char *name, size_t *ret_index)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].card_bit && streq(config_keys[i].name, name)) {
			*ret_index = i;
			return &config_keys[i];
		}
	}
	return NULL;
}

void config_keys_list(bool card, enum section section, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < CONFIG_NKEYS && o < size; i++) {
		if (card ? !config_keys[i].card_bit : config_keys[i].section != section)
			continue;
		o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? ", " : "", config_keys[i].name);
	}
}

static const struct card_config *find_card(const struct config *c, uint64_t serial, size_t *ret)
{
	for (size_t i = 0; i < c->ncards; i++) {
		if (c->cards[i].serial == serial) {
			if (ret)
				*ret = i;
			return &c->cards[i];
		}
	}
	return NULL;
}

/* Defaults of c with the overrides of card (which may be NULL) on top. */
void config_card_effective(const struct config *c, const struct card_config *card,
			   struct card_config *eff)
{
	*eff = (struct card_config){
		.intervals = c->intervals,
		.thresholds = c->thresholds,
	};
	if (!card)
		return;
	eff->serial = card->serial;
	eff->set_mask = card->set_mask;
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].card_bit & card->set_mask)
			memcpy((char *)eff + config_keys[i].card_offset,
			       (const char *)card + config_keys[i].card_offset, config_keys[i].width);
}

void config_for_card(const struct config *c, uint64_t serial, struct intervals *ret_intervals,
		     struct thresholds *ret_thresholds)
{
	struct card_config eff;

	config_card_effective(c, find_card(c, serial, NULL), &eff);
	if (ret_intervals)
		*ret_intervals = eff.intervals;
	if (ret_thresholds)
		*ret_thresholds = eff.thresholds;
}

struct config *config_free(struct config *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].type == KEY_STRING)
			free(*(char **)(void *)((char *)c + config_keys[i].offset));
	free(c->cards);
	free(c);
	return NULL;
}

int config_new_default(struct config **ret)
{
	struct config *c;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct key *k = &config_keys[i];
		union value v = { .u = k->def };

		if (k->type == KEY_INT) {
			v.i = k->idef;
		} else if (k->type == KEY_STRING) {
			if (!k->sdef)
				continue;
			v.s = strdup(k->sdef);
			if (!v.s) {
				config_free(c);
				return -ENOMEM;
			}
		}
		config_key_store(k, c, k->offset, &v);
	}
	*ret = c;
	return 0;
}
