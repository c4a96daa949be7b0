#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# udev/60-ocxlpmem.rules starts ocxlpmemd for an OpenCAPI card, and only
# for one:
#
#  1. a static lint, always: every rule is a comma-separated list of
#     KEY[{attr}] OP "value" with a key udev knows and an operator that key
#     takes, every GOTO has its LABEL, and the two rules are there (PCI
#     1014:0625; an nd bus whose provider is ocxlpmem), each with
#     TAG+="systemd" and ENV{SYSTEMD_WANTS}+="ocxlpmemd.service";
#  2. udevadm's own reading, when udevadm ($UDEVADM, default udevadm) and
#     umockdev-run are installed and a private mount namespace can be had
#     (unshare; root, or unprivileged user namespaces): "udevadm test" runs
#     against fake devices (umockdev: a scratch /sys that sd-device accepts
#     as sysfs) with only these rules loaded, and must report no problem
#     with the file, want ocxlpmemd.service for the card's PCI function and
#     nd bus on "add" and "change", and not for their look-alikes nor on
#     "remove".  "udevadm test" writes its database to /run and links to
#     /dev as a real event would, so the namespace gets empty ones and
#     nothing of the host's is touched.  It needs no udevd.
#
# Exit: 0 good, 1 a problem, 77 the lint passed but udevadm could not run
# (the reason is printed).
set -eu

top_srcdir=${top_srcdir:-$(dirname "$0")/..}
rules=$top_srcdir/udev/60-ocxlpmem.rules
# tests/install-deps.sh unpacks udevadm here when udev is not installed.
if [ -z "${UDEVADM:-}" ] && ! command -v udevadm >/dev/null 2>&1 &&
	[ -x /var/cache/ocxlpmemd-udev/bin/udevadm ]; then
	UDEVADM=/var/cache/ocxlpmemd-udev/bin/udevadm
fi
UDEVADM=${UDEVADM:-udevadm}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
fail() {
	echo "test-udev-rules: $*" >&2
	status=1
}

if [ ! -r "$rules" ]; then
	echo "test-udev-rules: $rules: cannot read" >&2
	exit 1
fi

# ---- 1. Static lint -----------------------------------------------------------

