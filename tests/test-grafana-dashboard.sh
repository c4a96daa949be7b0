#!/bin/bash
# The shipped Grafana dashboard (config/grafana/ocxlpmemd-dashboard.json)
# and alerting rules query only metrics the daemon serves: every
# ocxlpmem_* name in a panel's or a variable's query, and in a rule's
# expr, must be a family in the real daemon's /metrics (4 simulated
# cards).  A renamed or removed metric fails here, naming it.
. "$(dirname "$0")/lib-daemon.sh"

DASH="$top_srcdir/config/grafana/ocxlpmemd-dashboard.json"
RULES="$top_srcdir/config/prometheus/ocxlpmem.rules.yml"

if ! command -v curl >/dev/null; then
	echo "SKIP: curl is needed (Debian package curl)"
	exit 77
fi

check "dashboard is JSON" jq -e . "$DASH" >/dev/null
check "dashboard has a uid and a title" jq -e '.uid != null and .title != null' "$DASH" >/dev/null
# Provisioned dashboards must not depend on a data source's name.
# shellcheck disable=SC2016 # Grafana's variable, not the shell's
check "every query uses the datasource variable" jq -e \
	'[.. | objects | select(has("expr")) | .datasource.uid] | all(. == "${datasource}")' "$DASH" >/dev/null
check "unique panel ids" jq -e '[.panels[].id] | length == (unique | length)' "$DASH" >/dev/null

# Names queried: panel targets (expr) and query variables.
dashboard_names() {
	jq -r '(.. | objects | select(has("expr")) | .expr),
		(.templating.list[] | select(.type == "query") | .definition, .query.query)' "$1" |
		grep -o 'ocxlpmem_[A-Za-z0-9_:]*' | sort -u
}
rules_names() {
	# Comments and annotations dropped: what is left are the exprs.
	sed 's/#.*//' "$1" | grep -vE '^\s*(summary|description):' |
		grep -o 'ocxlpmem_[A-Za-z0-9_:]*' | sort -u
}

PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"
start_daemon --simulate=4 --metrics-listen "127.0.0.1:$PORT"
wait_for 10 curl -sf "$URL/metrics"
# Every family has a TYPE line, samples or not (alert_active has none
# while no condition is latched).
curl -sf "$URL/metrics" | awk '$1 == "#" && $2 == "TYPE" { print $3 }' | sort -u > "$WORK/served"
check "the daemon serves metric families" test -s "$WORK/served"

# Unknown names among $1's, one a line.
not_served() { comm -23 <(sort -u) "$WORK/served"; }

dashboard_names "$DASH" > "$WORK/dash"
check "the dashboard queries metrics ($(wc -l < "$WORK/dash") names)" test "$(wc -l < "$WORK/dash")" -ge 10
missing=$(not_served < "$WORK/dash")
[ -z "$missing" ] || echo "the dashboard queries metrics ocxlpmemd does not serve: $missing" >&2
check "every metric the dashboard queries is served" test -z "$missing"

rules_names "$RULES" > "$WORK/rules"
check "the rules query metrics ($(wc -l < "$WORK/rules") names)" test "$(wc -l < "$WORK/rules")" -ge 5
missing=$(not_served < "$WORK/rules")
[ -z "$missing" ] || echo "the alerting rules query metrics ocxlpmemd does not serve: $missing" >&2
check "every metric the alerting rules query is served" test -z "$missing"

# The check itself: a panel querying a name the daemon lacks is caught.
jq '.panels += [{"type": "stat", "id": 999, "targets": [{"refId": "A",
	"datasource": {"type": "prometheus", "uid": "${datasource}"},
	"expr": "sum(ocxlpmem_card_no_such_metric)"}]}]' "$DASH" > "$WORK/bad.json"
check "a panel with an unknown metric is caught" \
	test "$(dashboard_names "$WORK/bad.json" | not_served)" = ocxlpmem_card_no_such_metric

stop_daemon 2
echo "$CHECKS passed, 0 failed"
