#!/bin/bash
# ListCards over D-Bus (io.ocxlpmem1, through a dbus-daemon) against
# ListCards over Varlink, with 256 simulated cards polled at the default
# intervals, in the same run (bench/dbus-latency.c): p50, p99, ratio.
# The bus is a private dbus-daemon with the system bus's default policy
# and the shipped io.ocxlpmem1.conf (tests/dbus/test-bus.conf).
# Usage: bench/dbus-latency.sh BUILDDIR [CARDS] [CALLS] [ROUNDS]
set -euo pipefail
build=$(cd "${1:?usage: dbus-latency.sh BUILDDIR [CARDS] [CALLS] [ROUNDS]}" && pwd)
cards=${2:-256}
calls=${3:-500}
rounds=${4:-6}
[ -x "$build/bench/dbus-latency" ] || { echo "build bench/dbus-latency first (make bench/dbus-latency)"; exit 77; }
command -v dbus-daemon >/dev/null || { echo "dbus-daemon is not installed"; exit 77; }
. "$(dirname "$0")/lib-bench.sh" "$build"

busdir="$WORK/bus"
mkdir -p "$busdir"
sed -e "s|@SOCKET@|$busdir/socket|" \
	-e "s|@POLICY@|$top_srcdir/systemd/dbus/io.ocxlpmem1.conf|" \
	"$top_srcdir/tests/dbus/test-bus.conf" > "$busdir/bus.conf"
dbus-daemon --config-file="$busdir/bus.conf" --nofork --nopidfile 2>/dev/null &
bus_pid=$!
CLEANUP_EXTRA="kill $bus_pid 2>/dev/null || true"
wait_for 5 test -S "$busdir/socket"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$busdir/socket"
start_daemon --simulate="$cards"

unknown_cards() { { ctl --json status || true; } | jq '.summary.unknown'; }
for _ in $(seq 300); do
	[ "$(unknown_cards)" = 0 ] && break
	sleep 0.1
done
wait_for 10 busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" status io.ocxlpmem1
sleep 1
echo "cards: $cards (ocxlpmemd --simulate=$cards, default poll intervals)"
"$build/bench/dbus-latency" "$SOCK" "$DBUS_SYSTEM_BUS_ADDRESS" "$calls" "$rounds"
