#!/usr/bin/env bash
# Interrupting a run (SIGINT, then SIGTERM) and running it again finishes with the same results as
# an uninterrupted run, without redoing the cells that had finished: their cache files are left
# untouched (same inode and modification time) and the report counts them as cached.
# ctest-labels: sanitize
set -eu
export LC_ALL=C
mb=$1
src=$2
source "$src/tests/cli/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
suite=$src/tests/cli/suites/resume.json

"$mb" run --suite "$suite" --out "$tmp/ref" --no-cache --threads 2 --quiet

# Starts a run in the background, waits until at least $1 more cache files exist, sends $2.
interrupt_after() {
  local want=$1 sig=$2 before pid n rc
  before=$(ls "$tmp/run/cache" 2>/dev/null | wc -l)
  "$mb" run --suite "$suite" --out "$tmp/run" --threads 2 --progress never 2> "$tmp/stderr" &
  pid=$!
  for _ in $(seq 1 1200); do
    n=$(ls "$tmp/run/cache" 2>/dev/null | grep -c '\.json$' || true)
    ((n >= before + want)) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill "-$sig" "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" || rc=$?
  if [[ $rc -ne 130 ]]; then
    echo "FAIL: run interrupted by SIG$sig exited $rc (expected 130; too fast to interrupt?)"; cat "$tmp/stderr"; exit 1
  fi
  grep -q "run the same command to continue" "$tmp/stderr" || { echo "FAIL: no resume hint"; cat "$tmp/stderr"; exit 1; }
  [[ ! -e $tmp/run/report.json ]] || { echo "FAIL: a report was written by an interrupted run"; exit 1; }
}

interrupt_after 3 INT
first=$(ls "$tmp/run/cache" | wc -l)
interrupt_after 2 TERM
second=$(ls "$tmp/run/cache" | wc -l)
total=$("$mb" run --suite "$suite" --out "$tmp/ref" --plan | /usr/bin/python3 -c "import json,sys; p=json.load(sys.stdin); print(p['cells'] + len(p['claim_tasks']))")
echo "cache files after SIGINT: $first, after SIGTERM: $second, of $total jobs"
((first >= 3 && second > first && second < total)) || { echo "FAIL: the interrupts did not fall mid-run"; exit 1; }

# Inode and modification time (ns) of every finished job, before the final run.
stamp() { /usr/bin/python3 -c '
import os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    s = os.stat(os.path.join(d, f)); print(f, s.st_ino, s.st_mtime_ns)' "$tmp/run/cache"; }
stamp > "$tmp/before"
cells_before=$(ls "$tmp/run/cache" | grep -vc '^claim-' || true)
"$mb" run --suite "$suite" --out "$tmp/run" --threads 2 --quiet
stamp > "$tmp/after"
# Every file that existed is unchanged (not rewritten: not redone).
missing=$(comm -23 "$tmp/before" "$tmp/after")
[[ -z $missing ]] || { echo "FAIL: finished jobs were redone: $missing"; exit 1; }
/usr/bin/python3 - "$tmp/run/report.json" "$cells_before" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
jobs = r["run"]["jobs"]
assert jobs["cells_cached"] == int(sys.argv[2]), (jobs, sys.argv[2])
assert jobs["cells_cached"] + jobs["cells_run"] == r["results"]["suite"]["cells"], jobs
PY
same_results "$tmp/ref/report.json" "$tmp/run/report.json"
same_results "$tmp/ref/leaderboard.json" "$tmp/run/leaderboard.json"
echo "interrupt and resume: ok ($cells_before cells reused, results identical)"
