// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The card record's JSON form (cards/SERIAL.json): card_state_parse() and
 * card_state_serialise().  doc/state-format.md is the format's reference;
 * keep the two in step.
 *
 * Parsing is strict because a record we misread could make the daemon
 * alert an error-log entry twice or never: anything off (a wrong type, a
 * missing field, a number out of range) makes the whole document -EBADMSG
 * and the loader sets the file aside.  Fields this build does not know are
 * ignored, so a later build may add fields without bumping the version.
 * Everything card_state_serialise() writes, card_state_parse() accepts: the
 * in-memory operations (state.c) refuse what the parser would refuse.  It
 * writes version 2 and reads 1 and 2 (see parse_seen_v1()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "shared/cleanup-json.h"
#include "state/state.h"
#include "state/state-private.h"
#include "state/state-card-impl.h"

/* ---- parse --------------------------------------------------------------- */

static int parse_hex(const char *hex, size_t len, uint8_t **ret)
{
	uint8_t *data;

	if (len % 2)
		return -EBADMSG;
	if (!len) {
		*ret = NULL;
		return 0;
	}
	data = malloc(len / 2);
	if (!data)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char ch = hex[i];
		unsigned int v;

		if (ch >= '0' && ch <= '9')
			v = (unsigned int)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = (unsigned int)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v = (unsigned int)(ch - 'A' + 10);
		else {
			free(data);
			return -EBADMSG;
		}
		data[i / 2] = (uint8_t)(i % 2 ? data[i / 2] | v : v << 4);
	}
	*ret = data;
	return 0;
}

/* One history entry; on success the caller owns rec->data. */
static int parse_errlog(struct json_object *o, struct errlog_record *rec)
{
	struct json_object *wwid;
	const char *fw, *hex;
	uint32_t type, data_needed;
	int r;

	memset(rec, 0, sizeof(*rec));
	if (!json_object_is_type(o, json_type_object) ||
	    state_json_get_u32(o, "id", UINT32_MAX, &rec->id) < 0 ||
	    state_json_get_u32(o, "type", 4, &type) < 0 ||
	    state_json_get_u32(o, "action_flags", UINT32_MAX, &rec->action_flags) < 0 ||
	    state_json_get_u32(o, "program_reference_code", UINT32_MAX,
			       &rec->program_reference_code) < 0 ||
	    state_json_get_u32(o, "power_on_seconds", UINT32_MAX, &rec->power_on_seconds) < 0 ||
	    state_json_get_u64(o, "timestamp_ns", &rec->timestamp_ns) < 0 ||
	    state_json_get(o, "wwid", json_type_array, &wwid) < 0 ||
	    json_object_array_length(wwid) != 2 ||
	    state_json_u64(json_object_array_get_idx(wwid, 0), &rec->wwid[0]) < 0 ||
	    state_json_u64(json_object_array_get_idx(wwid, 1), &rec->wwid[1]) < 0 ||
	    state_json_get_string(o, "fw_revision", sizeof(rec->fw_revision) - 1, &fw) < 0 ||
	    state_json_get_u64(o, "received_us", &rec->received_us) < 0 ||
	    state_json_get_u32(o, "data_needed", UINT16_MAX, &data_needed) < 0 ||
	    state_json_get_string(o, "data", 2 * 4096, &hex) < 0 ||
	    state_json_get_bool(o, "alerted", &rec->alerted) < 0)
		return -EBADMSG;
	rec->type = (uint8_t)type;
	rec->data_needed = (uint16_t)data_needed;
	strcpy(rec->fw_revision, fw);
	rec->data_size = (uint16_t)(strlen(hex) / 2);
	r = parse_hex(hex, strlen(hex), &rec->data);
	if (r < 0)
		return r;
	if (!card_state_errlog_record_valid(rec)) {
		free(rec->data);
		return -EBADMSG;
	}
	return 0;
}

static int parse_alert(struct json_object *o, struct alert_record *a)
{
	const char *key, *detail;
	uint32_t reminders;

	memset(a, 0, sizeof(*a));
	if (!json_object_is_type(o, json_type_object) ||
	    state_json_get_string(o, "key", sizeof(a->key) - 1, &key) < 0 || !*key ||
	    state_json_get_bool(o, "active", &a->active) < 0 ||
	    state_json_get_u64(o, "since_us", &a->since_us) < 0 ||
	    state_json_get_u64(o, "last_sent_us", &a->last_sent_us) < 0 ||
	    state_json_get_u32(o, "reminders", UINT32_MAX, &reminders) < 0 ||
	    state_json_get_string(o, "detail", sizeof(a->detail) - 1, &detail) < 0)
		return -EBADMSG;
	/* "level" came with the first release but is optional: a record
	 * without it reads as level 0 (unknown), so it is never an escalation. */
	if (json_object_object_get_ex(o, "level", NULL)) {
		uint32_t level;

		if (state_json_get_u32(o, "level", 6, &level) < 0)
			return -EBADMSG;
		a->level = (uint8_t)level;
	}
	strcpy(a->key, key);
	strcpy(a->detail, detail);
	a->reminders = reminders;
	return 0;
}

