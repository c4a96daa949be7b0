#!/bin/bash
# A card's state file that exists but cannot be read (a symlink loop:
# ELOOP; no permission: EACCES) is left alone: the card shows unknown with
# the reason state-unreadable, nothing saves over the file (not an
# error-log entry, not the shutdown), the card keeps its error-log entries,
# and the load is retried until it works; then the card carries on with
# its history and latched alerts.  A 1 GiB state file is too large: set
# aside without being read, the card starts afresh.

ERRLOG_WINDOW=1h
. "$(dirname "$0")/lib-daemon.sh"

# PARTS: which of eloop, eacces, efbig to run (all by default; each part
# stands alone, for checking one fix at a time).
PARTS=${PARTS:-eloop eacces efbig}
part() { [[ " $PARTS " == *" $1 "* ]]; }


entry_alerts() { alert_count ocxlpmem0 error-log-entry-data-loss entry; }
reason_is() { [ "$(card_field ocxlpmem0 'reasons[0].code')" = "$1" ]; }
errlog_count() { ctl --json errors ocxlpmem0 | jq '.entries | length'; }
# Nothing in cards/ but the file itself: no temporary, nothing set aside.
only_the_file() { [ "$(ls -A "$WORK/state/cards")" = "$serial.json" ]; }
# For wait_for: counted again on every try.
entry_alerts_are() { [ "$(entry_alerts)" -eq "$1" ]; }
loads_are() {
	[ "$(grep -c "ocxlpmem0: the state file of serial $serial can be read again" "$LOG")" -eq "$1" ]
}

# ---- A record with history and a latched alert ---------------------------

start_daemon --simulate=1
wait_for 10 health_is ocxlpmem0 ok
serial=$(card_field ocxlpmem0 serial)
file="$WORK/state/cards/$serial.json"
ctl sim inject ocxlpmem0 error-log --type data-loss
wait_for 10 health_is ocxlpmem0 critical
stop_daemon
check "first run: one entry alert, one condition alert" \
	test "$(entry_alerts)/$(alert_count ocxlpmem0 error-log-data-loss active)" = 1/1

# ---- ELOOP: the file is a symlink to itself --------------------------------

if part eloop; then

mv "$file" "$WORK/real.json"
ln -s "$serial.json" "$file"
start_daemon --simulate=1
wait_for 10 health_is ocxlpmem0 unknown
check "symlink loop: health unknown" health_is ocxlpmem0 unknown
check "symlink loop: reason state-unreadable" reason_is state-unreadable
check "symlink loop: the error is logged with its errno" grep -q \
	"ocxlpmem0: cannot read the state file $WORK/state/cards/$serial.json; leaving it alone, .*: Too many levels of symbolic links" "$LOG"
# What would save the record: a new entry, polls, and the shutdown.
ctl sim inject ocxlpmem0 error-log --type data-loss
poll_now
sleep 1
check "symlink loop: the card keeps its entry (not drained)" test "$(entry_alerts)" -eq 1
check "symlink loop: no condition alert from a blank record" \
	test "$(alert_count ocxlpmem0 error-log-data-loss active)" -eq 1
stop_daemon
check "symlink loop: still the same symlink after the shutdown" \
	test -L "$file" -a "$(readlink "$file")" = "$serial.json"
check "symlink loop: nothing else written or set aside" only_the_file

# Fixed while the daemon runs: the retry loads it.
start_daemon --simulate=1
wait_for 10 health_is ocxlpmem0 unknown
rm "$file"
mv "$WORK/real.json" "$file"
wait_for 20 loads_are 1
wait_for 10 health_is ocxlpmem0 critical
wait_for 10 entry_alerts_are 2
check "fixed: loaded, with the old entry, and the kept one drained" test "$(errlog_count)" -eq 2
check "fixed: the latched condition is not alerted again" \
	test "$(alert_count ocxlpmem0 error-log-data-loss active)" -eq 1
stop_daemon
fi

# ---- EACCES: a daemon that is not root, a file mode 000 ------------------

AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if ! part eacces; then
	:
elif [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "# SKIP EACCES: needs root and setpriv to run the daemon as nobody"
else
	chmod 0711 "$WORK"
	chown -R 65534:65534 "$WORK/state" "$WORK/run"
	chmod 000 "$file"
	sum=$(sha256sum < "$file")
	if ! "${AS_NOBODY[@]}" "$DAEMON" --version >/dev/null 2>&1; then
		echo "# SKIP EACCES: uid 65534 cannot run $DAEMON"
	else
		# (Not through a function: $! must be the daemon, for signals.)
		"${AS_NOBODY[@]}" "$DAEMON" --config "$WORK/etc/ocxlpmemd.conf" --simulate=1 \
			--state-dir "$WORK/state" --runtime-dir "$WORK/run" --log-target stderr \
			--metrics-listen off >> "$LOG" 2>&1 &
		DAEMON_PID=$!
		wait_for 10 health_is ocxlpmem0 unknown
		check "mode 000: reason state-unreadable" reason_is state-unreadable
		check "mode 000: the error is logged with its errno" grep -q \
			"ocxlpmem0: cannot read the state file $WORK/state/cards/$serial.json; leaving it alone, .*: Permission denied" "$LOG"
		ctl sim inject ocxlpmem0 error-log --type data-loss
		poll_now
		sleep 1
		check "mode 000: the file is untouched" \
			test "$(stat -c %a "$file")/$(sha256sum < "$file")" = "0/$sum"
		check "mode 000: nothing else written or set aside" only_the_file
		chmod 644 "$file"
		wait_for 20 loads_are $((1 + $(part eloop && echo 1 || echo 0)))
		entries=$(($(part eloop && echo 2 || echo 1) + 1))
		wait_for 10 entry_alerts_are $entries
		check "readable again: loaded, and the kept entry drained" test "$(errlog_count)" -eq $entries
		kill -TERM "$DAEMON_PID"
		wait "$DAEMON_PID" || fail "ocxlpmemd as nobody exited with $?"
		DAEMON_PID=
		check "readable again: saved with the new entry" \
			test "$(jq '.history | length' "$file")" -eq $entries
	fi
	chown -R 0:0 "$WORK/state" "$WORK/run"
fi

# ---- EFBIG: a 1 GiB (sparse) state file ------------------------------------

part efbig || exit 0

rm "$file"
truncate -s 1G "$file"
start_daemon --simulate=1
wait_for 10 health_is ocxlpmem0 ok
check "1 GiB: reported as too large, set aside" grep -q \
	"ocxlpmem0: the state file of serial $serial was too large (over 16 MiB: not one of ours), not read; set aside as cards/$serial.json.too-large-[0-9]*, starting afresh" "$LOG"
check "1 GiB: not called corrupt" bash -c "! grep -q corrupt '$LOG'"
asides=("$file".too-large-*)
check "1 GiB: kept whole under the new name" \
	test "${#asides[@]}" -eq 1 -a "$(stat -c %s "${asides[0]}")" -eq $((1 << 30))
# Read into memory it would be a gigabyte of resident memory at least once.
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status")
check "1 GiB: not read into memory (peak RSS $hwm KiB)" test "$hwm" -lt $((256 * 1024))
stop_daemon
check "1 GiB: the card starts afresh and saves" test "$(jq -r .serial "$file")" = "$serial"
