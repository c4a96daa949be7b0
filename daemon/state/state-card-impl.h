/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The card record's in-memory representation, shared by its operations
 * (state.c) and its JSON form (state-card-json.c) only.
 */
#ifndef OCXLPMEMD_STATE_CARD_IMPL_H
#define OCXLPMEMD_STATE_CARD_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "state/state.h"

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

/* Grow the seen-key set for want keys: 0 or -ENOMEM. */
int card_state_set_reserve(struct card_state_impl *c, size_t want);
bool card_state_set_contains(const struct card_state_impl *c, const struct errlog_key *k);
/* k must not be in the set, and the set must have room (set_reserve). */
void card_state_set_insert(struct card_state_impl *c, const struct errlog_key *k);

/* The invariants the parser enforces and the operations keep. */
bool card_state_errlog_record_valid(const struct errlog_record *rec);
bool card_state_history_in_seen_order(const struct card_state *s);
bool card_state_alert_key_valid(const char *key);

#endif /* OCXLPMEMD_STATE_CARD_IMPL_H */
