#!/bin/bash
# Controller-dump collection throughput: ocxlpmemd collecting a simulated
# card's dump (DUMP_DATA chunks through the executor, the writer thread,
# SHA-256, fsync, rename, directory fsync, DUMP_COMPLETE) against dd writing
# the same bytes from the page cache with conv=fsync into the same
# directory, alternating, in the same run.  The card model answers at once
# ([simulator] realistic_latency = false): what is measured is the daemon.
#
# Usage: bench/dump-throughput.sh BUILDDIR [SIZE_MIB] [ROUNDS] [DIR]
#   (needs tests/tools/dump-verify: make check, or make tests/tools/dump-verify)
#   DIR: where both write (default: a new directory under $TMPDIR or /var/tmp,
#   which is on disk, unlike a tmpfs /tmp).
# Prints MB/s of each per round, the medians and their ratio (target >= 0.8),
# and a second baseline: dd while openssl hashes the same bytes (SHA-256,
# as the daemon must for every saved dump).
set -euo pipefail
build=$(cd "${1:?usage: dump-throughput.sh BUILDDIR [SIZE_MIB] [ROUNDS] [DIR]}" && pwd)
mib=${2:-256}
rounds=${3:-5}
base=${4:-${TMPDIR:-/var/tmp}}
size=$((mib * 1048576))
TMPDIR=$base
. "$(dirname "$0")/lib-bench.sh" "$build"
work=$WORK

cat > "$work/etc/ocxlpmemd.conf" <<EOF
[dumps]
max_per_card = 1000
max_bytes_per_card = 1T
max_bytes_total = 1T

[simulator]
realistic_latency = false
EOF
start_daemon --simulate=1
serial=$(ctl --json status | jq -r '.cards[0].serial')

# dd's source: the bytes of a dump, in the page cache (read once before).
"$build/tests/tools/dump-verify" --content "$serial" 1 "$size" > "$work/source"
cat "$work/source" > /dev/null
mkdir -p "$work/state/dumps/$serial"

now() { date +%s%N; }
if command -v openssl >/dev/null; then
	hasher="openssl dgst -sha256"
else
	hasher=sha256sum
fi
mbps() { echo "scale=1; $size * 1000 / $1" | bc; } # $1: ns elapsed
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "dump of $mib MiB, $rounds rounds, in $work (filesystem: $(df --output=fstype "$work" | tail -1))"
echo "hashing baseline: dd while $hasher reads the same bytes (tee)"
printf '%-6s %12s %12s %16s\n' round "ocxlpmemd" "dd" "dd+sha256"
run_daemon() {
	local t0 t1
	sync
	t0=$(now)
	ctl sim inject ocxlpmem0 controller-dump --size "$size" >/dev/null
	ctl dump --watch ocxlpmem0 >/dev/null 2>&1 || true
	# The collection may not have started when --watch asked: wait for its file.
	until [ "$(ctl --json dumps | jq '.dumps | length')" -ge "$1" ] &&
		[ "$(ctl --json dumps | jq '[.cards[] | select(.job != null)] | length')" = 0 ]; do
		sleep 0.005
	done
	t1=$(now)
	d_ns=$((t1 - t0))
}
run_dd() {
	local t0 t1
	sync
	t0=$(now)
	dd if="$work/source" of="$work/state/dumps/$serial/dd-$1" bs=64K conv=fsync status=none
	t1=$(now)
	dd_ns=$((t1 - t0))
	rm -f "$work/state/dumps/$serial/dd-$1"
	# A second baseline: the same copy while the bytes are hashed (every
	# saved dump carries its SHA-256), to show what hashing costs on this
	# machine.  openssl uses the CPU's SHA extensions as nettle does in the
	# daemon; coreutils' sha256sum does not, and would flatter us.
	sync
	t0=$(now)
	tee >($hasher > /dev/null) < "$work/source" |
		dd of="$work/state/dumps/$serial/dd-$1" bs=64K conv=fsync status=none
	t1=$(now)
	ddh_ns=$((t1 - t0))
	rm -f "$work/state/dumps/$serial/dd-$1"
}
# Alternate which goes first, so neither always finds the other's writeback.
for ((i = 1; i <= rounds; i++)); do
	if ((i % 2)); then
		run_daemon "$i"
		run_dd "$i"
	else
		run_dd "$i"
		run_daemon "$i"
	fi
	printf '%-6s %9s MB/s %9s MB/s %13s MB/s\n' "$i" "$(mbps "$d_ns")" "$(mbps "$dd_ns")" \
		"$(mbps "$ddh_ns")"
	echo "$d_ns" >> "$work/d.times"
	echo "$dd_ns" >> "$work/dd.times"
	echo "$ddh_ns" >> "$work/ddh.times"
done
dm=$(median < "$work/d.times")
ddm=$(median < "$work/dd.times")
ddhm=$(median < "$work/ddh.times")
echo "median: ocxlpmemd $(mbps "$dm") MB/s, dd $(mbps "$ddm") MB/s, dd+sha256 $(mbps "$ddhm") MB/s"
echo "ratio (ocxlpmemd / dd throughput): $(echo "scale=2; $ddm / $dm" | bc)"
echo "ratio (ocxlpmemd / dd+sha256 throughput): $(echo "scale=2; $ddhm / $dm" | bc)"
"$build/tests/tools/dump-verify" "$work"/state/dumps/"$serial"/*.ocxldump > /dev/null &&
	echo "all $rounds saved dumps verified byte-exact"
