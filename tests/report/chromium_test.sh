#!/usr/bin/env bash
# Renders a kpulse report in headless Chromium: it must render, log no
# console errors, and every chart must carry data points. Keeps the report,
# the rendered DOM and a screenshot in ARTIFACT_DIR.
# Usage: chromium_test.sh KPULSE_BINARY ARTIFACT_DIR
set -euo pipefail
kpulse=$1
artifacts=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
  echo "SKIP: chromium not installed (scripts/setup-deps.sh --with-tests)"
  exit 77
fi
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A low CPU threshold so the synthetic host's load shows bottleneck marks.
printf '[report]\ncpu_saturation = 0.3\n' >"$work/kpulse.toml"
"$kpulse" report --source synthetic --count 180 --config "$work/kpulse.toml" \
  -o "$artifacts/report.html"

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run
       --disable-component-update --disable-sync --disable-extensions
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0)
url="file://$artifacts/report.html"
timeout 90 "$browser" "${flags[@]}" --dump-dom "$url" >"$artifacts/report.dom.html" \
  2>"$artifacts/chromium-dom.log" || fail "chromium --dump-dom exited $? (see $artifacts/chromium-dom.log)"
timeout 90 "$browser" "${flags[@]}" --window-size=1000,3200 --hide-scrollbars \
  --screenshot="$artifacts/report.png" "$url" 2>"$artifacts/chromium-shot.log" ||
  fail "chromium --screenshot exited $? (see $artifacts/chromium-shot.log)"

dom="$artifacts/report.dom.html"
# Rendered: the parsed document has the report's sections.
for id in summary resources alerts patterns forecasts recommendations tuning; do
  grep -q "<section id=\"$id\">" "$dom" || fail "section $id missing from the rendered DOM"
done
# Console: page messages are logged as CONSOLE lines; there must be none.
# First prove the capture works on a page that does log an error.
console_re='CONSOLE[:(]|Uncaught|Failed to load resource'
echo '<html><body><script>console.error("probe")</script></body></html>' >"$work/probe.html"
timeout 90 "$browser" "${flags[@]}" --dump-dom "file://$work/probe.html" >/dev/null \
  2>"$work/probe.log" || true
grep -qE "$console_re" "$work/probe.log" || fail "console capture does not work in this chromium"
if grep -hE "$console_re" "$artifacts"/chromium-*.log; then
  fail "console errors (above)"
fi
# Charts: each <svg class="chart"> has at least one series with points.
charts=$(grep -c '<svg class="chart"' "$dom" || true)
((charts >= 5)) || fail "expected at least 5 charts, found $charts"
empty=$( (grep -oE 'data-points="0"' "$dom" || true) | wc -l)
((empty == 0)) || fail "$empty series without points"
points=$(grep -oE 'data-points="[0-9]+"' "$dom" | grep -oE '[0-9]+' | sort -n | head -1)
((points == 180)) || fail "a series has $points points, expected 180"
grep -q 'class="saturation"' "$dom" || fail "no bottleneck marked"
# The screenshot exists and is a PNG of some substance.
[[ "$(head -c 8 "$artifacts/report.png" | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]] ||
  fail "screenshot is not a PNG"
(($(stat -c %s "$artifacts/report.png") > 20000)) || fail "screenshot suspiciously small"
echo "OK: $charts charts, screenshot $artifacts/report.png"
