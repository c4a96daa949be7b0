/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Varlink message parser, on its own for the server, the table test
 * and the fuzzer: one call as the client sent it, without its NUL.
 */
#ifndef SHARED_VARLINK_MESSAGE_H
#define SHARED_VARLINK_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* Limits a misbehaving client runs into; it is disconnected, nobody else notices. */
#define VARLINK_MESSAGE_MAX (64 * 1024)     /* bytes of one incoming message */
#define VARLINK_DEPTH_MAX 16                /* JSON nesting */

struct varlink_message {
	char *method;                   /* fully qualified */
	struct json_object *parameters; /* an object, never NULL */
	bool more, oneway, upgrade;
	/* A key repeated in parameters (at any depth: the parameter it is
	 * in), which json-c would silently have taken the last of; the call
	 * is answered InvalidParameter naming it.  NULL when none. */
	char *duplicate;
};

/*
 * Parse one message (without its NUL).  0, or -EBADMSG with *ret_error set
 * to a static description: not UTF-8, not JSON, too deep, not an object,
 * method missing or not a string or not "iface.Method", parameters not an
 * object, more/oneway not booleans, more together with oneway, a key
 * repeated outside parameters, a NUL ("\u0000") in a key.
 */
int varlink_message_parse(const char *buf, size_t len, struct varlink_message *ret,
			  const char **ret_error);
void varlink_message_clear(struct varlink_message *m);

#endif /* SHARED_VARLINK_MESSAGE_H */
