#!/usr/bin/env bash
# Runs a command with bench/overhead/block_request_check.bpf.c attached and
# prints, over the requests completed meanwhile, how far the kernel's issue
# stamp (request.io_start_time_ns) is from one taken at block_rq_issue, and
# how often the request's own cgroup (bio->bi_blkg->blkcg) is the
# submitter's cgroup2 cgroup taken at block_io_start (issue 22g).
#
#   bench/overhead/block_request_check.sh [BUILD_DIR] -- COMMAND...
#
# Needs block_io_start (6.5+), BTF and root; BUILD_DIR (default build) gives
# vmlinux.h and kpulse_object_attach.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$repo/build
if [[ ${1:-} != -- ]]; then build=$1; shift; fi
[[ ${1:-} == -- ]] && shift
out=$(mktemp -d)
attach=""
cleanup() {
  [[ -n $attach ]] && kill -INT "$attach" 2>/dev/null && wait "$attach" || true
  rm -rf "$out"
}
trap cleanup EXIT
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$build/bpf" -Wall -Werror \
  -c "$repo/bench/overhead/block_request_check.bpf.c" -o "$out/block_request_check.o"
"$build/bench/overhead/kpulse_object_attach" "$out/block_request_check.o:check_start,check_issue,check_complete" \
  >"$out/attach.log" 2>&1 &
attach=$!
for _ in $(seq 50); do grep -q check_complete "$out/attach.log" && break; sleep 0.1; done
grep -q check_complete "$out/attach.log" || { cat "$out/attach.log" >&2; exit 1; }
"$@" >/dev/null
bpftool map dump name block_re.bss -j | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]["formatted"]["value"][".bss"][0]["sums"]
n = v[0] or 1
def quantile(base, q):
    h = v[base:base + 32]; total = sum(h) or 1; acc = 0
    for i, c in enumerate(h):
        acc += c
        if acc >= q * total: return "<1" if i == 0 else f"<{1 << (i + 1)}"
print(f"timed requests {v[0]}, kernel stamps equal {v[1] / n:.1%}, not seen from the start {v[8]}, io_start_time_ns 0: {v[9]}")
print(f"queue mean: kernel stamps {v[2] / n / 1e3:.1f} us, own issue stamp {v[3] / n / 1e3:.1f} us")
print(f"device mean: kernel stamps {v[4] / n / 1e3:.1f} us, own issue stamp {v[5] / n / 1e3:.1f} us")
print(f"issue stamp gap: mean {v[6] / n / 1e3:.2f} us, over 10 us in {v[7] / n:.1%}")
for name, base in (("queue, kernel", 16), ("queue, own", 48), ("device, kernel", 80), ("device, own", 112)):
    print(f"  {name}: p50 {quantile(base, .5)} us, p99 {quantile(base, .99)} us")
seen = v[10] + v[11]
print(f"request cgroup = submitter cgroup2 id: {v[10]} of {seen}; other {v[11]}; no bio/blkg {v[12]}; blkcg on cgroup2 {v[13]}")
'
