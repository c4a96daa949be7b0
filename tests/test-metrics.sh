#!/bin/bash
# The Prometheus endpoint through the real daemon (4 simulated cards):
# promtool-clean exposition that follows injected faults, HEAD and the
# index page, refusal of other methods and paths, oversized requests, a
# connection cap that holds however long clients stay, a whole-request
# deadline against slow clients, and the shipped alerting rules.
. "$(dirname "$0")/lib-daemon.sh"

FLOOD="$top_builddir/tests/http-flood"

if ! command -v promtool >/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: promtool and curl are needed (Debian packages prometheus, curl)"
	exit 77
fi

# A free loopback port for this run.
PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"
# A short request deadline keeps the slow-client checks short.
write_test_config
printf '\n[metrics]\nrequest_timeout = 2s\n' >> "$WORK/etc/ocxlpmemd.conf"
start_daemon --simulate=4 --metrics-listen "127.0.0.1:$PORT"
wait_for 10 curl -sf "$URL/metrics"

metric() { curl -sf "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
# For wait_for: re-read the metric on every try.
metric_is() { [ "$(metric "$1")" = "$2" ]; }

check "rules file passes promtool" promtool check rules "$top_srcdir/config/prometheus/ocxlpmem.rules.yml"
check "exposition passes promtool" bash -c "curl -sf $URL/metrics | promtool check metrics"
check "content type 0.0.4" bash -c "curl -sfI $URL/metrics | grep -qi 'content-type: text/plain; version=0.0.4'"
check "every metric has HELP and TYPE" bash -c "
	curl -sf $URL/metrics > '$WORK/m'
	for n in \$(grep -v '^#' '$WORK/m' | sed 's/[{ ].*//' | sort -u); do
		grep -q \"^# HELP \$n \" '$WORK/m' && grep -q \"^# TYPE \$n \" '$WORK/m' || exit 1
	done"
check "four cards up" test "$(metric ocxlpmem_cards_present)" = 4
wait_for 10 metric_is 'ocxlpmem_card_health{card="ocxlpmem0",state="ok"}' 1
check "one info series per card" test "$(curl -sf "$URL/metrics" | grep -c '^ocxlpmem_card_info{')" -eq 4

# Values follow the cards.
ctl sim inject ocxlpmem0 temperature --celsius 95
poll_now
wait_for 10 metric_is 'ocxlpmem_card_temperature_celsius{card="ocxlpmem0"}' 95
check "temperature follows the card" test "$(metric 'ocxlpmem_card_temperature_celsius{card="ocxlpmem0"}')" = 95
check "health state-set follows" test "$(metric 'ocxlpmem_card_health{card="ocxlpmem0",state="critical"}')" = 1
check "latched alert exported" test "$(metric 'ocxlpmem_card_alert_active{card="ocxlpmem0",condition="temperature"}')" = 1
# One name for a condition: the metrics label, Varlink's condition members
# (with the older code and key beside them, the same value).
show0=$(ctl --json show ocxlpmem0)
check "Reason.condition is the metrics label" \
	jq -e '[.. | objects | select(has("level") and has("text")) | .condition] | index("temperature") != null' <<< "$show0"
check "Reason.condition equals its code" \
	jq -e '[.. | objects | select(has("level") and has("text")) | .condition == .code] | all' <<< "$show0"
check "Alert.condition equals its key" \
	jq -e '[.. | objects | select(has("since_usec") and has("reminders")) | .condition == .key] | (length > 0 and all)' <<< "$show0"
ctl sim inject ocxlpmem1 error-log --type data-loss
wait_for 10 metric_is 'ocxlpmem_card_error_log_entries_total{card="ocxlpmem1",type="data-loss"}' 1
check "error-log counter follows" \
	metric_is 'ocxlpmem_card_error_log_entries_total{card="ocxlpmem1",type="data-loss"}' 1
ctl sim inject ocxlpmem2 drop-smart-attribute --attribute 0xC2
poll_now
wait_for 10 metric_is 'ocxlpmem_card_temperature_celsius{card="ocxlpmem2"}' ""
check "unsupported temperature: no sample, not a number" \
	test -z "$(metric 'ocxlpmem_card_temperature_celsius{card="ocxlpmem2"}')"
ctl sim inject ocxlpmem3 hang --function smart
poll_now
wait_for 10 metric_is 'ocxlpmem_card_collector_up{card="ocxlpmem3"}' 0
check "collector_up drops for a hung card" metric_is 'ocxlpmem_card_collector_up{card="ocxlpmem3"}' 0
# No stale readings: while SMART cannot be read its values are absent,
# its last success is exported, and status shows no number either.
check "hung card: no temperature sample passed off as current" \
	test -z "$(metric 'ocxlpmem_card_temperature_celsius{card="ocxlpmem3"}')"
check "hung card: no life sample" \
	test -z "$(metric 'ocxlpmem_card_life_remaining_ratio{card="ocxlpmem3"}')"
check "hung card: when SMART last succeeded is exported" \
	test -n "$(metric 'ocxlpmem_card_reading_success_timestamp_seconds{card="ocxlpmem3",reading="smart"}')"
check "hung card: status shows no temperature" \
	test "$(ctl --json status | jq '.cards[] | select(.name == "ocxlpmem3") | .temperature_c')" = null
check "a readable card keeps its temperature" \
	test -n "$(metric 'ocxlpmem_card_temperature_celsius{card="ocxlpmem1"}')"
t0=$(date +%s%N)
curl -sf "$URL/metrics" >/dev/null
t1=$(date +%s%N)
check "a scrape does not wait on the hung card (<500 ms)" test $(((t1 - t0) / 1000000)) -lt 500
check "exposition still passes promtool" bash -c "curl -sf $URL/metrics | promtool check metrics"

# Jobs: a dump collected and a firmware update show in their counters.
ctl dump --wait ocxlpmem1 >/dev/null
check "dumps_saved_total follows" metric_is 'ocxlpmem_card_dumps_saved_total{card="ocxlpmem1"}' 1
check "dumps_stored_bytes follows (4 MiB)" \
	metric_is 'ocxlpmem_card_dumps_stored_bytes{card="ocxlpmem1"}' 4194304
check "no collection in progress after it" \
	metric_is 'ocxlpmem_card_dump_collection_in_progress{card="ocxlpmem1"}' 0
"$top_builddir/tests/fw-image" 1.1.0000 4096 "$WORK/fw.img"
# (--force: the data-loss entry above made ocxlpmem1 critical.)
ctl firmware-update --force ocxlpmem1 "$WORK/fw.img" >/dev/null 2>&1
check "firmware_updates_total{result=succeeded} follows" \
	metric_is 'ocxlpmem_card_firmware_updates_total{card="ocxlpmem1",result="succeeded"}' 1
# Every family served is documented in ocxlpmemd(8).
undocumented() {
	local f
	for f in $(curl -sf "$URL/metrics" | awk '$1 == "#" && $2 == "TYPE" { print $3 }'); do
		grep -qF "${f//_/\\_}" "$top_srcdir/man/ocxlpmemd.8.scd" || echo "$f"
	done
}
undoc=$(undocumented)
[ -z "$undoc" ] || echo "not in ocxlpmemd(8): $undoc" >&2
check "every metric family is in ocxlpmemd(8)" test -z "$undoc"

# Defensive HTTP.
# A scrape with params: (a query string) is still a scrape.
check "/metrics?x=1: 200" test "$(curl -s -o "$WORK/q" -w '%{http_code}' "$URL/metrics?x=1&y")" = 200
check "/metrics?x=1: the metrics" bash -c "promtool check metrics < '$WORK/q' && grep -q '^ocxlpmem_cards 4' '$WORK/q'"
# HEAD: the headers GET would send, Content-Length included, and no body.
curl -s -o "$WORK/get" "$URL/metrics"
curl -s -I -o /dev/null -D "$WORK/head" "$URL/metrics"
head_len=$(tr -d '\r' < "$WORK/head" | awk 'tolower($1) == "content-length:" { print $2 }')
check "HEAD Content-Length ($head_len) is the GET body's ($(wc -c < "$WORK/get"))" \
	test "$head_len" = "$(wc -c < "$WORK/get")"
check "HEAD sends no body" test "$(printf 'HEAD /metrics HTTP/1.0\r\n\r\n' |
	socat -t 2 - TCP:127.0.0.1:$PORT | sed -n '/^\r$/,$p' | wc -c)" -eq 2
