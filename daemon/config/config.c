// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loading /etc/ocxlpmemd.conf and its drop-ins.
 *
 * inih does the INI syntax; this file does everything it cannot: line
 * numbers, section headers and syntax errors past the first, per-file
 * duplicate detection, typed values with ranges, and the checks between
 * keys.  One table (keys[]) describes every key: the parser, the defaults,
 * the error messages and ocxlpmemd.conf(5) all follow it.
 *
 * How inih is driven: ini_parse_stream() pulls lines through read_line(),
 * which counts physical lines and hands inih a cleaned copy of each.  inih
 * calls on_value() only for "key = value" lines, so a section header
 * ("[x]") is followed by a synthetic line "p=" whose handler call reveals
 * the section inih settled on, and preceded by a synthetic "[]" so that a
 * header inih rejects shows up as the empty section instead of leaving the
 * previous one in force.  A real line for which the handler never ran was a
 * syntax error.  Nothing here depends on how libinih was built (handler
 * line numbers, multi-line values, new-section callbacks).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config-value.h"

/* Past this many, problems are counted but not kept: a binary file given
 * as --config would otherwise flood the journal. */
#define ERRORS_SHOWN_MAX 50

/* inih copies section names into a 50-byte buffer; a longer name arrives
 * cut short and must not match anything. */
#define INIH_SECTION_MAX 50

enum section {
	SEC_POLL,
	SEC_THRESHOLDS,
	SEC_ALERTS,
	SEC_PATHS,
	SEC_METRICS,
	SEC_ACCESS,
	SEC_DUMPS,
	SEC_SIMULATOR,
	SEC_MAX,
};

static const char *const section_names[SEC_MAX] = {
	[SEC_POLL] = "poll",
	[SEC_THRESHOLDS] = "thresholds",
	[SEC_ALERTS] = "alerts",
	[SEC_PATHS] = "paths",
	[SEC_METRICS] = "metrics",
	[SEC_ACCESS] = "access",
	[SEC_DUMPS] = "dumps",
	[SEC_SIMULATOR] = "simulator",
};

enum key_type {
	KEY_UINT,     /* decimal, into an unsigned field of 4 or 8 bytes */
	KEY_INT,      /* decimal with optional '-', into an int */
	KEY_DURATION, /* seconds with an optional s/m/h/d unit, into unsigned int */
	KEY_SIZE,     /* bytes with an optional K/M/G/T unit, 4 or 8 bytes */
	KEY_BOOL,
	KEY_ENUM,     /* enum reminder_policy, the only enum so far */
	KEY_STRING,   /* char *, accepted by ->check */
};

struct key {
	enum section section;
	const char *name;
	enum key_type type;
	size_t offset; /* in struct config */
	size_t width;  /* of the field, for the stores of unsigned values */
	/* KEY_UINT, KEY_DURATION, KEY_SIZE: inclusive bounds. */
	uint64_t min, max;
	/* KEY_INT: inclusive bounds. */
	int64_t imin, imax;
	uint64_t multiple_of;  /* KEY_SIZE, when not 0 */
	bool zero_disables;    /* KEY_DURATION: 0 is allowed below min */
	uint64_t def;          /* unsigned, bool (0/1) and enum defaults */
	int64_t idef;          /* KEY_INT default */
	const char *sdef;      /* KEY_STRING default, NULL for none */
	const char *const *names; /* KEY_ENUM, NULL-terminated, by value */
	bool (*check)(const char *value); /* KEY_STRING */
	const char *expected;             /* KEY_STRING: what check() wants */
	/* Keys a [card SERIAL] section may override. */
	size_t card_offset;
	uint32_t card_bit;
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
};

#define N_KEYS ELEMENTSOF(keys)

/*
 * Pairs that must stay ordered: lo < hi (or lo <= hi when !strict).  Both
 * keys have the same type.  Checked for the global values and, for keys a
 * card may override, for each card's effective values.
 */
static const struct relation {
	enum section section;
	const char *lo, *hi;
	bool strict;
} relations[] = {
	{ SEC_THRESHOLDS, "temperature_warning", "temperature_critical", true },
	{ SEC_THRESHOLDS, "life_critical", "life_warning", true },
	{ SEC_DUMPS, "max_bytes_per_card", "max_bytes_total", false },
};

