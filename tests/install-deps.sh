#!/bin/bash
# Install every Debian 12 package the build and the tests need.  Safe to
# run again: apt-get skips what is there.  Needs root (or sudo).
set -euo pipefail

packages=(
	build-essential autoconf automake libtool autoconf-archive pkg-config
	libsystemd-dev libudev-dev libndctl-dev libjson-c-dev libevent-dev
	libcmocka-dev libinih-dev linux-libc-dev
	scdoc man-db groff-base
	clang libclang-rt-14-dev valgrind
	socat shellcheck jq systemd util-linux
	prometheus curl wrk nginx-light bc
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
