// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's clocks: see clock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

static const char *test_offset_file;

void clock_set_test_offset_file(const char *path)
{
	test_offset_file = path;
}

/* Seconds from the test offset file; 0 when there is none or it is bad. */
static int64_t test_offset_s(void)
{
	char buf[32], *end;
	long long v;
	ssize_t n;
	int fd;

	fd = open(test_offset_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return 0;
	return v;
}

uint64_t now_realtime_us(void)
{
	struct timespec ts;
	uint64_t us;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	if (test_offset_file)
		us += (uint64_t)(test_offset_s() * 1000000);
	return us;
}

uint64_t now_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
