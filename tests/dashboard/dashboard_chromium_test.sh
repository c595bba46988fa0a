#!/usr/bin/env bash
# The live dashboard in headless Chromium: a real `kpulse run --dashboard`
# with a CPU hog in a test cgroup; the page must show the hog's cgroup first
# in the CPU sort and an alert within a few intervals, open the alert's
# drill-down, and log no console errors (tests/dashboard/cdp_check.js).
# Keeps the daemon log, the screenshot and the browser log in ARTIFACT_DIR.
# Usage: dashboard_chromium_test.sh KPULSE_BINARY ARTIFACT_DIR [WIDTHxHEIGHT]
set -euo pipefail
kpulse=$1
artifacts=$2
here=$(cd "$(dirname "$0")" && pwd)
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]] || ! command -v node >/dev/null || ! command -v stress-ng >/dev/null; then
  echo "SKIP: needs chromium, node and stress-ng (scripts/setup-deps.sh --with-tests)"
  exit 77
fi
# The DevTools client uses Node's own WebSocket (Node >= 20.10 with the flag,
# 22 without): no npm package.
if ! node --experimental-websocket --no-warnings -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
  echo "SKIP: node $(node --version) has no built-in WebSocket (needs >= 20.10)"
  exit 77
fi
if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (kpulse run, a test cgroup)"
  exit 77
fi
mkdir -p "$artifacts"
work=$(mktemp -d)
cgroot=$(findmnt -t cgroup2 -n -o TARGET | head -1)
cg="$cgroot/kpulse-dashboard-$$"
daemon_pid="" browser_pid="" hog_pid=""
cleanup() {
  for pid in $hog_pid $browser_pid $daemon_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $hog_pid $browser_pid $daemon_pid; do wait "$pid" 2>/dev/null || true; done
  if [[ -d "$cg" ]]; then
    # stress-ng's workers leave with their parent; wait for them before rmdir.
    for _ in $(seq 50); do
      while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$cg/cgroup.procs"
      rmdir "$cg" 2>/dev/null && break
      sleep 0.2
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$work/kpulse.toml" <<TOML
[collection]
interval = 1.0
[daemon]
status_interval = 0
[state]
dir = "$work/state"
[record]
enabled = false
[prometheus]
enabled = true
listen = "127.0.0.1:0"
[dashboard]
enabled = true
TOML
env -u JOURNAL_STREAM "$kpulse" run --config "$work/kpulse.toml" 2>"$artifacts/dashboard-daemon.log" &
daemon_pid=$!
port=""
for _ in $(seq 120); do
  port=$(sed -n 's|.*dashboard: serving http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$artifacts/dashboard-daemon.log")
  [[ -n "$port" ]] && break
  kill -0 "$daemon_pid" 2>/dev/null || fail "kpulse run exited: $(cat "$artifacts/dashboard-daemon.log")"
  sleep 0.5
done
[[ -n "$port" ]] || fail "no dashboard port in the daemon log"
echo "dashboard on port $port"

mkdir "$cg"
# Four busy workers in the test cgroup: on two shared CPUs they lead every
# other non-root cgroup and saturate the host.
sh -c "echo \$\$ >'$cg/cgroup.procs' && exec stress-ng --cpu 4 --timeout 240 >/dev/null 2>&1" &
hog_pid=$!

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --disable-component-update --disable-sync --disable-extensions --remote-debugging-port=0 \
  --user-data-dir="$work/profile" about:blank 2>"$artifacts/dashboard-chromium.log" &
browser_pid=$!
devtools=""
for _ in $(seq 120); do
  [[ -s "$work/profile/DevToolsActivePort" ]] && devtools=$(head -1 "$work/profile/DevToolsActivePort") && break
  sleep 0.5
done
[[ -n "$devtools" ]] || fail "chromium did not open its DevTools port"

node --experimental-websocket --no-warnings "$here/cdp_check.js" "$devtools" \
  "http://127.0.0.1:$port/" "/kpulse-dashboard-$$" "$artifacts/dashboard.png" 150 "${3:-1400x1800}"
[[ "$(head -c 8 "$artifacts/dashboard.png" | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]] ||
  fail "screenshot is not a PNG"
echo "artifacts in $artifacts"
