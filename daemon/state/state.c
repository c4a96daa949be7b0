// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record of one card (cards/SERIAL.json): the in-memory operations and
 * the JSON form.
 * doc/state-format.md is the format's reference; keep the two in step.
 *
 * Parsing is strict because a record we misread could make the daemon
 * alert an error-log entry twice or never: anything off (a wrong type, a
 * missing field, a number out of range) makes the whole document -EBADMSG
 * and the loader sets the file aside.  Fields this build does not know are
 * ignored, so a later build may add fields without bumping the version.
 * Everything card_state_serialise() writes, card_state_parse() accepts: the
 * in-memory operations refuse what the parser would refuse.  It writes
 * version 2 and reads 1 and 2 (see parse_seen_v1()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "shared/cleanup-json.h"
#include "state/state.h"
#include "state/state-private.h"

/*
 * A struct card_state is always the head of this, so only card_state_new()
 * and card_state_parse() make them.
 *
 * seen and history are windows [off, off + n) of larger buffers: evicting
 * the oldest is off++, and the window slides back to the start only when
 * it reaches the end of a buffer twice its maximum, so adding is O(1)
 * amortised while callers still see plain arrays, oldest first.
 *
 * The seen keys are also in an open-addressing set (linear probing, at
 * most half full) so that card_state_seen() is O(1): a poll of every card
 * must not scan 4096 keys per entry.
 */
struct set_slot {
	struct errlog_key key;
	bool used;
};

struct card_state_impl {
	struct card_state pub;
	struct errlog_key *seen_buf;
	size_t seen_off, seen_cap;
	struct errlog_record *hist_buf;
	size_t hist_off, hist_cap;
	struct set_slot *set;
	size_t set_slots; /* a power of two, or 0 */
	size_t set_count; /* keys in set[] */
};

static struct card_state_impl *impl(struct card_state *s)
{
	return (struct card_state_impl *)s;
}

static const struct card_state_impl *impl_const(const struct card_state *s)
{
	return (const struct card_state_impl *)s;
}

struct errlog_key errlog_record_key(const struct errlog_record *rec)
{
	return (struct errlog_key){
		.id = rec->id,
		.power_on_seconds = rec->power_on_seconds,
		.timestamp_ns = rec->timestamp_ns,
	};
}

static bool key_equal(const struct errlog_key *a, const struct errlog_key *b)
{
	return a->id == b->id && a->power_on_seconds == b->power_on_seconds &&
	       a->timestamp_ns == b->timestamp_ns;
}

/* ---- the key set ----------------------------------------------------------- */

static size_t set_home(const struct errlog_key *k, size_t slots)
{
	/* splitmix64's finaliser over all three fields: card ids are mostly
	 * sequential, and a reused id differs only in its times. */
	uint64_t z = ((uint64_t)k->id << 32 | k->power_on_seconds) ^
		     (k->timestamp_ns * UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return (size_t)(z ^ (z >> 31)) & (slots - 1);
}

static bool set_contains(const struct card_state_impl *c, const struct errlog_key *k)
{
	size_t mask = c->set_slots - 1, i;

	if (!c->set_slots)
		return false;
	for (i = set_home(k, c->set_slots); c->set[i].used; i = (i + 1) & mask)
		if (key_equal(&c->set[i].key, k))
			return true;
	return false;
}

/* Insert a key known to be absent; set_reserve() made the room. */
static void set_insert(struct card_state_impl *c, const struct errlog_key *k)
{
	size_t mask = c->set_slots - 1, i;

	for (i = set_home(k, c->set_slots); c->set[i].used; i = (i + 1) & mask)
		;
	c->set[i] = (struct set_slot){ .key = *k, .used = true };
	c->set_count++;
}

/* Remove k (present) by shifting back the entries probed past it. */
static void set_remove(struct card_state_impl *c, const struct errlog_key *k)
{
	size_t mask = c->set_slots - 1, i, j, h;

	for (i = set_home(k, c->set_slots); !key_equal(&c->set[i].key, k); i = (i + 1) & mask)
		;
	for (j = (i + 1) & mask; c->set[j].used; j = (j + 1) & mask) {
		h = set_home(&c->set[j].key, c->set_slots);
		/* set[j] may move to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			c->set[i] = c->set[j];
			i = j;
		}
	}
	c->set[i].used = false;
	c->set_count--;
}

/* Room for want keys at most half full; rebuilds from the current keys. */
static int set_reserve(struct card_state_impl *c, size_t want)
{
	size_t slots = 16, i;
	struct set_slot *set;

	if (want * 2 <= c->set_slots)
		return 0;
	while (slots < want * 2)
		slots *= 2;
	set = calloc(slots, sizeof(*set));
	if (!set)
		return -ENOMEM;
	free(c->set);
	c->set = set;
	c->set_slots = slots;
	c->set_count = 0;
	for (i = 0; i < c->pub.nseen; i++)
		set_insert(c, &c->pub.seen[i]);
	return 0;
}

/* ---- the windows ----------------------------------------------------------- */

/*
 * Before any change: make sure one more element fits once the window has
 * slid, growing the buffer towards 2 * max.  Growing keeps the contents,
 * so a failure here leaves the record as it was.
 */
static int window_grow(void **buf, size_t size, size_t off, size_t n, size_t *cap, size_t max)
{
	size_t ncap;
	void *p;

	if (off + n < *cap || *cap >= 2 * max)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > 2 * max)
		ncap = 2 * max;
	p = reallocarray(*buf, ncap, size);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = ncap;
	return 0;
}

/*
 * After window_grow() and any eviction: a full buffer is 2 * max with at
 * most max elements, so the window is in the upper half and the copy is
 * paid for by the appends since the last one.
 */
static void window_slide(void *buf, size_t size, size_t *off, size_t n, size_t cap)
{
	if (*off + n < cap)
		return;
	memmove(buf, (char *)buf + *off * size, n * size);
	*off = 0;
}

/* Point the public arrays at their windows (no arithmetic on NULL). */
static void sync_windows(struct card_state_impl *c)
{
	c->pub.seen = c->seen_buf ? c->seen_buf + c->seen_off : NULL;
	c->pub.history = c->hist_buf ? c->hist_buf + c->hist_off : NULL;
}

/*
 * The invariant that keeps eviction O(1) and consistent: the history keys
 * appear in seen, in the same order (so unique too).  Then the only entry
 * that can share the oldest seen key is history[0], and forgetting a key
 * never leaves its entry behind unseen.
 */
static bool history_in_seen_order(const struct card_state *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->nhistory; i++, j++) {
		struct errlog_key k = errlog_record_key(&s->history[i]);

		while (j < s->nseen && !key_equal(&s->seen[j], &k))
			j++;
		if (j == s->nseen)
			return false;
	}
	return true;
}

/* ---- in-memory operations --------------------------------------------------- */

static bool fw_revision_valid(const char *fw)
{
	size_t n = strnlen(fw, sizeof(((struct errlog_record *)NULL)->fw_revision));

	if (n >= sizeof(((struct errlog_record *)NULL)->fw_revision))
		return false;
	for (size_t i = 0; i < n; i++)
		if (fw[i] < 0x20 || fw[i] > 0x7e)
			return false;
	return true;
}

/* What the parser accepts of an entry; the 4096 is OCXLPMEM_ERRLOG_DATA_MAX. */
static bool errlog_record_valid(const struct errlog_record *rec)
{
	return rec->type <= 4 && rec->data_size <= 4096 && rec->data_needed >= rec->data_size &&
	       (rec->data || !rec->data_size) && fw_revision_valid(rec->fw_revision);
}

int card_state_new(uint64_t serial, const char *name, struct card_state **ret)
{
	struct card_state_impl *c;

	if (!name || !ret || !state_name_valid(name, NULL))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pub.serial = serial;
	strcpy(c->pub.name, name); /* state_name_valid() bounds it */
	*ret = &c->pub;
	return 0;
}

struct card_state *card_state_free(struct card_state *s)
{
	struct card_state_impl *c;

	if (!s)
		return NULL;
	c = impl(s);
	for (size_t i = 0; i < s->nhistory; i++)
		free(s->history[i].data);
	free(c->seen_buf);
	free(c->hist_buf);
	free(c->set);
	free(s->alerts);
	free(c);
	return NULL;
}

bool card_state_seen(const struct card_state *s, const struct errlog_key *key)
{
	return s && key && set_contains(impl_const(s), key);
}

/*
 * Also counts the entry in errlog_total.  -EEXIST when the key was already
 * seen: storing it twice is how an entry would get alerted twice.
 * -EINVAL for a record the parser would refuse.  On error s is unchanged.
 */
int card_state_add_errlog(struct card_state *s, const struct errlog_record *rec)
{
	struct card_state_impl *c;
	struct errlog_record *h;
	struct errlog_key key;
	uint8_t *data = NULL;
	int r;

	if (!s || !rec || !errlog_record_valid(rec))
		return -EINVAL;
	c = impl(s);
	key = errlog_record_key(rec);
	if (set_contains(c, &key))
		return -EEXIST;

	/* Allocate everything first so that a failure changes nothing. */
	if (rec->data_size) {
		data = malloc(rec->data_size);
		if (!data)
			return -ENOMEM;
		memcpy(data, rec->data, rec->data_size);
	}
	r = window_grow((void **)&c->seen_buf, sizeof(*c->seen_buf), c->seen_off, s->nseen,
			&c->seen_cap, STATE_SEEN_IDS_MAX);
	if (r >= 0)
		r = window_grow((void **)&c->hist_buf, sizeof(*c->hist_buf), c->hist_off,
				s->nhistory, &c->hist_cap, STATE_HISTORY_MAX);
	sync_windows(c); /* the buffers may have moved, even on failure */
	if (r >= 0)
		r = set_reserve(c, c->set_count + 1);
	if (r < 0) {
		free(data);
		return r;
	}

	if (s->nseen == STATE_SEEN_IDS_MAX) {
		struct errlog_key oldest = s->seen[0];
		struct errlog_key first = s->nhistory ? errlog_record_key(&s->history[0]) : oldest;

		set_remove(c, &oldest);
		c->seen_off++;
		s->nseen--;
		/* Only from a file that kept an entry this long (see
		 * history_in_seen_order()): its entry goes with its key. */
		if (s->nhistory && key_equal(&first, &oldest)) {
			free(s->history[0].data);
			c->hist_off++;
			s->nhistory--;
		}
	}
	window_slide(c->seen_buf, sizeof(*c->seen_buf), &c->seen_off, s->nseen, c->seen_cap);
	sync_windows(c);
	s->seen[s->nseen++] = key;
	set_insert(c, &key);

	if (s->nhistory == STATE_HISTORY_MAX) {
		free(s->history[0].data);
		c->hist_off++;
		s->nhistory--;
	}
	window_slide(c->hist_buf, sizeof(*c->hist_buf), &c->hist_off, s->nhistory, c->hist_cap);
	sync_windows(c);
	h = &s->history[s->nhistory++];
	*h = *rec;
	h->data = data;

	s->errlog_total[rec->type]++;
	return 0;
}

/* The pointer is valid until the next card_state_add_errlog(). */
struct errlog_record *card_state_find_errlog(struct card_state *s, const struct errlog_key *key)
{
	if (!s || !key)
		return NULL;
	/* Newest first: the entry being alerted is usually the last one. */
	for (size_t i = s->nhistory; i > 0; i--) {
		struct errlog_key k = errlog_record_key(&s->history[i - 1]);

		if (key_equal(&k, key))
			return &s->history[i - 1];
	}
	return NULL;
}

static bool alert_key_valid(const char *key)
{
	size_t n = strnlen(key, sizeof(((struct alert_record *)NULL)->key));

	return n > 0 && n < sizeof(((struct alert_record *)NULL)->key);
}

/*
 * The array is allocated whole on first use so that the pointers returned
 * stay valid for the life of s.  NULL also for an empty or too long key.
 */
struct alert_record *card_state_alert(struct card_state *s, const char *key)
{
	struct alert_record *a;

	if (!s || !key || !alert_key_valid(key))
		return NULL;
	for (size_t i = 0; i < s->nalerts; i++)
		if (strcmp(s->alerts[i].key, key) == 0)
			return &s->alerts[i];
	if (s->nalerts == STATE_ALERTS_MAX)
		return NULL;
	if (!s->alerts) {
		s->alerts = calloc(STATE_ALERTS_MAX, sizeof(*s->alerts));
		if (!s->alerts)
			return NULL;
	}
	a = &s->alerts[s->nalerts++];
	memset(a, 0, sizeof(*a));
	strcpy(a->key, key);
	return a;
}

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
	if (!errlog_record_valid(rec)) {
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
	r = set_reserve(c, n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct errlog_key k;

		/* A duplicate would be evicted twice and then not be seen. */
		if (parse_key(json_object_array_get_idx(arr, first + i), &k) < 0 ||
		    set_contains(c, &k))
			return -EBADMSG;
		c->seen_buf[i] = k;
		c->pub.nseen++;
		set_insert(c, &k);
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
	r = set_reserve(c, s->nhistory);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->nhistory; i++) {
		c->seen_buf[i] = errlog_record_key(&s->history[i]);
		/* Unique ids, so unique keys. */
		set_insert(c, &c->seen_buf[i]);
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
		if (r >= 0 && !history_in_seen_order(&c->pub))
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
		if (!errlog_record_valid(&s->history[i]))
			return false;
	for (size_t i = 0; i < s->nalerts; i++) {
		if (!alert_key_valid(s->alerts[i].key))
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->alerts[j].key, s->alerts[i].key) == 0)
				return false;
	}
	return history_in_seen_order(s);
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
