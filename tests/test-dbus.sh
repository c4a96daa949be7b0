#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The D-Bus facade (daemon/dbus/) against the real ocxlpmemd on a private
# bus that has the system bus's default policy and the shipped
# io.ocxlpmem1.conf: the name, the object tree, properties against
# ocxlpmemctl's, PropertiesChanged when a fault is injected, CardRemoved
# and CardAdded, AccessDenied for an unprivileged change, a daemon that
# starts without a bus and picks it up later, a bus that dies and comes
# back, and [dbus] enable = no.
. "$top_srcdir/tests/lib-daemon.sh"

for tool in dbus-daemon busctl dbus-monitor setpriv; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed (tests/install-deps.sh installs it)"
		exit 77
	fi
done

BUSDIR="$WORK/bus"
BUS_SOCKET="$BUSDIR/system_bus_socket"
BUS="unix:path=$BUS_SOCKET"
BUS_PID=
MON_PID=
export DBUS_SYSTEM_BUS_ADDRESS="$BUS"
# Retry the bus every second, not every 30 (test only).
export OCXLPMEMD_TEST_DBUS_RETRY_S=1
CLEANUP_EXTRA='stop_monitor; stop_bus'

start_bus() {
	mkdir -p "$BUSDIR"
	chmod 755 "$WORK" "$BUSDIR"
	sed -e "s|@SOCKET@|$BUS_SOCKET|" \
		-e "s|@POLICY@|$top_srcdir/systemd/dbus/io.ocxlpmem1.conf|" \
		"$top_srcdir/tests/dbus/test-bus.conf" > "$BUSDIR/bus.conf"
	dbus-daemon --config-file="$BUSDIR/bus.conf" --nofork --nopidfile 2>> "$WORK/bus.log" &
	BUS_PID=$!
	wait_for 5 test -S "$BUS_SOCKET"
}

stop_bus() {
	if [ -n "$BUS_PID" ]; then
		kill "$BUS_PID" 2>/dev/null || true
		wait "$BUS_PID" 2>/dev/null || true
		BUS_PID=
	fi
	rm -f "$BUS_SOCKET"
}

start_monitor() {
	dbus-monitor --address "$BUS" "type='signal',sender='io.ocxlpmem1'" > "$WORK/monitor.log" 2>&1 &
	MON_PID=$!
	sleep 0.3
}

stop_monitor() {
	if [ -n "$MON_PID" ]; then
		kill "$MON_PID" 2>/dev/null || true
		wait "$MON_PID" 2>/dev/null || true
		MON_PID=
	fi
}

bctl() {
	busctl --address="$BUS" "$@"
}

card_path=/io/ocxlpmem1/card/ocxlpmem1
prop() {
	bctl get-property io.ocxlpmem1 "$card_path" io.ocxlpmem1.Card "$1"
}

name_owned() {
	bctl status io.ocxlpmem1 >/dev/null 2>&1
}

start_bus
start_monitor
start_daemon --simulate=3

check "the daemon owns io.ocxlpmem1" wait_for 10 name_owned
check "InterfacesAdded for a card the daemon finds" \
	wait_for 10 grep -q 'member=InterfacesAdded' "$WORK/monitor.log"
check "one InterfacesAdded per card" \
	test "$(grep -c 'member=InterfacesAdded' "$WORK/monitor.log")" = 3
stop_monitor
check "the log says it serves io.ocxlpmem1" grep -q "D-Bus: serving io.ocxlpmem1" "$LOG"

tree=$(bctl tree --list io.ocxlpmem1)
for n in 0 1 2; do
	check "tree: /io/ocxlpmem1/card/ocxlpmem$n" grep -qx "/io/ocxlpmem1/card/ocxlpmem$n" <<< "$tree"
done
check "tree: /io/ocxlpmem1" grep -qx "/io/ocxlpmem1" <<< "$tree"

wait_for 10 bash -c "[ \"\$(busctl --address='$BUS' get-property io.ocxlpmem1 $card_path io.ocxlpmem1.Card Health)\" = 's \"ok\"' ]"
json=$(ctl --json show ocxlpmem1)
serial=$(jq -r .card.summary.serial <<< "$json")
check "Serial is ocxlpmemctl's ($serial)" test "$(prop Serial)" = "t $serial"
check "Name" test "$(prop Name)" = 's "ocxlpmem1"'
check "Present" test "$(prop Present)" = "b true"
check "Health ok" test "$(prop Health)" = 's "ok"'
temp=$(jq -r .card.summary.temperature_c <<< "$json")
check "TemperatureC is ocxlpmemctl's ($temp)" \
	bash -c "[ \"\$(busctl --address='$BUS' get-property io.ocxlpmem1 $card_path io.ocxlpmem1.Card TemperatureC | awk '{print int(\$2)}')\" -ge $((temp - 3)) ]"
check "FirmwareVersion is ocxlpmemctl's" \
	test "$(prop FirmwareVersion)" = "s \"$(jq -r .card.summary.firmware_version <<< "$json")\""

list=$(bctl --json=short call io.ocxlpmem1 /io/ocxlpmem1 io.ocxlpmem1.Manager ListCards)
check "ListCards: three cards" test "$(jq '.data[0] | length' <<< "$list")" = 3
check "ListCards: name, path, health" \
	test "$(jq -c '.data[0][1]' <<< "$list")" = '["ocxlpmem1","/io/ocxlpmem1/card/ocxlpmem1","ok"]'
