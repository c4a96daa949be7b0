#!/bin/bash
# One ocxlpmemd per state directory and per runtime directory: a second one
# exits with 75 (EX_TEMPFAIL) and names the first, and the first's socket
# keeps working.  A daemon removes its socket at exit only while the path
# is still the socket it bound: never one bound since by someone else, and
# never one systemd passed it.

. "$(dirname "$0")/lib-daemon.sh"

sock_id() { stat -c %d:%i "$SOCK"; }
answers() { ctl status >/dev/null 2>&1 || [ $? -le 3 ]; }

# A second daemon; sets rc and leaves its output in $WORK/second.log.
second() {
	rc=0
	timeout 10 "$DAEMON" --config "$WORK/etc/ocxlpmemd.conf" --simulate=1 --log-target stderr \
		--metrics-listen off "$@" > "$WORK/second.log" 2>&1 || rc=$?
}

start_daemon --simulate=1
wait_for 10 health_is ocxlpmem0 ok
first_sock=$(sock_id)
check "the lock file names the holder" \
	test "$(cat "$WORK/state/ocxlpmemd.lock")" = "$DAEMON_PID"

# Same state and runtime directories.
second --state-dir "$WORK/state" --runtime-dir "$WORK/run"
check "same directories: the second exits 75 (got $rc)" test "$rc" -eq 75
check "same directories: the message names the first" grep -qF \
	"another ocxlpmemd (pid $DAEMON_PID) uses $WORK/state; not starting a second one" \
	"$WORK/second.log"
check "same directories: the first's socket is still there" test "$(sock_id)" = "$first_sock"
check "same directories: and answers" answers

# Another state directory, the same runtime directory (socket, sim cards).
second --state-dir "$WORK/state2" --runtime-dir "$WORK/run"
check "same runtime directory: the second exits 75 (got $rc)" test "$rc" -eq 75
check "same runtime directory: the message names the first" grep -qF \
	"another ocxlpmemd (pid $DAEMON_PID) uses $WORK/run; not starting a second one" \
	"$WORK/second.log"
check "same runtime directory: the first's socket still answers" answers
check "same runtime directory: the first's socket is untouched" test "$(sock_id)" = "$first_sock"

# The state directory as the runtime directory: one lock, no conflict.
"$DAEMON" --config "$WORK/etc/ocxlpmemd.conf" --simulate=1 --log-target stderr \
	--metrics-listen off --state-dir "$WORK/both" --runtime-dir "$WORK/both" \
	> "$WORK/both.log" 2>&1 &
both_pid=$!
# shellcheck disable=SC2016 # expanded by the cleanup, when it runs
CLEANUP_EXTRA='kill -KILL "$both_pid" 2>/dev/null'
wait_for 10 grep -q "ready: monitoring 1 card" "$WORK/both.log"
kill -TERM "$both_pid"
wait "$both_pid" || fail "ocxlpmemd with one directory for both exited with $?"
CLEANUP_EXTRA=
check "one directory as state and runtime directory: starts and stops" true

stop_daemon
check "at exit, the daemon removes its own socket" test ! -e "$SOCK"
check "a stopped daemon's lock is free again" \
	flock -n "$WORK/state/ocxlpmemd.lock" true

# A socket someone else bound on the path since is not ours to remove.
start_daemon --simulate=1
rm "$SOCK"
# (socat binds it, and leaves it when it ends.)
socat -u UNIX-LISTEN:"$SOCK",unlink-close=0 - > /dev/null 2>&1 &
other_pid=$!
wait_for 5 test -S "$SOCK"
other=$(sock_id)
kill "$other_pid" 2>/dev/null || true
wait "$other_pid" 2>/dev/null || true
stop_daemon
check "at exit, a socket bound by another process stays" test "$(sock_id)" = "$other"
rm "$SOCK"

# Socket activation: the socket is systemd's, it stays.
if command -v systemd-socket-activate >/dev/null; then
	systemd-socket-activate -l "$SOCK" "$DAEMON" --config "$WORK/etc/ocxlpmemd.conf" \
		--simulate=1 --state-dir "$WORK/state" --runtime-dir "$WORK/run" \
		--log-target stderr --metrics-listen off >> "$LOG" 2>&1 &
	DAEMON_PID=$!
	wait_for 10 test -S "$SOCK"
	wait_for 10 answers
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "socket-activated ocxlpmemd exited with $?"
	DAEMON_PID=
	check "socket activation: served the passed socket" \
		grep -q "varlink: serving 1 socket passed by systemd" "$LOG"
	check "socket activation: the socket is not removed" test -S "$SOCK"
else
	echo "# SKIP socket activation: systemd-socket-activate is not installed"
fi
