#!/usr/bin/env bash
# Minimises every finding of TARGET (fuzz/out/findings/TARGET/{crashes,hangs}) into fuzz/regressions/TARGET/,
# where the ordinary test suite replays it (tests/Kolmo.Tests/Reliability/FuzzRegressionTests.cs).
# Run it against the unfixed code (FUZZ_BIN=a copy of the fuzz/out/bin/Kolmo.Fuzz.dll that found them): a
# minimised input must still fail the same way. Findings with the same minimised bytes collapse into one file.
#   [FUZZ_BIN=DLL] fuzz/minimize.sh TARGET
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:?usage: fuzz/minimize.sh TARGET}
bin=${FUZZ_BIN:-fuzz/Kolmo.Fuzz/bin/Release/net10.0/Kolmo.Fuzz.dll}
[ -n "${FUZZ_BIN:-}" ] || dotnet build fuzz/Kolmo.Fuzz -c Release -v q -nologo >/dev/null
mkdir -p "fuzz/regressions/$t"
for f in fuzz/out/findings/"$t"/crashes/* fuzz/out/findings/"$t"/hangs/*; do
  [ -f "$f" ] || continue
  case "$f" in *.txt) continue ;; esac
  tmp=$(mktemp)
  if timeout 600 dotnet "$bin" minimize "$t" "$f" "$tmp"; then
    mv "$tmp" "fuzz/regressions/$t/$(sha1sum "$tmp" | cut -c1-16)"
  else
    rm -f "$tmp"
  fi
done
