#!/usr/bin/env python3
# Does one fault page once?  For every test group of the promtool rules
# tests named "pages once: ...", take the alerts that group expects to
# fire at each eval_time (promtool has checked that the rules produce
# exactly those, labels included), apply the inhibit_rules of an
# Alertmanager configuration the way Alertmanager does, and require that
# exactly one alert is left to notify.
#
#   inhibit-check.py RULES_TEST_YML ALERTMANAGER_YML
import re
import sys
from collections import defaultdict

import yaml

MATCHER = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$')


def parse_matcher(text):
    m = MATCHER.match(text)
    if not m:
        sys.exit(f"inhibit-check: cannot parse matcher {text!r}")
    name, op, value = m.groups()
    value = value.replace('\\"', '"').replace("\\\\", "\\")
    if op == "=":
        return lambda a: a.get(name, "") == value
    if op == "!=":
        return lambda a: a.get(name, "") != value
    rx = re.compile(value)
    if op == "=~":
        return lambda a: rx.fullmatch(a.get(name, "")) is not None
    return lambda a: rx.fullmatch(a.get(name, "")) is None


def load_rules(path):
    with open(path) as f:
        cfg = yaml.safe_load(f)
    rules = []
    for r in cfg.get("inhibit_rules") or []:
        for old in ("source_match", "target_match", "source_match_re", "target_match_re"):
            if old in r:
                sys.exit(f"inhibit-check: {old} is deprecated, use *_matchers")
        rules.append((
            [parse_matcher(m) for m in r.get("source_matchers", [])],
            [parse_matcher(m) for m in r.get("target_matchers", [])],
            r.get("equal", []),
        ))
    if not rules:
        sys.exit(f"inhibit-check: no inhibit_rules in {path}")
    return rules


def inhibited(target, firing, rules):
    for source_m, target_m, equal in rules:
        if not all(m(target) for m in target_m):
            continue
        for s in firing:
            # An alert never inhibits itself (Alertmanager excludes it).
            if s is target or not all(m(s) for m in source_m):
                continue
            if all(s.get(l, "") == target.get(l, "") for l in equal):
                return True
    return False


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: inhibit-check.py RULES_TEST_YML ALERTMANAGER_YML")
    with open(sys.argv[1]) as f:
        tests = yaml.safe_load(f)
    rules = load_rules(sys.argv[2])
    failed = checked = 0
    for group in tests["tests"]:
        name = group.get("name", "")
        if not name.startswith("pages once:"):
            continue
        at = defaultdict(list)
        for t in group.get("alert_rule_test", []):
            for e in t.get("exp_alerts") or []:
                a = dict(e.get("exp_labels", {}))
                a["alertname"] = t["alertname"]
                at[str(t["eval_time"])].append(a)
        if not at:
            sys.exit(f"inhibit-check: '{name}' expects no alert at all")
        for when, firing in sorted(at.items()):
            left = [a for a in firing if not inhibited(a, firing, rules)]
            names = ", ".join(sorted(a["alertname"] for a in left)) or "nothing"
            checked += 1
            if len(left) == 1:
                print(f"ok - {name} at {when}: {len(firing)} firing, notifies {names}")
            else:
                failed += 1
                print(f"FAIL - {name} at {when}: {len(firing)} firing, notifies {names}")
    if not checked:
        sys.exit("inhibit-check: no 'pages once:' group found")
    sys.exit(1 if failed else 0)


main()
