#!/bin/bash
# The wall clock stepped back (NTP, an administrator, a restored VM) must
# not clear a condition raised by a recent error-log entry: an entry
# stamped "in the future" counts as just arrived.  The daemon's clock is
# moved with the test-only --test-clock-offset-file.

ERRLOG_WINDOW=1h
. "$(dirname "$0")/lib-daemon.sh"

OFFSET="$WORK/clock-offset"
echo 0 > "$OFFSET"

# The health poll's last success (CLOCK_REALTIME as the daemon sees it).
last_ok() {
	ctl --json show ocxlpmem0 | jq -r '.card.polls[] | select(.kind == "health") | .last_ok_usec'
}

# Is the health poll's last success within a minute of $1 (microseconds)?
last_ok_near() {
	local v
	v=$(last_ok)
	[ "$v" -gt $(($1 - 60000000)) ] && [ "$v" -lt $(($1 + 60000000)) ]
}

# Step the daemon's clock to $1 seconds off, and wait until a health poll
# has ended (and the card been judged) on the stepped clock.  Successive
# steps differ by far more than a minute, so the stamp tells them apart.
step_clock() {
	echo "$1" > "$OFFSET"
	poll_now
	wait_for 10 last_ok_near $(($(date +%s%6N) + $1 * 1000000))
}

start_daemon --simulate=1 --test-clock-offset-file="$OFFSET"
wait_for 10 health_is ocxlpmem0 ok
ctl sim inject ocxlpmem0 error-log --type data-loss
wait_for 10 health_is ocxlpmem0 critical
check "data-loss entry: critical, one alert" \
	test "$(alert_count ocxlpmem0 error-log-data-loss active)" -eq 1

step_clock -1800
check "clock 30 min back: still critical" health_is ocxlpmem0 critical
check "clock 30 min back: not cleared" \
	test "$(alert_count ocxlpmem0 error-log-data-loss cleared)" -eq 0

# Back by more than the window: the entry is 2 h "in the future".
step_clock -7200
check "clock 2 h back: still critical" health_is ocxlpmem0 critical
check "clock 2 h back: not cleared" \
	test "$(alert_count ocxlpmem0 error-log-data-loss cleared)" -eq 0
check "clock 2 h back: no reminder either" \
	test "$(alert_count ocxlpmem0 error-log-data-loss reminder)" -eq 0

# Forward past the window: the entry has aged out, the condition clears.
step_clock 7200
check "clock 2 h ahead: the entry aged out" health_is ocxlpmem0 ok
check "clock 2 h ahead: cleared once" \
	test "$(alert_count ocxlpmem0 error-log-data-loss cleared)" -eq 1

stop_daemon
