// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Firmware updates as jobs: see firmware-update.h.
 *
 * A job is a chain of single requests, each submitted when the previous one
 * came back, so at most one FW_UPDATE_* command of a card is ever in
 * flight and the card sees them in order:
 *
 *   [ABORT]  START  BLOCK 0 .. BLOCK n  FINISH        success
 *                   ...any step fails or is cancelled -> ABORT
 *
 * The leading ABORT runs only when the card may still hold an unfinished
 * update of ours (an earlier abort was not confirmed, or the daemon died
 * mid-update): the card refuses START while one is open.  A START that the
 * card refused with a status is not followed by an ABORT: the update it
 * found open may be someone else's, and ours never began.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/alert.h"
#include "core/card-private.h"
#include "jobs/dump.h"
#include "jobs/firmware-update.h"
#include "jobs/job-progress.h"
#include "util/log.h"

/* Progress replies to a watcher at most this often (and at each end). */
#define NOTIFY_INTERVAL_MS 200
/* FINISH answers with the firmware info. */
#define FW_OUT_CAP (sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_firmware_info_out))

static const char *const phase_names[] = {
	[PHASE_PRE_ABORT] = "start", [PHASE_START] = "start", [PHASE_SEND] = "send",
	[PHASE_FINISH] = "finish", [PHASE_ABORT] = "abort",
};

static const char *const result_names[] = {
	[RESULT_RUNNING] = "running", [RESULT_SUCCEEDED] = "succeeded",
	[RESULT_FAILED] = "failed", [RESULT_CANCELLED] = "cancelled",
};

struct fw_job {
	uint8_t *image;
	uint32_t size;
	uint32_t sent;              /* bytes the card has acknowledged */
	uint32_t block;             /* bytes of the BLOCK in flight */
	bool started;               /* the card may hold a partial image of ours */
	bool failed;
	bool cancel;
	uid_t cancel_uid;
	uint64_t last_notify_ms;
};

/* A card's update state, kept under fw_ops (card_job_register()). */
struct fw_card {
	struct fw_job *job;         /* the update running, or NULL */
	struct card_completion done; /* its requests' */
	bool have_report;
	struct fw_report report;
	struct fw_pending *pending;
	struct event *idle_timer;
	/* The card may still be receiving an update of ours nobody ended. */
	bool needs_abort;
	/* Updates ended since the daemon started, by result: for metrics. */
	uint64_t ended[RESULT_CANCELLED + 1];
};

static void fw_request_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata);
static void fw_card_gone(struct dcard *dc, void *data);
static void fw_card_free(struct dcard *dc, void *data);

static const struct card_job_ops fw_ops = {
	.name = "firmware-update",
	.rank = 1,
	.gone = fw_card_gone,
	.free = fw_card_free,
};

static struct fw_card *fw_card_of(const struct dcard *dc)
{
	return card_job_data(dc, &fw_ops);
}

static struct fw_job *fw_job_of(const struct dcard *dc)
{
	struct fw_card *fc = fw_card_of(dc);

	return fc ? fc->job : NULL;
}

/* The card's update state, made at its first upload. */
static struct fw_card *fw_card_get(struct dcard *dc)
{
	struct fw_card *fc = fw_card_of(dc);

	if (fc)
		return fc;
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return NULL;
	fc->done = (struct card_completion){ dc, fw_request_done, fc };
	if (card_job_register(dc, &fw_ops, fc) < 0) {
		free(fc);
		return NULL;
	}
	return fc;
}

/* ---- Checks ---------------------------------------------------------------- */

uint32_t fwupdate_max_image_size(const struct dcard *dc)
{
	if (!dc->have_fw)
		return 0;
	return dc->fw.max_image_size < FW_UPLOAD_SIZE_MAX ? dc->fw.max_image_size :
							    FW_UPLOAD_SIZE_MAX;
}

