#!/usr/bin/env bash
# Alternating speed rounds over Calgary 14 (compress only): lpaq1 3, cm -1, lpaq1 6, cm -6 in turn, so a slow spell of
# the machine hits both sides of each pair. Prints one line per pass; quote the medians.
#
#   ../shared/tools/heavy bench/cm-speed.sh [ROUNDS=5]
#
# lpaq1 (../shared/anchors/lpaq1/build) is timed by /usr/bin/time over the 14 files (user and system seconds: it clears
# its tables in the kernel); cm by `cm-quick --no-decode` (the model and coder in-process, warmed up, process CPU).
# Run from the repository root after a Release build.
set -euo pipefail
rounds=${1:-5}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "cm-speed.sh: ROUNDS must be a positive integer, not '$rounds'" >&2; exit 1; }
bench=bench/Kolmo.Bench/bin/Release/net10.0/Kolmo.Bench.dll
[ -f "$bench" ] || { echo "cm-speed.sh: $bench not built (dotnet build Kolmo.slnx -c Release)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "cm-speed.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
lpaq=$(../shared/anchors/lpaq1/build 2>/dev/null) || { echo "cm-speed.sh: cannot build lpaq1 (../shared/anchors/lpaq1/build)" >&2; exit 1; }
c=../shared/data/corpora/calgary
files=()
for f in bib book1 book2 geo news obj1 obj2 paper1 paper2 pic progc progl progp trans; do
  [ -f "$c/$f" ] || { echo "cm-speed.sh: $c/$f: no such file" >&2; exit 1; }
  files+=("$c/$f")
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lp() {   # lpaq1 at level $1 over every file: "lpaq1-N user sys"
  /usr/bin/time -f "lpaq1-$1 %U %S" -o "$tmp/time" bash -c 'l=$1; shift; b=$1; shift; o=$1; shift; for f; do "$b" "$l" "$f" "$o" >/dev/null; done' _ "$1" "$lpaq" "$tmp/out" "${files[@]}"
  cat "$tmp/time"
}
cm() {   # cm at level $1: "cm-N bytes cpu-s"
  dotnet "$bench" cm-quick --no-decode "$1" "${files[@]}" | awk -v l="$1" '$1 == "TOTAL" { print "cm-" l, $3, $6 }'
}
for ((r = 1; r <= rounds; r++)); do
  lp 3; cm 1; lp 6; cm 6
done
