#!/usr/bin/env bash
# Distributed runs (issue 8): with 2 ranks on one machine, results equal a single process's; a rank
# that dies mid-run leaves the finished cells in the cache and the lost ones named (by rank 0 and in
# OUT/mpi-journal.jsonl), and a rerun completes only the missing cells with the same results.
# Skipped (exit 77) when this build has no MPI or mpirun is absent.
set -u
mb=$1
if ! "$mb" --version | grep -q "MPI: on"; then echo "skip: built without MPI"; exit 77; fi
command -v mpirun >/dev/null || { echo "skip: no mpirun"; exit 77; }
mpi=(mpirun -np 2 --oversubscribe --allow-run-as-root)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
same() {  # same A B: 'results' of report and leaderboard identical
  for f in report leaderboard; do
    python3 - "$1/$f.json" "$2/$f.json" <<'PY' || return 1
import json, sys
a, b = (json.load(open(p))["results"] for p in sys.argv[1:3])
sys.exit(0 if json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) else 1)
PY
  done
}
set -e
"$mb" run --suite smoke --out "$tmp/one" --no-cache --quiet
"${mpi[@]}" "$mb" run --suite smoke --out "$tmp/two" --no-cache --quiet
same "$tmp/one" "$tmp/two" || { echo "FAIL: 2-rank results differ from one process"; exit 1; }

# Rank 1 dies on receiving its 4th job.
set +e
MUONBENCH_FAULT_INJECT=1:3 "${mpi[@]}" "$mb" run --suite smoke --out "$tmp/f" >"$tmp/f.log" 2>&1
rc=$?
set -e
[[ $rc -ne 0 ]] || { echo "FAIL: a dead rank gave exit 0"; exit 1; }
cached=$(ls "$tmp/f/cache" | grep -c '\.json$' || true)
[[ $cached -ge 3 ]] || { echo "FAIL: only $cached finished jobs in the cache"; cat "$tmp/f.log"; exit 1; }
# The journal, replayed: jobs handed out and never done were lost, all on rank 1.
lost=$(python3 - "$tmp/f/mpi-journal.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert "suite" in lines[0] and not any(l.get("finished") for l in lines), lines[:3]
done = {l["done"] for l in lines if "done" in l}
lost = [l for l in lines if "run" in l and l["run"] not in done]
assert lost and all(l["rank"] == 1 for l in lost), lost
print(lost[0]["run"])
PY
)
"${mpi[@]}" "$mb" run --suite smoke --out "$tmp/f" >"$tmp/r.log" 2>&1
grep -q "lost in flight: $lost" "$tmp/r.log" || { echo "FAIL: rerun did not name the lost job"; cat "$tmp/r.log"; exit 1; }
python3 - "$tmp/f/report.json" "$cached" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["run"]["jobs"]
total = s["cells_run"] + s["cells_cached"] + s["claims_run"] + s["claims_cached"]
assert s["cells_cached"] + s["claims_cached"] == int(sys.argv[2]), s   # nothing finished was redone
assert total - int(sys.argv[2]) >= 1, s
PY
same "$tmp/one" "$tmp/f" || { echo "FAIL: completed run differs from one process"; exit 1; }
echo "mpi: ok ($cached jobs kept after the fault)"
