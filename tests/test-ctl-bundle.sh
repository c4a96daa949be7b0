#!/bin/bash
# ocxlpmemctl support-bundle writes its archive safely: never through a
# symlink planted at the temporary's or the target's name, mode 0600, a
# name too long for the file system refused rather than truncated, and no
# temporary left when SIGTERM, SIGINT or SIGHUP interrupts it, both with
# O_TMPFILE and with its named fallback (tests/tools/no-tmpfile.so makes
# O_TMPFILE fail as on a file system without it).
. "$(dirname "$0")/lib-daemon.sh"

SHIM="$top_builddir/tests/tools/no-tmpfile.so"
[ -f "$SHIM" ] || fail "$SHIM is missing (make check builds it)"

start_daemon --simulate=2
OUT="$WORK/out"
mkdir "$OUT"

mode_of() { stat -c %a "$1"; }
entries() { ls -A "$OUT" | tr '\n' ' '; }
is_bundle() { tar tzf "$1" | grep -q '/manifest.json$'; }

check "a bundle is written" ctl support-bundle "$OUT/plain.tar.gz"
check "it is an archive with a manifest" is_bundle "$OUT/plain.tar.gz"
check "it is readable only by its owner (0600)" test "$(mode_of "$OUT/plain.tar.gz")" = 600
check "nothing else is left beside it" test "$(entries)" = "plain.tar.gz "
rm -f "$OUT"/*

# Symlinks planted at the old temporary name and at the target itself.
echo precious > "$WORK/victim1"
echo precious > "$WORK/victim2"
ln -s "$WORK/victim1" "$OUT/b.tar.gz.tmp"
ln -s "$WORK/victim2" "$OUT/b.tar.gz"
check "a bundle beside planted symlinks is written" ctl support-bundle "$OUT/b.tar.gz"
check "the symlink at FILE.tmp was not followed" test "$(cat "$WORK/victim1")" = precious
check "the symlink at FILE was not followed" test "$(cat "$WORK/victim2")" = precious
check "FILE is now the archive itself, not a link" \
	sh -c "test -f '$OUT/b.tar.gz' && ! test -L '$OUT/b.tar.gz'"
check "it is an archive, mode 0600" \
	sh -c "tar tzf '$OUT/b.tar.gz' >/dev/null && test \$(stat -c %a '$OUT/b.tar.gz') = 600"
check "the planted FILE.tmp symlink is still there, still a link" test -L "$OUT/b.tar.gz.tmp"
rm -f "$OUT"/*

# Names: NAME_MAX counts the temporary's suffix .tmp.XXXXXX (11 bytes).
name_max=$(getconf NAME_MAX "$OUT")
fits=$(printf 'n%.0s' $(seq $((name_max - 11))))
check "a name that fits with the suffix is written" ctl support-bundle "$OUT/$fits"
check "under exactly that name" test -f "$OUT/$fits"
rm -f "$OUT"/*
too_long=(
	"$OUT/${fits}x"
	"$OUT/$(printf 'n%.0s' $(seq "$name_max"))"
	"$OUT/$(printf './%.0s' $(seq 2100))bundle.tar.gz"
)
for name in "${too_long[@]}"; do
	rc=0
	ctl support-bundle "$name" 2> "$WORK/err" || rc=$?
	check "a ${#name}-byte name is refused as a usage error" test "$rc" = 64
	check "saying it is too long" grep -q "name is too long" "$WORK/err"
	check "and nothing is written" test -z "$(entries)"
done

check "no name: ocxlpmem-support-TIME.tar.gz here, 0600" sh -c "
	cd '$OUT' && '$CTL' --address 'unix:$SOCK' support-bundle >/dev/null &&
	f=\$(ls) && case \$f in ocxlpmem-support-*Z.tar.gz) ;; *) exit 1 ;; esac &&
	test \$(stat -c %a \"\$f\") = 600"
rm -f "$OUT"/*

check "the fallback (no O_TMPFILE) writes a bundle too" \
	env LD_PRELOAD="$SHIM" "$CTL" --address "unix:$SOCK" support-bundle "$OUT/f.tar.gz"
check "an archive, mode 0600, nothing else left" sh -c "
	tar tzf '$OUT/f.tar.gz' >/dev/null && test \$(stat -c %a '$OUT/f.tar.gz') = 600 &&
	test \"\$(ls -A '$OUT')\" = f.tar.gz"
rm -f "$OUT"/*

# Interrupted while waiting for a daemon that takes the request and never
# answers: the archive is open by then.
SLOW="$WORK/slow.sock"
SLOW_PID=
CLEANUP_EXTRA='[ -z "$SLOW_PID" ] || kill "$SLOW_PID" 2>/dev/null'
interrupt() {
	local sig=$1 preload=$2 pid rc=0
	rm -f "$SLOW" "$WORK/request"
	socat -u UNIX-LISTEN:"$SLOW" CREATE:"$WORK/request" 2>/dev/null &
	SLOW_PID=$!
	wait_for 5 test -S "$SLOW"
	# Background jobs of a script ignore SIGINT: give it back its default.
	env --default-signal="$sig" LD_PRELOAD="$preload" \
		"$CTL" --address "unix:$SLOW" support-bundle "$OUT/i.tar.gz" 2>/dev/null &
	pid=$!
	wait_for 5 test -s "$WORK/request"
	if [ -n "$preload" ]; then
		check "SIG$sig, fallback: the named temporary exists, 0600, while writing" \
			sh -c "f=\$(ls -A '$OUT') && case \$f in i.tar.gz.tmp.??????) ;; *) exit 1 ;; esac &&
			test \$(stat -c %a '$OUT'/\$f) = 600"
	else
		check "SIG$sig, O_TMPFILE: no name in the directory while writing" test -z "$(entries)"
	fi
	kill -"$sig" "$pid"
	wait "$pid" || rc=$?
	check "SIG$sig${preload:+, fallback}: ocxlpmemctl died of the signal" \
		test "$rc" = $((128 + $(kill -l "$sig")))
	check "SIG$sig${preload:+, fallback}: no temporary is left" test -z "$(entries)"
	kill "$SLOW_PID" 2>/dev/null || true
	wait "$SLOW_PID" 2>/dev/null || true
	SLOW_PID=
}
for sig in TERM INT HUP; do
	interrupt "$sig" ""
	interrupt "$sig" "$SHIM"
done

stop_daemon
echo "1..$CHECKS"