# gzip when the scraper asks (Prometheus always does): the same exposition,
# compressed, with its own Content-Length and Vary; never when refused.
curl -s -H 'Accept-Encoding: gzip' -D "$WORK/gz.hdr" -o "$WORK/gz" "$URL/metrics"
check "gzip asked: Content-Encoding gzip" grep -qi '^content-encoding: gzip' "$WORK/gz.hdr"
check "gzip asked: Vary: Accept, Accept-Encoding" grep -qi '^vary: accept, accept-encoding' "$WORK/gz.hdr"
gz_len=$(awk 'tolower($1) == "content-length:" { print $2 + 0 }' "$WORK/gz.hdr")
check "gzip: Content-Length ($gz_len) is the compressed size" test "$gz_len" = "$(wc -c < "$WORK/gz")"
check "gzip: decompresses to an exposition promtool accepts" \
	bash -c "gzip -dc '$WORK/gz' | promtool check metrics"
check "gzip: the same families as the plain text" \
	test "$(gzip -dc "$WORK/gz" | grep '^# TYPE')" = "$(grep '^# TYPE' "$WORK/get")"
check "gzip: at least 5 times smaller" test $((gz_len * 5)) -lt "$(wc -c < "$WORK/get")"
curl -s -H 'Accept-Encoding: gzip;q=0, *' -D "$WORK/nogz.hdr" -o /dev/null "$URL/metrics"
check "gzip refused (q=0): plain text" bash -c "! grep -qi '^content-encoding' '$WORK/nogz.hdr'"
curl -s -D "$WORK/plain.hdr" -o /dev/null "$URL/metrics"
check "no Accept-Encoding: plain text, Vary still said" \
	bash -c "! grep -qi '^content-encoding' '$WORK/plain.hdr' && grep -qi '^vary: accept, accept-encoding' '$WORK/plain.hdr'"
