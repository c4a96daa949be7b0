// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vparams_parse() (shared/varlink/varlink-params.c) as a table: parameters as JSON
 * text -> 0 and the values stored, or -EINVAL and the field named.  One
 * method-like table with every field type; rows for unknown fields, wrong
 * types, ranges (json-c's saturated integers included), null, required
 * fields, and the order in which a refusal names a field.
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

#include "shared/varlink/varlink-params.h"

struct fields {
	const char *card, *type;
	struct vparam_int small, big;
	struct vparam_bool force;
	struct json_object *actions;
};

static const struct vparam table[] = {
	VP_STRING("card", true, struct fields, card),
	VP_STRING("type", false, struct fields, type),
	VP_INT("small", false, -5, 5, struct fields, small),
	VP_INT("big", false, 0, INT64_MAX, struct fields, big),
	VP_BOOL("force", false, struct fields, force),
	VP_STRINGS("actions", false, struct fields, actions),
};

#define NFIELDS (sizeof(table) / sizeof(table[0]))
#define BIT(i) (UINT64_C(1) << (i))

struct row {
	const char *name;
	const char *json; /* NULL: no parameters object at all */
	int ret;
	const char *bad;  /* the field a refusal names */
	/* On success: */
	uint64_t given;
	const char *card, *type;
	bool small_set, big_set, force_set, force;
	int64_t small, big;
	int nactions;     /* -1: absent */
};

#define OK(g) .ret = 0, .given = (g)
#define BAD(f) .ret = -EINVAL, .bad = (f)
#define NO_ACTIONS .nactions = -1

static const struct row rows[] = {
	/* ---- Accepted ---- */
	{ "required only", "{\"card\":\"c\"}", OK(BIT(0)), .card = "c", NO_ACTIONS },
	{ "every field", "{\"card\":\"c\",\"type\":\"t\",\"small\":-5,\"big\":7,\"force\":true,"
	  "\"actions\":[\"a\",\"b\"]}", OK(0x3f), .card = "c", .type = "t", .small_set = true,
	  .small = -5, .big_set = true, .big = 7, .force_set = true, .force = true, .nactions = 2 },
	{ "any order", "{\"force\":false,\"card\":\"c\"}", OK(BIT(0) | BIT(4)), .card = "c",
	  .force_set = true, NO_ACTIONS },
	{ "null optionals are absent", "{\"card\":\"c\",\"type\":null,\"small\":null,\"big\":null,"
	  "\"force\":null,\"actions\":null}", OK(BIT(0)), .card = "c", NO_ACTIONS },
	{ "range ends", "{\"card\":\"c\",\"small\":5,\"big\":9223372036854775807}",
	  OK(BIT(0) | BIT(2) | BIT(3)), .card = "c", .small_set = true, .small = 5,
	  .big_set = true, .big = INT64_MAX, NO_ACTIONS },
	{ "zero and negative zero", "{\"card\":\"c\",\"small\":-0,\"big\":0}",
	  OK(BIT(0) | BIT(2) | BIT(3)), .card = "c", .small_set = true, .big_set = true, NO_ACTIONS },
	{ "empty string and empty array", "{\"card\":\"\",\"actions\":[]}", OK(BIT(0) | BIT(5)),
	  .card = "", .nactions = 0 },

	/* ---- Unknown fields ---- */
	{ "unknown field", "{\"card\":\"c\",\"since\":1}", BAD("since") },
	{ "unknown null field", "{\"card\":\"c\",\"x\":null}", BAD("x") },
	{ "a field in another case", "{\"Card\":\"c\"}", BAD("Card") },
	{ "empty key", "{\"card\":\"c\",\"\":1}", BAD("") },

	/* ---- Wrong types ---- */
	{ "string a number", "{\"card\":5}", BAD("card") },
	{ "string an object", "{\"card\":{}}", BAD("card") },
	{ "string an array", "{\"card\":[\"c\"]}", BAD("card") },
	{ "string a boolean", "{\"card\":false}", BAD("card") },
	{ "int a string", "{\"card\":\"c\",\"small\":\"1\"}", BAD("small") },
	{ "int a double", "{\"card\":\"c\",\"small\":1.0}", BAD("small") },
	{ "int an exponent", "{\"card\":\"c\",\"big\":1e3}", BAD("big") },
	{ "int a boolean", "{\"card\":\"c\",\"small\":true}", BAD("small") },
	{ "bool a number", "{\"card\":\"c\",\"force\":1}", BAD("force") },
	{ "bool a string", "{\"card\":\"c\",\"force\":\"true\"}", BAD("force") },
	{ "strings a string", "{\"card\":\"c\",\"actions\":\"a\"}", BAD("actions") },
	{ "strings holding a number", "{\"card\":\"c\",\"actions\":[\"a\",1]}", BAD("actions") },
	{ "strings holding null", "{\"card\":\"c\",\"actions\":[null]}", BAD("actions") },
	{ "strings holding an array", "{\"card\":\"c\",\"actions\":[[\"a\"]]}", BAD("actions") },

	/* ---- Ranges: refused, never clamped ---- */
	{ "one over", "{\"card\":\"c\",\"small\":6}", BAD("small") },
	{ "one under", "{\"card\":\"c\",\"small\":-6}", BAD("small") },
	{ "negative for a count", "{\"card\":\"c\",\"big\":-1}", BAD("big") },
	{ "2^63 (json-c: INT64_MAX)", "{\"card\":\"c\",\"big\":9223372036854775808}", BAD("big") },
	{ "2^64 (json-c: UINT64_MAX)", "{\"card\":\"c\",\"big\":18446744073709551616}", BAD("big") },
	{ "1e30 in digits", "{\"card\":\"c\",\"big\":1000000000000000000000000000000}", BAD("big") },
	{ "-2^63-1 (json-c: INT64_MIN)", "{\"card\":\"c\",\"small\":-9223372036854775809}",
	  BAD("small") },
	{ "INT64_MIN", "{\"card\":\"c\",\"small\":-9223372036854775808}", BAD("small") },

	/* ---- Required ---- */
	{ "required missing", "{}", BAD("card") },
	{ "required missing, optionals given", "{\"type\":\"t\"}", BAD("card") },
	{ "required null", "{\"card\":null}", BAD("card") },
	{ "no parameters object", NULL, BAD("card") },

	/* ---- Which field is named: the first wrong one as written ---- */
	{ "unknown before a wrong type", "{\"zz\":1,\"small\":99,\"card\":\"c\"}", BAD("zz") },
	{ "wrong type before unknown", "{\"small\":99,\"zz\":1,\"card\":\"c\"}", BAD("small") },
	{ "a wrong field before a missing one", "{\"force\":0}", BAD("force") },
};

static void test_row(void **state)
{
	const struct row *row = *state;
	struct json_object *p = NULL;
	struct fields f = { 0 };
	const char *bad = NULL;
	uint64_t given = 0xdead;
	int r;

	if (row->json) {
		p = json_tokener_parse(row->json);
		assert_non_null(p);
	}
	r = vparams_parse(p, table, NFIELDS, &f, &given, &bad);
	if (r != row->ret)
		fail_msg("%s: returned %d (%s), expected %d", row->name, r, bad ? bad : "-",
			 row->ret);
	if (r < 0) {
		assert_non_null(bad);
		if (strcmp(bad, row->bad) != 0)
			fail_msg("%s: named '%s', expected '%s'", row->name, bad, row->bad);
		assert_int_equal(given, 0xdead); /* untouched on failure */
		json_object_put(p);
		return;
	}
	assert_int_equal(given, row->given);
	assert_string_equal(f.card, row->card);
	if (row->type)
		assert_string_equal(f.type, row->type);
	else
		assert_null(f.type);
	assert_int_equal(f.small.set, row->small_set);
	assert_int_equal(f.small.v, row->small);
	assert_int_equal(f.big.set, row->big_set);
	assert_int_equal(f.big.v, row->big);
	assert_int_equal(f.force.set, row->force_set);
	assert_int_equal(f.force.v, row->force);
	if (row->nactions < 0)
		assert_null(f.actions);
	else
		assert_int_equal(json_object_array_length(f.actions), row->nactions);
	json_object_put(p);
}

/* An absent field leaves what the caller put there. */
static void test_absent_untouched(void **state)
{
	struct json_object *p = json_tokener_parse("{\"card\":\"c\"}");
	struct fields f = { .type = "default", .small = { .v = 3 } };
	const char *bad = NULL;

	assert_int_equal(vparams_parse(p, table, NFIELDS, &f, NULL, &bad), 0);
	assert_string_equal(f.type, "default");
	assert_false(f.small.set);
	assert_int_equal(f.small.v, 3);
	json_object_put(p);
}

/* A method without parameters: anything is unknown, nothing is fine. */
static void test_empty_table(void **state)
{
	struct json_object *p = json_tokener_parse("{\"a\":null}"), *e = json_object_new_object();
	const char *bad = NULL;

	assert_int_equal(vparams_parse(e, NULL, 0, NULL, NULL, &bad), 0);
	assert_int_equal(vparams_parse(NULL, NULL, 0, NULL, NULL, &bad), 0);
	assert_int_equal(vparams_parse(p, NULL, 0, NULL, NULL, &bad), -EINVAL);
	assert_string_equal(bad, "a");
	json_object_put(p);
	json_object_put(e);
}

/* The given mask has 64 bits: a longer table is refused outright. */
static void test_too_many(void **state)
{
	static struct vparam big[VPARAMS_MAX + 1];
	struct json_object *p = json_object_new_object();
	const char *bad = NULL;

	for (size_t i = 0; i < VPARAMS_MAX + 1; i++)
		big[i] = (struct vparam){ .name = "x", .type = VPARAM_STRING };
	assert_int_equal(vparams_parse(p, big, VPARAMS_MAX + 1, NULL, NULL, &bad), -E2BIG);
	json_object_put(p);
}

int main(void)
{
	size_t nrows = sizeof(rows) / sizeof(rows[0]);
	struct CMUnitTest *tests = calloc(nrows + 3, sizeof(*tests));
	int r;

	if (!tests)
		return EXIT_FAILURE;
	for (size_t i = 0; i < nrows; i++)
		tests[i] = (struct CMUnitTest){
			.name = rows[i].name,
			.test_func = test_row,
			.initial_state = (void *)&rows[i],
		};
	tests[nrows] = (struct CMUnitTest){ .name = "absent fields untouched",
					    .test_func = test_absent_untouched };
	tests[nrows + 1] = (struct CMUnitTest){ .name = "empty table", .test_func = test_empty_table };
	tests[nrows + 2] = (struct CMUnitTest){ .name = "too many fields", .test_func = test_too_many };
	r = _cmocka_run_group_tests("vparams_parse", tests, nrows + 3, NULL, NULL);
	free(tests);
	return r;
}
