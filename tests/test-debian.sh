#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Debian packages: builds them with "dpkg-buildpackage -us -uc -b" in a
# scratch copy of the tree (the build writes ../*.deb), runs lintian on the
# .changes (no error allowed) and checks what each package holds and what
# its maintainer scripts do.
#
#   tests/test-debian.sh [OUTDIR]
#
# OUTDIR (default build-deb/ at the top of the tree) receives the .debs, the
# .changes and lintian's report; tests/system/run.sh installs the .debs it
# finds there into its booted root.  Not part of make check: a package
# build takes minutes.  DEB_BUILD_OPTIONS defaults to "nocheck" (the build
# profile too): make check runs on its own in run-all.sh; set
# DEB_BUILD_OPTIONS= to run it inside the package build as well.
#
# Exit status: 0 all checks passed, 1 a check failed, 77 the tools are
# missing (dpkg-buildpackage, debhelper, lintian).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
t0=$(date +%s)
say() { printf '==== [%3ds] %s\n' "$(($(date +%s) - t0))" "$*"; }
skip() { echo "SKIP: $*"; exit 77; }
nfail=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

command -v dpkg-buildpackage >/dev/null ||
	skip "dpkg-buildpackage is missing (Debian package dpkg-dev)"
command -v dh >/dev/null || skip "dh is missing (Debian package debhelper)"
command -v lintian >/dev/null || skip "lintian is missing (Debian package lintian)"
[ -f "$top/debian/control" ] || { echo "FAIL: no debian/control in $top"; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ocxlpmemd-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src=$scratch/ocxlpmemd

# ---- A clean copy of the source ----------------------------------------------
# In a git checkout: the tracked files and the untracked ones git does not
# ignore, as they are in the working tree (no build directories, no
# generated autotools files).  Otherwise the tree without its build-*
# directories.
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf -) | tar -C "$src" -xf -
else
	(cd "$top" && tar --exclude='./build*' --exclude='./.git' -cf - .) | tar -C "$src" -xf -
fi

# ---- Build ---------------------------------------------------------------------
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck}
profiles=
case " $DEB_BUILD_OPTIONS " in *" nocheck "*) profiles=-Pnocheck ;; esac
case " $DEB_BUILD_OPTIONS " in
*" parallel="*) ;;
*) DEB_BUILD_OPTIONS="$DEB_BUILD_OPTIONS parallel=${JOBS:-$(nproc)}" ;;
esac
say "dpkg-buildpackage -us -uc -b $profiles (DEB_BUILD_OPTIONS='$DEB_BUILD_OPTIONS')"
build_t0=$(date +%s)
if ! (cd "$src" && dpkg-buildpackage -us -uc -b $profiles) >"$scratch/build.log" 2>&1; then
	tail -n 60 "$scratch/build.log"
	grep -q 'Unmet build dependencies' "$scratch/build.log" &&
		echo "(install them: apt-get build-dep ./ or apt-get install the packages named above)"
	echo "FAIL: dpkg-buildpackage failed"
	exit 1
fi
say "packages built in $(($(date +%s) - build_t0))s"

