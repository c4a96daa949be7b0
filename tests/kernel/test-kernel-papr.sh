#!/bin/bash
# A papr_scm DIMM (POWER LPAR persistent memory) through the real
# ocxlpmemd, under umockdev, on a machine with one card of the OCXL family
# (nmem0), one of the v4 driver (nmem1) and one papr DIMM (nmem2) whose
# /dev/nmem2 answers NVDIMM_FAMILY_PAPR's PDSM HEALTH only
# (tests/kernel/testbed-papr.c):
#  - all three in status with their health and transport; the papr DIMM's
#    serial from its ibm,unit-guid, and all it lacks unsupported;
#  - its PDSM health UNHEALTHY is a warning, CRITICAL and FATAL critical,
#    its fuel gauge the life remaining with the usual thresholds; each
#    with its alert, and back to ok;
#  - a dump or a firmware update of it is refused as not supported, and
#    nothing but PDSM HEALTH ever reaches its DIMM;
#  - a PDSM that fails makes the health unreadable, not made up;
#  - ndctl list -DH, when installed, reads the same DIMM the same way.
. "$(dirname "$0")/../lib-daemon.sh"
. "$(dirname "$0")/lib-kernel.sh"

mkdir -p "$WORK/etc"
cat > "$WORK/etc/ocxlpmemd.conf" <<CONF
[poll]
health_interval = 60s
stats_interval = 60s
firmware_interval = 60s
jitter = 0
backoff_max = 60s
CONF

start_testbed --cards 3 --v4 nmem1 --papr nmem2
start_daemon
wait_for 10 grep -q "STATUS=monitoring 3 cards" "$NOTIFY_LOG"
name_of() { { ctl --json status || true; } | jq -r --arg b "$1" '.cards[] | select(.backend_id == $b) | .name'; }
has_name() { [ -n "$(name_of "$1")" ]; }
wait_for 10 has_name nmem2
P=$(name_of nmem2)
wait_for 10 health_is "$(name_of nmem0)" ok
wait_for 10 health_is "$(name_of nmem1)" ok
wait_for 10 health_is "$P" ok
check "the family card through the tunnel" test "$(card_field "$(name_of nmem0)" transport)" = tunnel
check "the v4 card through its character device" test "$(card_field "$(name_of nmem1)" transport)" = chardev
check "the papr DIMM through its PDSM" test "$(card_field "$P" transport)" = papr
check "status lists all three" test "$(ctl status | grep -c '^ocxlpmem[0-9]')" -eq 3
check "status says what the papr DIMM is" \
	bash -c "'$CTL' --address unix:$SOCK status | grep -qx '  $P: papr_scm DIMM (POWER LPAR), health from its PDSM'"
# The bed's GUID ends in the card's serial (serial base + 2), in hex.
serial=$((1158557760124620800 + 2))
check "its serial is the GUID's last 64 bits" test "$(card_field "$P" serial)" = "$serial"
check "its life remaining from the fuel gauge" \
	test "$(ctl --json show "$P" | jq -r '.card.smart[] | select(.id == 202) | .current')" = 100
check "its dirty-shutdown count, a vendor attribute" \
	test "$(ctl --json show "$P" | jq -r '.card.smart[] | select(.id == 241) | .raw')" = 0
check "what it lacks is unsupported" \
	test "$(card_field "$P" 'unsupported | join(",")')" = \
	"error-log-read,error-log-ack,request-health,controller-stats,event-check,dump-start,dump-data,dump-complete,fw-update-start,fw-update-block,fw-update-finish,fw-update-abort,firmware-info,shutdown,heartbeat"
check "the PDSM was asked" test "$(tb_out pdsm-count nmem2)" -gt 0

tb pdsm nmem2 health=1 flags=1
poll_now
wait_for 10 health_is "$P" warning
check "UNHEALTHY: warning" health_is "$P" warning
check "UNHEALTHY: the platform's verdict as the reason" \
	bash -c "'$CTL' --address unix:$SOCK status | grep -q '$P: SMART attribute 0xf0 at 2, at or below its threshold 2'"
