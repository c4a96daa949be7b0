#!/bin/bash
# Controller dumps through the real binaries (simulation backend): a 256 MiB
# dump saved byte-exact; every trigger; card removed, hung and corrupt
# mid-dump; retention; the Varlink/ocxlpmemctl commands and their refusals.
# Every saved file is checked byte for byte against the card model by
# tests/tools/dump-verify; "nothing partial" means no temporary and no
# unverifiable file is ever left in the dump directory.
. "$(dirname "$0")/lib-daemon.sh"

VERIFY="$top_builddir/tests/tools/dump-verify"

dump_files() { find "$WORK/state/dumps" -name '*.ocxldump' 2>/dev/null | sort; }
dump_count() { dump_files | wc -l; }
temp_count() { find "$WORK/state/dumps" -name '.*.tmp' 2>/dev/null | wc -l; }
all_verified() {
	local f
	for f in $(dump_files); do
		"$VERIFY" "$f" >/dev/null || return 1
	done
}
count_is() { [ "$(dump_count)" = "$1" ]; }
# The card's collection state, from ListDumps.
dump_state() { ctl --json dumps "$1" | jq -r ".cards[] | select(.card == \"$1\") | .$2"; }
job_running() { [ "$(dump_state "$1" job)" != null ]; }
no_job() { [ "$(dump_state "$1" job)" = null ]; }
last_result_has() { dump_state "$1" last_result | grep -q -- "$2"; }
holds_dump() { card_field "$1" events | grep -q controller-dump-available; }
not_holds_dump() { ! holds_dump "$1"; }
in_log() { grep -q -- "$1" "$LOG"; }
# No file beyond the n verified ones, and no temporary.  (A failed attempt's
# writer thread removes its hidden temporary just after the failure is
# reported: wait for that before checking.)
nothing_partial() { [ "$(dump_count)" = "$1" ] && [ "$(temp_count)" = 0 ]; }
first_dump_is() { ctl --json dumps "$1" | jq -e ".dumps[0].origin == \"$2\" and .dumps[0].trigger == \"$3\""; }

write_test_config
cat >> "$WORK/etc/ocxlpmemd.conf" <<EOF

[dumps]
max_per_card = 3
retry_interval = 1s
EOF
start_daemon --simulate=4

# ---- The 256 MiB dump, byte-exact --------------------------------------------
ctl sim inject ocxlpmem0 controller-dump --size 268435456
wait_for 60 count_is 1
check "256 MiB card-initiated dump saved" test "$(dump_count)" = 1
f=$(dump_files)
check "file is header + 256 MiB" test "$(stat -c %s "$f")" = $((4096 + 268435456))
check "every byte is the model's, SHA-256 matches the header" "$VERIFY" "$f"
check "header says card-initiated, card-event" \
	sh -c "head -c 4096 '$f' | sed -n 2p | tr -d '\\0' | jq -e '.origin == \"card\" and .trigger == \"card-event\" and .size == 268435456'"
check "sha256sum of the data equals the header's" \
	test "$(tail -c +4097 "$f" | sha256sum | cut -d' ' -f1)" = "$(head -c 4096 "$f" | sed -n 2p | tr -d '\0' | jq -r .sha256)"
wait_for 10 no_job ocxlpmem0
check "the card was told (no dump held any more)" not_holds_dump ocxlpmem0
check "saved alert with file and checksum" \
	grep -q "ALERT controller-dump-saved .*card=ocxlpmem0 .*dump_size=268435456 dump_sha256=" "$LOG"
check "no temporary left" test "$(temp_count)" = 0
rm -f "$f"
ctl dump-delete "$(basename "$f")" >/dev/null 2>&1 || true

# ---- Triggers ------------------------------------------------------------------
ctl sim inject ocxlpmem1 error-log --type general --action dump
wait_for 20 count_is 1
# The model makes the dump with the entry (card-initiated); the daemon's own
# error-log trigger then finds it held and collects that one, not another.
check "an error-log entry with the DUMP action: its dump is collected" \
	first_dump_is ocxlpmem1 card card-event
out=$(ctl dump --wait ocxlpmem2 2>&1)
check "dump --wait: a user's host-initiated dump, saved" grep -q "ocxlpmem2: saved " <<<"$out"
check "dump --json --wait reports the result" \
	sh -c "'$CTL' --address 'unix:$SOCK' --json dump --wait ocxlpmem3 | jq -e '.schema == \"ocxlpmemctl.dump/1\" and .last_ok == true and .ended == true'"
check "all saved dumps are byte-exact" all_verified
check "dumps lists them" test "$(ctl --json dumps | jq '.dumps | length')" = 3

