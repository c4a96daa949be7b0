#!/bin/bash
# The shipped Prometheus alerting rules and Alertmanager inhibit rules:
# promtool unit tests of every alert (tests/prometheus/ocxlpmem.rules.test.yml:
# restarts (an offline card stays offline across one), a forgotten card,
# a hot card going offline, the daemon down under any job name,
# the daemon's data-loss window), every alert labelled for routing, the
# Alertmanager configuration accepted by amtool, and one page per fault
# once its inhibit rules are applied (tests/prometheus/inhibit-check.py).
set -euo pipefail

: "${top_srcdir:?run through make check (top_srcdir unset)}"

RULES="$top_srcdir/config/prometheus/ocxlpmem.rules.yml"
AM="$top_srcdir/config/prometheus/alertmanager.yml"
UNIT="$top_srcdir/tests/prometheus/ocxlpmem.rules.test.yml"
CHECKS=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

check() {
	local name=$1
	shift
	if ! "$@"; then
		fail "check '$name'"
	fi
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $name"
}

if ! command -v promtool >/dev/null; then
	echo "SKIP: promtool is needed (Debian package prometheus)"
	exit 77
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "SKIP: python3 with yaml is needed (Debian package python3-yaml)"
	exit 77
fi

# keep_firing_for needs Prometheus 2.42 or later: an older promtool
# rejects the file here rather than ignoring the field.
check "rules file passes promtool check rules" promtool check rules "$RULES"
check "promtool test rules" promtool test rules "$UNIT"

# Routing and inhibition key on these two labels; a rule without them
# would page past the inhibit rules.
unlabelled=$(python3 - "$RULES" <<'EOF'
import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        if "alert" not in r:
            continue
        l = r.get("labels", {})
        if l.get("severity") not in ("critical", "warning") or not l.get("condition"):
            print(r["alert"])
EOF
)
[ -z "$unlabelled" ] || echo "without severity/condition: $unlabelled" >&2
check "every alert has a severity and a condition" test -z "$unlabelled"

# Every alert is expected to fire in at least one unit test.
untested=$(python3 - "$RULES" "$UNIT" <<'EOF'
import sys, yaml
alerts = [r["alert"] for g in yaml.safe_load(open(sys.argv[1]))["groups"]
          for r in g["rules"] if "alert" in r]
fired = {t["alertname"] for g in yaml.safe_load(open(sys.argv[2]))["tests"]
         for t in g.get("alert_rule_test", []) if t.get("exp_alerts")}
print(" ".join(a for a in alerts if a not in fired))
EOF
)
[ -z "$untested" ] || echo "never seen firing in $UNIT: $untested" >&2
check "every alert is seen firing in a unit test" test -z "$untested"

# tests/install-deps.sh unpacks amtool there when it is not installed.
AMTOOL=${AMTOOL:-$(command -v amtool || echo /var/cache/ocxlpmemd-alertmanager/usr/bin/amtool)}
if [ -x "$AMTOOL" ]; then
	check "amtool check-config accepts the Alertmanager example" \
		"$AMTOOL" check-config "$AM"
else
	echo "# amtool not found (Debian package prometheus-alertmanager):" \
		"the Alertmanager syntax is checked by inhibit-check.py alone"
fi
check "one fault pages once under the inhibit rules" \
	python3 "$top_srcdir/tests/prometheus/inhibit-check.py" "$UNIT" "$AM"

echo "$CHECKS passed, 0 failed"
