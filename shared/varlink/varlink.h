/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small Varlink server on json-c and libevent (Debian 12 has neither
 * sd-varlink nor libvarlink).  The protocol (varlink.org): one JSON object
 * per message, NUL-terminated, over a unix stream socket.  A call is
 * {"method": "iface.Method", "parameters": {...}, "more": bool,
 * "oneway": bool}; a reply is {"parameters": {...}, "continues": bool} or
 * {"error": "iface.Error", "parameters": {...}}.
 *
 * This library (shared/varlink/, not installed) knows the protocol, the
 * limits and the peer's credentials; it knows nothing of ocxlpmemd and
 * includes no daemon header: what it logs goes to the callback set with
 * varlink_server_set_log().  Calls on one connection are answered in
 * order: a streaming ("more") call holds its connection until it ends.
 * The message parser is varlink-message.h, the parameter tables
 * varlink-params.h, the watcher list varlink-watch.h, the client
 * varlink-client.h.
 */
#ifndef SHARED_VARLINK_H
#define SHARED_VARLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "shared/util/json-blob.h"
#include "shared/util/log-sink.h"
#include "shared/varlink/varlink-message.h"

/* More limits a misbehaving client runs into (VARLINK_MESSAGE_MAX and
 * VARLINK_DEPTH_MAX are the parser's, varlink-message.h). */
#define VARLINK_OUTBUF_MAX (16 * 1024 * 1024) /* unread replies before we give up */
#define VARLINK_CONNECTIONS_MAX 1024
#define VARLINK_CONNECTIONS_PER_UID_MAX 128

struct varlink_server;
struct varlink_call;

typedef void (*varlink_method_fn)(struct varlink_call *call, struct json_object *parameters,
				  void *userdata);

struct varlink_method {
	const char *name;      /* "ListCards": the interface name is prepended */
	varlink_method_fn fn;
	bool privileged;       /* root or the admin group only */
};

struct varlink_server_info {
	const char *vendor, *product, *version, *url;
};

int varlink_server_new(struct event_base *base, const struct varlink_server_info *info,
		       struct varlink_server **ret);
struct varlink_server *varlink_server_free(struct varlink_server *s);

/* Add an interface: its name, its description text (the .varlink file)
 * and its methods. */
int varlink_server_add_interface(struct varlink_server *s, const char *name,
				 const char *description, const struct varlink_method *methods,
				 size_t nmethods, void *userdata);
/*
 * Where the server's lines go (dropped, refused and denied clients, failed
 * accepts): each is one line at a syslog priority, LOG_WARNING so far.
 * Without a callback the server says nothing.
 */
void varlink_server_set_log(struct varlink_server *s, log_sink_fn fn, void *userdata);
/* Mutations are allowed for uid 0 and members of this gid (-1: none). */
void varlink_server_set_admin_gid(struct varlink_server *s, gid_t gid);

/* Serve on an inherited listening socket (socket activation). */
int varlink_server_listen_fd(struct varlink_server *s, int fd);
/* Bind path (replacing a stale socket), mode 0666: access control is per
 * call.  varlink_server_free() removes it again, if it is still ours. */
int varlink_server_listen_path(struct varlink_server *s, const char *path);

unsigned int varlink_server_connections(const struct varlink_server *s);
/* At most max connections (at most VARLINK_CONNECTIONS_MAX), and from one
 * uid at most min(max, VARLINK_CONNECTIONS_PER_UID_MAX). */
void varlink_server_set_limits(struct varlink_server *s, unsigned int max);

/* ---- Answering a call ---------------------------------------------------- */

/* Final reply; takes parameters (NULL: {}).  Ends the call. */
void varlink_call_reply(struct varlink_call *c, struct json_object *parameters);
/* Final reply whose parameters are already serialised: the blob is queued
 * by reference (the caller keeps its own reference).  Ends the call. */
void varlink_call_reply_blob(struct varlink_call *c, struct json_blob *parameters);
/* One of several replies ("continues": true); only when the caller asked
 * for more.  Takes parameters. */
void varlink_call_notify(struct varlink_call *c, struct json_object *parameters);
/* An error declared in the interface (fully qualified); ends the call. */
void varlink_call_error(struct varlink_call *c, const char *error, struct json_object *parameters);
/* org.varlink.service.InvalidParameter naming the parameter. */
void varlink_call_invalid_parameter(struct varlink_call *c, const char *parameter);

bool varlink_call_wants_more(const struct varlink_call *c);
const char *varlink_call_method(const struct varlink_call *c);
uid_t varlink_call_uid(const struct varlink_call *c);
pid_t varlink_call_pid(const struct varlink_call *c);

/* A streaming call stays open after the method returns; the method keeps
 * it with ref and hears of the client leaving through the cancel hook. */
struct varlink_call *varlink_call_ref(struct varlink_call *c);
struct varlink_call *varlink_call_unref(struct varlink_call *c);
typedef void (*varlink_cancel_fn)(struct varlink_call *c, void *userdata);
void varlink_call_set_cancel(struct varlink_call *c, varlink_cancel_fn fn, void *userdata);
/* True once the connection is gone or the call has ended. */
bool varlink_call_closed(const struct varlink_call *c);

#endif /* SHARED_VARLINK_H */
