#!/bin/bash
# Footprint of ocxlpmemd with 256 simulated cards, each figure against a
# baseline measured in the same run:
#   - RSS: the daemon with 256 cards vs the same daemon with 0 cards;
#   - CPU per poll cycle (every card: SMART, health, events, stats,
#     firmware): the daemon vs the same commands issued directly through
#     libocxlpmem (bench-direct-poll), i.e. the daemon's overhead factor;
#   - wake-ups at the default poll intervals: voluntary + involuntary
#     context switches of all the daemon's threads (/proc/PID/task/*/status)
#     over IDLE_SECONDS, per second, against the same daemon with 0 cards.
# Everything runs at the default poll intervals (health 60 s, stats 5 min,
# firmware 1 h, 10% jitter): the CPU cycles are forced with SIGUSR1, and a
# periodic poll may fall into the CPU window.
# Usage: bench/footprint.sh BUILDDIR [CARDS] [CYCLES] [IDLE_SECONDS]
set -euo pipefail
build=$(cd "${1:?usage: footprint.sh BUILDDIR}" && pwd)
cards=${2:-256}
cycles=${3:-20}
idle=${4:-75} # more than one default health interval (60 s + 10% jitter)
. "$(dirname "$0")/lib-bench.sh" "$build"
pid=

cat > "$WORK/etc/ocxlpmemd.conf" <<CONF
[simulator]
realistic_latency = no
CONF

# Each daemon on its own state: the second must not find the first's.
start() {
	rm -rf "$WORK/state"
	# The metrics endpoint on, at its default address, as installed.
	start_daemon --simulate="$1" --metrics-listen 127.0.0.1:9580
	pid=$DAEMON_PID
	sleep 2 # the initial polls
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
switches() {
	cat /proc/"$pid"/task/*/status 2>/dev/null |
		awk '/ctxt_switches/ {s += $2} END {print s}'
}
pending() {
	ctl --json show ocxlpmem0 | jq '.card.polls[0].total'
}

start 0
rss0=$(rss_kb)
w0=$(switches)
sleep "$idle"
w1=$(switches)
stop_daemon 10

start "$cards"
rss=$(rss_kb)
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks)
for ((i = 0; i < cycles; i++)); do
	before=$(pending)
	poll_now
	while [ "$(pending)" -le "$before" ]; do sleep 0.02; done
done
sleep 0.5
c1=$(cpu_ticks)
daemon_cycle=$(echo "scale=6; ($c1 - $c0) / $hz / $cycles" | bc)
s0=$(switches)
sleep "$idle"
s1=$(switches)
stop_daemon 30

direct_cycle=$("$build/bench/bench-direct-poll" "$cards" "$cycles")

echo "cards:                     $cards"
echo "RSS, 0 cards:              ${rss0} KiB"
echo "RSS, $cards cards:            ${rss} KiB  (ratio $(echo "scale=2; $rss / $rss0" | bc), $(echo "scale=1; ($rss - $rss0) / $cards" | bc) KiB per card)"
echo "CPU per poll cycle:        ${daemon_cycle} s daemon, ${direct_cycle} s direct library calls (ratio $(echo "scale=2; $daemon_cycle / $direct_cycle" | bc))"
echo "wake-ups, default polling: $(echo "scale=2; ($s1 - $s0) / $idle" | bc)/s with $cards cards, $(echo "scale=2; ($w1 - $w0) / $idle" | bc)/s with 0 (all threads, over ${idle} s; $(echo "scale=3; ($s1 - $s0 - $w1 + $w0) / $idle / $cards" | bc)/s per card)"
