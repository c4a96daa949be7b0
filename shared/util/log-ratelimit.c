// SPDX-License-Identifier: GPL-2.0-or-later
/* Rate-limited log lines: see log-ratelimit.h. */
#include <time.h>

#include "shared/util/log-ratelimit.h"

bool log_ratelimit(struct log_ratelimit *rl, unsigned int interval_s,
		   unsigned long *ret_suppressed)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	if (rl->started && now - rl->last_ms < (uint64_t)interval_s * 1000u) {
		rl->suppressed++;
		return false;
	}
	rl->started = true;
	rl->last_ms = now;
	*ret_suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
