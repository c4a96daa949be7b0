/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firmware updates as jobs, one per card at a time.
 *
 * An image reaches the daemon as an upload (fw-upload.h) that the Varlink
 * layer (varlink-firmware.c) fills; committed, it becomes a job that sends
 * FW_UPDATE_START, the image in 32 KiB FW_UPDATE_BLOCKs and FW_UPDATE_FINISH
 * through card_submit(), one request at a time, so the event loop never
 * waits on the card.  A failure or a cancel ends with FW_UPDATE_ABORT, which
 * leaves the card on its running (and staged) version.  Every end raises
 * an alert and is kept as the card's last result.  Progress and the end
 * are OBSERVE_FIRMWARE_* events to the manager's observers (observe.h).
 */
#ifndef OCXLPMEMD_FIRMWARE_UPDATE_H
#define OCXLPMEMD_FIRMWARE_UPDATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jobs/fw-upload.h"
#include "jobs/job-progress.h"
#include "core/manager.h"

/* An upload idle this long is dropped. */
#define FW_UPLOAD_IDLE_S 60

/* What an update needs: FIRMWARE_INFO tells the largest image and the
 * state, the FW_UPDATE_* functions send it and abandon it. */
#define FW_UPDATE_FUNCTIONS                                                     \
	(1u << OCXLPMEM_FN_FW_UPDATE_START | 1u << OCXLPMEM_FN_FW_UPDATE_BLOCK | \
	 1u << OCXLPMEM_FN_FW_UPDATE_FINISH | 1u << OCXLPMEM_FN_FW_UPDATE_ABORT | \
	 1u << OCXLPMEM_FN_FIRMWARE_INFO)

/*
 * Whether an update may start on this card now.  0, or -errno with a reason
 * for people:
 *   -EBUSY     a firmware update runs (never overridden), or, unless force,
 *              a controller dump is being collected
 *   -ENXIO     the card is not present
 *   -EOPNOTSUPP the card lacks one of FW_UPDATE_FUNCTIONS (never overridden)
 *   -EAGAIN    its firmware state has not been read yet
 *   -EHOSTDOWN unless force: the card is not healthy enough to update
 */
int fwupdate_may_start(const struct dcard *dc, bool force, const char **ret_reason);
/* The largest image this card takes: its max_image_size, at most
 * FW_UPLOAD_SIZE_MAX; 0 while unknown. */
uint32_t fwupdate_max_image_size(const struct dcard *dc);

/* ---- Uploads: one per card ----------------------------------------------- */

struct fw_pending {
	char id[33];             /* 128 random bits, hex */
	struct fw_upload *upload;
	bool force, dry_run;
	uid_t uid;
};

/* Begin an upload of size bytes (checked by the caller).  0, -EBUSY when
 * the card has one, -ENOMEM. */
int fwupdate_upload_begin(struct dcard *dc, uint32_t size, bool force, bool dry_run, uid_t uid,
			  const struct fw_pending **ret);
/* The card's upload with this id, or NULL; touching it restarts its idle
 * timer. */
struct fw_pending *fwupdate_upload_find(struct manager *m, const char *id, struct dcard **ret_dc);
/* Drop the card's upload; false when it had none. */
bool fwupdate_upload_drop(struct dcard *dc);

/*
 * Start the job with the card's complete upload (validated by the caller,
 * image version from its header or NULL).  0, or as fwupdate_may_start().
 * The upload is consumed on success.
 */
int fwupdate_start(struct dcard *dc, const char *image_version, const char **ret_reason);

/* Ask the running job to stop: it aborts the card's update at the next
 * step.  0, or -ENOENT when none runs. */
int fwupdate_cancel(struct dcard *dc, uid_t uid);
bool fwupdate_running(const struct dcard *dc);

enum fw_phase {
	PHASE_PRE_ABORT,    /* ending an unfinished earlier update */
	PHASE_START,
	PHASE_SEND,
	PHASE_FINISH,
	PHASE_ABORT,        /* cleaning up after a failure or a cancel */
};

enum fw_result {
	RESULT_RUNNING,
	RESULT_SUCCEEDED,
	RESULT_FAILED,
	RESULT_CANCELLED,
};

/* What FirmwareUpdate shows: the running job's, then the last one's
 * (the Varlink layer serialises it). */
struct fw_report {
	enum fw_result result;
	enum fw_phase phase;
	struct job_progress progress;
	char image_version[OCXLPMEM_FW_VERSION_LEN + 1];
	char previous_version[OCXLPMEM_FW_VERSION_LEN + 1];
	char staged_version[OCXLPMEM_FW_VERSION_LEN + 1];
	bool forced;
	uint64_t finished_us;
	char message[256];
	const char *card_status;    /* the card's status name when it refused */
};

/* The running job's report, else the last one's (FirmwareUpdate); NULL
 * when this daemon has updated nothing on the card. */
const struct fw_report *fwupdate_report(const struct dcard *dc);
/* "start", "send", "finish", "abort". */
const char *fwupdate_phase_name(enum fw_phase phase);
/* "running", "succeeded", "failed", "cancelled". */
const char *fwupdate_result_name(enum fw_result result);
/* Updates ended since the daemon started, by result (metrics). */
void fwupdate_counts(const struct dcard *dc, uint64_t *ret_succeeded, uint64_t *ret_failed,
		     uint64_t *ret_cancelled);
/* For status: "running", "succeeded", "failed" or "cancelled"; NULL when
 * this daemon has updated nothing on the card. */
const char *fwupdate_state_name(const struct dcard *dc);

#endif /* OCXLPMEMD_FIRMWARE_UPDATE_H */
