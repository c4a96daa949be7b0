// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * varlink_message_parse() as a table: bytes -> result, and either the call
 * it reads or the reason it gives.  Each row is handed over in a buffer of
 * exactly its length with no NUL after it, as the header promises, so an
 * overread shows under valgrind.
 *
 * A row with .bug documents a parser bug: it states the right answer, a
 * mismatch is reported as "known bug" instead of failing, and a row that
 * starts passing fails until its .bug is removed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shared/varlink/varlink.h"

enum gen {
	GEN_NONE,
	GEN_ARRAYS,  /* parameters nested to depth n, arrays inside */
	GEN_OBJECTS, /* parameters nested to depth n, objects inside */
	GEN_SIZE,    /* a valid call of exactly n bytes */
	GEN_KEYS,    /* parameters with n different keys */
	GEN_KEYS_DUP, /* the same, the last one the first again */
};

struct row {
	const char *name;
	const char *bytes;
	size_t len;
	enum gen gen;
	size_t n;
	int ret;
	/* On success: the method, flags and parameters (plain JSON). */
	const char *method;
	bool more, oneway, upgrade;
	const char *params;
	/* The parameter named as repeated; NULL: none. */
	const char *duplicate;
	/* On failure: the reason. */
	const char *error;
	const char *bug;
};

/* The bytes of a literal, with their length (embedded NULs included). */
#define B(s) .bytes = (s), .len = sizeof(s) - 1
#define OK(m, p) .ret = 0, .method = (m), .params = (p)
#define BAD(e) .ret = -EBADMSG, .error = (e)

#define CALL "{\"method\":\"org.example.ftp.List\""
#define STR(s) CALL ",\"parameters\":{\"s\":\"" s "\"}}"

