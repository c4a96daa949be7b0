#!/bin/bash
# A card that is gone stays gone across restarts, until it is forgotten
# (#16: alerting that pages once, metrics that stay honest):
#  - a removed card, absent when the daemon restarts, is listed offline
#    with its history and latched alerts, and /metrics has its
#    ocxlpmem_card_up 0 and identity series, without a second alert and
#    without its state file being rewritten;
#  - the card coming back takes up the same name and history;
#  - `ocxlpmemctl forget` refuses a present card and changes nothing; on an
#    absent card it drops the card from status, /metrics and the state
#    directory (saved dumps stay), tells Monitor, and the card stays gone
#    after a restart; the serial coming back later is a new card;
#  - a name left registered without a record (a forget cut short by a
#    crash) is not shown, and forget drops it.
. "$(dirname "$0")/lib-daemon.sh"

if ! command -v curl >/dev/null; then
	echo "SKIP: curl is needed (Debian package curl)"
	exit 77
fi

PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"
MONITOR_PID=
stop_monitor() {
	if [ -n "$MONITOR_PID" ]; then
		kill "$MONITOR_PID" 2>/dev/null || true
		wait "$MONITOR_PID" 2>/dev/null || true
		MONITOR_PID=
	fi
}
cleanup_all() {
	local rc=$?
	stop_monitor
	set +e
	(exit "$rc")
	cleanup
}
trap cleanup_all EXIT

start() {
	start_daemon --simulate="$1" --metrics-listen "127.0.0.1:$PORT"
	wait_for 10 curl -sf "$URL/metrics"
}
metrics() { curl -sf "$URL/metrics"; }
metric() { metrics | awk -v k="$1" '$1 == k { print $2 }'; }
ncards() { status_json | jq '.cards | length'; }
mark_log() { LOG_MARK=$(($(wc -l < "$LOG") + 1)); }
LOG_MARK=1
alert_seen() { [ "$(alert_count "$@")" -ge 1 ]; }
not() { ! "$@"; }
# logged PATTERN: in this run's part of the log.
logged() { grep -q -- "$1" <(tail -n +"$LOG_MARK" "$LOG"); }
# Read whole first: grep -q ending the pipe early would fail curl with
# SIGPIPE under pipefail.  A failed scrape is a failure, also for "not".
has_series() {
	local text
	text=$(metrics) || { echo "cannot scrape $URL/metrics" >&2; exit 1; }
	grep -q -- "$1" <<<"$text"
}
registered() { jq -e --arg s "$1" '.names | has($s)' "$WORK/state/names.json" >/dev/null; }
# latched CARD CONDITION...: each condition's alert is active.
latched() {
	local card=$1 c
	shift
	for c in "$@"; do
		ctl --json show "$card" |
			jq -e --arg c "$c" '[.card.alerts[] | select(.active) | .key] | index($c) != null' >/dev/null ||
			return 1
	done
}
# vcall METHOD PARAMETERS: the daemon's raw Varlink reply.
vcall() {
	printf '{"method":"io.ocxlpmem.Manager.%s","parameters":%s}\0' "$1" "$2" |
		socat -t 5 - UNIX-CONNECT:"$SOCK" | tr -d '\0'
}
status_json() { ctl --json status || true; }

# ---- A card removed while the daemon runs --------------------------------------

start 3
wait_for 10 health_is ocxlpmem2 ok
serial2=$(card_field ocxlpmem2 serial)
record="$WORK/state/cards/$serial2.json"
ctl sim inject ocxlpmem2 error-log --type data-loss
wait_for 10 alert_seen ocxlpmem2 error-log-data-loss active
ctl dump --wait ocxlpmem2 >/dev/null
dump_file=$(ctl --json dumps ocxlpmem2 | jq -r '.dumps[0].file')
check "a dump of ocxlpmem2 is saved" test -f "$WORK/state/dumps/$serial2/$dump_file"
ctl sim inject ocxlpmem2 unplug
wait_for 10 field_is ocxlpmem2 present false
wait_for 10 health_is ocxlpmem2 offline
offline_alerts=$(alert_count ocxlpmem2 card-offline active)
check "the removal is alerted once" test "$offline_alerts" -eq 1
stop_daemon 5
check "the removed card has a state record" test -f "$record"
touch -d '2001-01-01 00:00:00' "$record"
mtime_before=$(stat -c %Y "$record")

