// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Write-then-rename for the files ocxlpmemctl leaves for the user; see
 * output-file.h.  The temporary is never opened by a name an attacker can
 * have planted: O_TMPFILE has no name, and its fallback creates one with
 * O_EXCL|O_NOFOLLOW; links to a name that exists fail rather than follow.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "output-file.h"

#define SUFFIX_LEN (sizeof(OUTPUT_FILE_TMP_SUFFIX) - 1)
#define RANDOM_LEN 6 /* the XXXXXX */
#define NAME_TRIES 100

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* What the signal handler removes: a named temporary, while armed. */
static volatile sig_atomic_t armed;
static int armed_dirfd = -1;
static char armed_name[PATH_MAX];
static struct sigaction old_actions[sizeof(cleanup_signals) / sizeof(cleanup_signals[0])];
static bool installed;

static void on_fatal_signal(int sig)
{
	int saved = errno;

	if (armed)
		unlinkat(armed_dirfd, armed_name, 0);
	/* SA_RESETHAND restored the default: die of the signal, as asked. */
	raise(sig);
	errno = saved;
}

static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
		sigaction(cleanup_signals[i], NULL, &old_actions[i]);
		/* Ignored (nohup): stay ignored, nothing will interrupt us. */
		if (old_actions[i].sa_handler != SIG_IGN)
			sigaction(cleanup_signals[i], &sa, NULL);
	}
	installed = true;
}

static void restore_handlers(void)
{
	if (!installed)
		return;
	installed = false;
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
		sigaction(cleanup_signals[i], &old_actions[i], NULL);
}

/* name with its XXXXXX replaced by fresh random letters. */
static int randomize(char *name)
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[RANDOM_LEN];
	char *x = name + strlen(name) - RANDOM_LEN;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -errno;
	for (size_t i = 0; i < RANDOM_LEN; i++)
		x[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	return 0;
}

/* A template for the temporary's name; of->tmp is set only once it is ours. */
static char *tmp_template(const struct output_file *of)
{
	size_t len = strlen(of->name) + SUFFIX_LEN + 1;
	char *t = malloc(len);

	if (t)
		snprintf(t, len, "%s%s", of->name, OUTPUT_FILE_TMP_SUFFIX);
	return t;
}

/* The directory of path and its last component; refuse what would not fit. */
static int split_path(struct output_file *of, const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir;
	long name_max;

	if (!*path)
		return -EINVAL;
	if (!*base)
		return -EISDIR;
	/* The temporary's path is the longest one we use. */
	if (strlen(path) + SUFFIX_LEN >= PATH_MAX)
		return -ENAMETOOLONG;
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return -ENOMEM;
	of->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (of->dirfd < 0)
		return -errno;
	name_max = fpathconf(of->dirfd, _PC_NAME_MAX);
	if (name_max <= 0)
		name_max = NAME_MAX;
	if (strlen(base) + SUFFIX_LEN > (size_t)name_max)
		return -ENAMETOOLONG;
	of->name = strdup(base);
	return of->name ? 0 : -ENOMEM;
}

/* No O_TMPFILE here: a fresh name, created exclusively, never followed. */
static int open_named(struct output_file *of)
{
	char *tmp = tmp_template(of);
	sigset_t old;
	int r = -EEXIST;

	if (!tmp)
		return -ENOMEM;
	for (int i = 0; i < NAME_TRIES && r == -EEXIST; i++) {
		r = randomize(tmp);
		if (r < 0)
			break;
		/* Armed in the same breath as created: no signal in between. */
		block_signals(&old);
		of->fd = openat(of->dirfd, tmp,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (of->fd >= 0) {
			armed_dirfd = of->dirfd;
			snprintf(armed_name, sizeof(armed_name), "%s", tmp);
			armed = 1;
			of->tmp = tmp;
		}
		r = of->fd < 0 ? -errno : 0;
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (r < 0)
		free(tmp);
	return r;
}

int output_file_open(struct output_file *of, const char *path)
{
	int r;

	*of = (struct output_file){ .fd = -1, .dirfd = -1 };
	r = split_path(of, path);
	if (r < 0)
		goto fail;
	install_handlers();
	of->fd = openat(of->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (of->fd >= 0)
		return 0;
	/* EISDIR: a kernel without O_TMPFILE; EOPNOTSUPP: a file system. */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		r = -errno;
		goto fail;
	}
	r = open_named(of);
	if (r < 0)
		goto fail;
	return 0;
fail:
	output_file_abort(of);
	return r;
}

/* Give the unnamed temporary a fresh name in the target's directory. */
static int link_tmpfile(struct output_file *of)
{
	char proc[64], *tmp = tmp_template(of);
	int r = -EEXIST;

	if (!tmp)
		return -ENOMEM;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", of->fd);
	for (int i = 0; i < NAME_TRIES && r == -EEXIST; i++) {
		r = randomize(tmp);
		if (r < 0)
			break;
		r = 0;
		if (linkat(AT_FDCWD, proc, of->dirfd, tmp, AT_SYMLINK_FOLLOW) == 0)
			break;
		/* No /proc: AT_EMPTY_PATH, which needs CAP_DAC_READ_SEARCH. */
		if (errno == ENOENT && linkat(of->fd, "", of->dirfd, tmp, AT_EMPTY_PATH) == 0)
			break;
		r = -errno;
	}
	if (r < 0)
		free(tmp);
	else
		of->tmp = tmp;
	return r;
}

int output_file_commit(struct output_file *of)
{
	sigset_t old;
	int r = 0;

	if (fsync(of->fd) < 0) {
		r = -errno;
		goto out;
	}
	/* Linked and renamed with the signals held: nothing named is left. */
	block_signals(&old);
	if (!of->tmp)
		r = link_tmpfile(of);
	if (r == 0 && renameat(of->dirfd, of->tmp, of->dirfd, of->name) < 0)
		r = -errno;
	if (r == 0) {
		free(of->tmp);
		of->tmp = NULL;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	output_file_abort(of);
	return r;
}

void output_file_abort(struct output_file *of)
{
	sigset_t old;

	block_signals(&old);
	if (of->tmp)
		unlinkat(of->dirfd, of->tmp, 0);
	armed = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	restore_handlers();
	if (of->fd >= 0)
		close(of->fd);
	if (of->dirfd >= 0)
		close(of->dirfd);
	free(of->name);
	free(of->tmp);
	*of = (struct output_file){ .fd = -1, .dirfd = -1 };
}
