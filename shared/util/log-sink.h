/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where shared code sends the few lines it logs.  Code under shared/ is
 * linked by the daemon, the client, the tests and the benches, so it must
 * not pick a log destination itself (journald, stderr, nothing): its
 * owner hands it a sink, as libndctl takes a log callback per context.
 * A sink with no function drops everything, which is what a client or a
 * test that does not care gets by leaving it zeroed.
 */
#ifndef SHARED_LOG_SINK_H
#define SHARED_LOG_SINK_H

#include <syslog.h> /* the LOG_* priorities */

/* priority: LOG_ERR ... LOG_DEBUG; message: one line, no newline. */
typedef void (*log_sink_fn)(int priority, const char *message, void *userdata);

struct log_sink {
	log_sink_fn fn;
	void *userdata;
};

/* printf-style into sink (NULL, or one without fn: nothing); errno is kept. */
void log_sink_printf(const struct log_sink *sink, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* SHARED_LOG_SINK_H */
