// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Varlink protocol on libevent bufferevents.  See varlink.h.
 *
 * Robustness rules: a message over the size limit, not UTF-8, not JSON,
 * nested too deep or not a valid call ends that connection (the protocol
 * has no way to answer a message it cannot read); everything a client can
 * get wrong inside a valid call is answered with an error.  A client that
 * stops reading its replies is dropped once VARLINK_OUTBUF_MAX is queued.
 * A listener whose accept() fails for want of descriptors or memory pauses
 * instead of spinning (accept-backoff.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "shared/util/accept-backoff.h"
#include "varlink/json-duplicates.h"
#include "util/log.h"
#include "varlink/varlink.h"
#include "varlink/varlink-params.h"

#define VARLINK_MAX_SINGLE_WRITE (1 << 20)

struct iface {
	char *name;
	char *description;
	const struct varlink_method *methods;
	size_t nmethods;
	void *userdata;
};

struct conn;

struct varlink_call {
	unsigned int refs;
	struct conn *conn;       /* NULL once the connection is gone */
	char *method;
	bool more, oneway, done;
	varlink_cancel_fn cancel;
	void *cancel_data;
};

struct conn {
	struct varlink_server *s;
	struct bufferevent *bev;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool admin;
	bool processing;         /* inside conn_process: do not recurse */
	bool dead;               /* dropped: no more reading, replies or logs */
	bool eof;                /* the client closed its side: finish, then free */
	bool paused;             /* too many unsent replies: reading stopped */
	struct event *stall;     /* drops a paused client that never catches up */
	bool denied_logged;
	struct varlink_call *current;
	struct conn *next, *prev;
};

/* At most one "refusing" line this often. */
#define VARLINK_REFUSED_LOG_INTERVAL_S 10

/* One listening socket; the listener's callbacks get this. */
struct listener {
	struct varlink_server *s;
	struct evconnlistener *l;
	struct accept_backoff backoff;
};

struct varlink_server {
	struct event_base *base;
	struct varlink_server_info info;
	struct iface *ifaces;
	size_t nifaces;
	struct listener **listeners;
	size_t nlisteners;
	struct conn *conns;
	unsigned int nconns;
	unsigned int max_conns, max_per_uid;
	unsigned long refused;   /* connections refused since start */
	struct log_ratelimit refused_log;
	gid_t admin_gid;
	bool has_admin_gid;
	/* The socket file varlink_server_listen_path() created: removed at
	 * free only while it is still that file (same device and inode), so
	 * a socket another process bound since is never taken away.  NULL for
	 * sockets passed by systemd. */
	char *bound_path;
	dev_t bound_dev;
	ino_t bound_ino;
};

/* ---- Parsing ------------------------------------------------------------- */

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

	if (!dot || dot == s || !dot[1])
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return false;
	return dot[1] >= 'A' && dot[1] <= 'Z';
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
	struct json_tokener *tok;
	struct json_object *o, *v;
	const char *err = NULL;
	int r = -EBADMSG;

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
	tok = json_tokener_new_ex(VARLINK_DEPTH_MAX);
	if (!tok) {
		*ret_error = "out of memory";
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		err = e == json_tokener_error_depth ? "nested too deep" :
		      e == json_tokener_error_parse_utf8_string ? "not valid UTF-8" :
		      !o && e == json_tokener_continue ? "truncated JSON" : "not valid JSON";
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
	json_tokener_free(tok);
	return r;
}

/* ---- Connections ---------------------------------------------------------- */

static void conn_process(struct conn *c);

/* Unsent replies past which we stop reading a client's calls until it has
 * read them: a client that never reads costs at most this, not 16 MiB. */
#define VARLINK_OUTBUF_PAUSE (1024 * 1024)
/* A paused client that reads nothing for this long is dropped. */
#define VARLINK_STALL_SECONDS 10

static void conn_free(struct conn *c)
{
	struct varlink_server *s = c->s;

	if (c->current) {
		struct varlink_call *call = c->current;

		call->conn = NULL;
		c->current = NULL;
		/* A streaming call learns its client left. */
		if (!call->done && call->cancel)
			call->cancel(call, call->cancel_data);
		varlink_call_unref(call);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	if (c->stall)
		event_free(c->stall);
	bufferevent_free(c->bev);
	free(c);
}

static void on_stall(evutil_socket_t fd, short what, void *userdata)
{
	struct conn *c = userdata;

	log_warning("varlink: dropping client pid %d uid %u: replies unread for %d s",
		    (int)c->pid, (unsigned int)c->uid, VARLINK_STALL_SECONDS);
	conn_free(c);
}

/* Whether LEN more bytes of replies may be queued; if not, the client,
 * which stopped reading, is dropped. */
static bool conn_has_room(struct conn *c, size_t len)
{
	if (c->dead)
		return false;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) + len > VARLINK_OUTBUF_MAX) {
		log_warning("varlink: dropping client pid %d uid %u: %u bytes of replies unread",
			    (int)c->pid, (unsigned int)c->uid, VARLINK_OUTBUF_MAX);
		/* Freed from the loop (the event callback), not under a
		 * caller's feet; until then it gets nothing more. */
		c->dead = true;
		bufferevent_disable(c->bev, EV_READ);
		shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
		return false;
	}
	return true;
}

