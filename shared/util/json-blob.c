// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "shared/util/json-blob.h"

struct json_blob *json_blob_new(size_t len)
{
	struct json_blob *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	b->refs = 1;
	b->len = len;
	b->text[len] = '\0';
	return b;
}

struct json_blob *json_blob_from_object(struct json_object *o)
{
	struct json_blob *b;
	const char *text;
	size_t len;

	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (!text)
		return NULL;
	b = json_blob_new(len);
	if (b)
		memcpy(b->text, text, len);
	return b;
}

struct json_blob *json_blob_ref(struct json_blob *b)
{
	if (b)
		b->refs++;
	return b;
}

struct json_blob *json_blob_unref(struct json_blob *b)
{
	if (b && --b->refs == 0)
		free(b);
	return NULL;
}

void json_blob_unref_cb(const void *data, size_t len, void *blob)
{
	(void)data;
	(void)len;
	json_blob_unref(blob);
}
