#!/usr/bin/env bash
# muonbench compare end to end: two runs of the same build of a small suite show no significant
# change (exit 0 under --fail-on-regression 100: timing noise between two runs on a loaded machine
# stays far below 2x), and a run with one solver slowed on purpose (MUONBENCH_TEST_SLOW, a
# per-step sleep) is reported slower, and only that solver fails --fail-on-regression 50 (exit 1).
# Also: run directories as inputs, the leaderboard as input (its per-seed values), and --json.
set -euo pipefail
mb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Three cheap problems x three solvers x 6 seeds; targets small enough that a cell runs for
# hundreds of steps (adam and muon: tens to hundreds of ms), so that seconds are not dominated by
# clock resolution. Muon (fixed-norm steps) reaches 1e-6 only with a decaying learning rate.
cat >"$tmp/suite.json" <<'JSON'
{
  "name": "compare-test",
  "precisions": ["double"],
  "seeds": [0, 1, 2, 3, 4, 5],
  "budget": {"max_steps": 3000, "max_seconds": 120},
  "targets": [1e-2, 1e-6],
  "primary_target": 1e-6,
  "problems": [
    {"name": "quadratic-ls", "label": "ls-32x16", "params": {"m": 32, "n": 16, "p": 40, "q": 20, "kappa": 100}},
    {"name": "quadratic-ls", "label": "ls-24x12", "params": {"m": 24, "n": 12, "p": 30, "q": 15, "kappa": 30}},
    {"name": "softmax-regression", "label": "softmax", "params": {"classes": 5, "d": 8, "samples": 80, "lambda": 0.05}}
  ],
  "solvers": [
    {"name": "sgd", "label": "gd", "hyper": {"lr": 1}},
    {"name": "adam", "hyper": {"lr": 0.01, "lr_schedule": "cosine", "lr_horizon": 3000}},
    {"name": "muon", "hyper": {"lr": 0.05, "weight_decay": 0, "lr_schedule": "cosine", "lr_horizon": 3000}}
  ]
}
JSON

run() {  # run DIR [env...]
  local dir=$1
  shift
  env "$@" "$mb" run --suite "$tmp/suite.json" --out "$tmp/$dir" --threads 2 --no-cache --quiet
}
run a
run b
run slow MUONBENCH_TEST_SLOW=muon:0.5

# Same build twice: exit 0, nothing regressed; steps are deterministic, so every steps verdict is
# "same" with p = 1.
set +e
"$mb" compare "$tmp/a" "$tmp/b/report.json" --fail-on-regression 100 --json "$tmp/same.json" >"$tmp/same.txt" 2>&1
rc=$?
set -e
cat "$tmp/same.txt"
[ $rc -eq 0 ] || { echo "compare of two runs of the same build: exit $rc, want 0"; exit 1; }
grep -q "^Solvers" "$tmp/same.txt"

# The slowed run: exit 1, naming muon (and only muon) on stderr.
set +e
"$mb" compare "$tmp/a" "$tmp/slow" --fail-on-regression 50 --json "$tmp/slow.json" >"$tmp/slow.txt" 2>"$tmp/slow.err"
rc=$?
set -e
cat "$tmp/slow.txt" "$tmp/slow.err"
[ $rc -eq 1 ] || { echo "compare against the slowed run: exit $rc, want 1"; exit 1; }
grep -q "regression: muon slower by more than 50 %" "$tmp/slow.err"

# The leaderboards (selected settings, per-seed values) give the same verdicts. A leaderboard
# without per-seed values (written before issue 18's statistics) is refused, naming the fix.
if grep -q '"values"' "$tmp/a/leaderboard.json"; then
  "$mb" compare "$tmp/a/leaderboard.json" "$tmp/slow/leaderboard.json" --json "$tmp/lb.json" >/dev/null
else
  echo "leaderboard.json has no per-seed values: checking that compare refuses it"
  set +e
  "$mb" compare "$tmp/a/leaderboard.json" "$tmp/slow/leaderboard.json" --json "$tmp/lb.json" 2>"$tmp/lb.err"
  rc=$?
  set -e
  [ $rc -eq 2 ] && grep -q "no per-seed 'values'.*compare its report.json instead" "$tmp/lb.err" || { cat "$tmp/lb.err"; exit 1; }
  [ ! -e "$tmp/lb.json" ] || { echo "an output was written"; exit 1; }
  cp "$tmp/slow.json" "$tmp/lb.json"  # the checks below then hold for the report comparison
  /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['a']['kind']='leaderboard'; json.dump(d, open(sys.argv[1],'w'))" "$tmp/lb.json"
fi

/usr/bin/python3 - "$tmp/same.json" "$tmp/slow.json" "$tmp/lb.json" <<'PY'
import json, sys
same, slow, lb = (json.load(open(p)) for p in sys.argv[1:4])
assert same["a"]["kind"] == "report" and lb["a"]["kind"] == "leaderboard", (same["a"], lb["a"])
assert len(same["cells"]) == 9 and not same["only_in_a"] and not same["only_in_b"], same["cells"]
for c in same["cells"]:
    assert len(c["seeds"]) == 6, c
    assert c["steps"]["verdict"] == "same" and c["steps"]["test"]["p"] == 1, c
assert same["regressions"] == [] and same["exit_status"] == 0, same["regressions"]
for s in same["solvers"]:
    assert s["steps_ratio"] == 1 and s["steps"]["verdict"] == "same", s
    assert len(s["workloads"]) == 3 and s["seconds_pooled_n"] == 18, s
by = {s["solver"]: s for s in slow["solvers"]}
assert slow["regressions"] == ["muon"] and slow["exit_status"] == 1, slow["regressions"]
assert by["muon"]["seconds"]["verdict"] == "slower" and by["muon"]["seconds_ratio"] > 3, by["muon"]
assert by["muon"]["seconds"]["test"]["p"] < 1e-4, by["muon"]["seconds"]
for c in slow["cells"]:
    assert c["steps"]["verdict"] == "same", c  # the sleep changes time, never the trajectory
    if c["solver"] == "muon":
        assert c["seconds"]["verdict"] == "slower", c
assert any("MUONBENCH_TEST_SLOW=muon:0.5" in w for w in slow["warnings"]), slow["warnings"]
lby = {s["solver"]: s for s in lb["solvers"]}
assert lby["muon"]["seconds"]["verdict"] == "slower" and lby["muon"]["seconds_ratio"] > 3, lby["muon"]
assert all(c["steps"]["verdict"] == "same" for c in lb["cells"]), lb["cells"]
PY
echo "compare: ok"
