#!/usr/bin/env bash
# Compiles the sched and block BPF programs of another revision, for
# `bench/run --sections paired --before-objects DIR`.
#
#   bench/overhead/build_objects.sh REV OUT_DIR [BUILD_DIR]
#
# The sources come from `git show REV:bpf/...`; vmlinux.h from BUILD_DIR/bpf
# (default build), with the same flags as cmake/Bpf.cmake. The objects keep
# their compiled-in `const volatile` knobs (kpulse_object_attach sets none):
# KNOBS="kp_rq_stamps=true kp_issue_stamp=true" sets those the loader would
# set on this kernel (`kpulse probes` shows its choices) in the sources first.
set -euo pipefail
rev=$1 out=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${3:-$repo/build}
mkdir -p "$out/bpf"
for f in $(git -C "$repo" ls-tree --name-only "$rev" bpf/); do
  git -C "$repo" show "$rev:$f" >"$out/$f"
done
for knob in ${KNOBS:-}; do
  name=${knob%%=*} value=${knob#*=}
  sed -i -E "s/^(const volatile [a-z_0-9 ]+ $name = )[^;]+;/\1$value;/" "$out"/bpf/*.bpf.c
done
for group in sched block; do
  clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$build/bpf" -I"$out/bpf" \
    -Wall -Werror -Wno-unused-function -c "$out/bpf/$group.bpf.c" -o "$out/$group.bpf.o"
done
echo "$out/sched.bpf.o $out/block.bpf.o"
