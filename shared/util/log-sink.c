// SPDX-License-Identifier: GPL-2.0-or-later
/* Formatting for a log sink: see log-sink.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "shared/util/log-sink.h"

void log_sink_printf(const struct log_sink *sink, int priority, const char *fmt, ...)
{
	/* The daemon's own lines are cut at the same length (util/log.c). */
	char buf[1024];
	int saved = errno;
	va_list ap;

	if (!sink || !sink->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sink->fn(priority, buf, sink->userdata);
	errno = saved;
}
