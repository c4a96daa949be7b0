#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# System test: the installed daemon under a real, booted systemd.
#
#   tests/system/run.sh [BUILD]
#
# Makes (or reuses from the cache) a Debian 12 root with debootstrap,
# installs the project into it, boots it with systemd-nspawn -b and lets an
# enabled oneshot unit run
# tests/system/inside.sh, which writes one line per named check to
# /results/results.txt and powers the container off.  This script then
# prints the checks, adds its own (promtool on the served metrics) and
# fails naming every failed check.
#
# The project goes into the root as Debian packages when
# tests/test-debian.sh has left them in build-deb/ (ocxlpmemd, ocxlpmemctl
# and libocxlpmem0, newer than every source file they are built from):
# "dpkg -i" in the root, so the maintainer scripts (sysusers, the enabled
# socket, the catalog trigger) are tested too.  Otherwise it is built and
# installed with "make install DESTDIR=".  The log says which.
#
# BUILD (make install only) is used when it is configured for the system's own places
# (--prefix=/usr --sysconfdir=/etc --localstatedir=/var); otherwise (the
# default, and run-all.sh's build configured for /usr/local) the script
# configures and builds its own out-of-tree build-systest directory.
#
# Environment:
#   OCXLPMEM_SYSTEST_CACHE   cache of the pristine root
#                            (default /var/cache/ocxlpmemd-systest)
#   OCXLPMEM_SYSTEST_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   OCXLPMEM_SYSTEST_KEEP=1  keep the root (its path is printed) for debugging
#   OCXLPMEM_SYSTEST_DEBS    where to look for the packages (default build-deb/)
#   OCXLPMEM_SYSTEST_INSTALL auto (default), deb (fail without packages) or make
#   JOBS                     make -j (default nproc)
#
# Exit status: 0 all checks passed, 1 a check or step failed, 77 the test
# cannot run here (not root, no nspawn/debootstrap, the container cannot
# boot for an environmental reason).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
jobs=${JOBS:-$(nproc)}
cache=${OCXLPMEM_SYSTEST_CACHE:-/var/cache/ocxlpmemd-systest}
mirror=${OCXLPMEM_SYSTEST_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
boot_timeout=240

# The runtime libraries the project links, what systemd needs to boot and
# what inside.sh uses.  Changing this list rebuilds the cached root.
pkg_list=(systemd systemd-sysv dbus libjson-c5 libevent-2.1-7 libevent-pthreads-2.1-7
	libnettle8 libarchive13 libsystemd0 libudev1 libndctl6 curl jq ca-certificates)
packages=$(printf '%s\n' "${pkg_list[@]}" | sort -u | tr '\n' ' ')
packages=${packages% }

t0=$(date +%s)
say() { printf '==== [%3ds] %s\n' "$(($(date +%s) - t0))" "$*"; }
skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*" >&2; exit 1; }

# ---- Can it run here? --------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "the system test needs root (debootstrap, systemd-nspawn)"
need_pkgs=()
command -v debootstrap >/dev/null || need_pkgs+=(debootstrap)
command -v systemd-nspawn >/dev/null || need_pkgs+=(systemd-container)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	say "installing ${need_pkgs[*]}"
	if ! command -v apt-get >/dev/null ||
		! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${need_pkgs[@]}" >/dev/null ||
			{ apt-get update -q >/dev/null &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
				"${need_pkgs[@]}" >/dev/null; }; }; then
		skip "cannot install ${need_pkgs[*]}"
	fi
fi
command -v debootstrap >/dev/null || skip "debootstrap is missing"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is missing"

