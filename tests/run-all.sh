#!/bin/bash
# Every test, from a fresh Debian 12 machine: install dependencies, build
# with warnings as errors, make check, the Debian packages (built, linted,
# then installed by the system test), the sanitizer build (ASan + UBSan)
# running the whole suite again, bounded libFuzzer runs, make distcheck.
#
# Environment: JOBS (default nproc), FUZZ_SECONDS (default 20 per target),
# SKIP_DISTCHECK=1, SKIP_SANITIZERS=1 to shorten a local run.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=${JOBS:-$(nproc)}

step() { printf '\n==== %s\n' "$*"; }

step "dependencies"
./tests/install-deps.sh

step "bootstrap"
autoreconf -fi >/dev/null

step "build and make check (gcc, -Werror)"
rm -rf build
mkdir -p build
(cd build && "$top/configure" --enable-werror -q && make -j"$jobs" -s &&
	make -j"$jobs" check) || { cat build/test-suite.log 2>/dev/null || true; exit 1; }

step "Debian packages (dpkg-buildpackage, lintian)"
# The system test below installs these packages when they were built.
rm -rf build-deb
deb_rc=0
./tests/test-debian.sh "$top/build-deb" || deb_rc=$?
if [ "$deb_rc" = 77 ]; then
	echo "Debian package test skipped (see the reason above): the system test uses make install"
elif [ "$deb_rc" != 0 ]; then
	echo "Debian package test failed"
	exit 1
fi

step "system test (booted systemd in a container)"
systest_rc=0
./tests/system/run.sh "$top/build" || systest_rc=$?
if [ "$systest_rc" = 77 ]; then
	echo "system test skipped (see the reason above)"
elif [ "$systest_rc" != 0 ]; then
	echo "system test failed"
	exit 1
fi

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
	step "AddressSanitizer + UndefinedBehaviorSanitizer (clang): make check"
	rm -rf build-asan
	mkdir -p build-asan
	san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	(cd build-asan && "$top/configure" -q --enable-werror --disable-shared CC=clang \
		CFLAGS="-O1 -g $san" LDFLAGS="$san" &&
		make -j"$jobs" -s &&
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		OCXLPMEM_TEST_WAIT_SCALE=3 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -j"$jobs" check) || { cat build-asan/test-suite.log 2>/dev/null || true; exit 1; }

	step "libFuzzer: ${FUZZ_SECONDS:-20} s per target"
	(cd build && make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}")
fi

if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
	step "make distcheck"
	(cd build && make -j"$jobs" distcheck >/dev/null) ||
		{ echo "distcheck failed"; exit 1; }
fi

step "summary"
pass=$(grep -h '^# PASS:' build/test-suite.log 2>/dev/null | awk '{s+=$3} END {print s+0}')
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' build/test-suite.log || true
fail=$(grep -h '^# FAIL:' build/test-suite.log | awk '{s+=$3} END {print s+0}')
echo "tests: ${pass} passed, ${fail} failed"
