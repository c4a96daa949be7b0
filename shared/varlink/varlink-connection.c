// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A client's connection on a libevent bufferevent: its bytes framed into
 * messages (NUL-terminated), its replies queued, its credentials taken at
 * accept, and the limits that drop it.
 *
 * Robustness rules: a message over the size limit, not UTF-8, not JSON,
 * nested too deep or not a valid call ends that connection (the protocol
 * has no way to answer a message it cannot read); everything a client can
 * get wrong inside a valid call is answered with an error.  A client that
 * stops reading its replies is dropped once VARLINK_OUTBUF_MAX is queued.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "shared/util/list.h"
#include "shared/varlink/varlink-internal.h"

#define VARLINK_MAX_SINGLE_WRITE (1 << 20)

/* Unsent replies past which we stop reading a client's calls until it has
 * read them: a client that never reads costs at most this, not 16 MiB. */
#define VARLINK_OUTBUF_PAUSE (1024 * 1024)
/* A paused client that reads nothing for this long is dropped. */
#define VARLINK_STALL_SECONDS 10

void varlink_conn_free(struct conn *c)
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
	LIST_REMOVE(s->conns, c);
	s->nconns--;
	if (c->stall)
		event_free(c->stall);
	bufferevent_free(c->bev);
	free(c);
}

static void on_stall(evutil_socket_t fd, short what, void *userdata)
{
	struct conn *c = userdata;

	log_sink_printf(&c->s->log, LOG_WARNING,
			"varlink: dropping client pid %d uid %u: replies unread for %d s",
			(int)c->pid, (unsigned int)c->uid, VARLINK_STALL_SECONDS);
	varlink_conn_free(c);
}

/* Whether LEN more bytes of replies may be queued; if not, the client,
 * which stopped reading, is dropped. */
static bool conn_has_room(struct conn *c, size_t len)
{
	if (c->dead)
		return false;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) + len > VARLINK_OUTBUF_MAX) {
		log_sink_printf(&c->s->log, LOG_WARNING,
				"varlink: dropping client pid %d uid %u: %u bytes of replies unread",
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

void varlink_conn_send_json(struct conn *c, struct json_object *o)
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
void varlink_conn_send_blob(struct conn *c, struct json_blob *params)
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
		log_sink_printf(&c->s->log, LOG_WARNING,
				"varlink: out of memory queueing a reply to pid %d", (int)c->pid);
		c->dead = true;
		bufferevent_disable(c->bev, EV_READ);
		shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
		return;
	}
	evbuffer_add(out, tail, sizeof(tail)); /* with the NUL */
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
		varlink_conn_free(c);
		return true;
	}
	return false;
}

/* Handle complete messages while no call is in progress. */
void varlink_conn_process(struct conn *c)
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
			log_sink_printf(&c->s->log, LOG_WARNING,
					"varlink: dropping client pid %d uid %u: %s", (int)c->pid,
					(unsigned int)c->uid, err ? err : "out of memory");
			varlink_conn_free(c);
			return;
		}
		evbuffer_drain(in, len + 1);
		varlink_dispatch(c, &msg);
		varlink_message_clear(&msg);
	}
	c->processing = false;
	if (c->eof || c->dead)
		conn_maybe_finish(c);
	return;

drop_too_big:
	log_sink_printf(&c->s->log, LOG_WARNING,
			"varlink: dropping client pid %d uid %u: message over %u bytes", (int)c->pid,
			(unsigned int)c->uid, VARLINK_MESSAGE_MAX);
	varlink_conn_free(c);
}

static void on_read(struct bufferevent *bev, void *userdata)
{
	varlink_conn_process(userdata);
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
		varlink_conn_process(c);
		return;
	}
	if (c->eof || c->dead)
		conn_maybe_finish(c);
}

static void on_event(struct bufferevent *bev, short what, void *userdata)
{
	struct conn *c = userdata;

	if ((what & BEV_EVENT_ERROR) || c->dead) {
		varlink_conn_free(c);
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
			varlink_conn_free(c);
			return;
		}
		if (!c->processing)
			varlink_conn_process(c);
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

void varlink_on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
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
			log_sink_printf(&s->log, LOG_WARNING,
					"varlink: refusing a connection from uid %u (pid %d): %s (%lu refused so far, %lu not logged)",
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
	LIST_PREPEND(s->conns, c);
	s->nconns++;
}
