// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Controller-dump collection jobs (see dump.h).  Everything here runs on
 * the event loop: card commands go through the executor, bytes go to disk
 * on the writer's thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "jobs/dump.h"
#include "util/log.h"
#include "core/manager.h"

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
/* Progress to watchers at most this often. */
#define NOTIFY_INTERVAL_MS 200u
#define RETRY_MAX_S 3600u
#define CHUNK_CAP (4u << 20)
/* Saved dumps with one id and size that a new dump is compared with: more
 * means a card that reused that id this often, and only the newest few
 * can still be held uncompleted. */
#define KNOWN_MAX 16

enum job_phase {
	JOB_STARTING,    /* DUMP_START asked */
	JOB_READING,     /* DUMP_DATA chunks */
	JOB_SAVING,      /* the writer makes the file durable */
	JOB_COMPLETING,  /* DUMP_COMPLETE asked */
};

struct dump_job {
	struct dcard *dc;
	enum job_phase phase;
	char trigger[16];
	uint64_t requested_usec, started_usec;
	struct ocxlpmem_dump_info info;
	uint32_t chunk_max;
	uint64_t next_offset;      /* next byte to ask for */
	uint64_t received;         /* bytes accepted, in order */
	unsigned int inflight;
	unsigned int bad_chunks;   /* consecutive chunks that failed their checks */
	unsigned int skip;         /* completions of an earlier job still to come */
	char file[DUMP_FILE_NAME_MAX];
	struct dump_writer *writer;
	struct event *ev_writer;
	struct job_progress progress;
	uint64_t last_notify_ms;    /* CLOCK_MONOTONIC: a rate limit, not a date */
};

static const char *const phase_names[] = {
	[JOB_STARTING] = "starting",
	[JOB_READING] = "reading",
	[JOB_SAVING] = "saving",
	[JOB_COMPLETING] = "completing",
};

static struct dump_card *card_dumps(struct dcard *dc)
{
	if (!dc->dumps)
		dc->dumps = calloc(1, sizeof(*dc->dumps));
	return dc->dumps;
}

/* ---- The store ------------------------------------------------------------ */

static int saved_cmp(const void *a, const void *b)
{
	const struct saved_dump *x = a, *y = b;

	if (x->meta.finished_usec != y->meta.finished_usec)
		return x->meta.finished_usec < y->meta.finished_usec ? -1 : 1;
	return strcmp(x->file, y->file);
}

static int store_add(struct dump_store *s, const struct dump_meta *meta, const char *file)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct saved_dump *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].meta = *meta;
	snprintf(s->v[s->n].file, sizeof(s->v[s->n].file), "%s", file);
	s->n++;
	s->gen++;
	qsort(s->v, s->n, sizeof(*s->v), saved_cmp);
	return 0;
}

static void store_remove_at(struct dump_store *s, size_t i)
{
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
	s->gen++;
}

/*
 * The saved dumps a card's dump may be, by what DUMP_START says of it: the
 * same id and size.  Not proof: a card that lost its volatile state hands
 * out old dump ids again (ocxlpmem-abi(7), DECISIONS).  The digests of the
 * newest max go to ret; returns how many matched.
 */
static size_t store_candidates(const struct dump_store *s, uint64_t serial, uint32_t dump_id,
			       uint64_t size, char (*ret)[65], size_t max)
{
	size_t n = 0;

	/* Newest first: the one a crash left uncompleted is the newest. */
	for (size_t i = s->n; i-- > 0;) {
		const struct dump_meta *m = &s->v[i].meta;

		if (m->serial != serial || m->dump_id != dump_id || m->size != size)
			continue;
		if (n < max)
			memcpy(ret[n], m->sha256, sizeof(ret[n]));
		n++;
	}
	return n;
}

static const struct saved_dump *store_find_sha(const struct dump_store *s, uint64_t serial,
					       const char *sha256)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].meta.serial == serial && strcmp(s->v[i].meta.sha256, sha256) == 0)
			return &s->v[i];
	return NULL;
}

static const struct saved_dump *store_find_file(const struct dump_store *s, uint64_t serial,
						const char *file)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].meta.serial == serial && strcmp(s->v[i].file, file) == 0)
			return &s->v[i];
	return NULL;
}

