#!/bin/bash
# A card that loses its volatile state (ocxlpmemctl sim inject power-cycle)
# hands out the error-log and dump ids of its first entries and dumps again.
# Through the real daemon:
#  - once the drain has emptied the log, `ocxlpmemctl events` no longer
#    lists error-log-available;
#  - a data-loss entry with an id seen before the power cycle is stored,
#    alerted once, and makes the card critical;
#  - the same entry read again (the daemon killed before its ACK) is not
#    alerted a second time;
#  - a dump with the id of one already saved is collected and saved as a
#    second file with its own content, while a dump saved but not
#    completed (killed between rename and DUMP_COMPLETE) is only completed.
# No poll runs on its own here (intervals of an hour): what the daemon
# shows comes from what it did, not from a later poll papering over it.
. "$(dirname "$0")/lib-daemon.sh"

VERIFY="$top_builddir/tests/tools/dump-verify"

mkdir -p "$WORK/etc"
cat > "$WORK/etc/ocxlpmemd.conf" <<EOF
[poll]
health_interval = 1h
stats_interval = 1h
firmware_interval = 1h
jitter = 0

[thresholds]
error_log_window = 1h

[dumps]
retry_interval = 1s
EOF

nv() { echo "$WORK"/run/sim-cards/card-*.nv; }
card_pending() { grep -c '^errlog' "$(nv)" || true; }
pending_is() { [ "$(card_pending)" = "$1" ]; }
entries() { ctl --json errors ocxlpmem0 | jq -c "[.entries[] | $1]"; }
entries_are() { [ "$(ctl --json errors ocxlpmem0 | jq '.entries | length')" = "$1" ]; }
event_listed() {
	ctl --json events | jq -e --arg e "$1" '.cards[0].events | index($e) != null' >/dev/null
}
not_listed() { ! event_listed "$1"; }
attached() { [ "$(grep -c "ocxlpmem0: card sim0 .* attached" "$LOG")" = "$1" ]; }
dump_files() { find "$WORK/state/dumps" -name '*.ocxldump' 2>/dev/null | sort; }
count_is() { [ "$(dump_files | wc -l)" = "$1" ]; }
no_job() { [ "$(ctl --json dumps ocxlpmem0 | jq '.cards[0].job')" = null ]; }
power_cycle() {
	local n
	n=$(grep -c "ocxlpmem0: card sim0 .* attached" "$LOG")
	ctl sim inject ocxlpmem0 power-cycle
	wait_for 10 attached $((n + 1))
	wait_for 10 field_is ocxlpmem0 present true
}

start_daemon --simulate=1
wait_for 10 health_is ocxlpmem0 ok

# ---- The event is gone once the log is -------------------------------------

ctl sim inject ocxlpmem0 error-log --type health-performance
wait_for 10 entries_are 1
wait_for 10 pending_is 0
wait_for 5 not_listed error-log-available
check "drained: events no longer lists error-log-available" not_listed error-log-available
check "drained: nor does status" \
	test "$(card_field ocxlpmem0 'events | index("error-log-available")')" = null
check "an informational entry leaves the card ok" health_is ocxlpmem0 ok
first_id=$(entries .id | jq '.[0]')

# ---- An entry id the card hands out again -----------------------------------

power_cycle
ctl sim inject ocxlpmem0 error-log --type data-loss
wait_for 10 pending_is 0
wait_for 10 entries_are 2
check "reused id: the new entry is stored" \
	test "$(entries '{id, type}')" = "[{\"id\":$first_id,\"type\":\"health-performance\"},{\"id\":$first_id,\"type\":\"data-loss\"}]"
wait_for 5 health_is ocxlpmem0 critical
check "reused id: status shows the data loss" health_is ocxlpmem0 critical
check "reused id: one entry alert" test "$(alert_count ocxlpmem0 error-log-entry-data-loss)" -eq 1
check "reused id: one condition alert" test "$(alert_count ocxlpmem0 error-log-data-loss active)" -eq 1
check "reused id: the alert's dedupe key has the entry's card time" \
	grep -Eq "ALERT error-log-entry-data-loss .* errlog_key=[0-9]+-$first_id-[0-9]+-[0-9]+ " "$LOG"