/* Where a value came from, for messages about it later. */
struct origin {
	unsigned int file; /* 1-based index into loader.paths; 0: built-in */
	unsigned int line;
	bool rejected;     /* a value was refused, so relations prove nothing */
};

struct card_origin {
	struct origin header; /* the last [card SERIAL] line naming it */
	struct origin key[N_KEYS];
};

struct loader {
	struct config *c;
	struct config_errors *errors;
	size_t nerrors; /* found, whether kept or not */
	int error;      /* first failure other than a configuration problem */
	char **paths;
	size_t npaths;
	struct origin key[N_KEYS];
	struct origin section[SEC_MAX];
	struct card_origin *cards; /* parallel to c->cards */
	size_t cards_cap;          /* room in both arrays */
	/*
	 * c->cards by serial, open addressing: index + 1, 0 for empty; a
	 * power of two at least twice ncards.  Hundreds of thousands of
	 * [card] sections must load in linear time, not a scan per header.
	 */
	size_t *card_slots;
	size_t nslots;
};

unsigned long config_card_probes;

enum line_kind {
	LINE_SKIP,   /* blank, comment, or a broken line we already reported */
	LINE_KV,     /* what should be "key = value" */
	LINE_RESET,  /* synthetic "[]" */
	LINE_HEADER, /* a "[section]" line */
	LINE_PROBE,  /* synthetic "p=" after a header */
};

enum context {
	CTX_NONE,    /* no header yet */
	CTX_SECTION, /* in section pf->section */
	CTX_CARD,    /* in [card SERIAL], card pf->card */
	CTX_IGNORE,  /* after a bad header, already reported: skip its keys */
};

struct parse_file {
	struct loader *l;
	FILE *f;
	unsigned int file;
	unsigned int lineno; /* physical line of the line inih parses now */
	char *buf;
	size_t bufsize;
	const char *header;  /* in buf: the header to hand out next */
	enum line_kind kind; /* of the line inih parses now */
	enum line_kind next; /* LINE_HEADER or LINE_PROBE still to hand out */
	bool handled;        /* on_value() accepted the current line */
	int io_error;
	enum context ctx;
	enum section section;
	size_t card;
};

static void set_error(struct loader *l, int r)
{
	/* Running out of memory trumps everything: nothing else is reliable. */
	if (!l->error || r == -ENOMEM)
		l->error = r;
}

static const char *path_of(const struct loader *l, unsigned int file)
{
	return file ? l->paths[file - 1] : "(built-in)";
}

__attribute__((format(printf, 4, 5)))
static void add_error(struct loader *l, unsigned int file, unsigned int line, const char *fmt, ...)
{
	struct config_error *v;
	char *msg, *full;
	va_list ap;
	int n;

	if (l->nerrors++ >= ERRORS_SHOWN_MAX)
		return;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	if (line)
		n = asprintf(&full, "%s:%u: %s", path_of(l, file), line, msg);
	else
		n = asprintf(&full, "%s: %s", path_of(l, file), msg);
	free(msg);
	if (n < 0)
		goto oom;

	v = reallocarray(l->errors->v, l->errors->n + 1, sizeof(*v));
	if (!v) {
		free(full);
		goto oom;
	}
	l->errors->v = v;
	v[l->errors->n++].message = full;
	return;
oom:
	set_error(l, -ENOMEM);
}


union value {
	uint64_t u; /* KEY_UINT, KEY_DURATION, KEY_SIZE, KEY_BOOL, KEY_ENUM */
	int64_t i;  /* KEY_INT */
	char *s;    /* KEY_STRING, owned */
};

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
static int parse_value(const struct key *k, const char *text, union value *ret, char *why,
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
static void store(const struct key *k, void *base, size_t offset, union value *v)
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
		enum reminder_policy e = (enum reminder_policy)v->u;

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
static union value load(const struct key *k, const void *base, size_t offset)
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

static const char *format_value(const struct key *k, union value v, char *buf, size_t size)
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

static const struct key *find_key(enum section section, const char *name, size_t *ret_index)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].section == section && streq(keys[i].name, name)) {
			if (ret_index)
				*ret_index = i;
			return &keys[i];
		}
	}
	return NULL;
}

static const struct key *find_card_key(const char *name, size_t *ret_index)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].card_bit && streq(keys[i].name, name)) {
			*ret_index = i;
			return &keys[i];
		}
	}
	return NULL;
}