# One normalised line per rule: "N<TAB>KEY{attr} OP value<TAB>..." (N the
# line number, values without their quotes), for the checks that follow.
awk -v file="$rules" -v out="$tmp/rules" '
function bad(msg) { printf "%s:%d: %s\n", file, NR, msg; errors++ }
BEGIN {
	# Keys that only match, keys that only assign, keys that do both.
	split("ACTION DEVPATH KERNEL KERNELS SUBSYSTEMS DRIVERS ATTRS TAGS " \
	      "TEST PROGRAM RESULT CONST SYSCTL SUBSYSTEM DRIVER", m, " ")
	for (i in m) match_key[m[i]] = 1
	split("OWNER GROUP MODE SECLABEL RUN LABEL GOTO IMPORT OPTIONS " \
	      "SYMLINK NAME TAG ENV ATTR SYSCTL", a, " ")
	for (i in a) assign_key[a[i]] = 1
	# Of those, the ones that take {attr}.
	split("ATTR ATTRS ENV TEST SYSCTL CONST IMPORT RUN SECLABEL", b, " ")
	for (i in b) braces[b[i]] = 1
	# SYMLINK, NAME, ENV, ATTR, TAG and SYSCTL also match.
	split("SYMLINK NAME ENV ATTR TAG SYSCTL", c, " ")
	for (i in c) match_key[c[i]] = 1
}
/\\$/ { bad("line continuation: keep each rule on one line"); next }
/^[ \t]*(#|$)/ { next }
{
	rest = $0
	line = NR
	n = 0
	while (rest != "") {
		if (!match(rest, /^[ \t]*[A-Z_]+(\{[^}]*\})?[ \t]*(==|!=|\+=|-=|:=|=)[ \t]*"[^"]*"[ \t]*/)) {
			bad("not KEY[{attr}] OP \"value\": " rest)
			next
		}
		tok = substr(rest, RSTART, RLENGTH)
		rest = substr(rest, RSTART + RLENGTH)
		if (rest != "") {
			if (substr(rest, 1, 1) != ",") {
				bad("expected \",\" before: " rest)
				next
			}
			rest = substr(rest, 2)
			if (rest ~ /^[ \t]*$/) {
				bad("trailing comma")
				next
			}
		}
		gsub(/^[ \t]+|[ \t]+$/, "", tok)
		match(tok, /^[A-Z_]+/)
		key = substr(tok, 1, RLENGTH)
		after = substr(tok, RLENGTH + 1)
		attr = ""
		if (after ~ /^\{/) {
			attr = substr(after, 1, index(after, "}"))
			after = substr(after, length(attr) + 1)
		}
		sub(/^[ \t]+/, "", after)
		match(after, /^(==|!=|\+=|-=|:=|=)/)
		op = substr(after, 1, RLENGTH)
		value = substr(after, RLENGTH + 1)
		sub(/^[ \t]*"/, "", value)
		sub(/"$/, "", value)
		if (!(key in match_key) && !(key in assign_key))
			bad("unknown key " key)
		else if ((op == "==" || op == "!=") && !(key in match_key))
			bad(key " cannot be matched (" op ")")
		else if (op != "==" && op != "!=" && !(key in assign_key))
			bad(key " cannot be assigned (" op ")")
		if (attr != "" && !(key in braces))
			bad(key " takes no {attribute}")
		if (attr == "" && (key == "ATTR" || key == "ATTRS" || key == "ENV"))
			bad(key " needs an {attribute}")
		if ((key == "GOTO" || key == "LABEL") && op != "=")
			bad(key " takes \"=\"")
		n++
		fields = fields "\t" key attr " " op " " value
	}
	print line fields > out
	fields = ""
}
END { exit errors > 0 }
' "$rules" > "$tmp/lint" || true
touch "$tmp/rules"
if [ -s "$tmp/lint" ]; then
	fail "lint:"
	sed 's/^/  /' "$tmp/lint" >&2
fi

# Every GOTO goes to a LABEL that follows it.
awk -F '\t' '
	{ for (i = 2; i <= NF; i++) {
		if ($i ~ /^GOTO = /) { t = substr($i, 8); want[t] = $1 }
		if ($i ~ /^LABEL = /) { t = substr($i, 9); if (t in want) delete want[t]; seen[t] = 1 }
	} }
	END { for (t in want) printf "line %s: GOTO=\"%s\" has no LABEL after it\n", want[t], t }
' "$tmp/rules" > "$tmp/goto"
if [ -s "$tmp/goto" ]; then
	fail "$rules:"
	sed 's/^/  /' "$tmp/goto" >&2
fi

# has_rule NAME FIELD...: one rule carries every FIELD ("KEY OP value").
has_rule() {
	name=$1
	shift
	for field in "$@"; do
		printf '%s\n' "$field"
	done > "$tmp/want"
	found=no
	while IFS= read -r rule; do
		printf '%s\n' "$rule" | tr '\t' '\n' > "$tmp/have"
		if ! grep -vxF -f "$tmp/have" "$tmp/want" > /dev/null; then
			found=yes
			break
		fi
	done < "$tmp/rules"
	if [ "$found" = yes ]; then
		echo "test-udev-rules: lint: $name rule present"
	else
		fail "$rules: no rule with all of:"
		sed 's/^/  /' "$tmp/want" >&2
	fi
}
has_rule "PCI 1014:0625" 'SUBSYSTEM == pci' 'ATTR{vendor} == 0x1014' \
	'ATTR{device} == 0x0625' 'TAG += systemd' \
	'ENV{SYSTEMD_WANTS} += ocxlpmemd.service'
has_rule "nd bus of provider ocxlpmem" 'SUBSYSTEM == nd' \
	'ATTR{provider} == ocxlpmem' 'TAG += systemd' \
	'ENV{SYSTEMD_WANTS} += ocxlpmemd.service'

if [ "$status" -ne 0 ]; then
	exit "$status"
fi

# ---- 2. udevadm test in a scratch namespace ---------------------------------

skip() {
	echo "test-udev-rules: lint passed; SKIP udevadm test: $*"
	exit 77
}

udevadm=$(command -v "$UDEVADM" 2>/dev/null) ||
	skip "$UDEVADM not found (Debian package udev; set UDEVADM to use another)"
for tool in unshare umockdev-run; do
	if ! command -v "$tool" > /dev/null 2>&1; then
		skip "$tool not found (Debian package $([ "$tool" = unshare ] && echo util-linux || echo umockdev))"
	fi
done
if [ "$(id -u)" -eq 0 ]; then
	unshare="unshare --mount --propagation private"
else
	unshare="unshare --mount --propagation private --map-root-user"
fi
# shellcheck disable=SC2086 # $unshare is a command with its options
if ! $unshare true > "$tmp/unshare.err" 2>&1; then
	skip "no private mount namespace ($unshare: $(cat "$tmp/unshare.err"))"
fi

# The fake devices, in umockdev-record's format (P: path, E: property,
# A: attribute):
#   pci-card    0000:01:00.0, 1014:0625            wanted
#   pci-other   0000:02:00.0, 1014:0626            not: another device id
#   ndbus-card  ndbus0, provider ocxlpmem          wanted
#   ndbus-nfit  ndbus1, provider ACPI.NFIT         not: another provider
#   ndctl0      ndbus0's control node, also "nd"   not: no provider of its own
cat > "$tmp/devices.umockdev" <<'EOF'
P: /devices/pci0000:00/0000:01:00.0
E: SUBSYSTEM=pci
E: PCI_ID=1014:0625
A: vendor=0x1014
A: device=0x0625

P: /devices/pci0000:00/0000:02:00.0
E: SUBSYSTEM=pci
E: PCI_ID=1014:0626
A: vendor=0x1014
A: device=0x0626

P: /devices/platform/ndtest.0/ndbus0
E: SUBSYSTEM=nd
A: provider=ocxlpmem

P: /devices/platform/ndtest.1/ndbus1
E: SUBSYSTEM=nd
A: provider=ACPI.NFIT

P: /devices/platform/ndtest.0/ndbus0/ndctl/ndctl0
E: SUBSYSTEM=nd
E: MAJOR=254
E: MINOR=0

EOF
cat > "$tmp/devices" <<'EOF'
pci-card /sys/devices/pci0000:00/0000:01:00.0
pci-other /sys/devices/pci0000:00/0000:02:00.0
ndbus-card /sys/devices/platform/ndtest.0/ndbus0
ndbus-nfit /sys/devices/platform/ndtest.1/ndbus1
ndctl0 /sys/devices/platform/ndtest.0/ndbus0/ndctl/ndctl0
EOF

# Inside the namespace: only our rules file, and throw-away /run and /dev.
cat > "$tmp/inside.sh" <<'EOF'
set -eu
tmp=$1 udevadm=$2 rules=$3

for d in /etc/udev/rules.d /usr/local/lib/udev/rules.d /usr/lib/udev/rules.d \
	/lib/udev/rules.d; do
	if [ -d "$d" ]; then
		mount -t tmpfs tmpfs "$d"
	fi
done
mount -t tmpfs tmpfs /run
mkdir -p /run/udev/rules.d
cp "$rules" /run/udev/rules.d/
mount -t tmpfs tmpfs /dev

while read -r name path; do
	for action in add change remove; do
		# Each event on its own: no database left by the one before.
		rm -rf /run/udev/data
		timeout 10 umockdev-run -d "$tmp/devices.umockdev" -- \
			"$udevadm" test --action="$action" "$path" \
			> "$tmp/out-$name-$action" 2>&1 ||
			echo "$?" > "$tmp/rc-$name-$action"
	done
done < "$tmp/devices"
EOF

# shellcheck disable=SC2086 # $unshare is a command with its options
if ! $unshare sh "$tmp/inside.sh" "$tmp" "$udevadm" "$rules" > "$tmp/inside.out" 2>&1; then
	fail "setting up the scratch namespace failed:"
	sed 's/^/  /' "$tmp/inside.out" >&2
	exit 1
fi

while read -r name _; do
	for action in add change remove; do
		out=$tmp/out-$name-$action
		if [ -e "$tmp/rc-$name-$action" ]; then
			fail "$name $action: udevadm test exited $(cat "$tmp/rc-$name-$action"):"
			sed 's/^/  /' "$out" >&2
			continue
		fi
		# udevadm logs a bad rule with its file and line.
		if grep '60-ocxlpmem\.rules:[0-9]' "$out" |
			grep -iE 'invalid|unknown|fail|error|ignor|warn' > "$tmp/complaints"; then
			fail "$name $action: udevadm complains about the rules:"
			sed 's/^/  /' "$tmp/complaints" >&2
		fi
		if ! grep -q '^DEVPATH=' "$out"; then
			fail "$name $action: udevadm test printed no properties:"
			sed 's/^/  /' "$out" >&2
			continue
		fi
		wanted=no
		if grep -qx 'SYSTEMD_WANTS=ocxlpmemd.service' "$out" &&
			grep -qE '^TAGS=(.*:)?systemd:' "$out"; then
			wanted=yes
		fi
		expect=no
		case $name-$action in
		pci-card-add | pci-card-change | ndbus-card-add | ndbus-card-change)
			expect=yes ;;
		esac
		if [ "$wanted" != "$expect" ]; then
			fail "$name $action: ocxlpmemd.service wanted: $wanted, expected: $expect:"
			grep -E '^(DEVPATH|SUBSYSTEM|TAGS|SYSTEMD_WANTS)=' "$out" | sed 's/^/  /' >&2
		fi
	done
done < "$tmp/devices"
if [ "$status" -eq 0 ]; then
	echo "test-udev-rules: udevadm test: ocxlpmemd.service wanted for the card's PCI function and nd bus only"
fi
exit "$status"