# ---- The same entry read twice: killed before the ACK -----------------------

power_cycle
ctl sim inject ocxlpmem0 hang --function error-log-ack
ctl sim inject ocxlpmem0 error-log --type data-loss
wait_for 10 entries_are 3
wait_for 10 bash -c "[ \$(grep -c 'ALERT error-log-entry-data-loss .*card=ocxlpmem0 ' '$LOG') = 2 ]"
check "before the ACK: the entry is still on the card" pending_is 1
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
start_daemon --simulate=1
wait_for 10 pending_is 0
wait_for 5 not_listed error-log-available
check "re-read after a restart: not stored again" entries_are 3
check "re-read after a restart: not alerted again" \
	test "$(alert_count ocxlpmem0 error-log-entry-data-loss)" -eq 2
check "three entries, all with the same id" test "$(entries .id | jq -c 'unique')" = "[$first_id]"
# The card's time is power-on seconds and nanoseconds since IPL together:
# a fast test can meet the same IPL time in two power-on periods.
check "three distinct card times" \
	test "$(entries '[.power_on_seconds, .timestamp_ns]' | jq 'unique | length')" = 3

# ---- A dump id the card hands out again -------------------------------------

serial=$(card_field ocxlpmem0 serial)
ctl sim inject ocxlpmem0 controller-dump --size 65536
wait_for 20 count_is 1
wait_for 10 no_job
wait_for 5 not_listed controller-dump-available
f1=$(dump_files)
# The card's dump content depends on its power cycles: two so far.
check "first dump saved byte-exact" "$VERIFY" --power-cycles 2 "$f1"
dump_id=$(head -c 4096 "$f1" | sed -n 2p | tr -d '\0' | jq .dump_id)

power_cycle
ctl sim inject ocxlpmem0 controller-dump --size 65536
wait_for 20 count_is 2
wait_for 10 no_job
f2=$(dump_files | grep -vx "$f1")
check "reused dump id: a second file" test -n "$f2"
check "reused dump id: same id in both headers" \
	test "$(head -c 4096 "$f2" | sed -n 2p | tr -d '\0' | jq .dump_id)" = "$dump_id"
check "reused dump id: the new file holds the new dump" "$VERIFY" --power-cycles 3 "$f2"
check "reused dump id: the first file is untouched" "$VERIFY" --power-cycles 2 "$f1"
check "reused dump id: the card was told" not_listed controller-dump-available
check "reused dump id: two saved alerts" \
	test "$(grep -c "ALERT controller-dump-saved .*card=ocxlpmem0 " "$LOG")" = 2

# ---- Saved but not completed: only completed --------------------------------

# The card refuses DUMP_COMPLETE, so the daemon saves the dump and cannot
# let it go: the state a kill between the rename and DUMP_COMPLETE leaves.
ctl sim inject ocxlpmem0 errno --errno EIO --function dump-complete
ctl sim inject ocxlpmem0 controller-dump --size 65536
wait_for 20 count_is 3
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
check "saved, the card still holds it" grep -q '^dump 1 ' "$(nv)"
start_daemon --simulate=1
wait_for 20 bash -c "! grep -q '^dump 1 ' '$(nv)'"
wait_for 10 no_job
check "saved but not completed: completed, not saved again" count_is 3
check "saved but not completed: said so" grep -q "was saved already as" "$LOG"
check "every file byte-exact" "$VERIFY" --power-cycles 3 $(dump_files | grep -vx "$f1")
check "no temporary left" test "$(find "$WORK/state/dumps" -name '.*.tmp' | wc -l)" = 0

stop_daemon 2
echo "$CHECKS checks passed"
