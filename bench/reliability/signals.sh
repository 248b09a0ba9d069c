#!/usr/bin/env bash
# Interrupted and failing writers leave nothing behind: TRIALS runs per (writer, failure), each stopped at a random
# moment by SIGINT or SIGTERM, or made to fail by a full file system (a tmpfs of random size; needs root).
# Counts, per writer and failure: runs stopped (exit 130/143, or 1 for ENOSPC), runs that finished before the
# signal (exit 0, output complete), and runs that left debris (a temporary file, a partial output, a folder).
#   [WRITERS="compress-cm ncd"] [FAILURES="INT TERM ENOSPC"] [KOLMO_CLI=path/Kolmo.Cli.dll] bench/reliability/signals.sh [TRIALS=20]
# → TSV on stdout, one line per trial on stderr (with the files the trial left; a trial with debris keeps its folder).
# KOLMO_CLI: a CLI built beforehand (default: build src/Kolmo.Cli here).
# SIGNALS_INPUTS: a folder with the inputs of an earlier run (kept with SIGNALS_KEEP_INPUTS=1), so that several runs
# in parallel (one per writer and failure) do not each make them.
set -uo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-20}
if [ -z "${KOLMO_CLI:-}" ]; then
  dotnet build src/Kolmo.Cli -c Release -v q -nologo >/dev/null || exit 1
  KOLMO_CLI=$PWD/src/Kolmo.Cli/bin/Release/net10.0/Kolmo.Cli.dll
fi
kolmo="dotnet $KOLMO_CLI"
work=$(mktemp -d /tmp/kolmo-signals.XXXXXX)
trap 'umount "$work/full" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
if [ -n "${SIGNALS_INPUTS:-}" ]; then
  cp -r "$SIGNALS_INPUTS"/. .
else
# inputs: 8 MB of mixed text and noise (a few seconds of cm), its .kolmo, a training text, a folder of documents
python3 - <<'PY'
import random
r = random.Random(1)
words = "the of and to in is was that for it with as his on be at by had not are but from".split()
text = " ".join(r.choice(words) for _ in range(1_400_000)).encode()[:6_000_000]
open("in.bin", "wb").write(text + bytes(r.getrandbits(8) for _ in range(2_000_000)))
open("train.txt", "wb").write(text[:200_000])
import os
os.makedirs("docs", exist_ok=True)
for i in range(12):
    open(f"docs/d{i:02}.txt", "wb").write(text[i * 40_000:(i + 1) * 40_000])
PY
$kolmo c -m order3 -q in.bin -o in.kolmo || exit 1
printf 'abcdefghijklmnopqrstuvwxyz\n' > in.txt
fi
if [ -n "${SIGNALS_KEEP_INPUTS:-}" ]; then echo "inputs in $work" >&2; trap - EXIT; exit 0; fi

