#!/usr/bin/env bash
# `run --reproducible` (docs/reproducibility.md): a cell that hits its time budget fails with reason
# "time-limit" and the run exits 1 (its report still written, run.reproducible true); without the
# flag the same cell is a timeout (exit 0, run.reproducible false) and the leaderboard page says
# "Not a reproducible run"; a reproducible run's page says so too. The build block of
# run.environment records the build mode.
# ctest-labels: sanitize
set -euo pipefail
mb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/suite.json" <<'JSON'
{"name": "reproducible-test", "precisions": ["double"], "seeds": [0], "stop_at_target": false,
 "budget": {"max_steps": 20, "max_seconds": 60},
 "problems": [{"name": "quadratic-ls", "params": {"m": 4, "n": 3, "p": 5, "q": 4}},
              {"name": "quadratic-ls", "label": "too-slow", "params": {"m": 4, "n": 3, "p": 5, "q": 4},
               "budget": {"max_seconds": 1e-9}}],
 "solvers": [{"name": "sgd", "hyper": {"lr": 0.1}}]}
JSON
set +e
"$mb" run --suite "$tmp/suite.json" --reproducible --no-cache --quiet --out "$tmp/r" 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 1 ]] || { echo "FAIL: --reproducible with a time budget hit: exit $rc, expected 1"; cat "$tmp/err"; exit 1; }
"$mb" run --suite "$tmp/suite.json" --no-cache --quiet --out "$tmp/n"
"$mb" html --in "$tmp/r" >/dev/null
"$mb" html --in "$tmp/n" >/dev/null
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
r, n = (json.load(open("%s/%s/report.json" % (t, d))) for d in ("r", "n"))
def cell(rep, label):
    return next(c for c in rep["results"]["records"] if c["cell"]["problem_label"] == label)
assert r["run"]["reproducible"] is True and n["run"]["reproducible"] is False
slow_r, slow_n = cell(r, "too-slow"), cell(n, "too-slow")
assert slow_r["status"] == "failed" and slow_r["reason"].startswith("time-limit: "), slow_r["reason"]
assert slow_n["status"] == "timeout", slow_n["status"]
assert cell(r, "quadratic-ls")["status"] == "max_steps"
assert r["run"]["jobs"]["failed"] == 1 and r["run"]["jobs"]["timeouts"] == 0
b = r["run"]["environment"]["build"]
assert b["mode"] in ("native", "portable", "generic") and "cpu_independent" in b, b
lb = json.load(open("%s/r/leaderboard.json" % t))
assert lb["run"]["reproducible"] is True
assert "Not a reproducible run" in open("%s/n/index.html" % t).read()
assert "Not a reproducible run" not in open("%s/r/index.html" % t).read()
print("reproducible: time-limit failure under --reproducible, timeout without; recorded and shown")
PY

# --time-limit-factor: only with --reproducible, a number in [1, 1e6]; a factor large enough lets
# a cell that hit its safety limit finish, with the results of a run that never came near it.
for bad in "0.5" "abc" "1e7" "nan"; do
  if "$mb" run --suite "$tmp/suite.json" --reproducible --time-limit-factor "$bad" --no-cache --quiet --out "$tmp/x" 2>"$tmp/err"; then
    echo "FAIL: --time-limit-factor $bad accepted"; exit 1
  fi
  grep -q -- "--time-limit-factor" "$tmp/err" || { echo "FAIL: --time-limit-factor $bad not named"; cat "$tmp/err"; exit 1; }
done
rc=0
"$mb" run --suite "$tmp/suite.json" --time-limit-factor 2 --no-cache --quiet --out "$tmp/x" 2>"$tmp/err" || rc=$?
[[ $rc == 2 ]] && grep -q "reproducible" "$tmp/err" || { echo "FAIL: --time-limit-factor without --reproducible: exit $rc"; exit 1; }
# A 1 ms budget times 1e6 is 1,000 s in effect: the cell runs its 20 steps, and its recorded
# max_seconds (part of its id and results) stays 1 ms.
sed 's/"max_seconds": 1e-9/"max_seconds": 1e-3/' "$tmp/suite.json" >"$tmp/suite2.json"
"$mb" run --suite "$tmp/suite2.json" --reproducible --time-limit-factor 1e6 --no-cache --quiet --out "$tmp/f"
/usr/bin/python3 - "$tmp/f/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
slow = next(c for c in r["results"]["records"] if c["cell"]["problem_label"] == "too-slow")
assert slow["status"] == "max_steps" and slow["cell"]["max_seconds"] == 1e-3, slow["status"]
print("reproducible: --time-limit-factor widens the limit, the cell's recorded budget unchanged")
PY
