// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dump writer: one thread per collection that writes chunks to a hidden
 * temporary file, and at the end makes the file whole and durable (see
 * dump-file.h for the protocol).  The event loop hands chunks over and
 * hears back through an eventfd; it never waits on the disk, which may
 * take seconds to fsync hundreds of megabytes.
 *
 * Speed: a second thread hashes (SHA-256 costs about twice the page-cache
 * copy of pwrite), so writing and hashing overlap, and the writer starts
 * the disk's writeback every few MiB (sync_file_range) so that the final
 * fsync waits for the tail, not for the whole dump.  A chunk is freed, and
 * leaves the backlog, once it is both written and hashed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "jobs/dump-file.h"

struct chunk {
	void *buf;                 /* owned: freed once written */
	const uint8_t *data;
	size_t len;
	struct chunk *next;
};

enum writer_phase {
	PHASE_WRITING,    /* taking chunks */
	PHASE_FINISHING,  /* header, fsync, rename: no longer abortable */
	PHASE_DONE,       /* saved (result 0) or failed (result < 0) */
};

/* Start the writeback of what was written every this many bytes. */
#define WRITEBACK_STEP (8u << 20)

struct dump_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t hasher;
	pthread_cond_t hcond;      /* the hasher's queue */
	int efd;
	int dirfd;                 /* dumps/<serial> */
	int fd;                    /* the temporary */
	char name[DUMP_FILE_NAME_MAX];
	char tmp[DUMP_FILE_NAME_MAX + 8];
	uint64_t size;
	unsigned int low_water;
	/* Under lock. */
	struct chunk *head, *tail;
	unsigned int backlog;
	uint64_t written;
	bool finish, abort;
	bool orphaned;             /* its owner let go: the thread frees it */
	enum writer_phase phase;
	int result;
	struct dump_meta meta;
	struct chunk *hhead, *htail;  /* written, to hash */
	bool hstop;                /* no more chunks for the hasher */
	bool hasher_running;
	/* Writer thread only (set before it sees a chunk). */
	uint64_t kicked;           /* writeback started up to here */
	/* The hasher's (the writer's without a hasher); read by the writer
	 * once the hasher has ended. */
	struct sha256_ctx sha;
	char (*known)[65];         /* digests of dumps this one may be */
	size_t nknown;
};

static void destroy(struct dump_writer *w);

static void wake(struct dump_writer *w)
{
	uint64_t one = 1;

	/* Can only fail when the counter would overflow: it is read long before. */
	(void)!write(w->efd, &one, sizeof(one));
}