# writer name | command (output path OUT) | max seconds before the signal | most KiB left free on the full disk | what must
# not exist after a failed run (default: OUT OUT.tsv OUT.png) | when the signal comes (default: once the writer has opened
# its output, or after the max seconds, then a random 0 … max/2 s later; "cpu": at a random moment of the writer's own
# CPU time between 0.3 s and 1.05 × a clean run's, for a writer that opens its outputs only at the end and may finish
# within seconds on an idle machine — the signal then lands while it computes, or while it writes and publishes)
writers=(
  "compress-cm|c -m cm -q in.bin -o OUT|4|512"
  "compress-order3|c -m order3 -q in.bin -o OUT|3|1024"
  "decompress|d -q in.kolmo -o OUT|3|2048"
  "train|train --model lstm --data train.txt --layers 1 --dim 32 --ctx 32 --steps 400 -T 1 --out OUT --log OUT.tsv|4|160"
  "ncd|ncd docs -c order3 -o OUT --plot OUT.png|4|40||cpu"
  "decipher-save-model|decipher in.txt --corpus train.txt --iterations 1 --restarts 1 --save-model OUT|2|16"
  "igpt|igpt --sizes 1x8 --masked-sizes 1x8 --seeds 1 --steps 40 --checkpoints 2 --batch 4 --downsample 4 --palette-size 4 --probe-train 60 --test-limit 20 --compress 2 --completions 1 --samples 2 -T 1 --out OUT|6|256|OUT/report.md OUT/results.json"
)
# Each trial writes into a folder of its own (t/, or the full tmpfs), so everything a trial leaves can be listed. The
# folder of a trial with debris is kept (SIGNALS_KEEP, default a new /tmp/kolmo-signals-kept.* folder, printed), with
# its files named on the trial's line. When the debris is outputs only, they are compared with a clean run's (ref/,
# made once per writer when first needed): "whole" means no temporary file and exactly the files of a clean run, byte for
# byte — a set published before the signal landed (between the publication and the exit), not a partial output.
keep=${SIGNALS_KEEP:-$(mktemp -d /tmp/kolmo-signals-kept.XXXXXX)}
mkdir -p "$keep"
echo "trial folders with debris are kept in $keep" >&2
printf 'writer\tfailure\ttrials\tstopped\tfinished_first\tdebris\tof_which_whole_set\texit_codes\n'
debris() {   # temporary files anywhere below the folder, and the outputs if the run failed
  local rc=$1 out=$2 dir=$3 checks=$4
  local left f
  left=$(find "$dir" -name '*.tmp' | wc -l)
  if [ "$rc" -ne 0 ]; then
    for f in ${checks//OUT/$out}; do [ -e "$f" ] && left=$((left + 1)); done
  fi
  echo "$left"
}
listing() {   # the files below a folder (but the full disk's filler), with their sizes
  (cd "$1" && find . -type f ! -name filler -printf '%P:%s ' | sed 's/ $//')
}
reference() {   # a clean run of the writer into ref/ (once per writer); prints its CPU seconds
  if [ ! -f "ref/$1.cpu" ]; then
    rm -rf "ref/$1" && mkdir -p "ref/$1"
    # shellcheck disable=SC2086
    /usr/bin/time -f '%U %S' -o "ref/$1.time" $kolmo ${2//OUT/ref/$1/out} >/dev/null 2>&1 || echo "reference run of $1 failed" >&2
    awk '{ print $1 + $2 }' "ref/$1.time" >"ref/$1.cpu"
  fi
  cat "ref/$1.cpu"
}
whole() {   # 1 when DIR holds no temporary file and exactly the files of the writer's clean run, byte for byte
  local name=$1 cmd=$2 dir=$3
  [ -z "$(find "$dir" -name '*.tmp' -print -quit)" ] || { echo 0; return; }
  reference "$name" "$cmd" >/dev/null
  [ "$(listing "$dir" | tr ' ' '\n' | sort)" = "$(listing "ref/$name" | tr ' ' '\n' | sort)" ] || { echo 0; return; }
  local f
  while IFS= read -r f; do cmp -s "$dir/$f" "ref/$name/$f" || { echo 0; return; }; done < <(cd "$dir" && find . -type f ! -name filler -printf '%P\n')
  echo 1
}
cpu_ticks() {   # user + system clock ticks a process has used so far (all its threads)
  local f
  read -r -a f <"/proc/$1/stat" 2>/dev/null || { echo -1; return; }
  echo $((f[13] + f[14]))
}
trial_end() {   # counts one trial: exit code, debris, the kept folder
  local name=$1 failure=$2 i=$3 rc=$4 out=$5 dir=$6 checks=$7 cmd=$8 d w=0 files
  codes="$codes$rc,"
  d=$(debris "$rc" "$out" "$dir" "$checks")
  files=$(listing "$dir")
  if [ "$d" -gt 0 ]; then
    bad=$((bad + 1))
    w=$(whole "$name" "$cmd" "$dir"); wholes=$((wholes + w))
    mkdir -p "$keep/$name-$failure-$i" && (cd "$dir" && find . -mindepth 1 -maxdepth 1 ! -name filler -exec cp -a {} "$keep/$name-$failure-$i/" \;)
  fi
  echo "$name $failure trial $i: exit $rc, debris $d${files:+ [files: $files]}$([ "$d" -gt 0 ] && echo " (whole set of a clean run: $([ "$w" = 1 ] && echo yes || echo no); kept in $keep/$name-$failure-$i)")" >&2
}
summary() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$trials" "$stopped" "$finished" "$bad" "$wholes" "$(echo "${codes%,}" | tr ',' '\n' | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
}
for w in "${writers[@]}"; do
  IFS='|' read -r name cmd maxs freekib checks when <<<"$w"
  checks=${checks:-OUT OUT.tsv OUT.png}
  case " ${WRITERS:-$name} " in *" $name "*) ;; *) continue ;; esac
  failures=" ${FAILURES:-INT TERM ENOSPC} "
  if [ "${when:-}" = cpu ]; then
    refcpu=$(reference "$name" "$cmd")
    echo "$name: a clean run took $refcpu CPU-s; signals at 0.3 … $(python3 -c "print(round(1.05 * $refcpu, 2))") CPU-s" >&2
  fi
  for sig in INT TERM; do
    [[ $failures == *" $sig "* ]] || continue
    stopped=0 finished=0 bad=0 wholes=0 codes=""
    for i in $(seq 1 "$trials"); do
      rm -rf t && mkdir t
      # shellcheck disable=SC2086
      env --default-signal=INT $kolmo ${cmd//OUT/t/out} >/dev/null 2>&1 &
      pid=$!
      if [ "${when:-}" = cpu ]; then
        target=$(python3 -c "import random; print(round(100 * random.uniform(0.3, 1.05 * $refcpu)))")
        while kill -0 "$pid" 2>/dev/null && [ "$(cpu_ticks "$pid")" -lt "$target" ]; do sleep 0.01; done
      else
        delay=$(python3 -c "import random; print(round(random.uniform(0, $maxs / 2), 2))")
        # the signal comes at a random moment after the writer has opened its output (or after maxs seconds for
        # writers that open it only at the end), so it never lands during the runtime's own start-up
        for _ in $(seq 1 $((maxs * 20))); do
          [ -n "$(find t -maxdepth 1 -name '.*.tmp' -print -quit)" ] || [ -d t/out ] && break
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.05
        done
        sleep "$delay"
      fi
      kill -s "$sig" "$pid" 2>/dev/null
      wait "$pid"; rc=$?
      case $rc in 0) finished=$((finished + 1)) ;; 130|143) stopped=$((stopped + 1)) ;; esac
      trial_end "$name" "SIG$sig" "$i" "$rc" t/out t "$checks" "$cmd"
    done
    summary "$name" "SIG$sig"
  done
  # full disk: a 16 MiB tmpfs filled up to leave 0..freekib KiB, so the writer fails at different points
  if [[ $failures == *" ENOSPC "* ]] && [ "$(id -u)" = 0 ] && mkdir -p full && mount -t tmpfs -o size=16m tmpfs full 2>/dev/null; then
    umount full
    stopped=0 finished=0 bad=0 wholes=0 codes=""
    for i in $(seq 1 "$trials"); do
      mount -t tmpfs -o size=16m tmpfs full
      free=$(python3 -c "import random; print(random.randrange(0, $freekib * 1024))")
      head -c $((16 * 1024 * 1024 - free)) /dev/zero > full/filler 2>/dev/null
      # shellcheck disable=SC2086
      $kolmo ${cmd//OUT/full/out} >/dev/null 2>&1; rc=$?
      case $rc in 0) finished=$((finished + 1)) ;; 1) stopped=$((stopped + 1)) ;; esac
      trial_end "$name" ENOSPC "$i" "$rc" full/out full "$checks" "$cmd"
      umount full
    done
    summary "$name" ENOSPC
  fi
done
