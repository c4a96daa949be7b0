#!/bin/bash
# The kernel backend through the real ocxlpmemd (no --simulate), under
# umockdev: libndctl discovery, ND_IOCTL_CALL on /dev/nmemN answered by the
# card model, udev hotplug and the ocxlpmem/events attribute.
#  - 4 cards found at start, an ACPI.NFIT bus beside them left alone;
#  - a 5th card hotplugged, a card removed (offline, history kept), a card
#    removed with a command in flight;
#  - the daemon-core fault scenarios through the kernel path: error-log
#    alert found by event (polls are a minute apart), temperature, command
#    faults, not ready, timeouts, fatal and reset, a hung card;
#  - an ocxlpmem/events notification makes the card be polled at once; a
#    card without the attribute is polled for its events instead;
#  - DIMMs whose family is refused (ENOTTY) or whose descriptor is
#    read-only (EPERM) are reported with the reason and asked only once;
#  - a card whose driver lacks some functions is never sent them, and a
#    function failing with ENOTTY though advertised is sent only once;
#  - a card removed in the middle of a controller dump;
#  - a DIMM whose node opens only read-only for the daemon's user (a second
#    daemon as nobody): refused with the reason, once, never sent a
#    command, tried again after a rebind; the other cards work.
. "$(dirname "$0")/../lib-daemon.sh"
. "$(dirname "$0")/lib-kernel.sh"

# Polls a minute apart: what happens sooner came by event or by SIGUSR1.
mkdir -p "$WORK/etc"
cat > "$WORK/etc/ocxlpmemd.conf" <<EOF
[poll]
health_interval = 60s
stats_interval = 60s
firmware_interval = 60s
jitter = 0
backoff_max = 60s
unresponsive_after = 3

[thresholds]
error_log_window = 1m
EOF

serial0=1158557760124620800

start_testbed --cards 4 --nfit --no-events nmem3
# No options: the kernel backend.
# shellcheck disable=SC2119
start_daemon
wait_for 10 grep -q "STATUS=monitoring 4 cards" "$NOTIFY_LOG"
check "4 cards found at start" test "$(ctl --json status | jq '.cards | length')" -eq 4
for i in 0 1 2 3; do
	wait_for 10 health_is ocxlpmem$i ok
	check "ocxlpmem$i is nmem$i, serial from sysfs" \
		test "$(backend_of ocxlpmem$i) $(card_field ocxlpmem$i serial)" = "nmem$i $((serial0 + i))"
done
check "the ACPI.NFIT bus and its DIMM are left alone" bash -c "! grep -q nmem99 '$LOG'"
check "the NFIT DIMM is not a card" test "$(ctl --json status | jq '[.cards[] | select(.backend_id == "nmem99")] | length')" -eq 0
check "the firmware version hint from sysfs" test "$(card_field ocxlpmem0 firmware_version)" = 1.0.0000
check "each new card announced once" test "$(grep -c "ALERT card-discovered " "$LOG")" -eq 4

# A real card takes no injected fault: without --simulate the daemon does
# not serve io.ocxlpmem.Simulation at all.
set +e
ctl sim inject ocxlpmem0 temperature --celsius 95 2> "$WORK/sim.err"
rc=$?
set -e
check "real card: sim inject fails (exit 1)" test "$rc" -eq 1
check "real card: sim inject says the daemon does not simulate" grep -qx \
	"ocxlpmemctl: InjectFault: the daemon is not running the simulation (--simulate)" "$WORK/sim.err"

# ---- Hotplug ---------------------------------------------------------------

check "a 5th card is hotplugged" test "$(tb_out add)" = nmem4
wait_for 10 health_is ocxlpmem4 ok
check "the 5th card is monitored" test "$(backend_of ocxlpmem4)" = nmem4
wait_for 10 grep -q "STATUS=monitoring 5 cards" "$NOTIFY_LOG"

