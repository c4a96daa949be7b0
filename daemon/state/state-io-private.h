/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection for tests/test-state-io: the system calls of
 * atomic_write_file() and of reading a state file go through these
 * pointers, so a test can make a write fail with ENOSPC halfway, an fsync
 * or a read with EIO, as root and without LD_PRELOAD, or count what a load
 * reads.  The daemon never changes them.
 */
#ifndef OCXLPMEMD_STATE_IO_PRIVATE_H
#define OCXLPMEMD_STATE_IO_PRIVATE_H

#include <sys/types.h>

struct state_io_test_hooks {
	ssize_t (*write)(int fd, const void *buf, size_t len);
	int (*fsync)(int fd); /* the file's, then the directory's */
	int (*renameat)(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);
	ssize_t (*read)(int fd, void *buf, size_t len);
};

/* Initialised to write(2), fsync(2), renameat(2) and read(2). */
extern struct state_io_test_hooks state_io_test_hooks;

#endif /* OCXLPMEMD_STATE_IO_PRIVATE_H */
