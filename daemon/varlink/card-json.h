/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON views of a card's report (core/card-report.h), shaped as the
 * Varlink interface (io.ocxlpmem.Manager.varlink) declares them.  Pure:
 * serialisers see reports, never the card.
 */
#ifndef OCXLPMEMD_CARD_JSON_H
#define OCXLPMEMD_CARD_JSON_H

#include <json-c/json.h>

#include "core/card-report.h"

struct errlog_record;

struct json_object *card_json_summary(const struct card_report *rep);
/* fw_update: the firmware job's JSON (fwupdate_json()), taken. */
struct json_object *card_json_detail(const struct card_report *rep, struct json_object *fw_update);
struct json_object *card_json_errlog_entry(const struct errlog_record *e);
/* Decimal string of a u64 (JSON numbers lose precision past 2^53). */
struct json_object *json_u64(uint64_t v);

#endif /* OCXLPMEMD_CARD_JSON_H */
