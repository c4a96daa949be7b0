#!/bin/bash
# ocxlpmemd under a small RLIMIT_NOFILE (128, hard and soft): the client
# caps follow the limit and keep a reserve for the daemon, so a flood of
# HTTP and Varlink clients far past it never starves the daemon's own
# files, never spins on accept() (EMFILE) and never floods the log; a
# Varlink call and a state save work during the HTTP flood and after.
. "$(dirname "$0")/lib-daemon.sh"

FLOOD="$top_builddir/tests/http-flood"
if ! command -v prlimit >/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: prlimit (util-linux) and curl are needed"
	exit 77
fi
PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"
FLOOD_PIDS=
cleanup_all() {
	local rc=$? p
	for p in $FLOOD_PIDS; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# cleanup reads the status from $?; errexit would end the trap here.
	set +e
	(exit "$rc")
	cleanup
}
trap cleanup_all EXIT

# CPU ticks (user + system) the daemon has used.
ticks() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }
# A state save: an error-log entry is saved with the card's state.
saves_state() {
	local card=$1 marker="$WORK/marker.$RANDOM"
	touch "$marker"
	sleep 0.1
	ctl sim inject "$card" error-log --type general >/dev/null || return 1
	# The find runs on every try (a $(...) here would run once, before
	# the drain could have saved anything).
	wait_for 10 bash -c 'find "$1" -type f -newer "$2" | grep -q .' _ "$WORK/state" "$marker"
}

DAEMON_PREFIX="prlimit --nofile=128:128 --" start_daemon --simulate=4 --metrics-listen "127.0.0.1:$PORT"
wait_for 10 curl -sf "$URL/metrics"
check "caps from the limit: 56 Varlink, 8 HTTP, 64 kept" \
	grep -q "file descriptors: limit 128; up to 56 Varlink and 8 HTTP clients, 64 kept for the daemon" "$LOG"

# 300 HTTP clients, well past the limit.
"$FLOOD" hold "$PORT" 300 6 > "$WORK/hold-http" &
FLOOD_PIDS="$!"
sleep 1.5
t0=$(ticks)
sleep 3
t1=$(ticks)
check "300 HTTP clients: daemon CPU over 3 s is low ($((t1 - t0)) ticks <= 30)" test $((t1 - t0)) -le 30
check "300 HTTP clients: a Varlink call works" ctl version
check "300 HTTP clients: a state save works" saves_state ocxlpmem0
wait $FLOOD_PIDS
FLOOD_PIDS=

# 300 Varlink clients (one uid: the per-user cap is the total cap here)
# and 300 HTTP clients.
"$FLOOD" hold-unix "$SOCK" 300 5 > "$WORK/hold-varlink" &
FLOOD_PIDS="$!"
"$FLOOD" hold "$PORT" 300 5 > "$WORK/hold-http" &
FLOOD_PIDS="$FLOOD_PIDS $!"
sleep 1.5
t0=$(ticks)
sleep 3
t1=$(ticks)
check "300 + 300 clients: daemon CPU over 3 s is low ($((t1 - t0)) ticks <= 30)" test $((t1 - t0)) -le 30
for p in $FLOOD_PIDS; do
	wait "$p"
done
FLOOD_PIDS=

accepts=$(grep -ci "accept" "$LOG" || true)
check "at most a few accept() lines in the log ($accepts)" test "$accepts" -le 3
check "no file the daemon could not open" bash -c "! grep -qi 'too many open files' '$LOG'"
refusals=$(grep -c 'varlink: refusing' "$LOG" || true)
check "Varlink refusals are rate-limited ($refusals lines)" test "$refusals" -ge 1 -a "$refusals" -le 10
wait_for 5 ctl version
check "after the flood: a Varlink call works" ctl version
check "after the flood: a state save works" saves_state ocxlpmem1
check "after the flood: scrapes work" curl -sf "$URL/metrics" -o /dev/null

stop_daemon 2
echo "$CHECKS passed, 0 failed"