rm -rf "$out"
mkdir -p "$out"
cp "$scratch"/*.deb "$scratch"/*.changes "$scratch"/*.buildinfo "$out"/
cp "$scratch/build.log" "$out/build.log"
changes=$(ls "$out"/*.changes)

# ---- lintian -----------------------------------------------------------------------
say "lintian $(basename "$changes")"
lintian --display-info "$changes" >"$out/lintian.txt" 2>&1 || true
cat "$out/lintian.txt"
for sev in E W I; do
	printf '%s: %s  ' "$sev" "$(grep -c "^$sev: " "$out/lintian.txt" || true)"
done
echo
if grep -q '^E: ' "$out/lintian.txt"; then
	fail lintian "errors above"
else
	ok lintian
fi

# ---- What each package holds -----------------------------------------------------------
deb() { ls "$out/$1"_*.deb; }
has() { # PACKAGE PATH...
	local pkg=$1 list p
	shift
	list=$(dpkg-deb -c "$(deb "$pkg")" | awk '{ print $6 }' | sed 's|^\./|/|')
	for p in "$@"; do
		echo "$list" | grep -qxF -- "$p" || { fail "contents-$pkg" "no $p"; return; }
	done
	ok "contents-$pkg"
}
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
has ocxlpmemd /usr/sbin/ocxlpmemd /lib/systemd/system/ocxlpmemd.service \
	/lib/systemd/system/ocxlpmemd.socket /lib/udev/rules.d/60-ocxlpmem.rules \
	/usr/lib/systemd/catalog/ocxlpmemd.catalog /usr/lib/sysusers.d/ocxlpmemd.conf \
	/usr/share/varlink/io.ocxlpmem.Manager.varlink \
	/usr/share/varlink/io.ocxlpmem.Simulation.varlink \
	/usr/share/dbus-1/system.d/io.ocxlpmem1.conf \
	/usr/share/dbus-1/system-services/io.ocxlpmem1.service \
	/usr/share/dbus-1/interfaces/io.ocxlpmem1.Manager.xml \
	/usr/share/dbus-1/interfaces/io.ocxlpmem1.Card.xml \
	/usr/share/man/man8/ocxlpmemd.8.gz /usr/share/man/man5/ocxlpmemd.conf.5.gz
has ocxlpmemctl /usr/bin/ocxlpmemctl /usr/share/bash-completion/completions/ocxlpmemctl \
	/usr/share/man/man8/ocxlpmemctl.8.gz
has libocxlpmem0 "/usr/lib/$ma/libocxlpmem.so.0"
has libocxlpmem-dev /usr/include/ocxlpmem/ocxlpmem.h "/usr/lib/$ma/libocxlpmem.so" \
	"/usr/lib/$ma/pkgconfig/libocxlpmem.pc" /usr/share/man/man7/ocxlpmem-abi.7.gz

# The service file names the installed daemon.
# grep -c, not -q, reads to the end: no SIGPIPE upstream under pipefail.
member() { dpkg-deb --fsys-tarfile "$(deb "$1")" | tar -xO "./$2"; }
if member ocxlpmemd lib/systemd/system/ocxlpmemd.service |
	grep -cx 'ExecStart=/usr/sbin/ocxlpmemd .*' >/dev/null; then
	ok service-execstart
else
	fail service-execstart "ExecStart does not name /usr/sbin/ocxlpmemd"
fi

# ---- Relations and maintainer scripts ------------------------------------------------------
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
if field ocxlpmemd Depends | grep -c 'libocxlpmem0 (>= ' >/dev/null; then
	ok daemon-depends-lib
else
	fail daemon-depends-lib "Depends: $(field ocxlpmemd Depends)"
fi
if field libocxlpmem-dev Depends | grep -c 'libocxlpmem0 (= ' >/dev/null; then
	ok dev-depends-lib
else
	fail dev-depends-lib "Depends: $(field libocxlpmem-dev Depends)"
fi
dpkg-deb -I "$(deb libocxlpmem0)" symbols >"$scratch/symbols" 2>/dev/null || true
if grep -q '^libocxlpmem.so.0 libocxlpmem0 ' "$scratch/symbols" &&
	grep -q '^ ocxlpmem_' "$scratch/symbols"; then
	ok lib-symbols
else
	fail lib-symbols "libocxlpmem0 has no symbols file"
fi

# The socket is enabled and started on installation, the service neither
# (udev and the socket start it): each debhelper section of the postinst
# that enables or starts the service runs only for an administrator who
# enabled it (debian-installed), or only on upgrade (try-restart).
script() { dpkg-deb -I "$(deb ocxlpmemd)" "$1" >"$scratch/$1" 2>/dev/null || : >"$scratch/$1"; }
script postinst
script prerm
# sections WITH WITHOUT: how many debhelper sections of the postinst hold
# WITH but not WITHOUT.
sections() {
	awk -v with="$1" -v without="$2" '
		/^# Automatically added by/ { s = "" }
		{ s = s $0 "\n" }
		/^# End automatically added section/ && index(s, with) && !index(s, without) { n++ }
		END { print n + 0 }' "$scratch/postinst"
}
if [ "$(sections "enable 'ocxlpmemd.socket'" debian-installed)" -ge 1 ] &&
	grep -q "deb-systemd-invoke start 'ocxlpmemd.socket'" "$scratch/postinst"; then
	ok postinst-socket-enabled
else
	fail postinst-socket-enabled "ocxlpmemd.socket is not enabled and started on installation"
fi
if [ "$(sections "enable 'ocxlpmemd.service'" "debian-installed 'ocxlpmemd.service'")" -gt 0 ] ||
	grep "deb-systemd-invoke start" "$scratch/postinst" | grep -q ocxlpmemd.service; then
	fail postinst-service-not-enabled "the postinst enables or starts ocxlpmemd.service on installation"
else
	ok postinst-service-not-enabled
fi
if grep -q "deb-systemd-invoke try-restart .*'ocxlpmemd.service'" "$scratch/postinst"; then
	ok postinst-upgrade-restart
else
	fail postinst-upgrade-restart "no try-restart of ocxlpmemd.service on upgrade"
fi
if grep -q "deb-systemd-invoke stop 'ocxlpmemd.service'" "$scratch/prerm"; then
	ok prerm-stops-service
else
	fail prerm-stops-service "removal leaves ocxlpmemd.service running"
fi
if grep -q 'systemd-sysusers.*ocxlpmemd.conf' "$scratch/postinst"; then
	ok postinst-sysusers
else
	fail postinst-sysusers "no systemd-sysusers ocxlpmemd.conf"
fi
if member ocxlpmemd usr/lib/sysusers.d/ocxlpmemd.conf | grep -c '^g ocxlpmem ' >/dev/null; then
	ok sysusers-group
else
	fail sysusers-group "no group ocxlpmem"
fi

say "done: $nfail failed; the packages are in $out"
[ "$nfail" -eq 0 ]