# ---- Scratch space, cleaned on every exit -------------------------------------
work=$(mktemp -d /var/tmp/ocxlpmemd-systest.XXXXXX)
root=$work/root
nspawn_pid=
cleanup() {
	local rc=$?
	if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
		kill -TERM "$nspawn_pid" 2>/dev/null || true
		sleep 2
		kill -KILL "$nspawn_pid" 2>/dev/null || true
		wait "$nspawn_pid" 2>/dev/null || true
	fi
	# nspawn unmounts what it mounted; anything left under the root is
	# unmounted before the root is removed, never followed by rm.
	if [ -d "$root" ]; then
		local m
		awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null || true; done
	fi
	if [ "${OCXLPMEM_SYSTEST_KEEP:-0}" = 1 ]; then
		echo "kept: $work"
	elif ! awk -v r="$work" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
		rm -rf --one-file-system "$work"
	else
		echo "warning: mounts remain below $work, not removed" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- Packages or make install ---------------------------------------------------
# The packages are used only when none of the files they are built from is
# newer: stale packages would test old code.
debs_dir=${OCXLPMEM_SYSTEST_DEBS:-$top/build-deb}
install_how=${OCXLPMEM_SYSTEST_INSTALL:-auto}
case $install_how in auto | deb | make) ;; *) die "OCXLPMEM_SYSTEST_INSTALL=$install_how: want auto, deb or make" ;; esac
debs=()
why_not_debs=
if [ "$install_how" != make ]; then
	for p in ocxlpmemd ocxlpmemctl libocxlpmem0; do
		f=$(find "$debs_dir" -maxdepth 1 -name "${p}_*.deb" 2>/dev/null | sort | tail -n 1)
		if [ -z "$f" ]; then
			why_not_debs="no ${p}_*.deb in $debs_dir (tests/test-debian.sh builds them)"
			break
		fi
		debs+=("$f")
	done
	if [ -z "$why_not_debs" ]; then
		# shellcheck disable=SC2012 # package file names: no newlines
		oldest=$(ls -tr "${debs[@]}" | head -n 1)
		newer=$(cd "$top" && find lib daemon client systemd udev man config debian \
			configure.ac Makefile.am -type f -newer "$oldest" -print 2>/dev/null | head -n 1)
		[ -n "$newer" ] && why_not_debs="$newer is newer than the packages in $debs_dir"
	fi
	if [ -n "$why_not_debs" ]; then
		[ "$install_how" = deb ] && die "OCXLPMEM_SYSTEST_INSTALL=deb: $why_not_debs"
		debs=()
	fi