int fwupdate_may_start(const struct dcard *dc, bool force, const char **ret_reason)
{
	enum card_health h = dc->report->state;

	if (fw_job_of(dc)) {
		*ret_reason = "a firmware update is already running on this card";
		return -EBUSY;
	}
	if (!dc->card) {
		*ret_reason = "the card is not present";
		return -ENXIO;
	}
	if (!card_has_functions(dc, FW_UPDATE_FUNCTIONS)) {
		*ret_reason = "the card does not support firmware updates";
		return -EOPNOTSUPP;
	}
	if (!dc->have_fw) {
		*ret_reason = "the card's firmware state has not been read yet; try again in a moment";
		return -EAGAIN;
	}
	if (force)
		return 0;
	/* The card would refuse (BLOCKED_BG_TASK) while it hands out a dump,
	 * and a half-collected dump is worth more than an early update. */
	if (dump_job_running(dc)) {
		*ret_reason = "a controller dump is being collected from this card; "
			      "wait for it, or use --force";
		return -EBUSY;
	}
	if (h != HEALTH_OK && h != HEALTH_WARNING) {
		*ret_reason = h == HEALTH_UNKNOWN ?
			"the card's health is not known yet; wait for it, or use --force" :
			"the card is not healthy (see ocxlpmemctl status); fix that first, or use --force";
		return -EHOSTDOWN;
	}
	return 0;
}

/* ---- Uploads ---------------------------------------------------------------- */

static void on_upload_idle(evutil_socket_t fd, short what, void *userdata)
{
	struct dcard *dc = userdata;

	log_notice("%s: firmware upload dropped after %d s without activity", dc->name,
		   FW_UPLOAD_IDLE_S);
	fwupdate_upload_drop(dc);
}

static void touch_upload(struct dcard *dc)
{
	struct timeval tv = { .tv_sec = FW_UPLOAD_IDLE_S };

	struct fw_card *fc = fw_card_of(dc);

	if (fc->idle_timer)
		evtimer_add(fc->idle_timer, &tv);
}

bool fwupdate_upload_drop(struct dcard *dc)
{
	struct fw_card *fc = fw_card_of(dc);

	if (!fc || !fc->pending)
		return false;
	if (fc->idle_timer)
		evtimer_del(fc->idle_timer);
	fw_upload_free(fc->pending->upload);
	free(fc->pending);
	fc->pending = NULL;
	return true;
}

int fwupdate_upload_begin(struct dcard *dc, uint32_t size, bool force, bool dry_run, uid_t uid,
			  const struct fw_pending **ret)
{
	struct fw_card *fc = fw_card_get(dc);
	struct fw_pending *p;
	uint8_t rnd[16];
	int r;

	if (!fc)
		return -ENOMEM;
	if (fc->pending)
		return -EBUSY;
	if (!fc->idle_timer) {
		fc->idle_timer = evtimer_new(dc->m->base, on_upload_idle, dc);
		if (!fc->idle_timer)
			return -ENOMEM;
	}
	/* The id only has to be unguessable enough that two clients never
	 * mix their chunks; the methods are privileged anyway. */
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		return -EAGAIN;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = fw_upload_new(size, &p->upload);
	if (r < 0) {
		free(p);
		return r;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(p->id + 2 * i, 3, "%02x", rnd[i]);
	p->force = force;
	p->dry_run = dry_run;
	p->uid = uid;
	fc->pending = p;
	touch_upload(dc);
	*ret = p;
	return 0;
}

struct fw_pending *fwupdate_upload_find(struct manager *m, const char *id, struct dcard **ret_dc)
{
	for (size_t i = 0; i < m->ncards; i++) {
		struct dcard *dc = m->cards[i];
		struct fw_card *fc = fw_card_of(dc);

		if (fc && fc->pending && strcmp(fc->pending->id, id) == 0) {
			touch_upload(dc);
			*ret_dc = dc;
			return fc->pending;
		}
	}
	return NULL;
}

/* ---- Reporting ---------------------------------------------------------------- */

const struct fw_report *fwupdate_report(const struct dcard *dc)
{
	const struct fw_card *fc = fw_card_of(dc);

	return fc && fc->have_report ? &fc->report : NULL;
}

const char *fwupdate_phase_name(enum fw_phase phase)
{
	return phase_names[phase];
}

const char *fwupdate_result_name(enum fw_result result)
{
	return result_names[result];
}

const char *fwupdate_state_name(const struct dcard *dc)
{
	const struct fw_card *fc = fw_card_of(dc);

	if (!fc || !fc->have_report)
		return NULL;
	return result_names[fc->report.result];
}

bool fwupdate_running(const struct dcard *dc)
{
	return fw_job_of(dc) != NULL;
}

/* Tell observers (a GetFirmwareUpdate call following it) the job moved on
 * or ended. */
static void notify_watchers(struct dcard *dc, bool final)
{
	card_touch(dc);
	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = final ? OBSERVE_FIRMWARE_FINISHED : OBSERVE_FIRMWARE_PROGRESS, .dc = dc,
	});
}

