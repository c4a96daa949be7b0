/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the Varlink server share and nobody else sees: the
 * server, its connections and its calls.  varlink-server.c owns the
 * server and its listeners, varlink-connection.c a client's bytes (read,
 * framed, queued, dropped), varlink-dispatch.c which method a call goes
 * to (and org.varlink.service), varlink-call.c the answers.
 */
#ifndef SHARED_VARLINK_INTERNAL_H
#define SHARED_VARLINK_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "shared/util/accept-backoff.h"
#include "shared/util/log-ratelimit.h"
#include "shared/util/log-sink.h"
#include "shared/varlink/varlink.h"
#include "shared/varlink/varlink-message.h"

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
	struct log_sink log;     /* varlink_server_set_log(); none: silent */
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

/* varlink-connection.c */
/* Handle the complete messages waiting while no call is in progress. */
void varlink_conn_process(struct conn *c);
/* Drop the connection now: a call in progress hears of it (cancel hook). */
void varlink_conn_free(struct conn *c);
/* Queue a reply object, or a blob reply by reference, with its NUL; a
 * client with VARLINK_OUTBUF_MAX unread is marked dead instead. */
void varlink_conn_send_json(struct conn *c, struct json_object *o);
void varlink_conn_send_blob(struct conn *c, struct json_blob *params);
/* The evconnlistener callback of every listener (userdata: struct listener). */
void varlink_on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
		       int socklen, void *userdata);

/* varlink-dispatch.c: answer msg (taking its method) as c's current call. */
void varlink_dispatch(struct conn *c, struct varlink_message *msg);

#endif /* SHARED_VARLINK_INTERNAL_H */
