// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the state file parsers.  Any input is tried as a card record and as
 * a name registry.  An accepted document must format to text that parses
 * again and formats to the same text (what the daemon writes, it can read
 * back), and the record must still work: every listed id is seen, and a
 * new entry can be added and saved.  A violation abort()s.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state.h"
#include "state/state-private.h"
#include "fuzz.h"

/* Parse, format, parse, format: both texts are the same.  Returns the text. */
static char *card_round_trip(const struct card_state *s)
{
	struct card_state *back = NULL;
	char *text, *again;

	FUZZ_CHECK(card_state_serialise(s, &text) == 0);
	FUZZ_CHECK(card_state_parse(text, strlen(text), &back) == 0);
	FUZZ_CHECK(card_state_serialise(back, &again) == 0);
	FUZZ_CHECK(strcmp(text, again) == 0);
	free(again);
	card_state_free(back);
	return text;
}

static void fuzz_card(const char *text, size_t size)
{
	struct card_state *s = (struct card_state *)&s, *before = s;
	struct errlog_record rec = { .fw_revision = "fuzz" };
	bool again_seen;
	uint32_t id;
	int r;

	r = card_state_parse(text, size, &s);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOMEM);
	if (r < 0) {
		FUZZ_CHECK(s == before);
		return;
	}
	FUZZ_CHECK(s->nseen <= STATE_SEEN_IDS_MAX);
	FUZZ_CHECK(s->nhistory <= STATE_HISTORY_MAX);
	FUZZ_CHECK(s->nalerts <= STATE_ALERTS_MAX);
	for (size_t i = 0; i < s->nseen; i++)
		FUZZ_CHECK(card_state_seen(s, &s->seen[i]));
	for (size_t i = 0; i < s->nhistory; i++) {
		struct errlog_key k = errlog_record_key(&s->history[i]);

		FUZZ_CHECK(card_state_find_errlog(s, &k) == &s->history[i]);
	}
	free(card_round_trip(s));

	/* A new entry (a key not seen) still goes in and round-trips, and so
	 * does one that reuses the newest id at another card time. */
	for (id = s->nseen ? s->seen[s->nseen - 1].id + 1 : 0;
	     card_state_seen(s, &(struct errlog_key){ .id = id }); id++)
		;
	rec.id = id;
	FUZZ_CHECK(card_state_add_errlog(s, &rec) == 0);
	FUZZ_CHECK(card_state_seen(s, &(struct errlog_key){ .id = id }));
	FUZZ_CHECK(card_state_add_errlog(s, &rec) == -EEXIST);
	rec.timestamp_ns = 1;
	again_seen = card_state_seen(s, &(struct errlog_key){ .id = id, .timestamp_ns = 1 });
	FUZZ_CHECK(card_state_add_errlog(s, &rec) == (again_seen ? -EEXIST : 0));
	FUZZ_CHECK(card_state_seen(s, &(struct errlog_key){ .id = id, .timestamp_ns = 1 }));
	FUZZ_CHECK(card_state_alert(s, "fuzz") != NULL || s->nalerts == STATE_ALERTS_MAX);
	free(card_round_trip(s));
	card_state_free(s);
}

static void fuzz_names(const char *text, size_t size)
{
	struct name_registry *r = (struct name_registry *)&r, *before = r, *back = NULL;
	char *out, *again;
	const char *name;
	bool is_new;
	int k;

	k = names_parse(text, size, &r);
	FUZZ_CHECK(k == 0 || k == -EBADMSG || k == -EPROTONOSUPPORT || k == -ENOMEM);
	if (k < 0) {
		FUZZ_CHECK(r == before);
		return;
	}
	FUZZ_CHECK(names_serialise(r, &out) == 0);
	FUZZ_CHECK(names_parse(out, strlen(out), &back) == 0);
	FUZZ_CHECK(names_serialise(back, &again) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
	free(out);
	free(again);

	/* Any serial, known or new, gets a name that looks up back to it,
	 * unless every index has been used. */
	name = names_assign(back, UINT64_MAX - 1, &is_new);
	if (name) {
		FUZZ_CHECK(names_lookup(back, name) == UINT64_MAX - 1);
		FUZZ_CHECK(names_assign(back, UINT64_MAX - 1, &is_new) == name && !is_new);
	}
	names_free(back);
	names_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parsers take a length; a copy lets ASan catch overreads. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	fuzz_card(text, size);
	fuzz_names(text, size);
	free(text);
	return 0;
}