/* ---- The job ---------------------------------------------------------------- */

static void send_alert(struct dcard *dc)
{
	const struct fw_report *rep = &fw_card_of(dc)->report;
	static const char *const class_of[] = {
		[RESULT_SUCCEEDED] = "firmware-update-succeeded",
		[RESULT_FAILED] = "firmware-update-failed",
		[RESULT_CANCELLED] = "firmware-update-cancelled",
	};
	struct alert a;

	card_alert_fill(dc, &a, class_of[rep->result],
			rep->result == RESULT_FAILED ? LOG_ERR : LOG_NOTICE, "entry");
	snprintf(a.message, sizeof(a.message), "%s", rep->message);
	alert_add_field(&a, "FW_RESULT", "%s", result_names[rep->result]);
	alert_add_field(&a, "FW_IMAGE_VERSION", "%s",
			rep->image_version[0] ? rep->image_version : "unknown");
	alert_add_field(&a, "FW_IMAGE_SIZE", "%" PRIu64, rep->progress.total);
	alert_add_field(&a, "FW_BYTES_SENT", "%" PRIu64, rep->progress.done);
	alert_add_field(&a, "FW_PREVIOUS_VERSION", "%s", rep->previous_version);
	if (rep->staged_version[0])
		alert_add_field(&a, "FW_STAGED_VERSION", "%s", rep->staged_version);
	if (rep->card_status)
		alert_add_field(&a, "FW_CARD_STATUS", "%s", rep->card_status);
	card_alert_send(dc, &a);
}

static void job_end_how(struct dcard *dc, enum fw_result result, bool card_gone)
{
	struct fw_card *fc = fw_card_of(dc);
	struct fw_job *job = fw_job_of(dc);
	struct fw_report *rep = &fc->report;

	rep->result = result;
	rep->finished_us = now_realtime_us();
	fc->ended[result]++;
	if (result == RESULT_SUCCEEDED)
		snprintf(rep->message, sizeof(rep->message),
			 "firmware %s staged; the card runs it after its next reset",
			 rep->staged_version[0] ? rep->staged_version : "(unnamed)");
	else if (result == RESULT_CANCELLED)
		snprintf(rep->message, sizeof(rep->message),
			 "firmware update cancelled by uid %u after %" PRIu64 " of %" PRIu64
			 " bytes; the card stays on %s", (unsigned int)job->cancel_uid,
			 rep->progress.done, rep->progress.total,
			 rep->previous_version[0] ? rep->previous_version : "its running firmware");
	log_msg(result == RESULT_FAILED ? LOG_ERR : LOG_NOTICE, "%s: firmware update %s: %s",
		dc->name, result_names[result], rep->message);
	free(job->image);
	free(job);
	fc->job = NULL;
	send_alert(dc);
	notify_watchers(dc, true);
	/* Show what the card says now (staged, no longer receiving), not
	 * what the last poll saw before the update.  Not for a card being
	 * detached: that poll would never come back to end. */
	if (dc->card && !card_gone && !dc->m->stopping)
		card_poll_now(dc, POLL_FIRMWARE);
}