static void send_json(struct conn *c, struct json_object *o)
{
	const char *text;
	size_t len;

	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (!conn_has_room(c, len + 1))
		return;
	bufferevent_write(c->bev, text, len + 1); /* with the NUL */
}

/* {"parameters":BLOB} and the NUL, the blob's bytes by reference. */
static void send_blob_reply(struct conn *c, struct json_blob *params)
{
	static const char head[] = "{\"parameters\":", tail[] = "}";
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (!conn_has_room(c, sizeof(head) - 1 + params->len + sizeof(tail)))
		return;
	json_blob_ref(params);
	if (evbuffer_add(out, head, sizeof(head) - 1) < 0 ||
	    evbuffer_add_reference(out, params->text, params->len, json_blob_unref_cb,
				   params) < 0) {
		json_blob_unref(params);
		log_warning("varlink: out of memory queueing a reply to pid %d", (int)c->pid);
		c->dead = true;
		bufferevent_disable(c->bev, EV_READ);
		shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
		return;
	}
	evbuffer_add(out, tail, sizeof(tail)); /* with the NUL */
}

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
		conn_process(c);
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
	send_json(call->conn, o);
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
		send_blob_reply(c->conn, parameters);
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

/* ---- The service interface (introspection) ------------------------------- */

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

/* ---- Dispatch ------------------------------------------------------------- */

static void dispatch(struct conn *c, struct varlink_message *msg)
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
				log_warning("varlink: %s denied to uid %u (pid %d): not root or in the admin group",
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

/*
 * After the client closed its side: free once every call it sent has been
 * answered and the answers are on their way (the kernel keeps them).
 * Returns true when c was freed.
 */
static bool conn_maybe_finish(struct conn *c)
{
	if (c->dead || (c->eof && !c->current &&
			evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)) {
		conn_free(c);
		return true;
	}
	return false;
}

/* Handle complete messages while no call is in progress. */
static void conn_process(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	c->processing = true;
	while (!c->current && !c->dead) {
		struct evbuffer_ptr pos;
		struct varlink_message msg;
		const char *err = NULL;
		size_t len;
		char *buf;

		/* Back-pressure: a client that does not read its replies
		 * stops being read until it does (see on_write). */
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) > VARLINK_OUTBUF_PAUSE) {
			struct timeval tv = { .tv_sec = VARLINK_STALL_SECONDS };

			c->paused = true;
			bufferevent_disable(c->bev, EV_READ);
			if (!c->stall)
				c->stall = evtimer_new(c->s->base, on_stall, c);
			if (c->stall)
				evtimer_add(c->stall, &tv);
			break;
		}
		pos = evbuffer_search(in, "", 1, NULL);
		if (pos.pos < 0) {
			if (evbuffer_get_length(in) > VARLINK_MESSAGE_MAX)
				goto drop_too_big;
			break;
		}
		len = (size_t)pos.pos;
		if (len > VARLINK_MESSAGE_MAX)
			goto drop_too_big;
		buf = (char *)evbuffer_pullup(in, (ssize_t)len + 1);
		if (!buf || varlink_message_parse(buf, len, &msg, &err) < 0) {
			log_warning("varlink: dropping client pid %d uid %u: %s", (int)c->pid,
				    (unsigned int)c->uid, err ? err : "out of memory");
			conn_free(c);
			return;
		}
		evbuffer_drain(in, len + 1);
		dispatch(c, &msg);
		varlink_message_clear(&msg);
	}
	c->processing = false;
	if (c->eof || c->dead)
		conn_maybe_finish(c);
	return;

