#!/usr/bin/env bash
# Times the launch-day gate and the rehearsal, and prints each figure beside its goal:
#
#   gate cold    go test -tags t0 ./...  with an empty build cache (modules already downloaded)
#   gate warm    the same again, build cache warm
#   rehearse     make rehearse (all 55 rows) with a warm build cache
#
#   scripts/bench-gate.sh [--no-cold] [--no-rehearse]
#
# A cold build is expensive on a small machine: --no-cold skips it. The load average is printed
# before and after: figures taken on a shared, loaded machine are not the idle-machine figures
# the goals are about.
set -uo pipefail
cd "$(dirname "$0")/.."
cold=1
rehearse=1
for a in "$@"; do
  case "$a" in
    --no-cold) cold=0 ;;
    --no-rehearse) rehearse=0 ;;
    *) echo "bench-gate: unknown argument $a (want --no-cold, --no-rehearse)" >&2; exit 2 ;;
  esac
done
GO=${GO:-go}
export HUSTLEXP_TARGET=rehearsal
scripts/setup.sh rehearse || exit 1
go mod download

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }
now() { date +%s.%N; }
results=()
status=0
# measure NAME GOAL_SECONDS command...: runs the command (output to a log) and records its wall time.
measure() {
  local name=$1 goal=$2 log
  shift 2
  log=$(mktemp -t "bench-gate-XXXX.log")
  printf 'bench-gate: %-14s %s (log %s)\n' "$name" "$*" "$log"
  local t0 t1 rc
  t0=$(now)
  "$@" >"$log" 2>&1
  rc=$?
  t1=$(now)
  local secs verdict
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ $rc -ne 0 ]; then
    verdict="FAILED (exit $rc; see $log)"
    status=1
  elif awk -v s="$secs" -v g="$goal" 'BEGIN { exit !(s <= g) }'; then
    verdict="ok"
  else
    verdict="over goal"
  fi
  results+=("$(printf '%-14s %8ss   goal ≤ %4ss   %s' "$name" "$secs" "$goal" "$verdict")")
}

echo "bench-gate: $(nproc) cores, load average before: $(load)"
if [ $cold = 1 ]; then
  cache=$(mktemp -d -t bench-gate-gocache-XXXX)
  trap 'rm -rf "$cache"' EXIT
  measure "gate cold" 120 env GOCACHE="$cache" $GO test -count=1 -tags t0 ./...
  measure "gate warm" 30 env GOCACHE="$cache" $GO test -count=1 -tags t0 ./...
else
  $GO test -count=1 -tags t0 -run '^$' ./... >/dev/null 2>&1 # warm the cache
  measure "gate warm" 30 $GO test -count=1 -tags t0 ./...
fi
if [ $rehearse = 1 ]; then
  $GO test -count=1 -tags 'prelaunch t0 day1 week1' -run '^$' ./... >/dev/null 2>&1 # warm the cache
  make -s reports/.bin/launchcheck >/dev/null 2>&1
  measure "make rehearse" 60 make -s rehearse
fi
echo
echo "bench-gate results ($(nproc) cores; load average after: $(load)):"
for r in "${results[@]}"; do echo "  $r"; done
exit $status