fi
if [ ${#debs[@]} -gt 0 ]; then
	say "installing with dpkg -i: ${debs[*]##*/}"
else
	[ "$install_how" = make ] && why_not_debs="OCXLPMEM_SYSTEST_INSTALL=make"
	say "installing with make install ($why_not_debs)"
fi

# ---- The build (make install only) -----------------------------------------------
systest_build_ok() {
	local mk=$1/Makefile
	[ -f "$mk" ] &&
		grep -qx 'prefix = /usr' "$mk" &&
		grep -qx 'sysconfdir = /etc' "$mk" &&
		grep -qx 'localstatedir = /var' "$mk"
}
build=${1:-}
if [ ${#debs[@]} -gt 0 ]; then
	: # nothing to build
elif [ -n "$build" ] && systest_build_ok "$build"; then
	build=$(cd "$build" && pwd)
	say "using build $build"
else
	[ -n "$build" ] && say "$build is not configured with --prefix=/usr --sysconfdir=/etc --localstatedir=/var"
	build=$top/build-systest
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
	mkdir -p "$build"
	if systest_build_ok "$build"; then
		say "building $build"
	else
		say "configuring and building $build"
		(cd "$build" && "$top/configure" -q --prefix=/usr --sysconfdir=/etc \
			--localstatedir=/var) || die "configure failed (see $build/config.log)"
	fi
fi
if [ ${#debs[@]} -eq 0 ]; then
	make -C "$build" -s -j"$jobs" >/dev/null || die "build failed in $build"
fi

# ---- The root: cached pristine tarball, or debootstrap -------------------------
host_arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
key=$(printf '%s %s %s %s\n' "$suite" "$host_arch" minbase "$packages" | sha256sum | cut -c1-16)
tarball=$cache/root-$suite-$key.tar.zst
mkdir -p "$root"
if [ -f "$tarball" ] && [ -f "$tarball.packages" ] &&
	[ "$(cat "$tarball.packages")" = "$packages" ]; then
	say "unpacking cached root $tarball"
	tar -C "$root" --numeric-owner --xattrs -I zstd -xf "$tarball" ||
		die "cannot unpack $tarball (delete it to rebuild)"
else
	say "debootstrap $suite (minbase + $packages)"
	command -v zstd >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q zstd >/dev/null ||
		skip "zstd is missing and cannot be installed"
	if ! debootstrap --variant=minbase --include="${packages// /,}" \
		"$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
		tail -n 30 "$work/debootstrap.log"
		grep -q 'Failed getting release file\|Couldn.t download\|Temporary failure resolving' \
			"$work/debootstrap.log" && skip "debootstrap cannot reach $mirror"
		die "debootstrap failed"
	fi
	chroot "$root" apt-get clean
	rm -f "$root"/var/lib/apt/lists/*_* "$root/etc/machine-id"
	: >"$root/etc/machine-id"
	# The packages as installed, checked against the list before caching.
	for p in "${pkg_list[@]}"; do
		# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
		chroot "$root" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || die "package $p missing from the root"
	done
	mkdir -p "$cache"
	if ! { tar -C "$root" --numeric-owner --xattrs -I 'zstd -T0 -3' -cf "$tarball.tmp" . &&
		mv -f "$tarball.tmp" "$tarball" &&
		printf '%s\n' "$packages" >"$tarball.packages"; }; then
		rm -f "$tarball.tmp"
		die "cannot write the cache $tarball"
	fi
	# Roots made for another package list are stale.
	find "$cache" -maxdepth 1 -name "root-*.tar.zst*" ! -name "${tarball##*/}*" -delete
	say "cached the root as $tarball"
fi

# ---- Install the project and the test driver ----------------------------------
mkdir -p "$root/results"
if [ ${#debs[@]} -gt 0 ]; then
	say "dpkg -i in the root: ${debs[*]##*/}"
	mkdir -p "$root/tmp/ocxlpmemd-debs"
	cp "${debs[@]}" "$root/tmp/ocxlpmemd-debs/"
	# Not booted: deb-systemd-invoke starts nothing, the enable symlinks,
	# the sysusers group and the catalog trigger are made as on a real system.
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		sh -c 'dpkg -i /tmp/ocxlpmemd-debs/*.deb' >"$work/install.log" 2>&1 ||
		{ cat "$work/install.log"; die "dpkg -i failed"; }
	rm -rf "$root/tmp/ocxlpmemd-debs"
	echo deb >"$root/results/installed-by"
else
	say "make install DESTDIR=$root"
	make -C "$build" -s install DESTDIR="$root" >"$work/install.log" 2>&1 ||
		{ cat "$work/install.log"; die "make install failed"; }
	chroot "$root" ldconfig
	echo make >"$root/results/installed-by"
fi
mkdir -p "$root/usr/local/libexec/ocxlpmemd-systest" "$root/results"
install -m 0755 "$here/inside.sh" "$root/usr/local/libexec/ocxlpmemd-systest/inside.sh"
cat >"$root/etc/systemd/system/ocxlpmemd-systest.service" <<'EOF'
[Unit]
Description=ocxlpmemd system test
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/usr/local/libexec/ocxlpmemd-systest/inside.sh
# Power off even when the script fails or times out.
ExecStopPost=/usr/bin/systemctl --no-block poweroff
TimeoutStartSec=180
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/ocxlpmemd-systest.service \
	"$root/etc/systemd/system/multi-user.target.wants/ocxlpmemd-systest.service"
# No getty on the container's console: output goes to the pipe.
ln -sf /dev/null "$root/etc/systemd/system/console-getty.service"

# ---- Boot ----------------------------------------------------------------------
# --private-network: the container has its own loopback, so its metrics
# port (127.0.0.1:9580) cannot collide with anything on the host.
say "booting the container (timeout ${boot_timeout}s)"
boot_start=$(date +%s)
timeout -k 10 "$boot_timeout" systemd-nspawn -q -D "$root" -b --register=no --keep-unit \
	--console=pipe --private-network --machine="ocxlpmemd-systest-$$" \
	</dev/null >"$work/console.txt" 2>&1 &
nspawn_pid=$!
nspawn_rc=0
wait "$nspawn_pid" || nspawn_rc=$?
nspawn_pid=
say "container ended after $(($(date +%s) - boot_start))s, status $nspawn_rc"

results=$root/results/results.txt
if [ ! -s "$results" ]; then
	echo "---- console (tail)"
	tail -n 40 "$work/console.txt"
	# inside.sh writes /results/status first thing: without it the
	# container never got as far as the test unit.  When nspawn itself
	# says the host refused namespaces, cgroups or mounts, the test
	# cannot run here; anything else (a timeout, a broken root) fails.
	if [ ! -e "$root/results/status" ] && [ "$nspawn_rc" != 124 ] &&
		grep -Eqi 'operation not permitted|permission denied|not supported|cgroup|failed to (create|allocate|set up|mount|clone|unshare)' \
			"$work/console.txt"; then
		skip "systemd-nspawn cannot boot a container here (status $nspawn_rc)"
	fi
	[ -s "$root/results/journal.txt" ] && { echo "---- journal (tail)"; tail -n 80 "$root/results/journal.txt"; }
	die "no results from the container (status $nspawn_rc)"
fi

# ---- Checks made on the host ----------------------------------------------------
host_results=$work/host-results.txt
: >"$host_results"
if ! command -v promtool >/dev/null; then
	echo "skip metrics-promtool: promtool not installed on the host (Debian package prometheus)" >>"$host_results"
elif [ ! -s "$root/results/metrics.txt" ]; then
	echo "FAIL metrics-promtool: the container saved no metrics" >>"$host_results"
elif out=$(promtool check metrics <"$root/results/metrics.txt" 2>&1); then
	echo "ok metrics-promtool" >>"$host_results"
else
	printf 'FAIL metrics-promtool: %s\n' "$(echo "$out" | head -n 3 | tr '\n' ' ')" >>"$host_results"
fi
if [ "$nspawn_rc" = 0 ]; then
	echo "ok container-poweroff" >>"$host_results"
else
	echo "FAIL container-poweroff: systemd-nspawn exited with $nspawn_rc" >>"$host_results"
fi

# ---- Report --------------------------------------------------------------------
echo
cat "$results" "$host_results"
pass=$({ grep -c '^ok ' "$results" "$host_results" || true; } | awk -F: '{ s += $2 } END { print s + 0 }')
failed=$({ grep -h '^FAIL ' "$results" "$host_results" || true; } |
	sed 's/^FAIL \([^:]*\).*/\1/' | tr '\n' ' ')
nfail=$({ grep -ch '^FAIL ' "$results" "$host_results" || true; } | awk '{ s += $1 } END { print s + 0 }')
if ! grep -q '^done$' "$root/results/status" 2>/dev/null; then
	failed="$failed inside.sh-incomplete"
	nfail=$((nfail + 1))
fi
if [ "$nfail" -gt 0 ]; then
	echo
	echo "---- container journal (tail)"
	tail -n 120 "$root/results/journal.txt" 2>/dev/null || tail -n 60 "$work/console.txt"
	echo
	echo "failed: $failed"
	echo "$pass passed, $nfail failed"
	exit 1
fi
echo "$pass passed, 0 failed ($(($(date +%s) - t0))s)"
