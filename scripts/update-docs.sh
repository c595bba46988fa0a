#!/usr/bin/env bash
# Regenerates the parts of the docs that come from the code (the metrics
# reference in README.md) using a built kpulse binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${KPULSE_BIN:-build/userspace/kpulse}
table=$("$bin" metrics --markdown)
python3 - "$table" <<'PY'
import sys
readme = open("README.md").read()
b, e = "<!-- metrics:begin -->\n", "<!-- metrics:end -->"
i, j = readme.index(b) + len(b), readme.index(e)
open("README.md", "w").write(readme[:i] + sys.argv[1] + "\n" + readme[j:])
PY