static void job_end(struct dcard *dc, enum fw_result result)
{
	job_end_how(dc, result, false);
}

/* Remember the first failure, in words, and where it happened. */
static void job_fail(struct dcard *dc, unsigned int function, int r)
{
	struct fw_card *fc = fw_card_of(dc);
	struct fw_job *job = fc->job;
	struct fw_report *rep = &fc->report;
	const char *why;
	char buf[128];

	if (job->failed)
		return;
	job->failed = true;
	if (r > 0) {
		why = ocxlpmem_card_status_message((unsigned int)r, function);
		rep->card_status = ocxlpmem_card_status_name((unsigned int)r);
		if (!rep->card_status) {
			snprintf(buf, sizeof(buf), "%s (status 0x%02x)", why, (unsigned int)r);
			why = buf;
		}
	} else if (r == -ETIMEDOUT) {
		why = "the card did not answer in time";
	} else if (r == -EBUSY && dc->card && ocxlpmem_executor_card_hung(dc->m->executor, dc->card)) {
		why = "the card is hung: an earlier command never returned";
	} else if (r == -ENXIO) {
		why = "the card went away";
	} else if (r == -EBADMSG || r == -EMSGSIZE) {
		why = "the card's reply was malformed";
	} else {
		snprintf(buf, sizeof(buf), "the command failed: %s", strerror(-r));
		why = buf;
	}
	if (function == OCXLPMEM_FN_FW_UPDATE_BLOCK)
		snprintf(rep->message, sizeof(rep->message), "%s (%s at byte %" PRIu32 " of %" PRIu32 ")",
			 why, ocxlpmem_function_name(function), job->sent, job->size);
	else
		snprintf(rep->message, sizeof(rep->message), "%s (%s)", why,
			 ocxlpmem_function_name(function));
	/* The card's state is unknown after a transport error: the next
	 * update clears whatever it may hold first. */
	if (r < 0)
		fc->needs_abort = true;
}

static int submit_block(struct dcard *dc)
{
	struct fw_job *job = fw_card_of(dc)->job;
	uint8_t in[sizeof(struct ocxlpmem_fw_block_in) + OCXLPMEM_FW_BLOCK_MAX];
	struct ocxlpmem_fw_block b = {
		.offset = job->sent,
		.size = job->size - job->sent < OCXLPMEM_FW_BLOCK_MAX ? job->size - job->sent :
									  OCXLPMEM_FW_BLOCK_MAX,
		.data = job->image + job->sent,
	};
	ssize_t n = ocxlpmem_fw_block_encode(&b, in, sizeof(in));

	if (n < 0)
		return (int)n;
	job->block = b.size;
	return card_submit(dc, OCXLPMEM_FN_FW_UPDATE_BLOCK, in, (size_t)n, FW_OUT_CAP,
			   &fw_card_of(dc)->done);
}

/* Submit what comes next; ends the job when nothing does. */
static void job_step(struct dcard *dc)
{
	struct fw_card *fc = fw_card_of(dc);
	struct fw_job *job = fc->job;
	struct fw_report *rep = &fc->report;
	unsigned int fn;
	int r;

	if (dc->m->stopping)
		return;
	if (job->failed || job->cancel) {
		if (job->started && rep->phase != PHASE_ABORT) {
			rep->phase = PHASE_ABORT;
			fn = OCXLPMEM_FN_FW_UPDATE_ABORT;
			r = card_submit(dc, fn, NULL, 0, FW_OUT_CAP, &fc->done);
			if (r < 0) {
				fc->needs_abort = true;
				job_fail(dc, fn, r);
				job_end(dc, RESULT_FAILED);
			}
			return;
		}
		job_end(dc, job->failed ? RESULT_FAILED : RESULT_CANCELLED);
		return;
	}
	switch (rep->phase) {
	case PHASE_PRE_ABORT:
		fn = OCXLPMEM_FN_FW_UPDATE_ABORT;
		r = card_submit(dc, fn, NULL, 0, FW_OUT_CAP, &fc->done);
		break;
	case PHASE_START: {
		uint8_t in[sizeof(struct ocxlpmem_fw_start_in)];
		ssize_t n = ocxlpmem_fw_start_encode(job->size, in, sizeof(in));

		fn = OCXLPMEM_FN_FW_UPDATE_START;
		r = n < 0 ? (int)n : card_submit(dc, fn, in, (size_t)n, FW_OUT_CAP, &fc->done);
		break;
	}
	case PHASE_SEND:
		fn = OCXLPMEM_FN_FW_UPDATE_BLOCK;
		r = submit_block(dc);
		break;
	case PHASE_FINISH:
		fn = OCXLPMEM_FN_FW_UPDATE_FINISH;
		r = card_submit(dc, fn, NULL, 0, FW_OUT_CAP, &fc->done);
		break;
	default:
		return;
	}
	if (r < 0) {
		job_fail(dc, fn, r);
		job_step(dc);
	}
}