# ---- Refusals ----------------------------------------------------------------------
ctl sim inject ocxlpmem2 slow --function dump-data --delay-ms 30
ctl sim inject ocxlpmem2 controller-dump --size 16777216
wait_for 10 job_running ocxlpmem2
set +e
busy=$(ctl dump ocxlpmem2 2>&1); busy_rc=$?
bad=$(ctl dump-delete ../../names.json 2>&1); bad_rc=$?
missing=$(ctl dump-delete 1-20260101T000000Z-00000001.ocxldump 2>&1); missing_rc=$?
set -e
check "a second dump while one runs: busy, exit 1" test "$busy_rc" = 1
check "busy message names the running collection" grep -q "already running on ocxlpmem2" <<<"$busy"
check "dump-delete with a path is refused" test "$bad_rc" = 1
check "dump-delete of an unknown dump: clear error" grep -q "no saved dump" <<<"$missing"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 755 "$WORK" "$WORK/run"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! as_nobody test -x "$CTL"; then
	echo "# skipped the authorisation checks: need root, setpriv, and uid 65534 able to run $CTL"
else
	set +e
	as_nobody "$CTL" --address "unix:$SOCK" dump ocxlpmem1 >/dev/null 2>&1; nobody_rc=$?
	as_nobody "$CTL" --address "unix:$SOCK" dump-delete "$(basename "$(dump_files | head -1)")" \
		>/dev/null 2>&1; nobody_del_rc=$?
	set -e
	check "unprivileged dump refused (exit 4)" test "$nobody_rc" = 4
	check "unprivileged dump-delete refused (exit 4)" test "$nobody_del_rc" = 4
	check "refusals are logged" grep -q "denied" "$LOG"
	list_as_nobody() { as_nobody "$CTL" --address "unix:$SOCK" dumps >/dev/null; }
	check "unprivileged users can list dumps" list_as_nobody
fi
check "nothing was deleted" test "$(dump_count)" = 3
out=$(ctl dump --wait ocxlpmem2 2>&1)
check "dump --wait on a running collection follows it to the end" grep -q "ocxlpmem2: saved " <<<"$out"
ctl sim inject ocxlpmem2 clear

# ---- Faults: nothing partial, the card keeps its dump, collected after --------
n=$(dump_count)
# Card removed mid-dump.
ctl sim inject ocxlpmem1 slow --function dump-data --delay-ms 20
ctl sim inject ocxlpmem1 controller-dump --size 33554432
wait_for 10 job_running ocxlpmem1
sleep 0.3
ctl sim inject ocxlpmem1 unplug
wait_for 10 health_is ocxlpmem1 offline
wait_for 5 nothing_partial "$n"
check "removed mid-dump: no file, no temporary" nothing_partial "$n"
check "removed mid-dump: alert says so" grep -q "ALERT controller-dump-failed .*card=ocxlpmem1 .*removed" "$LOG"
ctl sim inject ocxlpmem1 reset
wait_for 30 count_is $((n + 1))
check "back after removal: the dump it kept is saved" all_verified
n=$((n + 1))

# Card hung mid-dump: the deadline ends the attempt, a retry saves it.
# (The model applies the first matching fault: 20 slow chunks, then a hang.)
ctl sim inject ocxlpmem3 slow --function dump-data --delay-ms 20 --count 20
ctl sim inject ocxlpmem3 hang --function dump-data
ctl sim inject ocxlpmem3 controller-dump --size 33554432
wait_for 15 in_log "ALERT controller-dump-failed .*card=ocxlpmem3"
wait_for 5 nothing_partial "$n"
check "hung mid-dump: failure alert, nothing partial" nothing_partial "$n"
check "hung mid-dump: the reason is a timeout" grep -q "controller-dump-failed .*card=ocxlpmem3 .*did not answer in time\|controller-dump-failed .*card=ocxlpmem3 .*hung" "$LOG"
check "hung mid-dump: the card still holds it" holds_dump ocxlpmem3
ctl sim inject ocxlpmem3 clear
wait_for 30 count_is $((n + 1))
check "hang cleared: saved by the automatic retry, byte-exact" all_verified
n=$((n + 1))

# A corrupt chunk is asked again; the dump is still byte-exact.
ctl sim inject ocxlpmem0 corrupt --function dump-data --corruption length --count 2
ctl sim inject ocxlpmem0 controller-dump --size 8388608
wait_for 20 count_is $((n + 1))
check "corrupt chunks re-read: saved byte-exact" all_verified
check "corrupt chunks were noticed" grep -q "ocxlpmem0: dump .*: chunk at offset .* asking again" "$LOG"
n=$((n + 1))

