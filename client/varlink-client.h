/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A blocking Varlink client: connect, call, read replies.  For ocxlpmemctl;
 * a thin layer on shared/varlink/varlink-client.h.
 */
#ifndef OCXLPMEMCTL_VARLINK_CLIENT_H
#define OCXLPMEMCTL_VARLINK_CLIENT_H

#include <stdbool.h>

#include <json-c/json.h>

struct vclient;

/* address: "unix:PATH" or a plain path.  0 or -errno. */
int vclient_connect(const char *address, struct vclient **ret);
struct vclient *vclient_free(struct vclient *c);

/* Send a call; parameters is taken (NULL: {}). */
int vclient_call(struct vclient *c, const char *method, struct json_object *parameters, bool more);
/*
 * Read one reply within timeout_ms (-1: forever).  On success *ret_reply
 * is the whole reply object (caller puts it) and *ret_continues tells
 * whether more follow.  -ETIMEDOUT, -ECONNRESET (daemon went away),
 * -EBADMSG (not a reply), -EMSGSIZE (a reply over 64 MiB).
 */
int vclient_read(struct vclient *c, int timeout_ms, struct json_object **ret_reply,
		 bool *ret_continues);

#endif