# ---- Restart with the card still gone ------------------------------------------

mark_log
start 2
check "restart: status lists the absent card" test "$(ncards)" -eq 3
check "restart: absent card not present" field_is ocxlpmem2 present false
check "restart: absent card offline" health_is ocxlpmem2 offline
check "restart: same serial" field_is ocxlpmem2 serial "$serial2"
check "restart: its reason is card-offline" \
	test "$(card_field ocxlpmem2 'reasons[0].code')" = card-offline
check "restart: its history is back" \
	test "$(ctl --json errors --type data-loss ocxlpmem2 | jq '.entries | length')" -eq 1
check "restart: its latched alerts are back" \
	latched ocxlpmem2 card-offline error-log-data-loss
check "restart: metrics: ocxlpmem_card_up 0" test "$(metric 'ocxlpmem_card_up{card="ocxlpmem2"}')" = 0
check "restart: metrics: health offline" \
	test "$(metric 'ocxlpmem_card_health{card="ocxlpmem2",state="offline"}')" = 1
check "restart: metrics: identity series with its serial" \
	has_series "^ocxlpmem_card_info{card=\"ocxlpmem2\",serial=\"$serial2\","
check "restart: metrics: the card-offline condition latched" \
	test "$(metric 'ocxlpmem_card_alert_active{card="ocxlpmem2",condition="card-offline"}')" = 1
check "restart: metrics: 3 cards known, 2 present" \
	test "$(metric ocxlpmem_cards) $(metric ocxlpmem_cards_present)" = "3 2"
check "restart: no second card-offline alert" \
	test "$(alert_count ocxlpmem2 card-offline active)" -eq "$offline_alerts"
check "restart: the record is not rewritten at start" test "$(stat -c %Y "$record")" = "$mtime_before"
check "restart: the log says it is known but not present" \
	logged "ocxlpmem2: serial $serial2 is known but not present at start"

# ---- forget refuses a present card -----------------------------------------------

serial0=$(card_field ocxlpmem0 serial)
cp "$WORK/state/names.json" "$WORK/names.before"
cp "$WORK/state/cards/$serial0.json" "$WORK/card0.before"
set +e
out=$(ctl forget ocxlpmem0 2>&1)
rc=$?
set -e
check "forget a present card: exit 1" test "$rc" -eq 1
check "forget a present card: says why" grep -q "ocxlpmem0 is present" <<<"$out"
check "forget a present card: CardPresent over Varlink" \
	test "$(vcall ForgetCard '{"card":"ocxlpmem0"}' | jq -r '.error, .parameters.card' | tr '\n' ' ')" = \
	"io.ocxlpmem.Manager.CardPresent ocxlpmem0 "
check "forget a present card: still listed" test "$(ncards)" -eq 3
check "forget a present card: names.json unchanged" cmp -s "$WORK/names.before" "$WORK/state/names.json"
check "forget a present card: its record unchanged" \
	cmp -s "$WORK/card0.before" "$WORK/state/cards/$serial0.json"
check "forget a present card: metrics unchanged" test "$(metric ocxlpmem_cards)" = 3
set +e
ctl forget nosuch 2>/dev/null
rc=$?
set -e
check "forget an unknown card: exit 1" test "$rc" -eq 1
stop_daemon 5

# ---- The card comes back ---------------------------------------------------------

mark_log
start 3
wait_for 10 field_is ocxlpmem2 present true
check "back: same name for the serial" test "$(card_field ocxlpmem2 serial)" = "$serial2"
check "back: no duplicate" test "$(ncards)" -eq 3
check "back: its history is there" \
	test "$(ctl --json errors --type data-loss ocxlpmem2 | jq '.entries | length')" -eq 1
