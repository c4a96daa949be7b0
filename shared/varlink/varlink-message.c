// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Varlink message parser: see varlink-message.h.  Everything a message
 * can get wrong that json-c lets through is refused here, before the
 * server looks at it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "shared/varlink/json-duplicates.h"
#include "shared/varlink/varlink-json.h"
#include "shared/varlink/varlink-message.h"

void varlink_message_clear(struct varlink_message *m)
{
	free(m->method);
	free(m->duplicate);
	json_object_put(m->parameters);
	memset(m, 0, sizeof(*m));
}

/* "a.b.Method": at least one dot, a non-empty interface and method part. */
static bool valid_method_name(const char *s)
{
	const char *dot = strrchr(s, '.');

	return varlink_qualified_name(s) && dot[1] >= 'A' && dot[1] <= 'Z';
}

static int get_bool(struct json_object *o, const char *key, bool *ret, const char **err,
		    const char *msg)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		*err = msg;
		return -EBADMSG;
	}
	*ret = json_object_get_boolean(v);
	return 0;
}

/*
 * What json-c lets through even in strict mode: overlong UTF-8, surrogates
 * and code points past U+10FFFF (it checks only the byte pattern), raw
 * control characters inside strings, and a bare scalar at the top level.
 * One pass over the raw bytes refuses them before json-c sees anything.
 */
static const char *precheck(const unsigned char *b, size_t len)
{
	bool in_string = false, escape = false;
	size_t i = 0;

	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	if (i == len || b[i] != '{')
		return "not a JSON object";
	for (; i < len; i++) {
		unsigned char c = b[i];
		unsigned int n, cp;

		if (c < 0x20) {
			if (in_string)
				return "control character in a string";
			if (c != '\t' && c != '\n' && c != '\r')
				return "not valid JSON";
			continue;
		}
		if (c < 0x80) {
			if (escape)
				escape = false;
			else if (c == '\\' && in_string)
				escape = true;
			else if (c == '"')
				in_string = !in_string;
			continue;
		}
		/* RFC 3629: shortest form, no surrogates, at most U+10FFFF. */
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return "not valid UTF-8";
		}
		for (unsigned int k = 1; k <= n; k++) {
			if (i + k >= len || (b[i + k] & 0xC0) != 0x80)
				return "not valid UTF-8";
			cp = cp << 6 | (b[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return "not valid UTF-8";
		escape = false;
		i += n;
	}
	return NULL;
}

/* After parsing: no "\u0000" inside a string (C code would see a shorter
 * one), no NaN or Infinity.  Depth is already bounded by the tokener. */
static const char *postcheck(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		if (strlen(json_object_get_string(o)) != (size_t)json_object_get_string_len(o))
			return "NUL inside a string";
		return NULL;
	case json_type_double:
		if (!isfinite(json_object_get_double(o)))
			return "not a finite number";
		return NULL;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			const char *e = postcheck(v);

			(void)k;
			if (e)
				return e;
		}
		return NULL;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			const char *e = postcheck(json_object_array_get_idx(o, i));

			if (e)
				return e;
		}
		return NULL;
	default:
		return NULL;
	}
}

/*
 * A repeated key in parameters is the client's mistake in a call we can
 * answer; anywhere else the message itself is ambiguous (which "method"?).
 */
static int find_duplicate(const char *buf, size_t len, struct varlink_message *m,
			  const char **ret_error)
{
	struct json_duplicate d;
	int r = json_find_duplicate(buf, len, &d);

	if (r == -ENOMEM) {
		*ret_error = "out of memory";
		return r;
	}
	if (r < 0) {
		*ret_error = "NUL inside a key";
		return r;
	}
	if (d.depth >= 2 && strcmp(d.top, "parameters") == 0 && d.second) {
		m->duplicate = d.second;
		d.second = NULL;
	} else if (d.depth) {
		*ret_error = "repeated key";
		r = -EBADMSG;
	}
	json_duplicate_clear(&d);
	return r;
}

int varlink_message_parse(const char *buf, size_t len, struct varlink_message *ret,
			  const char **ret_error)
{
	struct varlink_message m = { 0 };
	struct json_object *o, *v;
	enum json_tokener_error e;
	const char *err = NULL;
	int r = -EBADMSG, oom;

	if (len > VARLINK_MESSAGE_MAX) {
		*ret_error = "message too large";
		return -EBADMSG;
	}
	if (memchr(buf, '\0', len)) {
		*ret_error = "NUL inside the message";
		return -EBADMSG;
	}
	err = precheck((const unsigned char *)buf, len);
	if (err) {
		*ret_error = err;
		return -EBADMSG;
	}
	o = varlink_json_parse(buf, len, VARLINK_DEPTH_MAX, &e, &oom);
	if (oom) {
		*ret_error = "out of memory";
		return -ENOMEM;
	}
	if (!o) {
		err = e == json_tokener_error_depth ? "nested too deep" :
		      e == json_tokener_error_parse_utf8_string ? "not valid UTF-8" :
		      e == json_tokener_continue ? "truncated JSON" : "not valid JSON";
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		err = "not a JSON object";
		goto out;
	}
	err = postcheck(o);
	if (err)
		goto out;
	if (!json_object_object_get_ex(o, "method", &v) || !json_object_is_type(v, json_type_string)) {
		err = "no method string";
		goto out;
	}
	if (!valid_method_name(json_object_get_string(v))) {
		err = "method is not interface.Method";
		goto out;
	}
	m.method = strdup(json_object_get_string(v));
	if (json_object_object_get_ex(o, "parameters", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_object)) {
			err = "parameters is not an object";
			goto out;
		}
		m.parameters = json_object_get(v);
	} else {
		m.parameters = json_object_new_object();
	}
	if (get_bool(o, "more", &m.more, &err, "more is not a boolean") < 0 ||
	    get_bool(o, "oneway", &m.oneway, &err, "oneway is not a boolean") < 0 ||
	    get_bool(o, "upgrade", &m.upgrade, &err, "upgrade is not a boolean") < 0)
		goto out;
	if (m.more && m.oneway) {
		err = "more and oneway together";
		goto out;
	}
	r = find_duplicate(buf, len, &m, &err);
	if (r < 0)
		goto out;
	r = -EBADMSG;
	if (!m.method || !m.parameters) {
		err = "out of memory";
		r = -ENOMEM;
		goto out;
	}
	*ret = m;
	m = (struct varlink_message){ 0 };
	r = 0;
out:
	if (r < 0)
		*ret_error = err;
	varlink_message_clear(&m);
	json_object_put(o);
	return r;
}
