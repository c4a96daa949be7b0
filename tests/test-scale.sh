#!/bin/bash
# ocxlpmemd with 4096 simulated cards, under the usual descriptor limit of
# 1024: it gets READY, `ocxlpmemctl status` lists every card, it holds a
# bounded number of descriptors, and the cards' models are allocated
# lazily (a card's error-log ring exists while it has entries).
# Takes about 10-20 s on 2 busy cores (SCALE_CARDS overrides the 4096).
. "${top_srcdir}/tests/lib-daemon.sh"

cards=${SCALE_CARDS:-4096}

# What a service gets without LimitNOFILE=: the old one-eventfd-and-a-dup
# per card needed 2 * 4096 descriptors.
ulimit -Sn 1024

model_bytes() {
	ctl --json version | jq -r '.simulation_model_bytes'
}

# For wait_for: re-read the figure on every try.
bytes_at_most() {
	test "$(model_bytes)" -le "$1"
}

count_cards() {
	# status exits 1-3 for cards that are not ok: that is an answer.
	{ ctl --json status || true; } | jq '.cards | length'
}

t0=$(date +%s%N)
# The scan of 4096 new cards (4096 worker threads, names, state files, an
# alert each) takes 2-10 s on 2 busy cores.
READY_TIMEOUT=60 start_daemon --simulate="$cards"
echo "# READY after $((($(date +%s%N) - t0) / 1000000)) ms"

check "status lists all $cards cards" test "$(count_cards)" = "$cards"
check "the daemon holds few descriptors" \
	test "$(find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l)" -lt 64

start_bytes=$(model_bytes)
echo "# simulation_model_bytes: $start_bytes ($((start_bytes / cards)) per card)"
# A card's fixed state is well under 1 KiB; the error-log ring (12 KiB+)
# and the fault table are not allocated until used.
check "a fresh card's model holds under 1 KiB" test "$start_bytes" -lt $((cards * 1024))

# Keep entries queued: the daemon's reads hang until the fault is cleared.
ctl sim inject ocxlpmem5 hang --function error-log-read >/dev/null
ctl sim inject ocxlpmem5 error-log --count 3 >/dev/null
grown=$(model_bytes)
echo "# after queueing 3 entries on one card: $grown"
check "queued entries allocate one card's ring" test "$grown" -gt $((start_bytes + 8192))

# Released, the daemon reads and acknowledges them; the ring goes.
ctl sim inject ocxlpmem5 clear >/dev/null
wait_for 90 bytes_at_most "$start_bytes"
check "the ring is freed once the log is drained" bytes_at_most "$start_bytes"

# Every card gone while the daemon was stopped: at the next start each is
# judged offline and alerted before READY, and its record is written after
# READY, a few per loop iteration (cards_judge_absent()); none may be lost.
# The stop writes 4096 records: seconds of fsyncs on a busy disk.
stop_daemon 120
: > "$LOG"
READY_TIMEOUT=60 start_daemon --simulate=0
offline_cards() {
	{ ctl --json status || true; } | jq '[.cards[] | select(.health == "offline")] | length'
}
check "restart without the cards: all $cards listed offline" test "$(offline_cards)" = "$cards"
check "each alerted once" test "$(grep -c 'ALERT card-offline event=active' "$LOG")" = "$cards"
latched_records() {
	test "$(grep -l '"card-offline"' "$WORK"/state/cards/*.json | wc -l)" = "$cards"
}
wait_for 120 latched_records
check "and every record written after READY, card-offline latched" latched_records
check "Varlink answers meanwhile and after" ctl version
