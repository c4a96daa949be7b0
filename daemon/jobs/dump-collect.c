// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One controller-dump collection, as a state machine on the event loop
 * (see dump.h): DUMP_START, DUMP_DATA chunks through the executor with
 * the writer's thread putting them on disk, DUMP_COMPLETE once the file
 * is durable.  Card commands go through the executor, bytes to disk on
 * the writer's thread; nothing here waits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/event.h>

#include "jobs/dump.h"
#include "jobs/dump-private.h"
#include "util/log.h"
#include "core/card-private.h"

/* DUMP_DATA requests in flight: some being answered while the next wait
 * queued, so the card never idles while the loop handles a reply. */
#define INFLIGHT_MAX 4
/* Chunks handed to the writer and not yet written: back-pressure, so a
 * slow disk bounds memory at about this many chunks (1 MiB of 64 KiB
 * admin buffers).  The writer wakes the loop when its backlog falls to
 * BACKLOG_LOW, so the loop refills in batches instead of per chunk. */
#define BACKLOG_MAX 16
#define BACKLOG_LOW (BACKLOG_MAX / 2)
/* A chunk that fails its checks is asked again this often before the
 * collection gives up (and retries later from the start). */
#define CHUNK_RETRIES 3
/* Progress to observers at most this often. */
#define NOTIFY_INTERVAL_MS 200u
#define CHUNK_CAP (4u << 20)
/* Saved dumps with one id and size that a new dump is compared with: more
 * means a card that reused that id this often, and only the newest few
 * can still be held uncompleted. */
#define KNOWN_MAX 16

void dump_job_free(struct dump_job *j)
{
	if (!j)
		return;
	if (j->ev_writer)
		event_free(j->ev_writer);
	dump_writer_free(j->writer);
	free(j);
}

/*
 * Every DUMP_* request comes back exactly once (answered, timed out or
 * failed), in order: counting them lets a new job recognise the late
 * answers of a failed one, which share the card's dump_card.done.
 */
static int dump_submit(struct dcard *dc, unsigned int function, const void *in, size_t in_len,
		       size_t out_cap)
{
	struct dump_card *dd = dump_card_of(dc);
	int r = card_submit(dc, function, in, in_len, out_cap, &dd->done);

	if (r == 0)
		dd->outstanding++;
	return r;
}

void dump_job_end(struct dcard *dc)
{
	struct dump_job *j = dump_job_of(dc);

	dump_card_of(dc)->job = NULL;
	dump_job_free(j);
	card_touch(dc);
	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = OBSERVE_DUMP_FINISHED, .dc = dc,
	});
}

/* Give up on this attempt: nothing partial stays, the card keeps its dump. */
void dump_job_fail(struct dcard *dc, const char *fmt, ...)
{
	struct dump_job *j = dump_job_of(dc);
	struct dump_card *dd = dump_card_get(dc);
	char why[160];
	struct alert a;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* Removes the temporary: a partial dump is never visible. */
	j->writer = dump_writer_free(j->writer);
	if (dd) {
		dd->failures++;
		dd->failed++;
	}
	dump_set_result(dc, false, "failed: %s", why);
	card_alert_fill(dc, &a, "controller-dump-failed", LOG_WARNING, "entry");
	snprintf(a.message, sizeof(a.message), "collecting the controller dump failed: %s", why);
	alert_add_field(&a, "DUMP_ERROR", "%s", why);
	alert_add_field(&a, "DUMP_TRIGGER", "%s", j->trigger);
	if (j->info.dump_id)
		alert_add_field(&a, "DUMP_ID", "%" PRIu32, j->info.dump_id);
	card_alert_send(dc, &a);
	dump_schedule_retry(dc);
	dump_job_end(dc);
}

static void notify_progress(struct dcard *dc, bool force)
{
	struct dump_job *j = dump_job_of(dc);
	uint64_t now = now_monotonic_ms();

	if (!force && now - j->last_notify_ms < NOTIFY_INTERVAL_MS)
		return;
	j->last_notify_ms = now;
	card_touch(dc);
	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = OBSERVE_DUMP_PROGRESS, .dc = dc,
	});
}

