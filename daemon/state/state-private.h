/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by daemon/state*.c and their tests and fuzzer only: the JSON
 * helpers both document kinds use, and the serialisers that report why they
 * failed (the public card_state_format() can only return NULL).
 */
#ifndef OCXLPMEMD_STATE_PRIVATE_H
#define OCXLPMEMD_STATE_PRIVATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/state.h"

#define STATE_CARD_FORMAT "ocxlpmemd-card-state"
#define STATE_NAMES_FORMAT "ocxlpmemd-names"
#define STATE_NAME_PREFIX "ocxlpmem"
#define STATE_NAMES_FILE "names.json"
#define STATE_CARDS_DIR "cards"

/*
 * Far above anything we write (a full card record is about 2.2 MiB: 256
 * entries of 4 KiB data in hex), so a bigger file is not ours: it is set
 * aside as too large without being read.
 */
#define STATE_FILE_MAX (16u * 1024u * 1024u)

#define STATE_JSON_TO_STRING_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * Tokenise text strictly (one JSON value, nothing but whitespace after it),
 * check it is an object with this "format" and an integer "version" in
 * 1..max_version.  0 with *ret (caller puts it), -EBADMSG, -EPROTONOSUPPORT
 * (a newer version: the rest is not looked at), -ENOMEM.
 */
int state_json_parse(const char *text, size_t len, const char *format, int64_t max_version,
		     struct json_object **ret);

/* Field getters: 0, or -EBADMSG when missing, of another type or out of range. */
int state_json_get(struct json_object *obj, const char *key, enum json_type type,
		   struct json_object **ret);
int state_json_get_string(struct json_object *obj, const char *key, size_t max_len,
			  const char **ret);
int state_json_get_u32(struct json_object *obj, const char *key, uint32_t max, uint32_t *ret);
int state_json_get_u64(struct json_object *obj, const char *key, uint64_t *ret);
int state_json_get_bool(struct json_object *obj, const char *key, bool *ret);

/* A JSON string: 0 with *ret, or -EBADMSG (not a string, NUL inside, too long). */
int state_json_string(struct json_object *o, size_t max_len, const char **ret);
/* A u64 as a JSON string of decimal digits: 0 with *ret or -EBADMSG. */
int state_json_u64(struct json_object *o, uint64_t *ret);
/* Canonical decimal (no sign, no leading zeros, fits 64 bits): 0 or -EBADMSG. */
int state_parse_u64(const char *s, uint64_t *ret);
/* "ocxlpmemN", N canonical decimal below UINT32_MAX. */
bool state_name_valid(const char *name, uint32_t *ret_index);

/*
 * Adders for the serialisers: they take ownership of val (which may be NULL
 * after a failed json_object_new_*()) and return false on -ENOMEM.
 */
bool state_json_add(struct json_object *obj, const char *key, struct json_object *val);
bool state_json_append(struct json_object *arr, struct json_object *val);
struct json_object *state_json_new_u64(uint64_t v);
/* The pretty text of obj with a final newline: 0 with *ret or -ENOMEM. */
int state_json_to_text(struct json_object *obj, char **ret);

/* 0 with *ret (caller frees), -EINVAL when s breaks an invariant, -ENOMEM. */
int card_state_serialise(const struct card_state *s, char **ret);
/* 0 with *ret (caller frees), -ENOMEM. */
int names_serialise(const struct name_registry *r, char **ret);

#endif /* OCXLPMEMD_STATE_PRIVATE_H */