static void list_keys(bool card, enum section section, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_KEYS && o < size; i++) {
		if (card ? !keys[i].card_bit : keys[i].section != section)
			continue;
		o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? ", " : "", keys[i].name);
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
static void card_effective(const struct config *c, const struct card_config *card,
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
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].card_bit & card->set_mask)
			memcpy((char *)eff + keys[i].card_offset,
			       (const char *)card + keys[i].card_offset, keys[i].width);
}

void config_for_card(const struct config *c, uint64_t serial, struct intervals *ret_intervals,
		     struct thresholds *ret_thresholds)
{
	struct card_config eff;

	card_effective(c, find_card(c, serial, NULL), &eff);
	if (ret_intervals)
		*ret_intervals = eff.intervals;
	if (ret_thresholds)
		*ret_thresholds = eff.thresholds;
}

struct config *config_free(struct config *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].type == KEY_STRING)
			free(*(char **)(void *)((char *)c + keys[i].offset));
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
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];
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
		store(k, c, k->offset, &v);
	}
	*ret = c;
	return 0;
}

void config_errors_clear(struct config_errors *errors)
{
	if (!errors)
		return;
	for (size_t i = 0; i < errors->n; i++)
		free(errors->v[i].message);
	free(errors->v);
	*errors = (struct config_errors){ 0 };
}

/* splitmix64's finaliser: serials are often consecutive. */
static size_t serial_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

/* The slot of serial in the index: its card's, or the empty one to take. */
static size_t *card_slot(const struct loader *l, uint64_t serial)
{
	size_t mask = l->nslots - 1;

	for (size_t h = serial_hash(serial) & mask;; h = (h + 1) & mask) {
		size_t *slot = &l->card_slots[h];

		if (!*slot)
			return slot;
		config_card_probes++;
		if (l->c->cards[*slot - 1].serial == serial)
			return slot;
	}
}

static int grow_card_index(struct loader *l)
{
	size_t n = l->nslots ? l->nslots * 2 : 64, *old = l->card_slots;

	l->card_slots = calloc(n, sizeof(*l->card_slots));
	if (!l->card_slots) {
		l->card_slots = old;
		return -ENOMEM;
	}
	l->nslots = n;
	for (size_t i = 0; i < l->c->ncards; i++)
		*card_slot(l, l->c->cards[i].serial) = i + 1;
	free(old);
	return 0;
}

/* Index of the card with this serial in l->c, added if new; -ENOMEM. */
static int loader_card(struct loader *l, uint64_t serial, size_t *ret)
{
	struct config *c = l->c;
	struct card_config *cards;
	struct card_origin *origins;
	size_t *slot, cap;

	if (2 * (c->ncards + 1) > l->nslots && grow_card_index(l) < 0)
		return -ENOMEM;
	slot = card_slot(l, serial);
	if (*slot) {
		*ret = *slot - 1;
		return 0;
	}
	if (c->ncards == l->cards_cap) {
		cap = l->cards_cap ? l->cards_cap * 2 : 16;
		cards = reallocarray(c->cards, cap, sizeof(*cards));
		if (!cards)
			return -ENOMEM;
		c->cards = cards;
		origins = reallocarray(l->cards, cap, sizeof(*origins));
		if (!origins)
			return -ENOMEM;
		l->cards = origins;
		l->cards_cap = cap;
	}
	c->cards[c->ncards] = (struct card_config){ .serial = serial };
	l->cards[c->ncards] = (struct card_origin){ 0 };
	*slot = c->ncards + 1;
	*ret = c->ncards++;
	return 0;
}

/* The serial exactly as sysfs prints it: no sign, no leading zeros. */
static int parse_serial(const char *s, uint64_t *ret)
{
	const char *end;

	if (s[0] == '0' && s[1])
		return -EINVAL;
	if (value_parse_digits(s, &end, ret) < 0 || *end)
		return -EINVAL;
	return 0;
}

