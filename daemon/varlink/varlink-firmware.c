// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io.ocxlpmem.Manager's firmware methods: an image is uploaded in chunks
 * (BeginFirmwareUpdate, UploadFirmware...), checked and turned into a job
 * (CommitFirmwareUpdate), watched (GetFirmwareUpdate) and cancelled
 * (CancelFirmwareUpdate).  The job itself is firmware-update.c.
 *
 * A refusal changes nothing: a bad image, a busy or unhealthy card, a
 * chunk out of order are answered with a declared error and a reason for
 * people, and no command reaches the card.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jobs/firmware-update.h"
#include "util/log.h"
#include "core/manager.h"
#include "varlink/card-watchers.h"
#include "varlink/varlink-methods.h"
#include "varlink/job-json.h"

static void reason_error(struct varlink_call *call, const char *error, const struct dcard *dc,
			 const char *reason)
{
	struct json_object *e = json_object_new_object();

	if (dc)
		json_object_object_add(e, "card", json_object_new_string(card_name(dc)));
	json_object_object_add(e, "reason", json_object_new_string(reason));
	varlink_call_error(call, error, e);
}

/* A refusal from fwupdate_may_start()/fwupdate_start(). */
static void start_error(struct varlink_call *call, const struct dcard *dc, int r,
			const char *reason)
{
	if (r == -ENXIO)
		card_error(call, IFACE ".CardOffline", dc);
	else if (r == -EOPNOTSUPP)
		not_supported(call, dc, FW_UPDATE_FUNCTIONS);
	else if (r == -EBUSY)
		reason_error(call, IFACE ".FirmwareUpdateBusy", dc, reason);
	else
		reason_error(call, IFACE ".FirmwareUpdateRefused", dc, reason);
}

/* The upload called id; answers the call and returns NULL when none. */
static struct fw_pending *upload_param(struct manager *m, struct varlink_call *call,
				       const char *id, struct dcard **ret_dc)
{
	struct fw_pending *pending = fwupdate_upload_find(m, id, ret_dc);
	struct json_object *e;

	if (!pending) {
		e = json_object_new_object();
		json_object_object_add(e, "upload", json_object_new_string(id));
		varlink_call_error(call, IFACE ".NoSuchUpload", e);
	}
	return pending;
}

struct fw_params {
	const char *card, *upload, *data;
	struct vparam_int size, offset;
	struct vparam_bool force, dry_run;
};

static const struct vparam begin_params[] = {
	VP_STRING("card", true, struct fw_params, card),
	VP_INT("size", true, 0, INT64_MAX, struct fw_params, size),
	VP_BOOL("force", false, struct fw_params, force),
	VP_BOOL("dry_run", false, struct fw_params, dry_run),
};

static const struct vparam upload_params[] = {
	VP_STRING("upload", true, struct fw_params, upload),
	VP_INT("offset", true, 0, INT64_MAX, struct fw_params, offset),
	VP_STRING("data", true, struct fw_params, data),
};

static const struct vparam commit_params[] = {
	VP_STRING("upload", true, struct fw_params, upload),
};