check "GetVersion: the daemon's version and backend" \
	test "$(bctl --json=short call io.ocxlpmem1 /io/ocxlpmem1 io.ocxlpmem1.Manager GetVersion |
		jq -c .data)" = "[\"$(ctl --json version | jq -r .version)\",\"sim\"]"
objects=$(bctl --json=short call io.ocxlpmem1 /io/ocxlpmem1 \
	org.freedesktop.DBus.ObjectManager GetManagedObjects)
check "GetManagedObjects: every card with its properties" \
	test "$(jq '[.data[0][] | select(has("io.ocxlpmem1.Card"))] | length' <<< "$objects")" = 3
check "introspection: the card interface" \
	bash -c "busctl --address='$BUS' introspect io.ocxlpmem1 $card_path | grep -q 'io.ocxlpmem1.Card'"

# ---- Live changes -----------------------------------------------------------
start_monitor
ctl sim inject ocxlpmem1 temperature --celsius 97 >/dev/null
ctl request-health ocxlpmem1 >/dev/null 2>&1 || true
check "PropertiesChanged: TemperatureC" wait_for 15 grep -q '"TemperatureC"' "$WORK/monitor.log"
check "PropertiesChanged: Health" wait_for 15 grep -q '"Health"' "$WORK/monitor.log"
check "Health is now critical" wait_for 10 bash -c \
	"busctl --address='$BUS' get-property io.ocxlpmem1 $card_path io.ocxlpmem1.Card Health | grep -q critical"
check "Reasons names the temperature" bash -c \
	"busctl --address='$BUS' get-property io.ocxlpmem1 $card_path io.ocxlpmem1.Card Reasons | grep -q temperature"
check "Alert signal for the temperature" wait_for 10 grep -q 'member=Alert' "$WORK/monitor.log"
check "only what changed: no unchanged Serial in PropertiesChanged" \
	bash -c "! grep -q '\"Serial\"' '$WORK/monitor.log'"

ctl sim inject ocxlpmem2 unplug >/dev/null
check "CardRemoved on unplug" wait_for 10 grep -q 'member=CardRemoved' "$WORK/monitor.log"
check "the object stays, Present false" wait_for 10 bash -c \
	"[ \"\$(busctl --address='$BUS' get-property io.ocxlpmem1 /io/ocxlpmem1/card/ocxlpmem2 io.ocxlpmem1.Card Present)\" = 'b false' ]"
ctl sim inject ocxlpmem2 reset >/dev/null
check "CardAdded when it is back" wait_for 10 grep -q 'member=CardAdded' "$WORK/monitor.log"
stop_monitor

# ---- Who may change things ----------------------------------------------------
check "root: RequestHealth" \
	bctl call io.ocxlpmem1 /io/ocxlpmem1/card/ocxlpmem0 io.ocxlpmem1.Card RequestHealth
check "the log names the uid" grep -q "ocxlpmem0: health data requested over D-Bus by uid 0" "$LOG"
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups busctl --address="$BUS" "$@"
}
check "unprivileged: reads work" test "$(nobody get-property io.ocxlpmem1 \
	/io/ocxlpmem1/card/ocxlpmem0 io.ocxlpmem1.Card Present)" = "b true"
out=$(nobody call io.ocxlpmem1 /io/ocxlpmem1/card/ocxlpmem0 io.ocxlpmem1.Card StartDump 2>&1 || true)
check "unprivileged: StartDump refused with AccessDenied" grep -q "Access denied\|AccessDenied" <<< "$out"
check "unprivileged: no dump started" bash -c "! grep -q 'dump collection requested over D-Bus' '$LOG'"
check "unknown card: no such object" \
	bash -c "! busctl --address='$BUS' get-property io.ocxlpmem1 /io/ocxlpmem1/card/ocxlpmem9 io.ocxlpmem1.Card Health"

# ---- The bus goes away and comes back ----------------------------------------
stop_bus
check "the loss is logged" wait_for 10 grep -q "D-Bus: lost the system bus" "$LOG"
check "Varlink still answers" ctl version
start_bus
check "it owns the name again" wait_for 15 name_owned
check "properties again" test "$(prop Present)" = "b true"
stop_daemon 5

# ---- No bus at start: Varlink only, said once, picked up later ---------------
stop_bus
: > "$LOG"
start_daemon --simulate=1
sleep 2.5
check "no bus: said once" test "$(grep -c 'D-Bus: no system bus' "$LOG")" = 1
check "no bus: Varlink answers" ctl version
start_bus
check "a bus started later is picked up" wait_for 15 name_owned
check "and announced" grep -q "D-Bus: connected to the system bus" "$LOG"
stop_daemon 5

# ---- [dbus] enable = no ---------------------------------------------------------
write_test_config
printf '\n[dbus]\nenable = no\n' >> "$WORK/etc/ocxlpmemd.conf"
: > "$LOG"
start_daemon --simulate=1
sleep 1.5
check "enable = no: the name is not owned" bash -c "! busctl --address='$BUS' status io.ocxlpmem1"
check "enable = no: said so" grep -q "D-Bus: disabled" "$LOG"
stop_daemon 5

echo "$CHECKS checks passed"