/*
 * Arrays longer than this build keeps are cut to their newest entries, as
 * adding them one by one would have: a build with larger bounds writes the
 * same format.
 */
static size_t first_kept(struct json_object *arr, size_t max)
{
	size_t n = json_object_array_length(arr);

	return n > max ? n - max : 0;
}

/* One key of "seen": {"id", "power_on_seconds", "timestamp_ns"}. */
static int parse_key(struct json_object *o, struct errlog_key *k)
{
	if (!json_object_is_type(o, json_type_object) ||
	    state_json_get_u32(o, "id", UINT32_MAX, &k->id) < 0 ||
	    state_json_get_u32(o, "power_on_seconds", UINT32_MAX, &k->power_on_seconds) < 0 ||
	    state_json_get_u64(o, "timestamp_ns", &k->timestamp_ns) < 0)
		return -EBADMSG;
	return 0;
}

static int parse_seen(struct card_state_impl *c, struct json_object *arr)
{
	size_t first = first_kept(arr, STATE_SEEN_IDS_MAX);
	size_t n = json_object_array_length(arr) - first;
	int r;

	if (!n)
		return 0;
	c->seen_buf = calloc(n, sizeof(*c->seen_buf));
	if (!c->seen_buf)
		return -ENOMEM;
	c->seen_cap = n;
	c->pub.seen = c->seen_buf;
	r = card_state_set_reserve(c, n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct errlog_key k;

		/* A duplicate would be evicted twice and then not be seen. */
		if (parse_key(json_object_array_get_idx(arr, first + i), &k) < 0 ||
		    card_state_set_contains(c, &k))
			return -EBADMSG;
		c->seen_buf[i] = k;
		c->pub.nseen++;
		card_state_set_insert(c, &k);
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Version 1 listed ids only ("seen_ids").  They are checked by the rules
 * of version 1 (integers, no duplicates, history a subsequence of them in
 * order), then the history's entries become the seen keys and the other
 * ids are dropped: their entries were acknowledged long ago, and the only
 * entry a card can hand out again (the last one read, if the daemon died
 * before acknowledging it) is always in the history.  Keeping the bare
 * ids would drop every new entry that reuses one of them.
 * Called after parse_history().
 */
static int parse_seen_v1(struct card_state_impl *c, struct json_object *arr)
{
	size_t first = first_kept(arr, STATE_SEEN_IDS_MAX);
	size_t n = json_object_array_length(arr) - first, j = 0;
	struct card_state *s = &c->pub;
	_cleanup_free_ uint32_t *ids = NULL, *sorted = NULL;
	int r;

	ids = calloc(n + 1, sizeof(*ids));
	sorted = calloc(n + 1, sizeof(*sorted));
	if (!ids || !sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, first + i);
		int64_t v;

		if (!json_object_is_type(o, json_type_int))
			return -EBADMSG;
		v = json_object_get_int64(o);
		if (v < 0 || v > UINT32_MAX)
			return -EBADMSG;
		ids[i] = sorted[i] = (uint32_t)v;
	}
	qsort(sorted, n, sizeof(*sorted), cmp_u32);
	for (size_t i = 1; i < n; i++)
		if (sorted[i] == sorted[i - 1])
			return -EBADMSG;
	for (size_t i = 0; i < s->nhistory; i++, j++) {
		while (j < n && ids[j] != s->history[i].id)
			j++;
		if (j == n)
			return -EBADMSG;
	}

	if (!s->nhistory)
		return 0;
	c->seen_buf = calloc(s->nhistory, sizeof(*c->seen_buf));
	if (!c->seen_buf)
		return -ENOMEM;
	c->seen_cap = s->nhistory;
	s->seen = c->seen_buf;
	r = card_state_set_reserve(c, s->nhistory);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->nhistory; i++) {
		c->seen_buf[i] = errlog_record_key(&s->history[i]);
		/* Unique ids, so unique keys. */
		card_state_set_insert(c, &c->seen_buf[i]);
		s->nseen++;
	}
	return 0;
}

