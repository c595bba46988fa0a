#!/bin/sh
# Idle false alerts: runs `kpulse analyze` over the whole host for SECONDS
# (default 600) with nothing injected, then counts the alerts that fired.
# Alerts on cgroups that other test runs create (kpt-*, kp-*, kpulse-bench*)
# are counted apart: on a shared machine they are other sessions' injected
# load, real but not idle noise. Needs root (BPF).
#   bench/analytics/idle_alerts.sh [SECONDS] [KPULSE_BINARY]
set -eu
secs=${1:-600}
kpulse=${2:-build/userspace/kpulse}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$kpulse" analyze --duration "$secs" --json >"$out"
python3 - "$out" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
test = re.compile(r"cgroup:/(kpt-|kp-|kpulse-bench)")
fired = [a for a in d["alert_history"] if a["state"] == "firing"]
injected = [a for a in fired if test.match(a["component"]) or test.match(a.get("cause") or "")]
other = [a for a in fired if a not in injected]
print(f"duration_s={d['duration_s']:.0f} fired={len(fired)} "
      f"on_other_sessions_test_cgroups={len(injected)} unexplained={len(other)}")
for a in other:
    print("  unexplained:", a["summary"])
for a in injected:
    print("  test load:  ", a["summary"])
PY
