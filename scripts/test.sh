#!/usr/bin/env bash
# Builds kpulse and runs every test suite (unit and integration) with ctest.
# Installs missing Debian packages first (needs root, as the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh --with-tests
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
# Integration tests measure a real, possibly busy machine (alert latency,
# keep-or-revert judgements of the tuner): a failing test gets one more run,
# so a test that is really broken still fails and a scheduling hiccup does not.
ctest --test-dir build --output-on-failure --timeout 600 --repeat until-pass:2 "$@"
