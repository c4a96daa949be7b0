/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One ocxlpmemd per directory: an flock(2) on DIR/ocxlpmemd.lock, held for
 * the daemon's life (the kernel drops it when the process dies, however
 * it dies, so a crash never leaves a stale lock).  The holder writes its
 * pid into the file, for the error message of the next one.
 */
#ifndef OCXLPMEMD_DIR_LOCK_H
#define OCXLPMEMD_DIR_LOCK_H

#include <sys/types.h>

#define DIR_LOCK_FILE "ocxlpmemd.lock"

/*
 * Lock DIR_LOCK_FILE in dirfd, creating it (mode 0644).  0 with *ret_fd,
 * to keep open; -EBUSY when another process holds it, with *ret_holder its
 * pid, or 0 when the file does not say (yet); another -errno when the file
 * cannot be opened or locked.
 */
int dir_lock(int dirfd, int *ret_fd, pid_t *ret_holder);

#endif /* OCXLPMEMD_DIR_LOCK_H */
