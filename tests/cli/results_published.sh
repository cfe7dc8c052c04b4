#!/usr/bin/env bash
# results/ is what the portable build produces (docs/reproducibility.md): results/report.json and
# results/leaderboard.json come from a reproducible portable run (scripts/publish), and a fresh
# `build-portable/muonbench run --suite default --reproducible` gives the same bytes. The whole
# suite takes 2.5 minutes on 2 cores, too long for every CI run, so this test runs one eighth of
# its jobs (--shard 3/8: 1,134 cells spread over every workload and solver, and the claim tasks
# that fall in it) and requires every record and claim outcome to equal the published one byte for
# byte; `scripts/same-results --build build-portable` checks the whole suite (README).
# The published leaderboard must also be the one of the published report: its per-seed steps,
# selected settings and claim verdicts are read back from the report here.
set -euo pipefail
mb=$1
src=$2
portable=${MUONBENCH_PORTABLE_BIN:-$src/build-portable/muonbench}
[[ -x $portable ]] || { echo "skipped: no portable build at $portable (scripts/build --portable)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# --time-limit-factor: on a loaded CI machine a 0.25 s safety limit can be hit; widening it changes
# no result (docs/reproducibility.md), and a hit would fail the run (exit 1), not pass it.
rc=0
"$portable" run --suite default --reproducible --time-limit-factor 20 --shard 3/8 --no-cache --threads 2 \
  --progress never --out "$tmp/shard" >"$tmp/log" 2>&1 || rc=$?
[[ $rc == 0 ]] || { cat "$tmp/log"; echo "FAIL: the shard run exited $rc"; exit 1; }
/usr/bin/python3 - "$tmp/shard/shard-3-of-8.json" "$src/results/report.json" "$src/results/leaderboard.json" <<'PY'
import json, sys
shard, report, board = (json.load(open(p)) for p in sys.argv[1:4])
canon = lambda x: json.dumps(x, sort_keys=True, separators=(",", ":"))
run = report["run"]
assert run.get("reproducible") is True, "results/report.json is not a --reproducible run"
assert run["environment"]["build"].get("cpu_independent") is True, "results/report.json is not from the portable build"
res = report["results"]
assert shard["suite"]["hash"] == board["results"]["suite_hash"], "results/ is from another version of the default suite"
published = {r["id"]: r for r in res["records"]}
n = 0
for c in shard["cells"]:
    rec = c.get("record", c)
    rid = c["id"]
    assert rid in published, f"cell {rid} is not in results/report.json"
    if canon(rec) != canon(published[rid]):
        a, b = canon(published[rid]), canon(rec)
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        sys.exit(f"cell {rid} differs from results/report.json at byte {i}: ...{a[max(0, i - 80):i + 80]}... vs ...{b[max(0, i - 80):i + 80]}...")
    n += 1
outcomes = {canon(o) for o in res["claims"]}
m = 0
for t in shard["claims"]:
    for o in t["outcomes"]:
        assert canon(o) in outcomes, f"claim outcome {o.get('claim')} ({o.get('variant')}, {o.get('precision')}) differs from results/"
        m += 1
assert n > 1000, f"only {n} cells in the shard"
# The leaderboard is the report's: every ranked entry's per-seed steps are the report's.
steps = {}
for r in res["records"]:
    c = r["cell"]
    steps[(c["problem_label"] + " [" + c["precision"] + "]", c["solver_label"], c["setting"], c["seed"])] = r["steps_to_target"]
target = {w["name"]: w["primary_target"] for w in board["results"]["workloads"]}
checked = 0
for w in board["results"]["rankings_by_steps"]:
    for e in w["ranking"]:
        for seed, v in zip(e["seeds_used"], e["values"]):
            s = steps[(w["workload"], e["solver"], e["setting"], seed)][target[w["workload"]]]
            assert (s is None and v is None) or s == v, f"{w['workload']} {e['solver']} seed {seed}: leaderboard {v}, report {s}"
            checked += 1
assert checked > 100 and board["results"]["claims_total"] == len(res["claims"]), "leaderboard and report disagree on claims"
print(f"results_published: {n} cells and {m} claim outcomes of shard 3/8 equal results/ byte for byte; "
      f"{checked} leaderboard values match the report")
PY
