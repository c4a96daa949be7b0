# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The benchmarks' prologue: tests/lib-daemon.sh, the tests' own helpers (a
# scratch $WORK removed on exit, start_daemon awaiting READY=1, ctl,
# poll_now, the daemon's log on failure), pointed at BUILDDIR:
#
#   . "$(dirname "$0")/lib-bench.sh" BUILDDIR
#
# What differs from the tests: the daemon runs as shipped, without the
# tests' check of every cached reply against a fresh render (which would
# cost each reply a render), and on the built-in defaults: the config file
# is empty unless the bench writes $WORK/etc/ocxlpmemd.conf itself before
# start_daemon.  $WORK is made under $TMPDIR (default /tmp).
# shellcheck disable=SC2034 # top_builddir, top_srcdir: for lib-daemon.sh
top_builddir=$(cd "${1:?usage: . lib-bench.sh BUILDDIR}" && pwd)
# shellcheck disable=SC2034
top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tests/lib-daemon.sh
. "$top_srcdir/tests/lib-daemon.sh"
export OCXLPMEMD_VERIFY_REPLY_CACHE=0
mkdir -p "$WORK/etc"
: > "$WORK/etc/ocxlpmemd.conf"
