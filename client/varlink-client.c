// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocxlpmemctl's calls on the shared Varlink client (shared/varlink/
 * varlink-client.h), which does the framing, the timeouts and the reply
 * checks; this keeps the small API the commands were written against.
 */
#include <errno.h>
#include <stdlib.h>

#include "shared/varlink/varlink-client.h"
#include "varlink-client.h"

struct vclient {
	struct varlink_client *c;
};

int vclient_connect(const char *address, struct vclient **ret)
{
	struct vclient *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	r = varlink_client_connect(address, &v->c);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	return 0;
}

struct vclient *vclient_free(struct vclient *v)
{
	if (v) {
		varlink_client_free(v->c);
		free(v);
	}
	return NULL;
}

int vclient_call(struct vclient *v, const char *method, struct json_object *parameters, bool more)
{
	return varlink_client_call(v->c, method, parameters, more ? VARLINK_CALL_MORE : 0);
}

int vclient_read(struct vclient *v, int timeout_ms, struct json_object **ret_reply,
		 bool *ret_continues)
{
	struct varlink_reply reply;
	int r = varlink_client_read(v->c, timeout_ms, &reply);

	if (r < 0)
		return r;
	*ret_reply = json_object_get(reply.object);
	*ret_continues = reply.continues;
	varlink_reply_clear(&reply);
	return 0;
}