static void progress_notify(struct dcard *dc)
{
	struct fw_job *job = fw_card_of(dc)->job;
	uint64_t now = now_monotonic_ms();

	card_touch(dc);
	if (now - job->last_notify_ms < NOTIFY_INTERVAL_MS && job->sent != job->size)
		return;
	job->last_notify_ms = now;
	notify_watchers(dc, false);
}

/* Take the answer of the job's step and take the next. */
static void fw_step_done(struct fw_card *fc, struct dcard *dc, struct ocxlpmem_request *req)
{
	struct fw_job *job = fc->job;
	struct fw_report *rep;
	struct ocxlpmem_reply reply;
	struct ocxlpmem_firmware_info info;
	int r;

	/* No job: a request of one that ended with its card (stale). */
	if (!job)
		return;
	rep = &fc->report;
	r = card_reply_of(req, &reply);
	switch (rep->phase) {
	case PHASE_PRE_ABORT:
		if (r != 0) {
			job_fail(dc, req->function, r);
			break;
		}
		fc->needs_abort = false;
		rep->phase = PHASE_START;
		break;
	case PHASE_START:
		if (r != 0) {
			/* A refusal means nothing began; anything else leaves
			 * the card's state unknown: abort to be sure. */
			job->started = r < 0;
			job_fail(dc, req->function, r);
			break;
		}
		job->started = true;
		rep->phase = PHASE_SEND;
		break;
	case PHASE_SEND:
		if (r != 0) {
			job_fail(dc, req->function, r);
			break;
		}
		job->sent += job->block;
		job_progress_set(&rep->progress, job->sent);
		if (job->sent == job->size)
			rep->phase = PHASE_FINISH;
		progress_notify(dc);
		break;
	case PHASE_FINISH:
		if (r == 0 && (r = ocxlpmem_firmware_info_decode(reply.data, reply.data_len,
								  &info)) < 0)
			r = -EBADMSG;
		if (r != 0) {
			job_fail(dc, req->function, r);
			break;
		}
		/* The card staged the image: nothing of ours is open now. */
		job->started = false;
		dc->fw = info;
		dc->have_fw = true;
		snprintf(rep->staged_version, sizeof(rep->staged_version), "%s",
			 info.staged_version);
		job_end(dc, RESULT_SUCCEEDED);
		return;
	case PHASE_ABORT:
		if (r == 0) {
			job->started = false;
			fc->needs_abort = false;
		} else {
			fc->needs_abort = true;
			if (job->failed) {
				size_t len = strlen(rep->message);

				snprintf(rep->message + len, sizeof(rep->message) - len,
					 "; the card did not confirm dropping the partial image, "
					 "the next update will");
			} else {
				job_fail(dc, req->function, r);
			}
		}
		job_end(dc, job->failed ? RESULT_FAILED : RESULT_CANCELLED);
		return;
	}
	job_step(dc);
}

/* A FW_UPDATE_* request came back (fw_card.done). */
static void fw_request_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata)
{
	fw_step_done(userdata, dc, req);
	card_request_answered(dc, req->result);
}

