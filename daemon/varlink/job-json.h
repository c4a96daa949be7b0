/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jobs' state as JSON, for io.ocxlpmem.Manager (ListDumps, WatchDump,
 * StartDump, GetFirmwareUpdate, GetCard) and so for the client and the
 * support bundle: built from the reports the jobs fill (dump.h,
 * firmware-update.h, job-progress.h).
 */
#ifndef OCXLPMEMD_JOB_JSON_H
#define OCXLPMEMD_JOB_JSON_H

#include <json-c/json.h>

struct dcard;
struct job_progress;
struct manager;
struct saved_dump;

/* {"done": n, "total": n, "rate_bps": n, "started_usec": n, "eta_usec": n|null} */
struct json_object *job_progress_json(const struct job_progress *p);
/* A saved dump, with its path under the manager's state directory. */
struct json_object *dump_saved_json(const struct manager *m, const struct saved_dump *d);
/* The card's running collection (null when none) and its last result. */
struct json_object *dump_card_json(const struct dcard *dc);
/* The running update, else the last result (FirmwareUpdate); NULL when
 * this daemon has updated nothing on the card. */
struct json_object *fwupdate_json(const struct dcard *dc);

#endif /* OCXLPMEMD_JOB_JSON_H */
