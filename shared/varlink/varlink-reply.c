// SPDX-License-Identifier: GPL-2.0-or-later
/* Parsing a reply on the client side: see varlink-reply.h. */
#include <errno.h>
#include <string.h>

#include "shared/varlink/varlink-json.h"
#include "shared/varlink/varlink-reply.h"

void varlink_reply_clear(struct varlink_reply *r)
{
	json_object_put(r->object);
	*r = (struct varlink_reply){ 0 };
}

/* Member key of o, or NULL when absent or null. */
static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static const char *check(struct json_object *o, struct varlink_reply *r)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return "not a JSON object";
	v = member(o, "error");
	if (v) {
		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v) ||
		    !varlink_qualified_name(json_object_get_string(v)))
			return "error is not interface.Error";
		r->error = json_object_get_string(v);
	}
	v = member(o, "continues");
	if (v) {
		if (!json_object_is_type(v, json_type_boolean))
			return "continues is not a boolean";
		r->continues = json_object_get_boolean(v);
	}
	/* An error ends the call (varlink.org: "the call is finished"). */
	if (r->error && r->continues)
		return "continues together with an error";
	v = member(o, "parameters");
	if (v && !json_object_is_type(v, json_type_object))
		return "parameters is not an object";
	if (!v) {
		/* Callers may always look into parameters. */
		v = json_object_new_object();
		if (!v || json_object_object_add(o, "parameters", v) < 0) {
			json_object_put(v);
			return "out of memory";
		}
	}
	r->parameters = v;
	return NULL;
}

int varlink_reply_parse(const char *buf, size_t len, struct varlink_reply *ret,
			const char **ret_error)
{
	struct varlink_reply r = { 0 };
	struct json_object *o;
	enum json_tokener_error e;
	const char *err;
	int oom;

	if (len > VARLINK_REPLY_MAX) {
		*ret_error = "reply too large";
		return -EBADMSG;
	}
	if (memchr(buf, '\0', len)) {
		*ret_error = "NUL inside the reply";
		return -EBADMSG;
	}
	o = varlink_json_parse(buf, len, VARLINK_REPLY_DEPTH_MAX, &e, &oom);
	if (oom) {
		*ret_error = "out of memory";
		return -ENOMEM;
	}
	if (!o) {
		*ret_error = e == json_tokener_error_depth ? "nested too deep" : "not valid JSON";
		return -EBADMSG;
	}
	err = check(o, &r);
	if (err) {
		json_object_put(o);
		*ret_error = err;
		return strcmp(err, "out of memory") == 0 ? -ENOMEM : -EBADMSG;
	}
	r.object = o;
	*ret = r;
	return 0;
}
