#!/usr/bin/env bash
# The Slurm job-array flow run locally: the array's task script runs once per task with the
# environment Slurm gives it (SLURM_ARRAY_TASK_ID/MIN/COUNT), then the merge script; the merged
# report equals an unsharded run's ('results' byte for byte).
set -eu
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mb" run --suite smoke --out "$tmp/whole" --no-cache --quiet
export SUITE=smoke OUT=$tmp/array MUONBENCH=$mb SLURM_CPUS_PER_TASK=1
# An array submitted as --array=5-7 (index offset) of 3 tasks.
for id in 5 6 7; do
  SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=5 SLURM_ARRAY_TASK_COUNT=3 bash "$src/scripts/slurm/muonbench.sbatch"
done
ls "$OUT"/shard-{1,2,3}-of-3.json >/dev/null
bash "$src/scripts/slurm/merge.sbatch" >/dev/null 2>&1
for f in report leaderboard; do
  python3 - "$tmp/whole/$f.json" "$OUT/$f.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["results"] for p in sys.argv[1:3])
assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True), "merged array differs from one run"
PY
done
# A task outside an array is refused clearly.
if env -u SLURM_ARRAY_TASK_ID bash "$src/scripts/slurm/muonbench.sbatch" 2>"$tmp/err"; then
  echo "FAIL: ran without SLURM_ARRAY_TASK_ID"; exit 1
fi
grep -q "not a job-array task" "$tmp/err"
echo "slurm job-array flow: ok"
