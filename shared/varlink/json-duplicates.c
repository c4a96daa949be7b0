// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Repeated keys in JSON text; see json-duplicates.h.  A recursive walk of
 * text json-c accepted (so nesting is bounded by its depth limit): each
 * object's keys are decoded by json-c itself, which makes "\u0061" and "a"
 * one key, as they are to json-c, then sorted and compared.  Sorting keeps
 * an object of thousands of keys cheap.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "shared/varlink/json-duplicates.h"

#define LEVEL_MAX 64 /* far above any depth json-c lets through */

struct scan {
	const char *b;
	size_t len, i;
	struct json_tokener *tok;
	const char *path[2]; /* the member walked in the objects at levels 1, 2 */
	struct json_duplicate *found;
	int error;
};

void json_duplicate_clear(struct json_duplicate *d)
{
	free(d->top);
	free(d->second);
	*d = (struct json_duplicate){ 0 };
}

static bool at(const struct scan *s, char c)
{
	return !s->error && s->i < s->len && s->b[s->i] == c;
}

static void skip_ws(struct scan *s)
{
	while (s->i < s->len && (s->b[s->i] == ' ' || s->b[s->i] == '\t' ||
				 s->b[s->i] == '\n' || s->b[s->i] == '\r'))
		s->i++;
}

/* At the opening quote: past the closing one. */
static void skip_string(struct scan *s)
{
	for (s->i++; s->i < s->len && s->b[s->i] != '"'; s->i++)
		if (s->b[s->i] == '\\')
			s->i++;
	s->i++;
}

/* Numbers, true, false, null: up to the next delimiter. */
static void skip_scalar(struct scan *s)
{
	size_t start = s->i;

	while (s->i < s->len && !strchr(",]} \t\r\n", s->b[s->i]))
		s->i++;
	if (s->i == start)
		s->error = -EBADMSG;
}

/* The key from start to s->i (both quotes), as json-c stores it. */
static char *decode_key(struct scan *s, size_t start)
{
	struct json_object *o;
	char *key = NULL;

	json_tokener_reset(s->tok);
	o = json_tokener_parse_ex(s->tok, s->b + start, (int)(s->i - start));
	if (!o || !json_object_is_type(o, json_type_string) ||
	    strlen(json_object_get_string(o)) != (size_t)json_object_get_string_len(o))
		s->error = -EBADMSG;
	else if (!(key = strdup(json_object_get_string(o))))
		s->error = -ENOMEM;
	json_object_put(o);
	return key;
}

static void record(struct scan *s, unsigned int level, const char *key)
{
	struct json_duplicate *d = s->found;
	const char *second = level == 2 ? key : s->path[1];

	if (d->depth && d->depth <= level)
		return;
	json_duplicate_clear(d);
	d->depth = level;
	d->top = strdup(level == 1 ? key : s->path[0]);
	if (level > 1 && second)
		d->second = strdup(second);
	if (!d->top || (level > 1 && second && !d->second))
		s->error = -ENOMEM;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_value(struct scan *s, unsigned int level);

static void scan_object(struct scan *s, unsigned int level)
{
	char **keys = NULL, **grown, *key;
	size_t n = 0, cap = 0, start;

	s->i++;
	skip_ws(s);
	while (!s->error && !at(s, '}')) {
		if (!at(s, '"')) {
			s->error = -EBADMSG;
			break;
		}
		start = s->i;
		skip_string(s);
		key = decode_key(s, start);
		if (!key)
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			grown = realloc(keys, cap * sizeof(*keys));
			if (!grown) {
				free(key);
				s->error = -ENOMEM;
				break;
			}
			keys = grown;
		}
		keys[n++] = key;
		skip_ws(s);
		if (!at(s, ':')) {
			s->error = -EBADMSG;
			break;
		}
		s->i++;
		if (level <= 2)
			s->path[level - 1] = key;
		scan_value(s, level + 1);
		if (level <= 2)
			s->path[level - 1] = NULL;
		skip_ws(s);
		if (at(s, ','))
			s->i++;
		else if (!at(s, '}'))
			s->error = -EBADMSG;
		skip_ws(s);
	}
	s->i++;
	if (!s->error && n > 1) {
		qsort(keys, n, sizeof(*keys), compare_keys);
		for (size_t k = 1; k < n; k++)
			if (strcmp(keys[k - 1], keys[k]) == 0) {
				record(s, level, keys[k]);
				break;
			}
	}
	for (size_t k = 0; k < n; k++)
		free(keys[k]);
	free(keys);
}

static void scan_array(struct scan *s, unsigned int level)
{
	s->i++;
	skip_ws(s);
	while (!s->error && !at(s, ']')) {
		scan_value(s, level + 1);
		skip_ws(s);
		if (at(s, ','))
			s->i++;
		else if (!at(s, ']'))
			s->error = -EBADMSG;
		skip_ws(s);
	}
	s->i++;
}

static void scan_value(struct scan *s, unsigned int level)
{
	skip_ws(s);
	if (s->error || s->i >= s->len || level > LEVEL_MAX) {
		s->error = -EBADMSG;
		return;
	}
	switch (s->b[s->i]) {
	case '{':
		scan_object(s, level);
		break;
	case '[':
		scan_array(s, level);
		break;
	case '"':
		skip_string(s);
		break;
	default:
		skip_scalar(s);
		break;
	}
}

int json_find_duplicate(const char *buf, size_t len, struct json_duplicate *ret)
{
	struct scan s = { .b = buf, .len = len, .found = ret };

	*ret = (struct json_duplicate){ 0 };
	s.tok = json_tokener_new();
	if (!s.tok)
		return -ENOMEM;
	scan_value(&s, 1);
	json_tokener_free(s.tok);
	if (s.error)
		json_duplicate_clear(ret);
	return s.error;
}