check "no Accept-Encoding: Vary names Accept too" grep -qi '^vary: accept, accept-encoding' "$WORK/plain.hdr"

# OpenMetrics 1.0.0 when the scraper prefers it, as Prometheus does; the
# text format 0.0.4 otherwise.
PROM_ACCEPT='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
curl -s -H "Accept: $PROM_ACCEPT" -D "$WORK/om.hdr" -o "$WORK/om" "$URL/metrics"
check "Prometheus's Accept: OpenMetrics content type" \
	grep -qi '^content-type: application/openmetrics-text; version=1.0.0; charset=utf-8' "$WORK/om.hdr"
check "OpenMetrics: Vary: Accept, Accept-Encoding" grep -qi '^vary: accept, accept-encoding' "$WORK/om.hdr"
check "OpenMetrics: ends with # EOF" test "$(tail -n 1 "$WORK/om")" = "# EOF"
check "OpenMetrics: # EOF once" test "$(grep -c '^# EOF' "$WORK/om")" -eq 1
check "OpenMetrics: counter families named without _total" \
	bash -c "grep '^# TYPE .* counter\$' '$WORK/om' | grep -q . && ! grep -q '^# TYPE [^ ]*_total counter' '$WORK/om'"
check "OpenMetrics: every counter's samples end in _total" bash -c "
	for f in \$(awk '\$2 == \"TYPE\" && \$4 == \"counter\" { print \$3 }' '$WORK/om'); do
		grep -q \"^# HELP \$f \" '$WORK/om' || exit 1
		! grep -v '^#' '$WORK/om' | grep \"^\$f[{ ]\" | grep -q . || exit 1
	done"
check "OpenMetrics: the same samples as the text format" \
	test "$(grep -v '^#' "$WORK/om" | grep -v '^ocxlpmem_exporter_renders_total' | sort)" = \
	"$(curl -sf "$URL/metrics" | grep -v '^#' | grep -v '^ocxlpmem_exporter_renders_total' | sort)"
# Debian's python3-prometheus-client is for /usr/bin/python3, which a
# python3 earlier in PATH (pyenv, a venv) may not see.
om_python=
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
		om_python=$py
		break
	fi
done
if [ -n "$om_python" ]; then
	check "OpenMetrics: parses with prometheus_client's OpenMetrics parser" "$om_python" -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
counters = [f for f in fams if f.type == "counter"]
assert len(fams) > 20 and counters, (len(fams), len(counters))
assert all(s.name.endswith("_total") for f in counters for s in f.samples)
' "$WORK/om"
else
	echo "SKIP check: OpenMetrics parse (python3-prometheus-client is not installed)"
