#!/usr/bin/env bash
# Builds the .deb with CPack and checks what it holds (without installing):
# the four files, the conffile, shared-library dependencies, and a default
# config the packaged binary itself accepts.
# Usage: deb_test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/kpulse_*_amd64.deb 2>/dev/null | head -1)
[[ -n "$deb" ]] || fail "no .deb produced"

contents=$(dpkg-deb -c "$deb")
for f in ./usr/sbin/kpulse ./usr/lib/systemd/system/kpulse.service ./etc/kpulse/kpulse.toml \
         ./usr/share/man/man8/kpulse.8.gz; do
  grep -q " $f\$" <<<"$contents" || fail "$f missing from the package"
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/kpulse/kpulse.toml || fail "config is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
grep -q libbpf1 <<<"$depends" || fail "Depends lacks libbpf1: $depends"

dpkg-deb -x "$deb" "$work/root"
"$work/root/usr/sbin/kpulse" config check --config "$work/root/etc/kpulse/kpulse.toml" ||
  fail "the packaged default config does not pass config check"
grep -q '^ExecStart=/usr/sbin/kpulse run' "$work/root/usr/lib/systemd/system/kpulse.service" ||
  fail "unit ExecStart does not point at the packaged binary"
gzip -t "$work/root/usr/share/man/man8/kpulse.8.gz" || fail "man page is not gzip"
if command -v systemd-analyze >/dev/null; then
  # Verify against the extracted binary (the unit names /usr/sbin/kpulse).
  sed "s|/usr/sbin/kpulse|$work/root/usr/sbin/kpulse|g" \
    "$work/root/usr/lib/systemd/system/kpulse.service" >"$work/kpulse.service"
  # The man page is only found once installed: that complaint is expected here.
  out=$(systemd-analyze verify "$work/kpulse.service" 2>&1 | grep -v "man kpulse(8)" || true)
  [[ -z "$out" ]] || fail "systemd-analyze verify: $out"
fi
echo "OK: $(basename "$deb") $(stat -c %s "$deb") bytes; Depends: $depends"
