/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON views of the daemon's card state, shaped as the Varlink interface
 * (io.ocxlpmem.Manager.varlink) declares them.  Read-only: serialisers
 * never change what they show.
 */
#ifndef OCXLPMEMD_CARD_JSON_H
#define OCXLPMEMD_CARD_JSON_H

#include <json-c/json.h>

#include "core/manager.h"

struct json_object *card_json_summary(const struct dcard *dc);
struct json_object *card_json_detail(const struct dcard *dc);
struct json_object *card_json_errlog_entry(const struct errlog_record *e);
/* Decimal string of a u64 (JSON numbers lose precision past 2^53). */
struct json_object *json_u64(uint64_t v);

#endif /* OCXLPMEMD_CARD_JSON_H */