static int parse_history(struct card_state_impl *c, struct json_object *arr)
{
	size_t first = first_kept(arr, STATE_HISTORY_MAX);
	size_t n = json_object_array_length(arr) - first;
	struct card_state *s = &c->pub;
	int r;

	if (!n)
		return 0;
	c->hist_buf = calloc(n, sizeof(*c->hist_buf));
	if (!c->hist_buf)
		return -ENOMEM;
	c->hist_cap = n;
	s->history = c->hist_buf;
	for (size_t i = 0; i < n; i++) {
		struct errlog_record *rec = &c->hist_buf[i];

		r = parse_errlog(json_object_array_get_idx(arr, first + i), rec);
		if (r < 0)
			return r;
		s->nhistory++;
	}
	return 0;
}

static int parse_alerts(struct card_state *s, struct json_object *arr)
{
	size_t n = json_object_array_length(arr);
	int r;

	/* Unlike entries, alerts have no age: more than we keep is corrupt. */
	if (n > STATE_ALERTS_MAX)
		return -EBADMSG;
	if (!n)
		return 0;
	s->alerts = calloc(STATE_ALERTS_MAX, sizeof(*s->alerts));
	if (!s->alerts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = parse_alert(json_object_array_get_idx(arr, i), &s->alerts[i]);
		if (r < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->alerts[j].key, s->alerts[i].key) == 0)
				return -EBADMSG;
		s->nalerts++;
	}
	return 0;
}

int card_state_parse(const char *text, size_t len, struct card_state **ret)
{
	_cleanup_json_ struct json_object *root = NULL;
	struct json_object *totals, *seen, *history, *alerts, *version;
	struct card_state_impl *c = NULL;
	const char *name;
	bool v1;
	int r;

	if (!ret)
		return -EINVAL;
	r = state_json_parse(text, len, STATE_CARD_FORMAT, STATE_CARD_VERSION, &root);
	if (r < 0)
		return r;
	/* state_json_parse() checked it is an integer in range. */
	json_object_object_get_ex(root, "version", &version);
	v1 = json_object_get_int64(version) == 1;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = -EBADMSG;
	if (state_json_get_u64(root, "serial", &c->pub.serial) < 0 ||
	    state_json_get_string(root, "name", sizeof(c->pub.name) - 1, &name) < 0 ||
	    !state_name_valid(name, NULL) ||
	    state_json_get(root, "errlog_total", json_type_array, &totals) < 0 ||
	    json_object_array_length(totals) != 5 ||
	    state_json_get(root, v1 ? "seen_ids" : "seen", json_type_array, &seen) < 0 ||
	    state_json_get(root, "history", json_type_array, &history) < 0 ||
	    state_json_get(root, "alerts", json_type_array, &alerts) < 0)
		goto out_free;
	strcpy(c->pub.name, name);
	for (size_t i = 0; i < 5; i++) {
		struct json_object *o = json_object_array_get_idx(totals, i);

		if (state_json_u64(o, &c->pub.errlog_total[i]) < 0)
			goto out_free;
	}
	if (v1) {
		r = parse_history(c, history);
		if (r >= 0)
			r = parse_seen_v1(c, seen);
	} else {
		r = parse_seen(c, seen);
		if (r >= 0)
			r = parse_history(c, history);
		if (r >= 0 && !card_state_history_in_seen_order(&c->pub))
			r = -EBADMSG;
	}
	if (r >= 0)
		r = parse_alerts(&c->pub, alerts);
	if (r < 0)
		goto out_free;

	*ret = &c->pub;
	return 0;

out_free:
	card_state_free(&c->pub);
	return r;
}

/* ---- format ------------------------------------------------------------------ */

static struct json_object *format_hex(const uint8_t *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	struct json_object *o;
	char *hex;

	hex = malloc(2 * n + 1);
	if (!hex)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[data[i] >> 4];
		hex[2 * i + 1] = digits[data[i] & 0xf];
	}
	hex[2 * n] = '\0';
	o = json_object_new_string_len(hex, (int)(2 * n));
	free(hex);
	return o;
}

static struct json_object *format_errlog(const struct errlog_record *rec)
{
	struct json_object *o, *wwid;
	bool ok;