static int unlink_saved(struct manager *m, const struct saved_dump *d)
{
	char path[64 + DUMP_FILE_NAME_MAX];

	snprintf(path, sizeof(path), "dumps/%" PRIu64 "/%s", d->meta.serial, d->file);
	if (unlinkat(m->state_dirfd, path, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Is d the newest dump of its card?  Retention never removes that one. */
static bool newest_of_card(const struct dump_store *s, size_t i)
{
	for (size_t j = i + 1; j < s->n; j++)
		if (s->v[j].meta.serial == s->v[i].meta.serial)
			return false;
	return true;
}

static void retention_remove(struct manager *m, size_t i, const char *why)
{
	struct dump_store *s = m->dumps;
	int r = unlink_saved(m, &s->v[i]);

	if (r < 0) {
		log_errno(LOG_WARNING, r, "cannot remove dump %s", s->v[i].file);
		return;
	}
	log_notice("removed dump %s of serial %" PRIu64 " (%s)", s->v[i].file, s->v[i].meta.serial,
		   why);
	store_remove_at(s, i);
}

/* Oldest first, never a card's newest: per card by count and bytes, then
 * all cards by bytes. */
static void apply_retention(struct manager *m)
{
	struct dump_store *s = m->dumps;
	const struct config *c = m->config;
	bool again = true;

	while (again) {
		again = false;
		for (size_t i = 0; i < s->n && !again; i++) {
			uint64_t serial = s->v[i].meta.serial, bytes = 0;
			unsigned int count = 0;

			for (size_t j = 0; j < s->n; j++)
				if (s->v[j].meta.serial == serial) {
					count++;
					bytes += s->v[j].meta.size;
				}
			if (newest_of_card(s, i))
				continue;
			if (count > c->dump_max_per_card) {
				retention_remove(m, i, "more than max_per_card");
				again = true;
			} else if (bytes > c->dump_max_bytes_per_card) {
				retention_remove(m, i, "more than max_bytes_per_card");
				again = true;
			}
		}
	}
	for (;;) {
		uint64_t total = 0;
		size_t i;

		for (i = 0; i < s->n; i++)
			total += s->v[i].meta.size;
		if (total <= c->dump_max_bytes_total)
			break;
		for (i = 0; i < s->n && newest_of_card(s, i); i++)
			;
		if (i == s->n)
			break; /* only newest dumps left: those stay */
		retention_remove(m, i, "more than max_bytes_total");
	}
}

/* Index one card's directory; remove temporaries a crash left. */
static void load_card_dir(struct manager *m, int dir_fd, const char *serial_name)
{
	DIR *d = fdopendir(dir_fd);
	struct dirent *de;

	if (!d) {
		close(dir_fd);
		return;
	}
	while ((de = readdir(d))) {
		struct dump_meta meta;
		uint8_t hdr[DUMP_FILE_HEADER_SIZE];
		size_t n = strlen(de->d_name);
		struct stat st;
		ssize_t got;
		int fd, r;

		if (de->d_name[0] == '.' && n > 4 && strcmp(de->d_name + n - 4, ".tmp") == 0) {
			/* A collection the daemon did not finish: the card still
			 * holds that dump (it is completed only after the rename). */
			if (unlinkat(dirfd(d), de->d_name, 0) == 0)
				log_notice("dumps/%s: removed %s, left by an unfinished collection",
					   serial_name, de->d_name);
			continue;
		}
		if (!dump_file_name_valid(de->d_name))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		got = pread(fd, hdr, sizeof(hdr), 0);
		r = got < 0 ? -errno : dump_header_parse(hdr, (size_t)got, &meta);
		if (r == 0 && (fstat(fd, &st) < 0 ||
			       (uint64_t)st.st_size != DUMP_FILE_HEADER_SIZE + meta.size))
			r = -EBADMSG;
		close(fd);
		if (r < 0) {
			log_warning("dumps/%s/%s: %s; left alone, not listed", serial_name, de->d_name,
				    r == -EPROTONOSUPPORT ? "written by a newer ocxlpmemd" :
				    r == -EBADMSG ? "not a complete dump file" : strerror(-r));
			continue;
		}
		if (store_add(m->dumps, &meta, de->d_name) < 0)
			break;
	}
	closedir(d);
}

int dump_store_load(struct manager *m)
{
	DIR *d;
	struct dirent *de;
	int fd;

	m->dumps = calloc(1, sizeof(*m->dumps));
	if (!m->dumps)
		return -ENOMEM;
	fd = openat(m->state_dirfd, "dumps", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		int cfd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (cfd >= 0)
			load_card_dir(m, cfd, de->d_name);
	}
	closedir(d);
	log_debug("%zu saved dump%s", m->dumps->n, m->dumps->n == 1 ? "" : "s");
	return 0;
}

void dump_store_free(struct manager *m)
{
	if (!m->dumps)
		return;
	free(m->dumps->v);
	free(m->dumps);
	m->dumps = NULL;
}

int dump_delete(struct manager *m, uint64_t serial, const char *file)
{
	struct dump_store *s = m->dumps;
	int r;

	if (!dump_file_name_valid(file))
		return -EINVAL;
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].file, file) != 0 || (serial && s->v[i].meta.serial != serial))
			continue;
		r = unlink_saved(m, &s->v[i]);
		if (r < 0)
			return r;
		store_remove_at(s, i);
		m->state_gen++;
		return 0;
	}
	return -ENOENT;
}

