#!/usr/bin/env bash
# Installs the Debian 12 packages kpulse needs to build, run and test.
# Idempotent: packages already present are not reinstalled, apt is only
# touched when something is missing.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
  libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libncurses-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  libcurl4-openssl-dev libcpp-httplib-dev libcap-dev libssl-dev
  libclang-rt-14-dev  # libFuzzer and the sanitizers for tests/fuzz
)

# Real peers and workloads used by the integration tests.
test_packages=(
  stress-ng fio iperf3 nftables iproute2 util-linux tmux procps prometheus
  chromium lintian python3-yaml linux-perf
  libbpf-tools  # runqlat: the run-queue latency peer of ProbesIntegration
  golang-go  # go tool pprof reads the profiler's pprof output in its test
  nodejs  # the dashboard's DevTools test client (built-in WebSocket: Node >= 20.10)
  clang-format clang-tidy  # scripts/lint.sh (the style_clang_format test)
)

# vmtest/run: boots the integration tests under another kernel in QEMU.
# cpio/kmod build the initramfs (modules come from the kernel .deb itself).
vmtest_packages=(
  qemu-system-x86 busybox-static cpio kmod
)

# Peers and workloads of the overhead benchmark (bench/run).
bench_packages=(
  libbpf-tools linux-perf fio iperf3 util-linux procps
)

want=("${build_packages[@]}")
for arg in "$@"; do
  case "$arg" in
    --with-tests) want+=("${test_packages[@]}") ;;
    --with-vmtest) want+=("${test_packages[@]}" "${vmtest_packages[@]}") ;;
    --with-bench) want+=("${bench_packages[@]}") ;;
    *) echo "setup-deps: unknown option '$arg' (--with-tests, --with-vmtest, --with-bench)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup-deps: all ${#want[@]} packages present"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "setup-deps: missing packages: ${missing[*]}" >&2
  echo "setup-deps: run as root (or with sudo) to install them" >&2
  exit 1
fi

echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
