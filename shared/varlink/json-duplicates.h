/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Repeated keys in JSON text.  json-c keeps the last of two equal keys
 * without a word ({"since_usec": 0, "since_usec": 5} is just the 5), so the
 * Varlink message parser looks at the raw text for them: a second pass
 * over text json-c has already accepted, comparing keys the way json-c
 * does (decoded, up to a NUL).
 */
#ifndef SHARED_JSON_DUPLICATES_H
#define SHARED_JSON_DUPLICATES_H

#include <stddef.h>

/* Where the shallowest repeated key is (the first one of that depth). */
struct json_duplicate {
	/* 0: no key repeats; 1: a key of the top-level object repeats;
	 * 2: a key of the object in a top-level member; 3 and more: deeper. */
	unsigned int depth;
	/* depth 1: the repeated key; deeper: the top-level member it is in. */
	char *top;
	/* depth 2: the repeated key; deeper: the member of top's object it is
	 * in (NULL when top's value is an array). */
	char *second;
};

/*
 * Look for a repeated key in buf, which json-c parsed as an object.
 * 0 with *ret filled (depth 0 when none), -EBADMSG when a key holds a NUL
 * ("\u0000": json-c would cut it short), -ENOMEM.
 */
int json_find_duplicate(const char *buf, size_t len, struct json_duplicate *ret);
void json_duplicate_clear(struct json_duplicate *d);

#endif /* SHARED_JSON_DUPLICATES_H */
