#!/usr/bin/env bash
# Style checks: clang-format on every tracked C and C++ file (always), and
# clang-tidy (.clang-tidy) on the C++ sources with --tidy.
#
#   scripts/lint.sh                  format check of the whole tree (a few seconds)
#   scripts/lint.sh --fix            reformat the files that differ
#   scripts/lint.sh --tidy [BUILD]   also clang-tidy every C++ source in BUILD's
#                                    compile_commands.json (default build/; minutes)
#   scripts/lint.sh --tidy-changed REV [BUILD]
#                                    clang-tidy only the .cpp files changed since REV
#
# C++ follows the top-level .clang-format; C (the BPF programs under bpf/ and
# every *.c elsewhere) follows bpf/.clang-format, the kernel's style.
# Exit status: 0 clean, 1 findings, 2 a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check tidy=none base="" build=build
while (($#)); do
  case "$1" in
    --fix) mode=fix ;;
    --tidy) tidy=all ;;
    --tidy-changed)
      tidy=changed
      base="${2:?--tidy-changed needs a revision}"
      shift
      ;;
    -h | --help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "lint.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
    *) build="$1" ;;
  esac
  shift
done

need() {
  command -v "$1" >/dev/null || {
    echo "lint.sh: $1 not found (scripts/setup-deps.sh --with-tests installs it)" >&2
    exit 2
  }
}
need clang-format

# Generated and vendored files are not ours to format.
mapfile -t cxx < <(git ls-files '*.cpp' '*.h' ':!:bpf/*' ':!:bpf/**')
mapfile -t c < <(git ls-files '*.c' 'bpf/*.h' ':!:bpf/vmlinux*.h')

status=0
format() {
  local style="$1"
  shift
  (($#)) || return 0
  if [[ $mode == fix ]]; then
    clang-format --style="$style" -i "$@"
  elif ! clang-format --style="$style" --dry-run --Werror "$@" 2>/tmp/kpulse-lint.$$; then
    grep -E '^[^ ].*: (warning|error):' /tmp/kpulse-lint.$$ | cut -d: -f1 | sort -u |
      sed 's/^/  not formatted: /' >&2
    status=1
  fi
  rm -f /tmp/kpulse-lint.$$
}
format file "${cxx[@]}"
format file:bpf/.clang-format "${c[@]}"
((status == 0)) || echo "lint.sh: run scripts/lint.sh --fix to reformat" >&2

if [[ $tidy != none ]]; then
  need clang-tidy
  [[ -f $build/compile_commands.json ]] || {
    echo "lint.sh: $build/compile_commands.json missing (configure with cmake first)" >&2
    exit 2
  }
  if [[ $tidy == all ]]; then
    mapfile -t sources < <(git ls-files '*.cpp')
  else
    mapfile -t sources < <(git diff --name-only --diff-filter=d "$base" -- '*.cpp')
  fi
  if ((${#sources[@]})); then
    # run-clang-tidy runs them in parallel; its --quiet keeps only findings.
    if ! run-clang-tidy -p "$build" -quiet -j "$(nproc)" "${sources[@]/#/$PWD/}" \
      >/tmp/kpulse-tidy.$$ 2>&1; then
      status=1
    fi
    # It colours its output even into a file; the colour codes go before the grep.
    if sed 's/\x1b\[[0-9;]*m//g' /tmp/kpulse-tidy.$$ | grep -E ': (warning|error):' >&2; then
      status=1
    fi
    rm -f /tmp/kpulse-tidy.$$
  fi
fi
exit "$status"
