#!/bin/bash
# ocxlpmemd at 64, 256, 1024 and 4096 simulated cards (default settings),
# each figure next to a baseline measured in the same run:
#   - startup: ms to READY=1 (sd_notify) and to the first status in which
#     no card's health is unknown (every card polled once);
#   - RSS: the daemon's own, i.e. VmRSS minus the bytes the simulated
#     cards' models hold (GetVersion's simulation_model_bytes), per card;
#   - CPU per card poll (SIGUSR1: every card, every poll kind), CPU time of
#     all the daemon's threads (schedstat) over CYCLES cycles, against the
#     same commands issued directly through libocxlpmem (bench-direct-poll);
#   - status: ListCards p50/p99 against a raw unix-socket echo of the same
#     bytes (bench/status-latency).
# Usage: bench/scale.sh BUILDDIR [SIZES] [CYCLES] [CALLS]
#   SIZES: a list of card counts, default "64 256 1024 4096".
#
# Unlike the other benches it starts its daemons itself, not through
# bench/lib-bench.sh: the startup figure is timed from the exec, with its
# own READY=1 listener polled every 50 ms.
set -euo pipefail
build=$(cd "${1:?usage: scale.sh BUILDDIR}" && pwd)
sizes=${2:-64 256 1024 4096}
cycles=${3:-3}
calls=${4:-200}
work=$(mktemp -d)
pid= npid=
cleanup() {
	for p in $pid $npid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
for tool in jq socat bc; do
	command -v "$tool" >/dev/null || { echo "needs $tool (tests/install-deps.sh)"; exit 77; }
done
for prog in status-latency bench-direct-poll; do
	[ -x "$build/bench/$prog" ] || { echo "build bench/$prog first (make bench/$prog)"; exit 77; }
done
: > "$work/conf" # the built-in defaults

now_ms() { echo $(($(date +%s%N) / 1000000)); }
ctl() { "$build/client/ocxlpmemctl" --address "unix:$sock" "$@"; }
# status exits 1-3 for cards that are not ok: that is an answer.
unknown_cards() { { ctl --json status 2>/dev/null || true; } | jq '.summary.unknown // empty'; }
cpu_ns() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
polls_of() { ctl --json show "$1" | jq '[.card.polls[].total] | add'; }

row() { printf '%-5s %7s %7s %16s %8s %24s %34s\n' "$@"; }
row cards ready full own_RSS_KiB model cpu_us/card-poll status_p50/p99_us
row "" ms ms "(per card)" B/card "(direct; ratio)" "(raw echo; ratio p50/p99)"
for n in $sizes; do
	sock=$work/r$n/ocxlpmemd.sock
	socat -u UNIX-RECV:"$work/notify$n" - > "$work/notify$n.log" 2>/dev/null &
	npid=$!
	for _ in $(seq 50); do [ -S "$work/notify$n" ] && break; sleep 0.1; done
	t0=$(now_ms)
	NOTIFY_SOCKET=$work/notify$n "$build/daemon/ocxlpmemd" --simulate="$n" --config "$work/conf" \
		--state-dir "$work/s$n" --runtime-dir "$work/r$n" --log-target stderr \
		--metrics-listen off 2> "$work/log$n" &
	pid=$!
	for _ in $(seq 1200); do grep -q READY=1 "$work/notify$n.log" && break; sleep 0.05; done
	ready=$(($(now_ms) - t0))
	for _ in $(seq 1200); do [ "$(unknown_cards)" = 0 ] && break; sleep 0.1; done
	full=$(($(now_ms) - t0))
	[ "$(unknown_cards)" = 0 ] || { echo "$n cards: health still unknown after 2 min" >&2; exit 1; }
	sleep 2

	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	model=$(ctl --json version | jq '.simulation_model_bytes')
	own=$((rss - model / 1024))

	last=ocxlpmem$((n - 1))
	c0=$(cpu_ns)
	for ((i = 0; i < cycles; i++)); do
		before=$(polls_of "$last")
		kill -USR1 "$pid"
		while [ "$(polls_of "$last")" -le "$before" ]; do sleep 0.05; done
	done
	sleep 0.5
	c1=$(cpu_ns)
	per_poll=$(echo "scale=2; ($c1 - $c0) / 1000 / $cycles / $n" | bc)
	direct=$(echo "scale=2; $("$build/bench/bench-direct-poll" "$n" "$cycles") * 1000000 / $n" | bc)

	lat=$("$build/bench/status-latency" "$sock" "$calls" 4)
	d=$(awk '/^ListCards/ {print $4 "/" $7}' <<< "$lat")
	e=$(awk '/^raw unix/ {print $6 "/" $9}' <<< "$lat")
	q=$(awk '/^ratio/ {print $4 "/" $6}' <<< "$lat")
	row "$n" "$ready" "$full" "$own ($(echo "scale=1; $own / $n" | bc))" "$((model / n))" \
		"$per_poll ($direct; $(echo "scale=1; $per_poll / $direct" | bc))" "$d ($e; $q)"

	kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
	kill "$npid" 2>/dev/null || true; wait "$npid" 2>/dev/null || true; npid=
	rm -rf "$work/s$n" "$work/r$n"
done
echo "ready/full: ms from exec to READY=1 / to every card polled; own RSS: VmRSS minus the"
echo "models' bytes; cpu: all threads (schedstat) per card per poll cycle; status: ListCards."