static void enter_section(struct parse_file *pf, const char *section)
{
	struct loader *l = pf->l;
	char name[INIH_SECTION_MAX], q[4 * INIH_SECTION_MAX], qarg[4 * INIH_SECTION_MAX];
	struct origin *seen;
	const char *s, *arg;
	uint64_t serial;
	size_t len;

	pf->ctx = CTX_IGNORE;

	/* inih keeps the spaces inside the brackets. */
	s = section + strspn(section, " \t");
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len) {
		add_error(l, pf->file, pf->lineno,
			  "invalid section header (expected e.g. [poll] or [card SERIAL])");
		return;
	}
	if (strlen(section) >= INIH_SECTION_MAX - 1 || len >= sizeof(name))
		goto unknown;
	memcpy(name, s, len);
	name[len] = '\0';

	for (size_t i = 0; i < SEC_MAX; i++) {
		if (!streq(name, section_names[i]))
			continue;
		/* Its keys are still checked: the problems in them are worth knowing. */
		seen = &l->section[i];
		if (seen->file == pf->file)
			add_error(l, pf->file, pf->lineno,
				  "[%s]: section repeated, first at line %u (expected each section once per file)",
				  name, seen->line);
		else
			*seen = (struct origin){ .file = pf->file, .line = pf->lineno };
		pf->ctx = CTX_SECTION;
		pf->section = (enum section)i;
		return;
	}

	if (strncmp(name, "card", 4) != 0 || (name[4] && name[4] != ' ' && name[4] != '\t'))
		goto unknown;
	arg = name + 4 + strspn(name + 4, " \t");
	if (!*arg) {
		add_error(l, pf->file, pf->lineno, "[card]: missing serial (expected [card SERIAL])");
		return;
	}
	if (parse_serial(arg, &serial) < 0) {
		add_error(l, pf->file, pf->lineno,
			  "[%s]: '%s' is not a card serial (expected decimal digits without leading zeros, as sysfs shows it)",
			  value_quote(name, q, sizeof(q)), value_quote(arg, qarg, sizeof(qarg)));
		return;
	}
	if (loader_card(l, serial, &pf->card) < 0) {
		set_error(l, -ENOMEM);
		return;
	}
	seen = &l->cards[pf->card].header;
	if (seen->file == pf->file)
		add_error(l, pf->file, pf->lineno,
			  "[card %" PRIu64 "]: section repeated, first at line %u (expected each card once per file)",
			  serial, seen->line);
	else
		*seen = (struct origin){ .file = pf->file, .line = pf->lineno };
	pf->ctx = CTX_CARD;
	return;

unknown:
	add_error(l, pf->file, pf->lineno,
		  "[%s]: unknown section (expected poll, thresholds, alerts, paths, metrics, access, dumps, simulator or card SERIAL)",
		  value_quote(section, q, sizeof(q)));
}

static void assign(struct parse_file *pf, const char *name, const char *value)
{
	struct loader *l = pf->l;
	char title[64], keylist[512], why[512], q[128];
	const struct key *k = NULL;
	struct origin *origin = NULL;
	union value v = { 0 };
	void *base = NULL;
	size_t idx = 0, offset = 0;
	int r;

	switch (pf->ctx) {
	case CTX_IGNORE:
		return;
	case CTX_NONE:
		add_error(l, pf->file, pf->lineno,
			  "%s: key outside of any section (expected a [section] line first)",
			  value_quote(name, q, sizeof(q)));
		return;
	case CTX_SECTION:
		snprintf(title, sizeof(title), "[%s]", section_names[pf->section]);
		k = find_key(pf->section, name, &idx);
		if (k) {
			origin = &l->key[idx];
			base = l->c;
			offset = k->offset;
		}
		break;
	case CTX_CARD:
	default:
		snprintf(title, sizeof(title), "[card %" PRIu64 "]", l->c->cards[pf->card].serial);
		k = find_card_key(name, &idx);
		if (k) {
			origin = &l->cards[pf->card].key[idx];
			base = &l->c->cards[pf->card];
			offset = k->card_offset;
		}
		break;
	}
	if (!k) {
		list_keys(pf->ctx == CTX_CARD, pf->section, keylist, sizeof(keylist));
		add_error(l, pf->file, pf->lineno, "%s %s: unknown key (expected one of %s)", title,
			  value_quote(name, q, sizeof(q)), keylist);
		return;
	}

	if (origin->file == pf->file) {
		add_error(l, pf->file, pf->lineno, "%s %s: duplicate key, first set at line %u",
			  title, k->name, origin->line);
		return;
	}
	*origin = (struct origin){ .file = pf->file, .line = pf->lineno };

	r = parse_value(k, value, &v, why, sizeof(why));
	if (r == -ENOMEM) {
		set_error(l, r);
		return;
	}
	if (r < 0) {
		origin->rejected = true;
		add_error(l, pf->file, pf->lineno, "%s %s: %s", title, k->name, why);
		return;
	}
	store(k, base, offset, &v);
	if (pf->ctx == CTX_CARD)
		l->c->cards[pf->card].set_mask |= k->card_bit;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct parse_file *pf = user;

	/* Only when libinih was built to report new sections: we find them ourselves. */
	if (!name)
		return 1;

	if (pf->kind == LINE_PROBE) {
		enter_section(pf, section);
	} else if (pf->kind == LINE_KV && value) {
		pf->handled = true;
		assign(pf, name, value);
	}
	/* Always go on: we collect every problem rather than inih's first. */
	return 1;
}

