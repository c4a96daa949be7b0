/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * io.ocxlpmem.Manager's methods live in several files, one area each
 * (cards in varlink-manager.c, dumps in varlink-dumps.c, firmware in
 * varlink-firmware.c); this is what they share: parameter helpers and
 * the common errors, which io.ocxlpmem.Simulation (varlink-simulation.c)
 * answers too, since its cards are the Manager's.  Every method checks its parameters with a table
 * (varlink-params.h) before anything else.  The method table is in varlink-manager.c.
 */
#ifndef OCXLPMEMD_VARLINK_METHODS_H
#define OCXLPMEMD_VARLINK_METHODS_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "shared/varlink/varlink.h"
#include "shared/varlink/varlink-params.h"

#define IFACE "io.ocxlpmem.Manager"

struct manager;
struct dcard;
struct observe_event;

/* Answer InvalidParameter for any parameter of a method that takes none. */
bool no_params(struct varlink_call *call, struct json_object *p);
/* The card named by the only parameter, "card"; answers the call (bad
 * parameters, NoSuchCard) and returns NULL when there is none. */
struct dcard *card_call(struct manager *m, struct varlink_call *call, struct json_object *p);
/* The card called name; answers NoSuchCard and returns NULL when none. */
struct dcard *card_param(struct manager *m, struct varlink_call *call, const char *name);
/* An error carrying {"card": name}. */
void card_error(struct varlink_call *call, const char *error, const struct dcard *dc);
/* io.ocxlpmem.Manager.Failed with a reason for people. */
void failed(struct varlink_call *call, const char *reason);
/* io.ocxlpmem.Manager.NotSupported: the functions of mask (1u << function
 * bits) that the card lacks, for an operation that needs all of them. */
void not_supported(struct varlink_call *call, const struct dcard *dc, uint32_t mask);

/* ---- varlink-dumps.c ------------------------------------------------------ */
void m_list_dumps(struct varlink_call *call, struct json_object *p, void *userdata);
void m_start_dump(struct varlink_call *call, struct json_object *p, void *userdata);
void m_watch_dump(struct varlink_call *call, struct json_object *p, void *userdata);
void m_delete_dump(struct varlink_call *call, struct json_object *p, void *userdata);
/* A collection moved on or ended (progress to its followers), or its card
 * is freed (OBSERVE_DUMP_*, OBSERVE_CARD_FREED). */
void varlink_dumps_event(const struct observe_event *ev);
/* The server stops: let every follower go. */
void varlink_dumps_stop(void);

/* ---- varlink-firmware.c --------------------------------------------------- */
void m_begin_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata);
void m_upload_firmware(struct varlink_call *call, struct json_object *p, void *userdata);
void m_commit_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata);
void m_cancel_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata);
void m_get_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata);
/* As varlink_dumps_event() for updates (OBSERVE_FIRMWARE_*, CARD_FREED). */
void varlink_firmware_event(const struct observe_event *ev);
void varlink_firmware_stop(void);

#endif /* OCXLPMEMD_VARLINK_METHODS_H */