static int write_all(int fd, const uint8_t *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Header, fsync, rename, fsync the directory: the dump is saved after this. */
static int make_durable(struct dump_writer *w, struct dump_meta *meta)
{
	uint8_t *hdr;
	int r;

	meta->size = w->size;
	hdr = malloc(DUMP_FILE_HEADER_SIZE);
	if (!hdr)
		return -ENOMEM;
	r = dump_header_format(meta, hdr);
	if (r == 0)
		r = write_all(w->fd, hdr, DUMP_FILE_HEADER_SIZE, 0);
	free(hdr);
	if (r < 0)
		return r;
	if (fsync(w->fd) < 0)
		return -errno;
	if (renameat(w->dirfd, w->tmp, w->dirfd, w->name) < 0)
		return -errno;
	/* The name is durable only once the directory is. */
	if (fsync(w->dirfd) < 0) {
		r = -errno;
		/* Not durable: do not leave it looking saved. */
		unlinkat(w->dirfd, w->name, 0);
		return r;
	}
	return 0;
}

static void finish_digest(struct dump_writer *w, struct dump_meta *meta)
{
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_digest(&w->sha, sizeof(digest), digest);
	hex(digest, sizeof(digest), meta->sha256);
}

static bool is_known(const struct dump_writer *w, const char *sha256)
{
	for (size_t i = 0; i < w->nknown; i++)
		if (strcmp(w->known[i], sha256) == 0)
			return true;
	return false;
}

/* A chunk written and hashed: gone, and the loop told when the backlog is
 * low enough to refill (once per refill, not per chunk). */
static void chunk_done_locked(struct dump_writer *w, struct chunk *c, bool ok)
{
	free(c->buf);
	free(c);
	w->backlog--;
	if (ok && w->backlog == w->low_water)
		wake(w);
}

static void *hash_main(void *userdata)
{
	struct dump_writer *w = userdata;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct chunk *c;

		while (!w->hhead && !w->hstop)
			pthread_cond_wait(&w->hcond, &w->lock);
		c = w->hhead;
		if (!c)
			break;
		w->hhead = c->next;
		if (!w->hhead)
			w->htail = NULL;
		pthread_mutex_unlock(&w->lock);
		sha256_update(&w->sha, c->len, c->data);
		pthread_mutex_lock(&w->lock);
		chunk_done_locked(w, c, true);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* With the lock held: let the hasher finish its queue and end. */
static void stop_hasher_locked(struct dump_writer *w)
{
	if (!w->hasher_running)
		return;
	w->hstop = true;
	pthread_cond_signal(&w->hcond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->hasher, NULL);
	pthread_mutex_lock(&w->lock);
	w->hasher_running = false;
}

/* Start writing back what is in the page cache, so the final fsync has
 * only the tail left.  Advisory: an error here shows again at fsync. */
static void kick_writeback(struct dump_writer *w, uint64_t written)
{
	if (written - w->kicked < WRITEBACK_STEP)
		return;
	(void)sync_file_range(w->fd, (off_t)(DUMP_FILE_HEADER_SIZE + w->kicked),
			      (off_t)(written - w->kicked), SYNC_FILE_RANGE_WRITE);
	w->kicked = written;
}

static void *writer_main(void *userdata)
{
	struct dump_writer *w = userdata;
	struct dump_meta meta;
	bool orphaned;
	int r = 0;

	/* Without a hasher thread the writer hashes itself. */
	w->hasher_running = pthread_create(&w->hasher, NULL, hash_main, w) == 0;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct chunk *c;

		while (!w->head && !w->finish && !w->abort)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->abort)
			break;
		c = w->head;
		if (c) {
			bool hashing = w->hasher_running;

			w->head = c->next;
			if (!w->head)
				w->tail = NULL;
			pthread_mutex_unlock(&w->lock);
			/* Only this thread moves written: no lock to read it. */
			if (w->written + c->len > w->size)
				r = -EFBIG;
			else
				r = write_all(w->fd, c->data, c->len,
					      (off_t)(DUMP_FILE_HEADER_SIZE + w->written));
			if (r == 0) {
				kick_writeback(w, w->written + c->len);
				if (!hashing)
					sha256_update(&w->sha, c->len, c->data);
			}
			pthread_mutex_lock(&w->lock);
			if (r < 0) {
				chunk_done_locked(w, c, false);
				break;
			}
			w->written += c->len;
			if (hashing) {
				c->next = NULL;
				if (w->htail)
					w->htail->next = c;
				else
					w->hhead = c;
				w->htail = c;
				pthread_cond_signal(&w->hcond);
			} else {
				chunk_done_locked(w, c, true);
			}
			continue;
		}
	/* finish, and every chunk written. */
		if (w->written != w->size) {
			r = -EPROTO;
			break;
		}
		w->phase = PHASE_FINISHING;
		meta = w->meta;
		stop_hasher_locked(w);
		pthread_mutex_unlock(&w->lock);
		finish_digest(w, &meta);
		r = is_known(w, meta.sha256) ? -EEXIST : make_durable(w, &meta);
		pthread_mutex_lock(&w->lock);
		if (r == 0 || r == -EEXIST)
			w->meta = meta;
		break;
	}
	/* Its queue is short (the backlog bounds it): let it finish, so the
	 * thread ends with nothing of w in use. */
	stop_hasher_locked(w);
	if (w->abort && r == 0 && w->phase != PHASE_FINISHING)
		r = -ECANCELED;
	if (r < 0)
		unlinkat(w->dirfd, w->tmp, 0);
	w->phase = PHASE_DONE;
	w->result = r;
	orphaned = w->orphaned;
	pthread_mutex_unlock(&w->lock);
	if (orphaned)
		destroy(w);
	else
		wake(w);
	return NULL;
}

