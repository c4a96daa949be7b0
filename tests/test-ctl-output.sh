#!/bin/bash
# ocxlpmemctl against the real daemon (4 simulated cards, made to differ):
# for every command that prints data, the text shows the same values as
# --json, field by field, by an explicit mapping per command; the JSON is
# versioned; the exit statuses; colour only on a terminal and never with
# NO_COLOR; OCXLPMEM_ADDRESS and --address; --help; the message when the
# daemon is not there; and the bash completion.
. "$(dirname "$0")/lib-daemon.sh"

for tool in script setpriv; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed (Debian packages bsdutils, util-linux)"
		exit 77
	fi
done

# Long intervals: values change only when the test polls (poll_now).
mkdir -p "$WORK/etc"
cat > "$WORK/etc/ocxlpmemd.conf" <<EOF
[poll]
health_interval = 1h
stats_interval = 1h
firmware_interval = 1h
jitter = 0
EOF
start_daemon --simulate=4

# ---- Helpers ------------------------------------------------------------

r=0 OUT='' ERR='' TEXT='' JSON='' TEXT_RC=0 JSON_RC=0

# rc VAR CMD...: run CMD, its exit status in VAR, its stdout in OUT and its
# stderr in ERR (a failing status is an answer here, not an error).
rc() {
	local __var=$1
	shift
	if OUT=$("$@" 2> "$WORK/stderr"); then
		printf -v "$__var" 0
	else
		printf -v "$__var" %d $?
	fi
	ERR=$(< "$WORK/stderr")
}

# snap ARGS...: TEXT and JSON of one command, with their exit statuses, from
# an unchanging daemon: the JSON before and after the text must agree.
snap() {
	local i before
	for ((i = 0; i < 10; i++)); do
		rc JSON_RC ctl --json "$@"
		before=$OUT
		rc TEXT_RC ctl "$@"
		TEXT=$OUT
		rc JSON_RC ctl --json "$@"
		JSON=$OUT
		[ "$before" = "$JSON" ] && return 0
	done
	fail "the daemon's answer to '$*' kept changing"
}

