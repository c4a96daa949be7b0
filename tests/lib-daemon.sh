# shellcheck shell=bash
# Shared helpers for the tests that run the real ocxlpmemd and ocxlpmemctl,
# and for the benchmarks (through bench/lib-bench.sh, which points it at a
# build directory and runs the daemon as shipped).  Source it; it sets up a
# scratch directory and cleans up on exit.
#
#   start_daemon ARGS...   ocxlpmemd in the background, stderr to $LOG,
#                          READY within $READY_TIMEOUT s (default 10),
#                          NOTIFY_SOCKET collected in $NOTIFY_LOG; run
#                          through $DAEMON_PREFIX when set (a command that
#                          execs the rest, such as prlimit ... --)
#   ctl ARGS...            ocxlpmemctl against that daemon
#   wait_for SECONDS CMD   retry CMD until it succeeds, or fail
#   check NAME CMD...      a named check: prints "ok NAME" or fails with NAME

set -euo pipefail

: "${top_builddir:?run through make check (top_builddir unset)}"
: "${top_srcdir:?run through make check (top_srcdir unset)}"

DAEMON="$top_builddir/daemon/ocxlpmemd"
CTL="$top_builddir/client/ocxlpmemctl"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ocxlpmemd-test.XXXXXX")
LOG="$WORK/daemon.log"
NOTIFY_LOG="$WORK/notify.log"
SOCK="$WORK/run/ocxlpmemd.sock"
DAEMON_PID=
NOTIFY_PID=
CHECKS=0
# Every cached Varlink reply is checked against a fresh render; a stale one
# aborts the daemon and fails the test (daemon/varlink/card-replies.c).
export OCXLPMEMD_VERIFY_REPLY_CACHE=1
# Test daemons never touch the machine's system bus (sd-bus honours this);
# tests/test-dbus.sh points it at a private bus of its own.
export DBUS_SYSTEM_BUS_ADDRESS="${OCXLPMEM_TEST_DBUS_ADDRESS:-unix:path=$WORK/no-system-bus}"

for tool in jq socat; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed (tests/install-deps.sh installs it)"
		exit 77
	fi
done

# Tests may set CLEANUP_EXTRA to a command run first (e.g. stop journald).
CLEANUP_EXTRA=

cleanup() {
	local rc=$?
	if [ -n "$CLEANUP_EXTRA" ]; then
		eval "$CLEANUP_EXTRA" || true
	fi
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ -n "$NOTIFY_PID" ]; then
		kill "$NOTIFY_PID" 2>/dev/null || true
		wait "$NOTIFY_PID" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		echo "---- daemon log (last 60 lines) ----"
		tail -n 60 "$LOG" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# A config with short intervals so tests see polls within seconds.
write_test_config() {
	mkdir -p "$WORK/etc"
	cat > "$WORK/etc/ocxlpmemd.conf" <<EOF
[poll]
health_interval = 5s
stats_interval = 5s
firmware_interval = 5s
jitter = 0
backoff_max = 10s
unresponsive_after = 3

[thresholds]
error_log_window = ${ERRLOG_WINDOW:-1m}
EOF
}

start_daemon() {
	[ -f "$WORK/etc/ocxlpmemd.conf" ] || write_test_config
	# A previous listener unlinks the socket path as it exits: make sure
	# it has, before binding the path again.
	if [ -n "$NOTIFY_PID" ]; then
		kill "$NOTIFY_PID" 2>/dev/null || true
		wait "$NOTIFY_PID" 2>/dev/null || true
		NOTIFY_PID=
	fi
	rm -f "$WORK/notify"
	: > "$NOTIFY_LOG" # READY=1 must be this run's
	socat -u UNIX-RECV:"$WORK/notify",unlink-early,unlink-close=0 - >> "$NOTIFY_LOG" 2>/dev/null &
	NOTIFY_PID=$!
	wait_for 5 test -S "$WORK/notify"
	# shellcheck disable=SC2086 # DAEMON_PREFIX is words
	NOTIFY_SOCKET="$WORK/notify" ${DAEMON_PREFIX:-} "$DAEMON" --config "$WORK/etc/ocxlpmemd.conf" \
		--state-dir "$WORK/state" --runtime-dir "$WORK/run" --log-target "${LOG_TARGET:-stderr}" \
		--metrics-listen off "$@" >> "$LOG" 2>&1 &
	DAEMON_PID=$!
	wait_for "${READY_TIMEOUT:-10}" grep -q "READY=1" "$NOTIFY_LOG"
}

# Stop with SIGTERM; fails when it takes longer than $1 seconds (default 2).
stop_daemon() {
	local limit=${1:-2} start end
	start=$(date +%s%N)
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "ocxlpmemd exited with $? on SIGTERM"
	end=$(date +%s%N)
	DAEMON_PID=
	kill "$NOTIFY_PID" 2>/dev/null || true
	wait "$NOTIFY_PID" 2>/dev/null || true
	NOTIFY_PID=
	if [ $(((end - start) / 1000000)) -gt $((limit * 1000)) ]; then
		fail "ocxlpmemd took $(((end - start) / 1000000)) ms to stop (limit ${limit}000)"
	fi
}

ctl() {
	"$CTL" --address "unix:$SOCK" "$@"
}

# wait_for SECONDS CMD...: CMD must succeed within SECONDS, times
# OCXLPMEM_TEST_WAIT_SCALE (run-all.sh sets 3 for the sanitizer build,
# where everything runs several times slower on a busy machine).
wait_for() {
	local limit=$(($1 * ${OCXLPMEM_TEST_WAIT_SCALE:-1})) i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out after ${limit}s waiting for: $*"
}

check() {
	local name=$1
	shift
	if ! "$@"; then
		fail "check '$name'"
	fi
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $name"
}

# Field of one card from `ocxlpmemctl --json status`.
# (status exits 1-3 for unhealthy cards: that is an answer, not a failure.)
card_field() {
	{ ctl --json status || true; } | jq -r --arg c "$1" ".cards[] | select(.name == \$c) | .$2"
}

# For wait_for: re-read the field on every try.
field_is() {
	[ "$(card_field "$1" "$2")" = "$3" ]
}

health_is() {
	[ "$(card_field "$1" health)" = "$2" ]
}

# Alert lines (stderr target) for a card and condition key.
alert_count() {
	local card=$1 key=$2 event=${3:-}
	grep -c "ALERT $key event=${event}[a-z]* .*card=$card " "$LOG" || true
}

poll_now() {
	kill -USR1 "$DAEMON_PID"
}
