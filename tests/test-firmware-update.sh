#!/bin/bash
# Firmware updates through the real binaries, simulation backend:
#  - an update succeeds: the card model stages the image's version, runs it
#    after a reset, and the daemon raises one alert;
#  - every card status code of FW_UPDATE_START/BLOCK/FINISH gives its own
#    message, and the card keeps its version and leaves update mode;
#  - a cancel mid-update leaves the card on its running version, not in
#    update mode; a second update meanwhile is refused as busy, and the
#    daemon keeps answering;
#  - bad images (empty, not a multiple of 8, too big, bad header) and
#    --dry-run send nothing to the card;
#  - a card removed or hung mid-update fails the job with a message, and
#    the next update succeeds;
#  - an unprivileged user can look but not update or cancel.
. "$(dirname "$0")/lib-daemon.sh"

FWIMG="$top_builddir/tests/fw-image"
IMG="$WORK/img"

# fw_field CARD JQ: a field of the card's firmware state.
fw_field() {
	ctl --json firmware "$1" | jq -r ".firmware.$2"
}

fw_field_is() {
	[ "$(fw_field "$1" "$2")" = "$3" ]
}

# started_count: update jobs the daemon started so far.
started_count() {
	grep -c "firmware update to .* started by" "$LOG" || true
}

# update CARD FILE [OPTION]...: run firmware-update; $OUT, $ERR and $RC.
update() {
	set +e
	ctl firmware-update "$@" > "$WORK/out" 2> "$WORK/err"
	RC=$?
	set -e
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}

"$FWIMG" 1.1.0000 1048576 "$IMG"
"$FWIMG" 1.2.0000 1048576 "$WORK/img2"
chmod 755 "$WORK"
chmod 644 "$IMG"

start_daemon --simulate=3
for c in 0 1 2; do
	wait_for 10 health_is "ocxlpmem$c" ok
	wait_for 10 fw_field_is "ocxlpmem$c" running_version 1.0.0000
done

# ---- Success ---------------------------------------------------------------------

update ocxlpmem0 "$IMG"
check "update: exit 0" test "$RC" -eq 0
check "update: says what it staged" grep -q "firmware 1.1.0000 staged" <<<"$OUT"
check "update: the card staged 1.1.0000" fw_field_is ocxlpmem0 staged_version 1.1.0000
check "update: still runs 1.0.0000 until a reset" fw_field_is ocxlpmem0 running_version 1.0.0000
check "update: the job succeeded" fw_field_is ocxlpmem0 update.state succeeded
check "update: every byte acknowledged" \
	test "$(fw_field ocxlpmem0 update.progress.done)" -eq "$(stat -c %s "$IMG")"
check "update: status shows the staged version" field_is ocxlpmem0 staged_firmware_version 1.1.0000
check "update: status shows the result" field_is ocxlpmem0 firmware_update succeeded
check "update: status text says staged" \
	bash -c "'$CTL' --address unix:$SOCK status | grep -q 'ocxlpmem0: firmware 1.1.0000 staged'"
check "update: one success alert" test "$(alert_count ocxlpmem0 firmware-update-succeeded entry)" -eq 1
check "update: the alert names the versions" \
	grep -q "ALERT firmware-update-succeeded .*fw_image_version=1.1.0000 .*fw_previous_version=1.0.0000 fw_staged_version=1.1.0000" "$LOG"
ctl sim inject ocxlpmem0 reset
wait_for 10 fw_field_is ocxlpmem0 running_version 1.1.0000
check "after a reset the card runs 1.1.0000" fw_field_is ocxlpmem0 running_version 1.1.0000
check "and nothing is staged" fw_field_is ocxlpmem0 staged_version null

ctl --json firmware-update ocxlpmem0 "$WORK/img2" > "$WORK/json"
check "--json: the firmware-update schema" \
	jq -e '.schema == "ocxlpmemctl.firmware-update/1" and .update.state == "succeeded" and .update.staged_version == "1.2.0000"' "$WORK/json"

# ---- Card status codes --------------------------------------------------------------

