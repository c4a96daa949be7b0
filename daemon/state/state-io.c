// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * State files on disk: crash-safe replacement, loading, and setting aside
 * what cannot be loaded.  doc/state-format.md describes the protocol.
 *
 * The crash-safety argument: a file is only ever replaced by rename(2) of
 * a complete, fsync'd temporary in the same directory, so after a crash at
 * any point the name holds the old or the new contents, whole.  The
 * directory is fsync'd after the rename so that a save that returned 0
 * survives a power cut: the daemon may acknowledge an error-log entry to
 * the card once it is saved, and mark it alerted in a later save after
 * sending, so no entry is lost and an alert repeats only after a crash
 * between sending it and that save (doc/state-format.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shared/cleanup.h"
#include "state/state.h"
#include "state/state-io-private.h"
#include "state/state-private.h"

struct state_io_test_hooks state_io_test_hooks = {
	.write = write,
	.fsync = fsync,
	.renameat = renameat,
	.read = read,
};

/* Like mkostemps(), relative to dirfd, which glibc lacks: fills the XXXXXX. */
static int open_temp_at(int dirfd, char *tmpl, unsigned int mode)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789";
	char *x = tmpl + strlen(tmpl) - 6;

	for (unsigned int attempt = 0; attempt < 100; attempt++) {
		uint8_t rnd[6];
		int fd;

		/* The name only has to be unlikely to exist; weak randomness
		 * is fine and the retry on EEXIST covers collisions. */
		if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
			uint64_t v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20) ^
				     ((uint64_t)attempt * 0x9e3779b97f4a7c15u) ^ (uintptr_t)tmpl;

			for (size_t i = 0; i < sizeof(rnd); i++, v >>= 8)
				rnd[i] = (uint8_t)v;
		}
		for (size_t i = 0; i < 6; i++)
			x[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		fd = openat(dirfd, tmpl, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			    (mode_t)mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = state_io_test_hooks.write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* write(2) of a regular file returns 0 only when it cannot go on. */
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory part of path ("." when none), for fsync after the rename. */
static int open_parent_at(int dirfd, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash)
		fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (slash == path)
		fd = openat(dirfd, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else {
		dir = strndup(path, (size_t)(slash - path));
		if (!dir)
			return -ENOMEM;
		fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(dir);
	}
	return fd < 0 ? -errno : fd;
}

/*
 * Mode is applied exactly (fchmod), not filtered by the umask.  One
 * exception to "on failure nothing at path changes": when only the final
 * fsync of the directory fails, the rename has happened and cannot be
 * undone, so path may hold the new contents, not yet durable; the caller
 * sees the error and saves again.
 */
int atomic_write_file(int dirfd, const char *path, const void *buf, size_t len, unsigned int mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int dfd = -1;
	int fd, r;

	if (!path || !*path || path[strlen(path) - 1] == '/' || (!buf && len) || mode > 07777)
		return -EINVAL;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL; /* undefined after a failure */
		return -ENOMEM;
	}

	/* Opened first so that failing to open it changes nothing. */
	dfd = open_parent_at(dirfd, path);
	if (dfd < 0)
		return dfd;
	fd = open_temp_at(dirfd, tmp, mode);
	if (fd < 0)
		return fd;
	if (fchmod(fd, (mode_t)mode) < 0) {
		r = -errno;
		goto out_unlink;
	}
	r = write_all(fd, buf, len);
	if (r < 0)
		goto out_unlink;
	if (state_io_test_hooks.fsync(fd) < 0) {
		r = -errno;
		goto out_unlink;
	}
	/* Data is on disk; close(2) can still report a deferred error (NFS). */
	r = close(fd);
	fd = -1;
	if (r < 0) {
		r = -errno;
		goto out_unlink;
	}
	if (state_io_test_hooks.renameat(dirfd, tmp, dirfd, path) < 0) {
		r = -errno;
		goto out_unlink;
	}
	return state_io_test_hooks.fsync(dfd) < 0 ? -errno : 0;

out_unlink:
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dirfd, tmp, 0);
	return r;
}

/*
 * The whole of a state file.  -EFBIG past STATE_FILE_MAX, known from
 * fstat() before a byte is read (not ours: the caller sets it aside);
 * -EISDIR, -ELOOP (a symlink), -EBADFD (another kind of file) are left
 * alone for the administrator.
 */
static int read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap;
	struct stat st;
	int r;

	/* O_NONBLOCK: a FIFO put there must not hang the daemon. */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	r = S_ISDIR(st.st_mode) ? -EISDIR : !S_ISREG(st.st_mode) ? -EBADFD : 0;
	if (r < 0)
		return r;
	if (st.st_size > (off_t)STATE_FILE_MAX)
		return -EFBIG;
	/* One more than the size, so a file growing under us is seen. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = state_io_test_hooks.read(fd, buf + len, cap - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			char *p;

			if (cap > STATE_FILE_MAX)
				return -EFBIG;
			p = realloc(buf, cap * 2);
			if (!p)
				return -ENOMEM;
			buf = p;
			cap *= 2;
		}
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/* rename(2) that never replaces; not every file system has RENAME_NOREPLACE. */
static int rename_noreplace_at(int dirfd, const char *from, const char *to)
{
	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -errno;
	/* linkat(2) fails with EEXIST atomically where rename cannot. */
	if (linkat(dirfd, from, dirfd, to, 0) < 0)
		return -errno;
	if (unlinkat(dirfd, from, 0) < 0)
		return -errno;
	return 0;
}

/*
 * Rename path to path.WHY-<unix seconds>[-N], never over an earlier one.
 * Not fsync'd: the caller's next save fsyncs the directory, which commits
 * this rename too, and a set-aside lost to a crash just happens again.
 */
