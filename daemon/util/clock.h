/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's clocks.  CLOCK_REALTIME stamps what is stored or shown (an
 * error-log entry's arrival, an alert's last sending) and can step either
 * way (NTP, an administrator, a VM restored from a snapshot); every age
 * computed from such a stamp goes through clock_age_us(), so a stamp from
 * the future is "now", never "ancient".  Intervals that are not stored use
 * CLOCK_MONOTONIC, which never steps.
 */
#ifndef OCXLPMEMD_CLOCK_H
#define OCXLPMEMD_CLOCK_H

#include <stdint.h>

/* CLOCK_REALTIME in microseconds (plus the test offset, see below). */
uint64_t now_realtime_us(void);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t now_monotonic_ms(void);

/*
 * now - then for two CLOCK_REALTIME stamps, or 0 when then is later than
 * now (the clock was stepped back since then): the plain unsigned
 * difference would wrap to some 584,000 years.
 */
static inline uint64_t clock_age_us(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/*
 * Test only (--test-clock-offset-file): while set, now_realtime_us() adds
 * the signed number of seconds in path, read at every call (absent or
 * unreadable: 0), so a test steps the daemon's wall clock by rewriting
 * the file.  NULL turns it off.
 */
void clock_set_test_offset_file(const char *path);

#endif /* OCXLPMEMD_CLOCK_H */
