#!/bin/bash
# The metrics endpoint follows [metrics] listen across reloads (SIGHUP)
# when the command line does not set it: it moves to a new address, stops
# at "off" and comes back, and the Varlink API serves on throughout.  The
# endpoint hears of a reload as one of the manager's observers
# (daemon/metrics/metrics-service.c), not from the core.
. "$(dirname "$0")/lib-daemon.sh"

if ! command -v curl >/dev/null; then
	echo "SKIP: curl is needed (Debian package curl)"
	exit 77
fi

P1=$((20000 + RANDOM % 10000))
P2=$((P1 + 10000))

listen_on() {
	write_test_config
	printf '\n[metrics]\nlisten = %s\n' "$1" >> "$WORK/etc/ocxlpmemd.conf"
}
serves() { curl -sf "http://127.0.0.1:$1/metrics" >/dev/null; }
refuses() { ! curl -s "http://127.0.0.1:$1/metrics" >/dev/null; }
# status exits 1-3 for an unhealthy card: that is an answer too.
varlink_up() { local rc=0; ctl --json status >/dev/null || rc=$?; [ "$rc" -le 3 ]; }
reloads() { grep -c "configuration reloaded" "$LOG" || true; }
# For wait_for: count again on every try.
reloaded_since() { [ "$(reloads)" -gt "$1" ]; }
reload() {
	local before
	before=$(reloads)
	kill -HUP "$DAEMON_PID"
	wait_for 10 reloaded_since "$before"
}

listen_on "127.0.0.1:$P1"
# Not start_daemon: it sets --metrics-listen, which a reload never overrides.
"$DAEMON" --config "$WORK/etc/ocxlpmemd.conf" --state-dir "$WORK/state" \
	--runtime-dir "$WORK/run" --log-target stderr --simulate=1 >> "$LOG" 2>&1 &
DAEMON_PID=$!
wait_for 10 serves "$P1"
check "serves on the configured address" serves "$P1"

listen_on "127.0.0.1:$P2"
reload
wait_for 10 serves "$P2"
check "moves to the new address on reload" serves "$P2"
check "leaves the old address" refuses "$P1"

listen_on off
reload
wait_for 10 refuses "$P2"
check "stops at off" refuses "$P2"
check "Varlink serves on" varlink_up

listen_on "127.0.0.1:$P1"
reload
wait_for 10 serves "$P1"
check "comes back on reload" serves "$P1"
check "said why it moved" grep -q "metrics: serving http://127.0.0.1:$P1/metrics" "$LOG"

stop_daemon
echo "PASS: $CHECKS checks"