static int set_aside(int dirfd, const char *path, const char *why, char **ret_name)
{
	long long now = (long long)time(NULL);

	for (unsigned int i = 0; i < 1000; i++) {
		char *name;
		int r;

		r = i ? asprintf(&name, "%s.%s-%lld-%u", path, why, now, i)
		      : asprintf(&name, "%s.%s-%lld", path, why, now);
		if (r < 0)
			return -ENOMEM;
		r = rename_noreplace_at(dirfd, path, name);
		if (r == 0) {
			if (ret_name)
				*ret_name = name;
			else
				free(name);
			return 0;
		}
		free(name);
		if (r != -EEXIST)
			return r;
	}
	return -EEXIST;
}

const char *state_set_aside_text(int load_result)
{
	switch (load_result) {
	case -EBADMSG:
		return "corrupt";
	case -EPROTONOSUPPORT:
		return "from a newer ocxlpmemd";
	case -EFBIG:
		return "too large (over 16 MiB: not one of ours), not read";
	default:
		return NULL;
	}
}

typedef int (*parse_fn)(const char *text, size_t len, void **ret, const void *arg);

/*
 * Why a file that cannot be loaded is set aside, as its new name says:
 * corrupt, from a newer version, or too large to be one of ours.  Any
 * other error leaves the file where it is.
 */
static const char *set_aside_reason(int r)
{
	switch (r) {
	case -EBADMSG:
		return "corrupt";
	case -EPROTONOSUPPORT:
		return "future";
	case -EFBIG:
		return "too-large";
	default:
		return NULL;
	}
}

/*
 * Read and parse path; set a corrupt, future or too large file aside.
 * When the set-aside itself fails its error is returned instead: the bad
 * file is still in place and the caller must not take it for absent.
 */
static int load_at(int dirfd, const char *path, parse_fn parse, const void *arg, void **ret,
		   char **ret_setaside)
{
	char *text = NULL, *aside = NULL;
	void *obj = NULL;
	size_t len = 0;
	int r, k;

	r = read_file_at(dirfd, path, &text, &len);
	if (r == 0) {
		r = parse(text, len, &obj, arg);
		free(text);
	}
	if (set_aside_reason(r)) {
		k = set_aside(dirfd, path, set_aside_reason(r), ret_setaside ? &aside : NULL);
		if (k < 0)
			return k;
		if (ret_setaside)
			*ret_setaside = aside;
		return r;
	}
	if (r < 0)
		return r;
	*ret = obj;
	return 0;
}

static int parse_card(const char *text, size_t len, void **ret, const void *arg)
{
	const uint64_t *serial = arg;
	struct card_state *s;
	int r;

	r = card_state_parse(text, len, &s);
	if (r < 0)
		return r;
	/* A record copied to another card's name is not that card's. */
	if (s->serial != *serial) {
		card_state_free(s);
		return -EBADMSG;
	}
	*ret = s;
	return 0;
}

static int parse_names(const char *text, size_t len, void **ret, const void *arg)
{
	struct name_registry *r;
	int k;

	k = names_parse(text, len, &r);
	if (k < 0)
		return k;
	*ret = r;
	return 0;
}

static void card_path(char buf[static 64], uint64_t serial)
{
	snprintf(buf, 64, STATE_CARDS_DIR "/%" PRIu64 ".json", serial);
}

int card_state_load(int dirfd, uint64_t serial, struct card_state **ret, char **ret_setaside)
{
	char path[64];
	void *obj = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	card_path(path, serial);
	r = load_at(dirfd, path, parse_card, &serial, &obj, ret_setaside);
	if (r < 0)
		return r;
	*ret = obj;
	return 0;
}

int card_state_save(int dirfd, const struct card_state *s)
{
	char path[64], *text;
	int r;

	r = card_state_serialise(s, &text);
	if (r < 0)
		return r;
	if (mkdirat(dirfd, STATE_CARDS_DIR, 0755) == 0) {
		/* The new directory's entry must be durable before files in it count. */
		int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		r = dfd < 0 ? -errno : state_io_test_hooks.fsync(dfd) < 0 ? -errno : 0;
		if (dfd >= 0)
			close(dfd);
	} else if (errno != EEXIST)
		r = -errno;
	if (r == 0) {
		card_path(path, s->serial);
		r = atomic_write_file(dirfd, path, text, strlen(text), 0644);
	}
	free(text);
	return r;
}

int card_state_exists(int dirfd, uint64_t serial)
{
	struct stat st;
	char path[64];

	card_path(path, serial);
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	/* No cards/ at all (ENOTDIR: something else in its place is not
	 * ours to judge here; the load will say). */
	return errno == ENOENT ? 0 : -errno;
}

int card_state_remove(int dirfd, uint64_t serial)
{
	char path[64];
	int dfd, r;

	card_path(path, serial);
	if (unlinkat(dirfd, path, 0) < 0)
		return -errno;
	/* Until cards/ is fsync'd a crash may bring the record back. */
	dfd = openat(dirfd, STATE_CARDS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = dfd < 0 ? -errno : state_io_test_hooks.fsync(dfd) < 0 ? -errno : 0;
	if (dfd >= 0)
		close(dfd);
	return r;
}

int names_load(int dirfd, struct name_registry **ret, char **ret_setaside)
{
	void *obj = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	r = load_at(dirfd, STATE_NAMES_FILE, parse_names, NULL, &obj, ret_setaside);
	if (r < 0)
		return r;
	*ret = obj;
	return 0;
}

int names_save(int dirfd, const struct name_registry *r)
{
	char *text;
	int k;

	k = names_serialise(r, &text);
	if (k < 0)
		return k;
	k = atomic_write_file(dirfd, STATE_NAMES_FILE, text, strlen(text), 0644);
	free(text);
	return k;
}
