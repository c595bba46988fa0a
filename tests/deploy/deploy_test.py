#!/usr/bin/env python3
"""Tests of the files under deploy/ against the real tools.

  deploy_test.py rules                 promtool check rules + promtool test rules
  deploy_test.py daemonset KPULSE_BIN  the DaemonSet parses, mounts every path and
                                       adds every capability docs/exporters.md
                                       lists; its kpulse.toml passes `kpulse config check`
  deploy_test.py dashboard KPULSE_BIN  a real `kpulse export` scraped by a real
                                       Prometheus on loopback: every PromQL of the
                                       Grafana dashboard parses and returns data

Exits non-zero with a message on the first failure. Temporary files and every
child process are removed on exit.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")
RULES = os.path.join(DEPLOY, "prometheus", "kpulse-alerts.yml")
RULE_TESTS = os.path.join(DEPLOY, "prometheus", "kpulse-alerts.test.yml")
DAEMONSET = os.path.join(DEPLOY, "kubernetes", "kpulse-daemonset.yaml")
DASHBOARD = os.path.join(DEPLOY, "grafana", "kpulse-fleet.json")
DOCS = os.path.join(ROOT, "docs", "exporters.md")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail("%s exited %d:\n%s%s" % (" ".join(argv), r.returncode, r.stdout, r.stderr))
    return r.stdout


def test_rules():
    if not shutil.which("promtool"):
        fail("promtool missing: scripts/setup-deps.sh --with-tests installs prometheus")
    out = run(["promtool", "check", "rules", RULES])
    print(out.strip())
    # Every alert must have at least one unit test that expects it to fire.
    alerts = [r["alert"] for g in yaml.safe_load(open(RULES))["groups"] for r in g["rules"]]
    tests = yaml.safe_load(open(RULE_TESTS))["tests"]
    fired = {t["alertname"] for g in tests for t in g.get("alert_rule_test", []) if t["exp_alerts"]}
    missing = sorted(set(alerts) - fired)
    if missing:
        fail("alerts without a firing unit test: %s" % ", ".join(missing))
    out = run(["promtool", "test", "rules", os.path.basename(RULE_TESTS)], cwd=os.path.dirname(RULE_TESTS))
    print(out.strip())
    print("rules: %d alerts, each with a firing unit test" % len(alerts))


def docs_table(marker):
    """Rows (first column, backquotes stripped) of the table after <!-- marker -->."""
    lines = open(DOCS).read().split("\n")
    try:
        i = lines.index("<!-- %s -->" % marker)
    except ValueError:
        fail("docs/exporters.md has no <!-- %s --> table" % marker)
    rows = []
    for line in lines[i + 1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cell = line.split("|")[1].strip()
        if cell.startswith("---") or cell.lower() in ("host path", "capability"):
            continue
        rows.append(cell.strip("`"))
    if not rows:
        fail("docs table %s is empty" % marker)
    return rows


def test_daemonset(kpulse_bin):
    docs = list(yaml.safe_load_all(open(DAEMONSET)))
    ds = next((d for d in docs if d and d.get("kind") == "DaemonSet"), None)
    if not ds:
        fail("no DaemonSet in " + DAEMONSET)
    pod = ds["spec"]["template"]["spec"]
    if not pod.get("hostPID"):
        fail("DaemonSet needs hostPID: true")
    container = next(c for c in pod["containers"] if c["name"] == "kpulse")
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounted = {}
    for m in container["volumeMounts"]:
        v = volumes.get(m["name"])
        if v is None:
            fail("volumeMount %s has no volume" % m["name"])
        if "hostPath" in v:
            mounted[v["hostPath"]["path"]] = m["mountPath"]
    for path in docs_table("kubernetes-mounts"):
        if path not in mounted:
            fail("docs list host path %s but the DaemonSet does not mount it" % path)
        if mounted[path] != path:
            fail("%s is mounted at %s; kpulse reads it at the same path" % (path, mounted[path]))
    added = set(container["securityContext"]["capabilities"]["add"])
    for cap in docs_table("kubernetes-capabilities"):
        if cap.removeprefix("CAP_") not in added:
            fail("docs list %s but the DaemonSet does not add it" % cap)
    limits = container.get("resources", {}).get("limits", {})
    if "cpu" not in limits or "memory" not in limits:
        fail("DaemonSet container needs cpu and memory limits")
    cm = next(d for d in docs if d and d.get("kind") == "ConfigMap")
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
        f.write(cm["data"]["kpulse.toml"])
        f.flush()
        print(run([kpulse_bin, "config", "check", "--config", f.name]).strip())
    print("daemonset: %d host mounts, %d capabilities as documented" % (len(mounted), len(added)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def query(port, expr):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": expr}))
    try:
        return http_json(url)
    except urllib.error.HTTPError as e:  # 400: the expression does not parse
        return json.loads(e.read() or b"{}")


def dashboard_exprs():
    dash = json.load(open(DASHBOARD))
    exprs = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            exprs.append((p["title"], t["expr"]))
    for v in dash["templating"]["list"]:
        if v.get("type") == "query":
            m = re.match(r"label_values\((.*),\s*(\w+)\)$", v["query"]["query"])
            exprs.append(("variable " + v["name"], m.group(1)))
    return exprs


def test_dashboard(kpulse_bin):
    if not shutil.which("prometheus"):
        fail("prometheus missing: scripts/setup-deps.sh --with-tests installs it")
    tmp = tempfile.mkdtemp(prefix="kpulse-deploy-%d-" % os.getpid())
    procs = []
    try:
        kport, pport = free_port(), free_port()
        kpulse = subprocess.Popen(
            [kpulse_bin, "export", "--prometheus", "127.0.0.1:%d" % kport, "--interval", "1",
             "--duration", "120"],
            stdout=open(os.path.join(tmp, "kpulse.out"), "w"),
            stderr=open(os.path.join(tmp, "kpulse.err"), "w"))
        procs.append(kpulse)
        shutil.copy(RULES, os.path.join(tmp, "rules.yml"))
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                    "rule_files: ['rules.yml']\n"
                    "scrape_configs:\n  - job_name: kpulse\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % kport)
        prom = subprocess.Popen(
            ["prometheus", "--config.file=" + os.path.join(tmp, "prometheus.yml"),
             "--storage.tsdb.path=" + os.path.join(tmp, "data"),
             "--web.listen-address=127.0.0.1:%d" % pport, "--log.level=warn"],
            cwd=tmp, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "prometheus.log"), "w"))
        procs.append(prom)

        # Disk I/O the latency heatmap can show: a file written and synced.
        with open(os.path.join(tmp, "io.bin"), "wb") as f:
            for _ in range(16):
                f.write(os.urandom(1 << 20))
                f.flush()
                os.fsync(f.fileno())

        deadline = time.time() + 60
        exprs = dashboard_exprs()
        empty = exprs
        while time.time() < deadline:
            time.sleep(2)
            if kpulse.poll() is not None or prom.poll() is not None:
                break
            try:
                results = [(t, e, query(pport, e.replace("$__rate_interval", "30s")
                                          .replace("$instance", ".*"))) for t, e in exprs]
            except OSError:
                continue  # prometheus not listening yet
            bad = [(t, e, r) for t, e, r in results if r.get("status") != "success"]
            if bad:
                fail("PromQL rejected by Prometheus:\n" +
                     "\n".join("%s: %s\n  %s" % (t, e, r.get("error")) for t, e, r in bad))
            empty = [(t, e) for t, e, r in results if not r["data"]["result"]]
            if not empty:
                break
        if kpulse.poll() is not None:
            fail("kpulse export exited: " + open(os.path.join(tmp, "kpulse.err")).read())
        if empty:
            fail("no data after 60 s for:\n" + "\n".join("%s: %s" % te for te in empty))
        print("dashboard: %d queries parse and return data" % len(exprs))
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) < 2:
        fail(__doc__)
    what = sys.argv[1]
    if what == "rules":
        test_rules()
    elif what == "daemonset" and len(sys.argv) == 3:
        test_daemonset(sys.argv[2])
    elif what == "dashboard" and len(sys.argv) == 3:
        test_dashboard(sys.argv[2])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
