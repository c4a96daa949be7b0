#!/bin/bash
# Latency of `ocxlpmemctl status`'s call, ListCards, with 256 simulated
# cards: CALLS sequential calls over one Varlink connection (p50, p99),
# against a raw unix-socket round trip of the same request and reply sizes
# to an echo server, measured in the same run, in alternating rounds
# (bench/status-latency.c).  Reports both and the ratios.
# With --hung-card it measures twice, then with ocxlpmem0 hung (a simulated
# hang on every command, the card marked unresponsive), and reports the
# ratio of the two: a hung card must not slow the daemon's answers.
# Usage: bench/status-latency.sh [--hung-card] BUILDDIR [CARDS] [CALLS] [ROUNDS]
set -euo pipefail
hung_card=
if [ "${1:-}" = --hung-card ]; then
	hung_card=1
	shift
fi
build=$(cd "${1:?usage: status-latency.sh [--hung-card] BUILDDIR}" && pwd)
cards=${2:-256}
calls=${3:-2000}
rounds=${4:-10}
[ -x "$build/bench/status-latency" ] || { echo "build bench/status-latency first (make bench/status-latency)"; exit 77; }
# The built-in defaults, not whatever /etc/ocxlpmemd.conf says.
. "$(dirname "$0")/lib-bench.sh" "$build"
work=$WORK sock=$SOCK
start_daemon --simulate="$cards"

# Wait for the first polls: with every card's health known the replies have
# their usual size, and no poll burst overlaps the measurement.
unknown_cards() {
	# status exits 1-3 for cards that are not ok: that is an answer.
	{ ctl --json status || true; } | jq '.summary.unknown'
}
for _ in $(seq 300); do
	[ "$(unknown_cards)" = 0 ] && break
	sleep 0.1
done
[ "$(unknown_cards)" = 0 ] || { echo "the cards' health is still unknown after 30 s" >&2; exit 1; }
sleep 1

echo "cards: $cards (ocxlpmemd --simulate=$cards --metrics-listen off)"
if [ -z "$hung_card" ]; then
	"$build/bench/status-latency" "$sock" "$calls" "$rounds"
	exit 0
fi

daemon_p() { awk -v f="$1" '/^ListCards/ { for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }'; }
echo "== every card answering"
"$build/bench/status-latency" "$sock" "$calls" "$rounds" | tee "$work/ok"
# Hang every command of ocxlpmem0 until the daemon stops, and poll now so
# the executor has a call stuck and the card is marked unresponsive.
ctl sim inject ocxlpmem0 hang >/dev/null
poll_now
health0() {
	{ ctl --json status || true; } | jq -r '.cards[] | select(.name == "ocxlpmem0") | .health'
}
for _ in $(seq 300); do
	[ "$(health0)" = unresponsive ] && break
	sleep 0.1
done
[ "$(health0)" = unresponsive ] || { echo "ocxlpmem0 did not become unresponsive" >&2; exit 1; }
echo "== ocxlpmem0 hung"
"$build/bench/status-latency" "$sock" "$calls" "$rounds" | tee "$work/hung"
printf 'hung/answering:      p50 %8.2f      p99 %8.2f\n' \
	"$(echo "scale=4; $(daemon_p p50 < "$work/hung") / $(daemon_p p50 < "$work/ok")" | bc)" \
	"$(echo "scale=4; $(daemon_p p99 < "$work/hung") / $(daemon_p p99 < "$work/ok")" | bc)"
