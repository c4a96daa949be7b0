/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Daemon logging.  Operational messages (not alerts) go to journald or to
 * stderr, one line each; alerts have their own module (alert.h) with fixed
 * MESSAGE_IDs.  Library code never logs: it returns -errno and the daemon
 * logs once, here.
 */
#ifndef OCXLPMEMD_LOG_H
#define OCXLPMEMD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "shared/util/log-ratelimit.h"
#include "shared/util/log-sink.h"

enum log_target {
	LOG_TARGET_AUTO = 0, /* journal when journald listens, else stderr */
	LOG_TARGET_JOURNAL,
	LOG_TARGET_STDERR,
};

/* Resolve AUTO; returns the target in force. */
enum log_target log_open(enum log_target t);
enum log_target log_target(void);
void log_set_max_level(int priority);
int log_parse_target(const char *s, enum log_target *ret);

/* printf-style; returns -abs(err) so callers can `return log_errno(r, ...)`. */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_errno(int priority, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* For code under shared/ (Varlink server, listener back-off): their lines
 * go where the daemon's go, at their priority. */
void log_sink_daemon(int priority, const char *message, void *userdata);
#define LOG_SINK_DAEMON ((struct log_sink){ .fn = log_sink_daemon })

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)

#endif /* OCXLPMEMD_LOG_H */
