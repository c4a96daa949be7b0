// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON helpers both kinds of state file share (state-private.h): the
 * strict checks of doc/state-format.md's common rules in one place, so the
 * card records and the name registry cannot drift apart.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "shared/cleanup-json.h"
#include "state/state.h"
#include "state/state-private.h"

int state_parse_u64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	if (!s || !*s || (s[0] == '0' && s[1]))
		return -EBADMSG;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (*s < '0' || *s > '9' || v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

bool state_name_valid(const char *name, uint32_t *ret_index)
{
	const size_t plen = strlen(STATE_NAME_PREFIX);
	uint64_t index;

	if (strncmp(name, STATE_NAME_PREFIX, plen) != 0 ||
	    state_parse_u64(name + plen, &index) < 0 || index >= UINT32_MAX)
		return false;
	if (ret_index)
		*ret_index = (uint32_t)index;
	return true;
}

int state_json_parse(const char *text, size_t len, const char *format, int64_t max_version,
		     struct json_object **ret)
{
	_cleanup_json_ struct json_object *root = NULL;
	struct json_tokener *tok;
	struct json_object *o;
	const char *f;
	int64_t version;
	size_t end;

	/* json-c takes an int length and stops at a NUL. */
	if ((!text && len) || len > STATE_FILE_MAX || (len && memchr(text, '\0', len)))
		return -EBADMSG;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text ? text : "", (int)len);
	if (root && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(root);
		root = NULL;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root)
		return -EBADMSG;
	for (; end < len; end++)
		if (!strchr(" \t\r\n", text[end]))
			return -EBADMSG;

	if (!json_object_is_type(root, json_type_object) ||
	    state_json_get_string(root, "format", 64, &f) < 0 || strcmp(f, format) != 0 ||
	    state_json_get(root, "version", json_type_int, &o) < 0)
		return -EBADMSG;
	version = json_object_get_int64(o);
	if (version < 1)
		return -EBADMSG;
	if (version > max_version)
		return -EPROTONOSUPPORT;
	*ret = TAKE_PTR(root);
	return 0;
}

int state_json_get(struct json_object *obj, const char *key, enum json_type type,
		   struct json_object **ret)
{
	struct json_object *o;

	if (!json_object_object_get_ex(obj, key, &o) || !json_object_is_type(o, type))
		return -EBADMSG;
	*ret = o;
	return 0;
}

int state_json_string(struct json_object *o, size_t max_len, const char **ret)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(o, json_type_string))
		return -EBADMSG;
	s = json_object_get_string(o);
	n = (size_t)json_object_get_string_len(o);
	if (n > max_len || strlen(s) != n)
		return -EBADMSG;
	*ret = s;
	return 0;
}

int state_json_get_string(struct json_object *obj, const char *key, size_t max_len,
			  const char **ret)
{
	struct json_object *o;

	if (!json_object_object_get_ex(obj, key, &o))
		return -EBADMSG;
	return state_json_string(o, max_len, ret);
}

int state_json_get_u32(struct json_object *obj, const char *key, uint32_t max, uint32_t *ret)
{
	struct json_object *o;
	int64_t v;

	if (state_json_get(obj, key, json_type_int, &o) < 0)
		return -EBADMSG;
	/* A value above INT64_MAX reads as INT64_MAX: out of range too. */
	v = json_object_get_int64(o);
	if (v < 0 || v > max)
		return -EBADMSG;
	*ret = (uint32_t)v;
	return 0;
}

int state_json_u64(struct json_object *o, uint64_t *ret)
{
	const char *s;

	/* 20 digits: UINT64_MAX; state_parse_u64() checks the value. */
	if (state_json_string(o, 20, &s) < 0)
		return -EBADMSG;
	return state_parse_u64(s, ret);
}

int state_json_get_u64(struct json_object *obj, const char *key, uint64_t *ret)
{
	struct json_object *o;

	if (!json_object_object_get_ex(obj, key, &o))
		return -EBADMSG;
	return state_json_u64(o, ret);
}

int state_json_get_bool(struct json_object *obj, const char *key, bool *ret)
{
	struct json_object *o;

	if (state_json_get(obj, key, json_type_boolean, &o) < 0)
		return -EBADMSG;
	*ret = json_object_get_boolean(o);
	return 0;
}

bool state_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return false;
	}
	return true;
}

bool state_json_append(struct json_object *arr, struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		return false;
	}
	return true;
}

struct json_object *state_json_new_u64(uint64_t v)
{
	char buf[21];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_object_new_string(buf);
}

int state_json_to_text(struct json_object *obj, char **ret)
{
	const char *s;
	size_t n;
	char *text;

	s = json_object_to_json_string_ext(obj, STATE_JSON_TO_STRING_FLAGS);
	if (!s)
		return -ENOMEM;
	n = strlen(s);
	text = malloc(n + 2);
	if (!text)
		return -ENOMEM;
	memcpy(text, s, n);
	text[n] = '\n';
	text[n + 1] = '\0';
	*ret = text;
	return 0;
}