drop_too_big:
	log_warning("varlink: dropping client pid %d uid %u: message over %u bytes", (int)c->pid,
		    (unsigned int)c->uid, VARLINK_MESSAGE_MAX);
	conn_free(c);
}

static void on_read(struct bufferevent *bev, void *userdata)
{
	conn_process(userdata);
}

/* The output buffer drained: resume a paused client, finish a closed one. */
static void on_write(struct bufferevent *bev, void *userdata)
{
	struct conn *c = userdata;

	if (c->paused && !c->dead) {
		c->paused = false;
		if (c->stall)
			evtimer_del(c->stall);
		if (!c->eof)
			bufferevent_enable(c->bev, EV_READ);
		conn_process(c);
		return;
	}
	if (c->eof || c->dead)
		conn_maybe_finish(c);
}

static void on_event(struct bufferevent *bev, short what, void *userdata)
{
	struct conn *c = userdata;

	if ((what & BEV_EVENT_ERROR) || c->dead) {
		conn_free(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/*
		 * The client may have sent its last calls and shut its write
		 * side (socat does): answer them all before closing.  A
		 * streaming call has nobody left to stream to.
		 */
		c->eof = true;
		bufferevent_disable(c->bev, EV_READ);
		if (c->current && c->current->more) {
			conn_free(c);
			return;
		}
		if (!c->processing)
			conn_process(c);
	}
}

static bool peer_is_admin(struct varlink_server *s, int fd, uid_t uid, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	/* root, and the daemon's own user: someone running ocxlpmemd
	 * unprivileged (a simulation) administers it. */
	if (uid == 0 || uid == geteuid())
		return true;
	if (!s->has_admin_gid)
		return false;
	if (gid == s->admin_gid)
		return true;
	/* The peer's supplementary groups as the kernel saw them at connect. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == s->admin_gid)
			return true;
	return false;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
		      int socklen, void *userdata)
{
	struct varlink_server *s = ((struct listener *)userdata)->s;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	unsigned int same_uid = 0;
	struct conn *c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return;
	}
	for (c = s->conns; c; c = c->next)
		same_uid += c->uid == cred.uid;
	if (s->nconns >= s->max_conns || same_uid >= s->max_per_uid) {
		unsigned long quiet;

		/* A flood must not flood the log. */
		s->refused++;
		if (log_ratelimit(&s->refused_log, VARLINK_REFUSED_LOG_INTERVAL_S, &quiet))
			log_warning("varlink: refusing a connection from uid %u (pid %d): %s (%lu refused so far, %lu not logged)",
				    (unsigned int)cred.uid, (int)cred.pid,
				    same_uid >= s->max_per_uid ?
					    "too many from this user" : "too many connections",
				    s->refused, quiet);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->s = s;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	c->admin = peer_is_admin(s, fd, cred.uid, cred.gid);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* Stop reading while a long call holds the connection and the client
	 * keeps sending: the size check still sees a message with no end. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, 2 * VARLINK_MESSAGE_MAX);
	/* libevent 2.1 writes at most 16 KiB per wake-up by default: a
	 * ListCards reply of 256 cards (74 KB) took five trips round the loop. */
	bufferevent_set_max_single_write(c->bev, VARLINK_MAX_SINGLE_WRITE);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
}

/* ---- Server --------------------------------------------------------------- */

int varlink_server_new(struct event_base *base, const struct varlink_server_info *info,
		       struct varlink_server **ret)
{
	struct varlink_server *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->base = base;
	s->info = *info;
	varlink_server_set_limits(s, VARLINK_CONNECTIONS_MAX);
	*ret = s;
	return 0;
}

