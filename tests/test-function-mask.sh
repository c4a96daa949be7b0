#!/bin/bash
# The card's function mask (CAPABILITIES.functions) through the real
# binaries, simulation backend.  ocxlpmem-abi(7): a consumer calls only the
# functions a card advertises, and never retries ENOTTY.
#  - a card whose driver lacks CONTROLLER_STATS, DUMP_START and
#    FW_UPDATE_START (drop-function, then a reset: a driver rebind) is never
#    sent them: its stats poll is not made, no warning is logged for it,
#    stats says "not supported" (text and JSON), the metrics have no stats
#    samples for it, dump and firmware-update are refused as NotSupported
#    and a dump the card makes by itself is left alone, quietly;
#  - a function that fails with ENOTTY though advertised is marked
#    unsupported after that one command, said once, its stale readings
#    dropped, and not sent again even once it would answer.
# Commands are counted by ocxlpmem_card_commands_total; an untouched card
# beside them shows that the polls did run meanwhile.
. "$(dirname "$0")/lib-daemon.sh"

if ! command -v curl >/dev/null; then
	echo "SKIP: curl is needed (Debian package curl)"
	exit 77
fi

PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"
start_daemon --simulate=3 --metrics-listen "127.0.0.1:$PORT"
wait_for 10 curl -sf "$URL/metrics"
for c in ocxlpmem0 ocxlpmem1 ocxlpmem2; do
	wait_for 10 health_is $c ok
done

metrics() { curl -sf "$URL/metrics"; }
metric() { metrics | awk -v k="$1" '$1 == k { print $2 }'; }
# Commands the daemon sent CARD of FUNCTION (0 when it never sent one).
sent() {
	local v
	v=$(metric "ocxlpmem_card_commands_total{card=\"$1\",function=\"$2\"}")
	echo "${v:-0}"
}
sent_more_than() { [ "$(sent "$1" "$2")" -gt "$3" ]; }
unsupported() { card_field "$1" 'unsupported | join(",")'; }
unsupported_is() { [ "$(unsupported "$1")" = "$2" ]; }
polls_of() {
	ctl --json show "$1" | jq -r --arg k "$2" '.card.polls[] | select(.kind == $k) | .total'
}
# Poll every card now, and wait until the untouched card's stats poll
# came back: the others' polls were made by then, too.
poll_round() {
	local before
	before=$(sent ocxlpmem0 controller-stats)
	poll_now
	wait_for 10 sent_more_than ocxlpmem0 controller-stats "$before"
	sleep 0.3
}

check "a complete card lists nothing unsupported" test "$(unsupported ocxlpmem0)" = ""
check "a complete card's stats are read" \
	test "$(ctl --json stats ocxlpmem0 | jq -r '.supported, (.stats != null)')" = "true
true"

# ---- A driver without some functions ------------------------------------------

ctl sim inject ocxlpmem1 drop-function --function controller-stats
ctl sim inject ocxlpmem1 drop-function --function dump-start
ctl sim inject ocxlpmem1 drop-function --function fw-update-start
ctl sim inject ocxlpmem1 reset
wait_for 10 unsupported_is ocxlpmem1 "controller-stats,dump-start,fw-update-start"
wait_for 10 health_is ocxlpmem1 ok
stats1=$(sent ocxlpmem1 controller-stats)
start1=$(sent ocxlpmem1 dump-start)
fw1=$(sent ocxlpmem1 fw-update-start)
polls1=$(polls_of ocxlpmem1 stats)
log_lines=$(wc -l < "$LOG")
for _ in 1 2 3; do
	poll_round
done
check "partial mask: no CONTROLLER_STATS sent after the rebind" \
	test "$(sent ocxlpmem1 controller-stats)" = "$stats1"
check "partial mask: no stats poll made" test "$(polls_of ocxlpmem1 stats)" = "$polls1"
check "partial mask: the other polls go on" \
	test "$(sent ocxlpmem1 smart)" -gt 0 -a "$(sent ocxlpmem1 firmware-info)" -gt 0
check "partial mask: said once, at identification" \
	test "$(grep -c "ocxlpmem1: the card does not support controller-stats, dump-start, fw-update-start" "$LOG")" -eq 1
check "partial mask: no warning about the missing functions" \
	bash -c "! tail -n +$((log_lines + 1)) '$LOG' | grep -E 'ocxlpmem1.*(controller-stats|dump|ENOTTY|Inappropriate)'"

set +e
ctl stats ocxlpmem1 > "$WORK/out" 2>&1
rc=$?
set -e
check "stats: exit 0" test "$rc" -eq 0
check "stats: text says not supported" grep -q "stats: not supported by this card" "$WORK/out"
check "stats --json: supported false, stats null" \
	test "$(ctl --json stats ocxlpmem1 | jq -r '.schema, .supported, .stats')" = "ocxlpmemctl.stats/1
false
null"
check "status: the card's missing functions" \
	bash -c "ctl_out=\$('$CTL' --address 'unix:$SOCK' status); grep -q 'ocxlpmem1: not supported by the card: controller-stats, dump-start, fw-update-start' <<< \"\$ctl_out\""
check "status --json: unsupported listed" \
	test "$(ctl --json status | jq -r '.cards[] | select(.name == "ocxlpmem1") | .unsupported | length')" -eq 3
check "show: capabilities leave them out" \
	test "$(ctl --json show ocxlpmem1 | jq -r '.card.capabilities.functions | index("controller-stats")')" = null
check "firmware: readable, updates not supported" \
	test "$(ctl --json firmware ocxlpmem1 | jq -r '.supported, .updates_supported, (.firmware != null)')" = "true
