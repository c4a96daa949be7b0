// SPDX-License-Identifier: GPL-2.0-or-later
/* One ocxlpmemd per directory: see dir-lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/dir-lock.h"

/* The pid the holder wrote, or 0: the file is ours to read, but only
 * advisory, so anything odd in it just means "unknown". */
static pid_t read_holder(int fd)
{
	char buf[24], *end;
	ssize_t n;
	long v;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end != '\n' || v <= 0 || v > 0x3fffffff)
		return 0;
	return (pid_t)v;
}

int dir_lock(int dirfd, int *ret_fd, pid_t *ret_holder)
{
	char pid[24];
	int fd, len;

	*ret_holder = 0;
	fd = openat(dirfd, DIR_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		    0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;

		if (r == -EBUSY)
			*ret_holder = read_holder(fd);
		close(fd);
		return r;
	}
	/* Only for the message of a second daemon: a failure here is no
	 * reason not to run. */
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid, (size_t)len, 0);
	*ret_fd = fd;
	return 0;
}
