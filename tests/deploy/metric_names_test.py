"""The Prometheus rules and the Grafana dashboard read only what hale really exports.

Usage: metric_names_test.py HALE_BINARY SOURCE_DIR

Starts the real daemon on a config that has every kind of subject (a check with a latency
budget, a failing check, a service, a heartbeat that was pinged, a notifier with an alert in
its outbox), scrapes /metrics, and holds every metric name of deploy/prometheus/hale.rules.yml
and deploy/grafana/hale.json to it: a name must be exported by hale, or be a recording rule of
the rules file, or be Prometheus' own `up`. It also checks that the dashboard is well formed and
that hale.rules.test.yml proves every rule (each alert firing in some alert_rule_test, each
recording rule evaluated by some promql_expr_test).
"""
import json
import sys
import time
from pathlib import Path

import yaml

from deploy_common import exposition_names, fail, hale_daemon, http_get, free_port, promql_metric_names

HALE, SOURCE = sys.argv[1], Path(sys.argv[2])
RULES = SOURCE / "deploy/prometheus/hale.rules.yml"
RULES_TEST = SOURCE / "deploy/prometheus/hale.rules.test.yml"
DASHBOARD = SOURCE / "deploy/grafana/hale.json"
# Series that Prometheus makes itself for every target.
PROMETHEUS_OWN = {"up"}

CONFIG = f"""
[server]
listen = "127.0.0.1:{{PORT}}"
state_dir = "{{STATE_DIR}}"

[checks.self]
type = "tcp"
target = "127.0.0.1:{{PORT}}"
interval = "200ms"
latency_budget = {{ p95 = "1s", window = "1m" }}

[checks.closed]
type = "tcp"
target = "127.0.0.1:{free_port()}"
interval = "200ms"
failure_threshold = 1
critical = false

[services.sleeper]
command = ["/bin/sleep", "600"]

[heartbeats.job]
period = "1h"
grace = "10m"

[notifiers.nowhere]
type = "webhook"
url = "http://127.0.0.1:{free_port()}/hook"

[[alerts]]
match = ["*"]
notify = ["nowhere"]
"""


def scrape():
    with hale_daemon(HALE, CONFIG) as base:
        status, _ = http_get(base + "/ping/job")
        if status != 200:
            fail(f"/ping/job answered {status}")
        # Until the failing check has turned fail and its alert is waiting for the receiver
        # (bounded: 20 s at most), so that every family has series.
        for _ in range(200):
            page = http_get(base + "/metrics")[1]
            if 'hale_alerts_pending{notifier="nowhere"} 0' not in page and "hale_alerts_pending{" in page:
                return page
            time.sleep(0.1)
        fail("no alert became pending within 20 s; the last /metrics was:\n" + page)


def rule_exprs(rules):
    """(where, expr) of every rule, and the names of the recording rules."""
    exprs, recorded = [], set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("record") or rule.get("alert")
            exprs.append((f"rule {name}", rule["expr"]))
            if "record" in rule:
                recorded.add(rule["record"])
    return exprs, recorded


def dashboard_exprs(dash):
    """(where, expr) of every panel target (rows' nested panels too) and templating query."""
    exprs, ids = [], []

    def walk(panels):
        for p in panels:
            ids.append(p.get("id"))
            for field in ("type", "title", "gridPos"):
                if field not in p:
                    fail(f"dashboard panel {p.get('id')} has no {field}")
            for t in p.get("targets", []):
                exprs.append((f"panel {p['title']!r} target {t.get('refId')}", t["expr"]))
            walk(p.get("panels", []))

    walk(dash["panels"])
    if len(ids) != len(set(ids)):
        fail(f"dashboard panel ids repeat: {ids}")
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            exprs.append((f"variable ${v['name']}", q))
    return exprs


def main():
    rules = yaml.safe_load(RULES.read_text())
    dash = json.loads(DASHBOARD.read_text())
    exprs, recorded = rule_exprs(rules)
    exprs += dashboard_exprs(dash)

    exported = exposition_names(scrape())
    problems = []
    for where, expr in exprs:
        names = promql_metric_names(expr)
        if not names:
            problems.append(f"{where}: no metric name found in {expr!r}")
        for name in sorted(names):
            if name in exported or name in PROMETHEUS_OWN:
                continue
            if ":" in name:
                if name not in recorded:
                    problems.append(f"{where}: {name} is not a recording rule of {RULES.name}")
                continue
            problems.append(f"{where}: hale does not export {name}")

    # Every rule is proven in hale.rules.test.yml.
    tests = yaml.safe_load(RULES_TEST.read_text())["tests"]
    fired = {a["alertname"] for t in tests for a in t.get("alert_rule_test", []) if a.get("exp_alerts")}
    evaluated = set()
    for t in tests:
        for e in t.get("promql_expr_test", []):
            evaluated |= promql_metric_names(e["expr"])
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" in rule and rule["alert"] not in fired:
                problems.append(f"alert {rule['alert']} never fires in {RULES_TEST.name}")
            if "record" in rule and rule["record"] not in evaluated:
                problems.append(f"recording rule {rule['record']} is never evaluated in {RULES_TEST.name}")

    if problems:
        fail("\n".join(problems))
    print(f"ok: {len(exprs)} expressions ({len(recorded)} recording rules), every name exported by hale "
          f"({len(exported)} names on /metrics) or recorded; every rule proven in {RULES_TEST.name}")


main()
