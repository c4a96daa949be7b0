// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which method a call goes to: the interfaces added to the server, and
 * org.varlink.service (GetInfo, GetInterfaceDescription), which every
 * Varlink service answers.  Whatever cannot be dispatched (no such
 * interface or method, not allowed, a repeated parameter, "upgrade") is
 * answered with the error the protocol names for it.
 */
#include <stdlib.h>
#include <string.h>

#include "shared/varlink/varlink-internal.h"
#include "shared/varlink/varlink-params.h"

static const char service_description[] =
	"# The Varlink service interface\n"
	"interface org.varlink.service\n"
	"\n"
	"# Get a list of all the interfaces a service provides and information\n"
	"# about the implementation.\n"
	"method GetInfo() -> (\n"
	"  vendor: string,\n"
	"  product: string,\n"
	"  version: string,\n"
	"  url: string,\n"
	"  interfaces: []string\n"
	")\n"
	"\n"
	"# Get the description of an interface that is implemented by this service.\n"
	"method GetInterfaceDescription(interface: string) -> (description: string)\n"
	"\n"
	"# The requested interface was not found.\n"
	"error InterfaceNotFound (interface: string)\n"
	"\n"
	"# The requested method was not found\n"
	"error MethodNotFound (method: string)\n"
	"\n"
	"# The interface defines the requested method, but the service does not\n"
	"# implement it.\n"
	"error MethodNotImplemented (method: string)\n"
	"\n"
	"# One of the passed parameters is invalid.\n"
	"error InvalidParameter (parameter: string)\n"
	"\n"
	"# Client is denied access\n"
	"error PermissionDenied ()\n"
	"\n"
	"# Method is expected to be called with 'more' set to true, but wasn't\n"
	"error ExpectedMore ()\n";

static const struct iface *find_iface(const struct varlink_server *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nifaces; i++)
		if (strlen(s->ifaces[i].name) == len && strncmp(s->ifaces[i].name, name, len) == 0)
			return &s->ifaces[i];
	return NULL;
}

static bool service_method(const char *method)
{
	return strcmp(method, "GetInfo") == 0 || strcmp(method, "GetInterfaceDescription") == 0;
}

struct describe_params {
	const char *interface;
};

static const struct vparam describe_params[] = {
	VP_STRING("interface", true, struct describe_params, interface),
};

static void service_call(struct varlink_server *s, struct varlink_call *call, const char *method,
			 struct json_object *params)
{
	if (strcmp(method, "GetInfo") == 0) {
		struct json_object *o, *list;

		if (!vparams_dispatch(call, params, NULL, 0, NULL, NULL))
			return;
		o = json_object_new_object();
		list = json_object_new_array();

		json_object_object_add(o, "vendor", json_object_new_string(s->info.vendor));
		json_object_object_add(o, "product", json_object_new_string(s->info.product));
		json_object_object_add(o, "version", json_object_new_string(s->info.version));
		json_object_object_add(o, "url", json_object_new_string(s->info.url));
		json_object_array_add(list, json_object_new_string("org.varlink.service"));
		for (size_t i = 0; i < s->nifaces; i++)
			json_object_array_add(list, json_object_new_string(s->ifaces[i].name));
		json_object_object_add(o, "interfaces", list);
		varlink_call_reply(call, o);
	} else if (strcmp(method, "GetInterfaceDescription") == 0) {
		struct describe_params p = { 0 };
		const struct iface *ifc;
		const char *name;
		struct json_object *o;

		if (!VPARAMS_DISPATCH(call, params, describe_params, &p, NULL))
			return;
		name = p.interface;
		o = json_object_new_object();
		if (strcmp(name, "org.varlink.service") == 0) {
			json_object_object_add(o, "description",
					       json_object_new_string(service_description));
			varlink_call_reply(call, o);
			return;
		}
		ifc = find_iface(s, name, strlen(name));
		if (!ifc) {
			json_object_object_add(o, "interface", json_object_new_string(name));
			varlink_call_error(call, "org.varlink.service.InterfaceNotFound", o);
			return;
		}
		json_object_object_add(o, "description", json_object_new_string(ifc->description));
		varlink_call_reply(call, o);
	} else {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "method", json_object_new_string(call->method));
		varlink_call_error(call, "org.varlink.service.MethodNotFound", o);
	}
}

void varlink_dispatch(struct conn *c, struct varlink_message *msg)
{
	struct varlink_server *s = c->s;
	struct varlink_call *call;
	const char *dot = strrchr(msg->method, '.');
	const struct iface *ifc;

	call = calloc(1, sizeof(*call));
	if (!call) {
		/* Replies are matched to calls by order: an unanswered call
		 * would shift every later reply, so the connection must go. */
		c->dead = true;
		return;
	}
	call->refs = 1; /* the connection's */
	call->conn = c;
	call->method = msg->method;
	msg->method = NULL;
	call->more = msg->more;
	call->oneway = msg->oneway;
	c->current = call;

	if (msg->upgrade) {
		varlink_call_invalid_parameter(call, "upgrade");
		return;
	}
	if ((size_t)(dot - call->method) == strlen("org.varlink.service") &&
	    strncmp(call->method, "org.varlink.service", (size_t)(dot - call->method)) == 0) {
		if (msg->duplicate && service_method(dot + 1))
			varlink_call_invalid_parameter(call, msg->duplicate);
		else
			service_call(s, call, dot + 1, msg->parameters);
		return;
	}
	ifc = find_iface(s, call->method, (size_t)(dot - call->method));
	if (!ifc) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "interface",
				       json_object_new_string_len(call->method, (int)(dot - call->method)));
		varlink_call_error(call, "org.varlink.service.InterfaceNotFound", o);
		return;
	}
	for (size_t i = 0; i < ifc->nmethods; i++) {
		const struct varlink_method *m = &ifc->methods[i];

		if (strcmp(m->name, dot + 1) != 0)
			continue;
		if (m->privileged && !c->admin) {
			/* Logged once per connection: a loop of refused calls
			 * must not flood the journal. */
			if (!c->denied_logged)
				log_sink_printf(&c->s->log, LOG_WARNING,
						"varlink: %s denied to uid %u (pid %d): not root or in the admin group",
						call->method, (unsigned int)c->uid, (int)c->pid);
			c->denied_logged = true;
			varlink_call_error(call, "org.varlink.service.PermissionDenied", NULL);
			return;
		}
		/* Before the method: its table cannot see what json-c merged. */
		if (msg->duplicate)
			varlink_call_invalid_parameter(call, msg->duplicate);
		else
			m->fn(call, msg->parameters, ifc->userdata);
		return;
	}
	{
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "method", json_object_new_string(call->method));
		varlink_call_error(call, "org.varlink.service.MethodNotFound", o);
	}
}
