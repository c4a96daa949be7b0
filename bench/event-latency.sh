#!/bin/bash
# Latency from a fault injected into a simulated card (an error-log entry)
# to the Monitor event a Varlink client receives, at the default settings:
# p50/p99/max over INJECTIONS injections going round the cards, against
# the round trip of a call without card work (GetVersion) measured in the
# same run over the same connections (bench/event-latency.c).
# Usage: bench/event-latency.sh BUILDDIR [CARDS] [INJECTIONS]
set -euo pipefail
build=$(cd "${1:?usage: event-latency.sh BUILDDIR}" && pwd)
cards=${2:-64}
injections=${3:-500}
[ -x "$build/bench/event-latency" ] || { echo "build bench/event-latency first (make bench/event-latency)"; exit 77; }
# The built-in defaults, not whatever /etc/ocxlpmemd.conf says.
. "$(dirname "$0")/lib-bench.sh" "$build"
start_daemon --simulate="$cards"
unknown_cards() {
	{ ctl --json status 2>/dev/null || true; } | jq '.summary.unknown // empty'
}
for _ in $(seq 600); do
	[ "$(unknown_cards)" = 0 ] && break
	sleep 0.1
done
[ "$(unknown_cards)" = 0 ] || { echo "the cards' health is still unknown after 60 s" >&2; exit 1; }
sleep 1

echo "cards: $cards (ocxlpmemd --simulate=$cards, default settings)"
"$build/bench/event-latency" "$SOCK" "$cards" "$injections"
