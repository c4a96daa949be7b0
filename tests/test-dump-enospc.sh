#!/bin/bash
# A full disk during a dump: the state directory on a 24 MiB tmpfs in a
# private mount namespace, a 32 MiB dump.  The collection fails with a clear
# alert, leaves nothing partial and the card keeps its dump; once there is
# room (the tmpfs grows) the retry saves it byte-exact.
#
# Needs root and unshare(1) for the namespace; skips with the reason otherwise.

if [ -z "${OCXLPMEM_IN_NAMESPACE:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
		! unshare -m true 2>/dev/null; then
		echo "SKIP: needs root and unshare -m for a small private filesystem"
		exit 77
	fi
	exec unshare -m env OCXLPMEM_IN_NAMESPACE=1 bash "$0" "$@"
fi

. "$(dirname "$0")/lib-daemon.sh"

VERIFY="$top_builddir/tests/tools/dump-verify"
mount --make-rprivate /
mkdir -p "$WORK/state"
mount -t tmpfs -o size=24m tmpfs "$WORK/state"

dump_count() { find "$WORK/state/dumps" -name '*.ocxldump' 2>/dev/null | wc -l; }
temp_count() { find "$WORK/state/dumps" -name '.*.tmp' 2>/dev/null | wc -l; }
count_is() { [ "$(dump_count)" = "$1" ]; }
in_log() { grep -q -- "$1" "$LOG"; }
holds_dump() { card_field ocxlpmem0 events | grep -q controller-dump-available; }

write_test_config
cat >> "$WORK/etc/ocxlpmemd.conf" <<EOF

[dumps]
retry_interval = 2s
EOF
start_daemon --simulate=1
ctl sim inject ocxlpmem0 controller-dump --size 33554432
wait_for 20 in_log "ALERT controller-dump-failed .*card=ocxlpmem0"
check "disk full: the alert says so" in_log "controller-dump-failed .*disk under the state directory is full"
nothing_left() { [ "$(temp_count)" = 0 ] && [ "$(dump_count)" = 0 ]; }
wait_for 5 nothing_left
check "disk full: no dump file" test "$(dump_count)" = 0
check "disk full: no temporary left" test "$(temp_count)" = 0
check "disk full: the space is given back" test "$(df --output=used -k "$WORK/state" | tail -1)" -lt 1024
check "disk full: the card keeps its dump" holds_dump
serving() { ctl status >/dev/null; }
check "disk full: the daemon keeps serving" serving
mount -o remount,size=64m "$WORK/state"
wait_for 30 count_is 1
check "room again: the retry saves it byte-exact" "$VERIFY" "$(find "$WORK/state/dumps" -name '*.ocxldump')"
check "room again: nothing left over" test "$(temp_count)" = 0
stop_daemon 5
umount "$WORK/state"
echo "$CHECKS checks passed"
