#!/bin/bash
# ocxlpmemd's core through the real binaries, simulation backend:
#  - starts with zero cards and keeps running; exit statuses 64 and 78;
#  - READY=1 and STATUS= reach NOTIFY_SOCKET;
#  - every fault kind of the card model, injected into one card, gives the
#    right health and exactly one alert, and one recovery when it clears;
#  - SIGHUP reloads, and a bad new config leaves the old one in force;
#  - a card hung for 30 s delays neither the other cards' polls, nor
#    queries, nor shutdown (under 2 s).
. "$(dirname "$0")/lib-daemon.sh"

# ---- No cards, bad usage, bad config -------------------------------------

start_daemon --simulate=0
check "zero cards: READY and STATUS" grep -q "STATUS=monitoring 0 cards" "$NOTIFY_LOG"
check "zero cards: status exits 0" ctl status
check "zero cards: says so" bash -c "'$CTL' --address 'unix:$SOCK' status | grep -q 'No cards'"
stop_daemon 2
check "zero cards: stays up until told" grep -q "stopped" "$LOG"

# The systemd watchdog: pings at half the interval systemd gives.
WATCHDOG_USEC=400000 start_daemon --simulate=1
# (Datagrams carry no newline: count occurrences, not lines.)
wait_for 5 bash -c "[ \$(grep -o WATCHDOG=1 '$NOTIFY_LOG' | wc -l) -ge 3 ]"
check "WATCHDOG=1 sent every WATCHDOG_USEC/2" test "$(grep -o WATCHDOG=1 "$NOTIFY_LOG" | wc -l)" -ge 3
stop_daemon 2
check "STOPPING=1 sent" grep -q "STOPPING=1" "$NOTIFY_LOG"

set +e
"$DAEMON" --simulate=x >/dev/null 2>&1
rc_usage=$?
printf '[poll]\nhealth_interval = soon\n' > "$WORK/bad.conf"
"$DAEMON" --simulate=1 --config "$WORK/bad.conf" --state-dir "$WORK/s2" \
	--runtime-dir "$WORK/r2" --log-target stderr > "$WORK/bad.out" 2>&1
rc_config=$?
set -e
check "bad option exits 64" test "$rc_usage" -eq 64
check "bad config exits 78" test "$rc_config" -eq 78
check "bad config names file and line" grep -q "bad.conf:2:" "$WORK/bad.out"
set +e
"$CTL" --address "unix:$WORK/nope" status 2>/dev/null
rc_unreach=$?
set -e
check "unreachable daemon: exit status 3" test "$rc_unreach" -eq 3

# ---- Four cards ------------------------------------------------------------

start_daemon --simulate=4
check "READY=1 sent" grep -q "READY=1" "$NOTIFY_LOG"
wait_for 10 grep -q "STATUS=monitoring 4 cards" "$NOTIFY_LOG"
check "STATUS says 4 cards" grep -q "STATUS=monitoring 4 cards" "$NOTIFY_LOG"
for c in 0 1 2 3; do
	wait_for 10 health_is ocxlpmem$c ok
done
check "each new card announced once" test "$(grep -c "ALERT card-discovered " "$LOG")" -eq 4
check "all four ok" test "$(ctl --json status | jq '[.cards[] | select(.health == "ok")] | length')" -eq 4

# Error-log conditions last for the error_log_window (1 minute here): inject
# them first and look for their recovery at the end.
ctl sim inject ocxlpmem3 error-log --type data-loss
ctl sim inject ocxlpmem3 error-log --type health-performance
wait_for 10 health_is ocxlpmem3 critical
errlog_injected=$(date +%s)
check "data-loss entry: critical" health_is ocxlpmem3 critical
check "data-loss entry: one entry alert" test "$(alert_count ocxlpmem3 error-log-entry-data-loss)" -eq 1
check "data-loss entry: one condition alert" test "$(alert_count ocxlpmem3 error-log-data-loss active)" -eq 1
check "health-performance entry: one entry alert" \
	test "$(alert_count ocxlpmem3 error-log-entry-health-performance)" -eq 1
check "entries in the history" test "$(ctl --json errors ocxlpmem3 | jq '.entries | length')" -eq 2
check "history filter by type" test "$(ctl --json errors --type data-loss ocxlpmem3 | jq '.entries | length')" -eq 1