tb remove nmem2
wait_for 5 field_is ocxlpmem2 present false
check "removed card: offline" health_is ocxlpmem2 offline
check "removed card: one offline alert" test "$(alert_count ocxlpmem2 card-offline active)" -eq 1
check "removed card: history kept" ctl show ocxlpmem2
check "removed card: the others stay" test "$(ctl --json status | jq '[.cards[] | select(.present)] | length')" -eq 4

# A command in flight when the card goes: it fails, the card goes offline
# at once, nothing waits for the stuck call.
tb fault nmem4 hang function=smart
poll_now
sleep 0.5
t0=$(date +%s%N)
tb remove nmem4
wait_for 5 field_is ocxlpmem4 present false
t1=$(date +%s%N)
check "removed mid-command: offline within 2 s" test $(((t1 - t0) / 1000000)) -lt 2000
check "removed mid-command: daemon answers" ctl version

# ---- Events ---------------------------------------------------------------

# Polls are a minute apart: an entry found within seconds came by event.
tb errlog nmem1 data-loss
wait_for 10 health_is ocxlpmem1 critical
check "error-log entry found by event: critical" health_is ocxlpmem1 critical
check "error-log entry: one entry alert" test "$(alert_count ocxlpmem1 error-log-entry-data-loss)" -eq 1
check "error-log entry: one condition alert" test "$(alert_count ocxlpmem1 error-log-data-loss active)" -eq 1
check "error-log entry acknowledged on the card" test "$(ctl --json errors ocxlpmem1 | jq '.entries | length')" -eq 1

# A bare notification (sysfs_notify without a new bit) is news: a poll now.
before=$(polls_of ocxlpmem0)
tb event nmem0 0x0
wait_for 5 bash -c "[ \$('$CTL' --address unix:$SOCK --json show ocxlpmem0 | jq '.card.polls[0].total') -gt $before ]"
check "an events notification polls the card at once" test "$(polls_of ocxlpmem0)" -gt "$before"

# nmem3 has no ocxlpmem/events: it is polled for EVENT_CHECK instead.
check "no events attribute: said, and polled instead" \
	grep -q "ocxlpmem3: card nmem3 serial $((serial0 + 3)) attached (no event source: polling for events)" "$LOG"
tb errlog nmem3 health-performance
sleep 1
check "no events attribute: nothing until a poll" test "$(alert_count ocxlpmem3 error-log-entry-health-performance)" -eq 0
poll_now
wait_for 10 bash -c "[ \$(grep -c 'ALERT error-log-entry-health-performance .*card=ocxlpmem3 ' '$LOG') -eq 1 ]"
check "no events attribute: the poll finds the entry" \
	test "$(alert_count ocxlpmem3 error-log-entry-health-performance)" -eq 1

# ---- Faults through the kernel path ------------------------------------------

tb temperature nmem0 90
poll_now
wait_for 10 health_is ocxlpmem0 critical
check "temperature: one alert" test "$(alert_count ocxlpmem0 temperature active)" -eq 1
tb temperature nmem0 -1
poll_now
wait_for 10 health_is ocxlpmem0 ok
check "temperature: one recovery" test "$(alert_count ocxlpmem0 temperature cleared)" -eq 1

n=0
for fault in "status status=0x50" "errno errno=EIO" "errno errno=EBUSY" "errno errno=EAGAIN" \
	"truncate bytes=12" "corrupt corruption=header-id"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	tb fault nmem0 $fault function=smart
	for _ in 1 2 3; do
		poll_now
		sleep 0.3
	done
	wait_for 10 health_is ocxlpmem0 warning
	check "$fault: warning" health_is ocxlpmem0 warning
	check "$fault: one alert" test "$(alert_count ocxlpmem0 health-unreadable active)" -eq "$n"
	tb clear nmem0
	poll_now
	wait_for 10 health_is ocxlpmem0 ok
	check "$fault: one recovery" test "$(alert_count ocxlpmem0 health-unreadable cleared)" -eq "$n"
done

tb fault nmem0 not-ready
poll_now
wait_for 10 health_is ocxlpmem0 critical
check "not-ready: alert" test "$(alert_count ocxlpmem0 controller-not-ready active)" -eq 1
tb clear nmem0
poll_now
wait_for 10 health_is ocxlpmem0 ok
check "not-ready: recovery" test "$(alert_count ocxlpmem0 controller-not-ready cleared)" -eq 1

