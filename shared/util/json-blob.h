/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A serialised text shared by reference.  Replies that many clients ask
 * for (ListCards, GetCard, and the metrics exposition and its gzip) are
 * built once while nothing changed and handed to every client's output
 * buffer without a copy; a blob is
 * immutable once made and freed when the last buffer holding it drains.
 * Loop-thread only: the reference count is not atomic.
 */
#ifndef SHARED_JSON_BLOB_H
#define SHARED_JSON_BLOB_H

#include <stddef.h>

#include <json-c/json.h>

struct json_blob {
	unsigned int refs;
	size_t len;             /* without the terminating NUL */
	char text[];            /* NUL-terminated */
};

/* A blob of LEN bytes (plus the NUL), contents for the caller to fill. */
struct json_blob *json_blob_new(size_t len);
/* The plain serialisation of o (as the Varlink server writes objects). */
struct json_blob *json_blob_from_object(struct json_object *o);
struct json_blob *json_blob_ref(struct json_blob *b);
/* Drops one reference; NULL is fine; returns NULL. */
struct json_blob *json_blob_unref(struct json_blob *b);
/* For evbuffer_add_reference(): drops the reference the buffer held. */
void json_blob_unref_cb(const void *data, size_t len, void *blob);

#endif /* SHARED_JSON_BLOB_H */
