#!/usr/bin/env bash
# One time slot of a long-stream soak that is longer than a slot: the first call starts
#   dotnet BENCH_DLL soak SOAK_ARGS…
# in its own process group (the bench and its two `kolmo` children), later calls continue it; each call lets it run
# for at most SECONDS and then stops the whole group with SIGSTOP (it holds its memory and uses no CPU until the next
# slot). The stream stays one stream: the same two processes compress and decompress it from the first byte to the
# last. Meant to be run through `heavy`, one slot per heavy job:
#   heavy bench/reliability/soak-slot.sh STATE_DIR SECONDS [BENCH_DLL -- SOAK_ARGS…]
# STATE_DIR keeps the group id (pgid), the bench's output (soak.log) and one line per slot (slots.log). Exit 0 when the
# soak has finished (its result is at the end of soak.log), 3 when it is paused for another slot, 1 on an error.
# To abandon a paused soak: kill -- -"$(cat STATE_DIR/pgid)"; kill -CONT -- -"$(cat STATE_DIR/pgid)".
set -uo pipefail
state=${1:?state folder}
seconds=${2:?seconds}
shift 2
mkdir -p "$state"
cd "$(dirname "$0")/../.."
if [ -f "$state/pgid" ]; then
  pgid=$(cat "$state/pgid")
  kill -0 -- "-$pgid" 2>/dev/null || { echo "soak-slot: process group $pgid is gone" >&2; exit 1; }
  kill -CONT -- "-$pgid"
  echo "$(date -u +%FT%TZ) continue $pgid for $seconds s" >>"$state/slots.log"
else
  dll=${1:?bench dll}
  [ "${2:-}" = "--" ] || { echo "usage: soak-slot.sh STATE_DIR SECONDS BENCH_DLL -- SOAK_ARGS..." >&2; exit 1; }
  shift 2
  setsid dotnet "$dll" soak "$@" >"$state/soak.log" 2>&1 &
  pid=$!
  echo "$pid" >"$state/pgid"   # setsid makes the bench the leader of a new group: its pid is the group id
  pgid=$pid
  echo "$(date -u +%FT%TZ) start $pgid for $seconds s: soak $*" >>"$state/slots.log"
fi
alive() {   # a process of the group that is not a zombie (the first slot's script is the bench's parent)
  ps -e -o pgid=,stat= | awk -v g="$pgid" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}
end=$(( $(date +%s) + ${seconds%.*} ))
while [ "$(date +%s)" -lt "$end" ]; do
  if ! alive; then
    echo "$(date -u +%FT%TZ) finished" >>"$state/slots.log"
    rm -f "$state/pgid"
    tail -n 1 "$state/soak.log"
    exit 0
  fi
  sleep 1
done
kill -STOP -- "-$pgid"
echo "$(date -u +%FT%TZ) paused $pgid" >>"$state/slots.log"
tail -n 3 "$state/soak.log" >&2
exit 3
