// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the Varlink client's reply parser and framing
 * (shared/varlink/varlink-reply.c, varlink-client.c).  Whatever the bytes,
 * varlink_reply_parse() either refuses them with -EBADMSG and a reason,
 * leaving *ret alone, or returns a reply of the documented shape: an
 * object whose "parameters" is an object, an error name or none, never
 * "continues" with an error.  An accepted reply serialised again parses
 * to the same reply.  Then the bytes go through a socketpair to the client
 * as a server would send them: read raw, the messages it returns, each
 * with its NUL, put back together are exactly what was sent.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shared/varlink/varlink-client.h"
#include "fuzz.h"

#define SERIALISE (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
/* What fits in a socketpair's buffer without a reader on the other side. */
#define FRAMING_MAX 65536

static void check_reply(const struct varlink_reply *r)
{
	struct json_object *p;

	FUZZ_CHECK(json_object_is_type(r->object, json_type_object));
	FUZZ_CHECK(json_object_is_type(r->parameters, json_type_object));
	FUZZ_CHECK(json_object_object_get_ex(r->object, "parameters", &p) && p == r->parameters);
	FUZZ_CHECK(!(r->error && r->continues));
	FUZZ_CHECK(!r->error || (strchr(r->error, '.') && r->error[strlen(r->error) - 1] != '.'));
}

static void round_trip(const struct varlink_reply *r)
{
	struct varlink_reply r2;
	const char *text, *why = NULL;
	char *params;
	size_t len;
	int ret;

	text = json_object_to_json_string_length(r->object, SERIALISE, &len);
	FUZZ_CHECK(text);
	ret = varlink_reply_parse(text, len, &r2, &why);
	if (ret < 0)
		fprintf(stderr, "round trip refused (%s): %s\n", why, text);
	FUZZ_CHECK(ret == 0);
	check_reply(&r2);
	FUZZ_CHECK(r2.continues == r->continues);
	FUZZ_CHECK((!r2.error && !r->error) ||
		   (r2.error && r->error && strcmp(r2.error, r->error) == 0));
	params = strdup(json_object_to_json_string_ext(r->parameters, SERIALISE));
	FUZZ_CHECK(params);
	FUZZ_CHECK(strcmp(params, json_object_to_json_string_ext(r2.parameters, SERIALISE)) == 0);
	free(params);
	varlink_reply_clear(&r2);
}

/* data and a NUL from a "server"; the client frames it back. */
static void framing(const uint8_t *data, size_t size)
{
	struct varlink_client *c;
	size_t off = 0;
	int sv[2];

	if (size >= FRAMING_MAX)
		return;
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	FUZZ_CHECK(varlink_client_new_fd(sv[0], &c) == 0);
	FUZZ_CHECK(write(sv[1], data, size) == (ssize_t)size && write(sv[1], "", 1) == 1);
	close(sv[1]);
	for (;;) {
		const char *msg;
		size_t len;
		int r = varlink_client_read_raw(c, 0, &msg, &len);

		if (r == -ECONNRESET)
			break;
		FUZZ_CHECK(r == 0);
		FUZZ_CHECK(off + len + 1 <= size + 1);
		FUZZ_CHECK(memcmp(msg, data + off, len) == 0 && msg[len] == '\0');
		FUZZ_CHECK(off + len == size || data[off + len] == '\0');
		off += len + 1;
	}
	FUZZ_CHECK(off == size + 1);
	varlink_client_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct varlink_reply r, untouched;
	const char *why = NULL;
	int ret;

	memset(&r, FUZZ_POISON, sizeof(r));
	memcpy(&untouched, &r, sizeof(r));
	ret = varlink_reply_parse((const char *)data, size, &r, &why);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EBADMSG);
		FUZZ_CHECK(why && why[0]);
		FUZZ_CHECK(memcmp(&r, &untouched, sizeof(r)) == 0);
	} else {
		FUZZ_CHECK(ret == 0);
		check_reply(&r);
		round_trip(&r);
		varlink_reply_clear(&r);
		FUZZ_CHECK(!r.object && !r.parameters && !r.error);
	}
	framing(data, size);
	return 0;
}
