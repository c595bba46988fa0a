#!/usr/bin/env bash
# Installs missing Debian packages, builds kpulse, and starts the live view.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target kpulse
if ./build/userspace/kpulse --help 2>/dev/null | grep -qE '^\s+top\b'; then
  exec ./build/userspace/kpulse top "$@"
fi
exec ./build/userspace/kpulse snapshot "$@"
