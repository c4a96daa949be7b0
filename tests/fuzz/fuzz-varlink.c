// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the Varlink message parser (daemon/varlink.c).  Whatever the input,
 * varlink_message_parse() must either fail with -EBADMSG and a reason,
 * leaving *ret alone, or return a call that keeps the documented shape.
 * An accepted call is then rebuilt from what was parsed (method, the
 * parameters serialised again, the flags) and parsed once more: that must
 * succeed with the same call, unless the serialisation grew past the size
 * limit (json-c escapes control characters).  Never crash or leak.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "varlink.h"
#include "fuzz.h"

#define SERIALISE (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* The shape every accepted call has. */
static void check_message(const struct varlink_message *m)
{
	const char *dot;

	FUZZ_CHECK(m->method && m->parameters);
	FUZZ_CHECK(json_object_is_type(m->parameters, json_type_object));
	FUZZ_CHECK(!(m->more && m->oneway));
	dot = strrchr(m->method, '.');
	FUZZ_CHECK(dot && dot != m->method && dot[1] >= 'A' && dot[1] <= 'Z');
}

static void check_failure(int r, const struct varlink_message *m,
			  const struct varlink_message *untouched, const char *err)
{
	FUZZ_CHECK(r == -EBADMSG);
	FUZZ_CHECK(memcmp(m, untouched, sizeof(*m)) == 0);
	FUZZ_CHECK(err && err[0]);
}

/* Rebuild the call from the parsed message and parse it again. */
static void round_trip(const struct varlink_message *m)
{
	struct json_object *o = json_object_new_object();
	struct varlink_message m2, untouched;
	const char *text, *err = NULL;
	char *p1;
	size_t len;
	int r;

	FUZZ_CHECK(o);
	json_object_object_add(o, "method", json_object_new_string(m->method));
	json_object_object_add(o, "parameters", json_object_get(m->parameters));
	if (m->more)
		json_object_object_add(o, "more", json_object_new_boolean(true));
	if (m->oneway)
		json_object_object_add(o, "oneway", json_object_new_boolean(true));
	if (m->upgrade)
		json_object_object_add(o, "upgrade", json_object_new_boolean(true));
	text = json_object_to_json_string_length(o, SERIALISE, &len);
	FUZZ_CHECK(text && strlen(text) == len);

	memset(&m2, 0x5A, sizeof(m2));
	memcpy(&untouched, &m2, sizeof(m2));
	r = varlink_message_parse(text, len, &m2, &err);
	if (len > VARLINK_MESSAGE_MAX) {
		check_failure(r, &m2, &untouched, err);
		FUZZ_CHECK(strcmp(err, "message too large") == 0);
		json_object_put(o);
		return;
	}
	if (r < 0)
		fprintf(stderr, "round trip refused (%s): %s\n", err, text);
	FUZZ_CHECK(r == 0);
	check_message(&m2);
	FUZZ_CHECK(strcmp(m2.method, m->method) == 0);
	FUZZ_CHECK(m2.more == m->more && m2.oneway == m->oneway && m2.upgrade == m->upgrade);

	/* Same parameters: their serialisations agree (json_object_equal()
	 * would call NaN unequal to itself). */
	p1 = strdup(json_object_to_json_string_ext(m->parameters, SERIALISE));
	FUZZ_CHECK(p1);
	FUZZ_CHECK(strcmp(p1, json_object_to_json_string_ext(m2.parameters, SERIALISE)) == 0);
	free(p1);

	varlink_message_clear(&m2);
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct varlink_message m, untouched;
	const char *err = NULL;
	int r;

	memset(&m, 0x5A, sizeof(m));
	memcpy(&untouched, &m, sizeof(m));
	r = varlink_message_parse((const char *)data, size, &m, &err);
	if (r < 0) {
		check_failure(r, &m, &untouched, err);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	check_message(&m);
	round_trip(&m);
	varlink_message_clear(&m);
	FUZZ_CHECK(!m.method && !m.parameters);
	return 0;
}
