#!/usr/bin/env bash
# Regenerates the parts of the docs that come from the code, using a built
# kpulse binary: the metrics reference in README.md, the exported names in
# docs/exporters.md (kpulse_export_names), the option reference in
# docs/kpulse.md and the SYNOPSIS and OPTIONS of packaging/kpulse.8.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${KPULSE_BIN:-build/userspace/kpulse}
replace() {  # FILE BEGIN-MARKER END-MARKER TEXT
  python3 - "$@" <<'PY'
import sys
path, b, e, text = sys.argv[1:5]
doc = open(path).read()
i = doc.index(b)
i = doc.index("\n", i) + 1
j = doc.index(e, i)
open(path, "w").write(doc[:i] + text.rstrip("\n") + "\n" + doc[j:])
PY
}
replace README.md "<!-- metrics:begin -->" "<!-- metrics:end -->" "$("$bin" metrics --markdown)"
replace docs/kpulse.md "<!-- cli:begin -->" "<!-- cli:end -->" "$("$bin" cli-reference markdown)"
replace packaging/kpulse.8 '.\" cli-synopsis:begin' '.\" cli-synopsis:end' "$("$bin" cli-reference man-synopsis)"
replace packaging/kpulse.8 '.\" cli-options:begin' '.\" cli-options:end' "$("$bin" cli-reference man-options)"
"${KPULSE_EXPORT_NAMES:-$(dirname "$bin")/../exporters/kpulse_export_names}" --update docs/exporters.md
