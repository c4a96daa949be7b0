#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The systemd units are accepted by systemd and sandboxed as promised:
#
#  1. the generated ocxlpmemd.service has every @placeholder@ substituted and
#     an absolute ExecStart; the socket listens where the service's
#     RuntimeDirectory= is;
#  2. "systemd-analyze verify" accepts the service and the socket, with
#     nothing at all printed.  verify insists that ExecStart's binary exists,
#     so it checks a copy whose ExecStart is the daemon in the build tree;
#     the man pages of Documentation= are looked up among the built pages
#     (MANPATH) when man(1) is installed;
#  3. "systemd-analyze security --offline=yes" rates the service's exposure
#     at most $max_exposure ("OK").
#
# Exit: 0 good, 1 a failure, 77 systemd-analyze is not installed.
set -eu

top_srcdir=${top_srcdir:-$(dirname "$0")/..}
top_builddir=${top_builddir:-.}
top_builddir=$(cd "$top_builddir" && pwd)
service=$top_builddir/systemd/ocxlpmemd.service
socket=$top_srcdir/systemd/ocxlpmemd.socket
daemon=$top_builddir/daemon/ocxlpmemd
max_exposure=2.5

if ! command -v systemd-analyze > /dev/null 2>&1; then
	echo "test-units: SKIP: systemd-analyze not found (install systemd)"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
fail() {
	echo "test-units: $*" >&2
	status=1
}

for f in "$service" "$socket"; do
	if [ ! -r "$f" ]; then
		echo "test-units: $f: cannot read (run make first)" >&2
		exit 1
	fi
done
if [ ! -x "$daemon" ]; then
	echo "test-units: $daemon: not built (run make first)" >&2
	exit 1
fi

# ---- 1. What make substituted -----------------------------------------------

if grep -n '@[A-Za-z_]*@' "$service" > "$tmp/left"; then
	fail "$service: unsubstituted placeholders:"
	sed 's/^/  /' "$tmp/left" >&2
fi
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$service")
case $exec_start in
/*/ocxlpmemd) ;;
*) fail "$service: ExecStart is '$exec_start', not an absolute path to ocxlpmemd" ;;
esac
runtime_dir=$(sed -n 's/^RuntimeDirectory=//p' "$service")
listen=$(sed -n 's/^ListenStream=//p' "$socket")
if [ "$listen" != "/run/$runtime_dir/ocxlpmemd.sock" ]; then
	fail "$socket: ListenStream=$listen, but the daemon uses /run/$runtime_dir/ocxlpmemd.sock"
fi

# ---- 2. systemd-analyze verify ----------------------------------------------

# verify searches the units' own directory first, so the socket finds this
# service through Service=.
mkdir "$tmp/units"
sed "s|^ExecStart=[^ ]*|ExecStart=$daemon|" "$service" > "$tmp/units/ocxlpmemd.service"
cp "$socket" "$tmp/units/ocxlpmemd.socket"

# Documentation=man:PAGE(SECTION): the page must be one the build makes.
man_opt=--man=no
pages=$(sed -n 's/^Documentation=//p' "$service" "$socket" | tr ' ' '\n' |
	sed -n 's/^man:\([^(]*\)(\([0-9a-z]*\))$/\1.\2/p' | sort -u)
for page in $pages; do
	if [ ! -r "$top_builddir/man/$page" ]; then
		fail "Documentation= names $page, which the build does not make"
		continue
	fi
	mkdir -p "$tmp/man/man${page##*.}"
	cp "$top_builddir/man/$page" "$tmp/man/man${page##*.}/"
done
if command -v man > /dev/null 2>&1; then
	man_opt=--man=yes
else
	echo "test-units: man(1) not found: verify does not look the man pages up"
fi

# Any output at all is a finding: verify reports most problems as warnings
# and still exits 0.  No line is known to be harmless so far; should one
# appear (a systemd release's notice about this host, not about the units),
# filter it here with a comment saying why.
if ! MANPATH=$tmp/man SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$man_opt" \
	"$tmp/units/ocxlpmemd.service" "$tmp/units/ocxlpmemd.socket" \
	> "$tmp/verify.out" 2>&1; then
	fail "systemd-analyze verify failed:"
	sed 's/^/  /' "$tmp/verify.out" >&2
elif [ -s "$tmp/verify.out" ]; then
	fail "systemd-analyze verify complained:"
	sed 's/^/  /' "$tmp/verify.out" >&2
else
	echo "test-units: systemd-analyze verify $man_opt: service and socket clean"
fi

# ---- 3. The sandbox -----------------------------------------------------------

if ! SYSTEMD_LOG_COLOR=0 systemd-analyze security --offline=yes --no-pager \
	"$service" > "$tmp/security.out" 2> "$tmp/security.err"; then
	fail "systemd-analyze security failed:"
	sed 's/^/  /' "$tmp/security.err" >&2
fi
if [ -s "$tmp/security.err" ]; then
	fail "systemd-analyze security complained:"
	sed 's/^/  /' "$tmp/security.err" >&2
fi
# "→ Overall exposure level for ocxlpmemd.service: 1.7 OK 🙂" ("->" in ASCII)
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\) .*/\1/p' \
	"$tmp/security.out")
if [ -z "$exposure" ]; then
	fail "no 'Overall exposure level' line from systemd-analyze security:"
	sed 's/^/  /' "$tmp/security.out" >&2
elif awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e > m) }'; then
	fail "exposure $exposure is above $max_exposure; what is exposed:"
	# The lines that cost something end in their share of the exposure.
	awk 'NF > 2 && $NF ~ /^[0-9]+\.[0-9]+$/ { print "  " $0 }' \
		"$tmp/security.out" >&2
else
	echo "test-units: systemd-analyze security: exposure $exposure (at most $max_exposure)"
fi
exit "$status"