static int submit_data(struct dcard *dc)
{
	struct dump_job *j = dump_job_of(dc);
	uint64_t left = j->info.total_size - j->next_offset;
	uint32_t ask = left < j->chunk_max ? (uint32_t)left : j->chunk_max;
	uint8_t in[16];
	ssize_t n;

	/* The card answers in multiples of 8; a ragged last chunk is asked
	 * rounded up and comes back at its true size. */
	ask = (ask + OCXLPMEM_DUMP_ALIGN - 1) / OCXLPMEM_DUMP_ALIGN * OCXLPMEM_DUMP_ALIGN;
	n = ocxlpmem_dump_data_req_encode(&(struct ocxlpmem_dump_data_req){
						  .dump_id = j->info.dump_id,
						  .offset = (uint32_t)j->next_offset,
						  .max_size = ask,
					  }, in, sizeof(in));
	if (n < 0)
		return (int)n;
	return dump_submit(dc, OCXLPMEM_FN_DUMP_DATA, in, (size_t)n,
			   sizeof(struct ocxlpmem_reply_hdr) + sizeof(struct ocxlpmem_dump_data_out) + ask);
}

/* What a user is told of a failed dump write. */
static const char *write_error_text(int r)
{
	return r == -ENOSPC ? "the disk under the state directory is full" :
	       r == -EDQUOT ? "the disk quota is exhausted" : strerror(-r);
}

static void fill_pipeline(struct dcard *dc)
{
	struct dump_job *j = dump_job_of(dc);
	int r;

	while (j->inflight < INFLIGHT_MAX && j->next_offset < j->info.total_size &&
	       dump_writer_backlog(j->writer) + j->inflight < BACKLOG_MAX) {
		uint64_t before = j->next_offset;

		r = submit_data(dc);
		if (r < 0) {
			dump_job_fail(dc, "cannot ask for dump data: %s", strerror(-r));
			return;
		}
		j->inflight++;
		j->next_offset = before + j->chunk_max;
		if (j->next_offset > j->info.total_size)
			j->next_offset = j->info.total_size;
	}
}

static void submit_complete(struct dcard *dc)
{
	struct dump_job *j = dump_job_of(dc);
	uint8_t in[8];
	ssize_t n = ocxlpmem_dump_complete_encode(j->info.dump_id, in, sizeof(in));
	int r = n < 0 ? (int)n : dump_submit(dc, OCXLPMEM_FN_DUMP_COMPLETE, in, (size_t)n, 64);

	j->phase = JOB_COMPLETING;
	if (r < 0) {
		/* Saved, but the card not told: it keeps the dump, and the
		 * next collection finds it saved and only completes it. */
		dump_set_result(dc, true, "saved %s; the card was not told yet (%s)", j->file, strerror(-r));
		dump_schedule_retry(dc);
		dump_job_end(dc);
	}
}

static void on_writer(evutil_socket_t fd, short what, void *userdata)
{
	struct dcard *dc = userdata;
	struct dump_job *j = dump_job_of(dc);
	uint64_t written;
	int r;

	(void)fd;
	(void)what;
	r = dump_writer_poll(j->writer, &written);
	job_progress_set(&j->progress, written);
	card_touch(dc);
	if (r == 1) {
		if (j->phase == JOB_READING)
			fill_pipeline(dc);
		if (dump_job_of(dc))
			notify_progress(dc, false);
		return;
	}
	if (r == -EEXIST) {
		/* The same bytes as a dump saved before a crash or a removal
		 * and never completed: it is saved; only tell the card. */
		const struct saved_dump *saved =
			dump_store_find_sha(dc->m->dumps, dc->serial, dump_writer_meta(j->writer)->sha256);

		j->writer = dump_writer_free(j->writer);
		event_free(j->ev_writer);
		j->ev_writer = NULL;
		if (!saved) {
			/* Deleted while we read it: collect it anew. */
			dump_job_fail(dc, "the saved copy of dump %" PRIu32 " went away during the collection",
				 j->info.dump_id);
			return;
		}
		log_notice("%s: dump %" PRIu32 " was saved already as %s; telling the card", dc->name,
			   j->info.dump_id, saved->file);
		snprintf(j->file, sizeof(j->file), "%s", saved->file);
		if (!dc->card) {
			dump_set_result(dc, true, "saved %s; the card will be told when it is back", j->file);
			dump_job_end(dc);
			return;
		}
		submit_complete(dc);
		return;
	}
	if (r < 0) {
		dump_job_fail(dc, "%s", write_error_text(r));
		return;
	}
	/* Saved: durable under its name.  Index it, then let the card go. */
	dump_store_add(dc->m->dumps, dump_writer_meta(j->writer), j->file);
	log_info("%s: dump %" PRIu32 " saved as dumps/%" PRIu64 "/%s", dc->name, j->info.dump_id,
		 dc->serial, j->file);
	j->writer = dump_writer_free(j->writer);
	event_free(j->ev_writer);
	j->ev_writer = NULL;
	if (!dc->card) {
		dump_set_result(dc, true, "saved %s; the card will be told when it is back", j->file);
		dump_job_end(dc);
		return;
	}
	submit_complete(dc);
}

