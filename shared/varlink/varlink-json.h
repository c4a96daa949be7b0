/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One strict JSON value, as both sides of the protocol read it: the
 * server's call parser (varlink-message.c) and the client's reply parser
 * (varlink-reply.c).  Each says in its own words why a text was refused.
 */
#ifndef OCXLPMEM_SHARED_VARLINK_JSON_H
#define OCXLPMEM_SHARED_VARLINK_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/*
 * Parse buf[0, len) as exactly one JSON value (strict, UTF-8 checked,
 * nested at most depth deep, nothing after it).  The value, or NULL with
 * *ret_error the tokener's verdict: json_tokener_success when a value
 * was followed by more text, json_tokener_continue when the text ended
 * inside one.  *ret_oom: NULL because no tokener could be allocated.
 */
struct json_object *varlink_json_parse(const char *buf, size_t len, int depth,
				       enum json_tokener_error *ret_error, int *ret_oom);

/* "interface.Name": a dot, neither first nor last, and only letters,
 * digits, '.', '-' and '_' (method names and error names alike). */
bool varlink_qualified_name(const char *s);

#endif /* OCXLPMEM_SHARED_VARLINK_JSON_H */
