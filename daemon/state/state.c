// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record of one card (cards/SERIAL.json): the in-memory operations.
 * Its JSON form is state-card-json.c; doc/state-format.md is the format's
 * reference, keep the three in step.
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


#include "state/state.h"
#include "state/state-private.h"
#include "state/state-card-impl.h"

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

bool card_state_set_contains(const struct card_state_impl *c, const struct errlog_key *k)
{
	size_t mask = c->set_slots - 1, i;

	if (!c->set_slots)
		return false;
	for (i = set_home(k, c->set_slots); c->set[i].used; i = (i + 1) & mask)
		if (key_equal(&c->set[i].key, k))
			return true;
	return false;
}

/* Insert a key known to be absent; card_state_set_reserve() made the room. */
void card_state_set_insert(struct card_state_impl *c, const struct errlog_key *k)
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
int card_state_set_reserve(struct card_state_impl *c, size_t want)
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
		card_state_set_insert(c, &c->pub.seen[i]);
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
bool card_state_history_in_seen_order(const struct card_state *s)
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
bool card_state_errlog_record_valid(const struct errlog_record *rec)
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
	return s && key && card_state_set_contains(impl_const(s), key);
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

	if (!s || !rec || !card_state_errlog_record_valid(rec))
		return -EINVAL;
	c = impl(s);
	key = errlog_record_key(rec);
	if (card_state_set_contains(c, &key))
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
		r = card_state_set_reserve(c, c->set_count + 1);
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
		 * card_state_history_in_seen_order()): its entry goes with its key. */
		if (s->nhistory && key_equal(&first, &oldest)) {
			free(s->history[0].data);
			c->hist_off++;
			s->nhistory--;
		}
	}
	window_slide(c->seen_buf, sizeof(*c->seen_buf), &c->seen_off, s->nseen, c->seen_cap);
	sync_windows(c);
	s->seen[s->nseen++] = key;
	card_state_set_insert(c, &key);

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

bool card_state_alert_key_valid(const char *key)
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

	if (!s || !key || !card_state_alert_key_valid(key))
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
