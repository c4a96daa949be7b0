// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The registry of stable card names (names.json): serial -> ocxlpmemN.
 *
 * A name is never given to a second card, even after the first is gone,
 * because logs, alerts and metrics already carry it: "next" is a high-water
 * mark, every index below it has been used, and a new serial gets "next".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "state/state.h"
#include "state/state-private.h"

struct name_entry {
	uint64_t serial;
	uint32_t index;
	/* Allocated apart so that names_assign()'s result outlives growth. */
	char *name;
};

struct name_registry {
	struct name_entry *v; /* by index, ascending */
	size_t n, cap;
	uint32_t next;
};

int names_new(struct name_registry **ret)
{
	struct name_registry *r;

	if (!ret)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*ret = r;
	return 0;
}

struct name_registry *names_free(struct name_registry *r)
{
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	free(r);
	return NULL;
}

/* Append (index ascending is the caller's business); takes name. */
static int names_append(struct name_registry *r, uint64_t serial, uint32_t index, char *name)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 8;
		struct name_entry *v = reallocarray(r->v, ncap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = ncap;
	}
	r->v[r->n++] = (struct name_entry){ .serial = serial, .index = index, .name = name };
	return 0;
}

/* The pointer stays valid until names_free(). */
const char *names_assign(struct name_registry *r, uint64_t serial, bool *ret_new)
{
	char *name;

	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].serial == serial) {
			if (ret_new)
				*ret_new = false;
			return r->v[i].name;
		}
	/* The last index names_valid() allows; 4 billion cards is not a case. */
	if (r->next == UINT32_MAX)
		return NULL;
	if (asprintf(&name, STATE_NAME_PREFIX "%" PRIu32, r->next) < 0)
		return NULL;
	if (names_append(r, serial, r->next, name) < 0) {
		free(name);
		return NULL;
	}
	r->next++;
	if (ret_new)
		*ret_new = true;
	return name;
}

uint64_t names_lookup(const struct name_registry *r, const char *name)
{
	if (!r || !name)
		return 0;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return r->v[i].serial;
	return 0;
}

const char *names_find(const struct name_registry *r, uint64_t serial)
{
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].serial == serial)
			return r->v[i].name;
	return NULL;
}

size_t names_count(const struct name_registry *r)
{
	return r ? r->n : 0;
}

void names_get(const struct name_registry *r, size_t i, uint64_t *ret_serial,
	       const char **ret_name)
{
	*ret_serial = r->v[i].serial;
	*ret_name = r->v[i].name;
}

int names_forget(struct name_registry *r, uint64_t serial)
{
	if (!r)
		return -EINVAL;
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].serial != serial)
			continue;
		free(r->v[i].name);
		/* Keeps index order; "next" stays, so the index is retired. */
		memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
		r->n--;
		return 0;
	}
	return -ENOENT;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct name_entry *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

int names_parse(const char *text, size_t len, struct name_registry **ret)
{
	struct json_object *root, *names;
	struct name_registry *r = NULL;
	uint32_t next;
	int k;

	if (!ret)
		return -EINVAL;
	k = state_json_parse(text, len, STATE_NAMES_FORMAT, STATE_NAMES_VERSION, &root);
	if (k < 0)
		return k;
	k = -EBADMSG;
	if (state_json_get(root, "names", json_type_object, &names) < 0 ||
	    state_json_get_u32(root, "next", UINT32_MAX, &next) < 0)
		goto out_put;
	k = names_new(&r);
	if (k < 0)
		goto out_put;

	json_object_object_foreach(names, key, val)
	{
		uint64_t serial;
		const char *name;
		uint32_t index;
		char *copy;

		k = -EBADMSG;
		if (state_parse_u64(key, &serial) < 0 || state_json_string(val, 31, &name) < 0 ||
		    !state_name_valid(name, &index))
			goto out_free;
		k = -ENOMEM;
		copy = strdup(name);
		if (!copy)
			goto out_free;
		k = names_append(r, serial, index, copy);
		if (k < 0) {
			free(copy);
			goto out_free;
		}
	}

	/* Sorted, a name given to two serials shows as equal neighbours. */
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), entry_cmp);
	k = -EBADMSG;
	for (size_t i = 1; i < r->n; i++)
		if (r->v[i].index == r->v[i - 1].index)
			goto out_free;
	/*
	 * A "next" at or below a name in use (an admin pinned a name by hand)
	 * is raised past it rather than refused: refusing would set the file
	 * aside and rename every card, and raising never reuses a name.
	 */
	r->next = next;
	if (r->n && r->v[r->n - 1].index >= next)
		r->next = r->v[r->n - 1].index + 1;

	json_object_put(root);
	*ret = r;
	return 0;

out_free:
	names_free(r);
out_put:
	json_object_put(root);
	return k;
}

int names_serialise(const struct name_registry *r, char **ret)
{
	struct json_object *root, *names;
	bool ok;
	int k;

	if (!r || !ret)
		return -EINVAL;
	root = json_object_new_object();
	if (!root)
		return -ENOMEM;
	names = json_object_new_object();
	ok = state_json_add(root, "format", json_object_new_string(STATE_NAMES_FORMAT)) &&
	     state_json_add(root, "version", json_object_new_int64(STATE_NAMES_VERSION)) &&
	     state_json_add(root, "names", names);
	for (size_t i = 0; ok && i < r->n; i++) {
		char serial[21];

		snprintf(serial, sizeof(serial), "%" PRIu64, r->v[i].serial);
		ok = state_json_add(names, serial, json_object_new_string(r->v[i].name));
	}
	ok = ok && state_json_add(root, "next", json_object_new_int64(r->next));

	k = ok ? state_json_to_text(root, ret) : -ENOMEM;
	json_object_put(root);
	return k;
}