# Temperature: warning, escalation to critical, recovery; no repeats.
ctl sim inject ocxlpmem0 temperature --celsius 75
poll_now
wait_for 10 health_is ocxlpmem0 warning
ctl sim inject ocxlpmem0 temperature --celsius 90
poll_now
wait_for 10 health_is ocxlpmem0 critical
poll_now; sleep 0.3; poll_now; sleep 0.3
check "temperature: one alert" test "$(alert_count ocxlpmem0 temperature active)" -eq 1
check "temperature: one escalation" test "$(alert_count ocxlpmem0 temperature escalated)" -eq 1
check "temperature value in the alert" grep -q "ALERT temperature event=escalated .*value=90 threshold=85" "$LOG"
check "status exit 2 while critical" bash -c "'$CTL' --address unix:$SOCK status >/dev/null; test \$? -eq 2"
ctl sim inject ocxlpmem0 temperature
poll_now
wait_for 10 health_is ocxlpmem0 ok
poll_now; sleep 0.3
check "temperature: one recovery" test "$(alert_count ocxlpmem0 temperature cleared)" -eq 1

# Life remaining.
ctl sim inject ocxlpmem1 life-remaining --pct 15
poll_now
wait_for 10 health_is ocxlpmem1 warning
check "life: one alert" test "$(alert_count ocxlpmem1 life-remaining active)" -eq 1
ctl sim inject ocxlpmem1 life-remaining --pct 3
poll_now
wait_for 10 health_is ocxlpmem1 critical
ctl sim inject ocxlpmem1 life-remaining
poll_now
wait_for 10 health_is ocxlpmem1 ok
check "life: one recovery" test "$(alert_count ocxlpmem1 life-remaining cleared)" -eq 1

# An attribute the card does not report is unsupported, not a number.
ctl sim inject ocxlpmem2 drop-smart-attribute --attribute 0xC2
poll_now
wait_for 10 field_is ocxlpmem2 temperature_c null
check "dropped temperature reads null" test "$(card_field ocxlpmem2 temperature_c)" = null
check "dropped temperature shows n/a" bash -c "'$CTL' --address unix:$SOCK status | grep '^ocxlpmem2' | grep -q 'n/a'"
check "and the card stays ok" health_is ocxlpmem2 ok

# Command faults that leave the card answering: the health poll fails
# three times in a row -> warning "health-unreadable", one alert; cleared
# -> ok, one recovery.
n=0
for fault in "status --status 0x50" "status --status 0x70" "status --status 0xff" \
	"status --status 0x21" "status --status 0x51" "status --status 0x52" \
	"errno --errno EIO" "errno --errno EAGAIN" "truncate --bytes 12" \
	"corrupt --corruption header-id" "corrupt --corruption reserved" \
	"corrupt --corruption length"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	ctl sim inject ocxlpmem1 $fault --function smart
	for _ in 1 2 3; do
		poll_now
		sleep 0.3
	done
	wait_for 10 health_is ocxlpmem1 warning
	check "$fault: warning" health_is ocxlpmem1 warning
	check "$fault: one alert" test "$(alert_count ocxlpmem1 health-unreadable active)" -eq "$n"
	ctl sim inject ocxlpmem1 clear
	poll_now
	wait_for 10 health_is ocxlpmem1 ok
	check "$fault: one recovery" test "$(alert_count ocxlpmem1 health-unreadable cleared)" -eq "$n"
done

# Not ready: critical.
ctl sim inject ocxlpmem2 not-ready
poll_now
wait_for 10 health_is ocxlpmem2 critical
check "not-ready: controller-not-ready alert" test "$(alert_count ocxlpmem2 controller-not-ready active)" -eq 1
ctl sim inject ocxlpmem2 clear
poll_now
wait_for 10 health_is ocxlpmem2 ok
check "not-ready: recovery" test "$(alert_count ocxlpmem2 controller-not-ready cleared)" -eq 1

# Driver timeouts on every command: unresponsive after three in a row.  (A
# timeout of SMART alone, while the card answers the rest, is the
# health-unreadable warning above.)
ctl sim inject ocxlpmem2 timeout --delay-ms 20
for _ in 1 2 3; do
	poll_now
	sleep 0.3
done
wait_for 10 health_is ocxlpmem2 unresponsive
check "timeout: one alert" test "$(alert_count ocxlpmem2 card-unresponsive active)" -eq 1
ctl sim inject ocxlpmem2 clear
poll_now
wait_for 10 health_is ocxlpmem2 ok
check "timeout: recovery" test "$(alert_count ocxlpmem2 card-unresponsive cleared)" -eq 1

