#!/bin/bash
# Nothing lost, nothing twice: ocxlpmemd killed with SIGKILL at random points
# while it drains error logs, restarted each time, against a real journald in
# a private mount namespace.  Every entry the cards logged must be in the
# journal exactly once, with the documented fields.
#
# Needs root and unshare(1) for the namespace (journald must own /run/systemd
# there without touching the host); skips with the reason otherwise.

if [ -z "${OCXLPMEM_IN_NAMESPACE:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
		! unshare -m true 2>/dev/null; then
		echo "SKIP: needs root and unshare -m for a private journald"
		exit 77
	fi
	exec unshare -m env OCXLPMEM_IN_NAMESPACE=1 bash "$0" "$@"
fi

. "$(dirname "$0")/lib-daemon.sh"

JOURNALD=/lib/systemd/systemd-journald
[ -x "$JOURNALD" ] || { echo "SKIP: systemd-journald is not installed"; exit 77; }
command -v journalctl >/dev/null || { echo "SKIP: journalctl is not installed"; exit 77; }

# Our own /run and /var/log: journald's sockets and a volatile journal.
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log
mkdir -p /run/systemd/journal
"$JOURNALD" > "$WORK/journald.log" 2>&1 &
JOURNALD_PID=$!
CLEANUP_EXTRA='kill "$JOURNALD_PID" 2>/dev/null'
wait_for 10 test -S /run/systemd/journal/socket

LOG_TARGET=journal
ROUNDS=${ROUNDS:-8}
PER_ROUND=${PER_ROUND:-20}
ENTRY_ID=b0feea5fd7fd444dbde2b6e442e5c094  # error-log-entry-data-loss

journal() {
	journalctl --no-pager -o json "$@" 2>/dev/null
}

# ---- The journal fields of one alert -------------------------------------

start_daemon --simulate=2
ctl sim inject ocxlpmem0 error-log --type data-loss
wait_for 10 bash -c "journalctl --no-pager MESSAGE_ID=$ENTRY_ID | grep -q ocxlpmem0"
entry=$(journal MESSAGE_ID=$ENTRY_ID | head -n 1)
field() { jq -r ".$1" <<< "$entry"; }
serial0=$(card_field ocxlpmem0 serial)
check "journal: MESSAGE_ID" test "$(field MESSAGE_ID)" = "$ENTRY_ID"
check "journal: PRIORITY crit (2)" test "$(field PRIORITY)" = 2
check "journal: card name" test "$(field OCXLPMEM_CARD)" = ocxlpmem0
check "journal: serial" test "$(field OCXLPMEM_SERIAL)" = "$serial0"
check "journal: firmware version" test "$(field OCXLPMEM_FW_VERSION)" = 1.0.0000
check "journal: error-log type" test "$(field OCXLPMEM_ERRLOG_TYPE)" = data-loss
check "journal: dedupe key" test "$(field OCXLPMEM_ERRLOG_KEY)" = \
	"$serial0-$(field OCXLPMEM_ERRLOG_ID)-$(field OCXLPMEM_ERRLOG_POWER_ON_SECONDS)-$(field OCXLPMEM_ERRLOG_TIMESTAMP_NS)"
check "journal: identifier" test "$(field SYSLOG_IDENTIFIER)" = ocxlpmemd
wait_for 10 bash -c "journalctl --no-pager OCXLPMEM_ALERT=error-log-data-loss | grep -q ocxlpmem0"
cond=$(journal OCXLPMEM_ALERT=error-log-data-loss | head -n 1)
check "journal: condition alert with level" test "$(jq -r .OCXLPMEM_LEVEL <<< "$cond")" = critical
check "journal: condition MESSAGE_ID" \
	test "$(jq -r .MESSAGE_ID <<< "$cond")" = 432f2b149d7845389de6f72c686d324c
check "journal: OCXLPMEM_CONDITION names the condition as OCXLPMEM_ALERT does" \
	test "$(jq -r .OCXLPMEM_CONDITION <<< "$cond")" = error-log-data-loss
stop_daemon 2

# ---- SIGKILL while draining, ROUNDS times --------------------------------

injected=0
midway=0
for ((round = 1; round <= ROUNDS; round++)); do
	start_daemon --simulate=2
	# Hold the first read back a little so the entries pile up on the card
	# and the kill can land anywhere in the drain.
	ctl sim inject ocxlpmem1 hang --function error-log-read --delay-ms 200 --count 1
	# Queued in bursts, one call each, so the whole round is on the card
	# before the drain can start.
	for type in general predictive-failure thermal-warning data-loss health-performance; do
		ctl sim inject ocxlpmem1 error-log --type "$type" --count $((PER_ROUND / 5))
		injected=$((injected + PER_ROUND / 5))
	done
	# Kill after a random number of entries has been acknowledged: inside
	# the drain, where a crash can hurt (or after it, if it is too quick).
	nv=$(ls "$WORK"/run/sim-cards/card-*1.nv)
	total=$(grep -c '^errlog' "$nv" || true)
	target=$((total - 1 - RANDOM % (PER_ROUND - 1)))
	for ((i = 0; i < 3000; i++)); do
		left=$(grep -c '^errlog' "$nv" || true)
		[ "$left" -le "$target" ] && break
		sleep 0.001
	done
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	# What the card still held when the daemon died: the restart's job.
	pending=$(grep -c '^errlog' "$nv" || true)
	echo "# round $round: killed with $pending of $total entries still on the card"
	[ "$pending" -gt 0 ] && [ "$pending" -lt "$total" ] && midway=$((midway + 1))
	DAEMON_PID=
	# socat unlinks its socket when it exits: let it finish before the
	# next round binds the same path.
	kill "$NOTIFY_PID" 2>/dev/null || true
	wait "$NOTIFY_PID" 2>/dev/null || true
	NOTIFY_PID=
done

# A last start drains whatever the cards still hold.
start_daemon --simulate=2
wait_for 30 bash -c "'$CTL' --address unix:$SOCK --json show ocxlpmem1 | jq -e '.card.events | index(\"error-log-available\") | not' >/dev/null"
sleep 1
serial1=$(card_field ocxlpmem1 serial)
stored=$(ctl --json errors ocxlpmem1 | jq '.entries | length')
stop_daemon 2

journal OCXLPMEM_SERIAL="$serial1" | jq -r 'select(.OCXLPMEM_ERRLOG_ID != null) | .OCXLPMEM_ERRLOG_ID' |
	sort > "$WORK/alerted"
alerted=$(wc -l < "$WORK/alerted")
dups=$(uniq -d < "$WORK/alerted" | wc -l)
starts=$(journalctl --no-pager -o cat SYSLOG_IDENTIFIER=ocxlpmemd | grep -c "ocxlpmem1: card sim1 .* attached" || true)
echo "# $injected entries injected over $ROUNDS SIGKILLs; $alerted alerts, $stored stored"
check "every entry stored once ($stored of $injected)" test "$stored" -eq "$injected"
check "every entry alerted ($alerted of $injected)" test "$(sort -u "$WORK/alerted" | wc -l)" -eq "$injected"
check "no entry alerted twice ($dups duplicates)" test "$dups" -eq 0
check "the daemon really restarted ($starts starts)" test "$starts" -ge "$ROUNDS"
check "kills landed inside the drain ($midway of $ROUNDS)" test "$midway" -ge 1

echo "$CHECKS passed, 0 failed"
