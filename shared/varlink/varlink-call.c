// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Answering a call: the reply, the updates of a streaming call, errors,
 * and the call's life (references, the cancel hook).  Replies go out in
 * the order of the calls, so a call that ends lets its connection read
 * the next message.
 */
#include <stdlib.h>

#include "shared/varlink/varlink-internal.h"

static void call_end(struct varlink_call *call)
{
	struct conn *c = call->conn;

	call->done = true;
	if (!c || c->current != call)
		return;
	c->current = NULL;
	/* Nobody may reach the connection through a finished call: it can be
	 * freed as soon as the next message is handled. */
	call->conn = NULL;
	varlink_call_unref(call);
	/* The next message may already be waiting.  When this reply came
	 * from inside conn_process, its loop carries on instead: a client
	 * pipelining thousands of calls must not make us recurse. */
	if (!c->processing)
		varlink_conn_process(c);
}

static void reply_object(struct varlink_call *call, const char *error, struct json_object *params,
			 bool continues)
{
	struct json_object *o;

	if (call->done || !call->conn || call->oneway) {
		json_object_put(params);
		if (!continues)
			call_end(call);
		return;
	}
	o = json_object_new_object();
	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	json_object_object_add(o, "parameters", params ? params : json_object_new_object());
	if (continues)
		json_object_object_add(o, "continues", json_object_new_boolean(true));
	varlink_conn_send_json(call->conn, o);
	json_object_put(o);
	if (!continues)
		call_end(call);
}

void varlink_call_reply(struct varlink_call *c, struct json_object *parameters)
{
	reply_object(c, NULL, parameters, false);
}

void varlink_call_reply_blob(struct varlink_call *c, struct json_blob *parameters)
{
	if (!c->done && c->conn && !c->oneway)
		varlink_conn_send_blob(c->conn, parameters);
	call_end(c);
}

void varlink_call_notify(struct varlink_call *c, struct json_object *parameters)
{
	if (!c->more) {
		json_object_put(parameters);
		return;
	}
	reply_object(c, NULL, parameters, true);
}

void varlink_call_error(struct varlink_call *c, const char *error, struct json_object *parameters)
{
	reply_object(c, error, parameters, false);
}

void varlink_call_invalid_parameter(struct varlink_call *c, const char *parameter)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "parameter", json_object_new_string(parameter));
	varlink_call_error(c, "org.varlink.service.InvalidParameter", p);
}

bool varlink_call_wants_more(const struct varlink_call *c)
{
	return c->more;
}

const char *varlink_call_method(const struct varlink_call *c)
{
	return c->method;
}

uid_t varlink_call_uid(const struct varlink_call *c)
{
	return c->conn ? c->conn->uid : (uid_t)-1;
}

pid_t varlink_call_pid(const struct varlink_call *c)
{
	return c->conn ? c->conn->pid : 0;
}

struct varlink_call *varlink_call_ref(struct varlink_call *c)
{
	c->refs++;
	return c;
}

struct varlink_call *varlink_call_unref(struct varlink_call *c)
{
	if (!c || --c->refs > 0)
		return NULL;
	free(c->method);
	free(c);
	return NULL;
}

void varlink_call_set_cancel(struct varlink_call *c, varlink_cancel_fn fn, void *userdata)
{
	c->cancel = fn;
	c->cancel_data = userdata;
}

bool varlink_call_closed(const struct varlink_call *c)
{
	return c->done || !c->conn;
}