check "papr/flags follows, as the kernel shows it" \
	test "$(cat "$UMOCKDEV_DIR/sys/devices/platform/ibm,pmemory@44100003/ndbus2/nmem2/papr/flags")" = "not_armed "
tb pdsm nmem2 health=2
poll_now
wait_for 10 health_is "$P" critical
check "CRITICAL: critical" health_is "$P" critical
check "CRITICAL: its memory not available" \
	test "$(card_field "$P" 'reasons | any(.code == "memory-unavailable")')" = true
tb pdsm nmem2 health=3
poll_now
wait_for 10 field_is "$P" 'reasons | any(.code == "controller-not-ready")' true
check "FATAL: critical, not ready" health_is "$P" critical
tb pdsm nmem2 health=0 flags=0 gauge=3
poll_now
wait_for 10 field_is "$P" 'reasons | any(.code == "life-remaining")' true
check "the fuel gauge: life remaining critical" health_is "$P" critical
check "the fuel gauge: its alert" test "$(alert_count "$P" life-remaining active)" -eq 1
tb pdsm nmem2 gauge=100
poll_now
wait_for 10 health_is "$P" ok
check "healthy again: ok" health_is "$P" ok
check "the other cards untouched" health_is "$(name_of nmem0)" ok

check "a dump of it: not supported" bash -c "! '$CTL' --address unix:$SOCK dump '$P' > '$WORK/dump.out' 2>&1"
check "a dump of it: says so" grep -qi "not supported" "$WORK/dump.out"
printf 'not an image' > "$WORK/fw.img"
check "a firmware update of it: not supported" \
	bash -c "! '$CTL' --address unix:$SOCK firmware-update '$P' '$WORK/fw.img' > '$WORK/fw.out' 2>&1"
check "a firmware update of it: says so" grep -qi "not supported" "$WORK/fw.out"
check "nothing but PDSM HEALTH reached the DIMM" test "$(tb_out count nmem2)" -eq "$(tb_out pdsm-count nmem2)"

# Each failed poll counts; after [health] unresponsive_after of them the
# last values are no longer shown as current.
tb pdsm nmem2 status=-5
unreadable() { poll_now; sleep 0.2; field_is "$P" 'reasons | any(.code == "health-unreadable")' true; }
wait_for 20 unreadable
check "a failing PDSM: health unreadable, a warning" health_is "$P" warning
check "a failing PDSM: said with its errno" grep -q "$P: smart: Input/output error" "$LOG"
tb pdsm nmem2 status=0
poll_now
wait_for 10 health_is "$P" ok

# ndctl reads the same DIMM through libndctl's papr support.
if command -v ndctl >/dev/null; then
	tb pdsm nmem2 health=1 gauge=40 dsc=3
	UMOCKDEV_DIR=$UMOCKDEV_DIR LD_PRELOAD=libumockdev-preload.so.0 ndctl list -DHi -d nmem2 \
		> "$WORK/ndctl.json" 2>&1 || true
	check "ndctl: the same health state" \
		test "$(jq -r 'if type == "array" then .[0] else . end | .health.health_state' "$WORK/ndctl.json")" = non-critical
	check "ndctl: the same life used (100 - remaining)" \
		test "$(jq -r 'if type == "array" then .[0] else . end | .health.life_used_percentage' "$WORK/ndctl.json")" = 60
	check "ndctl: the same shutdown count" \
		test "$(jq -r 'if type == "array" then .[0] else . end | .health.shutdown_count' "$WORK/ndctl.json")" = 3
	# ... and the daemon, on the same PDSM answer: non-critical is a warning.
	poll_now
	wait_for 10 health_is "$P" warning
	check "ndctl non-critical, the daemon warning" health_is "$P" warning
	check "ndctl's life used 60, the daemon's life remaining 40" \
		test "$(ctl --json show "$P" | jq -r '.card.summary.life_remaining_pct')" = 40
	check "ndctl's shutdown count 3, the daemon's attribute 241" \
		test "$(ctl --json show "$P" | jq -r '.card.smart[] | select(.id == 241) | .raw')" = 3
else
	echo "note: ndctl is not installed; its view of the papr DIMM is not compared"
fi
stop_daemon 2
echo "$CHECKS passed, 0 failed"
