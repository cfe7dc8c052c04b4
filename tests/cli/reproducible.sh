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