# compare NAME: the text's fields ($WORK/text.tsv) against the JSON's
# ($WORK/json.tsv), both "PATH<TAB>VALUE" as the text shows it.
compare() {
	local name=$1 bad n
	n=$(wc -l < "$WORK/text.tsv")
	bad=$(awk -F'\t' 'NR == FNR { j[$1] = $2; has[$1] = 1; next }
		seen[$1]++ { print "text shows " $1 " twice"; next }
		!($1 in has) { print "text shows " $1 " = \"" $2 "\", the JSON has no such field"; next }
		j[$1] != $2 { print $1 ": text \"" $2 "\", JSON \"" j[$1] "\"" }' \
		"$WORK/json.tsv" "$WORK/text.tsv")
	[ -z "$bad" ] || echo "$bad" >&2
	check "$name: the $n fields of the text are in the JSON, same values" test -z "$bad"
	bad=$(awk -F'\t' 'NR == FNR { t[$1] = 1; next }
		!($1 in t) { print "JSON " $1 " = \"" $2 "\" is not in the text" }' \
		"$WORK/text.tsv" "$WORK/json.tsv")
	[ -z "$bad" ] || echo "$bad" >&2
	check "$name: every field the text promises is in it" test -z "$bad"
}

schema_is() {
	[ "$(jq -r .schema <<< "$JSON")" = "ocxlpmemctl.$1/1" ]
}

# ---- Mappings, one per command ------------------------------------------
# Each *_text function reads $TEXT, each *_json reads $JSON; both print
# PATH<TAB>VALUE in the text's rendering.  A text line that fits no layout
# comes out as an "unparsed" field, which the JSON never has.

# status: NAME SERIAL HEALTH TEMP LIFE FIRMWARE ALERTS, then "  NAME: text"
# per reason.  TEMP is "N C" or n/a, LIFE "N%" or n/a, FIRMWARE n/a for null.
status_text() {
	local line rows=0 re_row re_reason
	declare -A nr=()
	re_row='^([^ ]+) +([^ ]+) +([^ ]+) +(-?[0-9]+ C|n/a) +([0-9]+%|n/a) +([^ ]+) +([0-9]+)$'
	re_reason='^  ([^ :]+): (.*)$'
	while IFS= read -r line; do
		if [[ $line =~ ^NAME\ +SERIAL\ +HEALTH\ +TEMP\ +LIFE\ +FIRMWARE\ +ALERTS$ ]]; then
			printf 'header\tshown\n'
		elif [[ $line == "No cards. ocxlpmemd is running and will pick up cards as they appear." ]]; then
			printf 'header\tno cards\n'
		elif [[ $line =~ $re_reason ]]; then
			local c=${BASH_REMATCH[1]}
			printf '%s.reasons[%d].text\t%s\n' "$c" "${nr[$c]:-0}" "${BASH_REMATCH[2]}"
			nr[$c]=$((${nr[$c]:-0} + 1))
		elif [[ $line =~ $re_row ]]; then
			local n=${BASH_REMATCH[1]}
			printf 'cards[%d].name\t%s\n' "$rows" "$n"
			printf '%s.serial\t%s\n' "$n" "${BASH_REMATCH[2]}"
			printf '%s.health\t%s\n' "$n" "${BASH_REMATCH[3]}"
			printf '%s.temperature_c\t%s\n' "$n" "${BASH_REMATCH[4]}"
			printf '%s.life_remaining_pct\t%s\n' "$n" "${BASH_REMATCH[5]}"
			printf '%s.firmware_version\t%s\n' "$n" "${BASH_REMATCH[6]}"
			printf '%s.open_alerts\t%s\n' "$n" "${BASH_REMATCH[7]}"
			rows=$((rows + 1))
		else
			printf 'unparsed\t%s\n' "$line"
		fi
	done <<< "$TEXT"
	printf 'cards.count\t%d\n' "$rows"
}

status_json() {
	jq -r '(if (.cards | length) > 0 then "header\tshown" else "header\tno cards" end),
		"cards.count\t\(.cards | length)",
		(.cards | to_entries[] | .key as $i | .value as $c |
			"cards[\($i)].name\t\($c.name)",
			"\($c.name).serial\t\($c.serial)",
			"\($c.name).health\t\($c.health)",
			"\($c.name).temperature_c\t\(if $c.temperature_c == null then "n/a" else "\($c.temperature_c) C" end)",
			"\($c.name).life_remaining_pct\t\(if $c.life_remaining_pct == null then "n/a" else "\($c.life_remaining_pct)%" end)",
			"\($c.name).firmware_version\t\($c.firmware_version // "n/a")",
			"\($c.name).open_alerts\t\($c.open_alerts)",
			($c.reasons | to_entries[] | "\($c.name).reasons[\(.key)].text\t\(.value.text)"))' \
		<<< "$JSON"
}

# errors: ID TYPE PRC ACTIONS RECEIVED_USEC; PRC in hex (0x%08x), ACTIONS
# comma-separated or "-"; "No error-log entries." for none.
errors_text() {
	local line rows=0 re_row
	re_row='^(-?[0-9]+) +([^ ]+) +0x([0-9a-f]+) +([^ ]+) +(-?[0-9]+)$'
	while IFS= read -r line; do
		if [[ $line =~ ^ID\ +TYPE\ +PRC\ +ACTIONS\ +RECEIVED_USEC$ ]]; then
			printf 'header\tshown\n'
		elif [[ $line == "No error-log entries." ]]; then
			printf 'header\tnone\n'
		elif [[ $line =~ $re_row ]]; then
			printf 'entries[%d].id\t%s\n' "$rows" "${BASH_REMATCH[1]}"
			printf 'entries[%d].type\t%s\n' "$rows" "${BASH_REMATCH[2]}"
			printf 'entries[%d].program_reference_code\t%d\n' "$rows" "$((16#${BASH_REMATCH[3]}))"
			printf 'entries[%d].actions\t%s\n' "$rows" "${BASH_REMATCH[4]}"
			printf 'entries[%d].received_usec\t%s\n' "$rows" "${BASH_REMATCH[5]}"
			rows=$((rows + 1))
		else
			printf 'unparsed\t%s\n' "$line"
		fi
	done <<< "$TEXT"
	printf 'entries.count\t%d\n' "$rows"
}

errors_json() {
	jq -r '(if (.entries | length) > 0 then "header\tshown" else "header\tnone" end),
		"entries.count\t\(.entries | length)",
		(.entries | to_entries[] | .key as $i | .value as $e |
			"entries[\($i)].id\t\($e.id)",
			"entries[\($i)].type\t\($e.type)",
			"entries[\($i)].program_reference_code\t\($e.program_reference_code)",
			"entries[\($i)].actions\t\(if ($e.actions | length) == 0 then "-" else $e.actions | join(",") end)",
			"entries[\($i)].received_usec\t\($e.received_usec)")' <<< "$JSON"
}

# events: "NAME<pad> EVENT..." for each card with events pending, or "No
# card events pending."  (The JSON lists every card, with its serial.)
events_text() {
	local line re_row
	re_row='^([^ ]+) +([^ ].*)$'
	while IFS= read -r line; do
		if [[ $line == "No card events pending." ]]; then
			printf 'pending\tnone\n'
		elif [[ $line =~ $re_row ]]; then
			printf '%s.events\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		else
			printf 'unparsed\t%s\n' "$line"
		fi
	done <<< "$TEXT"
}

events_json() {
	jq -r '([.cards[] | select(.events | length > 0)] | length) as $n
		| (if $n == 0 then "pending\tnone" else empty end),
		(.cards[] | select(.events | length > 0) | "\(.name).events\t\(.events | join(" "))")' \
		<<< "$JSON"
}

# dumps: a table row per saved dump (card, serial, size, origin, trigger,
# date, time, file) and "CARD: last collection DATE TIME: RESULT" lines.
dumps_text() {
	local line re_row re_last
	re_row='^(ocxlpmem[0-9]+) +([0-9]+) +[0-9.]+ [KMG]?i?B +([a-z]+) +([a-z-]+) +[0-9-]+ [0-9:]+ +([^ ]+)$'
	re_last='^(ocxlpmem[0-9]+): last collection [0-9-]+ [0-9:]+: (.*)$'
	while IFS= read -r line; do
		if [[ $line =~ $re_row ]]; then
			printf '%s.card\t%s\n%s.serial\t%s\n%s.origin\t%s\n%s.trigger\t%s\n' \
				"${BASH_REMATCH[5]}" "${BASH_REMATCH[1]}" "${BASH_REMATCH[5]}" "${BASH_REMATCH[2]}" \
				"${BASH_REMATCH[5]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[5]}" "${BASH_REMATCH[4]}"
		elif [[ $line =~ $re_last ]]; then
			printf '%s.last_result\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		fi
	done <<< "$TEXT"
}

dumps_json() {
	jq -r '(.dumps[] | "\(.file).card\t\(.card)", "\(.file).serial\t\(.serial)",
			"\(.file).origin\t\(.origin)", "\(.file).trigger\t\(.trigger)"),
		(.cards[] | select(.last_result != null) | "\(.card).last_result\t\(.last_result)")' <<< "$JSON"
}

# version: "ocxlpmemctl CLIENT" and "ocxlpmemd VERSION (backend B, command
# family ABI A, interface I, state in DIR)".
version_text() {
	local line re1 re2
	re1='^ocxlpmemctl (.+)$'
	re2='^ocxlpmemd ([^ ]+) \(backend ([^ ,]+), command family ABI ([^ ,]+), interface ([^ ,]+), state in (.+)\)$'
	while IFS= read -r line; do
		if [[ $line =~ $re1 ]]; then
			printf 'client_version\t%s\n' "${BASH_REMATCH[1]}"
		elif [[ $line =~ $re2 ]]; then
			printf 'version\t%s\nbackend\t%s\nabi_version\t%s\ninterface_version\t%s\nstate_dir\t%s\n' \
				"${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" \
				"${BASH_REMATCH[4]}" "${BASH_REMATCH[5]}"
		else
			printf 'unparsed\t%s\n' "$line"
		fi
	done <<< "$TEXT"
}

version_json() {
	jq -r '"client_version\t\(.client_version)", "version\t\(.version)",
		"backend\t\(.backend)", "abi_version\t\(.abi_version)",
		"interface_version\t\(.interface_version)", "state_dir\t\(.state_dir)"' \
		<<< "$JSON"
}

# show, stats, firmware: "KEY<pad>VALUE" lines; an object is "KEY:" with its
# members indented; null is n/a; a list of scalars is joined with ", "; a
# list of objects is an empty value and one "- JSON" line per element.
# stats and firmware first name the card: "NAME (serial SERIAL)", then the
# part indented by two, or "  PART: not read yet".
# shellcheck disable=SC2016 # jq's variables, not the shell's
JQ_DEFS='
def sortk: walk(if type == "object" then to_entries | sort_by(.key) | from_entries else . end);
def render: if . == null then "n/a"
	elif type == "array" then (if length > 0 and all(.[]; type == "object") then ""
		else map(tostring) | join(", ") end)
	else tostring end;
def fields($path):
	if type == "object" then [$path, "<object>"],
		(to_entries[] as $e | $e.value | fields($path + "." + $e.key))
	elif type == "array" and length > 0 and all(.[]; type == "object") then [$path, ""],
		(to_entries[] | [$path + "[\(.key)]", (.value | sortk | tojson)])
	else [$path, render] end;
# Text lines (array) to fields: $top is the indent of the first level,
# $root the path it has.
def parse_kv($top; $root):
	reduce .[] as $l ({out: [], sect: null, arr: null, n: 0};
		($l | capture("^(?<ind> *)(?<rest>.*)$")) as $m
		| ($m.ind | length) as $ind
		| if ($m.rest | startswith("- ")) and .arr != null then
			.out += [[.arr + "[\(.n)]",
				($m.rest[2:] | (try (fromjson | sortk | tojson) catch "not JSON: \(.)"))]]
			| .n += 1
		elif $ind == $top and ($m.rest | test("^[^ ]+:$")) then
			.sect = $root + ($m.rest | rtrimstr(":")) | .arr = null
			| .out += [[.sect, "<object>"]]
		elif $ind >= $top and ($m.rest | test("^[^ ]+( +.*)?$")) then
			($m.rest | capture("^(?<k>[^ ]+)( +(?<v>.*))?$")) as $kv
			| (if $ind > $top and .sect != null then .sect + "." else $root end + $kv.k) as $p
			| if $ind == $top then .sect = null else . end
			| .out += [[$p, ($kv.v // "")]] | .arr = $p | .n = 0
		else .out += [["unparsed", $l]] end)
	| .out[];
'

show_text() {
	jq -Rnr "$JQ_DEFS"' [inputs] | parse_kv(0; "") | @tsv' <<< "$TEXT"
}

show_json() {
	jq -r "$JQ_DEFS"' .card | to_entries[] as $e | $e.value | fields($e.key) | @tsv' <<< "$JSON"
}

# part_text PART / part_json PART: stats and firmware.
part_text() {
	jq -Rnr --arg part "$1" "$JQ_DEFS"'
		[inputs] as $l
		| ($l[0] | capture("^(?<c>[^ ]+) \\(serial (?<s>[^ )]+)\\)$")
			// {c: null, s: null}) as $h
		| (if $h.c == null then ["unparsed", $l[0]] else ["card", $h.c], ["serial", $h.s] end),
		  (if $l[1:] == ["  \($part): not read yet"] then [$part, "not read yet"]
		   else $l[1:] | parse_kv(2; $part + ".") end)
		| @tsv' <<< "$TEXT"
}

part_json() {
	jq -r --arg part "$1" "$JQ_DEFS"'
		["card", .card], ["serial", .serial],
		(.[$part] | if . == null then [$part, "not read yet"]
			else to_entries[] as $e | $e.value | fields($part + "." + $e.key) end)
		| @tsv' <<< "$JSON"
}

# same_as_json NAME KIND [ARGS...]: snap the command and compare with the
# mapping KIND (status, errors, version, show, or part:PART).
same_as_json() {
	local name=$1 kind=$2 schema=$3
	shift 3
	snap "$@"
	check "$name: --json is $schema" schema_is "$schema"
	check "$name: text and --json exit alike ($TEXT_RC)" test "$TEXT_RC" = "$JSON_RC"
	case $kind in
	part:*)
		part_text "${kind#part:}" > "$WORK/text.tsv"
		part_json "${kind#part:}" > "$WORK/json.tsv"
		;;
	*)
		"${kind}_text" > "$WORK/text.tsv"
		"${kind}_json" > "$WORK/json.tsv"
		;;
	esac
	compare "$name"
}

healths() {
	{ ctl --json status || true; } | jq -r '[.cards[].health] | join(" ")'
}
healths_are() { [ "$(healths)" = "$*" ]; }

# ---- status exit statuses by health --------------------------------------

wait_for 10 healths_are ok ok ok ok
rc r ctl status
check "status: all ok exits 0" test "$r" = 0
same_as_json "status (all ok)" status status status
check "status: exit_status 0 and four ok in summary" \
	test "$(jq -c '[.exit_status, .summary.cards, .summary.ok]' <<< "$JSON")" = "[0,4,4]"
same_as_json "events (none)" events events events
check "events: none pending" test "$TEXT" = "No card events pending."

ctl sim inject ocxlpmem0 temperature --celsius 78
poll_now
wait_for 10 health_is ocxlpmem0 warning
rc r ctl status
check "status: a warning card exits 1" test "$r" = 1
same_as_json "status (one warning)" status status status
check "status: exit_status 1" test "$(jq .exit_status <<< "$JSON")" = 1

# Make the cards differ: critical temperature, a data-loss entry asking for
# a reset and a replacement plus a general one without actions, and a card
# without temperature and life-remaining attributes.
ctl sim inject ocxlpmem0 temperature --celsius 95
ctl sim inject ocxlpmem1 error-log --type data-loss --action reset,replace
ctl sim inject ocxlpmem1 error-log
ctl sim inject ocxlpmem2 drop-smart-attribute --attribute 0xC2
ctl sim inject ocxlpmem2 drop-smart-attribute --attribute 0xCA
# DUMP_START refused: the collection fails (and waits for its retry), so the
# dump stays pending on the card for the events checks below.
ctl sim inject ocxlpmem2 status --function dump-start --status 0xff
ctl sim inject ocxlpmem2 controller-dump
poll_now
wait_for 10 health_is ocxlpmem0 critical
wait_for 10 health_is ocxlpmem1 critical
wait_for 10 field_is ocxlpmem2 temperature_c null
wait_for 10 field_is ocxlpmem2 life_remaining_pct null
wait_for 10 field_is ocxlpmem2 'events | join(",")' controller-dump-available
rc r ctl status
check "status: a critical card exits 2" test "$r" = 2

# ---- Text against JSON, every command ------------------------------------

same_as_json "status" status status status
check "status: exit_status 2; summary counts the cards" \
	test "$(jq -c '[.exit_status, .summary.cards, .summary.critical + .summary.ok]' <<< "$JSON")" = "[2,4,4]"
check "status: n/a shown for a null temperature" grep -q '^ocxlpmem2 .* n/a  *n/a ' <<< "$TEXT"
for c in ocxlpmem0 ocxlpmem1 ocxlpmem2 ocxlpmem3; do
	same_as_json "show $c" show show show "$c"
	same_as_json "errors $c" errors errors errors "$c"
	same_as_json "stats $c" part:stats stats stats "$c"
	same_as_json "firmware $c" part:firmware firmware firmware "$c"
done
same_as_json "show by serial" show show show "$(card_field ocxlpmem1 serial)"
same_as_json "errors --type data-loss" errors errors errors --type data-loss ocxlpmem1
check "errors --type: one entry, with actions" \
	test "$(jq -c '[.entries[] | [.type, .actions]]' <<< "$JSON")" = '[["data-loss",["reset","replace"]]]'
same_as_json "errors --since the future" errors errors errors --since 9000000000000000 ocxlpmem1
check "errors --since the future: none" test "$TEXT" = "No error-log entries."
same_as_json "events" events events events
check "events: the dump is pending on ocxlpmem2" grep -q '^ocxlpmem2 *controller-dump-available$' <<< "$TEXT"
ctl dump --wait ocxlpmem1 >/dev/null 2>&1
same_as_json "dumps" dumps dumps dumps
check "dumps: the saved one and the failed attempt are listed" \
	test "$(jq -c '[(.dumps | length), ([.cards[].last_ok] | sort)]' <<< "$JSON")" = '[1,[false,true]]'
same_as_json "dumps CARD" dumps dumps dumps ocxlpmem1
same_as_json "version" version version version
check "version: the JSON has interface_version too" \
	test "$(jq .interface_version <<< "$JSON")" = 4
rc r "$CTL" --version
check "--version is the client's version" test "$OUT" = "ocxlpmemctl $(jq -r .client_version <<< "$JSON")"

# A card that went away: present false, backend_id null, no readings.
ctl sim inject ocxlpmem3 unplug
wait_for 10 health_is ocxlpmem3 offline
same_as_json "status (a card offline)" status status status
check "status: offline card shows n/a" grep -q '^ocxlpmem3 .*offline .* n/a  *n/a ' <<< "$TEXT"
same_as_json "show ocxlpmem3 (offline)" show show show ocxlpmem3
same_as_json "stats ocxlpmem3 (offline)" part:stats stats stats ocxlpmem3

# ---- Exit statuses --------------------------------------------------------

rc r ctl show nosuchcard
check "no such card: 1, named" test "$r" = 1 -a "$ERR" = "ocxlpmemctl: no card 'nosuchcard' (see ocxlpmemctl status)"
rc r ctl errors --type nonsense ocxlpmem0
check "a value the daemon refuses: 1" test "$r" = 1
grep -q "refused the value of 'type'" <<< "$ERR" || fail "refusal message: $ERR"

usage_is_64() {
	rc r "$@"
	[ "$r" = 64 ] || { echo "'$*' exited $r: $ERR" >&2; return 1; }
}
check "unknown command: 64" usage_is_64 ctl frobnicate
grep -q "unknown command 'frobnicate'" <<< "$ERR" || fail "unknown-command message: $ERR"
check "no command: 64" usage_is_64 ctl
check "unknown option: 64" usage_is_64 ctl --frobnicate status
check "status with an argument: 64" usage_is_64 ctl status ocxlpmem0
check "events with an argument: 64" usage_is_64 ctl events ocxlpmem0
for cmd in show errors stats firmware request-health; do
	check "$cmd without a card: 64" usage_is_64 ctl "$cmd"
	grep -q "$cmd needs a card" <<< "$ERR" || fail "$cmd: missing-card message: $ERR"
done
check "sim without inject: 64" usage_is_64 ctl sim
check "sim inject without a fault: 64" usage_is_64 ctl sim inject ocxlpmem0
check "sim inject, not a number: 64" usage_is_64 ctl sim inject ocxlpmem0 temperature --celsius hot
grep -q -- "--celsius: 'hot' is not a number" <<< "$ERR" || fail "bad-number message: $ERR"
check "errors --since, not a number: 64" usage_is_64 ctl errors --since soon ocxlpmem0

# Queries are open to everyone, changes are not.
chmod 755 "$WORK"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" --address "unix:$SOCK" "$@"; }
if nobody --help >/dev/null 2>&1; then
	rc r nobody sim inject ocxlpmem0 temperature --celsius 50
	check "sim inject as nobody: 4" test "$r" = 4
	grep -q "permission denied" <<< "$ERR" || fail "permission message: $ERR"
	rc r nobody request-health ocxlpmem0
	check "request-health as nobody: 4" test "$r" = 4
	rc r nobody --json status
	check "status as nobody works (2)" test "$r" = 2 -a "$(jq -r .schema <<< "$OUT")" = ocxlpmemctl.status/1
else
	echo "# skipped the unprivileged checks: user 65534 cannot run $CTL"
fi

# ---- Colour ---------------------------------------------------------------

esc=$'\033'
no_escapes() { ! grep -q "$esc" <<< "$1"; }
on_tty() { env "$@" script -qec "$CTL --address unix:$SOCK status" /dev/null < /dev/null || true; }
tty_out=$(on_tty -u NO_COLOR)
check "a terminal gets colour" grep -q "$esc\[" <<< "$tty_out"
check "colour changes no value: the terminal's text is the text" \
	test "$(sed "s/$esc\[[0-9;]*m//g; s/\r\$//" <<< "$tty_out")" = "$(ctl status || true)"
check "NO_COLOR on a terminal: no escapes" no_escapes "$(on_tty NO_COLOR=1)"
check "not a terminal: no escapes" no_escapes "$(env -u NO_COLOR "$CTL" --address "unix:$SOCK" status || true)"
json_tty=$(env -u NO_COLOR script -qec "$CTL --address unix:$SOCK --json status" /dev/null < /dev/null || true)
check "--json on a terminal: no escapes" no_escapes "$json_tty"

# ---- Addresses and help ---------------------------------------------------

state_dir_via() { "$@" --json version 2>/dev/null | jq -r .state_dir; }
check "OCXLPMEM_ADDRESS is honoured" \
	test "$(OCXLPMEM_ADDRESS="unix:$SOCK" state_dir_via "$CTL")" = "$WORK/state"
check "a plain path works as an address" \
	test "$(state_dir_via "$CTL" --address "$SOCK")" = "$WORK/state"
check "--address overrides OCXLPMEM_ADDRESS" \
	test "$(OCXLPMEM_ADDRESS="unix:$WORK/nowhere.sock" state_dir_via "$CTL" --address "unix:$SOCK")" = "$WORK/state"
rc r env OCXLPMEM_ADDRESS="unix:$SOCK" "$CTL" --address "unix:$WORK/nowhere.sock" version
check "--address wins even when it is wrong (3)" test "$r" = 3
grep -q "$WORK/nowhere.sock" <<< "$ERR" || fail "message does not name --address: $ERR"

rc r "$CTL" --help
help=$OUT
check "--help exits 0" test "$r" = 0
for cmd in status show errors stats firmware firmware-update firmware-cancel dumps dump dump-delete \
	support-bundle events monitor request-health sim version; do
	check "--help lists $cmd" grep -q "^  $cmd " <<< "$help"
done
check "--help names --json" grep -q -- --json <<< "$help"
check "--help names --address" grep -q -- --address <<< "$help"

# ---- The mutations --------------------------------------------------------

# They print only a versioned document with --json, and nothing as text.
rc r ctl --json sim inject ocxlpmem3 reset
check "sim inject --json: schema only" \
	test "$r:$(jq -c . <<< "$OUT")" = '0:{"schema":"ocxlpmemctl.sim-inject/1"}'
wait_for 10 health_is ocxlpmem3 ok
rc r ctl --json request-health ocxlpmem3
check "request-health --json: schema only" \
	test "$r:$(jq -c . <<< "$OUT")" = '0:{"schema":"ocxlpmemctl.request-health/1"}'
rc r ctl request-health ocxlpmem3
check "request-health: prints nothing" test "$r:$OUT" = "0:"

# ---- Bash completion ------------------------------------------------------

# complete_words WORD...: COMPREPLY for the last word, in a clean bash that
# sourced the completion file (no bash-completion package needed).
complete_words() {
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_ocxlpmemctl
		echo "${COMPREPLY[*]}"' _ "$top_srcdir/client/ocxlpmemctl.bash-completion" "$@"
}
COMPLETION=$top_srcdir/client/ocxlpmemctl.bash-completion
check "completion: bash -n" bash -n "$COMPLETION"
registered() (
	# shellcheck source=/dev/null
	. "$COMPLETION"
	complete -p ocxlpmemctl | grep -q -- "-F _ocxlpmemctl"
)
check "completion: registers a function for ocxlpmemctl" registered
check "completion: the commands are --help's" \
	test "$(complete_words ocxlpmemctl '')" = "$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' <<< "$help" | tr '\n' ' ' | sed 's/ $//')"
check "completion: s -> status show stats support-bundle sim" \
	test "$(complete_words ocxlpmemctl s)" = "status show stats support-bundle sim"
check "completion: global options" \
	test "$(complete_words ocxlpmemctl --)" = "--json --address --help --version"
check "completion: card names from the daemon (--address)" \
	test "$(complete_words "$CTL" --address "unix:$SOCK" show '')" = "ocxlpmem0 ocxlpmem1 ocxlpmem2 ocxlpmem3"
check "completion: card names from the daemon (OCXLPMEM_ADDRESS)" \
	test "$(OCXLPMEM_ADDRESS="unix:$SOCK" complete_words "$CTL" errors --type data-loss ocxlpmem)" = "ocxlpmem0 ocxlpmem1 ocxlpmem2 ocxlpmem3"
check "completion: serials when the word is a number" \
	test "$(complete_words "$CTL" --address "unix:$SOCK" stats "$(card_field ocxlpmem2 serial)")" = "$(card_field ocxlpmem2 serial)"
check "completion: no card after the card" \
	test -z "$(complete_words "$CTL" --address "unix:$SOCK" show ocxlpmem0 '')"
check "completion: no daemon, no cards, no noise" \
	test -z "$(complete_words "$CTL" --address "unix:$WORK/nowhere.sock" show '' 2>&1)"
check "completion: sim inject CARD then fault kinds" \
	test "$(complete_words "$CTL" --address "unix:$SOCK" sim inject ocxlpmem1 '')" = \
	"error-log controller-dump temperature life-remaining drop-smart-attribute drop-function fatal unplug reset clear status timeout hang errno truncate corrupt remove-after not-ready slow"
check "completion: sim inject completes the card" \
	test "$(complete_words "$CTL" --address "unix:$SOCK" sim inject ocxlpmem3)" = ocxlpmem3
check "completion: a fault's options" \
	test "$(complete_words ocxlpmemctl sim inject ocxlpmem0 error-log --)" = "--type --action --count"
check "completion: armed faults take --function and --count" \
	test "$(complete_words ocxlpmemctl sim inject ocxlpmem0 hang -)" = "--delay-ms --function --count"
check "completion: --errno names" \
	test "$(complete_words ocxlpmemctl sim inject ocxlpmem0 errno --errno E)" = "EBUSY EAGAIN EIO ENXIO ENOTTY EINVAL EPERM ETIMEDOUT"
check "completion: --action list, the rest of it" \
	test "$(complete_words ocxlpmemctl sim inject ocxlpmem0 error-log --action reset,)" = "reset,chkfw reset,replace reset,dump"
check "completion: --function names" \
	test "$(complete_words ocxlpmemctl sim inject ocxlpmem0 hang --function fw-update-a)" = "fw-update-abort"
check "completion: errors --type values" \
	test "$(complete_words ocxlpmemctl errors --type '')" = "general predictive-failure thermal-warning data-loss health-performance"
check "completion: nothing for a number" \
	test -z "$(complete_words ocxlpmemctl sim inject ocxlpmem0 temperature --celsius '')"

# Every fault the completion offers is one the daemon knows: a wrong kind
# is refused as 'fault', a known one at worst for another parameter.
# fatal, unplug and reset take the card away (unplug and reset ran above);
# the armed faults get a harmless target.
for f in $(complete_words ocxlpmemctl sim inject ocxlpmem0 ''); do
	case $f in
	fatal | unplug | reset) continue ;;
	hang | timeout | not-ready) set -- --function heartbeat --count 1 --delay-ms 1 ;;
	*) set -- ;;
	esac
	rc r ctl sim inject ocxlpmem0 "$f" "$@"
	if grep -q "refused the value of 'fault'" <<< "$ERR"; then
		fail "completion offers fault '$f', which the daemon does not know"
	fi
done
ctl sim inject ocxlpmem0 clear
rc r ctl sim inject ocxlpmem0 nonsense
check "the daemon refuses an unknown fault as 'fault' (the loop above relies on it)" \
	grep -q "refused the value of 'fault'" <<< "$ERR"

# ---- The daemon not running -----------------------------------------------

stop_daemon 2
# Every status and show above after the first was served from the reply
# cache, and each hit was compared with a fresh render (the test suite sets
# OCXLPMEMD_VERIFY_REPLY_CACHE=1; a difference aborts the daemon).
verified=$(sed -n 's/.*reply cache: \([0-9]*\) cached replies verified.*/\1/p' "$LOG" | tail -n 1)
check "cached replies were served and verified (${verified:-none})" test "${verified:-0}" -gt 10
rc r "$CTL" --address "unix:$SOCK" status
check "status, daemon gone: 3" test "$r" = 3
for cmd in "show ocxlpmem0" version "sim inject ocxlpmem0 clear"; do
	# shellcheck disable=SC2086 # the command's words
	rc r "$CTL" --address "unix:$SOCK" $cmd
	check "$cmd, daemon gone: 3" test "$r" = 3
done
check "the message names the socket and asks about the daemon" \
	grep -q "cannot reach ocxlpmemd at unix:$SOCK: .*(is the daemon running?)" <<< "$ERR"
# A socket file nobody listens on (the daemon was killed): refused.
socat -u UNIX-LISTEN:"$WORK/stale.sock",unlink-close=0 - >/dev/null 2>&1 &
stale=$!
wait_for 5 test -S "$WORK/stale.sock"
kill "$stale"
wait "$stale" 2>/dev/null || true
rc r "$CTL" --address "unix:$WORK/stale.sock" status
check "stale socket: 3, refused, named" test "$r" = 3
grep -q "unix:$WORK/stale.sock: Connection refused (is the daemon running?)" <<< "$ERR" ||
	fail "stale-socket message: $ERR"

echo "$CHECKS passed, 0 failed"