void m_begin_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata)
{
	const struct fw_pending *pending;
	struct fw_params fp = { 0 };
	bool force, dry_run;
	const char *reason;
	struct json_object *o;
	struct dcard *dc;
	uint32_t max;
	int64_t size;
	int r;

	if (!VPARAMS_DISPATCH(call, p, begin_params, &fp, NULL))
		return;
	dc = card_param(userdata, call, fp.card);
	if (!dc)
		return;
	size = fp.size.v;
	force = fp.force.set && fp.force.v;
	dry_run = fp.dry_run.set && fp.dry_run.v;
	if (!card_present(dc)) {
		card_error(call, IFACE ".CardOffline", dc);
		return;
	}
	/* Before the size: a card without FIRMWARE_INFO never has one. */
	if (!card_has_functions(dc, FW_UPDATE_FUNCTIONS)) {
		not_supported(call, dc, FW_UPDATE_FUNCTIONS);
		return;
	}
	max = fwupdate_max_image_size(dc);
	if (!max) {
		reason_error(call, IFACE ".FirmwareUpdateRefused", dc,
			     "the card's firmware state has not been read yet; try again in a moment");
		return;
	}
	r = fw_upload_size_check((uint64_t)size, max);
	if (r < 0) {
		char why[160];

		snprintf(why, sizeof(why), "%s (%" PRId64 " bytes; the card takes at most %" PRIu32 ")",
			 ocxlpmem_fw_image_strerror(r), size, max);
		reason_error(call, IFACE ".InvalidFirmwareImage", NULL, why);
		return;
	}
	/* Refuse before the client sends megabytes; Commit checks again. */
	if (!dry_run && (r = fwupdate_may_start(dc, force, &reason)) < 0) {
		start_error(call, dc, r, reason);
		return;
	}
	r = fwupdate_upload_begin(dc, (uint32_t)size, force, dry_run, varlink_call_uid(call),
				  &pending);
	if (r == -EBUSY) {
		reason_error(call, IFACE ".FirmwareUpdateBusy", dc,
			     "another firmware upload to this card is in progress "
			     "(an idle one is dropped after 60 s)");
		return;
	}
	if (r < 0) {
		failed(call, strerror(-r));
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "upload", json_object_new_string(pending->id));
	json_object_object_add(o, "chunk_size", json_object_new_int(FW_UPLOAD_CHUNK_MAX));
	json_object_object_add(o, "max_image_size", json_object_new_int64(max));
	varlink_call_reply(call, o);
}

void m_upload_firmware(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct fw_params fp = { 0 };
	struct fw_pending *pending;
	struct json_object *o;
	struct dcard *dc;
	int64_t offset;
	int r;

	if (!VPARAMS_DISPATCH(call, p, upload_params, &fp, NULL))
		return;
	offset = fp.offset.v;
	pending = upload_param(userdata, call, fp.upload, &dc);
	if (!pending)
		return;
	r = fw_upload_append(pending->upload, (uint64_t)offset, fp.data, strlen(fp.data));
	if (r < 0) {
		char why[160];

		switch (r) {
		case -ESPIPE:
			snprintf(why, sizeof(why), "chunk at offset %" PRId64 ", expected %" PRIu32
				 ": chunks come in order", offset, pending->upload->received);
			break;
		case -E2BIG:
			snprintf(why, sizeof(why), "a chunk carries at most %u bytes",
				 FW_UPLOAD_CHUNK_MAX);
			break;
		case -EFBIG:
			snprintf(why, sizeof(why), "the chunk reaches past the announced size of %" PRIu32
				 " bytes", pending->upload->size);
			break;
		default:
			snprintf(why, sizeof(why), "the chunk's data is not base64, or is empty");
			break;
		}
		reason_error(call, IFACE ".InvalidUploadChunk", NULL, why);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "received", json_object_new_int64(pending->upload->received));
	varlink_call_reply(call, o);
}