static char *read_line(char *str, int num, void *stream)
{
	struct parse_file *pf = stream;
	struct loader *l = pf->l;
	const char *rest;
	size_t n;
	ssize_t len;
	char *p;

	if (pf->kind == LINE_KV && !pf->handled)
		add_error(l, pf->file, pf->lineno,
			  "syntax error (expected 'key = value', '[section]' or a comment)");
	pf->handled = false;

	/* inih's line buffer is hundreds of bytes; our synthetic lines need 3. */
	if (num < 3)
		return NULL;

	if (pf->next == LINE_HEADER) {
		pf->kind = LINE_HEADER;
		pf->next = LINE_PROBE;
		strcpy(str, pf->header);
		return str;
	}
	if (pf->next == LINE_PROBE) {
		pf->kind = LINE_PROBE;
		pf->next = LINE_SKIP;
		strcpy(str, "p=");
		return str;
	}

	pf->kind = LINE_SKIP;
	errno = 0;
	len = getline(&pf->buf, &pf->bufsize, pf->f);
	if (len < 0) {
		if (ferror(pf->f))
			pf->io_error = errno > 0 ? -errno : -EIO;
		return NULL;
	}
	pf->lineno++;
	p = pf->buf;
	n = (size_t)len;
	if (n && p[n - 1] == '\n')
		p[--n] = '\0';
	if (pf->lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	/* Without leading blanks inih never takes a line for a continuation. */
	while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v')) {
		p++;
		n--;
	}

	/*
	 * One byte short of inih's buffer: a line that fills it exactly looks
	 * like a partial read to an inih built with INI_ALLOW_REALLOC.
	 */
	if (memchr(p, '\0', n) || n + 2 > (size_t)num) {
		if (memchr(p, '\0', n))
			add_error(l, pf->file, pf->lineno, "line contains a NUL byte");
		else
			add_error(l, pf->file, pf->lineno, "line too long (at most %d characters)",
				  num - 2);
		str[0] = '\0';
		/* A broken header: its keys must not land in the section before it. */
		if (*p == '[') {
			pf->ctx = CTX_IGNORE;
			pf->kind = LINE_RESET;
			strcpy(str, "[]");
		}
		return str;
	}

	if (!n || *p == ';' || *p == '#') {
		str[0] = '\0';
		return str;
	}

	if (*p == '[') {
		/* inih ignores what follows ']', which would hide "[poll] jitter = 5". */
		rest = strchr(p, ']');
		if (rest) {
			rest += 1 + strspn(rest + 1, " \t\r\f\v");
			if (*rest && *rest != ';' && *rest != '#')
				add_error(l, pf->file, pf->lineno,
					  "unexpected text after ']' (expected a comment starting with ';' or '#')");
		}
		pf->header = p;
		pf->next = LINE_HEADER;
		pf->kind = LINE_RESET;
		strcpy(str, "[]");
		return str;
	}

	memcpy(str, p, n + 1);
	pf->kind = LINE_KV;
	return str;
}

static int add_path(struct loader *l, const char *path, unsigned int *ret)
{
	char **paths, *copy;

	if (l->npaths >= UINT_MAX - 1)
		return -E2BIG;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	paths = reallocarray(l->paths, l->npaths + 1, sizeof(*paths));
	if (!paths) {
		free(copy);
		return -ENOMEM;
	}
	l->paths = paths;
	paths[l->npaths++] = copy;
	*ret = (unsigned int)l->npaths;
	return 0;
}

