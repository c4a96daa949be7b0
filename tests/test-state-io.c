// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * State files on a real file system: crash-safe replacement with faults
 * injected through state_io_test_hooks (we run as root, so permissions
 * cannot make writes fail), loading, and setting aside what cannot load.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/state.h"
#include "state/state-io-private.h"
#include "state/state-private.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	char path[64];
	int dirfd;
};

static const struct state_io_test_hooks real_hooks = {
	.write = write,
	.fsync = fsync,
	.renameat = renameat,
	.read = read,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/test-state-io.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->path))
		return -1;
	f->dirfd = open(f->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0)
		return -1;
	state_io_test_hooks = real_hooks;
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	state_io_test_hooks = real_hooks;
	close(f->dirfd);
	nftw(f->path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------- */

static void put_file(int dirfd, const char *path, const char *text)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The file's contents, or NULL when it does not exist. */
static char *get_file(int dirfd, const char *path)
{
	struct stat st;
	char *buf;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		assert_int_equal(errno, ENOENT);
		return NULL;
	}
	assert_int_equal(fstat(fd, &st), 0);
	buf = calloc(1, (size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	return buf;
}

static void assert_file(int dirfd, const char *path, const char *want)
{
	char *got = get_file(dirfd, path);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* Entries of dir (relative to dirfd) whose name contains needle. */
static unsigned int count_entries(int dirfd, const char *dir, const char *needle)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	d = fdopendir(fd);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strstr(de->d_name, needle))
			n++;
	closedir(d);
	return n;
}

static void assert_no_temp(int dirfd, const char *dir)
{
	assert_int_equal(count_entries(dirfd, dir, ".tmp-"), 0);
}

/* ---- injected faults ------------------------------------------------------------- */

static unsigned int calls;
static unsigned int fail_at; /* the call (1-based) that fails */
static int fail_errno;

/* Writes half of what is asked, and then runs out of space. */
static ssize_t write_enospc(int fd, const void *buf, size_t len)
{
	if (++calls >= fail_at) {
		errno = ENOSPC;
		return -1;
	}
	return write(fd, buf, len > 1 ? len / 2 : len);
}

static ssize_t write_one_byte(int fd, const void *buf, size_t len)
{
	if (++calls == 3) {
		errno = EINTR;
		return -1;
	}
	return write(fd, buf, 1);
}

static ssize_t write_zero(int fd, const void *buf, size_t len)
{
	return 0;
}

static int fsync_fail(int fd)
{
	if (++calls == fail_at) {
		errno = fail_errno;
		return -1;
	}
	return fsync(fd);
}

static int renameat_fail(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	errno = EXDEV;
	return -1;
}

/* ---- atomic_write_file ---------------------------------------------------------- */

#define OLD "old contents\n"
#define NEW "new contents, longer than the old ones\n"

static void test_write_new_and_replace(void **state)
{
	struct fixture *f = *state;
	mode_t old_umask = umask(077);
	struct stat st;

	assert_int_equal(atomic_write_file(f->dirfd, "a.json", OLD, strlen(OLD), 0640), 0);
	umask(old_umask);
	assert_file(f->dirfd, "a.json", OLD);
	assert_int_equal(fstatat(f->dirfd, "a.json", &st, 0), 0);
	/* The mode asked for, not the umask's. */
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(atomic_write_file(f->dirfd, "a.json", NEW, strlen(NEW), 0644), 0);
	assert_file(f->dirfd, "a.json", NEW);
	assert_int_equal(atomic_write_file(f->dirfd, "empty", NULL, 0, 0600), 0);
	assert_file(f->dirfd, "empty", "");
	assert_no_temp(f->dirfd, ".");

	/* Into a subdirectory; a missing one is an error, not created. */
	assert_int_equal(atomic_write_file(f->dirfd, "sub/b.json", OLD, strlen(OLD), 0644), -ENOENT);
	assert_int_equal(mkdirat(f->dirfd, "sub", 0755), 0);
	assert_int_equal(atomic_write_file(f->dirfd, "sub/b.json", OLD, strlen(OLD), 0644), 0);
	assert_file(f->dirfd, "sub/b.json", OLD);
	assert_no_temp(f->dirfd, "sub");

	assert_int_equal(atomic_write_file(f->dirfd, "", OLD, 1, 0644), -EINVAL);
	assert_int_equal(atomic_write_file(f->dirfd, "sub/", OLD, 1, 0644), -EINVAL);
	assert_int_equal(atomic_write_file(f->dirfd, "x", NULL, 1, 0644), -EINVAL);
	assert_int_equal(atomic_write_file(f->dirfd, NULL, OLD, 1, 0644), -EINVAL);
}

struct fault_row {
	const char *name;
	struct state_io_test_hooks hooks;
	unsigned int fail_at;
	int fail_errno;
	int want;
	bool replaced; /* the new contents are in place despite the error */
};

static const struct fault_row fault_rows[] = {
	{ "ENOSPC on the first write", { write_enospc, fsync, renameat }, 1, 0, -ENOSPC },
	{ "ENOSPC half way", { write_enospc, fsync, renameat }, 3, 0, -ENOSPC },
	{ "write makes no progress", { write_zero, fsync, renameat }, 0, 0, -EIO },
	{ "EIO from fsync of the file", { write, fsync_fail, renameat }, 1, EIO, -EIO },
	{ "rename fails", { write, fsync, renameat_fail }, 0, 0, -EXDEV },
	/* The rename cannot be undone; the caller learns it is not durable. */
	{ "EIO from fsync of the directory", { write, fsync_fail, renameat }, 2, EIO, -EIO, true },
	{ "short writes and EINTR", { write_one_byte, fsync, renameat }, 0, 0, 0, true },
};

static void test_write_faults(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < ELEMENTSOF(fault_rows); i++) {
		const struct fault_row *row = &fault_rows[i];
		int r;

		print_message("  %s\n", row->name);
		put_file(f->dirfd, "a.json", OLD);
		state_io_test_hooks = row->hooks;
		calls = 0;
		fail_at = row->fail_at;
		fail_errno = row->fail_errno;
		r = atomic_write_file(f->dirfd, "a.json", NEW, strlen(NEW), 0644);
		state_io_test_hooks = real_hooks;
		if (r != row->want)
			fail_msg("%s: atomic_write_file() = %d, want %d", row->name, r, row->want);
		assert_file(f->dirfd, "a.json", row->replaced ? NEW : OLD);
		assert_no_temp(f->dirfd, ".");
	}
}