void m_commit_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct ocxlpmem_fw_image_info info;
	struct fw_pending *pending;
	struct json_object *o, *img;
	const char *reason;
	struct dcard *dc;
	struct fw_params fp = { 0 };
	bool dry_run;
	int r;

	if (!VPARAMS_DISPATCH(call, p, commit_params, &fp, NULL))
		return;
	pending = upload_param(userdata, call, fp.upload, &dc);
	if (!pending)
		return;
	if (!fw_upload_complete(pending->upload)) {
		char why[128];

		snprintf(why, sizeof(why), "the upload is incomplete: %" PRIu32 " of %" PRIu32 " bytes",
			 pending->upload->received, pending->upload->size);
		reason_error(call, IFACE ".InvalidUploadChunk", NULL, why);
		return;
	}
	/* Whatever the answer, this upload is used up: a refused image is
	 * not kept, and the client starts again. */
	r = ocxlpmem_fw_image_check(pending->upload->data, pending->upload->size,
				    fwupdate_max_image_size(dc) ? fwupdate_max_image_size(dc) :
								 FW_UPLOAD_SIZE_MAX, &info);
	if (r < 0) {
		log_info("%s: firmware image refused: %s", card_name(dc), ocxlpmem_fw_image_strerror(r));
		fwupdate_upload_drop(dc);
		reason_error(call, IFACE ".InvalidFirmwareImage", NULL, ocxlpmem_fw_image_strerror(r));
		return;
	}
	img = json_object_new_object();
	json_object_object_add(img, "size", json_object_new_int64(pending->upload->size));
	json_object_object_add(img, "has_header", json_object_new_boolean(info.has_header));
	json_object_object_add(img, "version", info.has_header ?
				   json_object_new_string(info.version) : NULL);
	json_object_object_add(img, "crc32", json_object_new_int64(info.payload_crc32));
	dry_run = pending->dry_run;
	if (dry_run) {
		log_info("%s: firmware image checked (dry run, uid %u): nothing sent", card_name(dc),
			 (unsigned int)varlink_call_uid(call));
		fwupdate_upload_drop(dc);
	} else {
		r = fwupdate_start(dc, info.has_header ? info.version : NULL, &reason);
		if (r < 0) {
			fwupdate_upload_drop(dc);
			json_object_put(img);
			start_error(call, dc, r, reason);
			return;
		}
	}
	o = json_object_new_object();
	json_object_object_add(o, "dry_run", json_object_new_boolean(dry_run));
	json_object_object_add(o, "image", img);
	json_object_object_add(o, "update", dry_run ? NULL : fwupdate_json(dc));
	varlink_call_reply(call, o);
}

void m_cancel_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_call(userdata, call, p);
	struct json_object *o;
	const char *what;

	if (!dc)
		return;
	if (fwupdate_cancel(dc, varlink_call_uid(call)) == 0) {
		what = "update";
	} else if (fwupdate_upload_drop(dc)) {
		what = "upload";
	} else {
		card_error(call, IFACE ".NoFirmwareUpdate", dc);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "cancelled", json_object_new_string(what));
	varlink_call_reply(call, o);
}

/* ---- Following an update ------------------------------------------------- */

/* GetFirmwareUpdate calls following a card's update. */
static struct card_watch_set watching;

static struct json_object *watch_reply(void *userdata)
{
	const struct dcard *dc = userdata;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "update", fwupdate_json(dc));
	return o;
}

void varlink_firmware_event(const struct observe_event *ev)
{
	struct varlink_watchers *ws;

	if (ev->kind == OBSERVE_CARD_FREED) {
		card_watchers_drop(&watching, ev->dc);
		return;
	}
	ws = card_watchers_of(&watching, ev->dc, false);
	if (!ws)
		return;
	/* The end is an update like the others, then the last reply. */
	if (ev->kind == OBSERVE_FIRMWARE_PROGRESS || ev->kind == OBSERVE_FIRMWARE_FINISHED)
		varlink_watchers_notify(ws, watch_reply, ev->dc);
	if (ev->kind == OBSERVE_FIRMWARE_FINISHED)
		varlink_watchers_end(ws, watch_reply, ev->dc);
}

void varlink_firmware_stop(void)
{
	card_watchers_drop_all(&watching);
}

/* A "more" call while an update runs streams it: a reply now, one per
 * progress step, the last when the job ends. */
void m_get_firmware_update(struct varlink_call *call, struct json_object *p, void *userdata)
{
	struct dcard *dc = card_call(userdata, call, p);
	struct varlink_watchers *ws;

	if (!dc)
		return;
	if (!fwupdate_running(dc) || !varlink_call_wants_more(call)) {
		varlink_call_reply(call, watch_reply(dc));
		return;
	}
	ws = card_watchers_of(&watching, dc, true);
	if (!ws || varlink_watchers_add(ws, call) < 0) {
		failed(call, "out of memory");
		return;
	}
	varlink_call_notify(call, watch_reply(dc));
}
