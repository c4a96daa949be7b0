/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A blocking Varlink client: connect to a unix socket, call, read the reply
 * or the replies of a "more" call, each within a timeout.  One framing for
 * ocxlpmemctl, the benches and the tests: a message is JSON and a NUL.
 *
 * Two layers: varlink_client_call() and varlink_client_read() speak the
 * protocol (the reply parsed, its error by name); varlink_client_send()
 * and varlink_client_read_raw() only frame, for tests and benches that
 * send what no well-behaved client would or time the bytes themselves.
 * Calls are answered in order; nothing here is thread-safe.
 */
#ifndef SHARED_VARLINK_CLIENT_H
#define SHARED_VARLINK_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "shared/varlink/varlink-reply.h"

struct varlink_client;

enum varlink_call_flags {
	VARLINK_CALL_MORE = 1 << 0,   /* replies until one without "continues" */
	VARLINK_CALL_ONEWAY = 1 << 1, /* no reply at all */
};

/* address: "unix:PATH" or a plain PATH.  0 or -errno (-EINVAL: no path or
 * too long). */
int varlink_client_connect(const char *address, struct varlink_client **ret);
/* Over a connected stream socket, which the client then owns (closed by
 * _free, also when this fails). */
int varlink_client_new_fd(int fd, struct varlink_client **ret);
struct varlink_client *varlink_client_free(struct varlink_client *c);
/* For poll(): readable when varlink_client_read(c, 0, ...) may progress. */
int varlink_client_fd(const struct varlink_client *c);
/* Refuse replies over max bytes (default and at most VARLINK_REPLY_MAX). */
void varlink_client_set_reply_max(struct varlink_client *c, size_t max);

/* Send a call; takes parameters (NULL: {}).  -EINVAL for MORE with ONEWAY;
 * -EPIPE and the like when the server has gone. */
int varlink_client_call(struct varlink_client *c, const char *method,
			struct json_object *parameters, unsigned int flags);
/*
 * Read the next reply, waiting at most timeout_ms in all (-1: for ever;
 * 0: only what has arrived).  0 with *ret filled (varlink_reply_clear() it);
 * -ETIMEDOUT (what arrived so far is kept for the next read), -ECONNRESET
 * (the server closed the connection), -EBADMSG (not a reply; it is skipped),
 * -EMSGSIZE (over the reply limit: the connection is no use after it),
 * -errno.
 */
int varlink_client_read(struct varlink_client *c, int timeout_ms, struct varlink_reply *ret);

/* Send len bytes as one message, adding its NUL; the bytes are not checked. */
int varlink_client_send(struct varlink_client *c, const char *msg, size_t len);
/* The next message as it came, without its NUL (*ret_msg is NUL-terminated
 * and valid until the next call on c).  Errors as varlink_client_read(),
 * except -EBADMSG. */
int varlink_client_read_raw(struct varlink_client *c, int timeout_ms, const char **ret_msg,
			    size_t *ret_len);

#endif /* SHARED_VARLINK_CLIENT_H */
