// SPDX-License-Identifier: LGPL-2.1-or-later
/* One strict JSON value (varlink-json.h). */
#include <string.h>

#include "shared/varlink/varlink-json.h"

struct json_object *varlink_json_parse(const char *buf, size_t len, int depth,
				       enum json_tokener_error *ret_error, int *ret_oom)
{
	struct json_tokener *tok = json_tokener_new_ex(depth);
	struct json_object *o;

	*ret_oom = !tok;
	*ret_error = json_tokener_success;
	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		*ret_error = json_tokener_get_error(tok);
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

bool varlink_qualified_name(const char *s)
{
	const char *dot = strrchr(s, '.');

	if (!dot || dot == s || !dot[1])
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return false;
	return true;
}
