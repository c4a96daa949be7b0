// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The store of saved controller dumps (see dump.h): the index of
 * <state-dir>/dumps, built at start and kept as collections save and
 * users delete, and the retention limits applied after each save.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "jobs/dump.h"
#include "jobs/dump-private.h"
#include "util/log.h"
#include "core/card-private.h"


static int saved_cmp(const void *a, const void *b)
{
	const struct saved_dump *x = a, *y = b;

	if (x->meta.finished_usec != y->meta.finished_usec)
		return x->meta.finished_usec < y->meta.finished_usec ? -1 : 1;
	return strcmp(x->file, y->file);
}

int dump_store_add(struct dump_store *s, const struct dump_meta *meta, const char *file)
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
size_t dump_store_candidates(const struct dump_store *s, uint64_t serial, uint32_t dump_id,
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

const struct saved_dump *dump_store_find_sha(const struct dump_store *s, uint64_t serial,
					       const char *sha256)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].meta.serial == serial && strcmp(s->v[i].meta.sha256, sha256) == 0)
			return &s->v[i];
	return NULL;
}

const struct saved_dump *dump_store_find_file(const struct dump_store *s, uint64_t serial,
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
void dump_store_retention(struct manager *m)
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
		if (dump_store_add(m->dumps, &meta, de->d_name) < 0)
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
