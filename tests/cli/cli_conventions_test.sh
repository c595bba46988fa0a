#!/usr/bin/env bash
# The command-line conventions (issue 27), checked on the built binary:
# durations with units, exit status 2 with usage on every usage error, flag
# names, --version, completion generated from the CLI, config check on
# non-files, the state directory accepted where a recording is read, log
# timestamps, and docs that cannot drift from --help.
# Usage: cli_conventions_test.sh KPULSE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d /tmp/kpulse-cli-test.$$.XXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect_status WANT CMD...: runs CMD, keeps stdout/stderr in $work/out,err.
expect_status() {
  local want=$1
  shift
  timeout "${limit_s:-60}" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [[ $got == "$want" ]] || fail "exit $got (want $want): $* -- $(head -c 400 "$work/err")"
}
err_has() { grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1': $(head -c 400 "$work/err")"; }
out_has() { grep -qF -- "$1" "$work/out" || fail "stdout lacks '$1': $(head -c 400 "$work/out")"; }

# --- usage errors: status 2, the message and the usage line -------------
expect_status 2 "$bin" frobnicate
err_has "unknown command 'frobnicate'"
err_has "Usage:"
expect_status 2 "$bin"
err_has "Usage:"
expect_status 2 "$bin" config frob
err_has "unknown command 'frob'"
expect_status 2 "$bin" snapshot --no-such-flag
err_has "Usage: kpulse snapshot"
expect_status 2 "$bin" snapshot --interval 2parsecs
err_has "is not a duration"
# An export interval of 1 ms burned a whole core: the same floor as every collecting command.
expect_status 2 "$bin" export --prometheus 127.0.0.1:0 --interval 0.001 --no-bpf
err_has "not in range 0.05"
# Range messages are short: CLI11's own printed DBL_MAX (300 digits) around a
# value that looked inside it; "-1" for a count wrapped to 2^64-1 unchecked.
expect_status 2 "$bin" export --prometheus 127.0.0.1:0 --duration 0
err_has "must be greater than 0, not 0"
expect_status 2 "$bin" snapshot --no-bpf --processes -1
err_has "not in range 0 to"
expect_status 2 "$bin" top -n -1
err_has "not in range 0 to 100000000"
# The OTLP URL is checked as the config file's endpoint is.
expect_status 2 "$bin" export --otlp notaurl --no-bpf
err_has "is not an http:// or https:// URL"
expect_status 2 "$bin" snapshot --no-bpf --groups bogus
err_has 'unknown probe group "bogus"'
expect_status 2 "$bin" probes --groups sched,bogus
expect_status 2 "$bin" analyze --anomaly-scores
err_has "Usage: kpulse analyze"
expect_status 2 "$bin" tune --status --rollback
expect_status 2 "$bin" forecast --horizon 0
expect_status 0 "$bin" --help
expect_status 0 "$bin" snapshot --help

# --- durations: units everywhere a time span is taken --------------------
start=$(date +%s%N)
expect_status 0 "$bin" snapshot --no-bpf --interval 300ms --format json
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" || fail "--format json is not JSON"
# 300 ms, not 300 s (generous: the host is busy).
(( elapsed_ms < 30000 )) || fail "--interval 300ms took ${elapsed_ms} ms"
expect_status 0 "$bin" snapshot --no-bpf -i 0.2 --json
expect_status 0 "$bin" top --source synthetic --batch -n 2 -d 100ms --processes 5 --width 100
expect_status 0 "$bin" top --source synthetic --batch -n 1 -d 0.1 --max-processes 5 --width 100
"$bin" top --help | grep -q -- "--max-processes" && fail "the old --max-processes shows in --help"
for help in "snapshot --help" "analyze --help" "export --help" "tune --help" "top --help" \
  "verify --help"; do
  "$bin" $help | grep -q DURATION || fail "kpulse $help shows no DURATION option"
done

# verify compares one interval: units accepted, an out-of-range span is a usage error.
# (exit 1 would be a failed comparison on a busy host: only a usage error, 2, is wrong here)
timeout 60 "$bin" verify --no-bpf --duration 300ms >"$work/out" 2>"$work/err"
(( $? <= 1 )) || fail "verify --duration 300ms: $(head -c 400 "$work/err")"
expect_status 2 "$bin" verify --duration 2h

# --- version ---------------------------------------------------------------
for flag in -V --version; do
  expect_status 0 "$bin" $flag
  out_has "kpulse "
  out_has "(git "
  out_has "libbpf "
  out_has "kernel "
  out_has "btf "
done

# --- completion generated from the CLI --------------------------------------
"$bin" completion bash >"$work/kpulse.bash" || fail "completion bash"
bash -n "$work/kpulse.bash" || fail "completion bash: syntax"
complete_words() {  # WORDS...: what bash completion offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kpulse; echo "${COMPREPLY[*]}"' \
    _ "$work/kpulse.bash" "$@"
}
[[ $(complete_words kpulse sna) == snapshot ]] || fail "bash: 'kpulse sna' -> $(complete_words kpulse sna)"
[[ $(complete_words kpulse config ch) == check ]] || fail "bash: 'kpulse config ch'"
[[ " $(complete_words kpulse top --proc) " == *" --processes "* ]] || fail "bash: top --proc"
[[ " $(complete_words kpulse dump --fo) " == *" --format "* ]] || fail "bash: dump --fo"
# Every subcommand of --help is offered.
for cmd in $("$bin" --help | awk '/^Subcommands:/{on=1;next} on&&NF{print $1}'); do
  [[ " $(complete_words kpulse "") " == *" $cmd "* ]] || fail "bash completion lacks $cmd"
done
"$bin" completion zsh >"$work/_kpulse" || fail "completion zsh"
grep -q '^#compdef kpulse' "$work/_kpulse" || fail "zsh: no #compdef"
if command -v zsh >/dev/null; then zsh -n "$work/_kpulse" || fail "completion zsh: syntax"; fi

# --- config check: every error, and never a hang on a non-file -------------
printf '[collection]\ninterval = -1\nbogus = 1\n[nosuch]\n' >"$work/bad.toml"
expect_status 1 "$bin" config check --config "$work/bad.toml"
err_has "bad.toml:2:"
err_has "bad.toml:3:"
err_has "bad.toml:4:"
expect_status 1 "$bin" config check --config "$work"
err_has "is a directory"
mkfifo "$work/fifo"
expect_status 1 "$bin" config check --config "$work/fifo"
err_has "not a regular file"
expect_status 1 "$bin" config check --config /dev/zero
# A token file run cannot read is found by check, not at start.
printf '[dashboard]\nenabled = true\ntoken_file = "/nonexistent/token"\n' >"$work/token.toml"
expect_status 1 "$bin" config check --config "$work/token.toml"
err_has "dashboard.token_file"
expect_status 1 "$bin" run --no-bpf --config "$work"
err_has "is a directory"

# --- forecast: step timestamps and a header on request ---------------------
python3 -c 'print("timestamp,value"); [print(f"{1700000000+i*60},{i%10}") for i in range(200)]' >"$work/s.csv"
expect_status 0 "$bin" forecast --horizon 3 --input "$work/s.csv"
[[ $(wc -l <"$work/out") == 3 ]] || fail "forecast: default output is not 3 lines"
expect_status 0 "$bin" forecast --horizon 3 --input "$work/s.csv" --timestamps --header
[[ $(head -1 "$work/out") == "time point lo80 hi80 lo95 hi95" ]] || fail "forecast header: $(head -1 "$work/out")"
# The last row is at 1700000000 + 199 min: the first step is 200 min after it.
[[ $(sed -n 2p "$work/out") == "2023-11-15T01:33:20Z "* ]] || fail "forecast time: $(sed -n 2p "$work/out")"

# --- a short recording: log timestamps, dump/report/replay on the state dir -
cat >"$work/k.toml" <<TOML
[collection]
interval = 0.2
bpf = false
[state]
dir = "$work/state"
[prometheus]
enabled = false
[analytics]
enabled = false
TOML
if "$bin" config check --config "$work/k.toml" >/dev/null 2>"$work/err"; then
  env -u JOURNAL_STREAM "$bin" run --config "$work/k.toml" 2>"$work/run.log" &
  pids+=($!)
  for _ in $(seq 100); do
    sleep 0.2
    ls "$work"/state/recordings/*.kpr >/dev/null 2>&1 && (( $(stat -c %s "$work"/state/recordings/*full*.kpr 2>/dev/null | head -1) > 0 )) && break
  done
  sleep 1.5
  kill -TERM "${pids[0]}"
  wait "${pids[0]}"
  pids=()
  grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z kpulse: info: ' "$work/run.log" ||
    fail "run log lines carry no timestamp: $(head -3 "$work/run.log")"
  expect_status 0 "$bin" dump "$work/state"
  rows_state=$(wc -l <"$work/out")
  expect_status 0 "$bin" dump "$work/state/recordings"
  rows_dir=$(wc -l <"$work/out")
  (( rows_state > 1 && rows_state == rows_dir )) || fail "dump STATE_DIR: $rows_state rows vs $rows_dir"
  # Arithmetic noise shows as 16-17 significant digits (1.3099999999999454).
  python3 - "$work/out" <<'PY' || fail "dump prints float noise"
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    for v in (row["value"], row["delta"]):
        if "." in v and "e" not in v:
            digits = v.lstrip("-").replace(".", "").lstrip("0")
            if len(digits) > 15:
                sys.exit(f"noise: {row}")
PY
  expect_status 0 "$bin" dump "$work/state" --json
  expect_status 0 "$bin" report "$work/state" --no-analysis -o "$work/r.html"
  [[ -s "$work/r.html" ]] || fail "report STATE_DIR wrote nothing"
  # The analytics replays the recording: slow on a busy host.
  limit_s=240 expect_status 0 "$bin" analyze --recording "$work/state" --json
  expect_status 0 "$bin" replay "$work/state" --batch -n 1 --no-analysis --width 120
  out_has "[replay"
else
  fail "test config rejected: $(cat "$work/err")"
fi

# --- a short live analyze says why a section is empty ------------------------
# Three intervals are too few to label anything: the section says so rather
# than listing nothing under a count of idle components.
expect_status 0 "$bin" analyze --duration 3 --no-bpf
out_has "none yet: a component is labelled once it has"
grep -q "idle components not listed" "$work/out" && fail "empty patterns counted as idle"

# --- docs: every subcommand and flag of --help is documented ---------------
doc="$src/docs/kpulse.md"
man="$src/packaging/kpulse.8"
readme="$src/README.md"
subcommands=$("$bin" --help | awk '/^Subcommands:/{on=1;next} on&&NF{print $1}')
for cmd in $subcommands; do
  grep -q "kpulse $cmd" "$doc" || fail "docs/kpulse.md lacks subcommand $cmd"
  grep -q "kpulse $cmd" "$man" || fail "kpulse.8 lacks subcommand $cmd"
  subs=$("$bin" $cmd --help | awk '/^Subcommands:/{on=1;next} on&&NF{print $1}')
  for path in "$cmd" $(for s in $subs; do echo "$cmd:$s"; done); do
    for flag in $("$bin" ${path/:/ } --help | sed -n '/^Options:/,/^Subcommands:/p' |
                  grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | sed 's/^[ ,]*//' | sort -u); do
      grep -qF -- "$flag" "$doc" || fail "docs/kpulse.md lacks $path $flag"
      grep -qF -- "${flag//-/\\-}" "$man" || fail "kpulse.8 lacks $path $flag"
    done
  done
done
# The generated reference is current (scripts/update-docs.sh regenerates it).
"$bin" cli-reference markdown >"$work/ref.md"
python3 - "$doc" "$work/ref.md" <<'PY' || fail "docs/kpulse.md option reference is stale: run scripts/update-docs.sh"
import sys
doc, ref = open(sys.argv[1]).read(), open(sys.argv[2]).read()
b, e = "<!-- cli:begin -->\n", "<!-- cli:end -->"
sys.exit(0 if doc[doc.index(b) + len(b):doc.index(e)].strip() == ref.strip() else 1)
PY
# Every `key = value` README quotes for a config option is its default.
"$bin" config defaults >"$work/defaults.toml"
python3 - "$readme" "$work/defaults.toml" <<'PY' || fail "README quotes a config default that differs from 'kpulse config defaults'"
import re, sys
readme, defaults = open(sys.argv[1]).read(), open(sys.argv[2]).read()
keys = {}
for line in defaults.splitlines():
    m = re.match(r"^([a-z_]+) = (.+)$", line)
    if m:
        keys.setdefault(m.group(1), set()).add(m.group(2))
bad = []
for m in re.finditer(r"`(?:[a-z_.]+\.)?([a-z_]+) = ([^`]+)`", readme):
    # Only quotes the text calls defaults ("Retention defaults (...): `full_days = 3`");
    # `on_exit = "rollback"` in "unless ..." is an example, not a default.
    paragraph_start = readme.rfind("\n\n", 0, m.start())
    if "default" not in readme[paragraph_start:m.start()]:
        continue
    key, value = m.group(1), m.group(2).strip()
    if key in keys and len(keys[key]) == 1 and value not in keys[key]:
        bad.append(f"{key} = {value} (default {next(iter(keys[key]))})")
for b in bad:
    print("README:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

if ((failures)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "OK: CLI conventions"
