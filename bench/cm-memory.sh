#!/usr/bin/env bash
# Peak resident memory of `kolmo c -m cm -l L` and `kolmo d` at each level, round trip checked; a markdown table.
#
#   bench/cm-memory.sh FILE [LEVELS=1,2,3,4,5,6,7,8,9] > table.md
#
# Peak RSS is /usr/bin/time's %M (the process's VmHWM at exit, the .NET runtime included: `kolmo --version` alone is the
# floor). Run from the repository root after a Release build; one process at a time, so `heavy` is not needed for
# small files, but use it for anything that takes more than a few seconds per level.
set -euo pipefail
file=${1:?usage: cm-memory.sh FILE [LEVELS]}
levels=${2:-1,2,3,4,5,6,7,8,9}
[ -f "$file" ] || { echo "cm-memory.sh: $file: no such file" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "cm-memory.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
cli=src/Kolmo.Cli/bin/Release/net10.0/Kolmo.Cli.dll
[ -f "$cli" ] || { echo "cm-memory.sh: $cli not built (dotnet build Kolmo.slnx -c Release)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
peak() {   # peak RSS in MiB of the command, its CPU seconds
  /usr/bin/time -f '%M %U %S' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  awk '{ printf "%.0f %.1f\n", $1 / 1024, $2 + $3 }' "$tmp/time"
}
read -r floor _ < <(peak dotnet "$cli" --version)
echo "Peak resident memory (MiB, /usr/bin/time %M) of \`kolmo c -m cm -l L\` and \`kolmo d\` on $(basename "$file") ($(stat -c %s "$file") bytes); \`kolmo --version\` alone: $floor MiB. Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
echo
echo "| level | compress MiB | decompress MiB | compressed bytes | compress CPU-s | decompress CPU-s |"
echo "|---:|---:|---:|---:|---:|---:|"
for l in ${levels//,/ }; do
  read -r cmem ccpu < <(peak dotnet "$cli" c "$file" -o "$tmp/packed.kolmo" -m cm -l "$l" --force)
  read -r dmem dcpu < <(peak dotnet "$cli" d "$tmp/packed.kolmo" -o "$tmp/back" --force)
  cmp -s "$file" "$tmp/back" || { echo "cm-memory.sh: level $l: the round trip differs" >&2; exit 1; }
  echo "| $l | $cmem | $dmem | $(stat -c %s "$tmp/packed.kolmo") | $ccpu | $dcpu |"
done
