// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "util/log.h"

static enum log_target target = LOG_TARGET_STDERR;
static int max_level = LOG_INFO;

/*
 * sd_journal_send() returns 0 and drops the message when journald is not
 * running, so "auto" checks for its socket instead of trusting the call.
 */
static bool journald_listening(void)
{
	const char *sock = getenv("OCXLPMEMD_JOURNAL_SOCKET");

	return access(sock ? sock : "/run/systemd/journal/socket", W_OK) == 0;
}

enum log_target log_open(enum log_target t)
{
	if (t == LOG_TARGET_AUTO)
		t = journald_listening() ? LOG_TARGET_JOURNAL : LOG_TARGET_STDERR;
	target = t;
	return t;
}

enum log_target log_target(void)
{
	return target;
}

void log_set_max_level(int priority)
{
	max_level = priority;
}

int log_parse_target(const char *s, enum log_target *ret)
{
	if (strcmp(s, "auto") == 0)
		*ret = LOG_TARGET_AUTO;
	else if (strcmp(s, "journal") == 0)
		*ret = LOG_TARGET_JOURNAL;
	else if (strcmp(s, "stderr") == 0)
		*ret = LOG_TARGET_STDERR;
	else
		return -EINVAL;
	return 0;
}

static const char *level_name(int priority)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	};

	return priority >= 0 && priority <= LOG_DEBUG ? names[priority] : "info";
}

__attribute__((format(printf, 2, 0)))
static void log_va(int priority, const char *fmt, va_list ap)
{
	char buf[1024];

	if (priority > max_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (target == LOG_TARGET_JOURNAL)
		sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%i", priority,
				"SYSLOG_IDENTIFIER=ocxlpmemd", NULL);
	else
		fprintf(stderr, "ocxlpmemd[%s]: %s\n", level_name(priority), buf);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_va(priority, fmt, ap);
	va_end(ap);
	errno = saved;
}

int log_errno(int priority, int err, const char *fmt, ...)
{
	va_list ap;
	char buf[900];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg(priority, "%s: %s", buf, strerror(abs(err)));
	return -abs(err);
}

void log_sink_daemon(int priority, const char *message, void *userdata)
{
	(void)userdata;
	log_msg(priority, "%s", message);
}