/* ---- Jobs ------------------------------------------------------------------ */

static void job_free(struct dump_job *j)
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
 * answers of a failed one, which share the card's TAG_DUMP context.
 */
static int dump_submit(struct dcard *dc, unsigned int function, const void *in, size_t in_len,
		       size_t out_cap)
{
	int r = card_submit(dc, function, in, in_len, out_cap, TAG_DUMP);

	if (r == 0)
		dc->dumps->outstanding++;
	return r;
}

static void set_result(struct dcard *dc, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_result(struct dcard *dc, bool ok, const char *fmt, ...)
{
	struct dump_card *dd = card_dumps(dc);
	va_list ap;

	if (!dd)
		return;
	va_start(ap, fmt);
	vsnprintf(dd->last_result, sizeof(dd->last_result), fmt, ap);
	va_end(ap);
	dd->last_ok = ok;
	dd->last_result_usec = now_realtime_us();
}

static void on_retry(evutil_socket_t fd, short what, void *userdata)
{
	struct dcard *dc = userdata;
	int r;

	(void)fd;
	(void)what;
	dc->dumps->backoff = false;
	dc->dumps->retry_at_usec = 0;
	/* Ask whether the card still holds a dump rather than DUMP_START
	 * blindly: that would make a new host dump of a card that has none. */
	r = card_submit(dc, OCXLPMEM_FN_EVENT_CHECK, NULL, 0, 64, TAG_EVENT);
	/* A card without EVENT_CHECK says it with its event source instead. */
	if (r < 0 && r != -ENXIO && r != -EOPNOTSUPP)
		log_errno(LOG_WARNING, r, "%s: cannot ask whether the card still holds a dump",
			  dc->name);
}

static void schedule_retry(struct dcard *dc)
{
	struct dump_card *dd = card_dumps(dc);
	uint64_t delay = dc->m->config->dump_retry_s;
	struct timeval tv;

	if (!dd)
		return;
	for (unsigned int i = 1; i < dd->failures && delay < RETRY_MAX_S; i++)
		delay *= 2;
	if (delay > RETRY_MAX_S)
		delay = RETRY_MAX_S;
	if (!dd->retry_timer)
		dd->retry_timer = evtimer_new(dc->m->base, on_retry, dc);
	if (!dd->retry_timer)
		return;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = 0;
	evtimer_add(dd->retry_timer, &tv);
	dd->backoff = true;
	dd->retry_at_usec = now_realtime_us() + delay * 1000000u;
}

static void job_end(struct dcard *dc)
{
	struct dump_job *j = dc->dump;

	dc->dump = NULL;
	job_free(j);
	card_touch(dc);
	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = OBSERVE_DUMP_FINISHED, .dc = dc,
	});
}