tb fault nmem0 timeout delay=20
for _ in 1 2 3; do
	poll_now
	sleep 0.3
done
wait_for 10 health_is ocxlpmem0 unresponsive
check "driver timeouts (ETIMEDOUT): unresponsive, one alert" \
	test "$(alert_count ocxlpmem0 card-unresponsive active)" -eq 1
tb clear nmem0
poll_now
wait_for 10 health_is ocxlpmem0 ok
check "timeouts: recovery" test "$(alert_count ocxlpmem0 card-unresponsive cleared)" -eq 1

# Fatal: the bits arrive through ocxlpmem/events, then the bus goes.
tb fatal nmem1 hardware
wait_for 10 health_is ocxlpmem1 fatal
check "fatal: one alert" test "$(alert_count ocxlpmem1 card-fatal active)" -eq 1
wait_for 10 field_is ocxlpmem1 present false
check "fatal: the bus went, the card is offline" test "$(card_field ocxlpmem1 present)" = false
tb reset nmem1
wait_for 10 field_is ocxlpmem1 present true
# (Still critical: the data-loss entry above stays within the window.)
wait_for 10 health_is ocxlpmem1 critical
check "reset: back under its name" test "$(backend_of ocxlpmem1)" = nmem1
check "reset: fatal cleared once" test "$(alert_count ocxlpmem1 card-fatal cleared)" -eq 1
check "reset: offline cleared once" test "$(alert_count ocxlpmem1 card-offline cleared)" -eq 1

# A hung card: the others, queries and shutdown do not wait for it.
tb fault nmem0 hang function=smart delay=30000
poll_now
wait_for 10 health_is ocxlpmem0 unresponsive
before=$(polls_of ocxlpmem1)
poll_now
sleep 0.5
poll_now
sleep 0.5
t0=$(date +%s%N)
ctl status >/dev/null || true
t1=$(date +%s%N)
check "status answers while a card hangs (<500 ms)" test $(((t1 - t0) / 1000000)) -lt 500
check "other cards poll while one hangs" test "$(($(polls_of ocxlpmem1) - before))" -ge 2
check "hung card: one alert" test "$(alert_count ocxlpmem0 card-unresponsive active)" -eq 2

# ---- Refused DIMMs ------------------------------------------------------------

# The driver refuses the family (ENOTTY on CAPABILITIES, the first command).
check "a card whose driver refuses the family" test "$(tb_out add refuse=ENOTTY)" = nmem5
wait_for 10 grep -q "nmem5: capabilities failed with ENOTTY: the driver does not accept the OCXL command family" "$LOG"
check "refused family: the reason is logged" \
	grep -q "nmem5: .*not monitored until the DIMM is added again" "$LOG"
# A read-only descriptor: EPERM from the kernel.
check "a card with a read-only descriptor" test "$(tb_out add refuse=EPERM)" = nmem6
wait_for 10 grep -q "nmem6: capabilities failed with EPERM: the descriptor is read-only" "$LOG"
# Neither is asked again: not by polls, not by the rescans hotplug brings.
for _ in 1 2 3; do
	poll_now
	sleep 0.3
done
tb add >/dev/null
sleep 1
check "refused family: one command, no retries" test "$(tb_out count nmem5)" -eq 1
check "read-only: one command, no retries" test "$(tb_out count nmem6)" -eq 1
check "refused family: said once" test "$(grep -c "nmem5: capabilities failed" "$LOG")" -eq 1
check "refused DIMMs are not monitored" \
	test "$(ctl --json status | jq --arg a $((serial0 + 5)) --arg b $((serial0 + 6)) \
		'[.cards[] | select(.present and (.serial == $a or .serial == $b))] | length')" -eq 0
check "refused DIMMs: shown offline, as cards that went away" \
	test "$(ctl --json status | jq --arg a $((serial0 + 5)) --arg b $((serial0 + 6)) \
		'[.cards[] | select(.health == "offline" and (.serial == $a or .serial == $b))] | length')" -eq 2
