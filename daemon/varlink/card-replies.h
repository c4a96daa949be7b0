/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ListCards' and GetCard's serialised replies, rebuilt only when the card
 * (or the card list) changed (card_gen(), the manager's state_gen).  The
 * text is kept in the core's cache slots (card_caches(), the manager's
 * cards_blob), which the core frees with the card: it is shared text
 * (shared/util/json-blob.h), not a Varlink type.
 */
#ifndef OCXLPMEMD_CARD_REPLIES_H
#define OCXLPMEMD_CARD_REPLIES_H

struct dcard;
struct json_blob;
struct manager;

/* Borrowed: take a reference to keep one. */
struct json_blob *card_replies_list(struct manager *m);   /* ListCards: {"cards":[...]} */
struct json_blob *card_replies_detail(struct manager *m, struct dcard *dc); /* GetCard */

#endif /* OCXLPMEMD_CARD_REPLIES_H */
