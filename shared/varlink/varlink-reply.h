/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reply as a Varlink client reads it (without its NUL):
 * {"parameters": {...}, "continues": bool} or
 * {"error": "iface.Error", "parameters": {...}}.  Parsed on its own for the
 * client (varlink-client.h), its table test and its fuzzer.
 */
#ifndef SHARED_VARLINK_REPLY_H
#define SHARED_VARLINK_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* A reply bigger than this is refused: ListCards of 4096 cards is ~1 MiB. */
#define VARLINK_REPLY_MAX (64u * 1024u * 1024u)
/* JSON nesting of a reply; the server refuses calls past VARLINK_DEPTH_MAX. */
#define VARLINK_REPLY_DEPTH_MAX 64

struct varlink_reply {
	struct json_object *object;     /* the whole reply; owned */
	struct json_object *parameters; /* in object; {} when absent or null */
	const char *error;              /* in object: "iface.Error", or NULL */
	bool continues;                 /* more replies to this call follow */
};

/*
 * Parse one reply.  0, or -EBADMSG with *ret_error set to a static reason
 * and *ret untouched: a NUL inside, not JSON (strict, nothing after it),
 * nested too deep, not an object, "error" not a qualified name, "parameters"
 * not an object, "continues" not a boolean, "continues" with an error.
 * Members the protocol does not name are ignored, as the spec asks of
 * clients.  -ENOMEM.  What json-c's strict mode still lets through (NaN,
 * single-quoted strings) is accepted: the server's replies are json-c's
 * own output, and the client trusts its server more than the server's
 * message parser trusts clients.
 */
int varlink_reply_parse(const char *buf, size_t len, struct varlink_reply *ret,
			const char **ret_error);
/* Drops the object; a cleared reply may be cleared again. */
void varlink_reply_clear(struct varlink_reply *r);

#endif /* SHARED_VARLINK_REPLY_H */