/* Open (creating) dumps/<serial> under the state directory. */
static int open_card_dir(int state_dirfd, uint64_t serial)
{
	char path[48];
	int fd;

	if (mkdirat(state_dirfd, "dumps", 0750) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "dumps/%" PRIu64, serial);
	if (mkdirat(state_dirfd, path, 0750) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(state_dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int dump_writer_new(int state_dirfd, uint64_t serial, const char *name, uint64_t size,
		    unsigned int low_water, struct dump_writer **ret)
{
	struct dump_writer *w;
	int r;

	if (!dump_file_name_valid(name))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->efd = w->dirfd = w->fd = -1;
	snprintf(w->name, sizeof(w->name), "%s", name);
	snprintf(w->tmp, sizeof(w->tmp), ".%s.tmp", name);
	w->size = size;
	w->low_water = low_water;
	sha256_init(&w->sha);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->hcond, NULL);

	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		r = -errno;
		goto fail;
	}
	r = open_card_dir(state_dirfd, serial);
	if (r < 0)
		goto fail;
	w->dirfd = r;
	/* O_EXCL: two collections of one dump never share a temporary. */
	w->fd = openat(w->dirfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (w->fd < 0 && errno == EEXIST) {
		/* Left by a crash between the start-up sweep and now: ours to remove. */
		unlinkat(w->dirfd, w->tmp, 0);
		w->fd = openat(w->dirfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	}
	if (w->fd < 0) {
		r = -errno;
		goto fail;
	}
	r = -pthread_create(&w->thread, NULL, writer_main, w);
	if (r < 0) {
		unlinkat(w->dirfd, w->tmp, 0);
		goto fail;
	}
	*ret = w;
	return 0;
fail:
	if (w->fd >= 0)
		close(w->fd);
	if (w->dirfd >= 0)
		close(w->dirfd);
	if (w->efd >= 0)
		close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_cond_destroy(&w->hcond);
	free(w);
	return r;
}

int dump_writer_set_known(struct dump_writer *w, const char (*sha256)[65], size_t n)
{
	char (*copy)[65] = NULL;

	if (n) {
		copy = calloc(n, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, sha256, n * sizeof(*copy));
	}
	/* The thread reads it only once every chunk is written, and the
	 * lock orders this before that. */
	pthread_mutex_lock(&w->lock);
	free(w->known);
	w->known = copy;
	w->nknown = n;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int dump_writer_fd(const struct dump_writer *w)
{
	return w->efd;
}

int dump_writer_poll(struct dump_writer *w, uint64_t *ret_written)
{
	uint64_t n;
	int r;

	(void)!read(w->efd, &n, sizeof(n));
	pthread_mutex_lock(&w->lock);
	r = w->phase == PHASE_DONE ? w->result : 1;
	if (ret_written)
		*ret_written = w->written;
	pthread_mutex_unlock(&w->lock);
	return r;
}

unsigned int dump_writer_backlog(struct dump_writer *w)
{
	unsigned int n;

	pthread_mutex_lock(&w->lock);
	n = w->backlog;
	pthread_mutex_unlock(&w->lock);
	return n;
}

int dump_writer_queue(struct dump_writer *w, void *buf, const uint8_t *data, size_t len)
{
	struct chunk *c = calloc(1, sizeof(*c));
	int r = 0;

	if (!c) {
		free(buf);
		return -ENOMEM;
	}
	c->buf = buf;
	c->data = data;
	c->len = len;
	pthread_mutex_lock(&w->lock);
	if (w->phase == PHASE_DONE || w->finish || w->abort) {
		r = w->phase == PHASE_DONE && w->result < 0 ? w->result : -EPIPE;
	} else {
		if (w->tail) {
			w->tail->next = c;
		} else {
			w->head = c;
			/* Only an empty queue can have the thread waiting. */
			pthread_cond_signal(&w->cond);
		}
		w->tail = c;
		w->backlog++;
	}
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		free(buf);
		free(c);
	}
	return r;
}

void dump_writer_finish(struct dump_writer *w, const struct dump_meta *meta)
{
	pthread_mutex_lock(&w->lock);
	w->meta = *meta;
	w->finish = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

const struct dump_meta *dump_writer_meta(const struct dump_writer *w)
{
	return &w->meta;
}

/* Everything but the thread, which has ended or is ending. */
static void destroy(struct dump_writer *w)
{
	struct chunk *c;

	while ((c = w->head)) {
		w->head = c->next;
		free(c->buf);
		free(c);
	}
	close(w->fd);
	close(w->dirfd);
	close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_cond_destroy(&w->hcond);
	free(w->known);
	free(w);
}

struct dump_writer *dump_writer_free(struct dump_writer *w)
{
	pthread_t thread;
	bool done;

	if (!w)
		return NULL;
	/* Once orphaned is set and the lock dropped, w may be freed by the
	 * thread at any moment: nothing of it is touched after that. */
	thread = w->thread;
	pthread_mutex_lock(&w->lock);
	w->abort = true;
	done = w->phase == PHASE_DONE;
	/*
	 * Never wait for the thread on the event loop: it may be in a write
	 * or an fsync on a slow or hung filesystem.  A thread still running
	 * cleans up after itself (a partial temporary is removed; a dump
	 * already finishing is still saved, and the next collection finds it
	 * saved).
	 */
	w->orphaned = !done;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (!done) {
		pthread_detach(thread);
		return NULL;
	}
	pthread_join(thread, NULL);
	destroy(w);
	return NULL;
}
