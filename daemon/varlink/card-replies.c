// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ListCards and GetCard, serialised once per change rather than once per
 * call: `ocxlpmemctl status` on a machine with hundreds of cards must cost
 * the daemon a write, not a few thousand json-c objects.
 *
 * A card's summary and detail are cached as text keyed on the card's
 * generation (card_touch() moves it); the ListCards reply is the summaries
 * joined, keyed on the manager's generation and the number of cards, so a
 * poll that changed one card costs one summary and a memcpy of the rest.
 *
 * Correctness rests on every change to what a card shows calling
 * card_touch().  With OCXLPMEMD_VERIFY_REPLY_CACHE=1 (set by the test
 * suite) every cache hit is checked against a fresh render and a
 * difference aborts the daemon, so a missing card_touch() fails tests
 * instead of showing a user stale state.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "varlink/card-json.h"
#include "varlink/card-replies.h"
#include "util/log.h"
#include "core/manager.h"
#include "jobs/firmware-update.h"
#include "varlink/job-json.h"

static void verify(struct manager *m, const struct json_blob *cached, struct json_object *fresh,
		   const char *what)
{
	struct json_blob *b = json_blob_from_object(fresh);

	json_object_put(fresh);
	if (!b)
		return;
	if (b->len != cached->len || memcmp(b->text, cached->text, b->len) != 0) {
		size_t at = 0, from;

		while (at < b->len && at < cached->len && b->text[at] == cached->text[at])
			at++;
		from = at > 60 ? at - 60 : 0;
		log_error("reply cache: the cached %s differs from a fresh render at byte %zu:\n"
			  "cached ...%.160s\nfresh  ...%.160s", what, at, cached->text + from,
			  b->text + from);
		abort();
	}
	json_blob_unref(b);
	m->replies_verified++;
}

static struct json_object *fresh_summary(const struct dcard *dc)
{
	struct card_report rep;

	card_report_get(dc, &rep);
	return card_json_summary(&rep);
}

static struct json_blob *summary_of(struct manager *m, struct dcard *dc)
{
	struct card_caches *cache = card_caches(dc);

	if (cache->summary_blob && cache->summary_gen == card_gen(dc)) {
		if (m->verify_replies)
			verify(m, cache->summary_blob, fresh_summary(dc), card_name(dc));
		return cache->summary_blob;
	}
	{
		struct json_object *o = fresh_summary(dc);
		struct json_blob *b = json_blob_from_object(o);

		json_object_put(o);
		if (!b)
			return NULL;
		json_blob_unref(cache->summary_blob);
		cache->summary_blob = b;
		cache->summary_gen = card_gen(dc);
	}
	return cache->summary_blob;
}

static struct json_object *fresh_list(struct manager *m)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	for (size_t i = 0; i < m->ncards; i++)
		json_object_array_add(a, fresh_summary(m->cards[i]));
	json_object_object_add(o, "cards", a);
	return o;
}

struct json_blob *card_replies_list(struct manager *m)
{
	static const char head[] = "{\"cards\":[", tail[] = "]}";
	struct json_blob *b;
	size_t len = sizeof(head) - 1 + sizeof(tail) - 1, at;

	if (m->cards_blob && m->cards_blob_gen == m->state_gen && m->cards_blob_n == m->ncards) {
		if (m->verify_replies)
			verify(m, m->cards_blob, fresh_list(m), "card list");
		return m->cards_blob;
	}
	for (size_t i = 0; i < m->ncards; i++) {
		struct json_blob *s = summary_of(m, m->cards[i]);

		if (!s)
			return NULL;
		len += s->len + (i > 0);
	}
	b = json_blob_new(len);
	if (!b)
		return NULL;
	memcpy(b->text, head, sizeof(head) - 1);
	at = sizeof(head) - 1;
	for (size_t i = 0; i < m->ncards; i++) {
		const struct json_blob *s = card_caches(m->cards[i])->summary_blob;

		if (i > 0)
			b->text[at++] = ',';
		memcpy(b->text + at, s->text, s->len);
		at += s->len;
	}
	memcpy(b->text + at, tail, sizeof(tail) - 1);
	json_blob_unref(m->cards_blob);
	m->cards_blob = b;
	m->cards_blob_gen = m->state_gen;
	m->cards_blob_n = m->ncards;
	return b;
}

static struct json_object *fresh_detail(const struct dcard *dc)
{
	struct json_object *o = json_object_new_object();
	struct card_report rep;

	card_report_get(dc, &rep);
	/* The firmware job's part is the job's to say (jobs/firmware-update.c). */
	json_object_object_add(o, "card", card_json_detail(&rep, rep.fw ? fwupdate_json(dc) : NULL));
	return o;
}

struct json_blob *card_replies_detail(struct manager *m, struct dcard *dc)
{
	struct card_caches *cache = card_caches(dc);
	struct json_object *o;
	struct json_blob *b;

	if (cache->detail_blob && cache->detail_gen == card_gen(dc)) {
		if (m->verify_replies)
			verify(m, cache->detail_blob, fresh_detail(dc), card_name(dc));
		return cache->detail_blob;
	}
	o = fresh_detail(dc);
	b = json_blob_from_object(o);
	json_object_put(o);
	if (!b)
		return NULL;
	json_blob_unref(cache->detail_blob);
	cache->detail_blob = b;
	cache->detail_gen = card_gen(dc);
	return b;
}


