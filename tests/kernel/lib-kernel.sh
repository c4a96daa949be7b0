# shellcheck shell=bash
# shellcheck disable=SC2154 # top_builddir, WORK, LOG...: from make check and lib-daemon.sh
# Helpers for the kernel backend's tests: source after tests/lib-daemon.sh.
#
#   start_testbed ARGS...   ocxlpmem-testbed in the background (its umockdev
#                           bed, cards and control socket); then every
#                           start_daemon runs ocxlpmemd (kernel backend)
#                           under libumockdev-preload inside that bed
#   tb COMMAND...           one command to the bed; fails unless "ok ..."
#   tb_out COMMAND...       the same, printing what follows "ok"

TESTBED="$top_builddir/tests/kernel/ocxlpmem-testbed"
TB_SOCK="$WORK/testbed.sock"
TB_ENV="$WORK/testbed.env"
TB_LOG="$WORK/testbed.log"
TB_PID=

if [ ! -x "$TESTBED" ]; then
	echo "SKIP: umockdev-1.0 was not found by configure, so the test bed is not built" \
		"(tests/install-deps.sh installs umockdev and libumockdev-dev)"
	exit 77
fi
if ! command -v umockdev-wrapper >/dev/null; then
	echo "SKIP: umockdev is not installed (tests/install-deps.sh installs it)"
	exit 77
fi

# An ASan binary refuses to start when the preload library comes before
# the ASan runtime in the link order.  The runtime is linked statically
# into our programs, so its interceptors still run first; the check is
# what gets in the way, and only the check is turned off.
if nm "$top_builddir/daemon/ocxlpmemd" 2>/dev/null | grep -q " __asan_init"; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
fi

stop_testbed() {
	if [ -n "$TB_PID" ] && kill -0 "$TB_PID" 2>/dev/null; then
		kill -TERM "$TB_PID" 2>/dev/null || true
		wait "$TB_PID" 2>/dev/null || true
	fi
	TB_PID=
}
# lib-daemon.sh's cleanup evaluates this first (rc is its exit status):
# the daemon goes before the bed it lives in.
# shellcheck disable=SC2016,SC2034 # expanded when lib-daemon.sh evaluates it
CLEANUP_EXTRA='if [ -n "$DAEMON_PID" ]; then kill -KILL "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=; fi; stop_testbed; if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then echo "---- test bed log ----"; tail -n 30 "$TB_LOG"; fi'

start_testbed() {
	rm -f "$TB_ENV"
	# umockdev makes its bed under TMPDIR: inside $WORK, removed with it.
	TMPDIR="$WORK" "$TESTBED" --control "$TB_SOCK" --env-file "$TB_ENV" "$@" \
		> "$TB_LOG" 2>&1 &
	TB_PID=$!
	wait_for 10 test -s "$TB_ENV"
	UMOCKDEV_DIR=$(sed -n 's/^UMOCKDEV_DIR=//p' "$TB_ENV")
	# start_daemon runs $DAEMON: make it the real daemon inside the bed.
	cat > "$WORK/ocxlpmemd-in-testbed" <<EOF
#!/bin/sh
UMOCKDEV_DIR='$UMOCKDEV_DIR' LD_PRELOAD=libumockdev-preload.so.0 exec '$top_builddir/daemon/ocxlpmemd' "\$@"
EOF
	chmod +x "$WORK/ocxlpmemd-in-testbed"
	# shellcheck disable=SC2034 # read by lib-daemon.sh
	DAEMON="$WORK/ocxlpmemd-in-testbed"
}

tb_out() {
	local reply
	reply=$(printf '%s\n' "$*" | socat -t 5 - UNIX-CONNECT:"$TB_SOCK") ||
		fail "test bed: no answer to '$*'"
	case $reply in
	ok*) printf '%s\n' "${reply#ok}" | sed 's/^ //' ;;
	*) fail "test bed: '$*': $reply" ;;
	esac
}

tb() {
	tb_out "$@" >/dev/null
}

# The card's backend id ("nmem3"; null while absent).
backend_of() {
	card_field "$1" backend_id
}

polls_of() {
	ctl --json show "$1" | jq '.card.polls[0].total'
}