false
true"
check "firmware: text says updates are not supported" \
	bash -c "'$CTL' --address 'unix:$SOCK' firmware ocxlpmem1 | grep -q 'updates: not supported by this card'"

metrics > "$WORK/metrics"
check "metrics: no stats samples for the card" \
	bash -c "! grep -E '^ocxlpmem_card_(host_loads_total|resets_total|critical_resource_utilization_ratio)\{card=\"ocxlpmem1\"' '$WORK/metrics'"
check "metrics: the other cards keep theirs" \
	grep -q '^ocxlpmem_card_host_loads_total{card="ocxlpmem0"}' "$WORK/metrics"
check "metrics: controller-stats unsupported" \
	grep -q '^ocxlpmem_card_function_supported{card="ocxlpmem1",function="controller-stats"} 0' "$WORK/metrics"
check "metrics: smart supported" \
	grep -q '^ocxlpmem_card_function_supported{card="ocxlpmem1",function="smart"} 1' "$WORK/metrics"

set +e
ctl dump ocxlpmem1 > "$WORK/out" 2> "$WORK/err"
rc=$?
set -e
check "dump: refused, exit 1" test "$rc" -eq 1
check "dump: not supported, and what is missing" \
	grep -q "StartDump: not supported by ocxlpmem1: the card lacks dump-start" "$WORK/err"
check "dump: no DUMP_START sent" test "$(sent ocxlpmem1 dump-start)" = "$start1"
check "dump: the Varlink error" bash -c "
	printf '%s\0' '{\"method\":\"io.ocxlpmem.Manager.StartDump\",\"parameters\":{\"card\":\"ocxlpmem1\"}}' |
	socat -t 5 - UNIX-CONNECT:'$SOCK' | tr -d '\0' |
	jq -e '.error == \"io.ocxlpmem.Manager.NotSupported\" and .parameters.functions == [\"dump-start\"]' >/dev/null"

# The card makes a dump by itself: its event stays up, nothing is tried.
log_lines=$(wc -l < "$LOG")
ctl sim inject ocxlpmem1 controller-dump --size 4096
wait_for 10 bash -c "ctl_out=\$('$CTL' --address 'unix:$SOCK' --json status); jq -e '.cards[] | select(.name == \"ocxlpmem1\") | .events | index(\"controller-dump-available\")' <<< \"\$ctl_out\""
poll_round
poll_round
check "card dump: no collection, no DUMP_START" test "$(sent ocxlpmem1 dump-start)" = "$start1"
check "card dump: no warning repeated" \
	bash -c "! tail -n +$((log_lines + 1)) '$LOG' | grep -q 'ocxlpmem1: cannot start collecting'"

"$top_builddir/tests/fw-image" 1.1.0000 65536 "$WORK/img"
set +e
ctl firmware-update ocxlpmem1 "$WORK/img" > "$WORK/out" 2> "$WORK/err"
rc=$?
set -e
check "firmware-update: refused, exit 1" test "$rc" -eq 1
check "firmware-update: not supported" \
	grep -q "not supported by ocxlpmem1: the card lacks fw-update-start" "$WORK/err"
check "firmware-update: nothing sent" test "$(sent ocxlpmem1 fw-update-start)" = "$fw1"
check "firmware-update: nothing started" bash -c "! grep -q 'ocxlpmem1: firmware update to' '$LOG'"

# ---- A function that fails with ENOTTY though advertised ----------------------

wait_for 10 bash -c "'$CTL' --address 'unix:$SOCK' --json stats ocxlpmem2 | jq -e '.stats != null'"
metrics > "$WORK/metrics"
check "enotty: the card had stats samples" \
	grep -q '^ocxlpmem_card_host_loads_total{card="ocxlpmem2"}' "$WORK/metrics"
stats2=$(sent ocxlpmem2 controller-stats)
ctl sim inject ocxlpmem2 errno --errno ENOTTY --function controller-stats
poll_round
wait_for 10 unsupported_is ocxlpmem2 controller-stats
# The card would answer now: the daemon must not find out.
ctl sim inject ocxlpmem2 clear
for _ in 1 2 3; do
	poll_round
done
check "enotty: sent once, never again" test "$(sent ocxlpmem2 controller-stats)" -eq $((stats2 + 1))
check "enotty: said once" \
	test "$(grep -c "ocxlpmem2: the card advertises controller-stats but its driver does not implement it" "$LOG")" -eq 1
check "enotty: no other warning about it" \
	bash -c "! grep -E 'ocxlpmem2: controller-stats: ' '$LOG'"
check "enotty: stale stats dropped" \
	test "$(ctl --json stats ocxlpmem2 | jq -r '.supported, .stats')" = "false
null"
metrics > "$WORK/metrics"
check "enotty: no stale stats samples" \
	bash -c "! grep -q '^ocxlpmem_card_host_loads_total{card=\"ocxlpmem2\"}' '$WORK/metrics'"
check "enotty: the card stays ok" health_is ocxlpmem2 ok

# A reset is a rebind: the daemon asks the card afresh, and it answers.
ctl sim inject ocxlpmem2 reset
wait_for 10 unsupported_is ocxlpmem2 ""
wait_for 10 bash -c "'$CTL' --address 'unix:$SOCK' --json stats ocxlpmem2 | jq -e '.stats != null'"
check "enotty: asked again after a rebind" test "$(sent ocxlpmem2 controller-stats)" -gt $((stats2 + 1))

stop_daemon
echo "1..$CHECKS"