# function status message-fragment name
while read -r fn status msg name; do
	msg=${msg//_/ }
	before=$(alert_count ocxlpmem1 firmware-update-failed entry)
	ctl sim inject ocxlpmem1 status --function "$fn" --status "$status" --count 1
	update ocxlpmem1 "$IMG"
	check "$fn $status: exit 1" test "$RC" -eq 1
	check "$fn $status: '$msg'" grep -q "$msg" <<<"$ERR"
	check "$fn $status: names the step" grep -q "($fn" <<<"$ERR"
	check "$fn $status: card_status $name" fw_field_is ocxlpmem1 update.card_status "$name"
	check "$fn $status: one failure alert" \
		test "$(alert_count ocxlpmem1 firmware-update-failed entry)" -eq $((before + 1))
	wait_for 10 fw_field_is ocxlpmem1 update_in_progress false
	check "$fn $status: the card is not in update mode" fw_field_is ocxlpmem1 update_in_progress false
	check "$fn $status: nothing staged" fw_field_is ocxlpmem1 staged_version null
	check "$fn $status: still runs 1.0.0000" fw_field_is ocxlpmem1 running_version 1.0.0000
done <<'EOF'
fw-update-start 0x21 the_card_blocked_the_firmware_update BLOCKED_BG_TASK
fw-update-start 0x51 rejected_an_argument_of_the_firmware_update BAD_REQUEST_PARM
fw-update-start 0x20 persistent_memory_is_not_available MEM_UNAVAILABLE
fw-update-block 0x21 the_card_blocked_the_firmware_update BLOCKED_BG_TASK
fw-update-block 0x51 rejected_an_argument_of_the_firmware_update BAD_REQUEST_PARM
fw-update-block 0x52 rejected_the_firmware_image_as_invalid BAD_DATA_PARM
fw-update-block 0x50 does_not_support_this_command BAD_OPCODE
fw-update-block 0x70 blocked_while_the_card_is_in_debug_mode DEBUG_BLOCKED
fw-update-block 0xff the_card_failed_the_command FAIL
fw-update-finish 0x52 rejected_the_firmware_image_as_invalid BAD_DATA_PARM
fw-update-finish 0x51 rejected_an_argument_of_the_firmware_update BAD_REQUEST_PARM
fw-update-finish 0x21 the_card_blocked_the_firmware_update BLOCKED_BG_TASK
EOF
ctl sim inject ocxlpmem1 status --function fw-update-block --status 0x42 --count 1
update ocxlpmem1 "$IMG"
check "an undefined status: said so, with its code" grep -q "does not define (status 0x42)" <<<"$ERR"
check "an undefined status: card_status null" fw_field_is ocxlpmem1 update.card_status null

# An image without the OCXLPMFW header passes the daemon's checks; the card
# model only installs images it can name a version for.
"$FWIMG" --opaque 4096 "$WORK/opaque"
update ocxlpmem1 "$WORK/opaque"
check "opaque image: the card's refusal (0x52 at finish)" \
	grep -q "rejected the firmware image as invalid (fw-update-finish)" <<<"$ERR"

# ---- Cancel, busy, serving ------------------------------------------------------------

# 32 blocks 150 ms apart: ~5 s to cancel in.
ctl sim inject ocxlpmem2 slow --function fw-update-block --delay-ms 150
set +e
ctl firmware-update ocxlpmem2 "$IMG" > "$WORK/follow.out" 2> "$WORK/follow.err" &
follower=$!
set -e
sending() {
	[ "$(fw_field ocxlpmem2 update.state)" = running ] &&
		[ "$(fw_field ocxlpmem2 update.progress.done)" -gt 0 ]
}
wait_for 10 sending
check "running: status says so" field_is ocxlpmem2 firmware_update running
update ocxlpmem2 "$WORK/img2"
check "a second update: exit 1" test "$RC" -eq 1
check "a second update: busy" grep -q "ocxlpmem2 is busy: a firmware update is already running" <<<"$ERR"
update ocxlpmem2 "$WORK/img2" --force
check "a second update: busy even with --force" grep -q "is busy" <<<"$ERR"
t0=$(date +%s%N)
ctl status > /dev/null
ctl --json show ocxlpmem0 > /dev/null
t1=$(date +%s%N)
check "the daemon answers during the update (<1 s)" test $(((t1 - t0) / 1000000)) -lt 1000
check "update still running" fw_field_is ocxlpmem2 update.state running
ctl firmware-cancel ocxlpmem2 > "$WORK/cancel.out"
check "cancel: says so" grep -q "firmware update cancelled" "$WORK/cancel.out"
set +e
wait "$follower"
rc_follow=$?
set -e
check "cancel: the waiting client exits 1" test "$rc_follow" -eq 1
check "cancel: and says cancelled" grep -q "firmware update cancelled" "$WORK/follow.err"
check "cancel: the job ended cancelled" fw_field_is ocxlpmem2 update.state cancelled
check "cancel: mid-image" \
	test "$(fw_field ocxlpmem2 update.progress.done)" -lt "$(stat -c %s "$IMG")"
wait_for 10 fw_field_is ocxlpmem2 update_in_progress false
check "cancel: the card left update mode" fw_field_is ocxlpmem2 update_in_progress false
check "cancel: still runs 1.0.0000" fw_field_is ocxlpmem2 running_version 1.0.0000
check "cancel: nothing staged" fw_field_is ocxlpmem2 staged_version null
check "cancel: one cancel alert" test "$(alert_count ocxlpmem2 firmware-update-cancelled entry)" -eq 1
set +e
ctl firmware-cancel ocxlpmem2 2> "$WORK/err"
rc=$?
set -e
check "cancel with nothing running: exit 1, said so" \
	bash -c "[ $rc -eq 1 ] && grep -q 'no firmware update or upload to cancel' '$WORK/err'"
ctl sim inject ocxlpmem2 clear
update ocxlpmem2 "$IMG"
check "after a cancel the next update succeeds" fw_field_is ocxlpmem2 staged_version 1.1.0000

# ---- Bad images, dry run: nothing reaches the card ----------------------------------------

started=$(started_count)
: > "$WORK/empty"
printf '0123456789ab' > "$WORK/twelve"
"$FWIMG" --opaque 16777224 "$WORK/big"
"$FWIMG" 1.3.0000 4096 "$WORK/badcrc"
printf '\xff' | dd of="$WORK/badcrc" bs=1 seek=100 conv=notrunc status=none
"$FWIMG" 1.3.0000 4096 "$WORK/badhdr"
printf '\x07' | dd of="$WORK/badhdr" bs=1 seek=24 conv=notrunc status=none
"$FWIMG" 1.3.0000 4096 "$WORK/badlen"
printf '\0\0\0\0\0\0\0\0' >> "$WORK/badlen"
while read -r file msg; do
	msg=${msg//_/ }
	update ocxlpmem0 "$WORK/$file"
	check "$file: exit 1" test "$RC" -eq 1
	check "$file: '$msg'" grep -q "invalid firmware image: .*$msg" <<<"$ERR"
	update ocxlpmem0 "$WORK/$file" --dry-run
	check "$file --dry-run: refused the same" grep -q "invalid firmware image: .*$msg" <<<"$ERR"
done <<'EOF'
empty the_firmware_image_is_empty
twelve not_a_multiple_of_8_bytes
big larger_than_the_card_accepts
badcrc its_CRC-32_does_not_match
badhdr unknown_version
badlen shorter_or_longer_than_its_header_says
EOF
update ocxlpmem0 "$WORK/big"
check "too big: names the card's limit" grep -q "the card takes at most 16777216" <<<"$ERR"
update ocxlpmem0 "$IMG" --dry-run
check "--dry-run: exit 0" test "$RC" -eq 0
check "--dry-run: says nothing was sent" grep -q "version 1.1.0000; nothing sent (dry run)" <<<"$OUT"
ctl --json firmware-update --dry-run ocxlpmem0 "$IMG" > "$WORK/json"
check "--dry-run --json: the image as checked" \
	jq -e '.schema == "ocxlpmemctl.firmware-update/1" and .dry_run and .image.has_header and .image.version == "1.1.0000" and .update == null' "$WORK/json"
check "bad images and dry runs started no job" test "$(started_count)" -eq "$started"
check "and the card staged nothing new" fw_field_is ocxlpmem0 staged_version 1.2.0000

# ---- Removed or hung mid-update ----------------------------------------------------------

ctl sim inject ocxlpmem1 remove-after --function fw-update-block --after 3
update ocxlpmem1 "$IMG"
check "removed mid-update: exit 1" test "$RC" -eq 1
check "removed mid-update: said so" grep -q "the card went away" <<<"$ERR"
check "removed mid-update: one failure alert naming it" \
	grep -q "ALERT firmware-update-failed .*card=ocxlpmem1 .*msg=\"the card went away" "$LOG"
ctl sim inject ocxlpmem1 reset
wait_for 10 health_is ocxlpmem1 ok
wait_for 10 fw_field_is ocxlpmem1 running_version 1.0.0000
check "removed mid-update: back on 1.0.0000" fw_field_is ocxlpmem1 running_version 1.0.0000
update ocxlpmem1 "$IMG"
check "removed mid-update: the next update succeeds" fw_field_is ocxlpmem1 staged_version 1.1.0000

# A card hung in a BLOCK: the executor's deadline (FW_UPDATE, 16 s) ends it.
ctl sim inject ocxlpmem2 hang --function fw-update-block --count 1
update ocxlpmem2 "$WORK/img2"
check "hung mid-update: exit 1" test "$RC" -eq 1
check "hung mid-update: did not answer in time" grep -q "did not answer in time (fw-update-block" <<<"$ERR"
check "the other cards kept being served" health_is ocxlpmem0 ok
wait_for 10 health_is ocxlpmem2 unresponsive
update ocxlpmem2 "$WORK/img2"
check "hung card: a new update is refused as unhealthy" \
	grep -q "firmware update refused: the card is not healthy" <<<"$ERR"
update ocxlpmem2 "$WORK/img2" --force
check "hung card, --force: fails at once, saying why" grep -q "the card is hung" <<<"$ERR"
ctl sim inject ocxlpmem2 clear
wait_for 20 health_is ocxlpmem2 ok
update ocxlpmem2 "$WORK/img2"
check "hung mid-update: once released, the next update succeeds" \
	fw_field_is ocxlpmem2 staged_version 1.2.0000

# ---- Authorisation ------------------------------------------------------------------------

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "# skipped the authorisation checks: they need root and setpriv"
elif ! as_nobody test -x "$CTL" || ! as_nobody test -r "$IMG"; then
	echo "# skipped the authorisation checks: uid 65534 cannot reach $CTL"
else
	chmod 755 "$WORK/run"
	started=$(started_count)
	set +e
	as_nobody "$CTL" --address "unix:$SOCK" firmware-update ocxlpmem0 "$IMG" 2>/dev/null
	rc_update=$?
	as_nobody "$CTL" --address "unix:$SOCK" firmware-update --dry-run ocxlpmem0 "$IMG" 2>/dev/null
	rc_dry=$?
	as_nobody "$CTL" --address "unix:$SOCK" firmware-cancel ocxlpmem0 2>/dev/null
	rc_cancel=$?
	as_nobody "$CTL" --address "unix:$SOCK" firmware ocxlpmem0 >/dev/null
	rc_show=$?
	set -e
	check "unprivileged: firmware-update refused (exit 4)" test "$rc_update" -eq 4
	check "unprivileged: even a dry run (exit 4)" test "$rc_dry" -eq 4
	check "unprivileged: firmware-cancel refused (exit 4)" test "$rc_cancel" -eq 4
	check "unprivileged: firmware state readable" test "$rc_show" -eq 0
	check "unprivileged: no job started" test "$(started_count)" -eq "$started"
fi

stop_daemon 3
echo "# $CHECKS checks passed"