struct varlink_server *varlink_server_free(struct varlink_server *s)
{
	if (!s)
		return NULL;
	while (s->conns)
		conn_free(s->conns);
	for (size_t i = 0; i < s->nlisteners; i++) {
		accept_backoff_done(&s->listeners[i]->backoff);
		evconnlistener_free(s->listeners[i]->l);
		free(s->listeners[i]);
	}
	free(s->listeners);
	for (size_t i = 0; i < s->nifaces; i++) {
		free(s->ifaces[i].name);
		free(s->ifaces[i].description);
	}
	free(s->ifaces);
	if (s->bound_path) {
		struct stat st;

		if (lstat(s->bound_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_dev == s->bound_dev && st.st_ino == s->bound_ino)
			(void)unlink(s->bound_path);
		free(s->bound_path);
	}
	free(s);
	return NULL;
}

int varlink_server_add_interface(struct varlink_server *s, const char *name,
				 const char *description, const struct varlink_method *methods,
				 size_t nmethods, void *userdata)
{
	struct iface *v = realloc(s->ifaces, (s->nifaces + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->ifaces = v;
	v[s->nifaces] = (struct iface){
		.name = strdup(name),
		.description = strdup(description),
		.methods = methods,
		.nmethods = nmethods,
		.userdata = userdata,
	};
	if (!v[s->nifaces].name || !v[s->nifaces].description) {
		free(v[s->nifaces].name);
		free(v[s->nifaces].description);
		return -ENOMEM;
	}
	s->nifaces++;
	return 0;
}

void varlink_server_set_admin_gid(struct varlink_server *s, gid_t gid)
{
	s->admin_gid = gid;
	s->has_admin_gid = gid != (gid_t)-1;
}

static void on_accept_error(struct evconnlistener *l, void *userdata)
{
	struct listener *li = userdata;

	accept_backoff_error(&li->backoff, EVUTIL_SOCKET_ERROR());
}

int varlink_server_listen_fd(struct varlink_server *s, int fd)
{
	struct listener **v, *li;

	v = realloc(s->listeners, (s->nlisteners + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->listeners = v;
	li = calloc(1, sizeof(*li));
	if (!li)
		return -ENOMEM;
	li->s = s;
	/* The timer first: once the listener exists, it owns fd. */
	if (accept_backoff_init(&li->backoff, s->base, NULL, "varlink", &LOG_SINK_DAEMON) < 0) {
		free(li);
		return -ENOMEM;
	}
	evutil_make_socket_nonblocking(fd);
	li->l = evconnlistener_new(s->base, on_accept, li,
				   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!li->l) {
		accept_backoff_done(&li->backoff);
		free(li);
		return -ENOMEM;
	}
	li->backoff.listener = li->l;
	evconnlistener_set_error_cb(li->l, on_accept_error);
	s->listeners[s->nlisteners++] = li;
	return 0;
}

int varlink_server_listen_path(struct varlink_server *s, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a daemon that died is stale: nobody listens on it.
	 * (A live one is not ours to replace: the daemon holds the lock of
	 * the runtime directory before it gets here.) */
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    lstat(path, &st) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = varlink_server_listen_fd(s, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* Remembered after the listener: if it fails, the caller gives up
	 * and the path stays bound to nothing, which the next start cleans. */
	free(s->bound_path);
	s->bound_path = strdup(path);
	s->bound_dev = st.st_dev;
	s->bound_ino = st.st_ino;
	return 0;
}

unsigned int varlink_server_connections(const struct varlink_server *s)
{
	return s->nconns;
}

void varlink_server_set_limits(struct varlink_server *s, unsigned int max)
{
	if (max > VARLINK_CONNECTIONS_MAX)
		max = VARLINK_CONNECTIONS_MAX;
	if (max < 1)
		max = 1;
	s->max_conns = max;
	s->max_per_uid = max < VARLINK_CONNECTIONS_PER_UID_MAX ? max : VARLINK_CONNECTIONS_PER_UID_MAX;
}
