#!/bin/bash
# Install every Debian 12 package the build and the tests need.  Safe to
# run again: apt-get skips what is there.  Needs root (or sudo).
set -euo pipefail

packages=(
	build-essential autoconf automake libtool autoconf-archive pkg-config
	libsystemd-dev libudev-dev libndctl-dev libjson-c-dev libevent-dev
	libcmocka-dev nettle-dev libarchive-dev linux-libc-dev zlib1g-dev
	scdoc man-db groff-base
	umockdev libumockdev-dev
	clang libclang-rt-14-dev valgrind
	socat shellcheck jq systemd util-linux dbus-daemon dbus-bin ndctl
	prometheus python3-yaml python3-prometheus-client curl wrk nginx-light bc
	dpkg-dev debhelper lintian
)

# udevadm for tests/test-udev-rules.sh, unpacked rather than installed:
# installing udev would start udevd on the machine's shared /dev.
udev_cache=/var/cache/ocxlpmemd-udev
unpack_udevadm() {
	local dir
	command -v udevadm >/dev/null && return 0
	[ -x "$udev_cache/bin/udevadm" ] && return 0
	dir=$(mktemp -d)
	if (cd "$dir" && apt-get download -qq udev >/dev/null 2>&1 &&
		$SUDO dpkg -x udev_*.deb "$udev_cache"); then
		echo "unpacked udevadm into $udev_cache"
	else
		echo "could not unpack udevadm: the udev rules test will skip its udevadm part"
	fi
	rm -rf "$dir"
}

# amtool for tests/test-prometheus-rules.sh, unpacked rather than
# installed: installing prometheus-alertmanager starts an Alertmanager.
am_cache=/var/cache/ocxlpmemd-alertmanager
unpack_amtool() {
	local dir
	command -v amtool >/dev/null && return 0
	[ -x "$am_cache/usr/bin/amtool" ] && return 0
	dir=$(mktemp -d)
	if (cd "$dir" && apt-get download -qq prometheus-alertmanager >/dev/null 2>&1 &&
		$SUDO dpkg -x prometheus-alertmanager_*.deb "$am_cache"); then
		echo "unpacked amtool into $am_cache"
	else
		echo "could not unpack amtool: the rules test will not run amtool check-config"
	fi
	rm -rf "$dir"
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
if [ ${#missing[@]} -eq 0 ]; then
	unpack_udevadm
	unpack_amtool
	exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
unpack_udevadm
unpack_amtool