# Corrupt every time: the attempt fails cleanly, then succeeds when it clears.
ctl sim inject ocxlpmem0 corrupt --function dump-data --corruption header-id
ctl sim inject ocxlpmem0 controller-dump --size 8388608
wait_for 15 last_result_has ocxlpmem0 "failed"
wait_for 5 nothing_partial "$n"
check "always-corrupt chunks: the attempt fails, nothing partial" \
	nothing_partial "$n"
ctl sim inject ocxlpmem0 clear
wait_for 20 count_is $((n + 1))
check "corruption cleared: saved by the retry" all_verified
n=$((n + 1))

# ---- Retention ---------------------------------------------------------------------
for i in 1 2 3; do
	ctl dump --wait ocxlpmem0 >/dev/null
done
check "max_per_card = 3: ocxlpmem0 keeps 3" test "$(ctl --json dumps ocxlpmem0 | jq '.dumps | length')" = 3
check "the oldest went first" in_log "removed dump .* (more than max_per_card)"
check "retention leaves only whole, verified files" all_verified

# By bytes, after a reload: ocxlpmem0 keeps only its newest (4 MiB, alone
# over a 1 MiB limit: the newest is never removed); in total, the oldest
# dumps of any card go first until 9 MiB hold, never a card's newest.
cat >> "$WORK/etc/ocxlpmemd.conf" <<EOF
max_bytes_per_card = 1M
EOF
reloads_are() { [ "$(grep -c 'configuration reloaded' "$LOG")" = "$1" ]; }
kill -HUP "$DAEMON_PID"
wait_for 10 reloads_are 1
newest0=$(ctl --json dumps ocxlpmem0 | jq -r '.dumps[-1].file')
ctl dump --wait ocxlpmem0 >/dev/null
check "max_bytes_per_card: only the newest dump of ocxlpmem0 stays" \
	test "$(ctl --json dumps ocxlpmem0 | jq -c '[.dumps | length, (.[0].file != "'"$newest0"'")]')" = '[1,true]'
check "max_bytes_per_card: the other cards keep their newest" \
	test "$(ctl --json dumps | jq '[.dumps[].serial] | unique | length')" = 4
# (max_bytes_total may not be below max_bytes_per_card: the config says so.)
sed -i 's/^max_bytes_per_card = 1M$/max_bytes_per_card = 8M/' "$WORK/etc/ocxlpmemd.conf"
cat >> "$WORK/etc/ocxlpmemd.conf" <<EOF
max_bytes_total = 9M
EOF
kill -HUP "$DAEMON_PID"
wait_for 10 reloads_are 2
# Two 4 MiB dumps of ocxlpmem1 (8 MiB: within max_bytes_per_card), with
# the other cards' newest the total is over 9 MiB: the older one goes.
ctl dump --wait ocxlpmem1 >/dev/null
ctl dump --wait ocxlpmem1 >/dev/null
total_ok() { [ "$(ctl --json dumps | jq '.total_bytes')" -le $((9 * 1048576)) ] ||
	[ "$(ctl --json dumps | jq '[.dumps | group_by(.serial)[] | length] | max')" = 1 ]; }
check "max_bytes_total: the total is within the limit, or only newest dumps are left" total_ok
check "max_bytes_total: every card still has its newest" \
	test "$(ctl --json dumps | jq '[.dumps[].serial] | unique | length')" -ge 3
check "max_bytes_total: the oldest went first" in_log "(more than max_bytes_total)"
check "retention by bytes leaves only whole, verified files" all_verified

# ---- Restart: the index comes back from the files -------------------------------
before=$(ctl --json dumps | jq -c '[.dumps[].file]')
stop_daemon 5
leftover=$(dirname "$(dump_files | head -1)")/.1-20260101T000000Z-00000001.ocxldump.tmp
head -c 100000 /dev/zero > "$leftover"
start_daemon --simulate=4
check "after a restart the same dumps are listed" test "$(ctl --json dumps | jq -c '[.dumps[].file]')" = "$before"
check "a temporary from a crash is removed at start" test ! -e "$leftover"
check "support-bundle with dumps" ctl support-bundle "$WORK/bundle.tar.gz" --with-dumps
check "the bundle has the cards, error logs, dumps list and dump files" sh -c "
	tar tzf '$WORK/bundle.tar.gz' > '$WORK/bundle.list' &&
	grep -q '/cards/ocxlpmem0.json\$' '$WORK/bundle.list' &&
	grep -q '/error-log/ocxlpmem1.json\$' '$WORK/bundle.list' &&
	grep -q '/dumps.json\$' '$WORK/bundle.list' &&
	grep -q '/manifest.json\$' '$WORK/bundle.list' &&
	[ \$(grep -c '\\.ocxldump\$' '$WORK/bundle.list') = \$(find '$WORK/state/dumps' -name '*.ocxldump' | wc -l) ]"
stop_daemon 5
echo "$CHECKS checks passed"