/* Parse one open file; problems go to l. */
static void load_stream(struct loader *l, FILE *f, const char *path)
{
	struct parse_file pf = { .l = l, .f = f, .ctx = CTX_NONE };
	size_t before = l->nerrors;
	int r;

	r = add_path(l, path, &pf.file);
	if (r < 0) {
		set_error(l, r);
		return;
	}
	r = ini_parse_stream(read_line, &pf, on_value, &pf);
	free(pf.buf);
	if (pf.io_error) {
		add_error(l, pf.file, 0, "cannot read: %s", strerror(-pf.io_error));
		set_error(l, pf.io_error);
	} else if (r == -2) {
		set_error(l, -ENOMEM);
	} else if (r != 0 && l->nerrors == before) {
		/* Should not happen: every line inih refuses we report ourselves. */
		add_error(l, pf.file, 0, "cannot be parsed");
	}
}

static void load_path(struct loader *l, const char *path, bool missing_ok)
{
	unsigned int file;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r == -ENOENT && missing_ok)
			return;
		if (add_path(l, path, &file) < 0) {
			set_error(l, -ENOMEM);
			return;
		}
		add_error(l, file, 0, "cannot open: %s", strerror(-r));
		set_error(l, r);
		return;
	}
	load_stream(l, f, path);
	fclose(f);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dropin_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > strlen(".conf") && streq(name + n - strlen(".conf"), ".conf");
}

static void load_dropins(struct loader *l, const char *dir)
{
	char **names = NULL, **grown, *path;
	size_t n = 0;
	struct dirent *de;
	unsigned int file;
	struct stat st;
	DIR *d;
	FILE *f;
	int fd, r;

	d = opendir(dir);
	if (!d) {
		r = -errno;
		if (r == -ENOENT)
			return;
		goto fail_dir;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			r = errno ? -errno : 0;
			break;
		}
		if (!is_dropin_name(de->d_name))
			continue;
		grown = reallocarray(names, n + 1, sizeof(*names));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			r = -ENOMEM;
			break;
		}
		names = grown;
		n++;
	}
	if (r < 0)
		goto fail_dir;
	/* qsort() wants a pointer even for nothing to sort. */
	if (n)
		qsort(names, n, sizeof(*names), compare_names);

	for (size_t i = 0; i < n; i++) {
		if (asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			     names[i]) < 0) {
			set_error(l, -ENOMEM);
			break;
		}
		/* O_NONBLOCK: a FIFO named x.conf must not hang the daemon. */
		fd = openat(dirfd(d), names[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			r = -errno;
			/* Gone since readdir, or a dangling symlink: nothing to read. */
			if (r != -ENOENT && add_path(l, path, &file) == 0) {
				add_error(l, file, 0, "cannot open: %s", strerror(-r));
				set_error(l, r);
			}
			free(path);
			continue;
		}
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			free(path);
			continue;
		}
		f = fdopen(fd, "r");
		if (!f) {
			close(fd);
			free(path);
			set_error(l, -ENOMEM);
			break;
		}
		load_stream(l, f, path);
		fclose(f);
		free(path);
	}
	goto out;

fail_dir:
	if (add_path(l, dir, &file) == 0)
		add_error(l, file, 0, "cannot read drop-in directory: %s", strerror(-r));
	set_error(l, r);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
}

static bool later(const struct origin *a, const struct origin *b)
{
	return a->file != b->file ? a->file > b->file : a->line > b->line;
}

static void describe_origin(const struct loader *l, const struct origin *o, char *buf, size_t size)
{
	if (o->file)
		snprintf(buf, size, "set at %s:%u", path_of(l, o->file), o->line);
	else
		snprintf(buf, size, "the default");
}

/* One side of a relation: a value and where it was set. */
struct side {
	const struct key *key;
	union value value;
	const struct origin *origin;
	bool card; /* set in the card's own section */
};

static struct side make_side(const struct key *k, const void *base, size_t offset,
			     const struct origin *origin, bool card)
{
	return (struct side){ k, load(k, base, offset), origin, card };
}

/*
 * Blame the later of the two settings: it is the one that broke an order
 * that held before it.  card_title is NULL for the global values.
 */