int fwupdate_start(struct dcard *dc, const char *image_version, const char **ret_reason)
{
	struct fw_card *fc = fw_card_of(dc);
	struct fw_report *rep;
	struct fw_job *job;
	int r;

	if (!fc || !fc->pending || !fw_upload_complete(fc->pending->upload)) {
		*ret_reason = "the upload is not complete";
		return -EINVAL;
	}
	r = fwupdate_may_start(dc, fc->pending->force, ret_reason);
	if (r < 0)
		return r;
	job = calloc(1, sizeof(*job));
	if (!job) {
		*ret_reason = "out of memory";
		return -ENOMEM;
	}
	job->size = fc->pending->upload->size;
	job->image = fw_upload_take(fc->pending->upload);
	rep = &fc->report;
	*rep = (struct fw_report){ .result = RESULT_RUNNING, .forced = fc->pending->force };
	snprintf(rep->image_version, sizeof(rep->image_version), "%s",
		 image_version ? image_version : "");
	snprintf(rep->previous_version, sizeof(rep->previous_version), "%s",
		 dc->fw.running_version);
	job_progress_start(&rep->progress, job->size);
	/* A partial image of an update nobody ended (ours, before a crash or
	 * an unconfirmed abort) makes the card refuse START: drop it first. */
	rep->phase = fc->needs_abort || dc->fw.update_state == OCXLPMEM_FW_RECEIVING ?
			     PHASE_PRE_ABORT : PHASE_START;
	fc->have_report = true;
	log_notice("%s: firmware update to %s (%" PRIu32 " bytes) started by uid %u%s", dc->name,
		   image_version ? image_version : "an unnamed image", job->size,
		   (unsigned int)fc->pending->uid, fc->pending->force ? ", forced" : "");
	fwupdate_upload_drop(dc);
	fc->job = job;
	job_step(dc);
	return 0;
}

int fwupdate_cancel(struct dcard *dc, uid_t uid)
{
	struct fw_job *job = fw_job_of(dc);

	if (!job)
		return -ENOENT;
	if (!job->cancel) {
		job->cancel = true;
		job->cancel_uid = uid;
		log_notice("%s: firmware update cancel asked by uid %u", dc->name, (unsigned int)uid);
	}
	/* The request in flight comes back first; then ABORT goes. */
	return 0;
}

/* The card went away: end a running update (fw_ops.gone). */
static void fw_card_gone(struct dcard *dc, void *data)
{
	struct fw_card *fc = data;
	struct fw_job *job = fc->job;
	struct fw_report *rep;

	if (!job)
		return;
	rep = &fc->report;
	/* Its requests come back stale and are ignored.  A card that comes
	 * back has been reset, which drops a partial image; abort anyway. */
	fc->needs_abort = true;
	job->failed = true;
	rep->card_status = NULL;
	snprintf(rep->message, sizeof(rep->message),
		 "the card went away during the update (%s, %" PRIu32 " of %" PRIu32 " bytes sent)",
		 phase_names[rep->phase], job->sent, job->size);
	job_end_how(dc, RESULT_FAILED, true);
}

/* fw_ops.free */
static void fw_card_free(struct dcard *dc, void *data)
{
	struct fw_card *fc = data;

	if (fc->job) {
		free(fc->job->image);
		free(fc->job);
		fc->job = NULL;
	}
	fwupdate_upload_drop(dc);
	if (fc->idle_timer)
		event_free(fc->idle_timer);
	free(fc);
}

void fwupdate_counts(const struct dcard *dc, uint64_t *ret_succeeded, uint64_t *ret_failed,
		     uint64_t *ret_cancelled)
{
	const struct fw_card *fc = fw_card_of(dc);

	*ret_succeeded = fc ? fc->ended[RESULT_SUCCEEDED] : 0;
	*ret_failed = fc ? fc->ended[RESULT_FAILED] : 0;
	*ret_cancelled = fc ? fc->ended[RESULT_CANCELLED] : 0;
}
