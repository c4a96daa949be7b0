/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A file the client writes for the user (the support bundle): complete or
 * absent, never half written, never through a symlink someone planted, and
 * readable only by its owner (0600), since it holds what the daemon knows.
 *
 * The data goes to an unnamed O_TMPFILE in the target's directory, linked
 * under a fresh temporary name and renamed over the target when complete.
 * Where the file system has no O_TMPFILE, the temporary is created named,
 * O_EXCL|O_NOFOLLOW, and SIGINT, SIGTERM and SIGHUP remove it before the
 * process dies.  One output file at a time per process.
 */
#ifndef OCXLPMEMCTL_OUTPUT_FILE_H
#define OCXLPMEMCTL_OUTPUT_FILE_H

/* What the temporary name adds to the target's: NAME.tmp.XXXXXX. */
#define OUTPUT_FILE_TMP_SUFFIX ".tmp.XXXXXX"

struct output_file {
	int fd;           /* write here; -1 when closed */
	int dirfd;        /* the target's directory */
	char *name;       /* the target's name in dirfd */
	char *tmp;        /* the temporary's name in dirfd, NULL while unnamed */
};

/*
 * Create the temporary for path: 0, -ENAMETOOLONG when path or its
 * temporary name would not fit the file system (nothing is truncated), or
 * another -errno.  Nothing is left on failure.
 */
int output_file_open(struct output_file *of, const char *path);
/* fsync the data and rename it to the target: 0 / -errno (then aborted). */
int output_file_commit(struct output_file *of);
/* Drop the temporary; the target is untouched.  Fine on a closed one. */
void output_file_abort(struct output_file *of);

#endif /* OCXLPMEMCTL_OUTPUT_FILE_H */
