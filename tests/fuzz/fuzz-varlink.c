// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the Varlink message parser (shared/varlink/varlink-message.c).  Whatever the input,
 * varlink_message_parse() must either fail with -EBADMSG and a reason,
 * leaving *ret alone, or return a call that keeps the documented shape.
 * An accepted call is then rebuilt from what was parsed (method, the
 * parameters serialised again, the flags) and parsed once more: that must
 * succeed with the same call, unless the serialisation grew past the size
 * limit (json-c escapes control characters).  Never crash or leak.
 *
 * Repeated keys: a key the parser names as repeated in parameters is one
 * of them, and a call rebuilt with one of its parameters written twice is
 * always caught, naming that parameter.  The parameters then go through
 * the table dispatcher (shared/varlink/varlink-params.c) with a table of every
 * type: it accepts only what the table allows and names what it refuses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/varlink/varlink.h"
#include "shared/varlink/varlink-params.h"
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
	FUZZ_CHECK(!m2.duplicate);
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

/* The call again with its first parameter written twice, first as null. */
static void repeat_first(const struct varlink_message *m)
{
	struct json_object_iterator it = json_object_iter_begin(m->parameters);
	struct json_object *key;
	struct varlink_message m2;
	const char *err = NULL, *params;
	char *text;
	int r, n;

	if (json_object_object_length(m->parameters) == 0)
		return;
	key = json_object_new_string(json_object_iter_peek_name(&it));
	FUZZ_CHECK(key);
	params = json_object_to_json_string_ext(m->parameters, SERIALISE);
	/* params is "{...}": the repeat goes in after its brace. */
	n = asprintf(&text, "{\"method\":\"a.b.C\",\"parameters\":{%s:null,%s}",
		     json_object_to_json_string_ext(key, SERIALISE), params + 1);
	FUZZ_CHECK(n > 0);
	r = varlink_message_parse(text, (size_t)n, &m2, &err);
	if ((size_t)n <= VARLINK_MESSAGE_MAX) {
		FUZZ_CHECK(r == 0);
		FUZZ_CHECK(m2.duplicate && strcmp(m2.duplicate, json_object_get_string(key)) == 0);
		varlink_message_clear(&m2);
	} else {
		FUZZ_CHECK(r == -EBADMSG);
	}
	free(text);
	json_object_put(key);
}

struct every_type {
	const char *s, *opt;
	struct vparam_int small, big;
	struct vparam_bool b;
	struct json_object *list;
};

static const struct vparam every_type[] = {
	VP_STRING("card", true, struct every_type, s),
	VP_STRING("type", false, struct every_type, opt),
	VP_INT("count", false, -40, 200, struct every_type, small),
	VP_INT("size", false, 0, INT64_MAX, struct every_type, big),
	VP_BOOL("force", false, struct every_type, b),
	VP_STRINGS("actions", false, struct every_type, list),
};

/* The dispatcher accepts what the table allows and names what it refuses. */
static void dispatch(const struct varlink_message *m)
{
	size_t n = sizeof(every_type) / sizeof(every_type[0]);
	struct every_type t = { 0 };
	const char *bad = NULL;
	uint64_t given = 0;
	int r;

	r = vparams_parse(m->parameters, every_type, n, &t, &given, &bad);
	if (r < 0) {
		bool known = false;

		FUZZ_CHECK(r == -EINVAL && bad);
		for (size_t i = 0; i < n; i++)
			known |= strcmp(every_type[i].name, bad) == 0;
		FUZZ_CHECK(known || json_object_object_get_ex(m->parameters, bad, NULL));
		return;
	}
	FUZZ_CHECK(r == 0 && t.s && (given & 1));
	json_object_object_foreach(m->parameters, k, v) {
		size_t i = 0;

		while (i < n && strcmp(every_type[i].name, k) != 0)
			i++;
		FUZZ_CHECK(i < n);
		FUZZ_CHECK(((given & UINT64_C(1) << i) != 0) != json_object_is_type(v, json_type_null));
	}
	FUZZ_CHECK(t.small.set == !!(given & 4) && t.big.set == !!(given & 8));
	FUZZ_CHECK(!t.small.set || (t.small.v >= -40 && t.small.v <= 200));
	FUZZ_CHECK(!t.big.set || t.big.v >= 0);
	for (size_t i = 0; t.list && i < json_object_array_length(t.list); i++)
		FUZZ_CHECK(json_object_is_type(json_object_array_get_idx(t.list, i),
					       json_type_string));
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
	FUZZ_CHECK(!m.duplicate || json_object_object_get_ex(m.parameters, m.duplicate, NULL));
	round_trip(&m);
	repeat_first(&m);
	dispatch(&m);
	varlink_message_clear(&m);
	FUZZ_CHECK(!m.method && !m.parameters);
	return 0;
}