# A driver rebind (remove, add) is a new device: it is tried again.
tb refuse nmem5 0
tb reset nmem5
wait_for 10 bash -c "'$CTL' --address unix:$SOCK --json status | jq -e '[.cards[] | select(.present and .serial == \"$((serial0 + 5))\")] | length == 1'"
check "refused family: tried again after a rebind" test "$(tb_out count nmem5)" -gt 1

# ---- A driver without some functions ----------------------------------------

# Its ocxlpmem/functions and CAPABILITIES leave out CONTROLLER_STATS and
# DUMP_START from the start: the card model counts what reaches it.
name_of_dimm() { { ctl --json status || true; } | jq -r --arg b "$1" '.cards[] | select(.present and .backend_id == $b) | .name'; }
partial=$(tb_out add functions=$((0x7fffe & ~(1 << 7) & ~(1 << 9))))
wait_for 10 test -n "$(name_of_dimm "$partial")"
pname=$(name_of_dimm "$partial")
wait_for 10 health_is "$pname" ok
for _ in 1 2 3; do
	poll_now
	sleep 0.3
done
tb dump "$partial" 4096
sleep 1
check "partial mask: CONTROLLER_STATS never reaches the card" test "$(tb_out count "$partial" controller-stats)" -eq 0
check "partial mask: nor DUMP_START, though the card holds a dump" 	test "$(tb_out count "$partial" dump-start)" -eq 0
check "partial mask: the rest is polled" test "$(tb_out count "$partial" smart)" -ge 3
check "partial mask: shown as unsupported" 	test "$(card_field "$pname" 'unsupported | join(",")')" = "controller-stats,dump-start"
# An advertised function that fails with ENOTTY: one command, then none.
tb fault "$partial" errno function=firmware-info errno=ENOTTY
before=$(tb_out count "$partial" firmware-info)
for _ in 1 2 3 4; do
	poll_now
	sleep 0.3
done
check "enotty: one FIRMWARE_INFO reached the card after the fault" \
	test "$(tb_out count "$partial" firmware-info)" -eq $((before + 1))
check "enotty: said once" \
	test "$(grep -c "$pname: the card advertises firmware-info but its driver does not implement it" "$LOG")" -eq 1

# ---- A card removed in the middle of a controller dump ---------------------

# The card announces a dump through ocxlpmem/events; the daemon collects it
# chunk by chunk (DUMP_DATA slowed down), and the card goes mid-way.
dump_job() { { ctl --json dumps "$1" || true; } | jq -r ".cards[] | select(.card == \"$1\") | .job"; }
job_running() { [ "$(dump_job "$1")" != null ]; }
dump_files() { { find "$WORK/state/dumps" \( -name '*.ocxldump' -o -name '.*.tmp' \) 2>/dev/null || true; } | wc -l; }
card=$(tb_out add)
wait_for 10 bash -c "'$CTL' --address unix:$SOCK --json status | jq -e '.cards[] | select(.backend_id == \"$card\")' >/dev/null"
# (status exits 2 with cards offline: an answer, not a failure)
name=$({ ctl --json status || true; } | jq -r ".cards[] | select(.backend_id == \"$card\") | .name")
files_before=$(dump_files)
tb fault "$card" slow function=dump-data delay=20
tb dump "$card" 33554432
wait_for 10 job_running "$name"
tb remove "$card"
wait_for 10 health_is "$name" offline
check "removed mid-dump: the collection failed, said so" \
	grep -q "ALERT controller-dump-failed .*card=$name .*removed" "$LOG"
check "removed mid-dump: no file, no temporary left" test "$(dump_files)" -eq "$files_before"

stop_daemon 2
check "shutdown under 2 s with a hung card" true
check "clean stop" grep -q "stopped" "$LOG"

# ---- A node that opens only read-only -------------------------------------------

