// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The jobs as JSON (see job-json.h): the jobs (daemon/jobs/) fill report
 * structures and know no JSON; this is their one serialiser.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "core/manager.h"
#include "jobs/dump.h"
#include "jobs/firmware-update.h"
#include "varlink/job-json.h"

struct json_object *job_progress_json(const struct job_progress *p)
{
	struct json_object *o = json_object_new_object();
	uint64_t eta = job_progress_eta_us(p);

	json_object_object_add(o, "done", json_object_new_int64((int64_t)p->done));
	json_object_object_add(o, "total", json_object_new_int64((int64_t)p->total));
	json_object_object_add(o, "rate_bps", json_object_new_int64((int64_t)job_progress_rate(p)));
	json_object_object_add(o, "started_usec", json_object_new_int64((int64_t)p->started_us));
	json_object_object_add(o, "eta_usec", eta ? json_object_new_int64((int64_t)eta) : NULL);
	return o;
}

struct json_object *dump_saved_json(const struct manager *m, const struct saved_dump *d)
{
	struct json_object *o = json_object_new_object();
	char serial[24], path[PATH_MAX];

	snprintf(serial, sizeof(serial), "%" PRIu64, d->meta.serial);
	snprintf(path, sizeof(path), "%s/dumps/%s/%s", m->state_dir, serial, d->file);
	json_object_object_add(o, "file", json_object_new_string(d->file));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "serial", json_object_new_string(serial));
	json_object_object_add(o, "card", json_object_new_string(d->meta.card_name));
	json_object_object_add(o, "dump_id", json_object_new_int64(d->meta.dump_id));
	json_object_object_add(o, "origin", json_object_new_string(d->meta.origin));
	json_object_object_add(o, "trigger", json_object_new_string(d->meta.trigger));
	json_object_object_add(o, "firmware_version",
			       json_object_new_string(d->meta.firmware_version));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)d->meta.size));
	json_object_object_add(o, "sha256", json_object_new_string(d->meta.sha256));
	json_object_object_add(o, "requested_usec", json_object_new_int64((int64_t)d->meta.requested_usec));
	json_object_object_add(o, "started_usec", json_object_new_int64((int64_t)d->meta.started_usec));
	json_object_object_add(o, "finished_usec", json_object_new_int64((int64_t)d->meta.finished_usec));
	return o;
}

struct json_object *dump_card_json(const struct dcard *dc)
{
	struct json_object *o = json_object_new_object(), *job = NULL;
	struct dump_card_report rep;

	dump_card_report(dc, &rep);
	json_object_object_add(o, "card", json_object_new_string(card_name(dc)));
	if (rep.phase) {
		job = json_object_new_object();
		json_object_object_add(job, "phase", json_object_new_string(rep.phase));
		json_object_object_add(job, "trigger", json_object_new_string(rep.trigger));
		json_object_object_add(job, "dump_id", rep.dump_id ?
				       json_object_new_int64(rep.dump_id) : NULL);
		json_object_object_add(job, "requested_usec", json_object_new_int64((int64_t)rep.requested_usec));
		json_object_object_add(job, "progress", rep.progress ?
				       job_progress_json(rep.progress) : NULL);
		json_object_object_add(job, "file", rep.file[0] ? json_object_new_string(rep.file) : NULL);
	}
	json_object_object_add(o, "job", job);
	json_object_object_add(o, "last_result", rep.last_result ?
			       json_object_new_string(rep.last_result) : NULL);
	json_object_object_add(o, "last_ok", rep.last_result ?
			       json_object_new_boolean(rep.last_ok) : NULL);
	json_object_object_add(o, "last_result_usec", rep.last_result ?
			       json_object_new_int64((int64_t)rep.last_result_usec) : NULL);
	json_object_object_add(o, "retry_at_usec", rep.retry_at_usec ?
			       json_object_new_int64((int64_t)rep.retry_at_usec) : NULL);
	json_object_object_add(o, "saved", json_object_new_int64((int64_t)rep.saved));
	json_object_object_add(o, "failed", json_object_new_int64((int64_t)rep.failed));
	return o;
}

static struct json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

struct json_object *fwupdate_json(const struct dcard *dc)
{
	const struct fw_report *rep = fwupdate_report(dc);
	struct json_object *o;

	if (!rep)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(fwupdate_result_name(rep->result)));
	json_object_object_add(o, "phase", rep->result == RESULT_RUNNING ?
				   json_object_new_string(fwupdate_phase_name(rep->phase)) : NULL);
	json_object_object_add(o, "progress", job_progress_json(&rep->progress));
	json_object_object_add(o, "image_version", str_or_null(rep->image_version));
	json_object_object_add(o, "image_size", json_object_new_int64((int64_t)rep->progress.total));
	json_object_object_add(o, "previous_version", str_or_null(rep->previous_version));
	json_object_object_add(o, "forced", json_object_new_boolean(rep->forced));
	json_object_object_add(o, "started_usec",
			       json_object_new_int64((int64_t)rep->progress.started_us));
	json_object_object_add(o, "finished_usec", rep->finished_us ?
				   json_object_new_int64((int64_t)rep->finished_us) : NULL);
	json_object_object_add(o, "message", str_or_null(rep->message));
	json_object_object_add(o, "card_status", str_or_null(rep->card_status));
	json_object_object_add(o, "staged_version", str_or_null(rep->staged_version));
	return o;
}
