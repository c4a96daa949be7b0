// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Table-driven checking of Varlink call parameters; see varlink-params.h.
 * The JSON is walked in the message's order, so the field named in a
 * refusal is the first wrong one the client wrote.
 */
#include <errno.h>
#include <string.h>

#include "shared/varlink/varlink.h"
#include "shared/varlink/varlink-params.h"

static const struct vparam *find(const struct vparam *table, size_t n, const char *name,
				 size_t *ret_index)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0) {
			*ret_index = i;
			return &table[i];
		}
	return NULL;
}

/*
 * json-c saturates integers beyond int64: 2^63 and more read back as
 * INT64_MAX, below -2^63 as INT64_MIN.  The unsigned reading tells the
 * first apart; the second is outside every table's range anyway.
 */
static bool int_in_range(struct json_object *v, int64_t min, int64_t max, int64_t *ret)
{
	int64_t x = json_object_get_int64(v);

	if (x == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)
		return false;
	if (x == INT64_MIN || x < min || x > max)
		return false;
	*ret = x;
	return true;
}

static bool store(const struct vparam *f, struct json_object *v, void *ret)
{
	void *at = (char *)ret + f->offset;

	switch (f->type) {
	case VPARAM_STRING:
		if (!json_object_is_type(v, json_type_string))
			return false;
		*(const char **)at = json_object_get_string(v);
		return true;
	case VPARAM_INT: {
		struct vparam_int *i = at;

		if (!json_object_is_type(v, json_type_int) || !int_in_range(v, f->min, f->max, &i->v))
			return false;
		i->set = true;
		return true;
	}
	case VPARAM_BOOL: {
		struct vparam_bool *b = at;

		if (!json_object_is_type(v, json_type_boolean))
			return false;
		b->v = json_object_get_boolean(v);
		b->set = true;
		return true;
	}
	case VPARAM_STRINGS:
		if (!json_object_is_type(v, json_type_array))
			return false;
		for (size_t k = 0; k < json_object_array_length(v); k++)
			if (!json_object_is_type(json_object_array_get_idx(v, k), json_type_string))
				return false;
		*(struct json_object **)at = v;
		return true;
	}
	return false;
}

int vparams_parse(struct json_object *p, const struct vparam *table, size_t n, void *ret,
		  uint64_t *ret_given, const char **ret_bad)
{
	uint64_t given = 0;
	size_t i;

	if (n > VPARAMS_MAX)
		return -E2BIG;
	if (p) {
		json_object_object_foreach(p, key, v) {
			const struct vparam *f = find(table, n, key, &i);

			if (!f || (!json_object_is_type(v, json_type_null) && !store(f, v, ret))) {
				*ret_bad = f ? f->name : key;
				return -EINVAL;
			}
			if (!json_object_is_type(v, json_type_null))
				given |= UINT64_C(1) << i;
		}
	}
	for (i = 0; i < n; i++)
		if (table[i].required && !(given & UINT64_C(1) << i)) {
			*ret_bad = table[i].name;
			return -EINVAL;
		}
	if (ret_given)
		*ret_given = given;
	return 0;
}

bool vparams_dispatch(struct varlink_call *call, struct json_object *p,
		      const struct vparam *table, size_t n, void *ret, uint64_t *ret_given)
{
	const char *bad = NULL;
	int r = vparams_parse(p, table, n, ret, ret_given, &bad);

	if (r == -EINVAL) {
		varlink_call_invalid_parameter(call, bad);
		return false;
	}
	if (r < 0) {
		varlink_call_error(call, "org.varlink.service.InvalidParameter", NULL);
		return false;
	}
	return true;
}
