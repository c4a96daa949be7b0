/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One line now and then for something a client can make happen at will
 * (refused connections, failed accepts): log_ratelimit() is true for the
 * first event and then at most once per interval_s, with *ret_suppressed
 * set to the events not logged since the last line.  Used by the daemon's
 * HTTP server and by the shared Varlink server and listener back-off.
 */
#ifndef SHARED_LOG_RATELIMIT_H
#define SHARED_LOG_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct log_ratelimit {
	uint64_t last_ms;
	unsigned long suppressed;
	bool started;
};

bool log_ratelimit(struct log_ratelimit *rl, unsigned int interval_s,
		   unsigned long *ret_suppressed);

#endif /* SHARED_LOG_RATELIMIT_H */
