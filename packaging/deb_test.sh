#!/usr/bin/env bash
# Builds the .deb with CPack and checks what it holds (without installing):
# the files, the conffile, shared-library dependencies, a default config the
# packaged binary itself accepts, shell completion, maintainer scripts that
# go through deb-systemd-helper/deb-systemd-invoke, and lintian clean of
# errors and warnings.
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
         ./usr/share/man/man8/kpulse.8.gz ./usr/share/doc/kpulse/changelog.gz \
         ./usr/share/doc/kpulse/copyright ./usr/share/bash-completion/completions/kpulse \
         ./usr/share/zsh/vendor-completions/_kpulse; do
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
bash -n "$work/root/usr/share/bash-completion/completions/kpulse" || fail "bash completion syntax"
grep -q "snapshot" "$work/root/usr/share/bash-completion/completions/kpulse" ||
  fail "bash completion lists no subcommands"

# Maintainer scripts: the standard helpers, a restart on upgrade, no bare
# systemctl beyond daemon-reload (what debhelper generates).
dpkg-deb -e "$deb" "$work/control"
grep -q "deb-systemd-invoke try-restart" "$work/control/postinst" || fail "postinst does not restart on upgrade"
grep -q "deb-systemd-invoke stop" "$work/control/prerm" || fail "prerm does not stop through deb-systemd-invoke"
if grep -h "systemctl" "$work"/control/{postinst,prerm,postrm} | grep -v "daemon-reload" | grep -qv "^ *#"; then
  fail "a maintainer script calls systemctl directly"
fi
for s in postinst prerm postrm; do sh -n "$work/control/$s" || fail "$s: syntax"; done

if command -v lintian >/dev/null; then
  # Errors and warnings fail; informational tags are listed only.
  lintian --fail-on error,warning --no-tag-display-limit "$deb" >"$work/lintian.log" 2>&1 ||
    { cat "$work/lintian.log" >&2; fail "lintian reports errors or warnings"; }
  cat "$work/lintian.log"
else
  fail "lintian is not installed (scripts/setup-deps.sh --with-tests installs it)"
fi
echo "OK: $(basename "$deb") $(stat -c %s "$deb") bytes; Depends: $depends"