check "back: not discovered as new" \
	not logged 'ALERT card-discovered .*card=ocxlpmem2 '
wait_for 10 alert_seen ocxlpmem2 card-offline cleared
check "back: the card-offline condition clears once" \
	test "$(alert_count ocxlpmem2 card-offline cleared)" -eq 1
check "back: metrics: ocxlpmem_card_up 1" test "$(metric 'ocxlpmem_card_up{card="ocxlpmem2"}')" = 1

# ---- forget an absent card -------------------------------------------------------

ctl sim inject ocxlpmem2 unplug
wait_for 10 field_is ocxlpmem2 present false
ctl --json monitor > "$WORK/monitor.out" &
MONITOR_PID=$!
wait_for 5 grep -q '"ready":true' "$WORK/monitor.out"
check "forget an absent card: exit 0" ctl forget ocxlpmem2
check "forget: gone from status" test "$(ncards)" -eq 2
check "forget: GetCard says NoSuchCard" \
	test "$(vcall GetCard '{"card":"ocxlpmem2"}' | jq -r .error)" = io.ocxlpmem.Manager.NoSuchCard
check "forget: no metric series of it" not has_series 'card="ocxlpmem2"'
check "forget: metrics count 2 cards" test "$(metric ocxlpmem_cards)" = 2
check "forget: state record removed" test ! -e "$record"
check "forget: name removed from names.json" \
	not registered "$serial2"
check "forget: names.json keeps next above the retired index" \
	test "$(jq .next "$WORK/state/names.json")" -eq 3
check "forget: saved dump kept on disk" test -f "$WORK/state/dumps/$serial2/$dump_file"
check "forget: ListDumps still lists it" \
	test "$(ctl --json dumps | jq -r --arg f "$dump_file" '[.dumps[] | select(.file == $f)] | length')" -eq 1
check "forget: logged at info with the uid" \
	grep -q "ocxlpmem2: serial $serial2 forgotten by uid $(id -u)" "$LOG"
wait_for 5 grep -q card-forgotten "$WORK/monitor.out"
check "forget: Monitor gets card-forgotten" \
	jq -e --arg s "$serial2" '.event.card == "ocxlpmem2" and .event.serial == $s' \
	<<<"$(grep card-forgotten "$WORK/monitor.out")"
stop_monitor
set +e
ctl forget ocxlpmem2 2>/dev/null
rc=$?
set -e
check "forget twice: no such card (exit 1)" test "$rc" -eq 1
stop_daemon 5

mark_log
start 2
check "after a restart: still gone from status" test "$(ncards)" -eq 2
check "after a restart: no metric series of it" \
	not has_series 'card="ocxlpmem2"'
stop_daemon 5

# The serial comes back: a new card, with a new name and no history.
mark_log
start 3
serial_present() { status_json | jq -e --arg s "$1" '.cards[] | select(.serial == $s) | .present' >/dev/null; }
wait_for 10 serial_present "$serial2"
new_name=$(status_json | jq -r --arg s "$serial2" '.cards[] | select(.serial == $s) | .name')
check "returning serial: a new name (ocxlpmem3)" test "$new_name" = ocxlpmem3
check "returning serial: no history" \
	test "$(ctl --json errors ocxlpmem3 | jq '.entries | length')" -eq 0
check "returning serial: discovered as new" \
	logged 'ALERT card-discovered .*card=ocxlpmem3 '
stop_daemon 5

# ---- A forget cut short between its two steps --------------------------------------

# The record is gone, the name still registered: not shown, and forget
# finishes the job.
serial3=$(jq -r '.names | to_entries[] | select(.value == "ocxlpmem3") | .key' "$WORK/state/names.json")
rm "$WORK/state/cards/$serial3.json"
start 2
check "name without record: not shown" test "$(ncards)" -eq 2
check "name without record: forget drops it" ctl forget ocxlpmem3
check "name without record: gone from names.json" \
	not registered "$serial3"
stop_daemon 5

echo "$CHECKS passed, 0 failed"
