#!/bin/bash
# The v4 driver's character device through the real ocxlpmemd, under
# umockdev: a machine with one card of the OCXL family (nmem0) and one of
# the posted v4 driver (nmem1), whose /dev/nmem1 refuses the family but
# for SMART and whose /dev/ocxlpmem1 answers the private ioctls from the
# card model (tests/kernel/testbed-chardev.c).
#  - each card on its transport, shown in status JSON and metrics; the v4
#    card's missing functions unsupported, and never sent;
#  - SMART through /dev/nmem1, stats through /dev/ocxlpmem1;
#  - an error-log entry found by the v4 eventfd, stored and taken off the
#    card once; a card-made dump of an odd size collected whole;
#  - a v4 card hotplugged and removed;
#  - a fatal event read through the eventfd before the bus goes;
#  - [kernel] transport = tunnel refuses the v4 card, = chardev the family
#    card, each with the reason; a bad value stops the daemon with one.
. "$(dirname "$0")/../lib-daemon.sh"
. "$(dirname "$0")/lib-kernel.sh"

mkdir -p "$WORK/etc"
conf() {
	cat > "$WORK/etc/ocxlpmemd.conf" <<CONF
[poll]
health_interval = 60s
stats_interval = 60s
firmware_interval = 60s
jitter = 0
backoff_max = 60s

[thresholds]
error_log_window = 1m
$1
CONF
}
conf ""

start_testbed --cards 2 --v4 nmem1
PORT=$((20000 + RANDOM % 20000))
start_daemon --metrics-listen "127.0.0.1:$PORT"
wait_for 10 grep -q "STATUS=monitoring 2 cards" "$NOTIFY_LOG"
wait_for 10 health_is ocxlpmem0 ok
wait_for 10 health_is ocxlpmem1 ok
check "the family card goes through the tunnel" test "$(card_field ocxlpmem0 transport)" = tunnel
check "the v4 card goes through its character device" test "$(card_field ocxlpmem1 transport)" = chardev
check "said once in the log" test "$(grep -c "ocxlpmem1: commands through chardev" "$LOG")" -eq 1
check "the v4 card: what v4 lacks is unsupported" \
	test "$(card_field ocxlpmem1 'unsupported | join(",")')" = \
	"controller-health,fw-update-start,fw-update-block,fw-update-finish,fw-update-abort,firmware-info,shutdown,heartbeat"
check "status says which card goes through its character device" \
	bash -c "'$CTL' --address unix:$SOCK status | grep -qx '  ocxlpmem1: v4 driver, commands through its character device /dev/ocxlpmemN'"
check "status: only that one" test "$(ctl status | grep -c 'character device')" -eq 1
check "metrics: the card's transport in its info series" \
	bash -c "curl -sf http://127.0.0.1:$PORT/metrics | grep -q '^ocxlpmem_card_info{card=\"ocxlpmem1\",.*transport=\"chardev\"} 1'"
check "metrics: the family card's too" \
	bash -c "curl -sf http://127.0.0.1:$PORT/metrics | grep -q '^ocxlpmem_card_info{card=\"ocxlpmem0\",.*transport=\"tunnel\"} 1'"
check "the family card: nothing unsupported" test "$(card_field ocxlpmem0 'unsupported | length')" -eq 0
check "the v4 card: ioctls reached /dev/ocxlpmem1" test "$(tb_out cdev-count nmem1)" -gt 0
check "the family card has no character device" test "$(tb_out cdev-count nmem0)" -eq 0
check "the v4 card: stats read" \
	test "$(ctl --json show ocxlpmem1 | jq -r '.card.stats.reset_count')" != null
check "the v4 card: CONTROLLER_HEALTH never reached the card" \
	test "$(tb_out count nmem1 controller-health)" -eq 0
