# Shared by the dashboard benches: one `kpulse run --dashboard` as they
# measure it (1 s interval, analytics and BPF on, recording off, the
# listener on a free loopback port). Source it, then:
#   start_dashboard_daemon KPULSE DIR   starts it with DIR as its state; pid in DIR/pid
#   dashboard_port DIR                  waits for its listener; prints the port
start_dashboard_daemon() {
  local kpulse=$1 dir=$2
  mkdir -p "$dir"
  cat >"$dir/kpulse.toml" <<TOML
[collection]
interval = 1.0
[daemon]
status_interval = 0
[state]
dir = "$dir/state"
[record]
enabled = false
[prometheus]
listen = "127.0.0.1:0"
[dashboard]
enabled = true
TOML
  env -u JOURNAL_STREAM "$kpulse" run --dashboard --config "$dir/kpulse.toml" 2>"$dir/daemon.log" &
  echo $! >"$dir/pid"
}

dashboard_port() {
  local port=""
  for _ in $(seq 120); do
    port=$(sed -n 's|.*dashboard: serving http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$1/daemon.log")
    [[ -n "$port" ]] && break
    sleep 0.5
  done
  [[ -n "$port" ]] || { cat "$1/daemon.log" >&2; return 1; }
  echo "$port"
}
