#!/usr/bin/env bash
# Whether recommendations do what their expected gain says: for each
# scenario of bench/analytics/scenario_load.sh, sets its load running, waits
# for the recommendation the scenario calls for, then kpulse_recommend_outcome
# turns that knob between the recommended and the original value in
# alternating blocks and prints the measured signal beside the prediction.
# Needs root (BPF, cgroups, loop devices) and a built tree.
#   bench/analytics/recommend_outcome.sh [--block N] [--rounds N] [BUILD_DIR] SCENARIO...
set -euo pipefail
cd "$(dirname "$0")/../.."
args=()
while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do args+=("$1" "$2"); shift 2; done
build=build
[ -d "${1:-}" ] && { build=$1; shift; }
[ $# -gt 0 ] || set -- chronic chronic-hog quotafit cfsquota readstorm memlimit oomloop
outcome=$build/bench/kpulse_recommend_outcome
[ -x "$outcome" ] || { echo "build $outcome first (ninja -C $build kpulse_recommend_outcome)" >&2; exit 2; }

for scenario in "$@"; do
  (
    tag=kpulse-bench-out-$$-$scenario
    work=/var/tmp/$tag
    . bench/analytics/scenario_load.sh
    trap scenario_cleanup EXIT
    setup_scenario "$scenario"
    run_in "${load[0]}" "${load[1]}"
    echo "== $scenario ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"
    "$outcome" "${args[@]}" --scenario "$scenario_rule" "$target" || true
  )
done
