#!/bin/bash
# The main job, on a fresh Debian 12: install what is needed, build, run
# ocxlpmemd with four simulated cards and ask it questions with ocxlpmemctl.
#
#   ./demo.sh          the walk-through below, then the daemon stops
#   ./demo.sh --keep   leave the daemon running (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)

./tests/install-deps.sh
# Always make: a no-op when the build is current, and never a stale binary.
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p build
(cd build && { [ -f Makefile ] || "$top/configure" -q; } && make -j"$(nproc)" -s &&
	make -s tests/fw-image) # the tests' firmware image maker, for the update below

demo=$(mktemp -d "${TMPDIR:-/tmp}/ocxlpmemd-demo.XXXXXX")
port=$((20000 + RANDOM % 20000))
ctl() { echo "\$ ocxlpmemctl $*"; build/client/ocxlpmemctl --address "unix:$demo/run/ocxlpmemd.sock" "$@" || true; echo; }

build/daemon/ocxlpmemd --simulate=4 --log-target=stderr --state-dir="$demo/state" \
	--runtime-dir="$demo/run" --metrics-listen="127.0.0.1:$port" 2> "$demo/daemon.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$demo"' EXIT
for _ in $(seq 50); do [ -S "$demo/run/ocxlpmemd.sock" ] && break; sleep 0.1; done
sleep 1

echo "ocxlpmemd is running with 4 simulated cards (state in $demo)."
echo
ctl status
ctl sim inject ocxlpmem2 temperature --celsius 91
ctl sim inject ocxlpmem1 error-log --type data-loss
kill -USR1 "$pid" # poll every card now
sleep 1
ctl status
ctl errors ocxlpmem1
echo "Alerts the daemon raised (journald gets them with MESSAGE_IDs when it runs):"
grep "ALERT" "$demo/daemon.log" | grep -v card-discovered | sed 's/^/  /'
echo
ctl sim inject ocxlpmem2 temperature
kill -USR1 "$pid"
sleep 1
ctl status
echo "A card announces a controller dump; the daemon collects it, saves it whole, then tells the card:"
ctl sim inject ocxlpmem3 controller-dump --size 33554432
ctl dump --watch ocxlpmem3
ctl dumps
echo "A user asks for one (host-initiated) and waits for it:"
ctl dump --wait ocxlpmem0
echo "A firmware update from an image file, as a job with progress:"
build/tests/fw-image 1.1.0000 65536 "$demo/fw.img"
ctl firmware-update ocxlpmem0 "$demo/fw.img"
ctl firmware ocxlpmem0
echo "\$ curl -s 127.0.0.1:$port/metrics | grep temperature_celsius"
curl -s "127.0.0.1:$port/metrics" | grep "^ocxlpmem_card_temperature_celsius" || true
echo

if [ "${1:-}" = "--keep" ]; then
	echo "The daemon keeps running: build/client/ocxlpmemctl --address unix:$demo/run/ocxlpmemd.sock status"
	echo "Ctrl-C stops it."
	wait "$pid"
fi
