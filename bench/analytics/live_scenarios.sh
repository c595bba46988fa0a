#!/usr/bin/env bash
# Live alert and recommendation scenarios the integration tests do not run:
# starts one scenario's load in its own cgroups (v1 mirrors on hybrid hosts,
# where the knobs live), runs `kpulse analyze` scoped to them for SECONDS
# (default 40; the load starts 5 s in), and prints each alert (seconds from
# the load's start to firing, cause) and each recommendation (knob, from ->
# to, expected gain). Needs root (BPF, cgroups, loop devices).
#   bench/analytics/live_scenarios.sh SCENARIO [SECONDS] [KPULSE_BINARY]
# SCENARIO: see bench/analytics/scenario_load.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:?scenario}
secs=${2:-40}
kpulse=${3:-build/userspace/kpulse}

tag=kpulse-bench-scn-$$
work=/var/tmp/$tag
. bench/analytics/scenario_load.sh
out=$(mktemp)
trap 'scenario_cleanup; rm -f "$out"' EXIT
setup_scenario "$scenario"

start_ns=$(($(date +%s%N) + 5000000000))
(sleep 5 && run_in "${load[0]}" "${load[1]}") &
"$kpulse" analyze --duration "$secs" --json -q "${scope[@]}" --history '' >"$out"
python3 - "$out" "$start_ns" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
start = int(sys.argv[2])
print("alerts:")
for a in d["alert_history"]:
    if a["state"] != "firing":
        continue
    t = (a["firing_ns"] - start) / 1e9
    print(f"  +{t:5.1f}s {a['severity']:8} {a['rule']} on {a['component']} ({a['basis']}); "
          f"cause {a['cause'] or '-'} {a['cause_processes'][:2]}; peak {a['peak_saturation']:.2f}")
    print("     ", a["summary"])
print("recommendations:")
for r in d["recommendations"]:
    k = r["knob"]
    print(f"  {r['scenario']}: {k['name']} of {k['cgroup'] or k['device'] or 'host'} "
          f"{r['current_value']!r} -> {r['proposed_value']!r}{' (advice only)' if r['advice_only'] else ''}"
          f" conf {r['confidence']:.2f}\n      path {k['path']}\n      gain: {r['expected_gain']}")
print("patterns:")
for p in d["patterns"]:
    print(f"  {p['component']}: {p['class']} ({p['evidence']})")
PY