static void saved_alert(struct dcard *dc, const struct saved_dump *d)
{
	struct alert a;

	card_alert_fill(dc, &a, "controller-dump-saved", LOG_NOTICE, "entry");
	snprintf(a.message, sizeof(a.message), "controller dump %" PRIu32 " saved as %s/dumps/%" PRIu64 "/%s",
		 d->meta.dump_id, dc->m->state_dir, d->meta.serial, d->file);
	alert_add_field(&a, "DUMP_FILE", "%s/dumps/%" PRIu64 "/%s", dc->m->state_dir,
			d->meta.serial, d->file);
	alert_add_field(&a, "DUMP_SIZE", "%" PRIu64, d->meta.size);
	alert_add_field(&a, "DUMP_SHA256", "%s", d->meta.sha256);
	alert_add_field(&a, "DUMP_ID", "%" PRIu32, d->meta.dump_id);
	alert_add_field(&a, "DUMP_TRIGGER", "%s", d->meta.trigger);
	card_alert_send(dc, &a);
}

/*
 * The file name for the job's dump: one no saved dump has.  Names carry
 * the second and the id, and a card that reuses ids can make two dumps
 * with one id in one second: the later name moves on a second, so that
 * the rename never replaces a saved dump.
 */
static int unused_file_name(struct dcard *dc, char *buf, size_t cap)
{
	struct dump_job *j = dump_job_of(dc);
	int r;

	for (unsigned int i = 0; i < 3600; i++) {
		r = dump_file_name(dc->serial, j->started_usec + i * UINT64_C(1000000),
				   j->info.dump_id, buf, cap);
		if (r < 0 || !dump_store_find_file(dc->m->dumps, dc->serial, buf))
			return r;
	}
	return -EEXIST;
}

static void got_start(struct dcard *dc, const struct ocxlpmem_reply *reply)
{
	struct dump_job *j = dump_job_of(dc);
	char known[KNOWN_MAX][65];
	size_t nknown;
	int r;

	r = ocxlpmem_dump_info_decode(reply->data, reply->data_len, &j->info);
	if (r < 0) {
		dump_job_fail(dc, "the card's DUMP_START reply is malformed (%s)", strerror(-r));
		return;
	}
	if (j->info.origin == OCXLPMEM_DUMP_NONE || j->info.total_size == 0) {
		dump_set_result(dc, true, "the card holds no dump");
		dump_job_end(dc);
		return;
	}
	/*
	 * A saved dump with this id and size is either this one, saved before
	 * a crash or a removal and never completed, or an older one whose id
	 * the card hands out again.  Only the bytes tell: read it, and the
	 * writer drops it if it hashes like one saved (then it is only
	 * completed).  The second read costs little next to losing a dump.
	 */
	nknown = dump_store_candidates(dc->m->dumps, dc->serial, j->info.dump_id, j->info.total_size,
				  known, KNOWN_MAX);
	if (nknown)
		log_info("%s: dump %" PRIu32 " has the id and size of %zu saved; reading it to compare",
			 dc->name, j->info.dump_id, nknown);
	if (nknown > KNOWN_MAX)
		nknown = KNOWN_MAX;
	j->started_usec = now_realtime_us();
	r = unused_file_name(dc, j->file, sizeof(j->file));
	if (r == 0)
		r = dump_writer_new(dc->m->state_dirfd, dc->serial, j->file, j->info.total_size, BACKLOG_LOW,
				    &j->writer);
	if (r == 0 && nknown)
		r = dump_writer_set_known(j->writer, (const char (*)[65])known, nknown);
	if (r < 0) {
		dump_job_fail(dc, "cannot create the dump file: %s", write_error_text(r));
		return;
	}
	j->ev_writer = event_new(dc->m->base, dump_writer_fd(j->writer), EV_READ | EV_PERSIST,
				 on_writer, dc);
	if (!j->ev_writer || event_add(j->ev_writer, NULL) < 0) {
		dump_job_fail(dc, "out of memory");
		return;
	}
	log_info("%s: collecting %s-initiated dump %" PRIu32 " (%" PRIu32 " bytes, trigger %s)",
		 dc->name, j->info.origin == OCXLPMEM_DUMP_CARD ? "card" : "host", j->info.dump_id,
		 j->info.total_size, j->trigger);
	j->phase = JOB_READING;
	job_progress_start(&j->progress, j->info.total_size);
	notify_progress(dc, true);
	fill_pipeline(dc);
}