	o = json_object_new_object();
	wwid = json_object_new_array();
	ok = o && wwid && state_json_append(wwid, state_json_new_u64(rec->wwid[0])) &&
	     state_json_append(wwid, state_json_new_u64(rec->wwid[1]));
	if (!ok) {
		json_object_put(wwid);
		json_object_put(o);
		return NULL;
	}
	ok = state_json_add(o, "id", json_object_new_int64(rec->id)) &&
	     state_json_add(o, "type", json_object_new_int64(rec->type)) &&
	     state_json_add(o, "action_flags", json_object_new_int64(rec->action_flags)) &&
	     state_json_add(o, "program_reference_code",
			    json_object_new_int64(rec->program_reference_code)) &&
	     state_json_add(o, "power_on_seconds", json_object_new_int64(rec->power_on_seconds)) &&
	     state_json_add(o, "timestamp_ns", state_json_new_u64(rec->timestamp_ns)) &&
	     state_json_add(o, "wwid", wwid) &&
	     state_json_add(o, "fw_revision", json_object_new_string(rec->fw_revision)) &&
	     state_json_add(o, "received_us", state_json_new_u64(rec->received_us)) &&
	     state_json_add(o, "data_needed", json_object_new_int64(rec->data_needed)) &&
	     state_json_add(o, "data", format_hex(rec->data, rec->data_size)) &&
	     state_json_add(o, "alerted", json_object_new_boolean(rec->alerted));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *format_key(const struct errlog_key *k)
{
	struct json_object *o = json_object_new_object();

	if (o && state_json_add(o, "id", json_object_new_int64(k->id)) &&
	    state_json_add(o, "power_on_seconds", json_object_new_int64(k->power_on_seconds)) &&
	    state_json_add(o, "timestamp_ns", state_json_new_u64(k->timestamp_ns)))
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *format_alert(const struct alert_record *a)
{
	/* Cut, not overrun, should a caller leave detail unterminated. */
	int detail_len = (int)strnlen(a->detail, sizeof(a->detail) - 1);
	struct json_object *o;
	bool ok;

	o = json_object_new_object();
	ok = o && state_json_add(o, "key", json_object_new_string(a->key)) &&
	     state_json_add(o, "active", json_object_new_boolean(a->active)) &&
	     state_json_add(o, "since_us", state_json_new_u64(a->since_us)) &&
	     state_json_add(o, "last_sent_us", state_json_new_u64(a->last_sent_us)) &&
	     state_json_add(o, "reminders", json_object_new_int64(a->reminders)) &&
	     state_json_add(o, "level", json_object_new_int(a->level)) &&
	     state_json_add(o, "detail", json_object_new_string_len(a->detail, detail_len));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* What the parser would refuse, caught before it reaches a file. */
static bool card_state_valid(const struct card_state *s)
{
	if (strnlen(s->name, sizeof(s->name)) == sizeof(s->name) ||
	    !state_name_valid(s->name, NULL) || s->nseen > STATE_SEEN_IDS_MAX || s->nhistory > STATE_HISTORY_MAX ||
	    s->nalerts > STATE_ALERTS_MAX)
		return false;
	for (size_t i = 0; i < s->nhistory; i++)
		if (!card_state_errlog_record_valid(&s->history[i]))
			return false;
	for (size_t i = 0; i < s->nalerts; i++) {
		if (!card_state_alert_key_valid(s->alerts[i].key))
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->alerts[j].key, s->alerts[i].key) == 0)
				return false;
	}
	return card_state_history_in_seen_order(s);
}

int card_state_serialise(const struct card_state *s, char **ret)
{
	struct json_object *root, *totals, *seen, *history, *alerts;
	bool ok;
	int r;

	if (!s || !ret || !card_state_valid(s))
		return -EINVAL;
	root = json_object_new_object();
	if (!root)
		return -ENOMEM;
	/* Each array is owned by root as soon as it is added. */
	totals = json_object_new_array();
	ok = state_json_add(root, "format", json_object_new_string(STATE_CARD_FORMAT)) &&
	     state_json_add(root, "version", json_object_new_int64(STATE_CARD_VERSION)) &&
	     state_json_add(root, "serial", state_json_new_u64(s->serial)) &&
	     state_json_add(root, "name", json_object_new_string(s->name)) &&
	     state_json_add(root, "errlog_total", totals);
	for (size_t i = 0; ok && i < 5; i++)
		ok = state_json_append(totals, state_json_new_u64(s->errlog_total[i]));
	seen = ok ? json_object_new_array_ext((int)s->nseen) : NULL;
	ok = ok && state_json_add(root, "seen", seen);
	for (size_t i = 0; ok && i < s->nseen; i++)
		ok = state_json_append(seen, format_key(&s->seen[i]));
	history = ok ? json_object_new_array_ext((int)s->nhistory) : NULL;
	ok = ok && state_json_add(root, "history", history);
	for (size_t i = 0; ok && i < s->nhistory; i++)
		ok = state_json_append(history, format_errlog(&s->history[i]));
	alerts = ok ? json_object_new_array() : NULL;
	ok = ok && state_json_add(root, "alerts", alerts);
	for (size_t i = 0; ok && i < s->nalerts; i++)
		ok = state_json_append(alerts, format_alert(&s->alerts[i]));

	r = ok ? state_json_to_text(root, ret) : -ENOMEM;
	json_object_put(root);
	return r;
}

/* NULL on -ENOMEM, or -EINVAL when s breaks what the parser checks. */
char *card_state_format(const struct card_state *s)
{
	char *text;

	if (card_state_serialise(s, &text) < 0)
		return NULL;
	return text;
}