fi
curl -s -H "Accept: $PROM_ACCEPT" -H 'Accept-Encoding: gzip' -D "$WORK/omgz.hdr" -o "$WORK/omgz" "$URL/metrics"
check "OpenMetrics + gzip: Content-Encoding gzip" grep -qi '^content-encoding: gzip' "$WORK/omgz.hdr"
check "OpenMetrics + gzip: OpenMetrics content type" grep -qi '^content-type: application/openmetrics-text' "$WORK/omgz.hdr"
check "OpenMetrics + gzip: decompresses to the OpenMetrics text" \
	bash -c "gzip -dc '$WORK/omgz' | tail -n 1 | grep -qx '# EOF' &&
		test \"\$(gzip -dc '$WORK/omgz' | grep '^# TYPE')\" = \"\$(grep '^# TYPE' '$WORK/om')\""
# The other format's cached text stays what it is.
curl -s -H 'Accept: text/plain' -H 'Accept-Encoding: gzip' -D "$WORK/tgz.hdr" -o "$WORK/tgz" "$URL/metrics"
check "text + gzip after OpenMetrics + gzip: the text format" \
	bash -c "grep -qi '^content-type: text/plain; version=0.0.4' '$WORK/tgz.hdr' &&
		gzip -dc '$WORK/tgz' | promtool check metrics && ! gzip -dc '$WORK/tgz' | grep -q '^# EOF'"
curl -s -H 'Accept: text/plain' -D "$WORK/t.hdr" -o "$WORK/t" "$URL/metrics"
check "Accept: text/plain: the text format 0.0.4" grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/t.hdr"
check "Accept: text/plain: passes promtool, no # EOF" \
	bash -c "promtool check metrics < '$WORK/t' && ! grep -q '^# EOF' '$WORK/t'"
check "Accept: text/plain: counter families keep _total" \
	grep -q '^# TYPE ocxlpmem_card_polls_total counter' "$WORK/t"
check "no Accept: the text format 0.0.4" \
	bash -c "grep -qi '^content-type: text/plain; version=0.0.4' '$WORK/plain.hdr' && ! grep -q '^# EOF' '$WORK/get'"
check "index page links /metrics" bash -c "curl -sf $URL/ | grep -q 'href=\"/metrics\"'"
check "unknown path: 404" test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/debug")" = 404
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$URL/metrics")
check "POST: 405 ($code)" test "$code" = 405
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$URL/metrics")
check "oversized headers: 431 ($code)" test "$code" = 431
check "keep-alive: two scrapes on one connection" test "$(curl -s -o /dev/null -o /dev/null \
	-w '%{num_connects}' "$URL/metrics" "$URL/metrics" | tr -d '\n')" = 10

# A slow client (a header line every 0.7 s, never the end of its request)
# is closed at the 2 s deadline however busy it keeps the connection.
ms=$("$FLOOD" slow "$PORT" 700 8) || fail "a slow client was never closed"
check "slow client closed at the request deadline (after $ms ms)" test "$ms" -ge 1800 -a "$ms" -le 3500

# The connection cap (64 with this machine's descriptor limit) holds for
# as long as clients keep coming: 100 slow clients, reopened as they are
# closed, never give the daemon more than 64 connections.
cap=$(sed -n 's/.* \([0-9]*\) HTTP clients.*/\1/p' "$LOG" | head -n 1)
check "the log states the HTTP cap ($cap)" test -n "$cap"
sockets() { find "/proc/$DAEMON_PID/fd" -lname 'socket:*' 2>/dev/null | wc -l; }
base=$(sockets)
"$FLOOD" hold "$PORT" 100 4 > "$WORK/hold" &
hold_pid=$!
most=0
for _ in $(seq 20); do
	sleep 0.25
	n=$(($(sockets) - base))
	[ "$n" -le "$most" ] || most=$n
done
wait "$hold_pid"
check "100 clients over 4 s: at most $cap connections open (saw $most)" test "$most" -le "$cap"
check "the cap was reached" test "$most" -ge $((cap - 4))
check "clients past the cap were closed ($(cat "$WORK/hold"))" \
	test "$(awk '{ print $4 }' "$WORK/hold")" -ge 36
check "daemon log mentions the cap" grep -q "metrics: too many connections" "$LOG"
check "the refusals are rate-limited" test "$(grep -c "metrics: too many connections" "$LOG")" -le 5
wait_for 5 curl -sf "$URL/metrics"
check "after the flood, scrapes work" bash -c "curl -sf $URL/metrics | promtool check metrics"

stop_daemon 2
echo "$CHECKS passed, 0 failed"