/* ---- card records ----------------------------------------------------------------- */

static struct card_state *make_card(uint64_t serial, uint32_t nentries)
{
	struct card_state *s;
	uint8_t data[] = { 0xca, 0xfe };

	assert_int_equal(card_state_new(serial, "ocxlpmem4", &s), 0);
	for (uint32_t id = 1; id <= nentries; id++) {
		struct errlog_record rec = {
			.id = id,
			.type = id % 5,
			.fw_revision = "1.2",
			.received_us = 1000 + id,
			.data_size = sizeof(data),
			.data_needed = sizeof(data),
			.data = data,
		};

		assert_int_equal(card_state_add_errlog(s, &rec), 0);
	}
	assert_non_null(card_state_alert(s, "life-remaining"));
	return s;
}

static void assert_same_text(const struct card_state *a, const struct card_state *b)
{
	char *x = card_state_format(a), *y = card_state_format(b);

	assert_non_null(x);
	assert_non_null(y);
	assert_string_equal(x, y);
	free(x);
	free(y);
}

static void test_card_save_load(void **state)
{
	struct fixture *f = *state;
	struct card_state *s, *back = NULL, *sentinel = (struct card_state *)&sentinel;
	char *aside = (char *)&aside;
	struct stat st;

	back = sentinel;
	assert_int_equal(card_state_load(f->dirfd, 42, &back, &aside), -ENOENT);
	assert_ptr_equal(back, sentinel);
	assert_ptr_equal(aside, (char *)&aside);

	s = make_card(42, 10);
	assert_int_equal(card_state_save(f->dirfd, s), 0);
	assert_int_equal(fstatat(f->dirfd, "cards", &st, 0), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(fstatat(f->dirfd, "cards/42.json", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(card_state_load(f->dirfd, 42, &back, NULL), 0);
	assert_same_text(s, back);
	assert_true(card_state_seen(back, &(struct errlog_key){ .id = 10 }));
	card_state_free(back);

	/* The record survives a save that runs out of space. */
	{
		struct card_state *more = make_card(42, 20);

		state_io_test_hooks.write = write_enospc;
		calls = 0;
		fail_at = 2;
		assert_int_equal(card_state_save(f->dirfd, more), -ENOSPC);
		state_io_test_hooks = real_hooks;
		assert_int_equal(card_state_load(f->dirfd, 42, &back, NULL), 0);
		assert_same_text(s, back);
		assert_false(card_state_seen(back, &(struct errlog_key){ .id = 11 }));
		card_state_free(back);
		assert_int_equal(card_state_save(f->dirfd, more), 0);
		assert_int_equal(card_state_load(f->dirfd, 42, &back, NULL), 0);
		assert_same_text(more, back);
		card_state_free(back);
		card_state_free(more);
	}
	assert_no_temp(f->dirfd, "cards");

	/* What would not load back is not written. */
	strcpy(s->name, "bogus");
	assert_int_equal(card_state_save(f->dirfd, s), -EINVAL);
	card_state_free(s);
}

struct load_row {
	const char *name;
	const char *text;     /* put at cards/SERIAL.json */
	uint64_t serial;      /* loaded as */
	int want;
	const char *aside;    /* "corrupt", "future" or NULL */
};

#define CARD_DOC(version, serial)                                                          \
	"{\"format\": \"ocxlpmemd-card-state\", \"version\": " version ", \"serial\": \"" serial \
	"\", \"name\": \"ocxlpmem0\", \"errlog_total\": [\"0\", \"0\", \"0\", \"0\", \"0\"], "  \
	"\"seen_ids\": [], \"history\": [], \"alerts\": []}\n"

#define CARD_DOC2(version, serial)                                                         \
	"{\"format\": \"ocxlpmemd-card-state\", \"version\": " version ", \"serial\": \"" serial \
	"\", \"name\": \"ocxlpmem0\", \"errlog_total\": [\"0\", \"0\", \"0\", \"0\", \"0\"], "  \
	"\"seen\": [], \"history\": [], \"alerts\": []}\n"

static const struct load_row load_rows[] = {
	{ "good", CARD_DOC("1", "42"), 42, 0 },
	{ "another card's record", CARD_DOC("1", "42"), 43, -EBADMSG, "corrupt" },
	{ "truncated", "{\"format\": \"ocxlpmemd-card-state\", \"vers", 42, -EBADMSG, "corrupt" },
	{ "empty", "", 42, -EBADMSG, "corrupt" },
	{ "binary", "\x7f" "ELF\x01\x02", 42, -EBADMSG, "corrupt" },
	{ "names.json in its place",
	  "{\"format\": \"ocxlpmemd-names\", \"version\": 1, \"names\": {}, \"next\": 0}", 42, -EBADMSG,
	  "corrupt" },
	{ "version 2", CARD_DOC2("2", "42"), 42, 0 },
	{ "from the future", CARD_DOC2("3", "42"), 42, -EPROTONOSUPPORT, "future" },
};

static void test_card_load_rows(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdirat(f->dirfd, "cards", 0755), 0);
	for (size_t i = 0; i < ELEMENTSOF(load_rows); i++) {
		const struct load_row *row = &load_rows[i];
		struct card_state *s = NULL;
		char path[64], prefix[96], *aside = NULL;
		int r;

		print_message("  %s\n", row->name);
		snprintf(path, sizeof(path), "cards/%" PRIu64 ".json", row->serial);
		put_file(f->dirfd, path, row->text);
		r = card_state_load(f->dirfd, row->serial, &s, &aside);
		if (r != row->want)
			fail_msg("%s: card_state_load() = %d, want %d", row->name, r, row->want);
		if (!row->aside) {
			assert_null(aside);
			assert_non_null(s);
			assert_true(s->serial == row->serial);
			card_state_free(s);
			assert_file(f->dirfd, path, row->text);
			continue;
		}
		assert_null(s);
		/* Moved aside whole, under a name that says why and when. */
		assert_non_null(aside);
		snprintf(prefix, sizeof(prefix), "%s.%s-", path, row->aside);
		assert_memory_equal(aside, prefix, strlen(prefix));
		assert_true(strtoll(aside + strlen(prefix), NULL, 10) > 1600000000);
		assert_file(f->dirfd, aside, row->text);
		assert_null(get_file(f->dirfd, path));
		assert_int_equal(unlinkat(f->dirfd, aside, 0), 0);
		free(aside);
	}
}

/* A second corrupt file in the same second does not replace the first. */
static void test_set_aside_twice(void **state)
{
	struct fixture *f = *state;
	long long now = (long long)time(NULL);
	char name[96], *aside = NULL;
	struct card_state *s;

	assert_int_equal(mkdirat(f->dirfd, "cards", 0755), 0);
	/* Taken for the next few seconds, so the test cannot race the clock. */
	for (long long t = now; t < now + 5; t++) {
		snprintf(name, sizeof(name), "cards/7.json.corrupt-%lld", t);
		put_file(f->dirfd, name, "earlier");
	}
	put_file(f->dirfd, "cards/7.json", "garbage");
	assert_int_equal(card_state_load(f->dirfd, 7, &s, &aside), -EBADMSG);
	assert_non_null(aside);
	assert_int_equal(strcmp(aside + strlen(aside) - 2, "-1"), 0);
	assert_file(f->dirfd, aside, "garbage");
	free(aside);
	for (long long t = now; t < now + 5; t++) {
		snprintf(name, sizeof(name), "cards/7.json.corrupt-%lld", t);
		assert_file(f->dirfd, name, "earlier");
	}

	/* Without ret_setaside, and with -2 next. */
	put_file(f->dirfd, "cards/7.json", "{}");
	assert_int_equal(card_state_load(f->dirfd, 7, &s, NULL), -EBADMSG);
	assert_int_equal(count_entries(f->dirfd, "cards", "7.json.corrupt-"), 7);

	/* After a set-aside the daemon starts afresh and saves. */
	assert_int_equal(card_state_new(7, "ocxlpmem0", &s), 0);
	assert_int_equal(card_state_save(f->dirfd, s), 0);
	card_state_free(s);
	assert_int_equal(card_state_load(f->dirfd, 7, &s, NULL), 0);
	card_state_free(s);
}

/* What is not a regular file is left for the administrator. */
static void test_load_odd_files(void **state)
{
	struct fixture *f = *state;
	struct card_state *s = NULL;
	char *aside = NULL;

	assert_int_equal(mkdirat(f->dirfd, "cards", 0755), 0);
	assert_int_equal(mkdirat(f->dirfd, "cards/1.json", 0755), 0);
	assert_int_equal(card_state_load(f->dirfd, 1, &s, &aside), -EISDIR);
	assert_int_equal(mkfifoat(f->dirfd, "cards/2.json", 0644), 0);
	assert_int_equal(card_state_load(f->dirfd, 2, &s, &aside), -EBADFD);
	put_file(f->dirfd, "elsewhere.json", CARD_DOC("1", "3"));
	assert_int_equal(symlinkat("../elsewhere.json", f->dirfd, "cards/3.json"), 0);
	assert_int_equal(card_state_load(f->dirfd, 3, &s, &aside), -ELOOP);
	assert_null(s);
	assert_null(aside);
	assert_int_equal(count_entries(f->dirfd, "cards", ".corrupt-"), 0);

}

static size_t bytes_read;

static ssize_t read_counting(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	if (n > 0)
		bytes_read += (size_t)n;
	return n;
}

/*
 * Bigger than anything we write (1 GiB, sparse): not ours.  Reported as too
 * large (not as corrupt), set aside whole under a name that says so, and
 * never read: not a byte, let alone a gigabyte into memory.
 */
static void test_load_too_large(void **state)
{
	struct fixture *f = *state;
	struct card_state *s = NULL;
	struct stat st;
	char *aside = NULL;
	int fd;

	assert_int_equal(mkdirat(f->dirfd, "cards", 0755), 0);
	for (unsigned int i = 0; i < 2; i++) {
		off_t size = i ? (off_t)STATE_FILE_MAX + 1 : (off_t)1 << 30;

		fd = openat(f->dirfd, "cards/4.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, size), 0);
		close(fd);
		bytes_read = 0;
		state_io_test_hooks.read = read_counting;
		assert_int_equal(card_state_load(f->dirfd, 4, &s, &aside), -EFBIG);
		assert_true(bytes_read == 0);
		assert_null(s);
		assert_non_null(aside);
		assert_memory_equal(aside, "cards/4.json.too-large-", strlen("cards/4.json.too-large-"));
		assert_int_equal(fstatat(f->dirfd, aside, &st, 0), 0);
		assert_true(st.st_size == size);
		assert_null(get_file(f->dirfd, "cards/4.json"));
		assert_int_equal(unlinkat(f->dirfd, aside, 0), 0);
		free(aside);
		aside = NULL;
	}
	assert_int_equal(count_entries(f->dirfd, "cards", ".corrupt-"), 0);
	assert_string_equal(state_set_aside_text(-EFBIG),
			    "too large (over 16 MiB: not one of ours), not read");

	/* names.json too. */
	fd = openat(f->dirfd, "names.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
	close(fd);
	{
		struct name_registry *r = NULL;

		assert_int_equal(names_load(f->dirfd, &r, &aside), -EFBIG);
		assert_null(r);
	}
	assert_memory_equal(aside, "names.json.too-large-", strlen("names.json.too-large-"));
	free(aside);
}

static int read_errno;

static ssize_t read_fail(int fd, void *buf, size_t len)
{
	errno = read_errno;
	return -1;
}

/*
 * A file that exists but cannot be read (a disk error, ...) is not corrupt:
 * the error comes back, and the file stays where it is, untouched, for a
 * later load.
 */
static void test_load_read_error(void **state)
{
	static const int errs[] = { EIO, EACCES, ENOMEM };
	struct fixture *f = *state;
	struct card_state *s = NULL;
	char *aside = NULL;

	assert_int_equal(mkdirat(f->dirfd, "cards", 0755), 0);
	put_file(f->dirfd, "cards/42.json", CARD_DOC("1", "42"));
	for (size_t i = 0; i < ELEMENTSOF(errs); i++) {
		read_errno = errs[i];
		state_io_test_hooks.read = read_fail;
		assert_int_equal(card_state_load(f->dirfd, 42, &s, &aside), -errs[i]);
		assert_null(s);
		assert_null(aside);
		assert_null(state_set_aside_text(-errs[i]));
		assert_file(f->dirfd, "cards/42.json", CARD_DOC("1", "42"));
		assert_int_equal(count_entries(f->dirfd, "cards", "42.json."), 0);
	}
	/* The disk recovers: the same file loads. */
	state_io_test_hooks.read = read;
	assert_int_equal(card_state_load(f->dirfd, 42, &s, &aside), 0);
	assert_non_null(s);
	card_state_free(s);
}

/*
 * Removing a record (ocxlpmemctl forget): gone and the directory fsync'd;
 * none there is -ENOENT; a failed fsync is reported though the file is
 * gone (the caller writes it back); a failed unlink leaves it.
 */
static void test_card_remove(void **state)
{
	struct fixture *f = *state;
	struct card_state *s = make_card(42, 3);

	assert_int_equal(card_state_exists(f->dirfd, 42), 0);
	assert_int_equal(card_state_remove(f->dirfd, 42), -ENOENT);
	assert_int_equal(card_state_save(f->dirfd, s), 0);
	assert_int_equal(card_state_exists(f->dirfd, 42), 1);
	assert_int_equal(card_state_exists(f->dirfd, 43), 0);

	state_io_test_hooks.fsync = fsync_fail;
	calls = 0;
	fail_at = 1;
	fail_errno = EIO;
	assert_int_equal(card_state_remove(f->dirfd, 42), 0 - EIO);
	state_io_test_hooks = real_hooks;
	assert_int_equal(card_state_exists(f->dirfd, 42), 0);

	assert_int_equal(card_state_save(f->dirfd, s), 0);
	calls = 0;
	state_io_test_hooks.fsync = fsync_fail;
	fail_at = 2; /* the fsync of cards/ is the first and only one */
	assert_int_equal(card_state_remove(f->dirfd, 42), 0);
	state_io_test_hooks = real_hooks;
	assert_int_equal(calls, 1);
	assert_int_equal(card_state_exists(f->dirfd, 42), 0);
	assert_int_equal(card_state_remove(f->dirfd, 42), -ENOENT);

	/* A record that cannot be read (a directory in its place) exists,
	 * and is not removed by unlink. */
	assert_int_equal(mkdirat(f->dirfd, "cards/42.json", 0755), 0);
	assert_int_equal(card_state_exists(f->dirfd, 42), 1);
	assert_int_equal(card_state_remove(f->dirfd, 42), -EISDIR);
	assert_int_equal(card_state_exists(f->dirfd, 42), 1);
	assert_int_equal(unlinkat(f->dirfd, "cards/42.json", AT_REMOVEDIR), 0);
	card_state_free(s);
}

/* ---- names ------------------------------------------------------------------------ */

static void test_names_save_load(void **state)
{
	struct fixture *f = *state;
	struct name_registry *r, *back = NULL;
	char *aside = NULL;

	assert_int_equal(names_load(f->dirfd, &back, &aside), -ENOENT);
	assert_null(back);
	assert_int_equal(names_new(&r), 0);
	assert_string_equal(names_assign(r, 100, NULL), "ocxlpmem0");
	assert_string_equal(names_assign(r, 200, NULL), "ocxlpmem1");
	assert_int_equal(names_save(f->dirfd, r), 0);
	assert_int_equal(names_load(f->dirfd, &back, &aside), 0);
	assert_null(aside);
	assert_true(names_lookup(back, "ocxlpmem1") == 200);
	assert_string_equal(names_assign(back, 300, NULL), "ocxlpmem2");
	back = names_free(back);
	names_free(r);
	assert_no_temp(f->dirfd, ".");

	put_file(f->dirfd, "names.json", "{\"format\": \"ocxlpmemd-names\", \"version\": 1}");
	assert_int_equal(names_load(f->dirfd, &back, &aside), -EBADMSG);
	assert_null(back);
	assert_non_null(aside);
	assert_memory_equal(aside, "names.json.corrupt-", strlen("names.json.corrupt-"));
	free(aside);
	aside = NULL;
	put_file(f->dirfd, "names.json", "{\"format\": \"ocxlpmemd-names\", \"version\": 9}");
	assert_int_equal(names_load(f->dirfd, &back, &aside), -EPROTONOSUPPORT);
	assert_memory_equal(aside, "names.json.future-", strlen("names.json.future-"));
	free(aside);
	assert_int_equal(names_load(f->dirfd, &back, NULL), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_new_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_save_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_load_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_aside_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_odd_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_read_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_save_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