static void check_pair(struct loader *l, const struct relation *rel, const struct side *lo,
		       const struct side *hi, const char *card_title)
{
	char a[32], b[32], title[64], where[PATH_MAX + 32];
	const struct side *bad, *other;
	bool ok, blame_lo;

	if (lo->origin->rejected || hi->origin->rejected)
		return;
	if (lo->key->type == KEY_INT)
		ok = rel->strict ? lo->value.i < hi->value.i : lo->value.i <= hi->value.i;
	else
		ok = rel->strict ? lo->value.u < hi->value.u : lo->value.u <= hi->value.u;
	if (ok)
		return;

	blame_lo = later(lo->origin, hi->origin);
	bad = blame_lo ? lo : hi;
	other = blame_lo ? hi : lo;
	if (bad->card)
		snprintf(title, sizeof(title), "%s", card_title);
	else
		snprintf(title, sizeof(title), "[%s]", section_names[rel->section]);
	describe_origin(l, other->origin, where, sizeof(where));
	add_error(l, bad->origin->file, bad->origin->line, "%s %s: %s must be %s %s%s%s (%s, %s)",
		  title, bad->key->name, format_value(bad->key, bad->value, a, sizeof(a)),
		  blame_lo ? (rel->strict ? "below" : "at most") :
			     (rel->strict ? "above" : "at least"),
		  other->key->name, card_title && !bad->card ? " of " : "",
		  card_title && !bad->card ? card_title : "",
		  format_value(other->key, other->value, b, sizeof(b)), where);
}

static void check_relations(struct loader *l)
{
	const struct config *c = l->c;
	char title[64];

	for (size_t r = 0; r < ELEMENTSOF(relations); r++) {
		const struct relation *rel = &relations[r];
		size_t ilo = 0, ihi = 0;
		const struct key *klo = find_key(rel->section, rel->lo, &ilo);
		const struct key *khi = find_key(rel->section, rel->hi, &ihi);
		struct side lo, hi;

		if (!klo || !khi)
			continue;
		lo = make_side(klo, c, klo->offset, &l->key[ilo], false);
		hi = make_side(khi, c, khi->offset, &l->key[ihi], false);
		check_pair(l, rel, &lo, &hi, NULL);

		if (!klo->card_bit || !khi->card_bit)
			continue;
		for (size_t i = 0; i < c->ncards; i++) {
			const struct card_config *card = &c->cards[i];
			const struct card_origin *co = &l->cards[i];
			bool lo_card = card->set_mask & klo->card_bit;
			bool hi_card = card->set_mask & khi->card_bit;
			struct card_config eff;

			/* With neither key overridden the global check said it all. */
			if (!lo_card && !hi_card)
				continue;
			card_effective(c, card, &eff);
			lo = make_side(klo, &eff, klo->card_offset,
				       lo_card ? &co->key[ilo] : &l->key[ilo], lo_card);
			hi = make_side(khi, &eff, khi->card_offset,
				       hi_card ? &co->key[ihi] : &l->key[ihi], hi_card);
			snprintf(title, sizeof(title), "[card %" PRIu64 "]", card->serial);
			check_pair(l, rel, &lo, &hi, title);
		}
	}
}

int config_load(const char *path, bool missing_ok, const char *dropin_dir, struct config **ret,
		struct config_errors *errors)
{
	struct config_errors local = { 0 };
	struct loader l = { .errors = errors ? errors : &local };
	size_t shown;
	int r;

	r = config_new_default(&l.c);
	if (r < 0)
		return r;

	if (path)
		load_path(&l, path, missing_ok);
	if (dropin_dir && *dropin_dir && l.error != -ENOMEM)
		load_dropins(&l, dropin_dir);
	/* Values that were refused are skipped there, so this adds no noise. */
	if (!l.error)
		check_relations(&l);

	if (l.nerrors > ERRORS_SHOWN_MAX) {
		shown = l.nerrors;
		l.nerrors = 0; /* so that this one is kept */
		add_error(&l, (unsigned int)l.npaths, 0, "%zu more problems not shown",
			  shown - ERRORS_SHOWN_MAX);
		l.nerrors = shown;
	}

	r = l.error ? l.error : l.nerrors ? -EINVAL : 0;
	if (r == 0) {
		*ret = l.c;
		l.c = NULL;
	}

	config_free(l.c);
	for (size_t i = 0; i < l.npaths; i++)
		free(l.paths[i]);
	free(l.paths);
	free(l.cards);
	free(l.card_slots);
	config_errors_clear(&local);
	return r;
}

bool config_listen_valid(const char *v)
{
	return value_check_listen(v);
}