static const struct row rows[] = {
	/* ---- Good calls ---- */
	{ "no parameters", B(CALL "}"), OK("org.example.ftp.List", "{}") },
	{ "parameters",
	  B("{\"method\":\"io.ocxlpmem.Manager.GetCard\",\"parameters\":{\"card\":\"ocxlpmem0\"}}"),
	  OK("io.ocxlpmem.Manager.GetCard", "{\"card\":\"ocxlpmem0\"}") },
	{ "empty parameters", B(CALL ",\"parameters\":{}}"), OK("org.example.ftp.List", "{}") },
	{ "null parameters", B(CALL ",\"parameters\":null}"), OK("org.example.ftp.List", "{}") },
	{ "nested parameters", B(CALL ",\"parameters\":{\"a\":[1,2.5,{\"b\":null}],\"c\":true}}"),
	  OK("org.example.ftp.List", "{\"a\":[1,2.5,{\"b\":null}],\"c\":true}") },
	{ "more", B(CALL ",\"more\":true}"), OK("org.example.ftp.List", "{}"), .more = true },
	{ "oneway", B(CALL ",\"oneway\":true}"), OK("org.example.ftp.List", "{}"), .oneway = true },
	{ "upgrade", B(CALL ",\"upgrade\":true}"), OK("org.example.ftp.List", "{}"), .upgrade = true },
	{ "more false, oneway true", B(CALL ",\"more\":false,\"oneway\":true}"),
	  OK("org.example.ftp.List", "{}"), .oneway = true },
	{ "flags null", B(CALL ",\"more\":null,\"oneway\":null,\"upgrade\":null}"),
	  OK("org.example.ftp.List", "{}") },
	{ "members in any order", B("{\"more\":true,\"parameters\":{\"x\":1},\"method\":\"a.b.C\"}"),
	  OK("a.b.C", "{\"x\":1}"), .more = true },
	{ "unknown member ignored", B(CALL ",\"x-extension\":[1]}"), OK("org.example.ftp.List", "{}") },
	{ "whitespace around", B(" \t\n{ \"method\" : \"a.b.C\" }\r\n "), OK("a.b.C", "{}") },
	{ "method chars", B("{\"method\":\"org.example-1.my_iface.Method2\"}"),
	  OK("org.example-1.my_iface.Method2", "{}") },
	{ "two-byte UTF-8", B(STR("\xc3\xa9")), OK("org.example.ftp.List", "{\"s\":\"\xc3\xa9\"}") },
	{ "three-byte UTF-8", B(STR("\xe2\x82\xac")),
	  OK("org.example.ftp.List", "{\"s\":\"\xe2\x82\xac\"}") },
	{ "four-byte UTF-8", B(STR("\xf0\x9f\x98\x80")),
	  OK("org.example.ftp.List", "{\"s\":\"\xf0\x9f\x98\x80\"}") },
	{ "U+D7FF, U+E000, U+FFFF", B(STR("\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf")),
	  OK("org.example.ftp.List", "{\"s\":\"\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\"}") },
	{ "U+10FFFF", B(STR("\xf4\x8f\xbf\xbf")),
	  OK("org.example.ftp.List", "{\"s\":\"\xf4\x8f\xbf\xbf\"}") },
	{ "escaped unicode", B(STR("\\u00e9\\ud83d\\ude00")),
	  OK("org.example.ftp.List", "{\"s\":\"\xc3\xa9\xf0\x9f\x98\x80\"}") },

	/* ---- Not JSON ---- */
	{ "empty message", B(""), BAD("not a JSON object") },
	{ "not JSON", B("hello"), BAD("not a JSON object") },
	{ "single quotes", B("{'method':'a.b.C'}"), BAD("not valid JSON") },
	{ "trailing comma", B("{\"method\":\"a.b.C\",}"), BAD("not valid JSON") },
	{ "comment", B("{\"method\":\"a.b.C\"/* x */}"), BAD("not valid JSON") },
	{ "truncated JSON", B("{\"method\":\"a.b.C\""), BAD("truncated JSON") },
	{ "truncated in a string", B("{\"method\":\"a.b."), BAD("truncated JSON") },
	{ "truncated in parameters", B(CALL ",\"parameters\":{\"a\":[1,"), BAD("truncated JSON") },
	{ "trailing garbage", B(CALL "}x"), BAD("not valid JSON") },
	{ "two objects", B(CALL "}" CALL "}"), BAD("not valid JSON") },
	{ "NaN", B(CALL ",\"parameters\":{\"x\":NaN}}"), BAD("not a finite number") },
	{ "Infinity", B(CALL ",\"parameters\":{\"x\":-Infinity}}"), BAD("not a finite number") },
	{ "raw control character in a string", B(STR("a\tb")), BAD("control character in a string") },

	/* ---- Not an object ---- */
	{ "array at top level", B("[" CALL "}]"), BAD("not a JSON object") },
	{ "string at top level", B("\"a.b.C\""), BAD("not a JSON object") },
	{ "number and space at top level", B("42 "), BAD("not a JSON object") },
	{ "number at top level", B("42"), BAD("not a JSON object") },
	{ "true at top level", B("true"), BAD("not a JSON object") },
	{ "null at top level", B("null"), BAD("not a JSON object") },

	/* ---- The method ---- */
	{ "no method", B("{\"parameters\":{}}"), BAD("no method string") },
	{ "method null", B("{\"method\":null}"), BAD("no method string") },
	{ "method a number", B("{\"method\":42}"), BAD("no method string") },
	{ "method an object", B("{\"method\":{\"a.b\":\"C\"}}"), BAD("no method string") },
	{ "method an array", B("{\"method\":[\"a.b.C\"]}"), BAD("no method string") },
	{ "method empty", B("{\"method\":\"\"}"), BAD("method is not interface.Method") },
	{ "method without a dot", B("{\"method\":\"GetInfo\"}"), BAD("method is not interface.Method") },
	{ "method lowercase", B("{\"method\":\"org.varlink.service.getInfo\"}"),
	  BAD("method is not interface.Method") },
	{ "method a digit first", B("{\"method\":\"a.b.1Get\"}"), BAD("method is not interface.Method") },
	{ "method trailing dot", B("{\"method\":\"a.b.\"}"), BAD("method is not interface.Method") },
	{ "method leading dot", B("{\"method\":\".Get\"}"), BAD("method is not interface.Method") },
	{ "method with a slash", B("{\"method\":\"a/b.Get\"}"), BAD("method is not interface.Method") },
	{ "method with a space", B("{\"method\":\"a b.Get\"}"), BAD("method is not interface.Method") },
	{ "method with a newline", B("{\"method\":\"a.b.Get\\n\"}"),
	  BAD("method is not interface.Method") },
	{ "method non-ASCII", B("{\"method\":\"a.b.G\xc3\xa9t\"}"),
	  BAD("method is not interface.Method") },
	{ "method with an escaped NUL", B("{\"method\":\"a.b.Get\\u0000x\"}"),
	  BAD("NUL inside a string") },

	/* ---- Parameters and flags ---- */
	{ "parameters an array", B(CALL ",\"parameters\":[1]}"), BAD("parameters is not an object") },
	{ "parameters a string", B(CALL ",\"parameters\":\"x\"}"), BAD("parameters is not an object") },
	{ "parameters a number", B(CALL ",\"parameters\":1}"), BAD("parameters is not an object") },
	{ "parameters a boolean", B(CALL ",\"parameters\":false}"), BAD("parameters is not an object") },
	{ "more a string", B(CALL ",\"more\":\"true\"}"), BAD("more is not a boolean") },
	{ "more a number", B(CALL ",\"more\":1}"), BAD("more is not a boolean") },
	{ "oneway a number", B(CALL ",\"oneway\":0}"), BAD("oneway is not a boolean") },
	{ "oneway an object", B(CALL ",\"oneway\":{}}"), BAD("oneway is not a boolean") },
	{ "upgrade a string", B(CALL ",\"upgrade\":\"no\"}"), BAD("upgrade is not a boolean") },
	{ "more and oneway", B(CALL ",\"more\":true,\"oneway\":true}"), BAD("more and oneway together") },

	/* ---- Repeated keys (json-c keeps the last one without a word) ---- */
	{ "repeated parameter", B(CALL ",\"parameters\":{\"a\":1,\"b\":0,\"a\":2}}"),
	  OK("org.example.ftp.List", "{\"a\":2,\"b\":0}"), .duplicate = "a" },
	{ "repeated parameter, null first", B(CALL ",\"parameters\":{\"a\":null,\"a\":2}}"),
	  OK("org.example.ftp.List", "{\"a\":2}"), .duplicate = "a" },
	{ "repeated parameter, escaped", B(CALL ",\"parameters\":{\"card\":1,\"\\u0063ard\":2}}"),
	  OK("org.example.ftp.List", "{\"card\":2}"), .duplicate = "card" },
	{ "repeated lone surrogates (json-c makes both U+FFFD)",
	  B(CALL ",\"parameters\":{\"\\ud800\":1,\"\\udbff\":2}}"),
	  OK("org.example.ftp.List", "{\"\xef\xbf\xbd\":2}"), .duplicate = "\xef\xbf\xbd" },
	{ "repeated inside a parameter's object",
	  B(CALL ",\"parameters\":{\"x\":{\"y\":{\"b\":1,\"b\":2}},\"z\":1}}"),
	  OK("org.example.ftp.List", "{\"x\":{\"y\":{\"b\":2}},\"z\":1}"), .duplicate = "x" },
	{ "repeated in an object in a parameter's array",
	  B(CALL ",\"parameters\":{\"l\":[1,{\"b\":1,\"b\":2}]}}"),
	  OK("org.example.ftp.List", "{\"l\":[1,{\"b\":2}]}"), .duplicate = "l" },
	{ "shallowest repeat named",
	  B(CALL ",\"parameters\":{\"x\":{\"b\":1,\"b\":2},\"z\":1,\"z\":2}}"),
	  OK("org.example.ftp.List", "{\"x\":{\"b\":2},\"z\":2}"), .duplicate = "z" },
	{ "same key in different objects",
	  B(CALL ",\"parameters\":{\"a\":{\"a\":1},\"b\":{\"a\":2,\"b\":[{\"a\":3}]}}}"),
	  OK("org.example.ftp.List", "{\"a\":{\"a\":1},\"b\":{\"a\":2,\"b\":[{\"a\":3}]}}") },
	{ "keys equal up to a prefix", B(CALL ",\"parameters\":{\"a\":1,\"ab\":2,\"a b\":3}}"),
	  OK("org.example.ftp.List", "{\"a\":1,\"ab\":2,\"a b\":3}") },
	{ "string values that look like keys", B(CALL ",\"parameters\":{\"a\":\"a\",\"b\":[\"a\",\"a\"]}}"),
	  OK("org.example.ftp.List", "{\"a\":\"a\",\"b\":[\"a\",\"a\"]}") },
	{ "escaped quotes in keys", B(CALL ",\"parameters\":{\"a\\\"\":1,\"a\\\\\":2}}"),
	  OK("org.example.ftp.List", "{\"a\\\"\":1,\"a\\\\\":2}") },
	{ "4000 different keys", .gen = GEN_KEYS, .n = 4000, OK("org.example.ftp.List", NULL) },
	{ "4000 keys, the last repeating the first", .gen = GEN_KEYS_DUP, .n = 4000,
	  OK("org.example.ftp.List", NULL), .duplicate = "k0" },
	{ "repeated method", B("{\"method\":\"a.b.C\",\"method\":\"a.b.D\"}"), BAD("repeated key") },
	{ "repeated more", B(CALL ",\"more\":false,\"more\":true}"), BAD("repeated key") },
	{ "repeated parameters", B(CALL ",\"parameters\":{\"a\":1},\"parameters\":{}}"),
	  BAD("repeated key") },
	{ "top level repeat over a parameter's",
	  B(CALL ",\"parameters\":{\"a\":1,\"a\":1},\"more\":true,\"more\":true}"),
	  BAD("repeated key") },
	{ "repeated in an ignored member", B(CALL ",\"x\":{\"a\":1,\"a\":1}}"), BAD("repeated key") },
	{ "NUL in a key", B(CALL ",\"parameters\":{\"a\\u0000b\":1}}"), BAD("NUL inside a key") },
	{ "NUL in a key, the same as another up to it",
	  B(CALL ",\"parameters\":{\"a\":1,\"a\\u0000b\":2}}"), BAD("NUL inside a key") },

	/* ---- Limits ---- */
	{ "depth at the limit, arrays", .gen = GEN_ARRAYS, .n = VARLINK_DEPTH_MAX,
	  OK("org.example.ftp.List", NULL) },
	{ "depth over the limit, arrays", .gen = GEN_ARRAYS, .n = VARLINK_DEPTH_MAX + 1,
	  BAD("nested too deep") },
	{ "depth at the limit, objects", .gen = GEN_OBJECTS, .n = VARLINK_DEPTH_MAX,
	  OK("org.example.ftp.List", NULL) },
	{ "depth over the limit, objects", .gen = GEN_OBJECTS, .n = VARLINK_DEPTH_MAX + 1,
	  BAD("nested too deep") },
	{ "depth 100", .gen = GEN_ARRAYS, .n = 100, BAD("nested too deep") },
	{ "size at the limit", .gen = GEN_SIZE, .n = VARLINK_MESSAGE_MAX,
	  OK("org.example.ftp.List", NULL) },
	{ "size over the limit", .gen = GEN_SIZE, .n = VARLINK_MESSAGE_MAX + 1,
	  BAD("message too large") },

	/* ---- UTF-8 and NUL ---- */
	{ "lone continuation byte", B(STR("\x80")), BAD("not valid UTF-8") },
	{ "continuation bytes after ASCII", B(STR("ab\xbf\xbf")), BAD("not valid UTF-8") },
	{ "byte 0xFF", B(STR("\xff")), BAD("not valid UTF-8") },
	{ "byte 0xFE", B(STR("\xfe")), BAD("not valid UTF-8") },
	{ "Latin-1", B(STR("caf\xe9!")), BAD("not valid UTF-8") },
	{ "truncated sequence", B(STR("\xe2\x82")), BAD("not valid UTF-8") },
	{ "invalid UTF-8 in a key", B(CALL ",\"parameters\":{\"\x80\":1}}"), BAD("not valid UTF-8") },
	{ "invalid UTF-8 in the method", B("{\"method\":\"a.b.\xc3\"}"), BAD("not valid UTF-8") },
	{ "overlong NUL (C0 80)", B(STR("\xc0\x80")), BAD("not valid UTF-8") },
	{ "overlong '/' (C1 BF)", B(STR("\xc1\xbf")), BAD("not valid UTF-8") },
	{ "overlong three bytes (E0 80 AF)", B(STR("\xe0\x80\xaf")), BAD("not valid UTF-8") },
	{ "overlong four bytes (F0 80 80 AF)", B(STR("\xf0\x80\x80\xaf")), BAD("not valid UTF-8") },
	{ "surrogate U+D800 (ED A0 80)", B(STR("\xed\xa0\x80")), BAD("not valid UTF-8") },
	{ "surrogate U+DFFF (ED BF BF)", B(STR("\xed\xbf\xbf")), BAD("not valid UTF-8") },
	{ "U+110000 (F4 90 80 80)", B(STR("\xf4\x90\x80\x80")), BAD("not valid UTF-8") },
	{ "lead byte F5", B(STR("\xf5\x80\x80\x80")), BAD("not valid UTF-8") },
	{ "embedded NUL in a string", B(STR("a\0b")), BAD("NUL inside the message") },
	{ "embedded NUL after the object", B(CALL "}\0"), BAD("NUL inside the message") },
	{ "NUL only", B("\0"), BAD("NUL inside the message") },
};