static void finish_reading(struct dcard *dc)
{
	struct dump_job *j = dump_job_of(dc);
	struct dump_meta meta = { 0 };

	meta.serial = dc->serial;
	snprintf(meta.card_name, sizeof(meta.card_name), "%s", dc->name);
	snprintf(meta.firmware_version, sizeof(meta.firmware_version), "%s",
		 dc->have_caps ? dc->caps.fw_version : ocxlpmem_card_fw_version_hint(dc->card));
	meta.dump_id = j->info.dump_id;
	snprintf(meta.origin, sizeof(meta.origin), "%s",
		 j->info.origin == OCXLPMEM_DUMP_CARD ? "card" : "host");
	snprintf(meta.trigger, sizeof(meta.trigger), "%s", j->trigger);
	meta.requested_usec = j->requested_usec;
	meta.started_usec = j->started_usec;
	meta.finished_usec = now_realtime_us();
	j->phase = JOB_SAVING;
	dump_writer_finish(j->writer, &meta);
}

/* A chunk that failed its checks: ask again from the last good byte. */
static void bad_chunk(struct dcard *dc, const char *why)
{
	struct dump_job *j = dump_job_of(dc);

	if (++j->bad_chunks > CHUNK_RETRIES) {
		dump_job_fail(dc, "chunk at offset %" PRIu64 " failed %u times: %s", j->received,
			 j->bad_chunks, why);
		return;
	}
	log_warning("%s: dump %" PRIu32 ": chunk at offset %" PRIu64 " %s; asking again", dc->name,
		    j->info.dump_id, j->received, why);
	/* Chunks already asked beyond it come back at offsets we no longer
	 * expect and are dropped. */
	j->next_offset = j->received;
	fill_pipeline(dc);
}

static void got_data(struct dcard *dc, struct ocxlpmem_request *req,
		     const struct ocxlpmem_reply *reply)
{
	struct dump_job *j = dump_job_of(dc);
	struct ocxlpmem_dump_chunk c;
	uint64_t expect;
	int r;

	r = ocxlpmem_dump_chunk_decode(reply->data, reply->data_len, &c);
	if (r < 0) {
		bad_chunk(dc, "is malformed");
		return;
	}
	if (c.dump_id != j->info.dump_id || c.total_size != j->info.total_size) {
		/* The card made another dump under us (a reset): start again. */
		dump_job_fail(dc, "the card's dump changed during collection (id %" PRIu32 ", now %" PRIu32 ")",
			 j->info.dump_id, c.dump_id);
		return;
	}
	if (c.offset != j->received) {
		if (c.offset > j->received)
			return; /* asked before a short or bad chunk: asked again since */
		bad_chunk(dc, "came back for an offset already read");
		return;
	}
	expect = j->info.total_size - j->received;
	if (expect > j->chunk_max)
		expect = j->chunk_max;
	if (c.chunk_size == 0) {
		bad_chunk(dc, "is empty before the end of the dump");
		return;
	}
	j->bad_chunks = 0;
	/* The reply buffer goes to the writer as it is: no copy. */
	r = dump_writer_queue(j->writer, req->out, c.data, c.chunk_size);
	req->out = NULL;
	if (r < 0) {
		/* The writer failed already (it wakes the loop only at low
		 * water or its end, so a chunk handed over may be first to
		 * hear of it): the same words either way. */
		dump_job_fail(dc, "%s", write_error_text(r));
		return;
	}
	j->received += c.chunk_size;
	if (c.chunk_size < expect)
		j->next_offset = j->received; /* short: continue from here */
	if (j->received == j->info.total_size) {
		finish_reading(dc);
		return;
	}
	fill_pipeline(dc);
}

static void got_complete(struct dcard *dc, int r)
{
	struct dump_job *j = dump_job_of(dc);
	struct dump_card *dd = dump_card_get(dc);
	const struct saved_dump *d;

	if (r != 0) {
		dump_set_result(dc, true, "saved %s; the card did not take DUMP_COMPLETE (%s)", j->file,
			   r > 0 ? ocxlpmem_card_status_message((unsigned int)r, OCXLPMEM_FN_DUMP_COMPLETE) :
				   strerror(-r));
		log_warning("%s: dump %" PRIu32 " saved, but %s", dc->name, j->info.dump_id,
			    dd ? dd->last_result : "DUMP_COMPLETE failed");
		dump_schedule_retry(dc);
		dump_job_end(dc);
		return;
	}
	d = dump_store_find_file(dc->m->dumps, dc->serial, j->file);
	if (d)
		saved_alert(dc, d);
	if (dd) {
		dd->failures = 0;
		dd->saved++;
		dd->backoff = false;
		dd->retry_at_usec = 0;
		if (dd->retry_timer)
			evtimer_del(dd->retry_timer);
	}
	dump_set_result(dc, true, "saved %s", j->file);
	/* The card no longer holds it: the event bit is stale until re-read. */
	dc->events &= ~(uint64_t)OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE;
	dump_job_end(dc);
	dump_store_retention(dc->m);
}