# The bed signals the daemon's eventfd through a copy it takes with
# pidfd_getfd(2), which needs the right to ptrace the daemon.
if [ "$(tb_out eventfd nmem1)" = no ] && [ "$(id -u)" -ne 0 ] &&
	[ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" != 0 ]; then
	echo "SKIP: the test bed cannot take the daemon's eventfd (pidfd_getfd needs ptrace rights: root, or kernel.yama.ptrace_scope = 0)"
	exit 77
fi
check "the v4 card: an eventfd registered with the driver" test "$(tb_out eventfd nmem1)" = yes

# SMART goes through /dev/nmem1, as v4 tunnels it.
tb temperature nmem1 90
poll_now
wait_for 10 health_is ocxlpmem1 critical
check "v4 SMART: temperature alert" test "$(alert_count ocxlpmem1 temperature active)" -eq 1
tb temperature nmem1 -1
poll_now
wait_for 10 health_is ocxlpmem1 ok

# Polls are a minute apart: an entry found within seconds came by event.
tb errlog nmem1 data-loss
wait_for 10 health_is ocxlpmem1 critical
check "v4 error log: found by eventfd, critical" health_is ocxlpmem1 critical
check "v4 error log: one entry alert" test "$(alert_count ocxlpmem1 error-log-entry-data-loss)" -eq 1
check "v4 error log: stored" test "$(ctl --json errors ocxlpmem1 | jq '.entries | length')" -eq 1
check "v4 error log: taken off the card" test "$(tb_out count nmem1 error-log-ack)" -ge 1

# A dump the card made by itself, of a size no power of two.
tb dump nmem1 100008
wait_for 20 grep -q "ALERT controller-dump-saved .*card=ocxlpmem1 " "$LOG"
check "v4 dump: collected whole, its size found" \
	grep -q "ALERT controller-dump-saved .*card=ocxlpmem1 .*dump_size=100008 " "$LOG"
check "v4 dump: read as the card's own" test "$(ctl --json dumps ocxlpmem1 | jq -r '.dumps[0].origin')" = card
check "v4 dump: completed on the card" test "$(tb_out count nmem1 dump-complete)" -eq 1

# A v4 card hotplugged, and removed.
check "a v4 card is hotplugged" test "$(tb_out add v4)" = nmem2
wait_for 10 health_is ocxlpmem2 ok
check "hotplugged v4 card: through its character device" test "$(card_field ocxlpmem2 transport)" = chardev
check "hotplugged v4 card: its eventfd registered" test "$(tb_out eventfd nmem2)" = yes
tb remove nmem2
wait_for 5 field_is ocxlpmem2 present false
check "removed v4 card: offline" health_is ocxlpmem2 offline
check "removed v4 card: no transport while absent" test "$(card_field ocxlpmem2 transport)" = null

# A fatal event: the bits come through the eventfd before the bus goes.
tb fatal nmem1 hardware
wait_for 10 health_is ocxlpmem1 fatal
check "v4 fatal: one alert" test "$(alert_count ocxlpmem1 card-fatal active)" -eq 1
check "the family card is unaffected" health_is ocxlpmem0 ok
stop_daemon 2

# ---- Forced transports ------------------------------------------------------

stop_testbed
start_testbed --cards 2 --v4 nmem1
# Each run from a clean state: no verdict of the run before stays.
rm -rf "$WORK/state"
conf "[kernel]
transport = tunnel"
start_daemon
wait_for 10 grep -q "nmem1: capabilities failed with ENOTTY" "$LOG"
check "transport = tunnel: the v4 card is refused with the reason" \
	grep -q "nmem1: capabilities failed with ENOTTY: the driver does not accept the OCXL command family" "$LOG"
check "transport = tunnel: its character device untouched" test "$(tb_out cdev-count nmem1)" -eq 0
wait_for 10 health_is ocxlpmem0 ok
check "transport = tunnel: the family card monitored" test "$(card_field ocxlpmem0 transport)" = tunnel
stop_daemon 2

rm -rf "$WORK/state"
conf "[kernel]
transport = chardev"
: > "$LOG"
start_daemon
# (A clean state: names are given anew.)
name_of() { { ctl --json status || true; } | jq -r --arg b "$1" '.cards[] | select(.present and .backend_id == $b) | .name'; }
has_name() { [ -n "$(name_of "$1")" ]; }
wait_for 10 has_name nmem1
v4=$(name_of nmem1)
wait_for 10 health_is "$v4" ok
check "transport = chardev: the family card is refused with the reason" \
	grep -q "nmem0: the configured transport is chardev, and no ocxlpmem character device (/dev/ocxlpmemN) shares the DIMM's PCI function" "$LOG"
check "transport = chardev: the family card is not monitored" test -z "$(name_of nmem0)"
check "transport = chardev: the v4 card from its first command" \
	test "$(card_field "$v4" transport)" = chardev
check "transport = chardev: no family command but SMART to the v4 DIMM" \
	test "$(tb_out count nmem1 capabilities)" -eq 0
stop_daemon 2

conf "[kernel]
transport = v4"
check "a bad transport stops the daemon" bash -c "! timeout 10 '$DAEMON' --config '$WORK/etc/ocxlpmemd.conf' \
	--state-dir '$WORK/state' --runtime-dir '$WORK/run' --log-target stderr --metrics-listen off \
	> '$WORK/bad.out' 2>&1"
check "a bad transport: said how" \
	grep -q "\[kernel\] transport: 'v4' is not valid (expected auto, tunnel or chardev)" "$WORK/bad.out"

echo "$CHECKS passed, 0 failed"