# As root every node opens read-write, so the read-only path needs a daemon
# that the node's mode really refuses: a second, short instance as nobody,
# in a bed of its own that this user can use (--open-bed), where nmem1's
# node (the pty it stands for) is 0444.  open(O_RDWR) fails there with
# EACCES from the kernel, open(O_RDONLY) works: the daemon's own code path.
AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
name_of() {
	{ ctl --json status || true; } | jq -r --arg b "$1" '.cards[] | select(.present and .backend_id == $b) | .name'
}
# For wait_for: the card present as that DIMM has that health.
dimm_health_is() {
	local name
	name=$(name_of "$1")
	[ -n "$name" ] && health_is "$name" "$2"
}
ro_skip=
if [ "$(id -u)" -ne 0 ]; then
	ro_skip="not root, so no daemon can run as another uid"
elif ! command -v setpriv >/dev/null; then
	ro_skip="setpriv (util-linux) is not installed"
else
	stop_testbed
	chmod 0711 "$WORK"
	start_testbed --cards 3 --open-bed --readonly nmem1
	if ! "${AS_NOBODY[@]}" "$DAEMON" --version >/dev/null 2>&1; then
		ro_skip="uid 65534 cannot run the daemon of $(cd "$top_builddir" && pwd) (a directory on the way it cannot search or read?)"
	fi
fi
if [ -n "$ro_skip" ]; then
	echo "# SKIP read-only node: $ro_skip"
else
	mkdir -p "$WORK/nobody"
	chown 65534:65534 "$WORK/nobody"
	LOG="$WORK/daemon-nobody.log"
	SOCK="$WORK/nobody/run/ocxlpmemd.sock"
	# (Not through a function: $! must be the daemon, for signals.)
	"${AS_NOBODY[@]}" "$DAEMON" --config "$WORK/etc/ocxlpmemd.conf" --state-dir "$WORK/nobody/state" \
		--runtime-dir "$WORK/nobody/run" --log-target stderr --metrics-listen off >> "$LOG" 2>&1 &
	DAEMON_PID=$!
	wait_for 10 grep -q "ready: monitoring 2 cards" "$LOG"
	check "read-only node: the daemon runs as uid 65534" \
		test "$(awk '/^Uid:/ { print $2 }' "/proc/$DAEMON_PID/status")" -eq 65534
	check "read-only node: the reason is logged" grep -qF \
		"nmem1: /dev/nmem1 opens only read-only (Permission denied), and ND_CMD_CALL needs a read-write descriptor; not monitored until the DIMM is added again" "$LOG"
	wait_for 10 dimm_health_is nmem0 ok
	wait_for 10 dimm_health_is nmem2 ok
	check "read-only node: the writable cards are monitored" \
		test "$({ ctl --json status || true; } | jq -c '[.cards[] | select(.present) | .backend_id]')" = '["nmem0","nmem2"]'
	# Not asked again: not by polls, not by the rescan a hotplug brings.
	for _ in 1 2 3; do
		poll_now
		sleep 0.3
	done
	check "read-only node: a card hotplugged beside it" test "$(tb_out add)" = nmem3
	wait_for 10 dimm_health_is nmem3 ok
	sleep 2
	check "read-only node: said once, over polls and a rescan" \
		test "$(grep -c "opens only read-only" "$LOG")" -eq 1
	check "read-only node: no command reached it" test "$(tb_out count nmem1)" -eq 0
	check "read-only node: not a card" test -z "$(name_of nmem1)"
	check "read-only node: the others answered commands" \
		test "$(tb_out count nmem0)" -gt 0 -a "$(tb_out count nmem2)" -gt 0 -a "$(tb_out count nmem3)" -gt 0
	# A rebind is a new device: tried again, and now writable, monitored.
	tb mode nmem1 0666
	tb reset nmem1
	wait_for 10 dimm_health_is nmem1 ok
	check "read-only node: writable after a rebind, monitored" test "$(tb_out count nmem1)" -gt 0
	check "read-only node: still said once" test "$(grep -c "opens only read-only" "$LOG")" -eq 1
	stop_daemon 2
	check "read-only node: clean stop" grep -q "stopped" "$LOG"
fi

echo "$CHECKS passed, 0 failed"
