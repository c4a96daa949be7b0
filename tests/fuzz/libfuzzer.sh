#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The one recipe behind every `make fuzz-NAME` target: build NAME with clang's
# libFuzzer and sanitizers, fuzz a scratch copy of its corpus for a while,
# and fail with the log's tail when libFuzzer finds a crash.
#
#   libfuzzer.sh --srcdir DIR --clang CLANG --seconds N NAME \
#                [--max-len N] [--dict FILE] -- COMPILER-ARGUMENTS...
#
# The corpus is DIR/tests/fuzz/corpus/NAME; the binary and the log are
# tests/fuzz/NAME-libfuzzer{,.log} in the build tree, crashes
# tests/fuzz/NAME-crash-*.  A crash is fixed, then its input is added to
# the corpus (and to the corpus list in the target's .am fragment), so
# make check replays it for ever.
set -u

srcdir= clang= seconds=30 max_len= dict=
while [ $# -gt 0 ]; do
	case $1 in
	--srcdir) srcdir=$2; shift 2 ;;
	--clang) clang=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--max-len) max_len=$2; shift 2 ;;
	--dict) dict=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "libfuzzer.sh: unknown option $1" >&2; exit 2 ;;
	*) name=$1; shift ;;
	esac
done
if [ -z "${name:-}" ] || [ -z "$srcdir" ]; then
	echo "usage: libfuzzer.sh --srcdir DIR --clang CLANG --seconds N NAME [--max-len N] [--dict F] -- ARGS" >&2
	exit 2
fi
if [ -z "$clang" ]; then
	echo "make $name needs clang with libFuzzer: install the Debian package clang" >&2
	exit 1
fi

bin=tests/fuzz/$name-libfuzzer
log=$bin.log
mkdir -p tests/fuzz || exit 1
echo "  CLANG    $bin"
"$clang" -o "$bin" "$@" || exit 1

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
cp "$srcdir/tests/fuzz/corpus/$name"/* "$work"/ || exit 1

set -- -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="tests/fuzz/$name-"
[ -n "$max_len" ] && set -- "$@" -max_len="$max_len"
[ -n "$dict" ] && set -- "$@" -dict="$dict"

echo "  FUZZ     $name for $seconds s"
if ! "$bin" "$@" "$work" > "$log" 2>&1; then
	tail -n 40 "$log"
	echo "$name failed: see $log" >&2
	exit 1
fi
grep -E '^stat::number_of_executed_units' "$log" | sed "s/^/    $name: /"
exit 0
