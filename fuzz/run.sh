#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS of CPU time each, FUZZ_JOBS (default 1) at a time;
# TARGET=S gives one target S seconds instead (cheap parsers can get a larger share than the decoders).
#   [FUZZ_JOBS=2] [FUZZ_ENGINE=afl] fuzz/run.sh SECONDS [TARGET[=S]...]
# Engine: the in-process coverage-guided fuzzer (default; thousands of runs per CPU-second), or AFL++ with
# FUZZ_ENGINE=afl (afl-fuzz from Debian's afl++, SharpFuzz's fork server; one pipe round trip per run).
# Both use SharpFuzz's instrumentation of a copy of Kolmo.dll. Runs resume from fuzz/out/findings/TARGET.
# Each target appends one TSV line to fuzz/out/runs.tsv:
#   date commit engine target execs cpu_seconds corpus edges features new_findings findings_total
# Findings: fuzz/out/findings/TARGET/{crashes,hangs}/; minimise with fuzz/minimize.sh and commit to fuzz/regressions/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET[=S]...]}
default_seconds=$seconds
shift || true
engine=${FUZZ_ENGINE:-inprocess}
out=fuzz/out
bin=$out/bin
mkdir -p "$out/findings"
# Build a copy of the targets and instrument its Kolmo.dll and Kolmo.Cluster.dll (only the code under test).
if [ ! -f "$bin/.instrumented" ] || [ -n "$(find src/Kolmo src/Kolmo.Cluster fuzz/Kolmo.Fuzz -name '*.cs' -newer "$bin/.instrumented" | head -1)" ]; then
  rm -rf "$bin"
  dotnet build fuzz/Kolmo.Fuzz -c Release -o "$bin" -v q -nologo >/dev/null
  dotnet tool restore >/dev/null
  dotnet sharpfuzz "$bin/Kolmo.dll" >/dev/null
  dotnet sharpfuzz "$bin/Kolmo.Cluster.dll" >/dev/null
  touch "$bin/.instrumented"
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(dotnet "$bin/Kolmo.Fuzz.dll" list | cut -f1)
jobs=${FUZZ_JOBS:-1}
if [ "$jobs" -gt 1 ] && [ ${#targets[@]} -gt 1 ]; then
  printf '%s\n' "${targets[@]}" | FUZZ_JOBS=1 xargs -P "$jobs" -I{} "$0" "$seconds" {}
  exit 0
fi
commit=${FUZZ_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
[ -f "$out/runs.tsv" ] || printf 'date\tcommit\tengine\ttarget\texecs\tcpu_seconds\tcorpus\tedges\tfeatures\tnew_findings\tfindings_total\n' > "$out/runs.tsv"

maxlen() { case "$1" in roundtrip-*) echo 65536 ;; decode-nn|decode-cmnn) echo 2048 ;; *) echo 8192 ;; esac; }

for spec in "${targets[@]}"; do
  t=${spec%%=*}
  seconds=${spec#"$t"}; seconds=${seconds#=}; seconds=${seconds:-$default_seconds}
  dir=$out/findings/$t
  mkdir -p "$dir"
  if [ "$engine" = afl ]; then
    command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 1; }
    input=fuzz/seeds/$t
    [ -d "$dir/default/queue" ] && input=-   # resume
    AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    AFL_AUTORESUME=1 AFL_FAST_CAL=1 AFL_IGNORE_PROBLEMS=1 \
      timeout $((seconds * 3 + 120)) afl-fuzz -i "$input" -o "$dir" -t 30000 -m none -V "$seconds" \
      -- dotnet "$bin/Kolmo.Fuzz.dll" run "$t" > "$out/$t.afl.log" 2>&1 || echo "afl-fuzz $t exited $?" >&2
    stats=$dir/default/fuzzer_stats
    get() { awk -F' *: *' -v k="$1" '$1==k {print $2}' "$stats"; }
    found=$(find "$dir/default/crashes" "$dir/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
    printf '%s\t%s\tafl\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$commit" "$t" "$seconds" "$(get execs_done)" \
      "$(get corpus_count)" "$(get edges_found)" "-" "$found" | tee -a "$out/runs.tsv"
    continue
  fi
  left=$seconds
  for attempt in 1 2 3 4 5 6 7 8; do
    [ "$left" -gt 0 ] || break
    t0=$(date +%s)
    set +e
    line=$(timeout $((left * 4 + 300)) dotnet "$bin/Kolmo.Fuzz.dll" fuzz "$t" "fuzz/seeds/$t" "$dir" "$left" "$(maxlen "$t")" 2>>"$out/$t.log")
    rc=$?
    set -e
    if [ $rc -eq 0 ]; then
      found=$(find "$dir/crashes" "$dir/hangs" -type f ! -name '*.txt' 2>/dev/null | wc -l)
      printf '%s\t%s\tinprocess\t%s\t%s\n' "$(date -u +%F)" "$commit" "$line" "$found" | cut -f1-3,4- | tee -a "$out/runs.tsv"
      break
    fi
    # exit 3: the watchdog saved a hang; anything else killed the process: rescue the input it was running
    [ $rc -eq 3 ] || dotnet "$bin/Kolmo.Fuzz.dll" rescue "$dir" 2>>"$out/$t.log" || true
    echo "$t: fuzz process exited $rc (attempt $attempt); restarting" >&2
    left=$((left - ($(date +%s) - t0) / 2))
  done
done
