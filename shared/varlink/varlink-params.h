/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parameters of a Varlink call, checked against one table per method
 * (as systemd's JsonDispatch): each field's name, JSON type, whether it
 * is required, an integer's range, and where its value goes.  Whatever
 * the table does not allow is refused with the field's name, before the
 * method does anything: a field not in the table (a typo like "celcius"
 * must not be ignored), the wrong type, an integer out of range (refused,
 * never clamped), a required field absent or null.  A null optional field
 * is the same as an absent one.  Repeated keys never get here: json-c
 * keeps the last, so the message parser finds them in the raw text.
 */
#ifndef SHARED_VARLINK_PARAMS_H
#define SHARED_VARLINK_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct varlink_call;

enum vparam_type {
	VPARAM_STRING,  /* const char *, borrowed from the parameters */
	VPARAM_INT,     /* struct vparam_int: a JSON integer in [min, max] */
	VPARAM_BOOL,    /* struct vparam_bool */
	VPARAM_STRINGS, /* struct json_object *: an array of strings, borrowed */
};

struct vparam {
	const char *name;
	enum vparam_type type;
	bool required;
	/* VPARAM_INT: inclusive; min above INT64_MIN, since json-c turns
	 * every smaller number into INT64_MIN. */
	int64_t min, max;
	size_t offset; /* of the value in the method's parameter struct */
};

struct vparam_int {
	bool set;
	int64_t v;
};

struct vparam_bool {
	bool set;
	bool v;
};

#define VPARAM_FIELD(name, type, required, min, max, st, field) \
	{ name, type, required, min, max, offsetof(st, field) }
#define VP_STRING(name, req, st, field) VPARAM_FIELD(name, VPARAM_STRING, req, 0, 0, st, field)
#define VP_INT(name, req, min, max, st, field) VPARAM_FIELD(name, VPARAM_INT, req, min, max, st, field)
#define VP_BOOL(name, req, st, field) VPARAM_FIELD(name, VPARAM_BOOL, req, 0, 0, st, field)
#define VP_STRINGS(name, req, st, field) VPARAM_FIELD(name, VPARAM_STRINGS, req, 0, 0, st, field)

/* At most this many fields in a table: ret_given has a bit for each. */
#define VPARAMS_MAX 64

/*
 * Check p against the n fields of table and store each given one at its
 * offset in ret (which the caller zeroed: absent fields stay as they are).
 * 0, with bit i of *ret_given (may be NULL) set for each table[i] given
 * non-null; or -EINVAL with *ret_bad naming the first offending field in
 * p's order, else the first required one missing in the table's order
 * (ret may then be partly filled); -E2BIG for a table over VPARAMS_MAX.
 */
int vparams_parse(struct json_object *p, const struct vparam *table, size_t n, void *ret,
		  uint64_t *ret_given, const char **ret_bad);

/* vparams_parse() for a method: false once it has answered the call with
 * org.varlink.service.InvalidParameter naming the field. */
bool vparams_dispatch(struct varlink_call *call, struct json_object *p,
		      const struct vparam *table, size_t n, void *ret, uint64_t *ret_given);

/* For a table that is an array: its size, checked at compile time. */
#define VPARAMS_DISPATCH(call, p, table, ret, ret_given)                                  \
	__extension__({                                                                   \
		_Static_assert(sizeof(table) / sizeof((table)[0]) <= VPARAMS_MAX,         \
			       "a parameter table over VPARAMS_MAX");                     \
		vparams_dispatch(call, p, table, sizeof(table) / sizeof((table)[0]), ret, \
				 ret_given);                                              \
	})

#endif /* SHARED_VARLINK_PARAMS_H */