/* Give up on this attempt: nothing partial stays, the card keeps its dump. */
static void job_fail(struct dcard *dc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void job_fail(struct dcard *dc, const char *fmt, ...)
{
	struct dump_job *j = dc->dump;
	struct dump_card *dd = card_dumps(dc);
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
	set_result(dc, false, "failed: %s", why);
	card_alert_fill(dc, &a, "controller-dump-failed", LOG_WARNING, "entry");
	snprintf(a.message, sizeof(a.message), "collecting the controller dump failed: %s", why);
	alert_add_field(&a, "DUMP_ERROR", "%s", why);
	alert_add_field(&a, "DUMP_TRIGGER", "%s", j->trigger);
	if (j->info.dump_id)
		alert_add_field(&a, "DUMP_ID", "%" PRIu32, j->info.dump_id);
	card_alert_send(dc, &a);
	schedule_retry(dc);
	job_end(dc);
}

static void notify_progress(struct dcard *dc, bool force)
{
	struct dump_job *j = dc->dump;
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
	struct dump_job *j = dc->dump;
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
	struct dump_job *j = dc->dump;
	int r;

	while (j->inflight < INFLIGHT_MAX && j->next_offset < j->info.total_size &&
	       dump_writer_backlog(j->writer) + j->inflight < BACKLOG_MAX) {
		uint64_t before = j->next_offset;

		r = submit_data(dc);
		if (r < 0) {
			job_fail(dc, "cannot ask for dump data: %s", strerror(-r));
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
	struct dump_job *j = dc->dump;
	uint8_t in[8];
	ssize_t n = ocxlpmem_dump_complete_encode(j->info.dump_id, in, sizeof(in));
	int r = n < 0 ? (int)n : dump_submit(dc, OCXLPMEM_FN_DUMP_COMPLETE, in, (size_t)n, 64);

	j->phase = JOB_COMPLETING;
	if (r < 0) {
		/* Saved, but the card not told: it keeps the dump, and the
		 * next collection finds it saved and only completes it. */
		set_result(dc, true, "saved %s; the card was not told yet (%s)", j->file, strerror(-r));
		schedule_retry(dc);
		job_end(dc);
	}
}

static void on_writer(evutil_socket_t fd, short what, void *userdata)
{
	struct dcard *dc = userdata;
	struct dump_job *j = dc->dump;
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
		if (dc->dump)
			notify_progress(dc, false);
		return;
	}
	if (r == -EEXIST) {
		/* The same bytes as a dump saved before a crash or a removal
		 * and never completed: it is saved; only tell the card. */
		const struct saved_dump *saved =
			store_find_sha(dc->m->dumps, dc->serial, dump_writer_meta(j->writer)->sha256);

		j->writer = dump_writer_free(j->writer);
		event_free(j->ev_writer);
		j->ev_writer = NULL;
		if (!saved) {
			/* Deleted while we read it: collect it anew. */
			job_fail(dc, "the saved copy of dump %" PRIu32 " went away during the collection",
				 j->info.dump_id);
			return;
		}
		log_notice("%s: dump %" PRIu32 " was saved already as %s; telling the card", dc->name,
			   j->info.dump_id, saved->file);
		snprintf(j->file, sizeof(j->file), "%s", saved->file);
		if (!dc->card) {
			set_result(dc, true, "saved %s; the card will be told when it is back", j->file);
			job_end(dc);
			return;
		}
		submit_complete(dc);
		return;
	}
	if (r < 0) {
		job_fail(dc, "%s", write_error_text(r));
		return;
	}
	/* Saved: durable under its name.  Index it, then let the card go. */
	store_add(dc->m->dumps, dump_writer_meta(j->writer), j->file);
	log_info("%s: dump %" PRIu32 " saved as dumps/%" PRIu64 "/%s", dc->name, j->info.dump_id,
		 dc->serial, j->file);
	j->writer = dump_writer_free(j->writer);
	event_free(j->ev_writer);
	j->ev_writer = NULL;
	if (!dc->card) {
		set_result(dc, true, "saved %s; the card will be told when it is back", j->file);
		job_end(dc);
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
	struct dump_job *j = dc->dump;
	int r;

	for (unsigned int i = 0; i < 3600; i++) {
		r = dump_file_name(dc->serial, j->started_usec + i * UINT64_C(1000000),
				   j->info.dump_id, buf, cap);
		if (r < 0 || !store_find_file(dc->m->dumps, dc->serial, buf))
			return r;
	}
	return -EEXIST;
}

static void got_start(struct dcard *dc, const struct ocxlpmem_reply *reply)
{
	struct dump_job *j = dc->dump;
	char known[KNOWN_MAX][65];
	size_t nknown;
	int r;

	r = ocxlpmem_dump_info_decode(reply->data, reply->data_len, &j->info);
	if (r < 0) {
		job_fail(dc, "the card's DUMP_START reply is malformed (%s)", strerror(-r));
		return;
	}
	if (j->info.origin == OCXLPMEM_DUMP_NONE || j->info.total_size == 0) {
		set_result(dc, true, "the card holds no dump");
		job_end(dc);
		return;
	}
	/*
	 * A saved dump with this id and size is either this one, saved before
	 * a crash or a removal and never completed, or an older one whose id
	 * the card hands out again.  Only the bytes tell: read it, and the
	 * writer drops it if it hashes like one saved (then it is only
	 * completed).  The second read costs little next to losing a dump.
	 */
	nknown = store_candidates(dc->m->dumps, dc->serial, j->info.dump_id, j->info.total_size,
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
		job_fail(dc, "cannot create the dump file: %s", write_error_text(r));
		return;
	}
	j->ev_writer = event_new(dc->m->base, dump_writer_fd(j->writer), EV_READ | EV_PERSIST,
				 on_writer, dc);
	if (!j->ev_writer || event_add(j->ev_writer, NULL) < 0) {
		job_fail(dc, "out of memory");
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
	struct dump_job *j = dc->dump;
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
	struct dump_job *j = dc->dump;

	if (++j->bad_chunks > CHUNK_RETRIES) {
		job_fail(dc, "chunk at offset %" PRIu64 " failed %u times: %s", j->received,
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
	struct dump_job *j = dc->dump;
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
		job_fail(dc, "the card's dump changed during collection (id %" PRIu32 ", now %" PRIu32 ")",
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
		job_fail(dc, "%s", write_error_text(r));
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
	struct dump_job *j = dc->dump;
	struct dump_card *dd = card_dumps(dc);
	const struct saved_dump *d;

	if (r != 0) {
		set_result(dc, true, "saved %s; the card did not take DUMP_COMPLETE (%s)", j->file,
			   r > 0 ? ocxlpmem_card_status_message((unsigned int)r, OCXLPMEM_FN_DUMP_COMPLETE) :
				   strerror(-r));
		log_warning("%s: dump %" PRIu32 " saved, but %s", dc->name, j->info.dump_id,
			    dd ? dd->last_result : "DUMP_COMPLETE failed");
		schedule_retry(dc);
		job_end(dc);
		return;
	}
	d = store_find_file(dc->m->dumps, dc->serial, j->file);
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
	set_result(dc, true, "saved %s", j->file);
	/* The card no longer holds it: the event bit is stale until re-read. */
	dc->events &= ~(uint64_t)OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE;
	job_end(dc);
	apply_retention(dc->m);
}

void dump_request_done(struct dcard *dc, struct ocxlpmem_request *req)
{
	struct dump_job *j = dc->dump;
	struct ocxlpmem_reply reply;
	int r;

	if (dc->dumps && dc->dumps->outstanding)
		dc->dumps->outstanding--;
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
			job_fail(dc, "DUMP_START: %s", r > 0 ?
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
			job_fail(dc, "DUMP_DATA at offset %" PRIu64 ": %s", j->received,
				 r == -ETIMEDOUT ? "the card did not answer in time" :
				 r == -EBUSY ? "the card is hung on an earlier command" :
				 r == -ENXIO ? "the card was removed" : strerror(-r));
			return;
		}
		if (r > 0) {
			job_fail(dc, "DUMP_DATA at offset %" PRIu64 ": %s", j->received,
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

static int job_start(struct dcard *dc, const char *trigger)
{
	struct dump_job *j;
	int r;

	if (dc->dump)
		return -EBUSY;
	if (!dc->card)
		return -ENXIO;
	if (!card_has_functions(dc, DUMP_FUNCTIONS))
		return -EOPNOTSUPP;
	if (!card_dumps(dc))
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
	dc->dump = j;
	j->skip = dc->dumps->outstanding;
	r = dump_submit(dc, OCXLPMEM_FN_DUMP_START, NULL, 0, 64);
	if (r < 0) {
		dc->dump = NULL;
		free(j);
		return r;
	}
	card_touch(dc);
	observe_emit(&dc->m->observers, &(struct observe_event){
		.kind = OBSERVE_DUMP_PROGRESS, .dc = dc,
	});
	return 0;
}

void dump_card_wants_collection(struct dcard *dc, const char *trigger)
{
	int r;

	if (dc->dump || !dc->card)
		return;
	/* After a failure, automatic triggers (the level-triggered event is
	 * seen at every poll) wait for the back-off timer. */
	if (dc->dumps && dc->dumps->backoff)
		return;
	r = job_start(dc, trigger);
	/* Said once at identification: the card's event stays up, and
	 * every poll would say it again. */
	if (r < 0 && r != -EOPNOTSUPP)
		log_errno(LOG_WARNING, r, "%s: cannot start collecting the controller dump", dc->name);
}

int dump_start_user(struct dcard *dc)
{
	return job_start(dc, "user");
}

bool dump_job_running(const struct dcard *dc)
{
	return dc->dump != NULL;
}

void dump_card_gone(struct dcard *dc)
{
	struct dump_job *j = dc->dump;

	if (!j)
		return;
	if (j->phase == JOB_SAVING) {
		/* Every byte is in: the file is still saved; the card is told
		 * when it is back. */
		return;
	}
	if (j->phase == JOB_COMPLETING) {
		/* Its answer will never come (a removed card's completions are
		 * stale); the card still holds the dump we saved. */
		set_result(dc, true, "saved %s; the card will be told when it is back", j->file);
		job_end(dc);
		return;
	}
	job_fail(dc, "the card was removed during collection");
	/* When it comes back, try at once rather than after the back-off. */
	dc->dumps->backoff = false;
}

void dump_card_attached(struct dcard *dc)
{
	if (!dc->dumps)
		return;
	/* Completions for the old card object never reach us. */
	dc->dumps->outstanding = 0;
	dc->dumps->backoff = false;
}

void dump_card_free(struct dcard *dc)
{
	if (dc->dump) {
		job_free(dc->dump);
		dc->dump = NULL;
	}
	if (dc->dumps) {
		if (dc->dumps->retry_timer)
			event_free(dc->dumps->retry_timer);
		free(dc->dumps);
		dc->dumps = NULL;
	}
}

/* ---- JSON -------------------------------------------------------------------- */

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
	const struct dump_job *j = dc->dump;
	const struct dump_card *dd = dc->dumps;

	json_object_object_add(o, "card", json_object_new_string(dc->name));
	if (j) {
		job = json_object_new_object();
		json_object_object_add(job, "phase", json_object_new_string(phase_names[j->phase]));
		json_object_object_add(job, "trigger", json_object_new_string(j->trigger));
		json_object_object_add(job, "dump_id", j->info.dump_id ?
				       json_object_new_int64(j->info.dump_id) : NULL);
		json_object_object_add(job, "requested_usec", json_object_new_int64((int64_t)j->requested_usec));
		json_object_object_add(job, "progress", j->phase == JOB_STARTING ? NULL :
				       job_progress_json(&j->progress));
		json_object_object_add(job, "file", j->file[0] ? json_object_new_string(j->file) : NULL);
	}
	json_object_object_add(o, "job", job);
	json_object_object_add(o, "last_result", dd && dd->last_result[0] ?
			       json_object_new_string(dd->last_result) : NULL);
	json_object_object_add(o, "last_ok", dd && dd->last_result[0] ?
			       json_object_new_boolean(dd->last_ok) : NULL);
	json_object_object_add(o, "last_result_usec", dd && dd->last_result[0] ?
			       json_object_new_int64((int64_t)dd->last_result_usec) : NULL);
	json_object_object_add(o, "retry_at_usec", dd && dd->retry_at_usec ?
			       json_object_new_int64((int64_t)dd->retry_at_usec) : NULL);
	json_object_object_add(o, "saved", json_object_new_int64(dd ? (int64_t)dd->saved : 0));
	json_object_object_add(o, "failed", json_object_new_int64(dd ? (int64_t)dd->failed : 0));
	return o;
}
