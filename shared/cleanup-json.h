/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * _cleanup_json_: json_object_put() at the end of the scope (see
 * cleanup.h).  Apart from cleanup.h so that code without json-c need not
 * see its headers.
 */
#ifndef OCXLPMEM_SHARED_CLEANUP_JSON_H
#define OCXLPMEM_SHARED_CLEANUP_JSON_H

#include <json-c/json.h>

#include "shared/cleanup.h"

static inline void json_object_putp(struct json_object **o)
{
	json_object_put(*o);
}

#define _cleanup_json_ _cleanup_(json_object_putp)

#endif /* OCXLPMEM_SHARED_CLEANUP_JSON_H */
