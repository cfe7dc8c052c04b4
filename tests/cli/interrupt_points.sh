#!/usr/bin/env bash
# SIGINT or SIGTERM at 24 seeded random points of `run --suite smoke`, each followed by a rerun in
# the same folder: the interrupted run exits 130 (or 143/130 when the signal lands before the
# handler is installed, or 0 when the run had already finished), writes no report and leaves no
# temporary file; every rerun exits 0 and its `results` are byte-identical to an uninterrupted
# run's. Prints how many points fell mid-run. Seed: MUONBENCH_INTERRUPT_SEED (default 20261204).
# ctest-labels: sanitize
set -u
export LC_ALL=C
mb=$1
src=$2
source "$src/tests/cli/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed=${MUONBENCH_INTERRUPT_SEED:-20261204}
points=24

t0=$(date +%s%N)
"$mb" run --suite smoke --out "$tmp/ref" --no-cache --threads 2 --quiet || { echo "FAIL: reference run"; exit 1; }
duration_ms=$((($(date +%s%N) - t0) / 1000000))
echo "uninterrupted smoke run: $duration_ms ms"

# Delays (ms) and signals from a seeded generator: reproducible points, spread over the whole run.
mapfile -t plan < <(/usr/bin/python3 -c "
import random
r = random.Random($seed)
for i in range($points):
    print(r.randint(0, max(1, int($duration_ms * 1.1))), r.choice(['INT', 'TERM']))")

fail=0 mid_run=0
for i in $(seq 0 $((points - 1))); do
  read -r delay sig <<<"${plan[$i]}"
  out=$tmp/run$i
  "$mb" run --suite smoke --out "$out" --threads 2 --progress never 2> "$tmp/stderr" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill "-$sig" "$pid" 2>/dev/null
  rc=0
  wait "$pid" || rc=$?
  case $rc in
    0) ;;
    130|143)
      mid_run=$((mid_run + 1))
      if [[ -e $out/report.json || -e $out/leaderboard.json ]]; then
        echo "FAIL point $i (SIG$sig after $delay ms): an interrupted run wrote a report"; fail=1
      fi ;;
    *) echo "FAIL point $i (SIG$sig after $delay ms): exit $rc"; cat "$tmp/stderr"; fail=1; continue ;;
  esac
  if leftovers=$(find "$out" -name '*.tmp.*' 2>/dev/null) && [[ -n $leftovers ]]; then
    echo "FAIL point $i: temporary files left: $leftovers"; fail=1
  fi
  if ! "$mb" run --suite smoke --out "$out" --threads 2 --quiet 2> "$tmp/stderr"; then
    echo "FAIL point $i: the rerun failed"; cat "$tmp/stderr"; fail=1; continue
  fi
  for f in report leaderboard; do
    same_results "$tmp/ref/$f.json" "$out/$f.json" || { echo "FAIL point $i (SIG$sig after $delay ms): $f differs"; fail=1; }
  done
  echo "point $i: SIG$sig after $delay ms: exit $rc, rerun identical"
  rm -rf "$out"
done
echo "$mid_run of $points signals fell mid-run (exit 130/143); every rerun matched the uninterrupted run"
((mid_run >= points / 2)) || { echo "FAIL: too few points fell mid-run ($mid_run)"; fail=1; }
exit $fail