# Fatal: the card is fatal and gone at once; a reset brings it back.
ctl sim inject ocxlpmem1 fatal
wait_for 10 health_is ocxlpmem1 fatal
check "fatal: one alert" test "$(alert_count ocxlpmem1 card-fatal active)" -eq 1
wait_for 10 field_is ocxlpmem1 present false
check "fatal: card offline" test "$(card_field ocxlpmem1 present)" = false
check "history kept while offline" ctl show ocxlpmem1
check "offline card shows no stale temperature" test "$(card_field ocxlpmem1 temperature_c)" = null
# A reset (a driver rebind) brings it back, under the same name.
ctl sim inject ocxlpmem1 reset
wait_for 10 health_is ocxlpmem1 ok
check "reset: back under its name" test "$(card_field ocxlpmem1 present)" = true
check "reset: fatal cleared once" test "$(alert_count ocxlpmem1 card-fatal cleared)" -eq 1
check "reset: offline cleared once" test "$(alert_count ocxlpmem1 card-offline cleared)" -eq 1

# Surprise removal in the middle of work, and the card coming back.
ctl sim inject ocxlpmem2 remove-after --after 2
poll_now
wait_for 10 health_is ocxlpmem2 offline
check "removal: one offline alert" test "$(alert_count ocxlpmem2 card-offline active)" -eq 1
check "removal: status exit 2" bash -c "'$CTL' --address unix:$SOCK status >/dev/null; test \$? -eq 2"

# Reload: a bad file is refused and the old config stays; a good one applies.
cp "$WORK/etc/ocxlpmemd.conf" "$WORK/good.conf"
printf '[thresholds]\ntemperature_warning = hot\n' >> "$WORK/etc/ocxlpmemd.conf"
kill -HUP "$DAEMON_PID"
wait_for 10 grep -q "configuration not reloaded" "$LOG"
check "bad reload reported with file:line" grep -q "ocxlpmemd.conf:[0-9]*: \[thresholds\] temperature_warning" "$LOG"
check "bad reload: still serving" ctl version
check "RELOADING=1 sent" grep -q "RELOADING=1" "$NOTIFY_LOG"
cp "$WORK/good.conf" "$WORK/etc/ocxlpmemd.conf"
printf 'temperature_warning = 10\n' >> "$WORK/etc/ocxlpmemd.conf"
kill -HUP "$DAEMON_PID"
wait_for 10 grep -q "configuration reloaded" "$LOG"
poll_now
wait_for 10 health_is ocxlpmem0 warning
check "good reload applied (threshold 10 C)" health_is ocxlpmem0 warning
cp "$WORK/good.conf" "$WORK/etc/ocxlpmemd.conf"
kill -HUP "$DAEMON_PID"
sleep 0.5
poll_now
wait_for 10 health_is ocxlpmem0 ok

# Error-log conditions clear when the window passes.
left=$((errlog_injected + 62 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
poll_now
wait_for 15 health_is ocxlpmem3 ok
check "data-loss condition clears after the window" \
	test "$(alert_count ocxlpmem3 error-log-data-loss cleared)" -eq 1
check "entries alerted once in all" test "$(alert_count ocxlpmem3 error-log-entry-data-loss)" -eq 1

# A card hung for 30 s: the others keep their 5 s schedule, queries answer,
# shutdown is prompt.
ctl sim inject ocxlpmem0 hang --function smart --delay-ms 30000
poll_now
wait_for 10 health_is ocxlpmem0 unresponsive
before=$(ctl --json show ocxlpmem3 | jq '.card.polls[0].total')
t0=$(date +%s%N)
ctl status >/dev/null || true
t1=$(date +%s%N)
check "status answers while a card hangs (<500 ms)" test $(((t1 - t0) / 1000000)) -lt 500
sleep 11
after=$(ctl --json show ocxlpmem3 | jq '.card.polls[0].total')
check "other cards keep polling ($before -> $after in 11 s)" test $((after - before)) -ge 2
check "hung card: one alert" test "$(alert_count ocxlpmem0 card-unresponsive active)" -eq 1
stop_daemon 2
check "shutdown under 2 s with a hung card" true
check "clean stop" grep -q "stopped" "$LOG"

echo "$CHECKS passed, 0 failed"