/* ---- Building the bytes of a row ------------------------------------------- */

/* A call whose parameters are nested to the JSON depth n (the call object is 1). */
static char *gen_depth(size_t n, bool objects, size_t *ret_len)
{
	static const char head[] = CALL ",\"parameters\":{\"x\":";
	size_t inner = n - 2, len = sizeof(head) - 1 + inner * (objects ? 7 : 2) + 2;
	char *b = malloc(len + 1), *p = b;

	assert_non_null(b);
	p = stpcpy(p, head);
	for (size_t i = 0; i < inner; i++)
		p = stpcpy(p, objects ? "{\"a\":" : "[");
	if (objects) {
		/* The innermost object is empty; its key pairs with the value. */
		p -= 5;
		p = stpcpy(p, "{");
	}
	for (size_t i = 0; i < inner; i++)
		p = stpcpy(p, objects ? "}" : "]");
	p = stpcpy(p, "}}");
	*ret_len = (size_t)(p - b);
	return b;
}

/* A valid call of exactly n bytes: one long string parameter. */
static char *gen_size(size_t n, size_t *ret_len)
{
	static const char head[] = CALL ",\"parameters\":{\"pad\":\"", tail[] = "\"}}";
	size_t fixed = sizeof(head) - 1 + sizeof(tail) - 1;
	char *b = malloc(n + 1);

	assert_non_null(b);
	assert_true(n >= fixed);
	memcpy(b, head, sizeof(head) - 1);
	memset(b + sizeof(head) - 1, 'x', n - fixed);
	memcpy(b + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	*ret_len = n;
	return b;
}

/* A call whose parameters have n keys k0..k(n-1), and with dup k0 again. */
static char *gen_keys(size_t n, bool dup, size_t *ret_len)
{
	size_t cap = 64 + (n + 1) * 16, len;
	char *b = malloc(cap);

	assert_non_null(b);
	len = (size_t)snprintf(b, cap, CALL ",\"parameters\":{");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(b + len, cap - len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	if (dup)
		len += (size_t)snprintf(b + len, cap - len, ",\"k0\":0");
	len += (size_t)snprintf(b + len, cap - len, "}}");
	assert_true(len < cap);
	*ret_len = len;
	return b;
}

/* The row's bytes in a buffer of exactly their length, no NUL after. */
static char *row_bytes(const struct row *row, size_t *ret_len)
{
	char *b, *exact;
	size_t len;

	switch (row->gen) {
	case GEN_ARRAYS:
	case GEN_OBJECTS:
		b = gen_depth(row->n, row->gen == GEN_OBJECTS, &len);
		break;
	case GEN_SIZE:
		b = gen_size(row->n, &len);
		break;
	case GEN_KEYS:
	case GEN_KEYS_DUP:
		b = gen_keys(row->n, row->gen == GEN_KEYS_DUP, &len);
		break;
	default:
		len = row->len;
		b = malloc(len ? len : 1);
		assert_non_null(b);
		memcpy(b, row->bytes, len);
		*ret_len = len;
		return b;
	}
	exact = malloc(len ? len : 1);
	assert_non_null(exact);
	memcpy(exact, b, len);
	free(b);
	*ret_len = len;
	return exact;
}

/* ---- Running a row ------------------------------------------------------- */

/* Does the parse match the row?  Describes the first mismatch in why. */
static bool row_matches(const struct row *row, int r, const struct varlink_message *m,
			const char *err, char *why, size_t whylen)
{
	if (r != row->ret) {
		snprintf(why, whylen, "returned %d (%s), expected %d", r,
			 r < 0 && err ? err : r == 0 ? m->method : "?", row->ret);
		return false;
	}
	if (r < 0) {
		if (!err || strcmp(err, row->error) != 0) {
			snprintf(why, whylen, "error '%s', expected '%s'", err ? err : "(null)",
				 row->error);
			return false;
		}
		return true;
	}
	if (strcmp(m->method, row->method) != 0 || m->more != row->more ||
	    m->oneway != row->oneway || m->upgrade != row->upgrade) {
		snprintf(why, whylen, "method '%s' more %d oneway %d upgrade %d", m->method,
			 m->more, m->oneway, m->upgrade);
		return false;
	}
	if (!m->duplicate != !row->duplicate ||
	    (m->duplicate && strcmp(m->duplicate, row->duplicate) != 0)) {
		snprintf(why, whylen, "repeated key '%s', expected '%s'",
			 m->duplicate ? m->duplicate : "(none)",
			 row->duplicate ? row->duplicate : "(none)");
		return false;
	}
	if (row->params) {
		const char *p = json_object_to_json_string_ext(m->parameters, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE);

		if (strcmp(p, row->params) != 0) {
			snprintf(why, whylen, "parameters %s, expected %s", p, row->params);
			return false;
		}
	}
	return true;
}

static void test_row(void **state)
{
	const struct row *row = *state;
	struct varlink_message m, untouched;
	const char *err = NULL;
	char why[256];
	size_t len;
	char *buf = row_bytes(row, &len);
	bool match;
	int r;

	memset(&m, 0xA5, sizeof(m));
	memcpy(&untouched, &m, sizeof(m));
	r = varlink_message_parse(buf, len, &m, &err);

	/* What holds whatever the input. */
	assert_true(r == 0 || r == -EBADMSG);
	if (r < 0) {
		assert_memory_equal(&m, &untouched, sizeof(m));
		assert_non_null(err);
		assert_true(err[0] != '\0');
	} else {
		assert_non_null(m.method);
		assert_non_null(m.parameters);
		assert_true(json_object_is_type(m.parameters, json_type_object));
		assert_false(m.more && m.oneway);
	}

	match = row_matches(row, r, &m, err, why, sizeof(why));
	if (r == 0)
		varlink_message_clear(&m);
	free(buf);
	if (row->bug) {
		if (match)
			fail_msg("%s: passes now; remove its .bug (%s)", row->name, row->bug);
		print_message("known bug: %s: %s (%s)\n", row->name, why, row->bug);
		return;
	}
	if (!match)
		fail_msg("%s: %s", row->name, why);
}

/* varlink_message_clear() leaves a zeroed message and may be repeated. */
static void test_clear(void **state)
{
	static const char msg[] = CALL ",\"parameters\":{\"a\":[1]},\"more\":true}";
	struct varlink_message m;
	const char *err = NULL;

	assert_int_equal(varlink_message_parse(msg, sizeof(msg) - 1, &m, &err), 0);
	varlink_message_clear(&m);
	assert_null(m.method);
	assert_null(m.parameters);
	assert_null(m.duplicate);
	assert_false(m.more || m.oneway || m.upgrade);
	varlink_message_clear(&m);
}

/* The parameters belong to the message: the parser keeps no reference. */
static void test_parameters_owned(void **state)
{
	static const char msg[] = CALL ",\"parameters\":{\"s\":\"x\"}}";
	struct varlink_message m;
	const char *err = NULL;
	struct json_object *p;

	assert_int_equal(varlink_message_parse(msg, sizeof(msg) - 1, &m, &err), 0);
	p = json_object_get(m.parameters);
	varlink_message_clear(&m);
	/* Ours is the last reference: put frees it (valgrind sees a leak otherwise). */
	assert_int_equal(json_object_put(p), 1);
}

int main(void)
{
	size_t nrows = sizeof(rows) / sizeof(rows[0]);
	struct CMUnitTest *tests = calloc(nrows + 2, sizeof(*tests));
	int r;

	if (!tests)
		return EXIT_FAILURE;
	for (size_t i = 0; i < nrows; i++)
		tests[i] = (struct CMUnitTest){
			.name = rows[i].name,
			.test_func = test_row,
			.initial_state = (void *)&rows[i],
		};
	tests[nrows] = (struct CMUnitTest){ .name = "clear", .test_func = test_clear };
	tests[nrows + 1] = (struct CMUnitTest){ .name = "parameters owned",
						.test_func = test_parameters_owned };
	r = _cmocka_run_group_tests("varlink_message_parse", tests, nrows + 2, NULL, NULL);
	free(tests);
	return r;
}
