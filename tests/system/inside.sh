#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs inside the booted container (tests/system/run.sh), as the oneshot
# ocxlpmemd-systest.service.  One line per named check in
# /results/results.txt: "ok NAME" or "FAIL NAME: why"; the journal of the
# boot in /results/journal.txt, the served metrics in /results/metrics.txt.
# The unit powers the container off afterwards.
set -uo pipefail

R=/results
mkdir -p "$R"
: >"$R/results.txt"
echo running >"$R/status"
unit=ocxlpmemd.service
dropdir=/etc/systemd/system/$unit.d
card_msgid=b0feea5fd7fd444dbde2b6e442e5c094
ctl=/usr/bin/ocxlpmemctl
daemon=/usr/sbin/ocxlpmemd

ok() { echo "ok $1" | tee -a "$R/results.txt"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$(printf '%s' "$2" | tr -s '\n\t ' ' ' | cut -c1-300)" | tee -a "$R/results.txt"; }
# wait_for SECONDS COMMAND...: retry every 0.5 s.
wait_for() {
	local n=$(($1 * 2))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}
prop() { systemctl show -P "$2" "$1"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
is_state() { [ "$(prop "$1" ActiveState)" = "$2" ]; }
status_text_is_2() { prop "$unit" StatusText | grep -q 'monitoring 2 cards'; }
status_ok() { "$ctl" status >/dev/null; }
journal_has() { journalctl -b -u "$unit" --no-pager -o cat --since "$1" | grep -q "$2"; }

finish() {
	journalctl -b --no-pager >"$R/journal.txt" 2>&1
	echo "done" >"$R/status"
}
trap finish EXIT

# ---- deb-install (packages only) ----------------------------------------------------
# run.sh says how the project was installed.  From the packages: their
# maintainer scripts enabled the socket and not the service, the socket
# listened from boot, and sysusers made the group.
if [ "$(cat "$R/installed-by" 2>/dev/null)" = deb ]; then
	sock=$(systemctl is-enabled ocxlpmemd.socket 2>&1)
	svc=$(systemctl is-enabled "$unit" 2>&1)
	if [ "$sock" != enabled ] || [ "$svc" != disabled ]; then
		fail deb-install "ocxlpmemd.socket is $sock (want enabled), $unit is $svc (want disabled)"
	elif ! is_state ocxlpmemd.socket active || ! is_state "$unit" inactive; then
		fail deb-install "after boot: socket $(prop ocxlpmemd.socket ActiveState), service $(prop "$unit" ActiveState)"
	elif ! getent group ocxlpmem >/dev/null; then
		fail deb-install "no group ocxlpmem"
	else
		ok deb-install
	fi
fi

# ---- sim-dropin ----------------------------------------------------------------
mkdir -p "$dropdir"
cat >"$dropdir/sim.conf" <<EOF
[Service]
ExecStart=
ExecStart=$daemon --simulate=2 --foreground --state-dir=%S/ocxlpmemd --runtime-dir=%t/ocxlpmemd
EOF
systemctl daemon-reload
if prop "$unit" ExecStart | grep -q -- '--simulate=2' &&
	prop "$unit" DropInPaths | grep -q sim.conf; then
	ok sim-dropin
else
	fail sim-dropin "ExecStart is '$(prop "$unit" ExecStart)'"
fi

# ---- socket-activation -----------------------------------------------------------
journalctl --update-catalog
systemctl start ocxlpmemd.socket
if ! is_state ocxlpmemd.socket active; then
	fail socket-activation "ocxlpmemd.socket is $(prop ocxlpmemd.socket ActiveState)"
elif ! is_state "$unit" inactive; then
	fail socket-activation "the service was already $(prop "$unit" ActiveState) before the first call"
else
	# The daemon is ready once every card is known, before each card's
	# first health read: the first answer may say "unknown" (exit 3), so
	# an answer is judged by its document, not by the exit status alone.
	out=$(timeout 30 "$ctl" --json status 2>/dev/null)
	rc=$?
	if [ "$(echo "$out" | jq -r .schema 2>/dev/null)" != ocxlpmemctl.status/1 ] ||
		[ "$(echo "$out" | jq .exit_status 2>/dev/null)" != "$rc" ]; then
		fail socket-activation "first ocxlpmemctl status exited $rc without an answer: $out"
	elif [ "$(echo "$out" | jq '.cards | length' 2>/dev/null)" != 2 ]; then
		fail socket-activation "the answer does not list 2 cards: $out"
	elif ! wait_for 10 is_state "$unit" active; then
		fail socket-activation "the service is $(prop "$unit" ActiveState) after the call"
	else
		ok socket-activation
	fi
fi

# ---- notify-ready -----------------------------------------------------------------
systemctl stop "$unit"
if ! timeout 60 systemctl start "$unit"; then
	fail notify-ready "systemctl start failed"
elif ! is_state "$unit" active || [ "$(prop "$unit" SubState)" != running ]; then
	fail notify-ready "state $(prop "$unit" ActiveState)/$(prop "$unit" SubState)"
elif [ "$(prop "$unit" Type)" != notify ]; then
	fail notify-ready "Type is $(prop "$unit" Type)"
elif ! wait_for 10 status_text_is_2; then
	fail notify-ready "StatusText is '$(prop "$unit" StatusText)'"
else
	ok notify-ready
fi

# ---- reload -----------------------------------------------------------------------
since=$(date '+%Y-%m-%d %H:%M:%S')
pid_before=$(prop "$unit" MainPID)
if ! timeout 30 systemctl reload "$unit"; then
	fail reload "systemctl reload failed"
elif ! is_state "$unit" active; then
	fail reload "the service is $(prop "$unit" ActiveState) after the reload"
elif [ "$(prop "$unit" MainPID)" != "$pid_before" ]; then
	fail reload "the main process changed ($pid_before -> $(prop "$unit" MainPID))"
elif ! wait_for 10 journal_has "$since" 'configuration reloaded'; then
	fail reload "no 'configuration reloaded' in the journal"
else
	ok reload
fi

# ---- status as root and as nobody; privileged command refused ----------------------
if wait_for 15 status_ok; then
	ok status-root
else
	out=$("$ctl" status 2>&1)
	fail status-root "exit $?: $(echo "$out" | tr '\n' ' ')"
fi
out=$(as_nobody "$ctl" status 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
	ok status-unprivileged
else
	fail status-unprivileged "exit $rc: $(echo "$out" | tr '\n' ' ')"
fi
out=$(as_nobody "$ctl" sim inject ocxlpmem0 temperature --celsius 90 2>&1)
rc=$?
if [ "$rc" = 4 ]; then
	ok inject-refused-unprivileged
else
	fail inject-refused-unprivileged "exit $rc (want 4): $(echo "$out" | tr '\n' ' ')"
fi

# ---- data-loss error-log entry in the journal, with its catalog text -----------------
dataloss_logged() {
	journalctl -b MESSAGE_ID=$card_msgid -o json --no-pager |
		jq -e -s 'map(select(.OCXLPMEM_CARD == "ocxlpmem1" and
			((.OCXLPMEM_SERIAL // "") | tostring | length) > 0)) | length > 0'
}
if ! out=$("$ctl" sim inject ocxlpmem1 error-log --type data-loss 2>&1); then
	fail dataloss-journal "sim inject failed: $out"
	fail dataloss-catalog "no entry injected"
else
	systemctl kill -s SIGUSR1 --kill-whom=main "$unit"
	if ! wait_for 20 dataloss_logged; then
		fail dataloss-journal "no MESSAGE_ID=$card_msgid with OCXLPMEM_CARD=ocxlpmem1 and OCXLPMEM_SERIAL"
		fail dataloss-catalog "no entry in the journal"
	else
		ok dataloss-journal
		x=$(journalctl -b -x MESSAGE_ID=$card_msgid --no-pager)
		if echo "$x" | grep -q 'Subject: Card error log: data loss' &&
			echo "$x" | grep -q 'Card ocxlpmem1 (serial [^@)]*) logged error-log entry'; then
			ok dataloss-catalog
		else
			fail dataloss-catalog "journalctl -x shows no catalog text: $(echo "$x" | tail -n 5 | tr '\n' ' ')"
		fi
	fi
fi

# ---- the sandbox does not break features: state dir, metrics ---------------------------
cards_saved() { [ "$(find /var/lib/ocxlpmemd/cards -name '*.json' 2>/dev/null | wc -l)" -ge 2 ]; }
if wait_for 10 cards_saved; then
	ok state-dir-written
else
	fail state-dir-written "$(find /var/lib/ocxlpmemd 2>&1 | tr '\n' ' ')"
fi
# A controller dump, collected under the unit's sandbox into the state dir.
dump_saved() { "$ctl" dump --wait ocxlpmem0 >"$R/dump.txt" 2>&1; }
dump_file() { find /var/lib/ocxlpmemd/dumps -name '*.ocxldump' | head -1; }
if ! dump_saved; then
	fail dumps-saved "$(cat "$R/dump.txt")"
elif [ -z "$(dump_file)" ]; then
	fail dumps-saved "no file under /var/lib/ocxlpmemd/dumps: $(cat "$R/dump.txt")"
elif [ "$(tail -c +4097 "$(dump_file)" | sha256sum | cut -d' ' -f1)" != \
	"$(head -c 4096 "$(dump_file)" | sed -n 2p | tr -d '\0' | jq -r .sha256)" ]; then
	fail dumps-saved "the saved data does not match its header's SHA-256"
else
	ok dumps-saved
fi
metrics() { curl -fsS --max-time 5 http://127.0.0.1:9580/metrics -o "$R/metrics.txt"; }
if ! wait_for 10 metrics; then
	fail metrics-served "$(curl -sS --max-time 5 http://127.0.0.1:9580/metrics 2>&1 | head -n 2 | tr '\n' ' ')"
elif ! grep -q '^ocxlpmem_.*card="ocxlpmem1"' "$R/metrics.txt"; then
	fail metrics-served "no ocxlpmem_ sample for ocxlpmem1"
else
	ok metrics-served
fi

# ---- D-Bus on the real system bus: the tree, a property, a live change, AccessDenied ---
dbus_named() { busctl status io.ocxlpmem1; }
if ! wait_for 20 dbus_named; then
	fail dbus-tree "io.ocxlpmem1 not on the system bus: $(journalctl -b -u "$unit" --no-pager | grep D-Bus | tail -n 3)"
elif ! busctl tree --list io.ocxlpmem1 | grep -qx /io/ocxlpmem1/card/ocxlpmem0; then
	fail dbus-tree "$(busctl tree --list io.ocxlpmem1 2>&1 | tr '\n' ' ')"
else
	ok dbus-tree
fi
health=$(busctl get-property io.ocxlpmem1 /io/ocxlpmem1/card/ocxlpmem0 io.ocxlpmem1.Card Health 2>&1)
if echo "$health" | grep -qE '^s "(ok|warning|critical|unknown)"$'; then
	ok dbus-property
else
	fail dbus-property "$health"
fi
# Line-buffered: busctl writes to a file here, and is killed at the end.
timeout 30 stdbuf -oL busctl monitor io.ocxlpmem1 >"$R/busctl-monitor.txt" 2>&1 &
mon=$!
sleep 1
"$ctl" sim inject ocxlpmem0 temperature --celsius 95 >/dev/null 2>&1
# Poll now: the default interval is a minute.
systemctl kill -s SIGUSR1 --kill-whom=main "$unit"
changed() { grep -q TemperatureC "$R/busctl-monitor.txt"; }
if wait_for 20 changed; then
	ok dbus-properties-changed
else
	fail dbus-properties-changed "no PropertiesChanged with TemperatureC: $(tail -n 5 "$R/busctl-monitor.txt" | tr '\n' ' ')"
fi
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
"$ctl" sim inject ocxlpmem0 temperature >/dev/null 2>&1
out=$(as_nobody busctl call io.ocxlpmem1 /io/ocxlpmem1/card/ocxlpmem0 io.ocxlpmem1.Card StartDump 2>&1)
if echo "$out" | grep -qi 'access denied'; then
	ok dbus-access-denied
else
	fail dbus-access-denied "$out"
fi

# ---- watchdog -------------------------------------------------------------------------
cat >"$dropdir/zz-watchdog.conf" <<EOF
[Service]
ExecStart=
ExecStart=$daemon --simulate=2 --foreground --state-dir=%S/ocxlpmemd --runtime-dir=%t/ocxlpmemd --test-freeze-on-sigusr2
WatchdogSec=3s
# The watchdog kills with SIGABRT: no core file.
LimitCORE=0
EOF
systemctl daemon-reload
restarted() {
	[ "$(prop "$unit" NRestarts)" -gt "$n0" ] && is_state "$unit" active &&
		[ "$(prop "$unit" MainPID)" != "$pid0" ]
}
if ! timeout 60 systemctl restart "$unit"; then
	fail watchdog "cannot restart with the freeze drop-in"
elif [ "$(prop "$unit" WatchdogUSec)" != 3s ]; then
	fail watchdog "WatchdogUSec is $(prop "$unit" WatchdogUSec)"
else
	since=$(date '+%Y-%m-%d %H:%M:%S')
	n0=$(prop "$unit" NRestarts)
	pid0=$(prop "$unit" MainPID)
	systemctl kill -s SIGUSR2 --kill-whom=main "$unit"
	if ! wait_for 20 restarted; then
		fail watchdog "not restarted: NRestarts $(prop "$unit" NRestarts) (was $n0), state $(prop "$unit" ActiveState)"
	elif ! journalctl -b -u "$unit" --since "$since" --no-pager | grep -qi 'watchdog timeout'; then
		fail watchdog "restarted, but the journal shows no watchdog timeout"
	else
		ok watchdog
	fi
fi
rm -f "$dropdir/zz-watchdog.conf"
systemctl daemon-reload
timeout 60 systemctl restart "$unit"

# ---- stop ---------------------------------------------------------------------------
systemctl stop ocxlpmemd.socket
if ! timeout 60 systemctl stop "$unit"; then
	fail stop "systemctl stop failed"
elif ! is_state "$unit" inactive; then
	fail stop "state $(prop "$unit" ActiveState) after stop"
elif [ "$(prop "$unit" Result)" != success ]; then
	fail stop "Result=$(prop "$unit" Result), ExecMainStatus=$(prop "$unit" ExecMainStatus)"
else
	ok stop
fi