/* Take a DUMP_* answer. */
static void take_answer(struct dump_card *dd, struct dcard *dc, struct ocxlpmem_request *req)
{
	struct dump_job *j = dd->job;
	struct ocxlpmem_reply reply;
	int r;

	if (dd->outstanding)
		dd->outstanding--;
	if (!j)
		return;
	if (j->skip) {
		j->skip--; /* an answer to a job that ended already */
		return;
	}
	r = card_reply_of(req, &reply);
	switch (req->function) {
	case OCXLPMEM_FN_DUMP_START:
		if (j->phase != JOB_STARTING)
			return;
		if (r != 0) {
			dump_job_fail(dc, "DUMP_START: %s", r > 0 ?
				 ocxlpmem_card_status_message((unsigned int)r, OCXLPMEM_FN_DUMP_START) :
				 strerror(-r));
			return;
		}
		got_start(dc, &reply);
		return;
	case OCXLPMEM_FN_DUMP_DATA:
		if (j->phase != JOB_READING)
			return;
		j->inflight--;
		if (r < 0 && r != -EMSGSIZE && r != -EBADMSG) {
			/* Timed out, hung, gone: the card is not answering. */
			dump_job_fail(dc, "DUMP_DATA at offset %" PRIu64 ": %s", j->received,
				 r == -ETIMEDOUT ? "the card did not answer in time" :
				 r == -EBUSY ? "the card is hung on an earlier command" :
				 r == -ENXIO ? "the card was removed" : strerror(-r));
			return;
		}
		if (r > 0) {
			dump_job_fail(dc, "DUMP_DATA at offset %" PRIu64 ": %s", j->received,
				 ocxlpmem_card_status_message((unsigned int)r, OCXLPMEM_FN_DUMP_DATA));
			return;
		}
		if (r < 0) {
			bad_chunk(dc, r == -EMSGSIZE ? "was longer than asked" : "is malformed");
			return;
		}
		got_data(dc, req, &reply);
		return;
	case OCXLPMEM_FN_DUMP_COMPLETE:
		if (j->phase == JOB_COMPLETING)
			got_complete(dc, r);
		return;
	default:
		return;
	}
}

void dump_request_done(struct dcard *dc, struct ocxlpmem_request *req, void *userdata)
{
	take_answer(userdata, dc, req);
	card_request_answered(dc, req->result);
}

int dump_job_start(struct dcard *dc, const char *trigger)
{
	struct dump_card *dd;
	struct dump_job *j;
	int r;

	if (dump_job_of(dc))
		return -EBUSY;
	if (!dc->card)
		return -ENXIO;
	if (!card_has_functions(dc, DUMP_FUNCTIONS))
		return -EOPNOTSUPP;
	dd = dump_card_get(dc);
	if (!dd)
		return -ENOMEM;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->dc = dc;
	j->phase = JOB_STARTING;
	snprintf(j->trigger, sizeof(j->trigger), "%s", trigger);
	j->requested_usec = now_realtime_us();
	j->chunk_max = dc->have_caps && dc->caps.admin_buffer_size ? dc->caps.admin_buffer_size :
								       64u << 10;
	if (j->chunk_max > CHUNK_CAP)
		j->chunk_max = CHUNK_CAP;
	j->chunk_max = j->chunk_max / OCXLPMEM_DUMP_ALIGN * OCXLPMEM_DUMP_ALIGN;
	if (!j->chunk_max)
		j->chunk_max = OCXLPMEM_DUMP_ALIGN;
	dd->job = j;
	j->skip = dd->outstanding;
	r = dump_submit(dc, OCXLPMEM_FN_DUMP_START, NULL, 0, 64);
	if (r < 0) {
		dd->job = NULL;
		free(j);
		return r;
	}
	card_touch(dc);
	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = OBSERVE_DUMP_PROGRESS, .dc = dc,
	});
	return 0;
}
