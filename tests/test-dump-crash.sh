#!/bin/bash
# Nothing lost, nothing twice, nothing partial: ocxlpmemd killed with SIGKILL
# at ROUNDS (20) random points while it collects controller dumps, restarted
# each time.  The simulated cards keep their dumps across the daemon's death
# (their state is non-volatile, like a card's), so every restart must find
# what is still held and collect it.  After every kill, every visible dump
# file must be whole and byte-exact; at the end every dump the cards made is
# saved exactly once.
. "$(dirname "$0")/lib-daemon.sh"

VERIFY="$top_builddir/tests/tools/dump-verify"
ROUNDS=${ROUNDS:-20}
SIZE=${DUMP_SIZE:-67108864}

dump_files() { find "$WORK/state/dumps" -name '*.ocxldump' 2>/dev/null | sort; }
verify_all() {
	local files
	files=$(dump_files)
	[ -z "$files" ] && return 0
	# shellcheck disable=SC2086
	"$VERIFY" $files > "$WORK/verified"
}
no_card_holds_dump() {
	! { ctl --json status || true; } | jq -e '[.cards[].events // [] | .[]] | index("controller-dump-available")' >/dev/null
}
no_job() { [ "$(ctl --json dumps | jq '[.cards[] | select(.job != null)] | length')" = 0 ]; }

# Keep every dump: retention must not hide a lost one.
write_test_config
cat >> "$WORK/etc/ocxlpmemd.conf" <<EOF

[dumps]
max_per_card = 1000
max_bytes_per_card = 1T
max_bytes_total = 1T
EOF

made=0
kills_mid=0
for ((round = 1; round <= ROUNDS; round++)); do
	start_daemon --simulate=2
	# A new dump on a card that holds none; a held one is collected first.
	for card in ocxlpmem0 ocxlpmem1; do
		if ctl sim inject "$card" controller-dump --size "$SIZE" >/dev/null 2>&1; then
			made=$((made + 1))
		fi
	done
	# A random point of a collection: once one runs, 0 to 150 ms into it
	# (two 64 MiB collections at once take about 100 to 250 ms here), so
	# kills land before the first chunk, mid-way, while saving and after
	# the end.
	for ((w = 0; w < 100; w++)); do
		no_job 2>/dev/null || break
		sleep 0.01
	done
	sleep "0.$(printf '%03d' $((RANDOM % 150)))"
	if ! no_job 2>/dev/null; then
		kills_mid=$((kills_mid + 1))
	fi
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	check "round $round: every visible dump file is whole and byte-exact" verify_all
done

# Let the last run finish everything the cards still hold.  (Its first
# status can come before it has asked the cards what they hold: wait for
# the files, not for an empty job list.)
all_saved() { [ "$(dump_files | wc -l)" -ge "$made" ] && no_job && verify_all; }
start_daemon --simulate=2
wait_for 60 all_saved
check "no card holds a dump any more" no_card_holds_dump
check "every dump file is whole and byte-exact" verify_all
check "no temporary is left" test "$(find "$WORK/state/dumps" -name '.*.tmp' | wc -l)" = 0
check "each dump saved exactly once (no serial + dump id twice)" \
	test "$(cut -d' ' -f1,2 "$WORK/verified" | sort | uniq -d | wc -l)" = 0
check "every dump the cards made is saved ($made made)" test "$(wc -l < "$WORK/verified")" = "$made"
echo "# $ROUNDS kills, $kills_mid of them with a collection running; $made dumps"
check "most kills hit a running collection" test "$kills_mid" -ge $((ROUNDS / 2))
stop_daemon 5
echo "$CHECKS checks passed"
