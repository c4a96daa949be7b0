#!/bin/bash
# Scrape throughput of ocxlpmemd's /metrics with 256 simulated cards,
# against nginx serving the same bytes as a static file, in the same run,
# with the same wrk load.  The daemon polls at the shortest intervals (5 s),
# so polls finish during the run and scrapes find the state changed; it is
# measured twice:
#   - periodic: those polls only;
#   - poked: besides, told to poll every card again every 20 ms (SIGUSR1),
#     so that a large share of the scrapes needs a fresh render.
# Reports requests/s of each, the ratio to nginx, and the renders during
# the run (ocxlpmem_exporter_renders_total) against the scrapes served.
# Usage: bench/scrape.sh BUILDDIR [CARDS] [SECONDS] [CONNECTIONS]
set -euo pipefail
build=$(cd "${1:?usage: scrape.sh BUILDDIR}" && pwd)
cards=${2:-256}
secs=${3:-10}
conns=${4:-16}
for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null || { echo "needs $tool (tests/install-deps.sh)"; exit 77; }
done
. "$(dirname "$0")/lib-bench.sh" "$build"
work=$WORK npid=
# shellcheck disable=SC2016 # expanded when the cleanup runs
CLEANUP_EXTRA='[ -z "$npid" ] || { kill "$npid" 2>/dev/null; wait "$npid" 2>/dev/null; }'
dport=$((20000 + RANDOM % 10000))
nport=$((dport + 1))

cat > "$work/etc/ocxlpmemd.conf" <<CONF
[poll]
health_interval = 5s
stats_interval = 5s
firmware_interval = 5s
CONF
start_daemon --simulate="$cards" --metrics-listen "127.0.0.1:$dport"
for _ in $(seq 100); do curl -sf "127.0.0.1:$dport/metrics" -o /dev/null && break; sleep 0.1; done
sleep 2
mkdir -p "$work/www"
# nginx's worker runs unprivileged: it must be able to read the file.
chmod 755 "$work" "$work/www"
curl -sf "127.0.0.1:$dport/metrics" -o "$work/www/metrics"

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $work/tmp;
	proxy_temp_path $work/tmp;
	fastcgi_temp_path $work/tmp;
	uwsgi_temp_path $work/tmp;
	scgi_temp_path $work/tmp;
	default_type text/plain;
	server {
		listen 127.0.0.1:$nport;
		root $work/www;
	}
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
npid=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$nport/metrics" -o /dev/null && break; sleep 0.1; done

# Requests/s and requests done, refusing a run with any error response:
# fast failures are not throughput.
rps() {
	local out
	out=$(wrk -t2 -c"$conns" -d"${secs}s" "$1")
	if grep -q "Non-2xx" <<< "$out"; then
		echo "error responses from $1:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk '/^Requests\/sec/ {r = $2} / requests in / {n = $1} END {print r, n}' <<< "$out"
}
renders() {
	curl -sf "127.0.0.1:$dport/metrics" | awk '/^ocxlpmem_exporter_renders_total/ {print $2}'
}

# One wrk run against the daemon; prints "REQ/S SCRAPES RENDERS".
measure() {
	local r0 r1 rate done
	r0=$(renders)
	read -r rate done < <(rps "http://127.0.0.1:$dport/metrics")
	r1=$(renders)
	# Each read of the counter may have rendered too: not the run's.
	echo "$rate $done $((r1 - r0 > 1 ? r1 - r0 - 1 : 0))"
}

read -r n _ < <(rps "http://127.0.0.1:$nport/metrics")
read -r d dn dr < <(measure)
( while kill -USR1 "$DAEMON_PID" 2>/dev/null; do sleep 0.02; done ) &
poker=$!
read -r p pn pr < <(measure)
kill "$poker" 2>/dev/null; wait "$poker" 2>/dev/null || true

echo "cards: $cards, body: $(wc -c < "$work/www/metrics") bytes, wrk -t2 -c$conns -d${secs}s"
echo "nginx static file (baseline): $n requests/s"
echo "ocxlpmemd, periodic polls:    $d requests/s, ratio to nginx $(echo "scale=3; $d / $n" | bc);" \
	"$dr renders for $dn scrapes ($(echo "scale=1; 100 * $dr / $dn" | bc)%)"
echo "ocxlpmemd, polls every 20 ms: $p requests/s, ratio to nginx $(echo "scale=3; $p / $n" | bc);" \
	"$pr renders for $pn scrapes ($(echo "scale=1; 100 * $pr / $pn" | bc)%)"
